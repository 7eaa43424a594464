"""Decode raw head outputs into boxes and scores (pure functions, no thresholds applied here).

Parameterisation (as YOLOv5, a bounded form of YOLOv3's): for a prediction at cell ``(gx, gy)`` of a
map with ``stride`` and anchor ``(aw, ah)`` in input pixels,

    cx = (2 * sigmoid(tx) - 0.5 + gx) * stride        cy likewise
    w  = aw * (2 * sigmoid(tw)) ** 2                 h likewise   (so 0 < w < 4 aw)

The centre may reach half a cell beyond its own cell, which lets ``targets.build_targets`` also train the
two neighbouring cells nearest to a box centre; the bounded size cannot overflow like ``exp``.
The seed's keras decode added 0.2 to every sigmoid; nothing like that here.
"""

from __future__ import annotations

import torch

from modules.detector.config import STRIDES
from modules.detector.model import ANCHORS_PER_SCALE


def anchors_for_scale(anchors_px: torch.Tensor, scale: int) -> torch.Tensor:
    """``(9, 2)`` anchors in pixels -> the ``(3, 2)`` anchors of scale 0 (stride 8), 1 or 2."""
    return anchors_px[scale * ANCHORS_PER_SCALE:(scale + 1) * ANCHORS_PER_SCALE]


def decode_boxes(raw: torch.Tensor, anchors_px: torch.Tensor, stride: int) -> torch.Tensor:
    """Raw ``(..., A, H, W, >=4)`` outputs of one scale -> ``(..., A, H, W, 4)`` xyxy input-pixel boxes.

    ``anchors_px`` is ``(A, 2)``. Works on any leading batch dims; the input is not modified.
    """
    h, w = raw.shape[-3], raw.shape[-2]
    gy, gx = torch.meshgrid(torch.arange(h, device=raw.device), torch.arange(w, device=raw.device), indexing="ij")
    grid = torch.stack([gx, gy], dim=-1).to(raw.dtype)  # (H, W, 2) as (x, y)
    centre = (raw[..., 0:2].sigmoid() * 2.0 - 0.5 + grid) * stride
    size = (raw[..., 2:4].sigmoid() * 2.0) ** 2 * anchors_px.to(raw.dtype).view(-1, 1, 1, 2)
    return torch.cat([centre - size / 2, centre + size / 2], dim=-1)


def decode_predictions(outputs: list[torch.Tensor], anchors_px: torch.Tensor
                       ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """All scales -> ``boxes (B, N, 4)`` xyxy input pixels, ``scores (B, N)``, ``classes (B, N)`` long.

    ``outputs`` are the model's ``[P8, P16, P32]``; ``anchors_px`` ``(9, 2)`` pixels (``config.anchors_px``).
    Score = sigmoid(objectness) * sigmoid(best class logit).
    """
    boxes, scores, classes = [], [], []
    for scale, (raw, stride) in enumerate(zip(outputs, STRIDES)):
        b = raw.shape[0]
        boxes.append(decode_boxes(raw, anchors_for_scale(anchors_px, scale), stride).reshape(b, -1, 4))
        cls_prob, cls_id = raw[..., 5:].sigmoid().max(dim=-1)
        scores.append((raw[..., 4].sigmoid() * cls_prob).reshape(b, -1))
        classes.append(cls_id.reshape(b, -1))
    return torch.cat(boxes, dim=1), torch.cat(scores, dim=1), torch.cat(classes, dim=1)
