"""Run the pipeline: each step's notebook executed by papermill into ``runs/<run id>/``.

The run folder holds the executed notebooks, ``run.log`` (everything the notebooks printed) and
``summary.json`` (each step's status, seconds, parameters and artifacts). The first failing step stops
the run, and its notebook and failing cell's error are named.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import posixpath
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from modules.pipeline.parameters import check_overrides, declared_parameters
from modules.pipeline.provenance import code_commit, hardware
from modules.pipeline.step import Prepare, Step

# What a working root borrows from the repository (everything else it writes itself).
SHARED_PATHS = ("modules", "notebooks", "requirements.txt", "textimagegenerator/fonts",
                "textimagegenerator/sample_data.xlsx")


class StepFailed(RuntimeError):
    """A step failed; the message names the notebook and the failing cell's error."""


@dataclass
class StepResult:
    name: str
    status: str  # ok | failed | missing | skipped
    seconds: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)  # the overrides the step was given
    settings: dict[str, Any] = field(default_factory=dict)  # every parameter the notebook saw (defaults + overrides)
    notebook: str | None = None
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str | None = None


def prepare_workdir(repo_root: Path, workdir: Path) -> Path:
    """Make ``workdir`` a working root: links to the repository's code, fonts and corpus.

    Notebooks ``chdir`` to the nearest folder holding ``modules/``, so every relative data path of a
    run resolves inside ``workdir``; a test or a second experiment never touches the repository's data.
    """
    workdir = workdir.resolve()
    if workdir == repo_root.resolve():
        return workdir
    for rel in SHARED_PATHS:
        src, dst = repo_root / rel, workdir / rel
        if not src.exists() or dst.exists() or dst.is_symlink():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.symlink_to(src.resolve(), target_is_directory=src.is_dir())
    return workdir


