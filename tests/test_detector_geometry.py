"""Letterbox round trip, k-means IoU anchors, augmentation boxes."""

from __future__ import annotations

import numpy as np
import pytest

from modules.detector.anchors import box_shapes, kmeans_anchors, mean_best_iou, shape_iou, text_anchors
from modules.detector.augment import AugmentConfig, augment, clip_boxes
from modules.detector.config import coco_anchors_normalized
from modules.detector.letterbox import PAD_VALUE, letterbox_image, letterbox_params


@pytest.mark.parametrize("width,height,size", [(640, 480, 416), (300, 900, 416), (1920, 1080, 640), (50, 20, 320)])
def test_letterbox_round_trip(width: int, height: int, size: int) -> None:
    lb = letterbox_params(width, height, size)
    boxes = np.array([[0, 0, width, height], [10.5, 3, 40, 17.25]], dtype=np.float32)
    back = lb.to_original(lb.to_input(boxes))
    np.testing.assert_allclose(back, boxes, atol=1e-3)
    full = lb.to_input(boxes[:1])[0]
    # the image spans the whole square along its long side and is centred along the short one
    assert full[2] - full[0] == pytest.approx(size, abs=1) or full[3] - full[1] == pytest.approx(size, abs=1)
    # (pads are whole pixels, so centring is exact to within the rounding of the resized side)
    assert full[0] == pytest.approx(size - full[2], abs=2) and full[1] == pytest.approx(size - full[3], abs=2)


def test_letterbox_image_keeps_aspect_and_pads() -> None:
    image = np.zeros((100, 200, 3), dtype=np.uint8)
    image[:, :100] = 255
    out, lb = letterbox_image(image, 64)
    assert out.shape == (64, 64, 3) and lb.scale == pytest.approx(0.32)
    assert (out[:lb.pad_y] == PAD_VALUE).all() and lb.pad_y == 16
    assert out[32, 10].tolist() == [255, 255, 255] and out[32, 50].tolist() == [0, 0, 0]


def test_letterbox_clips_to_image() -> None:
    lb = letterbox_params(100, 50, 64)
    back = lb.to_original(np.array([[-5, 0, 70, 64]], dtype=np.float32))
    assert back.min() >= 0 and back[0, 2] == 100 and back[0, 3] == 50


def test_kmeans_recovers_text_shapes() -> None:
    rng = np.random.default_rng(1)
    centres = np.array([[0.05, 0.02], [0.2, 0.05], [0.5, 0.08]])
    shapes = np.concatenate([c * rng.uniform(0.95, 1.05, (50, 2)) for c in centres])
    anchors = kmeans_anchors(shapes, k=3, seed=0)
    np.testing.assert_allclose(anchors, centres, rtol=0.06)
    assert mean_best_iou(shapes, anchors) > 0.9
    # wide text fits text anchors much better than the COCO ones
    assert mean_best_iou(shapes, anchors) > mean_best_iou(shapes, np.array(coco_anchors_normalized())) + 0.2


def test_text_anchors_reserve_vertical_anchors() -> None:
    rng = np.random.default_rng(2)
    wide = np.array([[0.05, 0.02], [0.1, 0.03], [0.2, 0.05], [0.35, 0.06], [0.5, 0.08]])
    tall = np.array([[0.03, 0.12], [0.08, 0.35]])
    shapes = np.concatenate([c * rng.uniform(0.95, 1.05, (60, 2)) for c in wide]
                            + [c * rng.uniform(0.95, 1.05, (6, 2)) for c in tall])  # 3% vertical boxes
    is_tall = lambda a: a[:, 1] >= 1.5 * a[:, 0]  # noqa: E731
    plain = kmeans_anchors(shapes, k=5, seed=0)
    assert mean_best_iou(shapes[is_tall(shapes)], plain) < 0.75  # plain k-means leaves vertical words ill-fitted
    anchors = text_anchors(shapes, k=5, vertical=2, seed=0)
    assert (np.diff(anchors.prod(axis=1)) >= 0).all()
    np.testing.assert_allclose(anchors[is_tall(anchors)], tall, rtol=0.06)
    assert mean_best_iou(shapes[is_tall(shapes)], anchors) > 0.9
    np.testing.assert_array_equal(text_anchors(shapes[:300], k=5, vertical=2), kmeans_anchors(shapes[:300], k=5))


def test_kmeans_needs_enough_boxes_and_sorts_by_area() -> None:
    with pytest.raises(ValueError, match="at least 9"):
        kmeans_anchors(np.ones((5, 2)), k=9)
    anchors = kmeans_anchors(np.random.default_rng(0).uniform(0.01, 0.5, (200, 2)), k=9)
    assert (np.diff(anchors.prod(axis=1)) >= 0).all()


def test_shape_iou_and_box_shapes() -> None:
    assert shape_iou(np.array([[2, 1]]), np.array([[2, 1], [1, 2], [4, 2]])).tolist() == [[1.0, pytest.approx(1 / 3), 0.25]]
    np.testing.assert_allclose(box_shapes(np.array([[0, 0, 50, 10]]), 200, 100), [[0.25, 0.05]])


def test_augment_moves_boxes_with_pixels_and_never_flips() -> None:
    image = np.zeros((200, 300, 3), dtype=np.uint8)
    image[50:80, 40:200] = 255  # a white bar where the box is
    boxes, classes = np.array([[40, 50, 200, 80]], dtype=np.float32), np.array([0])
    config = AugmentConfig(hue=0, saturation=0, value=0, gray_p=0, blur_p=0, translate=0.05, scale=(0.8, 1.2))
    for seed in range(5):
        out, b, c = augment(image, boxes, classes, 256, config, np.random.default_rng(seed))
        assert out.shape == (256, 256, 3) and len(b) == 1 and c.tolist() == [0]
        x1, y1, x2, y2 = b[0].round().astype(int)
        inside = out[y1 + 2:y2 - 2, x1 + 2:x2 - 2]
        assert inside.mean() > 200  # box still covers the bar: no flip, no misalignment
        assert out[max(0, y1 - 6), (x1 + x2) // 2].mean() < 130  # above the bar: background or padding


def test_clip_boxes_marks_cut_text_dontcare_and_drops_slivers() -> None:
    boxes = np.array([[10, 10, 50, 30], [80, 10, 130, 30], [90, 40, 150, 60], [-100, 10, 2, 30]], dtype=np.float32)
    kept, classes = clip_boxes(boxes, np.array([0, 0, 0, 0]), 100, AugmentConfig())
    # visible: 100%, 40% (cut -> don't-care), 17% and 2% (dropped)
    assert kept.tolist() == [[10, 10, 50, 30], [80, 10, 100, 30]]
    assert classes.tolist() == [0, 1]
