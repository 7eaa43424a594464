"""YOLO annotation lines (docs/FORMATS.md §6) and conversion from ``ImageAnnotation``.

A line is ``<image path> x1,y1,x2,y2,class x1,y1,x2,y2,class ...`` with integer pixels; class 0 = text,
1 = don't-care (an illegible word: neither rewarded nor penalised). The reader takes box fields from the
end of the line, so image paths holding spaces survive (the seed's keras reader split on spaces).
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from modules.data.annotations import AnnotationProblem, ImageAnnotation
from modules.imageio import write_bytes_atomic

TEXT, DONTCARE = 0, 1
_BOX = re.compile(r"^-?\d+,-?\d+,-?\d+,-?\d+,\d+$")
_BOX_LIKE = re.compile(r"^[-\d.]*,[-\d.,]*$")  # numbers and commas: a broken box, not part of a path


@dataclass(frozen=True)
class YoloRecord:
    """One image: ``boxes`` ``(N, 4)`` int64 xyxy original pixels, ``classes`` ``(N,)`` int64."""

    image_path: str
    boxes: np.ndarray
    classes: np.ndarray

    @property
    def num_text(self) -> int:
        return int((self.classes == TEXT).sum())


def format_line(record: YoloRecord) -> str:
    """``YoloRecord`` -> one annotation line without the newline."""
    if "\n" in record.image_path or "\t" in record.image_path:
        raise ValueError(f"image path holds a tab or newline: {record.image_path!r}")
    fields = [f"{x1},{y1},{x2},{y2},{c}" for (x1, y1, x2, y2), c in zip(record.boxes.tolist(), record.classes.tolist())]
    return " ".join([record.image_path, *fields])


def parse_line(line: str) -> YoloRecord:
    """One annotation line -> ``YoloRecord``; raises ``ValueError`` for a malformed line."""
    tokens = line.rstrip("\r\n").split(" ")
    end = len(tokens)
    while end > 1 and _BOX.match(tokens[end - 1]):
        end -= 1
    path = " ".join(tokens[:end]).strip()
    if not path:
        raise ValueError("no image path")
    if any(_BOX_LIKE.match(t) for t in tokens[1:end]):
        raise ValueError("malformed box field")
    if any(t and not _BOX.match(t) for t in tokens[end:]):
        raise ValueError("malformed box field")
    values = [list(map(int, t.split(","))) for t in tokens[end:] if t]
    array = np.array(values, dtype=np.int64).reshape(-1, 5)
    if ((array[:, 2] <= array[:, 0]) | (array[:, 3] <= array[:, 1])).any():
        raise ValueError("box with x2 <= x1 or y2 <= y1")
    return YoloRecord(path, array[:, :4].copy(), array[:, 4].copy())


def read_yolo_file(path: str | os.PathLike[str], problems: Counter[str] | None = None) -> list[YoloRecord]:
    """Read an annotation file; malformed lines are skipped, printed with their line number and counted."""
    records = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(parse_line(line))
        except ValueError as error:
            print(f"{path}:{number}: skipped ({error})")
            if problems is not None:
                problems["malformed line"] += 1
    return records


def write_yolo_file(path: str | os.PathLike[str], records: Iterable[YoloRecord]) -> int:
    """Write records atomically (temporary file + rename); returns the number of lines."""
    lines = [format_line(r) for r in records]
    write_bytes_atomic(path, ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"))
    return len(lines)


def annotation_to_record(annotation: ImageAnnotation, reasons: Counter[str], min_size: int = 2) -> YoloRecord:
    """Convert one ``ImageAnnotation``: clamp boxes to the image, drop invalid ones, count by reason.

    Reasons counted in ``reasons``: ``invalid box`` (missing / non-finite numbers), ``box outside image``,
    ``box too small`` (under ``min_size`` px after clamping; dropped), ``box clamped`` (kept);
    ``text boxes`` / ``don't-care boxes`` count what was kept. Illegible words become class 1.
    """
    boxes, classes = [], []
    for word in annotation.words:
        try:
            x1, y1, x2, y2 = (float(v) for v in word.xyxy)
        except (TypeError, ValueError):
            reasons["invalid box"] += 1
            continue
        if not all(math.isfinite(v) for v in (x1, y1, x2, y2)) or x2 <= x1 or y2 <= y1:
            reasons["invalid box"] += 1
            continue
        cx1, cy1 = min(max(x1, 0.0), annotation.width), min(max(y1, 0.0), annotation.height)
        cx2, cy2 = min(max(x2, 0.0), annotation.width), min(max(y2, 0.0), annotation.height)
        if cx2 <= cx1 or cy2 <= cy1:
            reasons["box outside image"] += 1
            continue
        box = [round(cx1), round(cy1), round(cx2), round(cy2)]
        if box[2] - box[0] < min_size or box[3] - box[1] < min_size:
            reasons["box too small"] += 1
            continue
        if (cx1, cy1, cx2, cy2) != (x1, y1, x2, y2):
            reasons["box clamped"] += 1
        boxes.append(box)
        classes.append(DONTCARE if word.illegible else TEXT)
        reasons["don't-care boxes" if word.illegible else "text boxes"] += 1
    return YoloRecord(annotation.image_path, np.array(boxes, dtype=np.int64).reshape(-1, 4),
                      np.array(classes, dtype=np.int64))


def iter_records(annotations: Iterable[object], reasons: Counter[str],
                 problems: list[AnnotationProblem] | None = None) -> Iterator[YoloRecord]:
    """Convert a reader's stream (``ImageAnnotation`` | ``AnnotationProblem``), counting problems by reason
    (``reader: <reason>``; a kept record's flag as ``flagged: <reason>``) and skipping images whose file is
    missing or whose size is unknown. ``problems``, when given, receives every reader problem and skipped
    image as an ``AnnotationProblem`` (for a table of problems)."""
    for item in annotations:
        if isinstance(item, AnnotationProblem):
            reasons[f"{'flagged' if item.kept else 'reader'}: {item.reason}"] += item.count
            if problems is not None:
                problems.append(item)
            continue
        if not isinstance(item, ImageAnnotation):
            reasons[f"reader: {type(item).__name__}"] += 1
            print(item)
            continue
        if not Path(item.image_path).is_file():
            reasons["skipped: missing image"] += 1
            print(f"{item.source or item.image_path}: missing image {item.image_path}")
            if problems is not None:
                problems.append(AnnotationProblem(item.image_path, "image_missing", f"listed by {item.source}"))
            continue
        if item.width <= 0 or item.height <= 0:
            reasons["skipped: unknown image size"] += 1
            if problems is not None:
                problems.append(AnnotationProblem(item.image_path, "image_size_unknown", f"{item.width}x{item.height}"))
            continue
        record = annotation_to_record(item, reasons)
        reasons["images"] += 1
        yield record
