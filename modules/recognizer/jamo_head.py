"""An output layer whose Hangul syllable classes share weights through their jamo.

A precomposed syllable (U+AC00..U+D7A3) is one of 19 initial x 21 medial x 28 final (none included)
jamo. A plain output layer learns each of the charset's ~2,400 syllables on its own, so a syllable seen a
handful of times in training is barely learned. Here the logit of syllable ``s`` is

    logit[s] = w[s] . x + b[s]  +  (J[initial(s)] + J[medial(s)] + J[final(s)] + J[hangul]) . x + ...

with ``J`` one row per jamo (and one shared by every syllable). Every training syllable updates the rows of
its three jamo, so a rare syllable's logit is learned from the common syllables it shares jamo with. The
per-syllable rows ``w[s]`` start at zero and learn what the jamo sum misses. Non-Hangul classes (Latin,
digits, punctuation, the special tokens) keep plain rows. A syllable never seen in training is still not
read: every other sample pushes its own row down, and nothing pulls it up.

Why it is on by default (``ModelConfig.jamo_head``): Korean syllables follow a long tail, so a CPU-sized
training set shows many of the charset's syllables only a handful of times, while the jamo they are built
from (19 initials, 21 medials, 27 finals) are each shared by many syllables.
The shared rows cost nothing at inference: ``fold_jamo_layers`` folds them into a plain layer when a
checkpoint is loaded. The comparison runs are in ``docs/experiments.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from modules.text.normalize import is_hangul_syllable

INITIALS, MEDIALS, FINALS = 19, 21, 28  # FINALS includes "no final consonant"
COMPONENTS = INITIALS + MEDIALS + FINALS + 1  # + 1: a row every syllable shares
FIRST_SYLLABLE = 0xAC00  # 가


def jamo_indices(ch: str) -> tuple[int, int, int] | None:
    """``(initial, medial, final)`` indices of a precomposed Hangul syllable (final 0 = none), else None."""
    if len(ch) != 1 or not is_hangul_syllable(ch):
        return None
    code = ord(ch) - FIRST_SYLLABLE
    return code // (MEDIALS * FINALS), (code % (MEDIALS * FINALS)) // FINALS, code % FINALS


def hangul_composition(chars: Sequence[str], offset: int) -> torch.Tensor:
    """``(offset + len(chars), COMPONENTS)`` float 0/1 matrix: row ``offset + i`` marks the jamo of
    ``chars[i]`` (all zero for a non-syllable); the first ``offset`` rows (special tokens) are zero."""
    matrix = torch.zeros(offset + len(chars), COMPONENTS)
    for i, ch in enumerate(chars):
        parts = jamo_indices(ch)
        if parts is not None:
            initial, medial, final = parts
            row = offset + i
            matrix[row, initial] = 1.0
            matrix[row, INITIALS + medial] = 1.0
            matrix[row, INITIALS + MEDIALS + final] = 1.0
            matrix[row, COMPONENTS - 1] = 1.0
    return matrix


class JamoLinear(nn.Module):
    """``(..., in_features) -> (..., num_class)`` logits: a plain row per class plus, for Hangul syllables,
    the sum of their jamo rows (see the module docstring).

    ``weight`` / ``bias`` are the per-class rows (named like ``nn.Linear``'s, so checkpoints and the
    charset remapping treat them alike); ``jamo`` is ``nn.Linear(in_features, COMPONENTS)``; the
    composition ``(num_class, COMPONENTS)`` comes from the charset and is not saved.
    """

    def __init__(self, in_features: int, composition: torch.Tensor) -> None:
        super().__init__()
        num_class = composition.shape[0]
        self.in_features, self.out_features = in_features, num_class
        self.weight = nn.Parameter(torch.empty(num_class, in_features))
        self.bias = nn.Parameter(torch.zeros(num_class))
        self.jamo = nn.Linear(in_features, COMPONENTS)
        self.register_buffer("composition", composition.float(), persistent=False)
        nn.init.kaiming_normal_(self.weight)
        self.zero_syllable_rows()

    def zero_syllable_rows(self) -> None:
        """Start every syllable's own row at zero, so its logit is the jamo sum alone until it is seen."""
        with torch.no_grad():
            self.weight[self.composition.sum(dim=1) > 0] = 0.0

    def folded(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The equivalent plain layer's ``(weight (num_class, in_features), bias (num_class,))``."""
        weight = self.weight + self.composition.to(self.weight.dtype) @ self.jamo.weight
        return weight, self.bias + self.composition.to(self.bias.dtype) @ self.jamo.bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        jamo = self.jamo(x)  # (..., COMPONENTS)
        return F.linear(x, self.weight, self.bias) + F.linear(jamo, self.composition.to(jamo.dtype))


def fold_jamo_layers(model: nn.Module) -> nn.Module:
    """Replace every ``JamoLinear`` in ``model`` (in place) by the equivalent plain ``nn.Linear``, which
    is cheaper to run; for inference (the model can no longer be trained or saved as a jamo model)."""
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, JamoLinear):
                weight, bias = child.folded()
                plain = nn.Linear(child.in_features, child.out_features, device=weight.device, dtype=weight.dtype)
                with torch.no_grad():
                    plain.weight.copy_(weight)
                    plain.bias.copy_(bias)
                setattr(parent, name, plain)
    return model
