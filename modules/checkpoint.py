"""What both models' checkpoints share: safe loading (``weights_only``), atomic saving, the error type and
the RNG states a resumable checkpoint carries. ``modules.recognizer.checkpoint`` and
``modules.detector.checkpoint`` add their own layout (format marker, config, charset...).

A checkpoint is a file users download from strangers, so loading never runs pickled code: anything that
is not a tensor / number / string / list / dict is refused by ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import io
import os
import pickle
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from modules.imageio import write_bytes_atomic


class CheckpointError(ValueError):
    """A file is not a usable checkpoint of the expected kind; the message names the file and the reason."""


def rng_state() -> dict[str, Any]:
    """torch CPU (+ CUDA), numpy and python global RNG states as tensors and plain lists (loadable with
    ``weights_only``)."""
    np_state = np.random.get_state()
    py_state = random.getstate()
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": [np_state[0], np_state[1].tolist(), *map(int, np_state[2:4]), float(np_state[4])],
        "python": [py_state[0], list(py_state[1]), py_state[2]],
    }
    if torch.cuda.is_available():
        state["cuda"] = list(torch.cuda.get_rng_state_all())
    return state


def set_rng_state(state: dict[str, Any] | None) -> None:
    """Restore what ``rng_state`` saved (the parts present; None does nothing)."""
    if not state:
        return
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    if "numpy" in state:
        name, keys, pos, has_gauss, gauss = state["numpy"]
        np.random.set_state((name, np.array(keys, dtype=np.uint32), pos, has_gauss, gauss))
    if "python" in state:
        version, internal, gauss_next = state["python"]
        random.setstate((version, tuple(internal), gauss_next))


def cpu_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """``module``'s state_dict detached and on the CPU, as checkpoints store weights."""
    return {k: v.detach().cpu() for k, v in module.state_dict().items()}


def save_payload(path: str | os.PathLike[str], payload: dict[str, Any]) -> Path:
    """``torch.save`` ``payload`` atomically (temporary file + rename); returns the path."""
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    path = Path(path)
    write_bytes_atomic(path, buffer.getvalue())
    return path


UNREADABLE = "not a readable checkpoint (corrupt or truncated?): {error}"


def load_payload(path: str | os.PathLike[str], fmt: str, version: int, kind: str,
                 map_location: str | torch.device = "cpu", unreadable: str = UNREADABLE) -> dict[str, Any]:
    """Load a checkpoint dict safely and check its ``format`` marker (``fmt``) and ``version``; raises
    ``CheckpointError`` naming the file for a missing, corrupt, unsafe or foreign file. ``kind`` names the
    model in messages ("recognizer", "detector"); ``unreadable`` is the message, after the path, for a file
    torch cannot read at all, ``{error}`` standing for the exception's type and text (each model keeps the
    wording its command-line tools and output checks print)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        raise CheckpointError(
            f"{path}: refused: unsafe or corrupt checkpoint (pickled objects other than tensors and plain data, "
            f"which could run code when loaded); only kocr {kind} checkpoints are accepted ({error})"
        ) from error
    except Exception as error:  # noqa: BLE001 - garbage bytes raise many types (IndexError, KeyError, ...)
        detail = unreadable.format(error=f"{type(error).__name__}: {error}")
        raise CheckpointError(f"{path}: {detail}") from error
    if not isinstance(payload, dict) or payload.get("format") != fmt:
        raise CheckpointError(f"{path}: not a kocr {kind} checkpoint (no format={fmt!r} marker)")
    if payload.get("version") != version:
        raise CheckpointError(f"{path}: unsupported checkpoint version {payload.get('version')!r}, "
                              f"this code reads {version}")
    return payload
