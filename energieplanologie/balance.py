"""Station balance: capacity against load per station, year, direction and scenario (DESIGN §5).

For each station *s*, analysis year *y*, direction *d* (``offtake``, ``feedin``) and scenario:

* ``base_capacity_mw`` — from ``region.station_capacity``, the row of *s* with the latest ``year ≤ y`` (NaN when
  there is none). A station built by a ``station_new`` project that has no capacity rows starts at 0 MW: its
  capacity is the project's.
* ``capacity_added_mw`` — Σ ``<d>_capacity_added_mw`` of the infrastructure linked to *s* with
  ``year_ready ≤ y`` (only the projects in ``projects`` when that is given). A project without ``year_ready``
  counts in no year — here, in the knooppunten and on the maps alike; validation warns once per such row.
* ``capacity_mw = base + added``.
* ``baseline_load_mw`` — ``<d>_load_mw`` of the same capacity row (the forecast without this study's
  developments).
* ``development_load_mw`` — Σ over the developments allocated to *s* with ``year ≤ y`` of
  ``MW_d × weight[certainty] × simultaneity[sector] × share`` (see :mod:`energieplanologie.scenarios` and
  :func:`energieplanologie.allocation.allocate`); ``mw_<sector>`` splits it by sector.
* ``load_before_flex_mw = baseline + development load`` (an unknown baseline counts as 0 here; the row's status
  is ``unknown`` anyway because its capacity is unknown too).
* ``load_mw`` — the load **after flex** (:mod:`energieplanologie.flex`: non-firm agreements, cable pooling,
  storage and conversion; ``non_firm_mw``, ``cable_pooling_mw``, ``flex_battery_mw``, ``flex_conversion_mw`` and
  the load conversion adds, ``conversion_load_mw``); equal to the load before flex when the input has no flex.
* ``headroom_mw = capacity − load``; ``shortage_mw = max(0, −headroom)``; ``utilisation = load / capacity``.
* ``status``: ``red`` when there is a shortage, ``amber`` when the headroom is below ``amber_margin × capacity``,
  else ``green``; ``unknown`` when the capacity is unknown (never a silent 0 MW). Differences below
  :data:`TOLERANCE_MW` count as zero, so a load exactly at capacity is not a shortage.
* ``first_shortage_year`` — the first analysed year with status ``red`` for that station, direction and
  scenario (NA when never).

Every carrier runs the same ledger on its own connection points: hydrogen developments only allocate to
hydrogen stations, and so on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from energieplanologie._errors import EnergieplanologieError
from energieplanologie.allocation import KERNELS as ALLOCATION_KERNELS
from energieplanologie.allocation import allocate_arrays as _allocate_arrays
from energieplanologie.distributed import use_dask
from energieplanologie.flex import FLEX_BALANCE_COLUMNS, flex_load
from energieplanologie.progress import ProgressCallback, report, scaled
from energieplanologie.region import Region
from energieplanologie.scenarios import Scenario, enum_codes, get_scenario, get_scenarios, missing_as_zero
from energieplanologie.schema import CERTAINTIES, SECTORS

__all__ = [
    "BALANCE_COLUMNS",
    "DIRECTIONS",
    "ENABLEMENT_COLUMNS",
    "STATUSES",
    "TOLERANCE_MW",
    "BalanceResult",
    "EnablementResult",
    "balance_layer",
    "project_enablement",
    "project_enablement_result",
    "station_balance",
    "station_balance_result",
]

DIRECTIONS: tuple[str, ...] = ("offtake", "feedin")
STATUSES: tuple[str, ...] = ("green", "amber", "red", "unknown")
#: Differences smaller than this (MW) are rounding noise, not a shortage.
TOLERANCE_MW = 1e-6

SECTOR_COLUMNS: tuple[str, ...] = tuple(f"mw_{s}" for s in SECTORS)
BALANCE_COLUMNS: tuple[str, ...] = (
    "station_id", "station_name", "level", "carrier", "scenario", "year", "direction",
    "base_capacity_mw", "capacity_added_mw", "capacity_mw", "baseline_load_mw", "development_load_mw",
    "load_mw", "headroom_mw", "shortage_mw", "utilisation", "status", "first_shortage_year",
    *SECTOR_COLUMNS, *FLEX_BALANCE_COLUMNS,
)
ENABLEMENT_COLUMNS: tuple[str, ...] = (
    "project_id", "station_id", "year", "direction", "capacity_added_mw", "mw_enabled",
    "developments_enabled", "development_ids",
)


# ----------------------------------------------------------------------------------------------- inputs


def _years(region: Region, years: Iterable[int] | None) -> np.ndarray:
    ys = np.array(sorted({int(y) for y in (region.years if years is None else years)}), dtype=np.int64)
    if len(ys) == 0:
        raise EnergieplanologieError("analysis.years: geen analysejaren opgegeven")
    return ys


def _float(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame))
    return missing_as_zero(frame[column].to_numpy(dtype=float, na_value=np.nan))  # (read only)


class _Rows:
    """The allocated development rows as arrays (one entry per allocation row)."""

    def __init__(self, station_pos: np.ndarray, share: np.ndarray, frame: pd.DataFrame, take: np.ndarray | None):
        def col(values: np.ndarray) -> np.ndarray:
            return values if take is None else values[take]

        self.station_pos = station_pos
        self.share = share
        year = frame["year"].to_numpy(dtype=float, na_value=np.nan)
        if np.isnan(year).any():
            raise EnergieplanologieError("developments.year: ontbrekend jaar; valideer de laag eerst")
        self.year = col(year.astype(np.int64))
        self.certainty = col(enum_codes(frame["certainty"], CERTAINTIES, "developments.certainty"))
        self.sector = col(enum_codes(frame["sector"], SECTORS, "developments.sector"))
        self.mw = {"offtake": col(_float(frame, "offtake_mw")), "feedin": col(_float(frame, "feedin_mw"))}
        self.ids = frame["development_id"].to_numpy(dtype=object) if "development_id" in frame else \
            frame.index.to_numpy()
        self.take = take
        self.frame = frame  # the development columns that the flex rules read (energieplanologie.flex)

    def dev_ids(self) -> np.ndarray:
        return self.ids if self.take is None else self.ids[self.take]


def _rows(region: Region, allocation: pd.DataFrame | None) -> tuple[_Rows, list[str]]:
    """Allocate (or read a given allocation) into row arrays; also the ids of unallocated developments."""
    stations = region.stations
    if allocation is None:
        dev = region.developments
        area = region.municipalities if len(region.municipalities) else None
        arrays = _allocate_arrays(dev, stations, area=area)  # the defaults; pass ``allocation`` for others
        take = arrays.dev_pos if arrays.expanded else None
        rows = _Rows(arrays.station_pos, arrays.share, dev, take)
        lost = arrays.dev_pos[arrays.station_pos < 0]  # positions of unallocated developments
        return rows, sorted({str(i) for i in rows.ids[lost]})
    else:
        missing = [c for c in ("station_id", "share", "year", "certainty", "sector") if c not in allocation.columns]
        if missing:
            raise EnergieplanologieError(f"allocation: kolommen ontbreken: {', '.join(missing)} (gebruik allocate())")
        # One hashing pass over the rows (a few thousand distinct stations), then a lookup per distinct id:
        # at 10⁶ rows several times faster than looking every row up in the stations' index.
        which, distinct = pd.factorize(allocation["station_id"], use_na_sentinel=True)
        known = _station_positions(stations["station_id"].to_numpy(dtype=object), distinct.to_numpy(dtype=object))
        if (known < 0).any():
            bad = sorted({str(v) for v in distinct.to_numpy(dtype=object)[known < 0]})[:5]
            raise EnergieplanologieError(f"allocation.station_id: onbekende stations {', '.join(bad)}")
        pos = np.append(known, -1)[which]  # a missing station_id (the NA sentinel -1) stays unallocated
        rows = _Rows(pos.astype(np.intp), allocation["share"].to_numpy(dtype=float), allocation, None)
        return rows, sorted({str(i) for i in rows.dev_ids()[pos < 0]})


def _flex_rows(region: Region, allocation: pd.DataFrame | None) -> _Rows | None:
    """On the dask path: the allocation rows of just the developments that are non-firm or pooled (the rows
    :mod:`energieplanologie.flex` reads), allocated in memory as :func:`_rows` does; None when there are none."""
    frame = region.developments if allocation is None else allocation
    flagged = [c for c in ("non_firm_share", "pool_id") if c in frame.columns]
    if not flagged:
        return None
    mask = ~frame[flagged[0]].isna()
    for column in flagged[1:]:
        mask = mask | ~frame[column].isna()  # Series operations, as dask-geopandas frames have them too
    subset = frame[mask]
    subset = subset.compute() if hasattr(subset, "compute") else subset
    if not len(subset):
        return None
    if allocation is not None:
        return _rows(region, subset)[0]
    area = region.municipalities if len(region.municipalities) else None
    arrays = _allocate_arrays(subset, region.stations, area=area)  # the defaults, as _rows (pass ``allocation``)
    return _Rows(arrays.station_pos, arrays.share, subset, arrays.dev_pos if arrays.expanded else None)


def _station_positions(station_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The position of each of ``ids`` among ``station_ids`` (unique), -1 when it is not there or missing.

    One hashing pass over both (``pd.factorize``): the first ``len(station_ids)`` codes are the stations' own
    positions, so an id's code is its station's position when it is below that. Several times faster than
    ``Index.get_indexer``, which first infers the type of every id; that path remains for station ids that are
    not unique (it raises).
    """
    n = len(station_ids)
    codes, _ = pd.factorize(np.concatenate([station_ids, ids]), use_na_sentinel=True)
    if not np.array_equal(codes[:n], np.arange(n)):
        return pd.Index(station_ids).get_indexer(ids)
    pos = codes[n:].astype(np.intp, copy=False)
    pos[pos >= n] = -1
    return pos