def _artifacts(parameters: dict[str, Any], outputs: Sequence[str], root: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for name in outputs:
        value = parameters.get(name)
        if isinstance(value, str):
            found[name] = {"path": value, "exists": (root / value).exists()}
    return found


def _cell_error(error: BaseException) -> str:
    # papermill's PapermillExecutionError carries the failing cell and the exception's name/value.
    ename, evalue = getattr(error, "ename", None), getattr(error, "evalue", None)
    cell = getattr(error, "exec_count", None)
    if ename:
        return f"cell {cell}: {ename}: {evalue}"
    return f"{type(error).__name__}: {error}"


def run_prepare(step: Prepare, profile: str) -> StepResult:
    """Call a ``Prepare`` step's function; returns its artifacts."""
    module_name, _, func_name = step.target.partition(":")
    started = time.perf_counter()
    func = getattr(importlib.import_module(module_name), func_name)
    made = func(profile=profile, **dict(step.kwargs)) or {}
    artifacts = {k: {"path": str(v), "exists": Path(v).exists()} for k, v in dict(made).items()}
    return StepResult(step.name, "ok", seconds=time.perf_counter() - started, parameters=dict(step.kwargs),
                      artifacts=artifacts)


def _normalized(path: str) -> str:
    return posixpath.normpath(path.replace("\\", "/")) if path else ""


def readers_of(paths: Iterable[str], parameters_by_step: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """``step.parameter`` names whose value (a string, or a list of strings) is one of ``paths`` or lies
    under one. Paths are compared lexically (``./`` and trailing ``/`` ignored), as the notebooks use
    them, relative to the working root. An empty list: no step reads them."""
    wanted = {_normalized(str(p)) for p in paths if str(p)}
    found = []
    for step, parameters in parameters_by_step.items():
        for name, value in parameters.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            for item in values:
                if not isinstance(item, str) or not item:
                    continue
                path = _normalized(item)
                if any(path == w or path.startswith(w + "/") for w in wanted):
                    found.append(f"{step}.{name}")
                    break
    return found


def provided_paths(step: Prepare) -> list[str]:
    """The input paths a ``Prepare`` step makes (its ``provides`` function), without making them."""
    module_name, _, func_name = step.provides.partition(":")
    made = getattr(importlib.import_module(module_name), func_name)(**dict(step.kwargs))
    return [str(v) for v in dict(made).values()]


def effective_parameters(step: Step, parameters: Mapping[str, Any], root: Path) -> dict[str, Any]:
    """The notebook's declared defaults with ``parameters`` applied (what the notebook will see)."""
    notebook = root / "notebooks" / f"{step.name}.ipynb"
    return {name: p.default for name, p in declared_parameters(notebook).items()} | dict(parameters)


def run_notebook(step: Step, parameters: dict[str, Any], root: Path, run_dir: Path, index: int,
                 log: logging.Logger) -> StepResult:
    """Execute one notebook with papermill (cwd = ``root``)."""
    import papermill

    source = root / "notebooks" / f"{step.name}.ipynb"
    output = run_dir / f"{index:02d}_{step.name}.ipynb"
    started = time.perf_counter()
    result = StepResult(step.name, "ok", parameters=parameters, notebook=str(output))
    try:
        papermill.execute_notebook(
            str(source), str(output), parameters=parameters, cwd=str(root), kernel_name="python3",
            log_output=True, progress_bar=True, report_mode=False,
        )
    except Exception as error:  # noqa: BLE001 - papermill raises many types; each ends the run, named
        result.status, result.error = "failed", _cell_error(error)
        log.error("step %s failed: %s", step.name, result.error)
    result.seconds = time.perf_counter() - started

    result.settings = {name: p.default for name, p in declared_parameters(source).items()} | parameters
    result.artifacts = _artifacts(result.settings, step.outputs, root)
    return result


def select_steps(steps: Sequence[Step | Prepare], only: Sequence[str] = (), start: str | None = None,
                 until: str | None = None) -> list[Step | Prepare]:
    """The steps to run: ``only`` these names, or all from ``start`` on and / or up to ``until`` (both
    included); ``Prepare`` steps always run."""
    names = [s.name for s in steps]
    for name in [*only, *([start] if start else []), *([until] if until else [])]:
        if name not in names:
            raise ValueError(f"unknown step {name!r}; steps are: {', '.join(names)}")
    if only:
        return [s for s in steps if isinstance(s, Prepare) or s.name in only]
    first = names.index(start) if start else 0
    last = names.index(until) if until else len(names) - 1
    if first > last:
        raise ValueError(f"--from {start} comes after --until {until}")
    return [s for i, s in enumerate(steps) if isinstance(s, Prepare) or first <= i <= last]


def resolve_parameters(step: Step, profile: str, overrides: dict[str, Any], root: Path) -> dict[str, Any]:
    """Profile overrides, then command-line ones, checked against the notebook.

    ``step.key`` targets one notebook (which must declare it); a plain ``key`` reaches every selected
    notebook that declares it (``check_command_line`` makes sure at least one does).
    """

    notebook = root / "notebooks" / f"{step.name}.ipynb"
    declared = declared_parameters(notebook)
    params = step.overrides(profile)
    for key, value in overrides.items():
        target, dot, name = key.rpartition(".")
        if dot and target == step.name:
            params[name] = value
        elif not dot and key in declared:  # a plain key reaches every notebook that declares it
            params[key] = value
    check_overrides(notebook, params)
    return params


def check_command_line(steps: Sequence[Step | Prepare], overrides: dict[str, Any], root: Path) -> None:
    """Every ``-p`` key must be declared by at least one selected notebook (``step.key`` by that one)."""

    notebooks = {s.name: root / "notebooks" / f"{s.name}.ipynb" for s in steps if isinstance(s, Step)}
    declared = {n: set(declared_parameters(p)) for n, p in notebooks.items() if p.exists()}
    for key in overrides:
        target, dot, name = key.rpartition(".")
        if dot:
            if target not in declared or name not in declared[target]:
                raise ValueError(f"-p {key}: step {target!r} is not selected or does not declare {name!r}")
        elif not any(key in names for names in declared.values()):
            raise ValueError(f"-p {key}: no selected notebook declares a parameter named {key!r}")


def write_summary(path: Path, summary: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def run_pipeline(steps: Sequence[Step | Prepare], profile: str, root: Path, overrides: dict[str, Any],
                 only: Sequence[str] = (), start: str | None = None, until: str | None = None
                 ) -> tuple[Path, dict[str, Any]]:
    """Run the selected steps in order; returns the run folder and the summary (also in summary.json)."""
    from tqdm.auto import tqdm

    selected = select_steps(steps, only, start, until)
    check_command_line(selected, overrides, root)
    plan = [(s, resolve_parameters(s, profile, overrides, root) if isinstance(s, Step)
             and (root / "notebooks" / f"{s.name}.ipynb").exists() else None) for s in selected]

    reading = {s.name: effective_parameters(s, params, root) for s, params in plan if params is not None}

    run_id = datetime.now().strftime("%Y%m%d-%H%M%S") + f"-{profile}"
    run_dir = root / "runs" / run_id
    run_dir.mkdir(parents=True, exist_ok=False)
    log = logging.getLogger("kocr.run")
    handler = logging.FileHandler(run_dir / "run.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in ("kocr.run", "papermill"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    logging.getLogger("papermill").propagate = False  # cell output goes to run.log, not the console

    summary: dict[str, Any] = {"run_id": run_id, "profile": profile, "root": str(root),
                               "started": datetime.now(UTC).isoformat(), "status": "running",
                               "overrides": overrides, "code": code_commit(root), "hardware": hardware(),
                               "steps": []}
    try:
        for index, (step, params) in enumerate(tqdm(plan, desc=f"run_all [{profile}]", unit="step")):
            log.info("step %s starting", step.name)
            print(f"\n==> {step.name}", flush=True)
            readers = readers_of(provided_paths(step), reading) if isinstance(step, Prepare) and step.provides else None
            if isinstance(step, Prepare) and readers == []:
                result = StepResult(step.name, "skipped", parameters=dict(step.kwargs),
                                    error="no selected notebook reads its data (every input points elsewhere)")
                print(f"    skipped: {result.error}", flush=True)
            elif isinstance(step, Prepare):
                result = run_prepare(step, profile)
            elif params is None:
                result = StepResult(step.name, "missing", error=f"notebooks/{step.name}.ipynb does not exist")
                print(f"    skipped: {result.error}", flush=True)
            else:
                result = run_notebook(step, params, root, run_dir, index, log)
            summary["steps"].append(result.__dict__)
            write_summary(run_dir / "summary.json", summary)
            log.info("step %s %s in %.1f s", step.name, result.status, result.seconds)
            if result.status == "failed":
                summary["status"] = "failed"
                raise StepFailed(f"step {step.name} failed ({result.error}); "
                                 f"executed notebook: {result.notebook}; log: {run_dir / 'run.log'}")
        summary["status"] = "ok"
    finally:
        summary["finished"] = datetime.now(UTC).isoformat()
        if summary["status"] == "running":
            summary["status"] = "interrupted"
        write_summary(run_dir / "summary.json", summary)
        for name in ("kocr.run", "papermill"):
            logging.getLogger(name).removeHandler(handler)
        handler.close()
    return run_dir, summary
