"""Draw an OCR ``Page`` on its image: word boxes with the recognized (Korean / English) text."""

from __future__ import annotations

import numpy as np

from modules.ocr.result import Page
from modules.viz import draw_boxes


def draw_page(
    image: np.ndarray,
    page: Page,
    show_confidence: bool = True,
    font_size: int | None = None,
    color: tuple[int, int, int] = (230, 30, 30),
) -> np.ndarray:
    """Return a copy of ``image`` (RGB or gray uint8) with every word's quad and text drawn.

    Labels use the shipped Hangul font; ``font_size`` defaults to a size that scales with the image
    (about 2.5% of its larger side, at least 12 px).
    """
    words = page.words
    if font_size is None:
        font_size = max(12, int(round(0.025 * max(image.shape[:2]))))
    width = max(1, font_size // 8)
    labels = [f"{w.text} {w.confidence:.2f}" if show_confidence else w.text for w in words]
    boxes = np.asarray([w.box for w in words], dtype=np.float32).reshape(len(words), 4, 2)
    return draw_boxes(image, boxes, labels=labels, color=color, width=width, font_size=font_size)
