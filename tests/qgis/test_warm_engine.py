"""The warm engine (``engine_warm``): one engine process per QGIS session serves the algorithms.

Under real QGIS, through ``processing.run("energieplanologie:station_balance")`` on the sample region: the same
outputs warm and cold (byte for byte for the CSV, value for value for the layer), one process serving several
runs, a killed server replaced at the next run, cancel stopping the server without breaking the next run, and an
engine that cannot serve warm falling back to the cold path.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("qgis.core")

from conftest import RecordingFeedback, sample_parameters
from qgis.core import QgsVectorLayer


@pytest.fixture
def warm(provider: object, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The warm-engine module with a fresh session (no server yet) and warm switched on."""
    from energieplanologie_qgis import engine_warm

    monkeypatch.delenv(engine_warm.WARM_ENV_VAR, raising=False)
    engine_warm.stop_warm_engines()
    yield engine_warm
    engine_warm.stop_warm_engines()


def balance(folder: Path, feedback: Any = None) -> tuple[dict[str, Any], Any]:
    import processing

    folder.mkdir(parents=True, exist_ok=True)
    feedback = feedback or RecordingFeedback.make()
    params = sample_parameters(OUTPUT=str(folder / "balans.gpkg"), OUTPUT_CSV=str(folder / "stationsbalans.csv"))
    return processing.run("energieplanologie:station_balance", params, feedback=feedback), feedback


def rows(path: str) -> list[list[Any]]:
    layer = QgsVectorLayer(path, "uit", "ogr")
    assert layer.isValid(), path
    return [[*feature.attributes()[1:], feature.geometry().asWkt(3)] for feature in layer.getFeatures()]


def server_pids(engine_warm: Any) -> list[int]:
    return [server.proc.pid for server in engine_warm._SERVERS.values() if server.alive]


def test_warm_and_cold_give_the_same_outputs_and_one_process_serves_every_run(
        warm: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as cold_env:
        cold_env.setenv(warm.WARM_ENV_VAR, "0")
        cold, _ = balance(tmp_path / "koud")
    assert server_pids(warm) == []  # the cold path started no server

    first, feedback = balance(tmp_path / "warm1")
    pids = server_pids(warm)
    assert len(pids) == 1
    second, _ = balance(tmp_path / "warm2")
    assert server_pids(warm) == pids  # the second run went to the same process

    cold_csv = (tmp_path / "koud" / "stationsbalans.csv").read_bytes()
    assert (tmp_path / "warm1" / "stationsbalans.csv").read_bytes() == cold_csv
    assert (tmp_path / "warm2" / "stationsbalans.csv").read_bytes() == cold_csv
    assert rows(first["OUTPUT"]) == rows(cold["OUTPUT"]) == rows(second["OUTPUT"])
    assert len(rows(first["OUTPUT"])) > 0
    # The engine's progress lines still drive the bar (mapped onto 5–90 %) when warm.
    assert any(5.0 < p < 90.0 for p in feedback.progress_values)


def test_a_killed_server_is_replaced_at_the_next_run(warm: Any, tmp_path: Path) -> None:
    balance(tmp_path / "eerst")
    (pid,) = server_pids(warm)
    os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while server_pids(warm) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server_pids(warm) == []

    result, feedback = balance(tmp_path / "daarna")
    assert Path(result["OUTPUT"]).exists() and (tmp_path / "daarna" / "stationsbalans.csv").exists()
    assert feedback.errors == []
    (new_pid,) = server_pids(warm)
    assert new_pid != pid


def test_cancel_stops_the_warm_server_and_the_next_run_succeeds(warm: Any, tmp_path: Path) -> None:
    balance(tmp_path / "opwarmen")
    (pid,) = server_pids(warm)
    result, feedback = balance(tmp_path / "afgebroken", RecordingFeedback.make(cancel_at=5.0))
    assert result.get("OUTPUT") in (None, "")
    assert any("Afgebroken door de gebruiker" in info for info in feedback.infos)
    assert not Path(f"/proc/{pid}").exists()  # stopped and reaped
    assert server_pids(warm) == []

    result, feedback = balance(tmp_path / "daarna")
    assert feedback.errors == []
    assert rows(result["OUTPUT"]) == rows(str(tmp_path / "opwarmen" / "balans.gpkg"))


def test_an_engine_without_serve_runs_cold(warm: Any) -> None:
    from energieplanologie_qgis.engine import Engine

    # An "engine" that prints its arguments and exits: asked to serve, it never says it is ready.
    echo = Engine((sys.executable, "-c", "import sys; print(sys.argv[1:])"), "0", "test")
    result = warm.run_engine_warm(echo, ["validate"], machine_progress=False)
    assert result.stdout.strip() == "['validate']"
    assert warm.warm_server(echo) is None  # remembered: no second attempt this session


def test_scratch_inputs_skip_the_disk_wait_only_while_written(provider: object) -> None:
    from energieplanologie_qgis.processing.base import scratch_geopackages
    from osgeo import gdal

    key = "OGR_SQLITE_SYNCHRONOUS"
    with scratch_geopackages():
        assert gdal.GetConfigOption(key) == "OFF"  # this thread, while the engine's inputs are written
    assert gdal.GetThreadLocalConfigOption(key, None) is None
    assert gdal.GetConfigOption(key) is None  # QGIS's own writes afterwards: SQLite's default again
