"""Crop -> model input, shared by training (lmdb reader) and inference (``Recognizer``)."""

from __future__ import annotations

import math

import cv2
import numpy as np
import torch

from modules.geometry.rgb import image_array
from modules.recognizer.config import Preprocess


def resize(image: np.ndarray, pre: Preprocess, width: int | None = None) -> np.ndarray:
    """RGB/gray uint8 crop of any size -> ``(C, img_h, width)`` uint8 (see ``Preprocess``); ``width``
    defaults to ``pre.img_w`` (a wider one reads a long crop at its own aspect, see ``wide_width``)."""
    array = image_array(image, pre.rgb)
    h, w = array.shape[:2]
    target = width or pre.img_w
    if pre.keep_ratio_pad:
        new_w = max(1, min(target, math.ceil(pre.img_h * w / h)))
    else:
        new_w = target
    interp = cv2.INTER_AREA if (h > pre.img_h and w > new_w) else cv2.INTER_LINEAR
    out = cv2.resize(array, (new_w, pre.img_h), interpolation=interp)
    if out.ndim == 2:
        out = out[:, :, None]
    if new_w < target:  # DTRB's PAD: repeat the last column
        out = np.concatenate([out, np.repeat(out[:, -1:], target - new_w, axis=1)], axis=1)
    return np.ascontiguousarray(out.transpose(2, 0, 1))


def wide_width(height: int, width: int, pre: Preprocess, max_width: int, step: int = 32) -> int:
    """The width a ``height x width`` crop is read at when it is longer than the model input: its own
    width at ``img_h`` rows, rounded to a multiple of ``step`` and capped at ``max_width``; 0 when that is
    not wider than ``img_w`` (the crop is read at ``img_w`` only).

    The models are trained on crops stretched or squeezed to ``img_w``, so a long phrase squeezed into it
    leaves a frame or two per character; read at its own aspect (a CTC model takes any width) it keeps
    about as many frames per character as the training crops of ordinary length had."""
    if max_width <= pre.img_w or height <= 0:
        return 0
    natural = min(max_width, int(round(pre.img_h * width / height / step)) * step)
    return natural if natural > pre.img_w else 0


def to_tensor(batch: np.ndarray | torch.Tensor) -> torch.Tensor:
    """``(B, C, H, W)`` uint8 -> float32 in [-1, 1]."""
    batch = torch.as_tensor(batch)
    return batch.float().div_(127.5).sub_(1.0)
