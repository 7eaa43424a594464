"""Bad command lines end with one clear line and exit status 2, before any image is read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from modules.export.__main__ import main as export_main
from modules.imageio import write_image
from modules.ocr import OCR
from modules.ocr.__main__ import main
from test_ocr_fakes import FakeDetector, FakeRecognizer, scene


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "a.jpg"
    write_image(path, scene((60, 120), [(10, 10, 100, 40, 40)]))
    return path


def run(argv: list[str]) -> tuple[int, FakeDetector]:
    detector = FakeDetector()
    return main(argv, ocr=OCR(detector, FakeRecognizer())), detector


def test_cuda_asked_for_without_cuda(image: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    code, detector = run([str(image), "--device", "cuda"])
    err = capsys.readouterr().err
    assert code == 2 and detector.calls == []
    assert err == (f"error: --device: device 'cuda' asked for, but CUDA is not available on this machine "
                   f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'none'}): "
                   "use device 'auto' or 'cpu'\n")


@pytest.mark.parametrize("batch_size", ["0", "-3"])
def test_batch_size_must_be_positive(image: Path, capsys, batch_size: str) -> None:
    code, detector = run([str(image), "--batch-size", batch_size])
    assert code == 2 and detector.calls == []
    assert capsys.readouterr().err == f"error: --batch-size must be a positive number of crops, got {batch_size}\n"


def test_unwritable_json_is_refused_before_any_work(image: Path, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "report.txt"
    blocker.write_text("a file where a folder would have to be", encoding="utf-8")
    out = blocker / "sub" / "res.json"
    code, detector = run([str(image), "--json", str(out)])
    assert code == 2 and detector.calls == []
    assert capsys.readouterr().err == f"error: cannot write --json {out}: {blocker} is a file, not a folder\n"
    folder = tmp_path / "a_folder"
    folder.mkdir()
    code, detector = run([str(image), "--json", str(folder)])
    assert code == 2 and detector.calls == []
    assert capsys.readouterr().err == f"error: cannot write --json {folder}: is a folder\n"


def test_unwritable_draw_is_refused_before_any_work(image: Path, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "drawn"
    blocker.write_bytes(b"")
    json_out = tmp_path / "res.json"
    code, detector = run([str(image), "--json", str(json_out), "--draw", str(blocker)])
    assert code == 2 and detector.calls == [] and not json_out.exists()
    assert capsys.readouterr().err == f"error: cannot write --draw {blocker}: is a file, not a folder\n"
    # a writable pair runs, and the check leaves no probe file behind
    good = tmp_path / "new" / "drawn"
    code, detector = run([str(image), "--json", str(json_out), "--draw", str(good)])
    assert code == 0 and detector.calls == [1] and json_out.exists()
    assert [p.name for p in good.iterdir()] == ["a.jpg"]


def test_command_line_prints_no_traceback(image: Path, repo_root: Path) -> None:
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": str(repo_root)}
    done = subprocess.run([sys.executable, "-m", "modules.ocr", str(image), "--device", "cuda:0"],
                          cwd=repo_root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("error: --device: device 'cuda:0' asked for, but CUDA is not available")
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_export_names_a_missing_or_corrupt_checkpoint(tmp_path: Path, capsys) -> None:
    out = tmp_path / "exported"
    missing = tmp_path / "missing.pth"
    assert export_main(["--recognizer", str(missing), "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: {missing}: no such checkpoint file\n"
    corrupt = tmp_path / "det.pt"
    corrupt.write_bytes(b"PK\x03\x04 not a checkpoint")
    assert export_main(["--detector", str(corrupt), "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {corrupt}: corrupt or unsafe checkpoint (")
    truncated = tmp_path / "rec.pth"
    truncated.write_bytes(b"\x80\x02}q\x00")
    assert export_main(["--recognizer", str(truncated), "--detector", str(corrupt), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {truncated}: not a readable checkpoint (corrupt or truncated?)")
    assert err.count("\n") == 1
    assert not out.exists()
