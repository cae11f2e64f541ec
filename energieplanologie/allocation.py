"""Allocation: which station each development connects to (DESIGN §5).

Rules, in order:

1. **Explicit** — a development with a ``station_id`` connects there, whatever its carrier or size.
2. **Eligible stations** — otherwise only stations of the development's ``carrier`` whose level may take its size
   qualify: ``max(offtake_mw, feedin_mw) ≤ max_mw_per_level[level]`` (defaults :data:`DEFAULT_MAX_MW_PER_LEVEL`:
   MS 10, TS 30, HS 300, EHS unlimited; a station without a level takes any size, as hydrogen and heat connection
   points usually have none).
3. **Nearest** — the eligible station nearest to the development's representative point (a KD-tree query,
   ``scipy.spatial.cKDTree``, one per carrier and size class).
4. **Split** — with ``split=True`` a polygon (e.g. a RES search area) that spans the service areas of several
   eligible stations is divided by area share. Service areas are the Voronoi cells of the eligible stations
   (``shapely.voronoi_polygons``); the polygon is first clipped to ``area`` (e.g. the municipalities) so land
   outside the study area does not pull a share. Parts below ``min_split_share`` are folded into the largest
   part, so the shares of a development always sum to 1 and MW is conserved.
5. **Unallocated** — no eligible station of its carrier: the development is kept with ``station_id`` empty and
   ``allocation_method == "unallocated"``, and listed in ``result.attrs["unallocated"]``.

Identical station locations are resolved to the first station in input order, for both the nearest query and the
service areas, so results are deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from energieplanologie._errors import EnergieplanologieError
from energieplanologie.scenarios import enum_codes
from energieplanologie.schema import CARRIERS, LEVELS

__all__ = ["DEFAULT_MAX_MW_PER_LEVEL", "METHODS", "allocate"]

#: Largest development (MW, the larger of offtake and feed-in) each grid level takes when not linked explicitly.
DEFAULT_MAX_MW_PER_LEVEL: dict[str, float] = {"MS": 10.0, "TS": 30.0, "HS": 300.0, "EHS": math.inf}

#: Values of ``allocation_method``.
METHODS: tuple[str, ...] = ("explicit", "nearest", "split", "unallocated")
_EXPLICIT, _NEAREST, _SPLIT, _UNALLOCATED = range(4)

_POLYGON_TYPES = (3, 6)  # shapely type ids of Polygon and MultiPolygon


@dataclass(frozen=True)
class AllocationArrays:
    """The allocation as parallel arrays, one entry per output row (the fast path used by the balance).

    ``dev_pos`` is the row position in the developments frame, ``station_pos`` the position in the stations
    frame (-1 when unallocated), ``method`` an index into :data:`METHODS`. ``part_geometry`` holds the geometry of
    each output row when some polygon was split (None otherwise: every row keeps its development's geometry).
    """

    dev_pos: np.ndarray
    station_pos: np.ndarray
    method: np.ndarray
    share: np.ndarray
    distance_m: np.ndarray
    part_geometry: np.ndarray | None

    @property
    def has_parts(self) -> bool:
        return self.part_geometry is not None


def _limits(max_mw_per_level: Mapping[str, float] | None) -> dict[str, float]:
    limits = dict(DEFAULT_MAX_MW_PER_LEVEL)
    for level, value in (max_mw_per_level or {}).items():
        if level not in LEVELS:
            raise EnergieplanologieError(f"max_mw_per_level: onbekend netvlak {level!r} (bekend: {', '.join(LEVELS)})")
        v = math.inf if value is None else float(value)
        if not v >= 0:
            raise EnergieplanologieError(f"max_mw_per_level.{level}: verwacht een getal ≥ 0, gevonden {value!r}")
        limits[level] = v
    return limits


def _mw(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        return np.zeros(len(frame))
    return np.nan_to_num(frame[column].to_numpy(dtype=float, na_value=np.nan), nan=0.0)


def _representative_xy(geoms: np.ndarray) -> np.ndarray:
    """x, y of each geometry: the point itself, else a point on its surface (inside a polygon)."""
    xy = np.empty((len(geoms), 2))
    is_point = shapely.get_type_id(geoms) == 0
    xy[is_point, 0] = shapely.get_x(geoms[is_point])
    xy[is_point, 1] = shapely.get_y(geoms[is_point])
    if (~is_point).any():
        xy[~is_point] = shapely.get_coordinates(shapely.point_on_surface(geoms[~is_point]))
    return xy


def _area_geometry(area: Any) -> Any:
    """The study area as one geometry, or a (STRtree-able) array of parts."""
    if area is None:
        return None
    if isinstance(area, (gpd.GeoDataFrame, gpd.GeoSeries)):
        parts = np.asarray(area.geometry.values if isinstance(area, gpd.GeoDataFrame) else area.values)
        parts = parts[~(shapely.is_missing(parts) | shapely.is_empty(parts))]
        return parts
    if isinstance(area, shapely.Geometry):
        return np.array([area], dtype=object)
    raise TypeError(f"area must be a shapely geometry, GeoSeries or GeoDataFrame, got {type(area).__name__}.")


def _clip_to_area(polys: np.ndarray, area_parts: np.ndarray | None) -> np.ndarray:
    """Each polygon intersected with the union of the area parts (only polygons crossing a border are cut)."""
    if area_parts is None or len(polys) == 0:
        return polys
    tree = shapely.STRtree(area_parts)
    within_poly, _ = tree.query(polys, predicate="within")
    out = polys.copy()
    cross = np.ones(len(polys), dtype=bool)
    cross[within_poly] = False
    if cross.any():
        idx_poly, idx_part = tree.query(polys[cross], predicate="intersects")
        touched = np.unique(idx_part)
        clipped = np.full(int(cross.sum()), None, dtype=object)
        if len(touched):
            union = shapely.union_all(shapely.make_valid(area_parts[touched]))
            shapely.prepare(union)
            hit = np.unique(idx_poly)
            clipped[hit] = shapely.intersection(polys[cross][hit], union)
        out[cross] = clipped
    return out


def _station_tables(stations: gpd.GeoDataFrame, limits: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    geoms = np.asarray(stations.geometry.values)
    bad = shapely.is_missing(geoms) | (shapely.get_type_id(geoms) != 0)
    if bad.any():
        raise EnergieplanologieError("stations: elk station heeft een puntgeometrie nodig; valideer de laag eerst")
    xy = np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)])
    carrier = enum_codes(stations["carrier"] if "carrier" in stations else pd.Series(["electricity"] * len(stations)),
                          CARRIERS, "stations.carrier", default="electricity")
    level = stations["level"] if "level" in stations else pd.Series([None] * len(stations), dtype=object)
    # A station without (or with an unknown) level takes any size.
    per_station = level.map(limits).to_numpy(dtype=float, na_value=np.nan)
    return xy, carrier, np.where(np.isnan(per_station), math.inf, per_station)


def _unique_first(xy: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Positions of the first station at each distinct location (input order)."""
    _, first = np.unique(xy[positions], axis=0, return_index=True)
    return positions[np.sort(first)]


def _allocate_arrays(
    developments: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    *,
    area: Any = None,
    max_mw_per_level: Mapping[str, float] | None = None,
    split: bool = True,
    min_split_share: float = 0.05,
) -> AllocationArrays:
    """The allocation as arrays (see :func:`allocate` for the rules)."""
    if not 0.0 <= min_split_share < 1.0:
        raise ValueError(f"min_split_share must be in [0, 1), got {min_split_share!r}.")
    if developments.crs is not None and stations.crs is not None and developments.crs != stations.crs:
        raise EnergieplanologieError(
            f"coördinatenstelsels verschillen: ontwikkelingen {developments.crs}, stations {stations.crs}")
    limits = _limits(max_mw_per_level)
    n = len(developments)
    st_xy, st_carrier, st_limit = _station_tables(stations, limits)

    station_pos = np.full(n, -1, dtype=np.intp)
    method = np.full(n, _UNALLOCATED, dtype=np.int8)
    distance = np.full(n, np.nan)
    if n == 0:
        return AllocationArrays(np.arange(0), station_pos, method, np.ones(0), distance, None)

    geoms = np.asarray(developments.geometry.values)
    dev_carrier = enum_codes(developments["carrier"] if "carrier" in developments else
                              pd.Series([None] * n), CARRIERS, "developments.carrier",
                             default="electricity")
    size = np.maximum(_mw(developments, "offtake_mw"), _mw(developments, "feedin_mw"))
    xy = _representative_xy(geoms)

    # 1. explicit links
    explicit = np.zeros(n, dtype=bool)
    if "station_id" in developments.columns:
        linked = developments["station_id"].notna().to_numpy()
        if linked.any():
            wanted = developments["station_id"].to_numpy(dtype=object)[linked]
            pos = pd.Index(stations["station_id"].to_numpy(dtype=object)).get_indexer(wanted)
            if (pos < 0).any():
                unknown = sorted({str(w) for w in wanted[pos < 0]})[:5]
                raise EnergieplanologieError(
                    f"developments.station_id: verwijst naar onbekende stations: {', '.join(unknown)}")
            explicit = linked
            station_pos[linked] = pos
            method[linked] = _EXPLICIT
            distance[linked] = np.hypot(*(xy[linked] - st_xy[pos]).T)

    # 2.-4. nearest eligible station, per carrier and size class; polygons split over service areas
    is_poly = np.zeros(n, dtype=bool)
    if split:
        is_poly = np.isin(shapely.get_type_id(geoms), _POLYGON_TYPES) & ~explicit
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    area_parts = _area_geometry(area) if is_poly.any() else None
    for c in np.unique(dev_carrier[~explicit]):
        of_carrier = np.flatnonzero(st_carrier == c)
        todo = (~explicit) & (dev_carrier == c)
        if len(of_carrier) == 0:
            continue
        thresholds = np.unique(st_limit[of_carrier])
        klass = np.searchsorted(thresholds, size, side="left")
        for k, threshold in enumerate(thresholds):
            members = np.flatnonzero(todo & (klass == k))
            if len(members) == 0:
                continue
            eligible = _unique_first(st_xy, of_carrier[st_limit[of_carrier] >= threshold])
            poly_members = members[is_poly[members]] if len(eligible) > 1 else members[:0]
            if len(poly_members):
                split_done, part = _split_polygons(geoms[poly_members], poly_members, eligible, st_xy, area_parts,
                                                   min_split_share)
                parts.append(part)
                members = np.setdiff1d(members, poly_members[split_done], assume_unique=True)
            tree = cKDTree(st_xy[eligible])
            dist, idx = tree.query(xy[members], k=1, workers=-1)
            station_pos[members] = eligible[idx]
            distance[members] = dist
            method[members] = _NEAREST

    if not parts:
        return AllocationArrays(np.arange(n), station_pos, method, np.ones(n), distance, None)
    return _merge_parts(n, geoms, station_pos, method, distance, parts)


def _split_polygons(polys: np.ndarray, members: np.ndarray, eligible: np.ndarray, st_xy: np.ndarray,
                    area_parts: np.ndarray | None, min_split_share: float) -> tuple[np.ndarray, tuple]:
    """Divide polygons over the Voronoi cells of the eligible stations.

    Returns a mask of the polygons handled here (those with any area inside the study area) and the parts as
    ``(dev_pos, station_pos, share, part_geometry, part_count)`` arrays; polygons left unhandled fall back to the
    nearest station of their representative point.
    """
    clipped = _clip_to_area(polys, area_parts)
    valid = ~(shapely.is_missing(clipped) | shapely.is_empty(clipped))
    valid[valid] = shapely.area(clipped[valid]) > 0
    points = shapely.multipoints(st_xy[eligible])
    bounds = np.vstack([shapely.bounds(polys[valid]).reshape(-1, 4), shapely.bounds(points)[None, :]])
    envelope = shapely.box(bounds[:, 0].min() - 1e3, bounds[:, 1].min() - 1e3,
                           bounds[:, 2].max() + 1e3, bounds[:, 3].max() + 1e3)
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=envelope, ordered=True))
    tree = shapely.STRtree(cells)
    poly_idx, cell_idx = tree.query(clipped[valid], predicate="intersects")
    poly_idx = np.flatnonzero(valid)[poly_idx]
    pieces = shapely.intersection(clipped[poly_idx], cells[cell_idx])
    piece_area = shapely.area(pieces)
    keep = piece_area > 0
    poly_idx, cell_idx, pieces, piece_area = poly_idx[keep], cell_idx[keep], pieces[keep], piece_area[keep]
    handled = np.zeros(len(polys), dtype=bool)
    handled[poly_idx] = True

    total = np.bincount(poly_idx, weights=piece_area, minlength=len(polys))
    share = piece_area / total[poly_idx]
    # Fold small parts into the largest part of the same polygon (ties: the first station in input order).
    order = np.lexsort((eligible[cell_idx], -piece_area, poly_idx))
    first_of_poly = np.ones(len(order), dtype=bool)
    first_of_poly[1:] = poly_idx[order][1:] != poly_idx[order][:-1]
    largest_cell = np.empty(len(polys), dtype=np.intp)
    largest_cell[poly_idx[order][first_of_poly]] = cell_idx[order][first_of_poly]
    target = np.where(share < min_split_share, largest_cell[poly_idx], cell_idx)

    frame = pd.DataFrame({"poly": poly_idx, "station": eligible[target], "share": share,
                          "n": np.ones(len(poly_idx), dtype=np.intp)})
    grouped = frame.groupby(["poly", "station"], sort=True).agg(share=("share", "sum"), n=("n", "sum"))
    g_poly = grouped.index.get_level_values("poly").to_numpy()
    g_station = grouped.index.get_level_values("station").to_numpy()
    g_share = grouped["share"].to_numpy()
    # Geometry per part: the single piece, or the union of the pieces folded into it.
    part_geom = np.empty(len(grouped), dtype=object)
    key_piece = pd.MultiIndex.from_arrays([poly_idx, eligible[target]])
    pos_in_group = grouped.index.get_indexer(key_piece)
    single = grouped["n"].to_numpy() == 1
    part_geom[pos_in_group[single[pos_in_group]]] = pieces[single[pos_in_group]]
    for g in np.flatnonzero(~single):  # only parts that absorbed small slivers: rare
        part_geom[g] = shapely.union_all(pieces[pos_in_group == g])
    # Renormalise so the shares of a polygon sum to 1 exactly in floating point.
    g_share = g_share / np.bincount(g_poly, weights=g_share, minlength=len(polys))[g_poly]
    return handled, (members[g_poly], g_station, g_share, part_geom, np.bincount(g_poly, minlength=len(polys)))


