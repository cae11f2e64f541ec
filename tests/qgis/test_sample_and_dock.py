"""*Voorbeeldregio laden* (the sample as a styled, grouped project) and the dock *Energieplanologie — gemeente*.

The sample is computed once per session (``sample_run`` in ``conftest.py``, through
``processing.runAndLoadResults``); the dock reads that output folder. Pictures of the styled project and of the
dock go to ``test-artifacts/`` (and, copied by hand, into ``docs/qgis/``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("qgis.core")

from conftest import ARTIFACTS
from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication, QSize, Qt
from qgis.PyQt.QtGui import QColor
from qgis.PyQt.QtWidgets import QLabel

RD = QgsCoordinateReferenceSystem("EPSG:28992")
REGION_EXTENT = QgsRectangle(12000, 352000, 70000, 392000)


def wait_for(condition: Any, timeout_s: float = 600.0) -> bool:
    """Process Qt events until ``condition()`` holds (tasks report back through the event loop)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents()
        time.sleep(0.02)
    return True


def render(layers: list[Any], extent: QgsRectangle, path: Path, size: QSize | None = None) -> Any:
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(RD)
    settings.setExtent(extent)
    settings.setOutputSize(size or QSize(1400, 966))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    path.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(path))
    return image, settings


def colour_at(image: Any, settings: QgsMapSettings, x: float, y: float) -> QColor:
    point = settings.mapToPixel().transform(x, y)
    return QColor(image.pixel(round(point.x()), round(point.y())))


def names(tree: list[Any]) -> list[Any]:
    return [[item[0], names(item[1])] if isinstance(item, list) else item[0] for item in tree]


# ------------------------------------------------------------------------------------------------ sample


def test_sample_is_loaded_grouped_in_order(sample_run: dict[str, Any]) -> None:
    assert sample_run["results"]["LAYERS_LOADED"] == 15
    assert names(sample_run["tree"]) == [
        ["Analyse", ["Knooppunten 2040 — verwacht", "Stationsbalans 2040 — verwacht", "Flexbehoefte — verwacht",
                     "Gi*-hexagonen"]],
        ["Invoer", ["Stations", "Infrastructuur (punten)", "Infrastructuur (lijnen)", "Ontwikkelingen (punten)",
                    "Ontwikkelingen (vlakken)", "Beperkingen", "Gemeenten"]],
        "Dichtheid (MW/km²)",
        ["Tabellen", ["Stationscapaciteit", "Knooppuntleden 2040 — verwacht", "Afweging (A–H)"]],
    ]


def test_sample_layers_hold_the_region(sample_run: dict[str, Any], core: dict[str, Any]) -> None:
    layers = {item[0]: item[1] for group in sample_run["tree"] if isinstance(group, list) for item in group[1]}
    counts = core["counts"]
    assert layers["Stations"].featureCount() == counts["stations"]
    assert layers["Gemeenten"].featureCount() == counts["municipalities"]
    # 21 point and 39 polygon developments; 6 point and 5 line projects (mixed GeoPackage layers split by type;
    # the sixth point is the flex asset P11, the battery at Hulst 50 kV of issue 20).
    assert layers["Ontwikkelingen (punten)"].featureCount() + layers["Ontwikkelingen (vlakken)"].featureCount() == \
        counts["developments"] == 60
    assert layers["Infrastructuur (punten)"].featureCount() + layers["Infrastructuur (lijnen)"].featureCount() == \
        counts["infrastructure"] == 11
    # Filtered to the last year (and the chosen scenario): 16 stations × 2 directions; the 2040 knooppunten.
    assert layers["Stationsbalans 2040 — verwacht"].featureCount() == 32
    assert layers["Knooppunten 2040 — verwacht"].featureCount() == sum(
        1 for h in core["hotspots"]["dbscan"]["hotspots"] if h["year"] == 2040)
    assert layers["Stationscapaciteit"].featureCount() == counts["station_capacity"]
    # Every shortage window of the chosen scenario, whatever its years (flexbehoefte.csv of the sample, verwacht):
    # Hulst feed-in 2035–2040, Sluiskil, Terneuzen (2030) and Westdorpe (2035) offtake.
    flex = layers["Flexbehoefte — verwacht"]
    assert sorted(f["station_id"] for f in flex.getFeatures()) == ["HST", "SKL", "TNZ", "WDO"]


