"""The installable plugin zip (``scripts/build_plugin_zip.py``), installed into a clean QGIS profile and run with
``qgis_process`` — a QGIS process where in-process pip wheels would crash, which the engine design avoids.

The long tests are the ones a QGIS user without a terminal goes through: a clean profile, no engine anywhere; the
algorithms are listed and fail naming the engine; *Engine installeren* (``engine_install``) makes the engine from
the wheel in the zip, with its dependencies from PyPI or, offline, from a wheelhouse folder; then *Voorbeeldregio
laden* writes the whole output folder.
"""

from __future__ import annotations

import base64
import configparser
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ENV_VAR, PLUGIN_DIR, QGIS_PROCESS, REPO, SAMPLE_DIR, install_zip

_META = configparser.ConfigParser()
_META.read(PLUGIN_DIR / "metadata.txt", encoding="utf-8")
PLUGIN_VERSION = _META["general"]["version"]
ALGORITHMS = ("assessment", "density", "engine_install", "hotspots", "load_sample", "monitor", "municipality_atlas",
              "municipality_overview", "pmiek_export", "publish_map", "station_balance", "validate_layer")


def build(out: Path, *extra: str) -> Path:
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "build_plugin_zip.py"), "--out", str(out), *extra],
                          capture_output=True, text=True, check=True)
    assert str(out) in proc.stdout
    return out


def qgis_run(env: dict[str, str], algorithm: str, *params: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run([QGIS_PROCESS, "--json", "run", f"energieplanologie:{algorithm}", "--", *params], env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_zip_has_the_plugin_folder_metadata_licence_and_engine_wheel(plugin_zip: Path, engine_wheel: Path) -> None:
    (PLUGIN_DIR / "__pycache__").mkdir(exist_ok=True)  # as left behind by any test run
    with zipfile.ZipFile(plugin_zip) as archive:
        names = archive.namelist()
        metadata = archive.read("energieplanologie_qgis/metadata.txt").decode("utf-8")
        licence = archive.read("energieplanologie_qgis/LICENSE").decode("utf-8")
        wheel = archive.read(f"energieplanologie_qgis/wheels/{engine_wheel.name}")
    assert all(n.startswith("energieplanologie_qgis/") for n in names)
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]
    sources = {f"energieplanologie_qgis/{p.relative_to(PLUGIN_DIR).as_posix()}" for p in PLUGIN_DIR.rglob("*.py")
               if "__pycache__" not in p.parts}
    assert sources <= set(names)
    core_styles = {f"energieplanologie_qgis/resources/styles/{p.name}"
                   for p in (REPO / "energieplanologie" / "styles").glob("*.qml")}
    assert core_styles <= set(names)
    assert licence.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    assert wheel == engine_wheel.read_bytes()
    assert engine_wheel.name == f"energieplanologie-{PLUGIN_VERSION}-py3-none-any.whl"
    meta = configparser.ConfigParser()
    meta.read_string(metadata)
    assert meta["general"]["name"] == "Energieplanologie"
    assert meta["general"]["hasProcessingProvider"] == "yes"
    assert "pip install energieplanologie" not in meta["general"]["about"]  # not on PyPI: Engine installeren


def test_zip_build_with_a_fresh_wheel_is_reproducible(tmp_path: Path) -> None:
    first = build(tmp_path / "a" / "energieplanologie_qgis.zip").read_bytes()
    second = build(tmp_path / "b" / "energieplanologie_qgis.zip").read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "a" / "energieplanologie_qgis.zip") as archive:
        assert f"energieplanologie_qgis/wheels/energieplanologie-{PLUGIN_VERSION}-py3-none-any.whl" in archive.namelist()


@pytest.fixture
def clean_profile(plugin_zip: Path, tmp_path: Path) -> dict[str, str]:
    pytest.importorskip("qgis.core")
    return install_zip(plugin_zip, tmp_path)


