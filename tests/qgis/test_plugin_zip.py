"""The installable plugin zip (``scripts/build_plugin_zip.py``), installed into a QGIS profile and run with
``qgis_process`` — a QGIS process where in-process pip wheels would crash, which the engine design avoids."""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ENV_VAR, PLUGIN_DIR, REPO, SAMPLE_DIR, path_without_engine

QGIS_PROCESS = "/usr/bin/qgis_process.bin"  # Debian's /usr/bin/qgis_process wrapper passes an option 3.22 rejects


def build(out: Path) -> Path:
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "build_plugin_zip.py"), "--out", str(out)],
                          capture_output=True, text=True, check=True)
    assert str(out) in proc.stdout
    return out


def test_zip_has_the_plugin_folder_with_metadata_and_no_caches(tmp_path: Path) -> None:
    (PLUGIN_DIR / "__pycache__").mkdir(exist_ok=True)  # as left behind by any test run
    path = build(tmp_path / "energieplanologie_qgis.zip")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        metadata = archive.read("energieplanologie_qgis/metadata.txt").decode("utf-8")
    assert all(n.startswith("energieplanologie_qgis/") for n in names)
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".pyo"))]
    sources = {f"energieplanologie_qgis/{p.relative_to(PLUGIN_DIR).as_posix()}" for p in PLUGIN_DIR.rglob("*.py")
               if "__pycache__" not in p.parts}
    assert sources <= set(names)
    core_styles = {f"energieplanologie_qgis/resources/styles/{p.name}"
                   for p in (REPO / "energieplanologie" / "styles").glob("*.qml")}
    assert core_styles <= set(names)
    meta = configparser.ConfigParser()
    meta.read_string(metadata)
    assert meta["general"]["name"] == "Energieplanologie"
    assert meta["general"]["hasProcessingProvider"] == "yes"


def test_zip_build_is_reproducible(tmp_path: Path) -> None:
    first = build(tmp_path / "a" / "energieplanologie_qgis.zip").read_bytes()
    second = build(tmp_path / "b" / "energieplanologie_qgis.zip").read_bytes()
    assert first == second


@pytest.fixture
def installed_profile(tmp_path: Path) -> dict[str, str]:
    """A fresh QGIS profile with the zip installed and enabled; returns the environment for qgis_process."""
    pytest.importorskip("qgis.core")
    if not Path(QGIS_PROCESS).exists():
        pytest.skip(f"{QGIS_PROCESS} ontbreekt (apt-get install qgis)")
    profile = tmp_path / "qgis-profiel"
    plugins = profile / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(build(tmp_path / "energieplanologie_qgis.zip")) as archive:
        archive.extractall(plugins)
    runtime = tmp_path / "xdg-runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "QGIS_CUSTOM_CONFIG_PATH": str(profile), "QT_QPA_PLATFORM": "offscreen",
           "XDG_RUNTIME_DIR": str(runtime)}
    env.pop("QGIS_OPTIONS_PATH", None)
    subprocess.run([QGIS_PROCESS, "plugins", "enable", "energieplanologie_qgis"], env=env, check=True,
                   capture_output=True, timeout=300)
    return env


@pytest.mark.qgis_process
def test_installed_zip_runs_validate_in_qgis_process(installed_profile: dict[str, str], engine_python: str,
                                                      tmp_path: Path) -> None:
    env = {**installed_profile, ENV_VAR: engine_python}
    report = tmp_path / "rapport.json"
    proc = subprocess.run(
        [QGIS_PROCESS, "--json", "run", "energieplanologie:validate_layer", "--",
         f"INPUT={SAMPLE_DIR / 'stations.gpkg'}|layername=stations", "KIND=1", f"OUTPUT_REPORT={report}"],
        env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(proc.stdout)["results"]
    # The sample has 16 stations, all valid.
    assert (results["ROWS_IN"], results["ROWS_KEPT"], results["ROWS_REJECTED"], results["OK"]) == (16, 16, 0, True)
    assert json.loads(report.read_text(encoding="utf-8"))["kind"] == "stations"


@pytest.mark.qgis_process
def test_installed_zip_without_engine_registers_no_algorithms(installed_profile: dict[str, str]) -> None:
    env = {**installed_profile, "PATH": path_without_engine()}
    env.pop(ENV_VAR, None)
    proc = subprocess.run([QGIS_PROCESS, "list"], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "energieplanologie:" not in proc.stdout
    assert "native:buffer" in proc.stdout  # QGIS itself is fine

