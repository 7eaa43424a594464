"""Checkpoints of the latest run_all.py run, from runs/*/summary.json."""

from __future__ import annotations

import json
import os

from modules.ocr.latest_run import find_latest_checkpoints


def _summary(root, run_id, steps, mtime):
    path = root / "runs" / run_id / "summary.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"steps": steps}), encoding="utf-8")
    os.utime(path, (mtime, mtime))


def _step(name, path, status="ok"):
    return {"name": name, "status": status, "seconds": 1.0, "artifacts": {"out": {"path": path, "exists": True}}}


def test_newest_run_wins_and_missing_kind_falls_back(tmp_path):
    for d in ("saved_models/old", "saved_models/new", "saved_models/yolo/old"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "saved_models/old/best_accuracy.pth").write_bytes(b"x")
    (tmp_path / "saved_models/new/last.pth").write_bytes(b"x")
    (tmp_path / "saved_models/new/best_accuracy.pth").write_bytes(b"x")
    (tmp_path / "saved_models/yolo/old/best.pt").write_bytes(b"x")
    _summary(tmp_path, "20260101-old", [_step("05_train", "saved_models/old"),
                                        _step("yolo_train", "saved_models/yolo/old")], 1000)
    _summary(tmp_path, "20260102-new", [_step("05_train", "saved_models/new"),
                                        _step("yolo_train", "saved_models/yolo/missing")], 2000)
    _summary(tmp_path, "20260103-failed", [_step("05_train", "saved_models/old", status="failed")], 3000)
    (tmp_path / "runs" / "broken").mkdir()
    (tmp_path / "runs" / "broken" / "summary.json").write_text("{not json", encoding="utf-8")

    found = find_latest_checkpoints("runs", root=tmp_path)
    assert found["recognizer"].path == tmp_path / "saved_models/new/best_accuracy.pth"
    assert found["recognizer"].run == "20260102-new" and found["recognizer"].step == "05_train"
    assert found["detector"].path == tmp_path / "saved_models/yolo/old/best.pt"
    assert found["detector"].run == "20260101-old"


def test_no_runs_gives_none(tmp_path):
    assert find_latest_checkpoints("runs", root=tmp_path) == {"detector": None, "recognizer": None}


def test_only_recorded_paths_count_never_a_stray_newer_file(tmp_path):
    for name, mtime in (("a/best_accuracy.pth", 100), ("b/best_accuracy.pth", 200), ("yolo/y/best.pt", 50)):
        path = tmp_path / "saved_models" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        os.utime(path, (mtime, mtime))
    assert find_latest_checkpoints("runs", root=tmp_path) == {"detector": None, "recognizer": None}
    _summary(tmp_path, "r1", [_step("05_train", "saved_models/a")], 10)
    found = find_latest_checkpoints("runs", root=tmp_path)
    assert found["recognizer"].path == tmp_path / "saved_models/a/best_accuracy.pth"  # not the newer b/
    assert found["detector"] is None


def test_out_root_artifact_means_the_steps_own_experiment(tmp_path):
    for name, mtime in (("saved_models/yolo/mine/best.pt", 10), ("saved_models/yolo/mine/last.pt", 30),
                        ("saved_models/yolo/stray/best.pt", 50)):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        os.utime(path, (mtime, mtime))
    step = {"name": "yolo_train", "status": "ok", "artifacts": {"out_root": {"path": "saved_models/yolo"}},
            "settings": {"out_root": "saved_models/yolo", "exp_name": "mine"}}
    _summary(tmp_path, "r1", [step], 100)
    found = find_latest_checkpoints("runs", root=tmp_path)
    assert found["detector"].path == tmp_path / "saved_models/yolo/mine/best.pt" and found["detector"].run == "r1"
    step["settings"]["exp_name"] = "gone"
    (tmp_path / "runs/r1/summary.json").write_text(json.dumps({"steps": [step]}), encoding="utf-8")
    assert find_latest_checkpoints("runs", root=tmp_path)["detector"] is None
