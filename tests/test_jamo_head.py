"""The jamo output layer: the composition, its equivalence to a plain layer, what it buys (an unseen
syllable is read from its jamo), and that checkpoints, fine-tuning and ONNX export carry it."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from modules.export.onnx import export_recognizer, parity
from modules.recognizer import Recognizer
from modules.recognizer.checkpoint import load_checkpoint, remap_for_charset
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.jamo_head import COMPONENTS, INITIALS, MEDIALS, JamoLinear, hangul_composition, jamo_indices
from modules.recognizer.model import build_model
from modules.recognizer.train import OptimConfig, Trainer
from modules.text.charset import Charset

CHARSET = Charset.from_chars("가각나다밥 ab1")


def _config(charset: Charset = CHARSET, prediction: str = "CTC", jamo: bool = True) -> ModelConfig:
    return ModelConfig(num_class=len(charset) + (1 if prediction == "CTC" else 2), prediction=prediction,
                       output_channel=32, hidden_size=16, batch_max_length=6, jamo_head=jamo)


def test_composition_marks_each_syllables_three_jamo():
    assert jamo_indices("가") == (0, 0, 0)
    assert jamo_indices("각") == (0, 0, 1)  # final ㄱ
    assert jamo_indices("힣") == (18, 20, 27)
    assert jamo_indices("밥") == (7, 0, 17)  # ㅂ ㅏ ㅂ
    assert jamo_indices("a") is None and jamo_indices("ㄱ") is None  # a lone jamo is not a syllable
    matrix = hangul_composition(CHARSET.chars, offset=1)
    assert matrix.shape == (len(CHARSET) + 1, COMPONENTS)
    assert matrix[0].sum() == 0  # the CTC blank
    for ch in CHARSET.chars:
        row = matrix[CHARSET.index[ch] + 1]
        parts = jamo_indices(ch)
        if parts is None:
            assert row.sum() == 0, ch
        else:
            i, m, f = parts
            expected = {i, INITIALS + m, INITIALS + MEDIALS + f, COMPONENTS - 1}
            assert set(torch.nonzero(row).flatten().tolist()) == expected, ch


def test_logits_equal_the_folded_plain_layer():
    torch.manual_seed(0)
    layer = JamoLinear(8, hangul_composition(CHARSET.chars, offset=2))
    with torch.no_grad():
        for p in layer.parameters():
            p.add_(torch.randn_like(p))
    x = torch.randn(3, 5, 8)
    weight, bias = layer.folded()
    torch.testing.assert_close(layer(x), F.linear(x, weight, bias))
    syllable_rows = hangul_composition(CHARSET.chars, offset=2).sum(1) > 0
    fresh = JamoLinear(8, hangul_composition(CHARSET.chars, offset=2))
    assert fresh.weight[syllable_rows].abs().sum() == 0 and fresh.weight[~syllable_rows].abs().sum() > 0


def _rare_syllable_accuracy(seed: int) -> tuple[float, float]:
    """Features made of per-jamo parts plus noise, as a recognizer's are; 26 syllables of a 3 x 3 x 3 grid
    seen 8 times each, one seen once. Returns the (jamo, plain) layers' accuracy on new samples of the rare one."""
    syllables = [chr(0xAC00 + (i * 21 + m) * 28 + f) for i in (0, 2, 3) for m in (0, 4, 8) for f in (0, 1, 4)]
    rare = syllables[13]
    charset = Charset.from_chars(syllables)
    gen = torch.Generator().manual_seed(seed)
    parts = torch.randn(3, 28, 16, generator=gen)  # (initial | medial | final, jamo index, dim)

    def feature(ch: str) -> torch.Tensor:
        i, m, f = jamo_indices(ch)
        return parts[0, i] + parts[1, m] + parts[2, f] + 0.8 * torch.randn(16, generator=gen)

    chars = [c for c in syllables if c != rare] * 8 + [rare]
    features = torch.stack([feature(c) for c in chars])
    targets = torch.tensor([charset.index[c] for c in chars])
    test = torch.stack([feature(rare) for _ in range(50)])
    torch.manual_seed(seed)
    scores = []
    for layer in (JamoLinear(16, hangul_composition(charset.chars, offset=0)), torch.nn.Linear(16, len(charset))):
        optim = torch.optim.Adam(layer.parameters(), lr=0.05)
        for _ in range(100):
            optim.zero_grad()
            F.cross_entropy(layer(features), targets).backward()
            optim.step()
        with torch.no_grad():
            scores.append((layer(test).argmax(1) == charset.index[rare]).float().mean().item())
    return scores[0], scores[1]


