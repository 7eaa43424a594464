"""CLI over a folder holding good images, a corrupt JPEG and a text file."""

from __future__ import annotations

import json

from modules.imageio import write_image
from modules.ocr import OCR, Page
from modules.ocr.__main__ import main
from test_ocr_fakes import FakeDetector, FakeRecognizer, scene


def test_folder_with_corrupt_and_non_image_files(tmp_path, capsys):
    folder = tmp_path / "사진"
    folder.mkdir()
    write_image(folder / "a.jpg", scene((200, 400), [(10, 10, 150, 80, 40), (200, 12, 380, 82, 80)]))
    (folder / "b_corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    write_image(folder / "간판.png", scene((200, 300), [(20, 50, 200, 120, 120)]))
    out_json, out_draw = tmp_path / "out" / "res.json", tmp_path / "drawn"

    code = main([str(folder), "--json", str(out_json), "--draw", str(out_draw)],
                ocr=OCR(FakeDetector(), FakeRecognizer()))

    captured = capsys.readouterr()
    assert code == 0
    assert "skipped" in captured.err and "b_corrupt.jpg" in captured.err and "notes.txt" in captured.err
    assert "2 image(s) read, 2 skipped" in captured.err
    assert "안녕\t" in captured.out and "Hello\t" in captured.out
    data = json.loads(out_json.read_text(encoding="utf-8"))
    pages = [Page.from_dict(p) for p in data["pages"]]
    assert [p.text for p in pages] == ["안녕 하세요", "Hello"]
    assert pages[0].source.endswith("a.jpg")
    assert sorted(s["file"].rsplit("/", 1)[-1] for s in data["skipped"]) == ["b_corrupt.jpg", "notes.txt"]
    assert sorted(p.name for p in out_draw.iterdir()) == ["a.jpg", "간판.jpg"]


def test_only_bad_files_exit_1_and_missing_input_exit_2(tmp_path, capsys):
    (tmp_path / "x.jpg").write_bytes(b"")
    assert main([str(tmp_path)], ocr=OCR(FakeDetector(), FakeRecognizer())) == 1
    assert main([str(tmp_path / "missing")], ocr=OCR(FakeDetector(), FakeRecognizer())) == 2
    assert "empty file" in capsys.readouterr().err


def test_missing_checkpoints_are_named(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_image(tmp_path / "a.jpg", scene((50, 50), []))
    assert main([str(tmp_path / "a.jpg"), "--latest-run"]) == 2
    assert "run run_all.py first" in capsys.readouterr().err
