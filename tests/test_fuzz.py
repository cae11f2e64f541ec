"""Fuzzing ``schema.validate`` and every reader with generated layers (hypothesis), through real files.

Layers are generated column by column: a random subset of the canonical columns under canonical, Dutch or oddly
written headers, extra columns with odd names, and values drawn from what users' files hold — valid values, Dutch
words, near misses, numbers as text with decimal commas and thousands separators, NaN/±inf, absurd and negative
MW, years as ``2030.0``/``'2030'``, injection strings, empty cells — with geometries in RD, WGS84, without CRS or
under the wrong CRS, empty, invalid, of the wrong type, with Z/M values. Each layer is written with the format's own
writer (pyogrio, ``csv``, openpyxl, PyYAML/json) and read back with :func:`energieplanologie.io.read_layer`.

The only allowed outcomes are

* a clean frame and its report, checked by :func:`check_clean` (rows in = kept + rejected, every rejected row named
  by an error, canonical typed columns, values in range, geometries valid/2D/in the Netherlands/in RD, unique keys,
  a report that renders as text and JSON), or
* :class:`~energieplanologie.ReadError` / :class:`~energieplanologie.ConfigError` for input that cannot be read or
  configured.

Any other exception — and any warning, since pytest turns warnings into errors — fails the test. MW is conserved
from the file through allocation and balance on generated valid layers.

The number of examples per test is small in CI (the file runs in about a minute, ``derandomize=True``, so CI is
deterministic). For a long local run with fresh random examples::

    EP_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py -q
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
import yaml
from hypothesis import HealthCheck, Phase, given, note, reject, settings
from hypothesis import strategies as st
from pyproj import Transformer

from energieplanologie import ConfigError, ReadError
from energieplanologie.allocation import allocate_region_result
from energieplanologie.balance import station_balance
from energieplanologie.io import read_layer
from energieplanologie.region import Region
from energieplanologie.schema import (
    ABSURD_MW,
    CARRIERS,
    CERTAINTIES,
    CRS_RD,
    ENUM_SYNONYMS,
    LEVELS,
    NL_BOUNDS_RD,
    SCHEMAS,
    SECTORS,
    validate,
)

LONG = "EP_FUZZ_EXAMPLES" in os.environ


def fuzz(examples: int) -> settings:
    """``examples`` in CI (derandomized: the same examples every run); ``EP_FUZZ_EXAMPLES`` of fresh ones locally."""
    no_shrink = os.environ.get("EP_FUZZ_NO_SHRINK") is not None  # for quick looks at many failures
    return settings(
        max_examples=int(os.environ.get("EP_FUZZ_EXAMPLES", examples)),
        phases=[Phase.explicit, Phase.reuse, Phase.generate] if no_shrink else list(Phase),
        deadline=None,
        derandomize=not LONG,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


TO_WGS84 = Transformer.from_crs(CRS_RD, "EPSG:4326", always_xy=True)
#: Zeeuws-Vlaanderen and surroundings in RD New, where generated geometries lie.
BOX = (10_000.0, 355_000.0, 80_000.0, 390_000.0)

# ------------------------------------------------------------------------------------------------ values

INJECTION = ["<img src=x onerror=alert(1)>", '"><script>alert(1)</script>', "{{ 7*7 }}", "{% raw %}",
             "'s-Hertogenbosch", "../../etc/passwd", "a\\b", "CON", "=SUM(A1:A9)", "Reeënweg", "Ĳsselmonde",
             "quote \" inside", "semi;colon", "comma, here", "new\nline", "tab\there", "\u2028", "𝔘𝔫𝔦", "  ",
             "", "NaN", "None", "null", "-", "n.v.t.", "0715", "1714.0", "x" * 300]

#: Text as spreadsheets and GIS can store it: no control characters other than tab and newline.
PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc", "Co"), blacklist_characters="\x85")
texts = st.one_of(st.text(PRINTABLE, max_size=12), st.sampled_from(INJECTION))

NUMBER_TEXTS = ["12,5", "1.250", "1.250,5", "1 250", "1,250.5", "12.500.000", "1e3", "-3", " 7 ", "+4", "0,0",
                "1.25", "inf", "-Infinity", "NaN", "nan", "veel", "12 MW", "٣", "1_000", "0x10", "", "  "]


def numbers(low: float = -50.0, high: float = 2e5) -> st.SearchStrategy[Any]:
    """MW-like cells: floats (with NaN/±inf, negative and absurd values), ints, numbers as text, junk."""
    return st.one_of(
        st.floats(low, high, allow_nan=False, allow_infinity=False),
        st.sampled_from([0.0, 0.5, 12.5, 99_999.0, ABSURD_MW, 1e9, 1e20, 1e300, 5e-324, -1.0, -0.0, math.nan, math.inf,
                         -math.inf]),
        st.integers(-10, 300_000),
        st.sampled_from(NUMBER_TEXTS),
        st.floats(0, 5000, allow_nan=False).map(lambda v: f"{v:.3f}".replace(".", ",")),
        st.none(),
    )


years = st.one_of(
    st.integers(1990, 2110),
    st.sampled_from([2030.0, 2030.5, 1e12, 1e20, -2.0**63, math.nan, math.inf, "2030", "2030.0", "2.030", "2030,0",
                     "twintig", "", "2031 ", "1e400", "9" * 25]),
    st.none(),
)


def enum_values(column: str, allowed: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """Canonical values, Dutch words, case/space variants, near misses (a letter lost), numbers, nothing."""
    words = list(allowed) + list(ENUM_SYNONYMS.get(column, {}))
    return st.one_of(
        st.sampled_from(words),
        st.sampled_from(words).map(lambda w: f"  {w.upper()} "),
        st.sampled_from(words).map(lambda w: w[:-1] if len(w) > 2 else w + "x"),
        texts,
        st.integers(0, 3),
        st.none(),
    )


ID_POOL = ["A", "B", "C", "a", " A ", "1", "1.0", "GM0715", "TNZ", "P/1", "..", "<b>x</b>"]


def cell_strategy(kind: str, column: str) -> st.SearchStrategy[Any]:
    col = SCHEMAS[kind].column(column)
    if col.type in ("int",):
        return years if column in ("year", "year_ready") else numbers(-5, 1e6)
    if col.type == "float":
        return numbers()
    if col.type == "enum":
        return enum_values(column, col.values)
    if column in SCHEMAS[kind].key or column == "station_id":
        return st.one_of(st.sampled_from(ID_POOL), texts, st.integers(0, 3000), st.none())
    if column == "voltage_kv":
        return st.one_of(st.sampled_from(["150/20", "380", "50/10", "10", "ca. 150 kV", "1e400", "", "20/0,4"]),
                         texts, st.none())
    return st.one_of(texts, st.integers(0, 10), st.none())


# ------------------------------------------------------------------------------------------------ geometry


@st.composite
def rd_xy(draw: Callable, margin: float = 0.0) -> tuple[float, float]:
    x0, y0, x1, y1 = BOX
    return (draw(st.floats(x0 - margin, x1 + margin, allow_nan=False)),
            draw(st.floats(y0 - margin, y1 + margin, allow_nan=False)))


@st.composite
def geometries(draw: Callable, *, measured: bool = True) -> Any:
    """One geometry in RD (or None): mostly valid points/lines/polygons, sometimes broken in the usual ways."""
    x, y = draw(rd_xy())
    size = draw(st.floats(1.0, 8000.0))
    choice = draw(st.sampled_from(["point"] * 6 + ["box"] * 3 + ["line", "multipoint1", "multipoint2", "bowtie",
                                   "flat", "none", "empty", "collection", "z", "m", "outside", "far"]))
    if choice == "point":
        return shapely.Point(x, y)
    if choice == "box":
        return shapely.box(x, y, x + size, y + size)
    if choice == "line":
        return shapely.LineString([(x, y), (x + size, y + size / 2)])
    if choice == "multipoint1":
        return shapely.MultiPoint([(x, y)])
    if choice == "multipoint2":
        return shapely.MultiPoint([(x, y), (x + size, y)])
    if choice == "bowtie":
        return shapely.Polygon([(x, y), (x + size, y + size), (x + size, y), (x, y + size)])
    if choice == "flat":
        return shapely.Polygon([(x, y), (x + size, y), (x + size / 2, y)])
    if choice == "none":
        return None
    if choice == "empty":
        return shapely.Point()
    if choice == "collection":
        return shapely.GeometryCollection([shapely.Point(x, y), shapely.LineString([(x, y), (x + 1, y + 1)])])
    if choice == "z":
        return shapely.Point(x, y, draw(st.floats(-10, 100)))
    if choice == "m" and measured:
        return shapely.from_wkt(f"POINT M ({x} {y} 3)")
    if choice == "outside":  # Berlin in RD metres
        return shapely.Point(900_000.0, 460_000.0)
    return shapely.Point(x * 1000, y * 1000)  # "far": a unit mistake


def to_crs(geoms: list[Any], how: str) -> tuple[list[Any], str | None]:
    """Geometries (in RD) as they would be stored under ``how``: rd, wgs84 (transformed), none, or wrong (lon/lat
    numbers labelled RD)."""
    if how in ("rd", "none"):
        return geoms, (CRS_RD if how == "rd" else None)
    arr = np.array(geoms, dtype=object)
    with np.errstate(all="ignore"):
        moved = shapely.transform(arr, lambda xy: np.column_stack(TO_WGS84.transform(xy[:, 0], xy[:, 1])))
    return list(moved), ("EPSG:4326" if how == "wgs84" else CRS_RD)


# ------------------------------------------------------------------------------------------------ layers


def header_variants(kind: str, column: str) -> list[str]:
    """Ways a source names a canonical column: canonical, its Dutch label, common Dutch words, odd spelling."""
    spec = SCHEMAS[kind].column(column)
    names = [column, spec.label_nl, column.upper(), f" {spec.label_nl.title()} "]
    common = {"name": "naam", "year": "jaar", "certainty": "zekerheid", "offtake_mw": "afname_mw",
              "feedin_mw": "invoeding_mw", "development_id": "id", "project_id": "id", "station_id": "station"}
    if column in common:
        names.append(common[column])
    return [n for n in names if n]


EXTRA_NAMES = ["opmerking", "source_row", "bronrij", "fid", "Naam", "vermogen_mw", "x", "wkt", "id ", "ÄÖÜ",
               "kolom met spaties", "a" * 40, "1", "jaar_gereed"]


@st.composite
def layers(draw: Callable, kind: str, *, max_rows: int = 7, measured: bool = True) -> dict[str, Any]:
    """A generated layer: ``columns`` (header → list of cells), ``geometry`` (RD list or None) and ``crs_how``."""
    spec = SCHEMAS[kind]
    n = draw(st.integers(0, max_rows), label="rows")
    columns: dict[str, list[Any]] = {}
    for col in spec.columns:
        present = draw(st.floats(0, 1)) < (0.92 if col.required else 0.5)
        if not present:
            continue
        header = draw(st.sampled_from(header_variants(kind, col.name)))
        columns[header] = draw(st.lists(cell_strategy(kind, col.name), min_size=n, max_size=n))
    for _ in range(draw(st.integers(0, 2))):
        header = draw(st.one_of(st.sampled_from(EXTRA_NAMES), st.text(PRINTABLE, min_size=1, max_size=10)))
        columns[header] = draw(st.lists(st.one_of(texts, numbers()), min_size=n, max_size=n))
    geometry = draw(st.lists(geometries(measured=measured), min_size=n, max_size=n)) if spec.has_geometry else None
    crs_how = draw(st.sampled_from(["rd", "rd", "wgs84", "none", "wrong"]))
    return {"kind": kind, "columns": columns, "geometry": geometry, "crs_how": crs_how, "rows": n}


def _homogeneous(values: list[Any]) -> list[Any]:
    """One column as a typed file format stores it: all numbers, or else all text (None stays null)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        if all(isinstance(v, int) for v in present) and all(abs(v) < 2**53 for v in present):
            return [np.nan if v is None else float(v) for v in values] if None in values else list(values)
        return [np.nan if v is None else float(v) for v in values]
    return [None if v is None else (v if isinstance(v, str) else _as_text(v)) for v in values]


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def _unique_headers(columns: dict[str, list[Any]], *, casefold: bool, limit: int | None = None) -> dict[str, list]:
    """Typed formats cannot hold two columns of the same name (SQLite, DBF: not even differing in case)."""
    out: dict[str, list[Any]] = {}
    seen: set[str] = set()
    for name, values in columns.items():
        clean = name.strip() or "leeg"
        if limit:
            clean = clean[:limit].strip() or "leeg"
        key = clean.casefold() if casefold else clean
        if key in seen or key in ("geometry", "geom", "fid", "ogc_fid"):
            continue
        seen.add(key)
        out[clean] = values
    return out


