"""Turn annotated scene images into word crops + a recognition gt file (docs/FORMATS.md §4).

Used by ``01_make_gtdata`` (AIHub) and ``crnn_preprocess`` (TextOCR, with perspective rectification).

- Parallel over cores (a process pool over images), with a progress bar.
- Resumable: every finished image is appended to a journal (``.<gt name>.journal.jsonl`` beside the
  gt file, ``modules.gtdata.journal``) after its crops are written; a re-run skips journaled images. The
  gt file is assembled from the journal at the end and written atomically, so a re-run or a resumed run
  never duplicates or loses lines. A journal written with other options is discarded.
- Streaming: the journal's index and the images met live in scratch databases on disk, and crops and
  labels are read back from the journal when the gt is written, so memory does not grow with the
  images or their crops; only the problem rows of the report (``problem_records``) are kept.
- Skips are counted by reason: the reader's problems (``image_missing``, ``bbox_*``, ...),
  ``illegible``, ``jamo_only`` (only with ``drop_jamo_only``), ``vertical`` (when ``vertical="skip"``),
  ``too_small``, ``image_unreadable``. Kept records are flagged and counted apart (``flagged``): the
  reader's notes (``image_shared``, ``polygon_fallback``, ...), ``jamo_only`` labels (ㅋㅋ, ㅎㅎ: text people
  write on signs) and ``label_altered`` (a run of control characters / line breaks became one space).
  Every problem and flag is also a row of ``GtDataReport.problem_records`` (``modules.data.problems``
  turns them into a table); the journal keeps the rows of the images it holds.
- Optional jittered copies (``jitter_copies``): each word is also cut from boxes whose edges are moved
  at random, as a detector's boxes are, so a recognizer trained on them reads loose or slightly cut
  detections too. The shifts are seeded by the image path: a re-run writes the same crops.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from modules.data.annotations import AnnotationProblem, ImageAnnotation, WordAnnotation
from modules.data.gtfile import GtEntry, write_gt
from modules.geometry.crop import crop_box, tiled_vertical, upright_vertical, warp_quad
from modules.gtdata.crop import VERTICAL_MODES, jitter_box
from modules.gtdata.journal import Journal, RunImages
from modules.imageio import ImageReadError, read_image, write_image
from modules.pool import unordered_outputs
from modules.text.normalize import clean_label, is_jamo_only


@dataclass(frozen=True)
class GtDataConfig:
    """Options. ``vertical``: ``skip`` | ``rotate`` (90° counter-clockwise, top char on the left) | ``tile``
    (cut into one band per character laid left to right, as the OCR reads vertical boxes);
    ``rectify``: warp quads upright (TextOCR), else crop the bbox; ``workers`` 0 = CPU count.
    ``jitter_copies`` extra crops per word from randomly shifted boxes (``crop.jitter_box``; not with
    ``rectify``), with edge shifts of sd ``jitter_along`` / ``jitter_across`` x the character size and
    mean ``jitter_outward``. ``drop_jamo_only`` skips labels made only of jamo (kept and flagged by
    default)."""

    vertical: str = "tile"  # the form the OCR reads vertical boxes in (``OCRConfig.vertical``): the
    # recognizer then trains on tiled columns as it will be shown them, rather than on rotated ones it never
    # reads
    rectify: bool = False
    min_side: int = 4  # crops with a shorter side (pixels) are skipped as too_small
    quality: int = 95
    workers: int = 0
    progress: bool = True
    jitter_copies: int = 0
    jitter_along: float = 0.2  # the detector's left / right edges are off by about this (x text height)
    jitter_across: float = 0.12  # its top / bottom edges
    jitter_outward: float = 0.05  # the OCR's default crop margin
    jitter_seed: int = 0
    drop_jamo_only: bool = False  # True: labels made only of jamo (ㅋㅋ) are skipped instead of kept (flagged)

    def __post_init__(self) -> None:
        if self.vertical not in VERTICAL_MODES:
            raise ValueError(f"vertical must be one of {VERTICAL_MODES}, got {self.vertical!r}")
        if self.jitter_copies < 0:
            raise ValueError(f"jitter_copies must be >= 0, got {self.jitter_copies}")
        if self.jitter_copies and self.rectify:
            raise ValueError("jitter_copies works on axis-aligned boxes; it cannot be combined with rectify")


@dataclass
class GtDataReport:
    """Counts of a run: ``images`` / ``boxes`` seen, ``kept`` crops, ``skipped`` by reason, ``flagged``
    (kept, but noted) by reason, and every problem / flag as a record (``problem_records``)."""

    gt_path: str
    images: int = 0
    boxes: int = 0
    kept: int = 0
    jittered: int = 0  # of the kept crops, the jittered copies
    resumed_images: int = 0
    skipped: Counter = field(default_factory=Counter)
    flagged: Counter = field(default_factory=Counter)
    label_altered: int = 0
    problems: list[str] = field(default_factory=list)  # the first few messages, for display
    problem_records: list[AnnotationProblem] = field(default_factory=list)  # every problem and flag

    def table(self) -> list[tuple[str, int]]:
        """Rows ``(what, count)`` for a notebook table."""
        rows = [("images", self.images), ("boxes", self.boxes), ("kept crops", self.kept),
                ("  of which jittered copies", self.jittered),
                ("images resumed from the journal", self.resumed_images)]
        return (rows + [(f"skipped: {reason}", count) for reason, count in sorted(self.skipped.items())]
                + [(f"flagged (kept): {reason}", count) for reason, count in sorted(self.flagged.items())])


@dataclass(frozen=True)
class _Task:
    annotation: ImageAnnotation
    name: str  # unique crop name stem for this image
    out_root: str
    crop_dir: str
    config: GtDataConfig


def _cut(image: np.ndarray, word: WordAnnotation, config: GtDataConfig) -> np.ndarray | None:
    if config.rectify and word.quad is not None and len(word.quad) == 4:
        return warp_quad(image, word.quad)
    return crop_box(image, word.bbox)


def _upright(crop: np.ndarray, label: str, mode: str) -> np.ndarray:
    return tiled_vertical(crop, label) if mode == "tile" else upright_vertical(crop)


def _save(crop: np.ndarray | None, word: WordAnnotation, label: str, stem: str, task: _Task,
          entries: list[tuple[str, str]]) -> bool:
    """Write one crop (vertical words made horizontal) and add its gt entry; False when it is too small."""
    config = task.config
    if crop is None or min(crop.shape[:2]) < config.min_side:
        return False
    if word.vertical:
        crop = _upright(crop, label, config.vertical)
    relative = str(PurePosixPath(task.crop_dir) / f"{stem}.jpg")
    write_image(Path(task.out_root) / relative, crop, quality=config.quality)
    entries.append((relative, label))
    return True


def process_image(task: _Task) -> dict[str, Any]:
    """Crop, save and label the words of one image; returns its journal record: ``image`` path, ``entries``
    ``[(crop path, label)]``, ``skipped`` / ``flagged`` counts by reason, ``altered`` labels, ``jittered``
    copies written and ``problems``: rows ``[file, annotation, reason, detail, count, kept]``."""
    annotation, config = task.annotation, task.config
    skipped: Counter = Counter()
    flagged: Counter = Counter()
    problems: list[list[Any]] = []
    entries: list[tuple[str, str]] = []
    altered = jittered = 0

    def record() -> dict[str, Any]:
        return {"image": annotation.image_path, "entries": entries, "skipped": dict(skipped), "altered": altered,
                "jittered": jittered, "flagged": dict(flagged), "problems": problems}

    def note(number: int, reason: str, detail: str, kept: bool = False) -> None:
        (flagged if kept else skipped)[reason] += 1
        problems.append([annotation.image_path, f"word {number}", reason, detail, 1, kept])

    try:
        image = read_image(annotation.image_path)
    except ImageReadError as error:
        skipped["image_unreadable"] += len(annotation.words) or 1
        problems.append([annotation.image_path, "", "image_unreadable",
                         f"{str(error)[:160]} ({len(annotation.words)} words lost)", len(annotation.words) or 1, False])
        return record()
    seed = hashlib.sha1(f"{config.jitter_seed}:{annotation.image_path}".encode("utf-8")).digest()
    rng = np.random.default_rng(int.from_bytes(seed[:8], "little"))
    for number, word in enumerate(annotation.words, start=1):
        if word.text is None or not word.text.strip():
            skipped["illegible"] += 1
            continue
        label, was_altered = clean_label(word.text)
        if is_jamo_only(label):
            if config.drop_jamo_only:
                note(number, "jamo_only", f"{label!r} (drop_jamo_only)")
                continue
            note(number, "jamo_only", repr(label), kept=True)
        if word.vertical and config.vertical == "skip":
            note(number, "vertical", f"{label!r} (vertical='skip')")
            continue
        if not _save(_cut(image, word, config), word, label, f"{task.name}_{number:02d}", task, entries):
            note(number, "too_small", f"{label!r} box {tuple(round(v, 1) for v in word.bbox)}, min_side {config.min_side}")
            continue
        if was_altered:
            altered += 1
            flagged["label_altered"] += 1
            problems.append([annotation.image_path, f"word {number}", "label_altered",
                             f"{word.text!r} -> {label!r}", 1, True])
        for copy in range(1, config.jitter_copies + 1):
            box = jitter_box(word.bbox, rng, config.jitter_along, config.jitter_across, config.jitter_outward,
                             vertical=word.vertical)
            jittered += _save(crop_box(image, box), word, label, f"{task.name}_{number:02d}_j{copy}", task, entries)
    return record()


def _tasks(records: Iterable[ImageAnnotation | AnnotationProblem], journal: Journal, report: GtDataReport,
           images: RunImages, out_root: str, crop_dir: str, config: GtDataConfig) -> Iterator[_Task]:
    """The work of the images not finished yet (runs in the pool's feeding thread when ``workers > 1``)."""
    for record in records:
        if isinstance(record, AnnotationProblem):
            (report.flagged if record.kept else report.skipped)[record.reason] += record.count
            report.problem_records.append(record)
            if len(report.problems) < 50:
                report.problems.append(str(record))
            continue
        report.images += 1
        report.boxes += len(record.words)
        name = images.crop_name(record.image_path)
        # an image met again in this run was finished (or is being cut) under its first record
        if not images.first_time(record.image_path) or journal.done(record.image_path):
            report.resumed_images += 1
            continue
        yield _Task(record, name, out_root, crop_dir, config)


def _collect(results: Iterable, journal: Journal, gt_path: Path, config: GtDataConfig) -> None:
    for record in tqdm(results, desc=f"crops -> {gt_path.name}", unit="img", disable=not config.progress,
                       mininterval=1.0):
        journal.add(record)


def make_gtdata(
    records: Iterable[ImageAnnotation | AnnotationProblem],
    out_root: str | os.PathLike[str],
    crop_dir: str,
    gt_path: str | os.PathLike[str],
    config: GtDataConfig = GtDataConfig(),
) -> GtDataReport:
    """Crop every legible word of ``records`` into ``out_root/crop_dir/`` and write ``gt_path``.

    ``records`` is a reader's output (``modules.datasets``); gt paths are relative to ``out_root``
    (e.g. ``train/간판_가로형간판_000013_01.jpg``). Returns the counts.
    """
    out_root, gt_path = str(out_root), Path(gt_path)
    fingerprint = {"crop_dir": crop_dir, **{k: v for k, v in asdict(config).items() if k not in ("workers", "progress")}}
    journal = Journal(gt_path.with_name(f".{gt_path.name}.journal.jsonl"), fingerprint)
    images = RunImages()
    report = GtDataReport(str(gt_path))

    def entries() -> Iterator[GtEntry]:  # streamed: only this input's images, in path order
        for record in journal.records(images.sorted()):
            report.jittered += record["jittered"]
            report.skipped.update(record["skipped"])
            report.flagged.update(record["flagged"])
            report.label_altered += record["altered"]
            report.problem_records.extend(AnnotationProblem(file, reason, detail, where, count, kept)
                                          for file, where, reason, detail, count, kept in record["problems"])
            yield from (GtEntry(path, label) for path, label in record["entries"])

    try:
        tasks = _tasks(records, journal, report, images, out_root, crop_dir, config)
        workers = config.workers or os.cpu_count() or 1
        with unordered_outputs(process_image, tasks, workers, chunksize=4) as outputs:
            _collect(outputs, journal, gt_path, config)
        report.kept = write_gt(gt_path, entries())
    finally:
        journal.close()
        images.close()
    return report
