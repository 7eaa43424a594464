"""Letterbox resizing (keep the aspect ratio, pad to a square) and its inverse mapping.

Box format everywhere: ``(N, 4) float32 xyxy`` pixels, origin top-left.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

PAD_VALUE = 114  # mid-grey padding as in YOLOv3/v5 implementations


@dataclass(frozen=True)
class Letterbox:
    """Maps original-image pixels to letterboxed input pixels: ``input = original * scale + pad``."""

    scale: float
    pad_x: int
    pad_y: int
    width: int  # original image size
    height: int

    def to_input(self, boxes: np.ndarray) -> np.ndarray:
        """Original-pixel xyxy boxes ``(N, 4)`` -> input-pixel xyxy boxes (new array)."""
        out = np.asarray(boxes, dtype=np.float32).reshape(-1, 4) * self.scale
        out[:, [0, 2]] += self.pad_x
        out[:, [1, 3]] += self.pad_y
        return out

    def to_original(self, boxes: np.ndarray, clip: bool = True) -> np.ndarray:
        """Input-pixel xyxy boxes ``(N, 4)`` -> original-pixel xyxy boxes, clipped to the image (new array)."""
        out = np.asarray(boxes, dtype=np.float32).reshape(-1, 4).copy()
        out[:, [0, 2]] -= self.pad_x
        out[:, [1, 3]] -= self.pad_y
        out /= self.scale
        if clip:
            out[:, [0, 2]] = out[:, [0, 2]].clip(0, self.width)
            out[:, [1, 3]] = out[:, [1, 3]].clip(0, self.height)
        return out


def letterbox_params(width: int, height: int, size: int) -> Letterbox:
    """The scale and centring pads that fit a ``width x height`` image into a ``size x size`` square."""
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive, got {width}x{height}")
    scale = size / max(width, height)
    new_w, new_h = round(width * scale), round(height * scale)
    return Letterbox(scale, (size - new_w) // 2, (size - new_h) // 2, width, height)


def letterbox_image(image: np.ndarray, size: int) -> tuple[np.ndarray, Letterbox]:
    """Resize an ``(H, W, 3)`` uint8 RGB image into a ``(size, size, 3)`` padded square."""
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    h, w = image.shape[:2]
    lb = letterbox_params(w, h, size)
    new_w, new_h = round(w * lb.scale), round(h * lb.scale)
    canvas = np.full((size, size, 3), PAD_VALUE, dtype=np.uint8)
    interp = cv2.INTER_AREA if lb.scale < 1 else cv2.INTER_LINEAR
    canvas[lb.pad_y:lb.pad_y + new_h, lb.pad_x:lb.pad_x + new_w] = cv2.resize(image, (new_w, new_h),
                                                                             interpolation=interp)
    return canvas, lb
