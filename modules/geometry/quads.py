"""Quads and axis-aligned boxes. A ``Quad`` is four ``(x, y)`` corners TL, TR, BR, BL in image pixels
(origin top-left); an ``xyxy`` box is ``(x1, y1, x2, y2)`` with ``x2 > x1``, ``y2 > y1``."""

from __future__ import annotations

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]


def quad_from_xyxy(x1: float, y1: float, x2: float, y2: float) -> Quad:
    """Axis-aligned ``xyxy`` box -> 4-point quad (tl, tr, br, bl)."""
    x1, y1, x2, y2 = float(x1), float(y1), float(x2), float(y2)
    return ((x1, y1), (x2, y1), (x2, y2), (x1, y2))


def quad_xyxy(quad: Quad) -> tuple[float, float, float, float]:
    """The axis-aligned ``xyxy`` rectangle enclosing a quad."""
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return (min(xs), min(ys), max(xs), max(ys))