def test_sample_layers_are_styled(sample_run: dict[str, Any]) -> None:
    layers = {item[0]: item[1] for group in sample_run["tree"] if isinstance(group, list) for item in group[1]}
    visible = {item[0]: item[2] for group in sample_run["tree"] if isinstance(group, list) for item in group[1]}

    def categories(title: str) -> dict[str, str]:
        return {c.value(): c.label() for c in layers[title].renderer().categories()}

    assert categories("Stationsbalans 2040 — verwacht")["rood"] == "Tekort"
    assert categories("Knooppunten 2040 — verwacht") == {"national": "Nationaal", "provincial": "Provinciaal",
                                                        "local": "Lokaal"}
    assert categories("Ontwikkelingen (punten)")["housing"] == "Woningbouw"
    assert categories("Ontwikkelingen (vlakken)")["renewables"] == "Opwek (RES)"
    assert categories("Infrastructuur (lijnen)")["h2_pipeline"] == "Waterstofleiding"
    assert categories("Infrastructuur (punten)")["station_new"] == "Nieuw station"
    assert categories("Beperkingen")["natura2000"] == "Natura 2000"
    assert categories("Gi*-hexagonen")["hot"].startswith("Significante hotspotcel")
    # The shortage windows as on kaart.html: a dashed purple ring, labelled in Dutch with MW, years and project.
    flex = layers["Flexbehoefte — verwacht"]
    ring = flex.renderer().symbol().symbolLayer(0)
    assert ring.strokeColor().name() == "#6a1b9a" and ring.fillColor().alpha() == 0
    assert ring.strokeStyle() == Qt.DashLine
    assert flex.labelsEnabled()
    expression = QgsExpression(flex.labeling().settings().fieldName)
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(flex))
    text = {}
    for feature in flex.getFeatures():
        context.setFeature(feature)
        text[feature["station_id"]] = expression.evaluate(context)
    # Hulst: 9.9965… MW feed-in 2035–2040, no project ends it; Sluiskil 30.78… MW offtake in 2030 only, ended by P06.
    assert text["HST"] == "10,0 MW flex, 2035–2040 (nog geen project)"
    assert text["SKL"] == "30,8 MW flex, 2030 (opgelost door P06)"
    # Drawn under the balance, or mostly of interest as a table: loaded but unchecked.
    assert visible["Stations"] is False and visible["Gi*-hexagonen"] is False
    raster = next(item[1] for item in sample_run["tree"] if not isinstance(item, list))
    assert raster.renderer().type() == "singlebandpseudocolor"


def test_sample_picture(sample_run: dict[str, Any]) -> None:
    root = QgsProject.instance().layerTreeRoot().findGroup("Voorbeeldregio Zeeuws-Vlaanderen")
    layers = [node.layer() for node in root.findLayers() if node.isVisible()]
    image, settings = render(layers, REGION_EXTENT, ARTIFACTS / "qgis_voorbeeldregio.png")
    stations = QgsVectorLayer(f"{sample_run['folder']}/energieplanologie.gpkg|layername=stations", "s", "ogr")
    where = {f["station_id"]: f.geometry().asPoint() for f in stations.getFeatures()}
    # Borssele 380 kV has room in both directions in 2040 (verwacht): the balance's green of stations_balance.qml
    # (39, 174, 96), drawn over the Natura 2000 hatching. Koewacht (KWT) has no capacity data: grey (158, 158, 158).
    assert colour_at(image, settings, where["BSL"].x(), where["BSL"].y()).name() == "#27ae60"
    assert colour_at(image, settings, where["KWT"].x(), where["KWT"].y()).name() == "#9e9e9e"
    del stations


