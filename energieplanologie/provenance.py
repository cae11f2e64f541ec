"""Provenance: where a run's results come from, and how it travels with them.

:func:`provenance` describes a run (software version, round, the snapshot id and checksum of every input layer);
:func:`add_gpkg_provenance` writes it into a GeoPackage's ``gpkg_metadata`` — per layer as GDAL layer metadata
(``ronde``, ``invoer_snapshots``, ``energieplanologie_versie``) and for the whole file as one JSON record — and
:func:`read_gpkg_provenance` reads it back. The checksums (:func:`frame_checksum`, :func:`file_checksum`) and the
description of one input layer (:class:`InputSnapshot`) live here too, below both the programming rounds
(:mod:`energieplanologie.rounds`, which freeze them) and the database publication
(:mod:`energieplanologie.postgis`, which writes them into its ``herkomst`` table).
"""

from __future__ import annotations

import functools
import hashlib
import io as _stdio
import json
import os
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from energieplanologie import csv_text
from energieplanologie._secrets import is_connection_string, without_password
from energieplanologie._version import __version__
from energieplanologie.region import LAYER_ORDER, Region

__all__ = [
    "LAYER_METADATA_KEYS",
    "PROVENANCE_URI",
    "InputSnapshot",
    "add_gpkg_provenance",
    "display_path",
    "file_checksum",
    "frame_checksum",
    "provenance",
    "read_gpkg_provenance",
    "region_snapshots",
    "snapshot_id",
]

#: ``md_standard_uri`` of the JSON provenance record in a GeoPackage.
PROVENANCE_URI = "https://energieplanologie.nl/herkomst/1"


# ----------------------------------------------------------------------------------------------- checksums


def frame_checksum(frame: pd.DataFrame) -> str:
    """sha256 of a canonical text dump of a (Geo)DataFrame: column names, then every row as CSV.

    Geometries take part as hex WKB (and the CRS as its EPSG code or WKT), numbers in their shortest exact
    form, so the same validated data gives the same checksum in any process.

    Examples
    --------
    >>> a = pd.DataFrame({"station_id": ["S1", "S2"], "year": [2030, 2035]})
    >>> frame_checksum(a) == frame_checksum(a.copy()), frame_checksum(a) == frame_checksum(a.iloc[::-1])
    (True, False)
    """
    h = hashlib.sha256()
    out = pd.DataFrame(frame).copy()
    gname = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) and \
        frame._geometry_column_name in frame.columns else None
    if gname is not None:
        crs = frame.crs
        epsg = crs.to_epsg() if crs is not None else None
        h.update(f"crs:{epsg if epsg else (crs.to_wkt() if crs is not None else '')}\n".encode())
        out[gname] = shapely.to_wkb(frame.geometry.to_numpy(), hex=True)
    h.update(("\x1f".join(map(str, out.columns)) + "\n").encode())
    if csv_text.supported(out):  # the same text as to_csv below, several times faster
        for piece in csv_text.csv_chunks(out, header=False, lineterminator="\n", na_rep="\\N"):
            h.update(piece.encode("utf-8"))
        return h.hexdigest()
    buffer = _stdio.StringIO()
    out.to_csv(buffer, header=False, index=False, lineterminator="\n", na_rep="\\N")
    h.update(buffer.getvalue().encode("utf-8"))
    return h.hexdigest()


