"""Frozen configs: the model (stages + sizes) and the preprocessing; both travel inside checkpoints.

The defaults are ``05_train``'s parameter defaults, the ``default`` profile (``tests/test_config_defaults.py``
keeps them equal, also for ``train.OptimConfig`` and ``augment.Augmenter``); the smoke and full profiles'
overrides live in ``run_all.py``'s ``STEPS`` only. ``ModelConfig.dtrb`` gives DTRB's sizes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


def _from_dict(cls: type, data: dict[str, Any], what: str, absent: dict[str, Any] | None = None) -> Any:
    """``cls(**data)``; ``absent`` gives the values of keys a file written before they existed lacks."""
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"unknown {what} keys {unknown}; valid keys: {sorted(names)}")
    return cls(**{**(absent or {}), **data})


# What a checkpoint saved before a key existed was built with: the layer it lacks was not there.
_ABSENT_MODEL_KEYS = {"batch_norm": False, "jamo_head": False}


@dataclass(frozen=True)
class ModelConfig:
    """The four stages and their sizes (defaults: ``05_train``'s compact CRNN with batch norm and a
    jamo head, 32x128 input).

    ``num_class`` counts the head's tokens: charset + 1 blank for CTC, charset + 2 ([GO], [s]) for Attn.
    ``jamo_head`` needs the charset when the model is built (``build_model(config, charset)``; pass
    ``jamo_head=False`` to build one without). Older checkpoints, which lack the ``batch_norm`` /
    ``jamo_head`` keys, load with them off.
    """

    num_class: int
    transformation: str = "None"  # None | TPS
    feature_extraction: str = "VGG"  # VGG | RCNN | ResNet
    sequence_modeling: str = "BiLSTM"  # None | BiLSTM
    prediction: str = "CTC"  # CTC | Attn
    input_channel: int = 1
    output_channel: int = 128  # feature channels (DTRB: 512): a model a CPU trains in minutes
    hidden_size: int = 128  # BiLSTM / attention hidden size (DTRB: 256)
    batch_norm: bool = True  # BatchNorm after every feature-extraction convolution (DTRB: False); a CTC
    # model leaves its all-blank phase sooner with it
    img_h: int = 32
    img_w: int = 128  # DTRB: 100; 128 fits the generated phrases (median aspect 3.6)
    num_fiducial: int = 20
    batch_max_length: int = 25
    jamo_head: bool = True  # Hangul syllable classes share weights per jamo (modules.recognizer.jamo_head): rare
    # syllables learn from common ones

    @classmethod
    def dtrb(cls, num_class: int, **changes: Any) -> "ModelConfig":
        """DTRB's sizes (512 features, 256 hidden, 32x100 input, no batch norm, no jamo head), for
        comparisons with the reference; ``changes`` set other fields (e.g. the stages)."""
        sizes = {"output_channel": 512, "hidden_size": 256, "batch_norm": False, "jamo_head": False, "img_w": 100}
        return cls(num_class=num_class, **{**sizes, **changes})

    @property
    def special_tokens(self) -> int:
        """Head tokens before the charset's classes: 1 for CTC (blank), 2 for Attn ([GO], [s])."""
        return 1 if self.prediction == "CTC" else 2

    @property
    def stages(self) -> str:
        """``Transformation-FeatureExtraction-SequenceModeling-Prediction``, e.g. ``None-VGG-BiLSTM-CTC``."""
        return f"{self.transformation}-{self.feature_extraction}-{self.sequence_modeling}-{self.prediction}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ModelConfig":
        return _from_dict(cls, data, "model config", _ABSENT_MODEL_KEYS)


@dataclass(frozen=True)
class Preprocess:
    """How a crop becomes a model input.

    ``rgb``: 3 channels, else grayscale. ``keep_ratio_pad``: resize to height ``img_h`` keeping the
    aspect ratio (width capped at ``img_w``) and pad on the right by repeating the last column
    (DTRB's PAD); else stretch to ``img_w x img_h``. Pixels are scaled to [-1, 1].
    """

    img_h: int = 32
    img_w: int = 128
    rgb: bool = False
    keep_ratio_pad: bool = False

    @property
    def channels(self) -> int:
        return 3 if self.rgb else 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Preprocess":
        return _from_dict(cls, data, "preprocess")
