"""*Valideer laag*: check one QGIS layer against a canonical layer kind with ``energieplanologie validate``."""

from __future__ import annotations

import difflib
import os
from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputBoolean,
    QgsProcessingOutputNumber,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from ...engine import EngineResult
from ...project_file import KINDS, mapping_toml, parse_mapping
from ..base import EngineAlgorithm
from ..findings import format_finding

__all__ = ["KINDS", "ValidateLayerAlgorithm", "format_finding", "mapping_toml", "parse_mapping"]

class ValidateLayerAlgorithm(EngineAlgorithm):
    """Valideer laag: every error with its row, every repair and warning, and the row accounting."""

    NAME = "validate_layer"
    DISPLAY_NAME = "Valideer laag"
    GROUP = "Inzicht"

    INPUT = "INPUT"
    KIND = "KIND"
    MAPPING = "MAPPING"
    CRS = "CRS"
    OUTPUT_REPORT = "OUTPUT_REPORT"
    ROWS_IN = "ROWS_IN"
    ROWS_KEPT = "ROWS_KEPT"
    ROWS_REJECTED = "ROWS_REJECTED"
    OK = "OK"

    #: ``validate`` exits 0 (valid), 1 (errors found, report on stdout) or 2 (unreadable).
    OK_CODES = (0, 1, 2)

    def __init__(self) -> None:
        super().__init__()
        self._mapping: dict[str, str] = {}
        self._source = ""

    def shortHelpString(self) -> str:
        return self.tr(
            "Controleert een laag tegen het schema van één laagsoort (gemeenten, stations, stationscapaciteit, "
            "infrastructuur, ontwikkelingen of beperkingen).\n\n"
            "Elke fout noemt de rij (1 = eerste object in de volgorde van de laag), het id en de kolom; "
            "reparaties (zoals herstelde geometrieën), waarschuwingen en wat de engine herkende (Nederlandse "
            "kolomnamen en waarden, decimale komma's) staan in het logboek. Rijen in = rijen behouden + rijen afgewezen.\n\n"
            "Kolomkoppeling: als uw kolommen anders heten, geef dan canoniek=bronkolom op, gescheiden door ';', "
            "bijvoorbeeld: name=naam; offtake_mw=vermogen_mw; year=jaar; certainty=zekerheid.\n\n"
            "Coördinatenstelsel: alleen nodig als de laag er geen heeft.\n\n"
            "Het rapport (JSON) is dat van 'energieplanologie validate --json', met als bron deze laag."
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.INPUT, self.tr("Invoerlaag"), [QgsProcessing.TypeVector]))
        self.addParameter(QgsProcessingParameterEnum(
            self.KIND, self.tr("Soort laag"), options=[label for _, label in KINDS], defaultValue=4))
        self.addParameter(QgsProcessingParameterString(
            self.MAPPING, self.tr("Kolomkoppeling (canoniek=bronkolom; …)"), optional=True))
        self.addParameter(QgsProcessingParameterCrs(
            self.CRS, self.tr("Coördinatenstelsel (alleen als de laag er geen heeft)"), optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_REPORT, self.tr("Validatierapport (JSON)"), self.tr("JSON-bestanden (*.json)"),
            optional=True, createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(self.ROWS_IN, self.tr("Rijen gelezen")))
        self.addOutput(QgsProcessingOutputNumber(self.ROWS_KEPT, self.tr("Rijen behouden")))
        self.addOutput(QgsProcessingOutputNumber(self.ROWS_REJECTED, self.tr("Rijen afgewezen")))
        self.addOutput(QgsProcessingOutputBoolean(self.OK, self.tr("Geldig (geen fouten)")))

    # -- engine call --------------------------------------------------------------------------------------
    def engine_arguments(self, parameters: dict[str, Any], context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback, workdir: str) -> list[str]:
        layer = self.parameterAsVectorLayer(parameters, self.INPUT, context)
        kind = KINDS[self.parameterAsEnum(parameters, self.KIND, context)][0]
        try:
            mapping = parse_mapping(self.parameterAsString(parameters, self.MAPPING, context))
        except ValueError as exc:
            raise QgsProcessingException(f"Kolomkoppeling: {exc}") from None
        if layer is not None and mapping:
            names = layer.fields().names()
            for canonical, source in mapping.items():
                if source not in names:
                    close = difflib.get_close_matches(source, names, n=1)
                    hint = f" Bedoelde u {close[0]!r}?" if close else ""
                    raise QgsProcessingException(
                        f"Kolomkoppeling {canonical}={source}: de laag {layer.name()!r} heeft geen kolom {source!r}."
                        f"{hint} Kolommen: {', '.join(names)}")
        crs = self.parameterAsCrs(parameters, self.CRS, context)

        path, layer_name = self.write_layer(layer, parameters, self.INPUT, context, workdir, feedback,
                                            assign_crs=crs if crs.isValid() else None)
        self._mapping = mapping
        self._source = layer.publicSource() if layer is not None else ""
        args = ["validate", path, "--kind", kind, "--layer", layer_name, "--json"]
        if mapping:
            mapping_path = os.path.join(workdir, "koppeling.toml")
            with open(mapping_path, "w", encoding="utf-8") as f:
                f.write(mapping_toml(mapping))
            args += ["--mapping", mapping_path]
        if crs.isValid():
            if not crs.authid():
                raise QgsProcessingException(
                    "Kies een coördinatenstelsel met een EPSG-code (bijvoorbeeld EPSG:28992, RD New).")
            args += ["--crs", crs.authid()]
        feedback.pushInfo(f"Laagsoort: {kind}")
        return args

    def handle_result(self, result: EngineResult, parameters: dict[str, Any], context: QgsProcessingContext,
                      feedback: QgsProcessingFeedback) -> dict[str, Any]:
        if result.returncode == 2 and not result.stdout.strip():
            raise QgsProcessingException(
                "De engine kon de laag niet lezen: " + (" ".join(result.messages).strip() or "geen melding"))
        report = self.parse_json(result)
        if isinstance(report, dict) and report.get("unreadable"):
            raise QgsProcessingException(
                "De engine kon de laag niet lezen: " + str(report.get("message") or " ".join(result.messages)))
        if not isinstance(report, dict) or "rows_in" not in report:
            raise QgsProcessingException(f"Onverwacht antwoord van de engine: {str(report)[:300]}")
        if self._source:
            report["source"] = self._source
        for finding in report.get("errors", []):
            # A warning, not an error line: the algorithm itself succeeds (and qgis_process would print an error
            # line twice).
            feedback.pushWarning("Afgewezen: " + format_finding(finding, self._mapping))
        if any(f.get("code") == "missing_crs" for f in report.get("errors", [])):
            feedback.pushWarning(f"Kies het coördinatenstelsel van de laag bij ‘{self.parameterDefinition(self.CRS).description()}’ "
                                 "(parameter CRS).")
        for finding in report.get("repairs", []):
            feedback.pushInfo("Reparatie: " + format_finding(finding, self._mapping))
        for finding in report.get("warnings", []):
            feedback.pushWarning("Waarschuwing: " + format_finding(finding, self._mapping))
        for finding in report.get("notes", []):
            feedback.pushInfo("Herkend: " + format_finding(finding, self._mapping))
        rows_in, kept, rejected = (int(report.get(k, 0)) for k in ("rows_in", "rows_kept", "rows_rejected"))
        ok = bool(report.get("ok", not report.get("errors")))
        feedback.pushInfo(
            f"{rows_in} rijen gelezen, {kept} behouden, {rejected} afgewezen; "
            f"{len(report.get('errors', []))} fouten, {len(report.get('repairs', []))} reparaties, "
            f"{len(report.get('warnings', []))} waarschuwingen."
        )
        outputs: dict[str, Any] = {self.ROWS_IN: rows_in, self.ROWS_KEPT: kept, self.ROWS_REJECTED: rejected,
                                   self.OK: ok}
        report_path = self.parameterAsFileOutput(parameters, self.OUTPUT_REPORT, context)
        if report_path:
            self.write_json(report, report_path)
            outputs[self.OUTPUT_REPORT] = report_path
        return outputs
