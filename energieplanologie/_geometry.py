"""Small vectorised geometry helpers shared by the analyses."""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["representative_points", "representative_x_y", "representative_xy"]


def representative_points(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`representative_x_y`, and the positions of the geometries whose point is not read from a point.

    Returns
    -------
    x, y : ndarray of float
        As :func:`representative_x_y`.
    other : ndarray of intp
        Ascending positions of every geometry that is not one coordinate with finite x and y (a point): the
        polygons, lines, missing and empty geometries all are among them, so a question about those (e.g. which
        are polygons) need only ask these.

    Examples
    --------
    >>> x, y, other = representative_points(np.array([shapely.Point(1, 2), shapely.box(0, 0, 2, 2), None]))
    >>> x.tolist(), y.tolist(), other.tolist()
    ([1.0, 1.0, nan], [2.0, 1.0, nan], [1, 2])
    """
    geoms = np.asarray(geoms, dtype=object)
    # Both coordinates in one pass over the GEOS geometries: a geometry of one coordinate (a point) is its own
    # bounding box. The rest (polygons, missing or empty ones, and any non-finite box) as ever, below.
    box = shapely.bounds(geoms)
    x = np.ascontiguousarray(box[:, 0])
    y = np.ascontiguousarray(box[:, 1])
    del box
    other = np.flatnonzero((shapely.get_num_coordinates(geoms) != 1) | ~np.isfinite(x) | ~np.isfinite(y))
    if len(other):
        x[other], y[other] = _point_or_on_surface_x_y(geoms[other])
    return x, y, other


def representative_x_y(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of each geometry as two arrays: the point itself, else a point on its surface (inside a polygon).

    The columns of :func:`representative_xy`, each contiguous (what vectorised code over x and y wants).
    A missing geometry (None) has no point: NaN.

    Examples
    --------
    >>> x, y = representative_x_y(np.array([shapely.Point(1, 2), shapely.box(0, 0, 2, 2), None]))
    >>> x.tolist(), y.tolist()
    ([1.0, 1.0, nan], [2.0, 1.0, nan])
    """
    x, y, _ = representative_points(geoms)
    return x, y


def _point_or_on_surface_x_y(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`representative_x_y` geometry by geometry: a point's x and y, else those of a point on its surface.

    (``point_on_surface`` of a collection of one point is that point: the same numbers as its bounding box.)
    """
    # get_x/get_y give NaN for anything but a point: one pass each, no masking of the (mostly point) array.
    x = shapely.get_x(geoms)
    y = shapely.get_y(geoms)
    other = np.flatnonzero(np.isnan(x))
    if len(other):
        inside = shapely.point_on_surface(geoms[other])
        x[other] = shapely.get_x(inside)
        y[other] = shapely.get_y(inside)
    return x, y


def representative_xy(geoms: np.ndarray) -> np.ndarray:
    """x, y of each geometry: the point itself, else a point on its surface (inside a polygon), shape (n, 2).

    Examples
    --------
    >>> representative_xy(np.array([shapely.Point(1, 2), shapely.box(0, 0, 2, 2)])).tolist()
    [[1.0, 2.0], [1.0, 1.0]]
    """
    return np.column_stack(representative_x_y(geoms))
