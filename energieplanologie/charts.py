"""Station charts: capacity against load over the years, per direction (matplotlib, Dutch labels).

:func:`station_chart` draws one station from a :func:`~energieplanologie.balance.station_balance` result: per
direction a panel with the load as stacked bars (baseline load, then the developments by sector) and the
capacity as a step line; years with a shortage are marked in red. :func:`write_station_charts` writes one PNG
per station, redrawing one figure rather than building a new one each time (its bars and capacity lines moved,
recoloured or hidden per station, its legend kept while the labels are the same, its layout remembered per
make-up, see :class:`_RememberedLayout`); :func:`chart_stations` chooses the stations that matter (those with a
shortage, every one, none, or a list). Figures are built without ``pyplot`` (no global figure registry), so
writing thousands of charts does not accumulate open figures.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Bbox

from energieplanologie._atomic import atomic_write
from energieplanologie._errors import ConfigError
from energieplanologie._html import safe_file_stem
from energieplanologie._workers import Batch, Plan, run_plan
from energieplanologie.labels import VALUE_LABELS, format_number
from energieplanologie.scenarios import BUILTIN_SCENARIOS
from energieplanologie.schema import SECTORS

__all__ = ["CHART_CHOICES", "SECTOR_COLOURS", "SHORTAGE_CHART_LIMIT", "chart_file_name", "chart_stations", "station_chart", "station_charts_plan", "write_station_charts"]

#: One colour per sector, the same in every chart and map legend.
SECTOR_COLOURS: dict[str, str] = {
    "renewables": "#f2b701",
    "built_environment": "#e73f74",
    "housing": "#7f3c8d",
    "mobility": "#3969ac",
    "industry": "#11a579",
    "agriculture": "#80ba5a",
    "data_centre": "#008695",
    "business_park": "#e68310",
    "other": "#a5aa99",
}
#: What the output folder's station charts can be: the command line's Dutch word → :func:`chart_stations`'s choice.
CHART_CHOICES: dict[str, str] = {"tekort": "shortage", "alle": "all", "geen": "none"}
#: At most this many charts for ``"shortage"`` in the output folder (the largest shortages; a national region has
#: thousands of stations short): 100 charts take about 25 s, all 2 439 of a 10⁵-development region ten minutes.
SHORTAGE_CHART_LIMIT = 100

_BASELINE_COLOUR = "#cfcfcf"
_CAPACITY_COLOUR = "#1a1a1a"
_SHORTAGE_COLOUR = "#c0392b"
_AMBER_COLOUR = "#b9770e"
_DIRECTION_NL = VALUE_LABELS["direction"]


def _select(balance: pd.DataFrame, station_id: str, scenario: str | None) -> tuple[pd.DataFrame, str]:
    rows = balance.loc[balance["station_id"] == station_id]
    if rows.empty:
        raise KeyError(f"station {station_id!r} komt niet voor in de balans")
    scenarios = list(dict.fromkeys(rows["scenario"]))
    chosen = scenarios[0] if scenario is None else scenario
    if chosen not in scenarios:
        raise KeyError(f"scenario {chosen!r} komt niet voor in de balans (wel: {', '.join(scenarios)})")
    return rows.loc[rows["scenario"] == chosen], chosen


#: Where constrained layout put a chart's panels (their boxes, in figure coordinates) and its figure texts (the
#: suptitle).
_Placement = tuple[tuple[Bbox, ...], tuple[tuple[float, float], ...]]


class _RememberedLayout(ConstrainedLayoutEngine):
    """Constrained layout that places a chart where it placed an earlier chart of the same make-up.

    Constrained layout measures every decoration of every panel, twice, for each chart: a quarter of a chart's
    work. From one station to the next, what it measures changes in only a few things. The heights of the panels
    follow from the *frame* (:func:`_frame_key`: the figure's size and resolution, each panel's title, axis
    labels, x ticks and x limits, and the vertical extent of the legend and the suptitle); the y tick labels are
    beside a panel, within the height of its title and x tick labels, so they never push it up or down. The y
    ticks follow from the heights and the y limits, and the widths from the frame and the widest y tick label
    (:func:`_y_tick_width`). Bars and capacity line are clipped to their panel, so the layout does not measure
    them; the labels above the bars it does measure, so a chart is placed from memory only when they lie inside
    their panel (then they do not change its outline), and remembered only then.

    So per frame and widest y tick label the first chart is laid out by constrained layout, and later charts take
    its placement (panel boxes and suptitle position): the same numbers, hence the same pixels (PNGs byte for
    byte those of a full layout; see the tests). Only a figure drawn on Agg's own canvas is remembered, so a
    ``savefig`` to another format lays out anew. The keys cover what one station changes in a chart, not what a
    user could change in a figure, so only the figures :func:`station_charts_plan` keeps and redraws use it;
    :func:`station_chart` hands out figures with plain constrained layout.
    """

    def __init__(self) -> None:
        super().__init__()
        self._known: dict[tuple, dict[tuple, _Placement]] = {}
        self._widths: dict[tuple, float] = {}  # (label, font, dpi) -> width: the same few labels every chart

    def execute(self, fig: Figure):
        if not isinstance(fig.canvas, FigureCanvasAgg):
            return super().execute(fig)
        renderer = fig.canvas.get_renderer()
        frame = _frame_key(fig, renderer)
        known = self._known.get(frame)
        if known:
            before = _placement(fig)
            _place(fig, next(iter(known.values())))  # this frame's heights, which fix the y ticks
            placement = known.get(_y_tick_width(fig, renderer, self._widths))
            if placement is not None:
                _place(fig, placement)
                if _texts_inside(fig, renderer):
                    return None
            _place(fig, before)  # constrained layout starts from where the panels stood, as without memory
        layout = super().execute(fig)
        if _texts_inside(fig, renderer):
            self._known.setdefault(frame, {})[_y_tick_width(fig, renderer, self._widths)] = _placement(fig)
        return layout


def _frame_key(fig: Figure, renderer) -> tuple:
    """What fixes the heights of a chart's panels (see :class:`_RememberedLayout`): the figure's size and
    resolution, each panel's title, axis labels, x limits and x ticks, and the vertical extent of the legend and
    of the suptitle (their height is what the layout measures of them; their labels' widths it does not use)."""
    panels = tuple((ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), ax.get_xlim(), tuple(ticks),
                    tuple(ax.xaxis.get_major_formatter().format_ticks(ticks)))
                   for ax in fig.axes for ticks in [ax.get_xticks().tolist()])
    extents = [artist.get_window_extent(renderer) for artist in [*fig.legends, *fig.texts]]
    return (tuple(fig.get_size_inches()), fig.dpi, panels, tuple((e.y0, e.y1) for e in extents))


