"""Helpers shared by the dataset readers: JSON loading, image sizes, box validation and clamping (finding
the files: ``modules.datasets.files``).

Boxes are ``(x, y, w, h)`` floats in original-image pixels, origin top-left. Problems are reported as
short reason keys so callers can count them:

``json_invalid``, ``json_schema``, ``image_missing``, ``label_missing``, ``image_unreadable``,
``bbox_missing`` (no bbox / null values), ``bbox_malformed`` (not four finite numbers),
``bbox_degenerate`` (width or height <= 0), ``bbox_outside`` (nothing left after clamping to the image).
A problem names the file (``source``) and, when it is one record of the file, the record
(``annotation``: ``"annotation 7"``, ``"image 00000002"``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from modules.data.annotations import AnnotationProblem

IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
MIN_SIDE = 1.0  # a clamped box must keep at least this many pixels per side


def load_json(path: Path) -> Any | AnnotationProblem:
    """Parsed JSON of ``path`` or an ``AnnotationProblem`` (``json_invalid``) naming the file; an empty
    (or blank) file says ``empty file``."""
    try:
        with path.open("r", encoding="utf-8-sig") as handle:
            text = handle.read()
        if not text.strip():
            return AnnotationProblem(str(path), "json_invalid", "empty file")
        return json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return AnnotationProblem(str(path), "json_invalid", str(error)[:200])


def image_size(path: Path) -> tuple[int, int] | None:
    """``(width, height)`` from the image header (no full decode), or None when unreadable."""
    try:
        with Image.open(path) as image:
            return int(image.width), int(image.height)
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def positive_int(value: Any) -> int | None:
    """``value`` as a positive int, or None for anything else (null, strings, bools, <= 0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or value <= 0:
        return None
    return int(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def image_dimensions(record: dict[str, Any], path: Path) -> tuple[int, int] | AnnotationProblem:
    """``(width, height)`` from an image record, else from the image header; a problem when neither works."""
    width, height = positive_int(record.get("width")), positive_int(record.get("height"))
    if width is not None and height is not None:
        return width, height
    size = image_size(path)
    if size is None:
        return AnnotationProblem(str(path), "image_unreadable", "cannot read the image header")
    return size


def parse_bbox(raw: Any, width: int | None, height: int | None) -> tuple[float, float, float, float] | str:
    """Validate an ``[x, y, w, h]`` box and clamp it to the image; returns the box or a reason key.

    Negative coordinates and boxes running past the image are clamped (the visible part is kept).
    ``width`` / ``height`` may be None when unknown (then only the top-left is clamped).
    """
    if raw is None:
        return "bbox_missing"
    if not isinstance(raw, (list, tuple)) or len(raw) != 4:
        return "bbox_malformed"
    if any(v is None for v in raw):
        return "bbox_missing"
    values = [_number(v) for v in raw]
    if any(v is None for v in values):
        return "bbox_malformed"
    x, y, w, h = values  # type: ignore[misc]
    if w <= 0 or h <= 0:
        return "bbox_degenerate"
    x0, y0 = max(0.0, x), max(0.0, y)
    x1 = x + w if width is None else min(float(width), x + w)
    y1 = y + h if height is None else min(float(height), y + h)
    if x1 - x0 < MIN_SIDE or y1 - y0 < MIN_SIDE:
        return "bbox_outside"
    return (x0, y0, x1 - x0, y1 - y0)


def clamp_points(
    points: Iterable[tuple[float, float]], width: int | None, height: int | None
) -> tuple[tuple[float, float], ...]:
    """Clamp polygon corners into the image ``[0, width] x [0, height]``."""
    w = math.inf if width is None else float(width)
    h = math.inf if height is None else float(height)
    return tuple((min(max(0.0, x), w), min(max(0.0, y), h)) for x, y in points)
