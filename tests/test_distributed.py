"""The dask engine gives the in-memory results: balance numbers, hotspot ids and members, density, allocation.

Every comparison runs the same public function twice, ``engine="memory"`` and ``engine="dask"``, on a
``LocalCluster`` of two workers (threads in one process for most tests; one test with two real worker processes).
The DBSCAN on tiles is also compared with :func:`grid_dbscan` on hand-made data whose clusters cross tile borders:
a chain of points that links tiles only through its core points, and a border point between two clusters that
belong to different tiles, where only the global cluster numbering decides which one it joins.
"""

from __future__ import annotations

import dask_geopandas  # noqa: F401  (the dask extra: the distributed path must be tested, not skipped)
import distributed
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geoseries_equal

from energieplanologie._errors import EnergieplanologieError
from energieplanologie.allocation import allocate_region_result
from energieplanologie.balance import BalanceResult, station_balance, station_balance_result
from energieplanologie.clustering import grid_dbscan
from energieplanologie.density import kde
from energieplanologie.distributed import (
    _kd_tiles,
    dask_dbscan,
    partition_region,
    tile_count,
    use_dask,
)
from energieplanologie.hotspots import detect_hotspots, weighted_points
from energieplanologie.synthetic import synthetic_region

SCENARIOS = ["vastgesteld", "verwacht", "maximaal"]


