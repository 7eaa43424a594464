"""Detector throughput: images/s of ``Detector.detect`` (letterbox + model + decode + NMS) at 416, 512 (the default) and 640.

    .venv/bin/python -m benchmarks.bench_detect            # from the repository root; random weights
    .venv/bin/python -m benchmarks.bench_detect --checkpoint saved_models/yolo/default/best.pt
    .venv/bin/python -m benchmarks.bench_detect --threads 2 --images 64 --batch-size 8

Scenes are synthetic 640x480 photos-like images with words (``modules.detector.synthetic``), so the
post-processing sees realistic numbers of candidate boxes. Prints one line per input size.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from modules.detector import Detector, DetectorConfig
from modules.detector.model import YoloDetector
from modules.model_size import count_parameters
from modules.detector.synthetic import make_scene

FONTS = Path(__file__).resolve().parents[1] / "textimagegenerator" / "fonts"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", help="detector checkpoint (default: the notebook's architecture, random weights)")
    parser.add_argument("--width-mult", type=float, default=0.25)
    parser.add_argument("--head-width", type=int, default=32)
    parser.add_argument("--sizes", type=int, nargs="+", default=[416, 512, 640])
    parser.add_argument("--images", type=int, default=48)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (the target machine has 2 cores)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes; the best one is reported")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    fonts = sorted(FONTS.glob("*.ttf"))
    images = [make_scene(rng, fonts, 640, 480, words=6)[0] for _ in range(args.images)]
    for size in args.sizes:
        if args.checkpoint:
            detector = Detector.from_checkpoint(args.checkpoint, input_size=size)
        else:
            config = DetectorConfig(width_mult=args.width_mult, head_width=args.head_width, input_size=size)
            detector = Detector(YoloDetector(config), config, device="cpu")
        detector.detect(images[: args.batch_size], batch_size=args.batch_size)  # warm-up
        best = float("inf")
        for _ in range(args.repeats):
            tic = time.perf_counter()
            detector.detect(images, batch_size=args.batch_size)
            best = min(best, time.perf_counter() - tic)
        print(f"input {size}: {len(images) / best:6.1f} images/s  ({1000 * best / len(images):.1f} ms/image, "
              f"batch {args.batch_size}, {args.threads} threads, {count_parameters(detector.model) / 1e6:.2f} M params)")


if __name__ == "__main__":
    main()
