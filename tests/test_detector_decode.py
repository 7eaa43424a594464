"""Decode and NMS on known inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from modules.detector.decode import decode_boxes, decode_predictions
from modules.detector.nms import nms, postprocess


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def test_decode_boxes_known_values() -> None:
    raw = torch.zeros(1, 2, 3, 4, 6)  # (B, A, H, W, 5 + C)
    # anchor 1, cell (gy=2, gx=3): sigmoid(tx)=0.75 -> centre x = (1.5 - 0.5 + 3) * 8 = 32; sigmoid(ty)=0.25 ->
    # (0.5 - 0.5 + 2) * 8 = 16; sigmoid(tw)=0.5 -> w = 1 * 20; sigmoid(th)=0.75 -> h = 2.25 * 10
    raw[0, 1, 2, 3, :4] = torch.tensor([logit(0.75), logit(0.25), 0.0, logit(0.75)])
    anchors = torch.tensor([[5.0, 5.0], [20.0, 10.0]])
    boxes = decode_boxes(raw, anchors, stride=8)
    assert boxes.shape == (1, 2, 3, 4, 4)
    torch.testing.assert_close(boxes[0, 1, 2, 3], torch.tensor([22.0, 16 - 11.25, 42.0, 16 + 11.25]))
    # an all-zero output sits at the cell centre + 0.5 and has the anchor's size: no +0.2 bias
    torch.testing.assert_close(boxes[0, 0, 0, 0], torch.tensor([4 - 2.5, 4 - 2.5, 4 + 2.5, 4 + 2.5]))
    assert raw.abs().sum() > 0 and raw[0, 0].abs().sum() == 0  # input untouched


def test_decode_predictions_scores_and_layout() -> None:
    outputs = [torch.full((2, 3, s, s, 6), -10.0) for s in (8, 4, 2)]
    outputs[1][1, 2, 3, 1, 4] = logit(0.9)  # objectness
    outputs[1][1, 2, 3, 1, 5] = logit(0.5)  # class
    anchors = torch.full((9, 2), 16.0)
    boxes, scores, classes = decode_predictions(outputs, anchors)
    n = 3 * (64 + 16 + 4)
    assert boxes.shape == (2, n, 4) and scores.shape == (2, n) and classes.shape == (2, n)
    best = int(scores[1].argmax())
    assert scores[1, best] == pytest.approx(0.45, abs=1e-5) and float(scores[0].max()) < 1e-4
    assert best == 3 * 64 + 2 * 16 + 3 * 4 + 1


def test_nms_keeps_best_of_overlapping_and_separate_boxes() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 30], [0, 0, 10, 10.5]], dtype=np.float32)
    scores = np.array([0.8, 0.9, 0.5, 0.7], dtype=np.float32)
    assert nms(boxes, scores, iou_threshold=0.5).tolist() == [1, 2]
    # IoU of boxes 0 and 1 is 9/11 = 0.82: a threshold above keeps both, and box 3 (IoU 0.95 with 0) goes
    assert nms(boxes, scores, iou_threshold=0.85).tolist() == [1, 0, 2]
    assert nms(np.zeros((0, 4)), np.zeros(0)).tolist() == []


def test_postprocess_thresholds_and_dtypes() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 30], [5, 5, 5, 9]], dtype=np.float32)
    scores = np.array([0.8, 0.9, 0.2, 0.95], dtype=np.float32)
    kept_boxes, kept_scores = postprocess(boxes, scores, score_threshold=0.3, iou_threshold=0.5)
    assert kept_boxes.dtype == np.float32 and kept_scores.dtype == np.float32
    assert kept_boxes.tolist() == [[1, 0, 11, 10]] and kept_scores.tolist() == [pytest.approx(0.9)]


def test_nms_containment_drops_pieces_of_a_found_word() -> None:
    boxes = np.array([[0, 0, 100, 20], [60, 0, 100, 20], [120, 0, 160, 20]], dtype=np.float32)
    scores = np.array([0.9, 0.8, 0.7], dtype=np.float32)
    # the right piece (IoU 0.4 with the whole word) survives plain NMS but not the containment rule
    assert nms(boxes, scores, iou_threshold=0.45).tolist() == [0, 1, 2]
    assert nms(boxes, scores, iou_threshold=0.45, containment_threshold=0.8).tolist() == [0, 2]
    # a higher-scoring piece does not remove the lower-scoring whole word
    assert nms(boxes, np.array([0.7, 0.9, 0.8]), iou_threshold=0.45, containment_threshold=0.8).tolist() == [1, 2, 0]
