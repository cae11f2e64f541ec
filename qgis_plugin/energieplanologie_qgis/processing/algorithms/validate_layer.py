"""*Valideer laag*: check one QGIS layer against a canonical layer kind with ``energieplanologie validate``."""

from __future__ import annotations

import difflib
import json
import os
import re
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
from ..base import EngineAlgorithm

__all__ = ["KINDS", "ValidateLayerAlgorithm", "format_finding", "mapping_toml", "parse_mapping"]

#: The six canonical layer kinds (``energieplanologie.KINDS``, same order) with their Dutch labels.
KINDS: tuple[tuple[str, str], ...] = (
    ("municipalities", "Gemeenten"),
    ("stations", "Stations (onderstations)"),
    ("station_capacity", "Stationscapaciteit (tabel)"),
    ("infrastructure", "Infrastructuur (projecten)"),
    ("developments", "Ontwikkelingen"),
    ("constraints", "Beperkingen (ruimtelijk)"),
)

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def parse_mapping(text: str) -> dict[str, str]:
    """Parse a column mapping ``canonical=bron; canonical=bron`` (``;`` or new lines between pairs).

    Raises :class:`ValueError` with a Dutch message for a pair without ``=``, an empty side or a canonical
    column given twice.

    Examples
    --------
    >>> parse_mapping("name = naam; offtake_mw=vermogen afname (MW)")
    {'name': 'naam', 'offtake_mw': 'vermogen afname (MW)'}
    >>> parse_mapping("")
    {}
    """
    mapping: dict[str, str] = {}
    for raw in re.split(r"[;\n]", text or ""):
        item = raw.strip()
        if not item:
            continue
        if "=" not in item:
            raise ValueError(f"kolomkoppeling {item!r} heeft geen '=' (verwacht: canoniek=bronkolom)")
        canonical, source = (part.strip() for part in item.split("=", 1))
        if not canonical or not source:
            raise ValueError(f"kolomkoppeling {item!r} is onvolledig (verwacht: canoniek=bronkolom)")
        if canonical in mapping:
            raise ValueError(f"kolom {canonical!r} is twee keer gekoppeld ({mapping[canonical]!r} en {source!r})")
        mapping[canonical] = source
    return mapping


def mapping_toml(mapping: dict[str, str]) -> str:
    """The mapping as the engine's TOML (``[mapping]`` with ``canonical = "source"`` lines).

    Examples
    --------
    >>> print(mapping_toml({"name": "naam", "offtake_mw": 'vermogen "MW"'}))
    [mapping]
    name = "naam"
    offtake_mw = "vermogen \\"MW\\""
    <BLANKLINE>
    """
    lines = ["[mapping]"]
    for canonical, source in mapping.items():
        key = canonical if _BARE_KEY.match(canonical) else json.dumps(canonical, ensure_ascii=False)
        lines.append(f"{key} = {json.dumps(source, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def format_finding(finding: dict[str, Any], mapping: dict[str, str] | None = None) -> str:
    """One finding of the engine's report as a Dutch line: ``rij N (id X), kolom C: melding``.

    ``N`` counts from 1 in the layer's feature order; the column is shown as the user's source column when a
    mapping renamed it.

    Examples
    --------
    >>> format_finding({"rows": [2], "row_id": "D3", "column": "offtake_mw", "message": "negatieve waarde",
    ...                 "value": -5.0, "suggestion": None}, {"offtake_mw": "vermogen"})
    'rij 3 (id D3), kolom vermogen (offtake_mw): negatieve waarde [waarde: -5.0]'
    """
    rows = [int(r) for r in finding.get("rows") or []]
    parts = []
    if len(rows) == 1:
        parts.append(f"rij {rows[0] + 1}")
    elif rows:
        shown = ", ".join(str(r + 1) for r in rows[:10])
        parts.append(f"rijen {shown}{' …' if len(rows) > 10 else ''} ({len(rows)} rijen)")
    row_id = finding.get("row_id")
    if row_id not in (None, ""):
        if parts:
            parts[-1] += f" (id {row_id})"
        else:
            parts.append(f"id {row_id}")
    column = finding.get("column")
    if column:
        source = (mapping or {}).get(column)
        parts.append(f"kolom {source} ({column})" if source and source != column else f"kolom {column}")
    head = ", ".join(parts)
    text = f"{head}: {finding.get('message', '')}" if head else f"laag: {finding.get('message', '')}"
    value = finding.get("value")
    if value is not None:
        text += f" [waarde: {value!r}]" if isinstance(value, str) else f" [waarde: {value}]"
    suggestion = finding.get("suggestion")
    if suggestion:
        text += f" — bedoelde u {suggestion!r}?"
    return text


class ValidateLayerAlgorithm(EngineAlgorithm):
    """Valideer laag: every error with its row, every repair and warning, and the row accounting."""

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

    def name(self) -> str:
        return "validate_layer"

    def displayName(self) -> str:
        return self.tr("Valideer laag")

    def group(self) -> str:
        return self.tr("Inzicht")

    def groupId(self) -> str:
        return "inzicht"

    def shortHelpString(self) -> str:
        return self.tr(
            "Controleert een laag tegen het schema van één laagsoort (gemeenten, stations, stationscapaciteit, "
            "infrastructuur, ontwikkelingen of beperkingen).\n\n"
            "Elke fout noemt de rij (1 = eerste object in de volgorde van de laag), het id en de kolom; "
            "reparaties (zoals herstelde geometrieën of herkende Nederlandse waarden) en waarschuwingen staan in "
            "het logboek. Rijen in = rijen behouden + rijen afgewezen.\n\n"
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
            feedback.reportError(format_finding(finding, self._mapping), False)
        for finding in report.get("repairs", []):
            feedback.pushInfo("Reparatie: " + format_finding(finding, self._mapping))
        for finding in report.get("warnings", []):
            feedback.pushWarning("Waarschuwing: " + format_finding(finding, self._mapping))
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
