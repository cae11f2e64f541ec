"""Rasters a person looks at: the density surface as a GeoTIFF with its QGIS style (DESIGN §5).

:func:`write_density` writes a surface of :func:`energieplanologie.density.kde` (MW per km²) as a float32
GeoTIFF in EPSG:28992 with a nodata value, and a QGIS style (``.qml`` with the same stem) whose colour ramp is
scaled to the data. Two writes of the same surface are byte-identical (no timestamps). The analysis
(:mod:`energieplanologie.density`) computes the surface and writes nothing; this publishing module writes it.

Examples
--------
>>> import tempfile
>>> from energieplanologie.density import kde
>>> from energieplanologie.sample import load_sample
>>> tif = write_density(Path(tempfile.mkdtemp()) / "dichtheid.tif", *kde(load_sample(), cell_m=500))
>>> sorted(p.suffix for p in tif.parent.iterdir())
['.qml', '.tif']
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from affine import Affine

from energieplanologie._errors import EnergieplanologieError
from energieplanologie.labels import format_number
from energieplanologie.schema import CRS_RD

__all__ = ["NODATA", "STYLE_FILE", "write_density"]

#: Nodata value of the GeoTIFF.
NODATA = -9999.0
#: The QGIS style template for density rasters.
STYLE_FILE = Path(__file__).with_name("styles") / "density.qml"


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
        MW per km² from :func:`energieplanologie.density.kde`.
    transform : affine.Affine
        From :func:`energieplanologie.density.kde`.
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
    >>> from energieplanologie.density import kde
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
