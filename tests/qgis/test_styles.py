"""The shipped QML styles load in QGIS (3.40 LTR, what CI runs) and draw what they promise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("qgis.core")

from conftest import SAMPLE_DIR, memory_layer
from energieplanologie_qgis.styles import apply_style, style_path, styles
from qgis.core import (
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

GEOMETRY = {"0": "Point", "1": "LineString", "2": "Polygon", "3": "None"}


def render(layers: list[object], extent: QgsRectangle, path: Path, size: int = 400) -> tuple[object, QgsMapSettings]:
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[0].crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(size, size))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(str(path))
    return image, settings


def colour_at(image: object, settings: QgsMapSettings, x: float, y: float) -> str:
    point = settings.mapToPixel().transform(x, y)
    return QColor(image.pixel(round(point.x()), round(point.y()))).name()


def test_the_plugins_own_styles_are_there() -> None:
    assert {"gemeenten", "stations"} <= set(styles())
    assert style_path("bestaat_niet") is None


@pytest.mark.parametrize("name", styles())
def test_every_style_loads_on_a_layer_of_its_geometry(name: str) -> None:
    text = style_path(name).read_text(encoding="utf-8")
    match = re.search(r"<layerGeometryType>(\d)</layerGeometryType>", text)
    geometry = GEOMETRY[match.group(1)] if match else "Point"
    layer = QgsVectorLayer(f"{geometry}?crs=EPSG:28992", name, "memory")
    assert apply_style(layer) is True
    assert layer.renderer() is not None
    if geometry != "None":
        assert QgsWkbTypes.geometryDisplayString(layer.geometryType()) == geometry.replace("LineString", "Line")


def test_stations_style_colours_by_level_with_dutch_or_english_columns(tmp_path: Path) -> None:
    # Two copies of two stations: one with canonical columns (level), one with Dutch export headers (netvlak).
    # EHS must be drawn dark red (#7f0000) and MS light orange (#fdcc8a) in both.
    extent = QgsRectangle(30000, 360000, 50000, 380000)
    english = memory_layer("Point?crs=EPSG:28992", [("name", "string"), ("level", "string")], [
        ("Borssele", "EHS", "POINT (35000 375000)"), ("Axel", "MS", "POINT (45000 375000)")], name="stations")
    dutch = memory_layer("Point?crs=EPSG:28992", [("naam", "string"), ("netvlak", "string")], [
        ("Borssele", "EHS", "POINT (35000 365000)"), ("Axel", "MS", "POINT (45000 365000)")], name="stations")
    for layer in (english, dutch):
        assert apply_style(layer) is True
        layer.setLabelsEnabled(False)  # labels would cover the symbol centres
    image, settings = render([english, dutch], extent, tmp_path / "stations.png")
    assert colour_at(image, settings, 35000, 375000) == "#7f0000"
    assert colour_at(image, settings, 45000, 375000) == "#fdcc8a"
    assert colour_at(image, settings, 35000, 365000) == "#7f0000"
    assert colour_at(image, settings, 45000, 365000) == "#fdcc8a"
    assert colour_at(image, settings, 40000, 370000) == "#ffffff"


def test_sample_region_with_the_styles(tmp_path: Path) -> None:
    municipalities = QgsVectorLayer(str(SAMPLE_DIR / "gemeenten.geojson"), "gemeenten", "ogr")
    stations = QgsVectorLayer(str(SAMPLE_DIR / "stations.gpkg") + "|layername=stations", "stations", "ogr")
    assert municipalities.isValid() and stations.isValid()
    assert apply_style(municipalities) and apply_style(stations)
    settings_extent = QgsRectangle(12000, 355000, 68000, 388000)
    # The municipalities are in WGS84 and are drawn reprojected to RD New with the stations.
    image, settings = render([stations, municipalities], settings_extent, tmp_path / "zeeuws-vlaanderen.png", 800)
    # Borssele 380 kV (EHS) at (39192, 384008) is drawn dark red.
    assert colour_at(image, settings, 39192, 384008) == "#7f0000"


def test_development_and_infrastructure_colours_are_the_maps_colours(engine_python: str) -> None:
    import json

    from conftest import engine_eval

    colours = json.loads(engine_eval(engine_python, (
        "import json; from energieplanologie.maps._style import SECTOR_COLOURS, CARRIER_COLOURS; "
        "print(json.dumps([SECTOR_COLOURS, CARRIER_COLOURS]))")))
    sectors, carriers = colours
    for name in ("ontwikkelingen_punten", "ontwikkelingen_vlakken"):
        layer = QgsVectorLayer(f"{'Point' if name.endswith('punten') else 'Polygon'}?crs=EPSG:28992", name, "memory")
        assert apply_style(layer)
        # A development is the same colour in QGIS as in kaart.html and the municipality pictures.
        assert {c.value(): c.symbol().color().name() for c in layer.renderer().categories()} == sectors
    lines = QgsVectorLayer("LineString?crs=EPSG:28992", "infrastructuur", "memory")
    assert apply_style(lines) and style_path("infrastructuur", lines.geometryType()).stem == "infrastructuur_lijnen"
    by_type = {c.value(): c.symbol().color().name() for c in lines.renderer().categories()}
    assert by_type["cable_hv"] == carriers["electricity"] and by_type["h2_pipeline"] == carriers["hydrogen"]
    assert by_type["heat_network"] == carriers["heat"]


def test_developments_style_reads_dutch_values_and_shows_certainty(tmp_path: Path) -> None:
    # Two housing polygons side by side: one permitted ("vergund", Dutch source value) and one idea ("speculative",
    # canonical). Both are drawn in the housing colour (#a6761d); the idea far lighter (fill alpha 31 of 255
    # against 115 for a permitted one).
    layer = memory_layer("Polygon?crs=EPSG:28992", [("sector", "string"), ("zekerheid", "string")], [
        ("woningbouw", "vergund", "POLYGON ((0 0, 1000 0, 1000 1000, 0 1000, 0 0))"),
        ("housing", "speculative", "POLYGON ((2000 0, 3000 0, 3000 1000, 2000 1000, 2000 0))"),
    ], name="ontwikkelingen")
    assert apply_style(layer)
    image, settings = render([layer], QgsRectangle(-500, -1500, 3500, 2500), tmp_path / "ontwikkelingen.png")
    permitted = QColor(colour_at(image, settings, 500, 500))
    idea = QColor(colour_at(image, settings, 2500, 500))
    white = QColor("white")
    # Blending #a6761d over white with alpha a gives 255 - a/255 × (255 - c) per channel: blue 29 → 153 (a = 115)
    # and 227 (a = 31).
    assert abs(permitted.blue() - 153) <= 2 and abs(idea.blue() - 227) <= 2
    assert permitted.red() < idea.red() < white.red()


def _expressions(text: str) -> list[str]:
    """Every QGIS expression in a QML: categorised/graduated attributes, label expressions, order-by clauses and
    data-defined properties."""
    import html

    found = [m for m in re.findall(r'\battr="([^"]*)"', text)]
    found += [m for m in re.findall(r'<orderByClause[^>]*>([^<]*)</orderByClause>', text)]
    found += [m for m in re.findall(r'fieldName="([^"]*)"[^>]*isExpression="1"', text)]
    found += [m for m in re.findall(r'isExpression="1"[^>]*fieldName="([^"]*)"', text)]
    found += [m for m in re.findall(r'<Option name="expression" type="QString" value="([^"]*)"', text)]
    found += [m for m in re.findall(r'<Option value="([^"]*)" name="expression" type="QString"', text)]
    return [html.unescape(e) for e in found if e.strip()]


@pytest.mark.parametrize("name", styles())
def test_every_expression_in_a_style_parses(name: str) -> None:
    from qgis.core import QgsExpression

    text = style_path(name).read_text(encoding="utf-8")
    errors = [(e, QgsExpression(e).parserErrorString()) for e in _expressions(text) if QgsExpression(e).hasParserError()]
    assert errors == []


def test_balance_and_infrastructure_styles_read_the_dutch_values_of_the_exports(tmp_path: Path) -> None:
    from qgis.core import QgsExpression, QgsExpressionContext, QgsExpressionContextUtils

    # The engine's exports hold Dutch values (status rood/groen, richting afname, type_infra kabel_hs).
    balance = memory_layer("Point?crs=EPSG:28992", [("stationsnaam", "string"), ("richting", "string"),
                                                    ("status", "string"), ("tekort_mw", "double")], [
        ("Westdorpe 150 kV", "afname", "rood", 1234.56, "POINT (1000 1000)"),
        ("Axel", "invoeding", "groen", 0.0, "POINT (3000 1000)")], name="stationsbalans")
    assert apply_style(balance, "stationsbalans")
    assert {c.value() for c in balance.renderer().categories()} == {"rood", "oranje", "groen", "onbekend"}
    balance.setLabelsEnabled(False)
    image, settings = render([balance], QgsRectangle(0, 0, 4000, 2000), tmp_path / "balans.png")
    # stations_balance.qml: rood is (192, 57, 43), groen (39, 174, 96).
    assert colour_at(image, settings, 1000, 1000) == "#c0392b" and colour_at(image, settings, 3000, 1000) == "#27ae60"
    # One figure per feature, with its direction, in Dutch notation whatever the locale of QGIS.
    expression = QgsExpression(balance.labeling().settings().fieldName)
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(balance))
    texts = []
    for feature in balance.getFeatures():
        context.setFeature(feature)
        texts.append(expression.evaluate(context))
    assert texts == ["Westdorpe 150 kV: tekort afname 1.234,6 MW", None]
    lines = memory_layer("LineString?crs=EPSG:28992", [("type_infra", "string")], [
        ("kabel_hs", "LINESTRING (0 0, 1000 0)"), ("waterstofleiding", "LINESTRING (0 200, 1000 200)")],
        name="infrastructuur")
    assert apply_style(lines)
    image, settings = render([lines], QgsRectangle(0, -400, 1000, 600), tmp_path / "lijnen.png")
    # The maps' carrier colours: electricity #ff7f0e for a HV cable, hydrogen #00a0a0 for a hydrogen pipeline.
    assert colour_at(image, settings, 500, 0) == "#ff7f0e" and colour_at(image, settings, 500, 200) == "#00a0a0"
