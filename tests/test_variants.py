"""Development variants on the hand-made case of ``test_assessment.py``.

Stations (offtake; feed-in has no load): S1 base 100 MW, baseline load 90, D1 60 MW from 2030 and D3 20 MW from
2035 (both weight 1 in "verwacht"); S2 base 50 MW, baseline load 10 (2025) / 40 (from 2030), D2 20 MW from 2035.
P1 adds 100 MW at S1 (ready 2027, 20 M€), P2 adds 20 MW at S2 (ready 2033, 20 M€), P3 has no station and no cost.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from energieplanologie import ConfigError
from energieplanologie.config import ProjectSettings
from energieplanologie.sample import sample_settings
from energieplanologie.testing import case_assessment, case_region
from energieplanologie.variant_charts import plot_variants, write_variants
from energieplanologie.variants import (
    VARIANT_COLUMNS,
    Variant,
    compare_variants,
    compare_variants_result,
    load_variants,
)

VARIANTS_TOML = """
[variants.niets]
label = "Nulvariant"
projects = []

[variants.ip]
label = "Investeringsplan"
projects = ["P1"]
scenario = "verwacht"

[variants.alles]
projects = ["P1", "P2", "P3"]
"""


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    path = tmp_path_factory.mktemp("var") / "varianten.toml"
    path.write_text(VARIANTS_TOML, encoding="utf-8")
    return compare_variants(case_region(), path, assessment=case_assessment())


def test_load_variants_from_toml(tmp_path):
    path = tmp_path / "v.toml"
    path.write_text(VARIANTS_TOML, encoding="utf-8")
    vs = load_variants(path)
    assert list(vs) == ["niets", "ip", "alles"]  # file order kept
    assert vs["ip"] == Variant("ip", ("P1",), "verwacht", "Investeringsplan")
    assert vs["alles"].scenario == "verwacht" and vs["alles"].title == "alles"
    with pytest.raises(ConfigError, match="onbekende sleutel") as info:
        load_variants({"variants": {"x": {"projects": [], "projecten": []}}})
    assert info.value.key == "variants.x"
    with pytest.raises(ConfigError, match="P9"):
        compare_variants(case_region(), {"x": {"projects": ["P9"]}})


def test_variants_from_the_project_configuration():
    settings = ProjectSettings.from_sections({"variants": {"ip": {"projects": ["P1"]}}})
    assert compare_variants(case_region(), settings.variant_tables())["variant"].unique().tolist() == ["ip"]
    with pytest.raises(ConfigError, match="geen varianten"):
        compare_variants(case_region())


def test_shortage_and_stations_short_per_year(comparison):
    got = comparison.set_index(["variant", "year"])
    # Nulvariant: 2030 S1 150 − 100 = 50 MW short; 2035 S1 170 − 100 = 70 and S2 60 − 50 = 10 → 80 MW, 2 stations.
    assert got.loc[("niets", 2025), "total_shortage_mw"] == 0.0
    assert got.loc[("niets", 2030), ["total_shortage_mw", "stations_short"]].tolist() == [50.0, 1]
    assert got.loc[("niets", 2035), ["total_shortage_mw", "stations_short"]].tolist() == [80.0, 2]
    # With P1 S1 has 200 MW; S2 is still 10 MW short in 2035.
    assert got.loc[("ip", 2030), "total_shortage_mw"] == 0.0
    assert got.loc[("ip", 2035), ["total_shortage_mw", "stations_short"]].tolist() == [10.0, 1]
    # With P2 as well S2 has 70 MW ≥ 60: no shortage left.
    assert got.loc[("alles", 2035), ["total_shortage_mw", "stations_short"]].tolist() == [0.0, 0]


def test_developments_accommodated(comparison):
    got = comparison.set_index(["variant", "year"])
    cols = ["developments_accommodated", "developments_total", "mw_accommodated", "mw_total"]
    # 2030: only D1 (at S1). Without P1 it does not fit; the MW that fits at S1 is max(0, 100 − 90) = 10.
    assert got.loc[("niets", 2030), cols].tolist() == [0, 1, 10.0, 60.0]
    assert got.loc[("ip", 2030), cols].tolist() == [1, 1, 60.0, 60.0]
    # 2035: D1, D3 at S1 and D2 at S2. Nulvariant: 10 fits at S1, 50 − 40 = 10 of D2's 20 at S2.
    assert got.loc[("niets", 2035), cols].tolist() == [0, 3, 20.0, 100.0]
    assert got.loc[("ip", 2035), cols].tolist() == [2, 3, 90.0, 100.0]
    assert got.loc[("alles", 2035), cols].tolist() == [3, 3, 100.0, 100.0]


def test_cost_and_criteria(comparison):
    first = comparison.drop_duplicates("variant").set_index("variant")
    assert first["n_projects"].to_dict() == {"niets": 0, "ip": 1, "alles": 3}
    # P3 has no cost: counted as 0 (and listed in VariantsResult.unknown_cost, below).
    assert first["total_cost_meur"].to_dict() == {"niets": 0.0, "ip": 20.0, "alles": 40.0}
    assert comparison.attrs == {}  # no side channel: the projects without a cost come with the result type
    # Weighted scores P1 92,86, P2 28,57, P3 42,86 (test_assessment): the mean of "alles" is 54,76.
    assert first.loc["ip", "weighted_score_mean"] == pytest.approx(92.86)
    assert first.loc["alles", "weighted_score_mean"] == pytest.approx((92.86 + 28.57 + 42.86) / 3)
    # Points A: P1 hoog 2, P2 gemiddeld 1, P3 missing 1 → mean 4/3.
    assert first.loc["alles", "points_A"] == pytest.approx(4 / 3)
    assert pd.isna(first.loc["niets", "weighted_score_mean"])
    assert list(comparison.columns[: len(VARIANT_COLUMNS)]) == list(VARIANT_COLUMNS)


def test_unknown_cost_in_the_result(tmp_path):
    path = tmp_path / "varianten.toml"
    path.write_text(VARIANTS_TOML, encoding="utf-8")
    result = compare_variants_result(case_region(), path, assessment=case_assessment())
    # P3 has no cost_meur; only "alles" builds it (niets: no projects, ip: P1 only).
    assert result.unknown_cost == {"alles": ["P3"]}
    assert result.table.attrs == {}
    pd.testing.assert_frame_equal(result.table, compare_variants(case_region(), path, assessment=case_assessment()))


def test_existing_infrastructure_counts_in_every_variant():
    region = case_region()
    infra = region.infrastructure.copy()
    infra.loc[0, "offtake_capacity_added_mw"] = 60.0  # P0 (existing) now adds 60 MW at S1 from 2020
    region = region.replace(infrastructure=infra)
    with_existing = compare_variants(region, [Variant("niets", ())]).set_index("year")
    without = compare_variants(region, [Variant("niets", ())], include_existing=False).set_index("year")
    assert with_existing.loc[2030, "total_shortage_mw"] == 0.0  # 150 ≤ 160
    assert without.loc[2030, "total_shortage_mw"] == 50.0


def test_chart_has_dutch_labels_and_is_written(comparison, tmp_path):
    fig = plot_variants(comparison, title="Varianten")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["Resterend tekort", "Stations met tekort", "Kosten en ontwikkelingen (2035)"]
    assert fig.axes[0].get_xlabel() == "Jaar"
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["Nulvariant", "Investeringsplan", "alles"]
    csv, png = write_variants(comparison, tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    back = pd.read_csv(csv)
    assert {"variant", "jaar", "totaal_tekort_mw", "stations_met_tekort", "ontwikkelingen_geaccommodeerd",
            "totale_kosten_meur"} <= set(back.columns)
    assert len(back) == 9


def test_run_writes_the_configured_variants(sample_region, tmp_path):
    # [variants] is used by `run` (it used to be accepted and ignored): varianten.csv holds compare_variants'
    # rows for the configured variants, Dutch headers; without [variants] there is no such file.
    import pandas as pd

    from energieplanologie.pipeline import run_pipeline

    variants = {"basis": {"projects": ["P01", "P02"], "label": "Alleen P01 en P02"}}
    settings = replace(sample_settings(), variants=variants)
    written = run_pipeline(sample_region, tmp_path / "uit", settings=settings, pdf=False)
    assert {p.name for p in written} >= {"varianten.csv", "varianten.png"}
    table = pd.read_csv(tmp_path / "uit" / "varianten.csv")
    # One row per analysis year of the one variant, with its two projects.
    assert table["variant"].tolist() == ["basis"] * 4 and table["jaar"].tolist() == [2025, 2030, 2035, 2040]
    assert set(table["project_ids"]) == {"P01;P02"}
    assert not (tmp_path / "geen").exists()
    plain = {p.name for p in run_pipeline(sample_region, tmp_path / "geen", pdf=False)}
    assert "varianten.csv" not in plain


def test_variants_are_checked_when_the_configuration_is_read():
    import tomllib

    from energieplanologie.config import load_config
    from energieplanologie.sample import SAMPLE_CONFIG, SAMPLE_DIR

    data = tomllib.loads(SAMPLE_CONFIG.read_text(encoding="utf-8"))
    for layer in data["layers"].values():
        layer["path"] = str(SAMPLE_DIR / layer["path"])
    data.pop("assessment")
    for table, key in (({"a": {"projects": "P01"}}, "variants.a.projects"),
                       ({"a": {"projects": ["P01"], "scenario": "optimistisch"}}, "variants.a.scenario"),
                       ({"a": {"projecten": ["P01"]}}, "variants.a")):
        with pytest.raises(ConfigError) as info:
            load_config(data={**data, "variants": table})
        assert info.value.key == key and str(info.value).startswith(key)
