"""Readers of real-format scene-text datasets (AIHub outdoor, AIHub text-in-the-wild, TextOCR).

Each reader yields ``modules.data.annotations.ImageAnnotation`` for usable images and
``AnnotationProblem`` (with a short ``reason`` key) for everything skipped; ``collect`` splits them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from modules.data.annotations import AnnotationProblem, ImageAnnotation


def collect(
    records: Iterable[ImageAnnotation | AnnotationProblem],
) -> tuple[list[ImageAnnotation], list[AnnotationProblem], Counter[str]]:
    """Split a reader's output into images, problems and a count of problems by reason."""
    images: list[ImageAnnotation] = []
    problems: list[AnnotationProblem] = []
    for record in records:
        (problems if isinstance(record, AnnotationProblem) else images).append(record)
    return images, problems, Counter(p.reason for p in problems)
