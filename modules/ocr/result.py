"""Typed end-to-end OCR result tree: ``Page -> Line -> Word``, with a lossless JSON round-trip.

Every box is a 4-point quad ``((x, y), ...)`` in original-image pixels, corners in reading order
(top-left, top-right, bottom-right, bottom-left), origin top-left. Texts are NFC.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modules.geometry.quads import Quad, quad_from_xyxy, quad_xyxy
from modules.imageio import write_bytes_atomic

SCHEMA = "kocr.page/1"


def _as_quad(points: Any) -> Quad:
    pts = [(float(p[0]), float(p[1])) for p in points]
    if len(pts) != 4:
        raise ValueError(f"a box needs 4 points, got {len(pts)}")
    return (pts[0], pts[1], pts[2], pts[3])


@dataclass(frozen=True)
class Word:
    """One recognized word: ``box`` quad (original pixels), NFC ``text``, recognition ``confidence``
    in [0, 1] and the detector's ``score`` for the box."""

    box: Quad
    text: str
    confidence: float
    score: float = 1.0

    @property
    def xyxy(self) -> tuple[float, float, float, float]:
        return quad_xyxy(self.box)

    def to_dict(self) -> dict[str, Any]:
        return {
            "box": [[float(x), float(y)] for x, y in self.box],
            "text": self.text,
            "confidence": float(self.confidence),
            "score": float(self.score),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Word:
        return cls(
            box=_as_quad(data["box"]),
            text=str(data["text"]),
            confidence=float(data["confidence"]),
            score=float(data.get("score", 1.0)),
        )


@dataclass(frozen=True)
class Line:
    """Words sharing one text line, left to right."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def confidence(self) -> float:
        """Mean word confidence (0 for an empty line)."""
        return sum(w.confidence for w in self.words) / len(self.words) if self.words else 0.0

    @property
    def box(self) -> Quad:
        """Axis-aligned quad enclosing every word of the line."""
        boxes = [w.xyxy for w in self.words]
        return quad_from_xyxy(
            min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)
        )

    def as_word(self) -> Word:
        """The whole line as one ``Word`` (box = union, text joined with spaces, mean confidences)."""
        score = sum(w.score for w in self.words) / len(self.words) if self.words else 0.0
        return Word(box=self.box, text=self.text, confidence=self.confidence, score=score)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "words": [w.to_dict() for w in self.words]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Line:
        return cls(words=tuple(Word.from_dict(w) for w in data["words"]))


@dataclass(frozen=True)
class Page:
    """OCR result of one image: ``lines`` top to bottom; ``source`` is the image path when known."""

    width: int
    height: int
    lines: tuple[Line, ...] = field(default_factory=tuple)
    source: str = ""

    @property
    def words(self) -> list[Word]:
        """Every word in reading order (lines top to bottom, words left to right)."""
        return [w for line in self.lines for w in line.words]

    @property
    def text(self) -> str:
        """The page text, one line of text per ``Line``."""
        return "\n".join(line.text for line in self.lines)

    def as_tuples(self, merge_lines: bool = False) -> list[tuple[Quad, str, float]]:
        """EasyOCR-style ``[(box quad, text, confidence), ...]`` per word, or per line if ``merge_lines``."""
        items = [line.as_word() for line in self.lines] if merge_lines else self.words
        return [(w.box, w.text, w.confidence) for w in items]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "source": self.source,
            "width": int(self.width),
            "height": int(self.height),
            "lines": [line.to_dict() for line in self.lines],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Page:
        if data.get("schema", SCHEMA) != SCHEMA:
            raise ValueError(f"unknown result schema {data.get('schema')!r}, expected {SCHEMA!r}")
        return cls(
            width=int(data["width"]),
            height=int(data["height"]),
            lines=tuple(Line.from_dict(line) for line in data["lines"]),
            source=str(data.get("source", "")),
        )

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Page:
        return cls.from_dict(json.loads(text))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the page as UTF-8 JSON, atomically."""
        write_bytes_atomic(path, self.to_json().encode("utf-8"))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Page:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))
