"""Assertions that an output of the plugin equals the core's result on the same data (``core_results.py``).

Shared by the ``processing.run`` tests (``test_algorithms.py``) and the ``qgis_process`` tests
(``test_qgis_process.py``): whichever way an algorithm ran, its output must carry the core's numbers.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsRasterLayer, QgsVectorLayer, QgsWkbTypes


def rows(layer: QgsVectorLayer) -> list[dict[str, Any]]:
    """Every feature's attributes as a dict (NULL as None)."""
    names = layer.fields().names()
    return [dict(zip(names, [_value(v) for v in f.attributes()], strict=True)) for f in layer.getFeatures()]


def _value(v: Any) -> Any:
    if v is None or (hasattr(v, "isNull") and v.isNull()):
        return None
    return v


def close(a: float | None, b: float | None, tol: float = 1e-9) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)


def vector(path_or_layer: Any, layer: str | None = None) -> QgsVectorLayer:
    """A result as a vector layer (a layer object as ``processing.run`` returns it, or a file ``qgis_process`` wrote)."""
    if isinstance(path_or_layer, QgsVectorLayer):
        return path_or_layer
    uri = str(path_or_layer) + (f"|layername={layer}" if layer else "")
    loaded = QgsVectorLayer(uri, "uitvoer", "ogr")
    assert loaded.isValid(), uri
    return loaded


def check_balance(layer: QgsVectorLayer, core: dict[str, Any], *, year: int | None = None,
                  scenario: str | None = None) -> dict[tuple, dict[str, Any]]:
    """Every station × direction (× year, × scenario unless one is given): capacity, load, headroom, shortage,
    status, first shortage year — and nothing else."""
    assert layer.crs() == QgsCoordinateReferenceSystem("EPSG:28992")
    assert layer.geometryType() == QgsWkbTypes.PointGeometry
    found = rows(layer)
    got = {(r["station_id"], r["scenario"], r["jaar"], r["richting"]): r for r in found}
    want = [b for b in core["balance"] if (year is None or b["year"] == year) and
            (scenario is None or b["scenario"] == scenario)]
    # One feature per key: 16 stations × 2 directions (× 4 years × 3 scenarios for the whole table).
    assert len(found) == len(got) == len(want)
    for expected in want:
        row = got[(expected["station_id"], expected["scenario"], expected["year"], expected["direction"])]
        assert close(row["capaciteit_mw"], expected["capacity_mw"]), expected
        assert close(row["last_mw"], expected["load_mw"]), expected
        assert close(row["ruimte_mw"], expected["headroom_mw"]), expected
        assert close(row["tekort_mw"], expected["shortage_mw"]), expected
        assert row["status"] == expected["status"]
        assert row["eerste_tekortjaar"] == expected["first_shortage_year"]
    return got


def check_hotspots(layer: QgsVectorLayer, members: QgsVectorLayer | None, hexagons: QgsVectorLayer | None, method: str,
                   core: dict[str, Any], *, year: int | None = None) -> list[dict[str, Any]]:
    """The knooppunten (id, year, level, MW, members) of ``year`` (else of every year) and, for Gi*, the hexagons."""
    expected = dict(core["hotspots"][method])
    if year is not None:
        expected["hotspots"] = [h for h in expected["hotspots"] if h["year"] == year]
        expected["members"] = [m for m in expected["members"] if m["year"] == year]
    assert layer.geometryType() == QgsWkbTypes.PolygonGeometry
    found = rows(layer)
    got = {(r["knooppunt_id"], r["jaar"]): r for r in found}
    assert len(found) == len(got)  # one polygon per knooppunt (and year)
    assert set(got) == {(h["hotspot_id"], h["year"]) for h in expected["hotspots"]}
    for h in expected["hotspots"]:
        row = got[(h["hotspot_id"], h["year"])]
        assert row["niveau"] == h["level"] and row["methode"] == method
        assert close(row["totaal_mw"], h["total_mw"]) and close(row["afname_mw"], h["offtake_mw"])
        assert row["aantal_leden"] == h["n_members"]
    if members is not None:
        got_members = {(r["knooppunt_id"], r["lid_id"], r["jaar"]) for r in rows(members)}
        assert got_members == {(m["hotspot_id"], m["member_id"], m["year"]) for m in expected["members"]}
    if hexagons is not None:
        cells = rows(hexagons)
        assert len(cells) == expected["hexagons"]["n"]
        assert sum(1 for h in cells if h["hotspotcel"]) == expected["hexagons"]["hot"]
        assert close(sum(h["mw"] for h in cells), expected["hexagons"]["mw"])
    return found


