"""Glyph rendering, crop rendering and the parallel, resumable crop folders."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from openpyxl import Workbook

from modules.data.gtfile import read_gt
from modules.generator.corpus import read_corpus
from modules.generator.coverage import corpus_charset, coverage_text
from modules.generator.generate import generate_crops, one_opencv_thread
from modules.generator.glyphs import GlyphCache
from modules.generator.render_crop import CropConfig, render_crop
from modules.imageio import read_image

from tests.test_generator_fonts_corpus import ascii_only_font

TEXTS = ["행복약국", "OPEN", "김치찌개 8,000원", "Cafe Latte", "02-123-4567", "출입금지", "No.1 치킨", "가"]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    workbook = Workbook()
    workbook.active.append(["text", "category", "language"])
    for text in TEXTS:
        workbook.active.append([text, "test", "mixed"])
    path = tmp_path / "corpus.xlsx"
    workbook.save(path)
    return path


@pytest.fixture()
def fonts_dir(tmp_path: Path, font_path: Path, repo_root: Path) -> Path:
    folder = tmp_path / "fonts"
    folder.mkdir()
    shutil.copy(font_path, folder / "Gothic.ttf")
    shutil.copy(repo_root / "textimagegenerator" / "fonts" / "NanumMyeongjo.ttf", folder / "Myeongjo.ttf")
    ascii_only_font(font_path, folder / "AsciiOnly.ttf")
    (folder / "fonts.json").write_text(json.dumps({"fonts": [
        {"file": "Gothic.ttf", "style": "gothic", "split": "train"},
        {"file": "Myeongjo.ttf", "style": "myeongjo", "split": "train"},
        {"file": "AsciiOnly.ttf", "style": "gothic", "split": "test"}]}), encoding="utf-8")
    return folder


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_glyph_lines_place_characters_in_order(font_path: Path) -> None:
    cache = GlyphCache()
    line = cache.render(str(font_path), 32, "가 나다", spacing=4)
    boxes = line.char_boxes
    assert boxes[1] is None and all(b is not None for b in (boxes[0], boxes[2], boxes[3]))
    assert boxes[0][2] <= boxes[2][0] and boxes[2][2] <= boxes[3][0]  # left to right, no overlap
    assert line.mask.max() == 255 and line.mask.shape[0] >= 32
    tall = cache.render(str(font_path), 32, "가나다", vertical=True)
    ys = [b[1] for b in tall.char_boxes]
    assert ys == sorted(ys) and tall.mask.shape[0] > 2.5 * tall.mask.shape[1]
    wider = cache.render(str(font_path), 32, "가 나다", spacing=12).mask.shape[1]
    assert wider > line.mask.shape[1]


def test_crop_shows_the_text_with_contrast(font_path: Path) -> None:
    cache = GlyphCache()
    plain = CropConfig(background_weights=(("flat", 1.0),), p_outline=0, p_shadow=0, p_rotate=0, p_shear=0,
                       p_perspective=0, p_curve=0, p_blur=0, p_motion_blur=0, p_noise=0, p_lowres=0,
                       p_extrude=0, p_light=0, p_glare=0, p_occlude=0, p_neighbour=0, p_low_contrast=0)
    crop = render_crop(np.random.default_rng(0), "행복약국", str(font_path), cache, plain)
    assert crop.dtype == np.uint8 and crop.ndim == 3 and 28 <= crop.shape[0] <= 80
    luma = crop.astype(np.float32) @ np.float32([0.299, 0.587, 0.114])
    assert luma.max() - luma.min() >= 70  # the contrast rule holds for flat backgrounds
    def ink(crop: np.ndarray) -> int:  # pixels that differ from the flat background
        return int((np.abs(crop.astype(np.int16) - np.median(crop, axis=(0, 1))).max(axis=2) > 40).sum())

    for seed in range(3):  # emboldened strokes cover more pixels (same text, font size and spacing)
        bold, thin = (render_crop(np.random.default_rng(seed), "행복약국", str(font_path), cache, replace(plain, p_bold=p))
                      for p in (1.0, 0.0))
        assert ink(bold) > 1.2 * ink(thin)
    for seed in range(20):  # every variation stays a small 3-channel crop
        crop = render_crop(np.random.default_rng(seed), "김치찌개 8,000원", str(font_path), cache)
        assert crop.ndim == 3 and 20 <= crop.shape[0] <= 140 and crop.shape[1] > crop.shape[0]


def test_one_opencv_thread_draws_the_same_crops_and_restores_the_setting(font_path: Path, tmp_path: Path,
                                                                        corpus: Path, fonts_dir: Path) -> None:
    busy = CropConfig(font_sizes=(44,), padding=(0.8, 0.8), p_glare=1.0, p_light=1.0, p_rotate=1.0,
                      p_perspective=0.5, p_blur=0.5, p_motion_blur=1.0, p_noise=0.5)
    cache = GlyphCache()
    before = cv2.getNumThreads()
    try:
        cv2.setNumThreads(4)
        threaded = [render_crop(np.random.default_rng(seed), "김치찌개 8,000원", str(font_path), cache, busy)
                    for seed in range(12)]
        with one_opencv_thread():
            assert cv2.getNumThreads() == 1
            single = [render_crop(np.random.default_rng(seed), "김치찌개 8,000원", str(font_path), cache, busy)
                      for seed in range(12)]
        assert cv2.getNumThreads() == 4
        assert all(np.array_equal(a, b) for a, b in zip(threaded, single))
        generate_crops(tmp_path / "a", "train", 5, seed=3, fonts_dir=fonts_dir, corpus_path=corpus,
                       workers=1, progress=False)  # runs its workers with one thread, in this process here
        assert cv2.getNumThreads() == 4
    finally:
        cv2.setNumThreads(before)


def test_crops_layout_gt_and_identical_output_for_any_worker_count(tmp_path: Path, corpus: Path,
                                                                  fonts_dir: Path) -> None:
    one = generate_crops(tmp_path / "a", "train", 40, seed=3, fonts_dir=fonts_dir, corpus_path=corpus,
                         workers=1, chunk_size=7, progress=False)
    assert one.count == 40 and one.written == 40
    entries, problems = read_gt(one.gt_path)
    assert problems == [] and [e.path for e in entries] == [f"train/{i:08d}.jpg" for i in range(40)]
    assert {e.label for e in entries} <= set(TEXTS)
    for entry in entries[:5]:
        image = read_image(tmp_path / "a" / entry.path)
        assert image.ndim == 3 and image.shape[0] >= 20
        name = Path(entry.path).name
        label_file = tmp_path / "a" / "train_label" / name.replace(".jpg", ".txt")
        assert label_file.read_text(encoding="utf-8") == f"{name}\t{entry.label}\n"
    two = generate_crops(tmp_path / "b", "train", 40, seed=3, fonts_dir=fonts_dir, corpus_path=corpus,
                         workers=2, chunk_size=7, progress=False)
    assert Path(two.gt_path).read_bytes() == Path(one.gt_path).read_bytes()
    assert digest(tmp_path / "a" / "train") == digest(tmp_path / "b" / "train")
    generate_crops(tmp_path / "c", "train", 40, seed=4, fonts_dir=fonts_dir, corpus_path=corpus,
                           workers=1, progress=False)
    assert digest(tmp_path / "c" / "train") != digest(tmp_path / "a" / "train")


def test_rerun_resumes_a_partial_folder_and_refuses_other_settings(tmp_path: Path, corpus: Path,
                                                                  fonts_dir: Path) -> None:
    kwargs = dict(fonts_dir=fonts_dir, corpus_path=corpus, workers=1, progress=False)
    generate_crops(tmp_path, "train", 30, seed=0, **kwargs)
    before = digest(tmp_path / "train")
    (tmp_path / "train" / "00000003.jpg").unlink()  # interrupted between files
    (tmp_path / "train_label" / "00000007.txt").unlink()
    (tmp_path / "gt_train.txt").unlink()
    again = generate_crops(tmp_path, "train", 30, seed=0, **kwargs)
    assert (again.written, again.existing, again.count) == (2, 28, 30)
    assert digest(tmp_path / "train") == before
    longer = generate_crops(tmp_path, "train", 35, seed=0, **kwargs)  # extending keeps the first 30
    assert (longer.written, longer.existing) == (5, 30)
    with pytest.raises(ValueError, match="other settings.*seed"):
        generate_crops(tmp_path, "train", 30, seed=1, **kwargs)
    assert digest(tmp_path / "train") != {} and (tmp_path / "train" / "00000000.jpg").exists()
    replaced = generate_crops(tmp_path, "train", 30, seed=1, overwrite=True, **kwargs)
    assert replaced.written == 30


def test_test_split_uses_only_test_fonts_and_skips_uncovered_texts(tmp_path: Path, corpus: Path,
                                                                  fonts_dir: Path) -> None:
    # the only test font lacks Hangul: every test crop must be an ASCII-only text
    result = generate_crops(tmp_path, "test", 30, seed=0, fonts_dir=fonts_dir, corpus_path=corpus,
                            workers=1, progress=False)
    entries, _ = read_gt(result.gt_path)
    assert len(entries) == 30 and all(e.label.isascii() for e in entries)
    assert result.problems["no font of the split covers the text"] > 0


def test_skipped_categories_never_appear(tmp_path: Path, fonts_dir: Path) -> None:
    workbook = Workbook()
    workbook.active.append(["text", "category"])
    for text, category in (("행복약국", "shop"), ("OPEN", "english"), ("뷁궯", "random_syllables")):
        workbook.active.append([text, category])
    workbook.save(tmp_path / "c.xlsx")
    result = generate_crops(tmp_path / "out", "train", 30, fonts_dir=fonts_dir, corpus_path=tmp_path / "c.xlsx",
                            workers=1, progress=False, skip_categories=("random_syllables",))
    labels = {e.label for e in read_gt(result.gt_path)[0]}
    assert labels == {"행복약국", "OPEN"}
    with pytest.raises(ValueError, match="no usable text rows"):
        generate_crops(tmp_path / "none", "train", 3, fonts_dir=fonts_dir, corpus_path=tmp_path / "c.xlsx",
                       workers=1, progress=False, skip_categories=("shop", "english", "random_syllables"))


def test_coverage_strings_spread_evenly_over_the_corpus_charset(tmp_path: Path, corpus: Path,
                                                                fonts_dir: Path) -> None:
    charset = corpus_charset(read_corpus(corpus)[0])
    assert " " not in charset and "행" in charset and list(charset) == sorted(set(charset))
    rng = np.random.default_rng(0)
    strings = [coverage_text(rng, charset) for _ in range(4000)]
    assert {len(s) for s in strings} == set(range(1, 7)) and set("".join(strings)) == set(charset)
    counts = Counter("".join(strings))
    assert max(counts.values()) < 1.5 * min(counts.values())  # uniform, whatever the corpus frequency
    with pytest.raises(ValueError, match="non-empty"):
        coverage_text(rng, "")

    kwargs = dict(seed=0, fonts_dir=fonts_dir, corpus_path=corpus, workers=1, progress=False)
    plain = generate_crops(tmp_path / "plain", "train", 60, **kwargs)
    mixed = generate_crops(tmp_path / "mixed", "train", 60, coverage_share=0.5, **kwargs)
    labels = [e.label for e in read_gt(mixed.gt_path)[0]]
    random_strings = [label for label in labels if label not in TEXTS]
    assert 15 <= len(random_strings) <= 45 and all(set(s) <= set(charset) for s in random_strings)
    assert {e.label for e in read_gt(plain.gt_path)[0]} <= set(TEXTS)
    with pytest.raises(ValueError, match="other settings.*coverage_share"):
        generate_crops(tmp_path / "plain", "train", 60, coverage_share=0.5, **kwargs)
    with pytest.raises(ValueError, match=r"coverage_share must lie in \[0, 1\]"):
        generate_crops(tmp_path / "bad", "train", 5, coverage_share=1.5, **kwargs)
