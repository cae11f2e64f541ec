"""Differences between two programming rounds, read from real GeoPackages written the way the pipeline does.

Round 1 is the hand-made case of ``test_assessment.py``; round 2 plants known changes on it.
"""

from __future__ import annotations

import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from energieplanologie.assessment import score_projects
from energieplanologie.balance import balance_layer, station_balance
from energieplanologie.diff import DIFF_COLUMNS, diff_rounds
from energieplanologie.diff_report import write_diff
from energieplanologie.io import write_layers
from energieplanologie.testing import case_hotspots, case_region, case_user_scores


def write_round(path, region, *, with_assessment: bool = True):
    """The round's GeoPackage: infrastructuur, stationsbalans and the afweging table (Dutch headers)."""
    layers = {"infrastructuur": region.infrastructure,
              "stationsbalans": balance_layer(station_balance(region, "verwacht"), region.stations)}
    if with_assessment:
        layers["afweging"] = score_projects(region, hotspots=case_hotspots(), user_scores=case_user_scores()).table
    return write_layers(path, layers)


@pytest.fixture(scope="module")
def old_round(tmp_path_factory):
    return write_round(tmp_path_factory.mktemp("ronde1") / "energieplanologie.gpkg", case_region())


def test_same_round_has_no_differences(old_round, tmp_path):
    again = write_round(tmp_path / "energieplanologie.gpkg", case_region())
    diff = diff_rounds(old_round, again)
    assert diff.empty and diff.notes == []
    assert list(diff.changes.columns) == list(DIFF_COLUMNS)


def test_one_planted_change_and_nothing_else(old_round, tmp_path):
    region = case_region()
    infra = region.infrastructure.copy()
    infra.loc[2, "year_ready"] = 2034  # P2 one year later: still before 2035, so no balance year changes
    new = write_round(tmp_path / "energieplanologie.gpkg", region.replace(infrastructure=infra))
    diff = diff_rounds(old_round, new)
    assert diff.changes.to_dict("records") == [{
        "category": "project", "id": "P2", "name": "Kabel Noord-Zuid", "change": "replanned", "field": "year_ready",
        "scenario": None, "year": None, "direction": None, "old": 2033, "new": 2034}]
    assert diff.replanned == ["P2"] and diff.added == diff.removed == diff.rescored == diff.stations == []


def test_every_kind_of_change_is_found(old_round, tmp_path):
    region = case_region()
    infra = region.infrastructure.copy()
    infra.loc[1, "cost_meur"] = 25.0  # P1 re-planned: 100 MW / 25 M€ = 4,0 MW/M€ → C from hoog to gemiddeld
    infra = infra.loc[infra["project_id"] != "P3"]  # P3 removed
    p4 = infra.iloc[[2]].assign(project_id="P4", name="Batterij Zuid", infra_type="battery",
                                offtake_capacity_added_mw=0.0, cost_meur=3.0, year_ready=2029,
                                geometry=[Point(60100, 370100)])
    infra = pd.concat([infra, p4], ignore_index=True)  # P4 added, adds no capacity
    dev = region.developments.copy()
    dev.loc[dev["development_id"] == "D2", "offtake_mw"] = 40.0
    # S2 in 2035: capacity 50 + 20 (P2) = 70 against 40 baseline + 40 (D2) = 80 → 10 MW short (was 0).
    # P2 no longer enables D2 (it does not fit even with P2): A from gemiddeld (20 MW) to laag (0 MW).
    new_region = region.replace(infrastructure=infra, developments=dev)
    new = write_round(tmp_path / "energieplanologie.gpkg", new_region)
    diff = diff_rounds(old_round, new)
    got = [(r["id"], r["change"], r["field"], r["old"], r["new"]) for r in diff.changes.to_dict("records")]
    assert got == [
        ("P1", "replanned", "cost_meur", 20, 25),
        ("P3", "removed", None, None, None),
        ("P4", "added", None, None, None),
        # Points A–G (max 14): P1 13 → 12 = 92,86 → 85,71; P2 4 → 3 = 28,57 → 21,43.
        ("P1", "rescored", "C", "hoog", "gemiddeld"),
        ("P1", "rescored", "weighted_score", 92.86, 85.71),
        ("P2", "rescored", "A", "gemiddeld", "laag"),
        ("P2", "rescored", "weighted_score", 28.57, 21.43),
        ("S2", "shortage_changed", "shortage_mw", 0, 10),
    ]
    station = diff.changes.iloc[-1]
    assert (station["name"], station["scenario"], station["year"], station["direction"]) == (
        "Zuid", "verwacht", 2035, "offtake")
    assert diff.summary() == {"added": 1, "removed": 1, "replanned": 1, "rescored": 2, "shortage_changed": 1}

    csv, page = write_diff(diff, tmp_path / "uit")
    back = pd.read_csv(csv)
    assert list(back.columns) == ["categorie", "id", "naam", "wijziging", "veld", "scenario", "jaar", "richting",
                                  "oud", "nieuw"]
    assert back["wijziging"].tolist() == ["herpland", "verwijderd", "toegevoegd", "anders gescoord",
                                          "anders gescoord", "anders gescoord", "anders gescoord", "tekort gewijzigd"]
    assert back.loc[0, "veld"] == "Kosten (M€)" and back.loc[3, "veld"] == "Criterium C"
    assert (back.loc[7, "richting"], back.loc[7, "oud"], back.loc[7, "nieuw"]) == ("Afname", "0", "10")
    text = page.read_text(encoding="utf-8")
    for heading in ("Nieuwe projecten", "Vervallen projecten", "Herplande projecten", "Anders gescoorde projecten",
                    "Stations met een gewijzigd tekort (MW)"):
        assert f"<h2>{heading}</h2>" in text
    assert "<td>2035</td><td>Afname</td><td>–</td><td>10,0</td><td>+10,0</td>" not in text  # old 0 is shown as 0,0
    assert "<td>2035</td><td>Afname</td><td>0,0</td><td>10,0</td><td>+10,0</td>" in text


def test_missing_afweging_is_noted_not_guessed(old_round, tmp_path):
    new = write_round(tmp_path / "energieplanologie.gpkg", case_region(), with_assessment=False)
    diff = diff_rounds(old_round, new)
    assert diff.empty
    assert diff.notes == ["energieplanologie.gpkg: laag 'afweging' ontbreekt; niet vergeleken"]
    assert "afweging" not in set(pyogrio.list_layers(new)[:, 0])


def test_names_are_escaped_in_html(old_round, tmp_path):
    region = case_region()
    infra = region.infrastructure.copy()
    infra.loc[1, "name"] = "<img src=x onerror=alert(1)>"
    infra.loc[1, "year_ready"] = 2028
    diff = diff_rounds(old_round, write_round(tmp_path / "n.gpkg", region.replace(infrastructure=infra)))
    _, page = write_diff(diff, tmp_path)
    text = page.read_text(encoding="utf-8")
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
