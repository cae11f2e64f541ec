"""Bring your own data: ``energieplanologie run CONFIG`` on a differently shaped delivery of the sample.

``tests/data/byod/`` holds the Zeeuws-Vlaanderen sample as another province would deliver it (other formats,
column names, Dutch values, WGS84, CSV with x/y, zipped Shapefile, XLSX; see ``make_byod.py`` there). The same
data must give the same numbers: the output folder of ``run tests/data/byod/project.toml`` is compared with the
one of ``run`` on the sample's own configuration, file by file. A third run takes the template of
``energieplanologie init`` with its paths pointed at the sample files: a newcomer's first run.

The three runs are subprocesses started together (each takes most of a minute) and run on a pseudo-terminal, so
that the progress bars are what a user sees and ``--quiet`` is tested where it matters.
"""

from __future__ import annotations

import errno
import json
import os
import pty
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely

from energieplanologie.config import load_region_config
from energieplanologie.sample import SAMPLE_CONFIG, SAMPLE_DIR, sample_settings

BYOD = Path(__file__).parent / "data" / "byod"
BYOD_CONFIG = BYOD / "project.toml"
TOLERANCE_MW = 1e-6

pytestmark = pytest.mark.slow


# ------------------------------------------------------------------------------------------- running


@dataclass
class Run:
    returncode: int
    stdout: str
    terminal: str  # everything written to stderr, which is a pseudo-terminal
    out: Path


