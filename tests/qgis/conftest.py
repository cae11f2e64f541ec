"""Fixtures for the plugin tests under real QGIS (pytest-qgis, headless).

Run from the repository root (``scripts/test.sh`` does this)::

    QT_QPA_PLATFORM=offscreen ENERGIEPLANOLOGIE_ENGINE=$PWD/.venv/bin/python \\
        .venv-qgis/bin/python -m pytest --qgis_disable_gui tests/qgis

With ``CI=true`` or ``EP_REQUIRE_QGIS=1`` nothing here may be skipped: a skipped test, or QGIS failing to import,
fails the run, so a CI machine without QGIS cannot pass by skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN_ROOT = REPO / "qgis_plugin"
PLUGIN_DIR = PLUGIN_ROOT / "energieplanologie_qgis"
SAMPLE_DIR = REPO / "energieplanologie" / "sample_data" / "zeeuws-vlaanderen"
ARTIFACTS = REPO / "test-artifacts"
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


# ------------------------------------------------------------------------------------- QGIS exit


if HAVE_QGIS:

    @pytest.fixture(scope="session", autouse=True)
    def _release_layers_before_qgis_exits(qgis_app: object) -> Iterator[None]:
        """QGIS crashes at exit (segmentation fault, exit code 139) while file-backed layers are alive: layers kept
        by a failed test's traceback, say. Collect them before pytest-qgis calls exitQgis."""
        yield
        import gc

        from qgis.core import QgsProject

        QgsProject.instance().removeAllMapLayers()
        if _LAYER_OWNER:
            _LAYER_OWNER[0].removeAllMapLayers()
        gc.collect()


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


# ------------------------------------------------------------------------------------- plugin zip and engine wheel

QGIS_PROCESS = "/usr/bin/qgis_process.bin"  # Debian's /usr/bin/qgis_process wrapper passes an option 3.22 rejects


@pytest.fixture(scope="session")
def engine_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The engine wheel of this checkout, built once per session (``pip wheel``, as build_plugin_zip.py does)."""
    folder = tmp_path_factory.mktemp("engine-wheel")
    shutil.rmtree(REPO / "build", ignore_errors=True)  # setuptools would reuse files an earlier build left there
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(folder),
                           str(REPO)], capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [wheel] = folder.glob("energieplanologie-*.whl")
    return wheel


@pytest.fixture(scope="session")
def plugin_zip(tmp_path_factory: pytest.TempPathFactory, engine_wheel: Path) -> Path:
    """The installable plugin zip (``scripts/build_plugin_zip.py``) with the session's engine wheel."""
    out = tmp_path_factory.mktemp("plugin-zip") / "energieplanologie_qgis.zip"
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "build_plugin_zip.py"), "--out", str(out),
                           "--wheel", str(engine_wheel)], capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def install_zip(zip_path: Path, folder: Path) -> dict[str, str]:
    """A fresh QGIS profile in ``folder`` with the zip installed and enabled, and no engine anywhere; returns the
    environment for qgis_process."""
    import zipfile

    if not Path(QGIS_PROCESS).exists():
        pytest.skip(f"{QGIS_PROCESS} ontbreekt (apt-get install qgis)")
    profile = folder / "qgis-profiel"
    plugins = profile / "profiles" / "default" / "python" / "plugins"
    plugins.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(plugins)
    runtime = folder / "xdg-runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "QGIS_CUSTOM_CONFIG_PATH": str(profile), "QT_QPA_PLATFORM": "offscreen",
           "XDG_RUNTIME_DIR": str(runtime), "PATH": path_without_engine()}
    for key in ("QGIS_OPTIONS_PATH", ENV_VAR):
        env.pop(key, None)
    subprocess.run([QGIS_PROCESS, "plugins", "enable", "energieplanologie_qgis"], env=env, check=True,
                   capture_output=True, timeout=300)
    return env


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


# ------------------------------------------------------------------------------------- shared engine runs


@pytest.fixture(scope="session")
def core(engine_python: str) -> dict[str, Any]:
    """The core's results on the sample region (``core_results.py`` in the engine's Python), for parity."""
    proc = subprocess.run([engine_python, str(Path(__file__).with_name("core_results.py"))], capture_output=True,
                          text=True, timeout=900, check=False, cwd=str(Path(__file__).parent))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def provider(qgis_iface: object, qgis_processing: None, engine_python: str) -> Iterator[object]:
    """The plugin's Processing provider registered for one test module (engine from ENERGIEPLANOLOGIE_ENGINE),
    removed again when the module is done, so other modules see a registry without it."""
    import energieplanologie_qgis
    from qgis.core import QgsApplication

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV_VAR, engine_python)
        plugin = energieplanologie_qgis.classFactory(qgis_iface)
        plugin.initProcessing()
        assert plugin.provider is not None, plugin.engine_problem
        yield plugin.provider
        plugin.unload()
    assert QgsApplication.processingRegistry().providerById("energieplanologie") is None


#: The developments' columns of the sample, mapped as in the sample's project.toml.
SAMPLE_MAPPINGS = {
    "MUNICIPALITIES_MAPPING": "municipality_code=statcode; name=statnaam; province=provincie",
    "DEVELOPMENTS_MAPPING": "development_id=id; name=naam; programme=programma; carrier=energiedrager; "
                            "offtake_mw=afname_mw; feedin_mw=invoeding_mw; year=jaar; certainty=zekerheid",
}


#: A project that owns the file-backed layers the tests make (see :func:`sample_layers`).
_LAYER_OWNER: list[Any] = []


