"""Detector mixed precision: autocast on CUDA only, the loss in fp32, the autocast path itself exercised on CPU."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np
import pytest
import torch

from modules.detector import DetectorConfig
from modules.detector.amp import MixedPrecision, amp_dtype
from modules.detector.checkpoint import load_checkpoint
from modules.detector.config import LossConfig, TrainConfig
from modules.detector.dataset import DetectionDataset, Sample, collate
from modules.detector.model import YoloDetector
from modules.detector.train import Schedule, fit, train_one_epoch

SMALL = DetectorConfig(width_mult=0.25, head_width=16, input_size=128)


def _samples(n: int) -> list[Sample]:
    rng = np.random.default_rng(0)
    return [Sample(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8), np.array([[10, 10, 60, 30]], np.float32),
                   np.array([0]), 1.0, f"img{i}") for i in range(n)]


def test_dtype_per_device(monkeypatch: pytest.MonkeyPatch) -> None:
    cuda = torch.device("cuda")
    assert amp_dtype(torch.device("cpu")) is None and amp_dtype(cuda, enabled=False) is None
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert amp_dtype(cuda) == torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    assert amp_dtype(cuda) == torch.float16


def test_cpu_trains_in_fp32_without_scaling() -> None:
    precision = MixedPrecision(torch.device("cpu"))
    assert precision.dtype is None and not precision.scaler.is_enabled() and precision.state_dict() == {}
    assert isinstance(precision.autocast(), contextlib.nullcontext)


def test_autocast_path_runs_the_model_in_half_precision_and_the_loss_in_fp32() -> None:
    """The CUDA code path (autocast forward, fp32 loss, unscale + clip + step) run on the CPU in bf16."""
    torch.manual_seed(0)
    model = YoloDetector(SMALL)
    loader = torch.utils.data.DataLoader(DetectionDataset(_samples(2), 128, None, seed=0), batch_size=2,
                                         collate_fn=collate)
    precision = MixedPrecision(torch.device("cpu"))
    precision.dtype = torch.bfloat16  # what amp_dtype gives on a CUDA GPU with bf16
    seen: list[torch.dtype] = []
    model.pred8.register_forward_hook(lambda module, inputs, output: seen.append(output.dtype))
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    losses = train_one_epoch(model, loader, optimizer, Schedule(1e-3, 1, 1), LossConfig(), precision=precision)
    assert seen == [torch.bfloat16]
    assert np.isfinite(losses["loss"]) and losses["loss"] > 0
    assert all(p.dtype == torch.float32 for p in model.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_fit_on_cuda_trains_with_mixed_precision(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = YoloDetector(SMALL).to("cuda")
    cfg = TrainConfig(epochs=1, batch_size=2, train_size=128, warmup_steps=1, lr=1e-3)
    history = fit(model, _samples(4), _samples(2), cfg, LossConfig(), tmp_path, log=lambda _: None)
    assert np.isfinite(history[0]["loss"])
    state = load_checkpoint(tmp_path / "last.pt")
    assert all(v.device.type == "cpu" for v in state["model"].values())
