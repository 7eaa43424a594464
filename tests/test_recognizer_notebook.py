import json

import pytest

from modules.recognizer.checkpoint import load_checkpoint
from modules.recognizer.synth import write_word_lmdb
from modules.text.charset import Charset


@pytest.mark.slow
def test_05_train_runs_saves_and_resumes(tmp_path, repo_root, font_path):
    papermill = pytest.importorskip("papermill")
    words = ["가나", "다라", "ab", "마바사", "12", "가a"]
    write_word_lmdb(tmp_path / "train" / "generated", words * 3, [font_path])
    write_word_lmdb(tmp_path / "test" / "generated", words, [font_path], seed=7)
    Charset.from_chars("가나다라마바사ab12").write(tmp_path / "charset.txt")
    out = tmp_path / "model"
    params = dict(
        train_root=str(tmp_path / "train"), valid_data=str(tmp_path / "test" / "generated"),
        charset_path=str(tmp_path / "charset.txt"), saved_model_dir=str(out), output_channel=32, hidden_size=16,
        num_iter=6, val_interval=3, batch_size=8, show_samples=4, finetune_from="",
    )
    papermill.execute_notebook(str(repo_root / "notebooks" / "05_train.ipynb"), str(tmp_path / "run1.ipynb"),
                               parameters=params, cwd=str(repo_root), progress_bar=False)
    for name in ("best_accuracy.pth", "best_norm_ED.pth", "last.pth", "log_train.txt", "metrics.json", "curves.png"):
        assert (out / name).exists(), name
    assert load_checkpoint(out / "last.pth").iteration == 6
    log = (out / "log_train.txt").read_text(encoding="utf-8")
    assert "all-blank" in log or "blank symbol" in log
    # a longer run in the same folder resumes at iteration 6 instead of starting over
    papermill.execute_notebook(str(repo_root / "notebooks" / "05_train.ipynb"), str(tmp_path / "run2.ipynb"),
                               parameters={**params, "num_iter": 9}, cwd=str(repo_root), progress_bar=False)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert [row["iteration"] for row in metrics["val"]] == [3, 6, 9]
    assert load_checkpoint(out / "last.pth").iteration == 9
    # another architecture in the same folder stops before anything is written, naming the difference
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(papermill.PapermillExecutionError) as error:
        papermill.execute_notebook(str(repo_root / "notebooks" / "05_train.ipynb"), str(tmp_path / "run3.ipynb"),
                                   parameters={**params, "hidden_size": 24}, cwd=str(repo_root), progress_bar=False)
    assert "holds another model" in str(error.value) and "hidden_size: 16 in the folder, 24 here" in str(error.value)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # unless the user says so: the old model's files go and a fresh model of the new size is trained
    papermill.execute_notebook(str(repo_root / "notebooks" / "05_train.ipynb"), str(tmp_path / "run4.ipynb"),
                               parameters={**params, "hidden_size": 24, "overwrite": True}, cwd=str(repo_root),
                               progress_bar=False)
    last = load_checkpoint(out / "last.pth")
    assert last.iteration == 6 and last.config.hidden_size == 24
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert [row["iteration"] for row in metrics["val"]] == [3, 6]
