"""*Stationsbalans*: capacity against load per station, year, direction and scenario (``energieplanologie balance``)."""

from __future__ import annotations

import os
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
)

from ...engine import engine_options
from ..region import RegionAlgorithm

__all__ = ["StationBalanceAlgorithm"]


class StationBalanceAlgorithm(RegionAlgorithm):
    """Stationsbalans: one point per station × scenario × year × direction, styled by status."""

    NAME = "station_balance"
    DISPLAY_NAME = "Stationsbalans"
    GROUP = "Analyse"

    COMMAND = "balance"
    ALL_SCENARIOS = "ALL_SCENARIOS"
    OUTPUT = "OUTPUT"
    OUTPUT_CSV = "OUTPUT_CSV"
    OUTPUT_CHARTS = "OUTPUT_CHARTS"

    def shortHelpString(self) -> str:
        return self.tr(
            "Zet per station, jaar en richting (afname en invoeding) de capaciteit tegenover de last: basislast plus "
            "de naar zekerheid gewogen ontwikkelingen die op het station aansluiten (expliciet station_id, anders "
            "het dichtstbijzijnde passende station). Capaciteit groeit met de netprojecten die in dat jaar gereed "
            "zijn. Uitvoer: ruimte en tekort in MW, benutting, status (groen = ruimte, oranje = krap, rood = "
            "tekort) en het eerste tekortjaar, gestileerd naar status.\n\n"
            "Met 'Alle scenario's' staan ook de andere scenario's in de uitvoer (kolom scenario).\n\n"
            + self.region_help()
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_region_parameters()
        self.addParameter(QgsProcessingParameterBoolean(
            self.ALL_SCENARIOS, self.tr("Ook de andere scenario's doorrekenen"), defaultValue=True))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, self.tr("Stationsbalans")))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_CSV, self.tr("Stationsbalans als tabel (CSV)"), self.tr("CSV-bestanden (*.csv)"),
            optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_CHARTS, self.tr("Grafieken per station (PNG)"), optional=True, createByDefault=False))

    def command_options(self, parameters: dict[str, Any], context: QgsProcessingContext) -> list[str]:
        every = self.parameterAsBoolean(parameters, self.ALL_SCENARIOS, context)
        args = [] if every else ["--een-scenario"]  # every scenario is the engine's default
        # Drawing a chart per station takes most of the command's time; skip it when nobody asked for the charts
        # and the engine can (an engine without the option draws them anyway).
        charts = self.parameterAsString(parameters, self.OUTPUT_CHARTS, context)
        if not charts and self._engine is not None and "--geen-grafieken" in engine_options(self._engine, "balance"):
            args.append("--geen-grafieken")
        return args

    def read_outputs(self, out_dir: str, parameters: dict[str, Any], context: QgsProcessingContext,
                     feedback: QgsProcessingFeedback) -> dict[str, Any]:
        dest = self.copy_to_sink(parameters, self.OUTPUT, context,
                                 f"{os.path.join(out_dir, 'stationsbalans.gpkg')}|layername=stationsbalans",
                                 "stationsbalans")
        outputs: dict[str, Any] = {self.OUTPUT: dest}
        csv = self.parameterAsFileOutput(parameters, self.OUTPUT_CSV, context)
        if csv:
            outputs[self.OUTPUT_CSV] = self.copy_file(os.path.join(out_dir, "stationsbalans.csv"), csv)
        charts = self.parameterAsString(parameters, self.OUTPUT_CHARTS, context)
        if charts:
            outputs[self.OUTPUT_CHARTS] = self.copy_tree(os.path.join(out_dir, "stationsgrafieken"), charts)
        return outputs
