"""Word crops cut from the ORIGINAL full-resolution image: the OCR's crops and the training crops.

Arrays are ``(H, W, 3) uint8 RGB`` (or ``(H, W)`` gray). Boxes are ``(x, y, w, h)`` floats and quads
four ``(x, y)`` corners TL, TR, BR, BL, all in the image's pixels. The seed demo cropped from a squashed
320x320 grayscale copy of the photo, which threw away most of the pixels the recognizer needs. Here an
axis-aligned box is sliced straight from the original array; any other quad (rotated / perspective) is
rectified with a perspective warp (``warp_quad``) to an upright crop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from modules.geometry.quads import Quad
from modules.geometry.vertical import VERTICAL_RATIO, is_vertical


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def expand_quad(quad: Quad, margin: float, along: float | None = None) -> Quad:
    """Grow a quad by ``margin`` x its shorter side across the text and ``along`` (default ``margin``)
    x its shorter side along it, on both ends.

    The shorter side (the height of a horizontal word, the width of a vertical one) is the size of the
    characters, so the same margin suits short and long words alike; "along" is the direction of the
    quad's longer side (left-right for a horizontal word, top-bottom for a vertical one).
    """
    along = margin if along is None else along
    if margin == 0 and along == 0:
        return quad
    p = np.asarray(quad, dtype=np.float64)  # (4, 2): tl, tr, br, bl
    height = (_dist(quad[0], quad[3]) + _dist(quad[1], quad[2])) / 2
    width = (_dist(quad[0], quad[1]) + _dist(quad[3], quad[2])) / 2
    short = min(height, width)
    pad_x, pad_y = (along * short, margin * short) if width >= height else (margin * short, along * short)
    right = (p[1] - p[0]) + (p[2] - p[3])
    down = (p[3] - p[0]) + (p[2] - p[1])
    right /= max(np.linalg.norm(right), 1e-9)
    down /= max(np.linalg.norm(down), 1e-9)
    signs = [(-1, -1), (1, -1), (1, 1), (-1, 1)]  # (right, down) direction per corner
    out = [p[i] + sx * pad_x * right + sy * pad_y * down for i, (sx, sy) in enumerate(signs)]
    return tuple((float(x), float(y)) for x, y in out)  # type: ignore[return-value]


def _is_axis_aligned(quad: Quad, tol: float = 0.5) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = quad
    return abs(y0 - y1) <= tol and abs(y2 - y3) <= tol and abs(x0 - x3) <= tol and abs(x1 - x2) <= tol


def crop_quad(image: np.ndarray, quad: Quad, margin: float = 0.1, along: float | None = None) -> np.ndarray | None:
    """Cut the word in ``quad`` (original pixels, tl/tr/br/bl) out of ``image`` with a margin
    (``margin`` across the text, ``along`` along it: see ``expand_quad``).

    ``image``: ``(H, W, 3)`` or ``(H, W)`` uint8. Returns an upright crop of the same channel layout,
    or None when the box (clipped to the image) is under 2 pixels in either direction.
    """
    height, width = image.shape[:2]
    quad = expand_quad(quad, margin, along)
    if _is_axis_aligned(quad):
        x1 = max(0, int(math.floor(min(quad[0][0], quad[3][0]))))
        y1 = max(0, int(math.floor(min(quad[0][1], quad[1][1]))))
        x2 = min(width, int(math.ceil(max(quad[1][0], quad[2][0]))))
        y2 = min(height, int(math.ceil(max(quad[2][1], quad[3][1]))))
        if x2 - x1 < 2 or y2 - y1 < 2:
            return None
        return np.ascontiguousarray(image[y1:y2, x1:x2])
    return warp_quad(image, quad, min_side=2)


def warp_quad(image: np.ndarray, quad: Sequence[Sequence[float]], min_side: int = 1) -> np.ndarray | None:
    """Warp the quadrilateral ``quad`` (TL, TR, BR, BL) to an upright rectangle.

    The output is as wide as the longer of the top / bottom edges and as high as the longer of the
    left / right edges; pixels outside the image repeat the border. None when a side is under
    ``min_side`` pixels (a degenerate quad).
    """
    corners = np.asarray(quad, dtype=np.float64).reshape(4, 2)
    tl, tr, br, bl = corners
    out_w = round(float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    out_h = round(float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    if out_w < max(1, min_side) or out_h < max(1, min_side):
        return None
    dst = np.asarray([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), dst)
    return cv2.warpPerspective(image, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def crop_box(image: np.ndarray, bbox: Sequence[float]) -> np.ndarray | None:
    """The pixels of ``bbox`` ``(x, y, w, h)`` (clamped to the image, outward-rounded); None when nothing
    is left."""
    height, width = image.shape[:2]
    x, y, w, h = bbox
    x0, y0 = max(0, math.floor(x)), max(0, math.floor(y))
    x1, y1 = min(width, math.ceil(x + w)), min(height, math.ceil(y + h))
    if x1 <= x0 or y1 <= y0:
        return None
    return image[y0:y1, x0:x1].copy()


def tile_vertical(crop: np.ndarray, pieces: int) -> np.ndarray:
    """Turn a vertical word (characters stacked top to bottom) into a horizontal one.

    The crop is cut into ``pieces`` equal horizontal bands (one per character) laid side by side, so a
    recognizer trained on horizontal words reads the characters upright, in order. ``pieces`` is
    usually ``round(box height / box width)``.
    """
    pieces = max(1, int(pieces))
    height = crop.shape[0]
    bounds = [round(i * height / pieces) for i in range(pieces + 1)]
    bands = [crop[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]
    band_h = max(band.shape[0] for band in bands)
    bands = [band if band.shape[0] == band_h else cv2.resize(band, (band.shape[1], band_h)) for band in bands]
    return np.ascontiguousarray(np.concatenate(bands, axis=1))


def tiled_vertical(crop: np.ndarray, label: str, ratio: float = VERTICAL_RATIO) -> np.ndarray:
    """A top-to-bottom word cut into one band per character of ``label`` (spaces left out), laid side by
    side: the horizontal form the OCR reads vertical boxes in (``OCR.crop_candidates``). A crop that is
    not vertical (``is_vertical``), or a one-character label, is returned unchanged (the horizontal words
    of a vertical signboard)."""
    characters = len(label.replace(" ", ""))
    if characters < 2 or not is_vertical(crop.shape[1], crop.shape[0], ratio):
        return crop
    return tile_vertical(crop, characters)


def upright_vertical(crop: np.ndarray) -> np.ndarray:
    """Turn a top-to-bottom word into a left-to-right line (90° counter-clockwise: the first
    character, at the top, ends up on the left)."""
    return cv2.rotate(np.ascontiguousarray(crop), cv2.ROTATE_90_COUNTERCLOCKWISE)


def ink_extent(crop: np.ndarray, min_fraction: float = 0.02) -> tuple[int, int, int, int] | None:
    """The rows and columns holding the text's ink: ``(y0, y1, x0, x1)`` (end-exclusive), or None.

    The crop (``(H, W, 3)`` or ``(H, W)`` uint8) is split into two grey levels by Otsu's threshold; the
    text is the level that covers less of the crop's border (a word crop is surrounded by its background).
    A row or column counts when at least ``min_fraction`` of it is ink, which skips stray noise pixels.
    Used to cut a vertical word's crop down to its characters before it is tiled: a detector's box, and
    more so the longer extra crops, often hold background above or below the column, which would shift
    every band off its character.
    """
    gray = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY) if crop.ndim == 3 else crop
    if gray.shape[0] < 3 or gray.shape[1] < 3:
        return None
    _, mask = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    border = np.concatenate([mask[0], mask[-1], mask[1:-1, 0], mask[1:-1, -1]])
    if border.mean() > 0.5:
        mask = 1 - mask
    rows = np.flatnonzero(mask.mean(axis=1) >= min_fraction)
    cols = np.flatnonzero(mask.mean(axis=0) >= min_fraction)
    if len(rows) < 2 or len(cols) < 2:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
