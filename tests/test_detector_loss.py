"""Loss: finite, don't-care handling, and a one-image overfit that really detects the words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from modules.detector.config import DetectorConfig, LossConfig
from modules.detector.detect import Detector
from modules.detector.letterbox import letterbox_image
from modules.detector.loss import yolo_loss
from modules.detector.model import YoloDetector
from modules.detector.synthetic import make_scene
from modules.detector.targets import build_targets
from modules.metrics.detection import match_detections

ANCHORS = torch.tensor([[8, 8], [16, 8], [32, 8], [48, 16], [64, 16], [96, 24], [128, 32], [192, 48], [240, 64]],
                       dtype=torch.float32)  # pixels of a 256 input


def random_outputs(seed: int = 0, batch: int = 1, size: int = 256) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, 3, size // s, size // s, 6, generator=gen) for s in (8, 16, 32)]


def test_loss_is_finite_with_and_without_boxes() -> None:
    outputs = random_outputs(batch=2)
    boxes = [torch.tensor([[10.0, 10.0, 80.0, 30.0]]), torch.zeros(0, 4)]
    classes = [torch.tensor([0]), torch.zeros(0, dtype=torch.long)]
    targets = build_targets(boxes, classes, ANCHORS, 256)
    loss, parts = yolo_loss(outputs, targets, ANCHORS, LossConfig())
    assert torch.isfinite(loss) and loss > 0 and parts["positives"] > 0 and parts["box"] > 0
    empty = build_targets([torch.zeros(0, 4)] * 2, [torch.zeros(0, dtype=torch.long)] * 2, ANCHORS, 256)
    loss_empty, parts_empty = yolo_loss(outputs, empty, ANCHORS, LossConfig())
    assert torch.isfinite(loss_empty) and parts_empty["box"] == 0 and parts_empty["positives"] == 0


def test_dontcare_region_is_neither_rewarded_nor_penalised() -> None:
    dontcare = torch.tensor([[128.0, 128.0, 200.0, 160.0]])
    boxes = [torch.cat([torch.tensor([[10.0, 10.0, 80.0, 30.0]]), dontcare])]
    classes = [torch.tensor([0, 1])]
    targets = build_targets(boxes, classes, ANCHORS, 256)
    base = random_outputs(seed=1)
    losses = []
    for objectness in (-8.0, 0.0, 8.0):  # confident "no text", unsure, confident "text" on the don't-care region
        outputs = [o.clone() for o in base]
        for o, s in zip(outputs, (8, 16, 32)):
            inside = [k for k in range(256 // s) if 128 <= (k + 0.5) * s <= 160]  # cell centres in the box
            cols = [k for k in range(256 // s) if 128 <= (k + 0.5) * s <= 200]
            o[0, :, inside[0]:inside[-1] + 1, cols[0]:cols[-1] + 1, 4] = objectness
        losses.append(float(yolo_loss(outputs, targets, ANCHORS, LossConfig(), [dontcare])[0]))
    assert losses[0] == pytest.approx(losses[1], rel=1e-6) and losses[1] == pytest.approx(losses[2], rel=1e-6)
    # the same change on a text-free region with no don't-care box does change the loss
    plain = build_targets([boxes[0][:1]], [classes[0][:1]], ANCHORS, 256)
    changed = []
    for objectness in (-8.0, 8.0):
        outputs = [o.clone() for o in base]
        outputs[0][0, :, 16:20, 16:25, 4] = objectness
        changed.append(float(yolo_loss(outputs, plain, ANCHORS, LossConfig())[0]))
    assert changed[1] > changed[0] + 0.1


def test_loss_does_not_modify_inputs() -> None:
    outputs = random_outputs(seed=2)
    copies = [o.clone() for o in outputs]
    boxes = [torch.tensor([[10.0, 10.0, 80.0, 30.0]])]
    targets = build_targets(boxes, [torch.tensor([0])], ANCHORS, 256)
    yolo_loss(outputs, targets, ANCHORS, LossConfig())
    assert all(torch.equal(a, b) for a, b in zip(outputs, copies)) and boxes[0].tolist() == [[10.0, 10.0, 80.0, 30.0]]


def test_one_image_overfit_decreases_loss_and_detects_the_words(font_path: Path) -> None:
    torch.manual_seed(0)
    image, boxes, classes = make_scene(np.random.default_rng(3), [font_path], width=320, height=240, words=3)
    assert (classes == 0).sum() == 3
    size = 256
    config = DetectorConfig(width_mult=0.25, head_width=32, input_size=size, anchors=tuple(map(tuple, (ANCHORS / size).tolist())))
    model = YoloDetector(config)
    canvas, lb = letterbox_image(image, size)
    x = torch.from_numpy(canvas.transpose(2, 0, 1).copy()).float().div(255).unsqueeze(0)
    gt = [torch.from_numpy(lb.to_input(boxes))]
    targets = build_targets(gt, [torch.from_numpy(classes)], ANCHORS, size)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(120):
        loss, _ = yolo_loss(model(x), targets, ANCHORS, LossConfig())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    assert all(np.isfinite(losses)) and np.mean(losses[-10:]) < 0.2 * np.mean(losses[:5])
    model.eval()  # BN running statistics must have followed training for eval-mode detection
    found, scores = Detector(model, config, score_threshold=0.25).detect([image])[0]
    match = match_detections(found, boxes)
    assert match.true_positives == 3, (found, boxes)
    assert found.dtype == np.float32 and found.shape[1] == 4 and scores.shape == (len(found),)
