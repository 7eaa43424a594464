"""The layering contract of ``modules/`` (CONTRIBUTING "Layers"): a module never imports a higher layer.

Every ``import`` / ``from ... import`` anywhere in a file counts, also those inside functions (a late
import is still a dependency). Within one layer a module may import only the modules listed before it
in that layer, so the graph has no cycle. A new top-level module or package must be added to ``LAYERS``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

MODULES = Path(__file__).resolve().parents[1] / "modules"

# From the bottom. Inside a layer, a module may import the ones listed before it.
LAYERS: tuple[tuple[str, ...], ...] = (
    # base: files, text, geometry, the device, and small helpers every area shares
    ("imageio", "text", "device", "distributed", "geometry", "pool", "scratch", "checkpoint", "shipped", "model_size",
     "onnx_session", "output_guard", "viz"),
    ("data", "datasets", "lmdbio"),  # annotations, dataset readers, lmdb storage
    ("metrics", "gtdata", "generator", "renaming"),  # data preparation and the metrics the models report
    ("recognizer", "detector"),  # the models, their training and inference
    ("ocr", "export"),  # end to end, deployment
    ("pipeline", "pretrained"),  # notebook runner, shipping a pretraining run's models
)
# Storage, geometry and metrics import no torch (the lmdb writer and the data chain run without it).
TORCH_FREE = ("imageio", "text", "geometry", "pool", "scratch", "onnx_session", "output_guard", "viz", "data", "datasets", "lmdbio",
              "metrics", "gtdata", "generator", "renaming")


def _rank() -> dict[str, tuple[int, int]]:
    return {name: (layer, position) for layer, names in enumerate(LAYERS) for position, name in enumerate(names)}


def _top_level(path: Path) -> str:
    return path.relative_to(MODULES).parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[int, str]]:
    """``(line, dotted name)`` of every absolute import in ``path`` (``from a import b`` gives ``a.b``)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append((node.lineno, "<relative import>"))
            elif node.module:
                found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def _sources() -> list[Path]:
    return sorted(p for p in MODULES.rglob("*.py") if p.relative_to(MODULES).parts != ("__init__.py",))


def test_every_module_has_a_layer() -> None:
    rank = _rank()
    missing = sorted({_top_level(p) for p in _sources()} - set(rank))
    assert not missing, f"modules without a layer (add them to LAYERS and CONTRIBUTING): {missing}"
    assert len(rank) == sum(len(names) for names in LAYERS), "a module is listed in two layers"


def test_no_module_imports_a_higher_layer() -> None:
    rank = _rank()
    bad = []
    for path in _sources():
        source = _top_level(path)
        for line, name in _imports(path):
            if name == "<relative import>":
                bad.append(f"{path.relative_to(MODULES.parent)}:{line}: relative import (use modules.<name>)")
                continue
            parts = name.split(".")
            if parts[0] != "modules" or len(parts) < 2 or parts[1] == source or parts[1] not in rank:
                continue
            if rank[parts[1]] > rank[source]:
                where = "a higher layer" if rank[parts[1]][0] > rank[source][0] else "listed after it in its layer"
                bad.append(f"{path.relative_to(MODULES.parent)}:{line}: {source} (layer {rank[source][0]}) "
                           f"imports {name} (layer {rank[parts[1]][0]}, {where})")
    assert not bad, "imports against the layers:\n" + "\n".join(bad)


@pytest.mark.parametrize("package", TORCH_FREE)
def test_lower_layers_need_no_torch(package: str) -> None:
    paths = [p for p in _sources() if _top_level(p) == package]
    assert paths, f"no files for {package}"
    bad = [f"{p.relative_to(MODULES.parent)}:{line}: {name}" for p in paths for line, name in _imports(p)
           if name.split(".")[0] == "torch"]
    assert not bad, f"{package} must not import torch:\n" + "\n".join(bad)


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The walk finds an upward import inside a function (so the contract test can fail)."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from modules.ocr.api import OCR\n    return OCR\n", encoding="utf-8")
    assert _imports(sample) == [(2, "modules.ocr.api.OCR")]
    rank = _rank()
    assert rank["ocr"] > rank["geometry"] and rank["lmdbio"] < rank["recognizer"]
