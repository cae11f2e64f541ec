"""Test data at the DBSCAN threshold: groups of one-decimal MW values that sum to exactly ``min_mw`` in decimal.

Shared by ``test_clustering.py`` (the kernels and scikit-learn) and ``test_distributed.py`` (the dask engine and
the hotspot analysis). The reference labels are computed here with :class:`decimal.Decimal` sums, independent of
any floating-point order.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from scipy.spatial import cKDTree

#: Each group's points lie within this many metres of its corner, so all are within eps = 100 m of each other.
SPREAD_M = 40.0
#: Groups are this far apart (eps is 100 m): no point sees another group.
SPACING_M = 2_000.0


def threshold_groups(n_groups: int, *, min_mw: str = "20.0", seed: int = 0, parts: tuple[int, int] = (3, 12),
                     ) -> tuple[np.ndarray, np.ndarray, list[Decimal], np.ndarray]:
    """Points in ``n_groups`` compact groups whose one-decimal MW values add up (in decimal) to ``min_mw`` (two
    groups in three), to ``min_mw`` − 0.1 (one in six) or to ``min_mw`` + 0.1 (one in six); ``parts`` (least,
    most) values per group; points shuffled. (More than 10 points per group on average make
    :func:`~energieplanologie.clustering.grid_dbscan`'s ``auto`` choose its grid over the list of pairs.)

    Returns ``xy``, the weights as floats (``float(str)``, as a reader gives them), the same weights as Decimals,
    and each point's group number.
    """
    rng = np.random.default_rng(seed)
    tenths_total = int(Decimal(min_mw) * 10)
    xy, text, group = [], [], []
    for g in range(n_groups):
        total = tenths_total + (0 if g % 3 else (-1 if g % 2 else 1))
        k = int(rng.integers(parts[0], parts[1] + 1))
        cuts = np.sort(rng.choice(np.arange(1, total), k - 1, replace=False))
        tenths = np.diff(np.r_[0, cuts, total])
        cx, cy = 50_000.0 + (g % 50) * SPACING_M, 300_000.0 + (g // 50) * SPACING_M
        for t in tenths:
            xy.append((cx + rng.uniform(0, SPREAD_M), cy + rng.uniform(0, SPREAD_M)))
            text.append(f"{t // 10}.{t % 10}")
            group.append(g)
    order = rng.permutation(len(text))
    xy_arr = np.array(xy)[order]
    text = [text[i] for i in order]
    return xy_arr, np.array([float(t) for t in text]), [Decimal(t) for t in text], np.array(group)[order]


def decimal_dbscan(xy: np.ndarray, weights: list[Decimal], *, eps: float, min_mw: str) -> np.ndarray:
    """DBSCAN labels with exact decimal neighbourhood sums, numbered like scikit-learn (clusters by their
    lowest-index core point; a border point takes the lowest cluster number among its core neighbours)."""
    n = len(xy)
    neighbours = cKDTree(xy).query_ball_point(xy, eps)
    threshold = Decimal(min_mw)
    core = np.array([sum((weights[j] for j in nb), Decimal(0)) >= threshold for nb in neighbours])
    labels = np.full(n, -1, dtype=np.int64)
    next_label = 0
    for i in range(n):  # flood fill from each unlabelled core point, in index order
        if not core[i] or labels[i] >= 0:
            continue
        labels[i] = next_label
        stack = [i]
        while stack:
            p = stack.pop()
            for q in neighbours[p]:
                if core[q] and labels[q] < 0:
                    labels[q] = next_label
                    stack.append(q)
        next_label += 1
    for i in np.flatnonzero(~core):
        found = [labels[q] for q in neighbours[i] if core[q]]
        if found:
            labels[i] = min(found)
    return labels
