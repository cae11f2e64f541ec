"""Station charts only where they matter (``chart_stations``), drawn on one reused figure (``write_station_charts``)
and chosen per run (``run``/``demo --grafieken``)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import energieplanologie as ep
from energieplanologie._errors import ConfigError
from energieplanologie.balance import station_balance
from energieplanologie.charts import _RememberedLayout, chart_stations, station_chart, write_station_charts


def test_shortage_stations_of_the_hand_case(hand_balance):
    # vastgesteld: only B is short (feed-in 10 MW on 8 MW, 2025 and 2030);
    # verwacht: B (2.25 MW in 2030) and C (offtake 13.5 on 10 MW in 2035, 3.5 MW).
    assert chart_stations(hand_balance) == ["B"]  # the first scenario of the balance
    assert chart_stations(hand_balance, scenario="verwacht") == ["B", "C"]
    assert chart_stations(hand_balance, scenario="verwacht", limit=1) == ["C"]  # 3.5 MW > 2.25 MW
    assert chart_stations(hand_balance, "all") == ["A", "B", "C"]
    assert chart_stations(hand_balance, "none") == []
    assert chart_stations(hand_balance, ["C", "A", "C"]) == ["C", "A"]


def test_unknown_choices_and_stations_are_named(hand_balance):
    with pytest.raises(ConfigError, match="station 'Z' komt niet voor"):
        chart_stations(hand_balance, ["A", "Z"])
    with pytest.raises(ConfigError, match="onbekende keuze voor de grafieken: 'sommige'"):
        chart_stations(hand_balance, "sommige")


def test_the_reused_figure_draws_the_same_png_as_a_new_figure_per_station(tmp_path: Path):
    # Two scenarios, stations with one and with two panels, shortages and none: each PNG written by
    # write_station_charts (one figure per panel count, redrawn per station) equals the one a fresh figure draws.
    balance = station_balance(ep.load_sample(), ["verwacht", "vastgesteld"])
    paths = write_station_charts(balance, tmp_path / "hergebruikt", scenario="vastgesteld")
    assert len(paths) == balance["station_id"].nunique() == 16
    for path in paths:
        fresh = tmp_path / f"nieuw_{path.name}"
        station_chart(balance, path.stem, scenario="vastgesteld", path=fresh)
        assert fresh.read_bytes() == path.read_bytes(), path.name


def test_a_chart_is_the_png_savefig_writes(tmp_path: Path):
    # The charts are drawn once (the canvas's print_png, whose draw runs the constrained layout) instead of
    # savefig's two draws; the file must be byte for byte what Figure.savefig(dpi=110) writes of the same
    # figure, for every sample station (one and two panels, with and without shortage labels).
    balance = station_balance(ep.load_sample(), ["verwacht"])
    paths = write_station_charts(balance, tmp_path, scenario="verwacht")
    assert len(paths) == 16
    for path in paths:
        buf = io.BytesIO()
        station_chart(balance, path.stem, scenario="verwacht").savefig(buf, dpi=110, format="png")
        assert path.read_bytes() == buf.getvalue(), path.name


def test_the_one_figure_does_not_keep_the_previous_station(tmp_path: Path, hand_balance):
    # C drawn after B must not carry B's bars or labels: the same bytes as C drawn alone.
    (b, c) = write_station_charts(hand_balance, tmp_path / "na", station_ids=["B", "C"], scenario="verwacht")
    (alone,) = write_station_charts(hand_balance, tmp_path / "alleen", station_ids=["C"], scenario="verwacht")
    assert c.read_bytes() == alone.read_bytes()
    assert b.read_bytes() != c.read_bytes()


def test_the_output_folder_has_charts_for_the_chosen_stations(tmp_path: Path, caplog):
    from energieplanologie.pipeline import analyse, chart_ids, write_outputs

    result = analyse(ep.load_sample())
    # The sample's shortages in the chosen scenario (verwacht): HST, SKL, TNZ and WDO.
    assert chart_ids(result) == ["HST", "SKL", "TNZ", "WDO"]
    written = write_outputs(result, tmp_path / "uit", pdf=False, charts=["TNZ"])
    charts = sorted(p.name for p in written if p.parent.name == "stationsgrafieken")
    assert charts == ["TNZ.png"]
    assert sorted(p.name for p in (tmp_path / "uit" / "stationsgrafieken").iterdir()) == ["TNZ.png"]
    written = write_outputs(result, tmp_path / "uit", pdf=False, charts="none")  # replaces the set as a whole
    assert not any(p.parent.name == "stationsgrafieken" for p in written)
    assert list((tmp_path / "uit" / "stationsgrafieken").iterdir()) == []


def test_more_shortages_than_the_limit_are_said(monkeypatch, caplog):
    import energieplanologie.charts as charts
    from energieplanologie.pipeline import analyse, chart_ids

    monkeypatch.setattr(charts, "SHORTAGE_CHART_LIMIT", 2)
    result = analyse(ep.load_sample())
    logger = logging.getLogger("energieplanologie")
    monkeypatch.setattr(logger, "propagate", True)
    with caplog.at_level(logging.WARNING, logger="energieplanologie"):
        ids = chart_ids(result)
    # The two largest shortages of verwacht: SKL 30.8 MW and TNZ 28.5 MW (HST 25.0, WDO 25.2 left out).
    assert ids == ["SKL", "TNZ"]
    assert "stationsgrafieken voor de 2 stations met het grootste tekort (van 4 met een tekort)" in caplog.text


def _drawn_with_ax_bar(balance: pd.DataFrame, station: str, scenario: str) -> bytes:
    """The chart as it was drawn before the bars were updated in place: a new figure, one ``ax.bar`` per layer,
    ``ax.plot`` for the capacity and the legend from ``get_legend_handles_labels`` (commit f073792)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    from energieplanologie.charts import SECTOR_COLOURS
    from energieplanologie.labels import VALUE_LABELS, format_number
    from energieplanologie.scenarios import BUILTIN_SCENARIOS
    from energieplanologie.schema import SECTORS

    rows = balance.loc[(balance["station_id"] == station) & (balance["scenario"] == scenario)]
    directions = [d for d in ("offtake", "feedin") if (rows["direction"] == d).any()]
    fig = Figure(figsize=(5.2 * len(directions) + 0.6, 4.8), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(directions), sharey=True, squeeze=False)[0]
    used = [s for s in SECTORS if f"mw_{s}" in rows.columns and rows[f"mw_{s}"].fillna(0).abs().sum() > 0]
    for ax, d in zip(axes, directions, strict=True):
        part = rows.loc[rows["direction"] == d].sort_values("year")
        years = part["year"].to_numpy(dtype=float)
        gap = float(np.min(np.diff(years))) if len(years) > 1 else 5.0
        bottom = part["baseline_load_mw"].fillna(0.0).to_numpy(dtype=float)
        ax.bar(years, bottom, width=0.6 * gap, color="#cfcfcf", label="Basislast", edgecolor="white", linewidth=0.5)
        for sector in used:
            values = part[f"mw_{sector}"].to_numpy(dtype=float)
            ax.bar(years, values, width=0.6 * gap, bottom=bottom, color=SECTOR_COLOURS[sector],
                   label=VALUE_LABELS["sector"][sector], edgecolor="white", linewidth=0.5)
            bottom = bottom + values
        capacity = part["capacity_mw"].to_numpy(dtype=float)
        if np.isfinite(capacity).any():
            ax.plot(np.concatenate([[years[0] - gap / 2], years, [years[-1] + gap / 2]]),
                    np.concatenate([[capacity[0]], capacity, [capacity[-1]]]), drawstyle="steps-mid",
                    color="#1a1a1a", linewidth=2.2, label="Capaciteit")
        for year, cap, load, shortage, status in zip(years, capacity, bottom, part["shortage_mw"], part["status"],
                                                     strict=True):
            if status == "red":
                ax.annotate(f"tekort\n{format_number(shortage, 1, 'MW')}", (year, load), xytext=(0, 4),
                            textcoords="offset points", ha="center", va="bottom", fontsize=8, color="#c0392b",
                            fontweight="bold")
            elif status == "amber":
                ax.annotate("krap", (year, max(load, cap if np.isfinite(cap) else 0.0)), xytext=(0, 3),
                            textcoords="offset points", ha="center", va="bottom", fontsize=8, color="#b9770e")
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
        ax.set_title(VALUE_LABELS["direction"][d])
    shown = rows[["load_mw", "capacity_mw"]].to_numpy(dtype=float)
    axes[0].set_ylim(0, np.nanmax(np.append(shown.ravel(), 1.0)) * 1.25)
    name, level = rows.iloc[0].get("station_name"), rows.iloc[0].get("level")
    title = f"{name} ({station})" if isinstance(name, str) and name and name != station else station
    title += f" – {level}" if isinstance(level, str) and level else ""
    fig.suptitle(f"{title}\ncapaciteit en last, scenario {BUILTIN_SCENARIOS[scenario].label_nl}", fontsize=11)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 5), frameon=False, fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, dpi=110, format="png")
    return buf.getvalue()


