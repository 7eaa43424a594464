"""Synthetic text images: word crops for the recognizer and whole scenes for the detector.

``fonts`` (font list + glyph coverage), ``corpus`` (``sample_data.xlsx``), ``backgrounds``,
``effects``, ``render_crop`` (one word crop), ``scene`` (one scene with its word boxes), ``generate``
(parallel, resumable crop folders), and the writers of the sample datasets (``aihub_outdoor``,
``textinthewild``, ``textocr``) driven by ``sample_datasets.ensure_sample_datasets``.
"""