def _merge_parts(n: int, geoms: np.ndarray, station_pos: np.ndarray, method: np.ndarray, distance: np.ndarray,
                 parts: list[tuple]) -> AllocationArrays:
    """Expand the per-development arrays with the parts of split polygons (parts kept next to each other)."""
    p_dev = np.concatenate([p[0] for p in parts])
    p_station = np.concatenate([p[1] for p in parts])
    p_share = np.concatenate([p[2] for p in parts])
    p_geom = np.concatenate([p[3] for p in parts])
    order = np.lexsort((p_station, p_dev))
    p_dev, p_station, p_share, p_geom = p_dev[order], p_station[order], p_share[order], p_geom[order]
    counts = np.ones(n, dtype=np.intp)
    n_parts = np.bincount(p_dev, minlength=n)
    counts[n_parts > 0] = n_parts[n_parts > 0]
    dev_pos = np.repeat(np.arange(n), counts)
    rows = len(dev_pos)
    out_station = station_pos[dev_pos]
    out_method = method[dev_pos]
    out_share = np.ones(rows)
    out_distance = distance[dev_pos]
    out_geom = geoms[dev_pos].copy()
    offsets = np.cumsum(counts) - counts
    # p_* are sorted by development, so the j-th part of a development goes to offsets[dev] + j.
    first = np.ones(len(p_dev), dtype=bool)
    first[1:] = p_dev[1:] != p_dev[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(len(p_dev)), 0))
    row = offsets[p_dev] + (np.arange(len(p_dev)) - start)
    out_station[row] = p_station
    out_share[row] = p_share
    out_method[row] = np.where(n_parts[p_dev] > 1, _SPLIT, _NEAREST)
    out_geom[row] = p_geom
    return AllocationArrays(dev_pos, out_station, out_method, out_share, out_distance, out_geom)