def _y_tick_width(fig: Figure, renderer, widths: dict[tuple, float]) -> tuple[float, ...]:
    """Per panel the width of its widest y tick label (pixels) at the panel's present height: the labels of the
    locator's ticks within the y limits (with matplotlib's tolerance). The labels are right-aligned at one x, so
    how far they reach to the left, and with them the axis label, is the widest label's width. ``widths`` keeps
    the widths measured before."""
    panels = []
    for ax in fig.axes:
        low, high = sorted(ax.get_ylim())
        slack = (high - low) * 1e-10
        ticks = [t for t in ax.yaxis.get_majorticklocs() if low - slack <= t <= high + slack]
        font = ax.yaxis.get_major_ticks(1)[0].label1.get_fontproperties()
        measured = []
        for label in ax.yaxis.get_major_formatter().format_ticks(ticks):
            key = (label, font, fig.dpi)
            if key not in widths:
                widths[(label, font.copy(), fig.dpi)] = renderer.get_text_width_height_descent(label, font,
                                                                                              ismath=False)[0]
            measured.append(widths[key])
        panels.append(max(measured, default=0.0))
    return tuple(panels)


def _texts_inside(fig: Figure, renderer) -> bool:
    """Whether every text on the panels (the labels above the bars) lies inside its panel."""
    for ax in fig.axes:
        box = ax.bbox
        for text in ax.texts:
            if text.get_visible() and text.get_in_layout():
                extent = text.get_window_extent(renderer)
                if not (box.x0 <= extent.x0 and extent.x1 <= box.x1 and box.y0 <= extent.y0 and extent.y1 <= box.y1):
                    return False
    return True


