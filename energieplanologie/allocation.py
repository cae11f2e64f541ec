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
   ``allocation_method == "unallocated"``, and listed in :attr:`AllocationResult.unallocated`
   (:func:`allocate_result`).

Ties are broken by ``station_id``: of stations at the same place (for the nearest query and the service areas)
and of stations equally near a development (within :data:`TIE_M`, a micrometre) the one whose ``station_id``
sorts first wins — whatever the order of the rows, so results are deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from energieplanologie._errors import EnergieplanologieError
from energieplanologie._geometry import representative_points, representative_xy
from energieplanologie.distributed import Kernels, use_dask
from energieplanologie.options import ALLOCATION_KEYS, check_keys
from energieplanologie.scenarios import enum_codes, missing_as_zero
from energieplanologie.schema import CARRIERS, LEVELS

__all__ = ["DEFAULT_MAX_MW_PER_LEVEL", "KERNELS", "METHODS", "TIE_M", "AllocationResult", "allocate", "allocate_arrays",
           "allocate_region", "allocate_region_result", "allocate_result", "nearest_station", "station_id_rank",
           "unallocated_ids"]

#: Largest development (MW, the larger of offtake and feed-in) each grid level takes when not linked explicitly.
DEFAULT_MAX_MW_PER_LEVEL: dict[str, float] = {"MS": 10.0, "TS": 30.0, "HS": 300.0, "EHS": math.inf}

#: Values of ``allocation_method``.
METHODS: tuple[str, ...] = ("explicit", "nearest", "split", "unallocated")
_EXPLICIT, _NEAREST, _SPLIT, _UNALLOCATED = range(4)

_POLYGON_TYPES = (3, 6)  # shapely type ids of Polygon and MultiPolygon


#: Threads for the KD-tree queries (``cKDTree.query(workers=...)``); -1 uses every core. Results do not depend
#: on it.
KDTREE_WORKERS = -1

#: Queries of fewer points than this run on the calling thread: starting the worker threads costs more than
#: the query itself at province sizes.
KDTREE_THREADED_MIN = 20_000


def _workers(n_points: int) -> int:
    """``workers`` for a KD-tree query of ``n_points`` points (see :data:`KDTREE_THREADED_MIN`)."""
    return KDTREE_WORKERS if n_points >= KDTREE_THREADED_MIN else 1


@dataclass(frozen=True)
class AllocationArrays:
    """The allocation as parallel arrays, one entry per output row (the fast path used by the balance).

    ``dev_pos`` is the row position in the developments frame, ``station_pos`` the position in the stations
    frame (-1 when unallocated), ``method`` an index into :data:`METHODS`. ``expanded`` tells whether some polygon
    was split (then rows repeat developments). ``part_geometry`` holds the geometry of each row when it was asked
    for and some polygon was split (None otherwise: every row keeps its development's geometry).
    """

    dev_pos: np.ndarray
    station_pos: np.ndarray
    method: np.ndarray
    share: np.ndarray
    distance_m: np.ndarray
    part_geometry: np.ndarray | None
    expanded: bool


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
    return missing_as_zero(frame[column].to_numpy(dtype=float, na_value=np.nan))  # (read only)


_representative_xy = representative_xy


def _area_parts(area: Any) -> np.ndarray | None:
    """The study area as an array of polygonal parts (e.g. the municipalities), not yet validated: only the parts
    near a polygon to divide are checked (and repaired), by :func:`_clip_pieces`."""
    if area is None:
        return None
    if isinstance(area, gpd.GeoDataFrame):
        parts = np.asarray(area.geometry.values)
    elif isinstance(area, gpd.GeoSeries):
        parts = np.asarray(area.values)
    elif isinstance(area, shapely.Geometry):
        parts = np.array([area], dtype=object)
    else:
        raise TypeError(f"area must be a shapely geometry, GeoSeries or GeoDataFrame, got {type(area).__name__}.")
    return parts[~(shapely.is_missing(parts) | shapely.is_empty(parts))]


def _valid_parts_near(area_parts: np.ndarray, polys: np.ndarray) -> np.ndarray:
    """The area parts whose envelope meets a polygon's, in their order, invalid ones repaired (``make_valid``).

    Parts far from every polygon take no part in the division (a repair never enlarges an envelope), so checking
    only these gives the same pieces as checking all, at a fraction of the cost for detailed boundaries.
    """
    near = np.unique(shapely.STRtree(polys).query(area_parts)[0])
    parts = _own_copies(area_parts[near])
    invalid = ~shapely.is_valid(parts)
    if invalid.any():
        parts[invalid] = shapely.make_valid(parts[invalid])
    return parts


