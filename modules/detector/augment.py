"""Training-time augmentation suited to text: random scale and translation (one affine warp into the
square input), colour jitter, grey-scale and blur. No flips and no rotation: mirrored text is not text,
and boxes stay axis-aligned.

Boxes are ``(N, 4)`` xyxy pixels; ``classes`` 0 = text, 1 = don't-care. A text box that the crop cuts so
that less than ``keep_visible`` of it remains becomes don't-care (half a word should be neither found
nor punished); boxes with less than ``drop_visible`` left, or thinner than 2 px, are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from modules.detector.letterbox import PAD_VALUE


@dataclass(frozen=True)
class AugmentConfig:
    scale: tuple[float, float] = (0.5, 1.3)  # random zoom around the reference scale (see random_affine)
    translate: float = 0.1  # extra shift beyond the image edges, as a fraction of the input side
    hue: float = 0.02  # fraction of the hue circle
    saturation: float = 0.5
    value: float = 0.35
    gray_p: float = 0.1
    blur_p: float = 0.2
    blur_sigma: tuple[float, float] = (0.4, 1.4)
    keep_visible: float = 0.6
    drop_visible: float = 0.25


def random_affine(image: np.ndarray, boxes: np.ndarray, classes: np.ndarray, size: int, config: AugmentConfig,
                  rng: np.random.Generator, zoom: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale + translate ``image`` into a ``(size, size, 3)`` canvas; returns new image, boxes, classes.

    The reference scale is the letterbox fit times ``zoom``: with ``zoom = input_size / size`` the
    canvas is a random window of the image at the scale the detector will see it at ``input_size``, so
    training on small crops costs little and text keeps its inference size. The window position is
    uniform over the image (or the image lies anywhere on the canvas when it is smaller).
    """
    h, w = image.shape[:2]
    s = size / max(w, h) * zoom * rng.uniform(*config.scale)
    jitter = config.translate * size

    def offset(extent: float) -> float:
        low, high = sorted((0.0, size - extent))
        return rng.uniform(low - jitter, high + jitter)

    tx, ty = offset(w * s), offset(h * s)
    matrix = np.array([[s, 0, tx], [0, s, ty]], dtype=np.float64)
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    out = cv2.warpAffine(image, matrix, (size, size), flags=interp, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=(PAD_VALUE, PAD_VALUE, PAD_VALUE))
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4) * s + np.array([tx, ty, tx, ty], dtype=np.float32)
    return (out, *clip_boxes(boxes, np.asarray(classes).reshape(-1), size, config))


def clip_boxes(boxes: np.ndarray, classes: np.ndarray, size: int,
               config: AugmentConfig) -> tuple[np.ndarray, np.ndarray]:
    """Clip boxes to the canvas, turn mostly cut text into don't-care, drop what is barely left."""
    area = (boxes[:, 2] - boxes[:, 0]).clip(0) * (boxes[:, 3] - boxes[:, 1]).clip(0)
    clipped = boxes.clip(0, size)
    cw, ch = clipped[:, 2] - clipped[:, 0], clipped[:, 3] - clipped[:, 1]
    visible = cw.clip(0) * ch.clip(0) / np.maximum(area, 1e-9)
    keep = (visible >= config.drop_visible) & (cw >= 2) & (ch >= 2)
    classes = np.where((visible < config.keep_visible) & (classes == 0), 1, classes)
    return clipped[keep].astype(np.float32), classes[keep].astype(np.int64)


def colour_jitter(image: np.ndarray, config: AugmentConfig, rng: np.random.Generator) -> np.ndarray:
    """HSV gains, random grey-scale and Gaussian blur on an RGB uint8 image (returns a new array)."""
    gains = 1 + rng.uniform(-1, 1, 3) * np.array([config.hue, config.saturation, config.value])
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + (gains[0] - 1) * 180) % 180
    hsv[..., 1:] *= gains[1:]
    out = cv2.cvtColor(hsv.clip(0, 255).astype(np.uint8), cv2.COLOR_HSV2RGB)
    if rng.random() < config.gray_p:
        out = np.repeat(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)[:, :, None], 3, axis=2)
    if rng.random() < config.blur_p:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(*config.blur_sigma))
    return out


def augment(image: np.ndarray, boxes: np.ndarray, classes: np.ndarray, size: int, config: AugmentConfig,
            rng: np.random.Generator, zoom: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Full training augmentation: ``(size, size, 3)`` uint8 image, boxes in its pixels, classes."""
    image, boxes, classes = random_affine(image, boxes, classes, size, config, rng, zoom)
    return colour_jitter(image, config, rng), boxes, classes
