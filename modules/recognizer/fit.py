"""The training loop: iterate, validate every ``val_interval``, log, keep best / last checkpoints.

Writes into ``out_dir``: ``best_accuracy.pth``, ``best_norm_ED.pth``, ``last.pth`` (with optimizer,
scheduler, iteration and RNG state for resuming), ``log_train.txt`` and ``metrics.json`` (history).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import torch
from tqdm.auto import tqdm

from modules.distributed import SINGLE, DistContext
from modules.imageio import write_bytes_atomic
from modules.recognizer.train import CTC_BLANK_NOTE, Trainer


def fit(
    trainer: Trainer,
    batches: Iterator[tuple[torch.Tensor, list[str]]],
    val_batches: Callable[[], Iterable[tuple[torch.Tensor, list[str]]]],
    num_iter: int,
    val_interval: int,
    out_dir: str | Path,
    show_rows: int = 5,
    history: dict[str, Any] | None = None,
    log: Callable[[str], None] = print,
    context: DistContext = SINGLE,
) -> dict[str, Any]:
    """Train until ``trainer.iteration == num_iter``; ``batches`` must continue at ``trainer.iteration``.

    Under ``torchrun`` (``context.enabled``) every process steps through the loop, and only rank 0
    validates, writes checkpoints, ``log_train.txt`` and ``metrics.json`` and shows the progress bar; the
    others wait for it in the next step's gradient exchange.

    Returns the history: ``{"train": [(it, loss)], "val": [{iteration, loss, accuracy, norm_ed, ...}],
    "best_accuracy", "best_norm_ed"}`` (also saved to ``metrics.json``).
    """
    out = Path(out_dir)
    main = context.is_main
    if main:
        out.mkdir(parents=True, exist_ok=True)
    history = history or {"train": [], "val": [], "best_accuracy": -1.0, "best_norm_ed": -1.0}
    log_file = (out / "log_train.txt").open("a", encoding="utf-8") if main else None

    def say(text: str) -> None:
        if log_file is None:
            return
        log(text)
        log_file.write(text + "\n")
        log_file.flush()

    is_ctc = trainer.model.config.prediction == "CTC"
    if is_ctc and trainer.iteration == 0:
        say(CTC_BLANK_NOTE)
    start, running, count = time.perf_counter(), 0.0, 0
    bar = tqdm(total=num_iter, initial=trainer.iteration, desc="train", dynamic_ncols=True, disable=not main)
    try:
        while trainer.iteration < num_iter:
            images, labels = next(batches)
            loss = trainer.step(images, labels)
            running, count = running + loss, count + 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.3f}", lr=f"{trainer.scheduler.get_last_lr()[0]:.2e}")
            it = trainer.iteration
            if it % val_interval == 0 or it == num_iter:
                train_loss = running / max(count, 1)
                running, count = 0.0, 0
                if not main:
                    continue
                history["train"].append((it, train_loss))
                result = trainer.validate(val_batches(), show=show_rows)
                elapsed = time.perf_counter() - start
                row = {"iteration": it, "train_loss": train_loss, "val_loss": result.loss,
                       "accuracy": result.accuracy, "norm_ed": result.norm_ed, "all_blank": result.all_blank,
                       "lr": trainer.scheduler.get_last_lr()[0], "elapsed_s": round(elapsed, 1)}
                history["val"].append(row)
                extra = {"history": history}
                if result.accuracy > history["best_accuracy"]:
                    history["best_accuracy"] = result.accuracy
                    trainer.save(out / "best_accuracy.pth", extra={"accuracy": result.accuracy, "iteration": it})
                if result.norm_ed > history["best_norm_ed"]:
                    history["best_norm_ed"] = result.norm_ed
                    trainer.save(out / "best_norm_ED.pth", extra={"norm_ed": result.norm_ed, "iteration": it})
                trainer.save(out / "last.pth", extra=extra, full_state=True)
                lines = [
                    f"[{it}/{num_iter}] train loss {train_loss:.4f}  val loss {result.loss:.4f}  "
                    f"accuracy {100 * result.accuracy:.2f}%  norm_ED {result.norm_ed:.4f}  "
                    f"(best {100 * history['best_accuracy']:.2f}% / {history['best_norm_ed']:.4f})  "
                    f"{elapsed:.0f}s",
                    f"  {'ground truth':<25} | {'prediction':<25} | confidence",
                    *(f"  {gt:<25} | {pred:<25} | {conf:.4f} {'ok' if gt == pred else 'x'}" for gt, pred, conf in result.rows),
                ]
                if is_ctc and result.all_blank > 0.9:
                    lines.append(f"  {100 * result.all_blank:.0f}% empty predictions: the all-blank CTC phase "
                                 "(normal early on; see the note at the start of this log)")
                bar.clear()
                say("\n".join(lines))
                write_bytes_atomic(out / "metrics.json", json.dumps(history, indent=1, ensure_ascii=False).encode("utf-8"))
    finally:
        bar.close()
        if log_file is not None:
            log_file.close()
    return history


def plot_curves(history: dict[str, Any], path: str | Path | None = None):
    """Loss (train / val) and accuracy / norm ED curves; saved to ``path`` when given. Returns the figure."""
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 3.8))
    if history["train"]:
        its, losses = zip(*history["train"])
        ax_loss.plot(its, losses, label="train loss")
    val = history["val"]
    if val:
        its = [r["iteration"] for r in val]
        ax_loss.plot(its, [r["val_loss"] for r in val], label="validation loss")
        ax_acc.plot(its, [100 * r["accuracy"] for r in val], "o-", label="word accuracy (%)")
        ax_acc.plot(its, [100 * r["norm_ed"] for r in val], "s--", label="norm ED x 100")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_yscale("log")
    ax_loss.legend()
    ax_acc.set_xlabel("iteration")
    ax_acc.set_ylim(0, 100)
    ax_acc.grid(alpha=0.3)
    ax_acc.legend()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
