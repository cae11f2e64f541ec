"""Knooppunten (hotspots): where developments come together, and whether that is local, provincial or national.

Noord-Holland Noord's *knooppuntenaanpak* (DESIGN §5): "there are always knooppunten where several developments
come together; it then becomes clear whether a knooppunt has a local, provincial or national character".
:func:`detect_hotspots` finds them in a :class:`~energieplanologie.region.Region`:

**Points.** Each development with ``year ≤ year`` is represented by one point (the point itself, or a point on the
surface of a line or polygon) weighted by its scenario-weighted MW, offtake plus feed-in
(:func:`energieplanologie.scenarios.weighted_mw`). Developments that weigh nothing in the scenario take no part.
With ``include_infrastructure`` planned nodal infrastructure takes part too: projects that are not ``existing``,
add capacity, are ready by ``year`` (a project without ``year_ready`` is never ready, as in the balance) and are
points or areas (cables and pipelines connect places, they do not sit at one); their weight is the capacity they add (offtake + feed-in), or
``infrastructure_weight_mw`` when given. Infrastructure weight only shapes the clusters: the MW columns of a
hotspot count developments only.

**Methods.**

``dbscan``
    Weighted DBSCAN (:func:`energieplanologie.clustering.grid_dbscan`, exactly scikit-learn's semantics with
    ``sample_weight``): a point is core when the MW within ``eps_m`` of it (its own included) reaches ``min_mw``.
    MW are counted in whole watts (each weight and ``min_mw`` rounded to 10⁻⁶ MW,
    :data:`energieplanologie.clustering.WEIGHT_RESOLUTION`) and summed exactly, so developments whose MW add
    up to exactly ``min_mw`` in decimal (say 0.1 + 0.3 + 19.4 + 0.2 = 20) are core whatever their order, in
    memory and on dask alike; the same exact sums decide ``min_mw`` for HDBSCAN and Gi* clusters.
``hdbscan``
    :class:`sklearn.cluster.HDBSCAN` with ``min_cluster_size = max(2, min_members)``, for clusters of varying
    density. HDBSCAN takes no sample weights, so MW enters afterwards: clusters whose MW is below ``min_mw`` are
    dropped. Meant for a province (thousands of developments): it needs about a minute for 10⁵ points and does
    not scale to national building-level data, where ``dbscan`` takes seconds for 10⁶.
``gistar``
    Getis-Ord Gi* (:class:`esda.G_Local`, ``star=True``, ``permutations`` conditional permutations seeded with
    ``seed``) of the MW per cell of a hexagon grid (``hex_size_m`` between the centres of neighbouring cells, the
    six neighbours as weights). p-values are two-sided by default, as ArcGIS's Hot Spot Analysis reports them
    (``alternative="greater"`` for one-sided), and corrected for the number of cells with Benjamini–Hochberg
    (:func:`scipy.stats.false_discovery_control`); a cell is *hot* when ``gi_z > 0``, the permutation test points
    the same way, and the corrected p-value is at most ``fdr_alpha``. (Before version 0.2 the p-values were
    one-sided: hot at ``fdr_alpha = 0.05`` then meant the two-sided 90 % level.) Contiguous hot cells form one hotspot, its members are the points inside, its polygon is
    the union of the cells. Hotspots below ``min_mw`` are dropped.

Every method then keeps only clusters with at least ``min_members`` members of which at least one is a development.

**Ids.** ``hotspot_id`` is ``"KP-"`` + the first 8 hex digits of the SHA-1 of the sorted member keys
(``development:<id>`` / ``infrastructure:<id>``, one per line). It depends on the members only: it does not change
when rows are reordered or when features far away change, and a hotspot with the same members in two years has
the same id. Points are clustered in coordinate order, so results never depend on row order.

**Polygon.** The convex hull of the members' geometries, buffered by ``buffer_m`` (``gistar``: the hot cells).

**Stations involved.** The stations the member developments are allocated to
(:func:`energieplanologie.allocation.allocate` with the region's ``[allocation]`` settings, or the ``allocation``
given), plus the stations of member infrastructure; when there are none, the station nearest to the hotspot.

**Level.** Rules as data in ``data/hotspot_levels.toml`` (override any of them with ``level_rules``):

- *national* when an EHS station is involved or the total is at least 500 MW;
- *provincial* when an HS station is involved or the total is at least 50 MW;
- *local* otherwise.

``level_reason`` says in Dutch which condition decided, e.g. ``"provinciaal: HS-station betrokken (Sluiskil
150 kV)"`` or ``"lokaal: geen EHS-station en < 500 MW; geen HS-station en < 50 MW (totaal 21 MW)"``.

**Name.** ``"Knooppunt <place>"`` after the involved electricity station nearest to the hotspot's MW-weighted
centre (voltage and qualifiers stripped: ``Sluiskil 150 kV (Hydro Agri)`` → ``Sluiskil``), else after the
municipality holding that centre; a second hotspot named after the same place gets `` (2)`` (the largest by MW
keeps the plain name).

:func:`hotspots_through_time` runs the detection for every analysis year and marks each hotspot ``new``,
``growing``, ``shrinking`` or ``stable`` against the hotspot of the previous year it overlaps most.

Examples
--------
>>> from energieplanologie.sample import load_sample
>>> result = detect_hotspots(load_sample(), year=2035)
>>> len(result.hotspots) >= 2
True
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from energieplanologie._errors import ConfigError, EnergieplanologieError
from energieplanologie._geometry import representative_xy
from energieplanologie._point_order import coordinate_order
from energieplanologie.clustering import WEIGHT_RESOLUTION, grid_dbscan, threshold_units, weight_units
from energieplanologie.development_points import DevelopmentPoints, development_points
from energieplanologie.distributed import Kernels, use_dask
from energieplanologie.labels import format_number
from energieplanologie.options import CHOICE_VALUES
from energieplanologie.progress import ProgressCallback, report
from energieplanologie.region import Region
from energieplanologie.scenarios import Scenario, get_scenario, weighted_mw_arrays
from energieplanologie.schema import ABSURD_MW, CRS_RD, LEVELS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "ALTERNATIVES",
    "KERNELS",
    "CHANGES",
    "HOTSPOT_COLUMNS",
    "HOTSPOT_LEVELS",
    "HEXAGON_COLUMNS",
    "LEVEL_RULES_FILE",
    "MAX_PERMUTATIONS",
    "MEMBER_COLUMNS",
    "METHODS",
    "HotspotResult",
    "HotspotsThroughTimeResult",
    "detect",
    "detect_hotspots",
    "hex_grid",
    "hotspots_and_members_through_time",
    "hotspots_through_time",
    "hotspots_through_time_result",
    "load_level_rules",
    "point_weights",
    "point_weights_in_layer_order",
    "PointWeights",
    "weighted_points",
]

#: The level rules shipped with the package.
LEVEL_RULES_FILE = Path(__file__).with_name("data") / "hotspot_levels.toml"
METHODS: tuple[str, ...] = CHOICE_VALUES[("hotspots", "method")]  # ("dbscan", "hdbscan", "gistar")
#: Gi*: which p-value decides a hot cell. ``two-sided`` (the default, as ArcGIS's Hot Spot Analysis reports it:
#: z = 1.96 is p = 0.05) or ``greater`` (one-sided, only high values count; z = 1.645 is p = 0.05).
ALTERNATIVES: tuple[str, ...] = CHOICE_VALUES[("hotspots", "alternative")]  # ("two-sided", "greater")
#: Most Gi* permutations (ArcGIS offers at most 9,999); each costs one float per hexagon cell.
MAX_PERMUTATIONS = 9_999
#: Largest seed (the Gi* permutations use numpy's legacy generator, which takes seeds below 2³²).
SEED_MAX = 2**32 - 1
#: Most Gi* cells × permutations kept in memory at once (8 bytes each: 2 GB).
MAX_GISTAR_VALUES = 250_000_000
#: Hotspot levels, highest first.
HOTSPOT_LEVELS: tuple[str, ...] = ("national", "provincial", "local")
#: Values of ``change`` in :func:`hotspots_through_time`.
CHANGES: tuple[str, ...] = ("new", "growing", "shrinking", "stable")

HOTSPOT_COLUMNS: tuple[str, ...] = (
    "hotspot_id", "name", "level", "level_reason", "method", "scenario", "year", "n_members", "n_developments",
    "n_infrastructure", "sectors", "programmes", "carriers", "offtake_mw", "feedin_mw", "total_mw", "mw_by_year",
    "station_ids", "max_shortage_mw", "municipality_codes", "geometry",
)
MEMBER_COLUMNS: tuple[str, ...] = ("hotspot_id", "member_id", "member_kind", "weight_mw")
HEXAGON_COLUMNS: tuple[str, ...] = ("hex_id", "mw", "gi_z", "gi_p", "gi_p_fdr", "hot", "gi_test", "geometry")

_RULE_KEYS = {"station_levels": list, "min_total_mw": float, "min_municipalities": int}
_NODAL_TYPES = (0, 3, 4, 6)  # shapely type ids: Point, Polygon, MultiPoint, MultiPolygon
_LEVEL_NL = {"national": "nationaal", "provincial": "provinciaal", "local": "lokaal"}


class HotspotResult(NamedTuple):
    """The result of :func:`detect_hotspots`.

    Attributes
    ----------
    hotspots : GeoDataFrame
        One row per hotspot, columns :data:`HOTSPOT_COLUMNS`, sorted by ``hotspot_id``.
    members : DataFrame
        ``hotspot_id, member_id, member_kind, weight_mw``: which development or project belongs to which hotspot.
    hexagons : GeoDataFrame or None
        The Gi* grid (method ``gistar`` only): ``hex_id, mw, gi_z, gi_p, gi_p_fdr, hot, gi_test, geometry``
        (``gi_test``: which p-value ``gi_p`` is, ``two-sided`` or ``greater``).
    """

    hotspots: gpd.GeoDataFrame
    members: pd.DataFrame
    hexagons: gpd.GeoDataFrame | None


@dataclass(frozen=True)
class HotspotsThroughTimeResult:
    """The result of :func:`hotspots_through_time_result`: every year's knooppunten, their members, and which vanished.

    Attributes
    ----------
    table : GeoDataFrame
        The :data:`HOTSPOT_COLUMNS` of every year plus ``change`` and ``previous_hotspot_id`` (None when new),
        sorted by year and hotspot_id (what :func:`hotspots_through_time` returns).
    members : DataFrame
        :data:`MEMBER_COLUMNS` plus ``year``, sorted by year, then as :attr:`HotspotResult.members`.
    vanished : tuple of (int, str)
        ``(year, hotspot_id)`` of the previous year's hotspots that are no hotspot's predecessor in ``year``.

    Examples
    --------
    >>> from energieplanologie.sample import load_sample
    >>> result = hotspots_through_time_result(load_sample())
    >>> set(result.members["hotspot_id"]) == set(result.table["hotspot_id"]), type(result.vanished).__name__
    (True, 'tuple')
    """

    table: gpd.GeoDataFrame
    members: pd.DataFrame
    vanished: tuple[tuple[int, str], ...]


# ----------------------------------------------------------------------------------------------------------------
# level rules


def load_level_rules(overrides: Mapping[str, Any] | None = None, *, path: str | Path = LEVEL_RULES_FILE) -> dict[str, dict]:
    """The level rules: the shipped TOML with ``overrides`` merged in per level and key.

    Parameters
    ----------
    overrides : mapping, optional
        ``{"national" | "provincial": {"station_levels": [...], "min_total_mw": float,
        "min_municipalities": int}}``; keys given replace the shipped value, ``None`` removes a condition.
    path : path, optional
        Another rules file.

    Returns
    -------
    dict
        ``{"national": {...}, "provincial": {...}}`` with every key present (``None`` when not set).

    Raises
    ------
    ConfigError
        An unknown level or key, or a value of the wrong kind; the message names ``hotspots.level_rules.<level>.<key>``.

    Examples
    --------
    >>> load_level_rules({"provincial": {"min_total_mw": 30}})["provincial"]
    {'station_levels': ['HS'], 'min_total_mw': 30.0, 'min_municipalities': None}
    """
    shipped = _rules_file(str(path), *_file_stamp(path))
    rules: dict[str, dict] = {}
    for level in ("national", "provincial"):
        rules[level] = dict.fromkeys(_RULE_KEYS)
        for source in (shipped, overrides or {}):
            table = source.get(level) or {}
            if not isinstance(table, Mapping):
                raise ConfigError(f"hotspots.level_rules.{level}: verwacht een tabel met voorwaarden", key=f"hotspots.level_rules.{level}")
            for key, value in table.items():
                rules[level][key] = _rule_value(level, key, value)
    for source in (shipped, overrides or {}):
        unknown = sorted(set(source) - {"national", "provincial"})
        if unknown:
            raise ConfigError(f"hotspots.level_rules.{unknown[0]}: onbekend niveau (regels bestaan voor national en "
                              "provincial; wat overblijft is local)", key=f"hotspots.level_rules.{unknown[0]}")
    return rules


def _file_stamp(path: str | Path) -> tuple[int, int]:
    """Modification time and size of a rules file: a changed file is read again."""
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=8)
def _rules_file(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    """A rules file, parsed once per version (:func:`load_level_rules` copies every value it takes from it)."""
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _rule_value(level: str, key: str, value: Any) -> Any:
    where = f"hotspots.level_rules.{level}.{key}"
    if key not in _RULE_KEYS:
        raise ConfigError(f"{where}: onbekende voorwaarde (bekend: {', '.join(_RULE_KEYS)})", key=where)
    if value is None:
        return None
    if key == "station_levels":
        if not isinstance(value, (str, list, tuple)):
            raise ConfigError(f"{where}: verwacht een netvlak of een lijst netvlakken (kies uit {', '.join(LEVELS)})",
                              key=where)
        values = [value] if isinstance(value, str) else list(value)
        bad = [v for v in values if v not in LEVELS]
        if bad:
            raise ConfigError(f"{where}: onbekend netvlak {bad[0]!r} (kies uit {', '.join(LEVELS)})", key=where)
        return values
    whole = key == "min_municipalities"
    kinds = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value) or not \
            0 <= value <= (1_000 if whole else ABSURD_MW):
        shown = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:40]}…"
        what = "een geheel getal van 0 tot en met 1000" if whole else f"een getal van 0 tot en met {ABSURD_MW:.0f}"
        raise ConfigError(f"{where}: verwacht {what}, gevonden {shown}", key=where)
    return int(value) if whole else float(value)


# ----------------------------------------------------------------------------------------------------------------
# public API


def detect_hotspots(
    region: Region,
    *,
    method: str = "dbscan",
    scenario: str | Scenario = "verwacht",
    year: int | None = None,
    eps_m: float = 3000.0,
    min_mw: float = 20.0,
    min_members: int = 2,
    include_infrastructure: bool = True,
    hex_size_m: float = 1000.0,
    permutations: int = 999,
    fdr_alpha: float = 0.05,
    seed: int = 0,
    alternative: str = "two-sided",
    balance: pd.DataFrame | None = None,
    level_rules: Mapping[str, Any] | None = None,
    buffer_m: float = 250.0,
    progress: ProgressCallback | None = None,
    infrastructure_weight_mw: float | None = None,
    allocation: pd.DataFrame | None = None,
    engine: str = "memory",
    client: Any = None,
    scenarios: Mapping[str, Any] | None = None,
) -> HotspotResult:
    """Find the knooppunten of a region and describe each one (see the module documentation for the rules).

    Parameters
    ----------
    region : Region
        The study area.
    method : {"dbscan", "hdbscan", "gistar"}, default "dbscan"
        Weighted DBSCAN, HDBSCAN, or Getis-Ord Gi* on a hexagon grid.
    scenario : str or Scenario, default "verwacht"
        Certainty weighting of the developments (a user scenario resolves through ``scenarios``).
    scenarios : mapping, optional
        The user's scenario tables (``[scenarios.NAAM]`` of the project configuration,
        :meth:`~energieplanologie.config.ProjectSettings.user_scenarios`); built-in names need none.
    year : int, optional
        Developments with ``year ≤ year`` count; default the region's last analysis year.
    eps_m : float, default 3000
        DBSCAN neighbourhood radius in metres.
    min_mw : float, default 20
        DBSCAN: MW within ``eps_m`` that makes a point core. HDBSCAN and Gi*: least MW of a hotspot.
    min_members : int, default 2
        Least number of members (developments and infrastructure) of a hotspot.
    include_infrastructure : bool, default True
        Let planned nodal infrastructure take part (weight: capacity added, or ``infrastructure_weight_mw``).
    hex_size_m : float, default 1000
        Gi*: distance between the centres of neighbouring hexagons (flat-to-flat width).
    permutations : int, default 999
        Gi*: conditional permutations for the pseudo p-values (0: analytical p-values); at most 9,999.
    fdr_alpha : float, default 0.05
        Gi*: significance after Benjamini–Hochberg correction.
    seed : int, default 0
        Gi*: seed of the permutations (0 … 2³² − 1).
    alternative : {"two-sided", "greater"}, default "two-sided"
        Gi*: the p-value that decides a hot cell. ``two-sided`` as ArcGIS reports it (hot at ``fdr_alpha`` 0.05
        means |z| ≥ 1.96 before correction), ``greater`` one-sided (z ≥ 1.645). The hexagons say which in
        ``gi_test``.
    balance : DataFrame, optional
        :func:`energieplanologie.balance.station_balance` result; gives ``max_shortage_mw``.
    level_rules : mapping, optional
        Overrides of the level rules (see :func:`load_level_rules`).
    buffer_m : float, default 250
        Buffer around the hull of the members.
    progress : callable, optional
        ``progress(fraction, message)``.
    infrastructure_weight_mw : float, optional
        A fixed weight for every infrastructure point instead of its added capacity.
    allocation : DataFrame, optional
        A result of :func:`energieplanologie.allocation.allocate` to take the stations from (computed when absent).
    engine : {"memory", "dask"}, default "memory"
        ``"dask"`` computes the weighted points partition by partition and, for ``dbscan``, clusters them on
        overlapping tiles on a Dask cluster (:mod:`energieplanologie.distributed`; ``region.developments`` may then
        be a dask-geopandas frame): the same hotspots, ids and members.
    client : dask.distributed.Client or str, optional
        With ``engine="dask"``: the cluster (a client or a scheduler address); default the current client, else
        dask's local threads.

    Returns
    -------
    HotspotResult
        ``(hotspots, members, hexagons)``.

    Raises
    ------
    EnergieplanologieError
        An unknown method or an impossible parameter value (Dutch message naming it).

    Examples
    --------
    >>> from energieplanologie.sample import load_sample
    >>> hs = detect_hotspots(load_sample(), year=2035, eps_m=3000, min_mw=20).hotspots
    >>> set(hs["level"]) <= {"local", "provincial", "national"}
    True
    """
    _check_parameters(method, eps_m, min_mw, min_members, hex_size_m, permutations, fdr_alpha, buffer_m,
                      infrastructure_weight_mw, seed, alternative)
    rules = load_level_rules(level_rules)
    sc = get_scenario(scenario, extra=scenarios)
    year = int(max(region.years)) if year is None else int(year)
    if use_dask(engine):
        from energieplanologie.distributed import dask_detect_hotspots

        return dask_detect_hotspots(
            region, method=method, scenario=sc, year=year, eps_m=eps_m, min_mw=min_mw, min_members=min_members,
            include_infrastructure=include_infrastructure, hex_size_m=hex_size_m, permutations=permutations,
            fdr_alpha=fdr_alpha, seed=seed, alternative=alternative, balance=balance, rules=rules, buffer_m=buffer_m,
            progress=progress,
            infrastructure_weight_mw=infrastructure_weight_mw, allocation=allocation, kernels=KERNELS, client=client)

    report(progress, 0.0, "knooppunten: punten verzamelen")
    points = weighted_points(region, sc, year, include_infrastructure=include_infrastructure,
                             infrastructure_weight_mw=infrastructure_weight_mw)
    report(progress, 0.15, f"knooppunten: clusteren ({method})")

    def dbscan(xy: np.ndarray, weight: np.ndarray) -> np.ndarray:
        return grid_dbscan(xy, eps=eps_m, min_samples=min_mw, sample_weight=weight,
                           resolution=WEIGHT_RESOLUTION).labels

    labels, hexagons, cell_geoms = _cluster(region, points, method, dbscan=dbscan, min_mw=min_mw,
                                            min_members=min_members, hex_size_m=hex_size_m,
                                            permutations=permutations, fdr_alpha=fdr_alpha, seed=seed,
                                            alternative=alternative)
    report(progress, 0.5, "knooppunten: kenmerken berekenen")
    hotspots, members = _describe(region, points, labels, sc, year, method, rules, balance, allocation, buffer_m,
                                  cell_geoms)
    report(progress, 1.0, "knooppunten: klaar")
    return HotspotResult(hotspots, members, hexagons)


def _cluster(region: Region, points: pd.DataFrame, method: str, *,
             dbscan: Callable[[np.ndarray, np.ndarray], np.ndarray], min_mw: float, min_members: int,
             hex_size_m: float, permutations: int, fdr_alpha: float, seed: int, alternative: str = "two-sided",
             ) -> tuple[np.ndarray, gpd.GeoDataFrame | None, Any]:
    """Cluster labels of the weighted points (small clusters dropped), Gi* hexagons and their cell geometries.

    ``dbscan(xy, weight)`` gives the weighted DBSCAN labels: in memory :func:`grid_dbscan`, on dask the tiled
    :func:`energieplanologie.distributed.dask_dbscan`; HDBSCAN and Gi* run here for both engines.
    """
    xy = np.column_stack([points["x"].to_numpy(), points["y"].to_numpy()])
    weight = points["weight_mw"].to_numpy()
    hexagons = cell_geoms = None
    if len(xy) and float(weight_units(weight).sum()) >= 2.0**53:  # exact sums in whole watts end at 9·10⁹ MW
        raise EnergieplanologieError(f"knooppunten: het totale gewogen vermogen ({float(weight.sum()):.3g} MW) is te "
                                     "groot om exact op te tellen; controleer de eenheden (kW of W in plaats van MW?)")
    if method == "dbscan":
        labels = dbscan(xy, weight) if len(xy) else np.empty(0, dtype=np.int64)
        min_cluster_mw = 0.0  # DBSCAN's weighted core condition already asks min_mw
    elif method == "hdbscan":
        labels = _hdbscan(xy, min_members)
        min_cluster_mw = min_mw
    else:
        labels, hexagons, cell_geoms = _gistar(region, xy, weight, hex_size_m, permutations, fdr_alpha, seed,
                                               alternative)
        min_cluster_mw = min_mw
    return _filter_clusters(labels, points, min_members, min_cluster_mw), hexagons, cell_geoms


#: Short alias: ``hotspots.detect(region, ...)``.
detect = detect_hotspots


def hotspots_through_time(
    region: Region,
    *,
    years: list[int] | tuple[int, ...] | None = None,
    change_tolerance: float = 0.1,
    progress: ProgressCallback | None = None,
    **kwargs: Any,
) -> gpd.GeoDataFrame:
    """Hotspots for every year, each marked new, growing, shrinking or stable against the previous year.

    For each year the developments with ``year ≤`` that year count, certainty-weighted by the scenario, so hotspots
    appear and grow as plans mature. A hotspot's *predecessor* is the previous year's hotspot whose polygon it
    overlaps most (largest intersection area; ties to the lower id). ``change`` is ``new`` without a predecessor
    (and for every hotspot of the first year), ``growing`` when ``total_mw`` exceeds the predecessor's by more than
    ``change_tolerance`` (relative), ``shrinking`` when it is that much lower, else ``stable``.

    Parameters
    ----------
    region : Region
        The study area.
    years : sequence of int, optional
        Default the region's analysis years.
    change_tolerance : float, default 0.1
        Relative change in total MW below which a hotspot counts as stable.
    progress : callable, optional
        ``progress(fraction, message)``.
    **kwargs
        Passed to :func:`detect_hotspots` (``method``, ``scenario``, ``eps_m`` …; not ``year``).

    Returns
    -------
    GeoDataFrame
        The :data:`HOTSPOT_COLUMNS` of every year plus ``change`` and ``previous_hotspot_id`` (None when new),
        sorted by year and hotspot_id.

    See Also
    --------
    hotspots_through_time_result : the same, with the members of every year and the hotspots that vanished.

    Examples
    --------
    >>> from energieplanologie.sample import load_sample
    >>> tt = hotspots_through_time(load_sample())
    >>> set(tt["change"]) <= {"new", "growing", "shrinking", "stable"}
    True
    """
    return hotspots_through_time_result(region, years=years, change_tolerance=change_tolerance,
                                        progress=progress, **kwargs).table


def hotspots_and_members_through_time(
    region: Region,
    *,
    years: list[int] | tuple[int, ...] | None = None,
    change_tolerance: float = 0.1,
    progress: ProgressCallback | None = None,
    **kwargs: Any,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """:func:`hotspots_through_time` and the members of every year's hotspots, from one detection per year.

    The table and members of :func:`hotspots_through_time_result`.

    Returns
    -------
    hotspots : GeoDataFrame
        As :func:`hotspots_through_time`.
    members : DataFrame
        :data:`MEMBER_COLUMNS` plus ``year``, sorted by year, then as :attr:`HotspotResult.members`.

    Examples
    --------
    >>> from energieplanologie.sample import load_sample
    >>> hs, members = hotspots_and_members_through_time(load_sample())
    >>> set(members["hotspot_id"]) == set(hs["hotspot_id"])
    True
    """
    result = hotspots_through_time_result(region, years=years, change_tolerance=change_tolerance,
                                          progress=progress, **kwargs)
    return result.table, result.members


def hotspots_through_time_result(
    region: Region,
    *,
    years: list[int] | tuple[int, ...] | None = None,
    change_tolerance: float = 0.1,
    progress: ProgressCallback | None = None,
    **kwargs: Any,
) -> HotspotsThroughTimeResult:
    """:func:`hotspots_through_time` with the members of every year and the hotspots that vanished.

    Parameters
    ----------
    region, years, change_tolerance, progress, **kwargs
        As :func:`hotspots_through_time`.

    Returns
    -------
    HotspotsThroughTimeResult
        ``(table, members, vanished)``; ``table`` is what :func:`hotspots_through_time` returns.

    Raises
    ------
    EnergieplanologieError
        ``year`` among the keyword arguments, a negative ``change_tolerance`` or no years.

    Examples
    --------
    >>> from energieplanologie.sample import load_sample
    >>> result = hotspots_through_time_result(load_sample(), years=[2030, 2035])
    >>> sorted(set(result.table["year"])), all(y == 2035 for y, _ in result.vanished)
    ([2030, 2035], True)
    """
    if "year" in kwargs:
        raise EnergieplanologieError("hotspots_through_time: geef jaren op met years=…, niet year=…")
    if not change_tolerance >= 0:
        raise EnergieplanologieError(f"change_tolerance moet ≥ 0 zijn, niet {change_tolerance!r}")
    years_t = sorted({int(y) for y in (region.years if years is None else years)})
    if not years_t:
        raise EnergieplanologieError("hotspots_through_time: geen jaren opgegeven")
    frames: list[gpd.GeoDataFrame] = []
    member_frames: list[pd.DataFrame] = []
    vanished: list[tuple[int, str]] = []
    previous: gpd.GeoDataFrame | None = None
    for i, y in enumerate(years_t):
        report(progress, i / len(years_t), f"knooppunten {y}")
        result = detect_hotspots(region, year=y, **kwargs)
        current = result.hotspots
        prev_id, change = _compare(current, previous, change_tolerance)
        if previous is not None and len(previous):
            gone = sorted(set(previous["hotspot_id"]) - set(pd.Series(prev_id).dropna()))
            vanished += [(y, h) for h in gone]
        frames.append(current.assign(change=change, previous_hotspot_id=prev_id))
        member_frames.append(result.members.assign(year=np.int64(y)))
        previous = current
    report(progress, 1.0, "knooppunten door de tijd: klaar")
    out = pd.concat(frames, ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=CRS_RD)
    columns = [c for c in HOTSPOT_COLUMNS if c != "geometry"] + ["change", "previous_hotspot_id", "geometry"]
    out = out[columns].sort_values(["year", "hotspot_id"], kind="stable").reset_index(drop=True)
    out.attrs.clear()
    members = pd.concat(member_frames, ignore_index=True)
    return HotspotsThroughTimeResult(out, members, tuple(vanished))


def _compare(current: gpd.GeoDataFrame, previous: gpd.GeoDataFrame | None,
             tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Predecessor id and change class of each current hotspot."""
    n = len(current)
    prev_id = _filled(n, None)
    change = _filled(n, "new")
    if previous is None or not len(previous) or not n:
        return prev_id, change
    cur_geoms = current.geometry.values
    prev_geoms = previous.geometry.values
    i_cur, i_prev = shapely.STRtree(np.asarray(prev_geoms)).query(np.asarray(cur_geoms), predicate="intersects")
    if i_cur.size == 0:
        return prev_id, change
    area = shapely.area(shapely.intersection(np.asarray(cur_geoms)[i_cur], np.asarray(prev_geoms)[i_prev]))
    pairs = pd.DataFrame({"cur": i_cur, "prev": i_prev, "area": area,
                          "prev_id": previous["hotspot_id"].to_numpy(dtype=object)[i_prev]})
    pairs = pairs[pairs["area"] > 0].sort_values(["cur", "area", "prev_id"], ascending=[True, False, True])
    best = pairs.drop_duplicates("cur")
    cur = best["cur"].to_numpy()
    prev = best["prev"].to_numpy()
    prev_id[cur] = best["prev_id"].to_numpy()
    now = current["total_mw"].to_numpy(dtype=float)[cur]
    before = previous["total_mw"].to_numpy(dtype=float)[prev]
    ratio = np.divide(now, before, out=np.full(now.shape, np.inf), where=before > 0)
    change[cur] = np.where(ratio > 1 + tolerance, "growing", np.where(ratio < 1 - tolerance, "shrinking", "stable"))
    return prev_id, change


