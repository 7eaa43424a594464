"""Recognition throughput of ``Recognizer.recognize`` (preprocessing + model + greedy decoding), crops/s.

    .venv/bin/python -m benchmarks.bench_infer          # from the repository root
    .venv/bin/python -m benchmarks.bench_infer --crops 256 --models dtrb-crnn

Crops are rendered words of varied sizes (as the detector would give them); models are loaded from a
checkpoint through the public API, with a 2,445-class Korean charset: the DTRB-sized CRNN
(512 features, 256 hidden, 32x100) and the project's default compact CRNN (05_train's defaults: 128
features, 128 hidden, BatchNorm, 32x128).
Prints crops/s at batch 1 and batch 64 and the beam-search rate at batch 64.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import torch

from modules.recognizer import Recognizer
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.model import build_model
from modules.recognizer.synth import render_word
from modules.recognizer.train import OptimConfig, Trainer
from modules.text.charset import Charset, ksx1001_hangul, printable_ascii

REPO = Path(__file__).resolve().parents[1]
MODELS = {  # name: ModelConfig factory (05_train's defaults, or DTRB's sizes)
    "dtrb-crnn": ModelConfig.dtrb,
    "default-crnn": ModelConfig,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--crops", type=int, default=512, help="crops per batched measurement")
    parser.add_argument("--single", type=int, default=64, help="crops for the batch-1 measurement")
    args = parser.parse_args()
    cs = Charset.from_chars([*ksx1001_hangul(), *printable_ascii()])
    rng = random.Random(0)
    hangul = [c for c in cs.chars if "가" <= c <= "힣"]
    font = REPO / "textimagegenerator" / "fonts" / "NanumGothic.ttf"
    crops = [render_word("".join(rng.choice(hangul) for _ in range(rng.randint(2, 8))), font,
                         height=rng.randint(24, 64), seed=i) for i in range(args.crops)]
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {len(cs)} characters")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            config = MODELS[name](num_class=len(cs) + 1)
            torch.manual_seed(0)
            model = build_model(config, cs)
            path = Trainer(model, cs, Preprocess(img_w=config.img_w), OptimConfig()).save(Path(tmp) / f"{name}.pth")
            rec = Recognizer.from_checkpoint(path, device="cpu")
            rec.recognize(crops[:64])  # warm-up
            start = time.perf_counter()
            for crop in crops[: args.single]:
                rec.recognize([crop], batch_size=1)
            single = args.single / (time.perf_counter() - start)
            start = time.perf_counter()
            rec.recognize(crops, batch_size=64)
            batched = len(crops) / (time.perf_counter() - start)
            start = time.perf_counter()
            rec.recognize(crops[:128], batch_size=64, decoder="beam")
            beam = 128 / (time.perf_counter() - start)
            params = sum(p.numel() for p in rec.model.parameters()) / 1e6
            print(f"{name:<13} {params:5.2f} M params: batch 1 {single:7.1f} crops/s "
                  f"({1000 / single:.1f} ms/crop) | batch 64 {batched:7.1f} crops/s | beam(5) batch 64 {beam:6.1f} crops/s")


if __name__ == "__main__":
    main()
