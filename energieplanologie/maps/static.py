"""Static maps (matplotlib) for reports: the region or one municipality, in RD New, with a Dutch legend.

Styled from :mod:`energieplanologie.maps._style`, the same colours as the interactive map: stations by balance
status in the chosen year, developments by sector (lighter and dashed when less certain), infrastructure by
energy carrier (dashed while not yet ready), knooppunten by level; with a scale bar and a north arrow.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath

from energieplanologie.labels import format_number, value_label
from energieplanologie.maps._style import (
    CARRIER_COLOURS,
    CERTAINTY_STYLE,
    FLEX_SYMBOLS,
    HOTSPOT_COLOURS,
    INFRA_WEIGHT,
    MUNICIPALITY_COLOUR,
    SECTOR_COLOURS,
    STATUS_COLOURS,
    STATUS_ORDER,
)

__all__ = [
    "add_north_arrow",
    "add_scale_bar",
    "draw_region",
    "figure_png",
    "save_figure",
    "static_region_map",
    "station_status_in_year",
]

_POINT_TYPES = ("Point", "MultiPoint")
_LINE_TYPES = ("LineString", "MultiLineString")
_AREA_TYPES = ("Polygon", "MultiPolygon")


def station_status_in_year(balance: pd.DataFrame | None, year: int) -> dict[str, str]:
    """Per station id, the worse of its offtake and feed-in status in ``year`` (``unknown`` when absent).

    Examples
    --------
    >>> b = pd.DataFrame({"station_id": ["A", "A", "B"], "year": [2030, 2030, 2030],
    ...                   "direction": ["offtake", "feedin", "offtake"], "status": ["green", "red", "amber"]})
    >>> station_status_in_year(b, 2030)
    {'A': 'red', 'B': 'amber'}
    """
    if balance is None or balance.empty:
        return {}
    # Only the two columns read (a national balance has 40,000 rows of some thirty columns, filtered per map).
    rows = balance.loc[(balance["year"].astype(int) == int(year)).to_numpy(), ["station_id", "status"]]
    # The worst status per station (STATUS_ORDER; anything else counts as unknown), stations in order of first
    # appearance: a grouped maximum of the statuses' ranks (a loop over the rows cost 0.1 s a map at 5,000 stations).
    by_rank = {rank: status for status, rank in STATUS_ORDER.items()}
    rank = rows["status"].astype(str).map(STATUS_ORDER).fillna(STATUS_ORDER["unknown"]).astype(int)
    worst = rank.groupby(rows["station_id"].astype(str).to_numpy(), sort=False).max()
    # read out as plain lists (iterating the grouped index, text in Arrow, cost 10 ms a map at 5,000 stations)
    return dict(zip(worst.index.to_numpy(dtype=object).astype(str).tolist(),
                    [by_rank[r] for r in worst.to_numpy(dtype=np.int64).tolist()], strict=True))


def _nice_length(width_m: float) -> float:
    """The largest round length (m) of at most a quarter of the map width."""
    nice = (100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 25_000, 50_000, 100_000, 200_000)
    fitting = [n for n in nice if n <= width_m / 4]
    return float(fitting[-1] if fitting else nice[0])


def add_scale_bar(ax: Axes, *, loc: str = "lower right") -> None:
    """A scale bar in metres/kilometres (the axes are in RD metres)."""
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    x0, x1 = ax.get_xlim()
    length = _nice_length(x1 - x0)
    label = format_number(length / 1000, 1, "km", trim=True) if length >= 1000 else format_number(length, 0, "m")
    bar = AnchoredSizeBar(ax.transData, length, label, loc, pad=0.5, borderpad=0.8, sep=4, frameon=True,
                          size_vertical=(ax.get_ylim()[1] - ax.get_ylim()[0]) / 250, color="black")
    bar.patch.set_alpha(0.8)
    ax.add_artist(bar)


def add_north_arrow(ax: Axes, *, x: float = 0.95, y: float = 0.93) -> None:
    """A north arrow (RD New grid north deviates from true north by well under 2° in the Netherlands)."""
    ax.annotate("N", xy=(x, y), xytext=(x, y - 0.09), xycoords="axes fraction", textcoords="axes fraction",
                ha="center", va="center", fontsize=12, fontweight="bold",
                arrowprops={"facecolor": "black", "edgecolor": "black", "width": 3, "headwidth": 11, "headlength": 10})


def _type_masks(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which rows are areas, lines and points (geometry types read once per layer, not once per group drawn)."""
    types = frame.geometry.geom_type.to_numpy()
    return np.isin(types, _AREA_TYPES), np.isin(types, _LINE_TYPES), np.isin(types, _POINT_TYPES)


