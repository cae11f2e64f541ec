"""Station balance, project enablement, the balance layer and station charts.

The central test is a case computed by hand (below, in comments): three stations, eight developments of mixed
certainty and year, two projects adding capacity in different years, one explicit station link and one polygon
divided over two service areas, checked row by row for two scenarios. Property tests (hypothesis) check
conservation, monotonicity in capacity and that later developments never change earlier years.
"""

from __future__ import annotations

import dataclasses
import math

import geopandas as gpd
import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from energieplanologie import EnergieplanologieError
from energieplanologie.allocation import allocate, allocate_region
from energieplanologie.balance import (
    BALANCE_COLUMNS,
    ENABLEMENT_COLUMNS,
    balance_layer,
    project_enablement,
    project_enablement_result,
    station_balance,
    station_balance_result,
)
from energieplanologie.charts import chart_file_name, station_chart, write_station_charts
from energieplanologie.region import Region
from energieplanologie.scenarios import Scenario, get_scenario, weighted_mw
from energieplanologie.schema import CERTAINTIES, SECTORS

CRS = "EPSG:28992"

# ---------------------------------------------------------------------------------------------------------------
# The hand case.
#
# Stations (electricity):  A  HS  (100 000, 400 000)
#                          B  MS  (110 000, 400 000)
#                          C  TS  (100 000, 420 000)
# Capacity rows (station, year: offtake cap / load, feed-in cap / load):
#   A 2025: 15 / 10, 15 / 2
#   B 2025: 10 / 5,   8 / 1      B 2035: 10 / 6, 8 / 1      (the baseline offtake forecast rises in 2035)
#   C 2030: 10 / 6.5, 5 / 0      (no row before 2030: C is "unknown" in 2025)
# Projects: P1 at A ready 2030: +10 offtake.  P2 at B ready 2035: +2 offtake, +5 feed-in.
# Years analysed: 2025, 2030, 2035.  Amber margin 0.1.
#
# Developments (sector, certainty, year, offtake / feed-in MW, where) → station:
#   d1 housing       committed   2025   4 / 0  near A                   → A (nearest)
#   d2 industry      intended    2030  12 / 0  near B                   → A: 12 MW > 10 MW, MS (B) may not take it;
#                                                                          A (HS) is nearer than C (TS)
#   d3 renewables    planned     2025   0 / 9  near B                   → B
#   d4 renewables    speculative 2035   0 / 8  near A                   → A
#   d5 mobility      committed   2030   3 / 0  near A, station_id = C   → C (explicit)
#   d6 business_park planned     2030   6 / 0  box x 103–106 km, y 399–401 km, spans the A/B bisector x = 105 km:
#                                                2 km of its 3 km width in A's cell → A 2/3 (4 MW), B 1/3 (2 MW)
#   d7 data_centre   intended    2035   8 / 0  near C                   → C
#   d8 agriculture   speculative 2028   2 / 1  near B                   → B; 2028 counts from 2030
#
# Weights: vastgesteld committed 1, planned 1, intended 0, speculative 0; verwacht 1, 1, 0.5, 0.25.
#
# A offtake: capacity 15, 25 (P1), 25; baseline 10.
#   vastgesteld: 2025 d1 4 → load 14, headroom 1 < 1.5 → amber; 2030 d1 4 + d6 4 = 8 → 18, headroom 7 ≥ 2.5
#                green; 2035 same green.
#   verwacht:    2025 14 amber; 2030 4 + d2 12×0.5 + 4 = 14 → 24, headroom 1 < 2.5 amber; 2035 24 amber.
# A feed-in: capacity 15, baseline 2. vastgesteld 2 everywhere green; verwacht 2035 + d4 8×0.25 = 2 → 4 green.
# B offtake: capacity 10, 10, 12 (P2); baseline 5, 5, 6.
#   vastgesteld: 2025 5 green; 2030 5 + d6 2 = 7 (headroom 3) green; 2035 6 + 2 = 8 of 12 green.
#   verwacht:    2030 5 + 2 + d8 2×0.25 = 7.5 green; 2035 6 + 2.5 = 8.5 of 12 green.
# B feed-in: capacity 8, 8, 13 (P2); baseline 1.
#   vastgesteld: d3 9 → 10: 2025 red, shortage 2; 2030 red 2; 2035 13 − 10 = 3 ≥ 1.3 green. First shortage 2025.
#   verwacht:    2025 10 red 2; 2030 + d8 1×0.25 → 10.25 red 2.25; 2035 headroom 2.75 green. First 2025.
# C offtake: 2025 unknown; capacity 10, baseline 6.5 from 2030.
#   vastgesteld: 2030 6.5 + d5 3 = 9.5, headroom 0.5 < 1 amber; 2035 same amber (d7 intended has weight 0).
#   verwacht:    2030 9.5 amber; 2035 + d7 8×0.5 = 13.5 → red, shortage 3.5. First shortage 2035.
# C feed-in: 2025 unknown; 2030, 2035 capacity 5, load 0 → green.
# ---------------------------------------------------------------------------------------------------------------

