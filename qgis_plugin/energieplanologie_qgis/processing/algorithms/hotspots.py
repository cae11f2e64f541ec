"""*Knooppunten*: where developments and infrastructure meet, with their level (``energieplanologie hotspots``)."""

from __future__ import annotations

import os
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterNumber,
)

from ..region import HOTSPOT_METHODS, RegionAlgorithm

__all__ = ["METHODS", "HotspotsAlgorithm"]

METHODS = HOTSPOT_METHODS

class HotspotsAlgorithm(RegionAlgorithm):
    """Knooppunten: polygons with level (lokaal/provinciaal/nationaal) per year, their members, Gi* hexagons."""

    NAME = "hotspots"
    DISPLAY_NAME = "Knooppunten"
    GROUP = "Analyse"

    COMMAND = "hotspots"
    OUTPUT = "OUTPUT"
    OUTPUT_MEMBERS = "OUTPUT_MEMBERS"
    OUTPUT_HEXAGONS = "OUTPUT_HEXAGONS"

    def shortHelpString(self) -> str:
        return self.tr(
            "Zoekt knooppunten: plekken waar ontwikkelingen (en geplande infrastructuur) samenkomen, gewogen naar "
            "hun vermogen in het gekozen scenario. Methoden: gewogen DBSCAN (ontwikkelingen binnen de zoekafstand, "
            "samen minstens het minimale vermogen), HDBSCAN, of Getis-Ord Gi* op een hexagonenraster met "
            "FDR-correctie (dan ook de laag met hexagonen).\n\n"
            "Per knooppunt: leden, sectoren, energiedragers, MW afname en invoeding, betrokken stations en hun "
            "tekort, gemeenten, en het niveau lokaal / provinciaal / nationaal met de reden. Zonder jaar: elk "
            "analysejaar (kolom jaar, met wijziging ten opzichte van het vorige jaar).\n\n"
            "Leeg gelaten zoekafstand en minimaal vermogen: de standaardwaarden van de engine.\n\n"
            + self.region_help()
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_region_parameters()
        self.add_hotspot_parameters(advanced=False)
        year = QgsProcessingParameterNumber(self.YEAR, self.tr("Alleen dit jaar"), QgsProcessingParameterNumber.Integer,
                                            optional=True, minValue=2000, maxValue=2100)
        year.setFlags(year.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(year)
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, self.tr("Knooppunten")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_MEMBERS, self.tr("Leden van de knooppunten (tabel)"), optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_HEXAGONS, self.tr("Gi*-hexagonen (alleen bij Gi*)"), optional=True, createByDefault=False))

    def method(self, parameters: dict[str, Any], context: QgsProcessingContext) -> str:
        return METHODS[self.parameterAsEnum(parameters, self.METHOD, context)][0]

    def settings(self, parameters: dict[str, Any], context: QgsProcessingContext) -> dict[str, dict[str, Any]]:
        return {"hotspots": self.hotspot_table(parameters, context)}

    def command_options(self, parameters: dict[str, Any], context: QgsProcessingContext) -> list[str]:
        return self.year_option(parameters, context)

    def read_outputs(self, out_dir: str, parameters: dict[str, Any], context: QgsProcessingContext,
                     feedback: QgsProcessingFeedback) -> dict[str, Any]:
        gpkg = os.path.join(out_dir, "knooppunten.gpkg")
        outputs: dict[str, Any] = {
            self.OUTPUT: self.copy_to_sink(parameters, self.OUTPUT, context, f"{gpkg}|layername=knooppunten",
                                           "knooppunten")}
        if parameters.get(self.OUTPUT_MEMBERS) not in (None, ""):
            outputs[self.OUTPUT_MEMBERS] = self.copy_to_sink(parameters, self.OUTPUT_MEMBERS, context,
                                                             f"{gpkg}|layername=knooppunt_leden")
        if parameters.get(self.OUTPUT_HEXAGONS) not in (None, ""):
            if self.method(parameters, context) == "gistar":
                outputs[self.OUTPUT_HEXAGONS] = self.copy_to_sink(parameters, self.OUTPUT_HEXAGONS, context,
                                                                  f"{gpkg}|layername=hexagonen_gistar",
                                                                  "hexagonen_gistar")
            else:
                feedback.pushWarning("Gi*-hexagonen zijn er alleen bij de methode Gi*; die uitvoer is overgeslagen.")
        return outputs
