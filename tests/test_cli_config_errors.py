"""``energieplanologie run CONFIG``: every mistake in a project configuration exits 2 with one message naming the key.

``tests/test_config.py`` checks the keys :func:`load_config` names; this module checks what a user sees on the
command line: exit code 2 (the input could not be configured, DESIGN §9), the message on stderr starting with
the key as it is written in the file (``layers.stations.path: …``), nothing on stdout and no traceback. The
configurations are copies of the BYOD delivery (``tests/data/byod``) with one mistake each.

``LATE_CASES`` are mistakes that used to surface only deep in an analysis (a traceback or exit 1); the third item
of each says how. :func:`load_config` now checks every section's keys, types and files when the file is read.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from energieplanologie import ConfigError
from energieplanologie.cli import app
from energieplanologie.config import load_config

BYOD = Path(__file__).parent / "data" / "byod"
runner = CliRunner()


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(BYOD, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return folder / "project.toml"


def _edit(config: Path, old: str, new: str, count: int = 1) -> Path:
    text = config.read_text(encoding="utf-8")
    assert old in text, f"{old!r} staat niet in {config.name}"
    config.write_text(text.replace(old, new, count), encoding="utf-8")
    return config


def _flat(text: str) -> str:
    """rich wraps long messages at the console width; compare with single spaces."""
    return " ".join(text.split())


def _contains(text: str, word: str) -> bool:
    """``word`` in ``text`` whatever the wrapping (rich may break a long path in the middle)."""
    return "".join(word.split()) in "".join(text.split())


def _run(config: Path, tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["run", str(config), "--out", str(tmp_path / "uitvoer"), "--quiet", *extra])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback is never an answer to a configuration mistake
    return result.exit_code, _flat(result.stdout), _flat(result.stderr)


# Each case: an edit of the BYOD project.toml, the key the message must start with, and words it must contain.
CASES = {
    "unknown_section": (("[analysis]", "[kaart]\nstijl = 1\n\n[analysis]"), "kaart", ["onbekende sectie", "layers"]),
    "unknown_layer_kind": (("[layers.stations]", "[layers.stationz]"), "layers.stationz",
                           ["onbekende laagsoort", "stations"]),
    "unknown_layer_key": (('path = "stations.csv"', 'pad = "stations.csv"'), "layers.stations.pad",
                          ["onbekende sleutel", "path"]),
    "missing_path": (('path = "stations.csv"\n', ""), "layers.stations.path", ["ontbreekt"]),
    "path_not_found": (('path = "stations.csv"', 'path = "stations_2024.csv"'), "layers.stations.path",
                       ["niet gevonden", "stations_2024.csv"]),
    "path_is_a_folder": (('path = "stations.csv"', 'path = "."'), "layers.stations.path", ["map"]),
    "wrong_layer_name": (('layer = "gemeenten_2022"', 'layer = "gemeenten_2023"'), "layers.municipalities.layer",
                         ["gemeenten_2023", "gemeenten_2022", "provinciegrens"]),
    "mapping_to_absent_column": (('year = "Startjaar"', 'year = "Jaar_start"'), "layers.developments.mapping",
                                 ["Jaar_start", "Startjaar"]),
    "mapping_to_unknown_canonical": (('year = "Startjaar"', 'jaar = "Startjaar"'), "layers.developments.mapping",
                                     ["'jaar' is geen kolom", "year"]),
    "mapping_not_a_table": (('mapping = { kind = "CATEGORIE", name = "GEBIEDSNAA" }', 'mapping = "CATEGORIE"'),
                            "layers.constraints.mapping", ["een tabel"]),
    "years_empty": (("years = [2025, 2030, 2035, 2040]", "years = []"), "analysis.years", ["2000 en 2100"]),
    "years_not_a_list": (("years = [2025, 2030, 2035, 2040]", "years = 2030"), "analysis.years", ["lijst"]),
    "years_as_text": (("years = [2025, 2030, 2035, 2040]", 'years = [2025, "2030"]'), "analysis.years",
                      ["2000 en 2100"]),
    "years_out_of_range": (("years = [2025, 2030, 2035, 2040]", "years = [1990, 2030]"), "analysis.years",
                           ["2000 en 2100"]),
    "scenario_not_text": (('scenario = "verwacht"', "scenario = 2"), "analysis.scenario", ["tekst"]),
    "region_name_not_text": (('name = "Zeeuws-Vlaanderen"', "name = 7"), "region.name", ["tekst"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_mistake_exits_2_naming_the_key(project, tmp_path, case):
    (old, new), key, words = CASES[case]
    code, stdout, stderr = _run(_edit(project, old, new), tmp_path)
    assert code == 2, stderr
    assert stderr.startswith(f"Fout: {key}:"), stderr
    for word in words:
        assert _contains(stderr, word), (word, stderr)
    assert stdout == ""
    assert not (tmp_path / "uitvoer").exists()  # nothing half-written


def test_missing_required_layer(project, tmp_path):
    text = project.read_text(encoding="utf-8")
    start = text.index("[layers.developments]")
    project.write_text(text[:start] + text[text.index("\n\n", start) + 2:], encoding="utf-8")
    code, _, stderr = _run(project, tmp_path)
    assert code == 2
    assert stderr.startswith("Fout: layers.developments: verplichte laag ontbreekt")


def test_unknown_scenario_lists_the_known_ones(project, tmp_path):
    code, _, stderr = _run(_edit(project, 'scenario = "verwacht"', 'scenario = "verwachtt"'), tmp_path)
    assert code == 2
    assert stderr.startswith("Fout: analysis.scenario: onbekend scenario 'verwachtt'")
    assert all(name in stderr for name in ("vastgesteld", "verwacht", "maximaal"))


def test_unknown_hotspots_key(project, tmp_path):
    code, _, stderr = _run(_edit(project, "eps_m = 3000", "eps = 3000"), tmp_path)
    assert code == 2
    assert stderr.startswith("Fout: hotspots.eps: onbekende sleutel") and "eps_m" in stderr


def test_missing_config_file_names_it(tmp_path):
    code, _, stderr = _run(tmp_path / "projct.toml", tmp_path)
    assert code == 2
    assert "niet gevonden" in stderr and _contains(stderr, "projct.toml")


def test_toml_syntax_error_names_file_and_line(project, tmp_path):
    # line 10 of the BYOD config is "[region]"; the broken header is reported with its line number
    code, _, stderr = _run(_edit(project, "[region]", "[region"), tmp_path)
    assert code == 2
    assert _contains(stderr, "project.toml: geen geldige TOML") and "line 10" in stderr


def test_unreadable_layer_file_names_the_path_key(project, tmp_path):
    (project.parent / "netprojecten.fgb").write_bytes(b"geen flatgeobuf")
    code, _, stderr = _run(project, tmp_path)
    assert code == 2
    assert stderr.startswith("Fout: layers.infrastructure.path:") and _contains(stderr, "netprojecten.fgb")


def test_exit_code_2_in_a_real_process(project, tmp_path):
    """The exit status a shell script sees (the in-process runner only reports it)."""
    _edit(project, 'path = "stations.csv"', 'path = "stations_2024.csv"')
    result = subprocess.run([sys.executable, "-m", "energieplanologie", "run", str(project), "--out",
                             str(tmp_path / "uitvoer")], capture_output=True, text=True)
    assert result.returncode == 2
    assert "layers.stations.path" in result.stderr and "Traceback" not in result.stderr


# ---- mistakes found when the file is read, before any layer: config.load_config checks every section's keys


def test_unknown_analysis_key_is_an_error(project):
    with pytest.raises(ConfigError) as info:
        load_config(_edit(project, 'scenario = "verwacht"', 'scenaro = "verwacht"'))
    assert info.value.key == "analysis.scenaro"


def test_unknown_assessment_key_is_an_error(project):
    with pytest.raises(ConfigError) as info:
        load_config(_edit(project, 'framework = "default"', 'kader = "default"'))
    assert info.value.key == "assessment.kader"


LATE_CASES = {
    "crs_unknown": (('crs = "EPSG:28992"', 'crs = "EPSG:999999"'), "layers.stations.crs",
                    "the key is reported as 'layers.stations: crs: …'"),
    "framework_not_found": (('framework = "default"', 'framework = "kader_2024.toml"'), "assessment.framework",
                            "assessment.load_framework reports the file but not the key"),
    "hotspot_method_unknown": (('method = "dbscan"', 'method = "kmeans"'), "hotspots.method",
                               "the message names the key but the error is no ConfigError: exit 1"),
    "hotspot_eps_not_a_number": (("eps_m = 3000", 'eps_m = "3 km"'), "hotspots.eps_m",
                                 "a TypeError deep in detect_hotspots (traceback)"),
    "wrong_sheet_name": (('layer = "Capaciteit 2025-2040"', 'layer = "Blad1"'), "layers.station_capacity.layer",
                         "config.load_region_config maps a ReadError to .layer only when it says 'laag'; a missing "
                         "werkblad (XLSX) or shapefile (zip) is reported as .path"),
    "allocation_unknown_key": (("[analysis]", "[allocation]\nsplitsen = false\n\n[analysis]"),
                               "allocation.splitsen", "allocation_settings raises EnergieplanologieError: exit 1"),
}


@pytest.mark.parametrize("case", sorted(LATE_CASES))
def test_config_mistake_found_late_exits_2_naming_the_key(project, tmp_path, case):
    (old, new), key, _ = LATE_CASES[case]
    code, _, stderr = _run(_edit(project, old, new), tmp_path)
    assert code == 2 and stderr.startswith(f"Fout: {key}:"), stderr


# ---- how the message is printed: verbatim, whatever it contains


@pytest.mark.parametrize("column", ["Startjaar [jaar]", "[/data/jaar]"])
def test_message_with_brackets_is_printed_verbatim(project, tmp_path, column):
    code, _, stderr = _run(_edit(project, 'year = "Startjaar"', f'year = "{column}"'), tmp_path)
    assert code == 2
    assert f"year = '{column}'" in stderr


def test_long_path_in_message_is_not_broken(project, tmp_path):
    _edit(project, 'path = "stations.csv"', 'path = "stations_aangeleverd_door_de_netbeheerder_2024.csv"')
    result = runner.invoke(app, ["run", str(project), "--out", str(tmp_path / "uitvoer"), "--quiet"])
    assert result.exit_code == 2
    assert str(project.parent / "stations_aangeleverd_door_de_netbeheerder_2024.csv") in result.stderr
