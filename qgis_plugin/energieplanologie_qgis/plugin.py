"""The plugin object QGIS loads: registers the Processing provider when an engine is found, says how to get one
when it is not, and removes everything it added on unload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QMessageBox, QPushButton

from .engine import (
    ENV_VAR,
    SETTINGS_KEY,
    Engine,
    EngineNotFound,
    find_engine,
    setup_commands,
    setup_instructions,
    store_setting,
)

__all__ = ["LOG_TAG", "MENU", "EnergieplanologiePlugin"]

ICON = str(Path(__file__).resolve().parent / "resources" / "icons" / "icon.svg")

#: Tag of the plugin's messages in the QGIS message log.
LOG_TAG = "Energieplanologie"
#: The plugin's entry in the Plugins menu.
MENU = "&Energieplanologie"


class EnergieplanologiePlugin:
    """QGIS plugin *Energieplanologie*.

    Parameters
    ----------
    iface : QgisInterface or None
        The QGIS interface (None when loaded by ``qgis_process``).

    Attributes
    ----------
    provider : EnergieplanologieProvider or None
        The registered Processing provider; None while no engine is found.
    engine : Engine or None
        The engine the provider runs.
    engine_problem : EngineNotFound or None
        Why no engine was found (each candidate with its reason).
    dock : MunicipalityDock or None
        The dock *Energieplanologie — gemeente* (created by ``initGui``).
    """

    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.provider: Any = None
        self.engine: Engine | None = None
        self.engine_problem: EngineNotFound | None = None
        self._actions: list[QAction] = []
        self._message: Any = None
        self.dock: Any = None
        self._options_factory: Any = None

    # -- QGIS plugin API ----------------------------------------------------------------------------------
    def initProcessing(self) -> None:
        """Find the engine and register the provider (QGIS calls this for ``hasProcessingProvider=yes``)."""
        if self.provider is not None:
            return
        from .processing.provider import EnergieplanologieProvider

        try:
            engine = find_engine()
        except EngineNotFound as exc:
            self.engine, self.engine_problem = None, exc
            QgsMessageLog.logMessage(f"{exc}\n\n{setup_instructions()}", LOG_TAG, Qgis.Warning)
            return
        self.engine, self.engine_problem = engine, None
        self.provider = EnergieplanologieProvider(engine)
        QgsApplication.processingRegistry().addProvider(self.provider)
        QgsMessageLog.logMessage(
            f"Engine energieplanologie {engine.version} gevonden via {engine.origin}: {' '.join(engine.command)}",
            LOG_TAG, Qgis.Info)

    def initGui(self) -> None:
        """Register the provider, the dock, the options page and the menu; say so when the engine is missing."""
        self.initProcessing()
        if self.iface is None:
            return
        from .gui.dock import MunicipalityDock
        from .gui.engine_settings import EngineOptionsFactory

        window = self.iface.mainWindow()
        self.dock = MunicipalityDock(self.iface, window)
        self.dock.setVisible(False)
        self.iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)

        dock_action = QAction(QIcon(ICON), "Gemeentepaneel", window)
        dock_action.setObjectName("energieplanologie_dock")
        dock_action.setToolTip("Toon per gemeente het vermogen per sector en jaar en de stations met hun status")
        dock_action.setCheckable(True)
        dock_action.toggled.connect(self.dock.setVisible)
        self.dock.visibilityChanged.connect(dock_action.setChecked)
        engine_action = QAction("Engine instellen…", window)
        engine_action.setObjectName("energieplanologie_choose_engine")
        engine_action.setToolTip("Kies en controleer de Python-omgeving waarin energieplanologie is geïnstalleerd")
        engine_action.triggered.connect(self.choose_engine)
        for action in (dock_action, engine_action):
            self.iface.addPluginToMenu(MENU, action)
            self._actions.append(action)
        self.iface.addToolBarIcon(dock_action)

        self._options_factory = EngineOptionsFactory(self.set_engine_path)
        self.iface.registerOptionsWidgetFactory(self._options_factory)
        if self.engine is None:
            self._show_missing_engine()

    def unload(self) -> None:
        """Remove the provider, the dock, the options page, the menu entries and any message of this plugin."""
        self._remove_provider()
        for action in self._actions:
            if self.iface is not None:
                self.iface.removePluginMenu(MENU, action)
                self.iface.removeToolBarIcon(action)
            action.deleteLater()
        self._actions.clear()
        if self.dock is not None and not sip.isdeleted(self.dock):
            self.dock.cancel()
            if self.iface is not None:
                self.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
        self.dock = None
        if self._options_factory is not None and self.iface is not None:
            self.iface.unregisterOptionsWidgetFactory(self._options_factory)
        self._options_factory = None
        self._clear_message()

    # -- engine choice ------------------------------------------------------------------------------------
    def set_engine_path(self, path: str | None) -> bool:
        """Store ``path`` as the engine (setting ``energieplanologie/engine_python``) and register anew.

        Returns True when the provider is registered afterwards.
        """
        store_setting(path)
        self._remove_provider()
        self._clear_message()
        self.initProcessing()
        if self.engine is None and self.iface is not None:
            self._show_missing_engine()
        elif self.engine is not None and self.iface is not None:
            self.iface.messageBar().pushMessage(
                "Energieplanologie", f"Engine {self.engine.version} ingesteld: {' '.join(self.engine.command)}",
                Qgis.Success, 10)
        return self.provider is not None

    def choose_engine(self) -> None:
        """Let the user choose and check the engine (menu action, and the button of the missing-engine message)."""
        from .gui.engine_settings import EngineSettingsDialog

        dialog = EngineSettingsDialog(self.iface.mainWindow() if self.iface else None, apply_path=self.set_engine_path)
        dialog.exec_()

    def missing_engine_text(self) -> str:
        """The one-line message bar text: what is missing and the exact commands to fix it."""
        commands = " && ".join(setup_commands())
        return (f"Geen engine gevonden; de algoritmen zijn niet geladen. Maak er een: {commands} — kies hem daarna "
                f"met ‘Engine instellen…’ (of {ENV_VAR} / instelling {SETTINGS_KEY}).")

    # -- internals ----------------------------------------------------------------------------------------
    def _show_missing_engine(self) -> None:
        bar = self.iface.messageBar()
        item = bar.createMessage("Energieplanologie", self.missing_engine_text())
        details = QPushButton("Details", item)
        details.clicked.connect(self._show_details)
        choose = QPushButton("Engine instellen…", item)
        choose.clicked.connect(self.choose_engine)
        item.layout().addWidget(details)
        item.layout().addWidget(choose)
        bar.pushWidget(item, Qgis.Warning)
        self._message = item

    def _show_details(self) -> None:
        problem = str(self.engine_problem) if self.engine_problem else ""
        QMessageBox.information(self.iface.mainWindow(), "Energieplanologie: engine",
                                f"{problem}\n\n{setup_instructions()}")

    def _clear_message(self) -> None:
        if self._message is not None and self.iface is not None:
            try:
                self.iface.messageBar().popWidget(self._message)
            except RuntimeError:  # already closed by the user
                pass
        self._message = None

    def _remove_provider(self) -> None:
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
