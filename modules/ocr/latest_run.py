"""Find the detector and recognizer checkpoints written by the latest ``run_all.py`` run.

``run_all.py`` leaves ``runs/<run id>/summary.json``::

    {"steps": [{"name": "05_train", "status": "ok", "seconds": 12.3,
                "artifacts": {"saved_model_dir": {"path": "saved_models/x", "exists": true}}}, ...]}

Runs are taken newest first (by the summary's modification time). The recognizer is the first
``best_accuracy.pth`` (else ``best_norm_ED.pth``, ``last.pth``, any ``.pth``) named by, or found inside,
an artifact of a successful step (a folder artifact is searched down to its newest sub-folder holding
one); the detector likewise with ``best.pt`` (else ``last.pt``, any ``.pt``).
A run that trained only one of the two (e.g. ``--only yolo_train``) supplies that one; the other comes
from the newest older run that has it. When no summary names one, the newest such file under
``fallback_dir`` (``saved_models/``) is used (the folder written last; ``best`` before ``last`` in it),
with ``run`` set to ``"(newest in saved_models)"``.
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


def _newest_preferred(files: list[Path], names: tuple[str, ...]) -> Path | None:
    """Among checkpoint files, the folder written last, and in it the preferred name (best before last)."""
    if not files:
        return None
    folder = max({f.parent for f in files}, key=lambda d: max(f.stat().st_mtime for f in files if f.parent == d))
    mine = [f for f in files if f.parent == folder]
    return min(mine, key=lambda f: (names.index(f.name) if f.name in names else len(names), f.name))


def _pick(path: Path, names: tuple[str, ...], suffix: str) -> Path | None:
    """``path`` itself if it is a checkpoint file of ``suffix``; for a folder, the preferred file in it,
    else in its newest sub-folder holding one (e.g. ``out_root`` -> ``out_root/<exp>/best.pt``)."""
    if path.is_file():
        return path if path.suffix == suffix else None
    if not path.is_dir():
        return None
    for name in names:
        if (path / name).is_file():
            return path / name
    return _newest_preferred(sorted(path.rglob(f"*{suffix}")), names)


def _artifact_paths(step: dict) -> list[str]:
    paths = []
    for value in (step.get("artifacts") or {}).values():
        if isinstance(value, dict) and isinstance(value.get("path"), str):
            paths.append(value["path"])
        elif isinstance(value, str):
            paths.append(value)
    return paths


def find_latest_checkpoints(
    runs_dir: str | os.PathLike[str] = "runs",
    root: str | os.PathLike[str] = ".",
    fallback_dir: str | os.PathLike[str] | None = "saved_models",
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
            for raw in _artifact_paths(step):
                path = Path(raw) if Path(raw).is_absolute() else root / raw
                for kind, (names, suffix) in wanted.items():
                    if found[kind] is None:
                        pick = _pick(path, names, suffix)
                        if pick is not None:
                            found[kind] = RunCheckpoint(pick, summary.parent.name, str(step.get("name", "?")))
        if all(found.values()):
            break
    if fallback_dir is not None and Path(root, fallback_dir).is_dir():
        for kind, (names, _) in wanted.items():
            if found[kind] is None:
                newest = _newest_preferred([p for n in names for p in Path(root, fallback_dir).rglob(n)], names)
                if newest is not None:
                    found[kind] = RunCheckpoint(newest, f"(newest in {fallback_dir})", "-")
    return found
