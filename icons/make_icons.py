#!/usr/bin/env python3
"""Draws the Regulars icon set with the standard library only.

The mark is a punch-card stamp: a white ring with two filled "punches" on a
teal rounded square. Run `python3 icons/make_icons.py` to rewrite every file
the Tauri bundler asks for (PNG sizes, icon.ico, icon.icns).
"""
import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TEAL = (15, 118, 110)
WHITE = (255, 255, 255)
SUPERSAMPLE = 4


def coverage(x, y, size):
    """Returns (background alpha, white alpha) for a point in unit space."""
    # Rounded square with a corner radius of 22% of the side.
    r = 0.22
    dx = max(r - x, 0, x - (1 - r))
    dy = max(r - y, 0, y - (1 - r))
    inside_square = dx * dx + dy * dy <= r * r
    if not inside_square:
        return 0.0, 0.0
    cx, cy = x - 0.5, y - 0.5
    d = math.hypot(cx, cy)
    ring = 0.25 <= d <= 0.34
    punches = math.hypot(cx + 0.1, cy) <= 0.07 or math.hypot(cx - 0.1, cy) <= 0.07
    return 1.0, 1.0 if (ring or punches) else 0.0


def render(size):
    rows = []
    n = SUPERSAMPLE
    for py in range(size):
        row = bytearray([0])  # PNG filter type 0 for this scanline
        for px in range(size):
            bg = fg = 0.0
            for sy in range(n):
                for sx in range(n):
                    b, f = coverage((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size, size)
                    bg += b
                    fg += f
            bg /= n * n
            fg /= n * n
            if bg == 0:
                row += bytes((0, 0, 0, 0))
                continue
            t = fg / bg
            rgb = [round(TEAL[i] * (1 - t) + WHITE[i] * t) for i in range(3)]
            row += bytes(rgb + [round(bg * 255)])
        rows.append(bytes(row))
    return png_bytes(size, size, b"".join(rows))


def png_bytes(width, height, raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def ico_bytes(pngs):
    """An ICO whose entries are PNG images (supported since Windows Vista)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, data in pngs:
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        blobs += data
    return header + entries + blobs


def icns_bytes(pngs):
    """An ICNS with PNG payloads: ic07 (128), ic08 (256), ic09 (512), ic10 (1024)."""
    kinds = {128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}
    body = b"".join(kinds[s] + struct.pack(">I", len(d) + 8) + d for s, d in pngs if s in kinds)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main():
    cache = {}

    def image(size):
        if size not in cache:
            cache[size] = render(size)
        return cache[size]

    files = {
        "32x32.png": 32,
        "64x64.png": 64,
        "128x128.png": 128,
        "128x128@2x.png": 256,
        "icon.png": 512,
    }
    for name, size in files.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(image(size))
    with open(os.path.join(HERE, "icon.ico"), "wb") as f:
        f.write(ico_bytes([(s, image(s)) for s in (16, 24, 32, 48, 64, 256)]))
    with open(os.path.join(HERE, "icon.icns"), "wb") as f:
        f.write(icns_bytes([(s, image(s)) for s in (128, 256, 512)]))


if __name__ == "__main__":
    main()
