"""Start a detector from a trained one (``yolo_train``'s ``finetune_from``): the shipped or any checkpoint."""

from __future__ import annotations

import os
from dataclasses import replace

import torch

from modules.checkpoint import CheckpointError
from modules.detector.checkpoint import load_checkpoint
from modules.detector.config import DetectorConfig

ARCHITECTURE = ("backbone", "width_mult", "head_width", "num_classes")


def finetune_config(path: str | os.PathLike[str], config: DetectorConfig) -> tuple[DetectorConfig, dict[str, torch.Tensor]]:
    """The config to train with and the weights to start from, read from checkpoint ``path``.

    The architecture (``ARCHITECTURE`` fields) must equal ``config``'s, else ``CheckpointError`` says which
    field differs. The checkpoint's anchors replace ``config``'s: its head learned to predict offsets from
    them, and new k-means anchors would shift every box it learned. ``input_size`` stays ``config``'s.
    Weights stored in half precision (the shipped models) come back as float32.
    """
    data = load_checkpoint(path)
    theirs: DetectorConfig = data["config"]
    differ = [f"{name}: {getattr(theirs, name)} in the checkpoint, {getattr(config, name)} here"
              for name in ARCHITECTURE if getattr(theirs, name) != getattr(config, name)]
    if differ:
        raise CheckpointError(f"{path}: cannot fine-tune from a detector of another architecture ({'; '.join(differ)})")
    weights = {k: v.float() if v.is_floating_point() else v for k, v in data["model"].items()}
    return replace(config, anchors=theirs.anchors), weights
