"""Export trained checkpoints to ONNX and check them against PyTorch.

    python -m modules.export --recognizer saved_models/x/best_accuracy.pth --detector saved_models/yolo/y/best.pt \\
                             --out exported/

Writes ``recognizer.onnx`` (CTC; dynamic batch + width; charset and preprocessing in its metadata, so
``modules.recognizer.onnx_recognizer.OnnxRecognizer`` runs it alone) and ``detector.onnx`` (dynamic batch + size), and
prints the largest absolute difference between PyTorch and onnxruntime on random inputs. A missing,
corrupt or foreign checkpoint is named with the reason, exit status 2, before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from modules.export.onnx import export_detector, export_recognizer, parity


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modules.export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recognizer", type=Path, help="recognizer checkpoint (.pth)")
    parser.add_argument("--detector", type=Path, help="detector checkpoint (.pt)")
    parser.add_argument("--out", type=Path, default=Path("exported"), help="output folder")
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args(argv)
    if args.recognizer is None and args.detector is None:
        parser.error("give --recognizer and/or --detector")
    torch.manual_seed(0)
    from modules.checkpoint import CheckpointError
    from modules.detector.detect import Detector
    from modules.recognizer.recognize import Recognizer

    try:  # both loaded before anything is written, so a bad second checkpoint leaves no half export
        recognizer = None if args.recognizer is None else Recognizer.from_checkpoint(args.recognizer, device="cpu")
        detector = None if args.detector is None else Detector.from_checkpoint(args.detector, device="cpu")
    except CheckpointError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if recognizer is not None:
        path = export_recognizer(recognizer, args.out / "recognizer.onnx", opset=args.opset)
        c = recognizer.config
        widths = (c.img_w, c.img_w * 2) if c.transformation == "None" else (c.img_w,)
        diff = max(parity(recognizer, path, torch.rand(2, c.input_channel, c.img_h, w) * 2 - 1) for w in widths)
        print(f"{path}: {c.stages}, {len(recognizer.charset)} characters; max |PyTorch - ONNX| = {diff:.2e}")
    if detector is not None:
        path = export_detector(detector, args.out / "detector.onnx", opset=args.opset)
        size = detector.config.input_size
        diff = parity(detector, path, torch.rand(1, 3, size, size))
        print(f"{path}: input {size}x{size} (any multiple of 32); max |PyTorch - ONNX| = {diff:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
