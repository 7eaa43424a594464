"""Smoke run of the GPU path, on small synthetic data, in about a minute: the recognizer and the detector
each train a few steps with mixed precision, their checkpoints load back onto the device, the OCR reads a
scene with both models there, and the command line runs with ``--device``. Prints what ran in which
precision and exits non-zero on the first failure.

    .venv/bin/python -m tools.gpu_smoke                 # from the repository root; device "cuda" (a clear
                                                        # error at once without CUDA)
    .venv/bin/python -m tools.gpu_smoke --device cpu    # the same checks on the CPU (fp32)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from modules.detector import Detector, DetectorConfig, LossConfig, TrainConfig
from modules.detector.amp import amp_dtype as detector_amp_dtype
from modules.detector.dataset import Sample
from modules.detector.model import YoloDetector
from modules.detector.synthetic import make_scene
from modules.detector.train import fit
from modules.device import DeviceError, resolve_device
from modules.imageio import write_image
from modules.ocr import OCR
from modules.ocr.__main__ import main as ocr_main
from modules.recognizer import Recognizer
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.model import build_model
from modules.recognizer.preprocess import resize
from modules.recognizer.synth import render_word
from modules.recognizer.train import OptimConfig, Trainer
from modules.text.charset import Charset

REPO_ROOT = Path(__file__).resolve().parents[1]
FONT = REPO_ROOT / "textimagegenerator" / "fonts" / "NanumGothic.ttf"
WORDS = ["서울", "카페", "OPEN", "병원", "2024", "택시"]


def train_recognizer(device: torch.device, out: Path, steps: int = 20) -> Path:
    charset = Charset.from_chars(sorted(set("".join(WORDS))))
    config = ModelConfig(num_class=len(charset) + 1, output_channel=64, hidden_size=32, batch_norm=True,
                         img_w=128, batch_max_length=8)
    pre = Preprocess(img_w=128)
    torch.manual_seed(0)
    trainer = Trainer(build_model(config, charset).to(device), charset, pre, OptimConfig(num_iter=steps, lr=3e-3))
    crops = [resize(render_word(w, FONT, seed=i), pre) for i, w in enumerate(WORDS * 4)]
    images = torch.from_numpy(np.stack(crops))
    labels = WORDS * 4
    tic = time.perf_counter()
    losses = [trainer.step(images, labels) for _ in range(steps)]
    if not all(np.isfinite(losses)):
        raise RuntimeError(f"recognizer loss not finite: {losses}")
    print(f"recognizer: {steps} steps on {device} with autocast {trainer.amp_dtype}, "
          f"loss {losses[0]:.3f} -> {losses[-1]:.3f} ({time.perf_counter() - tic:.1f} s)")
    return trainer.save(out / "rec.pth")


def train_detector(device: torch.device, out: Path) -> Path:
    rng = np.random.default_rng(0)
    samples = []
    for i in range(8):
        image, boxes, classes = make_scene(rng, [FONT], width=256, height=192, words=3)
        samples.append(Sample(image, boxes.astype(np.float32), classes, 1.0, f"scene{i}"))
    config = DetectorConfig(width_mult=0.25, head_width=16, input_size=256)
    torch.manual_seed(0)
    model = YoloDetector(config).to(device)
    tic = time.perf_counter()
    history = fit(model, samples[:6], samples[6:], TrainConfig(epochs=2, batch_size=3, train_size=256,
                                                                warmup_steps=2, lr=2e-3),
                  LossConfig(), out / "det", log=lambda _: None)
    if not all(np.isfinite(h["loss"]) for h in history):
        raise RuntimeError(f"detector loss not finite: {history}")
    print(f"detector: {len(history)} epochs on {device} with autocast {detector_amp_dtype(device)}, "
          f"loss {history[0]['loss']:.3f} -> {history[-1]['loss']:.3f} ({time.perf_counter() - tic:.1f} s)")
    return out / "det" / "best.pt"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda", help="device to smoke-test (default: cuda)")
    args = parser.parse_args(argv)
    try:
        device = resolve_device(args.device)
    except DeviceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"torch {torch.__version__}, CUDA build {torch.version.cuda}, device {device} ({name})")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        rec_path, det_path = train_recognizer(device, out), train_detector(device, out)
        recognizer = Recognizer.from_checkpoint(rec_path, device=device)
        detector = Detector.from_checkpoint(det_path, device=device)
        if recognizer.device.type != device.type or detector.device.type != device.type:
            raise RuntimeError(f"models landed on {recognizer.device} / {detector.device}, not {device}")
        ocr = OCR.from_checkpoints(det_path, rec_path, device=device)
        rng = np.random.default_rng(1)
        scene, _, _ = make_scene(rng, [FONT], width=320, height=240, words=3)
        page = ocr(scene)
        print(f"OCR on {ocr.detector.device} / {ocr.recognizer.device}: {len(page.words)} "
              f"word(s) read from a synthetic scene")
        write_image(out / "scene.png", scene)
        code = ocr_main([str(out / "scene.png"), "--detector", str(det_path), "--recognizer", str(rec_path),
                         "--device", str(device), "--json", str(out / "res.json")])
        if code != 0 or not (out / "res.json").exists():
            raise RuntimeError(f"python -m modules.ocr --device {device} exited {code}")
    print(f"gpu_smoke: ok on {device} ({name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
