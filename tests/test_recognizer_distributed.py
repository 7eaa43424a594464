"""The recognizer under torch.distributed (Gloo, CPU): N processes train the model one process would
train on the same global batches; only rank 0 writes; a 2-process run resumes in 1 process; the
ratio-mixed sampler shares each batch out without repeats or drops; torchrun runs the CLI."""

import json
from collections import Counter
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from dist_workers import launch, recognizer_worker
from modules.recognizer.lmdb_dataset import RatioBatchSampler
from modules.recognizer.checkpoint import load_checkpoint
from modules.recognizer.synth import write_word_lmdb
from modules.pipeline.torchrun_cli import load_params
from modules.text.charset import Charset

WORDS = ["가나", "다라", "ab", "마바사", "12", "가a", "나b1", "사마"]


@pytest.fixture(scope="module")
def data(tmp_path_factory, font_path) -> Path:
    root = tmp_path_factory.mktemp("recdist")
    write_word_lmdb(root / "train" / "generated", WORDS * 2, [font_path])
    write_word_lmdb(root / "train" / "aihub", WORDS, [font_path], seed=5)
    write_word_lmdb(root / "test" / "generated", WORDS[:4], [font_path], seed=7)
    Charset.from_chars("가나다라마바사ab12").write(root / "charset.txt")
    return root


def params(data: Path, out: Path, **changes) -> dict:
    base = dict(
        train_root=str(data / "train"), select_data=["generated", "aihub"], batch_ratio=[0.5, 0.25],
        valid_data=str(data / "test" / "generated"), charset_path=str(data / "charset.txt"),
        saved_model_dir=str(out), output_channel=16, hidden_size=8, img_w=64, batch_size=8,
        num_iter=4, val_interval=2, amp="off", device="cpu", num_threads=1, lr=0.05, sync_bn=True,
        augment=False,  # each process draws its own augmentation: only unaugmented runs can match to the float
        finetune_from="",  # from scratch: the shipped recognizer has other sizes
    )
    return load_params(Path("notebooks/05_train.ipynb"), None, []) | base | changes


# Adam's first steps move every weight by about +-lr whatever its gradient's size, so a weight whose true
# gradient is zero (a convolution bias before batch norm) moves by the sign of float noise, which
# differs between 1 and 2 processes. With eps = 1 the step is proportional to the gradient and the runs
# can be compared at float tolerance.
SMOOTH = {"eps": 1.0}


def weights(path: Path) -> dict[str, torch.Tensor]:
    return load_checkpoint(path).model_state


def assert_same_weights(a: Path, b: Path, atol: float = 2e-4) -> None:
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for name in wa:
        torch.testing.assert_close(wa[name].float(), wb[name].float(), atol=atol, rtol=1e-3, msg=name)


def test_sampler_shards_every_global_batch_exactly_once():
    lengths, sizes = [7, 5], [3, 2]  # a 5-sample global batch over 2 processes: shares of 3 and 2
    whole = RatioBatchSampler(lengths, sizes, seed=3)
    ranks = [iter(RatioBatchSampler(lengths, sizes, seed=3, rank=r, world_size=2)) for r in range(2)]
    seen = {0: [], 1: []}
    for it in range(7):  # 7 batches walk dataset 0 three times (21 = 3 x 7) and dataset 1 2.8 times
        shares = [next(r) for r in ranks]
        assert sorted(shares[0] + shares[1]) == sorted(whole.batch(it))
        assert [len(s) for s in shares] == [3, 2]
        for d, i, _ in shares[0] + shares[1]:
            seen[d].append(i)
    # 21 draws from dataset 0 are 3 whole passes; 14 from dataset 1 are 2 passes and 4 of the third:
    # no sample repeated or dropped within a pass
    assert Counter(seen[0]) == {i: 3 for i in range(7)}
    assert sorted(Counter(seen[1]).values()) == [2] + [3] * 4
    with pytest.raises(ValueError, match="cannot share"):
        RatioBatchSampler(lengths, [1], rank=0, world_size=2)


