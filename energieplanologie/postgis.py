"""PostGIS as a source and a target: read canonical layers from tables, publish a region and its results.

A *database source* is a libpq connection string in any of its forms: a URL (``postgresql://user@host/db``), a
service name (``service=provincie`` — the service file is ``$PGSERVICEFILE`` or ``~/.pg_service.conf``), a
key/value string (``PG:dbname=energie host=gis``, GDAL style). Passwords may come from the URL, ``PGPASSWORD``,
``~/.pgpass`` or the service file; wherever a source is shown (reports, errors, provenance) its password is
masked (``postgresql://user:***@host/db``) and an authentication failure says so in Dutch without it.

:func:`fetch_table` reads one table (or view); :func:`energieplanologie.io.read_layer` (through
:func:`energieplanologie.io.read_table`) runs it through the same column mapping and validation as a file when
its path is a database source, with ``table="schema.tabel"``. :func:`publish_to_postgis` writes the region layers and every result layer into a
schema in one transaction: each table gets an integer primary key ``fid``, a unique constraint on its natural key
when the data has one, a GiST index on ``geom``, and Dutch comments on the table and its columns; the swap of the
new tables for the previous publication happens at the end of that transaction, so readers see either the old
or the new publication, never a mix. Concurrent publications to one schema are serialised by an advisory lock.
The schema's table ``herkomst`` records, per table, the publication id, round, input snapshots and software
version.

Access is through psycopg 3 (``pip install 'energieplanologie[postgis]'``): GDAL's PostgreSQL driver is absent
from the pyogrio/fiona wheels, and with plain psycopg the transaction boundaries of a publication are explicit.
Geometries travel as (E)WKB through shapely's vectorised codecs, rows through ``COPY``.
"""

from __future__ import annotations

import io as _stdio
import json
import os
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from energieplanologie._errors import ConfigError, ReadError
from energieplanologie._secrets import is_connection_string, mask_secrets, remember, url_password_problem
from energieplanologie._version import __version__
from energieplanologie.labels import COLUMN_LABELS, LAYER_NAMES, VALUE_LABELS, dutch_headers
from energieplanologie.provenance import provenance as _provenance
from energieplanologie.provenance import read_gpkg_provenance

if TYPE_CHECKING:  # pragma: no cover
    import psycopg

    from energieplanologie.region import Region

__all__ = [
    "DATABASE_PREFIXES",
    "PROVENANCE_TABLE",
    "TABLE_DESCRIPTIONS",
    "SQL_NAME",
    "DatabaseError",
    "Publication",
    "collect_tables",
    "connect",
    "database_error",
    "is_database_source",
    "list_tables",
    "mask_password",
    "new_publication_id",
    "publish_tables_in",
    "publish_to_postgis",
    "read_frame",
    "fetch_table",
    "source_label",
    "table_checksum",
]

#: How a database source starts (the same test as ``config.LayerConfig.is_database``).
DATABASE_PREFIXES = ("postgresql://", "postgres://", "PG:", "service=")
#: The table in every published schema that records where each table came from.
PROVENANCE_TABLE = "herkomst"
GEOMETRY_COLUMN = "geom"
FID_COLUMN = "fid"

#: Dutch descriptions of the published tables (``COMMENT ON TABLE``); other tables get a generic one.
TABLE_DESCRIPTIONS: dict[str, str] = {
    "gemeenten": "Gemeenten van de regio (CBS-gemeentecode, naam, provincie).",
    "stations": "Stations (onderstations en aansluitpunten) met netbeheerder, spanning, netvlak en energiedrager.",
    "stationscapaciteit": "Capaciteit en basislast per station en jaar, voor afname en invoeding (MW).",
    "infrastructuur": "Bestaande en geplande energie-infrastructuur (projecten): type, status, jaar gereed, "
                      "extra capaciteit (MW), kosten (M€) en financiering.",
    "ontwikkelingen": "Ontwikkelingen per sector en programma met afname en invoeding (MW), jaar en zekerheid.",
    "beperkingen": "Gebieden met ruimtelijke beperkingen (bijvoorbeeld Natura 2000), voor ruimtelijke inpasbaarheid.",
    "stationsbalans": "Stationsbalans per scenario, station, jaar en richting: capaciteit, last, ruimte en tekort (MW) "
                      "en status groen/oranje/rood.",
    "knooppunten": "Knooppunten: plekken waar ontwikkelingen samenkomen, met leden, MW, betrokken stations en niveau "
                   "(lokaal, provinciaal, nationaal).",
    "knooppunt_leden": "Leden van de knooppunten: welke ontwikkelingen en projecten bij welk knooppunt horen.",
    "hexagonen_gistar": "Hexagonen van de Getis-Ord Gi*-analyse met z-waarde, p-waarde en hotspotcellen na "
                        "FDR-correctie.",
    "afweging": "Scores van projecten op het afwegingskader (criteria A–H) met niveau, punten en reden.",
    "toewijzing": "Toewijzing van ontwikkelingen aan stations (welk station, welk aandeel, welke methode).",
    PROVENANCE_TABLE: "Herkomst van de gepubliceerde tabellen: publicatie, ronde, invoer-snapshots en softwareversie.",
}

#: Natural keys per published table (Dutch headers), tried in order; the first that is complete and unique in the
#: data gets a UNIQUE constraint.
NATURAL_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    "gemeenten": (("gemeentecode",),),
    "stations": (("station_id",),),
    "stationscapaciteit": (("station_id", "jaar"),),
    "infrastructuur": (("project_id",),),
    "ontwikkelingen": (("ontwikkeling_id",),),
    "stationsbalans": (("scenario", "station_id", "jaar", "richting"), ("station_id", "jaar", "richting")),
    "knooppunten": (("knooppunt_id", "jaar"), ("knooppunt_id",)),
    "knooppunt_leden": (("knooppunt_id", "jaar", "soort_lid", "lid_id"), ("knooppunt_id", "soort_lid", "lid_id")),
    "hexagonen_gistar": (("hex_id",),),
    "afweging": (("project_id", "criterium"),),
    PROVENANCE_TABLE: (("tabel",),),
}

