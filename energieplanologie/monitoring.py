"""Monitoring (step 5, *borgen en uitvoeren*): project status against the programme, and what each delay does.

The handreiking has the parties hold a half-yearly joint check ("halfjaarlijks een gezamenlijke toets") on how
the programme is carried out. The input is a **status** layer (:data:`energieplanologie.schema.SCHEMAS`
``["status"]``): one row per project and reference date (*peildatum*) with its status and the year it is now
expected to be ready. This module compares that with the programme — the infrastructure's ``year_ready``, or the
years of a frozen round — in two tables:

* :func:`progress_table` — one row per project: planned and expected year, the delay (expected − planned;
  negative when early; NA when cancelled), the latest status and reference date, and the expected year at every
  earlier reference date (the history).
* :func:`consequences` — the station balance run twice with the same allocation and scenario
  (:func:`energieplanologie.balance.station_balance`): once with the planned years, once with the expected
  ones (a cancelled project adds nothing in any year). Only the station × direction × year rows whose shortage
  changes are kept, with the projects that cause the change and the developments that then wait.

**Which developments wait.** As in :func:`energieplanologie.balance.project_enablement`, the developments at a
station queue by ``year``, then ``development_id`` (first come, first served), each with its scenario-weighted
MW (× simultaneity × allocated share) on top of the baseline load. In year *y* the developments that fit under
the planned capacity but not under the expected one *wait*.

A project without a status row is taken to be on schedule (expected = planned); one whose latest row has no
expected year likewise, unless it is cancelled.

:func:`monitor` does both for a :class:`~energieplanologie.region.Region` and a status frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from energieplanologie._errors import ValidationError
from energieplanologie.allocation import allocate_region
from energieplanologie.balance import DIRECTIONS, TOLERANCE_MW, station_balance
from energieplanologie.io import map_columns
from energieplanologie.progress import ProgressCallback, report
from energieplanologie.region import Region
from energieplanologie.report import ValidationReport
from energieplanologie.scenarios import enum_codes, get_scenario
from energieplanologie.schema import CERTAINTIES, SECTORS, validate

__all__ = [
    "CONSEQUENCE_COLUMNS",
    "HISTORY_PREFIX",
    "PROGRESS_COLUMNS",
    "ConsequencesResult",
    "MonitorResult",
    "check_status",
    "consequences",
    "consequences_result",
    "expected_years",
    "monitor",
    "progress_table",
]

PROGRESS_COLUMNS: tuple[str, ...] = (
    "project_id", "name", "infra_type", "station_id", "planned_year_ready", "expected_year_ready", "delay_years",
    "project_status", "reference_date", "note",
)
#: History columns of :func:`progress_table` are named ``expected_on_<reference date>`` (``expected_on_2025-12-31``).
HISTORY_PREFIX = "expected_on_"
CONSEQUENCE_COLUMNS: tuple[str, ...] = (
    "station_id", "station_name", "direction", "year", "shortage_planned_mw", "shortage_expected_mw",
    "shortage_change_mw", "causing_projects", "waiting_development_ids", "waiting_mw",
)


@dataclass(frozen=True)
class MonitorResult:
    """What :func:`monitor` returns.

    Attributes
    ----------
    progress : DataFrame
        :func:`progress_table`.
    consequences : DataFrame
        :func:`consequences`.
    scenario : str
        The scenario of the balance.
    reference_date : str or None
        The latest reference date in the status layer (ISO ``JJJJ-MM-DD``).
    years : tuple of int
        The years compared.
    report : ValidationReport or None
        The status layer's validation report (when :func:`monitor` validated it).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> status = pd.DataFrame({"projectcode": ["P06"], "peildatum": ["30-06-2026"], "status": ["geschrapt"]})
    >>> result = ep.monitor(ep.load_sample(), status)
    >>> result.reference_date, result.scenario, result.years[0], result.years[-1]
    ('2026-06-30', 'verwacht', 2025, 2040)
    >>> sorted(set(result.consequences["station_id"])), result.report.rows_kept
    (['SKL'], 1)
    """

    progress: pd.DataFrame
    consequences: pd.DataFrame
    scenario: str
    reference_date: str | None
    years: tuple[int, ...]
    report: ValidationReport | None = field(default=None, compare=False)


def _int_or_na(values: Any) -> pd.Series:
    return pd.Series(pd.to_numeric(pd.Series(values), errors="coerce")).round().astype("Int64")


def check_status(status: pd.DataFrame, infrastructure: pd.DataFrame,
                 report: ValidationReport | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Reject the status rows whose ``project_id`` is no project of the programme (a cross-layer check).

    Parameters
    ----------
    status : DataFrame
        A validated status layer (:func:`energieplanologie.schema.validate` with kind ``"status"``).
    infrastructure : DataFrame
        The programme's projects (``project_id``).
    report : ValidationReport, optional
        The status layer's report, to add the findings to (as read, with the user's column names); default a
        new one.

    Returns
    -------
    clean : DataFrame
        The rows that name a known project.
    report : ValidationReport
        With one ``unknown_project`` error per other row (``rows_in = rows_kept + rows_rejected`` still holds).

    Examples
    --------
    >>> status = pd.DataFrame({"project_id": ["P01", "P99"], "reference_date": ["2026-06-30"] * 2,
    ...                        "project_status": ["delayed", "tender"], "source_row": [0, 1]})
    >>> clean, rep = check_status(status, pd.DataFrame({"project_id": ["P01"]}))
    >>> clean["project_id"].tolist(), [(e.rows, e.code) for e in rep.errors]
    (['P01'], [([1], 'unknown_project')])
    """
    rep = report if report is not None else ValidationReport(kind="status", rows_in=len(status),
                                                             rows_kept=len(status))
    known = set(infrastructure["project_id"].dropna().astype(str))
    ids = status["project_id"]
    bad = (ids.notna() & ~ids.astype(str).isin(known)).to_numpy()
    rows = status["source_row"].to_numpy() if "source_row" in status.columns else np.arange(len(status))
    hint = ", ".join(sorted(known)[:8]) + (" …" if len(known) > 8 else "")
    for i in np.flatnonzero(bad):
        rep.row_error(row=int(rows[i]), row_id=f"{ids.iloc[i]}/{status['reference_date'].iloc[i]}",
                      code="unknown_project", column="project_id", value=ids.iloc[i],
                      message=f"onbekend project: deze projectcode staat niet in de infrastructuur van het programma "
                              f"(bekend: {hint or 'geen projecten'})")
    rep.name_source_columns({f.column: f.source_column for f in rep.findings() if f.column and f.source_column})
    rep.rows_kept -= int(bad.sum())
    rep.rows_rejected = rep.rows_in - rep.rows_kept
    return status.loc[~bad].reset_index(drop=True), rep


