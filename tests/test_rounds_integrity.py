"""Tamper-evident rounds: every frozen round carries a content hash chained to the round before it; ``baseline
list``, ``diff`` and ``verify`` recompute them and say so loudly (exit 3); in PostGIS the round tables belong to a
role the analysts do not hold and an event trigger refuses DDL on them, owners included.

Folder store: two rounds (2025, and 2027 which took in a delivery recorded in between), then on copies of the
store each of the ways a round can be changed after freezing — the frozen GeoPackage edited; edited with its new
sha256 written into ``ronde.json``; a whole round rewritten with every hash recomputed (which breaks the chain
at the next round); the newest round rewritten (caught only against the hash noted at freezing, ``--verwacht``);
a delivery the round took in edited; a round removed.

PostGIS store (a real server, ``tests/postgis_server.py``): ``baseline beveilig`` as the superuser, a freeze by
the round keeper under ``--eigenaar-rol``, then every attack of the issue as the keeper (``ALTER COLUMN … TYPE …
USING 0``, ``DISABLE TRIGGER``, ``DROP``, rows added to ``invoer``, ``wijzigingen`` changed, the trigger function
replaced, a table inheriting from the catalogue): all refused; as an analyst: nothing but reading and reporting
deliveries; as the superuser, who can bypass all of it: caught by the hashes.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pyogrio
import pytest
from psycopg import sql

from energieplanologie.rounds import (
    FolderStore,
    FrozenRound,
    detect_changes,
    file_checksum,
    round_hash,
)
from energieplanologie.sample import SAMPLE_DIR

pytestmark = pytest.mark.slow
ENV = {**os.environ, "OGR_CURRENT_DATE": "2025-01-01T00:00:00.000Z", "MPLBACKEND": "Agg", "COLUMNS": "200"}


def _ep(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "energieplanologie", *map(str, args)], capture_output=True,
                          text=True, env=ENV, timeout=900)


def _writable(folder: Path) -> None:
    for p in [folder, *folder.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)


# ------------------------------------------------------------------------------------------ folder store


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A store with rounds 2025 and 2027; 2027 took in a delivery (developments changed) recorded after 2025."""
    base = tmp_path_factory.mktemp("rondes")
    project = base / "project"
    shutil.copytree(SAMPLE_DIR, project)
    config = project / "project.toml"
    store = base / "opslag"
    for round_ in ("2025", "2027"):
        out = base / f"uitvoer_{round_}"
        assert _ep("run", config, "--out", out, "--geen-pdf", "--quiet").returncode == 0
        result = _ep("baseline", "freeze", "--round", round_, "--config", config, "--store", store,
                     "--resultaten", out, "--alleen-gpkg", "--quiet")
        assert result.returncode == 0, result.stderr
        assert "Inhoudshash: " in result.stdout
        if round_ == "2025":  # the province delivers a corrected development: recorded for the next round
            dev = pyogrio.read_dataframe(project / "ontwikkelingen.gpkg")
            dev.loc[0, "afname_mw"] = float(dev.loc[0, "afname_mw"] or 0) + 1.0
            pyogrio.write_dataframe(dev, project / "ontwikkelingen.gpkg")
            assert len(detect_changes(config, store=store)) == 1
    return {"store": store, "config": config, "gpkg": base / "uitvoer_2027" / "energieplanologie.gpkg"}