def _near_view(bounds: np.ndarray, xmin: float, ymin: float, xmax: float, ymax: float, *,
               keep: np.ndarray | None = None) -> np.ndarray:
    """Which boxes (rows ``minx, miny, maxx, maxy``) to draw on the map of the extent ``xmin…ymax``.

    Near: overlapping a square around the extent's centre of twice the larger side plus draw_region's margins,
    more than any equal-aspect view of that extent shows, with room for line widths and marker sizes. What lies
    beyond it cannot leave a pixel in the picture, so leaving it out changes no byte of the PNG — with one
    exception: matplotlib draws a collection of a single shape another way (``draw_markers``, not
    ``draw_path_collection``), which moves its edges by a fraction of a pixel. So when fewer than two of the rows
    in ``keep`` (the ones that would be drawn together; default all) are near, all of them are kept.

    Examples
    --------
    A 10 km square extent: margins 0.06 × 10 km + 500 m = 1.1 km, so the widest view is 12.2 km across, and the
    square searched reaches 12.2 km from the centre (5 km): from −7.2 km to 17.2 km.

    >>> boxes = np.array([[0.0, 0.0, 10.0, 10.0], [17_000.0, 0.0, 17_500.0, 10.0], [17_300.0, 0.0, 18_000.0, 10.0]])
    >>> _near_view(boxes, 0.0, 0.0, 10_000.0, 10_000.0).tolist()
    [True, True, False]
    >>> _near_view(boxes[1:], 0.0, 0.0, 10_000.0, 10_000.0).tolist()  # one near: both drawn, as one collection
    [True, True]
    """
    dx, dy = (xmax - xmin) * 0.06 + 500, (ymax - ymin) * 0.06 + 500
    half = max(xmax - xmin + 2 * dx, ymax - ymin + 2 * dy)  # twice the half side of the largest view
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    near = ((bounds[:, 0] <= cx + half) & (bounds[:, 2] >= cx - half)
            & (bounds[:, 1] <= cy + half) & (bounds[:, 3] >= cy - half))
    keep = np.ones(len(bounds), dtype=bool) if keep is None else keep
    return near if (near & keep).sum() >= 2 else np.ones(len(bounds), dtype=bool)


def _equals(column: pd.Series, value: str) -> np.ndarray:
    return column.eq(value).fillna(False).to_numpy(dtype=bool)


def _scatter_points(ax: Axes, geoms: np.ndarray, *, style: dict[str, Any], markersize: Any,
                    color: Any = None, marker: str = "o") -> None:
    """Draw point geometries as ``GeoDataFrame.plot(ax=ax, color=…, markersize=…, **style)`` draws them.

    The same single call of ``Axes.scatter`` with the same arguments (made directly, :func:`_add_markers`) —
    geometries normalised, missing and empty ones left out, multipoints split into their points (sizes and colours
    repeated for each) — so the same artist and the same pixels, without what geopandas does around it on every call (a GeoDataFrame, geometry
    types, axis labels and aspect set again): a municipality's map draws some forty groups of points.

    ``style`` keeps the order of the keywords of the ``plot`` call it replaces; ``markersize`` and ``color`` are
    a value or one per geometry.

    Examples
    --------
    Two points and a multipoint of two: three rows, four markers, the multipoint's size and colour twice (its
    points in GEOS's normal order, as geopandas draws them).

    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> geoms = np.array([shapely.Point(0, 0), shapely.MultiPoint([(3, 3), (2, 2)]), shapely.Point(1, 1)])
    >>> _scatter_points(ax, geoms, style={"zorder": 4}, markersize=np.array([10.0, 20.0, 30.0]),
    ...                 color=["red", "blue", "green"])
    >>> points = ax.collections[0]
    >>> points.get_offsets().tolist(), points.get_sizes().tolist()
    ([[0.0, 0.0], [3.0, 3.0], [2.0, 2.0], [1.0, 1.0]], [10.0, 20.0, 20.0, 30.0])
    """
    geoms = shapely.normalize(geoms)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    parts, index = shapely.get_parts(geoms[keep], return_index=True)
    xy = shapely.get_coordinates(parts)
    kwargs = dict(style)
    if markersize is not None and not np.isscalar(markersize):
        markersize = np.take(np.asarray(markersize)[keep], index, axis=0)
    kwargs["s"] = markersize
    if color is not None:
        if not isinstance(color, str):
            color = np.take(np.asarray(color)[keep], index, axis=0)
        kwargs["color"] = color
    kwargs["marker"] = marker
    _add_markers(ax, xy[:, 0], xy[:, 1], **kwargs)


