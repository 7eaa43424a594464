"""What the training command lines share: notebook parameters from a JSON file, and the torchrun
process group around the training function. Used by ``modules.pipeline.train_recognizer`` and
``modules.pipeline.train_detector``.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from modules.distributed import init_distributed, shutdown

# Parameters of a distributed run that the notebooks need not declare (their defaults).
EXTRA_DEFAULTS: dict[str, Any] = {"sync_bn": False, "dist_timeout_min": 30.0}


def load_params(notebook: Path, config: str | None, overrides: Sequence[str]) -> dict[str, Any]:
    """The notebook's defaults, updated by the JSON file ``config`` and by ``name=value`` overrides;
    checked against the notebook's declarations (the CLI is an entry point, like the notebook itself)."""
    from modules.pipeline.parameters import check_overrides, declared_parameters, parse_value

    params = {**EXTRA_DEFAULTS, **{name: d.default for name, d in declared_parameters(notebook).items()}}
    given: dict[str, Any] = json.loads(Path(config).read_text(encoding="utf-8")) if config else {}
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"-p {item!r}: expected name=value")
        given[name] = parse_value(value)
    check_overrides(notebook, {k: v for k, v in given.items() if k not in EXTRA_DEFAULTS})
    params.update(given)
    return params


def run_cli(argv: Sequence[str] | None, notebook: Path, train: Callable[..., Any], doc: str | None) -> int:
    """Parse ``--config`` / ``-p``, join the process group when under torchrun, run
    ``train(params, context, device)``, leave the group. Returns the exit status."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="JSON object of notebook parameters (e.g. written by the notebook)")
    parser.add_argument("-p", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    params = load_params(notebook, args.config, args.overrides)
    context, device = init_distributed(params["device"] or None, params["dist_timeout_min"])
    train(params, context, device)  # an error ends this process; torchrun then stops the others
    shutdown(context)
    return 0
