"""The writers: frames as the layers of a GeoPackage (:func:`write_layers`) and as CSV (:func:`write_csv`).

Both write atomically (:func:`energieplanologie._atomic.atomic_write`: a temporary file beside the target, renamed
into place on success) and deterministically, with Dutch headers (:func:`energieplanologie.labels.dutch_headers`);
every CSV cell that a spreadsheet would run as a formula is neutralised. The readers are in
:mod:`energieplanologie.io`, which re-exports both functions (``energieplanologie.io.write_csv`` keeps working).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from energieplanologie import labels
from energieplanologie._atomic import atomic_write
from energieplanologie._cells import safe_csv_frame

__all__ = ["write_csv", "write_layers"]


def _nulls_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as GDAL can write them: ``pd.NA`` cells as real nulls (GDAL would write the text ``<NA>``),
    and a NUL character in a text as U+FFFD (GDAL would silently cut the text there: ``'x\x00y'`` → ``'x'``)."""
    def odd(v: Any) -> bool:
        return v is pd.NA or (isinstance(v, str) and "\x00" in v)

    def fix(v: Any) -> Any:
        return None if v is pd.NA else v.replace("\x00", "\ufffd") if isinstance(v, str) else v

    columns = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)
               and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))
               and frame[c].map(odd).any()]
    if not columns:
        return frame
    out = frame.copy()
    for c in columns:
        out[c] = out[c].map(fix).astype(object)
    return out


def write_layers(
    path: str | os.PathLike[str],
    layers: Mapping[str, pd.DataFrame],
    *,
    dutch_headers: bool = True,
) -> Path:
    """Write frames as the layers of one new GeoPackage, atomically.

    Parameters
    ----------
    path : path-like
        Target ``.gpkg``; replaced as a whole (existing layers are not kept).
    layers : mapping of str to DataFrame
        Layer name → frame. Names are used as given (``labels.LAYER_NAMES`` has the Dutch ones). A
        GeoDataFrame becomes a spatial layer, a plain DataFrame an attribute table.
    dutch_headers : bool, default True
        Rename columns with :func:`energieplanologie.labels.to_dutch` (``source_row`` becomes ``bronrij``).
        :func:`energieplanologie.io.read_layer` maps these headers back. An extra column that already bears a Dutch label
        (``naam`` beside ``name``) is written as ``naam_bron``.

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from shapely import Point
    >>> stations = gpd.GeoDataFrame({"station_id": ["S1"], "name": ["Terneuzen"]},
    ...                             geometry=[Point(45000, 370000)], crs="EPSG:28992")
    >>> out = write_layers(pathlib.Path(tempfile.mkdtemp()) / "uit.gpkg", {"stations": stations})
    >>> from energieplanologie.io import read_layer
    >>> read_layer(out, "stations").data.loc[0, "name"]
    'Terneuzen'
    """
    if not layers:
        raise ValueError("write_layers: geen lagen om te schrijven.")
    target = Path(path)
    with atomic_write(target) as tmp:
        for name, frame in layers.items():
            if not isinstance(frame, pd.DataFrame):
                raise TypeError(f"laag {name!r}: verwacht een (Geo)DataFrame, kreeg {type(frame).__name__}.")
            out = labels.dutch_headers(frame, str(name)) if dutch_headers else frame
            duplicated = out.columns[out.columns.duplicated()].unique().tolist()
            if duplicated:
                raise ValueError(f"laag {name!r}: kolom(men) {', '.join(map(str, duplicated))} komen dubbel voor.")
            is_geo = isinstance(out, gpd.GeoDataFrame) and out._geometry_column_name in out.columns
            # GeoPackage 1.2: QGIS 3.22 (GDAL 3.6) warns that 1.4 "may only be partially supported".
            kwargs: dict[str, Any] = {"layer": str(name), "driver": "GPKG", "dataset_options": {"VERSION": "1.2"}}
            if is_geo and (len(out) == 0 or out.geometry.isna().all()):
                kwargs["geometry_type"] = "Unknown"
            if not is_geo:
                out = pd.DataFrame(out)
            pyogrio.write_dataframe(_nulls_as_none(out), tmp, **kwargs)
    return target


def write_csv(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    dutch_headers: bool = True,
    geometry: Literal["wkt", "drop"] = "wkt",
    sep: str = ",",
) -> Path:
    """Write a frame as UTF-8 CSV, atomically and deterministically (rows as given, ``\\n`` line ends).

    Text cells (and headers) that a spreadsheet program would run as a formula — starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return, and not a plain number — get a ``'`` in front
    (:func:`energieplanologie._cells.safe_csv_cell`); numeric columns are written as they are.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        The table to write; its index is not written.
    path : path-like
        Target file.
    dutch_headers : bool, default True
        Dutch column headers via :func:`energieplanologie.labels.to_dutch`.
    geometry : {"wkt", "drop"}, default "wkt"
        A GeoDataFrame's geometry as a WKT column ``geometry`` (coordinates in the frame's CRS, rounded to
        millimetres for RD), or left out.
    sep : str, default ","
        Field separator.

    Returns
    -------
    Path
        ``path``, written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_csv(pd.DataFrame({"station_id": ["S1"], "year": [2030]}),
    ...                 pathlib.Path(tempfile.mkdtemp()) / "balans.csv")
    >>> out.read_text(encoding="utf-8")
    'station_id,jaar\\nS1,2030\\n'
    """
    if geometry not in ("wkt", "drop"):
        raise ValueError(f"geometry moet 'wkt' of 'drop' zijn, niet {geometry!r}.")
    out = frame
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns:
        gname = frame.geometry.name
        if geometry == "wkt":
            digits = 3 if frame.crs is not None and not CRS.from_user_input(frame.crs).is_geographic else 7
            wkt = shapely.to_wkt(frame.geometry.to_numpy(), rounding_precision=digits, trim=True)
            out = pd.DataFrame(frame.drop(columns=[gname])).assign(geometry=wkt)
        else:
            out = pd.DataFrame(frame.drop(columns=[gname]))
    if dutch_headers:
        out = labels.dutch_headers(out)
    out = safe_csv_frame(out)  # text that a spreadsheet would run as a formula gets a ' in front
    target = Path(path)
    with atomic_write(target) as tmp:
        out.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n", sep=sep)
    return target
