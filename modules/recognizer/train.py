"""Training-loop pieces: device and precision choice, one optimisation step, validation, resume.

The model stays a plain ``nn.Module``; this file owns the optimizer, scheduler, mixed precision and
checkpoints. Nothing here sets global state at import; the device comes from the caller.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from modules.metrics.recognition import normalized_edit_distance, word_accuracy
from modules.checkpoint import set_rng_state
from modules.recognizer.checkpoint import Checkpoint, save_checkpoint
from modules.recognizer.codec import AttnCodec, CTCCodec
from modules.recognizer.config import Preprocess
from modules.recognizer.ctc_decode import attn_greedy, ctc_greedy
from modules.recognizer.loss import attn_loss, ctc_loss
from modules.recognizer.model import RecognitionModel
from modules.recognizer.preprocess import to_tensor
from modules.text.charset import Charset


def choose_device(device: str | torch.device | None = None) -> torch.device:
    """``device`` if given, else CUDA when available, else CPU."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def cpu_has_native_bf16() -> bool:
    """True when the CPU computes bf16 in hardware (AVX512-BF16 or AMX); otherwise bf16 is emulated
    and slower than fp32."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def amp_dtype(device: torch.device, amp: str = "auto") -> torch.dtype | None:
    """Autocast dtype for ``amp`` in ``auto | bf16 | fp16 | off``.

    ``auto``: CUDA -> bf16 where supported else fp16; CPU -> bf16 when the CPU has native bf16,
    else None (fp32), because emulated bf16 slows training down.
    """
    choices = {"auto", "bf16", "fp16", "off"}
    if amp not in choices:
        raise ValueError(f"unknown amp {amp!r}; valid: {sorted(choices)}")
    if amp == "off":
        return None
    if amp == "bf16":
        return torch.bfloat16
    if amp == "fp16":
        return torch.float16
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if cpu_has_native_bf16() else None


@dataclass(frozen=True)
class OptimConfig:
    """Optimizer and schedule; the defaults are ``05_train``'s (DTRB: Adadelta lr 1, rho 0.95, eps 1e-8,
    clip 5; Adam beta1 0.9)."""

    optimizer: str = "adam"  # adam | adadelta
    lr: float = 2e-4  # peak learning rate: fine-tuning; 5e-3 trains from scratch (Adadelta: 1.0)
    beta1: float = 0.9
    rho: float = 0.95
    eps: float = 1e-8
    weight_decay: float = 0.0
    grad_clip: float = 5.0
    schedule: str = "onecycle"  # onecycle | cosine | constant
    warmup_fraction: float = 0.1  # onecycle: share of iterations spent warming up
    num_iter: int = 3000


def make_optimizer(model: nn.Module, cfg: OptimConfig) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=cfg.lr, betas=(cfg.beta1, 0.999), eps=cfg.eps, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adadelta":
        return torch.optim.Adadelta(params, lr=cfg.lr, rho=cfg.rho, eps=cfg.eps, weight_decay=cfg.weight_decay)
    raise ValueError(f"unknown optimizer {cfg.optimizer!r}; valid: ['adadelta', 'adam']")


def make_scheduler(optimizer: torch.optim.Optimizer, cfg: OptimConfig) -> torch.optim.lr_scheduler.LRScheduler:
    if cfg.schedule == "onecycle":
        total = max(cfg.num_iter, 4)
        # OneCycleLR needs at least two warm-up and two annealing steps
        pct = min(max(cfg.warmup_fraction, 2.5 / total), 1 - 2.5 / total)
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=cfg.lr, total_steps=total, pct_start=pct,
            cycle_momentum=False,
        )
    if cfg.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(cfg.num_iter, 1))
    if cfg.schedule == "constant":
        return torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)
    raise ValueError(f"unknown schedule {cfg.schedule!r}; valid: ['constant', 'cosine', 'onecycle']")


@dataclass
class ValResult:
    """One validation pass: mean loss, word accuracy, ICDAR 2019 norm ED, and example rows."""

    loss: float
    accuracy: float
    norm_ed: float
    count: int
    rows: list[tuple[str, str, float]] = field(default_factory=list)  # (ground truth, prediction, confidence)
    all_blank: float = 0.0  # share of empty predictions (the early CTC phase)


class Trainer:
    """Holds model, codec, optimizer, scheduler and grad scaler; ``step`` runs one update.

    ``images`` are ``(B, C, H, W) uint8`` (as ``collate`` gives them); they are moved to the model's
    device, scaled to [-1, 1] and laid out channels-last (``channels_last=False`` keeps NCHW).
    """

    def __init__(
        self,
        model: RecognitionModel,
        charset: Charset,
        preprocess: Preprocess,
        optim: OptimConfig,
        amp: str = "auto",
        channels_last: bool = True,
    ) -> None:
        self.model = model
        self.device = next(model.parameters()).device
        self.charset, self.preprocess, self.optim = charset, preprocess, optim
        cfg = model.config
        self.codec: CTCCodec | AttnCodec = (CTCCodec if cfg.prediction == "CTC" else AttnCodec)(charset, cfg.batch_max_length)
        if self.codec.num_class != cfg.num_class:
            raise ValueError(f"charset gives {self.codec.num_class} classes but the model has {cfg.num_class}")
        self.amp_dtype = amp_dtype(self.device, amp)
        # Channels-last helps cuDNN, and with torch 2.13's oneDNN the CPU too: on 2 cores a step of the
        # default compact CRNN took 0.86x the NCHW time, and forward + backward + Adam of the model alone
        # 0.88x for DTRB's VGG CRNN and 0.96x for ResNet.
        self.channels_last = channels_last
        if self.channels_last:
            self.model.to(memory_format=torch.channels_last)
        self.train_forward: nn.Module = model  # what training steps call (a DistributedDataParallel wrapper under torchrun)
        self.optimizer = make_optimizer(model, optim)
        self.scheduler = make_scheduler(self.optimizer, optim)
        use_scaler = self.device.type == "cuda" and self.amp_dtype == torch.float16
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=use_scaler)
        self.iteration = 0

    def _autocast(self) -> contextlib.AbstractContextManager:
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.amp_dtype)

    def _inputs(self, images: torch.Tensor) -> torch.Tensor:
        x = to_tensor(images.to(self.device, non_blocking=True))
        return x.contiguous(memory_format=torch.channels_last) if self.channels_last else x

    def loss(self, images: torch.Tensor, labels: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """Forward pass (teacher-forced for Attn) -> (loss, logits)."""
        x = self._inputs(images)
        if isinstance(self.codec, CTCCodec):
            targets, lengths = self.codec.encode(labels)
            with self._autocast():
                logits = self.train_forward(x)
            return ctc_loss(logits, targets.to(self.device), lengths), logits
        tokens, _ = self.codec.encode(labels)
        tokens = tokens.to(self.device)
        with self._autocast():
            logits = self.train_forward(x, tokens[:, :-1])
        return attn_loss(logits, tokens), logits

    def step(self, images: torch.Tensor, labels: list[str]) -> float:
        """One optimisation step; returns the loss."""
        self.model.train()
        loss, _ = self.loss(images, labels)
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss * self.loss_share(labels)).backward()
        self.scaler.unscale_(self.optimizer)
        if self.optim.grad_clip > 0:
            nn.utils.clip_grad_norm_(self.model.parameters(), self.optim.grad_clip)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()
        self.iteration += 1
        return float(loss.detach())

    def loss_share(self, labels: list[str]) -> float:
        """Factor on this process's loss before backward (1 here; see ``recognizer.distributed``)."""
        return 1.0

    def decode(self, logits: torch.Tensor) -> list[tuple[str, float]]:
        """Greedy decoding of a batch of logits -> (text, confidence)."""
        probs = logits.float().softmax(dim=2)
        raw = ctc_greedy(probs) if isinstance(self.codec, CTCCodec) else attn_greedy(probs, AttnCodec.eos)
        return [(self.codec.ids_to_text(ids), conf) for ids, conf in raw]

    @torch.no_grad()
    def validate(self, batches: Iterable[tuple[torch.Tensor, list[str]]], show: int = 5) -> ValResult:
        """Loss, word accuracy and norm ED over ``batches`` (greedy decoding, free-running for Attn)."""
        self.model.eval()
        losses, preds, gts, confs = [], [], [], []
        for images, labels in batches:
            x = self._inputs(images)
            with self._autocast():
                logits = self.model(x)
            if isinstance(self.codec, CTCCodec):
                targets, lengths = self.codec.encode(labels)
                loss = ctc_loss(logits, targets.to(self.device), lengths)
            else:
                tokens, _ = self.codec.encode(labels)
                loss = attn_loss(logits, tokens.to(self.device))
            losses.append(float(loss) * len(labels))
            for (text, conf), gt in zip(self.decode(logits), labels):
                preds.append(text)
                gts.append(gt)
                confs.append(conf)
        n = len(gts)
        return ValResult(
            loss=sum(losses) / max(n, 1),
            accuracy=word_accuracy(preds, gts),
            norm_ed=normalized_edit_distance(preds, gts),
            count=n,
            rows=list(zip(gts, preds, confs))[:show],
            all_blank=sum(p == "" for p in preds) / max(n, 1),
        )

    def save(self, path: str | Path, extra: dict[str, Any] | None = None, full_state: bool = False) -> Path:
        """Checkpoint (weights, config, charset, preprocessing); ``full_state`` adds optimizer,
        scheduler, scaler and RNG for resuming."""
        return save_checkpoint(
            path, self.model, self.charset, self.preprocess, iteration=self.iteration,
            optimizer=self.optimizer if full_state else None,
            scheduler=self.scheduler if full_state else None,
            scaler=self.scaler if full_state else None,
            extra={"optim": asdict(self.optim), **(extra or {})},
            with_rng=full_state,
        )

    def resume(self, checkpoint: Checkpoint) -> None:
        """Continue exactly where ``checkpoint`` (a ``full_state`` save) stopped."""
        if checkpoint.optimizer is None or checkpoint.scheduler is None:
            raise ValueError("checkpoint has no optimizer/scheduler state; use the 'last' checkpoint to resume")
        if checkpoint.charset != self.charset or checkpoint.config != self.model.config:
            raise ValueError("resume needs the same charset and model config; use fine-tuning for a new charset")
        self.model.load_state_dict(checkpoint.model_state)
        self.optimizer.load_state_dict(checkpoint.optimizer)
        saved_optim = checkpoint.extra.get("optim") or {}
        if saved_optim.get("num_iter") == self.optim.num_iter and saved_optim.get("schedule") == self.optim.schedule:
            self.scheduler.load_state_dict(checkpoint.scheduler)
        else:
            # A longer (or shorter) run: keep this run's schedule and place it at the saved iteration.
            self.scheduler.last_epoch = checkpoint.iteration
            closed_form = getattr(self.scheduler, "_get_closed_form_lr", None)
            lrs = closed_form() if closed_form is not None else self.scheduler.get_lr()
            for group, lr in zip(self.optimizer.param_groups, lrs):
                group["lr"] = lr
            self.scheduler._last_lr = list(lrs)
            print(f"resume: schedule rebuilt for num_iter={self.optim.num_iter} "
                  f"(checkpoint was trained for num_iter={saved_optim.get('num_iter')})")
        if checkpoint.scaler:
            self.scaler.load_state_dict(checkpoint.scaler)
        set_rng_state(checkpoint.rng)
        self.iteration = checkpoint.iteration


CTC_BLANK_NOTE = (
    "note: CTC models first learn to predict only the blank symbol (empty predictions, accuracy 0) while "
    "the loss falls; depending on the charset and learning rate this lasts a few hundred to a few thousand "
    "iterations before characters appear. This is normal: keep training while the loss keeps falling."
)

