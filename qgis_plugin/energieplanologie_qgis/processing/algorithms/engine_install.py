"""*Engine installeren*: make (or upgrade) the engine from the wheel in the plugin, without a terminal.

No parameter is required, so ``qgis_process run energieplanologie:engine_install`` works as it is. This algorithm
needs no engine itself (it is the way to get one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputFolder,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsSettings,
)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ...engine import (
    ENGINE_FOLDER_NAME,
    SETTINGS_KEY,
    EngineCanceled,
    EngineError,
    bundled_wheel,
    store_setting,
)
from ...engine_install import BASE_PYTHON_KEY, WHEELHOUSE_KEY, install_engine

__all__ = ["EngineInstallAlgorithm", "default_engine_folder"]

ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "icon.svg"


def default_engine_folder() -> Path:
    """Where the engine goes: ``energieplanologie-engine`` in the active QGIS profile folder."""
    return Path(QgsApplication.qgisSettingsDirPath()) / ENGINE_FOLDER_NAME


class EngineInstallAlgorithm(QgsProcessingAlgorithm):
    """Engine installeren: a virtual environment in the QGIS profile with the engine wheel of this plugin."""

    NAME = "engine_install"
    WHEELHOUSE = "WHEELHOUSE"
    PYTHON = "PYTHON"
    WHEEL = "ENGINE_WHEEL"
    FOLDER = "ENGINE_FOLDER"
    REINSTALL = "REINSTALL"
    ENGINE_PYTHON = "ENGINE_PYTHON"
    VERSION = "VERSION"
    ACTION = "ACTION"

    def createInstance(self) -> EngineInstallAlgorithm:
        return type(self)()

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:
        return self.tr("Engine installeren")

    def group(self) -> str:
        return self.tr("Engine")

    def groupId(self) -> str:
        return "engine"

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("Energieplanologie", text)

    def shortHelpString(self) -> str:
        return self.tr(
            "Maakt de engine: een aparte Python-omgeving met het pakket energieplanologie, waarin alle analyses "
            "van deze plugin draaien (zoals QGIS dat doet voor GRASS en SAGA). De omgeving komt in de map "
            f"'{ENGINE_FOLDER_NAME}' van het actieve QGIS-profiel; het wheel komt uit de plugin zelf, de "
            "afhankelijkheden (geopandas, rasterio, …, samen enkele honderden MB) van PyPI. Dat duurt een paar "
            "minuten; de voortgang staat in het logboek en Annuleren stopt de installatie.\n\n"
            "Zonder internet (afgeschermd netwerk): maak op een computer mét internet een map met wheels "
            "(pip download energieplanologie-….whl -d wheels, met dezelfde Python-versie en hetzelfde "
            "besturingssysteem) en kies die map bij 'Map met wheels'; er wordt dan niets van internet gehaald.\n\n"
            "Nog eens uitvoeren werkt de engine bij als de plugin een nieuwere versie meebrengt, en doet niets als "
            "hij al bij is. Daarna is de engine ingesteld (Plugins › Energieplanologie › Engine instellen…)."
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        settings = QgsSettings()
        wheelhouse = QgsProcessingParameterFile(
            self.WHEELHOUSE, self.tr("Map met wheels om zonder internet te installeren (leeg: van PyPI)"),
            behavior=Qgis.ProcessingFileParameterBehavior.Folder, optional=True,
            defaultValue=str(settings.value(WHEELHOUSE_KEY, "") or "") or None)
        self.addParameter(wheelhouse)
        python = QgsProcessingParameterFile(
            self.PYTHON, self.tr("Python om de engine mee te maken (leeg: die van QGIS, of python3)"), optional=True,
            defaultValue=str(settings.value(BASE_PYTHON_KEY, "") or "") or None)
        python.setFlags(python.flags() | Qgis.ProcessingParameterFlag.Advanced)
        self.addParameter(python)
        wheel = QgsProcessingParameterFile(self.WHEEL, self.tr("Engine-wheel (leeg: het wheel in de plugin)"),
                                           extension="whl", optional=True)
        wheel.setFlags(wheel.flags() | Qgis.ProcessingParameterFlag.Advanced)
        self.addParameter(wheel)
        folder = QgsProcessingParameterFile(
            self.FOLDER, self.tr("Map van de engine (leeg: in het QGIS-profiel)"),
            behavior=Qgis.ProcessingFileParameterBehavior.Folder, optional=True)
        folder.setFlags(folder.flags() | Qgis.ProcessingParameterFlag.Advanced)
        self.addParameter(folder)
        self.addParameter(QgsProcessingParameterBoolean(
            self.REINSTALL, self.tr("Opnieuw maken, ook als de engine werkt"), defaultValue=False))
        self.addOutput(QgsProcessingOutputString(self.ENGINE_PYTHON, self.tr("Python van de engine")))
        self.addOutput(QgsProcessingOutputString(self.VERSION, self.tr("Versie van de engine")))
        self.addOutput(QgsProcessingOutputString(self.ACTION, self.tr("Wat er gebeurde")))
        self.addOutput(QgsProcessingOutputFolder(self.FOLDER, self.tr("Map van de engine")))

    def processAlgorithm(self, parameters: dict[str, Any], context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback) -> dict[str, Any]:
        wheel_value = self.parameterAsFile(parameters, self.WHEEL, context)
        wheel = Path(wheel_value) if wheel_value else bundled_wheel()
        if wheel is None:
            raise QgsProcessingException(
                "Deze plugin bevat geen engine-wheel (map wheels/ in de plugin). Installeer de plugin uit de zip "
                "die scripts/build_plugin_zip.py maakt, of kies het wheel bij 'Engine-wheel'.")
        folder = Path(self.parameterAsFile(parameters, self.FOLDER, context) or default_engine_folder())
        wheelhouse = self.parameterAsFile(parameters, self.WHEELHOUSE, context) or None
        python = self.parameterAsFile(parameters, self.PYTHON, context) or None
        reinstall = self.parameterAsBoolean(parameters, self.REINSTALL, context)
        feedback.pushInfo(f"Engine {wheel.name} installeren in {folder}"
                          + (f", offline uit {wheelhouse}" if wheelhouse else ", afhankelijkheden van PyPI"))
        try:
            result = install_engine(folder, wheel, base_python=python, wheelhouse=wheelhouse, reinstall=reinstall,
                                    feedback=feedback)
        except EngineCanceled as exc:
            raise QgsProcessingException(f"{exc} Voer ‘Engine installeren’ opnieuw uit om af te maken.") from None
        except EngineError as exc:
            raise QgsProcessingException(f"De engine kon niet worden geïnstalleerd: {exc}") from None
        store_setting(str(result.python))
        settings = QgsSettings()
        if wheelhouse:
            settings.setValue(WHEELHOUSE_KEY, str(wheelhouse))
        if python:
            settings.setValue(BASE_PYTHON_KEY, str(python))
        provider = self.provider()
        if provider is not None and hasattr(provider, "set_engine"):
            provider.set_engine(result.engine)
        said = {"nieuw": "geïnstalleerd", "bijgewerkt": f"bijgewerkt (was {result.previous_version})",
                "ongewijzigd": "was al bij"}[result.action]
        feedback.pushInfo(f"Engine energieplanologie {result.engine.version} {said}: {result.python}. Ingesteld als "
                          f"engine van de plugin (instelling {SETTINGS_KEY}).")
        return {self.ENGINE_PYTHON: str(result.python), self.VERSION: result.engine.version,
                self.ACTION: result.action, self.FOLDER: str(folder)}
