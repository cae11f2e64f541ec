"""Reader for the grid operators' *capaciteitskaart* information model (Netbeheer Nederland, v1.2).

A capaciteitskaart file (YAML or JSON; see ``tests/data/capaciteitskaart/`` and the model's repository
``Netbeheer-Nederland/im-capaciteitskaart``) is a data set with Dublin Core metadata (``conforms_to``, ``issued``,
``valid`` …) and a list of areas under ``substations`` or ``energy_areas``. Each area has a ``short_code``, the
available and quoted transport capacity, the queue for offtake (``demand_*``) and feed-in (``generation_*``), a
RAG colour per direction, planned ``works`` and the postcode areas it serves.

:func:`read_capaciteitskaart` turns one file into the canonical ``station_capacity`` table (one row per area),
``infrastructure`` (one row per work, located at the matched station) and a ``postcode_areas`` table, each
layer with its :class:`~energieplanologie.ValidationReport`. The data carry no coordinates: pass the canonical
``stations`` layer to join areas to stations by their ``short_code`` column (or ``station_id``).

Field mapping (area → ``station_capacity``):

==================================  ==========================
``demand_available_capacity``       ``offtake_capacity_mw``
``demand_quoted_capacity``          ``offtake_load_mw``
``demand_capacity_in_queue``        ``queue_offtake_mw``
``demand_requests_in_queue``        ``queue_offtake_requests``
``demand_constraint``               ``offtake_constraint``
``generation_*``                    the same for ``feedin_*``
==================================  ==========================

Works: ``work_order_number`` (else ``project_name``) → ``project_id``; ``status_kind`` completed/closed →
``existing``, waitingOnApproval → ``proposed``, other open kinds or none → ``investment_plan``, cancelled → not
taken (reported); ``year_ready`` from the latest schedule end date, else its ``year`` (a quarter is noted in the
description). Schedule values given as text are read when they name a year unambiguously (``'Q3-2026'``,
``'2026-Q3'``, ``'3e kwartaal 2026'``, ``'eind 2026'``, ``'31-12-2026'``; reported as a repair); any other value
(``'2026/2027'``, ``'onbekend'``) is reported as unreadable, and a work without a readable schedule has no
``year_ready``: it counts in no year. The capacity a work adds is not in the model: the schema's default (0 MW)
is filled and reported.

Areas (v1.2): only ``short_code`` is required; every capacity is optional (minimum 0). An area without
``demand_available_capacity`` (or ``generation_available_capacity``) is kept with that capacity unknown (a
warning; the balance shows status *unknown*, never a silent 0 MW). MW values of
:data:`IMPLAUSIBLE_AREA_MW` or more for one area are warned about (most likely kW typed as MW).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from energieplanologie._errors import ReadError, os_reason
from energieplanologie._limits import MAX_NESTING, nesting_exceeds
from energieplanologie.region import empty_layer
from energieplanologie.report import ValidationReport, merge_reports
from energieplanologie.schema import CRS_RD, RAG, normalise_enum, validate

__all__ = [
    "CAPACITY_FIELDS",
    "IMPLAUSIBLE_AREA_MW",
    "CapaciteitskaartRead",
    "from_document",
    "is_capaciteitskaart",
    "load_if_capaciteitskaart",
    "read_capaciteitskaart",
]

#: Area field → canonical ``station_capacity`` column.
CAPACITY_FIELDS: dict[str, str] = {
    "demand_available_capacity": "offtake_capacity_mw",
    "demand_quoted_capacity": "offtake_load_mw",
    "demand_capacity_in_queue": "queue_offtake_mw",
    "demand_requests_in_queue": "queue_offtake_requests",
    "demand_constraint": "offtake_constraint",
    "generation_available_capacity": "feedin_capacity_mw",
    "generation_quoted_capacity": "feedin_load_mw",
    "generation_capacity_in_queue": "queue_feedin_mw",
    "generation_requests_in_queue": "queue_feedin_requests",
    "generation_constraint": "feedin_constraint",
}

#: Required area fields: in the information model's final v1.2 only ``short_code`` is required; every capacity
#: is optional (minimum 0). An area without ``demand_available_capacity`` loads with its capacity unknown.
REQUIRED_FIELDS = ("short_code",)

#: The MW fields of an area (capacities, quoted capacity, queue).
MW_FIELDS = tuple(f for f in CAPACITY_FIELDS if f.endswith(("_available_capacity", "_quoted_capacity",
                                                               "_capacity_in_queue")))
#: Above this an area's MW are implausible for one supply area (the largest Dutch substations carry a few
#: thousand MW): most likely kW typed as MW. Warned, not rejected.
IMPLAUSIBLE_AREA_MW = 5_000.0

#: CIM WorkStatusKind → canonical infrastructure status (None: the work is not taken).
WORK_STATUS: dict[str, str | None] = {
    "completed": "existing",
    "closed": "existing",
    "waitingonapproval": "proposed",
    "approved": "investment_plan",
    "waitingtobescheduled": "investment_plan",
    "scheduled": "investment_plan",
    "waitingonmaterial": "investment_plan",
    "dispatched": "investment_plan",
    "enroute": "investment_plan",
    "onsite": "investment_plan",
    "inprogress": "investment_plan",
    "cancelled": None,
}

_AREA_KEYS = ("substations", "energy_areas")
_POSTCODE = re.compile(r"^\d{4}[A-Z]{2}$")


class CapaciteitskaartRead(NamedTuple):
    """What :func:`read_capaciteitskaart` returns.

    Attributes
    ----------
    station_capacity : DataFrame
        Canonical ``station_capacity`` rows, one per area, plus the area's ``short_code``.
    infrastructure : GeoDataFrame
        Canonical ``infrastructure`` rows, one per work, at the matched station's point.
    postcode_areas : DataFrame
        ``short_code`` (the area), ``postcode``, ``substation_short_code``, ``offtake_constraint``,
        ``feedin_constraint``.
    reports : dict of str to ValidationReport
        ``"station_capacity"`` and ``"infrastructure"``: every error, repair and warning, with the row
        accounting (rows are area positions, resp. work positions in file order).
    """

    station_capacity: pd.DataFrame
    infrastructure: gpd.GeoDataFrame
    postcode_areas: pd.DataFrame
    reports: dict[str, ValidationReport]


def is_capaciteitskaart(document: Any) -> bool:
    """True when a parsed document is a capaciteitskaart data set.

    It is when its top level has ``conforms_to`` mentioning ``capaciteitskaart`` or a list under
    ``substations`` or ``energy_areas``.

    Examples
    --------
    >>> is_capaciteitskaart({"conforms_to": "http://data.netbeheernederland.nl/capaciteitskaart/v1.2.0"})
    True
    >>> is_capaciteitskaart({"type": "FeatureCollection", "features": []})
    False
    """
    if not isinstance(document, Mapping):
        return False
    if "capaciteitskaart" in str(document.get("conforms_to", "")).casefold():
        return True
    return any(isinstance(document.get(k), list) for k in _AREA_KEYS)


def _load(path: Path) -> Any:
    try:
        text_bytes = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: bestand niet te lezen ({os_reason(exc)}).") from exc
    if not text_bytes.strip():
        raise ReadError(f"{path}: bestand is leeg.")
    try:
        text = text_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path}: geen UTF-8 ({exc}).") from exc
    too_deep = ReadError(f"{path}: te diep genest (meer dan {MAX_NESTING} niveaus); een capaciteitskaart heeft er "
                         "hooguit een stuk of zes.")
    try:
        if path.suffix.lower() == ".json":
            try:
                document = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ReadError(f"{path}: ongeldige JSON ({exc}).") from exc
        else:
            document = _load_yaml(path, text)
    except RecursionError:
        raise too_deep from None
    if nesting_exceeds(document):
        raise too_deep
    return document


def _load_yaml(path: Path, text: str) -> Any:
    """YAML without anchors and aliases: a capaciteitskaart does not use them, and nested aliases let a few
    hundred bytes expand into billions of items ("billion laughs")."""
    import yaml

    class NoAliases(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.events.AliasEvent):
                raise _AliasFound(self.peek_event().start_mark.line + 1)
            return super().compose_node(parent, index)

    try:
        return yaml.load(text, Loader=NoAliases)  # a SafeLoader subclass: no arbitrary objects
    except _AliasFound as exc:
        raise ReadError(f"{path}: YAML-verwijzing (*alias) op regel {exc.args[0]}: ankers en aliassen worden niet "
                        "gelezen (een capaciteitskaart heeft ze niet nodig, en ze kunnen een klein bestand "
                        "onbeperkt groot maken).") from None
    except yaml.YAMLError as exc:
        raise ReadError(f"{path}: ongeldige YAML ({str(exc).splitlines()[0]}).") from exc


class _AliasFound(Exception):
    """A YAML alias event (carries the line number)."""


def load_if_capaciteitskaart(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The parsed document when the YAML/JSON file at ``path`` is a capaciteitskaart, else None.

    A large JSON file that starts like GeoJSON is not parsed here (the GeoJSON reader takes it).
    """
    p = Path(path)
    if p.suffix.lower() == ".json":
        try:
            with p.open("rb") as fh:
                head = fh.read(65536).decode("utf-8", errors="replace")
        except OSError as exc:
            raise ReadError(f"{p}: bestand niet te lezen ({os_reason(exc)}).") from exc
        if not any(k in head for k in ("capaciteitskaart", *_AREA_KEYS)):
            return None
    document = _load(p)
    return document if is_capaciteitskaart(document) else None