def file_checksum(path: str | os.PathLike[str]) -> str:
    """sha256 of a file's bytes; for a Shapefile of the ``.shp`` and its sidecars (``.dbf``, ``.shx`` …).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes(b"abc")
    >>> file_checksum(p)
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    p = Path(path)
    parts = [p]
    if p.suffix.lower() == ".shp":
        parts += sorted(q for q in p.parent.glob(p.stem + ".*") if q != p and q.suffix.lower() in
                        (".dbf", ".shx", ".prj", ".cpg"))
    h = hashlib.sha256()
    for i, q in enumerate(parts):
        if i:  # sidecars: name and content, so a lone .shp hashes like any other file
            h.update(f"\n--{q.suffix.lower()}--\n".encode())
        with q.open("rb") as fh:
            for block in iter(functools.partial(fh.read, 1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def snapshot_id(kind: str, data_sha256: str) -> str:
    """``<kind>-<first 12 hex of the data checksum>``: the same validated data gives the same id.

    Examples
    --------
    >>> snapshot_id("stations", "ab" * 32)
    'stations-abababababab'
    """
    return f"{kind}-{data_sha256[:12]}"


# ----------------------------------------------------------------------------------------------- snapshots


@dataclass(frozen=True)
class InputSnapshot:
    """One input layer of a round.

    Attributes
    ----------
    layer : str
        Layer kind (``developments`` …).
    snapshot_id : str
        ``<layer>-<first 12 hex of data_sha256>``: the same validated data gives the same id.
    source : str
        File (relative to the configuration when inside its folder) or database source without its password.
    table : str or None
        ``schema.tabel`` for a database source.
    source_sha256 : str or None
        sha256 of the file (or of a canonical dump of the table) as delivered.
    data_sha256 : str
        sha256 of the validated layer (:func:`frame_checksum`).
    rows : int
        Rows in the validated layer.
    owner : str or None
        Who delivered it (data owner).
    delivered_at : str or None
        Modification time of the file (UTC, ISO 8601); None for a table.
    """

    layer: str
    snapshot_id: str
    source: str
    data_sha256: str
    rows: int
    table: str | None = None
    source_sha256: str | None = None
    owner: str | None = None
    delivered_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InputSnapshot:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def display_path(path: Path, base: Path | None) -> str:
    """``path`` relative to ``base`` when it lies inside it (with ``/``), else as given.

    Examples
    --------
    >>> display_path(Path("/data/project/lagen/a.gpkg"), Path("/data/project")), display_path(Path("/x/b.csv"), None)
    ('lagen/a.gpkg', '/x/b.csv')
    """
    if base is not None:
        try:
            return Path(os.path.relpath(path, base)).as_posix() if path.resolve().is_relative_to(base.resolve()) \
                else str(path)
        except ValueError:
            return str(path)
    return str(path)


def region_snapshots(region: Region, *, owners: Mapping[str, str] | None = None,
                     base_dir: Path | None = None) -> list[InputSnapshot]:
    """Each layer of a region as an :class:`InputSnapshot` of its validated data (its source as the reader noted
    it, without a password; an empty optional layer of a region built in code is left out).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> [(s.layer, s.rows) for s in region_snapshots(ep.load_sample())][:2]
    [('municipalities', 3), ('stations', 16)]
    """
    owners = dict(owners or {})
    out: list[InputSnapshot] = []
    for kind in LAYER_ORDER:
        frame = region.layer(kind)
        if kind not in region.reports and len(frame) == 0:
            continue
        data_sha = frame_checksum(frame)
        raw = region.reports[kind].source or "" if kind in region.reports else ""
        source = without_password(raw) if is_connection_string(raw) else \
            (display_path(Path(raw), base_dir) if raw else "")
        out.append(InputSnapshot(layer=kind, snapshot_id=snapshot_id(kind, data_sha), source=source,
                                 data_sha256=data_sha, rows=len(frame), owner=owners.get(kind)))
    return out


def provenance(region: Region, round: str | int | None = None, *,
               inputs: Iterable[InputSnapshot] | None = None, base_dir: Path | None = None) -> dict[str, Any]:
    """Where a run's results come from: software version, round, region, and every input layer's snapshot.

    Deterministic: no clock time, so the same inputs give the same provenance.

    Parameters
    ----------
    region : Region
        The region the results were computed from.
    round : str or int, optional
        Programming round.
    inputs : iterable of InputSnapshot, optional
        Snapshots from :func:`energieplanologie.rounds.snapshot_inputs` (with source checksums and owners);
        default the region's validated layers (:func:`region_snapshots`).
    base_dir : path, optional
        The project folder: sources inside it are shown relative to it (with the default ``inputs``).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> prov = provenance(ep.load_sample(), round=2025)
    >>> prov["round"], prov["software"], prov["snapshot_ids"][0][:15]
    ('2025', 'energieplanologie', 'municipalities-')
    """
    if inputs is None:
        snaps = region_snapshots(region, base_dir=base_dir)
    else:
        snaps = list(inputs)
    return {
        "software": "energieplanologie",
        "version": __version__,
        "round": None if round is None else str(round),
        "region": region.name,
        "snapshot_ids": [s.snapshot_id for s in snaps],
        "inputs": [{k: v for k, v in s.to_dict().items() if v is not None} for s in snaps],
    }


# ----------------------------------------------------------------------------------------------- GeoPackage provenance

_GPKG_METADATA = ("CREATE TABLE IF NOT EXISTS gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,"
                  "md_scope TEXT NOT NULL DEFAULT 'dataset',md_standard_uri TEXT NOT NULL,"
                  "mime_type TEXT NOT NULL DEFAULT 'text/xml',metadata TEXT NOT NULL DEFAULT '')")
_GPKG_METADATA_REFERENCE = (
    "CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (reference_scope TEXT NOT NULL,table_name TEXT,"
    "column_name TEXT,row_id_value INTEGER,timestamp DATETIME NOT NULL DEFAULT "
    "(strftime('%Y-%m-%dT%H:%M:%fZ','now')),md_file_id INTEGER NOT NULL,md_parent_id INTEGER,"
    "CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),"
    "CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id))")
_GPKG_EXTENSIONS = ("CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT,column_name TEXT,"
                    "extension_name TEXT NOT NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,"
                    "CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))")
_METADATA_EXTENSION = "http://www.geopackage.org/spec120/#extension_metadata"
#: Layer metadata keys written by :func:`add_gpkg_provenance` (GDAL's default metadata domain).
LAYER_METADATA_KEYS = ("ronde", "regio", "invoer_snapshots", "energieplanologie_versie")


def _layer_items(prov: Mapping[str, Any]) -> dict[str, str]:
    items = {
        "ronde": "" if prov.get("round") is None else str(prov["round"]),
        "regio": str(prov.get("region") or ""),
        "invoer_snapshots": ",".join(prov.get("snapshot_ids") or []),
        "energieplanologie_versie": str(prov.get("version") or __version__),
    }
    return {k: v for k, v in items.items() if v}


def _gdal_xml(items: Mapping[str, str], existing: str | None = None) -> str:
    """GDAL's metadata XML with ``items`` set in the default domain (other keys and domains kept)."""
    root = ET.fromstring(existing) if existing else ET.Element("GDALMultiDomainMetadata")
    default = next((m for m in root.findall("Metadata") if not m.get("domain")), None)
    if default is None:
        default = ET.SubElement(root, "Metadata")
    for mdi in list(default.findall("MDI")):
        if mdi.get("key") in LAYER_METADATA_KEYS:
            default.remove(mdi)
    for key, value in items.items():
        mdi = ET.SubElement(default, "MDI", key=key)
        mdi.text = value
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode") + "\n"


