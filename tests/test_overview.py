"""Per-municipality overviews: tables by hand on a small region, agreement with balance and allocation on the
sample, and the written pages and pictures."""

from __future__ import annotations

import re

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
import shapely

from energieplanologie.allocation import allocate
from energieplanologie.balance import station_balance
from energieplanologie.labels import format_number
from energieplanologie.overview import (
    MunicipalityOverview,
    municipality_overview,
    static_map,
    write_overviews,
)
from energieplanologie.region import Region
from energieplanologie.scenarios import get_scenario
from energieplanologie.schema import CRS_RD


def _small_region(codes: tuple[str, str] = ("GM0001", "GM0002")) -> Region:
    """Two 10 × 10 km municipalities side by side: Alfa (x 100–110 km) and Beta (x 110–120 km)."""
    mun = gpd.GeoDataFrame({"municipality_code": list(codes), "name": ["Alfa", "Beta"]},
                           geometry=[shapely.box(100_000, 400_000, 110_000, 410_000),
                                     shapely.box(110_000, 400_000, 120_000, 410_000)], crs=CRS_RD)
    stations = gpd.GeoDataFrame(
        {"station_id": ["A", "B", "H"], "name": ["Alfa 150 kV", "Beta MS", "Alfa H2"],
         "voltage_kv": ["150/20", "10", None], "carrier": ["electricity", "electricity", "hydrogen"]},
        geometry=[shapely.Point(105_000, 405_000), shapely.Point(115_000, 405_000), shapely.Point(108_000, 402_000)],
        crs=CRS_RD)
    capacity = pd.DataFrame({"station_id": ["A", "B", "H"], "year": [2025] * 3,
                             "offtake_capacity_mw": [75.0, 20.0, 30.0], "feedin_capacity_mw": [50.0, 5.0, 0.0],
                             "offtake_load_mw": [60.0, 5.0, 0.0], "feedin_load_mw": [10.0, 1.0, 0.0]})
    infra = gpd.GeoDataFrame(
        {"project_id": ["P1", "P2"], "name": ["Kabel Alfa", "Warmtenet Beta"], "infra_type": ["cable_hv", "heat_network"],
         "carrier": ["electricity", "heat"], "status": ["investment_plan", "proposed"], "year_ready": [2035, 2030],
         "station_id": ["A", None], "offtake_capacity_added_mw": [50.0, 0.0], "cost_meur": [12.5, 30.0]},
        geometry=[shapely.LineString([(105_000, 405_000), (108_000, 408_000)]),
                  shapely.box(116_000, 406_000, 118_000, 408_000)], crs=CRS_RD)
    dev = gpd.GeoDataFrame(
        {"development_id": ["d1", "d2", "d3", "d4", "d5"],
         "name": ["Woonwijk", "Fabriek", "Zonneveld", "Waterstoffabriek", "Laadplein"],
         "sector": ["housing", "industry", "renewables", "industry", "mobility"],
         "carrier": ["electricity", "electricity", "electricity", "hydrogen", "electricity"],
         "offtake_mw": [10.0, 20.0, 0.0, 12.0, 3.0], "feedin_mw": [0.0, 0.0, 4.0, 0.0, 0.0],
         "year": [2025, 2030, 2030, 2030, 2035],
         "certainty": ["committed", "intended", "speculative", "planned", "planned"],
         "station_id": [None, None, None, None, "A"]},
        geometry=[shapely.Point(104_000, 404_000), shapely.Point(106_000, 406_000),
                  shapely.box(113_000, 402_000, 117_000, 404_000), shapely.Point(107_000, 403_000),
                  shapely.Point(112_000, 406_000)], crs=CRS_RD)
    return Region.from_layers(name="Proefregio", municipalities=mun, stations=stations, station_capacity=capacity,
                              infrastructure=infra, developments=dev, years=(2025, 2030, 2035))


