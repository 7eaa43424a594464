"""End-to-end OCR: detect words -> crop them from the original image -> recognize in batches -> order.

    from modules.ocr import OCR
    ocr = OCR.from_checkpoints()     # the shipped models; models="run": the latest run_all.py run's
    ocr = OCR.from_checkpoints(detector="saved_models/yolo/exp/best.pt",
                               recognizer="saved_models/exp/best_accuracy.pth")
    page = ocr("photo.jpg")          # Page: lines -> words (4-point box, text, confidence)
    for box, text, confidence in page.as_tuples():  # reading order; merge_lines=True for lines
        ...
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image

from modules.geometry.crop import crop_quad, ink_extent, tile_vertical, upright_vertical
from modules.geometry.quads import Quad, quad_from_xyxy
from modules.geometry.rgb import image_array
from modules.geometry.vertical import VERTICAL_RATIO, is_vertical
from modules.imageio import read_image
from modules.ocr.reading_order import group_lines
from modules.ocr.result import Page, Word
from modules.text.normalize import nfc

ImageInput = str | os.PathLike | Image.Image | np.ndarray
VERTICAL_MODES = ("auto", "tile", "rotate", "none")


class DetectorLike(Protocol):
    def detect(self, images: Sequence[np.ndarray], batch_size: int = 8) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per image: ``(N, 4) float32 xyxy`` boxes in original pixels and ``(N,)`` scores."""


class RecognizerLike(Protocol):
    def recognize(
        self, images: Sequence[np.ndarray], batch_size: int = 64, decoder: str = "greedy", max_width: int = 0
    ) -> list[tuple[str, float]]:
        """Per crop: ``(text, confidence)``; ``max_width`` (passed only when non-zero): also read long crops
        at their own aspect up to this width and keep the more confident reading."""


@dataclass(frozen=True)
class OCRConfig:
    """Inference settings of the end-to-end pipeline; the detector's own are its ``DetectConfig``.

    Every evaluation report records them (``OCR.settings``). Like every setting of this project they are
    chosen on the validation crops and the dev scenes, never on the test scenes (the comparisons are in
    ``docs/experiments.md``).
    """

    margin: float = 0.05  # crop margin on every side, fraction of the box's shorter side (the annotated
    # boxes the detector learns already hold about a tenth of the text height around the characters)
    extra_margins: tuple[tuple[float, float], ...] = ((0.2, 0.05), (0.05, 0.15), (0.4, 0.05), (0.2, 0.15))
    # more crops per box, each (along, across) the text in fractions of its shorter side: a detector's box
    # edges are often off by ±0.2 of the text height along a word and ±0.12 across it, so a cut end or a
    # clipped row is read again from a longer / taller crop and the most confident reading wins; each crop
    # costs one more recognizer pass per box, so there are few. () reads one crop per box
    det_batch_size: int = 8  # images per detector batch
    rec_batch_size: int = 64  # crops per recognizer batch
    wide_width: int = 256  # crops longer than the recognizer's input width are read again at their own
    # aspect, up to this width, and the more confident reading wins (CTC without TPS; 0: off). Wide enough
    # for the long phrases of signs; wider caps change little and cost more
    decoder: str = "greedy"  # recognizer decoder: "greedy" or "beam"
    min_score: float = 0.0  # drop detections scoring below this (the detector's own threshold applies first)
    min_confidence: float = 0.4  # drop words recognized with a lower confidence: most of them are misread
    # (a box on background, half a word), so the filter drops more wrong words than right ones; 0 keeps
    # every box
    drop_empty: bool = True  # drop words whose recognized text is empty
    line_overlap: float = 0.5  # vertical overlap (of the smaller height) for two words to share a line
    max_gap: float | None = None  # split a line at gaps wider than this many line heights (None: never)
    vertical: str = "tile"  # boxes >= vertical_ratio times taller than wide: "tile" (cut into one band per
    # character laid side by side, for several counts, as 01_make_gtdata trains the recognizer; the most
    # confident reading wins), "auto" (also read as is and turned 90° counter-clockwise), "rotate" (turned
    # only) or "none" (as is). "tile" rather than "auto": a tall box squeezed into one line tends to be
    # read as one confident wrong syllable, which then beats the tiled reading
    vertical_ratio: float = VERTICAL_RATIO  # height / width from which a box counts as a vertical word
    tile_stretch: float = 1.25  # a vertical box is tiled for every character count from h / w up to this
    # times h / w: glyphs are about square, letter spacing makes a column longer than its count
    tile_counts: int = 4  # at most this many character counts tried per crop
    ink_pad: float = 0.1  # the ink column cut from a vertical crop keeps this fraction of its width above
    # and below, so the first and last characters are not clipped

    def __post_init__(self) -> None:
        # JSON and notebook parameters give lists: store tuples so the config stays hashable and frozen
        object.__setattr__(self, "extra_margins", tuple((float(a), float(b)) for a, b in self.extra_margins))
        if self.vertical not in VERTICAL_MODES:
            raise ValueError(f"vertical must be one of {VERTICAL_MODES}, got {self.vertical!r}")
        if self.tile_counts < 1:
            raise ValueError(f"tile_counts must be at least 1, got {self.tile_counts}")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["extra_margins"] = [list(m) for m in self.extra_margins]
        return data


