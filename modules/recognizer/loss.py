"""Training losses for the two heads (inputs are never modified in place)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def ctc_loss(logits: torch.Tensor, targets: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """``logits`` (B, T, C), ``targets`` (sum L,), ``lengths`` (B,) -> mean CTC loss (blank 0).

    Computed in float32 (CTC is unstable in half precision); infinite losses (label longer than the
    frames) are zeroed rather than poisoning the batch.
    """
    log_probs = logits.float().log_softmax(2).transpose(0, 1)  # (T, B, C)
    input_lengths = torch.full((logits.size(0),), logits.size(1), dtype=torch.long)
    return F.ctc_loss(log_probs, targets, input_lengths, lengths, blank=0, reduction="mean", zero_infinity=True)


def attn_loss(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """``logits`` (B, steps, C), ``tokens`` (B, steps + 1) from ``AttnCodec.encode`` -> mean
    cross-entropy over real characters and ``[s]`` (padding id 0 ignored)."""
    target = tokens[:, 1:]
    return F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), target.reshape(-1), ignore_index=0)
