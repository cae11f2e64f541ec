"""Programming rounds: freezing a baseline, later deliveries, comparing, provenance (folder and PostGIS stores).

Scenario of these tests, on a copy of the shipped sample: round 2025 is frozen; afterwards TenneT re-plans project
P05 (Westdorpe 150 kV, +80 MW offtake) from 2036 to 2031 and a municipality delivers one new development. In the
sample's balance (scenario *verwacht*) Westdorpe (WDO) is short of offtake capacity in 2035: capacity 120 MW, load
145.2 MW, shortage 25.2 MW. With P05 in service from 2031 the 2035 capacity is 200 MW, so that shortage is gone.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import pyogrio
import pytest
from shapely import Point
from typer.testing import CliRunner

import energieplanologie as ep
from energieplanologie.postgis import DatabaseError, publish_to_postgis, table_checksum
from energieplanologie.rounds import (
    FolderStore,
    PostgisStore,
    RoundFrozenError,
    add_gpkg_provenance,
    compare_with_round,
    detect_changes,
    file_checksum,
    frame_checksum,
    freeze_round,
    list_rounds,
    provenance,
    read_gpkg_provenance,
    verify_round,
)
from energieplanologie.sample import SAMPLE_CONFIG

OWNERS = {"municipalities": "CBS", "stations": "Enduris", "station_capacity": "Enduris",
          "infrastructure": "TenneT", "developments": "Provincie Zeeland", "constraints": "Provincie Zeeland"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the sample project whose configuration names the data owner of every layer."""
    folder = tmp_path / "project"
    shutil.copytree(SAMPLE_CONFIG.parent, folder)
    text = (folder / "project.toml").read_text(encoding="utf-8")
    for kind, owner in OWNERS.items():
        text = text.replace(f"[layers.{kind}]\n", f'[layers.{kind}]\nowner = "{owner}"\n', 1)
    (folder / "project.toml").write_text(text, encoding="utf-8")
    return folder / "project.toml"


def _replan_p05_and_add_a_development(folder: Path) -> None:
    """The later deliveries: P05 ready in 2031 instead of 2036; a new development at Oostburg (OBG)."""
    projects = pyogrio.read_dataframe(folder / "projecten.gpkg", layer="projecten")
    assert projects.loc[projects["project_id"] == "P05", "year_ready"].item() == 2036
    projects.loc[projects["project_id"] == "P05", "year_ready"] = 2031
    pyogrio.write_dataframe(projects, folder / "projecten.gpkg", layer="projecten")
    developments = pyogrio.read_dataframe(folder / "ontwikkelingen.gpkg", layer="ontwikkelingen")
    new = developments.iloc[[0]].assign(id="ZV-999", naam="Zonnedak loods Oostburg", invoeding_mw=5.0,
                                        afname_mw=0.0, jaar=2030, zekerheid="vergund", station_id="OBG")
    pyogrio.write_dataframe(pd.concat([developments, new], ignore_index=True), folder / "ontwikkelingen.gpkg",
                            layer="ontwikkelingen")


def _wdo_2035(diff) -> pd.DataFrame:
    c = diff.changes
    return c[(c["id"] == "WDO") & (c["scenario"] == "verwacht") & (c["year"] == 2035) & (c["direction"] == "offtake")]


# ------------------------------------------------------------------------------------------ checksums, provenance


def test_checksums_follow_the_data():
    p = Path(__file__).parent / "data"
    # a file's checksum is plain sha256 of its bytes
    some = next(q for q in sorted(p.rglob("*.csv")))
    assert file_checksum(some) == hashlib.sha256(some.read_bytes()).hexdigest()
    a = gpd.GeoDataFrame({"station_id": ["S1", "S2"], "year": pd.array([2030, None], dtype="Int64")},
                         geometry=[Point(45000, 370000), Point(46000, 371000)], crs="EPSG:28992")
    same = a.copy()
    moved = a.set_geometry([Point(45000, 370000), Point(46000, 371000.001)], crs="EPSG:28992")
    other_crs = a.set_crs("EPSG:4326", allow_override=True)
    assert frame_checksum(a) == frame_checksum(same)
    assert len({frame_checksum(a), frame_checksum(moved), frame_checksum(other_crs)}) == 3



def test_frame_checksum_is_sha256_of_the_canonical_dump():
    # The dump, written out by hand: the CRS, the column names joined by \x1f, then every row as CSV with \N for
    # a missing value, the geometry as hex WKB (little-endian point (1, 2)), a field with a comma quoted.
    frame = gpd.GeoDataFrame({"naam": ["a,b", None], "mw": [1.5, float("nan")],
                              "jaar": pd.array([2030, None], dtype="Int64")},
                             geometry=[Point(1, 2), None], crs="EPSG:28992")
    wkb = "0101000000000000000000F03F0000000000000040"
    dump = ("crs:28992\n" "naam\x1fmw\x1fjaar\x1fgeometry\n"
            f'"a,b",1.5,2030,{wkb}\n' "\\N,\\N,\\N,\\N\n")
    assert frame_checksum(frame) == hashlib.sha256(dump.encode("utf-8")).hexdigest()

