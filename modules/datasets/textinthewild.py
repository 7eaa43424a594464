"""Reader for AIHub "Text in the wild" (``textinthewild_data_info.json``; docs/FORMATS.md §2).

One JSON holds every image (``images``) and annotation (``annotations``); images live in
``Book/``, ``Goods/``, ``Signboard/``, ``Traffic_Sign/`` under the image root and are found by file
name anywhere below it. Recognition and detection use ``word`` annotations (``ignored`` ones become
illegible words, ``character`` ones are skipped and counted: the same text is annotated as words).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from modules.data.annotations import AnnotationProblem, ImageAnnotation, WordAnnotation
from modules.datasets.common import image_dimensions, load_json, parse_bbox
from modules.datasets.files import ImageIndex
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
    """Yield an ``ImageAnnotation`` per image file with word annotations and an ``AnnotationProblem`` per skip.

    Reasons: ``json_invalid`` / ``json_schema`` (whole file), ``image_missing``, ``image_unreadable``,
    ``annotation_orphan`` (unknown image id), ``annotation_class_unknown``, ``no_word_annotations``,
    ``character_box`` (one row per image with its count: the same text is annotated as words, which
    are used), ``image_id_duplicate`` (an image id listed twice: the first record is used), ``word_duplicate`` (the same word box listed twice for one file) and the ``bbox_*`` keys
    of ``modules.datasets.common``. One image file listed under several ids (docs/FORMATS.md §2) yields ONE
    image with the words of every id, flagged ``image_shared`` (``kept=True``).
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
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("file_name"), str):
            yield AnnotationProblem(source, "json_schema", f"image record without id/file_name: {record!r:.120}",
                                    f"image record {number}")
            continue
        if _key(record["id"]) in by_id:
            yield AnnotationProblem(source, "image_id_duplicate", f"id listed again ({record.get('file_name')}): the "
                                    "first record is used", f"image record {number}")
            continue
        by_id[_key(record["id"])] = record
    words_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    characters: Counter[str] = Counter()
    for number, ann in enumerate(anns, start=1):
        if not isinstance(ann, dict):
            yield AnnotationProblem(source, "json_schema", "annotation is not an object", f"annotation #{number}")
            continue
        kind = _class(ann)
        where = f"annotation {ann.get('id')}"
        image_id = _key(ann.get("image_id"))
        if kind == CHARACTER:
            characters[image_id] += 1
            continue
        if kind not in (WORD, IGNORED):
            yield AnnotationProblem(source, "annotation_class_unknown", f"class={kind!r}", where)
            continue
        if image_id not in by_id:
            yield AnnotationProblem(source, "annotation_orphan", f"image_id={ann.get('image_id')!r}", where)
            continue
        words_of[image_id].append(ann)
    orphans = sum(n for image_id, n in characters.items() if image_id not in by_id)
    if orphans:
        yield AnnotationProblem(source, "annotation_orphan", "character boxes of unknown image ids", count=orphans)

    # one image file may be listed under several ids: every id's words belong to that file
    ids_of: dict[str, list[str]] = defaultdict(list)
    for image_id, record in by_id.items():
        ids_of[nfc(record["file_name"])].append(image_id)
    with ImageIndex(image_root) as index:
        for name, ids in ids_of.items():
            record = by_id[ids[0]]
            where = "image " + ", ".join(str(by_id[i]["id"]) for i in ids)
            chars = sum(characters[i] for i in ids)
            if chars:
                yield AnnotationProblem(source, "character_box", "recognition and detection use the word boxes", where,
                                        count=chars)
            anns_here = [ann for image_id in ids for ann in words_of.get(image_id, ())]
            if not anns_here:
                yield AnnotationProblem(source, "no_word_annotations", record["file_name"], where)
                continue
            path = index.find(record["file_name"])
            if path is None:
                yield AnnotationProblem(source, "image_missing", f"{record['file_name']} not found under {image_root}",
                                        where)
                continue
            dims = image_dimensions(record, path)
            if isinstance(dims, AnnotationProblem):
                yield dims
                continue
            if len(ids) > 1:
                yield AnnotationProblem(source, "image_shared", f"{record['file_name']} is listed under {len(ids)} ids: "
                                        "the words of every id are kept", where, kept=True)
            width, height = dims
            words, seen = [], set()
            for ann in anns_here:
                box = parse_bbox(ann.get("bbox"), width, height)
                if isinstance(box, str):
                    yield AnnotationProblem(source, box, f"bbox={ann.get('bbox')!r}", f"annotation {ann.get('id')}")
                    continue
                text = ann.get("text")
                legible = _class(ann) == WORD and isinstance(text, str) and text.strip() != ""
                word = WordAnnotation(text=nfc(text) if legible else None, bbox=box)
                if word in seen:
                    yield AnnotationProblem(source, "word_duplicate", f"{word.text!r} at {box} is listed twice",
                                            f"annotation {ann.get('id')}")
                    continue
                seen.add(word)
                words.append(word)
            yield ImageAnnotation(str(path), width, height, tuple(words), source=f"{source}#{where}")
