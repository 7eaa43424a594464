"""Running work items in this process or in a pool of worker processes: the one pool helper of the data
preparation (crop generation, gt crops, lmdb reading).

Workers are spawned by default, not forked: forking a process that runs threads (a notebook kernel,
OpenCV, lmdb readers) can deadlock the children on a lock a parent thread held. ``fork=True`` forks on
Linux (started in milliseconds) for work that needs no such lock; macOS and Windows always spawn.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

Item = TypeVar("Item")
Output = TypeVar("Output")


def process_context(fork: bool = False) -> BaseContext:
    """The multiprocessing context: ``fork`` on Linux when asked, else ``spawn``."""
    return get_context("fork" if fork and sys.platform.startswith("linux") else "spawn")


@contextmanager
def unordered_outputs(run: Callable[[Item], Output], items: Iterable[Item], workers: int,
                      init: Callable[[Any], None] | None = None, init_arg: Any = None, chunksize: int = 1,
                      fork: bool = False) -> Iterator[Iterator[Output]]:
    """Yield an iterator over ``run(item)`` for every item (in any order when ``workers > 1``).

    With ``workers <= 1`` everything runs here (after ``init(init_arg)``); otherwise each worker process
    runs ``init(init_arg)`` once. The pool is closed and joined when the ``with`` block ends, or
    terminated when it ends with an error (an interrupted run does not wait for the queued items).
    """
    if workers <= 1:
        if init is not None:
            init(init_arg)
        yield map(run, items)
        return
    initargs = () if init is None else (init_arg,)
    pool = process_context(fork).Pool(workers, init, initargs)
    try:
        yield pool.imap_unordered(run, items, chunksize=chunksize)
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()


def ordered_outputs(run: Callable[[Item], Output], items: Iterable[Item], workers: int, window: int = 4,
                    fork: bool = False) -> Iterator[Output]:
    """``run(item)`` for every item, in input order. With ``workers <= 1`` it runs here; otherwise at most
    ``window * workers`` items are in flight, so a long input never sits in memory whole."""
    if workers <= 1:
        yield from map(run, items)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=process_context(fork)) as pool:
        pending: deque[Future] = deque()
        for item in items:
            pending.append(pool.submit(run, item))
            while len(pending) >= window * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
