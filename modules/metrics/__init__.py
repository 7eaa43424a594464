"""Evaluation metrics (recognition here; detection metrics live in ``detection.py``)."""
