"""The writers' process pool (energieplanologie._workers): order, errors, the environment setting, and that the
files a pool writes are the same bytes as those one process writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from energieplanologie._errors import EnergieplanologieError
from energieplanologie._workers import WORKERS_ENV, Batch, in_background, map_ordered, run_plans, worker_count


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


def _squares_plan(items: list[int], log: list[str], name: str, read: int | None = None):
    # a writer in miniature: prepares (here), yields its pieces, writes (here) what comes back in order
    log.append(f"{name} voorbereid")
    results = yield Batch(lambda x: (os.getpid(), x * x), items)
    got = [next(results) for _ in range(len(items) if read is None else read)]
    log.append(f"{name} klaar")
    return got


def _no_batch_plan(log: list[str]):
    log.append("zonder stukken")
    return "direct"
    yield  # a generator that returns before yielding: a writer with nothing to hand out


def test_plans_share_one_pool_and_finish_in_order_while_this_process_does_the_rest():
    log: list[str] = []
    plans = [_squares_plan([1, 2, 3], log, "a"), _no_batch_plan(log), _squares_plan([4, 5, 6, 7], log, "b")]
    values, other = run_plans(plans, meanwhile=lambda: (log.append("ondertussen"), os.getpid())[1], workers=2)
    a, direct, b = values
    assert [sq for _, sq in a] == [1, 4, 9] and [sq for _, sq in b] == [16, 25, 36, 49]
    assert direct == "direct"
    # every preparation first (in this process, in order), then this process's own work, then the finishes
    assert log == ["a voorbereid", "zonder stukken", "b voorbereid", "ondertussen", "a klaar", "b klaar"]
    assert other == os.getpid()
    pids = {pid for pid, _ in a + b}
    assert os.getpid() not in pids
    assert len(pids) <= 2  # ONE pool of two for both writers' seven pieces (a pool each could show four)


def test_a_single_piece_beside_this_processs_own_work_gets_a_worker(monkeypatch):
    # the GeoPackage is one piece: written by a worker while this process writes the map, not after it
    monkeypatch.setenv(WORKERS_ENV, "2")
    log: list[str] = []
    values, other = run_plans([_squares_plan([3], log, "a")], meanwhile=os.getpid)
    [(pid, square)] = values[0]
    assert square == 9 and other == os.getpid() and pid != os.getpid()
    # without this process's own work, one piece is done here (no pool for nothing to overlap)
    values, _ = run_plans([_squares_plan([4], log, "b")])
    assert values[0] == [(os.getpid(), 16)]


def _killed_worker(x: int) -> int:
    import signal

    if x == 2:
        os.kill(os.getpid(), signal.SIGKILL)  # as the system's out-of-memory killer would
    return x


def test_a_worker_that_is_killed_stops_the_work_with_a_dutch_message_instead_of_waiting_for_ever():
    # multiprocessing's pool replaces a killed worker but loses its piece: without a check the run hung for ever
    with pytest.raises(EnergieplanologieError, match=r"een werkproces is onverwacht gestopt \(afsluitcode -9"):
        list(map_ordered(_killed_worker, [1, 2, 3, 4], workers=2))

    def plan():
        results = yield Batch(_killed_worker, [1, 2, 3])
        return list(results)

    with pytest.raises(EnergieplanologieError, match="ENERGIEPLANOLOGIE_WORKERS=1"):
        run_plans([plan()], meanwhile=lambda: None, workers=2)
    with pytest.raises(EnergieplanologieError, match="onverwacht gestopt"):
        in_background(lambda: _killed_worker(2)).result()
    assert [x for x in map_ordered(_killed_worker, [1, 3], workers=2)] == [1, 3]  # and the next pool works


def test_plans_without_a_pool_give_the_same_values_here():
    log: list[str] = []
    values, other = run_plans([_squares_plan([2, 3], log, "a"), _squares_plan([5], log, "b")], workers=1)
    assert values == [[(os.getpid(), 4), (os.getpid(), 9)], [(os.getpid(), 25)]]
    assert other is None


def test_what_a_plan_leaves_unread_is_not_given_to_the_next():
    log: list[str] = []
    values, _ = run_plans([_squares_plan([1, 2, 3], log, "a", read=1), _squares_plan([10, 20], log, "b")], workers=2)
    assert [sq for _, sq in values[0]] == [1]
    assert [sq for _, sq in values[1]] == [100, 400]  # not 4 and 9, which "a" left


def test_an_error_in_a_plans_piece_is_raised_here():
    def plan():
        yield Batch(lambda x: 1 // x, [1, 0, 2])

    with pytest.raises(ZeroDivisionError):
        run_plans([plan()], workers=2)


def test_work_in_the_background_runs_in_another_process_and_gives_its_value():
    big = list(range(100))  # inherited through the fork, not pickled
    with in_background(lambda: (os.getpid(), sum(big))) as job:
        here = sum(range(10))
        pid, total = job.result()
    assert (here, total) == (45, 4950)
    assert pid != os.getpid()


def test_work_in_the_background_without_a_second_process_runs_here(monkeypatch):
    monkeypatch.setenv(WORKERS_ENV, "1")
    with in_background(lambda: os.getpid()) as job:
        assert job.result() == os.getpid()


def test_an_error_in_the_background_is_raised_by_result():
    def fail() -> int:
        raise EnergieplanologieError("Gi* kan niet worden berekend")

    with in_background(fail) as job, pytest.raises(EnergieplanologieError, match="Gi\\* kan niet"):
        job.result()


def test_leaving_the_block_early_stops_the_background_process(tmp_path):
    import time

    marker = tmp_path / "klaar"

    def slow() -> None:
        time.sleep(1.5)
        marker.write_text("geschreven")

    with pytest.raises(ValueError), in_background(slow):
        raise ValueError("fout in het hoofdproces")
    time.sleep(2.5)  # longer than the work would have taken: it was stopped, so it never wrote
    assert not marker.exists()


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


def test_the_pipeline_with_one_pool_and_gi_star_beside_it_writes_the_bytes_of_one_process(tmp_path, monkeypatch):
    # run_pipeline: Gi* in a background process during the analyses, then the GeoPackage, charts, pages and sheets
    # in one shared pool while this process writes the map and the list; against everything in one process
    import energieplanologie as ep
    from energieplanologie.pipeline import run_pipeline

    monkeypatch.setenv("OGR_CURRENT_DATE", "2026-01-01T00:00:00.000Z")  # GDAL's and the provenance's timestamps
    outs = {}
    for workers in ("1", "2"):
        monkeypatch.setenv(WORKERS_ENV, workers)
        outs[workers] = tmp_path / f"w{workers}"
        written = run_pipeline(ep.load_sample(), outs[workers], settings=ep.sample_settings(), pdf=False)
        assert len(written) == len(set(written)) == len(_files(outs[workers]))  # every file once, none unlisted
    one, pool = _files(outs["1"]), _files(outs["2"])
    assert one.keys() == pool.keys()
    assert "gemeenten/GM0715.html" in one and "pmiek/fiches/P01.html" in one and "kaart.html" in one
    assert [n for n in one if one[n] != pool[n]] == []  # the GeoPackage too, its timestamps fixed


def test_an_error_that_cannot_travel_back_arrives_with_its_message_instead_of_hanging():
    # UnusableLayerError wants its layers as a second argument: rebuilt from its message alone it would fail in
    # the parent's result thread, and the pool would wait for ever; it arrives as its parent class
    from energieplanologie._errors import UnusableLayerError, ValidationError

    def unusable(x: int) -> int:
        raise UnusableLayerError(f"laag {x} is onbruikbaar", {"stations": ("a", "b")})

    with pytest.raises(ValidationError, match="laag 1 is onbruikbaar"):
        list(map_ordered(unusable, [1, 2], workers=2))

    def plan():
        results = yield Batch(unusable, [3, 5])
        return list(results)

    with pytest.raises(EnergieplanologieError, match="laag 3 is onbruikbaar"):
        run_plans([plan()], workers=2)
    with in_background(lambda: unusable(4)) as job, pytest.raises(EnergieplanologieError, match="laag 4"):
        job.result()
