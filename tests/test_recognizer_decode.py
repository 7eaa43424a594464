import numpy as np
import pytest
import torch

from modules.recognizer.codec import AttnCodec, CTCCodec, make_codec
from modules.recognizer.ctc_decode import attn_greedy, ctc_beam_search, ctc_greedy
from modules.text.charset import Charset

CHARSET = Charset.from_chars("가나다ab")


def test_ctc_codec_round_trip_and_errors():
    codec = CTCCodec(CHARSET)
    targets, lengths = codec.encode(["가나", "ba"])
    assert targets.tolist() == [1, 2, 5, 4] and lengths.tolist() == [2, 2]
    assert codec.ids_to_text([1, 2]) == "가나"
    with pytest.raises(KeyError, match="outside the charset"):
        codec.encode(["가z"])
    with pytest.raises(ValueError, match="valid"):
        make_codec("Transformer", CHARSET)


def test_attn_codec_layout():
    codec = AttnCodec(CHARSET, batch_max_length=4)
    tokens, lengths = codec.encode(["가a"])
    assert tokens.tolist() == [[0, 2, 5, 1, 0, 0]] and lengths.tolist() == [3]
    assert codec.ids_to_text([2, 5, 1, 3]) == "가a"
    with pytest.raises(ValueError, match="batch_max_length"):
        codec.encode(["가나다ab"])


def _one_hot_probs(path: list[int], num_class: int = 6, p: float = 0.9) -> torch.Tensor:
    probs = torch.full((len(path), num_class), (1 - p) / (num_class - 1))
    probs[torch.arange(len(path)), torch.tensor(path)] = p
    return probs


def test_ctc_greedy_collapses_repeats_and_blanks():
    probs = _one_hot_probs([1, 1, 0, 1, 2, 2, 0, 0]).unsqueeze(0)
    (ids, conf), = ctc_greedy(probs)
    assert ids == [1, 1, 2]
    assert conf == pytest.approx(0.9**8, rel=1e-5)


def test_beam_search_matches_greedy_when_peaked_and_beats_it_otherwise():
    probs = _one_hot_probs([1, 0, 2, 2, 0, 3]).numpy()
    assert ctc_beam_search(probs)[0] == [1, 2, 3]
    # Classic case: greedy path is blank-blank (empty), but "1" has more total probability.
    probs = np.array([[0.4, 0.35, 0.25], [0.4, 0.35, 0.25]])
    (greedy_ids, _), = ctc_greedy(torch.from_numpy(probs).unsqueeze(0))
    beam_ids, beam_p = ctc_beam_search(probs, beam_width=4)
    assert greedy_ids == [] and beam_ids == [1]
    assert beam_p == pytest.approx(0.35 * 0.35 + 0.4 * 0.35 * 2)


def test_attn_greedy_stops_at_end_token():
    probs = _one_hot_probs([2, 3, 1, 4, 4]).unsqueeze(0)
    (ids, conf), = attn_greedy(probs)
    assert ids == [2, 3] and conf == pytest.approx(0.9**3, rel=1e-5)