def check_density(path: str, core: dict[str, Any]) -> None:
    """Grid (origin, cell size, shape) and values (total MW/km², maximum) of the density raster."""
    import numpy as np

    raster = QgsRasterLayer(str(path), "dichtheid", "gdal")
    assert raster.isValid()
    expected = core["density"]
    assert [raster.height(), raster.width()] == expected["shape"]
    a, _b, c, _d, e, f = expected["transform"]
    extent = raster.extent()
    assert (extent.xMinimum(), extent.yMaximum(), raster.rasterUnitsPerPixelX()) == (c, f, a)
    assert raster.rasterUnitsPerPixelY() == -e
    block = raster.dataProvider().block(1, extent, raster.width(), raster.height())
    values = np.frombuffer(bytes(block.data()), dtype=np.float32 if block.dataType() == 6 else np.float64)
    values = values[np.isfinite(values)]
    assert math.isclose(float(values.sum()), expected["sum"], rel_tol=1e-6)
    assert math.isclose(float(values.max()), expected["max"], rel_tol=1e-6)


def check_assessment(layer: QgsVectorLayer, core: dict[str, Any]) -> None:
    """Per project: weighted score, rank and the level of every criterion A–G."""
    got = {r["project_id"]: r for r in rows(layer)}
    assert set(got) == {r["project_id"] for r in core["assessment"]}
    for expected in core["assessment"]:
        row = got[expected["project_id"]]
        assert close(row["gewogen_score"], expected["weighted_score"]) and row["rang"] == expected["rank"]
        for criterion in "ABCDEFG":
            assert (row[criterion] or None) == expected.get(criterion), (expected["project_id"], criterion)


def check_project_list(csv_path: str, core: dict[str, Any]) -> None:
    """The projectenlijst: the document's columns, the projects in the core's order."""
    text = Path(csv_path).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline=""), dialect=csv.Sniffer().sniff(text[:4096], delimiters=",;")))
    assert table[0] == core["pmiek"]["columns"]
    assert [r[0] for r in table[1:]] == core["pmiek"]["names"]


def check_overviews(folder: str, core: dict[str, Any]) -> None:
    """Per municipality: name, years, MW by sector and year, and the stations' status per year."""
    from energieplanologie_qgis.overview_data import read_overview

    for code, expected in core["overview"].items():
        tables = read_overview(folder, code)
        assert tables.name == expected["name"] and tables.years == expected["years"]
        # The engine writes gemeenten/<code>.json beside the page: the plugin reads the core's numbers unrounded
        # (the page itself shows one decimal).
        assert Path(folder, "gemeenten", f"{code}.json").is_file()
        got = [(r.direction, [r.values[y] for y in tables.years]) for r in tables.sectors]
        want = [(r["direction"], [r["values"][str(y)] for y in expected["years"]]) for r in expected["sectors"]]
        assert [d for d, _ in got] == [d for d, _ in want], code
        for (_, g), (_, w) in zip(got, want, strict=True):
            assert g == pytest.approx(w, rel=1e-12, abs=1e-9), code
        got_status = {(s.station_id, s.direction): s.status for s in tables.stations}
        assert got_status == {(s["station_id"], s["direction"]): {int(y): v for y, v in s["status"].items()}
                              for s in expected["stations"]}


def check_map(path: str, core: dict[str, Any]) -> None:
    """One self-contained page naming the region and its municipalities."""
    text = Path(path).read_text(encoding="utf-8")
    for name in [m["name"] for m in core["municipalities"]] + ["Zeeuws-Vlaanderen"]:
        assert name in text
    assert '<script src="http' not in text  # all JavaScript inlined: opens without internet
