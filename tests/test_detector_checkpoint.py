"""Checkpoints: round trip, safe loading with clear errors, Detector API, resume."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from modules.detector import Detector, DetectorConfig
from modules.detector.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from modules.detector.config import LossConfig, TrainConfig
from modules.detector.dataset import Sample
from modules.detector.model import YoloDetector
from modules.detector.mobilenet import load_backbone_weights
from modules.detector.train import Schedule, fit

SMALL = DetectorConfig(width_mult=0.25, head_width=16, input_size=128)


def test_round_trip_restores_weights_config_and_outputs(tmp_path: Path) -> None:
    model = YoloDetector(SMALL).eval()
    path = tmp_path / "best.pt"
    save_checkpoint(path, model, SMALL, epoch=3, metrics={"hmean": 0.5})
    data = load_checkpoint(path)
    assert data["config"] == SMALL and data["epoch"] == 3 and data["metrics"] == {"hmean": 0.5}
    detector = Detector.from_checkpoint(path)
    x = torch.rand(1, 3, 128, 128)
    with torch.no_grad():
        for a, b in zip(model(x), detector.model(x)):
            torch.testing.assert_close(a, b)
    assert detector.input_size == 128 and detector.config.anchors == SMALL.anchors


@pytest.mark.parametrize("content", [b"", b"not a checkpoint at all", b"PK\x03\x04garbage"])
def test_corrupt_files_raise_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match="broken.pt"):
        load_checkpoint(path)
    with pytest.raises(CheckpointError, match="no such"):
        load_checkpoint(tmp_path / "missing.pt")


def test_foreign_and_unsafe_files_are_refused(tmp_path: Path) -> None:
    torch.save({"state_dict": {}}, tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="not a kocr detector"):
        load_checkpoint(tmp_path / "other.pt")
    torch.save({"format": "kocr-detector", "obj": Path("x")}, tmp_path / "unsafe.pt")  # needs pickle of a class
    with pytest.raises(CheckpointError, match="unsafe"):
        load_checkpoint(tmp_path / "unsafe.pt")


def test_detect_returns_original_pixel_arrays() -> None:
    detector = Detector(YoloDetector(SMALL), SMALL, score_threshold=0.0, max_detections=5)
    images = [np.zeros((90, 200, 3), np.uint8), np.zeros((300, 100), np.uint8)]
    results = detector.detect(images, batch_size=1)
    assert len(results) == 2
    for (boxes, scores), image in zip(results, images):
        assert boxes.dtype == np.float32 and scores.dtype == np.float32 and boxes.shape == (5, 4)
        h, w = image.shape[:2]
        assert boxes[:, [0, 2]].max() <= w and boxes[:, [1, 3]].max() <= h and boxes.min() >= 0
        assert (np.diff(scores) <= 0).all()


def test_backbone_weights_load_and_mismatch_is_reported(tmp_path: Path) -> None:
    source = YoloDetector(SMALL)
    torch.save(source.backbone.state_dict(), tmp_path / "backbone.pt")
    target = YoloDetector(SMALL)
    assert load_backbone_weights(target.backbone, tmp_path / "backbone.pt") == []
    torch.testing.assert_close(target.backbone.stem[0].weight, source.backbone.stem[0].weight)
    wider = YoloDetector(DetectorConfig(width_mult=0.5, head_width=16, input_size=128))
    with pytest.raises(ValueError, match="shape mismatch"):
        load_backbone_weights(wider.backbone, tmp_path / "backbone.pt")


def _samples(n: int) -> list[Sample]:
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        image = rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)
        out.append(Sample(image, np.array([[10, 10, 60, 30]], np.float32), np.array([0]), 1.0, f"img{i}"))
    return out


def test_fit_writes_best_last_and_resumes_exactly(tmp_path: Path) -> None:
    train, val = _samples(4), _samples(2)
    cfg = TrainConfig(epochs=2, batch_size=2, train_size=128, warmup_steps=1, lr=1e-3)
    torch.manual_seed(0)
    straight = YoloDetector(SMALL)
    fit(straight, train, val, cfg, LossConfig(), tmp_path / "a", log=lambda _: None)
    assert (tmp_path / "a" / "best.pt").exists() and (tmp_path / "a" / "last.pt").exists()
    # interrupted after one epoch, then resumed: same weights as the straight run
    torch.manual_seed(0)
    first = YoloDetector(SMALL)
    fit(first, train, val, cfg, LossConfig(), tmp_path / "b", log=lambda _: None, max_epochs_this_run=1)
    state = load_checkpoint(tmp_path / "b" / "last.pt")
    assert state["epoch"] == 1 and "optimizer" in state and state["schedule"]["step"] == 2
    resumed = YoloDetector(SMALL)
    history = fit(resumed, train, val, cfg, LossConfig(), tmp_path / "b", resume=True, log=lambda _: None)
    assert [h["epoch"] for h in history] == [1, 2]
    for a, b in zip(straight.state_dict().values(), resumed.state_dict().values()):
        torch.testing.assert_close(a, b)


def test_time_limit_anneals_and_stops(tmp_path: Path) -> None:
    torch.manual_seed(0)
    history = fit(YoloDetector(SMALL), _samples(4), _samples(1),
                  TrainConfig(epochs=50, batch_size=2, train_size=128, warmup_steps=1, time_limit_min=1e-4),
                  LossConfig(), tmp_path, log=lambda _: None)
    assert 1 <= len(history) < 50
    state = load_checkpoint(tmp_path / "last.pt")
    assert state["schedule"]["elapsed_s"] >= 1e-4 * 60 and state["schedule"]["step"] < 50 * 2


def test_schedule_follows_the_larger_of_step_and_time_progress() -> None:
    by_steps = Schedule(1.0, total_steps=100, warmup_steps=10, step=55)
    assert by_steps.progress == pytest.approx(0.55) and not by_steps.finished
    assert Schedule(1.0, 100, 10, step=5).lr() == pytest.approx(0.6)  # warm-up: (5 + 1) / 10
    half_time = Schedule(1.0, total_steps=100, warmup_steps=10, time_limit_s=100.0, step=20, elapsed_s=50.0)
    assert half_time.progress == pytest.approx(0.5, abs=0.01)
    assert half_time.lr() == pytest.approx(0.05 + 0.95 * 0.5, abs=0.02)  # cosine midpoint
    done = Schedule(1.0, total_steps=100, warmup_steps=10, time_limit_s=100.0, step=20, elapsed_s=100.0)
    assert done.finished and done.lr() == pytest.approx(0.05)
