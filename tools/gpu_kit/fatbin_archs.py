#!/usr/bin/env python3
"""Lists the GPU code embedded in an executable's .nv_fatbin section (nvcc's fat binaries), for
machines without cuobjdump: prints "cubin sm_80 sm_90" and "ptx sm_90" lines. The layout read
here: each fat binary starts with a 16-byte header (magic 0xBA55ED50, version, header size,
size of the entries); each entry has a header (kind: 1 PTX, 2 cubin; its header size; the
padded payload size at offset 8; the SM version at offset 28) followed by its payload.
usage: fatbin_archs.py FILE"""
import struct
import sys

MAGIC = 0xBA55ED50


def section(data, name):
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise SystemExit("not a 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = headers[shstrndx]
    for h in headers:
        start = strtab[4] + h[0]
        if data[start:data.index(b"\0", start)].decode() == name:
            return data[h[4]:h[4] + h[5]]
    return b""


def archs(blob):
    found = {1: set(), 2: set()}
    at = 0
    while at + 16 <= len(blob):
        magic, _version, header_size, size = struct.unpack_from("<IHHQ", blob, at)
        if magic != MAGIC:
            at += 8  # containers are 8-byte aligned
            continue
        entry, end = at + header_size, at + header_size + size
        while entry + 32 <= end:
            kind, _v, entry_header, padded = struct.unpack_from("<HHII", blob, entry)
            sm, = struct.unpack_from("<I", blob, entry + 28)
            if kind in found:
                found[kind].add(sm)
            if entry_header == 0:
                break
            entry += entry_header + padded
        at = end
    return found


def main():
    found = archs(section(open(sys.argv[1], "rb").read(), ".nv_fatbin"))
    print("cubin " + " ".join(f"sm_{sm}" for sm in sorted(found[2])))
    print("ptx " + " ".join(f"sm_{sm}" for sm in sorted(found[1])))


if __name__ == "__main__":
    main()