def _hotspots(codes: tuple[str, str] = ("GM0001", "GM0002")) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"hotspot_id": ["KP-1", "KP-2"], "name": ["Knooppunt Alfa", "Knooppunt grens"], "level": ["provincial", "local"],
         "year": [2035, 2035], "sectors": ["housing;industry", "mobility"], "total_mw": [20.0, 3.0],
         "station_ids": ["A", "A"], "municipality_codes": [codes[0], ""]},
        geometry=[shapely.Point(105_000, 405_000).buffer(1500), shapely.box(109_000, 405_000, 111_000, 407_000)],
        crs=CRS_RD)


@pytest.fixture(scope="module")
def small():
    region = _small_region()
    alloc = allocate(region.developments, region.stations, area=region.municipalities)
    bal = station_balance(region, "verwacht", allocation=alloc)
    return region, alloc, bal


def test_small_region_tables_by_hand(small):
    region, alloc, bal = small
    ov = municipality_overview(region, "GM0001", balance=bal, allocation=alloc, hotspots=_hotspots())
    assert ov.name == "Alfa" and ov.scenario == "verwacht" and ov.year == 2035 and ov.neighbours == ("GM0002",)
    # Alfa, scenario verwacht (committed 1, planned 1, intended 0.5):
    #   d1 housing 10 MW committed 2025 → 10;  d2 industry 20 MW intended 2030 → 10;  d4 hydrogen 12 MW planned 2030 → 12
    off = ov.sector_table("offtake")
    assert off.loc[("electricity", "housing")].tolist() == [10.0, 10.0, 10.0]
    assert off.loc[("electricity", "industry")].tolist() == [0.0, 10.0, 10.0]
    assert off.loc[("electricity", "total")].tolist() == [10.0, 20.0, 20.0]
    assert off.loc[("hydrogen", "industry")].tolist() == [0.0, 12.0, 12.0]
    assert list(off.index.get_level_values(0).unique()) == ["electricity", "hydrogen"]  # never added together
    assert list(off.index) == [("electricity", "housing"), ("electricity", "industry"), ("electricity", "total"),
                               ("hydrogen", "industry"), ("hydrogen", "total")]  # SECTORS order, total last
    assert off.index.names == ["carrier", "sector"] and off.columns.tolist() == [2025, 2030, 2035]
    assert ov.sector_table("feedin").empty
    assert ov.total_mw("offtake") == 20.0 and ov.total_mw("offtake", carrier="hydrogen") == 12.0

    # stations: d1 and d2 go to A (d2 > 10 MW needs HS), d4 to the hydrogen point H; both lie in Alfa
    st = ov.stations
    assert sorted(st["station_id"].unique()) == ["A", "H"]
    assert set(st["relation"]) == {"allocated;inside"}
    a_off = st.loc[(st["station_id"] == "A") & (st["direction"] == "offtake")].set_index("year")
    assert a_off["municipality_mw"].tolist() == [10.0, 20.0, 20.0]
    # A offtake: capacity 75 (+50 from P1 in 2035), load 60 + Alfa's 10/20/20 + Beta's d5 (3 MW, explicit, 2035)
    assert a_off["load_mw"].tolist() == [70.0, 80.0, 83.0]
    assert a_off["capacity_mw"].tolist() == [75.0, 75.0, 125.0]
    assert a_off["status"].tolist() == ["amber", "red", "green"]
    assert int(a_off["first_shortage_year"].iloc[0]) == 2030
    assert ov.shortage_stations == ["A"]

    assert ov.projects["project_id"].tolist() == ["P1"]
    assert ov.developments["development_id"].tolist() == ["d1", "d2", "d4"]
    assert ov.hotspots["hotspot_id"].tolist() == ["KP-1", "KP-2"]  # KP-2 by geometry across the border
    assert ov.summary.startswith("20 MW afname en 0 MW invoeding elektriciteit in 2035; waterstof 12 MW afname")
    assert "2 stations, waarvan 1 met tekort (eerste in 2030); 1 project; 2 knooppunten." in ov.summary
    # The summary of another year (what the QGIS dock shows beside that year's tables): in 2025 only d1's 10 MW,
    # d4's hydrogen not yet there; the stations line stays the same.
    assert ov.summary_in(2025).startswith("10 MW afname en 0 MW invoeding elektriciteit in 2025; waterstof 0 MW afname")
    assert ov.summary_in(2035) == ov.summary
    assert ov.tables_dict()["summaries"] == {y: ov.summary_in(y) for y in (2025, 2030, 2035)}

    beta = municipality_overview(region, "GM0002", balance=bal, allocation=alloc, hotspots=_hotspots())
    # Beta: d3 speculative 4 MW feed-in → 1 MW (to B); d5 mobility 3 MW planned, explicitly to A, 2035
    assert beta.sector_table("feedin").loc[("electricity", "renewables")].tolist() == [0.0, 1.0, 1.0]
    assert beta.sector_table("offtake").loc[("electricity", "mobility")].tolist() == [0.0, 0.0, 3.0]
    rel = beta.stations.drop_duplicates("station_id").set_index("station_id")["relation"].to_dict()
    assert rel == {"A": "allocated", "B": "allocated;inside"}
    assert beta.projects["project_id"].tolist() == ["P2"]
    assert beta.hotspots["hotspot_id"].tolist() == ["KP-2"]