# ------------------------------------------------------------------------------------------------ dock


@pytest.fixture
def dock(load_plugin: Any, with_engine: str, qgis_iface: Any, tmp_path: Path) -> Any:
    plugin = load_plugin()
    assert plugin.dock is not None
    plugin.dock.sample_folder = str(tmp_path / "voorbeeldregio")
    return plugin.dock


def cell(table: Any, row: int, column: int) -> str:
    return table.item(row, column).text()


def test_dock_lists_the_municipalities_of_an_output_folder(dock: Any, sample_run: dict[str, Any]) -> None:
    found = dock.set_folder(str(sample_run["folder"]))
    assert found == [("GM0677", "Hulst"), ("GM1714", "Sluis"), ("GM0715", "Terneuzen")]
    assert [dock.municipality_combo.itemText(i) for i in range(dock.municipality_combo.count())] == [
        "Hulst", "Sluis", "Terneuzen"]
    assert dock.municipality_combo.itemData(0, Qt.ToolTipRole) == "GM0677"
    assert dock.set_folder(str(sample_run["folder"] / "pmiek")) == []
    assert "Geen gemeenteoverzichten" in dock.status_label.text()


def test_dock_shows_a_municipality_with_the_core_numbers(dock: Any, sample_run: dict[str, Any], core: dict[str, Any],
                                                         qgis_iface: Any) -> None:
    canvas = qgis_iface.mapCanvas()
    canvas.setDestinationCrs(RD)  # a Dutch project
    canvas.setExtent(REGION_EXTENT)
    dock.set_folder(str(sample_run["folder"]))
    assert dock.select_municipality("GM0715")
    expected = core["overview"]["GM0715"]
    years = expected["years"]
    # One year at a time (the last by default), offtake and feed-in side by side: three columns.
    assert [dock.year_combo.itemText(i) for i in range(dock.year_combo.count())] == [str(y) for y in years]
    assert dock.current_year() == 2040
    table = dock.sector_table
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == ["Sector", "Afn.", "Inv."]
    assert table.horizontalHeaderItem(2).toolTip() == "Invoeding 2040 (MW)"

    def rows_by_name() -> dict[str, int]:
        return {table.item(r, 0).text(): r for r in range(table.rowCount())}

    for year in (2040, 2030):
        assert dock.select_year(year)
        names = rows_by_name()
        for row in expected["sectors"]:
            plain = row["carrier"] == "electricity" or row["sector"] == "total"
            name = row["sector_label"] if plain else f"{row['carrier_label']}: {row['sector_label']}"
            column = 1 if row["direction"] == "offtake" else 2
            got = table.item(names[name], column).data(Qt.UserRole)
            assert got == pytest.approx(row["values"][str(year)], rel=1e-12, abs=1e-9), (year, name)
    # By hand, from the page and the core: Terneuzen's electricity offtake totals 234.2 MW in 2040 and 168.2 MW in
    # 2030, written by the engine in Dutch notation.
    assert dock.select_year(2040)
    total = rows_by_name()["Totaal elektriciteit"]
    assert table.item(total, 1).text() == "234,2" and table.item(total, 0).font().bold()
    assert dock.select_year(2030) and table.item(total, 1).text() == "168,2"
    # The stations serving it: the chosen year's status as cell colour and data, as the core computed them.
    stations = dock.station_table
    assert [stations.horizontalHeaderItem(c).text() for c in range(3)] == ["Station", "Afn.", "Inv."]
    station_ids = list(dict.fromkeys(s["station_id"] for s in expected["stations"]))
    assert stations.rowCount() == len(station_ids)
    colours = {"green": "#bfe5c6", "amber": "#fbe0a6", "red": "#f4b0b1", "unknown": "#e0e0e0"}
    for year in (2030, 2040):
        assert dock.select_year(year)
        for row in expected["stations"]:
            r = station_ids.index(row["station_id"])
            assert stations.item(r, 0).text().startswith(f"{row['station_id']} · ")
            item = stations.item(r, 1 if row["direction"] == "offtake" else 2)
            status = row["status"][str(year)]
            assert item.data(Qt.UserRole) == status
            assert item.background().color().name() == colours[status]
    # Sluiskil 150 kV (SKL) is short for offtake in 2030: −30,8 MW, red (the atlas and the page say the same).
    assert dock.select_year(2030)
    skl = stations.item(station_ids.index("SKL"), 1)
    assert (skl.text(), skl.data(Qt.UserRole)) == ("-30,8", "red")
    assert "Terneuzen" in dock.summary_label.text()
    # The summary line speaks of the year the tables show, not of the reference year only.
    assert "elektriciteit in 2030" in dock.summary_label.text()
    assert dock.select_year(2040) and "elektriciteit in 2040" in dock.summary_label.text()
    # The buttons open the engine's own page and picture.
    assert dock.html_button.isEnabled() and dock.png_button.isEnabled()
    assert dock.tables.html.endswith("GM0715.html") and Path(dock.tables.png).is_file()
    # The map zoomed to Terneuzen (the municipality fills the view, with a margin).
    extent = canvas.extent()
    layer = QgsVectorLayer(f"{sample_run['folder']}/energieplanologie.gpkg|layername=gemeenten", "g", "ogr")
    box = next(f.geometry().boundingBox() for f in layer.getFeatures() if f["gemeentecode"] == "GM0715")
    assert extent.contains(box), (extent.toString(), box.toString())
    assert min(extent.width() / box.width(), extent.height() / box.height()) < 1.2 and dock.zoom_button.isEnabled()
    del layer


