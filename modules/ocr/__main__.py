"""Command line: OCR an image or every image in a folder.

    python -m modules.ocr IMAGE_OR_FOLDER [--detector CKPT] [--recognizer CKPT] [--json OUT.json]
                          [--draw OUT_DIR] [--lines] [--recursive]

Without ``--detector`` / ``--recognizer`` the shipped pretrained models (``models/pretrained/``) are used,
or with ``--latest-run`` the checkpoints the latest ``run_all.py`` run recorded; which ones is printed. Two ``.onnx`` files (from ``python -m modules.export``) run on onnxruntime instead of PyTorch. A file that is not a readable image is reported and skipped; the rest still run. ``--json``
writes ``{"pages": [...], "skipped": [{"file", "reason"}]}`` (sub-folders left out without ``--recursive``
are listed there too); ``--draw`` writes ``<name>.jpg`` per image with the boxes and text drawn, ``<name>``
distinct per image (``photo.jpg`` and ``photo.png`` -> ``photo_jpg.jpg``, ``photo_png.jpg``). ``--json`` and
``--draw`` are checked to be writable before any image is read. Exit status: 0 if at least one image was
read (skipped files are listed and counted), 1 if none was, 2 for bad arguments (an unavailable
``--device``, an unwritable output, ``--batch-size`` <= 0) or missing / unreadable checkpoints.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

from tqdm.auto import tqdm

from modules.device import DeviceError, resolve_device
from modules.imageio import ImageReadError, read_image, write_bytes_atomic, write_image
from modules.ocr.api import OCR, VERTICAL_MODES, OCRConfig
from modules.ocr.draw import draw_page
from modules.ocr.files import IMAGE_SUFFIXES, list_inputs, skipped_folders
from modules.ocr.output_names import output_names


def check_writable(path: Path, folder: bool) -> str:
    """Why ``path`` (an output file, or with ``folder`` an output folder) cannot be written; "" when it
    can. Missing parent folders are created, and a probe file is written and removed, so that a run
    never fails at its end with its results lost."""
    target = path if folder else path.parent
    if path.exists() and path.is_dir() != folder:
        return "is a folder" if path.is_dir() else "is a file, not a folder"
    existing = next((p for p in (target, *target.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        return f"{existing} is a file, not a folder"
    try:
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target, prefix=".kocr-write-check-"):
            pass
    except OSError as error:
        return error.strerror or str(error)
    return ""


def argument_error(args: argparse.Namespace) -> str:
    """The first problem with the arguments that would stop or spoil the run, checked before any image
    is read; "" when there is none."""
    if args.batch_size <= 0:
        return f"--batch-size must be a positive number of crops, got {args.batch_size}"
    try:
        resolve_device(args.device)
    except DeviceError as error:
        return f"--device: {error}"
    for option, path, folder in (("--json", args.json, False), ("--draw", args.draw, True)):
        if path is not None:
            reason = check_writable(path, folder)
            if reason:
                return f"cannot write {option} {path}: {reason}"
    return ""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m modules.ocr", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("input", type=Path, help="an image or a folder of images")
    parser.add_argument("--detector", type=Path, help="detector checkpoint (.pt); default: the shipped one")
    parser.add_argument("--recognizer", type=Path, help="recognizer checkpoint (.pth); default: the shipped one")
    parser.add_argument("--latest-run", action="store_true",
                        help="use the latest run_all.py run's models (the paths its summary recorded) for those not given")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write all results to this JSON file")
    parser.add_argument("--draw", type=Path, metavar="OUT_DIR", help="write each image with boxes + text here")
    parser.add_argument("--lines", action="store_true", help="print lines instead of words")
    parser.add_argument("--recursive", action="store_true", help="descend into sub-folders")
    parser.add_argument("--device", default="auto",
                        help="torch device: auto (CUDA when available, else CPU), cpu, cuda or cuda:N")
    parser.add_argument("--batch-size", type=int, default=OCRConfig.rec_batch_size, help="crops per recognizer batch")
    parser.add_argument("--decoder", choices=("greedy", "beam"), default=OCRConfig.decoder)
    parser.add_argument("--margin", type=float, default=OCRConfig.margin,
                        help="crop margin, fraction of the box's shorter side")
    parser.add_argument("--one-crop", action="store_true",
                        help="read each box from one crop (faster); by default four more crops, longer and / or "
                             "taller (OCRConfig.extra_margins), are read too and the most confident reading wins")
    parser.add_argument("--wide-width", type=int, default=OCRConfig.wide_width,
                        help="read crops longer than the recognizer's input again at their own aspect, up to this "
                             "width, the most confident reading winning (0: off)")
    parser.add_argument("--vertical", choices=VERTICAL_MODES, default=OCRConfig.vertical,
                        help="how tall boxes (vertical words) are read")
    parser.add_argument("--det-size", type=int, help="detector input side, a multiple of 32 (default: the checkpoint's)")
    parser.add_argument("--det-threshold", type=float, help="detector score threshold (default: the detector's)")
    parser.add_argument("--det-single", action="store_true",
                        help="run the detector once, at its input size (faster); by default it runs at 0.8x, 1x "
                             "and 1.25x that size, a large photo also at 2x and 3x, and the boxes are fused")
    parser.add_argument("--min-confidence", type=float, default=OCRConfig.min_confidence,
                        help="drop words read with a lower confidence (0 keeps every detected box)")
    parser.add_argument("--runs-dir", default="runs", help="where run_all.py runs live (for --latest-run)")
    return parser


def main(argv: list[str] | None = None, ocr: OCR | None = None) -> int:
    """Run the CLI; ``ocr`` may be given (tests) instead of loading checkpoints."""
    args = build_parser().parse_args(argv)
    try:
        files = list_inputs(args.input, args.recursive)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    problem = argument_error(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    if ocr is None:
        config = OCRConfig(margin=args.margin, rec_batch_size=args.batch_size, decoder=args.decoder,
                           vertical=args.vertical, min_confidence=args.min_confidence, wide_width=args.wide_width,
                           **({"extra_margins": ()} if args.one_crop else {}))
        try:
            options = {k: v for k, v in (("input_size", args.det_size), ("score_threshold", args.det_threshold))
                       if v is not None}
            if args.det_single:
                options.update(tta_scales=(), large_photo_scales=())
            if args.detector and args.recognizer and {args.detector.suffix, args.recognizer.suffix} == {".onnx"}:
                ocr = OCR.from_onnx(args.detector, args.recognizer, config, detector_options=options)
            else:
                ocr = OCR.from_checkpoints(args.detector, args.recognizer, device=args.device, config=config,
                                           runs_dir=args.runs_dir, detector_options=options,
                                           models="run" if args.latest_run else "shipped", announce=False)
        except (FileNotFoundError, ValueError) as error:  # CheckpointError and DeviceError are ValueErrors
            print(f"error: {error}", file=sys.stderr)
            return 2
        for kind in ("detector", "recognizer"):
            print(f"{kind}: {ocr.sources.get(kind)}", file=sys.stderr)

    pages, skipped = [], []
    reasons: Counter[str] = Counter()
    for folder in skipped_folders(args.input, args.recursive):
        print(f"skipped {folder}: sub-folder (read with --recursive)", file=sys.stderr)
        skipped.append({"file": str(folder), "reason": "sub-folder (read with --recursive)"})
        reasons["sub-folder"] += 1
    names = output_names(files, args.input if args.input.is_dir() else None)
    for path in tqdm(files, desc="ocr", unit="img", disable=len(files) < 2):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            reason = f"not an image file ({path.suffix or 'no extension'})"
        else:
            try:
                image = read_image(path)
            except ImageReadError as error:
                reason = str(error).removeprefix(f"{path}: ")
            else:
                reason = ""
        if reason:
            tqdm.write(f"skipped {path}: {reason}", file=sys.stderr)
            skipped.append({"file": str(path), "reason": reason})
            reasons[reason.split(" (")[0]] += 1
            continue
        page = replace(ocr.read([image])[0], source=str(path))
        pages.append(page)
        items = page.as_tuples(merge_lines=args.lines)
        print(f"== {path} ({len(items)} {'lines' if args.lines else 'words'})")
        for box, text, confidence in items:
            coords = ",".join(f"{v:.0f}" for point in box for v in point)
            print(f"{text}\t{confidence:.3f}\t{coords}")
        if args.draw is not None:
            write_image(args.draw / f"{names[path]}.jpg", draw_page(image, page))

    if args.json is not None:
        payload = {"pages": [p.to_dict() for p in pages], "skipped": skipped}
        write_bytes_atomic(args.json, json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8"))
    summary = f"{len(pages)} image(s) read, {len(skipped)} skipped"
    if reasons:
        summary += " (" + ", ".join(f"{n} {r}" for r, n in reasons.most_common()) + ")"
    print(summary, file=sys.stderr)
    return 0 if pages else 1


if __name__ == "__main__":
    sys.exit(main())
