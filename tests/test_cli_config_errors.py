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
    # added for issue 17: every key is used or refused, numbers within bounds (exit 2, the key first)
    "region_unknown_key": (('name = "Zeeuws-Vlaanderen"', 'name = "Zeeuws-Vlaanderen"\nprovincie = "Zeeland"'),
                           "region.provincie", ["onbekende sleutel", "name"]),
    "output_unknown_key": (("[analysis]", "[output]\npdf = false\n\n[analysis]"), "output.pdf",
                           ["onbekende sleutel", "geen sleutels"]),
    "eps_zero": (("eps_m = 3000", "eps_m = 0"), "hotspots.eps_m", ["> 0", "gevonden 0"]),
    "eps_nan": (("eps_m = 3000", "eps_m = nan"), "hotspots.eps_m", ["gevonden nan"]),
    "eps_inf": (("eps_m = 3000", "eps_m = inf"), "hotspots.eps_m", ["gevonden inf"]),
    "min_mw_nan": (("min_mw = 20", "min_mw = nan"), "hotspots.min_mw", ["gevonden nan"]),
    "min_mw_huge_int": (("min_mw = 20", "min_mw = 1" + "0" * 300), "hotspots.min_mw",
                        ["≤ 100000", "gevonden 1e+300"]),
    "hex_size_zero": (("eps_m = 3000", "eps_m = 3000\nhex_size_m = 0"), "hotspots.hex_size_m", ["≥ 100"]),
    "seed_too_big": (("eps_m = 3000", "eps_m = 3000\nseed = 9223372036854775807"), "hotspots.seed",
                     ["≤ 4294967295", "gevonden 9.22e+18"]),
    "permutations_float": (("eps_m = 3000", "eps_m = 3000\npermutations = 1e9"), "hotspots.permutations",
                           ["geheel getal", "≤ 9999"]),
    "permutations_too_many": (("eps_m = 3000", "eps_m = 3000\npermutations = 1000000000"), "hotspots.permutations",
                              ["≤ 9999"]),
    "fdr_alpha_one": (("eps_m = 3000", "eps_m = 3000\nfdr_alpha = 1"), "hotspots.fdr_alpha", ["< 1"]),
    "min_members_zero": (("eps_m = 3000", "eps_m = 3000\nmin_members = 0"), "hotspots.min_members", ["≥ 1"]),
    "include_infrastructure_text": (("eps_m = 3000", 'eps_m = 3000\ninclude_infrastructure = "nee"'),
                                    "hotspots.include_infrastructure", ["true of false"]),
    "alternative_unknown": (("eps_m = 3000", 'eps_m = 3000\nalternative = "links"'), "hotspots.alternative",
                            ["two-sided", "greater"]),
    "level_rules_text_number": (("eps_m = 3000", 'eps_m = 3000\nlevel_rules = { provincial = { min_total_mw = "50" } }'),
                                "hotspots.level_rules.provincial.min_total_mw", ["verwacht een getal"]),
    "assessment_top_k_zero": (('framework = "default"', 'framework = "default"\ntop_k = 0'), "assessment.top_k",
                              ["≥ 1"]),
    "assessment_perturbations_huge": (('framework = "default"', 'framework = "default"\nn_perturbations = 1000000000'),
                                      "assessment.n_perturbations", ["≤ 100000"]),
    "assessment_noise_inf": (('framework = "default"', 'framework = "default"\nweight_noise = inf'),
                             "assessment.weight_noise", ["gevonden inf"]),
    "assessment_seed_negative": (('framework = "default"', 'framework = "default"\nseed = -1'), "assessment.seed",
                                 ["≥ 0"]),
    "density_cell_zero": (("[analysis]", "[density]\ncell_m = 0\n\n[analysis]"), "density.cell_m", ["≥ 1"]),
    "allocation_unknown_level": (("[analysis]", "[allocation]\nmax_mw_per_level = { XS = 5 }\n\n[analysis]"),
                                 "allocation.max_mw_per_level.XS", ["onbekend netvlak"]),
    "user_scores_not_a_file_or_list": (('user_scores = "oordelen.xlsx"', "user_scores = 5"), "assessment.user_scores",
                                       ["bestandsnaam"]),
}

#: Framework files with one mistake each (written beside the configuration as kader.toml): the message starts
#: with assessment.framework, then names the key inside the framework file.
FRAMEWORK_CASES = {
    "weight_as_text": (("weight = 1.0", 'weight = "1"', 1), "criteria.A.weight", "tekst '1'"),
    "weight_huge": (("weight = 1.0", "weight = 1e308", 1), "criteria.A.weight", "1e+308"),
    "weight_negative": (("weight = 1.0", "weight = -1.0", 1), "criteria.A.weight", "-1.0"),
    "points_as_text": (("hoog = 2,", 'hoog = "2",', 1), "scale.points.hoog", "tekst '2'"),
    "threshold_as_text": (("hoog_mw = 50.0", 'hoog_mw = "50"', 1), "criteria.A.thresholds.hoog_mw", "tekst '50'"),
}


@pytest.mark.parametrize("case", sorted(FRAMEWORK_CASES))
def test_framework_mistake_exits_2_naming_the_key(project, tmp_path, case):
    from importlib import resources

    (old, new, count), key, found = FRAMEWORK_CASES[case]
    text = resources.files("energieplanologie").joinpath("data/afwegingskader.toml").read_text(encoding="utf-8")
    assert old in text, old
    (project.parent / "kader.toml").write_text(text.replace(old, new, count), encoding="utf-8")
    code, stdout, stderr = _run(_edit(project, 'framework = "default"', 'framework = "kader.toml"'), tmp_path)
    assert code == 2, stderr
    assert stderr.startswith(f"Fout: assessment.framework: kader.toml: {key}:"), stderr
    assert found in stderr and len(stderr) < 300, stderr


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
                               "allocation.splitsen", "an unknown [allocation] key once failed late (exit 1)"),
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


# ---- added for issue 17: inputs that ask for unbounded work, and `init` onto what already exists


def test_configuration_nested_100000_deep_is_one_line(project, tmp_path):
    # tomllib recurses per level and used to end in RecursionError.
    _edit(project, "years = [2025, 2030, 2035, 2040]", "years = " + "[" * 100_000 + "]" * 100_000)
    code, stdout, stderr = _run(project, tmp_path)
    assert code == 2 and stderr.startswith("Fout: ") and "te diep genest (meer dan 64 niveaus)" in stderr
    assert stdout == ""


def test_init_onto_an_existing_file_or_folder(tmp_path):
    existing = tmp_path / "mijn_project"
    existing.write_text("al een bestand\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(existing)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 2
    assert _flat(result.stderr).startswith(f"Fout: {existing} bestaat al en is een bestand, geen map")
    assert existing.read_text(encoding="utf-8") == "al een bestand\n"  # untouched
    folder = tmp_path / "map"
    (folder / "project.toml").mkdir(parents=True)
    result = runner.invoke(app, ["init", str(folder)])
    assert result.exit_code == 2 and "project.toml is een map" in _flat(result.stderr)
    result = runner.invoke(app, ["init", str(existing / "sub")])
    assert result.exit_code == 2 and "een deel van het pad is een bestand, geen map" in _flat(result.stderr)
    # A project.toml that exists is kept unless --force.
    ok = tmp_path / "nieuw"
    assert runner.invoke(app, ["init", str(ok)]).exit_code == 0
    again = runner.invoke(app, ["init", str(ok)])
    assert again.exit_code == 2 and "bestaat al; gebruik --force" in _flat(again.stderr)
