"""Shared test cases: small hand-made regions and results whose numbers are derived by hand.

Public so that the package's own tests, and anyone who builds on it, share one copy of each case instead of
importing one test module from another (pytest fixtures stay in ``tests/conftest.py``; these are the data they
return). Like :func:`energieplanologie.load_sample`, every call builds fresh frames.

The afweging case (``case_*``): afwegingskader: levels, reasons, weighting, overrides and rank stability on a small hand-made case.

The case (all coordinates RD New, metres):

* stations S1 "Noord" at (50000, 370000) and S2 "Zuid" at (60000, 370000);
* P0 existing (not scored); P1 expansion of S1, +100 MW offtake, ready 2027, 20 M€; P2 HV cable from
  (51500, 370000) to S2, +20 MW offtake at S2, ready 2033, 20 M€, crossing Natura 2000 "Duinen"
  (x 55000–56000); P3 heat network, a 1 km square at (65000–66000, 375000–376000), no station, no cost, 14 % of
  it (with 100 m buffer) in water "Kreek";
* one knooppunt K1: a 1 km circle around S1;
* a hand-made balance and enablement in the shape of the balance module's contract.

Examples
--------
>>> from energieplanologie.testing import case_assessment, case_region
>>> region = case_region()
>>> sorted(region.infrastructure["project_id"]), region.years
(['P0', 'P1', 'P2', 'P3'], (2025, 2030, 2035))
>>> case_assessment().table[["project_id", "rank"]].sort_values("project_id")["rank"].tolist()
[1, 3, 2]
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point, box

from energieplanologie.assessment import Assessment, score_projects
from energieplanologie.region import Region

__all__ = ["CRS", "S1", "S2", "case_assessment", "case_balance", "case_enablement", "case_hotspots", "case_region",
           "case_user_scores"]

#: The case's coordinate reference system (RD New).
CRS = "EPSG:28992"
#: Positions of the stations S1 "Noord" and S2 "Zuid".
S1, S2 = (50000, 370000), (60000, 370000)


def case_region() -> Region:
    """The hand-made region described in the module docstring."""
    mun = gpd.GeoDataFrame({"municipality_code": ["GM0001"], "name": ["Testgem"]},
                           geometry=[box(40000, 360000, 70000, 380000)], crs=CRS)
    stations = gpd.GeoDataFrame({"station_id": ["S1", "S2"], "name": ["Noord", "Zuid"],
                                 "voltage_kv": ["150/20", "20/10"], "operator": ["Enexis", "Enexis"]},
                                geometry=[Point(S1), Point(S2)], crs=CRS)
    # Baseline offtake load: S1 90 MW from 2025; S2 10 MW in 2025 and 40 MW from 2030 (latest row ≤ year counts).
    capacity = pd.DataFrame({"station_id": ["S1", "S2", "S2"], "year": [2025, 2025, 2030],
                             "offtake_capacity_mw": [100.0, 50.0, 50.0], "feedin_capacity_mw": [50.0, 20.0, 20.0],
                             "offtake_load_mw": [90.0, 10.0, 40.0]})
    infra = gpd.GeoDataFrame(
        {"project_id": ["P0", "P1", "P2", "P3"],
         "name": ["Bestaand", "Uitbreiding Noord", "Kabel Noord-Zuid", "Warmtenet Oost"],
         "infra_type": ["station_expansion", "station_expansion", "cable_hv", "heat_network"],
         "carrier": ["electricity", "electricity", "electricity", "heat"],
         "operator": ["Enexis", "Enexis", "Enexis", "Warmtebedrijf"],
         "status": ["existing", "investment_plan", "proposed", "narrative"],
         "year_ready": [2020, 2027, 2033, None], "station_id": ["S1", "S1", "S2", None],
         "offtake_capacity_added_mw": [0.0, 100.0, 20.0, 0.0], "cost_meur": [5.0, 20.0, 20.0, None],
         "funding": ["secured", "secured", "partial", "none"],
         "parties": ["Enexis", "Enexis; Provincie; Gemeente Testgem", "Enexis; TenneT", "Gemeente Testgem"],
         "description": ["", "Uitbreiding van station Noord met een extra trafo.", "Nieuwe 150 kV-kabel.",
                         "Warmtenet voor de wijk Oost."]},
        geometry=[Point(S1), Point(S1), LineString([(51500, 370000), (60000, 370000)]),
                  box(65000, 375000, 66000, 376000)], crs=CRS)
    developments = gpd.GeoDataFrame(
        {"development_id": ["D1", "D2", "D3"], "name": ["Fabriek", "Wijk", "Datacenter"],
         "sector": ["industry", "housing", "data_centre"], "offtake_mw": [60.0, 20.0, 20.0],
         "year": [2030, 2035, 2035], "certainty": ["committed", "planned", "planned"],
         "station_id": ["S1", "S2", "S1"]},
        geometry=[Point(50500, 370500), Point(60500, 370500), Point(50200, 369800)], crs=CRS)
    constraints = gpd.GeoDataFrame({"kind": ["natura2000", "water"], "name": ["Duinen", "Kreek"]},
                                   geometry=[box(55000, 369000, 56000, 371000), box(65900, 375000, 67000, 376000)],
                                   crs=CRS)
    return Region.from_layers(name="Testregio", municipalities=mun, stations=stations, station_capacity=capacity,
                              infrastructure=infra, developments=developments, constraints=constraints,
                              years=[2025, 2030, 2035])


def case_balance() -> pd.DataFrame:
    """Balance rows (contract of balance.station_balance) with the projects counted.

    S1 offtake: base 100 MW, P1 adds 100 from 2027; load 90 / 150 / 170 → headroom 10 / 50 / 30.
    Without P1 the headroom in 2030 is 50 − 100 = −50: a 50 MW shortage from 2030 (70 MW in 2035).
    S2 offtake: base 50 MW, P2 adds 20 from 2033; load 10 / 40 / 60 → headroom 40 / 10 / 10; without P2 −10 in 2035.
    """
    rows = [("S1", "offtake", 2025, 0, 10), ("S1", "offtake", 2030, 100, 50), ("S1", "offtake", 2035, 100, 30),
            ("S2", "offtake", 2025, 0, 40), ("S2", "offtake", 2030, 0, 10), ("S2", "offtake", 2035, 20, 10)]
    rows += [(s, "feedin", y, 0, h) for s, h in (("S1", 50), ("S2", 20)) for y in (2025, 2030, 2035)]
    return pd.DataFrame([{"station_id": s, "station_name": {"S1": "Noord", "S2": "Zuid"}[s], "scenario": "verwacht",
                          "year": y, "direction": d, "capacity_added_mw": float(a), "headroom_mw": float(h),
                          "shortage_mw": max(0.0, -float(h))} for s, d, y, a, h in rows])


def case_enablement() -> pd.DataFrame:
    """P1 enables D1 (60 MW) in 2030 and D1 + D3 (80 MW) in 2035; P2 enables D2 (20 MW) in 2035."""
    return pd.DataFrame({"project_id": ["P1", "P1", "P2"], "station_id": ["S1", "S1", "S2"], "year": [2030, 2035, 2035],
                         "direction": ["offtake"] * 3, "capacity_added_mw": [100.0, 100.0, 20.0],
                         "mw_enabled": [60.0, 80.0, 20.0], "developments_enabled": [1, 2, 1],
                         "development_ids": ["D1", "D1;D3", "D2"]})


def case_hotspots() -> gpd.GeoDataFrame:
    """One knooppunt K1 "Knooppunt Noord" (provincial): a 1 km circle around S1."""
    return gpd.GeoDataFrame({"hotspot_id": ["K1"], "name": ["Knooppunt Noord"], "level": ["provincial"]},
                            geometry=[Point(S1).buffer(1000)], crs=CRS)


def case_user_scores() -> pd.DataFrame:
    """Dutch headers and the three ways to write a level: symbol, key, first word of the document's label."""
    return pd.DataFrame({"project": ["P1", "P2", "P2"], "criterium": ["E", "e", "G"],
                         "niveau": ["+", "gemiddeld", "veel"],
                         "toelichting": ["werkgelegenheid", "neutraal", "vergunning lastig"],
                         "door": ["Werkorganisatie", "", ""]})


def case_assessment(**kwargs: Any) -> Assessment:
    """score_projects on the hand-made case; keyword arguments are passed on."""
    args = {"balance": case_balance(), "enablement": case_enablement(), "hotspots": case_hotspots(),
            "user_scores": case_user_scores()}
    args.update(kwargs)
    region = args.pop("region", None) or case_region()
    return score_projects(region, **args)
