"""Every analysis algorithm through ``processing.run("energieplanologie:…")`` on the sample region loaded as QGIS
layers, its result equal to the core's on the same data (parity; the core's numbers come from the engine's Python,
``core_results.py``). Each algorithm runs once per module; the tests read its outputs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("qgis.core")

from conftest import RecordingFeedback, sample_layers, sample_parameters
from parity import (
    check_assessment,
    check_balance,
    check_density,
    check_hotspots,
    check_map,
    check_overviews,
    check_project_list,
)
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsDateTimeRange,
    QgsFeatureRequest,
    QgsProcessingException,
    QgsProject,
)

SAMPLE_SCORES = Path(__file__).resolve().parents[2] / "energieplanologie" / "sample_data" / "zeeuws-vlaanderen" / \
    "beoordelingen.csv"


def run(algorithm: str, parameters: dict[str, Any], feedback: Any = None) -> tuple[dict[str, Any], Any]:
    import processing

    feedback = feedback or RecordingFeedback.make()
    return processing.run(f"energieplanologie:{algorithm}", parameters, feedback=feedback), feedback


# ------------------------------------------------------------------------------------------------ balance


@pytest.fixture(scope="module")
def balance_run(provider: object, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Run as from the toolbox with the default parameters (plus the CSV and the all-years layer): the outputs are
    loaded into the project (styled, named, the all-years one temporal)."""
    import processing

    out = tmp_path_factory.mktemp("balans")
    feedback = RecordingFeedback.make()
    params = sample_parameters(OUTPUT="TEMPORARY_OUTPUT", OUTPUT_CSV=str(out / "stationsbalans.csv"),
                               OUTPUT_ALL_YEARS="TEMPORARY_OUTPUT")
    project = QgsProject.instance()
    from qgis.PyQt.QtCore import QDateTime

    project.timeSettings().setTemporalRange(QgsDateTimeRange(QDateTime(), QDateTime()))  # no time range yet
    result = processing.runAndLoadResults("energieplanologie:station_balance", params, feedback=feedback)
    layer = project.mapLayer(result["OUTPUT"])
    every = project.mapLayer(result["OUTPUT_ALL_YEARS"])
    yield result, feedback, out, layer, every
    project.removeMapLayers([layer.id(), every.id()])


def test_station_balance_equals_the_core(balance_run: tuple, core: dict[str, Any]) -> None:
    # Default parameters: the last analysis year and the chosen scenario, one point per station and direction
    # (16 stations × 2 = 32), named so.
    layer = balance_run[3]
    assert layer.name() == "Stationsbalans 2040 — verwacht"
    got = check_balance(layer, core, year=2040, scenario="verwacht")
    assert len(got) == 32 and {(k[1], k[2]) for k in got} == {("verwacht", 2040)}
    # By hand: Hulst 50 kV (HST) in 2040, offtake: capacity 45 MW, baseline load 35 MW (capaciteit.csv, row
    # "HST;2040;45;25;35;21,8") plus the developments connected to it; room = capacity − load.
    hst = got[("HST", "verwacht", 2040, "afname")]
    assert (hst["capaciteit_mw"], hst["basislast_mw"]) == (45.0, 35.0)
    assert hst["ruimte_mw"] == pytest.approx(45.0 - hst["last_mw"])
    # Every year of the chosen scenario in the all-years layer: 16 × 2 × 4 = 128, with the year in the name range.
    every = check_balance(balance_run[4], core, scenario="verwacht")
    assert len(every) == 128 and balance_run[4].name() == "Stationsbalans 2025–2040 — verwacht"
    # By hand: HST in 2025 has no development yet: 45 MW capacity − 26 MW baseline (row "HST;2025;45;25;26;14")
    # = 19 MW room, groen.
    hst = every[("HST", "verwacht", 2025, "afname")]
    assert (hst["capaciteit_mw"], hst["last_mw"], hst["ruimte_mw"], hst["status"]) == (45.0, 26.0, 19.0, "groen")


def test_station_balance_is_loaded_styled_by_status(balance_run: tuple) -> None:
    renderer = balance_run[3].renderer()
    assert renderer.type() == "categorizedSymbol" and renderer.classAttribute() == "status"
    assert {c.value(): c.label() for c in renderer.categories()} == {
        "rood": "Tekort", "oranje": "Krap", "groen": "Ruimte", "onbekend": "Capaciteit onbekend"}