_COLUMN_DESCRIPTIONS: dict[str, str] = {
    "bronrij": "Rijnummer in de bron (0 = eerste gegevensrij).",
    "gemeentecode": "CBS-gemeentecode, bijvoorbeeld GM0715.",
    "station_id": "Id van het station (uniek in de laag stations).",
    "netvlak": "Netvlak naar de hoogste spanning: EHS (≥220 kV), HS (110–150 kV), TS (25–66 kV), MS (10–20 kV).",
    "spanning_kv": "Spanning in kV als tekst, bijvoorbeeld 150/20.",
    "jaar": "Jaartal.",
    "jaar_gereed": "Jaar waarin het project gereed is.",
    "zekerheid": "Zekerheid: committed = vergund/in aanbouw, planned = vastgesteld plan, intended = voornemen, "
                 "speculative = idee.",
    "kosten_meur": "Kosten in miljoen euro (M€).",
    "status": "Status.",
    "publicatie_id": "Id van de publicatie die deze tabel schreef.",
    "ronde": "Programmeerronde (bijvoorbeeld 2025).",
    "invoer": "Invoer-snapshots (laag, snapshot-id, sha256, rijen, bron) als JSON.",
    "softwareversie": "Versie van energieplanologie die de tabel schreef.",
    "gepubliceerd_op": "Tijdstip van publicatie (UTC).",
    "tabel": "Naam van de gepubliceerde tabel.",
    "rijen": "Aantal rijen in de tabel.",
    "regio": "Naam van de regio.",
}


class DatabaseError(ReadError):
    """A database could not be reached, read or written. The message is Dutch and never holds a password."""


# ----------------------------------------------------------------------------------------------- sources


def is_database_source(path: object) -> bool:
    """True when ``path`` is a PostgreSQL connection (URL, ``service=…``, ``PG:…``, a key/value string such as
    ``host=gis dbname=energie``) rather than a file.

    Examples
    --------
    >>> is_database_source("postgresql://gis.provincie.example/energie"), is_database_source("service=prov")
    (True, True)
    >>> is_database_source("host=gis.provincie.example dbname=energie user=piet")
    True
    >>> is_database_source("ontwikkelingen.gpkg")
    False
    """
    return is_connection_string(path)


def mask_password(text: str) -> str:
    """``text`` with every password in a connection string replaced by ``***``
    (:func:`energieplanologie._secrets.mask_secrets`).

    Examples
    --------
    >>> mask_password("postgresql://piet:geheim@gis.example:5432/energie")
    'postgresql://piet:***@gis.example:5432/energie'
    >>> mask_password("host=gis dbname=energie password='ge heim' user=piet")
    'host=gis dbname=energie password=*** user=piet'
    >>> mask_password("postgresql://gis.example/energie?user=piet&password=geheim")
    'postgresql://gis.example/energie?user=piet&password=***'
    >>> mask_password("postgresql://piet:ge#he/im?@gis.example/energie")
    'postgresql://piet:***@gis.example/energie'
    """
    return mask_secrets(text)


def _scrub(message: str, source: str) -> str:
    return mask_secrets(message, sources=[source])


def _conninfo(source: str) -> str:
    text = source.strip()
    return text[3:].strip() if text.startswith("PG:") else text


def source_label(source: str, table: str | None = None) -> str:
    """How a database source is shown to people: password masked, table appended.

    Examples
    --------
    >>> source_label("postgresql://piet:geheim@gis/energie", "ruimte.natura2000")
    'postgresql://piet:***@gis/energie tabel ruimte.natura2000'
    """
    label = mask_password(source.strip())
    return f"{label} tabel {table}" if table else label


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise DatabaseError(
            "PostGIS-ondersteuning vraagt het pakket psycopg: pip install 'energieplanologie[postgis]' "
            "(of: pip install 'psycopg[binary]')."
        ) from exc
    return psycopg


def _where(source: str) -> str:
    text = _conninfo(source)
    m = re.match(r"^\s*service\s*=\s*'?([^'\s]+)", text)
    if m and "host" not in text:
        return f"service {m.group(1)!r}"
    return mask_password(source.strip())


def _connect_message(source: str, exc: Exception) -> str:
    raw = str(exc)
    where = _where(source)
    user = re.search(r'for user "([^"]*)"', raw)
    if "password authentication failed" in raw or "authentication failed" in raw:
        who = f" voor gebruiker {user.group(1)!r}" if user else ""
        return (f"Aanmelden bij de database {where} mislukt: het wachtwoord is onjuist{who} (of de gebruiker bestaat "
                "niet). Controleer het wachtwoord in de verbinding, PGPASSWORD, ~/.pgpass of de servicefile.")
    if "no password supplied" in raw:
        return (f"Aanmelden bij de database {where} mislukt: de server vraagt een wachtwoord en er is geen "
                "opgegeven (zet het in ~/.pgpass, PGPASSWORD of de servicefile, niet in een gedeeld bestand).")
    db = re.search(r'database "([^"]*)" does not exist', raw)
    if db:
        return f"Database {db.group(1)!r} bestaat niet op de server ({where})."
    svc = re.search(r'definition of service "([^"]*)" not found', raw)
    if svc or "service file" in raw:
        name = svc.group(1) if svc else "?"
        return (f"Service {name!r} niet gevonden: zet de definitie in de servicefile ($PGSERVICEFILE of "
                "~/.pg_service.conf).")
    if "no pg_hba.conf entry" in raw:
        return f"De databaseserver ({where}) staat deze verbinding niet toe (pg_hba.conf); vraag de beheerder."
    reasons = {"Connection refused": "verbinding geweigerd", "timeout expired": "geen antwoord (time-out)",
               "could not translate host name": "onbekende hostnaam", "Network is unreachable": "netwerk onbereikbaar",
               "No route to host": "host onbereikbaar", "No such file or directory": "geen lokale server (socket)",
               "could not connect": "verbinden lukt niet"}
    reason = next((dutch for english, dutch in reasons.items() if english in raw), None)
    if reason is not None:
        return f"Databaseserver niet bereikbaar ({where}): {reason}. Draait de server en kloppen host en poort?"
    first = raw.strip().splitlines()[0] if raw.strip() else type(exc).__name__
    return f"Verbinden met de database {where} mislukt: {_scrub(first, source)}"


def connect(source: str, *, autocommit: bool = False) -> psycopg.Connection:
    """Open a psycopg connection to a database source; failures raise :class:`DatabaseError` in Dutch.

    Parameters
    ----------
    source : str
        URL, ``service=naam``, or a key/value string (optionally prefixed ``PG:``).
    autocommit : bool, default False
        Without autocommit every statement runs in one transaction until ``commit()``.

    Examples
    --------
    >>> connect("postgresql://piet:geheim@127.0.0.1:1/energie")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    energieplanologie.postgis.DatabaseError: Databaseserver niet bereikbaar (postgresql://piet:***@127.0.0.1:1/energie)...
    """
    psycopg = _psycopg()
    conninfo = _conninfo(remember(source))
    problem = url_password_problem(source)
    if problem is not None:  # libpq would cut the password into host, port and database, and echo the pieces
        raise ConfigError(f"Ongeldige databaseverbinding {mask_secrets(source)}: {problem}.", key="path")
    try:
        return psycopg.connect(conninfo, autocommit=autocommit, connect_timeout=15,
                               application_name="energieplanologie")
    except psycopg.OperationalError as exc:
        raise DatabaseError(_connect_message(source, exc)) from None
    except psycopg.ProgrammingError as exc:  # an unparsable connection string
        raise ConfigError(f"Ongeldige databaseverbinding {mask_password(source)!r}: {_scrub(str(exc), source)}",
                          key="path") from None


