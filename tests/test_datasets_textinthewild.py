"""Text-in-the-wild reader on a small synthetic JSON covering FORMATS §2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from modules.datasets import collect
from modules.datasets.textinthewild import iter_textinthewild
from modules.imageio import write_image

HEX = ["a" * 32, "b" * 32, "c" * 32, "d" * 32]


def _write(root: Path) -> Path:
    for folder, name in [("Book", HEX[0]), ("Signboard", HEX[1]), ("Goods", HEX[3])]:
        write_image(root / folder / f"{name}.jpg", np.zeros((100, 200, 3), np.uint8))
    data = {
        "info": {}, "licenses": [],
        "images": [
            {"id": "00000001", "width": 200, "height": 100, "file_name": f"{HEX[0]}.jpg", "type": "book"},
            {"id": "00000002", "width": 200, "height": 100, "file_name": f"{HEX[1]}.jpg", "type": "signboard"},
            {"id": "00000003", "width": 200, "height": 100, "file_name": f"{HEX[2]}.jpg", "type": "book"},  # missing
            {"id": "00000004", "width": 200, "height": 100, "file_name": f"{HEX[1]}.jpg", "type": "signboard"},  # dup
            {"id": "00000005", "width": 200, "height": 100, "file_name": f"{HEX[3]}.jpg", "type": "goods"},  # chars only
        ],
        "annotations": [
            {"id": "1", "image_id": "00000001", "text": "중앙", "attributes": {"class": "word"}, "bbox": [10, 10, 40, 20]},
            {"id": "2", "image_id": "00000001", "text": "중", "attributes": {"class": "character"}, "bbox": [10, 10, 20, 20]},
            {"id": "3", "image_id": "00000001", "text": None, "attributes": {"class": "ignored"}, "bbox": [60, 10, 40, 20]},
            {"id": "4", "image_id": "00000001", "text": "음수", "attributes": {"class": "word"}, "bbox": [-10, -4, 40, 20]},
            {"id": "5", "image_id": "00000001", "text": "널", "attributes": {"class": "word"}, "bbox": None},
            {"id": "6", "image_id": "00000002", "text": "간판", "attributes": {"class": "word"}, "bbox": [0, 0, 50, 50]},
            {"id": "7", "image_id": "00000002", "text": "box", "attributes": {"class": "word"}, "bbox": [50, 0, 50, 50]},
            {"id": "8", "image_id": "00000004", "text": "간판", "attributes": {"class": "word"}, "bbox": [0, 0, 50, 50]},
            {"id": "9", "image_id": "00000003", "text": "없음", "attributes": {"class": "word"}, "bbox": [0, 0, 50, 50]},
            {"id": "10", "image_id": "99999999", "text": "고아", "attributes": {"class": "word"}, "bbox": [0, 0, 5, 5]},
            {"id": "11", "image_id": "00000005", "text": "가", "attributes": {"class": "character"}, "bbox": [0, 0, 5, 5]},
        ],
    }
    path = root / "textinthewild_data_info.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_reads_words_and_counts_problems(tmp_path: Path) -> None:
    path = _write(tmp_path)
    images, _problems, reasons = collect(iter_textinthewild(path, tmp_path))
    assert [Path(a.image_path).stem for a in images] == [HEX[0], HEX[1]]
    book = images[0]
    assert [w.text for w in book.words] == ["중앙", None, "음수"]
    assert book.words[2].bbox == (0.0, 0.0, 30.0, 16.0)
    assert [w.text for w in images[1].words] == ["간판", "box"]  # the record with more words wins
    assert reasons == {"bbox_missing": 1, "image_missing": 1, "image_duplicate": 1,
                       "annotation_orphan": 1, "no_word_annotations": 1}


def test_truncated_json(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text('{"images": [', encoding="utf-8")
    _images, problems, reasons = collect(iter_textinthewild(path, tmp_path))
    assert reasons == {"json_invalid": 1} and str(path) in str(problems[0])
