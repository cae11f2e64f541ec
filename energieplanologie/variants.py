"""Development variants (*ontwikkelvarianten*): a set of projects plus a scenario, compared side by side.

Step 3 of the source document designs "a number of logical and feasible variants" of the energy infrastructure,
each made of concrete projects; step 4 scores them on the afwegingskader. A variant here is data::

    [variants.basis]
    label = "Alleen investeringsplan"
    projects = ["P01", "P02"]
    scenario = "verwacht"

    [variants.versneld]
    projects = ["P01", "P02", "P07"]
    scenario = "verwacht"

    [variants.flexibel]                          # flex options (energieplanologie.flex): the flex assets are
    projects = ["P01", "P11"]                    # projects like any other; non-firm agreements per sector
    non_firm_share = { datacenter = 0.3 }        # override the scenario's default share (developments with
                                                 # their own non_firm_share keep it)

:func:`compare_variants` computes, per variant and analysis year, the remaining shortage (MW summed over stations
and directions, and the number of stations short), the developments accommodated (count and weighted MW), the
total cost, the flex relief (``total_flex_mw``: non-firm, cable pooling, storage and conversion summed) and,
given an :class:`~energieplanologie.assessment.Assessment`, the mean criterion points of its projects. Existing infrastructure (status ``existing``) is part of every variant unless told otherwise.
:func:`energieplanologie.variant_charts.plot_variants` draws the comparison with Dutch labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energieplanologie._errors import ConfigError
from energieplanologie.progress import ProgressCallback, report

__all__ = ["VARIANT_COLUMNS", "Variant", "VariantsResult", "compare_variants", "compare_variants_result", "load_variants"]

#: Columns of :func:`compare_variants` before the per-criterion columns ``points_<code>``.
VARIANT_COLUMNS: tuple[str, ...] = (
    "variant", "label", "scenario", "year", "n_projects", "project_ids", "total_cost_meur", "total_shortage_mw",
    "stations_short", "developments_accommodated", "developments_total", "mw_accommodated", "mw_total",
    "weighted_score_mean", "total_flex_mw",
)


@dataclass(frozen=True)
class Variant:
    """A development variant: the projects that are built, under one scenario.

    Examples
    --------
    >>> Variant("basis", ("P1", "P2"), "verwacht").projects
    ('P1', 'P2')
    """

    name: str
    projects: tuple[str, ...]
    scenario: str = "verwacht"
    label: str = ""
    description: str = ""
    #: Default non-firm share per sector for this variant, over the scenario's (``((sector, share), …)``).
    non_firm_share: tuple[tuple[str, float], ...] = ()

    @property
    def title(self) -> str:
        return self.label or self.name


def load_variants(source: str | Path | Mapping[str, Any] | Iterable[Variant]) -> dict[str, Variant]:
    """Read variants from a TOML file, a parsed mapping (with or without the ``variants`` table) or Variants.

    Each ``[variants.NAME]`` table has ``projects`` (list of project ids) and optionally ``scenario`` (default
    ``"verwacht"``), ``label``, ``description`` and ``non_firm_share`` (``{sector = share}``: the default share
    under a non-firm agreement, over the scenario's; see :mod:`energieplanologie.flex`). Order is kept.

    Examples
    --------
    >>> v = load_variants({"variants": {"a": {"projects": ["P1"], "scenario": "maximaal"}}})
    >>> v["a"].scenario
    'maximaal'
    """
    if isinstance(source, (str, Path)):
        from energieplanologie._toml import read_toml

        source = read_toml(Path(source), what="varianten")
    if isinstance(source, Mapping):
        table = source.get("variants", source)
        out: dict[str, Variant] = {}
        for name, spec in table.items():
            key = f"variants.{name}"
            if not isinstance(spec, Mapping):
                raise ConfigError(f"{key}: verwacht een tabel met projects = [...]", key=key)
            unknown = set(spec) - {"projects", "scenario", "label", "description", "non_firm_share"}
            if unknown:
                raise ConfigError(f"{key}: onbekende sleutel(s) {sorted(unknown)}", key=key)
            projects = spec.get("projects")
            if not isinstance(projects, list) or not all(isinstance(p, (str, int)) for p in projects):
                raise ConfigError(f"{key}.projects: verwacht een lijst project-id's", key=f"{key}.projects")
            out[str(name)] = Variant(str(name), tuple(str(p) for p in projects), str(spec.get("scenario", "verwacht")),
                                     str(spec.get("label", "")), str(spec.get("description", "")),
                                     _non_firm_table(spec.get("non_firm_share"), f"{key}.non_firm_share"))
    else:
        out = {v.name: v for v in source}
    if not out:
        raise ConfigError("varianten: geen enkele variant opgegeven", key="variants")
    return out


def _non_firm_table(table: Any, key: str) -> tuple[tuple[str, float], ...]:
    """A variant's ``non_firm_share`` table, checked as a scenario's is (known sectors, numbers in [0, 1])."""
    if table is None:
        return ()
    from energieplanologie.scenarios import Scenario
    from energieplanologie.schema import CERTAINTIES

    try:
        checked = Scenario("variant", "", dict.fromkeys(CERTAINTIES, 1.0), non_firm_share=table).non_firm_share
    except ConfigError as err:
        raise ConfigError(f"{key}: {str(err).split(': ', 1)[-1]}", key=key) from None
    return tuple((sector, share) for sector, share in checked.items() if share > 0)


def _accommodated(balance: pd.DataFrame, alloc: pd.DataFrame, years: np.ndarray) -> pd.DataFrame:
    """Per year: developments whose every (station, direction) has known capacity and no shortage."""
    rows = alloc.loc[alloc["mw"] > 0, ["development_id", "station_id", "direction", "year_dev"]]
    status = balance[["station_id", "direction", "year", "status"]]
    per_year = []
    for y in years:
        active = rows.loc[rows["year_dev"] <= y]
        ids = active["development_id"].unique()
        if not len(ids):
            per_year.append((int(y), 0, 0))
            continue
        m = active.merge(status.loc[status["year"] == y], on=["station_id", "direction"], how="left")
        ok = m["status"].isin(["green", "amber"]).groupby(m["development_id"]).all()
        per_year.append((int(y), int(ok.sum()), len(ids)))
    return pd.DataFrame(per_year, columns=["year", "developments_accommodated", "developments_total"])


@dataclass(frozen=True)
class VariantsResult:
    """What :func:`compare_variants_result` returns: the comparison and the projects without a known cost.

    Attributes
    ----------
    table : DataFrame
        The comparison, as :func:`compare_variants` returns it.
    unknown_cost : dict of str to list of str
        Per variant (only those with any) its own projects whose ``cost_meur`` is missing; they count as 0 in
        ``total_cost_meur``.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> result = compare_variants_result(ep.load_sample(), [Variant("ip", ("P01", "P03"))])
    >>> result.unknown_cost, len(result.table)
    ({}, 4)
    """

    table: pd.DataFrame
    unknown_cost: dict[str, list[str]]


def compare_variants(
    region: Any,
    variants: Mapping[str, Variant] | Iterable[Variant] | str | Path | None = None,
    *,
    years: Iterable[int] | None = None,
    assessment: Any = None,
    include_existing: bool = True,
    progress: ProgressCallback | None = None,
    scenarios: Mapping[str, Any] | None = None,
    allocation: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compare development variants on remaining shortage, developments accommodated, cost and criteria.

    Parameters
    ----------
    region : Region
        The study area.
    variants : mapping, iterable of Variant, or path
        The variants (see :func:`load_variants`), e.g. the ``[variants.NAME]`` tables of the project
        configuration (:meth:`~energieplanologie.config.ProjectSettings.variant_tables`).
    years : iterable of int, optional
        Analysis years; default ``region.years``.
    assessment : Assessment, optional
        Scores of the projects; gives ``weighted_score_mean`` and ``points_<code>`` (mean points per criterion
        of the variant's scored projects).
    include_existing : bool, default True
        Count infrastructure with status ``existing`` in every variant.
    progress : callable, optional
        ``progress(fraction, message)``.
    scenarios : mapping, optional
        The user's scenario tables (``[scenarios.NAAM]`` of the project configuration,
        :meth:`~energieplanologie.config.ProjectSettings.user_scenarios`); built-in names need none.
    allocation : GeoDataFrame, optional
        The allocation of the run (the pipeline's); computed with the default options when None.

    Returns
    -------
    DataFrame
        One row per variant and year, columns :data:`VARIANT_COLUMNS` then ``points_<code>``:
        ``total_shortage_mw`` (Σ shortage over stations and directions), ``stations_short`` (stations short in
        either direction), ``developments_accommodated`` of ``developments_total`` (developments in the
        scenario up to that year whose stations have known capacity and no shortage in their directions),
        ``mw_accommodated`` of ``mw_total`` (per station and direction the development load that fits:
        ``min(development load, max(0, capacity − baseline load))``), ``total_cost_meur`` (Σ cost of the
        variant's own projects, NaN costs counted as 0 and listed in
        :attr:`VariantsResult.unknown_cost` of :func:`compare_variants_result`).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> region = ep.load_sample()
    >>> ip = Variant("ip", ("P01", "P03"), "verwacht", "Investeringsplan")
    >>> compare_variants(region, [ip])[["variant", "year", "total_shortage_mw", "stations_short"]].round(1)
      variant  year  total_shortage_mw  stations_short
    0      ip  2025                0.0               0
    1      ip  2030               63.2               3
    2      ip  2035               99.1               3
    3      ip  2040              117.4               4
    """
    return compare_variants_result(region, variants, years=years, assessment=assessment,
                                   include_existing=include_existing, progress=progress, scenarios=scenarios,
                                   allocation=allocation).table


def compare_variants_result(
    region: Any,
    variants: Mapping[str, Variant] | Iterable[Variant] | str | Path | None = None,
    *,
    years: Iterable[int] | None = None,
    assessment: Any = None,
    include_existing: bool = True,
    progress: ProgressCallback | None = None,
    scenarios: Mapping[str, Any] | None = None,
    allocation: pd.DataFrame | None = None,
) -> VariantsResult:
    """:func:`compare_variants` with the projects of unknown cost beside the table.

    Parameters
    ----------
    region : Region
        The study area.
    variants : mapping, iterable of Variant, or path
        The variants (see :func:`load_variants`), e.g. the ``[variants.NAME]`` tables of the project
        configuration (:meth:`~energieplanologie.config.ProjectSettings.variant_tables`).
    years : iterable of int, optional
        Analysis years; default ``region.years``.
    assessment : Assessment, optional
        Scores of the projects; gives ``weighted_score_mean`` and ``points_<code>`` (mean points per criterion
        of the variant's scored projects).
    include_existing : bool, default True
        Count infrastructure with status ``existing`` in every variant.
    progress : callable, optional
        ``progress(fraction, message)``.
    scenarios : mapping, optional
        The user's scenario tables (``[scenarios.NAAM]`` of the project configuration,
        :meth:`~energieplanologie.config.ProjectSettings.user_scenarios`); built-in names need none.
    allocation : GeoDataFrame, optional
        The allocation of the run (the pipeline's); computed with the default options when None.

    Returns
    -------
    VariantsResult
        ``table`` (the comparison) and ``unknown_cost`` (per variant its projects without ``cost_meur``).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> region = ep.load_sample()
    >>> result = compare_variants_result(region, [Variant("ip", ("P01", "P03"))])
    >>> result.table.attrs, result.unknown_cost
    ({}, {})
    """
    from energieplanologie.allocation import allocate_region
    from energieplanologie.balance import station_balance
    from energieplanologie.scenarios import get_scenario, weighted_mw

    if not variants:
        raise ConfigError("geen varianten opgegeven (in de configuratie: [variants.NAAM]-tabellen)", key="variants")
    vs = load_variants(variants)
    infra = region.infrastructure
    known = set(infra["project_id"].astype(str))
    for v in vs.values():
        unknown = sorted(set(v.projects) - known)
        if unknown:
            raise ConfigError(f"variants.{v.name}.projects: onbekende project-id's {', '.join(unknown)}",
                              key=f"variants.{v.name}.projects")
    ys = np.array(sorted({int(y) for y in (region.years if years is None else years)}), dtype=np.int64)
    existing = infra.loc[infra["status"] == "existing", "project_id"].astype(str).tolist() if include_existing else []
    cost = pd.to_numeric(infra.set_index(infra["project_id"].astype(str))["cost_meur"], errors="coerce")

    alloc = allocation if allocation is not None else allocate_region(region)
    scored = None
    if assessment is not None:
        crit = [c for c in assessment.framework.criteria if c.scored]
        scored = (assessment.scores.loc[assessment.scores["criterion"].isin([c.code for c in crit])]
                  .pivot(index="project_id", columns="criterion", values="points")
                  .reindex(columns=[c.code for c in crit]))
        scored = scored.join(assessment.table.set_index("project_id")["weighted_score"])

    frames = []
    unknown_cost: dict[str, list[str]] = {}
    for i, v in enumerate(vs.values()):
        report(progress, i / len(vs), f"variant {v.title}")
        projects = sorted(set(v.projects) | set(existing))
        scenario: Any = v.scenario
        if v.non_firm_share:  # the variant's non-firm shares over the scenario's
            base = get_scenario(v.scenario, extra=scenarios)
            scenario = replace(base, non_firm_share={**base.non_firm_share, **dict(v.non_firm_share)})
        bal = station_balance(region, scenario, years=ys, allocation=alloc, projects=projects, scenarios=scenarios)
        w = weighted_mw(region.developments, v.scenario, extra=scenarios)
        dev = pd.DataFrame({"development_id": region.developments["development_id"].to_numpy(dtype=object),
                            "year_dev": region.developments["year"].to_numpy(dtype=float, na_value=np.nan),
                            "offtake": w["offtake_mw_weighted"].fillna(0.0).to_numpy(),
                            "feedin": w["feedin_mw_weighted"].fillna(0.0).to_numpy()})
        long = (alloc[["development_id", "station_id"]].merge(dev, on="development_id", how="left")
                .melt(id_vars=["development_id", "station_id", "year_dev"], value_vars=["offtake", "feedin"],
                      var_name="direction", value_name="mw"))
        acc = _accommodated(bal, long, ys)
        known_cap = bal["capacity_mw"].notna()
        fits = np.minimum(bal["development_load_mw"], (bal["capacity_mw"] - bal["baseline_load_mw"].fillna(0.0))
                          .clip(lower=0.0)).where(known_cap, 0.0)
        per_year = pd.DataFrame({
            "year": bal["year"].to_numpy(),
            "shortage": bal["shortage_mw"].fillna(0.0).to_numpy(),
            "short_station": np.where(bal["shortage_mw"].fillna(0.0) > 1e-6, bal["station_id"], None),
            "fits": fits.to_numpy(),
            "load": bal["development_load_mw"].fillna(0.0).to_numpy(),
            "flex": bal[["non_firm_mw", "cable_pooling_mw", "flex_battery_mw", "flex_conversion_mw"]].sum(axis=1)
            .to_numpy(),
        }).groupby("year").agg(total_shortage_mw=("shortage", "sum"), stations_short=("short_station", "nunique"),
                               mw_accommodated=("fits", "sum"), mw_total=("load", "sum"),
                               total_flex_mw=("flex", "sum")).reset_index()
        own = list(v.projects)
        missing_cost = [p for p in own if pd.isna(cost.get(p))]
        if missing_cost:
            unknown_cost[v.name] = missing_cost
        row = {"variant": v.name, "label": v.title, "scenario": v.scenario, "n_projects": len(own),
               "project_ids": ";".join(own), "total_cost_meur": float(cost.reindex(own).fillna(0.0).sum())}
        if scored is not None:
            mine = scored.reindex([p for p in own if p in scored.index])
            row["weighted_score_mean"] = float(mine["weighted_score"].mean()) if len(mine) else np.nan
            for c in scored.columns.drop("weighted_score"):
                row[f"points_{c}"] = float(mine[c].mean()) if len(mine) else np.nan
        else:
            row["weighted_score_mean"] = np.nan
        frame = per_year.merge(acc, on="year", how="left").assign(**row)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    extra = [c for c in out.columns if c.startswith("points_")]
    out = out[list(VARIANT_COLUMNS) + extra]
    out["stations_short"] = out["stations_short"].astype(int)
    report(progress, 1.0, "varianten vergeleken")
    return VariantsResult(table=out, unknown_cost=unknown_cost)
