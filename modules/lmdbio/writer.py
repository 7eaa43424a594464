"""Write recognition lmdb datasets in the deep-text-recognition-benchmark layout (docs/FORMATS.md §5).

Keys: ``image-%09d`` -> the image file's bytes as on disk, ``label-%09d`` -> UTF-8 label,
``num-samples`` -> ASCII count; indices are 1-based and contiguous over written samples. A
``kocr_manifest.json`` beside ``data.mdb`` records the inputs and counts (readers ignore it).

Differences from the reference tool, all for safety and speed:
- the map starts small and doubles on ``MapFullError`` (no 1 TiB map, which fails on Windows);
- the dataset is written to ``<out>.tmp-<pid>`` and renamed at the end, so an interrupted run never
  leaves a dataset that looks complete; a re-run with the same inputs is skipped, otherwise rebuilt;
- gt lines are parsed and images read by a pool of processes (both cores work; slow reads, e.g. from
  Google Drive, overlap) and validated by their structure (``modules.lmdbio.imagecheck``: catches
  truncated copies, which a decode with OpenCV accepts) or by a full decode; transactions are written
  by a background thread while reading goes on, unsynced until the final ``sync``;
- gt paths that leave the data root (absolute, ``../``) are refused; bad samples are skipped and
  logged with file and reason, never abort the run; identical (path, label) lines are written once
  (found in a set on disk, ``modules.lmdbio.keyset``: memory does not grow with the lines).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import posixpath
import shutil
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import lmdb
from tqdm.auto import tqdm

from modules.data.gtfile import parse_gt_line
from modules.lmdbio.imagecheck import VALIDATE_MODES, check_image
from modules.lmdbio.keyset import KeySet
from modules.pool import ordered_outputs
from modules.text.normalize import clean_label

MANIFEST = "kocr_manifest.json"
SKIPPED_LOG = "skipped.txt"
_CHUNK = 512  # gt lines per reading task
_POOL_MIN_LINES = 8192  # smaller inputs are read in the writing process


@dataclass(frozen=True)
class GtSource:
    """A gt file and the data root its image paths are relative to."""

    gt_path: str
    root: str


@dataclass(frozen=True)
class LmdbConfig:
    """Writer options. ``validate``: ``structure`` or ``decode`` (``modules.lmdbio.imagecheck``);
    ``workers``: reading processes, 0 = one per CPU core, 1 = read in the writing process (inputs
    under 8,192 lines always are); more than the cores helps on network drives (reads wait on I/O)."""

    validate: str = "structure"
    workers: int = 0
    commit_bytes: int = 16 << 20  # one transaction per this many image bytes (written in the background)
    commit_samples: int = 4096
    initial_map_size: int = 64 << 20
    force: bool = False  # rebuild even when the manifest says the dataset is up to date
    progress: bool = True

    def __post_init__(self) -> None:
        if self.validate not in VALIDATE_MODES:
            raise ValueError(f"validate must be one of {VALIDATE_MODES}, got {self.validate!r}")


def _median(counts: Counter) -> float:
    """Median of the values a ``Counter`` counts (the mean of the two middle ones for an even total)."""
    total = sum(counts.values())
    first, second = (total - 1) // 2, total // 2  # 0-based ranks of the middle value(s)
    seen, low = 0, None
    for key in sorted(counts):
        seen += counts[key]
        if low is None and first < seen:
            low = key
        if second < seen:
            return (low + key) / 2
    raise ValueError("median of an empty Counter")


class SizeTally:
    """Widths, heights and aspect ratios (w / h, to 0.01) of the written images, counted per value: the
    memory follows the number of distinct sizes, not of images, so millions of crops cost kilobytes
    (a list of every ``(width, height)`` cost ~100 bytes a crop). ``len`` is the number of images."""

    def __init__(self) -> None:
        self.widths: Counter = Counter()
        self.heights: Counter = Counter()
        self.aspects: Counter = Counter()

    def append(self, size: tuple[int, int]) -> None:
        width, height = size
        self.widths[width] += 1
        self.heights[height] += 1
        self.aspects[round(width / height, 2)] += 1

    def __len__(self) -> int:
        return sum(self.widths.values())

    def stats(self) -> dict:
        """``{"width" | "height" | "aspect": {"min", "median", "max"}}`` (the aspect median to 0.01)."""
        if not self.widths:
            return {}
        return {name: {"min": float(min(c)), "median": float(_median(c)), "max": float(max(c))}
                for name, c in (("width", self.widths), ("height", self.heights), ("aspect", self.aspects))}


@dataclass
class LmdbReport:
    """What a run wrote and skipped. ``sizes``: a ``SizeTally`` of the written images' sizes."""

    out_dir: str
    written: int = 0
    skipped: Counter = field(default_factory=Counter)
    skipped_items: list[tuple[str, str]] = field(default_factory=list)
    label_lengths: Counter = field(default_factory=Counter)
    sizes: SizeTally = field(default_factory=SizeTally)
    altered_labels: int = 0
    seconds: float = 0.0
    up_to_date: bool = False
    map_size: int = 0


