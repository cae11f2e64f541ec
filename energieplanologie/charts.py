"""Station charts: capacity against load over the years, per direction (matplotlib, Dutch labels).

:func:`station_chart` draws one station from a :func:`~energieplanologie.balance.station_balance` result: per
direction a panel with the load as stacked bars (baseline load, then the developments by sector) and the
capacity as a step line; years with a shortage are marked in red. :func:`write_station_charts` writes one PNG
per station, redrawing one figure (its bars, lines and labels replaced per station) rather than building a new
one each time; :func:`chart_stations` chooses the stations that matter (those with a shortage, every one, none, or
a list). Figures are built without ``pyplot`` (no global figure registry), so writing thousands of charts does not
accumulate open figures.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

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


def _panel(ax, rows: pd.DataFrame, sectors: list[str]) -> None:
    rows = rows.sort_values("year")
    years = rows["year"].to_numpy(dtype=float)
    gap = float(np.min(np.diff(years))) if len(years) > 1 else 5.0
    width = 0.6 * gap
    bottom = rows["baseline_load_mw"].fillna(0.0).to_numpy(dtype=float)
    ax.bar(years, bottom, width=width, color=_BASELINE_COLOUR, label="Basislast", edgecolor="white", linewidth=0.5)
    for sector in sectors:
        values = rows[f"mw_{sector}"].to_numpy(dtype=float)
        ax.bar(years, values, width=width, bottom=bottom, color=SECTOR_COLOURS[sector],
               label=VALUE_LABELS["sector"][sector], edgecolor="white", linewidth=0.5)
        bottom = bottom + values
    capacity = rows["capacity_mw"].to_numpy(dtype=float)
    if np.isfinite(capacity).any():
        x = np.concatenate([[years[0] - gap / 2], years, [years[-1] + gap / 2]])
        y = np.concatenate([[capacity[0]], capacity, [capacity[-1]]])
        ax.plot(x, y, drawstyle="steps-mid", color=_CAPACITY_COLOUR, linewidth=2.2, label="Capaciteit")
    for year, cap, load, shortage, status in zip(years, capacity, bottom, rows["shortage_mw"], rows["status"],
                                                 strict=True):
        if status == "red":
            ax.annotate(f"tekort\n{format_number(shortage, 1, 'MW')}", (year, load), xytext=(0, 4), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8, color=_SHORTAGE_COLOUR, fontweight="bold")
        elif status == "amber":
            ax.annotate("krap", (year, max(load, cap if np.isfinite(cap) else 0.0)), xytext=(0, 3),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8, color=_AMBER_COLOUR)
        elif status == "unknown":
            ax.annotate("capaciteit\nonbekend", (year, load), xytext=(0, 4), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8, color="#555555")
    ax.set_xticks(years)
    ax.set_xticklabels([str(int(y)) for y in years])
    ax.set_xlim(years[0] - gap * 0.75, years[-1] + gap * 0.75)
    ax.set_xlabel("Jaar")
    ax.set_ylabel("Vermogen (MW)")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_number(value, 1, trim=True)))
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


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
    fig, axes = _new_figure(len(directions))
    _draw_station(fig, axes, _scenario_label(chosen, scenario_labels), rows, station_id, directions)
    if path is not None:
        _save(fig, path)
    return fig


def _scenario_label(name: str, labels: Mapping[str, str] | None) -> str:
    if labels and name in labels:
        return labels[name]
    builtin = BUILTIN_SCENARIOS.get(name)
    return builtin.label_nl if builtin is not None else name


def _directions(rows: pd.DataFrame, direction: str | None) -> list[str]:
    if direction is not None and direction not in _DIRECTION_NL:
        raise ValueError(f"direction must be 'offtake' or 'feedin', got {direction!r}.")
    return [direction] if direction is not None else [d for d in ("offtake", "feedin") if (rows["direction"] == d).any()]


def _new_figure(panels: int) -> tuple[Figure, np.ndarray]:
    fig = Figure(figsize=(5.2 * panels + 0.6, 4.8), layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.subplots(1, panels, sharey=True, squeeze=False)[0]


def _clear(fig: Figure, axes: np.ndarray) -> None:
    """Remove what one station drew (bars, lines, labels, legend), keeping the figure, its axes and their
    settings for the next station."""
    for legend in list(fig.legends):
        legend.remove()
    for ax in axes:
        for container in list(ax.containers):
            container.remove()
        for artist in [*ax.patches, *ax.lines, *ax.texts, *ax.collections]:
            artist.remove()
        ax.relim()


def _draw_station(fig: Figure, axes: np.ndarray, label: str, rows: pd.DataFrame, station_id: str,
                  directions: list[str]) -> None:
    sector_cols = [s for s in SECTORS if f"mw_{s}" in rows.columns]
    used = [s for s in sector_cols if rows[f"mw_{s}"].fillna(0).abs().sum() > 0]
    for ax, d in zip(axes, directions, strict=True):
        _panel(ax, rows.loc[rows["direction"] == d], used)
        ax.set_title(_DIRECTION_NL[d])
    shown = rows.loc[rows["direction"].isin(directions), ["load_mw", "capacity_mw"]].to_numpy(dtype=float)
    top = np.nanmax(np.append(shown.ravel(), 1.0))
    axes[0].set_ylim(0, top * 1.25)  # shared y axis: room above the tallest bar or line for the labels
    first = rows.iloc[0]
    name = first.get("station_name")
    level = first.get("level")
    title = f"{name} ({station_id})" if isinstance(name, str) and name and name != station_id else str(station_id)
    if isinstance(level, str) and level:
        title += f" – {level}"
    fig.suptitle(f"{title}\ncapaciteit en last, scenario {label}", fontsize=11)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 5), frameon=False, fontsize=8)


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
    figures: dict[int, tuple[Figure, np.ndarray]] = {}  # per process one figure per number of panels, redrawn

    def one(job: tuple[Path, str, pd.DataFrame, str]) -> bytes:
        _, sid, rows, label = job
        directions = _directions(rows, None)
        if len(directions) in figures:
            fig, axes = figures[len(directions)]
            _clear(fig, axes)
        else:
            fig, axes = figures.setdefault(len(directions), _new_figure(len(directions)))
        _draw_station(fig, axes, label, rows, sid, directions)
        return _png(fig)

    written = []
    pngs = yield Batch(one, jobs)
    for (path, *_), png in zip(jobs, pngs, strict=True):
        with atomic_write(path) as tmp:
            Path(tmp).write_bytes(png)
        written.append(path)
    return written