def owned(layer: Any) -> Any:
    """Hand a layer to a project of the tests, as layers in QGIS belong to the project: QGIS keeps the arguments
    of an algorithm that failed alive, and a file-backed layer that Python owns then crashes QGIS at exit; one that
    a project owns is removed with the project's layers before QGIS exits."""
    from qgis.core import QgsProject

    if not _LAYER_OWNER:
        _LAYER_OWNER.append(QgsProject())
    _LAYER_OWNER[0].addMapLayer(layer, False)
    return layer


def sample_layers() -> dict[str, Any]:
    """The sample region loaded as a QGIS user gets it from the files: the GeoJSON and CSV as they are (the CSV's
    columns as text, decimal commas and all), and each GeoPackage layer with mixed geometries as one QGIS layer
    per geometry type (QGIS's sub-layers)."""
    from qgis.core import QgsVectorLayer

    def layer(uri: str, name: str) -> QgsVectorLayer:
        loaded = QgsVectorLayer(uri, name, "ogr")
        assert loaded.isValid(), uri
        return owned(loaded)

    s = SAMPLE_DIR
    return {
        "MUNICIPALITIES": layer(f"{s}/gemeenten.geojson", "gemeenten"),
        "STATIONS": layer(f"{s}/stations.gpkg|layername=stations", "stations"),
        "STATION_CAPACITY": layer(f"{s}/capaciteit.csv", "capaciteit"),
        "INFRASTRUCTURE": [layer(f"{s}/projecten.gpkg|layername=projecten|geometrytype=Point", "projecten punten"),
                           layer(f"{s}/projecten.gpkg|layername=projecten|geometrytype=LineString",
                                 "projecten lijnen")],
        "DEVELOPMENTS": [
            layer(f"{s}/ontwikkelingen.gpkg|layername=ontwikkelingen|geometrytype=Point", "ontwikkelingen punten"),
            layer(f"{s}/ontwikkelingen.gpkg|layername=ontwikkelingen|geometrytype=Polygon", "ontwikkelingen vlakken"),
        ],
        "CONSTRAINTS": [layer(f"{s}/beperkingen.gpkg|layername=beperkingen", "beperkingen")],
    }


def sample_parameters(**extra: Any) -> dict[str, Any]:
    """Parameters of an analysis algorithm for the sample region, as in its project.toml (scenario verwacht, years
    2025–2040, knooppunten DBSCAN 3 km / 20 MW, the working organisation's judgements)."""
    return {**sample_layers(), **SAMPLE_MAPPINGS, "REGION_NAME": "Zeeuws-Vlaanderen", "SCENARIO": 1,
            "YEARS": "2025, 2030, 2035, 2040", **extra}


class RecordingFeedback:
    """Factory for a real ``QgsProcessingFeedback`` that remembers errors and warnings (Processing keeps only text)."""

    @staticmethod
    def make(cancel_at: float | None = None) -> Any:
        from qgis.core import QgsProcessingFeedback

        class Feedback(QgsProcessingFeedback):
            def __init__(self) -> None:
                super().__init__()
                self.errors: list[str] = []
                self.warnings: list[str] = []
                self.infos: list[str] = []
                self.progress_values: list[float] = []

            def reportError(self, error: str, fatalError: bool = False) -> None:
                self.errors.append(error)
                super().reportError(error, fatalError)

            def pushWarning(self, warning: str) -> None:
                self.warnings.append(warning)
                super().pushWarning(warning)

            def pushInfo(self, info: str) -> None:
                self.infos.append(info)
                super().pushInfo(info)

            def setProgress(self, progress: float) -> None:
                self.progress_values.append(progress)
                super().setProgress(progress)
                if cancel_at is not None and progress >= cancel_at:
                    self.cancel()

        return Feedback()


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory, qgis_iface: object, qgis_processing: None,
               engine_python: str) -> Iterator[dict[str, Any]]:
    """*Voorbeeldregio laden* run once through ``processing.runAndLoadResults`` (its layers loaded into the
    project as in QGIS); the folder and results are shared by the sample and dock tests."""
    import energieplanologie_qgis
    import processing
    from qgis.core import QgsProject

    folder = tmp_path_factory.mktemp("voorbeeldregio")
    feedback = RecordingFeedback.make()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV_VAR, engine_python)
        plugin = energieplanologie_qgis.classFactory(qgis_iface)
        plugin.initProcessing()
        try:
            results = processing.runAndLoadResults("energieplanologie:load_sample", {"OUTPUT_FOLDER": str(folder)},
                                                   feedback=feedback)
        finally:
            plugin.unload()
    group = QgsProject.instance().layerTreeRoot().findGroup("Voorbeeldregio Zeeuws-Vlaanderen")
    tree = _tree(group) if group is not None else None
    run = {"folder": folder, "results": results, "feedback": feedback, "tree": tree}
    yield run
    # QGIS crashes at exit when file-backed layers are still loaded: take the sample out of the project first.
    run.clear()
    del tree
    root = QgsProject.instance().layerTreeRoot()
    group = root.findGroup("Voorbeeldregio Zeeuws-Vlaanderen")
    if group is not None:
        ids = group.findLayerIds()
        root.removeChildNode(group)
        QgsProject.instance().removeMapLayers(ids)


def _tree(group: Any) -> list[Any]:
    """A layer-tree group as nested lists: ``[name, [children…]]`` for groups, ``(name, layer)`` for layers."""
    from qgis.core import QgsLayerTreeGroup

    out: list[Any] = []
    for child in group.children():
        if isinstance(child, QgsLayerTreeGroup):
            out.append([child.name(), _tree(child)])
        else:
            out.append((child.name(), child.layer(), child.isVisible()))
    return out