# ---------------------------------------------------------------- inputs


def resolve_in_root(root: str | os.PathLike[str], relative: str) -> str | None:
    """``root/relative`` when it stays inside ``root`` lexically (no absolute paths, no ``../``
    escapes, no drive letters), else None. Lexical on purpose: resolving symlinks costs several
    system calls per sample, and a link the user placed inside the root is the user's choice."""
    rel = relative.replace("\\", "/")
    if rel.startswith("/") or (len(rel) > 1 and rel[1] == ":"):
        return None
    if not rel.startswith(".") and "/." not in rel and "//" not in rel and not rel.endswith("/"):
        return f"{os.fspath(root)}/{rel}"  # the common case: nothing to normalise
    norm = posixpath.normpath(rel)
    if norm == ".." or norm.startswith("../") or norm == ".":
        return None
    return os.path.join(os.fspath(root), norm)


class _Record(NamedTuple):
    """A loaded gt line. ``key`` is the resolved image path (None when refused before reading);
    ``data`` is None for a skipped sample, whose ``reason`` is then set."""

    shown: str  # for messages: "gt file: image path" or "gt file:line"
    key: str | None
    label: str
    data: bytes | None
    size: tuple[int, int] | None
    reason: str


def _read_file(path: str) -> tuple[bytes | None, str]:
    try:
        with open(path, "rb") as handle:
            return handle.read(), ""
    except FileNotFoundError:
        return None, "missing_file"
    except OSError as error:
        return None, f"unreadable ({error.strerror or error})"


def _load_lines(source: GtSource, first_line: int, lines: list[str], validate: str) -> list[_Record]:
    """Parse (``modules.data.gtfile.parse_gt_line``; tabs and line breaks in labels become spaces),
    resolve, read and validate a chunk of gt lines; runs in the reading processes. ``first_line`` is
    the 1-based number of ``lines[0]``."""
    out: list[_Record] = []
    root, gt_path = source.root, source.gt_path
    for number, raw in enumerate(lines, start=first_line):
        parsed = parse_gt_line(raw)
        if parsed is None:
            continue
        if isinstance(parsed, str):
            out.append(_Record(f"{gt_path}:{number}", None, "", None, None, "gt_malformed"))
            continue
        image, label = parsed[0], clean_label(parsed[1])[0]
        shown = f"{gt_path}: {image}"
        path = resolve_in_root(root, image)
        if path is None:
            out.append(_Record(shown, None, label, None, None, "path_escapes_root"))
        elif not label.strip():
            out.append(_Record(shown, None, label, None, None, "label_empty"))
        else:
            data, reason = _read_file(path)
            size = None
            if data is not None:
                size, reason = check_image(data, validate)
            out.append(_Record(shown, path, label, data if size else None, size, reason))
    return out


def _line_chunks(sources: Sequence[GtSource], size: int) -> Iterator[tuple[GtSource, int, list[str]]]:
    """``(source, number of the first line, lines)`` in chunks of ``size`` lines, in input order."""
    for source in sources:
        with open(source.gt_path, "r", encoding="utf-8-sig", newline="") as handle:
            number = 1
            while True:
                lines = list(itertools.islice(handle, size))
                if not lines:
                    break
                yield source, number, lines
                number += len(lines)


def _load_task(task: tuple[GtSource, int, list[str], str]) -> list[_Record]:
    return _load_lines(*task)


def _reader_count(config: LmdbConfig, lines: int) -> int:
    """Reading processes for ``lines`` gt lines: none (read here) for small inputs, where starting
    processes costs more than it saves."""
    workers = config.workers or (os.cpu_count() or 1)
    return 0 if workers <= 1 or lines < _POOL_MIN_LINES else workers