@contextmanager
def _connection(source: str | psycopg.Connection) -> Iterator[psycopg.Connection]:
    """Use a given connection, or open (and close) one for a source."""
    if not isinstance(source, str):
        yield source
        return
    conn = connect(source)
    try:
        yield conn
    finally:
        conn.close()


def _rollback(conn: Any) -> bool:
    """Roll back; False when that is impossible because the connection is gone (an error raised inside an error
    handler would otherwise replace the real reason with a traceback)."""
    psycopg = _psycopg()
    try:
        conn.rollback()
    except psycopg.Error:
        return False
    return not getattr(conn, "broken", False)


def database_error(exc: Exception, source: str, what: str) -> DatabaseError:
    """A :class:`DatabaseError` saying ``what`` failed where, with the first line of the driver's message (every
    password of ``source`` masked).

    Examples
    --------
    >>> print(database_error(RuntimeError("verbinding geweigerd"), "postgresql://u:geheim@host/db", "Lezen mislukt"))
    Lezen mislukt (postgresql://u:***@host/db): verbinding geweigerd
    """
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DatabaseError(f"{what} ({_where(source)}): {_scrub(first, source)}")


# ----------------------------------------------------------------------------------------------- tables

_IDENT = r'(?:"(?:[^"]|"")+"|[^".\s]+)'
_QUALIFIED = re.compile(rf"^\s*(?:({_IDENT})\s*\.\s*)?({_IDENT})\s*$")


def _split_table(name: str) -> tuple[str | None, str, bool]:
    """``schema.table`` → (schema, table, quoted); quotes keep case, dots and spaces."""
    m = _QUALIFIED.match(name or "")
    if not m:
        raise ConfigError(f"table: {name!r} is geen tabelnaam; verwacht schema.tabel of tabel.", key="table")

    def unquote(part: str | None) -> str | None:
        if part is None:
            return None
        return part[1:-1].replace('""', '"') if part.startswith('"') else part

    quoted = any(p is not None and p.startswith('"') for p in m.groups())
    return unquote(m.group(1)), unquote(m.group(2)), quoted  # type: ignore[return-value]


