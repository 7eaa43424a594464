"""The model card of the shipped models: how they were made (runs, settings, data, code, machine, time)
and what they read, in and out of distribution; written as ``model_card.json`` and ``model_card.md``."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from collections.abc import Iterator
from typing import Any

from modules.generator.fonts import licence_name
from modules.generator.sample_datasets import MANIFEST
from modules.ocr.latest_run import RunCheckpoint, artifact_paths
from modules.pipeline.parameters import declared_parameters
from modules.shipped import FILES, sha256

# Parameters worth a line in the Markdown card (the JSON card keeps every one).
KEY_PARAMETERS = {
    "05_train": ("select_data", "batch_ratio", "feature_extraction", "sequence_modeling", "prediction",
                 "output_channel", "hidden_size", "jamo_head", "img_h", "img_w", "batch_size", "num_iter", "lr",
                 "augment", "augment_p", "seed", "num_threads", "device", "finetune_from"),
    "yolo_train": ("width_mult", "head_width", "input_size", "train_size", "epochs", "batch_size", "lr",
                   "time_limit_min", "ema_decay", "seed", "num_threads", "device", "finetune_from"),
    "02_generate_text_images": ("train_count", "test_count", "ood_count", "seed", "train_seed", "coverage_share"),
    "01_make_gtdata": ("vertical", "min_side", "jitter_copies", "textinthewild_test_fraction", "drop_jamo_only"),
    "yolo_preprocess": ("anchor_seed", "vertical_anchors"),
}


def read_summary(run_dir: str | os.PathLike[str]) -> dict[str, Any]:
    path = Path(run_dir) / "summary.json"
    return json.loads(path.read_text(encoding="utf-8"))


def step_of(summary: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The last ``ok`` record of step ``name`` in a run summary."""
    found = [s for s in summary.get("steps", []) if s.get("name") == name and s.get("status") == "ok"]
    return found[-1] if found else None


def step_settings(step: dict[str, Any]) -> dict[str, Any]:
    """Every parameter a step's notebook saw: the summary's ``settings``, or for summaries written before
    they were recorded, the executed notebook's declared defaults with the step's overrides applied."""
    if step.get("settings"):
        return dict(step["settings"])
    overrides = dict(step.get("parameters") or {})
    executed = Path(step.get("notebook") or "")
    if executed.suffix == ".ipynb" and executed.is_file():
        return {name: p.default for name, p in declared_parameters(executed).items()} | overrides
    return overrides


def steps_newest_first(runs_dir: Path, name: str, before_run: str = "") -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """``(run id, summary, step)`` for each run (newest run id first; only ids below ``before_run`` when given) where
    step ``name`` ended ``ok``; unreadable summaries are skipped."""
    for run in sorted((p.parent for p in runs_dir.glob("*/summary.json")), key=lambda p: p.name, reverse=True):
        if before_run and run.name >= before_run:
            continue
        try:
            summary = read_summary(run)
        except (OSError, ValueError):
            continue
        step = step_of(summary, name)
        if step is not None:
            yield run.name, summary, step


