"""The core's results on the sample region as JSON, for the plugin's parity tests.

Run with the engine's Python (the QGIS test environment has no geopandas)::

    .venv/bin/python tests/qgis/core_results.py > kern.json

Each block calls the core functions the way the CLI command behind the plugin's algorithm does
(``energieplanologie/cli_steps.py``), on ``energieplanologie.load_sample()`` — the same data the tests load into
QGIS from the sample files. The tests compare the plugin's outputs with these numbers.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import numpy as np
import pandas as pd


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return None if math.isnan(f) else f
    if value is pd.NA or value is None:
        return None
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return [_plain(dict(zip(columns, row, strict=True))) for row in frame[columns].itertuples(index=False)]


def main() -> int:
    import energieplanologie as ep
    from energieplanologie.allocation import allocate_region
    from energieplanologie.balance import station_balance
    from energieplanologie.density import kde
    from energieplanologie.hotspots import detect_hotspots
    from energieplanologie.labels import dutch_values, value_label
    from energieplanologie.overview import municipality_overview
    from energieplanologie.pipeline import (
        analyse,
        chosen_scenario,
        hotspots_with_members,
        scenario_order,
    )
    from energieplanologie.pmiek import project_list

    region, settings = ep.load_sample(), ep.sample_settings()
    scenario = chosen_scenario(settings)
    allocation = allocate_region(region, **settings.allocation_options())
    out: dict[str, Any] = {
        "scenario": scenario,
        "years": list(region.years),
        "counts": {kind: len(getattr(region, kind)) for kind in
                   ("municipalities", "stations", "station_capacity", "infrastructure", "developments", "constraints")},
        "municipalities": records(region.municipalities, ["municipality_code", "name"]),
        "stations": sorted(region.stations["name"].astype(str)),
    }

    # balance: every scenario, the chosen one first (cli_steps.balance)
    balance = station_balance(region, scenario_order(settings, scenario), allocation=allocation,
                              scenarios=settings.user_scenarios())
    # The values as the exports write them (richting afname, status rood …): the core's own translation.
    out["balance"] = records(dutch_values(balance), ["station_id", "scenario", "year", "direction", "capacity_mw", "load_mw",
                                       "headroom_mw", "shortage_mw", "status", "first_shortage_year"])

    # hotspots, each method (cli_steps.hotspots)
    chosen = station_balance(region, scenario, allocation=allocation)
    out["hotspots"] = {}
    for method in ("dbscan", "hdbscan", "gistar"):
        options = settings.hotspot_options()
        options["method"] = method
        found, members = hotspots_with_members(region, scenario=scenario, balance=chosen, allocation=allocation,
                                               **options)
        block: dict[str, Any] = {
            "hotspots": records(dutch_values(found), ["hotspot_id", "year", "level", "total_mw", "offtake_mw", "feedin_mw",
                                        "n_members"]),
            "members": records(members, ["hotspot_id", "member_id", "year"]),
        }
        if method == "gistar":
            hexagons = detect_hotspots(region, year=max(region.years), scenario=scenario, balance=chosen,
                                       allocation=allocation, **options).hexagons
            block["hexagons"] = {"n": len(hexagons), "hot": int(hexagons["hot"].astype(bool).sum()),
                                 "mw": float(hexagons["mw"].sum())}
        out["hotspots"][method] = block

    # density (cli_steps.density)
    array, transform = kde(region, scenario=scenario, year=max(region.years), **settings.density_options())
    values = np.asarray(array, dtype=float)
    finite = values[np.isfinite(values)]
    out["density"] = {"shape": list(values.shape), "sum": float(finite.sum()), "max": float(finite.max()),
                      "transform": [transform.a, transform.b, transform.c, transform.d, transform.e, transform.f]}

    # afweging, pMIEK, overviews: the whole analysis once (cli_steps._analysis)
    analysis = analyse(region, settings=settings)
    table = analysis.assessment.table
    criteria = [c for c in "ABCDEFG" if c in table.columns]
    out["assessment"] = records(table, ["project_id", "weighted_score", "rank", *criteria])
    plist = project_list(analysis.assessment, region)
    out["pmiek"] = {"columns": [str(c) for c in plist.columns], "names": [str(v) for v in plist.iloc[:, 0]]}

    out["overview"] = {}
    for code in sorted(region.municipalities["municipality_code"].astype(str)):
        ov = municipality_overview(region, code, balance=analysis.balance_chosen, allocation=analysis.allocation,
                                   hotspots=analysis.hotspots_final, scenario=analysis.scenario)
        sectors = []
        for direction in ("offtake", "feedin"):
            frame = ov.sector_table(direction)
            for (carrier, sector), row in frame.iterrows():
                carrier_nl = value_label("carrier", carrier)
                sectors.append({"direction": direction, "carrier": carrier, "sector": sector,
                                "carrier_label": carrier_nl,
                                "sector_label": f"Totaal {carrier_nl.lower()}" if sector == "total"
                                else value_label("sector", sector),
                                "values": {str(y): float(row[y]) for y in frame.columns}})
        stations = []
        for (sid, direction), group in ov.stations.groupby(["station_id", "direction"], sort=False):
            g = group.set_index("year")
            stations.append({"station_id": str(sid), "direction": direction,
                             "status": {str(y): str(g.loc[y, "status"]) for y in g.index},
                             "headroom_mw": {str(y): _plain(g.loc[y, "headroom_mw"]) for y in g.index}})
        out["overview"][code] = {"name": ov.name, "years": list(ov.years), "sectors": sectors, "stations": stations,
                                 "summary": ov.summary}
    json.dump(out, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
