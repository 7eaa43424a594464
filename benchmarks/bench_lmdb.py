"""Samples/s of the lmdb writer against the reference's plain loop, side by side on the same crops.

    .venv/bin/python -m benchmarks.bench_lmdb                 # 20,000 generated crops (from the repository root)
    .venv/bin/python -m benchmarks.bench_lmdb --n 2000 --repeat 1

Crops come from the project's generator (``--crops generator``, default) or a simple PIL drawing of
a word on a noise background (``--crops simple``, larger files), made once under
benchmarks/out/lmdb_crops_<kind>_<n>/. The
plain loop is the reference tool's approach (deep-text-recognition-benchmark create_lmdb_dataset.py):
read the file, decode with OpenCV (grayscale) to validate, put, commit every 1,000 samples (synced).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import time
from pathlib import Path

import cv2
import lmdb
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from modules.data.gtfile import GtEntry, read_gt, write_gt
from modules.imageio import encode_image, write_bytes_atomic
from modules.lmdbio import GtSource, LmdbConfig, create_lmdb
from modules.lmdbio.imagecheck import VALIDATE_MODES
from modules.viz import hangul_font_path

OUT = Path(__file__).resolve().parent / "out"


WORDS = ["행복약국", "서울", "간판", "중앙시장", "편의점", "Café", "OPEN", "주차장", "010-1234", "세일 50%",
         "맛집", "school", "버스정류장", "영업중", "한국어", "PHARMACY", "출입구", "화장실", "커피", "대한민국"]


def make_crops(root: Path, n: int) -> Path:
    """``n`` JPEG word crops with their gt file (kept between runs): a word in NanumGothic on a
    gaussian-noise background (TRDG's default), 32-64 px high, like generated or AIHub crops."""
    gt = root / "gt.txt"
    if gt.exists() and len(read_gt(gt)[0]) == n:
        return gt
    rng = np.random.default_rng(0)
    fonts = {size: ImageFont.truetype(str(hangul_font_path()), size) for size in range(24, 52, 4)}
    entries = []
    for i in range(n):
        word = WORDS[int(rng.integers(len(WORDS)))]
        font = fonts[int(rng.choice(list(fonts)))]
        left, top, right, bottom = font.getbbox(word)
        width, height = right - left + 12, bottom - top + 12
        background = np.clip(rng.normal(230, 12, (height, width, 3)), 0, 255).astype(np.uint8)
        image = Image.fromarray(background)
        ImageDraw.Draw(image).text((6 - left, 6 - top), word, font=font, fill=tuple(int(c) for c in rng.integers(0, 90, 3)))
        name = f"crops/{i // 1000:03d}/{i:06d}.jpg"
        write_bytes_atomic(root / name, encode_image(np.asarray(image), ".jpg", quality=90))
        entries.append(GtEntry(name, word))
    write_gt(gt, entries)
    return gt


def generated_crops(root: Path, n: int) -> Path:
    """``n`` crops from the project's generator (02_generate_text_images), kept between runs."""
    from modules.generator.generate import generate_crops

    return Path(generate_crops(str(root), "train", n, seed=0, fonts_dir="textimagegenerator/fonts",
                               corpus_path="textimagegenerator/sample_data.xlsx", workers=1).gt_path)


def reference_loop(gt: Path, root: Path, out: Path) -> int:
    """The reference tool's loop (map_size 1 GiB here instead of 1 TiB; same behaviour on Linux)."""
    env = lmdb.open(str(out), map_size=1 << 30)
    cache: dict[bytes, bytes] = {}
    cnt = 1
    lines = gt.read_text(encoding="utf-8").splitlines()
    for line in lines:
        path, label = line.split("\t", 1)
        path = os.path.join(root, path)
        if not os.path.exists(path):
            continue
        with open(path, "rb") as handle:
            data = handle.read()
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
        if image is None or image.shape[0] * image.shape[1] == 0:
            continue
        cache[b"image-%09d" % cnt] = data
        cache[b"label-%09d" % cnt] = label.encode()
        if cnt % 1000 == 0:
            with env.begin(write=True) as txn:
                for key, value in cache.items():
                    txn.put(key, value)
            cache = {}
        cnt += 1
    cache[b"num-samples"] = str(cnt - 1).encode()
    with env.begin(write=True) as txn:
        for key, value in cache.items():
            txn.put(key, value)
    env.close()
    return cnt - 1


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the writer's reading processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20000, help="number of crops")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each writer (best is reported)")
    parser.add_argument("--workers", type=int, default=0, help="our writer's threads (0 = default)")
    parser.add_argument("--crops", choices=("generator", "simple"), default="generator",
                        help="generator: 02's crop generator; simple: a word on a noise background (PIL)")
    args = parser.parse_args()
    root = OUT / f"lmdb_crops_{args.crops}_{args.n}"
    gt = generated_crops(root, args.n) if args.crops == "generator" else make_crops(root, args.n)
    runs = {"reference loop": None, **{f"kocr validate={m}": m for m in VALIDATE_MODES}}
    best = dict.fromkeys(runs, float("inf"))
    cpu = dict.fromkeys(runs, float("inf"))  # CPU seconds of all threads and reading processes
    out = OUT / "bench_lmdb_out"
    for _ in range(args.repeat):
        for name, mode in runs.items():
            shutil.rmtree(out, ignore_errors=True)
            start, start_cpu = time.perf_counter(), cpu_seconds()
            if mode is None:
                written = reference_loop(gt, root, out)
            else:
                config = LmdbConfig(validate=mode, workers=args.workers, progress=False, force=True)
                written = create_lmdb([GtSource(str(gt), str(root))], out, config).written
            elapsed = time.perf_counter() - start
            assert written == args.n, (name, written)
            best[name] = min(best[name], elapsed)
            cpu[name] = min(cpu[name], cpu_seconds() - start_cpu)
    shutil.rmtree(out, ignore_errors=True)
    size = sum(p.stat().st_size for p in root.rglob("*.jpg")) / args.n
    print(f"{args.n} {args.crops} crops (mean {size / 1024:.1f} KiB), {os.cpu_count()} CPU cores, "
          f"best of {args.repeat}, load average {os.getloadavg()[0]:.1f}")
    for name, seconds in best.items():
        speedup = best["reference loop"] / seconds
        print(f"{name:>24}: {args.n / seconds:9.0f} samples/s ({seconds:.2f} s)  {speedup:.2f}x the reference loop;"
              f"  CPU {cpu[name]:.2f} s ({cpu['reference loop'] / cpu[name]:.2f}x less)")


if __name__ == "__main__":
    main()
