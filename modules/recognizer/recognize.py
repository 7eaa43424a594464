"""``Recognizer``: checkpoint + preprocessing + model + decoding in one inference object."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

from modules.device import resolve_device
from modules.recognizer.checkpoint import load_checkpoint
from modules.recognizer.codec import make_codec
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.ctc_decode import attn_greedy, ctc_beam_search, ctc_greedy
from modules.recognizer.jamo_head import fold_jamo_layers
from modules.recognizer.model import RecognitionModel
from modules.recognizer.preprocess import resize, to_tensor
from modules.recognizer.wide_read import read_with_wide
from modules.text.charset import Charset

DECODERS = ("greedy", "beam")


class Recognizer:
    """Reads cropped words: ``Recognizer.from_checkpoint(path).recognize(images)``.

    Everything needed (weights, model config, charset, preprocessing) comes from the checkpoint.
    """

    def __init__(self, model: RecognitionModel, charset: Charset, preprocess: Preprocess) -> None:
        self.model = model.eval()
        self.charset, self.preprocess = charset, preprocess
        self.config: ModelConfig = model.config
        self.codec = make_codec(self.config.prediction, charset, self.config.batch_max_length)

    @classmethod
    def from_checkpoint(cls, path: str | os.PathLike[str], device: str | torch.device | None = "auto"
                        ) -> "Recognizer":
        """Load a checkpoint safely (``weights_only``) onto ``device`` (``modules.device.resolve_device``:
        None / "auto" -> CUDA when available, else CPU). A jamo output layer is folded into a plain one
        (the same logits, cheaper)."""
        device = resolve_device(device)
        ckpt = load_checkpoint(path)
        return cls(fold_jamo_layers(ckpt.build_model(device)), ckpt.charset, ckpt.preprocess)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @torch.inference_mode()
    def recognize(
        self,
        images: Sequence[np.ndarray | Image.Image],
        batch_size: int = 64,
        decoder: str = "greedy",
        beam_width: int = 5,
        max_width: int = 0,
    ) -> list[tuple[str, float]]:
        """Crops (RGB / gray uint8 arrays or PIL images of any size) -> ``[(text, confidence)]``.

        ``decoder``: ``greedy`` (both heads) or ``beam`` (CTC prefix beam search, ``beam_width``).
        ``max_width`` > the input width: crops longer than the input are also read at their own aspect,
        up to this many pixels wide, and the more confident reading is kept (``wide_read``). Only CTC
        models without TPS take it (TPS rectifies to the input width; an Attn head was trained on a fixed
        number of frames); the others read at the input width alone.
        """
        if decoder not in DECODERS:
            raise ValueError(f"unknown decoder {decoder!r}; valid: {list(DECODERS)}")
        if decoder == "beam" and self.config.prediction != "CTC":
            raise ValueError("beam search is implemented for CTC models; use decoder='greedy' for Attn")
        if isinstance(images, Image.Image) or (isinstance(images, np.ndarray) and images.ndim in (2, 3)):
            images = [images]  # one crop
        if max_width and self.config.prediction == "CTC" and self.config.transformation == "None":
            return read_with_wide(lambda crops, width: self._read(crops, width, batch_size, decoder, beam_width),
                                  images, self.preprocess, max_width)
        return self._read(images, None, batch_size, decoder, beam_width)

    def _read(self, images: Sequence[np.ndarray | Image.Image], width: int | None, batch_size: int, decoder: str,
              beam_width: int) -> list[tuple[str, float]]:
        results: list[tuple[str, float]] = []
        for start in range(0, len(images), batch_size):
            chunk = images[start : start + batch_size]
            batch = np.stack([resize(image, self.preprocess, width) for image in chunk])
            probs = self.model(to_tensor(batch).to(self.device)).float().softmax(dim=2)
            if self.config.prediction == "Attn":
                raw = attn_greedy(probs)
            elif decoder == "greedy":
                raw = ctc_greedy(probs)
            else:
                cpu = probs.cpu().numpy()
                raw = [ctc_beam_search(p, beam_width=beam_width) for p in cpu]
            results.extend((self.codec.ids_to_text(ids), float(conf)) for ids, conf in raw)
        return results
