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

import csv
import io as _stdio
import json
import os
import re
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from energieplanologie._atomic import atomic_write
from energieplanologie._errors import ConfigError, ReadError, os_reason
from energieplanologie._limits import READ_MEMORY_FACTOR, available_memory
from energieplanologie._secrets import is_connection_string
from energieplanologie.labels import LAYER_NAMES
from energieplanologie.postgis import fetch_table
from energieplanologie.report import ValidationReport, merge_reports
from energieplanologie.schema import (
    CRS_RD,
    NL_BOUNDS_LONLAT,
    NL_BOUNDS_RD,
    SCHEMAS,
    parse_numbers,
    row_id_map,
    validate,
)
from energieplanologie.writers import write_csv, write_layers

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

# ----------------------------------------------------------------------------------------- column mapping

#: Common source headers (Dutch, and a few English) → canonical column, for every kind that has the column.
_COMMON_WORDS: dict[str, str] = {
    "naam": "name",
    "jaar": "year",
    "sector": "sector",
    "zekerheid": "certainty",
    "afname_mw": "offtake_mw",
    "invoeding_mw": "feedin_mw",
    "teruglevering_mw": "feedin_mw",
    "netbeheerder": "operator",
    "gemeentecode": "municipality_code",
    "statcode": "municipality_code",
    "gm_code": "municipality_code",
    "spanning": "voltage_kv",
    "spanning_kv": "voltage_kv",
    "netvlak": "level",
    "energiedrager": "carrier",
    "drager": "carrier",
    "programma": "programme",
    "status": "status",
    "jaar_gereed": "year_ready",
    "gereed": "year_ready",
    "kosten": "cost_meur",
    "kosten_meur": "cost_meur",
    "financiering": "funding",
    "partijen": "parties",
    "betrokken_partijen": "parties",
    "omschrijving": "description",
    "beschrijving": "description",
    "toelichting": "description",
    "provincie": "province",
    "provincienaam": "province",
    "short_code": "short_code",
}

#: Words whose meaning depends on the layer kind (``id`` is the development id in developments …).
_KIND_WORDS: dict[str, dict[str, str]] = {
    "municipalities": {
        "id": "municipality_code",
        "code": "municipality_code",
        "statnaam": "name",
        "gemeentenaam": "name",
        "gemeente": "name",
    },
    "stations": {"id": "station_id", "code": "station_id", "stationsnaam": "name"},
    "station_capacity": {"station": "station_id", "stationscode": "station_id"},
    "infrastructure": {
        "id": "project_id",
        "code": "project_id",
        "projectnummer": "project_id",
        "projectnaam": "name",
        "type": "infra_type",
        "soort": "infra_type",
        "jaar": "year_ready",
        "vermogen": "power_mw",
        "opslagcapaciteit_mwh": "energy_mwh",
        "capaciteit_mwh": "energy_mwh",
        "energie": "energy_mwh",
        "firm": "firm",
        "vast_contract": "firm",
        "efficientie": "efficiency",
    },
    "developments": {"id": "development_id", "code": "development_id", "niet_vast_aandeel": "non_firm_share",
                     "aandeel_niet_vast_contract": "non_firm_share", "niet_vast": "non_firm_share",
                     "kabelpool": "pool_id", "pool": "pool_id", "pool_id": "pool_id",
                     "aansluiting_kabelpool_mw": "pool_connection_mw", "pool_aansluiting_mw": "pool_connection_mw"},
    "constraints": {"type": "kind", "soort": "kind"},
    "status": {
        "id": "project_id",
        "code": "project_id",
        "project": "project_id",
        "projectnummer": "project_id",
        "datum": "reference_date",
        "peilmoment": "reference_date",
        "status": "project_status",
        "projectstatus": "project_status",
        "verwacht_jaar_gereed": "expected_year_ready",
        "verwacht_gereed_jaar": "expected_year_ready",
        "opmerking": "note",
    },
}

#: Headers that look like a power column but are ambiguous (offtake or feed-in?); never mapped automatically.
_AMBIGUOUS_POWER = ("vermogen_mw", "vermogen", "mw", "capaciteit_mw", "vermogen_mwe")

