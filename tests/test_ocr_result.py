"""Result tree: JSON round-trip, EasyOCR-style tuples, line merging."""

from __future__ import annotations

import json

from modules.geometry.quads import quad_from_xyxy, quad_xyxy
from modules.ocr.result import Line, Page, Word


def _page() -> Page:
    w1 = Word(quad_from_xyxy(10, 10, 60, 30), "행복약국", 0.91, 0.8)
    w2 = Word(((70.5, 11.0), (120.0, 12.25), (119.0, 31.0), (70.0, 30.0)), "Pharmacy", 0.333333333, 0.7)
    w3 = Word(quad_from_xyxy(10, 50, 40, 70), "24시", 0.5)
    return Page(width=200, height=100, lines=(Line((w1, w2)), Line((w3,))), source="사진/간판.jpg")


def test_json_round_trip_is_lossless(tmp_path):
    page = _page()
    assert Page.from_json(page.to_json()) == page
    path = tmp_path / "결과.json"
    page.save(path)
    assert Page.load(path) == page
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["lines"][0]["words"][0]["text"] == "행복약국"  # not \\u-escaped
    assert "행복약국" in path.read_text(encoding="utf-8")


def test_words_text_and_tuples_follow_lines():
    page = _page()
    assert [w.text for w in page.words] == ["행복약국", "Pharmacy", "24시"]
    assert page.text == "행복약국 Pharmacy\n24시"
    tuples = page.as_tuples()
    assert tuples[0] == (((10.0, 10.0), (60.0, 10.0), (60.0, 30.0), (10.0, 30.0)), "행복약국", 0.91)
    lines = page.as_tuples(merge_lines=True)
    assert [t[1] for t in lines] == ["행복약국 Pharmacy", "24시"]
    assert quad_xyxy(lines[0][0]) == (10.0, 10.0, 120.0, 31.0)
    assert abs(lines[0][2] - (0.91 + 0.333333333) / 2) < 1e-9


def test_unknown_schema_is_refused():
    data = _page().to_dict()
    data["schema"] = "other/9"
    try:
        Page.from_dict(data)
    except ValueError as error:
        assert "schema" in str(error)
    else:
        raise AssertionError("a foreign schema was accepted")
