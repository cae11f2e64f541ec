"""The dask engine: allocation, station balance, hotspots and density past one machine (DESIGN §8).

The public functions take ``engine="dask"`` (and an optional ``client``) and then run here, on a Dask cluster
through `dask-geopandas <https://dask-geopandas.readthedocs.io>`_; the results are those of the in-memory path
(``engine="memory"``, the default):

* :func:`energieplanologie.allocation.allocate` — the same rows in the same order;
* :func:`energieplanologie.balance.station_balance` — the same table; MW sums equal up to the order of
  floating-point additions (relative differences of order 1e-15), statuses and first shortage years identical;
* :func:`energieplanologie.hotspots.detect_hotspots` — the same hotspots, ids, members and statistics,
  DBSCAN clusters that cross tile borders included;
* :func:`energieplanologie.density.kde` — the same surface, bit for bit.

Running it
----------
Install the extra (``pip install 'energieplanologie[dask]'``: dask-geopandas, dask.distributed, pyarrow). Then::

    from dask.distributed import Client, LocalCluster
    import energieplanologie as ep
    from energieplanologie.balance import station_balance

    # one machine: 2 worker processes of 1 thread and 8 GB each (the default without a cluster is dask's
    # local threads, which is often the fastest on one machine: no data is copied between processes)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="8GB")
    client = Client(cluster)
    # … or any running cluster: Client("tcp://scheduler.example:8786"), started with `dask scheduler` (formerly
    # `dask-scheduler`) on one machine and `dask worker tcp://scheduler.example:8786 --nworkers 4 --nthreads 1
    # --memory-limit 16GB` on each of the others; or pass the address itself:
    # station_balance(region, engine="dask", client="tcp://scheduler.example:8786")

    region = partition_region(region, client=client)   # developments onto the workers, once
    balance = station_balance(region, ["vastgesteld", "verwacht"], engine="dask", client=client)

Every worker needs the same version of energieplanologie installed (its tasks are functions of this package).

Without ``client`` the current default client is used (the last ``Client`` created), else dask's local threaded
scheduler. ``region.developments`` may be an in-memory GeoDataFrame (split into partitions here and sent to the
workers on every call) or a dask-geopandas GeoDataFrame of canonical, validated developments: from
:func:`partition_region`, or read by the workers themselves with ``dask_geopandas.read_parquet`` for data that
does not fit one machine (``region.replace(developments=...)``). Every other layer is small and travels to each
worker once per call. Memory per worker: about two to three times its partitions (≈ 600 bytes per development
for the region, ≈ 60 bytes per weighted point while clustering); the client holds the results, ≈ 60 bytes per
weighted point for hotspots and density, and the member rows of the hotspots.

How each analysis is distributed
--------------------------------
*Allocation and balance* are row by row: every partition is allocated on its own (the stations, their Voronoi
service areas and the municipalities are the same for all; service areas depend only on the stations as long as
the developments lie within the stations' extent widened by its own size, which holds for any study area),
and summed per station × year × sector × certainty; the client adds the partial sums and builds the ledger.

*Weighted points* (hotspots, density) are computed per partition; their numeric columns are gathered and sorted
on the client exactly as :func:`energieplanologie.hotspots.weighted_points` sorts them, so density bins the same
numbers in the same order.

*DBSCAN* (:func:`dask_dbscan`) runs on spatial tiles: the points are split into rectangles by recursive median
cuts (a k-d partition of the plane: tiles do not overlap and cover everything). Each tile clusters its own points
plus a halo of every other point within ``2 eps`` of the rectangle. Within ``eps`` of the rectangle the halo is
complete, so core points there are exact (a point's neighbourhood lies within ``2 eps``); further out a point may
look non-core but never falsely core, so every local cluster is part of one true cluster. Every link between two
core points lies within one tile's ``eps`` band (that of the tile owning either end), so merging the local
clusters that share a core point (connected components, i.e. union–find, over (tile, local cluster) nodes) gives
exactly the global clusters. They are numbered by their lowest-index core point, as scikit-learn does; then
each tile gives its border points the lowest cluster number among their core neighbours. The labels equal
:func:`energieplanologie.clustering.grid_dbscan`'s, cluster numbers included (for weighted points up to
neighbourhood weights within rounding of ``min_samples``, as between that function's two algorithms).

*Describing the hotspots* (ids, statistics, polygons, stations, levels) runs on the client over the member
points and the member developments only.

Examples
--------
>>> import energieplanologie as ep
>>> from energieplanologie.balance import station_balance
>>> region = ep.load_sample()
>>> a = station_balance(region, engine="dask")  # dask's local threads: no cluster needed
>>> b = station_balance(region)
>>> bool((a["status"] == b["status"]).all()) and bool(np.allclose(a["load_mw"], b["load_mw"], rtol=1e-12))
True
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from energieplanologie._errors import EnergieplanologieError
from energieplanologie.clustering import (
    WEIGHT_RESOLUTION,
    DbscanResult,
    border_labels,
    grid_dbscan,
    threshold_units,
    weight_units,
)
from energieplanologie.progress import ProgressCallback, report
from energieplanologie.scenarios import get_scenario

__all__ = [
    "ENGINES",
    "Kernels",
    "dask_allocate",
    "dask_dbscan",
    "dask_detect_hotspots",
    "dask_load_sums",
    "dask_weighted_points",
    "partition_region",
    "tile_count",
    "use_dask",
]

#: Values of the ``engine`` keyword of the analyses.
ENGINES: tuple[str, ...] = ("memory", "dask")


@dataclass(frozen=True)
class Kernels:
    """The in-memory engine's kernels that the dask engine runs per partition (or on the client).

    The analysis modules own their kernels and hand them in when they run with ``engine="dask"``: this module
    sits below :mod:`~energieplanologie.allocation`, :mod:`~energieplanologie.balance` and
    :mod:`~energieplanologie.hotspots` and imports none of them, so both engines run the very same functions
    without an import cycle. Each dask function names the fields it needs.

    Attributes
    ----------
    allocate : callable
        :func:`energieplanologie.allocation.allocate` (``dask_allocate``).
    allocate_arrays : callable
        The allocation's array kernel (``dask_load_sums``).
    rows, rows_type, load_sums : callable
        The balance's rows of an allocation, their type and the MW sums per station and year (``dask_load_sums``).
    weighted_points, objects : callable
        :func:`energieplanologie.hotspots.weighted_points` and its object-column helper (weighted points).
    cluster, describe, result : callable
        The hotspots' clustering step, description step and result type (``dask_detect_hotspots``).
    """

    allocate: Callable[..., Any] | None = None
    allocate_arrays: Callable[..., Any] | None = None
    rows: Callable[..., Any] | None = None
    rows_type: Callable[..., Any] | None = None
    load_sums: Callable[..., Any] | None = None
    weighted_points: Callable[..., Any] | None = None
    objects: Callable[..., Any] | None = None
    cluster: Callable[..., Any] | None = None
    describe: Callable[..., Any] | None = None
    result: Callable[..., Any] | None = None
#: Rows per partition when an in-memory frame is split (at least two partitions per worker thread).
PARTITION_ROWS = 250_000
#: Points per DBSCAN tile aimed at (at least two tiles per worker thread).
TILE_POINTS = 200_000
#: Relative widening of the halo and band distances, against rounding in the distance to a tile.
_SLACK = 1e-9


def use_dask(engine: str) -> bool:
    """Whether ``engine`` asks for the dask engine; an unknown engine raises with the choices.

    Examples
    --------
    >>> use_dask("memory"), use_dask("dask")
    (False, True)
    """
    if engine == "memory":
        return False
    if engine == "dask":
        return True
    raise EnergieplanologieError(f"engine: onbekende engine {engine!r} (kies uit {', '.join(ENGINES)})")


# ----------------------------------------------------------------------------------------------------------------
# running graphs


class _Runner:
    """Where graphs run: a ``dask.distributed`` client (given, an address, or the current one) or local threads."""

    def __init__(self, client: Any = None) -> None:
        try:
            import dask  # noqa: F401
        except ImportError:  # pragma: no cover - the extra is installed in the test setup
            raise EnergieplanologieError(
                "engine='dask' heeft dask nodig: pip install 'energieplanologie[dask]'") from None
        self._own = False
        if isinstance(client, str):
            from distributed import Client

            client = Client(client)
            self._own = True
        elif client is None:
            client = _default_client()
        self.client = client

    @property
    def scheduler(self) -> Any:
        return self.client if self.client is not None else "threads"

    def threads(self) -> int:
        """Worker threads available (all workers of the cluster, or the local cores)."""
        if self.client is not None:
            return max(1, int(sum(self.client.nthreads().values())))
        return max(1, os.cpu_count() or 1)

    def compute(self, *objs: Any) -> tuple:
        import dask

        with _config():
            return dask.compute(*objs, scheduler=self.scheduler)

    def persist(self, *objs: Any) -> tuple:
        import dask

        with _config():
            return dask.persist(*objs, scheduler=self.scheduler)

    def put(self, value: Any) -> Any:
        """A value every task may use: scattered to all workers once (cluster), or passed as it is (threads)."""
        if self.client is None:
            return value
        return self.client.scatter(value, broadcast=True, hash=False)

    def put_many(self, values: list[Any]) -> list[Any]:
        """Values for one task each: scattered over the workers (cluster), or passed as they are (threads)."""
        if self.client is None or not values:
            return values
        return self.client.scatter(values, hash=False)

    def close(self) -> None:
        if self._own and self.client is not None:
            self.client.close()


def _default_client() -> Any:
    try:
        from distributed import default_client
    except ImportError:  # pragma: no cover - distributed is part of the extra
        return None
    try:
        return default_client()
    except ValueError:
        return None


@contextmanager
def _config() -> Iterator[None]:
    """Keep text columns as the layers hold them (object dtype): dask would turn them into pyarrow strings."""
    import dask

    with dask.config.set({"dataframe.convert-string": False}):
        yield


@contextmanager
def _runner(client: Any) -> Iterator[_Runner]:
    runner = _Runner(client)
    try:
        yield runner
    finally:
        runner.close()


def _delayed(func: Callable) -> Callable:
    import dask

    return dask.delayed(func, pure=False)


def _is_dask(frame: Any) -> bool:
    return hasattr(frame, "to_delayed") and hasattr(frame, "npartitions")


# ----------------------------------------------------------------------------------------------------------------
# partitions of the developments


class _Parts(NamedTuple):
    """The developments as partitions: task arguments (frames, futures or delayed objects) and an empty frame."""

    parts: list[Any]
    meta: Any
    lazy: bool


def _partitions(developments: Any, runner: _Runner, npartitions: int | None = None) -> _Parts:
    if _is_dask(developments):
        with _config():
            parts = list(developments.to_delayed())
        return _Parts(parts, developments._meta, True)
    n = len(developments)
    k = npartitions or _partition_count(n, runner.threads())
    bounds = np.linspace(0, n, k + 1).round().astype(np.int64)
    parts = [developments.iloc[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a] or \
        [developments.iloc[:0]]
    return _Parts(runner.put_many(parts), developments.iloc[:0], False)


def _partition_count(n_rows: int, threads: int) -> int:
    return max(1, min(max(2 * threads, math.ceil(n_rows / PARTITION_ROWS)), max(1, n_rows // 1000)))


def _context(region: Any, runner: _Runner) -> Any:
    """The region without its developments (and reports): what every partition's task needs besides its rows."""
    dev = region.developments
    meta = dev._meta if _is_dask(dev) else dev.iloc[:0]
    return runner.put(region.replace(developments=meta, reports={}))


