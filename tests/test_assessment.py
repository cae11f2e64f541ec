"""Afwegingskader: levels, reasons, weighting, overrides and rank stability on a small hand-made case.

The case (all coordinates RD New, metres):

* stations S1 "Noord" at (50000, 370000) and S2 "Zuid" at (60000, 370000);
* P0 existing (not scored); P1 expansion of S1, +100 MW offtake, ready 2027, 20 M€; P2 HV cable from
  (51500, 370000) to S2, +20 MW offtake at S2, ready 2033, 20 M€, crossing Natura 2000 "Duinen"
  (x 55000–56000); P3 heat network, a 1 km square at (65000–66000, 375000–376000), no station, no cost, 14 % of
  it (with 100 m buffer) in water "Kreek";
* one knooppunt K1: a 1 km circle around S1;
* a hand-made balance and enablement in the shape of the balance module's contract.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from energieplanologie import ConfigError, EnergieplanologieError
from energieplanologie.assessment import (
    LEVELS,
    load_framework,
    read_judgements,
    score_projects,
)
from energieplanologie.config import ProjectSettings
from energieplanologie.options import check_settings, stability_settings
from energieplanologie.sample import sample_settings
from energieplanologie.testing import (  # the hand-made case of the module docstring
    case_assessment,
    case_balance,
    case_enablement,
    case_hotspots,
    case_region,
    case_user_scores,
)


def test_hand_balance_and_enablement_match_the_balance_module():
    from energieplanologie import balance

    region = case_region()
    real = balance.station_balance(region, "verwacht").sort_values(["station_id", "direction", "year"])
    hand = case_balance().sort_values(["station_id", "direction", "year"])
    for col in ("capacity_added_mw", "headroom_mw", "shortage_mw"):
        np.testing.assert_allclose(real[col].to_numpy(float), hand[col].to_numpy(float))
    en = balance.project_enablement(region, "verwacht")
    en = en.loc[en["mw_enabled"] > 0, ["project_id", "year", "mw_enabled", "development_ids"]]
    assert en.values.tolist() == case_enablement()[["project_id", "year", "mw_enabled", "development_ids"]].values.tolist()
    # So scoring with the module's own balance gives the same result as with the hand-made frames.
    own = score_projects(region, hotspots=case_hotspots(), user_scores=case_user_scores())
    pd.testing.assert_frame_equal(own.scores, case_assessment().scores)










def levels(assessment) -> dict[tuple[str, str], str | None]:
    return {(p, c): lv for p, c, lv in assessment.scores[["project_id", "criterion", "level"]].itertuples(index=False)}


# ---------------------------------------------------------------------------------------------- framework
def test_default_framework_has_the_documents_eight_criteria():
    fw = load_framework()
    assert fw.codes == list("ABCDEFGH")
    # Names, types, questions and who judges as in the source document's table (sheet 34 / bijlage 9).
    assert fw["A"].name == "Maatschappelijk doelbereik"
    assert fw["A"].type == "maatschappelijke waarde"
    assert fw["A"].question == ("In welke mate worden met deze investering (welke) (ruimtelijke) ontwikkelingen "
                                "geaccommodeerd?")
    assert fw["C"].judged_by == "Regionale netbeheerder"
    assert fw["H"].judged_by == "Regionale netbeheerder"
    assert [fw[c].type for c in "BCD"] == ["systeemtoets"] * 3
    assert [fw[c].type for c in "FG"] == ["realiseerbaarheid"] * 2
    assert [fw[c].label(lv) for c in "D" for lv in LEVELS] == ["Hoge urgentie", "Gemiddelde urgentie", "Lage urgentie"]
    assert fw["F"].label("hoog") == "Weinig inspanningen nodig"  # hoog = most favourable: little effort needed
    assert not fw["H"].scored and fw["H"].weight == 0
    assert all(fw[c].scored and fw[c].weight == 1.0 for c in "ABCDEFG")


def test_provincial_framework_partial_thresholds_fall_back_to_default(tmp_path):
    text = load_framework.__globals__["_default_framework_text"]()
    # A province lowers C's bar and drops D's thresholds table entirely (defaults must fill it).
    text = text.replace("gemiddeld_mw_per_meur = 2.0", "gemiddeld_mw_per_meur = 1.0")
    text = text.replace("hoog_tot_jaar = 2030\n", "").replace("min_tekort_mw = 0.5\n", "")
    path = tmp_path / "provincie.toml"
    path.write_text(text, encoding="utf-8")
    fw = load_framework(path)
    assert fw["C"].thresholds == {"hoog_mw_per_meur": 5.0, "gemiddeld_mw_per_meur": 1.0}
    assert fw["D"].thresholds == {"hoog_tot_jaar": 2030, "min_tekort_mw": 0.5}
    # P2: 20 MW for 20 M€ = 1,00 MW/M€, now "gemiddeld" (was "laag" with the national bar of 2,0).
    result = case_assessment(framework=path)
    assert levels(result)[("P2", "C")] == "gemiddeld"
    # The same framework through the project configuration, relative to the configuration's folder.
    settings = ProjectSettings.from_sections({"assessment": {"framework": "provincie.toml"}}, base_dir=tmp_path)
    assert levels(case_assessment(**settings.assessment_options()))[("P2", "C")] == "gemiddeld"


def test_framework_errors_name_the_key(tmp_path):
    text = load_framework.__globals__["_default_framework_text"]()
    bad = tmp_path / "typo.toml"
    bad.write_text(text.replace("hoog_mw_per_meur = 5.0", "hoog_mw_per_euro = 5.0"), encoding="utf-8")
    with pytest.raises(ConfigError, match="hoog_mw_per_euro") as info:
        load_framework(bad)
    assert info.value.key == "criteria.C.thresholds"
    bad.write_text(text.replace('method = "urgency"', 'method = "gevoel"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="gevoel"):
        load_framework(bad)
    with pytest.raises(ConfigError, match="afwegingskader niet gevonden"):
        load_framework(tmp_path / "nergens.toml")


# ---------------------------------------------------------------------------------------------- scores
def test_levels_on_the_hand_made_case():
    result = case_assessment()
    got = levels(result)
    expected = {
        # A: P1 max 80 MW enabled (2035) ≥ 50 → hoog; P2 20 MW ≥ 10 → gemiddeld; P3 has no station → missing.
        ("P1", "A"): "hoog", ("P2", "A"): "gemiddeld", ("P3", "A"): None,
        # B: P1 lies in K1; P2 starts 1500 m from S1 = 500 m from the 1 km circle (≤ 2 km); P3 is ~14,8 km away.
        ("P1", "B"): "hoog", ("P2", "B"): "gemiddeld", ("P3", "B"): "laag",
        # C: P1 100 MW / 20 M€ = 5,0 ≥ 5 → hoog; P2 20 / 20 = 1,0 < 2 → laag; P3 adds no MW → missing.
        ("P1", "C"): "hoog", ("P2", "C"): "laag", ("P3", "C"): None,
        # D: without P1, S1 is 50 MW short from 2030 (≤ 2030) → hoog; without P2, S2 is short from 2035 → gemiddeld.
        ("P1", "D"): "hoog", ("P2", "D"): "gemiddeld", ("P3", "D"): None,
        # E, G: user input ("+", "gemiddeld", "veel" = Veel inspanningen nodig); absent → missing.
        ("P1", "E"): "hoog", ("P2", "E"): "gemiddeld", ("P3", "E"): None,
        ("P1", "G"): None, ("P2", "G"): "laag", ("P3", "G"): None,
        # F: P1 touches nothing; P2 crosses Natura 2000 (heavy) → laag; P3 14 % in water → gemiddeld.
        ("P1", "F"): "hoog", ("P2", "F"): "laag", ("P3", "F"): "gemiddeld",
        # H is reported, not scored.
        ("P1", "H"): None, ("P2", "H"): None, ("P3", "H"): None,
    }
    assert got == expected
    assert "P0" not in set(result.scores["project_id"])  # existing infrastructure is not weighed


def test_reasons_carry_the_numbers():
    result = case_assessment()
    reason = {(p, c): r for p, c, r in result.scores[["project_id", "criterion", "reason"]].itertuples(index=False)}
    assert "80,0 MW" in reason[("P1", "A")] and "Fabriek, Datacenter" in reason[("P1", "A")]
    assert "Knooppunt Noord (K1)" in reason[("P1", "B")]
    assert "0,5 km" in reason[("P2", "B")]
    assert reason[("P1", "C")].startswith("5,00 MW per M€: 100,0 MW toegevoegd")
    assert "tekort afname vanaf 2030 (50,0 MW; max. 70,0 MW" in reason[("P1", "D")]
    # P2 is only ready in 2033 but S2 is short without it from 2035: no acceleration needed.
    assert "versnelling" not in reason[("P2", "D")]
    # Buffered P2: 8500 m × 200 m + π·100² = 1 731 416 m²; 1000 m × 200 m of it in "Duinen" = 11,55 % → "12 %".
    assert "natura2000 'Duinen'" in reason[("P2", "F")] and "12 %" in reason[("P2", "F")]
    # Buffered P3: 1000² + 4·1000·100 + π·100² = 1 431 416 m²; 200 m × 1000 m in "Kreek" = 13,97 % → "14 %".
    assert "14 %" in reason[("P3", "F")]
    assert reason[("P1", "H")] == "investering ca. 20,0 M€; financiering: geborgd"
    assert reason[("P3", "H")] == "kosten onbekend; financiering: geen"
    assert reason[("P1", "E")] == "werkgelegenheid (beoordeling Werkorganisatie)"
    shares = result.evidence.set_index("project_id")["constraint_share"]
    # shapely approximates the round caps with 8 segments per quarter circle: slightly less than π·r², hence rel.
    assert shares["P2"] == pytest.approx(200_000 / (1_700_000 + np.pi * 100**2), rel=1e-3)
    assert shares["P3"] == pytest.approx(200_000 / (1_400_000 + np.pi * 100**2), rel=1e-3)


def test_urgency_counts_the_years_the_project_is_in_service():
    # S2 short by 5 MW in 2030, before P2 is ready (2033), then 30 MW room in 2035 with P2's 20 MW: without P2
    # still 10 MW room. The 2030 shortage is solved otherwise (e.g. a baseline drop); P2 is not needed → laag.
    bal = case_balance()
    s2 = (bal["station_id"] == "S2") & (bal["direction"] == "offtake")
    bal.loc[s2 & (bal["year"] == 2030), ["headroom_mw", "shortage_mw"]] = [-5.0, 5.0]
    bal.loc[s2 & (bal["year"] == 2035), "headroom_mw"] = 30.0
    d = case_assessment(balance=bal).scores.set_index(["project_id", "criterion"]).loc[("P2", "D")]
    assert d["level"] == "laag"
    assert d["reason"] == ("het tekort op station Zuid (S2) (vanaf 2030) is opgelost vóór dit project gereed is "
                           "(2033); zodra het gereed is, is er ook zonder dit project geen tekort")
    # Short in 2030 and, with 5 MW room in 2035, short without P2 then too (5 − 20 = −15): needed; first short in
    # 2030 → hoog, and P2 is only ready in 2033: acceleration.
    bal.loc[s2 & (bal["year"] == 2035), "headroom_mw"] = 5.0
    d = case_assessment(balance=bal).scores.set_index(["project_id", "criterion"]).loc[("P2", "D")]
    assert d["level"] == "hoog"
    assert "tekort afname vanaf 2030 (5,0 MW; max. 15,0 MW" in d["reason"]
    assert "project pas gereed in 2033: versnelling nodig" in d["reason"]


def test_missing_is_scored_neutrally_and_says_so():
    scores = case_assessment().scores.set_index(["project_id", "criterion"])
    for key in [("P3", "A"), ("P3", "C"), ("P3", "D"), ("P3", "E"), ("P1", "G")]:
        assert scores.loc[key, "source"] == "missing"
        assert scores.loc[key, "points"] == 1.0  # scale.missing_points: the middle of 0–2
        assert scores.loc[key, "reason"].endswith("neutraal gescoord")
        assert scores.loc[key, "level_label"] == "geen invoer"
    assert scores.loc[("P3", "A"), "reason"].startswith("niet aan een station gekoppeld")
    assert np.isnan(scores.loc[("P1", "H"), "points"]) and scores.loc[("P1", "H"), "value"] == 20.0


def test_weighted_score_and_rank():
    table = case_assessment().table.set_index("project_id")
    # Points hoog 2 / gemiddeld 1 / laag 0 / missing 1 over A–G, equal weights, max 14:
    # P1 2+2+2+2+2+2+1 = 13 → 92,86; P2 1+1+0+1+1+0+0 = 4 → 28,57; P3 1+0+1+1+1+1+1 = 6 → 42,86.
    assert table.loc["P1", "weighted_score"] == pytest.approx(100 * 13 / 14, abs=0.005)
    assert table.loc["P2", "weighted_score"] == pytest.approx(100 * 4 / 14, abs=0.005)
    assert table.loc["P3", "weighted_score"] == pytest.approx(100 * 6 / 14, abs=0.005)
    assert table["rank"].to_dict() == {"P1": 1, "P3": 2, "P2": 3}
    assert table.loc["P3", "n_missing"] == 5 and table.loc["P2", "n_missing"] == 0
    assert table.loc["P1", "H"] == 20.0 and table.loc["P1", "C"] == "hoog"
    assert list(case_assessment().table["project_id"]) == ["P1", "P3", "P2"]  # rank order


def test_override_is_recorded_and_moves_the_rank():
    ov = pd.DataFrame({"project_id": ["P2"], "criterion": ["C"], "level": ["Veel efficiënt"],
                       "reason": ["kabel ook voor toekomstige wind op zee"], "by": ["Netbeheerder"]})
    result = case_assessment(overrides=ov)
    row = result.scores.set_index(["project_id", "criterion"]).loc[("P2", "C")]
    assert (row["level"], row["source"], row["overridden_from"]) == ("hoog", "override", "laag")
    assert row["reason"].startswith("overschreven door Netbeheerder: kabel ook voor toekomstige wind op zee (was: 1,00")
    assert result.overrides.to_dict("records") == [{
        "project_id": "P2", "criterion": "C", "old_level": "laag", "new_level": "hoog", "old_source": "derived",
        "reason": "kabel ook voor toekomstige wind op zee", "by": "Netbeheerder"}]
    # P2 gains 2 points: 6/14, the same as P3 → they share rank 2.
    assert result.table.set_index("project_id")["rank"].to_dict() == {"P1": 1, "P2": 2, "P3": 2}
    # Overriding a missing score records "geen invoer" → the new level.
    ov2 = pd.DataFrame({"project_id": ["P3"], "criterion": ["G"], "level": ["-"], "reason": ["geen tracé"]})
    rec = case_assessment(overrides=ov2).overrides.iloc[0]
    assert (rec["old_level"], rec["old_source"], rec["new_level"], rec["by"]) == (None, "missing", "laag", "")


def test_judgements_from_the_project_configuration(tmp_path):
    # [assessment] user_scores = "file" (relative to the configuration) and top-level [[overrides]] tables.
    case_user_scores().to_csv(tmp_path / "beoordelingen.csv", index=False)
    settings = {"assessment": {"user_scores": "beoordelingen.csv"},
                "overrides": [{"project_id": "P2", "criterion": "C", "level": "hoog", "reason": "x", "by": "GS"}]}
    options = ProjectSettings.from_sections(settings, base_dir=tmp_path).assessment_options()
    result = score_projects(case_region(), balance=case_balance(), enablement=case_enablement(),
                            hotspots=case_hotspots(), **options)
    scores = result.scores.set_index(["project_id", "criterion"])
    assert scores.loc[("P1", "E"), "source"] == "user" and scores.loc[("P2", "C"), "source"] == "override"
    assert result.overrides["by"].tolist() == ["GS"]


def test_user_judgement_on_a_derived_criterion_counts_as_override():
    users = pd.concat([case_user_scores(), pd.DataFrame({"project": ["P1"], "criterium": ["F"], "niveau": ["laag"],
                                                         "toelichting": ["archeologie"], "door": [""]})])
    result = case_assessment(user_scores=users)
    assert result.overrides[["project_id", "criterion", "old_level", "new_level", "by"]].values.tolist() == [
        ["P1", "F", "hoog", "laag", "gebruikersinvoer"]]
    # And a user judgement on B replaces the knooppunt rule as the source, not as an override.
    users_b = pd.concat([case_user_scores(), pd.DataFrame({"project": ["P3"], "criterium": ["B"],
                                                           "niveau": ["goed"], "toelichting": ["in energievisie"]})])
    res_b = case_assessment(user_scores=users_b)
    b = res_b.scores.set_index(["project_id", "criterion"]).loc[("P3", "B")]
    assert (b["level"], b["source"]) == ("hoog", "user") and res_b.overrides.empty


def test_stability_is_deterministic_for_a_seed():
    ov = pd.DataFrame({"project_id": ["P2"], "criterion": ["C"], "level": ["hoog"], "reason": ["x"]})
    a = case_assessment(overrides=ov, top_k=2, seed=7)
    b = case_assessment(overrides=ov, top_k=2, seed=7)
    pd.testing.assert_frame_equal(a.stability, b.stability)
    pd.testing.assert_frame_equal(a.table, b.table)
    st = a.stability.set_index("project_id")
    # P1 beats P3 on every criterion but G (equal): rank 1 under any positive weights.
    assert (st.loc["P1", "rank_min"], st.loc["P1", "rank_max"], st.loc["P1", "p_top_k"]) == (1, 1, 1.0)
    # P2 − P3 = w_B + w_C − w_F − w_G: a coin flip under symmetric noise; exactly one of them is in the top 2.
    assert (st.loc["P2", "rank_min"], st.loc["P2", "rank_max"]) == (2, 3)
    assert st.loc["P2", "p_top_k"] + st.loc["P3", "p_top_k"] == pytest.approx(1.0)
    assert 0.4 < st.loc["P2", "p_top_k"] < 0.6
    # No noise: every interval collapses onto the rank itself.
    still = case_assessment(weight_noise=0.0).stability
    assert (still["rank_min"] == still["rank"]).all() and (still["rank_max"] == still["rank"]).all()


def test_user_scores_read_from_xlsx_and_csv(tmp_path):
    xlsx, csv = tmp_path / "beoordelingen.xlsx", tmp_path / "beoordelingen.csv"
    case_user_scores().to_excel(xlsx, index=False)
    case_user_scores().to_csv(csv, index=False, sep=";")
    from_frame = case_assessment().scores
    for path in (xlsx, csv):
        pd.testing.assert_frame_equal(case_assessment(user_scores=path).scores, from_frame)


def test_bad_user_input_names_the_row(tmp_path):
    fw = load_framework()
    ids = ["P1", "P2"]
    good = {"project_id": ["P1"], "criterion": ["E"], "level": ["hoog"]}
    with pytest.raises(EnergieplanologieError, match="rij 2: niveau 'super' onbekend voor E"):
        read_judgements(pd.DataFrame({**good, "level": ["super"]}), fw, ids)
    with pytest.raises(EnergieplanologieError, match="project_id 'P9'"):
        read_judgements(pd.DataFrame({**good, "project_id": ["P9"]}), fw, ids)
    with pytest.raises(EnergieplanologieError, match="criterium 'Z' onbekend"):
        read_judgements(pd.DataFrame({**good, "criterion": ["Z"]}), fw, ids)
    with pytest.raises(EnergieplanologieError, match="wordt niet gescoord"):
        read_judgements(pd.DataFrame({**good, "criterion": ["H"]}), fw, ids)
    with pytest.raises(EnergieplanologieError, match="meer dan eens"):
        read_judgements(pd.DataFrame({k: v * 2 for k, v in good.items()}), fw, ids)
    with pytest.raises(EnergieplanologieError, match="kolom 'level' ontbreekt"):
        read_judgements(pd.DataFrame({"project_id": ["P1"], "criterion": ["E"]}), fw, ids)


def test_a_subset_of_projects(tmp_path):
    # Judgements on projects left out of the run are ignored; an id the region does not know is an error.
    result = case_assessment(projects=["P2", "P0"])
    # Existing P0 is scored when asked for by name: A laag 0, B hoog 2 (at S1, in K1), C missing 1 (adds no MW),
    # D laag 0 (S1 has room with P1 in place), E 1, F hoog 2, G 1 = 7 points, above P2's 4.
    assert list(result.table["project_id"]) == ["P0", "P2"]
    assert set(result.scores["project_id"]) == {"P0", "P2"}
    with pytest.raises(EnergieplanologieError, match="P9"):
        case_assessment(projects=["P9"])
    empty = case_assessment(projects=[])
    assert empty.table.empty and empty.stability.empty


def test_inputs_are_not_mutated():
    region, bal, en, hs, users = case_region(), case_balance(), case_enablement(), case_hotspots(), case_user_scores()
    before = [region.infrastructure.copy(), bal.copy(), en.copy(), hs.copy(), users.copy()]
    score_projects(region, balance=bal, enablement=en, hotspots=hs, user_scores=users)
    for old, new in zip(before, [region.infrastructure, bal, en, hs, users], strict=True):
        pd.testing.assert_frame_equal(old, new)


# ---------------------------------------------------------------------------------------------- the sample region
@pytest.mark.slow
def test_sample_region_scores_follow_its_documented_design(sample_region):
    """The sample README designs the shortages each project solves and P09's Natura 2000 crossing."""
    # balance, enablement and knooppunten computed here; the judgements of the sample's configuration
    result = score_projects(sample_region, **sample_settings().assessment_options())
    # P11 is the sample's flex asset (battery at Hulst 50 kV, issue 20).
    assert sorted(result.table["project_id"]) == [f"P{i:02d}" for i in range(1, 12)]
    scores = result.scores.set_index(["project_id", "criterion"])
    # OBG feed-in short until P01 (2030); TNZ offtake until P03 (2032); SKL until P06 (2034): short by 2030 → hoog.
    # WDO is short from 2035 until P05 (2036) → gemiddeld. P03, P05 and P06 are ready after the shortage begins.
    assert [scores.loc[(p, "D"), "level"] for p in ("P01", "P03", "P06", "P05")] == ["hoog"] * 3 + ["gemiddeld"]
    for p in ("P03", "P05", "P06"):
        assert "versnelling nodig" in scores.loc[(p, "D"), "reason"]
    # P09 crosses Natura 2000 Westerschelde & Saeftinghe → F laag; it is not needed once P03 is in service.
    assert scores.loc[("P09", "F"), "level"] == "laag"
    assert "Westerschelde & Saeftinghe" in scores.loc[("P09", "F"), "reason"]
    assert scores.loc[("P09", "D"), "level"] == "laag"
    # The sample's beoordelingen.csv judges E and G for every project (user input, with its reason).
    assert (scores.xs("E", level="criterion")["source"] == "user").all()
    assert scores.loc[("P09", "G"), "level"] == "laag" and "Denkrichting" in scores.loc[("P09", "G"), "reason"]
    assert result.table["rank"].min() == 1 and result.table["weighted_score"].is_monotonic_decreasing


