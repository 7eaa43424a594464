"""The OCR, CLI and ONNX recognizer on the REAL detector and recognizer (small, randomly initialised)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from modules.detector.checkpoint import save_checkpoint as save_detector
from modules.detector.config import DetectorConfig
from modules.detector.detect import TTA_SCALES, Detector
from modules.detector.model import YoloDetector
from modules.export.onnx import export_detector, export_recognizer
from modules.recognizer.onnx_recognizer import OnnxRecognizer
from modules.imageio import write_image
from modules.ocr import OCR, OCRConfig, Page
from modules.ocr.__main__ import main
from modules.recognizer.checkpoint import save_checkpoint as save_recognizer
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.model import build_model
from modules.recognizer.recognize import Recognizer
from modules.text.charset import Charset
from test_ocr_fakes import scene


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ckpt")
    torch.manual_seed(0)
    det_config = DetectorConfig(input_size=256, head_width=16, width_mult=0.25)
    save_detector(folder / "best.pt", YoloDetector(det_config), det_config, epoch=0)
    charset = Charset.from_chars("가나다라마바사ABCabc0123")
    model = build_model(ModelConfig(num_class=len(charset) + 1, output_channel=32, hidden_size=16, jamo_head=False))
    save_recognizer(folder / "best_accuracy.pth", model, charset, Preprocess())
    return folder / "best.pt", folder / "best_accuracy.pth"


def _photo() -> np.ndarray:
    return scene((300, 500), [(20, 20, 200, 70, 40), (250, 30, 450, 80, 120), (20, 150, 300, 200, 80)])


def test_ocr_on_real_models_keeps_boxes_in_original_pixels(checkpoints):
    det_path, rec_path = checkpoints
    detector = Detector.from_checkpoint(det_path, device="cpu", score_threshold=0.0, max_detections=6)
    ocr = OCR(detector, Recognizer.from_checkpoint(rec_path, device="cpu"), OCRConfig(drop_empty=False, min_confidence=0.0))
    page = ocr(_photo())
    assert (page.width, page.height) == (500, 300)
    assert 1 <= len(page.words) <= 6
    for word in page.words:
        x1, y1, x2, y2 = word.xyxy
        assert -1 <= x1 < x2 <= 501 and -1 <= y1 < y2 <= 301
        assert 0.0 <= word.confidence <= 1.0 and set(word.text) <= set("가나다라마바사ABCabc0123")
    assert Page.from_json(page.to_json()) == page


def test_from_checkpoints_and_cli_with_latest_run(checkpoints, tmp_path, capsys):
    det_path, rec_path = checkpoints
    run = tmp_path / "runs" / "20260101-000000-smoke"
    run.mkdir(parents=True)
    steps = [{"name": "05_train", "status": "ok", "artifacts": {"saved_model_dir": {"path": str(rec_path.parent)}}},
             {"name": "yolo_train", "status": "ok", "artifacts": {"model_dir": {"path": str(det_path.parent)}}}]
    (run / "summary.json").write_text(json.dumps({"steps": steps}), encoding="utf-8")
    ocr = OCR.from_checkpoints(runs_dir=tmp_path / "runs", models="run")
    assert "20260101-000000-smoke" in ocr.sources["detector"] and str(rec_path) in ocr.sources["recognizer"]

    folder = tmp_path / "images"
    folder.mkdir()
    write_image(folder / "scene.jpg", _photo())
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    out = tmp_path / "out.json"
    code = main([str(folder), "--latest-run", "--runs-dir", str(tmp_path / "runs"), "--json", str(out)])
    err = capsys.readouterr().err
    assert code == 0
    assert "(latest run)" in err and "20260101-000000-smoke" in err
    assert "broken.png" in err and "1 image(s) read, 1 skipped" in err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["pages"]) == 1 and data["skipped"][0]["file"].endswith("broken.png")


def test_onnx_recognizer_reads_like_pytorch(checkpoints, tmp_path):
    recognizer = Recognizer.from_checkpoint(checkpoints[1], device="cpu")
    with torch.no_grad():  # make the random model produce varied characters, not all blanks
        recognizer.model.prediction.generator.bias[0] = -5.0
    path = export_recognizer(recognizer, tmp_path / "rec.onnx")
    crops = [_photo()[15:75, 15:205], _photo()[145:205, 15:305], np.full((40, 90), 200, np.uint8)]
    expected = recognizer.recognize(crops)
    got = OnnxRecognizer(path).recognize(crops, batch_size=2)
    assert [t for t, _ in got] == [t for t, _ in expected]
    assert any(t for t, _ in expected)
    assert np.allclose([c for _, c in got], [c for _, c in expected], rtol=1e-3, atol=1e-6)
    # the second, wide reading of the long crop (290 x 60 -> 160 px at 32 rows) goes through the dynamic width
    wide_expected = recognizer.recognize(crops, max_width=256)
    wide_got = OnnxRecognizer(path).recognize(crops, batch_size=2, max_width=256)
    assert [t for t, _ in wide_got] == [t for t, _ in wide_expected]
    assert np.allclose([c for _, c in wide_got], [c for _, c in wide_expected], rtol=1e-3, atol=1e-6)


@pytest.mark.slow  # two ONNX exports: ~5 s idle, over 20 s on a busy machine
def test_ocr_from_onnx_matches_pytorch(checkpoints, tmp_path):
    det_path, rec_path = checkpoints
    detector = Detector.from_checkpoint(det_path, device="cpu", score_threshold=0.2, max_detections=4)
    recognizer = Recognizer.from_checkpoint(rec_path, device="cpu")
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():  # spread the random detector's scores, so no near-ties can reorder the top 4
        for param in detector.model.parameters():
            param.add_(torch.randn(param.shape, generator=gen) * 0.2)
        for pred in (detector.model.pred8, detector.model.pred16, detector.model.pred32):
            pred.out.bias.zero_()
        recognizer.model.prediction.generator.bias[0] = -5.0
    config = OCRConfig(drop_empty=False, min_confidence=0.0)
    det_onnx = export_detector(detector, tmp_path / "det.onnx")
    rec_onnx = export_recognizer(recognizer, tmp_path / "rec.onnx")
    options = {"score_threshold": 0.2, "max_detections": 4}
    multi_scale = Detector(detector.model, detector.config, score_threshold=0.2, max_detections=4,
                           tta_scales=TTA_SCALES, tta_score_threshold=0.05)
    for torch_detector, onnx_options in ((detector, {**options, "tta_scales": ()}),  # once, at 512
                                         (multi_scale, {**options, "tta_score_threshold": 0.05})):  # the default
        expected = OCR(torch_detector, recognizer, config)(_photo())
        got = OCR.from_onnx(det_onnx, rec_onnx, config, detector_options=onnx_options)(_photo())
        assert len(got.words) == len(expected.words) > 0
        assert sorted(w.text for w in got.words) == sorted(w.text for w in expected.words)
        assert np.allclose(sorted(w.xyxy for w in got.words), sorted(w.xyxy for w in expected.words), atol=0.05)
