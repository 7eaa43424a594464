"""The recognizer's ``Trainer`` under ``torchrun``: DistributedDataParallel, optional synchronised batch
norm, and losses weighted so that N processes compute the gradient of the global batch's loss.

DDP averages the ranks' gradients. Each rank's loss is a mean over its own share (per sample for CTC,
per target token for Attn), and the shares can differ in size (a 63-sample batch over 2 processes), so
the average of the means is not the global mean. Scaling rank r's loss by ``N * n_r / sum(n)``, where
``n_r`` is what its mean divides by, makes the averaged gradient that of the global mean, exactly.
"""

from __future__ import annotations

import torch

from modules.distributed import DistContext, all_reduce_sum, convert_sync_batchnorm, wrap_ddp
from modules.recognizer.codec import AttnCodec, CTCCodec
from modules.recognizer.config import Preprocess
from modules.recognizer.model import RecognitionModel
from modules.recognizer.train import OptimConfig, Trainer
from modules.text.charset import Charset


class DistributedTrainer(Trainer):
    """``Trainer`` whose training steps run through DDP; ``step`` returns the global batch's mean loss.

    ``sync_bn`` replaces the model's batch norms by synchronised ones (statistics over the global batch,
    as one process would compute them). ``self.model`` stays the plain module: validation and
    checkpoints use it, on rank 0 only. With a single-process context it behaves as ``Trainer``.
    """

    def __init__(self, model: RecognitionModel, charset: Charset, preprocess: Preprocess, optim: OptimConfig,
                 context: DistContext, amp: str = "auto", channels_last: bool = True, sync_bn: bool = False) -> None:
        device = next(model.parameters()).device
        if sync_bn and context.enabled:
            model = convert_sync_batchnorm(model, device)
        super().__init__(model, charset, preprocess, optim, amp=amp, channels_last=channels_last)
        self.context = context
        self.train_forward = wrap_ddp(self.model, self.device, context)
        self._norm = 1.0
        self._global_norm = 1.0

    def _normaliser(self, labels: list[str]) -> float:
        """What this rank's mean loss divides by: samples (CTC) or target tokens with ``[s]`` (Attn)."""
        if isinstance(self.codec, CTCCodec):
            return float(len(labels))
        tokens, _ = self.codec.encode(labels)
        return float((tokens[:, 1:] != AttnCodec.go).sum())

    def loss_share(self, labels: list[str]) -> float:
        self._norm = self._normaliser(labels)
        self._global_norm = all_reduce_sum([self._norm], self.context, self.device)[0]
        return self.context.world_size * self._norm / self._global_norm

    def step(self, images: torch.Tensor, labels: list[str]) -> float:
        local = super().step(images, labels)
        if not self.context.enabled:
            return local
        return all_reduce_sum([local * self._norm], self.context, self.device)[0] / self._global_norm
