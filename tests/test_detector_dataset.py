"""Epoch composition of the detector's training set: images with vertical words repeated."""

from __future__ import annotations

import numpy as np

from modules.detector.annotations import DONTCARE, TEXT
from modules.detector.dataset import Sample, repeat_vertical


def _sample(name: str, boxes: list[list[float]], classes: list[int]) -> Sample:
    return Sample(np.zeros((100, 100, 3), np.uint8), np.asarray(boxes, np.float32).reshape(-1, 4),
                  np.asarray(classes, np.int64), 1.0, name)


def test_images_with_two_vertical_words_are_repeated() -> None:
    tall, wide = [10, 10, 20, 60], [10, 10, 80, 30]  # 10x50 and 70x20
    signboard = _sample("signboard", [tall, [30, 10, 40, 60], wide], [TEXT, TEXT, TEXT])
    one_tall = _sample("one", [tall, wide], [TEXT, TEXT])
    illegible = _sample("illegible", [tall, [30, 10, 40, 60]], [TEXT, DONTCARE])  # don't-care does not count
    plain = _sample("plain", [wide], [TEXT])
    samples = [signboard, one_tall, illegible, plain]
    out = repeat_vertical(samples, 3)
    assert [s.path for s in out] == ["signboard", "one", "illegible", "plain", "signboard", "signboard"]
    assert repeat_vertical(samples, 1) == samples and repeat_vertical(samples, 0) == samples
    assert [s.path for s in repeat_vertical(samples, 2, min_words=1)] == [
        "signboard", "one", "illegible", "plain", "signboard", "one", "illegible"]
