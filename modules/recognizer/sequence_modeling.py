"""Stage 3, SequenceModeling: None | BiLSTM (two stacked bidirectional LSTMs, as in CRNN / DTRB).

Input ``(B, T, C_in)`` visual features, output ``(B, T, C_out)`` contextual features; ``out_dim``
tells the prediction head its input width (``C_in`` for None, ``hidden_size`` for BiLSTM).
"""

from __future__ import annotations

import torch
from torch import nn


class NoSequenceModeling(nn.Module):
    """Identity: ``(B, T, C) -> (B, T, C)``."""

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.out_dim = input_size

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return features


class BidirectionalLSTM(nn.Module):
    """``(B, T, input_size) -> (B, T, output_size)``: a BiLSTM followed by a linear projection."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
        super().__init__()
        self.rnn = nn.LSTM(input_size, hidden_size, bidirectional=True, batch_first=True)
        self.linear = nn.Linear(hidden_size * 2, output_size)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        recurrent, _ = self.rnn(features)  # (B, T, 2 * hidden)
        return self.linear(recurrent)


class BiLSTM(nn.Module):
    """Two stacked ``BidirectionalLSTM``: ``(B, T, input_size) -> (B, T, hidden_size)``."""

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            BidirectionalLSTM(input_size, hidden_size, hidden_size),
            BidirectionalLSTM(hidden_size, hidden_size, hidden_size),
        )
        self.out_dim = hidden_size

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.layers(features)


SEQUENCE_MODELS: dict[str, type[nn.Module]] = {"None": NoSequenceModeling, "BiLSTM": BiLSTM}
