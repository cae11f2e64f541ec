"""Flex options in the balance: storage, conversion, non-firm agreements and cable pooling (energieplanologie.flex).

The central test is a region computed by hand (below, in comments): three electricity stations and one hydrogen
connection point, delivered as real files with Dutch headers, checked row by row in two scenarios, and the
shortage windows (``flexbehoefte``) derived from them. Property tests (hypothesis) check that adding storage or a
non-firm conversion asset never raises a shortage at an electricity station and that MW is conserved.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from energieplanologie import EnergieplanologieError
from energieplanologie.balance import BALANCE_COLUMNS, station_balance
from energieplanologie.flex import (
    FLEX_BALANCE_COLUMNS,
    FLEX_NEED_COLUMNS,
    flex_assets,
    flex_need,
    flex_parameters,
)
from energieplanologie.io import read_layer, write_csv
from energieplanologie.region import Region
from energieplanologie.scenarios import get_scenario

CRS = "EPSG:28992"

# ---------------------------------------------------------------------------------------------------------------
# The hand case. Years 2025, 2030, 2035; scenarios verwacht (committed 1, planned 1, intended 0.5) and maximaal
# (all 1); no simultaneity factors; amber margin 0.1. Every development has an explicit station_id.
#
# Stations: X HS electricity (100 000, 400 000)  capacity offtake 40 / baseline 20, feed-in 50 / baseline 10
#           Y HS electricity (120 000, 400 000)  offtake 100 / 40, feed-in 100 / 0
#           Z MS electricity (140 000, 400 000)  offtake 10 / 0,  feed-in 30 / 0
#           H hydrogen       (102 000, 401 000)  offtake 50 / 0,  feed-in 10 / 0   (the nearest hydrogen point to X)
#
# Infrastructure:
#   B1 battery at X, vermogen 15 MW, 30 MWh (2 hours at full power), ready 2030
#   E1 electrolyser at X, vermogen 20 MW, vast = nee (non-firm), no rendement → default 0.65, ready 2035
#   G1 station_expansion at Y, +50 MW offtake, ready 2035
# Developments:
#   i1 industry    committed 2025 at X: offtake 25
#   s1 renewables  planned   2025 at X: feed-in 60
#   w1 renewables  committed 2030 at X: feed-in 30
#   dc1 data_centre committed 2030 at Y: offtake 120, aandeel_niet_vast 0.4
#   dc2 data_centre committed 2035 at Y: offtake 10 (no share: the scenario's default, 0 in both)
#   h1 housing     intended  2035 at Y: offtake 20
#   k1 renewables  intended  2025 at Z: feed-in 20, kabelpool KP, aansluiting 25 MW
#   k2 renewables  intended  2030 at Z: feed-in 25, kabelpool KP, aansluiting 25 MW
#   s3 renewables  planned   2035 at Z: feed-in 10 (not pooled)
#
# X offtake (both scenarios): before flex 20 + i1 25 = 45 in every year. Battery from 2030: min(15, 45) = 15.
#   The non-firm electrolyser adds nothing to offtake. After: 45, 30, 30 of 40 → shortage 5 in 2025 only;
#   2030/2035 headroom 10 ≥ 4 green. Window 2025–2025, max 5, ended by B1 (ready 2030, flex).
# X feed-in: before 10 + s1 60 = 70 (2025), + w1 30 = 100 (2030, 2035). Battery 0, 15, 15; then the electrolyser
#   (2035) min(20, 100 − 15) = 20. After: 70, 85, 65 of 50 → shortage 20, 35, 15. Window 2025–2035, max 35,
#   nothing ends it.
# Y offtake: before 40 (2025); 40 + dc1 120 = 160 (2030); verwacht 2035: 160 + dc2 10 + h1 20×0.5 = 180,
#   maximaal 160 + 10 + 20 = 190. Non-firm 120 × 0.4 = 48 from 2030. After: 40, 112, 132 (maximaal 142).
#   Capacity 100, 100, 150 (G1): 2030 shortage 12; 2035 headroom 18 ≥ 15 green (maximaal 8 < 15 amber).
#   Window 2030–2030, max 12, ended by G1 (grid).
# Z feed-in, verwacht (the pool's weight is its members' intended 0.5): members 20×0.5 = 10 (2025), 10 + 25×0.5 =
#   22.5 (2030, 2035); pool counts min(Σ, 25 × 0.5 = 12.5) → cable pooling 0, 10, 10. s3 from 2035: 10.
#   Before flex 10, 22.5, 32.5; after 10, 12.5, 22.5 of 30 → no shortage (2.5 MW short without the pool).
# Z feed-in, maximaal: members 20, 45, 45; cap 25 → pooling 0, 20, 20; before 20, 45, 55; after 20, 25, 35 → 2035
#   shortage 5: window 2035–2035, max 5, nothing ends it.
# H feed-in: E1 supplies 20 × 0.65 = 13 MW of hydrogen from 2035 (conversion load) → 13 of 10: shortage 3 in 2035,
#   window 2035–2035, max 3.
# ---------------------------------------------------------------------------------------------------------------

# (station, scenario, year, direction): (load before flex, non-firm, pooling, battery, conversion relief,
#                                        conversion load, load after, shortage, status)
EXPECTED = {
    ("X", "verwacht", 2025, "offtake"): (45, 0, 0, 0, 0, 0, 45, 5, "red"),
    ("X", "verwacht", 2030, "offtake"): (45, 0, 0, 15, 0, 0, 30, 0, "green"),
    ("X", "verwacht", 2035, "offtake"): (45, 0, 0, 15, 0, 0, 30, 0, "green"),
    ("X", "verwacht", 2025, "feedin"): (70, 0, 0, 0, 0, 0, 70, 20, "red"),
    ("X", "verwacht", 2030, "feedin"): (100, 0, 0, 15, 0, 0, 85, 35, "red"),
    ("X", "verwacht", 2035, "feedin"): (100, 0, 0, 15, 20, 0, 65, 15, "red"),
    ("Y", "verwacht", 2025, "offtake"): (40, 0, 0, 0, 0, 0, 40, 0, "green"),
    ("Y", "verwacht", 2030, "offtake"): (160, 48, 0, 0, 0, 0, 112, 12, "red"),
    ("Y", "verwacht", 2035, "offtake"): (180, 48, 0, 0, 0, 0, 132, 0, "green"),
    ("Y", "maximaal", 2035, "offtake"): (190, 48, 0, 0, 0, 0, 142, 0, "amber"),
    ("Z", "verwacht", 2025, "feedin"): (10, 0, 0, 0, 0, 0, 10, 0, "green"),
    ("Z", "verwacht", 2030, "feedin"): (22.5, 0, 10, 0, 0, 0, 12.5, 0, "green"),
    ("Z", "verwacht", 2035, "feedin"): (32.5, 0, 10, 0, 0, 0, 22.5, 0, "green"),
    ("Z", "maximaal", 2030, "feedin"): (45, 0, 20, 0, 0, 0, 25, 0, "green"),
    ("Z", "maximaal", 2035, "feedin"): (55, 0, 20, 0, 0, 0, 35, 5, "red"),
    ("H", "verwacht", 2030, "feedin"): (0, 0, 0, 0, 0, 0, 0, 0, "green"),
    ("H", "verwacht", 2035, "feedin"): (0, 0, 0, 0, 0, 13, 13, 3, "red"),
}

# Shortage windows (flexbehoefte): (scenario, station, direction) → (from, to, max shortage, resolved by, kind)
WINDOWS = {
    ("verwacht", "H", "feedin"): (2035, 2035, 3, "", ""),
    ("verwacht", "X", "offtake"): (2025, 2025, 5, "B1", "flex"),
    ("verwacht", "X", "feedin"): (2025, 2035, 35, "", ""),
    ("verwacht", "Y", "offtake"): (2030, 2030, 12, "G1", "grid"),
    ("maximaal", "H", "feedin"): (2035, 2035, 3, "", ""),
    ("maximaal", "X", "offtake"): (2025, 2025, 5, "B1", "flex"),
    ("maximaal", "X", "feedin"): (2025, 2035, 35, "", ""),
    ("maximaal", "Y", "offtake"): (2030, 2030, 12, "G1", "grid"),
    ("maximaal", "Z", "feedin"): (2035, 2035, 5, "", ""),
}


def _frames() -> dict[str, pd.DataFrame]:
    mun = gpd.GeoDataFrame({"municipality_code": ["GM0001"], "name": ["Testgemeente"]},
                           geometry=[box(90_000, 390_000, 150_000, 410_000)], crs=CRS)
    stations = gpd.GeoDataFrame(
        {"station_id": ["X", "Y", "Z", "H"], "name": ["Xanten", "Yerseke", "Zierikzee", "Waterstofpunt"],
         "level": ["HS", "HS", "MS", None], "carrier": ["electricity"] * 3 + ["hydrogen"]},
        geometry=[Point(100_000, 400_000), Point(120_000, 400_000), Point(140_000, 400_000),
                  Point(102_000, 401_000)], crs=CRS)
    capacity = pd.DataFrame({
        "station_id": ["X", "Y", "Z", "H"], "year": [2025] * 4,
        "offtake_capacity_mw": [40.0, 100, 10, 50], "offtake_load_mw": [20.0, 40, 0, 0],
        "feedin_capacity_mw": [50.0, 100, 30, 10], "feedin_load_mw": [10.0, 0, 0, 0]})
    # Dutch headers, as a province delivers them.
    infrastructure = gpd.GeoDataFrame({
        "project_id": ["B1", "E1", "G1"], "naam": ["Batterij Xanten", "Elektrolyser Xanten", "Uitbreiding Yerseke"],
        "type_infra": ["batterij", "elektrolyser", "stationsuitbreiding"], "jaar_gereed": [2030, 2035, 2035],
        "station_id": ["X", "X", "Y"], "extra_capaciteit_afname_mw": [0.0, 0.0, 50.0],
        "vermogen_mw": [15.0, 20.0, None], "energie_mwh": [30.0, None, None], "vast": [None, "nee", None],
        "rendement": [None, None, None]},
        geometry=[Point(100_100, 400_000), Point(100_200, 400_000), Point(120_000, 400_100)], crs=CRS)
    developments = gpd.GeoDataFrame({
        "id": ["i1", "s1", "w1", "dc1", "dc2", "h1", "k1", "k2", "s3"],
        "naam": [f"ontwikkeling {i}" for i in range(1, 10)],
        "sector": ["industrie", "opwek", "opwek", "datacenter", "datacenter", "woningbouw", "opwek", "opwek",
                   "opwek"],
        "zekerheid": ["vergund", "vastgesteld", "vergund", "vergund", "vergund", "voornemen", "voornemen",
                      "voornemen", "vastgesteld"],
        "jaar": [2025, 2025, 2030, 2030, 2035, 2035, 2025, 2030, 2035],
        "afname_mw": [25.0, 0, 0, 120, 10, 20, 0, 0, 0],
        "invoeding_mw": [0.0, 60, 30, 0, 0, 0, 20, 25, 10],
        "station_id": ["X", "X", "X", "Y", "Y", "Y", "Z", "Z", "Z"],
        "aandeel_niet_vast": [None, None, None, 0.4, None, None, None, None, None],
        "kabelpool_id": [None] * 6 + ["KP", "KP", None],
        "kabelpool_aansluiting_mw": [None] * 6 + [25.0, 25.0, None]},
        geometry=[Point(100_500, 400_000)] * 3 + [Point(120_500, 400_000)] * 3 + [Point(140_500, 400_000)] * 3,
        crs=CRS)
    return {"municipalities": mun, "stations": stations, "station_capacity": capacity,
            "infrastructure": infrastructure, "developments": developments}


@pytest.fixture(scope="module")
def flex_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("flex")
    frames = _frames()
    for kind in ("municipalities", "stations", "infrastructure", "developments"):
        frames[kind].to_file(out / f"{kind}.gpkg", layer=kind, engine="pyogrio")
    frames["station_capacity"].to_csv(out / "capaciteit.csv", index=False)
    return out


def _region(flex_dir, **overrides) -> Region:
    layers = {kind: read_layer(flex_dir / f"{kind}.gpkg", kind).data
              for kind in ("municipalities", "stations", "infrastructure", "developments")}
    layers.update(overrides)
    capacity = read_layer(flex_dir / "capaciteit.csv", "station_capacity").data
    region = Region.from_layers(name="flexgeval", station_capacity=capacity, years=(2025, 2030, 2035), **layers)
    assert region.ok, region.validation_text()
    return region


@pytest.fixture(scope="module")
def flex_region(flex_dir) -> Region:
    return _region(flex_dir)


@pytest.fixture(scope="module")
def flex_balance(flex_region) -> pd.DataFrame:
    return station_balance(flex_region, ["verwacht", "maximaal"])


def test_dutch_headers_read_as_flex_columns(flex_dir):
    infra = read_layer(flex_dir / "infrastructure.gpkg", "infrastructure")
    data = infra.data.set_index("project_id")
    assert data.loc["B1", "power_mw"] == 15 and data.loc["B1", "energy_mwh"] == 30
    assert data.loc["E1", "firm"] == "false" and data.loc["E1", "infra_type"] == "electrolyser"
    dev = read_layer(flex_dir / "developments.gpkg", "developments").data.set_index("development_id")
    assert dev.loc["dc1", "non_firm_share"] == 0.4
    assert dev.loc["k1", "pool_id"] == "KP" and dev.loc["k2", "pool_connection_mw"] == 25


def test_hand_case_every_row(flex_balance):
    assert list(flex_balance.columns) == list(BALANCE_COLUMNS)
    rows = flex_balance.set_index(["station_id", "scenario", "year", "direction"])
    names = ("load_before_flex_mw", "non_firm_mw", "cable_pooling_mw", "flex_battery_mw", "flex_conversion_mw",
             "conversion_load_mw", "load_mw", "shortage_mw")
    for key, (*numbers, status) in EXPECTED.items():
        row = rows.loc[key]
        for name, value in zip(names, numbers, strict=True):
            assert row[name] == pytest.approx(value), (key, name)
        assert row["status"] == status, key
        assert row["headroom_mw"] == pytest.approx(row["capacity_mw"] - row["load_mw"]), key
    # The development load (and its sector split) stays before flex: dc1's 120 MW count whole there.
    assert rows.loc[("Y", "verwacht", 2030, "offtake"), "development_load_mw"] == pytest.approx(120)
    assert rows.loc[("Y", "verwacht", 2030, "offtake"), "mw_data_centre"] == pytest.approx(120)


def test_hand_case_windows(flex_balance, flex_region):
    need = flex_need(flex_balance, flex_region)
    assert list(need.columns) == list(FLEX_NEED_COLUMNS)
    got = {(r.scenario, r.station_id, r.direction): (r.from_year, r.to_year, r.max_shortage_mw, r.resolved_by,
                                                     r.resolved_kind) for r in need.itertuples()}
    assert set(got) == set(WINDOWS)
    for key, (first, last, mw, by, kind) in WINDOWS.items():
        assert got[key][:2] == (first, last), key
        assert got[key][2] == pytest.approx(mw), key
        assert got[key][3:] == (by, kind), key
    # Sorted by scenario (balance order), station, offtake before feed-in.
    assert need["scenario"].tolist()[:4] == ["verwacht"] * 4
    assert need.loc[need["station_id"] == "X", "direction"].tolist()[:2] == ["offtake", "feedin"]


def test_flexbehoefte_csv_dutch(flex_balance, flex_region, tmp_path):
    path = write_csv(flex_need(flex_balance, flex_region), tmp_path / "flexbehoefte.csv")
    back = pd.read_csv(path, sep=None, engine="python", dtype=str)
    for column in ("station_id", "richting", "scenario", "van_jaar", "tot_jaar", "max_tekort_mw", "opgelost_door"):
        assert column in back.columns
    row = back[(back["station_id"] == "Y") & (back["scenario"] == "verwacht")].iloc[0]
    assert row["richting"] == "afname" and row["opgelost_door"] == "G1" and row["soort_oplossing"] == "net"


def test_assets_table(flex_region):
    assets = flex_assets(flex_region).set_index("project_id")
    assert assets.loc["B1", "hours_at_full_power"] == 2.0  # 30 MWh / 15 MW
    assert assets.loc["B1", "relieves"] == "both"
    e1 = assets.loc["E1"]
    assert e1["efficiency"] == flex_parameters()["electrolyser"]["efficiency"] == 0.65
    assert (e1["relieves"], e1["other_carrier"], e1["other_station_id"], e1["other_direction"]) == \
        ("feedin", "hydrogen", "H", "feedin")
    assert e1["other_mw"] == pytest.approx(13.0)  # 20 × 0.65


def test_firm_electrolyser_also_loads_offtake(flex_dir):
    # E1 firm: X offtake 2035 = 45 before flex + 20 (firm conversion) = 65; battery 15 → 50 of 40: shortage 10.
    infra = read_layer(flex_dir / "infrastructure.gpkg", "infrastructure").data
    infra.loc[infra["project_id"] == "E1", "firm"] = "true"
    bal = station_balance(_region(flex_dir, infrastructure=infra), "verwacht")
    row = bal.set_index(["station_id", "year", "direction"]).loc[("X", 2035, "offtake")]
    assert (row["conversion_load_mw"], row["flex_battery_mw"], row["load_mw"], row["shortage_mw"]) == \
        pytest.approx((20, 15, 50, 10))


def test_gas_to_power_mirrors_conversion(flex_dir):
    # A non-firm hydrogen turbine of 10 MW (rendement 0.5) at Y, ready 2030: Y offtake 2030 = 160 − 48 non-firm
    # − 10 = 102 (shortage 2); it burns 10 / 0.5 = 20 MW of hydrogen: offtake at H (the only hydrogen point).
    infra = read_layer(flex_dir / "infrastructure.gpkg", "infrastructure").data
    extra = gpd.GeoDataFrame({"project_id": ["T1"], "name": ["Waterstofturbine"], "infra_type": ["gas_to_power"],
                              "carrier": ["hydrogen"], "year_ready": [2030], "station_id": ["Y"], "power_mw": [10.0],
                              "efficiency": [0.5]}, geometry=[Point(120_000, 400_200)], crs=CRS)
    infra = pd.concat([infra.drop(columns="source_row"), extra], ignore_index=True)
    bal = station_balance(_region(flex_dir, infrastructure=infra), "verwacht")
    rows = bal.set_index(["station_id", "year", "direction"])
    assert rows.loc[("Y", 2030, "offtake"), "flex_conversion_mw"] == pytest.approx(10)
    assert rows.loc[("Y", 2030, "offtake"), "shortage_mw"] == pytest.approx(2)
    assert rows.loc[("Y", 2030, "feedin"), "conversion_load_mw"] == 0  # non-firm: no feed-in added
    assert rows.loc[("H", 2030, "offtake"), "conversion_load_mw"] == pytest.approx(20)


def test_scenario_default_non_firm_share(flex_dir):
    # Scenario 'flexibel' = verwacht weights with non_firm_share data_centre 0.5: dc1 keeps its own 0.4 (48 MW),
    # dc2 (no share) takes 0.5: 5 of its 10 MW. Y offtake 2035: before 180, non-firm 53, after 127.
    scenarios = {"flexibel": {"weights": {"committed": 1, "planned": 1, "intended": 0.5, "speculative": 0.25},
                              "non_firm_share": {"datacenter": 0.5}}}
    region = _region(flex_dir)
    row = station_balance(region, "flexibel", scenarios=scenarios).set_index(["station_id", "year", "direction"]).loc[("Y", 2035, "offtake")]
    assert (row["load_before_flex_mw"], row["non_firm_mw"], row["load_mw"]) == pytest.approx((180, 53, 127))
    assert get_scenario("flexibel", extra=scenarios).non_firm_share["data_centre"] == 0.5


def test_mixed_pool_is_an_error_naming_it(flex_dir):
    dev = read_layer(flex_dir / "developments.gpkg", "developments").data
    dev.loc[dev["development_id"] == "k2", "certainty"] = "planned"
    with pytest.raises(EnergieplanologieError, match=r"kabelpool 'KP' \(k1, k2\).*verschillende zekerheid"):
        station_balance(_region(flex_dir, developments=dev), "verwacht")
    dev = read_layer(flex_dir / "developments.gpkg", "developments").data
    dev.loc[dev["development_id"] == "k2", "pool_connection_mw"] = 30.0
    with pytest.raises(EnergieplanologieError, match="kabelpool 'KP'.*verschilt"):
        station_balance(_region(flex_dir, developments=dev), "verwacht")


def test_validation_reports_flex_rows_and_unknown_columns(flex_dir):
    frame = gpd.read_file(flex_dir / "infrastructure.gpkg", engine="pyogrio")
    frame["extra_capaciteit_invoeding_mw"] = [5.0, 0.0, 0.0]  # B1 has both: reported, both count
    frame["vermogen_mw"] = [15.0, 20.0, 7.0]  # G1 is no flex asset: its power is reported, not counted
    frame["eigen_opmerking"] = "x"  # an extra column: kept and noted
    frame["energie_mhw"] = 1.0  # a typo of energie_mwh: kept and warned about, naming the column it resembles
    path = flex_dir / "infra_fouten.gpkg"
    frame.to_file(path, layer="infrastructure", engine="pyogrio")
    result = read_layer(path, "infrastructure")
    codes = {w.code: w for w in result.report.warnings}
    assert codes["power_and_capacity_added"].rows == [0]
    assert codes["power_not_flex"].rows == [2]
    assert "energie_mhw (lijkt op energy_mwh)" in codes["unknown_columns"].message
    assert "eigen_opmerking" not in codes["unknown_columns"].message
    notes = [n for n in result.report.notes if n.code == "unknown_columns"]
    assert len(notes) == 1 and "eigen_opmerking" in notes[0].message  # once per layer
    assert {"eigen_opmerking", "energie_mhw"} <= set(result.data.columns)  # kept, not silently dropped
    bad = frame.assign(rendement=[None, 1.5, None], vast=[None, "misschien", None])
    bad.to_file(path, layer="infrastructure", engine="pyogrio")
    errors = {(e.code, e.column) for e in read_layer(path, "infrastructure").report.errors}
    assert ("out_of_range", "efficiency") in errors and ("unknown_value", "firm") in errors


def test_no_flex_input_changes_nothing(flex_dir):
    # Without flex columns the balance equals the load before flex and every relief is 0.
    infra = read_layer(flex_dir / "infrastructure.gpkg", "infrastructure").data
    dev = read_layer(flex_dir / "developments.gpkg", "developments").data
    region = _region(flex_dir, infrastructure=infra[infra["project_id"] == "G1"].drop(columns=["power_mw"]),
                     developments=dev.drop(columns=["non_firm_share", "pool_id", "pool_connection_mw"]))
    bal = station_balance(region, ["verwacht", "maximaal"])
    assert (bal["load_mw"] == bal["load_before_flex_mw"]).all()
    for name in FLEX_BALANCE_COLUMNS[1:]:
        assert (bal[name] == 0).all(), name


# --------------------------------------------------------------------------------------------------- properties


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["battery", "electrolyser", "e_boiler", "gas_to_power"]),
       station=st.sampled_from(["X", "Y", "Z"]), power=st.floats(0.5, 200), year=st.sampled_from([2025, 2030, 2035]))
def test_adding_flex_never_raises_a_shortage(flex_region, flex_balance, kind, station, power, year):
    infra = flex_region.infrastructure
    extra = gpd.GeoDataFrame({"project_id": ["NEW"], "name": ["Nieuw flexmiddel"], "infra_type": [kind],
                              "year_ready": [year], "station_id": [station], "power_mw": [power],
                              "firm": ["false"]}, geometry=[Point(110_000, 400_000)], crs=CRS)
    region = Region.from_layers(
        name="flexgeval", municipalities=flex_region.municipalities, stations=flex_region.stations,
        station_capacity=flex_region.station_capacity, developments=flex_region.developments,
        infrastructure=pd.concat([infra.drop(columns="source_row"), extra], ignore_index=True),
        years=flex_region.years)
    after = station_balance(region, ["verwacht", "maximaal"])
    electricity = (after["carrier"] == "electricity").to_numpy()
    # Storage and non-firm conversion never raise an electricity station's shortage (the output carrier's station
    # gains feed-in or offtake by design, rule 4).
    before_short = flex_balance["shortage_mw"].to_numpy()[electricity]
    assert (after["shortage_mw"].to_numpy()[electricity] <= before_short + 1e-9).all()
    # MW conserved: before flex + conversion load − Σ relief = load after flex, and no load below zero.
    relief = after[["non_firm_mw", "cable_pooling_mw", "flex_battery_mw", "flex_conversion_mw"]].sum(axis=1)
    assert np.allclose(after["load_before_flex_mw"] + after["conversion_load_mw"] - relief, after["load_mw"])
    assert (after["load_mw"] >= 0).all() and (after[list(FLEX_BALANCE_COLUMNS)] >= 0).all().all()
    if kind in ("electrolyser", "e_boiler"):
        p = flex_parameters()[kind]
        carrier_station = "H" if p["to"] == "hydrogen" else None
        if carrier_station:  # the output lands at the hydrogen point as feed-in: power × efficiency
            row = after[(after["station_id"] == "H") & (after["direction"] == "feedin") & (after["year"] >= year)
                        & (after["scenario"] == "verwacht")]
            assert np.allclose(row["conversion_load_mw"], 13.0 * (row["year"] >= 2035) + power * p["efficiency"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shares=st.lists(st.floats(0, 1), min_size=9, max_size=9), connection=st.floats(0, 100))
def test_non_firm_and_pooling_conserve_mw(flex_region, shares, connection):
    dev = flex_region.developments.copy()
    dev["non_firm_share"] = shares
    dev["pool_connection_mw"] = np.where(dev["pool_id"].notna(), connection, np.nan)
    region = Region.from_layers(
        name="flexgeval", municipalities=flex_region.municipalities, stations=flex_region.stations,
        station_capacity=flex_region.station_capacity, infrastructure=flex_region.infrastructure,
        developments=dev.drop(columns="source_row"), years=flex_region.years)
    bal = station_balance(region, "maximaal")
    # Non-firm MW is exactly Σ MW × share of the developments counted so far (maximaal: every weight 1).
    for (sid, year, d), row in bal.set_index(["station_id", "year", "direction"]).iterrows():
        mine = dev[(dev["station_id"] == sid) & (dev["year"] <= year)]
        mw = mine["offtake_mw" if d == "offtake" else "feedin_mw"]
        assert row["non_firm_mw"] == pytest.approx((mw * mine["non_firm_share"]).sum(), abs=1e-9)
        firm_pool = (mw * (1 - mine["non_firm_share"]))[mine["pool_id"].notna()].sum()
        assert row["cable_pooling_mw"] == pytest.approx(max(firm_pool - connection, 0.0), abs=1e-9)
    relief = bal[["non_firm_mw", "cable_pooling_mw", "flex_battery_mw", "flex_conversion_mw"]].sum(axis=1)
    assert np.allclose(bal["load_before_flex_mw"] + bal["conversion_load_mw"] - relief, bal["load_mw"])


def test_dask_engine_gives_the_same_flex(flex_region, flex_balance):
    # On the dask path only the non-firm and pooled developments are allocated in memory for rules 1–2.
    pytest.importorskip("dask_geopandas")
    got = station_balance(flex_region, ["verwacht", "maximaal"], engine="dask")
    for name in (*FLEX_BALANCE_COLUMNS, "load_mw", "shortage_mw"):
        assert np.allclose(got[name], flex_balance[name], equal_nan=True), name
    assert got["status"].tolist() == flex_balance["status"].tolist()


def test_criterion_d_names_the_windows_a_project_ends(flex_region, flex_balance):
    # Verwacht: B1 (ready 2030) ends X's offtake window 2025 (5 MW), G1 (2035) Y's offtake window 2030 (12 MW).
    # B1 itself is needed: without it X's feed-in in 2030 is 35 + 15 = 50 MW short (hoog, its first shortage
    # without it is 2025 ≤ 2030).
    from energieplanologie.assessment import score_projects

    balance = flex_balance[flex_balance["scenario"] == "verwacht"]
    result = score_projects(flex_region, balance=balance, scenario="verwacht", hotspots=[])
    d = result.scores[result.scores["criterion"] == "D"].set_index("project_id")
    assert "beëindigt het tekort afname op station Xanten (X) in 2025, dat tot dan alleen met 5,0 MW flex" \
        in d.loc["B1", "reason"]
    assert "beëindigt het tekort afname op station Yerseke (Y) in 2030, dat tot dan alleen met 12,0 MW flex" \
        in d.loc["G1", "reason"]
    assert d.loc["B1", "level"] == "hoog" and "max. 50,0 MW" in d.loc["B1", "reason"]
    assert "beëindigt" not in d.loc["E1", "reason"]
    evidence = result.evidence.set_index("project_id")
    assert evidence.loc["G1", "flex_bridged_mw"] == pytest.approx(12)


def test_variants_add_flex_assets_and_non_firm_shares(flex_region):
    # verwacht, per year 2025/2030/2035 (Σ shortage over stations and directions; Σ flex relief):
    # "zonder" (G1 only): X offtake 5, 5, 5; X feed-in 20, 50, 50 (100 − 50, no battery, no electrolyser);
    #   Y offtake 0, 12, 0 (dc1's own non-firm share still counts) → 25, 67, 55. Flex: Y non-firm 48 and Z pooling
    #   10 from 2030 → 0, 58, 58.
    # "met" (G1, B1, E1): the hand case → 5 + 20 = 25; 35 + 12 = 47; 15 + 3 (H) = 18. Flex: + battery 15 in both
    #   directions at X from 2030, + electrolyser 20 in 2035 → 0, 88, 108.
    # "nietvast" (G1, data centres 0.5 non-firm by default): dc1 keeps its 0.4; dc2 (2035, 10 MW) 5 MW non-firm →
    #   shortages as "zonder", flex 0, 58, 63.
    from energieplanologie.variants import Variant, compare_variants, load_variants

    variants = [Variant("zonder", ("G1",)), Variant("met", ("G1", "B1", "E1")),
                *load_variants({"nietvast": {"projects": ["G1"], "non_firm_share": {"datacenter": 0.5}}}).values()]
    got = compare_variants(flex_region, variants).set_index(["variant", "year"])
    expected = {"zonder": ([25, 67, 55], [0, 58, 58]), "met": ([25, 47, 18], [0, 88, 108]),
                "nietvast": ([25, 67, 55], [0, 58, 63])}
    for name, (shortage, flex) in expected.items():
        assert got.loc[name, "total_shortage_mw"].tolist() == pytest.approx(shortage), name
        assert got.loc[name, "total_flex_mw"].tolist() == pytest.approx(flex), name
    with pytest.raises(Exception, match="variants.x.non_firm_share"):
        load_variants({"x": {"projects": ["G1"], "non_firm_share": {"datacenter": 1.5}}})
