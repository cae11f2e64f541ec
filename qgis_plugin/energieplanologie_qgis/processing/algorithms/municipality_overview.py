"""*Gemeenteoverzichten*: per municipality a map and tables as PNG and HTML, with an index (``energieplanologie overview``)."""

from __future__ import annotations

import glob
import os
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputHtml,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFolderDestination,
)

from ...outputs import LAST_FOLDER_KEY, remember_output_folder
from ..region import RegionAlgorithm

__all__ = ["LAST_FOLDER_KEY", "MunicipalityOverviewAlgorithm"]


class MunicipalityOverviewAlgorithm(RegionAlgorithm):
    """Gemeenteoverzichten: ``gemeenten/<GMcode>.html|png`` and ``gemeenten/index.html`` in the chosen folder."""

    NAME = "municipality_overview"
    DISPLAY_NAME = "Gemeenteoverzichten"
    GROUP = "Publiceren"

    COMMAND = "overview"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    OUTPUT_INDEX = "OUTPUT_INDEX"
    MUNICIPALITIES_WRITTEN = "MUNICIPALITIES_WRITTEN"

    def shortHelpString(self) -> str:
        return self.tr(
            "Maakt per gemeente één overzicht (zoals in de pilot Zeeuws-Vlaanderen): een kaart met alle bestaande "
            "en geplande infrastructuur en alle ontwikkelingen, en tabellen met het vermogen per sector en jaar "
            "(afname en invoeding, gewogen naar het scenario), de stations die de gemeente bedienen met hun "
            "balans, de projecten en de knooppunten. Als PNG en als HTML-pagina met interactieve kaart die zonder "
            "internet werkt, plus een indexpagina.\n\n"
            "Het paneel 'Energieplanologie — gemeente' (menu Plugins › Energieplanologie) toont deze overzichten "
            "per gemeente.\n\n" + self.region_help()
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_region_parameters()
        self.add_hotspot_parameters()
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, self.tr("Uitvoermap")))
        self.addOutput(QgsProcessingOutputHtml(self.OUTPUT_INDEX, self.tr("Gemeenteoverzichten (index)")))
        self.addOutput(QgsProcessingOutputNumber(self.MUNICIPALITIES_WRITTEN, self.tr("Aantal gemeenten")))

    def settings(self, parameters: dict[str, Any], context: QgsProcessingContext) -> dict[str, dict[str, Any]]:
        return {"hotspots": self.hotspot_table(parameters, context)}

    def output_folder(self, parameters: dict[str, Any], context: QgsProcessingContext, workdir: str) -> str:
        return self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)

    def read_outputs(self, out_dir: str, parameters: dict[str, Any], context: QgsProcessingContext,
                     feedback: QgsProcessingFeedback) -> dict[str, Any]:
        index = self.expect_file(os.path.join(out_dir, "gemeenten", "index.html"))
        pages = [p for p in glob.glob(os.path.join(out_dir, "gemeenten", "*.html")) if not p.endswith("index.html")]
        remember_output_folder(out_dir)
        feedback.pushInfo(f"{len(pages)} gemeenteoverzichten in {os.path.dirname(index)}")
        return {self.OUTPUT_FOLDER: out_dir, self.OUTPUT_INDEX: index, self.MUNICIPALITIES_WRITTEN: len(pages)}
