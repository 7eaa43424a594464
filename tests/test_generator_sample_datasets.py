"""The embedded sample datasets: exact formats, split fonts, dirty cases, idempotent reruns."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from modules.datasets.aihub import iter_aihub_outdoor
from modules.generator import sample_datasets as sd
from modules.generator.corpus import read_corpus
from modules.generator.fonts import load_fonts
from modules.generator.glyphs import GlyphCache
from modules.generator.scene import render_scene

TINY = sd.SampleSizes(aihub_train=20, aihub_test=2, textinthewild=3, textocr_train=3, textocr_val=2, textocr_test=1)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("data")
    paths = sd.make_sample_datasets(root, TINY, seed=0, fonts_dir=repo_root / "textimagegenerator" / "fonts",
                                    corpus_path=repo_root / "textimagegenerator" / "sample_data.xlsx",
                                    workers=2, progress=False)
    return root, paths


def test_scene_words_lie_inside_the_image(repo_root: Path) -> None:
    rows, _ = read_corpus(repo_root / "textimagegenerator" / "sample_data.xlsx")
    fonts, _ = load_fonts(repo_root / "textimagegenerator" / "fonts", split="train")
    cache = GlyphCache()
    for seed in range(3):
        scene = render_scene(np.random.default_rng(seed), rows, fonts, cache, vertical=seed == 2)
        h, w = scene.image.shape[:2]
        assert scene.image.dtype == np.uint8 and 3 <= len(scene.words) <= 12
        for word in scene.words:
            x, y, bw, bh = word.bbox()
            assert -2 <= x and -2 <= y and x + bw <= w + 2 and y + bh <= h + 2 and bw > 0 and bh > 0
            assert len(word.char_quads) == len(word.text.replace(" ", ""))
        if seed == 2:
            assert any(word.vertical and word.bbox()[3] > word.bbox()[2] for word in scene.words)


def test_aihub_files_follow_the_format(made: tuple[Path, dict[str, str]]) -> None:
    root, paths = made
    labels = sorted(Path(paths["aihub_train_label"]).glob("*.json"))
    images = sorted(Path(paths["aihub_train_image"]).iterdir())
    assert len(labels) == 19 and len(images) == 19  # index 17 lacks its image, 19 its JSON
    stems_l, stems_i = {p.stem for p in labels}, {p.stem for p in images}
    assert len(stems_l - stems_i) == 1 and len(stems_i - stems_l) == 1
    assert all(p.name.startswith("간판_") and p.stem.split("_")[-1].isdigit() for p in images)
    assert {p.suffix for p in images} <= {".jpg", ".JPG", ".JPEG"}
    for label in labels:
        record = json.loads(label.read_text(encoding="utf-8"))
        assert list(record) == ["info", "images", "annotations", "metadata"]
        assert len(record["images"]) == 1 and record["images"][0]["file_name"].startswith(label.stem)
        meta = record["metadata"][0] if isinstance(record["metadata"], list) else record["metadata"]
        assert meta["wordorientation"] == ("세로" if "세로형간판" in label.stem else "가로")
        for ann in record["annotations"]:
            assert set(ann) == {"id", "text", "bbox"} and isinstance(ann["text"], str)
    test_labels = list(Path(paths["aihub_test_label"]).glob("*.json"))
    assert len(test_labels) == 2 and all(int(p.stem[-6:]) > 500_000 for p in test_labels)


def test_textocr_and_textinthewild_follow_the_format(made: tuple[Path, dict[str, str]]) -> None:
    _, paths = made
    train = json.loads(Path(paths["textocr_train_json"]).read_text(encoding="utf-8"))
    assert list(train) == ["imgs", "anns", "imgToAnns"] and len(train["imgs"]) == 3
    for img_id, img in train["imgs"].items():
        assert img["file_name"] == f"train/{img_id}.jpg" and img["set"] == "train"
        assert (Path(paths["textocr_image_root"]) / "train_images" / f"{img_id}.jpg").exists()
        for ann_id in train["imgToAnns"][img_id]:
            ann = train["anns"][ann_id]
            assert ann_id.startswith(img_id + "_") and len(ann["bbox"]) == 4 and ann["utf8_string"]
            assert all(isinstance(v, float) for v in ann["bbox"])
    val = json.loads(Path(paths["textocr_val_json"]).read_text(encoding="utf-8"))
    assert {img["set"] for img in val["imgs"].values()} == {"val"}
    test = json.loads(Path(paths["textocr_test_json"]).read_text(encoding="utf-8"))
    assert len(test["imgs"]) == 1 and test["anns"] == {}
    titw = json.loads(Path(paths["textinthewild_json"]).read_text(encoding="utf-8"))
    assert list(titw) == ["info", "images", "annotations", "licenses"] and len(titw["images"]) == 3
    classes = {a["attributes"]["class"] for a in titw["annotations"]}
    assert {"word", "character"} <= classes
    for image in titw["images"]:
        assert len(image["file_name"]) == 36 and isinstance(image["id"], str)
    assert not (Path(paths["textinthewild_root"]) / ".parts").exists()


def test_readers_of_the_data_chain_accept_the_sets(made: tuple[Path, dict[str, str]]) -> None:
    aihub = pytest.importorskip("modules.datasets.aihub")
    textocr = pytest.importorskip("modules.datasets.textocr")
    _, paths = made
    records = list(aihub.iter_aihub_outdoor(paths["aihub_train_label"], paths["aihub_train_image"]))
    good = [r for r in records if hasattr(r, "words")]
    reasons = [r.reason for r in records if not hasattr(r, "words")]
    assert len(good) == 18  # one image missing, one JSON missing; other problems are dirty boxes
    assert reasons.count("image_missing") == 1 and reasons.count("label_missing") == 1
    ocr = list(textocr.iter_textocr(paths["textocr_train_json"], paths["textocr_image_root"]))
    assert sum(hasattr(r, "words") for r in ocr) == 3


def test_rerun_is_a_no_op_and_resumes_a_missing_file(made: tuple[Path, dict[str, str]], repo_root: Path) -> None:
    root, paths = made
    kwargs = dict(fonts_dir=repo_root / "textimagegenerator" / "fonts",
                  corpus_path=repo_root / "textimagegenerator" / "sample_data.xlsx", workers=1, progress=False)
    image = sorted(Path(paths["aihub_train_image"]).iterdir())[0]
    original = image.read_bytes()
    stamp = os.stat(image).st_mtime_ns
    assert sd.make_sample_datasets(root, TINY, seed=0, **kwargs) == paths
    assert os.stat(image).st_mtime_ns == stamp
    # an interrupted run: the manifest says incomplete and one image is gone -> only it is redone
    manifest = json.loads((root / sd.MANIFEST).read_text(encoding="utf-8"))
    manifest["aihub"]["complete"] = False
    (root / sd.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    image.unlink()
    sd.make_sample_datasets(root, TINY, seed=0, **kwargs)
    assert image.read_bytes() == original
    # other settings never overwrite what is there
    sd.make_sample_datasets(root, sd.SampleSizes(5, 1, 1, 1, 1, 1), seed=9, **kwargs)
    assert image.read_bytes() == original and len(list(Path(paths["aihub_train_label"]).glob("*.json"))) == 19


def test_real_data_already_there_is_left_alone(tmp_path: Path, repo_root: Path) -> None:
    (tmp_path / "train_label").mkdir()
    (tmp_path / "train_label" / "real.json").write_text("{}", encoding="utf-8")
    sizes = sd.SampleSizes(2, 1, 0, 0, 0, 0)
    sd.make_sample_datasets(tmp_path, sizes, fonts_dir=repo_root / "textimagegenerator" / "fonts",
                            corpus_path=repo_root / "textimagegenerator" / "sample_data.xlsx", workers=1, progress=False)
    assert [p.name for p in (tmp_path / "train_label").iterdir()] == ["real.json"]
    assert not (tmp_path / "test_label").exists()
    with pytest.raises(ValueError, match="unknown profile"):
        sd.ensure_sample_datasets(str(tmp_path), profile="huge")


def test_dev_scenes_are_added_beside_an_existing_set_and_differ_from_the_test_scenes(
        tmp_path: Path, repo_root: Path) -> None:
    kwargs = dict(fonts_dir=repo_root / "textimagegenerator" / "fonts",
                  corpus_path=repo_root / "textimagegenerator" / "sample_data.xlsx", workers=1, progress=False)
    before = sd.SampleSizes(0, 2, 0, 0, 0, 0)  # a folder made before the dev split existed
    paths = sd.make_sample_datasets(tmp_path, before, **kwargs)
    test_images = {p.name: p.read_bytes() for p in Path(paths["aihub_test_image"]).iterdir()}
    assert not Path(paths["aihub_dev_label"]).exists()

    paths = sd.make_sample_datasets(tmp_path, replace(before, aihub_dev=2), **kwargs)
    assert {p.name: p.read_bytes() for p in Path(paths["aihub_test_image"]).iterdir()} == test_images
    dev_images = sorted(Path(paths["aihub_dev_image"]).iterdir())
    assert sorted(p.stem.split("_")[-1] for p in dev_images) == ["700001", "700002"]
    assert not {p.read_bytes() for p in dev_images} & set(test_images.values())
    records = list(iter_aihub_outdoor(paths["aihub_dev_label"], paths["aihub_dev_image"]))
    assert len(records) == 2 and all(r.words for r in records)
    manifest = json.loads((tmp_path / sd.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["aihub_dev"]["complete"] and manifest["aihub_dev"]["counts"] == {"dev": 2}
    assert sd.PROFILES["default"].aihub_dev > 0

    # more scenes of the same seed extend the set (the default grew from 600 to 2,000 training scenes)
    sd.make_sample_datasets(tmp_path, replace(before, aihub_test=3, aihub_dev=2), **kwargs)
    grown = {p.name: p.read_bytes() for p in Path(paths["aihub_test_image"]).iterdir()}
    assert len(grown) == 3 and {k: grown[k] for k in test_images} == test_images
    assert json.loads((tmp_path / sd.MANIFEST).read_text(encoding="utf-8"))["aihub"]["counts"]["test"] == 3


def test_a_notebook_alone_makes_the_sample_data_only_for_its_missing_sample_inputs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(sd, "ensure_sample_datasets", lambda root, profile: calls.append((root, profile)))
    monkeypatch.chdir(tmp_path)
    inputs = ["data/train_label", "./data/textocr/TextOCR_0.1_train.json", "/home/me/aihub/labels", "",
              "data/gt_train.txt"]
    assert sd.sample_inputs(inputs) == ["data/train_label", "./data/textocr/TextOCR_0.1_train.json"]
    # every input on the user's own data: nothing is made, even though data/ is empty
    assert sd.ensure_sample_inputs(["/home/me/aihub/labels", "/home/me/aihub/images"], profile="smoke") is False
    assert calls == []
    # a fresh clone: the default inputs are absent
    assert sd.ensure_sample_inputs(inputs, profile="smoke") is True and calls == [("data", "smoke")]
    # made and complete: left alone
    (tmp_path / "data" / "train_label").mkdir(parents=True)
    (tmp_path / "data" / "textocr").mkdir()
    (tmp_path / "data" / "textocr" / "TextOCR_0.1_train.json").write_text("{}")
    manifest = tmp_path / "data" / sd.MANIFEST
    manifest.write_text(json.dumps({"aihub": {"complete": True}, "textocr": {"complete": True}}))
    assert sd.ensure_sample_inputs(inputs, profile="smoke") is False and len(calls) == 1
    # an interrupted generation: resumed
    manifest.write_text(json.dumps({"aihub": {"complete": True}, "textocr": {"complete": False}}))
    assert sd.ensure_sample_inputs(inputs, profile="smoke") is True and len(calls) == 2
    # a real download in data/ (no manifest): left alone
    manifest.unlink()
    assert sd.ensure_sample_inputs(inputs) is False and len(calls) == 2


def test_train_scenes_follow_their_own_seed_and_the_held_out_scenes_stay_shared(
        tmp_path: Path, repo_root: Path) -> None:
    kwargs = dict(fonts_dir=repo_root / "textimagegenerator" / "fonts",
                  corpus_path=repo_root / "textimagegenerator" / "sample_data.xlsx", workers=1, progress=False)
    sizes = sd.SampleSizes(aihub_train=2, aihub_test=1, textinthewild=1, textocr_train=1, textocr_val=1, textocr_test=0)

    def images(root: Path) -> dict[str, set[bytes]]:
        return {folder: {p.read_bytes() for p in (root / folder).rglob("*.jpg")}
                for folder in ("train_image", "test_image", "textinthewild", "textocr/train_images")}

    shared = images(Path(sd.make_sample_datasets(tmp_path / "a", sizes, **kwargs)["aihub_train_image"]).parent)
    own = images(Path(sd.make_sample_datasets(tmp_path / "b", replace(sizes, train_seed=1), **kwargs)
                      ["aihub_train_image"]).parent)
    assert own["test_image"] == shared["test_image"] and len(own["test_image"]) == 1
    assert len(own["train_image"]) == 2 and not own["train_image"] & shared["train_image"]
    assert len(own["textinthewild"]) == 1 and not own["textinthewild"] & shared["textinthewild"]
    # textocr keeps train and val images in one folder: the val image is shared, the train image is not
    assert len(own["textocr/train_images"] & shared["textocr/train_images"]) == 1
    assert len(own["textocr/train_images"]) == 2

    # a set made with the run's seed is kept, not mixed, when asked for another train seed
    sd.make_sample_datasets(tmp_path / "a", replace(sizes, train_seed=1), **kwargs)
    assert images(tmp_path / "a") == shared

    # the default run's train scenes are not the pretraining's; its held-out scenes are
    default, pretrain = sd.PROFILES["default"], sd.PROFILES["pretrain"]
    assert default.train_seed != (0 if pretrain.train_seed is None else pretrain.train_seed)
    assert (default.aihub_test, default.aihub_dev, default.aihub_ood) == (
        pretrain.aihub_test, pretrain.aihub_dev, pretrain.aihub_ood)
