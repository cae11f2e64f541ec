"""Writers' work spread over processes: one function mapped over items by forked workers, results in order.

The output writers draw one picture or page per municipality or project; on a national region that is hundreds of
independent pieces of CPU work (matplotlib, WeasyPrint) that one process does one after another. :func:`map_ordered`
hands them to a pool of worker processes and gives the results back in the items' order, so every file is the
same byte for byte as when one process makes them all (the caller still writes the files, in order).

Workers are *forked*: they inherit the region, the analyses and the imported libraries from the parent without
pickling or importing anything again (the only cost that scales is sending each result back). Where fork is not
available or not safe (Windows, macOS) or only one processor may be used, the work runs in this process.
``ENERGIEPLANOLOGIE_WORKERS`` sets the number of processes (``1``: never a pool).

A writer that has such pieces can also be written as a *plan* (:func:`run_plans`): a generator that prepares in
this process, yields one :class:`Batch` of independent work, receives the results in the items' order and writes
its files. :func:`run_plans` runs the batches of several writers in ONE pool, forked after every writer prepared,
while this process does other work (``meanwhile``): two processors stay busy until the last piece, where a pool per
writer left one idle at each writer's tail. The files are the same byte for byte.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["WORKERS_ENV", "Background", "Batch", "Plan", "in_background", "map_ordered", "run_plan", "run_plans",
           "worker_count"]

#: Environment variable with the number of worker processes (``1``: everything in this process).
WORKERS_ENV = "ENERGIEPLANOLOGIE_WORKERS"

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M")


@dataclass(frozen=True)
class Batch(Generic[T, R]):
    """A writer's independent pieces of work: ``func(item)`` for every item, results wanted in the items' order."""

    func: Callable[[T], R]
    items: Sequence[T]


#: A writer as a generator: it prepares, yields one :class:`Batch` (or none), is sent an iterator over the batch's
#: results in order, writes its files and returns its value (the files written).
Plan = Generator[Batch[Any, Any], Iterator[Any], R]

# The function and items of the running map: set in the parent just before the fork, read by the workers (which
# get them through the fork's copy of memory, so neither is ever pickled).
_TASK: dict[str, Any] = {}
# Work handed to a background process (:func:`in_background`), by key; the same trick: never pickled.
_BACKGROUND: dict[int, Callable[[], Any]] = {}
_KEYS = itertools.count()


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


def _portable(func: Callable[..., R], *args: Any) -> R:
    """``func(*args)`` in a worker; an exception that would not survive the way back to the parent (pickled there,
    rebuilt here: one whose constructor wants more than its message) comes back as the nearest class of its own
    that does (an ``UnusableLayerError`` as a ``ValidationError``) with the same message, never as a pool that
    waits for ever."""
    try:
        return func(*args)
    except Exception as exc:
        if _survives(exc):
            raise
        for kind in type(exc).__mro__:
            try:
                simpler = kind(str(exc))
            except Exception:  # this class wants more than a message: try its parent
                continue
            if isinstance(simpler, Exception) and _survives(simpler):
                raise simpler from None
        raise RuntimeError(str(exc)) from None  # pragma: no cover - Exception itself always survives


def _survives(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True


def _run(index: int) -> Any:
    return _portable(_TASK["func"], _TASK["items"][index])


#: How often (seconds) a wait for a worker's result looks whether a worker died.
_POLL_S = 0.5


class _Results(Iterator[R]):
    """A pool's ordered results that notice a worker that died (killed by the system for memory, or by the user):
    :class:`multiprocessing.pool.Pool` replaces such a worker but loses its piece, and would wait for it for ever.
    Raised instead: an :class:`~energieplanologie._errors.EnergieplanologieError` with a Dutch message."""

    def __init__(self, pool: Any, results: Any) -> None:
        self._results = results
        self._workers = list(pool._pool)  # the workers it forked (the pool drops dead ones from its own list)

    def __iter__(self) -> _Results[R]:
        return self

    def __next__(self) -> R:
        return _wait(lambda: self._results.next(timeout=_POLL_S), self._workers)


def _wait(get: Callable[[], R], workers: Sequence[Any]) -> R:
    """``get()`` (which gives up after :data:`_POLL_S` with :class:`multiprocessing.TimeoutError`) until it
    answers; between tries, an error if one of ``workers`` ended other than normally (killed: a negative exit
    code), after one more try for a result that was on its way."""
    dead: list[int] = []
    while True:
        try:
            return get()
        except multiprocessing.TimeoutError:
            if dead:
                from energieplanologie._errors import EnergieplanologieError

                raise EnergieplanologieError(
                    f"een werkproces is onverwacht gestopt (afsluitcode {dead[0]}; bijvoorbeeld te weinig geheugen); "
                    "het werk is afgebroken. Probeer het opnieuw, met één proces "
                    f"({WORKERS_ENV}=1) of op een machine met meer geheugen.") from None
            dead = [w.exitcode for w in workers if w.exitcode not in (None, 0)]


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
            yield from _Results(pool, pool.imap(_run, range(len(items)), chunksize=1))
    finally:
        _TASK.clear()


def _first_batch(plan: Plan[R]) -> tuple[Batch[Any, Any] | None, R | None]:
    """Run ``plan`` up to its batch: (the batch, None), or (None, its value) when it needs none."""
    try:
        return next(plan), None
    except StopIteration as stop:
        return None, stop.value


def _finish(plan: Plan[R], results: Iterator[Any]) -> R:
    try:
        plan.send(results)
    except StopIteration as stop:
        return stop.value
    raise RuntimeError("een schrijfplan levert één reeks werk op")  # pragma: no cover - a programming error


def run_plan(plan: Plan[R], *, workers: int | None = None) -> R:
    """Run one writer's plan: its batch through :func:`map_ordered`, then its finish; returns the plan's value.

    Examples
    --------
    >>> def squares(n):
    ...     results = yield Batch(lambda x: x * x, list(range(n)))
    ...     return sum(results)
    >>> run_plan(squares(4), workers=2)
    14
    """
    batch, value = _first_batch(plan)
    if batch is None:
        return value  # type: ignore[return-value]
    return _finish(plan, map_ordered(batch.func, batch.items, workers=workers))


def _run_task(index: int) -> Any:
    batch, item = _TASK["tasks"][index]
    return _portable(batch.func, item)


def run_plans(plans: Sequence[Plan[Any]], *, meanwhile: Callable[[], M] | None = None,
              workers: int | None = None) -> tuple[list[Any], M | None]:
    """Run several writers' plans with one pool for all their batches, and ``meanwhile()`` in this process.

    Every plan prepares first, in order, in this process. Then one pool of forked workers (it inherits every
    preparation) starts on all batches, plan after plan; while it works this process runs ``meanwhile`` (the
    writers that have no pieces: a GeoPackage, a map). Then each plan gets its results, in order, and finishes,
    in the order of ``plans``. Without a pool (one processor, not Linux) ``meanwhile`` runs first and the
    batches one after another here: the same values.

    Parameters
    ----------
    plans : sequence of Plan
        The writers (generators, see :data:`Plan`).
    meanwhile : callable, optional
        Work for this process while the pool works; its value is returned.
    workers : int, optional
        Processes to use (default :func:`worker_count` of all pieces, ``meanwhile`` counted as one: a single
        piece beside it gets a worker of its own); 1 runs everything in this process.

    Returns
    -------
    (list, value)
        Each plan's value, in order, and the value of ``meanwhile`` (None without it).

    Examples
    --------
    >>> def squares(items):
    ...     results = yield Batch(lambda x: x * x, items)
    ...     return list(results)
    >>> run_plans([squares([1, 2]), squares([3])], meanwhile=lambda: "kaart", workers=2)
    ([[1, 4], [9]], 'kaart')
    """
    firsts = [_first_batch(p) for p in plans]
    tasks = [(b, item) for b, _ in firsts if b is not None for item in b.items]
    # ``meanwhile`` counts as one more piece: a single task beside it is worth one forked worker.
    wanted = worker_count(len(tasks) + (meanwhile is not None)) if workers is None else max(1, int(workers))
    n = min(wanted, len(tasks))
    values: list[Any] = []
    if wanted <= 1 or n < 1 or _TASK or not sys.platform.startswith("linux"):
        other = meanwhile() if meanwhile is not None else None
        for plan, (batch, value) in zip(plans, firsts, strict=True):
            values.append(value if batch is None else _finish(plan, map(batch.func, batch.items)))
        return values, other
    _TASK.update(tasks=tasks)
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            results: _Results[Any] = _Results(pool, pool.imap(_run_task, range(len(tasks)), chunksize=1))
            other = meanwhile() if meanwhile is not None else None
            for plan, (batch, value) in zip(plans, firsts, strict=True):
                if batch is None:
                    values.append(value)
                    continue
                left = [len(batch.items)]

                def mine(left: list[int] = left) -> Iterator[Any]:
                    while left[0]:
                        left[0] -= 1
                        yield next(results)

                values.append(_finish(plan, mine()))
                for _ in range(left[0]):  # what a plan left unread is not the next plan's
                    next(results)
    finally:
        _TASK.clear()
    return values, other


def _run_background(key: int) -> Any:
    return _portable(_BACKGROUND[key])


class Background(Generic[R]):
    """One piece of work running in a forked process (or already done here); see :func:`in_background`."""

    def __init__(self, func: Callable[[], R]) -> None:
        self._pool: Any = None
        self._value: R | None = None
        if worker_count(2) <= 1 or _TASK:  # one processor, no fork, or inside a worker: do it now
            self._value = func()
            return
        key = next(_KEYS)
        _BACKGROUND[key] = func
        try:
            self._pool = multiprocessing.get_context("fork").Pool(1)  # the fork gives the child ``func``
        finally:
            del _BACKGROUND[key]
        self._async = self._pool.apply_async(_run_background, (key,))
        self._workers = list(self._pool._pool)
        self._pool.close()

    def result(self) -> R:
        """The work's value (waits for it); an exception of the work is raised here."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                self._value = _wait(lambda: self._async.get(timeout=_POLL_S), self._workers)
            except BaseException:
                pool.terminate()  # a closed pool whose worker died would wait for its piece in join()
                raise
            finally:
                pool.join()
        return self._value  # type: ignore[return-value]

    def __enter__(self) -> Background[R]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:  # left before its value was asked: the process is stopped
            self._pool.terminate()
            self._pool.join()
            self._pool = None


def in_background(func: Callable[[], R]) -> Background[R]:
    """Start ``func()`` in a forked process while this one goes on; ``.result()`` gives its value.

    The process inherits everything ``func`` needs through the fork (nothing is pickled on the way in); its value
    is pickled back, so it should be modest (a table, not a region). With one processor, without fork, or inside a
    writer's worker, ``func`` runs at once, here. Used as a context manager, leaving the block before asking for
    the value (an error) stops the process.

    Examples
    --------
    >>> with in_background(lambda: sum(range(10))) as job:
    ...     here = sum(range(5))
    ...     (here, job.result())
    (10, 45)
    """
    return Background(func)
