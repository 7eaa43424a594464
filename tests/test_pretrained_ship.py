"""Shipping a pretraining run's models: compact files, model card, checksums; fine-tuning from them."""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from modules.checkpoint import CheckpointError
from modules.detector.checkpoint import load_checkpoint as load_detector, save_checkpoint as save_detector
from modules.detector.config import DetectorConfig
from modules.detector.finetune import finetune_config
from modules.detector.model import YoloDetector
from modules.generator.render_crop import OOD_CROP_CONFIG, CropConfig
from modules.pipeline.inputs import require_finetune_source
from modules.pretrained.__main__ import NARROW, NARROW_RENDERER, RECIPE, REDRAW, REDRAW_7, main
from modules.recognizer.checkpoint import load_checkpoint as load_recognizer, remap_for_charset
from modules.recognizer.config import ModelConfig, Preprocess
from modules.recognizer.model import build_model
from modules.recognizer.train import OptimConfig, Trainer
from modules.shipped import FILES, SUMS, ShippedModelError, shipped_checkpoints, verify
from modules.text.charset import Charset

SMALL = DetectorConfig(width_mult=0.25, head_width=16, input_size=128,
                       anchors=tuple((0.02 * (i + 1), 0.01 * (i + 1)) for i in range(9)))
CHARSET = Charset.from_chars("가나다ab")


def _recognizer(charset: Charset = CHARSET, seed: int = 0) -> Trainer:
    torch.manual_seed(seed)
    cfg = ModelConfig(num_class=len(charset) + 1, output_channel=32, hidden_size=16, batch_max_length=6, jamo_head=True)
    return Trainer(build_model(cfg, charset), charset, Preprocess(), OptimConfig(num_iter=10))


def _pretraining_workdir(root: Path) -> Path:
    """A work folder as two pretraining runs leave it: a recognizer run and a detector run."""
    trainer = _recognizer()
    trainer.step(torch.randint(0, 256, (2, 1, 32, 128), dtype=torch.uint8), ["가나", "ab"])
    trainer.save(root / "saved_models/rec/best_accuracy.pth")
    save_detector(root / "saved_models/yolo/pre/best.pt", YoloDetector(SMALL), SMALL, epoch=3, metrics={"hmean": 0.5},
                  optimizer={"state": {}}, history=[{"epoch": 1}])
    (root / "saved_models/yolo/stray").mkdir(parents=True)  # never picked: the summary names "pre"
    hardware = {"cpu": "test cpu", "cpu_count": 2, "torch": torch.__version__, "cuda": ""}
    for run_id, step, params, artifact in (
        ("20260101-000001-pretrain", "05_train", {"num_iter": 10, "seed": 1}, "saved_models/rec"),
        ("20260101-000002-pretrain", "yolo_train", {"epochs": 3, "out_root": "saved_models/yolo", "exp_name": "pre"},
         "saved_models/yolo"),
    ):
        summary = {"run_id": run_id, "profile": "pretrain", "overrides": {"x": 1},
                   "code": {"commit": "abc123", "dirty": False}, "hardware": hardware,
                   "steps": [{"name": step, "status": "ok", "seconds": 60.0, "parameters": params,
                              "artifacts": {"out_root" if step == "yolo_train" else "saved_model_dir":
                                            {"path": artifact, "exists": True}}}]}
        (root / "runs" / run_id).mkdir(parents=True)
        (root / "runs" / run_id / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return root


def test_ship_writes_compact_checked_files_and_a_card(tmp_path: Path, capsys) -> None:
    work = _pretraining_workdir(tmp_path / "work")
    out = tmp_path / "shipped"
    assert main(["ship", "--workdir", str(work), "--out", str(out)]) == 0
    sums = verify(out)
    assert set(FILES.values()) <= set(sums) and "model_card.md" in sums
    paths = shipped_checkpoints(out)

    detector = load_detector(paths["detector"])
    assert detector["config"] == SMALL and "optimizer" not in detector and "history" not in detector
    assert all(v.dtype == torch.float16 for v in detector["model"].values() if v.is_floating_point())
    raw = torch.load(paths["recognizer"], weights_only=True)  # loads with weights only
    assert not {"optimizer", "scheduler", "rng"} & set(raw)
    recognizer = load_recognizer(paths["recognizer"])
    assert recognizer.charset == CHARSET
    original = load_recognizer(work / "saved_models/rec/best_accuracy.pth")
    model = recognizer.build_model()  # half weights cast back to float32 on load
    for name, tensor in model.state_dict().items():
        if tensor.is_floating_point():
            assert tensor.dtype == torch.float32
            assert torch.allclose(tensor, original.model_state[name].float(), atol=2e-3, rtol=1e-3), name

    card = (out / "model_card.md").read_text(encoding="utf-8")
    assert "20260101-000001-pretrain" in card and "abc123" in card and "test cpu" in card
    assert "OOD dev crops" not in card  # no OOD crops were drawn in this work folder
    assert json.loads((out / "model_card.json").read_text(encoding="utf-8"))["models"]["detector"]["source"].endswith(
        "saved_models/yolo/pre/best.pt")

    assert main(["ship", "--workdir", str(work), "--out", str(out)]) == 1  # never overwritten unasked
    assert "--overwrite" in capsys.readouterr().err
    record = work / "textimagegenerator/data/.generator_ood.json"  # the OOD dev crops' settings, as 02 writes them
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps({"version": 1, "seed": 0, "config": {"max_angle": 7.5}}), encoding="utf-8")
    assert main(["ship", "--workdir", str(work), "--out", str(out), "--overwrite"]) == 0
    digest = json.loads((out / "model_card.json").read_text(encoding="utf-8"))["data"]["ood_crops"]["sha1"]
    assert digest == hashlib.sha1(record.read_bytes()).hexdigest()
    assert f"sha1 `{digest[:12]}`" in (out / "model_card.md").read_text(encoding="utf-8")