def read_capaciteitskaart(
    path: str | os.PathLike[str],
    *,
    stations: gpd.GeoDataFrame | None = None,
    year: int | None = None,
) -> CapaciteitskaartRead:
    """Read a capaciteitskaart file (YAML or JSON) into canonical layers.

    Parameters
    ----------
    path : path-like
        A ``.yaml``, ``.yml`` or ``.json`` file of the information model v1.2.
    stations : GeoDataFrame, optional
        Canonical stations. An area's ``short_code`` is matched to the stations' ``short_code`` column, else to
        ``station_id``; a match gives ``station_id`` and, for works, the geometry. Unmatched codes are kept
        (``station_id`` = the short code) and reported as warnings.
    year : int, optional
        The year of the capacity rows when the file has no ``valid.start`` and no ``issued`` date.

    Returns
    -------
    CapaciteitskaartRead
        ``(station_capacity, infrastructure, postcode_areas, reports)``.

    Raises
    ------
    ReadError
        The file is missing, empty, not YAML/JSON, or not a capaciteitskaart.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "capaciteitskaart.yaml"
    >>> _ = path.write_text(
    ...     "conforms_to: http://data.netbeheernederland.nl/capaciteitskaart/v1.2.0\\n"
    ...     "issued: '2025-01-10'\\n"
    ...     "substations:\\n"
    ...     "  - short_code: 'OS FICTIEF1'\\n"
    ...     "    demand_available_capacity: 47\\n"
    ...     "    demand_constraint: 'transparant'\\n", encoding="utf-8")
    >>> ck = read_capaciteitskaart(path)
    >>> print(*ck.station_capacity.loc[0, ["station_id", "year", "offtake_capacity_mw", "offtake_constraint"]])
    OS FICTIEF1 2025 47.0 transparent
    """
    p = Path(path)
    if not p.exists():
        raise ReadError(f"{p}: bestand niet gevonden.")
    if p.stat().st_size == 0:
        raise ReadError(f"{p}: bestand is leeg (0 bytes).")
    document = _load(p)
    if not is_capaciteitskaart(document):
        raise ReadError(f"{p}: geen capaciteitskaart (geen 'conforms_to' met 'capaciteitskaart' en geen lijst "
                        "'substations'/'energy_areas').")
    return from_document(document, stations=stations, year=year, source=str(p))


