"""Backgrounds for crops and scenes: flat, gradient, noise, texture and scene-like images.

Every function takes a ``numpy.random.Generator`` and returns an ``(H, W, 3) uint8 RGB`` array, so
output depends only on the generator's state. Scene backgrounds are split-aware through the seed
the caller derives (train and validation images never share a background).
"""

from __future__ import annotations

import cv2
import numpy as np

KINDS = ("flat", "gradient", "noise", "texture", "scene")


def random_color(rng: np.random.Generator, low: int = 0, high: int = 256) -> np.ndarray:
    """One RGB colour, ``(3,) float32``, often desaturated (painted walls and signs are rarely neon)."""
    color = rng.integers(low, high, size=3).astype(np.float32)
    grey = color.mean()
    return grey + (color - grey) * np.float32(rng.uniform(0.15, 1.0))


def luminance(color: np.ndarray) -> float:
    """Rec. 601 luma of an RGB colour (0..255)."""
    return float(0.299 * color[..., 0] + 0.587 * color[..., 1] + 0.114 * color[..., 2])


def contrasting_color(rng: np.random.Generator, against: float, min_delta: float = 90.0) -> np.ndarray:
    """A random colour whose luma differs from ``against`` by at least ``min_delta`` (when possible)."""
    color = random_color(rng)
    lum = luminance(color)
    go_dark = against - min_delta >= 0 and (against + min_delta > 255 or against >= 128)
    if go_dark and lum > against - min_delta:
        color *= max(0.0, against - min_delta) / max(lum, 1.0)
    elif not go_dark and lum < against + min_delta:
        target = min(255.0, against + min_delta)
        t = (target - lum) / max(255.0 - lum, 1.0)
        color = color + (255.0 - color) * min(1.0, t)
    return np.clip(color, 0, 255).astype(np.float32)


def flat(rng: np.random.Generator, h: int, w: int, color: np.ndarray | None = None) -> np.ndarray:
    c = random_color(rng) if color is None else color
    return np.broadcast_to(c.astype(np.uint8), (h, w, 3)).copy()


