"""Reader for AIHub "야외 실제 촬영 한글 이미지" (one JSON per image; docs/FORMATS.md §1).

Label and image folders are searched recursively (the real download nests them in folders such as
``[라벨]Training/1.간판/1.가로형간판/``); each JSON is paired with its image by stem (any of ``.jpg``,
``.JPG``, ``.JPEG``, ``.png``), then by ``images[0].file_name``. File names are compared in NFC.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from modules.data.annotations import AnnotationProblem, ImageAnnotation, WordAnnotation
from modules.datasets.common import image_dimensions, load_json, parse_bbox
from modules.datasets.files import ImageIndex, iter_files
from modules.text.normalize import nfc

ILLEGIBLE = "xxx"
VERTICAL = "세로"


def _metadata(data: dict[str, Any]) -> dict[str, Any]:
    meta = data.get("metadata")
    if isinstance(meta, list):
        meta = next((m for m in meta if isinstance(m, dict)), None)
    return meta if isinstance(meta, dict) else {}


def is_vertical(data: dict[str, Any]) -> bool:
    """True when the label marks its words vertical (``wordorientation`` 세로, else subclass 세로형간판)."""
    meta = _metadata(data)
    orientation = meta.get("wordorientation")
    if isinstance(orientation, str) and orientation.strip():
        return nfc(orientation.strip()) == VERTICAL
    subclass = meta.get("subclass")
    return isinstance(subclass, str) and nfc(subclass).startswith("세로형")


def word_text(raw: Any) -> str | None:
    """NFC text, or None for illegible words (``xxx``, null, empty). Real words containing x are kept."""
    if not isinstance(raw, str):
        return None
    text = nfc(raw)
    if not text.strip() or text.strip() == ILLEGIBLE:
        return None
    return text


def parse_label(
    data: Any, label: Path, images: ImageIndex
) -> tuple[ImageAnnotation | None, list[AnnotationProblem]]:
    """One parsed AIHub label: the image annotation (None when unusable) and the problems found."""
    source = str(label)
    records = data.get("images") if isinstance(data, dict) else None
    anns = data.get("annotations") if isinstance(data, dict) else None
    if not isinstance(records, list) or not records or not isinstance(records[0], dict) or not isinstance(anns, list):
        return None, [AnnotationProblem(source, "json_schema", "needs images[0] and an annotations list")]
    record = records[0]
    file_name = record.get("file_name") if isinstance(record.get("file_name"), str) else None
    path = images.find(label.stem, file_name)
    if path is None:
        return None, [AnnotationProblem(source, "image_missing", f"no image named {label.stem}.* or {file_name}")]
    dims = image_dimensions(record, path)
    if isinstance(dims, AnnotationProblem):
        return None, [dims]
    width, height = dims
    vertical = is_vertical(data)
    words, problems = [], []
    for number, ann in enumerate(anns, start=1):
        where = f"annotation {ann.get('id', number) if isinstance(ann, dict) else number}"
        if not isinstance(ann, dict):
            problems.append(AnnotationProblem(source, "json_schema", "annotation is not an object", where))
            continue
        box = parse_bbox(ann.get("bbox"), width, height)
        if isinstance(box, str):
            problems.append(AnnotationProblem(source, box, f"bbox={ann.get('bbox')!r}", where))
            continue
        words.append(WordAnnotation(text=word_text(ann.get("text")), bbox=box, vertical=vertical))
    return ImageAnnotation(str(path), width, height, tuple(words), source=source), problems


def iter_aihub_outdoor(
    label_dir: str | os.PathLike[str], image_dir: str | os.PathLike[str]
) -> Iterator[ImageAnnotation | AnnotationProblem]:
    """Yield an ``ImageAnnotation`` per usable label file and an ``AnnotationProblem`` per skip.

    Problems come before the image they belong to; images that no label refers to are reported
    (``label_missing``) at the end. Illegible words (``xxx``) have ``text=None``; invalid boxes are
    problems (``bbox_*``); boxes are clamped to the image.
    """
    label_dir, image_dir = Path(label_dir), Path(image_dir)
    if not label_dir.is_dir():
        yield AnnotationProblem(str(label_dir), "label_dir_missing", "not a folder")
        return
    with ImageIndex(image_dir) as images:  # label and image lists live on disk: no memory per image
        for label in iter_files(label_dir, (".json",)):
            data = load_json(label)
            if isinstance(data, AnnotationProblem):
                yield data
                # the image of a broken label is still paired, so it is not reported as label_missing too
                hit = images.find(label.stem)
                if hit is not None:
                    images.mark_used(hit)
                continue
            annotation, problems = parse_label(data, label, images)
            yield from problems
            if annotation is None:
                hit = images.find(label.stem)
                if hit is not None:
                    images.mark_used(hit)
            else:
                images.mark_used(annotation.image_path)
                yield annotation
        for path in images.unused():
            yield AnnotationProblem(str(path), "label_missing", "no label JSON for this image")
