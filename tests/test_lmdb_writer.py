"""lmdb writer: reference layout, validation, path escapes, map growth, atomic swap and re-runs."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import cv2
import lmdb
import numpy as np
import pytest

from modules.imageio import encode_image, write_image
from modules.lmdbio import (
    GtSource,
    LmdbConfig,
    create_lmdb,
    iter_lmdb_labels,
    read_manifest,
)
from modules.lmdbio.imagecheck import VALIDATE_MODES, check_image
from modules.lmdbio.writer import resolve_in_root

QUIET = LmdbConfig(progress=False)


def _crop(seed: int, width: int = 60, height: int = 20) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 255, (height, width, 3), dtype=np.uint8)


def _dataset(root: Path, n: int = 10) -> Path:
    lines = []
    for i in range(n):
        name = f"train/간판_{i:03d}.jpg" if i % 2 else f"train/crop_{i:03d}.png"
        write_image(root / name, _crop(i, 40 + i, 20))
        lines.append(f"{name}\t라벨 {i}\n")
    gt = root / "gt_train.txt"
    gt.write_text("".join(lines), encoding="utf-8")
    return gt


def _read_all(path: Path) -> tuple[int, dict[bytes, bytes]]:
    env = lmdb.open(str(path), readonly=True, lock=False)
    with env.begin() as txn:
        items = dict(txn.cursor())
    env.close()
    return int(items[b"num-samples"]), items


def test_reference_layout_and_raw_bytes(tmp_path: Path) -> None:
    gt = _dataset(tmp_path / "data")
    report = create_lmdb([GtSource(str(gt), str(tmp_path / "data"))], tmp_path / "lmdb", QUIET)
    count, items = _read_all(tmp_path / "lmdb")
    assert count == report.written == 10
    assert set(items) == {b"num-samples", *(b"image-%09d" % i for i in range(1, 11)), *(b"label-%09d" % i for i in range(1, 11))}
    assert items[b"num-samples"] == b"10"
    assert items[b"label-000000002"].decode("utf-8") == "라벨 1"
    assert items[b"image-000000002"] == (tmp_path / "data" / "train" / "간판_001.jpg").read_bytes()
    assert len(report.sizes) == 10 and report.sizes.widths == {40 + i: 1 for i in range(10)}
    assert report.sizes.heights == {20: 10}
    manifest = json.loads((tmp_path / "lmdb" / "kocr_manifest.json").read_text(encoding="utf-8"))
    assert manifest["image_sizes"]["width"] == {"min": 40.0, "median": 44.5, "max": 49.0}
    assert manifest["image_sizes"]["aspect"]["median"] == pytest.approx(2.225, abs=0.01)
    assert [label for _, label in iter_lmdb_labels(tmp_path / "lmdb")] == [f"라벨 {i}" for i in range(10)]


def test_bad_samples_are_skipped_and_logged(tmp_path: Path) -> None:
    data = tmp_path / "data"
    gt = _dataset(data, 4)
    good = (data / "train" / "간판_001.jpg").read_bytes()
    (data / "train" / "truncated.jpg").write_bytes(good[: len(good) // 2])
    (data / "train" / "garbage.jpg").write_bytes(b"\xff\xd8not really a jpeg\xff\xd9")
    (data / "train" / "empty.png").write_bytes(b"")
    (tmp_path / "outside.jpg").write_bytes(good)
    nfd = unicodedata.normalize("NFD", "라벨")
    with gt.open("a", encoding="utf-8") as handle:
        handle.write("train/truncated.jpg\tt\ntrain/garbage.jpg\tg\ntrain/empty.png\te\ntrain/none.jpg\tn\n")
        handle.write("../outside.jpg\tescape\n/etc/passwd\tabs\nno tab here\n")
        handle.write(f"train/간판_001.jpg\t라벨 1\ntrain/crop_000.png\t{nfd}\ntrain/crop_002.png\t \n")
    report = create_lmdb([GtSource(str(gt), str(data))], tmp_path / "lmdb", QUIET)
    assert report.written == 5  # 4 originals + the NFD relabel of crop_000
    assert report.skipped == {"jpeg_truncated": 1, "jpeg_corrupt": 1, "empty_file": 1, "missing_file": 1,
                              "path_escapes_root": 2, "gt_malformed": 1, "duplicate_line": 1, "label_empty": 1}
    log = (tmp_path / "lmdb" / "skipped.txt").read_text(encoding="utf-8")
    assert "truncated.jpg\tjpeg_truncated" in log and "../outside.jpg\tpath_escapes_root" in log
    labels = [label for _, label in iter_lmdb_labels(tmp_path / "lmdb")]
    assert labels[-1] == "라벨" and unicodedata.is_normalized("NFC", labels[-1])


def test_reading_processes_write_the_same_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large inputs are read by worker processes in chunks: same keys, bytes, skips and log as reading
    here, with a duplicate whose first copy sits in another chunk."""
    from modules.lmdbio import writer

    data = tmp_path / "data"
    gt = _dataset(data, 9)
    good = (data / "train" / "간판_001.jpg").read_bytes()
    (data / "train" / "truncated.jpg").write_bytes(good[: len(good) // 2])
    with gt.open("a", encoding="utf-8") as handle:
        handle.write("train/truncated.jpg\tt\n../x.jpg\tescape\nno tab\ntrain/간판_001.jpg\t라벨 1\ntrain/none.jpg\tn\n")
    sources = [GtSource(str(gt), str(data))]
    here = create_lmdb(sources, tmp_path / "here", LmdbConfig(progress=False, workers=1))
    monkeypatch.setattr(writer, "_POOL_MIN_LINES", 0)
    monkeypatch.setattr(writer, "_CHUNK", 3)
    pooled = create_lmdb(sources, tmp_path / "pooled", LmdbConfig(progress=False, workers=2, commit_samples=2))
    assert pooled.written == here.written == 9
    assert pooled.skipped == here.skipped == {"jpeg_truncated": 1, "path_escapes_root": 1, "gt_malformed": 1,
                                              "duplicate_line": 1, "missing_file": 1}
    assert _read_all(tmp_path / "pooled") == _read_all(tmp_path / "here")
    log = "skipped.txt"
    assert (tmp_path / "pooled" / log).read_text(encoding="utf-8") == (tmp_path / "here" / log).read_text(encoding="utf-8")


def test_map_grows_from_a_tiny_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lines = []
    for i in range(30):
        write_image(data / f"{i}.png", _crop(i, 200, 100))  # ~60 KB each, ~1.8 MB total
        lines.append(f"{i}.png\tx{i}\n")
    (data / "gt.txt").write_text("".join(lines), encoding="utf-8")
    config = LmdbConfig(progress=False, initial_map_size=256 << 10, commit_samples=7)
    report = create_lmdb([GtSource(str(data / "gt.txt"), str(data))], tmp_path / "lmdb", config)
    assert report.written == 30 and report.map_size > 256 << 10
    count, items = _read_all(tmp_path / "lmdb")
    assert count == 30 and items[b"image-000000030"] == (data / "29.png").read_bytes()


def test_rerun_is_skipped_then_rebuilt_on_change(tmp_path: Path) -> None:
    data = tmp_path / "data"
    gt = _dataset(data, 3)
    sources = [GtSource(str(gt), str(data))]
    create_lmdb(sources, tmp_path / "lmdb", QUIET)
    again = create_lmdb(sources, tmp_path / "lmdb", QUIET)
    assert again.up_to_date and again.written == 3
    gt.write_text(gt.read_text(encoding="utf-8"), encoding="utf-8")  # rewritten (crops re-made): rebuild
    os.utime(gt, ns=(gt.stat().st_atime_ns, gt.stat().st_mtime_ns + 10**9))
    assert not create_lmdb(sources, tmp_path / "lmdb", QUIET).up_to_date
    with gt.open("a", encoding="utf-8") as handle:
        handle.write("train/crop_000.png\tnew label\n")
    rebuilt = create_lmdb(sources, tmp_path / "lmdb", QUIET)
    assert not rebuilt.up_to_date and rebuilt.written == 4
    assert _read_all(tmp_path / "lmdb")[0] == 4
    assert read_manifest(tmp_path / "lmdb")["written"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "lmdb"]


def test_interrupted_run_leaves_old_dataset_and_no_half_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    gt = _dataset(data, 5)
    sources = [GtSource(str(gt), str(data))]
    create_lmdb(sources, tmp_path / "lmdb", QUIET)
    gt.write_text(gt.read_text(encoding="utf-8") + "train/crop_000.png\tmore\n", encoding="utf-8")
    from modules.lmdbio import writer

    def boom(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writer, "_swap_in", boom)
    with pytest.raises(KeyboardInterrupt):
        create_lmdb(sources, tmp_path / "lmdb", QUIET)
    assert _read_all(tmp_path / "lmdb")[0] == 5  # the finished dataset is untouched
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith("lmdb.tmp-")]
    assert len(leftovers) == 1  # the unfinished copy sits beside it under a temporary name
    monkeypatch.undo()
    # a dead process's leftovers are removed by the next run; our own pid is reused, so rename it
    for p in leftovers:
        os.replace(p, p.with_name("lmdb.tmp-999999999"))
    report = create_lmdb(sources, tmp_path / "lmdb", QUIET)
    assert report.written == 6
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "lmdb"]


