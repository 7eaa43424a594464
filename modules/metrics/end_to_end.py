"""End-to-end word matching: a predicted word is correct when its box has IoU >= ``iou_threshold`` with a
legible ground-truth word AND the texts match (NFC, stripped, exact or case-insensitive); one-to-one,
greedy by IoU, on the detection matcher (``modules.metrics.detection.match_detections``), so predictions
inside a don't-care region are left out exactly as in detection."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from modules.metrics.detection import ImageMatch, match_detections
from modules.text.normalize import nfc


def same_text(a: str, b: str, ignore_case: bool = False) -> bool:
    """Texts equal after NFC and stripping (``casefold``ed too with ``ignore_case``)."""
    a, b = nfc(a).strip(), nfc(b).strip()
    return a.casefold() == b.casefold() if ignore_case else a == b


def match_words(pred_boxes: np.ndarray, pred_texts: Sequence[str], gt_boxes: np.ndarray,
                gt_texts: Sequence[str | None], iou_threshold: float = 0.5, dontcare_ioa: float = 0.5,
                ignore_case: bool = False) -> ImageMatch:
    """Match one image's words: ``pred_boxes`` ``(N, 4)`` / ``gt_boxes`` ``(M, 4)`` xyxy with their texts; a
    ground-truth text of None is a don't-care region. Pairs are ``(prediction index, gt index)``."""
    pred = np.asarray(pred_boxes, dtype=np.float64).reshape(-1, 4)
    gt = np.asarray(gt_boxes, dtype=np.float64).reshape(-1, 4)
    if len(pred_texts) != len(pred) or len(gt_texts) != len(gt):
        raise ValueError(f"{len(pred)} / {len(gt)} boxes but {len(pred_texts)} / {len(gt_texts)} texts")
    dontcare = np.asarray([t is None for t in gt_texts], dtype=bool)
    allowed = np.asarray([[t is not None and same_text(p, t, ignore_case) for t in gt_texts] for p in pred_texts],
                         dtype=bool).reshape(len(pred), len(gt))
    return match_detections(pred, gt, dontcare, iou_threshold, dontcare_ioa, allowed=allowed)
