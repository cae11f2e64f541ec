"""Published tables opened through QGIS's own PostGIS provider, as a province's QGIS users open them.

The engine (``.venv/bin/python``) publishes the sample region and every result layer of its chain into a throwaway
PostGIS server (tests/postgis_server.py); QGIS then reads the tables with the ``postgres`` provider and its
database-connection API. With ``CI=true`` neither a missing QGIS nor a missing server may skip.
"""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

pytest.importorskip("qgis.core")

from conftest import REPO, engine_eval
from qgis.core import (
    QgsDataSourceUri,
    QgsFeatureRequest,
    QgsFeatureSource,
    QgsProviderRegistry,
    QgsVectorLayer,
    QgsWkbTypes,
)

# tests/postgis_server.py (standard library only), loaded by path so that tests/ never shadows this folder's modules
_spec = importlib.util.spec_from_file_location("postgis_server", REPO / "tests" / "postgis_server.py")
postgis_server = importlib.util.module_from_spec(_spec)
sys.modules["postgis_server"] = postgis_server
_spec.loader.exec_module(postgis_server)

SCHEMA = "energie"


@pytest.fixture(scope="module")
def published(engine_python: str):
    """(server, database name, publication) with the sample region and all results published in schema energie."""
    server = postgis_server.require()
    name = "qgis_proef"
    url = server.create_database(name)
    code = f"""
import json, pathlib, tempfile
import energieplanologie as ep
from energieplanologie.postgis import publish_to_postgis
from energieplanologie.rounds import run_chain
region = ep.load_sample()
gpkg = run_chain(region, pathlib.Path(tempfile.mkdtemp()), scenario=None, outputs="gpkg", progress=None)
pub = publish_to_postgis(region, gpkg, {url!r}, {SCHEMA!r}, round=2025)
names = sorted(region.stations["name"])
print(json.dumps({{"id": pub.id, "tables": pub.tables, "station_names": names}}))
"""
    publication = json.loads(engine_eval(engine_python, code).splitlines()[-1])
    yield server, name, publication
    server.drop_database(name)


def _uri(server: postgis_server.PostgisServer, database: str, table: str, geometry: str | None = "geom",
         wkb_type: int | None = None) -> str:
    uri = QgsDataSourceUri()
    uri.setConnection(server.host, str(server.port), database, server.user, server.password,
                      QgsDataSourceUri.SslDisable)
    uri.setDataSource(SCHEMA, table, geometry, "", "fid")
    if wkb_type is not None:
        uri.setWkbType(wkb_type)
    return uri.uri(False)


def _layer(server, database, table, geometry="geom", wkb_type=None) -> QgsVectorLayer:
    layer = QgsVectorLayer(_uri(server, database, table, geometry, wkb_type), table, "postgres")
    assert layer.isValid(), f"{table}: {layer.dataProvider().error().message() if layer.dataProvider() else ''}"
    return layer


def test_every_published_table_opens_in_qgis_with_crs_key_index_and_dutch_comments(published):
    server, database, pub = published
    conn = QgsProviderRegistry.instance().providerMetadata("postgres").createConnection(
        _uri(server, database, "stations"), {})
    tables = {t.tableName(): t for t in conn.tables(SCHEMA)}
    assert set(pub["tables"]) | {"herkomst"} <= set(tables)
    for name, rows in pub["tables"].items():
        has_geometry = bool(tables[name].geometryColumn())
        # A layer with one geometry type opens as it is; one that mixes types (a generic geometry column) opens
        # as one QGIS layer per geometry family, as the QGIS browser offers it. Together they hold every row.
        families = sorted({QgsWkbTypes.geometryType(t.wkbType) for t in tables[name].geometryColumnTypes()}) \
            if has_geometry else [None]
        single = {QgsWkbTypes.PointGeometry: QgsWkbTypes.Point, QgsWkbTypes.LineGeometry: QgsWkbTypes.LineString,
                  QgsWkbTypes.PolygonGeometry: QgsWkbTypes.Polygon}
        total = 0
        for family in families:
            wkb = single[family] if len(families) > 1 else None
            layer = _layer(server, database, name, "geom" if has_geometry else None, wkb)
            total += layer.featureCount()
            provider = layer.dataProvider()
            assert [layer.fields().at(i).name() for i in provider.pkAttributeIndexes()] == ["fid"], name
            assert f"Publicatie {pub['id']}; ronde 2025" in provider.dataComment(), name
            if has_geometry:
                assert layer.crs().authid() == "EPSG:28992", name
                assert layer.hasSpatialIndex() == QgsFeatureSource.SpatialIndexPresent, name
            del layer
        assert total == rows, name
    stations = _layer(server, database, "stations")
    assert QgsWkbTypes.displayString(stations.wkbType()) == "Point"
    assert sorted(f["naam"] for f in stations.getFeatures()) == pub["station_names"]
    assert stations.fields().field("netvlak").comment().startswith("Netvlak naar de hoogste spanning")
    assert stations.dataProvider().dataComment().startswith("Stations (onderstations en aansluitpunten)")
    del stations


def test_mixed_geometry_layers_open_per_geometry_type(published):
    server, database, pub = published
    # the sample's 60 developments are 21 points and 39 polygons (areas such as RES search areas);
    # its 11 projects are 6 points (stations, two batteries) and 5 lines (4 single, 1 multi: cables and pipelines)
    lines = _layer(server, database, "infrastructuur", wkb_type=QgsWkbTypes.LineString)
    assert lines.featureCount() == 5
    del lines
    points = _layer(server, database, "ontwikkelingen", wkb_type=QgsWkbTypes.Point)
    polygons = _layer(server, database, "ontwikkelingen", wkb_type=QgsWkbTypes.Polygon)
    assert (points.featureCount(), polygons.featureCount()) == (21, 39)
    assert points.featureCount() + polygons.featureCount() == pub["tables"]["ontwikkelingen"]
    first = next(polygons.getFeatures(QgsFeatureRequest().setLimit(1)))
    assert first.geometry().area() > 0 and polygons.crs().authid() == "EPSG:28992"
    assert polygons.fields().field("afname_mw").comment() == "Afname mw, in MW. Canonieke naam: offtake_mw."
    del points, polygons


def test_provenance_table_reads_as_a_plain_table(published):
    server, database, pub = published
    herkomst = _layer(server, database, "herkomst", geometry=None)
    assert herkomst.wkbType() == QgsWkbTypes.NoGeometry
    rows = {f["tabel"]: (f["publicatie_id"], f["ronde"], f["rijen"]) for f in herkomst.getFeatures()}
    assert rows == {name: (pub["id"], "2025", n) for name, n in pub["tables"].items()}
    del herkomst
