"""The whole pipeline, smoke profile, in an isolated working root: every step runs and leaves its outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import run_all


@pytest.mark.slow
def test_smoke_chain_runs_every_step(tmp_path: Path, repo_root: Path) -> None:
    work = tmp_path / "work"
    proc = subprocess.run(
        [sys.executable, str(repo_root / "run_all.py"), "--profile", "smoke", "--workdir", str(work)],
        capture_output=True, text=True, timeout=900,
    )
    summaries = list((work / "runs").glob("*/summary.json"))
    assert proc.returncode == 0, f"run_all failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert len(summaries) == 1
    summary = json.loads(summaries[0].read_text(encoding="utf-8"))
    assert summary["status"] == "ok" and summary["profile"] == "smoke"
    assert [s["name"] for s in summary["steps"]] == [s.name for s in run_all.STEPS]
    statuses = {s["name"]: s["status"] for s in summary["steps"]}
    assert all(v == "ok" for v in statuses.values()), statuses
    for step in summary["steps"]:
        for name, artifact in step["artifacts"].items():
            assert artifact["exists"], f"{step['name']}: artifact {name} ({artifact['path']}) was not written"
        if step["notebook"]:
            assert Path(step["notebook"]).exists()
    assert not (repo_root / "runs" / summaries[0].parent.name).exists(), "the run stayed in its workdir"
