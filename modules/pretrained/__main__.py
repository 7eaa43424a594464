"""Ship a pretraining run's models, or check the shipped ones.

    python -m modules.pretrained ship --workdir pretrain [--out models/pretrained] [--overwrite] [--keep detector]
    python -m modules.pretrained verify [--dir models/pretrained]

``ship`` takes the detector and recognizer that the newest ``run_all.py`` runs under ``--workdir`` trained
(from the paths their summaries recorded), writes them in half precision with a model card and checksums,
and refuses to replace shipped models unless ``--overwrite``. ``--keep KIND`` ships that kind's model
unchanged (its file and card entry); a model trained on from a copy of a shipped file lists the shipped
stages behind it (the earlier card, matched by checksum). Exit status 0, or 1 with the reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from modules.checkpoint import CheckpointError
from modules.imageio import write_bytes_atomic
from modules.ocr.latest_run import find_latest_checkpoints
from modules.pretrained.card import build_card, render_markdown
from modules.pretrained.ship import write_compact
from modules.shipped import FILES, PRETRAINED_DIR, SUMS, sha256, verify, write_sums

DATA_STEPS = "--only 02_generate_text_images --only 03_create_lmdb --only 04_extract_charset "


def stage_dir(number: int) -> str:
    """The recognizer's folder for pretraining stage `number` (1-based; seed 1111 x number)."""
    name = "pretrain" if number == 1 else f"pretrain-stage{number}"
    return f"saved_models/{name}-None-VGG-BiLSTM-CTC-Seed{1111 * number}"


# Stages 1-5 drew their crops with the training renderer's earlier, narrower ranges: these are the fields of
# CropConfig that differed then, as 02's `effects` (a record of the recipe, not a setting in use).
NARROW_RENDERER = (
    "{'font_sizes': [22, 26, 30, 34, 38], 'spacing': [-0.06, 0.25], 'padding': [0.0, 0.5], 'vpadding': [0.0, 0.25], "
    "'p_neighbour': 0.15, 'p_outline': 0.15, 'p_shadow': 0.15, 'p_extrude': 0.08, 'p_rotate': 0.35, 'max_angle': 4.0, "
    "'p_shear': 0.2, 'max_shear': 0.25, 'max_perspective': 0.3, 'p_curve': 0.1, 'max_blur_sigma': 1.1, "
    "'p_motion_blur': 0.1, 'p_noise': 0.3, 'max_noise_sigma': 10.0, 'p_light': 0.25, 'max_light': 0.45, "
    "'p_glare': 0.08, 'p_occlude': 0.08, 'jpeg_quality': [20, 95]}")
NARROW = f' -p "02_generate_text_images.effects={NARROW_RENDERER}"'


def stage_overrides(number: int, lr: float, num_iter: int, train_count: int | None = None) -> str:
    """run_all.py options for stage `number` >= 2: fine-tune stage number-1's best checkpoint.

    `train_count` first grows the generated crops to that many (the data steps run again)."""
    data = "" if train_count is None else DATA_STEPS
    grow = "" if train_count is None else f" -p 02_generate_text_images.train_count={train_count}{NARROW}"
    return (f"{data}--only 05_train{grow} -p 05_train.finetune_from={stage_dir(number - 1)}/best_accuracy.pth"
            f" -p 05_train.lr={lr} -p 05_train.num_iter={num_iter} -p 05_train.seed={1111 * number}"
            f" -p 05_train.saved_model_dir={stage_dir(number)}")


STAGES = [stage_overrides(2, 0.002, 16000), stage_overrides(3, 0.001, 40000, 300000),
          stage_overrides(4, 0.0007, 22000, 600000), stage_overrides(5, 0.0005, 25000, 900000),
          stage_overrides(6, 0.0003, 8000), stage_overrides(7, 0.0003, 8000)]
# Stage 6 trains on the 900,000 crops drawn again with the wider training renderer (CropConfig's ranges since
# stage 6): 02 regenerates a folder made with other settings only when told to.
REDRAW = f"{DATA_STEPS}-p 02_generate_text_images.train_count=900000 -p 02_generate_text_images.overwrite=True"
# Stage 7 draws them once more, from the training fonts with the npm families added, with another seed.
REDRAW_7 = f"{REDRAW} -p 02_generate_text_images.train_seed=7"
def detector_stage_2(finetune_from: str) -> str:
    """run_all.py options for the detector's stage 2: 3 epochs capped at 7 minutes from `finetune_from`, on
    the scenes with half the training scenes re-shot (``TRAIN_PHOTO``, scene version 3)."""
    return ("--only yolo_preprocess --only yolo_train"
            f" -p yolo_train.finetune_from={finetune_from} -p yolo_train.epochs=3 -p yolo_train.time_limit_min=7"
            " -p yolo_train.resume=False -p yolo_train.exp_name=pretrain-stage2")