@pytest.fixture(scope="module")
def client():
    """Two workers of one thread each, in this process (results must not depend on processes or threads)."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0")
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def region():
    # 5 % polygons, so that many are divided over several service areas; seeded, 1,500 stations over NL.
    return synthetic_region(20_000, n_stations=1_500, seed=11, polygon_share=0.05)


def _assert_balance_equal(a_result: BalanceResult, b_result: BalanceResult) -> None:
    a, b = a_result.table, b_result.table
    # Text, years and statuses exactly; MW up to the order of floating-point additions (partitions are summed
    # separately, then added): relative 1e-12 is a thousand times the worst rounding of these sums.
    exact = [c for c in a.columns if a[c].dtype == object] + ["year", "first_shortage_year"]
    pd.testing.assert_frame_equal(a[exact], b[exact])
    pd.testing.assert_frame_equal(a.drop(columns=exact), b.drop(columns=exact), check_exact=False, rtol=1e-12,
                                  atol=1e-9)
    assert not a.attrs and not b.attrs  # no side channel: what the ledger found travels in the result
    assert (a_result.no_capacity, a_result.unallocated, a_result.scenario_labels, a_result.amber_margin) == \
        (b_result.no_capacity, b_result.unallocated, b_result.scenario_labels, b_result.amber_margin)


def _assert_hotspots_equal(a, b) -> None:
    pd.testing.assert_frame_equal(a.members, b.members)
    pd.testing.assert_frame_equal(pd.DataFrame(a.hotspots.drop(columns="geometry")),
                                  pd.DataFrame(b.hotspots.drop(columns="geometry")))
    assert_geoseries_equal(a.hotspots.geometry, b.hotspots.geometry, check_less_precise=False)


# ----------------------------------------------------------------------------------------------------------------
# DBSCAN on tiles


def _tiles_of(labels: np.ndarray, tile: np.ndarray) -> pd.Series:
    """Number of distinct tiles per cluster."""
    inside = labels >= 0
    return pd.Series(tile[inside]).groupby(labels[inside]).nunique()


def test_dbscan_on_tiles_equals_grid_dbscan_across_tile_borders(client):
    rng = np.random.default_rng(5)
    # Background noise and blobs over a 20 × 20 km square, plus a chain of points 80 m apart running diagonally
    # through the whole square: with eps 100 m only neighbours in the chain link, so the chain is one cluster only
    # if the tiles' local clusters are merged across every border it crosses.
    noise = rng.uniform(0, 20_000, (3_000, 2))
    centres = rng.uniform(1_000, 19_000, (40, 2))
    blobs = (centres[:, None, :] + rng.normal(0, 120, (40, 60, 2))).reshape(-1, 2)
    t = np.arange(0, 20_000 * np.sqrt(2), 80.0) / np.sqrt(2)
    chain = np.column_stack([t, t + 7.0])
    xy = np.vstack([noise, blobs, chain])
    shuffle = rng.permutation(len(xy))
    xy = xy[shuffle]
    in_chain = np.flatnonzero(shuffle >= len(noise) + len(blobs))
    weight = rng.uniform(0.2, 2.0, len(xy))
    for n_tiles in (2, 5, 9):
        for min_samples, w in ((3, None), (4.5, weight)):
            want = grid_dbscan(xy, eps=100.0, min_samples=min_samples, sample_weight=w)
            got = dask_dbscan(xy, eps=100.0, min_samples=min_samples, sample_weight=w, client=client,
                              n_tiles=n_tiles)
            np.testing.assert_array_equal(got.core, want.core)
            np.testing.assert_array_equal(got.labels, want.labels)  # same numbers, not only the same partition
            assert want.labels.max() > 30
        tile, rects = _kd_tiles(xy[:, 0], xy[:, 1], n_tiles)
        assert len(rects) == n_tiles
        # Unweighted, every chain point has its two chain neighbours (80 m < eps) and is core: the chain is one
        # cluster, and it crosses tiles (at least 2 of 2, 3 of 5, 4 of 9: a diagonal meets that many median cuts).
        labels = grid_dbscan(xy, eps=100.0, min_samples=3).labels
        assert len(set(labels[in_chain].tolist())) == 1 and labels[in_chain[0]] >= 0
        assert _tiles_of(labels, tile)[labels[in_chain[0]]] >= {2: 2, 5: 3, 9: 4}[n_tiles]


def test_border_point_between_clusters_of_two_tiles_joins_the_lower_numbered_one(client):
    # Two tight clusters left and right of x = 0 and a point p at x = 0, exactly eps = 60 m from one core point of
    # each (and not core itself: 3 points within eps < 4). DBSCAN gives p to the cluster whose first core point has
    # the lower index: the right one (its points come first in the input). The filler (noise, 9 km away) puts the
    # median cut at x = 60, so p lies in the left cluster's tile, and only the global numbering decides.
    right = np.array([[60.0, 0], [61, 0], [62, 0], [63, 0]])
    left = np.array([[-60.0, 0], [-61, 0], [-62, 0], [-63, 0]])
    p = np.array([[0.0, 0.0]])
    filler = np.vstack([np.column_stack([np.linspace(-5_000, -200, 19), np.full(19, 9_000.0)]),
                        np.column_stack([np.linspace(200, 5_000, 20), np.full(20, 9_000.0)])])
    xy = np.vstack([right, left, p, filler])
    want = grid_dbscan(xy, eps=60.0, min_samples=4)
    assert want.labels[8] == want.labels[0] == 0 and want.labels[4] == 1 and not want.core[8]
    tile, rects = _kd_tiles(xy[:, 0], xy[:, 1], 2)
    assert rects[0][2] == 60.0  # the cut
    assert tile[8] == tile[4] != tile[0]  # p shares its tile with the left cluster
    got = dask_dbscan(xy, eps=60.0, min_samples=4, client=client, n_tiles=2)
    np.testing.assert_array_equal(got.labels, want.labels)
    np.testing.assert_array_equal(got.core, want.core)


def test_dbscan_degenerate_inputs(client):
    # Identical points (no tile can be cut), a single point, nothing, and bad arguments as grid_dbscan has them.
    same = np.zeros((50, 2))
    np.testing.assert_array_equal(dask_dbscan(same, eps=1.0, min_samples=3, client=client, n_tiles=4).labels,
                                  np.zeros(50, dtype=np.int64))
    assert dask_dbscan(np.array([[1.0, 2.0]]), eps=1.0, client=client).labels.tolist() == [-1]
    assert dask_dbscan(np.zeros((0, 2)), eps=1.0, client=client).labels.size == 0
    with pytest.raises(ValueError, match="eps"):
        dask_dbscan(np.zeros((3, 2)), eps=0.0, client=client)
    with pytest.raises(ValueError, match="non-negative"):
        dask_dbscan(np.zeros((3, 2)), eps=1.0, sample_weight=np.array([1.0, -1.0, 1.0]), client=client)


# ----------------------------------------------------------------------------------------------------------------
# the analyses


def test_station_balance_equal(region, client):
    want = station_balance_result(region, SCENARIOS)
    got = station_balance_result(region, SCENARIOS, engine="dask", client=client)
    _assert_balance_equal(want, got)
    # The ledger is not trivial: shortages, unknown capacities and split polygons are all in play.
    assert (want.table["status"] == "red").any() and (want.table["status"] == "unknown").any()
    assert want.table["first_shortage_year"].notna().any()


def test_station_balance_equal_from_partitioned_developments(region, client):
    # Developments held by the cluster as a dask-geopandas frame, Hilbert-sorted: the same ledger as in memory on
    # that frame, and (sums aside) as on the original order.
    parted = partition_region(region, 5, client=client, spatial=True)
    assert parted.developments.npartitions == 5
    want = station_balance_result(region, SCENARIOS)
    got = station_balance_result(parted, SCENARIOS, engine="dask", client=client)
    _assert_balance_equal(want, got)


def test_allocation_equal(region, client):
    want_result = allocate_region_result(region)
    got_result = allocate_region_result(region, engine="dask", client=client)
    want, got = want_result.table, got_result.table
    assert (want["allocation_method"] == "split").sum() > 100  # many polygons divided over service areas
    pd.testing.assert_frame_equal(pd.DataFrame(want.drop(columns="geometry")),
                                  pd.DataFrame(got.drop(columns="geometry")), check_exact=False, rtol=1e-12)
    assert want_result.unallocated == got_result.unallocated
    assert not want.attrs and not got.attrs
    assert bool(want.geometry.geom_equals_exact(got.geometry, 1e-6).all())


def _hotspot_tiles(region, client, **kwargs) -> pd.Series:
    """Tiles spanned by each hotspot's members, for the tiles the dask engine cuts on this client."""
    pts = weighted_points(region, "verwacht", max(region.years), include_infrastructure=True)
    threads = sum(client.nthreads().values())
    tile, _ = _kd_tiles(pts["x"].to_numpy(), pts["y"].to_numpy(), tile_count(threads, len(pts)))
    labels = grid_dbscan(pts[["x", "y"]].to_numpy(), eps=kwargs["eps_m"], min_samples=kwargs["min_mw"],
                         sample_weight=pts["weight_mw"].to_numpy()).labels
    return _tiles_of(labels, tile)


