import os
import pickle

import numpy as np
import pytest
import torch

from modules.recognizer import Recognizer
from modules.recognizer.checkpoint import CheckpointError, load_checkpoint, remap_for_charset
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.model import build_model
from modules.recognizer.train import OptimConfig, Trainer
from modules.text.charset import Charset

CHARSET = Charset.from_chars("가나다 ab#\\")  # space, '#' and backslash survive the round trip


def _trainer(prediction: str = "CTC", charset: Charset = CHARSET, seed: int = 0, tps: bool = False) -> Trainer:
    torch.manual_seed(seed)
    cfg = ModelConfig(num_class=len(charset) + (1 if prediction == "CTC" else 2), prediction=prediction,
                      transformation="TPS" if tps else "None", output_channel=32, hidden_size=16, batch_max_length=6,
                      jamo_head=False)
    return Trainer(build_model(cfg), charset, Preprocess(keep_ratio_pad=True), OptimConfig(num_iter=10))


def _batch(i: int) -> tuple[torch.Tensor, list[str]]:
    g = torch.Generator().manual_seed(i)
    return torch.randint(0, 256, (3, 1, 32, 100), dtype=torch.uint8, generator=g), ["가나", "ab#", "다 \\"]


@pytest.mark.parametrize("prediction", ["CTC", "Attn"])
def test_round_trip_holds_everything_needed(tmp_path, prediction):
    trainer = _trainer(prediction, tps=True)
    trainer.step(*_batch(0))
    path = trainer.save(tmp_path / f"{trainer.model.config.stages}-Seed1111" / "best_accuracy.pth")
    ckpt = load_checkpoint(path)
    assert ckpt.charset == CHARSET and ckpt.config == trainer.model.config
    assert ckpt.preprocess == Preprocess(keep_ratio_pad=True) and ckpt.iteration == 1
    rec = Recognizer.from_checkpoint(path, device="cpu")
    crops = [np.full((20, 60, 3), 200, np.uint8), np.zeros((50, 30), np.uint8)]
    out = rec.recognize(crops, batch_size=1)
    # the loaded model gives the same output as the trained one
    trainer.model.eval()
    from modules.recognizer.preprocess import resize
    batch = torch.from_numpy(np.stack([resize(c, rec.preprocess) for c in crops]))
    with torch.no_grad():
        expected = trainer.decode(trainer.model(batch.float() / 127.5 - 1))
    assert [t for t, _ in out] == [t for t, _ in expected]
    assert all(0.0 <= c <= 1.0 for _, c in out)


def test_refuses_corrupt_and_foreign_files(tmp_path):
    junk = tmp_path / "junk.pth"
    for seed in range(40):  # random bytes fail in many ways inside torch.load; all must become CheckpointError
        junk.write_bytes(np.random.default_rng(seed).integers(0, 256, 1000, dtype=np.uint8).tobytes())
        with pytest.raises(CheckpointError, match="junk.pth"):
            load_checkpoint(junk)
    good = _trainer().save(tmp_path / "good.pth")
    truncated = tmp_path / "truncated.pth"
    truncated.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(CheckpointError, match="truncated.pth"):
        load_checkpoint(truncated)
    foreign = tmp_path / "foreign.pth"
    torch.save({"state_dict": {"w": torch.zeros(2)}}, foreign)
    with pytest.raises(CheckpointError, match="not a kocr recognizer checkpoint"):
        load_checkpoint(foreign)
    with pytest.raises(CheckpointError, match="missing.pth"):
        Recognizer.from_checkpoint(tmp_path / "missing.pth")


class _Payload:
    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_refuses_a_pickle_that_runs_code(tmp_path):
    marker = tmp_path / "pwned"
    payload = _Payload()
    payload.marker = marker
    evil = tmp_path / "evil.pth"
    torch.save({"format": "kocr-recognizer", "version": 1, "model": payload}, evil)
    with pytest.raises(CheckpointError, match="evil.pth.*refused"):
        load_checkpoint(evil)
    plain = tmp_path / "evil_plain.pkl"
    plain.write_bytes(pickle.dumps(payload))
    with pytest.raises(CheckpointError, match="evil_plain.pkl"):
        load_checkpoint(plain)
    assert not marker.exists()


@pytest.mark.parametrize("prediction", ["CTC", "Attn"])
def test_resume_is_bit_for_bit(tmp_path, prediction):
    straight = _trainer(prediction)
    for i in range(4):
        straight.step(*_batch(i))
    first = _trainer(prediction)
    for i in range(2):
        first.step(*_batch(i))
    path = first.save(tmp_path / "last.pth", full_state=True)
    torch.manual_seed(12345)  # a fresh process would have other RNG state and other initial weights
    resumed = _trainer(prediction, seed=99)
    resumed.resume(load_checkpoint(path))
    assert resumed.iteration == 2
    for i in range(2, 4):
        resumed.step(*_batch(i))
    for (name, a), b in zip(straight.model.state_dict().items(), resumed.model.state_dict().values()):
        assert torch.equal(a, b), name
    assert resumed.scheduler.get_last_lr() == straight.scheduler.get_last_lr()


@pytest.mark.parametrize("prediction", ["CTC", "Attn"])
def test_finetune_across_charsets_keeps_shared_rows(tmp_path, prediction):
    old = _trainer(prediction)
    old.step(*_batch(0))
    path = old.save(tmp_path / "old.pth")
    new_charset = Charset.from_chars("나가xyz다")  # reordered: 3 shared, 3 new, 5 dropped
    new = _trainer(prediction, charset=new_charset, seed=5)
    report = remap_for_charset(load_checkpoint(path), new.model, new_charset)
    assert (report["shared_chars"], report["new_chars"], report["dropped_chars"]) == (3, 3, 5)
    off = 1 if prediction == "CTC" else 2
    w_old = old.model.prediction.generator.weight.detach()
    w_new = new.model.prediction.generator.weight.detach()
    for ch in "가나다":
        assert torch.equal(w_new[new_charset.index[ch] + off], w_old[CHARSET.index[ch] + off])
    assert torch.equal(w_new[:off], w_old[:off])
    assert not torch.equal(w_new[new_charset.index["x"] + off], torch.zeros_like(w_new[0]))
    new.step(torch.zeros(1, 1, 32, 100, dtype=torch.uint8), ["xyz"])  # trains with the new charset
