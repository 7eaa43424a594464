"""Labelled scenes in the held-out font families, drawn as AIHub-format folders for the tools that weigh the
OCR on dev scenes of their own (``tools.large_photos``, ``tools.ood_scene_factors``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from modules.generator import aihub_outdoor
from modules.generator.corpus import read_corpus
from modules.generator.fonts import load_fonts
from modules.generator.glyphs import GlyphCache
from modules.generator.photograph import OOD_PHOTO, photograph
from modules.generator.sample_datasets import P_BOARD
from modules.generator.scene import render_scene


def draw_held_out_scenes(out: str | Path, count: int, seed: int, steps: tuple[str, ...] | None,
                         size: Callable[[int], tuple[int, int]] | None = None,
                         words: tuple[int, int] | None = None, fonts_dir: str = "textimagegenerator/fonts",
                         corpus_path: str = "textimagegenerator/sample_data.xlsx") -> tuple[Path, Path]:
    """Draw scenes ``0..count-1`` as ``out/image`` and ``out/label`` (scene ``i`` depends only on ``seed`` and
    ``i``; those already there are kept) and return the two folders. ``steps``: the ``OOD_PHOTO`` re-shoot's
    steps to apply (``photograph``), None for none at all (no random draw, the dev scenes' kind);
    ``size(i)``: scene ``i``'s ``(width, height)`` and ``words``: its word-count range (None: the
    generator's defaults)."""
    image_dir, label_dir = Path(out) / "image", Path(out) / "label"
    image_dir.mkdir(parents=True, exist_ok=True)
    label_dir.mkdir(parents=True, exist_ok=True)
    rows, _ = read_corpus(corpus_path)
    fonts, _ = load_fonts(fonts_dir, split="test")  # the held-out families, as the dev and OOD dev scenes
    cache = GlyphCache()
    for index in range(count):
        rng = np.random.default_rng([seed, index])
        stem, ext, subclass = aihub_outdoor.plan(rng, "ood", index)
        if aihub_outdoor.is_done(image_dir, label_dir, stem, ext, index):
            continue
        options = {"size": size(index)} if size else {}
        if words:
            options["words"] = words
        scene = render_scene(rng, rows, fonts, cache, vertical=subclass == "세로형간판", p_board=P_BOARD, **options)
        if steps is not None:
            scene = photograph(rng, scene, OOD_PHOTO, steps)
        aihub_outdoor.write(rng, scene, image_dir, label_dir, stem, ext, subclass, index)
    return image_dir, label_dir
