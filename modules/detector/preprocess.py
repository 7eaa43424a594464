"""Pieces of the ``yolo_preprocess`` step: convert reader streams, cluster anchors, plot and draw."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from modules.data.annotations import AnnotationProblem
from modules.detector.annotations import DONTCARE, TEXT, YoloRecord, iter_records
from modules.detector.anchors import box_shapes, mean_best_iou, text_anchors
from modules.detector.config import coco_anchors_normalized
from modules.imageio import ImageReadError, read_image, write_bytes_atomic


def convert_streams(streams: Iterable[Iterable[object]], reasons: Counter[str],
                    problems: list[AnnotationProblem] | None = None) -> list[YoloRecord]:
    """Convert several reader streams (``ImageAnnotation`` | ``AnnotationProblem``) into YOLO records;
    ``problems`` (when given) receives every problem met (``iter_records``)."""
    records: list[YoloRecord] = []
    for stream in streams:
        records.extend(iter_records(stream, reasons, problems))
    return records


def training_shapes(records: list[YoloRecord]) -> np.ndarray:
    """``(N, 2)`` shapes of the text boxes (class 0) as fractions of their image's longer side.

    Image sizes are read from the files' headers through ``read_image``; unreadable images are skipped.
    """
    shapes = []
    for record in records:
        text = record.boxes[record.classes == TEXT]
        if not len(text):
            continue
        try:
            h, w = read_image(record.image_path).shape[:2]
        except ImageReadError as error:
            print(f"skipped for anchors: {error}")
            continue
        shapes.append(box_shapes(text, w, h))
    return np.concatenate(shapes) if shapes else np.zeros((0, 2))


def cluster_anchors(shapes: np.ndarray, seed: int = 0, vertical: int = 2) -> dict[str, Any]:
    """k-means (IoU distance) anchors for text (``vertical`` of the 9 reserved for vertical words, see
    ``anchors.text_anchors``) plus how well they and the COCO anchors fit the boxes."""
    anchors = text_anchors(shapes, k=9, vertical=vertical, seed=seed)
    coco = np.array(coco_anchors_normalized())
    return {"anchors": [[round(float(w), 6), round(float(h), 6)] for w, h in anchors],
            "units": "fraction of the letterboxed input side (box pixels / longer image side)",
            "boxes": int(len(shapes)), "mean_best_iou": round(mean_best_iou(shapes, anchors), 4),
            "coco_mean_best_iou": round(mean_best_iou(shapes, coco), 4)}


def save_json(path: str | os.PathLike[str], data: dict[str, Any]) -> None:
    write_bytes_atomic(path, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))


def load_anchors(path: str | os.PathLike[str]) -> tuple[tuple[float, float], ...]:
    """The 9 anchors of an ``anchors.json`` written by ``yolo_preprocess``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    anchors = tuple((float(w), float(h)) for w, h in data["anchors"])
    if len(anchors) != 9:
        raise ValueError(f"{path}: expected 9 anchors, found {len(anchors)}")
    return anchors


def plot_anchors(shapes: np.ndarray, anchors: np.ndarray, input_size: int = 416, save_to: str | None = None):
    """Scatter of box shapes with the text anchors and the COCO anchors, in pixels of ``input_size``."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 5))
    px = np.asarray(shapes) * input_size
    ax.scatter(px[:, 0], px[:, 1], s=4, alpha=0.3, color="grey", label=f"text boxes ({len(px)})")
    text = np.asarray(anchors) * input_size
    coco = np.array(coco_anchors_normalized()) * input_size
    ax.scatter(text[:, 0], text[:, 1], s=80, marker="*", color="tab:red", label="k-means text anchors")
    ax.scatter(coco[:, 0], coco[:, 1], s=60, marker="x", color="tab:blue", label="YOLOv3 COCO anchors")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"width (px at {input_size})")
    ax.set_ylabel(f"height (px at {input_size})")
    ax.legend(loc="upper left")
    ax.set_title("Anchors: text (wide, flat) vs COCO")
    fig.tight_layout()
    if save_to:
        Path(save_to).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(save_to, dpi=100)
    return fig


def draw_record(record: YoloRecord, ground_truth_colour: tuple[int, int, int] = (0, 200, 0)) -> np.ndarray:
    """The record's image with text boxes in green and don't-care boxes in red."""
    from modules.viz import draw_boxes

    image = read_image(record.image_path)
    image = draw_boxes(image, record.boxes[record.classes == TEXT], color=ground_truth_colour, width=3)
    return draw_boxes(image, record.boxes[record.classes == DONTCARE], color=(230, 0, 0), width=3)
