"""A set of short byte strings on disk, for finding repeated records among millions (the writer's
duplicate gt lines) without a set in memory that grows with them (a Python set of 16-byte digests costs
~80 bytes a record: 240 MB for the three million crops of the real AIHub set).

It is an lmdb environment in a temporary folder: a batch of keys is checked and added in one write
transaction (a few microseconds a key), so memory holds one batch; the map starts small and doubles
when full, as the writer's does.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence

import lmdb


class KeySet:
    """Keys (1-511 bytes) added batch by batch; ``close`` deletes the folder."""

    def __init__(self, initial_map_size: int = 16 << 20) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="kocr-keys-")
        self.map_size = initial_map_size
        self.env = lmdb.open(self._folder.name, map_size=self.map_size, subdir=True, lock=False, sync=False,
                             metasync=False, meminit=False, readahead=False)

    def add_new(self, keys: Sequence[bytes]) -> list[bool]:
        """Add ``keys`` in order; for each, True when the set did not hold it yet (an earlier copy in the
        same batch counts as held)."""
        while True:
            try:
                with self.env.begin(write=True) as txn:
                    return [txn.put(key, b"", overwrite=False) for key in keys]
            except lmdb.MapFullError:  # the transaction was dropped whole: grow and redo it
                self.map_size *= 2
                self.env.set_mapsize(self.map_size)

    def close(self) -> None:
        self.env.close()
        self._folder.cleanup()

    def __enter__(self) -> KeySet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
