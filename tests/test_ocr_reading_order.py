"""Reading order: lines top to bottom, words left to right, tolerant to jitter; optional column split."""

from __future__ import annotations

import random

from modules.ocr.reading_order import group_lines
from modules.geometry.quads import quad_from_xyxy
from modules.ocr.result import Word


def _word(text: str, x1: float, y1: float, x2: float, y2: float) -> Word:
    return Word(quad_from_xyxy(x1, y1, x2, y2), text, 1.0)


def test_shuffled_words_come_back_in_reading_order():
    rows = [
        [("오늘", 10, 12, 60, 40), ("날씨가", 70, 8, 140, 38), ("좋다", 150, 14, 200, 42)],  # jittered baseline
        [("Hello", 12, 60, 80, 85), ("World", 90, 62, 170, 88)],
        [("끝", 300, 110, 330, 140)],
    ]
    words = [_word(*w) for row in rows for w in row]
    for seed in range(5):
        shuffled = words[:]
        random.Random(seed).shuffle(shuffled)
        lines = group_lines(shuffled)
        assert [[w.text for w in line.words] for line in lines] == [["오늘", "날씨가", "좋다"], ["Hello", "World"], ["끝"]]


def test_tall_title_and_small_lines_do_not_merge_across_rows():
    words = [_word("제목", 10, 0, 200, 60), _word("작은", 10, 70, 50, 85), _word("글씨", 60, 71, 100, 86)]
    lines = group_lines(words)
    assert [line.text for line in lines] == ["제목", "작은 글씨"]


def test_max_gap_splits_columns_left_to_right():
    words = [_word("a", 0, 0, 20, 20), _word("b", 25, 0, 45, 20), _word("c", 300, 2, 320, 22)]
    assert [line.text for line in group_lines(words)] == ["a b c"]
    assert [line.text for line in group_lines(words, max_gap=2.0)] == ["a b", "c"]


def test_empty_input_gives_no_lines():
    assert group_lines([]) == []
