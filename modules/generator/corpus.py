"""The text corpus: ``textimagegenerator/sample_data.xlsx`` (columns documented in
``textimagegenerator/README.md``).

The first sheet holds a header row with at least a ``text`` column (``category`` and ``language``
are optional). Rows with an empty, non-string or tab / line-break holding ``text`` are reported and
skipped; texts are NFC-normalised.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from modules.text.normalize import clean_label, nfc

COLUMNS = ("text", "category", "language")


@dataclass(frozen=True)
class CorpusRow:
    """One sample text and where it came from."""

    text: str
    category: str = ""
    language: str = ""


@dataclass(frozen=True)
class CorpusProblem:
    """A skipped row: file, 1-based sheet row, reason key and detail."""

    source: str
    row: int
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.source}: row {self.row}: {self.reason}" + (f" ({self.detail})" if self.detail else "")


def read_corpus(path: str | os.PathLike[str]) -> tuple[list[CorpusRow], list[CorpusProblem]]:
    """All usable rows of the workbook and the problems of the others.

    Raises ``ValueError`` (naming the file) only when the workbook itself is unusable: missing,
    not an xlsx, or without a ``text`` header.
    """
    from zipfile import BadZipFile

    from openpyxl import load_workbook  # imported here: only the corpus reader needs it
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, BadZipFile, KeyError, ValueError) as error:
        raise ValueError(f"{path}: cannot open the corpus workbook ({error})") from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        names = [str(h).strip().lower() if h is not None else "" for h in (header or ())]
        if "text" not in names:
            raise ValueError(f"{path}: the first sheet needs a header row with a 'text' column, got {names}")
        col = {name: names.index(name) for name in COLUMNS if name in names}
        out: list[CorpusRow] = []
        problems: list[CorpusProblem] = []
        for number, values in enumerate(rows, start=2):
            values = tuple(values or ())

            def cell(name: str) -> object:
                index = col.get(name)
                return values[index] if index is not None and index < len(values) else None

            raw = cell("text")
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                problems.append(CorpusProblem(str(path), number, "empty text"))
                continue
            if not isinstance(raw, str):
                problems.append(CorpusProblem(str(path), number, "text is not a string", repr(raw)))
                continue
            _, altered = clean_label(raw)
            if altered:
                problems.append(CorpusProblem(str(path), number, "text holds a tab or line break", repr(raw)))
                continue
            category, language = cell("category"), cell("language")
            out.append(
                CorpusRow(
                    nfc(raw.strip()),
                    str(category).strip() if category is not None else "",
                    str(language).strip() if language is not None else "",
                )
            )
    finally:
        workbook.close()
    return out, problems


def summarize_problems(problems: list[CorpusProblem]) -> str:
    """A one-line count of skipped rows by reason, e.g. ``3 rows skipped: empty text 2, ...``."""
    if not problems:
        return "0 rows skipped"
    counts = Counter(p.reason for p in problems)
    return f"{len(problems)} rows skipped: " + ", ".join(f"{r} {n}" for r, n in counts.most_common())
