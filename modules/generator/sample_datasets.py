"""The embedded sample datasets the pipeline runs on (real AIHub / TextOCR data cannot be
downloaded here): an AIHub outdoor train/validation set, an AIHub-format dev set, a text-in-the-wild
single-JSON set and a TextOCR train/val/test set, all rendered by ``scene.render_scene`` in the exact
formats of docs/FORMATS.md.

Held-out splits (AIHub ``test_*`` and ``dev_*``, TextOCR ``val`` / ``test``) use only the ``test``
fonts, from their own seeds; train splits (and text-in-the-wild) use the ``train`` fonts. The AIHub
``dev_*`` scenes are for choosing checkpoints and settings (the detector validates on them), so that
the ``test_*`` scenes the demo scores stay unseen by every choice. The AIHub ``ood_*`` scenes are
the out-of-distribution dev set: held-out fonts, re-shot by ``photograph`` with ``OOD_PHOTO``. A share
``P_RESHOOT`` of the train splits' scenes is re-shot with ``TRAIN_PHOTO``'s milder ranges.
Scene ``i`` depends only on ``(seed, dataset, split, i)``, where train splits use the profile's
``train_seed`` when it has one (the default profile's train scenes are not the pretraining's, so
fine-tuning the shipped models sees new scenes; the held-out splits are shared): output is identical
for any worker count, a rerun skips finished scenes, and ``<data_root>/.kocr_sample_datasets.json``
records what was made. A folder that already holds data this generator did not make (a real download)
is left alone.
"""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from modules.generator import aihub_outdoor, textinthewild, textocr
from modules.generator.corpus import CorpusRow, read_corpus, summarize_problems
from modules.generator.fonts import FontInfo, load_fonts
from modules.generator.glyphs import GlyphCache
from modules.generator.photograph import OOD_PHOTO, TRAIN_PHOTO, photograph
from modules.generator.scene import Scene, render_scene
from modules.imageio import write_bytes_atomic
from modules.pool import unordered_outputs

MANIFEST = ".kocr_sample_datasets.json"
DATASET_CODES = {"aihub": 1, "textinthewild": 2, "textocr": 3, "aihub_dev": 4, "aihub_ood": 5}
SPLIT_CODES = {"train": 1, "test": 2, "val": 3, "dev": 4, "ood": 5}
FONT_SPLIT = {("aihub", "train"): "train", ("aihub", "test"): "test", ("aihub_dev", "dev"): "test",
              ("aihub_ood", "ood"): "test",
              ("textinthewild", "train"): "train",
              ("textocr", "train"): "train", ("textocr", "val"): "test", ("textocr", "test"): "test"}


@dataclass(frozen=True)
class SampleSizes:
    """Scene counts per dataset split, and the seed of the train splits' scenes."""

    aihub_train: int
    aihub_test: int
    textinthewild: int
    textocr_train: int
    textocr_val: int
    textocr_test: int
    aihub_dev: int = 0  # AIHub-format dev scenes (data/dev_*), a dataset of its own in the manifest
    aihub_ood: int = 0  # AIHub-format out-of-distribution dev scenes (data/ood_*, re-shot with OOD_PHOTO)
    train_seed: int | None = None  # seed of the train splits' scenes; None: the run's seed (held-out splits use it)

    def splits(self) -> dict[str, dict[str, int]]:
        """``{dataset: {split: scenes}}``; the dev set only when it has scenes."""
        splits = {"aihub": {"train": self.aihub_train, "test": self.aihub_test},
                  "textinthewild": {"train": self.textinthewild},
                  "textocr": {"train": self.textocr_train, "val": self.textocr_val, "test": self.textocr_test}}
        if self.aihub_dev:
            splits["aihub_dev"] = {"dev": self.aihub_dev}
        if self.aihub_ood:
            splits["aihub_ood"] = {"ood": self.aihub_ood}
        return splits


