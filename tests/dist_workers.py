"""Helpers of the distributed-training tests: start N local processes as ``torchrun`` would (Gloo, CPU,
127.0.0.1 and a free port), and the functions those processes run. Kept out of the test files so the
spawned processes import them by name."""

from __future__ import annotations

import os
import socket
import traceback
from collections.abc import Callable
from typing import Any

import torch
import torch.multiprocessing as mp

from modules.distributed import init_distributed, shutdown


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def torchrun_env(rank: int, world_size: int, port: int) -> dict[str, str]:
    return {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "RANK": str(rank), "WORLD_SIZE": str(world_size),
            "LOCAL_RANK": str(rank), "LOCAL_WORLD_SIZE": str(world_size)}


def _entry(rank: int, fn: Callable[..., Any], world_size: int, port: int, args: tuple, timeout_min: float) -> None:
    os.environ.update(torchrun_env(rank, world_size, port))
    torch.set_num_threads(1)
    try:
        context, device = init_distributed("cpu", timeout_min=timeout_min)
        fn(context, device, *args)
        shutdown(context)
    except BaseException:
        traceback.print_exc()
        raise


def launch(fn: Callable[..., Any], world_size: int, *args: Any, timeout_min: float = 2.0) -> None:
    """Run ``fn(context, device, *args)`` in ``world_size`` fresh processes with a Gloo process group; an
    error in any of them ends all and is raised here (``torch.multiprocessing.ProcessRaisedException``)."""
    mp.start_processes(_entry, args=(fn, world_size, free_port(), args, timeout_min), nprocs=world_size,
                       start_method="spawn", join=True)


def recognizer_worker(context, device, params: dict[str, Any], stop_at: int | None = None,
                      optim_changes: dict[str, Any] | None = None) -> None:
    from modules.pipeline.train_recognizer import train_recognizer

    train_recognizer(params, context, device, log=lambda text: None, stop_at=stop_at, optim_changes=optim_changes)


def detector_worker(context, device, params: dict[str, Any], max_epochs_this_run: int | None = None,
                    train_changes: dict[str, Any] | None = None, float64: bool = False) -> None:
    """``float64``: weights and inputs in double precision (a comparison of 1 and 2 processes in float32
    drifts: an untrained MobileNet's 27 batch norms over 2-image shares amplify rounding)."""
    from modules.detector.model import YoloDetector
    from modules.pipeline.train_detector import train_detector

    if float64:
        torch.set_default_dtype(torch.float64)

        def to_double(module, args):
            if isinstance(module, YoloDetector):
                return tuple(a.double() if torch.is_tensor(a) else a for a in args)
            return None

        torch.nn.modules.module.register_module_forward_pre_hook(to_double)
    train_detector(params, context, device, log=lambda text: None, max_epochs_this_run=max_epochs_this_run,
                   train_changes=train_changes)
