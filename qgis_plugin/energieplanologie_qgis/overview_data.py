"""The tables of one municipality's overview, read from the engine's output folder (standard library only).

``energieplanologie overview`` (and ``demo``/``run``) write ``gemeenten/<GMcode>.html`` per municipality. The dock
shows two of its tables: *MW by sector and year* (offtake and feed-in, per carrier) and *the stations serving the
municipality* with their status and headroom per year. :func:`read_overview` reads them from
``gemeenten/<GMcode>.json`` when the engine wrote one (the machine-readable form, same structure as
:class:`MunicipalityTables`), else from the HTML page's tables — the numbers the page shows, so the dock and the
page always agree. The plugin computes nothing itself.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from typing import Any

__all__ = [
    "MunicipalityTables",
    "SectorRow",
    "StationRow",
    "list_municipalities",
    "parse_number",
    "read_overview",
]

#: Status words of the page (the dots' titles) → the engine's status codes.
STATUS_CODES = {"ruimte": "green", "krap": "amber", "tekort": "red", "onbekend": "unknown"}


@dataclass(frozen=True)
class SectorRow:
    """One row of *MW by sector and year*: a carrier/sector (or the carrier's total) in one direction."""

    direction: str  # "offtake" | "feedin"
    carrier: str  # Dutch label, e.g. "Elektriciteit"
    sector: str  # Dutch label, e.g. "Woningbouw"; "Totaal elektriciteit" for the total row
    values: dict[int, float]
    total: bool = False
    texts: dict[int, str] = field(default_factory=dict)  # the numbers as the engine wrote them ("1.234,5")


@dataclass(frozen=True)
class StationRow:
    """One station in one direction: status and headroom (MW) per year."""

    station: str  # "MS-station Axel (AXL)"
    station_id: str
    level: str
    relation: str
    direction: str  # "offtake" | "feedin"
    status: dict[int, str]  # year → green | amber | red | unknown
    headroom_mw: dict[int, float | None]
    first_shortage_year: int | None
    municipality_mw: float | None
    headroom_texts: dict[int, str] = field(default_factory=dict)  # as the engine wrote them
    municipality_mw_text: str = ""


@dataclass(frozen=True)
class MunicipalityTables:
    """What the dock shows for one municipality."""

    code: str
    name: str
    years: list[int]
    summary: str
    sectors: list[SectorRow] = field(default_factory=list)
    stations: list[StationRow] = field(default_factory=list)
    html: str = ""
    png: str = ""
    summaries: dict[int, str] = field(default_factory=dict)  # per year, as the engine wrote them (newer engines)

    def summary_in(self, year: int | None) -> str:
        """The summary with the MW of ``year`` when the engine wrote one per year, else the reference year's."""
        return self.summaries.get(int(year), self.summary) if year is not None else self.summary

    def to_dict(self) -> dict[str, Any]:
        """As plain JSON data (the format of ``gemeenten/<GMcode>.json``)."""
        return asdict(self)


def parse_number(text: str) -> float | None:
    """A number as the pages write it (``1.234,5``, ``-3,0``, ``−3,0``); ``–`` or empty is None.

    Examples
    --------
    >>> parse_number("1.234,5"), parse_number("−12,0"), parse_number("–"), parse_number("7")
    (1234.5, -12.0, None, 7.0)
    """
    cleaned = text.strip().replace("\u2212", "-").replace("\u2009", "").replace(" ", "")
    if cleaned in ("", "–", "-", "—"):
        return None
    cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


class _Tables(HTMLParser):
    """Collects headings and tables (cells as text, plus the ``title`` of a status dot inside a cell)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, Any]] = []  # ("h1"|"h2"|"h3"|"p.summary", text) or ("table", rows)
        self._heading: str | None = None
        self._text: list[str] = []
        self._rows: list[list[tuple[str, str]]] | None = None
        self._cell: list[str] | None = None
        self._cell_title = ""
        self._summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("h1", "h2", "h3"):
            self._heading, self._text = tag, []
        elif tag == "p" and (a.get("class") or "") == "summary":
            self._summary, self._text = True, []
        elif tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell, self._cell_title = [], ""
        elif tag == "span" and self._cell is not None and "dot" in (a.get("class") or "").split():
            self._cell_title = a.get("title") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.items.append((tag, " ".join("".join(self._text).split())))
            self._heading = None
        elif tag == "p" and self._summary:
            self.items.append(("p.summary", " ".join("".join(self._text).split())))
            self._summary = False
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append((" ".join("".join(self._cell).split()), self._cell_title))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.items.append(("table", [r for r in self._rows if r]))
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._heading is not None or self._summary:
            self._text.append(data)


def _years(header: list[tuple[str, str]]) -> list[tuple[int, int]]:
    """(column index, year) for the header cells that are years."""
    return [(i, int(text)) for i, (text, _t) in enumerate(header) if re.fullmatch(r"\d{4}", text)]


def _parse_html(text: str, code: str) -> MunicipalityTables:
    parser = _Tables()
    parser.feed(text)
    parser.close()
    name, summary, h2, h3 = code, "", "", ""
    sectors: list[SectorRow] = []
    stations: list[StationRow] = []
    years: list[int] = []
    for kind, value in parser.items:
        if kind == "h1":
            name = re.sub(r"^Gemeente\s+", "", value)
            name = re.sub(r"\s*\(\s*" + re.escape(code) + r"\s*\)\s*$", "", name).strip() or code
        elif kind == "p.summary":
            summary = value
        elif kind == "h2":
            h2, h3 = value, ""
        elif kind == "h3":
            h3 = value
        elif kind == "table" and value:
            header, body = value[0], value[1:]
            columns = _years(header)
            years = years or [y for _i, y in columns]
            if h2.startswith("Vermogen per sector"):
                direction = "offtake" if h3.lower().startswith("afname") else "feedin"
                for row in body:
                    cells = [c for c, _t in row]
                    sectors.append(SectorRow(
                        direction=direction, carrier=cells[0], sector=cells[1],
                        values={y: parse_number(cells[i]) or 0.0 for i, y in columns if i < len(cells)},
                        total=cells[1].startswith("Totaal"),
                        texts={y: cells[i] for i, y in columns if i < len(cells)}))
            elif h2.startswith("Stations") and len(header) > 4:
                names = [c for c, _t in header]
                first_col = names.index("Eerste tekort") if "Eerste tekort" in names else None
                mw_col = next((i for i, n in enumerate(names) if n.startswith("MW uit gemeente")), None)
                for row in body:
                    cells = [c for c, _t in row]
                    match = re.search(r"\(([^()]*)\)\s*$", cells[0])
                    first = parse_number(cells[first_col]) if first_col is not None else None
                    stations.append(StationRow(
                        station=cells[0], station_id=match.group(1) if match else cells[0], level=cells[1],
                        relation=cells[2], direction="offtake" if cells[3].lower() == "afname" else "feedin",
                        status={y: STATUS_CODES.get(row[i][1].lower(), "unknown") for i, y in columns},
                        headroom_mw={y: parse_number(row[i][0]) for i, y in columns},
                        first_shortage_year=int(first) if first is not None else None,
                        municipality_mw=parse_number(cells[mw_col]) if mw_col is not None else None,
                        headroom_texts={y: row[i][0] for i, y in columns},
                        municipality_mw_text=cells[mw_col] if mw_col is not None else ""))
    return MunicipalityTables(code=code, name=name, years=years, summary=summary, sectors=sectors,
                              stations=stations)


def _from_json(data: dict[str, Any]) -> MunicipalityTables:
    def years(mapping: dict[Any, Any]) -> dict[int, Any]:
        return {int(k): v for k, v in mapping.items()}

    return MunicipalityTables(
        code=str(data["code"]), name=str(data.get("name", data["code"])), years=[int(y) for y in data.get("years", [])],
        summary=str(data.get("summary", "")),
        sectors=[SectorRow(r["direction"], r["carrier"], r["sector"], years(r["values"]), bool(r.get("total")),
                           years(r.get("texts") or {})) for r in data.get("sectors", [])],
        stations=[StationRow(r["station"], r["station_id"], r.get("level", ""), r.get("relation", ""), r["direction"],
                             years(r["status"]), years(r["headroom_mw"]), r.get("first_shortage_year"),
                             r.get("municipality_mw"), years(r.get("headroom_texts") or {}),
                             str(r.get("municipality_mw_text") or "")) for r in data.get("stations", [])],
        summaries={int(k): str(v) for k, v in (data.get("summaries") or {}).items()},
    )


def _overview_dir(folder: str) -> str:
    """``folder/gemeenten`` for an output folder, or ``folder`` itself when it is the overview folder."""
    sub = os.path.join(folder, "gemeenten")
    return sub if os.path.isdir(sub) else folder


def list_municipalities(folder: str) -> list[tuple[str, str]]:
    """``(code, name)`` of every municipality with an overview page in an output folder, sorted by name.

    Names come from the index page (``Kaart van <naam>``); a page missing from the index is listed by its code.
    """
    where = _overview_dir(folder)
    if not os.path.isdir(where):
        return []
    codes = sorted(os.path.splitext(f)[0] for f in os.listdir(where)
                   if f.endswith(".html") and f != "index.html")
    names: dict[str, str] = {}
    index = os.path.join(where, "index.html")
    if os.path.exists(index):
        with open(index, encoding="utf-8") as fh:
            text = fh.read()
        for code, name in re.findall(r'<a href="([^"/]+)\.html"><img[^>]*alt="Kaart van ([^"]+)"', text):
            names[code] = _unescape(name)
    return sorted(((c, names.get(c, c)) for c in codes), key=lambda item: (item[1].lower(), item[0]))


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def read_overview(folder: str, code: str) -> MunicipalityTables:
    """The tables of municipality ``code`` from an output folder (``gemeenten/<code>.json`` or ``.html``).

    Raises
    ------
    FileNotFoundError
        With a Dutch message when the folder has no overview of ``code``.

    Examples
    --------
    >>> tables = read_overview("uitvoer", "GM0715")  # doctest: +SKIP
    >>> [r.values[2040] for r in tables.sectors if r.total][:1]  # doctest: +SKIP
    [234.2]
    """
    where = _overview_dir(folder)
    html_path, png_path, json_path = (os.path.join(where, f"{code}.{ext}") for ext in ("html", "png", "json"))
    if os.path.exists(json_path):
        with open(json_path, encoding="utf-8") as fh:
            tables = _from_json(json.load(fh))
    elif os.path.exists(html_path):
        with open(html_path, encoding="utf-8") as fh:
            tables = _parse_html(fh.read(), code)
    else:
        raise FileNotFoundError(f"Geen gemeenteoverzicht van {code} in {where}")
    return MunicipalityTables(tables.code, tables.name, tables.years, tables.summary, tables.sectors, tables.stations,
                              html_path if os.path.exists(html_path) else "",
                              png_path if os.path.exists(png_path) else "", tables.summaries)
