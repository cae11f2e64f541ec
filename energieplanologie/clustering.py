"""Exact DBSCAN for 2-D points with sample weights, on a grid (no pairwise neighbour lists).

:func:`grid_dbscan` gives exactly the labels of :class:`sklearn.cluster.DBSCAN` (``metric="euclidean"``,
``sample_weight`` honoured) — not only up to relabelling: clusters are numbered in order of their lowest-index
core point and a border point joins the lowest-numbered cluster among its core neighbours, which is what
scikit-learn's depth-first expansion does. It is built for the hotspot analysis, where millions of points with
hundreds of neighbours each make neighbour lists (scikit-learn) or per-point range queries (QGIS's
``native:dbscanclustering``) the bottleneck.

How it works (the grid approach of Gunawan 2013 / Gan & Tao 2015, vectorised with numpy):

1. Points are binned into square cells of side slightly below ``eps / sqrt(2)``: any two points of one cell are
   within ``eps``. Each cell knows its points (contiguous after one sort), their weight sum and bounding box.
2. Core points. A cell whose weight sum reaches ``min_samples`` is *dense*: all its points are core. Otherwise
   bounds decide many cells at once: the neighbour cells (a 5 × 5 block suffices) lying entirely within ``eps``
   of the cell give a lower bound of every point's neighbourhood weight, those that come within ``eps`` an upper
   bound. Points of undecided cells are examined one by one on a finer index (:class:`_FineIndex`): columns
   ``eps / 8`` wide in which the points are sorted by cell with a running sum of their weights, so the part of
   the disk that lies wholly inside a column costs two lookups; only points in the cells the disk's edge crosses
   are compared pairwise, and only for points whose bounds leave the decision open.
3. Clusters. Core points of one cell are always connected. Two neighbouring cells with core points are connected
   when their closest pair of core points is within ``eps``: decided by bounding boxes when possible, else by the
   pair of points that lie furthest towards each other, else by an exact check of the points near the other cell.
   Connected components of this cell graph (:func:`scipy.sparse.csgraph.connected_components`) are the clusters.
4. Border points (non-core within ``eps`` of a core point) take the lowest-numbered cluster among the cells whose
   core points reach them.

The distance test is ``dx*dx + dy*dy <= eps*eps``, as in scikit-learn's KD-tree and QGIS's KDBush index.
Cost is O(n log n) for the sorts plus, per undecided point, a few dozen lookups and the pairs in the disk's edge.

Weighted sums. Integer weights (as in the unweighted case) sum exactly in floating point, in any order.
Fractional weights do not: ten points of 0.1 and one of 19.0 make 20.0 in decimal but 19.999999999999996 or
20.000000000000004 in binary depending on the order of the additions, so a neighbourhood whose weight equals
``min_samples`` would be core or not depending on row order and summation path (and differ from scikit-learn,
which sums in yet another order). Pass ``resolution`` to decide such cases exactly: every weight and
``min_samples`` are first rounded to whole multiples of ``resolution`` (:func:`weight_units`,
:func:`threshold_units`), whose sums are exact integers as long as the total stays below 2⁵³ units. The hotspot
analysis does this with :data:`WEIGHT_RESOLUTION` = 10⁻⁶ (MW counted in whole watts), so "exactly ``min_mw``" in
decimal is always core. Without ``resolution`` fractional sums are compared as computed (re-summed point by point
when they come within rounding of ``min_samples``), like scikit-learn does.

Examples
--------
>>> import numpy as np
>>> xy = np.array([[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [50, 50]], dtype=float)
>>> labels, core = grid_dbscan(xy, eps=1.5, min_samples=2)
>>> labels.tolist()
[0, 0, 0, 1, 1, -1]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

__all__ = ["WEIGHT_RESOLUTION", "DbscanResult", "border_labels", "grid_dbscan", "threshold_units", "weight_units"]

#: Up to this many points ``algorithm="auto"`` considers the list of pairs.
_PAIRS_MAX_POINTS = 50_000
#: Cells are a hair smaller than eps/√2 so that "same cell ⇒ within eps" survives floating-point rounding.
_CELL_SHRINK = 1.0 - 1e-9
#: Upper bound on the number of (point, point) or (point, cell) pairs materialised at once.
_CHUNK = 4_000_000
#: (box, column) pairs per call of :meth:`_FineIndex._bounds`: its dozens of passes over them stay in the cache.
_BOUNDS_CHUNK = 60_000
#: (point, cell offset) pairs per pass of the border labelling (20,000 points): its arrays stay in the cache.
_LABEL_CHUNK = 500_000
#: The 5 × 5 block of cell offsets around a cell (cells further away are more than eps from any point).
_OFFSETS = np.array([(dx, dy) for dx in range(-2, 3) for dy in range(-2, 3)], dtype=np.int64)
#: Half of the block without the centre: each unordered pair of neighbouring cells is visited once.
_HALF = np.array([(dx, dy) for dx, dy in _OFFSETS if dx > 0 or (dx == 0 and dy > 0)], dtype=np.int64)


#: Resolution of weights for exact core decisions: 10⁻⁶ (one watt when weights are MW).
WEIGHT_RESOLUTION = 1e-6
#: Largest total weight, in units of the resolution, whose partial sums float64 holds exactly.
_EXACT_UNITS = 2.0**53


def weight_units(weight: np.ndarray, resolution: float = WEIGHT_RESOLUTION) -> np.ndarray:
    """Weights as whole multiples of ``resolution`` (float64 arrays holding integers, rounded half to even).

    Sums of these are exact in any order while the total stays below 2⁵³ units (9·10⁹ MW at 10⁻⁶ MW).

    Examples
    --------
    >>> w = [0.1, 0.3, 19.4, 0.2]  # 20.0 in decimal
    >>> sum(w) >= 20.0, float(weight_units(w).sum()) >= threshold_units(20.0)
    (False, True)
    """
    return np.rint(np.asarray(weight, dtype=np.float64) / float(resolution))


def threshold_units(min_samples: float, resolution: float = WEIGHT_RESOLUTION) -> int:
    """``min_samples`` as a whole number of ``resolution`` units (as :func:`weight_units` rounds weights).

    Examples
    --------
    >>> threshold_units(20.0)
    20000000
    """
    return int(np.rint(float(min_samples) / float(resolution)))


class DbscanResult(NamedTuple):
    """Labels (``-1`` = noise, clusters numbered from 0) and the core-point mask, in input order."""

    labels: np.ndarray
    core: np.ndarray


def grid_dbscan(
    xy: np.ndarray,
    *,
    eps: float,
    min_samples: float = 5,
    sample_weight: np.ndarray | None = None,
    algorithm: str = "auto",
    resolution: float | None = None,
) -> DbscanResult:
    """Cluster 2-D points with DBSCAN, exactly as scikit-learn does, using a grid instead of neighbour lists.

    Parameters
    ----------
    xy : array of shape (n, 2)
        Point coordinates in a projected CRS (metres).
    eps : float
        Neighbourhood radius; points at distance ``<= eps`` are neighbours (a point is its own neighbour).
    min_samples : float, default 5
        A point is core when the total weight of its neighbourhood (itself included) is at least this.
    sample_weight : array of shape (n,), optional
        Non-negative weight per point (default 1). In the hotspot analysis: scenario-weighted MW.
    algorithm : {"auto", "grid", "pairs"}, default "auto"
        ``grid`` is the method described above; ``pairs`` lists every pair within ``eps`` with a KD-tree
        (:meth:`scipy.spatial.cKDTree.query_pairs`) and works on that list — quicker when there are few pairs
        (small or sparse data), hopeless when points have hundreds of neighbours. ``auto`` takes ``pairs`` when
        a sample predicts fewer than about ten neighbours per point and fewer than 50,000 points. Both give the
        same result.
    resolution : float, optional
        Decide core status in exact integer arithmetic: weights and ``min_samples`` are rounded to whole
        multiples of ``resolution`` first (:func:`weight_units`, :func:`threshold_units`), so a neighbourhood
        whose weights add up to ``min_samples`` in decimal is core whatever the order of the points. The
        result equals scikit-learn's on the rounded weights and threshold. Default: compare floating-point sums.

    Returns
    -------
    DbscanResult
        ``labels`` (int64, ``-1`` for noise; clusters numbered in order of their first core point, like
        scikit-learn) and ``core`` (bool).

    Raises
    ------
    ValueError
        When ``xy`` is not (n, 2) finite numbers, ``eps`` is not positive, a weight is negative or not finite,
        or (with ``resolution``) the total weight is too large for exact sums.

    See Also
    --------
    sklearn.cluster.DBSCAN : the reference semantics (``metric="euclidean"``).

    Examples
    --------
    Weighted: the point at x=5 carries 20 MW, enough to be core on its own with ``min_samples=20``;
    the light points within 5 m of it join its cluster, the one at x=30 is noise.

    >>> xy = np.array([[0.0, 0.0], [5.0, 0.0], [9.0, 0.0], [30.0, 0.0]])
    >>> grid_dbscan(xy, eps=5.0, min_samples=20, sample_weight=np.array([1.0, 20.0, 1.0, 1.0])).labels.tolist()
    [0, 0, 0, -1]
    """
    xy = np.asarray(xy, dtype=np.float64)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"xy must have shape (n, 2); got {xy.shape}.")
    if not np.isfinite(xy).all():
        raise ValueError("xy contains NaN or infinite coordinates.")
    eps = float(eps)
    if not eps > 0 or not np.isfinite(eps):
        raise ValueError(f"eps must be a positive finite distance; got {eps}.")
    n = len(xy)
    if sample_weight is None:
        weight = np.ones(n, dtype=np.float64)
    else:
        weight = np.asarray(sample_weight, dtype=np.float64)
        if weight.shape != (n,):
            raise ValueError(f"sample_weight must have shape ({n},); got {weight.shape}.")
        if not np.isfinite(weight).all() or (weight < 0).any():
            raise ValueError("sample_weight must be finite and non-negative.")
    if resolution is not None:
        resolution = float(resolution)
        if not (resolution > 0 and np.isfinite(resolution)):
            raise ValueError(f"resolution must be a positive finite number; got {resolution}.")
        weight = weight_units(weight, resolution)
        if float(weight.sum()) >= _EXACT_UNITS:
            raise ValueError(f"total weight {float(weight.sum()) * resolution:.6g} is too large for exact sums at "
                             f"resolution {resolution:g} (at most {_EXACT_UNITS * resolution:.3g}).")
        min_samples = threshold_units(min_samples, resolution)
    if n == 0:
        return DbscanResult(np.empty(0, dtype=np.int64), np.empty(0, dtype=bool))
    if algorithm not in ("auto", "grid", "pairs"):
        raise ValueError(f"algorithm must be 'auto', 'grid' or 'pairs'; got {algorithm!r}.")
    if algorithm == "pairs" or (algorithm == "auto" and len(xy) <= _PAIRS_MAX_POINTS):
        from scipy.spatial import cKDTree

        tree = cKDTree(xy)
        if algorithm == "pairs" or _few_pairs(tree, xy, eps):
            return _pairs_dbscan(tree, xy, weight, eps, float(min_samples))

    grid = _Grid(xy, weight, eps)
    core_sorted = _core_points(grid, float(min_samples))
    grid.put_core_first(core_sorted)
    cell_cluster, n_clusters = _connect_core_cells(grid)
    labels_sorted = _label_points(grid, cell_cluster, n_clusters)

    labels = np.empty(n, dtype=np.int64)
    labels[grid.order] = labels_sorted
    core = np.empty(n, dtype=bool)
    core[grid.order] = grid.core
    return DbscanResult(labels, core)


# ----------------------------------------------------------------------------------------------------------------
# small or sparse data: a list of pairs


def _few_pairs(tree: object, xy: np.ndarray, eps: float, per_point: float = 10.0) -> bool:
    """Whether a sample of 256 points (fixed seed) predicts few enough neighbour pairs for :func:`_pairs_dbscan`."""
    n = len(xy)
    if n <= 256:
        return True
    sample = xy[np.random.default_rng(0).choice(n, 256, replace=False)]
    counts = tree.query_ball_point(sample, eps, return_length=True)  # type: ignore[attr-defined]
    return float(np.mean(counts)) <= per_point


def _pairs_dbscan(tree: object, xy: np.ndarray, weight: np.ndarray, eps: float, min_samples: float) -> DbscanResult:
    """DBSCAN on the explicit list of pairs within eps (same semantics and numbering as :func:`grid_dbscan`)."""
    n = len(xy)
    # Candidate pairs from the tree with a hair of slack, then the same exact test as everywhere else.
    pairs = tree.query_pairs(eps * (1 + 1e-9) + 1e-12, output_type="ndarray")  # type: ignore[attr-defined]
    i, j = pairs[:, 0], pairs[:, 1]
    d2 = (xy[i, 0] - xy[j, 0]) ** 2 + (xy[i, 1] - xy[j, 1]) ** 2
    keep = d2 <= eps * eps
    i, j = i[keep], j[keep]
    total = weight + np.bincount(i, weights=weight[j], minlength=n) + np.bincount(j, weights=weight[i], minlength=n)
    core = total >= min_samples
    labels = np.full(n, -1, dtype=np.int64)
    if not core.any():
        return DbscanResult(labels, core)
    both = core[i] & core[j]
    graph = coo_array((np.ones(int(both.sum()), dtype=np.int8), (i[both], j[both])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    core_idx = np.flatnonzero(core)
    # Number clusters by their lowest-index core point (core_idx is increasing: first occurrence = minimum).
    _, first = np.unique(comp[core_idx], return_index=True)
    rank = np.empty(int(comp.max()) + 1, dtype=np.int64)
    rank[comp[core_idx[np.sort(first)]]] = np.arange(first.size)
    labels[core_idx] = rank[comp[core_idx]]
    # Border points: the lowest cluster number among their core neighbours.
    none = np.iinfo(np.int64).max
    best = np.full(n, none, dtype=np.int64)
    for a, b in ((i, j), (j, i)):
        sel = ~core[a] & core[b]
        np.minimum.at(best, a[sel], labels[b[sel]])
    border = ~core & (best != none)
    labels[border] = best[border]
    return DbscanResult(labels, core)


# ----------------------------------------------------------------------------------------------------------------
# the grid


class _Grid:
    """Points sorted by cell, with per-cell ranges, weights and bounding boxes, and a neighbour lookup.

    Boxes are stored as a (4, n_cells) array of xmin, ymin, xmax, ymax rows so that gathers stay contiguous.
    """

    def __init__(self, xy: np.ndarray, weight: np.ndarray, eps: float) -> None:
        self.eps2 = eps * eps
        side = eps / np.sqrt(2.0) * _CELL_SHRINK
        lo = xy.min(axis=0)
        ij = np.floor((xy - lo) / side).astype(np.int64) + 2  # 2 cells of padding: offsets never wrap
        self.ny = int(ij[:, 1].max()) + 5
        nx = int(ij[:, 0].max()) + 5
        key = ij[:, 0] * self.ny + ij[:, 1]
        self.order = np.argsort(key, kind="stable")
        key = key[self.order]
        self.x = xy[self.order, 0]
        self.y = xy[self.order, 1]
        self.w = weight[self.order]
        first = np.empty(len(key), dtype=bool)
        first[0] = True
        np.not_equal(key[1:], key[:-1], out=first[1:])
        self.start = np.flatnonzero(first)
        self.count = np.diff(np.append(self.start, len(key)))
        self.keys = key[self.start]
        self.cell = np.cumsum(first) - 1  # cell of each sorted point
        self.cell_w = np.add.reduceat(self.w, self.start)
        self.box = _boxes(self.x, self.y, self.start)
        n_cells = len(self.keys)
        # A dense lookup table is fastest while the grid is small; otherwise binary search on the sorted keys.
        self._table: np.ndarray | None = None
        if nx * self.ny <= max(16 * n_cells, 1 << 18):
            self._table = np.full(nx * self.ny, -1, dtype=np.int64)
            self._table[self.keys] = np.arange(n_cells)
        self.core = np.zeros(len(key), dtype=bool)
        self.n_core = np.zeros(n_cells, dtype=np.int64)
        self.core_box = self.box

    def shift(self, offset: np.ndarray) -> int:
        """Key difference of a cell offset (dx, dy)."""
        return int(offset[0]) * self.ny + int(offset[1])

    def neighbour(self, cells: np.ndarray, shift: int) -> np.ndarray:
        """Cell index of each cell's neighbour at a key shift; -1 where that cell is empty."""
        query = self.keys[cells] + shift
        if self._table is not None:
            return self._table[query]
        pos = np.minimum(np.searchsorted(self.keys, query), len(self.keys) - 1)
        return np.where(self.keys[pos] == query, pos, -1)

    def put_core_first(self, core: np.ndarray) -> None:
        """Reorder points inside each cell so that core points come first; record core counts and boxes."""
        within = np.argsort(self.cell * 2 + (~core), kind="stable")
        self.order = self.order[within]
        self.x, self.y, self.w = self.x[within], self.y[within], self.w[within]
        self.core = core[within]
        self.n_core = np.add.reduceat(self.core.astype(np.int64), self.start)
        has = self.n_core > 0
        self.core_box = np.full((4, len(self.keys)), np.nan)
        if has.any():
            core_start = np.cumsum(self.n_core) - self.n_core
            self.core_box[:, has] = _boxes(self.x[self.core], self.y[self.core], core_start[has])