def add_gpkg_provenance(gpkg_path: str | os.PathLike[str], prov: Mapping[str, Any]) -> Path:
    """Write provenance into a GeoPackage: GDAL layer metadata on every table, and one JSON record for the file.

    Run it after the GeoPackage is written (the pipeline calls it on ``energieplanologie.gpkg``). Calling it
    again replaces the earlier provenance; other metadata in the file is kept. The tables ``gpkg_metadata`` and
    ``gpkg_metadata_reference`` are created as GDAL does when missing (GeoPackage metadata extension).

    Parameters
    ----------
    gpkg_path : path-like
        An existing GeoPackage.
    prov : mapping
        :func:`provenance` of the run.

    Returns
    -------
    Path
        The GeoPackage.

    Examples
    --------
    >>> import tempfile, pathlib, pyogrio
    >>> import energieplanologie as ep
    >>> from energieplanologie.io import write_layers
    >>> region = ep.load_sample()
    >>> out = write_layers(pathlib.Path(tempfile.mkdtemp()) / "uit.gpkg", {"stations": region.stations})
    >>> _ = add_gpkg_provenance(out, provenance(region, round=2025))
    >>> pyogrio.read_info(out, layer="stations")["layer_metadata"]["ronde"]
    '2025'
    >>> read_gpkg_provenance(out)["round"]
    '2025'
    """
    path = Path(gpkg_path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: GeoPackage niet gevonden.")
    stamp = os.environ.get("OGR_CURRENT_DATE") or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    items = _layer_items(prov)
    document = json.dumps(dict(prov), ensure_ascii=False, sort_keys=True, indent=1, default=str)
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(_GPKG_METADATA)
            conn.execute(_GPKG_METADATA_REFERENCE)
            conn.execute(_GPKG_EXTENSIONS)
            for table in ("gpkg_metadata", "gpkg_metadata_reference"):
                conn.execute("INSERT OR IGNORE INTO gpkg_extensions VALUES (?, NULL, 'gpkg_metadata', ?, 'read-write')",
                             (table, _METADATA_EXTENSION))
            # the previous JSON record
            old = [r[0] for r in conn.execute("SELECT id FROM gpkg_metadata WHERE md_standard_uri = ?", (PROVENANCE_URI,))]
            for md_id in old:
                conn.execute("DELETE FROM gpkg_metadata_reference WHERE md_file_id = ?", (md_id,))
                conn.execute("DELETE FROM gpkg_metadata WHERE id = ?", (md_id,))
            cur = conn.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                               "VALUES ('dataset', ?, 'application/json', ?)", (PROVENANCE_URI, document))
            conn.execute("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, row_id_value, "
                         "timestamp, md_file_id, md_parent_id) VALUES ('geopackage', NULL, NULL, NULL, ?, ?, NULL)",
                         (stamp, cur.lastrowid))
            tables = [r[0] for r in conn.execute(
                "SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes') ORDER BY table_name")]
            for table in tables:
                row = conn.execute(
                    "SELECT m.id, m.metadata FROM gpkg_metadata m JOIN gpkg_metadata_reference r ON r.md_file_id = m.id "
                    "WHERE r.reference_scope = 'table' AND lower(r.table_name) = lower(?) AND m.md_standard_uri = "
                    "'http://gdal.org' AND m.mime_type = 'text/xml' ORDER BY m.id LIMIT 1", (table,)).fetchone()
                if row is not None:
                    conn.execute("UPDATE gpkg_metadata SET metadata = ? WHERE id = ?", (_gdal_xml(items, row[1]), row[0]))
                    conn.execute("UPDATE gpkg_metadata_reference SET timestamp = ? WHERE md_file_id = ?", (stamp, row[0]))
                else:
                    cur = conn.execute("INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                                       "VALUES ('dataset', 'http://gdal.org', 'text/xml', ?)", (_gdal_xml(items),))
                    conn.execute("INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, "
                                 "row_id_value, timestamp, md_file_id, md_parent_id) "
                                 "VALUES ('table', ?, NULL, NULL, ?, ?, NULL)", (table, stamp, cur.lastrowid))
    finally:
        conn.close()
    return path


def read_gpkg_provenance(gpkg_path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The provenance :func:`add_gpkg_provenance` wrote into a GeoPackage, or None when it has none."""
    path = Path(gpkg_path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: GeoPackage niet gevonden.")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        has = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_metadata'").fetchone()
        if not has:
            return None
        row = conn.execute("SELECT metadata FROM gpkg_metadata WHERE md_standard_uri = ? ORDER BY id DESC LIMIT 1",
                           (PROVENANCE_URI,)).fetchone()
    finally:
        conn.close()
    return None if row is None else json.loads(row[0])
