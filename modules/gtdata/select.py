"""Selecting records from a reader's stream: a stable hash split and a cap for quick runs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from modules.data.annotations import AnnotationProblem, ImageAnnotation

Record = ImageAnnotation | AnnotationProblem


def in_test_split(image_path: str, test_fraction: float) -> bool:
    """A stable split by the image's file name (the same image always lands on the same side)."""
    digest = hashlib.sha1(Path(image_path).name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < test_fraction


def hash_split(records: Iterable[Record], test_fraction: float, split: str) -> Iterator[Record]:
    """Images of ``split`` (``train`` | ``test``); problems go with ``train`` only, so they are
    counted once when a dataset without splits (text-in-the-wild) feeds both."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    for record in records:
        if isinstance(record, AnnotationProblem):
            if split == "train":
                yield record
        elif in_test_split(record.image_path, test_fraction) == (split == "test"):
            yield record


def first_images(records: Iterable[Record], max_images: int) -> Iterator[Record]:
    """At most ``max_images`` images (0 = all) with the problems met on the way."""
    count = 0
    for record in records:
        if isinstance(record, ImageAnnotation):
            if max_images and count >= max_images:
                return
            count += 1
        yield record
