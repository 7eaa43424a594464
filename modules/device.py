"""Which torch device to run on: ``"auto"`` (CUDA when present, else CPU) or a name the machine has.

Every notebook parameter, API and command-line ``device`` goes through ``resolve_device``, so the
default is the same everywhere and asking for a GPU the machine lacks fails at once with a message that
says so, instead of deep inside the first ``.to()``.
"""

from __future__ import annotations

import torch

AUTO = "auto"


class DeviceError(ValueError):
    """A requested device is unknown or not available on this machine; the message says which and why."""


def resolve_device(device: str | torch.device | None = AUTO) -> torch.device:
    """``None``, ``""`` or ``"auto"`` -> ``cuda`` when CUDA is available, else ``cpu``; any other name
    (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``) -> that device, checked to exist here.

    Raises ``DeviceError`` for an unknown name or a CUDA / MPS device this machine does not have.
    """
    if device is None or (isinstance(device, str) and device.strip().lower() in ("", AUTO)):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device.strip() if isinstance(device, str) else device)
    except (RuntimeError, TypeError) as error:
        raise DeviceError(f"unknown device {device!r}: use auto, cpu, cuda or cuda:N") from error
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(
                f"device {str(device)!r} asked for, but CUDA is not available on this machine "
                f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'none'}): "
                "use device 'auto' or 'cpu'"
            )
        count = torch.cuda.device_count()
        if resolved.index is not None and resolved.index >= count:
            raise DeviceError(f"device {str(device)!r} asked for, but this machine has {count} CUDA device(s)")
    elif resolved.type == "mps" and not torch.backends.mps.is_available():
        raise DeviceError(f"device {str(device)!r} asked for, but MPS is not available on this machine: "
                          "use device 'auto' or 'cpu'")
    return resolved
