"""01 / crnn_preprocess: crops + gt from annotations; counts, vertical words, re-runs and interruptions."""

from __future__ import annotations

import json
from dataclasses import replace
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from modules.data.annotations import AnnotationProblem, ImageAnnotation, WordAnnotation
from modules.data.gtfile import read_gt
from modules.datasets.aihub import iter_aihub_outdoor
from modules.gtdata import GtDataConfig, make_gtdata
from modules.imageio import read_image, write_image

QUIET = GtDataConfig(workers=1, progress=False)


def _aihub(root: Path, n: int = 4) -> tuple[Path, Path]:
    labels, images = root / "train_label", root / "train_image"
    for i in range(n):
        stem = f"간판_가로형간판_{i:06d}"
        write_image(images / f"{stem}.jpg", np.random.default_rng(i).integers(0, 255, (60, 120, 3), dtype=np.uint8))
        anns = [{"id": 1, "text": f"가게{i}", "bbox": [5, 5, 40, 20]},
                {"id": 2, "text": "xxx", "bbox": [50, 5, 20, 20]},
                {"id": 3, "text": "ㄱㄴ", "bbox": [5, 30, 20, 20]},
                {"id": 4, "text": "탭\t라벨", "bbox": [60, 30, 50, 20]},
                {"id": 5, "text": unicodedata.normalize("NFD", "한글"), "bbox": [30, 30, 25, 25]},
                {"id": 6, "text": "tiny", "bbox": [100, 50, 2, 2]},
                {"id": 7, "text": "null", "bbox": [None, None, None, None]}]
        data = {"images": [{"id": 1, "width": 120, "height": 60, "file_name": f"{stem}.jpg"}], "annotations": anns,
                "metadata": [{"wordorientation": "가로"}]}
        (labels / f"{stem}.json").parent.mkdir(parents=True, exist_ok=True)
        (labels / f"{stem}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return labels, images


def test_crops_gt_and_counts(tmp_path: Path) -> None:
    labels, images = _aihub(tmp_path / "raw")
    (images / "간판_가로형간판_000003.jpg").write_bytes(b"\xff\xd8 broken")
    out = tmp_path / "data"
    config = replace(QUIET, drop_jamo_only=True)
    report = make_gtdata(iter_aihub_outdoor(labels, images), out, "train", out / "gt_train.txt", config)
    entries, problems = read_gt(out / "gt_train.txt")
    assert not problems
    assert report.images == 4 and report.boxes == 4 * 6
    assert report.kept == len(entries) == 3 * 3
    assert report.skipped == {"illegible": 3, "jamo_only": 3, "too_small": 3, "bbox_missing": 4, "image_unreadable": 6}
    assert report.flagged == {"label_altered": 3}
    assert report.label_altered == 3
    unreadable = [p for p in report.problem_records if p.reason == "image_unreadable"]
    assert len(unreadable) == 1 and unreadable[0].source == str(images / "간판_가로형간판_000003.jpg")
    assert unreadable[0].count == 6 and "6 words lost" in unreadable[0].detail
    assert entries[0].path == "train/간판_가로형간판_000000_01.jpg" and entries[0].label == "가게0"
    labels_0 = [e.label for e in entries if "000000" in e.path]
    assert labels_0 == ["가게0", "탭 라벨", "한글"] and unicodedata.is_normalized("NFC", labels_0[2])
    crop = read_image(out / entries[0].path)
    assert crop.shape == (20, 40, 3)
    lines = (out / "gt_train.txt").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and all(line.count("\t") == 1 for line in lines[:-1])


def test_rerun_and_interruption_never_duplicate(tmp_path: Path) -> None:
    labels, images = _aihub(tmp_path / "raw", n=6)
    out, gt = tmp_path / "data", tmp_path / "data" / "gt_train.txt"
    clean = make_gtdata(iter_aihub_outdoor(labels, images), tmp_path / "clean", "train", tmp_path / "clean" / "gt.txt", QUIET)

    def interrupted():
        count = 0
        for record in iter_aihub_outdoor(labels, images):
            count += isinstance(record, ImageAnnotation)
            if count == 4:
                raise KeyboardInterrupt  # after three images went through
            yield record

    with pytest.raises(KeyboardInterrupt):
        make_gtdata(interrupted(), out, "train", gt, QUIET)
    assert not gt.exists()
    resumed = make_gtdata(iter_aihub_outdoor(labels, images), out, "train", gt, QUIET)
    assert resumed.resumed_images == 3
    first = gt.read_text(encoding="utf-8")
    again = make_gtdata(iter_aihub_outdoor(labels, images), out, "train", gt, QUIET)
    assert again.resumed_images == 6 and gt.read_text(encoding="utf-8") == first
    assert first == (tmp_path / "clean" / "gt.txt").read_text(encoding="utf-8")
    assert again.kept == clean.kept == first.count("\n") and again.skipped == clean.skipped
    # a torn journal line (crash mid-write) is ignored, the image redone
    journal = out / ".gt_train.txt.journal.jsonl"
    journal.write_text(journal.read_text(encoding="utf-8") + '{"image": "torn', encoding="utf-8")
    make_gtdata(iter_aihub_outdoor(labels, images), out, "train", gt, QUIET)
    assert gt.read_text(encoding="utf-8") == first


def test_parallel_matches_serial(tmp_path: Path) -> None:
    labels, images = _aihub(tmp_path / "raw", n=5)
    serial = make_gtdata(iter_aihub_outdoor(labels, images), tmp_path / "a", "train", tmp_path / "a" / "gt.txt", QUIET)
    config = GtDataConfig(workers=2, progress=False)
    parallel = make_gtdata(iter_aihub_outdoor(labels, images), tmp_path / "b", "train", tmp_path / "b" / "gt.txt", config)
    assert (tmp_path / "a" / "gt.txt").read_text(encoding="utf-8") == (tmp_path / "b" / "gt.txt").read_text(encoding="utf-8")
    assert serial.skipped == parallel.skipped


@pytest.mark.parametrize("mode", ["skip", "rotate", "tile"])
def test_vertical_words(tmp_path: Path, mode: str) -> None:
    image = np.zeros((100, 40, 3), np.uint8)
    for k in range(4):  # four stacked "characters" of growing brightness, 20 px each
        image[5 + 20 * k:25 + 20 * k, 5:25] = 60 * (k + 1)
    write_image(tmp_path / "v.png", image)
    words = (WordAnnotation("세로간판", (5, 5, 20, 80), vertical=True), WordAnnotation("가로", (0, 0, 30, 10)))
    records = [ImageAnnotation(str(tmp_path / "v.png"), 40, 100, words), AnnotationProblem("x.json", "json_invalid")]
    config = GtDataConfig(vertical=mode, workers=1, progress=False)
    report = make_gtdata(records, tmp_path / "out", "train", tmp_path / "out" / "gt.txt", config)
    entries, _ = read_gt(tmp_path / "out" / "gt.txt")
    assert report.skipped["json_invalid"] == 1
    if mode == "skip":
        assert [e.label for e in entries] == ["가로"] and report.skipped["vertical"] == 1
        return
    assert [e.label for e in entries] == ["세로간판", "가로"]
    crop = read_image(tmp_path / "out" / entries[0].path)
    assert crop.shape[:2] == (20, 80)  # now wide
    if mode == "tile":  # one 20 x 20 band per character, top character first, left to right, upright
        means = [crop[:, 20 * k:20 * k + 20].mean() for k in range(4)]
        assert means == sorted(means) and means[-1] - means[0] > 100
        assert read_image(tmp_path / "out" / entries[1].path).shape[:2] == (10, 30)  # a wide word stays as is


def test_rectified_quad_and_bbox_fallback(tmp_path: Path) -> None:
    image = np.full((100, 200, 3), 255, np.uint8)
    image[40:60, 50:150] = 0  # a black word-sized bar
    write_image(tmp_path / "s.png", image)
    quad = ((50.0, 40.0), (150.0, 40.0), (150.0, 60.0), (50.0, 60.0))
    words = (WordAnnotation("bar", (40, 30, 120, 40), quad=quad), WordAnnotation("box", (40, 30, 120, 40)))
    records = [ImageAnnotation(str(tmp_path / "s.png"), 200, 100, words)]
    config = GtDataConfig(rectify=True, workers=1, progress=False)
    make_gtdata(records, tmp_path / "out", "textocr", tmp_path / "out" / "gt.txt", config)
    entries, _ = read_gt(tmp_path / "out" / "gt.txt")
    rectified, boxed = (read_image(tmp_path / "out" / e.path) for e in entries)
    assert rectified.shape[:2] == (20, 100) and rectified.mean() < 40  # the bar fills the rectified crop
    assert boxed.shape[:2] == (40, 120) and boxed.mean() > 80


def test_same_stem_in_two_folders_gets_two_names(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        write_image(tmp_path / folder / "img.png", np.zeros((20, 40, 3), np.uint8))
    records = [ImageAnnotation(str(tmp_path / f / "img.png"), 40, 20, (WordAnnotation(f, (0, 0, 40, 20)),)) for f in "ab"]
    make_gtdata(records, tmp_path / "out", "train", tmp_path / "out" / "gt.txt", QUIET)
    entries, _ = read_gt(tmp_path / "out" / "gt.txt")
    assert len({e.path for e in entries}) == 2
    assert all((tmp_path / "out" / e.path).exists() for e in entries)


def test_jitter_box_statistics_and_orientation() -> None:
    from modules.gtdata.crop import jitter_box

    rng = np.random.default_rng(0)
    bbox = (100.0, 50.0, 200.0, 20.0)  # a horizontal word: character size 20
    boxes = np.array([jitter_box(bbox, rng, along=0.2, across=0.1, outward=0.05) for _ in range(4000)])
    left = (bbox[0] - boxes[:, 0]) / 20  # outward shift of the left edge, in character sizes
    top = (bbox[1] - boxes[:, 1]) / 20
    assert abs(left.mean() - 0.05) < 0.02 and abs(left.std() - 0.2) < 0.02
    assert abs(top.mean() - 0.05) < 0.01 and abs(top.std() - 0.1) < 0.01
    assert (boxes[:, 2] >= 100).all() and (boxes[:, 3] >= 10).all()  # never under half the size
    assert jitter_box(bbox, rng, 0.0, 0.0) == bbox
    tall = (10.0, 10.0, 20.0, 200.0)  # a vertical word: the top / bottom edges end the text
    tall_boxes = np.array([jitter_box(tall, rng, along=0.2, across=0.0, vertical=True) for _ in range(500)])
    assert np.allclose(tall_boxes[:, [0, 2]], [10.0, 20.0]) and tall_boxes[:, 1].std() > 2.0


def test_jittered_copies_are_written_counted_and_reproducible(tmp_path: Path) -> None:
    labels, images = _aihub(tmp_path / "raw", n=2)
    config = GtDataConfig(workers=1, progress=False, jitter_copies=2, drop_jamo_only=True)
    out = tmp_path / "data"
    report = make_gtdata(iter_aihub_outdoor(labels, images), out, "train", out / "gt.txt", config)
    entries, _ = read_gt(out / "gt.txt")
    assert report.kept == len(entries) == 2 * 3 * 3 and report.jittered == 2 * 3 * 2
    first = [e for e in entries if "_000000_01" in e.path]
    assert [e.path for e in first] == ["train/간판_가로형간판_000000_01.jpg", "train/간판_가로형간판_000000_01_j1.jpg",
                                       "train/간판_가로형간판_000000_01_j2.jpg"]
    assert {e.label for e in first} == {"가게0"}
    assert read_image(out / first[0].path).shape == (20, 40, 3)
    # the copies come from moved boxes (the shifts are seeded by the image path, so compare all 12 copies: one
    # copy may round back to the original box)
    originals = {e.path[:-4]: read_image(out / e.path) for e in entries if "_j" not in e.path}
    copies = [(read_image(out / e.path), originals[e.path.rsplit("_j", 1)[0]]) for e in entries if "_j" in e.path]
    assert len(copies) == 12 and any(c.shape != o.shape or not np.array_equal(c, o) for c, o in copies)
    again = make_gtdata(iter_aihub_outdoor(labels, images), tmp_path / "again", "train", tmp_path / "again" / "gt.txt",
                        config)
    assert again.kept == report.kept
    assert all((tmp_path / "again" / e.path).read_bytes() == (out / e.path).read_bytes() for e in entries)
    with pytest.raises(ValueError, match="rectify"):
        GtDataConfig(jitter_copies=1, rectify=True)


def test_jamo_only_labels_are_kept_and_flagged_by_default(tmp_path: Path) -> None:
    labels, images = _aihub(tmp_path / "raw", n=2)
    out = tmp_path / "data"
    report = make_gtdata(iter_aihub_outdoor(labels, images), out, "train", out / "gt.txt", QUIET)
    entries, _ = read_gt(out / "gt.txt")
    assert [e.label for e in entries if "000000" in e.path] == ["가게0", "ㄱㄴ", "탭 라벨", "한글"]
    assert report.kept == len(entries) == 2 * 4
    assert report.skipped == {"illegible": 2, "too_small": 2, "bbox_missing": 2}
    assert report.flagged == {"jamo_only": 2, "label_altered": 2}
    jamo = [(Path(p.source).name, p.annotation, p.detail, p.kept) for p in report.problem_records
            if p.reason == "jamo_only"]
    assert jamo == [("간판_가로형간판_000000.jpg", "word 3", "'ㄱㄴ'", True),
                    ("간판_가로형간판_000001.jpg", "word 3", "'ㄱㄴ'", True)]
    assert ("flagged (kept): jamo_only", 2) in report.table()
    dropped = make_gtdata(iter_aihub_outdoor(labels, images), out, "train2", out / "gt2.txt",
                          replace(QUIET, drop_jamo_only=True))
    assert dropped.kept == 2 * 3 and dropped.skipped["jamo_only"] == 2 and "jamo_only" not in dropped.flagged


def test_every_problem_is_a_record_with_file_and_annotation(tmp_path: Path) -> None:
    labels, images = _aihub(tmp_path / "raw", n=1)
    out = tmp_path / "data"
    report = make_gtdata(iter_aihub_outdoor(labels, images), out, "train", out / "gt.txt", QUIET)
    rows = sorted((p.annotation, p.reason, p.kept) for p in report.problem_records)
    assert rows == [("annotation 7", "bbox_missing", False), ("word 3", "jamo_only", True),
                    ("word 4", "label_altered", True), ("word 6", "too_small", False)]
    again = make_gtdata(iter_aihub_outdoor(labels, images), out, "train", out / "gt.txt", QUIET)
    assert again.resumed_images == 1  # the rows of a journaled image come back from the journal
    assert sorted((p.annotation, p.reason, p.kept) for p in again.problem_records) == rows


def test_reader_flags_and_counted_skips_reach_the_report(tmp_path: Path) -> None:
    write_image(tmp_path / "raw" / "a.jpg", np.zeros((40, 80, 3), np.uint8))
    stream = [AnnotationProblem("t.json", "polygon_fallback", "points=[1, 2]", "annotation a_1", kept=True),
              AnnotationProblem("w.json", "character_box", "word boxes used", "image 1", count=40),
              AnnotationProblem("w.json", "file_name_unsafe", "'../x.jpg'", "image 2"),
              ImageAnnotation(str(tmp_path / "raw" / "a.jpg"), 80, 40, (WordAnnotation("글자", (2, 2, 40, 20)),))]
    out = tmp_path / "data"
    report = make_gtdata(stream, out, "train", out / "gt.txt", QUIET)
    assert report.kept == 1
    assert report.skipped == {"character_box": 40, "file_name_unsafe": 1}
    assert report.flagged == {"polygon_fallback": 1}
    table = dict(report.table())
    assert table["skipped: character_box"] == 40 and table["flagged (kept): polygon_fallback"] == 1
    assert [p.reason for p in report.problem_records] == ["polygon_fallback", "character_box", "file_name_unsafe"]


def test_an_image_met_twice_is_cut_once(tmp_path: Path) -> None:
    labels, images = _aihub(tmp_path / "raw", n=3)
    once = make_gtdata(iter_aihub_outdoor(labels, images), tmp_path / "once", "train", tmp_path / "once" / "gt.txt", QUIET)
    stream = list(iter_aihub_outdoor(labels, images))
    first = next(r for r in stream if isinstance(r, ImageAnnotation))
    for workers in (1, 2):  # the second record of an image counts as resumed, whatever the pool's timing
        out = tmp_path / f"twice{workers}"
        report = make_gtdata([*stream, first], out, "train", out / "gt.txt", replace(QUIET, workers=workers))
        assert report.images == 4 and report.resumed_images == 1 and report.boxes == once.boxes + len(first.words)
        assert (out / "gt.txt").read_text(encoding="utf-8") == (tmp_path / "once" / "gt.txt").read_text(encoding="utf-8")
        assert report.kept == once.kept and report.skipped == once.skipped and report.flagged == once.flagged


def test_journal_keeps_the_latest_record_of_an_image(tmp_path: Path) -> None:
    from modules.gtdata.journal import Journal

    path = tmp_path / "j.jsonl"
    journal = Journal(path, {"option": 1})
    journal.add({"image": "a.jpg", "entries": [["a_01.jpg", "old"]]})
    journal.add({"image": "b.jpg", "entries": []})
    journal.add({"image": "a.jpg", "entries": [["a_01.jpg", "new"]]})
    assert not journal.done("a.jpg")  # only what the file held when opened: this run's images are not skipped
    assert [r["entries"] for r in journal.records(iter(["a.jpg", "b.jpg", "c.jpg"]))] == [[["a_01.jpg", "new"]], []]
    journal.close()
    with path.open("ab") as handle:
        handle.write(b'{"image": "c.jpg", "entr')  # torn by a crash
    again = Journal(path, {"option": 1})
    assert again.done("a.jpg") and again.done("b.jpg") and not again.done("c.jpg")
    assert [r["entries"] for r in again.records(iter(["a.jpg"]))] == [[["a_01.jpg", "new"]]]
    again.close()
    other = Journal(path, {"option": 2})  # other options: the journal starts over
    assert not other.done("a.jpg")
    other.close()
    assert path.read_text(encoding="utf-8").count("\n") == 1


def test_run_images_name_crops_uniquely_and_sort_paths(tmp_path: Path) -> None:
    from modules.gtdata.journal import RunImages

    images = RunImages()
    paths = ["b/img.png", "a/img.png", "가/나.jpg", "a/other.jpg", "a-img.png"]
    assert [images.first_time(p) for p in [*paths, "a/img.png"]] == [True] * 5 + [False]
    names = [images.crop_name(p) for p in paths]
    assert names[0] == "img" and names[1].startswith("img_") and len(names[1]) == 12
    assert names[2:] == ["나", "other", "a-img"] and images.crop_name("b/img.png") == "img"
    assert list(images.sorted()) == sorted(paths)
    images.close()