P_BOARD = 0.35  # share of (horizontal) scenes holding a multi-line sign or menu board
P_RESHOOT = 0.5  # share of the train splits' scenes re-shot with TRAIN_PHOTO (held-out splits: never)
# 2: 113 fonts split by family, real vocabulary, boards, big text and large photos; 3: train scenes re-shot
SCENE_VERSION = 3
PROFILES = {
    "smoke": SampleSizes(20, 8, 6, 8, 4, 2, aihub_dev=4, aihub_ood=4),
    # Train scenes of their own seed: the shipped models were pretrained on the pretrain profile's.
    "default": SampleSizes(2_000, 150, 100, 200, 50, 10, aihub_dev=150, aihub_ood=150, train_seed=1),
    # More training scenes; the test, dev and OOD sets are the default profile's, scene for scene.
    "pretrain": SampleSizes(3_500, 150, 300, 500, 50, 10, aihub_dev=150, aihub_ood=150),
    "full": SampleSizes(20_000, 4_000, 5_000, 10_000, 2_000, 200, aihub_dev=2_000, aihub_ood=2_000),
}


def dataset_paths(data_root: str | os.PathLike[str]) -> dict[str, str]:
    """Where each sample dataset lives under ``data_root`` (the pipeline contract's paths)."""
    root = Path(data_root)
    return {
        "aihub_train_image": str(root / "train_image"), "aihub_train_label": str(root / "train_label"),
        "aihub_test_image": str(root / "test_image"), "aihub_test_label": str(root / "test_label"),
        "aihub_dev_image": str(root / "dev_image"), "aihub_dev_label": str(root / "dev_label"),
        "aihub_ood_image": str(root / "ood_image"), "aihub_ood_label": str(root / "ood_label"),
        "textinthewild_json": str(root / "textinthewild" / textinthewild.JSON_NAME),
        "textinthewild_root": str(root / "textinthewild"),
        "textocr_train_json": str(root / "textocr" / textocr.JSON_NAMES["train"]),
        "textocr_val_json": str(root / "textocr" / textocr.JSON_NAMES["val"]),
        "textocr_test_json": str(root / "textocr" / textocr.JSON_NAMES["test"]),
        "textocr_image_root": str(root / "textocr"),
    }


def reshoot_if_train(rng: np.random.Generator, split: str, scene: Scene) -> Scene:
    """A train split's scene re-shot with ``TRAIN_PHOTO`` with probability ``P_RESHOOT``; a held-out
    split's as drawn (no random draw, so those scenes stay what they were)."""
    if split == "train" and rng.random() < P_RESHOOT:
        return photograph(rng, scene, TRAIN_PHOTO)
    return scene


class _SceneWorker:
    def __init__(self, root: Path, seed: int, train_seed: int, rows: list[CorpusRow],
                 fonts: dict[str, list[FontInfo]]) -> None:
        self.root, self.seed, self.train_seed, self.rows, self.fonts = root, seed, train_seed, rows, fonts
        self.cache = GlyphCache()

    def run(self, task: tuple[str, str, int]) -> tuple[str, str, int, bool]:
        """Make scene ``task = (dataset, split, index)``; returns it with whether anything was written."""
        dataset, split, index = task
        seed = self.train_seed if split == "train" else self.seed
        rng = np.random.default_rng([seed, DATASET_CODES[dataset], SPLIT_CODES[split], index])
        fonts = self.fonts[FONT_SPLIT[(dataset, split)]]
        if dataset in ("aihub", "aihub_dev", "aihub_ood"):
            stem, ext, subclass = aihub_outdoor.plan(rng, split, index)
            image_dir, label_dir = self.root / f"{split}_image", self.root / f"{split}_label"
            if aihub_outdoor.is_done(image_dir, label_dir, stem, ext, index):
                return (*task, False)
            scene = render_scene(rng, self.rows, fonts, self.cache, vertical=subclass == "세로형간판", p_board=P_BOARD)
            scene = reshoot_if_train(rng, split, scene)
            if dataset == "aihub_ood":
                scene = photograph(rng, scene, OOD_PHOTO)
            aihub_outdoor.write(rng, scene, image_dir, label_dir, stem, ext, subclass, index)
        elif dataset == "textinthewild":
            folder, kind, name = textinthewild.plan(seed, index, rng)
            root = self.root / "textinthewild"
            if textinthewild.part_path(root, index).exists():
                return (*task, False)
            scene = reshoot_if_train(rng, split, render_scene(rng, self.rows, fonts, self.cache, p_board=P_BOARD))
            textinthewild.write_part(rng, scene, root, index, folder, kind, name)
        else:
            root = self.root / "textocr"
            if textocr.part_path(root, split, index).exists():
                return (*task, False)
            scene = reshoot_if_train(rng, split, render_scene(rng, self.rows, fonts, self.cache, p_board=P_BOARD))
            textocr.write_part(rng, scene, root, split, index, textocr.image_id(seed, split, index))
        return (*task, True)


