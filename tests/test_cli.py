"""The command line as users script against it (DESIGN §9): exit codes, JSON, the demo output folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely import Point
from typer.testing import CliRunner

from energieplanologie import __version__
from energieplanologie.cli import app

runner = CliRunner()


def _ep(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "energieplanologie", *args], capture_output=True, text=True)


def test_version():
    result = _ep("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"energieplanologie {__version__}"


def _stations(tmp_path: Path, names: list[str], ids: list[str]) -> Path:
    path = tmp_path / "stations.gpkg"
    gpd.GeoDataFrame({"station_id": ids, "naam": names},
                     geometry=[Point(45000 + 1000 * i, 370000) for i in range(len(ids))],
                     crs="EPSG:28992").to_file(path, layer="stations")
    return path


def test_validate_valid_layer_exits_0_and_json_has_the_accounting(tmp_path):
    path = _stations(tmp_path, ["Alfa", "Bravo"], ["A", "B"])
    result = _ep("validate", str(path), "--kind", "stations", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["rows_in"], report["rows_kept"], report["rows_rejected"], report["ok"]) == (2, 2, 0, True)


def test_validate_errors_exit_1_and_name_the_rows(tmp_path):
    path = _stations(tmp_path, ["Alfa", "Bravo", "Charlie"], ["A", "B", "A"])
    result = _ep("validate", str(path), "--kind", "stations")
    assert result.returncode == 1
    # both rows that share id A are named (1-based rows 1 and 3 in the text)
    assert "rij 1" in result.stdout and "rij 3" in result.stdout and "id A" in result.stdout


def test_validate_unreadable_exits_2(tmp_path):
    path = tmp_path / "leeg.gpkg"
    path.write_bytes(b"")
    result = _ep("validate", str(path), "--kind", "stations")
    assert result.returncode == 2
    assert "leeg.gpkg" in result.stderr


def test_validate_unknown_kind_exits_2(tmp_path):
    path = _stations(tmp_path, ["Alfa"], ["A"])
    result = runner.invoke(app, ["validate", str(path), "--kind", "rivers"])
    assert result.exit_code == 2


def test_validate_machine_progress_lines(tmp_path):
    path = _stations(tmp_path, ["Alfa"], ["A"])
    result = _ep("validate", str(path), "--kind", "stations", "--machine-progress", "--json")
    lines = [line for line in result.stderr.splitlines() if line.startswith("@@progress ")]
    assert lines and json.loads(lines[-1].split(" ", 1)[1])["pct"] == 100.0


def test_validate_with_mapping_file(tmp_path):
    path = tmp_path / "s.gpkg"
    gpd.GeoDataFrame({"code": ["A"], "benaming": ["Alfa"]}, geometry=[Point(45000, 370000)],
                     crs="EPSG:28992").to_file(path)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[mapping]\nstation_id = "code"\nname = "benaming"\n', encoding="utf-8")
    assert _ep("validate", str(path), "--kind", "stations").returncode == 1
    assert _ep("validate", str(path), "--kind", "stations", "--mapping", str(mapping)).returncode == 0


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "uitvoer"
    result = _ep("demo", "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    return out


def test_demo_writes_the_geopackage_in_rd_with_expected_row_counts(demo_out, sample_region):
    gpkg = demo_out / "energieplanologie.gpkg"
    layers = dict(pyogrio.list_layers(gpkg))
    expected = {"gemeenten": sample_region.municipalities, "stations": sample_region.stations,
                "infrastructuur": sample_region.infrastructure, "ontwikkelingen": sample_region.developments}
    for name, frame in expected.items():
        assert name in layers
        back = gpd.read_file(gpkg, layer=name)
        assert back.crs.to_epsg() == 28992
        assert len(back) == len(frame)
    # Dutch headers in the export
    assert "naam" in gpd.read_file(gpkg, layer="ontwikkelingen").columns
    # and Dutch values: what a GIS specialist sees in QGIS's attribute table
    balance = pyogrio.read_dataframe(gpkg, layer="stationsbalans")
    assert set(balance["richting"]) == {"afname", "invoeding"}
    assert set(balance["status"]) == {"rood", "oranje", "groen", "onbekend"}
    hotspots = pyogrio.read_dataframe(gpkg, layer="knooppunten")
    assert set(hotspots["niveau"]) == {"lokaal", "provinciaal"} and set(hotspots["wijziging"]) <= {
        "nieuw", "groeiend", "stabiel", "krimpend"}
    assert set(pyogrio.read_dataframe(gpkg, layer="knooppunt_leden")["soort_lid"]) <= {"ontwikkeling", "infrastructuur"}
    assert "woningbouw" in set(pyogrio.read_dataframe(gpkg, layer="ontwikkelingen")["sector"])
    csv = (demo_out / "stationsbalans.csv").read_text(encoding="utf-8").splitlines()
    assert csv[1].split(",")[6] == "afname" and csv[1].split(",")[16] in {"rood", "oranje", "groen", "onbekend"}
    # flexbehoefte (issue 20): the CSV and the layer; Hulst 50 kV's feed-in stays short from 2035 even with the
    # battery P11 and the cable pool (verwacht: 10,0 MW in 2040), and no project ends that window.
    need = pd.read_csv(demo_out / "flexbehoefte.csv", dtype={"opgelost_door": str}, keep_default_na=False)
    assert list(need.columns[:8]) == ["station_id", "stationsnaam", "energiedrager", "richting", "scenario",
                                      "van_jaar", "tot_jaar", "max_tekort_mw"]
    hst = need[(need["station_id"] == "HST") & (need["scenario"] == "verwacht")].iloc[0]
    assert (hst["richting"], hst["van_jaar"], hst["tot_jaar"], hst["opgelost_door"]) == ("invoeding", 2035, 2040, "")
    assert hst["max_tekort_mw"] == pytest.approx(10.0, abs=0.01)
    assert len(pyogrio.read_dataframe(gpkg, layer="flexbehoefte")) == len(need)


def test_demo_writes_the_validation_report(demo_out, sample_region):
    data = json.loads((demo_out / "validatie.json").read_text(encoding="utf-8"))
    assert data["region"] == "Zeeuws-Vlaanderen"
    for layer in data["layers"].values():
        assert layer["rows_in"] == layer["rows_kept"] + layer["rows_rejected"]
    assert "rijen gelezen" in (demo_out / "validatie.txt").read_text(encoding="utf-8")
    # The shipped sample is valid as it is: not one repair or warning (its Dutch headers and values, decimal
    # commas and WGS84 municipalities are read as documented: notes, not repairs). Its extra columns (CBS figures,
    # OSM names, toelichting, bron) are kept and noted once per layer (issue 20).
    for kind, layer in data["layers"].items():
        assert (layer["errors"], layer["repairs"], layer["warnings"]) == ([], [], []), kind
    assert data["layers"]["station_capacity"]["notes"]  # e.g. "kolom 'jaar' gelezen als 'year'"
    assert any(n["code"] == "unknown_columns" and "osm_naam" in n["message"]
               for n in data["layers"]["stations"]["notes"])
    text = (demo_out / "validatie.txt").read_text(encoding="utf-8")
    assert text.count("0 fouten, 0 reparaties, 0 waarschuwingen") == 6 and "Reparaties:" not in text


@pytest.mark.parametrize(("file", "kind"), [
    ("gemeenten.geojson", "municipalities"), ("stations.gpkg", "stations"), ("capaciteit.csv", "station_capacity"),
    ("projecten.gpkg", "infrastructure"), ("ontwikkelingen.gpkg", "developments"), ("beperkingen.gpkg", "constraints"),
])
def test_every_sample_layer_validates_without_a_repair_or_warning(file, kind):
    from energieplanologie.sample import SAMPLE_CONFIG

    result = runner.invoke(app, ["validate", str(Path(SAMPLE_CONFIG).parent / file), "--kind", kind, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["errors"], report["repairs"], report["warnings"]) == ([], [], [])


def test_step_commands_write_the_validation_json_and_skip_charts_on_request(tmp_path):
    out = tmp_path / "balans"
    report = tmp_path / "validatie.json"
    result = _ep("balance", "--out", str(out), "--quiet", "--geen-grafieken", "--validation-json", str(report))
    assert result.returncode == 0, result.stderr
    assert not (out / "stationsgrafieken").exists()
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["region"] == "Zeeuws-Vlaanderen" and data["layers"]["developments"]["rows_in"] >= 50


def test_overview_json_has_the_tables_of_the_page(tmp_path, sample_region):
    from energieplanologie.allocation import allocate_region
    from energieplanologie.balance import station_balance
    from energieplanologie.overview import municipality_overview

    result = _ep("overview", "--out", str(tmp_path), "--quiet")
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "gemeenten" / "GM0715.json").read_text(encoding="utf-8"))
    alloc = allocate_region(sample_region)
    ov = municipality_overview(sample_region, "GM0715", balance=station_balance(sample_region, allocation=alloc),
                               allocation=alloc)
    # JSON keys of years are text; otherwise the same tables as the core's overview of Terneuzen (the summary also
    # counts knooppunten, which this direct overview was not given)
    expected = json.loads(json.dumps(ov.tables_dict()))
    lines = ("summary", "summaries")
    assert {k: v for k, v in data.items() if k not in lines} == {k: v for k, v in expected.items() if k not in lines}
    assert sorted(data["summaries"]) == ["2025", "2030", "2035", "2040"]  # one line per year for the QGIS dock
    assert data["summaries"]["2040"] == data["summary"]
    tnz = [s for s in data["stations"] if s["station_id"] == "TNZ" and s["direction"] == "offtake"][0]
    assert tnz["status"]["2030"] == "red" and tnz["first_shortage_year"] == 2030


def _sample_config_with(tmp_path: Path, developments: Path, layer: str | None = None) -> Path:
    """The sample's project.toml, copied beside its files, with another developments source."""
    import shutil

    from energieplanologie.sample import SAMPLE_CONFIG

    folder = tmp_path / "project"
    shutil.copytree(Path(SAMPLE_CONFIG).parent, folder)
    text = (folder / "project.toml").read_text(encoding="utf-8")
    start = text.index("[layers.developments]")
    end = text.index("[layers.constraints]")
    table = f'[layers.developments]\npath = "{developments.as_posix()}"\n' + (f'layer = "{layer}"\n' if layer else "")
    (folder / "project.toml").write_text(text[:start] + table + "\n" + text[end:], encoding="utf-8")
    return folder / "project.toml"