def _part_distances(arrays: AllocationArrays, st_xy: np.ndarray) -> np.ndarray:
    """Distance from each split part's representative point to its station."""
    distance = arrays.distance_m.copy()
    is_part = arrays.method == _SPLIT
    if arrays.part_geometry is not None:
        is_part |= (arrays.method == _NEAREST) & np.isnan(distance)
        if is_part.any():
            xy = _representative_xy(arrays.part_geometry[is_part])
            distance[is_part] = np.hypot(*(xy - st_xy[arrays.station_pos[is_part]]).T)
    return distance


def allocate(
    developments: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    *,
    area: Any = None,
    max_mw_per_level: Mapping[str, float] | None = None,
    split: bool = True,
    min_split_share: float = 0.05,
) -> gpd.GeoDataFrame:
    """Connect every development (or part of a split polygon) to a station.

    Parameters
    ----------
    developments : GeoDataFrame
        Canonical developments (``carrier``, ``offtake_mw``, ``feedin_mw``, optional ``station_id``).
    stations : GeoDataFrame
        Canonical stations (points with ``station_id``, ``level``, ``carrier``), same CRS.
    area : shapely geometry, GeoSeries or GeoDataFrame, optional
        The study area (e.g. the municipalities); polygons are clipped to it before they are divided over
        service areas. Without it polygons are divided as they are.
    max_mw_per_level : mapping, optional
        Largest development per level, overriding :data:`DEFAULT_MAX_MW_PER_LEVEL` for the levels given
        (``None`` or ``inf``: unlimited).
    split : bool, default True
        Divide polygons over the service areas (Voronoi cells) of the eligible stations by area share.
    min_split_share : float, default 0.05
        Parts smaller than this share are folded into the polygon's largest part.

    Returns
    -------
    GeoDataFrame
        One row per development, or per part of a split polygon (parts next to each other, ordered by station
        position), with all development columns (the index labels repeat for parts), ``station_id`` (the
        station connected to; empty when unallocated), ``allocation_method`` (``explicit``, ``nearest``,
        ``split``, ``unallocated``), ``share`` (fraction of the development's MW in this row; the shares of a
        development sum to 1) and ``distance_m`` (from the representative point of the development or part to
        the station). A split part carries the part's geometry. ``attrs["unallocated"]`` lists the
        ``development_id`` of developments without an eligible station.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> stations = gpd.GeoDataFrame({"station_id": ["A", "B"], "level": ["MS", "HS"],
    ...     "carrier": ["electricity", "electricity"]},
    ...     geometry=[Point(100_000, 400_000), Point(110_000, 400_000)], crs="EPSG:28992")
    >>> dev = gpd.GeoDataFrame({"development_id": ["d1", "d2"], "carrier": ["electricity"] * 2,
    ...     "offtake_mw": [2.0, 50.0], "feedin_mw": [0.0, 0.0], "station_id": [None, None]},
    ...     geometry=[Point(101_000, 400_000), Point(101_000, 400_000)], crs="EPSG:28992")
    >>> allocate(dev, stations)[["development_id", "station_id", "allocation_method", "distance_m"]]
      development_id station_id allocation_method  distance_m
    0             d1          A           nearest      1000.0
    1             d2          B           nearest      9000.0
    """
    if not isinstance(developments, gpd.GeoDataFrame) or not isinstance(stations, gpd.GeoDataFrame):
        raise TypeError("developments and stations must be GeoDataFrames.")
    arrays = _allocate_arrays(developments, stations, area=area, max_mw_per_level=max_mw_per_level, split=split,
                              min_split_share=min_split_share)
    return allocation_frame(developments, stations, arrays)


