"""Frozen configuration of the text detector: architecture, loss, training and post-processing.

The defaults are ``yolo_train``'s parameter defaults, the ``default`` profile (``tests/test_config_defaults.py``
keeps them equal), so ``train.fit`` called from Python trains the detector the pipeline trains; the smoke
and full profiles' overrides live in ``run_all.py``'s ``STEPS`` only. ``DetectorConfig`` and
``DetectConfig`` travel inside every checkpoint.

Anchors are stored as fractions of the letterboxed input side ``(w, h)``, so one anchor set serves every
input size (a word that fills a quarter of the image at 416 fills a quarter of it at 640 too).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from modules.geometry.vertical import VERTICAL_RATIO

# The COCO anchors of YOLOv3 (pixels at 416 input), ordered small to large; kept for comparison plots.
COCO_ANCHORS_416: tuple[tuple[int, int], ...] = (
    (10, 13), (16, 30), (33, 23), (30, 61), (62, 45), (59, 119), (116, 90), (156, 198), (373, 326),
)
STRIDES: tuple[int, int, int] = (8, 16, 32)


def coco_anchors_normalized() -> tuple[tuple[float, float], ...]:
    """COCO anchors as fractions of a 416 input side."""
    return tuple((w / 416.0, h / 416.0) for w, h in COCO_ANCHORS_416)


@dataclass(frozen=True)
class DetectorConfig:
    """Architecture and pre-processing of a detector.

    ``anchors``: 9 ``(w, h)`` fractions of the input side, small to large; anchors 0-2 predict on the
    stride-8 map, 3-5 on stride 16 and 6-8 on stride 32. ``input_size`` is the square letterbox side used
    by ``Detector`` (a multiple of 32). ``num_classes`` is 1 (text); don't-care regions are not a class
    the model predicts, they are masked out of the loss.
    """

    backbone: str = "mobilenet_v1"
    width_mult: float = 0.25  # MobileNet v1 width multiplier
    head_width: int = 32  # channels of the finest head branch; the coarser ones use 2x and 4x
    num_classes: int = 1
    input_size: int = 512
    anchors: tuple[tuple[float, float], ...] = field(default_factory=coco_anchors_normalized)

    def __post_init__(self) -> None:
        if len(self.anchors) != 9:
            raise ValueError(f"need 9 anchors (3 per scale), got {len(self.anchors)}")
        if self.input_size % 32:
            raise ValueError(f"input_size must be a multiple of 32, got {self.input_size}")
        # JSON and checkpoints give lists back: store tuples so the config stays hashable and comparable.
        object.__setattr__(self, "anchors", tuple((float(w), float(h)) for w, h in self.anchors))

    @property
    def anchors_px(self) -> tuple[tuple[float, float], ...]:
        """Anchors in pixels of the ``input_size`` letterbox: what targets, loss and decode use. They stay
        fixed when the detector runs at another input size (as in YOLOv3), and training crops are taken
        at the ``input_size`` scale so objects meet the anchors at the size they will have at inference."""
        return tuple((w * self.input_size, h * self.input_size) for w, h in self.anchors)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["anchors"] = [list(a) for a in self.anchors]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DetectorConfig":
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown detector config keys {sorted(unknown)}; valid: {sorted(known)}")
        return cls(**data)


@dataclass(frozen=True)
class LossConfig:
    """Weights and thresholds of the YOLO loss (see ``loss.py``)."""

    box_weight: float = 0.15  # the box (1 - GIoU) term against objectness 1.0, whose term is a mean over
    # all cells as in YOLOv5 (there the box gain is 0.05)
    obj_weight: float = 1.0
    cls_weight: float = 0.5
    dontcare_ioa: float = 0.5  # predictions lying this much inside a don't-care box are left out
    anchor_ratio: float = 4.0  # an anchor may learn boxes up to this many times wider / taller than itself
    scale_balance: tuple[float, float, float] = (4.0, 1.0, 0.4)  # objectness weight per stride 8/16/32


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings of ``train.fit``."""

    epochs: int = 3  # the schedule counts steps, so a seed gives the same detector on any machine
    batch_size: int = 4  # small batches: more optimisation steps in a CPU-sized time budget
    lr: float = 3e-3  # peak AdamW learning rate (linear warm-up, cosine decay)
    weight_decay: float = 5e-4
    warmup_steps: int = 60
    train_size: int = 320  # side of the training crops, taken at the input_size scale (multiple of 32)
    seed: int = 0
    num_threads: int = 0  # 0: leave torch's default
    time_limit_min: float = 7.0  # cap for slow machines: past it the LR schedule follows time and still
    # ends annealed; 0: none
    channels_last: bool = True  # NHWC weights and batches: about 10% less time per CPU step (depthwise convs)
    ema_decay: float = 0.995  # validate and save an exponential moving average of the weights (0: off): it
    # smooths the noise of small batches; the decay was chosen on the dev scenes (docs/experiments.md)
    amp: bool = True  # mixed precision on CUDA (bf16, or fp16 + gradient scaling); the CPU always trains in fp32
    adam_eps: float = 1e-8  # AdamW's epsilon


