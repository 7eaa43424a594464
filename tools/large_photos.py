"""Large phone-photo-sized OOD dev scenes, and what the OCR finds in them with and without its large-photo
detector passes (``modules.detector.config.LARGE_PHOTO_SCALES``).

    .venv/bin/python -m tools.large_photos [--out results/large_photos] [--count 40] [--in-distribution]
                                           [--csv results/large_photos.csv]

(from the repository root; about 10 s a photo to draw on 2 cores, once: photos already in ``--out`` are kept).
The scenes are the OOD dev scenes' kind (held-out font families, ``ood_scene.photograph``) drawn at 3-12 Mpx
with the generator's text sizes (14-96 px, some words up to 40 % of the height), so most words are a few
dozen pixels high in a photo 2,000-4,000 px wide. ``--in-distribution`` draws the same scenes without the
OOD re-shoot, as the dev scenes are drawn (held-out families, the training scene renderer). Seeded apart
from every scene set of the pipeline; dev data, never a test set. Prints one row per detector setting: detection H-mean, end-to-end F, seconds a photo.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from modules.generator import aihub_outdoor, ood_scene
from modules.generator.corpus import read_corpus
from modules.generator.fonts import load_fonts
from modules.generator.glyphs import GlyphCache
from modules.generator.sample_datasets import P_BOARD
from modules.generator.scene import render_scene

SIZES: tuple[tuple[int, int], ...] = ((4000, 3000), (3000, 4000), (3264, 2448), (2048, 1536), (4032, 3024))
SEED = 4242  # apart from the sample datasets' seeds (0 and their per-set codes)
SETTINGS: dict[str, dict[str, tuple[float, ...]]] = {
    "three sizes (0.8x, 1x, 1.25x)": {"large_photo_scales": ()},
    "+ large-photo passes (the OCR's default)": {},
}


def make_large_photos(out: str | Path, count: int, sizes: tuple[tuple[int, int], ...] = SIZES,
                      fonts_dir: str = "textimagegenerator/fonts",
                      corpus_path: str = "textimagegenerator/sample_data.xlsx", ood: bool = True) -> tuple[Path, Path]:
    """Draw photos ``0..count-1`` (photo ``i`` is ``sizes[i % len(sizes)]`` and depends only on ``i``) as
    AIHub-format ``out/image`` and ``out/label`` folders, skipping those already there; returns the two.
    ``ood``: re-shoot each scene as the OOD dev scenes are (``ood_scene.photograph``); else as drawn."""
    image_dir, label_dir = Path(out) / "image", Path(out) / "label"
    image_dir.mkdir(parents=True, exist_ok=True)
    label_dir.mkdir(parents=True, exist_ok=True)
    rows, _ = read_corpus(corpus_path)
    fonts, _ = load_fonts(fonts_dir, split="test")  # the held-out families, as the dev and OOD dev scenes
    cache = GlyphCache()
    for index in range(count):
        rng = np.random.default_rng([SEED, index])
        stem, ext, subclass = aihub_outdoor.plan(rng, "ood", index)
        if aihub_outdoor.is_done(image_dir, label_dir, stem, ext, index):
            continue
        scene = render_scene(rng, rows, fonts, cache, size=sizes[index % len(sizes)],
                             vertical=subclass == "세로형간판", words=(6, 20), p_board=P_BOARD)
        if ood:
            scene = ood_scene.photograph(rng, scene)
        aihub_outdoor.write(rng, scene, image_dir, label_dir, stem, ext, subclass, index)
    return image_dir, label_dir


def compare(image_dir: Path, label_dir: Path, settings: dict[str, dict] | None = None) -> pd.DataFrame:
    """The shipped OCR on the photos, once per detector setting (``detector_options`` on top of the OCR's)."""
    from modules.ocr.api import OCR
    from modules.ocr.evaluate import evaluate_ocr, labelled_records, summary_row

    rows = []
    for name, options in (settings or SETTINGS).items():
        ocr = OCR.from_checkpoints(device="cpu", detector_options=options, announce=False)
        start = time.perf_counter()
        report = evaluate_ocr(ocr, labelled_records("aihub", str(label_dir), str(image_dir)), progress=False)
        row = summary_row(name, report)
        row["s a photo"] = round((time.perf_counter() - start) / max(1, report["images"]), 2)
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="results/large_photos", help="folder for the photos (kept for reruns)")
    parser.add_argument("--count", type=int, default=40, help="photos to draw")
    parser.add_argument("--in-distribution", action="store_true",
                        help="draw the scenes without the OOD re-shoot (use another --out than the OOD photos')")
    parser.add_argument("--csv", help="also write the table here")
    args = parser.parse_args(argv)
    table = compare(*make_large_photos(args.out, args.count, ood=not args.in_distribution))
    print(table.to_string(index=False))
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
