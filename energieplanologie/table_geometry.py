"""Tables (CSV, XLSX, database tables) to layers: geometry from WKT/EWKT or x/y columns, numbers and years
from text.

:func:`table_to_frame` builds the geometry (rows whose geometry cannot be read are rejected in the report),
:func:`numbers_from_text` reads Dutch number texts of the numeric columns, :func:`years_from_dates` takes the
year of a date in a year column.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from energieplanologie.report import ValidationReport
from energieplanologie.schema import (
    CRS_RD,
    NL_BOUNDS_LONLAT,
    NL_BOUNDS_RD,
    SCHEMAS,
    parse_numbers,
)

__all__ = ["numbers_from_text", "table_to_frame", "years_from_dates"]


_WKT_COLUMNS = ("wkt", "geometry", "geom", "the_geom", "geometrie", "ewkt")
_XY_PAIRS = (
    ("x", "y"),
    ("lon", "lat"),
    ("lng", "lat"),
    ("longitude", "latitude"),
    ("x_rd", "y_rd"),
    ("rd_x", "rd_y"),
    ("lengtegraad", "breedtegraad"),
)
_EWKT = re.compile(r"^\s*SRID\s*=\s*(\d+)\s*;\s*(.*)$", re.IGNORECASE | re.DOTALL)


def _find(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    lookup = {str(c).strip().casefold(): c for c in frame.columns}
    for n in names:
        if n in lookup:
            return lookup[n]
    return None


def table_to_frame(frame: pd.DataFrame, kind: str, crs: CRS | None, report: ValidationReport) -> pd.DataFrame:
    """Build geometry from a WKT column or x/y columns (not for table kinds); reject rows that cannot be parsed."""
    if not SCHEMAS[kind].has_geometry:
        return frame
    if frame.columns.duplicated().any():  # validate rejects the layer, naming the duplicated headers
        return frame
    wkt_col = _find(frame, _WKT_COLUMNS)
    if wkt_col is not None:
        return _from_wkt(frame, wkt_col, crs, report)
    for xname, yname in _XY_PAIRS:
        xcol, ycol = _find(frame, (xname,)), _find(frame, (yname,))
        if xcol is not None and ycol is not None:
            return _from_xy(frame, xcol, ycol, crs, report)
    report.warning(
        "no_geometry_columns", None, [],
        "geen geometriekolom gevonden: geef een WKT-kolom (wkt, geometry, geom) of x/y-kolommen "
        "(x/y, lon/lat, longitude/latitude, x_rd/y_rd)",
    )
    return frame


def _reject(frame: pd.DataFrame, bad: np.ndarray, report: ValidationReport, code: str, column: str,
            values: pd.Series, message: str) -> pd.DataFrame:
    for i in np.flatnonzero(bad):
        report.row_error(row=int(frame["source_row"].iloc[i]), row_id=None, code=code, column=str(column),
                         value=values.iloc[i], message=message)
    return frame.loc[~bad]


def _from_wkt(frame: pd.DataFrame, column: str, crs: CRS | None, report: ValidationReport) -> gpd.GeoDataFrame:
    text = frame[column].astype("string").str.strip()
    present = (text.notna() & (text != "")).to_numpy()
    parts = text.str.extract(_EWKT)
    srid = pd.to_numeric(parts[0], errors="coerce")
    body = parts[1].where(parts[1].notna(), text)
    values = np.array(body.astype(object).where(body.notna(), None).tolist(), dtype=object)
    values[~present] = None
    geoms = shapely.from_wkt(values, on_invalid="ignore")
    bad = present & pd.isna(geoms)
    srids = sorted(int(s) for s in srid[present & ~bad].dropna().unique())
    geo = gpd.GeoDataFrame(frame.drop(columns=[column]), geometry=gpd.GeoSeries(geoms, index=frame.index))
    geo = _reject(geo, bad, report, "invalid_wkt", column, frame[column], "geometrie (WKT) niet te lezen")
    srid = srid[~bad]
    if len(srids) == 1:
        geo = geo.set_crs(f"EPSG:{srids[0]}")
        if crs is not None and not CRS.from_user_input(crs).equals(CRS.from_user_input(geo.crs)):
            report.warning("crs_ignored", "geometry", [],
                           f"opgegeven crs genegeerd: de WKT noemt zelf SRID={srids[0]}")
    elif len(srids) > 1:
        missing = (srid.isna() & geo.geometry.notna()).to_numpy()
        if crs is None:
            geo = _reject(geo, missing, report, "missing_srid", column, frame.loc[geo.index, column],
                          "geen SRID terwijl andere rijen verschillende SRID's hebben")
            srid = srid[~missing]
        out = gpd.GeoSeries([None] * len(geo), index=geo.index, crs=CRS_RD)
        for code in srids:
            sel = (srid == code).to_numpy()
            out[sel] = gpd.GeoSeries(geo.geometry[sel], crs=f"EPSG:{code}").to_crs(CRS_RD).to_numpy()
        rest = srid.isna().to_numpy()
        if rest.any():
            out[rest] = gpd.GeoSeries(geo.geometry[rest], crs=crs).to_crs(CRS_RD).to_numpy()
        geo = geo.set_geometry(out)
        report.note("reprojected", "geometry", [],
                      f"rijen met verschillende SRID's ({', '.join(map(str, srids))}) omgezet naar {CRS_RD}")
    return geo


def _split_numbers(col: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """A column of coordinates as ``(values, dutch, present)``.

    Plain numbers (``51.4``, ``155000``) are parsed in C; only the cells that are not (``51,4``, ``'abc'``) go
    through the Dutch-notation parser, and ``dutch`` marks those that it could read. A dot in a coordinate is
    always a decimal point (``51.280`` is never 51280).
    """
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return col.astype(float), np.zeros(len(col), dtype=bool), col.notna().to_numpy()
    values = _to_numeric(col) if _all_text(col) else pd.Series(np.nan, index=col.index)
    rest = (col.notna() & values.isna()).to_numpy()
    dutch = np.zeros(len(col), dtype=bool)
    present = col.notna().to_numpy().copy()  # written into below; pandas may hand out a read-only view
    if rest.any():
        parsed, converted, filled = parse_numbers(col[rest])
        values = values.copy()
        values[rest] = parsed.to_numpy()
        dutch[rest] = converted
        present[rest] = filled
    return values, dutch, present


def _to_numeric(col: pd.Series) -> pd.Series:
    """Plain numbers parsed in C, NaN elsewhere. (Through an object array: pandas 3 can refuse to write into a
    copy-on-write string column's buffer.)"""
    parsed = pd.to_numeric(col.to_numpy(dtype=object), errors="coerce")
    return pd.Series(np.asarray(parsed, dtype=float), index=col.index)


def _all_text(col: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(col) or col.map(lambda v: v is None or isinstance(v, str)).all()


def _from_xy(frame: pd.DataFrame, xcol: str, ycol: str, crs: CRS | None, report: ValidationReport) -> gpd.GeoDataFrame:
    if not (_all_text(frame[xcol]) or pd.api.types.is_numeric_dtype(frame[xcol])):
        x, x_dutch, present_x = parse_numbers(frame[xcol])  # a spreadsheet column mixing numbers and text
    else:
        x, x_dutch, present_x = _split_numbers(frame[xcol])
    if not (_all_text(frame[ycol]) or pd.api.types.is_numeric_dtype(frame[ycol])):
        y, y_dutch, present_y = parse_numbers(frame[ycol])
    else:
        y, y_dutch, present_y = _split_numbers(frame[ycol])
    bad_x = present_x & x.isna().to_numpy()
    bad_y = present_y & y.isna().to_numpy() & ~bad_x
    ok = (x.notna() & y.notna()).to_numpy()
    finite = ok & np.isfinite(x.to_numpy(dtype=float, na_value=np.nan)) & np.isfinite(y.to_numpy(dtype=float,
                                                                                                  na_value=np.nan))
    geoms = np.full(len(frame), None, dtype=object)
    geoms[ok] = shapely.points(x.to_numpy()[ok], y.to_numpy()[ok])
    geo = gpd.GeoDataFrame(frame.drop(columns=[xcol, ycol]), geometry=gpd.GeoSeries(geoms, index=frame.index))
    converted = (x_dutch | y_dutch) & ~bad_x & ~bad_y
    if converted.any():
        report.note("text_to_number", "geometry", frame["source_row"][converted].tolist(),
                      f"coördinaten {xcol}/{ycol} als tekst gelezen (decimale komma geaccepteerd)")
    geo = _reject(geo, bad_x | bad_y, report, "not_a_number", f"{xcol}/{ycol}",
                  frame[xcol].where(bad_x, frame[ycol]), "coördinaat is geen getal")
    ok = finite[~(bad_x | bad_y)]  # 'inf' is rejected by validate; the CRS is judged on the finite ones
    if crs is None and ok.any():
        xs, ys = x[~(bad_x | bad_y)][ok], y[~(bad_x | bad_y)][ok]
        lon0, lat0, lon1, lat1 = NL_BOUNDS_LONLAT
        rx0, ry0, rx1, ry1 = NL_BOUNDS_RD
        if xs.between(lon0, lon1).all() and ys.between(lat0, lat1).all():
            geo = geo.set_crs("EPSG:4326")
            report.repair("crs_assumed", "geometry", [],
                          f"geen coördinatenstelsel opgegeven; {xcol}/{ycol} liggen als lengte/breedte in graden in "
                          "Nederland: EPSG:4326 (WGS84) aangenomen")
        elif xs.between(rx0, rx1).all() and ys.between(ry0, ry1).all():
            geo = geo.set_crs(CRS_RD)
            report.repair("crs_assumed", "geometry", [],
                          f"geen coördinatenstelsel opgegeven; {xcol}/{ycol} liggen als RD-coördinaten in Nederland: "
                          "EPSG:28992 (RD New) aangenomen")
    return geo


def numbers_from_text(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """CSV cells are all text: turn the plain numbers in numeric columns into numbers.

    In canonical numeric columns each plain number (``12.5``, ``2030``) becomes a number. Other notations
    (``12,5``, ``1.234,5``, ``'n.v.t.'``) stay text for :func:`~energieplanologie.schema.validate`, which repairs
    or rejects them and says so; in a column with decimal commas, cells with a dot stay text too, so that
    ``1.234`` is read the Dutch way like the rest of the column. Extra columns become numeric only when every
    value is a plain number without leading zeros (``0715`` is a code). Canonical text columns are left alone.
    """
    spec = SCHEMAS[kind]
    numeric = {c.name for c in spec.columns if c.type in ("int", "float")}
    integer = {c.name for c in spec.columns if c.type == "int"}
    text_columns = {c.name for c in spec.columns if c.type in ("str", "enum")}
    out = frame.copy()
    for c in frame.columns[~frame.columns.duplicated()]:
        if c in text_columns or c == "source_row" or not isinstance(frame[c], pd.Series):
            continue
        col = frame[c]
        if not pd.api.types.is_string_dtype(col):
            continue
        parsed = _to_numeric(col)
        present = col.notna().to_numpy()
        plain = parsed.notna().to_numpy()
        if c in numeric:
            if (plain | ~present).all():
                values = parsed.dropna()
                # Only exact integers become Int64 here; inf, 1e20 and fractions stay floats for validate to judge.
                whole = bool((np.isfinite(values) & (values.abs() < 2.0**53) & (values == values.round())).all())
                out[c] = parsed.round().astype("Int64") if c in integer and whole else parsed.astype(float)
            elif plain.any():
                commas = col.str.contains(",", regex=False, na=False).any()
                if commas:
                    plain = plain & ~col.str.contains(".", regex=False, na=False).to_numpy()
                mixed = col.astype(object).where(~plain, parsed.astype(object))
                out[c] = mixed.where(present, None)
        elif (plain | ~present).all() and not col[present].str.match(r"^\s*[+-]?0\d").any():
            out[c] = parsed.astype(float)
    return out


_YEAR_COLUMNS = ("year", "year_ready", "expected_year_ready")


def years_from_dates(frame: pd.DataFrame, report: ValidationReport) -> pd.DataFrame:
    """Spreadsheet dates in a year column become their year (reported)."""
    out = frame
    for c in _YEAR_COLUMNS:
        if c not in frame.columns or not isinstance(frame[c], pd.Series):
            continue
        is_date = frame[c].map(lambda v: hasattr(v, "year") and hasattr(v, "month")).to_numpy(dtype=bool)
        if is_date.any():
            if out is frame:
                out = frame.copy()
            out[c] = frame[c].map(lambda v: v.year if hasattr(v, "year") and hasattr(v, "month") else v)
            report.repair("date_to_year", c, frame["source_row"][is_date].tolist(), "datum omgezet naar jaartal")
    return out
