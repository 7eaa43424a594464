"""Glue between the lmdb reader and the training loop: select datasets, mix by ratio, make batches."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from modules.recognizer.lmdb_dataset import (
    Augment, LmdbDataset, MixedDataset, RatioBatchSampler, batch_sizes, collate,
)
from modules.recognizer.config import Preprocess
from modules.text.charset import Charset


@dataclass
class TrainData:
    """The selected training datasets, their per-batch shares and the infinite batch sampler."""

    datasets: list[LmdbDataset]
    names: list[str]
    sizes: list[int]
    mixed: MixedDataset
    sampler: RatioBatchSampler

    def summary(self) -> str:
        rows = [f"{n:<12} {len(d):>8,} samples  {k:>4} per batch" for n, d, k in zip(self.names, self.datasets, self.sizes)]
        return "\n".join(rows + [f"total batch size: {sum(self.sizes)}"])

    def batches(self, start: int = 0, num_workers: int = 0, rank: int = 0, world_size: int = 1
                ) -> Iterator[tuple[torch.Tensor, list[str]]]:
        """Batches from iteration ``start`` on: ``(images (B, C, H, W) uint8, labels)``; with
        ``world_size`` > 1, process ``rank``'s share of each global batch (``RatioBatchSampler``)."""
        if sum(self.sizes) < world_size:
            raise ValueError(f"a global batch of {sum(self.sizes)} cannot be split over {world_size} processes")
        self.sampler.start, self.sampler.rank, self.sampler.world_size = start, rank, world_size
        if num_workers <= 0:
            return (collate([self.mixed[key] for key in keys]) for keys in self.sampler)
        loader = DataLoader(self.mixed, batch_sampler=self.sampler, collate_fn=collate, num_workers=num_workers,
                            persistent_workers=True, prefetch_factor=4)
        return iter(loader)


def open_train_data(
    root: str | Path,
    select_data: Sequence[str],
    batch_ratio: Sequence[float],
    batch_size: int,
    preprocess: Preprocess,
    charset: Charset,
    batch_max_length: int,
    augment: Augment | None = None,
    cache: bool = True,
    seed: int = 1111,
    skip_missing: bool = True,
    max_samples: int | None = None,
    log=print,
) -> TrainData:
    """Open ``root/<name>`` for each selected name (DTRB's ``select_data`` / ``batch_ratio``).

    Reports, per dataset, how many labels were filtered and why. A missing dataset is skipped with a
    message when ``skip_missing`` (its ratio is dropped), else an error; at least one must remain.
    """
    if len(select_data) != len(batch_ratio):
        raise ValueError(f"select_data {list(select_data)} and batch_ratio {list(batch_ratio)} differ in length")
    root = Path(root)
    datasets, names, ratios = [], [], []
    for name, ratio in zip(select_data, batch_ratio):
        path = root / name
        if not (path / "data.mdb").is_file():
            available = sorted(p.name for p in root.iterdir() if (p / "data.mdb").is_file()) if root.is_dir() else []
            message = f"training lmdb {path} not found (available under {root}: {available or 'none'})"
            if not skip_missing:
                raise FileNotFoundError(message)
            log(f"warning: {message}; skipped")
            continue
        ds = LmdbDataset(path, preprocess, charset, batch_max_length, augment=augment, cache=cache, max_samples=max_samples)
        log(str(ds.report))
        if len(ds) == 0:
            log(f"warning: {path} has no usable samples; skipped")
            continue
        datasets.append(ds)
        names.append(name)
        ratios.append(ratio)
    if not datasets:
        raise FileNotFoundError(f"none of the selected datasets {list(select_data)} is usable under {root}")
    if len(datasets) < len(select_data):  # keep the batch size: rescale the remaining ratios
        scale = sum(batch_ratio) / sum(ratios)
        ratios = [r * scale for r in ratios]
        log(f"batch ratios rescaled for the datasets found: {dict(zip(names, [round(r, 3) for r in ratios]))}")
    sizes = batch_sizes(batch_size, ratios)
    sampler = RatioBatchSampler([len(d) for d in datasets], sizes, seed=seed)
    return TrainData(datasets, names, sizes, MixedDataset(datasets), sampler)


def eval_batches(dataset: LmdbDataset, batch_size: int = 128) -> Iterator[tuple[torch.Tensor, list[str]]]:
    """The dataset in order, unaugmented, in batches."""
    for start in range(0, len(dataset), batch_size):
        yield collate([dataset[i] for i in range(start, min(start + batch_size, len(dataset)))])
