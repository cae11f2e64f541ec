"""Every algorithm from the command line: ``qgis_process run energieplanologie:…`` with the plugin installed from the
built zip into a fresh profile and the engine from ``ENERGIEPLANOLOGIE_ENGINE``. The outputs (files) must carry
the core's numbers, as through ``processing.run``.

The runs are independent ``qgis_process`` processes; they run a few at a time and the tests read their outputs.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("qgis.core")

from conftest import ENV_VAR, QGIS_PROCESS, SAMPLE_DIR, SAMPLE_MAPPINGS, install_zip
from parity import (
    check_assessment,
    check_balance,
    check_density,
    check_hotspots,
    check_map,
    check_overviews,
    check_project_list,
    vector,
)

pytestmark = pytest.mark.qgis_process

S = SAMPLE_DIR
#: The sample region as command-line parameters: a layer with mixed geometries as one value per geometry type.
REGION = [
    f"MUNICIPALITIES={S / 'gemeenten.geojson'}",
    f"STATIONS={S / 'stations.gpkg'}|layername=stations",
    f"STATION_CAPACITY={S / 'capaciteit.csv'}",
    f"INFRASTRUCTURE={S / 'projecten.gpkg'}|layername=projecten|geometrytype=Point",
    f"INFRASTRUCTURE={S / 'projecten.gpkg'}|layername=projecten|geometrytype=LineString",
    f"DEVELOPMENTS={S / 'ontwikkelingen.gpkg'}|layername=ontwikkelingen|geometrytype=Point",
    f"DEVELOPMENTS={S / 'ontwikkelingen.gpkg'}|layername=ontwikkelingen|geometrytype=Polygon",
    f"CONSTRAINTS={S / 'beperkingen.gpkg'}|layername=beperkingen",
    *(f"{key}={value}" for key, value in SAMPLE_MAPPINGS.items()),
    "REGION_NAME=Zeeuws-Vlaanderen", "SCENARIO=1", "YEARS=2025, 2030, 2035, 2040",
]
SCORES = f"USER_SCORES={S / 'beoordelingen.csv'}"


def runs(out: Path) -> dict[str, list[str]]:
    return {
        "station_balance": [*REGION, f"OUTPUT={out / 'stationsbalans.gpkg'}",
                            f"OUTPUT_ALL_YEARS={out / 'stationsbalans_alle_jaren.gpkg'}"],
        "hotspots": [*REGION, "METHOD=2", "EPS_M=3000", "MIN_MW=20", f"OUTPUT={out / 'knooppunten.gpkg'}",
                     f"OUTPUT_MEMBERS={out / 'leden.gpkg'}", f"OUTPUT_HEXAGONS={out / 'hexagonen.gpkg'}",
                     f"OUTPUT_ALL_YEARS={out / 'knooppunten_alle_jaren.gpkg'}"],
        "density": [*REGION, f"OUTPUT={out / 'dichtheid.tif'}"],
        "assessment": [*REGION, SCORES, f"OUTPUT={out / 'afweging.gpkg'}"],
        "pmiek_export": [*REGION, SCORES, "PDF=false", f"OUTPUT_FOLDER={out / 'pmiek'}"],
        "municipality_overview": [*REGION, f"OUTPUT_FOLDER={out / 'overzichten'}"],
        "publish_map": [*REGION, f"OUTPUT={out / 'kaart.html'}"],
        "municipality_atlas": [*REGION, "PAGE_SIZE=1", f"OUTPUT_PROJECT={out / 'atlas' / 'atlas.qgz'}",
                               f"OUTPUT_PDF={out / 'atlas' / 'atlas.pdf'}"],
        "load_sample": [f"OUTPUT_FOLDER={out / 'voorbeeldregio'}"],
        "monitor": [*REGION, f"STATUS={S / 'status_2026H1.csv'}", f"OUTPUT_FOLDER={out / 'voortgang'}",
                    f"OUTPUT_PROGRESS={out / 'voortgang.gpkg'}", f"OUTPUT_CONSEQUENCES={out / 'gevolgen.gpkg'}"],
    }


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, engine_python: str, plugin_zip: Path) -> dict[str, dict[str, Any]]:
    """Install the zip into a fresh profile, enable it, run every algorithm; per algorithm its JSON answer."""
    base = tmp_path_factory.mktemp("qgis_process")
    env = {**install_zip(plugin_zip, base), ENV_VAR: engine_python}
    out = base / "uitvoer"
    out.mkdir()

    def run(item: tuple[str, list[str]]) -> tuple[str, dict[str, Any]]:
        algorithm, args = item
        proc = subprocess.run([QGIS_PROCESS, "--json", "run", f"energieplanologie:{algorithm}", "--", *args], env=env,
                              capture_output=True, text=True, timeout=1200)
        answer: dict[str, Any] = {"returncode": proc.returncode, "stderr": proc.stderr[-3000:]}
        if proc.returncode == 0:
            answer.update(json.loads(proc.stdout))
        return algorithm, answer

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(run, runs(out).items()))


def results(cli: dict[str, dict[str, Any]], algorithm: str) -> dict[str, Any]:
    answer = cli[algorithm]
    assert answer["returncode"] == 0, answer["stderr"]
    return answer["results"]


def test_station_balance(cli: dict[str, dict[str, Any]], core: dict[str, Any]) -> None:
    out = results(cli, "station_balance")
    assert out["ROWS_REJECTED"] == 0
    # Default: the last year (2040) and the chosen scenario only, one point per station and direction.
    check_balance(vector(out["OUTPUT"]), core, year=2040, scenario="verwacht")
    check_balance(vector(out["OUTPUT_ALL_YEARS"]), core, scenario="verwacht")
    # The developments came in as two values of one parameter, written as one layer.
    log = "\n".join(cli["station_balance"]["log"]["info"])
    assert "Ontwikkelingen: 'ontwikkelingen (punten)' (21) + 'ontwikkelingen (vlakken)' (39) → ontwikkelingen" in log


def test_hotspots_gistar(cli: dict[str, dict[str, Any]], core: dict[str, Any]) -> None:
    out = results(cli, "hotspots")
    check_hotspots(vector(out["OUTPUT"]), vector(out["OUTPUT_MEMBERS"]), vector(out["OUTPUT_HEXAGONS"]), "gistar",
                   core, year=2040)
    check_hotspots(vector(out["OUTPUT_ALL_YEARS"]), None, None, "gistar", core)


def test_density(cli: dict[str, dict[str, Any]], core: dict[str, Any]) -> None:
    check_density(results(cli, "density")["OUTPUT"], core)


def test_assessment(cli: dict[str, dict[str, Any]], core: dict[str, Any]) -> None:
    check_assessment(vector(results(cli, "assessment")["OUTPUT"]), core)


def test_pmiek_export(cli: dict[str, dict[str, Any]], core: dict[str, Any]) -> None:
    out = results(cli, "pmiek_export")
    check_project_list(out["OUTPUT_CSV"], core)
    assert out["PROJECTS"] == len(core["pmiek"]["names"])


def test_municipality_overview(cli: dict[str, dict[str, Any]], core: dict[str, Any]) -> None:
    out = results(cli, "municipality_overview")
    assert out["MUNICIPALITIES_WRITTEN"] == 3
    check_overviews(out["OUTPUT_FOLDER"], core)


def test_publish_map(cli: dict[str, dict[str, Any]], core: dict[str, Any]) -> None:
    check_map(results(cli, "publish_map")["OUTPUT"], core)


def test_municipality_atlas(cli: dict[str, dict[str, Any]]) -> None:
    # qgis_process runs the layout step (postProcessAlgorithm) too: the project and an A3 PDF, a page a municipality.
    out = results(cli, "municipality_atlas")
    assert out["PAGES"] == 3 and Path(out["OUTPUT_PROJECT"]).is_file()
    assert Path(out["OUTPUT_PROJECT"]).with_name("atlas_gegevens.gpkg").is_file()
    assert Path(out["OUTPUT_PDF"]).read_bytes().startswith(b"%PDF")


def test_monitor(cli: dict[str, dict[str, Any]]) -> None:
    # The sample's status file (its README): P01 one year and P03 two years late, P02 a year early → 2 projects
    # delayed; 3 station-years change: Oostburg feed-in 2030, Terneuzen offtake 2032 and 2033.
    out = results(cli, "monitor")
    assert out["PROJECTS_DELAYED"] == 2 and out["ROWS_CHANGED"] == 3
    consequences = vector(out["OUTPUT_CONSEQUENCES"])
    assert sorted((f["station_id"], f["richting"], f["jaar"]) for f in consequences.getFeatures()) == [
        ("OBG", "invoeding", 2030), ("TNZ", "afname", 2032), ("TNZ", "afname", 2033)]
    html = Path(out["OUTPUT_HTML"])
    assert html.name == "voortgang.html" and "Voortgang" in html.read_text(encoding="utf-8")


def test_load_sample(cli: dict[str, dict[str, Any]], core: dict[str, Any]) -> None:
    out = results(cli, "load_sample")
    folder = Path(out["OUTPUT_FOLDER"])
    # Nothing to load into in qgis_process, but the full output folder is there, with the layers counted as in QGIS.
    assert out["LAYERS_LOADED"] == 15
    for name in ("energieplanologie.gpkg", "kaart.html", "validatie.json", "dichtheid_mw_per_km2.tif",
                 "gemeenten/index.html", "pmiek/projectenlijst.xlsx"):
        assert (folder / name).is_file(), name
    assert vector(out["OUTPUT_GPKG"], "stations").featureCount() == core["counts"]["stations"]
    check_overviews(str(folder), core)