@pytest.mark.parametrize("prediction,batch_norm", [("CTC", True), ("Attn", False)])
def test_two_processes_train_the_weights_of_one(data, tmp_path, prediction, batch_norm):
    """Same global batches (6 = 4 + 2 from two lmdbs, so the shares hold different mixes), DDP, CTC's
    per-sample and Attn's per-token means weighted by share, batch norm synchronised over the batch
    (DTRB's VGG has two batch norms even without ``batch_norm``)."""
    one, two = tmp_path / "one", tmp_path / "two"
    changes = dict(prediction=prediction, batch_norm=batch_norm)
    launch(recognizer_worker, 1, params(data, one, **changes), None, SMOOTH)
    launch(recognizer_worker, 2, params(data, two, **changes), None, SMOOTH)
    assert load_checkpoint(two / "last.pth").iteration == 4
    assert_same_weights(one / "last.pth", two / "last.pth")
    metrics = json.loads((two / "metrics.json").read_text(encoding="utf-8"))
    assert [row["iteration"] for row in metrics["val"]] == [2, 4]
    log = (two / "log_train.txt").read_text(encoding="utf-8")
    assert log.count("[4/4]") == 1  # one writer: rank 0


def test_without_sync_bn_the_ranks_batch_norm_statistics_differ(data, tmp_path):
    """The control of the test above: with batch norm left per process, 2 processes do not train one's
    weights (so that test's agreement comes from the synchronisation, not from a lenient tolerance)."""
    one, two = tmp_path / "one", tmp_path / "two"
    changes = dict(prediction="CTC", batch_norm=True, sync_bn=False)
    launch(recognizer_worker, 1, params(data, one, **changes), None, SMOOTH)
    launch(recognizer_worker, 2, params(data, two, **changes), None, SMOOTH)
    with pytest.raises(AssertionError):
        assert_same_weights(one / "last.pth", two / "last.pth")


def test_a_two_process_run_resumes_in_one_process(data, tmp_path):
    """2 processes stop after their checkpoint at iteration 2 of a 4-step schedule; 1 process continues
    to 4 and ends where an uninterrupted 1-process run ends."""
    resumed, straight = tmp_path / "resumed", tmp_path / "straight"
    launch(recognizer_worker, 2, params(data, resumed), 2, SMOOTH)
    assert load_checkpoint(resumed / "last.pth").iteration == 2
    launch(recognizer_worker, 1, params(data, resumed, resume=True), None, SMOOTH)
    launch(recognizer_worker, 1, params(data, straight), None, SMOOTH)
    assert load_checkpoint(resumed / "last.pth").iteration == 4
    assert_same_weights(resumed / "last.pth", straight / "last.pth")
    metrics = json.loads((resumed / "metrics.json").read_text(encoding="utf-8"))
    assert [row["iteration"] for row in metrics["val"]] == [2, 4]


@pytest.mark.slow
def test_torchrun_runs_the_command_line_and_rank_0_writes_readable_checkpoints(data, tmp_path, repo_root):
    from modules.recognizer import Recognizer

    out = tmp_path / "cli"
    config = tmp_path / "params.json"
    given = {k: v for k, v in params(data, out).items() if k in ("train_root", "select_data", "batch_ratio",
             "valid_data", "charset_path", "saved_model_dir", "output_channel", "hidden_size", "img_w", "batch_size",
             "num_iter", "val_interval", "amp", "device", "num_threads", "sync_bn", "finetune_from")}
    config.write_text(json.dumps(given, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                           "-m", "modules.pipeline.train_recognizer", "--config", str(config), "-p", "num_iter=4"],
                          cwd=repo_root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "batch: 6 global = 2 processes x 3 per process" in done.stdout
    assert done.stdout.count("[4/4]") == 1  # rank 0 logs, once
    for name in ("best_accuracy.pth", "best_norm_ED.pth", "last.pth", "log_train.txt", "metrics.json", "curves.png"):
        assert (out / name).exists(), name
    readings = Recognizer.from_checkpoint(out / "best_accuracy.pth").recognize([np.full((32, 80), 255, np.uint8)])
    assert len(readings) == 1 and isinstance(readings[0][0], str)
    bad = subprocess.run([sys.executable, "-m", "modules.pipeline.train_recognizer", "--config", str(config),
                          "-p", "batch_sise=4"], cwd=repo_root, env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "batch_sise" in bad.stderr