def _capacity_rows(region: Region, years: np.ndarray) -> dict[str, np.ndarray]:
    """Base capacity and baseline load per station (position) and year: arrays of shape (n_stations, n_years)."""
    n_st, ny = len(region.stations), len(years)
    out = {f"{d}_{k}": np.full((n_st, ny), np.nan) for d in DIRECTIONS for k in ("capacity_mw", "load_mw")}
    cap, infra = region.station_capacity, region.infrastructure
    cap_ids = cap["station_id"].to_numpy(dtype=object) if len(cap) else np.empty(0, dtype=object)
    new_ids = np.empty(0, dtype=object)
    if len(infra) and "infra_type" in infra.columns:
        new_ids = infra["station_id"].to_numpy(dtype=object)[infra["infra_type"].to_numpy(dtype=object) == "station_new"]
    # the capacity rows' and the new stations' positions in one lookup
    positions = _station_positions(region.stations["station_id"].to_numpy(dtype=object),
                                   np.concatenate([cap_ids, new_ids]))
    if len(cap):
        pos = positions[:len(cap)]
        year = cap["year"].to_numpy(dtype=float, na_value=np.nan)
        ok = (pos >= 0) & ~np.isnan(year)
        pos, year = pos[ok], year[ok].astype(np.int64)
        order = np.lexsort((year, pos))
        pos, year = pos[order], year[order]
        values = {k: (cap[k].to_numpy(dtype=float, na_value=np.nan)[ok][order] if k in cap.columns
                      else np.full(len(pos), np.nan)) for k in out}
        for k in ("offtake_load_mw", "feedin_load_mw"):  # baseline load defaults to 0 in the schema
            values[k] = np.nan_to_num(values[k], nan=0.0)
        # Row i holds its station's values in analysis year j when it is the station's last row (latest year)
        # up to that year: its year ≤ y_j and the station's next row, if any, is later than y_j.
        last_of_station = np.ones(len(pos), dtype=bool)
        last_of_station[:-1] = pos[1:] != pos[:-1]
        next_year = np.append(year[1:], 0)
        row, j = np.nonzero((year[:, None] <= years[None, :])
                            & (last_of_station[:, None] | (next_year[:, None] > years[None, :])))
        for k in out:
            out[k][pos[row], j] = values[k][row]
    # Stations built by a station_new project without capacity rows start from zero.
    if len(new_ids):
        new_pos = positions[len(cap_ids):]
        new_pos = np.unique(new_pos[new_pos >= 0])
        no_rows = new_pos[np.isnan(out["offtake_capacity_mw"][new_pos]).all(axis=1)
                          & np.isnan(out["feedin_capacity_mw"][new_pos]).all(axis=1)]
        for k in out:
            out[k][no_rows] = 0.0
    return out


