"""Safe recognizer checkpoints: tensors + plain Python data only, loaded with ``weights_only=True``.

Loading, saving, the error type and the RNG states are ``modules.checkpoint``'s, shared with the detector.

Layout (``format`` = ``kocr-recognizer``, ``version`` = 1)::

    model        state_dict (tensors)
    config       ModelConfig.to_dict()
    charset      list[str], the class order
    preprocess   Preprocess.to_dict()
    iteration    int (optimizer steps done)
    optimizer / scheduler / scaler   state dicts or None (last checkpoint only)
    rng          modules.checkpoint.rng_state() (torch, cuda, numpy, python)
    extra        dict of plain data (best scores, training options)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from modules.checkpoint import CheckpointError, cpu_state, load_payload, rng_state, save_payload
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.model import RecognitionModel, build_model
from modules.text.charset import Charset

FORMAT = "kocr-recognizer"
VERSION = 1


@dataclass
class Checkpoint:
    """A loaded checkpoint (see the module docstring)."""

    model_state: dict[str, torch.Tensor]
    config: ModelConfig
    charset: Charset
    preprocess: Preprocess
    iteration: int = 0
    optimizer: dict[str, Any] | None = None
    scheduler: dict[str, Any] | None = None
    scaler: dict[str, Any] | None = None
    rng: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def build_model(self, device: torch.device | str | None = None) -> RecognitionModel:
        """A model with these weights, in eval mode, on ``device`` (default CPU)."""
        model = build_model(self.config, self.charset)
        model.load_state_dict(self.model_state)
        return model.to(device or "cpu").eval()


def save_checkpoint(
    path: str | os.PathLike[str],
    model: RecognitionModel,
    charset: Charset,
    preprocess: Preprocess,
    iteration: int = 0,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: Any | None = None,
    scaler: Any | None = None,
    extra: dict[str, Any] | None = None,
    with_rng: bool = False,
) -> Path:
    """Write a checkpoint atomically (temporary file + rename). Returns the path."""
    if len(charset) + model.config.special_tokens != model.config.num_class:
        raise ValueError(f"charset of {len(charset)} characters does not match num_class={model.config.num_class}")
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "model": cpu_state(model),
        "config": model.config.to_dict(),
        "charset": list(charset.chars),
        "preprocess": preprocess.to_dict(),
        "iteration": int(iteration),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "scaler": scaler.state_dict() if scaler is not None and scaler.is_enabled() else None,
        "rng": rng_state() if with_rng else None,
        "extra": dict(extra or {}),
    }
    return save_payload(path, payload)


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Load a checkpoint safely; raises ``CheckpointError`` naming the file for anything else."""
    payload = load_payload(path, FORMAT, VERSION, "recognizer")
    try:
        config = ModelConfig.from_dict(payload["config"])
        charset = Charset(tuple(payload["charset"]))
        preprocess = Preprocess.from_dict(payload["preprocess"])
        state = payload["model"]
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"{path}: incomplete checkpoint: {error}") from error
    return Checkpoint(
        model_state=state,
        config=config,
        charset=charset,
        preprocess=preprocess,
        iteration=int(payload.get("iteration", 0)),
        optimizer=payload.get("optimizer"),
        scheduler=payload.get("scheduler"),
        scaler=payload.get("scaler"),
        rng=payload.get("rng"),
        extra=payload.get("extra") or {},
    )


def remap_for_charset(
    checkpoint: Checkpoint, model: RecognitionModel, new_charset: Charset
) -> dict[str, Any]:
    """Load ``checkpoint`` weights into ``model`` (built for ``new_charset``) for fine-tuning.

    Every tensor whose shape matches is copied. Class-indexed tensors (the output layer and, for Attn,
    the one-hot columns of the decoder LSTM's input weights) are copied row by row for the characters
    the two charsets share and for the special tokens; rows of new characters keep ``model``'s fresh
    initialisation. With a jamo head (``ModelConfig.jamo_head``) the jamo rows are shared by all syllables
    and copied as they are, so a new syllable starts with the logits of its jamo; from a checkpoint without
    them they start at zero (the model then computes the checkpoint's logits). Returns a report: shared /
    new / dropped character counts and copied / zeroed tensor names.
    """
    old, new = checkpoint.charset, new_charset
    cfg_old, cfg_new = checkpoint.config, model.config
    if (cfg_old.stages, cfg_old.output_channel, cfg_old.hidden_size, cfg_old.input_channel) != (
        cfg_new.stages, cfg_new.output_channel, cfg_new.hidden_size, cfg_new.input_channel
    ):
        raise ValueError(f"cannot fine-tune {cfg_old.stages} into {cfg_new.stages} with different sizes")
    offset = cfg_new.special_tokens
    shared = [c for c in new.chars if c in old.index]
    new_ids = list(range(offset)) + [new.index[c] + offset for c in shared]
    old_ids = list(range(offset)) + [old.index[c] + offset for c in shared]
    target = model.state_dict()
    remapped, copied, skipped = [], [], []
    in_size = model.sequence_modeling.out_dim
    with torch.no_grad():
        for name, tensor in checkpoint.model_state.items():
            if name not in target:
                skipped.append(name)
                continue
            dst = target[name]
            tensor = tensor.to(dst.dtype)  # half-precision weights (the shipped models) come back as float32
            if name.startswith("prediction.") and name.endswith(("generator.weight", "generator.bias")):
                dst[new_ids] = tensor[old_ids]
                remapped.append(name)
            elif name == "prediction.cell.rnn.weight_ih":
                dst[:, :in_size] = tensor[:, :in_size]
                dst[:, [in_size + i for i in new_ids]] = tensor[:, [in_size + i for i in old_ids]]
                remapped.append(name)
            elif dst.shape == tensor.shape:
                dst.copy_(tensor)
                copied.append(name)
            else:
                skipped.append(name)
    fresh_jamo = [name for name in target if ".jamo." in name and name not in checkpoint.model_state]
    with torch.no_grad():
        for name in fresh_jamo:  # a plain checkpoint into a jamo head: start from the checkpoint's own logits
            target[name].zero_()
    model.load_state_dict(target)
    return {
        "shared_chars": len(shared),
        "new_chars": len(new) - len(shared),
        "dropped_chars": len([c for c in old.chars if c not in new.index]),
        "remapped": remapped,
        "copied": len(copied),
        "skipped": skipped,
        "zeroed": fresh_jamo,
    }
