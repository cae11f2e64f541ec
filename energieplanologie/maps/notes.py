"""Notes from the room: what participants of a design session drew and wrote on the published map.

In a map made by :func:`energieplanologie.maps.region_map` (``notes=True``) participants drop a point
(*Notitie toevoegen*) or draw a polygon (*Vlak met notitie*) and type a short note with, optionally, their name.
The notes stay in the browser (``localStorage``, per map) and *Exporteer notities* downloads them as
``notities.geojson``: a GeoJSON FeatureCollection (WGS84, RFC 7946) whose features carry the properties ``note``,
``author`` (may be null) and ``created`` (ISO 8601, UTC). :func:`read_notes` brings that file into the GIS as a
validated layer in EPSG:28992 — so what was said at the table lands next to the data it was about.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from energieplanologie._errors import ReadError
from energieplanologie.report import ValidationReport
from energieplanologie.schema import CRS_RD, NL_BOUNDS_RD

__all__ = ["NOTE_COLUMNS", "read_notes"]

#: Columns of a notes layer, in order (plus ``geometry``).
NOTE_COLUMNS = ("note_id", "note", "author", "created", "source_row")

_ALLOWED = ("Point", "MultiPoint", "Polygon", "MultiPolygon")


def read_notes(path: str | Path, *, return_report: bool = False
               ) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, ValidationReport]:
    """Read exported session notes (``notities.geojson``) as a validated layer in EPSG:28992.

    Parameters
    ----------
    path : path
        The GeoJSON file the map's *Exporteer notities* button wrote (or the same layer saved by QGIS).
    return_report : bool, default False
        Also return the :class:`~energieplanologie.ValidationReport` (repairs such as fixed polygons).

    Returns
    -------
    GeoDataFrame
        Columns ``note_id`` (``N001`` … in file order), ``note`` (text, stripped), ``author`` (text or None),
        ``created`` (timezone-aware UTC timestamp, NaT when absent), ``source_row``, any extra properties,
        ``geometry`` (points and polygons, EPSG:28992).

    Raises
    ------
    ReadError
        The file is missing or not readable as GeoJSON.
    ValidationError
        A note without text, without or with an unsupported geometry, an unparsable ``created``, or coordinates
        outside the Netherlands; the report names every such row. Invalid polygons (e.g. a self-crossing
        outline) are repaired with ``make_valid`` and reported.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "notities.geojson"
    >>> _ = p.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "geometry": {"type": "Point", "coordinates": [3.83, 51.33]},
    ...     "properties": {"note": "Hier past een batterij", "author": None, "created": "2026-11-26T10:00:00Z"}}]}))
    >>> notes = read_notes(p)
    >>> notes.crs.to_epsg(), notes.loc[0, "note"], notes.loc[0, "note_id"]
    (28992, 'Hier past een batterij', 'N001')
    """
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"Notitiebestand '{path}' bestaat niet.")
    if path.stat().st_size == 0:
        raise ReadError(f"Notitiebestand '{path}' is leeg.")
    try:
        import pyogrio

        raw = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises several types for unreadable input
        raise ReadError(f"Notitiebestand '{path}' is geen leesbare GeoJSON: {exc}") from exc
    report = ValidationReport(kind="notes", source=str(path), rows_in=len(raw))
    if len(raw) == 0:
        report.rows_kept = 0
        empty = gpd.GeoDataFrame({c: pd.Series([], dtype=object) for c in NOTE_COLUMNS},
                                 geometry=gpd.GeoSeries([], crs=CRS_RD), crs=CRS_RD)
        return (empty, report) if return_report else empty
    if raw.crs is None:
        raw = raw.set_crs(4326)  # RFC 7946: GeoJSON coordinates are WGS84 longitude/latitude
    gdf = raw.to_crs(CRS_RD).reset_index(drop=True)
    rows = np.arange(len(gdf))
    reject = np.zeros(len(gdf), dtype=bool)

    def error(mask: np.ndarray, code: str, column: str, message: str, values: pd.Series | None = None) -> None:
        for i in np.flatnonzero(mask):
            report.row_error(row=int(i), row_id=None, code=code, column=column,
                             value=None if values is None else values.iloc[i], message=message)
        reject[mask] = True

    note = gdf["note"].astype("string").str.strip() if "note" in gdf.columns else pd.Series(pd.NA, index=gdf.index, dtype="string")
    error((note.isna() | (note == "")).to_numpy(), "missing_value", "note", "notitie zonder tekst")

    geom = np.asarray(gdf.geometry.values)
    empty = shapely.is_missing(geom) | shapely.is_empty(geom)
    error(empty, "empty_geometry", "geometry", "notitie zonder locatie")
    types = pd.Series(gdf.geometry.geom_type).fillna("")
    wrong = ~empty & ~types.isin(_ALLOWED).to_numpy()
    error(wrong, "geometry_type", "geometry", "alleen punten en vlakken zijn toegestaan", values=types)
    invalid = ~empty & ~wrong & ~shapely.is_valid(geom)
    if invalid.any():
        geom = geom.copy()
        geom[invalid] = shapely.make_valid(geom[invalid])
        report.repair("make_valid", "geometry", rows[invalid].tolist(), "ongeldig getekend vlak hersteld met make_valid")
    ok = ~empty & ~wrong
    if ok.any():
        b = shapely.bounds(geom[ok])
        xmin, ymin, xmax, ymax = NL_BOUNDS_RD
        out_ok = (b[:, 0] < xmin) | (b[:, 1] < ymin) | (b[:, 2] > xmax) | (b[:, 3] > ymax)
        outside = np.zeros(len(geom), dtype=bool)
        outside[ok] = out_ok
        error(outside, "outside_netherlands", "geometry", "notitie ligt buiten Nederland")

    if "created" in gdf.columns:
        text = gdf["created"].astype("string").str.strip()
        created = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
        error((text.notna() & (text != "") & created.isna()).to_numpy(), "not_a_date", "created",
              "aanmaakmoment is geen ISO-8601-datum", values=gdf["created"])
    else:
        created = pd.Series(pd.NaT, index=gdf.index, dtype="datetime64[ns, UTC]")
    author = gdf["author"].astype("string").str.strip() if "author" in gdf.columns else pd.Series(pd.NA, index=gdf.index, dtype="string")
    author = author.mask(author == "", pd.NA)

    report.rows_kept = int((~reject).sum())
    report.rows_rejected = report.rows_in - report.rows_kept
    report.raise_if_errors()

    extras = [c for c in gdf.columns if c not in ("note", "author", "created", "geometry", "id")]
    out = gpd.GeoDataFrame(
        {
            "note_id": [f"N{i + 1:03d}" for i in range(len(gdf))],
            "note": pd.Series(note.astype(object).to_numpy(), dtype=object),
            "author": pd.Series([None if pd.isna(a) else str(a) for a in author], dtype=object),
            "created": created.to_numpy(),
            "source_row": rows.astype("int64"),
            **{c: gdf[c].to_numpy() for c in extras},
        },
        geometry=gpd.GeoSeries(geom, crs=CRS_RD),
        crs=CRS_RD,
    )
    out["created"] = pd.to_datetime(out["created"], utc=True)
    return (out, report) if return_report else out

