"""What ``01_make_gtdata`` and ``crnn_preprocess`` show and save after cropping: the counts per split, the
problems table, and a few crops to look at."""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from modules.data.gtfile import GtEntry
from modules.data.problems import problems_frame, write_problems_csv
from modules.gtdata.make import GtDataReport


def save_reports(reports: Mapping[str, GtDataReport], counts_csv: str | os.PathLike[str],
                 problems_csv: str | os.PathLike[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write the counts (one column per split, one row per ``GtDataReport.table`` line) to ``counts_csv``
    and every problem / flag row to ``problems_csv``; returns ``(counts, problems)`` as DataFrames."""
    counts = pd.DataFrame({split: dict(r.table()) for split, r in reports.items()}).fillna(0).astype(int)
    counts.to_csv(counts_csv, encoding="utf-8-sig")
    problems = problems_frame({split: r.problem_records for split, r in reports.items()})
    write_problems_csv(problems, problems_csv)
    return counts, problems


def sample_entries(entries: list[GtEntry], count: int, seed: int = 0) -> list[GtEntry]:
    """``count`` entries (all when fewer) drawn without replacement, the same ones for the same seed."""
    picks = np.random.default_rng(seed).choice(len(entries), min(count, len(entries)), replace=False)
    return [entries[i] for i in picks]
