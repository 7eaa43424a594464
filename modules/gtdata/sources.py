"""The scene sets ``01_make_gtdata`` cuts its word crops from, as one reader stream per split."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

from modules.datasets.aihub import iter_aihub_outdoor
from modules.datasets.textinthewild import iter_textinthewild
from modules.gtdata.select import Record, first_images, hash_split


@dataclass(frozen=True)
class SceneSources:
    """AIHub outdoor folders per split, and optionally text-in-the-wild (``textinthewild_json`` = "" leaves
    it out), which has no split of its own: ``test_fraction`` of its images, chosen by a stable hash of
    the file name (``modules.gtdata.select.hash_split``), go to ``test``."""

    train_label_dir: str
    train_image_dir: str
    test_label_dir: str
    test_image_dir: str
    textinthewild_json: str = ""
    textinthewild_root: str = ""
    test_fraction: float = 0.1

    def records(self, split: str, max_images: int = 0) -> Iterator[Record]:
        """The records of ``split`` (``train`` | ``test``): the split's AIHub images, then its share of
        text-in-the-wild (whose problems go with ``train`` only, so they are counted once), each with the
        problems met on the way; at most ``max_images`` images (0: all)."""
        if split not in ("train", "test"):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        label_dir, image_dir = ((self.train_label_dir, self.train_image_dir) if split == "train"
                                else (self.test_label_dir, self.test_image_dir))
        streams = [iter_aihub_outdoor(label_dir, image_dir)]
        if self.textinthewild_json:
            wild = iter_textinthewild(self.textinthewild_json, self.textinthewild_root)
            streams.append(hash_split(wild, self.test_fraction, split))
        return first_images(chain(*streams), max_images)