_STATE: dict[str, _SceneWorker] = {}


def _init(worker: _SceneWorker) -> None:
    _STATE["worker"] = worker


def _run(tasks: list[tuple[str, str, int]]) -> list[tuple[str, str, int, bool]]:
    return [_STATE["worker"].run(t) for t in tasks]


def _foreign(root: Path, dataset: str) -> str | None:
    """A folder of ``dataset`` that holds data the generator did not make, if any."""
    candidates = {"aihub": [root / "train_label", root / "test_label", root / "train_image"],
                  "aihub_dev": [root / "dev_label", root / "dev_image"],
                  "aihub_ood": [root / "ood_label", root / "ood_image"],
                  "textinthewild": [root / "textinthewild"], "textocr": [root / "textocr"]}[dataset]
    for folder in candidates:
        if folder.is_dir() and any(p.name != ".parts" for p in folder.iterdir()):
            return str(folder)
    return None


def _grows(previous: dict, record: dict) -> bool:
    """Whether ``record`` only adds scenes to ``previous`` (same version, seeds and splits, no count
    smaller): scene ``i`` does not depend on the counts, so the scenes made stay valid."""
    old, new = previous.get("counts"), record["counts"]
    return (previous.get("version") == record["version"] and previous.get("seed") == record["seed"]
            and previous.get("train_seed") == record.get("train_seed")
            and isinstance(old, dict) and old.keys() == new.keys()
            and all(isinstance(old[k], int) and old[k] <= new[k] for k in new))


