"""Tiny synthetic word crops and raw lmdbs for tests and quick experiments (not the data generator)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import lmdb
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from modules.imageio import encode_image


def render_word(text: str, font_path: str | os.PathLike[str], height: int = 40, seed: int = 0) -> np.ndarray:
    """Black-ish text on a light background, ``(h, w, 3) uint8`` RGB, a few pixels of margin."""
    rng = np.random.default_rng(seed)
    font = ImageFont.truetype(str(font_path), size=int(height * 0.75))
    left, top, right, bottom = font.getbbox(text)
    w, h = max(right - left, 1) + 8, max(bottom - top, 1) + 8
    bg = tuple(int(v) for v in rng.integers(180, 256, 3))
    fg = tuple(int(v) for v in rng.integers(0, 80, 3))
    image = Image.new("RGB", (w, h), bg)
    ImageDraw.Draw(image).text((4 - left, 4 - top), text, font=font, fill=fg)
    return np.asarray(image)


def write_raw_lmdb(path: str | os.PathLike[str], samples: Sequence[tuple[bytes, str]]) -> Path:
    """Write ``(encoded image bytes, label)`` pairs in the DTRB layout (docs/FORMATS.md §5)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    size = max(1 << 20, sum(len(b) + len(l.encode()) + 64 for b, l in samples) * 4)
    env = lmdb.open(str(path), map_size=size)
    with env.begin(write=True) as txn:
        for i, (data, label) in enumerate(samples, start=1):
            txn.put(b"image-%09d" % i, data)
            txn.put(b"label-%09d" % i, label.encode("utf-8"))
        txn.put(b"num-samples", str(len(samples)).encode("ascii"))
    env.close()
    return path


def write_word_lmdb(
    path: str | os.PathLike[str], words: Sequence[str], fonts: Sequence[str | os.PathLike[str]], seed: int = 0
) -> Path:
    """Render every word with each font and write them to a raw lmdb."""
    samples = []
    for f, font in enumerate(fonts):
        for i, word in enumerate(words):
            samples.append((encode_image(render_word(word, font, seed=seed + 1000 * f + i), ".png"), word))
    return write_raw_lmdb(path, samples)