@pytest.mark.qgis_process
def test_installed_zip_runs_validate_in_qgis_process(clean_profile: dict[str, str], engine_python: str,
                                                      tmp_path: Path) -> None:
    env = {**clean_profile, ENV_VAR: engine_python}
    report = tmp_path / "rapport.json"
    proc = qgis_run(env, "validate_layer", f"INPUT={SAMPLE_DIR / 'stations.gpkg'}|layername=stations", "KIND=1",
                    f"OUTPUT_REPORT={report}", timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(proc.stdout)["results"]
    # The sample has 16 stations, all valid.
    assert (results["ROWS_IN"], results["ROWS_KEPT"], results["ROWS_REJECTED"], results["OK"]) == (16, 16, 0, True)
    assert json.loads(report.read_text(encoding="utf-8"))["kind"] == "stations"


@pytest.mark.qgis_process
def test_clean_profile_without_engine_lists_the_algorithms_and_running_one_names_the_engine(
        clean_profile: dict[str, str], tmp_path: Path) -> None:
    listed = subprocess.run([QGIS_PROCESS, "list"], env=clean_profile, capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert sorted(re.findall(r"energieplanologie:(\w+)", listed.stdout)) == sorted(ALGORITHMS)
    assert "native:buffer" in listed.stdout  # QGIS itself is fine
    out = tmp_path / "uit"
    proc = subprocess.run([QGIS_PROCESS, "run", "energieplanologie:load_sample", "--", f"OUTPUT_FOLDER={out}"],
                          env=clean_profile, capture_output=True, text=True, timeout=300)
    # It fails at once, on stderr and with a non-zero exit code (qgis_process shows no message log).
    assert proc.returncode != 0
    assert "Geen energieplanologie-engine gevonden" in proc.stderr
    assert "PATH: geen programma energieplanologie" in proc.stderr
    assert "qgis_process run energieplanologie:engine_install" in proc.stderr
    assert not out.exists()


def newer_wheel(wheel: Path, version: str, folder: Path) -> Path:
    """A copy of ``wheel`` that says it is ``version`` (dist-info renamed, METADATA and RECORD rewritten): what a
    newer plugin zip would carry."""
    old = wheel.name.split("-")[1]
    target = folder / wheel.name.replace(f"-{old}-", f"-{version}-")
    records = []
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name = info.filename.replace(f"energieplanologie-{old}.dist-info/", f"energieplanologie-{version}.dist-info/")
            if name.endswith(".dist-info/RECORD"):
                record_name = name
                continue
            data = src.read(info)
            if name.endswith(".dist-info/METADATA"):
                data = data.replace(f"\nVersion: {old}\n".encode(), f"\nVersion: {version}\n".encode())
            dst.writestr(name, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append(f"{name},sha256={digest},{len(data)}")
        dst.writestr(record_name, "\n".join([*records, f"{record_name},,"]) + "\n")
    return target


def assert_whole_output_folder(out: Path) -> None:
    """What ``demo`` writes (README, 'What the demo writes'), with the map inlined and one PDF per project."""
    for name in ("energieplanologie.gpkg", "validatie.json", "validatie.txt", "stationsbalans.csv",
                 "dichtheid_mw_per_km2.tif", "dichtheid_mw_per_km2.qml", "kaart.html", "gemeenten/index.html",
                 "gemeenten/GM0677.html", "gemeenten/GM0715.html", "gemeenten/GM1714.html",
                 "pmiek/projectenlijst.xlsx", "pmiek/projectenlijst.csv", "pmiek/afweging.csv",
                 "pmiek/fiches/index.html", "pmiek/fiches/pmiek_projectfiches.pdf"):
        assert (out / name).is_file(), name
    # a chart for each station short in the demo's scenario (verwacht), as stationsbalans.csv says
    with open(out / "stationsbalans.csv", encoding="utf-8", newline="") as fh:
        short = {r["station_id"] for r in csv.DictReader(fh) if r["scenario"] == "verwacht" and float(r["tekort_mw"] or 0) > 0}
    assert sorted(p.stem for p in (out / "stationsgrafieken").glob("*.png")) == sorted(short) == ["HST", "SKL", "TNZ", "WDO"]
    # one sheet per project, P11 (the sample's battery, issue 20) included
    assert sorted(p.name for p in (out / "pmiek" / "fiches").glob("P*.pdf")) == [f"P{i:02d}.pdf" for i in range(1, 12)]
    html = (out / "kaart.html").read_text(encoding="utf-8")
    assert "/* leaflet 1.9.3 (npm) */" in html and not re.search(r"<script[^>]+src=", html)


@pytest.mark.qgis_process
def test_engine_install_from_pypi_then_the_sample_then_rerun_and_upgrade(clean_profile: dict[str, str],
                                                                         tmp_path: Path) -> None:
    env = clean_profile
    profile = Path(env["QGIS_CUSTOM_CONFIG_PATH"]) / "profiles" / "default"
    proc = qgis_run(env, "engine_install")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads(proc.stdout)["results"]
    engine_folder = profile / "energieplanologie-engine"
    assert results["ACTION"] == "nieuw" and results["VERSION"] == PLUGIN_VERSION
    assert Path(results["ENGINE_PYTHON"]).parent.parent == engine_folder
    assert (engine_folder / "pyvenv.cfg").is_file()
    # The engine has no WeasyPrint (no extras): the sheets' PDFs come from the pure-Python writer.
    probe = subprocess.run([results["ENGINE_PYTHON"], "-c", "import weasyprint"], capture_output=True, text=True,
                           cwd=tmp_path)
    assert probe.returncode != 0

    # The engine setting is stored: the next qgis_process finds it without any variable.
    out = tmp_path / "Jan de Vries" / "Zoë's voorbeeldregio"
    sample = qgis_run(env, "load_sample", f"OUTPUT_FOLDER={out}")
    assert sample.returncode == 0, sample.stdout[-3000:] + sample.stderr[-3000:]
    assert json.loads(sample.stdout)["results"]["LAYERS_LOADED"] > 10
    assert_whole_output_folder(out)

    # Again: nothing to do.
    again = qgis_run(env, "engine_install")
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["results"]["ACTION"] == "ongewijzigd"

    # A newer plugin carries a newer wheel: the engine is upgraded to it.
    wheels = profile / "python" / "plugins" / "energieplanologie_qgis" / "wheels"
    [current] = wheels.glob("*.whl")
    newer = newer_wheel(current, "99.0.0", wheels)
    upgraded = qgis_run(env, "engine_install")
    assert upgraded.returncode == 0, upgraded.stdout[-3000:] + upgraded.stderr[-3000:]
    results = json.loads(upgraded.stdout)["results"]
    assert (results["ACTION"], results["VERSION"]) == ("bijgewerkt", "99.0.0")
    version = subprocess.run([results["ENGINE_PYTHON"], "-m", "energieplanologie", "--version"], capture_output=True,
                             text=True, cwd=tmp_path)  # not the checkout: "-m" puts the working folder on sys.path
    assert version.stdout.strip() == "energieplanologie 99.0.0"
    newer.unlink()


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory, engine_wheel: Path) -> Path:
    """What an IT department prepares on a connected machine: ``pip download`` of the engine wheel and every
    dependency, with the Python the engine is made from (``python3``)."""
    folder = tmp_path_factory.mktemp("wheelhouse")
    python = shutil.which("python3")
    assert python is not None
    proc = subprocess.run([python, "-m", "pip", "download", "--quiet", "--dest", str(folder), str(engine_wheel)],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return folder


@pytest.mark.qgis_process
def test_engine_install_offline_from_a_wheelhouse_then_the_sample(clean_profile: dict[str, str], wheelhouse: Path,
                                                                  tmp_path: Path) -> None:
    # No index and no network: pip's own configuration is ignored and every connection goes nowhere.
    env = {**clean_profile, "PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}
    for key in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL"):
        env.pop(key, None)
    proc = qgis_run(env, "engine_install", f"WHEELHOUSE={wheelhouse}")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = json.loads(proc.stdout)["results"]
    assert results["ACTION"] == "nieuw" and results["VERSION"] == PLUGIN_VERSION
    out = tmp_path / "offline uitvoer"
    sample = qgis_run(env, "load_sample", f"OUTPUT_FOLDER={out}")
    assert sample.returncode == 0, sample.stdout[-3000:] + sample.stderr[-3000:]
    assert_whole_output_folder(out)
