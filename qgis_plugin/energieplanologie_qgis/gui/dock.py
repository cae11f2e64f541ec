"""The dock *Energieplanologie — gemeente*: pick a municipality, see its numbers, open its overview.

The dock reads an engine output folder (of ``demo``/``run``, of the algorithm *Gemeenteoverzichten*, or of
*Voorbeeldregio laden*). For the chosen municipality it

* zooms the map to it (its outline from the project's layers or the folder's ``energieplanologie.gpkg``),
* fills a table with the MW by sector and year (offtake and feed-in, per energy carrier) and a table with the
  stations that serve it, coloured by status per year with the headroom in MW,
* opens its overview page (HTML) or picture (PNG) in the system's browser/viewer.

The numbers are the engine's own (``overview_data.read_overview``); the dock computes nothing. Computing the
sample region runs the algorithm *Voorbeeldregio laden* as a ``QgsTask``, with progress and a cancel button,
never on the GUI thread.
"""

from __future__ import annotations

import os
import re
from typing import Any

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsGeometry,
    QgsProject,
    QgsRectangle,
    QgsSettings,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.gui import QgsDockWidget, QgsFileWidget
from qgis.PyQt.QtCore import Qt, QUrl, pyqtSlot
from qgis.PyQt.QtGui import QBrush, QColor, QDesktopServices, QFont
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..outputs import GPKG_NAME, add_to_project, output_layers
from ..overview_data import MunicipalityTables, list_municipalities, read_overview
from ..processing.algorithms.load_sample import SAMPLE_GROUP, final_year_and_scenario
from ..processing.algorithms.municipality_overview import LAST_FOLDER_KEY
from .tasks import algorithm_task

__all__ = ["CODE_FIELDS", "STATUS_COLOURS", "MunicipalityDock"]

#: Columns that hold a municipality's CBS code, in the engine's outputs and common sources.
CODE_FIELDS = ("gemeentecode", "municipality_code", "statcode", "gm_code")
#: Balance status → background colour of a table cell (the maps' colours, lightened for legible text).
STATUS_COLOURS = {"green": "#bfe5c6", "amber": "#fbe0a6", "red": "#f4b0b1", "unknown": "#e0e0e0"}
STATUS_TEXT = {"green": "ruimte", "amber": "krap", "red": "tekort", "unknown": "onbekend"}
DIRECTION_TEXT = {"offtake": "Afname", "feedin": "Invoeding"}


def _fmt(value: float | None) -> str:
    """A number as the overview pages write it (one decimal, decimal comma, thousands dot)."""
    if value is None:
        return "–"
    text = f"{value:,.1f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return "0,0" if text in ("-0,0",) else text


