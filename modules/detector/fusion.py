"""Weighted box fusion: merge the detections of several runs of a detector (here: several input sizes).

NMS keeps one box of a cluster and throws the others away; fusion averages the cluster's coordinates,
weighted by score, so the boxes found at different scales correct each other's edges. A cluster's score
is the sum of its members' scores divided by the number of runs, so a word found at one scale only
scores a third of what one found at all three does (missing runs count as a zero score).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from modules.detector.config import DetectConfig
from modules.geometry.iou import box_iou


def fuse_boxes(results: Sequence[tuple[np.ndarray, np.ndarray]], iou_threshold: float = DetectConfig.tta_fusion_iou
               ) -> tuple[np.ndarray, np.ndarray]:
    """Fuse per-run detections of one image.

    ``results``: one ``(boxes (N_i, 4) xyxy, scores (N_i,))`` pair per run. Boxes are taken best score
    first; each opens a cluster holding every not yet clustered box whose IoU with it is at least
    ``iou_threshold``. Returns ``(boxes (K, 4) float32, scores (K,) float32)``, best first.
    """
    if not results:
        return np.zeros((0, 4), np.float32), np.zeros((0,), np.float32)
    boxes = np.concatenate([np.asarray(b, np.float64).reshape(-1, 4) for b, _ in results])
    scores = np.concatenate([np.asarray(s, np.float64).reshape(-1) for _, s in results])
    if len(boxes) != len(scores):
        raise ValueError(f"{len(boxes)} boxes but {len(scores)} scores")
    order = np.argsort(-scores, kind="stable")
    boxes, scores = boxes[order], scores[order]
    iou = box_iou(boxes, boxes)
    free = np.ones(len(boxes), dtype=bool)
    fused_boxes, fused_scores = [], []
    for i in range(len(boxes)):
        if not free[i]:
            continue
        members = free & (iou[i] >= iou_threshold)
        members[i] = True
        free &= ~members
        weights = scores[members]
        total = weights.sum()
        fused_boxes.append((boxes[members] * weights[:, None]).sum(axis=0) / max(total, 1e-12))
        fused_scores.append(total / len(results))
    out_boxes = np.asarray(fused_boxes, np.float32).reshape(-1, 4)
    out_scores = np.asarray(fused_scores, np.float32)
    rank = np.argsort(-out_scores, kind="stable")
    return out_boxes[rank], out_scores[rank]
