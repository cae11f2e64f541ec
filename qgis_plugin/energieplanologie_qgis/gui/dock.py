"""The dock *Energieplanologie — gemeente*: pick a municipality, see its numbers, open its overview.

The dock reads an engine output folder (of ``demo``/``run``, of the algorithm *Gemeenteoverzichten*, or of
*Voorbeeldregio laden*). For the chosen municipality it

* zooms the map to it (its outline from the project's layers or the folder's ``energieplanologie.gpkg``),
* shows, for the year chosen in the year selector, a table with the MW per sector (offtake and feed-in side by
  side, per energy carrier) and a table with the stations that serve it, their room in MW coloured by status —
  three columns each, so the dock fits QGIS's default dock width,
* opens its overview page (HTML) or picture (PNG) in the system's browser/viewer.

The numbers and their text are the engine's own (``overview_data.read_overview``); the dock computes and formats
nothing. It follows the latest output folder: an algorithm that writes one (*Voorbeeldregio laden*,
*Gemeenteoverzichten*) tells it (``outputs.FOLDERS``). Computing the sample region runs *Voorbeeldregio laden* as a
``QgsTask``, with progress and a cancel button, never on the GUI thread.
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
from qgis.PyQt.QtCore import QLocale, Qt, QUrl, pyqtSlot
from qgis.PyQt.QtGui import QBrush, QColor, QDesktopServices, QFont
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..outputs import FOLDERS, GPKG_NAME, LAST_FOLDER_KEY, add_to_project, output_layers
from ..overview_data import MunicipalityTables, list_municipalities, read_overview
from ..processing.algorithms.load_sample import SAMPLE_GROUP, final_year_and_scenario
from .tasks import algorithm_task

__all__ = ["CODE_FIELDS", "STATUS_COLOURS", "MunicipalityDock"]

#: Columns that hold a municipality's CBS code, in the engine's outputs and common sources.
CODE_FIELDS = ("gemeentecode", "municipality_code", "statcode", "gm_code")
#: Balance status → background colour of a table cell (the maps' colours, lightened for legible text).
STATUS_COLOURS = {"green": "#bfe5c6", "amber": "#fbe0a6", "red": "#f4b0b1", "unknown": "#e0e0e0"}
STATUS_TEXT = {"green": "ruimte", "amber": "krap", "red": "tekort", "unknown": "onbekend"}
DIRECTION_TEXT = {"offtake": "Afname", "feedin": "Invoeding"}


def _text(texts: dict[int, str], values: dict[int, Any], year: int) -> str:
    """The engine's text of a number (an older engine's JSON has none: then Qt's Dutch locale writes it)."""
    if texts.get(year):
        return texts[year]
    value = values.get(year)
    return "–" if value is None else QLocale(QLocale.Dutch, QLocale.Netherlands).toString(float(value), "f", 1)


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
        # A Qt slot of this widget: Qt drops the connection when the dock is deleted.
        FOLDERS.written.connect(self.follow_folder)
        last = str(QgsSettings().value(LAST_FOLDER_KEY, "") or "")
        if last and os.path.isdir(last):
            self.set_folder(last)

    # -- building -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)

        row = QHBoxLayout()
        row.addWidget(QLabel("Map:"))
        self.folder_widget = QgsFileWidget(body)
        self.folder_widget.setStorageMode(QgsFileWidget.GetDirectory)
        self.folder_widget.setDialogTitle("Kies een uitvoermap van energieplanologie (met gemeenten/)")
        self.folder_widget.setToolTip("Uitvoermap van 'energieplanologie run/demo', van het algoritme "
                                      "Gemeenteoverzichten of van Voorbeeldregio laden")
        self.folder_widget.fileChanged.connect(self.set_folder)
        row.addWidget(self.folder_widget, 1)
        self.sample_button = self._button("Voorbeeld", body)
        self.sample_button.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        self.sample_button.setToolTip("Voorbeeldregio: rekent de voorbeeldregio Zeeuws-Vlaanderen door (of opent die "
                                      "als ze al is berekend) en laadt de lagen gestileerd in het project")
        self.sample_button.clicked.connect(self.open_sample)
        row.addWidget(self.sample_button)
        layout.addLayout(row)

        row = QHBoxLayout()
        self.overview_button = self._button("Overzichten…", body)
        self.overview_button.setToolTip("Opent het algoritme Gemeenteoverzichten voor de lagen in dit project")
        self.overview_button.clicked.connect(self.run_overview_dialog)
        self.atlas_button = self._button("Atlas…", body)
        self.atlas_button.setToolTip("Opent het algoritme Gemeenteatlas: een printlay-out met een pagina per gemeente "
                                     "(QGIS-project en PDF)")
        self.atlas_button.clicked.connect(self.run_atlas_dialog)
        for button in (self.overview_button, self.atlas_button):
            row.addWidget(button)
        layout.addLayout(row)

        row = QHBoxLayout()
        self.municipality_combo = QComboBox(body)
        self.municipality_combo.setObjectName("gemeente")
        self.municipality_combo.setToolTip("Gemeente")
        self.municipality_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.municipality_combo.setMinimumContentsLength(6)
        self.municipality_combo.currentIndexChanged.connect(self._combo_changed)
        row.addWidget(self.municipality_combo, 1)
        row.addWidget(QLabel("Jaar:"))
        self.year_combo = QComboBox(body)
        self.year_combo.setObjectName("jaar")
        self.year_combo.setToolTip("Het jaar dat de tabellen tonen")
        self.year_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.year_combo.setMinimumContentsLength(4)
        self.year_combo.currentIndexChanged.connect(self._year_changed)
        row.addWidget(self.year_combo)
        layout.addLayout(row)

        self.summary_label = QLabel(body)
        self.summary_label.setWordWrap(True)
        self.summary_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # wraps to the dock's width
        self.summary_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.summary_label)

        self.tabs = QTabWidget(body)
        self.sector_table = self._table()
        self.station_table = self._table()
        self.tabs.addTab(self.sector_table, "Sectoren")
        self.tabs.addTab(self.station_table, "Stations")
        self.tabs.setTabToolTip(0, "Vermogen per sector in het gekozen jaar (MW, gewogen naar het scenario)")
        self.tabs.setTabToolTip(1, "Ruimte per station in het gekozen jaar (MW), gekleurd naar status")
        layout.addWidget(self.tabs, 1)

        row = QHBoxLayout()
        self.zoom_button = self._button("Zoom", body)
        self.zoom_button.setToolTip("Zoom de kaart naar de gemeente")
        self.zoom_button.clicked.connect(lambda: self.zoom_to(self.current_code()))
        self.html_button = self._button("Overzicht", body)
        self.html_button.setToolTip("Open het gemeenteoverzicht (HTML) in de browser")
        self.html_button.clicked.connect(lambda: self._open(self.tables.html if self.tables else ""))
        self.png_button = self._button("Kaart", body)
        self.png_button.setToolTip("Open de kaart van de gemeente (PNG)")
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
        self.status_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        layout.addWidget(self.status_label)
        self.setWidget(body)

    @staticmethod
    def _button(text: str, parent: QWidget) -> QToolButton:
        """A text button that shares a row with others in a narrow dock (no wide minimum as a push button has)."""
        button = QToolButton(parent)
        button.setText(text)
        button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        button.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        return button

    @staticmethod
    def _table() -> QTableWidget:
        table = QTableWidget()
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.verticalHeader().setVisible(False)
        table.setAlternatingRowColors(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.ElideRight)
        # Three columns that share the dock's width: the name stretches (and elides), the numbers fit.
        header = table.horizontalHeader()
        header.setMinimumSectionSize(20)
        return table

    def _headers(self, table: QTableWidget, first: str, tip: str) -> None:
        """Short headers (the dock is narrow); the full words in their tooltips."""
        year = self.current_year()
        for column, (text, full) in enumerate(((first, tip), ("Afn.", f"Afname {year or ''} (MW)"),
                                               ("Inv.", f"Invoeding {year or ''} (MW)"))):
            item = QTableWidgetItem(text)
            item.setToolTip(full)
            table.setHorizontalHeaderItem(column, item)

    @staticmethod
    def _fit(table: QTableWidget) -> None:
        """The first column takes the width that is left; the number columns are as wide as their contents."""
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for column in range(1, table.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)

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
            self.municipality_combo.addItem(name, code)  # the code in the tooltip and the summary: the name fits
            self.municipality_combo.setItemData(self.municipality_combo.count() - 1, code, Qt.ToolTipRole)
        self.municipality_combo.setCurrentIndex(-1)
        self.municipality_combo.blockSignals(False)
        self._clear()
        if folder and not found:
            self.status_label.setText(f"Geen gemeenteoverzichten in {folder}: kies de uitvoermap van "
                                      "energieplanologie run/demo of van het algoritme Gemeenteoverzichten.")
        elif found:
            self.status_label.setText(f"{len(found)} gemeenten in {folder}")
        return found

    @pyqtSlot(str)
    def follow_folder(self, folder: str) -> None:
        """An algorithm wrote a new output folder: show it, keeping the chosen municipality when it is there."""
        if not folder or not os.path.isdir(folder):
            return
        code = self.current_code()
        self.set_folder(folder)
        if code:
            self.select_municipality(code)

    def showEvent(self, event: Any) -> None:
        """When shown, pick up an output folder written while the dock was closed (or by another QGIS process)."""
        last = str(QgsSettings().value(LAST_FOLDER_KEY, "") or "")
        if last and last != self.folder and os.path.isdir(last) and self._running is None:
            self.follow_folder(last)
        super().showEvent(event)

    def current_code(self) -> str:
        """The code of the municipality shown (empty when none)."""
        return str(self.municipality_combo.currentData() or "")

    def current_year(self) -> int | None:
        """The year the tables show (None before a municipality is chosen)."""
        data = self.year_combo.currentData()
        return int(data) if data is not None else None

    def _combo_changed(self, index: int) -> None:
        if index >= 0:
            self.show_municipality(self.current_code())

    def _show_summary(self) -> None:
        """The summary line with the MW of the year the tables show."""
        if self.tables is not None:
            text = self.tables.summary_in(self.current_year())
            self.summary_label.setText(f"<b>{self.tables.name}</b> ({self.tables.code}): {text}")

    def _year_changed(self, index: int) -> None:
        if index >= 0 and self.tables is not None:
            self._show_summary()
            self._fill_sectors(self.tables)
            self._fill_stations(self.tables)

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

    def select_year(self, year: int) -> bool:
        """Show the tables of ``year``; True when the overview has that year."""
        index = self.year_combo.findData(int(year))
        if index >= 0:
            self.year_combo.setCurrentIndex(index)
        return index >= 0

    def show_municipality(self, code: str) -> None:
        """Fill the tables for ``code`` (the year chosen, else the last), enable the buttons and zoom the map."""
        try:
            self.tables = read_overview(self.folder, code)
        except (OSError, ValueError) as exc:
            self._clear()
            self.status_label.setText(str(exc))
            return
        year = self.current_year()
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for y in self.tables.years:
            self.year_combo.addItem(str(y), int(y))
        chosen = self.year_combo.findData(year) if year is not None else -1
        self.year_combo.setCurrentIndex(chosen if chosen >= 0 else self.year_combo.count() - 1)
        self.year_combo.blockSignals(False)
        self._show_summary()
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

    @staticmethod
    def _number(text: str, value: Any) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        item.setTextAlignment(int(Qt.AlignRight | Qt.AlignVCenter))
        item.setData(Qt.UserRole, value)
        return item

    def _fill_sectors(self, tables: MunicipalityTables) -> None:
        """Per carrier and sector one row, offtake and feed-in of the chosen year side by side (MW)."""
        table, year = self.sector_table, self.current_year()
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for row in tables.sectors:
            entry = rows.setdefault((row.carrier, row.sector), {"total": row.total})
            entry[row.direction] = row
        table.clear()
        table.setColumnCount(3)
        self._headers(table, "Sector", "Vermogen per energiedrager en sector")
        table.setRowCount(len(rows))
        bold = QFont()
        bold.setBold(True)
        for r, ((carrier, sector), entry) in enumerate(rows.items()):
            electricity = carrier.lower() == "elektriciteit"
            name = sector if electricity or entry["total"] else f"{carrier}: {sector}"
            items = [QTableWidgetItem(name)]
            items[0].setToolTip(f"{carrier}: {sector}")
            for direction in ("offtake", "feedin"):
                source = entry.get(direction)
                if source is None or year is None:
                    items.append(self._number("–", None))
                else:
                    items.append(self._number(_text(source.texts, source.values, year), source.values.get(year)))
                    items[-1].setToolTip(f"{DIRECTION_TEXT[direction]} {year}, {carrier.lower()}: {sector}")
            for c, item in enumerate(items):
                if entry["total"]:
                    item.setFont(bold)
                table.setItem(r, c, item)
        self._fit(table)

    def _fill_stations(self, tables: MunicipalityTables) -> None:
        """Per station one row, the room for offtake and feed-in in the chosen year, coloured by status."""
        table, year = self.station_table, self.current_year()
        rows: dict[str, dict[str, Any]] = {}
        for row in tables.stations:
            rows.setdefault(row.station_id, {})[row.direction] = row
        table.clear()
        table.setColumnCount(3)
        self._headers(table, "Station", "Station (id · naam); de volledige naam in de tooltip")
        table.setRowCount(len(rows))
        for r, (station_id, entry) in enumerate(rows.items()):
            any_row = next(iter(entry.values()))
            # The id first, so that an elided long name still says which station it is.
            label = re.sub(r"\s*\(" + re.escape(station_id) + r"\)\s*$", "", any_row.station)
            name = QTableWidgetItem(f"{station_id} · {label}" if label != station_id else station_id)
            name.setToolTip(f"{any_row.station} — {any_row.level or 'geen netvlak'}; {any_row.relation}")
            table.setItem(r, 0, name)
            for c, direction in enumerate(("offtake", "feedin"), start=1):
                row = entry.get(direction)
                if row is None or year is None:
                    table.setItem(r, c, self._number("–", "unknown"))
                    continue
                status = row.status.get(year, "unknown")
                text = _text(row.headroom_texts, row.headroom_mw, year)
                item = self._number(text, status)
                item.setBackground(QBrush(QColor(STATUS_COLOURS.get(status, STATUS_COLOURS["unknown"]))))
                item.setForeground(QBrush(QColor("#111111")))
                first = f"; eerste tekort {row.first_shortage_year}" if row.first_shortage_year else ""
                item.setToolTip(f"{DIRECTION_TEXT[direction]} {year}: {STATUS_TEXT.get(status, status)}, ruimte "
                                f"{text} MW{first}; {row.municipality_mw_text or '–'} MW uit deze gemeente")
                table.setItem(r, c, item)
        self._fit(table)

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
        """Open *Gemeenteoverzichten* (the Processing dialog); its output folder comes back through
        :meth:`follow_folder`."""
        self._dialog("energieplanologie:municipality_overview", "Gemeenteoverzichten")

    def run_atlas_dialog(self) -> None:
        """Open *Gemeenteatlas* (the Processing dialog): a print layout with a page per municipality."""
        self._dialog("energieplanologie:municipality_atlas", "De gemeenteatlas")

    def _dialog(self, algorithm: str, what: str) -> None:
        try:
            import processing

            processing.execAlgorithmDialog(algorithm, {})
        except Exception as exc:
            self._message(f"{what} kon niet worden gestart: {exc}", Qgis.Warning)

    def _busy(self, busy: bool, text: str) -> None:
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_button.setVisible(busy)
        self.sample_button.setEnabled(not busy)
        self.overview_button.setEnabled(not busy)
        self.atlas_button.setEnabled(not busy)
        self.status_label.setText(text)

    def _message(self, text: str, level: Any) -> None:
        self.status_label.setText(text)
        if self.iface is not None:
            self.iface.messageBar().pushMessage("Energieplanologie", text, level, 10)
