"""Which step of the OOD dev scenes' re-shoot (``photograph`` with ``OOD_PHOTO``) costs the OCR most: the same scenes
(held-out font families, the training scene renderer, as the dev scenes are drawn) read as drawn, with one
re-shoot step at a time (every other step's random draws kept, so each row differs from the first by that
step alone), and with the whole re-shoot, as the OOD dev scenes are.

    .venv/bin/python -m tools.ood_scene_factors [--out results/ood_scene_factors] [--count 100]
                                                [--recognizer PATH] [--detector PATH] [--csv results/x.csv]

(from the repository root; about 40 s a row for 100 scenes on 2 cores; scenes already in ``--out`` are
kept). Seeded apart from every scene set of the pipeline: dev data, never a test set. Prints one row per
variant: detection H-mean, end-to-end F and recognition of the ground-truth crops (%).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from modules.generator.photograph import STEPS
from tools.held_out_scenes import draw_held_out_scenes

SEED = 5151  # apart from the sample datasets' seeds and tools.large_photos'


def variants() -> dict[str, tuple[str, ...]]:
    """``{row name: re-shoot steps}``: none, each step of ``STEPS`` alone, all of them."""
    rows: dict[str, tuple[str, ...]] = {"as drawn (dev scenes' renderer)": ()}
    rows.update({f"+ {step}": (step,) for step in STEPS})
    rows["whole re-shoot (OOD dev scenes')"] = STEPS
    return rows


def make_scenes(out: str | Path, count: int, steps: tuple[str, ...]) -> tuple[Path, Path]:
    """Draw scenes ``0..count-1`` re-shot with ``steps`` as AIHub-format ``out/image`` and ``out/label``
    folders (scene ``i`` depends only on ``i``; those already there are kept); returns the two folders."""
    return draw_held_out_scenes(out, count, SEED, steps)


def compare(out: str | Path, count: int, recognizer: str | None = None, detector: str | None = None) -> pd.DataFrame:
    """The OCR (the shipped models unless paths are given) on every variant's scenes, one row each."""
    from modules.ocr.api import OCR
    from modules.ocr.evaluate import evaluate_ocr, labelled_records, summary_row

    ocr = OCR.from_checkpoints(detector=detector, recognizer=recognizer, device="cpu")
    table = []
    for number, (name, steps) in enumerate(variants().items()):
        image_dir, label_dir = make_scenes(Path(out) / f"variant{number}", count, steps)
        report = evaluate_ocr(ocr, labelled_records("aihub", str(label_dir), str(image_dir)), progress=False)
        table.append(summary_row(name, report))
    return pd.DataFrame(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="results/ood_scene_factors", help="folder for the scenes (kept for reruns)")
    parser.add_argument("--count", type=int, default=100, help="scenes per variant")
    parser.add_argument("--recognizer", help="recognizer checkpoint (default: the shipped one)")
    parser.add_argument("--detector", help="detector checkpoint (default: the shipped one)")
    parser.add_argument("--csv", help="also write the table here")
    args = parser.parse_args(argv)
    table = compare(args.out, args.count, args.recognizer, args.detector)
    print(table.to_string(index=False))
    if args.csv:
        table.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
