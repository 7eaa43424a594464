"""Recognition lmdb storage in the deep-text-recognition-benchmark layout (docs/FORMATS.md §5): ``writer``
builds them (``create_lmdb``) and reads their labels and samples back. No torch: the training dataset
that reads them into batches is ``modules.recognizer.lmdb_dataset``.
"""

from __future__ import annotations

from modules.lmdbio.writer import (
    GtSource,
    LmdbConfig,
    LmdbReport,
    create_lmdb,
    iter_lmdb_labels,
    iter_lmdb_samples,
    read_manifest,
)

__all__ = ["GtSource", "LmdbConfig", "LmdbReport", "create_lmdb", "iter_lmdb_labels", "iter_lmdb_samples", "read_manifest"]
