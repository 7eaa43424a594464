"""Reader for TextOCR (``TextOCR_0.1_{train,val,test}.json``; docs/FORMATS.md §3).

``file_name`` says ``train/<id>.jpg`` while the real download unpacks images to
``train_images/<id>.jpg``, so an image is looked up as ``image_root/file_name``, then
``image_root/train_images/<basename>`` (``test_images`` for the test set), then ``image_root/<basename>``. Text is kept in full Unicode
(NFC); ``.`` marks an illegible word. Polygons become a four-corner ``quad`` in reading order
(top-left, top-right, bottom-right, bottom-left); invalid polygons leave ``quad=None`` (use the bbox).
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from modules.data.annotations import AnnotationProblem, ImageAnnotation, WordAnnotation
from modules.datasets.common import (
    clamp_points,
    image_dimensions,
    load_json,
    parse_bbox,
)
from modules.text.normalize import nfc

ILLEGIBLE = "."
IMAGE_SUBDIRS = ("train_images", "test_images")


def _signed_area(points: Sequence[tuple[float, float]]) -> float:
    """Shoelace area; positive for TL -> TR -> BR -> BL in image (y-down) coordinates."""
    n = len(points)
    return 0.5 * sum(points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1] for i in range(n))


def _is_convex(points: Sequence[tuple[float, float]]) -> bool:
    signs = set()
    n = len(points)
    for i in range(n):
        (x0, y0), (x1, y1), (x2, y2) = points[i], points[(i + 1) % n], points[(i + 2) % n]
        cross = (x1 - x0) * (y2 - y1) - (y1 - y0) * (x2 - x1)
        if abs(cross) > 1e-9:
            signs.add(cross > 0)
    return len(signs) == 1


def polygon_to_quad(raw: Any) -> tuple[tuple[float, float], ...] | None:
    """Four corners (TL, TR, BR, BL) from TextOCR ``points`` ``[x1, y1, ..., xN, yN]``, or None if invalid.

    Polygons with more than four points (curved words) run along the top edge left to right and back
    along the bottom edge, so the corners are the first, the last of the top half, the first of the
    bottom half and the last point. Self-intersecting, non-convex or < 1 px² quads are invalid.
    """
    if not isinstance(raw, (list, tuple)) or len(raw) < 8 or len(raw) % 2:
        return None
    values = []
    for v in raw:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            return None
        values.append(float(v))
    points = list(zip(values[0::2], values[1::2]))
    n = len(points)
    if n > 4:
        if n % 2:
            return None
        points = [points[0], points[n // 2 - 1], points[n // 2], points[-1]]
    area = _signed_area(points)
    if area < 0:  # counter-clockwise: keep the first corner, reverse the walk
        points = [points[0], points[3], points[2], points[1]]
        area = -area
    if area < 1.0 or not _is_convex(points):
        return None
    return tuple(points)


def escapes_root(file_name: str) -> bool:
    """True when ``file_name`` could lead outside the image root: an absolute path, a drive letter or a
    ``..`` part (checked lexically, ``\\`` read as ``/``)."""
    name = file_name.replace("\\", "/")
    return name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in name.split("/")


def resolve_image(image_root: Path, file_name: str) -> Path | None:
    """The image of ``file_name`` under ``image_root`` (see the module docstring), or None."""
    relative = Path(file_name.replace("\\", "/"))
    candidates = [image_root / relative, *(image_root / d / relative.name for d in IMAGE_SUBDIRS), image_root / relative.name]
    return next((c for c in candidates if c.is_file()), None)


def iter_textocr(
    json_path: str | os.PathLike[str], image_root: str | os.PathLike[str]
) -> Iterator[ImageAnnotation | AnnotationProblem]:
    """Yield an ``ImageAnnotation`` per image found and an ``AnnotationProblem`` per skip.

    Images of the test JSON have no annotations and are yielded with no words. Reasons:
    ``json_invalid`` / ``json_schema``, ``file_name_unsafe`` (an absolute ``file_name`` or one with
    ``..``: refused, never read), ``image_missing``, ``image_unreadable``, ``annotation_missing``
    (an id in ``imgToAnns`` absent from ``anns``), ``annotation_unlisted`` (one in ``anns`` that no
    ``imgToAnns`` list names: never used) and the ``bbox_*`` keys (when neither the bbox nor the
    polygon is usable). Kept but flagged (``kept=True``, before the image): ``polygon_fallback`` (an
    invalid polygon: the word keeps its bbox, ``quad=None``) and ``bbox_from_polygon`` (an invalid bbox
    replaced by the polygon's extent).
    """
    json_path, image_root = Path(json_path), Path(image_root)
    data = load_json(json_path)
    if isinstance(data, AnnotationProblem):
        yield data
        return
    imgs = data.get("imgs") if isinstance(data, dict) else None
    anns = data.get("anns", {}) if isinstance(data, dict) else None
    if not isinstance(imgs, dict) or not isinstance(anns, dict):
        yield AnnotationProblem(str(json_path), "json_schema", "needs 'imgs' and 'anns' objects")
        return
    img_to_anns = data.get("imgToAnns")
    if not isinstance(img_to_anns, dict):
        img_to_anns = defaultdict(list)
        for ann_id, ann in anns.items():
            if isinstance(ann, dict):
                img_to_anns[str(ann.get("image_id"))].append(ann_id)
    source = str(json_path)
    listed = {ann_id for ids in img_to_anns.values() if isinstance(ids, list) for ann_id in ids}
    for ann_id in anns:
        if ann_id not in listed:
            yield AnnotationProblem(source, "annotation_unlisted", "in 'anns' but in no image's 'imgToAnns' list",
                                    f"annotation {ann_id}")
    for image_id, record in imgs.items():
        where = f"{source}#image {image_id}"
        if not isinstance(record, dict) or not isinstance(record.get("file_name"), str):
            yield AnnotationProblem(source, "json_schema", "image record without file_name", f"image {image_id}")
            continue
        if escapes_root(record["file_name"]):
            yield AnnotationProblem(source, "file_name_unsafe", f"{record['file_name']!r} leads outside {image_root}",
                                    f"image {image_id}")
            continue
        path = resolve_image(image_root, record["file_name"])
        if path is None:
            yield AnnotationProblem(source, "image_missing", f"{record['file_name']} not under {image_root}",
                                    f"image {image_id}")
            continue
        dims = image_dimensions(record, path)
        if isinstance(dims, AnnotationProblem):
            yield dims
            continue
        width, height = dims
        words = []
        for ann_id in img_to_anns.get(image_id, ()) or ():
            ann = anns.get(ann_id)
            at = f"annotation {ann_id}"
            if not isinstance(ann, dict):
                yield AnnotationProblem(source, "annotation_missing", f"listed for image {image_id}", at)
                continue
            points = ann.get("points")
            quad = polygon_to_quad(points)
            box = parse_bbox(ann.get("bbox"), width, height)
            if isinstance(box, str) and quad is not None:  # a bad bbox with a good polygon: use its extent
                xs, ys = [p[0] for p in quad], [p[1] for p in quad]
                box = parse_bbox([min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)], width, height)
                if not isinstance(box, str):
                    yield AnnotationProblem(source, "bbox_from_polygon", f"bbox={ann.get('bbox')!r}", at, kept=True)
            if isinstance(box, str):
                yield AnnotationProblem(source, box, f"bbox={ann.get('bbox')!r}", at)
                continue
            if quad is None and points:
                yield AnnotationProblem(source, "polygon_fallback", f"points={points!r:.120}: the bbox is used", at,
                                        kept=True)
            text = ann.get("utf8_string")
            legible = isinstance(text, str) and text.strip() not in ("", ILLEGIBLE)
            words.append(
                WordAnnotation(
                    text=nfc(text) if legible else None,
                    bbox=box,
                    quad=clamp_points(quad, width, height) if quad is not None else None,
                )
            )
        yield ImageAnnotation(str(path), width, height, tuple(words), source=where)
