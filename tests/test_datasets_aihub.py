"""AIHub outdoor reader on small synthetic folders covering the dirty cases of docs/FORMATS.md §1."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from modules.data.annotations import AnnotationProblem, ImageAnnotation
from modules.datasets import collect
from modules.datasets.aihub import iter_aihub_outdoor
from modules.imageio import write_image


def _label(path: Path, file_name: str, anns: list, meta=None, width=200, height=100) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "info": {"name": path.stem},
        "images": [{"id": 1, "width": width, "height": height, "file_name": file_name}],
        "annotations": anns,
        "metadata": meta if meta is not None else [{"subclass": "가로형간판", "wordorientation": "가로"}],
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _image(path: Path, width=200, height=100) -> None:
    write_image(path, np.full((height, width, 3), 128, np.uint8))


@pytest.fixture()
def aihub(tmp_path: Path) -> tuple[Path, Path]:
    labels = tmp_path / "[라벨]Training" / "1.간판" / "1.가로형간판"
    images = tmp_path / "[원천]Training_간판_가로형간판_원천데이터1"
    _label(labels / "간판_가로형간판_000001.json", "간판_가로형간판_000001.jpg", [
        {"id": 1, "text": "행복약국", "bbox": [10, 10, 50, 30]},
        {"id": 2, "text": "xxx", "bbox": [70, 10, 20, 20]},
        {"id": 3, "text": "Box", "bbox": [-5, -5, 30, 30]},          # negative: clamped
        {"id": 4, "text": "past", "bbox": [180, 80, 50, 50]},        # past the image: clamped
        {"id": 5, "text": "null", "bbox": [None, None, None, None]},
        {"id": 6, "text": "short", "bbox": [1, 2, 3]},
        {"id": 7, "text": "zero", "bbox": [10, 10, 0, 5]},
        {"id": 8, "text": "outside", "bbox": [500, 500, 10, 10]},
        {"id": 9, "text": unicodedata.normalize("NFD", "한글"), "bbox": [100, 40, 40, 20]},
        {"id": 10, "text": "ㅎㅎ", "bbox": [100, 60, 40, 20]},
        {"id": 11, "text": "taxi", "bbox": [20, 60, 40, 20]},
    ])
    _image(images / "간판_가로형간판_000001.JPG")
    # same number, other subclass: must stay a different image
    _label(labels / "간판_돌출간판_000001.json", "간판_돌출간판_000001.jpg", [{"id": 1, "text": "약", "bbox": [0, 0, 10, 10]}])
    _image(images / "sub" / "간판_돌출간판_000001.JPEG")
    # vertical words (metadata as a plain dict)
    _label(labels / "간판_세로형간판_000002.json", "간판_세로형간판_000002.jpg",
           [{"id": 1, "text": "세로", "bbox": [0, 0, 10, 40]}], meta={"wordorientation": "세로"})
    _image(images / "간판_세로형간판_000002.png")
    # label without image, image without label, truncated JSON, missing keys
    _label(labels / "간판_가로형간판_000003.json", "간판_가로형간판_000003.jpg", [])
    _image(images / "간판_가로형간판_000004.jpg")
    (labels / "간판_가로형간판_000005.json").write_text('{"images": [{"id": 1,', encoding="utf-8")
    _image(images / "간판_가로형간판_000005.jpg")
    (labels / "간판_가로형간판_000006.json").write_text('{"info": {}}', encoding="utf-8")
    # NFD file name on disk (macOS copy) must still pair with an NFC label name
    nfd = unicodedata.normalize("NFD", "간판_현수막_000007")
    _label(labels / "간판_현수막_000007.json", "간판_현수막_000007.jpg", [{"id": 1, "text": "현수막", "bbox": [0, 0, 30, 10]}])
    _image(images / f"{nfd}.jpg")
    return labels.parents[1], images


def test_reads_every_case(aihub: tuple[Path, Path]) -> None:
    label_dir, image_dir = aihub
    images, problems, reasons = collect(iter_aihub_outdoor(label_dir, image_dir))
    by_stem = {unicodedata.normalize("NFC", Path(a.image_path).stem): a for a in images}
    assert set(by_stem) == {"간판_가로형간판_000001", "간판_돌출간판_000001", "간판_세로형간판_000002", "간판_현수막_000007"}
    first = by_stem["간판_가로형간판_000001"]
    assert (first.width, first.height) == (200, 100)
    texts = [w.text for w in first.words]
    assert texts == ["행복약국", None, "Box", "past", "한글", "ㅎㅎ", "taxi"]
    assert first.words[2].bbox == (0.0, 0.0, 25.0, 25.0)
    assert first.words[3].bbox == (180.0, 80.0, 20.0, 20.0)
    assert all(not w.vertical for w in first.words)
    assert by_stem["간판_세로형간판_000002"].words[0].vertical
    assert reasons == {
        "bbox_missing": 1, "bbox_malformed": 1, "bbox_degenerate": 1, "bbox_outside": 1,
        "image_missing": 1, "label_missing": 1, "json_invalid": 1, "json_schema": 1,
    }
    missing_label = next(p for p in problems if p.reason == "label_missing")
    assert missing_label.source.endswith("간판_가로형간판_000004.jpg")


def test_clamped_boxes_stay_inside(aihub: tuple[Path, Path]) -> None:
    for record in iter_aihub_outdoor(*aihub):
        if isinstance(record, ImageAnnotation):
            for word in record.words:
                x0, y0, x1, y1 = word.xyxy
                assert 0 <= x0 < x1 <= record.width and 0 <= y0 < y1 <= record.height


def test_missing_label_dir_is_a_problem(tmp_path: Path) -> None:
    records = list(iter_aihub_outdoor(tmp_path / "nope", tmp_path))
    assert len(records) == 1 and isinstance(records[0], AnnotationProblem)
    assert records[0].reason == "label_dir_missing"


def test_size_from_image_when_json_lacks_it(tmp_path: Path) -> None:
    _label(tmp_path / "l" / "a.json", "a.jpg", [{"id": 1, "text": "A", "bbox": [0, 0, 500, 500]}], width=None, height=0)
    _image(tmp_path / "i" / "a.jpg", width=64, height=32)
    images, _problems, reasons = collect(iter_aihub_outdoor(tmp_path / "l", tmp_path / "i"))
    assert not reasons
    assert (images[0].width, images[0].height) == (64, 32)
    assert images[0].words[0].bbox == (0.0, 0.0, 64.0, 32.0)
