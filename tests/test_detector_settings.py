"""The detector's post-processing settings (``DetectConfig``): one home, saved with the weights, overridable."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
import torch

from modules.detector import Detector, DetectorConfig
from modules.detector.checkpoint import load_checkpoint, save_checkpoint
from modules.detector.config import LARGE_PHOTO_SCALES, TTA_SCALES, DetectConfig, LossConfig, TrainConfig
from modules.detector.dataset import Sample
from modules.detector.model import YoloDetector
from modules.detector.train import fit

SMALL = DetectorConfig(width_mult=0.25, head_width=16, input_size=128)


def test_detect_config_round_trips_and_refuses_unknown_names() -> None:
    config = DetectConfig(score_threshold=0.25, tta_scales=[0.5, 1], input_size=256)
    assert config.tta_scales == (0.5, 1.0)  # lists from JSON become a tuple
    assert DetectConfig.from_dict(config.to_dict()) == config
    assert DetectConfig.from_dict({}) == DetectConfig()  # keys an older file lacks take the defaults
    assert config.updated(iou_threshold=0.6, input_size=None) == DetectConfig(
        score_threshold=0.25, tta_scales=(0.5, 1.0), nms_iou=0.6)
    with pytest.raises(TypeError, match="nms_threshold.*valid:.*nms_iou"):
        DetectConfig().updated(nms_threshold=0.5)
    with pytest.raises(ValueError, match="unknown detect config keys"):
        DetectConfig.from_dict({"threshold": 0.5})
    with pytest.raises(ValueError, match="multiple of 32"):
        DetectConfig(input_size=100)


class _SideLog(torch.nn.Module):
    """The network, recording ``(batch size, input side)`` of every batch it runs."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model, self.calls = model, []

    def forward(self, images: torch.Tensor):
        self.calls.append((images.shape[0], images.shape[-1]))
        return self.model(images)


def test_large_photos_alone_run_at_the_large_sizes() -> None:
    net = _SideLog(YoloDetector(SMALL))
    detector = Detector(net, SMALL, device="cpu", tta_scales=TTA_SCALES, large_photo_scales=LARGE_PHOTO_SCALES)
    assert detector.large_sizes == (256, 384) and detector.settings()["resolved_large_photo_sizes"] == [256, 384]
    images = [np.full((150, 200, 3), 200, np.uint8), np.full((260, 300, 3), 200, np.uint8),
              np.full((500, 400, 3), 200, np.uint8)]
    out = detector.detect(images)
    # every image at the three TTA sizes; the 300-px one also at 256, the 500-px one at 256 and 384
    assert net.calls == [(3, 96), (3, 128), (3, 160), (2, 256), (1, 384)]
    assert len(out) == 3 and all(b.shape[1] == 4 and len(b) == len(s) for b, s in out)
    net.calls.clear()
    once = Detector(net, SMALL, device="cpu", large_photo_scales=(3.0,))
    once.detect(images[:2])
    assert net.calls == [(2, 128)]  # neither photo reaches 384 px: one run, nothing to fuse
    assert DetectConfig.from_dict(DetectConfig(large_photo_scales=[2, 3]).to_dict()).large_photo_scales == (2.0, 3.0)


def test_detector_keyword_options_set_the_config_fields() -> None:
    detector = Detector(YoloDetector(SMALL), SMALL, score_threshold=0.1, iou_threshold=0.5, tta_scales=TTA_SCALES,
                        join_pieces=False)
    assert detector.detect_config == DetectConfig(score_threshold=0.1, nms_iou=0.5, tta_scales=TTA_SCALES,
                                                  join_pieces=False)
    assert detector.score_threshold == 0.1 and detector.input_size == 128 and detector.tta_sizes == (96, 128, 160)
    base = DetectConfig(input_size=160, max_detections=7)
    assert Detector(YoloDetector(SMALL), SMALL, detect=base).input_size == 160
    assert Detector(YoloDetector(SMALL), SMALL, detect=base, input_size=192).detect_config.max_detections == 7
    settings = detector.settings()
    assert settings["score_threshold"] == 0.1 and settings["resolved_tta_sizes"] == [96, 128, 160]
    assert settings["model"] == SMALL.to_dict()
    with pytest.raises(TypeError, match="unknown detector options"):
        Detector(YoloDetector(SMALL), SMALL, score=0.5)


