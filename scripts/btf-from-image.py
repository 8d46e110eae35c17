#!/usr/bin/env python3
"""Writes the BTF of a kernel image (a vmlinuz, gzip'd or not: arm64's
Image.gz, say) to a file that bpftool reads, for a vmlinux.h of a kernel
that this machine does not run (make vmlinux ARCH=arm64 VMLINUZ=...).

The image keeps .BTF as it is in vmlinux: a blob that starts with the
magic 0xeB9F and a header that gives its length. Nothing marks where it
is, so every magic is tried and the one whose header is consistent (type
section first, strings right after it, the string section starting with
its empty string) and longest wins.

usage: btf-from-image.py VMLINUZ OUT
"""
import gzip
import struct
import sys


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: btf-from-image.py VMLINUZ OUT\n")
        return 2
    data = open(sys.argv[1], "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    best = None
    at = data.find(b"\x9f\xeb\x01\x00")
    while at >= 0:
        hdr = data[at:at + 24]
        if len(hdr) == 24:
            _, _, _, hdr_len, type_off, type_len, str_off, str_len = \
                struct.unpack("<HBBIIIII", hdr)
            end = at + hdr_len + str_off + str_len
            if (hdr_len == 24 and type_off == 0 and str_off == type_len
                    and type_len > 0 and str_len > 0 and end <= len(data)
                    and data[at + hdr_len + str_off] == 0
                    and data[end - 1] == 0):
                if best is None or end - at > best[1] - best[0]:
                    best = (at, end)
        at = data.find(b"\x9f\xeb\x01\x00", at + 1)
    if best is None:
        sys.stderr.write("btf-from-image: no BTF in %s: built without "
                         "CONFIG_DEBUG_INFO_BTF?\n" % sys.argv[1])
        return 1
    with open(sys.argv[2], "wb") as f:
        f.write(data[best[0]:best[1]])
    sys.stderr.write("btf-from-image: %d bytes of BTF at offset %d\n"
                     % (best[1] - best[0], best[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