def _projects(region: Region, projects: Iterable[str] | None) -> pd.DataFrame:
    """Infrastructure that changes a station's capacity: project_id, station position, year_ready, added MW."""
    infra = region.infrastructure
    columns = ["project_id", "station_pos", "year_ready", "offtake", "feedin"]
    if not len(infra):
        frame = pd.DataFrame({c: pd.Series([], dtype=float) for c in columns})
        frame["project_id"] = frame["project_id"].astype(object)
        return frame
    ids = infra["project_id"].to_numpy(dtype=object)
    keep = np.ones(len(infra), dtype=bool)
    if projects is not None:
        wanted = {str(p) for p in ([projects] if isinstance(projects, str) else projects)}
        unknown = sorted(wanted - {str(i) for i in ids})
        if unknown:
            raise EnergieplanologieError(f"projects: onbekende project_id's {', '.join(unknown[:5])}")
        keep = np.isin(ids.astype(str), list(wanted))
    pos = _station_positions(region.stations["station_id"].to_numpy(dtype=object),
                             infra["station_id"].to_numpy(dtype=object))
    offtake, feedin = _float(infra, "offtake_capacity_added_mw"), _float(infra, "feedin_capacity_added_mw")
    ready = infra["year_ready"].to_numpy(dtype=float, na_value=np.nan) if "year_ready" in infra else \
        np.full(len(infra), np.nan)
    sel = np.flatnonzero(keep & (pos >= 0) & ((offtake > 0) | (feedin > 0)))
    return pd.DataFrame({"project_id": ids[sel], "station_pos": pos[sel], "year_ready": ready[sel],
                         "offtake": offtake[sel], "feedin": feedin[sel]})


def _added(projects: pd.DataFrame, n_st: int, years: np.ndarray) -> dict[str, np.ndarray]:
    out = {}
    pos = projects["station_pos"].to_numpy(dtype=np.intp)
    ready = projects["year_ready"].to_numpy(dtype=float)
    for d in DIRECTIONS:
        mw = projects[d].to_numpy(dtype=float)
        # float even without projects (bincount of nothing gives integers)
        out[d] = np.column_stack(
            [np.bincount(pos[ready <= y], weights=mw[ready <= y], minlength=n_st) for y in years]
        ).astype(float, copy=False) if n_st else np.zeros((0, len(years)))
    return out


def _load_sums(rows: _Rows, n_st: int, years: np.ndarray) -> dict[str, np.ndarray]:
    """Per direction the allocated MW × share summed by station, year bin, sector and certainty.

    Arrays of shape (n_stations × n_years × n_sectors, n_certainties), not yet cumulative: sums over disjoint sets
    of rows add up, which is how the dask engine (:mod:`energieplanologie.distributed`) combines partitions.
    """
    ny, nsec, ncert = len(years), len(SECTORS), len(CERTAINTIES)
    ok = (rows.station_pos >= 0) & (rows.year <= years[-1])
    # Year bin: the first analysed year ≥ the development's year (a lookup table over the few distinct years).
    y_lo = min(int(rows.year.min(initial=years[0])), int(years[0]))
    lut = np.searchsorted(years, np.arange(y_lo, int(years[-1]) + 1), side="left")
    ybin = lut[np.clip(rows.year - y_lo, 0, len(lut) - 1)]
    if not ok.all():
        idx = np.flatnonzero(ok)
        st, yb, sec, cert, share = (rows.station_pos[idx], ybin[idx], rows.sector[idx], rows.certainty[idx],
                                    rows.share[idx])
        mw = {d: rows.mw[d][idx] for d in DIRECTIONS}
    else:
        st, yb, sec, cert, share, mw = rows.station_pos, ybin, rows.sector, rows.certainty, rows.share, rows.mw
    key = st * (ny * nsec * ncert) + yb * (nsec * ncert) + (sec * ncert + cert)
    size = n_st * ny * nsec * ncert
    return {d: np.bincount(key, weights=mw[d] * share, minlength=size).reshape(n_st * ny * nsec, ncert)
            for d in DIRECTIONS}


