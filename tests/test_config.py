"""Project configuration: every mistake names its key; the sample config builds the sample region."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from energieplanologie import ConfigError
from energieplanologie.config import load_config, load_region_config
from energieplanologie.sample import SAMPLE_CONFIG, SAMPLE_DIR


def _copy_sample(tmp_path: Path) -> Path:
    target = tmp_path / "zv"
    shutil.copytree(SAMPLE_DIR, target)
    return target / "project.toml"


def test_sample_config_parses_with_resolved_paths():
    cfg = load_config(SAMPLE_CONFIG)
    assert cfg.name == "Zeeuws-Vlaanderen"
    assert cfg.years == (2025, 2030, 2035, 2040)
    for layer in cfg.layers.values():
        assert Path(layer.path).is_absolute() and Path(layer.path).exists()


def test_relative_paths_resolve_against_the_config_file_not_the_cwd(tmp_path, monkeypatch):
    cfg_path = _copy_sample(tmp_path)
    monkeypatch.chdir(tmp_path)  # somewhere else than the config's folder
    cfg = load_config(cfg_path)
    assert Path(cfg.layers["developments"].path).parent == cfg_path.parent.resolve()


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "project.toml"
    p.write_text(text, encoding="utf-8")
    return p


MINIMAL = """
[region]
name = "Test"
[layers.municipalities]
path = "{d}/gemeenten.geojson"
[layers.stations]
path = "{d}/stations.gpkg"
[layers.station_capacity]
path = "{d}/capaciteit.csv"
[layers.developments]
path = "{d}/ontwikkelingen.gpkg"
"""


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[region\nname='x'", None),  # TOML syntax error: names the file
        ("[foo]\nx = 1\n" + MINIMAL, "foo"),
        (MINIMAL + "[layers.rivers]\npath = 'x'\n", "layers.rivers"),
        (MINIMAL.replace('path = "{d}/stations.gpkg"', 'file = "{d}/stations.gpkg"'), "layers.stations.file"),
        (MINIMAL.replace('[layers.stations]\npath = "{d}/stations.gpkg"', '[layers.stations]\nlayer = "s"'),
         "layers.stations.path"),
        (MINIMAL.replace("ontwikkelingen.gpkg", "bestaat_niet.gpkg"), "layers.developments.path"),
        (MINIMAL.replace('[layers.station_capacity]\npath = "{d}/capaciteit.csv"\n', ""), "layers.station_capacity"),
        (MINIMAL + "[analysis]\nyears = []\n", "analysis.years"),
        (MINIMAL + "[analysis]\nyears = [1850]\n", "analysis.years"),
        (MINIMAL + "[analysis]\nscenario = 3\n", "analysis.scenario"),
    ],
)
def test_config_errors_name_the_key(tmp_path, text, key):
    path = _write(tmp_path, text.format(d=SAMPLE_DIR.as_posix()))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == key
    if key is not None:
        assert str(info.value).startswith(key + ":")
    else:
        assert "project.toml" in str(info.value)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="niet gevonden"):
        load_config(tmp_path / "nope.toml")


def test_mapping_to_an_absent_column_names_the_mapping_key(tmp_path):
    cfg_path = _copy_sample(tmp_path)
    text = cfg_path.read_text(encoding="utf-8")
    text = text.replace('municipality_code = "statcode"', 'municipality_code = "gemeente_code_bestaat_niet"')
    cfg_path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_region_config(cfg_path)
    assert info.value.key == "layers.municipalities.mapping"
    assert "gemeente_code_bestaat_niet" in str(info.value)


def test_wrong_geopackage_layer_names_the_layer_key(tmp_path):
    cfg_path = _copy_sample(tmp_path)
    text = cfg_path.read_text(encoding="utf-8")
    text = text.replace('[layers.stations]\n', '[layers.stations]\nlayer = "geen_laag"\n', 1)
    if text.count("layer =") > text.count("layer = \"geen_laag\"") and 'layer = "stations"' in text:
        text = text.replace('layer = "stations"\n', "", 1)
    cfg_path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_region_config(cfg_path)
    assert info.value.key in {"layers.stations.layer", "layers.stations.path"}
    assert "geen_laag" in str(info.value)


# ------------------------------------------------------------------ every key is used or refused, with bounds


def _with(section: str, table: dict) -> dict:
    """The sample configuration (as data) with one section replaced."""
    import tomllib

    data = tomllib.loads(SAMPLE_CONFIG.read_text(encoding="utf-8"))
    for layer in data["layers"].values():
        layer["path"] = str(SAMPLE_DIR / layer["path"])
    data.pop("assessment", None)  # its user_scores path is relative to the sample folder
    data[section] = table
    return data


def test_every_key_of_an_analysis_section_has_a_rule_and_a_user():
    # The rule: each key a section accepts is checked (bounds, kind or content) and is a parameter of the
    # function that uses it — so no key is validated and then ignored.
    import inspect

    from energieplanologie.allocation import allocate
    from energieplanologie.assessment import score_projects
    from energieplanologie.config import (
        ALLOCATION_KEYS,
        ASSESSMENT_KEYS,
        BOOLEANS,
        CHOICES,
        DENSITY_KEYS,
        HOTSPOT_KEYS,
        NUMBERS,
        OTHERS,
        OUTPUT_KEYS,
    )
    from energieplanologie.density import kde
    from energieplanologie.hotspots import detect_hotspots

    users = {"hotspots": (HOTSPOT_KEYS, detect_hotspots), "density": (DENSITY_KEYS, kde),
             "allocation": (ALLOCATION_KEYS, allocate), "assessment": (ASSESSMENT_KEYS, score_projects)}
    for section, (keys, function) in users.items():
        ruled = set(NUMBERS.get(section, {})) | BOOLEANS.get(section, set()) | CHOICES.get(section, set()) | \
            OTHERS.get(section, set())
        assert keys == ruled, section
        parameters = set(inspect.signature(function).parameters)
        assert keys <= parameters, (section, keys - parameters)
    assert OUTPUT_KEYS == set()


def test_every_documented_key_is_accepted():
    # The keys in the README's configuration example and in `init`'s template are all known keys.
    import re
    from importlib import resources

    import tomllib

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("map your column names:\n\n```toml\n", 1)[1].split("```", 1)[0]
    template = resources.files("energieplanologie").joinpath("templates/project_template.toml").read_text(
        encoding="utf-8")
    uncommented = "\n".join(re.sub(r"^# ?(?=\[|[a-z_]+ = )", "", line) for line in template.splitlines())
    for text in (block, uncommented):
        data = tomllib.loads(text)
        for section, table in data.items():
            if section in ("layers", "region", "scenarios"):
                continue
            keys = {k for k in table} - {"framework", "user_scores"} if section == "assessment" else set(table)
            config = _with(section, {k: table[k] for k in keys})
            load_config(data=config)  # accepted: no ConfigError


def _bad_values(rule) -> list:
    """Values outside a numeric rule: not numbers, not finite, just outside each bound, absurdly large."""
    step = 1 if rule.integer else 1e-6
    below = rule.minimum if rule.above else rule.minimum - step
    above = rule.maximum if rule.below else rule.maximum + step
    fraction = [rule.minimum + 0.5] if rule.integer else []  # 1.5 permutations
    return ["1", True, float("nan"), float("inf"), -float("inf"), below, above, 10**300, *fraction]


def test_numeric_keys_refuse_what_is_out_of_bounds_naming_the_key():
    from energieplanologie.config import NUMBERS

    for section, rules in NUMBERS.items():
        for key, rule in rules.items():
            low = rule.minimum + (1 if rule.integer else 1e-3) * rule.above
            high = rule.maximum - (1 if rule.integer else 1e-3) * rule.below
            for ok in (low, high):
                load_config(data=_with(section, {key: int(ok) if rule.integer else float(ok)}))
            for bad in _bad_values(rule):
                with pytest.raises(ConfigError) as info:
                    load_config(data=_with(section, {key: bad}))
                message = str(info.value)
                assert info.value.key == f"{section}.{key}", (key, bad)
                assert message.startswith(f"{section}.{key}: verwacht "), message
                assert len(message) < 160 and not any(len(t) > 20 for t in re.findall(r"\d+", message)), message


def test_layers_that_are_links_to_files_without_extension_read_as_in_validate(tmp_path):
    # DVC and git-annex keep the data in a cache under a hash without extension; the project sees a symbolic
    # link with the real name. `validate data/x.gpkg` reads the link; `run` must too (it used to follow the link
    # to the cache file, whose missing extension made it an "unknown format").
    from energieplanologie.io import read_layer

    cfg_path = _copy_sample(tmp_path)
    folder = cfg_path.parent
    cache = tmp_path / ".dvc" / "cache" / "3f"
    cache.mkdir(parents=True)
    for name in ("ontwikkelingen.gpkg", "capaciteit.csv"):
        target = cache / f"a91c{len(name)}e0d5b7"
        (folder / name).rename(target)
        (folder / name).symlink_to(target)
    region = load_region_config(cfg_path)
    direct = read_layer(folder / "ontwikkelingen.gpkg", "developments", layer="ontwikkelingen",
                        mapping=load_config(cfg_path).layers["developments"].mapping)
    assert len(region.developments) == len(direct.data) == 60
    assert region.reports["station_capacity"].ok and len(region.station_capacity) > 0
