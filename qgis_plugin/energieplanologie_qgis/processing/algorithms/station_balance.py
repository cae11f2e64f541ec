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
    """Stationsbalans: one point per station and direction for the chosen year and scenario, styled by status;
    optionally every year as a temporal layer."""

    NAME = "station_balance"
    DISPLAY_NAME = "Stationsbalans"
    GROUP = "Analyse"

    COMMAND = "balance"
    ALL_SCENARIOS = "ALL_SCENARIOS"
    OUTPUT = "OUTPUT"
    OUTPUT_ALL_YEARS = "OUTPUT_ALL_YEARS"
    OUTPUT_CSV = "OUTPUT_CSV"
    OUTPUT_CHARTS = "OUTPUT_CHARTS"

    def shortHelpString(self) -> str:
        return self.tr(
            "Zet per station, jaar en richting (afname en invoeding) de capaciteit tegenover de last: basislast plus "
            "de naar zekerheid gewogen ontwikkelingen die op het station aansluiten (expliciet station_id, anders "
            "het dichtstbijzijnde passende station). Capaciteit groeit met de netprojecten die in dat jaar gereed "
            "zijn. Uitvoer: ruimte en tekort in MW, benutting, status (groen = ruimte, oranje = krap, rood = "
            "tekort) en het eerste tekortjaar, gestileerd naar status.\n\n"
            "De laag Stationsbalans bevat één jaar (standaard het laatste analysejaar) en één scenario: per station "
            "één punt voor afname en één voor invoeding; de laagnaam zegt welk jaar en scenario "
            "(bijvoorbeeld 'Stationsbalans 2040 — verwacht'). 'Stationsbalans, alle jaren' (optioneel) bevat elk "
            "analysejaar met de kolom jaar en staat klaar voor de tijdbalk van QGIS (Beeld › Panelen › "
            "Tijdbeheer): die stapt door de jaren.\n\n"
            "Met 'Ook de andere scenario's in de tabel' bevat de CSV ook de andere scenario's (kolom scenario).\n\n"
            + self.region_help()
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_region_parameters()
        self.add_year_parameter()
        self.addParameter(QgsProcessingParameterBoolean(
            self.ALL_SCENARIOS, self.tr("Ook de andere scenario's in de tabel (CSV)"), defaultValue=False))
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, self.tr("Stationsbalans")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_ALL_YEARS, self.tr("Stationsbalans, alle jaren (voor de tijdbalk)"), optional=True,
            createByDefault=False))
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
        uri = f"{os.path.join(out_dir, 'stationsbalans.gpkg')}|layername=stationsbalans"
        scenario = self.chosen_scenario(parameters, context)
        dest = self.copy_to_sink(parameters, self.OUTPUT, context, uri, "stationsbalans",
                                 where=self.year_filter(self.chosen_year(parameters, context), scenario),
                                 title=self.year_title("Stationsbalans", parameters, context))
        outputs: dict[str, Any] = {self.OUTPUT: dest}
        if parameters.get(self.OUTPUT_ALL_YEARS) not in (None, ""):
            outputs[self.OUTPUT_ALL_YEARS] = self.copy_to_sink(
                parameters, self.OUTPUT_ALL_YEARS, context, uri, "stationsbalans",
                where=self.year_filter(scenario=scenario),
                title=self.year_title("Stationsbalans", parameters, context, all_years=True),
                temporal_years=self.analysis_years(parameters, context))
        csv = self.parameterAsFileOutput(parameters, self.OUTPUT_CSV, context)
        if csv:
            outputs[self.OUTPUT_CSV] = self.copy_file(os.path.join(out_dir, "stationsbalans.csv"), csv)
        charts = self.parameterAsString(parameters, self.OUTPUT_CHARTS, context)
        if charts:
            outputs[self.OUTPUT_CHARTS] = self.copy_tree(os.path.join(out_dir, "stationsgrafieken"), charts)
        return outputs
