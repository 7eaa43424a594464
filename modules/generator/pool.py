"""Running generator work chunks in this process or in a pool of worker processes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any, TypeVar

Chunk = TypeVar("Chunk")
Output = TypeVar("Output")


@contextmanager
def chunk_outputs(
    init: Callable[[Any], None], init_arg: Any, run: Callable[[Chunk], Output], chunks: Iterable[Chunk], workers: int
) -> Iterator[Iterator[Output]]:
    """Yield the outputs of ``run`` over ``chunks`` (unordered when ``workers > 1``).

    With one worker everything runs here after ``init(init_arg)``; otherwise each worker process runs
    ``init(init_arg)`` once. Workers are spawned, not forked: forking a process that runs threads (a
    notebook kernel, OpenCV, lmdb readers) can deadlock the children on a lock a parent thread held.
    """
    if workers == 1:
        init(init_arg)
        yield map(run, chunks)
        return
    pool = get_context("spawn").Pool(workers, init, (init_arg,))
    try:
        yield pool.imap_unordered(run, chunks)
    finally:
        pool.close()
        pool.join()