def _add_markers(ax: Axes, x: np.ndarray, y: np.ndarray, **kwargs: Any) -> None:
    """``ax.scatter(x, y, **kwargs)`` for the markers of a map: the same collection, built directly.

    What ``Axes.scatter`` makes of filled markers in one colour or one per point (``color`` or ``facecolor``), an
    edge colour and width, sizes, an alpha, a z-order and a line style: a ``PathCollection`` of the marker's path
    at the points, with the same arguments; without what it does besides (masked arrays, and the data limits
    found from the points, some 1.5 ms a call: the map's limits are set before it draws, so they are not needed).
    Anything else (a colour map, an unfilled marker, a missing coordinate or size) is left to ``scatter``.
    """
    from matplotlib import cbook
    from matplotlib.collections import Collection, PathCollection
    from matplotlib.colors import to_rgba_array
    from matplotlib.markers import MarkerStyle
    from matplotlib.transforms import IdentityTransform

    rest = cbook.normalize_kwargs(kwargs, Collection)
    s, marker, alpha = rest.pop("s", None), MarkerStyle(rest.pop("marker", "o")), rest.pop("alpha", None)
    linewidths, edgecolors = rest.pop("linewidth", None), rest.pop("edgecolor", None)
    facecolors, color = rest.pop("facecolor", None), rest.pop("color", None)
    if color is not None:  # as scatter: a colour given for both, unless a face or edge colour is given too
        facecolors = color if facecolors is None else facecolors
        edgecolors = color if edgecolors is None else edgecolors
    sizes = np.ravel(s) if s is not None else None
    if (facecolors is None or edgecolors is None or sizes is None or not marker.is_filled()
            or set(rest) - {"zorder", "linestyle"} or not np.isfinite(x).all() or not np.isfinite(y).all()
            or not np.isfinite(sizes).all()):
        ax.scatter(x, y, vmin=None, vmax=None, cmap=None, **kwargs)
        return
    points = PathCollection((marker.get_path().transformed(marker.get_transform()),), sizes,
                            facecolors=to_rgba_array(facecolors), edgecolors=edgecolors, linewidths=linewidths,
                            offsets=np.column_stack([x, y]), offset_transform=ax.transData, alpha=alpha)
    points.set_transform(IdentityTransform())
    points.set(**rest)
    ax.add_collection(points, autolim=False)


_POLYGON_IDS = (3, 6)  # shapely.GeometryType POLYGON, MULTIPOLYGON
_LINE_IDS = (1, 2, 5)  # LINESTRING, LINEARRING, MULTILINESTRING
_POINT_IDS = (0, 4)  # POINT, MULTIPOINT


