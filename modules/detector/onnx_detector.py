"""The detector whose network runs from an ONNX graph (``modules.export.onnx.export_detector``): letterbox,
decode and NMS stay the PyTorch-side code of ``Detector``, so the results match."""

from __future__ import annotations

import json
import os
from typing import Any

import torch
from torch import nn

from modules.detector.config import DetectConfig, DetectorConfig
from modules.detector.detect import Detector
from modules.onnx_session import onnx_session


class _OrtModule(nn.Module):
    """An ``nn.Module`` stand-in whose forward runs an ONNX graph: ``images -> [outputs as tensors]``."""

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        outputs = self.session.run(None, {"images": images.detach().cpu().float().numpy()})
        return [torch.from_numpy(o) for o in outputs]


def onnx_detector(path: str | os.PathLike[str], threads: int = 0, **options: Any) -> Detector:
    """A ``Detector`` whose network runs on onnxruntime. The architecture and the post-processing settings
    (``DetectConfig``; its defaults for a file exported without them) come from the ONNX metadata;
    ``options`` go to ``Detector`` (``input_size``, ``score_threshold``, ...)."""
    session = onnx_session(path, threads)
    meta = dict(session.get_modelmeta().custom_metadata_map)
    if "detector_config" not in meta:
        raise ValueError(f"{path}: no detector_config metadata; export it with export_detector")
    config = DetectorConfig.from_dict(json.loads(meta["detector_config"]))
    detect = DetectConfig.from_dict(json.loads(meta.get("detect_config", "{}")))
    channels_last = bool(options.pop("channels_last", False))
    return Detector(_OrtModule(session), config, device="cpu", detect=detect, channels_last=channels_last, **options)
