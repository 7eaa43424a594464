"""The papermill runner behind ``run_all.py``: steps, parameter checking, execution, run summaries."""