def _start(args: list[str], cwd: Path) -> tuple[subprocess.Popen, threading.Thread, list[bytes]]:
    """Start ``energieplanologie ARGS`` with stderr on a pseudo-terminal (rich draws bars only on a terminal)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE")}
    env["COLUMNS"] = "120"
    proc = subprocess.Popen([sys.executable, "-m", "energieplanologie", *args], cwd=cwd, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:  # a pty's buffer is small: read it while the process runs
        while True:
            try:
                data = os.read(master, 65536)
            except OSError as exc:  # EIO once the child has closed its end
                if exc.errno != errno.EIO:
                    raise
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    return proc, reader, chunks


def _run_all(jobs: dict[str, tuple[list[str], Path, Path]]) -> dict[str, Run]:
    started = {name: (_start(args, cwd), out) for name, (args, cwd, out) in jobs.items()}
    runs = {}
    for name, ((proc, reader, chunks), out) in started.items():
        stdout, _ = proc.communicate(timeout=1200)
        reader.join(timeout=60)
        runs[name] = Run(proc.returncode, stdout.decode("utf-8", "replace"),
                         b"".join(chunks).decode("utf-8", "replace"), out)
    return runs


def _template_project(folder: Path) -> Path:
    """``init`` a project and point the template at copies of the sample files, as a newcomer would."""
    result = subprocess.run([sys.executable, "-m", "energieplanologie", "init", str(folder)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Sjabloon geschreven" in result.stdout
    config = folder / "project.toml"
    text = config.read_text(encoding="utf-8")
    # The template already names the sample's file names for the required layers; the optional ones are
    # commented out. Uncomment them and point constraints at the sample's file.
    for old, new in [
        ('# [layers.infrastructure]\n# path = "projecten.gpkg"', '[layers.infrastructure]\npath = "projecten.gpkg"'),
        ('# [layers.constraints]\n# path = "natura2000.gpkg"', '[layers.constraints]\npath = "beperkingen.gpkg"'),
        ('name = "Mijn regio"', 'name = "Zeeuws-Vlaanderen"'),
        ('# user_scores = "beoordelingen.csv"', 'user_scores = "beoordelingen.csv"'),
    ]:
        assert old in text, f"sjabloon veranderd: {old!r} niet gevonden"
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    for name in ("gemeenten.geojson", "stations.gpkg", "capaciteit.csv", "projecten.gpkg", "ontwikkelingen.gpkg",
                 "beperkingen.gpkg", "beoordelingen.csv"):
        shutil.copy(SAMPLE_DIR / name, folder / name)
    return config


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Run]:
    root = tmp_path_factory.mktemp("byod")
    template = _template_project(root / "sjabloon")
    elsewhere = root / "ergens"  # relative paths resolve against the config file, not the working directory
    elsewhere.mkdir()
    jobs = {
        "sample": (["run", str(SAMPLE_CONFIG), "--out", str(root / "sample"), "--quiet"], elsewhere, root / "sample"),
        "byod": (["run", str(BYOD_CONFIG), "--out", str(root / "byod")], elsewhere, root / "byod"),
        "template": (["run", str(template), "--out", str(root / "template"), "--quiet"], elsewhere,
                     root / "template"),
    }
    result = _run_all(jobs)
    for name, run in result.items():
        assert run.returncode == 0, f"{name}: exit {run.returncode}\n{run.terminal}\n{run.stdout}"
    return result


# ------------------------------------------------------------------------------------------- reading back


def _balance(out: Path) -> pd.DataFrame:
    frame = pd.read_csv(out / "stationsbalans.csv", dtype={"station_id": str})
    return frame.sort_values(["station_id", "scenario", "jaar", "richting"]).reset_index(drop=True)


def _layer(out: Path, name: str) -> pd.DataFrame:
    return pyogrio.read_dataframe(out / "energieplanologie.gpkg", layer=name, read_geometry=False)


def _assert_same_balance(a: pd.DataFrame, b: pd.DataFrame) -> None:
    keys = ["station_id", "scenario", "jaar", "richting"]
    assert list(a.columns) == list(b.columns)
    assert a[keys].equals(b[keys])
    numbers = [c for c in a.columns if pd.api.types.is_numeric_dtype(a[c]) and c != "jaar"]
    assert "tekort_mw" in numbers and "capaciteit_mw" in numbers and "last_mw" in numbers
    diff = (a[numbers] - b[numbers]).abs().fillna(0.0)
    assert diff.to_numpy().max() <= TOLERANCE_MW, diff.max().sort_values().tail(3)
    assert (a[numbers].isna() == b[numbers].isna()).all().all()
    text = [c for c in a.columns if c not in numbers]
    pd.testing.assert_frame_equal(a[text], b[text])


# ------------------------------------------------------------------------------------------- tests


def test_byod_config_reads_into_the_sample_region(sample_region):
    """In-process and fast: every canonical layer of the BYOD delivery equals the sample's (ids, values, geometry).

    When this fails after the sample changed, rebuild the data set: ``python tests/data/byod/make_byod.py``.
    """
    byod = load_region_config(BYOD_CONFIG)
    assert byod.ok, byod.validation_text()
    keys = {"municipalities": ["municipality_code"], "stations": ["station_id"],
            "station_capacity": ["station_id", "year"], "infrastructure": ["project_id"],
            "developments": ["development_id"], "constraints": ["kind", "name"]}
    for kind, key in keys.items():
        ours = getattr(sample_region, kind)
        theirs = getattr(byod, kind)
        assert len(theirs) == len(ours), kind
        a = ours.sort_values(key).reset_index(drop=True)
        b = theirs.sort_values(key).reset_index(drop=True)
        spec_columns = [c for c in a.columns if c in b.columns and c not in ("geometry", "source_row")]
        # Every canonical column of the sample arrives, through the mapping, in the BYOD region too.
        from energieplanologie.schema import SCHEMAS

        assert set(SCHEMAS[kind].column_names) & set(a.columns) <= set(b.columns), kind
        pd.testing.assert_frame_equal(a[spec_columns], b[spec_columns], check_dtype=False, obj=kind)
        if "geometry" in a.columns:
            # WGS84 → RD is computed again on reading; the generator chose the degrees so that it lands on the
            # same RD metres (within nanometres). Shapefile turns single polygons into polygons (not multi).
            distance = shapely.hausdorff_distance(np.asarray(a.geometry), np.asarray(b.geometry))
            assert float(np.max(distance)) < 1e-6, kind
            assert b.crs.to_epsg() == 28992


def test_byod_judgements_are_the_samples(sample_region):
    """The workbook of judgements (document words, full criterion titles) reads as the sample's CSV."""
    from energieplanologie.assessment import load_framework, read_judgements

    framework = load_framework()
    ids = sample_region.infrastructure["project_id"]
    ours = read_judgements(sample_settings().assessment_options()["user_scores"], framework, ids)
    theirs = read_judgements(BYOD / "oordelen.xlsx", framework, ids)
    key = ["project_id", "criterion"]
    pd.testing.assert_frame_equal(ours.sort_values(key).reset_index(drop=True),
                                  theirs.sort_values(key).reset_index(drop=True))
    assert len(ours) > 0


def test_byod_reports_what_it_repaired():
    """Nothing silent: the report says WGS84 was reprojected, the level was derived, the title row skipped — the
    reading as documented as notes, the interventions as repairs."""
    byod = load_region_config(BYOD_CONFIG)
    codes = {kind: set(report.codes("repair")) for kind, report in byod.reports.items()}
    notes = {kind: set(report.codes("note")) for kind, report in byod.reports.items()}
    assert "reprojected" in notes["developments"]  # WGS84 → RD New
    assert {"level_derived", "text_to_number"} <= notes["stations"] and "crs_assigned" in codes["stations"]
    assert "title_row_skipped" in codes["station_capacity"]
    assert "column_mapped" in notes["developments"]
    text = byod.validation_text()
    assert "netvlak afgeleid uit spanning" in text
    for report in byod.reports.values():
        assert report.rows_in == report.rows_kept + report.rows_rejected
        assert report.rows_rejected == 0


