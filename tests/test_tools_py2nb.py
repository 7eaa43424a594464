"""tools/py2nb.py: a rewritten notebook keeps the cell ids of the one it replaces."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from py2nb import main, notebook_to_script  # noqa: E402

SCRIPT = '# %% [markdown]\n# # title\n\n# %% tags=["parameters"]\nx: int = 1\n\n# %%\nprint(x)\n'


def test_rewrite_keeps_cell_ids_and_only_the_edit_changes(tmp_path: Path) -> None:
    src, dst = tmp_path / "a.py", tmp_path / "a.ipynb"
    src.write_text(SCRIPT, encoding="utf-8")
    main([str(src), str(dst)])
    first = nbformat.read(dst, as_version=4)
    src.write_text(SCRIPT.replace("x: int = 1", "x: int = 2") + "\n# %% [markdown]\n# new\n", encoding="utf-8")
    main([str(src), str(dst)])
    second = nbformat.read(dst, as_version=4)
    assert [c.id for c in second.cells[:3]] == [c.id for c in first.cells]
    assert second.cells[1].source == "x: int = 2" and second.cells[1].metadata["tags"] == ["parameters"]
    assert len(second.cells) == 4 and second.cells[3].id not in {c.id for c in first.cells}
    assert notebook_to_script(second).startswith(SCRIPT.replace("x: int = 1", "x: int = 2").rstrip("\n"))