def _area_paths(geoms: np.ndarray) -> list[MplPath]:
    """Per (multi)polygon one compound path of all its rings, as geopandas builds a patch of it.

    Each ring is closed (``MOVETO``, ``LINETO``…, ``CLOSEPOLY`` on its repeated first point); the exterior of each
    part, then its holes, parts in their order: ``Path.make_compound_path`` of the rings' closed paths, built from
    the coordinates of all geometries at once instead of two ``Path`` objects and a patch per polygon.

    Examples
    --------
    >>> path = _area_paths(np.array([shapely.box(0, 0, 1, 1)]))[0]
    >>> path.codes.tolist(), path.vertices[0].tolist() == path.vertices[-1].tolist()
    ([1, 2, 2, 2, 79], True)
    """
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    xy, vertex_of = shapely.get_coordinates(rings, return_index=True)
    size = np.bincount(vertex_of, minlength=len(rings))
    start = np.cumsum(size) - size
    codes = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
    codes[start] = MplPath.MOVETO
    codes[start + size - 1] = MplPath.CLOSEPOLY
    per_geom = np.bincount(part_of[ring_of[vertex_of]], minlength=len(geoms))
    cuts = np.cumsum(per_geom)[:-1]
    return [MplPath(v, c) for v, c in zip(np.split(xy, cuts), np.split(codes, cuts), strict=True)]


def _line_segments(geoms: np.ndarray) -> list[np.ndarray]:
    """The coordinates of each line of (multi)lines, multilines split into their lines (what geopandas draws)."""
    parts = shapely.get_parts(geoms)
    xy, vertex_of = shapely.get_coordinates(parts, return_index=True)
    return np.split(xy, np.cumsum(np.bincount(vertex_of, minlength=len(parts)))[:-1])


def _draw_geometries(ax: Axes, geoms: np.ndarray, *, style: dict[str, Any], color: Any = None) -> None:
    """Draw geometries as ``GeoSeries(geoms).plot(ax=ax, color=color, **style)`` draws them (a GeoDataFrame's plot
    too): the same collections with the same arguments, so the same pixels.

    Normalised, missing and empty ones left out; polygons in one collection of compound paths, then lines in a
    ``LineCollection``, then points by :func:`_scatter_points`, each with geopandas's share of ``style`` and
    ``color`` (a single colour). Without what geopandas does around that on every call — a copy of the frame, a
    new collection class, a rescaled view, axis labels that draw_region clears — which cost some 3 ms a call,
    on a municipality's map some twenty calls. ``style`` keeps the order of the keywords of the call it replaces.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> geoms = np.array([shapely.box(0, 0, 2, 2), None, shapely.LineString([(0, 0), (1, 1)])])
    >>> _draw_geometries(ax, geoms, style={"edgecolor": "black", "zorder": 2}, color="red")
    >>> [(type(c).__name__, len(c.get_paths())) for c in ax.collections]
    [('PathCollection', 1), ('LineCollection', 1)]
    """
    from matplotlib.collections import LineCollection, PathCollection

    geoms = shapely.normalize(np.asarray(geoms, dtype=object))
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    kinds = shapely.get_type_id(geoms)
    if (kinds == 7).any():  # a geometry collection: geopandas draws its parts, each by its own type
        gpd.GeoSeries(geoms).plot(ax=ax, color=color, **style)
        return
    style = dict(style)
    polygons, lines, points = (np.isin(kinds, ids) for ids in (_POLYGON_IDS, _LINE_IDS, _POINT_IDS))
    if polygons.any():
        facecolor = style.pop("facecolor", None)  # a colour overrides it (and is the polygons' only colour)
        if color is not None:
            facecolor = color
        kwargs = {"facecolor": facecolor, **{k: v for k, v in style.items() if k not in ("markersize", "marker")}}
        ax.add_collection(PathCollection(_area_paths(geoms[polygons]), **kwargs))
    if lines.any():
        kwargs = {k: v for k, v in style.items() if k not in ("markersize", "marker")}
        if color is not None:
            kwargs["color"] = color
        ax.add_collection(LineCollection(_line_segments(geoms[lines]), **kwargs))
    if points.any():
        rest = {k: v for k, v in style.items() if k not in ("markersize", "marker")}
        _scatter_points(ax, geoms[points], style=rest, markersize=style.get("markersize"), color=color,
                        marker=style.get("marker", "o"))


