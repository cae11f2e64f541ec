"""A synthetic national region for benchmarks and scale tests (seeded, deterministic).

:func:`synthetic_region` builds a :class:`~energieplanologie.region.Region` of the whole Netherlands from real
open data shipped in ``energieplanologie/data/`` (see its README for sources and licences):

* **municipalities** — the 345 CBS municipalities of 2022 (``cbs_kwb_gemeenten_2022`` without GM0998);
* **stations** — the 346 substations among the OpenStreetMap grid nodes (level from their voltage; substations
  without a voltage tag become ``TS``), hydrogen and heat connection points, and generated ``MS`` (90 %) and
  ``TS`` (10 %) stations up to ``n_stations``, placed in proportion to each municipality's households;
* **station_capacity** — one row per station and analysis year with a plausible capacity per level (MS 5–20 MW,
  TS 30–80, HS 100–300, EHS 800–2000; hydrogen 50–500, heat 10–60) and a baseline load that grows with the
  years; 1 % of the stations have no capacity data (status ``unknown``) and 1 % are new stations whose capacity
  comes from a ``station_new`` project;
* **infrastructure** — expansions of about 4 % of the stations, the new stations, and hydrogen capacity;
* **developments** — ``n_developments`` of all sectors, years (every year from the first to the last analysis
  year) and certainties (later years less certain), spread over the municipalities in proportion to their
  households (housing, built environment), business establishments (industry, business parks, data centres)
  or both. Each sector's national total MW is fixed (:data:`SECTOR_PROFILE`) and divided over its developments
  with lognormal sizes, so the balance stays plausible at any size: 10,000 developments are projects of
  megawatts, 10,000,000 are single buildings. 60 % of the developments sit in clusters around a few centres per
  municipality and some large ones in about thirty dense national hotspots, so knooppunten exist. A small
  share (``polygon_share``) are polygons (RES search areas, business parks); 0.2 % carry an explicit
  ``station_id``. Points are generated inside their municipality.

Generation is vectorised (one ``contains_xy`` pass per municipality); 1,000,000 developments take a few
seconds. The layers are built directly in canonical form, so the region is created with
``Region.from_layers(..., validated=True)``; ``tests/test_synthetic.py`` checks that ``schema.validate`` keeps
every row unchanged.

Everything but the municipality boundaries and the OSM station positions is **made up**: plausible, not real.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from energieplanologie.region import Region, empty_layer
from energieplanologie.schema import CERTAINTIES, CRS_RD, SCHEMAS, SECTORS, level_from_voltage, validate

__all__ = ["SECTOR_PROFILE", "synthetic_region"]

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITIES_FILE = DATA_DIR / "nl_gemeenten_kwb_2022.geojson"
SUBSTATIONS_FILE = DATA_DIR / "nl_osm_substations_2016.csv"

#: Per sector: share of the developments (count), national total offtake and feed-in MW over all developments,
#: what places them (weight of households vs business establishments), programme, lognormal sigma of the sizes,
#: the share placed in national hotspots, and the chance to be a polygon (relative, scaled by polygon_share).
SECTOR_PROFILE: dict[str, dict[str, float | str]] = {
    "housing":           {"count": 0.30, "offtake": 3_000, "feedin": 0, "households": 1.0, "programme": "woonagenda",
                          "sigma": 0.8, "hotspot": 0.00, "polygon": 1.0},
    "built_environment": {"count": 0.22, "offtake": 4_000, "feedin": 0, "households": 0.9, "programme": "TVW",
                          "sigma": 0.8, "hotspot": 0.00, "polygon": 0.0},
    "mobility":          {"count": 0.20, "offtake": 3_500, "feedin": 0, "households": 0.6, "programme": "RAL",
                          "sigma": 1.0, "hotspot": 0.02, "polygon": 0.0},
    "renewables":        {"count": 0.12, "offtake": 0, "feedin": 30_000, "households": 0.3, "programme": "RES",
                          "sigma": 1.2, "hotspot": 0.10, "polygon": 3.0},
    "industry":          {"count": 0.04, "offtake": 8_000, "feedin": 0, "households": 0.1, "programme": "CES",
                          "sigma": 1.3, "hotspot": 0.25, "polygon": 0.0},
    "business_park":     {"count": 0.05, "offtake": 2_500, "feedin": 300, "households": 0.2, "programme": "other",
                          "sigma": 1.0, "hotspot": 0.10, "polygon": 4.0},
    "agriculture":       {"count": 0.04, "offtake": 1_000, "feedin": 1_500, "households": 0.3, "programme": "other",
                          "sigma": 1.0, "hotspot": 0.00, "polygon": 0.0},
    "data_centre":       {"count": 0.003, "offtake": 3_000, "feedin": 0, "households": 0.0, "programme": "other",
                          "sigma": 0.8, "hotspot": 0.30, "polygon": 0.0},
    "other":             {"count": 0.037, "offtake": 500, "feedin": 100, "households": 0.5, "programme": "other",
                          "sigma": 1.0, "hotspot": 0.00, "polygon": 0.0},
}

# Capacity range (MW) per station level / carrier, and the baseline load as a share of the capacity.
_CAPACITY_MW = {"EHS": (800, 2000), "HS": (100, 300), "TS": (30, 80), "MS": (5, 20),
                "hydrogen": (50, 500), "heat": (10, 60)}
_OPERATOR_BY_PROVINCE = {
    "Groningen": "Enexis", "Drenthe": "Enexis", "Overijssel": "Enexis", "Noord-Brabant": "Enexis",
    "Limburg": "Enexis", "Fryslân": "Liander", "Gelderland": "Liander", "Noord-Holland": "Liander",
    "Flevoland": "Liander", "Utrecht": "Stedin", "Zuid-Holland": "Stedin", "Zeeland": "Stedin",
}
_SECTOR_NL = {"renewables": "Opwek", "built_environment": "Warmtetransitie", "housing": "Woningbouw",
              "mobility": "Laadinfra", "industry": "Industrie", "agriculture": "Glastuinbouw",
              "data_centre": "Datacenter", "business_park": "Bedrijventerrein", "other": "Overig"}


# --------------------------------------------------------------------------------------------- base data


@lru_cache(maxsize=1)
def _base_municipalities() -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    """The municipalities (validated, EPSG:28992) with their households and business establishments."""
    raw = gpd.read_file(MUNICIPALITIES_FILE, engine="pyogrio")
    frame = gpd.GeoDataFrame(
        {"municipality_code": raw["gemeentecode"], "name": raw["gemeentenaam"], "province": raw["provincie"]},
        geometry=raw.geometry, crs=raw.crs,
    )
    clean, report = validate(frame, "municipalities")
    if not report.ok:  # pragma: no cover - the shipped file is fixed
        raise RuntimeError(report.to_text())
    households = raw["huishoudens"].to_numpy(dtype=float)[clean["source_row"].to_numpy()]
    business = raw["bedrijfsvestigingen"].to_numpy(dtype=float)[clean["source_row"].to_numpy()]
    return clean, households, business


@lru_cache(maxsize=1)
def _base_substations() -> pd.DataFrame:
    raw = pd.read_csv(SUBSTATIONS_FILE, dtype={"voltage": "string", "name": "string", "operator": "string",
                                               "ref": "string"})
    xy = gpd.GeoSeries.from_xy(raw["lon"], raw["lat"], crs="EPSG:4326").to_crs(CRS_RD)
    volts = raw["voltage"].fillna("").str.split(";")
    kv = volts.map(lambda parts: sorted({int(p) // 1000 for p in parts if p.isdigit()}, reverse=True))
    voltage_kv = kv.map(lambda v: "/".join(map(str, v)) if v else None).astype(object)
    level = level_from_voltage(pd.Series(voltage_kv, dtype=object)).fillna("TS")
    name = raw["name"].fillna("Onderstation " + raw["v_id"].astype(str)).astype(object)
    operator = raw["operator"].astype(object).where(raw["operator"].notna(),
                                                    np.where(level.isin(["EHS", "HS"]), "TenneT",  # type: ignore[call-overload]
                                                             None))  # numpy's stubs: None as a value
    return pd.DataFrame({
        "station_id": ("OSM" + raw["v_id"].astype(str)).astype(object),
        "name": name.to_numpy(dtype=object),
        "operator": operator.to_numpy(dtype=object),
        "voltage_kv": voltage_kv.to_numpy(dtype=object),
        "level": level.to_numpy(dtype=object),
        "x": xy.x.to_numpy(),
        "y": xy.y.to_numpy(),
    })


def _points_in(mun_idx: np.ndarray, geoms: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniform random points inside the municipality of each entry (rejection sampling per municipality)."""
    xy = np.empty((len(mun_idx), 2))
    order = np.argsort(mun_idx, kind="stable")
    counts = np.bincount(mun_idx, minlength=len(geoms))
    starts = np.concatenate([[0], np.cumsum(counts)])
    bounds = shapely.bounds(geoms)
    fill = shapely.area(geoms) / ((bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1]))
    for m in np.flatnonzero(counts):
        need, got = counts[m], 0
        out = xy[order[starts[m]:starts[m + 1]]]
        while got < need:
            k = int((need - got) / max(fill[m], 0.05) * 1.3) + 8
            cand = rng.uniform(bounds[m, :2], bounds[m, 2:], size=(k, 2))
            inside = cand[shapely.contains_xy(geoms[m], cand[:, 0], cand[:, 1])][: need - got]
            out[got:got + len(inside)] = inside
            got += len(inside)
        xy[order[starts[m]:starts[m + 1]]] = out
    return xy


