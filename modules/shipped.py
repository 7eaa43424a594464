"""Shipped model files: half-precision weights in the checkpoints' own formats, with SHA-256 checksums.

``models/pretrained/`` holds::

    detector.pt      a kocr-detector checkpoint: config, DetectConfig, weights (float16), metrics
    recognizer.pth   a kocr-recognizer checkpoint: config, charset, preprocessing, weights (float16)
    model_card.md / model_card.json   how they were made and what they read (``card``)
    SHA256SUMS       ``<sha256>  <file>`` per file above (``sha256sum -c`` reads it)

Both load with the usual loaders (``weights_only=True``); ``load_state_dict`` casts the weights back to
float32. ``python -m modules.pretrained`` writes them (``modules.pretrained.ship``); nothing is read at import time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from modules.checkpoint import CheckpointError
from modules.imageio import write_bytes_atomic

PRETRAINED_DIR = Path(__file__).resolve().parents[1] / "models" / "pretrained"
FILES = {"detector": "detector.pt", "recognizer": "recognizer.pth"}
CARD_FILES = ("model_card.md", "model_card.json")
SUMS = "SHA256SUMS"
DROPPED_KEYS = ("optimizer", "scheduler", "scaler", "rng", "history")  # resuming state: not shipped


class ShippedModelError(CheckpointError):
    """A shipped model file is missing or does not match its checksum."""


def sha256(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def compact_payload(payload: dict) -> dict:
    """``payload`` (a loaded checkpoint dict) without resuming state and with float weights in float16."""
    out = {k: v for k, v in payload.items() if k not in DROPPED_KEYS}
    out["model"] = {k: v.half() if v.is_floating_point() else v for k, v in payload["model"].items()}
    return out


def write_sums(folder: str | os.PathLike[str]) -> Path:
    """Write ``SHA256SUMS`` for the model and card files present in ``folder``."""
    folder = Path(folder)
    names = [n for n in (*FILES.values(), *CARD_FILES) if (folder / n).is_file()]
    text = "".join(f"{sha256(folder / n)}  {n}\n" for n in names)
    write_bytes_atomic(folder / SUMS, text.encode("ascii"))
    return folder / SUMS


def verify(folder: str | os.PathLike[str] = PRETRAINED_DIR) -> dict[str, str]:
    """``{file: sha256}`` of ``folder``'s files after checking each against ``SHA256SUMS``; raises
    ``ShippedModelError`` naming a missing or altered file (or a missing ``SHA256SUMS``)."""
    folder = Path(folder)
    sums = folder / SUMS
    if not sums.is_file():
        raise ShippedModelError(f"{sums}: missing; the shipped models cannot be checked")
    expected = {}
    for line in sums.read_text(encoding="ascii").splitlines():
        digest, _, name = line.partition("  ")
        if digest and name:
            expected[name.strip()] = digest.strip()
    for name in FILES.values():
        if name not in expected:
            raise ShippedModelError(f"{sums}: lists no checksum for {name}")
    for name, digest in expected.items():
        path = folder / name
        if not path.is_file():
            raise ShippedModelError(f"{path}: missing (listed in {sums})")
        actual = sha256(path)
        if actual != digest:
            raise ShippedModelError(f"{path}: checksum {actual[:12]}... does not match {SUMS} ({digest[:12]}...): "
                                    "altered or truncated (a git-lfs pointer?); restore it with git checkout")
    return expected


def shipped_checkpoints(folder: str | os.PathLike[str] = PRETRAINED_DIR) -> dict[str, Path]:
    """``{"detector": path, "recognizer": path}`` of the shipped models, after ``verify``."""
    verify(folder)
    return {kind: Path(folder) / name for kind, name in FILES.items()}
