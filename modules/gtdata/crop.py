"""Training-crop jitter: boxes moved as a detector's are off. The cutting itself (``crop_box``,
``warp_quad``, ``tiled_vertical``, ``upright_vertical``) is ``modules.geometry.crop``.

Arrays are ``(H, W, 3) uint8 RGB`` (or ``(H, W)`` gray). Boxes are ``(x, y, w, h)`` floats and quads
four ``(x, y)`` corners TL, TR, BR, BL, all in the image's pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


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