@pytest.mark.parametrize(("file", "reason", "hint"), [
    # The bad corpus: two developments without a CRS, and a GeoPackage layer without features.
    ("no_crs.gpkg", "de laag heeft geen coördinatenstelsel",
     'Zet crs = "EPSG:28992" (of het stelsel van de coördinaten) onder [layers.developments].'),
    ("empty_layer.gpkg", "de laag bevat geen rijen", "Kies onder [layers.developments] een bron met objecten"),
])
def test_a_supplied_layer_without_usable_rows_stops_the_analysis(tmp_path, file, reason, hint):
    config = _sample_config_with(tmp_path, Path(__file__).parent / "data" / "bad" / file)
    report = tmp_path / "validatie.json"
    result = _ep("balance", str(config), "--out", str(tmp_path / "uit"), "--quiet", "--validation-json", str(report))
    assert result.returncode == 1, result.stderr
    message = " ".join(result.stderr.split())
    assert f"Ontwikkelingen ({Path(__file__).parent / 'data' / 'bad' / file}): geen bruikbare rijen — {reason}." in message
    assert hint in message and "--crs" not in message  # the configuration's key, not a command-line option
    assert message.count("geen bruikbare rijen") == 1  # said once
    assert not (tmp_path / "uit" / "stationsbalans.csv").exists()  # no balance without the developments
    # The validation report is there for the plugin and the user, with the layer's own finding.
    layers = json.loads(report.read_text(encoding="utf-8"))["layers"]
    assert layers["developments"]["rows_kept"] == 0
    # `run` stops the same way, before writing any output.
    result = _ep("run", str(config), "--out", str(tmp_path / "alles"), "--quiet")
    assert result.returncode == 1 and "geen bruikbare rijen" in result.stderr
    assert not (tmp_path / "alles" / "energieplanologie.gpkg").exists()


