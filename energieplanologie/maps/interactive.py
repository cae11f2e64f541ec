"""The interactive region map (folium/Leaflet) for design sessions.

:func:`region_map` draws one layer group per layer type — Gemeenten, Stations (balans), Infrastructuur,
Ontwikkelingen per sector, Knooppunten, Gi*-hexagonen, Dichtheid MW/km² — with a year selector (the map shows
the state of the chosen year: developments with ``year ≤ y``, station colours of year ``y``, infrastructure with
``year_ready ≤ y`` drawn as built), a Dutch legend, layer control, fullscreen and measure tools, the basemaps
PDOK BRT achtergrondkaart and OpenStreetMap, and (optionally) *notes from the room*
(:mod:`energieplanologie.maps.notes`).

Safety: data reaches the page only as JSON (``<``, ``&``, ``'`` escaped, see :func:`~._html.script_json`);
popups and tooltips are HTML built here with every data value passed through ``html.escape`` (the tables of
developments and hexagons as escaped cells and row labels that the page's script joins into a table when a popup
opens: :func:`~.maps._popups.popup_table`); the page's own JavaScript (``templates/map_app.js``) inserts no other
data as HTML. No data string goes through folium's own elements (folium renders element output through Jinja
twice, so ``{{ … }}`` in a name would be evaluated).
"""

from __future__ import annotations

import functools
import html
import logging
import numbers
from collections.abc import Collection, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, cast

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xyzservices
from branca.element import CssLink, Element, Figure, JavascriptLink
from folium import plugins

from energieplanologie._html import (
    JsonText,
    esc,
    fmt_year,
    is_missing,
    json_text,
    kv_table,
    safe_file_stem,
    script_json,
)
from energieplanologie.labels import VALUE_LABELS, format_number, value_label
from energieplanologie.maps._features import (
    feature_collection_text,
    geojson_dicts,
    geometry_texts,
    json_strings,
    json_values,
    wgs84_geometries,
)
from energieplanologie.maps._popups import (
    column_values,
    escaped,
    format_numbers,
    object_array,
    per_value,
    popup_table,
)
from energieplanologie.maps._slots import Slots
from energieplanologie.maps._style import (
    CARRIER_COLOURS,
    CERTAINTY_STYLE,
    FLEX_SYMBOLS,
    HOTSPOT_COLOURS,
    INFRA_WEIGHT,
    MUNICIPALITY_COLOUR,
    SECTOR_COLOURS,
    STATUS_COLOURS,
    STATUS_ORDER,
)
from energieplanologie.schema import CRS_RD

__all__ = [
    "CANVAS_FROM",
    "DEVELOPMENT_LIMIT",
    "LAYER_NAMES",
    "OSM_ATTRIBUTION",
    "OSM_URL",
    "PDOK_BRT_ATTRIBUTION",
    "PDOK_BRT_URL",
    "balance_for_map",
    "density_overlay",
    "largest_developments",
    "region_map",
]

PDOK_BRT_URL = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"
PDOK_BRT_ATTRIBUTION = 'Kaartgegevens &copy; <a href="https://www.kadaster.nl">Kadaster</a> (PDOK BRT achtergrondkaart)'
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-bijdragers'
# The two as tile providers: folium looks a URL given as text up among all of xyzservices' providers first
# (some 3 ms a layer, on every municipality's map) before it takes it as the URL it is; a provider it takes as is.
# No zoom levels or subdomains of their own, so the layers are written as from the URLs.
_PDOK_BRT_TILES = xyzservices.TileProvider(name="PDOK BRT achtergrondkaart", url=PDOK_BRT_URL,
                                           attribution=PDOK_BRT_ATTRIBUTION)
_OSM_TILES = xyzservices.TileProvider(name="OpenStreetMap", url=OSM_URL, attribution=OSM_ATTRIBUTION)

#: At most this many developments are drawn as features on one interactive map (the largest, see
#: :func:`largest_developments`): a page of 10⁵ developments is about 170 MB and opens in a browser in tens of
#: seconds; one of 10⁶ (1.4 GB) does not open at all. A province has 10³–10⁵; the national map says what it left
#: out, and every development stays in the GeoPackage and on the municipality pages.
DEVELOPMENT_LIMIT = 100_000

#: A map with at least this many features draws them all on one canvas (Leaflet's ``preferCanvas``) instead of as
#: an SVG element each: at 10⁵ developments the page opens in 5–6 s instead of 8 and pans without a hundred
#: thousand elements to move. Smaller maps keep SVG (each feature an element with the classes the tests read). One
#: renderer for the whole map, never two: an SVG layer above a canvas would catch the clicks meant for it.
CANVAS_FROM = 10_000

#: Dutch names of the layer groups (what the layer control shows).
LAYER_NAMES = {
    "municipalities": "Gemeenten",
    "stations": "Stations (balans)",
    "infrastructure": "Infrastructuur",
    "flex": "Flexmiddelen (opslag en conversie)",
    "flexneed": "Flexbehoefte (tekort te overbruggen)",
    "developments": "Ontwikkelingen",
    "hotspots": "Knooppunten",
    "hexagons": "Gi*-hexagonen",
    "density": "Dichtheid MW/km²",
}

_LEAFLET_DRAW_JS = ("leaflet_draw_js", "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.js")
_LEAFLET_DRAW_CSS = ("leaflet_draw_css", "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.css")

_NOTE_LABELS = {
    "title": "Notities",
    "add": "Notitie toevoegen",
    "polygon": "Vlak met notitie",
    "export": "Exporteer notities",
    "note": "Notitie",
    "author": "Naam (optioneel)",
    "placeholder": "Wat is er aan tafel gezegd?",
    "save": "Opslaan",
    "cancel": "Annuleren",
    "remove": "Verwijderen",
    "empty": "Schrijf eerst een notitie.",
    "not_persistent": "Let op: deze browser bewaart de notities niet; exporteer ze voor u de kaart sluit.",
    "draw_point": "Klik op de kaart om de notitie te plaatsen.",
    "draw_polygon_start": "Klik om het vlak te beginnen.",
    "draw_polygon_cont": "Klik om verder te tekenen.",
    "draw_polygon_end": "Klik op het eerste punt om het vlak te sluiten.",
}


# ------------------------------------------------------------------------------------------ page elements


def _app_code() -> str:
    files = resources.files("energieplanologie") / "templates"
    js = (files / "map_app.js").read_text(encoding="utf-8")
    css = (files / "map_app.css").read_text(encoding="utf-8")
    return f"<style>\n{css}</style>\n<script>\n{js}</script>\n"


class _Code(Element):
    """Literal text in the page. Unlike branca's ``Element(text)`` it is never rendered through Jinja."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def render(self, **kwargs: Any) -> str:
        return self.code


class _Call(Element):
    """A call ``EP.<function>(<target>, <json args>…)`` of the page's own script, placed after its target."""

    def __init__(self, function: str, target: Element, *args: Any, links: Sequence[tuple[str, str, str]] = ()) -> None:
        super().__init__()
        self._name = "EpCall"
        self.function = function
        self.target = target
        self.args = args  # Elements become their JavaScript variable name, everything else JSON
        self.links = tuple(links)

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as branca's own MacroElement: adds, returns nothing
        figure = cast(Figure, self.get_root())
        for kind, name, url in self.links:
            figure.header.add_child(JavascriptLink(url) if kind == "js" else CssLink(url), name=name)
        figure.header.add_child(_Code(_app_code()), name="energieplanologie_app")
        # the JSON (the layers' data) waits outside the page while publish.render_html rewrites it (maps._slots)
        args = ", ".join([self.target.get_name()]
                         + [a.get_name() if isinstance(a, Element) else Slots.text(script_json(a))
                            for a in self.args])
        figure.script.add_child(_Code(f"EP.{self.function}({args});\n"), name=self.get_name())


