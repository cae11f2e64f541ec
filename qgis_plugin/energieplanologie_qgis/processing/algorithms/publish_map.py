"""*Interactieve kaart publiceren*: the region as one self-contained HTML map (``energieplanologie map``)."""

from __future__ import annotations

import os
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
)

from ..region import RegionAlgorithm

__all__ = ["PublishMapAlgorithm"]


class PublishMapAlgorithm(RegionAlgorithm):
    """Interactieve kaart: one HTML file that opens without internet (tiles aside)."""

    NAME = "publish_map"
    DISPLAY_NAME = "Interactieve kaart publiceren"
    GROUP = "Publiceren"

    COMMAND = "map"
    OUTPUT = "OUTPUT"

    def shortHelpString(self) -> str:
        return self.tr(
            "Schrijft één HTML-bestand met een interactieve kaart van de regio voor sessies met gemeenten, "
            "provincie en netbeheerders: gemeenten, stations naar balansstatus, infrastructuur naar type en "
            "energiedrager, ontwikkelingen naar sector, knooppunten, Gi*-hexagonen en dichtheid, met jaarkiezer, "
            "legenda, pop-ups en keuze van achtergrondkaart (OpenStreetMap, PDOK BRT-achtergrondkaart). Alle "
            "JavaScript en CSS zitten in het bestand: het opent ook zonder internet (alleen de achtergrondkaart "
            "heeft internet nodig).\n\n" + self.region_help()
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_region_parameters()
        self.add_hotspot_parameters()
        self.addParameter(QgsProcessingParameterNumber(
            self.YEAR, self.tr("Jaar dat de kaart bij openen toont"), QgsProcessingParameterNumber.Integer,
            optional=True, minValue=2000, maxValue=2100))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, self.tr("Interactieve kaart (HTML)"), self.tr("HTML-bestanden (*.html)")))

    def settings(self, parameters: dict[str, Any], context: QgsProcessingContext) -> dict[str, dict[str, Any]]:
        return {"hotspots": self.hotspot_table(parameters, context)}

    def command_options(self, parameters: dict[str, Any], context: QgsProcessingContext) -> list[str]:
        return self.year_option(parameters, context)

    def read_outputs(self, out_dir: str, parameters: dict[str, Any], context: QgsProcessingContext,
                     feedback: QgsProcessingFeedback) -> dict[str, Any]:
        target = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        return {self.OUTPUT: self.copy_file(os.path.join(out_dir, "kaart.html"), target)}
