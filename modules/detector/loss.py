"""YOLO loss: box (1 - GIoU), objectness (BCE, IoU-valued targets) and class (BCE), a pure function.

Don't-care handling: a prediction is left out of the objectness loss (neither rewarded nor penalised)
when its cell is marked ``ignore`` by ``build_targets`` or when its predicted box lies at least
``dontcare_ioa`` inside a don't-care box, unless it is a positive for a text box.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from modules.detector.boxes import giou_pairwise, ioa_matrix
from modules.detector.config import STRIDES, LossConfig
from modules.detector.decode import anchors_for_scale, decode_boxes
from modules.detector.targets import ScaleTargets


def yolo_loss(outputs: list[torch.Tensor], targets: list[ScaleTargets], anchors_px: torch.Tensor,
              config: LossConfig, dontcare_boxes: list[torch.Tensor] | None = None
              ) -> tuple[torch.Tensor, dict[str, float]]:
    """Total loss (scalar tensor) and its parts as floats (``box``, ``obj``, ``cls``, ``positives``).

    ``outputs``: model outputs ``[P8, P16, P32]``, each ``(B, 3, H, W, 5 + C)``; ``targets``: from
    ``build_targets``; ``anchors_px`` ``(9, 2)`` pixels; ``dontcare_boxes[i]`` ``(K_i, 4)`` xyxy input pixels.
    """
    device = outputs[0].device
    loss_box = torch.zeros((), device=device)
    loss_obj = torch.zeros((), device=device)
    loss_cls = torch.zeros((), device=device)
    positives = 0
    for scale, (raw, tgt, stride) in enumerate(zip(outputs, targets, STRIDES)):
        scale_anchors = anchors_for_scale(anchors_px.to(device), scale)
        obj_target = torch.zeros(raw.shape[:4], device=device, dtype=raw.dtype)
        ignore = tgt.ignore.to(device).clone()
        if dontcare_boxes is not None and any(len(d) for d in dontcare_boxes):
            with torch.no_grad():
                pred_boxes = decode_boxes(raw.detach(), scale_anchors, stride)
                for i, dc in enumerate(dontcare_boxes):
                    if len(dc):
                        ioa = ioa_matrix(pred_boxes[i].reshape(-1, 4), dc.to(device).float()).amax(dim=1)
                        ignore[i] |= (ioa >= config.dontcare_ioa).view(ignore.shape[1:])
        if tgt.count:
            b, a, gy, gx = (t.to(device) for t in (tgt.batch, tgt.anchor, tgt.gy, tgt.gx))
            pred = raw[b, a, gy, gx]  # (M, 5 + C)
            grid_xy = torch.stack([gx, gy], dim=1).to(raw.dtype)
            centre = (pred[:, :2].sigmoid() * 2.0 - 0.5 + grid_xy) * stride
            size = (pred[:, 2:4].sigmoid() * 2.0) ** 2 * scale_anchors[a]
            box = torch.cat([centre - size / 2, centre + size / 2], dim=1)
            iou, giou = giou_pairwise(box, tgt.boxes.to(device))
            loss_box = loss_box + (1.0 - giou).mean()
            obj_target[b, a, gy, gx] = iou.detach().clamp(min=0).to(raw.dtype)
            ignore[b, a, gy, gx] = False
            if raw.shape[-1] > 5:
                cls_target = F.one_hot(tgt.classes.to(device), raw.shape[-1] - 5).to(raw.dtype)
                loss_cls = loss_cls + F.binary_cross_entropy_with_logits(pred[:, 5:], cls_target)
            positives += tgt.count
        bce = F.binary_cross_entropy_with_logits(raw[..., 4], obj_target, reduction="none")
        keep = ~ignore
        if keep.any():
            loss_obj = loss_obj + config.scale_balance[scale] * bce[keep].mean()
    total = config.box_weight * loss_box + config.obj_weight * loss_obj + config.cls_weight * loss_cls
    parts = {"box": float(loss_box.detach()), "obj": float(loss_obj.detach()), "cls": float(loss_cls.detach()),
             "positives": float(positives)}
    return total, parts
