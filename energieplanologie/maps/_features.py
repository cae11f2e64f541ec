"""A map layer's GeoJSON FeatureCollection written as JSON text a column at a time.

At national scale a layer holds 10⁵ features. Building a dict per feature and handing the whole structure to
``json.dumps`` costs more than the map's other work together; here each property is a column of JSON texts (each
distinct value encoded once, :func:`json_values`; a text per feature only where the values are unique, as popups
are, :func:`json_strings`), the geometries are written from their coordinates (:func:`geometry_texts`), and the
collection is one ``str.join`` of all the pieces (:func:`feature_collection_text`). The text is the same, byte for
byte, as :func:`energieplanologie._html.json_text` writes for the collection built as dicts
(``tests/test_features.py`` checks both ways on the same features).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from energieplanologie._distinct import object_array, per_value
from energieplanologie._html import JsonText, json_text
from energieplanologie.schema import CRS_RD

__all__ = ["feature_collection_text", "geojson_dicts", "geometry_texts", "json_strings", "json_values",
           "wgs84_geometries"]

# what json.dumps(…, ensure_ascii=False) writes for a str, at any depth (the C encoder when there is one)
_ENCODE_STRING = json.encoder.encode_basestring


def wgs84_geometries(gdf: gpd.GeoDataFrame, simplify_m: float) -> np.ndarray:
    """The geometries of ``gdf`` in WGS84, simplified in RD metres and rounded to 1e-6° (≈ 0.1 m)."""
    geoms = gdf.geometry
    if geoms.crs is not None and geoms.crs != CRS_RD:
        geoms = geoms.to_crs(CRS_RD)
    arr = np.asarray(geoms.values)
    if simplify_m > 0:
        arr = shapely.simplify(arr, simplify_m, preserve_topology=True)
    arr = np.asarray(gpd.GeoSeries(arr, crs=CRS_RD).to_crs(4326).values)
    return shapely.transform(arr, lambda c: np.round(c, 6))


def geojson_dicts(arr: np.ndarray) -> list[dict[str, Any]]:
    """GeoJSON dicts of (WGS84, rounded) geometries: points and polygons (most features at scale) straight from
    their coordinates; the rest through GEOS's GeoJSON. The numbers are the same doubles either way: GEOS writes
    each rounded coordinate with enough digits to read it back (tests/test_maps.py checks both ways on the same
    geometries)."""
    kind = np.where(shapely.has_z(arr), -1, shapely.get_type_id(arr))
    out: list[Any] = [None] * len(arr)
    points = np.flatnonzero(kind == shapely.GeometryType.POINT)
    for i, xy in zip(points.tolist(), shapely.get_coordinates(arr[points]).tolist(), strict=True):
        out[i] = {"type": "Point", "coordinates": xy}
    polygons = np.flatnonzero((kind == shapely.GeometryType.POLYGON) & ~shapely.is_empty(arr))
    if len(polygons):
        _, coords, (ring_offsets, polygon_offsets) = shapely.to_ragged_array(arr[polygons])
        xy = coords.tolist()
        rings = [xy[a:b] for a, b in zip(ring_offsets[:-1].tolist(), ring_offsets[1:].tolist(), strict=True)]
        for i, a, b in zip(polygons.tolist(), polygon_offsets[:-1].tolist(), polygon_offsets[1:].tolist(),
                           strict=True):
            out[i] = {"type": "Polygon", "coordinates": rings[a:b]}
    rest = [i for i, geometry in enumerate(out) if geometry is None]
    for i, text in zip(rest, shapely.to_geojson(arr[rest]).tolist(), strict=True):
        out[i] = json.loads(text)
    return out


def geometry_texts(gdf: gpd.GeoDataFrame, simplify_m: float) -> np.ndarray:
    """The JSON text of the GeoJSON dict (:func:`geojson_dicts` of :func:`wgs84_geometries`) of each geometry.

    A two-dimensional point in RD (nearly every feature at scale) is written from its coordinates: projected by the
    transformer ``to_crs`` uses (a point simplifies to itself), rounded, each number as ``json`` writes a float
    (``repr``). The other geometries (and a point whose projection is not finite) go through their dicts.

    Examples
    --------
    >>> frame = gpd.GeoDataFrame(geometry=[shapely.Point(155_000, 463_000), shapely.LineString([(0, 0), (1, 1)])],
    ...                          crs=CRS_RD)
    >>> geometry_texts(frame, 0.0).tolist()[0]
    '{"type":"Point","coordinates":[5.387204,52.155172]}'
    """
    arr = np.asarray(gdf.geometry.values)
    out = object_array([None] * len(arr))
    points = np.zeros(0, dtype=np.intp)
    if gdf.geometry.crs is None or gdf.geometry.crs == CRS_RD:
        is_point = (shapely.get_type_id(arr) == shapely.GeometryType.POINT) & ~shapely.has_z(arr) \
            & ~shapely.is_empty(arr)
        points = np.flatnonzero(is_point)
        xy = shapely.get_coordinates(arr[points])
        lon, lat = _to_wgs84().transform(xy[:, 0], xy[:, 1])
        lon, lat = np.round(lon, 6), np.round(lat, 6)
        finite = np.isfinite(lon) & np.isfinite(lat)
        points = points[finite]
        out[points] = '{"type":"Point","coordinates":[' + object_array(_xy_texts(lon[finite], lat[finite])) + "]}"
    rest = np.setdiff1d(np.arange(len(arr)), points)
    if len(rest):
        wgs = wgs84_geometries(gdf.iloc[rest], simplify_m)
        polygons = np.flatnonzero((shapely.get_type_id(wgs) == shapely.GeometryType.POLYGON) & ~shapely.has_z(wgs)
                                  & ~shapely.is_empty(wgs))
        texts = _polygon_texts(wgs[polygons]) if len(polygons) else None
        if texts is not None:
            out[rest[polygons]] = texts
            others = np.setdiff1d(np.arange(len(rest)), polygons)
        else:
            others = np.arange(len(rest))
        if len(others):
            out[rest[others]] = object_array([json_text(d) for d in geojson_dicts(wgs[others])])
    return out


def _polygon_texts(arr: np.ndarray) -> np.ndarray | None:
    """The texts of two-dimensional polygons from their coordinates (a ``str.join`` per ring and per polygon of the
    coordinates' texts); None when a coordinate is not finite or a ring is empty (then the dicts decide)."""
    _, coords, (ring_offsets, polygon_offsets) = shapely.to_ragged_array(arr)
    if not np.isfinite(coords).all() or (np.diff(ring_offsets) <= 0).any() or (np.diff(polygon_offsets) <= 0).any():
        return None
    xy = _xy_texts(coords[:, 0], coords[:, 1])
    rings = ["[[" + "],[".join(xy[a:b]) + "]]"
             for a, b in zip(ring_offsets[:-1].tolist(), ring_offsets[1:].tolist(), strict=True)]
    return object_array(['{"type":"Polygon","coordinates":[' + ",".join(rings[a:b]) + "]}"
                         for a, b in zip(polygon_offsets[:-1].tolist(), polygon_offsets[1:].tolist(), strict=True)])


def _xy_texts(x: np.ndarray, y: np.ndarray) -> list[str]:
    """``"x,y"`` of each (finite) coordinate pair, the numbers as ``json`` writes them: from one ``json.dumps`` of
    all pairs, split between them."""
    if not len(x):
        return []
    return json.dumps(np.column_stack([x, y]).tolist(), separators=(",", ":"))[2:-2].split("],[")


@functools.cache
def _to_wgs84() -> Transformer:
    """RD → WGS84 as ``GeoSeries.to_crs(4326)`` projects (``always_xy``: longitude, latitude)."""
    return Transformer.from_crs(CRS_RD, CRS.from_user_input(4326), always_xy=True)


def json_strings(values: Sequence[str] | np.ndarray) -> np.ndarray:
    """The JSON text of each string (``json.dumps(s, ensure_ascii=False)``), for columns of mostly unique texts.

    Examples
    --------
    >>> json_strings(['a "b"', "<c>"]).tolist()
    ['"a \\\\"b\\\\""', '"<c>"']
    """
    return object_array(list(map(_ENCODE_STRING, values)))


def json_values(values: Any) -> np.ndarray:
    """The JSON text of each value (:func:`~energieplanologie._html.json_text`), encoded once per distinct value
    (missing values as ``null``). The values of one column must be of one kind: ``1``, ``1.0`` and ``True`` are one
    value to :func:`~.maps._popups.per_value`.

    Examples
    --------
    >>> json_values([2030, None, 2030]).tolist()
    ['2030', 'null', '2030']
    """
    if isinstance(values, (list, tuple)):  # as given: [2030, None] is not to become floats
        values = object_array(values)
    return per_value(values, json_text)


def feature_collection_text(geometries: np.ndarray, properties: Sequence[tuple[str, np.ndarray]],
                            members: dict[str, Any] | None = None) -> JsonText:
    """``{"type":"FeatureCollection","features":[…]}`` of features with these geometry texts and properties (the
    key and the JSON text per feature of each, in order), written as :func:`~energieplanologie._html.json_text`
    writes the dicts. ``members`` are written between ``type`` and ``features`` (foreign members, RFC 7946 §6.1:
    what the map's script reads for the whole layer, e.g. its popup rows).

    Examples
    --------
    >>> str(feature_collection_text(np.array(['{"type":"Point","coordinates":[4.0,52.0]}'], dtype=object),
    ...                             [("id", np.array(['"A"'], dtype=object))]))
    '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[4.0,52.0]},"properties":{"id":"A"}}]}'
    """
    n = len(geometries)
    pieces = [np.full(n, '{"type":"Feature","geometry":', dtype=object), geometries]
    for k, (key, texts) in enumerate(properties):
        pieces += [np.full(n, ("," if k else ',"properties":{') + json_text(key) + ":", dtype=object), texts]
    end = "}}" if properties else ',"properties":{}}'
    ends = np.full(n, end + ",", dtype=object)
    if n:
        ends[-1] = end + "]}"  # the last feature: no comma, the end of the list and of the collection
    pieces.append(ends)
    # one join of every piece, row by row
    text = "".join(np.column_stack(pieces).ravel().tolist()) if n else "]}"
    head = "".join(f"{json_text(key)}:{json_text(value)}," for key, value in (members or {}).items())
    return JsonText('{"type":"FeatureCollection",' + head + '"features":[' + text)
