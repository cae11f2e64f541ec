"""*Gemeenteatlas*: a QGIS print layout with an atlas over the municipalities, saved as .qgz and exported to PDF.

The engine (``energieplanologie atlas``) writes the layers of one year and scenario and the tables of every page;
this algorithm copies that GeoPackage beside the project file, builds the layout on it (``atlas.py``) and exports
one PDF page per municipality. The layout is built in :meth:`postProcessAlgorithm`, which QGIS runs on the main
thread, as a print layout needs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProject,
)

from ...atlas import ATLAS_GPKG, PAGE_SIZES, AtlasPage, build_atlas_project, export_atlas_pdf
from ..region import RegionAlgorithm

__all__ = ["MunicipalityAtlasAlgorithm", "data_path"]


def data_path(project_path: str) -> str:
    """Where the atlas's GeoPackage goes: beside the project file, named after it.

    Examples
    --------
    >>> data_path("/tmp/atlas/zeeuws-vlaanderen.qgz")
    '/tmp/atlas/zeeuws-vlaanderen_gegevens.gpkg'
    """
    return os.path.splitext(project_path)[0] + "_gegevens.gpkg"


class MunicipalityAtlasAlgorithm(RegionAlgorithm):
    """Gemeenteatlas: a .qgz with the print layout *Gemeenteatlas* and its PDF, one page per municipality."""

    NAME = "municipality_atlas"
    DISPLAY_NAME = "Gemeenteatlas (printlay-out en PDF)"
    GROUP = "Publiceren"

    COMMAND = "atlas"
    PAGE_SIZE = "PAGE_SIZE"
    OUTPUT_PROJECT = "OUTPUT_PROJECT"
    OUTPUT_PDF = "OUTPUT_PDF"
    PAGES = "PAGES"

    def __init__(self) -> None:
        super().__init__()
        self._results: dict[str, Any] = {}

    def shortHelpString(self) -> str:
        return self.tr(
            "Maakt een printlay-out met een atlas over de gemeenten, zoals de gemeenteoverzichten van de pilot "
            "Zeeuws-Vlaanderen: per gemeente één pagina met de kaart (de gemeente omlijnd, de buurgemeenten grijs, "
            "legenda, schaalbalk en noordpijl), het vermogen per sector en jaar, de stations met hun ruimte per "
            "jaar (gekleurd naar status), de projecten en de knooppunten van het gekozen jaar en scenario.\n\n"
            "Uitvoer: een QGIS-project (.qgz) met de gestileerde lagen, de tabellen en de lay-out 'Gemeenteatlas' "
            "(open het om de stijlen of de lay-out aan te passen; de gegevens staan ernaast in "
            "<naam>_gegevens.gpkg), en de atlas als PDF met één pagina per gemeente, A4 of A3 liggend.\n\n"
            "De cijfers komen van de engine; de plugin maakt alleen de lay-out.\n\n" + self.region_help()
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_region_parameters()
        self.add_hotspot_parameters()
        self.add_year_parameter()
        self.addParameter(QgsProcessingParameterEnum(
            self.PAGE_SIZE, self.tr("Papierformaat"), options=[label for _name, label, _k in PAGE_SIZES],
            defaultValue=0))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_PROJECT, self.tr("QGIS-project met de atlas (.qgz)"), self.tr("QGIS-projecten (*.qgz)")))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_PDF, self.tr("Atlas als PDF"), self.tr("PDF-bestanden (*.pdf)")))
        self.addOutput(QgsProcessingOutputNumber(self.PAGES, self.tr("Aantal pagina's (gemeenten)")))

    def settings(self, parameters: dict[str, Any], context: QgsProcessingContext) -> dict[str, dict[str, Any]]:
        return {"hotspots": self.hotspot_table(parameters, context)}

    def command_options(self, parameters: dict[str, Any], context: QgsProcessingContext) -> list[str]:
        return ["--year", str(self.chosen_year(parameters, context))]

    def read_outputs(self, out_dir: str, parameters: dict[str, Any], context: QgsProcessingContext,
                     feedback: QgsProcessingFeedback) -> dict[str, Any]:
        project_path = self.project_path(parameters, context)
        target = data_path(project_path)
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.expect_file(os.path.join(out_dir, ATLAS_GPKG)), target)
        feedback.pushInfo(f"Gegevens van de atlas: {target}")
        self._results = {self.OUTPUT_PROJECT: project_path,
                         self.OUTPUT_PDF: self.parameterAsFileOutput(parameters, self.OUTPUT_PDF, context)}
        self._page = AtlasPage(self.region_name(parameters, context), self.chosen_year(parameters, context),
                               self.chosen_scenario(parameters, context),
                               PAGE_SIZES[self.parameterAsEnum(parameters, self.PAGE_SIZE, context)][0])
        return dict(self._results)

    def project_path(self, parameters: dict[str, Any], context: QgsProcessingContext) -> str:
        path = self.parameterAsFileOutput(parameters, self.OUTPUT_PROJECT, context)
        if not path:
            raise QgsProcessingException("Kies waar het QGIS-project (.qgz) komt (parameter OUTPUT_PROJECT).")
        return path if path.lower().endswith((".qgz", ".qgs")) else path + ".qgz"

    def postProcessAlgorithm(self, context: QgsProcessingContext, feedback: QgsProcessingFeedback) -> dict[str, Any]:
        """Build the layout on the engine's data, save the project and export the PDF (main thread)."""
        if not self._results:  # canceled, or the engine failed
            return {}
        project_path = self._results[self.OUTPUT_PROJECT]
        pdf = self._results[self.OUTPUT_PDF]
        project = QgsProject()
        try:
            build_atlas_project(data_path(project_path), self._page, project)
            feedback.pushInfo(f"Lay-out 'Gemeenteatlas' ({self._page.page_size} liggend) gemaakt.")
            pages = export_atlas_pdf(project, pdf) if pdf else 0
            if pdf:
                feedback.pushInfo(f"Atlas als PDF: {pdf} ({pages} pagina's)")
            if not project.write(project_path):
                raise QgsProcessingException(f"Het project kon niet naar {project_path} worden geschreven: "
                                             f"{project.error()}")
        except (RuntimeError, ValueError) as exc:
            raise QgsProcessingException(str(exc)) from None
        finally:
            project.clear()  # release the GeoPackage before anyone opens it
        feedback.pushInfo(f"QGIS-project met de atlas: {project_path}")
        return {**self._results, self.PAGES: pages, self.ROWS_REJECTED: self._rejected}

    def handle_result(self, result: Any, parameters: dict[str, Any], context: QgsProcessingContext,
                      feedback: QgsProcessingFeedback) -> dict[str, Any]:
        outputs = super().handle_result(result, parameters, context, feedback)
        self._rejected = outputs.get(self.ROWS_REJECTED, 0)
        return outputs
