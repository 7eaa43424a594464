"""Each notebook ``notebooks/NAME.ipynb`` and its paired percent script ``notebooks/NAME.py`` (jupytext,
configured in pyproject.toml) hold the same cells: types, sources and the papermill ``parameters`` tag."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.config import load_jupytext_config

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
SYNC = "jupytext --sync notebooks/*.ipynb"


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source, list(c.get("metadata", {}).get("tags", []))) for c in nb.cells]


def test_pairing_is_configured() -> None:
    config = load_jupytext_config(str(NOTEBOOK_DIR))
    assert config is not None, "pyproject.toml has no [tool.jupytext] section"
    for path in NOTEBOOKS:
        assert config.default_formats(str(path)) == "ipynb,py:percent", f"{path.name} is not paired"


def test_every_notebook_has_its_script_and_every_script_its_notebook() -> None:
    scripts = {p.stem for p in NOTEBOOK_DIR.glob("*.py")}
    assert {p.stem for p in NOTEBOOKS} == scripts, f"unpaired files in notebooks/: run {SYNC}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_and_script_hold_the_same_cells(path: Path) -> None:
    script = path.with_suffix(".py")
    if not script.exists():
        pytest.fail(f"{script.name} is missing: run {SYNC}")
    in_notebook = _cells(nbformat.read(str(path), as_version=4))
    in_script = _cells(jupytext.read(script, fmt="py:percent"))
    for i, (a, b) in enumerate(zip(in_notebook, in_script)):
        assert a == b, f"cell {i} differs between {path.name} and {script.name}: run {SYNC}\n{a}\n{b}"
    assert len(in_notebook) == len(in_script), (
        f"{path.name} has {len(in_notebook)} cells, {script.name} {len(in_script)}: run {SYNC}")
