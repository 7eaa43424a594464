"""tools/ood_scene_factors: the same scenes re-shot one step at a time, and one table row per variant."""

from __future__ import annotations

import json
from pathlib import Path

from modules.generator.photograph import STEPS
from tools.ood_scene_factors import compare, make_scenes, variants


def _labels(label_dir: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(label_dir.iterdir())}


def test_each_step_is_weighed_alone_on_the_same_scenes(tmp_path: Path) -> None:
    rows = variants()
    assert list(rows.values()) == [(), *((step,) for step in STEPS), STEPS]
    image_dir, label_dir = make_scenes(tmp_path / "none", 2, ())
    _, noisy = make_scenes(tmp_path / "noise", 2, ("noise",))
    _, tilted = make_scenes(tmp_path / "tilt", 2, ("tilt",))
    assert sorted(p.name for p in image_dir.iterdir()) and _labels(noisy).keys() == _labels(label_dir).keys()
    assert _labels(noisy) == _labels(label_dir)  # grain moves no box
    assert _labels(tilted) != _labels(label_dir)  # the tilt moves every box with the picture
    assert [p.read_bytes() for p in sorted((tmp_path / "noise" / "image").iterdir())] != [
        p.read_bytes() for p in sorted(image_dir.iterdir())]
    stamps = {p.name: p.stat().st_mtime_ns for p in label_dir.iterdir()}
    make_scenes(tmp_path / "none", 2, ())  # a rerun keeps what is there
    assert {p.name: p.stat().st_mtime_ns for p in label_dir.iterdir()} == stamps


def test_the_table_has_one_row_per_variant(tmp_path: Path) -> None:
    table = compare(tmp_path, 2)
    assert list(table["set"]) == list(variants())
    assert table["images"].min() >= 1 and table["end-to-end F"].between(0, 1).all()
    assert table["recognition on gt crops %"].between(0, 100).all()
