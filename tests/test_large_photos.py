"""tools/large_photos: photos drawn once and reproducibly, and one table row per detector setting."""

from __future__ import annotations

from pathlib import Path

from tools.large_photos import SETTINGS, compare, make_large_photos


def test_photos_are_drawn_once_and_scored_per_setting(tmp_path: Path) -> None:
    image_dir, label_dir = make_large_photos(tmp_path / "a", 3, sizes=((320, 240), (240, 320)))
    labels = sorted(p.name for p in label_dir.iterdir())
    assert labels and sorted(p.name for p in image_dir.iterdir())
    stamps = {p.name: p.stat().st_mtime_ns for p in label_dir.iterdir()}
    make_large_photos(tmp_path / "a", 3, sizes=((320, 240), (240, 320)))  # a rerun keeps what is there
    assert {p.name: p.stat().st_mtime_ns for p in label_dir.iterdir()} == stamps
    _, again = make_large_photos(tmp_path / "b", 3, sizes=((320, 240), (240, 320)))
    assert [(p.name, p.read_bytes()) for p in sorted(again.iterdir())] == [
        (p.name, p.read_bytes()) for p in sorted(label_dir.iterdir())]  # photo i depends only on i
    _, plain = make_large_photos(tmp_path / "c", 3, sizes=((320, 240), (240, 320)), ood=False)
    assert sorted(p.name for p in plain.iterdir()) == labels  # the same scenes, not re-shot
    assert [p.read_bytes() for p in sorted(plain.iterdir())] != [p.read_bytes() for p in sorted(label_dir.iterdir())]
    table = compare(image_dir, label_dir)
    assert list(table["set"]) == list(SETTINGS)
    assert table["images"].min() >= 1 and table["detection H"].between(0, 1).all()
