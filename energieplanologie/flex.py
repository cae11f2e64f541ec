"""Flex options in the station balance: storage, conversion, non-firm agreements and cable pooling.

The handreiking weighs "de energie-infrastructuur én flexopties (opslag en conversie)". This module turns the flex
columns of the input into relief per station × year × direction × scenario, which
:func:`energieplanologie.balance.station_balance` subtracts from the load, and finds the shortage windows that
flex would have to bridge (:func:`flex_need`, ``flexbehoefte.csv``).

Input (all optional; a layer without them balances exactly as before):

* infrastructure, flex assets (``infra_type`` ``battery``, ``heat_storage``, ``electrolyser``, ``e_boiler``,
  ``gas_to_power``): ``power_mw`` *P*, ``energy_mwh`` (storage; reported as hours at full power), ``firm``
  (``true``/``false``, default false), ``efficiency`` (conversion; default from ``data/flex.toml``). An asset acts
  from ``year_ready`` on at its ``station_id``, or else at the nearest station of its carrier (electricity; heat
  for ``heat_storage``). ``offtake/feedin_capacity_added_mw`` keep their meaning for every type.
* developments: ``non_firm_share`` (0–1; missing → the scenario's ``non_firm_share`` for the sector, else 0),
  ``pool_id`` and ``pool_connection_mw`` (developments sharing one connection: cable pooling).

Rules, per station *s*, year *y*, direction *d*, scenario:

1. A development counts ``MW × weight × simultaneity × share × (1 − non_firm_share)``; the rest is
   ``non_firm_mw`` (*niet_vast_mw*).
2. A cable pool counts ``min(Σ counted member MW, pool_connection_mw × weight)`` in each direction; what it cuts
   off is ``cable_pooling_mw`` (*kabelpooling_mw*). Its members must share one certainty (hence one weight) and
   one station; otherwise the pool is an error naming it.
3. Storage (battery, heat storage) of power *P* relieves ``min(P, load)`` in each direction: ``flex_battery_mw``
   (*flex_batterij_mw*).
4. Conversion of power *P*: an electrolyser or e-boiler relieves ``min(P, load)`` of the **feed-in** and, only
   when ``firm``, adds *P* to the offtake; it supplies ``P × efficiency`` as feed-in at the nearest station of its
   output carrier (hydrogen, heat). ``gas_to_power`` mirrors this: it relieves offtake, adds *P* to the feed-in
   only when firm, and takes ``P / efficiency`` as offtake at the nearest hydrogen (``carrier = hydrogen``) or
   methane station. Relief is ``flex_conversion_mw`` (*flex_conversie_mw*), added load ``conversion_load_mw``.
5. ``load = load_before_flex + conversion_load − non_firm − cable_pooling − flex_battery − flex_conversion``,
   never below 0: storage relieves what is left after rules 1–2, conversion what is left after storage. The
   station balance's ``headroom_mw``/``shortage_mw`` are after flex.

Worked example (one electricity station, capacity 100 MW feed-in, baseline 0): a committed wind farm of 150 MW
feed-in with ``non_firm_share`` 0.2 counts 120 MW (``niet_vast_mw`` 30); a 10 MW battery relieves 10 MW and a
non-firm 20 MW electrolyser 20 MW more: load 150 → 90 MW, no shortage (was 50 MW). The electrolyser feeds
20 × 0.65 = 13 MW of hydrogen in at the nearest hydrogen station.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from energieplanologie._errors import EnergieplanologieError
from energieplanologie._geometry import representative_xy
from energieplanologie.allocation import nearest_station, station_id_rank
from energieplanologie.region import Region
from energieplanologie.scenarios import Scenario
from energieplanologie.schema import CARRIERS, FLEX_TYPES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "FLEX_ASSET_COLUMNS",
    "FLEX_BALANCE_COLUMNS",
    "FLEX_NEED_COLUMNS",
    "FLEX_PARAMETERS_FILE",
    "FlexLoad",
    "flex_assets",
    "flex_load",
    "flex_need",
    "flex_parameters",
]

#: The TOML file with each conversion type's default efficiency and carriers.
FLEX_PARAMETERS_FILE = Path(__file__).with_name("data") / "flex.toml"

#: Columns the station balance gains (after the sector columns).
FLEX_BALANCE_COLUMNS: tuple[str, ...] = (
    "load_before_flex_mw", "conversion_load_mw", "non_firm_mw", "cable_pooling_mw", "flex_battery_mw",
    "flex_conversion_mw",
)
#: Columns of :func:`flex_assets`.
FLEX_ASSET_COLUMNS: tuple[str, ...] = (
    "project_id", "name", "infra_type", "station_id", "year_ready", "power_mw", "energy_mwh", "hours_at_full_power",
    "firm", "efficiency", "relieves", "other_carrier", "other_station_id", "other_direction", "other_mw",
)
#: Columns of :func:`flex_need` (``flexbehoefte.csv``).
FLEX_NEED_COLUMNS: tuple[str, ...] = (
    "station_id", "station_name", "carrier", "direction", "scenario", "from_year", "to_year", "max_shortage_mw",
    "resolved_by", "resolved_kind",
)

_DIRECTIONS = ("offtake", "feedin")  # the balance's order: index 0 offtake, 1 feed-in
_STORAGE = ("battery", "heat_storage")
_TOLERANCE_MW = 1e-6


def flex_parameters(path: str | Path = FLEX_PARAMETERS_FILE) -> dict[str, dict[str, Any]]:
    """The conversion parameters: ``{infra_type: {"efficiency": float, "from": carrier, "to": carrier}}``.

    Examples
    --------
    >>> p = flex_parameters()
    >>> p["electrolyser"]["efficiency"], p["e_boiler"]["to"], p["gas_to_power"]["from"]
    (0.65, 'heat', 'methane')
    """
    with Path(path).open("rb") as fh:
        table = tomllib.load(fh).get("conversion", {})
    out: dict[str, dict[str, Any]] = {}
    for kind, row in table.items():
        eff = row.get("efficiency")
        if kind not in FLEX_TYPES or not isinstance(eff, (int, float)) or not 0 < eff <= 1 \
                or row.get("from") not in CARRIERS or row.get("to") not in CARRIERS:
            raise EnergieplanologieError(f"{Path(path).name}: conversion.{kind}: type, rendement (0–1] of "
                                         "energiedragers ongeldig")
        out[kind] = {"efficiency": float(eff), "from": row["from"], "to": row["to"]}
    return out


# ----------------------------------------------------------------------------------------------- assets


def _float(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return frame[column].to_numpy(dtype=float, na_value=np.nan)


def _place(stations: pd.DataFrame, geoms: np.ndarray, ids: np.ndarray, carriers: np.ndarray) -> np.ndarray:
    """Station position of each object: its known ``station_id``, else the nearest station of ``carriers[i]``
    (ties: the lowest station_id); -1 when the region has no station of that carrier."""
    from scipy.spatial import cKDTree

    sid = stations["station_id"].to_numpy(dtype=object)
    pos = pd.Index(sid).get_indexer(ids) if len(sid) else np.full(len(ids), -1)
    st_carrier = (stations["carrier"].fillna("electricity").to_numpy(dtype=object) if "carrier" in stations
                  else np.full(len(sid), "electricity", dtype=object))
    need = np.flatnonzero(pos < 0)
    if not len(need):
        return pos.astype(np.intp)
    xy = representative_xy(geoms[need])
    st_xy = shapely.get_coordinates(np.asarray(stations.geometry.values)) if len(sid) else np.zeros((0, 2))
    rank = station_id_rank(stations)
    for carrier in np.unique(carriers[need].astype(str)):
        eligible = np.flatnonzero(st_carrier == carrier)
        rows = np.flatnonzero(carriers[need] == carrier)
        ok = rows[np.isfinite(xy[rows]).all(axis=1)]
        if not len(eligible) or not len(ok):
            continue
        _, best = nearest_station(cKDTree(st_xy[eligible]), xy[ok], eligible, rank)
        pos[need[ok]] = eligible[np.asarray(best, dtype=np.intp)]
    return pos.astype(np.intp)


def _asset_table(region: Region, projects: Iterable[str] | None = None) -> pd.DataFrame:
    """The flex assets with power, with station positions (``station_pos``, ``other_pos``; -1 when none)."""
    infra = region.infrastructure
    columns = list(FLEX_ASSET_COLUMNS) + ["station_pos", "other_pos"]
    power = _float(infra, "power_mw")
    keep = infra["infra_type"].isin(FLEX_TYPES).to_numpy() & (np.nan_to_num(power) > 0) if len(infra) else \
        np.zeros(0, dtype=bool)
    if projects is not None:
        wanted = {str(p) for p in ([projects] if isinstance(projects, str) else projects)}
        keep &= np.isin(infra["project_id"].astype(str).to_numpy(), list(wanted))
    if not keep.any():
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    a = infra.loc[keep].reset_index(drop=True)
    kind = a["infra_type"].to_numpy(dtype=object)
    params = flex_parameters()
    p = power[keep]
    storage = np.isin(kind, _STORAGE)
    own_carrier = np.where(kind == "heat_storage", "heat", "electricity").astype(object)
    station_pos = _place(region.stations, np.asarray(a.geometry.values), a["station_id"].to_numpy(dtype=object),
                         own_carrier)
    eff_default = np.array([params.get(k, {}).get("efficiency", np.nan) for k in kind], dtype=float)
    eff = np.where(storage, np.nan, np.where(np.isnan(_float(a, "efficiency")), eff_default, _float(a, "efficiency")))
    carrier_in = a["carrier"].to_numpy(dtype=object) if "carrier" in a else np.full(len(a), None, dtype=object)
    other_carrier = np.array([
        None if storage[i] else (("hydrogen" if carrier_in[i] == "hydrogen" else params[k]["from"])
                                 if k == "gas_to_power" else params[k]["to"])
        for i, k in enumerate(kind)], dtype=object)
    other_pos = np.full(len(a), -1, dtype=np.intp)
    conv = np.flatnonzero(~storage)
    if len(conv):
        other_pos[conv] = _place(region.stations, np.asarray(a.geometry.values)[conv],
                                 np.full(len(conv), None, dtype=object), other_carrier[conv])
    with np.errstate(divide="ignore", invalid="ignore"):
        other_mw = np.where(storage, np.nan, np.where(kind == "gas_to_power", p / eff, p * eff))
        hours = np.where(storage & (p > 0), _float(a, "energy_mwh") / p, np.nan)
    firm = (a["firm"].to_numpy(dtype=object) == "true") if "firm" in a else np.zeros(len(a), dtype=bool)
    sid = region.stations["station_id"].to_numpy(dtype=object)

    def station_ids(pos: np.ndarray) -> np.ndarray:
        out = np.full(len(pos), None, dtype=object)
        out[pos >= 0] = sid[pos[pos >= 0]]
        return out

    out = pd.DataFrame({
        "project_id": a["project_id"].to_numpy(dtype=object),
        "name": a["name"].to_numpy(dtype=object),
        "infra_type": kind,
        "station_id": station_ids(station_pos),
        "year_ready": a["year_ready"].astype("Int64").to_numpy() if "year_ready" in a else pd.NA,
        "power_mw": p,
        "energy_mwh": _float(a, "energy_mwh"),
        "hours_at_full_power": hours,
        "firm": firm & ~storage,
        "efficiency": eff,
        "relieves": np.where(storage, "both", np.where(kind == "gas_to_power", "offtake", "feedin")).astype(object),
        "other_carrier": other_carrier,
        "other_station_id": station_ids(other_pos),
        "other_direction": pd.Series(np.where(kind == "gas_to_power", "offtake", "feedin"), dtype=object)
        .where(~storage, None).to_numpy(),
        "other_mw": other_mw,
        "station_pos": station_pos,
        "other_pos": other_pos,
    })
    return out.sort_values("project_id", kind="stable").reset_index(drop=True)


def flex_assets(region: Region, *, projects: Iterable[str] | None = None) -> pd.DataFrame:
    """The flex assets of a region as the balance counts them: where they act and what they do.

    Parameters
    ----------
    region : Region
    projects : iterable of str, optional
        Only these infrastructure projects (a variant's set); default all.

    Returns
    -------
    DataFrame
        Columns :data:`FLEX_ASSET_COLUMNS`, one row per flex asset with ``power_mw`` > 0, sorted by project_id:
        the station it acts at (its own or the nearest of its carrier), ``hours_at_full_power``
        (``energy_mwh / power_mw``, storage), ``firm``, ``efficiency`` (own or default), ``relieves``
        (``both``, ``feedin``, ``offtake``) and, for conversion, the other carrier, its nearest station, the
        direction there and the MW (``P × efficiency``, or ``P / efficiency`` for gas_to_power).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> assets = flex_assets(ep.load_sample())
    >>> assets[["project_id", "infra_type", "station_id", "power_mw", "hours_at_full_power"]].to_dict("records")
    [{'project_id': 'P11', 'infra_type': 'battery', 'station_id': 'HST', 'power_mw': 10.0, 'hours_at_full_power': 2.0}]
    """
    return _asset_table(region, projects).drop(columns=["station_pos", "other_pos"])


# ----------------------------------------------------------------------------------------------- developments


def _row_values(rows: Any, column: str, *, text: bool = False) -> np.ndarray | None:
    """A development column aligned with the balance's allocation rows (None when the column is absent)."""
    frame = rows.frame
    if column not in frame.columns:
        return None
    values = frame[column].to_numpy(dtype=object) if text else frame[column].to_numpy(dtype=float, na_value=np.nan)
    return values if rows.take is None else values[rows.take]


def _pool_table(pool: np.ndarray, rows: Any, conn: np.ndarray | None, ok: np.ndarray,
                ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per pool: group code of each row (-1: none), its station, certainty and connection MW; errors name it."""
    member = ok & pd.notna(pool)
    code = np.full(len(pool), -1, dtype=np.intp)
    if not member.any():
        return code, np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0)
    codes, names = pd.factorize(pool[member].astype(str), sort=True)
    code[member] = codes
    frame = pd.DataFrame({"pool": codes, "station": rows.station_pos[member], "cert": rows.certainty[member],
                          "conn": conn[member] if conn is not None else np.nan, "id": ids[member].astype(str)})
    g = frame.groupby("pool", sort=True)
    n_station, n_cert = g["station"].nunique().to_numpy(), g["cert"].nunique().to_numpy()
    conn_values = g["conn"].agg(lambda s: sorted(set(s.dropna().round(9))))
    for k, name in enumerate(str(n) for n in names):
        members = ", ".join(sorted(set(frame.loc[frame["pool"] == k, "id"])))
        if n_station[k] > 1:
            raise EnergieplanologieError(f"developments.pool_id: kabelpool {name!r} ({members}) is aan meer dan één "
                                         "station toegewezen; geef de leden één station_id")
        if n_cert[k] > 1:
            raise EnergieplanologieError(f"developments.pool_id: kabelpool {name!r} ({members}) heeft leden met "
                                         "verschillende zekerheid; een pool deelt één zekerheid")
        if len(conn_values.iloc[k]) != 1:
            found = "ontbreekt" if not conn_values.iloc[k] else "verschilt tussen de leden"
            raise EnergieplanologieError(f"developments.pool_connection_mw: kabelpool {name!r} ({members}): het "
                                         f"vermogen van de gedeelde aansluiting {found}")
    return (code, g["station"].first().to_numpy(dtype=np.intp), g["cert"].first().to_numpy(dtype=np.intp),
            np.array([v[0] for v in conn_values], dtype=float))


def _development_relief(rows: Any, n_st: int, years: np.ndarray,
                        scenarios: Sequence[Scenario]) -> tuple[np.ndarray, np.ndarray] | None:
    """Rules 1 and 2: non-firm and cable-pooling relief, arrays (scenario, station, year, direction), cumulative;
    None when no development is non-firm or pooled in any scenario."""
    defaults = np.stack([s.non_firm_defaults() for s in scenarios])  # (scenario, sector)
    frame = rows.frame  # every development has at least one allocation row: test the columns, not the rows
    explicit = "non_firm_share" in frame.columns and bool(
        np.nan_to_num(frame["non_firm_share"].to_numpy(dtype=float, na_value=np.nan)).any())
    pooled = "pool_id" in frame.columns and bool(frame["pool_id"].notna().any())
    if not explicit and not pooled and not defaults.any():
        return None
    share = _row_values(rows, "non_firm_share")
    pool = _row_values(rows, "pool_id", text=True)
    n = len(rows.station_pos)
    share = np.full(n, np.nan) if share is None else share
    pool = np.full(n, None, dtype=object) if pool is None else pool
    ny, nsc = len(years), len(scenarios)
    ok = (rows.station_pos >= 0) & (rows.year <= years[-1])
    ybin = np.searchsorted(years, np.minimum(rows.year, years[-1]), side="left")
    code, pool_station, pool_cert, pool_conn = _pool_table(pool, rows, _row_values(rows, "pool_connection_mw"), ok,
                                                           rows.dev_ids())
    n_pool = len(pool_station)
    non_firm = np.zeros((nsc, n_st, ny, 2))
    pooling = np.zeros((nsc, n_st, ny, 2))
    idx = np.flatnonzero(ok)
    key = rows.station_pos[idx] * ny + ybin[idx]
    in_pool = code[idx] >= 0
    pool_key = code[idx][in_pool] * ny + ybin[idx][in_pool]
    for k, sc in enumerate(scenarios):
        weight = (sc.certainty_weights()[rows.certainty[idx]] * sc.simultaneity_factors()[rows.sector[idx]]
                  * rows.share[idx])
        nfs = np.where(np.isnan(share[idx]), defaults[k][rows.sector[idx]], share[idx])
        for j, d in enumerate(_DIRECTIONS):
            counted = rows.mw[d][idx] * weight
            nf = np.bincount(key, weights=counted * nfs, minlength=n_st * ny).reshape(n_st, ny)
            non_firm[k, :, :, j] = np.cumsum(nf, axis=1)
            if n_pool:
                firm = (counted * (1.0 - nfs))[in_pool]
                total = np.cumsum(np.bincount(pool_key, weights=firm, minlength=n_pool * ny).reshape(n_pool, ny),
                                  axis=1)
                cap = pool_conn * sc.certainty_weights()[pool_cert]
                cut = np.maximum(total - cap[:, None], 0.0)
                np.add.at(pooling[k, :, :, j], pool_station, cut)
    return non_firm, pooling


# ----------------------------------------------------------------------------------------------- balance


@dataclass(frozen=True)
class FlexLoad:
    """The load after flex and what each kind of flex did; arrays of shape (scenario, station, year, direction)."""

    load_mw: np.ndarray
    load_before_flex_mw: np.ndarray
    conversion_load_mw: np.ndarray
    non_firm_mw: np.ndarray
    cable_pooling_mw: np.ndarray
    flex_battery_mw: np.ndarray
    flex_conversion_mw: np.ndarray

    def columns(self, flat: Any) -> dict[str, np.ndarray]:
        """The :data:`FLEX_BALANCE_COLUMNS` as flat columns (``flat``: the balance's array → rows function)."""
        return {name: flat(getattr(self, name)) for name in FLEX_BALANCE_COLUMNS}


def flex_load(region: Region, rows: Any, scenarios: Sequence[Scenario], years: np.ndarray, load: np.ndarray, *,
              projects: Iterable[str] | None = None, partial: bool = False) -> FlexLoad:
    """Apply rules 1–5 (module docstring) to the balance's load before flex.

    Parameters
    ----------
    region : Region
    rows : object or None
        The balance's allocation rows (``station_pos``, ``share``, ``year``, ``certainty``, ``sector``, ``mw``,
        ``frame``, ``take``, ``dev_ids()``), or None when no development is non-firm or pooled.
    scenarios : sequence of Scenario
    years : ndarray of int
        The analysis years, ascending.
    load : ndarray
        Load before flex, shape (scenario, station, year, direction).
    projects : iterable of str, optional
        Only these infrastructure projects act (a variant's set).
    partial : bool, default False
        ``rows`` holds only the developments with a ``non_firm_share`` or ``pool_id`` (the dask path); a
        scenario default ``non_firm_share`` then cannot be applied and is refused.

    Returns
    -------
    FlexLoad

    Examples
    --------
    ``station_balance`` calls it; in the sample the 10 MW battery P11 and the 12 MW cable pool KP-HULST relieve
    Hulst 50 kV's feed-in in 2030:

    >>> import energieplanologie as ep
    >>> bal = ep.station_balance(ep.load_sample(), "verwacht", years=[2030])
    >>> row = bal[(bal["station_id"] == "HST") & (bal["direction"] == "feedin")].iloc[0]
    >>> [round(float(row[c]), 1) for c in ("load_before_flex_mw", "cable_pooling_mw", "flex_battery_mw", "load_mw")]
    [33.9, 5.0, 10.0, 18.9]
    """
    nsc, n_st, ny = load.shape[0], load.shape[1], len(years)
    zeros = np.zeros((nsc, n_st, ny, 2))
    if partial and any(s.non_firm_defaults().any() for s in scenarios):
        raise EnergieplanologieError("een scenario met non_firm_share per sector wordt op de dask-engine nog niet "
                                     "berekend; gebruik engine='memory'")
    relief = _development_relief(rows, n_st, years, scenarios) if rows is not None else None
    non_firm, pooling = relief if relief is not None else (zeros, zeros)

    assets = _asset_table(region, projects)
    added = np.zeros((n_st, ny, 2))
    storage_p = np.zeros((n_st, ny))
    conv_p = np.zeros((n_st, ny, 2))
    if len(assets):
        ready_year = assets["year_ready"].to_numpy(dtype=float, na_value=np.nan)
        ready = ready_year[:, None] <= years[None, :]  # (asset, year); a missing year_ready counts in no year
        pos = assets["station_pos"].to_numpy(dtype=np.intp)
        other = assets["other_pos"].to_numpy(dtype=np.intp)
        p = assets["power_mw"].to_numpy(dtype=float)
        kind = assets["infra_type"].to_numpy(dtype=object)
        firm = assets["firm"].to_numpy(dtype=bool)
        other_mw = np.nan_to_num(assets["other_mw"].to_numpy(dtype=float))
        relieve_dir = np.where(kind == "gas_to_power", 0, 1)  # offtake for gas_to_power, else feed-in
        firm_dir = 1 - relieve_dir  # a firm conversion also loads the opposite direction
        storage = np.isin(kind, _STORAGE)
        placed = pos >= 0
        for j in range(ny):
            live = ready[:, j] & placed
            s = live & storage
            storage_p[:, j] = np.bincount(pos[s], weights=p[s], minlength=n_st)
            c = live & ~storage
            np.add.at(conv_p[:, j], (pos[c], relieve_dir[c]), p[c])
            f = c & firm
            np.add.at(added[:, j], (pos[f], firm_dir[f]), p[f])
            o = ready[:, j] & ~storage & (other >= 0)
            np.add.at(added[:, j], (other[o], relieve_dir[o]), other_mw[o])  # output feed-in / input offtake
    if relief is None and not len(assets):  # nothing flexible: the load stays exactly as it was
        return FlexLoad(load, load, zeros, zeros, zeros, zeros, zeros)
    gross = load + added[None]
    remaining = gross - non_firm - pooling
    battery = np.clip(np.minimum(storage_p[None, :, :, None], remaining), 0.0, None)
    remaining = remaining - battery
    conversion = np.clip(np.minimum(conv_p[None], remaining), 0.0, None)
    after = np.maximum(remaining - conversion, 0.0)
    return FlexLoad(after, load, np.broadcast_to(added[None], load.shape).copy(), non_firm, pooling, battery,
                    conversion)


# ----------------------------------------------------------------------------------------------- flex need


def flex_need(balance: pd.DataFrame, region: Region, *, projects: Iterable[str] | None = None) -> pd.DataFrame:
    """Shortage windows per station × direction × scenario: the flex that would bridge each (``flexbehoefte``).

    A window runs from the first to the last analysed year with a shortage (after flex) at that station, in that
    direction and scenario. ``max_shortage_mw`` is the largest shortage in it: the flex (or non-firm capacity) that
    would bridge the window. ``resolved_by`` lists the projects at the station (grid: capacity added in that
    direction; flex: an asset relieving that direction) whose ``year_ready`` falls after the window's last year
    and by the next analysed year, i.e. the projects whose arrival ends it; empty when the window lasts until the
    last year or ends without a project. ``resolved_kind`` says ``grid``, ``flex`` or ``grid;flex``.

    Parameters
    ----------
    balance : DataFrame
        The result of :func:`energieplanologie.balance.station_balance`.
    region : Region
        The same region (its infrastructure).
    projects : iterable of str, optional
        The project set the balance was computed with; default all.

    Returns
    -------
    DataFrame
        Columns :data:`FLEX_NEED_COLUMNS`, sorted by scenario (in the balance's order), station_id, direction
        (offtake first).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> region = ep.load_sample()
    >>> need = flex_need(ep.station_balance(region, "verwacht"), region)
    >>> row = need[(need["station_id"] == "TNZ") & (need["direction"] == "offtake")].iloc[0]
    >>> int(row["from_year"]), int(row["to_year"]), row["resolved_by"], row["resolved_kind"]
    (2030, 2030, 'P03', 'grid')
    """
    red = balance[balance["status"] == "red"]
    if not len(red):
        types = {"from_year": np.int64, "to_year": np.int64, "max_shortage_mw": float}
        return pd.DataFrame({c: pd.Series([], dtype=types.get(c, object)) for c in FLEX_NEED_COLUMNS})
    missing = [c for c in ("station_id", "year", "direction", "shortage_mw") if c not in red.columns]
    if missing:
        raise EnergieplanologieError(f"balance: kolommen ontbreken: {', '.join(missing)} (gebruik station_balance())")
    names = region.stations.set_index(region.stations["station_id"].astype(str))
    red = red.assign(**{c: red[c] if c in red.columns else red["station_id"].astype(str).map(names[source])
                        for c, source in (("station_name", "name"), ("carrier", "carrier")) if source in names},
                     scenario=red["scenario"] if "scenario" in red.columns else "")
    for c in ("station_name", "carrier"):
        if c not in red.columns:
            red = red.assign(**{c: None})
    years = np.sort(balance["year"].unique())
    keys = ["scenario", "station_id", "direction"]
    g = red.groupby(keys, sort=False)
    out = g.agg(station_name=("station_name", "first"), carrier=("carrier", "first"), from_year=("year", "min"),
                to_year=("year", "max"), max_shortage_mw=("shortage_mw", "max")).reset_index()
    following = np.searchsorted(years, out["to_year"].to_numpy(), side="right")
    out["next_year"] = np.where(following < len(years), years[np.minimum(following, len(years) - 1)], -1)
    # Candidate projects: (station_id, direction, year_ready, project_id, kind).
    infra = region.infrastructure
    cands = []
    if len(infra):
        keep = np.ones(len(infra), dtype=bool)
        if projects is not None:
            wanted = {str(p) for p in ([projects] if isinstance(projects, str) else projects)}
            keep = np.isin(infra["project_id"].astype(str).to_numpy(), list(wanted))
        for d in _DIRECTIONS:
            added = np.nan_to_num(_float(infra, f"{d}_capacity_added_mw")) > 0
            sel = infra.loc[keep & added]
            cands.append(pd.DataFrame({"station_id": sel["station_id"].to_numpy(dtype=object), "direction": d,
                                       "year_ready": _float(sel, "year_ready"),
                                       "project_id": sel["project_id"].to_numpy(dtype=object), "kind": "grid"}))
    assets = _asset_table(region, projects)
    for d in _DIRECTIONS:
        sel = assets[assets["relieves"].isin(["both", d])]
        cands.append(pd.DataFrame({"station_id": sel["station_id"].to_numpy(dtype=object), "direction": d,
                                   "year_ready": sel["year_ready"].to_numpy(dtype=float, na_value=np.nan),
                                   "project_id": sel["project_id"].to_numpy(dtype=object), "kind": "flex"}))
    cand = pd.concat(cands, ignore_index=True) if cands else pd.DataFrame(
        columns=["station_id", "direction", "year_ready", "project_id", "kind"])
    m = out[keys + ["to_year", "next_year"]].merge(cand, on=["station_id", "direction"], how="inner")
    m = m[(m["year_ready"] > m["to_year"]) & (m["year_ready"] <= m["next_year"]) & (m["next_year"] > 0)]
    m = m.sort_values(["project_id"], kind="stable")
    resolved = m.groupby(keys, sort=False).agg(
        resolved_by=("project_id", lambda s: ";".join(dict.fromkeys(s.astype(str)))),
        resolved_kind=("kind", lambda s: ";".join(sorted(set(s), key=["grid", "flex"].index))))
    out = out.merge(resolved.reset_index(), on=keys, how="left")
    out["resolved_by"] = out["resolved_by"].fillna("").astype(object)
    out["resolved_kind"] = out["resolved_kind"].fillna("").astype(object)
    order = {s: i for i, s in enumerate(dict.fromkeys(red["scenario"]))}
    out = out.assign(_sc=out["scenario"].map(order), _d=out["direction"].map({"offtake": 0, "feedin": 1}))
    out = out.sort_values(["_sc", "station_id", "_d"], kind="stable").reset_index(drop=True)
    out["from_year"] = out["from_year"].astype(np.int64)
    out["to_year"] = out["to_year"].astype(np.int64)
    return out[list(FLEX_NEED_COLUMNS)]
