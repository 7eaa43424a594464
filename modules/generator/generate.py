"""Parallel, seeded, resumable generation of recognition crops in the seed's layout::

    <out_root>/train/00000000.jpg          image
    <out_root>/train_label/00000000.txt    "00000000.jpg<TAB>label" (file name + label)
    <out_root>/gt_train.txt                "train/00000000.jpg<TAB>label" per line (docs/FORMATS.md §4)

Crop ``i`` depends only on ``(seed, split, i)``, so output is identical for any number of workers,
and a rerun skips every crop whose image and label file exist (a crash between the two is redone).
``<out_root>/.generator_<split>.json`` records the settings; a rerun with different settings stops
with a message instead of silently mixing two runs (``overwrite=True`` regenerates).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np
from tqdm.auto import tqdm

from modules.data.gtfile import GtEntry, write_gt
from modules.generator import backgrounds as bgs
from modules.generator.corpus import CorpusRow, read_corpus, summarize_problems
from modules.generator.coverage import corpus_charset, coverage_text
from modules.generator.fonts import FontInfo, fonts_covering, load_fonts
from modules.generator.glyphs import GlyphCache
from modules.generator.render_crop import CropConfig, render_crop
from modules.imageio import encode_image, write_bytes_atomic
from modules.pool import unordered_outputs

SPLIT_CODES = {"train": 1, "test": 2, "ood": 3}
FONT_SPLITS = {"train": "train", "test": "test", "ood": "test"}  # which fonts.json split draws each crop split
MAX_TEXT_TRIES = 20


@dataclass
class CropResult:
    """What a run produced: the gt file, the crop count, how many were new, and skip reasons."""

    gt_path: str
    count: int
    written: int = 0
    existing: int = 0
    problems: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        extra = f"; skipped texts: {dict(self.problems)}" if self.problems else ""
        return (f"{self.count} crops in {Path(self.gt_path).parent} ({self.written} written, "
                f"{self.existing} already there), gt: {self.gt_path}{extra}")


@dataclass
class CropWorker:
    """Everything one process needs to make crops of one split (corpus, fonts, glyph cache,
    background pool); ``make(i)`` writes crop ``i``. ``generate_crops`` runs one per process."""

    rows: list[CorpusRow]
    fonts: list[FontInfo]
    config: CropConfig
    seed: int
    split: str
    image_dir: Path
    label_dir: Path
    overwrite: bool
    cache: GlyphCache = field(default_factory=GlyphCache)
    pool: list[np.ndarray] = field(default_factory=list)
    coverage_share: float = 0.0  # share of crops showing a random string over ``charset``
    charset: str = ""  # the corpus's characters (coverage strings)
    covering: dict[str, list[FontInfo]] = field(default_factory=dict)  # text -> fonts with all its glyphs

    def scene_pool(self) -> list[np.ndarray]:
        """Scene-like images for "scene" backgrounds, disjoint seeds per split (held-out backgrounds).

        Built on first use inside the worker process, so the parent never runs OpenCV before forking.
        """
        if not self.pool:
            code = SPLIT_CODES[self.split]
            self.pool = [bgs.scene(np.random.default_rng([self.seed, code, 1_000_000 + k]), 240, 320)
                         for k in range(8)]
        return self.pool

    def pick(self, rng: np.random.Generator, problems: Counter) -> tuple[str, FontInfo] | None:
        # Drawn only when the share is set, so crops made without coverage strings stay as they were.
        coverage = self.coverage_share > 0 and rng.random() < self.coverage_share
        for _ in range(MAX_TEXT_TRIES):
            text = coverage_text(rng, self.charset) if coverage else self.rows[int(rng.integers(len(self.rows)))].text
            usable = self.covering.get(text)
            if usable is None:
                usable = self.covering[text] = fonts_covering(text, self.fonts)
            if usable:
                return text, usable[int(rng.integers(len(usable)))]
            problems["no font of the split covers the text"] += 1
        return None

    def make(self, index: int) -> tuple[int, str | None, bool, Counter]:
        """Write crop ``index`` (or read it back when present): ``(index, label, written, problems)``."""
        problems: Counter = Counter()
        name = f"{index:08d}"
        image_path, label_path = self.image_dir / f"{name}.jpg", self.label_dir / f"{name}.txt"
        if not self.overwrite and label_path.exists() and image_path.exists():
            _, _, label = label_path.read_text(encoding="utf-8").rstrip("\n").partition("\t")
            return index, label, False, problems
        rng = np.random.default_rng([self.seed, SPLIT_CODES[self.split], index])
        picked = self.pick(rng, problems)
        if picked is None:
            return index, None, False, problems
        text, font = picked
        neighbour = ""
        if self.config.p_neighbour > 0:  # another corpus line, drawn in the same font when it can be
            other = self.rows[int(rng.integers(len(self.rows)))].text
            neighbour = other if font.covers(other) else ""
        image = render_crop(rng, text, font.path, self.cache, self.config, self.scene_pool(), neighbour)
        quality = int(rng.integers(self.config.jpeg_quality[0], self.config.jpeg_quality[1] + 1))
        write_bytes_atomic(image_path, encode_image(image, ".jpg", quality))
        write_bytes_atomic(label_path, f"{name}.jpg\t{text}\n".encode("utf-8"))
        return index, text, True, problems


_STATE: dict[str, CropWorker] = {}  # one per worker process, set by _init (never at import)


@contextmanager
def one_opencv_thread() -> Iterator[None]:
    """Run OpenCV single-threaded inside the block (restored after it). Each worker process renders one
    small crop at a time, where OpenCV's thread pool costs CPU time and buys nothing; the crops come out
    the same byte for byte."""
    before = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def _init(worker: CropWorker) -> None:
    cv2.setNumThreads(1)  # a worker process of its own (or this one, inside one_opencv_thread)
    _STATE["worker"] = worker


def _run_chunk(indices: list[int]) -> list[tuple[int, str | None, bool, Counter]]:
    worker = _STATE["worker"]
    return [worker.make(i) for i in indices]


def _chunks(count: int, size: int) -> Iterator[list[int]]:
    for start in range(0, count, size):
        yield list(range(start, min(count, start + size)))


def settings_record(seed: int, rows: list[CorpusRow], fonts: list[FontInfo], config: CropConfig,
                    coverage_share: float = 0.0) -> dict:
    """The settings that decide crop content (the count is not one: a run may be extended)."""
    corpus_hash = hashlib.sha1("\n".join(r.text for r in rows).encode("utf-8")).hexdigest()
    record = {"version": 1, "seed": seed, "corpus_sha1": corpus_hash,
              "fonts": sorted(Path(f.path).name for f in fonts), "config": json.loads(json.dumps(asdict(config)))}
    if coverage_share:  # absent when 0, so folders made before the option stay valid
        record["coverage_share"] = coverage_share
    return record


def generate_crops(
    out_root: str | os.PathLike[str] = "textimagegenerator/data",
    split: str = "train",
    count: int = 1000,
    seed: int = 0,
    fonts_dir: str | os.PathLike[str] = "textimagegenerator/fonts",
    corpus_path: str | os.PathLike[str] = "textimagegenerator/sample_data.xlsx",
    workers: int = 0,
    config: CropConfig = CropConfig(),
    overwrite: bool = False,
    skip_categories: tuple[str, ...] = (),
    coverage_share: float = 0.0,
    chunk_size: int = 200,
    progress: bool = True,
) -> CropResult:
    """Generate ``count`` crops of ``split``: ``train`` uses the train font families, ``test`` (validation)
    and ``ood`` (the out-of-distribution dev set, made with ``render_crop.OOD_CROP_CONFIG``) the held-out
    ones (``FONT_SPLITS``).

    ``workers``: processes (0 = every core). ``skip_categories``: corpus categories left out (e.g.
    ``("random_syllables",)`` for a test set of words and phrases). ``coverage_share``: share of crops
    showing a random 1-6 character string drawn uniformly from the corpus's characters
    (``coverage.coverage_text``), so rare characters are seen as often as common ones. Prints skipped
    fonts / corpus rows. Raises
    ``ValueError`` when the folder holds crops made with other settings and ``overwrite`` is False.
    """
    if split not in SPLIT_CODES:
        raise ValueError(f"unknown split {split!r}; valid: {', '.join(SPLIT_CODES)}")
    if not 0.0 <= coverage_share <= 1.0:
        raise ValueError(f"coverage_share must lie in [0, 1], got {coverage_share}")
    out_root = Path(out_root)
    rows, corpus_problems = read_corpus(corpus_path)
    for problem in corpus_problems[:10]:
        print(f"corpus: skipped {problem}")
    if corpus_problems:
        print(f"corpus: {summarize_problems(corpus_problems)}")
    rows = [r for r in rows if r.category not in skip_categories]
    if not rows:
        raise ValueError(f"{corpus_path}: no usable text rows" + (f" outside {skip_categories}" if skip_categories else ""))
    fonts, font_problems = load_fonts(fonts_dir, split=FONT_SPLITS[split])
    for problem in font_problems:
        print(f"fonts: skipped {problem}")
    if not fonts:
        raise ValueError(f"{fonts_dir}: no readable {FONT_SPLITS[split]} font")

    image_dir, label_dir = out_root / split, out_root / f"{split}_label"
    manifest = out_root / f".generator_{split}.json"
    record = settings_record(seed, rows, fonts, config, coverage_share)
    if manifest.exists() and not overwrite:
        previous = json.loads(manifest.read_text(encoding="utf-8"))
        if previous != record:
            changed = sorted(k for k in record if previous.get(k) != record.get(k))
            raise ValueError(
                f"{image_dir} holds crops made with other settings (differs in: {', '.join(changed)}); "
                "delete the folder or pass overwrite=True to regenerate")
    elif not manifest.exists() and not overwrite and label_dir.is_dir() and any(label_dir.iterdir()):
        raise ValueError(f"{label_dir} holds files this generator did not record; delete the folder "
                         "or pass overwrite=True")
    image_dir.mkdir(parents=True, exist_ok=True)
    label_dir.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(manifest, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))

    worker = CropWorker(rows, fonts, config, seed, split, image_dir, label_dir, overwrite,
                        coverage_share=coverage_share, charset=corpus_charset(rows))
    workers = workers or os.cpu_count() or 1
    labels: dict[int, str] = {}
    result = CropResult(str(out_root / f"gt_{split}.txt"), 0)
    bar = tqdm(total=count, desc=f"{split} crops", unit="crop", disable=not progress)
    chunks = _chunks(count, chunk_size)
    try:
        with one_opencv_thread(), unordered_outputs(_run_chunk, chunks, workers, _init, worker) as outputs:
            for batch in outputs:
                for index, label, written, problems in batch:
                    result.problems.update(problems)
                    if label is not None:
                        labels[index] = label
                        result.written += written
                        result.existing += not written
                bar.update(len(batch))
    finally:
        bar.close()
        _STATE.clear()
    result.count = write_gt(result.gt_path, (GtEntry(f"{split}/{i:08d}.jpg", labels[i]) for i in sorted(labels)))
    print(result)
    return result