def test_unknown_municipality_and_ambiguous_scenario(small):
    region, alloc, bal = small
    with pytest.raises(ValueError, match="GM9999"):
        municipality_overview(region, "GM9999", balance=bal, allocation=alloc)
    two = station_balance(region, ["verwacht", "maximaal"], allocation=alloc)
    with pytest.raises(ValueError, match="meerdere scenario"):
        municipality_overview(region, "GM0001", balance=two, allocation=alloc)
    ov = municipality_overview(region, "GM0001", balance=two, allocation=alloc, scenario="maximaal")
    # maximaal counts d2 in full: industry 20 MW from 2030
    assert ov.sector_table("offtake").loc[("electricity", "industry")].tolist() == [0.0, 20.0, 20.0]


# --------------------------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample():
    from energieplanologie.sample import load_sample

    region = load_sample()
    alloc = allocate(region.developments, region.stations, area=region.municipalities)
    bal = station_balance(region, "verwacht", allocation=alloc)
    return region, alloc, bal


def test_sample_tables_equal_balance_and_allocation(sample):
    region, alloc, bal = sample
    codes = sorted(region.municipalities["municipality_code"])
    assert alloc["municipality_code"].notna().all()  # every sample development lies in a municipality
    sc = get_scenario("verwacht")
    flat = alloc.reset_index(drop=True)  # split polygons repeat index labels
    weight = flat["certainty"].map(sc.weights) * flat["sector"].map(lambda s: sc.simultaneity.get(s, 1.0))
    contributions = []
    for code in codes:
        ov = municipality_overview(region, code, balance=bal, allocation=alloc)
        rows = flat.loc[flat["municipality_code"] == code]
        w = weight.loc[rows.index]
        for d in ("offtake", "feedin"):
            # independent: Σ MW × weight × share over the municipality's allocation rows with year ≤ y
            expected = (rows[f"{d}_mw"].fillna(0) * w * rows["share"]).groupby(
                [rows["carrier"], rows["sector"], rows["year"]]).sum()
            table = ov.sector_table(d)
            for (carrier, sector), values in table.iterrows():
                if sector == "total":
                    continue
                part = expected.loc[(carrier, sector)] if (carrier, sector) in expected.index.droplevel(2) else pd.Series(dtype=float)
                for y in ov.years:
                    assert values[y] == pytest.approx(float(part[part.index <= y].sum()), abs=1e-9), (code, d, sector, y)
        # the station rows are the balance rows, untouched
        cols = ["capacity_mw", "load_mw", "headroom_mw", "status", "first_shortage_year"]
        merged = ov.stations.merge(bal, on=["station_id", "year", "direction"], suffixes=("", "_bal"))
        assert len(merged) == len(ov.stations) > 0
        for c in cols:
            assert merged[c].astype(str).tolist() == merged[f"{c}_bal"].astype(str).tolist(), c
        # every station a development of this municipality is allocated to is listed
        assert set(rows["station_id"].dropna()) <= set(ov.stations["station_id"])
        contributions.append(ov.stations[["station_id", "year", "direction", "municipality_mw", "relation"]])
    # Σ over municipalities of what each puts on a station = the station's development load in the balance
    total = pd.concat(contributions).groupby(["station_id", "year", "direction"])["municipality_mw"].sum()
    loaded = bal.set_index(["station_id", "year", "direction"])["development_load_mw"]
    assert loaded.sum() > 100  # the sample puts real load on its stations
    assert np.allclose(total.reindex(loaded.index, fill_value=0.0).to_numpy(), loaded.to_numpy())


