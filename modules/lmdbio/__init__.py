"""Recognition lmdb datasets in the deep-text-recognition-benchmark layout (FORMATS.md §5).

``writer`` builds them (``create_lmdb``); ``dataset`` reads them (``LmdbDataset``, imported lazily so
that writing needs no torch).
"""

from __future__ import annotations

from typing import Any

from modules.lmdbio.writer import (
    GtSource,
    LmdbConfig,
    LmdbReport,
    create_lmdb,
    iter_lmdb_labels,
    iter_lmdb_samples,
    read_manifest,
)

__all__ = ["GtSource", "LmdbConfig", "LmdbDataset", "LmdbReport", "create_lmdb", "iter_lmdb_labels", "iter_lmdb_samples", "read_manifest"]


def __getattr__(name: str) -> Any:
    if name == "LmdbDataset":
        from modules.lmdbio.dataset import LmdbDataset

        return LmdbDataset
    raise AttributeError(f"module 'modules.lmdbio' has no attribute {name!r}")