def test_dock_follows_the_latest_output_folder(dock: Any, sample_run: dict[str, Any], tmp_path: Path) -> None:
    import processing

    dock.set_folder(str(sample_run["folder"]))
    assert dock.select_municipality("GM1714")
    # Voorbeeldregio laden into another folder in the same session: the dock shows the new folder, same municipality.
    folder = tmp_path / "nieuw"
    result = processing.run("energieplanologie:load_sample", {"OUTPUT_FOLDER": str(folder)})
    assert result["OUTPUT_FOLDER"] == str(folder)
    QCoreApplication.processEvents()
    assert dock.folder == str(folder) and dock.folder_widget.filePath() == str(folder)
    assert dock.current_code() == "GM1714" and dock.tables is not None and dock.tables.html.startswith(str(folder))


#: QGIS's panels (Layers, Browser) on a fresh profile: about 300 pixels wide.
DEFAULT_DOCK_WIDTH = 300


def test_dock_fits_the_default_dock_width(dock: Any, sample_run: dict[str, Any], qgis_iface: Any) -> None:
    from qgis.PyQt.QtWidgets import QMainWindow

    window = QMainWindow()
    window.resize(1366, 768)
    window.setCentralWidget(QLabel("kaart"))
    window.addDockWidget(Qt.RightDockWidgetArea, dock)
    dock.setVisible(True)
    window.resizeDocks([dock], [DEFAULT_DOCK_WIDTH], Qt.Horizontal)
    window.show()
    dock.set_folder(str(sample_run["folder"]))
    dock.select_municipality("GM0715")
    for _ in range(10):
        QCoreApplication.processEvents()
    try:
        assert dock.width() <= DEFAULT_DOCK_WIDTH + 2 and dock.minimumSizeHint().width() <= DEFAULT_DOCK_WIDTH
        for index, table in enumerate((dock.sector_table, dock.station_table)):
            dock.tabs.setCurrentIndex(index)
            for _ in range(5):
                QCoreApplication.processEvents()
            # Every column in view (no horizontal scrolling) and no number cut short.
            assert not table.horizontalScrollBar().isVisible()
            widths = [table.columnWidth(c) for c in range(table.columnCount())]
            assert sum(widths) <= table.viewport().width() + 1
            metrics = table.fontMetrics()
            for r in range(table.rowCount()):
                for c in (1, 2):
                    assert metrics.horizontalAdvance(table.item(r, c).text()) < widths[c], (r, c)
    finally:
        window.removeDockWidget(dock)
        dock.setParent(qgis_iface.mainWindow())  # back to QGIS's window: the plugin removes it on unload
        window.close()


