"""The round stores: where frozen programming rounds live, a folder or a PostGIS schema, and the frozen round itself.

:class:`FrozenRound` is one round as stored (its input snapshots, results and hash chain; :func:`round_document`,
:func:`round_hash`); :class:`FolderStore` keeps rounds in a folder (for users without a database),
:class:`PostgisStore` in a PostGIS schema (tables ``rondes``, ``invoer`` and ``wijzigingen``; triggers refuse
every change to a frozen round, :func:`install_guard`/:func:`protect_store`); :func:`open_store` picks one from a
path or a database source. The operations on rounds (freezing, comparing, verifying) are in
:mod:`energieplanologie.rounds`, which re-exports every name here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from energieplanologie._errors import ConfigError, EnergieplanologieError
from energieplanologie._secrets import mask_secrets
from energieplanologie.provenance import (
    InputSnapshot,
    add_gpkg_provenance,
    file_checksum,
    read_gpkg_provenance,
)
from energieplanologie.region import LAYER_ORDER

__all__ = [
    "CHANGE_COLUMNS",
    "GPKG_NAME",
    "GUARD_SCHEMA",
    "INPUT_CHANGES",
    "ROUND_NAME",
    "FolderStore",
    "FrozenRound",
    "PostgisStore",
    "RoundFrozenError",
    "Store",
    "chain_order",
    "changes_frame",
    "check_round_name",
    "frozen_message",
    "guard_installed",
    "install_guard",
    "open_store",
    "protect_store",
    "round_document",
    "round_hash",
]

ROUND_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,31}$")
#: Columns of the frame of input changes (:func:`detect_changes`).
CHANGE_COLUMNS: tuple[str, ...] = ("layer", "change", "source", "table", "owner", "round", "old_snapshot_id",
                                   "new_snapshot_id", "old_sha256", "new_sha256", "detected_at", "included_in")
#: Dutch words of the kinds of input change.
INPUT_CHANGES = {"changed": "gewijzigd", "added": "nieuw", "removed": "verwijderd"}
GPKG_NAME = "energieplanologie.gpkg"


class RoundFrozenError(EnergieplanologieError):
    """A round that is already frozen cannot be frozen again or changed."""


# ----------------------------------------------------------------------------------------------- frozen rounds


@dataclass(frozen=True)
class FrozenRound:
    """A frozen programming round as stored.

    Attributes
    ----------
    round : str
        Round name (``"2025"``).
    region : str
        Region name.
    frozen_at : str
        When it was frozen (UTC, ISO 8601).
    version : str
        Software version that froze it.
    inputs : tuple of InputSnapshot
        The inputs.
    results : dict of str to str
        Stored result file or table → its sha256 (for :func:`verify_round`).
    location : str
        Where the results are: a folder, or ``schema`` in the database.
    previous_sha256 : str or None
        :attr:`sha256` of the round frozen before this one in the same store (None for the first): the rounds
        form a chain, so a changed earlier round no longer matches what the next one recorded.
    sha256 : str or None
        Content hash of the round (:func:`round_hash`): its inputs, the sha256 of every result file or table,
        the deliveries it took in, and ``previous_sha256``. None for a round frozen by an older version.
    """

    round: str
    region: str
    frozen_at: str
    version: str
    inputs: tuple[InputSnapshot, ...]
    results: dict[str, str] = field(default_factory=dict)
    location: str = ""
    previous_sha256: str | None = None
    sha256: str | None = None

    @property
    def snapshot_ids(self) -> list[str]:
        return [s.snapshot_id for s in self.inputs]

    def input(self, layer: str) -> InputSnapshot | None:
        return next((s for s in self.inputs if s.layer == layer), None)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["inputs"] = [s.to_dict() for s in self.inputs]
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FrozenRound:
        return cls(round=str(data["round"]), region=data.get("region", ""), frozen_at=data.get("frozen_at", ""),
                   version=data.get("version", ""), inputs=tuple(InputSnapshot.from_dict(s) for s in data["inputs"]),
                   results=dict(data.get("results") or {}), location=data.get("location", ""),
                   previous_sha256=data.get("previous_sha256"), sha256=data.get("sha256"))


def _changes_document(changes: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Change records in a canonical form and order (every column, values as text or null)."""
    rows = [{c: (None if change.get(c) is None else str(change.get(c))) for c in CHANGE_COLUMNS} for change in changes]
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False))


