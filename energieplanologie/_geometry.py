"""Small vectorised geometry helpers shared by the analyses."""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["representative_xy"]


def representative_xy(geoms: np.ndarray) -> np.ndarray:
    """x, y of each geometry: the point itself, else a point on its surface (inside a polygon), shape (n, 2).

    Examples
    --------
    >>> representative_xy(np.array([shapely.Point(1, 2), shapely.box(0, 0, 2, 2)])).tolist()
    [[1.0, 2.0], [1.0, 1.0]]
    """
    geoms = np.asarray(geoms, dtype=object)
    # get_x/get_y give NaN for anything but a point: one pass each, no masking of the (mostly point) array.
    xy = np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)]).astype(float)
    other = np.flatnonzero(np.isnan(xy[:, 0]))
    if len(other):
        xy[other] = shapely.get_coordinates(shapely.point_on_surface(geoms[other]))
    return xy
