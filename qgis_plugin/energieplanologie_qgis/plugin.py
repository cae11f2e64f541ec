"""The plugin object QGIS loads: registers the Processing provider (with or without an engine), offers *Engine
installeren* when there is no engine, and removes everything it added on unload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import Qgis, QgsApplication, QgsMessageLog
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QMessageBox, QPushButton

from .engine import (
    Engine,
    EngineNotFound,
    find_engine,
    setup_instructions,
    shell_command,
    store_setting,
)
from .engine_warm import stop_warm_engines

__all__ = ["INSTALL_ALGORITHM", "LOG_TAG", "MENU", "EnergieplanologiePlugin"]

ICON = str(Path(__file__).resolve().parent / "resources" / "icons" / "icon.svg")

#: Tag of the plugin's messages in the QGIS message log.
LOG_TAG = "Energieplanologie"
#: The plugin's entry in the Plugins menu.
MENU = "&Energieplanologie"
#: The Processing algorithm behind *Engine installeren*.
INSTALL_ALGORITHM = "energieplanologie:engine_install"


class EnergieplanologiePlugin:
    """QGIS plugin *Energieplanologie*.

    Parameters
    ----------
    iface : QgisInterface or None
        The QGIS interface (None when loaded by ``qgis_process``).

    Attributes
    ----------
    provider : EnergieplanologieProvider or None
        The registered Processing provider (registered with or without an engine; None after unload).
    engine : Engine or None
        The engine the provider runs (None while there is none).
    engine_problem : EngineNotFound or None
        Why no engine was found (each candidate with its reason).
    dock : MunicipalityDock or None
        The dock *Energieplanologie — gemeente* (created by ``initGui``).
    """

    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.provider: Any = None
        self.engine_problem: EngineNotFound | None = None
        self._actions: list[QAction] = []
        self._message: Any = None
        self.dock: Any = None
        self._options_factory: Any = None

    @property
    def engine(self) -> Engine | None:
        """The engine the provider runs (None while there is none)."""
        return getattr(self.provider, "engine", None)

    # -- QGIS plugin API ----------------------------------------------------------------------------------
    def initProcessing(self) -> None:
        """Register the provider and look for the engine (QGIS calls this for ``hasProcessingProvider=yes``).

        Without an engine the provider is registered all the same: its algorithms are listed and each fails at
        once with the reason and the fix (*Engine installeren*), also in ``qgis_process``.
        """
        if self.provider is not None:
            return
        from .processing.provider import EnergieplanologieProvider

        self.provider = EnergieplanologieProvider(self._find_engine())
        QgsApplication.processingRegistry().addProvider(self.provider)

    def _find_engine(self) -> Engine | None:
        try:
            engine = find_engine()
        except EngineNotFound as exc:
            self.engine_problem = exc
            QgsMessageLog.logMessage(f"{exc}\n\n{setup_instructions()}", LOG_TAG, Qgis.MessageLevel.Warning)
            return None
        self.engine_problem = None
        QgsMessageLog.logMessage(
            f"Engine energieplanologie {engine.version} gevonden via {engine.origin}: {shell_command(engine.command)}",
            LOG_TAG, Qgis.MessageLevel.Info)
        return engine

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
        self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)

        dock_action = QAction(QIcon(ICON), "Gemeentepaneel", window)
        dock_action.setObjectName("energieplanologie_dock")
        dock_action.setToolTip("Toon per gemeente het vermogen per sector en jaar en de stations met hun status")
        dock_action.setCheckable(True)
        dock_action.toggled.connect(self.dock.setVisible)
        self.dock.visibilityChanged.connect(dock_action.setChecked)
        install_action = QAction("Engine installeren…", window)
        install_action.setObjectName("energieplanologie_install_engine")
        install_action.setToolTip("Maak of werk de engine bij: een Python-omgeving met energieplanologie in het "
                                  "QGIS-profiel, uit het wheel in deze plugin")
        install_action.triggered.connect(self.install_engine)
        engine_action = QAction("Engine instellen…", window)
        engine_action.setObjectName("energieplanologie_choose_engine")
        engine_action.setToolTip("Kies en controleer de Python-omgeving waarin energieplanologie is geïnstalleerd")
        engine_action.triggered.connect(self.choose_engine)
        for action in (dock_action, install_action, engine_action):
            self.iface.addPluginToMenu(MENU, action)
            self._actions.append(action)
        self.iface.addToolBarIcon(dock_action)

        self._options_factory = EngineOptionsFactory(self.set_engine_path, install=self.install_engine)
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
        stop_warm_engines()

    # -- engine choice ------------------------------------------------------------------------------------
    def set_engine_path(self, path: str | None) -> bool:
        """Store ``path`` as the engine (setting ``energieplanologie/engine_python``) and look for the engine anew.

        Returns True when an engine is found afterwards.
        """
        store_setting(path)
        return self.refresh_engine()

    def refresh_engine(self) -> bool:
        """Look for the engine again (after a new setting or *Engine installeren*) and say what was found."""
        self._clear_message()
        stop_warm_engines()  # the next call starts the warm engine of what is found now (a reinstall included)
        if self.provider is None:
            self.initProcessing()
        else:
            self.provider.set_engine(self._find_engine())
        if self.iface is not None:
            if self.engine is None:
                self._show_missing_engine()
            else:
                self.iface.messageBar().pushMessage(
                    "Energieplanologie", f"Engine {self.engine.version} ingesteld: {shell_command(self.engine.command)}",
                    Qgis.MessageLevel.Success, 10)
        return self.engine is not None

    def choose_engine(self) -> None:
        """Let the user choose and check the engine (menu action, and the button of the missing-engine message)."""
        from .gui.engine_settings import EngineSettingsDialog

        dialog = EngineSettingsDialog(self.iface.mainWindow() if self.iface else None, apply_path=self.set_engine_path,
                                      install=self.install_engine)
        dialog.exec_()

    def install_engine(self) -> None:
        """*Engine installeren*: the Processing dialog of ``energieplanologie:engine_install`` (progress, cancel,
        log); afterwards the plugin uses the engine it made."""
        import processing

        self.initProcessing()
        self._clear_message()
        processing.execAlgorithmDialog(INSTALL_ALGORITHM, {})
        self.refresh_engine()

    def missing_engine_text(self) -> str:
        """The one-line message bar text: what is missing and how to get it."""
        return "Nog geen engine voor de analyses: klik op ‘Engine installeren’."

    # -- internals ----------------------------------------------------------------------------------------
    def _show_missing_engine(self) -> None:
        bar = self.iface.messageBar()
        item = bar.createMessage("Energieplanologie", self.missing_engine_text())
        install = QPushButton("Engine installeren", item)
        install.setObjectName("energieplanologie_install_engine")
        install.clicked.connect(self.install_engine)
        details = QPushButton("Details", item)
        details.clicked.connect(self._show_details)
        choose = QPushButton("Engine instellen…", item)
        choose.clicked.connect(self.choose_engine)
        item.layout().addWidget(install)
        item.layout().addWidget(details)
        item.layout().addWidget(choose)
        bar.pushWidget(item, Qgis.MessageLevel.Warning)
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
