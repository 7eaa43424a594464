"""Training step time of the default recognizer per batch size and CPU thread count.

    python -m benchmarks.bench_step                                 # batches 16 / 32 / 64, 1 and 2 threads
    python -m benchmarks.bench_step --batch 16 64 --threads 2 --steps 20

The model is ``05_train``'s default (``ModelConfig()`` with a KS X 1001 Hangul + printable ASCII charset of
2,445 classes, so the jamo output layer and the CTC loss are full size), stepped by ``Trainer.step`` on one
fixed batch of random 32x128 crops with random 2-8 character labels: the figure is the optimisation step
alone (batches come from the cache in a few milliseconds; ``bench_train`` times the DTRB-sized models with their
data pipeline against a plain loop, at one batch size and the default thread count).
Each thread count runs in its own subprocess, since torch's thread pool is fixed once it has run.
Prints ms per step and samples/s per (threads, batch).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time


def run(threads: int, batches: list[int], steps: int) -> list[dict]:
    """Time ``steps`` steps (after 3 warm-up steps) per batch size with ``threads`` torch threads."""
    import random

    import torch

    torch.set_num_threads(threads)
    from benchmarks.bench_train import _charset
    from modules.recognizer.config import ModelConfig, Preprocess
    from modules.recognizer.model import build_model
    from modules.recognizer.train import OptimConfig, Trainer

    charset = _charset()
    rng = random.Random(0)
    hangul = [c for c in charset.chars if "가" <= c <= "힣"]
    rows = []
    for batch in batches:
        torch.manual_seed(0)
        config = ModelConfig(num_class=len(charset) + 1)
        trainer = Trainer(build_model(config, charset), charset, Preprocess(), OptimConfig())
        images = torch.randint(0, 256, (batch, 1, config.img_h, config.img_w), dtype=torch.uint8)
        labels = ["".join(rng.choice(hangul) for _ in range(rng.randint(2, 8))) for _ in range(batch)]
        for _ in range(3):
            trainer.step(images, labels)
        start = time.perf_counter()
        for _ in range(steps):
            trainer.step(images, labels)
        ms = (time.perf_counter() - start) / steps * 1000
        rows.append({"threads": threads, "batch": batch, "ms_per_step": round(ms, 1),
                     "samples_per_s": round(batch * 1000 / ms)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--steps", type=int, default=20, help="timed steps per measurement")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        print(json.dumps(run(args.worker, args.batch, args.steps)))
        return
    print(f"{'threads':>7} {'batch':>5} {'ms/step':>8} {'samples/s':>9}")
    for threads in args.threads:
        out = subprocess.run([sys.executable, "-m", "benchmarks.bench_step", "--worker", str(threads), "--steps",
                              str(args.steps), "--batch", *map(str, args.batch)],
                             check=True, capture_output=True, text=True).stdout
        for row in json.loads(out.strip().splitlines()[-1]):
            print(f"{row['threads']:>7} {row['batch']:>5} {row['ms_per_step']:>8} {row['samples_per_s']:>9}")


if __name__ == "__main__":
    main()