STAGE_NOTES = [
    "# the recognizer's stage 2: 16,000 more steps from stage 1's best checkpoint at a lower peak learning rate",
    "# stage 3: 150,000 more generated crops (300,000 in all), 40,000 steps from stage 2's best checkpoint",
    "# stage 4: 300,000 more (600,000 in all), 22,000 steps from stage 3's best checkpoint",
    "# stage 5: 300,000 more (900,000 in all), 25,000 steps from stage 4's best checkpoint",
    "# stage 6: the 900,000 crops drawn again with the wider training renderer, 8,000 steps from stage 5's best",
    "# stage 7: the 900,000 crops drawn again with seed 7 from 136 fonts (the 22 npm fonts added), 8,000 steps",
]
DATA_PREP = ("python run_all.py --profile pretrain --only 00_remove_hangul_filenames --only 01_make_gtdata "
             "--only crnn_preprocess --only 02_generate_text_images --only 03_create_lmdb --only 04_extract_charset")
RECIPE = [
    "# stages 1-5 draw crops with the earlier, narrower renderer (NARROW), stage 6 with CropConfig's ranges;",
    "# stages 1-6 drew from the 113 Debian fonts their commits held (the card lists each stage's commit)",
    "python run_all.py --profile pretrain --workdir pretrain" + NARROW + "   # data, stage 1, the detector, the demo",
    *(line for note, stage in zip(STAGE_NOTES[:4], STAGES[:4])
      for line in (note, "python run_all.py --profile pretrain --workdir pretrain " + stage)),
    STAGE_NOTES[4],
    "python run_all.py --profile pretrain --workdir pretrain " + REDRAW,
    "python run_all.py --profile pretrain --workdir pretrain " + STAGES[4],
    STAGE_NOTES[5],
    "python run_all.py --profile pretrain --workdir pretrain " + REDRAW_7,
    "python run_all.py --profile pretrain --workdir pretrain " + STAGES[5],
    "# the detector's stage 2 on scenes with half the training scenes re-shot (scene version 3: a work folder",
    "# keeps scenes an earlier version drew; delete its data/ to draw them again). The shipped stage 1 was",
    "# trained on the scenes as drawn (its commit's code)",
    "python run_all.py --profile pretrain --workdir pretrain " + detector_stage_2("saved_models/yolo/pretrain/best.pt"),
    "python run_all.py --profile pretrain --workdir pretrain --only yolocrnn_demo",
    "python -m modules.pretrained ship --workdir pretrain --overwrite",
    "# the CPU run of the shipped models: in a clone of the commit below (the clone was the work folder),",
    "# data first, then the two trainings side by side, one thread each, then stages 2 to 4 on two threads:",
    DATA_PREP + " --only yolo_preprocess" + NARROW,
    "python run_all.py --profile pretrain --only 05_train -p 05_train.num_threads=1 &",
    "python run_all.py --profile pretrain --only yolo_train -p yolo_train.num_threads=1",
    *("python run_all.py --profile pretrain " + stage for stage in STAGES[:3]),
    "python run_all.py --profile pretrain --only yolocrnn_demo",
    "python -m modules.pretrained ship --workdir . --out <repository>/models/pretrained",
    "# stage 5, on another machine of the same kind without that work folder: in a fresh clone, the shipped",
    "# stage-4 recognizer copied to stage 4's folder, the data made again with the same settings and seeds,",
    "# the detector shipped unchanged (the card takes the earlier stages from the shipped card, by checksum):",
    f"mkdir -p {stage_dir(4)} && cp models/pretrained/recognizer.pth {stage_dir(4)}/best_accuracy.pth",
    DATA_PREP + " -p 02_generate_text_images.train_count=600000" + NARROW,
    "python run_all.py --profile pretrain " + STAGES[3],
    "python run_all.py --profile pretrain --only yolocrnn_demo",
    "python -m modules.pretrained ship --workdir . --out <repository>/models/pretrained --keep detector --overwrite",
    "# stage 6, in stage 5's work folder (its code, with 02's `effects` set to the wider ranges, which are",
    "# CropConfig's defaults from then on; the same settings draw the same crops):",
    "python run_all.py --profile pretrain " + REDRAW,
    "python run_all.py --profile pretrain " + STAGES[4],
    "python run_all.py --profile pretrain --only yolocrnn_demo",
    "python -m modules.pretrained ship --workdir . --out <repository>/models/pretrained --keep detector --overwrite",
    "# stage 7, in the same folder (its code pulled up to the npm fonts):",
    "python run_all.py --profile pretrain " + REDRAW_7,
    "python run_all.py --profile pretrain " + STAGES[5],
    "python run_all.py --profile pretrain --only yolocrnn_demo",
    "python -m modules.pretrained ship --workdir . --out <repository>/models/pretrained --keep detector --overwrite",
    "# the detector's stage 2, in a fresh clone of its commit (the card lists it), from the shipped stage 1:",
    "python run_all.py --profile pretrain " + detector_stage_2("models/pretrained/detector.pt"),
    "python -m modules.pretrained ship --workdir . --out <repository>/models/pretrained --keep recognizer --overwrite",
]


