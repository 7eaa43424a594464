"""Image files in folders (``list_images``, ``list_inputs``, ``skipped_folders``) and the OCR of a list of
them into a results folder (``ocr_files``), as the demo notebook and the CLI use them."""

from __future__ import annotations

import json
from pathlib import Path

from modules.imageio import read_image, write_image
from modules.ocr import OCR, Page
from modules.ocr.files import list_images, list_inputs, ocr_files, skipped_folders
from test_ocr_fakes import FakeDetector, FakeRecognizer, scene


def _folder(root: Path) -> Path:
    folder = root / "사진"
    (folder / "sub").mkdir(parents=True)
    (folder / "not_a_file.jpg").mkdir()  # a folder named like an image
    write_image(folder / "photo.jpg", scene((200, 400), [(10, 10, 150, 80, 40), (200, 12, 380, 82, 80)]))
    write_image(folder / "photo.png", scene((120, 300), [(20, 30, 200, 90, 120)]))
    write_image(folder / "간판.JPEG", scene((100, 200), [(10, 10, 190, 90, 200)]))
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    (folder / ".hidden.png").write_bytes(b"")
    write_image(folder / "sub" / "deeper.jpg", scene((50, 50), []))
    return folder


def test_list_images_takes_image_files_of_the_folder_only(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert [p.name for p in list_images(folder)] == ["broken.jpg", "photo.jpg", "photo.png", "간판.JPEG"]
    assert list_images(str(folder)) == list_images(folder)
    assert list_images(tmp_path / "absent") == []


def test_list_inputs_keeps_non_images_to_report_them(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert [p.name for p in list_inputs(folder)] == ["broken.jpg", "notes.txt", "photo.jpg", "photo.png", "간판.JPEG"]
    assert "sub/deeper.jpg" in [p.relative_to(folder).as_posix() for p in list_inputs(folder, recursive=True)]
    assert [p.name for p in skipped_folders(folder)] == ["not_a_file.jpg", "sub"]
    assert skipped_folders(folder, recursive=True) == []


def test_ocr_files_writes_a_page_and_a_drawing_per_readable_image(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    said: list[str] = []
    out = tmp_path / "results" / "demo"
    pages, drawn = ocr_files(OCR(FakeDetector(), FakeRecognizer()), list_inputs(folder), out, log=said.append)

    assert [Path(p.source).name for p in pages] == ["photo.jpg", "photo.png", "간판.JPEG"]
    assert [p.text for p in pages] == ["안녕 하세요", "Hello", "한국어"]
    assert [d.shape for d in drawn] == [(200, 400, 3), (120, 300, 3), (100, 200, 3)]
    assert len(said) == 2 and said[0].startswith("skipped: ") and "broken.jpg" in said[0] and "notes.txt" in said[1]
    # photo.jpg and photo.png keep their extension in the result names, so neither overwrites the other
    assert sorted(p.name for p in out.iterdir()) == ["photo_jpg.jpg", "photo_jpg.json", "photo_png.jpg",
                                                     "photo_png.json", "간판.jpg", "간판.json"]
    saved = Page.from_dict(json.loads((out / "photo_png.json").read_text(encoding="utf-8")))
    assert saved.text == "Hello" and saved.source == str(folder / "photo.png")
    assert read_image(out / "간판.jpg").shape == (100, 200, 3)
    assert ocr_files(OCR(FakeDetector(), FakeRecognizer()), [], out) == ([], [])