def newest_step(runs_dir: Path, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """``(summary, step)`` of the newest run (by run id) where step ``name`` ended ``ok``."""
    found = next(steps_newest_first(runs_dir, name), None)
    return found[1:] if found else None


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def training_font_licences(fonts_json: Path) -> list[dict[str, Any]]:
    """Per package (Debian or npm) of the training fonts: families, file count and licence file."""
    fonts = json.loads(fonts_json.read_text(encoding="utf-8"))["fonts"]
    packages: dict[str, dict[str, Any]] = {}
    for font in fonts:
        if font["split"] != "train":
            continue
        entry = packages.setdefault(font["package"], {"package": font["package"], "families": set(), "files": 0})
        entry["families"].add(font["family"])
        entry["files"] += 1
    return [{**e, "families": sorted(e["families"]), "licence": f"textimagegenerator/fonts/licenses/{licence_name(e['package'])}"}
            for e in sorted(packages.values(), key=lambda e: e["package"])]


def earlier_stage(finetune_from: str, step_name: str, before_run: str, runs_dir: Path) -> RunCheckpoint | None:
    """The checkpoint a training started from, when an earlier run's ``step_name`` under ``runs_dir`` wrote
    it (a pretraining continued in stages); ``None`` for training from scratch or from a file made elsewhere."""
    if not finetune_from:
        return None
    start = (runs_dir.parent / finetune_from).resolve()
    for run, _, step in steps_newest_first(runs_dir, step_name, before_run):
        written = {(runs_dir.parent / raw).resolve() for raw in artifact_paths(step)}
        if start in written or start.parent in written:
            return RunCheckpoint(start, run, step_name)
    return None


def shipped_stages(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{sha256 of a shipped file: its model's card entry}`` from an earlier ``model_card.json``, so that a
    training continued from the shipped weights (on another machine, without the runs that made them)
    lists the stages behind them. Stages that were themselves found this way are indexed too (by the
    ``starts_from_sha256`` they recorded), so shipping the same models again keeps their stages."""
    files = card.get("files", {})
    stages = {files[FILES[kind]]["sha256"]: entry for kind, entry in card.get("models", {}).items()
              if kind in FILES and "sha256" in files.get(FILES[kind], {})}
    for entry in card.get("models", {}).values():
        while "starts_from" in entry:
            if "starts_from_sha256" in entry:
                stages.setdefault(entry["starts_from_sha256"], entry["starts_from"])
            entry = entry["starts_from"]
    return stages


def model_entry(found: RunCheckpoint, runs_dir: Path, shipped: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """What the card says about one model: its source checkpoint, run, step settings, time, code, machine,
    and under ``starts_from`` the same for the earlier stage it was trained from: a run here made it, or it
    is a shipped file whose checksum ``shipped`` (``shipped_stages``) knows, with its own stages."""
    summary = read_summary(runs_dir / found.run)
    step = step_of(summary, found.step) or {}
    path, workdir = Path(found.path).resolve(), runs_dir.parent.resolve()
    source = path.relative_to(workdir) if path.is_relative_to(workdir) else path
    settings = step_settings(step)
    entry = {"source": str(source), "run": found.run, "profile": summary.get("profile"), "step": found.step,
             "seconds": step.get("seconds"), "parameters": settings,
             "overrides": summary.get("overrides", {}), "code": summary.get("code", {}),
             "hardware": summary.get("hardware", {})}
    start = str(settings.get("finetune_from") or "")
    stage = earlier_stage(start, found.step, found.run, runs_dir)
    if stage is not None:
        entry["starts_from"] = model_entry(stage, runs_dir, shipped)
    elif start and shipped and (runs_dir.parent / start).is_file():
        digest = sha256(runs_dir.parent / start)
        if digest in shipped:
            entry["starts_from"], entry["starts_from_sha256"] = shipped[digest], digest
    return entry


def build_card(workdir: str | os.PathLike[str], found: dict[str, RunCheckpoint], recipe: list[str],
               previous: dict[str, Any] | None = None, keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """The card's data for the checkpoints ``found`` (``{"detector": ..., "recognizer": ...}``, the kinds
    trained, not kept) of the pretraining runs under ``workdir/runs``; ``recipe`` lists the commands that
    made them. ``previous``: the card of the models shipped before (``model_card.json``), whose entries
    describe the ``keep`` kinds (shipped again unchanged) and the stages of a model trained on from a
    shipped file."""
    workdir = Path(workdir)
    runs_dir = workdir / "runs"
    shipped = shipped_stages(previous) if previous else {}
    models = {kind: (previous or {})["models"][kind] if kind in keep else model_entry(found[kind], runs_dir, shipped)
              for kind in FILES if kind in keep or kind in found}
    card: dict[str, Any] = {"written": datetime.now(UTC).isoformat(timespec="seconds"), "recipe": recipe,
                            "models": models}
    if keep:
        card["kept"] = list(keep)
    data: dict[str, Any] = {}
    for name in ("02_generate_text_images", "01_make_gtdata", "yolo_preprocess"):
        hit = newest_step(runs_dir, name)
        if hit:
            summary, step = hit
            data[name] = {"run": summary["run_id"], "profile": summary.get("profile"),
                          "parameters": step_settings(step), "seconds": step.get("seconds")}
    for name, entry in ((previous or {}).get("data", {}) if keep else {}).items():
        data.setdefault(name, entry)  # a kept model's data steps ran with the earlier runs, not here
    generated = Path(str(data.get("02_generate_text_images", {}).get("parameters", {}).get("out_root",
                                                                                          "textimagegenerator/data")))
    ood_record = workdir / generated / ".generator_ood.json"
    if ood_record.is_file():  # which OOD dev crops the OOD row is on: their seed, fonts and renderer settings
        data["ood_crops"] = {"record": str(generated / ".generator_ood.json"),
                             "sha1": hashlib.sha1(ood_record.read_bytes()).hexdigest()}
    manifest = workdir / "data" / MANIFEST
    if manifest.is_file():  # the sample scenes: generator version, seed and scene counts per split
        data["sample_scenes"] = json.loads(manifest.read_text(encoding="utf-8"))
    card["data"] = data
    fonts_json = workdir / "textimagegenerator" / "fonts" / "fonts.json"
    card["training_fonts"] = training_font_licences(fonts_json) if fonts_json.is_file() else []
    demo = newest_step(runs_dir, "yolocrnn_demo")
    demo_rows: list[dict[str, str]] = []
    if demo is not None:
        trained = max(f.run for f in found.values())  # ``found`` holds the trained models only
        if demo[0]["run_id"] > trained:  # run ids sort by start time: the demo ran after the trainings
            demo_dir = Path(demo[1]["parameters"].get("output_dir", "results/demo"))
            demo_rows = read_csv_rows(workdir / demo_dir / "eval_summary.csv")
            card["demo_run"] = demo[0]["run_id"]
    crops = ((previous or {}).get("figures", {}).get("recognizer_crops", []) if "recognizer" in keep
             else read_csv_rows(Path(found["recognizer"].path).parent / "eval_sets.csv"))
    card["figures"] = {"recognizer_crops": crops, "end_to_end": demo_rows}
    return card


def _table(rows: list[dict[str, str]]) -> list[str]:
    if not rows:
        return ["(not measured)"]
    heads = list(rows[0])
    return ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads),
            *("| " + " | ".join(str(r.get(h, "")) for h in heads) + " |" for r in rows)]


def _model_lines(entry: dict[str, Any], stage: str) -> list[str]:
    """Markdown lines for one training stage of a shipped model."""
    code, hw = entry.get("code", {}), entry.get("hardware", {})
    minutes = f"{entry['seconds'] / 60:.1f} min" if entry.get("seconds") else "?"
    params = entry.get("parameters", {})
    keys = KEY_PARAMETERS.get(entry["step"], ())
    return ["- " + (f"{stage}: " if stage else "")
            + f"from `{entry['source']}` (run `{entry['run']}`, profile `{entry['profile']}`, step `{entry['step']}`)",
            f"- training step took {minutes} on {hw.get('cpu_count', '?')} x {hw.get('cpu', '?')}"
            + (f", GPU {hw['cuda']}" if hw.get("cuda") else ", no GPU") + f"; torch {hw.get('torch', '?')}",
            f"- code commit `{code.get('commit', '?')}`" + (" (with uncommitted changes)" if code.get("dirty") else ""),
            f"- command-line overrides: `{json.dumps(entry.get('overrides', {}))}`",
            "- settings: " + ", ".join(f"{k}={params[k]!r}" for k in keys if k in params)
            + " (every parameter: model_card.json)", ""]


def render_markdown(card: dict[str, Any], files: dict[str, dict[str, Any]]) -> str:
    """The card as Markdown; ``files`` maps each shipped file to ``{"bytes", "sha256"}``."""
    lines = ["# Shipped Korean + English OCR models", "",
             "Made by the project's own code from its own synthetic data (no downloaded data or weights).",
             f"Card written {card['written']}.", "", "## Recipe", "", "```", *card["recipe"], "```", "",
             "## Models", ""]
    for kind, entry in card["models"].items():
        lines += [f"### {kind}", ""]
        if kind in card.get("kept", []):
            lines += ["Shipped again unchanged: the file and the lines below are the earlier card's.", ""]
        stages = [entry]  # the shipped stage, then back through the stages it was trained from
        while "starts_from" in stages[-1]:
            stages.append(stages[-1]["starts_from"])
        for number, entry in enumerate(reversed(stages), start=1):
            lines += _model_lines(entry, f"stage {number} of {len(stages)}" if len(stages) > 1 else "")
    lines += ["## Data", ""]
    for name, entry in card["data"].items():
        if name == "ood_crops":
            lines.append(f"- OOD dev crops: the settings in `{entry['record']}` (sha1 `{entry['sha1'][:12]}`; "
                         "another renderer version draws another set, and its figures do not compare)")
            continue
        if name == "sample_scenes":
            lines.append("- sample scenes (`data/" + MANIFEST + "`): " + "; ".join(
                f"{dataset} {record.get('counts')} seed {record.get('seed')}" for dataset, record in entry.items()))
            continue
        params = entry["parameters"]
        keys = KEY_PARAMETERS.get(name, tuple(params))
        lines.append(f"- {name} (run `{entry['run']}`, profile `{entry['profile']}`): "
                     + ", ".join(f"{k}={params[k]!r}" for k in keys if k in params))
    lines += ["", "## What they read", "",
              "In distribution: the training renderer, font families held out of training (validation crops, "
              "dev) and the test scenes / crops (test, reported only). Out of distribution (OOD, dev): held-out "
              "families and another renderer. No real photos: none could be downloaded where these were made.",
              "", "Recognizer on crops (its training run's `eval_sets.csv`):", "",
              *_table(card["figures"]["recognizer_crops"]), "",
              f"Detector + recognizer on scenes (`yolocrnn_demo`, run `{card.get('demo_run', '-')}`):", "", *_table(card["figures"]["end_to_end"]), "",
              "## Files", "", "| file | bytes | sha256 |", "|---|---|---|",
              *(f"| {n} | {f['bytes']:,} | `{f['sha256']}` |" for n, f in files.items()), "",
              "Weights are float16 (cast back to float32 on load) in the checkpoints' own formats, loaded with "
              "`weights_only=True`.", "", "## Training fonts and their licences", "",
              "| package | families | files | licence |", "|---|---|---|---|",
              *(f"| {p['package']} | {', '.join(p['families'])} | {p['files']} | {p['licence']} |"
                for p in card["training_fonts"]), ""]
    return "\n".join(lines)
