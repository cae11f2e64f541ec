"""Density of planned power: a kernel density surface of MW per km², written as a GeoTIFF (DESIGN §5).

:func:`kde` spreads the scenario-weighted MW of every development (``year ≤ year``) over a raster with a quartic
(biweight) kernel of radius ``bandwidth_m`` — the kernel QGIS's *Heatmap (Kernel Density Estimation)* uses by
default. It is computed as a convolution: the MW are binned to the raster cells, then convolved
(:func:`scipy.signal.fftconvolve`) with the kernel sampled at cell centres and normalised to sum to one, so the
surface conserves power exactly: **Σ density × cell area = total MW**. The raster extends ``bandwidth_m`` beyond
the region and the points, so no MW fall off the edge. Positions are rounded to cell centres (at most half a
cell), which is small against the bandwidth.

:func:`write_density` writes the surface as a float32 GeoTIFF in EPSG:28992 with a nodata value and a QGIS style
(``.qml`` with the same stem) whose colour ramp is scaled to the data. Two writes of the same surface are
byte-identical (no timestamps).

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
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from affine import Affine

from energieplanologie._errors import EnergieplanologieError, EnergieplanologieWarning
from energieplanologie.distributed import use_dask
from energieplanologie.hotspots import KERNELS as HOTSPOT_KERNELS
from energieplanologie.hotspots import weighted_points
from energieplanologie.labels import format_number
from energieplanologie.options import CHOICE_VALUES
from energieplanologie.region import Region
from energieplanologie.scenarios import Scenario
from energieplanologie.schema import CRS_RD

__all__ = ["DIRECTIONS", "MAX_CELLS", "NODATA", "STYLE_FILE", "kde", "quartic_kernel", "write_density"]

#: Which power a surface shows.
DIRECTIONS: tuple[str, ...] = CHOICE_VALUES[("density", "direction")]  # ("total", "offtake", "feedin")
#: Nodata value of the GeoTIFF.
NODATA = -9999.0
#: Largest raster :func:`kde` makes (cells); beyond it choose a larger ``cell_m``.
MAX_CELLS = 200_000_000
#: The QGIS style template for density rasters.
STYLE_FILE = Path(__file__).with_name("styles") / "density.qml"


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
    else:
        pts = weighted_points(region, scenario, year, scenarios=scenarios)
    mw = {"total": pts["weight_mw"], "offtake": pts["offtake_mw"], "feedin": pts["feedin_mw"]}[direction].to_numpy()
    x, y = pts["x"].to_numpy(), pts["y"].to_numpy()

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

    col = np.clip(np.floor((x - west) / cell_m).astype(np.int64), 0, cols - 1)
    row = np.clip(np.floor((north - y) / cell_m).astype(np.int64), 0, rows - 1)
    binned = np.bincount(row * cols + col, weights=mw, minlength=rows * cols).reshape(rows, cols)
    kernel = quartic_kernel(cell_m, bandwidth_m)
    if binned.any():
        from scipy.signal import fftconvolve

        smooth = fftconvolve(binned, kernel, mode="same")
        smooth[smooth < 0] = 0.0  # FFT round-off around zero
        # Restore exact conservation after the round-off clip (a relative correction of order 1e-15).
        total = binned.sum()
        if smooth.sum() > 0:
            smooth *= total / smooth.sum()
    else:
        smooth = binned
    density = smooth / (cell_m * cell_m / 1e6)
    transform = Affine(float(cell_m), 0.0, float(west), 0.0, -float(cell_m), float(north))
    return density, transform


def write_density(path: str | Path, array: np.ndarray, transform: Affine, *, nodata: float = NODATA,
                  style: bool = True) -> Path:
    """Write a density surface as a float32 GeoTIFF (EPSG:28992, DEFLATE) and its QGIS style beside it.

    NaN cells are written as ``nodata``. The style (``<stem>.qml``) is :data:`STYLE_FILE` with its colour ramp
    scaled from 0 to the 99.5th percentile of the positive cells. Both files are written atomically, and the same
    surface gives the same bytes.

    Parameters
    ----------
    path : path
        The ``.tif`` to write.
    array : ndarray, shape (rows, cols)
        MW per km² from :func:`kde`.
    transform : affine.Affine
        From :func:`kde`.
    nodata : float, default -9999
        The nodata value.
    style : bool, default True
        Also write the ``.qml``.

    Returns
    -------
    Path
        The GeoTIFF.

    Examples
    --------
    >>> import tempfile
    >>> from energieplanologie.sample import load_sample
    >>> out = write_density(Path(tempfile.mkdtemp()) / "dichtheid_mw_per_km2.tif", *kde(load_sample()))
    >>> out.with_suffix(".qml").is_file()
    True
    """
    import rasterio

    from energieplanologie._atomic import atomic_write

    path = Path(path)
    data = np.asarray(array, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError(f"array must be two-dimensional; got shape {data.shape}.")
    out = np.where(np.isfinite(data), data, nodata).astype(np.float32)
    profile = {
        "driver": "GTiff", "height": out.shape[0], "width": out.shape[1], "count": 1, "dtype": "float32",
        "crs": CRS_RD, "transform": transform, "nodata": nodata, "compress": "deflate", "predictor": 3,
        "tiled": True, "blockxsize": 256, "blockysize": 256,
    }
    with atomic_write(path) as tmp:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(out, 1)
            dst.set_band_description(1, "dichtheid (MW/km²)")
            dst.update_tags(1, eenheid="MW/km2", grootheid="vermogensdichtheid")
    if style:
        positive = data[np.isfinite(data) & (data > 0)]
        top = float(np.percentile(positive, 99.5)) if positive.size else 1.0
        with atomic_write(path.with_suffix(".qml")) as tmp:
            Path(tmp).write_text(_style(top), encoding="utf-8")
    return path


def _style(top: float) -> str:
    """The density QML with its ramp stretched from 0 to ``top`` MW/km²."""
    top = _nice(top)
    tree = ET.parse(STYLE_FILE)
    root = tree.getroot()
    renderer = root.find(".//rasterrenderer")
    shader = root.find(".//colorrampshader")
    if renderer is None or shader is None:  # pragma: no cover - the shipped style has both
        raise EnergieplanologieError(f"{STYLE_FILE}: geen singlebandpseudocolor-stijl")
    old_max = float(shader.get("maximumValue", "1") or 1.0)
    renderer.set("classificationMin", "0")
    renderer.set("classificationMax", _num(top))
    shader.set("minimumValue", "0")
    shader.set("maximumValue", _num(top))
    for item in shader.findall("item"):
        value = float(item.get("value", "0")) / old_max * top
        item.set("value", _num(value))
        item.set("label", format_number(value, 3, trim=True))
    ET.indent(tree, "  ")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode") + "\n"


def _nice(value: float) -> float:
    """Round up to 1, 2 or 5 × a power of ten (a readable legend maximum)."""
    if value <= 0:
        return 1.0
    exp = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * 10**exp:
            return float(step * 10**exp)
    return float(10 ** (exp + 1))  # pragma: no cover


def _num(value: float) -> str:
    return f"{value:.6g}"