def test_run_on_own_data_gives_the_same_station_balance(runs):
    # Every station × scenario × year × direction of the sample (16 stations, 3 built-in scenarios,
    # 4 analysis years, 2 directions, less the rows of stations without capacity) within 1e-6 MW.
    a, b = _balance(runs["sample"].out), _balance(runs["byod"].out)
    assert len(a) > 0 and set(a["scenario"]) == {"vastgesteld", "verwacht", "maximaal"}
    _assert_same_balance(a, b)
    assert (a["tekort_mw"] > 0).any()  # the comparison covers shortages, not only zeros


def test_run_on_own_data_gives_the_same_hotspots_and_members(runs):
    a, b = (_layer(runs[n].out, "knooppunten") for n in ("sample", "byod"))
    key = ["jaar", "knooppunt_id"]
    a, b = a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    assert len(a) > 0
    assert a[key + ["niveau", "aantal_leden", "station_ids", "gemeentecodes"]].equals(
        b[key + ["niveau", "aantal_leden", "station_ids", "gemeentecodes"]])
    np.testing.assert_allclose(b["totaal_mw"], a["totaal_mw"], atol=TOLERANCE_MW)
    members = [_layer(runs[n].out, "knooppunt_leden") for n in ("sample", "byod")]
    as_sets = [{(int(y), h): frozenset(g["lid_id"]) for (y, h), g in m.groupby(["jaar", "knooppunt_id"])}
               for m in members]
    assert as_sets[0] == as_sets[1]


def test_run_on_own_data_gives_the_same_assessment(runs):
    a, b = (_layer(runs[n].out, "afweging").set_index("project_id").sort_index() for n in ("sample", "byod"))
    # every project not yet existing: all eleven (P11 is the sample's flex asset, issue 20)
    assert list(a.index) == list(b.index) and len(a) == 11
    pd.testing.assert_series_equal(a["rang"], b["rang"])
    pd.testing.assert_frame_equal(a[list("ABCDEFG")], b[list("ABCDEFG")])
    np.testing.assert_allclose(b["gewogen_score"], a["gewogen_score"], atol=1e-9)
    # the rank-stability columns come from a seeded perturbation: identical too
    pd.testing.assert_frame_equal(a[["rang_p05", "rang_p95", "kans_top_k"]], b[["rang_p05", "rang_p95", "kans_top_k"]])


def test_run_on_own_data_writes_the_same_folder(runs):
    def listing(out: Path) -> set[str]:
        return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}

    assert listing(runs["byod"].out) == listing(runs["sample"].out)
    # the project list (pMIEK) reads the same, cell for cell
    a, b = (pd.read_csv(runs[n].out / "pmiek" / "projectenlijst.csv") for n in ("sample", "byod"))
    pd.testing.assert_frame_equal(a, b)
    # the density raster is the same grid with the same values
    with rasterio.open(runs["sample"].out / "dichtheid_mw_per_km2.tif") as s, \
            rasterio.open(runs["byod"].out / "dichtheid_mw_per_km2.tif") as t:
        assert s.transform == t.transform and s.crs == t.crs
        np.testing.assert_allclose(t.read(1), s.read(1), atol=1e-9)
    # validation: every row of every layer kept, in both
    for name in ("sample", "byod"):
        report = json.loads((runs[name].out / "validatie.json").read_text(encoding="utf-8"))
        assert all(layer["rows_rejected"] == 0 for layer in report["layers"].values())


def test_byod_geopackage_is_canonical_rd(runs):
    """The output layers are in RD New whatever the input CRS, with the Dutch headers of the sample's output."""
    gpkg = runs["byod"].out / "energieplanologie.gpkg"
    developments = gpd.read_file(gpkg, layer="ontwikkelingen")
    assert developments.crs.to_epsg() == 28992
    sample = gpd.read_file(runs["sample"].out / "energieplanologie.gpkg", layer="ontwikkelingen")
    canonical_nl = {"ontwikkeling_id", "naam", "sector", "afname_mw", "invoeding_mw", "jaar", "zekerheid"}
    assert canonical_nl <= set(developments.columns) and canonical_nl <= set(sample.columns)


def test_progress_bars_on_a_terminal_and_quiet_prints_nothing(runs):
    byod, sample = runs["byod"], runs["sample"]
    # Without --quiet: a bar per stage on the terminal (rich draws a percentage), and the written files listed.
    assert "lagen lezen" in byod.terminal and "100%" in byod.terminal
    assert "energieplanologie" in byod.terminal
    assert "Uitvoer geschreven naar" in byod.stdout and "energieplanologie.gpkg" in byod.stdout
    # With --quiet: nothing at all, on stdout or on the terminal.
    assert sample.stdout == "" and sample.terminal == ""


def test_template_config_pointed_at_the_sample_runs_and_matches(runs):
    template = runs["template"]
    assert template.stdout == "" and template.terminal == ""
    _assert_same_balance(_balance(runs["sample"].out), _balance(template.out))
    a, b = (_layer(runs[n].out, "afweging").set_index("project_id").sort_index() for n in ("sample", "template"))
    pd.testing.assert_series_equal(a["rang"], b["rang"])
