"""Every committed notebook follows the conventions: clean, titled, bootstrapped (the same cell in every
notebook), one literal parameters cell, registered in run_all.py, no function or class of its own (it calls
modules/), and ending with an output check."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

import run_all
from modules.pipeline.parameters import declared_parameters

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
BOOTSTRAP = ROOT / "tools" / "bootstrap_cell.py"  # the cell every notebook starts its code with


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_conventions(path: Path) -> None:
    nb = nbformat.read(str(path), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "commit without outputs"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "first cell is the title"
    assert "Inputs" in first.source and "Outputs" in first.source, "title cell lists inputs and outputs"
    bootstrap = code[0].source
    assert "google.colab" in bootstrap and "os.chdir(root)" in bootstrap, "first code cell is the bootstrap"
    assert "exit(" not in bootstrap and 'startswith("torch")' in bootstrap, "never exits, never reinstalls torch"
    assert bootstrap == BOOTSTRAP.read_text(encoding="utf-8").rstrip("\n"), (
        "the bootstrap cell differs from tools/bootstrap_cell.py: run python tools/refresh_bootstrap.py")
    params = declared_parameters(path)  # raises unless exactly one literal, annotated parameters cell
    assert params, "the parameters cell declares the notebook's inputs and outputs"
    assert all(p.help for p in params.values()), f"uncommented parameters: {[n for n, p in params.items() if not p.help]}"
    assert "parameters" in code[1].metadata.get("tags", []), "the parameters cell follows the bootstrap"
    assert "assert" in code[-1].source, "the last cell checks the step's outputs exist"
    for cell in code:
        assert "sys.path.append" not in cell.source and "sys.path.insert" not in cell.source
        defined = [node.name for node in ast.walk(ast.parse(cell.source))
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        assert not defined, f"notebooks call modules/, they define nothing: move {defined} into modules/"


def test_every_notebook_is_a_pipeline_step() -> None:
    names = {step.name for step in run_all.STEPS}
    assert {p.stem for p in NOTEBOOKS} <= names, "add new notebooks to run_all.STEPS"


@pytest.mark.parametrize("step", [s for s in run_all.STEPS if isinstance(s, run_all.Step)], ids=lambda s: s.name)
def test_profile_overrides_are_declared(step: run_all.Step, repo_root: Path) -> None:
    path = repo_root / "notebooks" / f"{step.name}.ipynb"
    if not path.exists():
        pytest.skip(f"{path.name} not written yet")
    declared = declared_parameters(path)
    for profile in ("smoke", "full"):
        assert set(step.overrides(profile)) <= set(declared), f"{profile} overrides undeclared parameters"
    assert set(step.outputs) <= set(declared), "outputs name declared parameters"