def partition_region(region: Any, npartitions: int | None = None, *, client: Any = None,
                     spatial: bool = False) -> Any:
    """The region with its developments as a dask-geopandas GeoDataFrame, held by the cluster.

    Use it to send the developments to the workers once and run several analyses on them with
    ``engine="dask"``.

    Parameters
    ----------
    region : Region
        A region whose developments are in memory.
    npartitions : int, optional
        Default: at least two per worker thread and at most 250,000 rows each.
    client : dask.distributed.Client or str, optional
        The cluster; default the current client, else the frame stays in this process (local threads).
    spatial : bool, default False
        Sort the developments along a Hilbert curve first (``GeoSeries.hilbert_distance``) so that each partition
        covers a compact area; row positions then follow that order.

    Returns
    -------
    Region
        ``region.replace(developments=<dask_geopandas.GeoDataFrame>)``; ``.compute()`` gives the frame back.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> parted = partition_region(ep.load_sample(), 2)
    >>> parted.developments.npartitions, len(parted.developments.compute())
    (2, 60)
    """
    import dask.dataframe as dd
    import dask_geopandas

    dev = region.developments
    if _is_dask(dev):
        return region
    if spatial and len(dev):
        order = np.argsort(dev.geometry.hilbert_distance(), kind="stable")
        dev = dev.take(order)
    runner = _Runner(client)  # not closed: the frame lives on its cluster
    with _config():
        if runner.client is None:
            n = npartitions or _partition_count(len(dev), runner.threads())
            frame = dask_geopandas.from_geopandas(dev, npartitions=n, sort=False)
        else:
            parted = _partitions(dev, runner, npartitions)
            frame = dd.from_delayed(parted.parts, meta=parted.meta, verify_meta=False)
    return region.replace(developments=frame)


