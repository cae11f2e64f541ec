"""The writers: frames as the layers of a GeoPackage (:func:`write_layers`) and as CSV (:func:`write_csv`).

Both write atomically (:func:`energieplanologie._atomic.atomic_write`: a temporary file beside the target, renamed
into place on success) and deterministically, with Dutch headers (:func:`energieplanologie.labels.dutch_headers`);
every CSV cell that a spreadsheet would run as a formula is neutralised. For speed at national scale, a layer
of numbers, booleans and text goes through pyogrio's Arrow path (the same fields and values as its row writer),
and a CSV's text is built by :mod:`energieplanologie.csv_text` (the same bytes as ``DataFrame.to_csv``). The
readers are in :mod:`energieplanologie.io`, which re-exports both functions (``energieplanologie.io.write_csv`` keeps working).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from energieplanologie import csv_text, labels
from energieplanologie._atomic import atomic_write
from energieplanologie._cells import safe_csv_frame
from energieplanologie._distinct import where_distinct

__all__ = ["write_csv", "write_layers"]


def _odd_cells(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Where a text column holds a NUL character, and where ``pd.NA``. A pandas string column asks its string
    methods; an object column first looks for a NUL in all its text at once (almost always none), else tests each
    distinct value once (``pd.factorize``); the ``pd.NA`` test runs on the missing cells only."""
    na = column.isna().to_numpy()
    if column.dtype.kind != "O":  # a pandas string column: one missing value for all its cells
        nul = column.str.contains("\x00", regex=False, na=False).to_numpy(dtype=bool)
        return nul, na if column.dtype.na_value is pd.NA else np.zeros(len(column), dtype=bool)
    values = column.to_numpy()
    present = values[~na]
    if pd.api.types.infer_dtype(present, skipna=False) == "string" and "\x00" not in "".join(present):
        nul = np.zeros(len(column), dtype=bool)
    else:
        nul = where_distinct(column, lambda v: isinstance(v, str) and "\x00" in v)
    pd_na = na.copy()
    if na.any():
        pd_na[na] = [v is pd.NA for v in values[na]]
    return nul, pd_na


def _nulls_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as GDAL can write them: ``pd.NA`` cells as real nulls (GDAL would write the text ``<NA>``),
    and a NUL character in a text as U+FFFD (GDAL would silently cut the text there: ``'x\x00y'`` → ``'x'``).

    A column that needs neither is passed on as it is; one that does becomes an object column with only those
    cells changed."""
    geometry = getattr(frame, "_geometry_column_name", None)
    fixed: dict[Any, pd.Series] = {}
    for c in frame.columns:
        column = frame[c]
        if c == geometry or not (column.dtype == object or pd.api.types.is_string_dtype(column)):
            continue
        nul, pd_na = _odd_cells(column)
        if nul.any() or pd_na.any():
            values = column.to_numpy(dtype=object, copy=True)
            values[nul] = [v.replace("\x00", "\ufffd") for v in values[nul]]
            values[pd_na] = None
            fixed[c] = pd.Series(values, index=frame.index, dtype=object, name=c)
    if not fixed:
        return frame
    out = frame.copy()
    for c, values in fixed.items():
        out[c] = values
    return out


def _arrow_ready(frame: pd.DataFrame) -> bool:
    """Whether pyogrio may write ``frame`` through Arrow (``use_arrow=True``) with the same fields and values as
    through its row writer: at least one row, and only numbers, booleans and text (an object column of text or
    of missing values only, as both paths make the same field of it; no dates, no categories, no mixed objects,
    no pandas float column)."""
    if len(frame) == 0:
        return False
    geometry = getattr(frame, "_geometry_column_name", None)
    for c in frame.columns:
        column = frame[c]
        dtype = column.dtype
        if c == geometry:
            continue
        if isinstance(dtype, np.dtype):
            if dtype.kind in "biuf":
                continue
            if dtype.kind == "O" and pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
                continue
            return False
        if isinstance(dtype, pd.StringDtype) or (
                isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "biu"
                and dtype.name in ("boolean", "Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32",
                                   "UInt64")):
            continue
        return False
    return True


#: SQLite's page cache while a GeoPackage is written (``OGR_SQLITE_CACHE``, MB; without it SQLite keeps about 2 MB):
#: building the spatial index of 10⁶ points then takes about half as long. The file is the same byte for byte.
SQLITE_CACHE_MB = 64


@contextmanager
def _sqlite_cache() -> Iterator[None]:
    """GDAL's ``OGR_SQLITE_CACHE`` set to :data:`SQLITE_CACHE_MB` for the block, unless the user set it."""
    if pyogrio.get_gdal_config_option("OGR_SQLITE_CACHE") is not None:
        yield
        return
    pyogrio.set_gdal_config_options({"OGR_SQLITE_CACHE": str(SQLITE_CACHE_MB)})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_CACHE": None})


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
    with atomic_write(target) as tmp, _sqlite_cache():
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
            out = _nulls_as_none(out)
            # Arrow is the faster path (about 1.5x less CPU in GDAL); the same fields and values, see _arrow_ready.
            pyogrio.write_dataframe(out, tmp, use_arrow=_arrow_ready(out), **kwargs)
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
        if csv_text.supported(out):  # the same bytes as to_csv, several times faster (numbers and text)
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.writelines(csv_text.csv_chunks(out, sep=sep, lineterminator="\n"))
        else:
            out.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n", sep=sep)
    return target
