"""Mixed precision for detector training, as the recognizer trains (``modules.recognizer.train.amp_dtype``):
on CUDA the forward pass runs under ``torch.autocast`` in bf16 (fp16 with a ``GradScaler`` where the GPU
lacks bf16); on the CPU it stays fp32, because the MobileNet's depthwise convolutions gain nothing from
emulated bf16 on most CPUs. The loss is computed in fp32 on the fp32-cast outputs: box decoding
(``exp`` of the size offsets) and GIoU overflow or lose precision in half precision.
"""

from __future__ import annotations

import contextlib

import torch


def amp_dtype(device: torch.device, enabled: bool = True) -> torch.dtype | None:
    """Autocast dtype for training on ``device``: CUDA -> bf16 where supported, else fp16; CPU -> None."""
    if not enabled or device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


class MixedPrecision:
    """``autocast()`` around the forward pass and ``step(loss, optimizer, parameters, clip)`` for the update
    (gradient scaling only for fp16). ``state_dict`` / ``load_state_dict`` carry the scaler across a resume."""

    def __init__(self, device: torch.device, enabled: bool = True) -> None:
        self.device = torch.device(device)
        self.dtype = amp_dtype(self.device, enabled)
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=self.dtype == torch.float16)

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)

    def step(self, loss: torch.Tensor, optimizer: torch.optim.Optimizer, parameters, clip: float) -> None:
        """Backward, clip the gradient norm (of the unscaled gradients) to ``clip``, optimizer step."""
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(parameters, clip)
        self.scaler.step(optimizer)
        self.scaler.update()

    def state_dict(self) -> dict:
        return self.scaler.state_dict() if self.scaler.is_enabled() else {}

    def load_state_dict(self, state: dict | None) -> None:
        if state and self.scaler.is_enabled():
            self.scaler.load_state_dict(state)
