"""ONNX export of the recognizer (CTC, dynamic batch and width) and the detector, with parity checks.

    from modules.export.onnx import export_recognizer, export_detector, parity
    export_recognizer(recognizer, "recognizer.onnx")          # a Recognizer or its nn.Module
    export_detector(detector, "detector.onnx")
    parity(recognizer_module, "recognizer.onnx", torch.randn(3, 1, 32, 160))  # max |torch - onnxruntime|

Graphs:
- recognizer: input ``images`` ``(B, C, img_h, W)`` float32 in [-1, 1] (``W`` dynamic for CTC models
  without TPS); output ``logits`` ``(B, T, num_class)``, class 0 the CTC blank. The charset and
  preprocessing travel in the ONNX metadata (``charset``, ``model_config``, ``preprocess``) when known.
- detector: input ``images`` ``(B, 3, H, W)`` float32 in [0, 1], H and W multiples of 32; outputs
  ``p8``, ``p16``, ``p32``: ``(B, 3, H/s, W/s, 5 + C)`` raw YOLO predictions (decode as in PyTorch).

The TorchScript-based exporter (``dynamo=False``) is used first; if it fails, the dynamo exporter.
The graphs are run by ``modules.recognizer.onnx_recognizer.OnnxRecognizer`` and
``modules.detector.onnx_detector.onnx_detector``; this package only exports and checks parity.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from modules.onnx_session import onnx_session

DEFAULT_OPSET = 17


def _module(model: Any) -> nn.Module:
    """The ``nn.Module`` of a model or of a wrapper (``Recognizer`` / ``Detector``) holding ``.model``."""
    if isinstance(model, nn.Module):
        return model
    inner = getattr(model, "model", None)
    if isinstance(inner, nn.Module):
        return inner
    raise TypeError(f"expected an nn.Module or an object with an nn.Module .model, got {type(model).__name__}")


def _config_json(config: Any) -> str | None:
    if config is None:
        return None
    if hasattr(config, "to_dict"):
        return json.dumps(config.to_dict(), ensure_ascii=False)
    if is_dataclass(config):
        return json.dumps(asdict(config), ensure_ascii=False)
    return None


def _export(
    module: nn.Module,
    example: torch.Tensor,
    path: Path,
    output_names: list[str],
    dynamic_axes: dict[str, dict[int, str]],
    opset: int,
) -> str:
    """Export with the TorchScript exporter, falling back to dynamo; returns which exporter worked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TracerWarnings about shape-dependent Python values
            torch.onnx.export(
                module, (example,), str(tmp), input_names=["images"], output_names=output_names,
                dynamic_axes=dynamic_axes, opset_version=opset, dynamo=False,
            )
        exporter = "torchscript"
    except Exception as first:  # noqa: BLE001 - any exporter failure: try the other exporter
        dims = {"images": {axis: torch.export.Dim(name, min=1) for axis, name in dynamic_axes["images"].items()}}
        try:
            program = torch.onnx.export(module, (example,), input_names=["images"], output_names=output_names,
                                        dynamic_shapes=dims, opset_version=opset, dynamo=True)
            program.save(str(tmp))
        except Exception as second:  # noqa: BLE001
            raise RuntimeError(f"ONNX export failed: torchscript: {first}; dynamo: {second}") from second
        exporter = "dynamo"
    os.replace(tmp, path)
    return exporter


def _add_metadata(path: Path, metadata: dict[str, str]) -> None:
    import onnx

    model = onnx.load(str(path))
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    tmp = path.with_name(f".{path.name}.{os.getpid()}.meta.tmp")
    onnx.save(model, str(tmp))
    os.replace(tmp, path)


def export_recognizer(
    recognizer: Any, path: str | os.PathLike[str], width: int | None = None, opset: int = DEFAULT_OPSET
) -> Path:
    """Export a CTC recognizer (``Recognizer`` or ``RecognitionModel``) with dynamic batch and width.

    ``width`` is the example width (default: the model's ``img_w``). Attention models are refused: their
    decoding loop depends on the data. With TPS the width stays fixed (TPS samples a fixed grid).
    """
    module = _module(recognizer).eval()
    config = getattr(module, "config", None)
    if config is not None and getattr(config, "prediction", "CTC") != "CTC":
        raise ValueError(f"only CTC recognizers can be exported (this one is {config.prediction}); "
                         "train with prediction='CTC' for ONNX deployment")
    channels = getattr(config, "input_channel", 1)
    img_h = getattr(config, "img_h", 32)
    width = width or getattr(config, "img_w", 100)
    dynamic_width = getattr(config, "transformation", "None") == "None"
    example = torch.zeros(2, channels, img_h, width)
    axes_in = {0: "batch", 3: "width"} if dynamic_width else {0: "batch"}
    dynamic_axes = {"images": axes_in, "logits": {0: "batch", 1: "frames"} if dynamic_width else {0: "batch"}}
    path = Path(path)
    exporter = _export(module, example, path, ["logits"], dynamic_axes, opset)
    metadata = {"kocr_model": "recognizer", "exporter": exporter, "dynamic_width": str(dynamic_width)}
    for key, obj in (("model_config", config), ("preprocess", getattr(recognizer, "preprocess", None))):
        text = _config_json(obj)
        if text:
            metadata[key] = text
    charset = getattr(recognizer, "charset", None)
    if charset is not None:
        chars = getattr(charset, "chars", charset)
        metadata["charset"] = json.dumps(list(chars), ensure_ascii=False)
    _add_metadata(path, metadata)
    return path


def export_detector(detector: Any, path: str | os.PathLike[str], size: int | None = None,
                    opset: int = DEFAULT_OPSET) -> Path:
    """Export a detector (``Detector`` or ``YoloDetector``) with dynamic batch, height and width. A
    ``Detector``'s post-processing settings (``DetectConfig``) go into the metadata with the architecture,
    so ``onnx_detector`` runs the file as the checkpoint runs."""
    module = _module(detector).eval()
    config = getattr(module, "config", None)
    size = size or getattr(config, "input_size", 416)
    example = torch.zeros(1, 3, size, size)
    outputs = ["p8", "p16", "p32"]
    dynamic_axes = {"images": {0: "batch", 2: "height", 3: "width"}}
    dynamic_axes.update({name: {0: "batch", 2: f"{name}_h", 3: f"{name}_w"} for name in outputs})
    path = Path(path)
    exporter = _export(module, example, path, outputs, dynamic_axes, opset)
    metadata = {"kocr_model": "detector", "exporter": exporter}
    text = _config_json(config)
    if text:
        metadata["detector_config"] = text
    detect = getattr(detector, "detect_config", None)
    if detect is not None:
        metadata["detect_config"] = json.dumps(detect.to_dict())
    _add_metadata(path, metadata)
    return path


def parity(model: Any, path: str | os.PathLike[str], images: torch.Tensor) -> float:
    """Run ``images`` through PyTorch and onnxruntime; return the largest absolute output difference."""
    module = _module(model).eval()
    with torch.inference_mode():
        expected = module(images)
    expected = [expected] if isinstance(expected, torch.Tensor) else list(expected)
    got = onnx_session(path).run(None, {"images": images.numpy()})
    if len(got) != len(expected):
        raise AssertionError(f"ONNX gives {len(got)} outputs, PyTorch {len(expected)}")
    worst = 0.0
    for e, g in zip(expected, got):
        if tuple(e.shape) != tuple(g.shape):
            raise AssertionError(f"shape mismatch: PyTorch {tuple(e.shape)}, ONNX {tuple(g.shape)}")
        worst = max(worst, float(np.abs(e.numpy() - g).max()))
    return worst