# ----------------------------------------------------------------------------------------------------------------
# allocation and balance


def _part_allocate(part: Any, allocate: Callable[..., Any], stations: Any, options: dict[str, Any]) -> Any:
    return allocate(part, stations, **options)


def dask_allocate(developments: Any, stations: Any, *, kernels: Kernels, client: Any = None, **options: Any) -> Any:
    """:func:`energieplanologie.allocation.allocate` partition by partition (``engine="dask"``).

    An in-memory ``developments`` gives the in-memory result (the same rows in the same order); a dask-geopandas
    frame gives a lazy dask-geopandas frame of the same rows.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie.allocation import allocate
    >>> region = ep.load_sample()
    >>> a = dask_allocate(region.developments, region.stations, kernels=Kernels(allocate=allocate),
    ...                   area=region.municipalities)
    >>> a["station_id"].equals(allocate(region.developments, region.stations, area=region.municipalities)["station_id"])
    True
    """
    allocate = kernels.allocate
    assert allocate is not None, "dask_allocate: kernels.allocate ontbreekt"
    if _is_dask(developments):  # lazy: runs wherever the caller computes it
        meta = allocate(developments._meta, stations, **options)
        with _config():
            return developments.map_partitions(_part_allocate, allocate, stations, options, meta=meta,
                                               align_dataframes=False)
    with _runner(client) as runner:
        parted = _partitions(developments, runner)
        shared = runner.put(stations)
        tasks = [_delayed(_part_allocate)(p, allocate, shared, options) for p in parted.parts]
        results = runner.compute(*tasks)
    import geopandas as gpd

    return gpd.GeoDataFrame(pd.concat(results), crs=developments.crs) if len(results) > 1 else results[0]


