"""maps._features: a layer's FeatureCollection written as text is the text json writes for the same dicts."""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import numpy as np
import shapely
from map_page import popup_html, style_of, tooltip_text

from energieplanologie._html import JsonText, json_text, script_json
from energieplanologie.maps._features import (
    feature_collection_text,
    geojson_dicts,
    geometry_texts,
    json_strings,
    json_values,
    wgs84_geometries,
)
from energieplanologie.schema import CRS_RD

SQUARE = [(100_000, 400_000), (101_000, 400_000), (101_000, 401_000), (100_000, 401_000)]


def test_one_point_feature_written_by_hand():
    geometries = geometry_texts(gpd.GeoDataFrame(geometry=[shapely.Point(4.5, 51.25)], crs=4326), 0.0)
    text = feature_collection_text(geometries, [("id", json_strings(["A"])), ("year", json_values([None]))])
    assert isinstance(text, JsonText)
    assert text == ('{"type":"FeatureCollection","features":[{"type":"Feature",'
                    '"geometry":{"type":"Point","coordinates":[4.5,51.25]},"properties":{"id":"A","year":null}}]}')


def test_no_features_and_no_properties_as_json_writes_them():
    empty = np.array([], dtype=object)
    assert feature_collection_text(empty, [("id", empty)]) == json_text({"type": "FeatureCollection", "features": []})
    one = geometry_texts(gpd.GeoDataFrame(geometry=[shapely.Point(4.0, 52.0)], crs=4326), 0.0)
    assert feature_collection_text(one, []) == json_text(
        {"type": "FeatureCollection",
         "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [4.0, 52.0]},
                       "properties": {}}]})


def test_collection_text_equals_json_of_the_dicts_on_awkward_features():
    # a point, a square, a line, a 3D point, a multipolygon; texts that JSON and the page must escape; a missing
    # year, a NaN that becomes null; style dicts shared by several features
    geoms = [shapely.Point(100_000.04, 400_000.07), shapely.Polygon(SQUARE), shapely.LineString(SQUARE[:2]),
             shapely.Point(100_000, 400_000, 5), shapely.MultiPolygon([shapely.Polygon(SQUARE)])]
    frame = gpd.GeoDataFrame(geometry=geoms, crs=CRS_RD)
    arr = wgs84_geometries(frame, 0.0)
    ids = ['a "quoted" id', "</script><b>", "{{ 7*7 }}", "line\u2028sep\\", "é & ü"]
    years = [2030, None, 2035, 2030, None]
    values = [1.5, float("nan"), 2.0, np.float64(0.1), 3]
    styles = [{"color": "#fff", "dashArray": None}, {"color": "#000", "weight": 2.5}] * 2 + [{}]
    dicts = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g, "properties": {"id": i, "year": y, "mw": v, "style": s}}
        for g, i, y, v, s in zip(geojson_dicts(arr), ids, years, values, styles, strict=True)]}
    text = feature_collection_text(geometry_texts(frame, 0.0), [
        ("id", json_strings(ids)), ("year", json_values(years)),
        ("mw", np.array([json_text(v) for v in values], dtype=object)),
        ("style", np.array([json_text(s) for s in styles], dtype=object)),
    ])
    assert text == json_text(dicts)
    assert script_json(text) == script_json(dicts)  # and the same text in the page
    assert '"mw":null' in text and '"year":null' in text


