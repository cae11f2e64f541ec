"""Tests of hotspots.py on a hand-drawn region where the knooppunten are known, on Gi* against esda, and on the
sample region."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import LineString, Point, box

from energieplanologie import ConfigError, EnergieplanologieError
from energieplanologie.hotspots import (
    HOTSPOT_COLUMNS,
    HotspotsThroughTimeResult,
    detect,
    detect_hotspots,
    hex_grid,
    hotspots_through_time,
    hotspots_through_time_result,
    load_level_rules,
)
from energieplanologie.region import Region

CRS = "EPSG:28992"

# ---------------------------------------------------------------------------------------------------------------
# The hand-drawn region (RD New metres). Three knooppunten with eps 3 km and 20 MW:
#
#   A near HS station "Noordhaven" (100 000, 400 000):
#       A1 (100 500, 400 000) industry   offtake 30  committed 2026  → 30 MW
#       A2 (101 500, 400 500) renewables feed-in 15 planned   2028  → 15 MW
#       A3 ( 99 000, 399 500) housing    4 off / 1 feed-in, intended 2030 → ×0.5 in "verwacht": 2 + 0.5 MW
#       E  (100 800, 401 000) industry   offtake 10  committed 2035  → joins A from 2035
#     A (2030, verwacht): offtake 30 + 2 = 32, feed-in 15 + 0.5 = 15.5, total 47.5 → HS involved → provincial.
#   B near MS station "Oostwijk" (118 000, 405 000): B1 6, B2 8, B3 7 MW offtake (2027, 2029, 2030), every pair
#     within 1.5 km, so each sees 21 ≥ 20 MW → one cluster of 21 MW; only MS involved and < 50 MW → local.
#   C near EHS station "Zuidpoort" (125 000, 395 000): C1 data centre 40 MW intended (→ 20), C2 solar 12 MW
#     committed, 1.6 km apart → C1 is core (20 + 12), C2 too → 32 MW; the EHS station makes it national.
#   D (92 000, 392 000) 100 MW alone: core, but a cluster of one member is no knooppunt (min_members 2).
#   F (128 000, 408 000) 1 MW: noise, far from everything — moved around in the stability test.
# Allocation (allocation.py defaults: MS ≤ 10 MW, TS ≤ 30, HS ≤ 300, EHS any; nearest eligible): A's members →
# Noordhaven (nearest for all sizes), B's → Oostwijk (MS, nearest), C's → Zuidpoort (EHS, nearest).
# ---------------------------------------------------------------------------------------------------------------

DEVELOPMENTS = [
    # id, x, y, sector, programme, offtake, feedin, year, certainty
    ("A1", 100_500, 400_000, "industry", "CES", 30.0, 0.0, 2026, "committed"),
    ("A2", 101_500, 400_500, "renewables", "RES", 0.0, 15.0, 2028, "planned"),
    ("A3", 99_000, 399_500, "housing", "woonagenda", 4.0, 1.0, 2030, "intended"),
    ("E", 100_800, 401_000, "industry", "CES", 10.0, 0.0, 2035, "committed"),
    ("B1", 118_200, 405_000, "mobility", "RAL", 6.0, 0.0, 2027, "committed"),
    ("B2", 119_000, 405_800, "built_environment", "TVW", 8.0, 0.0, 2029, "committed"),
    ("B3", 117_500, 404_000, "business_park", "other", 7.0, 0.0, 2030, "planned"),
    ("C1", 124_000, 395_500, "data_centre", "other", 40.0, 0.0, 2029, "intended"),
    ("C2", 125_500, 396_000, "renewables", "RES", 0.0, 12.0, 2030, "committed"),
    ("D", 92_000, 392_000, "industry", "CES", 100.0, 0.0, 2027, "committed"),
    ("F", 128_000, 408_000, "housing", "woonagenda", 1.0, 0.0, 2026, "committed"),
]


def _developments(rows=DEVELOPMENTS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "development_id": [r[0] for r in rows],
            "name": [f"Ontwikkeling {r[0]}" for r in rows],
            "sector": [r[3] for r in rows],
            "programme": [r[4] for r in rows],
            "carrier": "electricity",
            "offtake_mw": [r[5] for r in rows],
            "feedin_mw": [r[6] for r in rows],
            "year": [r[7] for r in rows],
            "certainty": [r[8] for r in rows],
        },
        geometry=[Point(r[1], r[2]) for r in rows],
        crs=CRS,
    )


def _region(developments: gpd.GeoDataFrame | None = None, infrastructure: gpd.GeoDataFrame | None = None) -> Region:
    municipalities = gpd.GeoDataFrame(
        {"municipality_code": ["GM0001", "GM0002"], "name": ["Westdorp", "Oostdorp"]},
        geometry=[box(90_000, 390_000, 110_000, 410_000), box(110_000, 390_000, 130_000, 410_000)], crs=CRS,
    )
    stations = gpd.GeoDataFrame(
        {
            "station_id": ["EHS1", "HS1", "MS1", "MS2"],
            "name": ["Zuidpoort 380 kV", "Noordhaven 150 kV", "MS-station Westwijk", "MS-station Oostwijk"],
            "voltage_kv": ["380/150", "150/20", "20", "10"],
            "level": ["EHS", "HS", "MS", "MS"],
        },
        geometry=[Point(125_000, 395_000), Point(100_000, 400_000), Point(95_000, 405_000), Point(118_000, 405_000)],
        crs=CRS,
    )
    capacity = pd.DataFrame({"station_id": ["EHS1", "HS1", "MS1", "MS2"], "year": 2025,
                             "offtake_capacity_mw": [1000.0, 100.0, 10.0, 10.0],
                             "feedin_capacity_mw": [1000.0, 100.0, 10.0, 10.0]})
    return Region.from_layers(name="Handgetekend", municipalities=municipalities, stations=stations,
                              station_capacity=capacity, infrastructure=infrastructure,
                              developments=_developments() if developments is None else developments,
                              years=(2025, 2030, 2035, 2040))


def _infrastructure() -> gpd.GeoDataFrame:
    # P1: planned expansion of Oostwijk (inside B), 10 MW added → a member of B.
    # P2: a cable (a line: not nodal) and P3: an existing station part — neither takes part.
    return gpd.GeoDataFrame(
        {
            "project_id": ["P1", "P2", "P3"],
            "name": ["Uitbreiding Oostwijk", "Kabel Noordhaven–Oostwijk", "Bestaand veld Noordhaven"],
            "infra_type": ["station_expansion", "cable_hv", "station_expansion"],
            "status": ["investment_plan", "investment_plan", "existing"],
            "year_ready": [2028, 2028, 2020],
            "station_id": ["MS2", None, "HS1"],
            "offtake_capacity_added_mw": [10.0, 50.0, 40.0],
            "feedin_capacity_added_mw": [0.0, 0.0, 0.0],
        },
        geometry=[Point(118_000, 405_000), LineString([(100_000, 400_000), (118_000, 405_000)]),
                  Point(100_000, 400_000)],
        crs=CRS,
    )


@pytest.fixture(scope="module")
def region() -> Region:
    return _region()


def _by_member(result, member: str) -> pd.Series:
    hid = result.members.loc[result.members["member_id"] == member, "hotspot_id"].iloc[0]
    return result.hotspots.set_index("hotspot_id").loc[hid]


def _member_sets(result) -> set[frozenset[str]]:
    return {frozenset(g["member_id"]) for _, g in result.members.groupby("hotspot_id")}


# ---------------------------------------------------------------------------------------------------------------
# DBSCAN on the hand-drawn region


def test_hand_drawn_membership_and_mw(region):
    result = detect_hotspots(region, year=2030, include_infrastructure=False)
    hs = result.hotspots
    assert list(hs.columns) == list(HOTSPOT_COLUMNS)
    assert hs.crs.to_epsg() == 28992
    assert _member_sets(result) == {frozenset({"A1", "A2", "A3"}), frozenset({"B1", "B2", "B3"}),
                                    frozenset({"C1", "C2"})}
    assert hs["hotspot_id"].is_monotonic_increasing and hs["hotspot_id"].str.match(r"^KP-[0-9a-f]{8}$").all()

    a, b, c = _by_member(result, "A1"), _by_member(result, "B1"), _by_member(result, "C1")
    assert (a["offtake_mw"], a["feedin_mw"], a["total_mw"]) == (32.0, 15.5, 47.5)  # see the table above
    assert (b["offtake_mw"], b["feedin_mw"], b["total_mw"]) == (21.0, 0.0, 21.0)
    assert (c["offtake_mw"], c["feedin_mw"], c["total_mw"]) == (20.0, 12.0, 32.0)
    assert (a["level"], b["level"], c["level"]) == ("provincial", "local", "national")
    assert a["level_reason"] == "provinciaal: HS-station betrokken (Noordhaven 150 kV)"
    assert b["level_reason"] == ("lokaal: geen EHS-station en < 500 MW; geen HS-station en < 50 MW "
                                 "(totaal 21 MW)")
    assert c["level_reason"] == "nationaal: EHS-station betrokken (Zuidpoort 380 kV)"
    assert (a["name"], b["name"], c["name"]) == ("Knooppunt Noordhaven", "Knooppunt Oostwijk", "Knooppunt Zuidpoort")
    assert (a["station_ids"], b["station_ids"], c["station_ids"]) == ("HS1", "MS2", "EHS1")
    assert (a["municipality_codes"], b["municipality_codes"], c["municipality_codes"]) == ("GM0001", "GM0002", "GM0002")
    assert a["sectors"] == "housing;industry;renewables" and a["programmes"] == "CES;RES;woonagenda"
    assert (a["n_members"], a["n_developments"], a["n_infrastructure"]) == (3, 3, 0)
    assert a["carriers"] == "electricity" and a["method"] == "dbscan" and a["scenario"] == "verwacht"
    # Cumulative by analysis year ≤ 2030: nothing by 2025 (A1 is 2026), everything by 2030.
    assert json.loads(a["mw_by_year"]) == {"2025": {"offtake": 0.0, "feedin": 0.0},
                                           "2030": {"offtake": 32.0, "feedin": 15.5}}
    # The polygon is the members' hull buffered by 250 m: it holds every member with 250 m to spare.
    members = region.developments.set_index("development_id").loc[["A1", "A2", "A3"]].geometry
    assert members.buffer(245).within(a["geometry"]).all()  # 245: the buffer is a polygon, chords cut 1.2 m
    assert np.isnan(a["max_shortage_mw"])  # no balance given
    weights = result.members.set_index("member_id")["weight_mw"]
    assert weights[["A1", "A2", "A3"]].tolist() == [30.0, 15.0, 2.5]
    assert set(result.members["member_kind"]) == {"development"}
    assert result.hexagons is None


def test_year_and_scenario_filter(region):
    # 2028: A3 (2030) is not there yet: A = A1 + A2 = 45 MW; B has only B1 (6 MW) → no B; C1 (2029) missing → no C.
    early = detect_hotspots(region, year=2028, include_infrastructure=False)
    assert _member_sets(early) == {frozenset({"A1", "A2"})}
    assert early.hotspots["total_mw"].tolist() == [45.0]
    # "vastgesteld" drops intended developments: A3 and C1 weigh 0 → A = 45 MW; C2 alone (12 MW) is no cluster.
    fixed = detect_hotspots(region, year=2030, scenario="vastgesteld", include_infrastructure=False)
    assert _member_sets(fixed) == {frozenset({"A1", "A2"}), frozenset({"B1", "B2", "B3"})}
    assert set(fixed.hotspots["scenario"]) == {"vastgesteld"}


def test_level_rules_are_data_and_overridable(region):
    rules = load_level_rules()
    assert rules["national"] == {"station_levels": ["EHS"], "min_total_mw": 500.0, "min_municipalities": None}
    assert rules["provincial"]["min_total_mw"] == 50.0
    # Provincial from 20 MW, no longer for an HS station as such: B (21 MW) becomes provincial by its total.
    result = detect_hotspots(region, year=2030, include_infrastructure=False,
                             level_rules={"provincial": {"min_total_mw": 20, "station_levels": []}})
    b = _by_member(result, "B1")
    assert b["level"] == "provincial" and b["level_reason"] == "provinciaal: totaal 21 MW ≥ 20 MW"
    assert _by_member(result, "A1")["level_reason"] == "provinciaal: totaal 47,5 MW ≥ 20 MW"
    # Touching two municipalities can be made a condition too; none of the three does.
    two = detect_hotspots(region, year=2030, include_infrastructure=False,
                          level_rules={"provincial": {"min_municipalities": 2, "station_levels": None,
                                                      "min_total_mw": None}})
    assert _by_member(two, "A1")["level"] == "local"
    with pytest.raises(ConfigError, match="hotspots.level_rules.provincial.min_mw") as err:
        load_level_rules({"provincial": {"min_mw": 5}})
    assert err.value.key == "hotspots.level_rules.provincial.min_mw"
    with pytest.raises(ConfigError, match="netvlak 'XS'"):
        load_level_rules({"national": {"station_levels": ["XS"]}})
    with pytest.raises(ConfigError, match="hotspots.level_rules.regional"):
        load_level_rules({"regional": {"min_total_mw": 5}})


def test_ids_stable_under_reordering_and_far_away_changes(region):
    base = detect_hotspots(region, year=2030)
    # Row order: reversed and shuffled developments give the identical result.
    for order in (np.arange(len(DEVELOPMENTS))[::-1], np.random.default_rng(1).permutation(len(DEVELOPMENTS))):
        shuffled = _region(_developments([DEVELOPMENTS[i] for i in order]))
        again = detect_hotspots(shuffled, year=2030)
        assert_geodataframe_equal(again.hotspots, base.hotspots)
        pd.testing.assert_frame_equal(again.members, base.members)
    # Far-away changes: F moves 3 km and grows to 5 MW, a new far development appears: same ids.
    rows = [r for r in DEVELOPMENTS if r[0] != "F"]
    rows += [("F", 129_000, 406_000, "housing", "woonagenda", 5.0, 0.0, 2026, "committed"),
             ("G", 91_000, 409_000, "mobility", "RAL", 3.0, 0.0, 2027, "committed")]
    moved = detect_hotspots(_region(_developments(rows)), year=2030)
    assert moved.hotspots["hotspot_id"].tolist() == base.hotspots["hotspot_id"].tolist()
    # A member change does change the id of that hotspot only.
    without_a3 = detect_hotspots(_region(_developments([r for r in DEVELOPMENTS if r[0] != "A3"])), year=2030)
    changed = set(base.hotspots["hotspot_id"]) ^ set(without_a3.hotspots["hotspot_id"])
    assert changed == {_by_member(base, "A1").name, _by_member(without_a3, "A1").name}


def test_infrastructure_members():
    region = _region(infrastructure=_infrastructure())
    result = detect_hotspots(region, year=2030)
    b = _by_member(result, "B1")
    # P1 (planned, point, 10 MW added, ready 2028) joins B; its MW shapes the cluster but is not counted in it.
    assert set(result.members.loc[result.members["hotspot_id"] == b.name, "member_id"]) == {"B1", "B2", "B3", "P1"}
    assert (b["n_members"], b["n_developments"], b["n_infrastructure"], b["total_mw"]) == (4, 3, 1, 21.0)
    assert result.members.set_index("member_id").loc["P1", ["member_kind", "weight_mw"]].tolist() == \
        ["infrastructure", 10.0]
    # The cable (a line) and the existing project never take part.
    assert not result.members["member_id"].isin(["P2", "P3"]).any()
    # A nominal weight replaces the added MW.
    nominal = detect_hotspots(region, year=2030, infrastructure_weight_mw=1.0)
    assert nominal.members.set_index("member_id").loc["P1", "weight_mw"] == 1.0
    # Before 2028 P1 is not ready: B1 (2027) alone is no knooppunt.
    assert "P1" not in set(detect_hotspots(region, year=2027).members["member_id"])


def test_max_shortage_from_balance(region):
    # A hand-made balance: HS1 short 12.5 MW offtake in 2030 (and more in 2035, which must not count),
    # MS2 short 3 MW feed-in in 2025 only (the latest balance year ≤ 2030 is 2030, where MS2 is fine).
    balance = pd.DataFrame({
        "station_id": ["HS1", "HS1", "HS1", "MS2", "MS2", "HS1"],
        "scenario": ["verwacht", "verwacht", "verwacht", "verwacht", "verwacht", "maximaal"],
        "year": [2030, 2030, 2035, 2025, 2030, 2030],
        "direction": ["offtake", "feedin", "offtake", "feedin", "feedin", "offtake"],
        "shortage_mw": [12.5, 0.0, 40.0, 3.0, 0.0, 99.0],
    })
    result = detect_hotspots(region, year=2030, balance=balance, include_infrastructure=False)
    assert _by_member(result, "A1")["max_shortage_mw"] == 12.5
    assert _by_member(result, "B1")["max_shortage_mw"] == 0.0
    assert np.isnan(_by_member(result, "C1")["max_shortage_mw"])  # EHS1 has no balance rows


def test_balance_module_output_is_accepted(region):
    from energieplanologie.balance import station_balance

    balance = station_balance(region, "verwacht")
    result = detect_hotspots(region, year=2030, balance=balance)
    # HS1 has 100 MW capacity and takes far less: no shortage; every hotspot gets a number.
    assert result.hotspots["max_shortage_mw"].notna().all()


def test_through_time(region):
    tt = hotspots_through_time(region, years=[2028, 2030, 2035], include_infrastructure=False)
    assert list(tt.columns) == [c for c in HOTSPOT_COLUMNS if c != "geometry"] + \
        ["change", "previous_hotspot_id", "geometry"]
    by = {(r.year, r.name): r for r in tt.itertuples()}
    # 2028: only A (45 MW), new.  2030: A 47.5 MW (+5.6 % < 10 %) stable; B and C new.
    # 2035: A gains E (10 MW): 57.5 / 47.5 = +21 % → growing; B and C unchanged (same members, same id) → stable.
    a28, a30, a35 = by[(2028, "Knooppunt Noordhaven")], by[(2030, "Knooppunt Noordhaven")], \
        by[(2035, "Knooppunt Noordhaven")]
    assert (a28.change, a30.change, a35.change) == ("new", "stable", "growing")
    assert a30.previous_hotspot_id == a28.hotspot_id and a35.previous_hotspot_id == a30.hotspot_id
    assert a35.total_mw == 57.5
    b30, b35 = by[(2030, "Knooppunt Oostwijk")], by[(2035, "Knooppunt Oostwijk")]
    assert (b30.change, b35.change, b35.hotspot_id) == ("new", "stable", b30.hotspot_id)
    assert tt.attrs == {}  # no side channel: what vanished is in the result type
    result = hotspots_through_time_result(region, years=[2028, 2030, 2035], include_infrastructure=False)
    assert isinstance(result, HotspotsThroughTimeResult) and result.vanished == ()  # A, B, C all carry on
    assert_geodataframe_equal(result.table, tt)
    assert tt["year"].is_monotonic_increasing
    # A stricter tolerance turns A's +5.6 % in 2030 into growth.
    strict = hotspots_through_time(region, years=[2028, 2030], include_infrastructure=False, change_tolerance=0.05)
    assert strict.loc[strict["year"] == 2030].set_index("name").loc["Knooppunt Noordhaven", "change"] == "growing"


def test_vanished_when_two_hotspots_merge():
    # 2030: X (X1, X2: 15 + 15 MW, 500 m apart) and Y (Y1, Y2: the same, 5.5 km east of X2) are two knooppunten.
    # 2035: W (5 MW, committed) lies 2,750 m from X2 and from Y1; its neighbourhood holds 15 + 15 + 5 = 35 ≥ 20 MW,
    # so W is core and X, W and Y become one knooppunt of 65 MW. It has one predecessor (the hotspot of 2030 it
    # overlaps most); the other hotspot of 2030 is nobody's predecessor: it vanished in 2035.
    rows = [("X1", 100_000, 400_000, "industry", "CES", 15.0, 0.0, 2030, "committed"),
            ("X2", 100_500, 400_000, "industry", "CES", 15.0, 0.0, 2030, "committed"),
            ("Y1", 106_000, 400_000, "industry", "CES", 15.0, 0.0, 2030, "committed"),
            ("Y2", 106_500, 400_000, "industry", "CES", 15.0, 0.0, 2030, "committed"),
            ("W", 103_250, 400_000, "industry", "CES", 5.0, 0.0, 2035, "committed")]
    result = hotspots_through_time_result(_region(_developments(rows)), years=[2030, 2035])
    table = result.table
    ids_2030 = set(table.loc[table["year"] == 2030, "hotspot_id"])
    merged = table.loc[table["year"] == 2035].iloc[0]
    assert len(ids_2030) == 2 and (table["year"] == 2035).sum() == 1
    assert merged["total_mw"] == 65.0 and merged["change"] == "growing"  # 65 / 30 > 1.1
    assert merged["previous_hotspot_id"] in ids_2030
    assert result.vanished == ((2035, (ids_2030 - {merged["previous_hotspot_id"]}).pop()),)
    assert table.attrs == {}


def test_shrinking_and_vanished_between_scenarios(region):
    # Within one scenario MW only accumulate over the years, so compare a rich and a poor picture of the same year
    # with the function hotspots_through_time uses between consecutive years.
    from energieplanologie.hotspots import _compare

    rich = detect_hotspots(region, year=2030, scenario="maximaal", include_infrastructure=False).hotspots
    poor = detect_hotspots(region, year=2030, scenario="vastgesteld", include_infrastructure=False).hotspots
    # maximaal: A = 30 + 15 + 4 + 1 = 50, B = 21, C = 40 + 12 = 52.  vastgesteld: A = 45, B = 21, no C.
    prev_id, change = _compare(poor, rich, 0.1)
    assert dict(zip(poor["name"], change, strict=True)) == {"Knooppunt Noordhaven": "stable",  # 45/50 = 0.9
                                                            "Knooppunt Oostwijk": "stable"}
    _, change = _compare(poor, rich, 0.05)
    assert dict(zip(poor["name"], change, strict=True))["Knooppunt Noordhaven"] == "shrinking"
    assert set(prev_id) == set(rich.loc[rich["name"] != "Knooppunt Zuidpoort", "hotspot_id"])  # C vanished


def test_invalid_parameters(region):
    with pytest.raises(EnergieplanologieError, match="onbekende methode 'kmeans'"):
        detect_hotspots(region, method="kmeans")
    with pytest.raises(EnergieplanologieError, match="hotspots.eps_m"):
        detect_hotspots(region, eps_m=0)
    with pytest.raises(EnergieplanologieError, match="fdr_alpha"):
        detect_hotspots(region, method="gistar", fdr_alpha=1.5)
    with pytest.raises(EnergieplanologieError, match="years="):
        hotspots_through_time(region, year=2030)
    assert detect is detect_hotspots


def test_no_hotspots_gives_empty_typed_frames(region):
    result = detect_hotspots(region, year=2025)  # only nothing-yet: F (2026) is later still
    assert len(result.hotspots) == 0 and list(result.hotspots.columns) == list(HOTSPOT_COLUMNS)
    assert result.hotspots.crs.to_epsg() == 28992 and len(result.members) == 0


def test_hdbscan_respects_min_members_and_min_mw(region):
    result = detect_hotspots(region, year=2030, method="hdbscan", min_mw=25, include_infrastructure=False)
    hs = result.hotspots
    assert len(hs) >= 1
    assert (hs["total_mw"] >= 25).all() and (hs["n_members"] >= 2).all() and set(hs["method"]) == {"hdbscan"}
    # Same result whatever the row order.
    shuffled = _region(_developments(DEVELOPMENTS[::-1]))
    assert_geodataframe_equal(detect_hotspots(shuffled, year=2030, method="hdbscan", min_mw=25,
                                              include_infrastructure=False).hotspots, hs)


# ---------------------------------------------------------------------------------------------------------------
# Gi*


def _blob_region() -> Region:
    # A 12 × 12 km area; 7 developments of 10 MW each on the centres of seven adjacent hexagons (a centre cell and
    # its ring) at 1 km grid spacing, and 20 light developments of 0.5 MW spread on a coarse lattice elsewhere.
    grid = hex_grid((100_000, 400_000, 112_000, 412_000), 1000.0)
    centre = grid.iloc[((grid["cx"] - 106_000) ** 2 + (grid["cy"] - 406_000) ** 2).argmin()]
    d = np.hypot(grid["cx"] - centre["cx"], grid["cy"] - centre["cy"])
    heavy = grid.loc[d < 1001, ["cx", "cy"]].to_numpy()
    assert len(heavy) == 7
    light = np.array([(101_000 + 2_500 * i, 401_000 + 2_500 * j) for i in range(5) for j in range(4)
                      if not (i == 2 and j in (1, 2))], dtype=float)
    rows = [(f"H{i}", x, y, "industry", "CES", 10.0, 0.0, 2030, "committed") for i, (x, y) in enumerate(heavy)]
    rows += [(f"L{i:02d}", x, y, "housing", "woonagenda", 0.5, 0.0, 2030, "committed")
             for i, (x, y) in enumerate(light)]
    region = _region(_developments(rows))
    mun = gpd.GeoDataFrame({"municipality_code": ["GM0003"], "name": ["Blobstad"]},
                           geometry=[box(100_000, 400_000, 112_000, 412_000)], crs=CRS)
    return region.replace(municipalities=mun)


@pytest.fixture(scope="module")
def gistar_result():
    return detect_hotspots(_blob_region(), year=2030, method="gistar", hex_size_m=1000.0, permutations=999, seed=7,
                           include_infrastructure=False, min_mw=20)


def test_gistar_equals_esda_on_the_same_grid(gistar_result):
    import esda
    import libpysal

    hexagons = gistar_result.hexagons
    assert list(hexagons.columns) == ["hex_id", "mw", "gi_z", "gi_p", "gi_p_fdr", "hot", "gi_test", "geometry"]
    assert hexagons["hex_id"].is_unique and np.isclose(hexagons["mw"].sum(), 7 * 10 + 18 * 0.5)
    # Independent weights: queen contiguity from the hexagon polygons (libpysal), not our distance band.
    w = libpysal.weights.Queen.from_dataframe(hexagons, use_index=False, silence_warnings=True)
    assert set(w.cardinalities.values()) <= {2, 3, 4, 5, 6} and max(w.cardinalities.values()) == 6
    ref = esda.G_Local(hexagons["mw"].to_numpy(), w, transform="B", permutations=999, star=True, seed=7,
                       keep_simulations=False, n_jobs=1)
    np.testing.assert_allclose(hexagons["gi_z"].to_numpy(), ref.Zs, rtol=1e-12, atol=1e-12)
    # esda's p_sim is the one-sided (folded) permutation p-value; the default test is two-sided: twice it.
    assert set(hexagons["gi_test"]) == {"two-sided"}
    np.testing.assert_array_equal(hexagons["gi_p"].to_numpy(), np.minimum(1.0, 2 * ref.p_sim))


def test_gistar_offers_one_and_two_sided_p_values_and_says_which():
    # Analytic p-values (no permutations): two-sided p = 2·(1 − Φ(|z|)) as ArcGIS reports it, one-sided
    # ("greater") p = 1 − Φ(|z|) as esda's p_norm. A cell at z = 1.96 has p = 0.050 two-sided, 0.025 one-sided.
    from scipy.stats import norm

    two = detect_hotspots(_blob_region(), year=2030, method="gistar", permutations=0, include_infrastructure=False)
    one = detect_hotspots(_blob_region(), year=2030, method="gistar", permutations=0, include_infrastructure=False,
                          alternative="greater")
    z = two.hexagons["gi_z"].to_numpy()
    np.testing.assert_allclose(two.hexagons["gi_p"].to_numpy(), 2 * norm.sf(np.abs(z)), rtol=1e-12)
    np.testing.assert_allclose(one.hexagons["gi_p"].to_numpy(), norm.sf(np.abs(z)), rtol=1e-12)
    assert round(2 * norm.sf(1.96), 3) == 0.050
    assert set(two.hexagons["gi_test"]) == {"two-sided"} and set(one.hexagons["gi_test"]) == {"greater"}
    # A one-sided test finds at least the hot cells of the two-sided one.
    assert one.hexagons["hot"].sum() >= two.hexagons["hot"].sum()
    assert not (two.hexagons["hot"] & ~one.hexagons["hot"]).any()
    with pytest.raises(EnergieplanologieError, match="hotspots.alternative"):
        detect_hotspots(_blob_region(), method="gistar", alternative="less")


def test_gistar_z_by_hand(gistar_result):
    # Getis & Ord (1995) Gi* with binary weights including the cell itself:
    #   z_i = (Σ_j∈N*(i) x_j − x̄·W_i) / (S · √((n·W_i − W_i²) / (n − 1))),  S = √(Σx²/n − x̄²),  W_i = |N*(i)|.
    hexagons = gistar_result.hexagons
    x = hexagons["mw"].to_numpy()
    n = len(x)
    centres = np.column_stack([hexagons.geometry.centroid.x, hexagons.geometry.centroid.y])
    dist = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    adj = dist < 1001  # the six neighbours at 1000 m, and the cell itself
    wi = adj.sum(axis=1)
    xbar, s = x.mean(), np.sqrt((x**2).mean() - x.mean() ** 2)
    z = (adj @ x - xbar * wi) / (s * np.sqrt((n * wi - wi**2) / (n - 1)))
    np.testing.assert_allclose(hexagons["gi_z"].to_numpy(), z, rtol=1e-9)


def test_gistar_hot_cells_make_one_hotspot(gistar_result):
    hexagons, hs = gistar_result.hexagons, gistar_result.hotspots
    # Benjamini–Hochberg by hand: sort p, compare p_(k) ≤ k/m·α; adjusted p = min over later ranks of p_(j)·m/j.
    p = hexagons["gi_p"].to_numpy()
    m = len(p)
    order = np.argsort(p)
    adjusted = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    expected = np.empty(m)
    expected[order] = np.minimum(adjusted, 1.0)
    np.testing.assert_allclose(hexagons["gi_p_fdr"].to_numpy(), expected)
    hot = hexagons["hot"].to_numpy()
    np.testing.assert_array_equal(hot, (hexagons["gi_z"] > 0).to_numpy() & (expected <= 0.05))
    # The seven heavy cells (z > 0, p = 1/1000 each) are hot and adjacent: one hotspot holding H0…H6.
    assert hot.sum() >= 7
    assert len(hs) == 1
    assert set(gistar_result.members["member_id"]) >= {f"H{i}" for i in range(7)}
    assert hs["method"].iloc[0] == "gistar" and hs["total_mw"].iloc[0] >= 70
    # Its polygon is the union of the hot cells.
    union = hexagons.loc[hot].union_all()
    assert hs.geometry.iloc[0].symmetric_difference(union).area < 1e-3


def test_hex_grid_ids_are_anchored():
    a = hex_grid((100_000, 400_000, 103_000, 403_000), 500.0)
    b = hex_grid((99_000, 399_000, 104_000, 404_000), 500.0)
    common = a.merge(b, on="hex_id")
    assert len(common) == len(a)  # every cell of the smaller extent has the same id in the larger one
    assert common.geometry_x.geom_equals_exact(gpd.GeoSeries(common.geometry_y), tolerance=0).all()
    assert np.isclose(a.geometry.area, 500.0**2 * np.sqrt(3) / 2).all()


# ---------------------------------------------------------------------------------------------------------------
# The sample region, and writing through pyogrio


def _level_by_rules(row, stations: pd.DataFrame) -> str:
    levels = set(stations.set_index("station_id").loc[row["station_ids"].split(";"), "level"].dropna())
    if "EHS" in levels or row["total_mw"] >= 500:
        return "national"
    if "HS" in levels or row["total_mw"] >= 50:
        return "provincial"
    return "local"


def test_sample_region_has_knooppunten_with_sensible_levels(sample_region, tmp_path):
    result = detect_hotspots(sample_region, year=2035)
    hs = result.hotspots
    assert len(hs) >= 2
    # Every level follows the documented rules, recomputed here from the stations' levels and the totals.
    for _, row in hs.iterrows():
        assert row["level"] == _level_by_rules(row, sample_region.stations), row["name"]
    # The Kanaalzone (Dow, Yara Sluiskil and the data centre) is one knooppunt above local level.
    kanaalzone = _by_member(result, "ZV-023")
    assert {"ZV-020", "ZV-026"} <= set(result.members.loc[result.members["hotspot_id"] == kanaalzone.name,
                                                          "member_id"])
    assert kanaalzone["level"] in ("provincial", "national") and kanaalzone["total_mw"] > 100
    assert len(set(hs["level"])) >= 2  # not every knooppunt has the same character
    assert hs["name"].is_unique
    # Every member exists in the region.
    assert set(result.members["member_id"]) <= set(sample_region.developments["development_id"]) | \
        set(sample_region.infrastructure["project_id"])
    # Written to a GeoPackage and read back with pyogrio: same rows, same geometry, JSON intact.
    path = tmp_path / "knooppunten.gpkg"
    pyogrio.write_dataframe(hs, path, layer="knooppunten")
    pyogrio.write_dataframe(result.members, path, layer="knooppunt_leden")
    back = pyogrio.read_dataframe(path, layer="knooppunten")
    assert back["hotspot_id"].tolist() == hs["hotspot_id"].tolist()
    assert back.geometry.geom_equals_exact(hs.geometry, tolerance=1e-6).all()
    assert all(isinstance(json.loads(t), dict) for t in back["mw_by_year"])
    assert len(pyogrio.read_dataframe(path, layer="knooppunt_leden")) == len(result.members)


def test_gistar_grid_over_islands():
    # Two municipalities 20 km apart (an island): the hexagon grid falls apart in two groups of cells. That is
    # fine for Gi* (each cell's neighbourhood is local) and must pass without warnings (pytest: warnings are errors).
    region = _blob_region()
    island = gpd.GeoDataFrame({"municipality_code": ["GM0003", "GM0004"], "name": ["Blobstad", "Eiland"]},
                              geometry=[box(100_000, 400_000, 112_000, 412_000),
                                        box(132_000, 400_000, 136_000, 404_000)], crs=CRS)
    result = detect_hotspots(region.replace(municipalities=island), year=2030, method="gistar", permutations=99,
                             include_infrastructure=False)
    hexagons = result.hexagons
    assert (hexagons.geometry.centroid.x > 130_000).any()  # the island's cells are part of the grid
    assert np.isfinite(hexagons["gi_z"]).all()


def test_members_through_time(region):
    from energieplanologie.hotspots import hotspots_and_members_through_time

    hs, members = hotspots_and_members_through_time(region, years=[2028, 2035], include_infrastructure=False)
    # One detection per year gives both: the 2035 members of A are A1, A2, A3 and E, those of 2028 A1 and A2.
    a35 = hs[(hs["year"] == 2035) & (hs["name"] == "Knooppunt Noordhaven")]["hotspot_id"].iloc[0]
    assert set(members.loc[(members["year"] == 2035) & (members["hotspot_id"] == a35), "member_id"]) == \
        {"A1", "A2", "A3", "E"}
    assert set(members.loc[members["year"] == 2028, "member_id"]) == {"A1", "A2"}
    assert list(members.columns) == ["hotspot_id", "member_id", "member_kind", "weight_mw", "year"]
    assert_geodataframe_equal(hs, hotspots_through_time(region, years=[2028, 2035], include_infrastructure=False))


def test_missing_year_ready_means_never_ready_in_knooppunten_and_balance():
    # P1 (10 MW offtake added at MS2, inside group B) without year_ready: the balance never counts its 10 MW,
    # and the knooppunten leave it out in every year — one meaning. Validation says so once, for its row.
    from energieplanologie.balance import station_balance

    infra = _infrastructure()
    infra["year_ready"] = infra["year_ready"].astype(object)
    infra.loc[0, "year_ready"] = None
    region = _region(infrastructure=infra)
    for year in region.years:
        assert "P1" not in set(detect_hotspots(region, year=year).members["member_id"])
    ms2 = station_balance(region, "verwacht").query("station_id == 'MS2' and direction == 'offtake'")
    # MS2 has 10 MW of base capacity (see _region) and nothing is ever added.
    assert ms2["capacity_mw"].tolist() == [10.0] * len(region.years)
    warned = [f for f in region.reports["infrastructure"].warnings if f.code == "no_year_ready"]
    assert len(warned) == 1 and warned[0].rows == [0]
    assert "niet in de stationsbalans, niet in de knooppunten" in warned[0].message


def test_knooppunt_of_exactly_min_mw_read_from_a_file():
    # tests/data/bad/threshold_20mw.csv: near Terneuzen 2.9 + 13.2 + 0.5 + 3.4 MW (20.0 in decimal, but
    # 19.999999999999996 when added in that order), 40 m apart; near Hulst 0.1 + 0.3 + 19.5 = 19.9 MW. With
    # min_mw 20 and eps 200 m the Terneuzen four are one knooppunt of 20 MW (it used to vanish: every point's
    # neighbourhood summed to just under 20), the Hulst three are none.
    from pathlib import Path

    from energieplanologie.io import read_layer

    dev = read_layer(Path(__file__).parent / "data" / "bad" / "threshold_20mw.csv", "developments").data
    assert sum(dev["offtake_mw"].iloc[:4].tolist()) < 20.0  # the float sum in file order misses the threshold
    region = _region(developments=None).replace(developments=dev)
    result = detect_hotspots(region, year=2030, eps_m=200.0, min_mw=20.0, include_infrastructure=False)
    assert set(result.members["member_id"]) == {"T1", "T2", "T3", "T4"}
    assert result.hotspots["total_mw"].tolist() == [pytest.approx(20.0)]


def test_coordinate_order_is_lexsort_with_ties():
    from energieplanologie.hotspots import _finite_coordinate_order

    # x ties at 1.0 (three points, two of them equal in y too) and at -0.0 == 0.0: by x, then y, then position;
    # the point without a y (NaN, position 7) is left out.
    x = np.array([1.0, 0.0, 1.0, -0.0, 1.0, 3.0, 2.0, 0.5])
    y = np.array([5.0, 2.0, 4.0, 1.0, 5.0, 0.0, 9.0, np.nan])
    # sorted: (−0.0, 1)@3, (0.0, 2)@1, (1, 4)@2, (1, 5)@0, (1, 5)@4, (2, 9)@6, (3, 0)@5
    assert _finite_coordinate_order(x, y).tolist() == [3, 1, 2, 0, 4, 6, 5] == np.lexsort((y[:7], x[:7])).tolist()
    rng = np.random.default_rng(0)
    xr, yr = rng.integers(0, 50, 5000).astype(float), rng.integers(0, 5, 5000).astype(float)
    assert np.array_equal(_finite_coordinate_order(xr, yr), np.lexsort((yr, xr)))


def test_point_weights_are_weighted_points_as_arrays(region):
    from energieplanologie.hotspots import point_weights, weighted_points

    pts = weighted_points(region, "verwacht", 2030)
    pw = point_weights(region, "verwacht", 2030)
    # 2030 verwacht: A1 30, A2 15, A3 2 + 0.5, B1 6, B2 8, B3 7, C1 20, C2 12, D 100, F 1 (E comes in 2035).
    assert len(pw.x) == len(pts) == 10 and float(pw.weight_mw.sum()) == 201.5
    for name in ("x", "y", "offtake_mw", "feedin_mw", "weight_mw"):
        assert np.array_equal(getattr(pw, name), pts[name].to_numpy()), name


def test_point_weights_in_layer_order_and_the_order_that_sorts_them(region):
    from energieplanologie.hotspots import point_weights, point_weights_in_layer_order

    pw, order = point_weights_in_layer_order(region, "verwacht", 2030)
    dev = region.developments
    # The ten developments of 2030 (E comes in 2035), in the layer's own order.
    taking_part = dev.loc[dev["year"] <= 2030]
    assert np.array_equal(pw.x, taking_part.geometry.x.to_numpy()) and float(pw.weight_mw.sum()) == 201.5
    sorted_pw = point_weights(region, "verwacht", 2030)
    for name in ("x", "y", "offtake_mw", "feedin_mw", "weight_mw"):
        assert np.array_equal(getattr(pw, name)[order], getattr(sorted_pw, name)), name


def test_allocation_given_by_position_or_by_id_gives_the_same_stations(region):
    # The pipeline hands over allocate_region(region): its index holds the developments' row positions, so the
    # stations are joined by position. The same rows shuffled and renumbered are joined by development_id.
    from energieplanologie.allocation import allocate_region
    from energieplanologie.hotspots import _aligned_rows

    allocation = allocate_region(region)
    assert _aligned_rows(allocation, region.developments) is not None
    shuffled = allocation.iloc[::-1].reset_index(drop=True)
    assert _aligned_rows(shuffled, region.developments) is None
    inside = detect_hotspots(region, year=2030, include_infrastructure=False).hotspots  # allocates itself
    by_position = detect_hotspots(region, year=2030, include_infrastructure=False, allocation=allocation).hotspots
    by_id = detect_hotspots(region, year=2030, include_infrastructure=False, allocation=shuffled).hotspots
    assert_geodataframe_equal(by_position, inside)
    assert_geodataframe_equal(by_id, inside)
    # A: Noordhaven (HS1); B: Oostwijk (MS2); C: Zuidpoort (EHS1) — see the drawing at the top.
    assert set(inside["station_ids"]) == {"HS1", "MS2", "EHS1"}


def test_member_keys_sort_by_label_then_key_by_code_point():
    from energieplanologie.hotspots import _member_keys

    is_dev = np.array([True, False, True, True, True])
    ids = np.array(["z1", "P1", "é1", "Z1", "a1"], dtype=object)
    labels = np.array([1, 0, 0, 1, 0])
    keys, order = _member_keys(is_dev, ids, labels)
    # label 0: "development:a1" < "development:é1" (é is U+00E9, after every ASCII letter) < "infrastructure:P1";
    # label 1: "development:Z1" < "development:z1" (upper case first, as Python compares)
    assert keys.to_pylist() == ["development:a1", "development:é1", "infrastructure:P1", "development:Z1",
                                "development:z1"]
    assert order.tolist() == [4, 2, 1, 3, 0]
    # numeric ids are written as str() writes them, and sort as text ("10" < "9")
    keys, order = _member_keys(np.ones(3, dtype=bool), np.array([9, 10, 7], dtype=object), np.zeros(3, dtype=np.int64))
    assert keys.to_pylist() == ["development:10", "development:7", "development:9"] and order.tolist() == [1, 2, 0]
    # ids as Arrow text (as the layers read with pyogrio hold them) give the same keys as the same ids as objects
    arrow = pa.chunked_array([pa.array(["z1", "P1"], pa.large_string()),
                              pa.array(["é1", "Z1", "a1"], pa.large_string())])
    keys, order = _member_keys(is_dev, arrow, labels)
    assert keys.to_pylist() == ["development:a1", "development:é1", "infrastructure:P1", "development:Z1",
                                "development:z1"]
    assert order.tolist() == [4, 2, 1, 3, 0]


def test_hotspot_ids_hash_each_groups_keys_one_per_line():
    import hashlib

    from energieplanologie.hotspots import _hotspot_ids, _member_keys

    # Two hotspots: label 0 holds a1 and é1 (UTF-8: two bytes for é), label 1 holds P1 alone.
    is_dev = np.array([True, False, True])
    keys, order = _member_keys(is_dev, np.array(["é1", "P1", "a1"], dtype=object), np.array([0, 1, 0]))
    ids = _hotspot_ids(keys, np.array([0, 2]))
    expected = ["KP-" + hashlib.sha1("development:a1\ndevelopment:é1".encode()).hexdigest()[:8],
                "KP-" + hashlib.sha1(b"infrastructure:P1").hexdigest()[:8]]
    assert ids.tolist() == expected and order.tolist() == [2, 0, 1]


def test_hand_drawn_hotspot_id_is_the_sha1_of_its_member_keys(region):
    import hashlib

    result = detect_hotspots(region, year=2030, include_infrastructure=False)
    a = _by_member(result, "A1")
    assert a.name == "KP-" + hashlib.sha1(b"development:A1\ndevelopment:A2\ndevelopment:A3").hexdigest()[:8]
    # The table's text columns have the dtype pandas infers for text; member ids stay Python objects.
    text = pd.Series(["x"]).dtype
    assert all(result.hotspots[c].dtype == text for c in ("hotspot_id", "name", "level_reason", "sectors"))
    assert result.members["member_id"].dtype == object and result.members["member_kind"].dtype == text


def test_level_rules_file_is_read_again_when_it_changes(tmp_path):
    rules = tmp_path / "levels.toml"
    rules.write_text("[provincial]\nmin_total_mw = 40\n", encoding="utf-8")
    assert load_level_rules(path=rules)["provincial"]["min_total_mw"] == 40.0
    # A second call with another override: the parsed file is reused, the override applies to this call only.
    assert load_level_rules({"provincial": {"min_total_mw": 5}}, path=rules)["provincial"]["min_total_mw"] == 5.0
    assert load_level_rules(path=rules)["provincial"]["min_total_mw"] == 40.0
    rules.write_text("[provincial]\nmin_total_mw = 45.5\nstation_levels = ['HS']\n", encoding="utf-8")
    changed = load_level_rules(path=rules)["provincial"]
    assert changed["min_total_mw"] == 45.5 and changed["station_levels"] == ["HS"]
    changed["station_levels"].append("TS")  # a caller changing its copy changes nothing for the next caller
    assert load_level_rules(path=rules)["provincial"]["station_levels"] == ["HS"]


def test_inside_octagon_by_hand():
    from energieplanologie.hotspots import _inside_octagon

    # Group 0: the corners of a 2 × 2 square, its centre, a point on its bottom edge and one just inside that edge;
    # group 1: three points on a line; group 2: one place twice.
    x = np.array([0.0, 2.0, 2.0, 0.0, 1.0, 1.0, 1.0, 5.0, 6.0, 7.0, 9.0, 9.0])
    y = np.array([0.0, 0.0, 2.0, 2.0, 1.0, 0.0, 1e-6, 5.0, 6.0, 7.0, 9.0, 9.0])
    inside = _inside_octagon(x, y, np.array([0, 7, 10]))
    assert inside.tolist() == [False, False, False, False, True, False, True] + [False] * 5


def test_hull_of_the_points_off_the_octagon_is_the_hull_of_all():
    # What _describe relies on: GEOS's convex hull (the exact polygon, vertex order included) depends only on the
    # points that can lie on its boundary. Grids with many collinear and repeated points, lines, circles.
    import shapely

    from energieplanologie.hotspots import _inside_octagon

    rng = np.random.default_rng(7)
    for trial in range(200):
        sizes = rng.integers(1, 80, size=8)
        parts = []
        for s in sizes:
            kind = trial % 4
            if kind == 0:  # a small integer grid: duplicates, collinear edges
                parts.append(rng.integers(0, 5, (s, 2)).astype(float) + [155_000, 463_000])
            elif kind == 1:  # one line
                t = rng.integers(0, 9, s)[:, None].astype(float)
                parts.append([155_000.0, 463_000.0] + t * [3.0, 7.0])
            elif kind == 2:  # a cloud in RD coordinates, rounded to decimetres
                parts.append(np.round(rng.normal([155_000.1, 463_000.7], 3.0, (s, 2)), 1))
            else:  # on a circle
                a = rng.uniform(0, 2 * np.pi, s)
                parts.append(np.column_stack([155_000 + 1_000 * np.cos(a), 463_000 + 1_000 * np.sin(a)]))
        xy = np.concatenate(parts)
        group = np.repeat(np.arange(sizes.size), sizes)
        inside = _inside_octagon(xy[:, 0], xy[:, 1], np.cumsum(sizes) - sizes)
        points = shapely.points(xy)
        every = shapely.convex_hull(shapely.geometrycollections(points, indices=group))
        kept = shapely.convex_hull(shapely.geometrycollections(points[~inside], indices=group[~inside]))
        assert shapely.to_wkb(kept).tolist() == shapely.to_wkb(every).tolist()
        if kind == 2:
            assert inside.sum() > xy.shape[0] // 2  # the test leaves most points out


def test_hotspot_polygon_is_the_buffered_hull_of_every_member_geometry():
    # Polygon developments take part with a point on their surface but reach beyond it: the hull is of the whole
    # geometries (a polygon inside the points' octagon still counts).
    import shapely

    from energieplanologie.synthetic import synthetic_region

    region = synthetic_region(3_000, seed=1)
    dev = region.developments
    result = detect_hotspots(region, eps_m=1_000, min_mw=20)
    members = result.members
    geometry = dict(zip(dev["development_id"], dev.geometry.values, strict=True))
    geometry.update(zip(region.infrastructure["project_id"], region.infrastructure.geometry.values, strict=True))
    with_polygon = 0
    for hotspot_id, polygon in zip(result.hotspots["hotspot_id"], result.hotspots.geometry.values, strict=True):
        geoms = [geometry[i] for i in members.loc[members["hotspot_id"] == hotspot_id, "member_id"]]
        with_polygon += any(g.geom_type != "Point" for g in geoms)
        expected = shapely.buffer(shapely.convex_hull(shapely.GeometryCollection(geoms)), 250.0, quad_segs=8)
        assert shapely.equals_exact(polygon, expected, tolerance=0)
    assert with_polygon > 0


def test_arrow_member_ids_in_member_order():
    from types import SimpleNamespace

    from energieplanologie.hotspots import _arrow_member_ids

    # Arrow text ids for the developments (as pyogrio reads them), object ids for the infrastructure.
    developments = pd.DataFrame({"development_id": pd.array(["d0", "d1", "d2"], dtype="string[pyarrow]")})
    infrastructure = pd.DataFrame({"project_id": np.array(["p0", "p1"], dtype=object)})
    region = SimpleNamespace(developments=developments, infrastructure=infrastructure)
    src, is_dev = np.array([2, 1, 0, 0]), np.array([True, False, False, True])
    assert _arrow_member_ids(region, src, is_dev).to_pylist() == ["d2", "p1", "p0", "d0"]
    # a missing id, or ids that are not text: None (the caller takes the object ids)
    developments.loc[0, "development_id"] = None
    assert _arrow_member_ids(region, src, is_dev) is None
    developments.loc[0, "development_id"] = "d0"
    region.infrastructure = pd.DataFrame({"project_id": np.array([7, 8], dtype=object)})
    assert _arrow_member_ids(region, src, is_dev) is None
