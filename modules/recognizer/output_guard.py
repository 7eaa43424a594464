"""``05_train`` never writes over another recognizer: ``check_saved_model_dir`` compares every
checkpoint already in ``saved_model_dir`` with the run about to start (model config, charset,
preprocessing) and refuses, naming the folder and what differs, unless ``overwrite`` is set.
Resuming (or retraining) the same model in the same folder passes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from modules.output_guard import OutputDirError, dict_differences, guard_output_dir
from modules.recognizer.checkpoint import CheckpointError, load_checkpoint
from modules.recognizer.config import ModelConfig, Preprocess
from modules.text.charset import Charset

CHECKPOINTS = ("last.pth", "best_accuracy.pth", "best_norm_ED.pth")
OUTPUTS = (*CHECKPOINTS, "log_train.txt", "metrics.json", "curves.png")  # what one run writes (fit.py)


def charset_difference(saved: Charset, wanted: Charset, examples: int = 5) -> str:
    """"" when equal; else how the folder's charset differs from this run's (counts, a few examples)."""
    if saved == wanted:
        return ""
    if len(saved) == len(wanted) and set(saved.chars) == set(wanted.chars):
        return f"charset differs (the same {len(saved)} characters in another order: other class ids)"
    saved_set, wanted_set = set(saved.chars), set(wanted.chars)
    added = [c for c in wanted.chars if c not in saved_set]
    removed = [c for c in saved.chars if c not in wanted_set]

    def some(chars: list[str]) -> str:
        return ", ".join(repr(c) for c in chars[:examples]) + (", ..." if len(chars) > examples else "")

    parts = [f"{len(saved)} characters in the folder, {len(wanted)} here"]
    if added:
        parts.append(f"{len(added)} new here ({some(added)})")
    if removed:
        parts.append(f"{len(removed)} only in the folder ({some(removed)})")
    return f"charset differs ({'; '.join(parts)})"


def checkpoint_differences(path: Path, config: ModelConfig, charset: Charset, preprocess: Preprocess) -> list[str]:
    """What differs between the checkpoint at ``path`` and this run ([] when nothing does)."""
    try:
        saved = load_checkpoint(path)
    except CheckpointError as error:
        return [f"not a readable recognizer checkpoint ({str(error).splitlines()[0]})"]
    found = []
    if saved.config != config:
        found.append(f"model config differs ({'; '.join(dict_differences(saved.config.to_dict(), config.to_dict()))})")
    charset_text = charset_difference(saved.charset, charset)
    if charset_text:
        found.append(charset_text)
    if saved.preprocess != preprocess:
        found.append("preprocessing differs "
                     f"({'; '.join(dict_differences(saved.preprocess.to_dict(), preprocess.to_dict()))})")
    return found


def check_saved_model_dir(
    out_dir: str | Path,
    config: ModelConfig,
    charset: Charset,
    preprocess: Preprocess,
    overwrite: bool = False,
    finetune_from: str | Path = "",
    log: Callable[[str], None] = print,
) -> str:
    """Check ``out_dir`` before training into it: ``"new"`` (no checkpoint there), ``"same"`` (this model:
    resume or retrain), ``"replaced"`` (``overwrite``: the other model's files were deleted). Raises
    ``modules.output_guard.OutputDirError`` naming the folder, the files and what differs otherwise, and
    when ``overwrite`` would delete the ``finetune_from`` checkpoint this run starts from."""
    out_dir = Path(out_dir)
    differences = {name: checkpoint_differences(out_dir / name, config, charset, preprocess)
                   for name in CHECKPOINTS if (out_dir / name).is_file()}
    source = Path(finetune_from) if finetune_from else None
    if (overwrite and source is not None and any(differences.values()) and source.name in OUTPUTS
            and source.resolve().parent == out_dir.resolve()):
        raise OutputDirError(f"finetune_from {source} lies in saved_model_dir {out_dir}, whose other model "
                             "overwrite=True would delete: copy it elsewhere first, or choose another saved_model_dir")
    return guard_output_dir(out_dir, differences, OUTPUTS, overwrite, "saved_model_dir", log)
