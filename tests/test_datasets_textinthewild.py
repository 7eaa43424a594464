"""Text-in-the-wild reader on a small synthetic JSON covering docs/FORMATS.md §2."""

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
            {"id": "00000001", "width": 200, "height": 100, "file_name": f"{HEX[3]}.jpg", "type": "book"},  # id again
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
    images, problems, reasons = collect(iter_textinthewild(path, tmp_path))
    assert [Path(a.image_path).stem for a in images] == [HEX[0], HEX[1]]
    book = images[0]
    assert [w.text for w in book.words] == ["중앙", None, "음수"]
    assert book.words[2].bbox == (0.0, 0.0, 30.0, 16.0)
    # HEX[1] is listed under ids 2 and 4: one image with the words of both ids; the box "간판" [0, 0, 50, 50]
    # that both ids list is kept once (word_duplicate)
    assert [w.text for w in images[1].words] == ["간판", "box"]
    assert reasons == {"bbox_missing": 1, "image_missing": 1, "image_shared": 1, "word_duplicate": 1,
                       "annotation_orphan": 1, "no_word_annotations": 1, "character_box": 2, "image_id_duplicate": 1}
    assert next(p for p in problems if p.reason == "image_id_duplicate").annotation == "image record 6"
    shared = next(p for p in problems if p.reason == "image_shared")
    assert shared.kept and shared.annotation == "image 00000002, 00000004" and shared.source == str(path)
    assert [(p.annotation, p.count) for p in problems if p.reason == "character_box"] == [
        ("image 00000001", 1), ("image 00000005", 1)]
    assert not any(p.kept for p in problems if p.reason != "image_shared")


def test_one_file_under_two_ids_keeps_every_ids_words(tmp_path: Path) -> None:
    write_image(tmp_path / "Signboard" / f"{HEX[0]}.jpg", np.zeros((100, 200, 3), np.uint8))
    images = [{"id": "00000007", "width": 200, "height": 100, "file_name": f"{HEX[0]}.jpg"},
              {"id": "00000008", "width": 200, "height": 100, "file_name": f"{HEX[0]}.jpg"}]
    word = {"attributes": {"class": "word"}}
    anns = [{"id": "1", "image_id": "00000007", "text": "약국", "bbox": [0, 0, 40, 20], **word},
            {"id": "2", "image_id": "00000008", "text": "병원", "bbox": [50, 0, 40, 20], **word},
            {"id": "3", "image_id": "00000008", "text": "식당", "bbox": [100, 0, 40, 20], **word},
            {"id": "4", "image_id": "00000008", "text": "가", "bbox": [100, 0, 20, 20], "attributes": {"class": "character"}},
            {"id": "5", "image_id": "00000008", "text": "나", "bbox": [120, 0, 20, 20], "attributes": {"class": "character"}}]
    path = tmp_path / "info.json"
    path.write_text(json.dumps({"images": images, "annotations": anns}, ensure_ascii=False), encoding="utf-8")
    found, problems, reasons = collect(iter_textinthewild(path, tmp_path))
    assert len(found) == 1 and [w.text for w in found[0].words] == ["약국", "병원", "식당"]
    assert reasons == {"image_shared": 1, "character_box": 2}
    assert [str(p) for p in problems] == [
        f"{path}#image 00000007, 00000008: character_box (recognition and detection use the word boxes) x2",
        f"{path}#image 00000007, 00000008: image_shared ({HEX[0]}.jpg is listed under 2 ids: the words of every id "
        "are kept) [kept]"]


def test_empty_json_says_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(" \n", encoding="utf-8")
    _images, problems, reasons = collect(iter_textinthewild(path, tmp_path))
    assert reasons == {"json_invalid": 1} and str(problems[0]) == f"{path}: json_invalid (empty file)"


def test_truncated_json(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text('{"images": [', encoding="utf-8")
    _images, problems, reasons = collect(iter_textinthewild(path, tmp_path))
    assert reasons == {"json_invalid": 1} and str(path) in str(problems[0])
