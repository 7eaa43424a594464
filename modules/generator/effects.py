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


def extrude(mask: np.ndarray, dx: int, dy: int, depth: int) -> np.ndarray:
    """3-D extruded letters: the union of ``mask`` shifted 1..``depth`` steps of ``(dx, dy)`` pixels,
    drawn behind the face in a darker colour. ``(H, W) uint8`` in and out."""
    out = np.zeros_like(mask)
    for step in range(1, depth + 1):
        np.maximum(out, shift(mask, dx * step, dy * step), out=out)
    return out


def uneven_light(rng: np.random.Generator, img: np.ndarray, strength: float) -> np.ndarray:
    """Light falling off across the image: multiply by a smooth ramp + radial field in
    ``[1 - strength, 1 + strength / 2]``. ``(H, W, 3) uint8 RGB`` in and out."""
    h, w = img.shape[:2]
    sh, sw = max(2, h // 4), max(2, w // 4)
    ys, xs = np.mgrid[0:sh, 0:sw].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = xs / sw * np.cos(angle) + ys / sh * np.sin(angle)
    cx, cy = rng.uniform(0, sw), rng.uniform(0, sh)
    radial = -np.hypot((xs - cx) / sw, (ys - cy) / sh)
    field = ramp * rng.uniform(0, 1) + radial * rng.uniform(0, 1)
    field = (field - field.min()) / max(float(np.ptp(field)), 1e-6)  # 0..1
    gain = cv2.resize(1 - strength + 1.5 * strength * field, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(img.astype(np.float32) * gain[..., None], 0, 255).astype(np.uint8)


def glare(rng: np.random.Generator, img: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """A specular highlight: a bright, soft ellipse somewhere on the image (light on glossy signs).

    ``scale`` < 1 draws and blurs the ellipse at that share of the image size and enlarges it: the same
    soft light (the same random draws) for a fraction of the time on a large scene, whose blur spans
    hundreds of pixels at full size."""
    h, w = img.shape[:2]
    center = (int(rng.integers(0, w)), int(rng.integers(0, h)))
    axes = (max(2, int(w * rng.uniform(0.05, 0.3))), max(2, int(h * rng.uniform(0.2, 0.7))))
    angle = float(rng.uniform(0, 180))
    sigma = max(1.0, min(axes) * 0.6)
    if scale < 1.0:
        sh, sw = max(1, round(h * scale)), max(1, round(w * scale))
        mask = np.zeros((sh, sw), np.uint8)
        cv2.ellipse(mask, (round(center[0] * scale), round(center[1] * scale)),
                    (max(1, round(axes[0] * scale)), max(1, round(axes[1] * scale))), angle, 0, 360, 255, -1)
        soft = cv2.resize(cv2.GaussianBlur(mask, (0, 0), max(0.5, sigma * scale)), (w, h), interpolation=cv2.INTER_LINEAR)
    else:
        mask = np.zeros((h, w), np.uint8)
        cv2.ellipse(mask, center, axes, angle, 0, 360, 255, -1)
        soft = cv2.GaussianBlur(mask, (0, 0), sigma)
    alpha = soft.astype(np.float32)[..., None] * (rng.uniform(0.4, 0.85) / 255.0)
    out = img.astype(np.float32)
    return np.clip(out + (255.0 - out) * alpha, 0, 255).astype(np.uint8)


def occlude(rng: np.random.Generator, img: np.ndarray, max_cover: float = 0.1) -> np.ndarray:
    """Something in front of the text: a thin bar, wire or blob of a random colour covering at most
    about ``max_cover`` of the image (little enough that every character stays readable)."""
    h, w = img.shape[:2]
    out = img.copy()
    color = tuple(int(c) for c in rng.integers(0, 256, 3))
    kind = rng.random()
    if kind < 0.4:  # a wire or pole crossing the text
        thickness = max(1, int(h * rng.uniform(0.03, 0.08)))
        x0, x1 = int(rng.integers(0, w)), int(rng.integers(0, w))
        cv2.line(out, (x0, 0), (x1, h), color, thickness)
    elif kind < 0.7:  # a bar along one edge (a frame, the next sign)
        edge = int(rng.integers(4))
        depth = max(1, int((h if edge < 2 else w) * rng.uniform(0.03, max_cover)))
        region = ((slice(0, depth), slice(None)), (slice(h - depth, h), slice(None)),
                  (slice(None), slice(0, depth)), (slice(None), slice(w - depth, w)))[edge]
        out[region] = color
    else:  # a blob (a leaf, a sticker) at a corner
        radius = max(2, int(np.sqrt(max_cover * h * w / np.pi)))
        cx = int(rng.choice([rng.integers(0, max(1, w // 8)), rng.integers(w - max(1, w // 8), w)]))
        cy = int(rng.choice([0, h]))
        cv2.circle(out, (cx, cy), radius, color, -1)
    return out
