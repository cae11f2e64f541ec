"""Monitoring (step 5, borgen en uitvoeren): the status layer, progress table, consequences and the CLI command.

The central test is a case computed by hand (below, in comments): four stations, four projects (one delayed three
years, one early, one cancelled, one without a status report) and six developments, all committed, in scenario
*vastgesteld* (every committed development counts whole), analysed every year 2025–2032. The layers are written
as real files (GeoPackage and CSV) and read back, as a user delivers them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point, box
from typer.testing import CliRunner

import energieplanologie as ep
from energieplanologie import ValidationError
from energieplanologie.cli import app
from energieplanologie.io import read_layer
from energieplanologie.monitoring import CONSEQUENCE_COLUMNS, PROGRESS_COLUMNS, consequences, progress_table
from energieplanologie.monitoring_report import OUTPUT_FILES
from energieplanologie.region import Region

CRS = "EPSG:28992"
runner = CliRunner()

# ---------------------------------------------------------------------------------------------------------------
# The hand case. Stations (all HS, electricity), one capacity row in 2025 (holds for every later year):
#   A (100 000, 400 000): offtake capacity 20, baseline 10; feed-in capacity 10, baseline 0
#   B (120 000, 400 000): offtake 10 / 4
#   C (140 000, 400 000): offtake 10 / 5
#   D (160 000, 400 000): offtake  5 / 4
# Projects (planned year → status report):
#   P1 at A +15 offtake, planned 2027 → delayed, expected 2030          (delay +3)
#   P2 at B  +5 offtake, planned 2029 → under construction, expected 2027 (delay −2: early)
#   P3 at C +10 offtake, planned 2026 → cancelled                        (no year, no delay)
#   P4 at A  +5 feed-in, planned 2028 → no report: on schedule           (delay 0, status empty)
# Developments (committed, explicit station): a1 A 2026 6 MW, a2 A 2027 8 MW, a3 A 2029 4 MW, b1 B 2028 9 MW,
#   c0 C 2026 6 MW, c1 C 2027 7 MW, d1 D 2026 3 MW (all offtake).
#
# A offtake. Load: 2025 10; 2026 16; 2027–2028 24; 2029+ 28.
#   capacity planned 20 (2025–26), 35 (2027+): never short.
#   capacity expected 20 (2025–29), 35 (2030+): 2027 24−20 = 4; 2028 4; 2029 28−20 = 8; 2030+ 0.
#   → rows 2027 (0 → 4), 2028 (0 → 4), 2029 (0 → 8), caused by P1.
#   Waiting (queue a1, a2, a3 by year; baseline 10): 2027 cumulative 16, 24: 35 takes both, 20 only a1 → a2 (8 MW);
#   2028 the same; 2029 cumulative 16, 24, 28 → a2;a3 (12 MW).
# B offtake. Load 4 until 2027, 13 from 2028. Planned capacity 10 (2025–28), 15 (2029+): 2028 short 3.
#   Expected 10 (2025–26), 15 (2027+): never short. → row 2028 (3 → 0), change −3, caused by P2, nobody waits.
# C offtake. Load 5 (2025), 11 (2026), 18 (2027+). Planned capacity 10 (2025), 20 (2026+): never short.
#   Cancelled: 10 in every year: 2026 short 1, 2027–2032 short 8. → rows 2026 (0 → 1) and 2027…2032 (0 → 8),
#   caused by P3. Waiting: 2026 c0 (11 > 10; fits under 20) 6 MW; 2027+ c0;c1 (13 MW).
# D offtake: short 3 + 4 − 5 = 2 from 2026 in both cases → no row. A feed-in: P4 on schedule → no row.
# ---------------------------------------------------------------------------------------------------------------

EXPECTED_ROWS = [
    # station, direction, year, shortage planned, shortage expected, causing, waiting ids, waiting MW
    ("A", "offtake", 2027, 0.0, 4.0, "P1", "a2", 8.0),
    ("A", "offtake", 2028, 0.0, 4.0, "P1", "a2", 8.0),
    ("A", "offtake", 2029, 0.0, 8.0, "P1", "a2;a3", 12.0),
    ("B", "offtake", 2028, 3.0, 0.0, "P2", "", 0.0),
    ("C", "offtake", 2026, 0.0, 1.0, "P3", "c0", 6.0),
    *[("C", "offtake", y, 0.0, 8.0, "P3", "c0;c1", 13.0) for y in range(2027, 2033)],
]

STATUS_CSV = (
    "projectcode;peildatum;status;verwacht_gereed;toelichting\n"
    "P1;31-12-2025;vergunning;2028;\n"
    "P3;31-12-2025;aanbesteding;2026;\n"
    "P1;30-06-2026;vertraagd;2030;Levering transformator later\n"
    "P2;30-06-2026;in_aanbouw;2027;Sneller dan gepland\n"
    "P3;30-06-2026;geschrapt;;Niet meer nodig\n"
)


def _layers() -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    mun = gpd.GeoDataFrame({"municipality_code": ["GM0001"], "name": ["Testgemeente"]},
                           geometry=[box(90_000, 390_000, 170_000, 410_000)], crs=CRS)
    xy = {"A": 100_000, "B": 120_000, "C": 140_000, "D": 160_000}
    stations = gpd.GeoDataFrame({"station_id": list(xy), "name": [f"Station {s}" for s in xy], "level": ["HS"] * 4},
                                geometry=[Point(x, 400_000) for x in xy.values()], crs=CRS)
    capacity = pd.DataFrame({"station_id": list(xy), "year": [2025] * 4,
                             "offtake_capacity_mw": [20.0, 10, 10, 5], "offtake_load_mw": [10.0, 4, 5, 4],
                             "feedin_capacity_mw": [10.0, 10, 10, 10], "feedin_load_mw": [0.0] * 4})
    infrastructure = gpd.GeoDataFrame({
        "project_id": ["P1", "P2", "P3", "P4"], "name": ["Uitbreiding A", "Uitbreiding B", "Uitbreiding C",
                                                         "Invoeding A"],
        "infra_type": ["station_expansion"] * 4, "year_ready": [2027, 2029, 2026, 2028],
        "station_id": ["A", "B", "C", "A"], "offtake_capacity_added_mw": [15.0, 5, 10, 0],
        "feedin_capacity_added_mw": [0.0, 0, 0, 5]},
        geometry=[Point(xy[s], 400_000) for s in "ABCA"], crs=CRS)
    dev = [("a1", "A", 2026, 6.0), ("a2", "A", 2027, 8.0), ("a3", "A", 2029, 4.0), ("b1", "B", 2028, 9.0),
           ("c0", "C", 2026, 6.0), ("c1", "C", 2027, 7.0), ("d1", "D", 2026, 3.0)]
    developments = gpd.GeoDataFrame({
        "development_id": [d[0] for d in dev], "name": [f"ontwikkeling {d[0]}" for d in dev],
        "sector": ["industry"] * len(dev), "certainty": ["committed"] * len(dev), "year": [d[2] for d in dev],
        "offtake_mw": [d[3] for d in dev], "feedin_mw": [0.0] * len(dev), "station_id": [d[1] for d in dev]},
        geometry=[Point(xy[d[1]] + 500, 400_500) for d in dev], crs=CRS)
    return {"municipalities": mun, "stations": stations, "station_capacity": capacity,
            "infrastructure": infrastructure, "developments": developments}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The hand case as a user's project folder: a GeoPackage, a capacity CSV, project.toml and the status CSV."""
    folder = tmp_path_factory.mktemp("monitor")
    layers = _layers()
    for kind in ("municipalities", "stations", "infrastructure", "developments"):
        pyogrio.write_dataframe(layers[kind], folder / "lagen.gpkg", layer=kind)
    layers["station_capacity"].to_csv(folder / "capaciteit.csv", index=False)
    (folder / "project.toml").write_text(
        '[region]\nname = "Handgeval"\n'
        + "".join(f'[layers.{k}]\npath = "lagen.gpkg"\nlayer = "{k}"\n'
                  for k in ("municipalities", "stations", "infrastructure", "developments"))
        + '[layers.station_capacity]\npath = "capaciteit.csv"\n'
        + '[analysis]\nscenario = "vastgesteld"\nyears = [2025, 2032]\n', encoding="utf-8")
    (folder / "status.csv").write_text(STATUS_CSV, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def region(project) -> Region:
    from energieplanologie.config import load_region_config

    region = load_region_config(project / "project.toml")
    assert region.ok, region.validation_text()
    return region


@pytest.fixture(scope="module")
def status(project) -> pd.DataFrame:
    read = read_layer(project / "status.csv", "status")
    assert read.report.ok and read.report.rows_kept == 5, read.report.to_text()
    return read.data


@pytest.fixture(scope="module")
def result(region, status) -> ep.MonitorResult:
    return ep.monitor(region, status, scenario="vastgesteld")  # [analysis] scenario, as the CLI passes it


def test_status_csv_is_read_with_dutch_headers_dates_and_values(status):
    assert status["reference_date"].tolist() == ["2025-12-31", "2025-12-31", "2026-06-30", "2026-06-30",
                                                 "2026-06-30"]
    assert status["project_status"].tolist() == ["permit", "tender", "delayed", "under_construction", "cancelled"]
    assert status["expected_year_ready"].isna().tolist() == [False, False, False, False, True]


def test_progress_table_by_hand(result):
    table = result.progress.set_index("project_id")
    assert list(result.progress.columns) == [*PROGRESS_COLUMNS, "expected_on_2025-12-31"]
    # project: planned, expected, delay, status, history (expected at 2025-12-31)
    expected = {"P1": (2027, 2030, 3, "delayed", 2028), "P2": (2029, 2027, -2, "under_construction", None),
                "P3": (2026, None, None, "cancelled", 2026), "P4": (2028, 2028, 0, None, None)}
    for pid, (planned, exp, delay, state, history) in expected.items():
        row = table.loc[pid]
        assert row["planned_year_ready"] == planned, pid
        assert (pd.isna(row["expected_year_ready"]) if exp is None else row["expected_year_ready"] == exp), pid
        assert (pd.isna(row["delay_years"]) if delay is None else row["delay_years"] == delay), pid
        assert (pd.isna(row["project_status"]) if state is None else row["project_status"] == state), pid
        assert (pd.isna(row["expected_on_2025-12-31"]) if history is None
                else row["expected_on_2025-12-31"] == history), pid
    assert table.loc["P2", "delay_years"] < 0  # early: negative delay
    assert result.reference_date == "2026-06-30" and result.years == tuple(range(2025, 2033))
    assert result.scenario == "vastgesteld"


def test_consequences_by_hand(result):
    cons = result.consequences
    assert list(cons.columns) == list(CONSEQUENCE_COLUMNS)
    got = [(r.station_id, r.direction, int(r.year), r.shortage_planned_mw, r.shortage_expected_mw, r.causing_projects,
            r.waiting_development_ids, r.waiting_mw) for r in cons.itertuples(index=False)]
    assert [g[:3] for g in got] == [e[:3] for e in EXPECTED_ROWS]  # exactly these rows, in this order
    for g, e in zip(got, EXPECTED_ROWS, strict=True):
        assert g[3] == pytest.approx(e[3]) and g[4] == pytest.approx(e[4]), e
        assert g[5:7] == e[5:7], e
        assert g[7] == pytest.approx(e[7]), e
    assert cons["shortage_change_mw"].to_numpy() == pytest.approx(cons["shortage_expected_mw"]
                                                                 - cons["shortage_planned_mw"])
    assert "D" not in set(cons["station_id"])  # short in both cases: untouched
    assert not (cons["direction"] == "feedin").any()  # P4 is on schedule


def test_cancelled_project_removes_its_capacity_from_every_year(region):
    # C with P3 cancelled has capacity 10 in every year; with P3 as planned 20 from 2026 on.
    cancelled = region.replace(infrastructure=region.infrastructure.assign(
        year_ready=region.infrastructure["year_ready"].where(region.infrastructure["project_id"] != "P3")))
    bal = ep.station_balance(cancelled, "vastgesteld", years=range(2025, 2033))
    c = bal.loc[(bal["station_id"] == "C") & (bal["direction"] == "offtake")]
    assert c["capacity_mw"].tolist() == [10.0] * 8
    only_p3 = consequences(region, {"P3": None}, years=range(2025, 2033))
    assert only_p3["year"].tolist() == list(range(2026, 2033)) and set(only_p3["station_id"]) == {"C"}


def test_planned_years_of_a_frozen_round_replace_the_configuration(region, status):
    # With a programme in which P1 was planned for 2030 already, its expected 2030 is no delay and A is untouched.
    planned = {"P1": 2030, "P2": 2029, "P3": 2026}  # P4 is not in that programme: it keeps its configured 2028
    result = ep.monitor(region, status, planned=planned, scenario="vastgesteld")
    assert result.progress.set_index("project_id").loc["P4", ["planned_year_ready", "delay_years"]].tolist() == [
        2028, 0]
    assert result.progress.set_index("project_id").loc["P1", "delay_years"] == 0
    assert "A" not in set(result.consequences["station_id"])
    assert set(result.consequences["station_id"]) == {"B", "C"}


def test_no_change_gives_no_rows(region):
    table = progress_table(pd.DataFrame(columns=["project_id", "reference_date", "project_status",
                                                 "expected_year_ready", "note"]), region.infrastructure)
    assert table["delay_years"].tolist() == [0, 0, 0, 0] and table["project_status"].isna().all()
    assert len(consequences(region, {})) == 0


def test_bad_status_rows_are_errors_naming_row_and_column(region, tmp_path):
    future = (dt.date.today() + dt.timedelta(days=30)).strftime("%d-%m-%Y")
    path = tmp_path / "status.csv"
    path.write_text("projectcode;peildatum;status;verwacht_gereed\n"
                    "P1;30-06-2026;vertraagd;2030\n"
                    "P9;30-06-2026;vertraagd;2031\n"
                    f"P2;{future};in_aanbouw;2027\n"
                    "P3;30-06-2026;geschrapt;2026\n", encoding="utf-8")
    read = read_layer(path, "status")
    with pytest.raises(ValidationError) as info:
        ep.monitor(region, read.data.assign(project_id=read.data["project_id"]))
    assert [(e.rows, e.code) for e in info.value.report.errors] == [([1], "unknown_project")]
    codes = {(e.rows[0], e.code) for e in read.report.errors}
    assert codes == {(2, "future_date"), (3, "cancelled_with_year")}
    text = read.report.to_text()
    assert "kolom peildatum (reference_date)" in text and "kolom verwacht_gereed (expected_year_ready)" in text


@pytest.mark.parametrize("fmt", ["xlsx", "gpkg"])
def test_status_from_a_workbook_and_a_geopackage(region, status, tmp_path, fmt):
    from openpyxl import Workbook

    path = tmp_path / f"status.{fmt}"
    if fmt == "xlsx":  # real spreadsheet dates in the peildatum column
        wb = Workbook()
        ws = wb.active
        ws.append(["projectcode", "peildatum", "status", "verwacht_gereed", "toelichting"])
        for r in status.itertuples(index=False):
            ws.append([r.project_id, dt.date.fromisoformat(r.reference_date), r.project_status,
                       None if pd.isna(r.expected_year_ready) else int(r.expected_year_ready), r.note])
        wb.save(path)
    else:
        frame = ep.labels.to_dutch(status.drop(columns=["source_row"]))
        pyogrio.write_dataframe(frame, path, layer="projectstatus")
    read = read_layer(path, "status")
    assert read.report.ok, read.report.to_text()
    cols = ["project_id", "reference_date", "project_status", "expected_year_ready"]
    pd.testing.assert_frame_equal(read.data[cols], status[cols])


def test_cli_monitor_writes_the_four_files(project, tmp_path):
    out = tmp_path / "uitvoer"
    result = runner.invoke(app, ["monitor", str(project / "project.toml"), "--status", str(project / "status.csv"),
                                 "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    voortgang = pd.read_csv(out / "voortgang.csv", dtype=str, keep_default_na=False)
    assert list(voortgang.columns) == ["project_id", "naam", "type_infra", "station_id", "gepland_gereed",
                                       "verwacht_gereed", "vertraging_jaren", "status", "peildatum", "toelichting",
                                       "verwacht_gereed_2025-12-31"]
    assert voortgang.set_index("project_id")["vertraging_jaren"].to_dict() == {"P1": "3", "P2": "-2", "P3": "",
                                                                              "P4": "0"}
    assert voortgang.set_index("project_id")["status"].to_dict() == {"P1": "vertraagd", "P2": "in_aanbouw",
                                                                    "P3": "geschrapt", "P4": ""}
    gevolgen = pd.read_csv(out / "gevolgen.csv", dtype=str, keep_default_na=False)
    assert list(gevolgen.columns) == ["station_id", "stationsnaam", "richting", "jaar", "tekort_gepland_mw",
                                      "tekort_verwacht_mw", "verschil_tekort_mw", "oorzaak_projecten",
                                      "wachtende_ontwikkelingen", "wachtend_mw"]
    assert len(gevolgen) == len(EXPECTED_ROWS) and set(gevolgen["richting"]) == {"afname"}
    xlsx = pd.read_excel(out / "voortgang.xlsx", dtype=str).fillna("")
    assert xlsx["project_id"].tolist() == ["P1", "P2", "P3", "P4"] and xlsx["status"].tolist()[0] == "vertraagd"
    html = (out / "voortgang.html").read_text(encoding="utf-8")
    assert "Halfjaarlijkse voortgangstoets — Handgeval" in html and "Station C (C)" in html
    assert "https://cdn" not in html and "unpkg.com" not in html  # Leaflet inlined


def test_cli_monitor_reads_the_status_layer_named_in_the_configuration(project, tmp_path):
    # The project names its status reports as [layers.status], with the user's own header for the project code
    # (mapping); `monitor` without --status reads them: the same delays as through --status (P1 three years late,
    # P2 two years early, P3 cancelled, P4 without a report).
    folder = tmp_path / "project"
    shutil.copytree(project, folder)
    (folder / "meldingen.csv").write_text(STATUS_CSV.replace("projectcode;", "code;"), encoding="utf-8")
    config = folder / "project.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + '[layers.status]\npath = "meldingen.csv"\nmapping = { project_id = "code" }\n',
                      encoding="utf-8")
    out = tmp_path / "uitvoer"
    result = runner.invoke(app, ["monitor", str(config), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    voortgang = pd.read_csv(out / "voortgang.csv", dtype=str, keep_default_na=False)
    assert voortgang.set_index("project_id")["vertraging_jaren"].to_dict() == {"P1": "3", "P2": "-2", "P3": "",
                                                                              "P4": "0"}
    # The status file is an input: an output folder over it is refused (exit 2), nothing written.
    over = runner.invoke(app, ["monitor", str(config), "--out", str(folder / "meldingen.csv"), "--quiet"])
    assert over.exit_code == 2 and (folder / "meldingen.csv").read_text(encoding="utf-8").startswith("code;")


def test_cli_monitor_names_the_configuration_key_of_a_bad_status_mapping(project, tmp_path):
    folder = tmp_path / "project"
    shutil.copytree(project, folder)
    config = folder / "project.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + '[layers.status]\npath = "status.csv"\nmapping = { project_id = "geen_kolom" }\n',
                      encoding="utf-8")
    result = runner.invoke(app, ["monitor", str(config), "--out", str(tmp_path / "u"), "--quiet"])
    assert result.exit_code == 2 and not (tmp_path / "u").exists()
    assert "layers.status.mapping" in result.output and "geen_kolom" in result.output


def test_cli_monitor_without_status_and_without_status_layer_exits_2(project, tmp_path):
    result = runner.invoke(app, ["monitor", str(project / "project.toml"), "--out", str(tmp_path / "u"), "--quiet"])
    assert result.exit_code == 2
    assert "--status ontbreekt" in result.output and "[layers.status]" in result.output


def test_cli_monitor_bad_status_exits_1_with_the_rows(project, tmp_path):
    bad = tmp_path / "status.csv"
    bad.write_text("projectcode;peildatum;status\nP9;30-06-2026;vertraagd\n", encoding="utf-8")
    out = tmp_path / "uitvoer"
    result = runner.invoke(app, ["monitor", str(project / "project.toml"), "--status", str(bad), "--out", str(out),
                                 "--quiet"])
    assert result.exit_code == 1
    assert "kolom projectcode (project_id): onbekend project" in result.output and "P9" in result.output
    assert not out.exists()  # nothing written


def test_cli_monitor_formula_text_is_neutralised(project, tmp_path):
    hostile = tmp_path / "status.csv"
    hostile.write_text("projectcode;peildatum;status;verwacht_gereed;toelichting\n"
                       "P1;30-06-2026;vertraagd;2030;=HYPERLINK(\"http://x\")\n"
                       "P2;30-06-2026;in_aanbouw;2027;<img src=x onerror=alert(1)>\n", encoding="utf-8")
    out = tmp_path / "uitvoer"
    result = runner.invoke(app, ["monitor", str(project / "project.toml"), "--status", str(hostile),
                                 "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "'=HYPERLINK" in (out / "voortgang.csv").read_text(encoding="utf-8")
    html = (out / "voortgang.html").read_text(encoding="utf-8")
    assert "=HYPERLINK(&#34;http://x&#34;)" in html or "=HYPERLINK(&quot;http://x&quot;)" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html  # shown as text


def test_sample_status_file_two_projects_slip():
    region = ep.load_sample()
    read = read_layer(Path(ep.sample.SAMPLE_CONFIG).parent / "status_2026H1.csv", "status")
    assert read.report.ok, read.report.to_text()
    result = ep.monitor(region, read.data, scenario=ep.sample_settings().scenario)
    assert result.scenario == "verwacht"
    assert result.progress["project_status"].notna().all()  # every project reported, P11 (the battery) too
    table = result.progress.set_index("project_id")
    assert table.loc[table["delay_years"] > 0].index.tolist() == ["P01", "P03"]
    assert table.loc["P02", "delay_years"] == -1
    cons = result.consequences
    assert [(r.station_id, r.direction, r.year) for r in cons.itertuples()] == [
        ("OBG", "feedin", 2030), ("TNZ", "offtake", 2032), ("TNZ", "offtake", 2033)]


def test_status_reports_are_stored_in_the_workspace_per_date_with_owner(db, project, status, tmp_path):
    import psycopg

    from energieplanologie.status_store import load_status, save_status

    assert save_status(db, status, owner="Stedin", origin=str(project / "status.csv")) == 5
    assert save_status(db, status, owner="Stedin") == 0  # the same reports again: nothing new
    # A status table in PostGIS reads like any layer (peildatum a real date column there).
    with psycopg.connect(db) as conn:
        conn.execute("CREATE TABLE public.status AS SELECT projectcode, peildatum, status, verwacht_gereed, "
                     "toelichting FROM voortgang.statusmeldingen")
    from_db = read_layer(db, "status", table="public.status")
    assert from_db.report.ok, from_db.report.to_text()
    cols = ["project_id", "reference_date", "project_status", "expected_year_ready", "note"]
    pd.testing.assert_frame_equal(from_db.data.sort_values(cols[:2]).reset_index(drop=True)[cols],
                                  status.sort_values(cols[:2]).reset_index(drop=True)[cols])
    corrected = status.copy()
    corrected.loc[corrected["project_id"] == "P2", "expected_year_ready"] = 2028
    assert save_status(db, corrected, owner="Provincie Zeeland") == 1  # a correction is a new row, and wins
    stored = load_status(db).set_index(["projectcode", "peildatum"])
    assert len(stored) == 5
    assert stored.loc[("P2", "2026-06-30"), "verwacht_gereed"] == 2028
    assert stored.loc[("P2", "2026-06-30"), "eigenaar"] == "Provincie Zeeland"
    assert stored.loc[("P1", "2025-12-31"), "status"] == "vergunning"  # stored as the Dutch word
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM voortgang.statusmeldingen").fetchone()[0] == 6
        for statement in ("DELETE FROM voortgang.statusmeldingen", "UPDATE voortgang.statusmeldingen SET status = 'x'",
                          "TRUNCATE voortgang.statusmeldingen"):
            with pytest.raises(psycopg.errors.RaiseException, match="statusmeldingen zijn vastgelegd"):
                conn.execute(statement)
            conn.rollback()

    # The command line: record the file's reports (P2 back to 2027: one new row), then check from the workspace.
    out_file, out_db = tmp_path / "uit_bestand", tmp_path / "uit_werkruimte"
    config = str(project / "project.toml")
    first = runner.invoke(app, ["monitor", config, "--status", str(project / "status.csv"), "--vastleggen", db,
                                "--eigenaar", "Stedin", "--out", str(out_file), "--quiet"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["monitor", config, "--status", db, "--out", str(out_db), "--quiet"])
    assert second.exit_code == 0, second.output
    for name in ("voortgang.csv", "gevolgen.csv"):
        assert (out_db / name).read_bytes() == (out_file / name).read_bytes(), name
    password = db.split(":")[2].split("@")[0]
    assert password not in first.output + second.output
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM voortgang.statusmeldingen").fetchone()[0] == 7
        sources = {r[0] for r in conn.execute("SELECT bron FROM voortgang.statusmeldingen WHERE bron IS NOT NULL")}
    assert sources == {str(project / "status.csv")}


def test_cli_monitor_compares_with_the_programme_of_a_frozen_round(project, region, tmp_path):
    # A round's results as a folder store keeps them: rondes/ronde_2025/uitvoer/energieplanologie.gpkg, layer
    # infrastructuur with Dutch headers. In that programme P1 was planned for 2030: its expected 2030 is no delay,
    # so only B (P2 early) and C (P3 cancelled) change.
    store = tmp_path / "rondes"
    gpkg = store / "ronde_2025" / "uitvoer" / "energieplanologie.gpkg"
    gpkg.parent.mkdir(parents=True)
    frozen = region.infrastructure.assign(year_ready=pd.array([2030, 2029, 2026, 2028], dtype="Int64"))
    pyogrio.write_dataframe(ep.labels.to_dutch(frozen.drop(columns=["source_row"])), gpkg, layer="infrastructuur")
    out = tmp_path / "uitvoer"
    result = runner.invoke(app, ["monitor", str(project / "project.toml"), "--status", str(project / "status.csv"),
                                 "--round", "2025", "--store", str(store), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    voortgang = pd.read_csv(out / "voortgang.csv", dtype=str, keep_default_na=False).set_index("project_id")
    assert voortgang.loc["P1", ["gepland_gereed", "vertraging_jaren"]].tolist() == ["2030", "0"]
    gevolgen = pd.read_csv(out / "gevolgen.csv", dtype=str, keep_default_na=False)
    assert set(gevolgen["station_id"]) == {"B", "C"}
    missing = runner.invoke(app, ["monitor", str(project / "project.toml"), "--status", str(project / "status.csv"),
                                  "--round", "2019", "--store", str(store), "--out", str(tmp_path / "x"), "--quiet"])
    assert missing.exit_code == 2 and "ronde 2019" in missing.output


def test_monitor_takes_a_frame_with_dutch_headers(region, project, result):
    # As a notebook user reads the CSV with pandas: Dutch headers and words, dates as text.
    frame = pd.read_csv(project / "status.csv", sep=";", dtype=str, keep_default_na=False)
    again = ep.monitor(region, frame, scenario="vastgesteld")
    pd.testing.assert_frame_equal(again.consequences, result.consequences)
    pd.testing.assert_frame_equal(again.progress, result.progress)
