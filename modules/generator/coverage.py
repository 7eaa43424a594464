"""Charset-coverage texts: random strings drawn uniformly from the characters of the corpus.

A corpus of real words sees its common syllables thousands of times and most of the 2,350 KS X
1001 syllables a handful of times: a signboard word with one rare syllable is then misread. A share
of the training crops showing random strings over the corpus charset gives every character the same
share of those crops, whatever its frequency in the corpus.
"""

from __future__ import annotations

import numpy as np

from modules.generator.corpus import CorpusRow


def corpus_charset(rows: list[CorpusRow]) -> str:
    """Every distinct character of the rows' texts except whitespace, in code-point order."""
    return "".join(sorted({c for row in rows for c in row.text if not c.isspace()}))


def coverage_text(rng: np.random.Generator, charset: str, min_len: int = 1, max_len: int = 6) -> str:
    """A string of ``min_len..max_len`` characters drawn uniformly (with replacement) from ``charset``."""
    if not charset:
        raise ValueError("coverage_text needs a non-empty charset")
    length = int(rng.integers(min_len, max_len + 1))
    return "".join(charset[int(i)] for i in rng.integers(len(charset), size=length))
