"""End-to-end matching and the evaluation report, on synthetic scenes with fake models."""

from __future__ import annotations

import pytest

from modules.data.annotations import AnnotationProblem, ImageAnnotation, WordAnnotation
from modules.imageio import write_image
from modules.ocr import OCR, Line, Page, Word
from modules.ocr.evaluate import evaluate_ocr, match_end_to_end
from modules.geometry.quads import quad_from_xyxy
from test_ocr_fakes import FakeDetector, FakeRecognizer, scene


def _gt(*words) -> ImageAnnotation:
    return ImageAnnotation("x.jpg", 500, 300, tuple(WordAnnotation(t, (x, y, w, h)) for t, x, y, w, h in words))


def _page(*words) -> Page:
    return Page(500, 300, tuple(Line((Word(quad_from_xyxy(*box), text, 0.9),)) for text, box in words))


def test_word_counts_only_with_iou_and_text():
    gt = _gt(("안녕", 10, 10, 100, 40), ("Hello", 200, 10, 100, 40), ("세계", 10, 100, 100, 40), (None, 300, 200, 100, 50))
    page = _page(
        ("안녕", (12, 12, 108, 50)),  # IoU ~0.86, text right -> correct
        ("hello", (200, 10, 300, 50)),  # case differs -> wrong unless ignore_case
        ("세계", (10, 100, 40, 140)),  # right text, IoU 0.3 -> wrong
        ("xx", (310, 205, 390, 245)),  # inside the don't-care region -> ignored
        ("안녕", (10, 10, 110, 50)),  # duplicate of a matched word -> wrong (one-to-one)
    )
    match = match_end_to_end(page, gt)
    assert (match.true_positives, match.detections, match.ground_truth) == (1, 4, 3)
    assert match.ignored_detections == (3,)
    assert match_end_to_end(page, gt, ignore_case=True).true_positives == 2


def test_evaluate_report_on_a_folder(tmp_path):
    a = scene((300, 600), [(10, 10, 110, 60, 40), (200, 10, 400, 60, 80)])
    write_image(tmp_path / "a.png", a)
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    records = [
        ImageAnnotation(str(tmp_path / "a.png"), 600, 300, (
            WordAnnotation("안녕", (10, 10, 100, 50)),
            WordAnnotation("하세요!", (200, 10, 200, 50)),  # the fake reads 하세요: NED 3/4
            WordAnnotation(None, (450, 200, 100, 50)),  # don't-care, nothing there
            WordAnnotation("Hello", (10, 200, 100, 50)),  # missed by the detector (blank area)
        )),
        AnnotationProblem("label.json", "bbox_null"),
        ImageAnnotation(str(tmp_path / "bad.jpg"), 10, 10, ()),
    ]
    report = evaluate_ocr(OCR(FakeDetector(), FakeRecognizer()), records, progress=False)
    assert report["images"] == 1 and report["skipped"] == {"bbox_null": 1, "image_unreadable": 1}
    assert report["detection"]["precision"] == 1.0 and report["detection"]["recall"] == pytest.approx(2 / 3)
    assert report["end_to_end"]["true_positives"] == 1 and report["end_to_end"]["recall"] == pytest.approx(1 / 3)
    assert report["end_to_end"]["precision"] == pytest.approx(1 / 2)
    rec = report["recognition"]
    assert rec["samples"] == 3 and rec["word_accuracy"] == pytest.approx(1 / 3)  # the Hello crop is white -> ""
    assert rec["norm_ED"] == pytest.approx((1 + 0.75 + 0) / 3)


def test_a_jamo_only_label_is_an_ordinary_word_unless_dropped(tmp_path):
    a = scene((300, 600), [(10, 10, 110, 60, 40), (200, 10, 400, 60, 80)])
    write_image(tmp_path / "a.png", a)
    record = ImageAnnotation(str(tmp_path / "a.png"), 600, 300, (
        WordAnnotation("ㅇㄴ", (10, 10, 100, 50)),  # jamo over the word the fake reads 안녕
        WordAnnotation("하세요", (200, 10, 200, 50)),
    ))
    # kept (the default, as 01_make_gtdata keeps such labels): an ordinary word, which 안녕 does not match
    kept = evaluate_ocr(OCR(FakeDetector(), FakeRecognizer()), [record], progress=False)
    assert kept["jamo_only_words"] == 1 and kept["dontcare_labels"] == {"jamo_only": 0}
    e2e = kept["end_to_end"]
    assert (e2e["true_positives"], e2e["detections"], e2e["ground_truth"]) == (1, 2, 2)
    assert kept["detection"]["ground_truth"] == 2 and kept["recognition"]["samples"] == 2
    assert kept["settings"]["drop_jamo_only"] is False
    # dropped (drop_jamo_only, as when 01 dropped them): a don't-care region, counted
    report = evaluate_ocr(OCR(FakeDetector(), FakeRecognizer()), [record], progress=False, drop_jamo_only=True)
    assert report["dontcare_labels"] == {"jamo_only": 1} and report["jamo_only_words"] == 1
    e2e = report["end_to_end"]
    assert (e2e["true_positives"], e2e["detections"], e2e["ground_truth"]) == (1, 1, 1)  # 안녕 neither wrong nor missed
    assert report["detection"]["ground_truth"] == 1 and report["detection"]["precision"] == 1.0
    assert report["recognition"]["samples"] == 1
    plain = evaluate_ocr(OCR(FakeDetector(), FakeRecognizer()), [
        ImageAnnotation(record.image_path, 600, 300, (WordAnnotation("안녕", (10, 10, 100, 50)), record.words[1]))
    ], progress=False, drop_jamo_only=True)
    assert plain["dontcare_labels"] == {"jamo_only": 0} and plain["end_to_end"]["ground_truth"] == 2


def test_labelled_records_reads_aihub_folders_and_refuses_other_formats(tmp_path):
    import pytest

    from modules.ocr.evaluate import labelled_records

    (tmp_path / "labels").mkdir()
    (tmp_path / "images").mkdir()
    assert list(labelled_records("aihub", str(tmp_path / "labels"), str(tmp_path / "images"))) == []
    with pytest.raises(ValueError, match="'aihub' or 'textocr'"):
        labelled_records("icdar")
