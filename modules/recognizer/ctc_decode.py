"""Decoding model outputs into ``(class ids, confidence)``: greedy for both heads, beam search for CTC.

Confidence is the product of the per-step maximum probabilities (DTRB's convention): over all frames
for CTC greedy, over the steps up to and including ``[s]`` for Attn; for beam search it is the
probability of the best labelling summed over its alignments.
"""

from __future__ import annotations

import math

import numpy as np
import torch


def ctc_greedy(probs: torch.Tensor) -> list[tuple[list[int], float]]:
    """``probs`` (B, T, C) softmax output -> per sample (ids with repeats collapsed and blanks (0) removed,
    confidence)."""
    best, idx = probs.float().max(dim=2)  # (B, T)
    conf = best.clamp_min(1e-12).log().sum(dim=1).exp().tolist()
    idx = idx.cpu()
    keep = torch.ones_like(idx, dtype=torch.bool)
    keep[:, 1:] = idx[:, 1:] != idx[:, :-1]
    keep &= idx != 0
    return [(idx[b][keep[b]].tolist(), conf[b]) for b in range(idx.size(0))]


def attn_greedy(probs: torch.Tensor, eos: int = 1) -> list[tuple[list[int], float]]:
    """``probs`` (B, steps, C) softmax output of the Attn head -> per sample (ids before ``[s]``, confidence)."""
    best, idx = probs.float().max(dim=2)
    out = []
    for b in range(idx.size(0)):
        row = idx[b].tolist()
        end = row.index(eos) if eos in row else len(row) - 1
        conf = float(best[b, : end + 1].clamp_min(1e-12).log().sum().exp())
        out.append((row[:end], conf))
    return out


def _logsumexp(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def ctc_beam_search(probs: np.ndarray, beam_width: int = 5, top_k: int = 8) -> tuple[list[int], float]:
    """CTC prefix beam search over one sample's ``probs`` (T, C), blank = 0.

    Only the ``top_k`` most likely classes of each frame are expanded (a 2,400-class Korean charset
    would otherwise cost T x C x beam work per sample). Returns (best ids, its probability).
    """
    log_probs = np.log(np.clip(probs.astype(np.float64), 1e-12, None))
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, -math.inf)}  # prefix -> (p_blank, p_nonblank)
    for t in range(log_probs.shape[0]):
        frame = log_probs[t]
        candidates = np.argpartition(-frame, min(top_k, frame.size - 1))[:top_k]
        nxt: dict[tuple[int, ...], tuple[float, float]] = {}

        def add(prefix: tuple[int, ...], pb: float, pnb: float) -> None:
            old_b, old_nb = nxt.get(prefix, (-math.inf, -math.inf))
            nxt[prefix] = (_logsumexp(old_b, pb), _logsumexp(old_nb, pnb))

        for prefix, (pb, pnb) in beams.items():
            total = _logsumexp(pb, pnb)
            add(prefix, total + frame[0], -math.inf)  # emit blank
            for c in candidates:
                c = int(c)
                if c == 0:
                    continue
                lp = float(frame[c])
                if prefix and prefix[-1] == c:
                    add(prefix, -math.inf, pnb + lp)  # repeat collapses into the same prefix
                    add(prefix + (c,), -math.inf, pb + lp)  # blank-separated repeat
                else:
                    add(prefix + (c,), -math.inf, total + lp)
        beams = dict(sorted(nxt.items(), key=lambda kv: -_logsumexp(*kv[1]))[:beam_width])
    best, (pb, pnb) = max(beams.items(), key=lambda kv: _logsumexp(*kv[1]))
    return list(best), math.exp(_logsumexp(pb, pnb))
