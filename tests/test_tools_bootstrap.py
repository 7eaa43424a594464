"""The Colab bootstrap cell: installs only what the notebooks import, never torch; can clone onto Drive."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import pytest


def _run_cell(repo_root: Path, monkeypatch: pytest.MonkeyPatch, cwd: Path) -> list[list[str]]:
    calls: list[list[str]] = []

    def fake_run(command: list[str], check: bool = False) -> subprocess.CompletedProcess:
        calls.append(list(command))
        if command[:2] == ["git", "clone"]:  # a clone: copy the bits the cell reads
            target = Path(command[-1])
            (target / "modules").mkdir(parents=True)
            (target / "modules" / "__init__.py").write_text("")
            (target / "requirements.txt").write_text((repo_root / "requirements.txt").read_text())
        return subprocess.CompletedProcess(command, 0)

    colab = types.ModuleType("google.colab")
    mounted: list[str] = []
    colab.drive = types.SimpleNamespace(mount=mounted.append)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.chdir(cwd)
    source = (repo_root / "tools" / "bootstrap_cell.py").read_text(encoding="utf-8")
    exec(compile(source, "bootstrap_cell.py", "exec"), {"__name__": "__main__"})
    return calls + [["mounted", *mounted]]


def test_colab_installs_only_what_notebooks_import(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _run_cell(repo_root, monkeypatch, repo_root / "notebooks")
    pip = [c for c in calls if c[1:4] == ["-m", "pip", "install"]]
    assert len(pip) == 1
    wanted = [w.split(">=")[0].split("==")[0] for w in pip[0][5:]]
    assert wanted == ["numpy", "opencv-python-headless", "Pillow", "lmdb", "tqdm", "matplotlib", "openpyxl",
                      "fonttools", "rapidfuzz", "pandas", "ipywidgets"]
    assert Path.cwd() == repo_root and calls[-1] == ["mounted"]  # found the repository, no clone, no Drive


def test_colab_clones_into_kocr_dir(repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOCR_REPO_URL", "https://example.invalid/kocr.git")
    monkeypatch.setenv("KOCR_DIR", str(tmp_path / "kocr"))
    calls = _run_cell(repo_root, monkeypatch, tmp_path)
    assert calls[0] == ["git", "clone", "--depth", "1", "https://example.invalid/kocr.git", str(tmp_path / "kocr")]
    assert Path.cwd() == tmp_path / "kocr" and calls[-1] == ["mounted"]


def test_a_kocr_dir_on_google_drive_mounts_drive_before_cloning(repo_root: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOCR_REPO_URL", "https://example.invalid/kocr.git")
    monkeypatch.setenv("KOCR_DIR", "/content/drive/MyDrive/kocr")
    order: list[str] = []

    class Stop(Exception):
        pass

    def no_clone(command: list[str], check: bool = False) -> None:
        order.append(" ".join(command))
        raise Stop  # never write under /content on this machine

    colab = types.ModuleType("google.colab")
    colab.drive = types.SimpleNamespace(mount=lambda path: order.append(f"mount {path}"))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setattr(subprocess, "run", no_clone)
    monkeypatch.chdir(tmp_path)
    source = (repo_root / "tools" / "bootstrap_cell.py").read_text(encoding="utf-8")
    with pytest.raises(Stop):
        exec(compile(source, "bootstrap_cell.py", "exec"), {"__name__": "__main__"})
    assert order == ["mount /content/drive",
                     "git clone --depth 1 https://example.invalid/kocr.git /content/drive/MyDrive/kocr"]