def detector_defaults(options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The detector options the OCR uses, updated with ``options``: the detector runs at the sizes of
    ``modules.detector.config.TTA_SCALES`` (0.8x, 1x and 1.25x its input size) and the boxes are fused,
    which finds more of the small and the large words at three times the detector's cost; a photo at least
    twice or three times the input size is also run at those sizes (``LARGE_PHOTO_SCALES``), where small
    text in a large photo is still big enough to find."""
    from modules.detector.config import LARGE_PHOTO_SCALES, TTA_SCALES  # imported late: reading results needs no torch

    return {"tta_scales": TTA_SCALES, "large_photo_scales": LARGE_PHOTO_SCALES, **dict(options or {})}


MODEL_SOURCES = ("shipped", "run")


def default_checkpoints(models: str = "shipped", runs_dir: str | os.PathLike = "runs") -> dict[str, tuple[Path, str]]:
    """``{"detector": (path, source), "recognizer": (path, source)}``: the shipped models (``models=
    "shipped"``, verified against ``SHA256SUMS``) or the latest ``run_all.py`` run's (``"run"``); ``source``
    says which, for printing. Raises ``FileNotFoundError`` naming what is missing."""
    if models == "shipped":
        from modules.shipped import PRETRAINED_DIR, ShippedModelError, shipped_checkpoints

        try:
            paths = shipped_checkpoints()
        except ShippedModelError as error:
            raise FileNotFoundError(f"shipped models unusable: {error}") from error
        return {kind: (path, f"{path} (shipped, {PRETRAINED_DIR / 'model_card.md'})") for kind, path in paths.items()}
    from modules.ocr.latest_run import find_latest_checkpoints

    latest = find_latest_checkpoints(runs_dir)
    missing = [kind for kind, found in latest.items() if found is None]
    if missing:
        raise FileNotFoundError(f"no {' or '.join(missing)} checkpoint recorded by a run_all.py run under {runs_dir}/: "
                                "run run_all.py first, or use the shipped models")
    return {kind: (found.path, f"{found} (latest run)") for kind, found in latest.items()}


def load_image(image: ImageInput) -> tuple[np.ndarray, str]:
    """Any accepted input -> ``((H, W, 3) uint8 RGB, source name)``.

    Paths are read with ``modules.imageio.read_image`` (Unicode-safe; raises ``ImageReadError``);
    PIL images are converted to RGB; numpy arrays must be uint8 RGB ``(H, W, 3)``, RGBA or gray ``(H, W)``.
    Transparent pixels (RGBA arrays, PIL images with alpha or a transparent colour, PNG / WebP files)
    are composited on white.
    """
    if isinstance(image, (str, os.PathLike)):
        return read_image(image), str(image)
    if isinstance(image, Image.Image):
        return image_array(image), str(getattr(image, "filename", "") or "")
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8:  # the API's contract: a float array's scale is ambiguous here
            raise TypeError(f"numpy images must be uint8, got {image.dtype}")
        return image_array(image), ""
    raise TypeError(f"unsupported image type {type(image).__name__}: give a path, a PIL image or a numpy array")


def best_reading(readings: Sequence[tuple[str, float]]) -> tuple[str, float]:
    """The most confident ``(NFC text, confidence)``; a non-empty text beats an empty one (an all-blank
    CTC output can be very confident). The recognizer's own choice between a crop's squeezed and wide
    readings follows the same rule (``wide_read.more_confident``)."""
    from modules.recognizer.wide_read import more_confident  # late: the recognizer package loads torch

    text, confidence = functools.reduce(more_confident, readings)
    return nfc(text).strip(), float(confidence)


class OCR:
    """Detector + recognizer, run as one: ``OCR(...)(image) -> Page``."""

    def __init__(self, detector: DetectorLike, recognizer: RecognizerLike, config: OCRConfig | None = None):
        devices = {kind: getattr(model, "device", None) for kind, model in (("detector", detector),
                                                                              ("recognizer", recognizer))}
        if None not in devices.values() and str(devices["detector"]) != str(devices["recognizer"]):
            raise ValueError(f"the detector is on {devices['detector']} and the recognizer on "
                             f"{devices['recognizer']}: load both on one device (OCR.from_checkpoints(device=...))")
        self.detector = detector
        self.recognizer = recognizer
        self.config = config or OCRConfig()
        self.sources: dict[str, str] = {}  # where each checkpoint came from (set by from_checkpoints)

    @classmethod
    def from_checkpoints(
        cls,
        detector: str | os.PathLike | None = None,
        recognizer: str | os.PathLike | None = None,
        device: Any = "auto",
        config: OCRConfig | None = None,
        runs_dir: str | os.PathLike = "runs",
        detector_options: dict[str, Any] | None = None,
        models: str = "shipped",
        announce: bool = True,
    ) -> OCR:
        """Load both models; a path left as None comes from ``models``: ``"shipped"`` (the pretrained
        models in ``models/pretrained/``, checked against their checksums) or ``"run"`` (the latest
        ``run_all.py`` run under ``runs_dir``, from the paths its summary recorded).

        ``detector_options`` go to ``Detector.from_checkpoint`` (e.g. ``input_size``, ``score_threshold``)
        on top of ``detector_defaults()`` (multi-scale detection; ``{"tta_scales": ()}`` runs it once).
        Both models load onto one device: ``device`` through ``modules.device.resolve_device`` (None or
        "auto": CUDA when available, else CPU; ``DeviceError`` for a device this machine lacks).
        Raises ``FileNotFoundError`` naming what is missing. ``self.sources`` says where each model came
        from; ``announce`` also prints it.
        """
        from modules.device import resolve_device  # imported late: reading results needs no torch

        if models not in MODEL_SOURCES:
            raise ValueError(f"models must be one of {', '.join(MODEL_SOURCES)}, got {models!r}")
        device = resolve_device(device)
        sources = {"detector": str(detector) if detector else "", "recognizer": str(recognizer) if recognizer else ""}
        if detector is None or recognizer is None:
            found = default_checkpoints(models, runs_dir)
            for kind in ("detector", "recognizer"):
                if sources[kind]:
                    continue
                path, sources[kind] = found[kind]
                if kind == "detector":
                    detector = path
                else:
                    recognizer = path
        for kind, path in (("detector", detector), ("recognizer", recognizer)):
            if not Path(path).is_file():
                raise FileNotFoundError(f"{kind} checkpoint not found: {path}")
        from modules.detector.detect import Detector  # imported late: torch models are not needed to read results
        from modules.recognizer.recognize import Recognizer

        ocr = cls(
            Detector.from_checkpoint(detector, device=device, **detector_defaults(detector_options)),
            Recognizer.from_checkpoint(recognizer, device=device),
            config,
        )
        ocr.sources = sources
        for kind, source in sources.items() if announce else ():
            print(f"{kind}: {source}")
        return ocr

    @classmethod
    def from_onnx(
        cls,
        detector: str | os.PathLike,
        recognizer: str | os.PathLike,
        config: OCRConfig | None = None,
        threads: int = 0,
        detector_options: dict[str, Any] | None = None,
    ) -> OCR:
        """Both models from ONNX files written by ``python -m modules.export`` (run on onnxruntime; the
        recognizer must be CTC and decodes greedily)."""
        from modules.detector.onnx_detector import onnx_detector
        from modules.recognizer.onnx_recognizer import OnnxRecognizer

        for kind, path in (("detector", detector), ("recognizer", recognizer)):
            if not Path(path).is_file():
                raise FileNotFoundError(f"{kind} ONNX file not found: {path}")
        ocr = cls(onnx_detector(detector, threads, **detector_defaults(detector_options)),
                  OnnxRecognizer(recognizer, threads), config)
        ocr.sources = {"detector": str(detector), "recognizer": str(recognizer)}
        return ocr

    def __call__(self, image: ImageInput) -> Page:
        """OCR one image (path, PIL image or numpy RGB array) -> ``Page`` in reading order."""
        return self.read([image])[0]

    def readtext(self, image: ImageInput, merge_lines: bool = False) -> list[tuple[tuple, str, float]]:
        """EasyOCR-style ``[(4-point box, text, confidence), ...]`` in reading order (lines if ``merge_lines``)."""
        return self(image).as_tuples(merge_lines=merge_lines)

    def read(self, images: Sequence[ImageInput]) -> list[Page]:
        """OCR several images: one batched detector pass, then every crop of every image recognized in
        batches of ``config.rec_batch_size``. Unreadable paths raise ``ImageReadError``."""
        return [page for page, _ in self.read_detailed(images)]

    def crop_candidates(self, crop: np.ndarray, box_w: float, box_h: float) -> list[np.ndarray]:
        """The crop(s) to recognize for one box: vertical words also (or only) tiled / rotated.

        The number of stacked characters is not known. A column of ``n`` characters is ``h / w`` ~ n for
        square glyphs, more with letter spacing, less when the box is wider than the glyphs: the box is
        tiled for every ``n`` from ``floor(h / w)`` to ``ceil(s h / w)`` (``s = tile_stretch``; at most
        ``tile_counts`` values). A detector's box (and more so a longer extra crop) often holds background
        above or below the column, so the crop is also cut down to its ink
        (``modules.geometry.crop.ink_extent``, padded by ``ink_pad``) and that column is tiled too, for ``n``
        from ``floor(h / s w)`` to ``ceil(h / w)`` of the ink's size. The recognizer's confidence picks.
        """
        cfg = self.config
        ratio = box_h / max(box_w, 1.0)
        if cfg.vertical == "none" or not is_vertical(max(box_w, 1.0), box_h, cfg.vertical_ratio):
            return [crop]
        rotated = upright_vertical(crop)  # counter-clockwise: the top character ends left
        if cfg.vertical == "rotate":
            return [rotated]

        def tilings(image: np.ndarray, fewest: float, most: float) -> list[np.ndarray]:
            low = max(2, int(np.floor(fewest)))  # at most tile_counts character counts from low
            top = min(low + cfg.tile_counts - 1, int(np.ceil(most)))
            return [tile_vertical(image, n) for n in range(low, top + 1)]

        tiled = tilings(crop, ratio, cfg.tile_stretch * ratio)
        extent = ink_extent(crop)
        if extent is not None:
            y0, y1, x0, x1 = extent
            pad = max(1, int((x1 - x0) * cfg.ink_pad + 1e-9))
            ink_ratio = (y1 - y0) / max(x1 - x0, 1)
            tiled += tilings(crop[max(0, y0 - pad):y1 + pad], ink_ratio / cfg.tile_stretch, ink_ratio)
        return tiled if cfg.vertical == "tile" else [crop, *tiled, rotated]

    def box_candidates(self, image: np.ndarray, quad: Quad) -> list[np.ndarray]:
        """Every crop to recognize for one detected box: the crop with ``margin`` and one per
        ``extra_margins`` entry, each expanded by ``crop_candidates`` for vertical words. Empty when the
        box is degenerate (under 2 pixels once clipped to the image)."""
        cfg = self.config
        width, height = math.dist(quad[0], quad[1]), math.dist(quad[0], quad[3])
        out: list[np.ndarray] = []
        for along, across in ((cfg.margin, cfg.margin), *cfg.extra_margins):
            crop = crop_quad(image, quad, margin=across, along=along)
            if crop is None:
                return []
            out.extend(self.crop_candidates(crop, width, height))
        return out

    def recognize_crops(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """``[(text, confidence)]`` per crop, with the config's batch size, decoder and ``wide_width``."""
        if not crops:
            return []
        cfg = self.config
        wide = {"max_width": cfg.wide_width} if cfg.wide_width else {}  # only then: other recognizers work too
        return self.recognizer.recognize(crops, batch_size=cfg.rec_batch_size, decoder=cfg.decoder, **wide)

    def settings(self) -> dict[str, Any]:
        """Every setting this OCR reads with, for a report: ``ocr`` (``OCRConfig`` as a dict), ``detector``
        (``Detector.settings()``: its ``DetectConfig``, the input sizes they resolve to and the model's
        architecture) and ``recognizer`` (its model config and preprocessing). A stand-in model without
        them gives an empty dict in its place."""
        detector = getattr(self.detector, "settings", None)
        recognizer = {key: value.to_dict() for key, value in (("model", getattr(self.recognizer, "config", None)),
                                                              ("preprocess", getattr(self.recognizer, "preprocess", None)))
                      if hasattr(value, "to_dict")}
        return {"ocr": self.config.to_dict(), "detector": detector() if callable(detector) else {},
                "recognizer": recognizer}

    def read_detailed(self, images: Sequence[ImageInput]) -> list[tuple[Page, np.ndarray]]:
        """Like ``read``, also returning per image the detector's boxes kept before recognition
        (``(N, 4) float32 xyxy``, original pixels; detections under ``min_score`` removed), for evaluation."""
        cfg = self.config
        loaded = [load_image(image) for image in images]
        arrays = [array for array, _ in loaded]
        detections = self.detector.detect(arrays, batch_size=cfg.det_batch_size) if arrays else []
        crops: list[np.ndarray] = []
        owners: list[tuple[int, tuple, float, list[int]]] = []  # (image, quad, score, indices of its crops)
        kept_boxes: list[np.ndarray] = []
        for index, (array, (boxes, scores)) in enumerate(zip(arrays, detections)):
            boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
            scores = np.asarray(scores, dtype=np.float32).reshape(-1)
            keep = scores >= cfg.min_score
            kept_boxes.append(boxes[keep])
            for box, score in zip(boxes[keep], scores[keep]):
                quad = quad_from_xyxy(*box.tolist())
                candidates = self.box_candidates(array, quad)
                if not candidates:
                    continue
                owners.append((index, quad, float(score), list(range(len(crops), len(crops) + len(candidates)))))
                crops.extend(candidates)
        texts = self.recognize_crops(crops)
        words: list[list[Word]] = [[] for _ in arrays]
        for index, quad, score, crop_ids in owners:
            text, confidence = best_reading([texts[i] for i in crop_ids])
            if (cfg.drop_empty and not text) or confidence < cfg.min_confidence:
                continue
            words[index].append(Word(box=quad, text=text, confidence=float(confidence), score=score))
        pages = [
            Page(
                width=array.shape[1],
                height=array.shape[0],
                lines=tuple(group_lines(found, overlap=cfg.line_overlap, max_gap=cfg.max_gap)),
                source=source,
            )
            for (array, source), found in zip(loaded, words)
        ]
        return list(zip(pages, kept_boxes))
