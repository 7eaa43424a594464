"""Finding a dataset's files on disk: the sorted walk and the image index (both kept in a scratch database)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from modules.datasets.common import IMAGE_EXTS
from modules.datasets.files import ImageIndex, iter_files
from modules.scratch import key_text, scratch_db, text_key

NFD = unicodedata.normalize("NFD", "한글")


def _walk_sorted(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The reference: every file of ``os.walk`` in a list, sorted as ``Path`` objects."""
    wanted = {s.lower() for s in suffixes}
    found = [Path(d) / n for d, _, names in os.walk(root) for n in names
             if Path(n).suffix.lower() in wanted and not n.startswith(".")]
    return sorted(found)


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "images"
    # "a-b" sorts after the folder "a" as a Path, before it as a string; NFD names stay as written
    for name in ("a-b.jpg", "a/b.JPG", "a/c/d.png", "A.jpeg", "z/x.jpg", "x/x.png", "dup.jpg", "k/dup.jpg", "dup.png",
                 "m.n.jpg", f"{NFD}.jpg", "orphan.jpg", "o/orphan.jpg", ".hidden.jpg", ".dot/seen.jpg", "notes.txt",
                 "a b/space.webp"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")
    (root / "linked").symlink_to(root / "a", target_is_directory=True)  # not entered, as os.walk
    return root


def test_iter_files_is_the_sorted_walk(tree: Path) -> None:
    found = iter_files(tree, IMAGE_EXTS)
    assert not isinstance(found, list)  # a stream, not a list of every file
    found = list(found)
    assert found == _walk_sorted(tree, IMAGE_EXTS)
    assert tree / "a" / "b.JPG" in found and tree / ".dot" / "seen.jpg" in found
    assert tree / ".hidden.jpg" not in found and not any("linked" in p.parts for p in found)
    assert list(iter_files(tree, (".txt",))) == [tree / "notes.txt"]
    assert list(iter_files(tree / "missing", IMAGE_EXTS)) == []


def test_image_index_finds_the_first_in_sorted_order(tree: Path) -> None:
    with ImageIndex(tree) as index:
        assert index.find("dup.jpg") == tree / "dup.jpg"  # by name before another folder's dup.jpg
        assert index.find("dup") == tree / "dup.jpg"  # by stem: dup.jpg sorts before dup.png
        assert index.find("dup.gif") == tree / "dup.jpg"  # an unknown extension falls back to the stem
        assert index.find("b.jpg") == tree / "a" / "b.JPG"
        assert index.find(r"sub\dir\x.jpg") == tree / "z" / "x.jpg"  # Windows separators; name before stem
        assert index.find("x") == tree / "x" / "x.png"
        assert index.find("orphan.jpg") == tree / "o" / "orphan.jpg"  # the folder "o" sorts before "orphan.jpg"
        assert index.find(unicodedata.normalize("NFC", "한글")) == tree / f"{NFD}.jpg"  # NFD on disk
        assert index.find(None, "", "nothing.jpg") is None
        assert len(index) == 13  # distinct file names: dup.jpg and orphan.jpg count once


def test_unused_images_are_the_first_of_each_name_never_paired(tree: Path) -> None:
    with ImageIndex(tree) as index:
        for name in ("dup.jpg", "a-b.jpg", "b", "x.jpg", "x.png", "d", "A", "m.n", "한글", "space"):
            index.mark_used(index.find(name))
        # k/dup.jpg and orphan.jpg share a name with an image found first: only that one could be paired
        assert list(index.unused()) == [tree / ".dot" / "seen.jpg", tree / "dup.png", tree / "o" / "orphan.jpg"]


def test_scratch_keys_sort_as_python_strings() -> None:
    words = ["b", "a-b", "a\0b", "a", "가", "ㄱ", "Z", "é", "😀", "a/b", "a b", NFD, "\udcff"]  # last: a raw byte
    db = scratch_db()
    db.execute("CREATE TABLE t (k BLOB PRIMARY KEY) WITHOUT ROWID")
    db.executemany("INSERT INTO t VALUES (?)", [(text_key(w),) for w in words])
    back = [key_text(k) for (k,) in db.execute("SELECT k FROM t ORDER BY k")]
    db.close()
    assert back[:-1] == sorted(words[:-1]) and back[-1] == "\udcff"  # the undecodable byte comes back as it was
