"""Photo-like rendering: extrusion, uneven light, glare, occlusion, a neighbouring line, tiny text, the
out-of-distribution dev set's renderer (other settings, held-out font families only), and the re-shoot of
scenes (training's and the OOD dev scenes')."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from modules.generator import effects
from modules.generator.generate import generate_crops
from modules.generator.glyphs import GlyphCache
from modules.generator.render_crop import OOD_CROP_CONFIG, CropConfig, render_crop

from tests.test_generator_crops import corpus, fonts_dir  # noqa: F401  (fixtures)

OFF = dict(p_outline=0.0, p_shadow=0.0, p_extrude=0.0, p_rotate=0.0, p_shear=0.0, p_perspective=0.0, p_curve=0.0,
           p_blur=0.0, p_motion_blur=0.0, p_noise=0.0, p_lowres=0.0, p_light=0.0, p_glare=0.0, p_occlude=0.0,
           p_neighbour=0.0, p_low_contrast=0.0, background_weights=(("flat", 1.0),), padding=(0.1, 0.1),
           vpadding=(0.1, 0.1), font_sizes=(30,))


def test_extrusion_trails_the_letters_in_one_direction() -> None:
    mask = np.zeros((20, 20), np.uint8)
    mask[5:10, 5:10] = 255
    out = effects.extrude(mask, 1, 1, 3)
    assert out[12, 12] == 255 and out[13, 13] == 0  # 3 steps down-right, no further
    assert out[4, 4] == 0 and out[5, 5] == 0  # nothing up-left; the face itself is not part of it


def test_uneven_light_and_glare_keep_shape_and_stay_in_range() -> None:
    rng = np.random.default_rng(0)
    img = np.full((40, 120, 3), 128, np.uint8)
    lit = effects.uneven_light(rng, img, 0.4)
    assert lit.shape == img.shape and lit.dtype == np.uint8
    assert lit.min() >= int(128 * 0.6) - 1 and lit.max() <= int(128 * 1.2) + 1 and np.ptp(lit) > 20
    shiny = effects.glare(np.random.default_rng(1), img)
    assert shiny.shape == img.shape and shiny.max() > 160 and shiny.min() == 128  # brighter, never darker


@pytest.mark.parametrize("seed", range(12))
def test_occlusion_covers_a_small_part_only(seed: int) -> None:
    img = np.zeros((48, 160, 3), np.uint8)
    out = effects.occlude(np.random.default_rng(seed), img)
    changed = (out != img).any(axis=2).mean()
    assert changed <= 0.16


def test_a_glare_drawn_small_is_the_same_light_from_the_same_draws() -> None:
    img = np.full((540, 960, 3), 100, np.uint8)
    for seed in range(4):
        full_rng, small_rng = np.random.default_rng(seed), np.random.default_rng(seed)
        full, small = effects.glare(full_rng, img), effects.glare(small_rng, img, scale=0.25)
        assert full_rng.random() == small_rng.random()  # the same random draws, so the rest of a re-shoot is unchanged
        diff = np.abs(full.astype(np.int16) - small)
        assert full.max() > 140 and diff.mean() < 1.5 and diff.max() <= 16, (seed, diff.mean(), diff.max())


def test_a_neighbouring_line_makes_the_crop_taller(font_path: Path) -> None:
    cache = GlyphCache()
    plain_cfg = CropConfig(**OFF)
    with_cfg = replace(plain_cfg, p_neighbour=1.0)
    plain = render_crop(np.random.default_rng(3), "행복약국", str(font_path), cache, plain_cfg, None, "출입금지")
    taller = render_crop(np.random.default_rng(3), "행복약국", str(font_path), cache, with_cfg, None, "출입금지")
    assert taller.shape[0] > plain.shape[0] and taller.shape[1] == plain.shape[1]


def test_tiny_text_is_drawn_small_then_upscaled(font_path: Path) -> None:
    cache = GlyphCache()
    base = CropConfig(**OFF)
    sharp = render_crop(np.random.default_rng(5), "행복약국", str(font_path), cache, base)
    tiny = render_crop(np.random.default_rng(5), "행복약국", str(font_path), cache,
                       replace(base, p_lowres=1.0, lowres_height=(8.0, 8.0)))
    assert tiny.shape == sharp.shape

    def detail(img: np.ndarray) -> float:  # high-frequency energy
        grey = img.astype(np.float32).mean(axis=2)
        return float(np.abs(np.diff(grey, axis=1)).mean())

    assert detail(tiny) < 0.7 * detail(sharp)


def test_the_ood_renderer_differs_from_training_in_every_range_it_names() -> None:
    train = CropConfig()
    differing = [f.name for f in fields(CropConfig) if getattr(train, f.name) != getattr(OOD_CROP_CONFIG, f.name)]
    assert {"font_sizes", "spacing", "padding", "background_weights", "jpeg_quality"} <= set(differing)
    assert not set(OOD_CROP_CONFIG.font_sizes) & set(train.font_sizes)
    assert dict(OOD_CROP_CONFIG.background_weights).get("flat", 0) == 0 < dict(train.background_weights)["flat"]


def test_the_ood_ranges_lie_beyond_the_training_ranges() -> None:
    """When the training ranges widen, the OOD renderer must move past them, or its set stops measuring
    text drawn unlike the training crops."""
    train, ood = CropConfig(), OOD_CROP_CONFIG
    assert min(ood.font_sizes) < min(train.font_sizes) and max(ood.font_sizes) > max(train.font_sizes)
    for name in ("spacing", "padding", "vpadding"):  # wider than training's widest
        assert getattr(ood, name)[0] >= getattr(train, name)[1], name
    for name in ("max_angle", "max_shear", "max_perspective", "max_blur_sigma", "max_noise_sigma", "max_light"):
        assert getattr(ood, name) > getattr(train, name), name
    for name in ("p_neighbour", "p_outline", "p_shadow", "p_extrude", "p_rotate", "p_curve", "p_glare", "p_occlude"):
        assert getattr(ood, name) > getattr(train, name), name
    assert ood.jpeg_quality[0] < train.jpeg_quality[0] and ood.jpeg_quality[1] < train.jpeg_quality[1] / 2


def test_ood_crops_use_only_held_out_font_families(tmp_path: Path, corpus: Path, fonts_dir: Path) -> None:  # noqa: F811
    result = generate_crops(tmp_path / "out", "ood", 12, seed=0, fonts_dir=fonts_dir, corpus_path=corpus,
                            workers=1, config=OOD_CROP_CONFIG, progress=False)
    manifest = json.loads((tmp_path / "out" / ".generator_ood.json").read_text(encoding="utf-8"))
    assert manifest["fonts"] == ["AsciiOnly.ttf"]  # the fixture's only test-split font
    assert result.count == 12 and all(ch.isascii() for ch in Path(result.gt_path).read_text(encoding="utf-8"))
    train = generate_crops(tmp_path / "out", "train", 4, seed=0, fonts_dir=fonts_dir, corpus_path=corpus,
                           workers=1, progress=False)
    assert train.count == 4  # the same folder holds both splits side by side


def test_scenes_hold_boards_of_lines_big_text_and_large_photos(repo_root: Path) -> None:
    from modules.generator.corpus import read_corpus
    from modules.generator.fonts import load_fonts
    from modules.generator.scene import LARGE_SIZES, render_scene

    rows, _ = read_corpus(repo_root / "textimagegenerator" / "sample_data.xlsx")
    fonts, _ = load_fonts(repo_root / "textimagegenerator" / "fonts", split="train")
    cache = GlyphCache()
    boards = big = 0
    for seed in range(16):
        scene = render_scene(np.random.default_rng(seed), rows, fonts, cache, size=(480, 360), p_board=1.0)
        h, w = scene.image.shape[:2]
        quads = [np.array(word.quad) for word in scene.words]
        for quad in quads:  # every box lies in the image
            assert quad[:, 0].min() >= -2 and quad[:, 0].max() <= w + 2 and quad[:, 1].min() >= -2 and quad[:, 1].max() <= h + 2
        heights = sorted(q[:, 1].max() - q[:, 1].min() for q in quads)
        big += bool(heights) and heights[-1] >= h / 6
        tops = sorted(q[:, 1].min() for q in quads if q[:, 1].max() - q[:, 1].min() < h / 8)
        boards += sum(b - a > 0 for a, b in zip(tops, tops[1:])) >= 2  # lines stacked one under another
    assert boards >= 8 and big >= 2
    sizes = {render_scene(np.random.default_rng([7, i]), rows, fonts, cache, words=(1, 1), p_board=0.5).image.shape[:2]
             for i in range(60)}
    assert any((hh, ww) in {(s[1], s[0]) for s in LARGE_SIZES} for hh, ww in sizes)


@pytest.mark.parametrize("seed", range(4))
def test_ood_photograph_moves_every_quad_with_the_picture(seed: int) -> None:
    from modules.generator.photograph import OOD_PHOTO, photograph
    from modules.generator.scene import Scene, SceneWord

    image = np.zeros((300, 400, 3), np.uint8)
    image[100:160, 120:300] = 255  # one white "word"
    quad = ((120.0, 100.0), (300.0, 100.0), (300.0, 160.0), (120.0, 160.0))
    shot = photograph(np.random.default_rng(seed), Scene(image, (SceneWord("가나", quad, (quad,)),)), OOD_PHOTO)
    assert shot.image.shape == image.shape and shot.image.dtype == np.uint8
    moved = np.array(shot.words[0].quad)
    assert not np.allclose(moved, np.array(quad))  # the picture was tilted
    grey = shot.image.astype(np.float32).mean(axis=2)
    cx, cy = moved.mean(axis=0)
    assert grey[int(cy), int(cx)] > 110  # the word is still where its quad says
    mask = np.zeros(grey.shape, np.uint8)
    cv2.fillPoly(mask, [np.round(moved).astype(np.int32)], 1)
    assert grey[mask == 1].mean() > 2.5 * grey[mask == 0].mean()
    assert shot.words[0].char_quads[0] == shot.words[0].quad


def _blank_scene() -> tuple[np.ndarray, object]:
    from modules.generator.scene import Scene, SceneWord

    image = np.full((120, 200, 3), 90, np.uint8)
    image[40:80, 50:150] = 230
    quad = ((50.0, 40.0), (150.0, 40.0), (150.0, 80.0), (50.0, 80.0))
    return image, Scene(image, (SceneWord("가나", quad, (quad,)),))


def test_a_reshoot_step_left_out_changes_nothing_else() -> None:
    from modules.generator.photograph import OOD_PHOTO, STEPS, photograph

    image, scene = _blank_scene()
    none = photograph(np.random.default_rng(3), scene, OOD_PHOTO, steps=())
    assert np.array_equal(none.image, image) and none.words == scene.words
    noise_only = photograph(np.random.default_rng(3), scene, OOD_PHOTO, steps=("noise",))
    grain = noise_only.image.astype(np.int16) - image
    assert noise_only.words == scene.words and grain.std() > 1.5
    # every step draws its numbers either way: the noise is the same grain as in the whole re-shoot's last step
    with_blur = photograph(np.random.default_rng(3), scene, OOD_PHOTO, steps=("blur", "noise"))
    blur_only = photograph(np.random.default_rng(3), scene, OOD_PHOTO, steps=("blur",))
    assert np.abs((with_blur.image.astype(np.int16) - blur_only.image) - grain)[image < 250].max() <= 1
    whole = photograph(np.random.default_rng(3), scene, OOD_PHOTO)
    assert whole.words != scene.words and set(STEPS) >= {"tilt", "blur", "noise"}
    with pytest.raises(ValueError, match="unknown re-shoot steps"):
        photograph(np.random.default_rng(3), scene, OOD_PHOTO, steps=("sepia",))


def test_the_ood_reshoot_lies_beyond_the_training_reshoot() -> None:
    """The OOD dev scenes must stay re-shot worse than any training scene, or they stop measuring photos
    taken worse than the models trained on."""
    from modules.generator.photograph import OOD_PHOTO, TRAIN_PHOTO

    train, ood = TRAIN_PHOTO, OOD_PHOTO
    assert ood.max_tilt > train.max_tilt and ood.p_glare > train.p_glare
    for name in ("light", "blur_sigma", "motion_length", "noise"):  # the OOD range ends past the training one
        assert getattr(ood, name)[1] > getattr(train, name)[1], name
        assert getattr(ood, name)[0] >= getattr(train, name)[0], name
    assert ood.lowres[0] < train.lowres[0] and ood.lowres[1] < train.lowres[1]  # shrunk further
    assert ood.motion_angle > train.motion_angle


def test_a_share_of_the_train_scenes_is_reshot_and_no_held_out_scene() -> None:
    from modules.generator.sample_datasets import P_RESHOOT, reshoot_if_train

    _, scene = _blank_scene()
    for split in ("test", "dev", "ood", "val"):  # held out: as drawn, and no random draw taken
        rng = np.random.default_rng(5)
        assert reshoot_if_train(rng, split, scene) is scene
        assert rng.random() == np.random.default_rng(5).random()
    shot = [reshoot_if_train(np.random.default_rng([11, i]), "train", scene) for i in range(200)]
    changed = [s for s in shot if s is not scene]
    assert abs(len(changed) / len(shot) - P_RESHOOT) < 0.1
    assert all(s.image.shape == scene.image.shape and not np.array_equal(s.image, scene.image) for s in changed)
    assert all(s.words != scene.words for s in changed)  # tilted: the quads moved with the picture
