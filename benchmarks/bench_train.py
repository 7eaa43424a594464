"""Training throughput: the project's step vs a plain fp32 eager loop of the same model, side by side.

    .venv/bin/python -m benchmarks.bench_train                 # CRNN + TPS-ResNet-BiLSTM-Attn, DTRB sizes
    .venv/bin/python -m benchmarks.bench_train --models crnn --steps 5   # (from the repository root)

Models at DTRB sizes (1 channel, 512 features, 256 hidden, 32x100), a Korean charset of 2,445 classes
(KS X 1001 Hangul + printable ASCII), batch 64. Each measurement runs in its own subprocess so the
peak resident memory (``ru_maxrss``) belongs to it alone. Both loops read the same synthetic lmdb:

- plain: DTRB-style, every batch decoded from the lmdb with PIL and resized in the loop, fp32, NCHW,
  ``model(x)`` + loss + backward + clip + Adam.
- project: ``Trainer.step`` (automatic autocast for the device, channels-last) fed from the
  cached, pre-resized ``LmdbDataset`` through ``RatioBatchSampler``.

samples/s counts only the timed steps after warm-up; "step only" repeats the timing on one fixed batch
so that the data pipeline's share is visible.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODELS = {
    "crnn": dict(transformation="None", feature_extraction="VGG", sequence_modeling="BiLSTM", prediction="CTC"),
    "tps-resnet-bilstm-attn": dict(transformation="TPS", feature_extraction="ResNet", sequence_modeling="BiLSTM",
                                   prediction="Attn"),
}


def _charset():
    from modules.text.charset import Charset, ksx1001_hangul, printable_ascii

    return Charset.from_chars([*ksx1001_hangul(), *printable_ascii()])


def make_lmdb(path: Path, n: int) -> None:
    import random

    from modules.imageio import encode_image
    from modules.recognizer.synth import render_word, write_raw_lmdb

    cs = _charset()
    rng = random.Random(0)
    hangul = [c for c in cs.chars if "가" <= c <= "힣"]
    font = REPO / "textimagegenerator" / "fonts" / "NanumGothic.ttf"
    words = ["".join(rng.choice(hangul) for _ in range(rng.randint(2, 8))) for _ in range(n)]
    write_raw_lmdb(path, [(encode_image(render_word(w, font, seed=i), ".jpg"), w) for i, w in enumerate(words)])


def run_one(mode: str, model_name: str, lmdb_path: str, steps: int, batch: int) -> dict:
    import numpy as np
    import torch
    from PIL import Image

    from modules.recognizer.lmdb_dataset import LmdbDataset, MixedDataset, RatioBatchSampler, collate
    from modules.recognizer.config import ModelConfig, Preprocess
    from modules.recognizer.model import build_model
    from modules.recognizer.train import OptimConfig, Trainer

    cs = _charset()
    spec = MODELS[model_name]
    cfg = ModelConfig.dtrb(len(cs) + (1 if spec["prediction"] == "CTC" else 2), **spec)
    torch.manual_seed(0)
    model = build_model(cfg)
    pre = Preprocess(img_w=cfg.img_w)
    optim = OptimConfig(num_iter=steps + 10, schedule="constant")
    trainer = Trainer(model, cs, pre, optim, amp="auto" if mode == "project" else "off",
                      channels_last=mode == "project")
    if mode == "project":
        ds = LmdbDataset(lmdb_path, pre, cs, cache=True, progress=False)
        mixed, sampler = MixedDataset([ds]), RatioBatchSampler([len(ds)], [batch], seed=1)
        batches = (collate([mixed[k] for k in keys]) for keys in sampler)
    else:
        import lmdb

        env = lmdb.open(lmdb_path, readonly=True, lock=False)
        with env.begin() as txn:
            n = int(txn.get(b"num-samples"))

        def plain_batches():
            import io

            order = np.random.default_rng(0).permutation(n) + 1
            pos = 0
            while True:
                images, labels = [], []
                with env.begin() as txn:
                    for _ in range(batch):
                        key = int(order[pos % n])
                        pos += 1
                        image = Image.open(io.BytesIO(txn.get(b"image-%09d" % key))).convert("L")
                        image = image.resize((pre.img_w, pre.img_h), Image.BICUBIC)
                        images.append(np.asarray(image)[None])
                        labels.append(txn.get(b"label-%09d" % key).decode())
                yield torch.from_numpy(np.stack(images)), labels

        batches = plain_batches()
    trainer.step(*next(batches))  # warm-up
    start = time.perf_counter()
    for _ in range(steps):
        trainer.step(*next(batches))
    with_data = batch * steps / (time.perf_counter() - start)
    fixed = next(batches)
    start = time.perf_counter()
    for _ in range(steps):
        trainer.step(*fixed)
    step_only = batch * steps / (time.perf_counter() - start)
    return {
        "mode": mode, "model": model_name, "stages": cfg.stages, "batch": batch,
        "params_M": round(sum(p.numel() for p in model.parameters()) / 1e6, 2),
        "autocast": str(trainer.amp_dtype), "channels_last": trainer.channels_last, "threads": torch.get_num_threads(),
        "samples_per_s": round(with_data, 1), "step_only_samples_per_s": round(step_only, 1),
        "peak_rss_MiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--steps", type=int, default=3, help="timed steps per measurement (after one warm-up)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--worker", nargs=3, metavar=("MODE", "MODEL", "LMDB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_one(args.worker[0], args.worker[1], args.worker[2], args.steps, args.batch)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        lmdb_path = Path(tmp) / "bench"
        make_lmdb(lmdb_path, max(512, args.batch * (args.steps + 2)))
        rows = []
        for model in args.models:
            for mode in ("plain", "project"):
                out = subprocess.run(
                    [sys.executable, __file__, "--steps", str(args.steps), "--batch", str(args.batch),
                     "--worker", mode, model, str(lmdb_path)],
                    cwd=REPO, capture_output=True, text=True, check=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
                )
                rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(json.dumps(rows[-1]), flush=True)
    print(f"\n{'model':<24} {'loop':<8} {'samples/s':>10} {'step only':>10} {'peak RSS MiB':>13}  autocast")
    for r in rows:
        print(f"{r['stages']:<24} {r['mode']:<8} {r['samples_per_s']:>10} {r['step_only_samples_per_s']:>10} "
              f"{r['peak_rss_MiB']:>13}  {r['autocast']}")
    for model in args.models:
        plain = next(r for r in rows if r["model"] == model and r["mode"] == "plain")
        proj = next(r for r in rows if r["model"] == model and r["mode"] == "project")
        print(f"{plain['stages']}: project / plain = {proj['samples_per_s'] / plain['samples_per_s']:.2f}x "
              f"(step only {proj['step_only_samples_per_s'] / plain['step_only_samples_per_s']:.2f}x)")


if __name__ == "__main__":
    main()
