"""Rewrite the bootstrap cell (the first code cell) of every notebook from tools/bootstrap_cell.py.

    python tools/refresh_bootstrap.py                       # developer tool: run after editing bootstrap_cell.py
    python tools/refresh_bootstrap.py notebooks/NAME.ipynb  # only these notebooks

Each notebook ``NAME.ipynb`` is paired with its percent script ``NAME.py`` (jupytext, configured in
pyproject.toml). A pair is synced first (``jupytext --sync``: the newer file wins, so an edit not yet synced
is not lost), then the cell is rewritten in the ``.ipynb`` (its cell ids kept) and the script written again
from it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from jupytext.cli import jupytext

ROOT = Path(__file__).resolve().parents[1]
BOOTSTRAP = ROOT / "tools" / "bootstrap_cell.py"


def refresh(path: Path, source: str) -> bool:
    """Set the bootstrap cell of ``path`` (an ``.ipynb``) and its script to ``source``; True when it changed."""
    jupytext(["--quiet", "--sync", str(path)])
    nb = nbformat.read(str(path), as_version=4)
    cell = next((c for c in nb.cells if c.cell_type == "code"), None)
    if cell is None or "google.colab" not in cell.source:
        raise SystemExit(f"{path}: the first code cell is not the bootstrap cell")
    if cell.source == source:
        return False
    cell.source = source
    nbformat.write(nb, str(path))
    jupytext(["--quiet", "--to", "py:percent", str(path)])
    return True


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    source = BOOTSTRAP.read_text(encoding="utf-8").rstrip("\n")
    for path in paths:
        if refresh(path, source):
            print("refreshed", path.name)


if __name__ == "__main__":
    main(sys.argv[1:])