def frame_of(layer: dict[str, Any], *, typed: bool, casefold: bool = True, limit: int | None = None) -> pd.DataFrame:
    columns = layer["columns"]
    if typed:
        columns = {k: _homogeneous(v) for k, v in _unique_headers(columns, casefold=casefold, limit=limit).items()}
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()}, index=range(layer["rows"]))
    if typed:
        frame = frame.infer_objects()
    if layer["geometry"] is None:
        return frame
    geoms, crs = to_crs(layer["geometry"], layer["crs_how"])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index), crs=crs)


# ------------------------------------------------------------------------------------------------ writers


def _quiet(fn: Callable[[], Any]) -> Any:
    """Run a writer in the test's setup: its warnings (laundered names, missing CRS) are not what is tested; a
    frame the writer itself refuses (a geometry type a Shapefile cannot hold …) is not an example."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return fn()
        except Exception as exc:  # pyogrio/GDAL/openpyxl refusing the frame: not a reader test
            note(f"writer refused the layer: {type(exc).__name__}: {exc}")
            reject()


def write_vector(layer: dict[str, Any], folder: Path, fmt: str) -> Path:
    limit = 10 if fmt in ("shp", "zip") else None
    frame = frame_of(layer, typed=True, limit=limit)
    kwargs: dict[str, Any] = {}
    if fmt in ("shp", "zip") and isinstance(frame, gpd.GeoDataFrame):
        # One geometry family per Shapefile, in 2D: the most common one; other geometries become null shapes.
        geoms = shapely.force_2d(frame.geometry.to_numpy())
        family = pd.Series(shapely.get_type_id(geoms)).map({0: 0, 4: 0, 1: 1, 5: 1, 3: 3, 6: 3})
        keep = family == family.mode().iloc[0] if family.notna().any() else family.notna()
        frame = frame.set_geometry(gpd.GeoSeries(np.where(keep, geoms, None), index=frame.index, crs=frame.crs))
    if fmt == "fgb" and isinstance(frame, gpd.GeoDataFrame):
        geoms = frame.geometry.to_numpy()
        if pd.isna(geoms).any() or shapely.is_empty(geoms).any():
            kwargs["layer_options"] = {"SPATIAL_INDEX": "NO"}  # FlatGeobuf's index cannot hold null geometries
        if len(set(shapely.has_z(geoms[~pd.isna(geoms)]).tolist())) > 1:
            frame = frame.set_geometry(shapely.force_2d(geoms))  # nor mixed 2D and 3D
    suffix = {"gpkg": ".gpkg", "geojson": ".geojson", "fgb": ".fgb", "shp": ".shp", "zip": ".shp"}[fmt]
    path = folder / f"laag{suffix}"
    if fmt == "gpkg":
        kwargs["layer"] = "ontwikkelingen"
    if fmt in ("shp", "zip"):
        kwargs["encoding"] = "UTF-8"
    _quiet(lambda: pyogrio.write_dataframe(frame, path, **kwargs))
    if fmt != "zip":
        return path
    archive = folder / "laag.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in sorted(folder.glob("laag.*")):
            if part.suffix != ".zip":
                zf.write(part, f"export/{part.name}")
    return archive


def _wkt_cell(geom: Any, srid: int | None, junk: bool) -> str:
    if junk:
        return "POINT (1 2"
    if geom is None:
        return ""
    text = shapely.to_wkt(geom, rounding_precision=-1)
    return f"SRID={srid};{text}" if srid else text


def write_csv(layer: dict[str, Any], folder: Path, how: str, sep: str, encoding: str, junk_row: int) -> Path:
    frame = frame_of(layer, typed=False)
    header = [str(c) for c in frame.columns if c != "geometry"]
    rows = [["" if v is None else _as_text(v) for v in r] for r in frame[header].itertuples(index=False, name=None)]
    if isinstance(frame, gpd.GeoDataFrame):
        geoms = frame.geometry.tolist()
        srid = {"EPSG:4326": 4326, CRS_RD: 28992}.get(str(frame.crs).upper() if frame.crs else "", None)
        if how == "wkt":
            header.append("wkt")
            for i, (r, g) in enumerate(zip(rows, geoms, strict=True)):
                r.append(_wkt_cell(g, srid if layer["crs_how"] != "none" else None, i == junk_row))
        else:
            header += ["lon", "lat"] if layer["crs_how"] == "wgs84" else ["x", "y"]
            for r, g in zip(rows, geoms, strict=True):
                p = None if g is None or g.is_empty else g.representative_point()
                r += ["", ""] if p is None else [repr(p.x).replace(".", "," if sep == ";" else "."), repr(p.y)]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    try:
        data = out.getvalue().encode(encoding)
    except UnicodeEncodeError:  # text cp1252 cannot hold: the file is UTF-8 after all
        data = out.getvalue().encode("utf-8")
    path = folder / "laag.csv"
    path.write_bytes(data)
    return path


def write_xlsx(layer: dict[str, Any], folder: Path, title: bool) -> Path:
    from openpyxl import Workbook

    frame = frame_of(layer, typed=False)
    header = [str(c) for c in frame.columns if c != "geometry"]
    wb = Workbook()
    ws = wb.active
    ws.title = "blad"
    if title:
        ws.append(["Overzicht ontwikkelingen 2025"])
    geoms = frame.geometry.tolist() if isinstance(frame, gpd.GeoDataFrame) else None
    ws.append(header + (["x", "y"] if geoms is not None else []))

    def cell(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return str(v)  # Excel has no NaN/inf
        return v

    for i, row in enumerate(frame[header].itertuples(index=False, name=None)):
        values = [cell(v) for v in row]
        if geoms is not None:
            g = geoms[i]
            p = None if g is None or g.is_empty else g.representative_point()
            values += [None, None] if p is None else [p.x, p.y]
        ws.append(values)
    path = folder / "laag.xlsx"
    _quiet(lambda: wb.save(path))
    return path


FORMATS = ["gpkg", "geojson", "fgb", "shp", "zip", "csv_wkt", "csv_xy", "xlsx"]


def write_layer(data: Any, layer: dict[str, Any], folder: Path, fmt: str) -> Path:
    if fmt in ("gpkg", "geojson", "fgb", "shp", "zip"):
        return write_vector(layer, folder, fmt)
    if fmt in ("csv_wkt", "csv_xy"):
        sep = data.draw(st.sampled_from([";", ",", "\t"]), label="sep")
        encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), label="encoding")
        junk = data.draw(st.integers(-1, layer["rows"]), label="junk_wkt_row")
        return write_csv(layer, folder, fmt[4:], sep, encoding, junk)
    return write_xlsx(layer, folder, data.draw(st.booleans(), label="title_row"))


# ------------------------------------------------------------------------------------------------ invariants


def check_clean(data: pd.DataFrame, report: Any, kind: str, rows_in: set[int] | None = None) -> None:
    """Everything a clean layer and its report promise (module docstring). ``rows_in``: the row numbers of the
    input (default: positions 0 … rows_in − 1)."""
    spec = SCHEMAS[kind]
    assert report.rows_in >= 0 and report.rows_kept >= 0 and report.rows_rejected >= 0
    assert report.rows_in == report.rows_kept + report.rows_rejected, report.to_text()
    assert len(data) == report.rows_kept, report.to_text()
    assert set(spec.column_names) <= set(data.columns)
    assert isinstance(data.index, pd.RangeIndex) and data.columns.is_unique
    rows = data["source_row"].to_numpy()
    assert data["source_row"].dtype == np.int64
    assert set(rows.tolist()) <= (set(range(report.rows_in)) if rows_in is None else rows_in)
    rejected = set(report.rejected_rows)
    assert not rejected & set(rows.tolist()), "a kept row is named by an error"
    if report.rows_kept and rows_in is None:  # else a layer-level error may reject all rows without naming each
        assert len(set(rows.tolist())) == len(rows)
        assert len(rejected) == report.rows_rejected, report.to_text()
        assert report.ok == (report.rows_rejected == 0 and not report.errors)
    for col in spec.columns:
        values = data[col.name]
        if col.required:
            assert values.notna().all(), (col.name, report.to_text())
        if col.type == "int":
            assert str(values.dtype) == "Int64", (col.name, values.dtype)
        if col.type == "float":
            assert values.dtype == np.float64, (col.name, values.dtype)
        if col.type in ("int", "float"):
            v = values.dropna().astype(float)
            assert np.isfinite(v).all(), col.name
            if col.minimum is not None:
                assert (v >= col.minimum).all(), col.name
            if col.maximum is not None:
                assert ((v < col.maximum) if col.maximum == ABSURD_MW else (v <= col.maximum)).all(), col.name
        if col.type == "enum":
            assert set(values.dropna()) <= set(col.values), (col.name, set(values.dropna()))
        if col.type == "str":
            assert all(isinstance(v, str) and v == v.strip() and v for v in values.dropna()), col.name
    if spec.key and len(data):
        assert not data.duplicated(list(spec.key)).any()
    if spec.has_geometry:
        assert isinstance(data, gpd.GeoDataFrame) and data.geometry.name == "geometry"
        assert data.crs is not None and data.crs.equals(CRS_RD)
        geoms = data.geometry.to_numpy()
        if len(geoms):
            assert not pd.isna(geoms).any() and not shapely.is_empty(geoms).any()
            assert shapely.is_valid(geoms).all()
            assert set(data.geom_type) <= set(spec.geometry_types)
            assert not shapely.has_z(geoms).any() and not shapely.has_m(geoms).any()
            b = shapely.bounds(geoms)
            x0, y0, x1, y1 = NL_BOUNDS_RD
            assert (b[:, 0] >= x0).all() and (b[:, 1] >= y0).all() and (b[:, 2] <= x1).all() and (b[:, 3] <= y1).all()
    else:
        assert not isinstance(data, gpd.GeoDataFrame)
    # The report renders for people and for programs (the QGIS plugin reads the JSON).
    assert report.to_text()
    assert json.loads(report.to_json())["rows_in"] == report.rows_in
    json.dumps(report.to_dict(), allow_nan=False)


def read_or_refuse(path: Path, kind: str, **kwargs: Any) -> tuple[pd.DataFrame, Any] | None:
    """``read_layer``, with ReadError/ConfigError as the allowed refusal; anything else fails the test."""
    try:
        data, report = read_layer(path, kind, **kwargs)
    except (ReadError, ConfigError) as exc:
        assert str(exc).strip()
        note(f"refused: {type(exc).__name__}: {exc}")
        return None
    note(report.to_text())
    check_clean(data, report, kind)
    return data, report


# ------------------------------------------------------------------------------------------------ tests

GEO_KINDS = ["developments", "stations", "infrastructure", "municipalities", "constraints"]


@fuzz(200)
@given(data=st.data(), kind=st.sampled_from(list(SCHEMAS)))
def test_validate_in_memory(data, kind):
    """Frames as a notebook user builds them: object columns mixing every type pandas can hold."""
    layer = data.draw(layers(kind))
    odd = st.one_of(st.just(pd.NA), st.just(np.nan), st.booleans(), st.just(b"bytes"), st.just([1, 2]),
                    st.just({"a": 1}), st.just(dt.date(2030, 1, 1)), st.just(np.int64(7)), st.just("\x00nul"),
                    st.just(pd.Timestamp("2031-06-30")), st.just(np.float32(2.5)), st.just(10**30))
    for values in layer["columns"].values():
        for i in range(len(values)):
            if data.draw(st.integers(0, 9), label="odd?") == 0:
                values[i] = data.draw(odd, label="odd")
    frame = frame_of(layer, typed=False)
    before = frame.copy()
    crs = data.draw(st.sampled_from([None, None, CRS_RD, "EPSG:4326"]), label="crs")
    clean, report = validate(frame, kind, crs=crs, source="geheugen")
    # A frame that carries a usable source_row (whole numbers ≥ 0, none missing: a layer validated before) keeps it.
    given_rows = frame["source_row"] if "source_row" in frame.columns and frame.columns.is_unique else None
    usable = given_rows is not None and given_rows.map(
        lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
        and math.isfinite(v) and v >= 0 and v == int(v) and v < 2**53).all()
    check_clean(clean, report, kind, {int(v) for v in given_rows} if usable else None)
    assert report.rows_in == len(frame)
    pd.testing.assert_frame_equal(frame, before)  # the input is never changed


@pytest.mark.parametrize("fmt", FORMATS)
@fuzz(60)
@given(data=st.data())
def test_every_reader_on_generated_files(fmt, data):
    kinds = GEO_KINDS + (["station_capacity"] if fmt in ("gpkg", "csv_wkt", "xlsx") else [])
    kind = data.draw(st.sampled_from(kinds), label="kind")
    layer = data.draw(layers(kind, measured=False))
    with tempfile.TemporaryDirectory() as tmp:
        path = write_layer(data, layer, Path(tmp), fmt)
        kwargs: dict[str, Any] = {}
        if data.draw(st.integers(0, 4), label="crs?") == 0:
            kwargs["crs"] = data.draw(st.sampled_from([CRS_RD, "EPSG:4326", 28992, "EPSG:99999", "geen"]))
        if data.draw(st.integers(0, 5), label="mapping?") == 0:
            canonical = data.draw(st.sampled_from(SCHEMAS[kind].column_names + ["onzin"]))
            source = data.draw(st.sampled_from([*map(str, layer["columns"]), "bestaat_niet"] or ["x"]))
            kwargs["mapping"] = {canonical: source}
        if fmt in ("gpkg", "xlsx") and data.draw(st.integers(0, 5), label="layer?") == 0:
            kwargs["layer"] = data.draw(st.sampled_from(["ontwikkelingen", "blad", "BLAD", "andere"]))
        outcome = read_or_refuse(path, kind, **kwargs)
    if outcome is None:
        return
    _, report = outcome
    # Nothing is lost silently: the reader saw every row of the file. Only a spreadsheet or CSV row without any
    # value is no row (a blank line; the XLSX reader says how many it skipped).
    blank = _blank_rows(layer) if fmt in ("csv_wkt", "csv_xy", "xlsx") else 0
    assert layer["rows"] - blank <= report.rows_in <= layer["rows"], (report.rows_in, layer["rows"], blank)


def _blank_rows(layer: dict[str, Any]) -> int:
    def empty(v: Any) -> bool:
        return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))

    geoms = layer["geometry"] or [None] * layer["rows"]
    return sum(all(empty(values[i]) for values in layer["columns"].values())
               and (geoms[i] is None or geoms[i].is_empty) for i in range(layer["rows"]))


MUTATIONS = st.lists(st.tuples(st.sampled_from(["flip", "cut", "insert", "zero"]), st.floats(0, 1),
                               st.binary(min_size=1, max_size=8)), min_size=1, max_size=4)


def _mutate(blob: bytes, mutations: list[tuple[str, float, bytes]]) -> bytes:
    out = bytearray(blob)
    for what, where, payload in mutations:
        i = min(int(where * len(out)), max(len(out) - 1, 0))
        if what == "flip" and out:
            out[i] ^= payload[0] or 0xFF
        elif what == "cut":
            del out[i:]
        elif what == "insert":
            out[i:i] = payload
        elif out:  # a zeroed block, as a bad sector leaves it
            out[i:i + 64] = bytes(len(out[i:i + 64]))
    return bytes(out)


@pytest.fixture(scope="module")
def whole_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, bytes]]:
    """One small valid developments file per format (and a capaciteitskaart), as bytes to corrupt."""
    folder = tmp_path_factory.mktemp("heel")
    dev = gpd.GeoDataFrame(
        {"id": ["D1", "D2", "D3"], "naam": ["Zon Axel", "Datacenter", "Kassen"],
         "sector": ["opwek", "datacenter", "landbouw"], "jaar": [2028, 2031, 2030],
         "zekerheid": ["vergund", "voornemen", "idee"], "afname_mw": [0.0, 30.0, 4.5], "invoeding_mw": [12.5, 0, 0]},
        geometry=[shapely.Point(51789, 365199), shapely.Point(46343, 373002), shapely.box(60000, 366000, 61000, 367000)],
        crs=CRS_RD)
    files: dict[str, tuple[str, bytes]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for suffix, kwargs in ((".gpkg", {"layer": "ontwikkelingen"}), (".geojson", {}), (".fgb", {})):
            path = folder / f"ontwikkelingen{suffix}"
            pyogrio.write_dataframe(dev, path, **kwargs)
            files[suffix] = ("developments", path.read_bytes())
        points = dev.iloc[:2]
        pyogrio.write_dataframe(points, folder / "ontwikkelingen.shp")
        archive = folder / "ontwikkelingen.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for part in sorted(folder.glob("ontwikkelingen.*")):
                if part.suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                    zf.write(part, part.name)
        files[".zip"] = ("developments", archive.read_bytes())
    table = pd.DataFrame(dev.drop(columns="geometry")).assign(x=[51789, 46343, 60500], y=[365199, 373002, 366500])
    files[".csv"] = ("developments", table.to_csv(sep=";", index=False).encode("utf-8"))
    table.to_excel(folder / "ontwikkelingen.xlsx", index=False)
    files[".xlsx"] = ("developments", (folder / "ontwikkelingen.xlsx").read_bytes())
    doc = (Path(__file__).parent / "data" / "capaciteitskaart" / "im_capaciteitskaart_dso-20250120.yaml").read_bytes()
    files[".yaml"] = ("station_capacity", doc)
    files[".json"] = ("station_capacity", json.dumps(yaml.safe_load(doc), default=str).encode("utf-8"))
    return files


@fuzz(150)
@given(suffix=st.sampled_from([".gpkg", ".geojson", ".fgb", ".zip", ".csv", ".xlsx", ".yaml", ".json"]),
       mutations=MUTATIONS)
def test_corrupted_files(whole_files, suffix, mutations):
    """Bit flips, cuts, inserted bytes and zeroed blocks in a valid file of each format: a clean read (every row
    accounted for) or a ReadError, never a crash or a half-read layer passed off as whole."""
    kind, blob = whole_files[suffix]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"ontwikkelingen{suffix}"
        path.write_bytes(_mutate(blob, mutations))
        read_or_refuse(path, kind)


# ---- capaciteitskaart


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any], one_in: int = 8) -> st.SearchStrategy[Any]:
    """``good`` most of the time, ``bad`` once in ``one_in`` draws (deep structures stay reachable)."""
    return st.integers(1, one_in).flatmap(lambda i: bad if i == 1 else good)


def _scalar() -> st.SearchStrategy[Any]:
    return st.one_of(numbers(), texts, st.booleans(), st.none(), st.just([]), st.just({}), st.just([1, "a"]),
                     st.sampled_from(["2025-03-01", "2025-13-45", "gisteren", "2025", "2027-06-30T00:00:00Z"]),
                     st.just(dt.date(2026, 1, 1)))


def _interval() -> st.SearchStrategy[Any]:
    return mostly(st.fixed_dictionaries({}, optional={
        "end": mostly(st.sampled_from(["2027-06-30", "2031-12-31", "2029-02-30"]), _scalar(), 3),
        "start": _scalar(), "year": st.one_of(years, _scalar()),
        "quarter": st.one_of(st.integers(-1, 6), _scalar())}), _scalar())


def _work() -> st.SearchStrategy[Any]:
    return mostly(st.fixed_dictionaries({}, optional={
        "work_order_number": st.one_of(st.sampled_from(ID_POOL), _scalar()),
        "project_name": st.one_of(texts, _scalar()),
        "status_kind": mostly(st.sampled_from(["scheduled", "inProgress", "completed", "cancelled",
                                               "waitingOnApproval", "in_progress", "onbekend"]), _scalar(), 4),
        "description": texts,
        "time_schedules": mostly(st.lists(mostly(st.fixed_dictionaries({"schedule_interval": _interval()}),
                                                 _scalar()), max_size=3),
                                 st.one_of(_scalar(), st.fixed_dictionaries({"schedule_interval": _interval()})), 4),
    }), _scalar())


def _area() -> st.SearchStrategy[Any]:
    fields = {f: mostly(st.floats(0, 500, allow_nan=False), _scalar(), 4)
              for f in ("demand_quoted_capacity", "demand_capacity_in_queue", "demand_requests_in_queue",
                        "generation_available_capacity", "generation_quoted_capacity", "generation_capacity_in_queue",
                        "generation_requests_in_queue")}
    fields |= {"demand_constraint": st.one_of(st.sampled_from(["rood", "oranje", "groen", "transparant", "paars"]),
                                              _scalar()),
               "generation_constraint": st.one_of(st.sampled_from(["red", "amber", "Geel "]), _scalar()),
               "works": mostly(st.lists(_work(), min_size=1, max_size=3), st.one_of(_scalar(), _work()), 4),
               "postcode_areas": mostly(st.lists(st.one_of(
                   st.sampled_from(["4531AB", "4561XZ", "4531 AB"]),
                   st.fixed_dictionaries({}, optional={"postcode": st.one_of(st.sampled_from(["4531AB", "45"]),
                                                                             _scalar()),
                                                       "demand_constraint": _scalar(),
                                                       "generation_constraint": _scalar()}),
                   _scalar()), max_size=3), _scalar(), 4)}
    required = {"short_code": mostly(st.sampled_from(["TNZ 150", "HLS 150", "AXL 50", " TNZ 150 ", "X"]), _scalar(), 5),
                "demand_available_capacity": mostly(st.floats(0, 500, allow_nan=False), _scalar(), 4)}
    return mostly(st.fixed_dictionaries(required, optional=fields), _scalar())


def _areas() -> st.SearchStrategy[Any]:
    return mostly(st.lists(_area(), min_size=1, max_size=5), st.one_of(_scalar(), _area()), 10)


capaciteitskaart_documents = mostly(
    st.fixed_dictionaries(
        {"conforms_to": st.sampled_from(["http://data.netbeheernederland.nl/capaciteitskaart/v1.2.0",
                                         "capaciteitskaart"]),
         "issued": mostly(st.sampled_from(["2025-03-01", "2024-12-31"]), _scalar(), 4)},
        optional={"valid": st.one_of(st.fixed_dictionaries({}, optional={"start": _scalar(), "end": _scalar()}),
                                     _scalar()),
                  "substations": _areas(), "energy_areas": _areas()}),
    st.one_of(st.fixed_dictionaries({"substations": st.lists(_area(), max_size=4)}), _scalar(),
              st.lists(_area(), max_size=2)),
    6,
)


@fuzz(120)
@given(document=capaciteitskaart_documents, suffix=st.sampled_from([".yaml", ".json"]),
       kind=st.sampled_from(["station_capacity", "infrastructure"]), with_stations=st.booleans())
def test_capaciteitskaart_reader(document, suffix, kind, with_stations):
    stations = None
    if with_stations:
        stations, _ = validate(gpd.GeoDataFrame(
            {"station_id": ["TNZ", "HLS"], "name": ["Terneuzen", "Hulst"], "short_code": ["TNZ 150", "HLS 150"]},
            geometry=[shapely.Point(46343, 373002), shapely.Point(61845, 366552)], crs=CRS_RD), "stations")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"capaciteitskaart{suffix}"
        if suffix == ".json":
            path.write_text(json.dumps(document, default=str), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        read_or_refuse(path, kind, stations=stations)


# ---- conservation


@st.composite
def valid_region_layers(draw: Callable) -> dict[str, Any]:
    """Valid stations, capacity and developments (points, boxes, lines; some with an explicit station)."""
    n_st = draw(st.integers(1, 6), label="stations")
    xy = draw(st.lists(rd_xy(), min_size=n_st, max_size=n_st, unique=True))
    stations = gpd.GeoDataFrame({
        "station_id": [f"S{i}" for i in range(n_st)], "name": [f"Station {i}" for i in range(n_st)],
        "level": draw(st.lists(st.sampled_from(LEVELS), min_size=n_st, max_size=n_st)),
        "carrier": ["electricity"] + draw(st.lists(st.sampled_from(CARRIERS[:3]), min_size=n_st - 1,
                                                   max_size=n_st - 1))},
        geometry=[shapely.Point(p) for p in xy], crs=CRS_RD)
    capacity = pd.DataFrame({"station_id": stations["station_id"], "year": 2025,
                             "offtake_capacity_mw": 50.0, "feedin_capacity_mw": 50.0})
    n = draw(st.integers(1, 12), label="developments")
    geoms = []
    for _ in range(n):
        x, y = draw(rd_xy())
        size = draw(st.floats(10, 9000))
        geoms.append(draw(st.sampled_from([shapely.Point(x, y), shapely.box(x, y, x + size, y + size),
                                           shapely.LineString([(x, y), (x + size, y)])])))
    mw = st.floats(0, 900, allow_nan=False)
    developments = gpd.GeoDataFrame({
        "id": [f"D{i}" for i in range(n)], "naam": [f"Ontwikkeling {i}" for i in range(n)],
        "sector": draw(st.lists(st.sampled_from(SECTORS), min_size=n, max_size=n)),
        "energiedrager": draw(st.lists(st.sampled_from(CARRIERS[:3]), min_size=n, max_size=n)),
        "jaar": draw(st.lists(st.integers(2020, 2045), min_size=n, max_size=n)),
        "zekerheid": draw(st.lists(st.sampled_from(CERTAINTIES), min_size=n, max_size=n)),
        "afname_mw": draw(st.lists(mw, min_size=n, max_size=n)),
        "invoeding_mw": draw(st.lists(mw, min_size=n, max_size=n)),
        "station_id": draw(st.lists(st.one_of(st.none(), st.sampled_from(list(stations["station_id"]))),
                                    min_size=n, max_size=n))},
        geometry=geoms, crs=CRS_RD)
    return {"stations": stations, "capacity": capacity, "developments": developments}


@fuzz(30)
@given(layers_=valid_region_layers(), fmt=st.sampled_from(["gpkg", "geojson", "fgb", "csv_wkt", "xlsx"]))
def test_mw_conserved_from_file_through_allocation_and_balance(layers_, fmt):
    dev = layers_["developments"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if fmt in ("gpkg", "geojson", "fgb"):
            path = folder / f"ontwikkelingen.{fmt}"
            _quiet(lambda: pyogrio.write_dataframe(dev.to_crs(4326) if fmt == "geojson" else dev, path))
        elif fmt == "csv_wkt":
            path = folder / "ontwikkelingen.csv"
            table = pd.DataFrame(dev.drop(columns="geometry")).assign(
                wkt=["SRID=28992;" + shapely.to_wkt(g, rounding_precision=-1) for g in dev.geometry])
            table.to_csv(path, sep=";", index=False, float_format="%.17g")
        else:
            path = folder / "ontwikkelingen.xlsx"
            pd.DataFrame(dev.drop(columns="geometry")).assign(wkt=dev.geometry.to_wkt()).to_excel(path, index=False)
        read = read_layer(path, "developments", crs=CRS_RD if fmt == "xlsx" else None)
    assert read.report.ok and read.report.rows_kept == len(dev), read.report.to_text()
    data = read.data.sort_values("development_id", key=lambda s: s.str[1:].astype(int)).reset_index(drop=True)
    for d in ("offtake", "feedin"):  # the file gave back every MW (GeoJSON through WGS84: geometry only)
        np.testing.assert_allclose(data[f"{d}_mw"], dev[f"{'afname' if d == 'offtake' else 'invoeding'}_mw"],
                                   rtol=1e-12)
    municipalities = gpd.GeoDataFrame({"municipality_code": ["GM0001"], "name": ["Regio"]},
                                      geometry=[shapely.box(0, 345_000, 100_000, 400_000)], crs=CRS_RD)
    region = Region.from_layers(name="fuzz", municipalities=municipalities, stations=layers_["stations"],
                                station_capacity=layers_["capacity"], developments=data,
                                years=(2025, 2030, 2035, 2040, 2045))
    allocation_result = allocate_region_result(region)
    allocation = allocation_result.table
    allocated = allocation[allocation["allocation_method"] != "unallocated"]
    shares = allocated.groupby("development_id")["share"].sum()
    np.testing.assert_allclose(shares.to_numpy(), 1.0, rtol=1e-9)
    unallocated = set(allocation_result.unallocated)
    assert unallocated | set(shares.index) == set(region.developments["development_id"])
    balance = station_balance(region, "maximaal", allocation=allocation)
    kept = region.developments[~region.developments["development_id"].isin(unallocated)]
    for year in region.years:
        counted = kept[kept["year"] <= year]
        rows = balance[balance["year"] == year]
        for d in ("offtake", "feedin"):
            # maximaal: every certainty weighs 1 and every sector's simultaneity is 1, so the load on all
            # stations together is exactly the MW of the allocated developments up to this year.
            got = rows.loc[rows["direction"] == d, "development_load_mw"].sum()
            assert got == pytest.approx(counted[f"{d}_mw"].sum(), rel=1e-9, abs=1e-9)


# ------------------------------------------------------------------------------------------------ regressions
# Each failure the fuzzing found, as a plain test with the expected outcome worked out by hand.


def test_regression_capaciteitskaart_fields_that_are_not_lists():
    # 'works' as a number crashed (TypeError: not iterable) and as a text was split into one "work" per
    # character; a schedule year of .inf crashed (OverflowError). Now: one item each, judged like any other.
    stations, _ = validate(gpd.GeoDataFrame({"station_id": ["TNZ"], "name": ["Terneuzen"], "short_code": ["TNZ 150"]},
                                            geometry=[shapely.Point(46343, 373002)], crs=CRS_RD), "stations")
    base = {"conforms_to": "capaciteitskaart", "issued": "2025-01-01"}
    for works, expected in ((12.5, "not_a_work"), ("abc", "not_a_work")):
        doc = {**base, "substations": [{"short_code": "TNZ 150", "demand_available_capacity": 3, "works": works,
                                        "postcode_areas": 7}]}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ck.json"
            path.write_text(json.dumps(doc), encoding="utf-8")
            data, report = read_layer(path, "infrastructure", stations=stations)
        assert (report.rows_in, report.rows_kept, report.codes("error")) == (1, 0, [expected])
    doc = {**base, "substations": [{"short_code": "TNZ 150", "demand_available_capacity": 3,
                                    "works": {"work_order_number": "W1", "time_schedules": [
                                        {"schedule_interval": {"year": math.inf}},
                                        {"schedule_interval": {"year": 2029, "quarter": 2}}]}}]}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ck.yaml"
        path.write_text(yaml.safe_dump(doc), encoding="utf-8")
        data, report = read_layer(path, "infrastructure", stations=stations)
    # One work object (not in a list) is one work; the unreadable schedule is skipped, the other gives 2029 Q2.
    assert report.ok and data[["project_id", "year_ready"]].values.tolist() == [["W1", 2029]]
    assert data.loc[0, "description"] == "gereed: Q2 2029"


def test_regression_duplicate_coordinate_header(tmp_path):
    # A spreadsheet with two columns called x crashed building points (frame["x"] was a frame). Now the layer is
    # rejected as a whole, naming the duplicated header.
    path = tmp_path / "ontwikkelingen.csv"
    path.write_text("id;naam;sector;jaar;zekerheid;afname_mw;x;x;y\nD1;A;industrie;2030;vergund;5;1;46343;373002\n",
                    encoding="utf-8")
    data, report = read_layer(path, "developments")
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (1, 0, 1)
    assert report.codes("error") == ["duplicate_column"] and "x" in report.errors[0].message


def test_regression_years_that_are_no_int64(tmp_path):
    # 'inf' as a CSV year crashed the text-to-number step (OverflowError), and 1e20 crashed validate (Int64 cannot
    # hold it). Now: inf is not finite, 1e20 is out of range (> 2100), both rows rejected; 2030 kept.
    path = tmp_path / "ontwikkelingen.csv"
    path.write_text("id;naam;sector;jaar;zekerheid;afname_mw;x;y\n"
                    "D1;A;industrie;inf;vergund;5;46343;373002\n"
                    "D2;B;industrie;1e20;vergund;5;46343;373002\n"
                    "D3;C;industrie;2030;vergund;5;46343;373002\n", encoding="utf-8")
    data, report = read_layer(path, "developments")
    errors = {f.code: f.rows for f in report.errors}
    assert errors == {"not_finite": [0], "out_of_range": [1]} and data["year"].tolist() == [2030]
    # A count without a maximum of its own: beyond 2**53 no float is an exact integer.
    capacity = pd.DataFrame({"station_id": ["A", "B"], "year": [2030, 2030], "offtake_capacity_mw": [1.0, 2.0],
                             "queue_offtake_requests": [1e20, 3.0]})
    clean, report = validate(capacity, "station_capacity")
    assert [(f.code, f.rows) for f in report.errors] == [("out_of_range", [0])]
    assert clean["queue_offtake_requests"].tolist() == [3]


def test_regression_unhashable_cells_and_a_source_row_of_dates():
    # A list in a cell (a JSON array property) crashed factorising (TypeError: unhashable), and a column named
    # source_row holding dates crashed numbering the rows. Now the list is text ("[1, 2]") and is judged as such,
    # and the rows are numbered afresh.
    frame = gpd.GeoDataFrame(
        {"kind": [["natura2000"], "water"], "name": [[1, 2], {"a": 1}],
         "source_row": [pd.Timestamp("2031-06-30"), pd.Timestamp("2031-07-01")]},
        geometry=[shapely.box(40000, 360000, 41000, 361000), shapely.box(42000, 360000, 43000, 361000)], crs=CRS_RD)
    clean, report = validate(frame, "constraints")
    assert report.ok and clean["kind"].tolist() == ['["natura2000"]', "water"]
    assert clean["name"].tolist() == ["[1, 2]", '{"a": 1}'] and clean["source_row"].tolist() == [0, 1]
