"""Greedy non-maximum suppression (own implementation, numpy)."""

from __future__ import annotations

import numpy as np

from modules.detector.config import DetectConfig
from modules.geometry.iou import box_ioa, box_iou


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float = 0.45,
        max_detections: int = DetectConfig.max_detections,
        containment_threshold: float = 1.0) -> np.ndarray:
    """Indices of the boxes kept, highest score first.

    ``boxes`` ``(N, 4)`` xyxy, ``scores`` ``(N,)``. A box is dropped when its IoU with an already kept,
    higher-scoring box exceeds ``iou_threshold``, or when more than ``containment_threshold`` of its own
    area lies inside such a box (a piece of a word already found has a low IoU with the whole word;
    1.0 turns this off). The defaults are plain NMS as YOLOv3 runs it; ``postprocess`` passes the
    detector's own settings. Inputs are not modified.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(boxes) != len(scores):
        raise ValueError(f"{len(boxes)} boxes but {len(scores)} scores")
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size and len(keep) < max_detections:
        i = order[0]
        keep.append(int(i))
        rest = order[1:]
        iou = box_iou(boxes[rest], boxes[i:i + 1])[:, 0]
        inside = box_ioa(boxes[rest], boxes[i:i + 1])[:, 0]
        order = rest[(iou <= iou_threshold) & (inside <= containment_threshold)]
    return np.array(keep, dtype=np.int64)


def postprocess(boxes: np.ndarray, scores: np.ndarray, score_threshold: float = DetectConfig.score_threshold,
                iou_threshold: float = DetectConfig.nms_iou, max_detections: int = DetectConfig.max_detections,
                pre_nms_top_k: int = DetectConfig.pre_nms_top_k,
                containment_threshold: float = DetectConfig.containment_threshold) -> tuple[np.ndarray, np.ndarray]:
    """Threshold, keep the ``pre_nms_top_k`` best, NMS -> ``(K, 4) float32`` boxes, ``(K,) float32`` scores.
    The defaults are ``DetectConfig``'s."""
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    scores = np.asarray(scores, dtype=np.float32).reshape(-1)
    mask = (scores >= score_threshold) & (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
    boxes, scores = boxes[mask], scores[mask]
    if len(scores) > pre_nms_top_k:
        top = np.argpartition(-scores, pre_nms_top_k)[:pre_nms_top_k]
        boxes, scores = boxes[top], scores[top]
    keep = nms(boxes, scores, iou_threshold, max_detections, containment_threshold)
    return boxes[keep].astype(np.float32), scores[keep].astype(np.float32)
