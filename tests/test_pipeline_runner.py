"""The papermill runner: checked parameters, run folders, summaries, failures named by notebook."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from modules.pipeline.parameters import (
    ParameterError,
    check_overrides,
    declared_parameters,
    parse_value,
)
from modules.pipeline.runner import (
    StepFailed,
    prepare_workdir,
    run_pipeline,
    select_steps,
)
from modules.pipeline.step import Prepare, Step


def make_notebook(path: Path, parameters: str, body: str) -> None:
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t"), params,
                                         nbformat.v4.new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    make_notebook(tmp_path / "notebooks" / "a.ipynb",
                  'out: str = "out/a.txt"  # where to write\nn: int = 2  # how many lines',
                  "from pathlib import Path\nPath(out).parent.mkdir(exist_ok=True)\n"
                  "Path(out).write_text('x\\n' * n)\nprint('wrote', n)")
    make_notebook(tmp_path / "notebooks" / "b.ipynb",
                  'src: str = "out/a.txt"  # input\nfail: bool = False  # raise on purpose',
                  "from pathlib import Path\nlines = Path(src).read_text().splitlines()\n"
                  "if fail:\n    raise ValueError(f'asked to fail after {len(lines)} lines')")
    return tmp_path


STEPS = [Step("a", smoke={"n": 1}, outputs=("out",)), Step("b")]


def test_declared_parameters_reads_types_defaults_and_comments(root: Path) -> None:
    params = declared_parameters(root / "notebooks" / "a.ipynb")
    assert list(params) == ["out", "n"]
    assert params["n"].annotation == "int" and params["n"].default == 2 and params["n"].help == "how many lines"


def test_undeclared_or_mistyped_override_is_refused(root: Path) -> None:
    with pytest.raises(ParameterError, match="does not declare parameter\\(s\\) nn"):
        check_overrides(root / "notebooks" / "a.ipynb", {"nn": 3})
    with pytest.raises(ParameterError, match="declared int"):
        check_overrides(root / "notebooks" / "a.ipynb", {"n": "three"})
    with pytest.raises(ValueError, match="no selected notebook declares"):
        run_pipeline(STEPS, "default", root, {"typo": 1})
    assert not (root / "runs").exists()  # refused before anything ran


def test_computed_default_is_refused(tmp_path: Path) -> None:
    make_notebook(tmp_path / "c.ipynb", "import os\nx: str = os.getcwd()  # computed", "")
    with pytest.raises(ParameterError):
        declared_parameters(tmp_path / "c.ipynb")


def test_parse_value() -> None:
    assert parse_value("3") == 3 and parse_value("0.5") == 0.5 and parse_value("True") is True
    assert parse_value("[1, 2]") == [1, 2] and parse_value("data/x") == "data/x"


def test_run_writes_notebooks_log_and_summary(root: Path) -> None:
    run_dir, summary = run_pipeline(STEPS, "smoke", root, {"b.fail": False})
    assert summary["status"] == "ok"
    assert [s["name"] for s in summary["steps"]] == ["a", "b"]
    assert (root / "out" / "a.txt").read_text() == "x\n"  # the smoke override n=1 reached the notebook
    saved = json.loads((run_dir / "summary.json").read_text())
    assert saved["steps"][0]["artifacts"]["out"] == {"path": "out/a.txt", "exists": True}
    assert sorted(p.name for p in run_dir.glob("*.ipynb")) == ["00_a.ipynb", "01_b.ipynb"]
    assert "wrote 1" in (run_dir / "run.log").read_text()


def test_failure_stops_and_names_the_notebook_and_error(root: Path) -> None:
    with pytest.raises(StepFailed, match="step b failed.*ValueError: asked to fail after 2 lines"):
        run_pipeline(STEPS + [Step("a")], "default", root, {"fail": True})
    summary = json.loads(next((root / "runs").glob("*/summary.json")).read_text())
    assert summary["status"] == "failed"
    assert [s["status"] for s in summary["steps"]] == ["ok", "failed"]  # the third step never ran


def test_missing_notebook_is_reported_and_skipped(root: Path) -> None:
    _, summary = run_pipeline([Step("a"), Step("later")], "default", root, {})
    assert [s["status"] for s in summary["steps"]] == ["ok", "missing"]


def test_select_steps_only_and_from() -> None:
    steps = [Prepare("p", "x:y"), Step("a"), Step("b"), Step("c")]
    assert [s.name for s in select_steps(steps, only=["b"])] == ["p", "b"]
    assert [s.name for s in select_steps(steps, start="b")] == ["p", "b", "c"]
    with pytest.raises(ValueError, match="unknown step"):
        select_steps(steps, only=["zz"])


def test_workdir_links_code_but_keeps_data_apart(tmp_path: Path, repo_root: Path) -> None:
    work = prepare_workdir(repo_root, tmp_path / "w")
    assert (work / "modules" / "__init__.py").is_file() and (work / "modules").is_symlink()
    assert (work / "textimagegenerator" / "fonts" / "fonts.json").is_file()
    assert not (work / "data").exists()
