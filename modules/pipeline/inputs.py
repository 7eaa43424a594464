"""A notebook run on its own checks its inputs first and names the notebook that makes each one."""

from __future__ import annotations

from pathlib import Path


def require_inputs(needed: dict[str, str]) -> None:
    """Raise ``FileNotFoundError`` naming every path of ``needed`` (path -> the notebook that writes it)
    that does not exist, and the notebooks to run first; nothing when all exist. Empty paths are
    optional inputs and are not checked."""
    missing = {path: step for path, step in needed.items() if path and not Path(path).exists()}
    if missing:
        steps = list(dict.fromkeys(missing.values()))
        listed = "; ".join(f"{path} (written by {step})" for path, step in missing.items())
        raise FileNotFoundError(f"missing input: {listed}. Run {', then '.join(steps)} first, "
                                "or the whole chain with `python run_all.py`.")
