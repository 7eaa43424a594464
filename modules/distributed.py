"""Running one training in several processes with ``torch.distributed`` (what ``torchrun`` starts).

``torchrun`` sets ``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``MASTER_ADDR`` and ``MASTER_PORT`` in each
process; ``init_distributed`` reads them, joins the process group (NCCL on CUDA, Gloo on CPU) with a
timeout, and returns a ``DistContext``. Without those variables (a plain ``python`` run or a notebook)
it returns the single-process context and touches nothing, so every caller runs unchanged.

Conventions shared by the recognizer and the detector:
- ``batch_size`` is the *global* batch: each of the N processes takes its share of every global batch
  (``shard``), so a run gives the same batches, in the same order, on any number of processes, and a
  checkpoint resumes on any world size.
- only rank 0 validates, writes checkpoints, curves and logs (``DistContext.is_main``).
- a collective that waits longer than ``timeout_min`` raises instead of hanging; ``torchrun`` then ends
  the other processes and reports the failing rank's error.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import torch
import torch.distributed as dist
from torch import nn

T = TypeVar("T")
ENV_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK")


@dataclass(frozen=True)
class DistContext:
    """Where this process stands: ``rank`` of ``world_size`` processes, ``local_rank`` on its machine.
    ``enabled`` when a process group is initialised (even one of a single process under ``torchrun``)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    enabled: bool = False

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def describe(self) -> str:
        if not self.enabled:
            return "single process (no torchrun)"
        return f"rank {self.rank} of {self.world_size} (local rank {self.local_rank}, {dist.get_backend()})"


SINGLE = DistContext()


def launched_by_torchrun() -> bool:
    """True when the torchrun / torch.distributed environment variables are set."""
    return all(name in os.environ for name in ENV_VARS)


def choose_backend(device: torch.device) -> str:
    """NCCL for CUDA devices, Gloo for the CPU."""
    return "nccl" if device.type == "cuda" else "gloo"


def init_distributed(device: str | torch.device | None = None, timeout_min: float = 30.0
                     ) -> tuple[DistContext, torch.device]:
    """Join the process group when started by ``torchrun``; returns the context and this process's device.

    ``device``: ``None`` / ``""`` / ``"auto"`` picks ``cuda:<LOCAL_RANK>`` when CUDA is available, else the
    CPU; ``"cuda"`` becomes ``cuda:<LOCAL_RANK>``; ``"cpu"`` keeps the CPU (Gloo). Without the torchrun
    variables nothing is initialised and the device is chosen as in a plain run.
    """
    wanted = "" if device is None else str(device)
    if wanted in ("", "auto"):
        wanted = "cuda" if torch.cuda.is_available() else "cpu"
    if not launched_by_torchrun():
        return SINGLE, torch.device(wanted)
    rank, world, local = (int(os.environ[name]) for name in ENV_VARS)
    chosen = torch.device(wanted)
    if chosen.type == "cuda":
        chosen = torch.device("cuda", local if chosen.index is None else chosen.index)
        torch.cuda.set_device(chosen)
    if not dist.is_initialized():
        # Without asynchronous error handling an NCCL collective whose peer died waits for ever.
        os.environ.setdefault("TORCH_NCCL_ASYNC_ERROR_HANDLING", "1")
        dist.init_process_group(choose_backend(chosen), timeout=timedelta(minutes=timeout_min),
                                device_id=chosen if chosen.type == "cuda" else None)
    return DistContext(rank=rank, world_size=world, local_rank=local, enabled=True), chosen


def shutdown(context: DistContext) -> None:
    """Wait for every process, then leave the process group (no-op for a single process). Garbage is
    collected first: a DistributedDataParallel wrapper left in a reference cycle keeps the group alive
    until interpreter exit, where tearing down Gloo's threads can abort the process."""
    if context.enabled and dist.is_initialized():
        gc.collect()
        dist.barrier()
        dist.destroy_process_group()


def shard(items: Sequence[T], context: DistContext) -> list[T]:
    """This rank's share of a global batch: items ``rank, rank + N, rank + 2N, ...``. Every item goes to
    exactly one rank; striding keeps each rank's share of a ratio-mixed batch close to the mix."""
    if len(items) < context.world_size:
        raise ValueError(f"a global batch of {len(items)} cannot be split over {context.world_size} processes; "
                         f"raise batch_size to at least {context.world_size}")
    return list(items[context.rank::context.world_size])


