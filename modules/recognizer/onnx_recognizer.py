"""The recognizer run from an ONNX graph (``modules.export.onnx.export_recognizer``) with onnxruntime: the
``Recognizer`` protocol without the PyTorch model, sharing its preprocessing (``preprocess.resize`` /
``to_tensor``), CTC greedy decoding (``ctc_decode.ctc_greedy``) and codec."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

from modules.onnx_session import onnx_session
from modules.recognizer.codec import CTCCodec
from modules.recognizer.config import Preprocess
from modules.recognizer.ctc_decode import ctc_greedy
from modules.recognizer.preprocess import resize, to_tensor
from modules.recognizer.wide_read import read_with_wide
from modules.text.charset import Charset


class OnnxRecognizer:
    """A CTC recognizer exported by ``export_recognizer``, run with onnxruntime (no PyTorch model needed).

    Same protocol as ``modules.recognizer.Recognizer``: ``recognize(images, batch_size, decoder="greedy",
    max_width=0) -> [(text, confidence)]``, so ``OCR(detector, OnnxRecognizer(path))`` works. Charset and
    preprocessing come from the ONNX metadata (written when exporting a ``Recognizer``). Greedy decoding only.
    """

    def __init__(self, path: str | os.PathLike[str], threads: int = 0) -> None:
        self.session = onnx_session(path, threads)
        meta = dict(self.session.get_modelmeta().custom_metadata_map)
        if "charset" not in meta or "preprocess" not in meta:
            raise ValueError(f"{path}: no charset / preprocess metadata; export a Recognizer, not a bare model")
        self.charset = Charset(tuple(json.loads(meta["charset"])))
        self.preprocess = Preprocess.from_dict(json.loads(meta["preprocess"]))
        self.dynamic_width = meta.get("dynamic_width", "False") == "True"
        self.codec = CTCCodec(self.charset)

    def recognize(self, images: Sequence[np.ndarray | Image.Image], batch_size: int = 64, decoder: str = "greedy",
                  max_width: int = 0) -> list[tuple[str, float]]:
        """Crops -> ``[(text, confidence)]``; ``max_width`` as in ``Recognizer.recognize`` (used when the
        graph has a dynamic width)."""
        if decoder != "greedy":
            raise ValueError(f"OnnxRecognizer decodes greedily only, got decoder={decoder!r}")
        if max_width and self.dynamic_width:
            return read_with_wide(lambda crops, width: self._read(crops, width, batch_size), images,
                                  self.preprocess, max_width)
        return self._read(images, None, batch_size)

    def _read(self, images: Sequence[np.ndarray | Image.Image], width: int | None, batch_size: int
              ) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = []
        for start in range(0, len(images), batch_size):
            batch = np.stack([resize(im, self.preprocess, width) for im in images[start:start + batch_size]])
            logits = self.session.run(None, {"images": to_tensor(batch).numpy()})[0]  # (B, T, C)
            probs = torch.from_numpy(logits).float().softmax(dim=2)
            out.extend((self.codec.ids_to_text(ids), float(conf)) for ids, conf in ctc_greedy(probs))
        return out
