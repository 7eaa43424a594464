"""One word / line crop: text from the corpus drawn with one font and random, legible variation.

``render_crop`` returns an ``(H, W, 3) uint8 RGB`` image, about ``font size * 1.2 + padding`` pixels
tall (about 30-65 px with the default sizes). All randomness comes from the ``numpy.random.Generator``
passed in, so a crop depends only on its seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from modules.generator import backgrounds as bgs
from modules.generator import effects
from modules.generator.glyphs import GlyphCache


@dataclass(frozen=True)
class CropConfig:
    """Variation ranges and probabilities of the crop renderer (the defaults are the benchmark's)."""

    font_sizes: tuple[int, ...] = (22, 26, 30, 34, 38)  # few sizes keep the glyph cache warm
    spacing: tuple[float, float] = (-0.06, 0.25)  # extra space between characters, x font size
    padding: tuple[float, float] = (0.04, 0.4)  # left / right margin, x font size
    vpadding: tuple[float, float] = (0.03, 0.2)  # top / bottom margin, x font size
    background_weights: tuple[tuple[str, float], ...] = (
        ("flat", 0.2), ("gradient", 0.2), ("noise", 0.15), ("texture", 0.2), ("scene", 0.25))
    min_contrast: float = 80.0  # minimum luma difference between text and background
    p_bold: float = 0.0  # thicken the strokes (a bolder weight than the font's), e.g. 0.25 through 02's
    # `effects`; off by default: 0.25 gave no measurable gain on the held-out (bold) test fonts
    p_outline: float = 0.15
    p_shadow: float = 0.15
    p_rotate: float = 0.35
    max_angle: float = 4.0  # degrees
    p_shear: float = 0.2
    max_shear: float = 0.25
    p_perspective: float = 0.15
    max_perspective: float = 0.12
    p_curve: float = 0.1
    p_blur: float = 0.3
    max_blur_sigma: float = 1.1
    p_motion_blur: float = 0.1
    p_noise: float = 0.3
    max_noise_sigma: float = 10.0
    p_lowres: float = 0.1
    jpeg_quality: tuple[int, int] = (40, 95)  # quality the crop is saved with (JPEG artefacts)


def _choice_weighted(rng: np.random.Generator, weighted: tuple[tuple[str, float], ...]) -> str:
    names = [n for n, _ in weighted]
    weights = np.array([w for _, w in weighted], np.float64)
    return names[int(rng.choice(len(names), p=weights / weights.sum()))]


def render_crop(
    rng: np.random.Generator,
    text: str,
    font_path: str,
    cache: GlyphCache,
    config: CropConfig = CropConfig(),
    scene_pool: list[np.ndarray] | None = None,
) -> np.ndarray:
    """Draw ``text`` with the font at ``font_path`` over a random background.

    The caller guarantees the font covers ``text`` (``FontInfo.covers``). ``scene_pool`` holds
    scene-like images whose random windows serve as ``scene`` backgrounds.
    Returns ``(H, W, 3) uint8 RGB``.
    """
    size = int(rng.choice(config.font_sizes))
    spacing = rng.uniform(*config.spacing) * size if len(text) > 1 else 0.0
    text_mask = cache.render(font_path, size, text, spacing=spacing).mask
    if config.p_bold and rng.random() < config.p_bold:  # no draw at 0: crops made without it stay the same
        text_mask = effects.embolden(text_mask, size)
    pad = (np.concatenate([rng.uniform(*config.padding, 2), rng.uniform(*config.vpadding, 2)]) * size).astype(int) + 1
    # pad: left, right, top, bottom
    h, w = text_mask.shape
    layers = np.zeros((h + pad[2] + pad[3], w + pad[0] + pad[1], 3), np.uint8)
    layers[pad[2]:pad[2] + h, pad[0]:pad[0] + w, 0] = text_mask
    if rng.random() < config.p_outline:
        layers[..., 1] = effects.dilate(layers[..., 0], int(rng.integers(1, max(2, size // 12) + 1)))
    if rng.random() < config.p_shadow:
        d = max(1, size // 16)
        shadow = effects.shift(layers[..., 0], int(rng.integers(-d, d + 1)) or d, int(rng.integers(1, d + 1)))
        layers[..., 2] = cv2.GaussianBlur(shadow, (3, 3), 0) if rng.random() < 0.5 else shadow

    # geometry: rotation + shear together, then perspective or curve
    angle = rng.uniform(-config.max_angle, config.max_angle) if rng.random() < config.p_rotate else 0.0
    shear = rng.uniform(-config.max_shear, config.max_shear) if rng.random() < config.p_shear else 0.0
    if angle or shear:
        matrix, nw, nh = effects.rotation_matrix(angle, layers.shape[1], layers.shape[0], shear)
        layers = effects.warp_affine(layers, matrix, nw, nh)
    if rng.random() < config.p_perspective:
        layers = effects.perspective(rng, layers, config.max_perspective)
    elif rng.random() < config.p_curve:
        amplitude = rng.uniform(1.0, max(1.5, size * 0.12))
        layers = effects.sine_warp(layers, amplitude, rng.uniform(1.5, 4.0) * layers.shape[1] / 2,
                                   rng.uniform(0, 2 * np.pi))

    hh, ww = layers.shape[:2]
    kind = _choice_weighted(rng, config.background_weights)
    bg = bgs.make_background(rng, kind, hh, ww, scene_pool)
    mean = np.array(cv2.mean(bg)[:3], np.float32)
    if kind == "scene":  # flatten busy scene windows so the contrast rule holds locally, not just on average
        bg = np.clip(mean + (bg - mean) * np.float32(rng.uniform(0.3, 0.65)), 0, 255).astype(np.uint8)
    bg_luma = bgs.luminance(mean)
    fg = bgs.contrasting_color(rng, bg_luma, config.min_contrast)
    stack = []
    if layers[..., 2].any():
        stack.append((layers[..., 2], np.clip(bgs.random_color(rng) * 0.3, 0, 255).astype(np.float32)))
    if layers[..., 1].any():
        stack.append((layers[..., 1], bgs.contrasting_color(rng, bgs.luminance(fg), config.min_contrast)))
    stack.append((layers[..., 0], fg))
    img = effects.composite(bg, stack)

    if rng.random() < config.p_blur:
        img = effects.gaussian_blur(img, rng.uniform(0.4, config.max_blur_sigma))
    elif rng.random() < config.p_motion_blur:
        img = effects.motion_blur(img, int(rng.integers(3, 5)), rng.uniform(-20, 20))
    if rng.random() < config.p_lowres:
        img = effects.resample(img, rng.uniform(0.55, 0.85))
    if rng.random() < config.p_noise:
        img = effects.gaussian_noise(rng, img, rng.uniform(2.0, config.max_noise_sigma))
    return img