# The input sizes the end-to-end OCR runs the detector at (``modules.ocr.api.detector_defaults``), as
# multiples of its input size: small text meets the network larger and large text smaller than at one
# size, and the fused boxes' edges average three estimates. It costs three detector passes, so a plain
# ``Detector`` (and the validation during training) runs once.
TTA_SCALES: tuple[float, ...] = (0.8, 1.0, 1.25)
# Further sizes the OCR runs the detector at for large photos (``DetectConfig.large_photo_scales``): at
# the input size a 4,000-px phone photo shrinks eightfold and its words a few dozen pixels high fall below
# what the network finds. Each runs only for a photo at least that large, so 640-px photos cost nothing
# more. Chosen on large OOD dev photos (``tools/large_photos.py``, docs/experiments.md).
LARGE_PHOTO_SCALES: tuple[float, ...] = (2.0, 3.0)
# ``Detector`` keyword arguments named otherwise than the ``DetectConfig`` field they set
_ALIASES = {"iou_threshold": "nms_iou"}


@dataclass(frozen=True)
class DetectConfig:
    """How ``Detector`` turns the network's outputs into boxes: input size, score threshold, NMS, multi-scale
    fusion and the joining of split words. Saved in every checkpoint (``detect``) and in the ONNX metadata,
    so a shipped detector runs with the settings it was validated with; ``Detector`` keyword arguments
    (``updated``) change single fields. Like every setting, these are chosen on the validation and dev
    scenes, never on the test scenes.
    """

    input_size: int = 0  # letterbox side, a multiple of 32; 0: the model's DetectorConfig.input_size
    score_threshold: float = 0.4  # boxes scoring less are dropped before NMS
    nms_iou: float = 0.3  # NMS drops a box whose IoU with a better one exceeds this: stricter than YOLOv3's
    # 0.45 because text lines seldom overlap, while the two halves of one long line found twice do
    containment_threshold: float = 0.8  # NMS also drops a box lying this much inside a better one: a piece
    # of a word already found has a low IoU with the whole word (1.0: off)
    max_detections: int = 300  # boxes kept per image and input size
    pre_nms_top_k: int = 3000  # best-scoring candidates NMS looks at (bounds its quadratic cost)
    tta_scales: tuple[float, ...] = ()  # run at these multiples of input_size (rounded to multiples of 32)
    # and fuse the boxes (``fusion.fuse_boxes``); () runs once. The OCR passes TTA_SCALES
    large_photo_scales: tuple[float, ...] = ()  # also run at these multiples of input_size, each only for a
    # photo whose longer side reaches that size (a photo is never enlarged), and fuse as ``tta_scales``;
    # the OCR passes LARGE_PHOTO_SCALES
    tta_score_threshold: float = 0.3  # fused boxes kept from this score; below score_threshold because a
    # fused score is a mean over the runs, so a word found at two of three sizes scores two thirds
    tta_fusion_iou: float = 0.55  # boxes of different runs overlapping this much are one word
    join_pieces: bool = True  # join boxes covering pieces of one long word (``join.join_split_words``)
    join_cross_overlap: float = 0.6  # ... when they share this much of the band across the reading direction
    join_along_overlap: float = 0.2  # ... and overlap this much along it; > 0, so that words separated by a
    # gap, as the words of a line are, stay apart
    vertical_ratio: float = VERTICAL_RATIO  # boxes this many times taller than wide read top to bottom

    def __post_init__(self) -> None:
        # JSON, checkpoints and notebook parameters give lists: store a tuple so the config stays frozen
        object.__setattr__(self, "tta_scales", tuple(float(f) for f in self.tta_scales))
        object.__setattr__(self, "large_photo_scales", tuple(float(f) for f in self.large_photo_scales))
        if self.input_size % 32 or self.input_size < 0:
            raise ValueError(f"input_size must be 0 or a multiple of 32, got {self.input_size}")

    def updated(self, **options: Any) -> "DetectConfig":
        """A copy with ``options`` set (field names, or ``iou_threshold`` for ``nms_iou``); an unknown name
        raises ``TypeError`` listing the valid ones. ``input_size=None`` means 0 (the model's)."""
        names = {f.name for f in fields(self)}
        changes = {_ALIASES.get(key, key): value for key, value in options.items()}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise TypeError(f"unknown detector options {unknown}; valid: {sorted(names | set(_ALIASES))}")
        if "input_size" in changes and changes["input_size"] is None:
            changes["input_size"] = 0
        return replace(self, **changes) if changes else self

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["tta_scales"] = list(self.tta_scales)
        data["large_photo_scales"] = list(self.large_photo_scales)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DetectConfig":
        """The config of a saved dict; keys a newer version added and the dict lacks take their defaults."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown detect config keys {sorted(unknown)}; valid: {sorted(known)}")
        return cls(**data)
