"""Weight averaging of the detector: the EMA formula, and fit validating / saving / resuming the average."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from modules.detector import DetectorConfig
from modules.detector.checkpoint import load_checkpoint
from modules.detector.config import LossConfig, TrainConfig
from modules.detector.dataset import Sample
from modules.detector.ema import ModelEMA
from modules.detector.model import YoloDetector
from modules.detector.train import fit

SMALL = DetectorConfig(width_mult=0.25, head_width=16, input_size=128)


def test_average_follows_the_ramped_decay_and_copies_integer_buffers() -> None:
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    start = {k: v.clone() for k, v in model.state_dict().items()}
    ema = ModelEMA(model, decay=0.9, tau=2.0)
    expected = {k: v.clone() for k, v in start.items() if v.dtype.is_floating_point}
    for step in range(1, 4):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(1.0)
            model[1].num_batches_tracked += 5
        ema.update(model)
        d = 0.9 * (1 - math.exp(-step / 2.0))
        for name in expected:
            expected[name] = d * expected[name] + (1 - d) * model.state_dict()[name]
    averaged = ema.module.state_dict()
    for name, value in expected.items():
        torch.testing.assert_close(averaged[name], value)
    assert not torch.equal(averaged["0.weight"], model.state_dict()["0.weight"])  # lags behind the model
    assert int(averaged["1.num_batches_tracked"]) == 15
    assert not any(p.requires_grad for p in ema.module.parameters())


def test_decay_outside_zero_one_is_refused() -> None:
    with pytest.raises(ValueError, match="decay"):
        ModelEMA(torch.nn.Linear(2, 2), decay=1.0)


def _samples(n: int) -> list[Sample]:
    rng = np.random.default_rng(0)
    return [Sample(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8), np.array([[10, 10, 60, 30]], np.float32),
                   np.array([0]), 1.0, f"img{i}") for i in range(n)]


def test_fit_saves_the_average_as_best_and_resumes_it_exactly(tmp_path: Path) -> None:
    train, val = _samples(4), _samples(2)
    cfg = TrainConfig(epochs=2, batch_size=2, train_size=128, warmup_steps=1, lr=1e-3, ema_decay=0.9)
    torch.manual_seed(0)
    straight = YoloDetector(SMALL)
    fit(straight, train, val, cfg, LossConfig(), tmp_path / "a", log=lambda _: None)
    last = load_checkpoint(tmp_path / "a" / "last.pt")
    best = load_checkpoint(tmp_path / "a" / "best.pt")
    assert last["ema_updates"] == 4
    raw = last["model"]
    assert any(not torch.equal(raw[k], last["ema"][k]) for k in raw)  # the average lags the raw weights
    # interrupted after one epoch, then resumed: the same average as the straight run
    torch.manual_seed(0)
    fit(YoloDetector(SMALL), train, val, cfg, LossConfig(), tmp_path / "b", log=lambda _: None, max_epochs_this_run=1)
    after_one = load_checkpoint(tmp_path / "b" / "last.pt")
    assert after_one["ema_updates"] == 2
    fit(YoloDetector(SMALL), train, val, cfg, LossConfig(), tmp_path / "b", resume=True, log=lambda _: None)
    resumed = load_checkpoint(tmp_path / "b" / "last.pt")
    assert resumed["ema_updates"] == 4
    for key, value in last["ema"].items():
        torch.testing.assert_close(resumed["ema"][key], value)
    # best.pt holds the average of its epoch, not the raw weights
    average = (after_one if best["epoch"] == 1 else last)["ema"]
    for key, value in average.items():
        torch.testing.assert_close(best["model"][key], value)