def _read_manifest(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        print(f"{path}: unreadable ({error}); treating the sample datasets as not made")
        return {}


def make_sample_datasets(
    data_root: str | os.PathLike[str],
    sizes: SampleSizes,
    seed: int = 0,
    fonts_dir: str | os.PathLike[str] = "textimagegenerator/fonts",
    corpus_path: str | os.PathLike[str] = "textimagegenerator/sample_data.xlsx",
    workers: int = 0,
    progress: bool = True,
) -> dict[str, str]:
    """Create (or resume, or find) the three sample datasets with ``sizes`` scenes; returns
    ``dataset_paths(data_root)``. ``workers``: processes (0 = every core)."""
    root = Path(data_root)
    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / MANIFEST
    manifest = _read_manifest(manifest_path)
    todo: list[str] = []
    for dataset, counts in sizes.splits().items():
        record = {"version": SCENE_VERSION, "seed": seed, "counts": counts, "complete": False}
        if sizes.train_seed is not None and "train" in counts:  # absent when None: older sets stay valid
            record["train_seed"] = sizes.train_seed
        previous = manifest.get(dataset)
        if previous is None:
            foreign = _foreign(root, dataset)
            if foreign:
                print(f"{dataset}: {foreign} already holds data not made by the generator; kept as is")
                continue
        elif previous.get("complete") and {**previous, "complete": False} == record:
            print(f"{dataset}: sample set already made ({counts}), skipped")
            continue
        elif {**previous, "complete": False} != record:
            if not _grows(previous, record):
                print(f"{dataset}: kept the existing sample set made with other settings ({previous}); "
                      f"delete it and {MANIFEST} to regenerate")
                continue
            print(f"{dataset}: extending the sample set {previous['counts']} -> {counts}")
        manifest[dataset] = record
        todo.append(dataset)
    if not todo:
        return dataset_paths(root)
    write_bytes_atomic(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))

    rows, corpus_problems = read_corpus(corpus_path)
    if corpus_problems:
        print(f"corpus: {summarize_problems(corpus_problems)}")
    fonts: dict[str, list[FontInfo]] = {}
    for split in ("train", "test"):
        fonts[split], problems = load_fonts(fonts_dir, split=split)
        for problem in problems:
            print(f"fonts: skipped {problem}")
        if not fonts[split]:
            raise ValueError(f"{fonts_dir}: no readable {split} font")
    tasks = [(d, s, i) for d in todo for s, n in sizes.splits()[d].items() for i in range(n)]
    chunks = [tasks[i:i + 8] for i in range(0, len(tasks), 8)]
    train_seed = seed if sizes.train_seed is None else sizes.train_seed
    worker = _SceneWorker(root, seed, train_seed, rows, fonts)
    workers = min(workers or os.cpu_count() or 1, max(1, len(chunks)))
    written = 0
    bar = tqdm(total=len(tasks), desc="sample scenes", unit="scene", disable=not progress)
    try:
        with unordered_outputs(_run, chunks, workers, _init, worker) as outputs:
            for batch in outputs:
                written += sum(w for *_, w in batch)
                bar.update(len(batch))
    finally:
        bar.close()
        _STATE.clear()
    if "textinthewild" in todo:
        textinthewild.assemble(root / "textinthewild", sizes.textinthewild)
    if "textocr" in todo:
        for split, n in sizes.splits()["textocr"].items():
            textocr.assemble(root / "textocr", split, n)
    for dataset in todo:
        manifest[dataset]["complete"] = True
    write_bytes_atomic(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    print(f"sample datasets in {root}: {', '.join(todo)} ({written} scenes written, {len(tasks) - written} already there)")
    return dataset_paths(root)


def ensure_sample_datasets(data_root: str = "data", profile: str = "default", seed: int = 0) -> dict[str, str]:
    """Create the three sample datasets under ``data_root`` when absent (idempotent, resumable,
    atomic per file, with a progress bar) and return the paths made or found
    (``dataset_paths``). ``profile``: ``smoke`` | ``default`` | ``pretrain`` | ``full`` (sizes in ``PROFILES``)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; valid: {', '.join(PROFILES)}")
    return make_sample_datasets(data_root, PROFILES[profile], seed)


def _lexical(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/"))


def sample_inputs(paths: Iterable[str], data_root: str = "data") -> list[str]:
    """Those of ``paths`` (a notebook's inputs, relative to the repository root) that are, or lie under,
    a sample-data path of ``dataset_paths(data_root)``; compared lexically, empty strings ignored."""
    samples = [_lexical(p) for p in dataset_paths(data_root).values()]
    return [p for p in paths if p and any(_lexical(p) == s or _lexical(p).startswith(s + "/") for s in samples)]


def _complete(data_root: str) -> bool:
    manifest = _read_manifest(Path(data_root) / MANIFEST)
    return bool(manifest) and all(isinstance(r, dict) and r.get("complete") for r in manifest.values())


def ensure_sample_inputs(paths: Iterable[str], data_root: str = "data", profile: str = "default") -> bool:
    """For a notebook run on its own (a fresh clone): make the sample datasets with ``ensure_sample_datasets``
    (what ``run_all.py`` calls) when one of ``paths`` is a sample-data path (``sample_inputs``) that does
    not exist yet, or the sample sets under ``data_root`` were left incomplete. Inputs pointing elsewhere
    (the user's own data) never trigger it. Returns whether the generator was called."""
    mine = sample_inputs(list(paths), data_root)
    if not mine:
        return False
    missing = [p for p in mine if not Path(p).exists()]
    manifest_there = (Path(data_root) / MANIFEST).exists()
    if not missing and (not manifest_there or _complete(data_root)):
        return False
    print(f"sample data: {', '.join(missing) or 'an unfinished sample set'} -> making the {profile!r} sample "
          f"datasets under {data_root}/ (as run_all.py does)")
    ensure_sample_datasets(data_root, profile)
    return True


__all__ = ["PROFILES", "SampleSizes", "dataset_paths", "ensure_sample_datasets", "ensure_sample_inputs",
           "make_sample_datasets", "sample_inputs"]
