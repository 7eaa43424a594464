"""Cutting word images out of scene images.

Arrays are ``(H, W, 3) uint8 RGB`` (or ``(H, W)`` gray). Boxes are ``(x, y, w, h)`` floats and quads
four ``(x, y)`` corners TL, TR, BR, BL, all in the image's pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

VERTICAL_MODES = ("skip", "rotate")


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


def upright_vertical(crop: np.ndarray) -> np.ndarray:
    """Turn a top-to-bottom word into a left-to-right line (90° counter-clockwise: the first
    character, at the top, ends up on the left)."""
    return cv2.rotate(crop, cv2.ROTATE_90_COUNTERCLOCKWISE)
