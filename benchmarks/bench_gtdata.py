"""Boxes/s of 01 (AIHub outdoor -> word crops + gt) on the sample AIHub set.

    .venv/bin/python -m benchmarks.bench_gtdata                      # data/train_label + data/train_image
    .venv/bin/python -m benchmarks.bench_gtdata --workers 1 --workers 2

Run from the repository root after the sample data exist (``run_all.py`` pre-step, or
``modules.generator.sample_datasets.ensure_sample_datasets``). Each run writes to a fresh folder
under benchmarks/out/ (no resume), timing the reader + cropping + writing + gt assembly.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from modules.datasets.aihub import iter_aihub_outdoor
from modules.gtdata import GtDataConfig, make_gtdata

OUT = Path(__file__).resolve().parent / "out" / "bench_gtdata"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label-dir", default="data/train_label")
    parser.add_argument("--image-dir", default="data/train_image")
    parser.add_argument("--workers", type=int, action="append", help="worker processes (repeatable; default: 1 and all cores)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per setting (best is reported)")
    args = parser.parse_args()
    if not Path(args.label_dir).is_dir():
        raise SystemExit(f"{args.label_dir} not found: create the sample data first (run_all.py pre-step)")
    settings = args.workers or [1, os.cpu_count() or 1]
    print(f"{args.label_dir}: {os.cpu_count()} CPU cores, best of {args.repeat}, load average {os.getloadavg()[0]:.1f}")
    for workers in settings:
        best, report = float("inf"), None
        for _ in range(args.repeat):
            shutil.rmtree(OUT, ignore_errors=True)
            config = GtDataConfig(workers=workers, progress=False)
            start = time.perf_counter()
            report = make_gtdata(iter_aihub_outdoor(args.label_dir, args.image_dir), OUT, "train", OUT / "gt.txt", config)
            best = min(best, time.perf_counter() - start)
        print(f"workers={workers}: {report.images} images, {report.boxes} boxes, {report.kept} crops in {best:.2f} s"
              f" -> {report.boxes / best:.0f} boxes/s, {report.images / best:.1f} images/s")
    shutil.rmtree(OUT, ignore_errors=True)


if __name__ == "__main__":
    main()
