"""Engine settings: *Engine installeren*, or choose the engine's Python, check it (its version), and see the exact
commands to make one by hand.

:class:`EngineSettingsWidget` is the content; it appears as a page *Energieplanologie* in QGIS's
*Settings › Options* (:class:`EngineOptionsFactory`) and as the dialog *Plugins › Energieplanologie › Engine
instellen…* (:class:`EngineSettingsDialog`). The check runs ``… --version`` in a ``QgsTask``: a cold start of the
engine imports geopandas and takes seconds, which must not freeze QGIS.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from qgis.core import QgsApplication, QgsTask
from qgis.gui import QgsFileWidget, QgsOptionsPageWidget, QgsOptionsWidgetFactory
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..engine import (
    ENV_VAR,
    Engine,
    EngineError,
    EngineNotFound,
    check_engine,
    engine_command,
    find_engine,
    read_setting,
    setup_instructions,
    shell_command,
)

__all__ = ["EngineOptionsFactory", "EngineOptionsPage", "EngineSettingsDialog", "EngineSettingsWidget"]

ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "icon.svg"


class EngineSettingsWidget(QWidget):
    """Path of the engine's Python, a *Controleren* button showing its version, and the set-up commands.

    ``apply_path(path)`` is called by :meth:`apply` with the chosen path (empty: clear the setting).

    Examples
    --------
    >>> widget = EngineSettingsWidget(apply_path=plugin.set_engine_path)  # doctest: +SKIP
    >>> widget.set_path("/opt/ep/bin/python"); widget.check()  # doctest: +SKIP
    """

    def __init__(self, parent: QWidget | None = None, *, apply_path: Callable[[str], Any] | None = None,
                 install: Callable[[], Any] | None = None) -> None:
        super().__init__(parent)
        self.apply_path = apply_path
        self.install = install
        self.engine: Engine | None = None
        self.problem = ""
        self._task: QgsTask | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            "De analyses draaien in een <b>engine</b>: een aparte Python-omgeving met het pakket "
            "energieplanologie, zoals QGIS dat ook doet voor GRASS en SAGA. <b>Engine installeren</b> maakt hem in "
            "het QGIS-profiel uit het wheel in deze plugin (een paar minuten; offline met een map met wheels). "
            "Of kies hier de Python van een bestaande omgeving "
            f"(leeg: de omgevingsvariabele {ENV_VAR} of een programma energieplanologie op het PATH).")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.install_button = QPushButton("Engine installeren…", self)
        self.install_button.setObjectName("energieplanologie_install_engine")
        self.install_button.setToolTip("Processing-algoritme Energieplanologie › Engine › Engine installeren")
        self.install_button.clicked.connect(self._install)
        self.install_button.setEnabled(install is not None)
        layout.addWidget(self.install_button, 0, Qt.AlignmentFlag.AlignLeft)
        row = QHBoxLayout()
        self.path_widget = QgsFileWidget(self)
        self.path_widget.setStorageMode(QgsFileWidget.StorageMode.GetFile)
        self.path_widget.setDialogTitle("Kies de Python van de energieplanologie-engine")
        self.path_widget.setFilePath(read_setting())
        row.addWidget(self.path_widget, 1)
        self.check_button = QPushButton("Controleren", self)
        self.check_button.clicked.connect(self.check)
        row.addWidget(self.check_button)
        layout.addLayout(row)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status_label)
        self.instructions = QPlainTextEdit(self)
        self.instructions.setReadOnly(True)
        self.instructions.setPlainText(setup_instructions())
        self.instructions.setVisible(False)
        layout.addWidget(self.instructions, 1)
        layout.addStretch(0)

    def _install(self) -> None:
        if self.install is not None:
            self.install()
            self.set_path(read_setting())

    def path(self) -> str:
        """The path in the field (stripped)."""
        return self.path_widget.filePath().strip()

    def set_path(self, path: str) -> None:
        self.path_widget.setFilePath(path)

    def check(self) -> QgsTask:
        """Check the engine in a background task; the result appears in the widget when it is done."""
        path = self.path()
        self.check_button.setEnabled(False)
        self.status_label.setText("Bezig met controleren…")
        self.engine, self.problem = None, ""

        def work(task: QgsTask) -> Engine:
            if path:
                return check_engine(engine_command(path), origin="gekozen pad")
            return find_engine(setting="")

        self._task = QgsTask.fromFunction("Energieplanologie: engine controleren", work, on_finished=self._checked)
        QgsApplication.taskManager().addTask(self._task)
        return self._task

    def _checked(self, exception: BaseException | None, engine: Engine | None = None) -> None:
        self.check_button.setEnabled(True)
        if exception is None and engine is not None:
            self.engine = engine
            self.status_label.setText(f"✔ energieplanologie {engine.version} — {shell_command(engine.command)}")
            self.instructions.setVisible(False)
        else:
            self.problem = str(exception) if exception is not None else "onbekende fout"
            if isinstance(exception, EngineNotFound):
                text = "✘ Geen engine gevonden:\n" + "\n".join(f"• {p}" for p in exception.problems)
            elif isinstance(exception, EngineError):
                text = f"✘ Geen bruikbare engine: {exception}"
            else:
                text = f"✘ De controle mislukte: {self.problem}"
            self.status_label.setText(text)
            self.instructions.setVisible(True)
        self._task = None

    def apply(self) -> Any:
        """Store the chosen path (via ``apply_path``)."""
        if self.apply_path is not None:
            return self.apply_path(self.path())
        return None


class EngineSettingsDialog(QDialog):
    """The settings as a dialog (menu *Engine instellen…*): OK stores the path and uses that engine."""

    def __init__(self, parent: QWidget | None = None, *, apply_path: Callable[[str], Any] | None = None,
                 install: Callable[[], Any] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Energieplanologie: engine")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        self.settings = EngineSettingsWidget(self, apply_path=apply_path, install=install)
        layout.addWidget(self.settings)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.settings.apply()
        super().accept()


class EngineOptionsPage(QgsOptionsPageWidget):
    """The page *Energieplanologie* in QGIS's options dialog."""

    def __init__(self, parent: QWidget | None = None, *, apply_path: Callable[[str], Any] | None = None,
                 install: Callable[[], Any] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("energieplanologie_engine")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.settings = EngineSettingsWidget(self, apply_path=apply_path, install=install)
        layout.addWidget(self.settings)

    def apply(self) -> None:
        self.settings.apply()


class EngineOptionsFactory(QgsOptionsWidgetFactory):
    """Registers :class:`EngineOptionsPage` with ``iface.registerOptionsWidgetFactory``."""

    def __init__(self, apply_path: Callable[[str], Any] | None = None, *,
                 install: Callable[[], Any] | None = None) -> None:
        super().__init__("Energieplanologie", QIcon(str(ICON)))
        self.apply_path = apply_path
        self.install = install

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def createWidget(self, parent: QWidget | None = None) -> EngineOptionsPage:
        return EngineOptionsPage(parent, apply_path=self.apply_path, install=self.install)
