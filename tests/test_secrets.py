"""No output ever holds a password: a password planted in every connection form libpq accepts (and in the forms a
careless user types that libpq does not) is found in no output file, no stdout/stderr line and no database row.

The end-to-end test runs the real command line against the throwaway PostGIS server (``tests/postgis_server.py``)
with one login role per form, each with a password full of the characters that broke the old masking (``#``,
``?``, ``!``, spaces, quotes, backslashes, ``/``, ``@``, ``%``). It runs ``validate``, ``run`` (validatie.json,
validatie.txt, the GeoPackage's provenance), ``publish`` (``<schema>.herkomst``), ``baseline freeze`` into the
database (``rondes.*``, the round's schema) and into a folder (``ronde.json``, the copied project.toml),
``baseline list`` and ``baseline diff``, and the same with wrong passwords (the error paths); then it greps
every file written, every line printed and every table and comment in the database for every password, as
written, percent-encoded and escaped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from energieplanologie._secrets import (
    is_connection_string,
    mask_secrets,
    passwords_in,
    url_password_problem,
    without_password,
)
from energieplanologie.labels import LAYER_NAMES
from energieplanologie.sample import SAMPLE_DIR

# ------------------------------------------------------------------------------------------ the masking itself

#: (connection string, its password as libpq (or the user) means it, what a message shows, what provenance keeps)
FORMS = [
    ("postgresql://piet:Gh#7?q!Zr@gis.example:5432/energie",  # '#', '?', '!' unencoded: libpq reads them
     "Gh#7?q!Zr", "postgresql://piet:***@gis.example:5432/energie", "postgresql://piet@gis.example:5432/energie"),
    ("postgresql://piet:a/b c@d:e@gis.example/energie",  # '/', space, '@', ':' unencoded: libpq cannot
     "a/b c@d:e", "postgresql://piet:***@gis.example/energie", "postgresql://piet@gis.example/energie"),
    ("postgres://piet:P%2F%40%3A%23%3F%25%209w@gis.example/energie?sslmode=require",  # percent-encoded
     "P/@:#?% 9w", "postgres://piet:***@gis.example/energie?sslmode=require",
     "postgres://piet@gis.example/energie?sslmode=require"),
    ("postgresql:///energie?host=gis.example&password=q%20uery&user=piet",  # in the query
     "q uery", "postgresql:///energie?host=gis.example&password=***&user=piet",
     "postgresql:///energie?host=gis.example&user=piet"),
    ("host=gis.example dbname=energie user=piet password=kv#un?quoted",  # key/value, unquoted
     "kv#un?quoted", "host=gis.example dbname=energie user=piet password=***",
     "host=gis.example dbname=energie user=piet"),
    ("host=gis.example password='kv p\\'w\\\\3 z' dbname=energie",  # quoted: a space, a quote, a backslash
     "kv p'w\\3 z", "host=gis.example password=*** dbname=energie", "host=gis.example dbname=energie"),
    ("PG:dbname=energie password=gdal#pw host=gis.example",  # GDAL's prefix
     "gdal#pw", "PG:dbname=energie password=*** host=gis.example", "PG:dbname=energie host=gis.example"),
    ("service=provincie", None, "service=provincie", "service=provincie"),  # the password is in the service file
]


@pytest.mark.parametrize(("source", "password", "shown", "kept"), FORMS)
def test_every_connection_form_is_masked_in_messages_and_stripped_for_provenance(source, password, shown, kept):
    assert is_connection_string(source)
    assert mask_secrets(source) == shown
    assert without_password(source) == kept
    if password is not None:
        assert password in passwords_in(source)
        message = f"Verbinden met {source} mislukt; wachtwoord {password} geweigerd"
        masked = mask_secrets(message, sources=[source])
        assert password not in masked and "***" in masked


def test_file_names_are_not_connection_strings():
    for path in ("ontwikkelingen.gpkg", "data/jaar=2030.gpkg", "servicepunten.csv", "x = y.csv", ""):
        assert not is_connection_string(path), path


def test_a_url_password_that_libpq_would_cut_is_refused_with_the_fix():
    # libpq reads postgresql://piet:a/b@gis/db as host "piet", port "a", database "b@gis/db": its error would
    # show the pieces "a" and "b". Refused before libpq sees it:
    assert url_password_problem("postgresql://piet:a/b@gis/energie") == \
        "het wachtwoord bevat '/', dat in een URL procent-gecodeerd moet worden ('/' als %2F)"
    assert url_password_problem("postgresql://piet:a%2Fb@gis/energie") is None
    assert url_password_problem("postgresql://piet:Gh#7?q!Zr@gis/energie") is None  # libpq reads it right


# ------------------------------------------------------------------------------------------ command line


def _ep(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "energieplanologie", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=600)


def test_a_key_value_string_is_a_database_not_a_file_and_is_never_echoed(tmp_path):
    source = "host=127.0.0.1 port=1 dbname=energie user=piet password='Kv Geheim#1'"
    result = _ep("validate", source, "--kind", "stations", "--table", "bron.stations", "--json")
    assert result.returncode == 2, result.stderr
    assert "bestand niet gevonden" not in result.stdout + result.stderr
    assert "Databaseserver niet bereikbaar (host=127.0.0.1 port=1 dbname=energie user=piet password=***)" in \
        result.stderr
    assert "Kv Geheim#1" not in result.stdout + result.stderr
    assert "Geheim" not in result.stdout + result.stderr


CRASH = textwrap.dedent('''
    """A crash in publish under typer 0.12's default (pretty_exceptions_show_locals=True)."""
    import sys
    import typer

    init = typer.Typer.__init__
    def init_012(self, *args, **kwargs):
        kwargs.setdefault("pretty_exceptions_show_locals", True)  # typer 0.12 showed locals unless told not to
        init(self, *args, **kwargs)
    typer.Typer.__init__ = init_012

    import energieplanologie.postgis as postgis
    def crash(*args, **kwargs):
        raise RuntimeError("onverwacht")
    postgis.publish_to_postgis = crash

    from energieplanologie.cli import main
    sys.argv = ["energieplanologie", *sys.argv[1:]]
    main()
