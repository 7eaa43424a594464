"""Target assignment on hand-made boxes."""

from __future__ import annotations

import torch

from modules.detector.targets import build_targets

# Anchors (pixels): 3 small for stride 8, 3 medium for 16, 3 large for 32.
ANCHORS = torch.tensor([[8, 8], [16, 8], [32, 8], [48, 16], [64, 16], [96, 24], [128, 32], [192, 48], [240, 64]],
                       dtype=torch.float32)  # pixels of a 256 input


def test_box_goes_to_matching_anchor_cell_and_neighbours() -> None:
    # a 64x16 box centred at (100, 60): exact match for anchor 4 (stride 16, anchor index 1)
    boxes = [torch.tensor([[68.0, 52.0, 132.0, 68.0]])]
    targets = build_targets(boxes, [torch.tensor([0])], ANCHORS, 256, anchor_ratio=1.2, neighbours=True)
    assert [t.count for t in targets] == [0, 3, 0]
    t = targets[1]
    cells = sorted(zip(t.gy.tolist(), t.gx.tolist()))
    # centre (100, 60) / 16 = (6.25, 3.75): own cell (3, 6); x frac 0.25 -> left (3, 5); y frac 0.75 -> below (4, 6)
    assert cells == [(3, 5), (3, 6), (4, 6)]
    assert t.anchor.tolist() == [1, 1, 1] and t.batch.tolist() == [0, 0, 0]
    assert torch.equal(t.boxes[0], boxes[0][0]) and t.classes.tolist() == [0, 0, 0]


def test_ratio_rule_allows_several_anchors_and_best_is_always_kept() -> None:
    boxes = [torch.tensor([[0.0, 0.0, 40.0, 10.0]]), torch.tensor([[0.0, 0.0, 250.0, 4.0]])]
    targets = build_targets(boxes, [torch.tensor([0]), torch.tensor([0])], ANCHORS, 256, anchor_ratio=4.0,
                            neighbours=False)
    image0 = [(s, a) for s, t in enumerate(targets) for a, b in zip(t.anchor.tolist(), t.batch.tolist()) if b == 0]
    # 40x10 is within 4x (in width and height) of anchors 16x8 .. 128x32, not of 8x8 (5x) or 192x48 (4.8x)
    assert image0 == [(0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 0)]
    image1 = [(s, a) for s, t in enumerate(targets) for a, b in zip(t.anchor.tolist(), t.batch.tolist()) if b == 1]
    assert len(image1) == 1  # no anchor within ratio 4 of a 250x4 box: only its best-IoU anchor


def test_dontcare_boxes_are_never_positive_and_mark_ignore_cells() -> None:
    boxes = [torch.tensor([[0.0, 0.0, 64.0, 16.0], [128.0, 128.0, 192.0, 160.0]])]
    targets = build_targets(boxes, [torch.tensor([1, 1])], ANCHORS, 256)
    assert all(t.count == 0 for t in targets)
    ignore8 = targets[0].ignore[0]
    assert ignore8.shape == (3, 32, 32)
    # stride-8 cell centres 4, 12, ... inside x 128..192 and y 128..160 -> cols 16..23, rows 16..19
    assert ignore8[:, 16:20, 16:24].all() and not ignore8[:, 21:, :].any() and not ignore8[:, :, 25:].any()
    assert targets[2].ignore[0, :, 4, 5].all()  # the centre cell at stride 32 (160/32, 144/32)


def test_empty_images_give_empty_targets() -> None:
    targets = build_targets([torch.zeros(0, 4)], [torch.zeros(0, dtype=torch.long)], ANCHORS, 256)
    assert [t.count for t in targets] == [0, 0, 0] and not any(t.ignore.any() for t in targets)
