"""One home per setting: a config dataclass's defaults are the notebook's parameter defaults (the ``default``
profile), so ``fit(...)`` called from Python trains the model the pipeline trains and ``OCR`` reads as the
demo does.

Each training notebook's parameters that set a config field are listed below with that field; the test
fails when a default differs, and when a parameter named like a field of one of the notebook's configs is
neither listed nor explained in ``NOT_FIELDS``.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

import pytest

from modules.detector import config as detector_config
from modules.detector.augment import AugmentConfig
from modules.detector.config import DetectConfig, DetectorConfig, LossConfig, TrainConfig
from modules.detector.train import fit as detector_fit
from modules.ocr.api import OCRConfig
from modules.ocr.evaluate import evaluate_ocr
from modules.pipeline.parameters import declared_parameters
from modules.recognizer.augment import Augmenter
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.data import open_train_data
from modules.recognizer.train import OptimConfig, Trainer

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# notebook -> {parameter: (config class or function, field or argument name)}
MAPPED: dict[str, dict[str, tuple[Any, str]]] = {
    "yolo_train": {
        "width_mult": (DetectorConfig, "width_mult"),
        "head_width": (DetectorConfig, "head_width"),
        "input_size": (DetectorConfig, "input_size"),
        "train_size": (TrainConfig, "train_size"),
        "scale_range": (AugmentConfig, "scale"),
        "epochs": (TrainConfig, "epochs"),
        "batch_size": (TrainConfig, "batch_size"),
        "lr": (TrainConfig, "lr"),
        "weight_decay": (TrainConfig, "weight_decay"),
        "warmup_steps": (TrainConfig, "warmup_steps"),
        "box_weight": (LossConfig, "box_weight"),
        "ema_decay": (TrainConfig, "ema_decay"),
        "time_limit_min": (TrainConfig, "time_limit_min"),
        "num_threads": (TrainConfig, "num_threads"),
        "seed": (TrainConfig, "seed"),
        "score_threshold": (DetectConfig, "score_threshold"),
        "nms_iou": (DetectConfig, "nms_iou"),
        "sync_bn": (detector_fit, "sync_bn"),
        "resume": (detector_fit, "resume"),
    },
    "05_train": {
        "transformation": (ModelConfig, "transformation"),
        "feature_extraction": (ModelConfig, "feature_extraction"),
        "sequence_modeling": (ModelConfig, "sequence_modeling"),
        "prediction": (ModelConfig, "prediction"),
        "output_channel": (ModelConfig, "output_channel"),
        "hidden_size": (ModelConfig, "hidden_size"),
        "batch_norm": (ModelConfig, "batch_norm"),
        "jamo_head": (ModelConfig, "jamo_head"),
        "img_h": (ModelConfig, "img_h"),
        "img_w": (ModelConfig, "img_w"),
        "batch_max_length": (ModelConfig, "batch_max_length"),
        "rgb": (Preprocess, "rgb"),
        "keep_ratio_pad": (Preprocess, "keep_ratio_pad"),
        "optimizer": (OptimConfig, "optimizer"),
        "lr": (OptimConfig, "lr"),
        "grad_clip": (OptimConfig, "grad_clip"),
        "schedule": (OptimConfig, "schedule"),
        "num_iter": (OptimConfig, "num_iter"),
        "augment_p": (Augmenter, "p"),
        "amp": (Trainer, "amp"),
        "seed": (open_train_data, "seed"),
        "cache_images": (open_train_data, "cache"),
        "skip_missing": (open_train_data, "skip_missing"),
    },
    "yolocrnn_demo": {
        "margin": (OCRConfig, "margin"),
        "extra_margins": (OCRConfig, "extra_margins"),
        "wide_width": (OCRConfig, "wide_width"),
        "decoder": (OCRConfig, "decoder"),
        "min_confidence": (OCRConfig, "min_confidence"),
        "vertical": (OCRConfig, "vertical"),
        "det_input_size": (DetectConfig, "input_size"),
        "det_scales": (detector_config, "TTA_SCALES"),
        "det_large_photo_scales": (detector_config, "LARGE_PHOTO_SCALES"),
        "ignore_case": (evaluate_ocr, "ignore_case"),
        "drop_jamo_only": (evaluate_ocr, "drop_jamo_only"),
    },
}
# The preprocessing's input size is the model's: both follow the one img_h / img_w parameter.
ALSO = {"05_train": {"img_h": (Preprocess, "img_h"), "img_w": (Preprocess, "img_w")}}
# Parameters named like a field of one of the notebook's configs that set something else, and why.
NOT_FIELDS = {
    ("yolo_train", DetectConfig, "input_size"): "the detector runs at the model's input size (DetectConfig 0)",
}
# The demo's det_score_threshold 0 means "the checkpoint's own" (DetectConfig.score_threshold), not 0.


def _default(owner: Any, name: str) -> Any:
    if inspect.ismodule(owner):  # a module-level setting
        return getattr(owner, name)
    if isinstance(owner, type) and hasattr(owner, "__dataclass_fields__"):
        field = next(f for f in fields(owner) if f.name == name)
        return field.default_factory() if field.default is MISSING else field.default
    return inspect.signature(owner).parameters[name].default


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b or (isinstance(a, (int, float)) and not isinstance(a, bool)
                                             and isinstance(b, (int, float)) and not isinstance(b, bool) and a == b)


@pytest.mark.parametrize("notebook", sorted(MAPPED))
def test_config_defaults_equal_the_notebook_defaults(notebook: str) -> None:
    declared = declared_parameters(NOTEBOOKS / f"{notebook}.ipynb")
    pairs = [*MAPPED[notebook].items(), *ALSO.get(notebook, {}).items()]
    missing = sorted(name for name, _ in pairs if name not in declared)
    assert not missing, f"{notebook} no longer declares {missing}: update MAPPED"
    differ = [f"{name}: notebook {declared[name].default!r}, {getattr(owner, '__qualname__', owner)}.{attr} "
              f"{_default(owner, attr)!r}" for name, (owner, attr) in pairs
              if not _same(declared[name].default, _default(owner, attr))]
    assert not differ, f"{notebook}'s defaults and the config defaults differ (one home per setting):\n" + "\n".join(differ)


@pytest.mark.parametrize("notebook", sorted(MAPPED))
def test_every_parameter_named_like_a_config_field_is_mapped(notebook: str) -> None:
    declared = declared_parameters(NOTEBOOKS / f"{notebook}.ipynb")
    owners = {owner for owner, _ in MAPPED[notebook].values() if hasattr(owner, "__dataclass_fields__")}
    covered = {(name, owner) for name, (owner, _) in [*MAPPED[notebook].items(), *ALSO.get(notebook, {}).items()]}
    unmapped = sorted(f"{name} ~ {owner.__name__}.{name}" for owner in owners for name in declared
                      if name in {f.name for f in fields(owner)} and (name, owner) not in covered
                      and (notebook, owner, name) not in NOT_FIELDS)
    assert not unmapped, f"{notebook} parameters that look like config fields but are not mapped: {unmapped}"


def test_the_training_entry_points_set_no_config_field_from_a_literal() -> None:
    """The torchrun entry points build the configs from the notebook's parameters, never from literals."""
    names = {"DetectorConfig", "TrainConfig", "LossConfig", "AugmentConfig", "DetectConfig", "ModelConfig",
             "Preprocess", "OptimConfig", "Augmenter"}
    for module in ("train_detector", "train_recognizer"):
        path = Path(__file__).resolve().parents[1] / "modules" / "pipeline" / f"{module}.py"
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in names:
                literals = [k.arg for k in node.keywords if isinstance(k.value, ast.Constant)]
                assert not literals, f"{path.name}:{node.lineno} sets {node.func.id} fields {literals} from literals"
