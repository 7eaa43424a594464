"""Scoring a recognizer on labelled lmdb crop sets (in and out of distribution)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from modules.imageio import encode_image
from modules.recognizer.evaluate import CropSet, evaluate_set, evaluate_sets, misreads
from modules.recognizer.synth import render_word, write_raw_lmdb
from modules.text.charset import Charset


class ScriptedReader:
    """Reads crops in order from a script, remembering what it was shown (stands in for a model)."""

    def __init__(self, readings: list[str], charset: Charset) -> None:
        self.readings, self.charset, self.seen = readings, charset, []

    def recognize(self, images, batch_size=64, max_width=0):
        self.seen.extend(images)
        return [(self.readings[i], 0.9) for i in range(len(images))]


@pytest.fixture()
def crop_lmdb(tmp_path: Path, font_path: Path) -> Path:
    words = ["가나", "abc", "라다", "가z", "다"]
    samples = [(encode_image(render_word(w, font_path, seed=i), ".jpg"), w) for i, w in enumerate(words)]
    samples.insert(2, (b"not an image", "가"))
    return write_raw_lmdb(tmp_path / "ood" / "toy", samples)


def test_scores_every_crop_keeps_unspellable_labels_and_counts_bad_images(crop_lmdb: Path) -> None:
    reader = ScriptedReader(["가나", "abd", "라다", "가", "다"], Charset.from_chars("가나다라abc"))
    result = evaluate_set(reader, CropSet("toy", str(crop_lmdb), ood=True))
    assert result.count == 5 and result.bad_images == 1
    assert result.accuracy == pytest.approx(3 / 5)  # "abd" and "가" are wrong; "가z" cannot be spelled
    assert result.unreadable_labels == 1
    assert all(isinstance(image, np.ndarray) and image.ndim == 3 for image in reader.seen)
    assert result.examples[1] == ("abc", "abd", 0.9)
    assert result.row()["distribution"] == "out" and result.row()["word accuracy %"] == 60.0


def test_misreads_gives_the_wrong_crops_with_label_and_reading(crop_lmdb: Path, tmp_path: Path) -> None:
    charset = Charset.from_chars("가나다라abc")
    wrong = misreads(ScriptedReader(["가나", "abd", "라다", "가", "다"], charset), CropSet("toy", str(crop_lmdb), ood=True))
    assert [(label, text, conf) for _, label, text, conf in wrong] == [("abc", "abd", 0.9), ("가z", "가", 0.9)]
    assert all(isinstance(image, np.ndarray) and image.ndim == 3 for image, *_ in wrong)
    first = misreads(ScriptedReader(["가나", "abd", "라다", "가", "다"], charset), CropSet("toy", str(crop_lmdb), ood=True), count=1)
    assert len(first) == 1 and first[0][1] == "abc"
    assert misreads(ScriptedReader(["가나", "abc"], charset), CropSet("toy", str(crop_lmdb), ood=True), max_samples=2) == []
    with pytest.raises(FileNotFoundError, match="no lmdb dataset"):
        misreads(ScriptedReader([], charset), CropSet("absent", str(tmp_path / "nothing"), ood=True))


def test_max_samples_and_missing_sets(crop_lmdb: Path, tmp_path: Path) -> None:
    reader = ScriptedReader(["가나", "abc"], Charset.from_chars("가나다라abc"))
    assert evaluate_set(reader, CropSet("toy", str(crop_lmdb), ood=False), max_samples=2).accuracy == 1.0
    missing = CropSet("absent", str(tmp_path / "nothing"), ood=False)
    assert evaluate_sets(reader, [missing]) == []
    with pytest.raises(FileNotFoundError, match="no lmdb dataset"):
        evaluate_sets(reader, [missing], skip_missing=False)


def test_eval_sets_report_records_every_setting(crop_lmdb: Path) -> None:
    import json

    from modules.recognizer.config import ModelConfig, Preprocess
    from modules.recognizer.evaluate import eval_sets_report

    reader = ScriptedReader(["가나", "abc", "라다", "가", "다"], Charset.from_chars("가나다라abc"))
    reader.config, reader.preprocess = ModelConfig(num_class=8, hidden_size=32), Preprocess(img_w=160)
    results = [evaluate_set(reader, CropSet("toy", str(crop_lmdb), ood=True), max_samples=3, batch_size=2,
                            max_width=256)]
    report = eval_sets_report("saved_models/x/best_accuracy.pth", reader, results)
    assert report["checkpoint"] == "saved_models/x/best_accuracy.pth"
    assert report["settings"] == {
        "model": reader.config.to_dict(), "preprocess": reader.preprocess.to_dict(),
        "read": {"toy": {"max_samples": 3, "batch_size": 2, "max_width": 256, "decoder": "greedy"}}}
    assert report["sets"] == [results[0].row()] and report["examples"] == {"toy": results[0].examples}
    json.dumps(report, ensure_ascii=False)  # written as eval_sets.json
