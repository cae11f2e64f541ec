"""Writers' work spread over processes: one function mapped over items by forked workers, results in order.

The output writers draw one picture or page per municipality or project; on a national region that is hundreds of
independent pieces of CPU work (matplotlib, WeasyPrint) that one process does one after another. :func:`map_ordered`
hands them to a pool of worker processes and gives the results back in the items' order, so every file is the
same byte for byte as when one process makes them all (the caller still writes the files, in order).

Workers are *forked*: they inherit the region, the analyses and the imported libraries from the parent without
pickling or importing anything again (the only cost that scales is sending each result back). Where fork is not
available or not safe (Windows, macOS) or only one processor may be used, the work runs in this process.
``ENERGIEPLANOLOGIE_WORKERS`` sets the number of processes (``1``: never a pool).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

__all__ = ["WORKERS_ENV", "map_ordered", "worker_count"]

#: Environment variable with the number of worker processes (``1``: everything in this process).
WORKERS_ENV = "ENERGIEPLANOLOGIE_WORKERS"

T = TypeVar("T")
R = TypeVar("R")

# The function and items of the running map: set in the parent just before the fork, read by the workers (which
# get them through the fork's copy of memory, so neither is ever pickled).
_TASK: dict[str, Any] = {}


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def worker_count(n_items: int, *, min_items: int = 2) -> int:
    """How many processes to use for ``n_items`` pieces of work: 1 (this process) or a pool's size.

    The environment variable :data:`WORKERS_ENV` wins; otherwise the processors this process may use, never more
    than the items; 1 where fork is unavailable or unsafe (only Linux forks here) and below ``min_items``.

    Examples
    --------
    >>> worker_count(1)
    1
    >>> 1 <= worker_count(100) <= 100
    True
    """
    if n_items < max(2, min_items) or not sys.platform.startswith("linux"):
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Linux always has fork
        return 1
    setting = os.environ.get(WORKERS_ENV, "").strip()
    if setting:
        try:
            wanted = int(setting)
        except ValueError:
            logging.getLogger("energieplanologie").warning(
                "%s=%s is geen geheel getal; het werk blijft in één proces.", WORKERS_ENV, setting)
            wanted = 1
        return max(1, min(wanted, n_items))
    return max(1, min(_available_cpus(), n_items))


def _run(index: int) -> Any:
    return _TASK["func"](_TASK["items"][index])


def map_ordered(func: Callable[[T], R], items: Sequence[T], *, workers: int | None = None) -> Iterator[R]:
    """``func(item)`` for every item, yielded in the items' order, made by forked workers when there are several.

    ``func`` may be a closure over large data (a region of 10⁶ developments): the workers inherit it through the
    fork. Its results are pickled back, so they should be small values (bytes, text). An exception in a worker is
    raised here, as it would be without the pool.

    Parameters
    ----------
    func : callable
        The work for one item.
    items : sequence
        The items, in the order the results are wanted.
    workers : int, optional
        Processes to use (default :func:`worker_count`); 1 runs everything in this process.

    Examples
    --------
    >>> list(map_ordered(lambda x: x * x, [1, 2, 3], workers=2))
    [1, 4, 9]
    """
    n = worker_count(len(items)) if workers is None else max(1, min(int(workers), len(items)))
    if n <= 1 or not sys.platform.startswith("linux"):
        for item in items:
            yield func(item)
        return
    if _TASK:  # a map inside a map's worker: no pool in a pool
        for item in items:
            yield func(item)
        return
    _TASK.update(func=func, items=items)
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            yield from pool.imap(_run, range(len(items)), chunksize=1)
    finally:
        _TASK.clear()
