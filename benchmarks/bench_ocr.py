"""End-to-end OCR throughput: images/s for 640-px photos with about 10 words, on CPU.

Photos: scenes drawn by the project's scene renderer (``modules.generator.scene``) in the held-out test
fonts, with words from the shipped corpus: what the trained models are evaluated on.

    .venv/bin/python -m benchmarks.bench_ocr            # latest run_all checkpoints, else random (repo root)
    .venv/bin/python -m benchmarks.bench_ocr --images 30 --threads 2
    .venv/bin/python -m benchmarks.bench_ocr --shipped  # the shipped pretrained models (models/pretrained/)
    .venv/bin/python -m benchmarks.bench_ocr --random   # force randomly initialised models
    .venv/bin/python -m benchmarks.bench_ocr --onnx     # the same models exported, run with onnxruntime
    .venv/bin/python -m benchmarks.bench_ocr --det-single   # detector once per image, not at three sizes

Models: the checkpoints of the latest ``run_all.py`` run (``modules.ocr.latest_run``) when present;
otherwise randomly initialised models of the default profile's configurations (yolo_train's defaults for
the detector: MobileNet v1 x0.25, head width 32, 512 input; 05_train's defaults for the recognizer:
None-VGG-BiLSTM-CTC, 128 feature channels with BatchNorm, hidden 128, 32x128 gray, with the KS X 1001 Hangul +
printable ASCII charset),
saved to a temporary checkpoint and loaded through the normal API. A random detector finds nothing
meaningful, so in that mode the detector still runs in full (letterbox, network, decode, NMS: its cost is
counted) but its boxes are replaced by the drawn words' true boxes, so the recognizer reads as many crops
as in a real photo. The script prints which models it used.

The detector runs with the OCR's defaults (``modules.ocr.api.detector_defaults``: three input sizes, fused; large photos also at two more).
Timing: each image is one ``OCR.read`` call (what a user calling ``ocr(image)`` gets), after 2 warm-up
images; images/s = images / wall seconds. Trains nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from modules.ocr import OCR, OCRConfig
from modules.ocr.api import detector_defaults
from modules.ocr.latest_run import RunCheckpoint, find_latest_checkpoints

REPO_ROOT = Path(__file__).resolve().parents[1]

def make_photo(rng: np.random.Generator, rows: list, fonts: list, cache, size: int = 640, words: int = 10
               ) -> tuple[np.ndarray, np.ndarray]:
    """A ``size x (3/4 size)`` RGB scene drawn by the project's scene renderer (as the test scenes are:
    panels, backgrounds, rotations, blur; fewer than ``words`` words when they do not fit) and its words'
    ``(N, 4) float32 xyxy`` boxes."""
    from modules.generator.scene import render_scene

    scene = render_scene(rng, rows, fonts, cache, size=(size, size * 3 // 4), words=(words, words), p_illegible=0.0)
    boxes = [(x, y, x + w, y + h) for x, y, w, h in (word.bbox() for word in scene.words)]
    return scene.image, np.asarray(boxes, dtype=np.float32).reshape(-1, 4)


class TrueBoxes:
    """Runs the wrapped (random) detector in full, then returns the photo's true word boxes instead."""

    def __init__(self, detector) -> None:
        self.detector = detector
        self.boxes: np.ndarray = np.zeros((0, 4), np.float32)

    def detect(self, images, batch_size=8):
        self.detector.detect(images, batch_size=batch_size)
        return [(self.boxes, np.ones(len(self.boxes), np.float32)) for _ in images]