def iter_records(sources: Sequence[GtSource], config: LmdbConfig, lines: int | None = None) -> Iterator[_Record]:
    """Every non-blank gt line of ``sources`` as a record, in input order; identical (path, label)
    lines after the first are refused as ``duplicate_line``.

    Chunks of lines are parsed, read and validated by a bounded pool of processes (both cores work,
    and slow reads from network drives overlap) or here for small inputs; ``lines`` is the total
    line count when the caller knows it.
    """
    if lines is None:
        lines = sum(_count_lines(s.gt_path) for s in sources)
    workers = _reader_count(config, lines)

    def deduplicated(records: list[_Record], seen: KeySet) -> Iterator[_Record]:
        # a 16-byte digest of each (path, label) pair goes in a set on disk (memory stays flat over millions
        # of records); a false duplicate needs a 128-bit collision
        digests = [hashlib.blake2b(f"{r.key}\t{r.label}".encode("utf-8"), digest_size=16).digest()
                   for r in records if r.key is not None]
        fresh = iter(seen.add_new(digests))
        for record in records:
            if record.key is not None and not next(fresh):
                record = record._replace(key=None, data=None, size=None, reason="duplicate_line")
            yield record

    tasks = ((*chunk, config.validate) for chunk in _line_chunks(sources, _CHUNK))
    # Forked readers on Linux: they only read files, parse gt lines and image headers, and decode with
    # OpenCV, so no lock a parent thread may hold is needed.
    with KeySet() as seen:
        for records in ordered_outputs(_load_task, tasks, workers, window=4, fork=True):
            yield from deduplicated(records, seen)


# ---------------------------------------------------------------- writing


class GrowingLmdb:
    """An lmdb environment whose map doubles when full. ``put_batch`` writes one batch in one
    transaction (retried whole after growing) on a background thread, so the caller keeps reading
    while lmdb copies (it releases the GIL); at most one batch waits. ``close`` waits and syncs."""

    def __init__(self, path: Path, map_size: int) -> None:
        self.path = path
        self.map_size = map_size
        path.mkdir(parents=True, exist_ok=True)
        self.env = lmdb.open(str(path), map_size=map_size, subdir=True, lock=False, sync=False,
                             metasync=False, meminit=False, readahead=False)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lmdb-write")
        self._pending: Future | None = None

    def _write(self, items: list[tuple[bytes, bytes]]) -> None:
        while True:
            try:
                with self.env.begin(write=True) as txn:
                    txn.cursor().putmulti(items)
                return
            except lmdb.MapFullError:
                self.map_size *= 2
                self.env.set_mapsize(self.map_size)

    def put_batch(self, items: list[tuple[bytes, bytes]]) -> None:
        if self._pending is not None:
            self._pending.result()  # re-raises a failed write here
        self._pending = self._thread.submit(self._write, items)

    def close(self) -> None:
        try:
            if self._pending is not None:
                self._pending, pending = None, self._pending
                pending.result()  # re-raises a failed last write
        finally:
            self._thread.shutdown()
        self.env.sync(True)
        self.env.close()


def _fingerprint(sources: Sequence[GtSource], config: LmdbConfig) -> dict:
    """What decides whether a finished dataset is up to date: each gt file's content and modification
    time (01 / 02 rewrite their gt files on every run, so re-made crops always trigger a rebuild)."""
    inputs = []
    for source in sources:
        path = Path(source.gt_path)
        with path.open("rb") as handle:  # read in blocks: a gt file of millions of lines is tens of MB
            digest = hashlib.file_digest(handle, "sha1")
        inputs.append({"gt": str(source.gt_path), "root": str(Path(source.root).resolve()), "sha1": digest.hexdigest(),
                       "mtime_ns": path.stat().st_mtime_ns})
    return {"format": "dtrb-lmdb-v1", "inputs": inputs, "validate": config.validate}


