"""Word accuracy of a ``Recognizer`` on labelled crop sets, in and out of distribution.

Each set is an lmdb dataset read from its stored images through the public inference path
(``Recognizer.recognize``), the way a user's crops are read, so the figure includes preprocessing
and decoding. Labels the checkpoint's charset cannot spell are kept and count as errors: a set is
never made easier by dropping what the model cannot read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from modules.imageio import ImageReadError, decode_image
from modules.lmdbio import iter_lmdb_samples
from modules.metrics.recognition import normalized_edit_distance, word_accuracy
from modules.recognizer.recognize import Recognizer


@dataclass(frozen=True)
class CropSet:
    """One evaluation set: its name, lmdb folder and whether it is out of distribution (fonts *and*
    rendering or capture the training data never had)."""

    name: str
    lmdb_dir: str
    ood: bool


@dataclass(frozen=True)
class SetResult:
    """Figures of one set; ``examples``: the first ``(label, reading, confidence)`` triples."""

    name: str
    ood: bool
    count: int
    accuracy: float
    norm_ed: float
    unreadable_labels: int  # labels with characters outside the charset (always wrong)
    bad_images: int
    examples: list[tuple[str, str, float]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)  # how the crops were read (``evaluate_set``'s options)

    def row(self) -> dict[str, object]:
        """A flat record for a table / JSON (accuracy in percent)."""
        return {"set": self.name, "distribution": "out" if self.ood else "in", "crops": self.count,
                "word accuracy %": round(100 * self.accuracy, 2), "norm ED": round(self.norm_ed, 4),
                "labels outside charset": self.unreadable_labels, "bad images": self.bad_images}


def _load(crop_set: CropSet, max_samples: int) -> tuple[list[np.ndarray], list[str], int]:
    """The set's decoded crops (the first ``max_samples`` when > 0), their labels and the number of images
    that did not decode. Raises ``FileNotFoundError`` when the lmdb folder does not exist."""
    if not (Path(crop_set.lmdb_dir) / "data.mdb").exists():
        raise FileNotFoundError(f"{crop_set.lmdb_dir}: no lmdb dataset here (run 03_create_lmdb)")
    images, labels, bad = [], [], 0
    for index, data, label in iter_lmdb_samples(crop_set.lmdb_dir):
        if max_samples and len(labels) >= max_samples:
            break
        try:
            images.append(decode_image(data, source=f"{crop_set.lmdb_dir}#{index}"))
        except ImageReadError:
            bad += 1
            continue
        labels.append(label)
    return images, labels, bad


def misreads(recognizer: Recognizer, crop_set: CropSet, count: int = 12, max_samples: int = 400,
             max_width: int = 0) -> list[tuple[np.ndarray, str, str, float]]:
    """The first ``count`` crops among the set's first ``max_samples`` that ``recognizer`` misreads, to look
    at: ``(crop (H, W, 3) uint8 as stored, label, reading, confidence)``. ``max_width`` as in
    ``evaluate_set``. Raises ``FileNotFoundError`` when the lmdb folder does not exist."""
    images, labels, _ = _load(crop_set, max_samples)
    readings = recognizer.recognize(images, max_width=max_width) if images else []
    wrong = [(image, label, text, round(conf, 3))
             for image, label, (text, conf) in zip(images, labels, readings) if text != label]
    return wrong[:count]


def evaluate_set(recognizer: Recognizer, crop_set: CropSet, max_samples: int = 0, batch_size: int = 64,
                 max_width: int = 0, keep_examples: int = 12) -> SetResult:
    """Read every crop of ``crop_set`` (the first ``max_samples`` when > 0) and score the readings.

    ``max_width``: as ``Recognizer.recognize`` (0 reads at the model's input width only). An image that
    does not decode is counted under ``bad_images`` and left out. Raises ``FileNotFoundError`` when
    the lmdb folder does not exist.
    """
    images, labels, bad = _load(crop_set, max_samples)
    readings = recognizer.recognize(images, batch_size=batch_size, max_width=max_width) if images else []
    predictions = [text for text, _ in readings]
    spellable = set(recognizer.charset.chars)
    unreadable = sum(any(ch not in spellable for ch in label if not ch.isspace()) for label in labels)
    return SetResult(
        crop_set.name, crop_set.ood, len(labels),
        word_accuracy(predictions, labels) if labels else 0.0,
        normalized_edit_distance(predictions, labels) if labels else 0.0,
        unreadable, bad,
        [(label, text, round(conf, 3)) for label, (text, conf) in zip(labels[:keep_examples], readings)],
        {"max_samples": max_samples, "batch_size": batch_size, "max_width": max_width, "decoder": "greedy"},
    )


def evaluate_sets(recognizer: Recognizer, sets: list[CropSet], skip_missing: bool = True,
                  **options: int) -> list[SetResult]:
    """``evaluate_set`` for each set; a set whose lmdb is absent is reported and skipped when
    ``skip_missing`` (else ``FileNotFoundError``)."""
    results = []
    for crop_set in sets:
        if skip_missing and not os.path.exists(os.path.join(crop_set.lmdb_dir, "data.mdb")):
            print(f"{crop_set.name}: {crop_set.lmdb_dir} does not exist; left out")
            continue
        results.append(evaluate_set(recognizer, crop_set, **options))
    return results


def eval_sets_report(checkpoint: str | os.PathLike[str], recognizer: Recognizer, results: list[SetResult]
                     ) -> dict[str, Any]:
    """The content of ``eval_sets.json``: the checkpoint, every setting the figures depend on (``settings``:
    the model config and preprocessing the checkpoint holds, and per set how its crops were read), one
    ``SetResult.row()`` per set and each set's examples."""
    return {
        "checkpoint": str(checkpoint),
        "settings": {"model": recognizer.config.to_dict(), "preprocess": recognizer.preprocess.to_dict(),
                     "read": {r.name: r.settings for r in results}},
        "sets": [r.row() for r in results],
        "examples": {r.name: r.examples for r in results},
    }
