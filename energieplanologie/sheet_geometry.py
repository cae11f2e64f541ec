"""Geometric facts the project sheets need about every project at once: computed once per set of sheets.

A project sheet says whether its project lies (partly) outside the region and which other projects it touches.
Asked per sheet, the first meant the union of all municipalities buffered by a metre for every sheet (seconds
each on a national region) and the second one distance test per pair of projects; here both are answered for all
projects in one vectorised pass (an STR-tree query), with the same answers.

Examples
--------
>>> import geopandas as gpd
>>> import numpy as np
>>> import shapely
>>> muns = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs=28992)
>>> geoms = np.array([shapely.Point(5, 5), shapely.LineString([(5, 5), (15, 5)]), shapely.Point(30, 5)])
>>> outside_region(geoms, muns).tolist()
[False, False, True]
>>> [n.tolist() for n in projects_within(geoms, 10.0)]
[[1], [0], []]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

__all__ = ["REGION_TOLERANCE_M", "outside_region", "projects_within"]

#: How far (m) a project may stick out of the union of the municipalities and still count as inside the region.
REGION_TOLERANCE_M = 1.0


def outside_region(geoms: np.ndarray, municipalities: Any, *, tolerance: float = REGION_TOLERANCE_M) -> np.ndarray:
    """Per geometry: whether it lies (partly) outside the region, the union of ``municipalities`` grown by
    ``tolerance`` metres.

    A geometry covered by a single municipality is inside without further ado; only the others are tested against
    the grown union, which is built only when there are such geometries. The answer is that of
    ``not covers(buffer(union_all(municipalities), tolerance), geom)`` for every geometry.

    Parameters
    ----------
    geoms : array of shapely geometries
        One per project; None counts as inside (nothing to place), an empty geometry as outside.
    municipalities : GeoDataFrame
        The region's municipalities; without any, nothing is outside.
    tolerance : float, default :data:`REGION_TOLERANCE_M`
        Metres a geometry may stick out of the municipalities.

    Returns
    -------
    ndarray of bool
        True where the geometry is not within the region.

    Examples
    --------
    >>> import geopandas as gpd
    >>> muns = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 10)], crs=28992)
    >>> # 10.5 sticks out 0.5 m (inside the 1 m tolerance), 12 sticks out 2 m
    >>> outside_region(np.array([shapely.Point(10.5, 5), shapely.Point(12, 5), None]), muns).tolist()
    [False, True, False]
    """
    geoms = np.asarray(geoms, dtype=object)
    outside = np.zeros(len(geoms), dtype=bool)
    if not len(municipalities) or not len(geoms):
        return outside
    present = ~shapely.is_missing(geoms)
    covered = np.zeros(len(geoms), dtype=bool)
    polygons = municipalities.geometry.to_numpy()
    inside, _ = shapely.STRtree(polygons).query(geoms, predicate="covered_by")
    covered[inside] = True
    rest = np.flatnonzero(present & ~covered)
    if len(rest):
        area = shapely.buffer(shapely.union_all(polygons), tolerance)
        shapely.prepare(area)
        outside[rest] = ~shapely.covers(area, geoms[rest])
    return outside


def projects_within(geoms: np.ndarray, distance: float) -> list[np.ndarray]:
    """Per geometry: the indices (ascending) of the other geometries within ``distance`` of it.

    Parameters
    ----------
    geoms : array of shapely geometries
        None or empty geometries are near nothing.
    distance : float
        Metres.

    Returns
    -------
    list of ndarray of int
        One array per geometry, without the geometry itself.

    Examples
    --------
    >>> geoms = np.array([shapely.Point(0, 0), shapely.Point(40, 0), shapely.Point(100, 0), None])
    >>> [n.tolist() for n in projects_within(geoms, 50.0)]  # 0–40 m apart; 100 is 60 m from 40
    [[1], [0], [], []]
    """
    geoms = np.asarray(geoms, dtype=object)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=distance)
    keep = left != right
    left, right = left[keep], right[keep]
    order = np.lexsort((right, left))
    left, right = left[order], right[order]
    bounds = np.searchsorted(left, np.arange(len(geoms) + 1))
    return [right[bounds[i]:bounds[i + 1]] for i in range(len(geoms))]