def test_write_overviews_for_every_sample_municipality(sample, tmp_path):
    region, alloc, bal = sample
    out = tmp_path / "gemeenten"
    written = write_overviews(region, out, balance=bal, allocation=alloc, dpi=70)
    codes = sorted(region.municipalities["municipality_code"])
    assert [p.name for p in written] == [f"{c}.{ext}" for c in codes for ext in ("png", "html")] + ["index.html"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)  # nothing else, no temp files
    index = (out / "index.html").read_text(encoding="utf-8")
    for code in codes:
        ov = municipality_overview(region, code, balance=bal, allocation=alloc)
        assert f'href="{code}.html"' in index and ov.summary in index
        png = mpimg.imread(out / f"{code}.png")
        assert png.shape[0] > 300 and png.shape[1] > 500
        page = (out / f"{code}.html").read_text(encoding="utf-8")
        assert f"<h1>Gemeente {ov.name}" in page
        # the electricity total of the offtake table in the last year, as the page prints it
        total = ov.sector_table("offtake").loc[("electricity", "total"), ov.years[-1]]
        assert re.search(r"Totaal elektriciteit</td>.*?" + re.escape(format_number(total)) + r"</td></tr>", page)
        for sid in ov.stations["station_id"].unique():
            assert f"({sid})</td>" in page
        # the interactive map is inside, self-contained (its HTML is escaped into the iframe's srcdoc)
        assert 'srcdoc="&lt;!DOCTYPE html&gt;' in page and "&lt;script src=" not in page


def test_static_map_of_a_municipality(sample, tmp_path):
    region, alloc, bal = sample
    fig = static_map(region, "GM1714", balance=bal, year=2030, path=tmp_path / "GM1714.png", dpi=60)
    assert fig.axes[0].get_title(loc="left") == "Gemeente Sluis (GM1714) — toestand 2030"
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Buurgemeente" in labels and "Station: tekort" in labels
    assert (tmp_path / "GM1714.png").read_bytes()[:4] == b"\x89PNG"


def test_file_names_never_leave_the_folder_and_output_is_deterministic(tmp_path):
    codes = ("../../buiten", "GM/0002")
    region = _small_region(codes)
    alloc = allocate(region.developments, region.stations, area=region.municipalities)
    bal = station_balance(region, "verwacht", allocation=alloc)
    out = tmp_path / "a" / "gemeenten"
    written = write_overviews(region, out, balance=bal, allocation=alloc, hotspots=_hotspots(codes),
                              interactive=False, dpi=50)
    assert all(p.resolve().parent == out.resolve() for p in written)
    # unsafe codes are cleaned and, because they had to change, carry a short hash of themselves
    names = sorted(p.name for p in written)
    assert [re.sub(r"-[0-9a-f]{8}\.", ".", n) for n in names] == ["GM_0002.html", "GM_0002.png", "buiten.html",
                                                                  "buiten.png", "index.html"]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["gemeenten"]
    again = write_overviews(region, tmp_path / "b", balance=bal, allocation=alloc, hotspots=_hotspots(codes),
                            interactive=False, dpi=50)
    for p, q in zip(written, again, strict=True):
        assert p.read_bytes() == q.read_bytes(), p.name


