"""Scenarios as data: the built-in TOML, user tables from a project configuration, weighted MW, enum codes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from energieplanologie import ConfigError, EnergieplanologieError
from energieplanologie.config import load_config
from energieplanologie.scenarios import (
    BUILTIN_SCENARIOS,
    SCENARIOS_FILE,
    Scenario,
    enum_codes,
    get_scenario,
    get_scenarios,
    load_scenarios,
    weighted_mw,
    weighted_mw_arrays,
)
from energieplanologie.schema import CERTAINTIES, SECTORS


def test_builtin_scenarios_match_the_design():
    weights = {name: [s.weights[c] for c in CERTAINTIES] for name, s in BUILTIN_SCENARIOS.items()}
    assert weights == {"vastgesteld": [1, 1, 0, 0], "verwacht": [1, 1, 0.5, 0.25], "maximaal": [1, 1, 1, 1]}
    for s in BUILTIN_SCENARIOS.values():
        assert s.simultaneity == dict.fromkeys(SECTORS, 1.0)
        assert s.label_nl and s.description
    assert SCENARIOS_FILE.name == "scenarios.toml" and SCENARIOS_FILE.is_file()


def test_user_scenario_from_a_project_configuration(tmp_path):
    for name in ("g.geojson", "s.gpkg", "c.csv", "d.gpkg"):  # only the configuration is read here
        (tmp_path / name).touch()
    (tmp_path / "project.toml").write_text(
        '[layers.municipalities]\npath = "g.geojson"\n[layers.stations]\npath = "s.gpkg"\n'
        '[layers.station_capacity]\npath = "c.csv"\n[layers.developments]\npath = "d.gpkg"\n'
        '[analysis]\nscenario = "krap"\n'
        '[scenarios.krap]\nlabel_nl = "Krap"\n'
        'weights = { vergund = 1, planned = 1, voornemen = 0.75, speculative = 0.5 }\n'
        'simultaneity = { industrie = 0.8, mobility = 0.6 }\n'
        '[scenarios.verwacht]\nweights = { committed = 1, planned = 0.9, intended = 0.4, speculative = 0 }\n',
        encoding="utf-8")
    cfg = load_config(tmp_path / "project.toml")
    extra = cfg.sections["scenarios"]
    krap = get_scenario(cfg.scenario, extra=extra)
    assert krap.label_nl == "Krap"
    assert krap.weights == {"committed": 1.0, "planned": 1.0, "intended": 0.75, "speculative": 0.5}
    assert krap.simultaneity["industry"] == 0.8 and krap.simultaneity["mobility"] == 0.6
    assert krap.simultaneity["housing"] == 1.0
    # A user table with a built-in name overrides the built-in one; other built-ins stay available.
    assert get_scenario("verwacht", extra=extra).weights["planned"] == 0.9
    assert get_scenario("maximaal", extra=extra) is BUILTIN_SCENARIOS["maximaal"]
    assert [s.name for s in get_scenarios(["krap", "vastgesteld"], extra=extra)] == ["krap", "vastgesteld"]


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ConfigError, match=r"bekend: krap, maximaal, vastgesteld, verwacht") as err:
        get_scenario("optimistisch", extra={"krap": {"weights": dict.fromkeys(CERTAINTIES, 1)}})
    assert err.value.key == "analysis.scenario"
    with pytest.raises(ConfigError, match="meer dan eens"):
        get_scenarios(["verwacht", "verwacht"])


@pytest.mark.parametrize(
    ("table", "key", "message"),
    [
        ({"weights": {"committed": 1, "planned": 1}}, "scenarios.x.weights", "ontbreekt voor intended, speculative"),
        ({"weights": {**dict.fromkeys(CERTAINTIES, 1), "planned": 1.5}}, "scenarios.x.weights.planned",
         "tussen 0 en 1"),
        ({"weights": {**dict.fromkeys(CERTAINTIES, 1), "zeker_niet": 1}}, "scenarios.x.weights.zeker_niet",
         "onbekende waarde"),
        ({"weights": dict.fromkeys(CERTAINTIES, 1), "simultaneity": {"wonen": 0.5}},
         "scenarios.x.simultaneity.wonen", "bedoeld: woningbouw"),
        ({"weights": dict.fromkeys(CERTAINTIES, "1")}, "scenarios.x.weights.committed", "verwacht een getal"),
        ({"gewichten": {}}, "scenarios.x.gewichten", "onbekende sleutel"),
        ({}, "scenarios.x.weights", "ontbreekt"),
    ],
)
def test_malformed_tables_name_the_key(table, key, message):
    with pytest.raises(ConfigError, match=message) as err:
        get_scenario("x", extra={"x": table})
    assert err.value.key == key


def test_load_scenarios_from_a_file(tmp_path):
    path = tmp_path / "eigen.toml"
    path.write_text('[scenarios.half]\nweights = { committed = 0.5, planned = 0.5, intended = 0.5, '
                    'speculative = 0.5 }\n', encoding="utf-8")
    loaded = load_scenarios(path)
    assert list(loaded) == ["half"] and loaded["half"].label_nl == "Half"


def test_weighted_mw_by_hand():
    dev = pd.DataFrame({
        "certainty": ["committed", "intended", "speculative", "planned"],
        "sector": ["housing", "industry", "renewables", "agriculture"],
        "offtake_mw": [2.0, 10.0, 0.0, np.nan],  # a missing MW counts as 0
        "feedin_mw": [0.0, 0.0, 8.0, 3.0],
    }, index=[10, 20, 30, 40])
    out = weighted_mw(dev, "verwacht")
    assert out.index.tolist() == [10, 20, 30, 40]
    assert out["weight"].tolist() == [1.0, 0.5, 0.25, 1.0]
    assert out["offtake_mw_weighted"].tolist() == [2.0, 5.0, 0.0, 0.0]
    assert out["feedin_mw_weighted"].tolist() == [0.0, 0.0, 2.0, 3.0]
    # Simultaneity multiplies: industry 0.8 × intended 0.5 = 0.4 → 4 MW.
    sc = Scenario("s", "S", BUILTIN_SCENARIOS["verwacht"].weights, {"industry": 0.8})
    assert weighted_mw(dev, sc)["offtake_mw_weighted"].tolist() == [2.0, 4.0, 0.0, 0.0]
    assert weighted_mw(dev, "vastgesteld")["weight"].tolist() == [1.0, 0.0, 0.0, 1.0]


def test_enum_codes_identity_path_equals_hashing_path():
    rng = np.random.default_rng(3)
    idx = rng.integers(0, len(SECTORS), 50_000)
    shared = np.array(SECTORS, dtype=object)[idx]  # one string object per value, as after validation
    distinct = np.array([(s + ".")[:-1] for s in shared.tolist()], dtype=object)  # a new object per row
    assert (enum_codes(pd.Series(shared, dtype=object), SECTORS, "sector") == idx).all()
    assert (enum_codes(distinct, SECTORS, "sector") == idx).all()
    assert (enum_codes(pd.Series(shared, dtype="str"), SECTORS, "sector") == idx).all()
    with_gap = shared.copy()
    with_gap[7] = None
    assert enum_codes(with_gap, SECTORS, "sector", default="other")[7] == SECTORS.index("other")
    with pytest.raises(EnergieplanologieError, match="lege waarde"):
        enum_codes(with_gap, SECTORS, "sector")
    wrong = shared.copy()
    wrong[9] = "wonen"
    with pytest.raises(EnergieplanologieError, match="'wonen'"):
        enum_codes(wrong, SECTORS, "sector")
    with pytest.raises(EnergieplanologieError, match="'wonen'"):
        enum_codes(wrong[:100], SECTORS, "sector")  # small arrays take the hashing path


def test_enum_codes_of_a_str_column_equal_those_of_its_objects():
    # A layer read without validation holds text as pandas' str dtype: factorized as it is, the codes are the
    # positions in CERTAINTIES (committed 0, planned 1, intended 2, speculative 3), a missing value the default.
    values = ["intended", None, "committed", "speculative", "intended"]
    as_str = pd.Series(values, dtype="str")
    assert enum_codes(as_str, CERTAINTIES, "c", default="planned").tolist() == [2, 1, 0, 3, 2]
    assert enum_codes(pd.Series(values, dtype=object), CERTAINTIES, "c", default="planned").tolist() == [2, 1, 0, 3, 2]
    with pytest.raises(EnergieplanologieError, match="lege waarde"):
        enum_codes(as_str, CERTAINTIES, "developments.certainty")
    with pytest.raises(EnergieplanologieError, match="onbekende waarde.*'zeker'"):
        enum_codes(pd.Series(["committed", "zeker"], dtype="str"), CERTAINTIES, "developments.certainty")
    # weighted_mw_arrays on some rows of a str-typed layer: row 2 (committed housing, 4 MW) and row 0 (intended
    # industry, 10 MW × 0.5 in verwacht).
    dev = pd.DataFrame({"certainty": pd.Series(["intended", "planned", "committed"], dtype="str"),
                        "sector": pd.Series(["industry", "housing", "housing"], dtype="str"),
                        "offtake_mw": [10.0, 1.0, 4.0], "feedin_mw": [0.0, 0.0, 0.0]})
    off, feed, weight = weighted_mw_arrays(dev, "verwacht", rows=np.array([2, 0]))
    assert off.tolist() == [4.0, 5.0] and feed.tolist() == [0.0, 0.0] and weight.tolist() == [1.0, 0.5]


def test_weighted_mw_arrays_missing_and_infinite_mw_as_nan_to_num():
    # All finite: taken as they are (planned 1, intended 0.5 in verwacht): 4 × 1 and 6 × 0.5.
    dev = pd.DataFrame({"certainty": ["planned", "intended"], "sector": ["housing", "housing"],
                        "offtake_mw": [4.0, 6.0], "feedin_mw": [0.0, 1.0]})
    off, feed, _ = weighted_mw_arrays(dev, "verwacht")
    assert off.tolist() == [4.0, 3.0] and feed.tolist() == [0.0, 0.5]
    # A missing MW counts as 0; an infinite one as np.nan_to_num makes it (the largest float), then weighted.
    dev["offtake_mw"] = [np.nan, np.inf]
    off, _, _ = weighted_mw_arrays(dev, "verwacht")
    assert off.tolist() == [0.0, np.finfo(float).max * 0.5]


def test_missing_as_zero_is_nan_to_num():
    # The MW columns of allocation, balance and the weighted MW go through it: the numbers of
    # np.nan_to_num(values, nan=0.0) (NaN 0, ±inf the largest finite floats), all-finite input as it is.
    from energieplanologie.scenarios import missing_as_zero

    odd = np.array([1.5, np.nan, np.inf, -np.inf, -0.0, 0.0, -2.0])
    assert np.array_equal(missing_as_zero(odd).view(np.uint64), np.nan_to_num(odd, nan=0.0).view(np.uint64))
    assert missing_as_zero(odd).tolist() == [1.5, 0.0, np.finfo(float).max, -np.finfo(float).max, -0.0, 0.0, -2.0]
    finite = np.array([1.0, -0.0, 3.5])
    assert np.array_equal(missing_as_zero(finite).view(np.uint64), finite.view(np.uint64))
