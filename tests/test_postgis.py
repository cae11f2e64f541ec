"""PostGIS as source and target, against a real server started for these tests (tests/postgis_server.py).

Without PostgreSQL/PostGIS installed the database tests are skipped, except with ``CI=true``: then they fail.
"""

from __future__ import annotations

import re
import threading
import traceback
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal
from pyproj import Transformer
from typer.testing import CliRunner

import energieplanologie as ep
from energieplanologie import postgis
from energieplanologie.labels import LAYER_NAMES
from energieplanologie.postgis import (
    DatabaseError,
    mask_password,
    publish_to_postgis,
    read_frame,
    table_checksum,
)
from energieplanologie.sample import SAMPLE_CONFIG

KINDS = ("municipalities", "stations", "station_capacity", "infrastructure", "developments", "constraints")
WRONG = "Fout-Wachtwoord-9137"


def _sql(url: str, query: str, params: list | None = None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


def _no_secret(text: str, secret: str) -> None:
    assert secret not in text, f"wachtwoord gelekt in: {text}"


# ------------------------------------------------------------------------------------------ without a server


def test_mask_password_in_urls_and_keyword_strings():
    assert mask_password("postgresql://piet:geheim@gis:5432/energie") == "postgresql://piet:***@gis:5432/energie"
    assert mask_password("postgres://piet:ge%40heim@gis/energie") == "postgres://piet:***@gis/energie"
    assert mask_password("postgresql://piet@gis/energie") == "postgresql://piet@gis/energie"  # nothing to hide
    assert mask_password("PG:dbname=energie password=geheim host=gis") == "PG:dbname=energie password=*** host=gis"
    assert mask_password("host=gis password='met spatie' user=piet") == "host=gis password=*** user=piet"
    assert mask_password("postgresql:///energie?host=gis&password=geheim&user=piet") == \
        "postgresql:///energie?host=gis&password=***&user=piet"


def test_database_sources_are_told_from_files():
    for source in ("postgresql://gis/energie", "postgres://gis/energie", "service=provincie", "PG:dbname=energie"):
        assert postgis.is_database_source(source)
    for source in ("ontwikkelingen.gpkg", Path("postgresql:/gis/energie"), "servicepunten.csv"):
        assert not postgis.is_database_source(source)


def test_unreachable_server_is_a_dutch_read_error_without_the_password():
    with pytest.raises(DatabaseError, match="niet bereikbaar") as info:
        ep.read_layer("postgresql://piet:Geheim-12@127.0.0.1:1/energie", "stations", table="bron.stations")
    _no_secret(str(info.value), "Geheim-12")
    assert "postgresql://piet:***@127.0.0.1:1/energie" in str(info.value)


def test_a_table_is_required_for_a_database_source():
    with pytest.raises(ep.ConfigError, match="schema.tabel"):
        ep.read_layer("service=provincie", "constraints")


# ------------------------------------------------------------------------------------------ round trips


def test_round_trip_of_every_layer_kind_keeps_geometry_crs_and_types(db, sample_region, server):
    pub = publish_to_postgis(sample_region, None, db, "bron")
    assert pub.tables == {LAYER_NAMES[k]: len(sample_region.layer(k)) for k in KINDS}
    for kind in KINDS:
        original = sample_region.layer(kind)
        data, report = ep.read_layer(db, kind, table=f"bron.{LAYER_NAMES[kind]}")
        # every row back, nothing rejected, and the same columns in the same order with the same dtypes
        assert (report.rows_in, report.rows_kept, report.rows_rejected) == (len(original), len(original), 0), kind
        assert list(data.columns) == list(original.columns), kind
        assert dict(data.dtypes.astype(str)) == dict(original.dtypes.astype(str)), kind
        if isinstance(original, gpd.GeoDataFrame):
            assert data.crs == original.crs == "EPSG:28992"
            # WKB both ways is exact: identical coordinates, identical geometry types (Polygon stays Polygon)
            assert_geodataframe_equal(data, original, check_less_precise=False)
        else:
            pd.testing.assert_frame_equal(data, original)
        assert report.source == f"{mask_password(db)} tabel bron.{LAYER_NAMES[kind]}"
        _no_secret(report.to_text() + report.to_json(), server.password)
    # geometry columns are typed where a layer has one type, generic where it mixes (developments: points and polygons)
    types = dict(_sql(db, "SELECT f_table_name, type || ':' || srid FROM geometry_columns WHERE f_table_schema = 'bron'"))
    assert types == {"gemeenten": "MULTIPOLYGON:28992", "stations": "POINT:28992", "infrastructuur": "GEOMETRY:28992",
                     "ontwikkelingen": "GEOMETRY:28992", "beperkingen": "MULTIPOLYGON:28992"}


def test_province_table_in_wgs84_with_its_own_headers_is_mapped_reprojected_and_validated(db):
    # A province keeps Natura 2000 in WGS84 in a mixed-case table with its own key and a numeric column.
    _sql(db, 'CREATE SCHEMA ruimte; CREATE TABLE ruimte."Natura2000" (gid serial PRIMARY KEY, soort text, '
             'gebiedsnaam text, oppervlak_ha numeric(10,2), geom geometry(MultiPolygon, 4326))')
    square = "MULTIPOLYGON(((3.80 51.30, 3.82 51.30, 3.82 51.31, 3.80 51.31, 3.80 51.30)))"
    _sql(db, "INSERT INTO ruimte.\"Natura2000\" (soort, gebiedsnaam, oppervlak_ha, geom) VALUES "
             "('natura2000', 'Zwin', 1234.50, ST_GeomFromText(%s, 4326)), ('natura2000', NULL, NULL, NULL)", [square])
    data, report = ep.read_layer(db, "constraints", table='ruimte."Natura2000"', mapping={"name": "gebiedsnaam"})
    # the second row has no geometry: rejected and named, so rows in = kept + rejected (2 = 1 + 1)
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (2, 1, 1)
    assert data.crs == "EPSG:28992" and "reprojected" in report.codes("note")
    # each corner of the square, transformed to RD New by pyproj directly (vertices are transformed, not densified)
    lon, lat = [3.80, 3.82, 3.82, 3.80, 3.80], [51.30, 51.30, 51.31, 51.31, 51.30]
    xs, ys = Transformer.from_crs(4326, 28992, always_xy=True).transform(lon, lat)
    ring = np.asarray(data.geometry.iloc[0].geoms[0].exterior.coords)
    assert ring == pytest.approx(np.column_stack([xs, ys]), abs=0.001)
    assert data.loc[0, "name"] == "Zwin" and data.loc[0, "oppervlak_ha"] == 1234.5  # numeric arrives as float
    assert "gid" not in data.columns


def test_tables_without_geometry_column_use_xy_like_a_csv_and_attribute_tables_read_plainly(db):
    _sql(db, "CREATE TABLE public.stations_xy (code text, naam text, x double precision, y double precision)")
    _sql(db, "INSERT INTO stations_xy VALUES ('A', 'Alfa', 45000, 370000), ('B', 'Bravo', 3.8, 51.3)")
    _sql(db, "CREATE TABLE public.cap (station text, jaar int, capaciteit_afname_mw numeric, capaciteit_invoeding_mw real)")
    _sql(db, "INSERT INTO cap VALUES ('A', 2030, 40.5, 20), ('A', 2035, 41, NULL)")
    stations, srep = ep.read_layer(db, "stations", table="stations_xy")
    # Alfa lies in RD metres, Bravo in degrees: one CRS cannot hold both, so the reader must reject one row
    assert srep.rows_in == 2 and srep.rows_kept + srep.rows_rejected == 2
    capacity, crep = ep.read_layer(db, "station_capacity", table="public.cap")
    assert crep.ok and capacity["year"].tolist() == [2030, 2035]
    assert capacity["offtake_capacity_mw"].tolist() == [40.5, 41.0]
    assert capacity["feedin_capacity_mw"].iloc[0] == 20.0 and pd.isna(capacity["feedin_capacity_mw"].iloc[1])


def test_unknown_table_names_what_is_there(db):
    publish_to_postgis(ep.load_sample(), None, db, "bron")
    with pytest.raises(DatabaseError, match=r"bestaat niet in schema 'bron' \(aanwezig: bron.beperkingen, "
                                            r"bron.gemeenten"):
        ep.read_layer(db, "stations", table="bron.stationz")


def test_run_configured_entirely_from_database_tables_equals_the_file_run(db, server, sample_region, tmp_path,
                                                                          monkeypatch):
    publish_to_postgis(sample_region, None, db, "provincie")
    # The province's connection lives in a libpq service file; the configuration names only the service.
    dbname = db.rsplit("/", 1)[1]
    service = tmp_path / "pg_service.conf"
    service.write_text(f"[provincie]\nhost={server.host}\nport={server.port}\ndbname={dbname}\nuser={server.user}\n"
                       f"password={server.password}\n", encoding="utf-8")
    monkeypatch.setenv("PGSERVICEFILE", str(service))
    lines = ['[region]\nname = "Zeeuws-Vlaanderen"\n']
    for kind in KINDS:
        lines.append(f'[layers.{kind}]\npath = "service=provincie"\ntable = "provincie.{LAYER_NAMES[kind]}"\n'
                     f'owner = "Provincie Zeeland"\n')
    lines.append('[analysis]\nscenario = "verwacht"\nyears = [2025, 2030, 2035, 2040]\n')
    config = tmp_path / "project.toml"
    config.write_text("\n".join(lines), encoding="utf-8")

    from_db = ep.load_region_config(config)
    from_files = ep.load_region_config(SAMPLE_CONFIG)
    for kind in KINDS:
        a, b = from_db.layer(kind), from_files.layer(kind)
        if isinstance(b, gpd.GeoDataFrame):
            assert_geodataframe_equal(a, b, check_less_precise=False)
        else:
            pd.testing.assert_frame_equal(a, b)
        assert from_db.reports[kind].source == f"service=provincie tabel provincie.{LAYER_NAMES[kind]}"
    assert from_db.ok
    _no_secret(from_db.validation_text(), server.password)


def test_database_url_in_a_config_never_shows_its_password(db, server, sample_region, tmp_path):
    publish_to_postgis(sample_region, None, db, "bron")
    config = tmp_path / "project.toml"
    wrong = db.replace(server.password, WRONG)
    body = "".join(f'[layers.{k}]\npath = "{wrong}"\ntable = "bron.{LAYER_NAMES[k]}"\n' for k in KINDS)
    config.write_text(body, encoding="utf-8")
    with pytest.raises(ep.ConfigError) as info:
        ep.load_region_config(config)
    message = str(info.value)
    assert message.startswith("layers.municipalities.path: Aanmelden bij de database")
    assert "wachtwoord is onjuist voor gebruiker 'energie'" in message
    _no_secret(message, WRONG)
    _no_secret("".join(traceback.format_exception(info.value)), WRONG)


def test_wrong_password_gives_a_clear_dutch_message_without_the_password(db, server, sample_region):
    wrong = db.replace(server.password, WRONG)
    for call in (lambda: ep.read_layer(wrong, "stations", table="bron.stations"),
                 lambda: publish_to_postgis(sample_region, None, wrong, "bron"),
                 lambda: table_checksum(wrong, "bron.stations")):
        with pytest.raises(DatabaseError) as info:
            call()
        text = str(info.value)
        assert text == (f"Aanmelden bij de database {mask_password(db)} mislukt: het wachtwoord is onjuist voor "
                        "gebruiker 'energie' (of de gebruiker bestaat niet). Controleer het wachtwoord in de "
                        "verbinding, PGPASSWORD, ~/.pgpass of de servicefile.")
        _no_secret("".join(traceback.format_exception(info.value)), WRONG)
        assert info.value.__cause__ is None  # raised "from None": psycopg's own error is not chained into logs


def test_table_checksum_ignores_row_order_and_sees_every_change(db):
    _sql(db, "CREATE TABLE a (id int, naam text, geom geometry(Point, 28992))")
    _sql(db, "INSERT INTO a VALUES (1, 'een', 'SRID=28992;POINT(1 2)'), (2, 'twee', NULL)")
    first, rows = table_checksum(db, "a")
    assert rows == 2 and re.fullmatch(r"[0-9a-f]{64}", first)
    _sql(db, "CREATE TABLE b (LIKE a); INSERT INTO b SELECT * FROM a ORDER BY id DESC")
    _sql(db, "ALTER TABLE a RENAME TO c; ALTER TABLE b RENAME TO a")
    assert table_checksum(db, "a")[0] == first  # same rows in another physical order
    _sql(db, "UPDATE a SET geom = 'SRID=28992;POINT(1 2.001)' WHERE id = 1")
    assert table_checksum(db, "a")[0] != first  # a millimetre is a change


# ------------------------------------------------------------------------------------------ publishing


def _results_gpkg(region: ep.Region, folder: Path) -> Path:
    """The chain's energieplanologie.gpkg (every result layer) for ``region``."""
    from energieplanologie.rounds import run_chain

    return run_chain(region, folder, scenario=None, outputs="gpkg", progress=None)


@pytest.mark.slow
def test_publish_writes_every_result_with_keys_indexes_dutch_comments_and_provenance(db, sample_region, tmp_path):
    from energieplanologie.rounds import provenance

    gpkg = _results_gpkg(sample_region, tmp_path / "uit")
    layers = {str(n): g for n, g in pyogrio.list_layers(gpkg)}
    pub = publish_to_postgis(sample_region, gpkg, db, "energie", round=2025)
    assert set(pub.tables) == set(layers)
    assert {t for (t,) in _sql(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'energie'")} == \
        set(layers) | {"herkomst"}
    for name, gtype in layers.items():
        expected = pyogrio.read_dataframe(gpkg, layer=name)
        stored = read_frame(db, f"energie.{name}")
        assert len(stored) == len(expected) == pub.tables[name], name
        pk = _sql(db, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                      "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary",
                  [f"energie.{name}"])
        assert pk == [("fid",)], name
        gist = _sql(db, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'energie' AND tablename = %s "
                        "AND indexdef LIKE '%%USING gist (geom)%%'", [name])
        assert bool(gist) == (gtype is not None), name
        comment = _sql(db, "SELECT obj_description(%s::regclass)", [f"energie.{name}"])[0][0]
        assert f"Publicatie {pub.id}; ronde 2025" in comment, name
    # natural keys are enforced where the data has them
    uniques = {t: d for t, d in _sql(db, "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'energie' "
                                         "AND indexname LIKE '%%_key'")}
    assert "(station_id)" in uniques["stations"] and "(station_id, jaar)" in uniques["stationscapaciteit"]
    assert "(scenario, station_id, jaar, richting)" in uniques["stationsbalans"]
    # Dutch comments on the table and its columns, values explained
    assert _sql(db, "SELECT obj_description('energie.stationsbalans'::regclass)")[0][0].startswith(
        "Stationsbalans per scenario, station, jaar en richting")
    col = dict(_sql(db, "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
                        "WHERE a.attrelid = 'energie.ontwikkelingen'::regclass AND a.attnum > 0"))
    assert col["afname_mw"] == "Afname mw, in MW. Canonieke naam: offtake_mw."
    assert "housing = Woningbouw" in col["sector"] and col["geom"] == "Geometrie (Geometry) in EPSG:28992 (RD New)."
    # provenance: one row per table, all of this publication, with the inputs' snapshot ids
    prov = provenance(sample_region, round=2025)
    rows = _sql(db, "SELECT tabel, publicatie_id, ronde, softwareversie, invoer FROM energie.herkomst ORDER BY fid")
    assert [r[0] for r in rows] == list(pub.tables)
    assert {(r[1], r[2], r[3]) for r in rows} == {(pub.id, "2025", ep.__version__)}
    assert [i["snapshot_id"] for i in rows[0][4]] == prov["snapshot_ids"]


def test_republish_replaces_our_tables_keeps_grants_and_leaves_other_tables_alone(db, server):
    reader_pw = "lezer-pw-3141"
    role = f"lezer_{db.rsplit('_', 1)[1]}"
    server.create_role(role, reader_pw)
    region = ep.load_sample()
    first = publish_to_postgis(region, None, db, "energie")
    _sql(db, f"GRANT USAGE ON SCHEMA energie TO {role}; GRANT SELECT ON ALL TABLES IN SCHEMA energie TO {role}; "
             "CREATE TABLE energie.eigen_notities (tekst text); INSERT INTO energie.eigen_notities VALUES ('blijft')")
    # second publication: one development less and no constraints layer
    second_region = region.replace(developments=region.developments.iloc[:-1].reset_index(drop=True),
                                   constraints=region.constraints.iloc[0:0])
    second = publish_to_postgis(second_region, None, db, "energie")
    tables = {t for (t,) in _sql(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'energie'")}
    assert "beperkingen" not in tables and "eigen_notities" in tables
    as_reader = server.url(db.rsplit("/", 1)[1], user=role, password=reader_pw)
    # the QGIS user can still read, and reads the second publication (59 = 60 developments minus one)
    assert _sql(as_reader, "SELECT count(*) FROM energie.ontwikkelingen") == [(59,)]
    assert _sql(as_reader, "SELECT DISTINCT publicatie_id FROM energie.herkomst") == [(second.id,)]
    assert first.id != second.id
    assert _sql(db, "SELECT tekst FROM energie.eigen_notities") == [("blijft",)]


def test_a_table_that_is_not_ours_is_never_replaced(db):
    _sql(db, "CREATE SCHEMA energie; CREATE TABLE energie.stations (x int)")
    with pytest.raises(DatabaseError, match="energie.stations bestaat al en is niet door energieplanologie"):
        publish_to_postgis(ep.load_sample(), None, db, "energie")
    assert _sql(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'energie'") == [("stations",)]


def test_a_dependent_view_stops_the_swap_and_nothing_changes(db):
    region = ep.load_sample()
    first = publish_to_postgis(region, None, db, "energie")
    _sql(db, "CREATE SCHEMA rapport; CREATE VIEW rapport.hs AS SELECT naam FROM energie.stations WHERE netvlak = 'HS'")
    with pytest.raises(DatabaseError, match=r"Kan energie.stations niet vervangen: andere objecten hangen ervan af "
                                            r"\(view rapport.hs depends on table stations\)"):
        publish_to_postgis(region, None, db, "energie")
    assert _sql(db, "SELECT DISTINCT publicatie_id FROM energie.herkomst") == [(first.id,)]
    assert _sql(db, "SELECT count(*) FROM pg_tables WHERE tablename LIKE '\\_ep%%'") == [(0,)]  # no leftovers


def _tagged(region: ep.Region, tag: str, n_points: int) -> tuple[ep.Region, dict[str, pd.DataFrame]]:
    """The region with every station name ending in ``tag``, and a big result table of that tag."""
    stations = region.stations.assign(name=region.stations["name"] + f" {tag}")
    rng = np.random.default_rng(7)
    points = gpd.GeoDataFrame({"label": tag, "waarde": rng.random(n_points)},
                              geometry=gpd.points_from_xy(rng.uniform(10_000, 70_000, n_points),
                                                          rng.uniform(350_000, 390_000, n_points)), crs="EPSG:28992")
    return region.replace(stations=stations), {"proefpunten": points}


@pytest.mark.slow
def test_two_concurrent_publications_leave_exactly_one_consistent_state(db):
    region = ep.load_sample()
    publish_to_postgis(*_tagged(region, "O", 10), db, "energie")  # the old state readers start from
    jobs = {tag: _tagged(region, tag, 60_000) for tag in ("A", "B")}
    start = threading.Barrier(3)
    done = threading.Event()
    pubs: dict[str, postgis.Publication] = {}
    errors: list[BaseException] = []
    seen: list[tuple] = []
    # One statement reads every table: in READ COMMITTED it sees one snapshot, taken after its locks.
    check = ("SELECT (SELECT string_agg(DISTINCT publicatie_id, ',') FROM energie.herkomst), "
             "(SELECT string_agg(DISTINCT right(naam, 1), ',') FROM energie.stations), "
             "(SELECT string_agg(DISTINCT label, ',') FROM energie.proefpunten), "
             "(SELECT count(*) FROM energie.proefpunten)")

    def publish(tag: str) -> None:
        try:
            start.wait()
            pubs[tag] = publish_to_postgis(*jobs[tag], db, "energie")
        except BaseException as exc:  # reported below
            errors.append(exc)

    def read() -> None:
        with psycopg.connect(db, autocommit=True) as conn:
            start.wait()
            while not done.is_set():
                seen.append(conn.execute(check).fetchone())

    threads = [threading.Thread(target=publish, args=(t,)) for t in "AB"] + [threading.Thread(target=read)]
    for t in threads:
        t.start()
    for t in threads[:2]:
        t.join(timeout=300)
    done.set()
    threads[2].join(timeout=60)
    assert not errors, errors
    final = _sql(db, check)[0]
    winner = "A" if final[0] == pubs["A"].id else "B"
    # exactly one publication is in place, in every table: the provenance names it and all data carries its tag
    assert final == (pubs[winner].id, winner, winner, 60_000)
    # and every read during the publications saw one whole state: old (10 points) or A or B, never a mix
    allowed = {(None, "O", "O", 10)} | {(pubs[t].id, t, t, 60_000) for t in "AB"}
    observed = {(None if row[0] not in {pubs["A"].id, pubs["B"].id} else row[0], *row[1:]) for row in seen}
    assert observed <= allowed, observed - allowed
    assert len(seen) > 0


# ------------------------------------------------------------------------------------------ command line


def _app():
    import typer

    from energieplanologie.cli_database import register

    app = typer.Typer()
    register(app)
    return app


@pytest.mark.slow
def test_cli_publish_from_a_geopackage_and_from_a_config(db, sample_region, tmp_path, monkeypatch, server):
    runner = CliRunner()
    gpkg = _results_gpkg(sample_region, tmp_path / "uit")
    result = runner.invoke(_app(), ["publish", "--db", db, "--schema", "uitvoer", "--gpkg", str(gpkg),
                                    "--round", "2025"])
    assert result.exit_code == 0, result.output
    assert "Gepubliceerd naar schema uitvoer" in result.output and "uitvoer.stationsbalans" in result.output
    _no_secret(result.output, server.password)
    # the password from the environment, not on the command line
    monkeypatch.setenv("ENERGIEPLANOLOGIE_DB", db)
    result = runner.invoke(_app(), ["publish", "--schema", "vanconfig", "--config", str(SAMPLE_CONFIG), "-q"])
    assert result.exit_code == 0, result.output
    assert _sql(db, "SELECT count(*) FROM vanconfig.ontwikkelingen") == [(60,)]
    monkeypatch.setenv("ENERGIEPLANOLOGIE_DB", db.replace(server.password, WRONG))
    result = runner.invoke(_app(), ["publish", "--schema", "x", "--gpkg", str(gpkg)])
    assert result.exit_code == 2 and "wachtwoord is onjuist" in " ".join(result.output.split())
    _no_secret(result.output, WRONG)


def test_server_going_away_mid_publish_is_one_dutch_line_and_nothing_changes(db, sample_region, tmp_path):
    # Another session holds the schema's publication lock, so the publisher waits inside its transaction; the
    # server then ends the publisher's connection (as a restart or a network drop does). Rolling back on a dead
    # connection fails too: the user must still get one Dutch line (exit 2, as for an unreachable server) and the
    # old publication must stand.
    from typer.testing import CliRunner

    from energieplanologie.cli import app
    from energieplanologie.pipeline import analyse, write_gpkg

    first = publish_to_postgis(sample_region, None, db, "energie")
    gpkg = write_gpkg(analyse(sample_region), tmp_path / "energieplanologie.gpkg")
    holder = psycopg.connect(db, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(hashtext('energieplanologie:publiceren:energie'))")
    stop = threading.Event()

    def kill_the_waiting_publisher() -> None:
        while not stop.is_set():
            rows = holder.execute("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                  "AND query LIKE '%pg_advisory_xact_lock%' AND pid <> pg_backend_pid()").fetchall()
            if rows:
                holder.execute("SELECT pg_terminate_backend(%s)", [rows[0][0]])
                return
            stop.wait(0.05)

    killer = threading.Thread(target=kill_the_waiting_publisher)
    killer.start()
    try:
        result = CliRunner().invoke(app, ["publish", "--db", db, "--schema", "energie", "--gpkg", str(gpkg)])
    finally:
        stop.set()
        killer.join()
        holder.close()
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Fout: ") and "verbinding" in lines[0], result.output
    assert "Traceback" not in result.output
    assert _sql(db, "SELECT DISTINCT publicatie_id FROM energie.herkomst") == [(first.id,)]
