"""One word / line crop: text from the corpus drawn with one font and random, legible variation.

``render_crop`` returns an ``(H, W, 3) uint8 RGB`` image, about ``font size * 1.2 + padding`` pixels
tall (about 22-85 px with the default sizes). All randomness comes from the ``numpy.random.Generator``
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

    font_sizes: tuple[int, ...] = (18, 22, 26, 30, 34, 38, 44)  # few sizes keep the glyph cache warm
    spacing: tuple[float, float] = (-0.08, 0.45)  # extra space between characters, x font size
    padding: tuple[float, float] = (0.0, 0.8)  # left / right margin, x font size: tight to loose crops
    vpadding: tuple[float, float] = (0.0, 0.35)  # top / bottom margin, x font size
    background_weights: tuple[tuple[str, float], ...] = (
        ("flat", 0.2), ("gradient", 0.2), ("noise", 0.15), ("texture", 0.2), ("scene", 0.25))
    min_contrast: float = 80.0  # minimum luma difference between text and background
    p_low_contrast: float = 0.2  # else this much lower contrast (faded paint, tinted glass)
    low_contrast: float = 40.0
    p_neighbour: float = 0.2  # part of another text line peeks in above or below (a detector's loose box)
    p_bold: float = 0.0  # thicken the strokes (a bolder weight than the font's), e.g. 0.25 through 02's
    # `effects`; off by default: it showed no measurable gain (docs/experiments.md)
    p_outline: float = 0.2
    p_shadow: float = 0.2
    p_extrude: float = 0.1  # 3-D extruded letters (shop signs), instead of a drop shadow
    p_rotate: float = 0.4
    max_angle: float = 6.0  # degrees
    p_shear: float = 0.25
    max_shear: float = 0.3
    p_perspective: float = 0.25
    max_perspective: float = 0.33  # corner shift, x side: about +-20 degrees of out-of-plane tilt
    p_curve: float = 0.15
    p_blur: float = 0.3
    max_blur_sigma: float = 1.2
    p_motion_blur: float = 0.12
    p_noise: float = 0.35
    max_noise_sigma: float = 11.0
    p_lowres: float = 0.2  # draw the text this small, then upscale (a far-away sign)
    lowres_height: tuple[float, float] = (8.0, 20.0)  # text height in pixels before the upscale
    p_light: float = 0.35  # uneven lighting
    max_light: float = 0.5
    p_glare: float = 0.12
    p_occlude: float = 0.1
    jpeg_quality: tuple[int, int] = (15, 95)  # quality the crop is saved with (JPEG artefacts)


# The out-of-distribution dev set's renderer: font sizes, spacing, margins, background mix and effect
# strengths outside the training ranges (with the held-out font families), so its accuracy says how
# the recognizer reads text drawn unlike anything it trained on. Never train on it. When the training
# ranges widen, this moves beyond them (docs/experiments.md keeps each version's figures).
OOD_CROP_CONFIG = CropConfig(
    font_sizes=(16, 48, 54), spacing=(0.45, 0.7), padding=(0.8, 1.0), vpadding=(0.35, 0.5),
    background_weights=(("scene", 0.5), ("texture", 0.3), ("noise", 0.2)),
    min_contrast=90.0, p_low_contrast=0.3, low_contrast=55.0, p_neighbour=0.3,
    p_outline=0.35, p_shadow=0.3, p_extrude=0.15, p_rotate=0.5, max_angle=7.5, p_shear=0.3, max_shear=0.38,
    p_perspective=0.3, max_perspective=0.38, p_curve=0.2, p_blur=0.3, max_blur_sigma=1.4, p_motion_blur=0.15,
    p_noise=0.4, max_noise_sigma=13.0, p_lowres=0.25, lowres_height=(10.0, 16.0), p_light=0.5, max_light=0.55,
    p_glare=0.2, p_occlude=0.15, jpeg_quality=(10, 35),
)


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
    neighbour: str = "",
) -> np.ndarray:
    """Draw ``text`` with the font at ``font_path`` over a random background.

    The caller guarantees the font covers ``text`` (``FontInfo.covers``) and ``neighbour`` (another
    text, of which a sliver may show above or below, as in a loose box on a sign with several lines;
    ``""`` for none). ``scene_pool`` holds scene-like images whose random windows serve as ``scene``
    backgrounds. Returns ``(H, W, 3) uint8 RGB``.
    """
    size = int(rng.choice(config.font_sizes))
    spacing = rng.uniform(*config.spacing) * size if len(text) > 1 else 0.0
    text_mask = cache.render(font_path, size, text, spacing=spacing).mask
    if config.p_bold and rng.random() < config.p_bold:  # no draw at 0: crops made without it stay the same
        text_mask = effects.embolden(text_mask, size)
    if neighbour and rng.random() < config.p_neighbour:
        text_mask = _with_neighbour(rng, text_mask, cache.render(font_path, size, neighbour).mask, size)
    pad = (np.concatenate([rng.uniform(*config.padding, 2), rng.uniform(*config.vpadding, 2)]) * size).astype(int) + 1
    # pad: left, right, top, bottom
    h, w = text_mask.shape
    layers = np.zeros((h + pad[2] + pad[3], w + pad[0] + pad[1], 3), np.uint8)
    layers[pad[2]:pad[2] + h, pad[0]:pad[0] + w, 0] = text_mask
    if rng.random() < config.p_outline:
        layers[..., 1] = effects.dilate(layers[..., 0], int(rng.integers(1, max(2, size // 12) + 1)))
    if rng.random() < config.p_extrude:
        layers[..., 2] = effects.extrude(layers[..., 0], int(rng.choice((-1, 1))), 1, int(rng.integers(2, max(3, size // 8) + 1)))
    elif rng.random() < config.p_shadow:
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
    contrast = config.low_contrast if rng.random() < config.p_low_contrast else config.min_contrast
    fg = bgs.contrasting_color(rng, bg_luma, contrast)
    stack = []
    if layers[..., 2].any():
        stack.append((layers[..., 2], np.clip(bgs.random_color(rng) * 0.3, 0, 255).astype(np.float32)))
    if layers[..., 1].any():
        stack.append((layers[..., 1], bgs.contrasting_color(rng, bgs.luminance(fg), config.min_contrast)))
    stack.append((layers[..., 0], fg))
    img = effects.composite(bg, stack)

    if rng.random() < config.p_occlude:
        img = effects.occlude(rng, img)
    if rng.random() < config.p_light:
        img = effects.uneven_light(rng, img, rng.uniform(0.15, config.max_light))
    if rng.random() < config.p_glare:
        img = effects.glare(rng, img)
    if rng.random() < config.p_blur:
        img = effects.gaussian_blur(img, rng.uniform(0.4, config.max_blur_sigma))
    elif rng.random() < config.p_motion_blur:
        img = effects.motion_blur(img, int(rng.integers(3, 5)), rng.uniform(-20, 20))
    if rng.random() < config.p_lowres:
        img = effects.resample(img, min(0.9, rng.uniform(*config.lowres_height) / size))
    if rng.random() < config.p_noise:
        img = effects.gaussian_noise(rng, img, rng.uniform(2.0, config.max_noise_sigma))
    return img


def _with_neighbour(rng: np.random.Generator, mask: np.ndarray, other: np.ndarray, size: int) -> np.ndarray:
    """``mask`` with a sliver (15-40 % of its height) of the ``other`` line's mask above or below it,
    after a gap of 0.05-0.25 font sizes, shifted sideways. ``(H, W) uint8`` in, taller out."""
    h, w = mask.shape
    oh, ow = other.shape
    keep = max(1, int(oh * rng.uniform(0.15, 0.4)))
    gap = int(size * rng.uniform(0.05, 0.25))
    above = rng.random() < 0.5
    sliver = other[oh - keep:] if above else other[:keep]
    out = np.zeros((h + gap + keep, w), np.uint8)
    x = int(rng.integers(-ow // 2, max(1, w - ow // 2)))
    xa, xb = max(0, x), min(w, x + ow)
    rows = slice(0, keep) if above else slice(h + gap, h + gap + keep)
    if xb > xa:
        out[rows, xa:xb] = sliver[:, xa - x:xb - x]
    if above:
        out[keep + gap:] = mask
    else:
        out[:h] = mask
    return out
