"""The shipped QML styles load in QGIS 3.22 and draw what they promise."""

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
