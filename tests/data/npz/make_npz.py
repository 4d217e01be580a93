#!/usr/bin/python3
"""Writes the .npz fixtures of tests/codecs/tst_npz.cpp (Debian's python3-numpy):

    /usr/bin/python3 tests/data/npz/make_npz.py

The arrays are small and exact so that the test knows every value: relu = max(arange(-8, 8), 0)
as float32 of shape (1, 2, 2, 4), conv = arange(-8, 8) as float16 of shape (2, 8). Malformed
archives go to bad/.
"""
import io
import os
import struct
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "bad")

relu = np.maximum(np.arange(-8, 8, dtype=np.float32), 0).reshape(1, 2, 2, 4)
conv = np.arange(-8, 8).astype(np.float16).reshape(2, 8)


def archive(compressed):
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, relu=relu, conv=conv)
    return bytearray(buffer.getvalue())


def write(name, data, folder=HERE):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(bytes(data))


def central_offset(data, member):
    """Offset of the central directory entry of `member`."""
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + name_len] == member.encode():
            return pos
        pos += 4


def main():
    stored, deflated = archive(False), archive(True)
    write("stored.npz", stored)
    write("deflated.npz", deflated)

    write("truncated.npz", deflated[: len(deflated) // 2], BAD)
    write("not-a-zip.npz", b"\x93NUMPY this is an npy header, not a zip archive" + bytes(64), BAD)

    corrupt = bytearray(stored)
    data_at = corrupt.find(b"\x93NUMPY") + 140  # inside relu.npy's values (a 128-byte header, then 64 bytes)
    corrupt[data_at] ^= 0xFF
    write("bad-crc.npz", corrupt, BAD)

    lie = bytearray(deflated)
    entry = central_offset(lie, "relu.npy")
    struct.pack_into("<I", lie, entry + 24, 0x7FFFFFF0)  # uncompressed size far beyond deflate's ratio
    write("size-lie.npz", lie, BAD)

    short = bytearray(deflated)
    entry = central_offset(short, "relu.npy")
    size = struct.unpack_from("<I", short, entry + 24)[0]
    struct.pack_into("<I", short, entry + 24, size + 100)  # more than the stream holds
    write("size-too-large.npz", short, BAD)

    wild = bytearray(stored)
    entry = central_offset(wild, "relu.npy")
    struct.pack_into("<I", wild, entry + 42, len(wild) + 1000)  # local header beyond the end
    write("offset-out-of-range.npz", wild, BAD)

    method = bytearray(stored)
    entry = central_offset(method, "relu.npy")
    struct.pack_into("<H", method, entry + 10, 12)  # bzip2
    write("unsupported-method.npz", method, BAD)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "no arrays here")
    write("no-npy-member.npz", buffer.getvalue(), BAD)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("bad.npy", b"\x93NUMPY\x01\x00" + b"\x10\x00" + b"{'descr': '<f8'}")
    write("bad-npy-member.npz", buffer.getvalue(), BAD)


if __name__ == "__main__":
    main()
