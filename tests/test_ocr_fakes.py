"""Tiny stand-ins for the detector and recognizer, for testing the OCR orchestration only.

Images are white with filled rectangles ("words"); each rectangle's grey level names its text.
"""

from __future__ import annotations

import cv2
import numpy as np

LEVEL_TEXT = {40: "안녕", 80: "하세요", 120: "Hello", 160: "World", 200: "한국어"}


def scene(size: tuple[int, int], words: list[tuple[int, int, int, int, int]]) -> np.ndarray:
    """White RGB image ``(H, W)`` with rectangles ``(x1, y1, x2, y2, level)``."""
    image = np.full((size[0], size[1], 3), 255, np.uint8)
    for x1, y1, x2, y2, level in words:
        image[y1:y2, x1:x2] = level
    return image


class FakeDetector:
    """Boxes = connected components of non-white pixels, score 0.9."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def detect(self, images, batch_size=8):
        self.calls.append(len(images))
        out = []
        for image in images:
            mask = (image.min(axis=2) < 250).astype(np.uint8)
            n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
            boxes = np.asarray([[x, y, x + w, y + h] for x, y, w, h, _ in stats[1:]], np.float32).reshape(-1, 4)
            out.append((boxes, np.full(len(boxes), 0.9, np.float32)))
        return out


class FakeRecognizer:
    """Text from the grey level at the crop centre; records the crop shapes of each call."""

    def __init__(self) -> None:
        self.batches: list[list[tuple[int, ...]]] = []

    def recognize(self, images, batch_size=64, decoder="greedy", max_width=0):
        self.batches.append([im.shape for im in images])
        out = []
        for im in images:
            level = int(im[im.shape[0] // 2, im.shape[1] // 2].min())
            out.append((LEVEL_TEXT.get(level, ""), 0.5 + level / 1000))
        return out