def _copy(rounds: dict[str, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "opslag"
    shutil.copytree(rounds["store"], copy)
    _writable(copy)
    return copy


def _edit_gpkg(path: Path) -> None:
    with sqlite3.connect(path) as conn:  # the afweging quietly changed: every project ranked first
        assert conn.execute("UPDATE afweging SET rang = 1 WHERE rang > 1").rowcount > 0


def _manifest(store: Path, round_: str) -> tuple[Path, dict]:
    path = store / f"ronde_{round_}" / "ronde.json"
    return path, json.loads(path.read_text(encoding="utf-8"))


def _rehash(store: Path, round_: str) -> None:
    """What a knowledgeable tamperer does: recompute every digest of a round and its content hash."""
    path, data = _manifest(store, round_)
    folder = path.parent
    data["results"] = {rel: file_checksum(folder / rel) for rel in data["results"]}
    included = FolderStore(store).included_changes(round_)
    data["sha256"] = round_hash(FrozenRound.from_dict(data), included)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _verify(store: Path, *args: object) -> subprocess.CompletedProcess:
    return _ep("baseline", "verify", "--store", store, *args)


def test_intact_rounds_verify_and_list_their_chained_hashes(rounds):
    store = rounds["store"]
    _, first = _manifest(store, "2025")
    _, second = _manifest(store, "2027")
    assert first["previous_sha256"] is None and second["previous_sha256"] == first["sha256"]
    assert len(second["sha256"]) == 64 and second["results"]["uitvoer/energieplanologie.gpkg"] == \
        file_checksum(store / "ronde_2027" / "uitvoer" / "energieplanologie.gpkg")
    assert [c["layer"] for c in FolderStore(store).included_changes("2027")] == ["developments"]
    result = _verify(store, "--verwacht", second["sha256"][:12])
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"Ronde 2025: in orde, hash {first['sha256']}.",
                                          f"Ronde 2027: in orde, hash {second['sha256']}."]
    listed = _ep("baseline", "list", "--store", store)
    assert listed.returncode == 0 and f"hash {second['sha256'][:12]}" in listed.stdout


def test_an_edited_frozen_geopackage_is_reported_by_list_diff_and_verify(rounds, tmp_path):
    store = _copy(rounds, tmp_path)
    _edit_gpkg(store / "ronde_2025" / "uitvoer" / "energieplanologie.gpkg")
    for result in (_verify(store), _ep("baseline", "list", "--store", store),
                   _ep("baseline", "diff", "--round", "2025", "--store", store, "--gpkg", rounds["gpkg"])):
        assert result.returncode == 3, result.stdout + result.stderr
        assert "LET OP: ronde 2025" in result.stderr
        assert "uitvoer/energieplanologie.gpkg is gewijzigd na het bevriezen" in result.stderr
    assert "Resultaten:" not in result.stdout  # diff refused to compare with it


def test_a_new_digest_written_into_the_manifest_breaks_the_content_hash(rounds, tmp_path):
    store = _copy(rounds, tmp_path)
    gpkg = store / "ronde_2025" / "uitvoer" / "energieplanologie.gpkg"
    _edit_gpkg(gpkg)
    path, data = _manifest(store, "2025")
    data["results"]["uitvoer/energieplanologie.gpkg"] = file_checksum(gpkg)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    result = _verify(store)
    assert result.returncode == 3
    assert "ronde 2025" in result.stderr and "klopt niet meer met de inhoudshash" in result.stderr


def test_a_round_rewritten_with_every_hash_recomputed_breaks_the_chain(rounds, tmp_path):
    store = _copy(rounds, tmp_path)
    _edit_gpkg(store / "ronde_2025" / "uitvoer" / "energieplanologie.gpkg")
    _rehash(store, "2025")
    result = _verify(store)
    assert result.returncode == 3
    assert "LET OP: ronde 2027" in result.stderr and "de keten is verbroken" in result.stderr
    assert "ronde 2025 (" not in result.stderr  # 2025 itself is consistent again: the next link tells


def test_the_newest_round_rewritten_is_caught_against_the_hash_noted_at_freezing(rounds, tmp_path):
    store = _copy(rounds, tmp_path)
    _, before = _manifest(store, "2027")
    _edit_gpkg(store / "ronde_2027" / "uitvoer" / "energieplanologie.gpkg")
    _rehash(store, "2027")
    assert _verify(store).returncode == 0  # nothing after it to break: this is what --verwacht is for
    result = _verify(store, "--verwacht", before["sha256"])
    assert result.returncode == 3
    assert f"is niet de verwachte {before['sha256'][:12]}" in result.stderr


def test_an_edited_delivery_or_a_removed_round_is_reported(rounds, tmp_path):
    store = _copy(rounds, tmp_path)
    changes = json.loads((store / "wijzigingen.json").read_text(encoding="utf-8"))
    changes[0]["owner"] = "iemand anders"
    (store / "wijzigingen.json").write_text(json.dumps(changes), encoding="utf-8")
    result = _verify(store)
    assert result.returncode == 3 and "ronde 2027" in result.stderr and "opgenomen wijzigingen" in result.stderr
    store = _copy(rounds, tmp_path / "tweede")
    shutil.rmtree(store / "ronde_2025")
    result = _verify(store)
    assert result.returncode == 3 and "de keten is verbroken" in result.stderr


# ------------------------------------------------------------------------------------------ PostGIS store


def _sql(url: str, statements: str | list[str], role: str | None = None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        if role:
            conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        out: list[tuple] = []
        for statement in [statements] if isinstance(statements, str) else statements:
            cur = conn.execute(statement)
            out = cur.fetchall() if cur.description else []
        return out


def test_postgis_rounds_are_owned_by_a_role_and_guarded_against_ddl(server, db, tmp_path):
    dbname = db.rsplit("/", 1)[1]
    for role in ("bewaarder", "analist"):
        server.create_role(role, f"{role}-Wachtwoord-7")
    keeper = server.url(dbname, user="bewaarder", password="bewaarder-Wachtwoord-7")
    analyst = server.url(dbname, user="analist", password="analist-Wachtwoord-7")
    result = _ep("baseline", "beveilig", "--db", db, "--eigenaar-rol", "ep_rondebeheer", "--lezers", "analisten")
    assert result.returncode == 0, result.stderr
    assert "Event trigger actief" in result.stdout
    _sql(db, ["GRANT ep_rondebeheer TO bewaarder", "GRANT analisten TO analist"])
    project = tmp_path / "project"
    shutil.copytree(SAMPLE_DIR, project)
    out = tmp_path / "uitvoer"
    assert _ep("run", project / "project.toml", "--out", out, "--geen-pdf", "--quiet").returncode == 0
    result = _ep("baseline", "freeze", "--round", "2025", "--config", project / "project.toml", "--db", keeper,
                 "--eigenaar-rol", "ep_rondebeheer", "--resultaten", out, "--alleen-gpkg", "--quiet")
    assert result.returncode == 0, result.stderr
    assert "Let op" not in result.stderr  # guarded
    owners = _sql(db, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname IN ('rondes', 'rondes_2025')")
    assert owners == [("ep_rondebeheer",)]
    # a delivery recorded by an analyst
    _sql(analyst, "INSERT INTO rondes.wijzigingen (na_ronde, laag, wijziging, gemeld_op) "
                  "VALUES ('2025', 'developments', 'changed', now())")

    refused = {  # the keeper, as the owner of every round table: the attacks of the issue
        "ALTER TABLE rondes_2025.stationsbalans ALTER COLUMN tekort_mw TYPE double precision USING 0":
            "bevroren programmeerronde",
        "ALTER TABLE rondes_2025.stationsbalans DISABLE TRIGGER ep_bevroren": "bevroren programmeerronde",
        "ALTER TABLE rondes.invoer DISABLE TRIGGER USER": "bevroren programmeerronde",
        "DROP TABLE rondes_2025.afweging": "bevroren programmeerronde",
        "DROP SCHEMA rondes_2025 CASCADE": "bevroren programmeerronde",
        "ALTER SCHEMA rondes_2025 RENAME TO oud": "bevroren programmeerronde",
        "ALTER SCHEMA rondes RENAME TO oud": "bevroren programmeerronde",
        "ALTER TABLE rondes_2025.afweging SET SCHEMA prive": "bevroren programmeerronde",
        "ALTER TABLE rondes.ketting SET SCHEMA prive": "bevroren programmeerronde",
        "CREATE OR REPLACE FUNCTION rondes.ep_bevroren() RETURNS trigger LANGUAGE plpgsql AS "
        "'BEGIN RETURN NEW; END'": "bevroren programmeerronde",
        "CREATE TABLE prive.nep () INHERITS (rondes.rondes)": "bevroren programmeerronde",
        "INSERT INTO rondes.invoer (ronde, laag, snapshot_id, data_sha256) VALUES ('2025', 'extra', 'x', 'x')":
            "ronde 2025 is bevroren",
        "UPDATE rondes.wijzigingen SET eigenaar = 'iemand'": "wijzigingen zijn vastgelegd",
        "DELETE FROM rondes.wijzigingen": "wijzigingen zijn vastgelegd",
        "UPDATE rondes.ketting SET inhoud_sha256 = 'x'": "ronde .* is bevroren",
        "UPDATE rondes_2025.stationsbalans SET tekort_mw = 0": "ronde 2025 is bevroren",
    }
    _sql(keeper, "CREATE SCHEMA prive", role="ep_rondebeheer")  # DDL elsewhere is the keeper's own business
    for statement, message in refused.items():
        with pytest.raises(psycopg.Error, match=message):
            _sql(keeper, statement, role="ep_rondebeheer")
    for statement in ("ALTER TABLE rondes_2025.stationsbalans DISABLE TRIGGER ep_bevroren",
                      "UPDATE rondes_2025.stationsbalans SET tekort_mw = 0"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # the analyst owns nothing, may change nothing
            _sql(analyst, statement)
    assert _ep("baseline", "verify", "--db", analyst).returncode == 0  # an analyst can check the rounds
    assert _ep("baseline", "list", "--db", analyst).returncode == 0
    # the next round, chained to this one, takes in the delivery the analyst recorded
    result = _ep("baseline", "freeze", "--round", "2027", "--config", project / "project.toml", "--db", keeper,
                 "--eigenaar-rol", "ep_rondebeheer", "--resultaten", out, "--alleen-gpkg", "--quiet")
    assert result.returncode == 0, result.stderr
    chain = _sql(db, "SELECT ronde, vorige_sha256, inhoud_sha256 FROM rondes.ketting ORDER BY ronde")
    assert [r[0] for r in chain] == ["2025", "2027"] and chain[0][1] is None and chain[1][1] == chain[0][2]
    assert _sql(db, "SELECT opgenomen_in_ronde FROM rondes.wijzigingen") == [("2027",)]
    assert f"Ronde 2027: in orde, hash {chain[1][2]}." in _ep("baseline", "verify", "--db", analyst).stdout

    # A superuser can bypass triggers and switch the event trigger off; the hashes still tell.
    _sql(db, ["SET session_replication_role = replica", "UPDATE rondes.invoer SET eigenaar = 'iemand' "
                                                        "WHERE laag = 'stations'"])
    for command in ("verify", "list"):
        result = _ep("baseline", command, "--db", analyst)
        assert result.returncode == 3, result.stderr
        assert "LET OP: ronde 2025" in result.stderr and "klopt niet meer met de inhoudshash" in result.stderr
    _sql(db, ["SET session_replication_role = replica", "UPDATE rondes.invoer SET eigenaar = NULL "
                                                        "WHERE laag = 'stations'"])
    assert _ep("baseline", "verify", "--db", analyst).returncode == 0
    _sql(db, ["ALTER EVENT TRIGGER ep_bewaking_ddl DISABLE",
              "ALTER TABLE rondes_2025.stationsbalans ALTER COLUMN tekort_mw TYPE double precision USING 0",
              "ALTER EVENT TRIGGER ep_bewaking_ddl ENABLE"])
    result = _ep("baseline", "verify", "--db", analyst)
    assert result.returncode == 3
    assert "rondes_2025.stationsbalans is gewijzigd na het bevriezen" in result.stderr