def ship(workdir: Path, out: Path, overwrite: bool, keep: tuple[str, ...] = ()) -> int:
    previous_card = out / "model_card.json"
    previous = json.loads(previous_card.read_text(encoding="utf-8")) if previous_card.is_file() else None
    if keep:
        if previous is None or not all(kind in previous.get("models", {}) for kind in keep):
            print(f"error: --keep {' '.join(keep)}: {previous_card} does not describe shipped models to keep",
                  file=sys.stderr)
            return 1
        verify(out)  # the kept files are the ones the card and the checksums describe (else CheckpointError)
    found = find_latest_checkpoints("runs", root=workdir)
    missing = [kind for kind, f in found.items() if f is None and kind not in keep]
    if missing:
        print(f"error: no {' or '.join(missing)} trained by a run under {workdir / 'runs'}", file=sys.stderr)
        return 1
    if len(keep) == len(FILES):
        print("error: every model kept: nothing to ship", file=sys.stderr)
        return 1
    there = [out / n for n in (*FILES.values(), SUMS) if (out / n).exists()]
    if there and not overwrite:
        print(f"error: {out} already holds shipped models ({', '.join(p.name for p in there)}); "
              "pass --overwrite to replace them", file=sys.stderr)
        return 1
    trained = {kind: f for kind, f in found.items() if kind not in keep and f is not None}
    card = build_card(workdir, trained, RECIPE, previous, keep)  # before writing: a stage may start from a shipped file
    out.mkdir(parents=True, exist_ok=True)
    for kind in FILES:
        if kind in keep:
            print(f"{kind}: {out / FILES[kind]} (kept)")
            continue
        print(f"{kind}: {trained[kind]}")
        write_compact(trained[kind].path, out / FILES[kind], kind)
    files = {n: {"bytes": (out / n).stat().st_size, "sha256": sha256(out / n)} for n in FILES.values()}
    card["files"] = files
    write_bytes_atomic(out / "model_card.json", json.dumps(card, ensure_ascii=False, indent=1).encode("utf-8"))
    write_bytes_atomic(out / "model_card.md", render_markdown(card, files).encode("utf-8"))
    write_sums(out)
    total = sum(f["bytes"] for f in files.values())
    print(f"shipped to {out}: {total / 2**20:.1f} MiB of weights, model_card.md, {SUMS}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modules.pretrained", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ship_parser = sub.add_parser("ship", help="ship a pretraining run's models")
    ship_parser.add_argument("--workdir", type=Path, required=True, help="the run_all.py --workdir of the pretraining")
    ship_parser.add_argument("--out", type=Path, default=PRETRAINED_DIR)
    ship_parser.add_argument("--overwrite", action="store_true", help="replace the shipped models")
    ship_parser.add_argument("--keep", action="append", choices=tuple(FILES), default=[],
                             help="ship this kind's model unchanged from --out, with its card entry (repeatable)")
    verify_parser = sub.add_parser("verify", help="check the shipped files against their checksums")
    verify_parser.add_argument("--dir", type=Path, default=PRETRAINED_DIR)
    args = parser.parse_args(argv)
    try:
        if args.command == "ship":
            return ship(args.workdir, args.out, args.overwrite, tuple(args.keep))
        for name, digest in verify(args.dir).items():
            print(f"ok  {digest[:16]}  {args.dir / name}")
        return 0
    except CheckpointError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
