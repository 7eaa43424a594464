"""OCR orchestration with tiny fake models: inputs, original-resolution crops, batching, order."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from modules.imageio import ImageReadError, write_image
from modules.ocr import OCR, OCRConfig, Page
from test_ocr_fakes import FakeDetector, FakeRecognizer, scene

WORDS = [  # two lines, given out of order; 2000 px wide image
    (1200, 420, 1600, 520, 160),  # World
    (100, 100, 500, 200, 40),  # 안녕
    (600, 110, 1100, 210, 80),  # 하세요
    (100, 400, 700, 500, 120),  # Hello
]


def _ocr(**config) -> OCR:
    return OCR(FakeDetector(), FakeRecognizer(), OCRConfig(**config))


def test_words_in_reading_order_with_original_pixel_boxes():
    page = _ocr()(scene((800, 2000), WORDS))
    assert isinstance(page, Page) and (page.width, page.height) == (2000, 800)
    assert [line.text for line in page.lines] == ["안녕 하세요", "Hello World"]
    first = page.words[0]
    assert first.xyxy == (100.0, 100.0, 500.0, 200.0)
    assert first.score == pytest.approx(0.9) and first.confidence == pytest.approx(0.54)


def test_crops_are_full_resolution_with_margin_and_recognized_in_one_batch():
    ocr = _ocr(margin=0.1)  # 10 px for a 100 px tall word
    ocr.read([scene((800, 2000), WORDS), scene((300, 300), [(10, 10, 110, 60, 200)])])
    assert ocr.detector.calls == [2]  # one detector call for both images
    assert len(ocr.recognizer.batches) == 1  # every crop of both images in one recognize call
    shapes = sorted(ocr.recognizer.batches[0])
    assert (120, 420, 3) in shapes  # 400 x 100 box + 10 px margin, from the 2000 px original
    # the default extra crops of the same box: 20 / 40 px longer at each end, 15 px taller at each side,
    # and 20 px longer and 15 px taller
    assert {(110, 440, 3), (110, 480, 3), (130, 410, 3), (130, 440, 3)} <= set(shapes)
    assert len(shapes) == 5 * 5
    one = _ocr(margin=0.1, extra_margins=())
    one.read([scene((800, 2000), WORDS)])
    assert len(one.recognizer.batches[0]) == 4


def test_the_most_confident_of_the_extra_crops_wins():
    class WidthRecognizer(FakeRecognizer):  # reads the word right only from a crop 30+ px wider than the box
        def recognize(self, images, batch_size=64, decoder="greedy", max_width=0):
            read = super().recognize(images, batch_size, decoder)
            return [(text, 0.9) if im.shape[1] >= 430 else ("cut", 0.6) for (text, _), im in zip(read, images)]

    image = scene((600, 800), [(200, 200, 600, 300, 120)])  # a 400 x 100 word
    ocr = OCR(FakeDetector(), WidthRecognizer(), OCRConfig(margin=0.05, extra_margins=((0.25, 0.05),)))
    word, = ocr(image).words
    assert (word.text, word.confidence) == ("Hello", 0.9)
    assert sorted(s[1] for s in ocr.recognizer.batches[0]) == [410, 450]  # 5 px, then 25 px at each end
    plain = OCR(FakeDetector(), WidthRecognizer(), OCRConfig(margin=0.05, extra_margins=()))
    assert [w.text for w in plain(image).words] == ["cut"]
    assert OCRConfig(extra_margins=[[0.2, 0.1]]).extra_margins == ((0.2, 0.1),)  # lists from JSON / notebooks


def test_path_pil_gray_and_rgba_inputs_agree(tmp_path):
    image = scene((400, 800), WORDS[1:3] and [(100, 100, 300, 200, 40), (400, 110, 700, 210, 80)])
    path = tmp_path / "한글 이름.png"
    write_image(path, image)
    ocr = _ocr()
    expected = ["안녕", "하세요"]
    assert [w.text for w in ocr(path).words] == expected
    assert ocr(path).source == str(path)
    assert [w.text for w in ocr(Image.fromarray(image)).words] == expected
    assert [w.text for w in ocr(image[:, :, 0]).words] == expected
    rgba = np.dstack([image, np.full(image.shape[:2], 255, np.uint8)])
    assert [w.text for w in ocr(rgba).words] == expected
    assert [t[1] for t in ocr.readtext(image, merge_lines=True)] == ["안녕 하세요"]


def test_empty_and_low_confidence_words_are_dropped():
    image = scene((200, 600), [(10, 10, 100, 60, 40), (200, 10, 300, 60, 90)])  # level 90: no text
    assert [w.text for w in _ocr()(image).words] == ["안녕"]
    assert len(_ocr(drop_empty=False)(image).words) == 2
    assert _ocr(min_confidence=0.6)(image).words == []


def test_image_without_words_and_bad_inputs():
    assert _ocr()(np.full((50, 50, 3), 255, np.uint8)).lines == ()
    with pytest.raises(ImageReadError):
        _ocr()("/nonexistent/사진.jpg")
    with pytest.raises(TypeError):
        _ocr()(np.zeros((5, 5, 3), np.float32))


def test_vertical_words_are_read_tiled_when_that_is_more_confident():
    class CountingRecognizer(FakeRecognizer):
        def recognize(self, images, batch_size=64, decoder="greedy", max_width=0):
            super().recognize(images, batch_size, decoder)
            return [("세로" if im.shape[1] > im.shape[0] else "x", 0.9 if im.shape[1] > im.shape[0] else 0.5)
                    for im in images]

    image = scene((400, 400), [(100, 20, 140, 220, 40), (200, 20, 360, 60, 80)])  # 40x200 vertical, 160x40
    ocr = OCR(FakeDetector(), CountingRecognizer(), OCRConfig(vertical="auto", extra_margins=()))
    vertical = min(ocr(image).words, key=lambda w: w.xyxy[0])  # the box at x=100
    assert (vertical.text, vertical.confidence) == ("세로", 0.9)  # the tiled reading won
    shapes = ocr.recognizer.batches[0]
    # 40x200 box, ratio 5: the horizontal word, then as is + tiled into 5, 6 and 7 characters + its ink
    # (the 40x200 block inside the crop's white margin) tiled into 4 and 5 + rotated
    assert len(shapes) == 1 + 1 + 3 + 2 + 1
    assert any(s[1] > s[0] and s[0] < 60 for s in shapes)
    none = OCR(FakeDetector(), CountingRecognizer(), OCRConfig(vertical="none", extra_margins=()))
    vertical = min(none(image).words, key=lambda w: w.xyxy[0])
    assert vertical.text == "x" and len(none.recognizer.batches[0]) == 2
    with pytest.raises(ValueError, match="vertical"):
        OCRConfig(vertical="sideways")


def test_detector_defaults_are_multi_scale_and_overridable():
    from modules.detector.config import LARGE_PHOTO_SCALES, TTA_SCALES
    from modules.ocr.api import detector_defaults

    assert detector_defaults() == {"tta_scales": TTA_SCALES, "large_photo_scales": LARGE_PHOTO_SCALES}
    assert detector_defaults({"tta_scales": (), "input_size": 640}) == {
        "tta_scales": (), "large_photo_scales": LARGE_PHOTO_SCALES, "input_size": 640}


def test_a_loose_vertical_box_is_tiled_from_its_ink():
    """A box much taller than its column of characters: tiling the whole box cuts the characters, tiling
    the ink (the three squares) gives one character per band."""

    class BlobRecognizer(FakeRecognizer):
        def recognize(self, images, batch_size=64, decoder="greedy", max_width=0):
            out = []
            for im in images:
                dark = (im.min(axis=2) < 100).astype(np.uint8)
                blobs = cv2.connectedComponents(dark)[0] - 1
                whole = im.shape[1] > im.shape[0] and blobs == 3
                out.append(("가나다", 0.95) if whole else ("x", 0.3))
            return out

    image = scene((300, 200), [(80, 20, 120, 240, 200)])  # a light 40x220 panel ...
    for top in (30, 66, 102):  # ... holding three dark 30x30 characters, 6 px apart, in its top half
        image[top:top + 30, 85:115] = 20
    ocr = OCR(FakeDetector(), BlobRecognizer(), OCRConfig(extra_margins=()))
    (word,) = ocr(image).words
    assert word.text == "가나다"
    box_tiles = ocr.crop_candidates(image[18:242, 78:122], 40, 220)  # the crop with its 2 px margin
    assert [BlobRecognizer().recognize([c])[0][0] for c in box_tiles[1:4]] == ["x", "x", "x"]  # 5, 6, 7 bands