def test_atlas_data_holds_one_year_and_the_pages_tables_as_dutch_text():
    import energieplanologie as ep
    from energieplanologie.overview import ATLAS_TABLES, atlas_data

    region = ep.load_sample()
    alloc = ep.allocate_region(region)
    balance = ep.station_balance(region, ["verwacht", "maximaal"], allocation=alloc)
    data = atlas_data(region, balance=balance, allocation=alloc, year=2030, scenario="verwacht")
    # One year and one scenario on the map: 16 stations × 2 directions.
    layer = data["stationsbalans"]
    assert len(layer) == 32 and set(layer["year"]) == {2030} and set(layer["scenario"]) == {"verwacht"}
    assert list(data)[-4:] == list(ATLAS_TABLES)
    stations = data["atlas_stations"]
    hst = stations.loc[(stations["gemeentecode"] == "GM0677") & stations["station"].str.endswith("(HST)")]
    # By hand from capaciteit.csv, row "HST;2025;45;25;26;14" (no development in 2025): offtake room 45 − 26 = 19,
    # feed-in room 25 − 14 = 11, both green.
    assert hst[["richting", "ruimte_2025", "status_2025"]].values.tolist() == [
        ["Afname", "19,0", "groen"], ["Invoeding", "11,0", "groen"]]
    # Every table is keyed by municipality and ordered within it.
    for name in ATLAS_TABLES:
        table = data[name]
        assert set(table["gemeentecode"]) <= {"GM0677", "GM0715", "GM1714"}
        for _code, group in table.groupby("gemeentecode"):
            assert group["volgorde"].tolist() == list(range(len(group)))
    # A year that was not analysed is refused with the years that were.
    with pytest.raises(ValueError, match="2033 is geen analysejaar"):
        atlas_data(region, balance=balance, allocation=alloc, year=2033, scenario="verwacht")


def _overview_with_stations(stations: pd.DataFrame) -> MunicipalityOverview:
    empty = gpd.GeoDataFrame({"project_id": []}, geometry=[], crs=CRS_RD)
    return MunicipalityOverview(
        code="GM0001", name="Alfa", year=2030, years=(2025, 2030, 2035), scenario="verwacht",
        sector_mw=pd.DataFrame(columns=["direction", "carrier", "sector", "year", "mw"]), stations=stations,
        projects=empty, developments=gpd.GeoDataFrame(geometry=[], crs=CRS_RD), hotspots=None, neighbours=(),
        unallocated_mw={"offtake": 0.0, "feedin": 0.0})