def test_all_years_balance_steps_through_the_years_with_the_temporal_controller(balance_run: tuple) -> None:
    from qgis.core import QgsVectorLayerTemporalContext
    from qgis.PyQt.QtCore import QDate, QDateTime, QTime

    every = balance_run[4]
    props = every.temporalProperties()
    assert props.isActive() and '"jaar"' in props.startExpression()
    assert every.renderer().classAttribute() == "status"  # styled as the one-year layer
    context = QgsVectorLayerTemporalContext()
    context.setLayer(every)

    def shown(year: int) -> set[int]:
        start = QDateTime(QDate(year, 1, 1), QTime(0, 0))
        frame = QgsDateTimeRange(start, start.addYears(1), True, False)
        request = QgsFeatureRequest().setFilterExpression(props.createFilterString(context, frame))
        return {f["jaar"] for f in every.getFeatures(request)}

    # A yearly step shows one analysis year at a time: its own, or the last one before it (2032 → 2030).
    assert [shown(y) for y in (2025, 2030, 2032, 2040)] == [{2025}, {2030}, {2030}, {2040}]
    # The project had no time range: it now covers the analysis years, stepping a year at a time.
    settings = QgsProject.instance().timeSettings()
    assert (settings.temporalRange().begin().date().year(), settings.temporalRange().end().date().year()) == (
        2025, 2041)
    assert settings.timeStep() == 1.0


