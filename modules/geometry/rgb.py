"""One normaliser for every image a model is handed: PIL images and numpy arrays of any common layout
become ``(H, W, 3)`` uint8 RGB (or ``(H, W)`` uint8 gray). Transparent pixels are composited on white
(``modules.imageio.composite_on_white``), as files are when read."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from modules.imageio import composite_on_white

_ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")


def image_array(image: np.ndarray | Image.Image, rgb: bool = True) -> np.ndarray:
    """PIL image or ``(H, W)`` / ``(H, W, 1|3|4)`` array -> contiguous ``(H, W, 3)`` RGB (``rgb``) or
    ``(H, W)`` gray uint8.

    PIL images with alpha or a transparent colour and 4-channel arrays (RGBA) are composited on white;
    float arrays with values up to 1.0 are scaled by 255, other non-uint8 arrays clipped to 0..255.
    Raises ``TypeError`` for other types and ``ValueError`` for an empty image or another shape.
    """
    if isinstance(image, Image.Image):
        if image.mode in _ALPHA_MODES or "transparency" in image.info:
            image = np.asarray(image.convert("RGBA"))
        else:
            image = np.asarray(image.convert("RGB" if rgb else "L"))
    if not isinstance(image, np.ndarray):
        raise TypeError(f"unsupported image type {type(image).__name__}: give a PIL image or a numpy array")
    array = image
    if array.dtype != np.uint8:
        if np.issubdtype(array.dtype, np.floating) and array.size and array.max() <= 1.0:
            array = array * 255.0
        array = np.clip(array, 0, 255).astype(np.uint8)
    if array.ndim == 3 and array.shape[2] == 4:
        array = composite_on_white(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] != 3) or 0 in array.shape[:2]:
        raise ValueError(f"expected a non-empty (H, W), (H, W, 3) or (H, W, 4) image, got shape {array.shape}")
    if rgb and array.ndim == 2:
        return cv2.cvtColor(array, cv2.COLOR_GRAY2RGB)
    if not rgb and array.ndim == 3:
        return cv2.cvtColor(np.ascontiguousarray(array), cv2.COLOR_RGB2GRAY)
    return np.ascontiguousarray(array)


def image_size(image: np.ndarray | Image.Image) -> tuple[int, int]:
    """``(height, width)`` of an image given as an array ``(H, W[, C])`` or a PIL image."""
    if isinstance(image, Image.Image):
        return image.height, image.width
    shape = np.shape(image)
    return int(shape[0]), int(shape[1])
