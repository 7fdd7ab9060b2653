#!/usr/bin/env python3
"""vgcfix.py IN [OUT] -- give a .vgc file a matching payload length and CRC.

fuzz_vgc patches the header of inputs whose own header is wrong before the
second read (see fuzz_vgc.c), so a crash input it saves may carry a stale
length or checksum.  This writes the patched bytes (to OUT, or IN in place),
so the input also reproduces with `vigil disasm` / `vigil run`.
"""
import struct
import sys
import zlib

data = bytearray(open(sys.argv[1], "rb").read())
if len(data) < 16:
    sys.exit("%s: shorter than a .vgc header" % sys.argv[1])
data[8:12] = struct.pack("<I", len(data) - 16)
data[12:16] = struct.pack("<I", zlib.crc32(bytes(data[16:])) & 0xFFFFFFFF)
open(sys.argv[2] if len(sys.argv) > 2 else sys.argv[1], "wb").write(data)
