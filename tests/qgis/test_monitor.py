"""*Voortgangstoets (borgen)* under real QGIS: ``processing.run("energieplanologie:monitor")`` on the sample region
and its status_2026H1.csv loaded as a QGIS table, its tables equal to the core's ``ep.monitor`` on the same files
(parity), and a bad status row stopping the algorithm with the row and column named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("qgis.core")

from conftest import SAMPLE_DIR, RecordingFeedback, engine_eval, owned, sample_parameters
from qgis.core import QgsProcessingException, QgsProject, QgsVectorLayer

CORE = """
import json
import energieplanologie as ep
from energieplanologie.io import read_layer
from energieplanologie.sample import SAMPLE_CONFIG
from pathlib import Path
result = ep.monitor(ep.load_sample(), read_layer(Path(SAMPLE_CONFIG).parent / "status_2026H1.csv", "status").data)
print(json.dumps({
    "delay": {r.project_id: (None if r.delay_years is None or str(r.delay_years) == "<NA>" else int(r.delay_years))
              for r in result.progress.itertuples()},
    "rows": [[r.station_id, r.direction, int(r.year), round(r.shortage_planned_mw, 6),
              round(r.shortage_expected_mw, 6), r.causing_projects] for r in result.consequences.itertuples()],
}))
"""


def status_layer(path: Path) -> QgsVectorLayer:
    """A status CSV as a QGIS user adds it (Layer › Add Delimited Text, no geometry)."""
    uri = f"{path.as_uri()}?type=csv&delimiter=;&detectTypes=yes&geomType=none&encoding=UTF-8"
    layer = QgsVectorLayer(uri, "statusmeldingen", "delimitedtext")
    assert layer.isValid(), uri
    return owned(layer)


def run(parameters: dict[str, Any], feedback: Any = None) -> tuple[dict[str, Any], Any]:
    import processing

    feedback = feedback or RecordingFeedback.make()
    return processing.run("energieplanologie:monitor", parameters, feedback=feedback), feedback


@pytest.fixture(scope="module")
def core(engine_python: str) -> dict[str, Any]:
    return json.loads(engine_eval(engine_python, CORE))


def test_monitor_equals_the_core(provider: object, core: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "voortgang"
    result, feedback = run(sample_parameters(STATUS=status_layer(SAMPLE_DIR / "status_2026H1.csv"),
                                             OUTPUT_FOLDER=str(out), OUTPUT_PROGRESS="TEMPORARY_OUTPUT",
                                             OUTPUT_CONSEQUENCES="TEMPORARY_OUTPUT"))
    assert feedback.errors == []
    assert result["PROJECTS_DELAYED"] == 2 and result["ROWS_CHANGED"] == len(core["rows"]) == 3
    assert Path(result["OUTPUT_HTML"]) == out / "voortgang.html" and (out / "voortgang.xlsx").is_file()
    progress = result["OUTPUT_PROGRESS"]
    progress = progress if isinstance(progress, QgsVectorLayer) else QgsProject.instance().mapLayer(progress)
    delays = {f["project_id"]: f["vertraging_jaren"] for f in progress.getFeatures()}
    assert {k: (None if v in (None, "") or v != v else int(v)) for k, v in delays.items()} == core["delay"]
    consequences = result["OUTPUT_CONSEQUENCES"]
    rows = [[f["station_id"], f["richting"], int(f["jaar"]), round(float(f["tekort_gepland_mw"]), 6),
             round(float(f["tekort_verwacht_mw"]), 6), f["oorzaak_projecten"]] for f in consequences.getFeatures()]
    direction = {"offtake": "afname", "feedin": "invoeding"}
    assert rows == [[s, direction[d], y, p, e, c] for s, d, y, p, e, c in core["rows"]]


def test_an_unknown_project_stops_with_row_and_column(provider: object, tmp_path: Path) -> None:
    bad = tmp_path / "status.csv"
    bad.write_text("projectcode;peildatum;status;verwacht_gereed\nP01;30-06-2026;vertraagd;2031\n"
                   "P77;30-06-2026;vertraagd;2031\n", encoding="utf-8")
    feedback = RecordingFeedback.make()
    with pytest.raises(QgsProcessingException) as info:
        run(sample_parameters(STATUS=status_layer(bad), OUTPUT_FOLDER=str(tmp_path / "uit"),
                              OUTPUT_PROGRESS="TEMPORARY_OUTPUT", OUTPUT_CONSEQUENCES="TEMPORARY_OUTPUT"), feedback)
    said = "\n".join([str(info.value), *feedback.errors])
    assert "rij 2" in said and "kolom projectcode (project_id): onbekend project" in said and "P77" in said
    assert "Statusmeldingen (laag 'statusmeldingen')" in said and "status.gpkg" not in said
    assert not (tmp_path / "uit" / "voortgang.html").exists()