class MunicipalityDock(QgsDockWidget):
    """Dock widget *Energieplanologie — gemeente*.

    Parameters
    ----------
    iface : QgisInterface or None
        For the map canvas and the message bar (None: no zooming, messages only in the dock).
    sample_folder : str, optional
        Where *Voorbeeldregio* computes the sample (default: ``energieplanologie/voorbeeldregio`` in the QGIS
        profile folder).

    Examples
    --------
    >>> dock = MunicipalityDock(iface)  # doctest: +SKIP
    >>> dock.set_folder("uitvoer"); dock.select_municipality("GM0715")  # doctest: +SKIP
    """

    def __init__(self, iface: Any = None, parent: QWidget | None = None, *, sample_folder: str | None = None) -> None:
        super().__init__("Energieplanologie — gemeente", parent)
        self.setObjectName("EnergieplanologieGemeenteDock")
        self.iface = iface
        self.folder = ""
        self.tables: MunicipalityTables | None = None
        self.sample_folder = sample_folder or os.path.join(QgsApplication.qgisSettingsDirPath(), "energieplanologie",
                                                           "voorbeeldregio")
        self._running: dict[str, Any] | None = None
        self._build()
        last = str(QgsSettings().value(LAST_FOLDER_KEY, "") or "")
        if last and os.path.isdir(last):
            self.set_folder(last)

    # -- building -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)

        row = QHBoxLayout()
        row.addWidget(QLabel("Uitvoermap:"))
        self.folder_widget = QgsFileWidget(body)
        self.folder_widget.setStorageMode(QgsFileWidget.GetDirectory)
        self.folder_widget.setDialogTitle("Kies een uitvoermap van energieplanologie (met gemeenten/)")
        self.folder_widget.setToolTip("Uitvoermap van 'energieplanologie run/demo', van het algoritme "
                                      "Gemeenteoverzichten of van Voorbeeldregio laden")
        self.folder_widget.fileChanged.connect(self.set_folder)
        row.addWidget(self.folder_widget, 1)
        layout.addLayout(row)

        row = QHBoxLayout()
        self.sample_button = QPushButton("Voorbeeldregio", body)
        self.sample_button.setToolTip("Rekent de voorbeeldregio Zeeuws-Vlaanderen door (of opent die als ze al is "
                                      "berekend) en laadt de lagen gestileerd in het project")
        self.sample_button.clicked.connect(self.open_sample)
        row.addWidget(self.sample_button)
        self.overview_button = QPushButton("Gemeenteoverzichten maken…", body)
        self.overview_button.setToolTip("Opent het algoritme Gemeenteoverzichten voor de lagen in dit project")
        self.overview_button.clicked.connect(self.run_overview_dialog)
        row.addWidget(self.overview_button)
        row.addStretch(1)
        layout.addLayout(row)

        row = QHBoxLayout()
        row.addWidget(QLabel("Gemeente:"))
        self.municipality_combo = QComboBox(body)
        self.municipality_combo.setObjectName("gemeente")
        self.municipality_combo.currentIndexChanged.connect(self._combo_changed)
        row.addWidget(self.municipality_combo, 1)
        layout.addLayout(row)

        self.summary_label = QLabel(body)
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.summary_label)

        self.tabs = QTabWidget(body)
        self.sector_table = self._table()
        self.station_table = self._table()
        self.tabs.addTab(self.sector_table, "Vermogen per sector (MW)")
        self.tabs.addTab(self.station_table, "Stations")
        layout.addWidget(self.tabs, 1)

        row = QHBoxLayout()
        self.zoom_button = QPushButton("Zoom naar gemeente", body)
        self.zoom_button.clicked.connect(lambda: self.zoom_to(self.current_code()))
        self.html_button = QPushButton("Overzicht (HTML)", body)
        self.html_button.clicked.connect(lambda: self._open(self.tables.html if self.tables else ""))
        self.png_button = QPushButton("Kaart (PNG)", body)
        self.png_button.clicked.connect(lambda: self._open(self.tables.png if self.tables else ""))
        for button in (self.zoom_button, self.html_button, self.png_button):
            button.setEnabled(False)
            row.addWidget(button)
        layout.addLayout(row)

        row = QHBoxLayout()
        self.progress = QProgressBar(body)
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        row.addWidget(self.progress, 1)
        self.cancel_button = QPushButton("Annuleren", body)
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self.status_label = QLabel(body)
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.setWidget(body)

    @staticmethod
    def _table() -> QTableWidget:
        table = QTableWidget()
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.verticalHeader().setVisible(False)
        table.setAlternatingRowColors(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.ElideRight)
        return table

    @staticmethod
    def _fit(table: QTableWidget, caps: list[int]) -> None:
        """Every column as wide as its contents, the leading text columns at most ``caps`` pixels (elided; the user
        can widen them)."""
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.Interactive)
        table.resizeColumnsToContents()
        for column, cap in enumerate(caps):
            if table.columnWidth(column) > cap:
                table.setColumnWidth(column, cap)

    # -- folder and municipality --------------------------------------------------------------------------
    def set_folder(self, folder: str) -> list[tuple[str, str]]:
        """Read the municipalities of an output folder into the list; returns ``(code, name)`` pairs."""
        folder = folder or ""
        self.folder = folder
        if self.folder_widget.filePath() != folder:
            self.folder_widget.blockSignals(True)
            self.folder_widget.setFilePath(folder)
            self.folder_widget.blockSignals(False)
        found = list_municipalities(folder) if folder else []
        self.municipality_combo.blockSignals(True)
        self.municipality_combo.clear()
        for code, name in found:
            self.municipality_combo.addItem(f"{name} ({code})" if name != code else code, code)
        self.municipality_combo.setCurrentIndex(-1)
        self.municipality_combo.blockSignals(False)
        self._clear()
        if folder and not found:
            self.status_label.setText(f"Geen gemeenteoverzichten in {folder}: kies de uitvoermap van "
                                      "energieplanologie run/demo of van het algoritme Gemeenteoverzichten.")
        elif found:
            self.status_label.setText(f"{len(found)} gemeenten in {folder}")
        return found

    def current_code(self) -> str:
        """The code of the municipality shown (empty when none)."""
        return str(self.municipality_combo.currentData() or "")

    def _combo_changed(self, index: int) -> None:
        if index >= 0:
            self.show_municipality(self.current_code())

    def select_municipality(self, code: str) -> bool:
        """Choose municipality ``code`` as a user would in the list; True when it is there."""
        index = self.municipality_combo.findData(code)
        if index < 0:
            return False
        if index == self.municipality_combo.currentIndex():
            self.show_municipality(code)
        else:
            self.municipality_combo.setCurrentIndex(index)
        return True

    def show_municipality(self, code: str) -> None:
        """Fill the tables for ``code``, enable the buttons and zoom the map to it."""
        try:
            self.tables = read_overview(self.folder, code)
        except (OSError, ValueError) as exc:
            self._clear()
            self.status_label.setText(str(exc))
            return
        self.summary_label.setText(f"<b>{self.tables.name}</b> ({code}): {self.tables.summary}")
        self._fill_sectors(self.tables)
        self._fill_stations(self.tables)
        self.html_button.setEnabled(bool(self.tables.html))
        self.png_button.setEnabled(bool(self.tables.png))
        self.zoom_button.setEnabled(self.zoom_to(code))

    def _clear(self) -> None:
        self.tables = None
        self.summary_label.clear()
        for table in (self.sector_table, self.station_table):
            table.clear()
            table.setRowCount(0)
            table.setColumnCount(0)
        for button in (self.zoom_button, self.html_button, self.png_button):
            button.setEnabled(False)

    def _fill_sectors(self, tables: MunicipalityTables) -> None:
        table = self.sector_table
        headers = ["Richting", "Drager", "Sector", *[str(y) for y in tables.years]]
        table.clear()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setRowCount(len(tables.sectors))
        bold = QFont()
        bold.setBold(True)
        for r, row in enumerate(tables.sectors):
            texts = [DIRECTION_TEXT[row.direction], row.carrier, row.sector,
                     *[_fmt(row.values.get(y)) for y in tables.years]]
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if c >= 3:
                    item.setTextAlignment(int(Qt.AlignRight | Qt.AlignVCenter))
                    item.setData(Qt.UserRole, row.values.get(tables.years[c - 3]))
                if row.total:
                    item.setFont(bold)
                if c < 3:
                    item.setToolTip(f"{texts[0]}, {row.carrier.lower()}: {row.sector}")
                table.setItem(r, c, item)
        self._fit(table, [90, 100, 175])

    def _fill_stations(self, tables: MunicipalityTables) -> None:
        table = self.station_table
        headers = ["Station", "Richting", *[str(y) for y in tables.years], "Eerste tekort", "MW uit gemeente"]
        table.clear()
        table.setColumnCount(len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setRowCount(len(tables.stations))
        for r, row in enumerate(tables.stations):
            # The id first, so that an elided long name still says which station it is.
            label = re.sub(r"\s*\(" + re.escape(row.station_id) + r"\)\s*$", "", row.station)
            name = QTableWidgetItem(f"{row.station_id} · {label}" if label != row.station_id else row.station_id)
            name.setToolTip(f"{row.station} — {row.level or 'geen netvlak'}; {row.relation}")
            table.setItem(r, 0, name)
            table.setItem(r, 1, QTableWidgetItem(DIRECTION_TEXT[row.direction]))
            for i, year in enumerate(tables.years):
                status = row.status.get(year, "unknown")
                item = QTableWidgetItem(_fmt(row.headroom_mw.get(year)))
                item.setTextAlignment(int(Qt.AlignRight | Qt.AlignVCenter))
                item.setBackground(QBrush(QColor(STATUS_COLOURS.get(status, STATUS_COLOURS["unknown"]))))
                item.setForeground(QBrush(QColor("#111111")))
                item.setToolTip(f"{year}: {STATUS_TEXT.get(status, status)}, ruimte {_fmt(row.headroom_mw.get(year))} MW")
                item.setData(Qt.UserRole, status)
                table.setItem(r, 2 + i, item)
            first = QTableWidgetItem(str(row.first_shortage_year) if row.first_shortage_year else "–")
            table.setItem(r, 2 + len(tables.years), first)
            mw = QTableWidgetItem(_fmt(row.municipality_mw))
            mw.setTextAlignment(int(Qt.AlignRight | Qt.AlignVCenter))
            table.setItem(r, 3 + len(tables.years), mw)
        self._fit(table, [220])

    # -- map ----------------------------------------------------------------------------------------------
    def municipality_geometry(self, code: str) -> tuple[QgsGeometry, Any] | None:
        """The outline of ``code`` and its CRS: from the folder's ``energieplanologie.gpkg``, else from a
        municipalities layer of the project (a polygon layer named or read from *gemeenten*)."""
        candidates = []
        gpkg = os.path.join(self.folder, GPKG_NAME)
        if self.folder and os.path.exists(gpkg):
            candidates.append(QgsVectorLayer(f"{gpkg}|layername=gemeenten", "gemeenten", "ogr"))
        for layer in QgsProject.instance().mapLayers().values():
            # Other layers carry a municipality code too (developments): only a municipalities layer will do.
            if isinstance(layer, QgsVectorLayer) and layer.isValid() and \
                    layer.geometryType() == QgsWkbTypes.PolygonGeometry and \
                    any(word in f"{layer.name()} {layer.source()}".lower() for word in ("gemeente", "municipal")):
                candidates.append(layer)
        for layer in candidates:
            if not layer.isValid():
                continue
            field = next((f for f in CODE_FIELDS if layer.fields().lookupField(f) >= 0), None)
            if field is None:
                continue
            quoted = code.replace("'", "''")
            request = QgsFeatureRequest().setFilterExpression(f"\"{field}\" = '{quoted}'")
            for feature in layer.getFeatures(request):
                if feature.hasGeometry():
                    return QgsGeometry(feature.geometry()), layer.crs()
        return None

    def zoom_to(self, code: str) -> bool:
        """Zoom the map canvas to municipality ``code`` (and flash its outline); True when found."""
        if not code or self.iface is None:
            return False
        found = self.municipality_geometry(code)
        if found is None:
            return False
        geometry, crs = found
        canvas = self.iface.mapCanvas()
        target = canvas.mapSettings().destinationCrs()
        if target.isValid() and crs.isValid() and target != crs:
            geometry.transform(QgsCoordinateTransform(crs, target, QgsProject.instance()))
        box = QgsRectangle(geometry.boundingBox())
        box.scale(1.1)
        canvas.setExtent(box)
        canvas.refresh()
        try:
            canvas.flashGeometries([geometry], target if target.isValid() else crs)
        except (AttributeError, TypeError):  # pragma: no cover - older QGIS
            pass
        return True

    @staticmethod
    def _open(path: str) -> bool:
        return bool(path) and QDesktopServices.openUrl(QUrl.fromLocalFile(path))

    # -- computing ----------------------------------------------------------------------------------------
    def open_sample(self) -> bool:
        """Open the computed sample region, or compute it in a task first. True when a task was started."""
        if os.path.exists(os.path.join(self.sample_folder, GPKG_NAME)) and \
                list_municipalities(self.sample_folder):
            self._load_folder_layers(self.sample_folder)
            self.set_folder(self.sample_folder)
            return False
        return self.compute_sample()

    def compute_sample(self) -> bool:
        """Run *Voorbeeldregio laden* in a task (progress bar, cancel button); loads the result when done."""
        if self._running is not None:
            return False
        os.makedirs(self.sample_folder, exist_ok=True)
        try:
            task, keep = algorithm_task("energieplanologie:load_sample", {"OUTPUT_FOLDER": self.sample_folder},
                                        on_done=self._sample_done, on_progress=self._progress)
        except Exception as exc:
            self._message(str(exc), Qgis.Warning)
            return False
        self._running = keep
        self._busy(True, "Voorbeeldregio wordt berekend in de engine (ongeveer een minuut)…")
        QgsApplication.taskManager().addTask(task)
        return True

    @pyqtSlot(float)
    def _progress(self, value: float) -> None:
        """Progress of the running task (a Qt slot: the task reports from its own thread, the bar is updated on the
        GUI thread)."""
        self.progress.setValue(int(round(value)))

    def _sample_done(self, successful: bool, results: dict[str, Any]) -> None:
        keep, self._running = self._running, None
        canceled = bool(keep and keep["feedback"].isCanceled())
        self._busy(False, "")
        if not successful:
            errors = list(getattr(keep["feedback"], "errors", [])) if keep else []
            reason = errors[-1] if errors else "zie het logboek (Processing) voor de melding van de engine"
            text = "Berekening afgebroken." if canceled else f"De berekening van de voorbeeldregio is mislukt: {reason}"
            self.status_label.setText(text)
            self._message(text, Qgis.Info if canceled else Qgis.Warning)
            return
        folder = str(results.get("OUTPUT_FOLDER") or self.sample_folder)
        self._load_folder_layers(folder)
        self.set_folder(folder)

    def _load_folder_layers(self, folder: str) -> None:
        root = QgsProject.instance().layerTreeRoot()
        if root.findGroup(SAMPLE_GROUP) is not None:
            return
        year, scenario = final_year_and_scenario(folder)
        add_to_project(output_layers(folder, group=SAMPLE_GROUP, final_year=year, scenario=scenario))

    def cancel(self) -> None:
        """Stop the running computation (the engine process is stopped too)."""
        if self._running is not None:
            self._running["task"].cancel()
            self._running["feedback"].cancel()

    def run_overview_dialog(self) -> None:
        """Open *Gemeenteoverzichten* (the Processing dialog) and show its output folder afterwards."""
        try:
            import processing

            processing.execAlgorithmDialog("energieplanologie:municipality_overview", {})
        except Exception as exc:
            self._message(f"Gemeenteoverzichten konden niet worden gestart: {exc}", Qgis.Warning)
            return
        last = str(QgsSettings().value(LAST_FOLDER_KEY, "") or "")
        if last and last != self.folder and os.path.isdir(last):
            self.set_folder(last)

    def _busy(self, busy: bool, text: str) -> None:
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_button.setVisible(busy)
        self.sample_button.setEnabled(not busy)
        self.overview_button.setEnabled(not busy)
        self.status_label.setText(text)

    def _message(self, text: str, level: Any) -> None:
        self.status_label.setText(text)
        if self.iface is not None:
            self.iface.messageBar().pushMessage("Energieplanologie", text, level, 10)