@pytest.mark.parametrize("kwargs", [{"eps_m": 3000.0, "min_mw": 20.0}, {"eps_m": 1500.0, "min_mw": 5.0}])
def test_hotspots_equal(region, client, kwargs):
    want = detect_hotspots(region, **kwargs)
    got = detect_hotspots(region, engine="dask", client=client, **kwargs)
    assert len(want.hotspots) > 20
    _assert_hotspots_equal(want, got)
    # Some DBSCAN clusters cross the border between tiles (4 tiles on 2 workers): the merge was exercised.
    assert (_hotspot_tiles(region, client, **kwargs) >= 2).sum() >= 2


def test_hotspots_equal_with_gistar_and_partitioned_developments(region, client):
    parted = partition_region(region, 3, client=client)
    want = detect_hotspots(region, method="gistar", permutations=99)
    got = detect_hotspots(parted, method="gistar", permutations=99, engine="dask", client=client)
    _assert_hotspots_equal(want, got)
    pd.testing.assert_frame_equal(want.hexagons, got.hexagons)
    dbscan = detect_hotspots(parted, engine="dask", client=client)
    _assert_hotspots_equal(detect_hotspots(region), dbscan)


def test_density_equal_bit_for_bit(region, client):
    want, t_want = kde(region, cell_m=500, bandwidth_m=3000)
    got, t_got = kde(region, cell_m=500, bandwidth_m=3000, engine="dask", client=client)
    assert t_want == t_got
    np.testing.assert_array_equal(want, got)


def test_unknown_engine_is_a_dutch_error(region):
    assert not use_dask("memory") and use_dask("dask")
    with pytest.raises(EnergieplanologieError, match="onbekende engine 'spark'"):
        station_balance(region, engine="spark")


