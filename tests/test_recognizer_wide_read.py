"""Long crops read a second time at their own aspect: the width chosen, the reading kept, and the
real model's path (PyTorch; the ONNX one is in test_ocr_real_models)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.model import build_model
from modules.recognizer.preprocess import resize, wide_width
from modules.recognizer.recognize import Recognizer
from modules.recognizer.wide_read import more_confident, read_with_wide
from modules.text.charset import Charset

PRE = Preprocess(img_h=32, img_w=128)


def _same(a: list[tuple[str, float]], b: list[tuple[str, float]]) -> bool:
    """Equal texts, confidences equal up to float noise (batches of other sizes and widths)."""
    return [t for t, _ in a] == [t for t, _ in b] and np.allclose([c for _, c in a], [c for _, c in b], rtol=1e-4)


def test_wide_width_is_the_crop_own_width_rounded_and_capped() -> None:
    assert wide_width(32, 400, PRE, 256) == 256  # capped
    assert wide_width(32, 200, PRE, 256) == 192  # the nearest multiple of 32
    assert wide_width(20, 100, PRE, 256) == 160  # 5:1 at 32 rows
    assert wide_width(32, 140, PRE, 256) == 0  # rounds to 128: no wider than the input
    assert wide_width(32, 400, PRE, 128) == 0  # a cap at the input width turns it off
    assert resize(np.zeros((20, 100), np.uint8), PRE, 160).shape == (1, 32, 160)
    assert resize(np.zeros((20, 100), np.uint8), PRE).shape == (1, 32, 128)


def test_long_crops_are_read_again_and_the_more_confident_reading_is_kept() -> None:
    calls = []

    def read(images, width):
        calls.append((width, [im.shape[1] for im in images]))
        if width is None:
            return [("squeezed", 0.5)] * len(images)
        return [("wide", 0.8) if width == 192 else ("", 0.99)] * len(images)  # an all-blank wide reading

    crops = [np.zeros((32, w), np.uint8) for w in (100, 200, 210)]
    assert read_with_wide(read, crops, PRE, 256) == [("squeezed", 0.5), ("wide", 0.8), ("squeezed", 0.5)]
    assert calls == [(None, [100, 200, 210]), (192, [200]), (224, [210])]
    assert more_confident(("a", 0.4), ("b", 0.3)) == ("a", 0.4)


def test_recognizer_reads_a_long_crop_at_its_own_width_and_keeps_the_better_reading() -> None:
    torch.manual_seed(0)
    charset = Charset.from_chars("가나다ab")
    model = build_model(ModelConfig(num_class=6, output_channel=32, hidden_size=16, img_w=128, jamo_head=False)).eval()
    with torch.no_grad():  # make the random model produce characters, not all blanks
        model.prediction.generator.bias[0] = -5.0
    rng = np.random.default_rng(0)
    short, long = rng.integers(0, 256, (32, 100), dtype=np.uint8), rng.integers(0, 256, (32, 300), dtype=np.uint8)
    recognizer = Recognizer(model, charset, PRE)
    squeezed = recognizer.recognize([short, long])
    at_own_width = Recognizer(model, charset, replace(PRE, img_w=288)).recognize([long])[0]  # 300 -> 288
    assert at_own_width != squeezed[1]  # the wide input really is another reading
    shapes = []
    hook = model.register_forward_pre_hook(lambda module, args: shapes.append(tuple(args[0].shape)))
    got = recognizer.recognize([short, long], max_width=320)
    hook.remove()
    assert shapes == [(2, 1, 32, 128), (1, 1, 32, 288)]  # both crops squeezed, then the long one at its width
    assert _same(got, [squeezed[0], more_confident(squeezed[1], at_own_width)])
    capped = Recognizer(model, charset, replace(PRE, img_w=256)).recognize([long])[0]
    assert _same(recognizer.recognize([long], max_width=256), [more_confident(squeezed[1], capped)])
    assert _same(recognizer.recognize([short, long], max_width=0), squeezed)
