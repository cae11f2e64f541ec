"""Loading and unloading the real plugin in QGIS, with and without an engine."""

from __future__ import annotations

import ast
import configparser
import json
import sys
from pathlib import Path

import pytest
import tomllib

pytest.importorskip("qgis.core")

from conftest import PLUGIN_DIR, REPO, engine_eval
from qgis.core import Qgis, QgsApplication

ALGORITHM_IDS = sorted(f"energieplanologie:{name}" for name in (
    "validate_layer", "load_sample", "station_balance", "hotspots", "density", "assessment", "pmiek_export",
    "municipality_overview", "municipality_atlas", "publish_map"))
#: Display name, group and group id of every algorithm (Dutch for the user, English ids).
ALGORITHM_NAMES = {
    "validate_layer": ("Valideer laag", "Inzicht", "inzicht"),
    "load_sample": ("Voorbeeldregio laden", "Inzicht", "inzicht"),
    "station_balance": ("Stationsbalans", "Analyse", "analyse"),
    "hotspots": ("Knooppunten", "Analyse", "analyse"),
    "density": ("Dichtheid (MW/km²)", "Analyse", "analyse"),
    "assessment": ("Afwegingskader (A–H)", "Afwegen", "afwegen"),
    "pmiek_export": ("pMIEK-export (projectenlijst en fiches)", "Afwegen", "afwegen"),
    "municipality_overview": ("Gemeenteoverzichten", "Publiceren", "publiceren"),
    "municipality_atlas": ("Gemeenteatlas (printlay-out en PDF)", "Publiceren", "publiceren"),
    "publish_map": ("Interactieve kaart publiceren", "Publiceren", "publiceren"),
}


def registered_ids() -> tuple[list[str], list[str]]:
    registry = QgsApplication.processingRegistry()
    providers = [p.id() for p in registry.providers()]
    algorithms = [a.id() for a in registry.algorithms() if a.id().startswith("energieplanologie:")]
    return providers, algorithms


def test_plugin_registers_provider_and_algorithms(plugin: object) -> None:
    registry = QgsApplication.processingRegistry()
    provider = registry.providerById("energieplanologie")
    assert provider is not None
    assert provider.name() == "Energieplanologie"
    assert provider.longName() == f"Energieplanologie (engine {plugin.engine.version})"
    assert sorted(a.id() for a in provider.algorithms()) == ALGORITHM_IDS
    for name, expected in ALGORITHM_NAMES.items():
        algorithm = registry.algorithmById(f"energieplanologie:{name}")
        assert (algorithm.displayName(), algorithm.group(), algorithm.groupId()) == expected
        assert len(algorithm.shortHelpString()) > 200  # Dutch help for every algorithm
    alg = registry.algorithmById("energieplanologie:validate_layer")
    assert [p.name() for p in alg.parameterDefinitions()] == ["INPUT", "KIND", "MAPPING", "CRS", "OUTPUT_REPORT"]
    assert sorted(o.name() for o in alg.outputDefinitions()) == [
        "OK", "OUTPUT_REPORT", "ROWS_IN", "ROWS_KEPT", "ROWS_REJECTED"]


def test_unload_removes_everything(load_plugin: object, with_engine: str, qgis_iface: object) -> None:
    providers_before, algorithms_before = registered_ids()
    assert "energieplanologie" not in providers_before
    plugin = load_plugin()
    assert registered_ids()[1] == ALGORITHM_IDS
    actions = list(plugin._actions)
    assert [a.text() for a in actions] == ["Gemeentepaneel", "Engine instellen…"]
    dock = plugin.dock
    plugin.unload()
    assert registered_ids() == (providers_before, algorithms_before)
    assert plugin.provider is None and plugin._actions == []
    removed = [c.args for c in qgis_iface.removePluginMenu.call_args_list]
    assert all(("&Energieplanologie", action) in removed for action in actions)
    assert plugin.dock is None
    qgis_iface.unregisterOptionsWidgetFactory.assert_called()
    del dock
    # A second unload (QGIS may call it on reload) is harmless.
    plugin.unload()