def _own_copies(geoms: np.ndarray) -> np.ndarray:
    """New geometry objects with the same coordinates (dimensions included), for a predicate query in a thread.

    A predicate query (``STRtree.query(geoms, predicate=...)``) prepares its input geometries and shapely keeps
    the prepared geometry on the object; GEOS's prepared geometries are not thread-safe (libgeos/geos#825). The
    study area's parts are shared by every allocation (the helper thread here, dask's threads, a user's own):
    two of them preparing or querying the same object at once crashed the process (a segmentation fault in
    tests/test_distributed.py). Each call queries copies of its own instead. WKB keeps every double exactly.

    Examples
    --------
    >>> square = shapely.box(0, 0, 1, 1)
    >>> copy, = _own_copies(np.array([square]))
    >>> copy is square, bool(shapely.equals_exact(copy, square, tolerance=0))
    (False, True)
    """
    return shapely.from_wkb(shapely.to_wkb(geoms, output_dimension=3))


#: Stations whose distances to a development differ by at most this (metres) are equally near; the lowest
#: ``station_id`` wins.
TIE_M = 1e-6


def station_id_rank(stations: gpd.GeoDataFrame) -> np.ndarray:
    """Each station's place in the order of its ``station_id`` (as text): the tie-breaker."""
    # numpy's text sort orders by code point, as Python's str comparison does
    ids = stations["station_id"].to_numpy(dtype=object).astype(str) if len(stations) else np.array([], dtype=str)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
    return rank


#: Queries of at least this many points ask the KD-tree tile by tile (:func:`_tile_order`).
TILED_QUERY_MIN = 20_000
#: Tiles across the points' extent in each direction for :func:`_tile_order`: 2**16 tiles, one 16-bit key each.
_TILES = 256


def _tile_order(points: np.ndarray) -> np.ndarray | None:
    """An order of ``points`` (n × 2) tile by tile: a 256 × 256 grid over their extent, row by row of tiles.

    A KD-tree query of points in layer order jumps across the country from one point to the next; in this order
    consecutive points search the same branches of the tree, which stay in the CPU's caches (some 30 % less
    time for a million developments among 5,000 stations). Each point's answer does not depend on the order.
    The order is a stable sort of 16-bit keys, which numpy does by counting. None (no reordering) for fewer than
    :data:`TILED_QUERY_MIN` points or any coordinate that is not finite.
    """
    if len(points) < TILED_QUERY_MIN or not np.isfinite(points).all():
        return None
    key = np.zeros(len(points), dtype=np.uint16)
    for axis in (1, 0):  # the row of tiles (y), then the tile in it (x); column by column: a reduction or a
        coordinate = points[:, axis]  # product over axis 0 of an n × 2 array is several times slower
        low = coordinate.min()
        span = coordinate.max() - low
        tile = np.subtract(coordinate, low)
        tile *= (_TILES - 1e-6) / span if span > 0 else 0.0  # 0 … 255.99…: truncated, the tile
        key *= np.uint16(_TILES)
        key += tile.astype(np.uint16)
    return np.argsort(key, kind="stable")


