"""Writer of the AIHub "야외 실제 촬영 한글 이미지" sample set (docs/FORMATS.md §1): one image + one JSON
per scene in flat folders, Hangul file names, mixed extensions, 세로 (vertical) signboards, ``xxx``
illegible words and a few deliberate dirty cases that real copies hold."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from modules.generator.scene import Scene
from modules.imageio import encode_image, write_bytes_atomic

SUBCLASSES = (("가로형간판", 0.45), ("돌출간판", 0.1), ("세로형간판", 0.1), ("실내간판", 0.1),
              ("실내안내판", 0.08), ("지주이용간판", 0.07), ("창문이용광고물", 0.05), ("현수막", 0.05))
EXTENSIONS = ((".jpg", 0.85), (".JPG", 0.1), (".JPEG", 0.05))
DIRTY_BOX_KINDS = ("null_bbox", "bbox_len3", "negative", "zero_width", "past_edge", "jamo_only")
P_DIRTY_BOX = 0.02
MISSING_IMAGE, MISSING_JSON = 17, 19  # scene index % 100: JSON without image / image without JSON
NUMBER_OFFSET = {"train": 1, "test": 500_001, "dev": 700_001, "ood": 800_001}


def _weighted(rng: np.random.Generator, table: tuple[tuple[str, float], ...]) -> str:
    p = np.array([w for _, w in table])
    return table[int(rng.choice(len(table), p=p / p.sum()))][0]


def plan(rng: np.random.Generator, split: str, index: int) -> tuple[str, str, str]:
    """``(stem, extension, subclass)`` of scene ``index``: decided before rendering, so a rerun can
    tell whether the files already exist."""
    subclass = _weighted(rng, SUBCLASSES)
    return f"간판_{subclass}_{NUMBER_OFFSET[split] + index:06d}", _weighted(rng, EXTENSIONS), subclass


def is_done(image_dir: Path, label_dir: Path, stem: str, ext: str, index: int) -> bool:
    need_image = index % 100 != MISSING_IMAGE
    need_json = index % 100 != MISSING_JSON
    return ((not need_image or (image_dir / f"{stem}{ext}").exists())
            and (not need_json or (label_dir / f"{stem}.json").exists()))


def _dirty(rng: np.random.Generator, bbox: list, text: str, width: int, height: int) -> tuple[object, str]:
    kind = DIRTY_BOX_KINDS[int(rng.integers(len(DIRTY_BOX_KINDS)))]
    x, y, w, h = bbox
    if kind == "null_bbox":
        return [None, None, None, None], text
    if kind == "bbox_len3":
        return [x, y, w], text
    if kind == "negative":
        return [-int(rng.integers(1, 12)), y, w + x, h], text
    if kind == "zero_width":
        return [x, y, 0, h], text
    if kind == "past_edge":
        return [x, y, width - x + int(rng.integers(5, 40)), h], text
    jamo = "".join(chr(0x3131 + int(c)) for c in rng.integers(0, 30, int(rng.integers(1, 4))))
    return bbox, jamo


def write(rng: np.random.Generator, scene: Scene, image_dir: Path, label_dir: Path, stem: str, ext: str,
          subclass: str, index: int) -> int:
    """Write the scene's image and JSON (atomically; one of them left out for the missing-file
    cases). Returns the number of annotations."""
    height, width = scene.image.shape[:2]
    annotations = []
    for number, word in enumerate(scene.words, start=1):
        text = "xxx" if word.illegible else word.text
        bbox: object = list(word.bbox())
        if rng.random() < P_DIRTY_BOX:
            bbox, text = _dirty(rng, bbox, text, width, height)  # type: ignore[arg-type]
        annotations.append({"id": number, "text": text, "bbox": bbox})
    meta = {"metaclass": "실내간판" if subclass.startswith("실내") else "실외간판", "subclass": subclass,
            "wordorientation": "세로" if subclass == "세로형간판" else "가로"}
    month, day = int(rng.integers(8, 13)), int(rng.integers(1, 29))
    record = {
        "info": {"name": stem, "date_created": f"2020-{month:02d}-{day:02d} {int(rng.integers(9, 19)):02d}:"
                                               f"{int(rng.integers(0, 60)):02d}:{int(rng.integers(0, 60)):02d}"},
        "images": [{"id": index + 1, "width": width, "height": height, "file_name": f"{stem}{ext}"}],
        "annotations": annotations,
        "metadata": meta if rng.random() < 0.1 else [meta],
    }
    quality = int(rng.integers(75, 96))
    if index % 100 != MISSING_IMAGE:
        write_bytes_atomic(image_dir / f"{stem}{ext}", encode_image(scene.image, ".jpg", quality))
    if index % 100 != MISSING_JSON:
        write_bytes_atomic(label_dir / f"{stem}.json", json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
    return len(annotations)
