"""The capaciteitskaart reader on Netbeheer Nederland's own two example files, and on variations of them.

Expected numbers are read off the YAML files in ``tests/data/capaciteitskaart/`` (Apache-2.0, see LICENSE.md):

DSO example, area 'OS FICTIEF 20-3i': demand available 47, quoted 58, in queue 3 MW, 15 requests; generation
available 47, quoted 38, queue 0, 0 requests; no area-level constraint; two works (an end date 2026-01-10, and
year 2026 quarter 3) and three postcode areas. TSO example, area 'OS FICTIEF1': 470 / 580 / 30 / 150 for demand,
470 / 380 / 0 / 0 for generation, constraints amber and 'transparant'. Both carry ``issued: 2025-01-10`` and a
reversed ``valid`` interval (start 2025-12-21, end 2025-01-21), so the year is 2025 from ``valid.start``.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import yaml
from shapely import Point

from energieplanologie import ReadError
from energieplanologie.capaciteitskaart import from_document, is_capaciteitskaart, read_capaciteitskaart
from energieplanologie.io import read_layer
from energieplanologie.schema import CRS_RD

HERE = Path(__file__).parent / "data" / "capaciteitskaart"
DSO = HERE / "im_capaciteitskaart_dso-20250120.yaml"
TSO = HERE / "im_capaciteitskaart_tso-20250120.yaml"
STATION_POINT = Point(46343, 373002)  # Terneuzen, RD


def stations(short_code: str | None, station_id: str = "TNZ-150") -> gpd.GeoDataFrame:
    data = {"station_id": [station_id], "name": ["Terneuzen"]}
    if short_code is not None:
        data["short_code"] = [short_code]
    return gpd.GeoDataFrame(data, geometry=[STATION_POINT], crs=CRS_RD)


def accounted(report) -> bool:
    return report.rows_in == report.rows_kept + report.rows_rejected


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_dso_example_capacity():
    ck = read_capaciteitskaart(DSO)
    cap = ck.station_capacity
    assert len(cap) == 1
    row = cap.iloc[0]
    assert row["station_id"] == "OS FICTIEF 20-3i" and row["short_code"] == "OS FICTIEF 20-3i"
    assert row["year"] == 2025
    assert (row["offtake_capacity_mw"], row["offtake_load_mw"], row["queue_offtake_mw"],
            row["queue_offtake_requests"]) == (47, 58, 3, 15)
    assert (row["feedin_capacity_mw"], row["feedin_load_mw"], row["queue_feedin_mw"],
            row["queue_feedin_requests"]) == (47, 38, 0, 0)
    assert row["offtake_constraint"] is None and row["feedin_constraint"] is None
    report = ck.reports["station_capacity"]
    assert report.ok and accounted(report) and report.rows_in == 1
    assert report.codes("warning") == ["valid_interval_reversed"]
    assert "2025-12-21" in report.warnings[0].message


def test_dso_example_postcode_areas():
    pc = read_capaciteitskaart(DSO).postcode_areas
    assert pc["postcode"].tolist() == ["1234AC", "1234AD", "1234AE"]
    assert set(pc["substation_short_code"]) == {"OS FICTIEF1"}
    assert set(pc["short_code"]) == {"OS FICTIEF 20-3i"}
    assert pc["offtake_constraint"].tolist() == ["amber", "red", "yellow"]  # yellow is kept
    assert pc["feedin_constraint"].tolist() == ["transparent", "red", "transparent"]  # transparant → transparent


def test_dso_works_with_a_matching_station():
    ck = read_capaciteitskaart(DSO, stations=stations("OS FICTIEF 20-3i"))
    assert ck.station_capacity["station_id"].tolist() == ["TNZ-150"]
    infra, report = ck.infrastructure, ck.reports["infrastructure"]
    assert report.ok and accounted(report) and (report.rows_in, report.rows_kept) == (2, 2)
    assert infra["project_id"].tolist() == ["WO#_1234_Verzwaring_Pieterslaan", "WO#_4321_Vervanging_Transformator"]
    assert infra["name"].tolist() == infra["project_id"].tolist()  # no work_order_number: the project name
    assert infra["year_ready"].tolist() == [2026, 2026]  # end date 2026-01-10; year 2026 (Q3)
    assert infra["description"].tolist() == ["Uitbreiding netstation Pieterslaan",
                                             "Vervanging transformator (gereed: Q3 2026)"]
    assert set(infra["infra_type"]) == {"station_expansion"}
    assert set(infra["status"]) == {"investment_plan"}
    assert report.repairs[0].code == "status_assumed" and report.repairs[0].rows == [0, 1]
    assert set(infra["station_id"]) == {"TNZ-150"}
    assert all(g.equals(STATION_POINT) for g in infra.geometry)
    assert infra.crs == CRS_RD
    # The model carries no capacity a work adds: the schema default (0 MW) is filled and reported.
    assert infra["offtake_capacity_added_mw"].tolist() == [0.0, 0.0]
    assert "default_filled" in report.codes("repair")


def test_unknown_short_code_is_warned_and_kept():
    ck = read_capaciteitskaart(DSO, stations=stations("ANDERS"))
    cap_report = ck.reports["station_capacity"]
    assert ck.station_capacity["station_id"].tolist() == ["OS FICTIEF 20-3i"]  # kept, under its short code
    assert cap_report.rows_kept == 1 and cap_report.ok
    unknown = [w for w in cap_report.warnings if w.code == "unknown_short_code"]
    assert len(unknown) == 1 and unknown[0].rows == [0] and "OS FICTIEF 20-3i" in unknown[0].message
    # Works need a location: without a matching station they cannot be placed, and say why.
    inf_report = ck.reports["infrastructure"]
    assert inf_report.codes("error") == ["no_location", "no_location"]
    assert "'OS FICTIEF 20-3i' komt niet voor in de stationslaag" in inf_report.errors[0].message
    assert (inf_report.rows_in, inf_report.rows_kept, inf_report.rows_rejected) == (2, 0, 2)


def test_without_stations_works_are_rejected_with_a_reason():
    ck = read_capaciteitskaart(DSO)
    report = ck.reports["infrastructure"]
    assert report.codes("error") == ["no_location", "no_location"]
    assert "stations=" in report.errors[0].message
    assert len(ck.infrastructure) == 0 and "project_id" in ck.infrastructure.columns
    assert accounted(report)


def test_tso_example_matched_by_station_id():
    ck = read_capaciteitskaart(TSO, stations=stations(None, station_id="OS FICTIEF1"))
    row = ck.station_capacity.iloc[0]
    assert (row["offtake_capacity_mw"], row["offtake_load_mw"], row["queue_offtake_mw"],
            row["queue_offtake_requests"]) == (470, 580, 30, 150)
    assert (row["feedin_capacity_mw"], row["feedin_load_mw"], row["queue_feedin_mw"],
            row["queue_feedin_requests"]) == (470, 380, 0, 0)
    assert (row["offtake_constraint"], row["feedin_constraint"]) == ("amber", "transparent")
    normalised = [f for f in ck.reports["station_capacity"].notes if f.code == "enum_normalised"]
    assert "'transparant'→transparent" in normalised[0].message
    assert ck.infrastructure["year_ready"].tolist() == [2026, 2026]
    assert ck.infrastructure["station_id"].tolist() == ["OS FICTIEF1", "OS FICTIEF1"]
    assert ck.postcode_areas.empty and list(ck.postcode_areas.columns)[:2] == ["short_code", "postcode"]


def test_read_layer_detects_yaml_and_json_by_content(tmp_path):
    data, report = read_layer(DSO, "station_capacity")
    assert data.loc[0, "offtake_capacity_mw"] == 47 and report.ok
    # The same document as JSON, under the 'substations' key of the model, with an unrelated file name.
    doc = load(DSO)
    doc["substations"] = doc.pop("energy_areas")
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    data, report = read_layer(path, "infrastructure", stations=stations("OS FICTIEF 20-3i"))
    assert report.ok and data["year_ready"].tolist() == [2026, 2026]
    assert read_layer(path, "station_capacity").data.loc[0, "offtake_load_mw"] == 58


def test_year_from_valid_start_then_issued_then_argument():
    doc = load(TSO)
    ck = from_document(doc, year=2030)
    assert ck.station_capacity["year"].tolist() == [2025]  # the file's own date wins
    assert "year_ignored" in ck.reports["station_capacity"].codes("warning")
    del doc["valid"]
    doc["issued"] = "2024-11-01"
    assert from_document(doc).station_capacity["year"].tolist() == [2024]
    del doc["issued"]
    assert from_document(doc, year=2030).station_capacity["year"].tolist() == [2030]
    ck = from_document(doc)
    report = ck.reports["station_capacity"]
    assert "no_year" in report.codes("warning")
    assert report.codes("error") == ["missing_value"] and report.errors[0].column == "year"


def test_work_status_and_schedule_rules():
    doc = {
        "conforms_to": "http://data.netbeheernederland.nl/capaciteitskaart/v1.2.0",
        "issued": "2025-01-10",
        "substations": [{
            "short_code": "TNZ",
            "demand_available_capacity": 10,
            "works": [
                {"project_name": "Klaar", "work_order_number": "WO-1", "status_kind": "completed",
                 "time_schedules": [{"schedule_interval": {"end": "2024-06-30"}}]},
                {"project_name": "Wacht", "status_kind": "waitingOnApproval",
                 "time_schedules": [{"schedule_interval": {"year": 2027, "quarter": 4}},
                                    {"schedule_interval": {"end": "2028-03-31"}}]},
                {"project_name": "Bezig", "status_kind": "in_progress"},
                {"project_name": "Gestopt", "status_kind": "cancelled"},
                {"project_name": "Raar", "status_kind": "vergeten"},
            ],
        }],
    }
    ck = from_document(doc, stations=stations("TNZ"))
    infra, report = ck.infrastructure, ck.reports["infrastructure"]
    assert infra["project_id"].tolist() == ["WO-1", "Wacht", "Bezig"]  # work order number preferred
    assert infra["status"].tolist() == ["existing", "proposed", "investment_plan"]
    assert infra["year_ready"].tolist()[:2] == [2024, 2028]  # the latest schedule counts
    assert infra["year_ready"].isna().tolist()[2]
    assert [(e.code, e.rows) for e in report.errors] == [("cancelled_work", [3]), ("unknown_value", [4])]
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (5, 3, 2)


def test_missing_required_fields_name_the_area():
    # v1.2: only short_code is required. Area 1 has none (rejected, named by its place in the file); area 2
    # (C) has no capacities at all and loads with its capacity unknown (NaN, never 0), with a warning.
    doc = {"issued": "2025-01-10", "energy_areas": [{"short_code": "A", "demand_available_capacity": 5},
                            {"demand_available_capacity": 6},
                            {"short_code": "C"}]}
    ck = from_document(doc)
    report = ck.reports["station_capacity"]
    assert [(e.code, e.column, e.rows) for e in report.errors] == [("missing_value", "short_code", [1])]
    assert "energy_areas[1]" in report.errors[0].message
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (3, 2, 1)
    data = ck.station_capacity.set_index("station_id")
    assert data.loc["A", "offtake_capacity_mw"] == 5.0 and np.isnan(data.loc["C", "offtake_capacity_mw"])
    unknown = [(w.column, w.rows) for w in report.warnings if w.code == "capacity_unknown"]
    assert unknown == [("offtake_capacity_mw", [2]), ("feedin_capacity_mw", [0, 2])]


def test_area_without_demand_capacity_gives_unknown_status_in_the_balance():
    # The v1.2 example's area with its demand_available_capacity left out: the station is in the region, its
    # offtake balance is 'unknown' (capacity unknown), its feed-in balance is computed from the 47 MW.
    from shapely.geometry import box

    from energieplanologie.balance import station_balance
    from energieplanologie.region import Region

    doc = {"issued": "2025-01-10", "energy_areas": [{"short_code": "OS1", "generation_available_capacity": 47}]}
    ck = from_document(doc, stations=stations("OS1"))
    assert ck.reports["station_capacity"].ok
    region = Region.from_layers(
        name="v1.2", municipalities=gpd.GeoDataFrame({"municipality_code": ["GM0001"], "name": ["Een"]},
                                                     geometry=[box(0, 300000, 200000, 500000)], crs=CRS_RD),
        stations=stations("OS1"), station_capacity=ck.station_capacity, years=(2025,))
    bal = station_balance(region, "verwacht").set_index("direction")
    assert bal.loc["offtake", "status"] == "unknown" and np.isnan(bal.loc["offtake", "capacity_mw"])
    assert bal.loc["feedin", "capacity_mw"] == 47.0 and bal.loc["feedin", "status"] == "green"


def test_capacities_must_not_be_negative_and_kw_as_mw_is_warned():
    # 47,000 "MW" for one DSO area is 47 MW typed in kW: kept (it might be a huge TSO station) but warned.
    doc = {"issued": "2025-01-10", "energy_areas": [
        {"short_code": "A", "demand_available_capacity": 47000, "generation_available_capacity": 47},
        {"short_code": "B", "demand_available_capacity": -1},
        {"short_code": "C", "demand_available_capacity": 4999, "demand_capacity_in_queue": 5000}]}
    report = from_document(doc).reports["station_capacity"]
    assert [(e.code, e.rows) for e in report.errors] == [("negative_value", [1])]
    big = [(w.column, w.rows) for w in report.warnings if w.code == "implausible_capacity"]
    assert big == [("offtake_capacity_mw", [0]), ("queue_offtake_mw", [2])]
    assert "kW in plaats van MW" in report.to_text()


def test_schedules_given_as_text():
    # 'Q3-2026' and 'eind 2026' name a year unambiguously: read, and said so. '2026/2027' and 'onbekend' do
    # not: reported, and the work has no year_ready (it counts in no year) — never silently missing.
    def work(name, interval):
        return {"project_name": name, "time_schedules": [{"schedule_interval": interval}]}

    doc = {"issued": "2025-01-10", "substations": [{"short_code": "TNZ", "demand_available_capacity": 10, "works": [
        work("A", {"end": "Q3-2026"}), work("B", {"end": "eind 2026"}), work("C", {"year": "2027", "quarter": "Q2"}),
        work("D", {"end": "2026/2027"}), work("E", {"year": "onbekend"}),
        {"project_name": "F", "time_schedules": [{"schedule_interval": {"end": "later"}},
                                                 {"schedule_interval": {"end": "2028-03-31"}}]}]}]}
    ck = from_document(doc, stations=stations("TNZ"))
    infra, report = ck.infrastructure, ck.reports["infrastructure"]
    assert infra["year_ready"].tolist()[:3] == [2026, 2026, 2027] and infra["year_ready"].isna().tolist()[3:5] == [
        True, True]
    assert infra["year_ready"].tolist()[5] == 2028
    assert [r.rows for r in report.repairs if r.code == "schedule_text"] == [[0], [1], [2]]
    unreadable = {w.rows[0]: w.message for w in report.warnings if w.code == "schedule_unreadable"}
    assert sorted(unreadable) == [3, 4, 5]
    assert "'2026/2027'" in unreadable[3] and "telt in geen enkel jaar mee" in unreadable[3]
    assert "'onbekend'" in unreadable[4]
    assert "'later'" in unreadable[5] and "gereed 2028" in unreadable[5]
    assert infra["description"].tolist()[0] == "gereed: Q3 2026"


def test_not_a_capaciteitskaart(tmp_path):
    assert is_capaciteitskaart({"substations": []})
    assert not is_capaciteitskaart(["a"])
    path = tmp_path / "iets.yaml"
    path.write_text("naam: iets\n", encoding="utf-8")
    with pytest.raises(ReadError, match="geen capaciteitskaart"):
        read_capaciteitskaart(path)
    with pytest.raises(ReadError, match="niet gevonden"):
        read_capaciteitskaart(tmp_path / "weg.yaml")
    path.write_text("substations: [\n", encoding="utf-8")
    with pytest.raises(ReadError, match="ongeldige YAML"):
        read_capaciteitskaart(path)