#: Columns the reader manages itself: a source's own row-number column is replaced.
_ROW_COLUMNS = ("source_row", "bronrij")


def _norm(name: object) -> str:
    """Header key for matching: case, spaces, underscores and punctuation do not matter."""
    return re.sub(r"[\W_]+", "", str(name).casefold())


def column_synonyms(kind: str, *, shapefile: bool = False) -> dict[str, str]:
    """The built-in header table of one layer kind: normalised source header → canonical column.

    It holds every canonical name and Dutch label (``labels.COLUMN_LABELS``, so our own exports read back) plus
    the common Dutch headers above. With ``shapefile=True`` the 10-character truncations that the Shapefile
    format forces (``developmen`` for ``development_id``) are added where they are unambiguous.

    ``vermogen_mw`` is deliberately absent: it may mean offtake or feed-in, so it needs an explicit mapping.

    Examples
    --------
    >>> syn = column_synonyms("developments")
    >>> syn["jaar"], syn["afnamemw"], syn["id"]
    ('year', 'offtake_mw', 'development_id')
    >>> column_synonyms("infrastructure")["id"]
    'project_id'
    """
    spec = SCHEMAS[kind]
    names = set(spec.column_names)
    words: dict[str, str] = {}
    for col in spec.columns:
        words[col.name] = col.name
        if col.label_nl:
            words[col.label_nl] = col.name
    for word, canonical in {**_COMMON_WORDS, **_KIND_WORDS.get(kind, {})}.items():
        if canonical in names:
            words[word] = canonical
    table = {_norm(w): c for w, c in words.items()}
    if shapefile:
        truncated: dict[str, set[str]] = {}
        for word, canonical in words.items():
            if len(word) > 10:
                truncated.setdefault(_norm(word[:10]), set()).add(canonical)
        for key, targets in truncated.items():
            if len(targets) == 1 and key not in table:
                table[key] = next(iter(targets))
    return table


#: The built-in header tables of all kinds (see :func:`column_synonyms`).
COLUMN_SYNONYMS: dict[str, dict[str, str]] = {kind: column_synonyms(kind) for kind in SCHEMAS}


