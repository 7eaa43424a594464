"""Wires the four stages: Transformation -> FeatureExtraction -> SequenceModeling -> Prediction."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from modules.recognizer.config import ModelConfig
from modules.recognizer.feature_extraction import FEATURE_EXTRACTORS
from modules.recognizer.jamo_head import JamoLinear, hangul_composition
from modules.recognizer.prediction import PREDICTIONS
from modules.recognizer.sequence_modeling import SEQUENCE_MODELS
from modules.recognizer.transformation import TRANSFORMATIONS
from modules.text.charset import Charset


def _pick(registry: dict[str, type[nn.Module]], name: str, stage: str) -> type[nn.Module]:
    if name not in registry:
        raise ValueError(f"unknown {stage} {name!r}; valid: {sorted(registry)}")
    return registry[name]


class RecognitionModel(nn.Module):
    """A scene-text recognizer built from a ``ModelConfig``.

    ``forward(images (B, C, img_h, img_w) in [-1, 1], targets=None) -> logits``: ``(B, T, num_class)``
    for CTC (T = feature width), ``(B, batch_max_length + 1, num_class)`` for Attn. ``targets``
    (Attn teacher forcing only) are ``(B, batch_max_length + 1)`` input tokens.

    ``chars`` (the charset's characters in class order) is needed when ``config.jamo_head`` is set.
    """

    def __init__(self, config: ModelConfig, chars: Sequence[str] | None = None) -> None:
        super().__init__()
        self.config = config
        c = config
        composition = None
        if c.jamo_head:
            if chars is None:
                raise ValueError("jamo_head=True needs the charset: build_model(config, charset)")
            if len(chars) + c.special_tokens != c.num_class:
                raise ValueError(f"charset of {len(chars)} characters does not match num_class={c.num_class}")
            composition = hangul_composition(chars, c.special_tokens)
        self.transformation = _pick(TRANSFORMATIONS, c.transformation, "Transformation")(
            c.input_channel, c.img_h, c.img_w, c.num_fiducial
        )
        self.feature_extraction = _pick(FEATURE_EXTRACTORS, c.feature_extraction, "FeatureExtraction")(
            c.input_channel, c.output_channel, batch_norm=c.batch_norm
        )
        self.sequence_modeling = _pick(SEQUENCE_MODELS, c.sequence_modeling, "SequenceModeling")(
            c.output_channel, c.hidden_size
        )
        self.prediction = _pick(PREDICTIONS, c.prediction, "Prediction")(
            self.sequence_modeling.out_dim, c.hidden_size, c.num_class, composition=composition
        )

    def forward(self, images: torch.Tensor, targets: torch.Tensor | None = None) -> torch.Tensor:
        x = self.transformation(images)  # (B, C, img_h, img_w)
        x = self.feature_extraction(x)  # (B, oc, H', W')
        x = x.mean(dim=2).transpose(1, 2)  # (B, T = W', oc): average the remaining height
        x = self.sequence_modeling(x.contiguous())  # (B, T, hidden) or (B, T, oc)
        return self.prediction(x, targets, self.config.batch_max_length)


def build_model(config: ModelConfig, charset: Charset | Sequence[str] | None = None) -> RecognitionModel:
    """Build a model with DTRB's initialisation (Kaiming for weights, zero biases; TPS keeps its own).

    ``charset`` (a ``Charset`` or its characters in class order) is required with ``config.jamo_head``;
    a ``JamoLinear`` output layer then starts its syllable rows at zero (see ``jamo_head``).
    """
    chars = charset.chars if isinstance(charset, Charset) else charset
    model = RecognitionModel(config, None if chars is None else tuple(chars))
    for name, param in model.named_parameters():
        if "localization.fc2" in name:
            continue  # TPS starts from the identity transform
        if "bias" in name:
            nn.init.zeros_(param)
        elif param.dim() > 1 and "weight" in name:
            nn.init.kaiming_normal_(param)
    for module in model.modules():
        if isinstance(module, JamoLinear):
            module.zero_syllable_rows()
    return model
