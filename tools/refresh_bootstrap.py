"""Rewrite the bootstrap cell (the first code cell) of every notebook from tools/bootstrap_cell.py.

    python tools/refresh_bootstrap.py      # developer tool: run after editing bootstrap_cell.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    source = (ROOT / "tools" / "bootstrap_cell.py").read_text(encoding="utf-8").rstrip("\n")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        cell = next(c for c in nb.cells if c.cell_type == "code")
        if "google.colab" not in cell.source:
            raise SystemExit(f"{path.name}: first code cell is not the bootstrap cell")
        if cell.source != source:
            cell.source = source
            nbformat.write(nb, str(path))
            print("refreshed", path.name)


if __name__ == "__main__":
    main()
