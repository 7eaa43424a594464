"""Where a training run in ``saved_model_dir`` starts: from its ``last.pth`` (resume) or afresh.

``05_train`` and its torchrun entry point (``modules.pipeline.train_recognizer``) both call
``resume_or_restart`` after ``check_saved_model_dir`` has made sure the folder holds no other model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from modules.recognizer.checkpoint import load_checkpoint
from modules.recognizer.train import Trainer

# What ``fit`` appends to in ``out_dir``: a run that does not resume starts them anew.
RUN_LOGS = ("log_train.txt", "metrics.json")


def resume_or_restart(trainer: Trainer, out_dir: str | Path, resume: bool, log: Callable[[str], None] = print,
                      clear_logs: bool = True) -> dict[str, Any] | None:
    """Set ``trainer`` up to train into ``out_dir``; returns the history for ``fit`` to extend, or ``None``.

    - ``resume`` and ``out_dir/last.pth`` saved with optimizer state: ``trainer`` continues from it (weights,
      optimizer, scheduler, grad scaler, RNG and iteration; any number of processes may have saved it) and
      its training history is returned.
    - ``resume`` and a ``last.pth`` of this model without optimizer state: says so; the model trains afresh.
    - ``resume`` and no ``last.pth``: a new run, nothing is said or removed.
    - not ``resume``: ``log_train.txt`` and ``metrics.json`` of an earlier run are deleted (``clear_logs``;
      under torchrun only rank 0 passes it), so the new run's log and metrics hold only the new run.

    Raises ``FileExistsError`` when ``last.pth`` holds another model config or charset (the folder check
    before training stops that case earlier, naming the differences).
    """
    out = Path(out_dir)
    last = out / "last.pth"
    if not resume:
        if clear_logs:
            for name in RUN_LOGS:
                (out / name).unlink(missing_ok=True)
        return None
    if not last.exists():
        return None
    checkpoint = load_checkpoint(last)
    if checkpoint.config != trainer.model.config or checkpoint.charset != trainer.charset:
        raise FileExistsError(f"{last} holds another model or charset; set a new saved_model_dir to keep it")
    if checkpoint.optimizer is None:
        log(f"{last} has no optimizer state to resume from; training this model afresh")
        return None
    trainer.resume(checkpoint)
    log(f"resuming from {last} at iteration {trainer.iteration}")
    return checkpoint.extra.get("history")
