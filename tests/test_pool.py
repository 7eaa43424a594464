"""The one process-pool helper: same outputs here and in worker processes, order kept where promised."""

from __future__ import annotations

from modules.pool import ordered_outputs, unordered_outputs

_OFFSET: list[int] = []


def _init(offset: int) -> None:
    _OFFSET[:] = [offset]


def _add(x: int) -> int:
    return x + _OFFSET[0]


def _square(x: int) -> int:
    return x * x


def test_unordered_outputs_here_and_in_workers_agree() -> None:
    with unordered_outputs(_add, range(20), 1, _init, 100) as here:
        expected = list(here)
    assert expected == list(range(100, 120))
    with unordered_outputs(_add, range(20), 2, _init, 100, chunksize=3) as pooled:
        assert sorted(pooled) == expected


def test_ordered_outputs_keep_input_order() -> None:
    assert list(ordered_outputs(_square, range(30), 0)) == [x * x for x in range(30)]
    assert list(ordered_outputs(_square, iter(range(30)), 2, window=1)) == [x * x for x in range(30)]
    assert list(ordered_outputs(_square, range(30), 2, fork=True)) == [x * x for x in range(30)]
