"""Reading long crops a second time at their own aspect (``max_width``), shared by the PyTorch and
ONNX recognizers.

A recognizer trained at a fixed input width squeezes a long phrase into it. Each crop whose own width
at the input height exceeds that width (``preprocess.wide_width``) is read again at that width, up to
``max_width``, and the more confident of its two readings is kept. On the AIHub-format test crops of
the default run this lifted words of 10+ characters from 71% to 76% correct (all crops 84.8% ->
86.0%); reading long crops only wide gave 85.4%. End to end (``OCRConfig.wide_width``), chosen on the
two AIHub-format dev scene sets: F 0.846 -> 0.854 and 0.832 -> 0.831; caps of 320 and 384 px gave the
same, and scaling the wide reading's confidence to the input's frame count did worse.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from modules.recognizer.config import Preprocess
from modules.recognizer.preprocess import image_size, wide_width

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
