"""Label <-> class-id conversion for the two heads. The charset's line order defines the ids.

- ``CTCCodec``: id 0 is the blank, character ``i`` of the charset is id ``i + 1``.
- ``AttnCodec``: id 0 is ``[GO]`` (also padding), id 1 is ``[s]`` (end), character ``i`` is id ``i + 2``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from modules.text.charset import Charset


class CTCCodec:
    """CTC labels: ``encode`` gives concatenated targets + lengths (``F.ctc_loss`` layout)."""

    offset = 1
    specials: tuple[str, ...] = ("[blank]",)

    def __init__(self, charset: Charset, batch_max_length: int = 25) -> None:
        self.charset = charset
        self.batch_max_length = batch_max_length
        self.num_class = len(charset) + self.offset

    def _ids(self, label: str) -> list[int]:
        index = self.charset.index
        missing = self.charset.missing(label)
        if missing:
            raise KeyError(f"label {label!r} has characters outside the charset: {sorted(missing)}")
        return [index[c] + self.offset for c in label]

    def encode(self, labels: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """``labels`` -> ``(targets (sum of lengths,) long, lengths (B,) long)``."""
        ids = [self._ids(label) for label in labels]
        targets = torch.tensor([i for row in ids for i in row], dtype=torch.long)
        return targets, torch.tensor([len(row) for row in ids], dtype=torch.long)

    def ids_to_text(self, ids: Sequence[int]) -> str:
        """Class ids (already collapsed, no blanks) -> text."""
        chars = self.charset.chars
        return "".join(chars[i - self.offset] for i in ids if i >= self.offset)


class AttnCodec:
    """Attention labels: ``[GO] c1 .. cn [s]`` padded with ``[GO]`` to ``batch_max_length + 2``."""

    offset = 2
    specials: tuple[str, ...] = ("[GO]", "[s]")
    go, eos = 0, 1

    def __init__(self, charset: Charset, batch_max_length: int = 25) -> None:
        self.charset = charset
        self.batch_max_length = batch_max_length
        self.num_class = len(charset) + self.offset

    def encode(self, labels: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """``labels`` -> ``(tokens (B, batch_max_length + 2) long, lengths (B,) long incl. [s])``.

        ``tokens[:, :-1]`` is the decoder input, ``tokens[:, 1:]`` the target (0 = ignored padding).
        """
        index = self.charset.index
        tokens = torch.full((len(labels), self.batch_max_length + 2), self.go, dtype=torch.long)
        lengths = []
        for row, label in enumerate(labels):
            if len(label) > self.batch_max_length:
                raise ValueError(f"label {label!r} is longer than batch_max_length={self.batch_max_length}")
            missing = self.charset.missing(label)
            if missing:
                raise KeyError(f"label {label!r} has characters outside the charset: {sorted(missing)}")
            ids = [index[c] + self.offset for c in label] + [self.eos]
            tokens[row, 1 : 1 + len(ids)] = torch.tensor(ids, dtype=torch.long)
            lengths.append(len(ids))
        return tokens, torch.tensor(lengths, dtype=torch.long)

    def ids_to_text(self, ids: Sequence[int]) -> str:
        """Class ids up to (not including) the first ``[s]`` -> text."""
        chars, out = self.charset.chars, []
        for i in ids:
            if i == self.eos:
                break
            if i >= self.offset:
                out.append(chars[i - self.offset])
        return "".join(out)


CODECS: dict[str, type[CTCCodec] | type[AttnCodec]] = {"CTC": CTCCodec, "Attn": AttnCodec}


def make_codec(prediction: str, charset: Charset, batch_max_length: int = 25) -> CTCCodec | AttnCodec:
    """The codec for a prediction head name (``CTC`` | ``Attn``)."""
    if prediction not in CODECS:
        raise ValueError(f"unknown Prediction {prediction!r}; valid: {sorted(CODECS)}")
    return CODECS[prediction](charset, batch_max_length)
