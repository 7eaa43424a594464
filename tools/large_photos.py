"""Large phone-photo-sized OOD dev scenes, and what the OCR finds in them with and without its large-photo
detector passes (``modules.detector.config.LARGE_PHOTO_SCALES``).

    .venv/bin/python -m tools.large_photos [--out results/large_photos] [--count 40] [--in-distribution]
                                           [--csv results/large_photos.csv]

(from the repository root; about 10 s a photo to draw on 2 cores, once: photos already in ``--out`` are kept).
The scenes are the OOD dev scenes' kind (held-out font families, ``photograph`` with ``OOD_PHOTO``) drawn at 3-12 Mpx
with the generator's text sizes (14-96 px, some words up to 40 % of the height), so most words are a few
dozen pixels high in a photo 2,000-4,000 px wide. ``--in-distribution`` draws the same scenes without the
OOD re-shoot, as the dev scenes are drawn (held-out families, the training scene renderer). Seeded apart
from every scene set of the pipeline; dev data, never a test set. Prints one row per detector setting: detection H-mean, end-to-end F, seconds a photo.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from modules.generator.photograph import STEPS
from tools.held_out_scenes import draw_held_out_scenes

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
    ``ood``: re-shoot each scene as the OOD dev scenes are (``photograph`` with ``OOD_PHOTO``); else as drawn."""
    return draw_held_out_scenes(out, count, SEED, STEPS if ood else None, size=lambda i: sizes[i % len(sizes)],
                                words=(6, 20), fonts_dir=fonts_dir, corpus_path=corpus_path)


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
