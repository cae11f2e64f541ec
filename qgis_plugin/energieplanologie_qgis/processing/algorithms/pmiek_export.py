"""*pMIEK-export*: the project list (XLSX/CSV) and one project sheet per project (``energieplanologie pmiek``)."""

from __future__ import annotations

import glob
import os
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFolderDestination,
)

from ..region import RegionAlgorithm

__all__ = ["PmiekExportAlgorithm"]


class PmiekExportAlgorithm(RegionAlgorithm):
    """pMIEK: projectenlijst with the document's columns and a projectfiche (HTML, optionally PDF) per project."""

    NAME = "pmiek_export"
    DISPLAY_NAME = "pMIEK-export (projectenlijst en fiches)"
    GROUP = "Afwegen"

    COMMAND = "pmiek"
    PDF = "PDF"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    OUTPUT_XLSX = "OUTPUT_XLSX"
    OUTPUT_CSV = "OUTPUT_CSV"
    OUTPUT_SHEETS = "OUTPUT_SHEETS"
    PROJECTS = "PROJECTS"

    def shortHelpString(self) -> str:
        return self.tr(
            "Maakt het provinciale MIEK: de projectenlijst met de kolommen van de handreiking (Naam project, "
            "Locatie, Type infra, Sectoren en ontwikkelingen, Financiële informatie, Planning, Betrokken partijen) "
            "als XLSX en CSV, en per project een projectfiche van één A4 (algemene gegevens, toelichting, reden "
            "van opname, fase, afhankelijkheden, afspraken en een kaartje) als HTML en, als gekozen, PDF. De "
            "volgorde volgt het afwegingskader.\n\n"
            "Uitvoer in de gekozen map: pmiek/projectenlijst.xlsx, projectenlijst.csv, fiches/<project>.html "
            "(.pdf) en de afweging.\n\n" + self.region_help()
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_region_parameters()
        self.add_assessment_parameters()
        self.add_hotspot_parameters()
        self.addParameter(QgsProcessingParameterBoolean(self.PDF, self.tr("Projectfiches ook als PDF"),
                                                        defaultValue=False))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, self.tr("Uitvoermap")))
        self.addOutput(QgsProcessingOutputFile(self.OUTPUT_XLSX, self.tr("Projectenlijst (XLSX)")))
        self.addOutput(QgsProcessingOutputFile(self.OUTPUT_CSV, self.tr("Projectenlijst (CSV)")))
        self.addOutput(QgsProcessingOutputFile(self.OUTPUT_SHEETS, self.tr("Projectfiches (index)")))
        self.addOutput(QgsProcessingOutputNumber(self.PROJECTS, self.tr("Aantal projectfiches")))

    def settings(self, parameters: dict[str, Any], context: QgsProcessingContext) -> dict[str, dict[str, Any]]:
        return {"hotspots": self.hotspot_table(parameters, context),
                "assessment": self.assessment_table(parameters, context)}

    def output_folder(self, parameters: dict[str, Any], context: QgsProcessingContext, workdir: str) -> str:
        return self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)

    def command_options(self, parameters: dict[str, Any], context: QgsProcessingContext) -> list[str]:
        return ["--pdf" if self.parameterAsBoolean(parameters, self.PDF, context) else "--geen-pdf"]

    def read_outputs(self, out_dir: str, parameters: dict[str, Any], context: QgsProcessingContext,
                     feedback: QgsProcessingFeedback) -> dict[str, Any]:
        folder = os.path.join(out_dir, "pmiek")
        xlsx = self.expect_file(os.path.join(folder, "projectenlijst.xlsx"))
        sheets = sorted(p for p in glob.glob(os.path.join(folder, "fiches", "*.html"))
                        if os.path.basename(p) not in ("index.html", "kaart.html"))
        feedback.pushInfo(f"Projectenlijst: {xlsx}; {len(sheets)} projectfiches in {os.path.join(folder, 'fiches')}")
        return {self.OUTPUT_FOLDER: out_dir, self.OUTPUT_XLSX: xlsx,
                self.OUTPUT_CSV: self.expect_file(os.path.join(folder, "projectenlijst.csv")),
                self.OUTPUT_SHEETS: os.path.join(folder, "fiches", "index.html"), self.PROJECTS: len(sheets)}