def map_columns(
    frame: pd.DataFrame,
    kind: str,
    mapping: Mapping[str, str] | None = None,
    *,
    report: ValidationReport | None = None,
    shapefile: bool = False,
) -> pd.DataFrame:
    """Rename source columns to canonical names: the user ``mapping`` first, then the built-in table.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        The layer as read.
    kind : str
        Layer kind (a key of :data:`~energieplanologie.schema.SCHEMAS`).
    mapping : mapping of str to str, optional
        ``{canonical: source_column}`` (DESIGN §9). Every source column must exist.
    report : ValidationReport, optional
        Receives a repair per renamed column and warnings for columns left alone.
    shapefile : bool, default False
        Also accept the 10-character truncations of canonical names and labels.

    Returns
    -------
    DataFrame or GeoDataFrame
        A renamed copy; the geometry column is never renamed.

    Raises
    ------
    ConfigError
        The mapping names an absent source column or an unknown canonical column, maps one source column twice,
        or two source columns would both become the same canonical column.

    Examples
    --------
    >>> df = pd.DataFrame({"ID": ["a"], "Naam": ["Windpark"], "Jaar": [2030]})
    >>> list(map_columns(df, "developments").columns)
    ['development_id', 'name', 'year']
    """
    spec = SCHEMAS[kind]
    geometry_name = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    columns = [c for c in frame.columns if c != geometry_name]
    available = ", ".join(repr(str(c)) for c in columns) or "(geen)"
    counts = pd.Series([str(c) for c in columns]).value_counts()
    duplicated = set(counts[counts > 1].index)
    renames: dict[str, str] = {}
    taken: dict[str, str] = {}  # canonical → source column that provides it

    for canonical, source in (mapping or {}).items():
        if canonical not in spec.column_names:
            close = [c for c in spec.column_names if _norm(c) == _norm(canonical)]
            hint = f" Bedoelde u {close[0]!r}?" if close else ""
            raise ConfigError(
                f"mapping: {canonical!r} is geen kolom van laag {kind} "
                f"(toegestaan: {', '.join(spec.column_names)}).{hint}",
                key=canonical, option="mapping",
            )
        if source in columns:
            found = source
        else:
            loose = [c for c in columns if _norm(c) == _norm(source)]
            if len(loose) != 1:
                raise ConfigError(
                    f"mapping: {canonical} = {source!r}, maar kolom {source!r} bestaat niet in de bron "
                    f"(beschikbare kolommen: {available}).",
                    key=canonical, option="mapping",
                )
            found = loose[0]
        if found in renames:
            raise ConfigError(
                f"mapping: bronkolom {found!r} is aan zowel {renames[found]!r} als {canonical!r} gekoppeld.",
                key=canonical, option="mapping",
            )
        renames[found] = canonical
        taken[canonical] = found

    for canonical, source in taken.items():
        if canonical in columns and source != canonical:
            raise ConfigError(
                f"mapping: {canonical} = {source!r}, maar de bron heeft ook al een kolom {canonical!r}; "
                "twee bronkolommen kunnen niet dezelfde kolom worden. Hernoem of verwijder er één.",
                key=canonical, option="mapping",
            )

    table = column_synonyms(kind, shapefile=shapefile)
    exact = {c for c in columns if c in spec.column_names and c not in renames}
    for c in exact:
        taken.setdefault(c, c)
    candidates: dict[str, list[str]] = {}
    for c in columns:
        if c in renames or c in exact or str(c) in duplicated or c in _ROW_COLUMNS:
            continue
        synonym = table.get(_norm(c))
        if synonym is not None:
            candidates.setdefault(synonym, []).append(c)
    for canonical, sources in candidates.items():
        if canonical in taken:
            if report is not None:
                for s in sources:
                    report.warning("column_not_mapped", canonical, [],
                                   f"kolom {s!r} niet gebruikt als {canonical!r}: kolom {taken[canonical]!r} "
                                   "levert die al")
            continue
        if len(sources) > 1:
            raise ConfigError(
                f"kolommen {', '.join(map(repr, sources))} kunnen allemaal {canonical!r} zijn; kies er één met "
                f"een mapping ({canonical} = \"...\").",
                key=canonical, option="mapping",
            )
        renames[sources[0]] = canonical
        taken[canonical] = sources[0]

    if report is not None:
        user = set((mapping or {}).values())
        for source in columns:
            if source in renames and renames[source] != source:
                how = " (mapping)" if source in user or renames[source] in (mapping or {}) else ""
                report.note("column_mapped", renames[source], [],
                            f"kolom {str(source)!r} gelezen als {renames[source]!r}{how}")
                report.notes[-1].source_column = str(source)
        if kind == "developments" and not {"offtake_mw", "feedin_mw"} & set(taken):
            for c in columns:
                if _norm(c) in {_norm(w) for w in _AMBIGUOUS_POWER}:
                    report.warning("ambiguous_column", None, [],
                                   f"kolom {str(c)!r} is niet automatisch gekoppeld: afname of invoeding? "
                                   f"Geef een mapping: offtake_mw = {str(c)!r} of feedin_mw = {str(c)!r}")
    if not renames:
        return frame.copy()
    return frame.rename(columns={s: c for s, c in renames.items() if s != c})


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
    formulas: list[_Formula] = []
    if fmt in ("csv", "xlsx"):
        if fmt == "csv":
            table = _read_csv(p, reader)
        else:
            table, formulas = _read_xlsx(p, layer, reader)
        frame = _table_to_frame(_number_rows(table, reader), kind, crs, reader)
    else:
        frame = _number_rows(_read_vector(p, fmt, kind, layer, reader), reader)
    shapefile = fmt in ("shp", "zip")
    source_columns = list(frame.columns)
    frame = map_columns(frame, kind, mapping, report=reader, shapefile=shapefile)
    if formulas:
        frame = _reject_uncached_formulas(frame, formulas, dict(zip(source_columns, frame.columns, strict=True)),
                                          kind, reader)
    if fmt == "csv":
        frame = _numbers_from_text(frame, kind)
    if fmt == "xlsx":
        frame = _years_from_dates(frame, reader)
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
        frame = _table_to_frame(frame, kind, crs, reader)  # x/y or WKT columns, as in a CSV
    frame = map_columns(frame, kind, mapping, report=reader)
    clean, validated = validate(frame, kind, crs=crs, source=shown)
    return LayerRead(clean, _combine(reader, validated))


