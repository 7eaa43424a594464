"""Command line for ``yolo_train``'s training, for one process or many under ``torchrun``.

    python -m modules.pipeline.train_detector [--config PARAMS.json] [-p name=value ...]
    torchrun --standalone --nproc_per_node=N -m modules.pipeline.train_detector --config PARAMS.json
    torchrun --nnodes=M --nproc_per_node=N --rdzv_backend=c10d --rdzv_endpoint=HOST:PORT --rdzv_id=ID \\
        -m modules.pipeline.train_detector --config PARAMS.json          # the same line on every machine

The parameters are ``yolo_train``'s own (its ``parameters`` cell holds the defaults; the JSON and ``-p``
override them), plus ``sync_bn`` and ``dist_timeout_min``. ``batch_size`` is the global batch.
Writes what the notebook writes into ``<out_root>/<exp_name>/`` (rank 0 only): ``best.pt``, ``last.pt``,
``history.json``, ``curves.png``, ``metrics.json``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from modules.detector.annotations import read_yolo_file
from modules.detector.augment import AugmentConfig
from modules.detector.config import DetectorConfig, LossConfig, TrainConfig
from modules.detector.dataset import load_samples, repeat_vertical
from modules.detector.detect import TTA_SCALES, Detector
from modules.detector.finetune import finetune_config
from modules.detector.mobilenet import load_backbone_weights
from modules.detector.model import YoloDetector
from modules.detector.output_guard import check_detector_dir
from modules.detector.preprocess import load_anchors, save_json
from modules.detector.report import plot_history, training_summary
from modules.detector.train import evaluate, fit
from modules.distributed import DistContext, barrier
from modules.model_size import count_parameters
from modules.pipeline.inputs import require_finetune_source
from modules.pipeline.torchrun_cli import run_cli

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "yolo_train.ipynb"


def train_detector(p: dict[str, Any], context: DistContext, device: torch.device,
                   log: Callable[[str], None] = print, max_epochs_this_run: int | None = None,
                   train_changes: dict[str, Any] | None = None) -> list[dict[str, float]] | None:
    """``yolo_train`` sections 1-5 with parameters ``p`` (all of the notebook's): every process loads
    the training images, trains its share of each global batch; rank 0 validates, writes the
    checkpoints, curves and ``metrics.json``. Returns the history on rank 0, ``None`` on the others.
    ``max_epochs_this_run`` trains in chunks (``resume`` continues); ``train_changes`` sets ``TrainConfig``
    fields the notebook does not declare (``adam_eps``, ``channels_last``); ``p["augment"]`` (default
    true) can turn the training augmentation off."""
    say = log if context.is_main else (lambda text: None)
    problems: Counter[str] = Counter()
    train_samples = load_samples(read_yolo_file(p["train_file"], problems), p["cache_side"], problems,
                                 desc="train images")
    val_samples = []
    if context.is_main:
        val_samples = load_samples(read_yolo_file(p["val_file"], problems), p["cache_side"], problems,
                                   desc="val images")
        if not val_samples:
            raise ValueError(f"no validation images in {p['val_file']}")
    if not train_samples:
        raise ValueError(f"no training images in {p['train_file']}")
    train_images = len(train_samples)
    train_samples = repeat_vertical(train_samples, p["vertical_repeat"])
    say(f"train {train_images} images ({len(train_samples)} samples per epoch), val {len(val_samples)}; "
        f"problems: {dict(problems) or 'none'}")
    torch.manual_seed(p["seed"])
    config = DetectorConfig(width_mult=p["width_mult"], head_width=p["head_width"], input_size=p["input_size"],
                            anchors=load_anchors(p["anchors_file"]))
    start_weights = None
    if p.get("finetune_from"):
        require_finetune_source(p["finetune_from"])
        config, start_weights = finetune_config(p["finetune_from"], config)
        say(f"fine-tuning from {p['finetune_from']}: its anchors replace {p['anchors_file']}'s")
    model = YoloDetector(config).to(device)
    if start_weights is not None:
        model.load_state_dict(start_weights)
    if p["backbone_weights"]:
        missing = load_backbone_weights(model.backbone, p["backbone_weights"])
        say(f"loaded backbone weights from {p['backbone_weights']}; missing keys: {missing or 'none'}")
    say(f"{count_parameters(model) / 1e6:.2f} M parameters; device {device}")
    out_dir = Path(p["out_root"]) / p["exp_name"]
    if context.is_main:  # a folder holding another detector stops the run (unless overwrite), as in the notebook
        check_detector_dir(out_dir, config, overwrite=p["overwrite"], log=say)
    barrier(context)
    train_config = TrainConfig(epochs=p["epochs"], batch_size=p["batch_size"], lr=p["lr"],
                               weight_decay=p["weight_decay"], warmup_steps=p["warmup_steps"],
                               train_size=p["train_size"], seed=p["seed"], num_threads=p["num_threads"],
                               time_limit_min=p["time_limit_min"], ema_decay=p["ema_decay"], **(train_changes or {}))
    started = time.monotonic()
    epoch_val = val_samples[:p["val_epoch_limit"]] if p["val_epoch_limit"] else val_samples
    augment = AugmentConfig(scale=tuple(p["scale_range"])) if p.get("augment", True) else None
    loss_config = LossConfig(box_weight=p["box_weight"])
    history = fit(model, train_samples, epoch_val, train_config, loss_config, out_dir, augment, resume=p["resume"],
                  score_threshold=p["score_threshold"], nms_iou=p["nms_iou"], log=say, max_epochs_this_run=max_epochs_this_run, context=context, sync_bn=p["sync_bn"])
    if not context.is_main:
        return None
    train_minutes = (time.monotonic() - started) / 60
    _save_curves(history, out_dir / "curves.png")
    detector = Detector.from_checkpoint(out_dir / "best.pt", device=device, score_threshold=p["score_threshold"],
                                        iou_threshold=p["nms_iou"])
    metrics = evaluate(detector, val_samples)
    multi = Detector.from_checkpoint(out_dir / "best.pt", device=device, score_threshold=p["score_threshold"],
                                     iou_threshold=p["nms_iou"], tta_scales=TTA_SCALES)
    multi_metrics = evaluate(multi, val_samples)
    summary = training_summary(history, metrics, multi_metrics, multi.tta_sizes, config, val_images=len(val_samples),
                               train_images=train_images, train_minutes=train_minutes,
                               world_size=context.world_size, global_batch=p["batch_size"],
                               settings={"detect": detector.detect_config.to_dict(), "train": asdict(train_config),
                                         "loss": asdict(loss_config), "augment": asdict(augment) if augment else None},
                               multi_detect=multi.detect_config.to_dict())
    save_json(out_dir / "metrics.json", summary)
    say(f"H-mean {summary['hmean']:.3f} (P {summary['precision']:.3f}, R {summary['recall']:.3f}); outputs in {out_dir}")
    return history


def _save_curves(history: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # a headless process: no window, the figure goes to the file only
    import matplotlib.pyplot as plt

    plt.close(plot_history(history, path))


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(argv, NOTEBOOK, train_detector, __doc__)


if __name__ == "__main__":
    sys.exit(main())
