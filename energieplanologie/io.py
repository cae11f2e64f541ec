"""Reading source layers into the canonical schema, and writing results atomically.

:func:`read_layer` reads one layer from a GeoPackage, GeoJSON, Shapefile (also zipped), FlatGeobuf, CSV, XLSX or a
Netbeheer Nederland *capaciteitskaart* file (YAML/JSON, detected by content), maps its column headers onto the
canonical names (a user mapping first, then a built-in table of common Dutch headers), and validates it with
:func:`energieplanologie.schema.validate`. The result is a :class:`LayerRead` ``(data, report)``; the report holds
everything the reader and the validator did, and its row accounting covers rows the reader itself rejected (a
CSV row with unparsable WKT, say): ``rows_in == rows_kept + rows_rejected``.

A source that cannot be read at all (missing, empty, corrupt, unknown format) raises
:class:`~energieplanologie.ReadError`; a mapping naming an absent column raises
:class:`~energieplanologie.ConfigError`. Row numbers in reports are 0-based positions of the data rows in the
source (for a CSV, row 0 is the line after the header); the Dutch text shows them 1-based.

The writers live in :mod:`energieplanologie.writers` (:func:`~energieplanologie.writers.write_layers`,
:func:`~energieplanologie.writers.write_csv`; re-exported here, as is :func:`atomic_write`); they never leave a
half-written file behind: they write to a temporary file in the target folder and rename it into place on success.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from energieplanologie._atomic import atomic_write
from energieplanologie._errors import ConfigError, ReadError
from energieplanologie._secrets import is_connection_string
from energieplanologie.column_mapping import COLUMN_SYNONYMS, ROW_COLUMNS, column_synonyms, map_columns
from energieplanologie.csv_reader import read_csv_table
from energieplanologie.postgis import fetch_table
from energieplanologie.report import ValidationReport, merge_reports
from energieplanologie.schema import (
    SCHEMAS,
    row_id_map,
    validate,
)
from energieplanologie.table_geometry import numbers_from_text, table_to_frame, years_from_dates
from energieplanologie.vector_reader import read_vector
from energieplanologie.writers import write_csv, write_layers
from energieplanologie.xlsx_reader import Formula, read_xlsx_table

__all__ = [
    "COLUMN_SYNONYMS",
    "FORMATS",
    "LayerRead",
    "atomic_write",
    "column_synonyms",
    "map_columns",
    "read_layer",
    "read_table",
    "write_csv",
    "write_layers",
]


class LayerRead(NamedTuple):
    """The outcome of :func:`read_layer`: the clean canonical frame and what happened on the way.

    Examples
    --------
    >>> from energieplanologie.sample import SAMPLE_DIR
    >>> result = read_layer(SAMPLE_DIR / "stations.gpkg", "stations")
    >>> data, report = result  # a tuple: unpack it, or use result.data and result.report
    >>> len(data), report.rows_in == report.rows_kept + report.rows_rejected
    (16, True)
    """

    data: pd.DataFrame | gpd.GeoDataFrame
    report: ValidationReport


#: File suffix → format name. ``.json`` is a capaciteitskaart file when its content says so, else GeoJSON.
FORMATS: dict[str, str] = {
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "json",
    ".shp": "shp",
    ".zip": "zip",
    ".fgb": "fgb",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".yaml": "yaml",
    ".yml": "yaml",
}


# ----------------------------------------------------------------------------------------- reading


def read_layer(
    path: str | os.PathLike[str],
    kind: str,
    *,
    layer: str | None = None,
    mapping: Mapping[str, str] | None = None,
    crs: str | int | CRS | None = None,
    stations: gpd.GeoDataFrame | None = None,
    table: str | None = None,
) -> LayerRead:
    """Read one layer of a canonical ``kind`` from a file, map its columns and validate it.

    Parameters
    ----------
    path : path-like
        GeoPackage (``.gpkg``), GeoJSON (``.geojson``/``.json``), Shapefile (``.shp`` or a ``.zip`` holding
        one), FlatGeobuf (``.fgb``), CSV (``.csv``/``.tsv``/``.txt``), Excel (``.xlsx``), or a capaciteitskaart
        information-model file (``.yaml``/``.yml``/``.json``, detected by content).
    kind : str
        ``municipalities``, ``stations``, ``station_capacity``, ``infrastructure``, ``developments`` or
        ``constraints``.
    layer : str, optional
        Layer of a GeoPackage, shapefile of a zip, or sheet of a workbook. When a GeoPackage has several
        layers and none is given, the one named like ``kind`` or its Dutch name (``ontwikkelingen``) is used.
    mapping : mapping of str to str, optional
        ``{canonical: source_column}``; applied before the built-in table of Dutch headers.
    crs : str, int or pyproj.CRS, optional
        CRS of a source that has none. CSV/XLSX x/y columns without a CRS are taken as EPSG:4326 when they
        lie in the Netherlands in degrees and as EPSG:28992 when they do in RD metres (both reported).
    stations : GeoDataFrame, optional
        Canonical stations, used by the capaciteitskaart reader to join areas to stations.
    table : str, optional
        ``schema.tabel`` when ``path`` is a PostgreSQL source (``postgresql://…``, ``service=…``, ``PG:…``):
        read through :func:`energieplanologie.postgis.read_table`, with the same mapping and validation.

    Returns
    -------
    LayerRead
        ``(data, report)``: the clean frame in EPSG:28992 and the :class:`~energieplanologie.ValidationReport`.

    Raises
    ------
    ReadError
        The file is missing, empty, corrupt, of an unknown format, or the layer cannot be chosen.
    ConfigError
        The mapping or ``crs`` is wrong.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "ontwikkelingen.csv").write_text(
    ...     "id;naam;sector;jaar;zekerheid;afname_mw;x;y\\n"
    ...     "D1;Datacenter;datacenter;2030;vergund;12,5;4.2;51.4\\n", encoding="utf-8")
    >>> data, report = read_layer(folder / "ontwikkelingen.csv", "developments")
    >>> print(*data.loc[0, ["development_id", "sector", "certainty", "offtake_mw"]])
    D1 data_centre committed 12.5
    >>> report.rows_in, report.rows_kept, "crs_assumed" in report.codes("repair")
    (1, 1, True)
    """
    if kind not in SCHEMAS:
        raise ValueError(f"Onbekende laagsoort {kind!r}; verwacht een van {', '.join(SCHEMAS)}.")
    if is_connection_string(path):
        return read_table(str(path), kind, table=table, layer=layer, mapping=mapping, crs=crs, stations=stations)
    if crs is not None:
        try:
            crs = CRS.from_user_input(crs)
        except Exception as exc:  # pyproj.exceptions.CRSError and friends
            raise ConfigError(f"crs: {crs!r} is geen bekend coördinatenstelsel ({exc}).", key="crs") from exc
    p = Path(path)
    _check_file(p)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise ReadError(f"{p}: onbekend bestandsformaat {p.suffix or '(geen extensie)'!r} (ondersteund: {known}).")

    if fmt in ("yaml", "json"):
        from energieplanologie import capaciteitskaart

        document = capaciteitskaart.load_if_capaciteitskaart(p)
        if document is not None:
            return _read_capaciteitskaart_layer(p, document, kind, stations=stations, mapping=mapping)
        if fmt == "yaml":
            raise ReadError(f"{p}: YAML-bestand is geen capaciteitskaart (geen 'conforms_to' met "
                            "'capaciteitskaart' en geen lijst 'substations'/'energy_areas').")

    reader = ValidationReport(kind=kind, source=str(p))
    formulas: list[Formula] = []
    if fmt in ("csv", "xlsx"):
        if fmt == "csv":
            table = read_csv_table(p, reader)
        else:
            table, formulas = read_xlsx_table(p, layer, reader)
        frame = table_to_frame(_number_rows(table, reader), kind, crs, reader)
    else:
        frame = _number_rows(read_vector(p, fmt, kind, layer, reader), reader)
    shapefile = fmt in ("shp", "zip")
    source_columns = list(frame.columns)
    frame = map_columns(frame, kind, mapping, report=reader, shapefile=shapefile)
    if formulas:
        frame = _reject_uncached_formulas(frame, formulas, dict(zip(source_columns, frame.columns, strict=True)),
                                          kind, reader)
    if fmt == "csv":
        frame = numbers_from_text(frame, kind)
    if fmt == "xlsx":
        frame = years_from_dates(frame, reader)
    clean, validated = validate(frame, kind, crs=crs, source=str(p))
    reader.name_rows(row_id_map(frame, kind, reader.unnamed_rows()))
    return LayerRead(clean, _combine(reader, validated))


def read_table(
    source: str,
    kind: str,
    *,
    table: str | None = None,
    layer: str | None = None,
    mapping: Mapping[str, str] | None = None,
    crs: str | int | CRS | None = None,
    stations: gpd.GeoDataFrame | None = None,
) -> LayerRead:
    """Read one canonical layer from a PostGIS table or view: the same mapping, validation and report as a file.

    Parameters
    ----------
    source : str
        ``postgresql://user@host:port/db``, ``service=naam`` or a key/value connection string.
    kind : str
        Layer kind (a key of :data:`~energieplanologie.schema.SCHEMAS`).
    table : str
        ``schema.tabel`` (or ``tabel`` on the search path). ``layer`` is accepted as an alias.
    mapping, crs
        As for :func:`energieplanologie.io.read_layer`. ``crs`` is used when the geometry column has SRID 0.
    stations : GeoDataFrame, optional
        Unused (only capaciteitskaart files need it); accepted for the same call as files.

    Returns
    -------
    LayerRead
        ``(data, report)``; ``report.source`` shows the source with its password masked.

    Raises
    ------
    energieplanologie.postgis.DatabaseError
        The server cannot be reached, the login fails, or the table does not exist or cannot be read.
    ConfigError
        No table given, or the mapping is wrong.

    Examples
    --------
    >>> read_table("service=provincie", "constraints")
    Traceback (most recent call last):
    ...
    energieplanologie._errors.ConfigError: table: geef de tabel van service=provincie op als schema.tabel (in de configuratie: table = "schema.tabel").
    """
    del stations
    if kind not in SCHEMAS:
        raise ValueError(f"Onbekende laagsoort {kind!r}; verwacht een van {', '.join(SCHEMAS)}.")
    table = table or layer
    if not table:  # before the CRS: the missing table is the first thing to say
        fetch_table(source, table)
    if crs is not None:
        try:
            crs = CRS.from_user_input(crs)
        except Exception as exc:  # pyproj.exceptions.CRSError and friends
            raise ConfigError(f"crs: {crs!r} is geen bekend coördinatenstelsel ({exc}).", key="crs") from exc
    frame, geom, shown = fetch_table(source, table)
    reader = ValidationReport(kind=kind, source=shown)
    reader.rows_in = len(frame)
    frame = _number_rows(frame, reader)
    if geom is None and SCHEMAS[kind].has_geometry:
        frame = table_to_frame(frame, kind, crs, reader)  # x/y or WKT columns, as in a CSV
    frame = map_columns(frame, kind, mapping, report=reader)
    clean, validated = validate(frame, kind, crs=crs, source=shown)
    return LayerRead(clean, _combine(reader, validated))


def _reject_uncached_formulas(frame: pd.DataFrame, formulas: list[Formula], renamed: dict[str, str], kind: str,
                              report: ValidationReport) -> pd.DataFrame:
    """A formula without a stored result in a column the layer uses rejects its row with that reason (never read
    as an empty cell and filled with a default); in another column it is a warning."""
    spec = SCHEMAS[kind]
    bad = np.zeros(len(frame), dtype=bool)
    other: dict[str, list[int]] = {}
    # ``f.row`` is the row's position in the sheet's table, i.e. its ``source_row``; a row the geometry step already
    # rejected (and reported) is no longer in the frame.
    where = {int(r): i for i, r in enumerate(frame["source_row"].to_numpy())}
    for f in formulas:
        if f.row not in where:
            continue
        i = where[f.row]
        column = renamed.get(f.header, "geometry")  # x/y or WKT became the geometry
        if column in spec.column_names or column == "geometry":
            key = spec.key[0] if spec.key and spec.key[0] in frame.columns else None
            row_id = None if key is None or pd.isna(frame[key].iloc[i]) else str(frame[key].iloc[i]).strip()
            report.row_error(row=f.row, row_id=row_id, code="formula_without_value",
                             column=column, value=f.formula,
                             message="formule zonder opgeslagen uitkomst: de werkmap is niet in Excel berekend en "
                                     "opgeslagen (open en sla op in Excel, of vul de waarde zelf in)")
            bad[i] = True
        else:
            other.setdefault(f.header, []).append(f.row)
    for header, rows in other.items():
        report.warning("formula_without_value", header, rows,
                       "formule zonder opgeslagen uitkomst (werkmap niet in Excel berekend); kolom wordt niet gebruikt")
    return frame.loc[~bad]


def _combine(reader: ValidationReport, validated: ValidationReport) -> ValidationReport:
    """One report of reading and validating; every finding names the user's own column where it was renamed."""
    merged = merge_reports(reader, validated)
    merged.source = reader.source
    merged.name_source_columns({f.column: f.source_column for f in reader.notes
                                if f.code == "column_mapped" and f.column and f.source_column})
    return merged


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ReadError(f"{path}: bestand niet gevonden.")
    if path.is_dir():
        raise ReadError(f"{path}: is een map, geen bestand.")
    if path.stat().st_size == 0:
        raise ReadError(f"{path}: bestand is leeg (0 bytes).")


