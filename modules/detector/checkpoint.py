"""Safe detector checkpoints: a dict of tensors and plain data, loaded with ``weights_only=True``.

Keys: ``format`` ("kocr-detector"), ``version``, ``config`` (``DetectorConfig.to_dict()``: backbone,
width, anchors, input size...), ``detect`` (``DetectConfig.to_dict()``: the post-processing settings the
model was validated with, which ``Detector.from_checkpoint`` runs it with), ``model`` (state_dict),
``epoch``, ``metrics``; resumable checkpoints add ``optimizer``, ``scheduler``, ``rng``
(``modules.checkpoint.rng_state``) and ``history``. A checkpoint written before ``detect`` was saved
loads with ``DetectConfig()``.
"""

from __future__ import annotations

import os
from typing import Any

import torch

from modules.checkpoint import CheckpointError, cpu_state, load_payload, save_payload
from modules.detector.config import DetectConfig, DetectorConfig

FORMAT, VERSION = "kocr-detector", 1


def save_checkpoint(path: str | os.PathLike[str], model: torch.nn.Module, config: DetectorConfig, epoch: int,
                    metrics: dict[str, float] | None = None, detect: DetectConfig | None = None,
                    **extra: Any) -> None:
    """Write atomically (temporary file + rename). ``detect`` (default ``DetectConfig()``) is saved with the
    weights; ``extra`` adds optimizer / scheduler / rng / history."""
    payload = {"format": FORMAT, "version": VERSION, "config": config.to_dict(),
               "detect": (detect or DetectConfig()).to_dict(),
               "model": cpu_state(model),
               "epoch": int(epoch), "metrics": dict(metrics or {}), **extra}
    save_payload(path, payload)


def load_checkpoint(path: str | os.PathLike[str], map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load and validate a checkpoint (``modules.checkpoint.load_payload``); raises ``CheckpointError``
    naming the file on any problem."""
    data = load_payload(path, FORMAT, VERSION, "detector", map_location,
                        unreadable="corrupt or unsafe checkpoint ({error})")
    for key in ("config", "model", "epoch"):
        if key not in data:
            raise CheckpointError(f"{path}: missing {key!r}")
    try:
        data["config"] = DetectorConfig.from_dict(dict(data["config"]))
        data["detect"] = DetectConfig.from_dict(dict(data.get("detect") or {}))
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"{path}: bad config ({error})") from error
    return data
