"""The detector under torch.distributed (Gloo, CPU): 2 processes train the weights 1 process trains on
the same global batches; only rank 0 writes; a 2-process run resumes in 1 process; a failing rank ends
the run with its error; torchrun runs both command lines."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from dist_workers import detector_worker, launch
from modules.detector.annotations import YoloRecord, write_yolo_file
from modules.detector.checkpoint import load_checkpoint
from modules.detector.config import coco_anchors_normalized
from modules.detector.preprocess import save_json
from modules.distributed import DistContext, ShardedBatchSampler
from modules.imageio import write_image
from modules.pipeline.torchrun_cli import load_params

# AdamW with eps = 1: steps proportional to the gradient (see SMOOTH in test_recognizer_distributed), and
# float64 (see dist_workers.detector_worker).
SMOOTH = {"adam_eps": 1.0}
BOXES = np.array([[10, 20, 70, 40], [30, 60, 50, 110], [80, 90, 120, 104]], dtype=np.int64)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """8 training and 2 validation images of noise, all with the same three boxes: every process then
    holds the same number of positives and loss cells, so the mean over its share weighs each cell as the
    global mean does (with different layouts DDP's average of per-process means is, as everywhere, not
    exactly the global mean of the YOLO loss)."""
    root = tmp_path_factory.mktemp("detdist")
    rng = np.random.default_rng(0)
    records = []
    for i in range(10):
        image = rng.integers(0, 256, (128, 128, 3), dtype=np.uint8)
        for x1, y1, x2, y2 in BOXES:
            image[y1:y2, x1:x2] = rng.integers(0, 60)
        path = root / "images" / f"{i}.png"
        write_image(path, image)
        records.append(YoloRecord(str(path), BOXES.copy(), np.zeros(len(BOXES), dtype=np.int64)))
    write_yolo_file(root / "train.txt", records[:8])
    write_yolo_file(root / "val.txt", records[8:])
    save_json(root / "anchors.json", {"anchors": [list(a) for a in coco_anchors_normalized()]})
    return root


def params(data: Path, name: str, **changes) -> dict:
    base = dict(train_file=str(data / "train.txt"), val_file=str(data / "val.txt"),
                anchors_file=str(data / "anchors.json"), out_root=str(data / "runs"), exp_name=name,
                width_mult=0.25, head_width=8, input_size=128, train_size=128, cache_side=128, epochs=2,
                vertical_repeat=1, batch_size=4, warmup_steps=2, lr=0.05, ema_decay=0.0, time_limit_min=0.0,
                num_threads=1, device="cpu", val_epoch_limit=0, sync_bn=True, augment=False,
                finetune_from="")  # from scratch: the shipped detector has another width
    return load_params(Path("notebooks/yolo_train.ipynb"), None, []) | base | changes


def assert_same_weights(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name, value in a.items():
        assert value.dtype == torch.float64 or not value.dtype.is_floating_point
        torch.testing.assert_close(value, b[name], atol=1e-9, rtol=1e-7, msg=name)


def test_sharded_sampler_covers_each_epoch_once_on_any_world_size():
    one = ShardedBatchSampler(10, 4, DistContext(), seed=3)
    ranks = [ShardedBatchSampler(10, 4, DistContext(rank=r, world_size=2, enabled=True), seed=3) for r in range(2)]
    for epoch in (0, 1):
        for s in (one, *ranks):
            s.set_epoch(epoch)
        whole = list(one)
        assert len(whole) == 2 and all(len(b) == 4 for b in whole)  # 10 // 4 batches, the last 2 dropped
        shares = [list(s) for s in ranks]
        assert [sorted(a + b) for a, b in zip(*shares)] == [sorted(b) for b in whole]
        assert len({i for b in whole for i in b}) == 8  # no sample twice in an epoch
    assert list(one) != (one.set_epoch(0) or list(one))  # a new order each epoch


def test_two_processes_train_the_weights_of_one(data):
    launch(detector_worker, 1, params(data, "one"), None, SMOOTH, True)
    launch(detector_worker, 2, params(data, "two"), None, SMOOTH, True)
    one = load_checkpoint(data / "runs" / "one" / "last.pt")
    two = load_checkpoint(data / "runs" / "two" / "last.pt")
    assert one["epoch"] == two["epoch"] == 2 and one["schedule"]["step"] == two["schedule"]["step"] == 4
    assert_same_weights(one["model"], two["model"])
    history = json.loads((data / "runs" / "two" / "history.json").read_text())
    reference = json.loads((data / "runs" / "one" / "history.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2]
    for row, ref in zip(history, reference):
        assert row["loss"] == pytest.approx(ref["loss"], rel=1e-9)
    metrics = json.loads((data / "runs" / "two" / "metrics.json").read_text())
    assert metrics["world_size"] == 2 and metrics["global_batch"] == 4


def test_a_two_process_run_resumes_in_one_process(data):
    launch(detector_worker, 2, params(data, "cut"), 1, SMOOTH, True)  # stops after epoch 1 of 2
    assert load_checkpoint(data / "runs" / "cut" / "last.pt")["epoch"] == 1
    launch(detector_worker, 1, params(data, "cut", resume=True), None, SMOOTH, True)
    launch(detector_worker, 1, params(data, "whole"), None, SMOOTH, True)
    cut = load_checkpoint(data / "runs" / "cut" / "last.pt")
    whole = load_checkpoint(data / "runs" / "whole" / "last.pt")
    assert cut["epoch"] == 2 and cut["schedule"]["step"] == whole["schedule"]["step"] == 4
    history = json.loads((data / "runs" / "cut" / "history.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2]  # epoch 1 from the 2-process run, 2 from the resume
    assert_same_weights(whole["model"], cut["model"])


def test_a_failing_rank_ends_the_torchrun_run_with_its_error(tmp_path, repo_root):
    """Rank 1 raises before a collective that rank 0 waits in: torchrun stops rank 0 and reports rank
    1's error as the root cause, well before the process group's timeout."""
    script = tmp_path / "fail.py"
    script.write_text(
        "import torch, torch.distributed as dist\n"
        "from modules.distributed import init_distributed\n"
        "context, device = init_distributed('cpu', timeout_min=5)\n"
        "if context.rank == 1:\n"
        "    raise RuntimeError('boom in rank 1')\n"
        "dist.all_reduce(torch.ones(1))\n"
        "print('rank 0 got past the collective')\n", encoding="utf-8")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(repo_root)}
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                           str(script)], cwd=repo_root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "boom in rank 1" in done.stdout + done.stderr
    assert "rank 0 got past the collective" not in done.stdout


@pytest.mark.slow
def test_torchrun_runs_the_command_line_and_rank_0_writes_readable_checkpoints(data, repo_root):
    from modules.detector import Detector

    config = data / "cli.json"
    keep = ("train_file", "val_file", "anchors_file", "out_root", "width_mult", "head_width", "input_size",
            "train_size", "cache_side", "vertical_repeat", "batch_size", "warmup_steps", "ema_decay", "num_threads",
            "device", "val_epoch_limit", "sync_bn", "finetune_from")
    config.write_text(json.dumps({k: v for k, v in params(data, "cli").items() if k in keep}), encoding="utf-8")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                           "-m", "modules.pipeline.train_detector", "--config", str(config), "-p", "epochs=2",
                           "-p", "exp_name=cli", "-p", "time_limit_min=0.0"],
                          cwd=repo_root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "rank 0 of 2" in done.stdout and "batch: 4 global = 2 processes x 2 per process" in done.stdout
    assert done.stdout.count("epoch 2:") == 1  # rank 0 logs, once
    out = data / "runs" / "cli"
    for name in ("best.pt", "last.pt", "history.json", "curves.png", "metrics.json"):
        assert (out / name).exists(), name
    boxes, scores = Detector.from_checkpoint(out / "best.pt").detect([np.zeros((64, 96, 3), np.uint8)])[0]
    assert boxes.shape[1:] == (4,) and len(scores) == len(boxes)
    assert json.loads((out / "metrics.json").read_text())["world_size"] == 2
