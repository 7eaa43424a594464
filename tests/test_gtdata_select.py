"""Selecting reader records: stable hash split (problems counted once) and the image cap."""

from __future__ import annotations

import pytest

from modules.data.annotations import AnnotationProblem, ImageAnnotation
from modules.gtdata.select import first_images, hash_split, in_test_split


def _records(n: int) -> list:
    out: list = [AnnotationProblem("x.json", "json_invalid")]
    out += [ImageAnnotation(f"/d/{i:04x}.jpg", 10, 10) for i in range(n)]
    return out


def test_hash_split_partitions_and_is_stable() -> None:
    records = _records(400)
    train = list(hash_split(records, 0.25, "train"))
    test = list(hash_split(records, 0.25, "test"))
    train_images = {r.image_path for r in train if isinstance(r, ImageAnnotation)}
    test_images = {r.image_path for r in test if isinstance(r, ImageAnnotation)}
    assert not train_images & test_images and len(train_images) + len(test_images) == 400
    assert 60 <= len(test_images) <= 140
    assert sum(isinstance(r, AnnotationProblem) for r in train) == 1 and all(isinstance(r, ImageAnnotation) for r in test)
    assert in_test_split("/other/root/0001.jpg", 0.25) == in_test_split("/d/0001.jpg", 0.25)  # by file name
    with pytest.raises(ValueError):
        list(hash_split(records, 0.1, "val"))


def test_first_images_caps_images_only() -> None:
    records = _records(10)
    capped = list(first_images(records, 3))
    assert sum(isinstance(r, ImageAnnotation) for r in capped) == 3 and isinstance(capped[0], AnnotationProblem)
    assert len(list(first_images(records, 0))) == 11