def _keep_inside(xy: np.ndarray, fallback: np.ndarray, mun_idx: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """Replace points that fell outside their municipality by the fallback point (which lies inside)."""
    order = np.argsort(mun_idx, kind="stable")
    counts = np.bincount(mun_idx, minlength=len(geoms))
    starts = np.concatenate([[0], np.cumsum(counts)])
    out = xy.copy()
    for m in np.flatnonzero(counts):
        rows = order[starts[m]:starts[m + 1]]
        inside = shapely.contains_xy(geoms[m], xy[rows, 0], xy[rows, 1])
        out[rows[~inside]] = fallback[rows[~inside]]
    return out


def _object(values: Sequence[object] | np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


def _sizes(total: float, n: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    if n == 0 or total == 0:
        return np.zeros(n)
    r = rng.lognormal(0.0, sigma, n)
    return np.round(total * r / r.sum(), 6)


# --------------------------------------------------------------------------------------------- generator


def synthetic_region(
    n_developments: int,
    *,
    n_stations: int = 5000,
    seed: int = 0,
    years: Sequence[int] = (2025, 2030, 2035, 2040),
    polygon_share: float = 0.01,
) -> Region:
    """A synthetic region of the whole Netherlands (see the module docstring for what is real and what not).

    Parameters
    ----------
    n_developments : int
        Number of developments (≥ 1).
    n_stations : int, default 5000
        Number of stations including hydrogen and heat connection points (≥ 20). Below the number of OSM
        substations, the highest-level ones are kept.
    seed : int, default 0
        Seed of the random generator; the same seed gives the same region.
    years : sequence of int, default (2025, 2030, 2035, 2040)
        Analysis years; development years run from the first to the last.
    polygon_share : float, default 0.01
        Approximate share of developments that are polygons.

    Returns
    -------
    Region

    Examples
    --------
    >>> region = synthetic_region(10_000, n_stations=1000, seed=1)
    >>> len(region.developments), len(region.stations), len(region.municipalities)
    (10000, 1000, 345)
    """
    if n_developments < 1:
        raise ValueError(f"n_developments must be ≥ 1, got {n_developments}.")
    if n_stations < 20:
        raise ValueError(f"n_stations must be ≥ 20, got {n_stations}.")
    if not 0.0 <= polygon_share <= 0.5:
        raise ValueError(f"polygon_share must be in [0, 0.5], got {polygon_share}.")
    years_t = tuple(sorted({int(y) for y in years}))
    rng = np.random.default_rng(seed)
    municipalities, households, business = _base_municipalities()
    geoms = np.asarray(municipalities.geometry.values)
    for g in geoms:
        shapely.prepare(g)

    stations, station_kind = _stations(n_stations, municipalities, households, rng)
    capacity, new_station = _capacity(stations, station_kind, years_t, rng)
    infrastructure = _infrastructure(stations, station_kind, capacity, new_station, years_t, rng)
    developments = _developments(n_developments, stations, municipalities, households, business, years_t,
                                 polygon_share, rng)
    return Region.from_layers(
        name=f"Nederland (synthetisch, {n_developments:_} ontwikkelingen, seed {seed})".replace("_", "."),
        municipalities=municipalities,
        stations=stations,
        station_capacity=capacity,
        infrastructure=infrastructure,
        developments=developments,
        constraints=empty_layer("constraints"),
        years=years_t,
        validated=True,
    )


def _stations(n_stations: int, municipalities: gpd.GeoDataFrame, households: np.ndarray,
              rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    osm = _base_substations()
    n_h2 = max(1, round(n_stations * 0.004))
    n_heat = max(1, round(n_stations * 0.01))
    room = n_stations - n_h2 - n_heat
    if room < len(osm):  # keep the highest levels, then by id
        rank = osm["level"].map({"EHS": 0, "HS": 1, "TS": 2, "MS": 3}).to_numpy()
        osm = osm.iloc[np.lexsort((osm["station_id"].to_numpy(dtype=str), rank))[:room]]
    n_gen = room - len(osm)
    geoms = np.asarray(municipalities.geometry.values)
    names = municipalities["name"].to_numpy(dtype=object)
    operators = municipalities["province"].map(_OPERATOR_BY_PROVINCE).to_numpy(dtype=object)
    p_households = households / households.sum()

    # Generated MS/TS stations, in proportion to households.
    gen_mun = rng.choice(len(geoms), size=n_gen, p=p_households)
    gen_xy = _points_in(gen_mun, geoms, rng)
    gen_ts = rng.random(n_gen) < 0.10
    gen_ids = np.array([f"MS{i:05d}" if not ts else f"TS{i:05d}" for i, ts in enumerate(gen_ts)], dtype=object)
    gen_names = np.array([f"{'TS' if ts else 'MS'}-station {names[m]} {i}" for i, (m, ts) in
                          enumerate(zip(gen_mun, gen_ts, strict=True))], dtype=object)

    # Hydrogen points beside the largest OSM stations; heat points in the municipalities with most households.
    big = osm.loc[osm["level"].isin(["EHS", "HS"])]
    pick = big.iloc[rng.choice(len(big), size=n_h2, replace=len(big) < n_h2)] if len(big) else osm.iloc[:n_h2]
    h2_xy = np.column_stack([pick["x"].to_numpy() + 400.0, pick["y"].to_numpy() + 300.0])
    heat_mun = rng.choice(len(geoms), size=n_heat, p=p_households ** 2 / (p_households ** 2).sum())
    heat_xy = _points_in(heat_mun, geoms, rng)

    frame = pd.DataFrame({
        "station_id": np.concatenate([osm["station_id"].to_numpy(dtype=object), gen_ids,
                                      np.array([f"H2-{i:03d}" for i in range(n_h2)], dtype=object),
                                      np.array([f"WARMTE-{i:03d}" for i in range(n_heat)], dtype=object)]),
        "name": np.concatenate([osm["name"].to_numpy(dtype=object), gen_names,
                                np.array([f"Waterstofknooppunt {n}" for n in pick["name"]], dtype=object),
                                np.array([f"Warmtenet {names[m]}" for m in heat_mun], dtype=object)]),
        "operator": np.concatenate([osm["operator"].to_numpy(dtype=object), operators[gen_mun],
                                    np.full(n_h2, "Hynetwork", dtype=object),
                                    np.full(n_heat, "Warmtebedrijf", dtype=object)]),
        "voltage_kv": np.concatenate([osm["voltage_kv"].to_numpy(dtype=object),
                                      np.where(gen_ts, "50/10", "10/0,4").astype(object),
                                      np.full(n_h2 + n_heat, None, dtype=object)]),
        "level": np.concatenate([osm["level"].to_numpy(dtype=object), np.where(gen_ts, "TS", "MS").astype(object),
                                 np.full(n_h2 + n_heat, None, dtype=object)]),
        "carrier": np.concatenate([np.full(len(osm) + n_gen, "electricity", dtype=object),
                                   np.full(n_h2, "hydrogen", dtype=object), np.full(n_heat, "heat", dtype=object)]),
    })
    xy = np.vstack([osm[["x", "y"]].to_numpy(), gen_xy, h2_xy, heat_xy])
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS_RD)
    clean, report = validate(gdf, "stations")
    if not report.ok:  # pragma: no cover - a bug in this generator
        raise RuntimeError(report.to_text())
    kind = np.where(clean["carrier"] == "electricity", clean["level"], clean["carrier"]).astype(object)
    return clean, kind


def _capacity(stations: gpd.GeoDataFrame, kind: np.ndarray, years: tuple[int, ...],
              rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    n = len(stations)
    lo = np.array([_CAPACITY_MW[k][0] for k in kind], dtype=float)
    hi = np.array([_CAPACITY_MW[k][1] for k in kind], dtype=float)
    offtake_cap = np.round(rng.uniform(lo, hi), 1)
    feedin_cap = np.round(offtake_cap * rng.uniform(0.6, 1.0, n), 1)
    offtake_share = rng.uniform(0.45, 0.85, n)
    feedin_share = rng.uniform(0.10, 0.60, n)
    generated = np.isin(kind, ["MS", "TS"])
    new_station = generated & (rng.random(n) < 0.01)
    no_data = ~new_station & (rng.random(n) < 0.01)
    keep = ~(new_station | no_data)
    y0 = years[0]
    rows = []
    for y in years:
        growth_off, growth_feed = 1.015 ** (y - y0), 1.03 ** (y - y0)
        rows.append(pd.DataFrame({
            "station_id": stations["station_id"].to_numpy(dtype=object)[keep],
            "year": np.full(int(keep.sum()), y),
            "offtake_capacity_mw": offtake_cap[keep],
            "feedin_capacity_mw": feedin_cap[keep],
            "offtake_load_mw": np.round(np.minimum(offtake_cap * offtake_share * growth_off, offtake_cap * 0.98), 2)[keep],
            "feedin_load_mw": np.round(np.minimum(feedin_cap * feedin_share * growth_feed, feedin_cap * 0.98), 2)[keep],
        }))
    capacity, report = validate(pd.concat(rows, ignore_index=True), "station_capacity")
    if not report.ok:  # pragma: no cover
        raise RuntimeError(report.to_text())
    return capacity, new_station


def _infrastructure(stations: gpd.GeoDataFrame, kind: np.ndarray, capacity: pd.DataFrame, new_station: np.ndarray,
                    years: tuple[int, ...], rng: np.random.Generator) -> gpd.GeoDataFrame:
    n = len(stations)
    later = np.array(years[1:] or years)
    expand = ~new_station & np.isin(kind, ["MS", "TS", "HS", "EHS", "hydrogen"]) & (rng.random(n) < 0.04)
    base = capacity.drop_duplicates("station_id").set_index("station_id")["offtake_capacity_mw"]
    sid = stations["station_id"].to_numpy(dtype=object)
    pos = np.flatnonzero(expand | new_station)
    is_new = new_station[pos]
    cap = base.reindex(sid[pos]).to_numpy(dtype=float)
    lo = np.array([_CAPACITY_MW[k][0] for k in kind[pos]], dtype=float)
    hi = np.array([_CAPACITY_MW[k][1] for k in kind[pos]], dtype=float)
    added = np.where(is_new, rng.uniform(lo, hi),
                     np.nan_to_num(cap, nan=lo)  # type: ignore[call-overload]  # numpy's stubs: nan as an array
                     * rng.uniform(0.3, 1.0, len(pos)))
    added = np.round(added, 1)
    feed_added = np.round(added * rng.uniform(0.5, 1.0, len(pos)), 1)
    infra_type = np.where(is_new, "station_new", np.where(kind[pos] == "hydrogen", "h2_pipeline",
                                                           "station_expansion")).astype(object)
    names = np.array([("Nieuw station " if t == "station_new" else "Uitbreiding ") + str(nm)
                      for t, nm in zip(infra_type, stations["name"].to_numpy(dtype=object)[pos], strict=True)],
                     dtype=object)
    frame = gpd.GeoDataFrame({
        "project_id": np.array([f"P{i:05d}" for i in range(len(pos))], dtype=object),
        "name": names,
        "infra_type": infra_type,
        "carrier": stations["carrier"].to_numpy(dtype=object)[pos],
        "operator": stations["operator"].to_numpy(dtype=object)[pos],
        "status": rng.choice(np.array(["investment_plan", "proposed"], dtype=object), len(pos), p=[0.7, 0.3]),
        "year_ready": rng.choice(later, len(pos)),
        "station_id": sid[pos],
        "offtake_capacity_added_mw": added,
        "feedin_capacity_added_mw": feed_added,
        "cost_meur": np.round(added * rng.uniform(0.15, 0.6, len(pos)), 1),
        "funding": rng.choice(np.array(["secured", "partial", "none", "unknown"], dtype=object), len(pos)),
    }, geometry=stations.geometry.to_numpy()[pos], crs=CRS_RD)
    clean, report = validate(frame, "infrastructure")
    if not report.ok:  # pragma: no cover
        raise RuntimeError(report.to_text())
    return clean


def _developments(n: int, stations: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame, households: np.ndarray,
                  business: np.ndarray, years: tuple[int, ...], polygon_share: float,
                  rng: np.random.Generator) -> gpd.GeoDataFrame:
    """The developments frame in canonical, validated form (built directly: validating 10⁶ rows is slow)."""
    geoms = np.asarray(municipalities.geometry.values)
    n_mun = len(geoms)
    sectors = np.array(SECTORS, dtype=object)
    profile = [SECTOR_PROFILE[s] for s in SECTORS]

    # Sector per development (count shares), then municipality per development by the sector's drivers.
    count_share = np.array([float(p["count"]) for p in profile])
    sector = rng.choice(len(SECTORS), size=n, p=count_share / count_share.sum())
    p_hh, p_bus = households / households.sum(), business / business.sum()
    mun = np.empty(n, dtype=np.intp)
    for s, p in enumerate(profile):
        rows = np.flatnonzero(sector == s)
        w = float(p["households"]) * p_hh + (1 - float(p["households"])) * p_bus
        mun[rows] = rng.choice(n_mun, size=len(rows), p=w / w.sum())

    # Locations: clustered around a few centres per municipality, national hotspots, or uniform.
    centres_per_mun = np.clip(1 + households // 20_000, 1, 10).astype(np.intp)
    centre_mun = np.repeat(np.arange(n_mun), centres_per_mun)
    centre_xy = _points_in(centre_mun, geoms, rng)
    first_centre = np.concatenate([[0], np.cumsum(centres_per_mun)[:-1]])
    n_hot = 30
    hot_mun = rng.choice(n_mun, size=n_hot, replace=False, p=p_bus)
    hot_xy = _points_in(hot_mun, geoms, rng)

    hotspot_share = np.array([float(p["hotspot"]) for p in profile])[sector]
    in_hotspot = rng.random(n) < hotspot_share
    hot = rng.integers(0, n_hot, n)
    mun = np.where(in_hotspot, hot_mun[hot], mun)
    clustered = ~in_hotspot & (rng.random(n) < 0.6)
    centre = first_centre[mun] + (rng.random(n) * centres_per_mun[mun]).astype(np.intp)
    anchor = np.where(in_hotspot[:, None], hot_xy[hot], centre_xy[centre])
    uniform = ~in_hotspot & ~clustered
    anchor[uniform] = _points_in(mun[uniform], geoms, rng)
    spread = np.where(in_hotspot, 400.0, np.where(clustered, 700.0, 0.0))
    xy = anchor + rng.normal(0.0, 1.0, (n, 2)) * spread[:, None]
    xy = _keep_inside(xy, anchor, mun, geoms)

    # Sizes: each sector's national total divided with lognormal weights.
    offtake, feedin = np.zeros(n), np.zeros(n)
    for s, p in enumerate(profile):
        rows = np.flatnonzero(sector == s)
        offtake[rows] = _sizes(float(p["offtake"]), len(rows), float(p["sigma"]), rng)
        feedin[rows] = _sizes(float(p["feedin"]), len(rows), float(p["sigma"]), rng)

    # Years over the whole span; certainty falls with the distance in time.
    year = rng.integers(years[0], years[-1] + 1, n)
    t = (year - years[0]) / max(1, years[-1] - years[0])
    u = rng.random(n)
    p_committed = 0.55 * (1 - t) + 0.05
    p_planned = p_committed + 0.30
    p_intended = p_planned + 0.10 + 0.25 * t
    certainty = np.select([u < p_committed, u < p_planned, u < p_intended], [0, 1, 2], default=3)

    # Carriers: some industry on hydrogen, some built environment on heat (where such points exist).
    carrier = np.zeros(n, dtype=np.intp)  # index into ("electricity", "hydrogen", "heat")
    carrier[(sector == SECTORS.index("industry")) & (rng.random(n) < 0.08)] = 1
    carrier[(sector == SECTORS.index("built_environment")) & (rng.random(n) < 0.05)] = 2
    carriers = np.array(["electricity", "hydrogen", "heat"], dtype=object)

    # Polygons around some points (search areas, business parks), radius growing with the MW.
    poly_weight = np.array([float(p["polygon"]) for p in profile])[sector]
    p_poly = polygon_share * poly_weight / max(poly_weight.mean(), 1e-12)
    is_poly = rng.random(n) < np.minimum(p_poly, 1.0)
    points = shapely.points(xy)
    if is_poly.any():
        radius = np.clip(150.0 * np.sqrt(1.0 + np.maximum(offtake, feedin)[is_poly]) *
                         rng.lognormal(0.0, 0.4, int(is_poly.sum())), 150.0, 3000.0)
        points[is_poly] = shapely.buffer(points[is_poly], radius, quad_segs=3)

    # A few explicit links: to the nearest HS/EHS station of the development's carrier (a dedicated connection).
    station_id = np.full(n, None, dtype=object)
    linked = np.flatnonzero((carrier == 0) & (rng.random(n) < 0.002))
    big = stations.loc[stations["level"].isin(["HS", "EHS"]) & (stations["carrier"] == "electricity")]
    if len(linked) and len(big):
        from scipy.spatial import cKDTree

        tree = cKDTree(np.column_stack([big.geometry.x, big.geometry.y]))
        _, idx = tree.query(xy[linked])
        station_id[linked] = big["station_id"].to_numpy(dtype=object)[idx]

    ids = np.strings.add("ONT", np.strings.zfill(np.arange(n).astype(np.dtypes.StringDType()), 7)).astype(object)
    names = np.array([f"{_SECTOR_NL[s]} {m}" for s in SECTORS for m in municipalities["name"]], dtype=object)
    programmes = np.array([str(p["programme"]) for p in profile], dtype=object)
    data = {
        "development_id": _object(ids),
        "name": _object(names[sector * n_mun + mun]),
        "sector": _object(sectors[sector]),
        "programme": _object(programmes[sector]),
        "carrier": _object(carriers[carrier]),
        "offtake_mw": offtake,
        "feedin_mw": feedin,
        "year": pd.array(year, dtype="Int64"),
        "certainty": _object(np.array(CERTAINTIES, dtype=object)[certainty]),
        "station_id": _object(station_id),
        "municipality_code": _object(municipalities["municipality_code"].to_numpy(dtype=object)[mun]),
        "non_firm_share": np.full(n, np.nan),  # no flex agreements in synthetic data (energieplanologie.flex)
        "pool_id": np.full(n, None, dtype=object),
        "pool_connection_mw": np.full(n, np.nan),
        "source_row": np.arange(n, dtype=np.int64),
    }
    frame = gpd.GeoDataFrame(data, geometry=gpd.array.from_shapely(points, crs=CRS_RD), crs=CRS_RD)
    expected = [c.name for c in SCHEMAS["developments"].columns] + ["source_row", "geometry"]
    return frame[expected]
