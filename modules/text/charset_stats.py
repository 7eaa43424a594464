"""Character statistics of recognition labels and charset building (``04_extract_charset``).

``char_frequencies`` counts characters over labels; ``build_charset`` orders them (frequent first,
then optional unions: printable ASCII, the 2,350 KS X 1001 syllables, all 11,172 syllables);
``charset_coverage`` reports the labels a charset would drop (a character it lacks) or alter
(NFC / tab cleaning changes them), so a user sees the cost of a charset before training.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from modules.text.charset import Charset, all_hangul, ksx1001_hangul, printable_ascii
from modules.text.normalize import clean_label


def char_frequencies(labels: Iterable[str]) -> tuple[Counter[str], int]:
    """Character counts over NFC-cleaned ``labels`` and the number of labels."""
    counts: Counter[str] = Counter()
    n = 0
    for label in labels:
        counts.update(clean_label(label)[0])
        n += 1
    return counts, n


def build_charset(
    frequencies: Counter[str],
    min_count: int = 1,
    add_ascii: bool = False,
    add_ksx1001: bool = False,
    add_all_hangul: bool = False,
) -> Charset:
    """Characters seen at least ``min_count`` times (most frequent first, ties by code point), then
    the requested unions in the order ASCII, KS X 1001, all Hangul (each adds only new characters).

    Line breaks and tabs never enter a charset (labels cannot hold them)."""
    seen = sorted((c for c, n in frequencies.items() if n >= min_count and c not in "\t\n\r"),
                  key=lambda c: (-frequencies[c], ord(c)))
    extra: list[str] = []
    if add_ascii:
        extra.extend(printable_ascii())
    if add_ksx1001:
        extra.extend(ksx1001_hangul())
    if add_all_hangul:
        extra.extend(all_hangul())
    return Charset.from_chars([*seen, *extra])


@dataclass
class Coverage:
    """How a charset fits a set of labels."""

    labels: int = 0
    covered: int = 0
    dropped: int = 0  # labels with at least one character outside the charset
    altered: int = 0  # labels changed by NFC / tab cleaning (still usable)
    missing_chars: Counter = field(default_factory=Counter)  # character -> labels it drops
    examples: list[str] = field(default_factory=list)  # a few dropped labels


def charset_coverage(labels: Iterable[str], charset: Charset, max_examples: int = 20) -> Coverage:
    """Count labels a charset keeps, drops (unknown characters) or that cleaning alters."""
    report = Coverage()
    for raw in labels:
        label, altered = clean_label(raw)
        report.labels += 1
        report.altered += altered or label != raw
        missing = charset.missing(label)
        if missing:
            report.dropped += 1
            report.missing_chars.update(missing)
            if len(report.examples) < max_examples:
                report.examples.append(label)
        else:
            report.covered += 1
    return report


def rare_chars(frequencies: Counter[str], max_count: int = 2) -> list[tuple[str, int]]:
    """Characters seen at most ``max_count`` times, rarest first."""
    return sorted(((c, n) for c, n in frequencies.items() if n <= max_count), key=lambda item: (item[1], ord(item[0])))


def char_class(ch: str) -> str:
    """A coarse script class for summaries: hangul, jamo, latin, digit, space, punct, other."""
    if "\uac00" <= ch <= "\ud7a3":
        return "hangul"
    if "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f":
        return "jamo"
    if ch.isascii():
        if ch.isalpha():
            return "latin"
        if ch.isdigit():
            return "digit"
        return "space" if ch == " " else "punct"
    return "other"


def stats_data(frequencies: Counter[str], n_labels: int, charset: Charset, coverage: Coverage,
               options: dict) -> dict:
    """The content of ``charset_stats.json``: options, sizes, per-class counts, frequencies and coverage."""
    classes = Counter()
    for ch, n in frequencies.items():
        classes[char_class(ch)] += n
    return {
        "options": options,
        "labels": n_labels,
        "distinct_chars": len(frequencies),
        "charset_size": len(charset),
        "chars_by_class": dict(classes),
        "frequencies": dict(frequencies.most_common()),
        "coverage": {**{k: v for k, v in asdict(coverage).items() if k != "missing_chars"},
                     "missing_chars": dict(coverage.missing_chars.most_common())},
    }


def write_stats(path: str | os.PathLike[str], frequencies: Counter[str], n_labels: int, charset: Charset,
                coverage: Coverage, options: dict) -> None:
    """``charset_stats.json``: options, sizes, per-class counts, frequencies and coverage (atomic)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(stats_data(frequencies, n_labels, charset, coverage, options), ensure_ascii=False,
                              indent=1), encoding="utf-8")
    os.replace(tmp, path)


def save_charset_outputs(charset_path: str | os.PathLike[str], stats_path: str | os.PathLike[str],
                         charset: Charset, frequencies: Counter[str], n_labels: int, coverage: Coverage,
                         options: dict) -> None:
    """Write the charset file and its stats together, and only once both are complete (04's outputs).

    Nothing is written when there are no labels or the charset is empty (``ValueError``). Both files are
    first written to temporary names beside their targets, the charset is read back and compared, and
    only then are both renamed into place: a failure on the way leaves the previous files (or none) as
    they were, never a charset without its stats or one that does not read back.
    """
    if n_labels <= 0:
        raise ValueError("no labels: the charset was not written (run 03_create_lmdb first, or check lmdb_root)")
    if len(charset) == 0:
        raise ValueError("the charset is empty: nothing was written (lower min_count or add a union)")
    charset_path, stats_path = Path(charset_path), Path(stats_path)
    text = json.dumps(stats_data(frequencies, n_labels, charset, coverage, options), ensure_ascii=False, indent=1)
    temps = [charset_path.with_name(f".{charset_path.name}.part"), stats_path.with_name(f".{stats_path.name}.part")]
    try:
        charset.write(temps[0])
        if Charset.read(temps[0]) != charset:
            raise ValueError(f"{charset_path}: the charset does not read back; nothing was written")
        temps[1].parent.mkdir(parents=True, exist_ok=True)
        temps[1].write_text(text, encoding="utf-8")
        os.replace(temps[1], stats_path)
        os.replace(temps[0], charset_path)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
