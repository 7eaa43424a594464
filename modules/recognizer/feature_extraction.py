"""Stage 2, FeatureExtraction: VGG (CRNN) | RCNN (gated recurrent CNN) | ResNet (FAN / ASTER style).

Input ``(B, input_channel, H, W)``; output ``(B, output_channel, H', W')`` with ``H' = 1`` for
``H = 32`` (the wiring averages over the remaining height anyway). Layer layouts follow DTRB so that
parameter counts match its published sizes; ``output_channel`` scales every layer. ``batch_norm``
puts BatchNorm after every convolution (DTRB's VGG has it after two of seven, RCNN after all but the
first, ResNet after all); on the generated data a VGG CRNN with it leaves the all-blank CTC phase
about twice as soon and trains at a higher learning rate.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _conv_relu(cin: int, cout: int, k: int = 3, s: int = 1, p: int = 1, bn: bool = False) -> list[nn.Module]:
    if bn:
        return [nn.Conv2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True)]
    return [nn.Conv2d(cin, cout, k, s, p), nn.ReLU(True)]


class VGGExtractor(nn.Module):
    """CRNN's VGG: ``(B, C, 32, W) -> (B, oc, 1, W/4 - 1)``."""

    def __init__(self, input_channel: int, output_channel: int = 512, batch_norm: bool = False) -> None:
        super().__init__()
        c = [output_channel // 8, output_channel // 4, output_channel // 2, output_channel]
        bn = batch_norm
        self.net = nn.Sequential(
            *_conv_relu(input_channel, c[0], bn=bn), nn.MaxPool2d(2, 2),  # c0 x 16 x W/2
            *_conv_relu(c[0], c[1], bn=bn), nn.MaxPool2d(2, 2),  # c1 x 8 x W/4
            *_conv_relu(c[1], c[2], bn=bn), *_conv_relu(c[2], c[2], bn=bn), nn.MaxPool2d((2, 1), (2, 1)),  # c2 x 4 x W/4
            *_conv_relu(c[2], c[3], bn=True), *_conv_relu(c[3], c[3], bn=True),
            nn.MaxPool2d((2, 1), (2, 1)),  # c3 x 2 x W/4
            *_conv_relu(c[3], c[3], k=2, p=0, bn=bn),  # c3 x 1 x (W/4 - 1)
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)


class GRCLUnit(nn.Module):
    """One recurrent step of a gated recurrent convolution layer."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.bn_gfu, self.bn_grx = nn.BatchNorm2d(channels), nn.BatchNorm2d(channels)
        self.bn_fu, self.bn_rx, self.bn_gx = nn.BatchNorm2d(channels), nn.BatchNorm2d(channels), nn.BatchNorm2d(channels)

    def forward(self, wgf_u: torch.Tensor, wgr_x: torch.Tensor, wf_u: torch.Tensor, wr_x: torch.Tensor) -> torch.Tensor:
        gate = torch.sigmoid(self.bn_gfu(wgf_u) + self.bn_grx(wgr_x))
        return F.relu(self.bn_fu(wf_u) + self.bn_gx(self.bn_rx(wr_x) * gate))


class GRCL(nn.Module):
    """Gated recurrent convolution layer (Wang & Hu 2017), ``num_iteration`` shared-weight steps."""

    def __init__(self, cin: int, cout: int, num_iteration: int = 5) -> None:
        super().__init__()
        self.wgf_u = nn.Conv2d(cin, cout, 1, 1, 0, bias=False)
        self.wgr_x = nn.Conv2d(cout, cout, 1, 1, 0, bias=False)
        self.wf_u = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.wr_x = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn_x_init = nn.BatchNorm2d(cout)
        self.units = nn.ModuleList(GRCLUnit(cout) for _ in range(num_iteration))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        wgf_u, wf_u = self.wgf_u(x), self.wf_u(x)
        h = F.relu(self.bn_x_init(wf_u))
        for unit in self.units:
            h = unit(wgf_u, self.wgr_x(h), wf_u, self.wr_x(h))
        return h


class RCNNExtractor(nn.Module):
    """Gated RCNN: ``(B, C, 32, W) -> (B, oc, 1, W/4 + 1)``."""

    def __init__(self, input_channel: int, output_channel: int = 512, batch_norm: bool = False) -> None:
        super().__init__()
        c = [output_channel // 8, output_channel // 4, output_channel // 2, output_channel]
        self.net = nn.Sequential(
            *_conv_relu(input_channel, c[0], bn=batch_norm), nn.MaxPool2d(2, 2),  # c0 x 16 x W/2
            GRCL(c[0], c[0]), nn.MaxPool2d(2, 2),  # c0 x 8 x W/4
            GRCL(c[0], c[1]), nn.MaxPool2d(2, (2, 1), (0, 1)),  # c1 x 4 x W/4 + 1
            GRCL(c[1], c[2]), nn.MaxPool2d(2, (2, 1), (0, 1)),  # c2 x 2 x W/4 + 2
            *_conv_relu(c[2], c[3], k=2, p=0, bn=True),  # c3 x 1 x W/4 + 1
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)


class BasicBlock(nn.Module):
    """ResNet basic block (two 3x3 convolutions + identity or 1x1 projection)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = (
            nn.Sequential(nn.Conv2d(cin, cout, 1, 1, bias=False), nn.BatchNorm2d(cout)) if cin != cout else nn.Identity()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.downsample(x))


class ResNetExtractor(nn.Module):
    """DTRB's 29-layer ResNet (blocks 1, 2, 5, 3): ``(B, C, 32, W) -> (B, oc, 1, W/4 + 1)``.
    Every convolution is normalised already, so ``batch_norm`` changes nothing here."""

    def __init__(self, input_channel: int, output_channel: int = 512, batch_norm: bool = False) -> None:
        super().__init__()
        oc = output_channel
        blocks = [oc // 4, oc // 2, oc, oc]

        def layer(cin: int, cout: int, n: int) -> nn.Sequential:
            return nn.Sequential(BasicBlock(cin, cout), *(BasicBlock(cout, cout) for _ in range(n - 1)))

        self.net = nn.Sequential(
            *_conv_relu(input_channel, oc // 16, bn=True), *_conv_relu(oc // 16, oc // 8, bn=True),
            nn.MaxPool2d(2, 2),  # oc/8 x 16 x W/2
            layer(oc // 8, blocks[0], 1), *_conv_relu(blocks[0], blocks[0], bn=True),
            nn.MaxPool2d(2, 2),  # oc/4 x 8 x W/4
            layer(blocks[0], blocks[1], 2), *_conv_relu(blocks[1], blocks[1], bn=True),
            nn.MaxPool2d(2, (2, 1), (0, 1)),  # oc/2 x 4 x W/4 + 1
            layer(blocks[1], blocks[2], 5), *_conv_relu(blocks[2], blocks[2], bn=True),
            layer(blocks[2], blocks[3], 3),
            *_conv_relu(blocks[3], blocks[3], k=2, s=(2, 1), p=(0, 1), bn=True),  # oc x 2 x W/4 + 2
            *_conv_relu(blocks[3], blocks[3], k=2, p=0, bn=True),  # oc x 1 x W/4 + 1
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images)


FEATURE_EXTRACTORS: dict[str, type[nn.Module]] = {
    "VGG": VGGExtractor,
    "RCNN": RCNNExtractor,
    "ResNet": ResNetExtractor,
}
