"""The resume journal of ``make_gtdata`` and the images a run has met, both kept on disk.

The journal is an append-only JSON-lines file: a header with the run's options, then one record per
finished image (its crops, labels, counts and problem rows). Where each image's latest record sits in
the file is indexed in a scratch database (``modules.scratch``), as are the images of this run (for the
order of the gt file and the crop names), so a run's memory does not grow with its images: the real AIHub
set has ~420,000 of them, a dict of paths and offsets cost ~1 KB an image.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from modules.scratch import key_text, scratch_db, text_key

HEADER = "kocr-gtdata v3"


def _image_of(line: bytes) -> str | None:
    """The image a journal line is the record of; None for a torn or foreign line."""
    try:
        image = json.loads(line)["image"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
        return None
    return image if isinstance(image, str) else None


class Journal:
    """Append-only record of finished images; a torn last line (crash mid-write) is ignored and, where an
    image has several records, the last one counts.

    Opening rewrites the file clean (a journal of other options is discarded) and indexes it. ``add``
    only appends to the file, so the thread that collects results never touches the index, which the
    reading thread uses (``done``); the lines added are indexed when the run is read back (``records``)."""

    def __init__(self, path: Path, fingerprint: dict) -> None:
        self.path = path
        self.db = scratch_db()
        self.db.execute("CREATE TABLE done (image BLOB PRIMARY KEY, offset INTEGER NOT NULL) WITHOUT ROWID")
        header = (json.dumps({"journal": HEADER, **fingerprint}, ensure_ascii=False) + "\n").encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        # rewrite clean (drops a torn line and foreign headers), then append
        with tmp.open("wb") as out:
            out.write(header)
            if path.exists():
                with path.open("rb") as old:
                    if old.readline() == header:
                        self.db.execute("BEGIN")
                        for line in old:
                            image = _image_of(line)
                            if image is None:
                                continue
                            self._index(image, out.tell())
                            out.write(line if line.endswith(b"\n") else line + b"\n")
                        self.db.execute("COMMIT")
        os.replace(tmp, path)
        self.handle = path.open("ab")
        self._unindexed = self.handle.tell()  # lines from here on are not in the index yet

    def _index(self, image: str, offset: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO done VALUES (?, ?)", (text_key(image), offset))

    def done(self, image: str) -> bool:
        """Whether ``image`` was finished by an earlier run (the index holds the file as it was opened)."""
        return self.db.execute("SELECT 1 FROM done WHERE image = ?", (text_key(image),)).fetchone() is not None

    def add(self, record: dict) -> None:
        """Append a finished image's record (``record["image"]`` names it)."""
        self.handle.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
        self.handle.flush()

    def close(self) -> None:
        """Close the file and delete the index."""
        self.handle.close()
        self.db.close()

    def records(self, images: Iterator[str]) -> Iterator[dict]:
        """The latest records of ``images`` (those finished), read back from the file one at a time (the
        lines added since opening are indexed first)."""
        with self.path.open("rb") as handle:
            handle.seek(self._unindexed)
            self.db.execute("BEGIN")
            while True:
                offset, line = handle.tell(), handle.readline()
                if not line.endswith(b"\n"):
                    break  # the end, or a line torn by a failed write
                image = _image_of(line)
                if image is not None:
                    self._index(image, offset)
            self.db.execute("COMMIT")
            self._unindexed = handle.tell()
            for image in images:
                row = self.db.execute("SELECT offset FROM done WHERE image = ?", (text_key(image),)).fetchone()
                if row is not None:
                    handle.seek(row[0])
                    yield json.loads(handle.readline())


class RunImages:
    """The images a run has met, in a scratch database: whether an image comes again (``first_time``),
    a crop name unique in the run (``crop_name``), and all of them in path order (``sorted``)."""

    def __init__(self) -> None:
        self.db = scratch_db()
        self.db.execute("CREATE TABLE seen (image BLOB PRIMARY KEY) WITHOUT ROWID")
        self.db.execute("CREATE TABLE stems (stem BLOB PRIMARY KEY, image BLOB NOT NULL) WITHOUT ROWID")

    def first_time(self, image: str) -> bool:
        """Note ``image``; False when the run met it before."""
        return self.db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (text_key(image),)).rowcount == 1

    def crop_name(self, image: str) -> str:
        """The stem of ``image``'s crops: its file stem, or for a later image of the same stem (another
        folder) the stem and 8 hex digits of the path's SHA-1."""
        stem, key = Path(image).stem, text_key(image)
        self.db.execute("INSERT OR IGNORE INTO stems VALUES (?, ?)", (text_key(stem), key))
        owner = self.db.execute("SELECT image FROM stems WHERE stem = ?", (text_key(stem),)).fetchone()[0]
        if owner == key:
            return stem
        return f"{stem}_{hashlib.sha1(image.encode('utf-8')).hexdigest()[:8]}"

    def sorted(self) -> Iterator[str]:
        """Every image met, in ``sorted`` order of the path strings."""
        for (key,) in self.db.execute("SELECT image FROM seen ORDER BY image"):
            yield key_text(key)

    def close(self) -> None:
        self.db.close()
