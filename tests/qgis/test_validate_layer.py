"""``energieplanologie:validate_layer`` through ``processing.run``, with the project's own engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("qgis.core")

from conftest import DEVELOPMENT_FIELDS, memory_layer
from qgis.core import QgsCoordinateReferenceSystem, QgsProcessingException, QgsProcessingFeedback

ALG = "energieplanologie:validate_layer"
KIND = {"municipalities": 0, "stations": 1, "station_capacity": 2, "infrastructure": 3, "developments": 4,
        "constraints": 5}


def run(plugin: object, tmp_path: Path, layer: object, kind: str, **extra: object) -> tuple[dict, QgsProcessingFeedback]:
    import processing

    feedback = QgsProcessingFeedback()
    params = {"INPUT": layer, "KIND": KIND[kind], "OUTPUT_REPORT": str(tmp_path / "rapport.json"), **extra}
    result = processing.run(ALG, params, feedback=feedback)
    return result, feedback


def test_valid_layer(plugin: object, tmp_path: Path, developments_layer: object) -> None:
    result, feedback = run(plugin, tmp_path, developments_layer, "developments")
    assert (result["ROWS_IN"], result["ROWS_KEPT"], result["ROWS_REJECTED"], result["OK"]) == (3, 3, 0, True)
    report = json.loads(Path(result["OUTPUT_REPORT"]).read_text(encoding="utf-8"))
    assert report["kind"] == "developments"
    assert report["errors"] == []
    # The report names the QGIS layer, not the temporary GeoPackage the engine read.
    assert report["source"] == developments_layer.publicSource()
    assert "3 rijen gelezen, 3 behouden, 0 afgewezen" in feedback.textLog()


def test_planted_errors_are_reported_with_their_rows(plugin: object, tmp_path: Path) -> None:
    # Row 2 has a negative offtake, row 4 the unknown sector "wonen" (nearest accepted word, in the language the
    # user wrote it: woningbouw).
    # Rows 1 and 3 are fine; so 4 in, 2 kept, 2 rejected.
    layer = memory_layer("Point?crs=EPSG:28992", DEVELOPMENT_FIELDS, [
        ("D1", "Datacenter", "data_centre", 40.0, 0.0, 2030, "committed", "POINT (47000 365000)"),
        ("D2", "Laadplein", "mobility", -5.0, 0.0, 2030, "planned", "POINT (48000 366000)"),
        ("D3", "Zonneveld", "renewables", 0.0, 25.0, 2028, "planned", "POINT (52000 360000)"),
        ("D4", "Woonwijk", "wonen", 3.5, 0.0, 2032, "intended", "POINT (64000 363000)"),
    ])
    result, feedback = run(plugin, tmp_path, layer, "developments")
    assert (result["ROWS_IN"], result["ROWS_KEPT"], result["ROWS_REJECTED"], result["OK"]) == (4, 2, 2, False)
    report = json.loads(Path(result["OUTPUT_REPORT"]).read_text(encoding="utf-8"))
    assert sorted((e["rows"], e["column"], e["code"]) for e in report["errors"]) == [
        ([1], "offtake_mw", "negative_value"), ([3], "sector", "unknown_value")]
    log = feedback.textLog()
    assert "rij 2 (id D2), kolom offtake_mw: negatieve waarde [waarde: -5.0]" in log
    assert "rij 4 (id D4), kolom sector: onbekende waarde" in log
    assert "bedoelde u 'woningbouw'?" in log
    assert "rij 1 " not in log and "rij 3 " not in log


def test_dutch_headers_with_a_mapping(plugin: object, tmp_path: Path) -> None:
    # Source headers the built-in table does not know ("omschrijving_kort", "mw_vraag"), mapped by the user.
    fields = [("code", "string"), ("omschrijving_kort", "string"), ("sector", "string"), ("mw_vraag", "double"),
              ("jaar", "integer"), ("zekerheid", "string")]
    layer = memory_layer("Point?crs=EPSG:28992", fields, [
        ("D1", "Datacenter", "datacenter", 40.0, 2030, "vergund", "POINT (47000 365000)"),
        ("D2", "Laadplein", "mobiliteit", -1.0, 2030, "gepland", "POINT (48000 366000)"),
    ])
    mapping = "development_id=code; name=omschrijving_kort; offtake_mw=mw_vraag"
    result, feedback = run(plugin, tmp_path, layer, "developments", MAPPING=mapping)
    assert (result["ROWS_IN"], result["ROWS_KEPT"], result["ROWS_REJECTED"]) == (2, 1, 1)
    log = feedback.textLog()
    # The error names the user's own column, with the canonical name beside it.
    assert "rij 2 (id D2), kolom mw_vraag (offtake_mw): negatieve waarde" in log
    # Dutch values were recognised and reported as such (not as repairs).
    assert "Herkend: rijen 1, 2, kolom sector: waarde herkend: 'datacenter'→data_centre" in log
    assert not any(line.startswith("Reparatie: ") and "datacenter" in line for line in log.splitlines())


def test_mapping_naming_an_absent_column_fails_before_the_engine(plugin: object, tmp_path: Path,
                                                                  developments_layer: object) -> None:
    import processing

    for mapping, message in (
        ("name=naaam", "Kolomkoppeling name=naaam: de laag 'ontwikkelingen' heeft geen kolom 'naaam'. "
                       "Bedoelde u 'name'?"),
        ("name naam", "Kolomkoppeling: kolomkoppeling 'name naam' heeft geen '=' (verwacht: canoniek=bronkolom)"),
    ):
        feedback = QgsProcessingFeedback()
        # processing.run raises a generic exception; the algorithm's own message is in the feedback log.
        with pytest.raises(QgsProcessingException):
            processing.run(ALG, {"INPUT": developments_layer, "KIND": KIND["developments"], "MAPPING": mapping},
                           feedback=feedback)
        assert message in feedback.textLog()


def stations_without_crs() -> object:
    fields = [("station_id", "string"), ("name", "string"), ("voltage_kv", "string")]
    rows = [("S1", "Terneuzen", "150/20", "POINT (47000 365000)"), ("S2", "Hulst", "50/10", "POINT (64000 363000)")]
    layer = memory_layer("Point", fields, rows, name="zonder_crs")
    layer.setCrs(QgsCoordinateReferenceSystem())  # a memory layer defaults to EPSG:4326
    assert not layer.crs().isValid()
    return layer


def test_layer_without_crs_with_the_crs_parameter(plugin: object, tmp_path: Path) -> None:
    result, feedback = run(plugin, tmp_path, stations_without_crs(), "stations", CRS="EPSG:28992")
    assert (result["ROWS_IN"], result["ROWS_KEPT"], result["OK"]) == (2, 2, True)
    log = feedback.textLog()
    assert "De laag heeft geen coördinatenstelsel; EPSG:28992 toegekend zoals opgegeven." in log
    # 150/20 kV is HS, 50/10 kV is TS: the level is derived and reported as a repair.
    assert "netvlak afgeleid uit spanning" in log


def test_layer_without_crs_reports_missing_crs(plugin: object, tmp_path: Path) -> None:
    result, feedback = run(plugin, tmp_path, stations_without_crs(), "stations")
    assert (result["ROWS_IN"], result["ROWS_KEPT"], result["ROWS_REJECTED"], result["OK"]) == (2, 0, 2, False)
    # A layer-level error (no rows) with the engine's hint that the coordinates look like RD New.
    assert "laag: de laag heeft geen coördinatenstelsel" in feedback.textLog()
    assert "EPSG:28992" in feedback.textLog()
    # The hint names the dialog's parameter, not the command line's --crs.
    assert "Kies het coördinatenstelsel van de laag bij ‘Coördinatenstelsel (alleen als de laag er geen heeft)’ " \
           "(parameter CRS)." in feedback.textLog()
    assert "--crs" not in feedback.textLog()


def test_invalid_polygon_is_repaired_and_reported(plugin: object, tmp_path: Path) -> None:
    # A bow-tie polygon (self-intersection at 48000 366000): QGIS writes it unchanged, the engine repairs it.
    layer = memory_layer("Polygon?crs=EPSG:28992", DEVELOPMENT_FIELDS, [
        ("D1", "Zoekgebied wind", "renewables", 0.0, 60.0, 2030, "intended",
         "POLYGON ((47000 365000, 49000 367000, 49000 365000, 47000 367000, 47000 365000))"),
    ])
    result, feedback = run(plugin, tmp_path, layer, "developments")
    assert (result["ROWS_KEPT"], result["OK"]) == (1, True)
    report = json.loads(Path(result["OUTPUT_REPORT"]).read_text(encoding="utf-8"))
    assert [r["code"] for r in report["repairs"] if r["column"] == "geometry"] == ["make_valid"]
    # The repair names the development as well as the row (issue 17).
    assert "Reparatie: rij 1 (id D1), kolom geometry: ongeldige geometrie hersteld met make_valid" in \
        feedback.textLog()


def test_table_without_geometry(plugin: object, tmp_path: Path) -> None:
    fields = [("station_id", "string"), ("year", "integer"), ("offtake_capacity_mw", "double"),
              ("feedin_capacity_mw", "double"), ("offtake_load_mw", "double")]
    layer = memory_layer("None", fields, [("S1", 2025, 60.0, 40.0, 45.0, None), ("S1", 2030, 80.0, 40.0, 50.0, None),
                                          ("S1", 2030, 80.0, 40.0, 52.0, None)], name="capaciteit")
    result, feedback = run(plugin, tmp_path, layer, "station_capacity")
    # Rows 2 and 3 share the key S1/2030: both are rejected, row 1 is kept.
    assert (result["ROWS_IN"], result["ROWS_KEPT"], result["ROWS_REJECTED"]) == (3, 1, 2)
    log = feedback.textLog()
    assert "rij 2 (id S1/2030), kolom station_id" in log and "rij 3 (id S1/2030), kolom station_id" in log


def test_without_report_destination(plugin: object, tmp_path: Path, developments_layer: object) -> None:
    import processing

    result = processing.run(ALG, {"INPUT": developments_layer, "KIND": KIND["developments"]})
    assert result["OK"] is True
    # The report is optional; by default it goes to a temporary file.
    if result.get("OUTPUT_REPORT"):
        assert json.loads(Path(result["OUTPUT_REPORT"]).read_text(encoding="utf-8"))["rows_in"] == 3


SAMPLE_LAYERS = [
    ("gemeenten.geojson", "municipalities"),
    ("stations.gpkg", "stations"),
    ("capaciteit.csv", "station_capacity"),
    ("projecten.gpkg", "infrastructure"),
    ("ontwikkelingen.gpkg", "developments"),
    ("beperkingen.gpkg", "constraints"),
]


@pytest.mark.parametrize(("filename", "kind"), SAMPLE_LAYERS)
def test_sample_region_layers_are_valid(plugin: object, tmp_path: Path, filename: str, kind: str) -> None:
    # The shipped Zeeuws-Vlaanderen sample, opened the way a QGIS user opens it (OGR provider; the CSV with its
    # semicolons and decimal commas read as text), validates without losing a row.
    from conftest import SAMPLE_DIR
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(str(SAMPLE_DIR / filename), filename, "ogr")
    assert layer.isValid(), filename
    result, feedback = run(plugin, tmp_path, layer, kind)
    n = layer.featureCount()
    assert n > 0
    assert (result["ROWS_IN"], result["ROWS_KEPT"], result["ROWS_REJECTED"], result["OK"]) == (n, n, 0, True), \
        feedback.textLog()


def test_a_text_column_named_fid_is_kept_as_a_column(plugin: object, tmp_path: Path) -> None:
    # A GeoPackage needs an integer FID; a layer's own "fid" column with text in it must not break the export.
    fields = [("fid", "string"), *DEVELOPMENT_FIELDS]
    layer = memory_layer("Point?crs=EPSG:28992", fields, [
        ("a-1", "D1", "Datacenter", "data_centre", 40.0, 0.0, 2030, "committed", "POINT (47000 365000)"),
        ("a-1", "D2", "Zonneveld", "renewables", 0.0, 25.0, 2028, "planned", "POINT (52000 360000)"),
    ])
    result, _ = run(plugin, tmp_path, layer, "developments")
    assert (result["ROWS_IN"], result["ROWS_KEPT"], result["OK"]) == (2, 2, True)

    csv = tmp_path / "ontwikkelingen.csv"
    csv.write_text("fid;id;naam;sector;jaar;zekerheid;afname_mw;wkt\n"
                   "x;D1;Datacenter;datacenter;2030;vergund;12,5;POINT (47000 365000)\n", encoding="utf-8")
    from qgis.core import QgsVectorLayer

    csv_layer = QgsVectorLayer(str(csv), "ontwikkelingen", "ogr")
    assert csv_layer.isValid()
    # A CSV with WKT has no CRS of its own: the user states it.
    result, feedback = run(plugin, tmp_path, csv_layer, "developments", CRS="EPSG:28992")
    assert (result["ROWS_IN"], result["ROWS_KEPT"]) == (1, 1), feedback.textLog()
