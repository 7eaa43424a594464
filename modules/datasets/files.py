"""Finding a dataset's files without holding a list of them: the sorted walk of a folder tree and the
image index that pairs labels with images.

Both keep what they find in a scratch database (``modules.scratch``), so their memory stays the same for
a hundred images or for the ~420,000 of the real AIHub download (a list or dict of every path cost about
1 KB an image). Files are found as ``os.walk`` finds them (symlinked folders are not entered, files and
folders whose name starts with a dot are skipped) and come out in the order of ``sorted`` on ``Path``
objects: folder by folder, by name.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from modules.datasets.common import IMAGE_EXTS
from modules.scratch import key_text, scratch_db, text_key
from modules.text.normalize import nfc

_BATCH = 2048  # rows per insert


def _walk(root: Path, wanted: set[str]) -> Iterator[tuple[str, ...]]:
    """The path parts (relative to ``root``) of the files under ``root`` whose suffix is in ``wanted``, in
    directory order: one ``scandir`` at a time, entries streamed."""
    pending: list[tuple[str, ...]] = [()]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(root.joinpath(*folder)) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if is_dir:
                        try:
                            linked = entry.is_symlink()
                        except OSError:
                            linked = False
                        if not linked:
                            pending.append((*folder, entry.name))
                    elif not entry.name.startswith(".") and os.path.splitext(entry.name)[1].lower() in wanted:
                        yield (*folder, entry.name)
        except OSError:
            continue  # unreadable folder: os.walk skips it too


def _keys(parts: tuple[str, ...]) -> tuple[bytes, bytes | None]:
    """The sort key of a relative path (its parts joined by NUL, which sorts below every character, so
    byte order is ``Path`` order; case-folded where ``Path`` compares so, on Windows) and the exact path
    when the key differs from it."""
    exact = text_key("\0".join(parts))
    folded = text_key("\0".join(os.path.normcase(part) for part in parts))
    return folded, (None if folded == exact else exact)


def _path(root: Path, key: bytes, exact: bytes | None) -> Path:
    return root.joinpath(*key_text(exact if exact is not None else key).split("\0"))


def iter_files(root: str | os.PathLike[str], suffixes: Iterable[str]) -> Iterator[Path]:
    """Files under ``root`` (recursive) whose suffix (case-insensitive) is in ``suffixes``, in ``sorted``
    order. The walk ends before the first file comes out, so the caller may rename or add files."""
    root, wanted = Path(root), {s.lower() for s in suffixes}
    db = scratch_db()
    try:
        db.execute("CREATE TABLE files (key BLOB PRIMARY KEY, exact BLOB) WITHOUT ROWID")
        _insert(db, "INSERT INTO files VALUES (?, ?)", (_keys(parts) for parts in _walk(root, wanted)))
        for key, exact in db.execute("SELECT key, exact FROM files ORDER BY key"):
            yield _path(root, key, exact)
    finally:
        db.close()


def _insert(db: sqlite3.Connection, sql: str, rows: Iterable[tuple]) -> None:
    """``rows`` inserted in transactions of ``_BATCH`` rows."""
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            db.execute("BEGIN")
            db.executemany(sql, batch)
            db.execute("COMMIT")
            batch.clear()
    if batch:
        db.execute("BEGIN")
        db.executemany(sql, batch)
        db.execute("COMMIT")


class ImageIndex:
    """Images under a root folder, found by NFC file name or NFC stem (any case of extension); where
    several images share a name or stem, the first in ``sorted`` order is the one found.

    Real AIHub folders nest images in several levels of Hangul-named folders and mix ``.jpg``, ``.JPG`` and
    ``.JPEG``; the index is built with one directory walk into a scratch database (no per-image memory).
    ``mark_used`` notes the images a reader paired, so ``unused`` can list the others at the end. Close it
    (or use it in a ``with`` block) to delete the database.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.db = scratch_db()
        self.db.execute("CREATE TABLE images (key BLOB PRIMARY KEY, exact BLOB, name BLOB, stem BLOB,"
                        " used INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID")
        if self.root.is_dir():
            rows = ((*_keys(parts), text_key(nfc(parts[-1])), text_key(nfc(os.path.splitext(parts[-1])[0])))
                    for parts in _walk(self.root, set(IMAGE_EXTS)))
            _insert(self.db, "INSERT INTO images (key, exact, name, stem) VALUES (?, ?, ?, ?)", rows)
        self.db.execute("CREATE INDEX by_name ON images (name, key)")
        self.db.execute("CREATE INDEX by_stem ON images (stem, key)")

    def _first(self, column: str, value: str) -> Path | None:
        row = self.db.execute(f"SELECT key, exact FROM images WHERE {column} = ? ORDER BY key LIMIT 1",
                              (text_key(value),)).fetchone()
        return None if row is None else _path(self.root, *row)

    def find(self, *names: str | None) -> Path | None:
        """The first image matching one of ``names`` (a file name, matched by name then by stem)."""
        for name in names:
            if not name:
                continue
            base = nfc(Path(str(name).replace("\\", "/")).name)
            hit = self._first("name", base) or self._first("stem", nfc(Path(base).stem)) or self._first("stem", base)
            if hit is not None:
                return hit
        return None

    def mark_used(self, path: str | os.PathLike[str]) -> None:
        """Note that a label refers to ``path`` (an image ``find`` returned)."""
        key, _ = _keys(Path(path).relative_to(self.root).parts)
        self.db.execute("UPDATE images SET used = 1 WHERE key = ?", (key,))

    def unused(self) -> Iterator[Path]:
        """The images no label was paired with, in ``sorted`` order; of images sharing a file name only the
        first counts (the others can never be found by name)."""
        rows = self.db.execute("SELECT key, exact FROM images AS i WHERE used = 0 AND key = "
                               "(SELECT MIN(key) FROM images WHERE name = i.name) ORDER BY key")
        for key, exact in rows:
            yield _path(self.root, key, exact)

    def __len__(self) -> int:
        """The number of distinct image file names."""
        return self.db.execute("SELECT COUNT(DISTINCT name) FROM images").fetchone()[0]

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ImageIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
