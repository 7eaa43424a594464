"""The data chain end to end on the generator's smoke sample sets: readers -> crops + gt -> lmdb ->
charset, with nothing lost or duplicated on a re-run (slow: renders the sample scenes first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modules.data.gtfile import read_gt
from modules.datasets.aihub import iter_aihub_outdoor
from modules.datasets.textocr import iter_textocr
from modules.gtdata import GtDataConfig, make_gtdata
from modules.lmdbio import GtSource, LmdbConfig, create_lmdb, iter_lmdb_labels
from modules.text.charset_stats import build_charset, char_frequencies, charset_coverage


@pytest.mark.slow
def test_chain_on_sample_datasets(tmp_path: Path) -> None:
    from modules.generator.sample_datasets import ensure_sample_datasets

    paths = ensure_sample_datasets(str(tmp_path / "data"), "smoke")
    data = tmp_path / "data"
    config = GtDataConfig(workers=2, progress=False)
    aihub = make_gtdata(iter_aihub_outdoor(paths["aihub_train_label"], paths["aihub_train_image"]),
                        data, "train", data / "gt_train.txt", config)
    textocr = make_gtdata(iter_textocr(paths["textocr_train_json"], paths["textocr_image_root"]),
                          data, "textocr_crops/train", data / "gt_textocr_train.txt", GtDataConfig(rectify=True, workers=2, progress=False))
    assert aihub.kept > 0 and textocr.kept > 0
    gt_text = (data / "gt_train.txt").read_text(encoding="utf-8")
    again = make_gtdata(iter_aihub_outdoor(paths["aihub_train_label"], paths["aihub_train_image"]),
                        data, "train", data / "gt_train.txt", config)
    assert again.resumed_images == aihub.images and (data / "gt_train.txt").read_text(encoding="utf-8") == gt_text

    sources = [GtSource(str(data / "gt_train.txt"), str(data)), GtSource(str(data / "gt_textocr_train.txt"), str(data))]
    report = create_lmdb(sources, tmp_path / "lmdb", LmdbConfig(progress=False))
    assert report.written == aihub.kept + textocr.kept and not report.skipped
    labels = [label for _, label in iter_lmdb_labels(tmp_path / "lmdb")]
    expected = [e.label for e in read_gt(data / "gt_train.txt")[0] + read_gt(data / "gt_textocr_train.txt")[0]]
    assert labels == expected

    frequencies, n = char_frequencies(labels)
    charset = build_charset(frequencies, add_ascii=True)
    assert n == len(labels) and charset_coverage(labels, charset).dropped == 0
