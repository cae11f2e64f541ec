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
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from energieplanologie._html import esc, fmt_year, is_missing, render_template, safe_file_stem, table_html
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

    def sector_table(self, direction: str) -> pd.DataFrame:
        """MW by (carrier, sector) rows and year columns for one direction, with a ``total`` row per carrier.

        Rows follow the order of ``schema.CARRIERS`` and ``schema.SECTORS``.
        """
        part = self.sector_mw.loc[self.sector_mw["direction"] == direction]
        table = part.pivot_table(index=["carrier", "sector"], columns="year", values="mw", aggfunc="sum")
        table = table.reindex(columns=list(self.years), fill_value=0.0).fillna(0.0)
        blocks = []
        for carrier in CARRIERS:
            if carrier not in table.index.get_level_values(0):
                continue
            block = table.loc[[carrier]]
            block = block.reindex([(carrier, s) for s in SECTORS if (carrier, s) in block.index])
            total = pd.DataFrame([block.sum(axis=0)], index=pd.MultiIndex.from_tuples([(carrier, "total")]))
            blocks.append(pd.concat([block, total]))
        out = pd.concat(blocks) if blocks else table.iloc[0:0]
        out.index.names = ["carrier", "sector"]
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
        rel_nl = {"allocated": "aansluiting", "inside": "in gemeente"}
        stations = []
        for (sid, d), g in self.stations.groupby(["station_id", "direction"], sort=False):
            g = g.set_index("year")
            first = g["first_shortage_year"].dropna() if "first_shortage_year" in g.columns else pd.Series([], dtype=float)
            name = g["station_name"].iloc[0] if "station_name" in g.columns else sid
            stations.append({
                "station": f"{name} ({sid})", "station_id": str(sid),
                "level": "" if is_missing(g["level"].iloc[0]) else str(g["level"].iloc[0]),
                "relation": ", ".join(rel_nl.get(r, r) for r in str(g["relation"].iloc[0]).split(";") if r),
                "direction": d,
                "status": {int(y): str(g.loc[y, "status"]) if y in g.index else "unknown" for y in self.years},
                "headroom_mw": {int(y): (None if y not in g.index or is_missing(g.loc[y, "headroom_mw"])
                                         else float(g.loc[y, "headroom_mw"])) for y in self.years},
                "headroom_texts": {int(y): format_number(g.loc[y, "headroom_mw"], 1) if y in g.index else "–"
                                   for y in self.years},
                "first_shortage_year": int(first.iloc[0]) if len(first) else None,
                "municipality_mw": float(g.loc[self.year, "municipality_mw"]) if self.year in g.index else 0.0,
                "municipality_mw_text": format_number(g.loc[self.year, "municipality_mw"] if self.year in g.index
                                                      else 0.0, 1),
            })
        return {"code": self.code, "name": self.name, "years": [int(y) for y in self.years], "summary": self.summary,
                "summaries": {int(y): self.summary_in(y) for y in self.years},
                "sectors": sectors, "stations": stations}

    def total_mw(self, direction: str, year: int | None = None, carrier: str = "electricity") -> float:
        """Total weighted MW of one carrier in one direction and year (default the reference year)."""
        y = int(year if year is not None else self.year)
        m = self.sector_mw
        part = m.loc[(m["direction"] == direction) & (m["year"] == y) & (m["carrier"] == carrier), "mw"]
        return float(part.sum())

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
        first = self.stations.loc[self.stations["status"] == "red", "year"]
        short = self.shortage_stations
        n_st = self.stations["station_id"].nunique() if len(self.stations) else 0
        others = [c for c in CARRIERS[1:] if (self.sector_mw["carrier"] == c).any()]
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