def test_without_engine_the_plugin_loads_and_says_how_to_get_one(
    load_plugin: object, without_engine: None, qgis_iface: object
) -> None:
    logged: list[tuple[str, str, object]] = []

    def record(message: str, tag: str, level: object) -> None:
        logged.append((message, tag, level))

    log = QgsApplication.messageLog()
    log.messageReceived.connect(record)
    try:
        plugin = load_plugin()
    finally:
        log.messageReceived.disconnect(record)

    assert plugin.provider is None and plugin.engine is None
    providers, algorithms = registered_ids()
    assert "energieplanologie" not in providers and algorithms == []

    home = Path.home()
    commands = [f"python3 -m venv {home}/.energieplanologie", f"{home}/.energieplanologie/bin/pip install energieplanologie"]
    # The message log (tag Energieplanologie) has the full instructions and why each candidate failed.
    warnings = [m for m, tag, level in logged if tag == "Energieplanologie" and level == Qgis.Warning]
    assert len(warnings) == 1
    assert all(c in warnings[0] for c in commands)
    assert "omgevingsvariabele ENERGIEPLANOLOGIE_ENGINE: niet gezet" in warnings[0]
    assert "PATH: geen programma energieplanologie" in warnings[0]
    # The message bar shows one warning with the exact commands and how to point the plugin at the engine.
    bar = qgis_iface.messageBar()
    item = plugin._message
    assert item in bar.items()
    assert item.level() == Qgis.Warning
    assert " && ".join(commands) in item.text()
    assert "ENERGIEPLANOLOGIE_ENGINE" in item.text() and "energieplanologie/engine_python" in item.text()

    plugin.unload()
    assert item not in bar.items()


def test_choosing_the_engine_later_registers_the_provider(
    load_plugin: object, without_engine: None, engine_python: str, qgis_iface: object
) -> None:
    from qgis.core import QgsSettings

    plugin = load_plugin()
    assert plugin.provider is None
    assert plugin.set_engine_path(engine_python) is True
    assert QgsSettings().value("energieplanologie/engine_python") == engine_python
    assert plugin.engine.origin == "instelling energieplanologie/engine_python"
    assert registered_ids()[1] == ALGORITHM_IDS
    assert plugin._message is None  # the warning is gone


def test_metadata_is_complete_and_matches_the_package_version() -> None:
    meta = configparser.ConfigParser()
    meta.read(PLUGIN_DIR / "metadata.txt", encoding="utf-8")
    general = meta["general"]
    for key in ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email",
                "repository", "tracker", "homepage", "hasProcessingProvider", "experimental", "icon"):
        assert general.get(key), key
    assert general["name"] == "Energieplanologie"
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["hasProcessingProvider"] == "yes"
    assert general["experimental"] == "True"
    assert (PLUGIN_DIR / general["icon"]).is_file()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert general["version"] == pyproject["project"]["version"]


def test_plugin_imports_only_pyqgis_and_the_standard_library() -> None:
    # "processing" is QGIS's own Processing framework (a Python plugin that ships with QGIS).
    allowed = set(sys.stdlib_module_names) | {"qgis", "processing", "__future__"}
    offenders = []
    for path in sorted(PLUGIN_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            offenders += [f"{path.relative_to(PLUGIN_DIR)}: {n}" for n in names if n.split(".")[0] not in allowed]
    assert offenders == []


def test_plugin_kinds_are_the_engines_kinds(engine_python: str) -> None:
    from energieplanologie_qgis.processing.algorithms.validate_layer import KINDS

    engine_kinds = engine_eval(engine_python, "import energieplanologie as ep; print(','.join(ep.KINDS))")
    assert [k for k, _ in KINDS] == engine_kinds.split(",")


def test_docstring_examples_run() -> None:
    import doctest

    from energieplanologie_qgis import engine, overview_data, project_file, styles
    from energieplanologie_qgis.processing import findings, inputs, region

    for module in (engine, project_file, overview_data, styles, findings, inputs, region):
        failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert attempted > 0 and failed == 0, module.__name__


def test_plugin_names_are_the_engines_names(engine_python: str) -> None:
    from energieplanologie_qgis.outputs import GPKG_NAME
    from energieplanologie_qgis.processing.region import LAYER_NAMES, SCENARIOS

    code = ("import json; from energieplanologie.labels import LAYER_NAMES; "
            "from energieplanologie.scenarios import BUILTIN_SCENARIOS; from energieplanologie.pipeline import GPKG_NAME; "
            "print(json.dumps([LAYER_NAMES, sorted(BUILTIN_SCENARIOS), GPKG_NAME]))")
    layer_names, scenarios, gpkg = json.loads(engine_eval(engine_python, code))
    # The GeoPackage layers the plugin writes carry the engine's output names; the scenarios offered are the
    # engine's built-in ones; the output GeoPackage is the one the engine writes.
    assert LAYER_NAMES == {kind: layer_names[kind] for kind in LAYER_NAMES}
    assert sorted(name for name, _label in SCENARIOS) == scenarios
    assert GPKG_NAME == gpkg
