"""QGIS round trip: ``processing.run("energieplanologie:station_balance")`` on the sample region, click to result.

Runs in QGIS's own Python (``/usr/bin/python3``) with the plugin from this checkout and the engine named by
``ENERGIEPLANOLOGIE_ENGINE`` (``run.py`` passes its own Python). Three figures, each the best of ``repeat``:

* **cold** — ``ENERGIEPLANOLOGIE_WARM=0``: every run starts a fresh engine process (imports included);
* **warm** — the session's warm engine (started once before the clock, as after a user's first click);
* **engine** — the engine's own time for the same call inside the warm process (reading the layers the plugin
  wrote, allocation, balance for every scenario, writing its outputs), as the server reports it.

The target of issue 19: warm ≤ 2 × engine + 0.5 s.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import _harness as harness

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "energieplanologie" / "sample_data" / "zeeuws-vlaanderen"
MAPPINGS = {  # as in the sample's project.toml (and tests/qgis/conftest.py)
    "MUNICIPALITIES_MAPPING": "municipality_code=statcode; name=statnaam; province=provincie",
    "DEVELOPMENTS_MAPPING": "development_id=id; name=naam; programme=programma; carrier=energiedrager; "
                            "offtake_mw=afname_mw; feedin_mw=invoeding_mw; year=jaar; certainty=zekerheid",
}


def _parameters() -> dict[str, Any]:
    from qgis.core import QgsVectorLayer

    kept: list[QgsVectorLayer] = []

    def layer(uri: str, name: str) -> QgsVectorLayer:
        loaded = QgsVectorLayer(uri, name, "ogr")
        assert loaded.isValid(), uri
        kept.append(loaded)
        return loaded

    s = SAMPLE
    return {
        "MUNICIPALITIES": layer(f"{s}/gemeenten.geojson", "gemeenten"),
        "STATIONS": layer(f"{s}/stations.gpkg|layername=stations", "stations"),
        "STATION_CAPACITY": layer(f"{s}/capaciteit.csv", "capaciteit"),
        "INFRASTRUCTURE": [layer(f"{s}/projecten.gpkg|layername=projecten|geometrytype=Point", "punten"),
                           layer(f"{s}/projecten.gpkg|layername=projecten|geometrytype=LineString", "lijnen")],
        "DEVELOPMENTS": [layer(f"{s}/ontwikkelingen.gpkg|layername=ontwikkelingen|geometrytype=Point", "punten"),
                         layer(f"{s}/ontwikkelingen.gpkg|layername=ontwikkelingen|geometrytype=Polygon", "vlakken")],
        "CONSTRAINTS": [layer(f"{s}/beperkingen.gpkg|layername=beperkingen", "beperkingen")],
        **MAPPINGS, "REGION_NAME": "Zeeuws-Vlaanderen", "SCENARIO": 1, "YEARS": "2025, 2030, 2035, 2040",
        "OUTPUT": "TEMPORARY_OUTPUT",
    }


def run(repeat: int) -> None:
    """Measure cold, warm and the engine's own time; emit one result line."""
    sys.path.insert(0, str(ROOT / "qgis_plugin"))
    app = harness.qgis_start()
    import processing
    from energieplanologie_qgis import engine_warm
    from energieplanologie_qgis.engine import find_engine
    from energieplanologie_qgis.processing.provider import EnergieplanologieProvider
    from qgis.core import QgsApplication, QgsProcessingFeedback

    provider = EnergieplanologieProvider(find_engine(setting=""))
    QgsApplication.processingRegistry().addProvider(provider)
    params = _parameters()

    def once() -> float:
        t0 = time.perf_counter()
        result = processing.run("energieplanologie:station_balance", params, feedback=QgsProcessingFeedback())
        assert result.get("OUTPUT"), result
        return time.perf_counter() - t0

    os.environ[engine_warm.WARM_ENV_VAR] = "0"
    cold = min(once() for _ in range(max(1, repeat)))
    os.environ[engine_warm.WARM_ENV_VAR] = "1"
    first = once()  # starts the warm engine (the user's first click of the session)
    warm, engine = float("inf"), float("inf")
    for _ in range(max(1, repeat)):
        warm = min(warm, once())
        server = next(iter(engine_warm._SERVERS.values()))
        engine = min(engine, server.last_seconds or float("inf"))
    engine_warm.stop_warm_engines()
    target = 2 * engine + 0.5
    harness.emit({"seconds": warm, "cold_s": round(cold, 3), "warm_s": round(warm, 3), "engine_s": round(engine, 3),
                  "first_warm_s": round(first, 3), "target_s": round(target, 3), "met": warm <= target,
                  "note": f"cold {cold:.2f} s, warm {warm:.2f} s (first warm click {first:.2f} s), engine's own "
                          f"{engine:.2f} s; target warm ≤ 2 × engine + 0.5 = {target:.2f} s: "
                          f"{'met' if warm <= target else 'MISSED'}"})
    QgsApplication.processingRegistry().removeProvider(provider)
    app.exitQgis()
