"""Reading order for horizontal text: group words into lines, lines top to bottom, words left to right.

A word joins a line when their vertical extents overlap by at least ``overlap`` times the smaller of
the two heights (so a slightly tilted or taller word still joins its neighbours, while a word on the
next line, which overlaps little or not at all, starts a new line). Optionally a line is split where
the horizontal gap between neighbours exceeds ``max_gap`` line heights (two columns side by side).
"""

from __future__ import annotations

from collections.abc import Sequence

from modules.ocr.result import Line, Word


def _vertical_overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Overlap of two ``(top, bottom)`` spans divided by the smaller height (0 when disjoint)."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    smaller = max(1e-6, min(a[1] - a[0], b[1] - b[0]))
    return max(0.0, inter) / smaller


def group_lines(words: Sequence[Word], overlap: float = 0.5, max_gap: float | None = None) -> list[Line]:
    """Group ``words`` into ``Line``s in reading order.

    ``overlap``: minimal vertical overlap (fraction of the smaller height) to share a line.
    ``max_gap``: if set, split a line where the gap between two neighbours is more than
    ``max_gap`` x the line's median word height; the pieces of one row stay left to right.
    """
    if not 0.0 < overlap <= 1.0:
        raise ValueError(f"overlap must be in (0, 1], got {overlap}")
    rows: list[dict] = []  # {"span": (top, bottom) running mean, "words": [...]}
    for word in sorted(words, key=lambda w: (w.xyxy[1] + w.xyxy[3]) / 2):
        x1, y1, x2, y2 = word.xyxy
        best, best_overlap = None, overlap
        for row in rows:
            value = _vertical_overlap(row["span"], (y1, y2))
            if value >= best_overlap:
                best, best_overlap = row, value
        if best is None:
            rows.append({"span": (y1, y2), "words": [word]})
        else:
            best["words"].append(word)
            n = len(best["words"])
            top, bottom = best["span"]
            best["span"] = (top + (y1 - top) / n, bottom + (y2 - bottom) / n)
    rows.sort(key=lambda row: (row["span"][0] + row["span"][1]) / 2)

    lines: list[Line] = []
    for row in rows:
        ordered = sorted(row["words"], key=lambda w: (w.xyxy[0] + w.xyxy[2]) / 2)
        if max_gap is None:
            lines.append(Line(words=tuple(ordered)))
            continue
        heights = sorted(w.xyxy[3] - w.xyxy[1] for w in ordered)
        limit = max_gap * heights[len(heights) // 2]
        piece = [ordered[0]]
        for prev, word in zip(ordered, ordered[1:]):
            if word.xyxy[0] - prev.xyxy[2] > limit:
                lines.append(Line(words=tuple(piece)))
                piece = []
            piece.append(word)
        lines.append(Line(words=tuple(piece)))
    return lines
