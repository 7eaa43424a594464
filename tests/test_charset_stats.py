"""04: character frequencies, charset building with unions, coverage report and the stats file."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path

from modules.text.charset import Charset, ksx1001_hangul, printable_ascii
import pytest

from modules.text import charset_stats
from modules.text.charset_stats import (
    build_charset,
    char_frequencies,
    charset_coverage,
    rare_chars,
    save_charset_outputs,
    write_stats,
)

LABELS = ["가나", "가다", "AB 1", unicodedata.normalize("NFD", "한"), "가\t나", "뷁"]


def test_frequencies_are_nfc_and_tab_free() -> None:
    counts, n = char_frequencies(LABELS)
    assert n == 6
    assert counts["가"] == 3 and counts["나"] == 2 and counts["한"] == 1
    assert "\t" not in counts and counts[" "] == 2  # the tab became a space
    assert "\u1112" not in counts  # no decomposed jamo


def test_build_charset_orders_by_frequency_and_unions() -> None:
    counts, _ = char_frequencies(LABELS)
    plain = build_charset(counts)
    assert plain.chars[:3] == ("가", " ", "나")  # 3, 2, 2 (ties by code point: space < 나)
    assert len(plain) == len(counts)
    assert build_charset(counts, min_count=2).chars == ("가", " ", "나")
    ks = build_charset(counts, add_ascii=True, add_ksx1001=True)
    assert set(ks.chars) == set(counts) | set(printable_ascii()) | set(ksx1001_hangul())
    assert "뷁" in ks  # seen in labels although outside KS X 1001
    full = build_charset(counts, add_all_hangul=True)
    assert sum("\uac00" <= c <= "\ud7a3" for c in full.chars) == 11172
    assert full.chars[0] == "가"  # seen characters keep the first class ids


def test_coverage_reports_dropped_and_altered() -> None:
    charset = Charset.from_chars("가나다AB 1")
    coverage = charset_coverage(LABELS, charset)
    assert coverage.labels == 6
    assert coverage.dropped == 2 and set(coverage.missing_chars) == {"한", "뷁"}
    assert coverage.altered == 2  # the NFD label and the tab label
    assert coverage.covered == 4


def test_rare_and_stats_file(tmp_path: Path) -> None:
    counts, n = char_frequencies(LABELS)
    assert rare_chars(counts, 1)[0][1] == 1 and ("가", 3) not in rare_chars(counts, 1)
    charset = build_charset(counts)
    charset.write(tmp_path / "charset.txt")
    assert Charset.read(tmp_path / "charset.txt") == charset
    write_stats(tmp_path / "stats.json", counts, n, charset, charset_coverage(LABELS, charset), {"min_count": 1})
    data = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    assert data["charset_size"] == len(charset) and data["labels"] == 6
    assert data["chars_by_class"]["hangul"] == sum(v for k, v in counts.items() if "\uac00" <= k <= "\ud7a3")
    assert Counter(data["frequencies"]) == counts


def _inputs(labels: list[str]) -> tuple:
    frequencies, n = char_frequencies(labels)
    charset = build_charset(frequencies)
    return charset, frequencies, n, charset_coverage(labels, charset), {"min_count": 1}


def test_charset_and_stats_are_written_together_after_success(tmp_path: Path) -> None:
    charset_path, stats_path = tmp_path / "lmdb" / "charset.txt", tmp_path / "lmdb" / "charset_stats.json"
    save_charset_outputs(charset_path, stats_path, *_inputs(["가나", "AB"]))
    assert Charset.read(charset_path).chars == ("A", "B", "가", "나")  # ties by code point
    assert json.loads(stats_path.read_text(encoding="utf-8"))["labels"] == 2
    assert sorted(p.name for p in charset_path.parent.iterdir()) == ["charset.txt", "charset_stats.json"]


def test_no_labels_writes_nothing(tmp_path: Path) -> None:
    charset_path, stats_path = tmp_path / "charset.txt", tmp_path / "charset_stats.json"
    with pytest.raises(ValueError, match="no labels: the charset was not written"):
        save_charset_outputs(charset_path, stats_path, *_inputs([]))
    assert list(tmp_path.iterdir()) == []


def test_a_failure_on_the_way_leaves_the_previous_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    charset_path, stats_path = tmp_path / "charset.txt", tmp_path / "charset_stats.json"
    save_charset_outputs(charset_path, stats_path, *_inputs(["가"]))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_replace = charset_stats.os.replace

    def fail_on_stats(src: object, dst: object) -> None:
        if Path(dst) == stats_path:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(charset_stats.os, "replace", fail_on_stats)
    with pytest.raises(OSError, match="disk full"):
        save_charset_outputs(charset_path, stats_path, *_inputs(["나다라"]))
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # old pair kept, no temporary left
