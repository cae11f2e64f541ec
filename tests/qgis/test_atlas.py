"""*Gemeenteatlas*: a print layout with an atlas over the municipalities, saved as .qgz and exported as PDF.

Run once on the sample region as from the toolbox; the tests open the written project as a user would and read
the PDF with poppler's ``pdfinfo``/``pdftotext``. A page is rendered to ``test-artifacts/`` (and, copied by hand,
into ``docs/qgis/``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("qgis.core")

from conftest import ARTIFACTS, RecordingFeedback, sample_parameters
from qgis.core import QgsLayoutItemAttributeTable, QgsLayoutItemMap, QgsProject


def _pdf(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} ontbreekt (apt-get install poppler-utils)")
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.fixture(scope="module")
def atlas_run(provider: object, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    import processing

    folder = tmp_path_factory.mktemp("atlas")
    feedback = RecordingFeedback.make()
    result = processing.run("energieplanologie:municipality_atlas", sample_parameters(
        OUTPUT_PROJECT=str(folder / "zeeuws-vlaanderen.qgz"), OUTPUT_PDF=str(folder / "atlas.pdf")),
        feedback=feedback)
    return {"result": result, "feedback": feedback, "folder": folder}


def test_the_atlas_pdf_has_one_page_per_municipality(atlas_run: dict[str, Any]) -> None:
    result = atlas_run["result"]
    assert result["PAGES"] == 3 and result["ROWS_REJECTED"] == 0
    info = _pdf("pdfinfo", result["OUTPUT_PDF"])
    assert "Pages:           3" in info
    assert "842 x 595 pts (A4)" in info  # A4 landscape by default


def test_each_page_shows_its_own_municipality_with_the_engines_numbers(atlas_run: dict[str, Any]) -> None:
    pdf = atlas_run["result"]["OUTPUT_PDF"]
    pages = [_pdf("pdftotext", "-f", str(n), "-l", str(n), "-layout", pdf, "-") for n in (1, 2, 3)]
    # Sorted by name: Hulst, Sluis, Terneuzen; the title names the municipality, year and scenario.
    assert [p.split("\n")[0].strip() for p in pages] == ["Gemeente Hulst", "Gemeente Sluis", "Gemeente Terneuzen"]
    assert all("2040 · scenario verwacht" in p for p in pages)
    # Hulst 50 kV (HST) in 2025, by hand from capaciteit.csv ("HST;2025;45;25;26;14", no development yet): room
    # for offtake 45 − 26 = 19,0 MW and for feed-in 25 − 14 = 11,0 MW — in Dutch notation, on Hulst's page only.
    hst = [line for line in pages[0].splitlines() if "Hulst 50 kV (HST)" in line]
    assert [line.split("(HST)")[1].split()[:2] for line in hst] == [["Afname", "19,0"], ["Invoeding", "11,0"]]
    assert "Hulst 50 kV (HST)" not in pages[2]
    # Each page lists its own knooppunt and projects (filtered on the atlas feature).
    assert "Knooppunt Hulst" in pages[0] and "Knooppunt Sluiskil" not in pages[0]
    assert "Knooppunt Oostburg" in pages[1] and "Netbatterij Oostburg" in pages[1]
    assert "Knooppunt Sluiskil" in pages[2] and "150 kV station Kanaalzone" in pages[2]
    assert "Gemeenten" in pages[0] and "Legenda" not in pages[0]  # the legend's groups, no empty title


def test_the_project_opens_with_its_atlas_over_the_municipalities(atlas_run: dict[str, Any]) -> None:
    path = atlas_run["result"]["OUTPUT_PROJECT"]
    assert Path(path).is_file() and Path(path).with_name("zeeuws-vlaanderen_gegevens.gpkg").is_file()
    project = QgsProject()
    try:
        assert project.read(path)
        layout = project.layoutManager().layoutByName("Gemeenteatlas")
        atlas = layout.atlas()
        assert atlas.enabled() and atlas.coverageLayer().name() == "Gemeenten"
        assert atlas.coverageLayer().featureCount() == 3 and atlas.coverageLayer().isValid()
        assert all(layer.isValid() for layer in project.mapLayers().values())
        maps = [item for item in layout.items() if isinstance(item, QgsLayoutItemMap)]
        assert len(maps) == 1 and maps[0].atlasDriven()
        tables = [frame.multiFrame() for frame in layout.items()
                  if hasattr(frame, "multiFrame") and isinstance(frame.multiFrame(), QgsLayoutItemAttributeTable)]
        assert {t.vectorLayer().name() for t in tables} == {"Tabel vermogen per sector", "Tabel stations",
                                                            "Tabel projecten", "Tabel knooppunten"}
        assert all("@atlas_feature" in t.featureFilter() for t in tables)
        # The map layers carry the shipped styles (the user restyles them in this project).
        balance = project.mapLayersByName("Stations (balans)")[0]
        assert {c.value() for c in balance.renderer().categories()} == {"rood", "oranje", "groen", "onbekend"}
        assert {f["jaar"] for f in balance.getFeatures()} == {2040} and balance.featureCount() == 32
    finally:
        project.clear()


def test_an_atlas_page_as_picture(atlas_run: dict[str, Any]) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm ontbreekt (apt-get install poppler-utils)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "qgis_gemeenteatlas"
    subprocess.run(["pdftoppm", "-f", "3", "-l", "3", "-r", "110", "-png", "-singlefile",
                    atlas_run["result"]["OUTPUT_PDF"], str(target)], check=True, timeout=120)
    from qgis.PyQt.QtGui import QColor, QImage

    image = QImage(str(target) + ".png")
    # A4 landscape at 110 dpi: 842 × 595 pt → 1287 × 910 pixels (rounded up).
    assert (image.width(), image.height()) == (1287, 910)
    colours = {QColor(image.pixel(x, y)).name() for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    # Terneuzen's stations table has shortage cells (Sluiskil and Terneuzen 150 kV in 2030: the dock's red) and
    # the neighbours are greyed: 205 at alpha 200 over white is 255 − 200/255 × (255 − 205) = 215.8, drawn as 215.
    assert "#f4b0b1" in colours and "#d7d7d7" in colours


def test_a3_landscape(provider: object, tmp_path: Path) -> None:
    import processing

    result = processing.run("energieplanologie:municipality_atlas", sample_parameters(
        PAGE_SIZE=1, OUTPUT_PROJECT=str(tmp_path / "a3.qgz"), OUTPUT_PDF=str(tmp_path / "a3.pdf")),
        feedback=RecordingFeedback.make())
    info = _pdf("pdfinfo", result["OUTPUT_PDF"])
    assert "Pages:           3" in info and "1191 x 842 pts (A3)" in info
