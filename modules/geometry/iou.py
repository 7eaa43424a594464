"""IoU / IoA of axis-aligned boxes and the greedy one-to-one matcher that detection and end-to-end
metrics share. Boxes are ``(N, 4)`` xyxy, ``x2 > x1``, ``y2 > y1``, any pixel unit."""

from __future__ import annotations

import numpy as np


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix of ``(N, 4)`` and ``(M, 4)`` xyxy boxes -> ``(N, M)`` float64."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    inter = _intersection(a, b)
    area_a = (a[:, 2] - a[:, 0]).clip(0) * (a[:, 3] - a[:, 1]).clip(0)
    area_b = (b[:, 2] - b[:, 0]).clip(0) * (b[:, 3] - b[:, 1]).clip(0)
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-12)


def box_ioa(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over the area of each box of ``a``: ``(N, 4)`` vs ``(M, 4)`` -> ``(N, M)``."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    area_a = (a[:, 2] - a[:, 0]).clip(0) * (a[:, 3] - a[:, 1]).clip(0)
    return _intersection(a, b) / np.maximum(area_a[:, None], 1e-12)


def _intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    return w.clip(0) * h.clip(0)


def greedy_match(iou: np.ndarray, threshold: float, allowed: np.ndarray | None = None) -> list[tuple[int, int]]:
    """One-to-one ``(row, column)`` pairs of an ``(N, M)`` IoU matrix, greedily by IoU (highest first, ties
    in row-major order), keeping only pairs with IoU >= ``threshold`` and, when given, ``allowed`` ``(N, M)``
    bool True (e.g. the texts match). Returned in the order they were taken."""
    iou = np.asarray(iou, dtype=np.float64)
    ok = iou >= threshold
    if allowed is not None:
        ok &= np.asarray(allowed, dtype=bool)
    candidates = np.argwhere(ok)
    order = np.argsort(-iou[candidates[:, 0], candidates[:, 1]], kind="stable")
    used_rows: set[int] = set()
    used_cols: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for r, c in candidates[order]:
        if r not in used_rows and c not in used_cols:
            used_rows.add(int(r))
            used_cols.add(int(c))
            pairs.append((int(r), int(c)))
    return pairs