def nearest_station(tree: cKDTree, points: np.ndarray, eligible: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to, and position (among ``eligible``) of, the nearest station of each point; among equally near
    stations the one with the lowest ``station_id``.

    Many points are asked in tile order (:func:`_tile_order`, faster) and the answers returned in their order.
    """
    order = _tile_order(points)
    if order is not None:
        points = np.take(points, order, axis=0)  # np.take: several times faster than points[order] for rows
    workers = _workers(len(points))
    if len(eligible) == 1:
        best_d, best = tree.query(points, k=1, workers=workers)
    else:
        dist, idx = tree.query(points, k=2, workers=workers)
        best_d, best = dist[:, 0].copy(), idx[:, 0].copy()
        tied = np.flatnonzero(dist[:, 1] <= dist[:, 0] + TIE_M)
        if tied.size:  # every station within the tie distance, then the lowest station_id
            found = tree.query_ball_point(points[tied], dist[tied, 0] + TIE_M, workers=_workers(len(tied)))
            for row, cand in zip(tied, found, strict=True):
                cand = np.asarray(cand, dtype=np.int64)
                best[row] = cand[np.argmin(rank[eligible[cand]])]
    if order is None:
        return best_d, best
    in_order_d, in_order = np.empty_like(best_d), np.empty_like(best)
    in_order_d[order] = best_d
    in_order[order] = best
    return in_order_d, in_order


def _station_tables(stations: gpd.GeoDataFrame, limits: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    geoms = np.asarray(stations.geometry.values)
    bad = shapely.is_missing(geoms) | (shapely.get_type_id(geoms) != 0)
    if bad.any():
        raise EnergieplanologieError("stations: elk station heeft een puntgeometrie nodig; valideer de laag eerst")
    xy = shapely.get_coordinates(geoms) if len(geoms) else np.zeros((0, 2))
    carrier = enum_codes(stations["carrier"] if "carrier" in stations else pd.Series(["electricity"] * len(stations)),
                         CARRIERS, "stations.carrier", default="electricity")
    level = stations["level"].to_numpy(dtype=object) if "level" in stations else np.full(len(stations), None)
    # A station without (or with an unknown) level takes any size.
    # an object Index as target: given a bare array, pandas first infers (and converts) its text type
    known = pd.Index(list(limits), dtype=object).get_indexer(pd.Index(level, dtype=object, copy=False))
    return xy, carrier, np.append(np.array(list(limits.values()), dtype=float), math.inf)[known]


def _unique_first(xy: np.ndarray, positions: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Positions (ascending) of one station per distinct location: the one with the lowest ``station_id``."""
    by_id = positions[np.argsort(rank[positions], kind="stable")]
    pts = xy[by_id]
    same = np.lexsort((pts[:, 1], pts[:, 0]))  # stable: equal locations keep their station_id order
    first = np.ones(len(same), dtype=bool)
    first[1:] = (pts[same[1:]] != pts[same[:-1]]).any(axis=1)
    return np.sort(by_id[same[first]])


def _allocate_arrays(
    developments: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    *,
    area: Any = None,
    max_mw_per_level: Mapping[str, float] | None = None,
    split: bool = True,
    min_split_share: float = 0.05,
    with_geometry: bool = False,
) -> AllocationArrays:
    """The allocation as arrays (see :func:`allocate` for the rules)."""
    if not 0.0 <= min_split_share < 1.0:
        raise EnergieplanologieError(f"min_split_share: verwacht een getal in [0, 1), gevonden {min_split_share!r}")
    if developments.crs is not None and stations.crs is not None and developments.crs != stations.crs:
        raise EnergieplanologieError(
            f"coördinatenstelsels verschillen: ontwikkelingen {developments.crs}, stations {stations.crs}")
    limits = _limits(max_mw_per_level)
    n = len(developments)
    st_xy, st_carrier, st_limit = _station_tables(stations, limits)
    st_rank = station_id_rank(stations)

    station_pos = np.full(n, -1, dtype=np.intp)
    method = np.full(n, _UNALLOCATED, dtype=np.int8)
    distance = np.full(n, np.nan)
    if n == 0:
        return AllocationArrays(np.arange(0), station_pos, method, np.ones(0), distance, None, False)

    geoms = np.asarray(developments.geometry.values)
    dev_carrier = enum_codes(developments["carrier"] if "carrier" in developments else pd.Series([None] * n),
                             CARRIERS, "developments.carrier", default="electricity")
    size = np.maximum(_mw(developments, "offtake_mw"), _mw(developments, "feedin_mw"))
    x, y, not_point = representative_points(geoms)
    xy = np.column_stack((x, y))
    del x, y

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

    # 2.-4. nearest eligible station, per carrier and size class; polygons divided over service areas
    is_poly = np.zeros(n, dtype=bool)
    if split and len(not_point):  # (every polygon is among the geometries that are not a point)
        is_poly[not_point] = np.isin(shapely.get_type_id(geoms[not_point]), _POLYGON_TYPES)
        is_poly &= ~explicit
    area_parts = _area_parts(area) if is_poly.any() else None
    # Polygons are divided in a helper thread while the nearest-station queries run here: both GEOS (shapely's
    # vectorised functions) and cKDTree.query release the GIL, so on two cores the geometric work hides behind
    # the queries. The result does not depend on the timing.
    pending: list[Future[_Parts | None]] = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the carriers present, ascending (a count per carrier code: no sort of a million codes)
        for c in np.flatnonzero(np.bincount(dev_carrier[~explicit], minlength=len(CARRIERS))):
            of_carrier = np.flatnonzero(st_carrier == c)
            if len(of_carrier) == 0:
                continue
            todo = np.flatnonzero((~explicit) & (dev_carrier == c))
            thresholds = np.unique(st_limit[of_carrier])
            klass = np.searchsorted(thresholds, size[todo], side="left")  # past the last threshold: none eligible
            for k, threshold in enumerate(thresholds):
                members = todo if len(thresholds) == 1 else todo[klass == k]
                if len(members) == 0:
                    continue
                eligible = _unique_first(st_xy, of_carrier[st_limit[of_carrier] >= threshold], st_rank)
                tree = cKDTree(st_xy[eligible])
                polys = members[is_poly[members]] if len(eligible) > 1 else members[:0]
                if len(polys):
                    pending.append(pool.submit(_span_and_split, geoms[polys], polys, xy[polys], tree, eligible,
                                               st_xy, area_parts, min_split_share, with_geometry))
                # np.take: several times faster than xy[members] for rows
                dist, idx = nearest_station(tree, np.take(xy, members, axis=0), eligible, st_rank)
                station_pos[members] = eligible[idx]
                distance[members] = dist
                method[members] = _NEAREST
        parts = [part for part in (f.result() for f in pending) if part is not None]

    if not parts:
        return AllocationArrays(np.arange(n), station_pos, method, np.ones(n), distance, None, False)
    return _merge_parts(n, geoms, xy, st_xy, station_pos, method, distance, parts, with_geometry)


def _span_and_split(polys: np.ndarray, members: np.ndarray, rep_xy: np.ndarray, tree: cKDTree,
                    eligible: np.ndarray, st_xy: np.ndarray, area_parts: np.ndarray | None, min_split_share: float,
                    with_geometry: bool) -> _Parts | None:
    """:func:`_split_polygons` of the polygons that may span several service areas (:func:`_may_span_cells`);
    None when no polygon does. Runs in the helper thread: the test, too, overlaps the nearest-station query."""
    spans = _may_span_cells(polys, rep_xy, tree)
    if not spans.any():
        return None
    return _split_polygons(polys[spans], members[spans], eligible, st_xy, area_parts, min_split_share,
                           with_geometry)


def _may_span_cells(polys: np.ndarray, rep_xy: np.ndarray, tree: cKDTree) -> np.ndarray:
    """False where a polygon surely lies in the service area of a single station; only the others need geometry.

    Two exact tests, cheapest first:

    1. *Disk*: with *R* the largest distance from the representative point *c* to the polygon's vertices (the
       polygon lies in the disk of radius *R* around *c*) and *d1* ≤ *d2* the distances from *c* to its two nearest
       stations, every point of the polygon is nearer to the first station when ``d2 - d1 > 2R`` (triangle
       inequality).
    2. *Vertices*: a Voronoi cell is convex, so when every vertex of a polygon has the same nearest station the
       polygon (inside the convex hull of its vertices) lies in that station's cell.
    """
    d, _ = tree.query(rep_xy, k=2, workers=_workers(len(rep_xy)))
    coords, owner = shapely.get_coordinates(polys, return_index=True)
    r2 = ((coords - rep_xy[owner]) ** 2).sum(axis=1)
    radius = np.zeros(len(polys))
    np.maximum.at(radius, owner, r2)
    maybe = d[:, 1] - d[:, 0] <= 2.0 * np.sqrt(radius) + 1e-6
    check = maybe[owner]
    if check.any():
        _, nearest = tree.query(coords[check], k=1, workers=_workers(int(check.sum())))
        lo = np.full(len(polys), np.iinfo(np.intp).max)
        hi = np.full(len(polys), -1)
        np.minimum.at(lo, owner[check], nearest)
        np.maximum.at(hi, owner[check], nearest)
        maybe &= lo != hi
    return maybe


@dataclass(frozen=True)
class _Parts:
    dev_pos: np.ndarray
    station_pos: np.ndarray
    share: np.ndarray
    geometry: np.ndarray | None


def _clip_pieces(polys: np.ndarray, area_parts: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Pieces of each polygon inside the study area: ``(polygon index, piece)``; a polygon inside one area part is
    its own single piece, one crossing borders is cut per part (the parts do not overlap, so areas add up)."""
    if area_parts is None:
        return np.arange(len(polys)), _own_copies(polys)
    area_parts = _valid_parts_near(area_parts, polys)
    # Query with the area parts as input: each part is prepared once and tested against the polygons near it.
    _, inside_idx = shapely.STRtree(polys).query(area_parts, predicate="contains_properly")
    inside = np.zeros(len(polys), dtype=bool)
    inside[inside_idx] = True
    cross = np.flatnonzero(~inside)
    ai, pi = shapely.STRtree(polys[cross]).query(area_parts, predicate="intersects")
    cut = shapely.intersection(polys[cross][pi], area_parts[ai])
    keep = shapely.area(cut) > 0
    inside_idx = np.flatnonzero(inside)
    # The developments' own polygons are queried (prepared) next: copies, as the area parts (_own_copies)
    return (np.concatenate([inside_idx, cross[pi][keep]]),
            np.concatenate([_own_copies(polys[inside_idx]), cut[keep]]))


def _grouped_union(geoms: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Union of the geometries of each group, vectorised per rank within the group (groups are small)."""
    order = np.argsort(group, kind="stable")
    g_sorted = group[order]
    start = np.searchsorted(g_sorted, g_sorted, side="left")
    rank = np.arange(len(order)) - start
    out = np.full(n_groups, None, dtype=object)
    first = rank == 0
    out[g_sorted[first]] = geoms[order[first]]
    for r in range(1, int(rank.max(initial=0)) + 1):
        sel = rank == r
        out[g_sorted[sel]] = shapely.union(out[g_sorted[sel]], geoms[order[sel]])
    return out


def _half_plane_area(geoms: np.ndarray, a_xy: np.ndarray, b_xy: np.ndarray) -> np.ndarray:
    """Area of each geometry on the side of the bisector of its stations *a* and *b* that is nearer to *a*.

    Coordinates are moved so that the bisector becomes the y axis (origin at the midpoint, *a*→*b* along +x);
    the half-plane nearer to *a* is then ``x ≤ 0``, cut with ``shapely.clip_by_rect``.
    """
    mid = (a_xy + b_xy) / 2.0
    u = b_xy - a_xy
    u /= np.hypot(u[:, 0], u[:, 1])[:, None]
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    d = coords - mid[owner]
    x = d[:, 0] * u[owner, 0] + d[:, 1] * u[owner, 1]
    y = d[:, 1] * u[owner, 0] - d[:, 0] * u[owner, 1]
    moved = shapely.set_coordinates(geoms.copy(), np.column_stack([x, y]))
    big = float(np.abs(np.column_stack([x, y])).max(initial=0.0)) * 2.0 + 1.0
    return shapely.area(shapely.clip_by_rect(moved, -big, -big, 0.0, big))


def _split_polygons(polys: np.ndarray, members: np.ndarray, eligible: np.ndarray, st_xy: np.ndarray,
                    area_parts: np.ndarray | None, min_split_share: float, with_geometry: bool) -> _Parts:
    """Divide polygons over the Voronoi cells of the eligible stations, by area inside the study area.

    Returns one entry per (polygon, station) part after folding parts below ``min_split_share`` into the
    polygon's largest part; shares of a polygon sum to 1. Polygons entirely outside the study area get no entry
    (they keep the nearest station of their representative point). With ``with_geometry`` each part carries the
    polygon's intersection with its service area(s); a polygon left in one part keeps its own geometry.
    """
    poly_idx, pieces = _clip_pieces(polys, area_parts)
    points = shapely.multipoints(st_xy[eligible])
    b_poly, b_st = shapely.bounds(polys), shapely.bounds(points)
    envelope = shapely.box(min(b_poly[:, 0].min(), b_st[0]) - 1e3, min(b_poly[:, 1].min(), b_st[1]) - 1e3,
                           max(b_poly[:, 2].max(), b_st[2]) + 1e3, max(b_poly[:, 3].max(), b_st[3]) + 1e3)
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=envelope, ordered=True))
    tree = shapely.STRtree(cells)
    pc_piece, pc_cell = tree.query(pieces, predicate="intersects")
    n_cells_of_piece = np.bincount(pc_piece, minlength=len(pieces))[pc_piece]
    area = np.empty(len(pc_piece))
    single = n_cells_of_piece == 1  # a piece inside one cell needs no intersection
    area[single] = shapely.area(pieces[pc_piece[single]])
    # A piece meeting exactly two cells lies in their union, and its part in the first cell is its part on that
    # station's side of the two stations' bisector: a half-plane clip, far cheaper than a polygon overlay.
    two = np.flatnonzero(n_cells_of_piece == 2)
    two = two[np.argsort(pc_piece[two], kind="stable")]
    first, second = two[0::2], two[1::2]
    if len(first):
        whole = shapely.area(pieces[pc_piece[first]])
        near_first = _half_plane_area(pieces[pc_piece[first]], st_xy[eligible[pc_cell[first]]],
                                      st_xy[eligible[pc_cell[second]]])
        area[first] = near_first
        area[second] = np.maximum(whole - near_first, 0.0)
    more = n_cells_of_piece > 2
    area[more] = shapely.area(shapely.intersection(pieces[pc_piece[more]], cells[pc_cell[more]]))
    ok = area > 0
    p_poly, p_cell, area = poly_idx[pc_piece[ok]], pc_cell[ok], area[ok]

    # Sum per (polygon, cell): several pieces (area parts) of a polygon may fall in the same cell.
    key = p_poly * len(cells) + p_cell
    ukey, inv = np.unique(key, return_inverse=True)
    area = np.bincount(inv, weights=area).astype(np.float64, copy=False)
    p_poly, p_cell = ukey // len(cells), ukey % len(cells)
    total = np.bincount(p_poly, weights=area, minlength=len(polys))
    share = area / total[p_poly]

    # Fold small parts into the largest part of the same polygon (ties: the first station in input order).
    order = np.lexsort((eligible[p_cell], -area, p_poly))
    first = np.ones(len(order), dtype=bool)
    first[1:] = p_poly[order][1:] != p_poly[order][:-1]
    largest = np.full(len(polys), -1, dtype=np.intp)
    largest[p_poly[order][first]] = p_cell[order][first]
    target = np.where(share < min_split_share, largest[p_poly], p_cell)

    tkey = p_poly * len(cells) + target
    tkeys, tinv = np.unique(tkey, return_inverse=True)
    g_share = np.bincount(tinv, weights=share)
    g_poly, g_cell = tkeys // len(cells), tkeys % len(cells)
    g_share = g_share / np.bincount(g_poly, weights=g_share, minlength=len(polys))[g_poly]  # exact sum 1

    geometry = None
    if with_geometry:
        n_parts = np.bincount(g_poly, minlength=len(polys))
        geometry = polys[g_poly].copy()  # a polygon left in one part keeps its own geometry
        multi = n_parts[p_poly] > 1
        if multi.any():
            cut = shapely.intersection(polys[p_poly[multi]], cells[p_cell[multi]])
            merged = _grouped_union(cut, tinv[multi], len(tkeys))
            split_rows = n_parts[g_poly] > 1
            geometry[split_rows] = merged[split_rows]
    return _Parts(members[g_poly], eligible[g_cell], g_share, geometry)


