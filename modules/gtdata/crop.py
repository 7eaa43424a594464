"""Cutting word images out of scene images.

Arrays are ``(H, W, 3) uint8 RGB`` (or ``(H, W)`` gray). Boxes are ``(x, y, w, h)`` floats and quads
four ``(x, y)`` corners TL, TR, BR, BL, all in the image's pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from modules.ocr.crop import tile_vertical

VERTICAL_MODES = ("skip", "rotate", "tile")


def jitter_box(bbox: Sequence[float], rng: np.random.Generator, along: float, across: float,
               outward: float = 0.0, vertical: bool = False) -> tuple[float, float, float, float]:
    """``bbox`` ``(x, y, w, h)`` with each edge moved independently, as a detector's box is off.

    Shifts are Gaussian in units of the box's shorter side ``s`` (the character size): standard
    deviation ``along`` for the two edges that end the text (left / right, or top / bottom when
    ``vertical``), ``across`` for the other two, mean ``outward`` (positive grows the box, like the OCR's
    crop margin). Each shift is clipped to ``outward +- 2.5 sd`` and the box keeps at least half its size.
    """
    x, y, w, h = (float(v) for v in bbox)
    side = max(1.0, min(w, h))
    sd_x, sd_y = (across, along) if vertical else (along, across)
    left, right = (outward + np.clip(rng.normal(0.0, sd_x, 2), -2.5 * sd_x, 2.5 * sd_x)) * side
    top, bottom = (outward + np.clip(rng.normal(0.0, sd_y, 2), -2.5 * sd_y, 2.5 * sd_y)) * side
    x0, x1 = x - left, x + w + right
    y0, y1 = y - top, y + h + bottom
    if x1 - x0 < w / 2:
        x0, x1 = x + w / 4, x + 3 * w / 4
    if y1 - y0 < h / 2:
        y0, y1 = y + h / 4, y + 3 * h / 4
    return x0, y0, x1 - x0, y1 - y0


def crop_box(image: np.ndarray, bbox: Sequence[float]) -> np.ndarray | None:
    """The pixels of ``bbox`` (clamped to the image, outward-rounded); None when nothing is left."""
    height, width = image.shape[:2]
    x, y, w, h = bbox
    x0, y0 = max(0, math.floor(x)), max(0, math.floor(y))
    x1, y1 = min(width, math.ceil(x + w)), min(height, math.ceil(y + h))
    if x1 <= x0 or y1 <= y0:
        return None
    return image[y0:y1, x0:x1].copy()


def rectify_quad(image: np.ndarray, quad: Sequence[Sequence[float]]) -> np.ndarray | None:
    """Warp the quadrilateral ``quad`` (TL, TR, BR, BL) to an upright rectangle.

    The output is as wide as the longer of the top / bottom edges and as high as the longer of the
    left / right edges; pixels outside the image repeat the border. None for a degenerate quad.
    """
    src = np.asarray(quad, dtype=np.float32).reshape(4, 2)
    tl, tr, br, bl = src
    width = round(float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = round(float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    if width < 1 or height < 1:
        return None
    dst = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def tiled_vertical(crop: np.ndarray, label: str, ratio: float = 1.5) -> np.ndarray:
    """A top-to-bottom word cut into one band per character of ``label`` (spaces left out), laid side by
    side: the horizontal form ``modules.ocr`` reads vertical boxes in (``OCR.crop_candidates``). A crop
    less than ``ratio`` times taller than wide, or a one-character label, is returned unchanged (the
    horizontal words of a vertical signboard)."""
    characters = len(label.replace(" ", ""))
    if characters < 2 or crop.shape[0] < ratio * crop.shape[1]:
        return crop
    return tile_vertical(crop, characters)


def upright_vertical(crop: np.ndarray) -> np.ndarray:
    """Turn a top-to-bottom word into a left-to-right line (90° counter-clockwise: the first
    character, at the top, ends up on the left)."""
    return cv2.rotate(crop, cv2.ROTATE_90_COUNTERCLOCKWISE)