def test_station_lines_with_a_missing_year_and_a_missing_headroom():
    from energieplanologie.overview import atlas_tables, overview_html

    # Station A: offtake in 2025 and 2030 only (no balance row for 2035), short from 2030; feed-in in all three
    # years, its 2035 headroom unknown. Station B (no name column needed per row: all named), offtake 2030 only.
    stations = pd.DataFrame({
        "station_id": ["A", "A", "A", "A", "A", "B"],
        "station_name": ["Alfa", "Alfa", "Alfa", "Alfa", "Alfa", "Beta"],
        "level": ["HS", "HS", "HS", "HS", "HS", None],
        "relation": ["allocated;inside"] * 5 + ["inside"],
        "direction": ["offtake", "offtake", "feedin", "feedin", "feedin", "offtake"],
        "year": [2025, 2030, 2025, 2030, 2035, 2030],
        "status": ["green", "red", "green", "amber", "unknown", "green"],
        "headroom_mw": [5.25, -2.5, 1234.5, 0.04, np.nan, 7.0],
        "first_shortage_year": [2030.0, 2030.0, np.nan, np.nan, np.nan, np.nan],
        "municipality_mw": [1.0, 3.5, 0.0, 2.0, 2.0, 0.75],
    })
    ov = _overview_with_stations(stations)
    lines = ov.tables_dict()["stations"]
    assert [(s["station"], s["direction"]) for s in lines] == [
        ("Alfa (A)", "offtake"), ("Alfa (A)", "feedin"), ("Beta (B)", "offtake")]
    a_off, a_in, b_off = lines
    # a year without a balance row: status unknown, no headroom, the dash as text
    assert a_off["status"] == {2025: "green", 2030: "red", 2035: "unknown"}
    assert a_off["headroom_mw"] == {2025: 5.25, 2030: -2.5, 2035: None}
    assert a_off["headroom_texts"] == {2025: "5,2", 2030: "-2,5", 2035: "–"}  # 5.25 rounds half to even
    assert a_off["first_shortage_year"] == 2030 and a_in["first_shortage_year"] is None
    # the MW this municipality puts on the station in the reference year 2030
    assert (a_off["municipality_mw"], a_in["municipality_mw"], b_off["municipality_mw"]) == (3.5, 2.0, 0.75)
    assert a_in["headroom_mw"][2035] is None and a_in["headroom_texts"] == {2025: "1.234,5", 2030: "0,0", 2035: "–"}
    assert a_off["relation"] == "aansluiting, in gemeente" and b_off["relation"] == "in gemeente"
    assert (a_off["level"], b_off["level"]) == ("HS", "")
    assert b_off["status"] == {2025: "unknown", 2030: "green", 2035: "unknown"}

    page = overview_html(ov, region_name="Proefregio")
    row = re.search(r"<tr><td>Alfa \(A\)</td>.*?</tr>", page).group(0)
    assert row.count('title="Tekort"') == 1 and row.endswith('<td>2030</td><td class="num">3,5</td></tr>')
    assert "<td>Beta (B)</td><td></td><td>in gemeente</td><td>Afname</td>" in page

    atlas = atlas_tables([ov])["atlas_stations"]
    assert atlas[["station", "richting", "ruimte_2035", "status_2035", "eerste_tekort", "mw_uit_gemeente"]
                 ].values.tolist() == [["Alfa (A)", "Afname", "–", "onbekend", "2030", "3,5"],
                                       ["Alfa (A)", "Invoeding", "–", "onbekend", "–", "2,0"],
                                       ["Beta (B)", "Afname", "–", "onbekend", "–", "0,8"]]


def test_written_pages_and_tables_are_those_of_municipality_overview(sample, tmp_path):
    """write_overviews finds the region-wide inputs (scenario balance, each municipality's rows, the flex need of
    all stations) once; every page and table must still be the one municipality_overview gives alone."""
    import json

    from energieplanologie.overview import overview_html

    region, alloc, bal = sample
    two = station_balance(region, ["verwacht", "maximaal"], allocation=alloc)  # the scenario is picked from two
    out = tmp_path / "gemeenten"
    write_overviews(region, out, balance=two, allocation=alloc, scenario="maximaal", interactive=False, dpi=40,
                    tables_json=True)
    windows = 0
    for code in sorted(region.municipalities["municipality_code"]):
        ov = municipality_overview(region, code, balance=two, allocation=alloc, scenario="maximaal")
        windows += len(ov.flex_need)
        png = (out / f"{code}.png").read_bytes()
        assert (out / f"{code}.html").read_text(encoding="utf-8") == overview_html(ov, region_name=region.name,
                                                                                   png=png)
        assert (out / f"{code}.json").read_text(encoding="utf-8") == json.dumps(
            ov.tables_dict(), ensure_ascii=False, indent=1) + "\n"
    assert windows > 0  # the sample's stations do run short under maximaal: the flex tables are compared too


