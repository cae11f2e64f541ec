"""The full chain (``energieplanologie run``) on a synthetic national region: analyses, then every writer, timed.

Run from the repository root::

    .venv/bin/python benchmarks/bench_full_run.py --n 100000           # one size, prints the split
    .venv/bin/python benchmarks/run.py --sizes 100000 --only full_run  # as a row of the benchmark table
    .venv/bin/python benchmarks/run.py --full-run-sizes 100000 1000000 --only full_run

What it measures (one process, one run: the chain writes a whole folder, a best-of is not what a user sees):

* **analyses** — :func:`energieplanologie.pipeline.analyse` (allocation, balance of three scenarios, flex need,
  knooppunten through time, Gi* hexagons, density, afwegingskader) on
  :func:`energieplanologie.synthetic.synthetic_region` (seed 0, 5,000 stations, 4 years, 1 % polygons);
* **writing** — :func:`energieplanologie.pipeline.write_outputs` (defaults of ``run``: PDFs, station charts of the
  100 stations with the largest shortage, municipality pages and project sheets for every one up to 60 and beyond
  that on request, so none on this national region; ``--pages shortage --sheets top`` draws the 60 that matter
  most of each, as much as a province's run draws), each stage timed from the pipeline's own progress messages
  (see :func:`writers`). The GeoPackage, municipality pages, project sheets and station charts are made by one pool
  of worker processes (one per processor; ``--workers`` sets the number) while the main process writes the rest:
  the CPU seconds count the workers' too.

The target of issue 19: the run finishes and writing ÷ analyses ≤ 2. The output folder is checked to be
complete: every name of :data:`~energieplanologie.pipeline.OUTPUT_NAMES`, an overview page and PNG per chosen
municipality, a project sheet (HTML and PDF) per chosen project, the GeoPackage's layers.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import _harness as harness


#: The pipeline's progress message that starts each stage of writing (``pipeline._write_set``), and its name in the
#: table. The GeoPackage, pages, sheets and charts are made by one pool of worker processes from the end of
#: "preparing" on; meanwhile this process writes the balance CSVs, the density raster, the interactive map and the
#: project list; the last stage is what is left of the pool's work after that, written as it comes.
def writers() -> dict[str, str]:
    from energieplanologie.pipeline import PIECES, PREPARING

    return {
        "validatierapport": "validation report",
        PREPARING: "preparing pages, sheets, charts",
        "stationsbalans.csv": "balance CSVs (pool drawing)",
        "dichtheidskaart": "density GeoTIFF (pool drawing)",
        "interactieve kaart": "interactive map (pool drawing)",
        "projectenlijst": "project list (pool drawing)",
        PIECES: "GeoPackage + pages + sheets + charts (rest of the pool)",
    }


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the writers' worker processes)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _stage_timer() -> tuple[dict[str, float], object]:
    """A progress callback that charges the time between the writers' start messages to each writer (wall
    seconds, and the process's CPU seconds under ``<writer> (cpu)``: on a shared machine the CPU split is the
    steadier figure)."""
    times: dict[str, float] = {}
    stages = writers()
    state: dict = {"name": None, "t": time.perf_counter(), "cpu": _cpu()}

    def progress(fraction: float, message: str) -> None:
        if message in stages or message == "klaar":
            now, cpu = time.perf_counter(), _cpu()
            if state["name"] is not None:
                times[state["name"]] = times.get(state["name"], 0.0) + now - state["t"]
                key = f"{state['name']} (cpu)"
                times[key] = times.get(key, 0.0) + cpu - state["cpu"]
            state.update(name=stages.get(message), t=now, cpu=cpu)

    return times, progress


def check_folder(out: Path, result, pages: str = "auto", sheets: str = "auto") -> str:
    """What is missing from the output folder (empty when it is complete): the pages and sheets ``run`` chooses
    with these words (by default every one up to 60, beyond that none: ``pipeline.page_codes``/``sheet_ids``)."""
    import pyogrio

    from energieplanologie.pipeline import GPKG_NAME, OUTPUT_NAMES, gpkg_layers, page_codes, sheet_ids

    missing = [name for name in OUTPUT_NAMES if name != "stationsgrafieken" and not (out / name).exists()]
    codes, _ = page_codes(result, pages)
    missing += [f"gemeenten/{c}{ext}" for c in codes for ext in (".html", ".png")
                if not (out / "gemeenten" / f"{c}{ext}").exists()]
    missing += [] if (out / "gemeenten" / "index.html").exists() else ["gemeenten/index.html"]
    pids = sheet_ids(result, sheets)
    missing += [f"pmiek/fiches/{p}{ext}" for p in pids for ext in (".html", ".pdf")
                if not (out / "pmiek" / "fiches" / f"{p}{ext}").exists()]
    if (out / GPKG_NAME).exists():
        have = {name for name, _ in pyogrio.list_layers(out / GPKG_NAME)}
        missing += [f"{GPKG_NAME}:{name}" for name in gpkg_layers(result) if name not in have]
    return ", ".join(missing[:5]) + (f" … ({len(missing)} missing)" if len(missing) > 5 else "")


def full_run(n: int, *, seed: int = 0, out: Path | None = None, pieces: bool = True, pages: str = "auto",
             sheets: str = "auto") -> dict:
    """Generate a region of ``n`` developments, run the chain on it and return the split (seconds); ``pages`` and
    ``sheets`` as ``run --gemeenten --fiches`` (``"shortage"``, ``"top"``: sixty of each, as a province's run
    draws); without ``pieces`` no municipality pages, project sheets or station charts (``run --gemeenten geen
    --fiches geen --grafieken geen``)."""
    import logging

    from energieplanologie.pipeline import analyse, write_outputs
    from energieplanologie.synthetic import synthetic_region

    logging.getLogger("energieplanologie").setLevel(logging.ERROR)  # the 'charts for the 100 largest' notice
    t0 = time.perf_counter()
    settings = None
    if n == 0:  # the shipped sample, as ``demo`` runs it
        from energieplanologie.sample import load_sample, sample_settings

        region, settings = load_sample(), sample_settings()
    else:
        region = synthetic_region(n, seed=seed)
    generate = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), _cpu()
    result = analyse(region, settings=settings)
    analyses, analyses_cpu = time.perf_counter() - t0, _cpu() - c0
    times, progress = _stage_timer()
    with tempfile.TemporaryDirectory(prefix="bench_full_run_") as tmp:
        folder = out if out is not None else Path(tmp) / "uitvoer"
        t0, c0 = time.perf_counter(), _cpu()
        pages, sheets = (pages, sheets) if pieces else ("none", "none")
        written = write_outputs(result, folder, progress=progress, charts="shortage" if pieces else "none",
                                pages=pages, sheets=sheets)
        writing, writing_cpu = time.perf_counter() - t0, _cpu() - c0
        missing = check_folder(folder, result, pages, sheets)
        size_mb = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
        map_mb = (folder / "kaart.html").stat().st_size / 1e6 if (folder / "kaart.html").exists() else 0.0
    from energieplanologie.pipeline import page_codes, sheet_ids

    return {"generate_s": round(generate, 2), "analyses_s": round(analyses, 2), "writing_s": round(writing, 2),
            "analyses_cpu_s": round(analyses_cpu, 2), "writing_cpu_s": round(writing_cpu, 2),
            "writers_s": {k: round(v, 2) for k, v in times.items()}, "files": len(written),
            "folder_mb": round(size_mb, 1), "map_mb": round(map_mb, 1), "missing": missing, "developments": len(region.developments),
            "stations": len(region.stations), "municipalities": len(region.municipalities),
            "projects": len(result.assessment.table), "pages": len(page_codes(result, pages)[0]),
            "sheets": len(sheet_ids(result, sheets))}


def describe(r: dict) -> str:
    """One line for the benchmark table's note column."""
    ratio = r["writing_s"] / r["analyses_s"]
    cpu_ratio = r["writing_cpu_s"] / max(r["analyses_cpu_s"], 1e-9)
    walls = {k: v for k, v in r["writers_s"].items() if not k.endswith("(cpu)")}
    parts = ", ".join(f"{k} {v:.1f}" for k, v in sorted(walls.items(), key=lambda kv: -kv[1]))
    check = "folder complete" if not r["missing"] else f"MISSING {r['missing']}"
    chosen = (f"{r.get('pages', '?')} of {r['municipalities']} municipality pages, {r.get('sheets', '?')} of "
              f"{r['projects']} project sheets; ")
    return (f"{chosen}{r.get('workers', 1)} writer process(es); analyses {r['analyses_s']:.1f} s, writing {r['writing_s']:.1f} s (÷ {ratio:.2f}, CPU ÷ "
            f"{cpu_ratio:.2f}; target ≤ 2): {parts}; {r['files']:,} files, {r['folder_mb']:,.0f} MB (kaart.html "
            f"{r.get('map_mb', 0):,.0f} MB); {check}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="developments; 0: the shipped sample (as demo)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="keep the output folder here (default: a temporary one)")
    parser.add_argument("--emit", action="store_true", help="print an @@result line (benchmarks/run.py)")
    parser.add_argument("--workers", type=int, help="writer processes (ENERGIEPLANOLOGIE_WORKERS; default: one "
                                                    "per processor)")
    parser.add_argument("--no-pieces", action="store_true", help="without municipality pages, project sheets and "
                                                                      "station charts")
    parser.add_argument("--pages", default="auto", help="as run --gemeenten: auto, shortage (the 60 with the "
                                                          "largest shortage), all, none")
    parser.add_argument("--sheets", default="auto", help="as run --fiches: auto, top (the 60 ranked highest), all, "
                                                           "none")
    args = parser.parse_args(argv)
    if args.workers is not None:
        os.environ["ENERGIEPLANOLOGIE_WORKERS"] = str(args.workers)
    r = full_run(args.n, seed=args.seed, out=args.out, pieces=not args.no_pieces, pages=args.pages,
                 sheets=args.sheets)
    r["seconds"] = round(r["analyses_s"] + r["writing_s"], 2)
    from energieplanologie._workers import worker_count

    r["workers"] = worker_count(10**6)
    r["note"] = describe(r)
    if args.emit:
        harness.emit(r)
    else:
        print(f"{r['developments']:,} developments (made in {r['generate_s']:.1f} s): {r['note']}; "
              f"peak RSS {harness.peak_rss_mb():,.0f} MB")
    return 0 if not r["missing"] else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
