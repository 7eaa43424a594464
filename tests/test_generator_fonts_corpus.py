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
from modules.generator.fonts import fonts_covering, licence_name, load_fonts, reserved_reason
from modules.pretrained.card import training_font_licences
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


def test_shipped_fonts_cover_the_text_they_render(repo_root: Path) -> None:
    """Korean fonts cover (nearly) all of KS X 1001, every font the ASCII letters and digits it is
    drawn with; a caps-only design maps no lower case, so lower-case text never reaches it."""
    fonts, problems = load_fonts(repo_root / "textimagegenerator" / "fonts")
    assert problems == []
    ksx = "".join(ksx1001_hangul())
    digits_and_caps = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for font in fonts:
        if font.script == "ko":
            assert len(font.missing(ksx)) <= 100, font.path
        else:
            assert font.covers(digits_and_caps), font.path
            assert font.missing(ksx) == set(ksx), font.path  # a Latin font: no Hangul
    # a few Hangul designs have no Latin glyphs: they only ever draw Hangul-only texts
    assert sum(f.covers(digits_and_caps) for f in fonts if f.script == "ko") >= 40
    caps_only = [f for f in fonts if f.family in ("Bebas Neue", "Humor Sans")]
    assert caps_only and not any(f.covers("Seoul") for f in caps_only)
    assert all(f.covers("SEOUL") for f in caps_only)


def test_shipped_pool_is_large_and_split_by_family(repo_root: Path) -> None:
    fonts, _ = load_fonts(repo_root / "textimagegenerator" / "fonts")
    for script, files, families in (("ko", 40, 12), ("latin", 40, 15)):
        pool = [f for f in fonts if f.script == script]
        assert len(pool) >= files and len({f.family for f in pool}) >= families, script
        for split in ("train", "test"):
            assert len({f.family for f in pool if f.split == split}) >= 5, (script, split)
    split_of: dict[str, set[str]] = {}
    for font in fonts:
        split_of.setdefault(font.family, set()).add(font.split)
    assert all(len(splits) == 1 for splits in split_of.values()), {k: v for k, v in split_of.items() if len(v) > 1}
    train_styles = {f.style for f in fonts if f.split == "train" and f.script == "ko"}
    assert {"gothic", "myeongjo", "pen", "display", "mono"} <= train_styles
    train, _ = load_fonts(repo_root / "textimagegenerator" / "fonts", split="train")
    assert train and all(f.split == "train" for f in train) and len(train) < len(fonts)


def test_no_reserved_family_is_in_the_font_pool(repo_root: Path) -> None:
    """UnFonts and Baekmuk are reserved for independent evaluation: not a file, family, package or
    internal font name of the pool may be theirs."""
    from fontTools.ttLib import TTFont

    folder = repo_root / "textimagegenerator" / "fonts"
    listing = json.loads((folder / "fonts.json").read_text(encoding="utf-8"))["fonts"]
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".ttf", ".otf", ".ttc"))
    assert {e["file"] for e in listing} == {p.name for p in files}  # nothing unlisted lies there either
    for entry in listing:
        assert reserved_reason(entry["file"], entry.get("family", ""), entry.get("package", "")) == "", entry
    for path in files:
        with TTFont(str(path), lazy=True) as font:
            names = [str(r) for r in font["name"].names if r.nameID in (1, 4, 16)]
        assert names and reserved_reason(*names) == "", (path, names)


def test_a_reserved_font_is_refused_wherever_it_is_named(tmp_path: Path, font_path: Path) -> None:
    from fontTools.ttLib import TTFont

    folder = tmp_path / "fonts"
    folder.mkdir()
    shutil.copy(font_path, folder / "UnBatang.ttf")  # reserved by file name
    shutil.copy(font_path, folder / "plain.ttf")  # reserved by its listed family
    shutil.copy(font_path, folder / "pkg.ttf")  # reserved by its package
    with TTFont(str(font_path)) as font:  # reserved by the name inside the font only
        for record in font["name"].names:
            if record.nameID in (1, 4, 16):
                record.string = "Baekmuk Dotum"
        font.save(str(folder / "inner.ttf"))
    shutil.copy(font_path, folder / "ok.ttf")
    (folder / "fonts.json").write_text(json.dumps({"fonts": [
        {"file": "UnBatang.ttf", "split": "train"},
        {"file": "plain.ttf", "family": "UnDotum", "split": "train"},
        {"file": "pkg.ttf", "family": "Something", "package": "fonts-unfonts-extra", "split": "test"},
        {"file": "inner.ttf", "family": "Innocent", "split": "train"},
        {"file": "ok.ttf", "family": "Nanum Gothic", "split": "train"},
    ]}), encoding="utf-8")
    fonts, problems = load_fonts(folder)
    assert [f.name for f in fonts] == ["ok"]
    assert sorted(Path(p.path).name for p in problems) == ["UnBatang.ttf", "inner.ttf", "pkg.ttf", "plain.ttf"]
    assert all("reserved for independent evaluation" in p.reason for p in problems)
    assert not reserved_reason("Unicode Sans", "Under", "Alee Guseul", "Noto Sans CJK KR")


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