def test_checkpoint_carries_its_detect_config(tmp_path: Path) -> None:
    detect = DetectConfig(score_threshold=0.2, nms_iou=0.45, tta_scales=(1.0, 1.5), join_pieces=False)
    save_checkpoint(tmp_path / "best.pt", YoloDetector(SMALL), SMALL, epoch=1, detect=detect)
    assert load_checkpoint(tmp_path / "best.pt")["detect"] == detect
    detector = Detector.from_checkpoint(tmp_path / "best.pt", device="cpu")
    assert detector.detect_config == detect and detector.tta_sizes == (128, 192)
    # keyword options change single fields of the saved settings
    changed = Detector.from_checkpoint(tmp_path / "best.pt", device="cpu", score_threshold=0.5, tta_scales=())
    assert changed.detect_config == DetectConfig(score_threshold=0.5, nms_iou=0.45, join_pieces=False)


def test_a_checkpoint_without_detect_config_loads_with_the_defaults(tmp_path: Path) -> None:
    save_checkpoint(tmp_path / "new.pt", YoloDetector(SMALL), SMALL, epoch=1)
    payload = torch.load(tmp_path / "new.pt", weights_only=True)
    del payload["detect"]  # as written before the settings were saved
    torch.save(payload, tmp_path / "old.pt")
    assert load_checkpoint(tmp_path / "old.pt")["detect"] == DetectConfig()
    assert Detector.from_checkpoint(tmp_path / "old.pt", device="cpu").detect_config == DetectConfig()


def test_fit_saves_the_settings_it_validated_with(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    samples = [Sample(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8), np.array([[10, 10, 60, 30]], np.float32),
                      np.array([0]), 1.0, f"img{i}") for i in range(2)]
    torch.manual_seed(0)
    fit(YoloDetector(SMALL), samples, samples[:1], TrainConfig(epochs=1, batch_size=2, train_size=128, warmup_steps=1),
        LossConfig(), tmp_path, detect=DetectConfig(max_detections=50), score_threshold=0.35, log=lambda _: None)
    for name in ("best.pt", "last.pt"):
        assert load_checkpoint(tmp_path / name)["detect"] == DetectConfig(max_detections=50, score_threshold=0.35)


def test_onnx_export_carries_the_detect_config(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    from modules.detector.onnx_detector import onnx_detector
    from modules.export.onnx import export_detector

    detector = Detector(YoloDetector(SMALL), SMALL, device="cpu", score_threshold=0.05, tta_scales=(1.0, 1.25))
    path = export_detector(detector, tmp_path / "det.onnx")
    assert onnx_detector(path).detect_config == detector.detect_config
    assert onnx_detector(path, score_threshold=0.3).detect_config.score_threshold == 0.3
    plain = export_detector(YoloDetector(SMALL), tmp_path / "plain.onnx")  # a bare network: the defaults
    assert onnx_detector(plain).detect_config == DetectConfig()


def test_post_processing_functions_default_to_the_detect_config() -> None:
    """join / fusion / NMS post-processing take their defaults from DetectConfig: no second home."""
    import inspect

    from modules.detector.fusion import fuse_boxes
    from modules.detector.join import join_split_words
    from modules.detector.nms import postprocess

    defaults = DetectConfig()
    signature = inspect.signature(join_split_words).parameters
    assert signature["cross_overlap"].default == defaults.join_cross_overlap
    assert signature["along_overlap"].default == defaults.join_along_overlap
    assert signature["vertical_ratio"].default == defaults.vertical_ratio
    assert inspect.signature(fuse_boxes).parameters["iou_threshold"].default == defaults.tta_fusion_iou
    post = inspect.signature(postprocess).parameters
    names = {"score_threshold": "score_threshold", "iou_threshold": "nms_iou", "max_detections": "max_detections",
             "pre_nms_top_k": "pre_nms_top_k", "containment_threshold": "containment_threshold"}
    assert {k: post[k].default for k in names} == {k: getattr(defaults, f) for k, f in names.items()}
    assert {f.name for f in fields(DetectConfig)} >= set(names.values())