def draw_region(
    ax: Axes,
    region: Any,
    *,
    balance: pd.DataFrame | None = None,
    hotspots: gpd.GeoDataFrame | None = None,
    year: int | None = None,
    focus: str | None = None,
    label_stations: bool = True,
) -> list[Any]:
    """Draw a region's layers on matplotlib axes in RD New; returns the legend handles (Dutch labels).

    Parameters
    ----------
    ax : Axes
        Target axes.
    region : Region
        The study area.
    balance : DataFrame, optional
        Station balance (one scenario): station colour = status in ``year``.
    hotspots : GeoDataFrame, optional
        Knooppunten (only those of ``year`` when they span several years).
    year : int, optional
        The state shown: developments with ``year ≤ year``, infrastructure ready by then drawn solid (default the
        region's last year).
    focus : str, optional
        A municipality code: that municipality outlined, the others greyed, the view on it.
    """
    year = int(year if year is not None else max(region.years))
    handles: list[Any] = []
    mun = region.municipalities
    if focus is not None:
        is_focus = (mun["municipality_code"].astype(str) == str(focus)).to_numpy()
        if not is_focus.any():
            raise ValueError(f"Gemeente {focus!r} komt niet voor in de regio.")
        xmin, ymin, xmax, ymax = mun.loc[is_focus].total_bounds
    else:
        xmin, ymin, xmax, ymax = mun.total_bounds
    dx, dy = (xmax - xmin) * 0.06 + 500, (ymax - ymin) * 0.06 + 500
    # The view first: with fixed limits matplotlib does not rescale the view as each of the map's fifty-odd
    # collections is added (a pass over all the axes' artists each time), and the view is the same.
    ax.set_xlim(xmin - dx, xmax + dx)
    ax.set_ylim(ymin - dy, ymax + dy)
    if focus is not None:
        # Only the neighbours that can reach the picture are drawn (what lies wholly outside it leaves no pixel):
        # a national region's 345 municipalities cost a patch each on every municipality's map.
        near = _near_view(mun.bounds.to_numpy(), xmin, ymin, xmax, ymax, keep=~is_focus)
        mun_geoms = mun.geometry.to_numpy()
        _draw_geometries(ax, mun_geoms[~is_focus & near],
                         style={"facecolor": "#e0e0e0", "edgecolor": "#9e9e9e", "linewidth": 0.8, "zorder": 1})
        _draw_geometries(ax, mun_geoms[is_focus], style={"facecolor": "#ffffff", "edgecolor": "none", "zorder": 1})
        _draw_geometries(ax, shapely.boundary(mun_geoms[is_focus]), color=MUNICIPALITY_COLOUR,
                         style={"linewidth": 2.2, "zorder": 6})
        handles.append(Patch(facecolor="#e0e0e0", edgecolor="#9e9e9e", label="Buurgemeente"))
    else:
        _draw_geometries(ax, mun.geometry.to_numpy(),
                         style={"facecolor": "#ffffff", "edgecolor": MUNICIPALITY_COLOUR, "linewidth": 1.2, "zorder": 1})
    handles.append(Line2D([], [], color=MUNICIPALITY_COLOUR, linewidth=2, label="Gemeentegrens"))
    view = shapely.box(xmin - dx, ymin - dy, xmax + dx, ymax + dy)

    def in_view(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        # Only what can be seen (the legend then lists only what is on the map): the rows intersecting the view, in
        # their order, found through the layer's spatial index (built once per layer, not a test of every row on
        # every municipality's map).
        if not len(frame):
            return frame
        return frame.iloc[np.sort(frame.sindex.query(view, predicate="intersects"))]

    if hotspots is not None and len(hotspots):
        hs = in_view(hotspots)
        if "year" in hs.columns and hs["year"].nunique() > 1:
            ys = sorted(int(v) for v in hs["year"].dropna().unique())
            pick = max([v for v in ys if v <= year], default=ys[0])
            hs = hs.loc[hs["year"].astype(int) == pick]
        for level, colour in HOTSPOT_COLOURS.items():
            part = hs.geometry.to_numpy()[(hs["level"] == level).to_numpy()]
            if len(part):
                _draw_geometries(ax, part, style={"facecolor": colour, "edgecolor": colour, "alpha": 0.25,
                                                  "linewidth": 0, "zorder": 2})
                _draw_geometries(ax, shapely.boundary(part), color=colour, style={"linewidth": 1.8, "zorder": 2})
                handles.append(Patch(facecolor=colour, edgecolor=colour, alpha=0.5,
                                     label=f"Knooppunt {value_label('level', level).lower()}"))

    dev = in_view(region.developments)
    dev = dev.loc[(dev["year"].fillna(year).astype(int) <= year).to_numpy()]
    is_area, is_line, is_point = _type_masks(dev)
    all_mw = dev[["offtake_mw", "feedin_mw"]].fillna(0).sum(axis=1)
    mw_scale = max(1.0, float(all_mw.max()))
    # Per development its sector and certainty as text and its marker size, once: each (sector, certainty) group
    # below is then a boolean mask, not a selection and comparison of the frame (some forty groups per map).
    dev_sector = dev["sector"].astype("string").fillna("").to_numpy(dtype=object)
    dev_certainty = dev["certainty"].astype("string").fillna("").to_numpy(dtype=object)
    dev_mw = (dev["offtake_mw"].fillna(0) + dev["feedin_mw"].fillna(0)).to_numpy()
    dev_size = 18 + 60 * np.sqrt(np.clip(dev_mw, 0, None) / mw_scale)
    dev_geoms = dev.geometry.to_numpy()
    for sector, colour in SECTOR_COLOURS.items():
        is_sector = dev_sector == sector
        if not is_sector.any():
            continue
        for certainty, (_, alpha, linestyle) in CERTAINTY_STYLE.items():
            is_sub = is_sector & (dev_certainty == certainty)
            if not is_sub.any():
                continue
            # a selection only for the groups that have rows (an empty GeoDataFrame costs milliseconds too)
            if (is_sub & is_area).any():
                areas = dev_geoms[is_sub & is_area]
                _draw_geometries(ax, areas, style={"facecolor": colour, "alpha": alpha, "edgecolor": "none",
                                                   "zorder": 3})
                _draw_geometries(ax, shapely.boundary(areas), color=colour,
                                 style={"linewidth": 1.2, "linestyle": linestyle, "zorder": 3})
            if (is_sub & is_line).any():
                _draw_geometries(ax, dev_geoms[is_sub & is_line], color=colour,
                                 style={"linewidth": 2, "linestyle": linestyle, "zorder": 3})
            points = is_sub & is_point
            if points.any():
                _scatter_points(ax, dev_geoms[points], color=colour, markersize=dev_size[points],
                                style={"edgecolor": "#222222", "linewidth": 0.5, "alpha": min(1.0, alpha + 0.45),
                                       "zorder": 4})
        handles.append(Patch(facecolor=colour, edgecolor=colour, alpha=0.6, label=value_label("sector", sector)))

    infra = in_view(region.infrastructure)
    carriers_seen: list[str] = []
    flex_seen: list[str] = []
    if len(infra):
        infra_area, infra_line, infra_point = _type_masks(infra)
        infra_geoms = infra.geometry.to_numpy()
        built = ((infra["status"] == "existing") | (infra["year_ready"].fillna(10_000).astype(int) <= year)).to_numpy()
        for carrier, colour in CARRIER_COLOURS.items():
            is_c = (infra["carrier"] == carrier).to_numpy()
            if not is_c.any():
                continue
            carriers_seen.append(carrier)
            for done, ls in ((True, "-"), (False, "--")):
                is_sub = is_c & (built == done)
                for itype, weight in [(t, INFRA_WEIGHT.get(t, 2.5)) for t in sorted(set(infra.loc[is_sub, "infra_type"]))]:
                    is_part = is_sub & _equals(infra["infra_type"], itype)
                    lines, areas, points = (infra_geoms[is_part & m] for m in (infra_line, infra_area, infra_point))
                    if len(lines):
                        _draw_geometries(ax, lines, color=colour,
                                         style={"linewidth": weight * 0.7, "linestyle": ls, "zorder": 5})
                    if len(areas):
                        _draw_geometries(ax, shapely.boundary(areas), color=colour,
                                         style={"linewidth": 1.5, "linestyle": ls, "zorder": 5})
                    if len(points) and itype in FLEX_SYMBOLS:  # a flex asset: its own symbol and letter
                        shape, letter = FLEX_SYMBOLS[itype]
                        _draw_geometries(ax, points, style={  # above the stations it stands beside
                            "marker": "s" if shape == "square" else "D", "facecolor": "white" if done else "#f5f5f5",
                            "edgecolor": colour, "linewidth": 2, "linestyle": ls, "zorder": 8.5, "markersize": 110})
                        for x, y in zip(shapely.get_x(points), shapely.get_y(points), strict=True):
                            ax.annotate(letter, (x, y), ha="center", va="center", fontsize=6, fontweight="bold",
                                        zorder=8.6, clip_on=True)
                        if itype not in flex_seen:
                            flex_seen.append(itype)
                    elif len(points):
                        _draw_geometries(ax, points, style={
                            "marker": "s", "facecolor": "white" if done else "#f5f5f5", "edgecolor": colour,
                            "linewidth": 2, "linestyle": ls, "zorder": 7, "markersize": 60})
            handles.append(Line2D([], [], color=colour, linewidth=2.5, label=f"Infra {value_label('carrier', carrier).lower()}"))
        handles.append(Line2D([], [], color="#555555", linewidth=2, label=f"Gereed in {year}"))
        handles.append(Line2D([], [], color="#555555", linewidth=2, linestyle="--", label="Gepland, nog niet gereed"))
        for itype in (t for t in FLEX_SYMBOLS if t in flex_seen):
            shape, letter = FLEX_SYMBOLS[itype]
            handles.append(Line2D([], [], marker="s" if shape == "square" else "D", linestyle="none", markersize=8,
                                  markerfacecolor="white", markeredgecolor="#444444",
                                  label=f"Flex ({letter}): {value_label('infra_type', itype).lower()}"))

    stations = region.stations
    if focus is not None and len(stations):  # the stations that can reach the picture (see the neighbours above)
        gx, gy = stations.geometry.x.to_numpy(), stations.geometry.y.to_numpy()
        stations = stations.loc[_near_view(np.column_stack([gx, gy, gx, gy]), xmin, ymin, xmax, ymax,
                                           keep=np.ones(len(stations), dtype=bool))]
    if len(stations):
        status = station_status_in_year(balance, year)
        colours = [STATUS_COLOURS[status.get(str(s), "unknown")] for s in stations["station_id"]]
        _scatter_points(ax, stations.geometry.to_numpy(), color=colours, markersize=90,
                        style={"edgecolor": "#111111", "linewidth": 1.2, "zorder": 8})
        if label_stations:
            pad_x = 0.01 * max(1.0, xmax - xmin)
            # Region maps label the transmission stations only (MS stations would crowd the towns).
            labelled = stations if focus is not None else stations.loc[stations["level"].isin(["EHS", "HS", "TS"]).to_numpy()]
            # Only stations that can be in view get a label: the view is at most a square of the larger side around
            # the centre (whatever the equal-aspect adjustment), and matplotlib never draws a label whose point lies
            # outside it. Annotating all 5,000 stations of a national region cost seconds per municipality map.
            half = max(xmax - xmin + 2 * dx, ymax - ymin + 2 * dy) / 2
            gx, gy = labelled.geometry.x.to_numpy(), labelled.geometry.y.to_numpy()
            labelled = labelled.loc[(np.abs(gx - (xmin + xmax) / 2) <= half) & (np.abs(gy - (ymin + ymax) / 2) <= half)]
            for x, y, name in zip(labelled.geometry.x, labelled.geometry.y, labelled["name"].astype(str), strict=True):
                ax.annotate(name, (x, y), xytext=(x + pad_x, y), fontsize=7, zorder=9, clip_on=True,
                            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.7})
        for s in ("green", "amber", "red", "unknown"):
            handles.append(Line2D([], [], marker="o", linestyle="none", markersize=8, markerfacecolor=STATUS_COLOURS[s],
                                  markeredgecolor="#111111", label=f"Station: {value_label('balance_status', s).lower()}"))

    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    return handles


