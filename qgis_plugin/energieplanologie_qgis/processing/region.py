"""Base class of the analysis algorithms: the region's QGIS layers in, one engine command, outputs back. No analysis.

Every analysis algorithm takes the layers of a region (DESIGN §4) as QGIS layers of any provider, each with a
column mapping (``canoniek=bronkolom; …``), plus the scenario and the analysis years. In ``prepareAlgorithm``
(main thread) :class:`RegionAlgorithm` writes them into one temporary GeoPackage and writes a project
configuration (DESIGN §9) pointing at it; ``processAlgorithm`` runs ``energieplanologie <command> project.toml
--out …`` with progress and cancel; the subclass's :meth:`RegionAlgorithm.read_outputs` copies the engine's
outputs into the algorithm's sinks and destinations and attaches the shipped styles.

Validation findings of the inputs (rows rejected, repairs, warnings) are shown in the log naming the user's own
layer and row. The engine writes them with ``--validation-json PATH`` when it has that option; an older engine
gets one ``energieplanologie validate`` per layer, run side by side with the analysis.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsFeature,
    QgsFeatureRequest,
    QgsFeatureSink,
    QgsFields,
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterCrs,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QUrl

from ..engine import EngineFailed, EngineResult, engine_options, run_engine_batch
from ..outputs import LayerStyler, year_title
from ..project_file import KINDS, LayerEntry, mapping_toml, parse_mapping, parse_years, project_toml
from .base import EngineAlgorithm
from .findings import format_finding
from .inputs import WrittenLayer, write_sources

__all__ = ["HOTSPOT_METHODS", "LAYER_NAMES", "REGION_LAYERS", "SCENARIOS", "RegionAlgorithm", "csv_uri", "report_validation"]

#: Canonical kind → layer name in the GeoPackage written for the engine (the Dutch output names, DESIGN §9).
LAYER_NAMES: dict[str, str] = {
    "municipalities": "gemeenten",
    "stations": "stations",
    "station_capacity": "stationscapaciteit",
    "infrastructure": "infrastructuur",
    "developments": "ontwikkelingen",
    "constraints": "beperkingen",
}

#: (kind, parameter, Dutch description, layer types, several layers allowed, optional)
REGION_LAYERS: tuple[tuple[str, str, str, list[int], bool, bool], ...] = (
    ("municipalities", "MUNICIPALITIES", "Gemeenten (vlakken)", [QgsProcessing.TypeVectorPolygon], False, False),
    ("stations", "STATIONS", "Stations (punten)", [QgsProcessing.TypeVectorPoint], False, False),
    ("station_capacity", "STATION_CAPACITY", "Stationscapaciteit per station en jaar (tabel)",
     [QgsProcessing.TypeVector], False, False),
    ("infrastructure", "INFRASTRUCTURE", "Infrastructuur: netprojecten (één of meer lagen)",
     [QgsProcessing.TypeVectorAnyGeometry], True, True),
    ("developments", "DEVELOPMENTS", "Ontwikkelingen (één of meer lagen)",
     [QgsProcessing.TypeVectorAnyGeometry], True, False),
    ("constraints", "CONSTRAINTS", "Beperkingen: Natura 2000, erfgoed … (optioneel)",
     [QgsProcessing.TypeVectorPolygon], True, True),
)

#: The engine's knooppunten methods (``[hotspots] method``) with their Dutch labels.
HOTSPOT_METHODS: tuple[tuple[str, str], ...] = (
    ("dbscan", "Gewogen DBSCAN (zoekafstand en minimaal vermogen)"),
    ("hdbscan", "HDBSCAN (zonder zoekafstand)"),
    ("gistar", "Getis-Ord Gi* op hexagonen (FDR-gecorrigeerd)"),
)

#: The engine's built-in scenarios (``energieplanologie/data/scenarios.toml``), in the order offered.
SCENARIOS: tuple[tuple[str, str], ...] = (
    ("vastgesteld", "Vastgesteld (alleen vergund en vastgesteld)"),
    ("verwacht", "Verwacht (voornemens half, ideeën een kwart)"),
    ("maximaal", "Maximaal (alles telt volledig)"),
)
DEFAULT_YEARS = "2025, 2030, 2035, 2040"
_KIND_LABELS = dict(KINDS)


class RegionAlgorithm(EngineAlgorithm):
    """An algorithm that runs one engine command on a region given as QGIS layers.

    Subclasses set :attr:`COMMAND`, add their own parameters in :meth:`initAlgorithm` after calling
    :meth:`add_region_parameters`, and implement :meth:`read_outputs`; :meth:`settings` adds configuration tables
    (``{"hotspots": {...}}``) and :meth:`command_options` CLI options.
    """

    #: The optional analysis year of the algorithms that have one.
    YEAR = "YEAR"

    #: The engine subcommand (``balance``, ``hotspots`` …).
    COMMAND = ""
    #: Validation findings are shown by the algorithm (False for commands that ignore the inputs).
    USES_REGION = True

    CRS = "CRS"
    REGION_NAME = "REGION_NAME"
    METHOD = "METHOD"
    EPS_M = "EPS_M"
    MIN_MW = "MIN_MW"
    FRAMEWORK = "FRAMEWORK"
    USER_SCORES = "USER_SCORES"
    OVERRIDES = "OVERRIDES"
    SCENARIO = "SCENARIO"
    YEARS = "YEARS"
    ROWS_REJECTED = "ROWS_REJECTED"

    def __init__(self) -> None:
        super().__init__()
        self._written: dict[str, WrittenLayer] = {}
        self._mappings: dict[str, dict[str, str]] = {}
        self._validation_json = ""
        self._validation_calls: list[tuple[str, list[str]]] = []
        self._validation_thread: threading.Thread | None = None
        self._validation_results: list[EngineResult] = []
        self._out_dir = ""

    # -- to implement -------------------------------------------------------------------------------------
    def settings(self, parameters: dict[str, Any], context: QgsProcessingContext) -> dict[str, dict[str, Any]]:
        """Configuration tables besides ``[analysis]`` (e.g. ``{"hotspots": {"method": "dbscan"}}``)."""
        return {}

    def command_options(self, parameters: dict[str, Any], context: QgsProcessingContext) -> list[str]:
        """CLI options after ``--out`` (e.g. ``["--year", "2030"]``)."""
        return []

    def add_year_parameter(self, description: str = "Jaar (leeg: het laatste analysejaar)") -> None:
        """The optional ``YEAR`` of an algorithm whose outputs hold one year."""
        self.addParameter(QgsProcessingParameterNumber(
            self.YEAR, self.tr(description), QgsProcessingParameterNumber.Integer, optional=True, minValue=2000,
            maxValue=2100))

    def analysis_years(self, parameters: dict[str, Any], context: QgsProcessingContext) -> list[int]:
        """The analysis years: the ``YEARS`` parameter (else the default), plus ``YEAR`` when it is set."""
        try:
            years = parse_years(self.parameterAsString(parameters, self.YEARS, context)) \
                if self.parameterDefinition(self.YEARS) is not None else []
        except ValueError as exc:
            raise QgsProcessingException(f"Analysejaren: {exc}") from None
        years = years or parse_years(DEFAULT_YEARS)
        if self.parameterDefinition(self.YEAR) is not None and parameters.get(self.YEAR) not in (None, ""):
            years = sorted({*years, self.parameterAsInt(parameters, self.YEAR, context)})
        return years

    def chosen_year(self, parameters: dict[str, Any], context: QgsProcessingContext) -> int:
        """The year an output shows: ``YEAR``, else the last analysis year."""
        if parameters.get(self.YEAR) not in (None, ""):
            return self.parameterAsInt(parameters, self.YEAR, context)
        return max(self.analysis_years(parameters, context))

    def chosen_scenario(self, parameters: dict[str, Any], context: QgsProcessingContext) -> str:
        """The engine's name of the chosen scenario (``verwacht`` …)."""
        return SCENARIOS[self.parameterAsEnum(parameters, self.SCENARIO, context)][0]

    def year_option(self, parameters: dict[str, Any], context: QgsProcessingContext) -> list[str]:
        """``["--year", "2030"]`` when the optional ``YEAR`` parameter is set, else nothing."""
        if parameters.get(self.YEAR) in (None, ""):
            return []
        return ["--year", str(self.parameterAsInt(parameters, self.YEAR, context))]

    def output_folder(self, parameters: dict[str, Any], context: QgsProcessingContext, workdir: str) -> str:
        """Where the engine writes (``--out``); default a folder inside the temporary working folder."""
        return os.path.join(workdir, "uitvoer")

    def read_outputs(self, out_dir: str, parameters: dict[str, Any], context: QgsProcessingContext,
                     feedback: QgsProcessingFeedback) -> dict[str, Any]:
        """Copy the engine's outputs from ``out_dir`` into the algorithm's outputs."""
        raise NotImplementedError

    # -- parameters ---------------------------------------------------------------------------------------
    def add_region_parameters(self, *, scenario: bool = True, years: bool = True) -> None:
        """The region's layers with their column mappings, the CRS for layers without one, scenario and years."""
        for _kind, name, description, types, several, optional in REGION_LAYERS:
            if several:
                param = QgsProcessingParameterMultipleLayers(name, self.tr(description), types[0], optional=optional)
            else:
                param = QgsProcessingParameterVectorLayer(name, self.tr(description), types, optional=optional)
            self.addParameter(param)
        if scenario:
            self.addParameter(QgsProcessingParameterEnum(
                self.SCENARIO, self.tr("Scenario (weging van ontwikkelingen naar zekerheid)"),
                options=[label for _, label in SCENARIOS], defaultValue=1))
        if years:
            self.addParameter(QgsProcessingParameterString(
                self.YEARS, self.tr("Analysejaren (gescheiden door komma's)"), defaultValue=DEFAULT_YEARS))
        for kind, name, _description, _types, _several, _optional in REGION_LAYERS:
            mapping = QgsProcessingParameterString(
                f"{name}_MAPPING", self.tr(f"Kolomkoppeling {_KIND_LABELS[kind].lower()} (canoniek=bronkolom; …)"),
                optional=True)
            mapping.setFlags(mapping.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(mapping)
        crs = QgsProcessingParameterCrs(self.CRS, self.tr("Coördinatenstelsel voor lagen zonder"), optional=True)
        crs.setFlags(crs.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(crs)
        region = QgsProcessingParameterString(self.REGION_NAME, self.tr("Naam van de regio"), optional=True)
        region.setFlags(region.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(region)
        self.addOutput(QgsProcessingOutputNumber(self.ROWS_REJECTED, self.tr("Afgewezen invoerrijen")))

    def add_hotspot_parameters(self, *, advanced: bool = True) -> None:
        """Method, search distance and minimum MW of the knooppunten (``[hotspots]``); empty: the engine's defaults."""
        params = [
            QgsProcessingParameterEnum(self.METHOD, self.tr("Knooppunten: methode"),
                                       options=[label for _, label in HOTSPOT_METHODS], defaultValue=0),
            QgsProcessingParameterNumber(self.EPS_M, self.tr("Knooppunten: zoekafstand (m, DBSCAN)"),
                                         QgsProcessingParameterNumber.Double, optional=True, minValue=1.0),
            QgsProcessingParameterNumber(self.MIN_MW, self.tr("Knooppunten: minimaal vermogen (MW)"),
                                         QgsProcessingParameterNumber.Double, optional=True, minValue=0.0),
        ]
        for param in params:
            if advanced:
                param.setFlags(param.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(param)

    def hotspot_table(self, parameters: dict[str, Any], context: QgsProcessingContext) -> dict[str, Any]:
        """``[hotspots]`` from :meth:`add_hotspot_parameters`."""
        table: dict[str, Any] = {
            "method": HOTSPOT_METHODS[self.parameterAsEnum(parameters, self.METHOD, context)][0]}
        for name, key in ((self.EPS_M, "eps_m"), (self.MIN_MW, "min_mw")):
            if parameters.get(name) not in (None, ""):
                table[key] = float(self.parameterAsDouble(parameters, name, context))
        return table

    def add_assessment_parameters(self) -> None:
        """The afwegingskader's own files (``[assessment]``): framework, judgements and overrides (all optional)."""
        self.addParameter(QgsProcessingParameterFile(
            self.USER_SCORES, self.tr("Oordelen van de werkorganisatie (B, E, G; CSV of XLSX)"),
            QgsProcessingParameterFile.File, optional=True,
            fileFilter=self.tr("Tabellen (*.csv *.xlsx);;Alle bestanden (*)")))
        for name, label, file_filter in (
            (self.OVERRIDES, "Overschrijvingen van oordelen (CSV of XLSX)", "Tabellen (*.csv *.xlsx)"),
            (self.FRAMEWORK, "Eigen afwegingskader (TOML; leeg: het standaardkader)", "TOML (*.toml)"),
        ):
            param = QgsProcessingParameterFile(name, self.tr(label), QgsProcessingParameterFile.File, optional=True,
                                               fileFilter=self.tr(f"{file_filter};;Alle bestanden (*)"))
            param.setFlags(param.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(param)

    def assessment_table(self, parameters: dict[str, Any], context: QgsProcessingContext) -> dict[str, Any]:
        """``[assessment]`` from :meth:`add_assessment_parameters` (absolute paths)."""
        table: dict[str, Any] = {}
        for name, key in ((self.FRAMEWORK, "framework"), (self.USER_SCORES, "user_scores"),
                          (self.OVERRIDES, "overrides")):
            path = self.parameterAsFile(parameters, name, context)
            if path:
                if not os.path.isfile(path):
                    raise QgsProcessingException(f"{self.parameterDefinition(name).description()}: bestand "
                                                 f"niet gevonden: {path}")
                table[key] = os.path.abspath(path)
        return table

    @staticmethod
    def region_help() -> str:
        """The part of the help text every analysis shares (Dutch)."""
        return (
            "Invoer: de lagen van de regio als QGIS-lagen van elke bron (bestand, PostGIS, WFS, tijdelijke laag). "
            "Ontwikkelingen, infrastructuur en beperkingen mogen uit meerdere lagen bestaan (bijvoorbeeld punten "
            "en vlakken). De plugin schrijft ze naar een tijdelijke GeoPackage met een projectconfiguratie en laat "
            "de engine rekenen; de plugin rekent zelf niets.\n\n"
            "Kolomkoppeling (geavanceerd): heten uw kolommen anders dan het schema en herkent de engine ze niet "
            "zelf, geef dan per laag canoniek=bronkolom op, gescheiden door ';', bijvoorbeeld voor gemeenten: "
            "municipality_code=statcode; name=statnaam.\n\n"
            "Afgewezen rijen (bijvoorbeeld een negatief vermogen of een onbekende sector) staan met laag, rij en "
            "kolom in het logboek; de analyse gaat door zonder die rijen."
        )

    # -- preparing ----------------------------------------------------------------------------------------
    def _layers(self, parameters: dict[str, Any], name: str, several: bool,
                context: QgsProcessingContext) -> list[QgsVectorLayer]:
        if several:
            return [layer for layer in self.parameterAsLayerList(parameters, name, context)
                    if isinstance(layer, QgsVectorLayer)]
        layer = self.parameterAsVectorLayer(parameters, name, context)
        return [layer] if layer is not None else []

    def engine_arguments(self, parameters: dict[str, Any], context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback, workdir: str) -> list[str]:
        config = self.write_project(parameters, context, feedback, workdir)
        self._out_dir = self.output_folder(parameters, context, workdir)
        args = [self.COMMAND, config, "--out", self._out_dir, *self.command_options(parameters, context)]
        if self.USES_REGION:
            args += self.validation_arguments(workdir)
        return args

    def write_project(self, parameters: dict[str, Any], context: QgsProcessingContext,
                      feedback: QgsProcessingFeedback, workdir: str) -> str:
        """Write the region's layers and ``project.toml`` into ``workdir``; returns the TOML's path."""
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        assign = crs if crs.isValid() else None
        if assign is not None and not assign.authid():
            raise QgsProcessingException("Kies een coördinatenstelsel met een EPSG-code (bijvoorbeeld EPSG:28992).")
        gpkg = os.path.join(workdir, "invoer.gpkg")
        entries: dict[str, LayerEntry] = {}
        self._written, self._mappings = {}, {}
        for kind, name, description, _types, several, optional in REGION_LAYERS:
            layers = self._layers(parameters, name, several, context)
            if not layers:
                if optional:
                    continue
                raise QgsProcessingException(f"{description}: kies een laag (parameter {name}).")
            try:
                mapping = parse_mapping(self.parameterAsString(parameters, f"{name}_MAPPING", context))
            except ValueError as exc:
                raise QgsProcessingException(f"Kolomkoppeling {_KIND_LABELS[kind].lower()}: {exc}") from None
            _check_mapping(kind, name, mapping, layers)
            _check_usable(kind, layers, assign)
            written = write_sources(layers, gpkg, LAYER_NAMES[kind], transform_context=context.transformContext(),
                                    assign_crs=assign)
            self._written[kind], self._mappings[kind] = written, mapping
            names = " + ".join(f"{n!r} ({c})" for n, c in written.parts)
            feedback.pushInfo(f"{_KIND_LABELS[kind]}: {names} → {LAYER_NAMES[kind]}")
            crs_text = None
            if assign is not None and any(layer.isSpatial() and not layer.crs().isValid() for layer in layers):
                crs_text = assign.authid()
                feedback.pushInfo(f"{_KIND_LABELS[kind]}: zonder coördinatenstelsel; {crs_text} toegekend zoals opgegeven.")
            entries[kind] = LayerEntry(gpkg, LAYER_NAMES[kind], mapping, crs_text)
        sections: dict[str, dict[str, Any]] = {"analysis": self.analysis_settings(parameters, context)}
        sections.update(self.settings(parameters, context))
        text = project_toml(self.region_name(parameters, context), entries, sections)
        path = os.path.join(workdir, "project.toml")
        Path(path).write_text(text, encoding="utf-8")
        return path

    def analysis_settings(self, parameters: dict[str, Any], context: QgsProcessingContext) -> dict[str, Any]:
        """``[analysis]``: the scenario and years chosen."""
        out: dict[str, Any] = {}
        if self.parameterDefinition(self.SCENARIO) is not None:
            out["scenario"] = self.chosen_scenario(parameters, context)
        if self.parameterDefinition(self.YEARS) is not None:
            out["years"] = self.analysis_years(parameters, context)
        return out

    def region_name(self, parameters: dict[str, Any], context: QgsProcessingContext) -> str:
        """The region's name: the parameter, else the project's title, else "Regio"."""
        name = self.parameterAsString(parameters, self.REGION_NAME, context).strip()
        if not name and context.project() is not None:
            name = context.project().title().strip()
        return name or "Regio"

    # -- validation ---------------------------------------------------------------------------------------
    def validation_arguments(self, workdir: str) -> list[str]:
        """``--validation-json PATH`` when the engine has it; else prepare one ``validate`` call per layer."""
        self._validation_json = os.path.join(workdir, "validatie.json")
        self._validation_calls = []
        assert self._engine is not None
        if "--validation-json" in engine_options(self._engine, self.COMMAND):
            return ["--validation-json", self._validation_json]
        for kind, written in self._written.items():
            args = ["validate", written.path, "--kind", kind, "--layer", written.layer, "--json"]
            mapping = self._mappings.get(kind)
            if mapping:
                mapping_path = os.path.join(workdir, f"koppeling_{kind}.toml")
                Path(mapping_path).write_text(mapping_toml(mapping), encoding="utf-8")
                args += ["--mapping", mapping_path]
            self._validation_calls.append((kind, args))
        return []

    def run_engine_call(self, parameters: dict[str, Any], context: QgsProcessingContext,
                        feedback: QgsProcessingFeedback) -> dict[str, Any]:
        if self._validation_calls and self._engine is not None:
            engine, calls = self._engine, [args for _, args in self._validation_calls]

            def validate() -> None:
                try:
                    self._validation_results = run_engine_batch(engine, calls, feedback)
                except Exception:  # canceled or failed: the analysis reports its own error
                    self._validation_results = []

            self._validation_thread = threading.Thread(target=validate, daemon=True)
            self._validation_thread.start()
        try:
            return super().run_engine_call(parameters, context, feedback)
        finally:
            if self._validation_thread is not None:
                self._validation_thread.join()

    def validation_reports(self) -> dict[str, dict[str, Any]]:
        """Per kind, the engine's validation report of the inputs (empty when there is none)."""
        if self._validation_thread is not None:
            self._validation_thread.join()
        if self._validation_json and os.path.exists(self._validation_json):
            data = json.loads(Path(self._validation_json).read_text(encoding="utf-8"))
            return dict(data.get("layers", data))
        reports = {}
        for (kind, _args), result in zip(self._validation_calls, self._validation_results, strict=False):
            try:
                report = json.loads(result.stdout)
            except ValueError:
                continue
            if isinstance(report, dict) and "rows_in" in report:
                reports[kind] = report
        return reports

    def report_validation(self, reports: dict[str, dict[str, Any]], feedback: QgsProcessingFeedback) -> int:
        """Show every finding with the user's layer, row and column; returns the rows rejected in total."""
        return report_validation(reports, feedback, self._written, self._mappings)

    def report_failure(self, error: EngineFailed, feedback: QgsProcessingFeedback) -> str | None:
        """The one message the algorithm fails with, in the words of the dialog.

        A layer the user supplied that yields no usable row (the engine's ``unusable`` in ``validatie.json``) is
        named with its QGIS layers, the reason and the parameter to change; the rows' own findings are shown
        above it (once). A configuration error that names a key (``layers.developments.mapping: …``) gets the
        parameter it is about.
        """
        reports, unusable = self.validation_reports(), self.unusable_layers()
        if unusable:
            report_validation(reports, feedback, self._written, self._mappings, skip_layer_errors=set(unusable))
            return " ".join(unusable_message(kind, [n for n, _ in self._written[kind].parts]
                                             if kind in self._written else [], code, reason)
                            for kind, (code, reason) in unusable.items())
        message = str(error)
        for kind, name, description, *_ in REGION_LAYERS:
            if f"layers.{kind}" in message:
                return (f"{message} Dit betreft de invoer ‘{description}’ (parameter {name}) en de kolomkoppeling "
                        f"{name}_MAPPING.")
        return None

    def unusable_layers(self) -> dict[str, tuple[str, str]]:
        """The engine's verdict: the supplied layers that kept no row, kind → ``(code, reason)``."""
        if not (self._validation_json and os.path.exists(self._validation_json)):
            return {}
        data = json.loads(Path(self._validation_json).read_text(encoding="utf-8"))
        return {kind: (str(v.get("code", "")), str(v.get("reason", "")))
                for kind, v in (data.get("unusable") or {}).items() if kind in _KIND_LABELS}

    def handle_result(self, result: EngineResult, parameters: dict[str, Any], context: QgsProcessingContext,
                      feedback: QgsProcessingFeedback) -> dict[str, Any]:
        rejected = self.report_validation(self.validation_reports(), feedback) if self.USES_REGION else 0
        outputs = self.read_outputs(self._out_dir, parameters, context, feedback)
        if self.USES_REGION:
            outputs[self.ROWS_REJECTED] = rejected
        return outputs

    # -- outputs ------------------------------------------------------------------------------------------
    def copy_to_sink(self, parameters: dict[str, Any], name: str, context: QgsProcessingContext, uri: str,
                     style: str | None = None, *, provider: str = "ogr", where: str = "", title: str = "",
                     temporal_years: list[int] | None = None) -> str:
        """Copy the engine's layer ``uri`` into sink parameter ``name``; attach ``style`` when it is loaded.

        ``where``: only the features of this QGIS expression (one year and scenario of an engine output that holds
        them all); ``title``: the name of the loaded layer; ``temporal_years``: the layer is loaded temporal on its
        ``jaar`` column. Returns the sink's destination id.
        """
        source = QgsVectorLayer(uri, "engine", provider)
        if not source.isValid():
            raise QgsProcessingException(f"De engine schreef de verwachte laag niet: {uri}")
        key = source.fields().lookupField("fid")
        keep = [i for i in range(source.fields().count())
                if not (i == key and i in source.dataProvider().pkAttributeIndexes())]
        fields = QgsFields()
        for i in keep:
            fields.append(source.fields().at(i))
        sink, dest_id = self.parameterAsSink(parameters, name, context, fields, source.wkbType(), source.crs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, name))
        request = QgsFeatureRequest()
        if where:
            request.setFilterExpression(where)
        for feature in source.getFeatures(request):
            out = QgsFeature(fields)
            if feature.hasGeometry():
                out.setGeometry(feature.geometry())
            attributes = feature.attributes()
            out.setAttributes([attributes[i] for i in keep])
            sink.addFeature(out, QgsFeatureSink.FastInsert)
        del sink  # flush a file output
        self.style_output(context, dest_id, style, title=title, temporal_years=temporal_years)
        return dest_id

    @staticmethod
    def style_output(context: QgsProcessingContext, dest_id: str, style: str | None, *, title: str = "",
                     temporal_years: list[int] | None = None) -> None:
        """Attach the shipped style (and the name, and the temporal properties) to an output Processing will load."""
        if not dest_id or not context.willLoadLayerOnCompletion(dest_id):
            return
        details = context.layerToLoadOnCompletionDetails(dest_id)
        if title:
            details.name = title
            details.forceName = True
        if style or temporal_years:
            details.setPostProcessor(LayerStyler.create(style, temporal_years=temporal_years or ()))

    def year_title(self, title: str, parameters: dict[str, Any], context: QgsProcessingContext, *,
                   all_years: bool = False, scenario: bool = True) -> str:
        """``"Stationsbalans 2040 — verwacht"`` (or ``"… 2025–2040 — verwacht"`` for all years)."""
        chosen = self.chosen_scenario(parameters, context) if scenario else None
        if all_years:
            return year_title(title, scenario=chosen, years=self.analysis_years(parameters, context))
        return year_title(title, self.chosen_year(parameters, context), chosen)

    @staticmethod
    def year_filter(year: int | None = None, scenario: str | None = None) -> str:
        """A QGIS expression on the engine's Dutch columns: ``"jaar" = 2040 AND "scenario" = 'verwacht'``."""
        parts = []
        if year is not None:
            parts.append(f'"jaar" = {int(year)}')
        if scenario is not None:
            parts.append("\"scenario\" = '{}'".format(scenario.replace("'", "''")))
        return " AND ".join(parts)

    @staticmethod
    def expect_file(path: str) -> str:
        """``path`` when the engine wrote it; else a readable error."""
        if not os.path.exists(path):
            raise QgsProcessingException(f"De engine schreef het verwachte bestand niet: {path}")
        return path

    @staticmethod
    def copy_file(source: str, target: str) -> str:
        """Copy one engine output file to where the user wants it; returns the target."""
        if not os.path.exists(source):
            raise QgsProcessingException(f"De engine schreef het verwachte bestand niet: {source}")
        if os.path.abspath(source) != os.path.abspath(target):
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        return target

    @staticmethod
    def copy_tree(source: str, target: str) -> str:
        """Copy one engine output folder to where the user wants it (merged into an existing folder)."""
        if not os.path.isdir(source):
            raise QgsProcessingException(f"De engine schreef de verwachte map niet: {source}")
        if os.path.abspath(source) != os.path.abspath(target):
            shutil.copytree(source, target, dirs_exist_ok=True)
        return target


def report_validation(reports: dict[str, dict[str, Any]], feedback: QgsProcessingFeedback,
                      written: dict[str, WrittenLayer] | None = None,
                      mappings: dict[str, dict[str, str]] | None = None, *,
                      skip_layer_errors: set[str] = frozenset()) -> int:  # type: ignore[assignment]
    """Show the engine's validation reports (``validatie.json``, per kind) in the log; returns rows rejected.

    A rejected row is a warning (``afgewezen: …``): the analysis goes on without it, and an error line would show
    twice in ``qgis_process`` (QGIS echoes every error into its message log). The layer-level errors of the kinds
    in ``skip_layer_errors`` are left out: the algorithm's own failure message says them.

    Errors (rejected rows) and warnings are reported as warnings, repairs and what the reader recognised (a Dutch
    header, a decimal comma: ``notes``) as information;
    each names the user's layer and rows (via ``written``) and the user's column (via ``mappings``), and every
    layer ends with ``N rijen gelezen, K behouden, R afgewezen``.
    """
    rejected = 0
    for kind, label in KINDS:
        report = reports.get(kind)
        if not report:
            continue
        layer = (written or {}).get(kind)
        describe = layer.describe if layer is not None else None
        mapping = (mappings or {}).get(kind)
        for finding in report.get("errors", []):
            if kind in skip_layer_errors and not finding.get("rows"):
                continue
            feedback.pushWarning(f"{label}: afgewezen: {format_finding(finding, mapping, describe)}")
        for finding in report.get("warnings", []):
            feedback.pushWarning(f"{label}: waarschuwing: {format_finding(finding, mapping, describe)}")
        for finding in report.get("repairs", []):
            feedback.pushInfo(f"{label}: reparatie: {format_finding(finding, mapping, describe)}")
        for finding in report.get("notes", []):
            feedback.pushInfo(f"{label}: herkend: {format_finding(finding, mapping, describe)}")
        n_in, kept, n_rejected = (int(report.get(k, 0)) for k in ("rows_in", "rows_kept", "rows_rejected"))
        rejected += n_rejected
        summary = f"{label}: {n_in} rijen gelezen, {kept} behouden, {n_rejected} afgewezen."
        if n_rejected:
            feedback.pushWarning(summary)
        else:
            feedback.pushInfo(summary)
    return rejected


#: What to change in the dialog when a layer yields no usable row, per engine code (``{description}``,
#: ``{name}``: the layer parameter).
_UNUSABLE_HINTS = {
    "missing_crs": "Kies het coördinatenstelsel van de laag bij ‘Coördinatenstelsel voor lagen zonder’ "
                   "(geavanceerde parameter CRS), of geef de laag er een (Laageigenschappen › Bron).",
    "empty_layer": "Kies bij ‘{description}’ ({name}) een laag met objecten{optional}.",
    "all_rejected": "Verbeter de laag of de kolomkoppeling bij ‘Kolomkoppeling {kind}’ ({name}_MAPPING, "
                    "geavanceerd); de afgewezen rijen staan hierboven.",
    "missing_column": "Koppel de kolom bij ‘Kolomkoppeling {kind}’ ({name}_MAPPING, geavanceerd): "
                      "canoniek=bronkolom.",
}


def unusable_message(kind: str, layers: list[str], code: str, reason: str) -> str:
    """The Dutch failure message for a supplied layer without usable rows: layer, reason, dialog parameter.

    Examples
    --------
    >>> print(unusable_message("developments", ["ontwikkelingen"], "missing_crs",
    ...                        "de laag heeft geen coördinatenstelsel"))  # doctest: +ELLIPSIS
    Ontwikkelingen: laag 'ontwikkelingen' levert geen bruikbare rijen: de laag heeft geen coördinatenstelsel. Kies het coördinatenstelsel van de laag bij ‘Coördinatenstelsel voor lagen zonder’ (geavanceerde parameter CRS)...
    """
    _kind, name, description, _types, _several, optional = next(r for r in REGION_LAYERS if r[0] == kind)
    label = _KIND_LABELS[kind].split(" (")[0]
    named = " + ".join(repr(n) for n in layers)
    where = (f"laag {named}" if len(layers) == 1 else f"lagen {named}") if layers else f"parameter {name}"
    hint = _UNUSABLE_HINTS.get(code, "Kies bij ‘{description}’ ({name}) een andere laag.").format(
        description=description, name=name, kind=_KIND_LABELS[kind].split(" (")[0].lower(),
        optional=", of laat de parameter leeg" if optional else "")
    return f"{label}: {where} levert geen bruikbare rijen: {reason}. {hint}"


def _check_usable(kind: str, layers: list[QgsVectorLayer], assign: Any) -> None:
    """Before the engine runs: a supplied layer without objects, or without a CRS when none is stated, stops the
    algorithm with :func:`unusable_message` (the engine would reject it whole)."""
    for layer in layers:
        if layer.featureCount() == 0:
            raise QgsProcessingException(unusable_message(kind, [layer.name()], "empty_layer",
                                                          "de laag bevat geen objecten"))
        if layer.isSpatial() and not layer.crs().isValid() and assign is None:
            raise QgsProcessingException(unusable_message(kind, [layer.name()], "missing_crs",
                                                          "de laag heeft geen coördinatenstelsel"))


def csv_uri(path: str) -> str:
    """A delimited-text URI for a CSV the engine wrote (comma, decimal point, UTF-8, no geometry, typed columns).

    Examples
    --------
    >>> csv_uri("/tmp/uit voer/afweging.csv")
    'file:///tmp/uit%20voer/afweging.csv?type=csv&delimiter=,&detectTypes=yes&geomType=none&encoding=UTF-8'
    """
    url = QUrl.fromLocalFile(path).toString(QUrl.FullyEncoded)
    return f"{url}?type=csv&delimiter=,&detectTypes=yes&geomType=none&encoding=UTF-8"


def _check_mapping(kind: str, name: str, mapping: dict[str, str], layers: list[QgsVectorLayer]) -> None:
    """Every source column of the mapping must be a column of at least one of the layers."""
    names: list[str] = []
    for layer in layers:
        names += [n for n in layer.fields().names() if n not in names]
    for canonical, source in mapping.items():
        if source not in names:
            close = difflib.get_close_matches(source, names, n=1)
            hint = f" Bedoelde u {close[0]!r}?" if close else ""
            raise QgsProcessingException(
                f"Kolomkoppeling {_KIND_LABELS[kind].lower()} ({name}_MAPPING) {canonical}={source}: de laag heeft "
                f"geen kolom {source!r}.{hint} Kolommen: {', '.join(names)}")
