"""An onnxruntime CPU session: the one place the deployed recognizer and detector graphs are opened."""

from __future__ import annotations

import os
from typing import Any


def onnx_session(path: str | os.PathLike[str], threads: int = 0) -> Any:
    """An ``onnxruntime.InferenceSession`` on the CPU (``threads`` 0: onnxruntime's default)."""
    import onnxruntime as ort  # imported late: only ONNX deployment needs it

    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def onnx_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """The custom metadata of an ONNX graph (the exporters write charset, configs, exporter used)."""
    return dict(onnx_session(path).get_modelmeta().custom_metadata_map)