class WindowIface:
    """The parts of ``iface`` the dock uses, for a window of the test's own (a real canvas beside the dock)."""

    def __init__(self, canvas: Any, iface: Any) -> None:
        self.canvas, self.iface = canvas, iface

    def mapCanvas(self) -> Any:
        return self.canvas

    def messageBar(self) -> Any:
        return self.iface.messageBar()


def test_dock_screenshot(dock: Any, sample_run: dict[str, Any], qgis_iface: Any) -> None:
    from qgis.gui import QgsMapCanvas
    from qgis.PyQt.QtWidgets import QMainWindow

    window = QMainWindow()
    window.resize(1366, 768)  # a common laptop screen, QGIS maximised
    canvas = QgsMapCanvas(window)
    canvas.setDestinationCrs(RD)
    canvas.setCanvasColor(QColor("white"))
    root = QgsProject.instance().layerTreeRoot().findGroup("Voorbeeldregio Zeeuws-Vlaanderen")
    canvas.setLayers([node.layer() for node in root.findLayers() if node.isVisible()])
    window.setCentralWidget(canvas)
    dock.iface = WindowIface(canvas, qgis_iface)
    window.addDockWidget(Qt.RightDockWidgetArea, dock)
    dock.setVisible(True)
    window.resizeDocks([dock], [DEFAULT_DOCK_WIDTH], Qt.Horizontal)
    window.show()
    dock.set_folder(str(sample_run["folder"]))
    dock.select_municipality("GM0715")
    dock.select_year(2030)
    assert wait_for(lambda: not canvas.isDrawing(), 120)
    canvas.waitWhileRendering()
    # Let the flash of the municipality's outline (three short blinks) pass.
    deadline = time.monotonic() + 2.0
    wait_for(lambda: time.monotonic() > deadline, 5)
    canvas.waitWhileRendering()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(ARTIFACTS / "qgis_gemeentepaneel_sectoren.png"))
    dock.tabs.setCurrentIndex(1)
    for _ in range(10):
        QCoreApplication.processEvents()
    assert window.grab().save(str(ARTIFACTS / "qgis_gemeentepaneel.png"))
    image = window.grab().toImage()
    assert (image.width(), image.height()) == (1366, 768)
    # The station table shows Terneuzen's shortage cells of 2030 (Sluiskil and Terneuzen 150 kV) in the dock.
    left = 1366 - DEFAULT_DOCK_WIDTH
    colours = {QColor(image.pixel(x, y)).name() for x in range(left, 1366, 3) for y in range(150, 760, 3)}
    assert "#f4b0b1" in colours
    window.removeDockWidget(dock)
    dock.setParent(qgis_iface.mainWindow())  # back to QGIS's window: the plugin removes it on unload
    window.close()
    canvas.setLayers([])


def test_dock_computes_the_sample_in_a_task_and_cancel_stops_the_engine(dock: Any) -> None:
    assert dock.compute_sample() is True
    assert dock.cancel_button.isVisibleTo(dock) and not dock.sample_button.isEnabled()
    assert dock.compute_sample() is False  # one at a time
    # The GUI thread stays free: events are processed while the engine works.
    assert wait_for(lambda: dock.progress.value() > 0 or dock._running is None, 300)
    dock.cancel()
    assert wait_for(lambda: dock._running is None, 120)
    assert dock.status_label.text() == "Berekening afgebroken."
    assert not dock.cancel_button.isVisibleTo(dock) and dock.sample_button.isEnabled()
    # No engine process for that folder is left.
    folder = dock.sample_folder
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if folder in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                left.append(pid)
        except OSError:
            continue
    assert left == []
    assert QgsApplication.taskManager().countActiveTasks() == 0


