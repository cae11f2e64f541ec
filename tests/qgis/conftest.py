"""Fixtures for the plugin tests under real QGIS (pytest-qgis, headless).

Run from the repository root (``scripts/test.sh`` does this)::

    QT_QPA_PLATFORM=offscreen ENERGIEPLANOLOGIE_ENGINE=$PWD/.venv/bin/python \\
        .venv-qgis/bin/python -m pytest --qgis_disable_gui tests/qgis

With ``CI=true`` or ``EP_REQUIRE_QGIS=1`` nothing here may be skipped: a skipped test, or QGIS failing to import,
fails the run, so a CI machine without QGIS cannot pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN_ROOT = REPO / "qgis_plugin"
PLUGIN_DIR = PLUGIN_ROOT / "energieplanologie_qgis"
SAMPLE_DIR = REPO / "energieplanologie" / "sample_data" / "zeeuws-vlaanderen"
ENV_VAR = "ENERGIEPLANOLOGIE_ENGINE"
SETTINGS_KEY = "energieplanologie/engine_python"

REQUIRE_QGIS = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes") or \
    os.environ.get("EP_REQUIRE_QGIS", "").strip() == "1"

try:
    import qgis.core  # noqa: F401
except ImportError as exc:
    if REQUIRE_QGIS:
        raise ImportError(
            f"QGIS kan niet worden geïmporteerd ({exc}) terwijl CI=true/EP_REQUIRE_QGIS=1 de QGIS-tests verplicht. "
            "Draai ze met .venv-qgis/bin/python (scripts/setup.sh --qgis)."
        ) from exc
    HAVE_QGIS = False
else:
    HAVE_QGIS = True

if str(PLUGIN_ROOT) not in sys.path:
    sys.path.insert(0, str(PLUGIN_ROOT))


# ------------------------------------------------------------------------------------- skips fail in CI


def _required_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    if REQUIRE_QGIS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"overgeslagen, maar CI=true/EP_REQUIRE_QGIS=1 staat geen overgeslagen QGIS-tests toe: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    outcome = yield
    _required_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> object:
    outcome = yield
    _required_skip(outcome.get_result())


# ------------------------------------------------------------------------------------- engine


def _engine_python() -> str | None:
    value = os.environ.get(ENV_VAR) or str(REPO / ".venv" / "bin" / "python")
    return value if Path(value).exists() else None


@pytest.fixture(scope="session")
def engine_python() -> str:
    """The project's own engine: ``$ENERGIEPLANOLOGIE_ENGINE``, else ``.venv/bin/python`` of this checkout."""
    python = _engine_python()
    if python is None:
        pytest.skip(f"geen engine: zet {ENV_VAR} of maak .venv (scripts/setup.sh)")
    proc = subprocess.run([python, "-m", "energieplanologie", "--version"], capture_output=True, text=True,
                          timeout=300, check=False)
    if proc.returncode != 0:
        pytest.skip(f"{python} -m energieplanologie --version faalt: {proc.stderr.strip()[-300:]}")
    return python


def engine_eval(python: str, code: str) -> str:
    """Run ``code`` in the engine's Python and return its stdout (for comparing with the core)."""
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    return proc.stdout.strip()


def path_without_engine() -> str:
    """``PATH`` with every folder that holds an ``energieplanologie`` program left out."""
    parts = [p for p in os.environ.get("PATH", "").split(os.pathsep)
             if p and not shutil.which("energieplanologie", path=p)]
    return os.pathsep.join(parts)


@pytest.fixture(autouse=True)
def _clean_engine_setting() -> object:
    """No test sees or leaves behind the engine setting in the (persistent) test QGIS profile."""
    if not HAVE_QGIS:
        yield
        return
    from qgis.core import QgsSettings

    QgsSettings().remove(SETTINGS_KEY)
    yield
    QgsSettings().remove(SETTINGS_KEY)


@pytest.fixture
def with_engine(monkeypatch: pytest.MonkeyPatch, engine_python: str) -> str:
    """The engine reachable only through ``ENERGIEPLANOLOGIE_ENGINE``."""
    monkeypatch.setenv(ENV_VAR, engine_python)
    monkeypatch.setenv("PATH", path_without_engine())
    return engine_python


@pytest.fixture
def without_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """No engine anywhere: variable unset, setting cleared (autouse fixture), no ``energieplanologie`` on PATH."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", path_without_engine())


# ------------------------------------------------------------------------------------- plugin


@pytest.fixture
def load_plugin(qgis_iface: object, qgis_processing: None) -> object:
    """Load the real plugin as QGIS does (``classFactory(iface)`` then ``initGui``); unloaded afterwards."""
    import energieplanologie_qgis

    loaded: list[object] = []

    def load() -> object:
        plugin = energieplanologie_qgis.classFactory(qgis_iface)
        plugin.initGui()
        loaded.append(plugin)
        return plugin

    yield load
    for plugin in loaded:
        plugin.unload()


@pytest.fixture
def plugin(load_plugin: object, with_engine: str) -> object:
    """The plugin loaded with the project's engine."""
    loaded = load_plugin()
    assert loaded.provider is not None, loaded.engine_problem
    return loaded


# ------------------------------------------------------------------------------------- layers


def memory_layer(definition: str, fields: list[tuple[str, str]], rows: list[tuple[object, ...]],
                 name: str = "laag") -> object:
    """A memory layer: ``definition`` like ``"Point?crs=EPSG:28992"``; each row is (*attributes, wkt or None)."""
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    uri = definition + "".join(f"&field={n}:{t}" for n, t in fields)
    if "?" not in definition:
        uri = uri.replace("&", "?", 1)
    layer = QgsVectorLayer(uri, name, "memory")
    assert layer.isValid(), uri
    features = []
    for row in rows:
        feature = QgsFeature(layer.fields())
        feature.setAttributes(list(row[:-1]))
        if row[-1] is not None:
            feature.setGeometry(QgsGeometry.fromWkt(row[-1]))
        features.append(feature)
    ok, _ = layer.dataProvider().addFeatures(features)
    assert ok
    return layer


DEVELOPMENT_FIELDS = [
    ("development_id", "string"),
    ("name", "string"),
    ("sector", "string"),
    ("offtake_mw", "double"),
    ("feedin_mw", "double"),
    ("year", "integer"),
    ("certainty", "string"),
]


@pytest.fixture
def developments_layer() -> object:
    """Three valid developments near Terneuzen (RD New)."""
    return memory_layer("Point?crs=EPSG:28992", DEVELOPMENT_FIELDS, [
        ("D1", "Datacenter Koegorspolder", "data_centre", 40.0, 0.0, 2030, "committed", "POINT (47000 365000)"),
        ("D2", "Zonneveld Axel", "renewables", 0.0, 25.0, 2028, "planned", "POINT (52000 360000)"),
        ("D3", "Woonwijk Hulst", "housing", 3.5, 0.0, 2032, "intended", "POINT (64000 363000)"),
    ], name="ontwikkelingen")
