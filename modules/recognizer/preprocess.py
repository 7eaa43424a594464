"""Crop -> model input, shared by training (lmdb reader) and inference (``Recognizer``)."""

from __future__ import annotations

import math

import cv2
import numpy as np
import torch
from PIL import Image

from modules.recognizer.config import Preprocess


def to_array(image: np.ndarray | Image.Image, rgb: bool) -> np.ndarray:
    """PIL image or ``(H, W)`` / ``(H, W, 3|4)`` uint8 array -> ``(H, W, 3)`` RGB or ``(H, W)`` gray uint8."""
    if isinstance(image, Image.Image):
        image = np.asarray(image.convert("RGB" if rgb else "L"))
    array = np.asarray(image)
    if array.dtype != np.uint8:
        if np.issubdtype(array.dtype, np.floating) and array.size and array.max() <= 1.0:
            array = array * 255.0
        array = np.clip(array, 0, 255).astype(np.uint8)
    if array.ndim == 3 and array.shape[2] == 4:
        array = array[:, :, :3]
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"expected a non-empty (H, W) or (H, W, 3) image, got shape {array.shape}")
    if rgb and array.ndim == 2:
        return cv2.cvtColor(array, cv2.COLOR_GRAY2RGB)
    if not rgb and array.ndim == 3:
        return cv2.cvtColor(np.ascontiguousarray(array), cv2.COLOR_RGB2GRAY)
    return array


def resize(image: np.ndarray, pre: Preprocess) -> np.ndarray:
    """RGB/gray uint8 crop of any size -> ``(C, img_h, img_w)`` uint8 (see ``Preprocess``)."""
    array = to_array(image, pre.rgb)
    h, w = array.shape[:2]
    if pre.keep_ratio_pad:
        new_w = max(1, min(pre.img_w, math.ceil(pre.img_h * w / h)))
    else:
        new_w = pre.img_w
    interp = cv2.INTER_AREA if (h > pre.img_h and w > new_w) else cv2.INTER_LINEAR
    out = cv2.resize(array, (new_w, pre.img_h), interpolation=interp)
    if out.ndim == 2:
        out = out[:, :, None]
    if new_w < pre.img_w:  # DTRB's PAD: repeat the last column
        out = np.concatenate([out, np.repeat(out[:, -1:], pre.img_w - new_w, axis=1)], axis=1)
    return np.ascontiguousarray(out.transpose(2, 0, 1))


def to_tensor(batch: np.ndarray | torch.Tensor) -> torch.Tensor:
    """``(B, C, H, W)`` uint8 -> float32 in [-1, 1]."""
    batch = torch.as_tensor(batch)
    return batch.float().div_(127.5).sub_(1.0)
