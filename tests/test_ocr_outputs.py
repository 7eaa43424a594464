"""Nothing lost on output: distinct names per input, transparent pixels read as white, skipped sub-folders named."""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from modules.imageio import decode_image, read_image, write_bytes_atomic, write_image
from modules.ocr import OCR, Page
from modules.ocr.__main__ import main
from modules.ocr.api import load_image
from modules.ocr.output_names import output_names
from test_ocr_fakes import FakeDetector, FakeRecognizer, scene


def transparent_png(size: tuple[int, int], words: list[tuple[int, int, int, int, int]]) -> bytes:
    """A PNG whose background is fully transparent black (RGBA 0, 0, 0, 0) with opaque grey words."""
    rgba = np.zeros((size[0], size[1], 4), np.uint8)
    for x1, y1, x2, y2, level in words:
        rgba[y1:y2, x1:x2] = (level, level, level, 255)
    ok, data = cv2.imencode(".png", cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))
    assert ok
    return data.tobytes()


def test_output_names_are_distinct() -> None:
    root = Path("in")
    paths = [root / "a.jpg", root / "photo.jpg", root / "photo.png", root / "Photo.webp", root / "photo_jpg.bmp",
             root / "sub" / "b.jpg", root / "sub__b.png", root / "README"]
    names = output_names(paths, root)
    assert names == {
        root / "a.jpg": "a", root / "photo.jpg": "photo_jpg", root / "photo.png": "photo_png",
        root / "Photo.webp": "Photo_webp", root / "photo_jpg.bmp": "photo_jpg-2",
        root / "sub" / "b.jpg": "sub__b_jpg", root / "sub__b.png": "sub__b_png", root / "README": "README",
    }
    # without a root (files from several folders): the file name alone, made distinct the same way
    assert output_names([Path("x/p.jpg"), Path("y/p.jpg"), Path("y/q.jpg")]) == {
        Path("x/p.jpg"): "p_jpg", Path("y/p.jpg"): "p_jpg-2", Path("y/q.jpg"): "q"}


def test_same_stem_inputs_keep_their_own_drawings_and_sub_folders_are_reported(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "photos"
    write_image(folder / "photo.jpg", scene((100, 200), [(10, 10, 150, 60, 40)]))
    write_bytes_atomic(folder / "photo.png", transparent_png((100, 200), [(20, 20, 160, 70, 120)]))
    write_image(folder / "more" / "c.jpg", scene((80, 160), [(10, 10, 120, 50, 160)]))
    (folder / ".hidden").mkdir()
    drawn, out_json = tmp_path / "drawn", tmp_path / "res.json"

    code = main([str(folder), "--draw", str(drawn), "--json", str(out_json)], ocr=OCR(FakeDetector(), FakeRecognizer()))

    err = capsys.readouterr().err
    assert code == 0
    assert sorted(p.name for p in drawn.iterdir()) == ["photo_jpg.jpg", "photo_png.jpg"]
    assert f"skipped {folder / 'more'}: sub-folder (read with --recursive)" in err
    assert err.rstrip().endswith("2 image(s) read, 1 skipped (1 sub-folder)")
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert [Page.from_dict(p).text for p in data["pages"]] == ["안녕", "Hello"]  # the PNG's word, not a black page
    assert data["skipped"] == [{"file": str(folder / "more"), "reason": "sub-folder (read with --recursive)"}]
    # each drawing shows its own image: the PNG's is white where the picture was transparent
    assert read_image(drawn / "photo_png.jpg")[95, 195].min() > 240
    assert read_image(drawn / "photo_jpg.jpg")[35, 80].max() < 60 and read_image(drawn / "photo_png.jpg")[35, 80].max() > 100

    code = main([str(folder), "--recursive", "--draw", str(drawn)], ocr=OCR(FakeDetector(), FakeRecognizer()))
    err = capsys.readouterr().err
    assert code == 0 and err.rstrip().endswith("3 image(s) read, 0 skipped")
    assert sorted(p.name for p in drawn.iterdir()) == ["more__c.jpg", "photo_jpg.jpg", "photo_png.jpg"]


def test_transparent_png_is_composited_on_white(tmp_path: Path) -> None:
    data = transparent_png((4, 6), [(0, 0, 6, 2, 80)])
    expected = np.full((4, 6, 3), 255, np.uint8)
    expected[:2] = 80
    np.testing.assert_array_equal(decode_image(data), expected)
    np.testing.assert_array_equal(decode_image(data, gray=True), expected[:, :, 0])
    # half-transparent black over white is mid grey
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 3] = 128
    ok, half = cv2.imencode(".png", rgba)
    assert decode_image(half.tobytes())[0, 0].tolist() == [127, 127, 127]
    # palette PNG with a transparent colour (tRNS), grey + alpha, and an opaque RGB PNG (unchanged)
    palette = Image.new("P", (3, 1))
    palette.putpalette([0, 0, 0, 10, 20, 30] + [0] * 762)
    palette.putpixel((0, 0), 1)
    buffer = io.BytesIO()
    palette.save(buffer, "PNG", transparency=0)
    assert decode_image(buffer.getvalue()).tolist() == [[[10, 20, 30], [255, 255, 255], [255, 255, 255]]]
    opaque = np.zeros((2, 3, 3), np.uint8)
    write_image(tmp_path / "opaque.png", opaque)
    np.testing.assert_array_equal(read_image(tmp_path / "opaque.png"), opaque)


def test_api_inputs_with_alpha_are_composited_on_white() -> None:
    rgba = np.zeros((100, 200, 4), np.uint8)
    rgba[20:70, 20:160] = (120, 120, 120, 255)
    ocr = OCR(FakeDetector(), FakeRecognizer())
    assert ocr(rgba).text == "Hello"
    assert ocr(Image.fromarray(rgba, "RGBA")).text == "Hello"
    for given in (rgba, Image.fromarray(rgba, "RGBA")):
        array, _ = load_image(given)
        assert array.shape == (100, 200, 3)
        assert array[0, 0].tolist() == [255, 255, 255] and array[40, 40].tolist() == [120, 120, 120]


def test_detector_and_recognizer_inputs_with_alpha_are_composited_on_white() -> None:
    from modules.geometry.rgb import image_array as to_array  # the one normaliser the detector and recognizer use

    rgba = np.zeros((4, 6, 4), np.uint8)  # transparent black, one opaque dark-grey column
    rgba[:, 0] = (30, 30, 30, 255)
    expected = np.full((4, 6, 3), 255, np.uint8)
    expected[:, 0] = 30
    for given in (rgba, Image.fromarray(rgba, "RGBA")):
        np.testing.assert_array_equal(to_array(given), expected)
        np.testing.assert_array_equal(to_array(given, rgb=True), expected)
        np.testing.assert_array_equal(to_array(given, rgb=False), expected[:, :, 0])
