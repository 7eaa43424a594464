"""Where a run's results came from: the code commit and the machine (recorded in ``summary.json``)."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any


def code_commit(root: str | os.PathLike[str]) -> dict[str, Any]:
    """``{"commit": sha, "dirty": bool}`` of the git checkout holding ``root`` (its code, through the
    work folder's links); ``{"commit": "", "dirty": None}`` outside git."""
    code = Path(root).resolve() / "modules"
    where = code.resolve() if code.exists() else Path(root).resolve()
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=where,
                                capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": "", "dirty": None}
    return {"commit": sha, "dirty": bool(status.strip())}


def hardware() -> dict[str, Any]:
    """CPU, core count, OS, Python and torch versions, and the CUDA device when there is one."""
    info: dict[str, Any] = {"platform": platform.platform(), "machine": platform.machine(),
                            "cpu": _cpu_name(), "cpu_count": os.cpu_count(), "python": platform.python_version()}
    try:
        import torch
    except ImportError:
        return info
    info["torch"] = torch.__version__
    info["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else ""
    return info


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()