def allocation_frame(developments: gpd.GeoDataFrame, stations: gpd.GeoDataFrame,
                     arrays: AllocationArrays) -> gpd.GeoDataFrame:
    """Build the :func:`allocate` result from :class:`AllocationArrays`."""
    st_geoms = np.asarray(stations.geometry.values)
    st_xy = np.column_stack([shapely.get_x(st_geoms), shapely.get_y(st_geoms)]) if len(st_geoms) else np.zeros((0, 2))
    distance = _part_distances(arrays, st_xy)
    station_ids = np.append(stations["station_id"].to_numpy(dtype=object), None)
    base = developments if not arrays.has_parts else developments.take(arrays.dev_pos)
    new = {
        "station_id": station_ids[arrays.station_pos],  # position -1 picks the trailing None
        "allocation_method": np.asarray(METHODS, dtype=object)[arrays.method],
        "share": arrays.share,
        "distance_m": distance,
    }
    geom_name = developments.geometry.name
    out = base.assign(**new)
    if arrays.has_parts:
        out = out.assign(**{geom_name: gpd.array.from_shapely(arrays.part_geometry, crs=developments.crs)})
    columns = [c for c in developments.columns if c != geom_name]
    columns += [c for c in new if c not in columns] + [geom_name]
    out = out[columns]
    unallocated = arrays.method == _UNALLOCATED
    ids = developments["development_id"].to_numpy(dtype=object) if "development_id" in developments else \
        developments.index.to_numpy()
    out.attrs["unallocated"] = sorted({str(i) for i in ids[arrays.dev_pos[unallocated]]})
    return out
