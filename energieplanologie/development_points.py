"""The weighted points of the developments as plain arrays, in layer order (what the density bins).

:func:`development_points` gives, for each development that takes part in a scenario and year (``year ≤ year``
and a positive scenario-weighted MW), its representative point and its weighted MW: the numbers of
:func:`energieplanologie.hotspots.weighted_points` (developments only) before that function's sort by
coordinates, without building a table. The hotspots put them in coordinate order
(:func:`energieplanologie.hotspots.point_weights`); the density needs that order only within each raster cell
and sorts them itself (:func:`energieplanologie._point_order.cell_coordinate_order`).

Examples
--------
>>> from energieplanologie.sample import load_sample
>>> points = development_points(load_sample(), "verwacht", 2030)
>>> bool((points.weight_mw > 0).all())
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from energieplanologie._geometry import representative_x_y
from energieplanologie.region import Region
from energieplanologie.scenarios import Scenario, get_scenario, weighted_mw_arrays

__all__ = ["DevelopmentPoints", "development_points"]


class DevelopmentPoints(NamedTuple):
    """The developments that take part, as arrays in ``region.developments`` order.

    Attributes
    ----------
    x, y : ndarray of float
        The representative point (EPSG:28992 metres): the point itself, else a point inside the polygon.
    offtake_mw, feedin_mw, weight_mw : ndarray of float
        Scenario-weighted MW; ``weight_mw = offtake_mw + feedin_mw``.
    """

    x: np.ndarray
    y: np.ndarray
    offtake_mw: np.ndarray
    feedin_mw: np.ndarray
    weight_mw: np.ndarray


def development_points(region: Region, scenario: str | Scenario = "verwacht", year: int | None = None, *,
                       scenarios: Mapping[str, Any] | None = None) -> DevelopmentPoints:
    """The developments with ``year ≤ year`` and positive scenario-weighted MW, as arrays in layer order.

    Parameters
    ----------
    region : Region
        The study area.
    scenario : str or Scenario, default "verwacht"
        Certainty weighting (and simultaneity per sector).
    year : int, optional
        Developments with ``year ≤ year`` take part; default the region's last analysis year.
    scenarios : mapping, optional
        The user's scenario tables; built-in names need none.

    Returns
    -------
    DevelopmentPoints
        One entry per development that takes part, in ``region.developments`` order; a development without a
        point with finite coordinates is left out of every array.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd, shapely
    >>> from energieplanologie.region import Region
    >>> from energieplanologie.sample import load_sample
    >>> dev = gpd.GeoDataFrame({
    ...     "development_id": ["a", "b", "c"], "sector": ["housing", "industry", "renewables"],
    ...     "certainty": ["committed", "intended", "planned"], "year": pd.array([2025, 2030, 2040], dtype="Int64"),
    ...     "offtake_mw": [4.0, 10.0, 0.0], "feedin_mw": [0.0, 2.0, 30.0]},
    ...     geometry=[shapely.Point(10, 20), shapely.box(0, 0, 4, 2), shapely.Point(5, 5)], crs="EPSG:28992")
    >>> region = load_sample().replace(developments=dev)
    >>> points = development_points(region, "verwacht", 2030)  # c (2040) does not take part yet
    >>> points.x.tolist(), points.y.tolist()  # the box's point inside it: its centre
    ([10.0, 2.0], [20.0, 1.0])
    >>> points.weight_mw.tolist()  # committed 4 × 1; intended (10 + 2) × 0.5
    [4.0, 6.0]
    """
    sc = get_scenario(scenario, extra=scenarios)
    year = int(max(region.years)) if year is None else int(year)
    dev = region.developments
    in_year = dev["year"].to_numpy(dtype=float, na_value=np.inf) <= year  # a missing year counts in no year
    rows = None if in_year.all() else np.flatnonzero(in_year)  # None: every row (no gathers)
    off, feed, _ = weighted_mw_arrays(dev, sc, rows=rows)
    weight = off + feed
    keep = weight > 0
    if not keep.all():
        rows = np.flatnonzero(keep) if rows is None else rows[keep]
        off, feed, weight = off[keep], feed[keep], weight[keep]
    geoms = np.asarray(dev.geometry.values)
    x, y = representative_x_y(geoms if rows is None else geoms[rows])
    if not (np.isfinite(x).all() and np.isfinite(y).all()):  # rare: drop them here, so that every array of the
        finite = np.isfinite(x) & np.isfinite(y)  # result has the same points
        x, y, off, feed, weight = x[finite], y[finite], off[finite], feed[finite], weight[finite]
    return DevelopmentPoints(x, y, off, feed, weight)
