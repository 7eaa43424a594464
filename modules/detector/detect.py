"""The ``Detector`` API: letterbox -> model -> decode -> NMS -> boxes in original pixels."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from PIL import Image

from modules.detector.checkpoint import load_checkpoint
from modules.detector.config import TTA_SCALES, DetectConfig, DetectorConfig
from modules.detector.decode import decode_predictions
from modules.detector.fusion import fuse_boxes
from modules.detector.join import join_split_words
from modules.detector.letterbox import letterbox_image
from modules.detector.model import YoloDetector
from modules.detector.nms import postprocess
from modules.device import resolve_device
from modules.geometry.rgb import image_array, image_size

__all__ = ["TTA_SCALES", "Detector"]


def _round32(side: float) -> int:
    return max(32, int(round(side / 32.0)) * 32)


class Detector:
    """Finds text boxes. ``detect(images) -> [(boxes (N, 4) float32 xyxy original px, scores (N,) float32)]``.

    ``detect`` (a ``DetectConfig``; default: its defaults) holds every post-processing setting; keyword
    ``options`` change single fields of it (``input_size``, ``score_threshold``, ``iou_threshold`` for
    ``nms_iou``, ``max_detections``, ``containment_threshold``, ``tta_scales``, ``tta_score_threshold``,
    ``tta_fusion_iou``, ``join_pieces``...); ``self.detect_config`` is the result.
    ``input_size`` 0 is the one saved in the model's config (a multiple of 32; larger finds smaller text).
    ``tta_scales`` (e.g. ``TTA_SCALES``) runs the model at each of these multiples of ``input_size``
    (rounded to multiples of 32) and merges the results with weighted box fusion (``fusion.fuse_boxes``),
    keeping fused boxes scoring at least ``tta_score_threshold``; () (the default) runs once.
    ``large_photo_scales`` (e.g. ``LARGE_PHOTO_SCALES``) adds runs at larger multiples, each only for the
    images whose longer side reaches that size, fused with the others (small text in large photos).
    ``join_pieces`` joins boxes that cover pieces of one long word (``join.join_split_words``) last.
    ``channels_last`` runs the network in NHWC memory layout (faster on CPU; off for ONNX stand-ins); the
    model given is moved to ``device`` and that layout in place.
    """

    def __init__(self, model: YoloDetector, config: DetectorConfig, device: str | torch.device | None = None,
                 detect: DetectConfig | None = None, channels_last: bool = True, **options: Any) -> None:
        self.device = torch.device(device) if device is not None else next(model.parameters()).device
        # NHWC: MobileNet's depthwise convolutions run faster that way on CPU (oneDNN, see
        # benchmarks/bench_detect.py)
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.model = model.to(self.device, memory_format=self.memory_format).eval()
        self.config = config
        self.detect_config = (detect or DetectConfig()).updated(**options)
        self.input_size = int(self.detect_config.input_size or config.input_size)
        if self.input_size % 32:
            raise ValueError(f"input_size must be a multiple of 32, got {self.input_size}")
        self.tta_sizes = tuple(dict.fromkeys(_round32(self.input_size * f) for f in self.detect_config.tta_scales))
        self.large_sizes = tuple(dict.fromkeys(_round32(self.input_size * f)
                                               for f in self.detect_config.large_photo_scales))
        self.anchors_px = torch.tensor(config.anchors_px, dtype=torch.float32)

    @property
    def score_threshold(self) -> float:
        return self.detect_config.score_threshold

    def settings(self) -> dict[str, Any]:
        """Every setting this detector runs with, for a report: ``detect_config`` as a dict with the input
        size and multi-scale sizes it resolves to, and the model's architecture (``DetectorConfig``)."""
        return {**self.detect_config.to_dict(), "resolved_input_size": self.input_size,
                "resolved_tta_sizes": list(self.tta_sizes), "resolved_large_photo_sizes": list(self.large_sizes),
                "model": self.config.to_dict()}

    @classmethod
    def from_checkpoint(cls, path: str | os.PathLike[str], device: str | torch.device | None = "auto",
                        **options: Any) -> "Detector":
        """Build the model from the config saved in the checkpoint and load its weights onto ``device``
        (``modules.device.resolve_device``: None / "auto" -> CUDA when available, else CPU). The detector
        runs with the ``DetectConfig`` saved in the checkpoint (the defaults for a checkpoint written
        before it was saved), changed by ``options`` as in ``Detector``."""
        device = resolve_device(device)
        data = load_checkpoint(path)
        model = YoloDetector(data["config"])
        model.load_state_dict(data["model"])
        return cls(model, data["config"], device=device, detect=data["detect"], **options)

    @torch.inference_mode()
    def detect(self, images: Sequence[np.ndarray | Image.Image], batch_size: int = 8
               ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per image ``(boxes (N, 4) float32 xyxy in original pixels, scores (N,) float32)``, best first."""
        cfg = self.detect_config
        runs = [self._detect_at(images, size, batch_size) for size in self.tta_sizes or (self.input_size,)]
        per_image = [[run[i] for run in runs] for i in range(len(images))]
        for size in self.large_sizes:
            large = [i for i, image in enumerate(images) if max(image_size(image)) >= size]
            for i, result in zip(large, self._detect_at([images[i] for i in large], size, batch_size)):
                per_image[i].append(result)
        out = []
        for results in per_image:
            if len(results) == 1 and not self.tta_sizes:
                out.append(results[0])
                continue
            boxes, scores = fuse_boxes(results, cfg.tta_fusion_iou)
            keep = scores >= cfg.tta_score_threshold
            out.append((boxes[keep], scores[keep]))
        if not cfg.join_pieces:
            return out
        return [join_split_words(b, s, cfg.join_cross_overlap, cfg.join_along_overlap, cfg.vertical_ratio)
                for b, s in out]

    def _detect_at(self, images: Sequence[np.ndarray | Image.Image], size: int, batch_size: int
                   ) -> list[tuple[np.ndarray, np.ndarray]]:
        cfg = self.detect_config
        results: list[tuple[np.ndarray, np.ndarray]] = []
        for start in range(0, len(images), batch_size):
            chunk = [letterbox_image(image_array(im), size) for im in images[start:start + batch_size]]
            batch = torch.from_numpy(np.stack([c[0] for c in chunk]).transpose(0, 3, 1, 2).copy())
            batch = batch.to(self.device, memory_format=self.memory_format).float().div_(255.0)
            boxes, scores, _ = decode_predictions(self.model(batch), self.anchors_px.to(self.device))
            boxes, scores = boxes.float().cpu().numpy(), scores.float().cpu().numpy()
            for (_, lb), b, s in zip(chunk, boxes, scores):
                kept_boxes, kept_scores = postprocess(b, s, cfg.score_threshold, cfg.nms_iou, cfg.max_detections,
                                                      cfg.pre_nms_top_k, cfg.containment_threshold)
                results.append((lb.to_original(kept_boxes).astype(np.float32), kept_scores))
        return results
