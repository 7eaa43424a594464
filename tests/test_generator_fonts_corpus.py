"""Fonts (coverage, unreadable files, splits) and the corpus workbook (bad rows)."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from fontTools import subset
from openpyxl import Workbook

from modules.generator.corpus import read_corpus, summarize_problems
from modules.generator.fonts import fonts_covering, load_fonts
from modules.text.charset import ksx1001_hangul, printable_ascii


def ascii_only_font(src: Path, dst: Path) -> Path:
    """A copy of ``src`` that keeps only printable ASCII glyphs (a font lacking Hangul)."""
    options = subset.Options()
    font = subset.load_font(str(src), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in printable_ascii()])
    subsetter.subset(font)
    subset.save_font(font, str(dst), options)
    return dst


@pytest.fixture()
def fonts_dir(tmp_path: Path, font_path: Path) -> Path:
    """train: NanumGothic; test: an ASCII-only subset; plus an unreadable file listed as train."""
    folder = tmp_path / "fonts"
    folder.mkdir()
    shutil.copy(font_path, folder / "Full.ttf")
    ascii_only_font(font_path, folder / "AsciiOnly.ttf")
    (folder / "Broken.ttf").write_bytes(b"this is not a font")
    (folder / "fonts.json").write_text(json.dumps({"fonts": [
        {"file": "Full.ttf", "style": "gothic", "split": "train"},
        {"file": "Broken.ttf", "style": "gothic", "split": "train"},
        {"file": "Missing.ttf", "style": "gothic", "split": "train"},
        {"file": "AsciiOnly.ttf", "style": "gothic", "split": "test"},
    ]}), encoding="utf-8")
    return folder


def test_shipped_fonts_cover_ksx1001_and_ascii(repo_root: Path) -> None:
    required = "".join(ksx1001_hangul()) + "".join(printable_ascii()).strip()
    fonts, problems = load_fonts(repo_root / "textimagegenerator" / "fonts", required=required)
    assert problems == []
    assert len(fonts) >= 8 and len({f.style for f in fonts}) >= 5
    assert {f.split for f in fonts} == {"train", "test"}
    train, _ = load_fonts(repo_root / "textimagegenerator" / "fonts", split="train")
    assert train and all(f.split == "train" for f in train) and len(train) < len(fonts)


def test_unreadable_and_missing_fonts_are_reported_and_skipped(fonts_dir: Path) -> None:
    fonts, problems = load_fonts(fonts_dir, split="train")
    assert [Path(f.path).name for f in fonts] == ["Full.ttf"]
    reasons = {Path(p.path).name: p.reason for p in problems}
    assert set(reasons) == {"Broken.ttf", "Missing.ttf"}
    assert all("cannot read font" in r for r in reasons.values())


def test_coverage_check_keeps_fonts_lacking_glyphs_away(fonts_dir: Path) -> None:
    fonts, _ = load_fonts(fonts_dir)
    ascii_font = next(f for f in fonts if f.name == "AsciiOnly")
    assert ascii_font.covers("OPEN 24h") and not ascii_font.covers("행복 OPEN")
    assert ascii_font.missing("행복 OPEN") == {"행", "복"}
    assert [f.name for f in fonts_covering("행복약국", fonts)] == ["Full"]
    _, problems = load_fonts(fonts_dir, split="test", required="가")
    assert len(problems) == 1 and "lacks 1 required" in problems[0].reason
    with pytest.raises(ValueError, match="unknown font split"):
        load_fonts(fonts_dir, split="val")


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def test_bad_corpus_rows_are_reported_and_skipped(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "한글")
    path = write_xlsx(tmp_path / "c.xlsx", [
        ["text", "category", "language"], ["행복약국", "shop", "ko"], [None, "shop", "ko"], ["   ", "x", "ko"],
        [12345, "number", "mixed"], ["tab\there", "sign", "en"], ["two\nlines", "sign", "en"], [nfd, "sign", "ko"],
        ["OPEN", None, None]])
    rows, problems = read_corpus(path)
    assert [r.text for r in rows] == ["행복약국", "한글", "OPEN"]
    assert rows[0].category == "shop" and rows[2].category == ""
    assert [(p.row, p.reason) for p in problems] == [
        (3, "empty text"), (4, "empty text"), (5, "text is not a string"),
        (6, "text holds a tab or line break"), (7, "text holds a tab or line break")]
    assert summarize_problems(problems).startswith("5 rows skipped")


def test_unusable_workbooks_raise_naming_the_file(tmp_path: Path) -> None:
    no_header = write_xlsx(tmp_path / "h.xlsx", [["words"], ["가"]])
    with pytest.raises(ValueError, match="'text' column"):
        read_corpus(no_header)
    garbage = tmp_path / "g.xlsx"
    garbage.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="g.xlsx"):
        read_corpus(garbage)


def test_shipped_corpus_sees_every_syllable_with_short_labels(repo_root: Path) -> None:
    rows, problems = read_corpus(repo_root / "textimagegenerator" / "sample_data.xlsx")
    assert problems == [] and len(rows) > 10_000
    seen = set("".join(r.text for r in rows))
    assert set(ksx1001_hangul()) <= seen
    lengths = np.array([len(r.text) for r in rows])
    assert np.mean(lengths <= 12) > 0.85 and lengths.max() <= 25
    assert {"shop", "sign", "menu", "address", "price", "phone", "english", "brand", "mixed",
            "random_syllables"} <= {r.category for r in rows}
