"""MobileNet v1 backbone (Howard et al., 2017) returning the stride 8 / 16 / 32 feature maps.

Why v1: it is the backbone of the seed's keras YOLOv3-MobileNet, and its plain stack of 3x3 depthwise +
1x1 pointwise convolutions (no expansion layers, no residual adds) runs faster on a 2-core CPU than v2 /
v3 at the same accuracy on our text scenes, which is where this detector must train and run. The width
multiplier scales every layer; 0.5 keeps training inside the CPU budget.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

# (output channels at width 1.0, stride) of the 13 depthwise-separable blocks after the stem.
V1_BLOCKS: tuple[tuple[int, int], ...] = (
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
    (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
)


def conv_bn(c_in: int, c_out: int, kernel: int = 3, stride: int = 1, groups: int = 1) -> nn.Sequential:
    """Conv (no bias) + BatchNorm + ReLU6, padding 'same' for odd kernels."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU6(inplace=True),
    )


def depthwise_separable(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    """3x3 depthwise conv then 1x1 pointwise conv, each with BN + ReLU6."""
    return nn.Sequential(conv_bn(c_in, c_in, 3, stride, groups=c_in), conv_bn(c_in, c_out, 1))


class MobileNetV1(nn.Module):
    """``forward(x (B, 3, H, W)) -> (C3 (B, c8, H/8, W/8), C4 (B, c16, H/16, W/16), C5 (B, c32, H/32, W/32))``.

    ``out_channels`` gives ``(c8, c16, c32)``; H and W must be multiples of 32.
    """

    def __init__(self, width_mult: float = 1.0) -> None:
        super().__init__()
        if width_mult <= 0:
            raise ValueError(f"width_mult must be positive, got {width_mult}")

        def ch(c: int) -> int:
            return max(8, int(c * width_mult + 4) // 8 * 8)

        self.stem = conv_bn(3, ch(32), 3, 2)
        blocks, c_in = [], ch(32)
        for c_out, stride in V1_BLOCKS:
            blocks.append(depthwise_separable(c_in, ch(c_out), stride))
            c_in = ch(c_out)
        # Stage ends: after block 4 (stride 8), block 10 (stride 16), block 12 (stride 32).
        self.stage8 = nn.Sequential(*blocks[:5])
        self.stage16 = nn.Sequential(*blocks[5:11])
        self.stage32 = nn.Sequential(*blocks[11:])
        self.out_channels = (ch(256), ch(512), ch(1024))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        c3 = self.stage8(self.stem(x))
        c4 = self.stage16(c3)
        c5 = self.stage32(c4)
        return c3, c4, c5


BACKBONES: dict[str, type[nn.Module]] = {"mobilenet_v1": MobileNetV1}


def build_backbone(name: str, width_mult: float) -> nn.Module:
    """Build a registered backbone; unknown names fail with the list of valid ones."""
    if name not in BACKBONES:
        raise ValueError(f"unknown backbone {name!r}; valid: {sorted(BACKBONES)}")
    return BACKBONES[name](width_mult=width_mult)


def load_backbone_weights(backbone: nn.Module, path: str | Path) -> list[str]:
    """Load user-supplied backbone weights (a state_dict saved with ``torch.save``, optionally nested under
    ``"state_dict"`` / ``"model"`` and prefixed ``backbone.``). Returns the names of missing keys; raises
    ``ValueError`` naming the file when shapes do not match this backbone (e.g. another width multiplier).
    """
    path = Path(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several unrelated types for unreadable files
        raise ValueError(f"{path}: cannot load backbone weights ({error})") from error
    for key in ("state_dict", "model"):
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    if not isinstance(state, dict):
        raise ValueError(f"{path}: expected a state_dict, got {type(state).__name__}")
    state = {k.removeprefix("backbone."): v for k, v in state.items()}
    own = backbone.state_dict()
    bad = [k for k, v in state.items() if k in own and tuple(own[k].shape) != tuple(v.shape)]
    if bad:
        raise ValueError(f"{path}: shape mismatch for {bad[:5]} (another width multiplier?)")
    unexpected = [k for k in state if k not in own]
    if len(unexpected) == len(state):
        raise ValueError(f"{path}: no key matches this backbone (first keys: {list(state)[:3]})")
    result = backbone.load_state_dict({k: v for k, v in state.items() if k in own}, strict=False)
    return list(result.missing_keys)
