"""Whole scenes for the detector: several words at varied sizes and small angles, some on
signboard panels, often a board (a sign or menu) holding several lines, over a scene-like background,
with every word's and character's quadrilateral. Text ranges from a few pixels to 40 % of the image
height, and a few scenes are large photos (up to 1600 x 1200), so the detector sees big text in big
images as well as small text in small ones.

Quads are four ``(x, y)`` float corners in image pixels, reading order (top-left, top-right,
bottom-right, bottom-left) of the unrotated word.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from modules.generator import backgrounds as bgs
from modules.generator import effects
from modules.generator.corpus import CorpusRow
from modules.generator.fonts import FontInfo, fonts_covering
from modules.generator.glyphs import GlyphCache

Quad = tuple[tuple[float, float], ...]
SIZES = ((640, 480), (800, 600), (480, 640), (720, 540), (640, 640), (960, 540), (600, 450))
LARGE_SIZES = ((1280, 960), (1600, 1200), (960, 1280), (1440, 1080))  # phone-photo-like, drawn with P_LARGE
P_LARGE = 0.08
P_BIG_WORD = 0.1  # a word from 1/6 to 0.4 of the image height


@dataclass(frozen=True)
class SceneWord:
    """A drawn word: its text, quad, per-character quads (spaces left out), orientation and
    whether it was drawn too small / blurred to read (annotated as illegible)."""

    text: str
    quad: Quad
    char_quads: tuple[Quad, ...]
    vertical: bool = False
    illegible: bool = False

    def bbox(self) -> tuple[int, int, int, int]:
        """Axis-aligned integer ``(x, y, w, h)`` around the quad."""
        return quad_bbox(self.quad)


@dataclass(frozen=True)
class Scene:
    image: np.ndarray  # (H, W, 3) uint8 RGB
    words: tuple[SceneWord, ...]


def quad_bbox(quad: Quad) -> tuple[int, int, int, int]:
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    x0, y0 = int(np.floor(min(xs))), int(np.floor(min(ys)))
    return x0, y0, int(np.ceil(max(xs))) - x0, int(np.ceil(max(ys))) - y0


def _corners(box: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = box
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)


def _pick_text(rng: np.random.Generator, rows: list[CorpusRow], fonts: list[FontInfo],
               vertical: bool) -> tuple[str, FontInfo] | None:
    for _ in range(20):
        text = rows[int(rng.integers(len(rows)))].text
        if vertical:
            text = text.replace(" ", "")
            if not all("\uac00" <= c <= "\ud7a3" for c in text):
                continue
            text = text[:6]
        elif len(text) > 16:
            continue
        usable = fonts_covering(text, fonts)
        if text and usable:
            return text, usable[int(rng.integers(len(usable)))]
    return None


def render_scene(
    rng: np.random.Generator,
    rows: list[CorpusRow],
    fonts: list[FontInfo],
    cache: GlyphCache,
    size: tuple[int, int] | None = None,
    vertical: bool = False,
    words: tuple[int, int] = (3, 12),
    p_illegible: float = 0.05,
    p_board: float = 0.0,
) -> Scene:
    """Draw a scene of ``size = (width, height)`` (random from ``SIZES``, or with ``P_LARGE`` from
    ``LARGE_SIZES``, when None) holding ``words[0]..words[1]`` words (fewer when they do not fit).
    ``vertical`` stacks most words top to bottom (vertical signboards). With probability ``p_board``
    a board of 2-7 lines (a sign or menu) comes first; its lines count towards the words."""
    if size is None:
        choices = LARGE_SIZES if p_board and rng.random() < P_LARGE else SIZES  # no draw at p_board 0
        size = choices[int(rng.integers(len(choices)))]
    width, height = size
    image = bgs.scene(rng, height, width).astype(np.float32)
    occupied: list[tuple[int, int, int, int]] = []
    placed: list[SceneWord] = []
    target = int(rng.integers(words[0], words[1] + 1))
    if p_board and not vertical and rng.random() < p_board:
        board = _draw_board(rng, image, rows, fonts, cache)
        if board is not None:
            box, lines = board
            occupied.append(box)
            placed.extend(lines)
    for _ in range(target * 3):
        if len(placed) >= target:
            break
        word_vertical = vertical and rng.random() < 0.8
        picked = _pick_text(rng, rows, fonts, word_vertical)
        if picked is None:
            continue
        text, font = picked
        illegible = rng.random() < p_illegible
        top = max(16, min(96, height // (8 if word_vertical else 6)))
        size_px = int(rng.integers(8, 12)) if illegible and rng.random() < 0.5 else int(rng.integers(14, top + 1))
        if p_board and not illegible and rng.random() < P_BIG_WORD:  # big text: up to 40 % of the height
            size_px = int(rng.integers(max(top, height // 6), max(top, height // 6, int(0.4 * height)) + 1))
        spacing = rng.uniform(-0.03, 0.2) * size_px
        rendered = cache.render(font.path, size_px, text, spacing=spacing, vertical=word_vertical)
        mask = rendered.mask
        panel = rng.random() < 0.6
        pad = int(size_px * rng.uniform(0.25, 0.7)) if panel else int(size_px * 0.2) + 2
        ph, pw = mask.shape[0] + 2 * pad, mask.shape[1] + 2 * pad
        layers = np.zeros((ph, pw, 2), np.uint8)  # 0: text alpha, 1: panel alpha
        layers[pad:pad + mask.shape[0], pad:pad + mask.shape[1], 0] = mask
        if panel:
            layers[..., 1] = 255
        angle = rng.uniform(-8, 8) if rng.random() < 0.6 else 0.0
        matrix, nw, nh = effects.rotation_matrix(angle, pw, ph)
        if nw >= width or nh >= height:
            continue
        if angle:
            layers = effects.warp_affine(layers, matrix, nw, nh)
        for _try in range(15):
            x, y = int(rng.integers(0, width - nw + 1)), int(rng.integers(0, height - nh + 1))
            box = (x, y, x + nw, y + nh)
            if all(box[2] <= o[0] or box[0] >= o[2] or box[3] <= o[1] or box[1] >= o[3] for o in occupied):
                break
        else:
            continue
        occupied.append(box)
        region = image[y:y + nh, x:x + nw]
        if panel:
            panel_color = bgs.random_color(rng)
            region += (panel_color - region) * (layers[..., 1:2].astype(np.float32) / 255.0)
        luma = bgs.luminance(np.array(cv2.mean(region)[:3], np.float32))
        color = bgs.contrasting_color(rng, luma, 90.0)
        alpha = layers[..., 0]
        if illegible and size_px >= 12:
            alpha = effects.gaussian_blur(alpha, rng.uniform(2.5, 4.0))
        if rng.random() < 0.15:  # drop shadow
            d = max(1, size_px // 15)
            shadow = effects.shift(alpha, d, d).astype(np.float32)[..., None] / 255.0
            region += (np.float32(20) - region) * shadow * 0.7
        region += (color - region) * (alpha.astype(np.float32)[..., None] / 255.0)

        offset = np.array([x, y], np.float64)

        def to_image(box4: tuple[float, float, float, float]) -> Quad:
            pts = _corners((box4[0] + pad, box4[1] + pad, box4[2] + pad, box4[3] + pad))
            moved = np.hstack([pts, np.ones((4, 1))]) @ matrix.T + offset
            return tuple((round(float(px), 1), round(float(py), 1)) for px, py in moved)

        ix0, iy0, ix1, iy1 = rendered.ink_box()
        margin = max(1, size_px // 10)
        quad = to_image((ix0 - margin, iy0 - margin, ix1 + margin, iy1 + margin))
        chars = tuple(to_image(b) for b in rendered.char_boxes if b is not None)
        placed.append(SceneWord(text, quad, chars, word_vertical, illegible))

    out = np.clip(image, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        out = effects.gaussian_blur(out, rng.uniform(0.4, 0.9))
    if rng.random() < 0.3:
        out = effects.gaussian_noise(rng, out, rng.uniform(2, 7))
    return Scene(out, tuple(placed))


def _draw_board(rng: np.random.Generator, image: np.ndarray, rows: list[CorpusRow], fonts: list[FontInfo],
                cache: GlyphCache) -> tuple[tuple[int, int, int, int], list[SceneWord]] | None:
    """Paint a board of 2-7 text lines (left-aligned or centred, one font, one colour) on ``image``
    (float32, in place). Returns its ``(x0, y0, x1, y1)`` box and one word per line, or None when no
    line fits."""
    height, width = image.shape[:2]
    bw, bh = int(width * rng.uniform(0.35, 0.95)), int(height * rng.uniform(0.3, 0.9))
    n = int(rng.integers(2, 8))
    x0, y0 = int(rng.integers(0, width - bw + 1)), int(rng.integers(0, height - bh + 1))
    pad = max(4, int(min(bw, bh) * rng.uniform(0.03, 0.1)))
    line_h = (bh - 2 * pad) / n
    size_px = max(10, int(line_h * rng.uniform(0.45, 0.75)))
    picked = _pick_text(rng, rows, fonts, False)
    if picked is None:
        return None
    font = picked[1]
    panel = bgs.random_color(rng)
    color = bgs.contrasting_color(rng, bgs.luminance(panel), 90.0)
    centred = rng.random() < 0.5
    region = image[y0:y0 + bh, x0:x0 + bw]
    region[:] = panel if rng.random() < 0.7 else region * 0.3 + panel * 0.7
    if rng.random() < 0.4:  # a frame
        cv2.rectangle(region, (1, 1), (bw - 2, bh - 2), color.tolist(), max(1, pad // 3))
    lines: list[SceneWord] = []
    for i in range(n):
        text = next((r.text for r in (rows[int(rng.integers(len(rows)))] for _ in range(10))
                     if font.covers(r.text) and len(r.text) <= 24), None)
        if text is None:
            continue
        rendered = cache.render(font.path, size_px, text, spacing=rng.uniform(-0.02, 0.15) * size_px)
        mask = rendered.mask
        mh, mw = mask.shape
        if mw > bw - 2 * pad or mh > line_h * 1.3:
            continue
        lx = pad + ((bw - 2 * pad - mw) // 2 if centred else int(rng.integers(0, max(1, (bw - 2 * pad - mw) // 4 + 1))))
        ly = int(pad + i * line_h + (line_h - mh) / 2)
        if ly < 0 or ly + mh > bh:
            continue
        target = region[ly:ly + mh, lx:lx + mw]
        target += (color - target) * (mask.astype(np.float32)[..., None] / 255.0)
        ix0, iy0, ix1, iy1 = rendered.ink_box()
        margin = max(1, size_px // 10)
        ox, oy = x0 + lx, y0 + ly

        def quad_of(b: tuple[float, float, float, float], m: float = 0.0) -> Quad:
            return tuple((round(float(px), 1), round(float(py), 1))
                         for px, py in _corners((b[0] - m + ox, b[1] - m + oy, b[2] + m + ox, b[3] + m + oy)))

        chars = tuple(quad_of(b) for b in rendered.char_boxes if b is not None)
        lines.append(SceneWord(text, quad_of((ix0, iy0, ix1, iy1), margin), chars))
    return ((x0, y0, x0 + bw, y0 + bh), lines) if lines else None


def draw_scene_boxes(image: np.ndarray, quads: list[Quad], color: tuple[int, int, int] = (255, 0, 0)) -> np.ndarray:
    """A copy of ``image`` with each quad outlined (for previews)."""
    out = image.copy()
    for quad in quads:
        cv2.polylines(out, [np.round(np.array(quad)).astype(np.int32)], True, color, 2)
    return out