def _boxes(x: np.ndarray, y: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Bounding box rows (xmin, ymin, xmax, ymax) of the contiguous groups starting at ``start``."""
    return np.stack(
        [np.minimum.reduceat(x, start), np.minimum.reduceat(y, start),
         np.maximum.reduceat(x, start), np.maximum.reduceat(y, start)]
    )


def _box_box_d2(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Squared minimum and maximum distance between points of boxes ``a`` and ``b`` (each (4, m))."""
    dx_min = np.maximum(np.maximum(a[0] - b[2], b[0] - a[2]), 0.0)
    dy_min = np.maximum(np.maximum(a[1] - b[3], b[1] - a[3]), 0.0)
    dx_max = np.maximum(a[2] - b[0], b[2] - a[0])
    dy_max = np.maximum(a[3] - b[1], b[3] - a[1])
    return dx_min * dx_min + dy_min * dy_min, dx_max * dx_max + dy_max * dy_max


def _point_box_d2(px: np.ndarray, py: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Squared minimum and maximum distance from points to boxes ``b`` ((4, m))."""
    lo_x, hi_x = b[0] - px, px - b[2]
    lo_y, hi_y = b[1] - py, py - b[3]
    dx_min = np.maximum(np.maximum(lo_x, hi_x), 0.0)
    dy_min = np.maximum(np.maximum(lo_y, hi_y), 0.0)
    dx_max = np.maximum(-lo_x, -hi_x)
    dy_max = np.maximum(-lo_y, -hi_y)
    return dx_min * dx_min + dy_min * dy_min, dx_max * dx_max + dy_max * dy_max


def _chunks(sizes: np.ndarray | int, budget: int = _CHUNK) -> Iterator[slice]:
    """Consecutive slices of ``sizes`` whose sums stay near ``budget`` (at least one item per slice).

    An int ``sizes`` means that many items of size ``len(_OFFSETS)`` each.
    """
    if isinstance(sizes, (int, np.integer)):
        step = max(1, budget // len(_OFFSETS))
        for begin in range(0, int(sizes), step):
            yield slice(begin, min(int(sizes), begin + step))
        return
    if len(sizes) == 0:
        return
    total = np.cumsum(sizes, dtype=np.int64)
    begin = 0
    while begin < len(sizes):
        base = total[begin - 1] if begin else 0
        end = max(int(np.searchsorted(total, base + budget, side="right")), begin + 1)
        yield slice(begin, end)
        begin = end


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ragged expansion: for group g the indices ``starts[g] … starts[g]+counts[g]-1``; returns (group, index)."""
    group = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    index = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(first - starts, counts)
    return group, index


# ----------------------------------------------------------------------------------------------------------------
# step 2: core points


def _core_points(grid: _Grid, min_samples: float) -> np.ndarray:
    core_cell = grid.cell_w >= min_samples  # dense cells: every point is core
    undecided = np.flatnonzero(~core_cell)
    if undecided.size:
        # Cell-level bounds of every point's neighbourhood weight.
        lower = np.zeros(undecided.size)
        upper = np.zeros(undecided.size)
        for part in _chunks(undecided.size):
            cells = undecided[part]
            box = grid.box[:, cells]
            lo, up = lower[part], upper[part]  # views: filled in place
            for offset in _OFFSETS:
                nb = grid.neighbour(cells, grid.shift(offset))
                ok = np.flatnonzero(nb >= 0)
                j = nb[ok]
                dmin2, dmax2 = _box_box_d2(box[:, ok], grid.box[:, j])
                w = grid.cell_w[j]
                lo[ok] += np.where(dmax2 <= grid.eps2, w, 0.0)
                up[ok] += np.where(dmin2 <= grid.eps2, w, 0.0)
        core_cell[undecided[lower >= min_samples]] = True
        undecided = undecided[(lower < min_samples) & (upper >= min_samples)]
    core = np.repeat(core_cell, grid.count)
    if undecided.size == 0:
        return core
    # Point level, only in undecided cells.
    _, points = _expand(grid.start[undecided], grid.count[undecided])
    index = _FineIndex(grid.x, grid.y, grid.w, float(np.sqrt(grid.eps2)))
    core[points] = index.is_core(grid.x[points], grid.y[points], min_samples)
    return core


class _FineIndex:
    """Exact neighbourhood weights of single points from prefix sums over narrow columns of fine cells.

    Points are sorted by fine cell (column-major: the cells of one column, bottom to top, are contiguous), with a
    running sum of their weights. For a query point and each column within reach, the cells lying wholly inside the
    eps-disk form one contiguous run (their weight is a difference of two prefix sums), and the cells the disk's edge
    crosses form two short runs at its ends: only the points of those are compared one by one, and only for points
    whose bounds leave the decision open. Fine cells are ``eps / 8`` wide, so the edge runs hold a small share of the
    neighbourhood. Cell boundaries are widened by a tiny margin so rounding never puts a point in the sure run that
    the exact test ``dx*dx + dy*dy <= eps*eps`` would reject.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, w: np.ndarray, eps: float, per_eps: int = 8) -> None:
        self.eps = eps
        self.x0, self.y0 = float(x.min()), float(y.min())
        span = max(float(x.max()) - self.x0, float(y.max()) - self.y0, eps)
        # Coarser fine cells when a dense table of them would be very large (tiny eps over a wide extent).
        budget = max(64 * len(x), 1 << 18)
        while per_eps > 1 and ((span / (eps / per_eps)) + 2 * per_eps + 8) ** 2 > budget:
            per_eps //= 2
        self.f = eps / per_eps
        self.reach = per_eps + 1  # columns (and rows) a disk of radius eps can touch beyond the point's own
        self.pad = self.reach + 2
        ix = np.floor((x - self.x0) / self.f).astype(np.int64) + self.pad
        iy = np.floor((y - self.y0) / self.f).astype(np.int64) + self.pad
        self.nx = int(ix.max()) + self.pad + 1
        self.ny = int(iy.max()) + self.pad + 1
        key = ix * self.ny + iy
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        self.x, self.y = x[order], y[order]
        self.w = w[order]
        self.wsum = np.concatenate([[0.0], np.cumsum(self.w)])
        integral = bool(np.all(self.w == np.floor(self.w))) and self.wsum[-1] < 2.0**52
        # Bound on the rounding of a difference of two prefix sums (zero for integer weights, which sum exactly).
        self.tol = 0.0 if integral else 8.0 * len(x) * np.finfo(float).eps * float(self.wsum[-1])
        n_keys = self.nx * self.ny
        self._first: np.ndarray | None = None
        if n_keys <= budget:
            counts = np.bincount(self.key, minlength=n_keys)
            self._first = np.concatenate([[0], np.cumsum(counts)])
        # Margin against rounding in cell assignment and in the sure/candidate heights.
        self.delta = 1e-9 * (span + eps)

    def first(self, keys: np.ndarray) -> np.ndarray:
        """Position of the first point whose fine key is at least ``keys``."""
        if self._first is not None:
            return self._first[keys]
        return np.searchsorted(self.key, keys, side="left")

    def is_core(self, qx: np.ndarray, qy: np.ndarray, min_samples: float) -> np.ndarray:
        """Whether the neighbourhood weight of each query point reaches ``min_samples``.

        First per fine cell (the box around the cell's query points bounds all of them at once), then point by
        point for the cells left open.
        """
        out = np.zeros(qx.size, dtype=bool)
        cols = np.arange(-self.reach, self.reach + 1)
        key = (np.floor((qx - self.x0) / self.f).astype(np.int64) + self.pad) * self.ny + \
            np.floor((qy - self.y0) / self.f).astype(np.int64) + self.pad
        order = np.argsort(key, kind="stable")
        first = np.flatnonzero(np.r_[True, key[order][1:] != key[order][:-1]])
        size = np.diff(np.append(first, key.size))
        box = [np.minimum.reduceat(qx[order], first), np.maximum.reduceat(qx[order], first),
               np.minimum.reduceat(qy[order], first), np.maximum.reduceat(qy[order], first)]
        cell_state = np.zeros(first.size, dtype=np.int8)  # 1 core, -1 not core, 0 open
        for part in _chunks(np.full(first.size, cols.size), _BOUNDS_CHUNK):
            *_, sure, edge = self._bounds(box[0][part], box[1][part], box[2][part], box[3][part], cols)
            cell_state[part] = np.where(sure - self.tol >= min_samples, 1,
                                        np.where(sure + edge + self.tol < min_samples, -1, 0))
        state = np.repeat(cell_state, size)
        out[order] = state == 1
        todo = order[state == 0]
        for part in _chunks(np.full(todo.size, cols.size), _BOUNDS_CHUNK):
            idx = todo[part]
            out[idx] = self._decide(qx[idx], qy[idx], cols, min_samples)
        return out

    def _bounds(self, xlo: np.ndarray, xhi: np.ndarray, ylo: np.ndarray, yhi: np.ndarray,
                cols: np.ndarray) -> tuple[np.ndarray, ...]:
        """Point ranges and weight bounds for boxes (points when lo == hi) inside one fine cell each.

        Per (box, column offset): the sorted-point positions p0 ≤ p1 ≤ p2 ≤ p3 of the candidate run [p0, p3) and
        the sure run [p1, p2) (within eps of every point of the box); and per box the sure weight and the weight
        of the edge runs.

        The (box, offset) arrays are worked on in place (this is memory-bound: a new array per step costs more
        than the step). Column numbers and keys are kept as whole floats, exact far beyond any grid's size, and
        converted once; the values are those of the integer formulas (``a - b`` is exactly ``-(b - a)``).
        """
        f, eps, delta = self.f, self.eps, self.delta
        # Column (as a whole float, before padding) of each (box, offset) and the x-distance range from the box to
        # that column's strip: ``a`` = hi - left, ``b`` = right - lo.
        col = np.floor((xlo - self.x0) / f)[:, None] + cols
        edge_x = col * f
        edge_x += self.x0  # left
        a = xhi[:, None] - edge_x
        edge_x += f  # right
        b = np.subtract(edge_x, xlo[:, None], out=edge_x)
        bx = np.maximum(a, b)
        bx += delta  # farthest x-distance, raised
        ax = np.minimum(a, b, out=a)
        np.negative(ax, out=ax)  # max(left - hi, lo - right)
        np.maximum(ax, 0.0, out=ax)
        ax -= delta  # nearest x-distance, lowered
        reach = ax <= eps
        # Half-heights of the candidate band (h_out) and the sure band (h_in) in each column.
        h_out = np.maximum(ax, 0.0, out=b)
        h_out *= h_out
        np.subtract(eps * eps, h_out, out=h_out)
        np.maximum(h_out, 0.0, out=h_out)
        np.sqrt(h_out, out=h_out)
        h_out += delta
        h_in = np.multiply(bx, bx, out=ax)
        np.subtract(eps * eps, h_in, out=h_in)
        np.maximum(h_in, 0.0, out=h_in)
        np.sqrt(h_in, out=h_in)
        h_in -= delta
        has_in = bx < eps
        has_in &= h_in > 0
        # Keys of the rows (fine cells) touched by the candidate band, and of the rows wholly inside the sure band.
        base = col
        base += self.pad
        base *= self.ny
        base += self.pad
        lo_y, hi_y = ylo[:, None], yhi[:, None]

        def key(v: np.ndarray, rounding: np.ufunc, plus: float = 0.0) -> np.ndarray:
            v -= self.y0
            v /= f
            rounding(v, out=v)
            v += base
            if plus:
                v += plus
            return v

        k0 = key(lo_y - h_out, np.floor)
        k3 = key(np.add(hi_y, h_out, out=h_out), np.floor, 1.0)
        k1 = key(hi_y - h_in, np.ceil)
        k2 = key(np.add(lo_y, h_in, out=h_in), np.floor)
        has_in &= k2 > k1  # some row is wholly inside; else every row is an edge row
        np.copyto(k1, k0, where=~has_in)
        np.copyto(k2, k0, where=~has_in)
        np.clip(k1, k0, k3, out=k1)
        np.clip(k2, k0, k3, out=k2)
        far = ~reach
        positions = []
        for k in (k0, k1, k2, k3):
            k[far] = 0.0  # a column out of reach: key 0 comes before every (padded) point's key, position 0
            positions.append(self.first(k.astype(np.int64)))
        p0, p1, p2, p3 = positions
        ws = self.wsum
        sure = (ws[p2] - ws[p1]).sum(axis=1)
        edge = (ws[p1] - ws[p0] + ws[p3] - ws[p2]).sum(axis=1)
        return p0, p1, p2, p3, sure, edge

    def _decide(self, px: np.ndarray, py: np.ndarray, cols: np.ndarray, min_samples: float) -> np.ndarray:
        eps = self.eps
        p0, p1, p2, p3, sure, edge = self._bounds(px, px, py, py, cols)
        core = sure - self.tol >= min_samples
        open_ = ~core & (sure + edge + self.tol >= min_samples)
        if not open_.any():
            return core
        rows = np.flatnonzero(open_)
        # Exact comparison in the edge runs of the undecided points.
        lo = np.concatenate([p0[rows], p2[rows]], axis=1).ravel()
        hi = np.concatenate([p1[rows], p3[rows]], axis=1).ravel()
        owner_row = np.repeat(np.arange(rows.size), 2 * cols.size)
        acc = sure[rows].copy()
        acc_edge = np.zeros(rows.size)
        for sub in _chunks(hi - lo):
            owner, q = _expand(lo[sub], (hi - lo)[sub])
            r = owner_row[sub][owner]
            d2 = (self.x[q] - px[rows][r]) ** 2 + (self.y[q] - py[rows][r]) ** 2
            acc_edge += np.bincount(r, weights=np.where(d2 <= eps * eps, self.w[q], 0.0), minlength=rows.size)
        acc += acc_edge
        exact = acc - self.tol >= min_samples
        near = np.abs(acc - min_samples) <= self.tol
        if near.any():
            # Within rounding of the threshold: sum the whole neighbourhood point by point.
            nr = np.flatnonzero(near)
            lo = p0[rows[nr]].ravel()
            hi = p3[rows[nr]].ravel()
            owner_row = np.repeat(np.arange(nr.size), cols.size)
            total = np.zeros(nr.size)
            for sub in _chunks(hi - lo):
                owner, q = _expand(lo[sub], (hi - lo)[sub])
                r = owner_row[sub][owner]
                d2 = (self.x[q] - px[rows[nr]][r]) ** 2 + (self.y[q] - py[rows[nr]][r]) ** 2
                total += np.bincount(r, weights=np.where(d2 <= eps * eps, self.w[q], 0.0), minlength=nr.size)
            exact[nr] = total >= min_samples
        core[rows] = exact
        return core


# ----------------------------------------------------------------------------------------------------------------
# step 3: connect cells with core points


def _connect_core_cells(grid: _Grid) -> tuple[np.ndarray, int]:
    """Cluster number of every cell (-1 without core points), numbered by lowest input index of a core point."""
    n_cells = len(grid.keys)
    core_cells = np.flatnonzero(grid.n_core > 0)
    cell_cluster = np.full(n_cells, -1, dtype=np.int64)
    if core_cells.size == 0:
        return cell_cluster, 0
    edges_a: list[np.ndarray] = []
    edges_b: list[np.ndarray] = []
    amb_a: list[np.ndarray] = []
    amb_b: list[np.ndarray] = []
    amb_dir: list[np.ndarray] = []
    box = grid.core_box[:, core_cells]
    for offset in _HALF:
        nb = grid.neighbour(core_cells, grid.shift(offset))
        has = nb >= 0
        has[has] = grid.n_core[nb[has]] > 0
        ok = np.flatnonzero(has)
        a, b = core_cells[ok], nb[ok]
        dmin2, dmax2 = _box_box_d2(box[:, ok], grid.core_box[:, b])
        sure = dmax2 <= grid.eps2
        edges_a.append(a[sure])
        edges_b.append(b[sure])
        amb = ~sure & (dmin2 <= grid.eps2)
        amb_a.append(a[amb])
        amb_b.append(b[amb])
        amb_dir.append(np.broadcast_to(offset, (int(amb.sum()), 2)))
    a, b, direction = np.concatenate(amb_a), np.concatenate(amb_b), np.concatenate(amb_dir)
    if a.size:
        # Quick positive test: A's core point furthest towards B against B's furthest towards A.
        ia = _extreme(grid, a, direction)
        ib = _extreme(grid, b, -direction)
        close = (grid.x[ia] - grid.x[ib]) ** 2 + (grid.y[ia] - grid.y[ib]) ** 2 <= grid.eps2
        edges_a.append(a[close])
        edges_b.append(b[close])
        a, b = a[~close], b[~close]
        if a.size:
            linked = _closest_pair_within(grid, a, b)
            edges_a.append(a[linked])
            edges_b.append(b[linked])
    ea = np.concatenate(edges_a)
    eb = np.concatenate(edges_b)
    graph = coo_array((np.ones(ea.size, dtype=np.int8), (ea, eb)), shape=(n_cells, n_cells)).tocsr()
    _, comp = connected_components(graph, directed=False)
    comp_core = comp[core_cells]
    # Number clusters like scikit-learn: by the lowest input index among their core points.
    first_index = np.minimum.reduceat(np.where(grid.core, grid.order, np.iinfo(np.int64).max), grid.start)
    best = np.full(n_cells, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, comp_core, first_index[core_cells])
    used = np.unique(comp_core)
    rank = np.empty(n_cells, dtype=np.int64)
    rank[used[np.argsort(best[used], kind="stable")]] = np.arange(used.size)
    cell_cluster[core_cells] = rank[comp_core]
    return cell_cluster, int(used.size)


def _extreme(grid: _Grid, cells: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """For each (cell, direction), the sorted index of the cell's core point furthest along the direction.

    Computed per distinct direction over all core points at once (a segmented arg-max), so a dense cell that
    takes part in many pairs is scanned once per direction, not once per pair.
    """
    out = np.empty(cells.size, dtype=np.int64)
    # Directions that are positive multiples of each other share their extreme points: reduce to primitives.
    g = np.gcd(direction[:, 0], direction[:, 1])
    prim = direction // g[:, None]
    codes = (prim[:, 0] + 2) * 5 + (prim[:, 1] + 2)
    core_cells = np.flatnonzero(grid.n_core > 0)
    cell_pos = np.full(len(grid.keys), -1, dtype=np.int64)
    cell_pos[core_cells] = np.arange(core_cells.size)
    core_idx = np.flatnonzero(grid.core)  # grouped by cell: core points come first in their cell
    counts = grid.n_core[core_cells]
    seg = np.cumsum(counts) - counts
    for code in np.unique(codes):
        dx, dy = divmod(int(code), 5)
        proj = grid.x[core_idx] * (dx - 2) + grid.y[core_idx] * (dy - 2)
        hit = proj == np.repeat(np.maximum.reduceat(proj, seg), counts)
        first = np.minimum.reduceat(np.where(hit, core_idx, np.iinfo(np.int64).max), seg)
        sel = codes == code
        out[sel] = first[cell_pos[cells[sel]]]
    return out


def _closest_pair_within(grid: _Grid, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact test per cell pair: is some core point of A within eps of some core point of B?"""
    linked = np.zeros(a.size, dtype=bool)
    pair = np.arange(a.size)
    # Candidates of each side: its core points within eps of the other side's core box.
    cand = []
    for side, other in ((a, b), (b, a)):
        owner, idx = _expand(grid.start[side], grid.n_core[side])
        dmin2, _ = _point_box_d2(grid.x[idx], grid.y[idx], grid.core_box[:, other[owner]])
        keep = dmin2 <= grid.eps2
        cand.append((pair[owner[keep]], idx[keep]))
    (pa, ia), (pb, ib) = cand
    # Both candidate lists are grouped by pair (expansion order); cross them pair by pair.
    nb_per_pair = np.bincount(pb, minlength=a.size)
    b_first = np.cumsum(nb_per_pair) - nb_per_pair
    reps = nb_per_pair[pa]
    for part in _chunks(reps):
        owner, j = _expand(b_first[pa[part]], reps[part])
        i_a = ia[part][owner]
        i_b = ib[j]
        hit = (grid.x[i_a] - grid.x[i_b]) ** 2 + (grid.y[i_a] - grid.y[i_b]) ** 2 <= grid.eps2
        linked[pa[part][owner[hit]]] = True
    return linked


# ----------------------------------------------------------------------------------------------------------------
# step 4: labels


def _label_points(grid: _Grid, cell_cluster: np.ndarray, n_clusters: int) -> np.ndarray:
    labels = np.full(len(grid.x), -1, dtype=np.int64)
    labels[grid.core] = cell_cluster[grid.cell[grid.core]]
    if n_clusters == 0:
        return labels
    # Border candidates: non-core points in cells with a cell with core points in their 5 × 5 block.
    cells = np.flatnonzero(grid.n_core < grid.count)
    reach = np.zeros(cells.size, dtype=bool)
    for offset in _OFFSETS:
        nb = grid.neighbour(cells, grid.shift(offset))
        reach |= (nb >= 0) & (cell_cluster[np.maximum(nb, 0)] >= 0)
    cells = cells[reach]
    if cells.size == 0:
        return labels
    _, points = _expand(grid.start[cells] + grid.n_core[cells], grid.count[cells] - grid.n_core[cells])
    none = np.iinfo(np.int64).max
    for part in _chunks(points.size, _LABEL_CHUNK):
        p = points[part]
        px, py, pc = grid.x[p], grid.y[p], grid.cell[p]
        best = np.full(p.size, none, dtype=np.int64)
        rows, nbs = [], []
        for offset in _OFFSETS:
            nb = grid.neighbour(pc, grid.shift(offset))
            has = nb >= 0
            has[has] = cell_cluster[nb[has]] >= 0
            ok = np.flatnonzero(has)
            j = nb[ok]
            dmin2, dmax2 = _point_box_d2(px[ok], py[ok], grid.core_box[:, j])
            full = dmax2 <= grid.eps2
            np.minimum.at(best, ok[full], cell_cluster[j[full]])
            partial = ~full & (dmin2 <= grid.eps2)
            rows.append(ok[partial])
            nbs.append(j[partial])
        row, cell = np.concatenate(rows), np.concatenate(nbs)
        clus = cell_cluster[cell]
        # Exact check only where a partly reachable cell could still give a lower cluster number.
        keep = clus < best[row]
        row, cell, clus = row[keep], cell[keep], clus[keep]
        for sub in _chunks(grid.n_core[cell]):
            owner, q = _expand(grid.start[cell[sub]], grid.n_core[cell[sub]])
            src = p[row[sub][owner]]
            hit = (grid.x[q] - grid.x[src]) ** 2 + (grid.y[q] - grid.y[src]) ** 2 <= grid.eps2
            np.minimum.at(best, row[sub][owner[hit]], clus[sub][owner[hit]])
        labels[p] = np.where(best == none, -1, best)
    return labels


def border_labels(xy: np.ndarray, core: np.ndarray, core_labels: np.ndarray, eps: float) -> np.ndarray:
    """Step 4 on its own: given the core points and their cluster numbers, label the other points.

    A non-core point gets the lowest cluster number among the core points within ``eps`` (-1 when there is none),
    a core point keeps its number. Core points sharing a grid cell must share their number, as they do in any
    DBSCAN result. Used by the dask engine (:mod:`energieplanologie.distributed`), which numbers clusters
    globally and then labels the border points of each tile.

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [0.5, 0.0], [5.0, 0.0]])
    >>> border_labels(xy, np.array([True, False, False]), np.array([3, -1, -1]), 1.0).tolist()
    [3, 3, -1]
    """
    xy = np.asarray(xy, dtype=np.float64)
    labels = np.where(core, core_labels, -1).astype(np.int64)
    if len(xy) == 0 or not core.any() or core.all():
        return labels
    grid = _Grid(xy, np.ones(len(xy)), float(eps))
    grid.put_core_first(np.asarray(core, dtype=bool)[grid.order])
    cell_cluster = np.full(len(grid.keys), -1, dtype=np.int64)
    cell_cluster[grid.cell[grid.core]] = labels[grid.order][grid.core]
    labels_sorted = _label_points(grid, cell_cluster, int(cell_cluster.max()) + 1)
    out = np.empty(len(xy), dtype=np.int64)
    out[grid.order] = labels_sorted
    return out
