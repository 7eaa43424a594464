"""Shared fixtures: every test runs offline on small synthetic data."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def font_path(repo_root: Path) -> Path:
    """A shipped Hangul-capable font (NanumGothic)."""
    return repo_root / "textimagegenerator" / "fonts" / "NanumGothic.ttf"
