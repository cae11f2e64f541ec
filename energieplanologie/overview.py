"""Per-municipality overviews (the Zeeuws-Vlaanderen pilot): one picture and a few tables per municipality.

For a municipality, :func:`municipality_overview` gathers

* **MW by sector and year**, offtake and feed-in: the scenario-weighted MW of the developments in the
  municipality (``developments.municipality_code``), taken from the allocation (``MW × weight[certainty] ×
  simultaneity[sector] × share``, the same quantity the station balance adds up), cumulative: the column for
  year *y* counts the developments with ``year ≤ y``;
* the **stations that serve it** — the stations its developments are allocated to, plus the stations inside it —
  with their balance per year and direction, their first shortage year and the MW this municipality puts on them;
* the **projects** (infrastructure) in or touching it, or linked to a station inside it;
* the **developments** in it and the **knooppunten** (hotspots) touching it.

:func:`static_map` draws the municipality (outline, neighbours greyed, infrastructure, stations by balance status,
developments by sector, hotspots, Dutch legend, scale bar, north arrow) and :func:`write_overviews` writes, for
every municipality, ``<GMcode>.png`` and a self-contained ``<GMcode>.html`` (the picture, the tables and an
interactive map of the municipality) plus an ``index.html`` with a one-line summary per municipality.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from energieplanologie._html import esc, fmt_year, is_missing, render_template, safe_file_stem, table_html
from energieplanologie._workers import Batch, Plan
from energieplanologie.labels import format_number, value_label
from energieplanologie.maps._style import STATUS_COLOURS
from energieplanologie.progress import ProgressCallback, report
from energieplanologie.schema import CARRIERS, FLEX_TYPES, SECTORS

__all__ = [
    "ATLAS_TABLES",
    "MunicipalityOverview",
    "atlas_data",
    "atlas_tables",
    "municipality_overview",
    "overviews_plan",
    "safe_file_stem",
    "static_map",
    "write_overviews",
]

DIRECTIONS = ("offtake", "feedin")


@dataclass(frozen=True)
class MunicipalityOverview:
    """Everything on one municipality's overview page.

    Attributes
    ----------
    code, name : str
        CBS code (``GM0715``) and name.
    year : int
        The reference year of the summary and the pictures.
    years : tuple of int
        The analysis years (table columns).
    scenario : str
        The scenario of the balance and the weights.
    sector_mw : DataFrame
        Long table ``direction, carrier, sector, year, mw``: scenario-weighted MW of the developments in the
        municipality, cumulative over years (only carrier/sector pairs with MW in that direction). MW of
        different energy carriers are never added together.
    stations : DataFrame
        The balance rows (one per station × year × direction) of the stations serving the municipality, plus
        ``relation`` (``allocated``, ``inside`` or ``allocated;inside``) and ``municipality_mw`` (the MW of this
        municipality's developments allocated to the station in that year and direction).
    projects : GeoDataFrame
        Infrastructure in or touching the municipality, or linked to a station inside it.
    developments : GeoDataFrame
        The developments with this municipality code, with ``offtake_mw_weighted``/``feedin_mw_weighted``.
    hotspots : GeoDataFrame or None
        Hotspots touching the municipality (by geometry or ``municipality_codes``).
    neighbours : tuple of str
        Codes of the municipalities that share a border with it.
    unallocated_mw : dict
        Per direction, weighted MW (in ``year``) of developments without a station.
    flex_need : DataFrame or None
        The shortage windows of those stations (:func:`energieplanologie.flex.flex_need`): the flex that would
        bridge each until the project that ends it.
    """

    code: str
    name: str
    year: int
    years: tuple[int, ...]
    scenario: str
    sector_mw: pd.DataFrame
    stations: pd.DataFrame
    projects: gpd.GeoDataFrame
    developments: gpd.GeoDataFrame
    hotspots: gpd.GeoDataFrame | None
    neighbours: tuple[str, ...]
    unallocated_mw: dict[str, float]
    flex_need: pd.DataFrame | None = None

    def _memo(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        # What the page, its JSON, the index and the atlas each ask for again (a sector table, a total) is found
        # once per overview: the overview is read-only, like the frozen dataclass it is.
        memo = self.__dict__.setdefault("_memo_values", {})
        if key not in memo:
            memo[key] = make()
        return memo[key]

    def sector_table(self, direction: str) -> pd.DataFrame:
        """MW by (carrier, sector) rows and year columns for one direction, with a ``total`` row per carrier.

        Rows follow the order of ``schema.CARRIERS`` and ``schema.SECTORS``.
        """
        return self._memo(("sector_table", direction), lambda: self._sector_table(direction)).copy()

    def _sector_table(self, direction: str) -> pd.DataFrame:
        part = self.sector_mw.loc[(self.sector_mw["direction"] == direction).to_numpy()]
        # sector_mw has one row per carrier, sector and year (a grouped sum): a reshape, no aggregation, is needed
        table = part.set_index(["carrier", "sector", "year"])["mw"].unstack("year")
        table = table.reindex(columns=list(self.years), fill_value=0.0).fillna(0.0)
        present = set(table.index)
        keys: list[tuple[str, str]] = []
        values: list[np.ndarray] = []
        for carrier in CARRIERS:  # each carrier's sectors in SECTORS order, then its total: built once, not concatenated
            mine = [(carrier, s) for s in SECTORS if (carrier, s) in present]
            if mine:
                block = table.loc[mine]
                keys += [*mine, (carrier, "total")]
                values += [block.to_numpy(), block.sum(axis=0).to_numpy()[None, :]]
        if not keys:
            out = table.iloc[0:0]
            out.index.names = ["carrier", "sector"]
        else:
            out = pd.DataFrame(np.vstack(values), columns=table.columns,
                               index=pd.MultiIndex.from_tuples(keys, names=["carrier", "sector"]))
        out.columns.name = None
        return out

    def tables_dict(self) -> dict[str, Any]:
        """The page's two main tables as plain JSON data (``gemeenten/<code>.json``, read by the QGIS dock).

        ``sectors``: per direction and carrier the MW per sector and year plus a total row (Dutch labels);
        ``stations``: per serving station and direction the status and headroom (MW) per year, the first shortage
        year and the MW this municipality puts on it in the reference year. Numbers are unrounded; beside each the
        text the page shows (``texts``, ``headroom_texts``, ``municipality_mw_text``: one Dutch formatter for page,
        dock and atlas).

        Examples
        --------
        >>> import energieplanologie as ep
        >>> region = ep.load_sample()
        >>> alloc = ep.allocate_region(region)
        >>> ov = municipality_overview(region, "GM1714", balance=ep.station_balance(region, allocation=alloc),
        ...                            allocation=alloc)
        >>> data = ov.tables_dict()
        >>> data["code"], sorted({s["direction"] for s in data["stations"]})
        ('GM1714', ['feedin', 'offtake'])
        """
        sectors = []
        for direction in ("offtake", "feedin"):
            table = self.sector_table(direction)
            for (carrier, sector), row in table.iterrows():
                carrier_nl = value_label("carrier", carrier)
                sectors.append({
                    "direction": direction, "carrier": carrier_nl,
                    "sector": ("Totaal " + carrier_nl.lower()) if sector == "total" else value_label("sector", sector),
                    "values": {int(y): float(v) for y, v in row.items()},
                    "texts": {int(y): format_number(v, 1) for y, v in row.items()}, "total": sector == "total"})
        lines = _station_lines(self)
        years = [int(y) for y in self.years]
        stations = []
        for i in range(len(lines.station_id)):
            present, headroom, first = lines.present[i], lines.headroom_mw[i], lines.first_shortage_year[i]
            stations.append({
                "station": f"{lines.name[i]} ({lines.station_id[i]})", "station_id": str(lines.station_id[i]),
                "level": "" if is_missing(lines.level[i]) else str(lines.level[i]),
                "relation": lines.relation_text(i),
                "direction": lines.direction[i],
                "status": dict(zip(years, lines.status[i].tolist(), strict=True)),
                "headroom_mw": {y: float(h) if p and not is_missing(h) else None
                                for y, p, h in zip(years, present, headroom, strict=True)},
                "headroom_texts": {y: format_number(h, 1) for y, h in zip(years, headroom, strict=True)},
                "first_shortage_year": None if is_missing(first) else int(first),
                "municipality_mw": float(lines.municipality_mw[i]),
                "municipality_mw_text": format_number(lines.municipality_mw[i], 1),
            })
        return {"code": self.code, "name": self.name, "years": [int(y) for y in self.years], "summary": self.summary,
                "summaries": {int(y): self.summary_in(y) for y in self.years},
                "sectors": sectors, "stations": stations}

    def total_mw(self, direction: str, year: int | None = None, carrier: str = "electricity") -> float:
        """Total weighted MW of one carrier in one direction and year (default the reference year)."""
        y = int(year if year is not None else self.year)
        totals: dict[tuple[str, int, str], float] = self._memo(("totals",), self._totals)
        return totals.get((str(direction), y, str(carrier)), 0.0)

    def _totals(self) -> dict[tuple[str, int, str], float]:
        """Per (direction, year, carrier) of ``sector_mw`` the sum of its MW, found in one pass (the summaries ask
        for every year and carrier): each the sum of that selection's rows in their order, as before."""
        m = self.sector_mw
        if m.empty:
            return {}
        mw = m["mw"].to_numpy(dtype=float)
        groups = m.groupby([m["direction"].astype(str), m["year"].astype(int), m["carrier"].astype(str)],
                           sort=False).indices
        return {(str(d), int(y), str(c)): float(pd.Series(mw[rows]).sum()) for (d, y, c), rows in groups.items()}

    @property
    def shortage_stations(self) -> list[str]:
        """Stations serving the municipality that are short (status red) in some analysed year."""
        red = self.stations.loc[self.stations["status"] == "red", "station_id"]
        return sorted(red.astype(str).unique())

    @property
    def summary(self) -> str:
        """One line of Dutch for the index page (MW of the reference year)."""
        return self.summary_in(self.year)

    def summary_in(self, year: int) -> str:
        """One line of Dutch with the MW of ``year`` (the dock shows the one of the year it shows).

        Examples
        --------
        >>> import energieplanologie as ep
        >>> region = ep.load_sample()
        >>> alloc = ep.allocate_region(region)
        >>> ov = municipality_overview(region, "GM1714", balance=ep.station_balance(region, allocation=alloc),
        ...                            allocation=alloc)
        >>> " in 2030" in ov.summary_in(2030), ov.summary_in(ov.year) == ov.summary
        (True, True)
        """
        y = int(year)

        def same_every_year() -> tuple[pd.Series, list[str], int, list[str]]:
            return (self.stations.loc[self.stations["status"] == "red", "year"], self.shortage_stations,
                    self.stations["station_id"].nunique() if len(self.stations) else 0,
                    [c for c in CARRIERS[1:] if (self.sector_mw["carrier"] == c).any()])

        first, short, n_st, others = self._memo(("summary",), same_every_year)
        other_text = "".join(
            f"; {value_label('carrier', c).lower()} {format_number(self.total_mw('offtake', y, c), 0)} MW afname"
            f" en {format_number(self.total_mw('feedin', y, c), 0)} MW invoeding" for c in others)
        n_hs = 0 if self.hotspots is None else len(self.hotspots)
        parts = [
            f"{format_number(self.total_mw('offtake', y), 0)} MW afname en {format_number(self.total_mw('feedin', y), 0)} MW "
            f"invoeding elektriciteit in {y}{other_text} (scenario {self.scenario})",
            f"{n_st} {'station' if n_st == 1 else 'stations'}, waarvan {len(short)} met tekort"
            + (f" (eerste in {int(first.min())})" if len(first) else ""),
            f"{len(self.projects)} {'project' if len(self.projects) == 1 else 'projecten'}",
            f"{n_hs} {'knooppunt' if n_hs == 1 else 'knooppunten'}",
        ]
        return "; ".join(parts) + "."


_RELATIONS_NL = {"allocated": "aansluiting", "inside": "in gemeente"}


@dataclass(frozen=True)
class _StationLines:
    """One line per (station, direction) of an overview's stations, with its values per analysis year as arrays.

    Lines follow the order of first appearance in ``MunicipalityOverview.stations`` (station, offtake before
    feed-in); ``status``/``headroom_mw``/``present`` have one column per year of ``years``: ``"unknown"``/NaN/False
    where the balance has no row for that year.
    """

    station_id: np.ndarray
    direction: np.ndarray
    name: np.ndarray
    has_name: bool
    level: np.ndarray
    relation: np.ndarray
    status: np.ndarray
    headroom_mw: np.ndarray
    present: np.ndarray
    first_shortage_year: np.ndarray
    municipality_mw: np.ndarray

    def relation_text(self, i: int) -> str:
        """The relation of line ``i`` in Dutch (``aansluiting, in gemeente``)."""
        return ", ".join(_RELATIONS_NL.get(r, r) for r in str(self.relation[i]).split(";") if r)


def _station_lines(ov: MunicipalityOverview) -> _StationLines:
    """The stations table's lines in one pass over the balance rows (no lookup per station and year), found once
    per overview (the page's table and its JSON both read them; neither changes them)."""
    lines: _StationLines = ov._memo(("station_lines",), lambda: _make_station_lines(ov))
    return lines


def _make_station_lines(ov: MunicipalityOverview) -> _StationLines:
    st = ov.stations
    years = [int(y) for y in ov.years]
    group = st.groupby(["station_id", "direction"], sort=False).ngroup().to_numpy()
    n = int(group.max()) + 1 if len(group) else 0
    first = np.unique(group, return_index=True)[1] if n else np.zeros(0, dtype=int)
    row_year = st["year"].to_numpy()
    status = np.full((n, len(years)), "unknown", dtype=object)
    headroom = np.full((n, len(years)), np.nan)
    present = np.zeros((n, len(years)), dtype=bool)
    status_text = np.array([str(v) for v in st["status"]], dtype=object)
    row_headroom = st["headroom_mw"].to_numpy(dtype=float, na_value=np.nan)
    for j, y in enumerate(years):
        at = row_year == y
        status[group[at], j] = status_text[at]
        headroom[group[at], j] = row_headroom[at]
        present[group[at], j] = True
    mun_mw = np.zeros(n)
    at = row_year == int(ov.year)
    mun_mw[group[at]] = st["municipality_mw"].to_numpy(dtype=float)[at]
    if "first_shortage_year" in st.columns:
        shortage = st["first_shortage_year"].groupby(group).first().reindex(range(n)).to_numpy(dtype=float)
    else:
        shortage = np.full(n, np.nan)
    sid = st["station_id"].to_numpy(dtype=object)[first]
    has_name = "station_name" in st.columns
    return _StationLines(
        station_id=sid, direction=st["direction"].to_numpy(dtype=object)[first],
        name=st["station_name"].to_numpy(dtype=object)[first] if has_name else sid, has_name=has_name,
        level=st["level"].to_numpy(dtype=object)[first] if "level" in st.columns else np.full(n, "", dtype=object),
        relation=st["relation"].to_numpy(dtype=object)[first], status=status, headroom_mw=headroom,
        present=present, first_shortage_year=shortage, municipality_mw=mun_mw)


# ------------------------------------------------------------------------------------------------ compute


def _scenario_name(balance: pd.DataFrame, scenario: str | None) -> str:
    present = sorted(balance["scenario"].dropna().astype(str).unique()) if "scenario" in balance.columns else []
    if scenario is not None:
        if present and scenario not in present:
            raise ValueError(f"Scenario {scenario!r} komt niet voor in de balans (wel: {', '.join(present)}).")
        return scenario
    if len(present) == 1:
        return present[0]
    if not present:
        return "verwacht"
    raise ValueError(f"De balans bevat meerdere scenario's ({', '.join(present)}); kies er één met scenario=.")


def _weighted_rows(rows: pd.DataFrame, scenario: str, extra: Any) -> pd.DataFrame:
    """Per allocation row: MW per direction as counted in the balance (weighted × simultaneity × share)."""
    from energieplanologie.scenarios import weighted_mw

    if rows.empty:
        return pd.DataFrame({"offtake": [], "feedin": []}, dtype=float)
    w = weighted_mw(rows.reset_index(drop=True), scenario, extra=extra)
    share = rows["share"].to_numpy(dtype=float) if "share" in rows.columns else np.ones(len(rows))
    return pd.DataFrame({"offtake": w["offtake_mw_weighted"].to_numpy() * share,
                         "feedin": w["feedin_mw_weighted"].to_numpy() * share})


def _cumulative(values: pd.DataFrame, keys: pd.DataFrame, year: pd.Series, years: Sequence[int]) -> pd.DataFrame:
    """Sum each column of ``values`` per key for each analysis year y over the rows with year ≤ y.

    Returns the long frame ``direction, key…, year, mw`` (per column of ``values``, per year, keys sorted). One
    grouped sum over the rows repeated once per year they count in (not one per year and direction): each group
    adds the same rows in the same order, so every sum is the one a sum per year gives, to the last bit.
    """
    cols = list(keys.columns)
    row_year = year.to_numpy(dtype=float)
    take = [np.flatnonzero(row_year <= y) for y in years]
    rows = np.concatenate(take) if take else np.zeros(0, dtype=int)
    frame = pd.DataFrame({c: keys[c].to_numpy()[rows] for c in cols})
    frame.insert(0, "year", np.repeat(np.asarray(years, dtype=np.int64), [len(t) for t in take]))
    names = list(values.columns)
    for name in names:
        frame[name] = values[name].to_numpy(dtype=float)[rows]
    sums = frame.groupby(["year", *cols], sort=True)[names].sum().reset_index()
    out = []
    for name in names:
        part = sums[[*cols, "year", name]].rename(columns={name: "mw"})
        part.insert(0, "direction", name)
        out.append(part)
    return pd.concat(out, ignore_index=True)


def municipality_overview(
    region: Any,
    code: str,
    *,
    balance: pd.DataFrame,
    allocation: pd.DataFrame,
    hotspots: gpd.GeoDataFrame | None = None,
    year: int | None = None,
    scenario: str | None = None,
    scenarios: Mapping[str, Any] | None = None,
) -> MunicipalityOverview:
    """The tables of one municipality's overview.

    Parameters
    ----------
    region : Region
        The study area.
    code : str
        Municipality code (``GM0715``).
    balance : DataFrame
        ``balance.station_balance(region, scenario, allocation=allocation)`` (one scenario, or pick one with
        ``scenario``).
    allocation : DataFrame
        ``allocation.allocate(region.developments, region.stations, …)`` — the allocation the balance used.
    hotspots : GeoDataFrame, optional
        ``HotspotResult.hotspots``.
    year : int, optional
        Reference year for the summary (default the region's last year).
    scenario : str, optional
        Needed when ``balance`` holds several scenarios.
    scenarios : mapping, optional
        The user's scenario tables (``[scenarios.NAAM]`` of the project configuration,
        :meth:`~energieplanologie.config.ProjectSettings.user_scenarios`); built-in names need none.

    Returns
    -------
    MunicipalityOverview

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie import allocation, balance
    >>> region = ep.load_sample()
    >>> alloc = allocation.allocate(region.developments, region.stations, area=region.municipalities)
    >>> bal = balance.station_balance(region, "verwacht", allocation=alloc)
    >>> ov = municipality_overview(region, "GM0715", balance=bal, allocation=alloc)
    >>> ov.name
    'Terneuzen'
    """
    return _overview(region, code, balance=balance, allocation=allocation, hotspots=hotspots, year=year,
                     scenario=scenario, scenarios=scenarios, shared=None)


@dataclass(frozen=True)
class _SharedInputs:
    """What every municipality of one run needs from the whole region, found once (``write_overviews``,
    ``atlas_data``) instead of once per municipality: the balance of the scenario with its station ids as text,
    the positions of each municipality's allocation and development rows, and the flex need of all stations."""

    scenario: str
    balance: pd.DataFrame
    balance_station_ids: pd.Series
    allocation_rows: dict[str, np.ndarray]
    development_rows: dict[str, np.ndarray]
    flex_need: pd.DataFrame | None
    flex_years: frozenset[int]


def _rows_by_code(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per municipality code, the positions of the frame's rows with that code (ascending; codes compared as text)."""
    codes = frame["municipality_code"].astype("string")
    return {str(k): np.asarray(v) for k, v in codes.groupby(codes, sort=False).indices.items()}


def _shared_inputs(region: Any, balance: pd.DataFrame, allocation: pd.DataFrame, scenario: str | None) -> _SharedInputs:
    from energieplanologie._errors import EnergieplanologieError
    from energieplanologie.flex import flex_need

    chosen = _scenario_name(balance, scenario)
    bal = balance.loc[balance["scenario"].astype(str) == chosen] if "scenario" in balance.columns else balance
    need = None
    if "status" in bal.columns:
        try:  # with station ids and years typed as a municipality's station rows have them
            need = flex_need(bal.assign(station_id=bal["station_id"].astype(str), year=bal["year"].astype(int)), region)
        except EnergieplanologieError:
            need = None  # each municipality then finds its own (and reports the problem if it has one)
    return _SharedInputs(scenario=chosen, balance=bal, balance_station_ids=bal["station_id"].astype(str),
                         allocation_rows=_rows_by_code(allocation), development_rows=_rows_by_code(region.developments),
                         flex_need=need, flex_years=frozenset(int(y) for y in bal["year"].unique()))


def _overview(region: Any, code: str, *, balance: pd.DataFrame, allocation: pd.DataFrame,
              hotspots: gpd.GeoDataFrame | None, year: int | None, scenario: str | None,
              scenarios: Mapping[str, Any] | None, shared: _SharedInputs | None) -> MunicipalityOverview:
    """:func:`municipality_overview`, with what the whole run shares handed in (``shared``) or found here (None)."""
    mun = region.municipalities
    sel = mun.loc[mun["municipality_code"].astype(str) == str(code)]
    if sel.empty:
        known = ", ".join(sorted(mun["municipality_code"].astype(str)))
        raise ValueError(f"Gemeente {code!r} komt niet voor in de regio (wel: {known}).")
    name = str(sel["name"].iloc[0])
    polygon = sel.geometry.union_all()
    years = tuple(sorted({int(y) for y in region.years}))
    year = int(year if year is not None else years[-1])
    if shared is None:
        scenario = _scenario_name(balance, scenario)
        bal = balance.loc[balance["scenario"].astype(str) == scenario] if "scenario" in balance.columns else balance
        bal_ids = bal["station_id"].astype(str)
        in_mun = (allocation["municipality_code"].astype("string") == str(code)).fillna(False).to_numpy()
        rows = allocation.loc[in_mun]
    else:
        scenario, bal, bal_ids = shared.scenario, shared.balance, shared.balance_station_ids
        rows = allocation.iloc[shared.allocation_rows.get(str(code), np.zeros(0, dtype=int))]
    extra = scenarios

    # --- MW by sector and year (all developments of the municipality, allocated or not)
    mw = _weighted_rows(rows, scenario, extra)
    dev_year = pd.Series(rows["year"].to_numpy(dtype=float), index=mw.index)
    keys = pd.DataFrame({"carrier": rows["carrier"].astype(str).to_numpy(),
                         "sector": rows["sector"].astype(str).to_numpy()}, index=mw.index)
    sector_mw = _cumulative(mw[list(DIRECTIONS)], keys, dev_year, years)
    nonzero = (sector_mw["mw"].abs() > 1e-9).groupby([sector_mw["direction"], sector_mw["carrier"],
                                                      sector_mw["sector"]]).transform("any")
    sector_mw = sector_mw.loc[nonzero.to_numpy()].reset_index(drop=True)

    # --- stations serving it
    sid = pd.Series(rows["station_id"].to_numpy(dtype=object), index=mw.index)
    allocated_ids = {str(s) for s in sid.dropna()}
    st = region.stations
    inside_ids = set(st.loc[st.geometry.within(polygon).to_numpy(), "station_id"].astype(str))
    serving = sorted(allocated_ids | inside_ids)
    stations = bal.loc[bal_ids.isin(serving).to_numpy()].copy()
    relation = {s: ";".join(r for r, ok in (("allocated", s in allocated_ids), ("inside", s in inside_ids)) if ok)
                for s in serving}
    stations["relation"] = stations["station_id"].astype(str).map(relation)
    has_station = sid.notna().to_numpy()
    keys = pd.DataFrame({"station_id": sid.astype(str).to_numpy()}, index=mw.index)
    contrib = _cumulative(mw.loc[has_station, list(DIRECTIONS)], keys.loc[has_station], dev_year[has_station],
                          years).rename(columns={"mw": "municipality_mw"})
    stations["station_id"] = stations["station_id"].astype(str)
    stations["year"] = stations["year"].astype(int)
    stations = stations.merge(contrib, on=["station_id", "year", "direction"], how="left")
    stations["municipality_mw"] = stations["municipality_mw"].fillna(0.0)
    stations["_order"] = stations["direction"].map({"offtake": 0, "feedin": 1})
    stations = stations.sort_values(["station_id", "_order", "year"], kind="stable").drop(columns="_order")
    stations = stations.reset_index(drop=True)

    unallocated = {}
    for d in DIRECTIONS:
        sel_y = (dev_year <= year).to_numpy() & ~has_station
        unallocated[d] = float(mw[d][sel_y].sum())

    # --- projects, developments, hotspots
    infra = region.infrastructure
    touch = infra.geometry.intersects(polygon).to_numpy() if len(infra) else np.zeros(0, dtype=bool)
    linked = infra["station_id"].astype("string").isin(list(inside_ids)).fillna(False).to_numpy() if len(infra) else touch
    projects = infra.loc[touch | linked].copy()
    if len(projects):
        projects["relation"] = np.where(touch[touch | linked], "in gemeente", "station in gemeente")
        projects = projects.sort_values(["year_ready", "project_id"], na_position="last", kind="stable")

    dev = region.developments
    if shared is None:
        dev_in = dev.loc[(dev["municipality_code"].astype("string") == str(code)).fillna(False).to_numpy()].copy()
    else:
        dev_in = dev.iloc[shared.development_rows.get(str(code), np.zeros(0, dtype=int))].copy()
    if len(dev_in):
        from energieplanologie.scenarios import weighted_mw

        w = weighted_mw(dev_in, scenario, extra=extra)
        dev_in["offtake_mw_weighted"] = w["offtake_mw_weighted"].to_numpy()
        dev_in["feedin_mw_weighted"] = w["feedin_mw_weighted"].to_numpy()
        dev_in = dev_in.sort_values(["year", "sector", "development_id"], kind="stable")

    hs = None
    if hotspots is not None:
        codes = hotspots["municipality_codes"].astype("string").fillna("") if "municipality_codes" in hotspots else \
            pd.Series("", index=hotspots.index)
        named = codes.str.split(";").map(lambda parts: str(code) in parts).to_numpy(dtype=bool)
        hit = hotspots.geometry.intersects(polygon).to_numpy() | named
        hs = hotspots.loc[hit].copy()

    others = mun.loc[mun["municipality_code"].astype(str) != str(code)]
    neighbours = tuple(sorted(others.loc[others.geometry.intersects(polygon).to_numpy(), "municipality_code"].astype(str)))
    from energieplanologie.flex import flex_need

    if "status" not in stations.columns:
        need = None
    elif shared is not None and shared.flex_need is not None and set(stations["year"].unique()) == shared.flex_years:
        # The windows of all stations, cut to these: each window depends only on its own station's rows and the
        # analysis years, which are the same here.
        need = shared.flex_need.loc[shared.flex_need["station_id"].astype(str).isin(serving).to_numpy()]
        need = need.reset_index(drop=True)
    else:
        need = flex_need(stations, region)
    return MunicipalityOverview(code=str(code), name=name, year=year, years=years, scenario=scenario,
                                sector_mw=sector_mw, stations=stations, projects=projects, developments=dev_in,
                                hotspots=hs, neighbours=neighbours, unallocated_mw=unallocated, flex_need=need)


# ------------------------------------------------------------------------------------------------ pictures


def static_map(region: Any, code: str, *, balance: pd.DataFrame | None = None,
               hotspots: gpd.GeoDataFrame | None = None, year: int | None = None, scenario: str | None = None,
               path: str | Path | None = None, dpi: int = 150) -> Figure:
    """The municipality's picture: its outline, neighbours greyed, infrastructure, stations by balance status,
    developments by sector, hotspots, Dutch legend, scale bar and north arrow (matplotlib; PNG when ``path``).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> fig = static_map(ep.load_sample(), "GM1714")
    >>> fig.axes[0].get_title(loc="left")
    'Gemeente Sluis (GM1714) — toestand 2040'
    """
    from energieplanologie.maps.static import static_region_map

    mun = region.municipalities
    names = dict(zip(mun["municipality_code"].astype(str), mun["name"].astype(str), strict=True))
    if str(code) not in names:
        raise ValueError(f"Gemeente {code!r} komt niet voor in de regio.")
    y = int(year if year is not None else max(region.years))
    return static_region_map(region, balance=balance, hotspots=hotspots, year=y, scenario=scenario,
                             title=f"Gemeente {names[str(code)]} ({code}) — toestand {y}", focus=str(code),
                             path=path, dpi=dpi)


# ------------------------------------------------------------------------------------------------ pages


def _status_cell(status: str, text: str) -> str:
    colour = STATUS_COLOURS.get(status, STATUS_COLOURS["unknown"])
    return (f'<span class="cell"><span class="dot" style="background:{esc(colour)}" '
            f'title="{esc(value_label("balance_status", status))}"></span>{esc(text)}</span>')


def _sector_table_html(ov: MunicipalityOverview, direction: str) -> str:
    table = ov.sector_table(direction)
    if table.empty:
        return "<p>Geen ontwikkelingen met MW in deze richting.</p>"
    frame = table.reset_index()
    carrier = [value_label("carrier", c) for c in frame["carrier"]]
    frame["sector"] = [("Totaal " + c.lower()) if s == "total" else value_label("sector", s)
                       for s, c in zip(frame["sector"], carrier, strict=True)]
    frame["carrier"] = carrier
    frame.columns = ["Drager", "Sector", *[str(y) for y in table.columns]]
    attrs = ['class="total"' if s == "total" else "" for s in table.index.get_level_values(1)]
    return table_html(frame, numeric=[str(y) for y in table.columns], css_class="num-table", row_attrs=attrs)


def _stations_table_html(ov: MunicipalityOverview) -> str:
    if ov.stations.empty:
        return "<p>Geen stations gevonden die deze gemeente bedienen.</p>"
    lines = _station_lines(ov)
    mw_column = f"MW uit gemeente ({ov.year})"
    frame = pd.DataFrame({
        "Station": [f"{n} ({s})" for n, s in zip(lines.name, lines.station_id, strict=True)] if lines.has_name
        else lines.station_id,
        "Netvlak": lines.level,
        "Relatie": [lines.relation_text(i) for i in range(len(lines.station_id))],
        "Richting": [value_label("direction", d) for d in lines.direction],
        **{str(y): [_status_cell(str(s), format_number(h, 1))
                    for s, h in zip(lines.status[:, j], lines.headroom_mw[:, j], strict=True)]
           for j, y in enumerate(ov.years)},
        "Eerste tekort": [fmt_year(v) for v in lines.first_shortage_year],
        mw_column: lines.municipality_mw,
    })
    return table_html(frame, numeric=[mw_column], raw=[str(y) for y in ov.years], css_class="num-table")


def _projects_table_html(ov: MunicipalityOverview) -> str:
    if ov.projects.empty:
        return "<p>Geen projecten in of bij deze gemeente.</p>"
    p = ov.projects
    frame = pd.DataFrame({
        "Project": p["name"].astype(str).to_numpy(),
        "Type": [value_label("infra_type", v) for v in p["infra_type"]],
        "Drager": [value_label("carrier", v) for v in p["carrier"]],
        "Status": [value_label("status", v) for v in p["status"]],
        "Gereed": [fmt_year(v) for v in p["year_ready"]],
        "Station": p["station_id"].astype("string").fillna("").to_numpy(),
        "+ afname (MW)": p["offtake_capacity_added_mw"].to_numpy(dtype=float),
        "+ invoeding (MW)": p["feedin_capacity_added_mw"].to_numpy(dtype=float),
        "Flex (MW)": np.where(p["infra_type"].isin(list(FLEX_TYPES)).to_numpy(),
                              p["power_mw"].to_numpy(dtype=float) if "power_mw" in p else np.nan, np.nan),
        "Kosten (M€)": p["cost_meur"].to_numpy(dtype=float),
        "Relatie": p["relation"].to_numpy(),
    })
    return table_html(frame, numeric=["+ afname (MW)", "+ invoeding (MW)", "Flex (MW)", "Kosten (M€)"],
                      css_class="num-table")


def _flex_table_html(ov: MunicipalityOverview) -> str:
    """The shortage windows of the stations serving the municipality and the flex that bridges each."""
    need = ov.flex_need
    if need is None or need.empty:
        return "<p>Geen tekortvensters: er is bij deze stations geen flex nodig om een tekort te overbruggen.</p>"
    names = ov.projects.set_index(ov.projects["project_id"].astype(str))["name"].astype(str).to_dict() \
        if len(ov.projects) else {}
    frame = pd.DataFrame({
        "Station": [f"{n} ({s})" for n, s in zip(need["station_name"], need["station_id"], strict=True)],
        "Richting": [value_label("direction", d) for d in need["direction"]],
        "Van": [fmt_year(v) for v in need["from_year"]],
        "Tot en met": [fmt_year(v) for v in need["to_year"]],
        "Flex nodig (MW)": need["max_shortage_mw"].to_numpy(dtype=float),
        "Opgelost door": [", ".join(f"{names.get(p, p)} ({p})" for p in str(v).split(";") if p) or "nog geen project"
                          for v in need["resolved_by"]],
        "Soort": [value_label("resolved_kind", v) if v else "–" for v in need["resolved_kind"]],
    })
    return table_html(frame, numeric=["Flex nodig (MW)"], css_class="num-table")


def _developments_table_html(ov: MunicipalityOverview) -> str:
    d = ov.developments
    if d.empty:
        return "<p>Geen ontwikkelingen in deze gemeente.</p>"
    frame = pd.DataFrame({
        "Ontwikkeling": d["name"].astype(str).to_numpy(),
        "Sector": [value_label("sector", v) for v in d["sector"].tolist()],
        "Drager": [value_label("carrier", v) for v in d["carrier"].tolist()],
        "Jaar": [fmt_year(v) for v in d["year"]],
        "Zekerheid": [value_label("certainty", v) for v in d["certainty"].tolist()],
        "Afname (MW)": d["offtake_mw"].to_numpy(dtype=float),
        "Invoeding (MW)": d["feedin_mw"].to_numpy(dtype=float),
        f"Afname {ov.scenario} (MW)": d["offtake_mw_weighted"].to_numpy(dtype=float),
        f"Invoeding {ov.scenario} (MW)": d["feedin_mw_weighted"].to_numpy(dtype=float),
    })
    num = [c for c in frame.columns if c.endswith("(MW)")]
    return table_html(frame, numeric=num, css_class="num-table")


def _hotspots_table_html(ov: MunicipalityOverview) -> str:
    if ov.hotspots is None:
        return "<p>Geen knooppunten berekend.</p>"
    h = ov.hotspots
    if h.empty:
        return "<p>Geen knooppunten in of bij deze gemeente.</p>"

    def col(name: str, default: Any = "") -> Any:
        return h[name].to_numpy() if name in h.columns else [default] * len(h)

    frame = pd.DataFrame({
        "Knooppunt": col("name"),
        "Niveau": [value_label("level", v) for v in col("level")],
        "Jaar": [fmt_year(v) for v in col("year", None)],
        "Sectoren": [", ".join(value_label("sector", s) for s in str(v).split(";") if s) for v in col("sectors")],
        "Totaal (MW)": np.asarray(col("total_mw", np.nan), dtype=float),
        "Stations": [str(v).replace(";", ", ") for v in col("station_ids")],
        "Waarom dit niveau": col("level_reason"),
    })
    return table_html(frame, numeric=["Totaal (MW)"], css_class="num-table")


#: The tables of a municipality atlas page (:func:`atlas_tables`), in the order they appear.
ATLAS_TABLES = ("atlas_sectoren", "atlas_stations", "atlas_projecten", "atlas_knooppunten")


def atlas_tables(overviews: Sequence[MunicipalityOverview]) -> dict[str, pd.DataFrame]:
    """The four tables of every municipality's atlas page, as text ready to print (QGIS's layout tables).

    One row per line of a page, keyed by ``gemeentecode`` and ordered by ``volgorde``; every number is written by
    :func:`~energieplanologie.labels.format_number`, every value in Dutch. QGIS filters each table on the atlas
    page's municipality; the numbers are the overview page's.

    * ``atlas_sectoren``: ``richting``, ``sector`` (``Totaal …`` for a carrier's total, ``totaal`` = 1), one column
      ``mw_<jaar>`` per analysis year (scenario-weighted MW, cumulative);
    * ``atlas_stations``: ``station``, ``richting``, per year ``ruimte_<jaar>`` (headroom, MW) and ``status_<jaar>``
      (rood/oranje/groen/onbekend), ``eerste_tekort`` and ``mw_uit_gemeente`` (in the reference year);
    * ``atlas_projecten``: ``project``, ``type``, ``status``, ``gereed``, ``kosten`` (M€), ``station``;
    * ``atlas_knooppunten``: ``knooppunt``, ``niveau``, ``totaal`` (MW), ``stations``.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> region = ep.load_sample()
    >>> alloc = ep.allocate_region(region)
    >>> ov = municipality_overview(region, "GM1714", balance=ep.station_balance(region, allocation=alloc),
    ...                            allocation=alloc)
    >>> tables = atlas_tables([ov])
    >>> tables["atlas_sectoren"].loc[lambda t: t["totaal"] == 1, ["richting", "sector", "mw_2040"]].iloc[0].tolist()
    ['Afname', 'Totaal elektriciteit', '17,1']
    """
    sectors, stations, projects, hotspots = [], [], [], []
    for ov in overviews:
        years = [int(y) for y in ov.years]
        order = 0
        for direction in DIRECTIONS:
            for (carrier, sector), row in ov.sector_table(direction).iterrows():
                carrier_nl = value_label("carrier", carrier)
                name = ("Totaal " + carrier_nl.lower()) if sector == "total" else value_label("sector", sector)
                if carrier != "electricity" and sector != "total":
                    name = f"{carrier_nl}: {name}"
                sectors.append({"gemeentecode": ov.code, "volgorde": order,
                                "richting": value_label("direction", direction), "sector": name,
                                "totaal": int(sector == "total"),
                                **{f"mw_{y}": format_number(row.get(y), 1) for y in years}})
                order += 1
        lines = _station_lines(ov)
        status_nl = {"red": "rood", "amber": "oranje", "green": "groen"}
        index = {int(y): j for j, y in enumerate(ov.years)}
        for order in range(len(lines.station_id)):
            line: dict[str, Any] = {"gemeentecode": ov.code, "volgorde": order,
                                   "station": f"{lines.name[order]} ({lines.station_id[order]})",
                                   "richting": value_label("direction", lines.direction[order])}
            for y in years:
                j = index[y]
                line[f"ruimte_{y}"] = format_number(lines.headroom_mw[order, j], 1)
                line[f"status_{y}"] = status_nl.get(lines.status[order, j], "onbekend")
            line["eerste_tekort"] = fmt_year(lines.first_shortage_year[order])
            line["mw_uit_gemeente"] = format_number(lines.municipality_mw[order], 1)
            stations.append(line)
        for order, (_, p) in enumerate(ov.projects.iterrows()):
            projects.append({"gemeentecode": ov.code, "volgorde": order, "project": str(p["name"]),
                             "type": value_label("infra_type", p["infra_type"]),
                             "status": value_label("status", p["status"]), "gereed": fmt_year(p["year_ready"]),
                             "kosten": format_number(p["cost_meur"], 1),
                             "station": "" if is_missing(p["station_id"]) else str(p["station_id"])})
        if ov.hotspots is not None:
            for order, (_, h) in enumerate(ov.hotspots.iterrows()):
                hotspots.append({"gemeentecode": ov.code, "volgorde": order, "knooppunt": str(h.get("name", "")),
                                 "niveau": value_label("level", h.get("level")),
                                 "totaal": format_number(h.get("total_mw"), 1),
                                 "stations": str(h.get("station_ids") or "").replace(";", ", ")})
    years = sorted({int(y) for ov in overviews for y in ov.years})
    columns = {
        "atlas_sectoren": ["gemeentecode", "volgorde", "richting", "sector", "totaal", *[f"mw_{y}" for y in years]],
        "atlas_stations": ["gemeentecode", "volgorde", "station", "richting",
                           *[c for y in years for c in (f"ruimte_{y}", f"status_{y}")], "eerste_tekort",
                           "mw_uit_gemeente"],
        "atlas_projecten": ["gemeentecode", "volgorde", "project", "type", "status", "gereed", "kosten", "station"],
        "atlas_knooppunten": ["gemeentecode", "volgorde", "knooppunt", "niveau", "totaal", "stations"],
    }
    rows = dict(zip(ATLAS_TABLES, (sectors, stations, projects, hotspots), strict=True))
    return {name: pd.DataFrame(rows[name], columns=columns[name]) for name in ATLAS_TABLES}


def atlas_data(region: Any, *, balance: pd.DataFrame, allocation: pd.DataFrame,
               hotspots: gpd.GeoDataFrame | None = None, year: int | None = None,
               scenario: str | None = None, scenarios: Mapping[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """Everything a municipality atlas in QGIS shows, for one year and one scenario: the map layers and the tables.

    The layers (canonical columns, written with Dutch headers and values) are ``gemeenten``, ``beperkingen``,
    ``ontwikkelingen``, ``infrastructuur``, ``stationsbalans`` (only ``year`` and ``scenario``: one point per station
    and direction) and ``knooppunten`` (only ``year``); then the four :func:`atlas_tables`. The QGIS plugin builds
    the print layout on them; it computes nothing.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> region = ep.load_sample()
    >>> alloc = ep.allocate_region(region)
    >>> data = atlas_data(region, balance=ep.station_balance(region, allocation=alloc), allocation=alloc)
    >>> len(data["stationsbalans"]), sorted(data["atlas_sectoren"]["gemeentecode"].unique())
    (32, ['GM0677', 'GM0715', 'GM1714'])
    """
    from energieplanologie.balance import balance_layer

    chosen = _scenario_name(balance, scenario)
    y = int(year if year is not None else max(region.years))
    if y not in {int(v) for v in region.years}:
        raise ValueError(f"Jaar {y} is geen analysejaar ({', '.join(str(v) for v in region.years)}).")
    rows = balance.loc[(balance["scenario"] == chosen) & (balance["year"] == y)] if "scenario" in balance.columns \
        else balance.loc[balance["year"] == y]
    of_year = hotspots.loc[hotspots["year"] == y].reset_index(drop=True) \
        if hotspots is not None and "year" in hotspots.columns else hotspots
    codes = sorted(region.municipalities["municipality_code"].astype(str))
    shared = _shared_inputs(region, balance, allocation, chosen)
    overviews = [_overview(region, code, balance=balance, allocation=allocation, hotspots=of_year, year=y,
                           scenario=chosen, scenarios=scenarios, shared=shared) for code in codes]
    layers: dict[str, pd.DataFrame] = {"gemeenten": region.municipalities}
    if len(region.constraints):
        layers["beperkingen"] = region.constraints
    layers.update({
        "ontwikkelingen": region.developments,
        "infrastructuur": region.infrastructure,
        "stationsbalans": balance_layer(rows.reset_index(drop=True), region.stations),
    })
    if of_year is not None:
        layers["knooppunten"] = of_year
    layers.update(atlas_tables(overviews))
    return layers


def _png_bytes(fig: Figure) -> bytes:
    from energieplanologie.maps.static import figure_png

    return figure_png(fig)


def overview_html(ov: MunicipalityOverview, *, region_name: str, png: bytes | None = None,
                  map_html: str | None = None) -> str:
    """The HTML page of one overview (tables escaped; the PNG inline; the interactive map in an iframe)."""
    from markupsafe import Markup

    return render_template("overview_page.html",
        ov=ov,
        region_name=region_name,
        summary=ov.summary,
        png_data=None if png is None else "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        map_html=map_html,
        offtake_table=Markup(_sector_table_html(ov, "offtake")),
        feedin_table=Markup(_sector_table_html(ov, "feedin")),
        stations_table=Markup(_stations_table_html(ov)),
        flex_table=Markup(_flex_table_html(ov)),
        projects_table=Markup(_projects_table_html(ov)),
        developments_table=Markup(_developments_table_html(ov)),
        hotspots_table=Markup(_hotspots_table_html(ov)),
        unallocated={d: format_number(v) for d, v in ov.unallocated_mw.items()},
        neighbours=", ".join(ov.neighbours),
        status_colours=STATUS_COLOURS,
    )


def write_overviews(
    region: Any,
    out_dir: str | Path,
    *,
    balance: pd.DataFrame,
    allocation: pd.DataFrame,
    hotspots: gpd.GeoDataFrame | None = None,
    year: int | None = None,
    scenario: str | None = None,
    scenarios: Mapping[str, Any] | None = None,
    interactive: bool = True,
    self_contained: bool = True,
    node_modules: str | Path | None = None,
    dpi: int = 150,
    tables_json: bool = False,
    progress: ProgressCallback | None = None,
    pages: Sequence[str] | None = None,
    pages_note: str = "",
) -> list[Path]:
    """Write ``<GMcode>.png`` and ``<GMcode>.html`` for every municipality (or those in ``pages``) and ``index.html``.

    Parameters
    ----------
    region : Region
        The study area.
    out_dir : path
        The folder (``DIR/gemeenten``); created when missing. File names come from the municipality codes,
        sanitised so that no file can land outside ``out_dir``.
    balance, allocation, hotspots, year, scenario
        See :func:`municipality_overview`.
    interactive : bool, default True
        Include an interactive map of the municipality in each page.
    self_contained : bool, default True
        Inline the interactive map's JavaScript/CSS (see :func:`energieplanologie.maps.publish`).
    tables_json : bool, default False
        Also write ``<GMcode>.json``: the page's tables as data (:meth:`MunicipalityOverview.tables_dict`), for the
        QGIS dock and scripts.
    progress : callable, optional
        ``progress(fraction, message)``.
    pages : sequence of str, optional
        Only these municipalities get a page (see :func:`energieplanologie.output_choice.municipality_page_codes`);
        ``index.html`` still lists every municipality and says how to make the others. Default: all.
    pages_note : str, optional
        Which municipalities have a page and why, for ``index.html`` (e.g. ``"de 60 met het grootste tekort"``).

    Returns
    -------
    list of Path
        Files written: per municipality (sorted by code) the PNG, the HTML (and the JSON), then ``index.html``.

    Examples
    --------
    >>> write_overviews(region, "uitvoer/gemeenten", balance=bal, allocation=alloc)  # doctest: +SKIP
    """
    from energieplanologie._workers import run_plan

    return run_plan(overviews_plan(region, out_dir, balance=balance, allocation=allocation, hotspots=hotspots, year=year, scenario=scenario,
                                   scenarios=scenarios, interactive=interactive, self_contained=self_contained,
                                   node_modules=node_modules, dpi=dpi, tables_json=tables_json, progress=progress,
                                   pages=pages, pages_note=pages_note))


def overviews_plan(
    region: Any,
    out_dir: str | Path,
    *,
    balance: pd.DataFrame,
    allocation: pd.DataFrame,
    hotspots: gpd.GeoDataFrame | None = None,
    year: int | None = None,
    scenario: str | None = None,
    scenarios: Mapping[str, Any] | None = None,
    interactive: bool = True,
    self_contained: bool = True,
    node_modules: str | Path | None = None,
    dpi: int = 150,
    tables_json: bool = False,
    progress: ProgressCallback | None = None,
    pages: Sequence[str] | None = None,
    pages_note: str = "",
) -> Plan[list[Path]]:
    """:func:`write_overviews` as a plan (:func:`energieplanologie._workers.run_plans`): the pages are made by the
    batch it yields, written in code order with ``index.html`` when it finishes.

    Examples
    --------
    >>> from energieplanologie._workers import run_plan
    >>> paths = run_plan(overviews_plan(region, "uitvoer/gemeenten", balance=bal, allocation=alloc))  # doctest: +SKIP
    """
    from energieplanologie._atomic import atomic_write
    from energieplanologie.maps.interactive import region_map
    from energieplanologie.maps.publish import render_html

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    all_codes = sorted(region.municipalities["municipality_code"].astype(str))
    if pages is None:
        codes = all_codes
    else:
        wanted = {str(c) for c in pages}
        unknown = sorted(wanted - set(all_codes))
        if unknown:
            raise ValueError(f"Gemeente {unknown[0]!r} komt niet voor in de regio.")
        codes = [c for c in all_codes if c in wanted]
    stems: list[str] = []
    used: set[str] = set()
    for code in codes:
        stem = safe_file_stem(code)
        while stem in used:  # two codes that sanitise alike get distinct files
            stem += "_"
        used.add(stem)
        stems.append(stem)
        for p in (out / f"{stem}.png", out / f"{stem}.html"):
            if p.resolve().parent != root:  # pragma: no cover - safe_file_stem makes this impossible
                raise ValueError(f"Bestandsnaam voor gemeente {code!r} valt buiten {out}.")

    # Once, before the workers fork (and not at all without pages: the index alone, at 10^6 some seconds).
    shared = _shared_inputs(region, balance, allocation, scenario) if codes else None
    # The spatial indexes every page's picture and map query (the layers within its view), built here once: each
    # worker process would build its own on its first page (a tenth of a second at 10^5 developments).
    for layer in (region.developments, region.infrastructure, region.stations, region.municipalities, hotspots):
        if codes and layer is not None and len(layer):
            layer.sindex  # noqa: B018 - built on first use and kept with the layer
    linked = None if len(codes) == len(all_codes) else codes  # a neighbour's link only where it has a page
    # the chosen scenario's flex need, once: each page's map shows its stations' rows
    need = shared.flex_need if shared is not None else None

    def one(code: str) -> tuple[bytes, str, str | None, dict[str, Any]]:
        # One municipality's picture, page and tables, as bytes and text (made in a worker process when several
        # are at hand; the files are written below, in order).
        ov = _overview(region, code, balance=balance, allocation=allocation, hotspots=hotspots, scenarios=scenarios,
                       year=year, scenario=scenario, shared=shared)
        fig = static_map(region, code, balance=balance, hotspots=hotspots, year=ov.year, scenario=ov.scenario, dpi=dpi)
        png = _png_bytes(fig)
        map_html = None
        if interactive:
            m = region_map(region, balance=balance, hotspots=hotspots, year=ov.year, scenario=ov.scenario,
                           focus=code, title=f"Gemeente {ov.name}", notes_key=f"{region.name}:{code}",
                           municipality_links="{code}.html", linked_municipalities=linked, height="100%",
                           flex_need=need)
            map_html = render_html(m, self_contained=self_contained, node_modules=node_modules)
        page = overview_html(ov, region_name=region.name, png=png, map_html=map_html)
        tables = json.dumps(ov.tables_dict(), ensure_ascii=False, indent=1) + "\n" if tables_json else None
        return png, page, tables, {"name": ov.name, "summary": ov.summary}

    written: list[Path] = []
    entries: list[dict[str, Any]] = []
    results = yield Batch(one, codes)
    report(progress, 0.0, f"gemeente {codes[0]}" if codes else "gemeenten")
    for i, (code, stem, (png, page, tables, entry)) in enumerate(zip(codes, stems, results, strict=True)):
        png_path, html_path = out / f"{stem}.png", out / f"{stem}.html"
        with atomic_write(png_path) as tmp:
            Path(tmp).write_bytes(png)
        with atomic_write(html_path) as tmp:
            Path(tmp).write_text(page, encoding="utf-8", newline="\n")
        written += [png_path, html_path]
        if tables is not None:
            json_path = out / f"{stem}.json"
            with atomic_write(json_path) as tmp:
                Path(tmp).write_text(tables, encoding="utf-8", newline="\n")
            written.append(json_path)
        entries.append({"code": code, "name": entry["name"], "href": html_path.name, "png": png_path.name,
                        "summary": entry["summary"]})
        if i + 1 < len(codes):
            report(progress, (i + 1) / len(codes), f"gemeente {codes[i + 1]}")
    if len(codes) < len(all_codes):  # the others are listed too, without a page
        mun = region.municipalities
        names = dict(zip(mun["municipality_code"].astype(str), mun["name"].astype(str), strict=True))
        have = set(codes)
        entries += [{"code": c, "name": names[c], "href": None, "png": None, "summary": "pagina op verzoek"}
                    for c in all_codes if c not in have]
        entries.sort(key=lambda e: e["code"])
    index = render_template("overview_index.html", region_name=region.name, entries=entries,
                            year=int(year if year is not None else max(region.years)),
                            without_page=len(codes) < len(all_codes), with_page=format_number(len(codes), 0),
                            chosen=pages_note or "de gekozen gemeenten")
    index_path = out / "index.html"
    with atomic_write(index_path) as tmp:
        Path(tmp).write_text(index, encoding="utf-8", newline="\n")
    written.append(index_path)
    report(progress, 1.0, "gemeenteoverzichten klaar")
    return written