def random_checkpoints(folder: Path) -> tuple[Path, Path]:
    """Randomly initialised detector / recognizer of the default configurations, saved as checkpoints."""
    from modules.detector.checkpoint import save_checkpoint as save_detector
    from modules.detector.config import DetectorConfig
    from modules.detector.model import YoloDetector
    from modules.recognizer.checkpoint import save_checkpoint as save_recognizer
    from modules.recognizer.config import ModelConfig, Preprocess
    from modules.recognizer.model import build_model
    from modules.text.charset import Charset, ksx1001_hangul, printable_ascii

    torch.manual_seed(0)
    det_config = DetectorConfig()  # yolo_train's defaults
    save_detector(folder / "det.pt", YoloDetector(det_config), det_config, epoch=0)
    charset = Charset.from_chars([*ksx1001_hangul(), *printable_ascii()])
    model = build_model(ModelConfig(num_class=len(charset) + 1), charset)  # 05_train's defaults
    save_recognizer(folder / "rec.pth", model, charset, Preprocess())
    return folder / "det.pt", folder / "rec.pth"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=20, help="timed images (after 2 warm-up images)")
    parser.add_argument("--size", type=int, default=640, help="photo width in pixels (height = 3/4)")
    parser.add_argument("--words", type=int, default=10, help="words per photo")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--detector", type=Path, help="detector checkpoint (default: latest run, else random)")
    parser.add_argument("--recognizer", type=Path, help="recognizer checkpoint (default: latest run, else random)")
    parser.add_argument("--random", action="store_true", help="use randomly initialised default models")
    parser.add_argument("--shipped", action="store_true", help="use the shipped pretrained models")
    parser.add_argument("--batch-size", type=int, default=64, help="recognizer batch size")
    parser.add_argument("--onnx", action="store_true", help="export both models and run them with onnxruntime")
    parser.add_argument("--det-single", action="store_true",
                        help="run the detector once per image instead of at the OCR's three input sizes")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    from modules.generator.corpus import read_corpus
    from modules.generator.fonts import load_fonts
    from modules.generator.glyphs import GlyphCache

    rows, _ = read_corpus(REPO_ROOT / "textimagegenerator" / "sample_data.xlsx")
    fonts, _ = load_fonts(REPO_ROOT / "textimagegenerator" / "fonts", split="test")  # held out of training
    rng, cache = np.random.default_rng(0), GlyphCache()
    photos = [make_photo(rng, rows, fonts, cache, args.size, args.words) for _ in range(args.images + 2)]
    drawn = sum(len(boxes) for _, boxes in photos[2:]) / args.images
    config = OCRConfig(rec_batch_size=args.batch_size)
    with tempfile.TemporaryDirectory() as tmp:
        latest = {"detector": None, "recognizer": None} if args.random else find_latest_checkpoints(root=REPO_ROOT)
        if args.shipped:
            from modules.shipped import shipped_checkpoints

            latest = {kind: RunCheckpoint(path, "shipped", "-") for kind, path in shipped_checkpoints().items()}
        det_path = args.detector or (latest["detector"].path if latest["detector"] else None)
        rec_path = args.recognizer or (latest["recognizer"].path if latest["recognizer"] else None)
        random_models = det_path is None or rec_path is None
        if random_models:
            det_path, rec_path = random_checkpoints(Path(tmp))
            print("models: RANDOMLY INITIALISED default configurations (no run_all checkpoints found or --random)")
        else:
            # a path given on the command line is what was loaded; otherwise name the run it came from
            det_source = args.detector or latest["detector"]
            rec_source = args.recognizer or latest["recognizer"]
            print(f"models: detector {det_source}\n        recognizer {rec_source}")
        from modules.detector.detect import Detector
        from modules.recognizer.recognize import Recognizer

        options = detector_defaults({"tta_scales": (), "large_photo_scales": ()} if args.det_single else None)
        detector = Detector.from_checkpoint(det_path, device="cpu", **options)
        recognizer = Recognizer.from_checkpoint(rec_path, device="cpu")
        if args.onnx:
            from modules.detector.onnx_detector import onnx_detector
            from modules.export.onnx import export_detector, export_recognizer
            from modules.recognizer.onnx_recognizer import OnnxRecognizer

            detector = onnx_detector(export_detector(detector, Path(tmp) / "det.onnx"), threads=args.threads,
                                     input_size=detector.input_size, score_threshold=detector.score_threshold,
                                     tta_scales=options["tta_scales"],
                                     large_photo_scales=options["large_photo_scales"])
            recognizer = OnnxRecognizer(export_recognizer(recognizer, Path(tmp) / "rec.onnx"), threads=args.threads)
            print("runtime: onnxruntime (CPU)")
        if random_models:
            detector = TrueBoxes(detector)
        ocr = OCR(detector, recognizer, config)
        words, seconds = 0, 0.0
        for i, (photo, boxes) in enumerate(photos):
            if random_models:
                detector.boxes = boxes
            started = time.perf_counter()
            page = ocr.read([photo])[0]
            if i >= 2:  # the first two are warm-up
                seconds += time.perf_counter() - started
                words += len(page.words) if not random_models else len(boxes)
    h = args.size * 3 // 4
    print(f"{args.images} generated scenes of {args.size}x{h} with {drawn:.1f} words, {args.threads} threads: "
          f"{args.images / seconds:.2f} images/s ({1000 * seconds / args.images:.0f} ms/image, "
          f"{words / args.images:.1f} words {'read' if random_models else 'recognized'} per image)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