#: Rows per BLAS product in :func:`_scenario_load`: below OpenBLAS's threading threshold (m·n·k ≤ 262,144 for
#: three scenarios and four certainties), so the product runs on the calling thread. Its threads gain nothing
#: on a product this thin and, on a busy machine, cost more than the product itself; each cell's dot product
#: is the same whatever the block size.
_BLAS_ROWS = 16_384


def _filled_cells(cells: np.ndarray) -> np.ndarray:
    """Positions of the rows of ``cells`` with some non-zero (or NaN) entry: ``cells.any(axis=1)``, one column
    at a time (a reduction along the short axis costs several times more)."""
    filled = cells[:, 0] != 0
    for k in range(1, cells.shape[1]):
        filled |= cells[:, k] != 0
    return np.flatnonzero(filled)


def _scenario_load(sums: dict[str, np.ndarray], n_st: int, years: np.ndarray, scenarios: list[Scenario],
                   rank: np.ndarray, out: np.ndarray) -> None:
    """Apply the scenario weights to :func:`_load_sums` and cumulate over the years, into ``out``.

    ``out`` has the shape (sector, scenario, station, year, direction), the stations at their ``rank`` (their
    place in the ledger, by station_id), and holds zeros. Only the (station, sector) series with some MW are
    weighted and cumulated; the others stay exactly 0. The weights are BLAS products over blocks of the cells
    that hold MW (each cell's dot product is the same whatever the block), ``× simultaneity`` and the running
    sum over the years follow, cell by cell as over the whole array. At province sizes most of the 5,000
    stations × years × sectors are empty, and work over all of them costs more than the rest of the balance.
    """
    ny, nsec, nsc = len(years), len(SECTORS), len(scenarios)
    # load[scenario, station, year, sector] = simultaneity[scenario, sector] × Σ_c sums[..., c] × weight[scenario, c]
    cert_w = np.stack([s.certainty_weights() for s in scenarios])  # (scenario, certainty)
    simul = np.stack([s.simultaneity_factors() for s in scenarios])  # (scenario, sector)
    for j, d in enumerate(DIRECTIONS):
        cells = sums[d]  # rows (station, year, sector), row-major
        filled = _filled_cells(cells)
        if not len(filled):
            continue
        by_cert = np.empty((len(filled), nsc))
        for lo in range(0, len(filled), _BLAS_ROWS):  # blocks small enough for one BLAS thread
            by_cert[lo:lo + _BLAS_ROWS] = cells[filled[lo:lo + _BLAS_ROWS]] @ cert_w.T
        station, rest = np.divmod(filled, ny * nsec)
        year, sector = np.divmod(rest, nsec)
        key = station * nsec + sector
        present = np.zeros(n_st * nsec, dtype=bool)
        present[key] = True
        series = np.flatnonzero(present)  # the (station, sector) series with MW, ascending
        lookup = np.zeros(n_st * nsec, dtype=np.intp)
        lookup[series] = np.arange(len(series))
        which = lookup[key]
        weighted = np.zeros((len(series), ny, nsc))
        weighted[which, year] = by_cert
        weighted *= simul.T[series % nsec][:, None, :]
        for y in range(1, ny):  # the running sum over the years (as np.cumsum adds, year after year)
            weighted[:, y] += weighted[:, y - 1]
        s_station, s_sector = np.divmod(series, nsec)
        # flat positions in ``out`` (sector, scenario, station, year, direction) of each (series, year, scenario)
        start = ((s_sector * nsc * n_st + rank[s_station]) * ny) * len(DIRECTIONS) + j
        step = (np.arange(nsc) * (n_st * ny) + np.arange(ny)[:, None]) * len(DIRECTIONS)  # (year, scenario)
        np.put(out, start[:, None, None] + step, weighted)


# ----------------------------------------------------------------------------------------------- balance


@dataclass(frozen=True)
class BalanceResult:
    """The outcome of :func:`station_balance_result`: the ledger and what it found beside the rows.

    Attributes
    ----------
    table : DataFrame
        The ledger, as :func:`station_balance` returns it (columns :data:`BALANCE_COLUMNS`).
    no_capacity : tuple of str
        The stations with an unknown capacity in some row (status ``unknown``), sorted.
    unallocated : tuple of str
        The ``development_id`` of the developments without a station, sorted.
    scenario_labels : dict
        Scenario name → its Dutch label, in the order of the table.
    amber_margin : float
        The margin the statuses were computed with.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> result = station_balance_result(ep.load_sample(), ["verwacht", "maximaal"])
    >>> result.scenario_labels
    {'verwacht': 'Verwacht', 'maximaal': 'Maximaal'}
    >>> result.unallocated, result.amber_margin
    ((), 0.1)
    """

    table: pd.DataFrame
    no_capacity: tuple[str, ...]
    unallocated: tuple[str, ...]
    scenario_labels: dict[str, str]
    amber_margin: float


