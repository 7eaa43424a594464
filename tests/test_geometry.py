"""The bottom-layer geometry: IoU and the greedy matcher, the vertical rule, crops, the image normaliser."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from modules.geometry.crop import crop_box, crop_quad, tiled_vertical, upright_vertical, warp_quad
from modules.geometry.iou import box_ioa, box_iou, greedy_match
from modules.geometry.quads import quad_from_xyxy, quad_xyxy
from modules.geometry.rgb import image_array
from modules.geometry.vertical import VERTICAL_RATIO, is_vertical


def test_iou_and_ioa_by_hand() -> None:
    a = np.array([[0, 0, 10, 10]])
    b = np.array([[5, 0, 15, 10], [20, 20, 30, 30]])
    np.testing.assert_allclose(box_iou(a, b), [[50 / 150, 0.0]])
    np.testing.assert_allclose(box_ioa(a, b), [[0.5, 0.0]])
    assert box_iou(np.zeros((0, 4)), b).shape == (0, 2)


def test_greedy_match_takes_the_best_pair_first_and_respects_allowed() -> None:
    iou = np.array([[0.9, 0.6], [0.8, 0.0]])
    assert greedy_match(iou, 0.5) == [(0, 0)]  # row 1's only candidate was taken by the better pair
    assert greedy_match(iou, 0.95) == []
    allowed = np.array([[False, True], [True, True]])
    assert greedy_match(iou, 0.5, allowed) == [(1, 0), (0, 1)]


def test_vertical_rule() -> None:
    assert VERTICAL_RATIO == 1.5
    assert is_vertical(10, 15) is True and is_vertical(10, 14.9) is False
    np.testing.assert_array_equal(is_vertical(np.array([10, 10]), np.array([30, 5])), [True, False])


def test_quads_round_trip() -> None:
    assert quad_xyxy(quad_from_xyxy(1, 2, 3, 4)) == (1.0, 2.0, 3.0, 4.0)


def test_crops() -> None:
    image = np.arange(20 * 30 * 3, dtype=np.uint8).reshape(20, 30, 3)
    np.testing.assert_array_equal(crop_box(image, (2.5, 3, 4, 5)), image[3:8, 2:7])
    assert crop_box(image, (40, 0, 5, 5)) is None
    warped = warp_quad(image, quad_from_xyxy(2, 3, 12, 8))
    assert warped.shape == (5, 10, 3)
    assert warp_quad(image, ((1, 1), (1.4, 1), (1.4, 3), (1, 3))) is None  # 0 px wide
    assert crop_quad(image, quad_from_xyxy(2, 3, 12, 8), margin=0).shape == (5, 10, 3)
    tall = np.zeros((30, 10, 3), np.uint8)
    assert tiled_vertical(tall, "가나다").shape == (10, 30, 3)
    assert tiled_vertical(tall, "가").shape == tall.shape  # one character: left as is
    assert tiled_vertical(np.zeros((14, 10, 3), np.uint8), "가나").shape == (14, 10, 3)  # not vertical
    column = np.zeros((3, 1), np.uint8)
    column[0, 0] = 7  # the top character ends on the left
    assert upright_vertical(column).tolist() == [[7, 0, 0]]


def test_image_array_normalises_every_input() -> None:
    gray = np.full((4, 5), 9, np.uint8)
    assert image_array(gray).shape == (4, 5, 3) and image_array(gray, rgb=False).shape == (4, 5)
    assert image_array(np.full((4, 5, 3), 1.0, np.float32))[0, 0].tolist() == [255, 255, 255]
    assert image_array(gray[:, :, None], rgb=False).shape == (4, 5)
    assert image_array(Image.fromarray(gray, "L"))[0, 0].tolist() == [9, 9, 9]
    with pytest.raises(ValueError):
        image_array(np.zeros((4, 5, 5), np.uint8))
    with pytest.raises(ValueError):
        image_array(np.zeros((0, 5, 3), np.uint8))
    with pytest.raises(TypeError):
        image_array([[1, 2], [3, 4]])  # type: ignore[arg-type]
