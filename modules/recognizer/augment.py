"""Online augmentation of preprocessed crops ``(C, H, W) uint8`` for real photographs.

Cheap operations on the already-resized crop (so cached datasets stay cached): a small random affine
(rotation, shear, scale, shift), blur, contrast / brightness, Gaussian noise and, rarely, inversion
(light text on dark signs). The generator is passed in, so batches are reproducible from a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Augmenter:
    """Each operation fires with probability ``p`` (0 turns everything off)."""

    p: float = 0.3  # 05_train's augment_p
    max_rotation: float = 3.0  # degrees
    max_shear: float = 0.25  # x shear, pixels per pixel
    scale: tuple[float, float] = (0.85, 1.05)
    max_blur_sigma: float = 1.2
    max_noise: float = 10.0  # Gaussian noise sigma, grey levels
    invert_p: float = 0.05

    def __call__(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.p <= 0:
            return image
        hwc = np.ascontiguousarray(image.transpose(1, 2, 0))
        h, w = hwc.shape[:2]
        if rng.random() < self.p:
            angle = rng.uniform(-self.max_rotation, self.max_rotation)
            scale = rng.uniform(*self.scale)
            m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)
            m[0, 1] += rng.uniform(-self.max_shear, self.max_shear)
            m[0, 2] += rng.uniform(-0.04, 0.04) * w - m[0, 1] * h / 2
            m[1, 2] += rng.uniform(-0.06, 0.06) * h
            hwc = cv2.warpAffine(hwc, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        if rng.random() < self.p * 0.5:
            hwc = cv2.GaussianBlur(hwc, (0, 0), rng.uniform(0.3, self.max_blur_sigma))
        out = hwc.astype(np.float32)
        if rng.random() < self.p:
            mean = out.mean()
            out = (out - mean) * rng.uniform(0.6, 1.3) + mean + rng.uniform(-30, 30)
        if rng.random() < self.p * 0.5:
            out += rng.normal(0.0, rng.uniform(1.0, self.max_noise), out.shape).astype(np.float32)
        if rng.random() < self.invert_p:
            out = 255.0 - out
        out = np.clip(out, 0, 255).astype(np.uint8)
        if out.ndim == 2:
            out = out[:, :, None]
        return np.ascontiguousarray(out.transpose(2, 0, 1))
