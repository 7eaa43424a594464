"""Recognition ground-truth files (``gt_train.txt``): ``<relative image path>\\t<label>\\n``, UTF-8.

The reference tool splits on the first tab only, so labels never hold a tab or a line break
(``modules.text.normalize.clean_label`` replaces them). Leading / trailing spaces of labels are kept.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from modules.text.normalize import clean_label, nfc


@dataclass(frozen=True)
class GtEntry:
    """One gt line: ``path`` relative to the data root (POSIX separators) and its NFC label."""

    path: str
    label: str


@dataclass(frozen=True)
class GtProblem:
    """A gt line that could not be used, with its file, 1-based line number and the reason."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


def format_gt_line(path: str, label: str) -> str:
    """One gt line with its newline; raises ``ValueError`` for a path or label that would break it."""
    if "\t" in path or "\n" in path or "\r" in path:
        raise ValueError(f"gt path may not hold a tab or line break: {path!r}")
    cleaned, altered = clean_label(label)
    if altered:
        raise ValueError(f"label holds a tab or line break, clean it first: {label!r}")
    return f"{PurePosixPath(path.replace(os.sep, '/'))}\t{cleaned}\n"


def write_gt(path: str | os.PathLike[str], entries: Iterable[GtEntry]) -> int:
    """Write ``entries`` to ``path`` atomically (temporary file + rename); returns the line count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    count = 0
    with tmp.open("w", encoding="utf-8", newline="\n") as handle:
        for entry in entries:
            handle.write(format_gt_line(entry.path, entry.label))
            count += 1
    os.replace(tmp, path)
    return count


def parse_gt_line(raw: str) -> tuple[str, str] | str | None:
    """One raw gt line (with or without its line ending): ``(path, NFC label)``, ``None`` for a
    blank line, or the reason a malformed line cannot be used (no tab, empty path). The path is
    stripped and uses ``/``; the label keeps its spaces."""
    line = raw.rstrip("\n").rstrip("\r")
    if not line.strip():
        return None
    image, sep, label = line.partition("\t")
    image = image.strip()
    if not sep:
        return "no tab between image path and label"
    if not image:
        return "empty image path"
    return image.replace("\\", "/"), nfc(label)


def iter_gt(path: str | os.PathLike[str]) -> Iterator[GtEntry | GtProblem]:
    """Yield a ``GtEntry`` per valid line and a ``GtProblem`` per malformed one (``parse_gt_line``).

    A UTF-8 BOM and Windows line endings are accepted; labels are NFC-normalised.
    """
    path = Path(path)
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        for number, raw in enumerate(handle, start=1):
            parsed = parse_gt_line(raw)
            if isinstance(parsed, tuple):
                yield GtEntry(*parsed)
            elif parsed is not None:
                yield GtProblem(str(path), number, parsed)


def read_gt(path: str | os.PathLike[str]) -> tuple[list[GtEntry], list[GtProblem]]:
    """All entries and problems of a gt file."""
    entries: list[GtEntry] = []
    problems: list[GtProblem] = []
    for item in iter_gt(path):
        (entries if isinstance(item, GtEntry) else problems).append(item)
    return entries, problems
