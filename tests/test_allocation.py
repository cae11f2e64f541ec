"""Allocation: explicit links, size classes per level, carriers, polygons divided over service areas.

Numbers are checked by hand (comments) and, for random polygons, against an independent calculation: the
polygon intersected with every Voronoi cell of the eligible stations, without the shortcuts the module takes.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from energieplanologie import EnergieplanologieError
from energieplanologie.allocation import DEFAULT_MAX_MW_PER_LEVEL, METHODS, allocate, allocate_result
from energieplanologie.schema import validate

CRS = "EPSG:28992"


def _stations() -> gpd.GeoDataFrame:
    # A (MS) and B (HS) 10 km apart on y = 400 km, C (TS) 20 km north of the middle; H a hydrogen point.
    return gpd.GeoDataFrame(
        {"station_id": ["A", "B", "C", "H"], "name": ["A", "B", "C", "H"], "level": ["MS", "HS", "TS", None],
         "carrier": ["electricity", "electricity", "electricity", "hydrogen"]},
        geometry=[Point(100_000, 400_000), Point(110_000, 400_000), Point(105_000, 420_000),
                  Point(140_000, 400_000)], crs=CRS)


def _devs(rows: list[dict]) -> gpd.GeoDataFrame:
    geoms = [r.pop("geometry") for r in rows]
    frame = pd.DataFrame(rows)
    for col, default in (("carrier", "electricity"), ("offtake_mw", 0.0), ("feedin_mw", 0.0), ("station_id", None)):
        if col not in frame:
            frame[col] = default
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=CRS)


def test_nearest_respects_size_classes_and_carrier():
    dev = _devs([
        {"development_id": "small", "offtake_mw": 4.0, "geometry": Point(101_000, 400_000)},   # → A (MS ≤ 10)
        {"development_id": "mid", "offtake_mw": 25.0, "geometry": Point(101_000, 400_000)},    # MS no; TS C ≤ 30:
        # C is √(4000² + 20000²) ≈ 20 396 m away, B (HS) 9 000 m → B
        {"development_id": "feed", "feedin_mw": 12.0, "geometry": Point(104_000, 418_000)},   # → C (TS, 2.2 km)
        {"development_id": "h2", "carrier": "hydrogen", "offtake_mw": 500.0, "geometry": Point(101_000, 400_000)},
        {"development_id": "heat", "carrier": "heat", "offtake_mw": 1.0, "geometry": Point(101_000, 400_000)},
    ])
    result = allocate_result(dev, _stations())
    out = result.table.set_index("development_id")
    assert out["station_id"].to_dict() == {"small": "A", "mid": "B", "feed": "C", "h2": "H", "heat": None}
    assert out.loc["mid", "distance_m"] == pytest.approx(9_000.0)
    assert out.loc["feed", "distance_m"] == pytest.approx(np.hypot(1_000, 2_000))
    assert out.loc["heat", "allocation_method"] == "unallocated"
    assert result.unallocated == ("heat",)  # no heat station at all
    assert not result.table.attrs
    pd.testing.assert_frame_equal(allocate(dev, _stations()), result.table)
    assert set(out["allocation_method"]) <= set(METHODS)


def test_thresholds_are_parameters():
    dev = _devs([{"development_id": "d", "offtake_mw": 12.0, "geometry": Point(100_500, 400_000)}])
    assert allocate(dev, _stations())["station_id"].iloc[0] == "B"  # default: 12 > MS 10
    assert allocate(dev, _stations(), max_mw_per_level={"MS": 15})["station_id"].iloc[0] == "A"
    # With HS and EHS capped at 5 MW no electricity station of a known level takes 12 MW except TS C (30).
    assert allocate(dev, _stations(), max_mw_per_level={"HS": 5})["station_id"].iloc[0] == "C"
    assert DEFAULT_MAX_MW_PER_LEVEL["EHS"] == float("inf")
    with pytest.raises(EnergieplanologieError, match="XS"):
        allocate(dev, _stations(), max_mw_per_level={"XS": 1})


def test_explicit_link_wins_over_size_and_distance():
    dev = _devs([{"development_id": "d", "offtake_mw": 80.0, "station_id": "A",
                  "geometry": box(103_000, 399_000, 108_000, 401_000)}])
    out = allocate(dev, _stations())
    assert out[["station_id", "allocation_method", "share"]].values.tolist() == [["A", "explicit", 1.0]]
    bad = _devs([{"development_id": "d", "offtake_mw": 1.0, "station_id": "ZZ", "geometry": Point(1e5, 4e5)}])
    with pytest.raises(EnergieplanologieError, match="ZZ"):
        allocate(bad, _stations())


def test_polygon_split_by_service_area_and_folding():
    # Eligible for 4 MW: A, B, C (H is hydrogen). The box x 103–108 km, y 399–401 km lies south of the A–C and
    # B–C bisectors; the A–B bisector x = 105 km cuts it: 2 km of 5 km in A's cell (0.4), 3 km in B's (0.6).
    dev = _devs([
        {"development_id": "p1", "offtake_mw": 4.0, "geometry": box(103_000, 399_000, 108_000, 401_000)},
        # 2 km in A's cell, 0.2 km in B's: 0.0909 — kept at min_split_share 0.05, folded into A at 0.1.
        {"development_id": "p2", "offtake_mw": 5.0, "geometry": box(103_000, 399_000, 105_200, 401_000)},
    ])
    out = allocate(dev, _stations())
    p1 = out[out["development_id"] == "p1"]
    assert p1[["station_id", "allocation_method"]].values.tolist() == [["A", "split"], ["B", "split"]]
    np.testing.assert_allclose(p1["share"], [0.4, 0.6])
    np.testing.assert_allclose(p1.geometry.area, [4e6, 6e6])  # the parts themselves
    np.testing.assert_allclose(p1["distance_m"], [4_000, 3_500])  # from the centre of each part
    assert out.index[out["development_id"] == "p1"].tolist() == [0, 0]  # input index labels repeat for parts
    np.testing.assert_allclose(out.loc[out["development_id"] == "p2", "share"], [2 / 2.2, 0.2 / 2.2])

    folded = allocate(dev, _stations(), min_split_share=0.1)
    p2 = folded[folded["development_id"] == "p2"]
    assert p2[["station_id", "allocation_method", "share"]].values.tolist() == [["A", "nearest", 1.0]]
    assert p2.geometry.iloc[0].area == pytest.approx(4.4e6)  # the whole polygon, sliver included

    whole = allocate(dev, _stations(), split=False)
    assert len(whole) == 2 and set(whole["allocation_method"]) == {"nearest"}


def test_area_clipping_changes_shares():
    # Only x ≤ 106 km is study area: p1 keeps 2 km in A's cell and 1 km in B's → 2/3 and 1/3.
    dev = _devs([{"development_id": "p1", "offtake_mw": 6.0, "geometry": box(103_000, 399_000, 108_000, 401_000)}])
    area = gpd.GeoDataFrame({"name": ["west", "oost"]}, geometry=[box(90_000, 390_000, 104_000, 430_000),
                                                                    box(104_000, 390_000, 106_000, 430_000)],
                            crs=CRS)
    out = allocate(dev, _stations(), area=area)
    np.testing.assert_allclose(out["share"], [2 / 3, 1 / 3])
    # A polygon entirely outside the area falls back to the nearest station of its representative point.
    far = _devs([{"development_id": "f", "offtake_mw": 1.0, "geometry": box(103_000, 399_000, 108_000, 401_000)}])
    out = allocate(far, _stations(), area=box(0, 0, 10, 10))
    assert out["allocation_method"].tolist() == ["nearest"] and len(out) == 1


def test_duplicate_station_locations_resolve_to_the_lowest_station_id():
    # Changed for issue 17 (it was: the first in input order): the row order no longer decides.
    stations = _stations()
    twin = stations.iloc[[0]].assign(station_id="A0", name="A0")  # same place as A
    dev = _devs([{"development_id": "d", "offtake_mw": 1.0, "geometry": Point(100_100, 400_000)}])
    # "A" sorts before "A0", so A wins in either order.
    after = pd.concat([stations, twin], ignore_index=True)
    before = pd.concat([twin, stations], ignore_index=True)
    assert allocate(dev, after)["station_id"].iloc[0] == "A"
    assert allocate(dev, before)["station_id"].iloc[0] == "A"


def test_equidistant_stations_are_decided_by_station_id():
    # d1 at (105 000, 410 000) is √(5000² + 10000²) = 11 180.3 m from both Z9 (100 000, 400 000) and B1
    # (110 000, 400 000) and 20 000 m from M5; d2 at (105 000, 395 000) is √(5000² + 5000²) = 7 071.1 m from
    # both; d3 is 1 000 m from Z9 only. Whatever the row order, the lower station_id wins: "B1" < "Z9".
    stations = gpd.GeoDataFrame({"station_id": ["Z9", "B1", "M5"], "name": ["Z", "B", "M"], "level": [None] * 3},
                                geometry=[Point(100_000, 400_000), Point(110_000, 400_000), Point(105_000, 430_000)],
                                crs=CRS)
    dev = _devs([{"development_id": "d1", "offtake_mw": 1.0, "geometry": Point(105_000, 410_000)},
                 {"development_id": "d2", "offtake_mw": 1.0, "geometry": Point(105_000, 395_000)},
                 {"development_id": "d3", "offtake_mw": 1.0, "geometry": Point(101_000, 400_000)}])
    for order in ([0, 1, 2], [1, 0, 2], [2, 1, 0]):
        got = allocate(dev, stations.iloc[order].reset_index(drop=True))
        assert got["station_id"].tolist() == ["B1", "B1", "Z9"], order
        assert got["distance_m"].round(1).tolist() == [11180.3, 7071.1, 1000.0]
    # Three equally near (a point in the middle of a square of four stations): the lowest id of the four.
    square = gpd.GeoDataFrame({"station_id": ["S4", "S2", "S3", "S1"], "name": list("abcd"), "level": [None] * 4},
                              geometry=[Point(100_000, 400_000), Point(102_000, 400_000), Point(100_000, 402_000),
                                        Point(102_000, 402_000)], crs=CRS)
    centre = _devs([{"development_id": "c", "offtake_mw": 1.0, "geometry": Point(101_000, 401_000)}])
    assert allocate(centre, square)["station_id"].tolist() == ["S1"]


def test_inputs_untouched_and_columns(tmp_path):
    dev = _devs([{"development_id": "p1", "name": "zon", "sector": "renewables", "year": 2030,
                  "certainty": "planned", "offtake_mw": 4.0, "geometry": box(103_000, 399_000, 108_000, 401_000)}])
    stations = _stations()
    before_dev, before_st = dev.copy(), stations.copy()
    out = allocate(dev, stations)
    pd.testing.assert_frame_equal(dev, before_dev)
    pd.testing.assert_frame_equal(stations, before_st)
    assert list(out.columns) == [*dev.columns.drop("geometry"), "allocation_method", "share", "distance_m",
                                 "geometry"]
    # Real files: write, read back through pyogrio, validate, allocate: the same result.
    dev.to_file(tmp_path / "lagen.gpkg", layer="ontwikkelingen", engine="pyogrio")
    stations.to_file(tmp_path / "lagen.gpkg", layer="stations", engine="pyogrio")
    dev_back, rep_dev = validate(gpd.read_file(tmp_path / "lagen.gpkg", layer="ontwikkelingen", engine="pyogrio"),
                                 "developments")
    st_back, rep_st = validate(gpd.read_file(tmp_path / "lagen.gpkg", layer="stations", engine="pyogrio"),
                               "stations")
    assert rep_dev.ok and rep_st.ok
    again = allocate(dev_back, st_back)
    assert again["station_id"].tolist() == out["station_id"].tolist()
    np.testing.assert_allclose(again["share"], out["share"])


def test_crs_mismatch_is_an_error():
    dev = _devs([{"development_id": "d", "offtake_mw": 1.0, "geometry": Point(1e5, 4e5)}]).set_crs(
        "EPSG:4326", allow_override=True)
    with pytest.raises(EnergieplanologieError, match="coördinatenstelsels"):
        allocate(dev, _stations())


# --------------------------------------------------------------------------------------------- properties

def _independent_shares(polygon: Polygon, stations_xy: np.ndarray) -> dict[int, float]:
    """Area share of ``polygon`` in the Voronoi cell of each station (brute force, no shortcuts)."""
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(stations_xy), ordered=True,
                                                      extend_to=box(0, 0, 400_000, 800_000)))
    areas = shapely.area(shapely.intersection(polygon, cells))
    return {i: a / areas.sum() for i, a in enumerate(areas) if a > 0}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n_st=st.integers(2, 12), n_poly=st.integers(1, 12),
       min_share=st.sampled_from([0.0, 0.05, 0.2]))
def test_property_shares_match_voronoi_and_sum_to_one(seed, n_st, n_poly, min_share):
    rng = np.random.default_rng(seed)
    xy = np.unique(np.round(rng.uniform([100_000, 400_000], [120_000, 420_000], (n_st, 2))), axis=0)
    stations = gpd.GeoDataFrame({"station_id": [f"S{i}" for i in range(len(xy))], "level": "EHS",
                                 "carrier": "electricity"}, geometry=gpd.points_from_xy(*xy.T), crs=CRS)
    centres = rng.uniform([100_000, 400_000], [120_000, 420_000], (n_poly, 2))
    half = rng.uniform(100, 8_000, n_poly)
    polys = shapely.box(*(centres - half[:, None]).T, *(centres + half[:, None]).T)
    dev = gpd.GeoDataFrame({"development_id": [f"d{i}" for i in range(n_poly)],
                            "offtake_mw": rng.uniform(0, 100, n_poly), "carrier": "electricity"},
                           geometry=polys, crs=CRS)
    out = allocate(dev, stations, min_split_share=min_share)
    # Conservation: the shares of every development sum to 1, so its MW is neither lost nor doubled.
    np.testing.assert_allclose(out.groupby("development_id")["share"].sum().to_numpy(), 1.0)
    mw = (out["offtake_mw"] * out["share"]).sum()
    assert mw == pytest.approx(dev["offtake_mw"].sum())
    for i, polygon in enumerate(polys):
        expected = _independent_shares(polygon, xy)
        largest = max(expected, key=lambda s: (expected[s], -s))
        big = {s: v for s, v in expected.items() if v >= min_share or s == largest}
        got = out[out["development_id"] == f"d{i}"]
        got_ids = {int(s[1:]) for s in got["station_id"]}
        assert got_ids == set(big)  # parts below min_share were folded away
        if len(big) == len(expected):  # nothing folded: each share is the exact area share
            for s, v in zip(got["station_id"], got["share"], strict=True):
                assert v == pytest.approx(expected[int(s[1:])], abs=1e-9)


def _one_by_one_nearest(station_xy: np.ndarray, points: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rule by brute force: every distance, then the lowest rank among those within TIE_M of the nearest."""
    from energieplanologie.allocation import TIE_M

    dist = np.hypot(points[:, None, 0] - station_xy[None, :, 0], points[:, None, 1] - station_xy[None, :, 1])
    nearest = dist.min(axis=1)
    tied_rank = np.where(dist <= nearest[:, None] + TIE_M, rank[None, :], np.iinfo(np.int64).max)
    return nearest, tied_rank.argmin(axis=1)


