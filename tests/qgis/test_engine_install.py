"""*Engine installeren* piece by piece, with real processes: which Python builds the engine, what is refused, cancel,
and the Processing algorithm in QGIS on an engine that is already current (the full installs from PyPI and from a
wheelhouse are in ``test_plugin_zip.py``)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("qgis.core")

from conftest import REPO, RecordingFeedback
from energieplanologie_qgis.engine import EngineCanceled, EngineError
from energieplanologie_qgis.engine_install import (
    base_python_candidates,
    choose_base_python,
    install_engine,
    pip_install_command,
)


def fake_python(folder: Path, name: str, body: str) -> str:
    """A program that answers like a broken or old Python would (a real process, whatever its arguments)."""
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_candidates_per_platform() -> None:
    mac = base_python_candidates(windows=False, mac=True, executable="/Applications/QGIS-LTR.app/Contents/MacOS/QGIS",
                                 exec_prefix="/Applications/QGIS-LTR.app/Contents/Frameworks", search_path="")
    assert mac[0] == "/Applications/QGIS-LTR.app/Contents/MacOS/bin/python3"
    linux = base_python_candidates(windows=False, mac=False, executable="/usr/bin/qgis", exec_prefix="/usr",
                                   search_path=str(Path(sys.executable).parent))
    assert linux[-1] == "/usr/bin/python3"  # QGIS's own executable is not a Python and is not offered


def test_a_python_that_cannot_build_the_engine_is_refused_with_the_reason(tmp_path: Path) -> None:
    old = fake_python(tmp_path, "python3.8", "echo 3.8.10")
    no_venv = fake_python(tmp_path, "python-zonder-venv",
                          "echo \"ModuleNotFoundError: No module named 'ensurepip'\" >&2; exit 1")
    with pytest.raises(EngineError) as info:
        choose_base_python(candidates=[old, no_venv, str(tmp_path / "weg" / "python3")])
    text = str(info.value)
    assert f"{old} is Python 3.8.10; de engine vraagt 3.10 of nieuwer" in text
    assert f"{no_venv} mist de module ensurepip (Debian/Ubuntu: apt install python3-venv)" in text
    assert f"{tmp_path / 'weg' / 'python3'} start niet" in text
    with pytest.raises(EngineError, match="De gekozen Python kan geen engine maken"):
        choose_base_python(old)
    good = shutil.which("python3")
    assert choose_base_python(candidates=[old, good]) == good


def test_a_users_own_folder_is_never_removed(tmp_path: Path, engine_wheel: Path) -> None:
    folder = tmp_path / "Mijn documenten"
    folder.mkdir()
    (folder / "belangrijk.txt").write_text("niet weggooien", encoding="utf-8")
    with pytest.raises(EngineError, match="is geen virtuele omgeving"):
        install_engine(folder, engine_wheel)
    assert (folder / "belangrijk.txt").read_text(encoding="utf-8") == "niet weggooien"
    with pytest.raises(EngineError, match="bestaat niet"):
        install_engine(tmp_path / "engine", tmp_path / "energieplanologie-0.1.0-py3-none-any.whl")
    with pytest.raises(EngineError, match="De map met wheels"):
        install_engine(tmp_path / "engine", engine_wheel, wheelhouse=tmp_path / "geen-map")


def test_cancel_stops_pip_and_leaves_no_process(tmp_path: Path, engine_wheel: Path) -> None:
    folder = tmp_path / "engine"

    class CancelAtPip(RecordingFeedback.make().__class__):  # a real QgsProcessingFeedback
        def pushCommandInfo(self, info: str) -> None:
            super().pushCommandInfo(info)
            if "-m pip install" in info:  # the pip command line is logged as it starts: cancel right away
                self.cancel()

    feedback = CancelAtPip()
    with pytest.raises(EngineCanceled, match="Afgebroken"):
        install_engine(folder, engine_wheel, feedback=feedback)
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if str(folder) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                left.append(pid)
        except OSError:
            continue
    assert left == []
    # The venv was made before pip started; the engine is not in it (run again to finish).
    assert (folder / "pyvenv.cfg").is_file()
    assert not list(folder.glob("lib/python*/site-packages/energieplanologie"))


def test_pip_command_offline_has_no_index() -> None:
    argv = pip_install_command("/e/bin/python", "/p/w.whl", wheelhouse="/w h")
    assert argv[argv.index("--find-links") + 1] == "/w h" and "--no-index" in argv
    assert "--no-index" not in pip_install_command("/e/bin/python", "/p/w.whl")


def test_processing_engine_install_on_a_current_engine_keeps_it_and_stores_the_setting(
        load_plugin: object, without_engine: None, engine_python: str, engine_wheel: Path) -> None:
    import processing
    from qgis.core import QgsSettings

    plugin = load_plugin()
    assert plugin.engine is None
    folder = Path(engine_python).parent.parent  # this checkout's .venv: already the wheel's version
    feedback = RecordingFeedback.make()
    results = processing.run("energieplanologie:engine_install",
                             {"ENGINE_FOLDER": str(folder), "ENGINE_WHEEL": str(engine_wheel)}, feedback=feedback)
    assert results["ACTION"] == "ongewijzigd"
    assert Path(results["ENGINE_PYTHON"]).parent.parent == folder
    assert QgsSettings().value("energieplanologie/engine_python") == results["ENGINE_PYTHON"]
    assert plugin.engine is not None and plugin.engine.version == results["VERSION"]  # the provider uses it now
    assert f"heeft al versie {results['VERSION']}; niets te doen" in feedback.textLog()
    assert REPO in folder.parents
