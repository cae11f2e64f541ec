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
    "municipality_overview", "municipality_atlas", "publish_map", "monitor", "engine_install"))
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
    "monitor": ("Voortgangstoets (borgen)", "Borgen", "borgen"),
    "engine_install": ("Engine installeren", "Engine", "engine"),
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
    assert sorted(registered_ids()[1]) == ALGORITHM_IDS
    actions = list(plugin._actions)
    assert [a.text() for a in actions] == ["Gemeentepaneel", "Engine installeren…", "Engine instellen…"]
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


def test_without_engine_the_algorithms_are_listed_and_the_plugin_says_how_to_get_one(
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

    # The provider is there with every algorithm; it says it has no engine.
    assert plugin.provider is not None and plugin.engine is None
    providers, algorithms = registered_ids()
    assert "energieplanologie" in providers and sorted(algorithms) == ALGORITHM_IDS
    assert plugin.provider.longName() == "Energieplanologie (geen engine: Engine installeren)"
    # The message log (tag Energieplanologie) says why each candidate failed and how to install one.
    warnings = [m for m, tag, level in logged if tag == "Energieplanologie" and level == Qgis.MessageLevel.Warning]
    assert len(warnings) == 1
    assert "omgevingsvariabele ENERGIEPLANOLOGIE_ENGINE: niet gezet" in warnings[0]
    assert "PATH: geen programma energieplanologie" in warnings[0]
    assert "Engine installeren" in warnings[0] and "qgis_process run energieplanologie:engine_install" in warnings[0]
    # The message bar offers Engine installeren first.
    bar = qgis_iface.messageBar()
    item = plugin._message
    assert item in bar.items()
    assert item.level() == Qgis.MessageLevel.Warning
    assert "Engine installeren" in item.text()
    from qgis.PyQt.QtWidgets import QPushButton

    buttons = [b.text() for b in item.findChildren(QPushButton) if b.text()]
    assert buttons[:3] == ["Engine installeren", "Details", "Engine instellen…"]

    plugin.unload()
    assert item not in bar.items()


def test_without_engine_an_algorithm_fails_at_once_naming_the_engine_and_the_fix(
    load_plugin: object, without_engine: None, tmp_path: Path
) -> None:
    import processing
    from qgis.core import QgsProcessingException

    load_plugin()
    with pytest.raises(QgsProcessingException) as info:
        processing.run("energieplanologie:load_sample", {"OUTPUT_FOLDER": str(tmp_path / "uit")})
    message = str(info.value)
    assert "Geen energieplanologie-engine gevonden" in message
    assert "Engine installeren" in message and "energieplanologie:engine_install" in message
    assert not (tmp_path / "uit").exists()  # nothing ran


def test_choosing_the_engine_later_gives_the_provider_its_engine(
    load_plugin: object, without_engine: None, engine_python: str, qgis_iface: object
) -> None:
    from qgis.core import QgsSettings

    plugin = load_plugin()
    assert plugin.engine is None
    assert plugin.set_engine_path(engine_python) is True
    assert QgsSettings().value("energieplanologie/engine_python") == engine_python
    assert plugin.engine.origin == "instelling energieplanologie/engine_python"
    assert plugin.provider.longName() == f"Energieplanologie (engine {plugin.engine.version})"
    assert sorted(registered_ids()[1]) == ALGORITHM_IDS
    assert plugin._message is None  # the warning is gone


def test_a_plain_folder_as_engine_is_called_a_folder(load_plugin: object, without_engine: None,
                                                     tmp_path: Path) -> None:
    from energieplanologie_qgis.engine import find_engine

    folder = tmp_path / "Jan de Vries" / "gewone map"
    folder.mkdir(parents=True)
    plugin = load_plugin()
    assert plugin.set_engine_path(str(folder)) is False
    problem = plugin.engine_problem.problems[-1]
    assert problem == (f"instelling energieplanologie/engine_python: {folder} is een gewone map, geen "
                       "Python-omgeving (er staat geen bin/python of Scripts\\python.exe in); kies de Python van de "
                       "engine of de map van een virtuele omgeving")
    with pytest.raises(Exception, match="is een gewone map"):
        find_engine(setting=str(folder), environ={}, search_path="")


def test_metadata_is_complete_and_matches_the_package_version() -> None:
    meta = configparser.ConfigParser()
    meta.read(PLUGIN_DIR / "metadata.txt", encoding="utf-8")
    general = meta["general"]
    for key in ("name", "qgisMinimumVersion", "description", "about", "version", "author", "email",
                "repository", "tracker", "homepage", "hasProcessingProvider", "experimental", "icon"):
        assert general.get(key), key
    assert general["name"] == "Energieplanologie"
    assert general["qgisMinimumVersion"] == "3.40"  # the LTR that CI runs (scripts/setup.sh)
    assert "supportsQt6" not in general  # not tested under Qt6 (QGIS 4) yet
    assert general["hasProcessingProvider"] == "yes"
    assert general["experimental"] == "True"
    assert (PLUGIN_DIR / general["icon"]).is_file()
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert general["version"] == pyproject["project"]["version"]


def test_plugin_imports_only_pyqgis_and_the_standard_library() -> None:
    # "processing" is QGIS's own Processing framework (a Python plugin that ships with QGIS); "osgeo" is GDAL's
    # Python bindings, which every QGIS ships and its own Processing GDAL provider imports (the plugin uses it for
    # one thread-local GDAL option and works without it).
    allowed = set(sys.stdlib_module_names) | {"qgis", "processing", "osgeo", "__future__"}
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

    from energieplanologie_qgis import engine, engine_install, overview_data, project_file, styles
    from energieplanologie_qgis.processing import findings, inputs, region

    for module in (engine, engine_install, project_file, overview_data, styles, findings, inputs, region):
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
