"""Torch box geometry for targets, loss and decode. Boxes are xyxy, ``x2 > x1``, ``y2 > y1``. The numpy IoU
the metrics and box fusion use is ``modules.geometry.iou``."""

from __future__ import annotations

import torch


def giou_pairwise(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """IoU and generalised IoU of matching rows of ``(M, 4)`` xyxy tensors -> two ``(M,)`` tensors."""
    iw = (torch.minimum(a[:, 2], b[:, 2]) - torch.maximum(a[:, 0], b[:, 0])).clamp(min=0)
    ih = (torch.minimum(a[:, 3], b[:, 3]) - torch.maximum(a[:, 1], b[:, 1])).clamp(min=0)
    inter = iw * ih
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a + area_b - inter + 1e-9
    iou = inter / union
    cw = torch.maximum(a[:, 2], b[:, 2]) - torch.minimum(a[:, 0], b[:, 0])
    ch = torch.maximum(a[:, 3], b[:, 3]) - torch.minimum(a[:, 1], b[:, 1])
    hull = cw * ch + 1e-9
    return iou, iou - (hull - union) / hull


def ioa_matrix(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Intersection over the area of each ``a`` box: ``(N, 4)`` vs ``(M, 4)`` xyxy -> ``(N, M)``."""
    iw = (torch.minimum(a[:, None, 2], b[None, :, 2]) - torch.maximum(a[:, None, 0], b[None, :, 0])).clamp(min=0)
    ih = (torch.minimum(a[:, None, 3], b[None, :, 3]) - torch.maximum(a[:, None, 1], b[None, :, 1])).clamp(min=0)
    area = ((a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])).clamp(min=1e-9)
    return iw * ih / area[:, None]
