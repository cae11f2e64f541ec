"""Two runs on the same input give the same outputs, byte for byte.

``energieplanologie demo`` runs twice in separate processes that differ in everything that should not matter:
the hash seed (``PYTHONHASHSEED``, which orders sets and dicts of strings), the time zone, the working folder,
and the moment. Every file of the output folder must then be byte-identical: CSV, HTML (maps, overviews, project
sheets), GeoTIFF, PNG, XLSX, PDF and the JSON/text validation report — and the GeoPackage too, given a fixed
``OGR_CURRENT_DATE``. Without that variable GDAL stamps each table with the time of writing
(``gpkg_contents.last_change``, ``gpkg_metadata_reference.timestamp``); :func:`test_geopackage_differs_only_in_time_stamps`
shows that those stamps are the only difference and that the layer contents are equal.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from energieplanologie.pipeline import GPKG_NAME

pytestmark = pytest.mark.slow

FIXED_DATE = "2025-01-01T00:00:00.000Z"


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("tweemaal")
    runs = []
    for name, seed, tz in (("a", "1", "Europe/Amsterdam"), ("b", "4242", "Pacific/Auckland")):
        cwd = base / f"werkmap_{name}"
        cwd.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "OGR_CURRENT_DATE": FIXED_DATE, "MPLBACKEND": "Agg"}
        out = base / f"uitvoer_{name}"
        runs.append((out, subprocess.Popen([sys.executable, "-m", "energieplanologie", "demo", "--out", str(out),
                                            "--quiet"], cwd=cwd, env=env, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True)))
    for _, proc in runs:
        _, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err
    return runs[0][0], runs[1][0]


def files(out: Path) -> dict[str, Path]:
    return {str(p.relative_to(out)): p for p in sorted(out.rglob("*")) if p.is_file()}


def test_same_files_byte_for_byte(two_runs):
    a, b = (files(out) for out in two_runs)
    assert set(a) == set(b)
    kinds = {Path(name).suffix for name in a}
    # Every kind of output is covered: CSV, HTML, GeoTIFF (+ its QML style), PNG, XLSX, PDF, JSON, text, GPKG.
    assert {".csv", ".html", ".tif", ".qml", ".png", ".xlsx", ".pdf", ".json", ".txt", ".gpkg"} <= kinds
    different = [name for name in a if a[name].read_bytes() != b[name].read_bytes()]
    assert not different, different


def test_same_layer_contents(two_runs):
    a, b = (out / GPKG_NAME for out in two_runs)
    layers = [str(n) for n in pyogrio.list_layers(a)[:, 0]]
    assert layers == [str(n) for n in pyogrio.list_layers(b)[:, 0]]
    assert {"gemeenten", "stations", "stationsbalans", "infrastructuur", "ontwikkelingen", "knooppunten",
            "knooppunt_leden", "hexagonen_gistar"} <= set(layers)
    for layer in layers:
        pd.testing.assert_frame_equal(pd.DataFrame(pyogrio.read_dataframe(a, layer=layer)),
                                      pd.DataFrame(pyogrio.read_dataframe(b, layer=layer)), obj=layer)


_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        return list(con.iterdump())


def test_geopackage_differs_only_in_time_stamps(tmp_path, monkeypatch):
    """Without OGR_CURRENT_DATE, two writes of the same analysis differ in GDAL's time stamps and nothing else."""
    import energieplanologie as ep
    from energieplanologie.pipeline import analyse, write_gpkg

    result = analyse(ep.load_sample())
    monkeypatch.delenv("OGR_CURRENT_DATE", raising=False)
    first = write_gpkg(result, tmp_path / "eerste.gpkg")
    dumps = [_dump(first)]
    monkeypatch.setenv("OGR_CURRENT_DATE", "2031-12-31T23:59:59.000Z")  # another moment, made certain
    second = write_gpkg(result, tmp_path / "tweede.gpkg")
    dumps.append(_dump(second))
    changed = [(x, y) for x, y in zip(*dumps, strict=True) if x != y]
    assert changed, "the time stamps were expected to differ"
    for x, y in changed:
        assert _STAMP.sub("T", x) == _STAMP.sub("T", y), (x, y)
        assert x.startswith(("INSERT INTO \"gpkg_contents\"", "INSERT INTO \"gpkg_metadata_reference\"")), x
    # And with one fixed date the two files are identical.
    third = write_gpkg(result, tmp_path / "derde.gpkg")
    assert third.read_bytes() == second.read_bytes()