def test_rank_follows_the_score_as_shown():
    # With P2's C overridden to hoog, P2 − P3 = w_B + w_C − w_F − w_G (see test_stability_is_deterministic…).
    # Weight C 1.00001 instead of 1: P2 = 100·(6 + 0.00002)/(2·7.00001) = 42.8573 and P3 = 100·6/(2·7.00001)
    # = 42.8571; both show 42,86, so both rank 2 (not 2 and 3), listed by project id.
    from importlib import resources

    import tomllib

    framework = tomllib.loads(resources.files("energieplanologie").joinpath("data/afwegingskader.toml")
                              .read_text(encoding="utf-8"))
    framework["criteria"]["C"]["weight"] = 1.00001
    ov = pd.DataFrame({"project_id": ["P2"], "criterion": ["C"], "level": ["hoog"], "reason": ["x"]})
    result = case_assessment(overrides=ov, framework=framework)
    table = result.table.set_index("project_id")
    assert table.loc["P2", "weighted_score"] == table.loc["P3", "weighted_score"] == 42.86
    assert table["rank"].to_dict() == {"P1": 1, "P2": 2, "P3": 2}
    assert list(result.table["project_id"]) == ["P1", "P2", "P3"]
    assert result.stability.set_index("project_id")["rank"].to_dict() == {"P1": 1, "P2": 2, "P3": 2}


