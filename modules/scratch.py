"""A scratch database for sets, maps and sorts over a whole dataset that must not grow a long job's memory
with the data: every image of a dataset, every image a run has met (``modules.datasets.files``,
``modules.gtdata``).

It is a private sqlite database with no file name: sqlite keeps at most ``cache_kib`` of its pages in
memory and the rest in a temporary file that it deletes when the connection closes (or the process ends);
sorts larger than the cache spill to temporary files too, so an ``ORDER BY`` over millions of rows stays
flat in memory. A lookup costs microseconds, so it suits work done once per image, not once per pixel.

Text goes in as ``text_key`` bytes (UTF-8, undecodable file-name bytes kept as they are on disk): for valid
Unicode their byte order is the order of Python's ``sorted`` on the strings, and no file name can fail to
encode (one with undecodable bytes sorts by those bytes).
"""

from __future__ import annotations

import sqlite3


def scratch_db(cache_kib: int = 256) -> sqlite3.Connection:
    """A new, empty scratch database in autocommit mode (group bulk writes in ``BEGIN`` / ``COMMIT``).

    It may be handed from thread to thread but must be used by one thread at a time."""
    db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
    # small: a B-tree's upper levels fit, a lookup reads the rest from the file (which the OS caches), and the
    # four databases of 01 hold ~1 MiB in all
    db.execute(f"PRAGMA cache_size = -{int(cache_kib)}")  # negative: KiB
    db.execute("PRAGMA temp_store = FILE")
    db.execute("PRAGMA journal_mode = OFF")  # nothing to roll back: a crash loses the scratch anyway
    db.execute("PRAGMA synchronous = OFF")
    return db


def text_key(text: str) -> bytes:
    """``text`` as a key: UTF-8, with the surrogate escapes of undecodable file-name bytes as those bytes."""
    return text.encode("utf-8", "surrogateescape")


def key_text(key: bytes) -> str:
    """The text of a ``text_key``."""
    return key.decode("utf-8", "surrogateescape")