def round_document(frozen: FrozenRound, changes: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Everything a frozen round fixes, in a canonical form: what :func:`round_hash` hashes.

    The round, region, moment and software; every input snapshot (in layer order); the sha256 of every stored
    result file or table (sorted by name); the deliveries recorded after the previous round that this round took
    in (``changes``, sorted); and the hash of the previous round. Where the results lie (``location``) is left
    out, so a store folder can be moved.
    """
    order = {k: i for i, k in enumerate(LAYER_ORDER)}
    inputs = sorted((s.to_dict() for s in frozen.inputs), key=lambda d: (order.get(d["layer"], 99), d["layer"]))
    return {
        "round": frozen.round,
        "region": frozen.region,
        "frozen_at": frozen.frozen_at,
        "version": frozen.version,
        "inputs": inputs,
        "results": dict(sorted(frozen.results.items())),
        "changes": _changes_document(changes),
        "previous_sha256": frozen.previous_sha256,
    }


def chain_order(rounds: list[FrozenRound]) -> list[FrozenRound]:
    """Rounds in the order of their chain (each after the round whose hash it recorded), else by freezing time."""
    remaining = sorted(rounds, key=lambda r: (r.frozen_at, r.round))
    ordered: list[FrozenRound] = []
    while remaining:
        wanted = ordered[-1].sha256 if ordered else None
        pick = next((r for r in remaining if r.sha256 and r.previous_sha256 == wanted), remaining[0])
        ordered.append(pick)
        remaining.remove(pick)
    return ordered


def round_hash(frozen: FrozenRound, changes: Iterable[Mapping[str, Any]] = ()) -> str:
    """The content hash of a frozen round: sha256 of :func:`round_document` as canonical JSON.

    Examples
    --------
    >>> r = FrozenRound("2025", "Zeeuws-Vlaanderen", "2025-06-11T09:30:00Z", "0.1.0", (), {"a.gpkg": "ab"})
    >>> round_hash(r) == round_hash(r), round_hash(r) == round_hash(FrozenRound(**{**r.__dict__, "results": {}}))
    (True, False)
    """
    text = json.dumps(round_document(frozen, changes), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_round_name(round: str | int) -> str:
    text = str(round).strip()
    if not ROUND_NAME.match(text):
        raise ConfigError(f"ronde: {round!r} is geen geldige rondenaam (letters, cijfers, _ . -; bv. 2025).",
                          key="round")
    return text


def frozen_message(round: str, frozen_at: str, where: str) -> str:
    return (f"Ronde {round} is al bevroren ({frozen_at}, {where}); een bevroren ronde kan niet worden "
            "overschreven. Nieuwe leveringen worden vastgelegd als wijziging voor de volgende ronde "
            "(energieplanologie baseline diff); bevries daarvoor een nieuwe ronde.")


class FolderStore:
    """Rounds in a folder, for users without a database.

    Layout::

        STORE/ronde_2025/ronde.json      manifest: inputs (snapshots), results and their sha256 — read-only
        STORE/ronde_2025/project.toml    the configuration it was frozen from (passwords masked)
        STORE/ronde_2025/uitvoer/…       the run's output folder (energieplanologie.gpkg with provenance)
        STORE/wijzigingen.json           deliveries after a freeze, for the next round
    """

    kind = "folder"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @property
    def label(self) -> str:
        return str(self.root)

    def _dir(self, round: str) -> Path:
        return self.root / f"ronde_{round}"

    def exists(self, round: str) -> bool:
        return (self._dir(round) / "ronde.json").is_file()

    def load(self, round: str) -> FrozenRound:
        manifest = self._dir(round) / "ronde.json"
        if not manifest.is_file():
            known = ", ".join(r.round for r in self.rounds()) or "(geen)"
            raise ConfigError(f"ronde {round}: niet gevonden in {self.root} (bevroren rondes: {known}).", key="round")
        return FrozenRound.from_dict(json.loads(manifest.read_text(encoding="utf-8")))

    def rounds(self) -> list[FrozenRound]:
        if not self.root.is_dir():
            return []
        found = [FrozenRound.from_dict(json.loads(p.read_text(encoding="utf-8")))
                 for p in sorted(self.root.glob("ronde_*/ronde.json"))]
        return sorted(found, key=lambda r: (r.frozen_at, r.round))

    def save(self, frozen: FrozenRound, results_dir: Path, config_text: str | None) -> FrozenRound:
        """Copy the results into a new round folder, write the manifest with the round's content hash (chained to
        the previous round), take in the pending deliveries, make it read-only; all or nothing."""
        self.root.mkdir(parents=True, exist_ok=True)
        final = self._dir(frozen.round)
        if final.exists():
            raise RoundFrozenError(frozen_message(frozen.round, self.load(frozen.round).frozen_at, str(final)))
        earlier = self.rounds()
        changes = self.changes()
        pending = changes["included_in"].isna()
        taken_in = changes.assign(included_in=changes["included_in"].where(~pending, frozen.round))
        staging = Path(tempfile.mkdtemp(prefix=f".ronde_{frozen.round}.", dir=self.root))
        try:
            shutil.copytree(results_dir, staging / "uitvoer")
            if config_text is not None:
                (staging / "project.toml").write_text(config_text, encoding="utf-8")
            files = sorted(p for p in staging.rglob("*") if p.is_file())
            digests = {p.relative_to(staging).as_posix(): file_checksum(p) for p in files}
            frozen = replace(frozen, results=digests, location=str(final),
                             previous_sha256=chain_order(earlier)[-1].sha256 if earlier else None)
            frozen = replace(frozen, sha256=round_hash(frozen, _records(taken_in[pending])))
            (staging / "ronde.json").write_text(json.dumps(frozen.to_dict(), ensure_ascii=False, indent=1) + "\n",
                                                encoding="utf-8")
            for p in [*files, staging / "ronde.json"]:
                p.chmod(0o444)
            staging.chmod(0o755)
            if pending.any():
                self._write_changes(taken_in)
            try:
                os.rename(staging, final)  # fails when another freeze of this round won the race
            except OSError:
                if pending.any():
                    self._write_changes(changes)
                raise RoundFrozenError(frozen_message(frozen.round, self.load(frozen.round).frozen_at,
                                                       str(final))) from None
        except BaseException:
            if staging.exists():
                _rmtree(staging)
            raise
        return frozen

    def included_changes(self, round: str) -> list[dict[str, Any]]:
        """The deliveries a round took in (recorded after the round before it)."""
        return [r for r in _records(self.changes()) if r["included_in"] == round]

    def _write_changes(self, frame: pd.DataFrame) -> None:
        from energieplanologie._atomic import atomic_write

        with atomic_write(self._changes_path()) as tmp:
            tmp.write_text(json.dumps(_records(frame), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def results_gpkg(self, round: str, folder: Path) -> Path:
        del folder
        path = self._dir(round) / "uitvoer" / GPKG_NAME
        if not path.is_file():
            raise ConfigError(f"ronde {round}: {path} ontbreekt.", key="round")
        return path

    def verify(self, round: str) -> list[str]:
        frozen = self.load(round)
        folder = self._dir(round)
        problems = []
        for rel, digest in sorted(frozen.results.items()):
            p = folder / rel
            if not p.is_file():
                problems.append(f"{rel} ontbreekt")
            elif file_checksum(p) != digest:
                problems.append(f"{rel} is gewijzigd na het bevriezen")
        extra = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                       if p.is_file() and p.name != "ronde.json")
        problems += [f"{rel} is toegevoegd na het bevriezen" for rel in extra if rel not in frozen.results]
        return problems

    def _changes_path(self) -> Path:
        return self.root / "wijzigingen.json"

    def changes(self) -> pd.DataFrame:
        p = self._changes_path()
        records = json.loads(p.read_text(encoding="utf-8")) if p.is_file() else []
        return changes_frame(records)

    def add_changes(self, changes: pd.DataFrame) -> int:
        from energieplanologie._atomic import atomic_write

        current = self.changes()
        new = _new_changes(current, changes)
        if new.empty:
            return 0
        merged = pd.concat([current, new], ignore_index=True) if len(current) else new
        self.root.mkdir(parents=True, exist_ok=True)
        with atomic_write(self._changes_path()) as tmp:
            tmp.write_text(json.dumps(_records(merged), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return len(new)

    def include_changes(self, round: str) -> None:
        from energieplanologie._atomic import atomic_write

        current = self.changes()
        if current.empty or current["included_in"].notna().all():
            return
        current["included_in"] = current["included_in"].where(current["included_in"].notna(), round)
        with atomic_write(self._changes_path()) as tmp:
            tmp.write_text(json.dumps(_records(current), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _rmtree(path: Path) -> None:
    for p in path.rglob("*"):
        try:
            p.chmod(0o755 if p.is_dir() else 0o644)
        except OSError:
            pass
    shutil.rmtree(path, ignore_errors=True)


def changes_frame(records: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(records)
    for c in CHANGE_COLUMNS:
        if c not in frame.columns:
            frame[c] = None
    return frame[list(CHANGE_COLUMNS)].astype(object).where(frame[list(CHANGE_COLUMNS)].notna(), None)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _new_changes(current: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Changes not recorded before (same round, layer, kind and new checksum)."""
    if changes.empty:
        return changes_frame([])

    def keys(frame: pd.DataFrame) -> set[tuple[Any, ...]]:
        return set(zip(frame["round"], frame["layer"], frame["change"], frame["new_sha256"], strict=True))

    seen = keys(current) if len(current) else set()
    mask = [k not in seen for k in zip(changes["round"], changes["layer"], changes["change"], changes["new_sha256"],
                                       strict=True)]
    return changes_frame(changes.loc[mask].reset_index(drop=True))


