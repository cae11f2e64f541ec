"""Tests of the grid DBSCAN kernel against hand-drawn cases and scikit-learn's DBSCAN (the reference)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import DBSCAN

from energieplanologie.clustering import grid_dbscan


def _sklearn(xy, eps, min_samples, weight=None):
    # The KD-tree, whose distance test is ours (dx² + dy² ≤ eps²); the brute-force path of "auto" computes
    # distances as |x|² + |y|² − 2x·y, which puts points at exactly eps on either side by rounding.
    ref = DBSCAN(eps=eps, min_samples=min_samples, algorithm="kd_tree").fit(xy, sample_weight=weight)
    core = np.zeros(len(xy), dtype=bool)
    core[ref.core_sample_indices_] = True
    return ref.labels_, core


def test_hand_drawn_clusters():
    # Two groups 1 m apart inside, 10 m between groups, one far point; eps 1.5, min 3 (self included).
    # Group A: (0,0) (1,0) (0,1) (1,1): every point sees all four (diagonal 1.41 ≤ 1.5) → all core, cluster 0.
    # Group B: (10,0) (11,0) (12,0): the middle point sees 3 → core; ends see 2 → border of cluster 1.
    # (30,30) sees only itself → noise.
    xy = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [10, 0], [11, 0], [12, 0], [30, 30]], dtype=float)
    labels, core = grid_dbscan(xy, eps=1.5, min_samples=3)
    assert labels.tolist() == [0, 0, 0, 0, 1, 1, 1, -1]
    assert core.tolist() == [True, True, True, True, False, True, False, False]


def test_weights_make_core_points():
    # min_samples 20 "MW": a 25 MW point is core on its own, and so is a 1 MW point 3 m away (1 + 25 ≥ 20);
    # two 10 MW points 2 m apart are each core (10 + 10 = 20 ≥ 20); a 5 MW point alone is noise.
    xy = np.array([[0, 0], [3, 0], [100, 0], [102, 0], [200, 0]], dtype=float)
    w = np.array([25.0, 1.0, 10.0, 10.0, 5.0])
    labels, core = grid_dbscan(xy, eps=5.0, min_samples=20, sample_weight=w)
    assert labels.tolist() == [0, 0, 1, 1, -1]
    assert core.tolist() == [True, True, True, True, False]
    # Zero weights never help: the same layout with the 25 MW point set to 0 has no cluster there.
    w0 = w.copy()
    w0[0] = 0.0
    assert grid_dbscan(xy, eps=5.0, min_samples=20, sample_weight=w0).labels.tolist() == [-1, -1, 0, 0, -1]


def test_distance_equal_to_eps_is_a_neighbour():
    # (0,0) and (3,4) are exactly 5 apart: with eps 5 they are neighbours (<=), with eps 4.999 they are not.
    xy = np.array([[0.0, 0.0], [3.0, 4.0]])
    assert grid_dbscan(xy, eps=5.0, min_samples=2).labels.tolist() == [0, 0]
    assert grid_dbscan(xy, eps=4.999, min_samples=2).labels.tolist() == [-1, -1]


def test_border_point_joins_lowest_numbered_cluster():
    # Two clusters (min 3) whose core points are 2 m from a shared border point at x=0; the border point
    # (index 6) is not core (it sees itself and two core points: 3 ≥ 3 would make it core, so use min 4).
    # Cluster 0 is the one with the lowest-index core point (indices 0–2 at x<0); scikit-learn gives the
    # border point to cluster 0, and so must we.
    left = [[-2, 0], [-2.5, 0.5], [-2.5, -0.5]]
    right = [[2, 0], [2.5, 0.5], [2.5, -0.5]]
    xy = np.array(left + right + [[0, 0]], dtype=float)
    labels, core = grid_dbscan(xy, eps=2.0, min_samples=4)
    ref_labels, ref_core = _sklearn(xy, 2.0, 4)
    assert labels.tolist() == ref_labels.tolist()
    assert core.tolist() == ref_core.tolist()
    # Reversing the order makes the right-hand cluster number 0, and the border point follows it.
    labels_r, _ = grid_dbscan(xy[::-1], eps=2.0, min_samples=4)
    assert labels_r.tolist() == _sklearn(xy[::-1], 2.0, 4)[0].tolist()


def test_edge_cases():
    assert grid_dbscan(np.empty((0, 2)), eps=1.0).labels.size == 0
    assert grid_dbscan(np.array([[5.0, 5.0]]), eps=1.0, min_samples=1).labels.tolist() == [0]
    same = np.zeros((1000, 2))  # all points identical: one dense cell, one cluster
    labels, core = grid_dbscan(same, eps=1.0, min_samples=10)
    assert set(labels.tolist()) == {0} and core.all()
    with pytest.raises(ValueError, match="eps"):
        grid_dbscan(same, eps=0.0)
    with pytest.raises(ValueError, match="shape"):
        grid_dbscan(np.zeros((3, 3)), eps=1.0)
    with pytest.raises(ValueError, match="NaN"):
        grid_dbscan(np.array([[np.nan, 0.0]]), eps=1.0)
    with pytest.raises(ValueError, match="non-negative"):
        grid_dbscan(np.zeros((2, 2)), eps=1.0, sample_weight=np.array([1.0, -1.0]))


@pytest.mark.parametrize("algorithm", ["auto", "grid", "pairs"])
def test_clustered_data_equals_sklearn_exactly(algorithm):
    # 20,000 points: 40 Gaussian clusters plus uniform background, eps 1 km, min 10 — the benchmark's shape.
    rng = np.random.default_rng(7)
    centres = rng.uniform(0, 100_000, size=(40, 2))
    pts = centres[rng.integers(0, 40, 16_000)] + rng.normal(size=(16_000, 2)) * rng.uniform(300, 2000)
    xy = np.vstack([pts, rng.uniform(0, 100_000, size=(4_000, 2))])
    for weight in (None, rng.gamma(0.5, 4.0, size=len(xy))):
        labels, core = grid_dbscan(xy, eps=1000.0, min_samples=10, sample_weight=weight, algorithm=algorithm)
        ref_labels, ref_core = _sklearn(xy, 1000.0, 10, weight)
        assert labels.max() > 5  # many clusters, not a trivial case
        np.testing.assert_array_equal(core, ref_core)
        np.testing.assert_array_equal(labels, ref_labels)


def test_many_light_points_equal_sklearn():
    # The national-data regime: thousands of light points (0.01–0.2 MW), a core needs ~20 MW, so every point
    # has hundreds of neighbours and its weight is summed over the fine columns (bounds, prefix sums, edge pairs).
    rng = np.random.default_rng(11)
    centres = rng.uniform(0, 20_000, size=(12, 2))
    xy = centres[rng.integers(0, 12, 6000)] + rng.normal(size=(6000, 2)) * 900
    xy = np.vstack([xy, rng.uniform(0, 20_000, size=(2000, 2))])
    w = rng.gamma(2.0, 0.04, size=len(xy))
    labels, core = grid_dbscan(xy, eps=800.0, min_samples=8, sample_weight=w, algorithm="grid")
    ref_labels, ref_core = _sklearn(xy, 800.0, 8, w)
    assert 0.2 < core.mean() < 0.9  # many decisions near the threshold, not a trivial all/none case
    np.testing.assert_array_equal(core, ref_core)
    np.testing.assert_array_equal(labels, ref_labels)
    with pytest.raises(ValueError, match="algorithm"):
        grid_dbscan(xy, eps=1.0, algorithm="kdtree")


def test_sparse_grid_lookup_path():
    # A huge extent with a tiny eps makes the dense cell table too big, so neighbours are found by binary
    # search; the result must be the same as scikit-learn's.
    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 1e7, size=(50, 2))
    xy = centres[rng.integers(0, 50, 3000)] + rng.normal(size=(3000, 2)) * 2.0
    labels, core = grid_dbscan(xy, eps=1.0, min_samples=3, algorithm="grid")
    ref_labels, ref_core = _sklearn(xy, 1.0, 3)
    np.testing.assert_array_equal(core, ref_core)
    np.testing.assert_array_equal(labels, ref_labels)


coords = st.lists(
    st.tuples(st.integers(-20, 20), st.integers(-20, 20)), min_size=1, max_size=120
)


@settings(max_examples=160, deadline=None)
@given(
    points=coords,
    eps=st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0, 5.0]),
    min_samples=st.integers(1, 8),
    weights=st.one_of(st.none(), st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.5]), min_size=120, max_size=120)),
    scale=st.sampled_from([1.0, 0.37, 250.0]),
    algorithm=st.sampled_from(["grid", "pairs"]),
)
def test_property_equals_sklearn(points, eps, min_samples, weights, scale, algorithm):
    # Integer lattice coordinates produce duplicates and many distances exactly equal to eps: the hardest
    # cases for a grid method. Labels must equal scikit-learn's exactly (same numbering), core masks too.
    xy = np.array(points, dtype=float) * scale
    w = None if weights is None else np.array(weights[: len(xy)])
    if w is not None and not w.any():
        w[0] = 1.0  # scikit-learn refuses all-zero weights
    labels, core = grid_dbscan(xy, eps=eps * scale, min_samples=min_samples, sample_weight=w, algorithm=algorithm)
    ref_labels, ref_core = _sklearn(xy, eps * scale, min_samples, w)
    np.testing.assert_array_equal(core, ref_core)
    np.testing.assert_array_equal(labels, ref_labels)


# ------------------------------------------------------------------------------------ exactly at the threshold


@pytest.mark.parametrize("algorithm", ["auto", "grid", "pairs"])
def test_neighbourhoods_of_exactly_min_samples_in_decimal_are_core_in_every_path(algorithm):
    # 3,000 groups of 3–12 one-decimal MW values; two in three add up to exactly 20.0 in decimal, the others to
    # 19.9 or 20.1; each group lies within 40 m (eps 100 m), groups 2 km apart; points shuffled. In floating
    # point such a group sums to 19.999999999999996 or 20.000000000000004 depending on the order of additions.
    # With resolution (MW in whole watts) every path gives the labels of exact decimal arithmetic, and so does
    # scikit-learn on the same rounded weights.
    from decimal_groups import decimal_dbscan, threshold_groups

    from energieplanologie.clustering import WEIGHT_RESOLUTION, threshold_units, weight_units

    xy, w, dec, group = threshold_groups(3000, seed=3)
    expected = decimal_dbscan(xy, dec, eps=100.0, min_mw="20.0")
    # The groups of exactly 20.0 and 20.1 are clusters, those of 19.9 noise.
    sums = {g: sum((d for d, gg in zip(dec, group, strict=True) if gg == g), start=type(dec[0])(0)) for g in range(3000)}
    assert {g for g in range(3000) if (expected[group == g] >= 0).all()} == {g for g, s in sums.items() if s >= 20}
    got = grid_dbscan(xy, eps=100.0, min_samples=20.0, sample_weight=w, algorithm=algorithm,
                      resolution=WEIGHT_RESOLUTION)
    assert got.labels.tolist() == expected.tolist()
    reference, _ = _sklearn(xy, 100.0, threshold_units(20.0), weight_units(w))
    assert reference.tolist() == expected.tolist()
    # The order of the points does not matter.
    back = grid_dbscan(xy[::-1], eps=100.0, min_samples=20.0, sample_weight=w[::-1], algorithm=algorithm,
                       resolution=WEIGHT_RESOLUTION)
    assert (back.labels[::-1] >= 0).tolist() == (expected >= 0).tolist()


def test_resolution_rounds_weights_and_threshold():
    # 0.1 + 0.3 + 19.4 + 0.2 is 19.999999999999996 in floating point (in this order), 20 in decimal.
    xy = np.zeros((4, 2))
    w = np.array([0.1, 0.3, 19.4, 0.2])
    assert sum(w.tolist()) < 20.0
    assert grid_dbscan(xy, eps=1.0, min_samples=20.0, sample_weight=w, resolution=1e-6).labels.tolist() == [0] * 4
    # Weights are rounded to whole units: 19.9999994 MW is 19,999,999 W (not core), 19.9999996 MW is 20,000,000 W.
    assert grid_dbscan(xy[:1], eps=1.0, min_samples=20, sample_weight=np.array([19.9999994]),
                       resolution=1e-6).labels.tolist() == [-1]
    assert grid_dbscan(xy[:1], eps=1.0, min_samples=20, sample_weight=np.array([19.9999996]),
                       resolution=1e-6).labels.tolist() == [0]
    with pytest.raises(ValueError, match="too large for exact sums"):
        grid_dbscan(xy, eps=1.0, min_samples=20, sample_weight=np.full(4, 3e9), resolution=1e-6)
    with pytest.raises(ValueError, match="resolution"):
        grid_dbscan(xy, eps=1.0, min_samples=20, sample_weight=w, resolution=0.0)


@pytest.mark.parametrize("table", [True, False])
def test_fine_index_bounds_hold_for_boxes_and_points(table):
    # What the exact core decision rests on: in every column the sure run [p1, p2) holds only points within eps of
    # every point of the box, and the candidate runs [p0, p3) hold every point within eps of some point of it;
    # sure and edge are the weights of those runs. Checked by brute force, with the dense table of first
    # positions and with binary search (columns out of reach must give empty runs at position 0 either way).
    from energieplanologie.clustering import _FineIndex

    rng = np.random.default_rng(3)
    xy = np.concatenate([rng.normal(0, 400, (1_500, 2)), rng.uniform(-2_000, 2_000, (500, 2))]) + [155_000, 463_000]
    w = rng.integers(1, 5, len(xy)).astype(float)
    eps = 500.0
    index = _FineIndex(xy[:, 0], xy[:, 1], w, eps)
    if not table:
        index._first = None
    cols = np.arange(-index.reach, index.reach + 1)
    at = xy[rng.choice(len(xy), 40, replace=False)]
    # Boxes inside one fine cell each: from a point's fine cell, a box in its lower-left 0.9 × 0.9.
    cell_x = index.x0 + np.floor((at[:, 0] - index.x0) / index.f) * index.f
    cell_y = index.y0 + np.floor((at[:, 1] - index.y0) / index.f) * index.f
    xlo, ylo = cell_x + rng.uniform(0, 0.5, 40) * index.f, cell_y + rng.uniform(0, 0.5, 40) * index.f
    boxes = [(at[:, 0], at[:, 0], at[:, 1], at[:, 1]),  # points
             (xlo, xlo + rng.uniform(0, 0.4, 40) * index.f, ylo, ylo + rng.uniform(0, 0.4, 40) * index.f)]
    for xlo, xhi, ylo, yhi in boxes:
        p0, p1, p2, p3, sure, edge = index._bounds(xlo, xhi, ylo, yhi, cols)
        assert (p0 <= p1).all() and (p1 <= p2).all() and (p2 <= p3).all()
        for b in range(xlo.size):
            runs = [np.arange(p1[b, j], p2[b, j]) for j in range(cols.size)]
            sure_points = np.concatenate(runs)
            for cx in (xlo[b], xhi[b]):
                for cy in (ylo[b], yhi[b]):
                    d2 = (index.x[sure_points] - cx) ** 2 + (index.y[sure_points] - cy) ** 2
                    assert (d2 <= eps * eps).all()
            candidates = np.concatenate([np.arange(p0[b, j], p3[b, j]) for j in range(cols.size)])
            near_x = np.clip(index.x, xlo[b], xhi[b])
            near_y = np.clip(index.y, ylo[b], yhi[b])
            within = np.flatnonzero((index.x - near_x) ** 2 + (index.y - near_y) ** 2 <= eps * eps)
            assert np.isin(within, candidates).all()
            assert sure[b] == index.w[sure_points].sum()
            assert sure[b] + edge[b] == index.w[candidates].sum()


def test_small_passes_give_the_same_result(monkeypatch):
    # The core decision and the border labelling work in passes of a few thousand points (cache-sized); the
    # result must not depend on where the passes split. Passes of a handful of points against scikit-learn.
    import energieplanologie.clustering as clustering

    rng = np.random.default_rng(12)
    centres = rng.uniform(0, 10_000, size=(6, 2))
    xy = np.vstack([centres[rng.integers(0, 6, 2500)] + rng.normal(size=(2500, 2)) * 700,
                    rng.uniform(0, 10_000, size=(800, 2))])
    w = rng.gamma(2.0, 0.04, size=len(xy))
    monkeypatch.setattr(clustering, "_BOUNDS_CHUNK", 5 * 19)
    monkeypatch.setattr(clustering, "_LABEL_CHUNK", 7 * 25)
    labels, core = grid_dbscan(xy, eps=600.0, min_samples=8, sample_weight=w, algorithm="grid")
    ref_labels, ref_core = _sklearn(xy, 600.0, 8, w)
    assert 0.2 < core.mean() < 0.9 and (labels == -1).any() and (~core & (labels >= 0)).any()
    np.testing.assert_array_equal(core, ref_core)
    np.testing.assert_array_equal(labels, ref_labels)