def _resolve(conn: psycopg.Connection, table: str) -> tuple[int, str, str]:
    """The oid, schema and name of an existing table/view (unquoted names are also tried in lower case)."""
    from psycopg import sql

    schema, name, quoted = _split_table(table)
    tries = [(schema, name)]
    if not quoted:
        tries.append((schema.lower() if schema else None, name.lower()))
    for s, t in dict.fromkeys(tries):
        ident = sql.Identifier(s, t) if s else sql.Identifier(t)
        found = conn.execute(sql.SQL("SELECT to_regclass({})::oid").format(sql.Literal(ident.as_string(conn)))).fetchone()
        oid = found[0] if found is not None else None  # a SELECT without FROM returns one row
        if oid is not None:
            row = conn.execute("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                               "WHERE c.oid = %s", [oid]).fetchone()
            assert row is not None  # the class to_regclass just found
            return int(oid), row[0], row[1]
    present = list_tables(conn, schema)
    shown = ", ".join(present[:30]) + (" …" if len(present) > 30 else "") if present else "(geen)"
    where = f"in schema {schema!r}" if schema else "in het zoekpad"
    raise DatabaseError(f"Tabel {table!r} bestaat niet {where} (aanwezig: {shown}).", option="table")


def list_tables(source: str | psycopg.Connection, schema: str | None = None) -> list[str]:
    """``schema.table`` of every table and view the user can see (outside the system schemas), sorted.

    Parameters
    ----------
    source : str or psycopg.Connection
        A database source or an open connection.
    schema : str, optional
        Only this schema.
    """
    with _connection(source) as conn:
        rows = conn.execute(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%%' AND (%s::text IS NULL OR n.nspname = %s) "
            "AND has_table_privilege(c.oid, 'SELECT') ORDER BY 1", [schema, schema]).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class _Column:
    name: str
    type: str  # format_type, e.g. "integer", "geometry(MultiPolygon,28992)"
    base: str  # typname, e.g. "int4", "geometry"
    srid: int


def _columns(conn: psycopg.Connection, oid: int) -> list[_Column]:
    rows = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname, "
        "CASE WHEN t.typname IN ('geometry', 'geography') AND a.atttypmod > 0 "
        "     THEN postgis_typmod_srid(a.atttypmod) ELSE 0 END "
        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", [oid]).fetchall()
    return [_Column(r[0], r[1], r[2], int(r[3] or 0)) for r in rows]


def _primary_key(conn: psycopg.Connection, oid: int) -> list[str]:
    rows = conn.execute(
        "SELECT a.attname FROM pg_index i JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indrelid = %s AND i.indisprimary ORDER BY k.n", [oid]).fetchall()
    return [r[0] for r in rows]


_INTS = {"int2": "int16", "int4": "int32", "int8": "int64"}
_FLOATS = {"float4": "float32", "float8": "float64", "numeric": "float64"}
_KEEP = {"bool", "text", "varchar", "bpchar", "date", "timestamp", "timestamptz", *_INTS, *_FLOATS}
_GEOMETRY_NAMES = ("geom", "geometry", "the_geom", "wkb_geometry", "geometrie", "shape")


def _pick_geometry(columns: list[_Column], table: str) -> _Column | None:
    geoms = [c for c in columns if c.base in ("geometry", "geography")]
    if len(geoms) <= 1:
        return geoms[0] if geoms else None
    for wanted in _GEOMETRY_NAMES:
        for c in geoms:
            if c.name.lower() == wanted:
                return c
    raise DatabaseError(f"Tabel {table!r} heeft meerdere geometriekolommen ({', '.join(c.name for c in geoms)}); "
                        "maak een view met één ervan.")


def _crs_of(conn: psycopg.Connection, srid: int) -> CRS | None:
    if not srid:
        return None
    row = conn.execute("SELECT auth_name, auth_srid, srtext FROM spatial_ref_sys WHERE srid = %s", [srid]).fetchone()
    if row is None:
        raise DatabaseError(f"SRID {srid} staat niet in spatial_ref_sys van de database.")
    if row[0] and row[0].upper() == "EPSG" and row[1]:
        return CRS.from_epsg(int(row[1]))
    return CRS.from_wkt(row[2])


def _frame_from_rows(rows: list[tuple[Any, ...]], columns: list[_Column]) -> dict[str, pd.Series]:
    """Columns of fetched rows with dtypes from their PostgreSQL types (nullable where NULLs occur)."""
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    out: dict[str, pd.Series] = {}
    for col, vals in zip(columns, values, strict=True):
        obj = pd.Series(vals, dtype=object)
        has_null = bool(obj.isna().any())
        if col.base in _INTS:
            out[col.name] = obj.astype("Int64" if has_null else _INTS[col.base])
        elif col.base in _FLOATS:
            out[col.name] = obj.astype(_FLOATS[col.base])
        elif col.base == "bool":
            out[col.name] = obj.astype("boolean" if has_null else bool)
        elif col.base in ("date", "timestamp", "timestamptz"):
            out[col.name] = pd.to_datetime(obj, utc=col.base == "timestamptz")
        else:  # text: pandas' own string inference, as for any other reader
            out[col.name] = pd.Series(list(vals)) if len(vals) else obj
    return out


def _select(conn: psycopg.Connection, oid: int, schema: str, name: str, table: str
            ) -> tuple[pd.DataFrame, _Column | None, CRS | None]:
    """All rows of a table as a frame (geometry decoded, a single-column integer primary key left out as FID)."""
    from psycopg import sql

    columns = _columns(conn, oid)
    geom = _pick_geometry(columns, table)
    pk = _primary_key(conn, oid)
    fid = pk[0] if len(pk) == 1 and next(c.base for c in columns if c.name == pk[0]) in _INTS else None
    attrs = [c for c in columns if c.base not in ("geometry", "geography") and c.name != fid]
    parts: list[sql.Composable] = []
    for c in attrs:
        if c.base in ("numeric",):
            parts.append(sql.SQL("{}::float8").format(sql.Identifier(c.name)))
        elif c.base in _KEEP:
            parts.append(sql.Identifier(c.name))
        else:  # arrays, json, uuid, custom types: as text
            parts.append(sql.SQL("{}::text").format(sql.Identifier(c.name)))
    srid = geom.srid if geom else 0
    if geom is not None:
        gexpr = sql.Identifier(geom.name) if geom.base == "geometry" else \
            sql.SQL("{}::geometry").format(sql.Identifier(geom.name))
        if geom.base == "geography":
            srid = 4326
        elif not srid:
            found = conn.execute(sql.SQL("SELECT DISTINCT ST_SRID({g}) FROM {t} WHERE {g} IS NOT NULL LIMIT 3").format(
                g=gexpr, t=sql.Identifier(schema, name))).fetchall()
            srids = sorted({int(r[0]) for r in found})
            if len(srids) > 1:
                raise DatabaseError(f"Kolom {geom.name!r} van tabel {table!r} heeft geometrieën in meerdere "
                                    f"coördinatenstelsels (SRID {', '.join(map(str, srids))}); zet ze om met "
                                    "ST_Transform of maak een view per stelsel.")
            srid = srids[0] if srids else 0
        parts.append(sql.SQL("ST_AsBinary({})").format(gexpr))
    order = sql.SQL(" ORDER BY {}").format(sql.SQL(", ").join(map(sql.Identifier, pk))) if pk else sql.SQL("")
    query = sql.SQL("SELECT {} FROM {}{}").format(sql.SQL(", ").join(parts) if parts else sql.SQL("1"),
                                                  sql.Identifier(schema, name), order)
    rows = conn.execute(query).fetchall()
    if not parts:
        rows = [()] * len(rows)
    if geom is None:
        return pd.DataFrame(_frame_from_rows(rows, attrs), index=pd.RangeIndex(len(rows))), None, None
    attr_rows = [r[:-1] for r in rows]
    wkb = np.array([r[-1] for r in rows], dtype=object)
    data = _frame_from_rows(attr_rows, attrs)
    crs = _crs_of(conn, srid)
    geometry = gpd.GeoSeries(shapely.from_wkb(wkb), crs=crs)
    frame = gpd.GeoDataFrame(data, geometry=geometry, index=pd.RangeIndex(len(rows)))
    return frame, geom, crs


def read_frame(source: str | psycopg.Connection, table: str) -> pd.DataFrame | gpd.GeoDataFrame:
    """A table or view as stored, without mapping or validation (a GeoDataFrame when it has geometry).

    Rows come in primary-key order; a single-column integer primary key (``fid``) is the feature id and not a
    column, as GDAL treats it.

    Examples
    --------
    >>> read_frame("postgresql://piet:geheim@127.0.0.1:1/energie", "publiek.stations")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    energieplanologie.postgis.DatabaseError: Databaseserver niet bereikbaar (postgresql://piet:***@127.0.0.1:1/energie)...
    """
    label = source if isinstance(source, str) else "database"
    psycopg = _psycopg()
    with _connection(source) as conn:
        try:
            oid, schema, name = _resolve(conn, table)
            frame, _, _ = _select(conn, oid, schema, name, table)
        except psycopg.Error as exc:
            raise database_error(exc, label, f"Tabel {table!r} niet te lezen") from None
    return frame


def fetch_table(source: str, table: str | None) -> tuple[pd.DataFrame, _Column | None, str]:
    """One PostGIS table or view as read from the server: the frame, its geometry column (None without one) and
    the source's label (password masked). :func:`energieplanologie.io.read_layer` maps and validates it as it
    does a file.

    Parameters
    ----------
    source : str
        ``postgresql://user@host:port/db``, ``service=naam`` or a key/value connection string.
    table : str
        ``schema.tabel`` (or ``tabel`` on the search path).

    Raises
    ------
    DatabaseError
        The server cannot be reached, the login fails, or the table does not exist or cannot be read.
    ConfigError
        No table given.

    Examples
    --------
    >>> fetch_table("service=provincie", None)
    Traceback (most recent call last):
    ...
    energieplanologie._errors.ConfigError: table: geef de tabel van service=provincie op als schema.tabel (in de configuratie: table = "schema.tabel").
    """
    if not table:
        raise ConfigError(f"table: geef de tabel van {source_label(source)} op als schema.tabel "
                          "(in de configuratie: table = \"schema.tabel\").", key="table")
    label = source_label(source, table)
    psycopg = _psycopg()
    with _connection(source) as conn:
        try:
            oid, schema, name = _resolve(conn, table)
            frame, geom, _ = _select(conn, oid, schema, name, table)
        except psycopg.errors.InsufficientPrivilege:
            raise DatabaseError(f"Geen leesrechten op tabel {table!r} ({_where(source)}); vraag de beheerder om "
                                "SELECT-rechten.") from None
        except psycopg.Error as exc:
            raise database_error(exc, source, f"Tabel {table!r} niet te lezen") from None
    return frame, geom, label


def table_checksum(source: str | psycopg.Connection, table: str) -> tuple[str, int]:
    """sha256 of a canonical dump of a table, and its row count.

    The dump is the column list (``name:type``) followed by every row's text form sorted bytewise (collation
    ``C``), so it does not depend on the physical row order; geometries take part as hex EWKB.

    Examples
    --------
    >>> table_checksum("postgresql://piet:geheim@127.0.0.1:1/energie", "ruimte.natura2000")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    energieplanologie.postgis.DatabaseError: Databaseserver niet bereikbaar (postgresql://piet:***@127.0.0.1:1/energie)...
    """
    from psycopg import sql

    label = source if isinstance(source, str) else "database"
    psycopg = _psycopg()
    with _connection(source) as conn:
        try:
            oid, schema, name = _resolve(conn, table)
            header = ",".join(f"{c.name}:{c.type}" for c in _columns(conn, oid)) + "\n"
            summary = conn.execute(sql.SQL(
                "SELECT encode(sha256(convert_to({h} || coalesce(string_agg(r::text, E'\\n' "
                "ORDER BY r::text COLLATE \"C\"), ''), 'UTF8')), 'hex'), count(*) FROM {t} AS r").format(
                h=sql.Literal(header), t=sql.Identifier(schema, name))).fetchone()
        except psycopg.Error as exc:
            raise database_error(exc, label, f"Controlesom van tabel {table!r} niet te bepalen") from None
    assert summary is not None  # an aggregate returns one row
    digest, count = summary
    return str(digest), int(count)


# ----------------------------------------------------------------------------------------------- writing

_NULL = "__ep_null_7f3a__"
#: A schema or table name written without quotes (lower case, digits, underscore), as every table here is.
SQL_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _pg_scalar_type(series: pd.Series) -> str:
    """The PostgreSQL type of a (non-geometry) column."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        size = np.dtype(dtype.numpy_dtype if hasattr(dtype, "numpy_dtype") else dtype).itemsize
        return {1: "smallint", 2: "smallint", 4: "integer"}.get(size, "bigint")
    if pd.api.types.is_float_dtype(dtype):
        size = np.dtype(dtype.numpy_dtype if hasattr(dtype, "numpy_dtype") else dtype).itemsize
        return "real" if size == 4 else "double precision"
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "timestamptz"
    if pd.api.types.is_datetime64_dtype(dtype):
        return "timestamp"
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return "text"
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in ("string", "empty"):
        return "text"
    if kind == "boolean":
        return "boolean"
    if kind == "integer":
        return "bigint"
    if kind in ("floating", "mixed-integer-float", "decimal"):
        return "double precision"
    if kind == "date":
        return "date"
    if kind in ("datetime", "datetime64"):
        return "timestamp"
    if series.map(lambda v: isinstance(v, (list, tuple, dict, set))).any():
        return "jsonb"
    return "text"


def _to_copy_column(series: pd.Series, pg_type: str) -> pd.Series:
    """A column as COPY-CSV-ready values (None for NULL)."""
    if pg_type == "jsonb":
        return series.map(lambda v: None if _isnull(v) else json.dumps(
            sorted(v) if isinstance(v, set) else v, ensure_ascii=False, default=str))
    if pg_type in ("smallint", "integer", "bigint") and series.dtype == object:
        return pd.Series(pd.array(series.tolist(), dtype="Int64"), index=series.index)
    if pg_type in ("double precision", "real") and series.dtype == object:
        return pd.to_numeric(series, errors="coerce").astype(float)
    if pg_type == "text" and series.dtype == object and \
            pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
        return series.astype(str).where(series.notna(), None)
    return series


def _isnull(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and np.isnan(value)


def _geometry_type(geoms: np.ndarray) -> str:
    """``geometry(<type>, srid)`` type name: one type as is, singles with their multi as multi, else Geometry."""
    present = geoms[~pd.isna(geoms)]
    if len(present) == 0:
        return "Geometry"
    types = set(shapely.get_type_id(present).tolist())
    names = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon"}
    if len(types) == 1 and next(iter(types)) in names:
        out = names[next(iter(types))]
    elif types in ({0, 4}, {1, 5}, {3, 6}):
        out = names[max(types)]
    else:
        out = "Geometry"
    return out + ("Z" if bool(shapely.has_z(present).any()) and out != "Geometry" else "")


def _srid(crs: Any) -> int:
    if crs is None:
        return 0
    epsg = CRS.from_user_input(crs).to_epsg()
    if epsg is None:
        raise ValueError(f"Coördinatenstelsel zonder EPSG-code kan niet naar PostGIS: {crs}")
    return int(epsg)


def _column_comment(name: str) -> str:
    """A Dutch description of a published column (Dutch header)."""
    if name in _COLUMN_DESCRIPTIONS:
        text = _COLUMN_DESCRIPTIONS[name]
    else:
        text = name.replace("_", " ").capitalize() + "."
    canonical = {v: k for k, v in COLUMN_LABELS.items() if v}.get(name)
    units = [("_mw", "in MW"), ("_meur", "in miljoen euro"), ("_m", "in meter"), ("_km2", "in km²")]
    for suffix, unit in units:
        if name.endswith(suffix) and unit not in text:
            text = text.rstrip(".") + f", {unit}."
            break
    if canonical and canonical != name:
        text += f" Canonieke naam: {canonical}."
    values = VALUE_LABELS.get(canonical or name)
    if values:
        text += " Waarden: " + ", ".join(f"{k} = {v}" for k, v in values.items()) + "."
    return text


def _table_comment(name: str, provenance_line: str) -> str:
    base = TABLE_DESCRIPTIONS.get(name, f"Resultaatlaag {name} van energieplanologie.")
    return f"{base} {provenance_line}"


def _create_table(conn: psycopg.Connection, schema: str, tmp_name: str, frame: pd.DataFrame, *, final_name: str,
                  comment: str, keys: tuple[tuple[str, ...], ...] = ()) -> dict[str, Any]:
    """Create and fill one table under a temporary name; return what was made, for renaming after the swap."""
    from psycopg import sql

    is_geo = isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns
    gname = frame.geometry.name if is_geo else None
    attrs = [c for c in frame.columns if c != gname]
    bad = [str(c) for c in attrs if not isinstance(c, str) or len(c.encode()) > 63]
    if bad:
        raise ValueError(f"tabel {final_name!r}: kolomnaam {bad[0]!r} past niet in PostgreSQL (max. 63 bytes).")
    if FID_COLUMN in attrs or GEOMETRY_COLUMN in attrs:
        raise ValueError(f"tabel {final_name!r}: kolomnamen {FID_COLUMN!r} en {GEOMETRY_COLUMN!r} zijn gereserveerd.")
    if len(set(attrs)) != len(attrs):
        raise ValueError(f"tabel {final_name!r}: dubbele kolomnamen.")
    types = {c: _pg_scalar_type(frame[c]) for c in attrs}
    defs = [sql.SQL("{} bigint NOT NULL").format(sql.Identifier(FID_COLUMN))]
    defs += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(types[c])) for c in attrs]
    srid = 0
    gtype = None
    if is_geo:
        srid = _srid(frame.crs)
        gtype = _geometry_type(frame.geometry.to_numpy())
        defs.append(sql.SQL("{} geometry(Geometry, {})").format(sql.Identifier(GEOMETRY_COLUMN), sql.Literal(srid)))
    ident = sql.Identifier(schema, tmp_name)
    conn.execute(sql.SQL("CREATE TABLE {} ({})").format(ident, sql.SQL(", ").join(defs)))

    data = pd.DataFrame({FID_COLUMN: np.arange(1, len(frame) + 1, dtype="int64")}, index=frame.index)
    for c in attrs:
        data[c] = _to_copy_column(frame[c], types[c])
    cols = [FID_COLUMN, *attrs]
    if is_geo:
        geoms = shapely.set_srid(frame.geometry.to_numpy(), srid)
        data[GEOMETRY_COLUMN] = shapely.to_wkb(geoms, hex=True, include_srid=True)
        cols.append(GEOMETRY_COLUMN)
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, NULL {})").format(
        ident, sql.SQL(", ").join(map(sql.Identifier, cols)), sql.Literal(_NULL))
    with conn.cursor() as cur, cur.copy(copy_sql) as copy:
        chunk = 50_000
        for start in range(0, len(data), chunk):
            buffer = _stdio.StringIO()
            data.iloc[start:start + chunk].to_csv(buffer, header=False, index=False, na_rep=_NULL,
                                                  lineterminator="\n")
            copy.write(buffer.getvalue().encode("utf-8"))

    # Constraint and index names are temporary too (the previous publication's still exist); renamed in the swap.
    made: dict[str, Any] = {"tmp": tmp_name, "rows": len(frame), "geometry_type": gtype, "key": None,
                            "renames": []}
    conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ({})").format(
        ident, sql.Identifier(f"{tmp_name}_pk"), sql.Identifier(FID_COLUMN)))
    made["renames"].append(("constraint", f"{tmp_name}_pk", f"{final_name}_pkey"[:63]))
    for key in keys:
        if all(k in attrs for k in key) and not frame[list(key)].isna().any().any() \
                and not frame.duplicated(subset=list(key)).any():
            conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})").format(
                ident, sql.Identifier(f"{tmp_name}_uk"), sql.SQL(", ").join(map(sql.Identifier, key))))
            made["renames"].append(("constraint", f"{tmp_name}_uk", f"{final_name}_{'_'.join(key)}_key"[:63]))
            made["key"] = key
            break
    if is_geo:
        assert gtype is not None  # set above for every frame with geometry
        if gtype != "Geometry":
            multi = gtype.startswith("Multi")
            using = sql.SQL("ST_Multi({})" if multi else "{}").format(sql.Identifier(GEOMETRY_COLUMN))
            conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE geometry({}, {}) USING {}").format(
                ident, sql.Identifier(GEOMETRY_COLUMN), sql.SQL(gtype), sql.Literal(srid), using))
        conn.execute(sql.SQL("CREATE INDEX {} ON {} USING gist ({})").format(
            sql.Identifier(f"{tmp_name}_gist"), ident, sql.Identifier(GEOMETRY_COLUMN)))
        made["renames"].append(("index", f"{tmp_name}_gist", f"{final_name}_geom_idx"[:63]))
    conn.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(ident, sql.Literal(comment)))
    comments = {FID_COLUMN: "Volgnummer van de rij (primaire sleutel)."}
    comments.update({c: _column_comment(c) for c in attrs})
    if is_geo:
        comments[GEOMETRY_COLUMN] = f"Geometrie ({gtype}) in EPSG:{srid}" + (" (RD New)." if srid == 28992 else ".")
    for c, text in comments.items():
        conn.execute(sql.SQL("COMMENT ON COLUMN {} IS {}").format(sql.Identifier(schema, tmp_name, c),
                                                                  sql.Literal(text)))
    return made


# ----------------------------------------------------------------------------------------------- publishing


@dataclass(frozen=True)
class Publication:
    """What :func:`publish_to_postgis` wrote.

    Attributes
    ----------
    id : str
        Publication id (``20250611T093000Z-1a2b3c4d``), also in every table's comment and in ``herkomst``.
    schema : str
        Target schema.
    tables : dict of str to int
        Table → number of rows (without ``herkomst``).
    round : str or None
        Programming round.
    provenance : dict
        Provenance of the inputs (see :func:`energieplanologie.provenance.provenance`).
    """

    id: str
    schema: str
    tables: dict[str, int]
    round: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)


def new_publication_id() -> str:
    """A new publication id: the UTC time and 8 random hex digits (``20260630T120000Z-1a2b3c4d``).

    Examples
    --------
    >>> len(new_publication_id())
    25
    """
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def _gpkg_tables(path: Path) -> dict[str, pd.DataFrame]:
    import pyogrio

    if not path.is_file():
        raise ReadError(f"{path}: GeoPackage niet gevonden.")
    out: dict[str, pd.DataFrame] = {}
    for name, gtype in pyogrio.list_layers(path):
        frame = pyogrio.read_dataframe(path, layer=str(name))
        if gtype is None and isinstance(frame, gpd.GeoDataFrame):
            frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        out[str(name)] = frame
    return out


def collect_tables(region: Region | None, results: Mapping[str, pd.DataFrame] | str | os.PathLike[str] | None
                    ) -> dict[str, pd.DataFrame]:
    """Table name → frame with Dutch headers: the region layers, then the results (results win on a name).

    ``results``: a mapping of table name to frame, or the path of an output GeoPackage (every layer).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> sorted(collect_tables(ep.load_sample(), None))[:4]
    ['beperkingen', 'gemeenten', 'infrastructuur', 'ontwikkelingen']
    """
    tables: dict[str, pd.DataFrame] = {}
    if region is not None:
        for kind in ("municipalities", "stations", "station_capacity", "infrastructure", "developments",
                     "constraints"):
            frame = region.layer(kind)
            if kind == "constraints" and len(frame) == 0:
                continue
            tables[LAYER_NAMES[kind]] = dutch_headers(frame)
    if results is None:
        pass
    elif isinstance(results, (str, os.PathLike)):
        tables.update(_gpkg_tables(Path(results)))
    else:
        for name, frame in results.items():
            if not isinstance(frame, pd.DataFrame):
                raise TypeError(f"resultaat {name!r}: verwacht een (Geo)DataFrame, kreeg {type(frame).__name__}.")
            tables[LAYER_NAMES.get(name, name)] = dutch_headers(frame)
    if not tables:
        raise ValueError("publish_to_postgis: niets te publiceren (geen regio en geen resultaten).")
    for name in tables:
        if not SQL_NAME.match(name) or len(name) > 50:
            raise ValueError(f"tabelnaam {name!r}: gebruik kleine letters, cijfers en _ (max. 50 tekens).")
    if PROVENANCE_TABLE in tables:
        raise ValueError(f"tabelnaam {PROVENANCE_TABLE!r} is gereserveerd voor de herkomst.")
    return tables


def _provenance_line(pub_id: str, prov: Mapping[str, Any]) -> str:
    parts = [f"Publicatie {pub_id}"]
    if prov.get("round"):
        parts.append(f"ronde {prov['round']}")
    parts.append(f"energieplanologie {prov.get('version', __version__)}")
    snaps = prov.get("snapshot_ids") or []
    if snaps:
        parts.append("invoer " + ", ".join(snaps))
    return "(" + "; ".join(parts) + ".)"


def _previous_tables(conn: psycopg.Connection, schema: str) -> list[str]:
    """Tables of the previous publication in ``schema`` (from its ``herkomst``), which this one replaces."""
    from psycopg import sql

    regclass = sql.Identifier(schema, PROVENANCE_TABLE).as_string(conn)
    found = conn.execute("SELECT to_regclass(%s)::oid", [regclass]).fetchone()
    oid = found[0] if found is not None else None  # a SELECT without FROM returns one row
    if oid is None:
        return []
    frozen = conn.execute("SELECT 1 FROM pg_trigger WHERE tgrelid = %s AND tgname = 'ep_bevroren'", [oid]).fetchone()
    if frozen:
        raise DatabaseError(f"Schema {schema!r} hoort bij een bevroren ronde en kan niet worden overschreven; "
                            "publiceer naar een ander schema.")
    rows = conn.execute(sql.SQL("SELECT tabel FROM {}").format(sql.Identifier(schema, PROVENANCE_TABLE))).fetchall()
    return sorted({r[0] for r in rows} | {PROVENANCE_TABLE})


def _acl(conn: psycopg.Connection, schema: str, name: str) -> list[tuple[str, str]]:
    """(grantee, privilege) of a table, without the owner's own rights; grantee ``PUBLIC`` for everyone."""
    rows = conn.execute(
        "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a "
        "WHERE n.nspname = %s AND c.relname = %s AND a.grantee <> c.relowner ORDER BY 1, 2", [schema, name]).fetchall()
    return [(r[0], r[1]) for r in rows]


def _grant(conn: psycopg.Connection, schema: str, name: str, acl: list[tuple[str, str]]) -> None:
    from psycopg import sql

    for grantee, privilege in acl:
        who = sql.SQL("PUBLIC") if grantee == "PUBLIC" else sql.Identifier(grantee)
        conn.execute(sql.SQL("GRANT {} ON TABLE {} TO {}").format(sql.SQL(privilege), sql.Identifier(schema, name),
                                                                  who))


def publish_tables_in(conn: psycopg.Connection, tables: Mapping[str, pd.DataFrame], schema: str, prov: Mapping[str, Any],
                pub_id: str, *, lock_timeout_s: float = 600.0) -> dict[str, dict[str, Any]]:
    """The body of a publication on an open transaction (no commit): build, then swap under the schema's lock.

    :func:`publish_to_postgis` and the PostGIS round store (:mod:`energieplanologie.rounds`) call it inside their
    own transaction; ``tables`` as :func:`collect_tables` returns them, ``pub_id`` from :func:`new_publication_id`.
    """
    from psycopg import errors, sql

    line = _provenance_line(pub_id, prov)
    tmp = f"_ep{pub_id[-8:]}_"
    conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{int(lock_timeout_s * 1000)}ms")))
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"energieplanologie:publiceren:{schema}"])
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    previous = _previous_tables(conn, schema)
    existing = {r[0] for r in conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'm', 'f', 'p')", [schema]).fetchall()}
    clash = sorted(((set(tables) | {PROVENANCE_TABLE}) & existing) - set(previous))
    if clash:
        raise DatabaseError(f"Tabel {schema}.{clash[0]} bestaat al en is niet door energieplanologie gepubliceerd; "
                            "kies een ander schema of verwijder die tabel zelf.")
    made: dict[str, dict[str, Any]] = {}
    for i, (name, frame) in enumerate(tables.items()):
        made[name] = _create_table(conn, schema, f"{tmp}{i}", frame, final_name=name,
                                   comment=_table_comment(name, line), keys=NATURAL_KEYS.get(name, ()))
    herkomst = pd.DataFrame({
        "tabel": list(tables),
        "publicatie_id": pub_id,
        "ronde": prov.get("round"),
        "regio": prov.get("region"),
        "rijen": pd.array([made[n]["rows"] for n in tables], dtype="int64"),
        "softwareversie": prov.get("version", __version__),
        "invoer": [list(prov.get("inputs", []))] * len(tables),
    })
    made[PROVENANCE_TABLE] = _create_table(conn, schema, f"{tmp}h", herkomst, final_name=PROVENANCE_TABLE,
                                           comment=_table_comment(PROVENANCE_TABLE, line),
                                           keys=NATURAL_KEYS[PROVENANCE_TABLE])
    h_ident = sql.Identifier(schema, f"{tmp}h")
    conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN gepubliceerd_op timestamptz NOT NULL DEFAULT now()").format(h_ident))
    conn.execute(sql.SQL("COMMENT ON COLUMN {} IS {}").format(sql.Identifier(schema, f"{tmp}h", "gepubliceerd_op"),
                                                              sql.Literal(_COLUMN_DESCRIPTIONS["gepubliceerd_op"])))

    # The swap: drop the previous publication's tables, rename the new ones into place, copy the grants.
    fallback = _acl(conn, schema, PROVENANCE_TABLE) if PROVENANCE_TABLE in existing else []
    acls: dict[str, list[tuple[str, str]]] = {}
    for name in previous:
        if name not in existing:
            continue
        acls[name] = _acl(conn, schema, name)
        try:
            conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(schema, name)))
        except errors.DependentObjectsStillExist as exc:
            detail = (exc.diag.message_detail or "").replace("\n", "; ")
            raise DatabaseError(f"Kan {schema}.{name} niet vervangen: andere objecten hangen ervan af ({detail}). "
                                "Verwijder of wijzig die eerst; er is niets veranderd.") from None
    for name, info in made.items():
        conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(sql.Identifier(schema, info["tmp"]),
                                                                  sql.Identifier(name)))
        for what, old, new in info["renames"]:
            if what == "constraint":
                conn.execute(sql.SQL("ALTER TABLE {} RENAME CONSTRAINT {} TO {}").format(
                    sql.Identifier(schema, name), sql.Identifier(old), sql.Identifier(new)))
            else:
                conn.execute(sql.SQL("ALTER INDEX {} RENAME TO {}").format(sql.Identifier(schema, old),
                                                                          sql.Identifier(new)))
        _grant(conn, schema, name, acls.get(name, fallback))
    conn.execute(sql.SQL("COMMENT ON SCHEMA {} IS {}").format(sql.Identifier(schema), sql.Literal(
        f"Gepubliceerd door energieplanologie: regio {prov.get('region') or '?'} {line}")))
    return made