class PostgisStore:
    """Rounds in a PostGIS schema (default ``rondes``): catalogue tables, and each round's results in a schema.

    Tables: ``rondes`` (one row per frozen round), ``invoer`` (its input snapshots), ``ketting`` (each round's
    content hash and the hash of the round before it), ``wijzigingen`` (deliveries after a freeze). The results of
    round 2025 are published (:func:`~energieplanologie.postgis.publish_to_postgis`) into schema ``rondes_2025``.

    Protection, in layers (README, "Rondes beschermen"):

    * row triggers refuse UPDATE, DELETE and TRUNCATE on ``rondes``, ``invoer`` and ``ketting``, INSERT into
      ``invoer`` for a frozen round, every change to a round's result tables, and every change to ``wijzigingen``
      but taking a delivery into the next round;
    * ``owner_role``: the round tables are created by (owned by) a role the analysts do not hold, so they cannot
      alter or drop them, nor switch the triggers off;
    * an event trigger (:func:`install_guard`, needs a superuser; a freeze by a superuser installs it) refuses DDL
      on the round tables — ``ALTER … TYPE``, ``DISABLE TRIGGER``, ``DROP`` — even by their owner;
    * against the rest (a superuser with ``session_replication_role = replica``): the content hashes, which
      :func:`verify_rounds` recomputes.
    """

    kind = "postgis"
    TABLES = ("rondes", "invoer", "ketting", "wijzigingen")

    def __init__(self, url: str, schema: str = "rondes", *, owner_role: str | None = None) -> None:
        from energieplanologie.postgis import SQL_NAME

        if not SQL_NAME.match(schema) or len(schema) > 40:
            raise ConfigError(f"schema: {schema!r} is geen geldige schemanaam (kleine letters, cijfers, _).",
                              key="schema")
        if owner_role is not None and (not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", owner_role) or len(owner_role) > 63):
            raise ConfigError(f"eigenaar-rol: {owner_role!r} is geen geldige rolnaam.", key="owner_role")
        self.url = url
        self.schema = schema
        self.owner_role = owner_role
        #: After :meth:`save`: whether the database's event trigger guards the round tables.
        self.guarded: bool | None = None

    @property
    def label(self) -> str:
        return f"{mask_secrets(self.url)} schema {self.schema}"

    def results_schema(self, round: str) -> str:
        return f"{self.schema}_{re.sub(r'[^a-z0-9_]', '_', round.lower())}"

    # -- setting up ---------------------------------------------------------------------------------------
    def _ensure(self, conn: Any) -> None:
        """Create what is missing of the catalogue (and nothing else: no DDL on what exists, which the event
        trigger would refuse)."""
        from psycopg import sql

        s = sql.Identifier(self.schema)
        if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [self.schema]).fetchone():
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(s))
        tables = {
            "rondes": "CREATE TABLE {s}.rondes (ronde text PRIMARY KEY, regio text, bevroren_op timestamptz NOT NULL, "
                      "softwareversie text, resultaten_schema text NOT NULL, resultaten jsonb NOT NULL, "
                      "configuratie text)",
            "invoer": "CREATE TABLE {s}.invoer (ronde text NOT NULL REFERENCES {s}.rondes (ronde), laag text NOT NULL, "
                      "snapshot_id text NOT NULL, bron text, tabel text, bron_sha256 text, data_sha256 text NOT NULL, "
                      "rijen integer, eigenaar text, geleverd_op timestamptz, PRIMARY KEY (ronde, laag))",
            "ketting": "CREATE TABLE {s}.ketting (ronde text PRIMARY KEY REFERENCES {s}.rondes (ronde), "
                       "vorige_sha256 text, inhoud_sha256 text NOT NULL)",
            "wijzigingen": "CREATE TABLE {s}.wijzigingen (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                           "na_ronde text NOT NULL, laag text NOT NULL, wijziging text NOT NULL, bron text, tabel text, "
                           "eigenaar text, oude_snapshot_id text, nieuwe_snapshot_id text, oude_sha256 text, "
                           "nieuwe_sha256 text, gemeld_op timestamptz NOT NULL, opgenomen_in_ronde text)",
        }
        comments = {
            "rondes": "Bevroren programmeerrondes: wanneer, welke software, waar de resultaten staan.",
            "invoer": "Invoer-snapshots per bevroren ronde: bron, controlesommen, eigenaar, wanneer.",
            "ketting": "Inhoudshash per bevroren ronde (invoer, resultaten, opgenomen wijzigingen) en de hash van de "
                       "ronde ervoor: een keten, zodat elke latere wijziging opvalt (energieplanologie baseline "
                       "verify).",
            "wijzigingen": "Leveringen na het bevriezen van een ronde: wijzigingen voor de volgende ronde, niet "
                           "samengevoegd met de bevroren ronde.",
        }
        for table, ddl in tables.items():
            if not self._exists(conn, table):
                conn.execute(sql.SQL(ddl).format(s=s))
                conn.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(sql.Identifier(self.schema, table),
                                                                          sql.Literal(comments[table])))
        functions = {
            "ep_bevroren": "RAISE EXCEPTION 'ronde % is bevroren: % op %.% is niet toegestaan', TG_ARGV[0], TG_OP, "
                           "TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'raise_exception';",
            "ep_gesloten": "IF EXISTS (SELECT 1 FROM ONLY {s}.ketting WHERE ronde = NEW.ronde) THEN RAISE EXCEPTION "
                           "'ronde % is bevroren: INSERT op %.% is niet toegestaan', NEW.ronde, TG_TABLE_SCHEMA, "
                           "TG_TABLE_NAME USING ERRCODE = 'raise_exception'; END IF; RETURN NEW;",
            "ep_wijziging": "IF TG_OP = 'UPDATE' AND OLD.opgenomen_in_ronde IS NULL AND NEW.opgenomen_in_ronde IS NOT "
                            "NULL AND to_jsonb(NEW) - 'opgenomen_in_ronde' = to_jsonb(OLD) - 'opgenomen_in_ronde' THEN "
                            "RETURN NEW; END IF; RAISE EXCEPTION 'wijzigingen zijn vastgelegd: % op %.% is niet "
                            "toegestaan (alleen opnemen in een nieuwe ronde)', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME "
                            "USING ERRCODE = 'raise_exception';",
        }
        for name, body in functions.items():
            exists = conn.execute("SELECT to_regprocedure(%s) IS NOT NULL",
                                  [sql.Identifier(self.schema, name).as_string(conn) + "()"]).fetchone()[0]
            if not exists:
                conn.execute(sql.SQL("CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {}").format(
                    sql.Identifier(self.schema, name),
                    sql.Literal("BEGIN " + sql.SQL(body).format(s=s).as_string(conn) + " END")))
        for table in ("rondes", "invoer", "ketting"):
            self._trigger(conn, self.schema, table, "ep_bevroren", "UPDATE OR DELETE", "(alle)")
            self._trigger(conn, self.schema, table, "ep_bevroren_truncate", "TRUNCATE", "(alle)")
        self._trigger(conn, self.schema, "invoer", "ep_gesloten", "INSERT", None, function="ep_gesloten")
        self._trigger(conn, self.schema, "wijzigingen", "ep_wijziging", "UPDATE OR DELETE", None,
                      function="ep_wijziging")
        self._trigger(conn, self.schema, "wijzigingen", "ep_bevroren_truncate", "TRUNCATE", "(wijzigingen)")

    def _exists(self, conn: Any, table: str, schema: str | None = None) -> bool:
        from psycopg import sql

        ident = sql.Identifier(schema or self.schema, table).as_string(conn)
        return bool(conn.execute("SELECT to_regclass(%s) IS NOT NULL", [ident]).fetchone()[0])

    def _trigger(self, conn: Any, schema: str, table: str, name: str, ops: str, arg: str | None, *,
                 function: str = "ep_bevroren") -> None:
        """Create a trigger when it is missing (``TRUNCATE`` per statement, the others per row)."""
        from psycopg import sql

        t = sql.Identifier(schema, table)
        if conn.execute("SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
                        [t.as_string(conn), name]).fetchone():
            return
        level = "STATEMENT" if ops == "TRUNCATE" else "ROW"
        args = sql.Literal(arg) if arg is not None else sql.SQL("")
        conn.execute(sql.SQL("CREATE TRIGGER {} BEFORE {} ON {} FOR EACH {} EXECUTE FUNCTION {}({})").format(
            sql.Identifier(name), sql.SQL(ops), t, sql.SQL(level), sql.Identifier(self.schema, function), args))

    def _protect(self, conn: Any, schema: str, table: str, round: str) -> None:
        self._trigger(conn, schema, table, "ep_bevroren", "INSERT OR UPDATE OR DELETE", round)
        self._trigger(conn, schema, table, "ep_bevroren_truncate", "TRUNCATE", round)

    def _has_catalogue(self, conn: Any) -> bool:
        return self._exists(conn, "rondes")

    # -- reading ------------------------------------------------------------------------------------------
    def _read_rounds(self, conn: Any) -> list[FrozenRound]:
        from psycopg import sql

        if not self._has_catalogue(conn):
            return []
        chain = sql.SQL("k.vorige_sha256, k.inhoud_sha256") if self._exists(conn, "ketting") else \
            sql.SQL("NULL::text, NULL::text")
        join = sql.SQL("LEFT JOIN ONLY {} k USING (ronde)").format(sql.Identifier(self.schema, "ketting")) \
            if self._exists(conn, "ketting") else sql.SQL("")
        rows = conn.execute(sql.SQL(
            "SELECT r.ronde, r.regio, r.bevroren_op, r.softwareversie, r.resultaten_schema, r.resultaten, {} "
            "FROM ONLY {} r {} ORDER BY r.bevroren_op, r.ronde").format(
            chain, sql.Identifier(self.schema, "rondes"), join)).fetchall()
        inputs = conn.execute(sql.SQL(
            "SELECT ronde, laag, snapshot_id, bron, tabel, bron_sha256, data_sha256, rijen, eigenaar, geleverd_op "
            "FROM ONLY {}").format(sql.Identifier(self.schema, "invoer"))).fetchall()
        order = {k: i for i, k in enumerate(LAYER_ORDER)}
        out = []
        for r in rows:
            snaps = sorted((i for i in inputs if i[0] == r[0]), key=lambda i: (order.get(i[1], 99), i[1]))
            out.append(FrozenRound(
                round=r[0], region=r[1] or "", frozen_at=_iso(r[2]), version=r[3] or "",
                inputs=tuple(InputSnapshot(layer=i[1], snapshot_id=i[2], source=i[3] or "", table=i[4],
                                           source_sha256=i[5], data_sha256=i[6], rows=int(i[7] or 0), owner=i[8],
                                           delivered_at=_iso(i[9]) if i[9] else None) for i in snaps),
                results=dict(r[5] or {}), location=r[4], previous_sha256=r[6], sha256=r[7]))
        return out

    def _read_changes(self, conn: Any) -> pd.DataFrame:
        from psycopg import sql

        if not self._exists(conn, "wijzigingen"):
            return changes_frame([])
        rows = conn.execute(sql.SQL(
            "SELECT laag, wijziging, bron, tabel, eigenaar, na_ronde, oude_snapshot_id, nieuwe_snapshot_id, "
            "oude_sha256, nieuwe_sha256, gemeld_op, opgenomen_in_ronde FROM ONLY {} ORDER BY id").format(
            sql.Identifier(self.schema, "wijzigingen"))).fetchall()
        return changes_frame([dict(zip(CHANGE_COLUMNS, (*r[:10], _iso(r[10]), r[11]), strict=True)) for r in rows])

    def exists(self, round: str) -> bool:
        return any(r.round == round for r in self.rounds())

    def rounds(self) -> list[FrozenRound]:
        from energieplanologie.postgis import connect

        with connect(self.url) as conn:
            return self._read_rounds(conn)

    def load(self, round: str) -> FrozenRound:
        found = [r for r in self.rounds() if r.round == round]
        if not found:
            known = ", ".join(r.round for r in self.rounds()) or "(geen)"
            raise ConfigError(f"ronde {round}: niet gevonden in {self.label} (bevroren rondes: {known}).", key="round")
        return found[0]

    def changes(self) -> pd.DataFrame:
        from energieplanologie.postgis import connect

        with connect(self.url) as conn:
            return self._read_changes(conn)

    def included_changes(self, round: str) -> list[dict[str, Any]]:
        """The deliveries a round took in (recorded after the round before it)."""
        return [r for r in _records(self.changes()) if r["included_in"] == round]

    # -- writing ------------------------------------------------------------------------------------------
    def _as_owner(self, conn: Any) -> None:
        from psycopg import sql

        if self.owner_role:
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(self.owner_role)))

    def _prepare(self, conn: Any) -> None:
        """In the open transaction: the catalogue (as the owner role), and the event trigger when we may."""
        self._as_owner(conn)
        self._ensure(conn)
        if self.owner_role:
            conn.execute("SET LOCAL ROLE NONE")
        if _is_superuser(conn):
            install_guard(conn, self.schema)
        self.guarded = guard_installed(conn, self.schema)
        self._as_owner(conn)

    def save(self, frozen: FrozenRound, results_dir: Path, config_text: str | None) -> FrozenRound:
        """Publish the results into the round's schema, record the round, take in the pending deliveries and
        chain the round's content hash to the previous one, in one transaction."""
        from psycopg import errors, sql

        from energieplanologie.postgis import (
            DatabaseError,
            collect_tables,
            connect,
            database_error,
            new_publication_id,
            publish_tables_in,
            table_checksum,
        )

        target = self.results_schema(frozen.round)
        tables = collect_tables(None, results_dir / GPKG_NAME)
        prov = read_gpkg_provenance(results_dir / GPKG_NAME) or {}
        conn = connect(self.url)
        try:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"energieplanologie:rondes:{self.schema}"])
            self._prepare(conn)
            row = conn.execute(sql.SQL("SELECT bevroren_op FROM ONLY {} WHERE ronde = %s").format(
                sql.Identifier(self.schema, "rondes")), [frozen.round]).fetchone()
            if row is not None:
                raise RoundFrozenError(frozen_message(frozen.round, _iso(row[0]), self.label))
            if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [target]).fetchone():
                raise DatabaseError(f"Schema {target!r} bestaat al maar hoort bij geen bevroren ronde; verwijder het "
                                    "of kies een andere rondenaam.")
            earlier = self._read_rounds(conn)
            made = publish_tables_in(conn, tables, target, prov, new_publication_id())
            digests = {}
            for name in made:
                self._protect(conn, target, name, frozen.round)
                if name != "herkomst":
                    digests[name] = table_checksum(conn, sql.Identifier(target, name).as_string(conn))[0]
            conn.execute(sql.SQL("UPDATE {} SET opgenomen_in_ronde = %s WHERE opgenomen_in_ronde IS NULL").format(
                sql.Identifier(self.schema, "wijzigingen")), [frozen.round])
            conn.execute(sql.SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s, %s, %s)").format(
                sql.Identifier(self.schema, "rondes")),
                [frozen.round, frozen.region, frozen.frozen_at, frozen.version, target, json.dumps(digests),
                 config_text])
            with conn.cursor() as cur:
                cur.executemany(sql.SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)").format(
                    sql.Identifier(self.schema, "invoer")),
                    [[frozen.round, s.layer, s.snapshot_id, s.source, s.table, s.source_sha256, s.data_sha256, s.rows,
                      s.owner, s.delivered_at] for s in frozen.inputs])
            # The hash of the round as the database holds it (read back, as verify_rounds will read it).
            stored = replace(next(r for r in self._read_rounds(conn) if r.round == frozen.round),
                             previous_sha256=chain_order(earlier)[-1].sha256 if earlier else None)
            included = [r for r in _records(self._read_changes(conn)) if r["included_in"] == frozen.round]
            stored = replace(stored, sha256=round_hash(stored, included))
            conn.execute(sql.SQL("INSERT INTO {} VALUES (%s, %s, %s)").format(sql.Identifier(self.schema, "ketting")),
                         [stored.round, stored.previous_sha256, stored.sha256])
            conn.commit()
        except errors.Error as exc:
            conn.rollback()
            raise database_error(exc, self.url, f"Ronde {frozen.round} bevriezen mislukt; er is niets veranderd") from None
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()
        return stored

    def results_gpkg(self, round: str, folder: Path) -> Path:
        """Export the round's result tables to a GeoPackage in ``folder`` (for :func:`diff_rounds`)."""
        from energieplanologie.io import write_layers
        from energieplanologie.postgis import PROVENANCE_TABLE, connect, list_tables, read_frame

        frozen = self.load(round)
        with connect(self.url) as conn:
            names = [t.split(".", 1)[1] for t in list_tables(conn, frozen.location)]
            layers = {n: read_frame(conn, f'"{frozen.location}"."{n}"') for n in names if n != PROVENANCE_TABLE}
        path = write_layers(Path(folder) / f"ronde_{round}.gpkg", layers, dutch_headers=False)
        prov = {"round": round, "region": frozen.region, "version": frozen.version,
                "snapshot_ids": frozen.snapshot_ids, "inputs": [s.to_dict() for s in frozen.inputs]}
        return add_gpkg_provenance(path, prov)

    def verify(self, round: str) -> list[str]:
        """The round's result tables against the sha256 recorded when it was frozen."""
        from energieplanologie.postgis import connect, list_tables, table_checksum

        frozen = self.load(round)
        problems = []
        with connect(self.url) as conn:
            present = {t.split(".", 1)[1] for t in list_tables(conn, frozen.location)}
            for name, digest in sorted(frozen.results.items()):
                if name not in present:
                    problems.append(f"{frozen.location}.{name} ontbreekt")
                elif table_checksum(conn, f'"{frozen.location}"."{name}"')[0] != digest:
                    problems.append(f"{frozen.location}.{name} is gewijzigd na het bevriezen")
            problems += [f"{frozen.location}.{name} is toegevoegd na het bevriezen"
                         for name in sorted(present - set(frozen.results) - {"herkomst"})]
        return problems

    def add_changes(self, changes: pd.DataFrame) -> int:
        from psycopg import sql

        from energieplanologie.postgis import connect

        if changes.empty:
            return 0
        with connect(self.url) as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"energieplanologie:rondes:{self.schema}"])
            if not self._exists(conn, "wijzigingen"):
                self._as_owner(conn)
                self._ensure(conn)
            new = _new_changes(self._read_changes(conn), changes)
            with conn.cursor() as cur:
                cur.executemany(sql.SQL(
                    "INSERT INTO {} (laag, wijziging, bron, tabel, eigenaar, na_ronde, oude_snapshot_id, "
                    "nieuwe_snapshot_id, oude_sha256, nieuwe_sha256, gemeld_op, opgenomen_in_ronde) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)").format(
                    sql.Identifier(self.schema, "wijzigingen")), [list(r.values()) for r in _records(new)])
            conn.commit()
        return len(new)

    def include_changes(self, round: str) -> None:
        """Take the pending deliveries into ``round`` (:meth:`save` does this for a round it freezes)."""
        from psycopg import sql

        from energieplanologie.postgis import connect

        with connect(self.url) as conn:
            if self._exists(conn, "wijzigingen"):
                conn.execute(sql.SQL("UPDATE {} SET opgenomen_in_ronde = %s WHERE opgenomen_in_ronde IS NULL").format(
                    sql.Identifier(self.schema, "wijzigingen")), [round])
                conn.commit()