def test_several_sources_merge(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    sources = [GtSource(str(_dataset(a, 3)), str(a)), GtSource(str(_dataset(b, 2)), str(b))]
    report = create_lmdb(sources, tmp_path / "lmdb", QUIET)
    assert report.written == 5


@pytest.mark.parametrize("mode", VALIDATE_MODES)
def test_check_image_modes(mode: str) -> None:
    jpeg = encode_image(_crop(1, 33, 17), ".jpg")
    png = encode_image(_crop(1, 33, 17), ".png")
    assert check_image(jpeg, mode) == ((33, 17), "")
    assert check_image(png, mode) == ((33, 17), "")
    assert check_image(encode_image(_crop(1, 33, 17), ".bmp"), mode) == ((33, 17), "")
    assert check_image(jpeg[:-300], mode)[1] == "jpeg_truncated"
    assert check_image(png[:-30], mode)[1] == "png_truncated"
    assert check_image(b"hello", mode) == (None, "undecodable")
    assert check_image(b"", mode) == (None, "empty_file")
    flipped = bytearray(png)
    flipped[40] ^= 0xFF  # inside the IDAT data: the chunk CRC no longer matches
    assert check_image(bytes(flipped), mode) == (None, "png_corrupt")
    no_scan = jpeg[: jpeg.index(b"\xff\xda")] + b"\xff\xd9"
    assert check_image(no_scan, mode) == (None, "jpeg_corrupt")
    assert cv2.imdecode(np.frombuffer(no_scan, np.uint8), cv2.IMREAD_GRAYSCALE) is None


def test_structure_refuses_nearly_all_that_opencv_refuses() -> None:
    """Randomly damaged JPEGs: the structure check refuses >= 90% of those OpenCV cannot decode."""
    jpeg = encode_image(_crop(3, 50, 20), ".jpg")
    assert check_image(jpeg, "structure") == ((50, 20), "")  # its header is now remembered as good
    rng = np.random.default_rng(0)
    refused = caught = 0
    for _ in range(400):
        data = bytearray(jpeg)
        for pos in rng.integers(0, len(data), int(rng.integers(1, 6))):
            data[pos] = int(rng.integers(0, 256))
        if cv2.imdecode(np.frombuffer(bytes(data), np.uint8), cv2.IMREAD_GRAYSCALE) is None:
            refused += 1
            caught += check_image(bytes(data), "structure")[0] is None
    assert refused > 50 and caught >= 0.9 * refused


def test_remembered_header_keeps_each_files_size_and_checks() -> None:
    first, other = encode_image(_crop(4, 60, 30), ".jpg"), encode_image(_crop(5, 61, 17), ".jpg")
    assert check_image(first) == ((60, 30), "") and check_image(other) == ((61, 17), "")
    broken = bytearray(other)
    dht = broken.index(b"\xff\xc4")
    broken[dht + 5 : dht + 21] = b"\xff" * 16  # impossible Huffman code counts
    assert check_image(bytes(broken)) == (None, "jpeg_corrupt")


def test_header_size_and_path_checks(tmp_path: Path) -> None:
    assert check_image(encode_image(_crop(2, 123, 45), ".jpg"))[0] == (123, 45)
    assert resolve_in_root(tmp_path, "a/./b.jpg") == str(tmp_path / "a" / "b.jpg")
    assert resolve_in_root(tmp_path, "a/../b.jpg") == str(tmp_path / "b.jpg")
    assert resolve_in_root(tmp_path, "..") is None and resolve_in_root(tmp_path, "C:/x.jpg") is None
    assert resolve_in_root(tmp_path, "a/../../b.jpg") is None
    assert resolve_in_root(tmp_path, "/abs.jpg") is None
    with pytest.raises(ValueError, match="validate"):
        LmdbConfig(validate="fast")


def test_key_set_on_disk_finds_repeats_across_batches_and_grows() -> None:
    from modules.lmdbio.keyset import KeySet

    keys = KeySet(initial_map_size=64 << 10)  # a few pages: must grow
    folder = Path(keys._folder.name)
    assert keys.add_new([b"a", b"b", b"a"]) == [True, True, False]  # a repeat inside one batch
    assert keys.add_new([b"b", b"c"]) == [False, True]
    many = [i.to_bytes(16, "big") for i in range(20_000)]  # ~600 KB of keys
    assert all(keys.add_new(many[:10_000])) and keys.map_size > 64 << 10
    assert keys.add_new(many[9_999:10_001]) == [False, True]
    keys.close()
    assert not folder.exists()


def test_duplicate_lines_across_sources_are_written_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    gt = _dataset(data, 6)
    lines = gt.read_text(encoding="utf-8").splitlines(keepends=True)
    again = data / "gt_again.txt"  # lines 2 and 4 again, line 3 with another label (not a duplicate)
    again.write_text(lines[1] + lines[3] + lines[2].replace("라벨", "다른"), encoding="utf-8")
    report = create_lmdb([GtSource(str(gt), str(data)), GtSource(str(again), str(data))], tmp_path / "lmdb", QUIET)
    assert report.written == 7 and report.skipped == {"duplicate_line": 2}
    assert [label for _, label in iter_lmdb_labels(tmp_path / "lmdb")][-1] == "다른 2"