def test_provenance_lands_in_the_geopackage_metadata_of_every_layer(tmp_path, sample_region):
    from energieplanologie.io import write_layers

    gpkg = tmp_path / "uit.gpkg"
    write_layers(gpkg, {"stations": sample_region.stations, "stationscapaciteit": sample_region.station_capacity})
    # a layer that already has metadata of its own keeps it
    extra = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(45000, 370000)], crs="EPSG:28992")
    pyogrio.write_dataframe(extra, gpkg, layer="eigen", layer_metadata={"maker": "gemeente"}, append=False)
    prov = provenance(sample_region, round=2025)
    assert prov["snapshot_ids"] == [f"{k}-{frame_checksum(sample_region.layer(k))[:12]}" for k in
                                    ("municipalities", "stations", "station_capacity", "infrastructure",
                                     "developments", "constraints")]
    # a region built in code has no reports: its layers with rows count, its empty constraints layer does not
    built = ep.Region.from_layers(name="code", municipalities=sample_region.municipalities,
                                  stations=sample_region.stations, station_capacity=sample_region.station_capacity,
                                  infrastructure=sample_region.infrastructure,
                                  developments=sample_region.developments, validated=True)
    assert [s.split("-")[0] for s in provenance(built)["snapshot_ids"]] == \
        ["municipalities", "stations", "station_capacity", "infrastructure", "developments"]
    add_gpkg_provenance(gpkg, prov)
    add_gpkg_provenance(gpkg, {**prov, "round": "2025b"})  # again: replaces, does not pile up
    for layer in ("stations", "stationscapaciteit", "eigen"):
        meta = pyogrio.read_info(gpkg, layer=layer)["layer_metadata"]
        assert meta["ronde"] == "2025b" and meta["invoer_snapshots"] == ",".join(prov["snapshot_ids"])
        assert meta["energieplanologie_versie"] == ep.__version__
    assert pyogrio.read_info(gpkg, layer="eigen")["layer_metadata"]["maker"] == "gemeente"
    assert read_gpkg_provenance(gpkg)["round"] == "2025b"
    # the file stays a readable GeoPackage with its data
    assert len(pyogrio.read_dataframe(gpkg, layer="stations")) == len(sample_region.stations)


# ------------------------------------------------------------------------------------------ folder store


@pytest.mark.slow
def test_freeze_change_an_input_see_the_change_and_the_frozen_round_untouched(project, tmp_path):
    store = FolderStore(tmp_path / "rondes")
    frozen = freeze_round(project, 2025, store=store, owners={"infrastructure": "TenneT en Stedin"}, outputs="gpkg")
    folder = project.parent
    assert [s.layer for s in frozen.inputs] == list(OWNERS)
    assert {s.layer: s.owner for s in frozen.inputs} == {**OWNERS, "infrastructure": "TenneT en Stedin"}
    snap = frozen.input("infrastructure")
    assert snap.source == "projecten.gpkg (laag projecten)" and snap.rows == 11  # P01–P10 and the flex asset P11
    assert snap.source_sha256 == hashlib.sha256((folder / "projecten.gpkg").read_bytes()).hexdigest()
    stored = tmp_path / "rondes" / "ronde_2025" / "uitvoer" / "energieplanologie.gpkg"
    assert read_gpkg_provenance(stored)["snapshot_ids"] == frozen.snapshot_ids
    assert pyogrio.read_info(stored, layer="stationsbalans")["layer_metadata"]["ronde"] == "2025"
    # the configuration is kept with the round
    assert 'owner = "TenneT"' in (tmp_path / "rondes" / "ronde_2025" / "project.toml").read_text(encoding="utf-8")

    with pytest.raises(RoundFrozenError, match="Ronde 2025 is al bevroren"):
        freeze_round(project, "2025", store=store, outputs="gpkg")

    _replan_p05_and_add_a_development(folder)
    result = compare_with_round(project, "2025", store=store, out_dir=tmp_path / "vergelijking")
    changed = result.inputs.set_index("layer")
    assert sorted(changed.index) == ["developments", "infrastructure"]
    assert set(changed["change"]) == {"changed"} and changed.loc["developments", "owner"] == "Provincie Zeeland"
    assert changed.loc["infrastructure", "old_snapshot_id"] == frozen.input("infrastructure").snapshot_id
    assert changed.loc["infrastructure", "new_sha256"] == hashlib.sha256(
        (folder / "projecten.gpkg").read_bytes()).hexdigest()
    # the results: P05 is the one re-planned project; WDO's 2035 offtake shortage of 25.2 MW is gone (see top)
    assert (result.diff.added, result.diff.removed, result.diff.replanned) == ([], [], ["P05"])
    p05 = result.diff.changes[result.diff.changes["id"] == "P05"]
    assert p05[["field", "old", "new"]].values.tolist() == [["year_ready", 2036, 2031]]
    wdo = _wdo_2035(result.diff)
    assert wdo[["old", "new"]].values.tolist() == [[pytest.approx(25.2), 0]]
    written = {p.name for p in result.files}
    assert written == {"verschillen.html", "verschillen.csv", "invoerwijzigingen.csv"}
    csv = pd.read_csv(tmp_path / "vergelijking" / "invoerwijzigingen.csv")
    assert list(csv.columns[:3]) == ["laag", "wijziging", "invoerbron"] and set(csv["wijziging"]) == {"gewijzigd"}

    # the frozen round is untouched: every stored file has its frozen checksum, P05 is still 2036 there
    assert verify_round(store, 2025) == []
    old = pyogrio.read_dataframe(stored, layer="infrastructuur")
    assert old.loc[old["project_id"] == "P05", "jaar_gereed"].item() == 2036
    assert store.load("2025") == frozen
    # the deliveries are recorded for the next round, once
    pending = store.changes()
    assert sorted(pending["layer"]) == ["developments", "infrastructure"] and pending["included_in"].isna().all()
    compare_with_round(project, store=store)  # the latest round by default; records nothing twice
    assert len(store.changes()) == 2

    # the next round takes them in
    later = freeze_round(project, 2027, store=store, outputs="gpkg")
    assert later.input("infrastructure").snapshot_id == changed.loc["infrastructure", "new_snapshot_id"]
    assert set(store.changes()["included_in"]) == {"2027"}
    assert detect_changes(project, store=store).empty  # compared with 2027 now
    assert list_rounds(store)["round"].tolist() == ["2025", "2027"]


