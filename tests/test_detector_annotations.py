"""YOLO annotation lines (docs/FORMATS.md §6) and conversion from ImageAnnotation."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from modules.data.annotations import AnnotationProblem, ImageAnnotation, WordAnnotation
from modules.detector.annotations import (YoloRecord, annotation_to_record, format_line, iter_records, parse_line,
                                          read_yolo_file, write_yolo_file)


def test_line_round_trip_with_hangul_and_space_in_path(tmp_path: Path) -> None:
    record = YoloRecord("data/train_image/간판 가로형간판_000013.jpg", np.array([[412, 230, 932, 370], [980, 260, 1070, 320]]),
                        np.array([0, 1]))
    line = format_line(record)
    assert line == "data/train_image/간판 가로형간판_000013.jpg 412,230,932,370,0 980,260,1070,320,1"
    back = parse_line(line)
    assert back.image_path == record.image_path and back.boxes.tolist() == record.boxes.tolist()
    assert back.classes.tolist() == [0, 1]
    empty = parse_line("data/x.jpg")
    assert empty.boxes.shape == (0, 4) and empty.classes.shape == (0,)
    path = tmp_path / "train.txt"
    assert write_yolo_file(path, [record, empty]) == 2
    problems: Counter[str] = Counter()
    path.write_text(path.read_text(encoding="utf-8") + "data/y.jpg 5,5,1,9,0\n", encoding="utf-8")
    records = read_yolo_file(path, problems)
    assert [r.image_path for r in records] == [record.image_path, "data/x.jpg"]
    assert problems == {"malformed line": 1}


def test_malformed_lines_raise() -> None:
    for line in ("", "img.jpg 1,2,3,4", "img.jpg 1,2,3,4,0 nonsense 5,6,7,8,0", "img.jpg 10,2,3,4,0"):
        with pytest.raises(ValueError):
            parse_line(line)


def test_conversion_clamps_drops_and_counts(tmp_path: Path) -> None:
    words = (
        WordAnnotation("행복약국", (10, 20, 100, 30)),  # fine
        WordAnnotation(None, (200, 50, 40, 20)),  # illegible -> don't-care
        WordAnnotation("sale", (-20, 100, 60, 30)),  # runs past the left edge -> clamped
        WordAnnotation("off", (700, 10, 50, 20)),  # entirely outside a 640 wide image
        WordAnnotation("dot", (30, 300, 1, 1)),  # too small
        WordAnnotation("nan", (float("nan"), 0, 5, 5)),  # invalid
    )
    annotation = ImageAnnotation("img.jpg", 640, 480, words)
    reasons: Counter[str] = Counter()
    record = annotation_to_record(annotation, reasons)
    assert record.boxes.tolist() == [[10, 20, 110, 50], [200, 50, 240, 70], [0, 100, 40, 130]]
    assert record.classes.tolist() == [0, 1, 0]
    assert reasons == {"text boxes": 2, "don't-care boxes": 1, "box clamped": 1, "box outside image": 1,
                       "box too small": 1, "invalid box": 1}


def test_iter_records_skips_problems_and_missing_images(tmp_path: Path) -> None:
    image = tmp_path / "a.jpg"
    image.write_bytes(b"jpeg bytes are not checked here")
    stream = [AnnotationProblem("x.json", "bbox_missing"), ImageAnnotation(str(image), 100, 50, ()),
              ImageAnnotation(str(tmp_path / "missing.jpg"), 100, 50, ())]
    reasons: Counter[str] = Counter()
    records = list(iter_records(stream, reasons))
    assert [r.image_path for r in records] == [str(image)]
    assert reasons == {"reader: bbox_missing": 1, "images": 1, "skipped: missing image": 1}


def test_iter_records_counts_flags_apart_and_collects_every_problem(tmp_path: Path) -> None:
    image = tmp_path / "a.jpg"
    image.write_bytes(b"jpeg bytes are not checked here")
    stream = [AnnotationProblem("t.json", "polygon_fallback", "points=[1, 2]", "annotation a_1", kept=True),
              AnnotationProblem("w.json", "character_box", "word boxes used", "image 1", count=40),
              ImageAnnotation(str(image), 100, 50, (WordAnnotation("글", (1, 1, 20, 10)),)),
              ImageAnnotation(str(tmp_path / "missing.jpg"), 100, 50, (), source="m.json"),
              ImageAnnotation(str(image), 0, 0, ())]
    reasons: Counter[str] = Counter()
    problems: list[AnnotationProblem] = []
    records = list(iter_records(stream, reasons, problems))
    assert [r.image_path for r in records] == [str(image)]
    assert reasons == {"flagged: polygon_fallback": 1, "reader: character_box": 40, "images": 1, "text boxes": 1,
                       "skipped: missing image": 1, "skipped: unknown image size": 1}
    assert [(p.source, p.reason, p.kept) for p in problems] == [
        ("t.json", "polygon_fallback", True), ("w.json", "character_box", False),
        (str(tmp_path / "missing.jpg"), "image_missing", False), (str(image), "image_size_unknown", False)]
