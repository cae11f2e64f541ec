"""Density of planned power: a kernel density surface of MW per km² (DESIGN §5).

:func:`kde` spreads the scenario-weighted MW of every development (``year ≤ year``) over a raster with a quartic
(biweight) kernel of radius ``bandwidth_m`` — the kernel QGIS's *Heatmap (Kernel Density Estimation)* uses by
default. It is computed as a convolution: the MW are binned to the raster cells, then convolved
(:func:`scipy.signal.fftconvolve`) with the kernel sampled at cell centres and normalised to sum to one, so the
surface conserves power exactly: **Σ density × cell area = total MW**. The raster extends ``bandwidth_m`` beyond
the region and the points, so no MW fall off the edge. Positions are rounded to cell centres (at most half a
cell), which is small against the bandwidth.

This module computes and writes nothing: :func:`energieplanologie.raster_output.write_density` (the publish layer)
writes the surface as a float32 GeoTIFF in EPSG:28992 with a QGIS style.

Examples
--------
>>> from energieplanologie.sample import load_sample
>>> array, transform = kde(load_sample(), year=2035, cell_m=250, bandwidth_m=2000)
>>> float(array.min()) >= 0.0
True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from affine import Affine

from energieplanologie._errors import EnergieplanologieError, EnergieplanologieWarning
from energieplanologie._point_order import cell_coordinate_order
from energieplanologie.development_points import development_points
from energieplanologie.distributed import use_dask
from energieplanologie.hotspots import KERNELS as HOTSPOT_KERNELS
from energieplanologie.options import CHOICE_VALUES
from energieplanologie.region import Region
from energieplanologie.scenarios import Scenario

__all__ = ["DIRECTIONS", "MAX_CELLS", "kde", "quartic_kernel"]

#: Which power a surface shows.
DIRECTIONS: tuple[str, ...] = CHOICE_VALUES[("density", "direction")]  # ("total", "offtake", "feedin")
#: Largest raster :func:`kde` makes (cells); beyond it choose a larger ``cell_m``.
MAX_CELLS = 200_000_000


def quartic_kernel(cell_m: float, bandwidth_m: float) -> np.ndarray:
    """The quartic kernel ``(1 − (d/h)²)²`` for ``d < h`` sampled at cell-centre offsets, summing to one.

    Examples
    --------
    >>> k = quartic_kernel(250, 500)
    >>> k.shape, round(float(k.sum()), 12), bool(k[2, 2] == k.max())
    ((5, 5), 1.0, True)
    """
    radius = max(1, math.ceil(bandwidth_m / cell_m))
    offsets = np.arange(-radius, radius + 1) * float(cell_m)
    d2 = offsets[:, None] ** 2 + offsets[None, :] ** 2
    u = d2 / float(bandwidth_m) ** 2
    kernel = np.where(u < 1.0, (1.0 - u) ** 2, 0.0)
    return kernel / kernel.sum()


def _cell_index(offset: np.ndarray, cells: int) -> np.ndarray:
    """``clip(floor(offset), 0, cells - 1)`` as int64, for offsets in cells from the raster's edge.

    Without the floor: the cast truncates toward zero, which differs from the floor only below zero, where the
    clip makes both 0.
    """
    index = offset.astype(np.int64)
    return np.clip(index, 0, cells - 1, out=index)


def _binned_mw(x: np.ndarray, y: np.ndarray, mw: np.ndarray, west: float, north: float, cell_m: float, rows: int,
               cols: int, in_layer_order: bool) -> np.ndarray:
    """The MW summed per cell, shape (rows, cols); each cell sums its points in coordinate order.

    Points in layer order (``in_layer_order``) are put in that order per cell first
    (:func:`~energieplanologie._point_order.cell_coordinate_order`); points already in coordinate order are
    binned as they come. The temporaries of a million points are freed on return.
    """
    across = np.subtract(x, west)
    across /= cell_m  # columns from the west edge
    col = _cell_index(across, cols)
    down = np.subtract(north, y)
    down /= cell_m  # rows from the north edge
    cell = _cell_index(down, rows)  # the row ...
    del down
    cell *= cols
    cell += col  # ... times the columns, plus the column
    if in_layer_order:
        across -= col  # where in its cell each point lies, west to east: it speeds up the sort
        del col
        order, cell = cell_coordinate_order(cell, rows * cols, across, x, y)
        del across
        mw = mw[order]
        del order
    return np.bincount(cell, weights=mw, minlength=rows * cols).reshape(rows, cols)


def kde(
    region: Region,
    *,
    scenario: str | Scenario = "verwacht",
    year: int | None = None,
    cell_m: float = 250,
    bandwidth_m: float = 2000,
    direction: str = "total",
    engine: str = "memory",
    client: Any = None,
    scenarios: Mapping[str, Any] | None = None,
) -> tuple[np.ndarray, Affine]:
    """Kernel density of scenario-weighted MW per km².

    Parameters
    ----------
    region : Region
        The study area (its municipalities set the minimum extent).
    scenario : str or Scenario, default "verwacht"
        Certainty weighting.
    scenarios : mapping, optional
        The user's scenario tables (``[scenarios.NAAM]`` of the project configuration,
        :meth:`~energieplanologie.config.ProjectSettings.user_scenarios`); built-in names need none.
    year : int, optional
        Developments with ``year ≤ year`` count; default the region's last analysis year.
    cell_m : float, default 250
        Cell size in metres.
    bandwidth_m : float, default 2000
        Kernel radius in metres (the density reaches zero there). Not larger than ``cell_m``, the kernel falls
        within one cell and the surface is plain binning: an :class:`~energieplanologie.EnergieplanologieWarning`
        says so.
    direction : {"total", "offtake", "feedin"}, default "total"
        Offtake plus feed-in, or one of them.
    engine : {"memory", "dask"}, default "memory"
        ``"dask"`` computes the weighted points partition by partition on a Dask cluster
        (:mod:`energieplanologie.distributed`; ``region.developments`` may then be a dask-geopandas frame) and
        bins them here: the same surface, bit for bit.
    client : dask.distributed.Client or str, optional
        With ``engine="dask"``: the cluster (a client or a scheduler address); default the current client, else
        dask's local threads.

    Returns
    -------
    array : ndarray of float64, shape (rows, cols)
        MW per km², north up; ``array.sum() * cell_m² / 1e6`` equals the total MW.
    transform : affine.Affine
        Pixel to EPSG:28992 coordinates (the cell edges are multiples of ``cell_m``).

    Raises
    ------
    EnergieplanologieError
        An unknown direction, a non-positive size, or a raster larger than :data:`MAX_CELLS`.

    Examples
    --------
    >>> from energieplanologie.sample import load_sample
    >>> region = load_sample()
    >>> array, transform = kde(region, year=2030, cell_m=500, bandwidth_m=3000, direction="feedin")
    >>> from energieplanologie.hotspots import weighted_points
    >>> pts = weighted_points(region, "verwacht", 2030)
    >>> bool(np.isclose(array.sum() * 0.25, pts["feedin_mw"].sum()))  # 500 m cells are 0.25 km²
    True
    """
    if direction not in DIRECTIONS:
        raise EnergieplanologieError(f"density.direction: onbekende richting {direction!r} "
                                     f"(kies uit {', '.join(DIRECTIONS)})")
    for name, value in (("cell_m", cell_m), ("bandwidth_m", bandwidth_m)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise EnergieplanologieError(f"density.{name}: verwacht een positief getal in meters, niet {value!r}")
    if bandwidth_m <= cell_m:
        warnings.warn(f"density.bandwidth_m: {bandwidth_m:g} m is niet groter dan de cel (cell_m {cell_m:g} m); de "
                      "kern valt binnen één cel, dus de kaart toont MW per cel zonder spreiding. Kies bandwidth_m "
                      "groter dan cell_m (bijvoorbeeld vier cellen).", EnergieplanologieWarning, stacklevel=2)
    if use_dask(engine):
        from energieplanologie.distributed import dask_weighted_points

        pts = dask_weighted_points(region, scenario, year, kernels=HOTSPOT_KERNELS, client=client, scenarios=scenarios)
        mw = {"total": pts["weight_mw"], "offtake": pts["offtake_mw"], "feedin": pts["feedin_mw"]}[direction].to_numpy()
        x, y = pts["x"].to_numpy(), pts["y"].to_numpy()
        in_layer_order = False  # already in weighted_points' (coordinate) order
    else:
        # The positions and weights in layer order: below, each cell's points are put in the coordinate order of
        # weighted_points (so every cell sums its MW in the same order as ever), the cells themselves in turn.
        points = development_points(region, scenario, year, scenarios=scenarios)
        mw = {"total": points.weight_mw, "offtake": points.offtake_mw, "feedin": points.feedin_mw}[direction]
        x, y = points.x, points.y
        del points  # the other MW: freed before the arrays below take their memory
        in_layer_order = True

    boxes = []
    if len(region.municipalities):
        boxes.append(np.asarray(region.municipalities.total_bounds, dtype=float))
    if len(x):
        boxes.append(np.array([x.min(), y.min(), x.max(), y.max()]))
    if not boxes:
        raise EnergieplanologieError("density: de regio heeft geen gemeenten en geen ontwikkelingen")
    b = np.vstack(boxes)
    pad = bandwidth_m + cell_m
    west = math.floor((b[:, 0].min() - pad) / cell_m) * cell_m
    south = math.floor((b[:, 1].min() - pad) / cell_m) * cell_m
    east = math.ceil((b[:, 2].max() + pad) / cell_m) * cell_m
    north = math.ceil((b[:, 3].max() + pad) / cell_m) * cell_m
    cols = int(round((east - west) / cell_m))
    rows = int(round((north - south) / cell_m))
    if rows * cols > MAX_CELLS:
        raise EnergieplanologieError(
            f"density: raster van {rows} × {cols} cellen is te groot; kies een grotere cel (cell_m) dan {cell_m} m")

    binned = _binned_mw(x, y, mw, west, north, cell_m, rows, cols, in_layer_order)
    del x, y, mw  # freed before the convolution's arrays
    kernel = quartic_kernel(cell_m, bandwidth_m)
    if binned.any():
        from scipy.signal import fftconvolve

        smooth = fftconvolve(binned, kernel, mode="same")
        smooth[smooth < 0] = 0.0  # FFT round-off around zero (not np.maximum: it would turn a -0.0 into 0.0)
        # Restore exact conservation after the round-off clip (a relative correction of order 1e-15).
        total = binned.sum()
        smooth_total = smooth.sum()
        if smooth_total > 0:
            smooth *= total / smooth_total
    else:
        smooth = binned.astype(np.float64)  # no points: bincount gives integers
    smooth /= cell_m * cell_m / 1e6  # MW per cell to MW per km², in place (the arrays are this call's own)
    density = smooth
    transform = Affine(float(cell_m), 0.0, float(west), 0.0, -float(cell_m), float(north))
    return density, transform
