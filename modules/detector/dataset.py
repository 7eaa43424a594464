"""In-memory training / validation set over YOLO annotation records.

Images are decoded once and kept resized so their longer side is at most ``cache_side`` (boxes scaled
alike): re-decoding JPEGs every epoch would cost more than the model on 2 CPU cores.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import cv2
import numpy as np
import torch
from tqdm.auto import tqdm

from modules.detector.annotations import DONTCARE, YoloRecord
from modules.detector.augment import AugmentConfig, augment
from modules.detector.letterbox import letterbox_image
from modules.geometry.vertical import VERTICAL_RATIO, is_vertical
from modules.imageio import ImageReadError, read_image


@dataclass(frozen=True)
class Sample:
    """A cached image ``(H, W, 3) uint8 RGB`` and its boxes ``(N, 4) float32`` xyxy in its pixels."""

    image: np.ndarray
    boxes: np.ndarray
    classes: np.ndarray
    scale: float  # cached pixels per original pixel
    path: str


def load_samples(records: list[YoloRecord], cache_side: int, problems: Counter[str] | None = None,
                 desc: str = "loading images") -> list[Sample]:
    """Read and downscale every record's image; unreadable images are skipped, printed and counted."""
    samples = []
    for record in tqdm(records, desc=desc, leave=False):
        try:
            image = read_image(record.image_path)
        except ImageReadError as error:
            print(f"skipped: {error}")
            if problems is not None:
                problems["unreadable image"] += 1
            continue
        h, w = image.shape[:2]
        scale = min(1.0, cache_side / max(h, w))
        if scale < 1.0:
            image = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        samples.append(Sample(image, record.boxes.astype(np.float32) * scale, record.classes.copy(), scale,
                              record.image_path))
    return samples


class DetectionDataset(torch.utils.data.Dataset):
    """``dataset[i] -> (image (3, S, S) float [0, 1], boxes (N, 4) float xyxy input px, classes (N,) long)``.

    With ``augment_config`` the image is augmented (``augment.augment``, windows at ``zoom`` times the
    letterbox scale), otherwise letterboxed.
    """

    def __init__(self, samples: list[Sample], size: int, augment_config: AugmentConfig | None = None,
                 seed: int = 0, zoom: float = 1.0) -> None:
        self.samples, self.size, self.augment_config, self.zoom = samples, size, augment_config, zoom
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        sample = self.samples[index]
        if self.augment_config is not None:
            image, boxes, classes = augment(sample.image, sample.boxes, sample.classes, self.size,
                                            self.augment_config, self.rng, self.zoom)
        else:
            image, lb = letterbox_image(sample.image, self.size)
            boxes, classes = lb.to_input(sample.boxes), sample.classes
        tensor = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1))).float().div_(255.0)
        return tensor, torch.from_numpy(boxes.astype(np.float32)), torch.from_numpy(classes.astype(np.int64))


def collate(batch: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]
            ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    """Stack images ``(B, 3, S, S)``; boxes and classes stay per-image lists."""
    images, boxes, classes = zip(*batch)
    return torch.stack(images), list(boxes), list(classes)


def repeat_vertical(samples: list[Sample], times: int, min_words: int = 2, ratio: float = VERTICAL_RATIO
                    ) -> list[Sample]:
    """``samples`` followed by ``times - 1`` more references to each image holding at least ``min_words``
    vertical words (legible boxes at least ``ratio`` times taller than wide), so that one epoch shows
    those images ``times`` times. Vertical signboards are about one scene in fourteen; a time-limited
    training otherwise learns their tall boxes last. ``times`` <= 1 returns ``samples`` unchanged."""
    if times <= 1:
        return list(samples)

    def has_vertical_words(sample: Sample) -> bool:
        b = sample.boxes[sample.classes != DONTCARE]
        return int(np.sum(is_vertical(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1], ratio))) >= min_words

    vertical = [s for s in samples if has_vertical_words(s)]
    return list(samples) + vertical * (times - 1)