def _cumulative(values: pd.Series, keys: pd.DataFrame, year: pd.Series, years: Sequence[int]) -> pd.DataFrame:
    """Sum ``values`` per key for each analysis year y over the rows with year ≤ y (long frame key…, year, mw)."""
    cols = list(keys.columns)
    out = []
    for y in years:
        sel = (year <= y).to_numpy()
        g = values[sel].groupby([keys[c][sel] for c in cols], sort=True).sum()
        frame = g.rename("mw").reset_index()
        frame.columns = [*cols, "mw"]
        frame["year"] = int(y)
        out.append(frame)
    if not out:
        return pd.DataFrame(columns=[*cols, "year", "mw"])
    return pd.concat(out, ignore_index=True)[[*cols, "year", "mw"]]


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
    mun = region.municipalities
    sel = mun.loc[mun["municipality_code"].astype(str) == str(code)]
    if sel.empty:
        known = ", ".join(sorted(mun["municipality_code"].astype(str)))
        raise ValueError(f"Gemeente {code!r} komt niet voor in de regio (wel: {known}).")
    name = str(sel["name"].iloc[0])
    polygon = sel.geometry.union_all()
    years = tuple(sorted({int(y) for y in region.years}))
    year = int(year if year is not None else years[-1])
    scenario = _scenario_name(balance, scenario)
    bal = balance.loc[balance["scenario"].astype(str) == scenario] if "scenario" in balance.columns else balance
    extra = scenarios

    # --- MW by sector and year (all developments of the municipality, allocated or not)
    in_mun = (allocation["municipality_code"].astype("string") == str(code)).fillna(False).to_numpy()
    rows = allocation.loc[in_mun]
    mw = _weighted_rows(rows, scenario, extra)
    dev_year = pd.Series(rows["year"].to_numpy(dtype=float), index=mw.index)
    long = []
    keys = pd.DataFrame({"carrier": rows["carrier"].astype(str).to_numpy(),
                         "sector": rows["sector"].astype(str).to_numpy()}, index=mw.index)
    for d in DIRECTIONS:
        part = _cumulative(mw[d], keys, dev_year, years)
        part.insert(0, "direction", d)
        long.append(part)
    sector_mw = pd.concat(long, ignore_index=True)
    nonzero = sector_mw.groupby(["direction", "carrier", "sector"])["mw"].transform(lambda s: (s.abs() > 1e-9).any())
    sector_mw = sector_mw.loc[nonzero.to_numpy()].reset_index(drop=True)

    # --- stations serving it
    sid = pd.Series(rows["station_id"].to_numpy(dtype=object), index=mw.index)
    allocated_ids = {str(s) for s in sid.dropna()}
    st = region.stations
    inside_ids = set(st.loc[st.geometry.within(polygon).to_numpy(), "station_id"].astype(str))
    serving = sorted(allocated_ids | inside_ids)
    stations = bal.loc[bal["station_id"].astype(str).isin(serving)].copy()
    relation = {s: ";".join(r for r, ok in (("allocated", s in allocated_ids), ("inside", s in inside_ids)) if ok)
                for s in serving}
    stations["relation"] = stations["station_id"].astype(str).map(relation)
    has_station = sid.notna().to_numpy()
    per_station = []
    for d in DIRECTIONS:
        keys = pd.DataFrame({"station_id": sid.astype(str).to_numpy()}, index=mw.index)
        part = _cumulative(mw[d][has_station], keys.loc[has_station], dev_year[has_station], years)
        part.insert(0, "direction", d)
        per_station.append(part)
    contrib = pd.concat(per_station, ignore_index=True).rename(columns={"mw": "municipality_mw"})
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
    dev_in = dev.loc[(dev["municipality_code"].astype("string") == str(code)).fillna(False).to_numpy()].copy()
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

    need = flex_need(stations, region) if "status" in stations.columns else None
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
    rel_nl = {"allocated": "aansluiting", "inside": "in gemeente"}
    out = []
    for (sid, d), g in ov.stations.groupby(["station_id", "direction"], sort=False):
        g = g.set_index("year")
        first = g["first_shortage_year"].dropna() if "first_shortage_year" in g.columns else pd.Series([], dtype=float)
        row = {
            "Station": f"{g['station_name'].iloc[0]} ({sid})" if "station_name" in g.columns else sid,
            "Netvlak": g["level"].iloc[0] if "level" in g.columns else "",
            "Relatie": ", ".join(rel_nl.get(r, r) for r in str(g["relation"].iloc[0]).split(";") if r),
            "Richting": value_label("direction", d),
        }
        for y in ov.years:
            if y in g.index:
                row[str(y)] = _status_cell(str(g.loc[y, "status"]), format_number(g.loc[y, "headroom_mw"], 1))
            else:
                row[str(y)] = _status_cell("unknown", "–")
        row["Eerste tekort"] = fmt_year(first.iloc[0]) if len(first) else "–"
        row[f"MW uit gemeente ({ov.year})"] = g.loc[ov.year, "municipality_mw"] if ov.year in g.index else 0.0
        out.append(row)
    frame = pd.DataFrame(out)
    return table_html(frame, numeric=[f"MW uit gemeente ({ov.year})"], raw=[str(y) for y in ov.years],
                      css_class="num-table")


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
        "Sector": [value_label("sector", v) for v in d["sector"]],
        "Drager": [value_label("carrier", v) for v in d["carrier"]],
        "Jaar": [fmt_year(v) for v in d["year"]],
        "Zekerheid": [value_label("certainty", v) for v in d["certainty"]],
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
_RELATIONS_NL = {"allocated": "aansluiting", "inside": "in gemeente"}


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
        for order, ((sid, direction), g) in enumerate(ov.stations.groupby(["station_id", "direction"], sort=False)):
            g = g.set_index("year")
            first = g["first_shortage_year"].dropna() if "first_shortage_year" in g.columns else pd.Series([], dtype=float)
            name = g["station_name"].iloc[0] if "station_name" in g.columns else sid
            line: dict[str, Any] = {"gemeentecode": ov.code, "volgorde": order, "station": f"{name} ({sid})",
                                   "richting": value_label("direction", direction)}
            for y in years:
                present = y in g.index
                line[f"ruimte_{y}"] = format_number(g.loc[y, "headroom_mw"], 1) if present else "–"
                status = str(g.loc[y, "status"]) if present else "unknown"
                line[f"status_{y}"] = {"red": "rood", "amber": "oranje", "green": "groen"}.get(status, "onbekend")
            line["eerste_tekort"] = fmt_year(first.iloc[0]) if len(first) else "–"
            line["mw_uit_gemeente"] = format_number(g.loc[ov.year, "municipality_mw"] if ov.year in g.index else 0.0, 1)
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
    overviews = [municipality_overview(region, code, balance=balance, allocation=allocation, hotspots=of_year,
                                       year=y, scenario=chosen, scenarios=scenarios) for code in codes]
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
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


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
) -> list[Path]:
    """Write ``<GMcode>.png`` and ``<GMcode>.html`` for every municipality and ``index.html``.

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

    Returns
    -------
    list of Path
        Files written: per municipality (sorted by code) the PNG, the HTML (and the JSON), then ``index.html``.

    Examples
    --------
    >>> write_overviews(region, "uitvoer/gemeenten", balance=bal, allocation=alloc)  # doctest: +SKIP
    """
    from energieplanologie._atomic import atomic_write
    from energieplanologie._workers import map_ordered
    from energieplanologie.maps.interactive import region_map
    from energieplanologie.maps.publish import render_html

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    codes = sorted(region.municipalities["municipality_code"].astype(str))
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

    need = None  # the flex need of the whole balance, once: each page's map shows its stations' rows of it
    if interactive and balance is not None \
            and {"station_id", "year", "direction", "status", "shortage_mw"} <= set(balance.columns):
        from energieplanologie.flex import flex_need

        need = flex_need(balance, region)

    def one(code: str) -> tuple[bytes, str, str | None, dict[str, Any]]:
        # One municipality's picture, page and tables, as bytes and text (made in a worker process when several
        # are at hand; the files are written below, in order).
        ov = municipality_overview(region, code, balance=balance, allocation=allocation, hotspots=hotspots,
                                   scenarios=scenarios,
                                   year=year, scenario=scenario)
        fig = static_map(region, code, balance=balance, hotspots=hotspots, year=ov.year, scenario=ov.scenario, dpi=dpi)
        png = _png_bytes(fig)
        map_html = None
        if interactive:
            m = region_map(region, balance=balance, hotspots=hotspots, year=ov.year, scenario=ov.scenario,
                           focus=code, title=f"Gemeente {ov.name}", notes_key=f"{region.name}:{code}",
                           municipality_links="{code}.html", height="100%", flex_need=need)
            map_html = render_html(m, self_contained=self_contained, node_modules=node_modules)
        page = overview_html(ov, region_name=region.name, png=png, map_html=map_html)
        tables = json.dumps(ov.tables_dict(), ensure_ascii=False, indent=1) + "\n" if tables_json else None
        return png, page, tables, {"name": ov.name, "summary": ov.summary}

    written: list[Path] = []
    entries = []
    report(progress, 0.0, f"gemeente {codes[0]}" if codes else "gemeenten")
    for i, (code, stem, (png, page, tables, entry)) in enumerate(zip(codes, stems, map_ordered(one, codes),
                                                                      strict=True)):
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
    index = render_template("overview_index.html", region_name=region.name, entries=entries,
                            year=int(year if year is not None else max(region.years)))
    index_path = out / "index.html"
    with atomic_write(index_path) as tmp:
        Path(tmp).write_text(index, encoding="utf-8", newline="\n")
    written.append(index_path)
    report(progress, 1.0, "gemeenteoverzichten klaar")
    return written