def test_sector_tables_are_found_once_and_handed_out_as_copies(small):
    region, alloc, bal = small
    ov = municipality_overview(region, "GM0001", balance=bal, allocation=alloc)
    first = ov.sector_table("offtake")
    first.loc[("electricity", "total"), 2035] = -1.0  # a caller's change stays in its copy
    # by hand (see above): Alfa's electricity offtake 10, 20, 20 MW in 2025, 2030, 2035
    assert ov.sector_table("offtake").loc[("electricity", "total")].tolist() == [10.0, 20.0, 20.0]
    assert ov.sector_table("offtake") is not ov.sector_table("offtake")
    assert (ov.total_mw("offtake"), ov.total_mw("offtake", 2025), ov.total_mw("offtake", 2025)) == (20.0, 10.0, 10.0)
    assert ov.summary_in(2025).startswith("10 MW afname") and ov.summary.startswith("20 MW afname")
    # every total from one pass over the table: hydrogen (d4, 12 MW planned 2030) none in 2025, 12 from 2030; no
    # feed-in and no heat at all: 0
    assert [ov.total_mw("offtake", y, "hydrogen") for y in (2025, 2030, 2035)] == [0.0, 12.0, 12.0]
    assert ov.total_mw("feedin", 2030) == 0.0 and ov.total_mw("offtake", 2030, "heat") == 0.0


def test_pages_plan_builds_the_spatial_indexes_before_the_workers_fork(small, tmp_path):
    # What every page's picture queries (the layers within its view) is indexed in the preparation, which the
    # forked workers inherit, not on each worker's first page; the pages are the same.
    from energieplanologie.overview import overviews_plan

    _, alloc, bal = small
    region = _small_region()  # fresh layers, without an index yet
    hotspots = _hotspots()
    assert not (region.developments.has_sindex or region.infrastructure.has_sindex or hotspots.has_sindex)
    plan = overviews_plan(region, tmp_path, balance=bal, allocation=alloc, hotspots=hotspots, interactive=False,
                          dpi=30)
    batch = next(plan)
    assert region.developments.has_sindex and region.infrastructure.has_sindex and hotspots.has_sindex
    png, page, _, _ = batch.func("GM0001")
    assert png == static_map_png(region, "GM0001", bal, hotspots)


def test_pages_plan_without_pages_prepares_nothing_for_them_and_still_lists_the_municipalities(small, tmp_path):
    # `run --gemeenten geen`: no index built, no shared inputs; the index page lists every municipality without one
    from energieplanologie._workers import run_plan
    from energieplanologie.overview import overviews_plan

    _, alloc, bal = small
    region = _small_region()
    paths = run_plan(overviews_plan(region, tmp_path, balance=bal, allocation=alloc, hotspots=_hotspots(), pages=[]))
    assert not (region.developments.has_sindex or region.infrastructure.has_sindex)
    assert [p.name for p in paths] == ["index.html"]
    index = paths[0].read_text(encoding="utf-8")
    assert all(code in index for code in region.municipalities["municipality_code"]) and "pagina op verzoek" in index


def static_map_png(region: Region, code: str, bal: pd.DataFrame, hotspots: gpd.GeoDataFrame) -> bytes:
    from energieplanologie.maps.static import figure_png

    return figure_png(static_map(region, code, balance=bal, hotspots=hotspots, dpi=30))


def test_station_lines_are_found_once_per_overview(small):
    from energieplanologie.overview import _station_lines

    region, alloc, bal = small
    ov = municipality_overview(region, "GM0001", balance=bal, allocation=alloc)
    lines = _station_lines(ov)
    assert _station_lines(ov) is lines
    # Alfa is served by A (its 150 kV station) and H (hydrogen): a line per station and direction
    assert list(zip(lines.station_id, lines.direction, strict=True)) == [("A", "offtake"), ("A", "feedin"),
                                                                         ("H", "offtake"), ("H", "feedin")]


def test_page_tables_are_written_alike_from_python_values_and_from_inferred_text():
    # table_html reads a column at a time: a frame of Python values (object) and one pandas inferred (str dtype,
    # a missing text NaN) give the same table, a missing text as an empty cell, numbers the Dutch way.
    from energieplanologie._html import table_html

    columns = {"Naam": ["A&B", None], "MW": np.array([1234.5, np.nan])}
    ours = pd.DataFrame(columns, dtype=object)
    assert ours["Naam"].tolist() == ["A&B", None]
    html = table_html(ours, numeric=["MW"])
    assert html == table_html(pd.DataFrame(columns), numeric=["MW"])
    assert "<td>A&amp;B</td><td class=\"num\">1.234,5</td>" in html and "<td></td>" in html