def from_document(
    document: Mapping[str, Any],
    *,
    stations: gpd.GeoDataFrame | None = None,
    year: int | None = None,
    source: str | None = None,
) -> CapaciteitskaartRead:
    """Like :func:`read_capaciteitskaart`, for an already parsed document (a dict)."""
    areas: list[Any] = []
    where: list[str] = []  # "energy_areas[3]": how the file itself addresses each area
    for key in _AREA_KEYS:
        value = document.get(key)
        if value is not None and not isinstance(value, list):
            raise ReadError(f"{source or 'capaciteitskaart'}: '{key}' moet een lijst zijn.")
        areas.extend(value or [])
        where.extend(f"{key}[{j}]" for j in range(len(value or [])))
    cap_rep = ValidationReport(kind="station_capacity", source=source, rows_in=len(areas))
    works = [(i, j, w) for i, a in enumerate(areas) if isinstance(a, Mapping)
             for j, w in enumerate(_as_list(a.get("works")))]
    inf_rep = ValidationReport(kind="infrastructure", source=source, rows_in=len(works))

    data_year = _data_set_year(document, year, (cap_rep, inf_rep))
    lookup, geometry = _station_lookup(stations)

    # ---- areas → station_capacity
    rows: list[dict[str, Any]] = []
    area_station: dict[int, str | None] = {}
    unknown_rows: list[int] = []
    for i, area in enumerate(areas):
        if not isinstance(area, Mapping):
            cap_rep.row_error(row=i, row_id=None, code="not_an_area", column=None, value=str(area)[:80],
                              message=f"gebied {where[i]} is geen object met velden")
            continue
        code = area.get("short_code")
        code = str(code).strip() if code is not None and str(code).strip() else None
        missing = [f for f in REQUIRED_FIELDS if (f == "short_code" and code is None)
                   or (f != "short_code" and _absent(area.get(f)))]
        station_id = None
        if code is not None:
            station_id = lookup.get(code) if lookup is not None else code
            if station_id is None:
                station_id = code
                unknown_rows.append(i)
        area_station[i] = station_id if lookup is None or code in lookup else None
        for f in missing:
            cap_rep.row_error(row=i, row_id=code, code="missing_value", column=f, value=None,
                              message=f"verplicht veld {f} ontbreekt in gebied {where[i]}")
        if missing:
            continue
        row: dict[str, Any] = {"station_id": station_id, "year": data_year, "short_code": code, "source_row": i}
        for field, column in CAPACITY_FIELDS.items():
            if field in area:
                row[column] = area[field]
        rows.append(row)
    _warn_unknown_and_implausible(areas, rows, cap_rep)
    if unknown_rows:
        codes = sorted({str(areas[i].get("short_code")).strip() for i in unknown_rows})
        cap_rep.warning("unknown_short_code", "station_id", unknown_rows,
                        "short_code komt niet voor in de stationslaag; station_id = short_code gehouden: "
                        + ", ".join(codes[:12]) + (" …" if len(codes) > 12 else ""))
    capacity, cap_report = _validated(pd.DataFrame(rows), "station_capacity", cap_rep)

    # ---- works → infrastructure
    work_rows: list[dict[str, Any]] = []
    for k, (i, _j, work) in enumerate(works):
        if not isinstance(work, Mapping):
            inf_rep.row_error(row=k, row_id=None, code="not_a_work", column=None, value=str(work)[:80],
                              message="werk is geen object met velden")
            continue
        project_id = _text(work.get("work_order_number")) or _text(work.get("project_name"))
        status, problem = _work_status(work.get("status_kind"))
        if problem is not None:
            code, message = problem
            inf_rep.row_error(row=k, row_id=project_id, code=code, column="status_kind",
                              value=work.get("status_kind"), message=message)
            continue
        station_id = area_station.get(i)
        geom = geometry.get(station_id) if station_id is not None else None
        if geom is None:
            area_code = _text(areas[i].get("short_code")) if isinstance(areas[i], Mapping) else None
            why = ("geen stationslaag opgegeven (stations=…)" if lookup is None
                   else f"short_code {area_code!r} komt niet voor in de stationslaag")
            inf_rep.row_error(row=k, row_id=project_id, code="no_location", column="station_id", value=area_code,
                              message=f"werk zonder locatie: {why}")
            continue
        year_ready, quarter, notes = _ready(work.get("time_schedules"))
        _report_schedule(inf_rep, k, year_ready, quarter, notes)
        description = _text(work.get("description"))
        if quarter is not None:
            note = f"gereed: Q{quarter} {year_ready}"
            description = f"{description} ({note})" if description else note
        work_rows.append({
            "project_id": project_id,
            "name": _text(work.get("project_name")) or project_id,
            "infra_type": "station_expansion",
            "status": status,
            "year_ready": year_ready,
            "station_id": station_id,
            "description": description,
            "source_row": k,
            "geometry": geom,
        })
    no_status = [r["source_row"] for r in work_rows if _absent(works[r["source_row"]][2].get("status_kind"))]
    if no_status:
        inf_rep.repair("status_assumed", "status", no_status, "status_kind ontbreekt; investment_plan aangenomen")
    infra_frame = gpd.GeoDataFrame(work_rows, geometry="geometry", crs=CRS_RD) if work_rows else None
    infrastructure, inf_report = _validated(infra_frame, "infrastructure", inf_rep)

    postcode_areas = _postcode_areas(areas, cap_report)
    # Name the rows of the reader's repairs and warnings: areas by short_code, works by their project id.
    cap_report.name_rows({i: _text(a.get("short_code")) for i, a in enumerate(areas) if isinstance(a, Mapping)})
    inf_report.name_rows({k: _text(w.get("work_order_number")) or _text(w.get("project_name"))
                          for k, (_i, _j, w) in enumerate(works) if isinstance(w, Mapping)})
    return CapaciteitskaartRead(capacity, infrastructure, postcode_areas,
                                {"station_capacity": cap_report, "infrastructure": inf_report})


