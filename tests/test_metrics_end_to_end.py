"""End-to-end word matching: the detection matcher plus equal texts."""

from __future__ import annotations

import numpy as np
import pytest

from modules.metrics.end_to_end import match_words, same_text


def test_end_to_end_match_needs_box_and_text() -> None:
    gt = np.array([[0, 0, 40, 10], [50, 0, 90, 10], [100, 0, 140, 10]])
    pred = np.array([[0, 0, 40, 10], [50, 0, 90, 10], [100, 0, 140, 10]])
    match = match_words(pred, ["약국", "ABC", "x"], gt, ["약국", "abc", None])
    assert match.pairs == ((0, 0),) and match.ground_truth == 2 and match.ignored_detections == (2,)
    assert match_words(pred, ["약국", "ABC", "x"], gt, ["약국", "abc", None], ignore_case=True).true_positives == 2
    assert same_text(" 약국", "약국") and not same_text("A", "a")
    with pytest.raises(ValueError):
        match_words(pred, ["a"], gt, ["a", "b", "c"])
