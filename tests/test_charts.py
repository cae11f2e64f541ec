"""Station charts only where they matter (``chart_stations``), drawn on one reused figure (``write_station_charts``)
and chosen per run (``run``/``demo --grafieken``)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

import energieplanologie as ep
from energieplanologie._errors import ConfigError
from energieplanologie.balance import station_balance
from energieplanologie.charts import chart_stations, station_chart, write_station_charts


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
