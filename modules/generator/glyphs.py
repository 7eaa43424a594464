"""Text masks built from cached glyph bitmaps (one cache per worker process).

Rendering a string glyph by glyph lets the generator vary character spacing, write vertically and
know every character's box, and makes repeated syllables cheap: each ``(font, size, char)`` bitmap
is drawn by Pillow once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont


@dataclass(frozen=True)
class Glyph:
    """A glyph bitmap ``mask (h, w) uint8`` (None for blanks), its offset from the pen position
    at the line top (``dx``, ``dy``) and its advance width, in pixels."""

    mask: np.ndarray | None
    dx: int
    dy: int
    advance: float


@dataclass(frozen=True)
class TextMask:
    """A rendered line: ``mask (H, W) uint8`` and one ``(x0, y0, x1, y1)`` ink box per character
    in mask pixels (None for spaces)."""

    mask: np.ndarray
    char_boxes: tuple[tuple[int, int, int, int] | None, ...]

    def ink_box(self) -> tuple[int, int, int, int]:
        """Union of the character boxes ``(x0, y0, x1, y1)``; the whole mask when all are blank."""
        boxes = [b for b in self.char_boxes if b is not None]
        if not boxes:
            return (0, 0, self.mask.shape[1], self.mask.shape[0])
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))


class GlyphCache:
    """Fonts and glyph bitmaps by ``(font path, size, char)``; cleared when it holds ``max_glyphs``."""

    def __init__(self, max_glyphs: int = 200_000) -> None:
        self.max_glyphs = max_glyphs
        self._fonts: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}
        self._glyphs: dict[tuple[str, int, str], Glyph] = {}

    def font(self, path: str, size: int) -> ImageFont.FreeTypeFont:
        key = (path, size)
        font = self._fonts.get(key)
        if font is None:
            font = self._fonts[key] = ImageFont.truetype(path, size)
        return font

    def glyph(self, path: str, size: int, ch: str) -> Glyph:
        key = (path, size, ch)
        glyph = self._glyphs.get(key)
        if glyph is not None:
            return glyph
        font = self.font(path, size)
        x0, y0, x1, y1 = font.getbbox(ch, anchor="la")
        advance = float(font.getlength(ch))
        if ch.isspace() or x1 <= x0 or y1 <= y0:
            glyph = Glyph(None, 0, 0, advance)
        else:
            image = Image.new("L", (x1 - x0, y1 - y0), 0)
            ImageDraw.Draw(image).text((-x0, -y0), ch, font=font, fill=255, anchor="la")
            glyph = Glyph(np.asarray(image, dtype=np.uint8), int(x0), int(y0), advance)
        if len(self._glyphs) >= self.max_glyphs:
            self._glyphs.clear()
        self._glyphs[key] = glyph
        return glyph

    def render(self, path: str, size: int, text: str, spacing: float = 0.0, vertical: bool = False) -> TextMask:
        """Render ``text`` with the font at ``path`` and pixel ``size``.

        ``spacing``: extra pixels between characters (may be negative, down to -size/4).
        ``vertical``: characters stacked top to bottom, each centred in a ``size``-tall cell.
        """
        glyphs = [self.glyph(path, size, ch) for ch in text]
        if vertical:
            return self._render_vertical(glyphs, size, spacing)
        ascent, descent = self.font(path, size).getmetrics()
        pens, pen = [], 0.0
        for glyph in glyphs:
            pens.append(pen)
            pen += glyph.advance + spacing
        left = max([0] + [-(int(p) + g.dx) for p, g in zip(pens, glyphs) if g.mask is not None])
        width = int(np.ceil(max([pen - spacing] + [p + g.dx + g.mask.shape[1] for p, g in zip(pens, glyphs)
                                                    if g.mask is not None]))) + left + 1
        height = max([ascent + descent] + [g.dy + g.mask.shape[0] for g in glyphs if g.mask is not None]) + 1
        mask = np.zeros((height, max(width, 1)), np.uint8)
        boxes: list[tuple[int, int, int, int] | None] = []
        for p, glyph in zip(pens, glyphs):
            if glyph.mask is None:
                boxes.append(None)
                continue
            x, y = int(round(p)) + glyph.dx + left, max(glyph.dy, 0)
            gh, gw = glyph.mask.shape
            region = mask[y:y + gh, x:x + gw]
            np.maximum(region, glyph.mask[:region.shape[0], :region.shape[1]], out=region)
            boxes.append((x, y, x + region.shape[1], y + region.shape[0]))
        return TextMask(mask, tuple(boxes))

    @staticmethod
    def _render_vertical(glyphs: list[Glyph], size: int, spacing: float) -> TextMask:
        cell = size + spacing
        width = max([size] + [g.mask.shape[1] for g in glyphs if g.mask is not None]) + 2
        height = int(np.ceil(cell * len(glyphs) - spacing)) + 2
        mask = np.zeros((max(height, 1), width), np.uint8)
        boxes: list[tuple[int, int, int, int] | None] = []
        for i, glyph in enumerate(glyphs):
            if glyph.mask is None:
                boxes.append(None)
                continue
            gh, gw = glyph.mask.shape
            x = (width - gw) // 2
            y = max(0, int(round(i * cell + (size - gh) / 2)) + 1)
            region = mask[y:y + gh, x:x + gw]
            np.maximum(region, glyph.mask[:region.shape[0], :region.shape[1]], out=region)
            boxes.append((x, y, x + region.shape[1], y + region.shape[0]))
        return TextMask(mask, tuple(boxes))
