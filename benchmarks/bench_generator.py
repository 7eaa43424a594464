"""Text image generator throughput: crops per second per core and scenes per second.

    .venv/bin/python -m benchmarks.bench_generator [--crops 3000] [--warmup 500] [--scenes 40]

(run from the repository root; ``-m`` puts the root on the import path, a plain
``python benchmarks/bench_generator.py`` needs ``PYTHONPATH=.``)

One process (= one core) runs the production path of ``generate_crops`` (pick text + covering
font, render with the default ``CropConfig`` variations, JPEG-encode, write image + label files to a
temporary folder). It prints the warm rate (after ``--warmup`` crops have filled the glyph cache, as
in a long run) and the cold rate of the warm-up itself, as wall-clock and CPU-time figures (CPU time
is the fair figure on a shared machine). Then it renders ``--scenes`` sample scenes (render + JPEG
encode). Target: >= 400 crops/s per core (TRDG reports ~360/s on one thread with fewer variations).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from modules.generator.corpus import read_corpus
from modules.generator.fonts import load_fonts
from modules.generator.generate import CropWorker, one_opencv_thread
from modules.generator.glyphs import GlyphCache
from modules.generator.render_crop import CropConfig
from modules.generator.scene import render_scene
from modules.imageio import encode_image


def _timed(fn, n: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        fn(i)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crops", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--scenes", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fonts-dir", default="textimagegenerator/fonts")
    parser.add_argument("--corpus", default="textimagegenerator/sample_data.xlsx")
    args = parser.parse_args()

    rows, _ = read_corpus(args.corpus)
    fonts, _ = load_fonts(args.fonts_dir, split="train")
    with tempfile.TemporaryDirectory() as tmp:
        worker = CropWorker(rows, fonts, CropConfig(), args.seed, "train", Path(tmp) / "train",
                         Path(tmp) / "train_label", overwrite=True)
        (Path(tmp) / "train").mkdir()
        (Path(tmp) / "train_label").mkdir()
        with one_opencv_thread():  # as in generate_crops's worker processes
            cold_wall, cold_cpu = _timed(worker.make, args.warmup)
            wall, cpu = _timed(lambda i: worker.make(args.warmup + i), args.crops)
    print(f"crops (1 core, default variations, {args.crops} after {args.warmup} warm-up): "
          f"{args.crops / wall:.0f} crops/s/core wall, {args.crops / cpu:.0f} crops/s per CPU-second")
    print(f"crops cold (first {args.warmup}, glyph cache filling): {args.warmup / cold_wall:.0f} crops/s/core wall, "
          f"{args.warmup / cold_cpu:.0f} per CPU-second")

    cache = GlyphCache()

    def one_scene(i: int) -> None:
        scene = render_scene(np.random.default_rng([args.seed, 99, i]), rows, fonts, cache)
        encode_image(scene.image, ".jpg", 90)

    one_scene(10**6)  # warm the glyph cache a little
    wall, cpu = _timed(one_scene, args.scenes)
    print(f"scenes (1 core, ~640x480, 3-12 words): {args.scenes / wall:.1f} scenes/s wall, "
          f"{args.scenes / cpu:.1f} per CPU-second")


if __name__ == "__main__":
    main()
