"""Training never writes over another model: the shared half of the recognizer's and the detector's
output-folder checks (``modules.recognizer.output_guard``, ``modules.detector.output_guard``).

Each model's check lists, per checkpoint file found in the folder, what differs from the run about to
start; ``guard_output_dir`` then refuses with a message naming the folder, the files and the
differences, or, when the user said ``overwrite``, deletes that other model's files first so the folder
never mixes two models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any


class OutputDirError(ValueError):
    """A training output folder holds another model; the message names the folder, files and differences."""


def dict_differences(saved: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """``"key: <saved> in the folder, <wanted> here"`` for every key whose values differ (a key missing on
    one side counts as ``None``), in key order."""
    def short(value: Any) -> str:  # anchor lists and the like: enough to see that they differ
        text = repr(value)
        return text if len(text) <= 60 else text[:56] + " ..."

    return [f"{key}: {short(saved.get(key))} in the folder, {short(wanted.get(key))} here"
            for key in sorted(set(saved) | set(wanted)) if saved.get(key) != wanted.get(key)]


def guard_output_dir(
    out_dir: str | Path,
    differences: Mapping[str, Sequence[str]],
    outputs: Sequence[str],
    overwrite: bool = False,
    folder_parameter: str = "the output folder",
    log: Callable[[str], None] = print,
) -> str:
    """Refuse to train into ``out_dir`` when a checkpoint there holds another model.

    ``differences``: checkpoint file name -> what differs from this run ([] when it is this run's model).
    Returns ``"new"`` (no checkpoint there), ``"same"`` (every checkpoint is this model: resuming or
    retraining it is fine) or ``"replaced"`` (``overwrite``: the files named in ``outputs`` were deleted).
    Raises ``OutputDirError`` otherwise, before anything is written.
    """
    out_dir = Path(out_dir)
    if not differences:
        return "new"
    other = {name: list(found) for name, found in differences.items() if found}
    if not other:
        return "same"
    by_text: dict[str, list[str]] = {}
    for name, found in sorted(other.items()):
        by_text.setdefault("; ".join(found), []).append(name)
    detail = "\n".join(f"  {', '.join(names)}: {text}" for text, names in by_text.items())
    if not overwrite:
        raise OutputDirError(
            f"{out_dir} holds another model, so this run would overwrite it:\n{detail}\n"
            f"Nothing was written. Choose another {folder_parameter} to keep that model, or set "
            f"overwrite=True to delete it and train here."
        )
    deleted = [name for name in outputs if (out_dir / name).is_file()]
    for name in deleted:
        (out_dir / name).unlink()
    log(f"overwrite=True: {out_dir} held another model:\n{detail}\ndeleted its files: {', '.join(deleted)}")
    return "replaced"
