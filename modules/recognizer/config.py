"""Frozen configs: the model (stages + sizes) and the preprocessing; both travel inside checkpoints."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


def _from_dict(cls: type, data: dict[str, Any], what: str) -> Any:
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"unknown {what} keys {unknown}; valid keys: {sorted(names)}")
    return cls(**data)


@dataclass(frozen=True)
class ModelConfig:
    """The four stages and their sizes (DTRB defaults: 1 channel, 512 features, 256 hidden, 32x100).

    ``num_class`` counts the head's tokens: charset + 1 blank for CTC, charset + 2 ([GO], [s]) for Attn.
    ``jamo_head`` needs the charset when the model is built (``build_model(config, charset)``); older
    checkpoints, which lack the key, load with it off.
    """

    num_class: int
    transformation: str = "None"  # None | TPS
    feature_extraction: str = "VGG"  # VGG | RCNN | ResNet
    sequence_modeling: str = "BiLSTM"  # None | BiLSTM
    prediction: str = "CTC"  # CTC | Attn
    input_channel: int = 1
    output_channel: int = 512
    hidden_size: int = 256
    batch_norm: bool = False  # BatchNorm after every feature-extraction convolution (DTRB: False)
    img_h: int = 32
    img_w: int = 100
    num_fiducial: int = 20
    batch_max_length: int = 25
    jamo_head: bool = False  # Hangul syllable classes share weights per jamo (modules.recognizer.jamo_head)

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
        return _from_dict(cls, data, "model config")


@dataclass(frozen=True)
class Preprocess:
    """How a crop becomes a model input.

    ``rgb``: 3 channels, else grayscale. ``keep_ratio_pad``: resize to height ``img_h`` keeping the
    aspect ratio (width capped at ``img_w``) and pad on the right by repeating the last column
    (DTRB's PAD); else stretch to ``img_w x img_h``. Pixels are scaled to [-1, 1].
    """

    img_h: int = 32
    img_w: int = 100
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