def _is_superuser(conn: Any) -> bool:
    return bool(conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = session_user").fetchone()[0])


#: The schema (owned by a superuser) that holds the event trigger's functions and the catalogues it guards.
GUARD_SCHEMA = "ep_bewaking"

_GUARD_FUNCTIONS = """
CREATE OR REPLACE FUNCTION ep_bewaking.beschermde_schemas() RETURNS text[] LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE cat text; found text[] := ARRAY[]::text[]; extra text[];
BEGIN
  FOR cat IN SELECT schema_naam FROM ep_bewaking.catalogi LOOP
    found := found || cat;
    IF to_regclass(format('%I.rondes', cat)) IS NOT NULL THEN
      EXECUTE format('SELECT coalesce(array_agg(resultaten_schema), ARRAY[]::text[]) FROM ONLY %I.rondes', cat)
        INTO extra;
      found := found || extra;
    END IF;
  END LOOP;
  RETURN found;
END $f$;

CREATE OR REPLACE FUNCTION ep_bewaking.ontbrekend() RETURNS text LANGUAGE plpgsql STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE cat text; rs text; tabellen jsonb; t text;
BEGIN
  FOR cat IN SELECT schema_naam FROM ep_bewaking.catalogi LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = cat) THEN
      CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname LIKE cat || '\\_%');
      RETURN cat;  -- the catalogue renamed away while its rounds' schemas remain
    END IF;
    IF to_regclass(format('%I.rondes', cat)) IS NULL THEN
      FOREACH t IN ARRAY ARRAY['invoer', 'ketting', 'wijzigingen'] LOOP
        IF to_regclass(format('%I.%I', cat, t)) IS NOT NULL THEN RETURN cat || '.rondes'; END IF;
      END LOOP;
      CONTINUE;
    END IF;
    FOREACH t IN ARRAY ARRAY['invoer', 'ketting', 'wijzigingen'] LOOP
      IF to_regclass(format('%I.%I', cat, t)) IS NULL THEN RETURN cat || '.' || t; END IF;
    END LOOP;
    FOR rs, tabellen IN EXECUTE format('SELECT resultaten_schema, resultaten FROM ONLY %I.rondes', cat) LOOP
      FOR t IN SELECT jsonb_object_keys(tabellen) LOOP
        IF to_regclass(format('%I.%I', rs, t)) IS NULL THEN RETURN rs || '.' || t; END IF;
      END LOOP;
    END LOOP;
  END LOOP;
  RETURN NULL;
END $f$;

CREATE OR REPLACE FUNCTION ep_bewaking.geweigerd(tag text, wat text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  RAISE EXCEPTION 'energieplanologie: % op % is geweigerd: het hoort bij een bevroren programmeerronde', tag, wat
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Een bevroren ronde verandert niet; bevries een nieuwe ronde (energieplanologie baseline freeze).';
END $f$;

CREATE OR REPLACE FUNCTION ep_bewaking.bij_ddl() RETURNS event_trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE r record; beschermd text[] := ep_bewaking.beschermde_schemas(); catalogi text[];
BEGIN
  SELECT coalesce(array_agg(schema_naam), ARRAY[]::text[]) INTO catalogi FROM ep_bewaking.catalogi;
  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    CONTINUE WHEN r.command_tag IN ('GRANT', 'REVOKE');
    IF r.object_type = 'table' AND EXISTS (
        SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE i.inhrelid = r.objid AND n.nspname = ANY (beschermd)) THEN
      PERFORM ep_bewaking.geweigerd(r.command_tag, r.object_identity);
    END IF;
    IF r.object_type = 'schema' AND (SELECT nspname FROM pg_namespace WHERE oid = r.objid) = ANY (beschermd) THEN
      PERFORM ep_bewaking.geweigerd(r.command_tag, r.object_identity);
    END IF;
    -- a table or schema moved or renamed away from a round (ALTER … SET SCHEMA, ALTER SCHEMA … RENAME)
    IF r.object_type IN ('table', 'schema') AND ep_bewaking.ontbrekend() IS NOT NULL THEN
      PERFORM ep_bewaking.geweigerd(r.command_tag, ep_bewaking.ontbrekend());
    END IF;
    CONTINUE WHEN r.schema_name IS NULL OR NOT r.schema_name = ANY (beschermd);
    -- a new table beside the catalogue changes nothing frozen; everything else in a guarded schema is refused
    CONTINUE WHEN r.command_tag = 'CREATE TABLE' AND r.schema_name = ANY (catalogi);
    PERFORM ep_bewaking.geweigerd(r.command_tag, r.object_identity);
  END LOOP;
END $f$;

CREATE OR REPLACE FUNCTION ep_bewaking.bij_drop() RETURNS event_trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE r record; beschermd text[] := ep_bewaking.beschermde_schemas();
BEGIN
  FOR r IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
    IF r.schema_name = ANY (beschermd) OR (r.object_type = 'schema' AND r.object_name = ANY (beschermd)) THEN
      PERFORM ep_bewaking.geweigerd(tg_tag, r.object_identity);
    END IF;
  END LOOP;
END $f$;
"""


def install_guard(conn: Any, schema: str = "rondes") -> None:
    """Install the event trigger that refuses DDL on the round tables of catalogue ``schema`` (superuser only).

    In schema ``ep_bewaking`` (owned by the superuser): a table of guarded catalogues and the trigger functions
    (``SECURITY DEFINER``); event triggers ``ep_bewaking_ddl`` (``ddl_command_end``) and ``ep_bewaking_drop``
    (``sql_drop``). Refused, whoever tries (the owner too): any ``ALTER``, ``CREATE TRIGGER``/``RULE``/``POLICY``,
    ``COMMENT``, ``CREATE OR REPLACE FUNCTION`` or ``DROP`` on the catalogue ``schema`` and the schemas of its frozen
    rounds, renaming or dropping those schemas, and tables that inherit from their tables. ``GRANT``/``REVOKE`` stay
    possible (read rights for analysts), and so does a new table beside the catalogue. A superuser can still drop
    the event trigger: against that the content hashes remain (:func:`verify_rounds`). Idempotent.
    """
    from psycopg import sql

    if not _is_superuser(conn):
        raise ConfigError("Alleen een superuser kan de bewaking (event trigger) installeren; vraag de "
                          "databasebeheerder om energieplanologie baseline beveilig --db … te draaien.", key="db")
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {GUARD_SCHEMA} AUTHORIZATION CURRENT_USER")
    conn.execute(f"GRANT USAGE ON SCHEMA {GUARD_SCHEMA} TO PUBLIC")
    conn.execute(f"CREATE TABLE IF NOT EXISTS {GUARD_SCHEMA}.catalogi (schema_naam text PRIMARY KEY)")
    conn.execute(f"INSERT INTO {GUARD_SCHEMA}.catalogi VALUES (%s) ON CONFLICT DO NOTHING", [schema])
    conn.execute(f"GRANT SELECT ON {GUARD_SCHEMA}.catalogi TO PUBLIC")  # who may see that a catalogue is guarded
    conn.execute(_GUARD_FUNCTIONS)
    for name, event, function in (("ep_bewaking_ddl", "ddl_command_end", "bij_ddl"),
                                  ("ep_bewaking_drop", "sql_drop", "bij_drop")):
        if not conn.execute("SELECT 1 FROM pg_event_trigger WHERE evtname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE EVENT TRIGGER {} ON {} EXECUTE FUNCTION {}()").format(
                sql.Identifier(name), sql.SQL(event), sql.Identifier(GUARD_SCHEMA, function)))