def barrier(context: DistContext) -> None:
    """Wait for every process (nothing outside a process group): e.g. until rank 0 has checked the
    output folder."""
    if context.enabled:
        dist.barrier()


def all_reduce_sum(values: Sequence[float], context: DistContext, device: torch.device | None = None) -> list[float]:
    """Element-wise sum of ``values`` over all ranks (the values themselves for a single process)."""
    if not context.enabled or context.world_size == 1:
        return [float(v) for v in values]
    tensor = torch.tensor([float(v) for v in values], dtype=torch.float64, device=device or "cpu")
    dist.all_reduce(tensor)
    return tensor.tolist()


def batch_sizes_line(global_batch: int, context: DistContext) -> str:
    """``"batch: 64 global = 2 processes x 32"`` (uneven shares are shown as a range)."""
    world = context.world_size
    low, high = global_batch // world, -(-global_batch // world)
    per = str(low) if low == high else f"{low}-{high}"
    return f"batch: {global_batch} global = {world} process{'es' if world > 1 else ''} x {per} per process"


class ShardedBatchSampler:
    """Epoch-shuffled global batches of ``batch_size`` indices into ``range(length)``, of which this
    process yields its ``shard``. The permutation depends on ``(seed, epoch)`` only (``set_epoch``), so
    every process agrees on it and an epoch is the same on any world size. ``drop_last`` drops the last
    partial global batch (as a single-process ``DataLoader(drop_last=True)``); the others are complete."""

    def __init__(self, length: int, batch_size: int, context: DistContext, seed: int = 0,
                 drop_last: bool = True) -> None:
        if length < context.world_size:
            raise ValueError(f"{length} samples cannot be split over {context.world_size} processes")
        self.length, self.batch_size, self.context = length, batch_size, context
        self.seed, self.drop_last, self.epoch = seed, drop_last, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def global_batches(self) -> list[list[int]]:
        order = torch.randperm(self.length, generator=torch.Generator().manual_seed(self.seed * 100003 + self.epoch))
        batches = [order[i:i + self.batch_size].tolist() for i in range(0, self.length, self.batch_size)]
        if len(batches) > 1 and (self.drop_last or len(batches[-1]) < self.context.world_size) \
                and len(batches[-1]) < self.batch_size:
            batches.pop()
        return batches

    def __len__(self) -> int:
        return len(self.global_batches())

    def __iter__(self):
        for batch in self.global_batches():
            yield shard(batch, self.context)


