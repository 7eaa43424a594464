"""Plotting helpers that can show Korean: a Hangul-capable font for matplotlib and PIL, box drawing,
and labelled image grids for notebooks."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from modules.geometry.quads import quad_from_xyxy
from modules.geometry.rgb import image_array

FONT_DIR = Path(__file__).resolve().parents[1] / "textimagegenerator" / "fonts"
DEFAULT_FONT = FONT_DIR / "NanumGothic.ttf"


def hangul_font_path() -> Path:
    """Path of the shipped Hangul-capable font used for labels in plots and drawings."""
    return DEFAULT_FONT


@lru_cache(maxsize=16)
def pil_font(size: int = 16) -> ImageFont.FreeTypeFont:
    """The Hangul-capable font as a PIL font of ``size`` pixels."""
    return ImageFont.truetype(str(DEFAULT_FONT), size)


def hangul_font(size: float = 10.0):
    """A matplotlib ``FontProperties`` that renders Hangul (pass as ``fontproperties=``)."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(DEFAULT_FONT))
    return font_manager.FontProperties(fname=str(DEFAULT_FONT), size=size)


def draw_boxes(
    image: np.ndarray,
    boxes: Sequence[Sequence[float]] | np.ndarray,
    labels: Sequence[str | None] | None = None,
    color: tuple[int, int, int] = (255, 0, 0),
    width: int = 2,
    font_size: int = 16,
) -> np.ndarray:
    """Draw boxes (and optional labels, Hangul allowed) on a copy of an RGB/gray uint8 image.

    ``boxes``: ``(N, 4)`` xyxy, or ``(N, 4, 2)`` / ``(N, 8)`` four-point polygons, in image pixels.
    Returns an ``(H, W, 3) uint8`` RGB array.
    """
    canvas = Image.fromarray(image_array(image))
    draw = ImageDraw.Draw(canvas)
    font = pil_font(font_size)
    for i, box in enumerate(np.asarray(boxes, dtype=np.float32).reshape(len(boxes), -1) if len(boxes) else []):
        if box.size == 4:
            points = list(quad_from_xyxy(*box.tolist()))
        else:
            points = [tuple(p) for p in box.reshape(-1, 2).tolist()]
        draw.polygon(points, outline=color, width=width)
        label = labels[i] if labels is not None and i < len(labels) else None
        if label:
            x, y = min(p[0] for p in points), min(p[1] for p in points)
            top = max(0.0, y - font_size - 4)
            text_box = draw.textbbox((x, top), label, font=font)
            draw.rectangle(text_box, fill=color)
            draw.text((x, top), label, fill=(255, 255, 255), font=font)
    return np.asarray(canvas)


def show_grid(
    images: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    columns: int = 4,
    cell_size: tuple[float, float] = (3.0, 1.2),
    save_to: str | Path | None = None,
):
    """Show images in a grid with (Hangul) titles; returns the matplotlib figure, optionally saved."""
    import matplotlib.pyplot as plt

    rows = max(1, (len(images) + columns - 1) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(cell_size[0] * columns, cell_size[1] * rows + 0.4 * rows))
    font = hangul_font(10)
    for i, ax in enumerate(np.asarray(axes).reshape(-1)):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], cmap="gray" if images[i].ndim == 2 else None)
            if titles is not None:
                ax.set_title(titles[i], fontproperties=font)
    fig.tight_layout()
    if save_to is not None:
        Path(save_to).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(save_to, dpi=100)
    return fig