def _number_rows(frame: pd.DataFrame, report: ValidationReport) -> pd.DataFrame:
    """Add ``source_row`` (each row's position in this file), replacing a row-number column the source carries.

    Our own exports carry ``bronrij`` (the row in *their* source); read back, positions refer to this file.
    """
    own = [c for c in frame.columns if str(c).strip().casefold() in ROW_COLUMNS]
    if own:
        report.repair("row_column_replaced", None, [],
                      f"kolom {', '.join(repr(str(c)) for c in own)} (rijnummer uit een eerdere bron) vervangen door "
                      "de rijnummers van dit bestand")
        frame = frame.drop(columns=own)
    return frame.assign(source_row=np.arange(len(frame), dtype="int64"))


# ---- capaciteitskaart


def _read_capaciteitskaart_layer(path: Path, document: dict[str, Any], kind: str, *,
                                 stations: gpd.GeoDataFrame | None, mapping: Mapping[str, str] | None) -> LayerRead:
    from energieplanologie import capaciteitskaart

    if kind not in ("station_capacity", "infrastructure"):
        raise ReadError(f"{path}: een capaciteitskaart levert alleen station_capacity en infrastructure, niet {kind}.")
    result = capaciteitskaart.from_document(document, stations=stations, source=str(path))
    report = result.reports[kind]
    if mapping:
        report.warning("mapping_ignored", None, [],
                       "kolommapping genegeerd: een capaciteitskaart heeft vaste veldnamen")
    return LayerRead(getattr(result, kind), report)
