"""``yolo_train`` never writes over another detector: ``check_detector_dir`` compares every checkpoint
already in ``<out_root>/<exp_name>`` with the run about to start (``DetectorConfig``: backbone, widths,
input size, anchors) and refuses, naming the folder and what differs, unless ``overwrite`` is set.
Resuming (or retraining) the same model in the same folder passes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from modules.detector.checkpoint import CheckpointError, load_checkpoint
from modules.detector.config import DetectorConfig
from modules.output_guard import dict_differences, guard_output_dir

CHECKPOINTS = ("last.pt", "best.pt")
OUTPUTS = (*CHECKPOINTS, "history.json", "metrics.json", "curves.png")  # what one yolo_train run writes


def checkpoint_differences(path: Path, config: DetectorConfig) -> list[str]:
    """What differs between the checkpoint at ``path`` and this run ([] when nothing does)."""
    try:
        saved = load_checkpoint(path)["config"]
    except CheckpointError as error:
        return [f"not a readable detector checkpoint ({str(error).splitlines()[0]})"]
    if saved == config:
        return []
    return [f"model config differs ({'; '.join(dict_differences(saved.to_dict(), config.to_dict()))})"]


def check_detector_dir(out_dir: str | Path, config: DetectorConfig, overwrite: bool = False,
                       log: Callable[[str], None] = print) -> str:
    """Check ``out_dir`` before training into it: ``"new"``, ``"same"`` (this model: resume or retrain) or
    ``"replaced"`` (``overwrite``: the other model's files were deleted). Raises
    ``modules.output_guard.OutputDirError`` naming the folder, the files and what differs otherwise."""
    out_dir = Path(out_dir)
    differences = {name: checkpoint_differences(out_dir / name, config)
                   for name in CHECKPOINTS if (out_dir / name).is_file()}
    return guard_output_dir(out_dir, differences, OUTPUTS, overwrite, "out_root / exp_name", log)
