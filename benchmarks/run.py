"""All benchmarks in one run, one table: every analysis against its raw kernel, the naive way, QGIS and dask.

Run from the repository root (≈ 30 min for 10⁴, 10⁵, 10⁶ with QGIS on the project machine)::

    .venv/bin/python benchmarks/run.py --markdown --json benchmarks/results.json
    .venv/bin/python benchmarks/run.py --sizes 10000 100000 --skip-qgis        # a quick look
    .venv/bin/python benchmarks/run.py --sizes 1000 --only qgis_roundtrip      # the sample's QGIS round trip

``--sample`` (default) first runs every path on the shipped sample region (Zeeuws-Vlaanderen, 60 developments)
and the *QGIS round trip* (``bench_qgis_roundtrip.py``: ``processing.run`` of station balance on the sample, cold
and with the warm engine, against the engine's own time for the call).
    .venv/bin/python benchmarks/run.py --sizes 1000000 --dask-10m               # plus the dask path at 10⁷
    .venv/bin/python benchmarks/run.py --sizes 1000 --only full_run --full-run-sizes 100000 1000000

The *full chain (run)* row (``bench_full_run.py``, ``--full-run-sizes``, default 10⁵): the analyses of
``energieplanologie run`` and then every writer on a synthetic region, timed per writer, with writing ÷ analyses
(target ≤ 2) and a check that the output folder is complete.

For each size one synthetic national region is generated (:func:`energieplanologie.synthetic.synthetic_region`,
seed 0: 5,000 stations, 4 years, 1 % polygons) and written to a temporary folder. Then every path runs in a fresh
process of its own, so its peak resident memory (``ru_maxrss``) is its own; times are the best of ``--repeat``
runs inside that process (one run for the slow baselines at 10⁶). ``÷ ours`` is the path's time divided by ours:
above 1 ours is faster.

allocation + balance (3 scenarios, 4 years, every station; see ``bench_balance.py``)
    * **ours** — :func:`station_balance` (allocation by carrier and size class, polygons divided over service
      areas, the whole ledger and its table);
    * **kernel** — the floor: ``cKDTree`` nearest station of every point (points prepared before the clock, best
      of 1 and 2 threads) + one ``bincount`` per scenario and direction;
    * **naive** — ``geopandas.sjoin_nearest`` + pandas ``groupby`` building the same ledger as ours (every station,
      year, direction and scenario, with capacity, status and MW per sector);
    * **naive, sums only** — the naive path as issue 19 first measured it: ``sjoin_nearest`` + the weighted MW
      summed per station that received developments (no capacity, status, sectors or ledger);
    * **QGIS** — ``native:joinbynearest`` (the developments' points to the nearest station; QGIS has no balance);
    * **dask** — ``station_balance(..., engine="dask")`` on a ``LocalCluster`` of 2 worker processes holding the
      developments (sent once, before the clock: ``partition_region``), and on dask's local threads.

DBSCAN (the developments' points, unweighted, ``--eps`` m, ``--min-samples``; see ``bench_hotspots.py``)
    * **ours** — :func:`energieplanologie.clustering.grid_dbscan`;
    * **kernel** — scikit-learn's ``DBSCAN`` (the reference semantics), and a KD-tree DBSCAN (every pair within
      eps from ``cKDTree.query_pairs``, then connected components: ``grid_dbscan(algorithm="pairs")``); both keep
      all neighbour pairs in memory and run under ``--mem-gb``;
    * **naive** — geopandas: ``sjoin(predicate="dwithin")`` for the pairs, ``groupby`` counts, connected
      components (under ``--mem-gb``);
    * **QGIS** — ``native:dbscanclustering`` in-process on a memory layer;
    * **dask** — :func:`energieplanologie.distributed.dask_dbscan` (tiles with halos) on 2 worker processes.
    Labels are checked against ours (identical for scikit-learn and the KD-tree DBSCAN; same clusters for QGIS).

hotspots end to end (developments GeoPackage → knooppunten with statistics; the same work on both sides: the file
read inside the clock, no validation — QGIS does none; ours is timed apart —, no station allocation — QGIS does
none; the pipeline computes it once for the balance and hands it on, so it is computed before the clock)
    * **ours** — ``pyogrio.read_dataframe`` (Arrow) → ``Region.from_layers`` → ``detect_hotspots`` (weighted
      DBSCAN, ``--eps`` m, ``--min-mw``, the pipeline's allocation);
    * **QGIS** — load → ``native:pointonsurface`` → ``native:dbscanclustering`` → ``native:extractbyexpression``
      → ``native:aggregate`` → ``native:convexhull`` → ``native:buffer`` (memory layers).

density (quartic kernel, 250 m cells, 2 km bandwidth, scenario-weighted MW of 2040)
    * **ours** — :func:`energieplanologie.density.kde`;
    * **kernel** — the same points binned with ``np.bincount`` and convolved with ``scipy.signal.fftconvolve``;
    * **naive** — a direct sum: every point adds its kernel to the cells within the bandwidth (numpy, chunked);
    * **QGIS** — ``qgis:heatmapkerneldensityestimation`` (quartic, weight field, raw values) to a GeoTIFF;
    * **dask** — ``kde(..., engine="dask")`` on 2 worker processes holding the developments.

With ``--dask-10m`` one more process generates 10⁷ developments and runs the balance, DBSCAN and density in memory
and with ``engine="dask"`` on a ``LocalCluster`` of 2 workers in that process (threads: no copy of the 6 GB
region), reporting its peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _harness as harness

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]
QGIS_PYTHON = "/usr/bin/python3"
SCENARIOS = ("vastgesteld", "verwacht", "maximaal")
CELL_M, BANDWIDTH_M = 250.0, 2000.0
#: ``--sizes 0`` (and ``--sample``): the shipped sample region Zeeuws-Vlaanderen instead of a synthetic one.
SAMPLE_N = 0


# ----------------------------------------------------------------------------------------------------------------
# helpers for every interpreter (stdlib only)










# ----------------------------------------------------------------------------------------------------------------
# preparing a size (engine Python)


def _prepare(wd: Path, n: int, seed: int) -> None:
    import numpy as np
    import pyogrio
    import shapely

    from energieplanologie._geometry import representative_xy
    from energieplanologie.hotspots import weighted_points
    from energieplanologie.synthetic import synthetic_region

    if n == SAMPLE_N:
        from energieplanologie.sample import load_sample

        region = load_sample()
    else:
        region = synthetic_region(n, seed=seed)
    with open(wd / "region.pkl", "wb") as fh:
        pickle.dump(region, fh, protocol=pickle.HIGHEST_PROTOCOL)
    pyogrio.write_dataframe(region.developments.drop(columns=["source_row"]), wd / "ontwikkelingen.gpkg",
                            layer="ontwikkelingen")
    np.save(wd / "points.npy", representative_xy(np.asarray(region.developments.geometry.values)))
    st = region.stations
    np.save(wd / "stations.npy", shapely.get_coordinates(np.asarray(st.geometry.values)))
    pts = weighted_points(region, "verwacht", max(region.years))
    np.save(wd / "kde_points.npy", pts[["x", "y", "weight_mw"]].to_numpy())
    others = {k: getattr(region, k) for k in ("municipalities", "stations", "station_capacity", "infrastructure")}
    others["years"] = region.years
    with open(wd / "layers.pkl", "wb") as fh:
        pickle.dump(others, fh, protocol=pickle.HIGHEST_PROTOCOL)
    harness.emit({"polygons": int((region.developments.geometry.geom_type != "Point").sum()),
           "stations": len(st), "developments": len(region.developments)})


def _region(wd: Path):
    with open(wd / "region.pkl", "rb") as fh:
        return pickle.load(fh)


def _cluster(processes: bool = True):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=processes, dashboard_address=":0",
                           memory_limit="8GB", silence_logs=50)
    return cluster, Client(cluster)


def _workers_rss_mb(client) -> float:
    """Peak RSS of the worker processes, summed (for processes=True)."""
    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    return round(float(sum(peaks.values())), 1)


# ----------------------------------------------------------------------------------------------------------------
# allocation + balance


def _balance_ours(wd: Path, repeat: int) -> None:
    import time as _t

    from energieplanologie.balance import station_balance

    region = _region(wd)
    cpu0 = _t.process_time()
    seconds, bal = harness.best(lambda: station_balance(region, list(SCENARIOS)), repeat)
    cpu = (_t.process_time() - cpu0) / max(1, repeat)
    bal.to_pickle(wd / "balance_ours.pkl")
    harness.emit({"seconds": seconds, "cpu_mean_s": round(cpu, 3), "rows": len(bal)})


def _balance_kernel(wd: Path, repeat: int) -> None:
    sys.path.insert(0, str(HERE.parent))
    import bench_balance as bb

    region = _region(wd)
    inp = bb.floor_inputs(region)
    one, _ = harness.best(lambda: bb.run_floor(inp, 1), repeat)
    two, _ = harness.best(lambda: bb.run_floor(inp, -1), repeat)
    coords, _ = harness.best(lambda: bb.run_floor(inp, -1, __import__("numpy").asarray(region.developments.geometry.values)),
                      repeat)
    harness.emit({"seconds": min(one, two), "note": f"1 thread {one:.3f} s, 2 threads {two:.3f} s; with point "
                                              f"extraction {coords:.3f} s"})


def _balance_naive(wd: Path, repeat: int) -> None:
    sys.path.insert(0, str(HERE.parent))
    import bench_balance as bb

    region = _region(wd)
    seconds, _ = harness.best(lambda: bb.run_naive(region), repeat)
    harness.emit({"seconds": seconds})


def _balance_naive_sums(wd: Path, repeat: int) -> None:
    sys.path.insert(0, str(HERE.parent))
    import bench_balance as bb

    region = _region(wd)
    seconds, _ = harness.best(lambda: bb.run_naive_sums(region), repeat)
    harness.emit({"seconds": seconds, "note": "sums per station that received developments only: no ledger"})


def _check_balance(wd: Path, got) -> str:
    import numpy as np
    import pandas as pd

    path = wd / "balance_ours.pkl"
    if not path.exists():
        return ""
    want = pd.read_pickle(path)
    same_text = all(want[c].equals(got[c]) for c in ("station_id", "scenario", "status", "first_shortage_year"))
    close = np.allclose(want["load_mw"].to_numpy(), got["load_mw"].to_numpy(), rtol=1e-12, atol=1e-9,
                        equal_nan=True)
    return "equal to ours (MW to 1e-12)" if same_text and close else "DIFFERS FROM OURS"


def _balance_dask(wd: Path, repeat: int) -> None:
    from energieplanologie.balance import station_balance
    from energieplanologie.distributed import partition_region

    region = _region(wd)
    cluster, client = _cluster()
    with cluster, client:
        t0 = time.perf_counter()
        parted = partition_region(region, client=client)
        parted.developments.npartitions  # noqa: B018
        load = time.perf_counter() - t0
        seconds, bal = harness.best(lambda: station_balance(parted, list(SCENARIOS), engine="dask", client=client), repeat)
        workers = _workers_rss_mb(client)
    harness.emit({"seconds": seconds, "check": _check_balance(wd, bal),
           "note": f"developments to the workers {load:.2f} s (once); workers' peak RSS {workers:,.0f} MB",
           "workers_rss_mb": workers})


def _balance_dask_threads(wd: Path, repeat: int) -> None:
    from energieplanologie.balance import station_balance

    region = _region(wd)
    seconds, bal = harness.best(lambda: station_balance(region, list(SCENARIOS), engine="dask"), repeat)
    harness.emit({"seconds": seconds, "check": _check_balance(wd, bal)})


# ----------------------------------------------------------------------------------------------------------------
# DBSCAN


def _points(wd: Path):
    import numpy as np

    return np.load(wd / "points.npy")


def _dbscan_ours(wd: Path, repeat: int, eps: float, min_samples: int) -> None:
    import numpy as np

    from energieplanologie.clustering import grid_dbscan

    xy = _points(wd)
    seconds, res = harness.best(lambda: grid_dbscan(xy, eps=eps, min_samples=min_samples), repeat)
    np.save(wd / "labels_ours.npy", res.labels)
    np.save(wd / "core_ours.npy", res.core)
    harness.emit({"seconds": seconds, "clusters": int(res.labels.max() + 1)})


def _check_labels(wd: Path, labels, name: str) -> str:
    import numpy as np

    path = wd / "labels_ours.npy"
    if not path.exists():
        return ""
    np.save(wd / f"labels_{name}.npy", labels)
    return "labels identical to ours" if np.array_equal(np.load(path), labels) else "LABELS DIFFER"




def _dbscan_sklearn(wd: Path, repeat: int, eps: float, min_samples: int, mem_gb: float) -> None:
    harness.cap_memory(mem_gb)
    from sklearn.cluster import DBSCAN

    xy = _points(wd)
    seconds, labels = harness.best(lambda: DBSCAN(eps=eps, min_samples=min_samples).fit(xy).labels_, repeat)
    harness.emit({"seconds": seconds, "check": _check_labels(wd, labels, "sklearn")})


def _dbscan_kdtree(wd: Path, repeat: int, eps: float, min_samples: int, mem_gb: float) -> None:
    harness.cap_memory(mem_gb)
    from energieplanologie.clustering import grid_dbscan

    xy = _points(wd)
    seconds, res = harness.best(lambda: grid_dbscan(xy, eps=eps, min_samples=min_samples, algorithm="pairs"), repeat)
    harness.emit({"seconds": seconds, "check": _check_labels(wd, res.labels, "kdtree")})


def _naive_dbscan(xy, eps: float, min_samples: int):
    """DBSCAN the geopandas way: neighbour pairs from a spatial join, counts from groupby, components from scipy."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:28992")
    pairs = gpd.sjoin(pts, pts, predicate="dwithin", distance=eps)  # includes each point with itself
    left = pairs.index.to_numpy()
    right = pairs["index_right"].to_numpy()
    core = pd.Series(left).groupby(left).size().reindex(range(len(xy)), fill_value=0).to_numpy() >= min_samples
    both = core[left] & core[right]
    graph = coo_array((np.ones(int(both.sum())), (left[both], right[both])), shape=(len(xy), len(xy)))
    _, comp = connected_components(graph, directed=False)
    labels = np.where(core, comp, -1)
    border = ~core[left] & core[right]
    first = pd.Series(comp[right[border]]).groupby(left[border]).min()
    labels[first.index.to_numpy()] = first.to_numpy()
    return labels