def _validated(frame: pd.DataFrame | None, kind: str,
               reader: ValidationReport) -> tuple[pd.DataFrame, ValidationReport]:
    """Validate the rows the reader built and merge both reports; an empty input gives an empty canonical frame."""
    if frame is None or len(frame) == 0:
        empty = empty_layer(kind)
        merged = ValidationReport(kind=kind, source=reader.source, rows_in=reader.rows_in, rows_kept=0,
                                  rows_rejected=reader.rows_in, errors=reader.errors, repairs=reader.repairs,
                                  warnings=reader.warnings)
        if reader.rows_in == 0:
            merged.warning("no_rows", None, [], "het bestand bevat geen " +
                           ("gebieden" if kind == "station_capacity" else "werken"))
        return empty, merged
    clean, validated = validate(frame, kind, source=reader.source)
    merged = merge_reports(reader, validated)
    merged.source = reader.source
    return clean, merged


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and np.isnan(value))


def _as_list(value: Any) -> list[Any]:
    """A field the model defines as a list: absent → [], one object or value → a list of it (so a scalar is one
    item to judge, and a text is never iterated character by character)."""
    if _absent(value):
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _text(value: Any) -> str | None:
    return None if _absent(value) else str(value).strip()


def _date(value: Any) -> _dt.date | None:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _data_set_year(document: Mapping[str, Any], year: int | None, reports: tuple[ValidationReport, ...]) -> int | None:
    given = document.get("valid")
    valid: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    start, end = _date(valid.get("start")), _date(valid.get("end"))
    issued = _date(document.get("issued"))
    if start is not None and end is not None and start > end:
        for rep in reports:
            rep.warning("valid_interval_reversed", None, [],
                        f"geldigheid van de dataset is omgekeerd: start {start.isoformat()} ligt na eind "
                        f"{end.isoformat()}")
    found, where = (start.year, "valid.start") if start else ((issued.year, "issued") if issued else (None, None))
    if found is None:
        if year is None:
            reports[0].warning("no_year", "year", [],
                               "het bestand heeft geen valid.start en geen issued; geef het jaar op (year=…)")
        return year
    if year is not None and int(year) != found:
        for rep in reports:
            rep.warning("year_ignored", "year", [],
                        f"jaar {found} uit {where} van het bestand gebruikt; opgegeven jaar {year} genegeerd")
    return found


