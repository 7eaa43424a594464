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
    effective_parameters,
    prepare_workdir,
    provided_paths,
    readers_of,
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
    assert saved["steps"][0]["parameters"] == {"n": 1}  # the overrides; settings: every parameter it saw
    assert saved["steps"][0]["settings"] == {"out": "out/a.txt", "n": 1}
    assert saved["hardware"]["cpu_count"] >= 1 and "commit" in saved["code"]
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


def test_readers_of_finds_parameters_that_read_the_given_paths() -> None:
    paths = ["data/train_label", "data/textocr", "data/textinthewild/info.json"]
    parameters = {
        "01": {"train_label_dir": "./data/train_label/", "data_root": "data", "train_gt": "data/gt_train.txt",
               "wild": "", "n": 3},
        "crnn": {"train_json": "data/textocr/TextOCR_0.1_train.json", "image_root": "/mine/textocr"},
        "yolo": {"jsons": ["/mine/a.json", "data/textinthewild/info.json"], "label": "data/train_label2"},
    }
    assert readers_of(paths, parameters) == ["01.train_label_dir", "crnn.train_json", "yolo.jsons"]
    assert readers_of(paths, {"01": {"train_label_dir": "/mine/labels", "data_root": "data"}}) == []
    assert readers_of([], parameters) == []


def test_run_all_builds_sample_data_only_when_a_step_reads_it(repo_root: Path) -> None:
    """run_all's default steps read the sample sets; pointed at the user's data, none does."""
    import run_all

    prepare = next(s for s in run_all.STEPS if isinstance(s, Prepare))
    steps = [s for s in run_all.STEPS if isinstance(s, Step)]
    paths = provided_paths(prepare)
    defaults = {s.name: effective_parameters(s, {}, repo_root) for s in steps}
    readers = readers_of(paths, defaults)
    assert readers == [
        "00_remove_hangul_filenames.train_image_dir", "00_remove_hangul_filenames.train_label_dir",
        "00_remove_hangul_filenames.test_image_dir", "00_remove_hangul_filenames.test_label_dir",
        "01_make_gtdata.train_label_dir", "01_make_gtdata.train_image_dir", "01_make_gtdata.test_label_dir",
        "01_make_gtdata.test_image_dir", "01_make_gtdata.textinthewild_json", "01_make_gtdata.textinthewild_root",
        "crnn_preprocess.train_json", "crnn_preprocess.val_json", "crnn_preprocess.image_root",
        "yolo_preprocess.aihub_train_label", "yolo_preprocess.aihub_train_image", "yolo_preprocess.aihub_val_label",
        "yolo_preprocess.aihub_val_image", "yolo_preprocess.textinthewild_json", "yolo_preprocess.textinthewild_root",
        "yolo_preprocess.textocr_train_json", "yolo_preprocess.textocr_val_json", "yolo_preprocess.textocr_image_root",
        "yolocrnn_demo.sample_image_dir", "yolocrnn_demo.eval_label_dir", "yolocrnn_demo.eval_image_dir",
        "yolocrnn_demo.textocr_json", "yolocrnn_demo.textocr_image_root", "yolocrnn_demo.ood_label_dir",
        "yolocrnn_demo.ood_image_dir",
    ]
    mine = {s.name: effective_parameters(s, {}, repo_root) for s in steps}
    for name in readers:
        step, _, parameter = name.partition(".")
        mine[step][parameter] = f"/home/me/aihub/{parameter}"
    assert readers_of(paths, mine) == []
    mine["crnn_preprocess"]["image_root"] = "data/textocr"  # one input left on the sample set
    assert readers_of(paths, mine) == ["crnn_preprocess.image_root"]


def test_a_prepare_step_runs_only_when_a_notebook_reads_what_it_provides(root: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fakeprep.py").write_text(
        "from pathlib import Path\n"
        "def make(profile, data_root):\n"
        "    Path(data_root).mkdir(exist_ok=True)\n"
        "    Path(data_root, 'made.txt').write_text(profile)\n"
        "    return paths(data_root)\n"
        "def paths(data_root):\n"
        "    return {'input': f'{data_root}/in.txt'}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(root)
    make_notebook(root / "notebooks" / "c.ipynb", 'src: str = "sample/in.txt"  # input', "print(src)")
    steps = [Prepare("used", "fakeprep:make", {"data_root": "sample"}, provides="fakeprep:paths"),
             Prepare("unused", "fakeprep:make", {"data_root": "other"}, provides="fakeprep:paths"), Step("c")]
    _, summary = run_pipeline(steps, "smoke", root, {})
    assert [(s["name"], s["status"]) for s in summary["steps"]] == [("used", "ok"), ("unused", "skipped"),
                                                                      ("c", "ok")]
    assert (root / "sample" / "made.txt").read_text() == "smoke" and not (root / "other").exists()
    assert "no selected notebook reads its data" in summary["steps"][1]["error"]
    assert summary["steps"][0]["artifacts"] == {"input": {"path": "sample/in.txt", "exists": False}}
    assert summary["steps"][0]["notebook"] is None and summary["steps"][0]["seconds"] >= 0


def test_select_until_and_from_until() -> None:
    steps = [Prepare("p", "x:y"), Step("a"), Step("b"), Step("c")]
    assert [s.name for s in select_steps(steps, until="b")] == ["p", "a", "b"]
    assert [s.name for s in select_steps(steps, start="b", until="c")] == ["p", "b", "c"]
    with pytest.raises(ValueError, match="comes after"):
        select_steps(steps, start="c", until="a")
    with pytest.raises(ValueError, match="unknown step"):
        select_steps(steps, until="zz")
