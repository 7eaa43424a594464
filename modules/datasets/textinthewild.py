"""Reader for AIHub "Text in the wild" (``textinthewild_data_info.json``; FORMATS.md §2).

One JSON holds every image (``images``) and annotation (``annotations``); images live in
``Book/``, ``Goods/``, ``Signboard/``, ``Traffic_Sign/`` under the image root and are found by file
name anywhere below it. Recognition and detection use ``word`` annotations (``ignored`` ones become
illegible words, ``character`` ones are skipped: the same text is annotated as words).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from modules.data.annotations import AnnotationProblem, ImageAnnotation, WordAnnotation
from modules.datasets.common import (
    ImageIndex,
    image_dimensions,
    load_json,
    parse_bbox,
)
from modules.text.normalize import nfc

WORD, IGNORED, CHARACTER = "word", "ignored", "character"


def _key(value: Any) -> str:
    """Ids are zero-padded strings in the real file; accept ints too."""
    return str(value).strip()


def _class(ann: dict[str, Any]) -> str | None:
    attributes = ann.get("attributes")
    value = attributes.get("class") if isinstance(attributes, dict) else None
    return value.strip().lower() if isinstance(value, str) else None


def iter_textinthewild(
    json_path: str | os.PathLike[str], image_root: str | os.PathLike[str]
) -> Iterator[ImageAnnotation | AnnotationProblem]:
    """Yield an ``ImageAnnotation`` per image with word annotations and an ``AnnotationProblem`` per skip.

    Reasons: ``json_invalid`` / ``json_schema`` (whole file), ``image_missing``, ``image_unreadable``,
    ``image_duplicate`` (same file name under another id: the record with most words is kept),
    ``annotation_orphan`` (unknown image id), ``annotation_class_unknown``, ``no_word_annotations``,
    and the ``bbox_*`` keys of ``modules.datasets.common``.
    """
    json_path = Path(json_path)
    data = load_json(json_path)
    if isinstance(data, AnnotationProblem):
        yield data
        return
    records = data.get("images") if isinstance(data, dict) else None
    anns = data.get("annotations") if isinstance(data, dict) else None
    if not isinstance(records, list) or not isinstance(anns, list):
        yield AnnotationProblem(str(json_path), "json_schema", "needs 'images' and 'annotations' lists")
        return
    source = str(json_path)
    by_id: dict[str, dict[str, Any]] = {}
    for record in records:
        if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("file_name"), str):
            yield AnnotationProblem(source, "json_schema", f"image record without id/file_name: {record!r:.120}")
            continue
        by_id.setdefault(_key(record["id"]), record)
    words_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ann in anns:
        if not isinstance(ann, dict):
            yield AnnotationProblem(source, "json_schema", "annotation is not an object")
            continue
        kind = _class(ann)
        if kind == CHARACTER:
            continue
        where = f"{source}#annotation {ann.get('id')}"
        if kind not in (WORD, IGNORED):
            yield AnnotationProblem(where, "annotation_class_unknown", f"class={kind!r}")
            continue
        image_id = _key(ann.get("image_id"))
        if image_id not in by_id:
            yield AnnotationProblem(where, "annotation_orphan", f"image_id={ann.get('image_id')!r}")
            continue
        words_of[image_id].append(ann)

    # duplicate file names under different ids: keep the record with most word annotations
    keep: dict[str, str] = {}
    for image_id, record in by_id.items():
        name = nfc(record["file_name"])
        best = keep.get(name)
        if best is None or len(words_of.get(image_id, ())) > len(words_of.get(best, ())):
            keep[name] = image_id
    index = ImageIndex(image_root)
    for image_id, record in by_id.items():
        name = nfc(record["file_name"])
        where = f"{source}#image {record['id']} ({record['file_name']})"
        if keep[name] != image_id:
            yield AnnotationProblem(where, "image_duplicate", f"file name also used by id {by_id[keep[name]]['id']}")
            continue
        if not words_of.get(image_id):
            yield AnnotationProblem(where, "no_word_annotations")
            continue
        path = index.find(record["file_name"])
        if path is None:
            yield AnnotationProblem(where, "image_missing", f"not found under {image_root}")
            continue
        dims = image_dimensions(record, path)
        if isinstance(dims, AnnotationProblem):
            yield dims
            continue
        width, height = dims
        words = []
        for ann in words_of[image_id]:
            box = parse_bbox(ann.get("bbox"), width, height)
            if isinstance(box, str):
                yield AnnotationProblem(f"{source}#annotation {ann.get('id')}", box, f"bbox={ann.get('bbox')!r}")
                continue
            text = ann.get("text")
            legible = _class(ann) == WORD and isinstance(text, str) and text.strip() != ""
            words.append(WordAnnotation(text=nfc(text) if legible else None, bbox=box))
        yield ImageAnnotation(str(path), width, height, tuple(words), source=where)