def guard_installed(conn: Any, schema: str = "rondes") -> bool:
    """Whether the event trigger guards catalogue ``schema`` (and is enabled)."""
    row = conn.execute(
        "SELECT count(*) FROM pg_event_trigger WHERE evtname IN ('ep_bewaking_ddl', 'ep_bewaking_drop') "
        "AND evtenabled <> 'D'").fetchone()
    if row[0] != 2 or conn.execute("SELECT to_regclass(%s) IS NULL", [f"{GUARD_SCHEMA}.catalogi"]).fetchone()[0]:
        return False
    return conn.execute(f"SELECT 1 FROM {GUARD_SCHEMA}.catalogi WHERE schema_naam = %s", [schema]).fetchone() \
        is not None


def protect_store(url: str, schema: str = "rondes", *, owner_role: str | None = None,
                  readers: str | None = None) -> list[str]:
    """Set up the protection of the rounds in a database, once, as a superuser; returns what was done (Dutch).

    * ``owner_role``: a role without login that owns the catalogue and every round's schema and tables (created
      when missing, with CREATE on the database so that freezes can make a round's schema). Grant it only to who
      freezes rounds (``GRANT ep_rondebeheer TO piet``; they freeze with ``--eigenaar-rol ep_rondebeheer``).
      Analysts who do not hold it cannot alter, drop or switch off anything of a round.
    * ``readers``: the analysts' role gets read rights on the catalogue and the rounds (now and later, through
      default privileges) and may record deliveries (INSERT into ``wijzigingen``).
    * the event trigger (:func:`install_guard`) that refuses DDL on frozen rounds, owners included.
    """
    from psycopg import sql

    from energieplanologie.postgis import connect, database_error

    store = PostgisStore(url, schema, owner_role=owner_role)
    if readers is not None and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", readers):
        raise ConfigError(f"lezers: {readers!r} is geen geldige rolnaam.", key="readers")
    done: list[str] = []
    conn = connect(url)
    try:
        if not _is_superuser(conn):
            raise ConfigError("baseline beveilig: alleen een superuser kan rollen, rechten en de event trigger "
                              "instellen; vraag de databasebeheerder.", key="db")
        guarded = guard_installed(conn, schema)
        if guarded:  # changing owners is DDL the guard refuses: pause it inside this transaction
            for name in ("ep_bewaking_ddl", "ep_bewaking_drop"):
                conn.execute(sql.SQL("ALTER EVENT TRIGGER {} DISABLE").format(sql.Identifier(name)))
        found = conn.execute("SELECT current_database()").fetchone()
        assert found is not None  # a SELECT without FROM returns one row
        database = found[0]
        results = []
        if owner_role:
            role = sql.Identifier(owner_role)
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [owner_role]).fetchone():
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(role))
                done.append(f"Rol {owner_role} gemaakt (zonder inlog).")
            conn.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(sql.Identifier(database), role))
            store._as_owner(conn)
            store._ensure(conn)
            conn.execute("SET LOCAL ROLE NONE")
            results = [r.location for r in store._read_rounds(conn)]
            for name in [schema, *results]:
                conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(sql.Identifier(name), role))
                for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [name]).fetchall():
                    conn.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.Identifier(name, table), role))
            for (function,) in conn.execute(
                    "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = %s", [schema]).fetchall():
                conn.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(function), role))
            done.append(f"Schema {schema} en de schema's van {len(results)} bevroren ronde(s) zijn van rol "
                        f"{owner_role}; bevries voortaan met --eigenaar-rol {owner_role}.")
        else:
            store._ensure(conn)
            results = [r.location for r in store._read_rounds(conn)]
        if readers:
            who = sql.Identifier(readers)
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [readers]).fetchone():
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(who))
                done.append(f"Rol {readers} gemaakt (zonder inlog); geef hem aan de analisten.")
            for name in [schema, *results]:
                conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(name), who))
                conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(sql.Identifier(name), who))
            conn.execute(sql.SQL("GRANT INSERT ON {} TO {}").format(sql.Identifier(schema, "wijzigingen"), who))
            if owner_role:
                for what in ("GRANT SELECT ON TABLES TO {}", "GRANT USAGE ON SCHEMAS TO {}"):
                    conn.execute(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} " + what).format(
                        sql.Identifier(owner_role), who))
            done.append(f"Rol {readers} mag de rondes lezen en leveringen melden (baseline diff), niets wijzigen.")
        install_guard(conn, schema)
        if guarded:
            for name in ("ep_bewaking_ddl", "ep_bewaking_drop"):
                conn.execute(sql.SQL("ALTER EVENT TRIGGER {} ENABLE").format(sql.Identifier(name)))
        done.append(f"Event trigger actief: ALTER, DROP en andere DDL op schema {schema} en de bevroren rondes worden "
                    "geweigerd, ook voor de eigenaar.")
        conn.commit()
    except ConfigError:
        conn.rollback()
        raise
    except Exception as exc:
        conn.rollback()
        import psycopg

        if isinstance(exc, psycopg.Error):
            raise database_error(exc, url, "Rondes beveiligen mislukt; er is niets veranderd") from None
        raise
    finally:
        conn.close()
    return done


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return "" if value is None else str(value)


Store = FolderStore | PostgisStore


def open_store(spec: str | os.PathLike[str] | Store, *, schema: str = "rondes",
               owner_role: str | None = None) -> Store:
    """A round store from a database source (→ :class:`PostgisStore`) or a folder (→ :class:`FolderStore`).

    Examples
    --------
    >>> open_store("rondes").label
    'rondes'
    >>> open_store("postgresql://piet:geheim@gis/energie").label
    'postgresql://piet:***@gis/energie schema rondes'
    """
    from energieplanologie.postgis import is_database_source

    if isinstance(spec, (FolderStore, PostgisStore)):
        return spec
    if is_database_source(spec):
        return PostgisStore(str(spec), schema, owner_role=owner_role)
    return FolderStore(spec)
