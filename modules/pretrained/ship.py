"""Write a pretraining run's checkpoints as the shipped models (``modules.shipped``'s layout)."""

from __future__ import annotations

import os
from pathlib import Path

import torch

from modules.checkpoint import save_payload
from modules.shipped import FILES, compact_payload


def write_compact(source: str | os.PathLike[str], target: str | os.PathLike[str], kind: str) -> Path:
    """Check ``source`` with its kind's loader, then write its compact form (``compact_payload``) to ``target``."""
    if kind == "detector":
        from modules.detector.checkpoint import load_checkpoint as check
    elif kind == "recognizer":
        from modules.recognizer.checkpoint import load_checkpoint as check
    else:
        raise ValueError(f"unknown model kind {kind!r}; valid: {', '.join(FILES)}")
    check(source)  # raises CheckpointError naming the file
    payload = torch.load(source, map_location="cpu", weights_only=True)
    return save_payload(target, compact_payload(payload))