def test_station_balance_reports_the_inputs_and_writes_the_csv(balance_run: tuple) -> None:
    result, feedback, out, _layer, _every = balance_run
    assert result["ROWS_REJECTED"] == 0
    assert feedback.errors == []
    infos = "\n".join(feedback.infos)
    # The developments came from two QGIS layers (21 points, 39 polygons) written into one GeoPackage layer.
    assert "Ontwikkelingen: 'ontwikkelingen punten' (21) + 'ontwikkelingen vlakken' (39) → ontwikkelingen" in infos
    assert "Ontwikkelingen: 60 rijen gelezen, 60 behouden, 0 afgewezen." in infos
    # The municipalities' mapping is reported with the user's own column names, as recognised, not as a repair:
    # the sample as a QGIS user loads it (the CSV's columns as text, decimal commas) needs no repair at all.
    assert "Gemeenten: herkend: kolom statcode (municipality_code)" in infos
    assert "Stationscapaciteit (tabel): herkend: kolom jaar (year): kolom 'jaar' gelezen als 'year'" in infos
    assert not any("reparatie" in line for line in infos) and feedback.warnings == []
    with open(result["OUTPUT_CSV"], encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == 129  # header + 16 stations × 4 years × 2 directions of the chosen scenario
    assert Path(result["OUTPUT_CSV"]).parent == out


# ------------------------------------------------------------------------------------------------ knooppunten


@pytest.fixture(scope="module", params=["dbscan", "hdbscan", "gistar"])
def hotspots_run(request: pytest.FixtureRequest, provider: object) -> tuple[str, dict[str, Any], Any]:
    method = request.param
    params = sample_parameters(METHOD=["dbscan", "hdbscan", "gistar"].index(method), EPS_M=3000, MIN_MW=20,
                               OUTPUT="TEMPORARY_OUTPUT", OUTPUT_MEMBERS="TEMPORARY_OUTPUT",
                               OUTPUT_HEXAGONS="TEMPORARY_OUTPUT")
    result, feedback = run("hotspots", params)
    return method, result, feedback


def test_hotspots_equal_the_core(hotspots_run: tuple, core: dict[str, Any]) -> None:
    method, result, feedback = hotspots_run
    found = check_hotspots(result["OUTPUT"], result["OUTPUT_MEMBERS"], result.get("OUTPUT_HEXAGONS"), method, core,
                           year=2040)
    if method != "gistar":
        assert "OUTPUT_HEXAGONS" not in result
        assert any("alleen bij de methode Gi*" in w for w in feedback.warnings)
    if method == "dbscan":
        # The sample's design (README): with 3 km and 20 MW, three knooppunten in 2040 — Kanaalzone Terneuzen
        # (393.8 MW) and Oostburg (49.6 MW) provincial, Hulst (29.3 MW) local.
        in_2040 = sorted((round(r["totaal_mw"], 1), r["niveau"]) for r in found)
        assert in_2040 == [(29.3, "lokaal"), (49.5, "provinciaal"), (393.8, "provinciaal")]


def test_knooppunten_default_is_one_polygon_per_knooppunt_and_all_years_are_temporal(provider: object) -> None:
    import processing

    params = sample_parameters(METHOD=0, EPS_M=3000, MIN_MW=20, OUTPUT="TEMPORARY_OUTPUT",
                               OUTPUT_ALL_YEARS="TEMPORARY_OUTPUT")
    result = processing.runAndLoadResults("energieplanologie:hotspots", params, feedback=RecordingFeedback.make())
    project = QgsProject.instance()
    layer, every = project.mapLayer(result["OUTPUT"]), project.mapLayer(result["OUTPUT_ALL_YEARS"])
    try:
        # The sample's three knooppunten of 2040 (README), each once: no polygons of other years on top.
        assert layer.name() == "Knooppunten 2040 — verwacht"
        names = sorted(f["naam"] for f in layer.getFeatures())
        assert names == ["Knooppunt Hulst", "Knooppunt Oostburg", "Knooppunt Sluiskil"]
        assert {f["jaar"] for f in layer.getFeatures()} == {2040}
        assert every.name() == "Knooppunten 2025–2040 — verwacht" and every.temporalProperties().isActive()
        assert every.featureCount() == 9 and '"jaar"' in every.temporalProperties().startExpression()
        assert {f["niveau"] for f in every.getFeatures()} == {"lokaal", "provinciaal"}
    finally:
        project.removeMapLayers([layer.id(), every.id()])


def test_an_earlier_year_is_one_year_too(provider: object) -> None:
    import processing

    params = sample_parameters(OUTPUT="TEMPORARY_OUTPUT", YEAR=2030)
    result = processing.runAndLoadResults("energieplanologie:station_balance", params,
                                          feedback=RecordingFeedback.make())
    layer = QgsProject.instance().mapLayer(result["OUTPUT"])
    try:
        assert layer.name() == "Stationsbalans 2030 — verwacht"
        assert layer.featureCount() == 32 and {f["jaar"] for f in layer.getFeatures()} == {2030}
    finally:
        QgsProject.instance().removeMapLayer(layer.id())


# ------------------------------------------------------------------------------------------------ density


@pytest.fixture(scope="module")
def density_run(provider: object, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    target = tmp_path_factory.mktemp("dichtheid") / "dichtheid.tif"
    result, _feedback = run("density", sample_parameters(OUTPUT=str(target)))
    return result


def test_density_raster_equals_the_core(density_run: dict[str, Any], core: dict[str, Any]) -> None:
    check_density(density_run["OUTPUT"], core)
    # The engine's colour scale, scaled to this raster, travels with the output.
    assert Path(density_run["OUTPUT"]).with_suffix(".qml").is_file()


# ------------------------------------------------------------------------------------------------ afweging, pMIEK


@pytest.fixture(scope="module")
def assessment_run(provider: object) -> dict[str, Any]:
    result, _feedback = run("assessment", sample_parameters(USER_SCORES=str(SAMPLE_SCORES), OUTPUT="TEMPORARY_OUTPUT",
                                                            OUTPUT_REASONS="TEMPORARY_OUTPUT"))
    return result


def test_assessment_equals_the_core(assessment_run: dict[str, Any], core: dict[str, Any]) -> None:
    check_assessment(assessment_run["OUTPUT"], core)
    # One reason per project and criterion A–H.
    assert assessment_run["OUTPUT_REASONS"].featureCount() == 8 * len(core["assessment"])


@pytest.fixture(scope="module")
def pmiek_run(provider: object, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("pmiek")
    result, _feedback = run("pmiek_export", sample_parameters(USER_SCORES=str(SAMPLE_SCORES), PDF=False,
                                                              OUTPUT_FOLDER=str(folder)))
    return result


def test_pmiek_project_list_equals_the_core(pmiek_run: dict[str, Any], core: dict[str, Any]) -> None:
    check_project_list(pmiek_run["OUTPUT_CSV"], core)
    assert Path(pmiek_run["OUTPUT_XLSX"]).stat().st_size > 0
    # One project sheet per listed project.
    assert pmiek_run["PROJECTS"] == len(core["pmiek"]["names"])
    assert Path(pmiek_run["OUTPUT_SHEETS"]).is_file()


# ------------------------------------------------------------------------------------------------ publishing


@pytest.fixture(scope="module")
def overview_run(provider: object, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("overzichten")
    result, _feedback = run("municipality_overview", sample_parameters(OUTPUT_FOLDER=str(folder)))
    return result


def test_municipality_overviews_equal_the_core(overview_run: dict[str, Any], core: dict[str, Any]) -> None:
    assert overview_run["MUNICIPALITIES_WRITTEN"] == 3
    assert Path(overview_run["OUTPUT_INDEX"]).is_file()
    check_overviews(overview_run["OUTPUT_FOLDER"], core)


def test_interactive_map_is_one_self_contained_page_of_the_region(provider: object, tmp_path: Path,
                                                                   core: dict[str, Any]) -> None:
    target = tmp_path / "kaart.html"
    result, _feedback = run("publish_map", sample_parameters(OUTPUT=str(target), YEAR=2030))
    assert result["OUTPUT"] == str(target)
    check_map(result["OUTPUT"], core)


# ------------------------------------------------------------------------------------------------ bad input


def test_rejected_rows_are_named_by_layer_row_and_column(provider: object, tmp_path: Path) -> None:
    layers = sample_layers()
    points = layers["DEVELOPMENTS"][0].materialize(QgsFeatureRequest())
    points.setName("ontwikkelingen punten (bewerkt)")
    ids = [f.id() for f in points.getFeatures()]
    afname = points.fields().lookupField("afname_mw")
    sector = points.fields().lookupField("sector")
    # Row 2 of the point layer gets a negative offtake, row 5 an unknown sector.
    points.dataProvider().changeAttributeValues({ids[1]: {afname: -5.0}, ids[4]: {sector: "zonnepark"}})
    params = sample_parameters(OUTPUT=str(tmp_path / "d.tif"))
    params["DEVELOPMENTS"] = [points, layers["DEVELOPMENTS"][1]]
    result, feedback = run("density", params)
    assert result["ROWS_REJECTED"] == 2
    # Each rejected row once, as a warning (the run goes on without it); no error line.
    rejected = [w for w in feedback.warnings if ": afgewezen: " in w]
    assert len(rejected) == 2 and feedback.errors == []
    errors = "\n".join(rejected)
    assert "laag 'ontwikkelingen punten (bewerkt)' rij 2" in errors and "kolom afname_mw (offtake_mw)" in errors
    assert "laag 'ontwikkelingen punten (bewerkt)' rij 5" in errors and "kolom sector" in errors
    # "zonnepark" written in Dutch: the suggestion is Dutch too.
    assert "bedoelde u 'zon'?" in errors or "bedoelde u 'opwek'?" in errors
    assert "Ontwikkelingen: 60 rijen gelezen, 58 behouden, 2 afgewezen." in feedback.warnings
    assert Path(result["OUTPUT"]).is_file()  # the analysis went on without the two rows


@pytest.mark.parametrize("problem", ["empty", "no_crs"])
def test_a_developments_layer_without_usable_rows_fails_the_algorithm(provider: object, problem: str) -> None:
    from conftest import DEVELOPMENT_FIELDS, memory_layer, owned

    if problem == "empty":
        layer = memory_layer("Point?crs=EPSG:28992", DEVELOPMENT_FIELDS, [], name="ontwikkelingen leeg")
        expected = ("Ontwikkelingen: laag 'ontwikkelingen leeg' levert geen bruikbare rijen: de laag bevat geen "
                    "objecten. Kies bij ‘Ontwikkelingen (één of meer lagen)’ (DEVELOPMENTS) een laag met objecten.")
    else:
        layer = memory_layer("Point", DEVELOPMENT_FIELDS, [
            ("D1", "Datacenter", "data_centre", 40.0, 0.0, 2030, "committed", "POINT (47000 365000)")],
            name="ontwikkelingen zonder crs")
        layer.setCrs(QgsCoordinateReferenceSystem())  # as a file without .prj or CRS comes in
        assert not layer.crs().isValid()
        expected = ("Ontwikkelingen: laag 'ontwikkelingen zonder crs' levert geen bruikbare rijen: de laag heeft "
                    "geen coördinatenstelsel. Kies het coördinatenstelsel van de laag bij ‘Coördinatenstelsel voor "
                    "lagen zonder’ (geavanceerde parameter CRS)")
    params = sample_parameters(OUTPUT="TEMPORARY_OUTPUT", DEVELOPMENTS_MAPPING="")
    params["DEVELOPMENTS"] = [owned(layer)]
    feedback = RecordingFeedback.make()
    with pytest.raises(QgsProcessingException):
        run("station_balance", params, feedback)
    # Named once: the layer, the reason, the dialog parameter (never the command line's --crs). (Processing adds
    # its own closing line.)
    ours = [e for e in feedback.errors if e != "There were errors executing the algorithm."]
    assert len(ours) == 1 and ours[0].startswith(expected), feedback.errors
    assert "--crs" not in feedback.textLog() and feedback.progress_values == []  # stopped before the engine


def test_a_layer_whose_rows_are_all_rejected_fails_with_the_rows_named_once(provider: object) -> None:
    from conftest import DEVELOPMENT_FIELDS, memory_layer, owned

    # Both developments have a negative offtake: the engine rejects them; nothing is left to balance.
    layer = owned(memory_layer("Point?crs=EPSG:28992", DEVELOPMENT_FIELDS, [
        ("D1", "Datacenter", "data_centre", -40.0, 0.0, 2030, "committed", "POINT (47000 365000)"),
        ("D2", "Laadplein", "mobility", -2.0, 0.0, 2030, "planned", "POINT (48000 366000)")], name="fout"))
    params = sample_parameters(OUTPUT="TEMPORARY_OUTPUT", DEVELOPMENTS_MAPPING="")
    params["DEVELOPMENTS"] = [layer]
    feedback = RecordingFeedback.make()
    with pytest.raises(QgsProcessingException) as failure:
        run("station_balance", params, feedback)
    message = str(failure.value)
    assert message.startswith("Ontwikkelingen: laag 'fout' levert geen bruikbare rijen: alle 2 rijen zijn afgewezen")
    assert "DEVELOPMENTS_MAPPING" in message and "layers.developments" not in message
    rejected = [w for w in feedback.warnings if w.startswith("Ontwikkelingen: afgewezen: ")]
    assert [r.split(",")[0] for r in rejected] == ["Ontwikkelingen: afgewezen: rij 1 (id D1)",
                                                   "Ontwikkelingen: afgewezen: rij 2 (id D2)"]


def test_a_mapping_to_a_missing_column_stops_before_the_engine(provider: object) -> None:
    feedback = RecordingFeedback.make()
    params = sample_parameters(OUTPUT="TEMPORARY_OUTPUT", MUNICIPALITIES_MAPPING="municipality_code=statcod")
    with pytest.raises(QgsProcessingException):
        run("station_balance", params, feedback)
    assert any("MUNICIPALITIES_MAPPING) municipality_code=statcod: de laag heeft geen kolom 'statcod'. Bedoelde u "
               "'statcode'?" in e for e in feedback.errors), feedback.errors
    assert feedback.progress_values == []  # the engine never ran


def test_wrong_years_stop_before_the_engine(provider: object) -> None:
    feedback = RecordingFeedback.make()
    with pytest.raises(QgsProcessingException):
        run("station_balance", sample_parameters(OUTPUT="TEMPORARY_OUTPUT", YEARS="2030, 1990"), feedback)
    assert any("Analysejaren: '1990' is geen jaartal tussen 2000 en 2100" in e for e in feedback.errors)


def test_cancel_stops_the_engine(provider: object) -> None:
    feedback = RecordingFeedback.make(cancel_at=5.0)
    commands: list[str] = []
    feedback.pushCommandInfo = commands.append  # the command line names the temporary project file
    result, feedback = run("station_balance", sample_parameters(OUTPUT="TEMPORARY_OUTPUT"), feedback)
    assert result.get("OUTPUT") in (None, "")
    assert any("Afgebroken door de gebruiker" in info for info in feedback.infos)
    project = next(part for part in commands[0].split() if part.endswith("project.toml"))
    # No process of that run is left, and its temporary folder is gone.
    running = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if project in cmdline:
            running.append(pid)
    assert running == []
    assert not Path(project).exists()
