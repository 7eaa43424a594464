"""Recognition metrics (docs/FORMATS.md §7): word accuracy and ICDAR 2019 normalized edit distance."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz.distance import Levenshtein

_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def _check(predictions: Sequence[str], targets: Sequence[str]) -> None:
    if len(predictions) != len(targets):
        raise ValueError(f"{len(predictions)} predictions for {len(targets)} ground truths")


def english_benchmark_form(text: str) -> str:
    """Lower-case and keep only [0-9a-z] (the English benchmarks' comparison)."""
    return _NOT_ALNUM.sub("", text.lower())


def word_accuracy(predictions: Sequence[str], targets: Sequence[str], alnum_case_insensitive: bool = False) -> float:
    """Fraction of exact matches in [0, 1] (0.0 for no samples).

    ``alnum_case_insensitive`` compares in ``english_benchmark_form`` (English benchmarks only: it would
    delete Hangul).
    """
    _check(predictions, targets)
    if not targets:
        return 0.0
    if alnum_case_insensitive:
        pairs = [(english_benchmark_form(p), english_benchmark_form(t)) for p, t in zip(predictions, targets)]
    else:
        pairs = list(zip(predictions, targets))
    return sum(p == t for p, t in pairs) / len(pairs)


def normalized_edit_distance(predictions: Sequence[str], targets: Sequence[str]) -> float:
    """ICDAR 2019 score in [0, 1], higher is better: mean of ``1 - ED(p, t) / max(len(p), len(t))``.

    A pair of empty strings scores 1. Returns 0.0 for no samples.
    """
    _check(predictions, targets)
    if not targets:
        return 0.0
    total = 0.0
    for p, t in zip(predictions, targets):
        longest = max(len(p), len(t))
        total += 1.0 if longest == 0 else 1.0 - Levenshtein.distance(p, t) / longest
    return total / len(targets)