def test_nearest_station_in_tile_order_answers_each_point_as_alone():
    # Beyond TILED_QUERY_MIN points the KD-tree is asked tile by tile; the answers must come back in the points'
    # order and equal a query of each point alone (here: brute force), ties included. The stations sit on a
    # 2 km grid, so points on the grid's middle lines are equally near two (or four) stations: the lowest
    # station_id wins, whatever tile the point falls in.
    from scipy.spatial import cKDTree

    from energieplanologie.allocation import TILED_QUERY_MIN, _tile_order, nearest_station

    rng = np.random.default_rng(3)
    gx, gy = np.meshgrid(np.arange(0, 20_000.0, 2000.0), np.arange(300_000, 320_000.0, 2000.0))
    station_xy = np.column_stack([gx.ravel(), gy.ravel()])
    rank = rng.permutation(len(station_xy))  # station_id order unrelated to the positions
    n = TILED_QUERY_MIN + 500
    points = np.column_stack([rng.uniform(-1000, 21_000, n), rng.uniform(299_000, 321_000, n)])
    points[:2000, 0] = 1000.0 + 2000.0 * rng.integers(0, 10, 2000)  # on a middle line between two columns
    points[:200, 1] = 301_000.0 + 2000.0 * rng.integers(0, 10, 200)  # and on a crossing of four
    eligible = np.arange(len(station_xy))
    order = _tile_order(points)
    assert order is not None and np.array_equal(np.sort(order), np.arange(n))  # a permutation ...
    y = points[:, 1]
    tile_row = ((y - y.min()) * ((256 - 1e-6) / (y.max() - y.min()))).astype(int)
    assert (np.diff(tile_row[order]) >= 0).all()  # ... row of tiles by row of tiles, from the south
    assert _tile_order(points[:100]) is None  # few points: asked as they come
    assert _tile_order(np.where(np.arange(n)[:, None] == 7, np.nan, points)) is None  # (the query refuses NaN)
    dist, pos = nearest_station(cKDTree(station_xy), points, eligible, rank)
    want_dist, want_pos = _one_by_one_nearest(station_xy, points, rank)
    assert np.allclose(dist, want_dist, rtol=0, atol=1e-9) and np.array_equal(pos, want_pos)
    assert len(np.unique(pos[:200])) > 20  # (the tied points are spread over many stations)
    # Exactly the plain query's numbers (below the threshold no tile order is used): point by point the same.
    for at in (np.arange(0, n, 97), np.arange(n - 300, n)):
        d_alone, p_alone = nearest_station(cKDTree(station_xy), points[at], eligible, rank)
        assert np.array_equal(dist[at], d_alone) and np.array_equal(pos[at], p_alone)


