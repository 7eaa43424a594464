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


def require_finetune_source(path: str) -> None:
    """Check the checkpoint a training starts from (``finetune_from``; "" trains from scratch): it must
    exist, and a shipped model (in ``models/pretrained/``) must match its checksum. Raises
    ``FileNotFoundError`` / ``ShippedModelError`` saying how to get it back or train from scratch."""
    from modules.shipped import PRETRAINED_DIR, verify

    if not path:
        return
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"finetune_from {path}: no such file. The shipped models come with the repository "
                                f"({PRETRAINED_DIR}; `git checkout models/pretrained` restores them); "
                                "finetune_from='' trains from scratch.")
    if source.resolve().parent == PRETRAINED_DIR.resolve():
        verify(PRETRAINED_DIR)