def _dbscan_naive(wd: Path, repeat: int, eps: float, min_samples: int, mem_gb: float) -> None:
    import numpy as np

    harness.cap_memory(mem_gb)
    xy = _points(wd)
    seconds, labels = harness.best(lambda: _naive_dbscan(xy, eps, min_samples), repeat)
    ours = np.load(wd / "labels_ours.npy") if (wd / "labels_ours.npy").exists() else None
    # Component ids are not DBSCAN's numbering, and a border point between two clusters may join either one:
    # compare the clustering of the core points and the noise.
    check = ""
    if ours is not None:
        core = np.load(wd / "core_ours.npy")
        ok = np.array_equal(labels >= 0, ours >= 0) and harness.same_partition(ours[core], labels[core])
        check = "same clusters (core points), same noise" if ok else "CLUSTERS DIFFER"
    harness.emit({"seconds": seconds, "check": check})


def _dbscan_dask(wd: Path, repeat: int, eps: float, min_samples: int) -> None:
    from energieplanologie.distributed import dask_dbscan

    xy = _points(wd)
    cluster, client = _cluster()
    with cluster, client:
        seconds, res = harness.best(lambda: dask_dbscan(xy, eps=eps, min_samples=min_samples, client=client), repeat)
        workers = _workers_rss_mb(client)
    harness.emit({"seconds": seconds, "check": _check_labels(wd, res.labels, "dask"),
           "note": f"points sent to the tiles inside the clock; workers' peak RSS {workers:,.0f} MB",
           "workers_rss_mb": workers})