def test_run_uses_the_assessment_settings(sample_region):
    # [assessment] top_k, n_perturbations, weight_noise and seed reach the afweging of `run` (pipeline.analyse):
    # the result equals score_projects called with them, and differs from the defaults. With top_k = 1 the
    # second-placed P03 (p_top_k 1.0 with the default top 5) is in the top 1 far less often.
    from energieplanologie.pipeline import analyse

    chosen = {"top_k": 1, "n_perturbations": 300, "weight_noise": 0.5, "seed": 11}
    sample = sample_settings()
    settings = replace(sample, assessment={**sample.assessment, **chosen})
    result = analyse(sample_region, settings=settings)
    got = result.assessment
    assert (got.top_k, got.n_perturbations, got.weight_noise, got.seed) == (1, 300, 0.5, 11)
    judged = sample.assessment_options()  # the sample's framework and judgements
    want = score_projects(result.region, scenario=result.scenario, year=result.year,
                          balance=result.balance_chosen, enablement=result.enablement,
                          hotspots=result.hotspots_final, **judged, **chosen)
    pd.testing.assert_frame_equal(got.table, want.table)
    default = score_projects(sample_region, scenario=result.scenario, year=result.year,
                             balance=result.balance_chosen, enablement=result.enablement,
                             hotspots=result.hotspots_final, **judged)
    p_top = got.table.set_index("project_id")["p_top_k"]
    assert default.table.set_index("project_id").loc["P03", "p_top_k"] == 1.0 and p_top.loc["P03"] < 0.5
    # The arguments are what counts (a Region carries no configuration).
    assert score_projects(result.region, balance=result.balance_chosen, enablement=result.enablement,
                          hotspots=result.hotspots_final, top_k=3).top_k == 3


