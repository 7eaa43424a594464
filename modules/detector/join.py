"""Join the pieces of one word that the detector found as several boxes.

A long word (wider than the network's receptive field or than the training crops) often comes out as two
or three boxes that overlap each other along the line. NMS keeps them all: their IoU is low. Separate
words of a line are different: they leave a gap between them. So two boxes of the same orientation are
joined into their union when they cover the same band across the reading direction and overlap along it.
"""

from __future__ import annotations

import numpy as np

from modules.detector.config import DetectConfig
from modules.geometry.vertical import is_vertical


def _joinable(box: np.ndarray, others: np.ndarray, cross: float, along: float, vertical_ratio: float
              ) -> np.ndarray:
    """``(M,)`` bool: which of ``others`` ``(M, 4)`` may be joined with ``box`` ``(4,)``."""
    w, h = box[2] - box[0], box[3] - box[1]
    ow, oh = others[:, 2] - others[:, 0], others[:, 3] - others[:, 1]
    x_overlap = (np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0])).clip(0)
    y_overlap = (np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1])).clip(0)
    if is_vertical(w, h, vertical_ratio):  # reads top to bottom: the band is x, the line runs along y
        same = is_vertical(ow, oh, vertical_ratio)
        band = x_overlap / np.maximum(np.maximum(w, ow), 1e-9)
        line = y_overlap / np.maximum(np.minimum(h, oh), 1e-9)
    else:
        same = ~is_vertical(ow, oh, vertical_ratio)
        band = y_overlap / np.maximum(np.maximum(h, oh), 1e-9)
        line = x_overlap / np.maximum(np.minimum(w, ow), 1e-9)
    return same & (band >= cross) & (line >= along)


def join_split_words(boxes: np.ndarray, scores: np.ndarray,
                     cross_overlap: float = DetectConfig.join_cross_overlap,
                     along_overlap: float = DetectConfig.join_along_overlap,
                     vertical_ratio: float = DetectConfig.vertical_ratio) -> tuple[np.ndarray, np.ndarray]:
    """Replace every group of joinable boxes by their union scored with the group's best score.

    ``boxes`` ``(N, 4)`` xyxy, ``scores`` ``(N,)``. Two boxes are joinable when both are horizontal or
    both vertical (at least ``vertical_ratio`` times taller than wide, as for ``OCRConfig.vertical_ratio``),
    their overlap across the reading direction is at least ``cross_overlap`` of the larger box's extent
    there, and their overlap along it at least ``along_overlap`` of the shorter box's length (> 0, so
    words separated by a gap stay apart). The defaults are ``DetectConfig``'s, whose ``join_*`` fields
    ``Detector`` passes.
    A grown union is checked again against the rest (it may reach a third piece). Returns ``(boxes (K, 4)
    float32, scores (K,) float32)``, best first.
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4).copy()
    scores = np.asarray(scores, np.float64).reshape(-1).copy()
    if len(boxes) != len(scores):
        raise ValueError(f"{len(boxes)} boxes but {len(scores)} scores")
    order = np.argsort(-scores, kind="stable")
    boxes, scores = boxes[order], scores[order]
    alive = np.ones(len(boxes), dtype=bool)
    for i in range(len(boxes)):
        if not alive[i]:
            continue
        while True:
            rest = np.flatnonzero(alive)
            rest = rest[rest != i]
            hits = rest[_joinable(boxes[i], boxes[rest], cross_overlap, along_overlap, vertical_ratio)]
            if not len(hits):
                break
            group = np.concatenate([[i], hits])
            boxes[i] = np.concatenate([boxes[group, :2].min(axis=0), boxes[group, 2:].max(axis=0)])
            scores[i] = scores[group].max()
            alive[hits] = False
    kept_boxes, kept_scores = boxes[alive].astype(np.float32), scores[alive].astype(np.float32)
    rank = np.argsort(-kept_scores, kind="stable")
    return kept_boxes[rank], kept_scores[rank]
