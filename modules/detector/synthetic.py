"""Small synthetic text scenes (PIL text on random backgrounds) for tests, benchmarks and demos.

Not a data generator for training at scale (that is ``modules.generator``): it only has to give the
detector real glyphs with exact boxes, offline.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

WORDS = ("행복약국", "서울", "OPEN", "카페", "주차장", "Sale 50%", "출입금지", "KOREA", "병원", "택시", "맛집", "2024")


def make_scene(rng: np.random.Generator, font_paths: list[Path], width: int = 480, height: int = 360,
               words: int = 4, dontcare: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw ``words`` non-overlapping words (+ ``dontcare`` scribbled ones) on a noisy background.

    Returns ``(image (H, W, 3) uint8 RGB, boxes (N, 4) int64 xyxy, classes (N,) int64)``, class 1 for
    don't-care words (drawn, then struck through so they look illegible).
    """
    base = rng.integers(0, 256, 3)
    image = np.clip(base + rng.normal(0, 18, (height, width, 3)), 0, 255).astype(np.uint8)
    canvas = Image.fromarray(image)
    draw = ImageDraw.Draw(canvas)
    boxes: list[list[int]] = []
    classes: list[int] = []
    for index in range(words + dontcare):
        for _ in range(30):
            font = ImageFont.truetype(str(font_paths[rng.integers(len(font_paths))]), int(rng.integers(18, 48)))
            text = WORDS[rng.integers(len(WORDS))]
            left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
            w, h = right - left, bottom - top
            if w >= width - 8 or h >= height - 8:
                continue
            x, y = int(rng.integers(4, width - w - 4)), int(rng.integers(4, height - h - 4))
            box = [x, y, x + w, y + h]
            if any(not (box[2] + 6 < b[0] or b[2] + 6 < box[0] or box[3] + 6 < b[1] or b[3] + 6 < box[1]) for b in boxes):
                continue
            colour = tuple(int(255 - c) if abs(255 - 2 * c) > 60 else int((c + 128) % 256) for c in base)
            draw.text((x - left, y - top), text, font=font, fill=colour)
            is_dontcare = index >= words
            if is_dontcare:
                for k in range(3):
                    yy = y + (k + 1) * h // 4
                    draw.line([(x, yy), (x + w, yy)], fill=colour, width=2)
            boxes.append(box)
            classes.append(1 if is_dontcare else 0)
            break
    return np.asarray(canvas), np.array(boxes, dtype=np.int64).reshape(-1, 4), np.array(classes, dtype=np.int64)
