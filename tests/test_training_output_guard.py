"""Training never writes over another model: the recognizer's and the detector's output-folder checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from modules.detector import DetectorConfig
from modules.detector.checkpoint import save_checkpoint as save_detector
from modules.detector.model import YoloDetector
from modules.detector.output_guard import check_detector_dir
from modules.output_guard import OutputDirError
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.model import build_model
from modules.recognizer.output_guard import check_saved_model_dir
from modules.recognizer.train import OptimConfig, Trainer
from modules.text.charset import Charset

CHARSET = Charset.from_chars("가나ab")
PRE = Preprocess()
REFUSAL_END = ("Nothing was written. Choose another saved_model_dir to keep that model, or set overwrite=True to "
               "delete it and train here.")


def rec_config(charset: Charset = CHARSET, hidden_size: int = 16) -> ModelConfig:
    return ModelConfig(num_class=len(charset) + 1, output_channel=32, hidden_size=hidden_size, batch_max_length=6,
                       jamo_head=False)


@pytest.fixture
def rec_dir(tmp_path: Path) -> Path:
    """A saved_model_dir after a short run: best_accuracy.pth, last.pth (resumable), log and metrics."""
    out = tmp_path / "saved_models" / "exp"
    torch.manual_seed(0)
    trainer = Trainer(build_model(rec_config()), CHARSET, PRE, OptimConfig(num_iter=2))
    trainer.save(out / "best_accuracy.pth")
    trainer.save(out / "last.pth", full_state=True)
    (out / "log_train.txt").write_text("[2/2] ...\n", encoding="utf-8")
    (out / "metrics.json").write_text("{}", encoding="utf-8")
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_new_folder_and_the_same_model_pass(tmp_path: Path, rec_dir: Path) -> None:
    assert check_saved_model_dir(tmp_path / "absent", rec_config(), CHARSET, PRE) == "new"
    before = snapshot(rec_dir)
    assert check_saved_model_dir(rec_dir, rec_config(), CHARSET, PRE) == "same"  # resume / retrain it
    assert snapshot(rec_dir) == before


def test_another_architecture_is_refused_naming_folder_files_and_difference(rec_dir: Path) -> None:
    before = snapshot(rec_dir)
    with pytest.raises(OutputDirError) as error:
        check_saved_model_dir(rec_dir, rec_config(hidden_size=32), CHARSET, PRE)
    assert str(error.value) == (
        f"{rec_dir} holds another model, so this run would overwrite it:\n"
        "  best_accuracy.pth, last.pth: model config differs (hidden_size: 16 in the folder, 32 here)\n"
        + REFUSAL_END)
    assert snapshot(rec_dir) == before


def test_another_charset_is_refused(rec_dir: Path) -> None:
    bigger = Charset.from_chars("가나abc")
    with pytest.raises(OutputDirError) as error:
        check_saved_model_dir(rec_dir, rec_config(bigger), bigger, PRE)
    assert ("  best_accuracy.pth, last.pth: model config differs (num_class: 5 in the folder, 6 here); "
            "charset differs (4 characters in the folder, 5 here; 1 new here ('c'))\n") in str(error.value)
    reordered = Charset.from_chars("ab가나")
    with pytest.raises(OutputDirError) as error:
        check_saved_model_dir(rec_dir, rec_config(reordered), reordered, PRE)
    assert ("best_accuracy.pth, last.pth: charset differs (the same 4 characters in another order: other class ids)"
            in str(error.value))
    with pytest.raises(OutputDirError, match=r"preprocessing differs \(keep_ratio_pad: False in the folder, True here\)"):
        check_saved_model_dir(rec_dir, rec_config(), CHARSET, Preprocess(keep_ratio_pad=True))


def test_an_unreadable_checkpoint_is_not_overwritten_either(rec_dir: Path) -> None:
    (rec_dir / "best_norm_ED.pth").write_bytes(b"\x80\x02}q\x00")  # a pickle cut short
    with pytest.raises(OutputDirError) as error:
        check_saved_model_dir(rec_dir, rec_config(), CHARSET, PRE)
    assert (f"\n  best_norm_ED.pth: not a readable recognizer checkpoint ({rec_dir / 'best_norm_ED.pth'}: not a "
            "readable checkpoint (corrupt or truncated?): EOFError: )\n") in str(error.value)


def test_overwrite_deletes_the_other_model_first(rec_dir: Path) -> None:
    (rec_dir / "notes.txt").write_text("mine", encoding="utf-8")
    said: list[str] = []
    assert check_saved_model_dir(rec_dir, rec_config(hidden_size=32), CHARSET, PRE, overwrite=True,
                                 log=said.append) == "replaced"
    assert sorted(p.name for p in rec_dir.iterdir()) == ["notes.txt"]  # only the run's own files go
    assert said == [f"overwrite=True: {rec_dir} held another model:\n"
                    "  best_accuracy.pth, last.pth: model config differs (hidden_size: 16 in the folder, 32 here)\n"
                    "deleted its files: last.pth, best_accuracy.pth, log_train.txt, metrics.json"]
    assert check_saved_model_dir(rec_dir, rec_config(hidden_size=32), CHARSET, PRE) == "new"


def test_overwrite_never_deletes_the_checkpoint_it_fine_tunes_from(rec_dir: Path) -> None:
    bigger = Charset.from_chars("가나abc")
    with pytest.raises(OutputDirError) as error:
        check_saved_model_dir(rec_dir, rec_config(bigger), bigger, PRE, overwrite=True,
                              finetune_from=str(rec_dir / "best_accuracy.pth"))
    assert str(error.value) == (
        f"finetune_from {rec_dir / 'best_accuracy.pth'} lies in saved_model_dir {rec_dir}, whose other model "
        "overwrite=True would delete: copy it elsewhere first, or choose another saved_model_dir")
    assert (rec_dir / "best_accuracy.pth").exists()


SMALL = DetectorConfig(width_mult=0.25, head_width=16, input_size=128)


def test_detector_folder_holding_another_detector(tmp_path: Path) -> None:
    out = tmp_path / "yolo" / "exp"
    assert check_detector_dir(out, SMALL) == "new"
    torch.manual_seed(0)
    for name in ("best.pt", "last.pt"):
        save_detector(out / name, YoloDetector(SMALL), SMALL, epoch=1)
    (out / "history.json").write_text("[]", encoding="utf-8")
    assert check_detector_dir(out, SMALL) == "same"
    bigger = DetectorConfig(width_mult=0.25, head_width=16, input_size=160)
    before = snapshot(out)
    with pytest.raises(OutputDirError) as error:
        check_detector_dir(out, bigger)
    assert str(error.value) == (
        f"{out} holds another model, so this run would overwrite it:\n"
        "  best.pt, last.pt: model config differs (input_size: 128 in the folder, 160 here)\n"
        "Nothing was written. Choose another out_root / exp_name to keep that model, or set overwrite=True to "
        "delete it and train here.")
    assert snapshot(out) == before
    assert check_detector_dir(out, bigger, overwrite=True, log=lambda _: None) == "replaced"
    assert list(out.iterdir()) == []