def _reject_uncached_formulas(frame: pd.DataFrame, formulas: list[_Formula], renamed: dict[str, str], kind: str,
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
    own = [c for c in frame.columns if str(c).strip().casefold() in _ROW_COLUMNS]
    if own:
        report.repair("row_column_replaced", None, [],
                      f"kolom {', '.join(repr(str(c)) for c in own)} (rijnummer uit een eerdere bron) vervangen door "
                      "de rijnummers van dit bestand")
        frame = frame.drop(columns=own)
    return frame.assign(source_row=np.arange(len(frame), dtype="int64"))


# ---- vector formats through pyogrio


_PLURAL = {"laag": "lagen", "shapefile": "shapefiles", "werkblad": "werkbladen"}


def _pick(names: list[str], kind: str, layer: str | None, path: Path, what: str) -> str:
    listed = ", ".join(names) or "(geen)"
    if layer is not None:
        if layer in names:
            return layer
        loose = [n for n in names if n.casefold() == layer.casefold()]
        if len(loose) == 1:
            return loose[0]
        raise ReadError(f"{path}: {what} {layer!r} bestaat niet (aanwezig: {listed}).", option="layer")
    if len(names) == 1:
        return names[0]
    if not names:
        raise ReadError(f"{path}: bevat geen {_PLURAL[what]}.")
    wanted = {kind.casefold(), LAYER_NAMES.get(kind, kind).casefold()}
    if kind in SCHEMAS:
        wanted.add(SCHEMAS[kind].label_nl.casefold())
    match = [n for n in names if n.casefold() in wanted]
    if len(match) == 1:
        return match[0]
    raise ReadError(f"{path}: meerdere {_PLURAL[what]} ({listed}); kies er één met layer=… (of --layer).")


def _vector_source(path: Path, fmt: str, kind: str, layer: str | None) -> tuple[str, str | None]:
    """The GDAL path and layer name to read."""
    if fmt == "zip":
        try:
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.namelist() if not m.endswith("/") and "__MACOSX" not in m]
        except (zipfile.BadZipFile, OSError) as exc:
            raise ReadError(f"{path}: geen geldig zip-bestand ({exc}).") from exc
        shps = sorted(m for m in members if m.lower().endswith(".shp"))
        if not shps:
            raise ReadError(f"{path}: zip-bestand bevat geen shapefile (.shp); inhoud: {', '.join(members) or '(leeg)'}.")
        stems = [Path(m).stem for m in shps]
        chosen = _pick(stems, kind, layer, path, "shapefile")
        return f"/vsizip/{path.absolute()}/{shps[stems.index(chosen)]}", None
    if fmt == "gpkg":
        names = [str(n) for n in _list_layers(path)[:, 0]]
        return str(path), _pick(names, kind, layer, path, "laag")
    return str(path), None