# (station, scenario, year, direction): (capacity, load, headroom, shortage, status, first_shortage_year)
EXPECTED = {
    ("A", "vastgesteld", 2025, "offtake"): (15, 14, 1, 0, "amber", None),
    ("A", "vastgesteld", 2030, "offtake"): (25, 18, 7, 0, "green", None),
    ("A", "vastgesteld", 2035, "offtake"): (25, 18, 7, 0, "green", None),
    ("A", "vastgesteld", 2025, "feedin"): (15, 2, 13, 0, "green", None),
    ("A", "vastgesteld", 2030, "feedin"): (15, 2, 13, 0, "green", None),
    ("A", "vastgesteld", 2035, "feedin"): (15, 2, 13, 0, "green", None),
    ("B", "vastgesteld", 2025, "offtake"): (10, 5, 5, 0, "green", None),
    ("B", "vastgesteld", 2030, "offtake"): (10, 7, 3, 0, "green", None),
    ("B", "vastgesteld", 2035, "offtake"): (12, 8, 4, 0, "green", None),
    ("B", "vastgesteld", 2025, "feedin"): (8, 10, -2, 2, "red", 2025),
    ("B", "vastgesteld", 2030, "feedin"): (8, 10, -2, 2, "red", 2025),
    ("B", "vastgesteld", 2035, "feedin"): (13, 10, 3, 0, "green", 2025),
    ("C", "vastgesteld", 2025, "offtake"): (None, 0, None, None, "unknown", None),
    ("C", "vastgesteld", 2030, "offtake"): (10, 9.5, 0.5, 0, "amber", None),
    ("C", "vastgesteld", 2035, "offtake"): (10, 9.5, 0.5, 0, "amber", None),
    ("C", "vastgesteld", 2025, "feedin"): (None, 0, None, None, "unknown", None),
    ("C", "vastgesteld", 2030, "feedin"): (5, 0, 5, 0, "green", None),
    ("C", "vastgesteld", 2035, "feedin"): (5, 0, 5, 0, "green", None),
    ("A", "verwacht", 2025, "offtake"): (15, 14, 1, 0, "amber", None),
    ("A", "verwacht", 2030, "offtake"): (25, 24, 1, 0, "amber", None),
    ("A", "verwacht", 2035, "offtake"): (25, 24, 1, 0, "amber", None),
    ("A", "verwacht", 2025, "feedin"): (15, 2, 13, 0, "green", None),
    ("A", "verwacht", 2030, "feedin"): (15, 2, 13, 0, "green", None),
    ("A", "verwacht", 2035, "feedin"): (15, 4, 11, 0, "green", None),
    ("B", "verwacht", 2025, "offtake"): (10, 5, 5, 0, "green", None),
    ("B", "verwacht", 2030, "offtake"): (10, 7.5, 2.5, 0, "green", None),
    ("B", "verwacht", 2035, "offtake"): (12, 8.5, 3.5, 0, "green", None),
    ("B", "verwacht", 2025, "feedin"): (8, 10, -2, 2, "red", 2025),
    ("B", "verwacht", 2030, "feedin"): (8, 10.25, -2.25, 2.25, "red", 2025),
    ("B", "verwacht", 2035, "feedin"): (13, 10.25, 2.75, 0, "green", 2025),
    ("C", "verwacht", 2025, "offtake"): (None, 0, None, None, "unknown", 2035),
    ("C", "verwacht", 2030, "offtake"): (10, 9.5, 0.5, 0, "amber", 2035),
    ("C", "verwacht", 2035, "offtake"): (10, 13.5, -3.5, 3.5, "red", 2035),
    ("C", "verwacht", 2025, "feedin"): (None, 0, None, None, "unknown", None),
    ("C", "verwacht", 2030, "feedin"): (5, 0, 5, 0, "green", None),
    ("C", "verwacht", 2035, "feedin"): (5, 0, 5, 0, "green", None),
}


def test_hand_case_columns_and_order(hand_balance):
    assert list(hand_balance.columns) == list(BALANCE_COLUMNS)
    assert len(hand_balance) == 3 * 2 * 3 * 2  # stations × scenarios × years × directions
    first = hand_balance.iloc[:2]
    assert first["station_id"].tolist() == ["A", "A"]
    assert first["direction"].tolist() == ["offtake", "feedin"]
    assert hand_balance["scenario"].iloc[0] == "vastgesteld" and hand_balance["scenario"].iloc[-1] == "verwacht"
    assert str(hand_balance["first_shortage_year"].dtype) == "Int64"