@pytest.mark.slow
def test_a_frozen_folder_round_reports_tampering(project, tmp_path):
    store = FolderStore(tmp_path / "rondes")
    freeze_round(project, 2025, store=store, outputs="gpkg")
    gpkg = tmp_path / "rondes" / "ronde_2025" / "uitvoer" / "energieplanologie.gpkg"
    assert oct(gpkg.stat().st_mode & 0o777) == "0o444"  # frozen files are read-only
    gpkg.chmod(0o644)
    with gpkg.open("ab") as fh:
        fh.write(b"\0")
    (gpkg.parent / "extra.txt").write_text("x", encoding="utf-8")
    assert verify_round(store, "2025") == ["uitvoer/energieplanologie.gpkg is gewijzigd na het bevriezen",
                                           "uitvoer/extra.txt is toegevoegd na het bevriezen"]


def test_results_of_other_inputs_are_refused(project, tmp_path, sample_region):
    from energieplanologie.io import write_layers

    gpkg = write_layers(tmp_path / "elders.gpkg", {"stations": sample_region.stations})
    other = sample_region.replace(stations=sample_region.stations.iloc[:3])
    add_gpkg_provenance(gpkg, provenance(other))
    with pytest.raises(RoundFrozenError, match="berekend uit andere invoer"):
        freeze_round(project, 2025, store=tmp_path / "rondes", results=gpkg)
    assert not (tmp_path / "rondes" / "ronde_2025").exists()


