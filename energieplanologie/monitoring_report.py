"""The half-yearly progress check as files: ``voortgang.csv``/``.xlsx``, ``gevolgen.csv`` and ``voortgang.html``.

:func:`write_monitoring` writes what :func:`energieplanologie.monitoring.monitor` computed, Dutch throughout:
headers through :func:`energieplanologie.labels.to_dutch`, numbers through
:func:`energieplanologie.labels.format_number`, every CSV through :func:`energieplanologie.io.write_csv` (cells a
spreadsheet would run as a formula neutralised, as in the workbook). ``voortgang.html`` is one self-contained page
for the meeting: a timeline of the projects (planned against expected, coloured by status), a map of the stations
whose shortage changes (Leaflet inlined as in the other maps, :func:`energieplanologie.maps.publish.render_html`;
map tiles aside it works offline) and the tables of consequences and progress.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energieplanologie._cells import safe_xlsx_cell
from energieplanologie._html import is_missing, render_template
from energieplanologie.labels import VALUE_LABELS, format_number, to_dutch
from energieplanologie.maps._style import PROJECT_STATUS_COLOURS, STATUS_COLOURS
from energieplanologie.monitoring import HISTORY_PREFIX, MonitorResult

__all__ = ["OUTPUT_FILES", "consequences_export", "progress_export", "progress_html", "write_monitoring"]

#: The files :func:`write_monitoring` writes into the output folder.
OUTPUT_FILES: tuple[str, ...] = ("voortgang.csv", "voortgang.xlsx", "gevolgen.csv", "voortgang.html")


def progress_export(progress: pd.DataFrame) -> pd.DataFrame:
    """:func:`~energieplanologie.monitoring.progress_table` with Dutch headers and values, as ``voortgang.csv``
    writes it (history columns ``verwacht_gereed_<peildatum>``).

    Examples
    --------
    >>> frame = pd.DataFrame({"project_id": ["P1"], "delay_years": pd.array([2], dtype="Int64"),
    ...                       "project_status": ["delayed"], "expected_on_2025-12-31": pd.array([2031], dtype="Int64")})
    >>> list(progress_export(frame).columns), progress_export(frame)["status"].tolist()
    (['project_id', 'vertraging_jaren', 'status', 'verwacht_gereed_2025-12-31'], ['vertraagd'])
    """
    history = {c: "verwacht_gereed_" + c[len(HISTORY_PREFIX):] for c in progress.columns
               if str(c).startswith(HISTORY_PREFIX)}
    return to_dutch(progress.rename(columns=history), "voortgang")


def consequences_export(consequences: pd.DataFrame) -> pd.DataFrame:
    """:func:`~energieplanologie.monitoring.consequences` with Dutch headers and values (``gevolgen.csv``).

    Examples
    --------
    >>> frame = pd.DataFrame({"station_id": ["S1"], "direction": ["offtake"], "shortage_expected_mw": [4.0]})
    >>> consequences_export(frame).columns.tolist(), consequences_export(frame)["richting"].tolist()
    (['station_id', 'richting', 'tekort_verwacht_mw'], ['afname'])
    """
    return to_dutch(consequences)


def _write_xlsx(frame: pd.DataFrame, path: Path, sheet: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from energieplanologie.io import atomic_write

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([str(c) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        safe_xlsx_cell(cell)
    for row in frame.itertuples(index=False):
        ws.append([None if is_missing(v) else (v.item() if isinstance(v, np.generic) else v) for v in row])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            safe_xlsx_cell(cell)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, col in enumerate(frame.columns, start=1):
        longest = max([len(str(col))] + [len(str(v)) for v in frame[col] if not is_missing(v)])
        ws.column_dimensions[ws.cell(1, i).column_letter].width = float(min(60, max(10, longest + 2)))
    with atomic_write(path) as tmp:
        wb.save(tmp)
    return path


def _year(value: Any) -> str:
    return "–" if is_missing(value) else str(int(value))


def _delay_text(value: Any) -> str:
    if is_missing(value):
        return "–"
    v = int(value)
    return "op schema" if v == 0 else f"{'+' if v > 0 else '−'}{abs(v)} jaar"


def _timeline(progress: pd.DataFrame, reference_year: int | None) -> dict[str, Any]:
    """Geometry of the timeline (an SVG drawn by the template): one row per project."""
    years = pd.concat([progress["planned_year_ready"], progress["expected_year_ready"]]).dropna().astype(int)
    lo = int(min(years.min(), reference_year or years.min())) - 1 if len(years) else 2024
    hi = int(years.max()) + 1 if len(years) else 2040
    left, width, row_h, top = 330, 560, 26, 30
    scale = width / max(1, hi - lo)

    def x(year: Any) -> float:
        return round(left + (float(year) - lo) * scale, 1)

    rows = []
    for i, r in enumerate(progress.itertuples(index=False)):
        status = r.project_status if isinstance(r.project_status, str) else None
        y = top + i * row_h + row_h / 2
        planned = None if is_missing(r.planned_year_ready) else x(r.planned_year_ready)
        expected = None if is_missing(r.expected_year_ready) else x(r.expected_year_ready)
        delay = None if is_missing(r.delay_years) else int(r.delay_years)
        name = str(r.name) if not is_missing(r.name) else ""
        rows.append({
            "y": y, "label": f"{r.project_id}  {name[:38] + ('…' if len(name) > 38 else '')}",
            "planned": planned, "expected": expected, "cancelled": status == "cancelled",
            "colour": PROJECT_STATUS_COLOURS.get(status or "", "#ffffff"),
            "line": "#d7191c" if delay and delay > 0 else "#2e9e44" if delay and delay < 0 else None,
            "status": VALUE_LABELS["project_status"].get(status or "", "geen melding"),
            "delay": _delay_text(r.delay_years) if status != "cancelled" else "geschrapt",
            "title": f"{r.project_id}: gepland {_year(r.planned_year_ready)}, verwacht {_year(r.expected_year_ready)}",
        })
    ticks = [{"x": x(t), "label": str(t)} for t in range(lo, hi + 1)]
    return {"rows": rows, "ticks": ticks, "height": top + len(rows) * row_h + 10, "left": left,
            "right": left + width, "top": top, "bottom": top + len(rows) * row_h,
            "reference_x": None if reference_year is None else x(reference_year + 0.5)}


def _station_map(result: MonitorResult, region: Any, *, self_contained: bool,
                 node_modules: str | Path | None) -> str | None:
    """The map of the stations whose shortage changes (a folium map rendered self-contained), None when none."""
    cons = result.consequences
    if not len(cons):
        return None
    import folium

    from energieplanologie._html import esc
    from energieplanologie.maps.publish import render_html

    stations = region.stations.loc[region.stations["station_id"].isin(cons["station_id"])].to_crs(4326)
    mun = region.municipalities.to_crs(4326) if len(region.municipalities) else None
    bounds = (mun if mun is not None else stations).total_bounds
    m = folium.Map(tiles=None, control_scale=False, prefer_canvas=False)
    _metric_scale().add_to(m)  # folium's own scale bar also shows miles
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(m)
    if mun is not None:
        folium.GeoJson(mun[["name", "geometry"]], name="Gemeenten",
                       style_function=lambda _: {"color": "#555", "weight": 1, "fillOpacity": 0.03},
                       tooltip=folium.GeoJsonTooltip(["name"], aliases=["Gemeente"])).add_to(m)
    layer = folium.FeatureGroup(name="Stations met gewijzigd tekort").add_to(m)
    for st in stations.sort_values("station_id").itertuples(index=False):
        rows = cons.loc[cons["station_id"] == st.station_id]
        worst = float(rows["shortage_change_mw"].max())
        best = float(rows["shortage_change_mw"].min())
        colour = STATUS_COLOURS["red"] if worst > 0 else STATUS_COLOURS["green"]
        body = "".join(
            f"<tr><td>{esc(VALUE_LABELS['direction'].get(r.direction, r.direction))}</td><td>{r.year}</td>"
            f"<td style='text-align:right'>{format_number(r.shortage_planned_mw)}</td>"
            f"<td style='text-align:right'>{format_number(r.shortage_expected_mw)}</td>"
            f"<td>{esc(r.causing_projects)}</td></tr>"
            for r in rows.itertuples(index=False))
        popup = (f"<b>{esc(st.name)}</b> ({esc(st.station_id)})<table><tr><th>Richting</th><th>Jaar</th>"
                 f"<th>Tekort gepland (MW)</th><th>Tekort verwacht (MW)</th><th>Oorzaak</th></tr>{body}</table>")
        change = worst if worst > 0 else best
        folium.CircleMarker(
            location=(st.geometry.y, st.geometry.x), radius=float(7 + min(18, abs(change) / 4)), color="#222",
            weight=1, fill=True, fill_color=colour, fill_opacity=0.85, class_name="ep-changed-station",
            tooltip=f"{st.name}: tekort {'+' if change > 0 else '−'}{format_number(abs(change))} MW",
            popup=folium.Popup(popup, max_width=520)).add_to(layer)
    folium.LayerControl(collapsed=True).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return render_html(m, self_contained=self_contained, node_modules=node_modules)


def _metric_scale() -> Any:
    """A Leaflet scale bar in kilometres only (as the region map has)."""
    from branca.element import MacroElement, Template

    scale = MacroElement()
    scale._template = Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false, metric: true, position: 'bottomleft'}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}")
    return scale


def _number(value: Any, decimals: int = 1) -> str:
    return format_number(value, decimals)


def progress_html(result: MonitorResult, region: Any, *, self_contained: bool = True,
                  node_modules: str | Path | None = None) -> str:
    """The page ``voortgang.html``: timeline, map of changed stations, consequences and progress tables.

    Parameters
    ----------
    result : MonitorResult
        :func:`energieplanologie.monitoring.monitor`.
    region : Region
        The study area (stations and municipalities for the map).
    self_contained : bool, default True
        Inline the map's JavaScript and CSS (works offline, tiles aside).
    node_modules : path, optional
        See :func:`energieplanologie.maps.publish.render_html`.

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> region = ep.load_sample()
    >>> status = pd.DataFrame({"project_id": ["P03"], "reference_date": ["2026-06-30"],
    ...                        "project_status": ["delayed"], "expected_year_ready": [2034]})
    >>> html = progress_html(ep.monitor(region, status), region, self_contained=False)
    >>> "Halfjaarlijkse voortgangstoets" in html and "Terneuzen 150 kV" in html
    True
    """
    from markupsafe import Markup

    progress, cons = result.progress, result.consequences
    reference_year = int(result.reference_date[:4]) if result.reference_date else None
    history = [c for c in progress.columns if str(c).startswith(HISTORY_PREFIX)]
    projects = [{
        "id": r["project_id"], "name": "" if is_missing(r["name"]) else r["name"],
        "planned": _year(r["planned_year_ready"]), "expected": _year(r["expected_year_ready"]),
        "delay": _delay_text(r["delay_years"]) if r["project_status"] != "cancelled" else "geschrapt",
        "late": not is_missing(r["delay_years"]) and int(r["delay_years"]) > 0,
        "early": not is_missing(r["delay_years"]) and int(r["delay_years"]) < 0,
        "status": VALUE_LABELS["project_status"].get(r["project_status"], "geen melding")
        if isinstance(r["project_status"], str) else "geen melding",
        "colour": PROJECT_STATUS_COLOURS.get(r["project_status"], "#ffffff")
        if isinstance(r["project_status"], str) else "#ffffff",
        "date": "–" if is_missing(r["reference_date"]) else r["reference_date"],
        "note": "" if is_missing(r["note"]) else r["note"],
        "history": [_year(r[c]) for c in history],
    } for _, r in progress.iterrows()]
    effects = [{
        "station": f"{r.station_name} ({r.station_id})" if not is_missing(r.station_name) else r.station_id,
        "direction": VALUE_LABELS["direction"].get(r.direction, r.direction), "year": int(r.year),
        "planned": _number(r.shortage_planned_mw), "expected": _number(r.shortage_expected_mw),
        "change": ("+" if r.shortage_change_mw > 0 else "−") + _number(abs(r.shortage_change_mw)),
        "worse": r.shortage_change_mw > 0, "causes": r.causing_projects.replace(";", ", "),
        "waiting": r.waiting_development_ids.replace(";", ", "), "waiting_mw": _number(r.waiting_mw),
    } for r in cons.itertuples(index=False)]
    delays = progress["delay_years"]
    counts = {
        "projects": len(progress),
        "late": int((delays > 0).sum()),
        "early": int((delays < 0).sum()),
        "cancelled": int((progress["project_status"] == "cancelled").sum()),
        "unreported": int(progress["project_status"].isna().sum()),
        "stations": int(cons["station_id"].nunique()),
        "rows": len(cons),
    }
    map_html = _station_map(result, region, self_contained=self_contained, node_modules=node_modules)
    return render_template("voortgang.html.j2",
        region_name=region.name, reference_date=result.reference_date or "–", scenario=result.scenario,
        years=f"{result.years[0]}–{result.years[-1]}" if result.years else "–",
        timeline=_timeline(progress, reference_year), projects=projects, effects=effects, counts=counts,
        history=[c[len(HISTORY_PREFIX):] for c in history], map_html=map_html and Markup.escape(map_html),
        legend=[(VALUE_LABELS["project_status"][k], v) for k, v in PROJECT_STATUS_COLOURS.items()],
    )


def write_monitoring(result: MonitorResult, region: Any, folder: str | Path, *, self_contained: bool = True,
                     node_modules: str | Path | None = None) -> list[Path]:
    """Write :data:`OUTPUT_FILES` into ``folder`` (each file atomically).

    Parameters
    ----------
    result : MonitorResult
        :func:`energieplanologie.monitoring.monitor`.
    region : Region
        The study area (for the map).
    folder : path
        The output folder (the CLI passes the staging folder of :func:`energieplanologie._outdir.staged_output`).
    self_contained, node_modules
        See :func:`progress_html`.

    Returns
    -------
    list of Path
        The files written, in the order of :data:`OUTPUT_FILES`.

    Examples
    --------
    >>> write_monitoring(result, region, "uitvoer")  # doctest: +SKIP
    """
    from energieplanologie.io import atomic_write, write_csv

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    progress = progress_export(result.progress)
    written = [write_csv(progress, out / "voortgang.csv", dutch_headers=False),
               _write_xlsx(progress, out / "voortgang.xlsx", "voortgang"),
               write_csv(consequences_export(result.consequences), out / "gevolgen.csv", dutch_headers=False)]
    html = progress_html(result, region, self_contained=self_contained, node_modules=node_modules)
    with atomic_write(out / "voortgang.html") as tmp:
        Path(tmp).write_text(html, encoding="utf-8")
    return [*written, out / "voortgang.html"]
