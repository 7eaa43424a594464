"""The counts and problems tables 01_make_gtdata and crnn_preprocess save, and the crops they show."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from modules.data.annotations import AnnotationProblem
from modules.data.gtfile import GtEntry
from modules.data.problems import read_problems_csv
from modules.gtdata.make import GtDataReport
from modules.gtdata.report import sample_entries, save_reports


def _report(kept: int, skipped: dict[str, int], problems: list[AnnotationProblem]) -> GtDataReport:
    report = GtDataReport("gt.txt")
    report.images, report.boxes, report.kept = 3, kept + sum(skipped.values()), kept
    report.skipped = Counter(skipped)
    report.problem_records = problems
    return report


def test_save_reports_writes_counts_per_split_and_every_problem_row(tmp_path: Path) -> None:
    reports = {
        "train": _report(5, {"bbox_outside": 2}, [AnnotationProblem("a.json", "bbox_outside", "x > width"),
                                                  AnnotationProblem("b.json", "bbox_outside", "y > height")]),
        "test": _report(1, {"image_missing": 1}, [AnnotationProblem("c.json", "image_missing", "no c.jpg")]),
    }
    counts, problems = save_reports(reports, tmp_path / "counts.csv", tmp_path / "problems.csv")
    assert counts.loc["kept crops", "train"] == 5 and counts.loc["kept crops", "test"] == 1
    assert counts.loc["skipped: bbox_outside", "test"] == 0  # absent in a split: 0, not NaN
    assert counts.loc["skipped: image_missing", "test"] == 1
    saved = pd.read_csv(tmp_path / "counts.csv", index_col=0, encoding="utf-8-sig")
    assert saved.loc["skipped: bbox_outside", "train"] == 2
    assert len(problems) == 3
    back = read_problems_csv(tmp_path / "problems.csv")
    assert sorted(back["reason"]) == ["bbox_outside", "bbox_outside", "image_missing"]


def test_sample_entries_is_seeded_without_repeats_and_caps_at_the_list() -> None:
    entries = [GtEntry(f"crops/{i}.jpg", f"w{i}") for i in range(50)]
    first = sample_entries(entries, 8)
    assert first == sample_entries(entries, 8)
    assert len({e.path for e in first}) == 8
    assert first != sample_entries(entries, 8, seed=1)
    assert sorted(e.path for e in sample_entries(entries[:3], 8)) == sorted(e.path for e in entries[:3])
