"""Image effects used by the crop and scene renderers (all with OpenCV, on small arrays).

Layer stacks are ``(H, W, C) uint8`` alpha planes (text, outline, shadow) warped together, so a
geometric effect moves every layer the same way; photometric effects take ``(H, W, 3) uint8 RGB``.
"""

from __future__ import annotations

import cv2
import numpy as np

_ELLIPSES: dict[int, np.ndarray] = {}


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Grow a ``(H, W) uint8`` mask by ``radius`` pixels (outline / stroke)."""
    kernel = _ELLIPSES.get(radius)
    if kernel is None:
        kernel = _ELLIPSES[radius] = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)
    return cv2.dilate(mask, kernel)


def embolden(mask: np.ndarray, size: int) -> np.ndarray:
    """A bolder weight of a ``(H, W) uint8`` text mask drawn at ``size`` px: every stroke grows by
    ``max(1, round(size / 24))`` px (a square dilation). Same shape."""
    grow = max(1, round(size / 24))
    return cv2.dilate(mask, np.ones((grow + 1, grow + 1), np.uint8))


def shift(mask: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """Translate a 2-D mask by whole pixels, filling with 0."""
    out = np.zeros_like(mask)
    h, w = mask.shape[:2]
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    out[yd, xd] = mask[ys, xs]
    return out


def affine_fit(matrix: np.ndarray, w: int, h: int) -> tuple[np.ndarray, int, int]:
    """Shift a 2x3 affine matrix so the whole transformed ``w x h`` rectangle lands in view.

    Returns ``(matrix, new_w, new_h)``.
    """
    corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], np.float32)
    moved = corners @ matrix.T
    x0, y0 = moved.min(axis=0)
    x1, y1 = moved.max(axis=0)
    matrix = matrix.copy()
    matrix[:, 2] -= (x0, y0)
    return matrix, int(np.ceil(x1 - x0)), int(np.ceil(y1 - y0))


def rotation_matrix(angle_deg: float, w: int, h: int, shear: float = 0.0) -> tuple[np.ndarray, int, int]:
    """Rotation by ``angle_deg`` (counter-clockwise) plus horizontal ``shear``, fitted to view."""
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
    if shear:
        shear_m = np.array([[1, shear, -shear * h / 2], [0, 1, 0], [0, 0, 1]], np.float64)
        rot = rot @ shear_m
    return affine_fit(rot, w, h)


def warp_affine(layers: np.ndarray, matrix: np.ndarray, w: int, h: int) -> np.ndarray:
    return cv2.warpAffine(layers, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)


def perspective(rng: np.random.Generator, layers: np.ndarray, strength: float) -> np.ndarray:
    """Move each corner inward by up to ``strength`` of the side (a tilted plane)."""
    h, w = layers.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(0, strength, (4, 2)) * np.float32([w, h]) * 0.5
    dst = src + jitter * np.float32([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    matrix = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    return cv2.warpPerspective(layers, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)


def sine_warp(layers: np.ndarray, amplitude: float, period: float, phase: float) -> np.ndarray:
    """Curve text: shift each column vertically by ``amplitude * sin(2 pi x / period + phase)``.

    The output is ``2 * ceil(amplitude)`` pixels taller so nothing is cut.
    """
    h, w = layers.shape[:2]
    pad = int(np.ceil(amplitude))
    xs = np.arange(w, dtype=np.float32)
    offset = amplitude * np.sin(2 * np.pi * xs / period + phase)
    map_x = np.broadcast_to(xs, (h + 2 * pad, w)).astype(np.float32)
    map_y = (np.arange(h + 2 * pad, dtype=np.float32)[:, None] - pad - offset[None, :]).astype(np.float32)
    return cv2.remap(layers, map_x, map_y, cv2.INTER_LINEAR, borderValue=0)


def gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), sigma)


def motion_blur(img: np.ndarray, length: int, angle_deg: float) -> np.ndarray:
    """Blur along a line of ``length`` pixels at ``angle_deg``."""
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle_deg, 1.0)
    kernel = cv2.warpAffine(kernel, rot, (length, length))
    kernel /= max(float(kernel.sum()), 1e-6)
    return cv2.filter2D(img, -1, kernel)


def gaussian_noise(rng: np.random.Generator, img: np.ndarray, sigma: float) -> np.ndarray:
    grain = rng.normal(0.0, sigma, img.shape[:2] + (1,)).astype(np.float32)
    return np.clip(img.astype(np.float32) + grain, 0, 255).astype(np.uint8)


def jpeg_artefacts(img: np.ndarray, quality: int) -> np.ndarray:
    """Round-trip through JPEG at ``quality`` (blocking, ringing)."""
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if ok else img


def resample(img: np.ndarray, factor: float) -> np.ndarray:
    """Down-scale by ``factor`` (< 1) and back up: a low-resolution look."""
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(1, int(w * factor)), max(1, int(h * factor))), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def composite(bg: np.ndarray, layers: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Paint ``(alpha (H, W) uint8, colour (3,) float32)`` layers over ``bg`` in order."""
    out = bg.astype(np.float32)
    for alpha, color in layers:
        a = alpha.astype(np.float32)[..., None] * (1.0 / 255.0)
        out += (color - out) * a
    return np.clip(out, 0, 255).astype(np.uint8)
