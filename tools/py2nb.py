"""Build a clean ``.ipynb`` from a percent-format script (developer tool, not used at run time).

    python tools/py2nb.py SRC.py notebooks/NAME.ipynb     # script -> notebook
    python tools/py2nb.py --reverse notebooks/NAME.ipynb SRC.py   # notebook -> script, to edit

Cells start with ``# %%`` (code), ``# %% [markdown]`` (markdown, every line written as ``# text``)
or ``# %% tags=["parameters"]`` (the papermill parameters cell). The line ``# %% bootstrap`` inserts
the standard Colab bootstrap cell from ``tools/bootstrap_cell.py``. The notebook is written with no
outputs and no execution counts; rewriting an existing notebook keeps its cell ids.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat

BOOTSTRAP = Path(__file__).with_name("bootstrap_cell.py")


def script_to_notebook(text: str) -> nbformat.NotebookNode:
    """Split a percent script into notebook cells."""
    cells = []
    kind, tags, lines = None, [], []

    def flush() -> None:
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(l[2:] if l.startswith("# ") else l.lstrip("#") for l in body.split("\n"))
            cells.append(nbformat.v4.new_markdown_cell(body))
        else:
            cell = nbformat.v4.new_code_cell(body)
            if tags:
                cell.metadata["tags"] = tags
            cells.append(cell)

    for line in text.split("\n"):
        if line.startswith("# %%"):
            flush()
            head = line[4:].strip()
            tags, lines = [], []
            if head.startswith("[markdown]"):
                kind = "markdown"
            elif head == "bootstrap":
                kind = "code"
                lines = BOOTSTRAP.read_text(encoding="utf-8").rstrip("\n").split("\n")
            else:
                kind = "code"
                if head.startswith("tags="):
                    tags = json.loads(head[len("tags="):])
            continue
        lines.append(line)
    flush()
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def notebook_to_script(nb: nbformat.NotebookNode) -> str:
    """The inverse of ``script_to_notebook`` (the bootstrap cell is written out in full)."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append("# %% [markdown]\n" + "\n".join("# " + l for l in cell.source.split("\n")))
        else:
            tags = cell.metadata.get("tags", [])
            head = f"# %% tags={json.dumps(tags)}" if tags else "# %%"
            parts.append(head + "\n" + cell.source)
    return "\n\n".join(parts) + "\n"


def keep_cell_ids(nb: nbformat.NotebookNode, old: nbformat.NotebookNode) -> None:
    """Give ``nb``'s cells the ids of ``old``'s cells at the same positions (when of the same type), so that
    rewriting a notebook after an edit changes only the edited cells in ``git diff``."""
    for cell, previous in zip(nb.cells, old.cells):
        if cell.cell_type == previous.cell_type and "id" in previous:
            cell.id = previous.id


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--reverse":
        src, dst = argv[1:3]
        Path(dst).write_text(notebook_to_script(nbformat.read(src, as_version=4)), encoding="utf-8")
    else:
        src, dst = argv[0:2]
        nb = script_to_notebook(Path(src).read_text(encoding="utf-8"))
        if Path(dst).exists():
            keep_cell_ids(nb, nbformat.read(dst, as_version=4))
        nbformat.write(nb, dst)


if __name__ == "__main__":
    main(sys.argv[1:])
