"""End-to-end OCR: ``OCR`` (detect -> crop from the original image -> batched recognize -> reading
order), the ``Page -> Line -> Word`` result tree with JSON export, drawing, evaluation and a CLI
(``python -m modules.ocr``)."""

from modules.ocr.api import OCR, OCRConfig
from modules.ocr.result import Line, Page, Word

__all__ = ["OCR", "OCRConfig", "Line", "Page", "Word"]
