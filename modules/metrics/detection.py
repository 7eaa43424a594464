"""Detection precision / recall / H-mean at IoU >= 0.5 with one-to-one matching and don't-care regions
(the ICDAR 2015 protocol for axis-aligned boxes).

Per image: a detection lying more than ``dontcare_ioa`` inside a don't-care box (area overlap over its own
area) is removed before matching, so it is neither counted correct nor wrong; don't-care ground truth is
never counted as missed. Remaining detections and text boxes are matched one-to-one, greedily by IoU
(highest first), and a pair counts when its IoU reaches ``iou_threshold``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from modules.geometry.iou import box_ioa, box_iou, greedy_match


@dataclass(frozen=True)
class ImageMatch:
    """Counts of one image and the matched ``(detection index, ground-truth index)`` pairs."""

    true_positives: int
    detections: int  # counted detections (don't-care ones removed)
    ground_truth: int  # text boxes (don't-care excluded)
    pairs: tuple[tuple[int, int], ...]
    ignored_detections: tuple[int, ...]


def match_detections(pred_boxes: np.ndarray, gt_boxes: np.ndarray, gt_dontcare: np.ndarray | None = None,
                     iou_threshold: float = 0.5, dontcare_ioa: float = 0.5, allowed: np.ndarray | None = None
                     ) -> ImageMatch:
    """Match one image: ``pred_boxes`` ``(N, 4)``, ``gt_boxes`` ``(M, 4)`` xyxy, ``gt_dontcare`` ``(M,)`` bool.

    ``allowed`` ``(N, M)`` bool, when given, also forbids pairs (end to end: the texts differ); the
    don't-care filtering is the same either way (``modules.metrics.end_to_end``)."""
    pred = np.asarray(pred_boxes, dtype=np.float64).reshape(-1, 4)
    gt = np.asarray(gt_boxes, dtype=np.float64).reshape(-1, 4)
    dontcare = np.zeros(len(gt), dtype=bool) if gt_dontcare is None else np.asarray(gt_dontcare, dtype=bool)
    if len(dontcare) != len(gt):
        raise ValueError(f"{len(gt)} ground-truth boxes but {len(dontcare)} don't-care flags")
    care_idx = np.flatnonzero(~dontcare)
    ignored = np.zeros(len(pred), dtype=bool)
    if dontcare.any() and len(pred):
        ignored = box_ioa(pred, gt[dontcare]).max(axis=1) > dontcare_ioa
    pred_idx = np.flatnonzero(~ignored)
    pairs: list[tuple[int, int]] = []
    if len(pred_idx) and len(care_idx):
        iou = box_iou(pred[pred_idx], gt[care_idx])
        ok = None if allowed is None else np.asarray(allowed, dtype=bool).reshape(len(pred), len(gt))
        ok = None if ok is None else ok[np.ix_(pred_idx, care_idx)]
        pairs = [(int(pred_idx[p]), int(care_idx[g])) for p, g in greedy_match(iou, iou_threshold, ok)]
    return ImageMatch(len(pairs), len(pred_idx), len(care_idx), tuple(sorted(pairs)),
                      tuple(int(i) for i in np.flatnonzero(ignored)))


def prf(true_positives: int, detections: int, ground_truth: int) -> dict[str, float]:
    """Precision, recall and H-mean from counts. Nothing to find and nothing found scores 1.0."""
    precision = true_positives / detections if detections else (1.0 if ground_truth == 0 else 0.0)
    recall = true_positives / ground_truth if ground_truth else 1.0
    hmean = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "hmean": hmean, "true_positives": float(true_positives),
            "detections": float(detections), "ground_truth": float(ground_truth)}


def detection_prf(predictions: Iterable[np.ndarray], ground_truth: Iterable[tuple[np.ndarray, np.ndarray]],
                  iou_threshold: float = 0.5, dontcare_ioa: float = 0.5) -> dict[str, float]:
    """Dataset-level precision / recall / H-mean (counts summed over images, then divided).

    ``predictions``: per image ``(N, 4)`` xyxy boxes; ``ground_truth``: per image ``(boxes (M, 4),
    dontcare (M,) bool)``.
    """
    tp = det = gts = 0
    for pred, (gt, dontcare) in zip(predictions, ground_truth, strict=True):
        match = match_detections(pred, gt, dontcare, iou_threshold, dontcare_ioa)
        tp, det, gts = tp + match.true_positives, det + match.detections, gts + match.ground_truth
    return prf(tp, det, gts)
