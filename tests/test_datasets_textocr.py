"""TextOCR reader: image lookup, full Unicode text, polygons and their fallbacks (docs/FORMATS.md §3)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from modules.datasets import collect
from modules.datasets.textocr import iter_textocr, polygon_to_quad
from modules.imageio import write_image


def _write(root: Path) -> Path:
    write_image(root / "train_images" / "img1.jpg", np.zeros((100, 200, 3), np.uint8))
    write_image(root / "train" / "img2.jpg", np.zeros((100, 200, 3), np.uint8))
    write_image(root / "img3.jpg", np.zeros((100, 200, 3), np.uint8))
    imgs = {i: {"id": i, "width": 200, "height": 100, "set": "train", "file_name": f"train/{i}.jpg"}
            for i in ("img1", "img2", "img3", "img4")}
    anns = {
        "img1_1": {"id": "img1_1", "image_id": "img1", "bbox": [10.5, 10, 50, 20], "utf8_string": "Café",
                   "points": [10.5, 10, 60.5, 12, 60.5, 30, 10.5, 30], "area": 1000},
        "img1_2": {"id": "img1_2", "image_id": "img1", "bbox": [70, 10, 20, 20], "utf8_string": ".",
                   "points": [70, 10, 90, 10, 90, 30, 70, 30], "area": 400},
        "img1_3": {"id": "img1_3", "image_id": "img1", "bbox": [100, 50, 40, 20], "utf8_string": "서울",
                   "points": [100, 50, 140, 70, 140, 50, 100, 70], "area": 800},  # self-intersecting
        "img1_4": {"id": "img1_4", "image_id": "img1", "bbox": [0, 0, -3, 5], "utf8_string": "bad",
                   "points": [1, 2, 3], "area": 0},
        "img2_1": {"id": "img2_1", "image_id": "img2", "bbox": [150, 80, 80, 40], "utf8_string": "edge",
                   "points": [150, 80, 230, 80, 230, 120, 150, 120], "area": 3200},
        "img3_7": {"id": "img3_7", "image_id": "img3", "bbox": [1, 1, 5, 5], "utf8_string": "lost",
                   "points": [], "area": 25},  # in anns, but imgToAnns["img3"] does not list it
    }
    data = {"imgs": imgs, "anns": anns,
            "imgToAnns": {"img1": ["img1_1", "img1_2", "img1_3", "img1_4"], "img2": ["img2_1", "img2_9"], "img3": []}}
    path = root / "TextOCR_0.1_train.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_reads_images_words_and_problems(tmp_path: Path) -> None:
    images, _problems, reasons = collect(iter_textocr(_write(tmp_path), tmp_path))
    assert [Path(a.image_path).relative_to(tmp_path).as_posix() for a in images] == [
        "train_images/img1.jpg", "train/img2.jpg", "img3.jpg"]
    words = images[0].words
    assert [w.text for w in words] == ["Café", None, "서울"]
    assert words[0].quad == ((10.5, 10.0), (60.5, 12.0), (60.5, 30.0), (10.5, 30.0))
    assert words[2].quad is None and words[2].bbox == (100.0, 50.0, 40.0, 20.0)
    edge = images[1].words[0]
    assert edge.bbox == (150.0, 80.0, 50.0, 20.0)
    assert max(x for x, _ in edge.quad) == 200.0 and max(y for _, y in edge.quad) == 100.0
    assert images[2].words == ()
    # the self-intersecting polygon of img1_3 fell back to its bbox: kept, and counted as a flag
    assert reasons == {"image_missing": 1, "bbox_degenerate": 1, "annotation_missing": 1, "polygon_fallback": 1,
                       "annotation_unlisted": 1}
    flags = [p for p in _problems if p.kept]
    assert [(p.reason, p.annotation) for p in flags] == [("polygon_fallback", "annotation img1_3")]
    assert [(p.reason, p.annotation) for p in _problems if not p.kept] == [
        ("annotation_unlisted", "annotation img3_7"), ("bbox_degenerate", "annotation img1_4"), ("annotation_missing", "annotation img2_9"),
        ("image_missing", "image img4")]


def test_file_name_escaping_the_image_root_is_refused_and_counted(tmp_path: Path) -> None:
    root = tmp_path / "textocr"
    write_image(root / "train_images" / "ok.jpg", np.zeros((20, 20, 3), np.uint8))
    outside = tmp_path / "secret.jpg"
    write_image(outside, np.zeros((20, 20, 3), np.uint8))
    write_image(root / "train_images" / "secret.jpg", np.zeros((20, 20, 3), np.uint8))  # a basename fallback bait
    names = {"ok": "train/ok.jpg", "up": "../secret.jpg", "deep": "train/../../secret.jpg", "abs": str(outside),
             "win": "C:\\data\\secret.jpg", "back": "..\\secret.jpg"}
    imgs = {i: {"id": i, "width": 20, "height": 20, "file_name": name} for i, name in names.items()}
    path = root / "TextOCR_0.1_train.json"
    path.write_text(json.dumps({"imgs": imgs, "anns": {}, "imgToAnns": {}}), encoding="utf-8")
    images, problems, reasons = collect(iter_textocr(path, root))
    assert [Path(a.image_path).name for a in images] == ["ok.jpg"]
    assert reasons == {"file_name_unsafe": 5}
    assert [p.annotation for p in problems] == ["image up", "image deep", "image abs", "image win", "image back"]
    assert all(str(path) == p.source and "leads outside" in p.detail for p in problems)


def test_test_json_without_annotations(tmp_path: Path) -> None:
    write_image(tmp_path / "train_images" / "t1.jpg", np.zeros((10, 10, 3), np.uint8))
    path = tmp_path / "TextOCR_0.1_test.json"
    path.write_text(json.dumps({"imgs": {"t1": {"id": "t1", "width": 10, "height": 10, "file_name": "test/t1.jpg"}},
                                "anns": {}, "imgToAnns": {}}), encoding="utf-8")
    images, _problems, reasons = collect(iter_textocr(path, tmp_path))
    assert len(images) == 1 and images[0].words == () and not reasons


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([0, 0, 10, 0, 10, 5, 0, 5], ((0, 0), (10, 0), (10, 5), (0, 5))),
        ([0, 0, 0, 5, 10, 5, 10, 0], ((0, 0), (10, 0), (10, 5), (0, 5))),  # counter-clockwise
        ([0, 0, 5, -1, 10, 0, 10, 5, 5, 6, 0, 5], ((0, 0), (10, 0), (10, 5), (0, 5))),  # curved, 6 points
        ([0, 0, 10, 0, 0, 5, 10, 5], None),  # bow tie
        ([0, 0, 10, 0, 20, 0, 30, 0], None),  # no area
        ([0, 0, 10, 0, 10, 5], None),  # triangle
        ([0, 0, 10, "x", 10, 5, 0, 5], None),
    ],
)
def test_polygon_to_quad(points: list, expected: tuple | None) -> None:
    quad = polygon_to_quad(points)
    assert quad == (None if expected is None else tuple((float(x), float(y)) for x, y in expected))
