"""Evaluate the end-to-end OCR on a labelled set (AIHub / TextOCR readers' ``ImageAnnotation``s).

Three views of the same images:
- detection: precision / recall / H-mean of the detector's boxes (``modules.metrics.detection``: IoU >=
  0.5, one-to-one, illegible words are don't-care);
- recognition: word accuracy and normalized edit distance of the recognizer on the ground-truth crops
  (``modules.metrics.recognition``), cut and read exactly as the OCR does its own (original image +
  margin, vertical words tiled);
- end to end: a predicted word is correct when its box has IoU >= 0.5 with a legible ground-truth word
  AND the texts match (NFC, exact; optionally case-insensitive); one-to-one, greedy by IoU. Predictions
  lying inside a don't-care region are left out, as in detection.

A label made only of jamo (``ㅋㅋ``, ``ㅎㅎ``) is text people write on signs: 01_make_gtdata keeps it by
default, and so does the evaluation, as an ordinary word (counted under ``jamo_only_words``). With
``drop_jamo_only`` (the training data dropped such labels, e.g. as labelling errors) its word is a
don't-care region instead, counted under ``dontcare_labels``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from modules.data.annotations import AnnotationProblem, ImageAnnotation
from modules.geometry.crop import crop_quad
from modules.geometry.quads import quad_from_xyxy
from modules.imageio import ImageReadError, read_image
from modules.metrics.detection import ImageMatch, detection_prf, prf
from modules.metrics.end_to_end import match_words
from modules.metrics.recognition import normalized_edit_distance, word_accuracy
from modules.ocr.api import OCR, best_reading
from modules.ocr.result import Page
from modules.text.normalize import is_jamo_only, nfc

# The matching rule of the report (ICDAR's): a word is found at IoU >= 0.5, and a prediction lying at
# least half inside a don't-care region is left out. A definition of the metric, not a tuned setting.
IOU_THRESHOLD = 0.5
DONTCARE_IOA = 0.5


def without_unusable_labels(annotation: ImageAnnotation) -> tuple[ImageAnnotation, int]:
    """``annotation`` with jamo-only labels turned into don't-care words (text None), and how many."""
    unusable = [w.text is not None and is_jamo_only(w.text) for w in annotation.words]
    if not any(unusable):
        return annotation, 0
    words = tuple(replace(w, text=None) if bad else w for w, bad in zip(annotation.words, unusable))
    return replace(annotation, words=words), sum(unusable)


def match_end_to_end(
    page: Page,
    annotation: ImageAnnotation,
    iou_threshold: float = IOU_THRESHOLD,
    dontcare_ioa: float = DONTCARE_IOA,
    ignore_case: bool = False,
) -> ImageMatch:
    """Match a page's words to the annotation's words (``modules.metrics.end_to_end.match_words``); pairs
    are ``(word index in page.words, gt index)``."""
    return match_words([w.xyxy for w in page.words], [w.text for w in page.words],
                       [w.xyxy for w in annotation.words], [w.text for w in annotation.words],
                       iou_threshold, dontcare_ioa, ignore_case)


