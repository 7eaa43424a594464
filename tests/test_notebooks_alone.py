"""Every notebook runs on its own in a fresh working root (a fresh clone): the data-preparation notebooks make
the sample data they default to, the others stop with a message naming the notebook to run first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modules.data.problems import COLUMNS, read_problems_csv
from modules.pipeline.parameters import declared_parameters
from modules.pipeline.runner import prepare_workdir

SMOKE = {"sample_profile": "smoke", "workers": 1, "show_samples": 2, "show_rows": 2}


def _run(repo_root: Path, work: Path, name: str) -> None:
    import papermill

    root = prepare_workdir(repo_root, work)
    notebook = root / "notebooks" / f"{name}.ipynb"
    declared = declared_parameters(notebook)
    papermill.execute_notebook(str(notebook), str(work / f"{name}.out.ipynb"),
                               parameters={k: v for k, v in SMOKE.items() if k in declared}, cwd=str(root),
                               kernel_name="python3", progress_bar=False)


@pytest.mark.slow
@pytest.mark.parametrize("name, outputs", [
    ("00_remove_hangul_filenames", []),
    ("01_make_gtdata", ["data/gt_train.txt", "data/gt_test.txt", "data/gt_problems.csv", "data/gt_counts.csv"]),
    ("crnn_preprocess", ["data/gt_textocr_train.txt", "data/gt_textocr_test.txt", "data/gt_textocr_problems.csv"]),
    ("yolo_preprocess", ["data/yolo/train.txt", "data/yolo/val.txt", "data/yolo/anchors.json",
                         "data/yolo/problems.csv", "data/yolo/counts.csv"]),
])
def test_a_data_notebook_alone_makes_its_sample_data(name: str, outputs: list[str], tmp_path: Path,
                                                     repo_root: Path) -> None:
    work = tmp_path / "fresh"
    _run(repo_root, work, name)
    manifest = json.loads((work / "data" / ".kocr_sample_datasets.json").read_text(encoding="utf-8"))
    assert all(record["complete"] for record in manifest.values())
    assert manifest["aihub"]["counts"] == {"train": 20, "test": 8}  # the smoke sizes asked for
    for output in outputs:
        assert (work / output).exists(), f"{name}: {output} was not written"
    for output in (o for o in outputs if o.endswith("problems.csv")):
        problems = read_problems_csv(work / output)
        assert tuple(problems.columns) == COLUMNS and set(problems["split"]) <= {"train", "test", "val"}
        if name != "crnn_preprocess":  # the smoke TextOCR set has no dirty record; the AIHub one has some
            assert len(problems) > 0
        assert (problems["file"] != "").all() and (problems["reason"] != "").all()


@pytest.mark.slow
@pytest.mark.parametrize("name, first", [
    ("03_create_lmdb", "run 01_make_gtdata first"),
    ("04_extract_charset", "run 03_create_lmdb first"),
    ("05_train", "Run 04_extract_charset, then 03_create_lmdb first"),
    ("yolo_train", "Run yolo_preprocess first"),
])
def test_a_notebook_without_its_inputs_names_the_one_to_run_first(name: str, first: str, tmp_path: Path,
                                                                  repo_root: Path) -> None:
    import papermill

    work = tmp_path / "fresh"
    with pytest.raises(papermill.PapermillExecutionError) as error:
        _run(repo_root, work, name)
    assert error.value.ename in ("RuntimeError", "FileNotFoundError") and first in error.value.evalue
    assert not (work / "data_lmdb" / "charset.txt").exists()


@pytest.mark.slow
def test_the_demo_alone_reads_its_sample_scenes_with_the_shipped_models(tmp_path: Path, repo_root: Path) -> None:
    work = tmp_path / "fresh"
    _run(repo_root, work, "yolocrnn_demo")
    report = json.loads((work / "results" / "demo" / "eval.json").read_text(encoding="utf-8"))
    assert report["images"] == 8 and all("shipped" in source for source in report["models"].values())
    assert report["end_to_end"]["hmean"] > 0.3  # the shipped models read the smoke test scenes
    assert (work / "results" / "demo" / "eval_summary.csv").exists()


@pytest.mark.slow
def test_the_generator_notebook_alone_needs_only_the_shipped_fonts_and_corpus(tmp_path: Path, repo_root: Path) -> None:
    import papermill

    work = tmp_path / "fresh"
    root = prepare_workdir(repo_root, work)
    notebook = root / "notebooks" / "02_generate_text_images.ipynb"
    papermill.execute_notebook(str(notebook), str(work / "02.out.ipynb"), cwd=str(root), kernel_name="python3",
                               progress_bar=False, parameters={"train_count": 40, "test_count": 10, "ood_count": 10,
                                                               "workers": 1, "show_samples": 4})
    for split, count in (("train", 40), ("test", 10), ("ood", 10)):
        gt = work / "textimagegenerator" / "data" / f"gt_{split}.txt"
        assert len(gt.read_text(encoding="utf-8").splitlines()) == count
    assert not (work / "data" / ".kocr_sample_datasets.json").exists()  # no sample scenes were needed
