"""Project configuration: every mistake names its key; the sample config builds the sample region."""

from __future__ import annotations

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