def test_card_follows_a_pretraining_continued_in_stages(tmp_path: Path) -> None:
    """A recognizer fine-tuned from an earlier run's checkpoint: the card lists both stages, first to last."""
    work = _pretraining_workdir(tmp_path / "work")
    second = _recognizer(seed=1)
    second.save(work / "saved_models/rec2/best_accuracy.pth")
    settings = {"num_iter": 20, "lr": 0.002, "finetune_from": "saved_models/rec/best_accuracy.pth"}
    summary = {"run_id": "20260101-000003-pretrain", "profile": "pretrain", "overrides": {}, "code": {"commit": "def456"},
               "hardware": {}, "steps": [{"name": "05_train", "status": "ok", "seconds": 120.0, "settings": settings,
                                          "artifacts": {"saved_model_dir": {"path": "saved_models/rec2", "exists": True}}}]}
    (work / "runs/20260101-000003-pretrain").mkdir(parents=True)
    (work / "runs/20260101-000003-pretrain/summary.json").write_text(json.dumps(summary), encoding="utf-8")
    out = tmp_path / "shipped"
    assert main(["ship", "--workdir", str(work), "--out", str(out)]) == 0

    recognizer = json.loads((out / "model_card.json").read_text(encoding="utf-8"))["models"]["recognizer"]
    assert recognizer["source"] == "saved_models/rec2/best_accuracy.pth" and recognizer["run"].endswith("000003-pretrain")
    assert recognizer["starts_from"]["run"] == "20260101-000001-pretrain"
    assert recognizer["starts_from"]["source"] == "saved_models/rec/best_accuracy.pth"
    assert "starts_from" not in recognizer["starts_from"]  # stage 1 trained from scratch
    card = (out / "model_card.md").read_text(encoding="utf-8")
    first, second_line = card.index("stage 1 of 2: from `saved_models/rec/"), card.index("stage 2 of 2: from `saved_models/rec2/")
    assert first < second_line and "def456" in card


