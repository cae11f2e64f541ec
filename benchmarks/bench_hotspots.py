"""Benchmark of the hotspot clustering and the whole hotspot workflow, as ratios against baselines in one run.

For each size (default 10⁴, 10⁵, 10⁶ synthetic national developments, :func:`energieplanologie.synthetic
.synthetic_region`, seed 0) it measures, every item in its own fresh process so that peak memory is its own:

clustering (unweighted DBSCAN on the developments' representative points, ``--eps`` m, ``--min-samples``)
    * ``ours``     — :func:`energieplanologie.clustering.grid_dbscan`
    * ``sklearn``  — :class:`sklearn.cluster.DBSCAN` (the reference semantics; labels must be identical)
    * ``qgis``     — QGIS's C++ ``native:dbscanclustering`` run in-process in QGIS's own Python
      (``/usr/bin/python3``), on a memory layer of the same points built before the clock starts; its clusters
      must equal ours on the core points (DBSCAN* mode is not used: classic mode, as a user runs it)

end to end (read the developments GeoPackage → hotspot polygons with statistics); both sides do the same work:
read the same file inside the clock, cluster, aggregate per cluster, hull and buffer. Neither validates (QGIS
does not; our validation is timed on its own and reported as ``read_layer`` in the note), and neither allocates
developments to stations inside the clock (QGIS does not; in our pipeline the allocation is computed once for
the station balance and handed to the knooppunten, :func:`energieplanologie.pipeline.analyse`, so it is computed
here before the clock, from the same developments).

    * ``ours e2e``  — ``pyogrio.read_dataframe`` (Arrow) → :meth:`Region.from_layers` →
      :func:`energieplanologie.hotspots.detect_hotspots` with the pipeline's ``allocation`` (weighted DBSCAN with
      ``--eps`` and ``--min-mw``; stable ids, MW by year, stations, municipalities, levels, names, buffered
      hulls). Checked outside the clock: the same knooppunten as from :func:`energieplanologie.io.read_layer`
      (reading + validation) with the allocation computed inside ``detect_hotspots``.
    * ``qgis e2e``  — the QGIS workflow a GIS user would build: load the layer → ``native:pointonsurface`` →
      ``native:dbscanclustering`` → ``native:extractbyexpression`` (clustered) → ``native:aggregate`` by cluster
      (count, Σ offtake, Σ feed-in, unique sectors and carriers, collected geometry) → ``native:convexhull`` →
      ``native:buffer``; all in memory layers. QGIS's DBSCAN takes no weights: it clusters with
      ``--min-samples`` points, ours with ``--min-mw`` MW, so the two find different (numbers of) knooppunten
      from the same points; both counts are printed.

``--sizes 0`` is the shipped sample region (Zeeuws-Vlaanderen, 60 developments) instead of a synthetic one.

Times are the best of ``--repeat`` runs inside the process (one run at 10⁶); ratios are QGIS or scikit-learn time
divided by ours (> 1: we are faster). Peak RSS is the process's ``ru_maxrss``, interpreter and libraries
included. scikit-learn keeps every neighbourhood in memory (at 10⁶ clustered points hundreds of millions of
indices): it runs under a memory cap (``--sklearn-mem-gb``) and a time limit and is reported as failed when it
exceeds them.

Run from the repository root::

    .venv/bin/python benchmarks/bench_hotspots.py                     # 10⁴, 10⁵, 10⁶ (≈ 15 min)
    .venv/bin/python benchmarks/bench_hotspots.py --sizes 10000 100000 --skip-qgis
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _harness as harness

QGIS_PYTHON = "/usr/bin/python3"
HERE = Path(__file__).resolve()


# ----------------------------------------------------------------------------------------------------------------
# helpers that run in every interpreter (stdlib only)








# ----------------------------------------------------------------------------------------------------------------
# workers in the engine's Python


def _prepare(n: int, workdir: Path, seed: int) -> None:
    """Synthetic region → developments GeoPackage, their representative points (.npy), the other layers (.pkl)."""
    import numpy as np
    import pyogrio

    from energieplanologie.allocation import allocate_region
    from energieplanologie.hotspots import weighted_points
    from energieplanologie.sample import load_sample
    from energieplanologie.synthetic import synthetic_region

    region = load_sample() if n == 0 else synthetic_region(n, seed=seed)
    pyogrio.write_dataframe(region.developments.drop(columns=["source_row"], errors="ignore"),
                            workdir / "ontwikkelingen.gpkg", layer="ontwikkelingen", dataset_options={"VERSION": "1.2"})
    pts = weighted_points(region, "maximaal", max(region.years))  # every development, unweighted positions
    order = np.argsort(pts["source"].to_numpy(), kind="stable")  # back to file order
    np.save(workdir / "points.npy", np.column_stack([pts["x"].to_numpy()[order], pts["y"].to_numpy()[order]]))
    others = {k: getattr(region, k) for k in ("municipalities", "stations", "station_capacity", "infrastructure")}
    others["years"] = region.years
    with open(workdir / "layers.pkl", "wb") as fh:
        pickle.dump(others, fh)
    # What the pipeline hands to the knooppunten: the allocation it computed once for the station balance.
    with open(workdir / "allocation.pkl", "wb") as fh:
        pickle.dump(allocate_region(region), fh)


def _worker_ours(workdir: Path, eps: float, min_samples: int, repeat: int) -> None:
    import numpy as np

    from energieplanologie.clustering import grid_dbscan

    xy = np.load(workdir / "points.npy")
    seconds, res = harness.best(lambda: grid_dbscan(xy, eps=eps, min_samples=min_samples), repeat)
    np.save(workdir / "labels_ours.npy", res.labels)
    np.save(workdir / "core_ours.npy", res.core)
    harness.emit({"seconds": seconds, "clusters": int(res.labels.max() + 1)})


def _worker_sklearn(workdir: Path, eps: float, min_samples: int, repeat: int, mem_gb: float) -> None:
    import numpy as np

    harness.cap_memory(mem_gb)
    from sklearn.cluster import DBSCAN

    xy = np.load(workdir / "points.npy")
    seconds, labels = harness.best(lambda: DBSCAN(eps=eps, min_samples=min_samples).fit(xy).labels_, repeat)
    np.save(workdir / "labels_sklearn.npy", labels)
    harness.emit({"seconds": seconds, "clusters": int(labels.max() + 1)})


def _worker_ours_e2e(workdir: Path, eps: float, min_mw: float, repeat: int) -> None:
    import time

    import pyogrio
    from geopandas.testing import assert_geodataframe_equal

    from energieplanologie.hotspots import detect_hotspots
    from energieplanologie.io import read_layer
    from energieplanologie.region import Region

    with open(workdir / "layers.pkl", "rb") as fh:
        others = pickle.load(fh)
    with open(workdir / "allocation.pkl", "rb") as fh:
        allocation = pickle.load(fh)
    years = others.pop("years")
    gpkg = workdir / "ontwikkelingen.gpkg"
    parts: dict[str, float] = {}

    def run():
        t0 = time.perf_counter()
        developments = pyogrio.read_dataframe(gpkg, layer="ontwikkelingen", use_arrow=True)
        t1 = time.perf_counter()
        region = Region.from_layers(name="bench", developments=developments, validated=True, years=years, **others)
        hotspots = detect_hotspots(region, eps_m=eps, min_mw=min_mw, allocation=allocation).hotspots
        t2 = time.perf_counter()
        if not parts or t2 - t0 < parts["read"] + parts["detect"]:
            parts.update(read=t1 - t0, detect=t2 - t1)
        return hotspots

    seconds, hotspots = harness.best(run, repeat)
    # Outside the clock: the user's path (reading + validation, allocation inside detect_hotspots) finds the same.
    t0 = time.perf_counter()
    read = read_layer(gpkg, "developments", layer="ontwikkelingen")
    validated = time.perf_counter() - t0
    region = Region.from_layers(name="bench", developments=read.data, validated=True, years=years,
                                reports={"developments": read.report}, **others)
    try:
        assert_geodataframe_equal(detect_hotspots(region, eps_m=eps, min_mw=min_mw).hotspots, hotspots)
        check = "same knooppunten as read_layer + allocation inside"
    except AssertionError:
        check = "KNOOPPUNTEN DIFFER from read_layer + allocation inside"
    harness.emit({"seconds": seconds, "hotspots": len(hotspots), "members": int(hotspots["n_members"].sum()),
                  "check": check, "note": f"read {parts['read']:.3f} s, region + detect {parts['detect']:.3f} s; "
                                          f"read_layer (read + validation) {validated:.3f} s"})


# ----------------------------------------------------------------------------------------------------------------
# workers in QGIS's Python (/usr/bin/python3 + apt's QGIS): numpy and qgis only




def _worker_qgis(workdir: Path, eps: float, min_samples: int, repeat: int) -> None:
    import numpy as np

    app = harness.qgis_start()
    import processing
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsVectorLayer
    from qgis.PyQt.QtCore import QVariant

    xy = np.load(workdir / "points.npy")
    layer = QgsVectorLayer("Point?crs=EPSG:28992", "punten", "memory")
    layer.dataProvider().addAttributes([QgsField("idx", QVariant.Int)])
    layer.updateFields()
    feats = []
    for i, (x, y) in enumerate(xy.tolist()):
        f = QgsFeature(layer.fields())
        f.setAttributes([i])
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(x, y)))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    del feats

    def run():
        return processing.run("native:dbscanclustering", {
            "INPUT": layer, "MIN_SIZE": min_samples, "EPS": eps, "DBSCAN*": False, "FIELD_NAME": "CLUSTER_ID",
            "OUTPUT": "memory:"})

    seconds, res = harness.best(run, repeat)
    labels = np.full(len(xy), -1, dtype=np.int64)
    for f in res["OUTPUT"].getFeatures():
        value = f["CLUSTER_ID"]
        if value is not None and not (hasattr(value, "isNull") and value.isNull()):
            labels[int(f["idx"])] = int(value)
    np.save(workdir / "labels_qgis.npy", labels)
    clusters = int(res["NUM_CLUSTERS"])
    del res
    harness.emit({"seconds": seconds, "clusters": clusters})
    app.exitQgis()


def _worker_qgis_e2e(workdir: Path, eps: float, min_samples: int, repeat: int) -> None:
    app = harness.qgis_start()
    import processing
    from qgis.core import QgsVectorLayer

    def run():
        layer = QgsVectorLayer(f"{workdir / 'ontwikkelingen.gpkg'}|layername=ontwikkelingen", "ontwikkelingen", "ogr")
        assert layer.isValid()
        pts = processing.run("native:pointonsurface", {"INPUT": layer, "ALL_PARTS": False, "OUTPUT": "memory:"})
        clus = processing.run("native:dbscanclustering", {
            "INPUT": pts["OUTPUT"], "MIN_SIZE": min_samples, "EPS": eps, "DBSCAN*": False,
            "FIELD_NAME": "CLUSTER_ID", "OUTPUT": "memory:"})
        sel = processing.run("native:extractbyexpression", {
            "INPUT": clus["OUTPUT"], "EXPRESSION": '"CLUSTER_ID" IS NOT NULL', "OUTPUT": "memory:"})
        agg = processing.run("native:aggregate", {
            "INPUT": sel["OUTPUT"], "GROUP_BY": '"CLUSTER_ID"', "OUTPUT": "memory:",
            "AGGREGATES": [
                {"aggregate": "first_value", "delimiter": ",", "input": '"CLUSTER_ID"', "length": 0,
                 "name": "CLUSTER_ID", "precision": 0, "type": 4},
                {"aggregate": "count", "delimiter": ",", "input": '"development_id"', "length": 0,
                 "name": "n_members", "precision": 0, "type": 4},
                {"aggregate": "sum", "delimiter": ",", "input": '"offtake_mw"', "length": 0,
                 "name": "offtake_mw", "precision": 0, "type": 6},
                {"aggregate": "sum", "delimiter": ",", "input": '"feedin_mw"', "length": 0,
                 "name": "feedin_mw", "precision": 0, "type": 6},
                {"aggregate": "concatenate_unique", "delimiter": ";", "input": '"sector"', "length": 0,
                 "name": "sectors", "precision": 0, "type": 10},
                {"aggregate": "concatenate_unique", "delimiter": ";", "input": '"carrier"', "length": 0,
                 "name": "carriers", "precision": 0, "type": 10},
            ]})
        hull = processing.run("native:convexhull", {"INPUT": agg["OUTPUT"], "OUTPUT": "memory:"})
        buf = processing.run("native:buffer", {"INPUT": hull["OUTPUT"], "DISTANCE": 250, "SEGMENTS": 8,
                                               "END_CAP_STYLE": 0, "JOIN_STYLE": 0, "MITER_LIMIT": 2,
                                               "DISSOLVE": False, "OUTPUT": "memory:"})
        out = buf["OUTPUT"]
        return out.featureCount(), sum(int(f["n_members"]) for f in out.getFeatures())

    seconds, (count, members) = harness.best(run, repeat)
    harness.emit({"seconds": seconds, "hotspots": count, "members": members})
    app.exitQgis()


# ----------------------------------------------------------------------------------------------------------------
# the driver


def _run(cmd: list[str], timeout: float, env: dict | None = None) -> dict:
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"> {timeout:.0f} s (tijdslimiet)"}
    for line in proc.stdout.splitlines():
        if line.startswith("@@result "):
            out = json.loads(line[len("@@result "):])
            out["wall"] = time.perf_counter() - t0
            return out
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
    return {"error": f"exit {proc.returncode}: {tail[0][:120]}"}






def _checks(workdir: Path) -> dict[str, str]:
    import numpy as np

    out = {}
    ours = np.load(workdir / "labels_ours.npy")
    core = np.load(workdir / "core_ours.npy")
    if (workdir / "labels_sklearn.npy").exists():
        out["sklearn"] = "labels identical" if np.array_equal(np.load(workdir / "labels_sklearn.npy"), ours) \
            else "LABELS DIFFER"
    if (workdir / "labels_qgis.npy").exists():
        qgis = np.load(workdir / "labels_qgis.npy")
        ok = np.array_equal(qgis >= 0, ours >= 0) and harness.same_partition(ours[core], qgis[core])
        out["qgis"] = "same clusters (core points), same noise" if ok else "CLUSTERS DIFFER"
    return out


def _fmt_s(r: dict) -> str:
    return f"{r['seconds']:.2f}" if "seconds" in r else r.get("error", "—")


def _ratio(base: dict, ours: dict) -> str:
    if "seconds" in base and "seconds" in ours and ours["seconds"] > 0:
        return f"{base['seconds'] / ours['seconds']:.1f}×"
    return "—"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--eps", type=float, default=1000.0, help="DBSCAN radius in m (default 1000)")
    parser.add_argument("--min-samples", type=int, default=10, help="unweighted DBSCAN minimum (default 10)")
    parser.add_argument("--min-mw", type=float, default=20.0, help="weighted minimum of our e2e (default 20)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per item below 10⁶ (best is kept)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-qgis", action="store_true")
    parser.add_argument("--sklearn-mem-gb", type=float, default=14.0)
    parser.add_argument("--timeout", type=float, default=1800.0, help="per item, seconds")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        wd, eps, ms, rep = args.workdir, args.eps, args.min_samples, args.repeat
        {"prepare": lambda: _prepare(int(args.sizes[0]), wd, args.seed),
         "ours": lambda: _worker_ours(wd, eps, ms, rep),
         "sklearn": lambda: _worker_sklearn(wd, eps, ms, rep, args.sklearn_mem_gb),
         "ours_e2e": lambda: _worker_ours_e2e(wd, eps, args.min_mw, rep),
         "qgis": lambda: _worker_qgis(wd, eps, ms, rep),
         "qgis_e2e": lambda: _worker_qgis_e2e(wd, eps, ms, rep)}[args.worker]()
        if args.worker == "prepare":
            harness.emit({})
        return 0

    have_qgis = not args.skip_qgis and Path(QGIS_PYTHON).exists() and subprocess.run(
        [QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, check=False).returncode == 0
    me = [sys.executable, str(HERE)]
    common = ["--eps", str(args.eps), "--min-samples", str(args.min_samples), "--min-mw", str(args.min_mw)]
    results = []
    print(f"hotspots benchmark: eps {args.eps:g} m, min_samples {args.min_samples} (unweighted), "
          f"e2e min_mw {args.min_mw:g} (weighted); QGIS {'yes' if have_qgis else 'no'}", flush=True)
    for n in args.sizes:
        rep = 1 if n >= 1_000_000 else args.repeat
        with tempfile.TemporaryDirectory(prefix=f"bench_hotspots_{n}_") as tmp:
            wd = Path(tmp)
            base = ["--workdir", str(wd), "--repeat", str(rep), *common]
            prep = _run([*me, "--worker", "prepare", "--sizes", str(n), "--seed", str(args.seed), *base],
                        args.timeout)
            if "error" in prep:
                print(f"n={n}: preparing failed: {prep['error']}")
                continue
            row: dict = {"n": n}
            for name in ("ours", "sklearn", "ours_e2e"):
                row[name] = _run([*me, "--worker", name, *base], args.timeout)
                print(f"  n={n:>9,} {name:<9} {_fmt_s(row[name])} s", flush=True)
            if have_qgis:
                for name in ("qgis", "qgis_e2e"):
                    row[name] = _run([QGIS_PYTHON, str(HERE), "--worker", name, *base], args.timeout,
                                     env=harness.qgis_env())
                    print(f"  n={n:>9,} {name:<9} {_fmt_s(row[name])} s", flush=True)
            row["checks"] = _checks(wd)
            results.append(row)

    print()
    header = (f"{'n':>10} | {'ours':>7} | {'sklearn':>8} {'ratio':>6} | {'QGIS':>7} {'ratio':>6} | "
              f"{'ours e2e':>8} | {'QGIS e2e':>8} {'ratio':>6} | peak RSS MB ours / sklearn / QGIS / e2e ours / e2e QGIS")
    print(header)
    print("-" * len(header))
    for row in results:
        get = row.get
        rss = " / ".join(f"{get(k, {}).get('peak_rss_mb', float('nan')):.0f}"
                         for k in ("ours", "sklearn", "qgis", "ours_e2e", "qgis_e2e"))
        print(f"{row['n']:>10,} | {_fmt_s(row['ours']):>7} | {_fmt_s(row['sklearn']):>8} "
              f"{_ratio(row['sklearn'], row['ours']):>6} | {_fmt_s(get('qgis', {})):>7} "
              f"{_ratio(get('qgis', {}), row['ours']):>6} | {_fmt_s(row['ours_e2e']):>8} | "
              f"{_fmt_s(get('qgis_e2e', {})):>8} {_ratio(get('qgis_e2e', {}), row['ours_e2e']):>6} | {rss}")
    print()
    for row in results:
        o, q = row["ours"], row.get("qgis", {})
        extra = []
        if "clusters" in o:
            extra.append(f"clusters ours {o['clusters']}" + (f", QGIS {q['clusters']}" if "clusters" in q else ""))
        e, qe = row["ours_e2e"], row.get("qgis_e2e", {})
        if "note" in e:
            extra.append(f"e2e ours: {e['note']}; {e['check']}")
        if "hotspots" in e:
            extra.append(f"e2e hotspots ours {e['hotspots']} (weighted, {e['members']} members)"
                         + (f", QGIS {qe['hotspots']} ({qe['members']} members)" if "hotspots" in qe else ""))
        extra += [f"{k}: {v}" for k, v in row["checks"].items()]
        print(f"{row['n']:>10,}: " + "; ".join(extra))
    print("ratio = baseline time / our time (> 1: ours is faster).")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