def _hotspots_e2e_ours(wd: Path, repeat: int, eps: float, min_mw: float) -> None:
    """The same work as the QGIS model: read the GeoPackage inside the clock, no validation (timed apart), the
    allocation the pipeline computed once for the balance handed in (computed here before the clock); see
    ``bench_hotspots.py``."""
    import pyogrio

    from energieplanologie.allocation import allocate_region
    from energieplanologie.hotspots import detect_hotspots
    from energieplanologie.io import read_layer
    from energieplanologie.region import Region

    with open(wd / "layers.pkl", "rb") as fh:
        others = pickle.load(fh)
    years = others.pop("years")
    allocation = allocate_region(_region(wd))
    parts: dict[str, float] = {}

    def run():
        t0 = time.perf_counter()
        developments = pyogrio.read_dataframe(wd / "ontwikkelingen.gpkg", layer="ontwikkelingen", use_arrow=True)
        t1 = time.perf_counter()
        region = Region.from_layers(name="bench", developments=developments, validated=True, years=years, **others)
        t2 = time.perf_counter()
        hs = detect_hotspots(region, eps_m=eps, min_mw=min_mw, allocation=allocation).hotspots
        t3 = time.perf_counter()
        if not parts or t3 - t0 < sum(parts.values()):
            parts.update(read=t1 - t0, region=t2 - t1, detect=t3 - t2)
        return hs

    seconds, hotspots = harness.best(run, repeat)
    t0 = time.perf_counter()
    read_layer(wd / "ontwikkelingen.gpkg", "developments", layer="ontwikkelingen")
    validated = time.perf_counter() - t0
    harness.emit({"seconds": seconds, "note": f"{len(hotspots)} knooppunten; read {parts['read']:.2f} s, "
                                              f"region {parts['region']:.2f} s, detect {parts['detect']:.2f} s; "
                                              f"(not timed: read_layer with validation {validated:.2f} s)"})


