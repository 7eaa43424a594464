"""Which of the out-of-distribution renderer's settings cost a recognizer most: the dev crops drawn with the
training renderer (``CropConfig()``), with the OOD renderer (``OOD_CROP_CONFIG``), and with the training
renderer plus one group of the OOD settings at a time, all in the held-out font families with the OOD dev
set's seed and corpus categories; each set read at the model's input width and with the OCR's wide reading.

    .venv/bin/python -m tools.ood_factors [--checkpoint models/pretrained/recognizer.pth] [--count 1000]
                                          [--csv results/ood_factors.csv]

(from the repository root; about 40 s per set on 2 cores). Dev data only: the crops are the held-out
families' (the validation and OOD dev sets' fonts), never a test set. Prints one row per set.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import fields, replace
from pathlib import Path

import pandas as pd

from modules.generator.generate import generate_crops
from modules.generator.render_crop import OOD_CROP_CONFIG, CropConfig
from modules.imageio import read_image
from modules.metrics.recognition import word_accuracy
from modules.ocr.api import OCRConfig
from modules.recognizer.recognize import Recognizer
from modules.shipped import shipped_checkpoints

# CropConfig's fields in groups that each change one aspect of the drawing.
GROUPS: dict[str, tuple[str, ...]] = {
    "font sizes": ("font_sizes",),
    "character spacing": ("spacing",),
    "margins (loose crops)": ("padding", "vpadding"),
    "background mix": ("background_weights",),
    "contrast": ("min_contrast", "p_low_contrast", "low_contrast"),
    "neighbouring line": ("p_neighbour",),
    "outline / shadow / extrusion": ("p_bold", "p_outline", "p_shadow", "p_extrude"),
    "geometry": ("p_rotate", "max_angle", "p_shear", "max_shear", "p_perspective", "max_perspective", "p_curve"),
    "blur / noise": ("p_blur", "max_blur_sigma", "p_motion_blur", "p_noise", "max_noise_sigma"),
    "low resolution": ("p_lowres", "lowres_height"),
    "lighting / glare / occlusion": ("p_light", "max_light", "p_glare", "p_occlude"),
    "JPEG quality": ("jpeg_quality",),
}


def variant_configs(train: CropConfig = CropConfig(), ood: CropConfig = OOD_CROP_CONFIG) -> dict[str, CropConfig]:
    """``{"training renderer": train, "OOD renderer": ood, "+ <group>": train with that group's ood values}``.
    Raises ``ValueError`` when a ``CropConfig`` field belongs to no group (a new setting must be placed)."""
    grouped = {name for names in GROUPS.values() for name in names}
    loose = sorted({f.name for f in fields(CropConfig)} - grouped)
    if loose:
        raise ValueError(f"CropConfig fields in no group: {', '.join(loose)}")
    variants = {"training renderer": train, "OOD renderer": ood}
    for group, names in GROUPS.items():
        variants[f"+ {group}"] = replace(train, **{name: getattr(ood, name) for name in names})
    return variants


def read_set(recognizer: Recognizer, config: CropConfig, count: int, seed: int, folder: Path, workers: int,
             wide_width: int, skip_categories: tuple[str, ...] = ("random_syllables",)) -> dict[str, float]:
    """Draw ``count`` held-out-family crops with ``config`` into ``folder`` (corpus rows of ``skip_categories``
    left out, as 02 does for its dev sets) and read them; word accuracy in percent at the input width and
    with the wide reading (``wide_width``)."""
    result = generate_crops(folder, "ood", count, seed=seed, workers=workers, config=config, overwrite=True,
                            skip_categories=skip_categories, progress=False)
    entries = [line.split("\t", 1) for line in Path(result.gt_path).read_text(encoding="utf-8").splitlines()]
    images = [read_image(folder / path) for path, _ in entries]
    labels = [label for _, label in entries]
    row = {}
    for name, width in (("input width", 0), (f"wide read ({wide_width} px)", wide_width)):
        readings = recognizer.recognize(images, max_width=width)
        row[f"word accuracy %, {name}"] = round(100 * word_accuracy([t for t, _ in readings], labels), 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", default="", help="recognizer checkpoint (default: the shipped one)")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="the OOD dev set's seed: the same texts and fonts")
    parser.add_argument("--workers", type=int, default=0, help="generator processes (0: every core)")
    parser.add_argument("--skip-categories", nargs="*", default=["random_syllables"],
                        help="corpus categories left out (02_generate_text_images' test_skip_categories)")
    parser.add_argument("--csv", default="", help="also write the table here")
    args = parser.parse_args()

    checkpoint = args.checkpoint or str(shipped_checkpoints()["recognizer"])
    recognizer = Recognizer.from_checkpoint(checkpoint, device="cpu")
    print(f"recognizer: {checkpoint}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, config) in enumerate(variant_configs().items()):
            row = {"crops drawn with": name, **read_set(recognizer, config, args.count, args.seed,
                                                         Path(tmp) / str(index), args.workers, OCRConfig.wide_width,
                                                         tuple(args.skip_categories))}
            rows.append(row)
            print(" | ".join(str(v) for v in row.values()), flush=True)
    table = pd.DataFrame(rows)
    base = table.iloc[0, 1]
    table["change vs training renderer"] = (table.iloc[:, 1] - base).round(1)
    print(table.to_string(index=False))
    if args.csv:
        Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