def _placement(fig: Figure) -> _Placement:
    return (tuple(ax.get_position(original=True).frozen() for ax in fig.axes),
            tuple(text.get_position() for text in fig.texts))


def _place(fig: Figure, placement: _Placement) -> None:
    boxes, positions = placement
    for ax, box in zip(fig.axes, boxes, strict=True):
        ax.set_position(box)
        ax.set_in_layout(True)  # set_position takes the panel out of the layout, as for a user's own position
    for text, position in zip(fig.texts, positions, strict=True):
        text.set_position(position)


@dataclass(eq=False)
class _Chart:
    """A figure that draws one station after another.

    Per axes it keeps the bar rectangles (one row per layer: the baseline, then the sectors in use) and the
    capacity line, whose data, colours and visibility each station sets in place instead of adding new artists,
    and the x ticks it shows; for the figure the labels of its legend.
    """

    fig: Figure
    axes: np.ndarray
    bars: list[list[list[Rectangle]]]
    lines: list[Line2D]
    years: list[tuple[float, ...]]
    legend: tuple[str, ...] = ()


def _new_chart(panels: int, *, remember_layout: bool = False) -> _Chart:
    """A figure of ``panels`` panels side by side with what every station shares: axis labels, the Dutch number
    formatter, the grid, no top and right spines, and an empty capacity line per panel; constrained layout,
    remembered per make-up with ``remember_layout`` (:class:`_RememberedLayout`)."""
    fig = Figure(figsize=(5.2 * panels + 0.6, 4.8), layout=_RememberedLayout() if remember_layout else "constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, panels, sharey=True, squeeze=False)[0]
    dutch = FuncFormatter(lambda value, _pos: format_number(value, 1, trim=True))
    lines = []
    for ax in axes:
        ax.set_xlabel("Jaar")
        ax.set_ylabel("Vermogen (MW)")
        ax.yaxis.set_major_formatter(dutch)
        ax.grid(axis="y", color="#e6e6e6", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        line = Line2D([], [], drawstyle="steps-mid", color=_CAPACITY_COLOUR, linewidth=2.2, label="Capaciteit")
        line.set_visible(False)
        lines.append(ax.add_line(line))
    return _Chart(fig, axes, [[] for _ in axes], lines, [() for _ in axes])


def _stacked(start: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The heights ``ax.bar(x, values, bottom=start)`` gives its bars: it converts them as offsets from the first
    finite bottom, ``(start[k] + values) - start[k]``, which is ``values`` up to the last bit. The charts keep
    those bits, so that their pixels are the ones ``ax.bar`` drew.

    Examples
    --------
    >>> _stacked(np.array([12.3, 0.0]), np.array([0.1, 0.1])).tolist()
    [0.09999999999999964, 0.09999999999999964]
    >>> _stacked(np.array([np.nan, 2.0]), np.array([1.0, 1.0])).tolist()
    [1.0, 1.0]
    """
    finite = np.flatnonzero(np.isfinite(start))
    first = start[finite[0]] if len(finite) else start[0]
    return (first + values) - first


def _set_bars(ax: Axes, bars: list[list[Rectangle]], layers: list[tuple[np.ndarray, np.ndarray, str]],
              left: np.ndarray, width: float) -> None:
    """Show the stacked ``layers`` (bottom, height and colour, bottom layer first) with the rows of rectangles in
    ``bars``, adding rows when a station has more layers than any before it on these axes, hiding the rest.

    Row k always draws layer k and its rectangles stay in year order, so they are drawn in the order one
    ``ax.bar`` per layer adds them: a layer's face covers half the white edge of the layer below, so that order
    is part of the picture. When the number of years changes, the rows start anew.
    """
    if bars and len(bars[0]) != len(left):
        for rect in [rect for row in bars for rect in row]:
            rect.remove()
        bars.clear()
    while len(bars) < len(layers):
        row = [Rectangle((0.0, 0.0), 0.0, 0.0, edgecolor="white", linewidth=0.5, label="_nolegend_") for _ in left]
        for rect in row:
            ax.add_patch(rect)
        bars.append(row)
    for k, row in enumerate(bars):
        shown = k < len(layers)
        for rect in row:
            rect.set_visible(shown)
        if shown:
            bottom, height, colour = layers[k]
            for rect, x, y, h in zip(row, left, bottom, height, strict=True):
                rect.set_bounds(x, y, width, h)
                rect.set_facecolor(colour)


def _annotate(ax: Axes, years: np.ndarray, load: np.ndarray, capacity: np.ndarray, rows: pd.DataFrame) -> None:
    for year, cap, top, shortage, status in zip(years, capacity, load, rows["shortage_mw"], rows["status"],
                                                strict=True):
        if status == "red":
            ax.annotate(f"tekort\n{format_number(shortage, 1, 'MW')}", (year, top), xytext=(0, 4),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8, color=_SHORTAGE_COLOUR,
                        fontweight="bold")
        elif status == "amber":
            ax.annotate("krap", (year, max(top, cap if np.isfinite(cap) else 0.0)), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8, color=_AMBER_COLOUR)
        elif status == "unknown":
            ax.annotate("capaciteit\nonbekend", (year, top), xytext=(0, 4), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8, color="#555555")


def _panel(chart: _Chart, i: int, rows: pd.DataFrame, sectors: list[str]) -> None:
    """Draw one direction of a station on panel ``i``: baseline and sectors as stacked bars, the capacity as a
    step line, the years short, tight or without capacity labelled."""
    ax = chart.axes[i]
    rows = rows.sort_values("year")
    years = rows["year"].to_numpy(dtype=float)
    gap = float(np.min(np.diff(years))) if len(years) > 1 else 5.0
    width = float(_stacked(years, np.array([0.6 * gap]))[0])  # ax.bar converts the width as it does heights
    bottom = rows["baseline_load_mw"].fillna(0.0).to_numpy(dtype=float)
    layers = [(np.zeros_like(bottom), bottom, _BASELINE_COLOUR)]
    for sector in sectors:
        values = rows[f"mw_{sector}"].to_numpy(dtype=float)
        layers.append((bottom, _stacked(bottom, values), SECTOR_COLOURS[sector]))
        bottom = bottom + values
    _set_bars(ax, chart.bars[i], layers, years - width / 2, width)
    capacity = rows["capacity_mw"].to_numpy(dtype=float)
    line = chart.lines[i]
    line.set_visible(bool(np.isfinite(capacity).any()))
    if line.get_visible():
        line.set_data(np.concatenate([[years[0] - gap / 2], years, [years[-1] + gap / 2]]),
                      np.concatenate([[capacity[0]], capacity, [capacity[-1]]]))
    _annotate(ax, years, bottom, capacity, rows)
    if chart.years[i] != tuple(years):  # new tick objects and labels only when the years change
        ax.set_xticks(years)
        ax.set_xticklabels([str(int(y)) for y in years])
        chart.years[i] = tuple(years)
    ax.set_xlim(years[0] - gap * 0.75, years[-1] + gap * 0.75)


def station_chart(
    balance: pd.DataFrame,
    station_id: str,
    *,
    direction: str | None = None,
    scenario: str | None = None,
    path: str | Path | None = None,
    scenario_labels: Mapping[str, str] | None = None,
) -> Figure:
    """Capacity (step line) against load (baseline + stacked sectors) over the years for one station.

    Parameters
    ----------
    balance : DataFrame
        The result of :func:`energieplanologie.balance.station_balance`.
    station_id : str
        The station to draw.
    direction : {"offtake", "feedin"}, optional
        One panel for this direction; default both, side by side.
    scenario : str, optional
        Which scenario of the balance to draw; default the first.
    path : path, optional
        Also write the figure as PNG here.
    scenario_labels : mapping, optional
        Scenario name → label for the title (:attr:`~energieplanologie.balance.BalanceResult.scenario_labels`);
        default the built-in scenarios' labels, else the name.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie.balance import station_balance
    >>> bal = station_balance(ep.load_sample())
    >>> fig = station_chart(bal, bal["station_id"].iloc[0])
    >>> [ax.get_title() for ax in fig.axes]
    ['Afname', 'Invoeding']
    """
    rows, chosen = _select(balance, station_id, scenario)
    directions = _directions(rows, direction)
    chart = _new_chart(len(directions))
    _draw_station(chart, _scenario_label(chosen, scenario_labels), rows, station_id, directions)
    if path is not None:
        _save(chart.fig, path)
    return chart.fig


def _scenario_label(name: str, labels: Mapping[str, str] | None) -> str:
    if labels and name in labels:
        return labels[name]
    builtin = BUILTIN_SCENARIOS.get(name)
    return builtin.label_nl if builtin is not None else name


def _directions(rows: pd.DataFrame, direction: str | None) -> list[str]:
    if direction is not None and direction not in _DIRECTION_NL:
        raise ValueError(f"direction must be 'offtake' or 'feedin', got {direction!r}.")
    return [direction] if direction is not None else [d for d in ("offtake", "feedin") if (rows["direction"] == d).any()]


def _clear(chart: _Chart) -> None:
    """Remove what is only one station's (the labels above the bars); the next station updates the bars, lines and
    legend in place."""
    for ax in chart.axes:
        for text in list(ax.texts):
            text.remove()


def _draw_station(chart: _Chart, label: str, rows: pd.DataFrame, station_id: str, directions: list[str]) -> None:
    sector_cols = [s for s in SECTORS if f"mw_{s}" in rows.columns]
    used = [s for s in sector_cols if rows[f"mw_{s}"].fillna(0).abs().sum() > 0]
    for i, d in enumerate(directions):
        _panel(chart, i, rows.loc[rows["direction"] == d], used)
        chart.axes[i].set_title(_DIRECTION_NL[d])
    shown = rows.loc[rows["direction"].isin(directions), ["load_mw", "capacity_mw"]].to_numpy(dtype=float)
    top = np.nanmax(np.append(shown.ravel(), 1.0))
    chart.axes[0].set_ylim(0, top * 1.25)  # shared y axis: room above the tallest bar or line for the labels
    first = rows.iloc[0]
    name = first.get("station_name")
    level = first.get("level")
    title = f"{name} ({station_id})" if isinstance(name, str) and name and name != station_id else str(station_id)
    if isinstance(level, str) and level:
        title += f" – {level}"
    chart.fig.suptitle(f"{title}\ncapaciteit en last, scenario {label}", fontsize=11)
    _set_legend(chart, used)


def _set_legend(chart: _Chart, sectors: list[str]) -> None:
    """The legend of the first panel's line and bars (capacity, baseline, sectors), below the panels, as
    ``fig.legend(*axes[0].get_legend_handles_labels())`` made it from ``ax.bar``'s containers (their first bar is
    the handle); kept when the labels are those of the previous station, as the handles then look the same."""
    line, bars = chart.lines[0], chart.bars[0]
    handles = ([line] if line.get_visible() else []) + [row[0] for row in bars[:1 + len(sectors)]]
    labels = (["Capaciteit"] if line.get_visible() else []) + ["Basislast"] + [VALUE_LABELS["sector"][s]
                                                                              for s in sectors]
    if tuple(labels) == chart.legend and chart.fig.legends:
        return
    for legend in list(chart.fig.legends):
        legend.remove()
    chart.fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 5), frameon=False,
                     fontsize=8)
    chart.legend = tuple(labels)


#: The charts' resolution (dots per inch).
_DPI = 110


def _png(fig: Figure) -> bytes:
    """The figure as PNG at :data:`_DPI`, the bytes ``fig.savefig(buf, dpi=_DPI, format="png")`` writes.

    ``savefig`` of a figure with a layout engine draws it twice: once with drawing switched off, to run the
    constrained layout, then for real with the layout switched off. The canvas's own ``print_png`` draws once, and
    that draw runs the layout first: the same layout, the same pixels, about half the work.
    """
    buf = io.BytesIO()
    dpi = fig.dpi
    fig.dpi = _DPI
    try:
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        canvas.print_png(buf)
    finally:
        fig.dpi = dpi
    return buf.getvalue()


def _save(fig: Figure, path: str | Path) -> None:
    with atomic_write(path) as tmp:
        Path(tmp).write_bytes(_png(fig))


def chart_stations(balance: pd.DataFrame, which: str | Iterable[str] = "shortage", *,
                   scenario: str | None = None, limit: int | None = None) -> list[str]:
    """The stations to draw a chart for, in the balance's station order.

    Parameters
    ----------
    balance : DataFrame
        The result of :func:`energieplanologie.balance.station_balance`.
    which : {"shortage", "all", "none"} or iterable of str
        ``"shortage"``: the stations with a shortage (status red) in some year and direction of the scenario;
        ``"all"``: every station; ``"none"``: none; or the station ids themselves (each must be in the balance).
    scenario : str, optional
        The scenario whose shortages count; default the first in the balance.
    limit : int, optional
        With ``"shortage"``: at most this many, those with the largest shortage (MW, any year and direction).

    Returns
    -------
    list of str

    Raises
    ------
    ConfigError
        ``which`` names a choice that does not exist, or a station that is not in the balance (Dutch message,
        key ``grafieken``).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie.balance import station_balance
    >>> bal = station_balance(ep.load_sample())
    >>> chart_stations(bal)
    ['HST', 'SKL', 'TNZ', 'WDO']
    >>> chart_stations(bal, limit=2)  # the two largest shortages (30.8 and 28.5 MW), in station order
    ['SKL', 'TNZ']
    >>> len(chart_stations(bal, "all")), chart_stations(bal, "none"), chart_stations(bal, ["TNZ"])
    (16, [], ['TNZ'])
    """
    order = [str(s) for s in dict.fromkeys(balance["station_id"])]
    if isinstance(which, str):
        if which == "all":
            return order
        if which == "none":
            return []
        if which != "shortage":
            raise ConfigError(f"onbekende keuze voor de grafieken: {which!r}; kies tekort, alle, geen of een lijst "
                              "met station_id's", key="grafieken")
        scenarios = list(dict.fromkeys(balance["scenario"])) if "scenario" in balance.columns else []
        rows = balance if not scenarios else balance.loc[balance["scenario"] == (scenario or scenarios[0])]
        red = rows.loc[rows["status"] == "red"]
        worst = red.groupby(red["station_id"].astype(str), sort=False)["shortage_mw"].max()
        if limit is not None and len(worst) > limit:
            rank = pd.Series(range(len(order)), index=order)
            worst = worst.to_frame("mw").assign(rank=rank.reindex(worst.index).to_numpy())
            worst = worst.sort_values(["mw", "rank"], ascending=[False, True], kind="stable").head(max(limit, 0))
        short = set(worst.index)
        return [s for s in order if s in short]
    wanted = [str(s) for s in which]
    unknown = [s for s in wanted if s not in set(order)]
    if unknown:
        raise ConfigError(f"grafieken: station {unknown[0]!r} komt niet voor in de stationslaag",
                          key="grafieken")
    return list(dict.fromkeys(wanted))


def chart_file_name(station_id: object) -> str:
    """A safe PNG file name for a station (see :func:`energieplanologie._html.safe_file_stem`), never a path.

    Examples
    --------
    >>> chart_file_name("OBG-150")
    'OBG-150.png'
    >>> chart_file_name("../../etc/passwd")
    'etc_passwd-936d7c04.png'
    """
    return f"{safe_file_stem(station_id, fallback='station')}.png"


def write_station_charts(
    balance: pd.DataFrame,
    out_dir: str | Path,
    *,
    scenario: str | None = None,
    station_ids: Iterable[str] | None = None,
    scenario_labels: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write one PNG per station (see :func:`station_chart`) into ``out_dir``.

    Parameters
    ----------
    balance : DataFrame
        The result of :func:`energieplanologie.balance.station_balance`.
    out_dir : path
        Folder, created when missing. File names come from :func:`chart_file_name` and never leave it.
    scenario : str, optional
        Scenario to draw; default the first in the balance.
    station_ids : iterable of str, optional
        Only these stations; default every station in the balance.
    scenario_labels : mapping, optional
        As in :func:`station_chart`.

    Returns
    -------
    list of Path
        The files written, in station order.

    Examples
    --------
    >>> import tempfile, energieplanologie as ep
    >>> from energieplanologie.balance import station_balance
    >>> paths = write_station_charts(station_balance(ep.load_sample()), tempfile.mkdtemp())
    >>> all(p.suffix == ".png" for p in paths)
    True
    """
    return run_plan(station_charts_plan(balance, out_dir, scenario=scenario, station_ids=station_ids,
                                        scenario_labels=scenario_labels))


def station_charts_plan(
    balance: pd.DataFrame,
    out_dir: str | Path,
    *,
    scenario: str | None = None,
    station_ids: Iterable[str] | None = None,
    scenario_labels: Mapping[str, str] | None = None,
) -> Plan[list[Path]]:
    """:func:`write_station_charts` as a plan (:func:`energieplanologie._workers.run_plans`): the charts are drawn
    by the batch it yields, the files written in station order when it finishes.

    Examples
    --------
    >>> import tempfile, energieplanologie as ep
    >>> from energieplanologie._workers import run_plan
    >>> from energieplanologie.balance import station_balance
    >>> paths = run_plan(station_charts_plan(station_balance(ep.load_sample()), tempfile.mkdtemp(),
    ...                                      station_ids=["TNZ"]))
    >>> [p.name for p in paths]
    ['TNZ.png']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    ids = list(dict.fromkeys(balance["station_id"])) if station_ids is None else list(station_ids)
    plain = balance.copy(deep=False)
    positions = plain.groupby(plain["station_id"].astype(str), sort=False).indices  # one pass, not one per station
    jobs = []
    for sid in ids:
        path = out / chart_file_name(sid)
        if path.resolve().parent != root:  # pragma: no cover - chart_file_name cannot produce this
            raise ValueError(f"unsafe chart path for station {sid!r}")
        if str(sid) not in positions:
            raise KeyError(f"station {sid!r} komt niet voor in de balans")
        rows, chosen = _select(plain.iloc[positions[str(sid)]], sid, scenario)
        jobs.append((path, sid, rows, _scenario_label(chosen, scenario_labels)))
    charts: dict[int, _Chart] = {}  # per process one figure per number of panels, redrawn

    def one(job: tuple[Path, str, pd.DataFrame, str]) -> bytes:
        _, sid, rows, label = job
        directions = _directions(rows, None)
        if len(directions) in charts:
            chart = charts[len(directions)]
            _clear(chart)
        else:
            chart = charts.setdefault(len(directions), _new_chart(len(directions), remember_layout=True))
        _draw_station(chart, label, rows, sid, directions)
        return _png(chart.fig)

    written = []
    pngs = yield Batch(one, jobs)
    for (path, *_), png in zip(jobs, pngs, strict=True):
        with atomic_write(path) as tmp:
            Path(tmp).write_bytes(png)
        written.append(path)
    return written
