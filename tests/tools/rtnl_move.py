#!/usr/bin/env python3
"""Moves a network interface into another netns with one raw rtnetlink
request sent by sendto(2), as pyroute2 and other netlink libraries do
(iproute2 uses sendmsg). Prints the kernel's answer: 0 or -errno.

    rtnl_move.py IFINDEX NETNS_FILE
"""
import os
import socket
import struct
import sys

RTM_NEWLINK = 16
NLM_F_REQUEST, NLM_F_ACK = 1, 4
IFLA_NET_NS_FD = 28
NLMSG_ERROR = 2


def main():
    ifindex, path = int(sys.argv[1]), sys.argv[2]
    fd = os.open(path, os.O_RDONLY)
    attr = struct.pack("=HHI", 8, IFLA_NET_NS_FD, fd)
    ifi = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, ifindex, 0, 0)
    body = ifi + attr
    hdr = struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK,
                      NLM_F_REQUEST | NLM_F_ACK, 4242, 0)
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.sendto(hdr + body, (0, 0))
    answer = s.recv(65536)
    kind, = struct.unpack_from("=H", answer, 4)
    error, = struct.unpack_from("=i", answer, 16) if kind == NLMSG_ERROR else (0,)
    print(error)
    return 0 if error == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
