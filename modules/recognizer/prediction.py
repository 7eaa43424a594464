"""Stage 4, Prediction: CTC (per-frame classifier) | Attn (attention LSTM decoder, DTRB's Bahdanau cell).

Input ``(B, T, D)`` contextual features. Output logits:

- CTC: ``(B, T, num_class)``, class 0 is the CTC blank.
- Attn: ``(B, max_length + 1, num_class)``, class 0 is ``[GO]`` (also the padding), class 1 is ``[s]``
  (end of sequence). Training uses teacher forcing with ``targets`` = ``(B, max_length + 1)`` input
  tokens starting with ``[GO]``; inference (``targets=None``) feeds back its own greedy choice.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from modules.recognizer.jamo_head import JamoLinear


def output_layer(input_size: int, num_class: int, composition: torch.Tensor | None) -> nn.Module:
    """``nn.Linear``, or a ``JamoLinear`` when a Hangul ``composition`` ``(num_class, COMPONENTS)`` is given."""
    if composition is None:
        return nn.Linear(input_size, num_class)
    if composition.shape[0] != num_class:
        raise ValueError(f"composition has {composition.shape[0]} rows for {num_class} classes")
    return JamoLinear(input_size, composition)


class CTCHead(nn.Module):
    """Linear per-frame classifier: ``(B, T, D) -> (B, T, num_class)``."""

    def __init__(self, input_size: int, hidden_size: int, num_class: int,
                 composition: torch.Tensor | None = None) -> None:
        super().__init__()
        self.generator = output_layer(input_size, num_class, composition)

    def forward(self, features: torch.Tensor, targets: torch.Tensor | None = None, max_length: int = 25) -> torch.Tensor:
        return self.generator(features)


class AttentionCell(nn.Module):
    """Additive attention over the encoder frames + an LSTM cell fed ``[context, one-hot(prev char)]``.

    The one-hot input is applied as a column lookup into the LSTM input weights (same maths as
    concatenating a one-hot vector, without a ``(B, num_class)`` matmul per step).
    """

    def __init__(self, input_size: int, hidden_size: int, num_class: int) -> None:
        super().__init__()
        self.i2h = nn.Linear(input_size, hidden_size, bias=False)
        self.h2h = nn.Linear(hidden_size, hidden_size)
        self.score = nn.Linear(hidden_size, 1, bias=False)
        self.rnn = nn.LSTMCell(input_size + num_class, hidden_size)
        self.input_size = input_size

    def forward(
        self,
        state: tuple[torch.Tensor, torch.Tensor],
        features: torch.Tensor,
        features_proj: torch.Tensor,
        prev_token: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One decoding step. ``features`` (B, T, D), ``features_proj`` = ``i2h(features)`` (B, T, H),
        ``prev_token`` (B,) long. Returns the new ``(h, c)``, each (B, H)."""
        h, c = state
        energy = self.score(torch.tanh(features_proj + self.h2h(h).unsqueeze(1)))  # (B, T, 1)
        alpha = torch.softmax(energy.float(), dim=1).to(features.dtype)
        context = torch.bmm(alpha.transpose(1, 2), features).squeeze(1)  # (B, D)
        w_ctx = self.rnn.weight_ih[:, : self.input_size]
        w_tok = self.rnn.weight_ih[:, self.input_size :]
        gates = (
            F.linear(context, w_ctx, self.rnn.bias_ih)
            + w_tok.t().index_select(0, prev_token)
            + F.linear(h, self.rnn.weight_hh, self.rnn.bias_hh)
        )
        i, f, g, o = gates.float().chunk(4, dim=1)  # PyTorch LSTM gate order
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c


class AttnHead(nn.Module):
    """Attention decoder: ``(B, T, D) -> (B, max_length + 1, num_class)``."""

    def __init__(self, input_size: int, hidden_size: int, num_class: int,
                 composition: torch.Tensor | None = None) -> None:
        super().__init__()
        self.cell = AttentionCell(input_size, hidden_size, num_class)
        self.generator = output_layer(hidden_size, num_class, composition)
        self.hidden_size = hidden_size

    def forward(self, features: torch.Tensor, targets: torch.Tensor | None = None, max_length: int = 25) -> torch.Tensor:
        b = features.size(0)
        steps = max_length + 1  # + 1 for the end token [s]
        h = features.new_zeros(b, self.hidden_size, dtype=torch.float32)
        state = (h, h.clone())
        proj = self.cell.i2h(features)  # (B, T, H), computed once for all steps
        if targets is not None:
            hiddens = []
            for step in range(steps):
                state = self.cell(state, features, proj, targets[:, step])
                hiddens.append(state[0])
            return self.generator(torch.stack(hiddens, dim=1).to(features.dtype))
        token = torch.zeros(b, dtype=torch.long, device=features.device)  # [GO]
        logits = []
        for _ in range(steps):
            state = self.cell(state, features, proj, token)
            step_logits = self.generator(state[0].to(features.dtype))
            logits.append(step_logits)
            token = step_logits.argmax(dim=1)
        return torch.stack(logits, dim=1)


PREDICTIONS: dict[str, type[nn.Module]] = {"CTC": CTCHead, "Attn": AttnHead}
