"""YOLOv3 three-scale head on a MobileNet backbone, in plain PyTorch.

The head follows YOLOv3 (conv sets per scale, 1x1 + 2x nearest upsampling into the finer scale, one
prediction conv per scale) with depthwise-separable 3x3 convs and 3-layer conv sets ("YOLOv3-lite"),
which keeps the whole network cheap enough for CPU training.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from modules.detector.config import DetectorConfig
from modules.detector.mobilenet import build_backbone, conv_bn

ANCHORS_PER_SCALE = 3


def conv_set(c_in: int, c_mid: int) -> nn.Sequential:
    """1x1 -> depthwise-separable 3x3 (to 2*c_mid) -> 1x1 back to ``c_mid`` channels."""
    return nn.Sequential(
        conv_bn(c_in, c_mid, 1),
        conv_bn(c_mid, c_mid, 3, groups=c_mid),
        conv_bn(c_mid, 2 * c_mid, 1),
        conv_bn(2 * c_mid, c_mid, 1),
    )


class PredictionConv(nn.Module):
    """Depthwise-separable 3x3 then a 1x1 conv to ``A * (5 + C)`` raw outputs."""

    def __init__(self, c_in: int, num_outputs: int) -> None:
        super().__init__()
        self.features = nn.Sequential(conv_bn(c_in, c_in, 3, groups=c_in), conv_bn(c_in, 2 * c_in, 1))
        self.out = nn.Conv2d(2 * c_in, num_outputs, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.features(x))


class YoloDetector(nn.Module):
    """``forward(x (B, 3, S, S) float in [0, 1]) -> [P8, P16, P32]`` raw predictions, finest first.

    Each ``P`` is ``(B, 3, S/stride, S/stride, 5 + C)`` holding ``(tx, ty, tw, th, objectness, classes...)``
    logits; ``decode.decode_predictions`` turns them into boxes. S must be a multiple of 32.
    """

    def __init__(self, config: DetectorConfig) -> None:
        super().__init__()
        self.config = config
        self.backbone = build_backbone(config.backbone, config.width_mult)
        c8, c16, c32 = self.backbone.out_channels
        h = config.head_width
        n_out = ANCHORS_PER_SCALE * (5 + config.num_classes)
        self.set32 = conv_set(c32, 4 * h)
        self.lateral32 = conv_bn(4 * h, 2 * h, 1)
        self.set16 = conv_set(c16 + 2 * h, 2 * h)
        self.lateral16 = conv_bn(2 * h, h, 1)
        self.set8 = conv_set(c8 + h, h)
        self.pred32 = PredictionConv(4 * h, n_out)
        self.pred16 = PredictionConv(2 * h, n_out)
        self.pred8 = PredictionConv(h, n_out)
        self._init_output_bias()

    def _init_output_bias(self) -> None:
        # Objectness starts near the prior of ~1 object in 100 cells (RetinaNet / YOLOv5 trick), so early
        # training is not swamped by the negatives' loss; the class logit starts at 0.
        prior = -math.log((1 - 0.01) / 0.01)
        for pred in (self.pred8, self.pred16, self.pred32):
            bias = pred.out.bias.detach().view(ANCHORS_PER_SCALE, -1)
            bias.zero_()
            bias[:, 4] = prior

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        c3, c4, c5 = self.backbone(x)
        x32 = self.set32(c5)
        up = F.interpolate(self.lateral32(x32), scale_factor=2.0, mode="nearest")
        x16 = self.set16(torch.cat([up, c4], dim=1))
        up = F.interpolate(self.lateral16(x16), scale_factor=2.0, mode="nearest")
        x8 = self.set8(torch.cat([up, c3], dim=1))
        outputs = []
        for feature, pred in ((x8, self.pred8), (x16, self.pred16), (x32, self.pred32)):
            p = pred(feature)
            b, _, gh, gw = p.shape
            outputs.append(p.view(b, ANCHORS_PER_SCALE, -1, gh, gw).permute(0, 1, 3, 4, 2).contiguous())
        return outputs
