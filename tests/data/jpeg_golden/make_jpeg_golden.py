#!/usr/bin/python3
"""Writes the JPEG golden files of tests/data/test_jpeg_golden.cpp: small JPEGs in the layouts
datasets use (4:2:0, 4:2:2, 4:4:4, progressive with optimised tables, gray, CMYK, odd sizes
that end in partial blocks, one file from another encoder) and, for each, the pixels PIL
decodes from it with Image.open(f).convert("RGB" or "L").

Also source.png (lossless) and writer_q95.pixels: PIL's decoding of PIL's own quality-95 JPEG
of source.png, which a JPEG written by data::write_jpeg must reproduce exactly.

Run once with Debian's interpreter (python3-pil), from the repository root:
    /usr/bin/python3 tests/data/jpeg_golden/make_jpeg_golden.py
The tests read the outputs without Python. Output is deterministic (no randomness beyond a
fixed linear congruential generator)."""
import io
import os
import sys

import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def pattern(width, height, channels, seed):
    """Gradients, a hard-edged disc and low-amplitude noise, so that every DCT band is used."""
    state = seed
    data = bytearray()
    for y in range(height):
        for x in range(width):
            inside = (x - width * 0.6) ** 2 + (y - height * 0.4) ** 2 < (min(width, height) * 0.3) ** 2
            for c in range(channels):
                state = (state * 1103515245 + 12345) % (1 << 31)
                noise = (state >> 16) % 23 - 11
                base = (x * 255 // max(width - 1, 1)) if c % 2 == 0 else (y * 255 // max(height - 1, 1))
                if c == 2:
                    base = 255 - base
                if c == 3:
                    base = (x + y) * 4 % 256
                if inside:
                    base = 255 - base // 2
                data.append(max(0, min(255, base + noise)))
    return bytes(data)


def save(name, mode, size, seed, **options):
    channels = {"L": 1, "RGB": 3, "CMYK": 4}[mode]
    image = Image.frombytes(mode, size, pattern(size[0], size[1], channels, seed))
    path = os.path.join(HERE, name)
    image.save(path, "JPEG", **options)
    return path


def decoded(path):
    with Image.open(path) as im:
        return im.convert("L" if im.mode == "L" else "RGB")


def main():
    cases = [
        ("rgb_420_q75.jpg", "RGB", (37, 23), 1, {}),
        ("rgb_422_q90.jpg", "RGB", (40, 19), 2, {"quality": 90, "subsampling": 1}),
        ("rgb_444_q95.jpg", "RGB", (33, 31), 3, {"quality": 95, "subsampling": 0}),
        ("rgb_progressive.jpg", "RGB", (45, 27), 4, {"quality": 85, "progressive": True, "optimize": True}),
        ("rgb_low_quality.jpg", "RGB", (24, 40), 5, {"quality": 10}),
        ("gray_q85.jpg", "L", (29, 17), 6, {"quality": 85}),
        ("gray_progressive.jpg", "L", (16, 48), 7, {"quality": 70, "progressive": True}),
        ("cmyk_q90.jpg", "CMYK", (21, 18), 8, {"quality": 90}),
    ]
    lines = ["# file width height channels pixels (PIL {} decoding, raw 8-bit, row-major)".format(PIL.__version__)]
    files = []
    for name, mode, size, seed, options in cases:
        files.append(save(name, mode, size, seed, **options))
    # A file from another encoder (stb_image_write, as the fuzz seeds are written).
    stb = os.path.join(ROOT, "tools", "fuzz", "seeds", "image", "jpg_c3.jpg")
    with open(stb, "rb") as src, open(os.path.join(HERE, "stb_written.jpg"), "wb") as dst:
        dst.write(src.read())
    files.append(os.path.join(HERE, "stb_written.jpg"))
    for path in files:
        image = decoded(path)
        base = os.path.splitext(os.path.basename(path))[0]
        with open(os.path.join(HERE, base + ".pixels"), "wb") as f:
            f.write(image.tobytes())
        lines.append("{} {} {} {} {}".format(os.path.basename(path), image.size[0], image.size[1],
                                            len(image.getbands()), base + ".pixels"))

    # The writer case: PIL's quality-95 JPEG of a lossless source, decoded by PIL.
    source = Image.frombytes("RGB", (38, 26), pattern(38, 26, 3, 9))
    source.save(os.path.join(HERE, "source.png"))
    buffer = io.BytesIO()
    source.save(buffer, "JPEG", quality=95)
    buffer.seek(0)
    with Image.open(buffer) as im:
        with open(os.path.join(HERE, "writer_q95.pixels"), "wb") as f:
            f.write(im.convert("RGB").tobytes())
    with open(os.path.join(HERE, "golden.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote {} decoding cases and the writer case to {}".format(len(files), HERE), file=sys.stderr)


if __name__ == "__main__":
    main()
