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
    """A record a reader skipped (or, with ``kept``, used but flagged): the file, what was wrong, and a
    short reason key for counting.

    ``annotation`` names the annotation or image record inside the file (``"annotation 7"``,
    ``"image 00000002"``), empty when the problem is the whole file. ``count`` is how many records the
    problem stands for (one row for the 40 character boxes of an image). ``kept`` is True for a note
    about a record that is still used (``image_shared``, ``polygon_fallback``): consumers count it
    apart from the skips.
    """

    source: str
    reason: str
    detail: str = ""
    annotation: str = ""
    count: int = 1
    kept: bool = False

    def __str__(self) -> str:
        where = f"{self.source}#{self.annotation}" if self.annotation else self.source
        text = f"{where}: {self.reason}" + (f" ({self.detail})" if self.detail else "")
        return text + (f" x{self.count}" if self.count != 1 else "") + (" [kept]" if self.kept else "")
