"""Dutch labels and the one Dutch number formatter (``labels.format_number``)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from energieplanologie.labels import format_number


@pytest.mark.parametrize(("value", "args", "kwargs", "expected"), [
    # Thousands with a dot, decimals with a comma, rounded to the decimals asked for.
    (1234.567, (2, "MW"), {}, "1.234,57 MW"),
    (1234567.0, (0,), {}, "1.234.567"),
    (28.5, (), {}, "28,5"),
    (-12.25, (1,), {}, "-12,2"),  # half to even, as Python's format
    # A rounded zero never shows a minus sign.
    (-0.04, (), {}, "0,0"),
    # trim: no trailing zeros (the knooppunten's reasons: "totaal 20 MW").
    (20.0, (), {"trim": True}, "20"),
    (393.80, (2,), {"trim": True}, "393,8"),
    (1500.0, (1, "MW"), {"trim": True}, "1.500 MW"),
    # Missing values: an en dash, or the text asked for, never "nan".
    (None, (1, "MW"), {}, "–"),
    (float("nan"), (), {"missing": "onbekend"}, "onbekend"),
    (pd.NA, (), {}, "–"),
    (math.inf, (), {}, "∞"),
])
def test_format_number_writes_dutch_numbers(value: object, args: tuple, kwargs: dict, expected: str) -> None:
    assert format_number(value, *args, **kwargs) == expected


def test_the_modules_format_numbers_through_the_one_formatter() -> None:
    """No module keeps a formatter of its own (the four ways the issue found: "1.234,5", "1 234,5", "1234,5", and
    the plugin's copy)."""
    from pathlib import Path

    import energieplanologie

    root = Path(energieplanologie.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ('.replace(".", ",")', ".replace('.', ',')", "def fmt_number(", "def _fmt("):
            if needle in text:
                offenders.append(f"{path.relative_to(root)}: {needle}")
    assert offenders == []


def test_exports_write_dutch_values_and_read_back_canonical(tmp_path) -> None:
    import geopandas as gpd
    from shapely import Point

    from energieplanologie.io import read_layer, write_csv, write_layers
    from energieplanologie.labels import from_dutch

    balance = pd.DataFrame({"station_id": ["S1", "S1"], "year": [2040, 2040], "direction": ["offtake", "feedin"],
                            "status": ["red", "unknown"]})
    text = write_csv(balance, tmp_path / "balans.csv").read_text(encoding="utf-8")
    assert text == "station_id,jaar,richting,status\nS1,2040,afname,rood\nS1,2040,invoeding,onbekend\n"
    hotspots = gpd.GeoDataFrame({"hotspot_id": ["K1"], "level": ["provincial"], "change": ["growing"],
                                 "sectors": ["business_park;renewables"], "carriers": ["electricity;heat"]},
                                geometry=[Point(50000, 370000).buffer(500)], crs="EPSG:28992")
    developments = gpd.GeoDataFrame({
        "development_id": ["D1"], "name": ["Zon"], "sector": ["renewables"], "programme": ["other"],
        "carrier": ["electricity"], "offtake_mw": [0.0], "feedin_mw": [5.0], "year": [2030],
        "certainty": ["intended"]}, geometry=[Point(50000, 370000)], crs="EPSG:28992")
    gpkg = write_layers(tmp_path / "uit.gpkg", {"knooppunten": hotspots, "ontwikkelingen": developments})
    import pyogrio

    raw = pyogrio.read_dataframe(gpkg, layer="knooppunten")
    assert raw.loc[0, ["niveau", "wijziging", "sectoren", "energiedragers"]].tolist() == [
        "provinciaal", "groeiend", "bedrijventerrein;opwek", "elektriciteit;warmte"]
    # Our own reader of exports (the round diff) gets the canonical values back.
    back = from_dutch(raw, "knooppunten")
    assert back.loc[0, ["level", "change", "sectors"]].tolist() == ["provincial", "growing", "business_park;renewables"]
    raw = pyogrio.read_dataframe(gpkg, layer="ontwikkelingen")
    assert raw.loc[0, ["sector", "programma", "energiedrager", "zekerheid"]].tolist() == [
        "opwek", "overig", "elektriciteit", "voornemen"]
    # An export read as input again: the same canonical values, without a repair (the Dutch words are recognised).
    read = read_layer(gpkg, "developments", layer="ontwikkelingen")
    assert read.data.loc[0, ["sector", "programme", "carrier", "certainty"]].tolist() == [
        "renewables", "other", "electricity", "intended"]
    assert read.report.repairs == [] and read.report.errors == []


def test_every_dutch_export_word_reads_back_as_its_value() -> None:
    from energieplanologie.schema import DUTCH_VALUES, SCHEMAS, normalise_enum

    for kind in SCHEMAS.values():
        for column in kind.columns:
            for value, word in DUTCH_VALUES.get(column.name, {}).items() if column.type == "enum" else ():
                assert normalise_enum(column.name, column.values, word) == (value, None), (column.name, word)
