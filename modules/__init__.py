"""Korean + English scene-text OCR toolkit: the code behind the notebooks.

Sub-packages: ``text`` (labels, charsets), ``data`` (gt files, annotation records), ``generator``
(synthetic text images), ``datasets`` (AIHub / TextOCR readers), ``lmdbio`` (lmdb datasets),
``recognizer``, ``detector``, ``metrics``, ``ocr`` (end-to-end API and CLI), ``pipeline`` (the
papermill runner behind ``run_all.py``).
"""