# ----------------------------------------------------------------------------------------------------------------
# points


def _check_parameters(method: str, eps_m: float, min_mw: float, min_members: int, hex_size_m: float,
                      permutations: int, fdr_alpha: float, buffer_m: float,
                      infrastructure_weight_mw: float | None, seed: int = 0, alternative: str = "two-sided") -> None:
    if method not in METHODS:
        raise EnergieplanologieError(f"hotspots.method: onbekende methode {method!r} (kies uit {', '.join(METHODS)})")
    if alternative not in ALTERNATIVES:
        raise EnergieplanologieError(f"hotspots.alternative: onbekende toets {alternative!r} "
                                     f"(kies uit {', '.join(ALTERNATIVES)})")

    def number(value: Any, integer: bool = False) -> bool:
        kinds = (int, np.integer) if integer else (int, float, np.integer, np.floating)
        return isinstance(value, kinds) and not isinstance(value, bool) and math.isfinite(float(value))

    checks = [
        ("eps_m", eps_m, number(eps_m) and eps_m > 0),
        ("min_mw", min_mw, number(min_mw) and min_mw >= 0),
        ("min_members", min_members, number(min_members, True) and min_members >= 1),
        ("hex_size_m", hex_size_m, number(hex_size_m) and hex_size_m > 0),
        ("permutations", permutations, number(permutations, True) and 0 <= permutations <= MAX_PERMUTATIONS),
        ("fdr_alpha", fdr_alpha, number(fdr_alpha) and 0 < fdr_alpha < 1),
        ("buffer_m", buffer_m, number(buffer_m) and buffer_m >= 0),
        ("infrastructure_weight_mw", infrastructure_weight_mw,
         infrastructure_weight_mw is None or (number(infrastructure_weight_mw) and infrastructure_weight_mw >= 0)),
        ("seed", seed, number(seed, True) and 0 <= seed <= SEED_MAX),
    ]
    for name, value, ok in checks:
        if not ok:
            shown = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:40]}…"
            raise EnergieplanologieError(f"hotspots.{name}: ongeldige waarde {shown}")


