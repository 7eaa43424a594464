"""Dataset-neutral annotation records produced by the AIHub / TextOCR readers and the generator.

Boxes are in original-image pixels, origin top-left. ``quad`` is four ``(x, y)`` corners in reading
order (top-left, top-right, bottom-right, bottom-left); ``bbox`` is the axis-aligned ``(x, y, w, h)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class WordAnnotation:
    """One word instance.

    ``text`` is the NFC label or None when the source marks it illegible (AIHub ``xxx``, TextOCR
    ``.``, text-in-the-wild ``ignored``); illegible words are don't-care regions for detection.
    ``vertical`` is True for words written top-to-bottom (AIHub 세로).
    """

    text: str | None
    bbox: tuple[float, float, float, float]
    quad: tuple[tuple[float, float], ...] | None = None
    vertical: bool = False

    @property
    def illegible(self) -> bool:
        return self.text is None

    @property
    def xyxy(self) -> tuple[float, float, float, float]:
        x, y, w, h = self.bbox
        return (x, y, x + w, y + h)


@dataclass(frozen=True)
class ImageAnnotation:
    """One image and its words; ``image_path`` is absolute or relative to the dataset root."""

    image_path: str
    width: int
    height: int
    words: tuple[WordAnnotation, ...] = field(default_factory=tuple)
    source: str = ""  # the label file it came from, for messages


@dataclass(frozen=True)
class AnnotationProblem:
    """A record a reader skipped: the file, what was wrong, and a short reason key for counting."""

    source: str
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}" + (f" ({self.detail})" if self.detail else "")
