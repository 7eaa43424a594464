"""00: ASCII renames of AIHub pairs: no collisions, CSV first, idempotent, dry run, undo, crash recovery."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from modules import renaming
from modules.datasets import collect
from modules.datasets.aihub import iter_aihub_outdoor
from modules.renaming import outcome_summary, read_map, rename_pairs, undo_renames


def _pair(root: Path, stem: str, ext: str = ".jpg", sub: str = "") -> None:
    (root / "img" / sub).mkdir(parents=True, exist_ok=True)
    (root / "lbl" / sub).mkdir(parents=True, exist_ok=True)
    (root / "img" / sub / f"{stem}{ext}").write_bytes(stem.encode("utf-8"))
    data = {"images": [{"id": 1, "width": 10, "height": 10, "file_name": f"{stem}.jpg"}],
            "annotations": [{"id": 1, "text": "가", "bbox": [0, 0, 5, 5]}]}
    (root / "lbl" / sub / f"{stem}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    root = tmp_path / "aihub"
    _pair(root, "간판_가로형간판_000001")
    _pair(root, "간판_돌출간판_000001", ".JPG")  # the seed made these two one name
    _pair(root, "간판_가로형간판_000002", sub="1.간판")
    _pair(root, "ascii_name_000003")
    (root / "img" / "간판_라벨없음_000004.png").write_bytes(b"png")
    return root


def test_rename_undo_round_trip(dataset: Path, tmp_path: Path) -> None:
    before = _tree(dataset)
    csv_path = tmp_path / "rename_map.csv"
    planned, dry = rename_pairs(dataset / "img", dataset / "lbl", csv_path, dry_run=True)
    assert len(planned) == 4 and not csv_path.exists() and _tree(dataset) == before
    assert dry == {"image: would_rename": 4, "label: would_rename": 3}
    rows, counts = rename_pairs(dataset / "img", dataset / "lbl", csv_path)
    assert counts == {"image: renamed": 4, "label: renamed": 3}  # one outcome per image and per label
    names = [p.name for p in (dataset / "img").rglob("*") if p.is_file()]
    assert all(n.isascii() for n in names) and len(names) == 5
    assert len({Path(r.new_image).stem for r in rows}) == 4
    assert (dataset / "img" / "ascii_name_000003.jpg").exists()
    for row in rows:
        if row.new_label:
            data = json.loads(Path(row.new_label).read_text(encoding="utf-8"))
            assert data["images"][0]["file_name"] == Path(row.new_image).name
            assert Path(row.new_image).read_bytes() == Path(row.old_image).stem.encode("utf-8")
    # the renamed set reads the same through the AIHub reader
    images, _problems, reasons = collect(iter_aihub_outdoor(dataset / "lbl", dataset / "img"))
    assert len(images) == 4 and reasons == {"label_missing": 1}
    # idempotent: a second run changes nothing
    after = _tree(dataset)
    rows2, counts2 = rename_pairs(dataset / "img", dataset / "lbl", csv_path)
    assert rows2 == [] and _tree(dataset) == after and counts2 == {"image: already_done": 4, "label: already_done": 3}
    assert len(read_map(csv_path)) == 4
    assert undo_renames(csv_path, dry_run=True) == {"image: would_restore": 4, "label: would_restore": 3}
    assert _tree(dataset) == after
    undo = undo_renames(csv_path)
    assert undo == {"image: renamed": 4, "label: renamed": 3} and _tree(dataset) == before
    assert undo_renames(csv_path, dry_run=True) == {"image: already_done": 4, "label: already_done": 3}


def test_csv_is_written_before_any_rename(dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    csv_path = tmp_path / "map.csv"
    calls = []

    def crash(old: object, new: object) -> None:
        calls.append(csv_path.exists())
        raise KeyboardInterrupt

    monkeypatch.setattr(renaming.os, "rename", crash)
    with pytest.raises(KeyboardInterrupt):
        rename_pairs(dataset / "img", dataset / "lbl", csv_path)
    assert calls == [True] and len(read_map(csv_path)) == 4


def test_half_done_pair_is_finished_by_a_rerun(dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    csv_path = tmp_path / "map.csv"
    before = _tree(dataset)
    real_remove = renaming.os.remove
    state = {"n": 0}

    def crash_on_second(path: object) -> None:
        state["n"] += 1
        if state["n"] == 2:
            raise KeyboardInterrupt
        real_remove(path)

    monkeypatch.setattr(renaming.os, "remove", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        rename_pairs(dataset / "img", dataset / "lbl", csv_path)
    monkeypatch.setattr(renaming.os, "remove", real_remove)
    rename_pairs(dataset / "img", dataset / "lbl", csv_path)
    labels = [p.name for p in (dataset / "lbl").rglob("*.json")]
    assert len(labels) == 4 and all(n.isascii() for n in labels)
    undo_renames(csv_path)
    assert _tree(dataset) == before


def test_never_overwrites(dataset: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "map.csv"
    planned, _ = rename_pairs(dataset / "img", dataset / "lbl", csv_path, dry_run=True)
    Path(planned[0].new_image).write_bytes(b"someone else's file")
    _rows, counts = rename_pairs(dataset / "img", dataset / "lbl", csv_path)
    assert counts["image: target_exists"] == 1 and counts["image: renamed"] == 3
    assert Path(planned[0].new_image).read_bytes() == b"someone else's file"
    assert Path(planned[0].old_image).exists()


def test_two_folders_sharing_one_map_count_each_image_once(tmp_path: Path) -> None:
    """00 renames train and test into one CSV: a second run reports each image once, not once per folder."""
    train, test, csv_path = tmp_path / "train", tmp_path / "test", tmp_path / "map.csv"
    for i in range(3):
        _pair(train, f"간판_가로형간판_{i:06d}")
    for i in range(2):
        _pair(test, f"간판_세로형간판_{i:06d}")
    (test / "lbl" / "간판_세로형간판_000001.json").unlink()  # an image without a label
    first = Counter()
    for root in (train, test):
        first.update(rename_pairs(root / "img", root / "lbl", csv_path)[1])
    assert first == {"image: renamed": 5, "label: renamed": 4}
    second = Counter()
    for root in (train, test):
        second.update(rename_pairs(root / "img", root / "lbl", csv_path)[1])
    assert second == {"image: already_done": 5, "label: already_done": 4}
    assert outcome_summary(second) == "images 5: already_done 5\nlabels 4: already_done 4"
    assert undo_renames(csv_path, dry_run=True) == {"image: would_restore": 5, "label: would_restore": 4}
    assert outcome_summary(Counter()) == "nothing to do"
