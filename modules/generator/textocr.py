"""Writer of the TextOCR sample set (docs/FORMATS.md §3): ``TextOCR_0.1_{train,val,test}.json`` with keys
``imgs`` / ``anns`` / ``imgToAnns``, float ``bbox`` and ``points`` polygons (usually 4 points,
sometimes 6), ``.`` for illegible words, a few invalid polygons, images at
``train_images/<id>.jpg`` (train and val, as in the real download) and ``test_images/<id>.jpg``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np

from modules.generator.scene import Scene
from modules.imageio import encode_image, write_bytes_atomic

JSON_NAMES = {"train": "TextOCR_0.1_train.json", "val": "TextOCR_0.1_val.json", "test": "TextOCR_0.1_test.json"}
P_INVALID_POLYGON = 0.01
P_MORE_POINTS = 0.15


def image_id(seed: int, split: str, index: int) -> str:
    return hashlib.sha1(f"kocr-textocr-{seed}-{split}-{index}".encode()).hexdigest()[:16]


def image_path(root: Path, split: str, img_id: str) -> Path:
    return root / ("test_images" if split == "test" else "train_images") / f"{img_id}.jpg"


def part_path(root: Path, split: str, index: int) -> Path:
    return root / ".parts" / split / f"{index:06d}.json"


def _points(rng: np.random.Generator, quad: tuple[tuple[float, float], ...]) -> list[float]:
    pts = [list(p) for p in quad]
    if rng.random() < P_MORE_POINTS:  # 6-point polygon: midpoints of the top and bottom edges
        top = [(quad[0][0] + quad[1][0]) / 2, (quad[0][1] + quad[1][1]) / 2]
        bottom = [(quad[2][0] + quad[3][0]) / 2, (quad[2][1] + quad[3][1]) / 2]
        pts = [pts[0], top, pts[1], pts[2], bottom, pts[3]]
    flat = [round(float(v), 2) for p in pts for v in p]
    if rng.random() < P_INVALID_POLYGON:
        flat = flat[:4] if rng.random() < 0.5 else flat[:-1]
    return flat


def write_part(rng: np.random.Generator, scene: Scene, root: Path, split: str, index: int, img_id: str) -> None:
    """Write the image and the scene's part file (``imgs`` entry + its ``anns``)."""
    height, width = scene.image.shape[:2]
    write_bytes_atomic(image_path(root, split, img_id), encode_image(scene.image, ".jpg", int(rng.integers(80, 96))))
    img = {"id": img_id, "width": width, "height": height, "set": split, "file_name": f"{split if split == 'test' else 'train'}/{img_id}.jpg"}
    anns = []
    if split != "test":
        for n, word in enumerate(scene.words, start=1):
            xs, ys = [p[0] for p in word.quad], [p[1] for p in word.quad]
            x0, y0 = max(0.0, min(xs)), max(0.0, min(ys))
            w, h = min(float(width), max(xs)) - x0, min(float(height), max(ys)) - y0
            anns.append({"id": f"{img_id}_{n}", "image_id": img_id, "bbox": [round(x0, 2), round(y0, 2), round(w, 2), round(h, 2)],
                         "utf8_string": "." if word.illegible else word.text, "points": _points(rng, word.quad),
                         "area": round(w * h, 2)})
    write_bytes_atomic(part_path(root, split, index), json.dumps({"img": img, "anns": anns}, ensure_ascii=False).encode("utf-8"))


def assemble(root: Path, split: str, count: int) -> Path:
    """Merge the parts of ``split`` into its JSON (atomically) and drop the parts."""
    imgs, anns, img_to_anns = {}, {}, {}
    for index in range(count):
        part = json.loads(part_path(root, split, index).read_text(encoding="utf-8"))
        img = part["img"]
        imgs[img["id"]] = img
        img_to_anns[img["id"]] = [a["id"] for a in part["anns"]]
        for ann in part["anns"]:
            anns[ann["id"]] = ann
    out = root / JSON_NAMES[split]
    write_bytes_atomic(out, json.dumps({"imgs": imgs, "anns": anns, "imgToAnns": img_to_anns}, ensure_ascii=False).encode("utf-8"))
    shutil.rmtree(root / ".parts" / split, ignore_errors=True)
    return out
