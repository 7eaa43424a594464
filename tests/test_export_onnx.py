"""ONNX export: onnxruntime reproduces PyTorch on the real (randomly initialised) recognizer and detector."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from modules.detector.config import DetectorConfig
from modules.detector.model import YoloDetector
from modules.export.onnx import export_detector, export_recognizer, parity
from modules.onnx_session import onnx_metadata, onnx_session
from modules.recognizer.config import ModelConfig
from modules.recognizer.model import build_model


def _jitter(module: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Perturb every weight and BatchNorm statistic, so no output is trivially constant."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for tensor in [*module.parameters(), *(b for n, b in module.named_buffers() if "running" in n)]:
            noise = torch.randn(tensor.shape, generator=gen) * 0.1
            tensor.add_(noise)
        for m in module.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_var.abs_().add_(0.5)
    return module.eval()


@pytest.mark.parametrize("sequence", ["BiLSTM", "None"])
def test_recognizer_ctc_dynamic_batch_and_width(tmp_path, sequence):
    torch.manual_seed(0)
    model = _jitter(build_model(ModelConfig(num_class=40, output_channel=64, hidden_size=32,
                                            sequence_modeling=sequence, jamo_head=False)), 1)
    path = export_recognizer(model, tmp_path / "rec.onnx")
    meta = onnx_metadata(path)
    assert meta["kocr_model"] == "recognizer" and meta["dynamic_width"] == "True"
    assert '"prediction": "CTC"' in meta["model_config"]
    for batch, width in [(1, 100), (3, 160), (2, 48)]:
        images = torch.rand(batch, 1, 32, width) * 2 - 1
        with torch.inference_mode():
            logits = model(images)
        assert logits.shape[0] == batch and logits.std() > 0.01  # a non-trivial output
        assert parity(model, path, images) < 1e-4
        got = onnx_session(path).run(None, {"images": images.numpy()})[0]
        assert got.shape == tuple(logits.shape) and (got.argmax(-1) == logits.argmax(-1).numpy()).all()


def test_attention_recognizer_is_refused(tmp_path):
    model = build_model(ModelConfig(num_class=40, output_channel=64, hidden_size=32, prediction="Attn", jamo_head=False))
    with pytest.raises(ValueError, match="only CTC"):
        export_recognizer(model, tmp_path / "attn.onnx")
    assert not (tmp_path / "attn.onnx").exists()


def test_detector_dynamic_batch_and_size(tmp_path):
    torch.manual_seed(0)
    model = _jitter(YoloDetector(DetectorConfig(input_size=256, width_mult=0.25, head_width=16)), 2)
    path = export_detector(model, tmp_path / "det.onnx")
    assert onnx_metadata(path)["kocr_model"] == "detector"
    for batch, h, w in [(1, 256, 256), (2, 192, 320)]:
        images = torch.rand(batch, 3, h, w)
        with torch.inference_mode():
            outputs = model(images)
        assert [tuple(o.shape[2:4]) for o in outputs] == [(h // 8, w // 8), (h // 16, w // 16), (h // 32, w // 32)]
        assert all(o[..., :4].std() > 0.01 for o in outputs)
        assert parity(model, path, images) < 1e-3


@pytest.mark.slow  # two exports + parity runs: ~5 s on an idle 2-core machine, over 20 s when it is busy
def test_export_cli_writes_both_graphs_and_reports_parity(tmp_path, capsys):
    from modules.detector.checkpoint import save_checkpoint as save_detector
    from modules.export.__main__ import main
    from modules.recognizer.onnx_recognizer import OnnxRecognizer
    from modules.recognizer.checkpoint import save_checkpoint as save_recognizer
    from modules.recognizer.config import Preprocess
    from modules.text.charset import Charset

    charset = Charset.from_chars("가나다ab")
    save_recognizer(tmp_path / "rec.pth", build_model(ModelConfig(num_class=6, output_channel=32, hidden_size=16,
                                                                       jamo_head=False)),
                    charset, Preprocess())
    det_config = DetectorConfig(input_size=128, head_width=16, width_mult=0.25)
    save_detector(tmp_path / "det.pt", YoloDetector(det_config), det_config, epoch=0)
    assert main(["--recognizer", str(tmp_path / "rec.pth"), "--detector", str(tmp_path / "det.pt"),
                 "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "recognizer.onnx: None-VGG-BiLSTM-CTC, 5 characters" in out and "detector.onnx" in out
    onnx_rec = OnnxRecognizer(tmp_path / "out" / "recognizer.onnx")
    assert onnx_rec.charset == charset and onnx_rec.preprocess == Preprocess()


def test_onnx_detector_finds_the_same_boxes(tmp_path):
    from modules.detector.detect import Detector
    from modules.detector.onnx_detector import onnx_detector

    torch.manual_seed(0)
    config = DetectorConfig(input_size=192, width_mult=0.25, head_width=16)
    model = _jitter(YoloDetector(config), 3)
    with torch.no_grad():
        for pred in (model.pred8, model.pred16, model.pred32):
            pred.out.bias.zero_()  # objectness near 0.5, so there are boxes to compare
    path = export_detector(model, tmp_path / "det.onnx")
    reference = Detector(model, config, device="cpu", score_threshold=0.05, max_detections=20)
    deployed = onnx_detector(path, score_threshold=0.05, max_detections=20)
    images = [np.random.default_rng(i).integers(0, 255, (150 + 30 * i, 200, 3), dtype=np.uint8) for i in range(2)]
    for (boxes, scores), (onnx_boxes, onnx_scores) in zip(reference.detect(images), deployed.detect(images)):
        assert len(boxes) > 0 and boxes.shape == onnx_boxes.shape
        assert np.allclose(np.sort(scores), np.sort(onnx_scores), atol=1e-4)
        order, onnx_order = np.lexsort(boxes.T[::-1]), np.lexsort(onnx_boxes.T[::-1])
        assert np.allclose(boxes[order], onnx_boxes[onnx_order], atol=1e-2)
