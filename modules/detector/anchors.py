"""Anchor boxes for text: k-means with the ``1 - IoU`` distance over box shapes (YOLOv2 section 2).

Shapes are ``(w, h)`` fractions of the letterboxed input side, i.e. pixels divided by the longer image
side, so they do not depend on the input size.
"""

from __future__ import annotations

import numpy as np

from modules.geometry.vertical import VERTICAL_RATIO, is_vertical


def shape_iou(shapes: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """IoU of ``(N, 2)`` box shapes against ``(K, 2)`` anchor shapes, both centred at the origin -> ``(N, K)``."""
    shapes = np.asarray(shapes, dtype=np.float64).reshape(-1, 2)
    anchors = np.asarray(anchors, dtype=np.float64).reshape(-1, 2)
    inter = np.minimum(shapes[:, None, 0], anchors[None, :, 0]) * np.minimum(shapes[:, None, 1], anchors[None, :, 1])
    union = shapes[:, None, 0] * shapes[:, None, 1] + anchors[None, :, 0] * anchors[None, :, 1] - inter
    return inter / np.maximum(union, 1e-12)


def kmeans_anchors(shapes: np.ndarray, k: int = 9, seed: int = 0, iterations: int = 300) -> np.ndarray:
    """Cluster ``(N, 2)`` positive box shapes into ``k`` anchors with the ``1 - IoU`` distance.

    Uses k-means++-style seeding and the median of each cluster (robust for the long tail of very wide
    text). Returns ``(k, 2)`` float64 anchors sorted by area, small to large. Needs ``N >= k`` boxes.
    """
    shapes = np.asarray(shapes, dtype=np.float64).reshape(-1, 2)
    shapes = shapes[(shapes > 0).all(axis=1)]
    if len(shapes) < k:
        raise ValueError(f"need at least {k} boxes to cluster {k} anchors, got {len(shapes)}")
    rng = np.random.default_rng(seed)
    centres = [shapes[rng.integers(len(shapes))]]
    for _ in range(1, k):
        distance = 1.0 - shape_iou(shapes, np.array(centres)).max(axis=1)
        weights = distance ** 2
        total = weights.sum()
        index = rng.choice(len(shapes), p=weights / total) if total > 0 else rng.integers(len(shapes))
        centres.append(shapes[index])
    centres = np.array(centres)
    assignment = np.full(len(shapes), -1)
    for _ in range(iterations):
        new_assignment = shape_iou(shapes, centres).argmax(axis=1)
        if np.array_equal(new_assignment, assignment):
            break
        assignment = new_assignment
        for j in range(k):
            members = shapes[assignment == j]
            if len(members):
                centres[j] = np.median(members, axis=0)
    return centres[np.argsort(centres.prod(axis=1))]


def text_anchors(shapes: np.ndarray, k: int = 9, vertical: int = 2, ratio: float = VERTICAL_RATIO, seed: int = 0
                 ) -> np.ndarray:
    """``k`` anchors of which ``vertical`` are clustered on the vertical boxes alone (height >= ``ratio`` x
    width) and the rest on the others; ``(k, 2)`` sorted by area.

    Plain k-means spends every anchor on the wide boxes that dominate signboard data; a vertical word then
    matches a single anchor at a single scale (``targets.build_targets``), gets a handful of positives
    against dozens for a horizontal word of the same size, and its objectness never rises above the
    threshold. With fewer than ``vertical`` vertical boxes (or ``vertical=0``) this is ``kmeans_anchors``.
    """
    shapes = np.asarray(shapes, dtype=np.float64).reshape(-1, 2)
    shapes = shapes[(shapes > 0).all(axis=1)]
    tall = np.asarray(is_vertical(shapes[:, 0], shapes[:, 1], ratio), dtype=bool)
    if vertical <= 0 or tall.sum() < vertical or (~tall).sum() < k - vertical:
        return kmeans_anchors(shapes, k=k, seed=seed)
    anchors = np.concatenate([kmeans_anchors(shapes[~tall], k=k - vertical, seed=seed),
                              kmeans_anchors(shapes[tall], k=vertical, seed=seed)])
    return anchors[np.argsort(anchors.prod(axis=1))]


def mean_best_iou(shapes: np.ndarray, anchors: np.ndarray) -> float:
    """Average over boxes of the best anchor IoU: how well an anchor set fits the data (higher is better)."""
    return float(shape_iou(shapes, anchors).max(axis=1).mean()) if len(shapes) else 0.0


def box_shapes(boxes_xyxy: np.ndarray, width: int, height: int) -> np.ndarray:
    """Original-pixel xyxy boxes of one image -> ``(N, 2)`` shapes as fractions of the longer image side."""
    boxes = np.asarray(boxes_xyxy, dtype=np.float64).reshape(-1, 4)
    side = float(max(width, height))
    return np.stack([boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]], axis=1) / side
