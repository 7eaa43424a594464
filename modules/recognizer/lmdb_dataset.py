"""Reading recognition lmdbs (docs/FORMATS.md §5) for training: ``LmdbDataset`` + ``RatioBatchSampler`` (the torch side; the storage is ``modules.lmdbio``).

Labels are filtered, never rewritten: a sample whose label is empty, longer than ``batch_max_length``
or has characters outside the charset is left out and counted by reason (``FilterReport``), and so is
an image that cannot be decoded. Batches mix several datasets by ratio (DTRB's ``select_data`` /
``batch_ratio``) and are a pure function of ``(seed, iteration)``, so a resumed run sees exactly the
batches an uninterrupted run would have seen.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import lmdb
import numpy as np
import torch
from torch.utils.data import Dataset
from tqdm.auto import tqdm

from modules.imageio import ImageReadError, decode_image
from modules.recognizer.config import Preprocess
from modules.recognizer.preprocess import resize
from modules.text.charset import Charset

Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]


@dataclass
class FilterReport:
    """What a dataset kept and why it left samples out (reason -> count, plus a few examples)."""

    name: str
    total: int = 0
    kept: int = 0
    reasons: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, example: str) -> None:
        self.reasons[reason] += 1
        self.examples.setdefault(reason, [])
        if len(self.examples[reason]) < 3:
            self.examples[reason].append(example)

    def __str__(self) -> str:
        parts = [f"{self.name}: kept {self.kept:,} of {self.total:,}"]
        for reason, count in self.reasons.most_common():
            parts.append(f"  skipped {count:,} ({reason}), e.g. {self.examples[reason]}")
        return "\n".join(parts)


def _open(path: Path) -> lmdb.Environment:
    return lmdb.open(str(path), readonly=True, lock=False, readahead=False, meminit=False, max_readers=64)


class LmdbDataset(Dataset):
    """One DTRB-layout lmdb. Items are ``(image (C, img_h, img_w) uint8, label)``.

    ``dataset[i]`` gives the i-th kept sample unaugmented; ``dataset[(i, seed)]`` applies ``augment``
    with a generator seeded by ``seed`` (what ``RatioBatchSampler`` yields for training).
    ``cache=True`` decodes and resizes every image once up front (``len * C * img_h * img_w`` bytes of
    memory), which keeps 2 CPU cores on the model instead of on JPEG decoding.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        preprocess: Preprocess,
        charset: Charset | None = None,
        batch_max_length: int = 25,
        augment: Augment | None = None,
        cache: bool = False,
        max_samples: int | None = None,
        progress: bool = True,
    ) -> None:
        self.path = Path(path)
        if not (self.path / "data.mdb").is_file():
            raise FileNotFoundError(f"{self.path}: no lmdb here (data.mdb missing)")
        self.preprocess = preprocess
        self.augment = augment
        self.report = FilterReport(name=str(self.path))
        self._env: lmdb.Environment | None = None
        keys, labels = [], []
        with _open(self.path) as env, env.begin() as txn:
            raw = txn.get(b"num-samples")
            if raw is None:
                raise ValueError(f"{self.path}: no 'num-samples' key; not a recognition lmdb")
            total = int(raw.decode("ascii"))
            if max_samples is not None:
                total = min(total, max_samples)
            self.report.total = total
            for index in range(1, total + 1):
                raw_label = txn.get(b"label-%09d" % index)
                if raw_label is None:
                    self.report.skip("missing label key", f"#{index}")
                    continue
                label = raw_label.decode("utf-8")
                if not label:
                    self.report.skip("empty label", f"#{index}")
                elif len(label) > batch_max_length:
                    self.report.skip(f"longer than batch_max_length={batch_max_length}", label)
                elif charset is not None and not charset.covers(label):
                    self.report.skip("characters outside the charset", f"{label!r} {sorted(charset.missing(label))}")
                else:
                    keys.append(index)
                    labels.append(label)
        self.keys, self.labels = keys, labels
        self.images: np.ndarray | None = None
        if cache:
            self._cache_all(progress)
        self.report.kept = len(self.keys)

    def _cache_all(self, progress: bool) -> None:
        pre = self.preprocess
        images = np.empty((len(self.keys), pre.channels, pre.img_h, pre.img_w), dtype=np.uint8)
        keep = []
        with _open(self.path) as env, env.begin() as txn:
            for row, key in enumerate(tqdm(self.keys, desc=f"decode {self.path.name}", disable=not progress)):
                try:
                    images[len(keep)] = self._decode(txn.get(b"image-%09d" % key), key)
                except ImageReadError as error:
                    self.report.skip("undecodable image", str(error))
                    continue
                keep.append(row)
        self.keys = [self.keys[r] for r in keep]
        self.labels = [self.labels[r] for r in keep]
        self.images = images[: len(keep)]

    def _decode(self, data: bytes | None, key: int) -> np.ndarray:
        if data is None:
            raise ImageReadError(f"{self.path} #{key}: missing image key")
        image = decode_image(data, gray=not self.preprocess.rgb, source=f"{self.path} #{key}")
        return resize(image, self.preprocess)

    def __len__(self) -> int:
        return len(self.keys)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_env"] = None  # lmdb handles do not cross processes; each worker reopens
        return state

    def _load(self, i: int) -> np.ndarray:
        if self.images is not None:
            return self.images[i]
        if self._env is None:
            self._env = _open(self.path)
        with self._env.begin() as txn:
            try:
                return self._decode(txn.get(b"image-%09d" % self.keys[i]), self.keys[i])
            except ImageReadError as error:
                # Rare (the writer validates images): report it and use a blank crop of the right size.
                print(f"warning: {error}; using a blank image")
                pre = self.preprocess
                return np.full((pre.channels, pre.img_h, pre.img_w), 255, dtype=np.uint8)

    def __getitem__(self, key: int | tuple[int, int]) -> tuple[np.ndarray, str]:
        if isinstance(key, tuple):
            i, seed = key
            image = self._load(i)
            if self.augment is not None:
                image = self.augment(image, np.random.default_rng(seed))
            return image, self.labels[i]
        return self._load(key), self.labels[key]