@pytest.mark.slow
def test_equal_on_two_worker_processes():
    # Real processes: every layer is pickled to the workers and results come back the same.
    small = synthetic_region(8_000, n_stations=800, seed=2, polygon_share=0.05)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        _assert_balance_equal(station_balance_result(small, SCENARIOS),
                              station_balance_result(small, SCENARIOS, engine="dask", client=c))
        _assert_hotspots_equal(detect_hotspots(small, eps_m=2000, min_mw=5),
                               detect_hotspots(small, eps_m=2000, min_mw=5, engine="dask", client=c))
        parted = partition_region(small, 4, client=c)
        _assert_hotspots_equal(detect_hotspots(small, eps_m=2000, min_mw=5),
                               detect_hotspots(parted, eps_m=2000, min_mw=5, engine="dask", client=c))


# ----------------------------------------------------------------------------------------------------------------
# exactly at the DBSCAN threshold


def _threshold_region(n_groups: int):
    """Committed industry developments (weight 1 in every scenario) in the groups of ``decimal_groups``."""
    import geopandas as gpd
    import shapely
    from decimal_groups import threshold_groups

    from energieplanologie.region import Region

    xy, w, dec, group = threshold_groups(n_groups, seed=8, parts=(11, 25))
    crs = "EPSG:28992"
    n = len(w)
    developments = gpd.GeoDataFrame(
        {"development_id": [f"D{i:05d}" for i in range(n)], "name": [f"Ontwikkeling {i}" for i in range(n)],
         "sector": "industry", "carrier": "electricity", "offtake_mw": w, "feedin_mw": 0.0, "year": 2030,
         "certainty": "committed"}, geometry=shapely.points(xy), crs=crs)
    lo, hi = xy.min(axis=0) - 1000, xy.max(axis=0) + 1000
    municipalities = gpd.GeoDataFrame({"municipality_code": ["GM0001"], "name": ["Rasterdorp"]},
                                      geometry=[shapely.box(*lo, *hi)], crs=crs)
    stations = gpd.GeoDataFrame({"station_id": ["HS1"], "name": ["Midden 150 kV"], "voltage_kv": ["150/20"],
                                 "level": ["HS"]}, geometry=[shapely.Point((lo + hi) / 2)], crs=crs)
    capacity = pd.DataFrame({"station_id": ["HS1"], "year": [2025], "offtake_capacity_mw": [100.0],
                             "feedin_capacity_mw": [100.0]})
    region = Region.from_layers(name="Drempel", municipalities=municipalities, stations=stations,
                                station_capacity=capacity, developments=developments, years=(2030,))
    return region, xy, w, dec, group


def test_threshold_groups_give_the_same_knooppunten_in_memory_on_dask_and_in_decimal(client):
    # 600 groups of 11–25 one-decimal MW values (see decimal_groups; so many neighbours per point that DBSCAN
    # takes its grid path): those that add up to exactly 20.0 or to 20.1 in
    # decimal are knooppunten (min_mw 20, eps 100 m), those of 19.9 are not, whatever the order of the rows and
    # of the additions — in memory, on dask tiles, and in exact decimal arithmetic.
    from decimal import Decimal

    from decimal_groups import decimal_dbscan

    from energieplanologie.clustering import WEIGHT_RESOLUTION

    region, xy, w, dec, group = _threshold_region(600)
    expected = decimal_dbscan(xy, dec, eps=100.0, min_mw="20.0")
    tiled = dask_dbscan(xy, eps=100.0, min_samples=20.0, sample_weight=w, client=client, n_tiles=4,
                        resolution=WEIGHT_RESOLUTION)
    assert tiled.labels.tolist() == expected.tolist()

    ids = region.developments["development_id"].to_numpy()
    want = {frozenset(ids[(group == g)]) for g in range(600)
            if sum((dec[i] for i in np.flatnonzero(group == g)), Decimal(0)) >= Decimal("20.0")}
    assert len(want) == 500  # the groups of exactly 20.0 (two in three: 400) and of 20.1 (one in six: 100)
    memory = detect_hotspots(region, eps_m=100.0, min_mw=20.0, buffer_m=10.0)
    dask = detect_hotspots(region, eps_m=100.0, min_mw=20.0, buffer_m=10.0, engine="dask", client=client)
    _assert_hotspots_equal(memory, dask)
    got = {frozenset(m["member_id"]) for _, m in memory.members.groupby("hotspot_id")}
    assert got == want
