"""tools/refresh_bootstrap.py: rewrites the bootstrap cell in a notebook and its paired script, keeping the
notebook's cell ids and every other cell."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat

STALE = 'import sys  # google.colab: an old bootstrap\nprint("old")'


def test_refresh_rewrites_both_files_and_keeps_cell_ids(tmp_path: Path, repo_root: Path) -> None:
    shutil.copy(repo_root / "pyproject.toml", tmp_path / "pyproject.toml")  # the pairing configuration
    notebook = tmp_path / "notebooks" / "a.ipynb"
    notebook.parent.mkdir()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# a\ntitle"),
        nbformat.v4.new_code_cell(STALE),
        nbformat.v4.new_code_cell("x: int = 1  # a parameter", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print(x)"),
    ])
    nbformat.write(nb, str(notebook))
    subprocess.run([sys.executable, "-m", "jupytext", "--quiet", "--sync", str(notebook)], check=True)
    ids = [c.id for c in nbformat.read(str(notebook), as_version=4).cells]

    done = subprocess.run([sys.executable, str(repo_root / "tools" / "refresh_bootstrap.py"), str(notebook)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "refreshed a.ipynb"
    bootstrap = (repo_root / "tools" / "bootstrap_cell.py").read_text(encoding="utf-8").rstrip("\n")
    after = nbformat.read(str(notebook), as_version=4)
    script = jupytext.read(notebook.with_suffix(".py"), fmt="py:percent")
    for cells in (after.cells, script.cells):
        assert [c.source for c in cells] == ["# a\ntitle", bootstrap, "x: int = 1  # a parameter", "print(x)"]
        assert cells[2].metadata["tags"] == ["parameters"]
    assert [c.id for c in after.cells] == ids
    again = subprocess.run([sys.executable, str(repo_root / "tools" / "refresh_bootstrap.py"), str(notebook)],
                           capture_output=True, text=True, check=True)
    assert again.stdout == ""  # nothing left to change
