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


def test_clean_label_makes_each_run_of_control_characters_one_space() -> None:
    assert clean_label("행복\r\n약국") == ("행복 약국", True)  # CR LF: one space, not two
    assert clean_label("a\r\n\r\n\tb") == ("a b", True)
    assert clean_label("a\x00b\x7fc\x1bd") == ("a b c d", True)  # NUL, DEL, ESC
    assert clean_label("\n앞 뒤 \u2028") == (" 앞 뒤  ", True)  # runs at the ends too; spaces themselves kept
    assert clean_label(" 그대로 ") == (" 그대로 ", False)