def publish_to_postgis(
    region: Region | None,
    results: Mapping[str, pd.DataFrame] | str | os.PathLike[str] | None,
    url: str,
    schema: str,
    *,
    round: str | int | None = None,
    provenance: Mapping[str, Any] | None = None,
    lock_timeout_s: float = 600.0,
) -> Publication:
    """Publish the region layers and every result layer into one schema, in one transaction.

    Parameters
    ----------
    region : Region or None
        Its layers become ``gemeenten``, ``stations``, ``stationscapaciteit``, ``infrastructuur``,
        ``ontwikkelingen`` and (when not empty) ``beperkingen``.
    results : mapping of str to DataFrame, path of a GeoPackage, or None
        Result layers: names as in :data:`energieplanologie.labels.LAYER_NAMES` (``balance`` →
        ``stationsbalans``) or any lower-case name; or the ``energieplanologie.gpkg`` of a run, all of whose
        layers are published as they are. A result replaces a region layer of the same name.
    url : str
        Database source (URL, ``service=naam`` …); the user needs CREATE on the schema (or on the database when
        the schema does not exist yet).
    schema : str
        Target schema, created when missing. Tables of the previous publication there are replaced; other tables
        in it are left alone (a name clash with one of them is an error).
    round : str or int, optional
        Programming round, recorded in ``herkomst`` and the comments.
    provenance : mapping, optional
        Default :func:`energieplanologie.provenance.provenance` of ``region`` (or the GeoPackage's own provenance).
    lock_timeout_s : float, default 600
        How long to wait for another publication to the same schema, or for readers holding a table.

    Returns
    -------
    Publication

    Raises
    ------
    DatabaseError
        Connection, rights, a clash with a table that is not ours, or a dependent view blocking the swap; the
        transaction is rolled back and the previous publication stays as it was.

    Notes
    -----
    Every table gets ``fid bigint`` as primary key (what QGIS wants), a UNIQUE constraint on its natural key when
    the data has one (``stations``: ``station_id``), a GiST index on ``geom`` (typed ``geometry(<type>, 28992)``
    when the layer has one geometry type), and Dutch ``COMMENT``s on the table and its columns. The new tables
    are built under temporary names while an advisory lock per schema keeps other publications out; at the end
    the previous tables are dropped, the new ones renamed into place and their grants copied, then one COMMIT.
    Uncommitted tables are invisible to other sessions, so readers see the old publication until that COMMIT and
    the new one after it.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> publish_to_postgis(ep.load_sample(), None, "postgresql://piet:geheim@127.0.0.1:1/energie", "energie")
    Traceback (most recent call last):
    ...
    energieplanologie.postgis.DatabaseError: Databaseserver niet bereikbaar (postgresql://piet:***@127.0.0.1:1/energie): verbinding geweigerd. Draait de server en kloppen host en poort?
    """
    if not isinstance(schema, str) or not SQL_NAME.match(schema) or len(schema) > 63:
        raise ConfigError(f"schema: {schema!r} is geen geldige schemanaam (kleine letters, cijfers, _).", key="schema")
    round_s = None if round is None else str(round)
    tables = collect_tables(region, results)
    if provenance is None:
        if region is not None:
            provenance = _provenance(region, round=round_s)
        elif isinstance(results, (str, os.PathLike)):
            provenance = read_gpkg_provenance(results) or {}
        else:
            provenance = {}
    prov = dict(provenance)
    prov.setdefault("version", __version__)
    if round_s is not None:
        prov["round"] = round_s
    pub_id = new_publication_id()
    psycopg = _psycopg()
    conn = connect(url)
    try:
        try:
            publish_tables_in(conn, tables, schema, prov, pub_id, lock_timeout_s=lock_timeout_s)
        except psycopg.errors.LockNotAvailable:
            _rollback(conn)
            raise DatabaseError(f"Publiceren naar schema {schema!r} wacht te lang op een andere publicatie of een "
                                f"lezer (langer dan {lock_timeout_s:.0f} s); er is niets veranderd.") from None
        except psycopg.errors.InsufficientPrivilege as exc:
            _rollback(conn)
            raise DatabaseError(f"Geen rechten om in schema {schema!r} te publiceren ({_where(url)}): "
                                f"{_scrub(str(exc).splitlines()[0], url)}. Nodig: CREATE op het schema (of op de "
                                "database als het schema nog niet bestaat).") from None
        except psycopg.Error as exc:
            if _rollback(conn):
                raise database_error(exc, url, f"Publiceren naar schema {schema!r} mislukt; er is niets veranderd") from None
            # The connection is gone: the server rolls an unfinished transaction back by itself.
            raise DatabaseError(f"De verbinding met de databaseserver ({_where(url)}) is weggevallen tijdens het "
                                f"publiceren naar schema {schema!r}; er is niets veranderd (de server maakt een "
                                "onvoltooide transactie zelf ongedaan). Probeer het opnieuw.") from None
        except BaseException:
            _rollback(conn)
            raise
        try:
            conn.commit()
        except psycopg.Error as exc:
            _rollback(conn)
            raise DatabaseError(f"Het vastleggen van de publicatie in schema {schema!r} ({_where(url)}) is mislukt "
                                f"({_scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, url)}); "
                                f"of publicatie {pub_id} is vastgelegd is onzeker: kijk in {schema}.{PROVENANCE_TABLE} "
                                "en publiceer zo nodig opnieuw.") from None
    finally:
        try:
            conn.close()
        except psycopg.Error:  # pragma: no cover - closing a dead connection
            pass
    return Publication(pub_id, schema, {n: len(f) for n, f in tables.items()}, round_s, prov)