def test_hand_case_every_row(hand_balance):
    rows = hand_balance.set_index(["station_id", "scenario", "year", "direction"])
    for key, (capacity, load, headroom, shortage, status, first) in EXPECTED.items():
        row = rows.loc[key]
        assert row["status"] == status, key
        assert row["load_mw"] == pytest.approx(load), key
        if capacity is None:
            assert math.isnan(row["capacity_mw"]) and math.isnan(row["headroom_mw"]), key
            assert math.isnan(row["shortage_mw"]), key  # unknown, never a silent 0
        else:
            assert row["capacity_mw"] == pytest.approx(capacity), key
            assert row["headroom_mw"] == pytest.approx(headroom), key
            assert row["shortage_mw"] == pytest.approx(shortage), key
            assert row["utilisation"] == pytest.approx(load / capacity), key
        if first is None:
            assert pd.isna(row["first_shortage_year"]), key
        else:
            assert row["first_shortage_year"] == first, key


def test_hand_case_capacity_parts_and_sectors(hand_balance):
    rows = hand_balance.set_index(["station_id", "scenario", "year", "direction"])
    a2030 = rows.loc[("A", "verwacht", 2030, "offtake")]
    assert (a2030["base_capacity_mw"], a2030["capacity_added_mw"]) == (15.0, 10.0)
    assert a2030["baseline_load_mw"] == 10.0
    # d1 housing 4, d2 industry 12 × 0.5 = 6, d6 business park 6 × 2/3 = 4
    assert a2030["mw_housing"] == pytest.approx(4.0)
    assert a2030["mw_industry"] == pytest.approx(6.0)
    assert a2030["mw_business_park"] == pytest.approx(4.0)
    assert a2030["development_load_mw"] == pytest.approx(14.0)
    b2035 = rows.loc[("B", "verwacht", 2035, "offtake")]
    # B's 2035 capacity row raises the baseline to 6; P2 adds 2 MW offtake in 2035.
    assert (b2035["base_capacity_mw"], b2035["capacity_added_mw"], b2035["baseline_load_mw"]) == (10.0, 2.0, 6.0)
    assert b2035["mw_business_park"] == pytest.approx(2.0) and b2035["mw_agriculture"] == pytest.approx(0.5)
    sector_sum = hand_balance[[f"mw_{s}" for s in SECTORS]].sum(axis=1)
    np.testing.assert_allclose(sector_sum, hand_balance["development_load_mw"])
    assert not hand_balance.attrs  # no side channel: what the ledger found comes with station_balance_result