def _list_layers(path: Path) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio.errors.DataSourceError and GDAL failures
        raise ReadError(f"{path}: niet te lezen als GeoPackage ({_short(exc)}).") from exc


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def _read_vector(path: Path, fmt: str, kind: str, layer: str | None, report: ValidationReport) -> pd.DataFrame:
    source, layer_name = _vector_source(path, fmt, kind, layer)
    if fmt in ("geojson", "json", "fgb", "shp") and layer is not None:
        report.warning("layer_ignored", None, [], f"layer={layer!r} genegeerd: dit formaat heeft één laag")
    _check_read_memory(path, fmt, source)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = pyogrio.read_dataframe(source, layer=layer_name, use_arrow=_arrow_readable(fmt, source, layer_name))
    except MemoryError as exc:  # GDAL's std::bad_alloc
        raise ReadError(f"{path}: te groot om in het geheugen te lezen (onvoldoende geheugen).") from exc
    except Exception as exc:  # DataSourceError, DataLayerError, FieldTypeError, GDAL errors on corrupt files
        raise ReadError(f"{path}: niet te lezen ({_short(exc)}).") from exc
    measured = [w for w in caught if _MEASURED in str(w.message)]
    if measured:
        report.repair("dropped_m", "geometry", [],
                      "M-waarden (maatwaarden) verwijderd bij het lezen; de analyses zijn tweedimensionaal")
    for w in caught:
        if w not in measured:
            report.warning("reader_warning", None, [], f"melding bij het lezen: {w.message}")
    _check_complete(path, fmt, source, layer_name, len(frame))
    if fmt in ("geojson", "json"):
        frame = _restore_nul_texts(path, frame, report)
    # QGIS writes a layer without CRS to GeoPackage as an "undefined" SRS; that is no CRS at all.
    if getattr(frame, "crs", None) is not None and frame.crs.name in _UNDEFINED_SRS:
        frame = frame.set_crs(None, allow_override=True)
    report.rows_in = len(frame)
    return frame


def _source_bytes(path: Path, fmt: str, source: str) -> int:
    """Bytes GDAL will read for this source: for a shapefile (zipped or not) its .shp and .dbf unpacked, else the
    file itself."""
    if fmt == "zip" and source.startswith("/vsizip/"):
        member = source[len(f"/vsizip/{path.absolute()}/"):]
        stem = member[: -len(".shp")]
        try:
            with zipfile.ZipFile(path) as zf:
                return sum(i.file_size for i in zf.infolist() if i.filename in (member, stem + ".dbf", stem + ".DBF"))
        except (OSError, zipfile.BadZipFile):
            return 0
    if fmt == "shp":
        return sum(p.stat().st_size for p in (path, path.with_suffix(".dbf")) if p.exists())
    return path.stat().st_size


def _check_read_memory(path: Path, fmt: str, source: str) -> None:
    """Refuse, before reading, a source that would need more memory than is available (a small zip can hold a
    shapefile of gigabytes): GDAL would end in ``std::bad_alloc`` or the system would start killing processes."""
    size = _source_bytes(path, fmt, source)
    need = READ_MEMORY_FACTOR * size
    available = available_memory()
    if available is not None and need > available:
        raise ReadError(f"{path}: te groot om te lezen: {_mb(size)} aan gegevens (uitgepakt) vraagt ongeveer "
                        f"{_mb(need)} geheugen, er is {_mb(available)} beschikbaar. Lees het in delen of op een "
                        "machine met meer geheugen.")


def _mb(n: float) -> str:
    return f"{n / 1e6:.0f} MB"


def _restore_nul_texts(path: Path, frame: pd.DataFrame, report: ValidationReport) -> pd.DataFrame:
    """GDAL cuts a text at a NUL character (``"D17\\u0000-oud"`` becomes ``"D17"``, which may then clash with
    another id). When the GeoJSON holds an escaped NUL, take those texts from the file itself, with the NUL as
    U+FFFD (as the writers do), and say so."""
    data = path.read_bytes()
    if data.find(b"\\u0000") < 0:
        return frame
    try:
        features = json.loads(data.decode("utf-8-sig")).get("features") or []
    except (ValueError, UnicodeDecodeError, AttributeError, RecursionError):
        return frame  # GDAL read it; what it could not, the rest of validation reports
    if len(features) != len(frame):
        return frame
    fixed: dict[str, list[int]] = {}
    out = frame
    for i, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        for key, value in (props or {}).items() if isinstance(props, dict) else ():
            if isinstance(value, str) and "\x00" in value and key in frame.columns:
                if out is frame:
                    out = frame.copy()
                if out[key].dtype != object:
                    out[key] = out[key].astype(object)
                out.iat[i, out.columns.get_loc(key)] = value.replace("\x00", "\ufffd")
                fixed.setdefault(key, []).append(i)
    for key, rows in fixed.items():
        report.repair("nul_character", key, rows,
                      "NUL-teken in de tekst vervangen door '\ufffd' (anders was de tekst daar afgekapt)")
    return out