def read_manifest(out_dir: str | os.PathLike[str]) -> dict | None:
    """The manifest of a finished dataset, or None."""
    path = Path(out_dir) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _remove_stale_tmp(out_dir: Path) -> None:
    """Remove leftovers of interrupted runs (``.tmp-<pid>`` / ``.old-<pid>`` of dead processes)."""
    leftovers = [*out_dir.parent.glob(f"{out_dir.name}.tmp-*"), *out_dir.parent.glob(f"{out_dir.name}.old-*")]
    for tmp in leftovers:
        pid = tmp.name.rsplit("-", 1)[-1]
        alive = pid.isdigit() and int(pid) != os.getpid() and _pid_alive(int(pid))
        if not alive:
            shutil.rmtree(tmp, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def create_lmdb(
    sources: Sequence[GtSource], out_dir: str | os.PathLike[str], config: LmdbConfig = LmdbConfig()
) -> LmdbReport:
    """Build one lmdb dataset at ``out_dir`` from the gt files of ``sources`` (see the module docstring).

    Returns the report; skipped samples are also listed in ``out_dir/skipped.txt`` as
    ``<gt file>: <path>\\t<reason>``. When ``out_dir`` holds a dataset built from identical inputs it is
    left alone (``report.up_to_date``) unless ``config.force``.
    """
    out_dir = Path(out_dir)
    start = time.perf_counter()
    fingerprint = _fingerprint(sources, config)
    old = read_manifest(out_dir)
    if old is not None and not config.force and old.get("fingerprint") == fingerprint:
        report = LmdbReport(str(out_dir), written=int(old["written"]), skipped=Counter(old["skipped"]),
                            label_lengths=Counter({int(k): v for k, v in old["label_lengths"].items()}),
                            up_to_date=True)
        return report
    _remove_stale_tmp(out_dir)
    tmp = out_dir.with_name(f"{out_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    report = LmdbReport(str(out_dir))
    db = GrowingLmdb(tmp, config.initial_map_size)
    batch: list[tuple[bytes, bytes]] = []
    batch_bytes = 0
    with (tmp / SKIPPED_LOG).open("w", encoding="utf-8") as log:
        total = sum(_count_lines(s.gt_path) for s in sources)
        records = iter_records(sources, config, total)
        for shown, _, label, data, size, reason in tqdm(records, desc=f"lmdb {out_dir.name}", unit="img",
                                                        total=total, disable=not config.progress, mininterval=1.0):
            if data is None:
                report.skipped[reason.split(" ")[0]] += 1
                report.skipped_items.append((shown, reason))
                log.write(f"{shown}\t{reason}\n")
                continue
            report.written += 1
            index = report.written
            batch.append((b"image-%09d" % index, data))
            batch.append((b"label-%09d" % index, label.encode("utf-8")))
            batch_bytes += len(data)
            report.label_lengths[len(label)] += 1
            report.sizes.append(size)
            if batch_bytes >= config.commit_bytes or len(batch) >= 2 * config.commit_samples:
                db.put_batch(batch)
                batch, batch_bytes = [], 0
    batch.append((b"num-samples", str(report.written).encode("ascii")))
    db.put_batch(batch)
    report.map_size = db.map_size
    db.close()
    report.seconds = time.perf_counter() - start
    manifest = {
        "fingerprint": fingerprint,
        "written": report.written,
        "skipped": dict(report.skipped),
        "label_lengths": {str(k): v for k, v in sorted(report.label_lengths.items())},
        "image_sizes": report.sizes.stats(),
        "seconds": round(report.seconds, 3),
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    _swap_in(tmp, out_dir)
    return report


def _count_lines(path: str) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _swap_in(tmp: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``tmp``; the old dataset is removed only after the new one is in place."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    old = out_dir.with_name(f"{out_dir.name}.old-{os.getpid()}")
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def iter_lmdb_labels(lmdb_dir: str | os.PathLike[str]) -> Iterator[tuple[int, str]]:
    """``(index, label)`` of every sample of an lmdb dataset (1-based), without decoding images."""
    env = lmdb.open(str(lmdb_dir), readonly=True, lock=False, readahead=False, meminit=False, subdir=True)
    try:
        with env.begin() as txn:
            count = int(txn.get(b"num-samples") or b"0")
            for index in range(1, count + 1):
                raw = txn.get(b"label-%09d" % index)
                if raw is not None:
                    yield index, raw.decode("utf-8")
    finally:
        env.close()


def iter_lmdb_samples(lmdb_dir: str | os.PathLike[str]) -> Iterator[tuple[int, bytes, str]]:
    """``(index, image bytes, label)`` of every sample of an lmdb dataset (1-based); the image as stored
    (encoded JPEG / PNG), for readers that decode it their own way."""
    env = lmdb.open(str(lmdb_dir), readonly=True, lock=False, readahead=False, meminit=False, subdir=True)
    try:
        with env.begin() as txn:
            count = int(txn.get(b"num-samples") or b"0")
            for index in range(1, count + 1):
                data, raw = txn.get(b"image-%09d" % index), txn.get(b"label-%09d" % index)
                if data is not None and raw is not None:
                    yield index, bytes(data), raw.decode("utf-8")
    finally:
        env.close()
