#!/usr/bin/env python3
"""Sends raw rtnetlink link requests the way netlink libraries do, every
form the kernel accepts, all of them in one buffer and one syscall.
Prints the kernel's answer to each, one line per request: 0 or -errno.

    rtnl.py [--sendmsg] [--netns FILE] REQUEST...

REQUEST is OP:KEY=VALUE,... with OP new, set or del, and keys
    index=N     ifi_index (0 when absent)
    name=X      IFLA_IFNAME (the device's name, or its new one by index)
    alt=X       IFLA_ALT_IFNAME
    nsfd=FILE   IFLA_NET_NS_FD of FILE (/run/netns/NAME)
    nspid=PID   IFLA_NET_NS_PID
    nsid=ID     IFLA_TARGET_NETNSID
    kind=KIND   IFLA_LINKINFO with IFLA_INFO_KIND (new: create a KIND)

--sendmsg sends with sendmsg(2) instead of sendto(2). --netns FILE opens
the socket inside that netns (setns, socket, setns back): the requests
are then about that netns while the caller stays where it was.
"""
import ctypes
import os
import socket
import struct
import sys

RTM = {"new": 16, "del": 17, "set": 19}
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 1, 4, 0x200, 0x400
NLMSG_ERROR = 2
IFLA_IFNAME, IFLA_NET_NS_PID, IFLA_LINKINFO = 3, 19, 18
IFLA_NET_NS_FD, IFLA_TARGET_NETNSID, IFLA_ALT_IFNAME = 28, 46, 53
IFLA_INFO_KIND = 1
NLA_F_NESTED = 0x8000
CLONE_NEWNET = 0x40000000


def attr(kind, payload):
    pad = b"\0" * (-len(payload) % 4)
    return struct.pack("=HH", 4 + len(payload), kind) + payload + pad


def request(spec, seq, fds):
    op, _, args = spec.partition(":")
    keys = dict(kv.split("=", 1) for kv in args.split(",") if kv)
    attrs = b""
    if "name" in keys:
        attrs += attr(IFLA_IFNAME, keys["name"].encode() + b"\0")
    if "alt" in keys:
        attrs += attr(IFLA_ALT_IFNAME, keys["alt"].encode() + b"\0")
    if "nsfd" in keys:
        fd = os.open(keys["nsfd"], os.O_RDONLY)
        fds.append(fd)
        attrs += attr(IFLA_NET_NS_FD, struct.pack("=I", fd))
    if "nspid" in keys:
        attrs += attr(IFLA_NET_NS_PID, struct.pack("=I", int(keys["nspid"])))
    if "nsid" in keys:
        attrs += attr(IFLA_TARGET_NETNSID, struct.pack("=i", int(keys["nsid"])))
    if "kind" in keys:
        info = attr(IFLA_INFO_KIND, keys["kind"].encode())
        attrs += attr(IFLA_LINKINFO | NLA_F_NESTED, info)
    flags = NLM_F_REQUEST | NLM_F_ACK
    if op == "new" and "kind" in keys:
        flags |= NLM_F_CREATE | NLM_F_EXCL
    ifi = struct.pack("=BxHiII", socket.AF_UNSPEC, 0,
                      int(keys.get("index", 0)), 0, 0)
    body = ifi + attrs
    return struct.pack("=IHHII", 16 + len(body), RTM[op], flags, seq, 0) + body


def rtnl_socket(netns):
    if not netns:
        return socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                             socket.NETLINK_ROUTE)
    libc = ctypes.CDLL(None, use_errno=True)
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    there = os.open(netns, os.O_RDONLY)
    if libc.setns(there, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns " + netns)
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                      socket.NETLINK_ROUTE)
    if libc.setns(home, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns back")
    os.close(home)
    os.close(there)
    return s


def answers(s, want):
    """The error code of each acked seq, in the order they come."""
    got = {}
    while len(got) < want:
        data = s.recv(65536)
        off = 0
        while off + 16 <= len(data):
            length, kind, _, seq, _ = struct.unpack_from("=IHHII", data, off)
            if kind == NLMSG_ERROR:
                got[seq] = struct.unpack_from("=i", data, off + 16)[0]
            off += (length + 3) & ~3
    return got


def main():
    args = sys.argv[1:]
    use_sendmsg, netns = False, None
    while args and args[0].startswith("--"):
        if args[0] == "--sendmsg":
            use_sendmsg = True
            args = args[1:]
        elif args[0] == "--netns":
            netns, args = args[1], args[2:]
        else:
            sys.exit(__doc__)
    if not args:
        sys.exit(__doc__)
    fds = []
    buf = b"".join(request(a, 5000 + i, fds) for i, a in enumerate(args))
    s = rtnl_socket(netns)
    if use_sendmsg:
        s.sendmsg([buf], [], 0, (0, 0))
    else:
        s.sendto(buf, (0, 0))
    got = answers(s, len(args))
    for i in range(len(args)):
        print(got[5000 + i])
    return 0 if all(v == 0 for v in got.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
