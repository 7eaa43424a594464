"""Weighted box fusion of multi-scale detections, the Detector's multi-scale mode and memory layouts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from modules.detector import Detector, DetectorConfig
from modules.detector.detect import TTA_SCALES
from modules.detector.fusion import fuse_boxes
from modules.detector.join import join_split_words
from modules.detector.model import YoloDetector


def _run(*pairs: tuple[list[float], float]) -> tuple[np.ndarray, np.ndarray]:
    boxes = np.array([b for b, _ in pairs], np.float32).reshape(-1, 4)
    scores = np.array([s for _, s in pairs], np.float32)
    return boxes, scores


def test_overlapping_boxes_are_averaged_by_score_and_scored_per_run() -> None:
    a = _run(([10, 10, 110, 30], 0.9))
    b = _run(([14, 12, 114, 32], 0.3))
    boxes, scores = fuse_boxes([a, b], iou_threshold=0.55)
    assert boxes.shape == (1, 4)
    # (0.9 * 10 + 0.3 * 14) / 1.2 = 11, and so on per coordinate
    np.testing.assert_allclose(boxes[0], [11.0, 10.5, 111.0, 30.5], atol=1e-5)
    assert scores[0] == pytest.approx((0.9 + 0.3) / 2)


def test_separate_words_stay_apart_and_a_box_seen_once_scores_a_third() -> None:
    word = ([0, 0, 100, 20], 0.8)
    other = ([0, 50, 100, 70], 0.9)
    runs = [_run(word, other), _run(word), _run(word)]
    boxes, scores = fuse_boxes(runs, iou_threshold=0.55)
    assert len(boxes) == 2
    np.testing.assert_allclose(scores, [0.8, 0.3], atol=1e-6)  # best first: the word seen 3 times
    np.testing.assert_allclose(boxes[0], [0, 0, 100, 20])
    np.testing.assert_allclose(boxes[1], [0, 50, 100, 70])


def test_below_the_iou_threshold_boxes_are_not_merged() -> None:
    a = _run(([0, 0, 100, 20], 0.9))
    b = _run(([60, 0, 160, 20], 0.8))  # IoU 40 / 160 = 0.25
    boxes, _ = fuse_boxes([a, b], iou_threshold=0.55)
    assert len(boxes) == 2
    merged, _ = fuse_boxes([a, b], iou_threshold=0.2)
    assert len(merged) == 1


def test_empty_runs() -> None:
    empty = (np.zeros((0, 4), np.float32), np.zeros((0,), np.float32))
    boxes, scores = fuse_boxes([empty, empty])
    assert boxes.shape == (0, 4) and scores.shape == (0,)
    assert fuse_boxes([])[0].shape == (0, 4)
    with pytest.raises(ValueError):
        fuse_boxes([(np.zeros((2, 4)), np.zeros(1))])


def test_detector_multi_scale_sizes_and_outputs() -> None:
    config = DetectorConfig(width_mult=0.25, head_width=16, input_size=128)
    model = YoloDetector(config)
    detector = Detector(model, config, score_threshold=0.0, max_detections=5, tta_scales=TTA_SCALES,
                        tta_score_threshold=0.2)
    assert detector.tta_sizes == (96, 128, 160)  # 0.8 / 1 / 1.25 x 128, rounded to multiples of 32
    images = [np.zeros((90, 200, 3), np.uint8), np.full((300, 100, 3), 200, np.uint8)]
    fused = detector.detect(images, batch_size=1)
    single = [Detector(model, config, score_threshold=0.0, max_detections=5, input_size=s,
                       join_pieces=False).detect(images) for s in detector.tta_sizes]
    for index, ((boxes, scores), image) in enumerate(zip(fused, images)):
        expected_boxes, expected_scores = fuse_boxes([run[index] for run in single], 0.55)
        keep = expected_scores >= 0.2
        expected_boxes, expected_scores = join_split_words(expected_boxes[keep], expected_scores[keep])
        np.testing.assert_allclose(boxes, expected_boxes, rtol=1e-5, atol=1e-4)
        np.testing.assert_allclose(scores, expected_scores, rtol=1e-5)
        assert (scores >= 0.2).all() and boxes.dtype == np.float32
        h, w = image.shape[:2]
        if len(boxes):
            assert boxes[:, [0, 2]].max() <= w + 1e-3 and boxes[:, [1, 3]].max() <= h + 1e-3


def test_channels_last_detection_matches_the_contiguous_layout() -> None:
    config = DetectorConfig(width_mult=0.25, head_width=16, input_size=128)
    torch.manual_seed(0)
    model = YoloDetector(config)
    images = [np.random.default_rng(1).integers(0, 255, (90, 200, 3), dtype=np.uint8)]
    nhwc = Detector(model, config, score_threshold=0.0, max_detections=5).detect(images)
    assert next(model.parameters()).is_contiguous(memory_format=torch.channels_last)
    nchw = Detector(model, config, score_threshold=0.0, max_detections=5, channels_last=False).detect(images)
    np.testing.assert_allclose(nhwc[0][0], nchw[0][0], rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(nhwc[0][1], nchw[0][1], rtol=1e-4, atol=1e-5)
