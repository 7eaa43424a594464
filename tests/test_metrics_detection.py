"""Precision / recall / H-mean against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from modules.metrics.detection import detection_prf, match_detections, prf


def test_perfect_and_empty() -> None:
    gt = np.array([[0, 0, 10, 10], [20, 0, 40, 10]])
    assert detection_prf([gt], [(gt, np.zeros(2, bool))])["hmean"] == 1.0
    result = detection_prf([np.zeros((0, 4))], [(gt, np.zeros(2, bool))])
    assert (result["precision"], result["recall"], result["hmean"]) == (0.0, 0.0, 0.0)
    assert detection_prf([np.zeros((0, 4))], [(np.zeros((0, 4)), np.zeros(0, bool))])["hmean"] == 1.0


def test_hand_computed_two_images() -> None:
    # image 1: gt A, B; detections: one on A (IoU 0.81), one off (IoU 0.33 with B), one on nothing
    gt1 = np.array([[0, 0, 10, 10], [20, 0, 30, 10]])
    det1 = np.array([[1, 0, 10, 9], [25, 0, 35, 10], [50, 50, 60, 60]])
    # image 2: gt C; two detections on C: only one can match (one-to-one)
    gt2 = np.array([[0, 0, 20, 20]])
    det2 = np.array([[0, 0, 20, 20], [1, 1, 20, 20]])
    r = detection_prf([det1, det2], [(gt1, np.zeros(2, bool)), (gt2, np.zeros(1, bool))])
    # TP = 2, detections = 5, ground truth = 3 -> P 0.4, R 2/3, H = 2*0.4*0.667/(1.0667) = 0.5
    assert r["precision"] == pytest.approx(0.4) and r["recall"] == pytest.approx(2 / 3)
    assert r["hmean"] == pytest.approx(0.5)


def test_iou_threshold_is_inclusive_at_half() -> None:
    gt = np.array([[0, 0, 10, 10]])
    half = np.array([[0, 0, 10, 5]])  # IoU exactly 0.5
    assert match_detections(half, gt).true_positives == 1
    assert match_detections(np.array([[0, 0, 10, 4.9]]), gt).true_positives == 0


def test_one_to_one_prefers_highest_iou() -> None:
    gt = np.array([[0, 0, 10, 10], [8, 0, 18, 10]])
    det = np.array([[7, 0, 17, 10]])  # IoU 0.18 with gt 0, 0.82 with gt 1
    match = match_detections(det, gt)
    assert match.pairs == ((0, 1),)


def test_dontcare_neither_rewarded_nor_penalised() -> None:
    gt = np.array([[0, 0, 10, 10], [30, 0, 60, 10]])
    dontcare = np.array([False, True])
    with_hit = match_detections(np.array([[0, 0, 10, 10], [31, 0, 59, 10]]), gt, dontcare)
    without = match_detections(np.array([[0, 0, 10, 10]]), gt, dontcare)
    assert (with_hit.true_positives, with_hit.detections, with_hit.ground_truth) == (1, 1, 1)
    assert (without.true_positives, without.detections, without.ground_truth) == (1, 1, 1)
    assert with_hit.ignored_detections == (1,)
    # a detection only partly on the don't-care region still counts as a false positive
    partly = match_detections(np.array([[0, 0, 10, 10], [50, 0, 80, 10]]), gt, dontcare)
    assert partly.detections == 2 and prf(partly.true_positives, partly.detections, partly.ground_truth)["precision"] == 0.5


def test_mismatched_lengths_fail() -> None:
    with pytest.raises(ValueError):
        match_detections(np.zeros((1, 4)), np.zeros((2, 4)), np.zeros(1, bool))