def _station_lookup(stations: gpd.GeoDataFrame | None) -> tuple[dict[str, str] | None, dict[str, Any]]:
    """short_code (or station_id) → station_id, and station_id → geometry."""
    if stations is None:
        return None, {}
    ids = stations["station_id"].astype("string")
    lookup: dict[str, str] = {}
    lookup.update({str(s): str(s) for s in ids.dropna()})
    if "short_code" in stations.columns:
        codes = stations["short_code"].astype("string").str.strip()
        have = codes.notna() & ids.notna()
        lookup.update(dict(zip(codes[have].tolist(), ids[have].tolist(), strict=True)))
    geometry: dict[str, Any] = {}
    if isinstance(stations, gpd.GeoDataFrame):
        geom = stations.geometry.to_crs(CRS_RD) if stations.crs is not None else stations.geometry
        geometry = {str(s): g for s, g in zip(ids.tolist(), geom.tolist(), strict=True) if not pd.isna(s) and g is not None}
    return lookup, geometry


def _work_status(raw: Any) -> tuple[str | None, tuple[str, str] | None]:
    if _absent(raw):
        return "investment_plan", None
    key = str(raw).strip().replace("_", "").replace(" ", "").casefold()
    if key not in WORK_STATUS:
        allowed = "approved, scheduled, inProgress, completed, closed, waitingOnApproval, cancelled, …"
        return None, ("unknown_value", f"onbekende status_kind (toegestaan: {allowed})")
    status = WORK_STATUS[key]
    if status is None:
        return None, ("cancelled_work", "werk is geannuleerd (status_kind cancelled); niet opgenomen")
    return status, None