def _xy(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of each geometry's representative point (the point itself for points)."""
    xy = representative_xy(geoms)
    return xy[:, 0], xy[:, 1]


#: The developments of :func:`weighted_points` as plain arrays (x, y, offtake_mw, feedin_mw, weight_mw): the
#: fields of :class:`~energieplanologie.development_points.DevelopmentPoints`, here in the order the function says.
PointWeights = DevelopmentPoints


def point_weights(region: Region, scenario: str | Scenario = "verwacht", year: int | None = None, *,
                  scenarios: Mapping[str, Any] | None = None) -> PointWeights:
    """The positions and weighted MW of :func:`weighted_points` (developments only) without building a table.

    The same numbers in the same order as ``weighted_points(region, scenario, year)``'s ``x, y, offtake_mw,
    feedin_mw, weight_mw`` columns; what the density needs, at a fraction of the cost (no identifiers, no
    object columns).

    Examples
    --------
    >>> from energieplanologie.sample import load_sample
    >>> region = load_sample()
    >>> pw, pts = point_weights(region, "verwacht", 2030), weighted_points(region, "verwacht", 2030)
    >>> bool(np.array_equal(pw.x, pts["x"]) and np.array_equal(pw.weight_mw, pts["weight_mw"]))
    True
    """
    pw, order = point_weights_in_layer_order(region, scenario, year, scenarios=scenarios)
    return PointWeights(*(values[order] for values in pw))


def point_weights_in_layer_order(region: Region, scenario: str | Scenario = "verwacht", year: int | None = None, *,
                                 scenarios: Mapping[str, Any] | None = None) -> tuple[PointWeights, np.ndarray]:
    """:func:`point_weights` before its sort: the same points in layer order, and the order that sorts them.

    ``PointWeights(*(a[order] for a in pw))`` is :func:`point_weights`. For a caller that needs only some arrays in
    coordinate order: each array gathered costs about as much as the sort. The points are
    :func:`~energieplanologie.development_points.development_points`, the order
    :func:`~energieplanologie._point_order.coordinate_order` (the density, which needs the order only within each
    raster cell, takes the points from there and sorts them per cell).

    Returns
    -------
    pw : PointWeights
        The developments that take part, in ``region.developments`` order; points without finite coordinates are
        left out.
    order : ndarray of int
        Positions in ``pw`` in coordinate order (x, then y, then layer order).

    Examples
    --------
    >>> from energieplanologie.sample import load_sample
    >>> region = load_sample()
    >>> pw, order = point_weights_in_layer_order(region, "verwacht", 2030)
    >>> bool(np.array_equal(pw.x[order], point_weights(region, "verwacht", 2030).x))
    True
    """
    points = development_points(region, scenario, year, scenarios=scenarios)
    return points, coordinate_order(points.x, points.y)


def _finite_coordinate_order(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The positions of the points with finite x and y, in :func:`~energieplanologie._point_order.coordinate_order`."""
    finite = np.isfinite(x) & np.isfinite(y)
    if finite.all():  # the usual case: no copies of the coordinates
        return coordinate_order(x, y)
    at = np.flatnonzero(finite)
    return at[coordinate_order(x[at], y[at])]


def _development_arrays(region: Region, sc: Scenario, year: int
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row positions, weighted offtake and feed-in, and x, y of the developments that take part (layer order)."""
    dev = region.developments
    in_time = np.flatnonzero(dev["year"].to_numpy(dtype=float, na_value=np.inf) <= year)
    off, feed, _ = weighted_mw_arrays(dev, sc, rows=None if in_time.size == len(dev) else in_time)
    keep = (off + feed) > 0
    pos = in_time[keep]  # rows of region.developments that take part
    x, y = _xy(np.asarray(dev.geometry.values)[pos])
    return pos, off[keep], feed[keep], x, y


def weighted_points(region: Region, scenario: str | Scenario = "verwacht", year: int | None = None, *,
                    include_infrastructure: bool = False,
                    infrastructure_weight_mw: float | None = None,
                    scenarios: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The weighted points of a region that take part in the hotspot and density analyses.

    One row per development with ``year ≤ year`` and a positive scenario-weighted MW (and, with
    ``include_infrastructure``, per planned nodal project; see the module documentation), sorted by coordinates
    (x, then y) so that row order never matters.

    Returns
    -------
    DataFrame
        ``member_id, member_kind, x, y, weight_mw`` (offtake + feed-in, or the project's weight),
        ``offtake_mw, feedin_mw`` (weighted; 0 for projects), ``dev_year`` (``year`` or ``year_ready``) and
        ``source`` (row position in ``region.developments`` or ``region.infrastructure``).

    Examples
    --------
    >>> from energieplanologie.sample import load_sample
    >>> pts = weighted_points(load_sample(), "verwacht", 2030)
    >>> bool((pts["weight_mw"] > 0).all()) and bool((pts["dev_year"] <= 2030).all())
    True
    """
    sc = get_scenario(scenario, extra=scenarios)
    year = int(max(region.years)) if year is None else int(year)
    dev = region.developments
    pos, off, feed, x, y = _development_arrays(region, sc, year)

    def column(frame: pd.DataFrame, name: str, rows: np.ndarray) -> np.ndarray:
        return frame[name].to_numpy(dtype=object)[rows]

    cols: dict[str, list[np.ndarray]] = {
        "member_id": [column(dev, "development_id", pos)],
        "member_kind": [_filled(pos.size, "development")],
        "x": [x], "y": [y],
        "weight_mw": [off + feed],
        "offtake_mw": [off], "feedin_mw": [feed],
        "dev_year": [dev["year"].to_numpy(dtype=float, na_value=np.nan)[pos]],
        "source": [pos],
    }
    infra = region.infrastructure
    if include_infrastructure and len(infra):
        ig = np.asarray(infra.geometry.values)
        added = infra["offtake_capacity_added_mw"].fillna(0).to_numpy(dtype=float) + \
            infra["feedin_capacity_added_mw"].fillna(0).to_numpy(dtype=float)
        # A missing year_ready means what it means in the balance: the project counts in no year.
        ready = infra["year_ready"].to_numpy(dtype=float, na_value=np.inf) <= year
        take = np.flatnonzero((infra["status"].to_numpy(dtype=object) != "existing") & (added > 0) & ready &
                              np.isin(shapely.get_type_id(ig), _NODAL_TYPES))
        if take.size:
            ix, iy = _xy(ig[take])
            w = added[take] if infrastructure_weight_mw is None else np.full(take.size, float(infrastructure_weight_mw))
            extra = {
                "member_id": column(infra, "project_id", take),
                "member_kind": _filled(take.size, "infrastructure"),
                "x": ix, "y": iy, "weight_mw": w, "offtake_mw": np.zeros(take.size), "feedin_mw": np.zeros(take.size),
                "dev_year": infra["year_ready"].to_numpy(dtype=float, na_value=np.nan)[take],
                "source": take,
            }
            for name, values in extra.items():
                cols[name].append(values)
    merged = {name: np.concatenate(parts) for name, parts in cols.items()}
    order = _finite_coordinate_order(merged["x"], merged["y"])
    return pd.DataFrame({name: _objects(v[order]) if v.dtype == object else v[order] for name, v in merged.items()})


# ----------------------------------------------------------------------------------------------------------------
# methods


def _hdbscan(xy: np.ndarray, min_members: int) -> np.ndarray:
    from sklearn.cluster import HDBSCAN

    size = max(2, int(min_members))
    if len(xy) < size:
        return np.full(len(xy), -1, dtype=np.int64)
    return HDBSCAN(min_cluster_size=size, copy=True).fit(xy).labels_.astype(np.int64)


def hex_grid(bounds: tuple[float, float, float, float], size_m: float) -> gpd.GeoDataFrame:
    """Pointy-top hexagons covering ``bounds`` (xmin, ymin, xmax, ymax), anchored to the CRS origin.

    ``size_m`` is the distance between the centres of neighbouring cells (the flat-to-flat width); a cell's area
    is ``size_m² · √3 / 2``. Cells are anchored to fixed lattice positions (not to the bounds), so the same place
    always gets the same ``hex_id`` (``HX-<row>-<col>``), whatever the extent. Rows run south to north, cells
    west to east within a row; that is also the order of the result (and of the Gi* computation).

    Examples
    --------
    >>> grid = hex_grid((0, 0, 2000, 2000), 1000)
    >>> round(float(grid.geometry.area.iloc[0]))  # 1000² · √3 / 2
    866025
    """
    d = float(size_m)
    r = d / math.sqrt(3.0)  # circumradius
    dy = 1.5 * r
    xmin, ymin, xmax, ymax = bounds
    rows = np.arange(math.floor(ymin / dy) - 1, math.ceil(ymax / dy) + 2)
    cols = np.arange(math.floor(xmin / d) - 1, math.ceil(xmax / d) + 2)
    grid_r, grid_c = np.meshgrid(rows, cols, indexing="ij")
    rr, cc = grid_r.ravel(), grid_c.ravel()
    # Vertices on an integer lattice of (d/2, r/2) steps, so neighbouring cells share bit-identical vertices
    # (contiguity built from the polygons then finds exactly the six neighbours).
    ci = 2 * cc + (rr % 2)
    ri = 3 * rr
    vx = ci[:, None] + np.array([1, 0, -1, -1, 0, 1])[None, :]
    vy = ri[:, None] + np.array([1, 2, 1, -1, -2, -1])[None, :]
    ring = np.stack([vx * (d / 2), vy * (r / 2)], axis=-1)
    polys = shapely.polygons(ring)
    cx = ci * (d / 2)
    cy = ri * (r / 2)
    ids = np.char.add(np.char.add("HX-", np.char.zfill(rr.astype(str), 5)),
                      np.char.add("-", np.char.zfill(cc.astype(str), 5)))
    grid = gpd.GeoDataFrame({"hex_id": ids.astype(object), "cx": cx, "cy": cy}, geometry=polys, crs=CRS_RD)
    inside = (cx + r >= xmin) & (cx - r <= xmax) & (cy + r >= ymin) & (cy - r <= ymax)
    return grid.loc[inside].reset_index(drop=True)


def _gistar(region: Region, xy: np.ndarray, weight: np.ndarray, size_m: float, permutations: int,
            fdr_alpha: float, seed: int, alternative: str = "two-sided",
            ) -> tuple[np.ndarray, gpd.GeoDataFrame, dict[int, Any]]:
    """Gi* on a hexagon grid; labels per point (component of hot cells), the hexagons, and hot-area polygons."""
    from esda.getisord import G_Local
    from libpysal.weights import W
    from scipy.stats import false_discovery_control

    area = region.municipalities
    boxes = []
    if len(area):
        boxes.append(area.total_bounds)
    if len(xy):
        boxes.append(np.r_[xy.min(axis=0), xy.max(axis=0)])
    if not boxes:
        return np.empty(0, dtype=np.int64), _empty_hexagons(), {}
    b = np.vstack(boxes)
    grid = hex_grid((b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()), size_m)
    centres = np.column_stack([grid["cx"].to_numpy(), grid["cy"].to_numpy()])
    cell_of_point = cKDTree(centres).query(xy)[1] if len(xy) else np.empty(0, dtype=np.int64)
    keep = np.zeros(len(grid), dtype=bool)
    keep[cell_of_point] = True
    if len(area):
        keep[shapely.STRtree(np.asarray(grid.geometry.values)).query(
            shapely.union_all(np.asarray(area.geometry.values)), predicate="intersects")] = True
    new_index = np.cumsum(keep) - 1
    grid = grid.loc[keep].reset_index(drop=True)
    cell_of_point = new_index[cell_of_point]
    centres = centres[keep]
    mw = np.bincount(cell_of_point, weights=weight, minlength=len(grid))
    # Neighbours: the six cells whose centres are size_m away.
    pairs = cKDTree(centres).query_pairs(size_m * 1.01, output_type="ndarray")
    n = len(grid)
    z = np.full(n, np.nan)
    p = np.full(n, np.nan)
    direction = z
    if n * permutations > MAX_GISTAR_VALUES:
        raise EnergieplanologieError(
            f"hotspots.permutations: {n} hexagoncellen × {permutations} permutaties past niet in het geheugen "
            f"(ten hoogste {MAX_GISTAR_VALUES:_} waarden); kies minder permutaties of grotere hexagonen "
            "(hex_size_m)".replace("_", "."))
    if n >= 3 and mw.std() > 0:
        neighbours: dict[int, list[int]] = {i: [] for i in range(n)}
        for i, j in pairs:
            neighbours[int(i)].append(int(j))
            neighbours[int(j)].append(int(i))
        w = W(neighbours, silence_warnings=True)
        with warnings.catch_warnings():
            # esda announces a change of its default alternative hypothesis but G_Local offers no way to choose
            # it yet; the current (folded, "directed") pseudo p-values are the documented ones.
            warnings.filterwarnings("ignore", message="The alternative hypothesis", category=DeprecationWarning)
            # A grid over islands (Texel, the Wadden) has separate groups of cells; G_Local rebuilds the weights
            # with the focal cell included and says so each time. Our own weights were built silently above.
            warnings.filterwarnings("ignore", message="The weights matrix is not fully connected", category=UserWarning)
            # keep_simulations: the permutation z (z_sim) tells a significantly high cell from a low one.
            g = G_Local(mw, w, transform="B", permutations=permutations, star=True, seed=seed,
                        keep_simulations=bool(permutations), n_jobs=1)
        z = np.asarray(g.Zs, dtype=float)
        # esda's p-values are one-sided in the direction of the observed value (p_norm = 1 − Φ(|z|); p_sim the
        # folded permutation tail); the two-sided p-value is twice that.
        p = np.asarray(g.p_sim if permutations else g.p_norm, dtype=float)
        if alternative == "two-sided":
            p = np.minimum(1.0, 2.0 * p)
        # esda's permutation p-value is folded (two-sided): a significantly *low* cell has a small p too. The
        # direction of the permutation test (z_sim) must agree with the analytic z for a cell to count as hot.
        direction = np.asarray(g.z_sim, dtype=float) if permutations else z
    p_fdr = np.full(n, np.nan)
    finite = np.isfinite(p)
    if finite.any():
        p_fdr[finite] = false_discovery_control(p[finite], method="bh")
    hot = (np.nan_to_num(z) > 0) & (np.nan_to_num(direction) > 0) & (np.nan_to_num(p_fdr, nan=1.0) <= fdr_alpha)
    hexagons = gpd.GeoDataFrame({"hex_id": grid["hex_id"], "mw": mw, "gi_z": z, "gi_p": p, "gi_p_fdr": p_fdr,
                                 "hot": hot, "gi_test": alternative}, geometry=grid.geometry.values, crs=CRS_RD)
    # Contiguous hot cells → one component each.
    hot_idx = np.flatnonzero(hot)
    comp_of_cell = np.full(n, -1, dtype=np.int64)
    polygons: dict[int, Any] = {}
    if hot_idx.size:
        both = hot[pairs[:, 0]] & hot[pairs[:, 1]] if len(pairs) else np.zeros(0, dtype=bool)
        graph = coo_array((np.ones(int(both.sum())), (pairs[both, 0], pairs[both, 1])), shape=(n, n))
        _, comp = connected_components(graph, directed=False)
        # Number components by their first hot cell (grid order is deterministic).
        _, first = np.unique(comp[hot_idx], return_index=True)
        order = np.argsort(hot_idx[first])
        renum = np.empty(comp.max() + 1, dtype=np.int64)
        renum[comp[hot_idx][first][order]] = np.arange(first.size)
        comp_of_cell[hot_idx] = renum[comp[hot_idx]]
        dissolved = hexagons.loc[hot_idx, ["geometry"]].assign(c=comp_of_cell[hot_idx]).dissolve(by="c")
        polygons = dict(zip(dissolved.index.to_numpy().tolist(), dissolved.geometry.values, strict=True))
    labels = comp_of_cell[cell_of_point] if len(xy) else np.empty(0, dtype=np.int64)
    return labels, hexagons, polygons


def _empty_hexagons() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"hex_id": pd.Series([], dtype=object), "mw": pd.Series([], dtype=float),
                             "gi_z": pd.Series([], dtype=float), "gi_p": pd.Series([], dtype=float),
                             "gi_p_fdr": pd.Series([], dtype=float), "hot": pd.Series([], dtype=bool),
                             "gi_test": pd.Series([], dtype=object)},
                            geometry=gpd.GeoSeries([], crs=CRS_RD), crs=CRS_RD)


def _filter_clusters(labels: np.ndarray, points: pd.DataFrame, min_members: int, min_mw: float) -> np.ndarray:
    """Drop clusters that are too small; renumber the rest 0… in order of first appearance."""
    labels = np.asarray(labels, dtype=np.int64)
    if labels.size == 0 or labels.max() < 0:
        return np.full(labels.size, -1, dtype=np.int64)
    valid = labels >= 0
    k = int(labels.max()) + 1
    size = np.bincount(labels[valid], minlength=k)
    is_dev = (points["member_kind"].to_numpy() == "development")[valid]
    n_dev = np.bincount(labels[valid], weights=is_dev, minlength=k)
    # MW in whole watts, as DBSCAN counts them: a cluster of exactly min_mw (in decimal) is kept in any order.
    dev_units = np.bincount(labels[valid], weights=weight_units(points["weight_mw"].to_numpy()[valid]) * is_dev,
                            minlength=k)
    ok = (size >= min_members) & (n_dev >= 1) & (dev_units >= threshold_units(min_mw))
    out = np.where(valid & ok[np.maximum(labels, 0)], labels, -1)
    return out


# ----------------------------------------------------------------------------------------------------------------
# describing the hotspots


def _describe(region: Region, points: pd.DataFrame, labels: np.ndarray, sc: Scenario, year: int, method: str,
              rules: dict[str, dict], balance: pd.DataFrame | None, allocation: pd.DataFrame | None,
              buffer_m: float, cell_geoms: dict[int, Any] | None) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    inside = labels >= 0
    if not inside.any():
        return _empty_hotspots(), pd.DataFrame({c: pd.Series([], dtype=float if c == "weight_mw" else object)
                                                for c in MEMBER_COLUMNS})
    sel = np.flatnonzero(inside)
    is_dev = points["member_kind"].to_numpy()[sel] == "development"
    ids = _arrow_member_ids(region, points["source"].to_numpy()[sel], is_dev)
    keys, order = _member_keys(is_dev, points["member_id"].to_numpy()[sel] if ids is None else ids, labels[sel])
    sel = sel[order]
    is_dev = is_dev[order]
    # The members as plain arrays (one per column, in member order): no table is built until the outputs.
    m = {c: points[c].to_numpy()[sel] for c in points.columns}
    m["label"] = labels[sel]
    labs, first = np.unique(m["label"], return_index=True)
    hid = _hotspot_ids(keys, first)
    lab_pos = np.searchsorted(labs, m["label"])
    attributes = _member_attributes(region, m["source"], is_dev)
    m["geometry"] = attributes.geometry
    m["infra_station_id"] = attributes.infra_station_id
    # Only the columns the developments' statistics read (gathering every member column costs O(members) each).
    dev = {c: m[c][is_dev] for c in ("label", "offtake_mw", "feedin_mw", "dev_year")}
    dev.update(sector=attributes.sector, programme=attributes.programme,
               municipality_code=attributes.municipality_code)

    k = len(labs)
    dev_pos = lab_pos[is_dev]
    # The columns are gathered as arrays and the table is built once (inserting columns one by one is slow).
    h: dict[str, Any] = {"hotspot_id": hid}
    h["n_members"] = np.bincount(lab_pos, minlength=k).astype(np.int64)
    h["n_developments"] = np.bincount(dev_pos, minlength=k).astype(np.int64)
    h["n_infrastructure"] = h["n_members"] - h["n_developments"]
    h["sectors"] = _joined(dev_pos, dev["sector"], k)
    h["programmes"] = _joined(dev_pos, dev["programme"], k)
    h["carriers"] = _joined(np.concatenate([dev_pos, lab_pos[~is_dev]]),
                            _concat_values([attributes.dev_carrier, attributes.infra_carrier]), k)
    offtake, feedin = _group_sums(dev_pos, dev["offtake_mw"], dev["feedin_mw"], k)
    total = offtake + feedin
    h["mw_by_year"] = _mw_by_year(dev, labs, region, year)

    # Polygons: hull of the members' geometries, buffered (Gi*: the hot cells).
    if cell_geoms is not None:
        polys = np.array([cell_geoms[int(lab)] for lab in labs], dtype=object)
    else:
        # Members strictly inside their hull are left out: copying every point into a collection cost several
        # times the hull itself, and GEOS's hull depends only on the points on its boundary.
        part = ~_inside_octagon(m["x"], m["y"], first)
        part[~part] = shapely.get_type_id(m["geometry"][~part]) != 0  # a polygon inside still reaches outwards
        collections = shapely.geometrycollections(m["geometry"][part], indices=lab_pos[part])
        polys = shapely.buffer(shapely.convex_hull(collections), buffer_m, quad_segs=8)

    # Stations involved.
    stations = region.stations
    station_sets = _stations_involved(region, m, labs, lab_pos, allocation)
    centroid = _weighted_centroids(m, lab_pos, k)
    without = [i for i, s in enumerate(station_sets) if not s]
    if len(stations) and without:  # only hotspots without stations need the nearest one
        st_geoms = stations.geometry.values
        st_xy = np.column_stack([shapely.get_x(st_geoms), shapely.get_y(st_geoms)])
        nearest = stations["station_id"].take(cKDTree(st_xy).query(centroid[without])[1]).to_numpy(dtype=object)
        for i, station in zip(without, nearest.tolist(), strict=True):
            station_sets[i] = {station}
    h["station_ids"] = [";".join(sorted(s)) for s in station_sets]
    h["max_shortage_mw"] = _max_shortage(balance, station_sets, sc.name, year)

    # Municipalities: touched by the polygon, or named by a member.
    mun = region.municipalities
    mun_sets = _municipality_sets(mun, polys, dev_pos, dev["municipality_code"], k)
    h["municipality_codes"] = [";".join(sorted(s)) for s in mun_sets]

    # Level.
    st_rows = _station_rows(stations, station_sets)
    involved = list(st_rows)
    at = np.fromiter(st_rows.values(), dtype=np.int64, count=len(st_rows))
    st_level = dict(zip(involved, stations["level"].take(at).to_numpy(dtype=object).tolist(), strict=True))
    st_name = dict(zip(involved, stations["name"].take(at).to_numpy(dtype=object).tolist(), strict=True))
    texts = _level_texts(rules)
    lv = [_level(rules, s, t, len(c), st_level, st_name, texts)
          for s, t, c in zip(station_sets, total.tolist(), mun_sets, strict=True)]
    h["level"] = [x[0] for x in lv]
    h["level_reason"] = [x[1] for x in lv]
    h["name"] = _names(station_sets, centroid, stations, mun, hid, total, st_rows)
    h["method"] = method
    h["scenario"] = sc.name
    h["year"] = year
    h["offtake_mw"] = np.round(offtake, 6)
    h["feedin_mw"] = np.round(feedin, 6)
    h["total_mw"] = np.round(total, 6)

    # The table in hotspot_id order, each column built in that order with the dtype pandas would infer for it.
    by_id = np.argsort(hid, kind="stable")
    table = pd.DataFrame({c: _column(h[c], by_id) for c in HOTSPOT_COLUMNS if c != "geometry"}, copy=False)
    # The geometry as a column first, then the frame around it (half the cost of GeoDataFrame(geometry=array)).
    out = gpd.GeoDataFrame(table.assign(geometry=gpd.GeoSeries(polys[by_id], crs=CRS_RD).values), geometry="geometry")
    # Members in hotspot_id order; within a hotspot already sorted by kind, then id (the hashing order).
    rank = np.empty(len(labs), dtype=np.int64)
    rank[by_id] = np.arange(len(labs))
    take = np.argsort(rank[lab_pos], kind="stable")
    members = pd.DataFrame({"hotspot_id": _text(hid, by_id[rank[lab_pos][take]]),
                            "member_id": _member_ids(m["member_id"][take]),
                            "member_kind": _text(m["member_kind"], take),
                            "weight_mw": m["weight_mw"][take].astype(float)}, copy=False)
    return out, members


#: The dtype pandas infers for a column of Python strings (``str``, Arrow-backed, from pandas 3; before: object).
_TEXT_DTYPE = pd.Series(["a"]).dtype


def _text(values: Any, take: np.ndarray | None = None) -> Any:
    """A text column (strings; None missing) in ``take`` order, with the dtype pandas infers for it.

    Built straight from Arrow: pandas' own inference first scans every value to find out that it is text.
    """
    if isinstance(_TEXT_DTYPE, np.dtype):  # pragma: no cover - pandas < 3 without its string option: object
        arr = np.asarray(values, dtype=object)
        return arr if take is None else arr[take]
    text = pa.array(values, type=pa.large_string())
    return pd.array(text if take is None else text.take(take), dtype=_TEXT_DTYPE)


def _column(values: Any, take: np.ndarray) -> Any:
    """One hotspot column in ``take`` order: text columns through :func:`_text`, numbers as they are."""
    if isinstance(values, str):
        return _text([values]).take(np.zeros(take.size, dtype=np.int64))
    if isinstance(values, (int, np.integer)):
        return np.full(take.size, values, dtype=np.int64)
    if isinstance(values, list) or values.dtype == object:
        return _text(values, take)
    return values[take]


def _member_ids(ids: np.ndarray) -> Any:
    """The ``member_id`` column: the ids as pandas turns them into an object column (text stays the same objects)."""
    if pd.api.types.infer_dtype(ids, skipna=False) == "string":
        return _objects(ids)
    return pd.Series(ids).astype(object)  # numbers or missing ids: as pandas infers and converts them




def _group_sums(pos: np.ndarray, offtake: np.ndarray, feedin: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Offtake and feed-in summed per position 0…k-1 (0 where none): pandas' compensated group sums.

    One groupby of a two-column float block keyed by the positions (a frame with a key column costs several times
    more at small sizes); the same cython kernel adds the same values in the same order.

    Examples
    --------
    >>> off, feed = _group_sums(np.array([2, 0, 2]), np.array([0.1, 5.0, 0.2]), np.array([1.0, 2.0, 3.0]), 3)
    >>> off.tolist(), feed.tolist()
    ([5.0, 0.0, 0.30000000000000004], [2.0, 0.0, 4.0])
    """
    out = np.zeros((k, 2))
    if len(pos):
        sums = pd.DataFrame(np.column_stack([offtake, feedin]).astype(float, copy=False)).groupby(pos).sum()
        out[sums.index.to_numpy()] = sums.to_numpy(dtype=float)
    return out[:, 0], out[:, 1]


#: The two kinds of member, as ``member_kind`` and the member keys write them.
_KINDS = ("development", "infrastructure")


def _member_keys(is_dev: np.ndarray, ids: Any, labels: np.ndarray) -> tuple[Any, np.ndarray]:
    """The members' ``"kind:id"`` keys, as ``f"{kind}:{id}"`` writes them, and the order by label, then key.

    ``is_dev`` tells the kinds apart (development, else infrastructure); ``ids`` are objects, or Arrow text
    without nulls (as :func:`_arrow_member_ids` takes them from the layers). Built and sorted in Arrow (keys
    compare by code point, as Python's and numpy's strings do; the sort is stable), which is several times faster
    than numpy's fixed-width strings; the kinds are taken from two Arrow strings, not converted one by one.
    Returns the keys in that order as an Arrow string array (no Python string per member) and the order itself.

    Examples
    --------
    >>> keys, order = _member_keys(np.array([True, False, True]), np.array(["b", "a", "a"], dtype=object),
    ...                            np.array([1, 0, 1]))
    >>> keys.to_pylist(), order.tolist()
    (['infrastructure:a', 'development:a', 'development:b'], [1, 2, 0])
    """
    import pyarrow.compute as pc

    if _is_arrow_text(ids):
        text_ids = (ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids).cast(pa.string())
    else:
        try:
            text_ids = pa.array(ids, type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # ids that are not text (numbers): as str() writes them
            text_ids = pa.array(np.asarray(ids).astype(str), type=pa.string())
        if text_ids.null_count:
            text_ids = pa.array(np.asarray(ids).astype(str), type=pa.string())
    kinds = pa.array(_KINDS, type=pa.string()).take(pa.array(np.where(is_dev, 0, 1).astype(np.int8)))
    keys = pc.binary_join_element_wise(kinds, text_ids, ":")
    # One stable sort by label, then key (integers first: the text is compared only within a label).
    table = pa.table({"label": pa.array(np.asarray(labels, dtype=np.int64)), "key": keys})
    order = pc.sort_indices(table, sort_keys=[("label", "ascending"), ("key", "ascending")]).to_numpy()
    return keys.take(order), order


def _arrow_member_ids(region: Region, src: np.ndarray, is_dev: np.ndarray) -> Any:
    """The ids of the members (rows ``src`` of their layers) as Arrow text, when the layers hold them so.

    None when neither id column is Arrow text, or an id is not text or missing: then the ids are taken as objects
    (the ``member_id`` of :func:`weighted_points`). Arrow ids spare converting each Python string back to Arrow.

    Examples
    --------
    >>> from energieplanologie.sample import load_sample
    >>> _arrow_member_ids(load_sample(), np.array([0]), np.array([True])) is None  # object ids
    True
    """
    parts = [_layer_text(region.developments, "development_id", src[is_dev])]
    if not is_dev.all():
        parts.append(_layer_text(region.infrastructure, "project_id", src[~is_dev]))
    if not any(_is_arrow_text(p) for p in parts):
        return None
    ids = _concat_values(parts)  # object ids of the other layer join the Arrow text when they are text
    if not _is_arrow_text(ids) or ids.null_count:
        return None
    # Developments first, then infrastructure: back to member order.
    at = np.empty(src.size, dtype=np.int64)
    n_dev = int(is_dev.sum())
    at[is_dev] = np.arange(n_dev)
    at[~is_dev] = n_dev + np.arange(src.size - n_dev)
    return ids.take(pa.array(at))


def _hotspot_ids(keys: Any, first: np.ndarray) -> np.ndarray:
    """``KP-`` + 8 hex digits of the SHA-1 of each group's member keys, one per line.

    ``keys`` (an Arrow string array, :func:`_member_keys`) are sorted within groups that start at the positions
    ``first``; each group's lines are joined in Arrow and hashed as their UTF-8 bytes.

    Examples
    --------
    >>> _hotspot_ids(pa.array(["development:a", "development:b", "development:c"]), np.array([0, 2])).tolist()
    ['KP-9f0f161e', 'KP-c18b90a6']
    """
    import pyarrow.compute as pc

    bounds = pa.array(np.append(first, len(keys)).astype(np.int32))
    lines = pc.binary_join(pa.ListArray.from_arrays(bounds, keys), "\n").cast(pa.binary())
    return np.array(["KP-" + hashlib.sha1(text).hexdigest()[:8] for text in lines.to_pylist()], dtype=object)


def _municipality_sets(municipalities: gpd.GeoDataFrame, polys: np.ndarray, dev_pos: np.ndarray,
                       dev_codes: np.ndarray, k: int) -> list[set[str]]:
    """Per hotspot the municipalities its polygon touches and those its developments name."""
    pos_parts, code_parts = [dev_pos], [dev_codes]
    if len(municipalities):
        # The (few, detailed) municipality polygons are prepared once as query geometries.
        i_mun, i_poly = shapely.STRtree(polys).query(np.asarray(municipalities.geometry.values),
                                                     predicate="intersects")
        pos_parts.append(i_poly)
        code_parts.append(municipalities["municipality_code"].to_numpy(dtype=object)[i_mun])
    return _sets(np.concatenate(pos_parts), _concat_values(code_parts), k)


class _MemberAttributes(NamedTuple):
    """The members' descriptive columns from their layers (text as Arrow arrays when the layer holds Arrow text)."""

    geometry: np.ndarray  # every member, in member order
    sector: Any  # the developments among the members, in member order
    programme: Any
    municipality_code: Any
    dev_carrier: Any
    infra_carrier: Any  # the infrastructure among the members, in member order
    infra_station_id: Any


def _member_attributes(region: Region, src: np.ndarray, is_dev: np.ndarray) -> _MemberAttributes:
    """The members' descriptive columns from their layers.

    ``src`` is each member's row position in its layer, ``is_dev`` whether it is a development. Only the members'
    rows are gathered (a whole text column costs O(layer)), and text stays in Arrow where the layer has it there.
    A development's stations come from the allocation (:func:`_stations_involved`), not from its station_id.
    """
    dev_rows, infra_rows = src[is_dev], src[~is_dev]
    geometry = _filled(len(src), None)
    geometry[is_dev] = np.asarray(region.developments.geometry.values)[dev_rows]
    dev = {name: _layer_text(region.developments, name, dev_rows)
           for name in ("sector", "programme", "municipality_code", "carrier")}
    infra: dict[str, Any] = {name: np.empty(0, dtype=object) for name in ("carrier", "station_id")}
    if infra_rows.size:
        geometry[~is_dev] = np.asarray(region.infrastructure.geometry.values)[infra_rows]
        infra = {name: _layer_text(region.infrastructure, name, infra_rows) for name in infra}
    return _MemberAttributes(geometry, dev["sector"], dev["programme"], dev["municipality_code"], dev["carrier"],
                             infra["carrier"], infra["station_id"])


def _is_arrow_text(values: Any) -> bool:
    return isinstance(values, (pa.Array, pa.ChunkedArray))


def _layer_text(layer: pd.DataFrame, name: str, rows: np.ndarray) -> Any:
    """Column ``name`` of ``layer`` at the row positions ``rows``: Arrow when the column is Arrow text, else objects.

    Examples
    --------
    >>> layer = pd.DataFrame({"code": pd.array(["a", None, "c"], dtype="str"), "n": [1, 2, 3]})
    >>> _layer_text(layer, "code", np.array([2, 1])).to_pylist(), _layer_text(layer, "n", np.array([2])).tolist()
    (['c', None], [3])
    """
    column = layer[name]
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return pa.array(column.array).take(pa.array(rows, type=pa.int64()))
    if dtype == np.dtype(object):  # the column's own object array (no copy): only the rows are gathered
        return column.to_numpy()[rows]
    return column.take(rows).to_numpy(dtype=object)


def _concat_values(parts: list[Any]) -> Any:
    """Parts of one value column (Arrow text or object arrays) end to end: Arrow when every part can be Arrow text.

    Examples
    --------
    >>> _concat_values([pa.array(["a"]), np.array(["b", None], dtype=object)]).to_pylist()
    ['a', 'b', None]
    >>> _concat_values([pa.array(["a"]), np.array([7], dtype=object)]).tolist()  # not text: objects
    ['a', 7]
    """
    if not any(_is_arrow_text(p) for p in parts):
        return np.concatenate(parts)
    chunks: list[Any] = []
    try:
        for p in parts:
            if isinstance(p, pa.ChunkedArray):
                chunks += [c.cast(pa.large_string()) for c in p.chunks]
            elif isinstance(p, pa.Array):
                chunks.append(p.cast(pa.large_string()))
            else:
                chunks.append(pa.array(p, type=pa.large_string(), from_pandas=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # values that are not text: all as objects
        return np.concatenate([p.to_numpy(zero_copy_only=False) if _is_arrow_text(p) else p for p in parts])
    return pa.chunked_array(chunks, type=pa.large_string())


def _filled(n: int, value: Any) -> np.ndarray:
    """An object array of ``n`` references to ``value``, as ``np.full(n, value, dtype=object)`` makes it.

    ``ndarray.fill`` sets the references directly; ``np.full`` casts the value for every element (some 30 times
    slower: 65 ms for 10⁶ members).

    Examples
    --------
    >>> _filled(3, "development").tolist(), _filled(2, None).tolist()
    (['development', 'development', 'development'], [None, None])
    """
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def _objects(values: np.ndarray) -> pd.Series:
    """An object Series without pandas' text-dtype inference (which scans every value)."""
    return pd.Series(values, dtype=object, copy=False)


def _empty_hotspots() -> gpd.GeoDataFrame:
    ints = {"year", "n_members", "n_developments", "n_infrastructure"}
    floats = {"offtake_mw", "feedin_mw", "total_mw", "max_shortage_mw"}
    data = {c: pd.Series([], dtype=np.int64 if c in ints else float if c in floats else object)
            for c in HOTSPOT_COLUMNS if c != "geometry"}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=CRS_RD), crs=CRS_RD)


def _distinct(pos: np.ndarray, values: Any, k: int) -> list[list[str]]:
    """Per position 0…k-1 the sorted distinct non-empty values (deduplicated as integer codes first).

    ``values``: an object array, or Arrow text (encoded in Arrow: no Python string per value); missing values
    (None, NaN, Arrow nulls) count for nothing.

    Examples
    --------
    >>> _distinct(np.array([1, 0, 1, 1]), pa.array(["b", "x", None, "a"]), 3)
    [['x'], ['a', 'b'], []]
    >>> _distinct(np.array([1, 0, 1, 1]), np.array(["b", "x", np.nan, "a"], dtype=object), 3)
    [['x'], ['a', 'b'], []]
    """
    if _is_arrow_text(values):
        import pyarrow.compute as pc

        whole = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
        encoded = pc.dictionary_encode(whole)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        uniques: Any = encoded.dictionary.to_pylist()
    else:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))  # as a Series: the same, 6 × slower
    ok = codes >= 0
    names = np.array([str(u) for u in uniques], dtype=object)
    alphabetical = np.argsort(names, kind="stable")  # Python's string order, as sorted() has it
    rank = np.empty(len(names), dtype=np.int64)
    rank[alphabetical] = np.arange(len(names))
    base = len(names) + 1
    pairs = np.unique(pos[ok].astype(np.int64) * base + rank[codes[ok]])  # by position, then alphabetically
    ordered = names[alphabetical][pairs % base].tolist()
    ends = np.cumsum(np.bincount(pairs // base, minlength=k)).tolist()
    return [ordered[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]


def _joined(pos: np.ndarray, values: Any, k: int) -> list[str]:
    """Per position 0…k-1 the sorted distinct non-empty ``values``, joined with ';'."""
    return [";".join(v) for v in _distinct(pos, values, k)]


def _mw_by_year(dev: Mapping[str, np.ndarray], labs: np.ndarray, region: Region, year: int) -> list[str]:
    """JSON per hotspot: cumulative weighted MW of its developments by analysis year (≤ year)."""
    years = np.array(sorted({int(y) for y in region.years if y <= year} | {year}), dtype=np.int64)
    k = len(labs)
    off = np.zeros((k, years.size))
    feed = np.zeros((k, years.size))
    pos = np.searchsorted(labs, dev["label"])
    col = np.searchsorted(years, dev["dev_year"].astype(np.int64), side="left")
    np.add.at(off, (pos, col), dev["offtake_mw"])
    np.add.at(feed, (pos, col), dev["feedin_mw"])
    off, feed = np.cumsum(off, axis=1), np.cumsum(feed, axis=1)
    if not (np.isfinite(off).all() and np.isfinite(feed).all()):  # pragma: no cover - MW are validated finite
        return [json.dumps({str(y): {"offtake": round(float(off[i, j]), 3), "feedin": round(float(feed[i, j]), 3)}
                            for j, y in enumerate(years)}, separators=(",", ":")) for i in range(k)]
    # What json.dumps(..., separators=(",", ":")) writes: a float as its repr, here of Python's round(·, 3).
    heads = [f'"{int(y)}":{{"offtake":' for y in years]
    return ["{" + ",".join(f'{hd}{round(o, 3)!r},"feedin":{round(f, 3)!r}}}'
                           for hd, o, f in zip(heads, orow, frow, strict=True)) + "}"
            for orow, frow in zip(off.tolist(), feed.tolist(), strict=True)]


def _sets(pos: np.ndarray, values: Any, k: int) -> list[set[str]]:
    """Per position 0…k-1 the set of distinct non-empty values."""
    return [set(v) for v in _distinct(pos, values, k)]


def _stations_involved(region: Region, m: Mapping[str, np.ndarray], labs: np.ndarray, lab_pos: np.ndarray,
                       allocation: pd.DataFrame | None) -> list[set[str]]:
    """Per hotspot the stations its developments are allocated to and its infrastructure belongs to."""
    is_dev = m["member_kind"] == "development"
    pos_parts = [lab_pos[~is_dev]]
    station_parts = [m["infra_station_id"]]
    dev_lab_pos = lab_pos[is_dev]
    if allocation is None and is_dev.any() and len(region.stations):
        from energieplanologie.allocation import allocate

        source = m["source"][is_dev]
        layer = region.developments
        # Only the columns allocation reads, gathered as arrays (a row-wise take of the whole layer is slow).
        data: dict[str, Any] = {c: _objects(layer[c].to_numpy(dtype=object)[source])
                                for c in ("development_id", "carrier", "station_id")}
        data.update({c: layer[c].to_numpy(dtype=float, na_value=np.nan)[source] for c in ("offtake_mw", "feedin_mw")})
        dev = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(np.asarray(layer.geometry.values)[source], crs=layer.crs))
        area = region.municipalities if len(region.municipalities) else None
        alloc = allocate(dev, region.stations, area=area)  # the defaults; pass ``allocation`` for others
        # The result keeps the input's index labels (repeated for the parts of a split polygon): 0…len(dev)-1.
        pos_parts.append(dev_lab_pos[alloc.index.to_numpy()])
        station_parts.append(alloc["station_id"].to_numpy(dtype=object))
    elif allocation is not None and len(allocation):
        rows = _aligned_rows(allocation, region.developments)
        if rows is not None:  # the allocation of these developments (the pipeline's): join by row position
            member_at = np.full(len(region.developments), -1, dtype=np.int64)
            member_at[m["source"][is_dev]] = np.arange(int(is_dev.sum()))
            where = member_at[rows]
        else:  # another allocation: join by development_id
            ids = pd.Index(m["member_id"][is_dev])
            where = ids.get_indexer(allocation["development_id"].to_numpy(dtype=object))
        hit = where >= 0
        pos_parts.append(dev_lab_pos[where[hit]])
        station_parts.append(_layer_text(allocation, "station_id", np.flatnonzero(hit)))
    return _sets(np.concatenate(pos_parts), _concat_values(station_parts), len(labs))


def _aligned_rows(allocation: pd.DataFrame, developments: pd.DataFrame) -> np.ndarray | None:
    """The row positions in ``developments`` of the allocation's rows, when its index holds them.

    :func:`energieplanologie.allocation.allocate` keeps the index labels of the developments it was given (the
    parts of a split polygon repeat them); for the region's own developments those are row positions. They are
    used only when the development ids at those positions are the allocation's own (else None: join by id).
    """
    index = allocation.index
    if not len(index) or index.dtype.kind not in "iu":
        return None
    rows = index.to_numpy().astype(np.int64, copy=False)
    if rows.min() < 0 or rows.max() >= len(developments):
        return None
    theirs = allocation["development_id"].reset_index(drop=True)
    ours = developments["development_id"].take(rows).reset_index(drop=True)
    try:
        same = theirs.astype(ours.dtype).equals(ours)
    except (TypeError, ValueError):  # pragma: no cover - ids of another kind
        return None
    return rows if same else None


#: Directions of the extreme points whose octagon thins the input of a hull, counter-clockwise from east.
_OCTAGON = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))


def _inside_octagon(x: np.ndarray, y: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Which points lie strictly inside the octagon of their group's extreme points (so not on its convex hull).

    The Akl–Toussaint heuristic, per group at once: the groups are contiguous runs beginning at ``starts``; for
    each of eight directions (:data:`_OCTAGON`) the group's first point furthest along it is a vertex, and a point
    strictly on the inner side of every edge of that closed chain lies inside the convex hull of the vertices,
    hence off the boundary of the group's hull. The side is taken as inner only when the cross product exceeds a
    margin far above its rounding error, so a point on or near an edge (or a vertex) is never called inside.
    A group whose points all coincide has no edge: nothing inside.

    Examples
    --------
    >>> x = np.array([0.0, 2.0, 2.0, 0.0, 1.0, 1.0, 5.0, 6.0])
    >>> y = np.array([0.0, 0.0, 2.0, 2.0, 1.0, 0.0, 5.0, 5.0])
    >>> _inside_octagon(x, y, np.array([0, 6])).tolist()  # the centre of the square; an edge point is not
    [False, False, False, False, True, False, False, False]
    """
    n = x.size
    group = np.repeat(np.arange(starts.size), np.diff(np.append(starts, n)))
    index = np.arange(n)
    vx = np.empty((len(_OCTAGON), starts.size))
    vy = np.empty_like(vx)
    for k, (dx, dy) in enumerate(_OCTAGON):
        along = x * dx + y * dy
        top = np.maximum.reduceat(along, starts)
        at = np.minimum.reduceat(np.where(along == top[group], index, n), starts)
        vx[k], vy[k] = x[at], y[at]
    inside = np.ones(n, dtype=bool)
    has_edge = np.zeros(starts.size, dtype=bool)
    for k in range(len(_OCTAGON)):
        ax, ay = vx[k], vy[k]
        ex, ey = vx[(k + 1) % len(_OCTAGON)] - ax, vy[(k + 1) % len(_OCTAGON)] - ay
        edge = (ex != 0) | (ey != 0)  # coinciding vertices make no edge
        has_edge |= edge
        t1 = ex[group] * (y - ay[group])
        t2 = ey[group] * (x - ax[group])
        # The cross product's rounding error is below 4e-16 (|t1| + |t2|) (Shewchuk's bound): 1e-9 is safe.
        inside &= (t1 - t2 > 1e-9 * (np.abs(t1) + np.abs(t2))) | ~edge[group]
    return inside & has_edge[group]


def _weighted_centroids(m: Mapping[str, np.ndarray], lab_pos: np.ndarray, k: int) -> np.ndarray:
    w = m["weight_mw"] + 1e-9  # a zero weight still counts a little
    sw = np.bincount(lab_pos, weights=w, minlength=k)
    cx = np.bincount(lab_pos, weights=w * m["x"], minlength=k) / sw
    cy = np.bincount(lab_pos, weights=w * m["y"], minlength=k) / sw
    return np.column_stack([cx, cy])


def _max_shortage(balance: pd.DataFrame | None, station_sets: list[set[str]], scenario: str, year: int) -> np.ndarray:
    out = np.full(len(station_sets), np.nan)
    if balance is None or not len(balance):
        return out
    b = balance
    if "scenario" in b.columns:
        b = b[b["scenario"] == scenario]
    b = b[b["year"] <= year]
    if not len(b):
        return out
    b = b[b["year"] == b["year"].max()]
    worst = b.groupby("station_id")["shortage_mw"].max().dropna().to_dict()
    for i, s in enumerate(station_sets):
        values = [worst[x] for x in s if x in worst]
        if values:
            out[i] = float(max(values))
    return out


def _level_texts(rules: dict[str, dict]) -> dict[str, tuple[list[str], str | None, str | None]]:
    """Per level its station levels, the reason text of its MW threshold, and the text when nothing holds."""
    texts = {}
    for level in ("national", "provincial"):
        rule = rules[level]
        levels = rule.get("station_levels") or []
        threshold = None if rule.get("min_total_mw") is None else format_number(rule["min_total_mw"], trim=True)
        parts = []
        if levels:
            parts.append(f"geen {'/'.join(levels)}-station")
        if threshold is not None:
            parts.append(f"< {threshold} MW")
        if rule.get("min_municipalities") is not None:
            parts.append(f"< {rule['min_municipalities']} gemeenten")
        texts[level] = (levels, threshold, " en ".join(parts) if parts else None)
    return texts


def _level(rules: dict[str, dict], stations: set[str], total_mw: float, n_municipalities: int,
           st_level: dict, st_name: dict, texts: dict[str, tuple[list[str], str | None, str | None]] | None = None,
           ) -> tuple[str, str]:
    """The level and its Dutch reason (``texts``: :func:`_level_texts` of ``rules``, made once per call)."""
    texts = _level_texts(rules) if texts is None else texts
    failed = []
    total_text: str | None = None
    for level in ("national", "provincial"):
        rule = rules[level]
        levels, threshold, otherwise = texts[level]
        reasons = []
        hits = sorted(s for s in stations if st_level.get(s) in levels) if levels else []
        if hits:
            names = ", ".join(str(st_name.get(s) or s) for s in hits)
            reasons.append(f"{'/'.join(levels)}-station betrokken ({names})")
        if threshold is not None and total_mw >= rule["min_total_mw"]:
            total_text = format_number(total_mw, trim=True) if total_text is None else total_text
            reasons.append(f"totaal {total_text} MW ≥ {threshold} MW")
        if rule.get("min_municipalities") is not None and n_municipalities >= rule["min_municipalities"]:
            reasons.append(f"raakt {n_municipalities} gemeenten (≥ {rule['min_municipalities']})")
        if reasons:
            return level, f"{_LEVEL_NL[level]}: " + "; ".join(reasons)
        if otherwise is not None:
            failed.append(otherwise)
    total_text = format_number(total_mw, trim=True) if total_text is None else total_text
    return "local", "lokaal: " + ("; ".join(failed) if failed else "geen regel van toepassing") + \
        f" (totaal {total_text} MW)"


_GENERIC = re.compile(r"^(ms-station|onderstation|station|waterstofaansluiting|warmtebron|aansluiting)\s+", re.I)
_VOLTAGE = re.compile(r"\s*\b\d+(?:[/-]\d+)*\s*kV\b", re.I)
_PARENS = re.compile(r"\s*\([^)]*\)")


def _place_name(station_name: str) -> str:
    """'Sluiskil 150 kV (Hydro Agri)' → 'Sluiskil'; 'MS-station Axel' → 'Axel'."""
    name = _PARENS.sub("", str(station_name))
    name = _VOLTAGE.sub("", name)
    name = _GENERIC.sub("", name.strip())
    return " ".join(name.split()) or str(station_name)


def _station_rows(stations: gpd.GeoDataFrame, station_sets: list[set[str]]) -> dict[Any, int]:
    """The row in ``stations`` of every station in ``station_sets`` that the layer holds (a repeated id: its last row).

    Only these rows are looked up and converted: a national layer has thousands of stations, a hotspot a few.

    Examples
    --------
    >>> st = pd.DataFrame({"station_id": pd.array(["A", "B", "C", "B", None], dtype="str")})
    >>> _station_rows(st, [{"B"}, {"C", "X"}]), _station_rows(st.astype(object), [{"B"}, {"C", "X"}])
    ({'B': 3, 'C': 2}, {'B': 3, 'C': 2})
    """
    wanted = set().union(*station_sets)
    if not wanted or not len(stations):
        return {}
    ids = stations["station_id"]
    if isinstance(ids.dtype, pd.StringDtype) and ids.dtype.storage == "pyarrow":
        # Arrow text (as pyogrio reads it): one pyarrow is_in; pandas' isin makes a pyarrow scalar of every key.
        import pyarrow.compute as pc

        values = pa.array(ids.array)
        keys = pa.array([w for w in wanted if isinstance(w, str)], type=values.type)
        hit = np.asarray(pc.is_in(values, value_set=keys).fill_null(False), dtype=bool)
    else:
        hit = ids.isin(list(wanted)).to_numpy(dtype=bool)
    rows = np.flatnonzero(hit)
    return dict(zip(ids.take(rows).to_numpy(dtype=object).tolist(), rows.tolist(), strict=True))


def _names(station_sets: list[set[str]], centroid: np.ndarray, stations: gpd.GeoDataFrame,
           municipalities: gpd.GeoDataFrame, ids: np.ndarray, total: np.ndarray,
           rows: Mapping[Any, int] | None = None) -> list[str]:
    """'Knooppunt <place>' after the involved electricity station nearest to the hotspot's MW centroid.

    ``rows``: :func:`_station_rows` of ``station_sets`` (computed when not given).
    """
    names = [f"Knooppunt {i}" for i in ids]
    if len(stations):
        pos = _station_rows(stations, station_sets) if rows is None else rows
        # Every (hotspot, involved station) pair at once; the electricity stations when a hotspot has any.
        pairs = [(i, pos[x]) for i, s in enumerate(station_sets) for x in s if x in pos]
        if pairs:
            hs, st = np.array(pairs, dtype=np.int64).T
            # Only the stations involved are converted (row positions kept: ties still go to the first station).
            used = np.unique(st)
            carrier = np.empty(len(stations), dtype=object)
            sname = np.empty(len(stations), dtype=object)
            sxy = np.zeros((len(stations), 2))
            carrier[used] = stations["carrier"].take(used).to_numpy(dtype=object)
            sname[used] = stations["name"].take(used).to_numpy(dtype=object)
            used_geoms = np.asarray(stations.geometry.values)[used]
            sxy[used] = np.column_stack([shapely.get_x(used_geoms), shapely.get_y(used_geoms)])
            elec = carrier[st] == "electricity"
            has_elec = np.bincount(hs, weights=elec, minlength=len(station_sets)) > 0
            cand = elec | ~has_elec[hs]
            hs, st = hs[cand], st[cand]
            d = np.hypot(*(sxy[st] - centroid[hs]).T)
            order = np.lexsort((st, d, hs))  # per hotspot the nearest, ties to the first station
            first = order[np.r_[True, hs[order][1:] != hs[order][:-1]]]
            place: dict[int, str] = {}
            for i, j in zip(hs[first].tolist(), st[first].tolist(), strict=True):
                if j not in place:
                    place[j] = _place_name(sname[j])
                names[i] = f"Knooppunt {place[j]}"
    elif len(municipalities):
        pts = shapely.points(centroid)
        i_pt, i_mun = shapely.STRtree(np.asarray(municipalities.geometry.values)).query(pts, predicate="within")
        mname = municipalities["name"].to_numpy(dtype=object)
        for i, j in zip(i_pt, i_mun, strict=True):
            names[i] = f"Knooppunt {mname[j]}"
    # Make names unique: the largest keeps the plain name, the others get (2), (3) …
    order = np.lexsort((ids, -np.asarray(total, dtype=float)))
    seen: dict[str, int] = {}
    out = list(names)
    for i in order:
        seen[names[i]] = seen.get(names[i], 0) + 1
        if seen[names[i]] > 1:
            out[i] = f"{names[i]} ({seen[names[i]]})"
    return out


#: What the dask engine (:mod:`energieplanologie.distributed`) runs of the hotspots (and the density's points).
KERNELS = Kernels(weighted_points=weighted_points, objects=_objects, cluster=_cluster, describe=_describe,
                  result=HotspotResult)
