"""The problems table of 01 / crnn_preprocess / yolo_preprocess: rows, grouping by reason, CSV round trip."""

from __future__ import annotations

from pathlib import Path

from modules.data.annotations import AnnotationProblem
from modules.data.problems import COLUMNS, problems_by_reason, problems_frame, read_problems_csv, write_problems_csv


def _problems() -> dict[str, list[AnnotationProblem]]:
    return {
        "train": [AnnotationProblem("lbl/a.json", "bbox_missing", "bbox=None", "annotation 7"),
                  AnnotationProblem("img/b.jpg", "image_unreadable", "cannot decode (3 words lost)", count=3),
                  AnnotationProblem("info.json", "character_box", "word boxes used", "image 0001", count=40),
                  AnnotationProblem("lbl/c.json", "bbox_missing", "bbox=[None]", "annotation 2"),
                  AnnotationProblem("info.json", "image_shared", "2 ids", "image 0001, 0002", kept=True)],
        "test": [AnnotationProblem("lbl/empty.json", "json_invalid", "empty file"),
                 AnnotationProblem("img/d.jpg", "image_unreadable", "cannot decode", count=1)],
    }


def test_one_row_per_problem_with_file_annotation_reason_detail() -> None:
    frame = problems_frame(_problems())
    assert tuple(frame.columns) == COLUMNS and len(frame) == 7
    assert frame.iloc[0].to_dict() == {"split": "train", "file": "lbl/a.json", "annotation": "annotation 7",
                                       "reason": "bbox_missing", "detail": "bbox=None", "count": 1, "kept": False}
    assert frame.iloc[5].to_dict() == {"split": "test", "file": "lbl/empty.json", "annotation": "",
                                       "reason": "json_invalid", "detail": "empty file", "count": 1, "kept": False}


def test_grouped_by_reason_per_split_with_counts() -> None:
    table = problems_by_reason(problems_frame(_problems()))
    assert list(table.columns) == ["train", "test", "total"]
    assert table.to_dict("index") == {
        (False, "bbox_missing"): {"train": 2, "test": 0, "total": 2},
        (False, "character_box"): {"train": 40, "test": 0, "total": 40},
        (False, "image_unreadable"): {"train": 3, "test": 1, "total": 4},
        (False, "json_invalid"): {"train": 0, "test": 1, "total": 1},
        (True, "image_shared"): {"train": 1, "test": 0, "total": 1},
    }


def test_empty_input_gives_empty_tables() -> None:
    frame = problems_frame({"train": [], "test": []})
    assert frame.empty and tuple(frame.columns) == COLUMNS
    assert problems_by_reason(frame).empty


def test_csv_round_trip_keeps_hangul_and_empty_cells(tmp_path: Path) -> None:
    problems = _problems()
    problems["train"].append(AnnotationProblem("라벨/간판_000001.json", "bbox_outside", "쉼표, \"따옴표\"", "annotation 1"))
    frame = problems_frame(problems)
    path = write_problems_csv(frame, tmp_path / "out" / "gt_problems.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and not list(path.parent.glob(".*tmp"))
    back = read_problems_csv(path)
    assert back.to_dict("records") == frame.to_dict("records")
    write_problems_csv(problems_frame({}), path)
    assert read_problems_csv(path).empty