def test_ship_continues_the_shipped_models_in_another_work_folder(tmp_path: Path, capsys) -> None:
    """Stage 2 trained elsewhere from a copy of the shipped recognizer, the detector kept: the card keeps
    both stages and the detector's entry, the detector file is not rewritten."""
    out = tmp_path / "shipped"
    assert main(["ship", "--workdir", str(_pretraining_workdir(tmp_path / "a")), "--out", str(out)]) == 0
    first = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    detector_bytes = (out / FILES["detector"]).read_bytes()

    work = tmp_path / "b"
    (work / "saved_models/stage1").mkdir(parents=True)
    (work / "saved_models/stage1/best_accuracy.pth").write_bytes((out / FILES["recognizer"]).read_bytes())
    _recognizer(seed=2).save(work / "saved_models/stage2/best_accuracy.pth")
    settings = {"num_iter": 20, "finetune_from": "saved_models/stage1/best_accuracy.pth"}
    summary = {"run_id": "20260102-000001-pretrain", "profile": "pretrain", "overrides": {}, "code": {"commit": "fed789"},
               "hardware": {}, "steps": [{"name": "05_train", "status": "ok", "seconds": 30.0, "settings": settings,
                                          "artifacts": {"saved_model_dir": {"path": "saved_models/stage2", "exists": True}}}]}
    (work / "runs/20260102-000001-pretrain").mkdir(parents=True)
    (work / "runs/20260102-000001-pretrain/summary.json").write_text(json.dumps(summary), encoding="utf-8")

    assert main(["ship", "--workdir", str(work), "--out", str(out), "--overwrite"]) == 1  # no detector trained here
    assert "no detector" in capsys.readouterr().err
    assert main(["ship", "--workdir", str(work), "--out", str(tmp_path / "empty"), "--keep", "detector"]) == 1
    assert "does not describe shipped models" in capsys.readouterr().err
    assert main(["ship", "--workdir", str(work), "--out", str(out), "--keep", "detector", "--overwrite"]) == 0

    verify(out)
    assert (out / FILES["detector"]).read_bytes() == detector_bytes
    card = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert card["kept"] == ["detector"] and card["models"]["detector"] == first["models"]["detector"]
    recognizer = card["models"]["recognizer"]
    assert recognizer["run"] == "20260102-000001-pretrain"
    assert recognizer["starts_from"] == first["models"]["recognizer"]
    text = (out / "model_card.md").read_text(encoding="utf-8")
    assert text.index("stage 1 of 2: from `saved_models/rec/") < text.index("stage 2 of 2: from `saved_models/stage2/")
    assert "fed789" in text and "abc123" in text
    assert text.index("### detector") < text.index("Shipped again unchanged") < text.index("### recognizer")

    # shipped again from the same runs: the earlier card is now this one, the stages stay
    assert main(["ship", "--workdir", str(work), "--out", str(out), "--keep", "detector", "--overwrite"]) == 0
    again = json.loads((out / "model_card.json").read_text(encoding="utf-8"))
    assert again["models"]["recognizer"]["starts_from"] == first["models"]["recognizer"]
    assert again["models"]["detector"] == first["models"]["detector"]


def test_altered_or_missing_files_are_named(tmp_path: Path) -> None:
    work = _pretraining_workdir(tmp_path / "work")
    out = tmp_path / "shipped"
    assert main(["ship", "--workdir", str(work), "--out", str(out)]) == 0
    with open(out / FILES["detector"], "r+b") as handle:
        handle.seek(200)
        byte = handle.read(1)
        handle.seek(200)
        handle.write(bytes([byte[0] ^ 1]))
    with pytest.raises(ShippedModelError, match="detector.pt: checksum"):
        verify(out)
    (out / FILES["detector"]).unlink()
    with pytest.raises(ShippedModelError, match="detector.pt: missing"):
        shipped_checkpoints(out)
    (out / SUMS).unlink()
    with pytest.raises(ShippedModelError, match="SHA256SUMS: missing"):
        verify(out)
    assert main(["verify", "--dir", str(out)]) == 1