def _part_load_sums(part: Any, ctx: Any, years: np.ndarray, allocated: bool,
                    kernels: Kernels) -> tuple[dict[str, np.ndarray], list[str]]:
    load_sums, rows_of = kernels.load_sums, kernels.rows
    assert load_sums is not None and rows_of is not None, "dask_load_sums: kernels.load_sums/rows ontbreken"
    n_st = len(ctx.stations)
    if allocated:  # a partition of a given allocation
        rows, lost = rows_of(ctx, part)
        return load_sums(rows, n_st, years), lost
    allocate_arrays, rows_type = kernels.allocate_arrays, kernels.rows_type
    assert allocate_arrays is not None and rows_type is not None
    area = ctx.municipalities if len(ctx.municipalities) else None
    arrays = allocate_arrays(part, ctx.stations, area=area)  # as the balance: the defaults without ``allocation``
    rows = rows_type(arrays.station_pos, arrays.share, part, arrays.dev_pos if arrays.expanded else None)
    lost_pos = arrays.dev_pos[arrays.station_pos < 0]
    return load_sums(rows, n_st, years), sorted({str(i) for i in rows.ids[lost_pos]})


def _add_sums(*items: tuple[dict[str, np.ndarray], list[str]]) -> tuple[dict[str, np.ndarray], list[str]]:
    sums = {d: np.sum([s[d] for s, _ in items], axis=0) for d in items[0][0]}
    return sums, sorted({u for _, lost in items for u in lost})


def dask_load_sums(region: Any, years: np.ndarray, *, kernels: Kernels, allocation: Any = None, client: Any = None,
                   progress: ProgressCallback | None = None) -> tuple[dict[str, np.ndarray], list[str]]:
    """The balance's development MW per station, year, sector and certainty, summed over partitions.

    What :func:`energieplanologie.balance.station_balance` computes with ``engine="dask"`` before its ledger:
    each partition is allocated (or a given ``allocation`` read) and summed on a worker; the partial sums are
    added pairwise on the workers. Also returns the ids of developments without a station. ``kernels`` carries
    the balance's ``rows``, ``rows_type`` and ``load_sums`` and the allocation's ``allocate_arrays``.
    """
    years = np.asarray(years, dtype=np.int64)
    if allocation is not None and not _is_dask(allocation):
        assert kernels.rows is not None and kernels.load_sums is not None
        rows, lost = kernels.rows(region, allocation)  # already allocated: nothing left to distribute
        return kernels.load_sums(rows, len(region.stations), years), lost
    source = allocation if allocation is not None else region.developments
    with _runner(client) as runner:
        report(progress, 0.0, "ontwikkelingen per partitie toewijzen (dask)")
        parted = _partitions(source, runner)
        ctx = _context(region, runner)
        tasks = [_delayed(_part_load_sums)(p, ctx, years, allocation is not None, kernels) for p in parted.parts]
        while len(tasks) > 1:  # pairwise sums on the workers
            tasks = [_delayed(_add_sums)(*tasks[i:i + 2]) for i in range(0, len(tasks), 2)]
        (sums, lost), = runner.compute(tasks[0])
        report(progress, 1.0, "toegewezen")
    return sums, list(lost)


# ----------------------------------------------------------------------------------------------------------------
# weighted points


_POINT_COLUMNS = ("x", "y", "weight_mw", "offtake_mw", "feedin_mw", "dev_year", "source")


def _part_points(part: Any, ctx: Any, scenario: Any, year: int, ids: bool,
                 weighted_points: Callable[..., Any]) -> tuple[dict[str, np.ndarray], int]:
    pts = weighted_points(ctx.replace(developments=part), scenario, year)
    out = {c: pts[c].to_numpy() for c in _POINT_COLUMNS}
    if ids:
        out["member_id"] = pts["member_id"].to_numpy(dtype=object)
    return out, len(part)