# ------------------------------------------------------------------------------------------------ geometry


def _wgs84_geojson(gdf: gpd.GeoDataFrame, simplify_m: float) -> list[dict[str, Any]]:
    """Geometries as GeoJSON dicts in WGS84, simplified in RD metres and rounded to 1e-6° (≈ 0.1 m)."""
    return geojson_dicts(wgs84_geometries(gdf, simplify_m))


def _collection(gdf: gpd.GeoDataFrame, props: list[dict[str, Any]], simplify_m: float) -> dict[str, Any]:
    keep = ~(gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    geoms = _wgs84_geojson(gdf.loc[keep], simplify_m) if keep.any() else []
    props = [p for p, k in zip(props, keep, strict=True) if k]
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": g, "properties": p} for g, p in zip(geoms, props, strict=True)]}


# ------------------------------------------------------------------------------------------------ helpers


def _val(row: Mapping[str, Any], column: str) -> Any:
    value = row.get(column)
    return None if is_missing(value) else value


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` (its geometry aside) as plain dicts: one list per column instead of a Series per row."""
    columns = [c for c in frame.columns if not (isinstance(frame, gpd.GeoDataFrame) and c == frame.geometry.name)]
    return [dict(zip(columns, values, strict=True))
            for values in zip(*(frame[c].tolist() for c in columns), strict=True)] if columns \
        else [{} for _ in range(len(frame))]


def _numbers(frame: pd.DataFrame, column: str, decimals: int = 1, unit: str = "") -> np.ndarray:
    """``format_number`` of every value of ``frame[column]`` (``–`` for all when the column is absent)."""
    return format_numbers(frame[column] if column in frame.columns else column_values(frame, column), decimals, unit)


def _int_or_none(value: Any) -> int | None:
    return None if is_missing(value) else int(value)


def _joined_labels(value: Any, column: str) -> str:
    if is_missing(value) or value == "":
        return ""
    return ", ".join(value_label(column, v) for v in str(value).split(";") if v)


def _popup(title: str, sub: str, body: str) -> str:
    sub_html = f'<div class="ep-sub">{esc(sub)}</div>' if sub else ""
    return f"<h4>{esc(title)}</h4>{sub_html}{body}"


def _dot(colour: str) -> str:
    return f'<span class="ep-dot" style="background:{esc(colour)}"></span>'


# --------------------------------------------------------------------------------------------- balance


def balance_for_map(balance: pd.DataFrame | None, scenario: str | None = None) -> pd.DataFrame | None:
    """The balance rows of one scenario (the only one, or ``scenario``).

    Raises
    ------
    ValueError
        When the balance holds several scenarios and none (or an absent one) is chosen.

    Examples
    --------
    >>> b = pd.DataFrame({"scenario": ["verwacht", "maximaal"], "station_id": ["A", "A"]})
    >>> balance_for_map(b, "maximaal")["scenario"].tolist()
    ['maximaal']
    """
    if balance is None:
        return None
    if "scenario" not in balance.columns:
        return balance
    # Each distinct scenario value as text once, not each of the rows (a national balance has 40,000 of one
    # scenario, and every municipality page asks twice: its picture and its map).
    codes, values = pd.factorize(balance["scenario"].to_numpy(dtype=object))
    texts = np.array([str(v) for v in values], dtype=object)
    present = sorted(set(texts.tolist()))
    if scenario is None:
        if len(present) > 1:
            raise ValueError(f"De balans bevat meerdere scenario's ({', '.join(present)}); kies er één met scenario=.")
        return balance
    if scenario not in present:
        raise ValueError(f"Scenario {scenario!r} komt niet voor in de balans (wel: {', '.join(present)}).")
    chosen = np.append(texts == scenario, False)[codes]  # code -1: a missing value, no scenario (as pandas' text)
    return balance if chosen.all() else balance.loc[chosen]


def _station_status(balance: pd.DataFrame) -> pd.DataFrame:
    """Per station and year: status per direction and the combined (worst) status."""
    sev = balance["status"].map(STATUS_ORDER).fillna(0).astype(int)
    frame = pd.DataFrame({"station_id": balance["station_id"].astype(str), "year": balance["year"].astype(int),
                          "direction": balance["direction"].astype(str), "sev": sev.to_numpy()})
    # the worst per station, year and direction (a grouped maximum; pivot_table's machinery cost more per map)
    wide = frame.groupby(["station_id", "year", "direction"], sort=True)["sev"].max().unstack("direction")
    inverse = {v: k for k, v in STATUS_ORDER.items()}
    out = pd.DataFrame(index=wide.index)
    for d in ("offtake", "feedin"):
        out[d] = wide[d].map(inverse) if d in wide.columns else "unknown"
    out["combined"] = wide.max(axis=1).map(inverse)
    return out.fillna("unknown").reset_index()


def _station_collection(stations: gpd.GeoDataFrame, balance: pd.DataFrame | None, years: Sequence[int],
                        simplify_m: float) -> JsonText:
    """The stations as the map's script draws them (the stations' updater and ``stationPopupHtml`` in
    ``templates/map_app.js``; read in Python by ``tests/map_page.py``).

    Each station carries its escaped name as ``tooltip``, per year of ``years`` the status of each direction as two
    digits in ``status`` (places in the layer's ``statusKeys``, which are in order of severity: the station takes
    the colour of the worse one, its tooltip names both) and its popup: ``[title, subtitle, rows, foot]`` of its
    balance table (:func:`_station_balance_tables`) or, without one, HTML. The layer's members hold once what
    every station shares: the colours, words and headroom-cell openings of the statuses, the table's head and the
    one style. A national map of 5,000 stations was half station popups and tooltips written out in full.
    """
    status = _station_status(balance) if balance is not None and len(balance) else None
    tables = _station_balance_tables(balance) if status is not None and balance is not None else {}
    rows = _rows(stations)
    sids = [str(row["station_id"]) for row in rows]
    names = object_array([_val(row, "name") or sid for row, sid in zip(rows, sids, strict=True)])
    keys = sorted(STATUS_ORDER, key=STATUS_ORDER.__getitem__)  # a status's place is its severity (0 … 3)
    codes = np.zeros((len(sids), 2 * len(years)), dtype=np.uint8)
    if status is not None:
        for j, column in enumerate(("offtake", "feedin")):  # station (in the stations' order) × year → status
            table = status.pivot(index="station_id", columns="year", values=column)
            table = table.reindex(index=sids, columns=list(years)).fillna("unknown")
            codes[:, j::2] = pd.Index(keys).get_indexer(table.to_numpy(dtype=object).ravel()).reshape(table.shape)
    # the digits of each station as one text (a row of bytes '0'…'3' read as one string)
    digits = np.ascontiguousarray(codes + ord("0")).view(f"S{max(1, codes.shape[1])}").ravel()
    status_texts = json_strings([d.decode("ascii") for d in digits.tolist()] if codes.shape[1] else [""] * len(sids))
    name_html = escaped(names)
    popup_texts = []
    for row, sid, name, title in zip(rows, sids, names.tolist(), name_html.tolist(), strict=True):
        sub = " · ".join(str(v) for v in (sid, _val(row, "level"),
                                            _val(row, "voltage_kv") and f"{_val(row, 'voltage_kv')} kV",
                                            _val(row, "operator"), value_label("carrier", _val(row, "carrier"))) if v)
        if sid in tables:
            table_rows, foot = tables[sid]
            popup_texts.append(f"[{json_text(title)},{json_text(esc(sub))},{table_rows},{json_text(foot)}]")
            continue
        body = "<p>Geen capaciteitsgegevens voor dit station.</p>" if status is not None else "<p>Geen balans berekend.</p>"
        popup_texts.append(json_text(_popup(name, sub, body)))
    style = {"radius": 8, "color": "#222222", "weight": 1.5, "fillColor": STATUS_COLOURS["unknown"],
             "fillOpacity": 0.95, "opacity": 1.0}
    properties = [
        ("id", json_strings(sids)),
        ("style", object_array(["0"] * len(sids))),
        ("tooltip", json_strings(name_html)),
        ("status", status_texts),
        ("popup", object_array(popup_texts)),
    ]
    members = {"styles": [style], "years": [int(y) for y in years], "statusKeys": keys,
               "statusColours": [STATUS_COLOURS[k] for k in keys],
               "statusWords": [esc(value_label("balance_status", k).lower()) for k in keys],
               "statusCells": [_balance_status_cell(k) for k in keys], "balanceHead": _BALANCE_HEAD}
    keep = ~(stations.geometry.isna() | stations.geometry.is_empty).to_numpy()
    return feature_collection_text(geometry_texts(stations.loc[keep], simplify_m),
                                   [(key, texts[keep]) for key, texts in properties], members)


_BALANCE_HEAD = ("<thead><tr><th rowspan=2>Jaar</th><th colspan=3>Afname (MW)</th><th colspan=3>Invoeding (MW)</th></tr>"
                 "<tr><th class=num>capaciteit</th><th class=num>last</th><th class=num>ruimte</th>"
                 "<th class=num>capaciteit</th><th class=num>last</th><th class=num>ruimte</th></tr></thead>")


def _station_balance_tables(balance: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """The balance table of every station's popup, from one grouping of the whole balance: station id → (the JSON
    text of its rows, its foot as HTML).

    A row is ``[year, capacity, load, status, headroom, capacity, load, status, headroom]``: offtake, then feed-in,
    the numbers as the table writes them (the first value given per year and direction; ``–`` for a direction
    without one) and the status a place in ``STATUS_ORDER``. A year whose numbers are missing in both directions
    has no row. The foot names the first year of shortage per direction and the scenario.
    """
    values = ["capacity_mw", "load_mw", "headroom_mw"]
    frame = pd.DataFrame({"station_id": balance["station_id"].astype(str).to_numpy(),
                          "year": balance["year"].to_numpy(), "direction": balance["direction"].to_numpy(),
                          **{c: pd.to_numeric(balance[c], errors="coerce").to_numpy() if c in balance.columns
                             else np.nan for c in values},
                          "status": balance["status"].to_numpy() if "status" in balance.columns else None})
    keys = ["station_id", "year", "direction"]
    first = frame.groupby(keys, sort=True)[[*values, "status"]].first()
    # a year whose capacity, load and headroom are missing in both directions gets no row (as pivot_table drops it)
    shown = first[values].notna().any(axis=1).groupby(level=["station_id", "year"], sort=True).any()
    shown_index = shown.index[shown.to_numpy()]
    # the four cells of each station × year × direction, each distinct number and status written once
    cap, load, head = (json_values(format_numbers(first[c])) for c in values)
    code = per_value(first["status"], lambda s: str(STATUS_ORDER[s if isinstance(s, str) and s in STATUS_ORDER
                                                                   else "unknown"]))
    cells = pd.Series(cap + "," + load + "," + code + "," + head, index=first.index)
    none = json_text(format_number(None))
    empty = f"{none},{none},{STATUS_ORDER['unknown']},{none}"
    by_direction = cells.unstack("direction")
    tds = [by_direction[d].reindex(shown_index).fillna(empty).to_numpy(dtype=object) if d in by_direction.columns
           else object_array([empty] * len(shown_index)) for d in ("offtake", "feedin")]
    row_heads = per_value(shown_index.get_level_values("year"), lambda y: f"[{int(y)},")
    table_rows = (row_heads + tds[0] + "," + tds[1] + "]").tolist()
    station_of = shown_index.get_level_values("station_id")
    starts = np.flatnonzero(np.r_[True, station_of[1:] != station_of[:-1]]) if len(station_of) else np.zeros(0, int)
    ends = np.r_[starts[1:], len(station_of)]
    rows_of = {station_of[a]: "[" + ",".join(table_rows[a:b]) + "]"
               for a, b in zip(starts.tolist(), ends.tolist(), strict=True)}
    first_short: dict[tuple[str, str], Any] = {}
    if "first_shortage_year" in balance.columns:
        fs = pd.DataFrame({"station_id": frame["station_id"], "direction": frame["direction"],
                           "v": balance["first_shortage_year"].to_numpy()}).dropna(subset=["v"])
        first_short = fs.groupby(["station_id", "direction"], sort=False)["v"].first().to_dict()
    scen_of: dict[str, str] = {}
    if "scenario" in balance.columns:
        sc = pd.DataFrame({"station_id": frame["station_id"], "s": balance["scenario"].to_numpy()}).dropna(subset=["s"])
        sc["s"] = sc["s"].astype(str)
        g = sc.groupby("station_id", sort=False)["s"]
        one = g.nunique() == 1
        scen_of = g.first()[one].to_dict()
    out: dict[str, tuple[str, str]] = {}
    for sid, table_rows_text in rows_of.items():
        foot = ""
        if "first_shortage_year" in balance.columns:
            first_txt = [f"{label} {fmt_year(first_short[(sid, d)]) if (sid, d) in first_short else '–'}"
                         for d, label in (("offtake", "afname"), ("feedin", "invoeding"))]
            foot = (f'<div class="ep-sub">Eerste tekort: {esc(", ".join(first_txt))}'
                    + (f" · scenario {esc(scen_of[sid])}" if sid in scen_of else "") + "</div>")
        out[sid] = (table_rows_text, foot)
    return out


def _balance_status_cell(status: str) -> str:
    """Between a direction's load and its headroom: the headroom cell's opening with the status as title and dot."""
    return (f'</td><td class="num" title="{esc(value_label("balance_status", status))}">'
            f"{_dot(STATUS_COLOURS[status])}")


# ------------------------------------------------------------------------------------------- other layers


def _check_limit(limit: Any) -> None:
    if isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 0:
        raise ValueError(f"Het aantal ontwikkelingen op de kaart moet een geheel getal van 0 of meer zijn, niet {limit!r}.")


def largest_developments(dev: gpd.GeoDataFrame, limit: int) -> gpd.GeoDataFrame:
    """The ``limit`` developments with the largest power (the larger of offtake and feed-in, missing as 0), in
    their own order; among equals the first in the layer.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> dev = gpd.GeoDataFrame({"development_id": ["a", "b", "c", "d"], "offtake_mw": [1.0, None, 5.0, 2.0],
    ...                         "feedin_mw": [0.0, 7.0, 0.0, 0.0]}, geometry=[shapely.Point(0, 0)] * 4)
    >>> largest_developments(dev, 2)["development_id"].tolist()
    ['b', 'c']
    """
    _check_limit(limit)
    if len(dev) <= limit:
        return dev
    mw = np.zeros(len(dev))
    for column in ("offtake_mw", "feedin_mw"):
        if column in dev.columns:
            mw = np.fmax(mw, pd.to_numeric(dev[column], errors="coerce").to_numpy(dtype=float))
    order = np.argsort(-mw, kind="stable")  # largest first, the layer's order among equals
    return dev.iloc[np.sort(order[:limit])]


def _development_collections(dev: gpd.GeoDataFrame, sectors: Sequence[str], simplify_m: float
                             ) -> list[JsonText]:
    """One collection per sector in ``sectors`` (the developments whose ``sector`` is that one), from one pass
    over all developments: popups and tooltips built a column at a time (:mod:`~.maps._popups`), each distinct
    sector, year, number … formatted once."""
    col = functools.partial(column_values, dev)
    numbers = functools.partial(_numbers, dev)
    sector = per_value(dev["sector"] if "sector" in dev.columns else col("sector"), lambda v: v or "other")
    certainty = per_value(dev["certainty"] if "certainty" in dev.columns else col("certainty"),
                          lambda v: v or "planned")
    year, dev_id = col("year"), col("development_id")
    names = [a or b or "" for a, b in zip(col("name").tolist(), dev_id.tolist(), strict=True)]
    sector_label, year_text = per_value(sector, lambda v: value_label("sector", v)), per_value(year, fmt_year)
    non_firm = per_value(col("non_firm_share"), lambda v: None if v is None else format_number(100 * v, 0, "%"))
    pool_id = col("pool_id")
    pool_mw = numbers("pool_connection_mw", unit="MW")
    pool = object_array([None if p is None else f"{p} (aansluiting {mw})"
                         for p, mw in zip(pool_id.tolist(), pool_mw.tolist(), strict=True)])
    popup_rows, popup_texts = popup_table(names, per_value(dev_id, lambda v: str(v or "")), [
        ("Sector", sector_label),
        ("Programma", col("programme")),
        ("Energiedrager", per_value(col("carrier"), lambda v: value_label("carrier", v))),
        ("Afname", numbers("offtake_mw", unit="MW")),
        ("Invoeding", numbers("feedin_mw", unit="MW")),
        ("Jaar", year_text),
        ("Zekerheid", per_value(certainty, lambda v: value_label("certainty", v))),
        ("Gemeente", col("municipality_code")),
        ("Station", col("station_id")),
        # flex options (energieplanologie.flex): shown only when the development has them
        ("Niet-vast contract", non_firm),
        ("Kabelpool", pool),
    ])
    # one style per sector × certainty × point (points get a stronger fill so small markers stay visible)
    points = (dev.geometry.geom_type == "Point").to_numpy()

    @functools.cache
    def style(sector: str, certainty: str, is_point: bool) -> dict[str, Any]:
        dash, fill_opacity, _ = CERTAINTY_STYLE.get(certainty, CERTAINTY_STYLE["planned"])
        colour = SECTOR_COLOURS.get(sector, SECTOR_COLOURS["other"])
        return {"radius": 6, "color": colour, "weight": 2, "opacity": 0.9, "fillColor": colour,
                "fillOpacity": max(fill_opacity, 0.6) if is_point else fill_opacity, "dashArray": dash}

    sector_codes, sector_keys = pd.factorize(sector)
    certainty_codes, certainty_keys = pd.factorize(certainty)
    style_keys, style_codes = np.unique((sector_codes * len(certainty_keys) + certainty_codes) * 2 + points,
                                        return_inverse=True)
    styles = [style(sector_keys[k // 2 // len(certainty_keys)], certainty_keys[k // 2 % len(certainty_keys)],
                    bool(k % 2)) for k in style_keys.tolist()]
    keep = ~(dev.geometry.isna() | dev.geometry.is_empty).to_numpy()
    geometries = geometry_texts(dev.loc[keep], simplify_m)
    properties = [
        ("id", json_strings(per_value(dev_id, str)[keep])),
        ("sector", json_values(per_value(sector, lambda s: s if s in SECTOR_COLOURS else "other")[keep])),
        ("year", json_values(per_value(year, _int_or_none)[keep])),
        ("style", json_values(style_codes[keep])),
        ("popup", popup_texts[keep]),
    ]
    # shared by the features: their styles (each feature's "style" is a place in the list), the popup's row
    # labels, and the tooltip "<name> (<sector>, <year>)": the popup's title and its Sector and Jaar cells
    members = {"styles": styles, "popupRows": popup_rows,
               "tooltipCells": [popup_rows.index("Sector"), popup_rows.index("Jaar")]}
    raw_sector = dev["sector"].to_numpy()[keep]  # as region_map selects them: the column's own value
    return [feature_collection_text(geometries[rows], [(key, texts[rows]) for key, texts in properties], members)
            for rows in (np.flatnonzero(raw_sector == sector) for sector in sectors)]


def _infrastructure_collection(infra: gpd.GeoDataFrame, simplify_m: float) -> dict[str, Any]:
    props = []
    points = (infra.geometry.geom_type.isin(["Point", "MultiPoint"])).to_numpy()
    for row, is_point in zip(_rows(infra), points, strict=True):
        carrier = _val(row, "carrier") or "electricity"
        itype = _val(row, "infra_type") or "other"
        colour = CARRIER_COLOURS.get(carrier, "#555555")
        name = _val(row, "name") or _val(row, "project_id") or ""
        cost = _val(row, "cost_meur")
        body = kv_table([
            ("Type", value_label("infra_type", itype)),
            ("Energiedrager", value_label("carrier", carrier)),
            ("Netbeheerder", _val(row, "operator")),
            ("Status", value_label("status", _val(row, "status"))),
            ("Gereed", fmt_year(_val(row, "year_ready"))),
            ("Station", _val(row, "station_id")),
            ("Extra capaciteit afname", format_number(_val(row, "offtake_capacity_added_mw"), unit="MW")),
            ("Extra capaciteit invoeding", format_number(_val(row, "feedin_capacity_added_mw"), unit="MW")),
            ("Kosten", None if cost is None else format_number(cost, unit="M€")),
            ("Financiering", value_label("funding", _val(row, "funding")) if _val(row, "funding") else None),
            ("Partijen", _val(row, "parties")),
            ("Omschrijving", _val(row, "description")),
        ])
        style = {"color": colour, "weight": INFRA_WEIGHT.get(itype, 3.0), "opacity": 0.95, "fillColor": colour,
                 "fillOpacity": 0.25, "radius": 7}
        if is_point:
            style.update({"fillColor": "#ffffff", "fillOpacity": 1.0, "weight": 3.5})
        props.append({
            "id": str(_val(row, "project_id")),
            "existing": _val(row, "status") == "existing",
            "ready": _int_or_none(_val(row, "year_ready")),
            "style": style,
            "planned_style": {"dashArray": "8 6", "opacity": 0.7, "fillOpacity": 0.1 if not is_point else 0.8},
            "tooltip": esc(f"{name} ({value_label('infra_type', itype)}, gereed {fmt_year(_val(row, 'year_ready'))})"),
            "popup": _popup(name, str(_val(row, "project_id") or ""), body),
        })
    return _collection(infra, props, simplify_m)


def _flex_collection(flex: gpd.GeoDataFrame, simplify_m: float) -> dict[str, Any]:
    """Flex assets (storage, conversion) as their own symbols: a square (storage) or diamond (conversion) with a
    letter, in the carrier's colour; the popup says what the balance counts (:mod:`energieplanologie.flex`)."""
    props = []
    for row in _rows(flex):
        carrier = _val(row, "carrier") or "electricity"
        itype = _val(row, "infra_type") or "battery"
        shape, letter = FLEX_SYMBOLS.get(itype, ("square", "F"))
        name = _val(row, "name") or _val(row, "project_id") or ""
        power, energy = _val(row, "power_mw"), _val(row, "energy_mwh")
        hours = energy / power if power and energy is not None and power > 0 else None
        firm = _val(row, "firm")
        body = kv_table([
            ("Type", value_label("infra_type", itype)),
            ("Status", value_label("status", _val(row, "status"))),
            ("Gereed", fmt_year(_val(row, "year_ready"))),
            ("Station", _val(row, "station_id")),
            ("Vermogen (flex)", format_number(power, unit="MW") if power is not None else "– (telt niet als flex)"),
            ("Energie", format_number(energy, unit="MWh") if energy is not None else None),
            ("Uren op vol vermogen", format_number(hours, 1) if hours is not None else None),
            ("Contract", value_label("firm", firm) if firm else None),
            ("Rendement", format_number(_val(row, "efficiency"), 2) if _val(row, "efficiency") is not None else None),
            ("Extra capaciteit afname", format_number(_val(row, "offtake_capacity_added_mw"), unit="MW")),
            ("Extra capaciteit invoeding", format_number(_val(row, "feedin_capacity_added_mw"), unit="MW")),
            ("Kosten", format_number(_val(row, "cost_meur"), unit="M€") if _val(row, "cost_meur") is not None
             else None),
            ("Partijen", _val(row, "parties")),
            ("Omschrijving", _val(row, "description")),
        ])
        props.append({
            "id": str(_val(row, "project_id")),
            "existing": _val(row, "status") == "existing",
            "ready": _int_or_none(_val(row, "year_ready")),
            "symbol": {"shape": shape, "letter": letter, "colour": CARRIER_COLOURS.get(carrier, "#555555")},
            "tooltip": esc(f"{name} ({value_label('infra_type', itype)}, gereed {fmt_year(_val(row, 'year_ready'))})"),
            "popup": _popup(name, str(_val(row, "project_id") or ""), body),
        })
    return _collection(flex, props, simplify_m)


def _flex_need_collection(need: pd.DataFrame, stations: gpd.GeoDataFrame) -> dict[str, Any]:
    """The shortage windows (:func:`energieplanologie.flex.flex_need`) as rings around their stations, sized by
    the flex that bridges them; shown in the years of the window."""
    geom = stations.set_index(stations["station_id"].astype(str)).geometry
    frame = gpd.GeoDataFrame(need.reset_index(drop=True),
                             geometry=geom.reindex(need["station_id"].astype(str)).to_numpy(), crs=stations.crs)
    props = []
    for row in _rows(frame):
        mw = float(_val(row, "max_shortage_mw") or 0.0)
        direction = value_label("direction", _val(row, "direction"))
        window = f"{_val(row, 'from_year')}–{_val(row, 'to_year')}"
        resolved = _val(row, "resolved_by") or "nog geen project"
        body = kv_table([
            ("Richting", direction),
            ("Tekort in", window),
            ("Flex nodig", format_number(mw, unit="MW")),
            ("Opgelost door", resolved.replace(";", ", ")),
            ("Soort", value_label("resolved_kind", _val(row, "resolved_kind")) if _val(row, "resolved_kind") else None),
        ])
        name = f"{_val(row, 'station_name') or _val(row, 'station_id')}"
        props.append({
            "id": f"{_val(row, 'station_id')}|{_val(row, 'direction')}",
            "from": _int_or_none(_val(row, "from_year")),
            "to": _int_or_none(_val(row, "to_year")),
            "style": {"radius": float(10 + 3 * np.sqrt(max(mw, 0.0))), "color": "#6a1b9a", "weight": 3,
                      "opacity": 0.9, "fill": False, "dashArray": "5 4"},
            "tooltip": esc(f"{name}: {direction.lower()} {window}, {format_number(mw, unit='MW')} flex nodig"),
            "popup": _popup(f"Flexbehoefte {name}", str(_val(row, "station_id") or ""), body),
        })
    return _collection(frame, props, 0.0)


def _hotspot_collection(hotspots: gpd.GeoDataFrame, simplify_m: float) -> dict[str, Any]:
    props = []
    for row in _rows(hotspots):
        level = _val(row, "level") or "local"
        colour = HOTSPOT_COLOURS.get(level, HOTSPOT_COLOURS["local"])
        name = _val(row, "name") or _val(row, "hotspot_id") or ""
        body = kv_table([
            ("Niveau", value_label("level", level)),
            ("Waarom", _val(row, "level_reason")),
            ("Jaar", fmt_year(_val(row, "year"))),
            ("Leden", _val(row, "n_members")),
            ("Sectoren", _joined_labels(_val(row, "sectors"), "sector")),
            ("Energiedragers", _joined_labels(_val(row, "carriers"), "carrier")),
            ("Afname", format_number(_val(row, "offtake_mw"), unit="MW")),
            ("Invoeding", format_number(_val(row, "feedin_mw"), unit="MW")),
            ("Totaal", format_number(_val(row, "total_mw"), unit="MW")),
            ("Stations", (_val(row, "station_ids") or "").replace(";", ", ")),
            ("Grootste tekort", format_number(_val(row, "max_shortage_mw"), unit="MW")
             if _val(row, "max_shortage_mw") is not None else None),
            ("Gemeenten", (_val(row, "municipality_codes") or "").replace(";", ", ")),
        ])
        props.append({
            "id": str(_val(row, "hotspot_id")),
            "level": level if level in HOTSPOT_COLOURS else "local",
            "year": _int_or_none(_val(row, "year")),
            "style": {"color": colour, "weight": 2.5, "opacity": 0.95, "fillColor": colour, "fillOpacity": 0.22},
            "tooltip": esc(f"{name} ({value_label('level', level)})"),
            "popup": _popup(name, str(_val(row, "hotspot_id") or ""), body),
        })
    return _collection(hotspots, props, simplify_m)


def _hexagon_collection(hexagons: gpd.GeoDataFrame, simplify_m: float) -> JsonText:
    import matplotlib

    hexes = hexagons
    if "mw" in hexes.columns and "hot" in hexes.columns:  # empty cells only add weight to the page
        hexes = hexes.loc[(hexes["mw"].fillna(0) > 0) | hexes["hot"].fillna(False).astype(bool)]
    z = hexes["gi_z"].astype(float).to_numpy() if "gi_z" in hexes.columns else np.zeros(len(hexes))
    zmax = float(np.nanmax(np.abs(z))) if len(z) and np.isfinite(z).any() else 1.0
    cmap = matplotlib.colormaps["RdBu_r"]
    # a colour per hexagon from one call of the colour map, written as matplotlib.colors.to_hex writes it
    rgb = np.round(cmap(0.5 + 0.5 * np.where(np.isfinite(z), z, 0) / (zmax or 1.0))[:, :3] * 255).astype(np.int64)
    colours = per_value(rgb[:, 0] * 65536 + rgb[:, 1] * 256 + rgb[:, 2], lambda c: f"#{c:06x}")
    col = functools.partial(column_values, hexes)
    numbers = functools.partial(_numbers, hexes)
    hot = per_value(col("hot"), bool)
    hex_id = col("hex_id")
    popup_rows, popup_texts = popup_table(per_value(hex_id, lambda v: f"Hexagon {v}"), [""] * len(hexes), [
        ("MW", numbers("mw")),
        ("Gi* z-score", numbers("gi_z", 2)),
        ("p", numbers("gi_p", 3)),
        ("p (FDR)", numbers("gi_p_fdr", 3)),
        ("Significant heet", per_value(hot, lambda h: "ja" if h else "nee")),
    ])

    def style(key: str) -> dict[str, Any]:  # "<colour>|<hot: 1 or 0>"
        c, h = key[:-2], key[-1] == "1"
        return {"color": "#7f0000" if h else "#777777", "weight": 1.2 if h else 0.4, "opacity": 0.8,
                "fillColor": c, "fillOpacity": 0.55 if h else 0.25}

    keep = ~(hexes.geometry.isna() | hexes.geometry.is_empty).to_numpy()
    style_keys, style_codes = np.unique((colours + np.where(hot.astype(bool), "|1", "|0").astype(object))[keep]
                                        .astype(str), return_inverse=True)
    return feature_collection_text(geometry_texts(hexes.loc[keep], simplify_m), [
        ("id", json_strings(per_value(hex_id, str)[keep])),
        ("hot", json_values(hot[keep])),
        ("style", json_values(style_codes)),
        ("popup", popup_texts[keep]),
    ], {"styles": [style(k) for k in style_keys.tolist()], "popupRows": popup_rows})


def _municipality_collection(mun: gpd.GeoDataFrame, simplify_m: float, focus: str | None,
                             links: str | None, linked: Collection[str] | None = None) -> dict[str, Any]:
    props = []
    for row in _rows(mun):
        code = str(_val(row, "municipality_code") or "")
        name = _val(row, "name") or code
        is_focus = focus is not None and code == focus
        greyed = focus is not None and not is_focus
        rows: list[tuple[str, Any]] = [("Gemeentecode", code), ("Provincie", _val(row, "province"))]
        raw = []
        if links and (linked is None or code in linked):
            href = esc(links.format(code=safe_file_stem(code)))
            rows.append(("Overzicht", f'<a href="{href}" target="_top">overzicht van {esc(name)}</a>'))
            raw.append("Overzicht")
        elif links:  # no page in this output: say how to make one
            rows.append(("Overzicht", f"op verzoek: energieplanologie run … --gemeenten {code}"))
        props.append({
            "id": code,
            "style": {"color": MUNICIPALITY_COLOUR, "weight": 3.5 if is_focus else 1.8, "opacity": 0.9,
                      "fill": True, "fillColor": "#9e9e9e", "fillOpacity": 0.35 if greyed else 0.0,
                      "dashArray": None if is_focus or focus is None else "4 4"},
            "tooltip": esc(name),
            "popup": _popup(name, "Gemeente", kv_table(rows, raw=raw)),
        })
    return _collection(mun, props, simplify_m)


# --------------------------------------------------------------------------------------------- density


def density_overlay(density: Any, *, cmap: str = "YlOrRd", max_pixels: int = 4_000_000
                    ) -> tuple[np.ndarray, list[list[float]], float]:
    """Colour a density raster (EPSG:28992) for a Leaflet image overlay.

    The raster is reprojected to Web Mercator (EPSG:3857, what Leaflet displays, so the image is not
    distorted) with :func:`rasterio.warp.reproject`; its bounds are returned in WGS84 latitude/longitude.

    Parameters
    ----------
    density : (array, affine.Affine) or path
        ``density.kde``'s result, or a GeoTIFF written by ``raster_output.write_density``.

    Returns
    -------
    rgba : uint8 array (rows, cols, 4)
        Transparent where the density is zero or nodata.
    bounds : [[south, west], [north, east]]
    vmax : float
        The value of the darkest colour (MW/km²).
    """
    import matplotlib
    import rasterio
    from affine import Affine
    from rasterio.warp import Resampling, reproject, transform_bounds

    if isinstance(density, (str, Path)):
        with rasterio.open(density) as src:
            array = src.read(1, masked=True).filled(np.nan).astype("float64")
            transform = src.transform
            src_crs = src.crs or CRS_RD
    else:
        array, transform = density
        array = np.asarray(array, dtype="float64")
        src_crs = CRS_RD
    h, w = array.shape
    left, bottom, right, top = rasterio.transform.array_bounds(h, w, transform)
    # Destination grid in Web Mercator: the source cell size times the Mercator scale factor 1/cos(latitude).
    west, south, east, north = transform_bounds(src_crs, "EPSG:3857", left, bottom, right, top, densify_pts=21)
    lat = 0.5 * sum(transform_bounds(src_crs, "EPSG:4326", left, bottom, right, top)[1::2])
    res = abs(transform.a) / np.cos(np.radians(lat))
    res *= max(1.0, float(np.sqrt(((east - west) / res) * ((north - south) / res) / max_pixels)))
    dw, dh = max(1, int(np.ceil((east - west) / res))), max(1, int(np.ceil((north - south) / res)))
    dst_transform = Affine(res, 0.0, west, 0.0, -res, north)
    out = np.full((dh, dw), np.nan, dtype="float64")
    reproject(array, out, src_transform=transform, src_crs=src_crs, dst_transform=dst_transform,
              dst_crs="EPSG:3857", resampling=Resampling.bilinear, src_nodata=np.nan, dst_nodata=np.nan)
    positive = np.isfinite(out) & (out > 0)
    vmax = float(np.nanpercentile(out[positive], 99)) if positive.any() else 1.0
    vmax = vmax if vmax > 0 else 1.0
    norm = np.clip(np.where(positive, out, 0) / vmax, 0, 1)
    shown = positive & (norm >= 0.02)  # the long thin tail of the kernel would tint the whole extent
    rgba = (matplotlib.colormaps[cmap](norm) * 255).astype(np.uint8)
    rgba[..., 3] = np.where(shown, (60 + 170 * norm).astype(np.uint8), 0)
    w_, s_, e_, n_ = transform_bounds("EPSG:3857", "EPSG:4326", *rasterio.transform.array_bounds(dh, dw, dst_transform))
    return rgba, [[round(s_, 6), round(w_, 6)], [round(n_, 6), round(e_, 6)]], vmax


# ---------------------------------------------------------------------------------------------- legend


def _legend_html(*, sectors: Sequence[str], carriers: Sequence[str], has_balance: bool, has_hotspots: bool,
                 has_hexagons: bool, density_max: float | None, flex_types: Sequence[str] = (),
                 has_flex_need: bool = False) -> str:
    def sw(colour: str, round_: bool = False) -> str:
        return f'<span class="ep-sw{" ep-round" if round_ else ""}" style="background:{esc(colour)}"></span>'

    def line(colour: str, style: str = "solid") -> str:
        return f'<span class="ep-line" style="border-top-color:{esc(colour)};border-top-style:{style}"></span>'

    def item(mark: str, text: str) -> str:
        return f'<div class="ep-item">{mark}{esc(text)}</div>'

    parts = ['<details open><summary>Legenda</summary>']
    parts.append("<h5>Stations (balans in gekozen jaar)</h5>")
    labels = VALUE_LABELS["balance_status"]
    for s in ("green", "amber", "red", "unknown"):
        text = labels[s] + (" (geen capaciteitsgegevens)" if s == "unknown" else "")
        parts.append(item(sw(STATUS_COLOURS[s], True), text))
    if not has_balance:
        parts.append(item("", "(geen balans berekend)"))
    if sectors:
        parts.append("<h5>Ontwikkelingen per sector</h5>")
        parts.extend(item(sw(SECTOR_COLOURS[s]), value_label("sector", s)) for s in sectors)
        parts.append("<h5>Zekerheid</h5>")
        for c, (dash, _, _) in CERTAINTY_STYLE.items():
            parts.append(item(line("#444", "solid" if dash is None else ("dashed" if dash.startswith("6") else "dotted")),
                              value_label("certainty", c)))
    if carriers:
        parts.append("<h5>Infrastructuur per energiedrager</h5>")
        parts.extend(item(line(CARRIER_COLOURS[c]), value_label("carrier", c)) for c in carriers)
        parts.append(item(line("#444"), "gereed in gekozen jaar"))
        parts.append(item(line("#444", "dashed"), "gepland, nog niet gereed"))
    if has_flex_need:
        parts.append("<h5>Flexbehoefte</h5>")
        parts.append(item('<span class="ep-sw ep-round" style="background:transparent;border:2px dashed #6a1b9a">'
                          '</span>', "tekort in dit jaar; groter = meer flex nodig"))
    if flex_types:
        parts.append("<h5>Flexmiddelen (opslag en conversie)</h5>")
        for t in flex_types:
            shape, letter = FLEX_SYMBOLS[t]
            parts.append(item(f'<span class="ep-flex-sw ep-flex-{shape}"><b>{esc(letter)}</b></span>',
                              value_label("infra_type", t)))
    if has_hotspots:
        parts.append("<h5>Knooppunten</h5>")
        parts.extend(item(sw(HOTSPOT_COLOURS[lv]), value_label("level", lv)) for lv in HOTSPOT_COLOURS)
    if has_hexagons:
        parts.append("<h5>Gi*-hexagonen</h5>")
        parts.append(item(sw("#b2182b"), "significant heet (na FDR)"))
        parts.append(item(sw("#d9d9d9"), "niet significant"))
    if density_max is not None:
        parts.append("<h5>Dichtheid</h5>")
        ramp = ('<span class="ep-ramp" style="background:linear-gradient(to right,#ffffcc,#fd8d3c,#800026)"></span>')
        parts.append(f'<div class="ep-item">0{ramp}{esc(format_number(density_max, 0))} MW/km²</div>')
    parts.append("</details>")
    return "".join(parts)


# ------------------------------------------------------------------------------------------------- map


def _within(frame: gpd.GeoDataFrame, area: Any) -> gpd.GeoDataFrame:
    """The rows of ``frame`` whose geometry intersects ``area``, in their order.

    Found through the layer's spatial index, built once and kept with the layer (the municipality pages query the
    same layers for every map), not a test of each of a national region's 10^5 developments on every map.
    """
    if frame is None or frame.empty:
        return frame
    return frame.iloc[np.sort(frame.sindex.query(area, predicate="intersects"))]


def region_map(
    region: Any,
    *,
    balance: pd.DataFrame | None = None,
    hotspots: gpd.GeoDataFrame | None = None,
    hexagons: gpd.GeoDataFrame | None = None,
    density: Any = None,
    year: int | None = None,
    scenario: str | None = None,
    title: str | None = None,
    focus: str | None = None,
    focus_buffer_m: float = 5000.0,
    notes: bool = True,
    notes_key: str | None = None,
    municipality_links: str | None = None,
    linked_municipalities: Collection[str] | None = None,
    simplify_m: float = 5.0,
    height: str = "100%",
    flex_need: pd.DataFrame | None = None,
    max_developments: int | None = DEVELOPMENT_LIMIT,
) -> folium.Map:
    """The interactive map of a region for a design session.

    Parameters
    ----------
    region : Region
        The study area (:class:`~energieplanologie.region.Region`).
    balance : DataFrame, optional
        ``balance.station_balance`` rows (station × year × direction): stations are coloured by their status in
        the chosen year (the worse of offtake and feed-in) and their popup tables capacity vs load per year.
    hotspots : GeoDataFrame, optional
        ``HotspotResult.hotspots``; when they span several years the map shows the hotspots of the chosen year
        (the latest year ≤ the chosen one).
    hexagons : GeoDataFrame, optional
        ``HotspotResult.hexagons`` (Gi*), hidden by default.
    density : (array, transform) or path, optional
        ``density.kde`` result or its GeoTIFF, as an image overlay (hidden by default).
    year : int, optional
        The year shown first (default: the region's last year). Must be one of ``region.years``.
    scenario : str, optional
        The balance scenario to show when the balance holds several.
    title : str, optional
        Title on the map (default ``"Energiekaart <region name>"``).
    focus : str, optional
        A municipality code: the map zooms to it, greys its neighbours and keeps only features within
        ``focus_buffer_m`` of it (for the municipality pages).
    notes : bool, default True
        Add the *notes from the room* tools (point or polygon with a note, kept in the browser, GeoJSON export).
    notes_key : str, optional
        Browser storage key of the notes (default derived from the title): maps with the same key share notes.
    municipality_links : str, optional
        Link pattern from a municipality popup to its overview page, e.g. ``"gemeenten/{code}.html"``.
    linked_municipalities : collection of str, optional
        With ``municipality_links``: the codes that have a page (default all); the popups of the others say how to
        make one (``--gemeenten``).
    simplify_m : float, default 5
        Geometry simplification tolerance in metres (keeps the page small; 0 disables).
    height : str, default "100%"
        CSS height of the map.
    flex_need : DataFrame, optional
        :func:`energieplanologie.flex.flex_need` of this region's balance (all stations, any scenarios), when the
        caller has it already: the map shows its rows of the balance's scenario and of the stations shown, the
        same rows it would compute. Pass it when drawing many maps of one balance (the municipality pages);
        default: computed here from ``balance``.
    max_developments : int or None, default :data:`DEVELOPMENT_LIMIT`
        Draw at most this many developments, the largest (:func:`largest_developments`); the title says how many
        of how many are shown and a warning is logged (logger ``energieplanologie``). ``None``: all.

    A map of :data:`CANVAS_FROM` features or more draws them on a canvas instead of as SVG elements (faster to
    open and to pan; popups, tooltips and the year selector work the same).

    Returns
    -------
    folium.Map
        Publish it with :func:`energieplanologie.maps.publish`.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> m = region_map(ep.load_sample(), year=2030)
    >>> type(m).__name__
    'Map'
    >>> publish(m, "kaart.html")  # doctest: +SKIP
    """
    years = sorted({int(y) for y in region.years})
    if balance is not None and "year" in balance.columns and len(balance):
        years = sorted(set(years) | {int(y) for y in balance["year"].dropna().unique()})
    if year is None:
        year = max(int(y) for y in region.years)
    if int(year) not in years:
        raise ValueError(f"Jaar {year} hoort niet bij de analysejaren ({', '.join(map(str, years))}).")
    balance = balance_for_map(balance, scenario)
    title = title or f"Energiekaart {region.name}"

    municipalities = region.municipalities
    stations, infra, dev = region.stations, region.infrastructure, region.developments
    if focus is not None:
        sel = municipalities.loc[municipalities["municipality_code"].astype(str) == str(focus)]
        if sel.empty:
            raise ValueError(f"Gemeente {focus!r} komt niet voor in de regio.")
        area = shapely.buffer(sel.geometry.union_all(), focus_buffer_m)
        stations, infra, dev = _within(stations, area), _within(infra, area), _within(dev, area)
        municipalities = _within(municipalities, area)
        hotspots = _within(hotspots, area) if hotspots is not None else None
        hexagons = _within(hexagons, area) if hexagons is not None else None
        if balance is not None and "station_id" in balance.columns:  # only the stations shown: popups, flex need
            balance = balance.loc[balance["station_id"].astype(str).isin(stations["station_id"].astype(str)).to_numpy()]
        bounds_frame = sel
    else:
        bounds_frame = municipalities if len(municipalities) else dev
    subtitle = None
    if max_developments is not None:
        _check_limit(max_developments)
    if max_developments is not None and len(dev) > max_developments:
        total = len(dev)
        dev = largest_developments(dev, max_developments)
        subtitle = (f"De {format_number(len(dev), 0)} grootste van {format_number(total, 0)} ontwikkelingen "
                    "getoond (naar vermogen); alle staan in de GeoPackage")
        logging.getLogger("energieplanologie").warning(
            "interactieve kaart %s: de %s grootste van %s ontwikkelingen getoond (een grotere kaart opent niet in "
            "een browser); alle ontwikkelingen staan in de GeoPackage", title, format_number(len(dev), 0),
            format_number(total, 0))

    xmin, ymin, xmax, ymax = gpd.GeoSeries([shapely.box(*bounds_frame.total_bounds)], crs=CRS_RD).to_crs(4326).total_bounds
    drawn = sum(len(layer) for layer in (municipalities, stations, infra, dev, hotspots, hexagons) if layer is not None)
    m = folium.Map(location=[(ymin + ymax) / 2, (xmin + xmax) / 2], zoom_start=11, tiles=None, control_scale=False,
                   height=height, prefer_canvas=drawn >= CANVAS_FROM)
    # Only what this map uses (folium's defaults also pull jQuery, Bootstrap, Font Awesome, awesome-markers).
    m.default_js = [(n, u) for n, u in folium.Map.default_js if n == "leaflet"]
    m.default_css = [(n, u) for n, u in folium.Map.default_css if n == "leaflet_css"]
    cast(Figure, m.get_root()).title = html.escape(title)
    folium.TileLayer(_PDOK_BRT_TILES, attr=PDOK_BRT_ATTRIBUTION, name="PDOK BRT achtergrondkaart", max_zoom=19,
                     overlay=False, control=True).add_to(m)
    folium.TileLayer(_OSM_TILES, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=19, overlay=False,
                     control=True, show=False).add_to(m)

    density_max = None
    if density is not None:
        rgba, img_bounds, density_max = density_overlay(density)
        folium.raster_layers.ImageOverlay(rgba, bounds=img_bounds, name=LAYER_NAMES["density"], opacity=0.75,
                                          show=False, mercator_project=False).add_to(m)

    def group(kind: str, collection: dict[str, Any] | JsonText, *, name: str | None = None, show: bool = True) -> None:
        fg = folium.FeatureGroup(name=name or LAYER_NAMES[kind], show=show).add_to(m)
        fg.add_child(_Call("dataLayer", m, fg, collection, {"kind": kind}))

    if hexagons is not None and len(hexagons):
        group("hexagons", _hexagon_collection(hexagons, 0.0), show=False)
    group("municipalities", _municipality_collection(municipalities, simplify_m, focus, municipality_links,
                                                      None if linked_municipalities is None
                                                      else {str(c) for c in linked_municipalities}))
    if hotspots is not None and len(hotspots):
        group("hotspots", _hotspot_collection(hotspots, simplify_m))
    present = set(dev["sector"].dropna().unique().tolist())  # once, not per sector
    sectors = [s for s in SECTOR_COLOURS if s in present]
    for sector, collection in zip(sectors, _development_collections(dev, sectors, simplify_m) if sectors else [],
                                  strict=True):
        group("developments", collection, name=f"{LAYER_NAMES['developments']}: {value_label('sector', sector)}")
    is_flex = (infra["infra_type"].isin(list(FLEX_SYMBOLS)) & infra.geometry.geom_type.eq("Point")).to_numpy() \
        if len(infra) else np.zeros(0, dtype=bool)
    if (~is_flex).any():
        group("infrastructure", _infrastructure_collection(infra.loc[~is_flex], simplify_m))
    if is_flex.any():
        group("flex", _flex_collection(infra.loc[is_flex], simplify_m))
    need_shown = 0
    if balance is not None and {"station_id", "year", "direction", "status", "shortage_mw"} <= set(balance.columns):
        if flex_need is None:
            from energieplanologie.flex import flex_need as compute_flex_need

            need = compute_flex_need(balance, region)
        else:  # the caller's table (all scenarios, all stations): the balance's scenario
            need = flex_need
            if "scenario" in need.columns and "scenario" in balance.columns:
                need = need[need["scenario"].astype(str).isin(set(balance["scenario"].astype(str))).to_numpy()]
        need = need[need["station_id"].astype(str).isin(set(stations["station_id"].astype(str)))]
        if len(need):
            group("flexneed", _flex_need_collection(need, stations))
            need_shown = len(need)
    group("stations", _station_collection(stations, balance, years, 0.0))

    carriers = [c for c in CARRIER_COLOURS if c in set(infra["carrier"].dropna())] if len(infra) else []
    legend = _legend_html(sectors=sectors, carriers=carriers, has_balance=balance is not None,
                          flex_types=[t for t in FLEX_SYMBOLS if is_flex.any() and t in set(infra.loc[is_flex, "infra_type"])],
                          has_flex_need=bool(need_shown),
                          has_hotspots=hotspots is not None and len(hotspots) > 0,
                          has_hexagons=hexagons is not None and len(hexagons) > 0, density_max=density_max)
    m.add_child(_Call("title", m, title) if subtitle is None else _Call("title", m, title, subtitle))
    m.add_child(_Call("scale", m))
    m.add_child(_Call("legend", m, {"html": legend}))
    if notes:
        key = notes_key or f"{title}"
        draw = [("js", *_LEAFLET_DRAW_JS), ("css", *_LEAFLET_DRAW_CSS)]
        m.add_child(_Call("notes", m, {"key": key, "filename": "notities.geojson", "labels": _NOTE_LABELS},
                          links=draw))
    m.add_child(_Call("yearControl", m, {"years": years, "initial": int(year), "label": "Jaar",
                                            "note": "Toestand in {year}", "position": "topright"}))
    plugins.Fullscreen(title="Volledig scherm", title_cancel="Volledig scherm sluiten", position="topleft").add_to(m)
    plugins.MeasureControl(position="topleft", primary_length_unit="meters", secondary_length_unit="kilometers",
                           primary_area_unit="hectares", secondary_area_unit="sqmeters", localization="nl").add_to(m)
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    m.fit_bounds([[float(ymin), float(xmin)], [float(ymax), float(xmax)]])
    return m
