"""gt file lines: parsing shared by iter_gt and the lmdb writer, label cleaning."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from modules.data.gtfile import GtEntry, GtProblem, iter_gt, parse_gt_line
from modules.text.normalize import clean_label


def test_parse_gt_line_cases() -> None:
    nfd = unicodedata.normalize("NFD", "간판")
    assert parse_gt_line("a\\b.jpg\t 간판 \r\n") == ("a/b.jpg", " 간판 ")
    assert parse_gt_line(f"x.jpg\t{nfd}\n") == ("x.jpg", "간판")
    assert parse_gt_line("x.jpg\ta\tb\n") == ("x.jpg", "a\tb")  # split on the first tab only
    assert parse_gt_line("   \r\n") is None
    assert parse_gt_line("no tab here\n") == "no tab between image path and label"
    assert parse_gt_line("  \tlabel\n") == "empty image path"


def test_iter_gt_numbers_problems_and_skips_blank_lines(tmp_path: Path) -> None:
    gt = tmp_path / "gt.txt"
    gt.write_bytes("\ufeffa.jpg\t라벨\r\n\nbroken\nb.jpg\tB\n".encode("utf-8"))
    assert list(iter_gt(gt)) == [GtEntry("a.jpg", "라벨"), GtProblem(str(gt), 3, "no tab between image path and label"),
                                 GtEntry("b.jpg", "B")]


def test_clean_label_replaces_every_line_break() -> None:
    assert clean_label("a\tb\u2028c\x85d") == ("a b c d", True)
    assert clean_label(unicodedata.normalize("NFD", "한 글")) == ("한 글", False)