# ----------------------------------------------------------------------------------------------------------------
# density


def _kde_ours(wd: Path, repeat: int) -> None:
    import numpy as np

    from energieplanologie.density import kde

    region = _region(wd)
    seconds, (array, transform) = harness.best(lambda: kde(region, cell_m=CELL_M, bandwidth_m=BANDWIDTH_M), repeat)
    np.save(wd / "kde_ours.npy", array)
    with open(wd / "kde_grid.json", "w") as fh:
        json.dump({"west": transform.c, "north": transform.f, "rows": array.shape[0], "cols": array.shape[1]}, fh)
    harness.emit({"seconds": seconds, "note": f"{array.shape[0]} × {array.shape[1]} cells"})


def _kde_grid(wd: Path):
    with open(wd / "kde_grid.json") as fh:
        return json.load(fh)


def _kde_kernel(wd: Path, repeat: int) -> None:
    import numpy as np
    from scipy.signal import fftconvolve

    from energieplanologie.density import quartic_kernel

    p = np.load(wd / "kde_points.npy")
    g = _kde_grid(wd)
    kernel = quartic_kernel(CELL_M, BANDWIDTH_M)

    def run():
        col = np.floor((p[:, 0] - g["west"]) / CELL_M).astype(np.int64)
        row = np.floor((g["north"] - p[:, 1]) / CELL_M).astype(np.int64)
        binned = np.bincount(row * g["cols"] + col, weights=p[:, 2], minlength=g["rows"] * g["cols"])
        return fftconvolve(binned.reshape(g["rows"], g["cols"]), kernel, mode="same") / (CELL_M * CELL_M / 1e6)

    seconds, array = harness.best(run, repeat)
    ours = np.load(wd / "kde_ours.npy")
    check = "same surface as ours (1e-9)" if np.allclose(array, ours, rtol=1e-9, atol=1e-9) else "DIFFERS FROM OURS"
    harness.emit({"seconds": seconds, "check": check})