@pytest.mark.slow
def test_cli_baseline_freeze_list_diff(project, tmp_path):
    import typer

    from energieplanologie.cli_database import register

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    args = ["--config", str(project)]
    result = runner.invoke(app, ["baseline", "freeze", "--round", "2025", *args, "--owner", "stations=Stedin",
                                 "--alleen-gpkg", "-q"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Ronde 2025 van Zeeuws-Vlaanderen bevroren" in text and "Stedin" in text
    assert (project.parent / "rondes" / "ronde_2025" / "ronde.json").is_file()  # default store: next to the config
    again = runner.invoke(app, ["baseline", "freeze", "--round", "2025", *args, "--alleen-gpkg", "-q"])
    assert again.exit_code == 1 and "al bevroren" in " ".join(again.output.split())
    _replan_p05_and_add_a_development(project.parent)
    result = runner.invoke(app, ["baseline", "diff", *args, "--out", str(tmp_path / "d"), "-q"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "infrastructure gewijzigd" in text and "1 herpland" in text
    result = runner.invoke(app, ["baseline", "list", *args])
    text = " ".join(result.output.split())
    assert result.exit_code == 0 and "ronde 2025" in text and "Geleverd na het bevriezen" in text
    manifest = json.loads((project.parent / "rondes" / "ronde_2025" / "ronde.json").read_text(encoding="utf-8"))
    assert manifest["inputs"][1]["owner"] == "Stedin"


# ------------------------------------------------------------------------------------------ PostGIS store


def _sql(url: str, query: str, params: list | None = None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


@pytest.mark.slow
def test_rounds_in_postgis_are_frozen_by_the_database_itself(project, db, server):
    store = PostgisStore(db)
    frozen = freeze_round(project, 2025, store=db, outputs="gpkg")
    assert frozen.location == "rondes_2025"
    assert _sql(db, "SELECT ronde, regio FROM rondes.rondes") == [("2025", "Zeeuws-Vlaanderen")]
    assert _sql(db, "SELECT laag, eigenaar FROM rondes.invoer ORDER BY laag") == sorted(OWNERS.items())
    tables = {t for (t,) in _sql(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'rondes_2025'")}
    assert {"stationsbalans", "infrastructuur", "knooppunten", "afweging", "herkomst"} <= tables
    # the database refuses every change to the frozen round, whoever tries
    for statement in ("UPDATE rondes_2025.infrastructuur SET jaar_gereed = 2031",
                      "DELETE FROM rondes_2025.stationsbalans", "TRUNCATE rondes_2025.afweging",
                      "INSERT INTO rondes_2025.herkomst (fid, tabel) VALUES (99, 'x')",
                      "UPDATE rondes.invoer SET eigenaar = 'iemand'", "DELETE FROM rondes.rondes"):
        with pytest.raises(psycopg.errors.RaiseException, match="ronde .* is bevroren"):
            _sql(db, statement)
    with pytest.raises(DatabaseError, match="hoort bij een bevroren ronde"):
        publish_to_postgis(ep.load_sample(), None, db, "rondes_2025")
    with pytest.raises(RoundFrozenError, match="Ronde 2025 is al bevroren"):
        freeze_round(project, 2025, store=store, outputs="gpkg")

    _replan_p05_and_add_a_development(project.parent)
    result = compare_with_round(project, 2025, store=store)  # the frozen results are exported to a GeoPackage
    assert result.diff.replanned == ["P05"]
    assert _wdo_2035(result.diff)[["old", "new"]].values.tolist() == [[pytest.approx(25.2), 0]]
    assert sorted(_sql(db, "SELECT laag, wijziging, eigenaar FROM rondes.wijzigingen WHERE opgenomen_in_ronde IS NULL")) \
        == [("developments", "changed", "Provincie Zeeland"), ("infrastructure", "changed", "TenneT")]
    assert verify_round(store, 2025) == []
    assert _sql(db, "SELECT jaar_gereed FROM rondes_2025.infrastructuur WHERE project_id = 'P05'") == [(2036,)]
    # Switching the trigger off is DDL, which the event trigger refuses (the freeze, by a superuser, installed it);
    # a superuser can still bypass the triggers, and the recorded checksums and content hash then tell.
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="bevroren programmeerronde"):
        _sql(db, "ALTER TABLE rondes_2025.infrastructuur DISABLE TRIGGER ep_bevroren")
    _sql(db, "SET session_replication_role = replica; "
             "UPDATE rondes_2025.infrastructuur SET jaar_gereed = 2031 WHERE project_id = 'P05'")
    assert verify_round(store, 2025) == ["rondes_2025.infrastructuur is gewijzigd na het bevriezen"]


@pytest.mark.slow
def test_freeze_from_database_tables_checksums_the_table_and_sees_a_new_delivery(db, server, sample_region, tmp_path):
    publish_to_postgis(sample_region, None, db, "provincie")
    from energieplanologie.labels import LAYER_NAMES

    body = "".join(f'[layers.{k}]\npath = "{db}"\ntable = "provincie.{LAYER_NAMES[k]}"\nowner = "{OWNERS[k]}"\n'
                   for k in OWNERS)
    config = tmp_path / "project.toml"
    config.write_text(body, encoding="utf-8")
    frozen = freeze_round(config, 2025, store=tmp_path / "rondes", outputs="gpkg")
    snap = frozen.input("developments")
    assert snap.table == "provincie.ontwikkelingen"
    assert snap.source_sha256 == table_checksum(db, "provincie.ontwikkelingen")[0]
    assert server.password not in json.dumps(frozen.to_dict())
    assert snap.source == db.replace(f":{server.password}@", "@")  # provenance keeps no password at all
    assert server.password not in (tmp_path / "rondes" / "ronde_2025" / "project.toml").read_text(encoding="utf-8")
    # the province corrects one development in its table: a change for the next round
    _sql(db, "UPDATE provincie.ontwikkelingen SET afname_mw = afname_mw + 1 WHERE ontwikkeling_id = 'ZV-003'")
    changes = detect_changes(config, store=tmp_path / "rondes")
    assert changes[["layer", "change", "owner"]].values.tolist() == [["developments", "changed", "Provincie Zeeland"]]