def _arrow_readable(fmt: str, source: str, layer: str | None) -> bool:
    """Whether pyogrio may read the layer through Arrow (2–3× faster on large layers): GeoPackages only (GDAL's
    Arrow path crashed the process on generated FlatGeobuf files), and not when the layer declares M values, which
    only the classic path reports and drops as :func:`_read_vector` expects."""
    if fmt != "gpkg":
        return False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pyogrio.read_info(source, layer=layer)
    except Exception:  # the classic read reports what is wrong
        return False
    return not any(_MEASURED in str(w.message) for w in caught)


#: pyogrio's warning when it reads M (measured) geometries as 2D/3D ones.
_MEASURED = "Measured (M) geometry types are not supported"


def _check_complete(path: Path, fmt: str, source: str, layer: str | None, rows: int) -> None:
    """A truncated FlatGeobuf or Shapefile reads as fewer features (or features without geometry) without an
    error from GDAL: compare with what the file's own header promises."""
    if fmt == "fgb":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            declared = pyogrio.read_info(source, layer=layer)["features"]
        if declared is not None and declared > rows:
            raise ReadError(f"{path}: bestand is afgebroken of beschadigd: de kop noemt {declared} objecten, er zijn "
                            f"er {rows} te lezen.")
    elif fmt in ("shp", "zip"):
        declared_bytes, actual_bytes = _shp_lengths(path, source)
        if declared_bytes is not None and actual_bytes < declared_bytes:
            raise ReadError(f"{path}: shapefile (.shp) is afgebroken of beschadigd: de kop noemt {declared_bytes} "
                            f"bytes, het bestand heeft er {actual_bytes}.")


def _shp_lengths(path: Path, source: str) -> tuple[int | None, int]:
    """The file length a .shp header declares (bytes 24–27, big-endian, in 16-bit words) and its real size."""
    try:
        if source.startswith("/vsizip/"):
            member = source[len(f"/vsizip/{path.absolute()}/"):]
            with zipfile.ZipFile(path) as zf:
                actual = zf.getinfo(member).file_size
                with zf.open(member) as fh:
                    head = fh.read(28)
        else:
            shp = Path(source)
            actual = shp.stat().st_size
            with shp.open("rb") as fh:
                head = fh.read(28)
    except (OSError, KeyError, zipfile.BadZipFile):
        return None, 0
    if len(head) < 28 or int.from_bytes(head[:4], "big") != 9994:  # not a shapefile header: GDAL has judged it
        return None, actual
    return int.from_bytes(head[24:28], "big") * 2, actual


_UNDEFINED_SRS = ("Undefined geographic SRS", "Undefined Cartesian SRS", "Undefined geographic SRS (fallback)")


# ---- CSV

_SEPARATORS = (",", ";", "\t", "|")
_SEPARATOR_NAMES = {",": "komma", ";": "puntkomma", "\t": "tab", "|": "verticale streep"}


