"""Crops come from the original image, with a margin, and rotated quads are rectified."""

from __future__ import annotations

import cv2
import numpy as np

from modules.geometry.crop import crop_quad, expand_quad, ink_extent, tile_vertical
from modules.geometry.quads import quad_from_xyxy


def test_axis_aligned_crop_is_a_slice_of_the_original_with_margin():
    image = np.random.default_rng(0).integers(0, 255, (1000, 3000, 3), dtype=np.uint8)
    crop = crop_quad(image, quad_from_xyxy(1000, 400, 1400, 500), margin=0.1)  # height 100 -> 10 px margin
    assert crop.shape == (120, 420, 3)
    assert np.array_equal(crop, image[390:510, 990:1410])


def test_crop_is_clipped_to_the_image_and_degenerate_boxes_give_none():
    image = np.zeros((100, 100), np.uint8)
    assert crop_quad(image, quad_from_xyxy(90, 90, 130, 130), margin=0.0).shape == (10, 10)
    assert crop_quad(image, quad_from_xyxy(200, 200, 300, 300), margin=0.1) is None
    assert crop_quad(image, quad_from_xyxy(10, 10, 11, 40), margin=0.0) is None


def test_rotated_quad_is_warped_upright():
    image = np.full((400, 400, 3), 255, np.uint8)
    image[180:220, 100:300] = 0  # a black bar, 200 x 40
    matrix = cv2.getRotationMatrix2D((200, 200), 30, 1.0)
    rotated = cv2.warpAffine(image, matrix, (400, 400), borderValue=(255, 255, 255))
    corners = np.array([[100, 180, 1], [300, 180, 1], [300, 220, 1], [100, 220, 1]], np.float64) @ matrix.T
    crop = crop_quad(rotated, tuple(map(tuple, corners)), margin=0.0)
    assert abs(crop.shape[1] - 200) <= 1 and abs(crop.shape[0] - 40) <= 1
    assert crop[5:-5, 5:-5].mean() < 30  # the inside of the bar, upright


def test_expand_quad_grows_along_the_box_axes():
    quad = quad_from_xyxy(10, 10, 110, 30)
    grown = expand_quad(quad, 0.5)  # height 20 -> 10 px each side
    assert np.allclose(grown, [(0, 0), (120, 0), (120, 40), (0, 40)])


def test_expand_quad_uses_the_shorter_side_for_vertical_words():
    grown = expand_quad(quad_from_xyxy(10, 10, 30, 110), 0.5)  # 20 wide, 100 tall -> 10 px each side
    assert np.allclose(grown, [(0, 0), (40, 0), (40, 120), (0, 120)])


def test_tile_vertical_lays_stacked_characters_side_by_side():
    column = np.concatenate([np.full((20, 20), v, np.uint8) for v in (10, 20, 30)], axis=0)  # 3 "characters"
    tiled = tile_vertical(column, 3)
    assert tiled.shape == (20, 60)
    assert [int(tiled[10, x]) for x in (10, 30, 50)] == [10, 20, 30]
    assert tile_vertical(np.zeros((31, 10, 3), np.uint8), 2).shape == (16, 20, 3)  # uneven bands resized


def test_expand_quad_along_and_across_the_text():
    horizontal = expand_quad(quad_from_xyxy(10, 10, 110, 30), 0.5, along=1.0)  # 10 px across, 20 px along
    assert np.allclose(horizontal, [(-10, 0), (130, 0), (130, 40), (-10, 40)])
    vertical = expand_quad(quad_from_xyxy(10, 10, 30, 110), 0.5, along=1.0)  # the text runs downwards
    assert np.allclose(vertical, [(0, -10), (40, -10), (40, 130), (0, 130)])
    image = np.zeros((200, 200), np.uint8)
    assert crop_quad(image, quad_from_xyxy(50, 50, 150, 70), margin=0.0, along=0.5).shape == (20, 120)


def test_ink_extent_finds_the_characters_whichever_the_polarity():
    panel = np.full((120, 60, 3), (200, 180, 60), np.uint8)  # light panel, dark strokes at rows 22-97
    for top in (22, 50, 78):
        panel[top:top + 20, 8:32] = (20, 20, 90)
        panel[top + 5:top + 15, 13:27] = (200, 180, 60)  # a hollow square: a stroke 5 px wide
    assert ink_extent(panel) == (22, 98, 8, 32)
    inverted = 255 - panel  # light text on a dark panel
    assert ink_extent(inverted) == (22, 98, 8, 32)
    speck = panel.copy()
    speck[5, 20] = (20, 20, 90)  # one noise pixel: under 2% of its row, ignored
    assert ink_extent(speck) == (22, 98, 8, 32)
    assert ink_extent(np.full((50, 20), 128, np.uint8)) is None  # nothing to find
    assert ink_extent(np.zeros((2, 40), np.uint8)) is None
