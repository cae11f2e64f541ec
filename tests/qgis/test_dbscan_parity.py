"""Parity of our DBSCAN with QGIS's own ``native:dbscanclustering``, run under real QGIS.

Run from the repository root::

    QT_QPA_PLATFORM=offscreen ENERGIEPLANOLOGIE_ENGINE=$PWD/.venv/bin/python \\
        .venv-qgis/bin/python -m pytest --qgis_disable_gui tests/qgis/test_dbscan_parity.py

How our side is computed: QGIS's Python has no geopandas/scikit-learn and must not load pip wheels of GEOS/GDAL
(DESIGN §7), so the test calls the *engine* — the project's own Python (``ENERGIEPLANOLOGIE_ENGINE``, else
``.venv/bin/python``) — as a subprocess on a file of points, exactly as the plugin does, and reads its labels
back. The engine runs :func:`energieplanologie.clustering.grid_dbscan`, the kernel behind ``hotspots.detect``,
with each of its two algorithms (the grid, and the list of pairs it takes for small sparse data).

What must agree (DBSCAN allows nothing else):

* with *DBSCAN\\** (border points are noise) QGIS labels exactly the core points; both sides must find the same
  core points and the same partition of them into clusters (up to the cluster numbering);
* in classic mode both label the same points; a border point may join any cluster that has a core point within
  ``eps`` of it (QGIS takes the first cluster reaching it, scikit-learn and we the lowest-numbered), so for border
  points we check that each side's cluster is one of those allowed, computed here by brute force.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

qgis_core = pytest.importorskip("qgis.core")

EPS = 40.0
MIN_SIZE = 5


def _points() -> np.ndarray:
    """3000 clustered and noise points, a lattice at exactly eps spacing (ties on the boundary), duplicates."""
    rng = np.random.default_rng(2024)
    centres = rng.uniform((100_000, 400_000), (104_000, 404_000), size=(25, 2))
    sizes = rng.uniform(15, 90, size=25)
    which = rng.integers(0, 25, 2500)
    clustered = centres[which] + rng.normal(size=(2500, 2)) * sizes[which, None]
    noise = rng.uniform((100_000, 400_000), (104_000, 404_000), size=(500, 2))
    # Points 3000…3023: a 6 × 4 lattice with spacing 40 m = eps (d² == eps² exactly in floating point).
    gx, gy = np.meshgrid(np.arange(6) * EPS, np.arange(4) * EPS)
    lattice = np.column_stack([gx.ravel() + 105_000, gy.ravel() + 405_000])
    # Points 3024…3028: five on one spot make a cluster of their own.
    duplicates = np.repeat([[106_000.0, 406_000.0]], 5, axis=0)
    return np.vstack([np.round(clustered, 2), np.round(noise, 2), lattice, duplicates])


def _qgis_labels(qgis_processing, xy: np.ndarray, border_as_noise: bool) -> np.ndarray:
    """CLUSTER_ID per point from native:dbscanclustering (-1 for NULL)."""
    from qgis import processing
    from qgis.core import QgsFeature, QgsField, QgsGeometry, QgsPointXY, QgsVectorLayer
    from qgis.PyQt.QtCore import QMetaType

    layer = QgsVectorLayer("Point?crs=EPSG:28992", "punten", "memory")
    layer.dataProvider().addAttributes([QgsField("idx", QMetaType.Type.Int)])
    layer.updateFields()
    features = []
    for i, (x, y) in enumerate(xy):
        f = QgsFeature(layer.fields())
        f.setAttributes([i])
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
        features.append(f)
    assert layer.dataProvider().addFeatures(features)[0]
    result = processing.run("native:dbscanclustering", {
        "INPUT": layer, "MIN_SIZE": MIN_SIZE, "EPS": EPS, "DBSCAN*": border_as_noise,
        "FIELD_NAME": "CLUSTER_ID", "OUTPUT": "TEMPORARY_OUTPUT",
    })
    labels = np.full(len(xy), -1, dtype=np.int64)
    for f in result["OUTPUT"].getFeatures():
        value = f["CLUSTER_ID"]
        if value is not None and not (hasattr(value, "isNull") and value.isNull()):
            labels[int(f["idx"])] = int(value)
    return labels


def _engine_labels(engine_python: str, xy: np.ndarray, tmp_path, algorithm: str) -> tuple[np.ndarray, np.ndarray]:
    points = tmp_path / "punten.txt"
    np.savetxt(points, xy, fmt="%.6f")
    code = (
        "import json, sys, numpy as np\n"
        "from energieplanologie.clustering import grid_dbscan\n"
        f"xy = np.loadtxt({str(points)!r})\n"
        f"r = grid_dbscan(xy, eps={EPS!r}, min_samples={MIN_SIZE!r}, algorithm={algorithm!r})\n"
        "json.dump({'labels': r.labels.tolist(), 'core': r.core.tolist()}, sys.stdout)\n"
    )
    proc = subprocess.run([engine_python, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    return np.array(out["labels"], dtype=np.int64), np.array(out["core"], dtype=bool)


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal up to relabelling: the pairs (a, b) define a bijection between the cluster numbers."""
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len({p[0] for p in pairs}) == len({p[1] for p in pairs})