class MixedDataset(Dataset):
    """Several datasets addressed as ``(dataset index, sample index[, seed])``."""

    def __init__(self, datasets: Sequence[LmdbDataset]) -> None:
        self.datasets = list(datasets)

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)

    def __getitem__(self, key: tuple[int, int] | tuple[int, int, int]) -> tuple[np.ndarray, str]:
        d, *rest = key
        return self.datasets[d][tuple(rest) if len(rest) == 2 else rest[0]]


def batch_sizes(batch_size: int, ratios: Sequence[float]) -> list[int]:
    """Per-dataset share of a batch, as DTRB: ``max(round(batch_size * ratio), 1)`` (ratios are not
    renormalised; the total may differ from ``batch_size`` and is reported by the caller)."""
    if not ratios or any(r <= 0 for r in ratios):
        raise ValueError(f"batch ratios must be positive, got {list(ratios)}")
    return [max(int(round(batch_size * r)), 1) for r in ratios]


class RatioBatchSampler:
    """Infinite batches mixing datasets by ratio; batch ``i`` depends only on ``(seed, i)``.

    Each dataset is walked through seeded permutations, epoch after epoch. Yields lists of
    ``(dataset index, sample index, augmentation seed)`` for ``MixedDataset``. ``start`` skips the
    first batches (resume). With ``world_size`` > 1 (distributed training) each batch is the global one
    and process ``rank`` gets its items ``rank, rank + world_size, ...``: every item of the global batch
    goes to exactly one process, so an epoch neither repeats nor drops a sample on any number of
    processes, and batch ``i`` is the same global batch whatever the world size (resume anywhere).
    """

    def __init__(self, lengths: Sequence[int], sizes: Sequence[int], seed: int = 1111, start: int = 0,
                 rank: int = 0, world_size: int = 1) -> None:
        if any(n <= 0 for n in lengths):
            raise ValueError(f"every selected dataset needs samples; lengths: {list(lengths)}")
        if not 0 <= rank < world_size or sum(sizes) < world_size:
            raise ValueError(f"rank {rank} of {world_size} processes cannot share a batch of {sum(sizes)}")
        self.lengths, self.sizes, self.seed, self.start = list(lengths), list(sizes), seed, start
        self.rank, self.world_size = rank, world_size
        self._perm_cache: dict[tuple[int, int], np.ndarray] = {}

    def _perm(self, d: int, epoch: int) -> np.ndarray:
        key = (d, epoch)
        if key not in self._perm_cache:
            if len(self._perm_cache) > 2 * len(self.lengths):
                self._perm_cache.clear()
            self._perm_cache[key] = np.random.default_rng([self.seed, d, epoch]).permutation(self.lengths[d])
        return self._perm_cache[key]

    def batch(self, iteration: int) -> list[tuple[int, int, int]]:
        out = []
        for d, (n, k) in enumerate(zip(self.lengths, self.sizes)):
            for slot, pos in enumerate(range(iteration * k, (iteration + 1) * k)):
                epoch, offset = divmod(pos, n)
                aug_seed = int(np.random.SeedSequence([self.seed, iteration, d, slot]).generate_state(1)[0])
                out.append((d, int(self._perm(d, epoch)[offset]), aug_seed))
        return out

    def __iter__(self) -> Iterator[list[tuple[int, int, int]]]:
        iteration = self.start
        while True:
            yield self.batch(iteration)[self.rank::self.world_size]
            iteration += 1


def collate(items: Sequence[tuple[np.ndarray, str]]) -> tuple[torch.Tensor, list[str]]:
    """``[(image (C, H, W) uint8, label)]`` -> ``(images (B, C, H, W) uint8, labels)``."""
    return torch.from_numpy(np.stack([image for image, _ in items])), [label for _, label in items]