_YEAR = r"((?:19|20|21)\d\d)"
#: Schedule texts that name a year unambiguously, with the quarter when they give one.
_QUARTER_TEXTS = (
    re.compile(rf"^q([1-4])\s*[-/ ]?\s*{_YEAR}$"),                      # Q3-2026, Q3 2026, q3/2026
    re.compile(rf"^{_YEAR}\s*[-/ ]?\s*q([1-4])$"),                      # 2026-Q3, 2026 Q3
    re.compile(rf"^([1-4])\s*e?\s*kwartaal\s*{_YEAR}$"),                 # 3e kwartaal 2026
)
_YEAR_TEXTS = (
    re.compile(rf"^{_YEAR}$"),                                            # 2026
    re.compile(rf"^(?:begin|medio|midden|eind|einde|ultimo|voorjaar|zomer|najaar|early|mid|end|late|end of|"
               rf"h[12])\s*[-/ ]?\s*{_YEAR}$"),                            # eind 2026, medio 2026, H2 2026
    re.compile(rf"^\d{{1,2}}[-/.]\d{{1,2}}[-/.]{_YEAR}$"),                   # 31-12-2026, 31/12/2026
)


def _schedule_text(value: Any) -> tuple[int, int] | None:
    """(year, quarter or 0) named by a schedule text such as 'Q3-2026' or 'eind 2026'; None when it names none."""
    text = " ".join(str(value).strip().casefold().split())
    for pattern in _QUARTER_TEXTS:
        m = pattern.match(text)
        if m:
            a, b = m.groups()
            return (int(b), int(a)) if len(a) == 1 else (int(a), int(b))
    for pattern in _YEAR_TEXTS:
        m = pattern.match(text)
        if m:
            return int(m.group(1)), 0
    return None


def _interval_ready(interval: Mapping[str, Any]) -> tuple[tuple[int, int] | None, list[tuple[str, str]]]:
    """(year, quarter or 0) of one schedule interval and notes ``(kind, text)``: ``read`` for a date or year given
    as text and read anyway, ``unreadable`` for a value that names no year."""
    end, year, quarter = interval.get("end"), interval.get("year"), interval.get("quarter")
    if not _absent(end):
        date = _date(end)
        if date is not None:
            return (date.year, 0), []
        named = _schedule_text(end)
        if named is not None:
            return named, [("read", f"einddatum {str(end).strip()!r}")]
        return None, [("unreadable", f"einddatum {str(end).strip()!r}")]
    if _absent(year):
        return None, []
    notes: list[tuple[str, str]] = []
    if isinstance(year, bool):
        return None, [("unreadable", f"jaar {year!r}")]
    if isinstance(year, int) or (isinstance(year, float) and year.is_integer()):
        found = int(year)
    else:
        named = _schedule_text(year)
        if named is None:
            return None, [("unreadable", f"jaar {str(year).strip()!r}")]
        found = named[0]
        notes.append(("read", f"jaar {str(year).strip()!r}"))
        if named[1] and _absent(quarter):
            quarter = named[1]
    q = 0
    if not _absent(quarter):
        digits = re.fullmatch(r"\s*[qQ]?\s*([1-4])\s*", str(quarter)) if not isinstance(quarter, bool) else None
        if digits is None:
            notes.append(("unreadable", f"kwartaal {str(quarter).strip()!r}"))
        else:
            q = int(digits.group(1))
            if not isinstance(quarter, int):
                notes.append(("read", f"kwartaal {str(quarter).strip()!r}"))
    return (found, q), notes


def _ready(schedules: Any) -> tuple[int | None, int | None, list[tuple[str, str]]]:
    """The latest ready year over the time schedules, with its quarter when only year + quarter were given, and
    what could not be read as it was (see :func:`_interval_ready`)."""
    best: tuple[int, int] | None = None  # (year, quarter or 0 when from an end date)
    notes: list[tuple[str, str]] = []
    for schedule in _as_list(schedules):
        if not isinstance(schedule, Mapping):
            notes.append(("unreadable", f"planning {str(schedule)[:40]!r}"))
            continue
        interval = schedule.get("schedule_interval") or {}
        if not isinstance(interval, Mapping):
            notes.append(("unreadable", f"schedule_interval {str(interval)[:40]!r}"))
            continue
        candidate, found = _interval_ready(interval)
        notes += found
        if candidate is not None and (best is None or candidate > best):
            best = candidate
    if best is None:
        return None, None, notes
    return best[0], (best[1] or None), notes