def test_the_charts_are_the_pngs_ax_bar_drew(tmp_path: Path, hand_balance):
    # The bars are rectangles kept per figure and moved, recoloured or hidden per station, not new ax.bar
    # containers; the capacity line and the legend likewise. Every PNG must stay byte for byte the one the old
    # drawing made in a fresh figure, for stations drawn one after another on the same figure: the sample's 16
    # (one and two panels, shortages, different sectors in use, so rows of bars added and hidden) and the hand
    # case's, B with one sector after C with several, then A with a station whose years differ in between.
    sample = station_balance(ep.load_sample(), ["verwacht"])
    paths = write_station_charts(sample, tmp_path / "monster", scenario="verwacht")
    assert len(paths) == 16
    for path in paths:
        assert path.read_bytes() == _drawn_with_ax_bar(sample, path.stem, "verwacht"), path.name
    fewer_years = hand_balance.loc[(hand_balance["station_id"] != "B") | (hand_balance["year"] < 2035)]
    paths = write_station_charts(fewer_years, tmp_path / "hand", station_ids=["C", "B", "A", "C"],
                                 scenario="verwacht")
    assert [p.name for p in paths] == ["C.png", "B.png", "A.png", "C.png"]
    drawn = {p.stem: p.read_bytes() for p in paths}
    for station in ("A", "B", "C"):
        assert drawn[station] == _drawn_with_ax_bar(fewer_years, station, "verwacht"), station