def _merge_parts(n: int, geoms: np.ndarray, xy: np.ndarray, st_xy: np.ndarray, station_pos: np.ndarray,
                 method: np.ndarray, distance: np.ndarray, parts: list[_Parts], with_geometry: bool
                 ) -> AllocationArrays:
    """Expand the per-development arrays with the parts of divided polygons (parts next to each other)."""
    p_dev = np.concatenate([p.dev_pos for p in parts])
    p_station = np.concatenate([p.station_pos for p in parts])
    p_share = np.concatenate([p.share for p in parts])
    p_geom = np.concatenate([p.geometry for p in parts]) if with_geometry else None
    order = np.lexsort((p_station, p_dev))
    p_dev, p_station, p_share = p_dev[order], p_station[order], p_share[order]
    p_geom = p_geom[order] if p_geom is not None else None
    n_parts = np.bincount(p_dev, minlength=n)
    one = n_parts[p_dev] == 1
    # Polygons left in one part: the station of their service area (the nearest of their surface).
    station_pos = station_pos.copy()
    distance = distance.copy()
    changed = one & (station_pos[p_dev] != p_station)
    station_pos[p_dev[one]] = p_station[one]
    distance[p_dev[changed]] = np.hypot(*(xy[p_dev[changed]] - st_xy[p_station[changed]]).T)
    if not (n_parts > 1).any():
        return AllocationArrays(np.arange(n), station_pos, method, np.ones(n), distance, None, False)

    counts = np.maximum(n_parts, 1)
    dev_pos = np.repeat(np.arange(n), counts)
    out_station = station_pos[dev_pos]
    out_method = method[dev_pos].copy()
    out_share = np.ones(len(dev_pos))
    out_distance = distance[dev_pos]
    out_geom = geoms[dev_pos].copy() if with_geometry else None
    # The parts are sorted by development, so the j-th part of development d goes to row offsets[d] + j.
    multi = ~one
    md = p_dev[multi]
    offsets = np.cumsum(counts) - counts
    start = np.searchsorted(md, md, side="left")
    row = offsets[md] + (np.arange(len(md)) - start)
    out_station[row] = p_station[multi]
    out_share[row] = p_share[multi]
    out_method[row] = _SPLIT
    if out_geom is not None and p_geom is not None:
        out_geom[row] = p_geom[multi]
        part_xy = _representative_xy(p_geom[multi])
    else:
        part_xy = xy[md]
    out_distance[row] = np.hypot(*(part_xy - st_xy[p_station[multi]]).T)
    return AllocationArrays(dev_pos, out_station, out_method, out_share, out_distance, out_geom, True)