def station_balance(
    region: Region,
    scenario: str | Scenario | Sequence[str | Scenario] = "verwacht",
    *,
    years: Iterable[int] | None = None,
    allocation: pd.DataFrame | None = None,
    amber_margin: float = 0.1,
    projects: Iterable[str] | None = None,
    progress: ProgressCallback | None = None,
    engine: str = "memory",
    client: Any = None,
    scenarios: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The capacity ledger: one row per station × scenario × year × direction.

    Parameters
    ----------
    region : Region
        The study area (stations, station_capacity, infrastructure, developments).
    scenario : str, Scenario or list of them, default "verwacht"
        Named scenarios resolve with the region's ``[scenarios]`` tables (see
        :func:`energieplanologie.scenarios.get_scenario`); a list gives rows for each.
    scenarios : mapping, optional
        The user's scenario tables (``[scenarios.NAAM]`` of the project configuration,
        :meth:`~energieplanologie.config.ProjectSettings.user_scenarios`); built-in names need none.
    years : iterable of int, optional
        Analysis years; default ``region.years``.
    allocation : DataFrame, optional
        The result of :func:`energieplanologie.allocation.allocate`; computed when absent as
        :func:`energieplanologie.allocation.allocate_region` does (the region's ``[allocation]`` settings, the
        municipalities as study area).
    amber_margin : float, default 0.1
        Status ``amber`` when the headroom is below this fraction of the capacity.
    projects : iterable of str, optional
        Only these infrastructure projects add capacity (e.g. a variant's project set); default all.
    progress : callable, optional
        ``progress(fraction, message)``.
    engine : {"memory", "dask"}, default "memory"
        ``"dask"`` allocates and sums the developments partition by partition on a Dask cluster
        (:mod:`energieplanologie.distributed`; ``region.developments`` may then be a dask-geopandas frame); the
        result equals the in-memory one up to the order of floating-point additions.
    client : dask.distributed.Client or str, optional
        With ``engine="dask"``: the cluster (a client or a scheduler address); default the current client, else
        dask's local threads.

    Returns
    -------
    DataFrame
        Columns :data:`BALANCE_COLUMNS` (module docstring), sorted by scenario (in the order given),
        station_id, year and direction (offtake first). The stations without a known capacity, the
        developments without a station and the scenario labels come with :func:`station_balance_result`.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> region = ep.load_sample()
    >>> bal = station_balance(region, ["vastgesteld", "verwacht"])
    >>> sorted(bal["status"].unique()) <= ["amber", "green", "red", "unknown"]
    True
    >>> list(bal.columns[:7])
    ['station_id', 'station_name', 'level', 'carrier', 'scenario', 'year', 'direction']
    """
    return station_balance_result(region, scenario, years=years, allocation=allocation, amber_margin=amber_margin,
                                  projects=projects, progress=progress, engine=engine, client=client,
                                  scenarios=scenarios).table


def station_balance_result(
    region: Region,
    scenario: str | Scenario | Sequence[str | Scenario] = "verwacht",
    *,
    years: Iterable[int] | None = None,
    allocation: pd.DataFrame | None = None,
    amber_margin: float = 0.1,
    projects: Iterable[str] | None = None,
    progress: ProgressCallback | None = None,
    engine: str = "memory",
    client: Any = None,
    scenarios: Mapping[str, Any] | None = None,
) -> BalanceResult:
    """:func:`station_balance` with what it found beside the rows (:class:`BalanceResult`).

    Parameters
    ----------
    region, scenario, years, allocation, amber_margin, projects, progress, engine, client, scenarios
        As :func:`station_balance`.

    Returns
    -------
    BalanceResult
        ``table`` (the ledger), ``no_capacity``, ``unallocated``, ``scenario_labels`` and ``amber_margin``.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> result = station_balance_result(ep.load_sample(), "verwacht")
    >>> len(result.table) == len(ep.station_balance(ep.load_sample(), "verwacht"))
    True
    >>> result.no_capacity  # a planned station without capacity rows yet: status unknown
    ('KWT',)
    """
    if not isinstance(region, Region):
        raise TypeError(f"Expected a Region, got {type(region).__name__}.")
    if not 0.0 <= amber_margin < 1.0:
        raise EnergieplanologieError(f"amber_margin: verwacht een getal in [0, 1), gevonden {amber_margin!r}")
    resolved = get_scenarios(scenario, extra=scenarios)
    ys = _years(region, years)
    n_st = len(region.stations)

    report(progress, 0.0, "ontwikkelingen toewijzen aan stations")
    if use_dask(engine):
        from energieplanologie.distributed import dask_load_sums

        kernels = replace(ALLOCATION_KERNELS, rows=_rows, rows_type=_Rows, load_sums=_load_sums)
        sums, unallocated = dask_load_sums(region, ys, kernels=kernels, allocation=allocation, client=client,
                                           progress=scaled(progress, 0.0, 0.6))
        rows = _flex_rows(region, allocation)  # only the non-firm and pooled developments, in memory
    else:
        rows, unallocated = _rows(region, allocation)
        sums = _load_sums(rows, n_st, ys)
    report(progress, 0.6, "stationsbalans berekenen")
    ledger = _ledger(region, ys, resolved, projects)
    col = dict(zip(_FLOAT_COLUMNS, ledger.block, strict=True))
    first_sector = _FLOAT_COLUMNS.index(SECTOR_COLUMNS[0])
    per_sector = ledger.block[first_sector:first_sector + len(SECTORS)]  # (sector, scenario, station, year, dir)
    _scenario_load(sums, n_st, ys, resolved, ledger.rank, per_sector)
    development = col["development_load_mw"]
    development[...] = per_sector[0]
    for k in range(1, len(SECTORS)):  # one sector after the other (the order the ledger has always used)
        development += per_sector[k]
    load_before = np.add(np.nan_to_num(col["baseline_load_mw"], nan=0.0), development, out=col["load_before_flex_mw"])
    flex = flex_load(region, rows, resolved, ys, np.take(load_before, ledger.rank, axis=1),  # the stations' order
                     projects=projects, partial=use_dask(engine))  # rules 1–5 of energieplanologie.flex
    for name in ("load_mw", *FLEX_BALANCE_COLUMNS):
        if name != "load_before_flex_mw":
            np.take(getattr(flex, name), ledger.order, axis=1, out=col[name])
    capacity, load = col["capacity_mw"], col["load_mw"]
    headroom = np.subtract(capacity, load, out=col["headroom_mw"])
    known = ~np.isnan(capacity)
    with np.errstate(invalid="ignore"):
        red = known & (headroom < -TOLERANCE_MW)
        amber = known & ~red & (headroom < amber_margin * capacity - TOLERANCE_MW)
        col["shortage_mw"][...] = np.where(known, np.where(red, -headroom, 0.0), np.nan)
        col["utilisation"][...] = np.where(known & (capacity > 0), load / np.where(capacity > 0, capacity, 1.0),
                                           np.nan)
    status = np.where(~known, 3, np.where(red, 2, np.where(amber, 1, 0)))
    any_red = red.any(axis=2)  # (sc, st, dir)
    first = np.where(any_red, ys[np.argmax(red, axis=2)], -1)
    first = np.broadcast_to(first[:, :, None, :], red.shape)

    report(progress, 0.9, "tabel opbouwen")
    out = _balance_table(ledger, status, first)
    unknown_any = (~known).any(axis=(0, 2, 3))
    sid = region.stations["station_id"].to_numpy(dtype=object)
    report(progress, 1.0, "stationsbalans klaar")
    return BalanceResult(table=out, no_capacity=tuple(sorted(str(s) for s in sid[ledger.order][unknown_any])),
                         unallocated=tuple(unallocated), scenario_labels={s.name: s.label_nl for s in resolved},
                         amber_margin=float(amber_margin))


#: The ledger's key columns (before the float columns), in their order in :data:`BALANCE_COLUMNS`.
_KEY_COLUMNS: tuple[str, ...] = ("station_id", "station_name", "level", "carrier", "scenario", "year", "direction")
#: The ledger's float columns, in their order in :data:`BALANCE_COLUMNS`.
_FLOAT_COLUMNS: tuple[str, ...] = tuple(
    c for c in BALANCE_COLUMNS if c not in (*_KEY_COLUMNS, "status", "first_shortage_year"))


@dataclass(frozen=True)
class _Ledger:
    """What the ledger's table needs besides the allocated load: its rows laid out, its capacities filled in.

    ``order`` holds the input positions of the stations in the ledger's order (by station_id), ``rank`` the
    ledger place of each station. ``block`` holds the :data:`_FLOAT_COLUMNS`, each of shape (scenario, station,
    year, direction) with the stations in the ledger's order; the capacity columns and the baseline load are
    filled in, the others are 0. ``keys`` are the key columns of the table, one value per row.
    """

    order: np.ndarray
    rank: np.ndarray
    block: np.ndarray
    keys: dict[str, Any]


def _ledger(region: Region, years: np.ndarray, scenarios: list[Scenario], projects: Iterable[str] | None) -> _Ledger:
    """Lay out the ledger (:class:`_Ledger`): every part of the table that does not depend on the allocation."""
    stations = region.stations
    nsc, n_st, ny = len(scenarios), len(stations), len(years)
    sid = stations["station_id"].to_numpy(dtype=object)
    order = np.argsort(sid.astype(str), kind="stable")
    rank = np.empty(n_st, dtype=np.intp)
    rank[order] = np.arange(n_st)
    base = _capacity_rows(region, years)
    added = _added(_projects(region, projects), n_st, years)

    def stack(per_direction: dict[str, np.ndarray]) -> np.ndarray:  # (station in ledger order, year, direction)
        return np.stack([per_direction[d] for d in DIRECTIONS], axis=-1)[order]

    # One block for the float columns, computed where the table uses it: no gathering afterwards.
    block = np.zeros((len(_FLOAT_COLUMNS), nsc, n_st, ny, 2))
    col = dict(zip(_FLOAT_COLUMNS, block, strict=True))
    col["base_capacity_mw"][...] = stack({d: base[f"{d}_capacity_mw"] for d in DIRECTIONS})
    col["baseline_load_mw"][...] = stack({d: base[f"{d}_load_mw"] for d in DIRECTIONS})
    col["capacity_added_mw"][...] = stack(added)
    np.add(col["base_capacity_mw"], col["capacity_added_mw"], out=col["capacity_mw"])

    n_rows = nsc * n_st * ny * 2
    st_idx = np.tile(np.repeat(order, ny * 2), nsc)

    def text(values: np.ndarray) -> pd.Series:
        return pd.Series(values, dtype=object, copy=False)  # object, as in validated layers

    def station_col(name: str) -> pd.Series:
        return text(stations[name].to_numpy(dtype=object)[st_idx] if name in stations.columns
                    else np.full(n_rows, None, dtype=object))

    keys = {
        "station_id": station_col("station_id"),
        "station_name": station_col("name"),
        "level": station_col("level"),
        "carrier": station_col("carrier"),
        "scenario": text(np.repeat(np.array([s.name for s in scenarios], dtype=object), n_st * ny * 2)),
        "year": np.tile(np.repeat(years, 2), nsc * n_st),
        "direction": text(np.tile(np.array(DIRECTIONS, dtype=object), nsc * n_st * ny)),
    }
    return _Ledger(order, rank, block, keys)


def _balance_table(ledger: _Ledger, status: np.ndarray, first: np.ndarray) -> pd.DataFrame:
    """The ledger's rows, sorted by scenario, station_id, year and direction, in one frame construction.

    The frame uses ``ledger.block`` as it is, and the key, status and first-shortage columns are inserted at their
    places (no merges, no per-row work); ``status`` and ``first`` have the block's shape (scenario, station, year,
    direction), stations in the ledger's order.
    """
    n_rows = status.size
    out = pd.DataFrame(ledger.block.reshape(len(_FLOAT_COLUMNS), n_rows).T, columns=list(_FLOAT_COLUMNS),
                       copy=False)
    first_flat = first.reshape(n_rows)
    others = {
        **ledger.keys,
        "status": pd.Series(np.array(STATUSES, dtype=object)[status.reshape(n_rows)], dtype=object, copy=False),
        "first_shortage_year": pd.arrays.IntegerArray(np.maximum(first_flat, 0).astype(np.int64), first_flat < 0),
    }
    for name in BALANCE_COLUMNS:  # in column order, so each lands at its final place
        if name in others:
            out.insert(BALANCE_COLUMNS.index(name), name, others[name])
    return out


# ----------------------------------------------------------------------------------------------- enablement


@dataclass(frozen=True)
class EnablementResult:
    """The outcome of :func:`project_enablement_result`: the table and the scenario it was computed for.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> project_enablement_result(ep.load_sample(), "maximaal").scenario
    'maximaal'
    """

    table: pd.DataFrame
    scenario: str


def project_enablement(
    region: Region,
    scenario: str | Scenario = "verwacht",
    *,
    years: Iterable[int] | None = None,
    allocation: pd.DataFrame | None = None,
    scenarios: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The developments that fit at a station only because of each infrastructure project.

    Definition. At a station the developments queue in order of ``year``, then ``development_id``; each adds its
    scenario-weighted MW (× simultaneity × share) to the baseline load. In year *y* a development *fits* under
    capacity *C* when the cumulative load up to and including it is ≤ *C* (first come, first served: once one
    does not fit, none after it does). *C_with* is the station's capacity in *y* with every project ready by
    then; *C_without* the same minus this project's added capacity. A project **enables** the developments that
    fit under *C_with* but not under *C_without*. This is the marginal effect of the project with all other
    projects in place: two projects that each alone would suffice enable nothing marginally, which the
    afwegingskader reads as "not needed on its own". A development counts whole even when only part of it
    would fit without the project.

    Parameters
    ----------
    region : Region
    scenario : str or Scenario, default "verwacht"
    years : iterable of int, optional
        Default ``region.years``.
    scenarios : mapping, optional
        The user's scenario tables (``[scenarios.NAAM]`` of the project configuration,
        :meth:`~energieplanologie.config.ProjectSettings.user_scenarios`); built-in names need none.
    allocation : DataFrame, optional
        The result of :func:`~energieplanologie.allocation.allocate`; computed when absent.

    Returns
    -------
    DataFrame
        Columns :data:`ENABLEMENT_COLUMNS`: for each project with a station and added capacity, each year and
        direction: ``capacity_added_mw`` (its added capacity in that direction once ready, else 0),
        ``mw_enabled`` (Σ weighted MW of the enabled developments), ``developments_enabled`` (count) and
        ``development_ids`` (``;``-joined, sorted). NaN / NA when the station's capacity is unknown. Sorted by
        project_id, year, direction.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> enabled = project_enablement(ep.load_sample(), "verwacht")
    >>> list(enabled.columns) == list(ENABLEMENT_COLUMNS)
    True
    """
    return project_enablement_result(region, scenario, years=years, allocation=allocation, scenarios=scenarios).table