def test_a_rare_syllable_is_read_better_through_its_jamo():
    jamo, plain = np.mean([_rare_syllable_accuracy(seed) for seed in range(8)], axis=0)  # 0.76 and 0.46
    assert jamo >= 0.65 and plain <= 0.6 and jamo - plain >= 0.2, (jamo, plain)


def test_the_model_needs_the_charset_and_a_matching_one():
    with pytest.raises(ValueError, match="needs the charset"):
        build_model(_config())
    with pytest.raises(ValueError, match="does not match num_class"):
        build_model(_config(), Charset.from_chars("가나"))
    assert isinstance(build_model(_config(), CHARSET).prediction.generator, JamoLinear)
    assert isinstance(build_model(_config(jamo=False)).prediction.generator, torch.nn.Linear)


@pytest.mark.parametrize("prediction", ["CTC", "Attn"])
def test_checkpoint_round_trip_and_training(tmp_path, prediction):
    torch.manual_seed(0)
    trainer = Trainer(build_model(_config(prediction=prediction), CHARSET), CHARSET, Preprocess(),
                      OptimConfig(num_iter=4))
    images = torch.randint(0, 256, (2, 1, 32, 100), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
    before = trainer.model.prediction.generator.jamo.weight.detach().clone()
    trainer.step(images, ["가각", "밥 a1"])
    assert not torch.equal(before, trainer.model.prediction.generator.jamo.weight)  # the jamo rows learn
    path = trainer.save(tmp_path / "jamo.pth")
    ckpt = load_checkpoint(path)
    assert ckpt.config.jamo_head and not any("composition" in k for k in ckpt.model_state)
    rec = Recognizer.from_checkpoint(path, device="cpu")
    assert not any(isinstance(m, JamoLinear) for m in rec.model.modules())  # folded for inference
    trainer.model.eval()
    batch = torch.rand(2, 1, 32, 100) * 2 - 1
    with torch.no_grad():
        torch.testing.assert_close(rec.model(batch), trainer.model(batch))
    crops = [np.full((20, 60), 200, np.uint8)]
    assert len(rec.recognize(crops)) == 1


def test_finetune_from_a_plain_checkpoint_starts_from_its_logits(tmp_path):
    torch.manual_seed(0)
    plain = Trainer(build_model(_config(jamo=False)), CHARSET, Preprocess(), OptimConfig(num_iter=4))
    path = plain.save(tmp_path / "plain.pth")
    new_charset = Charset.from_chars("가각나다밥 ab1힣")  # one new syllable
    model = build_model(_config(new_charset), new_charset)
    report = remap_for_charset(load_checkpoint(path), model, new_charset)
    assert report["zeroed"] == ["prediction.generator.jamo.weight", "prediction.generator.jamo.bias"]
    plain.model.eval(), model.eval()
    batch = torch.rand(2, 1, 32, 100) * 2 - 1
    with torch.no_grad():
        old, new = plain.model(batch), model(batch)
    torch.testing.assert_close(new[..., : len(CHARSET) + 1], old)  # same classes in the same order, then 힣


def test_finetune_gives_a_new_syllable_the_logits_of_its_jamo(tmp_path):
    torch.manual_seed(0)
    old = Trainer(build_model(_config(), CHARSET), CHARSET, Preprocess(), OptimConfig(num_iter=4))
    old.step(torch.zeros(1, 1, 32, 100, dtype=torch.uint8), ["가각"])
    path = old.save(tmp_path / "old.pth")
    new_charset = Charset.from_chars("각가힣")
    model = build_model(_config(new_charset), new_charset)
    report = remap_for_charset(load_checkpoint(path), model, new_charset)
    assert report["zeroed"] == [] and "prediction.generator.weight" in report["remapped"]
    jamo = old.model.prediction.generator.jamo
    assert torch.equal(model.prediction.generator.jamo.weight, jamo.weight)
    weight, _ = model.prediction.generator.folded()
    expected = hangul_composition("힣", 0)[0] @ jamo.weight  # its own row is zero: the jamo sum alone
    torch.testing.assert_close(weight[new_charset.index["힣"] + 1], expected)


def test_onnx_export_matches_pytorch(tmp_path):
    torch.manual_seed(0)
    model = build_model(_config(), CHARSET).eval()
    with torch.no_grad():
        model.prediction.generator.weight.add_(torch.randn_like(model.prediction.generator.weight))
    path = export_recognizer(model, tmp_path / "jamo.onnx")
    for width in (100, 160):
        assert parity(model, path, torch.rand(2, 1, 32, width) * 2 - 1) < 1e-4
