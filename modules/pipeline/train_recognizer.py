"""Command line for ``05_train``'s training, for one process or many under ``torchrun``.

    python -m modules.pipeline.train_recognizer [--config PARAMS.json] [-p name=value ...]
    torchrun --standalone --nproc_per_node=N -m modules.pipeline.train_recognizer --config PARAMS.json
    torchrun --nnodes=M --nproc_per_node=N --rdzv_backend=c10d --rdzv_endpoint=HOST:PORT --rdzv_id=ID \\
        -m modules.pipeline.train_recognizer --config PARAMS.json        # the same line on every machine

The parameters are ``05_train``'s own (its ``parameters`` cell holds the defaults; the JSON and ``-p``
override them, and an undeclared name or a wrong type is an error), plus ``sync_bn`` and
``dist_timeout_min``. ``batch_size`` is the global batch: N processes take ``batch_size / N`` each.
Writes what the notebook writes into ``saved_model_dir`` (rank 0 only): ``best_accuracy.pth``,
``best_norm_ED.pth``, ``last.pth``, ``log_train.txt``, ``metrics.json``, ``curves.png``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from modules.distributed import DistContext, barrier, batch_sizes_line
from modules.recognizer.lmdb_dataset import LmdbDataset
from modules.recognizer.augment import Augmenter
from modules.recognizer.checkpoint import load_checkpoint, remap_for_charset
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.data import eval_batches, open_train_data
from modules.recognizer.distributed import DistributedTrainer
from modules.recognizer.fit import fit, plot_curves
from modules.model_size import count_parameters
from modules.recognizer.model import build_model
from modules.recognizer.output_guard import check_saved_model_dir
from modules.recognizer.resume import resume_or_restart
from modules.recognizer.train import OptimConfig, amp_dtype
from modules.text.charset import Charset
from modules.pipeline.inputs import require_finetune_source
from modules.pipeline.torchrun_cli import run_cli

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "05_train.ipynb"


def train_recognizer(p: dict[str, Any], context: DistContext, device: torch.device,
                     log: Callable[[str], None] = print, stop_at: int | None = None,
                     optim_changes: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """``05_train`` sections 1-5 with parameters ``p`` (all of the notebook's). Returns the history on
    rank 0, ``None`` on the others. ``stop_at`` ends the run at that iteration with the schedule of
    ``num_iter`` (training in chunks; ``resume`` continues it). ``optim_changes`` sets ``OptimConfig``
    fields the notebook does not declare (``eps``, ``beta1``, ``weight_decay``...). Raises ``FileExistsError`` when ``saved_model_dir/last.pth`` holds
    another model or charset (pick a new ``saved_model_dir``)."""
    say = log if context.is_main else (lambda text: None)
    torch.manual_seed(p["seed"])
    if p["num_threads"] > 0:
        torch.set_num_threads(p["num_threads"])
    charset = Charset.read(p["charset_path"])
    pre = Preprocess(img_h=p["img_h"], img_w=p["img_w"], rgb=p["rgb"], keep_ratio_pad=p["keep_ratio_pad"])
    say(f"{context.describe()}; device {device}, threads {torch.get_num_threads()}, "
        f"autocast {amp_dtype(device, p['amp']) or 'off (fp32)'}")
    train = open_train_data(
        p["train_root"], p["select_data"], p["batch_ratio"], p["batch_size"], pre, charset, p["batch_max_length"],
        augment=Augmenter(p=p["augment_p"]) if p["augment"] else None, cache=p["cache_images"], seed=p["seed"],
        skip_missing=p["skip_missing"], max_samples=p["max_train_samples"] or None, log=say,
    )
    say(train.summary())
    say(batch_sizes_line(sum(train.sizes), context))
    valid = None
    if context.is_main:
        valid = LmdbDataset(p["valid_data"], pre, charset, p["batch_max_length"], cache=True,
                            max_samples=p["max_val_samples"] or None)
        say(str(valid.report))
    config = ModelConfig(
        num_class=len(charset) + (1 if p["prediction"] == "CTC" else 2), transformation=p["transformation"],
        feature_extraction=p["feature_extraction"], sequence_modeling=p["sequence_modeling"],
        prediction=p["prediction"], input_channel=pre.channels, output_channel=p["output_channel"],
        hidden_size=p["hidden_size"], batch_norm=p["batch_norm"], img_h=p["img_h"], img_w=p["img_w"],
        batch_max_length=p["batch_max_length"], jamo_head=p["jamo_head"],
    )
    model = build_model(config, charset).to(device)
    if p["finetune_from"]:
        require_finetune_source(p["finetune_from"])
        report = remap_for_charset(load_checkpoint(p["finetune_from"]), model, charset)
        say(f"fine-tuning from {p['finetune_from']}: {report['shared_chars']} shared characters kept, "
            f"{report['new_chars']} new initialised, {report['dropped_chars']} dropped")
    optim = OptimConfig(optimizer=p["optimizer"], lr=p["lr"], grad_clip=p["grad_clip"], schedule=p["schedule"],
                        num_iter=p["num_iter"], **(optim_changes or {}))
    trainer = DistributedTrainer(model, charset, pre, optim, context, amp=p["amp"], sync_bn=p["sync_bn"])
    say(f"{config.stages}: {count_parameters(model) / 1e6:.2f} M parameters, {config.num_class} classes")
    out_dir = Path(p["saved_model_dir"])
    if context.is_main:  # a folder holding another model stops the run (unless overwrite), as in the notebook
        check_saved_model_dir(out_dir, config, charset, pre, overwrite=p["overwrite"], log=say)
    barrier(context)
    history = resume_or_restart(trainer, out_dir, p["resume"], log=say, clear_logs=context.is_main)
    batches = train.batches(trainer.iteration, p["num_workers"], context.rank, context.world_size)
    end = p["num_iter"] if stop_at is None else min(stop_at, p["num_iter"])
    history = fit(trainer, batches, lambda: eval_batches(valid), end, p["val_interval"], out_dir,
                  history=history, log=say, context=context)
    if not context.is_main:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.close(plot_curves(history, out_dir / "curves.png"))
    return history


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(argv, NOTEBOOK, train_recognizer, __doc__)


if __name__ == "__main__":
    sys.exit(main())
