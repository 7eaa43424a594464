"""Word crops + recognition gt files from annotated scene images (``01_make_gtdata``, ``crnn_preprocess``)."""

from __future__ import annotations

from modules.gtdata.make import GtDataConfig, GtDataReport, make_gtdata

__all__ = ["GtDataConfig", "GtDataReport", "make_gtdata"]