def _points(region: Any, scenario: Any, year: int, runner: _Runner, *, kernels: Kernels, include_infrastructure: bool,
            infrastructure_weight_mw: float | None, ids: bool) -> tuple[pd.DataFrame, _Parts, np.ndarray]:
    """Weighted points of all partitions, sorted as weighted_points sorts them; also the partitions and offsets."""
    weighted_points, objects = kernels.weighted_points, kernels.objects
    assert weighted_points is not None and objects is not None, "kernels.weighted_points/objects ontbreken"
    parted = _partitions(region.developments, runner)
    ctx = _context(region, runner)
    results = runner.compute(*[_delayed(_part_points)(p, ctx, scenario, year, ids, weighted_points)
                               for p in parted.parts])
    lengths = np.array([n for _, n in results], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    cols = {c: [r[c] for r, _ in results] for c in _POINT_COLUMNS}
    cols["source"] = [s + off for s, off in zip(cols["source"], offsets[:-1], strict=True)]
    n_dev_points = int(sum(len(s) for s in cols["source"]))
    member_ids = [r["member_id"] for r, _ in results] if ids else [np.full(n_dev_points, None, dtype=object)]
    kinds = [np.zeros(n_dev_points, dtype=np.int8)]
    if include_infrastructure and len(region.infrastructure):
        empty = region.replace(developments=parted.meta)
        infra = weighted_points(empty, scenario, year, include_infrastructure=True,
                                infrastructure_weight_mw=infrastructure_weight_mw)
        for c in cols:
            cols[c].append(infra[c].to_numpy())
        member_ids.append(infra["member_id"].to_numpy(dtype=object))
        kinds.append(np.ones(len(infra), dtype=np.int8))
    merged = {c: np.concatenate(v) for c, v in cols.items()}
    kind = np.concatenate(kinds)
    # Ties in (x, y) keep weighted_points' order: developments by row position, then infrastructure.
    seq = merged["source"].astype(np.int64) + kind.astype(np.int64) * int(offsets[-1])
    order = np.lexsort((seq, merged["y"], merged["x"]))
    frame = {
        "member_id": objects(np.concatenate(member_ids)[order]),
        "member_kind": objects(np.array(["development", "infrastructure"], dtype=object)[kind[order]]),
    }
    frame.update({c: merged[c][order] for c in _POINT_COLUMNS})
    frame["source"] = frame["source"].astype(np.intp)
    frame["dev_year"] = frame["dev_year"].astype(float)
    return pd.DataFrame(frame), parted, offsets


def dask_weighted_points(region: Any, scenario: Any = "verwacht", year: int | None = None, *, kernels: Kernels,
                         client: Any = None,
                         include_infrastructure: bool = False, infrastructure_weight_mw: float | None = None,
                         ids: bool = False, scenarios: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """:func:`energieplanologie.hotspots.weighted_points` computed partition by partition.

    The same rows in the same order, with ``source`` the row position in the whole developments frame (the
    partitions one after the other). ``member_id`` of developments is gathered only with ``ids=True`` (else
    None: the density needs the numbers only). ``kernels`` carries the hotspots' ``weighted_points`` and
    ``objects``.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie import hotspots
    >>> region = ep.load_sample()
    >>> a = dask_weighted_points(region, "verwacht", 2035, ids=True, kernels=hotspots.KERNELS)
    >>> a.equals(hotspots.weighted_points(region, "verwacht", 2035))
    True
    """
    sc = get_scenario(scenario, extra=scenarios)
    year = int(max(region.years)) if year is None else int(year)
    with _runner(client) as runner:
        points, _, _ = _points(region, sc, year, runner, kernels=kernels, include_infrastructure=include_infrastructure,
                               infrastructure_weight_mw=infrastructure_weight_mw, ids=ids)
    return points


# ----------------------------------------------------------------------------------------------------------------
# DBSCAN on tiles


def tile_count(threads: int, n_points: int) -> int:
    """Number of DBSCAN tiles: a multiple of the worker threads, at least two per thread, more when tiles would
    exceed :data:`TILE_POINTS` points, at most one per thousand points.

    Examples
    --------
    >>> tile_count(2, 1_000_000), tile_count(2, 10_000), tile_count(8, 100)
    (6, 4, 1)
    """
    per_thread = max(2, math.ceil(n_points / (TILE_POINTS * threads)))
    return max(1, min(threads * per_thread, n_points // 1000))


def _kd_tiles(x: np.ndarray, y: np.ndarray, n_tiles: int) -> tuple[np.ndarray, np.ndarray]:
    """Recursive median cuts of the plane into ``n_tiles`` rectangles: the tile of each point and the rectangles.

    The tile with the most points is cut across its longer side at its median (points at the median go to the
    upper side), until there are ``n_tiles`` tiles or no tile can be cut. Rectangles are ``(xmin, ymin, xmax,
    ymax)`` rows; the outer ones reach to infinity, so together they cover the plane.
    """
    tile = np.zeros(len(x), dtype=np.int64)
    rects = [np.array([-np.inf, -np.inf, np.inf, np.inf])]
    members = [np.arange(len(x))]
    stuck: set[int] = set()
    while len(rects) < n_tiles:
        sizes = [len(m) if i not in stuck else -1 for i, m in enumerate(members)]
        t = int(np.argmax(sizes))
        if sizes[t] < 2:
            break
        idx = members[t]
        xs, ys = x[idx], y[idx]
        axis = 0 if np.ptp(xs) >= np.ptp(ys) else 1
        values = xs if axis == 0 else ys
        cut = float(np.partition(values, len(values) // 2)[len(values) // 2])
        upper = values >= cut
        if upper.all():
            stuck.add(t)
            continue
        lower_rect, upper_rect = rects[t].copy(), rects[t].copy()
        lower_rect[axis + 2] = cut
        upper_rect[axis] = cut
        rects[t] = lower_rect
        members[t] = idx[~upper]
        rects.append(upper_rect)
        members.append(idx[upper])
        tile[idx[upper]] = len(rects) - 1
    return tile, np.array(rects)


def _rect_d2(x: np.ndarray, y: np.ndarray, rect: np.ndarray) -> np.ndarray:
    """Squared distance from points to a (closed) rectangle; 0 inside."""
    dx = np.maximum(np.maximum(rect[0] - x, x - rect[2]), 0.0)
    dy = np.maximum(np.maximum(rect[1] - y, y - rect[3]), 0.0)
    return dx * dx + dy * dy


def _tile_points(x: np.ndarray, y: np.ndarray, tile: np.ndarray, rects: np.ndarray,
                 reach: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per tile its own points and its halo: the other points within ``reach`` of its rectangle.

    Only points within ``reach`` of their own rectangle's edge can be in another tile's halo (the rectangles do
    not overlap), so only those are tested against the other rectangles.
    """
    r = rects[tile]
    inner = np.minimum.reduce([x - r[:, 0], r[:, 2] - x, y - r[:, 1], r[:, 3] - y])
    edge = np.flatnonzero(inner <= reach)
    order = np.argsort(tile, kind="stable")
    bounds = np.searchsorted(tile[order], np.arange(len(rects) + 1))
    out = []
    for t, rect in enumerate(rects):
        own = order[bounds[t]:bounds[t + 1]]
        cand = edge[tile[edge] != t]
        halo = cand[_rect_d2(x[cand], y[cand], rect) <= reach * reach]
        out.append((own, halo))
    return out


class _TileState(NamedTuple):
    """What a tile keeps between the two passes (on its worker)."""

    xy: np.ndarray
    seq: np.ndarray  # global index of each local point
    own: np.ndarray  # owned by this tile
    band: np.ndarray  # within eps of the tile: complete neighbourhood, exact core status
    core: np.ndarray  # exact core points (inside the band)
    node: np.ndarray  # local cluster of each exact core point, numbered 0… (-1 otherwise)
    n_nodes: int
    inner: np.ndarray  # distance of owned points to the tile's edge


def _tile_pass1(points: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], rect: np.ndarray, eps: float,
                min_samples: float) -> _TileState:
    """Cluster the tile's points with their halo; keep the local clusters of the exact core points.

    ``points`` are the local ``xy``, weights, global indices and the mask of the tile's own points.
    """
    xy, weight, seq, own = points
    order = np.argsort(seq, kind="stable")  # local order follows the global order
    xy, weight, seq, own = xy[order], weight[order], seq[order], own[order]
    res = grid_dbscan(xy, eps=eps, min_samples=min_samples, sample_weight=weight)
    band_r = eps * (1.0 + _SLACK) + 1e-9
    band = _rect_d2(xy[:, 0], xy[:, 1], rect) <= band_r * band_r
    core = res.core & band
    node = np.full(len(xy), -1, dtype=np.int64)
    uniq, inv = np.unique(res.labels[core], return_inverse=True)
    node[core] = inv
    x, y = xy[:, 0], xy[:, 1]
    inner = np.minimum.reduce([x - rect[0], rect[2] - x, y - rect[1], rect[3] - y])
    return _TileState(xy, seq, own, band, core, node, len(uniq), inner)


def _tile_summary(state: _TileState, band_r: float) -> dict[str, np.ndarray]:
    """What the client needs to merge tiles: shared core points and each local cluster's first core point."""
    own_core = state.own & state.core
    first = np.full(state.n_nodes, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, state.node[own_core], state.seq[own_core])
    edge = own_core & (state.inner <= band_r)  # own core points another tile may see in its band
    halo = ~state.own & state.core
    return {"first": first, "edge_seq": state.seq[edge], "edge_node": state.node[edge],
            "halo_seq": state.seq[halo], "halo_node": state.node[halo], "n_nodes": np.int64(state.n_nodes)}


def _tile_pass2(state: _TileState, rank: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Final labels of the tile's own points: global cluster numbers, border points by their core neighbours."""
    band = state.band
    core_labels = np.where(state.core, rank[np.maximum(state.node, 0)], -1) if len(rank) else \
        np.full(len(state.node), -1, dtype=np.int64)
    labels = border_labels(state.xy[band], state.core[band], core_labels[band], eps)
    own = state.own[band]
    return state.seq[band][own], labels[own], state.core[band][own]


def dask_dbscan(xy: np.ndarray, *, eps: float, min_samples: float = 5, sample_weight: np.ndarray | None = None,
                client: Any = None, n_tiles: int | None = None, resolution: float | None = None) -> Any:
    """DBSCAN on spatial tiles with halos, on a Dask cluster: the labels of
    :func:`energieplanologie.clustering.grid_dbscan` (see the module documentation for how).

    Parameters
    ----------
    xy, eps, min_samples, sample_weight, resolution
        As :func:`energieplanologie.clustering.grid_dbscan` (``resolution``: weights and ``min_samples`` rounded
        to whole units first, so every tile decides core status in exact integer sums).
    client : dask.distributed.Client or str, optional
        The cluster; default the current client, else dask's local threads.
    n_tiles : int, optional
        Number of tiles; default :func:`tile_count`.

    Returns
    -------
    DbscanResult
        ``labels`` and ``core``, equal to :func:`~energieplanologie.clustering.grid_dbscan`'s.

    Examples
    --------
    >>> xy = np.array([[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [50, 50]], dtype=float)
    >>> dask_dbscan(xy, eps=1.5, min_samples=2, n_tiles=2).labels.tolist()
    [0, 0, 0, 1, 1, -1]
    """
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    xy = np.asarray(xy, dtype=np.float64)
    n = len(xy)
    weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    trivial = n == 0 or (n_tiles is not None and n_tiles <= 1)
    valid = xy.ndim == 2 and xy.shape[-1] == 2 and bool(np.isfinite(xy).all()) and weight.shape == (n,) and \
        bool(np.isfinite(weight).all()) and not (weight < 0).any() and math.isfinite(float(eps)) and float(eps) > 0
    if valid and resolution is not None:
        valid = bool(float(resolution) > 0 and math.isfinite(float(resolution)))
    if trivial or not valid:  # grid_dbscan raises the argument errors
        return grid_dbscan(xy, eps=eps, min_samples=min_samples, sample_weight=sample_weight, resolution=resolution)
    if resolution is not None:  # whole units once here; the tiles then sum integers exactly
        if float(weight_units(weight, resolution).sum()) >= 2.0**53:
            return grid_dbscan(xy, eps=eps, min_samples=min_samples, sample_weight=sample_weight, resolution=resolution)
        weight = weight_units(weight, resolution)
        min_samples = threshold_units(min_samples, resolution)
        sample_weight = weight
    eps = float(eps)
    with _runner(client) as runner:
        k = n_tiles or tile_count(runner.threads(), n)
        tile, rects = _kd_tiles(xy[:, 0], xy[:, 1], k)
        if len(rects) == 1:
            return grid_dbscan(xy, eps=eps, min_samples=min_samples, sample_weight=sample_weight)
        halo_r = 2.0 * eps * (1.0 + _SLACK) + 1e-9
        band_r = eps * (1.0 + _SLACK) + 1e-9
        inputs = []
        for own, halo in _tile_points(xy[:, 0], xy[:, 1], tile, rects, halo_r):
            local = np.concatenate([own, halo])
            mask = np.zeros(len(local), dtype=bool)
            mask[:len(own)] = True
            inputs.append((xy[local], weight[local], local.astype(np.int64), mask))
        inputs = runner.put_many(inputs)
        pass1 = [_delayed(_tile_pass1)(inp, rect, eps, float(min_samples))
                 for inp, rect in zip(inputs, rects, strict=True)]
        states = runner.persist(*pass1)
        summaries = runner.compute(*[_delayed(_tile_summary)(s, band_r) for s in states])

        # Merge: local clusters (nodes) sharing a core point are one cluster.
        sizes = np.array([int(s["n_nodes"]) for s in summaries], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        edge_seq = np.concatenate([s["edge_seq"] for s in summaries])
        edge_node = np.concatenate([s["edge_node"] + offsets[t] for t, s in enumerate(summaries)])
        halo_seq = np.concatenate([s["halo_seq"] for s in summaries])
        halo_node = np.concatenate([s["halo_node"] + offsets[t] for t, s in enumerate(summaries)])
        total = int(offsets[-1])
        if total == 0:  # no core point anywhere
            return DbscanResult(np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=bool))
        order = np.argsort(edge_seq, kind="stable")
        sorted_seq = edge_seq[order]
        at = np.minimum(np.searchsorted(sorted_seq, halo_seq), max(len(order) - 1, 0))
        if len(halo_seq) and not (len(order) and np.array_equal(sorted_seq[at], halo_seq)):
            # pragma: no cover - every core point in a halo is a core point near its own tile's edge
            raise RuntimeError("dask_dbscan: een kernpunt in een halo ontbreekt bij zijn eigen tegel")
        owner = edge_node[order][at] if len(halo_seq) else np.zeros(0, dtype=np.int64)
        graph = coo_array((np.ones(len(halo_node), dtype=np.int8), (halo_node, owner)), shape=(total, total))
        _, comp = connected_components(graph, directed=False)
        first = np.concatenate([s["first"] for s in summaries])
        comp_first = np.full(int(comp.max(initial=-1)) + 1, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(comp_first, comp, first)
        rank_of_comp = np.empty(len(comp_first), dtype=np.int64)
        rank_of_comp[np.argsort(comp_first, kind="stable")] = np.arange(len(comp_first))
        node_rank = rank_of_comp[comp]
        ranks = [node_rank[offsets[t]:offsets[t + 1]] for t in range(len(summaries))]
        finals = runner.compute(*[_delayed(_tile_pass2)(s, r, eps) for s, r in zip(states, ranks, strict=True)])
    labels = np.full(n, -1, dtype=np.int64)
    core = np.zeros(n, dtype=bool)
    for seq, lab, cor in finals:
        labels[seq] = lab
        core[seq] = cor
    return DbscanResult(labels, core)


# ----------------------------------------------------------------------------------------------------------------
# hotspots


def _part_take(part: Any, positions: np.ndarray) -> Any:
    return part.take(positions)


def _member_rows(region: Any, parted: _Parts, offsets: np.ndarray, positions: np.ndarray,
                 runner: _Runner) -> Any:
    """The development rows at global ``positions`` (sorted), as one in-memory frame in that order."""
    import geopandas as gpd

    dev = region.developments
    if not _is_dask(dev):
        return dev.take(positions)
    which = np.searchsorted(offsets, positions, side="right") - 1
    tasks = []
    for p in np.unique(which):
        tasks.append(_delayed(_part_take)(parted.parts[p], positions[which == p] - offsets[p]))
    frames = runner.compute(*tasks) if tasks else [parted.meta]
    return gpd.GeoDataFrame(pd.concat(frames), crs=parted.meta.crs) if len(frames) > 1 else frames[0]


def dask_detect_hotspots(region: Any, *, method: str, scenario: Any, year: int, eps_m: float, min_mw: float,
                         min_members: int, include_infrastructure: bool, hex_size_m: float, permutations: int,
                         fdr_alpha: float, seed: int, balance: Any, rules: dict[str, dict], buffer_m: float,
                         progress: ProgressCallback | None, infrastructure_weight_mw: float | None,
                         allocation: Any, kernels: Kernels, client: Any = None, n_tiles: int | None = None,
                         alternative: str = "two-sided") -> Any:
    """:func:`energieplanologie.hotspots.detect_hotspots` with ``engine="dask"`` (arguments already checked).

    Weighted points per partition; ``dbscan`` on tiles with :func:`dask_dbscan`, ``hdbscan`` and ``gistar`` on
    the client (their input is the gathered points); the member developments are fetched and described on the
    client exactly as in memory. ``kernels`` carries the hotspots' ``weighted_points``, ``objects``, ``cluster``,
    ``describe`` and ``result`` (:data:`energieplanologie.hotspots.KERNELS`).
    """
    cluster, describe, objects, result = kernels.cluster, kernels.describe, kernels.objects, kernels.result
    assert cluster is not None and describe is not None and objects is not None and result is not None

    with _runner(client) as runner:
        report(progress, 0.0, "knooppunten: punten verzamelen (dask)")
        points, parted, offsets = _points(region, scenario, year, runner, kernels=kernels,
                                          include_infrastructure=include_infrastructure,
                                          infrastructure_weight_mw=infrastructure_weight_mw, ids=False)
        report(progress, 0.15, f"knooppunten: clusteren ({method}, dask)")

        def dbscan(xy: np.ndarray, weight: np.ndarray) -> np.ndarray:
            return dask_dbscan(xy, eps=eps_m, min_samples=min_mw, sample_weight=weight, client=runner.client,
                               n_tiles=n_tiles, resolution=WEIGHT_RESOLUTION).labels

        ctx = region.replace(developments=parted.meta)
        labels, hexagons, cell_geoms = cluster(ctx, points, method, dbscan=dbscan, min_mw=min_mw,
                                                min_members=min_members, hex_size_m=hex_size_m,
                                                permutations=permutations, fdr_alpha=fdr_alpha, seed=seed,
                                                alternative=alternative)

        report(progress, 0.5, "knooppunten: kenmerken berekenen")
        keep = np.flatnonzero(labels >= 0)
        members = points.iloc[keep].reset_index(drop=True)
        is_dev = members["member_kind"].to_numpy() == "development"
        dev_pos = members["source"].to_numpy()[is_dev]
        wanted = np.unique(dev_pos)
        rows = _member_rows(region, parted, offsets, wanted, runner)
    # The member developments only; sources renumbered into that frame.
    source = members["source"].to_numpy().copy()
    source[is_dev] = np.searchsorted(wanted, dev_pos)
    ids = members["member_id"].to_numpy(dtype=object).copy()
    ids[is_dev] = rows["development_id"].to_numpy(dtype=object)[source[is_dev]]
    members = members.assign(member_id=objects(ids), source=source.astype(np.intp))
    reduced = region.replace(developments=rows)
    hotspots, member_table = describe(reduced, members, labels[keep], scenario, year, method, rules, balance,
                                       allocation, buffer_m, cell_geoms)
    report(progress, 1.0, "knooppunten: klaar")
    return result(hotspots, member_table, hexagons)
