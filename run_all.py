"""Run the whole pipeline headlessly with papermill, in order.

    python run_all.py                          # default profile: embedded data, CPU-sized (<30 min, 2 cores)
    python run_all.py --profile smoke          # tiny, for CI (<5 min)
    python run_all.py --profile pretrain --workdir pretrain   # the shipped models' recipe (docs/pretrained.md)
    python run_all.py --profile full           # GPU / real AIHub + TextOCR settings
    python run_all.py --only 05_train -p num_iter=2000
    python run_all.py --from 03_create_lmdb -p 05_train.batch_size=64

Each run leaves runs/<run id>/ with the executed notebooks, run.log and summary.json. A parameter
that the target notebook does not declare is refused. The default profile runs every notebook with its
own defaults; STEPS below holds the smoke, pretrain and full overrides.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from modules.pipeline.parameters import parse_value
from modules.pipeline.runner import StepFailed, prepare_workdir, run_pipeline
from modules.pipeline.step import PROFILES, Prepare, Step

REPO_ROOT = Path(__file__).resolve().parent
# Peak learning rate of a recognizer trained from scratch; 05_train's default (0.0002) fine-tunes the shipped one.
SCRATCH_LR = 0.005

STEPS: list[Step | Prepare] = [
    # Creates the embedded sample datasets (AIHub, text-in-the-wild, TextOCR formats) when absent, and only
    # when a selected notebook reads one of their paths: pointed at your own data, no sample set is built.
    Prepare("sample_data", "modules.generator.sample_datasets:ensure_sample_datasets", {"data_root": "data"},
            provides="modules.generator.sample_datasets:dataset_paths"),
    # Recognition data: AIHub -> crops, TextOCR -> crops, generated crops, lmdbs, charset, training.
    Step("00_remove_hangul_filenames", smoke={"show_rows": 3}, full={}, outputs=()),  # dry run unless dry_run=False
    Step("01_make_gtdata", smoke={"show_samples": 8, "workers": 1}, full={}, outputs=("train_gt", "test_gt")),
    Step("crnn_preprocess", smoke={"show_samples": 8, "workers": 1}, full={}, outputs=("train_gt", "test_gt")),
    Step("02_generate_text_images", smoke={"train_count": 400, "test_count": 100, "ood_count": 60},
         full={"train_count": 1_000_000, "test_count": 20_000, "ood_count": 5_000},
         pretrain={"train_count": 150_000, "train_seed": 0}, outputs=("out_root",)),
    Step("03_create_lmdb", smoke={}, full={}, outputs=("lmdb_root",)),
    Step("04_extract_charset", smoke={"show_top": 20}, full={}, outputs=("charset_path", "stats_path")),
    Step("05_train", smoke={"num_iter": 40, "val_interval": 20, "output_channel": 64, "hidden_size": 48,
                            "max_train_samples": 2000, "max_val_samples": 200, "show_samples": 4,
                            "saved_model_dir": "saved_models/smoke-None-VGG-BiLSTM-CTC-Seed1111", "finetune_from": "",
                            "lr": SCRATCH_LR},
         full={"transformation": "TPS", "feature_extraction": "ResNet", "prediction": "Attn", "output_channel": 512,
               "hidden_size": 256, "batch_norm": False, "augment": True, "batch_size": 192, "num_iter": 300_000, "val_interval": 2000, "lr": 0.001,
               "batch_ratio": [0.4, 0.4, 0.2], "augment_p": 0.5, "cache_images": False, "num_workers": 8,
               "max_val_samples": 0, "saved_model_dir": "saved_models/TPS-ResNet-BiLSTM-Attn-Seed1111", "finetune_from": ""},
         # The shipped recognizer: the default model, trained from scratch on 3.7x the scenes and crops for
         # 12,000 steps (about an hour on one CPU thread while the detector trains on the other).
         pretrain={"num_iter": 12_000, "val_interval": 1000, "finetune_from": "", "lr": SCRATCH_LR,
                   "saved_model_dir": "saved_models/pretrain-None-VGG-BiLSTM-CTC-Seed1111"},
         outputs=("saved_model_dir",)),
    # Detection: YOLO annotations + anchors, detector training.
    Step("yolo_preprocess", smoke={"show_samples": 2}, full={}, outputs=("out_dir",)),
    Step("yolo_train", smoke={"epochs": 2, "input_size": 320, "train_size": 256, "cache_side": 480, "warmup_steps": 5,
                              "time_limit_min": 3.0, "show_examples": 2, "exp_name": "smoke", "finetune_from": ""},
         full={"width_mult": 1.0, "head_width": 128, "input_size": 640, "train_size": 416, "cache_side": 1280, "epochs": 100,
               "batch_size": 32, "lr": 0.002, "warmup_steps": 1000, "time_limit_min": 0.0, "device": "cuda",
               "exp_name": "full", "finetune_from": ""},
         # The shipped detector: the default model from scratch, 40 epochs over 1.8x the scenes, its schedule
         # following the time past 55 min (the CPU run), resumable.
         pretrain={"epochs": 40, "time_limit_min": 55.0, "resume": True, "finetune_from": "", "exp_name": "pretrain"},
         outputs=("out_root",)),
    # End to end: detect -> crop -> recognize, evaluation.
    Step("yolocrnn_demo", smoke={"num_samples": 2, "show_samples": 1, "eval_limit": 10},
         full={"num_samples": 12, "device": "cuda"}, outputs=("output_dir", "eval_json")),
]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=PROFILES, default="default")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only this step (repeatable)")
    parser.add_argument("--from", dest="start", metavar="NAME", help="run from this step on")
    parser.add_argument("--until", metavar="NAME", help="run up to this step (included)")
    parser.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                        help="override a notebook parameter: key=value or step.key=value")
    parser.add_argument("--workdir", type=Path, default=REPO_ROOT,
                        help="working root for data, lmdbs, models and runs (default: the repository)")
    parser.add_argument("--list", action="store_true", help="list the steps and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.list:
        for step in STEPS:
            print(step.name)
        return 0
    overrides = {}
    for item in args.param:
        key, eq, value = item.partition("=")
        if not eq or not key:
            print(f"error: -p expects KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        overrides[key.strip()] = parse_value(value.strip())
    root = prepare_workdir(REPO_ROOT, args.workdir)
    os.chdir(root)
    try:
        run_dir, summary = run_pipeline(STEPS, args.profile, root, overrides, args.only, args.start, args.until)
    except StepFailed as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"\nrun {summary['run_id']}: {summary['status']}; {run_dir / 'summary.json'}")
    for step in summary["steps"]:
        print(f"  {step['name']:28s} {step['status']:8s} {step['seconds']:7.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
