"""The provincial MIEK (pMIEK): the *projectenlijst* and one *projectfiche* (one A4) per project.

The source document (step 4, *Afwegen en kiezen*) fixes what both contain. The project list has per project at
least: Naam project, Locatie, Type infra, Sectoren en ontwikkelingen, Financiële informatie, Planning and
Betrokken partijen; we add the afweging (rank, weighted score, rank stability, one column per criterion). The
project sheet has the general data, a short description with the *narratief* (why this project, which
developments it serves), the reason for inclusion in the pMIEK, the project phase (of the infrastructure and of
the developments behind it), dependencies on other projects (provincial and national MIEK) and outside the
province, agreements on execution, a small map and the afweging with its reasons.

Users can supply the texts the analysis cannot know as extra columns of the infrastructure layer:
``reason_inclusion``, ``phase``, ``dependencies``, ``dependencies_outside``, ``agreements`` (free text);
they replace the generated text of that part of the sheet.

Writers are atomic (a temporary file in the same folder, then :func:`os.replace`); file names derived from
project ids are sanitised so they never leave the output folder; every data value in HTML is escaped.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from energieplanologie._atomic import atomic_write
from energieplanologie._cells import safe_xlsx_cell
from energieplanologie._errors import ConfigError, EnergieplanologieError
from energieplanologie._html import render_template, safe_file_stem
from energieplanologie._version import __version__
from energieplanologie._workers import Batch, Plan, run_plan
from energieplanologie.assessment import Assessment
from energieplanologie.io import write_csv
from energieplanologie.labels import format_number, value_label
from energieplanologie.progress import ProgressCallback, report, scaled
from energieplanologie.sheet_geometry import outside_region, projects_within

__all__ = [
    "DOCUMENT_COLUMNS",
    "SHEET_TEXT_COLUMNS",
    "PDF_RENDERERS",
    "ProjectFacts",
    "pdf_renderer",
    "project_facts",
    "project_list",
    "project_sheet_context",
    "project_sheet_html",
    "project_sheets_plan",
    "safe_filename",
    "write_assessment",
    "write_pmiek",
    "write_project_list",
    "write_project_sheets",
    "write_project_tables",
]

#: The project list's columns, exactly as in the source document (step 4, "Projectenlijst").
DOCUMENT_COLUMNS: tuple[str, ...] = (
    "Naam project",
    "Locatie",
    "Type infra",
    "Sectoren en ontwikkelingen",
    "Financiële informatie",
    "Planning",
    "Betrokken partijen",
)
#: Optional free-text infrastructure columns that replace generated parts of a project sheet.
SHEET_TEXT_COLUMNS: tuple[str, ...] = ("reason_inclusion", "phase", "dependencies", "dependencies_outside", "agreements")

_SOURCE_NL = {"derived": "afgeleid", "user": "beoordeling", "override": "overschreven", "missing": "geen invoer"}
_FUNDING_NL = {
    "secured": "financiering geborgd",
    "partial": "deels gedekt; extra steun van overheden nodig",
    "none": "nog geen dekking voor de investering",
    "unknown": "dekking onbekend",
}
_LINE_SPLIT = re.compile(r"\s*[;\n]\s*")
_PARTY_SPLIT = re.compile(r"\s*(?:[;\n]|,(?![^()]*\)))\s*")  # a comma inside "(…)" belongs to the party's role
_MAX_LIST = 8


# ---------------------------------------------------------------------------------------------- helpers
def safe_filename(project_id: Any, taken: set[str] | None = None) -> str:
    """A file name stem for a project id that cannot leave its folder (see
    :func:`energieplanologie._html.safe_file_stem`); ``taken`` is accepted for compatibility: distinct ids never
    share a stem because a changed id carries a hash of itself.

    Examples
    --------
    >>> safe_filename("../../etc/passwd")
    'etc_passwd-936d7c04'
    >>> safe_filename("P01")
    'P01'
    """
    return safe_file_stem(project_id, fallback="project")


def _xlsx_text(value: str) -> str:
    """Text a worksheet can hold: control characters (NUL, vertical tab …; XML 1.0 forbids them) shown as �."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value).strip()


def _lines(value: Any) -> list[str]:
    return [p for p in _LINE_SPLIT.split(_text(value)) if p]


def _capped(items: list[str], most: int = _MAX_LIST) -> list[str]:
    return items if len(items) <= most else items[:most] + [f"… en {len(items) - most} meer"]


def _interval(low: Any, high: Any) -> str:
    return f"{int(low)}" if int(low) == int(high) else f"{int(low)}–{int(high)}"


