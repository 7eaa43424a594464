"""Reading long crops a second time at their own aspect (``max_width``), shared by the PyTorch and
ONNX recognizers.

A recognizer trained at a fixed input width squeezes a long phrase into it, leaving a frame or two per
character. Each crop whose own width at the input height exceeds that width (``preprocess.wide_width``)
is read again at that width, up to ``max_width``, and the more confident of its two readings is kept:
the wide reading keeps about as many frames per character as the training crops had, but the model
never saw inputs that wide, so neither reading is always the better one and the confidence decides.
The OCR's cap is ``OCRConfig.wide_width``, chosen on the dev scene sets (``docs/experiments.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from modules.recognizer.config import Preprocess
from modules.geometry.rgb import image_size
from modules.recognizer.preprocess import wide_width

Reading = tuple[str, float]


def more_confident(a: Reading, b: Reading) -> Reading:
    """The reading with the higher confidence; a non-empty text beats an empty one (an all-blank CTC
    output can be very confident); on a tie, ``a``. The OCR picks among a box's crops by the same rule."""
    return max((a, b), key=lambda r: (bool(r[0].strip()), r[1]))


def read_with_wide(
    read: Callable[[Sequence[Any], int | None], list[Reading]],
    images: Sequence[Any],
    preprocess: Preprocess,
    max_width: int,
) -> list[Reading]:
    """``read(images, width)`` (``width`` None: the model's input width) for every crop, then again at
    ``wide_width`` for the long ones, grouped by width; per crop the more confident reading."""
    results = read(images, None)
    groups: dict[int, list[int]] = {}
    for index, image in enumerate(images):
        width = wide_width(*image_size(image), preprocess, max_width)
        if width:
            groups.setdefault(width, []).append(index)
    for width, indices in sorted(groups.items()):
        for index, reading in zip(indices, read([images[i] for i in indices], width)):
            results[index] = more_confident(results[index], reading)
    return results
