"""*Voorbeeldregio laden*: run the whole chain on the shipped sample region and load it as a styled, grouped project."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputHtml,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFolderDestination,
    QgsProcessingUtils,
    QgsVectorLayer,
)

from ...engine import EngineResult
from ...outputs import GPKG_NAME, LayerStyler, output_layers, remember_output_folder
from ..base import EngineAlgorithm
from ..region import report_validation

__all__ = ["SAMPLE_GROUP", "LoadSampleAlgorithm", "final_year_and_scenario"]

#: Title of the layer-tree group the sample is loaded into.
SAMPLE_GROUP = "Voorbeeldregio Zeeuws-Vlaanderen"


def final_year_and_scenario(folder: str) -> tuple[int | None, str | None]:
    """The last analysis year and the chosen scenario of a full output folder (from its knooppunten layer)."""
    layer = QgsVectorLayer(f"{os.path.join(folder, GPKG_NAME)}|layername=knooppunten", "knooppunten", "ogr")
    if not layer.isValid() or layer.featureCount() == 0:
        return None, None
    year_index = layer.fields().lookupField("jaar")
    scenario_index = layer.fields().lookupField("scenario")
    year = layer.maximumValue(year_index) if year_index >= 0 else None
    scenarios = sorted(str(v) for v in layer.uniqueValues(scenario_index)) if scenario_index >= 0 else []
    return (int(year) if year is not None else None), (scenarios[0] if len(scenarios) == 1 else None)


class LoadSampleAlgorithm(EngineAlgorithm):
    """Voorbeeldregio laden: ``energieplanologie demo`` into a folder, its layers into the project."""

    NAME = "load_sample"
    DISPLAY_NAME = "Voorbeeldregio laden"
    GROUP = "Inzicht"

    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    OUTPUT_GPKG = "OUTPUT_GPKG"
    OUTPUT_INDEX = "OUTPUT_INDEX"
    OUTPUT_MAP = "OUTPUT_MAP"
    LAYERS_LOADED = "LAYERS_LOADED"

    def __init__(self) -> None:
        super().__init__()
        self._folder = ""

    def shortHelpString(self) -> str:
        return self.tr(
            "Rekent de hele keten door op de meegeleverde voorbeeldregio Zeeuws-Vlaanderen (gemeenten Sluis, Hulst "
            "en Terneuzen) en laadt het resultaat als gestileerd project in de groep 'Voorbeeldregio "
            "Zeeuws-Vlaanderen': invoer (gemeenten, stations, infrastructuur, ontwikkelingen, beperkingen), "
            "analyse (stationsbalans en knooppunten van het laatste jaar, dichtheid, Gi*-hexagonen) en tabellen "
            "(stationscapaciteit, knooppuntleden, afweging).\n\n"
            "In de uitvoermap staan ook de gemeenteoverzichten (gemeenten/index.html; ook te zien in het paneel "
            "'Energieplanologie — gemeente'), de interactieve kaart (kaart.html), de pMIEK-projectenlijst en "
            "-fiches en het validatierapport.\n\n"
            "Let op: de gemeentegrenzen en de ligging van de hoogspanningsstations zijn echt; capaciteiten, "
            "projecten en ontwikkelingen zijn illustratief, verzonnen voor de demo."
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, self.tr("Uitvoermap")))
        self.addOutput(QgsProcessingOutputFile(self.OUTPUT_GPKG, self.tr("GeoPackage met alle lagen")))
        self.addOutput(QgsProcessingOutputHtml(self.OUTPUT_INDEX, self.tr("Gemeenteoverzichten (index)")))
        self.addOutput(QgsProcessingOutputHtml(self.OUTPUT_MAP, self.tr("Interactieve kaart")))
        self.addOutput(QgsProcessingOutputNumber(self.LAYERS_LOADED, self.tr("Aantal lagen")))

    def engine_arguments(self, parameters: dict[str, Any], context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback, workdir: str) -> list[str]:
        # A folder of its own: the engine refuses an output folder that holds other files (QGIS's temporary folder
        # holds every algorithm's outputs).
        self._folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context) or \
            os.path.join(QgsProcessingUtils.tempFolder(), "energieplanologie_voorbeeld")
        return ["demo", "--out", self._folder]

    def handle_result(self, result: EngineResult, parameters: dict[str, Any], context: QgsProcessingContext,
                      feedback: QgsProcessingFeedback) -> dict[str, Any]:
        folder = self._folder
        validation = Path(folder) / "validatie.json"
        if validation.exists():
            data = json.loads(validation.read_text(encoding="utf-8"))
            report_validation(dict(data.get("layers", {})), feedback)
        year, scenario = final_year_and_scenario(folder)
        layers = output_layers(folder, group=SAMPLE_GROUP, final_year=year, scenario=scenario)
        for spec in layers:
            details = QgsProcessingContext.LayerDetails(spec.title, context.project(), spec.title,
                                                        QgsProcessingUtils.LayerHint.Raster if spec.kind == "raster"
                                                        else QgsProcessingUtils.LayerHint.Vector)
            details.forceName = True
            details.setPostProcessor(LayerStyler.for_layer(spec))
            context.addLayerToLoadOnCompletion(spec.uri, details)
        remember_output_folder(folder)
        feedback.pushInfo(f"{len(layers)} lagen klaar om te laden in de groep '{SAMPLE_GROUP}'; uitvoer in {folder}")
        return {
            self.OUTPUT_FOLDER: folder,
            self.OUTPUT_GPKG: os.path.join(folder, GPKG_NAME),
            self.OUTPUT_INDEX: os.path.join(folder, "gemeenten", "index.html"),
            self.OUTPUT_MAP: os.path.join(folder, "kaart.html"),
            self.LAYERS_LOADED: len(layers),
        }
