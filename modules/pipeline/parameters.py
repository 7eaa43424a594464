"""Reading a notebook's ``parameters`` cell and checking overrides against it.

Papermill only warns about a parameter the notebook does not declare; a typo would then silently run
with the default. Here an undeclared name, or a value whose type does not match the declared default,
is an error naming the notebook.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "list": (list, tuple),
    "dict": (dict,),
}


class ParameterError(ValueError):
    """An override the notebook does not declare, or of the wrong type."""


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: its annotation (as written), literal default and comment."""

    name: str
    annotation: str
    default: Any
    help: str


def parameters_cell(path: str | os.PathLike[str]) -> tuple[int, str]:
    """Index and source of the single cell tagged ``parameters``; raises if there is not exactly one."""
    nb = nbformat.read(str(path), as_version=4)
    cells = [(i, c) for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{path}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    index, cell = cells[0]
    if cell.cell_type != "code":
        raise ParameterError(f"{path}: the 'parameters' cell must be a code cell")
    return index, cell.source


def declared_parameters(path: str | os.PathLike[str]) -> dict[str, Parameter]:
    """Parse the parameters cell: every statement must be ``name: type = literal  # comment``."""
    _, source = parameters_cell(path)
    lines = source.split("\n")
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise ParameterError(f"{path}: parameters cell does not parse: {error}") from error
    out: dict[str, Parameter] = {}
    for node in tree.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value):
            raise ParameterError(
                f"{path}: line {node.lineno} of the parameters cell is not 'name: type = literal'"
            )
        try:
            default = ast.literal_eval(node.value)
        except ValueError as error:
            raise ParameterError(
                f"{path}: parameter {node.target.id!r} has a computed default; use a literal"
            ) from error
        comment = lines[node.end_lineno - 1].partition("#")[2].strip() if "#" in lines[node.end_lineno - 1] else ""
        out[node.target.id] = Parameter(node.target.id, ast.unparse(node.annotation), default, comment)
    return out


def _matches(value: Any, annotation: str) -> bool:
    if value is None:
        return "None" in annotation or "Optional" in annotation
    options = [part.strip() for part in annotation.replace("Optional[", "").rstrip("]").split("|")]
    accepted: list[type] = []
    for option in options:
        base = option.split("[")[0]
        accepted.extend(_TYPES.get(base, ()))
        if base not in _TYPES and base != "None":
            return True  # an annotation we do not check
    if isinstance(value, bool) and bool not in accepted:
        return False
    return isinstance(value, tuple(accepted))


def check_overrides(path: str | os.PathLike[str], overrides: dict[str, Any]) -> None:
    """Raise ``ParameterError`` for names the notebook does not declare or values of the wrong type."""
    declared = declared_parameters(path)
    name = Path(path).stem
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        raise ParameterError(
            f"{name} does not declare parameter(s) {', '.join(unknown)}; "
            f"it declares: {', '.join(declared) or '(none)'}"
        )
    for key, value in overrides.items():
        if not _matches(value, declared[key].annotation):
            raise ParameterError(
                f"{name}: parameter {key!r} is declared {declared[key].annotation}, got {value!r}"
            )


def parse_value(text: str) -> Any:
    """``-p key=value`` values: Python literals (numbers, True, [1, 2], "x"), else the plain string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