def _latest(status: pd.DataFrame) -> pd.DataFrame:
    ordered = status.sort_values(["project_id", "reference_date"], kind="stable")
    return ordered.drop_duplicates("project_id", keep="last").set_index("project_id")


def progress_table(status: pd.DataFrame, infrastructure: pd.DataFrame, *,
                   planned: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """One row per project of the programme: planned against expected year, status and history.

    Parameters
    ----------
    status : DataFrame
        A validated status layer whose project ids are all in ``infrastructure`` (see :func:`check_status`).
    infrastructure : DataFrame
        The programme: ``project_id``, ``name``, ``infra_type``, ``station_id``, ``year_ready``.
    planned : mapping of str to int, optional
        The planned year per project (a frozen round's programme); default ``infrastructure.year_ready``. A project
        the mapping does not name keeps its ``year_ready`` (as in :func:`consequences`).

    Returns
    -------
    DataFrame
        Columns :data:`PROGRESS_COLUMNS` and then ``expected_on_<date>`` for every reference date before the latest
        one (the history; NA where the project was not reported then or was cancelled). ``delay_years`` is
        expected − planned (negative when early, NA when cancelled or a year is unknown). Sorted by project_id.

    Examples
    --------
    >>> infra = pd.DataFrame({"project_id": ["P1", "P2", "P3"], "name": ["A", "B", "C"],
    ...                       "infra_type": ["station_expansion"] * 3, "station_id": ["S1"] * 3,
    ...                       "year_ready": [2030, 2032, 2028]})
    >>> status = pd.DataFrame({
    ...     "project_id": ["P1", "P1", "P2", "P3"],
    ...     "reference_date": ["2025-12-31", "2026-06-30", "2026-06-30", "2026-06-30"],
    ...     "project_status": ["permit", "delayed", "tender", "cancelled"],
    ...     "expected_year_ready": [2031, 2033, 2031, None], "note": [None] * 4})
    >>> table = progress_table(status, infra)
    >>> print(table[["project_id", "expected_year_ready", "delay_years", "expected_on_2025-12-31"]].to_string(index=False))
    project_id  expected_year_ready  delay_years  expected_on_2025-12-31
            P1                 2033            3                    2031
            P2                 2031           -1                    <NA>
            P3                 <NA>         <NA>                    <NA>
    """
    infra = infrastructure.drop_duplicates("project_id").set_index("project_id").sort_index()
    ids = infra.index
    plan = infra["year_ready"] if "year_ready" in infra.columns else pd.Series(pd.NA, index=ids)
    if planned is not None:  # a project the round did not have keeps its configured year
        plan = pd.Series([planned.get(str(p), y) for p, y in zip(ids, plan, strict=True)],
                         index=ids, dtype=object)
    plan = _int_or_na(plan.to_numpy(dtype=object)).set_axis(ids)
    latest = _latest(status).reindex(ids)
    state = latest["project_status"] if len(latest) else pd.Series(None, index=ids, dtype=object)
    cancelled = (state == "cancelled").fillna(False).to_numpy(dtype=bool)
    reported = _int_or_na(latest["expected_year_ready"].to_numpy(dtype=object)).set_axis(ids)
    expected = reported.where(reported.notna() | pd.Series(cancelled, index=ids), plan)
    expected = expected.mask(pd.Series(cancelled, index=ids))

    def col(name: str) -> pd.Series:
        return infra[name] if name in infra.columns else pd.Series(None, index=ids, dtype=object)

    out = pd.DataFrame({
        "project_id": ids.to_numpy(dtype=object),
        "name": col("name").to_numpy(dtype=object),
        "infra_type": col("infra_type").to_numpy(dtype=object),
        "station_id": col("station_id").to_numpy(dtype=object),
        "planned_year_ready": plan.to_numpy(),
        "expected_year_ready": expected.astype("Int64").to_numpy(),
        "delay_years": (expected.astype("Int64") - plan).to_numpy(),
        "project_status": state.to_numpy(dtype=object),
        "reference_date": latest["reference_date"].to_numpy(dtype=object),
        "note": latest["note"].to_numpy(dtype=object) if "note" in latest.columns else None,
    }, columns=list(PROGRESS_COLUMNS))
    for c in ("planned_year_ready", "expected_year_ready", "delay_years"):
        out[c] = out[c].astype("Int64")
    dates = sorted(status["reference_date"].dropna().unique())
    if dates:
        history = status.loc[status["reference_date"] < dates[-1]]
        years = history["expected_year_ready"].where(history["project_status"] != "cancelled")
        wide = (history.assign(year=_int_or_na(years.to_numpy(dtype=object)).to_numpy())
                .pivot_table(index="project_id", columns="reference_date", values="year", aggfunc="last"))
        for date in dates[:-1]:
            values = wide[date].reindex(ids) if date in wide.columns else pd.Series(pd.NA, index=ids)
            out[f"{HISTORY_PREFIX}{date}"] = _int_or_na(values.to_numpy(dtype=object)).array
    return out


def expected_years(progress: pd.DataFrame) -> dict[str, int | None]:
    """project_id → the year it is now expected to add capacity (None: cancelled or unknown).

    Examples
    --------
    >>> expected_years(pd.DataFrame({"project_id": ["P1", "P2"],
    ...                              "expected_year_ready": pd.array([2033, None], dtype="Int64")}))
    {'P1': 2033, 'P2': None}
    """
    years = progress["expected_year_ready"]
    return {str(p): (None if pd.isna(y) else int(y)) for p, y in zip(progress["project_id"], years, strict=True)}


def _with_years(region: Region, years: Mapping[str, int | None]) -> Region:
    infra = region.infrastructure.copy()
    ids = infra["project_id"].astype(str)
    known = ids.isin(list(years))
    new = _int_or_na([years.get(p) for p in ids]).to_numpy()
    infra["year_ready"] = pd.array(np.where(known.to_numpy(), new, infra["year_ready"].to_numpy(dtype=object)),
                                   dtype="Int64")
    return region.replace(infrastructure=infra)


def _queue(allocation: pd.DataFrame, scenario: Any) -> dict[tuple[str, str], tuple[np.ndarray, ...]]:
    """Per (station, direction): development ids, years and weighted MW in queue order (year, then id)."""
    cert = enum_codes(allocation["certainty"], CERTAINTIES, "developments.certainty")
    sector = enum_codes(allocation["sector"], SECTORS, "developments.sector")
    weight = (scenario.certainty_weights()[cert] * scenario.simultaneity_factors()[sector]
              * allocation["share"].to_numpy(dtype=float))
    frame = pd.DataFrame({
        "station_id": allocation["station_id"].to_numpy(dtype=object),
        "development_id": allocation["development_id"].astype(str).to_numpy(dtype=object),
        "year": allocation["year"].to_numpy(dtype=float, na_value=np.nan),
        **{d: np.nan_to_num(allocation[f"{d}_mw"].to_numpy(dtype=float, na_value=np.nan)) * weight
           for d in DIRECTIONS},
    }).dropna(subset=["station_id", "year"]).sort_values(["station_id", "year", "development_id"], kind="stable")
    out: dict[tuple[str, str], tuple[np.ndarray, ...]] = {}
    for sid, group in frame.groupby("station_id", sort=False):
        for d in DIRECTIONS:
            active = group[d].to_numpy() > 0
            out[(str(sid), d)] = (group["development_id"].to_numpy()[active], group["year"].to_numpy()[active],
                                  group[d].to_numpy()[active])
    return out


def _waiting(row: Any, queue: Mapping[tuple[str, str], tuple[np.ndarray, ...]]) -> tuple[str, float]:
    """The developments that fit under the planned capacity of ``row`` but not under the expected one."""
    ids, years, mw = queue.get((str(row.station_id), row.direction), (np.array([]), np.array([]), np.array([])))
    n = int(np.searchsorted(years, row.year, side="right"))
    cumulative = row.baseline + np.cumsum(mw[:n])
    fit_planned = int(np.searchsorted(cumulative, row.capacity_planned + TOLERANCE_MW, side="right"))
    fit_expected = int(np.searchsorted(cumulative, row.capacity_expected + TOLERANCE_MW, side="right"))
    if fit_expected >= fit_planned:
        return "", 0.0
    waiting = slice(fit_expected, fit_planned)
    return ";".join(sorted(ids[:n][waiting])), float(mw[:n][waiting].sum())


@dataclass(frozen=True)
class ConsequencesResult:
    """What :func:`consequences_result` returns: the changed rows and the scenario of both balances.

    Attributes
    ----------
    table : DataFrame
        As :func:`consequences` returns it (columns :data:`CONSEQUENCE_COLUMNS`).
    scenario : str
        The name of the scenario the two balances were computed with.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> result = consequences_result(ep.load_sample(), {"P03": 2034})
    >>> result.scenario, sorted(set(result.table["station_id"]))
    ('verwacht', ['TNZ'])
    """

    table: pd.DataFrame
    scenario: str


def consequences(
    region: Region,
    expected: Mapping[str, int | None],
    *,
    planned: Mapping[str, int | None] | None = None,
    scenario: str | None = None,
    scenarios: Mapping[str, Any] | None = None,
    years: Iterable[int] | None = None,
    allocation: pd.DataFrame | None = None,
    progress: ProgressCallback | None = None,
) -> pd.DataFrame:
    """The station × direction × year rows whose shortage changes when projects are ready in other years.

    Parameters
    ----------
    region : Region
        The study area with the programme as its infrastructure.
    expected : mapping of str to int or None
        project_id → expected year ready (None: cancelled, adds nothing in any year); projects not named keep
        their planned year (see :func:`expected_years`).
    planned : mapping of str to int or None, optional
        The programme's years (a frozen round); default the infrastructure's ``year_ready``.
    scenario : str, optional
        Default ``verwacht`` (the CLI passes the configuration's ``[analysis] scenario``).
    scenarios : mapping, optional
        The user's scenario tables (:meth:`~energieplanologie.config.ProjectSettings.user_scenarios`).
    years : iterable of int, optional
        Default every year from the first to the last analysis year of the region.
    allocation : DataFrame, optional
        :func:`energieplanologie.allocation.allocate_region` of the region; computed when absent. Both balances
        use the same allocation.
    progress : callable, optional

    Returns
    -------
    DataFrame
        Columns :data:`CONSEQUENCE_COLUMNS`: the shortage with the planned and with the expected years (MW),
        their difference, ``causing_projects`` (``;``-joined: the projects at this station and direction that
        are ready by then in one case and not in the other), ``waiting_development_ids`` and ``waiting_mw``
        (scenario-weighted MW; see the module docstring). Rows whose shortage does not change (within
        :data:`~energieplanologie.balance.TOLERANCE_MW`) and rows whose capacity is unknown are left out.
        Sorted by station_id, direction (offtake first), year.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> gevolgen = consequences(ep.load_sample(), {"P03": 2034})  # Kanaalzone two years later
    >>> sorted(set(gevolgen["station_id"])), sorted(gevolgen["year"].unique().tolist())
    (['TNZ'], [2032, 2033])
    """
    return consequences_result(region, expected, planned=planned, scenario=scenario, scenarios=scenarios,
                               years=years, allocation=allocation, progress=progress).table


def consequences_result(
    region: Region,
    expected: Mapping[str, int | None],
    *,
    planned: Mapping[str, int | None] | None = None,
    scenario: str | None = None,
    scenarios: Mapping[str, Any] | None = None,
    years: Iterable[int] | None = None,
    allocation: pd.DataFrame | None = None,
    progress: ProgressCallback | None = None,
) -> ConsequencesResult:
    """:func:`consequences` with the name of the scenario beside the table.

    Parameters
    ----------
    region : Region
        The study area with the programme as its infrastructure.
    expected : mapping of str to int or None
        project_id → expected year ready (None: cancelled, adds nothing in any year); projects not named keep
        their planned year (see :func:`expected_years`).
    planned : mapping of str to int or None, optional
        The programme's years (a frozen round); default the infrastructure's ``year_ready``.
    scenario : str, optional
        Default ``verwacht`` (the CLI passes the configuration's ``[analysis] scenario``).
    scenarios : mapping, optional
        The user's scenario tables (:meth:`~energieplanologie.config.ProjectSettings.user_scenarios`).
    years : iterable of int, optional
        Default every year from the first to the last analysis year of the region.
    allocation : DataFrame, optional
        :func:`energieplanologie.allocation.allocate_region` of the region; computed when absent. Both balances
        use the same allocation.
    progress : callable, optional

    Returns
    -------
    ConsequencesResult
        ``table`` (:func:`consequences`) and ``scenario`` (the name of the scenario used).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> result = consequences_result(ep.load_sample(), {}, scenario="maximaal")
    >>> result.scenario, len(result.table), result.table.attrs
    ('maximaal', 0, {})
    """
    if not isinstance(region, Region):
        raise TypeError(f"Expected a Region, got {type(region).__name__}.")
    sc = get_scenario(scenario or "verwacht", extra=scenarios)
    ys = list(years) if years is not None else list(range(min(region.years), max(region.years) + 1))
    report(progress, 0.0, "ontwikkelingen toewijzen")
    alloc = allocation if allocation is not None else allocate_region(region)
    base = _with_years(region, planned) if planned is not None else region
    report(progress, 0.3, "balans volgens programma")
    bal_p = station_balance(base, sc, years=ys, allocation=alloc)
    report(progress, 0.6, "balans volgens verwachting")
    bal_e = station_balance(_with_years(base, expected), sc, years=ys, allocation=alloc)
    report(progress, 0.9, "gevolgen bepalen")
    key = ["station_id", "year", "direction"]
    both = bal_p[[*key, "station_name", "capacity_mw", "baseline_load_mw", "shortage_mw"]].merge(
        bal_e[[*key, "capacity_mw", "shortage_mw"]], on=key, suffixes=("_planned", "_expected"), validate="1:1")
    known = both["capacity_mw_planned"].notna() & both["capacity_mw_expected"].notna()
    change = both["shortage_mw_expected"] - both["shortage_mw_planned"]
    changed = (known & (change.abs() > TOLERANCE_MW)).to_numpy()
    rows = both.loc[changed].assign(shortage_change_mw=change.to_numpy()[changed])

    # The projects that make the difference: at this station, adding in this direction, ready by the year in
    # one case and not in the other.
    infra = base.infrastructure
    plan_year = infra["year_ready"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    exp_year = _with_years(base, expected).infrastructure["year_ready"].to_numpy(dtype=float, na_value=np.nan)
    projects = pd.DataFrame({"project_id": infra["project_id"].astype(str).to_numpy(dtype=object),
                             "station_id": infra["station_id"].to_numpy(dtype=object),
                             "plan": plan_year, "exp": exp_year,
                             **{d: np.nan_to_num(infra[f"{d}_capacity_added_mw"].to_numpy(dtype=float,
                                                                                           na_value=np.nan))
                                for d in DIRECTIONS}})
    long = projects.melt(id_vars=["project_id", "station_id", "plan", "exp"], value_vars=list(DIRECTIONS),
                         var_name="direction", value_name="mw")
    pairs = rows[key].merge(long.loc[long["mw"] > 0], on=["station_id", "direction"])
    ready_p = pairs["plan"].to_numpy() <= pairs["year"].to_numpy()  # NaN compares False: never ready
    ready_e = pairs["exp"].to_numpy() <= pairs["year"].to_numpy()
    causing = (pairs.loc[ready_p != ready_e].sort_values("project_id").groupby(key)["project_id"]
               .agg(";".join))
    rows = rows.merge(causing.rename("causing_projects").reset_index(), on=key, how="left")
    rows["causing_projects"] = rows["causing_projects"].fillna("")

    queue = _queue(alloc.loc[alloc["station_id"].isin(rows["station_id"]).to_numpy()], sc)  # changed stations only
    calc = rows.rename(columns={"capacity_mw_planned": "capacity_planned", "capacity_mw_expected": "capacity_expected",
                                "baseline_load_mw": "baseline"}).assign(baseline=lambda f: f["baseline"].fillna(0.0))
    waits = [_waiting(r, queue) for r in calc.itertuples(index=False)]  # only the changed rows: a handful
    out = pd.DataFrame({
        "station_id": rows["station_id"].to_numpy(dtype=object),
        "station_name": rows["station_name"].to_numpy(dtype=object),
        "direction": rows["direction"].to_numpy(dtype=object),
        "year": rows["year"].to_numpy(dtype=np.int64),
        "shortage_planned_mw": rows["shortage_mw_planned"].to_numpy(dtype=float),
        "shortage_expected_mw": rows["shortage_mw_expected"].to_numpy(dtype=float),
        "shortage_change_mw": rows["shortage_change_mw"].to_numpy(dtype=float),
        "causing_projects": rows["causing_projects"].to_numpy(dtype=object),
        "waiting_development_ids": np.array([w[0] for w in waits], dtype=object),
        "waiting_mw": np.array([w[1] for w in waits], dtype=float),
    }, columns=list(CONSEQUENCE_COLUMNS))
    order = {d: i for i, d in enumerate(DIRECTIONS)}
    out = out.sort_values(["station_id", "direction", "year"], key=lambda s: s.map(order) if s.name == "direction"
                          else s, kind="stable").reset_index(drop=True)
    report(progress, 1.0, "gevolgen klaar")
    return ConsequencesResult(table=out, scenario=sc.name)


def monitor(
    region: Region,
    status: pd.DataFrame,
    *,
    planned: Mapping[str, int | None] | None = None,
    scenario: str | None = None,
    scenarios: Mapping[str, Any] | None = None,
    years: Iterable[int] | None = None,
    allocation: pd.DataFrame | None = None,
    progress: ProgressCallback | None = None,
) -> MonitorResult:
    """The half-yearly check: each project's progress against the programme and what the delays do to the grid.

    Parameters
    ----------
    region : Region
        The study area; its infrastructure is the programme.
    status : DataFrame
        The status layer: as :func:`energieplanologie.io.read_layer` (kind ``"status"``) returns it, or a frame
        with the canonical or the Dutch columns (``projectcode``, ``peildatum`` …; mapped and validated here).
    planned : mapping of str to int or None, optional
        The programme's years from a frozen round; default the infrastructure's ``year_ready``.
    scenario : str, optional
        Default ``verwacht`` (the CLI passes the configuration's ``[analysis] scenario``).
    scenarios : mapping, optional
        The user's scenario tables (:meth:`~energieplanologie.config.ProjectSettings.user_scenarios`).
    years : iterable of int, optional
        Default every year from the first to the last analysis year.
    allocation : DataFrame, optional
        :func:`energieplanologie.allocation.allocate_region` of the region; computed when absent.
    progress : callable, optional

    Returns
    -------
    MonitorResult
        ``progress`` (:func:`progress_table`), ``consequences`` (:func:`consequences`), the scenario, the latest
        reference date, the years and the status layer's report.

    Raises
    ------
    ValidationError
        When a status row is wrong (an unknown project, a date in the future, a cancelled project with a year …);
        the error carries the report naming every row.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> status = pd.DataFrame({"project_id": ["P01", "P03"], "reference_date": ["2026-06-30"] * 2,
    ...                        "project_status": ["delayed", "under_construction"],
    ...                        "expected_year_ready": [2032, 2032]})
    >>> result = ep.monitor(ep.load_sample(), status)
    >>> result.progress.set_index("project_id").loc["P01", ["planned_year_ready", "delay_years"]].tolist()
    [2030, 2]
    >>> sorted(set(result.consequences["station_id"]))
    ['OBG']
    """
    if not isinstance(region, Region):
        raise TypeError(f"Expected a Region, got {type(region).__name__}.")
    clean, rep = validate(map_columns(status, "status"), "status")  # Dutch headers read as from a file
    clean, rep = check_status(clean, region.infrastructure, rep)
    if rep.errors:
        raise ValidationError(rep.summary(), rep)
    table = progress_table(clean, region.infrastructure, planned=planned)
    effects = consequences_result(region, expected_years(table), planned=planned, scenario=scenario,
                                  scenarios=scenarios, years=years, allocation=allocation, progress=progress)
    ys = tuple(years) if years is not None else tuple(range(min(region.years), max(region.years) + 1))
    dates = sorted(clean["reference_date"].dropna().unique())
    return MonitorResult(progress=table, consequences=effects.table, scenario=effects.scenario,
                         reference_date=str(dates[-1]) if dates else None, years=ys, report=rep)
