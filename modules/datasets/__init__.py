"""Readers of real-format scene-text datasets (AIHub outdoor, AIHub text-in-the-wild, TextOCR).

Each reader yields ``modules.data.annotations.ImageAnnotation`` for usable images and
``AnnotationProblem`` (with a short ``reason`` key) for everything skipped or flagged (``kept``);
``collect`` splits them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from modules.data.annotations import AnnotationProblem, ImageAnnotation


def collect(
    records: Iterable[ImageAnnotation | AnnotationProblem],
) -> tuple[list[ImageAnnotation], list[AnnotationProblem], Counter[str]]:
    """Split a reader's output into images, problems (flags of kept records included) and the number of
    records per reason (a problem counts ``problem.count`` records)."""
    images: list[ImageAnnotation] = []
    problems: list[AnnotationProblem] = []
    for record in records:
        (problems if isinstance(record, AnnotationProblem) else images).append(record)
    reasons: Counter[str] = Counter()
    for problem in problems:
        reasons[problem.reason] += problem.count
    return images, problems, reasons
