"""When a box is a vertical word: one rule for data preparation, anchors, box joining and the OCR."""

from __future__ import annotations

import numpy as np

VERTICAL_RATIO = 1.5  # a box this many times taller than wide reads top to bottom


def is_vertical(width: float | np.ndarray, height: float | np.ndarray, ratio: float = VERTICAL_RATIO
                ) -> bool | np.ndarray:
    """True where ``height >= ratio * width`` (scalars -> bool, arrays -> elementwise bool array)."""
    out = np.asarray(height) >= ratio * np.asarray(width)
    return bool(out) if out.ndim == 0 else out