def _report_schedule(report: ValidationReport, row: int, year: int | None, quarter: int | None,
                     notes: list[tuple[str, str]]) -> None:
    """Say, once for the work, which schedule values were read from text and which could not be read."""
    read = [text for kind, text in notes if kind == "read"]
    unreadable = [text for kind, text in notes if kind == "unreadable"]
    ready = f"{year}" + (f" (Q{quarter})" if quarter else "")
    if read:
        report.repair("schedule_text", "year_ready", [row],
                      f"planning als tekst gelezen: {', '.join(read)} → gereed {ready}")
    if unreadable:
        outcome = (f"gereed {ready} uit de overige planning" if year is not None else
                   "jaar gereed onbekend: het werk telt in geen enkel jaar mee")
        report.warning("schedule_unreadable", "year_ready", [row],
                       f"planning niet te lezen: {', '.join(unreadable)}; {outcome}")


def _warn_unknown_and_implausible(areas: list[Any], rows: list[dict[str, Any]], report: ValidationReport) -> None:
    """Areas taken without an available capacity (unknown, not 0), and MW values no supply area has."""
    for field in ("demand_available_capacity", "generation_available_capacity"):
        missing = [r["source_row"] for r in rows if _absent(areas[r["source_row"]].get(field))]
        if missing:
            report.warning("capacity_unknown", CAPACITY_FIELDS[field], missing,
                           f"{field} ontbreekt: capaciteit onbekend (niet 0); de balans van dit station krijgt "
                           "status onbekend")
    for field in MW_FIELDS:
        big = [r["source_row"] for r in rows if _mw(areas[r["source_row"]].get(field)) >= IMPLAUSIBLE_AREA_MW]
        if big:
            report.warning("implausible_capacity", CAPACITY_FIELDS[field], big,
                           f"{field} ≥ {IMPLAUSIBLE_AREA_MW:.0f} MW is onwaarschijnlijk groot voor één gebied: "
                           "kW in plaats van MW?")


def _mw(value: Any) -> float:
    """A plain MW number of the file, or NaN (text and odd values are judged by validation)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return float("nan")
    return float(value)


def _rag(value: Any) -> tuple[str | None, bool]:
    """Canonical RAG colour and whether the raw value was recognised."""
    if _absent(value):
        return None, True
    canonical, _ = normalise_enum("offtake_constraint", RAG, value)
    return (canonical, True) if canonical is not None else (str(value), False)


def _postcode_areas(areas: list[Any], report: ValidationReport) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    odd_postcodes: list[int] = []
    odd_colours: list[int] = []
    for i, area in enumerate(areas):
        if not isinstance(area, Mapping):
            continue
        for pc in _as_list(area.get("postcode_areas")):
            if not isinstance(pc, Mapping):
                continue
            postcode = _text(pc.get("postcode"))
            if postcode is not None:
                postcode = postcode.replace(" ", "").upper()
                if not _POSTCODE.match(postcode):
                    odd_postcodes.append(i)
            offtake, ok1 = _rag(pc.get("demand_constraint"))
            feedin, ok2 = _rag(pc.get("generation_constraint"))
            if not (ok1 and ok2):
                odd_colours.append(i)
            rows.append({
                "short_code": _text(area.get("short_code")),
                "postcode": postcode,
                "substation_short_code": _text(pc.get("substation_short_code")),
                "offtake_constraint": offtake,
                "feedin_constraint": feedin,
            })
    if odd_postcodes:
        report.warning("postcode_format", "postcode", sorted(set(odd_postcodes)),
                       "postcode niet in de vorm 1234AB")
    if odd_colours:
        report.warning("unknown_constraint", "offtake_constraint", sorted(set(odd_colours)),
                       f"onbekende kleur bij een postcodegebied (verwacht: {', '.join(RAG)})")
    columns = ["short_code", "postcode", "substation_short_code", "offtake_constraint", "feedin_constraint"]
    return pd.DataFrame(rows, columns=columns).astype(object)
