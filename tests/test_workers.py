"""The writers' process pool (energieplanologie._workers): order, errors, the environment setting, and that the
files a pool writes are the same bytes as those one process writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from energieplanologie._errors import EnergieplanologieError
from energieplanologie._workers import WORKERS_ENV, map_ordered, worker_count


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def test_results_come_back_in_the_items_order_from_other_processes():
    big = list(range(1000))  # a closure over data the workers only inherit (never pickled to them)
    out = list(map_ordered(lambda i: (os.getpid(), big[i] * big[i]), list(range(20)), workers=2))
    # 0², 1², …, 19² in order, whichever worker made which
    assert [sq for _, sq in out] == [i * i for i in range(20)]
    assert os.getpid() not in {pid for pid, _ in out}  # made in the pool, not here


def test_one_worker_runs_here():
    out = list(map_ordered(_pid_and_square, [3, 4], workers=1))
    assert out == [(os.getpid(), 9), (os.getpid(), 16)]


def test_an_error_in_a_worker_is_raised_here_with_its_dutch_message():
    def fail_on_two(x: int) -> int:
        if x == 2:
            raise EnergieplanologieError("gemeente 2 kan niet worden getekend")
        return x

    with pytest.raises(EnergieplanologieError, match="gemeente 2 kan niet"):
        list(map_ordered(fail_on_two, [1, 2, 3], workers=2))


def test_a_map_inside_a_worker_runs_in_that_worker():
    # no pool in a pool: the inner map runs in the worker's own process
    out = list(map_ordered(lambda x: [pid for pid, _ in map_ordered(_pid_and_square, [x, x])], [1, 2], workers=2))
    assert all(len(set(pids)) == 1 for pids in out)


def test_worker_count_follows_the_environment(monkeypatch, caplog):
    monkeypatch.setenv(WORKERS_ENV, "1")
    assert worker_count(50) == 1
    monkeypatch.setenv(WORKERS_ENV, "3")
    assert worker_count(50) == 3
    assert worker_count(2) == 2  # never more processes than items
    assert worker_count(1) == 1
    monkeypatch.setenv(WORKERS_ENV, "veel")  # not a number: no pool rather than a traceback, and a Dutch warning
    with caplog.at_level("WARNING", logger="energieplanologie"):
        assert worker_count(50) == 1
    assert "ENERGIEPLANOLOGIE_WORKERS=veel is geen geheel getal" in caplog.text


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_overviews_and_sheets_from_a_pool_are_the_bytes_of_one_process(tmp_path, monkeypatch):
    import energieplanologie as ep
    from energieplanologie.assessment import score_projects
    from energieplanologie.overview import write_overviews
    from energieplanologie.pmiek import write_project_sheets

    region = ep.load_sample()
    alloc = ep.allocate_region(region)
    bal = ep.station_balance(region, allocation=alloc, scenario="verwacht")
    assessment = score_projects(region, n_perturbations=50)
    folders = {}
    for workers in ("1", "2"):
        monkeypatch.setenv(WORKERS_ENV, workers)
        out = tmp_path / f"w{workers}"
        messages: list[str] = []
        write_overviews(region, out / "gemeenten", balance=bal, allocation=alloc, interactive=False,
                        tables_json=True, progress=lambda f, m, seen=messages: seen.append(m))
        write_project_sheets(assessment, region, out / "pmiek", pdf=True, pdf_engine="auto")
        folders[workers] = (_files(out), messages)
    one, pool = folders["1"], folders["2"]
    # the sample's 3 municipalities × (PNG, HTML, JSON) + index, and per project an HTML and a PDF sheet
    assert len([n for n in one[0] if n.startswith("gemeenten/")]) == 3 * 3 + 1
    assert one[0].keys() == pool[0].keys()
    assert [n for n in one[0] if one[0][n] != pool[0][n]] == []
    assert one[1] == pool[1]  # the same progress messages, in the same order


def test_station_charts_from_a_pool_are_the_bytes_of_one_process(tmp_path, monkeypatch):
    # every station of the sample (16; one- and two-panel charts), so that each worker redraws a figure it
    # drew before for another station, in an order that is not that of one process
    import energieplanologie as ep
    from energieplanologie.charts import write_station_charts

    region = ep.load_sample()
    bal = ep.station_balance(region, scenario="verwacht")
    made = {}
    for workers in ("1", "2"):
        monkeypatch.setenv(WORKERS_ENV, workers)
        paths = write_station_charts(bal, tmp_path / f"w{workers}")
        made[workers] = [(p.name, p.read_bytes()) for p in paths]
    assert len(made["1"]) == len(region.stations) == 16
    assert [n for n, _ in made["1"]] == [n for n, _ in made["2"]]
    assert [n for (n, a), (_, b) in zip(made["1"], made["2"], strict=True) if a != b] == []