def test_validate_names_the_crs_option_on_the_command_line():
    result = runner.invoke(app, ["validate", str(Path(__file__).parent / "data" / "bad" / "no_crs.gpkg"),
                                 "--kind", "developments"])
    assert result.exit_code == 1
    assert "de laag heeft geen coördinatenstelsel" in result.output and "--crs EPSG:28992" in result.output


def test_atlas_command_writes_the_layers_and_tables_of_one_year(tmp_path):
    result = _ep("atlas", "--out", str(tmp_path), "--year", "2035", "--quiet")
    assert result.returncode == 0, result.stderr
    gpkg = tmp_path / "atlas.gpkg"
    names = [name for name, _ in pyogrio.list_layers(gpkg)]
    assert names[-4:] == ["atlas_sectoren", "atlas_stations", "atlas_projecten", "atlas_knooppunten"]
    balance = pyogrio.read_dataframe(gpkg, layer="stationsbalans")
    assert set(balance["jaar"]) == {2035} and set(balance["richting"]) == {"afname", "invoeding"}
    assert set(pyogrio.read_dataframe(gpkg, layer="knooppunten")["jaar"]) == {2035}
    result = _ep("atlas", "--out", str(tmp_path / "x"), "--year", "2033", "--quiet")
    assert result.returncode == 2 and "2033 is geen analysejaar (2025, 2030, 2035, 2040)" in result.stderr