def test_point_texts_are_the_texts_of_their_dicts():
    # RD points and polygons written from their coordinates: the same text as through to_crs, rounding and the
    # dicts, on 2 000 points across the Netherlands, a square with and without a hole; odd ones (a NaN point, a 3D
    # point, a multipolygon; polygons as soon as one corner is NaN) through their dicts
    rng = np.random.default_rng(1)
    points = list(shapely.points(rng.uniform(10_000, 280_000, 2000), rng.uniform(300_000, 620_000, 2000)))
    hole = [(100_100, 400_100), (100_200, 400_100), (100_200, 400_200)]
    geoms = [*points, shapely.Point(np.nan, 400_000), shapely.Point(100_000, 400_000, 5), shapely.Polygon(SQUARE),
             shapely.Polygon(SQUARE, [hole]), shapely.MultiPolygon([shapely.Polygon(SQUARE)]),
             shapely.Polygon(SQUARE[:3])]
    frame = gpd.GeoDataFrame(geometry=geoms, crs=CRS_RD)
    texts = geometry_texts(frame, 5.0)
    assert texts.tolist() == [json_text(d) for d in geojson_dicts(wgs84_geometries(frame, 5.0))]
    assert texts[-6] == '{"type":"Point","coordinates":[null,null]}'  # NaN: null, through the dict
    assert texts[-3].count("]],[[") == 1  # the square's outline, then its hole
    with warnings.catch_warnings():  # shapely warns of the NaN it is asked to keep (GEOS cannot simplify it)
        warnings.simplefilter("ignore", RuntimeWarning)
        odd = gpd.GeoDataFrame(geometry=[shapely.Polygon([(100_000, 400_000), (np.nan, 400_500), (101_000, 401_000)]),
                                         shapely.Polygon(SQUARE)], crs=CRS_RD)
        assert geometry_texts(odd, 0.0).tolist() == [json_text(d) for d in geojson_dicts(wgs84_geometries(odd, 0.0))]
    # 4.0 stays "4.0", 1e-06 stays "1e-06": repr of the double, as json writes it
    wgs = gpd.GeoDataFrame(geometry=[shapely.Point(4.0, 1e-06)], crs=4326)
    assert geometry_texts(wgs, 0.0).tolist() == ['{"type":"Point","coordinates":[4.0,1e-06]}']


def test_development_collections_of_the_sample_are_json_as_json_writes_it():
    # the sample's 60 developments in one collection per sector; ZV-001 (Zonnepark Oostburg-Noord, renewables,
    # committed, 2026, feed-in 12 MW, a polygon) written by hand below
    import energieplanologie as ep
    from energieplanologie.maps.interactive import _development_collections

    dev = ep.load_sample().developments
    sectors = list(dict.fromkeys(dev["sector"]))
    texts = _development_collections(dev, sectors, 5.0)
    parsed = [json.loads(t) for t in texts]
    assert [json_text(p) for p in parsed] == [str(t) for t in texts]  # compact, in json's own spelling
    assert sum(len(p["features"]) for p in parsed) == len(dev) == 60
    first = parsed[0]["features"][0]
    assert sectors[0] == "renewables" and first["geometry"]["type"] == "Polygon"
    assert {k: v for k, v in first["properties"].items() if k not in ("popup", "style")} == {
        "id": "ZV-001", "sector": "renewables", "year": 2026}
    # committed: solid line, fill 0.45 (a polygon: no point minimum of 0.6)
    assert style_of(parsed[0], first["properties"]) == {
        "radius": 6, "color": "#66a61e", "weight": 2, "opacity": 0.9, "fillColor": "#66a61e", "fillOpacity": 0.45,
        "dashArray": None}
    assert tooltip_text(parsed[0], first["properties"]) == "Zonnepark Oostburg-Noord (Opwek (RES), 2026)"
    # the styles are shared: every collection holds the same list, one per sector × certainty × point or not
    assert all(p["styles"] == parsed[0]["styles"] for p in parsed)
    kinds = {(d.sector, d.certainty, d.geometry.geom_type == "Point") for d in dev.itertuples()}
    assert len(parsed[0]["styles"]) == len(kinds)
    assert parsed[0]["popupRows"] == ["Sector", "Programma", "Energiedrager", "Afname", "Invoeding", "Jaar",
                                      "Zekerheid", "Gemeente", "Station", "Niet-vast contract", "Kabelpool"]
    assert "<tr><th>Invoeding</th><td>12,0 MW</td></tr>" in popup_html(parsed[0], first["properties"])
