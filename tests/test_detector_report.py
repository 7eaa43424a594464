"""``metrics.json`` and ``curves.png`` of a detector training (``modules.detector.report``)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from modules.detector.config import DetectorConfig  # noqa: E402
from modules.detector.report import plot_history, training_summary  # noqa: E402
from modules.imageio import read_image  # noqa: E402
from modules.metrics.detection import detection_prf  # noqa: E402

HISTORY = [  # as modules.detector.train.fit returns it
    {"epoch": 1, "loss": 3.2, "box": 0.9, "obj": 2.3, "precision": 0.20, "recall": 0.10, "hmean": 0.133, "lr": 3e-3},
    {"epoch": 2, "loss": 1.6, "box": 0.5, "obj": 1.1, "precision": 0.70, "recall": 0.60, "hmean": 0.646, "lr": 2e-3},
    {"epoch": 3, "loss": 1.2, "box": 0.4, "obj": 0.8, "precision": 0.65, "recall": 0.60, "hmean": 0.624, "lr": 1e-4},
]
TRUTH = [(np.array([[10, 10, 60, 30], [80, 10, 150, 30]], np.float32), np.zeros(2, bool)),
         (np.array([[5, 50, 95, 80]], np.float32), np.zeros(1, bool))]


def _metrics() -> tuple[dict[str, float], dict[str, float]]:
    """Two images, three words: one read at one size finds 2 of 3 (and one false box), fused all 3."""
    single = [np.array([[11, 10, 60, 31], [200, 200, 240, 220]], np.float32), np.array([[5, 50, 96, 80]], np.float32)]
    fused = [np.array([[11, 10, 60, 31], [80, 11, 150, 30]], np.float32), np.array([[5, 50, 96, 80]], np.float32)]
    return detection_prf(single, TRUTH), detection_prf(fused, TRUTH)


def test_summary_holds_both_measurements_the_run_and_the_config() -> None:
    metrics, multi = _metrics()
    config = DetectorConfig(width_mult=0.25, head_width=32, input_size=512)
    summary = training_summary(HISTORY, metrics, multi, (416, 512, 640), config, val_images=2, train_images=40,
                               train_minutes=8.4567)
    assert list(summary) == ["precision", "recall", "hmean", "iou_threshold", "val_images", "train_images",
                             "epochs_run", "train_minutes", "input_size", "best_epoch", "config", "multi_scale"]
    assert (summary["precision"], summary["recall"]) == (2 / 3, 2 / 3) and summary["hmean"] == metrics["hmean"]
    assert summary["multi_scale"] == {"precision": 1.0, "recall": 1.0, "hmean": 1.0, "input_sizes": [416, 512, 640]}
    assert summary["best_epoch"] == 2 and summary["epochs_run"] == 3 and summary["train_minutes"] == 8.46
    assert summary["input_size"] == 512 and summary["iou_threshold"] == 0.5 and summary["val_images"] == 2
    assert DetectorConfig.from_dict(summary["config"]) == config
    assert json.loads(json.dumps(summary)) == summary  # plain JSON data


def test_torchrun_runs_add_world_size_and_global_batch() -> None:
    metrics, multi = _metrics()
    summary = training_summary([], metrics, multi, [512], DetectorConfig(), val_images=2, train_images=1,
                               train_minutes=0.0, world_size=4, global_batch=16)
    assert summary["best_epoch"] == 0 and summary["epochs_run"] == 0  # no epoch finished
    assert list(summary)[10:] == ["world_size", "global_batch", "config", "multi_scale"]
    assert (summary["world_size"], summary["global_batch"]) == (4, 16)


def test_curves_show_losses_and_validation_per_epoch(tmp_path: Path) -> None:
    fig = plot_history(HISTORY, tmp_path / "curves.png")
    loss, val = fig.axes
    assert [line.get_label() for line in loss.lines] == ["loss", "box", "obj"]
    assert [line.get_label() for line in val.lines] == ["precision", "recall", "hmean"]
    assert list(loss.lines[0].get_xdata()) == [1, 2, 3] and list(val.lines[2].get_ydata()) == [0.133, 0.646, 0.624]
    assert loss.get_yscale() == "log" and val.get_ylim() == (0.0, 1.0)
    assert (loss.get_title(), val.get_title()) == ("training loss", "validation (IoU >= 0.5)")
    assert read_image(tmp_path / "curves.png").shape == (400, 1100, 3)  # 11 x 4 inches at 100 dpi
    plt.close(fig)
    fig = plot_history(HISTORY)  # no path: drawn only
    assert len(fig.axes) == 2 and list(tmp_path.iterdir()) == [tmp_path / "curves.png"]
    plt.close(fig)
