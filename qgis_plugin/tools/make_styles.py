#!/usr/bin/env python3
"""Write the plugin's QML styles for the output layers that have none in the core (run with QGIS's Python).

    QT_QPA_PLATFORM=offscreen .venv-qgis/bin/python qgis_plugin/tools/make_styles.py [STIJL ...]

Writes into ``qgis_plugin/energieplanologie_qgis/resources/styles/``:

* ``ontwikkelingen_punten.qml`` / ``ontwikkelingen_vlakken.qml`` — developments by sector (Dutch legend), the
  symbol's opacity by certainty (vergund … idee), point size by MW, polygons of intentions and ideas dashed;
* ``infrastructuur_lijnen.qml`` / ``infrastructuur_punten.qml`` — infrastructure by type, coloured by energy
  carrier, proposals and narratives dashed;
* ``beperkingen.qml`` — Natura 2000 and heritage hatched, with names;
* ``hexagonen_gistar.qml`` — significant Gi* cells in red, the others as a faint grid;
* ``flexbehoefte.qml`` — each shortage window (``energieplanologie.flex.flex_need``) as a dashed purple ring around
  its station, sized by the flex it needs (as on ``kaart.html``), labelled with the MW, the years and the project that
  ends it ("nog geen project" when none does).

Colours are those of the interactive and static maps (``energieplanologie/maps/_style.py``), so a development is
the same colour in QGIS, in ``kaart.html`` and in the municipality PNGs (``tests/qgis/test_styles.py`` checks
this against the engine). Every expression reads the Dutch export header first and the canonical English name
second, so a style works on the engine's outputs and on layers with canonical columns alike. Deterministic: the
same QGIS writes the same files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsLinePatternFillSymbolLayer,
    QgsLineSymbol,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsProperty,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
    QgsSimpleFillSymbolLayer,
    QgsSymbolLayer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtGui import QColor, QFont

OUT = Path(__file__).resolve().parents[1] / "energieplanologie_qgis" / "resources" / "styles"

# energieplanologie/maps/_style.py
SECTOR_COLOURS = {
    "renewables": "#66a61e", "built_environment": "#e7298a", "housing": "#a6761d", "mobility": "#7570b3",
    "industry": "#1f4e99", "agriculture": "#d9b300", "data_centre": "#17becf", "business_park": "#525252",
    "other": "#bc80bd",
}
CARRIER_COLOURS = {"electricity": "#ff7f0e", "hydrogen": "#00a0a0", "heat": "#c2185b", "methane": "#8c6d31"}
# energieplanologie/labels.py VALUE_LABELS
SECTOR_LABELS = {
    "renewables": "Opwek (RES)", "built_environment": "Gebouwde omgeving (TVW)", "housing": "Woningbouw",
    "mobility": "Mobiliteit (RAL)", "industry": "Industrie (CES)", "agriculture": "Landbouw",
    "data_centre": "Datacenter", "business_park": "Bedrijventerrein", "other": "Overig",
}
INFRA_LABELS = {
    "station_new": "Nieuw station", "station_expansion": "Stationsuitbreiding", "cable_ehv": "Kabel/lijn EHS",
    "cable_hv": "Kabel/lijn HS", "cable_mv": "Kabel MS", "h2_pipeline": "Waterstofleiding",
    "heat_network": "Warmtenet", "gas_pipeline": "Gasleiding", "battery": "Batterij", "electrolyser": "Elektrolyser",
    "heat_storage": "Warmteopslag", "other": "Overig",
}
#: Dutch source values the engine also reads (``schema``'s value synonyms), so raw input layers style too.
SECTOR_SYNONYMS = {  # energieplanologie/schema.py ENUM_SYNONYMS["sector"]
    "renewables": ["opwek", "res", "hernieuwbare opwek", "duurzame opwek", "wind", "zon"],
    "built_environment": ["gebouwde omgeving", "gebouwde_omgeving", "warmte", "tvw"],
    "housing": ["woningbouw"],
    "mobility": ["mobiliteit", "laadinfra"],
    "industry": ["industrie"],
    "agriculture": ["landbouw", "glastuinbouw"],
    "data_centre": ["datacenter", "datacentrum", "data_center"],
    "business_park": ["bedrijventerrein"],
}


#: Dutch words for the infrastructure types: the exports' (``schema.DUTCH_VALUES["infra_type"]``) and the reader's
#: synonyms (``schema.ENUM_SYNONYMS["infra_type"]``), so both the engine's outputs and raw input layers style.
INFRA_SYNONYMS = {
    "station_new": ["nieuw_station", "nieuw station", "nieuw onderstation"],
    "station_expansion": ["stationsuitbreiding", "uitbreiding station", "netverzwaring"],
    "cable_ehv": ["kabel_ehs", "kabel ehs"], "cable_hv": ["kabel_hs", "kabel hs"], "cable_mv": ["kabel_ms", "kabel ms"],
    "h2_pipeline": ["waterstofleiding"], "heat_network": ["warmtenet"], "gas_pipeline": ["gasleiding"],
    "battery": ["batterij"], "electrolyser": ["elektrolyser"], "heat_storage": ["warmteopslag"], "other": ["overig"],
}


def col(dutch: str, english: str) -> str:
    """An expression reading the Dutch export header, else the canonical column."""
    return f"coalesce(attribute($currentfeature, '{dutch}'), attribute($currentfeature, '{english}'))"


SECTOR_EXPR = "CASE " + " ".join(
    f"WHEN lower(coalesce(attribute($currentfeature, 'sector'), '')) IN "
    f"({', '.join(repr(v) for v in [key, *SECTOR_SYNONYMS.get(key, [])])}) THEN '{key}'"
    for key in SECTOR_COLOURS if key != "other") + " ELSE 'other' END"
CERTAINTY = col("zekerheid", "certainty")
CERTAINTY_ALPHA_POINT = (f"CASE WHEN lower({CERTAINTY}) IN ('speculative', 'idee') THEN 90 "
                         f"WHEN lower({CERTAINTY}) IN ('intended', 'voornemen') THEN 150 "
                         f"WHEN lower({CERTAINTY}) IN ('planned', 'vastgesteld') THEN 215 ELSE 245 END")
CERTAINTY_ALPHA_FILL = (f"CASE WHEN lower({CERTAINTY}) IN ('speculative', 'idee') THEN 31 "
                        f"WHEN lower({CERTAINTY}) IN ('intended', 'voornemen') THEN 56 "
                        f"WHEN lower({CERTAINTY}) IN ('planned', 'vastgesteld') THEN 89 ELSE 115 END")
UNCERTAIN_DASH = (f"CASE WHEN lower({CERTAINTY}) IN ('intended', 'voornemen', 'speculative', 'idee') "
                  "THEN 'dash' ELSE 'solid' END")
MW = (f"max(coalesce({col('afname_mw', 'offtake_mw')}, 0), coalesce({col('invoeding_mw', 'feedin_mw')}, 0))")
_RAW_INFRA_TYPE = f"lower(coalesce({col('type_infra', 'infra_type')}, 'other'))"
INFRA_TYPE = "CASE " + " ".join(
    f"WHEN {_RAW_INFRA_TYPE} IN ({', '.join(repr(v) for v in [key, *words])}) THEN '{key}'"
    for key, words in INFRA_SYNONYMS.items()) + " ELSE 'other' END"
PROPOSED_DASH = ("CASE WHEN lower(coalesce(attribute($currentfeature, 'status'), '')) IN "
                 "('proposed', 'narrative', 'voorgesteld', 'narratief') THEN 'dash' ELSE 'solid' END")


def colour(hex_colour: str, alpha: int = 255) -> QColor:
    c = QColor(hex_colour)
    c.setAlpha(alpha)
    return c


def write(layer: QgsVectorLayer, name: str) -> Path:
    path = OUT / f"{name}.qml"
    message, ok = layer.saveNamedStyle(str(path))
    if not ok:
        raise SystemExit(f"{path}: {message}")
    # QGIS writes its own version string; keep the files identical across patch releases of one QGIS line.
    text = path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    print(path)
    return path


def label(layer: QgsVectorLayer, expression: str, size: float = 8.0, colour_text: str = "#222222",
          right_of_mm: str | None = None) -> None:
    settings = QgsPalLayerSettings()
    if right_of_mm is not None:  # the label right of the symbol, this many mm (an expression) from the point
        settings.placement = Qgis.LabelPlacement.OverPoint
        settings.quadOffset = Qgis.LabelQuadrantPosition.Right
        settings.dataDefinedProperties().setProperty(
            QgsPalLayerSettings.Property.OffsetXY, QgsProperty.fromExpression(f"array({right_of_mm}, 0)"))
        # A fixed place cannot dodge other labels: shown over them rather than hidden.
        settings.placementSettings().setOverlapHandling(Qgis.LabelOverlapHandling.AllowOverlapIfRequired)
    settings.fieldName = expression
    settings.isExpression = True
    fmt = QgsTextFormat()
    fmt.setFont(QFont("Sans Serif"))
    fmt.setSize(size)
    fmt.setColor(QColor(colour_text))
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor("white"))
    fmt.setBuffer(buffer)
    settings.setFormat(fmt)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(settings))
    layer.setLabelsEnabled(True)


def developments_points() -> None:
    layer = QgsVectorLayer("Point?crs=EPSG:28992", "ontwikkelingen", "memory")
    categories = []
    for key, hex_colour in SECTOR_COLOURS.items():
        symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": hex_colour, "outline_color": "255,255,255,255",
                                               "outline_width": "0.3", "size": "3"})
        marker = symbol.symbolLayer(0)
        marker.setDataDefinedProperty(QgsSymbolLayer.PropertySize,
                                      QgsProperty.fromExpression(f"min(9, 2.2 + 0.5 * sqrt({MW}))"))
        marker.setDataDefinedProperty(QgsSymbolLayer.PropertyFillColor, QgsProperty.fromExpression(
            f"set_color_part('{QColor(hex_colour).red()},{QColor(hex_colour).green()},{QColor(hex_colour).blue()}', "
            f"'alpha', {CERTAINTY_ALPHA_POINT})"))
        categories.append(QgsRendererCategory(key, symbol, SECTOR_LABELS[key]))
    layer.setRenderer(QgsCategorizedSymbolRenderer(SECTOR_EXPR, categories))
    write(layer, "ontwikkelingen_punten")


def developments_polygons() -> None:
    layer = QgsVectorLayer("Polygon?crs=EPSG:28992", "ontwikkelingen", "memory")
    categories = []
    for key, hex_colour in SECTOR_COLOURS.items():
        c = QColor(hex_colour)
        symbol = QgsFillSymbol.createSimple({"color": f"{c.red()},{c.green()},{c.blue()},89",
                                             "outline_color": hex_colour, "outline_width": "0.5"})
        fill = symbol.symbolLayer(0)
        fill.setDataDefinedProperty(QgsSymbolLayer.PropertyFillColor, QgsProperty.fromExpression(
            f"set_color_part('{c.red()},{c.green()},{c.blue()}', 'alpha', {CERTAINTY_ALPHA_FILL})"))
        fill.setDataDefinedProperty(QgsSymbolLayer.PropertyStrokeStyle, QgsProperty.fromExpression(UNCERTAIN_DASH))
        categories.append(QgsRendererCategory(key, symbol, SECTOR_LABELS[key]))
    layer.setRenderer(QgsCategorizedSymbolRenderer(SECTOR_EXPR, categories))
    write(layer, "ontwikkelingen_vlakken")


LINE_TYPES = {  # type: (carrier, width mm) — widths follow INFRA_WEIGHT (px) of the maps
    "cable_ehv": ("electricity", 1.5), "cable_hv": ("electricity", 1.2), "cable_mv": ("electricity", 0.75),
    "h2_pipeline": ("hydrogen", 1.2), "heat_network": ("heat", 1.05), "gas_pipeline": ("methane", 1.05),
    "other": ("other", 0.8),
}
POINT_TYPES = {  # type: (carrier, marker shape)
    "station_new": ("electricity", "square"), "station_expansion": ("electricity", "square"),
    "battery": ("electricity", "triangle"), "electrolyser": ("hydrogen", "diamond"),
    "heat_storage": ("heat", "pentagon"), "other": ("other", "circle"),
}


def infrastructure_lines() -> None:
    layer = QgsVectorLayer("LineString?crs=EPSG:28992", "infrastructuur", "memory")
    categories = []
    for key, (carrier, width) in LINE_TYPES.items():
        hex_colour = CARRIER_COLOURS.get(carrier, "#666666")
        symbol = QgsLineSymbol.createSimple({"line_color": hex_colour, "line_width": str(width), "capstyle": "round"})
        line = symbol.symbolLayer(0)
        line.setDataDefinedProperty(QgsSymbolLayer.PropertyStrokeStyle, QgsProperty.fromExpression(PROPOSED_DASH))
        categories.append(QgsRendererCategory(key, symbol, INFRA_LABELS[key]))
    layer.setRenderer(QgsCategorizedSymbolRenderer(f"CASE WHEN {INFRA_TYPE} IN ({', '.join(repr(k) for k in LINE_TYPES)}) "
                                                   f"THEN {INFRA_TYPE} ELSE 'other' END", categories))
    write(layer, "infrastructuur_lijnen")


def infrastructure_points() -> None:
    layer = QgsVectorLayer("Point?crs=EPSG:28992", "infrastructuur", "memory")
    categories = []
    for key, (carrier, shape) in POINT_TYPES.items():
        hex_colour = CARRIER_COLOURS.get(carrier, "#666666")
        hollow = key == "station_expansion"
        symbol = QgsMarkerSymbol.createSimple({
            "name": shape, "size": "4.2", "color": "255,255,255,255" if hollow else hex_colour,
            "outline_color": hex_colour if hollow else "35,35,35,255", "outline_width": "0.9" if hollow else "0.35"})
        categories.append(QgsRendererCategory(key, symbol, INFRA_LABELS[key]))
    layer.setRenderer(QgsCategorizedSymbolRenderer(f"CASE WHEN {INFRA_TYPE} IN ({', '.join(repr(k) for k in POINT_TYPES)}) "
                                                   f"THEN {INFRA_TYPE} ELSE 'other' END", categories))
    label(layer, col("naam", "name"), 7.0, "#5a2d00")
    write(layer, "infrastructuur_punten")


def constraints() -> None:
    layer = QgsVectorLayer("Polygon?crs=EPSG:28992", "beperkingen", "memory")
    kinds = {"natura2000": ("#2e7d32", "Natura 2000"), "water": ("#1f78b4", "Water"),
             "heritage": ("#8c510a", "Erfgoed (beschermd stadsgezicht)"), "other": ("#7f7f7f", "Overig")}
    categories = []
    for key, (hex_colour, text) in kinds.items():
        symbol = QgsFillSymbol()
        symbol.deleteSymbolLayer(0)
        c = QColor(hex_colour)
        base = QgsSimpleFillSymbolLayer(colour(hex_colour, 28), strokeColor=c, strokeWidth=0.4)
        symbol.appendSymbolLayer(base)
        hatch = QgsLinePatternFillSymbolLayer()
        hatch.setLineAngle(45)
        hatch.setDistance(2.5)
        hatch.setLineWidth(0.25)
        hatch.setColor(colour(hex_colour, 150))
        symbol.appendSymbolLayer(hatch)
        categories.append(QgsRendererCategory(key, symbol, text))
    kind = "coalesce(attribute($currentfeature, 'soort'), attribute($currentfeature, 'kind'))"
    layer.setRenderer(QgsCategorizedSymbolRenderer(
        f"CASE WHEN lower({kind}) IN ('natura2000', 'natura 2000') THEN 'natura2000' WHEN lower({kind}) = 'water' "
        f"THEN 'water' WHEN lower({kind}) IN ('heritage', 'erfgoed') THEN 'heritage' ELSE 'other' END", categories))
    label(layer, col("naam", "name"), 7.5, "#1b4d1e")
    write(layer, "beperkingen")


def gistar_hexagons() -> None:
    layer = QgsVectorLayer("Polygon?crs=EPSG:28992", "hexagonen_gistar", "memory")
    hot = QgsFillSymbol.createSimple({"color": "215,25,28,110", "outline_color": "165,0,38,255", "outline_width": "0.3"})
    cold = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "150,150,150,90", "outline_width": "0.15"})
    expr = ("CASE WHEN coalesce(attribute($currentfeature, 'hotspotcel'), attribute($currentfeature, 'hot')) "
            "IN (1, 'true', 'True') THEN 'hot' ELSE 'cold' END")
    layer.setRenderer(QgsCategorizedSymbolRenderer(expr, [
        QgsRendererCategory("hot", hot, "Significante hotspotcel (Gi*, FDR)"),
        QgsRendererCategory("cold", cold, "Niet significant"),
    ]))
    write(layer, "hexagonen_gistar")


#: The ring of ``kaart.html`` (``maps/interactive.py``: ``_flex_need_collection``).
FLEX_NEED_COLOUR = "#6a1b9a"


def flex_need() -> None:
    layer = QgsVectorLayer("Point?crs=EPSG:28992", "flexbehoefte", "memory")
    mw = f"coalesce({col('max_tekort_mw', 'max_shortage_mw')}, 0)"
    symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": "0,0,0,0", "outline_color": FLEX_NEED_COLOUR,
                                           "outline_width": "0.7", "outline_style": "dash", "size": "5"})
    marker = symbol.symbolLayer(0)
    size_mm = f"min(16, 5 + 1.2 * sqrt(max({mw}, 0)))"
    marker.setDataDefinedProperty(QgsSymbolLayer.PropertySize, QgsProperty.fromExpression(size_mm))
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    start, end = col("van_jaar", "from_year"), col("tot_jaar", "to_year")
    by = col("opgelost_door", "resolved_by")
    label(layer, f"format_number({mw}, 1, 'nl') || ' MW flex, ' || to_string({start}) || "
                 f"CASE WHEN {end} <> {start} THEN '–' || to_string({end}) ELSE '' END || ' (' || "
                 f"CASE WHEN coalesce({by}, '') = '' THEN 'nog geen project' "
                 f"ELSE 'opgelost door ' || replace({by}, ';', ', ') END || ')'",
          colour_text=FLEX_NEED_COLOUR, right_of_mm=f"{size_mm} / 2 + 1")  # beside the ring, not over it
    write(layer, "flexbehoefte")


#: Every style this script writes, by file stem.
WRITERS = {
    "ontwikkelingen_punten": developments_points, "ontwikkelingen_vlakken": developments_polygons,
    "infrastructuur_lijnen": infrastructure_lines, "infrastructuur_punten": infrastructure_points,
    "beperkingen": constraints, "hexagonen_gistar": gistar_hexagons, "flexbehoefte": flex_need,
}


def main(argv: list[str] | None = None) -> int:
    """Write the styles named in ``argv`` (file stems), or all of them.

    QGIS writes a style's XML attributes in no fixed order and with its own version: rewrite only the styles you
    change, so that the others keep their reviewed bytes.
    """
    names = list(argv if argv is not None else sys.argv[1:]) or list(WRITERS)
    unknown = [n for n in names if n not in WRITERS]
    if unknown:
        raise SystemExit(f"onbekende stijl: {', '.join(unknown)} (kies uit {', '.join(WRITERS)})")
    app = QgsApplication([], False)
    app.initQgis()
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        WRITERS[name]()
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
