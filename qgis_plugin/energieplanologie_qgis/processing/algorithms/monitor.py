"""*Voortgangstoets (borgen)*: project status against the programme and what each delay does to the grid
(``energieplanologie monitor``)."""

from __future__ import annotations

import csv
import os
from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputHtml,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterVectorLayer,
)

from ...outputs import remember_output_folder
from ..inputs import write_sources
from ..region import RegionAlgorithm, csv_uri

__all__ = ["MonitorAlgorithm"]


class MonitorAlgorithm(RegionAlgorithm):
    """Voortgangstoets: the status layer next to the region's layers; voortgang and gevolgen as tables, the page
    ``voortgang.html`` and the CSV/XLSX files in the chosen folder."""

    NAME = "monitor"
    DISPLAY_NAME = "Voortgangstoets (borgen)"
    GROUP = "Borgen"

    COMMAND = "monitor"
    STATUS = "STATUS"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"
    OUTPUT_PROGRESS = "OUTPUT_PROGRESS"
    OUTPUT_CONSEQUENCES = "OUTPUT_CONSEQUENCES"
    OUTPUT_HTML = "OUTPUT_HTML"
    PROJECTS_DELAYED = "PROJECTS_DELAYED"
    ROWS_CHANGED = "ROWS_CHANGED"

    def shortHelpString(self) -> str:
        return self.tr(
            "De halfjaarlijkse gezamenlijke toets van stap 5 (borgen en uitvoeren): vergelijkt de stand van de "
            "projecten met het programma en laat zien wat elke vertraging met het net doet.\n\n"
            "Statusmeldingen: een tabel (CSV, Excel, GeoPackage of PostGIS) met per project en peildatum de "
            "kolommen projectcode, peildatum (30-06-2026 of 2026-06-30), status (idee, voorbereiding, vergunning, "
            "aanbesteding, in_aanbouw, gereed, vertraagd, geschrapt), verwacht_gereed en toelichting. Meerdere "
            "peildata vormen de geschiedenis. Een onbekende projectcode, een peildatum in de toekomst of een "
            "geschrapt project met een jaar laat het algoritme stoppen met de rij en de kolom.\n\n"
            "Uitvoer: 'Voortgang' (per project gepland en verwacht jaar gereed, vertraging in jaren — negatief als "
            "het project eerder klaar is, leeg als het geschrapt is —, status en peildatum), 'Gevolgen' (per "
            "station, richting en jaar waar het tekort verandert: tekort gepland en verwacht, de oorzaak en de "
            "ontwikkelingen die moeten wachten) en in de uitvoermap voortgang.csv/.xlsx, gevolgen.csv en "
            "voortgang.html: één pagina voor het overleg (tijdlijn, kaart, tabellen) die zonder internet werkt.\n\n"
            + self.region_help()
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_region_parameters()
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.STATUS, self.tr("Statusmeldingen (tabel: projectcode, peildatum, status, verwacht_gereed)"),
            [QgsProcessing.TypeVector]))
        self.addParameter(QgsProcessingParameterFolderDestination(self.OUTPUT_FOLDER, self.tr("Uitvoermap")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_PROGRESS, self.tr("Voortgang per project"), QgsProcessing.TypeVector))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_CONSEQUENCES, self.tr("Gevolgen voor de stationsbalans"), QgsProcessing.TypeVector))
        self.addOutput(QgsProcessingOutputHtml(self.OUTPUT_HTML, self.tr("Voortgangstoets (HTML)")))
        self.addOutput(QgsProcessingOutputNumber(self.PROJECTS_DELAYED, self.tr("Projecten later dan gepland")))
        self.addOutput(QgsProcessingOutputNumber(self.ROWS_CHANGED, self.tr("Station × richting × jaar met ander "
                                                                            "tekort")))

    def __init__(self) -> None:
        super().__init__()
        self._status_gpkg = ""
        self._status_name = ""

    def output_folder(self, parameters: dict[str, Any], context: QgsProcessingContext, workdir: str) -> str:
        return self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)

    def command_options(self, parameters: dict[str, Any], context: QgsProcessingContext) -> list[str]:
        return ["--status", self._status_gpkg, "--status-laag", "projectstatus"]

    def write_project(self, parameters: dict[str, Any], context: QgsProcessingContext,
                      feedback: QgsProcessingFeedback, workdir: str) -> str:
        """The region as every analysis writes it, plus the status layer into ``status.gpkg`` beside it."""
        config = super().write_project(parameters, context, feedback, workdir)
        layer = self.parameterAsVectorLayer(parameters, self.STATUS, context)
        if layer is None:
            raise QgsProcessingException("Statusmeldingen: kies een tabel (parameter STATUS).")
        if layer.featureCount() == 0:
            raise QgsProcessingException(f"Statusmeldingen: laag '{layer.name()}' bevat geen rijen.")
        self._status_gpkg = os.path.join(workdir, "status.gpkg")
        self._status_name = layer.name()
        write_sources([layer], self._status_gpkg, "projectstatus", transform_context=context.transformContext())
        feedback.pushInfo(f"Statusmeldingen: '{layer.name()}' → projectstatus")
        return config

    def report_failure(self, error: Any, feedback: QgsProcessingFeedback) -> str | None:
        """The engine's message about the status reports names the user's layer, not the temporary file."""
        message = super().report_failure(error, feedback)
        if message is None and self._status_gpkg and self._status_gpkg in str(error):
            return str(error).replace(self._status_gpkg, f"Statusmeldingen (laag '{self._status_name}')")
        return message

    def read_outputs(self, out_dir: str, parameters: dict[str, Any], context: QgsProcessingContext,
                     feedback: QgsProcessingFeedback) -> dict[str, Any]:
        html = self.expect_file(os.path.join(out_dir, "voortgang.html"))
        progress_csv = self.expect_file(os.path.join(out_dir, "voortgang.csv"))
        consequences_csv = self.expect_file(os.path.join(out_dir, "gevolgen.csv"))
        with open(progress_csv, encoding="utf-8", newline="") as f:
            delays = [row["vertraging_jaren"] for row in csv.DictReader(f)]
        with open(consequences_csv, encoding="utf-8", newline="") as f:
            changed = sum(1 for _ in csv.DictReader(f))
        late = sum(1 for d in delays if d.lstrip("-").isdigit() and int(d) > 0)
        remember_output_folder(out_dir)
        feedback.pushInfo(f"{late} projecten later dan gepland; {changed} keer station × richting × jaar met een "
                          f"ander tekort. Zie {html}")
        return {
            self.OUTPUT_FOLDER: out_dir,
            self.OUTPUT_HTML: html,
            self.OUTPUT_PROGRESS: self.copy_to_sink(parameters, self.OUTPUT_PROGRESS, context, csv_uri(progress_csv),
                                                    provider="delimitedtext", title="Voortgang"),
            self.OUTPUT_CONSEQUENCES: self.copy_to_sink(parameters, self.OUTPUT_CONSEQUENCES, context,
                                                        csv_uri(consequences_csv), provider="delimitedtext",
                                                        title="Gevolgen voor de stationsbalans"),
            self.PROJECTS_DELAYED: late,
            self.ROWS_CHANGED: changed,
        }