#: Four threads allocate quarters of one synthetic region against the same study area, 80 times over; each answer
#: must equal the one computed alone afterwards. Run in a child process: a crash there is a failed test, not a lost run.
_THREADS_SCRIPT = """
from concurrent.futures import ThreadPoolExecutor
import numpy as np
from energieplanologie.allocation import _allocate_arrays
from energieplanologie.synthetic import synthetic_region

region = synthetic_region(20_000, n_stations=1_500, seed=11, polygon_share=0.05)
dev, stations, area = region.developments, region.stations, region.municipalities
quarters = [dev.iloc[i::4] for i in range(4)]

def answer(part):
    a = _allocate_arrays(part, stations, area=area)  # every call the same study area (its geometry objects)
    return a.dev_pos, a.station_pos, a.share

with ThreadPoolExecutor(4) as pool:
    rounds = [list(pool.map(answer, quarters)) for _ in range(80)]
alone = [answer(q) for q in quarters]
assert any(len(a[0]) > len(q) for a, q in zip(alone, quarters))  # polygons divided over service areas
for answers in rounds:
    for got, want in zip(answers, alone):
        assert all(np.array_equal(g, w) for g, w in zip(got, want))
print("gelijk")
"""


def test_allocations_in_threads_at_once_share_the_study_area_safely():
    # Found by the CI run of stop 32: tests/test_distributed.py died of a segmentation fault. Dask's threads
    # allocated two partitions at once against the same municipalities, and a predicate query prepares its
    # input geometries on the objects themselves (GEOS's prepared geometries are not thread-safe). Before the fix
    # this script crashed in 3 of 3 runs (exit -11, in STRtree.query of the area parts); now every answer equals the one computed alone.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _THREADS_SCRIPT], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.strip() == "gelijk"
