"""Exponential moving average of a model's weights, as YOLOv5 / YOLOv8 train their detectors.

The averaged copy is what gets validated and saved: it smooths the last steps' noise, so a short CPU
training ends on steadier weights. The decay ramps up from 0 (``decay * (1 - exp(-updates / tau))``)
so the first steps' random weights are soon forgotten.
"""

from __future__ import annotations

import copy
import math

import torch


class ModelEMA:
    """``ema.module`` is a frozen copy of ``model`` whose floating-point parameters and buffers (batch-norm
    statistics too) follow ``v_ema <- d v_ema + (1 - d) v`` after each ``update(model)``; integer buffers
    are copied."""

    def __init__(self, model: torch.nn.Module, decay: float = 0.999, tau: float = 200.0, updates: int = 0) -> None:
        if not 0.0 < decay < 1.0:
            raise ValueError(f"EMA decay must lie in (0, 1), got {decay}")
        self.module = copy.deepcopy(model).eval().requires_grad_(False)
        self.decay, self.tau, self.updates = decay, tau, updates
        state = self.module.state_dict()
        self._float_names = [name for name, value in state.items() if value.dtype.is_floating_point]
        self._other_names = [name for name, value in state.items() if not value.dtype.is_floating_point]

    def current_decay(self) -> float:
        """The decay the latest ``update`` used: ``decay * (1 - exp(-updates / tau))`` (0 before any)."""
        return self.decay * (1.0 - math.exp(-self.updates / self.tau))

    @torch.no_grad()
    def update(self, model: torch.nn.Module) -> None:
        self.updates += 1
        d = self.current_decay()
        source, target = model.state_dict(), self.module.state_dict()
        torch._foreach_lerp_([target[n] for n in self._float_names], [source[n].detach() for n in self._float_names],
                             1.0 - d)  # v_ema + (1 - d) (v - v_ema), all tensors in one fused call
        for name in self._other_names:
            target[name].copy_(source[name])
