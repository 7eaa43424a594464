"""Pipeline steps: a notebook (or a Python function) plus its parameter overrides per profile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PROFILES = ("smoke", "default", "pretrain", "full")


@dataclass(frozen=True)
class Step:
    """A notebook ``notebooks/<name>.ipynb`` run with papermill.

    The ``default`` profile runs the notebook with its own defaults; ``smoke``, ``pretrain`` and ``full``
    hold the overrides for those profiles. ``outputs`` names the parameters whose values are artifact paths,
    listed (with whether they exist) in the run's ``summary.json``.
    """

    name: str
    smoke: Mapping[str, Any] = field(default_factory=dict)
    full: Mapping[str, Any] = field(default_factory=dict)
    pretrain: Mapping[str, Any] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()

    def overrides(self, profile: str) -> dict[str, Any]:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
        return dict({"smoke": self.smoke, "default": {}, "pretrain": self.pretrain, "full": self.full}[profile])


@dataclass(frozen=True)
class Prepare:
    """A Python function ``module:function`` called before the notebooks, e.g. to create sample data.

    It is called as ``function(profile=..., **kwargs)`` and returns a mapping of artifact names to paths.
    ``provides`` (optional, ``module:function``), called as ``function(**kwargs)``, names the input paths
    the step makes without making them; the runner then calls the step only when a selected notebook
    reads one of them (``runner.readers_of``), so a run on the user's own data never builds sample data.
    """

    name: str
    target: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    provides: str = ""