def _year(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


# ---------------------------------------------------------------------------------------------- facts
def _served(assessment: Assessment, region: Any,
            allocation: pd.DataFrame | None = None) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per project: the developments it enables (A), and the other developments allocated to its station (in
    ``allocation``, the run's; allocated here with the default options when None)."""
    enabled = {p: [d for d in _text(ids).split(";") if d]
               for p, ids in zip(assessment.evidence["project_id"], assessment.evidence.get(
                   "development_ids", pd.Series([""] * len(assessment.evidence))), strict=True)}
    at_station: dict[str, list[str]] = {}
    infra = region.infrastructure.set_index("project_id")
    linked = [p for p in assessment.table["project_id"] if pd.notna(infra.at[p, "station_id"])]
    if linked and len(region.developments):
        from energieplanologie.allocation import allocate_region

        alloc = allocation if allocation is not None else allocate_region(region)
        by_station = _developments_at(alloc, {infra.at[p, "station_id"] for p in linked})
        for p in linked:
            at_station[p] = [d for d in by_station.get(infra.at[p, "station_id"], []) if d not in enabled.get(p, [])]
    return enabled, at_station


def _developments_at(allocation: pd.DataFrame, station_ids: set[Any]) -> dict[Any, list[str]]:
    """The development ids (as text, sorted, each once) allocated to each of ``station_ids`` (those with any).

    Only the rows at these stations are grouped: a national allocation has 10⁵ or more rows, a pMIEK some
    hundred linked stations.

    Examples
    --------
    >>> alloc = pd.DataFrame({"station_id": ["S1", "S2", "S1", "S1"], "development_id": ["d9", "d1", "d10", "d9"]})
    >>> _developments_at(alloc, {"S1", "S3"})
    {'S1': ['d10', 'd9']}
    """
    at = allocation.loc[allocation["station_id"].isin(list(station_ids)), ["station_id", "development_id"]]
    pairs = pd.DataFrame({"station_id": at["station_id"].to_numpy(),
                          "development_id": [str(d) for d in at["development_id"].tolist()]})
    pairs = pairs.drop_duplicates().sort_values("development_id", kind="stable")
    return {s: list(ids) for s, ids in pairs.groupby("station_id", sort=False)["development_id"]}


def _municipalities_of(geoms: np.ndarray, municipalities: gpd.GeoDataFrame) -> list[list[str]]:
    out: list[list[str]] = [[] for _ in range(len(geoms))]
    if not len(municipalities):
        return out
    left, right = shapely.STRtree(municipalities.geometry.to_numpy()).query(geoms, predicate="intersects")
    names = municipalities["name"].astype(str).to_numpy()
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        out[a].append(names[b])
    return [sorted(set(n)) for n in out]


def _location(geom: Any, municipalities: list[str], station: str) -> list[str]:
    parts = []
    if municipalities:
        parts.append(("Gemeente " if len(municipalities) == 1 else "Gemeenten ") + ", ".join(municipalities))
    if geom is not None and not shapely.is_empty(geom):
        kind = shapely.get_type_id(geom)
        if kind in (0, 4):  # (Multi)Point
            c = shapely.centroid(geom)
            parts.append(f"RD x {format_number(c.x, 0)}, y {format_number(c.y, 0)}")
        elif kind in (1, 5):  # (Multi)LineString
            parts.append(f"tracé van {format_number(shapely.length(geom) / 1000, 1, 'km')}")
        elif kind in (3, 6):
            parts.append(f"gebied van {format_number(shapely.area(geom) / 1e6, 2, 'km²')}")
    if station:
        parts.append(f"bij station {station}")
    return parts or ["onbekend"]


def _development_lines(served: pd.DataFrame) -> list[str]:
    """One line per development of ``served`` (with ``municipality_name``), in its order: sector, name, where,
    MW (the larger direction), year, certainty."""
    def mw(value: Any) -> float:
        return float(value or 0.0)

    return [f"{value_label('sector', sector)}: {_text(name)} "
            f"({f'{mun}, ' if _text(mun) else ''}{format_number(max(mw(off), mw(feed)), 1, 'MW')}, {_year(year)}, "
            f"{value_label('certainty', certainty).lower()})"
            for sector, name, mun, off, feed, year, certainty in zip(
                served["sector"].tolist(), served["name"].tolist(), served["municipality_name"].tolist(),
                served["offtake_mw"].tolist(), served["feedin_mw"].tolist(), served["year"].tolist(),
                served["certainty"].tolist(), strict=True)]


def _served_frames(enabled: dict[str, list[str]], project_ids: Sequence[str],
                   region: Any) -> tuple[list[list[str]], list[gpd.GeoDataFrame], list[list[str]]]:
    """Per project of ``project_ids``: the enabled developments that are in the region (ids, in the order
    given), their rows (``municipality_name`` added) and their lines (:func:`_development_lines`, by year and
    id). The developments served by all projects are looked up and described at once, then split by project."""
    dev = region.developments
    ids = [[str(d) for d in enabled.get(p, [])] for p in project_ids]
    index = pd.Index(dev["development_id"].astype(str).to_numpy(dtype=object))
    flat = pd.Index([d for these in ids for d in these], dtype=object)
    owner = np.repeat(np.arange(len(ids)), [len(these) for these in ids])
    where = index.get_indexer(flat) if len(flat) else np.zeros(0, dtype=np.intp)
    known = where >= 0
    served_ids = [[] for _ in ids]  # type: list[list[str]]
    for p, d in zip(owner[known].tolist(), flat[known].tolist(), strict=True):
        served_ids[p].append(d)
    served = dev.take(where[known])
    served.index = flat[known]
    mun_names = region.municipalities.set_index("municipality_code")["name"] if len(region.municipalities) else {}
    served["municipality_name"] = served["municipality_code"].map(mun_names) if len(served) else []
    bounds = np.searchsorted(owner[known], np.arange(len(ids) + 1))
    frames = [served.iloc[a:b] for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)]
    order = served.assign(_project=owner[known]).reset_index(drop=True).sort_values(
        ["_project", "year", "development_id"])
    lines = _development_lines(order)
    line_bounds = np.searchsorted(order["_project"].to_numpy(), np.arange(len(ids) + 1))
    return served_ids, frames, [lines[a:b] for a, b in zip(line_bounds[:-1].tolist(), line_bounds[1:].tolist(),
                                                           strict=True)]


def _facts(assessment: Assessment, region: Any, allocation: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """Everything the list and the sheets show about each project, in rank order."""
    table = assessment.table
    infra = region.infrastructure.set_index("project_id", drop=False).loc[table["project_id"]]
    stations = region.stations.set_index("station_id")
    dev_ids = set(region.developments["development_id"].astype(str).tolist())
    enabled, at_station = _served(assessment, region, allocation)
    served_ids_of, served_of, lines_of = _served_frames(enabled, list(infra.index), region)
    geoms = infra.geometry.to_numpy()
    muns = _municipalities_of(geoms, region.municipalities)
    evidence = assessment.evidence.set_index("project_id")
    facts = []
    for i, (pid, row) in enumerate(infra.iterrows()):
        sid = _text(row["station_id"])
        st = stations.loc[sid] if sid and sid in stations.index else None
        station_text = ""
        if st is not None:
            volt = _text(st.get("voltage_kv"))
            station_text = f"{_text(st['name'])}" + (f" ({volt} kV)" if volt else "")
        type_text = value_label("infra_type", row["infra_type"])
        if st is not None and row["infra_type"] in ("station_new", "station_expansion") and _text(st.get("level")):
            type_text += f" {st['level']}"
        if row["infra_type"] == "other" or (row["infra_type"] in ("battery", "electrolyser")
                                             and row.get("carrier") not in (None, "electricity")):
            type_text += f" ({value_label('carrier', row.get('carrier')).lower()})"
        served_ids, served, dev_lines = served_ids_of[i], served_of[i], lines_of[i]
        other_ids = [d for d in at_station.get(pid, []) if d in dev_ids]
        sectors = sorted({value_label("sector", s) for s in served["sector"].tolist()})
        cost = row.get("cost_meur")
        funding = _text(row.get("funding")) or "unknown"
        operator = _text(row.get("operator"))
        finance = (f"Investering ca. € {format_number(cost, 1)} miljoen" + (f", {operator}" if operator else "")
                   if pd.notna(cost) else "Kosten onbekend")
        finance += f"; {_FUNDING_NL.get(funding, funding)}"
        status = _text(row.get("status"))
        planning = (f"Gereed {_year(row['year_ready'])}" if pd.notna(row.get("year_ready")) else "Planning onbekend")
        planning += f" ({value_label('status', status).lower()})" if status else ""
        parties = []
        if operator:
            parties.append(f"{operator}: netbeheerder, uitvoering")
        parties += [p for p in _PARTY_SPLIT.split(_text(row.get("parties")))
                    if p and p.casefold() != operator.casefold()]
        ev = evidence.loc[pid] if pid in evidence.index else pd.Series(dtype=object)
        facts.append({
            "project_id": pid, "row": row, "station": st, "station_id": sid, "station_text": station_text,
            "geometry": geoms[i], "municipalities": muns[i],
            "location": _location(geoms[i], muns[i], station_text),
            "type": type_text, "sectors": sectors, "developments": dev_lines, "served_ids": served_ids,
            "other_ids": other_ids, "finance": finance, "planning": planning, "parties": parties or ["onbekend"],
            "evidence": ev, "served_frame": served,
        })
    return facts


@dataclass(frozen=True)
class ProjectFacts:
    """What the project list and the project sheets show about each project of an afweging, in rank order
    (:func:`project_facts`): made once, handed to :func:`write_project_tables` and :func:`project_sheets_plan`
    so that a run does not work it out twice.

    Attributes
    ----------
    project_ids : tuple of str
        The projects, in the order of the afweging's table (rank order).
    items : tuple of dict
        Per project its texts and rows (internal to this module).
    """

    project_ids: tuple[str, ...]
    items: tuple[dict[str, Any], ...]


def project_facts(assessment: Assessment, region: Any, *, allocation: pd.DataFrame | None = None) -> ProjectFacts:
    """Everything the project list and the project sheets show about each project, worked out once.

    Parameters
    ----------
    assessment, region, allocation
        As for :func:`project_list`.

    Returns
    -------
    ProjectFacts
        To hand to :func:`project_list`, :func:`write_project_tables`, :func:`project_sheets_plan` (``facts=``).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie.assessment import score_projects
    >>> region = ep.load_sample()
    >>> assessment = score_projects(region, n_perturbations=100)
    >>> facts = project_facts(assessment, region)
    >>> facts.project_ids == tuple(assessment.table["project_id"])
    True
    >>> project_list(assessment, region, facts=facts).equals(project_list(assessment, region))
    True
    """
    items = _facts(assessment, region, allocation)
    return ProjectFacts(tuple(f["project_id"] for f in items), tuple(items))


def _known_facts(assessment: Assessment, region: Any, allocation: pd.DataFrame | None,
                 facts: ProjectFacts | None) -> list[dict[str, Any]]:
    """``facts`` when given (they must be of this afweging's projects, in its order), else :func:`_facts`."""
    if facts is None:
        return _facts(assessment, region, allocation)
    if facts.project_ids != tuple(assessment.table["project_id"]):
        raise EnergieplanologieError("de projectgegevens (project_facts) horen bij een andere afweging")
    return list(facts.items)


# ---------------------------------------------------------------------------------------------- the list
def project_list(assessment: Assessment, region: Any, *, allocation: pd.DataFrame | None = None,
                 facts: ProjectFacts | None = None) -> pd.DataFrame:
    """The pMIEK project list: the document's columns, then the afweging, one row per project in rank order.

    Parameters
    ----------
    assessment : Assessment
        From :func:`energieplanologie.assessment.score_projects`.
    region : Region
        The region the assessment was made for.
    allocation : GeoDataFrame, optional
        The allocation the afweging's balance used (the pipeline's :class:`~energieplanologie.pipeline.Analysis`
        hands it on); computed with the default options when None.
    facts : ProjectFacts, optional
        :func:`project_facts` of this afweging (worked out here when None).

    Returns
    -------
    DataFrame
        Columns :data:`DOCUMENT_COLUMNS` (multi-line cells joined with newlines), then ``Rang``, ``Gewogen
        score``, ``Rang bij andere gewichten (p5–p95)``, ``Kans top k``, one column per criterion
        (``"A. Maatschappelijk doelbereik"`` …, the document's words for the level; H the cost), ``Project-id``
        and ``Projectfiche`` (relative path of the sheet).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie.assessment import score_projects
    >>> region = ep.load_sample()
    >>> table = project_list(score_projects(region, n_perturbations=100), region)
    >>> table.columns[:7].tolist() == list(DOCUMENT_COLUMNS), len(table)
    (True, 11)
    """
    facts_list = _known_facts(assessment, region, allocation, facts)
    table = assessment.table.set_index("project_id")
    fw = assessment.framework
    scores = assessment.scores
    keys = list(zip(scores["project_id"].tolist(), scores["criterion"].tolist(), strict=True))
    level = dict(zip(keys, scores["level"].tolist(), strict=True))
    reason = dict(zip(keys, scores["reason"].tolist(), strict=True))
    rows = []
    taken: set[str] = set()
    for f in facts_list:
        pid = f["project_id"]
        t = table.loc[pid]
        dev_text = []
        if f["sectors"]:
            dev_text.append("Sectoren: " + ", ".join(f["sectors"]))
        dev_text += [f"• {line}" for line in _capped(f["developments"], 10)]
        if not f["developments"]:
            dev_text.append("Geen ontwikkeling die zonder dit project niet past (zie projectfiche)")
        row = {
            "Naam project": _text(f["row"]["name"]),
            "Locatie": "\n".join(f["location"]),
            "Type infra": f["type"],
            "Sectoren en ontwikkelingen": "\n".join(dev_text),
            "Financiële informatie": f["finance"],
            "Planning": f["planning"],
            "Betrokken partijen": "\n".join(f["parties"]),
            "Rang": int(t["rank"]),
            "Gewogen score": float(t["weighted_score"]),
            "Rang bij andere gewichten (p5–p95)": _interval(t["rank_p05"], t["rank_p95"]),
            f"Kans top {assessment.top_k}": float(t["p_top_k"]),
        }
        for c in fw.criteria:
            row[c.title] = c.label(level[(pid, c.code)]) if c.scored else reason[(pid, c.code)]
        stem = safe_filename(pid, taken)
        taken.add(stem)
        row["Project-id"] = pid
        row["Projectfiche"] = f"fiches/{stem}.html"
        rows.append(row)
    columns = list(DOCUMENT_COLUMNS) + ["Rang", "Gewogen score", "Rang bij andere gewichten (p5–p95)",
                                        f"Kans top {assessment.top_k}"] + [c.title for c in fw.criteria] + [
        "Project-id", "Projectfiche"]
    return pd.DataFrame(rows, columns=columns)


def _xlsx_widths(frame: pd.DataFrame) -> list[float]:
    widths = []
    for col in frame.columns:
        longest = max([len(line) for v in frame[col].astype(str) for line in v.split("\n")] + [len(str(col)) * 0.8])
        widths.append(float(min(60, max(10, longest + 2))))
    return widths


def _wrapped_lines(value: Any, width: float) -> int:
    """Lines a cell needs when wrapped at ``width`` characters (a column width is about that many)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return 1
    per_line = max(1.0, width - 1.0)
    return sum(max(1, int(np.ceil(len(line) / per_line))) for line in str(value).split("\n"))


def write_project_list(frame: pd.DataFrame, out_dir: str | Path, *, name: str = "projectenlijst") -> list[Path]:
    """Write the project list as a formatted XLSX and a CSV (UTF-8), atomically.

    The XLSX has a bold coloured header, frozen header row, an autofilter over all columns, column widths from
    the content (10–60 characters), wrapped text aligned to the top, the weighted score with one decimal and the
    top-k probability as a percentage; each *Projectfiche* cell links to the sheet.

    Parameters
    ----------
    frame : DataFrame
        :func:`project_list` output.
    out_dir : path
        Folder; created when missing.
    name : str, default "projectenlijst"
        File stem.

    Returns
    -------
    list of Path
        ``[<name>.xlsx, <name>.csv]``.

    Examples
    --------
    >>> import tempfile
    >>> df = pd.DataFrame({c: ["x"] for c in DOCUMENT_COLUMNS})
    >>> [p.name for p in write_project_list(df, tempfile.mkdtemp())]
    ['projectenlijst.xlsx', 'projectenlijst.csv']
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    xlsx, csv = out / f"{name}.xlsx", out / f"{name}.csv"
    wb = Workbook()
    ws = wb.active
    ws.title = "Projectenlijst"
    ws.append([_xlsx_text(str(c)) for c in frame.columns])
    for values in frame.itertuples(index=False, name=None):
        ws.append([None if (not isinstance(v, str) and pd.isna(v)) else
                   _xlsx_text(v) if isinstance(v, str) else (v.item() if hasattr(v, "item") else v)
                   for v in values])
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font, cell.fill = head_font, head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
            safe_xlsx_cell(cell)  # text from data that looks like a formula stays text, never a live formula
    columns = list(frame.columns)
    widths = _xlsx_widths(frame)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    # Row heights from the wrapped line count (spreadsheet programs do not grow rows of a file on opening).
    for i, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        lines = max((_wrapped_lines(v, w) for v, w in zip(values, widths, strict=True)), default=1)
        ws.row_dimensions[i].height = 15.0 * lines + 2
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    for col, fmt in (("Gewogen score", "0.0"), *((c, "0%") for c in columns if str(c).startswith("Kans top"))):
        if col in columns:
            for (cell,) in ws.iter_rows(min_row=2, min_col=columns.index(col) + 1, max_col=columns.index(col) + 1):
                cell.number_format = fmt
    if "Projectfiche" in columns:
        j = columns.index("Projectfiche") + 1
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            if cell.value:
                cell.hyperlink = str(cell.value)
                cell.font = Font(color="1F4E79", underline="single")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    ws.row_dimensions[1].height = 30
    wb.properties.creator = "energieplanologie"
    buf = io.BytesIO()
    wb.save(buf)
    with atomic_write(xlsx) as tmp:
        tmp.write_bytes(_reproducible_zip(buf.getvalue()))
    write_csv(frame, csv, dutch_headers=False)
    return [xlsx, csv]


def _reproducible_zip(data: bytes) -> bytes:
    """Fix the time stamps openpyxl writes (zip entries, created/modified), so the same input gives the same file."""
    import zipfile

    fixed = "2000-01-01T00:00:00Z"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                                 rb"\g<1>" + fixed.encode() + rb"\g<2>", content)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0)), content,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_assessment(assessment: Assessment, out_dir: str | Path) -> list[Path]:
    """Write the afweging: ``afweging.csv`` (the table), ``afweging_redenen.csv`` (every score with its reason)
    and ``afweging_overschrijvingen.csv`` (the overrides; header only when there are none). Dutch headers.

    Examples
    --------
    >>> import tempfile
    >>> import energieplanologie as ep
    >>> from energieplanologie.assessment import score_projects
    >>> paths = write_assessment(score_projects(ep.load_sample(), n_perturbations=100), tempfile.mkdtemp())
    >>> [p.name for p in paths]
    ['afweging.csv', 'afweging_redenen.csv', 'afweging_overschrijvingen.csv']
    """
    out = Path(out_dir)
    local = {"level": "niveau", "value": "waarde", "source": "bron"}
    scores = assessment.scores.assign(source=assessment.scores["source"].map(_SOURCE_NL))
    return [
        write_csv(assessment.table, out / "afweging.csv"),
        write_csv(scores.rename(columns=local), out / "afweging_redenen.csv"),
        write_csv(assessment.overrides, out / "afweging_overschrijvingen.csv"),
    ]