def _kde_direct(wd: Path, repeat: int) -> None:
    import numpy as np

    from energieplanologie.density import quartic_kernel

    p = np.load(wd / "kde_points.npy")
    g = _kde_grid(wd)
    kernel = quartic_kernel(CELL_M, BANDWIDTH_M)  # (2r+1)², sums to 1
    r = kernel.shape[0] // 2
    di, dj = (a.ravel() for a in np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1), indexing="ij"))
    k = kernel.ravel()

    def run():
        out = np.zeros(g["rows"] * g["cols"])
        col = np.floor((p[:, 0] - g["west"]) / CELL_M).astype(np.int64)
        row = np.floor((g["north"] - p[:, 1]) / CELL_M).astype(np.int64)
        weight = p[:, 2] / (CELL_M * CELL_M / 1e6)
        step = max(1, 2_000_000 // len(k))
        for a in range(0, len(p), step):  # every point adds its kernel to the cells around it
            cells = (row[a:a + step, None] + di) * g["cols"] + col[a:a + step, None] + dj
            out += np.bincount(cells.ravel(), weights=(weight[a:a + step, None] * k).ravel(), minlength=out.size)
        return out.reshape(g["rows"], g["cols"])

    seconds, array = harness.best(run, repeat)
    ours = np.load(wd / "kde_ours.npy")
    check = "same surface as ours (1e-9)" if np.allclose(array, ours, rtol=1e-9, atol=1e-9) else "DIFFERS FROM OURS"
    harness.emit({"seconds": seconds, "check": check})


def _kde_dask(wd: Path, repeat: int) -> None:
    import numpy as np

    from energieplanologie.density import kde
    from energieplanologie.distributed import partition_region

    region = _region(wd)
    cluster, client = _cluster()
    with cluster, client:
        parted = partition_region(region, client=client)
        seconds, (array, _) = harness.best(lambda: kde(parted, cell_m=CELL_M, bandwidth_m=BANDWIDTH_M, engine="dask",
                                                 client=client), repeat)
        workers = _workers_rss_mb(client)
    same = np.array_equal(array, np.load(wd / "kde_ours.npy"))
    harness.emit({"seconds": seconds, "check": "identical to ours" if same else "DIFFERS FROM OURS",
           "note": f"workers' peak RSS {workers:,.0f} MB", "workers_rss_mb": workers})


# ----------------------------------------------------------------------------------------------------------------
# 10⁷ on the dask path (engine Python)


def _scale_10m(wd: Path, n: int, seed: int, eps: float, min_samples: int) -> None:
    import numpy as np

    from energieplanologie._geometry import representative_xy
    from energieplanologie.balance import station_balance
    from energieplanologie.clustering import grid_dbscan
    from energieplanologie.density import kde
    from energieplanologie.distributed import dask_dbscan, partition_region
    from energieplanologie.synthetic import synthetic_region

    out: dict = {}
    t0 = time.perf_counter()
    region = synthetic_region(n, seed=seed)
    out["generate_s"] = time.perf_counter() - t0
    out["rss_after_generate_mb"] = round(harness.peak_rss_mb(), 1)
    cluster, client = _cluster(processes=False)
    with cluster, client:
        parted = partition_region(region, client=client)
        t0 = time.perf_counter()
        bal_d = station_balance(parted, list(SCENARIOS), engine="dask", client=client)
        out["balance_dask_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        bal = station_balance(region, list(SCENARIOS))
        out["balance_s"] = time.perf_counter() - t0
        out["balance_equal"] = bool(np.allclose(bal["load_mw"], bal_d["load_mw"], rtol=1e-12, atol=1e-9)
                                    and bal["status"].equals(bal_d["status"]))
        del bal, bal_d
        t0 = time.perf_counter()
        a_d, _ = kde(parted, cell_m=CELL_M, bandwidth_m=BANDWIDTH_M, engine="dask", client=client)
        out["kde_dask_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        a, _ = kde(region, cell_m=CELL_M, bandwidth_m=BANDWIDTH_M)
        out["kde_s"] = time.perf_counter() - t0
        out["kde_equal"] = bool(np.array_equal(a, a_d))
        del a, a_d
        xy = representative_xy(np.asarray(region.developments.geometry.values))
        t0 = time.perf_counter()
        lab_d = dask_dbscan(xy, eps=eps, min_samples=min_samples, client=client).labels
        out["dbscan_dask_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        lab = grid_dbscan(xy, eps=eps, min_samples=min_samples).labels
        out["dbscan_s"] = time.perf_counter() - t0
        out["dbscan_equal"] = bool(np.array_equal(lab, lab_d))
    harness.emit(out)


# ----------------------------------------------------------------------------------------------------------------
# QGIS workers (QGIS's own Python: numpy and qgis only)




def _memory_points(name: str, xy, fields: dict[str, list]):
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    types = {int: QVariant.Int, float: QVariant.Double, str: QVariant.String}
    layer = QgsVectorLayer("Point?crs=EPSG:28992", name, "memory")
    layer.dataProvider().addAttributes([QgsField(k, types[type(v[0])]) for k, v in fields.items()])
    layer.updateFields()
    columns = list(fields.values())
    feats = []
    for i, (x, y) in enumerate(xy.tolist()):
        f = QgsFeature(layer.fields())
        f.setAttributes([c[i] for c in columns])
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def _qgis_join(wd: Path, repeat: int) -> None:
    import numpy as np

    app = harness.qgis_start()
    import processing

    xy = np.load(wd / "points.npy")
    st = np.load(wd / "stations.npy")
    dev = _memory_points("ontwikkelingen", xy, {"idx": list(range(len(xy)))})
    stations = _memory_points("stations", st, {"station": list(range(len(st)))})

    def run():
        return processing.run("native:joinbynearest", {
            "INPUT": dev, "INPUT_2": stations, "FIELDS_TO_COPY": ["station"], "DISCARD_NONMATCHING": False,
            "PREFIX": "", "NEIGHBORS": 1, "MAX_DISTANCE": None, "OUTPUT": "memory:"})

    seconds, res = harness.best(run, repeat)
    count = res["OUTPUT"].featureCount()
    harness.emit({"seconds": seconds, "note": f"{count:,} joined features"})
    app.exitQgis()


def _qgis_heatmap(wd: Path, repeat: int) -> None:
    import numpy as np

    app = harness.qgis_start()
    import processing

    p = np.load(wd / "kde_points.npy")
    layer = _memory_points("punten", p[:, :2], {"w": p[:, 2].tolist()})
    out = wd / "qgis_heatmap.tif"

    def run():
        return processing.run("qgis:heatmapkerneldensityestimation", {
            "INPUT": layer, "RADIUS": BANDWIDTH_M, "RADIUS_FIELD": None, "PIXEL_SIZE": CELL_M, "WEIGHT_FIELD": "w",
            "KERNEL": 0, "DECAY": 0, "OUTPUT_VALUE": 0, "OUTPUT": str(out)})

    seconds, _ = harness.best(run, repeat)
    harness.emit({"seconds": seconds})
    app.exitQgis()


def _qgis_worker(name: str, wd: Path, repeat: int, eps: float, min_samples: int) -> None:
    sys.path.insert(0, str(HERE.parent))
    import bench_hotspots as bh

    if name == "qgis_roundtrip":
        import bench_qgis_roundtrip

        bench_qgis_roundtrip.run(repeat)
        return
    if name == "qgis_dbscan":
        bh._worker_qgis(wd, eps, min_samples, repeat)
    elif name == "qgis_e2e":
        bh._worker_qgis_e2e(wd, eps, min_samples, repeat)
    elif name == "qgis_join":
        _qgis_join(wd, repeat)
    elif name == "qgis_heatmap":
        _qgis_heatmap(wd, repeat)


# ----------------------------------------------------------------------------------------------------------------
# the driver

#: (analysis, path, worker, interpreter, slow): slow items run once at 10⁶ and above.
ITEMS: list[tuple[str, str, str, str, bool]] = [
    ("allocation + balance", "ours", "balance_ours", "engine", False),
    ("allocation + balance", "kernel: cKDTree + bincount", "balance_kernel", "engine", False),
    ("allocation + balance", "naive: sjoin_nearest + groupby (same ledger as ours)", "balance_naive", "engine", False),
    ("allocation + balance", "naive, sums only (the issue's first measure)", "balance_naive_sums", "engine", False),
    ("allocation + balance", "QGIS native:joinbynearest", "qgis_join", "qgis", True),
    ("allocation + balance", "dask, 2 worker processes", "balance_dask", "engine", False),
    ("allocation + balance", "dask, local threads", "balance_dask_threads", "engine", False),
    ("DBSCAN", "ours", "dbscan_ours", "engine", False),
    ("DBSCAN", "kernel: scikit-learn DBSCAN", "dbscan_sklearn", "engine", True),
    ("DBSCAN", "kernel: KD-tree DBSCAN (query_pairs)", "dbscan_kdtree", "engine", True),
    ("DBSCAN", "naive: sjoin dwithin + groupby", "dbscan_naive", "engine", True),
    ("DBSCAN", "QGIS native:dbscanclustering", "qgis_dbscan", "qgis", True),
    ("DBSCAN", "dask, 2 worker processes", "dbscan_dask", "engine", False),
    ("hotspots end to end", "ours", "hotspots_e2e_ours", "engine", False),
    ("hotspots end to end", "QGIS model (7 algorithms)", "qgis_e2e", "qgis", True),
    ("density (KDE)", "ours", "kde_ours", "engine", False),
    ("density (KDE)", "kernel: bincount + FFT", "kde_kernel", "engine", False),
    ("density (KDE)", "naive: direct sum per point", "kde_direct", "engine", True),
    ("density (KDE)", "QGIS qgis:heatmapkerneldensityestimation", "qgis_heatmap", "qgis", True),
    ("density (KDE)", "dask, 2 worker processes", "kde_dask", "engine", False),
    ("QGIS round trip", "station balance, warm engine (sample only)", "qgis_roundtrip", "qgis", False),
]


def _run(cmd: list[str], timeout: float, env: dict | None = None) -> dict:
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"> {timeout:.0f} s (time limit)"}
    for line in proc.stdout.splitlines():
        if line.startswith("@@result "):
            out = json.loads(line[len("@@result "):])
            out["wall"] = time.perf_counter() - t0
            return out
    text = (proc.stderr or proc.stdout).strip().splitlines()
    memory = any("MemoryError" in t or "std::bad_alloc" in t or "Unable to allocate" in t for t in text)
    if memory:
        return {"error": "out of memory (cap)"}
    return {"error": f"exit {proc.returncode}: {(text[-1:] or ['?'])[0][:100]}"}


def _qgis_check(wd: Path) -> str:
    """QGIS numbers clusters its own way and gives a border point between two clusters to either: compare the
    clusters of the core points, and the noise."""
    import numpy as np

    if not (wd / "labels_qgis.npy").exists() or not (wd / "labels_ours.npy").exists():
        return ""
    ours, qgis = np.load(wd / "labels_ours.npy"), np.load(wd / "labels_qgis.npy")
    core = np.load(wd / "core_ours.npy")
    ok = np.array_equal(qgis >= 0, ours >= 0) and harness.same_partition(ours[core], qgis[core])
    return "same clusters (core points), same noise" if ok else "CLUSTERS DIFFER"




def _fmt_s(r: dict) -> str:
    s = r.get("seconds")
    if s is None:
        return r.get("error", "—")
    return f"{s:.3f}" if s < 10 else f"{s:.1f}"


def _ratio(r: dict, ours: dict) -> str:
    if "seconds" in r and "seconds" in ours and ours["seconds"] > 0:
        x = r["seconds"] / ours["seconds"]
        return f"{x:.2f}" if x < 10 else f"{x:.0f}"
    return "—"


def _table(rows: list[dict]) -> list[str]:
    lines = ["| analysis | developments | path | seconds | ÷ ours | peak RSS MB | check / note |",
             "|---|---|---|---|---|---|---|"]
    ours_of = {(r["analysis"], r.get("size", r["n"])): r for r in rows if r["path"] == "ours"}
    for r in rows:
        ours = ours_of.get((r["analysis"], r.get("size", r["n"])), {})
        rss = r.get("peak_rss_mb")
        rss_text = f"{rss:,.0f}" if rss is not None else "—"
        if r.get("workers_rss_mb"):
            rss_text += f" + {r['workers_rss_mb']:,.0f}"
        note = "; ".join(x for x in (r.get("check"), r.get("note")) if x)
        size = r.get("size") or f"{r['n']:,}"
        lines.append(f"| {r['analysis']} | {size} | {r['path']} | {_fmt_s(r)} | "
                     f"{'1' if r['path'] == 'ours' else _ratio(r, ours)} | {rss_text} | {note} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000],
                        help="developments per synthetic region; 0 = the sample region")
    parser.add_argument("--sample", action=argparse.BooleanOptionalAction, default=True,
                        help="also the sample region Zeeuws-Vlaanderen (first), with the QGIS round trip")
    parser.add_argument("--repeat", type=int, default=3, help="runs per path (best kept); slow baselines run once "
                                                              "from 10⁶ on")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eps", type=float, default=1000.0, help="DBSCAN radius, m")
    parser.add_argument("--min-samples", type=int, default=10, help="unweighted DBSCAN minimum")
    parser.add_argument("--min-mw", type=float, default=20.0, help="weighted minimum of the hotspot workflow")
    parser.add_argument("--mem-gb", type=float, default=10.0, help="memory cap of the pair-list baselines")
    parser.add_argument("--timeout", type=float, default=1800.0, help="per path, seconds")
    parser.add_argument("--skip-qgis", action="store_true")
    parser.add_argument("--only", nargs="+", help="run only these workers (e.g. balance_ours balance_kernel)")
    parser.add_argument("--dask-10m", action="store_true", help="also run the dask path on 10⁷ developments")
    parser.add_argument("--full-run-sizes", type=int, nargs="*", default=[100_000],
                        help="the full chain (energieplanologie run: analyses + every writer, bench_full_run.py) "
                             "on these sizes; none: skip")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (default: also)")
    parser.add_argument("--json", type=Path, help="write all results as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        return _dispatch(args)

    have_qgis = not args.skip_qgis and Path(QGIS_PYTHON).exists() and subprocess.run(
        [QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, check=False).returncode == 0
    me = [sys.executable, str(HERE)]
    common = ["--eps", str(args.eps), "--min-samples", str(args.min_samples), "--min-mw", str(args.min_mw),
              "--mem-gb", str(args.mem_gb), "--seed", str(args.seed)]
    started = time.perf_counter()
    print(f"# {platform.node()}: Python {platform.python_version()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at the start; QGIS {'yes' if have_qgis else 'no'}", flush=True)
    rows: list[dict] = []
    sizes = ([SAMPLE_N] if args.sample and SAMPLE_N not in args.sizes else []) + list(args.sizes)
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"bench_run_{n}_") as tmp:
            wd = Path(tmp)
            base = ["--workdir", str(wd), "--n", str(n), *common]
            prep = _run([*me, "--worker", "prepare", "--repeat", "1", *base], args.timeout)
            if "error" in prep:
                print(f"n={n}: preparing failed: {prep['error']}", flush=True)
                continue
            print(f"n={n:,}: prepared in {prep['wall']:.0f} s ({prep['developments']:,} developments, "
                  f"{prep['polygons']:,} polygons, {prep['stations']:,} stations)", flush=True)
            size = prep["developments"]
            label = f"sample ({size:,})" if n == SAMPLE_N else f"{size:,}"
            for analysis, path, worker, interpreter, slow in ITEMS:
                if args.only and worker not in args.only:
                    continue
                if interpreter == "qgis" and not have_qgis:
                    continue
                if worker == "qgis_roundtrip" and n != SAMPLE_N:
                    continue
                repeat = 1 if slow and n >= 1_000_000 else args.repeat
                cmd = [QGIS_PYTHON if interpreter == "qgis" else sys.executable, str(HERE), "--worker", worker,
                       "--repeat", str(repeat), *base]
                env = None
                if interpreter == "qgis":
                    env = {**harness.qgis_env(), "ENERGIEPLANOLOGIE_ENGINE": sys.executable}
                result = _run(cmd, args.timeout, env=env)
                if worker == "qgis_dbscan" and "seconds" in result:
                    result["check"] = _qgis_check(wd)
                result.update(analysis=analysis, path=path, n=size, size=label, worker=worker)
                rows.append(result)
                print(f"  {analysis:<22} {path:<42} {_fmt_s(result):>10} s  "
                      f"{result.get('check', '')} {result.get('note', '')}", flush=True)
    for n in args.full_run_sizes or []:
        if args.only and "full_run" not in args.only:
            break
        result = _run([sys.executable, str(HERE.parent / "bench_full_run.py"), "--n", str(n), "--seed",
                       str(args.seed), "--emit"], 4 * args.timeout)
        result.update(analysis="full chain (run)", path="ours", n=n, size=f"{n:,}", worker="full_run")
        rows.append(result)
        print(f"  {'full chain (run)':<22} {'analyses + writing':<42} {_fmt_s(result):>10} s  "
              f"{result.get('note', '')}", flush=True)
    extra = None
    if args.dask_10m:
        with tempfile.TemporaryDirectory(prefix="bench_run_10m_") as tmp:
            extra = _run([*me, "--worker", "scale_10m", "--repeat", "1", "--workdir", tmp, "--n", "10000000",
                          *common], 4 * args.timeout)
            print(f"10⁷: {json.dumps(extra)}", flush=True)

    print()
    print(f"# total {time.perf_counter() - started:.0f} s; load average now {os.getloadavg()[0]:.1f}; "
          "÷ ours = path time / our time (> 1: ours is faster); peak RSS = the path's own process "
          "(+ the dask workers' processes)")
    print("\n".join(_table(rows)))
    if extra is not None:
        print()
        print(_table_10m(extra))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "dask_10m": extra}, indent=2))
    return 0


def _table_10m(r: dict) -> str:
    if "error" in r:
        return f"10⁷ developments: {r['error']}"
    lines = ["| 10⁷ developments | in memory s | dask, 2 workers (threads) s | dask ÷ memory | identical |",
             "|---|---|---|---|---|"]
    for key, label in (("balance", "allocation + balance"), ("dbscan", "DBSCAN"), ("kde", "density (KDE)")):
        lines.append(f"| {label} | {r[key + '_s']:.1f} | {r[key + '_dask_s']:.1f} | "
                     f"{r[key + '_dask_s'] / r[key + '_s']:.2f} | {'yes' if r[key + '_equal'] else 'NO'} |")
    lines.append(f"\ngenerated in {r['generate_s']:.0f} s; peak RSS {r['peak_rss_mb']:,.0f} MB "
                 f"({r['rss_after_generate_mb']:,.0f} MB after generating)")
    return "\n".join(lines)


def _dispatch(args: argparse.Namespace) -> int:
    wd, rep, eps, ms = args.workdir, args.repeat, args.eps, args.min_samples
    name = args.worker
    if name.startswith("qgis_"):
        _qgis_worker(name, wd, rep, eps, ms)
        return 0
    sys.path.insert(0, str(ROOT))
    workers = {
        "prepare": lambda: _prepare(wd, args.n, args.seed),
        "balance_ours": lambda: _balance_ours(wd, rep),
        "balance_kernel": lambda: _balance_kernel(wd, rep),
        "balance_naive": lambda: _balance_naive(wd, rep),
        "balance_naive_sums": lambda: _balance_naive_sums(wd, rep),
        "balance_dask": lambda: _balance_dask(wd, rep),
        "balance_dask_threads": lambda: _balance_dask_threads(wd, rep),
        "dbscan_ours": lambda: _dbscan_ours(wd, rep, eps, ms),
        "dbscan_sklearn": lambda: _dbscan_sklearn(wd, rep, eps, ms, args.mem_gb),
        "dbscan_kdtree": lambda: _dbscan_kdtree(wd, rep, eps, ms, args.mem_gb),
        "dbscan_naive": lambda: _dbscan_naive(wd, rep, eps, ms, args.mem_gb),
        "dbscan_dask": lambda: _dbscan_dask(wd, rep, eps, ms),
        "hotspots_e2e_ours": lambda: _hotspots_e2e_ours(wd, rep, eps, args.min_mw),
        "kde_ours": lambda: _kde_ours(wd, rep),
        "kde_kernel": lambda: _kde_kernel(wd, rep),
        "kde_direct": lambda: _kde_direct(wd, rep),
        "kde_dask": lambda: _kde_dask(wd, rep),
        "scale_10m": lambda: _scale_10m(wd, args.n, args.seed, eps, ms),
    }
    workers[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