def static_region_map(
    region: Any,
    *,
    balance: pd.DataFrame | None = None,
    hotspots: gpd.GeoDataFrame | None = None,
    year: int | None = None,
    scenario: str | None = None,
    title: str | None = None,
    focus: str | None = None,
    path: str | Path | None = None,
    figsize: tuple[float, float] | None = None,
    dpi: int = 150,
) -> Figure:
    """A static map (matplotlib) of the region, or of one municipality with ``focus``.

    Parameters
    ----------
    region : Region
        The study area.
    balance, hotspots, year, focus
        See :func:`draw_region`; ``scenario`` picks one scenario of a multi-scenario balance.
    title : str, optional
        Figure title (default: ``"<region> — toestand <year>"``).
    figsize : (width, height) in inches, optional
        Default: 11 inches wide, the height following the shape of the area.
    path : path, optional
        Write a PNG there (atomically).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import energieplanologie as ep
    >>> fig = static_region_map(ep.load_sample(), year=2030)
    >>> fig.axes[0].get_title(loc="left")
    'Zeeuws-Vlaanderen — toestand 2030'
    >>> fig.savefig("kaart.png")  # doctest: +SKIP
    """
    from energieplanologie.maps.interactive import balance_for_map

    year = int(year if year is not None else max(region.years))
    balance = balance_for_map(balance, scenario)
    fig = Figure(figsize=figsize or (11.0, 8.0), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    handles = draw_region(ax, region, balance=balance, hotspots=hotspots, year=year, focus=focus)
    if figsize is None:  # fit the figure to the area: ~7.6 inches of map width beside the legend
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        fig.set_size_inches(11.0, min(11.0, max(5.0, 7.6 * (y1 - y0) / (x1 - x0) + 1.2)))
    add_scale_bar(ax)
    add_north_arrow(ax)
    ax.set_title(title or f"{region.name} — toestand {year}", fontsize=13, loc="left")
    ax.text(0.01, 0.01, "RD New (EPSG:28992)", transform=ax.transAxes, ha="left", va="bottom", fontsize=7,
            color="#555555")
    fig.legend(handles=handles, loc="outside right upper", fontsize=8, title="Legenda", title_fontsize=9,
               frameon=False)
    if path is not None:
        save_figure(fig, path)
    return fig


def figure_png(fig: Figure) -> bytes:
    """A figure as PNG bytes (deterministic metadata), laid out once and drawn once.

    ``savefig`` draws a figure with a layout engine (``layout="constrained"``) twice: once, painting nothing, to
    lay it out, and once to paint it. The first pass draws every artist (thousands of markers and the station
    labels on a municipality's map) only for the layout, which depends on none of them: the artists clipped to
    the axes take no part in it. Here the engine lays the figure out itself, and the figure is painted once
    without it: the same pixels, the same bytes. The layout uses the renderer of the Agg canvas that then paints
    (matplotlib keeps a text's measured size per renderer), so each text is measured once: the legend's, the
    title's and, on maps whose axes the layout counts the station labels in, every label's (measuring a text
    costs about as much as drawing it). The engine is put back afterwards.

    Examples
    --------
    Two equal figures, one saved by ``savefig``, one by ``figure_png``: the same bytes. (A figure is laid out
    from where its axes stand, so compare fresh figures: ``savefig`` twice on one figure can differ too.)

    >>> def line_figure() -> Figure:
    ...     fig = Figure(figsize=(2, 1), dpi=50, layout="constrained")
    ...     fig.add_subplot().plot([0, 1], [0, 1])
    ...     return fig
    >>> buf = io.BytesIO()
    >>> line_figure().savefig(buf, format="png", metadata={"Software": None})
    >>> fig = line_figure()
    >>> figure_png(fig) == buf.getvalue(), fig.get_layout_engine() is not None
    (True, True)
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buf = io.BytesIO()
    engine = fig.get_layout_engine()
    if engine is None or not fig.axes:
        fig.savefig(buf, format="png", metadata={"Software": None})
        return buf.getvalue()
    # The canvas savefig paints on, made now so that the layout measures the texts with its renderer (savefig
    # would otherwise make a new one, and measure every text again); the sizes are the same (same font and dpi).
    FigureCanvasAgg(fig)
    engine.execute(fig)
    with rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)  # none at all (with these settings), so savefig lays nothing out again
    try:
        fig.savefig(buf, format="png", metadata={"Software": None})
    finally:
        fig.set_layout_engine(engine)
    return buf.getvalue()


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write a figure as PNG atomically, with deterministic metadata (:func:`figure_png`)."""
    from energieplanologie._atomic import atomic_write

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    png = figure_png(fig)
    with atomic_write(path) as tmp:
        Path(tmp).write_bytes(png)
    return path
