"""Target assignment: which predictions learn which ground-truth box (a pure function, no model).

Per text box (class 0) and per scale, every anchor whose width and height ratios to the box stay under
``anchor_ratio`` is positive (a box no anchor accepts still gets its best-IoU anchor), at the cell holding
the box centre and the two neighbouring cells nearest to the centre (see ``decode.py`` for why they can
reach it). Don't-care boxes (class 1) are never positives: every cell whose centre falls inside one,
plus the cell holding its centre, is marked ``ignore`` at every anchor of that scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from modules.detector.anchors import shape_iou
from modules.detector.config import STRIDES
from modules.detector.model import ANCHORS_PER_SCALE

TEXT, DONTCARE = 0, 1


@dataclass(frozen=True)
class ScaleTargets:
    """Positives of one scale as parallel index tensors (length M), plus the don't-care mask.

    ``boxes`` ``(M, 4)`` xyxy input pixels; ``ignore`` ``(B, A, H, W)`` bool.
    """

    batch: torch.Tensor
    anchor: torch.Tensor
    gy: torch.Tensor
    gx: torch.Tensor
    boxes: torch.Tensor
    classes: torch.Tensor
    ignore: torch.Tensor

    @property
    def count(self) -> int:
        return int(self.batch.numel())


def build_targets(gt_boxes: list[torch.Tensor], gt_classes: list[torch.Tensor], anchors_px: torch.Tensor,
                  input_size: int, anchor_ratio: float = 4.0, neighbours: bool = True) -> list[ScaleTargets]:
    """Assign ground truth to the three scales.

    ``gt_boxes[i]`` ``(N_i, 4)`` xyxy input pixels of image i, ``gt_classes[i]`` ``(N_i,)`` (0 text,
    1 don't-care); ``anchors_px`` ``(9, 2)`` pixels; ``input_size`` the square image side. Returns one ``ScaleTargets`` per
    stride in ``STRIDES`` (8, 16, 32).
    """
    batch_size = len(gt_boxes)
    all_px = anchors_px.float()
    per_scale: list[dict[str, list[torch.Tensor]]] = [{k: [] for k in ("b", "a", "gy", "gx", "box", "cls")}
                                                      for _ in STRIDES]
    ignores = [torch.zeros(batch_size, ANCHORS_PER_SCALE, input_size // s, input_size // s, dtype=torch.bool)
               for s in STRIDES]
    for i, (boxes, classes) in enumerate(zip(gt_boxes, gt_classes)):
        boxes, classes = boxes.float().reshape(-1, 4), classes.long().reshape(-1)
        text = boxes[classes == TEXT]
        _mark_dontcare(ignores, i, boxes[classes == DONTCARE])
        if not len(text):
            continue
        wh = (text[:, 2:] - text[:, :2]).clamp(min=1e-3)
        ratio = torch.maximum(wh[:, None, :] / all_px[None], all_px[None] / wh[:, None, :]).amax(dim=2)  # (N, 9)
        match = ratio < anchor_ratio
        best = torch.as_tensor(shape_iou(wh.numpy(), all_px.numpy()).argmax(axis=1))
        match[torch.arange(len(text)), best] = True
        for scale, stride in enumerate(STRIDES):
            grid = input_size // stride
            box_idx, anchor_idx = match[:, scale * 3:(scale + 1) * 3].nonzero(as_tuple=True)
            if not len(box_idx):
                continue
            centre = (text[box_idx, :2] + text[box_idx, 2:]) / 2 / stride
            cells = [centre.floor().long()]
            if neighbours:
                frac = centre - centre.floor()
                step = torch.where(frac < 0.5, -1, 1)
                cells.append(cells[0] + torch.stack([step[:, 0], torch.zeros_like(step[:, 0])], dim=1))
                cells.append(cells[0] + torch.stack([torch.zeros_like(step[:, 1]), step[:, 1]], dim=1))
            for cell in cells:
                ok = ((cell >= 0) & (cell < grid)).all(dim=1)
                store = per_scale[scale]
                store["b"].append(torch.full((int(ok.sum()),), i, dtype=torch.long))
                store["a"].append(anchor_idx[ok])
                store["gx"].append(cell[ok, 0])
                store["gy"].append(cell[ok, 1])
                store["box"].append(text[box_idx[ok]])
                store["cls"].append(torch.zeros(int(ok.sum()), dtype=torch.long))
    result = []
    for scale, store in enumerate(per_scale):
        def cat(key: str, shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
            return torch.cat(store[key]) if store[key] else torch.zeros(shape, dtype=dtype)
        result.append(ScaleTargets(cat("b", (0,), torch.long), cat("a", (0,), torch.long), cat("gy", (0,), torch.long),
                                   cat("gx", (0,), torch.long), cat("box", (0, 4), torch.float32),
                                   cat("cls", (0,), torch.long), ignores[scale]))
    return result


def _mark_dontcare(ignores: list[torch.Tensor], image: int, boxes: torch.Tensor) -> None:
    """Set ``ignore`` at every anchor of the cells covered by (or holding the centre of) don't-care boxes."""
    for box in boxes:
        for scale, stride in enumerate(STRIDES):
            grid = ignores[scale].shape[-1]
            centres = (torch.arange(grid, dtype=torch.float32) + 0.5) * stride
            cols = ((centres >= box[0]) & (centres <= box[2])).nonzero().flatten()
            rows = ((centres >= box[1]) & (centres <= box[3])).nonzero().flatten()
            if len(cols) and len(rows):
                ignores[scale][image, :, rows.min():rows.max() + 1, cols.min():cols.max() + 1] = True
            cx = int(((box[0] + box[2]) / 2 / stride).clamp(0, grid - 1))
            cy = int(((box[1] + box[3]) / 2 / stride).clamp(0, grid - 1))
            ignores[scale][image, :, cy, cx] = True
