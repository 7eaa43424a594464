"""Find the detector and recognizer checkpoints written by the latest ``run_all.py`` run.

``run_all.py`` leaves ``runs/<run id>/summary.json``::

    {"steps": [{"name": "05_train", "status": "ok", "seconds": 12.3, "settings": {...},
                "artifacts": {"saved_model_dir": {"path": "saved_models/x", "exists": true}}}, ...]}

Runs are taken newest first (by the summary's modification time). Only the paths a summary recorded
count, never a stray newer file: the recognizer is ``best_accuracy.pth`` (else ``best_norm_ED.pth``,
``last.pth``) in, or named by, an artifact of a successful step; the detector likewise ``best.pt`` (else
``last.pt``), an ``out_root`` artifact (yolo_train) being looked in at ``out_root/<exp_name>`` only
(``exp_name`` from the step's ``settings``, or its ``parameters`` in older summaries). A run that trained only one of the two (e.g. ``--only yolo_train``) supplies
that one; the other comes from the newest older run that has it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

RECOGNIZER_NAMES = ("best_accuracy.pth", "best_norm_ED.pth", "last.pth")
DETECTOR_NAMES = ("best.pt", "last.pt")


@dataclass(frozen=True)
class RunCheckpoint:
    """A checkpoint file and the run (``runs/<id>``) and step that produced it."""

    path: Path
    run: str
    step: str

    def __str__(self) -> str:
        return f"{self.path} (run {self.run}, step {self.step})"


def _pick(path: Path, names: tuple[str, ...], suffix: str) -> Path | None:
    """``path`` itself if it is a checkpoint file of ``suffix``; for a folder, the preferred file in it."""
    if path.is_file():
        return path if path.suffix == suffix else None
    return next((path / name for name in names if (path / name).is_file()), None)


def artifact_paths(step: dict) -> list[str]:
    """The step's artifact paths; an ``out_root`` artifact becomes ``out_root/<exp_name>`` (the folder the
    step wrote, not whichever experiment in it is newest)."""
    settings = step.get("settings") or step.get("parameters") or {}
    paths = []
    for key, value in (step.get("artifacts") or {}).items():
        path = value.get("path") if isinstance(value, dict) else value
        if not isinstance(path, str):
            continue
        if key == "out_root" and isinstance(settings.get("exp_name"), str):
            path = f"{path}/{settings['exp_name']}"
        paths.append(path)
    return paths


def find_latest_checkpoints(
    runs_dir: str | os.PathLike[str] = "runs",
    root: str | os.PathLike[str] = ".",
) -> dict[str, RunCheckpoint | None]:
    """Return ``{"detector": RunCheckpoint | None, "recognizer": RunCheckpoint | None}``.

    Artifact paths in summaries are relative to ``root`` (the repository root run_all.py runs in).
    Unreadable summaries are skipped.
    """
    root = Path(root)
    summaries = sorted(Path(root, runs_dir).glob("*/summary.json"), key=lambda p: (p.stat().st_mtime, p.parent.name))
    found: dict[str, RunCheckpoint | None] = {"detector": None, "recognizer": None}
    wanted = {"detector": (DETECTOR_NAMES, ".pt"), "recognizer": (RECOGNIZER_NAMES, ".pth")}
    for summary in reversed(summaries):
        try:
            steps = json.loads(summary.read_text(encoding="utf-8")).get("steps", [])
        except (OSError, ValueError, AttributeError):
            continue
        for step in steps:
            if not isinstance(step, dict) or step.get("status") != "ok":
                continue
            for raw in artifact_paths(step):
                path = Path(raw) if Path(raw).is_absolute() else root / raw
                for kind, (names, suffix) in wanted.items():
                    if found[kind] is None:
                        pick = _pick(path, names, suffix)
                        if pick is not None:
                            found[kind] = RunCheckpoint(pick, summary.parent.name, str(step.get("name", "?")))
        if all(found.values()):
            break
    return found
