"""*Afwegingskader*: criteria A–H per project with reasons, weighted rank and its stability (``energieplanologie assess``)."""

from __future__ import annotations

import os
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFolderDestination,
)

from ..region import RegionAlgorithm, csv_uri

__all__ = ["AssessmentAlgorithm"]


class AssessmentAlgorithm(RegionAlgorithm):
    """Afwegingskader A–H: one row per infrastructure project, and one per project and criterion with the reason."""

    NAME = "assessment"
    DISPLAY_NAME = "Afwegingskader (A–H)"
    GROUP = "Afwegen"

    COMMAND = "assess"
    OUTPUT = "OUTPUT"
    OUTPUT_REASONS = "OUTPUT_REASONS"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"

    def shortHelpString(self) -> str:
        return self.tr(
            "Beoordeelt elk infrastructuurproject op de acht criteria van het afwegingskader: A maatschappelijk "
            "doelbereik, B aansluiting energievisie, C efficiëntie (MW per M€), D urgentie (tekort en eerste "
            "tekortjaar bij het station), E maatschappelijke effecten, F ruimtelijke inpasbaarheid (overlap met "
            "beperkingen), G uitvoerbaarheid en H kosten (gemeld, niet gescoord). A, C, D en F volgen uit de "
            "analyses; elk oordeel heeft een reden. Uitvoer: de gewogen score en rang, met de spreiding van de "
            "rang als de gewichten iets anders zouden zijn.\n\n"
            "De tabel met redenen heeft één rij per project en criterium. De map krijgt pmiek/afweging.csv, "
            "afweging_redenen.csv en afweging_overschrijvingen.csv.\n\n" + self.region_help()
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_region_parameters()
        self.add_assessment_parameters()
        self.add_hotspot_parameters()
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, self.tr("Afweging per project")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_REASONS, self.tr("Oordelen met redenen (tabel)"), optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_FOLDER, self.tr("Map voor de CSV-bestanden"), optional=True, createByDefault=False))

    def settings(self, parameters: dict[str, Any], context: QgsProcessingContext) -> dict[str, dict[str, Any]]:
        return {"hotspots": self.hotspot_table(parameters, context),
                "assessment": self.assessment_table(parameters, context)}

    def output_folder(self, parameters: dict[str, Any], context: QgsProcessingContext, workdir: str) -> str:
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        return folder or super().output_folder(parameters, context, workdir)

    def read_outputs(self, out_dir: str, parameters: dict[str, Any], context: QgsProcessingContext,
                     feedback: QgsProcessingFeedback) -> dict[str, Any]:
        folder = os.path.join(out_dir, "pmiek")
        outputs: dict[str, Any] = {
            self.OUTPUT: self.copy_to_sink(parameters, self.OUTPUT, context,
                                           csv_uri(os.path.join(folder, "afweging.csv")), provider="delimitedtext")}
        if parameters.get(self.OUTPUT_REASONS) not in (None, ""):
            outputs[self.OUTPUT_REASONS] = self.copy_to_sink(
                parameters, self.OUTPUT_REASONS, context, csv_uri(os.path.join(folder, "afweging_redenen.csv")),
                provider="delimitedtext")
        if self.parameterAsString(parameters, self.OUTPUT_FOLDER, context):
            outputs[self.OUTPUT_FOLDER] = out_dir
        return outputs