class _SyncBatchNormFunction(torch.autograd.Function):
    """Batch norm over the global batch: forward all-reduces the per-channel count + sum, then the
    squared deviations; backward all-reduces the per-channel sums of ``dy`` and ``dy * x_hat`` (as
    ``torch.nn.SyncBatchNorm`` does on GPUs). Input ``(B, C, ...)`` float32."""

    @staticmethod
    def forward(ctx, x, weight, bias, eps):  # noqa: ANN001 - autograd signature
        dims = [0, *range(2, x.dim())]
        shape = [1, -1] + [1] * (x.dim() - 2)
        totals = torch.cat([x.new_tensor([x.numel() // x.size(1)]), x.sum(dims)])
        dist.all_reduce(totals)
        n, mean = totals[0], totals[1:] / totals[0]
        centred = x - mean.view(shape)
        var = (centred * centred).sum(dims)
        dist.all_reduce(var)
        var = var / n
        invstd = torch.rsqrt(var + eps)
        x_hat = centred * invstd.view(shape)
        ctx.save_for_backward(x_hat, invstd, weight)
        ctx.n = n
        out = x_hat * weight.view(shape) + bias.view(shape)
        return out, mean, var

    @staticmethod
    def backward(ctx, grad_out, _grad_mean, _grad_var):  # noqa: ANN001
        x_hat, invstd, weight = ctx.saved_tensors
        dims = [0, *range(2, x_hat.dim())]
        shape = [1, -1] + [1] * (x_hat.dim() - 2)
        sum_dy, sum_dy_xhat = grad_out.sum(dims), (grad_out * x_hat).sum(dims)
        sums = torch.cat([sum_dy, sum_dy_xhat])
        dist.all_reduce(sums)
        mean_dy, mean_dy_xhat = (sums / ctx.n).chunk(2)
        grad_x = (grad_out - mean_dy.view(shape) - x_hat * mean_dy_xhat.view(shape)) * (invstd * weight).view(shape)
        return grad_x, sum_dy_xhat, sum_dy, None


class GlooSyncBatchNorm(nn.modules.batchnorm._BatchNorm):
    """Batch norm whose training statistics are taken over the whole global batch, on any device.

    ``torch.nn.SyncBatchNorm`` runs on GPUs only; this one all-reduces the statistics through the
    process group (Gloo on the CPU), so N processes compute what one process computes on the global
    batch. Input ``(B, C, ...)``. Outside a multi-process training it is an ordinary batch norm; its
    state dict is that of ``nn.BatchNorm2d``.
    """

    def _check_input_dim(self, batch: torch.Tensor) -> None:
        if batch.dim() < 2:
            raise ValueError(f"expected at least 2D input, got {batch.dim()}D")

    def forward(self, batch: torch.Tensor) -> torch.Tensor:
        if not (self.training and dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1):
            return super().forward(batch)
        weight = self.weight if self.affine else torch.ones(batch.size(1), device=batch.device, dtype=batch.dtype)
        bias = self.bias if self.affine else torch.zeros(batch.size(1), device=batch.device, dtype=batch.dtype)
        x = batch if batch.dtype == torch.float64 else batch.float()
        out, mean, var = _SyncBatchNormFunction.apply(x, weight.to(x.dtype), bias.to(x.dtype), self.eps)
        if self.track_running_stats and self.running_mean is not None and self.running_var is not None:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                momentum = self.momentum if self.momentum is not None else 1.0 / float(self.num_batches_tracked)
                count = batch.numel() // batch.size(1) * dist.get_world_size()  # equal shares; close enough else
                self.running_mean.lerp_(mean.to(self.running_mean.dtype), momentum)
                self.running_var.lerp_((var * count / max(count - 1, 1)).to(self.running_var.dtype), momentum)
        return out.to(batch.dtype)


def convert_sync_batchnorm(model: nn.Module, device: torch.device) -> nn.Module:
    """Every ``BatchNorm*d`` of ``model`` synchronised over the process group: ``torch.nn.SyncBatchNorm``
    on CUDA, ``GlooSyncBatchNorm`` elsewhere. Parameters and buffers are kept (same tensors), so an
    optimizer built before still holds them; checkpoints keep the plain batch-norm keys."""
    if device.type == "cuda":
        return nn.SyncBatchNorm.convert_sync_batchnorm(model)
    return _convert_gloo(model)


def _convert_gloo(module: nn.Module) -> nn.Module:
    out = module
    if isinstance(module, nn.modules.batchnorm._BatchNorm) and not isinstance(module, GlooSyncBatchNorm):
        out = GlooSyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                module.track_running_stats)
        if module.affine:
            out.weight, out.bias = module.weight, module.bias
        out.running_mean, out.running_var = module.running_mean, module.running_var
        out.num_batches_tracked = module.num_batches_tracked
        out.train(module.training)
    for name, child in module.named_children():
        out.add_module(name, _convert_gloo(child))
    return out


def wrap_ddp(model: nn.Module, device: torch.device, context: DistContext) -> nn.Module:
    """``DistributedDataParallel(model)`` when distributed, else ``model`` itself. Gradients are averaged
    over the ranks after each backward; call the wrapper for training forwards and keep the plain module
    for validation and checkpoints (only rank 0 validates, and the wrapper's forward is collective)."""
    if not context.enabled:
        return model
    device_ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(model, device_ids=device_ids, broadcast_buffers=False)


def torchrun_command(module: str, config_path: str, nproc_per_node: int = 1, nnodes: int = 1,
                     rdzv_endpoint: str = "", rdzv_id: str = "kocr", extra: Sequence[str] = (),
                     launcher: Sequence[str] = ("torchrun",)) -> list[str]:
    """The ``torchrun`` command line for ``python -m module --config config_path``: ``--standalone`` on
    one machine; with ``nnodes > 1`` a c10d rendezvous at ``rdzv_endpoint`` (``host:port`` of one node),
    the same command run on every machine. ``launcher``: ``(sys.executable, "-m", "torch.distributed.run")``
    runs torchrun from this Python environment without needing it on ``PATH``."""
    cmd = [*launcher, f"--nproc_per_node={nproc_per_node}"]
    if nnodes > 1:
        if not rdzv_endpoint:
            raise ValueError("several machines need rdzv_endpoint='host:port' of one of them")
        cmd += [f"--nnodes={nnodes}", "--rdzv_backend=c10d", f"--rdzv_endpoint={rdzv_endpoint}", f"--rdzv_id={rdzv_id}"]
    else:
        cmd.append("--standalone")
    return [*cmd, "-m", module, "--config", config_path, *extra]
