"""Safe detector checkpoints: a dict of tensors and plain data, loaded with ``weights_only=True``.

Keys: ``format`` ("kocr-detector"), ``version``, ``config`` (``DetectorConfig.to_dict()``: backbone,
width, anchors, input size...), ``model`` (state_dict), ``epoch``, ``metrics``; resumable checkpoints add
``optimizer``, ``scheduler``, ``rng`` and ``history``.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from modules.detector.config import DetectorConfig

FORMAT, VERSION = "kocr-detector", 1


class CheckpointError(ValueError):
    """A checkpoint file is missing, corrupt or not a detector checkpoint; the message names the file."""


def rng_state() -> dict[str, Any]:
    """torch / numpy / python RNG states as tensors and plain lists (loadable with weights_only)."""
    np_state = np.random.get_state()
    py_state = random.getstate()
    return {"torch": torch.get_rng_state(),
            "numpy": [np_state[0], np_state[1].tolist(), *map(int, np_state[2:4]), float(np_state[4])],
            "python": [py_state[0], list(py_state[1]), py_state[2]]}


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    name, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, gauss))
    version, internal, gauss_next = state["python"]
    random.setstate((version, tuple(internal), gauss_next))


def cpu_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """``module``'s state_dict detached and on the CPU, as checkpoints store weights."""
    return {k: v.detach().cpu() for k, v in module.state_dict().items()}


def save_checkpoint(path: str | os.PathLike[str], model: torch.nn.Module, config: DetectorConfig, epoch: int,
                    metrics: dict[str, float] | None = None, **extra: Any) -> None:
    """Write atomically (temporary file + rename). ``extra`` adds optimizer / scheduler / rng / history."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": FORMAT, "version": VERSION, "config": config.to_dict(),
               "model": cpu_state(model),
               "epoch": int(epoch), "metrics": dict(metrics or {}), **extra}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str | os.PathLike[str], map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load and validate a checkpoint; raises ``CheckpointError`` naming the file on any problem."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        data = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:  # torch raises pickle / zip / runtime errors for damaged files
        raise CheckpointError(f"{path}: corrupt or unsafe checkpoint ({type(error).__name__}: {error})") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a kocr detector checkpoint")
    if data.get("version") != VERSION:
        raise CheckpointError(f"{path}: checkpoint version {data.get('version')}, this code reads {VERSION}")
    for key in ("config", "model", "epoch"):
        if key not in data:
            raise CheckpointError(f"{path}: missing {key!r}")
    try:
        data["config"] = DetectorConfig.from_dict(dict(data["config"]))
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"{path}: bad config ({error})") from error
    return data