def test_balance_result_carries_what_the_ledger_found(hand_region, hand_balance):
    result = station_balance_result(hand_region, ["vastgesteld", "verwacht"], amber_margin=0.2)
    # C has no capacity rows (status unknown in every row); every development has a station of its carrier.
    assert result.no_capacity == ("C",)
    assert result.unallocated == ()
    assert result.scenario_labels == {"vastgesteld": "Vastgesteld", "verwacht": "Verwacht"}
    assert result.amber_margin == 0.2
    # The table is the one station_balance returns (amber_margin only moves statuses between green and amber).
    pd.testing.assert_frame_equal(result.table.drop(columns="status"), hand_balance.drop(columns="status"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.amber_margin = 0.5  # type: ignore[misc]


def test_hand_case_project_enablement(hand_region):
    # verwacht, P1 at A, 2030 offtake: queue d1 (2025, 4), d2 (2030, 6), d6 (2030, 4) on a baseline of 10:
    # cumulative 14, 20, 24. With P1 the capacity is 25: all fit; without it 15: only d1. P1 enables d2 and d6,
    # 10 MW. P2 at B, 2035 feed-in: baseline 1, d3 9 → 10, d8 0.25 → 10.25; with P2 13, without 8: P2 enables
    # both (9.25 MW). P2's 2 MW offtake enables nothing: 8.5 ≤ 10 fits without it.
    enabled = project_enablement(hand_region, "verwacht")
    assert list(enabled.columns) == list(ENABLEMENT_COLUMNS)
    assert not enabled.attrs
    result = project_enablement_result(hand_region, "verwacht")
    assert result.scenario == "verwacht"
    pd.testing.assert_frame_equal(result.table, enabled)
    assert len(enabled) == 2 * 3 * 2
    rows = enabled.set_index(["project_id", "year", "direction"])
    p1 = rows.loc[("P1", 2030, "offtake")]
    assert (p1["capacity_added_mw"], p1["mw_enabled"], p1["developments_enabled"], p1["development_ids"]) == \
        (10.0, pytest.approx(10.0), 2, "d2;d6")
    assert rows.loc[("P1", 2025, "offtake"), "capacity_added_mw"] == 0.0  # not ready yet
    assert rows.loc[("P1", 2025, "offtake"), "developments_enabled"] == 0
    p2 = rows.loc[("P2", 2035, "feedin")]
    assert (p2["mw_enabled"], p2["development_ids"]) == (pytest.approx(9.25), "d3;d8")
    assert rows.loc[("P2", 2035, "offtake"), "mw_enabled"] == 0.0
    assert rows.loc[("P2", 2030, "feedin"), "developments_enabled"] == 0
    # vastgesteld: d2 (intended) weighs 0, so P1 enables only d6 (4 MW); d8 (speculative) drops out at B.
    strict = project_enablement(hand_region, "vastgesteld").set_index(["project_id", "year", "direction"])
    assert strict.loc[("P1", 2030, "offtake"), "development_ids"] == "d6"
    assert strict.loc[("P1", 2030, "offtake"), "mw_enabled"] == pytest.approx(4.0)
    assert strict.loc[("P2", 2035, "feedin"), "development_ids"] == "d3"


def test_projects_subset_and_unknown_project(hand_region):
    only_p1 = station_balance(hand_region, "verwacht", projects=["P1"]).set_index(
        ["station_id", "year", "direction"])
    # Without P2, B's feed-in capacity stays 8 in 2035: 10.25 → shortage 2.25.
    assert only_p1.loc[("B", 2035, "feedin"), "shortage_mw"] == pytest.approx(2.25)
    assert only_p1.loc[("A", 2030, "offtake"), "capacity_mw"] == 25.0
    none = station_balance(hand_region, "verwacht", projects=[]).set_index(["station_id", "year", "direction"])
    # Without P1, A's 2030 offtake load 24 exceeds 15 by 9.
    assert none.loc[("A", 2030, "offtake"), "shortage_mw"] == pytest.approx(9.0)
    with pytest.raises(EnergieplanologieError, match="P9"):
        station_balance(hand_region, projects=["P1", "P9"])


def test_scenarios_by_object_user_table_and_simultaneity(hand_region):
    half = Scenario("half", "Half", {"committed": 1, "planned": 1, "intended": 0.5, "speculative": 0.25},
                    simultaneity={"industry": 0.5})
    rows = station_balance(hand_region, half).set_index(["station_id", "year", "direction"])
    # d2 12 MW × 0.5 certainty × 0.5 simultaneity = 3 → A 2030 load 10 + 4 + 3 + 4 = 21.
    assert rows.loc[("A", 2030, "offtake"), "load_mw"] == pytest.approx(21.0)
    assert set(rows["scenario"]) == {"half"}
    # The same as a [scenarios.half] table in the project configuration, with Dutch keys.
    tables = {"half": {"weights": {"vergund": 1, "vastgesteld": 1, "voornemen": 0.5, "idee": 0.25},
                       "simultaneity": {"industrie": 0.5}}}
    from_config = station_balance(hand_region, "half", scenarios=tables)
    pd.testing.assert_frame_equal(from_config, station_balance(hand_region, half))
    with pytest.raises(EnergieplanologieError, match="bekend: .*verwacht"):
        station_balance(hand_region, "bestaatniet")


def test_given_allocation_equals_internal(hand_region):
    alloc = allocate(hand_region.developments, hand_region.stations, area=hand_region.municipalities)
    pd.testing.assert_frame_equal(station_balance(hand_region, allocation=alloc), station_balance(hand_region))
    pd.testing.assert_frame_equal(allocate_region(hand_region), alloc)
    # [allocation] options (of the project configuration) are honoured: without splitting, d6 (6 MW) goes whole
    # to A (its surface point (104 500, 400 000) is nearest to A), so B's 2030 offtake loses its 2 MW.
    whole = allocate_region(hand_region, split=False)
    rows = station_balance(hand_region, "vastgesteld", allocation=whole).set_index(["station_id", "year", "direction"])
    assert rows.loc[("B", 2030, "offtake"), "load_mw"] == pytest.approx(5.0)
    assert rows.loc[("A", 2030, "offtake"), "load_mw"] == pytest.approx(20.0)
    with pytest.raises(EnergieplanologieError, match="allocation.splits"):
        allocate_region(hand_region, splits=False)


def test_given_allocation_with_unknown_or_missing_station(hand_region):
    alloc = allocate(hand_region.developments, hand_region.stations, area=hand_region.municipalities)
    # d3 (9 MW feed-in, the whole of B's 2025 feed-in shortage of 2 MW) loses its station: it counts as
    # unallocated, B's feed-in load falls back to its baseline 1 MW (headroom 8 − 1 = 7), the rest is untouched.
    gone = alloc.copy()
    gone.loc[gone["development_id"] == "d3", "station_id"] = None
    result = station_balance_result(hand_region, "vastgesteld", allocation=gone)
    assert result.unallocated == ("d3",)
    rows = result.table.set_index(["station_id", "year", "direction"])
    assert rows.loc[("B", 2025, "feedin"), "load_mw"] == pytest.approx(1.0)
    assert rows.loc[("B", 2025, "feedin"), "shortage_mw"] == pytest.approx(0.0)
    assert rows.loc[("A", 2030, "offtake"), "load_mw"] == pytest.approx(18.0)
    # A station the region does not have is an error naming it (the five first, sorted), never a silent drop.
    wrong = alloc.copy()
    wrong.loc[wrong["development_id"].isin(["d1", "d7"]), "station_id"] = ["Z9", "Q1"]
    with pytest.raises(EnergieplanologieError, match=r"allocation\.station_id: onbekende stations Q1, Z9$"):
        station_balance(hand_region, "vastgesteld", allocation=wrong)


def test_new_station_starts_from_zero(hand_region):
    # A station built by a station_new project and without capacity rows has capacity 0 until the project is
    # ready: developments allocated to it before then are a shortage, not "unknown".
    # (source_row is dropped: validation numbers the rows of the combined layer afresh)
    stations = pd.concat([hand_region.stations.drop(columns="source_row"), gpd.GeoDataFrame(
        {"station_id": ["N"], "name": ["Nieuw"], "level": ["MS"], "carrier": ["electricity"]},
        geometry=[Point(101_500, 400_000)], crs=CRS)], ignore_index=True)
    infra = pd.concat([hand_region.infrastructure.drop(columns="source_row"), gpd.GeoDataFrame(
        {"project_id": ["P3"], "name": ["Nieuw station"], "infra_type": ["station_new"], "year_ready": [2035],
         "station_id": ["N"], "offtake_capacity_added_mw": [20.0], "feedin_capacity_added_mw": [20.0]},
        geometry=[Point(101_500, 400_000)], crs=CRS)], ignore_index=True)
    region = Region.from_layers(name="nieuw", municipalities=hand_region.municipalities, stations=stations,
                                station_capacity=hand_region.station_capacity, infrastructure=infra,
                                developments=hand_region.developments, years=hand_region.years)
    rows = station_balance(region, "vastgesteld").set_index(["station_id", "year", "direction"])
    # d1 (4 MW, at 101 000) is now nearest to N (500 m) instead of A (1 km).
    assert rows.loc[("N", 2025, "offtake"), "base_capacity_mw"] == 0.0
    assert rows.loc[("N", 2025, "offtake"), "shortage_mw"] == pytest.approx(4.0)
    assert rows.loc[("N", 2035, "offtake"), "status"] == "green"
    assert rows.loc[("N", 2035, "offtake"), "first_shortage_year"] == 2025
    assert "N" not in station_balance_result(region).no_capacity


def test_progress_and_inputs_untouched(hand_region):
    before = hand_region.developments.copy()
    calls: list[tuple[float, str]] = []
    station_balance(hand_region, progress=lambda f, m: calls.append((f, m)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    pd.testing.assert_frame_equal(hand_region.developments, before)


def test_balance_layer_round_trip(hand_region, hand_balance, tmp_path):
    layer = balance_layer(hand_balance, hand_region.stations)
    assert isinstance(layer, gpd.GeoDataFrame) and len(layer) == len(hand_balance)
    assert layer.geometry.iloc[0].equals(Point(100_000, 400_000))
    path = tmp_path / "uit.gpkg"
    layer.to_file(path, layer="stationsbalans", engine="pyogrio")
    back = gpd.read_file(path, layer="stationsbalans", engine="pyogrio")
    assert len(back) == len(layer)
    assert back.loc[back["status"] == "red", "station_id"].unique().tolist() == ["B", "C"]


# --------------------------------------------------------------------------------------------- properties

def _random_region(data, n_dev: int) -> Region:
    """Random stations (mixed levels and carriers), capacities, projects and developments (points and boxes)."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    n_st = data.draw(st.integers(2, 8), label="n_stations")
    xy = rng.uniform([100_000, 400_000], [130_000, 430_000], size=(n_st, 2))
    carriers = rng.choice(["electricity", "electricity", "hydrogen"], n_st)
    carriers[0] = "electricity"
    stations = gpd.GeoDataFrame({"station_id": [f"S{i}" for i in range(n_st)],
                                 "name": [f"S{i}" for i in range(n_st)],
                                 "level": rng.choice(["MS", "TS", "HS", "EHS"], n_st), "carrier": carriers},
                                geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)
    cap_rows = [(f"S{i}", y, rng.uniform(5, 50), rng.uniform(0, 5), rng.uniform(5, 50), rng.uniform(0, 5))
                for i in range(n_st) for y in (2025, 2035) if rng.random() < 0.8]
    capacity = pd.DataFrame(cap_rows, columns=["station_id", "year", "offtake_capacity_mw", "offtake_load_mw",
                                               "feedin_capacity_mw", "feedin_load_mw"])
    dxy = rng.uniform([98_000, 398_000], [132_000, 432_000], size=(n_dev, 2))
    is_box = rng.random(n_dev) < 0.3
    half = rng.uniform(200, 6_000, n_dev)
    geoms = [box(x - h, y - h, x + h, y + h) if b else Point(x, y)
             for (x, y), b, h in zip(dxy, is_box, half, strict=True)]
    developments = gpd.GeoDataFrame({
        "development_id": [f"d{i:03d}" for i in range(n_dev)], "name": ["x"] * n_dev,
        "sector": rng.choice(SECTORS, n_dev), "certainty": rng.choice(CERTAINTIES, n_dev),
        "carrier": rng.choice(["electricity", "electricity", "electricity", "hydrogen", "heat"], n_dev),
        "year": rng.integers(2020, 2046, n_dev),
        "offtake_mw": np.round(rng.exponential(8, n_dev), 3), "feedin_mw": np.round(rng.exponential(8, n_dev), 3)},
        geometry=geoms, crs=CRS)
    municipalities = gpd.GeoDataFrame({"municipality_code": ["GM0001"], "name": ["x"]},
                                      geometry=[box(95_000, 395_000, 135_000, 435_000)], crs=CRS)
    return Region.from_layers(name="random", municipalities=municipalities, stations=stations,
                              station_capacity=capacity, developments=developments, years=(2025, 2030, 2035, 2040))


PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(data=st.data())
def test_property_conservation(data):
    """Σ development load over all stations = Σ scenario-weighted MW of the allocated developments (year ≤ last)."""
    region = _random_region(data, data.draw(st.integers(1, 40), label="n_dev"))
    scenario = data.draw(st.sampled_from(["vastgesteld", "verwacht", "maximaal"]))
    result = station_balance_result(region, scenario)
    bal = result.table
    dev = region.developments
    weighted = weighted_mw(dev, scenario)
    unallocated = dev["development_id"].isin(result.unallocated).to_numpy()
    for year in region.years:
        counted = (dev["year"].to_numpy() <= year) & ~unallocated
        rows = bal[bal["year"] == year]
        for d in ("offtake", "feedin"):
            expected = weighted.loc[counted, f"{d}_mw_weighted"].sum()
            got = rows.loc[rows["direction"] == d, "development_load_mw"].sum()
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
    # Unallocated developments are exactly those without any station of their carrier that may take their size.
    assert set(result.unallocated) <= set(dev["development_id"])


@PROPERTY
@given(data=st.data())
def test_property_more_capacity_never_more_shortage(data):
    region = _random_region(data, data.draw(st.integers(1, 30), label="n_dev"))
    station = data.draw(st.sampled_from(region.stations["station_id"].tolist()))
    project = gpd.GeoDataFrame({
        "project_id": ["PX"], "name": ["extra"], "infra_type": ["station_expansion"],
        "year_ready": [data.draw(st.sampled_from([2025, 2030, 2035, 2040]))], "station_id": [station],
        "offtake_capacity_added_mw": [data.draw(st.floats(0, 100))],
        "feedin_capacity_added_mw": [data.draw(st.floats(0, 100))]},
        geometry=[Point(110_000, 410_000)], crs=CRS)
    more = region.replace(infrastructure=Region.from_layers(
        name="x", municipalities=region.municipalities, stations=region.stations,
        station_capacity=region.station_capacity, infrastructure=project).infrastructure)
    before = station_balance(region, "maximaal")
    after = station_balance(more, "maximaal")
    known = before["shortage_mw"].notna().to_numpy()
    assert (after["shortage_mw"].to_numpy()[known] <= before["shortage_mw"].to_numpy()[known] + 1e-9).all()
    order = {"green": 0, "amber": 1, "red": 2}
    worse = [order[a] > order[b] for a, b in zip(after["status"][known], before["status"][known], strict=True)]
    assert not any(worse)


@PROPERTY
@given(data=st.data())
def test_property_later_development_leaves_earlier_years(data):
    region = _random_region(data, data.draw(st.integers(1, 30), label="n_dev"))
    year = data.draw(st.integers(2026, 2045), label="year")
    extra = gpd.GeoDataFrame({
        "development_id": ["zz-new"], "name": ["nieuw"], "sector": ["industry"], "certainty": ["committed"],
        "year": [year], "offtake_mw": [data.draw(st.floats(0.1, 500))], "feedin_mw": [5.0]},
        geometry=[Point(data.draw(st.floats(100_000, 130_000)), data.draw(st.floats(400_000, 430_000)))], crs=CRS)
    developments = pd.concat([region.developments.drop(columns="source_row"), extra], ignore_index=True)
    grown = Region.from_layers(name="x", municipalities=region.municipalities, stations=region.stations,
                               station_capacity=region.station_capacity, developments=developments,
                               years=region.years)
    before = station_balance(region, "verwacht").drop(columns="first_shortage_year")
    after = station_balance(grown, "verwacht").drop(columns="first_shortage_year")
    earlier = before["year"] < year
    pd.testing.assert_frame_equal(before[earlier], after[earlier])


# --------------------------------------------------------------------------------------------- sample region

def test_sample_region_has_offtake_and_feedin_shortages(sample_region):
    bal = station_balance(sample_region, ["vastgesteld", "verwacht", "maximaal"])
    red = bal[bal["status"] == "red"]
    assert (red["direction"] == "offtake").any(), "geen station met een afnametekort in de sample"
    assert (red["direction"] == "feedin").any(), "geen station met een invoedingstekort in de sample"
    assert set(bal["status"]) <= {"green", "amber", "red", "unknown"}
    enabled = project_enablement(sample_region, "verwacht")
    assert (enabled["developments_enabled"].fillna(0) > 0).any()


# --------------------------------------------------------------------------------------------- charts

def test_station_chart_panels_and_labels(hand_balance):
    fig = station_chart(hand_balance, "C", scenario="verwacht")
    assert [ax.get_title() for ax in fig.axes] == ["Afname", "Invoeding"]
    assert fig.get_suptitle().startswith("Charlie (C) – TS") and "scenario Verwacht" in fig.get_suptitle()
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "tekort\n3,5 MW" in texts  # 2035 offtake, verwacht
    assert "capaciteit\nonbekend" in texts  # 2025
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:2] == ["Capaciteit", "Basislast"] and "Datacenter" in legend and "Mobiliteit (RAL)" in legend
    one = station_chart(hand_balance, "B", direction="feedin")
    assert [ax.get_title() for ax in one.axes] == ["Invoeding"]
    with pytest.raises(KeyError):
        station_chart(hand_balance, "ZZ")


def test_write_station_charts_safe_names(hand_balance, tmp_path):
    evil = hand_balance.copy()
    evil["station_id"] = evil["station_id"].replace({"A": "../../buiten/A", "B": "B C/ü"})
    paths = write_station_charts(evil, tmp_path / "stations")
    assert len(paths) == 3
    for p in paths:
        assert p.parent == tmp_path / "stations" and p.suffix == ".png"
        image = matplotlib.image.imread(p)
        assert image.shape[0] > 300 and image.shape[1] > 600
    assert chart_file_name("../../buiten/A") != chart_file_name("_buiten_A")
    assert chart_file_name("C") == "C.png"
    assert not (tmp_path / "buiten").exists()


def test_get_scenario_is_used_for_labels(hand_region):
    labels = station_balance_result(hand_region, ["vastgesteld", "verwacht"]).scenario_labels
    assert labels == {"vastgesteld": "Vastgesteld", "verwacht": "Verwacht"}
    assert get_scenario("verwacht").label_nl == "Verwacht"


def test_chart_titles_take_the_scenario_labels_of_the_result(hand_region, tmp_path):
    result = station_balance_result(hand_region, ["verwacht", "vastgesteld"])
    # The label comes from the result (no attrs on the table); built-in names fall back to their own label.
    own = station_chart(result.table, "A", scenario="verwacht", scenario_labels={"verwacht": "Eigen keuze"})
    assert own.get_suptitle().endswith("scenario Eigen keuze")
    assert station_chart(result.table, "A", scenario="vastgesteld").get_suptitle().endswith("scenario Vastgesteld")
    user = station_chart(result.table.assign(scenario="krap"), "A", scenario="krap")
    assert user.get_suptitle().endswith("scenario krap")  # an unknown name without a label: the name itself
    written = write_station_charts(result.table, tmp_path, scenario="verwacht", station_ids=["A"],
                                   scenario_labels=result.scenario_labels)
    assert [p.name for p in written] == ["A.png"]


# ---------------------------------------------------------------------------------------------------------------
# The ledger's kernels (private helpers, checked against hand-computed values).


def test_station_positions_one_hashing_pass():
    from energieplanologie.balance import _station_positions

    stations = np.array(["B", "A", "C"], dtype=object)
    # A is at position 1, C at 2; a missing id and an unknown one are -1, repeats are looked up each time.
    ids = np.array(["A", None, "X", "C", "A", "B"], dtype=object)
    assert _station_positions(stations, ids).tolist() == [1, -1, -1, 2, 1, 0]
    assert _station_positions(stations, np.array([], dtype=object)).tolist() == []
    # Numbers as ids hash as numbers (1 == 1.0), as the stations' index lookup always did.
    assert _station_positions(np.array([7, 1], dtype=object), np.array([1.0, 7, 3], dtype=object)).tolist() == [1, 0, -1]
    # Ids that are not unique take the index path, which refuses them.
    with pytest.raises(Exception, match="uniquely valued"):
        _station_positions(np.array(["A", "A"], dtype=object), np.array(["A"], dtype=object))


def test_filled_cells_any_non_zero_or_nan():
    from energieplanologie.balance import _filled_cells

    cells = np.array([[0.0, 0.0], [0.0, 2.5], [np.nan, 0.0], [0.0, 0.0], [-1.0, 1.0]])
    assert _filled_cells(cells).tolist() == [1, 2, 4]


def test_scenario_load_by_hand():
    # Two stations (input order X, Y; the ledger puts Y first: rank X → 1, Y → 0), two years, one direction with
    # MW. Cells (station, year, sector) × certainty (committed, planned, intended, speculative):
    #   X 2025 housing:    committed 4, intended 2
    #   X 2030 housing:    speculative 8
    #   Y 2030 industry:   planned 10
    # Scenario verwacht (1, 1, 0.5, 0.25), industry simultaneity 0.5 (a user scenario "half"):
    #   X housing 2025: 4 + 2 × 0.5 = 5; 2030: 5 + 8 × 0.25 = 7 (cumulative)
    #   Y industry 2025: 0; 2030: 10 × 1 × 0.5 = 5
    from energieplanologie.balance import DIRECTIONS, _scenario_load

    half = Scenario("half", "Half", {"committed": 1, "planned": 1, "intended": 0.5, "speculative": 0.25},
                    simultaneity={"industry": 0.5})
    years = np.array([2025, 2030])
    nsec, ncert = len(SECTORS), len(CERTAINTIES)
    offtake = np.zeros((2, 2, nsec, ncert))
    housing, industry = SECTORS.index("housing"), SECTORS.index("industry")
    offtake[0, 0, housing, [0, 2]] = [4.0, 2.0]
    offtake[0, 1, housing, 3] = 8.0
    offtake[1, 1, industry, 1] = 10.0
    sums = {"offtake": offtake.reshape(-1, ncert), "feedin": np.zeros((2 * 2 * nsec, ncert))}
    out = np.zeros((nsec, 1, 2, 2, len(DIRECTIONS)))  # (sector, scenario, station in ledger order, year, dir)
    _scenario_load(sums, 2, years, [half], np.array([1, 0]), out)
    assert out[housing, 0, 1, :, 0].tolist() == [5.0, 7.0]  # X, second in the ledger
    assert out[industry, 0, 0, :, 0].tolist() == [0.0, 5.0]  # Y, first
    out[housing, 0, 1, :, 0] = 0.0
    out[industry, 0, 0, :, 0] = 0.0
    assert not out.any()  # nothing else: no feed-in, no other sector


def test_allocation_error_comes_before_a_ledger_error(hand_region):
    # The ledger is laid out apart from the allocation; with an error in both, the allocation's is reported first:
    # an unknown explicit station, and an unknown project.
    dev = hand_region.developments.copy()
    dev.loc[dev["development_id"] == "d1", "station_id"] = "Z9"
    region = dataclasses.replace(hand_region, developments=dev)
    with pytest.raises(EnergieplanologieError, match=r"developments\.station_id: verwijst naar onbekende stations: Z9"):
        station_balance(region, projects=["P9"])
    with pytest.raises(EnergieplanologieError, match="P9"):
        station_balance(hand_region, projects=["P9"])


def test_capacity_rows_latest_row_up_to_each_year(hand_region):
    # A's one row (2025: offtake 15 / 10) plus two rows for 2030 (the second wins: 20 / 12 then 21 / 13) and a row
    # for a station the region does not have (ignored). B keeps its 2025 and 2035 rows, C its 2030 row.
    from energieplanologie.balance import _capacity_rows

    extra = pd.DataFrame({"station_id": ["A", "A", "Z"], "year": [2030, 2030, 2025],
                          "offtake_capacity_mw": [20.0, 21.0, 99.0], "feedin_capacity_mw": [15.0, 15.0, 99.0],
                          "offtake_load_mw": [12.0, 13.0, 99.0], "feedin_load_mw": [2.0, 2.0, 99.0]})
    capacity = pd.concat([hand_region.station_capacity, extra], ignore_index=True)
    region = dataclasses.replace(hand_region, station_capacity=capacity)
    out = _capacity_rows(region, np.array([2025, 2030, 2035]))
    a, b, c = (region.stations["station_id"].tolist().index(s) for s in "ABC")
    assert out["offtake_capacity_mw"][a].tolist() == [15.0, 21.0, 21.0]
    assert out["offtake_load_mw"][a].tolist() == [10.0, 13.0, 13.0]
    assert out["offtake_load_mw"][b].tolist() == [5.0, 5.0, 6.0]  # B's baseline offtake rises in 2035
    assert np.isnan(out["offtake_capacity_mw"][c][0]) and out["offtake_capacity_mw"][c][1:].tolist() == [10.0, 10.0]