def project_enablement_result(
    region: Region,
    scenario: str | Scenario = "verwacht",
    *,
    years: Iterable[int] | None = None,
    allocation: pd.DataFrame | None = None,
    scenarios: Mapping[str, Any] | None = None,
) -> EnablementResult:
    """:func:`project_enablement` with the name of the scenario it was computed for (:class:`EnablementResult`).

    Parameters
    ----------
    region, scenario, years, allocation, scenarios
        As :func:`project_enablement`.

    Returns
    -------
    EnablementResult
        ``table`` (columns :data:`ENABLEMENT_COLUMNS`) and ``scenario``.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> result = project_enablement_result(ep.load_sample(), "verwacht")
    >>> result.scenario, list(result.table.columns) == list(ENABLEMENT_COLUMNS)
    ('verwacht', True)
    """
    if not isinstance(region, Region):
        raise TypeError(f"Expected a Region, got {type(region).__name__}.")
    sc = get_scenario(scenario, extra=scenarios)
    ys = _years(region, years)
    projects = _projects(region, None)
    if not len(projects):
        return EnablementResult(_empty_enablement(), sc.name)
    rows, _ = _rows(region, allocation)
    n_st = len(region.stations)
    base = _capacity_rows(region, ys)
    added = _added(projects, n_st, ys)
    station_ids = region.stations["station_id"].to_numpy(dtype=object)

    # Rows at stations with projects, in queue order: station, year, development_id.
    with_projects = np.unique(projects["station_pos"].to_numpy(dtype=np.intp))
    sel = np.flatnonzero(np.isin(rows.station_pos, with_projects) & (rows.year <= ys[-1]))
    dev_ids = rows.dev_ids()[sel].astype(str)
    order = np.lexsort((dev_ids, rows.year[sel], rows.station_pos[sel]))
    sel, dev_ids = sel[order], dev_ids[order]
    st_sel, year_sel = rows.station_pos[sel], rows.year[sel]
    weight = (sc.certainty_weights()[rows.certainty[sel]] * sc.simultaneity_factors()[rows.sector[sel]]
              * rows.share[sel])
    mw = {d: rows.mw[d][sel] * weight for d in DIRECTIONS}
    bounds = {s: (np.searchsorted(st_sel, s, "left"), np.searchsorted(st_sel, s, "right")) for s in with_projects}

    records = []
    for p in projects.sort_values("project_id", kind="stable").itertuples(index=False):
        s = int(p.station_pos)
        lo, hi = bounds[s]
        for j, y in enumerate(ys):
            ready = not np.isnan(p.year_ready) and p.year_ready <= y
            n_in_year = lo + int(np.searchsorted(year_sel[lo:hi], y, side="right"))
            for d in DIRECTIONS:
                own = float(getattr(p, d)) if ready else 0.0
                c_with = base[f"{d}_capacity_mw"][s, j] + added[d][s, j]
                record = {"project_id": p.project_id, "station_id": station_ids[s], "year": int(y), "direction": d,
                          "capacity_added_mw": own}
                if np.isnan(c_with):
                    records.append({**record, "mw_enabled": np.nan, "developments_enabled": pd.NA,
                                    "development_ids": ""})
                    continue
                load = base[f"{d}_load_mw"][s, j]
                load = 0.0 if np.isnan(load) else load
                d_mw = mw[d][lo:n_in_year]
                active = d_mw > 0
                cumulative = load + np.cumsum(d_mw[active])
                fit_with = int(np.searchsorted(cumulative, c_with + TOLERANCE_MW, side="right"))
                fit_without = int(np.searchsorted(cumulative, c_with - own + TOLERANCE_MW, side="right"))
                enabled = slice(fit_without, fit_with)
                ids = sorted(set(dev_ids[lo:n_in_year][active][enabled]))
                records.append({**record, "mw_enabled": float(d_mw[active][enabled].sum()),
                                "developments_enabled": len(ids), "development_ids": ";".join(ids)})
    out = pd.DataFrame.from_records(records, columns=list(ENABLEMENT_COLUMNS))
    out["developments_enabled"] = out["developments_enabled"].astype("Int64")
    out["year"] = out["year"].astype(np.int64)
    return EnablementResult(out, sc.name)