def test_bar_heights_and_width_are_the_ones_ax_bar_gives():
    # ax.bar converts heights as offsets from the first finite bottom (and the width from the first x), which
    # changes their last bits; the in-place bars use the same numbers (charts._stacked).
    from matplotlib.figure import Figure

    from energieplanologie.charts import _stacked

    ax = Figure().subplots()
    years = np.array([2025.0, 2030.0, 2035.0])
    bottom = np.array([np.nan, 12.3, 0.7])
    values = np.array([0.2, 0.1, 1e-9])
    bars = ax.bar(years, values, width=0.6 * 5.0, bottom=bottom)
    np.testing.assert_array_equal([r.get_height() for r in bars], _stacked(bottom, values))
    assert _stacked(bottom, values)[1] != 0.1  # (12.3 + 0.1) - 12.3: not 0.1 to the last bit
    assert [r.get_width() for r in bars] == [_stacked(years, np.array([0.6 * 5.0]))[0]] * 3
    assert [r.get_x() for r in bars] == (years - _stacked(years, np.array([0.6 * 5.0]))[0] / 2).tolist()


@pytest.fixture
def layouts(monkeypatch) -> list[int]:
    """Counts the full constrained layouts (the ones not placed from memory), drawing in this process."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    from energieplanologie._workers import WORKERS_ENV

    monkeypatch.setenv(WORKERS_ENV, "1")
    done: list[int] = []
    full = ConstrainedLayoutEngine.execute

    def counted(self, fig):
        done.append(1)
        return full(self, fig)

    monkeypatch.setattr(ConstrainedLayoutEngine, "execute", counted)
    return done


def test_the_layout_is_remembered_per_make_up_of_the_chart(tmp_path: Path, hand_balance, layouts):
    # C three times: one layout, then placed from memory. A's legend has two rows (capacity, baseline and four
    # sectors; C's four entries one row): laid out anew. B's legend (five entries) is one row and its widest y
    # tick label as wide as C's ("20"): placed where C was, as is C after them. Every PNG is the one of a fresh
    # figure (station_chart, plain constrained layout).
    ids = ["C", "C", "C", "A", "B", "C"]
    paths = write_station_charts(hand_balance, tmp_path / "na", station_ids=ids, scenario="verwacht")
    assert len(layouts) == 2
    for path in paths[-3:]:
        fresh = tmp_path / f"nieuw_{path.name}"
        station_chart(hand_balance, path.stem, scenario="verwacht", path=fresh)
        assert fresh.read_bytes() == path.read_bytes(), path.name
    assert len(layouts) == 5  # the three fresh figures: each its own layout
    assert not isinstance(station_chart(hand_balance, "C").get_layout_engine(), _RememberedLayout)


def test_a_text_outside_its_panel_is_laid_out_anew(layouts):
    # A label above the bars that sticks out of its panel widens the panel's outline; such a chart is neither
    # placed from memory nor remembered, and its PNGs are those of a plain constrained layout of the same figure
    # (whose result then also depends on where the panel stood before: constrained layout runs twice from there).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from energieplanologie.charts import _png

    def figure(engine) -> tuple[Figure, object]:
        fig = Figure(figsize=(4, 3), layout=engine)
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.set(xlim=(0, 1), ylim=(0, 1), title="Afname")
        return fig, ax

    pngs = {}
    for name, engine in (("onthouden", _RememberedLayout()), ("gewoon", "constrained")):
        fig, ax = figure(engine)
        inside = ax.annotate("binnen", (0.5, 0.5))
        first = _png(fig)
        inside.remove()
        ax.annotate("tekort\n12,3 MW, ver buiten", (0.98, 0.5))
        pngs[name] = [first, _png(fig), _png(fig)]
        if name == "onthouden":
            assert len(layouts) == 3  # the label outside: not placed from memory, nor remembered
    assert pngs["onthouden"] == pngs["gewoon"]
    assert len(set(pngs["gewoon"])) == 3