def allocate(
    developments: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    *,
    area: Any = None,
    max_mw_per_level: Mapping[str, float] | None = None,
    split: bool = True,
    min_split_share: float = 0.05,
    engine: str = "memory",
    client: Any = None,
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
    engine : {"memory", "dask"}, default "memory"
        ``"dask"`` allocates partition by partition on a Dask cluster (:mod:`energieplanologie.distributed`): the
        same rows in the same order. ``developments`` may then be a dask-geopandas frame; the result is one too
        (lazy).
    client : dask.distributed.Client or str, optional
        With ``engine="dask"``: the cluster (a client or a scheduler address); default the current client, else
        dask's local threads.

    Returns
    -------
    GeoDataFrame
        One row per development, or per part of a split polygon (parts next to each other, ordered by station
        position), with all development columns (the index labels repeat for parts), ``station_id`` (the
        station connected to; empty when unallocated), ``allocation_method`` (``explicit``, ``nearest``,
        ``split``, ``unallocated``), ``share`` (fraction of the development's MW in this row; the shares of a
        development sum to 1) and ``distance_m`` (from the representative point of the development or part to
        the station). A split part carries the part's geometry: the polygon within its service area(s), not
        clipped to ``area`` (the shares are computed on the clipped polygon); a polygon left in one part keeps its
        own geometry. The developments without an eligible station come with :func:`allocate_result`.

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
    return allocate_result(developments, stations, area=area, max_mw_per_level=max_mw_per_level, split=split,
                           min_split_share=min_split_share, engine=engine, client=client).table


@dataclass(frozen=True)
class AllocationResult:
    """The outcome of :func:`allocate_result`: the allocation and the developments it could not place.

    Attributes
    ----------
    table : GeoDataFrame
        As :func:`allocate` returns it.
    unallocated : tuple of str or None
        The ``development_id`` (else the index label) of every development without an eligible station, sorted;
        None when ``table`` is a lazy dask-geopandas frame (nothing is computed yet).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> region = ep.load_sample()
    >>> allocate_result(region.developments, region.stations).unallocated
    ()
    """

    table: gpd.GeoDataFrame
    unallocated: tuple[str, ...] | None


def allocate_result(
    developments: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    *,
    area: Any = None,
    max_mw_per_level: Mapping[str, float] | None = None,
    split: bool = True,
    min_split_share: float = 0.05,
    engine: str = "memory",
    client: Any = None,
) -> AllocationResult:
    """:func:`allocate` with the list of developments it could not place (:class:`AllocationResult`).

    Parameters
    ----------
    developments, stations, area, max_mw_per_level, split, min_split_share, engine, client
        As :func:`allocate`.

    Returns
    -------
    AllocationResult
        ``table`` (the allocation) and ``unallocated``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> stations = gpd.GeoDataFrame({"station_id": ["A"], "carrier": ["electricity"]},
    ...     geometry=[Point(100_000, 400_000)], crs="EPSG:28992")
    >>> dev = gpd.GeoDataFrame({"development_id": ["d1", "h1"], "carrier": ["electricity", "hydrogen"],
    ...     "offtake_mw": [2.0, 5.0], "feedin_mw": [0.0, 0.0]},
    ...     geometry=[Point(101_000, 400_000), Point(102_000, 400_000)], crs="EPSG:28992")
    >>> result = allocate_result(dev, stations)
    >>> result.unallocated, result.table["allocation_method"].tolist()
    (('h1',), ['nearest', 'unallocated'])
    """
    if use_dask(engine):
        from energieplanologie.distributed import dask_allocate

        table = dask_allocate(developments, stations, kernels=KERNELS, area=area, max_mw_per_level=max_mw_per_level,
                              split=split, min_split_share=min_split_share, client=client)
        lazy = not isinstance(table, pd.DataFrame)
        return AllocationResult(table, None if lazy else unallocated_ids(table))
    if not isinstance(developments, gpd.GeoDataFrame) or not isinstance(stations, gpd.GeoDataFrame):
        raise TypeError("developments and stations must be GeoDataFrames.")
    arrays = _allocate_arrays(developments, stations, area=area, max_mw_per_level=max_mw_per_level, split=split,
                              min_split_share=min_split_share, with_geometry=True)
    unallocated = arrays.method == _UNALLOCATED
    ids = developments["development_id"].to_numpy(dtype=object) if "development_id" in developments else \
        developments.index.to_numpy()
    return AllocationResult(allocation_frame(developments, stations, arrays),
                            tuple(sorted({str(i) for i in ids[arrays.dev_pos[unallocated]]})))


def allocate_region(region: Any, **options: Any) -> gpd.GeoDataFrame:
    """:func:`allocate` the developments of a :class:`~energieplanologie.region.Region` to its stations.

    The study area is the region's municipalities; ``max_mw_per_level``, ``split`` and ``min_split_share`` are
    the options (the ``[allocation]`` table of a project configuration,
    :meth:`~energieplanologie.config.ProjectSettings.allocation_options`). Without options this is the
    allocation that :func:`energieplanologie.balance.station_balance` uses when it is given none.

    Parameters
    ----------
    region : Region
        The study area (developments, stations, municipalities).
    **options
        Keyword arguments of :func:`allocate` (``split=False`` …, and ``engine``/``client``); an unknown option
        raises :class:`~energieplanologie.ConfigError` naming ``allocation.<key>``.

    Returns
    -------
    GeoDataFrame
        As :func:`allocate`: one row per development and station it is allocated to, with ``station_id``,
        ``allocation_method``, ``share`` and ``distance_m``.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> alloc = allocate_region(ep.load_sample())
    >>> bool(alloc.groupby("development_id")["share"].sum().round(12).eq(1).all())
    True
    """
    return allocate_region_result(region, **options).table


def allocate_region_result(region: Any, **options: Any) -> AllocationResult:
    """:func:`allocate_region` with the list of developments it could not place (:class:`AllocationResult`).

    Parameters
    ----------
    region : Region
    **options
        As :func:`allocate_region`.

    Returns
    -------
    AllocationResult

    Examples
    --------
    >>> import energieplanologie as ep
    >>> allocate_region_result(ep.load_sample(), split=False).unallocated
    ()
    """
    check_keys({k: v for k, v in options.items() if k not in ("engine", "client")}, "allocation", ALLOCATION_KEYS)
    area = region.municipalities if len(region.municipalities) else None
    return allocate_result(region.developments, region.stations, area=area, **options)


def allocation_frame(developments: gpd.GeoDataFrame, stations: gpd.GeoDataFrame,
                     arrays: AllocationArrays) -> gpd.GeoDataFrame:
    """Build the :func:`allocate` result from :class:`AllocationArrays` (computed ``with_geometry=True``)."""
    station_ids = np.append(stations["station_id"].to_numpy(dtype=object), [None])
    base = developments.take(arrays.dev_pos) if arrays.expanded else developments
    new = {
        # object dtype with None for "no station", as in validated layers (position -1 picks the trailing None)
        "station_id": pd.Series(station_ids[arrays.station_pos], index=base.index, dtype=object),
        "allocation_method": pd.Series(np.asarray(METHODS, dtype=object)[arrays.method], index=base.index,
                                       dtype=object),
        "share": arrays.share,
        "distance_m": arrays.distance_m,
    }
    geom_name = developments.geometry.name
    out = base.assign(**new)
    if arrays.part_geometry is not None:
        out = out.assign(**{geom_name: gpd.array.from_shapely(arrays.part_geometry, crs=developments.crs)})
    columns = [c for c in developments.columns if c != geom_name]
    columns += [c for c in new if c not in columns] + [geom_name]
    return out[columns]


def unallocated_ids(allocation: pd.DataFrame) -> tuple[str, ...]:
    """The ``development_id`` (else the index label) of the rows of an :func:`allocate` result that have no
    station, sorted and each once.

    Examples
    --------
    >>> import pandas as pd
    >>> unallocated_ids(pd.DataFrame({"development_id": ["b", "a", "c"],
    ...                               "allocation_method": ["unallocated", "unallocated", "nearest"]}))
    ('a', 'b')
    """
    lost = allocation["allocation_method"].to_numpy(dtype=object) == METHODS[_UNALLOCATED]
    ids = allocation["development_id"].to_numpy(dtype=object) if "development_id" in allocation else \
        allocation.index.to_numpy()
    return tuple(sorted({str(i) for i in ids[lost]}))


#: The allocation's array kernel under its public name (the balance sums its rows).
allocate_arrays = _allocate_arrays

#: What the dask engine (:mod:`energieplanologie.distributed`) runs of the allocation.
KERNELS = Kernels(allocate=allocate, allocate_arrays=allocate_arrays)
