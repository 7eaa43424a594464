"""What a detector training leaves besides its checkpoints: ``metrics.json`` and ``curves.png``.

``yolo_train`` and its torchrun entry point (``modules.pipeline.train_detector``) both write them with
these functions, so the two files have one layout whichever way the detector was trained.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from modules.detector.config import DetectorConfig

IOU_THRESHOLD = 0.5  # a detection matches a ground-truth box at this IoU (modules.detector.train.evaluate)


def training_summary(history: Sequence[dict[str, float]], metrics: dict[str, float],
                     multi_metrics: dict[str, float], multi_sizes: Sequence[int], config: DetectorConfig, *,
                     val_images: int, train_images: int, train_minutes: float, world_size: int | None = None,
                     global_batch: int | None = None, settings: dict[str, Any] | None = None,
                     multi_detect: dict[str, Any] | None = None) -> dict[str, Any]:
    """The content of ``metrics.json``: the best checkpoint's precision / recall / H-mean on the validation
    scenes at ``config.input_size`` (``metrics``) and at the ``multi_sizes`` fused (``multi_metrics``), with
    the run's sizes, the epoch ``history`` (from ``fit``) chose it at (0 without history) and the config.
    ``world_size`` and ``global_batch`` (torchrun runs) are written when given; ``settings`` (e.g. the
    ``detect`` / ``train`` / ``loss`` / ``augment`` configs as dicts) are added as top-level keys and
    ``multi_detect`` (the fused detector's ``DetectConfig``) under ``multi_scale``."""
    summary: dict[str, Any] = {
        "precision": metrics["precision"], "recall": metrics["recall"], "hmean": metrics["hmean"],
        "iou_threshold": IOU_THRESHOLD, "val_images": val_images, "train_images": train_images,
        "epochs_run": len(history), "train_minutes": round(train_minutes, 2), "input_size": config.input_size,
        "best_epoch": int(max(history, key=lambda h: h["hmean"])["epoch"]) if history else 0,
    }
    if world_size is not None:
        summary["world_size"] = world_size
    if global_batch is not None:
        summary["global_batch"] = global_batch
    summary["config"] = config.to_dict()
    summary.update(settings or {})
    summary["multi_scale"] = {"precision": multi_metrics["precision"], "recall": multi_metrics["recall"],
                              "hmean": multi_metrics["hmean"], "input_sizes": list(multi_sizes)}
    if multi_detect is not None:
        summary["multi_scale"]["detect"] = multi_detect
    return summary


def plot_history(history: Sequence[dict[str, float]], path: str | Path | None = None):
    """Training losses (total, box, objectness; log scale) and validation precision / recall / H-mean per
    epoch, side by side; saved to ``path`` when given. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for key in ("loss", "box", "obj"):
        axes[0].plot(epochs, [h[key] for h in history], marker="o", label=key)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("epoch")
    axes[0].set_title("training loss")
    axes[0].legend()
    for key in ("precision", "recall", "hmean"):
        axes[1].plot(epochs, [h[key] for h in history], marker="o", label=key)
    axes[1].set_ylim(0, 1)
    axes[1].set_xlabel("epoch")
    axes[1].set_title(f"validation (IoU >= {IOU_THRESHOLD})")
    axes[1].legend()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig
