"""Every problem of a data-preparation run as one table (pandas), grouped by reason, saved as CSV.

Rows come from ``AnnotationProblem`` records (readers, ``make_gtdata``, the YOLO conversion): one row a
record, columns ``split``, ``file``, ``annotation`` (the record inside the file: ``annotation 7``,
``image 00000002``, ``word 3``; empty for a whole file), ``reason``, ``detail``, ``count`` (records the
row stands for) and ``kept`` (True: the record is used, only flagged).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from modules.data.annotations import AnnotationProblem

COLUMNS = ("split", "file", "annotation", "reason", "detail", "count", "kept")


def problems_frame(problems_by_split: Mapping[str, Iterable[AnnotationProblem]]) -> pd.DataFrame:
    """One row per problem, splits in the given order, problems in the order met (columns ``COLUMNS``)."""
    rows = [(split, p.source, p.annotation, p.reason, p.detail, int(p.count), bool(p.kept))
            for split, problems in problems_by_split.items() for p in problems]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype({"count": "int64", "kept": "bool"})


def problems_by_reason(frame: pd.DataFrame) -> pd.DataFrame:
    """Records per reason and split: index ``(kept, reason)`` (skips first), one column per split (in the
    order of first appearance) and ``total``; counts sum the rows' ``count``. Empty when ``frame`` is."""
    if frame.empty:
        return pd.DataFrame(columns=["total"], index=pd.MultiIndex.from_tuples([], names=["kept", "reason"]))
    table = frame.pivot_table(index=["kept", "reason"], columns="split", values="count", aggfunc="sum",
                              fill_value=0, sort=True)
    table = table[list(dict.fromkeys(frame["split"]))]
    table.columns.name = None
    table["total"] = table.sum(axis=1)
    return table.astype("int64")


def write_problems_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` to ``path`` atomically (temporary file + rename), UTF-8 with a BOM so spreadsheet
    tools show Hangul; returns the path. An empty frame still writes the header."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False, encoding="utf-8-sig")
    os.replace(tmp, path)
    return path


def read_problems_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A table written by ``write_problems_csv`` (empty cells read back as empty strings)."""
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"file": str, "annotation": str, "reason": str,
                                                            "detail": str, "split": str}, keep_default_na=False)
    return frame.astype({"count": "int64", "kept": "bool"})