def _decode(path: Path, report: ValidationReport) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: bestand niet te lezen ({os_reason(exc)}).") from exc
    utf16 = _utf16(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError as exc:
            raise ReadError(f"{path}: bestand lijkt UTF-16 (Excel 'Unicode-tekst') maar is niet zo te lezen "
                            f"({exc.reason} bij byte {exc.start}).") from exc
        report.repair("encoding", None, [], "bestand is UTF-16 (zoals Excel 'Unicode-tekst' opslaat); zo gelezen")
        return text.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        encoding = "Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        encoding = "Latin-1"
    report.repair("encoding", None, [], f"bestand is geen UTF-8; gelezen als {encoding}")
    return text


def _utf16(data: bytes) -> str | None:
    """The UTF-16 codec of a text that is UTF-16 (a byte-order mark, or a NUL in every other byte of a text that
    starts with ASCII, as Excel's "Unicode text" and some exports write), else None."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = data[:4096]
    if len(head) >= 4 and len(head) % 2 == 0:
        odd, even = head[1::2], head[0::2]
        if odd.count(0) > 0.9 * len(odd) and 0 not in even:
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and 0 not in odd:
            return "utf-16-be"
    return None


def _sniff_separator(text: str) -> str:
    """The separator among , ; tab | that splits the first lines into the most, equally long, fields."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", (-1, -1.0)
    for sep in _SEPARATORS:
        rows = list(csv.reader(lines, delimiter=sep))
        width = len(rows[0])
        if width < 2:
            continue
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (int(consistent >= 0.9), consistent * width)
        if score > best_score:
            best, best_score = sep, score
    return best


def _read_csv(path: Path, report: ValidationReport) -> pd.DataFrame:
    text = _decode(path, report)
    if not text.strip():
        raise ReadError(f"{path}: CSV-bestand bevat geen gegevens.")
    sep = _sniff_separator(text)
    header = next(csv.reader([text.lstrip("\r\n").splitlines()[0]], delimiter=sep))
    try:
        frame = pd.read_csv(
            _stdio.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        raise ReadError(f"{path}: CSV niet te lezen (scheidingsteken {_SEPARATOR_NAMES[sep]}): {_short(exc)}") from exc
    if len(header) == len(frame.columns):
        frame.columns = [h.strip() for h in header]  # keep duplicate headers visible (pandas adds .1)
    report.rows_in = len(frame)
    return frame


# ---- XLSX


class _Formula(NamedTuple):
    """A formula cell of a workbook saved without its computed value (openpyxl reads it as empty)."""

    row: int  # position among the data rows
    header: str
    formula: str


def _read_xlsx(path: Path, sheet: str | None, report: ValidationReport) -> tuple[pd.DataFrame, list[_Formula]]:
    """The sheet as a frame, and the formula cells that have no stored value (a workbook written by a program,
    never opened and saved in Excel, has formulas but no results)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            workbook = load_workbook(path, data_only=True)
            formulas_book = load_workbook(path, data_only=False)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError on broken parts
        raise ReadError(f"{path}: niet te lezen als Excel-werkmap ({_short(exc)}).") from exc
    for w in caught:
        report.warning("reader_warning", None, [], f"melding bij het lezen: {w.message}")
    try:
        names = list(workbook.sheetnames)
        ws = workbook.worksheets[0] if sheet is None else workbook[_pick(names, "", sheet, path, "werkblad")]
        cells = [list(row) for row in ws.iter_rows(values_only=True)]
        merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
        fs = formulas_book[ws.title]
        uncached = {(cell.row - 1, cell.column - 1): str(getattr(cell.value, "text", cell.value))
                    for row in fs.iter_rows() for cell in row
                    if cell.data_type == "f" and cells[cell.row - 1][cell.column - 1] is None} if any(
            c.data_type == "f" for row in fs.iter_rows() for c in row) else {}
    finally:
        workbook.close()
        formulas_book.close()

    nonempty = [i for i, row in enumerate(cells) if any(_filled(v) for v in row)]
    if not nonempty:
        raise ReadError(f"{path}: werkblad {ws.title!r} is leeg.")
    width = max(j + 1 for row in cells for j, v in enumerate(row) if _filled(v))
    cells = [(row + [None] * width)[:width] for row in cells]
    start = nonempty[0]  # 0-based row of the first header row
    # A title line above the table ("Overzicht ontwikkelingen 2025"): one filled cell, the next line has more.
    # Counted before merged cells are spread, so a title merged across the table is one cell too.
    while True:
        later = [i for i in nonempty if i > start]
        if not later or sum(map(_filled, cells[start])) != 1 or sum(map(_filled, cells[later[0]])) < 2:
            break
        report.repair("title_row_skipped", None, [],
                      f"titelregel {str(next(v for v in cells[start] if _filled(v))).strip()!r} in rij {start + 1} "
                      f"van werkblad {ws.title!r} overgeslagen; de kop begint in rij {later[0] + 1}")
        merged = [m for m in merged if m[0] - 1 != start]
        start = later[0]
    # Merged cells: openpyxl stores the value in the top-left cell only; spread it over the range (rows of data
    # that get a copied value are reported below, once the header rows are known).
    spread: list[tuple[int, int, int, int]] = []
    for r0, c0, r1, c1 in merged:
        value = cells[r0 - 1][c0 - 1] if r0 - 1 < len(cells) and c0 - 1 < width else None
        for r in range(r0 - 1, min(r1, len(cells))):
            for c in range(c0 - 1, min(c1, width)):
                cells[r][c] = value
        if _filled(value):
            spread.append((r0 - 1, c0 - 1, min(r1, len(cells)) - 1, min(c1, width) - 1))
    # The header block: the first row, extended down over merged ranges that start in it; a horizontally merged
    # (group) cell means the next non-empty row holds the sub-headers.
    end = start
    while True:
        touching = [m for m in merged if m[0] - 1 <= end and m[2] - 1 >= start]
        new_end = max([end] + [m[2] - 1 for m in touching])
        below = [i for i in nonempty if i > new_end]
        if any(m[1] != m[3] and m[2] - 1 == new_end for m in touching) and below:
            new_end = below[0]
        if new_end == end:
            break
        end = new_end
    headers: list[str] = []
    for c in range(width):
        texts = [str(cells[r][c]).strip() for r in range(start, end + 1) if _filled(cells[r][c])]
        headers.append(texts[-1] if texts else "")
    if end > start:
        report.repair("merged_header", None, [],
                      f"kop met samengevoegde cellen over rijen {start + 1}–{end + 1} van werkblad {ws.title!r}; "
                      "per kolom de onderste kopcel gebruikt")
    data = cells[end + 1:]
    while data and not any(_filled(v) for v in data[-1]):
        data.pop()
    # Sheet row (0-based) of each data row kept.
    sheet_rows = [end + 1 + i for i, row in enumerate(data) if any(_filled(v) for v in row)]
    blank = [i for i, row in enumerate(data) if not any(_filled(v) for v in row)]
    data = [row for row in data if any(_filled(v) for v in row)]
    if blank:
        report.warning("blank_rows", None, [], f"{len(blank)} lege rij(en) tussen de gegevens overgeslagen")
    keep = [c for c in range(width) if headers[c] or any(_filled(row[c]) for row in data)]
    for c in keep:
        if not headers[c]:
            headers[c] = f"kolom_{get_column_letter(c + 1)}"
            report.warning("missing_header", headers[c], [],
                           f"kolom {get_column_letter(c + 1)} heeft geen kop; gelezen als {headers[c]!r}")
    frame = pd.DataFrame([[row[c] for c in keep] for row in data], columns=[headers[c] for c in keep])
    frame = frame.map(lambda v: None if isinstance(v, str) and not v.strip() else v)
    report.rows_in = len(frame)
    position = {r: i for i, r in enumerate(sheet_rows)}
    _report_merged_data(spread, position, headers, keep, report)
    formulas = [_Formula(position[r], headers[c], text) for (r, c), text in sorted(uncached.items())
                if r in position and c in keep]
    return frame, formulas


def _report_merged_data(spread: list[tuple[int, int, int, int]], position: dict[int, int], headers: list[str],
                        keep: list[int], report: ValidationReport) -> None:
    """One repair per column whose data rows got a value copied from a merged cell above (Excel shows it once)."""
    copied: dict[int, list[int]] = {}
    for r0, c0, r1, c1 in spread:
        rows = [position[r] for r in range(r0 + 1, r1 + 1) if r in position]
        if r0 in position and r1 > r0:  # vertical: the rows below the first get its value
            for c in range(c0, c1 + 1):
                copied.setdefault(c, []).extend(rows)
    for c in sorted(copied):
        if c in keep and copied[c]:
            report.repair("merged_cells", headers[c], sorted(set(copied[c])),
                          "samengevoegde cellen: de waarde van de bovenste cel is ook in de rijen eronder gezet")


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


# ---- tables (CSV, XLSX) to geometry

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


def _table_to_frame(frame: pd.DataFrame, kind: str, crs: CRS | None, report: ValidationReport) -> pd.DataFrame:
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


def _numbers_from_text(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
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


def _years_from_dates(frame: pd.DataFrame, report: ValidationReport) -> pd.DataFrame:
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
