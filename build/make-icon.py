#!/usr/bin/env python3
"""Draws build/icon.png, the package icon: three streams of records merging into one fused loop.

Standard library only (zlib + struct), so the icon can be regenerated anywhere: python3 build/make-icon.py
"""
import math
import struct
import zlib
from pathlib import Path

SIZE = 128
BACKGROUND = (24, 48, 96)
STREAM = (120, 200, 255)
FUSED = (255, 196, 64)


def inside_rounded_square(x, y, radius=22):
    cx = min(max(x, radius), SIZE - 1 - radius)
    cy = min(max(y, radius), SIZE - 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2


def near_segment(px, py, ax, ay, bx, by, width):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / float(dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy)) <= width


def pixel(x, y):
    if not inside_rounded_square(x, y):
        return (0, 0, 0, 0)
    # Three input streams (dots = records) converge on the fused loop at the right.
    for row in (32, 64, 96):
        if near_segment(x, y, 16, row, 76, 64, 4):
            return STREAM + (255,)
        for dot in (20, 40):
            t = (dot - 16) / 60.0
            if math.hypot(x - dot, y - (row + t * (64 - row))) <= 7:
                return STREAM + (255,)
    # The fused loop: a ring with an arrow out.
    if 14 <= math.hypot(x - 90, y - 64) <= 22:
        return FUSED + (255,)
    if near_segment(x, y, 108, 64, 120, 64, 4) or near_segment(x, y, 120, 64, 113, 56, 3) or near_segment(x, y, 120, 64, 113, 72, 3):
        return FUSED + (255,)
    return BACKGROUND + (255,)


def png(width, height, rgba_rows):
    raw = b"".join(b"\x00" + bytes(channel for px in row for channel in px) for row in rgba_rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
out = Path(__file__).with_name("icon.png")
out.write_bytes(png(SIZE, SIZE, rows))
print(f"wrote {out} ({out.stat().st_size} bytes)")