def evaluate_ocr(
    ocr: OCR,
    annotations: Iterable[ImageAnnotation | AnnotationProblem],
    limit: int | None = None,
    ignore_case: bool = False,
    progress: bool = True,
    drop_jamo_only: bool = False,
) -> dict[str, Any]:
    """Run ``ocr`` over the annotated images and return a JSON-ready report.

    Reader problems and unreadable images are counted by reason under ``skipped`` (flags of kept records,
    ``kept=True``, under ``flagged``) and never abort the evaluation. Words whose label is made only of
    jamo are ordinary words (counted under ``jamo_only_words``), or with ``drop_jamo_only`` don't-care
    regions, counted under ``dontcare_labels``. ``limit`` caps the number of images evaluated.
    ``settings`` records every setting the figures depend on: the matching rule, the options above and
    ``ocr.settings()`` (the OCR's config, the detector's ``DetectConfig``, both models' configs).
    """
    skipped: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    jamo_words = 0
    dontcare_labels: Counter[str] = Counter({"jamo_only": 0})
    det_pred, det_gt = [], []
    rec_pred, rec_gt = [], []
    e2e: Counter[str] = Counter()
    per_image = []
    bar = tqdm(total=limit, desc="evaluate", unit="img", disable=not progress)
    for record in annotations:
        if limit is not None and len(per_image) >= limit:
            break
        if isinstance(record, AnnotationProblem):
            (flagged if record.kept else skipped)[record.reason] += record.count
            continue
        jamo_words += sum(w.text is not None and is_jamo_only(w.text) for w in record.words)
        if drop_jamo_only:
            record, unusable = without_unusable_labels(record)
            dontcare_labels["jamo_only"] += unusable
        try:
            image = read_image(record.image_path)
        except ImageReadError:
            skipped["image_unreadable"] += 1
            continue
        page, boxes = ocr.read_detailed([image])[0]
        gt_boxes = np.asarray([w.xyxy for w in record.words], dtype=np.float64).reshape(-1, 4)
        dontcare = np.asarray([w.text is None for w in record.words], dtype=bool)
        det_pred.append(boxes)
        det_gt.append((gt_boxes, dontcare))

        crops, owners, labels = [], [], []
        for word in record.words:
            crop = None if word.text is None else crop_quad(image, quad_from_xyxy(*word.xyxy), ocr.config.margin)
            if crop is not None:
                candidates = ocr.crop_candidates(crop, word.bbox[2], word.bbox[3])
                owners.append(range(len(crops), len(crops) + len(candidates)))
                crops.extend(candidates)
                labels.append(nfc(word.text).strip())
        if crops:
            outputs = ocr.recognize_crops(crops)
            rec_pred.extend(best_reading([outputs[i] for i in ids])[0] for ids in owners)
            rec_gt.extend(labels)

        match = match_end_to_end(page, record, ignore_case=ignore_case)
        e2e.update(tp=match.true_positives, pred=match.detections, gt=match.ground_truth)
        per_image.append({"image": record.image_path, "words": len(page.words), "correct": match.true_positives,
                          "ground_truth": match.ground_truth})
        bar.update(1)
    bar.close()
    return {
        "images": len(per_image),
        "skipped": dict(skipped),
        "flagged": dict(flagged),
        "jamo_only_words": jamo_words,
        "dontcare_labels": dict(dontcare_labels),
        "detection": detection_prf(det_pred, det_gt, IOU_THRESHOLD, DONTCARE_IOA),
        "recognition": {
            "samples": len(rec_gt),
            "word_accuracy": word_accuracy(rec_pred, rec_gt),
            "norm_ED": normalized_edit_distance(rec_pred, rec_gt),
        },
        "end_to_end": prf(e2e["tp"], e2e["pred"], e2e["gt"]),
        "settings": {"iou_threshold": IOU_THRESHOLD, "dontcare_ioa": DONTCARE_IOA, "ignore_case": ignore_case,
                     "drop_jamo_only": drop_jamo_only, "limit": limit, **ocr.settings()},
        "per_image": per_image,
    }


def summary_row(name: str, report: dict[str, Any]) -> dict[str, Any]:
    """One row of the demo's evaluation tables for an ``evaluate_ocr`` report: the set, its image count,
    detection H-mean, end-to-end F and recognition accuracy (%) on the ground-truth crops."""
    return {"set": name, "images": report["images"], "detection H": round(report["detection"]["hmean"], 3),
            "end-to-end F": round(report["end_to_end"]["hmean"], 3),
            "recognition on gt crops %": round(100 * report["recognition"]["word_accuracy"], 2)}


def labelled_records(eval_format: str, label_dir: str = "", image_dir: str = "", textocr_json: str = "",
                     textocr_image_root: str = "") -> Iterable:
    """The labelled images of an evaluation set, as ``evaluate_ocr`` reads them: AIHub-format label and
    image folders (``eval_format="aihub"``) or a TextOCR JSON and its image root (``"textocr"``)."""
    if eval_format == "aihub":
        from modules.datasets.aihub import iter_aihub_outdoor

        return iter_aihub_outdoor(label_dir, image_dir)
    if eval_format == "textocr":
        from modules.datasets.textocr import iter_textocr

        return iter_textocr(textocr_json, textocr_image_root)
    raise ValueError(f"eval_format must be 'aihub' or 'textocr', got {eval_format!r}")