def test_dock_without_engine_says_at_once_what_is_missing_and_the_fix(load_plugin: Any, without_engine: None,
                                                                       qgis_iface: Any, tmp_path: Path) -> None:
    plugin = load_plugin()
    dock = plugin.dock
    dock.sample_folder = str(tmp_path / "voorbeeldregio")
    assert dock.compute_sample() is False  # no task was started
    assert dock._running is None and QgsApplication.taskManager().countActiveTasks() == 0
    text = dock.status_label.text()
    assert text.startswith("Geen energieplanologie-engine gevonden")
    assert "Engine installeren" in text and "energieplanologie:engine_install" in text


# ------------------------------------------------------------------------------------------------ engine settings


def test_engine_settings_check_shows_the_version(qgis_app: Any, engine_python: str, without_engine: None) -> None:
    from energieplanologie_qgis.gui.engine_settings import EngineSettingsWidget

    chosen: list[str] = []
    widget = EngineSettingsWidget(apply_path=chosen.append)
    widget.set_path(engine_python)
    widget.check()
    assert wait_for(lambda: widget.check_button.isEnabled(), 300)
    assert widget.engine is not None
    assert widget.status_label.text().startswith(f"✔ energieplanologie {widget.engine.version} — {engine_python}")
    assert not widget.instructions.isVisibleTo(widget)
    widget.apply()
    assert chosen == [engine_python]


def test_engine_settings_without_engine_show_the_commands(qgis_app: Any, without_engine: None, tmp_path: Path) -> None:
    from energieplanologie_qgis.engine import setup_commands
    from energieplanologie_qgis.gui.engine_settings import EngineSettingsWidget

    widget = EngineSettingsWidget()
    widget.set_path(str(tmp_path / "geen" / "python"))
    widget.check()
    assert wait_for(lambda: widget.check_button.isEnabled(), 120)
    assert widget.engine is None
    assert widget.status_label.text() == f"✘ Geen bruikbare engine: {tmp_path / 'geen' / 'python'} bestaat niet"
    # The exact commands that create one.
    assert widget.instructions.isVisibleTo(widget)
    assert all(command in widget.instructions.toPlainText() for command in setup_commands())
    # Empty path: setting, variable and PATH are tried, each with its reason.
    widget.set_path("")
    widget.check()
    assert wait_for(lambda: widget.check_button.isEnabled(), 120)
    assert "omgevingsvariabele ENERGIEPLANOLOGIE_ENGINE: niet gezet" in widget.status_label.text()


def test_engine_options_page_is_registered_and_applies(load_plugin: Any, without_engine: None, engine_python: str,
                                                        qgis_iface: Any) -> None:
    from energieplanologie_qgis.gui.engine_settings import EngineOptionsPage

    plugin = load_plugin()
    assert plugin.engine is None
    factory = plugin._options_factory
    qgis_iface.registerOptionsWidgetFactory.assert_any_call(factory)
    assert factory.title() == "Energieplanologie"
    page = factory.createWidget(None)
    assert isinstance(page, EngineOptionsPage)
    page.settings.set_path(engine_python)
    assert page.settings.install_button.isEnabled()  # Engine installeren is offered on the page too
    page.apply()  # as the options dialog's OK does: store the path, use that engine
    assert plugin.engine is not None and plugin.engine.origin == "instelling energieplanologie/engine_python"
    plugin.unload()
    qgis_iface.unregisterOptionsWidgetFactory.assert_any_call(factory)
