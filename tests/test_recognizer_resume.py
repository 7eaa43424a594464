"""``resume_or_restart``: a training run in a folder continues from its ``last.pth`` or starts afresh."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.model import build_model
from modules.recognizer.resume import resume_or_restart
from modules.recognizer.train import OptimConfig, Trainer
from modules.text.charset import Charset

CHARSET = Charset.from_chars("가나다ab")


def _trainer(charset: Charset = CHARSET, seed: int = 0) -> Trainer:
    torch.manual_seed(seed)
    config = ModelConfig(num_class=len(charset) + 1, output_channel=32, hidden_size=16, batch_max_length=6)
    return Trainer(build_model(config, charset), charset, Preprocess(), OptimConfig(num_iter=10))


def _batch(i: int) -> tuple[torch.Tensor, list[str]]:
    g = torch.Generator().manual_seed(i)
    return torch.randint(0, 256, (3, 1, 32, 100), dtype=torch.uint8, generator=g), ["가나", "ab", "다a"]


HISTORY = {"train": [[2, 1.5]], "val": [{"iteration": 2, "accuracy": 0.0}], "best_accuracy": 0.0, "best_norm_ed": 0.1}


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    """A folder after two training steps: checkpoints, log and metrics, as ``fit`` leaves them."""
    trainer = _trainer()
    for i in range(2):
        trainer.step(*_batch(i))
    trainer.save(tmp_path / "last.pth", extra={"history": HISTORY}, full_state=True)
    trainer.save(tmp_path / "best_accuracy.pth")
    (tmp_path / "log_train.txt").write_text("[2/10] train loss 1.5\n", encoding="utf-8")
    (tmp_path / "metrics.json").write_text("{}", encoding="utf-8")
    return tmp_path


def test_resume_continues_from_last_with_its_history(run_dir: Path) -> None:
    said: list[str] = []
    trainer = _trainer(seed=1)  # other initial weights: resuming must replace them
    history = resume_or_restart(trainer, run_dir, resume=True, log=said.append)
    assert history == HISTORY and trainer.iteration == 2
    assert said == [f"resuming from {run_dir / 'last.pth'} at iteration 2"]
    saved = torch.load(run_dir / "last.pth", weights_only=True)["model"]
    assert all(torch.equal(v, saved[k]) for k, v in trainer.model.state_dict().items())
    assert trainer.optimizer.state_dict()["state"], "the optimizer state (Adam moments) was restored"
    assert (run_dir / "log_train.txt").exists() and (run_dir / "metrics.json").exists()  # fit appends to them
    trainer.step(*_batch(2))  # and training goes on from there
    assert trainer.iteration == 3


def test_without_resume_the_old_log_and_metrics_go_and_training_starts_at_zero(run_dir: Path) -> None:
    said: list[str] = []
    trainer = _trainer()
    assert resume_or_restart(trainer, run_dir, resume=False, log=said.append) is None
    assert trainer.iteration == 0 and said == []
    assert not (run_dir / "log_train.txt").exists() and not (run_dir / "metrics.json").exists()
    assert (run_dir / "last.pth").exists() and (run_dir / "best_accuracy.pth").exists()  # fit overwrites these


def test_other_ranks_leave_the_files_to_rank_zero(run_dir: Path) -> None:
    assert resume_or_restart(_trainer(), run_dir, resume=False, clear_logs=False) is None
    assert (run_dir / "log_train.txt").exists() and (run_dir / "metrics.json").exists()


def test_resume_in_a_new_folder_starts_afresh(tmp_path: Path) -> None:
    said: list[str] = []
    trainer = _trainer()
    assert resume_or_restart(trainer, tmp_path / "new", resume=True, log=said.append) is None
    assert trainer.iteration == 0 and said == [] and not (tmp_path / "new").exists()
    assert resume_or_restart(trainer, tmp_path / "new", resume=False) is None  # nothing to delete: no error


def test_a_last_checkpoint_without_optimizer_state_trains_afresh(tmp_path: Path) -> None:
    trained = _trainer()
    trained.step(*_batch(0))
    trained.save(tmp_path / "last.pth")  # weights only
    said: list[str] = []
    trainer = _trainer(seed=1)
    assert resume_or_restart(trainer, tmp_path, resume=True, log=said.append) is None
    assert trainer.iteration == 0
    assert said == [f"{tmp_path / 'last.pth'} has no optimizer state to resume from; training this model afresh"]


def test_a_last_checkpoint_of_another_charset_is_refused(run_dir: Path) -> None:
    trainer = _trainer(Charset.from_chars("가나다abc"))
    with pytest.raises(FileExistsError, match="holds another model or charset"):
        resume_or_restart(trainer, run_dir, resume=True)
    assert trainer.iteration == 0 and (run_dir / "log_train.txt").exists()
