"""*Knooppunten*: where developments and infrastructure meet, with their level (``energieplanologie hotspots``)."""

from __future__ import annotations

import os
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingParameterFeatureSink,
)

from ..region import HOTSPOT_METHODS, RegionAlgorithm

__all__ = ["METHODS", "HotspotsAlgorithm"]

METHODS = HOTSPOT_METHODS

class HotspotsAlgorithm(RegionAlgorithm):
    """Knooppunten of the chosen year (lokaal/provinciaal/nationaal), their members, Gi* hexagons; optionally every
    year as a temporal layer."""

    NAME = "hotspots"
    DISPLAY_NAME = "Knooppunten"
    GROUP = "Analyse"

    COMMAND = "hotspots"
    OUTPUT = "OUTPUT"
    OUTPUT_ALL_YEARS = "OUTPUT_ALL_YEARS"
    OUTPUT_MEMBERS = "OUTPUT_MEMBERS"
    OUTPUT_HEXAGONS = "OUTPUT_HEXAGONS"

    def shortHelpString(self) -> str:
        return self.tr(
            "Zoekt knooppunten: plekken waar ontwikkelingen (en geplande infrastructuur) samenkomen, gewogen naar "
            "hun vermogen in het gekozen scenario. Methoden: gewogen DBSCAN (ontwikkelingen binnen de zoekafstand, "
            "samen minstens het minimale vermogen), HDBSCAN, of Getis-Ord Gi* op een hexagonenraster met "
            "FDR-correctie (dan ook de laag met hexagonen).\n\n"
            "Per knooppunt: leden, sectoren, energiedragers, MW afname en invoeding, betrokken stations en hun "
            "tekort, gemeenten, het niveau lokaal / provinciaal / nationaal met de reden, en de wijziging ten "
            "opzichte van het vorige analysejaar (nieuw, groeiend, stabiel, krimpend).\n\n"
            "De laag Knooppunten bevat één jaar (standaard het laatste analysejaar): één vlak per knooppunt, met "
            "jaar en scenario in de laagnaam. 'Knooppunten, alle jaren' (optioneel) bevat elk analysejaar met de "
            "kolom jaar en staat klaar voor de tijdbalk van QGIS.\n\n"
            "Leeg gelaten zoekafstand en minimaal vermogen: de standaardwaarden van de engine.\n\n"
            + self.region_help()
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_region_parameters()
        self.add_hotspot_parameters(advanced=False)
        self.add_year_parameter()
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, self.tr("Knooppunten")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_ALL_YEARS, self.tr("Knooppunten, alle jaren (voor de tijdbalk)"), optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_MEMBERS, self.tr("Leden van de knooppunten (tabel)"), optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_HEXAGONS, self.tr("Gi*-hexagonen (alleen bij Gi*)"), optional=True, createByDefault=False))

    def method(self, parameters: dict[str, Any], context: QgsProcessingContext) -> str:
        return METHODS[self.parameterAsEnum(parameters, self.METHOD, context)][0]

    def settings(self, parameters: dict[str, Any], context: QgsProcessingContext) -> dict[str, dict[str, Any]]:
        return {"hotspots": self.hotspot_table(parameters, context)}

    def analysis_years(self, parameters: dict[str, Any], context: QgsProcessingContext) -> list[int]:
        """Up to the chosen year (the engine computes every year for the change; its Gi* hexagons are those of the
        last year), all of them when every year is asked for."""
        years = super().analysis_years(parameters, context)
        if parameters.get(self.YEAR) in (None, "") or parameters.get(self.OUTPUT_ALL_YEARS) not in (None, ""):
            return years
        year = self.parameterAsInt(parameters, self.YEAR, context)
        return [y for y in years if y <= year]

    def read_outputs(self, out_dir: str, parameters: dict[str, Any], context: QgsProcessingContext,
                     feedback: QgsProcessingFeedback) -> dict[str, Any]:
        gpkg = os.path.join(out_dir, "knooppunten.gpkg")
        year = self.chosen_year(parameters, context)
        outputs: dict[str, Any] = {
            self.OUTPUT: self.copy_to_sink(parameters, self.OUTPUT, context, f"{gpkg}|layername=knooppunten",
                                           "knooppunten", where=self.year_filter(year),
                                           title=self.year_title("Knooppunten", parameters, context))}
        if parameters.get(self.OUTPUT_ALL_YEARS) not in (None, ""):
            outputs[self.OUTPUT_ALL_YEARS] = self.copy_to_sink(
                parameters, self.OUTPUT_ALL_YEARS, context, f"{gpkg}|layername=knooppunten", "knooppunten",
                title=self.year_title("Knooppunten", parameters, context, all_years=True),
                temporal_years=self.analysis_years(parameters, context))
        if parameters.get(self.OUTPUT_MEMBERS) not in (None, ""):
            outputs[self.OUTPUT_MEMBERS] = self.copy_to_sink(
                parameters, self.OUTPUT_MEMBERS, context, f"{gpkg}|layername=knooppunt_leden",
                where=self.year_filter(year), title=self.year_title("Knooppuntleden", parameters, context))
        if parameters.get(self.OUTPUT_HEXAGONS) not in (None, ""):
            if self.method(parameters, context) == "gistar":
                outputs[self.OUTPUT_HEXAGONS] = self.copy_to_sink(parameters, self.OUTPUT_HEXAGONS, context,
                                                                  f"{gpkg}|layername=hexagonen_gistar",
                                                                  "hexagonen_gistar")
            else:
                feedback.pushWarning("Gi*-hexagonen zijn er alleen bij de methode Gi*; die uitvoer is overgeslagen.")
        return outputs
