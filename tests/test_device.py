"""Device choice: "auto" everywhere, a clear error for a GPU the machine lacks, both OCR models on one device.

CUDA presence is set with monkeypatch, so these tests mean the same on a machine with or without a GPU
(they never touch a GPU: resolving "cuda" only builds a ``torch.device``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from modules.detector import Detector, DetectorConfig
from modules.detector.checkpoint import save_checkpoint as save_detector
from modules.detector.model import YoloDetector
from modules.device import DeviceError, resolve_device
from modules.ocr import OCR
from modules.recognizer import Recognizer
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.model import build_model
from modules.recognizer.train import OptimConfig, Trainer
from modules.text.charset import Charset
from test_ocr_fakes import FakeDetector, FakeRecognizer

SMALL = DetectorConfig(width_mult=0.25, head_width=16, input_size=128)
CHARSET = Charset.from_chars("가나ab")


@pytest.fixture
def no_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


@pytest.fixture
def checkpoints(tmp_path: Path) -> tuple[Path, Path]:
    torch.manual_seed(0)
    save_detector(tmp_path / "det.pt", YoloDetector(SMALL), SMALL, epoch=1)
    config = ModelConfig(num_class=len(CHARSET) + 1, output_channel=32, hidden_size=16, batch_max_length=6,
                         jamo_head=False)
    rec = Trainer(build_model(config), CHARSET, Preprocess(), OptimConfig(num_iter=2)).save(tmp_path / "rec.pth")
    return tmp_path / "det.pt", rec


@pytest.mark.parametrize("value", [None, "", "auto", "AUTO", " auto "])
def test_auto_is_cuda_when_present_else_cpu(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device(value) == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device(value) == torch.device("cuda")


def test_the_default_of_this_machine() -> None:
    assert resolve_device() == torch.device("cuda" if torch.cuda.is_available() else "cpu")


def test_cuda_without_cuda_is_a_clear_error(no_cuda: None) -> None:
    with pytest.raises(DeviceError) as error:
        resolve_device("cuda:0")
    assert str(error.value) == (
        f"device 'cuda:0' asked for, but CUDA is not available on this machine (torch {torch.__version__}, "
        f"CUDA build: {torch.version.cuda or 'none'}): use device 'auto' or 'cpu'")
    assert resolve_device("cpu") == torch.device("cpu")


def test_unknown_names_and_missing_gpu_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(DeviceError, match=r"^unknown device 'gpu': use auto, cpu, cuda or cuda:N$"):
        resolve_device("gpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert resolve_device("cuda:0") == torch.device("cuda:0")
    with pytest.raises(DeviceError, match=r"^device 'cuda:1' asked for, but this machine has 1 CUDA device\(s\)$"):
        resolve_device("cuda:1")


def test_apis_default_to_auto_and_refuse_cuda_without_it(no_cuda: None, checkpoints: tuple[Path, Path]) -> None:
    det_path, rec_path = checkpoints
    detector, recognizer = Detector.from_checkpoint(det_path), Recognizer.from_checkpoint(rec_path)
    assert detector.device == torch.device("cpu") and recognizer.device == torch.device("cpu")
    for load in (lambda: Detector.from_checkpoint(det_path, device="cuda"),
                 lambda: Recognizer.from_checkpoint(rec_path, device="cuda"),
                 lambda: OCR.from_checkpoints(det_path, rec_path, device="cuda")):
        with pytest.raises(DeviceError, match="^device 'cuda' asked for, but CUDA is not available"):
            load()


def test_ocr_puts_both_models_on_one_device(no_cuda: None, checkpoints: tuple[Path, Path]) -> None:
    ocr = OCR.from_checkpoints(*checkpoints)
    assert ocr.detector.device == ocr.recognizer.device == torch.device("cpu")
    detector, recognizer = FakeDetector(), FakeRecognizer()
    detector.device, recognizer.device = torch.device("cpu"), torch.device("cuda:0")
    with pytest.raises(ValueError) as error:
        OCR(detector, recognizer)
    assert str(error.value) == ("the detector is on cpu and the recognizer on cuda:0: load both on one device "
                                "(OCR.from_checkpoints(device=...))")