def _empty_enablement() -> pd.DataFrame:
    return pd.DataFrame({
        "project_id": pd.Series([], dtype=object), "station_id": pd.Series([], dtype=object),
        "year": pd.Series([], dtype=np.int64), "direction": pd.Series([], dtype=object),
        "capacity_added_mw": pd.Series([], dtype=float), "mw_enabled": pd.Series([], dtype=float),
        "developments_enabled": pd.Series([], dtype="Int64"), "development_ids": pd.Series([], dtype=object),
    })


# ----------------------------------------------------------------------------------------------- layer


def balance_layer(balance: pd.DataFrame, stations: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The balance rows with their station's point, for the GeoPackage layer ``stationsbalans``.

    Parameters
    ----------
    balance : DataFrame
        The result of :func:`station_balance`.
    stations : GeoDataFrame
        The stations (``station_id`` and point geometry).

    Returns
    -------
    GeoDataFrame
        The balance rows in their order, with the station geometry (empty when the station is unknown).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> region = ep.load_sample()
    >>> layer = balance_layer(station_balance(region), region.stations)
    >>> layer.geometry.geom_type.unique().tolist()
    ['Point']
    """
    geom = stations.set_index(stations["station_id"].to_numpy(dtype=object)).geometry
    values = geom.reindex(balance["station_id"].to_numpy(dtype=object)).to_numpy()
    out = gpd.GeoDataFrame(balance.reset_index(drop=True), geometry=gpd.GeoSeries(values, crs=stations.crs),
                           crs=stations.crs)
    return out
