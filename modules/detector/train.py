"""Training loop pieces: one epoch, validation (P / R / H-mean), and ``fit`` with best / last checkpoints
and resume. The model, loss and target assignment live in their own files; this only wires them.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from modules.detector.amp import MixedPrecision
from modules.checkpoint import cpu_state, rng_state, set_rng_state
from modules.detector.checkpoint import load_checkpoint, save_checkpoint
from modules.detector.config import DetectConfig, DetectorConfig, LossConfig, TrainConfig
from modules.detector.dataset import DetectionDataset, Sample, collate
from modules.detector.detect import Detector
from modules.detector.ema import ModelEMA
from modules.detector.loss import yolo_loss
from modules.detector.model import YoloDetector
from modules.detector.targets import DONTCARE, build_targets
from modules.distributed import (
    SINGLE, DistContext, ShardedBatchSampler, all_reduce_sum, batch_sizes_line, convert_sync_batchnorm, wrap_ddp,
)
from modules.imageio import write_bytes_atomic
from modules.metrics.detection import detection_prf


def warmup_cosine(step: int, progress: float, warmup_steps: int, final_fraction: float = 0.05) -> float:
    """LR multiplier: linear warm-up over ``warmup_steps``, then cosine decay to ``final_fraction`` as
    ``progress`` goes from 0 to 1."""
    if step < warmup_steps:
        return (step + 1) / max(1, warmup_steps)
    return final_fraction + (1 - final_fraction) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


class Schedule:
    """Step counter + learning rate. Progress is the fraction of ``total_steps`` done or, with a time
    limit, of the time budget used, whichever is larger: on a slower machine the schedule still anneals
    and training ends inside the budget instead of being cut off at a high learning rate."""

    def __init__(self, base_lr: float, total_steps: int, warmup_steps: int, time_limit_s: float = 0.0,
                 step: int = 0, elapsed_s: float = 0.0) -> None:
        self.base_lr, self.total_steps, self.warmup_steps = base_lr, total_steps, warmup_steps
        self.time_limit_s, self.step, self.elapsed_before = time_limit_s, step, elapsed_s
        self.started = time.monotonic()
        self.synced_elapsed_s: float | None = None  # distributed runs: the ranks' mean clock, set each step

    @property
    def elapsed_s(self) -> float:
        if self.synced_elapsed_s is not None:
            return self.synced_elapsed_s
        return self.elapsed_before + time.monotonic() - self.started

    def sync(self, context: DistContext, batch: int, device: torch.device) -> float:
        """Under torchrun: every rank takes the ranks' mean clock (so the learning rate and the decision
        to stop agree everywhere) and learns the global batch size; returns this rank's loss share
        ``world_size * batch / global batch`` (1 for a single process)."""
        if not context.enabled:
            return 1.0
        self.synced_elapsed_s = None
        total, elapsed = all_reduce_sum([batch, self.elapsed_s], context, device)
        self.synced_elapsed_s = elapsed / context.world_size
        return context.world_size * batch / total

    @property
    def progress(self) -> float:
        by_steps = self.step / max(1, self.total_steps)
        return max(by_steps, self.elapsed_s / self.time_limit_s) if self.time_limit_s else by_steps

    @property
    def finished(self) -> bool:
        return self.progress >= 1.0

    def lr(self) -> float:
        return self.base_lr * warmup_cosine(self.step, self.progress, self.warmup_steps)

    def state(self) -> dict[str, float]:
        return {"step": self.step, "elapsed_s": self.elapsed_s}


def train_one_epoch(model: YoloDetector, loader: torch.utils.data.DataLoader, optimizer: torch.optim.Optimizer,
                    schedule: Schedule, loss_config: LossConfig, desc: str = "train",
                    memory_format: torch.memory_format = torch.contiguous_format, ema: ModelEMA | None = None,
                    precision: MixedPrecision | None = None, context: DistContext = SINGLE,
                    forward: torch.nn.Module | None = None) -> dict[str, float]:
    """One pass over ``loader`` (ended early when ``schedule`` is finished); returns the mean ``loss``,
    ``box``, ``obj``, ``cls`` of the steps taken. Batches are moved to the model's device in
    ``memory_format`` (that of the model's weights). ``ema``, when given, is updated after every step.
    ``precision`` (default: ``MixedPrecision`` of the model's device) autocasts the forward pass on CUDA.
    Under torchrun ``forward`` is the DistributedDataParallel wrapper of ``model``; each rank's loss is
    weighted by its share of the global batch and the returned means are over all ranks."""
    model.train()
    device = next(model.parameters()).device
    precision = precision or MixedPrecision(device)
    anchors_px = torch.tensor(model.config.anchors_px, dtype=torch.float32)
    sums: dict[str, float] = {"loss": 0.0, "box": 0.0, "obj": 0.0, "cls": 0.0}
    steps = 0
    bar = tqdm(loader, desc=desc, leave=False, disable=not context.is_main)
    forward = model if forward is None else forward
    for images, boxes, classes in bar:
        share = schedule.sync(context, len(images), device)
        if schedule.finished and steps:
            break
        for group in optimizer.param_groups:
            group["lr"] = schedule.lr()
        size = images.shape[-1]
        targets = build_targets(boxes, classes, anchors_px, size, anchor_ratio=loss_config.anchor_ratio)
        dontcare = [b[c == DONTCARE] for b, c in zip(boxes, classes)]
        with precision.autocast():
            outputs = forward(images.to(device, memory_format=memory_format))
        outputs = [o.float() if o.dtype in (torch.float16, torch.bfloat16) else o for o in outputs]  # loss in fp32+
        loss, parts = yolo_loss(outputs, targets, anchors_px, loss_config, dontcare)
        optimizer.zero_grad(set_to_none=True)
        precision.step(loss * share if share != 1.0 else loss, optimizer, model.parameters(), 10.0)
        if ema is not None:
            ema.update(model)
        schedule.step += 1
        steps += 1
        sums["loss"] += float(loss.detach())
        for key in ("box", "obj", "cls"):
            sums[key] += parts[key]
        bar.set_postfix(loss=f"{sums['loss'] / steps:.4f}")
    if context.enabled:  # mean over the ranks' means
        keys = list(sums)
        sums = dict(zip(keys, (v / context.world_size for v in all_reduce_sum([sums[k] for k in keys], context, device))))
    return {k: v / max(1, steps) for k, v in sums.items()}


def predict_samples(detector: Detector, samples: list[Sample], batch_size: int = 8) -> list[tuple[np.ndarray, np.ndarray]]:
    """Run the detector over cached samples (boxes in the cached images' pixels)."""
    return detector.detect([s.image for s in samples], batch_size=batch_size)


def evaluate(detector: Detector, samples: list[Sample], batch_size: int = 8, iou_threshold: float = 0.5
             ) -> dict[str, float]:
    """Precision / recall / H-mean of ``detector`` on ``samples`` (IoU >= 0.5, don't-care handled)."""
    detector.model.eval()
    predictions = [boxes for boxes, _ in predict_samples(detector, samples, batch_size)]
    truth = [(s.boxes, s.classes == DONTCARE) for s in samples]
    return detection_prf(predictions, truth, iou_threshold=iou_threshold)


def _quiet(text: str) -> None:
    """The log of ranks other than 0: nothing."""


def fit(model: YoloDetector, train_samples: list[Sample], val_samples: list[Sample], train_config: TrainConfig,
        loss_config: LossConfig, out_dir: str | Path, augment_config: Any = None, resume: bool = False,
        score_threshold: float | None = None, nms_iou: float | None = None, log: Callable[[str], None] = print,
        max_epochs_this_run: int | None = None, context: DistContext = SINGLE, sync_bn: bool = False,
        detect: DetectConfig | None = None) -> list[dict[str, float]]:
    """Train, validating each epoch; writes ``best.pt`` (by H-mean), ``last.pt`` (resumable) and
    ``history.json`` in ``out_dir``. With ``resume`` and an existing ``last.pt`` the run continues from it
    (weights, optimizer, schedule step and time used, epoch, RNG state). ``max_epochs_this_run`` trains
    in chunks (resume to continue). ``detect`` (default ``DetectConfig()``; ``score_threshold`` and
    ``nms_iou``, when given, change those fields) is the per-epoch validation's post-processing and is
    saved in both checkpoints, so ``Detector.from_checkpoint`` runs the model as it was validated. With ``train_config.ema_decay`` the moving average of the weights (``ema.ModelEMA``)
    is what is validated and written to ``best.pt``; ``last.pt`` keeps both. Returns the per-epoch history.

    Under torchrun (``context.enabled``) ``train_config.batch_size`` is the global batch, shared out by
    ``ShardedBatchSampler``; gradients are averaged by DistributedDataParallel (``sync_bn``: batch norms
    synchronised over the global batch); rank 0 alone validates, writes checkpoints and history and logs.
    """
    out_dir = Path(out_dir)
    main = context.is_main
    if not main:
        log = _quiet
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(train_config.seed)
    np.random.seed(train_config.seed)
    if train_config.num_threads:
        torch.set_num_threads(train_config.num_threads)
    config: DetectorConfig = model.config
    memory_format = torch.channels_last if train_config.channels_last else torch.contiguous_format
    model.to(memory_format=memory_format)
    device = next(model.parameters()).device
    if sync_bn and context.enabled:
        model = convert_sync_batchnorm(model, device)
    dataset = DetectionDataset(train_samples, train_config.train_size, augment_config,
                               seed=train_config.seed + 1000 * context.rank,  # rank 0 as a single process
                               zoom=config.input_size / train_config.train_size)
    if context.enabled:
        loader = torch.utils.data.DataLoader(dataset, collate_fn=collate, batch_sampler=ShardedBatchSampler(
            len(dataset), train_config.batch_size, context, train_config.seed, len(dataset) > train_config.batch_size))
        log(f"{context.describe()}; {batch_sizes_line(train_config.batch_size, context)}")
    else:
        loader = torch.utils.data.DataLoader(dataset, batch_size=train_config.batch_size, shuffle=True,
                                             collate_fn=collate, drop_last=len(dataset) > train_config.batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=train_config.lr, weight_decay=train_config.weight_decay,
                                  eps=train_config.adam_eps)
    precision = MixedPrecision(device, train_config.amp)
    schedule = Schedule(train_config.lr, train_config.epochs * max(1, len(loader)), train_config.warmup_steps,
                        train_config.time_limit_min * 60)
    history: list[dict[str, float]] = []
    start_epoch, best = 0, -1.0
    last_path = out_dir / "last.pt"
    averaged_state: tuple[dict[str, torch.Tensor], int] | None = None  # the average saved in last.pt
    if resume and last_path.exists():
        state = load_checkpoint(last_path)
        if state["config"] != config:
            raise ValueError(f"{last_path}: saved config differs from this model's; not resuming")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        schedule = Schedule(train_config.lr, schedule.total_steps, train_config.warmup_steps,
                            train_config.time_limit_min * 60, int(state["schedule"]["step"]),
                            float(state["schedule"]["elapsed_s"]))
        if "ema" in state:
            averaged_state = state["ema"], int(state["ema_updates"])
        set_rng_state(state["rng"])
        precision.load_state_dict(state.get("scaler"))
        dataset.rng = np.random.default_rng(train_config.seed + int(state["epoch"]))
        history = [dict(h) for h in state.get("history", [])]
        start_epoch, best = int(state["epoch"]), float(state.get("best_hmean", -1.0))
        log(f"resumed from {last_path} after epoch {start_epoch}")
    ema = None
    if train_config.ema_decay:  # from the (resumed) weights, or the saved average when last.pt has one
        ema = ModelEMA(model, train_config.ema_decay, updates=averaged_state[1] if averaged_state else 0)
        if averaged_state:
            ema.module.load_state_dict(averaged_state[0])
    validated = model if ema is None else ema.module
    forward = wrap_ddp(model, device, context)
    detect = (detect or DetectConfig()).updated(**{k: v for k, v in (("score_threshold", score_threshold),
                                                                     ("nms_iou", nms_iou)) if v is not None})
    detector = Detector(validated, config, detect=detect, channels_last=train_config.channels_last)
    end_epoch = train_config.epochs if max_epochs_this_run is None else min(train_config.epochs,
                                                                           start_epoch + max_epochs_this_run)
    schedule.started = time.monotonic()  # loading data and building the model is not training time
    for epoch in range(start_epoch, end_epoch):
        if schedule.finished and epoch > start_epoch:
            log(f"time limit of {train_config.time_limit_min} min used up before epoch {epoch + 1}; stopping")
            break
        tic = time.monotonic()
        if isinstance(loader.batch_sampler, ShardedBatchSampler):
            loader.batch_sampler.set_epoch(epoch)
        losses = train_one_epoch(model, loader, optimizer, schedule, loss_config,
                                 desc=f"epoch {epoch + 1}/{train_config.epochs}", memory_format=memory_format,
                                 ema=ema, precision=precision, context=context, forward=forward)
        if not main:  # rank 0 validates and writes; the others wait for it in the next step's exchange
            if schedule.finished and epoch + 1 < train_config.epochs:
                break
            continue
        metrics = evaluate(detector, val_samples) if val_samples else {"precision": 0.0, "recall": 0.0, "hmean": 0.0}
        row = {"epoch": epoch + 1, **losses, "precision": metrics["precision"], "recall": metrics["recall"],
               "hmean": metrics["hmean"], "lr": optimizer.param_groups[0]["lr"], "seconds": time.monotonic() - tic}
        history.append(row)
        if metrics["hmean"] > best:
            best = metrics["hmean"]
            save_checkpoint(out_dir / "best.pt", validated, config, epoch + 1, metrics, detect=detect)
        averaged = {} if ema is None else {"ema": cpu_state(ema.module), "ema_updates": ema.updates}
        save_checkpoint(last_path, model, config, epoch + 1, metrics, detect=detect, optimizer=optimizer.state_dict(),
                        schedule=schedule.state(), rng=rng_state(), history=history, best_hmean=best,
                        scaler=precision.state_dict(), **averaged)
        write_bytes_atomic(out_dir / "history.json", json.dumps(history, indent=1).encode("utf-8"))
        log(f"epoch {epoch + 1}: loss {losses['loss']:.4f} P {metrics['precision']:.3f} R {metrics['recall']:.3f} "
            f"H {metrics['hmean']:.3f} ({row['seconds']:.0f} s)")
        if schedule.finished and epoch + 1 < train_config.epochs:
            log(f"time limit of {train_config.time_limit_min} min reached during epoch {epoch + 1}; stopped "
                f"after {schedule.step} steps with the schedule annealed")
            break
    return history