# ---------------------------------------------------------------------------------------------- the sheets
def _map_png(f: dict[str, Any], region: Any, hotspots: gpd.GeoDataFrame | None) -> bytes:
    """A small static map: municipalities, constraints, knooppunten, stations, the developments served, the project."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from energieplanologie.maps._style import MUNICIPALITY_COLOUR, SECTOR_COLOURS

    geom = f["geometry"]
    served = f["served_frame"]
    focus = [g for g in [geom, *served.geometry.to_numpy()] if g is not None and not shapely.is_empty(g)]
    if f["station"] is not None:
        focus.append(f["station"].geometry)
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.array(focus, dtype=object)) if focus else (0, 0, 1, 1)
    span = max(xmax - xmin, ymax - ymin, 3000.0) * 1.25
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    window = shapely.box(cx - span / 2, cy - span / 2, cx + span / 2, cy + span / 2)

    fig = Figure(figsize=(2.6, 2.6), dpi=200)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    handles: list[Any] = []

    def clip(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        return frame.loc[frame.intersects(window)] if len(frame) else frame

    mun = clip(region.municipalities)
    if len(mun):
        mun.plot(ax=ax, facecolor="#f4f4f0", edgecolor=MUNICIPALITY_COLOUR, linewidth=0.5)
    con = clip(region.constraints)
    if len(con):
        con.plot(ax=ax, facecolor="#9ccf8a", edgecolor="#4f8f3a", alpha=0.55, linewidth=0.3, hatch="///")
        handles.append(Patch(facecolor="#9ccf8a", edgecolor="#4f8f3a", hatch="///", label="beperking"))
    if hotspots is not None and len(hotspots):
        hs = clip(hotspots)
        if len(hs):
            hs.plot(ax=ax, facecolor="none", edgecolor="#f46d43", linewidth=1.0, linestyle="--")
            handles.append(Line2D([], [], color="#f46d43", linestyle="--", label="knooppunt"))
    if len(served):
        pts = served.geometry.representative_point()
        ax.scatter(pts.x, pts.y, s=14, c=[SECTOR_COLOURS.get(s, "#999999") for s in served["sector"]],
                   edgecolors="white", linewidths=0.4, zorder=4)
        handles.append(Line2D([], [], marker="o", color="none", markerfacecolor="#777777", markersize=4,
                              label="ontwikkeling"))
    st = clip(region.stations)
    if len(st):
        ax.scatter(st.geometry.x, st.geometry.y, s=16, marker="^", c="#222222", zorder=5)
        handles.append(Line2D([], [], marker="^", color="none", markerfacecolor="#222222", markersize=4,
                              label="station"))
    if geom is not None and not shapely.is_empty(geom):
        kind = shapely.get_type_id(geom)
        g = gpd.GeoSeries([geom], crs=region.infrastructure.crs)
        if kind in (0, 4):
            ax.scatter(g.x if kind == 0 else g.representative_point().x, g.y if kind == 0 else
                       g.representative_point().y, s=60, marker="*", c="#d7191c", edgecolors="white",
                       linewidths=0.6, zorder=6)
        elif kind in (1, 5):
            g.plot(ax=ax, color="#d7191c", linewidth=2.2, zorder=6)
        else:
            g.plot(ax=ax, facecolor="#d7191c", alpha=0.35, edgecolor="#d7191c", linewidth=1.2, zorder=6)
        handles.append(Line2D([], [], color="#d7191c", linewidth=2, label="project"))
    if f["station"] is not None:
        sp = f["station"].geometry
        name = _text(f["station"]["name"])
        name = name if len(name) <= 26 else name[:25] + "…"
        right = sp.x > cx  # keep the label inside the frame: to the left of a station in the right half
        ax.annotate(name, (sp.x, sp.y), xytext=(-4 if right else 4, -8), textcoords="offset points",
                    ha="right" if right else "left", fontsize=5.5, zorder=8,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
    ax.set_xlim(cx - span / 2, cx + span / 2)
    ax.set_ylim(cy - span / 2, cy + span / 2)
    ax.set_aspect("equal")
    # Scale bar: a round length of about a quarter of the window.
    bar = float(10 ** np.floor(np.log10(span / 4)))
    bar *= 5 if span / 4 >= 5 * bar else (2 if span / 4 >= 2 * bar else 1)
    x0, y0 = cx - span / 2 + span * 0.05, cy - span / 2 + span * 0.05
    ax.plot([x0, x0 + bar], [y0, y0], color="black", linewidth=1.5, zorder=7)
    ax.text(x0 + bar / 2, y0 + span * 0.015, format_number(bar / 1000, 0 if bar >= 1000 else 1, "km"),
            ha="center", va="bottom", fontsize=5.5, zorder=7)
    if handles:
        ax.legend(handles=handles, loc="upper right", fontsize=5, frameon=True, framealpha=0.85, borderpad=0.4,
                  handlelength=1.4)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


#: Projects closer than this (m) depend on each other (the sheet's "raakt dit project").
_TOUCHING_M = 50.0


def _sheet_facts(assessment: Assessment, region: Any, allocation: pd.DataFrame | None = None,
                 facts: ProjectFacts | None = None) -> list[dict[str, Any]]:
    """:func:`_facts` plus what every sheet needs about all projects, computed once for the set of sheets: whether
    each project lies outside the region (``outside_region``) and the positions of the projects within
    :data:`_TOUCHING_M` of it (``touching``)."""
    known = _known_facts(assessment, region, allocation, facts)
    geoms = np.array([f["geometry"] for f in known], dtype=object)
    outside = outside_region(geoms, region.municipalities)
    touching = projects_within(geoms, _TOUCHING_M)
    return [{**f, "outside_region": bool(out), "touching": set(near.tolist())}
            for f, out, near in zip(known, outside, touching, strict=True)]


def _dependencies(f: dict[str, Any], facts: Sequence[dict[str, Any]]) -> list[str]:
    """Other pMIEK projects at the same station or touching this project (within :data:`_TOUCHING_M`)."""
    items = []
    for j, other in enumerate(facts):
        if other["project_id"] == f["project_id"]:
            continue
        same_station = f["station_id"] and other["station_id"] == f["station_id"]
        if same_station or j in f["touching"]:
            why = "zelfde station" if same_station else "raakt dit project"
            items.append(f"{_text(other['row']['name'])} ({other['project_id']}, {why})")
    return items


def _sheet_context(f: dict[str, Any], facts: Sequence[dict[str, Any]], assessment: Assessment, region: Any,
                   map_uri: str | None, *, compact: bool) -> dict[str, Any]:
    row, ev = f["row"], f["evidence"]
    pid = f["project_id"]
    table = assessment.table.set_index("project_id").loc[pid]
    scores = assessment.reasons(pid)
    level = dict(zip(scores["criterion"], scores["level"], strict=True))
    fw = assessment.framework
    by_method = {c.method: c.code for c in fw.criteria}
    user = {c: _text(row.get(c)) for c in SHEET_TEXT_COLUMNS}
    most = 4 if compact else _MAX_LIST
    cut = 150 if compact else 320

    # Narrative: why this project, which developments it serves.
    description = _text(row.get("description"))
    if compact and len(description) > 600:
        description = description[:599].rstrip() + "…"
    narrative = [description] if description else []
    first_year, short_mw = ev.get("first_shortage_year_without"), ev.get("shortage_without_mw")
    if first_year is not None and pd.notna(first_year):
        narrative.append(
            f"Zonder dit project heeft station {f['station_text'] or f['station_id']} vanaf {int(first_year)} een "
            f"tekort van {format_number(short_mw, 1, 'MW')}.")
    mw_added, mw_enabled = ev.get("mw_added"), ev.get("mw_enabled")
    if mw_added is not None and pd.notna(mw_added) and mw_added > 0:
        text = f"Het project voegt {format_number(mw_added, 1, 'MW')} capaciteit toe"
        if mw_enabled is not None and pd.notna(mw_enabled) and mw_enabled > 0:
            text += (f" en maakt {format_number(mw_enabled, 1, 'MW')} aan ontwikkelingen mogelijk die anders niet "
                     f"passen ({len(f['served_ids'])} ontwikkeling{'en' if len(f['served_ids']) != 1 else ''})")
        narrative.append(text + ".")
    served_items = _capped([line for line in f["developments"]], most) or [
        "Geen ontwikkeling die zonder dit project niet past in de analysejaren."]
    if f["other_ids"]:
        served_items.append(f"Verder aangesloten op hetzelfde station: {len(f['other_ids'])} ontwikkeling"
                            f"{'en' if len(f['other_ids']) != 1 else ''}.")

    # Reason for inclusion in the pMIEK.
    reasons: list[str] = _lines(user["reason_inclusion"])
    if not reasons:
        d = level.get(by_method.get("urgency", ""))
        ready = row.get("year_ready")
        if first_year is not None and pd.notna(first_year) and pd.notna(ready) and ready > first_year:
            reasons.append(f"Versnelling nodig: tekort vanaf {int(first_year)}, project pas gereed in {int(ready)}.")
        elif d in ("hoog", "gemiddeld"):
            reasons.append("Prioritering: het project lost een (dreigend) tekort op het station op.")
        if row.get("status") in ("proposed", "narrative"):
            reasons.append("Bevestiging van nut en noodzaak nodig: het project staat nog niet in een "
                           "investeringsplan.")
        if row.get("funding") in ("none", "partial"):
            reasons.append("Financiering: " + _FUNDING_NL[row.get("funding")] + ".")
        reasons.append(f"Rang {int(table['rank'])} van {len(assessment.table)} in de afweging "
                       f"(gewogen score {format_number(table['weighted_score'], 1)}).")

    # Phase of the infrastructure and of the developments behind it.
    phase = _lines(user["phase"])
    if not phase:
        status = _text(row.get("status"))
        phase.append(f"Infrastructuur: {value_label('status', status).lower() if status else 'onbekend'}"
                     + (f", gereed {_year(row['year_ready'])}" if pd.notna(row.get("year_ready")) else "") + ".")
        served = f["served_frame"]
        if len(served):
            counts = served["certainty"].value_counts()
            parts = [f"{int(counts[c])} {value_label('certainty', c).lower()}"
                     for c in ("committed", "planned", "intended", "speculative") if c in counts.index]
            phase.append("Ontwikkelingen: " + ", ".join(parts) + ".")

    deps = _lines(user["dependencies"]) or _dependencies(f, facts) or ["Geen relatie met andere pMIEK-projecten bekend."]
    st = f["station"]
    if not _lines(user["dependencies"]):
        if row.get("infra_type") == "cable_ehv" or (st is not None and st.get("level") == "EHS"):
            deps.append("Raakt het extra-hoogspanningsnet: afstemmen met TenneT en het nationaal MIEK.")
        else:
            deps.append("Geen relatie met een project uit het nationaal MIEK bekend.")
    outside = _lines(user["dependencies_outside"])
    if not outside:
        if f["outside_region"]:
            outside.append(f"Het project ligt deels buiten de regio {region.name}: afstemmen met de buren.")
        served = f["served_frame"]
        if len(served) and served["municipality_code"].isna().any():
            outside.append("Een deel van de bediende ontwikkelingen ligt buiten de regio.")
        outside = outside or [f"Geen bekend: project en bediende ontwikkelingen liggen binnen {region.name}."]
    agreements = _lines(user["agreements"])
    if not agreements:
        accel = any(r.startswith("Versnelling") for r in reasons)
        agreements.append("Versnelling nodig: ja." if accel else "Versnelling nodig: niet uit de analyse gebleken.")
        agreements.append("Wie doet wat: " + "; ".join(f["parties"]) + ".")
        agreements.append("Nadere afspraken vast te leggen door de werkorganisatie pMIEK.")

    score_rows = []
    for c in fw.criteria:
        s = scores.loc[scores["criterion"] == c.code].iloc[0]
        reason = _text(s["reason"])
        reason = reason if len(reason) <= cut else reason[: cut - 1].rstrip() + "…"
        lv = s["level"]
        score_rows.append({"title": c.title, "label": s["level_label"], "css": lv if lv in ("hoog", "gemiddeld", "laag")
                           else "none", "reason": reason, "source": _SOURCE_NL.get(s["source"], s["source"])})
    return {
        "version": __version__,
        "region_name": region.name,
        "name": _text(row["name"]),
        "project_id": pid,
        "rank": int(table["rank"]),
        "n_projects": len(assessment.table),
        "weighted_score": format_number(table["weighted_score"], 1),
        "rank_interval": _interval(table["rank_p05"], table["rank_p95"]),
        "top_k": assessment.top_k,
        "p_top_k": format_number(100 * table["p_top_k"], 0, "%"),
        "general": [
            ("Naam project", [_text(row["name"])]),
            ("Locatie", f["location"]),
            ("Type infra", [f["type"]]),
            ("Sectoren", [", ".join(f["sectors"]) or "geen ontwikkeling die van dit project afhangt"]),
            ("Financiële informatie", [f["finance"]]),
            ("Planning", [f["planning"]]),
            ("Betrokken partijen", _capped(f["parties"], most)),
        ],
        "map_uri": map_uri,
        "map_caption": "Project (rood), stations (▲), bediende ontwikkelingen (•), beperkingen (groen).",
        "columns": [
            [
                {"title": "Projectomschrijving en narratief", "paragraphs": narrative or
                 ["Nog geen omschrijving ingevuld."], "entries": []},
                {"title": "Welke ontwikkelingen worden bediend?", "paragraphs": [], "entries": served_items},
                {"title": "Reden van opname in het pMIEK", "paragraphs": [], "entries": _capped(reasons, most)},
            ],
            [
                {"title": "Projectfase", "paragraphs": [], "entries": _capped(phase, most)},
                {"title": "Afhankelijkheden van andere projecten", "paragraphs": [], "entries": _capped(deps, most)},
                {"title": "Afhankelijkheden buiten de provincie", "paragraphs": [],
                 "entries": _capped(outside, most)},
                {"title": "Uitvoeringsafspraken", "paragraphs": [], "entries": _capped(agreements, most)},
            ],
        ],
        "framework_name": fw.name,
        "scores": score_rows,
        "total_text": (f"Gewogen score {format_number(table['weighted_score'], 1)} van 100 "
                       f"(hoog 2, gemiddeld 1, laag 0 punten; geen invoer telt neutraal). "
                       f"Rang {int(table['rank'])}; bij {assessment.n_perturbations} willekeurig verstoorde gewichten "
                       f"(σ = {format_number(assessment.weight_noise, 2)}, seed {assessment.seed}) rang "
                       f"{_interval(table['rank_p05'], table['rank_p95'])} (p5–p95)."),
        "footer": (f"Scenario {assessment.scenario}, horizon {assessment.year}. Gegenereerd met energieplanologie "
                   f"{__version__}; oordelen afgeleid uit de analyses kunnen door de werkorganisatie pMIEK worden "
                   f"overschreven (vastgelegd in afweging_overschrijvingen.csv)."),
        "font_pt": "8.5",
    }


def project_sheet_html(assessment: Assessment, region: Any, project_id: str, *, map_png: bytes | None = None,
                       font_pt: float = 9.0, compact: bool = False, hotspots: Any = None) -> str:
    """The HTML of one project sheet (self-contained: CSS and map inline; every data value escaped).

    Parameters
    ----------
    assessment, region
        As for :func:`project_list`.
    project_id : str
        The project.
    map_png : bytes, optional
        The map image; drawn when None.
    font_pt : float, default 9.0
        Base font size (the PDF writer lowers it until the sheet fits one A4).
    compact : bool, default False
        Shorter lists and reasons.
    hotspots : GeoDataFrame or HotspotResult, optional
        Knooppunten to draw on the map.

    Returns
    -------
    str
        A complete HTML document (Dutch) for one A4 page, with its map inlined as PNG.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie.assessment import score_projects
    >>> region = ep.load_sample()
    >>> html = project_sheet_html(score_projects(region, n_perturbations=100), region, "P03")
    >>> html.startswith("<!DOCTYPE html>"), "150 kV station Kanaalzone" in html
    (True, True)
    """
    facts = _sheet_facts(assessment, region)
    f = next((x for x in facts if x["project_id"] == project_id), None)
    if f is None:
        raise EnergieplanologieError(f"project {project_id!r} komt niet voor in de afweging")
    return _render(f, facts, assessment, region, map_png, font_pt, compact, getattr(hotspots, "hotspots", hotspots))


def project_sheet_context(assessment: Assessment, region: Any, project_id: str, *, compact: bool = False,
                          hotspots: Any = None) -> tuple[dict[str, Any], bytes]:
    """The content of one project sheet as the HTML template and the PDF writers get it, and its map (PNG).

    Parameters
    ----------
    assessment, region, project_id, compact, hotspots
        As for :func:`project_sheet_html`.

    Returns
    -------
    (dict, bytes)
        The sheet's texts and tables (Dutch; not yet escaped) and the map image.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie.assessment import score_projects
    >>> region = ep.load_sample()
    >>> ctx, png = project_sheet_context(score_projects(region, n_perturbations=100), region, "P03")
    >>> ctx["name"], png[:4]
    ('150 kV station Kanaalzone', b'\x89PNG')
    """
    facts = _sheet_facts(assessment, region)
    f = next((x for x in facts if x["project_id"] == project_id), None)
    if f is None:
        raise EnergieplanologieError(f"project {project_id!r} komt niet voor in de afweging")
    hs = getattr(hotspots, "hotspots", hotspots)
    png = _map_png(f, region, hs)
    return _context(f, facts, assessment, region, png, compact), png


def _context(f: dict[str, Any], facts: Sequence[dict[str, Any]], assessment: Assessment, region: Any,
             png: bytes, compact: bool) -> dict[str, Any]:
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return _sheet_context(f, facts, assessment, region, uri, compact=compact)


def _render(f: dict[str, Any], facts: Sequence[dict[str, Any]], assessment: Assessment, region: Any,
            map_png: bytes | None, font_pt: float, compact: bool, hotspots: Any) -> str:
    png = map_png if map_png is not None else _map_png(f, region, hotspots)
    return _render_context(_context(f, facts, assessment, region, png, compact), font_pt)


def _render_context(ctx: dict[str, Any], font_pt: float) -> str:
    return render_template("projectfiche.html.j2", **{**ctx, "font_pt": f"{font_pt:.2f}"})


#: Font sizes tried, then the compact variant, until a sheet fits one A4.
_FIT_STEPS: tuple[tuple[float, bool], ...] = ((9.0, False), (8.3, False), (7.8, False), (7.2, False), (7.2, True), (6.6, True),
                                              (6.0, True))


def _first_fitting(fits: Callable[[int], bool], n_steps: int, *, start: int = 0) -> int:
    """The first of the steps ``0 … n_steps - 1`` for which ``fits(step)`` holds (the last when none does), searched
    from ``start``.

    A later step never makes a sheet longer (a smaller font, then shorter lists), so the answer is the step that fits
    while the one before it does not. Started at the answer or just before it, ``fits`` is asked twice rather than
    once for every step up to the answer; started anywhere, the answer is the same.

    Examples
    --------
    >>> asked = []
    >>> def fits(step):
    ...     asked.append(step)
    ...     return step >= 2
    >>> _first_fitting(fits, 7), asked
    (2, [0, 1, 2])
    >>> asked.clear()
    >>> _first_fitting(fits, 7, start=1), asked
    (2, [1, 2])
    >>> asked.clear()
    >>> _first_fitting(fits, 7, start=4), asked
    (2, [4, 3, 2, 1])
    >>> _first_fitting(lambda step: False, 7, start=3), _first_fitting(lambda step: True, 7, start=3)
    (6, 0)
    """
    step = min(max(start, 0), n_steps - 1)
    if fits(step):
        while step > 0 and fits(step - 1):
            step -= 1
        return step
    while step < n_steps - 1:
        step += 1
        if fits(step):
            break
    return step


def _pdf_document(html: str, base: Path, fonts: dict[str, Any] | None = None) -> Any:
    """The sheet laid out by WeasyPrint; ``fonts`` keeps one font configuration and image cache for the sheets
    of one process (building them anew per sheet was a third of each rendering)."""
    import weasyprint

    if fonts is None:
        return weasyprint.HTML(string=html, base_url=str(base)).render()
    if not fonts:
        from weasyprint.text.fonts import FontConfiguration

        fonts.update(font_config=FontConfiguration(), cache={})
    return weasyprint.HTML(string=html, base_url=str(base)).render(font_config=fonts["font_config"],
                                                                    cache=fonts["cache"])


#: PDF renderers of the project sheets: ``"weasyprint"`` draws the HTML sheet itself (the ``pdf`` extra; needs
#: Pango, on Windows GTK); ``"fpdf"`` draws the same content in pure Python (always installed).
PDF_RENDERERS = ("weasyprint", "fpdf")
#: How to get the nicer renderer, said once when it is missing.
PDF_EXTRA_HINT = ("pip install 'energieplanologie[pdf]' (WeasyPrint en pypdf; WeasyPrint vraagt ook Pango: "
                  "apt install libpango-1.0-0 libpangoft2-1.0-0, op Windows GTK)")
_log = logging.getLogger("energieplanologie")


def _weasyprint_problem() -> str | None:
    """Why WeasyPrint cannot render here (None when it can)."""
    import importlib

    for module, name in (("weasyprint", "WeasyPrint"), ("pypdf", "pypdf")):
        try:
            importlib.import_module(module)
        except ImportError:
            return f"{name} is niet geïnstalleerd"
        except OSError as exc:  # WeasyPrint installed, Pango/GTK missing
            return f"{name} vindt zijn systeembibliotheken niet ({exc})"
    return None


def pdf_renderer(choice: str = "auto") -> str:
    """The PDF renderer to use: ``choice`` itself, or with ``"auto"`` WeasyPrint when it works here, else fpdf.

    With ``"auto"`` and no working WeasyPrint the choice is logged once (logger ``energieplanologie``, level
    WARNING) with what is skipped and how to add it; the CLI prints it. ``"weasyprint"`` without a working
    WeasyPrint raises :class:`EnergieplanologieError`.

    Examples
    --------
    >>> pdf_renderer("fpdf")
    'fpdf'
    >>> pdf_renderer("auto") in PDF_RENDERERS
    True
    """
    if choice not in ("auto", *PDF_RENDERERS):
        raise EnergieplanologieError(f"onbekende PDF-opmaak {choice!r}; kies auto, weasyprint of fpdf")
    if choice == "fpdf":
        return choice
    problem = _weasyprint_problem()
    if problem is None:
        return "weasyprint"
    if choice == "weasyprint":
        raise EnergieplanologieError(f"PDF met WeasyPrint kan niet: {problem}. Installeer het: {PDF_EXTRA_HINT}")
    _log.warning("PDF-projectfiches gemaakt met de ingebouwde opmaak (fpdf2); de HTML-opmaak met WeasyPrint is "
                 "overgeslagen: %s. Toevoegen: %s.", problem, PDF_EXTRA_HINT)
    return "fpdf"


def write_project_sheets(
    assessment: Assessment,
    region: Any,
    out_dir: str | Path,
    *,
    pdf: bool = True,
    hotspots: Any = None,
    progress: ProgressCallback | None = None,
    pdf_engine: str = "auto",
    allocation: pd.DataFrame | None = None,
    project_ids: Sequence[str] | None = None,
    facts: ProjectFacts | None = None,
) -> list[Path]:
    """Write one project sheet per project: ``fiches/<id>.html`` and, with ``pdf``, ``fiches/<id>.pdf`` (exactly one
    A4 page each) plus ``fiches/pmiek_projectfiches.pdf`` (all, in rank order) and ``fiches/index.html``.

    The PDF is rendered with WeasyPrint from the same HTML when it is installed, else drawn from the same content
    in pure Python (:mod:`energieplanologie.sheet_pdf`, see :func:`pdf_renderer`); when a sheet does not fit one
    page the font is lowered step by step, then lists and reasons are shortened; the HTML written is the version
    that fits.

    Parameters
    ----------
    assessment, region
        As for :func:`project_list`.
    out_dir : path
        The pMIEK folder; sheets go into ``out_dir/fiches``.
    pdf : bool, default True
        Also write PDFs.
    hotspots : GeoDataFrame or HotspotResult, optional
        Knooppunten to draw on the maps.
    progress : callable, optional
        ``progress(fraction, message)``.
    pdf_engine : {"auto", "weasyprint", "fpdf"}, default "auto"
        The PDF renderer (:func:`pdf_renderer`).
    allocation : GeoDataFrame, optional
        The allocation the afweging's balance used (the pipeline's :class:`~energieplanologie.pipeline.Analysis`
        hands it on); computed with the default options when None.
    project_ids : sequence of str, optional
        Only these projects get a sheet (see :func:`energieplanologie.output_choice.project_sheet_ids`); the index
        still lists every project. Default: all.
    facts : ProjectFacts, optional
        :func:`project_facts` of this afweging (worked out here when None).

    Returns
    -------
    list of Path
        Files written, in order.

    Examples
    --------
    >>> paths = write_project_sheets(assessment, region, "uit/pmiek")  # doctest: +SKIP
    """
    return run_plan(project_sheets_plan(assessment, region, out_dir, pdf=pdf, hotspots=hotspots, progress=progress,
                                        pdf_engine=pdf_engine, allocation=allocation, project_ids=project_ids,
                                        facts=facts))


def project_sheets_plan(
    assessment: Assessment,
    region: Any,
    out_dir: str | Path,
    *,
    pdf: bool = True,
    hotspots: Any = None,
    progress: ProgressCallback | None = None,
    pdf_engine: str = "auto",
    allocation: pd.DataFrame | None = None,
    project_ids: Sequence[str] | None = None,
    facts: ProjectFacts | None = None,
) -> Plan[list[Path]]:
    """:func:`write_project_sheets` as a plan (:func:`energieplanologie._workers.run_plans`): the sheets are
    rendered by the batch it yields, written in rank order with the combined PDF and ``index.html`` when it
    finishes (the pure-Python renderer needs no batch: it writes while preparing).

    Examples
    --------
    >>> from energieplanologie._workers import run_plan
    >>> paths = run_plan(project_sheets_plan(assessment, region, "uit/pmiek"))  # doctest: +SKIP
    """
    renderer = pdf_renderer(pdf_engine) if pdf else None
    if renderer == "fpdf":
        return _write_sheets_fpdf(assessment, region, out_dir, hotspots=hotspots, progress=progress,
                                  allocation=allocation, project_ids=project_ids, facts=facts)
    if pdf:
        import pypdf
    fiches = Path(out_dir) / "fiches"
    fiches.mkdir(parents=True, exist_ok=True)
    root = fiches.resolve()
    hs = getattr(hotspots, "hotspots", hotspots)
    sheet_facts = _sheet_facts(assessment, region, allocation, facts)  # every project: a sheet names its neighbours
    chosen = _chosen(sheet_facts, project_ids)
    stems: list[str] = []
    taken: set[str] = set()
    for f in chosen:
        stem = safe_filename(f["project_id"], taken)
        taken.add(stem)
        stems.append(stem)
        if (fiches / f"{stem}.html").resolve().parent != root:  # pragma: no cover - safe_filename prevents this
            raise EnergieplanologieError(f"projectfiche {f['project_id']!r} zou buiten {fiches} komen")
    fonts: dict[str, Any] = {}  # one font configuration and image cache per process (WeasyPrint)
    # The fitting step and the text length of the sheet this process drew last. Sheets of one region are alike in
    # length, so the next search starts at that step when this sheet has more text, else one step before it: a
    # sheet that needs the same step or the one next to it then costs two layouts (the step before, which must not
    # fit, and the step itself) instead of one per step from the largest font on.
    last = {"step": 0, "text": 0}

    def one(f: dict[str, Any]) -> tuple[str, bytes | None]:
        # One sheet: its HTML and PDF (made in a worker process when several are at hand; written below, in order).
        png = _map_png(f, region, hs)
        contexts: dict[bool, dict[str, Any]] = {}  # the steps differ in font size; the content only when compact
        tried: dict[int, tuple[str, Any]] = {}  # step -> (HTML, WeasyPrint document)

        def html_at(step: int) -> str:
            font_pt, compact = _FIT_STEPS[step]
            if compact not in contexts:
                contexts[compact] = _context(f, sheet_facts, assessment, region, png, compact)
            return _render_context(contexts[compact], font_pt)

        if not pdf:
            return html_at(0), None

        def fits(step: int) -> bool:
            html = html_at(step)
            tried[step] = (html, _pdf_document(html, fiches, fonts))
            return len(tried[step][1].pages) == 1

        text = len(html_at(0)) - len(contexts[False]["map_uri"] or "")
        step = _first_fitting(fits, len(_FIT_STEPS), start=last["step"] - (0 if text > last["text"] else 1))
        last.update(step=step, text=text)
        html, document = tried[step]
        if len(document.pages) > 1:
            # Still too long at the smallest size and shortest lists: the PDF keeps the first page (the HTML
            # keeps everything). The caps on lists and reasons make this practically unreachable.
            document = document.copy(document.pages[:1])
        return html, document.write_pdf()

    written: list[Path] = []
    pdfs: list[Path] = []
    index_rows: list[tuple[dict[str, Any], str | None]] = []
    # The combined PDF takes each sheet as it arrives (this process waits for the next one anyway).
    combined_writer = pypdf.PdfWriter() if pdf else None
    results = yield Batch(one, chosen)
    for i, (f, stem, (html, pdf_bytes)) in enumerate(zip(chosen, stems, results, strict=True)):
        report(progress, i / max(1, len(chosen)), f"projectfiche {f['project_id']}")
        html_path, pdf_path = fiches / f"{stem}.html", fiches / f"{stem}.pdf"
        with atomic_write(html_path) as tmp:
            tmp.write_text(html, encoding="utf-8")
        written.append(html_path)
        if pdf_bytes is not None:
            with atomic_write(pdf_path) as tmp:
                tmp.write_bytes(pdf_bytes)
            written.append(pdf_path)
            pdfs.append(pdf_path)
            if combined_writer is not None:
                combined_writer.append(str(pdf_path))
        index_rows.append((f, stem))
    if combined_writer is not None and pdfs:
        combined = fiches / "pmiek_projectfiches.pdf"
        writer = combined_writer
        writer.add_metadata({"/Title": f"Projectfiches pMIEK {region.name}", "/Producer": "energieplanologie"})
        with atomic_write(combined) as tmp, open(tmp, "wb") as fh:
            writer.write(fh)
        written.append(combined)
    index = fiches / "index.html"
    with atomic_write(index) as tmp:
        tmp.write_text(_index_html(_with_unwritten(index_rows, sheet_facts), assessment, region, pdf), encoding="utf-8")
    written.append(index)
    report(progress, 1.0, "projectfiches klaar")
    return written


def _write_sheets_fpdf(assessment: Assessment, region: Any, out_dir: str | Path, *, hotspots: Any,
                       progress: ProgressCallback | None, allocation: pd.DataFrame | None = None,
                       project_ids: Sequence[str] | None = None, facts: ProjectFacts | None = None) -> list[Path]:
    """:func:`write_project_sheets` with the pure-Python PDF writer (same files, same fitting steps)."""
    from energieplanologie.sheet_pdf import sheet_fits, write_sheets

    fiches = Path(out_dir) / "fiches"
    fiches.mkdir(parents=True, exist_ok=True)
    root = fiches.resolve()
    hs = getattr(hotspots, "hotspots", hotspots)
    sheet_facts = _sheet_facts(assessment, region, allocation, facts)  # every project: a sheet names its neighbours
    chosen = _chosen(sheet_facts, project_ids)
    written: list[Path] = []
    pages = []
    taken: set[str] = set()
    index_rows: list[tuple[dict[str, Any], str | None]] = []
    for i, f in enumerate(chosen):
        report(progress, i / max(1, len(chosen)), f"projectfiche {f['project_id']}")
        stem = safe_filename(f["project_id"], taken)
        taken.add(stem)
        html_path, pdf_path = fiches / f"{stem}.html", fiches / f"{stem}.pdf"
        if html_path.resolve().parent != root:  # pragma: no cover - safe_filename prevents this
            raise EnergieplanologieError(f"projectfiche {f['project_id']!r} zou buiten {fiches} komen")
        png = _map_png(f, region, hs)
        contexts: dict[bool, dict[str, Any]] = {}  # the steps differ in font size; the content only when compact
        for font_pt, compact in _FIT_STEPS:
            if compact not in contexts:
                contexts[compact] = _context(f, sheet_facts, assessment, region, png, compact)
            ctx = contexts[compact]
            if sheet_fits(ctx, png, font_pt=font_pt):
                break
        # Still too long at the smallest size and shortest lists: the page shows what fits (the HTML keeps
        # everything). The caps on lists and reasons make this practically unreachable.
        with atomic_write(html_path) as tmp:
            tmp.write_text(_render_context(ctx, font_pt), encoding="utf-8")
        with atomic_write(pdf_path) as tmp:
            write_sheets([(ctx, png, font_pt)], tmp, title=f"Projectfiche {_text(f['row']['name'])}")
        written += [html_path, pdf_path]
        pages.append((ctx, png, font_pt))
        index_rows.append((f, stem))
    if pages:
        combined = fiches / "pmiek_projectfiches.pdf"
        with atomic_write(combined) as tmp:
            write_sheets(pages, tmp, title=f"Projectfiches pMIEK {region.name}")
        written.append(combined)
    index = fiches / "index.html"
    with atomic_write(index) as tmp:
        tmp.write_text(_index_html(_with_unwritten(index_rows, sheet_facts), assessment, region, True), encoding="utf-8")
    written.append(index)
    report(progress, 1.0, "projectfiches klaar")
    return written


def _chosen(facts: list[dict[str, Any]], project_ids: Sequence[str] | None) -> list[dict[str, Any]]:
    """The facts of the projects that get a sheet (all when ``project_ids`` is None), in rank order."""
    if project_ids is None:
        return facts
    wanted = {str(p) for p in project_ids}
    unknown = sorted(wanted - {str(f["project_id"]) for f in facts})
    if unknown:
        raise ConfigError(f"fiches: project {unknown[0]!r} komt niet voor in de afweging", key="fiches")
    return [f for f in facts if str(f["project_id"]) in wanted]


def _with_unwritten(rows: list[tuple[dict[str, Any], str | None]],
                    facts: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str | None]]:
    """The index rows of every project in rank order: those without a sheet get ``None``."""
    stems = {f["project_id"]: stem for f, stem in rows}
    return [(f, stems.get(f["project_id"])) for f in facts]


def _index_html(rows: list[tuple[dict[str, Any], str | None]], assessment: Assessment, region: Any, pdf: bool) -> str:
    import html as _html

    table = assessment.table.set_index("project_id")
    body = []
    for f, stem in rows:
        t = table.loc[f["project_id"]]
        links = "op verzoek" if stem is None else f'<a href="{_html.escape(stem)}.html">HTML</a>' + (
            f' · <a href="{_html.escape(stem)}.pdf">PDF</a>' if pdf else "")
        body.append(f"<tr><td>{int(t['rank'])}</td><td>{_html.escape(_text(f['row']['name']))}</td>"
                    f"<td>{_html.escape(f['project_id'])}</td><td>{format_number(t['weighted_score'], 1)}</td>"
                    f"<td>{links}</td></tr>")
    missing = sum(stem is None for _, stem in rows)
    combined = '<p><a href="pmiek_projectfiches.pdf">Alle projectfiches in één PDF</a></p>' if pdf else ""
    if missing:
        combined = '<p><a href="pmiek_projectfiches.pdf">Deze projectfiches in één PDF</a></p>' \
            if pdf and missing < len(rows) else ""
        have = len(rows) - missing
        combined += (f"<p>{format_number(have, 0)} van de {format_number(len(rows), 0)} projecten "
                     f"{'heeft' if have == 1 else 'hebben'} hier een fiche. Een fiche voor een ander project maakt "
                     "<code>energieplanologie run … --fiches ID,ID</code> (of <code>--fiches top</code> voor de hoogst "
                     "gerangschikte, <code>--fiches alle</code>).</p>")
    name = _html.escape(region.name)
    return ("<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
            f"<title>Projectfiches pMIEK {name}</title>"
            "<style>body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em;color:#1a1a1a}"
            "table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}"
            "th{background:#1f4e79;color:#fff}</style></head><body>"
            f"<h1>Projectfiches provinciaal MIEK · {name}</h1>{combined}"
            "<table><thead><tr><th>Rang</th><th>Naam project</th><th>Project-id</th><th>Gewogen score</th>"
            "<th>Fiche</th></tr></thead><tbody>" + "".join(body) + "</tbody></table></body></html>\n")


def write_project_tables(assessment: Assessment, region: Any, out_dir: str | Path, *,
                         allocation: pd.DataFrame | None = None, facts: ProjectFacts | None = None) -> list[Path]:
    """Write the pMIEK's tables into ``out_dir``: the project list (XLSX and CSV, :func:`write_project_list`) and
    the afweging (:func:`write_assessment`); :func:`write_pmiek` without the sheets. ``facts``
    (:func:`project_facts`) saves working them out again when the sheets are written too.

    Examples
    --------
    >>> import energieplanologie as ep, tempfile
    >>> from energieplanologie.assessment import score_projects
    >>> region = ep.load_sample()
    >>> paths = write_project_tables(score_projects(region, n_perturbations=50), region, tempfile.mkdtemp())
    >>> sorted(p.name for p in paths)[:2]
    ['afweging.csv', 'afweging_overschrijvingen.csv']
    """
    out = Path(out_dir)
    return write_project_list(project_list(assessment, region, allocation=allocation, facts=facts), out) + \
        write_assessment(assessment, out)


def write_pmiek(
    assessment: Assessment,
    region: Any,
    out_dir: str | Path,
    *,
    pdf: bool = True,
    hotspots: Any = None,
    progress: ProgressCallback | None = None,
    allocation: pd.DataFrame | None = None,
    project_ids: Sequence[str] | None = None,
) -> list[Path]:
    """Write all pMIEK products into ``out_dir`` (the ``pmiek/`` folder of DESIGN §9).

    ``projectenlijst.xlsx``, ``projectenlijst.csv``, ``afweging.csv``, ``afweging_redenen.csv``,
    ``afweging_overschrijvingen.csv`` and ``fiches/`` (see :func:`write_project_sheets`).

    Parameters
    ----------
    assessment : Assessment
        The afweging (:func:`~energieplanologie.assessment.score_projects`).
    region : Region
        The region it was made for.
    out_dir : path
        Target folder; created when missing.
    pdf : bool, default True
        Also write each project sheet as PDF (WeasyPrint when installed, else pure Python; see
        :func:`pdf_renderer`).
    hotspots : GeoDataFrame or HotspotResult, optional
        Knooppunten to draw on the sheets' maps.
    progress : callable, optional
        ``progress(fraction, message)``.
    allocation : GeoDataFrame, optional
        The allocation the afweging's balance used (the pipeline's :class:`~energieplanologie.pipeline.Analysis`
        hands it on); computed with the default options when None.
    project_ids : sequence of str, optional
        Only these projects get a sheet (:func:`write_project_sheets`); the list and the afweging hold all.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie.assessment import score_projects
    >>> import tempfile
    >>> region = ep.load_sample()
    >>> paths = write_pmiek(score_projects(region, n_perturbations=100), region, tempfile.mkdtemp(), pdf=False)
    >>> sorted(p.name for p in paths if p.parent.name != "fiches")  # doctest: +NORMALIZE_WHITESPACE
    ['afweging.csv', 'afweging_overschrijvingen.csv', 'afweging_redenen.csv', 'projectenlijst.csv',
     'projectenlijst.xlsx']
    """
    report(progress, 0.0, "projectenlijst")
    facts = project_facts(assessment, region, allocation=allocation)  # once, for the list and the sheets
    written = write_project_tables(assessment, region, out_dir, allocation=allocation, facts=facts)
    written += write_project_sheets(assessment, region, out_dir, pdf=pdf, hotspots=hotspots,
                                    progress=scaled(progress, 0.1, 1.0), allocation=allocation,
                                    project_ids=project_ids, facts=facts)
    return written