def test_ship_without_a_trained_model_fails(tmp_path: Path, capsys) -> None:
    (tmp_path / "runs").mkdir()
    assert main(["ship", "--workdir", str(tmp_path), "--out", str(tmp_path / "out")]) == 1
    assert "no detector or recognizer" in capsys.readouterr().err


def test_finetuning_starts_from_the_shipped_weights(tmp_path: Path) -> None:
    work = _pretraining_workdir(tmp_path / "work")
    out = tmp_path / "shipped"
    assert main(["ship", "--workdir", str(work), "--out", str(out)]) == 0
    paths = shipped_checkpoints(out)

    other_anchors = DetectorConfig(width_mult=0.25, head_width=16, input_size=160)
    config, weights = finetune_config(paths["detector"], other_anchors)
    assert config.anchors == SMALL.anchors and config.input_size == 160
    model = YoloDetector(config)
    model.load_state_dict(weights)
    assert all(v.dtype == torch.float32 for v in weights.values() if v.is_floating_point())
    with pytest.raises(CheckpointError, match="head_width: 16 in the checkpoint, 32 here"):
        finetune_config(paths["detector"], DetectorConfig(width_mult=0.25, head_width=32, input_size=128))

    bigger = Charset.from_chars("가나다라ab")  # one new syllable: remapped, the shared ones kept
    new = _recognizer(bigger, seed=5).model
    report = remap_for_charset(load_recognizer(paths["recognizer"]), new, bigger)
    assert report["shared_chars"] == 5 and report["new_chars"] == 1
    shipped = load_recognizer(paths["recognizer"]).model_state
    name = next(n for n in shipped if n.endswith("generator.weight"))
    row_old, row_new = 1 + CHARSET.index["다"], 1 + bigger.index["다"]
    assert torch.allclose(new.state_dict()[name][row_new], shipped[name][row_old].float())


def test_require_finetune_source(tmp_path: Path) -> None:
    require_finetune_source("")  # from scratch: nothing to check
    with pytest.raises(FileNotFoundError, match="finetune_from=''"):
        require_finetune_source(str(tmp_path / "missing.pth"))
    path = tmp_path / "x.pth"
    path.write_bytes(np.zeros(4, np.uint8).tobytes())
    require_finetune_source(str(path))  # exists; its loader checks the content


def test_the_recipe_draws_stages_1_to_5_with_the_narrower_renderer_they_used() -> None:
    """The recipe's early stages pass the earlier ranges through 02's `effects`; they must name real CropConfig
    fields, stay narrower than today's defaults, and not reach the OOD dev renderer's ranges."""
    narrow, wide = replace(CropConfig(), **ast.literal_eval(NARROW_RENDERER)), CropConfig()
    assert narrow != wide
    for name in ("spacing", "padding", "vpadding"):
        assert getattr(narrow, name)[1] <= getattr(wide, name)[1] <= getattr(OOD_CROP_CONFIG, name)[0], name
    assert narrow.max_angle < wide.max_angle < OOD_CROP_CONFIG.max_angle
    # every run_all line that draws crops (02, or the whole chain) draws them narrow, but stage 6's and 7's redraws
    draws = [line for line in RECIPE if line.startswith("python run_all.py")
             and ("02_generate_text_images" in line or "--only" not in line)]
    redraws = [line for line in draws if REDRAW in line]
    assert len(redraws) == 4 and not any(NARROW in line for line in redraws)
    assert sum(REDRAW_7 in line for line in redraws) == 2  # stage 7 draws with a seed of its own
    assert all(NARROW in line for line in draws if line not in redraws)