def test_shipped_corpus_has_real_vocabulary_and_the_new_text_kinds(repo_root: Path) -> None:
    """Dictionary words (from the shipped word lists), long phrases, dates, times, units, ₩ prices,
    single characters and phone numbers, each in the form a sign writes it."""
    import re

    rows, _ = read_corpus(repo_root / "textimagegenerator" / "sample_data.xlsx")
    by_kind: dict[str, list[str]] = {}
    for row in rows:
        by_kind.setdefault(row.category, []).append(row.text)
    words = repo_root / "textimagegenerator" / "words"
    ko_words = set((words / "ko_words.txt").read_text(encoding="utf-8").split())
    en_words = {w.lower() for w in (words / "en_words.txt").read_text(encoding="utf-8").split()}
    assert len(ko_words) > 50_000 and len(en_words) > 50_000
    assert len(by_kind["word_ko"]) >= 5000 and all(w in ko_words for w in by_kind["word_ko"])
    assert len(by_kind["word_en"]) >= 2000 and all(w.lower() in en_words for w in by_kind["word_en"])
    phrases = by_kind["phrase"]
    assert all(" " in t and len(t) <= 25 for t in phrases)
    assert np.mean([len(t) >= 12 for t in phrases]) > 0.5
    assert all(re.search(r"\d", t) for t in by_kind["date"] + by_kind["time"] + by_kind["unit"])
    assert any(re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", t) for t in by_kind["date"])
    assert any(re.fullmatch(r"\d+월 \d+일", t) for t in by_kind["date"])
    assert any(re.fullmatch(r"\d{2}:\d{2}~\d{2}:\d{2}", t) for t in by_kind["time"])
    for unit in ("km", "g", "ml"):
        assert any(re.fullmatch(rf"[\d.,]+ ?{unit}", t) for t in by_kind["unit"]), unit
    assert any(t.startswith("₩") for t in by_kind["price"]) and any(t.endswith("원") for t in by_kind["price"])
    assert any("$" in t for t in by_kind["price"])
    assert all(len(t) == 1 for t in by_kind["single"])
    assert {"hangul", "latin", "digit"} <= {"hangul" if "가" <= t <= "힣" else "latin" if t.isalpha() else
                                              "digit" if t.isdigit() else "other" for t in by_kind["single"]}
    assert any(re.fullmatch(r"010-\d{4}-\d{4}", t) for t in by_kind["phone"])
    mixed = by_kind["mixed"]
    assert any(re.search(r"[가-힣]", t) and re.search(r"[A-Za-z]", t) and re.search(r"\d", t) for t in mixed)


def test_shipped_corpus_sees_every_syllable_with_short_labels(repo_root: Path) -> None:
    rows, problems = read_corpus(repo_root / "textimagegenerator" / "sample_data.xlsx")
    assert problems == [] and len(rows) > 10_000
    seen = set("".join(r.text for r in rows))
    assert set(ksx1001_hangul()) <= seen
    lengths = np.array([len(r.text) for r in rows])
    assert np.mean(lengths <= 12) > 0.8 and lengths.max() <= 25
    assert {"shop", "sign", "menu", "address", "price", "phone", "english", "brand", "mixed",
            "random_syllables"} <= {r.category for r in rows}


def test_every_character_a_font_claims_draws_ink(repo_root: Path) -> None:
    """No blank glyph behind a mapped character (a sample of each font's characters), and the
    characters some designs draw as something else are kept away from them."""
    from modules.generator.glyphs import GlyphCache

    fonts, _ = load_fonts(repo_root / "textimagegenerator" / "fonts")
    cache = GlyphCache()
    rng = np.random.default_rng(0)
    hangul = list(ksx1001_hangul())
    for font in fonts:
        sample = "0123456789AZaz₩·°℃※…" + "".join(rng.choice(hangul, 12))
        for ch in sample:
            if font.covers(ch):
                assert cache.render(font.path, 24, ch).mask.max() > 100, (font.path, ch)
    hanna = [f for f in fonts if f.family == "BM Hanna"]
    assert hanna and not any(f.covers("₩") for f in hanna)
    assert not any(f.covers("\\") for f in fonts if f.script == "ko" and Path(f.path).name.startswith("ko-"))


def test_every_shipped_font_has_its_licence(repo_root: Path) -> None:
    """Each font's package ships its licence file in fonts/licenses (the unmodified Nanum fonts: OFL.txt)."""
    folder = repo_root / "textimagegenerator" / "fonts"
    entries = json.loads((folder / "fonts.json").read_text(encoding="utf-8"))["fonts"]
    assert sum(str(e["package"]).startswith("npm:") for e in entries) >= 20
    for entry in entries:
        package = str(entry["package"])
        licence = folder / "OFL.txt" if not entry["modified"] else folder / "licenses" / licence_name(package)
        assert licence.is_file() and licence.stat().st_size > 300, (entry["file"], licence)
        if package.startswith("npm:"):
            assert "Open Font License" in licence.read_text(encoding="utf-8", errors="replace"), licence
    for package in training_font_licences(folder / "fonts.json"):  # the model card's licence column
        assert (repo_root / package["licence"]).is_file(), package
