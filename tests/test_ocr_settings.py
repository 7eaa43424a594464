"""Every setting the end-to-end OCR reads with is in its config and in the evaluation report."""

from __future__ import annotations

import json
from dataclasses import fields

import numpy as np
import pytest

from modules.data.annotations import ImageAnnotation, WordAnnotation
from modules.imageio import write_image
from modules.ocr import OCR, OCRConfig
from modules.ocr.evaluate import evaluate_ocr
from test_ocr_fakes import FakeDetector, FakeRecognizer, scene


def _record(tmp_path) -> ImageAnnotation:
    write_image(tmp_path / "a.png", scene((300, 600), [(10, 10, 110, 60, 40), (200, 10, 400, 60, 80)]))
    return ImageAnnotation(str(tmp_path / "a.png"), 600, 300, (WordAnnotation("안녕", (10, 10, 100, 50)),))


def test_ocr_config_dict_holds_every_field_and_is_json():
    config = OCRConfig(extra_margins=[[0.3, 0.1]], tile_counts=2)
    data = config.to_dict()
    assert set(data) == {f.name for f in fields(OCRConfig)}
    assert data["extra_margins"] == [[0.3, 0.1]] and data["tile_counts"] == 2
    assert OCRConfig(**json.loads(json.dumps(data))) == config
    with pytest.raises(ValueError, match="tile_counts"):
        OCRConfig(tile_counts=0)


def test_vertical_tiling_follows_the_config():
    """The character counts a vertical box is tiled for come from tile_stretch / tile_counts."""
    crop = np.full((200, 40, 3), 255, np.uint8)
    crop[20:180, 5:35] = 0  # a 30 px wide column of ink, 160 px tall
    base = OCR(FakeDetector(), FakeRecognizer(), OCRConfig())
    # ratio 5: counts 5..7 (ceil(1.25 x 5)), ink 160 / 30 -> counts 4..6 (floor(5.33 / 1.25)..ceil(5.33))
    assert len(base.crop_candidates(crop, 40, 200)) == 3 + 3
    one = OCR(FakeDetector(), FakeRecognizer(), OCRConfig(tile_counts=1))
    assert len(one.crop_candidates(crop, 40, 200)) == 1 + 1
    tight = OCR(FakeDetector(), FakeRecognizer(), OCRConfig(tile_stretch=1.0))
    assert [c.shape[1] for c in tight.crop_candidates(crop, 40, 200)][:1] == [40 * 5]


def test_report_records_the_ocr_config_and_the_matching_rule(tmp_path):
    config = OCRConfig(margin=0.1, min_confidence=0.2, vertical="none", extra_margins=())
    report = evaluate_ocr(OCR(FakeDetector(), FakeRecognizer(), config), [_record(tmp_path)], progress=False,
                          ignore_case=True)
    settings = report["settings"]
    assert settings["ocr"] == config.to_dict()
    assert settings["iou_threshold"] == 0.5 and settings["dontcare_ioa"] == 0.5 and settings["ignore_case"] is True
    assert settings["detector"] == {} and settings["recognizer"] == {}  # stand-ins have no settings
    json.dumps(report)  # written as eval.json


def test_report_records_the_detector_and_recognizer_settings(tmp_path):
    torch = pytest.importorskip("torch")
    from modules.detector import Detector, DetectorConfig
    from modules.detector.config import DetectConfig
    from modules.detector.model import YoloDetector
    from modules.recognizer.config import ModelConfig, Preprocess
    from modules.recognizer.model import build_model
    from modules.recognizer.recognize import Recognizer
    from modules.text.charset import Charset

    torch.manual_seed(0)
    det_config = DetectorConfig(width_mult=0.25, head_width=16, input_size=128)
    detector = Detector(YoloDetector(det_config), det_config, device="cpu", score_threshold=0.05,
                        tta_scales=(1.0, 1.25), max_detections=3)
    charset = Charset.from_chars("안녕하세요")
    rec_config = ModelConfig(num_class=len(charset) + 1, output_channel=16, hidden_size=8, jamo_head=False)
    recognizer = Recognizer(build_model(rec_config), charset, Preprocess())
    report = evaluate_ocr(OCR(detector, recognizer), [_record(tmp_path)], progress=False)
    settings = report["settings"]
    assert settings["detector"]["score_threshold"] == 0.05 and settings["detector"]["tta_scales"] == [1.0, 1.25]
    assert settings["detector"]["resolved_tta_sizes"] == [128, 160] and settings["detector"]["model"] == det_config.to_dict()
    assert set(DetectConfig().to_dict()) <= set(settings["detector"])
    assert settings["recognizer"] == {"model": rec_config.to_dict(), "preprocess": Preprocess().to_dict()}
    assert settings["ocr"] == OCRConfig().to_dict()
    json.dumps(report)