@pytest.mark.parametrize("algorithm", ["grid", "pairs"])
def test_core_points_and_clusters_equal_qgis(qgis_processing, engine_python, tmp_path, algorithm):
    xy = _points()
    ours, core = _engine_labels(engine_python, xy, tmp_path, algorithm)
    theirs = _qgis_labels(qgis_processing, xy, border_as_noise=True)
    assert core.sum() > 1000 and ours.max() >= 20  # a real test: many clusters, many core points
    # DBSCAN*: QGIS labels exactly the core points…
    np.testing.assert_array_equal(theirs >= 0, core)
    # …and splits them into the same clusters.
    assert _same_partition(ours[core], theirs[core])
    # The lattice (spacing exactly eps): an interior point sees itself and 4 neighbours at distance == eps → 5,
    # core (it would not be if "within eps" were strict); edge points see 4 and corners 3 → not core.
    i, j = np.meshgrid(np.arange(6), np.arange(4))
    interior = ((i > 0) & (i < 5) & (j > 0) & (j < 3)).ravel()
    np.testing.assert_array_equal(core[3000:3024], interior)
    np.testing.assert_array_equal(theirs[3000:3024] >= 0, interior)
    assert len(set(ours[3000:3024][interior].tolist())) == 1


@pytest.mark.parametrize("algorithm", ["grid", "pairs"])
def test_border_points_as_dbscan_allows(qgis_processing, engine_python, tmp_path, algorithm):
    xy = _points()
    ours, core = _engine_labels(engine_python, xy, tmp_path, algorithm)
    theirs = _qgis_labels(qgis_processing, xy, border_as_noise=False)
    np.testing.assert_array_equal(theirs >= 0, ours >= 0)  # the same points are noise
    assert _same_partition(ours[core], theirs[core])
    # Map QGIS numbers to ours through the core points, then check every border point on both sides.
    to_ours = dict(zip(theirs[core].tolist(), ours[core].tolist(), strict=True))
    border = np.flatnonzero((ours >= 0) & ~core)
    assert border.size > 50
    core_idx = np.flatnonzero(core)
    for i in border:
        d2 = ((xy[core_idx] - xy[i]) ** 2).sum(axis=1)
        allowed = set(ours[core_idx[d2 <= EPS * EPS]].tolist())
        assert ours[i] in allowed and ours[i] == min(allowed)  # ours: scikit-learn's rule
        assert to_ours[int(theirs[i])] in allowed  # QGIS: any cluster that reaches it


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "--qgis_disable_gui"]))