def gradient(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A linear gradient between two random, not too different colours at a random angle."""
    c1 = random_color(rng)
    c2 = np.clip(c1 + rng.normal(0, 60, 3), 0, 255).astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    # a linear ramp is exact at any resolution: compute it small and let resize interpolate
    sh, sw = max(2, h // 8), max(2, w // 8)
    t = (np.arange(sw, dtype=np.float32)[None, :] * np.cos(angle) * (w / sw)
         + np.arange(sh, dtype=np.float32)[:, None] * np.sin(angle) * (h / sh))
    t -= t.min()
    t /= max(float(t.max()), 1.0)
    small = (c1 + (c2 - c1) * t[..., None]).astype(np.uint8)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int = 6) -> np.ndarray:
    """Low-frequency noise in [0, 1], ``(h, w) float32`` (random grid upsampled with bicubic)."""
    gh, gw = max(2, int(cells * h / max(h, w)) + 1), max(2, int(cells * w / max(h, w)) + 1)
    grid = rng.random((gh, gw), dtype=np.float32)
    return np.clip(cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC), 0, 1)


def noise(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A flat colour with per-pixel gaussian noise (paper, concrete)."""
    base = random_color(rng, 30, 230)
    grain = rng.normal(0, rng.uniform(6, 22), (h, w, 1)).astype(np.float32)
    return np.clip(base + grain, 0, 255).astype(np.uint8)


def texture(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Two colours mixed by smooth noise, sometimes with stripes or a brick / tile grid."""
    c1 = random_color(rng)
    c2 = np.clip(c1 + rng.normal(0, 50, 3), 0, 255).astype(np.float32)
    sh, sw = max(2, h // 4), max(2, w // 4)  # the colour mix is smooth: build it small
    t = smooth_noise(rng, sh, sw, cells=int(rng.integers(3, 12)))
    img = cv2.resize(c1 + (c2 - c1) * t[..., None], (w, h), interpolation=cv2.INTER_LINEAR)
    kind = rng.random()
    if kind < 0.25:  # stripes (wood, siding)
        period = rng.uniform(4, 20)
        ys = np.arange(h, dtype=np.float32)[:, None, None]
        img += 14 * np.sin(2 * np.pi * ys / period)
    elif kind < 0.45:  # bricks / tiles
        step_y, step_x = int(rng.integers(8, 30)), int(rng.integers(16, 60))
        line = np.clip(c1 * 0.6, 0, 255).tolist()
        img = img.astype(np.uint8)
        for row, y in enumerate(range(0, h, step_y)):
            cv2.line(img, (0, y), (w, y), line, 1)
            for x in range((row % 2) * step_x // 2, w, step_x):
                cv2.line(img, (x, y), (x, min(h, y + step_y)), line, 1)
        return img
    return np.clip(img, 0, 255).astype(np.uint8)


def _random_shapes(rng: np.random.Generator, img: np.ndarray, count: int) -> None:
    h, w = img.shape[:2]
    for _ in range(count):
        color = random_color(rng).tolist()
        kind = rng.random()
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        if kind < 0.35:
            x2, y2 = x + int(rng.integers(20, w // 2 + 21)), y + int(rng.integers(10, h // 2 + 11))
            cv2.rectangle(img, (x, y), (x2, y2), color, -1 if rng.random() < 0.7 else int(rng.integers(1, 6)))
        elif kind < 0.6:
            cv2.circle(img, (x, y), int(rng.integers(5, max(6, min(h, w) // 4))), color, -1)
        elif kind < 0.8:
            x2, y2 = int(rng.integers(0, w)), int(rng.integers(0, h))
            cv2.line(img, (x, y), (x2, y2), color, int(rng.integers(1, 8)))
        else:
            pts = np.stack([rng.integers(0, w, 4), rng.integers(0, h, 4)], axis=1).astype(np.int32)
            cv2.fillPoly(img, [pts], color)


def scene(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A scene-like image: gradient / texture base, buildings-like blocks, shapes, blurred blobs,
    and uneven lighting. ``(h, w, 3) uint8 RGB``."""
    img = gradient(rng, h, w) if rng.random() < 0.5 else texture(rng, h, w)
    # large blocks: walls, windows, sky
    for _ in range(int(rng.integers(1, 5))):
        x0, y0 = int(rng.integers(-w // 4, w)), int(rng.integers(-h // 4, h))
        bw, bh = int(rng.integers(w // 6, w)), int(rng.integers(h // 6, h))
        block = texture(rng, bh, bw) if rng.random() < 0.5 else gradient(rng, bh, bw)
        xa, ya, xb, yb = max(0, x0), max(0, y0), min(w, x0 + bw), min(h, y0 + bh)
        if xb > xa and yb > ya:
            img[ya:yb, xa:xb] = block[ya - y0:yb - y0, xa - x0:xb - x0]
    _random_shapes(rng, img, int(rng.integers(4, 16)))
    # blurred blobs (out-of-focus objects, lights), drawn and blurred at half resolution
    hh, hw = max(2, h // 2), max(2, w // 2)
    blobs = np.zeros((hh, hw, 3), np.uint8)
    mask = np.zeros((hh, hw), np.uint8)
    for _ in range(int(rng.integers(1, 6))):
        center = (int(rng.integers(0, hw)), int(rng.integers(0, hh)))
        axes = (int(rng.integers(5, hw // 3 + 6)), int(rng.integers(5, hh // 3 + 6)))
        color = random_color(rng).tolist()
        angle = float(rng.uniform(0, 180))
        cv2.ellipse(blobs, center, axes, angle, 0, 360, color, -1)
        cv2.ellipse(mask, center, axes, angle, 0, 360, 255, -1)
    k = int(rng.integers(5, 15)) * 2 + 1
    strength = rng.uniform(0.3, 0.8)
    alpha = cv2.resize(cv2.GaussianBlur(mask, (k, k), 0), (w, h)).astype(np.float32)[..., None] * (strength / 255.0)
    blobs = cv2.resize(cv2.GaussianBlur(blobs, (k, k), 0), (w, h))
    out = img.astype(np.float32) * (1 - alpha) + blobs.astype(np.float32) * alpha
    # uneven lighting
    light = 0.75 + 0.5 * smooth_noise(rng, h, w, cells=3)[..., None]
    out = out * light
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 1.5))
    return out


def make_background(rng: np.random.Generator, kind: str, h: int, w: int,
                    pool: list[np.ndarray] | None = None) -> np.ndarray:
    """A background of ``kind`` (one of ``KINDS``); ``scene`` crops a patch from ``pool``."""
    if kind == "flat":
        return flat(rng, h, w)
    if kind == "gradient":
        return gradient(rng, h, w)
    if kind == "noise":
        return noise(rng, h, w)
    if kind == "texture":
        return texture(rng, h, w)
    if kind == "scene":
        if not pool:
            return texture(rng, h, w)
        return patch(rng, pool[int(rng.integers(len(pool)))], h, w)
    raise ValueError(f"unknown background kind {kind!r}; valid: {', '.join(KINDS)}")


def patch(rng: np.random.Generator, image: np.ndarray, h: int, w: int) -> np.ndarray:
    """A random ``(h, w)`` window of ``image``, scaled up first when the image is too small."""
    ih, iw = image.shape[:2]
    scale = max(h / ih, w / iw, rng.uniform(0.5, 1.0) if ih > 2 * h and iw > 2 * w else 1.0)
    if scale > 1.0 or scale < 1.0:
        image = cv2.resize(image, (max(w, int(iw * scale + 1)), max(h, int(ih * scale + 1))))
        ih, iw = image.shape[:2]
    y, x = int(rng.integers(0, ih - h + 1)), int(rng.integers(0, iw - w + 1))
    return image[y:y + h, x:x + w].copy()