''')


def test_a_crash_never_prints_local_variables(tmp_path):
    driver = tmp_path / "crash.py"
    driver.write_text(CRASH, encoding="utf-8")
    gpkg = tmp_path / "x.gpkg"
    gpkg.write_bytes(b"")
    url = "postgresql://piet:Crash#Geheim7@127.0.0.1:1/energie"
    result = subprocess.run([sys.executable, str(driver), "publish", "--db", url, "--schema", "s", "--gpkg",
                             str(gpkg)], capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"},
                            timeout=300)
    assert result.returncode != 0
    assert "onverwacht" in result.stderr  # it did crash in publish
    assert "Crash#Geheim7" not in result.stdout + result.stderr
    assert "Geheim7" not in result.stdout + result.stderr


# ------------------------------------------------------------------------------------------ end to end

#: One login role per form, with its password (as the server knows it).
ROLES = {
    "ep_url": "Gh#7?q!Zr",  # a URL with '#', '?', '!' written as is
    "ep_enc": "P/@:#?% 9w",  # a URL, percent-encoded
    "ep_kv": "kv p'w\\3 z",  # key/value, quoted, with a quote and a backslash escaped
    "ep_svc": "Svc#pw 4u",  # in a service file
}
#: Wrong passwords, for the error paths; and a URL libpq cannot read (a '/', a space and an '@' unencoded).
WRONG = {"ep_url": "Wr#0?ng!Qq", "ep_enc": "W/@:#?% 0x", "ep_kv": "kw p'w\\0 y", "ep_svc": "Svc#wr 0z"}
CUT = "Cu/t me@up 5"


def _sources(server, dbname: str, passwords: dict[str, str], service: str) -> dict[str, str]:
    h, p = server.host, server.port

    def kv(value: str) -> str:
        return value.replace("\\", "\\\\").replace("'", "\\'")

    return {
        "ep_url": f"postgresql://ep_url:{passwords['ep_url']}@{h}:{p}/{dbname}",
        "ep_enc": f"postgresql://ep_enc:{quote(passwords['ep_enc'], safe='')}@{h}:{p}/{dbname}",
        "ep_kv": f"host={h} port={p} dbname={dbname} user=ep_kv password='{kv(passwords['ep_kv'])}'",
        "ep_svc": f"service={service}",
    }


def _secrets() -> list[str]:
    """Every password as written anywhere: raw, percent-encoded, key/value-escaped."""
    out = set()
    for pw in [*ROLES.values(), *WRONG.values(), CUT]:
        out |= {pw, quote(pw, safe=""), pw.replace("\\", "\\\\").replace("'", "\\'")}
    return sorted(out)


def _database_text(url: str) -> str:
    """Every row of every table, and every comment, in every schema of the database that is not the system's."""
    parts = []
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%%' ORDER BY 1, 2").fetchall()
        for schema, table in tables:
            rows = conn.execute(sql.SQL("SELECT t::text FROM {} AS t").format(sql.Identifier(schema, table)))
            parts += [r[0] for r in rows.fetchall()]
        parts += [r[0] or "" for r in conn.execute(
            "SELECT d.description FROM pg_description d UNION ALL SELECT s.description FROM pg_shdescription s")]
    assert len(tables) > 20  # bron, publications, rounds: the search below really covered them
    return "\n".join(parts)


@pytest.mark.slow
def test_planted_passwords_are_in_no_output_no_printed_line_and_no_table(db, server, sample_region, tmp_path):
    from energieplanologie.postgis import publish_to_postgis

    dbname = db.rsplit("/", 1)[1]
    publish_to_postgis(sample_region, None, db, "bron")  # the province's source tables (as the superuser)
    with psycopg.connect(db, autocommit=True) as conn:
        for role, password in ROLES.items():
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
            conn.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(sql.Identifier(dbname),
                                                                            sql.Identifier(role)))
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA bron TO {}; GRANT SELECT ON ALL TABLES IN SCHEMA bron TO {}")
                         .format(sql.Identifier(role), sql.Identifier(role)))
    inputs = tmp_path / "invoer"  # the user's own files: they hold the passwords, nothing else may
    inputs.mkdir()
    service = inputs / "pg_service.conf"
    service.write_text(f"[ep_goed]\nhost={server.host}\nport={server.port}\ndbname={dbname}\nuser=ep_svc\n"
                       f"password={ROLES['ep_svc']}\n\n[ep_fout]\nhost={server.host}\nport={server.port}\n"
                       f"dbname={dbname}\nuser=ep_svc\npassword={WRONG['ep_svc']}\n", encoding="utf-8")
    env = {"PGSERVICEFILE": str(service), "PGPASSFILE": str(inputs / "geen_pgpass")}
    good = _sources(server, dbname, ROLES, "ep_goed")
    wrong = _sources(server, dbname, WRONG, "ep_fout")
    cut = f"postgresql://ep_url:{CUT}@{server.host}:{server.port}/{dbname}"

    def config(name: str, sources: dict[str, str]) -> Path:
        layers = {"municipalities": sources["ep_url"], "stations": sources["ep_enc"],
                  "station_capacity": sources["ep_kv"], "infrastructure": sources["ep_svc"],
                  "developments": sources["ep_url"]}
        body = "".join(f"[layers.{kind}]\npath = {json.dumps(src)}\ntable = \"bron.{LAYER_NAMES[kind]}\"\n"
                       for kind, src in layers.items())
        body += f"[layers.constraints]\npath = {json.dumps(str(SAMPLE_DIR / 'beperkingen.gpkg'))}\n"
        path = inputs / name
        path.write_text('[region]\nname = "Zeeuws-Vlaanderen"\n' + body, encoding="utf-8")
        return path

    good_config, wrong_config, cut_config = config("goed.toml", good), config("fout.toml", wrong), \
        config("kapot.toml", {**good, "ep_url": cut})
    out = tmp_path / "uitvoer"
    runs: list[subprocess.CompletedProcess] = []

    def ep(*args: str, code: int = 0) -> None:
        result = _ep(*args, env=env)
        runs.append(result)
        assert result.returncode == code, (args[:2], result.stdout[-1500:], result.stderr[-1500:])

    for role in ROLES:  # the sources themselves
        ep("validate", good[role], "--kind", "stations", "--table", "bron.stations", "--json")
        ep("validate", wrong[role], "--kind", "stations", "--table", "bron.stations", code=2)
    ep("validate", cut, "--kind", "stations", "--table", "bron.stations", code=2)
    ep("run", str(good_config), "--out", str(out), "--round", "2025", "--geen-pdf", "--quiet")
    ep("run", str(wrong_config), "--out", str(tmp_path / "fout"), "--quiet", code=2)
    ep("run", str(cut_config), "--out", str(tmp_path / "kapot"), "--quiet", code=2)
    gpkg = out / "energieplanologie.gpkg"
    for i, role in enumerate(ROLES):
        ep("publish", "--db", good[role], "--schema", f"publicatie_{i}", "--gpkg", str(gpkg), "--round", "2025")
        ep("publish", "--db", wrong[role], "--schema", f"fout_{i}", "--gpkg", str(gpkg), code=2)
    ep("publish", "--db", good["ep_enc"], "--schema", "vanconfig", "--config", str(good_config), "-q")
    ep("baseline", "freeze", "--round", "2025", "--config", str(good_config), "--db", good["ep_kv"],
       "--resultaten", str(out), "--alleen-gpkg", "-q")
    ep("baseline", "list", "--config", str(good_config), "--db", good["ep_kv"])
    ep("baseline", "freeze", "--round", "2025", "--config", str(good_config), "--store", str(tmp_path / "rondes"),
       "--resultaten", str(out), "-q")
    ep("baseline", "list", "--config", str(good_config), "--store", str(tmp_path / "rondes"))
    ep("baseline", "diff", "--config", str(good_config), "--store", str(tmp_path / "rondes"), "--gpkg", str(gpkg),
       "--out", str(tmp_path / "verschillen"), "-q")
    ep("baseline", "list", "--config", str(good_config), "--db", wrong["ep_kv"], code=2)

    # What was really exercised: the run read all five database layers, the publications and rounds exist.
    report = json.loads((out / "validatie.json").read_text(encoding="utf-8"))
    assert report["layers"]["municipalities"]["source"] == \
        f"postgresql://ep_url:***@{server.host}:{server.port}/{dbname} tabel bron.gemeenten"
    assert report["layers"]["infrastructure"]["source"] == "service=ep_goed tabel bron.infrastructuur"
    with psycopg.connect(db) as conn:
        invoer = dict(conn.execute("SELECT laag, bron FROM rondes.invoer").fetchall())
    assert invoer["station_capacity"] == f"host={server.host} port={server.port} dbname={dbname} user=ep_kv"
    assert invoer["stations"] == f"postgresql://ep_enc@{server.host}:{server.port}/{dbname}"  # no password at all

    secrets = _secrets()
    printed = "\n".join(r.stdout + r.stderr for r in runs)
    assert "wachtwoord is onjuist" in printed and "procent-gecodeerd" in printed
    leaks = [s for s in secrets if s in printed]
    assert not leaks, f"wachtwoord in uitvoer op het scherm: {leaks}"
    files = [p for p in tmp_path.rglob("*") if p.is_file() and inputs not in p.parents]
    assert len(files) > 40
    for path in files:
        data = path.read_bytes()
        found = [s for s in secrets if s.encode("utf-8") in data]
        assert not found, f"wachtwoord in {path.relative_to(tmp_path)}: {found}"
    stored = _database_text(db)
    found = [s for s in secrets if s in stored]
    assert not found, f"wachtwoord in de database: {found}"