@pytest.mark.parametrize(("key", "value"), [
    ("top_k", 0), ("top_k", 2.5), ("n_perturbations", 100_001), ("weight_noise", float("nan")),
    ("weight_noise", 5.5), ("seed", -1), ("seed", True), ("seed", 10**400), ("top_k", "3"),
])
def test_stability_arguments_are_checked_where_the_configuration_is(key, value):
    # One place checks keys (options.py): an argument of score_projects and the same [assessment] key of a
    # configuration give the same error, naming the same key. Bounds (options.NUMBERS): top_k 1 … 10,000 whole,
    # n_perturbations 1 … 100,000 whole, weight_noise 0 … 5, seed 0 … 2³² − 1 whole; true/false is no number.
    with pytest.raises(ConfigError) as from_config:
        check_settings("assessment", {key: value})
    with pytest.raises(ConfigError) as from_argument:
        score_projects(case_region(), **{key: value})
    assert from_argument.value.key == from_config.value.key == f"assessment.{key}"
    assert str(from_argument.value) == str(from_config.value)


def test_stability_arguments_take_numpy_numbers_and_defaults():
    # A numpy integer is a whole number (an Assessment read back from a frame hands them on); None is the default.
    assert stability_settings(top_k=np.int64(2), weight_noise=np.float64(0.5)) == {
        "top_k": 2, "n_perturbations": 1000, "weight_noise": 0.5, "seed": 0}
    got = case_assessment(top_k=np.int64(2), seed=np.int64(7), n_perturbations=np.int32(50))
    assert (got.top_k, got.seed, got.n_perturbations, got.weight_noise) == (2, 7, 50, 0.25)
    assert type(got.top_k) is int and type(got.seed) is int
