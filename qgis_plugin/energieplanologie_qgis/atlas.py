"""The municipality atlas as a QGIS print layout: one page per municipality, built on the engine's ``atlas.gpkg``.

``energieplanologie atlas`` writes the map layers of one year and scenario and, per municipality, the tables of
its page as text the core formatted (``overview.atlas_tables``). :func:`build_atlas_project` loads them styled
into a new QGIS project and lays out a page: the municipality's map (neighbours greyed, legend of what the page
shows, scale bar, north arrow), its MW per sector and year, its stations with their room per year (coloured by
status), its projects and knooppunten — each table filtered on the atlas page's municipality. The project can be
saved as ``.qgz`` (the user opens and restyles it) and :func:`export_atlas_pdf` writes one PDF page per
municipality. Nothing is computed here: the layout only places what the engine wrote.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsBasicNumericFormat,
    QgsConditionalStyle,
    QgsCoordinateReferenceSystem,
    QgsExpression,
    QgsExpressionContext,
    QgsExpressionContextUtils,
    QgsFeatureRequest,
    QgsFillSymbol,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemAttributeTable,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutMeasurement,
    QgsLayoutMultiFrame,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLayoutTable,
    QgsLayoutTableColumn,
    QgsLayoutUtils,
    QgsLegendStyle,
    QgsPrintLayout,
    QgsProject,
    QgsRenderContext,
    QgsRuleBasedRenderer,
    QgsScaleBarSettings,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtGui import QColor, QFont

from .outputs import OutputLayer, add_to_project

__all__ = ["ATLAS_GPKG", "LAYOUT_NAME", "PAGE_SIZES", "AtlasPage", "build_atlas_project", "export_atlas_pdf"]

#: The GeoPackage ``energieplanologie atlas`` writes.
ATLAS_GPKG = "atlas.gpkg"
#: The name of the print layout in the project.
LAYOUT_NAME = "Gemeenteatlas"
#: Page sizes offered (landscape); the layout is designed for A4 and scaled for A3.
PAGE_SIZES: tuple[tuple[str, str, float], ...] = (("A4", "A4 liggend", 1.0), ("A3", "A3 liggend", 2 ** 0.5))
#: Balance status → background of a table cell (the dock's and the overview pages' colours).
STATUS_COLOURS = {"groen": "#bfe5c6", "oranje": "#fbe0a6", "rood": "#f4b0b1", "onbekend": "#e0e0e0"}
#: The map layers top to bottom: (layer in atlas.gpkg, title, style, geometry type or None).
MAP_LAYERS: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("gemeenten", "Gemeenten", None, None),
    ("stationsbalans", "Stations (balans)", "stationsbalans", None),
    ("infrastructuur", "Netprojecten", "infrastructuur", "Point"),
    ("infrastructuur", "Netprojecten", "infrastructuur", "LineString"),
    ("ontwikkelingen", "Ontwikkelingen", "ontwikkelingen", "Point"),
    ("ontwikkelingen", "Ontwikkelingen", "ontwikkelingen", "Polygon"),
    ("knooppunten", "Knooppunten", "knooppunten", None),
    ("beperkingen", "Beperkingen", "beperkingen", None),
)
_GEOMETRY_WORD = {"Point": "punten", "LineString": "lijnen", "Polygon": "vlakken"}
_MM = QgsUnitTypes.LayoutMillimeters


@dataclass(frozen=True)
class AtlasPage:
    """What a page says besides its municipality: region, year, scenario, page size (``A4``/``A3``)."""

    region: str
    year: int
    scenario: str
    page_size: str = "A4"

    @property
    def scale(self) -> float:
        return next((k for name, _label, k in PAGE_SIZES if name == self.page_size), 1.0)


def _gpkg_layer(path: str, name: str, geometry: str | None = None) -> str:
    return f"{path}|layername={name}" + (f"|geometrytype={geometry}" if geometry else "")


def _text_format(size: float, *, bold: bool = False, colour: str = "#222222") -> QgsTextFormat:
    fmt = QgsTextFormat()
    font = QFont("Sans Serif")
    font.setBold(bold)
    fmt.setFont(font)
    fmt.setSize(size)
    fmt.setSizeUnit(QgsUnitTypes.RenderPoints)
    fmt.setColor(QColor(colour))
    return fmt


def _municipality_renderer() -> QgsRuleBasedRenderer:
    """The page's municipality outlined, its neighbours greyed over (so their content recedes); outside the atlas
    (the project's own map) every municipality is outlined."""
    root = QgsRuleBasedRenderer.Rule(None)
    this = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "34,34,34,255", "outline_width": "0.7"})
    others = QgsFillSymbol.createSimple({"color": "205,205,205,200", "outline_color": "140,140,140,255",
                                         "outline_width": "0.25"})
    root.appendChild(QgsRuleBasedRenderer.Rule(
        this, filterExp="@atlas_feature IS NULL OR \"gemeentecode\" = attribute(@atlas_feature, 'gemeentecode')",
        label="Deze gemeente"))
    root.appendChild(QgsRuleBasedRenderer.Rule(others, elseRule=True, label="Buurgemeenten"))
    return QgsRuleBasedRenderer(root)


def _load_layers(project: QgsProject, gpkg: str) -> tuple[dict[str, QgsVectorLayer], list[QgsVectorLayer]]:
    """The map layers (styled, in drawing order) and the tables of ``atlas.gpkg`` into ``project``."""
    specs: list[OutputLayer] = []
    for order, (name, title, style, geometry) in enumerate(MAP_LAYERS):
        probe = QgsVectorLayer(_gpkg_layer(gpkg, name), name, "ogr")
        if not probe.isValid():
            continue
        if geometry is not None:
            sub = QgsVectorLayer(_gpkg_layer(gpkg, name, geometry), name, "ogr")
            if not sub.isValid() or sub.featureCount() <= 0:
                continue
            title = f"{title} ({_GEOMETRY_WORD[geometry]})"
        specs.append(OutputLayer(_gpkg_layer(gpkg, name, geometry), title, style, (), (), order))
    tables = ("atlas_sectoren", "atlas_stations", "atlas_projecten", "atlas_knooppunten")
    titles = ("Tabel vermogen per sector", "Tabel stations", "Tabel projecten", "Tabel knooppunten")
    for order, (name, title) in enumerate(zip(tables, titles, strict=True)):
        specs.append(OutputLayer(_gpkg_layer(gpkg, name), title, None, ("Tabellen",), (100,), 100 + order,
                                 visible=False))
    loaded = add_to_project(specs, project)
    by_source = {layer.source().split("|layername=")[1].split("|")[0]: layer for layer in loaded
                 if "|layername=" in layer.source() and "geometrytype" not in layer.source()}
    if "gemeenten" in by_source:
        by_source["gemeenten"].setRenderer(_municipality_renderer())
    map_layers = [layer for layer in loaded if layer.isSpatial()]
    return by_source, map_layers


def _label(layout: QgsPrintLayout, text: str, x: float, y: float, w: float, h: float, size: float, k: float, *,
           bold: bool = False, colour: str = "#222222", align: Qt.AlignmentFlag = Qt.AlignLeft) -> QgsLayoutItemLabel:
    label = QgsLayoutItemLabel(layout)
    label.setText(text)
    label.setTextFormat(_text_format(size * k, bold=bold, colour=colour))
    label.setHAlign(align)
    label.setVAlign(Qt.AlignVCenter)
    layout.addLayoutItem(label)
    label.attemptMove(QgsLayoutPoint(x * k, y * k, _MM))
    label.attemptResize(QgsLayoutSize(w * k, h * k, _MM))
    return label


_CELL_MARGIN = 0.5  # mm


def _table(layout: QgsPrintLayout, layer: QgsVectorLayer, columns: Sequence[tuple[str, str, float, bool]],
           width: float, k: float, *, font: float = 6.0) -> tuple[QgsLayoutItemAttributeTable, QgsLayoutFrame]:
    """An attribute table of ``layer`` filtered on the atlas page's municipality and sorted by ``volgorde``, in one
    frame (placed later). ``columns``: (field, heading, share of the width, right-aligned); the shares are scaled
    to fill ``width`` (mm, A4 scale) after the cell margins."""
    table = QgsLayoutItemAttributeTable.create(layout)
    table.setVectorLayer(layer)
    table.setFilterFeatures(True)
    table.setFeatureFilter("\"gemeentecode\" = attribute(@atlas_feature, 'gemeentecode')")
    usable = width - 2 * _CELL_MARGIN * len(columns) - 0.2
    total = sum(share for _f, _h, share, _r in columns)
    cols = []
    for field, heading, share, right in columns:
        column = QgsLayoutTableColumn(heading)
        column.setAttribute(field)
        column.setWidth(usable * share / total * k)
        column.setHAlignment(Qt.AlignRight if right else Qt.AlignLeft)
        cols.append(column)
    table.setColumns(cols)
    order = QgsLayoutTableColumn("volgorde")
    order.setAttribute("volgorde")
    order.setSortOrder(Qt.AscendingOrder)
    table.setSortColumns([order])
    table.setCellMargin(_CELL_MARGIN * k)
    table.setContentTextFormat(_text_format(font * k))
    table.setHeaderTextFormat(_text_format(font * k, bold=True))
    table.setHeaderHAlignment(QgsLayoutTable.FollowColumn)
    table.setWrapBehavior(QgsLayoutTable.WrapText)
    table.setShowGrid(True)
    table.setGridStrokeWidth(0.1 * k)
    table.setGridColor(QColor("#b0b0b0"))
    table.setVerticalGrid(False)
    table.setEmptyTableBehavior(QgsLayoutTable.ShowMessage)
    table.setEmptyTableMessage("Geen")
    table.setUseConditionalStyling(True)
    table.setResizeMode(QgsLayoutMultiFrame.UseExistingFrames)
    frame = QgsLayoutFrame(layout, table)
    frame.attemptResize(QgsLayoutSize(width * k, 100 * k, _MM))
    table.addFrame(frame)
    layout.addMultiFrame(table)
    return table, frame


def _lines(text: str, width: float, font: QFont) -> int:
    """Lines a cell's text takes when wrapped at spaces into ``width`` mm (greedy, as a table wraps)."""
    lines, current = 1, ""
    for word in str(text).split():
        candidate = f"{current} {word}".strip()
        if current and QgsLayoutUtils.textWidthMM(font, candidate) > width:
            lines, current = lines + 1, word
        else:
            current = candidate
    return lines


def _estimate(table: QgsLayoutItemAttributeTable, code: str) -> float:
    """The height (layout units) of the table's rows for municipality ``code`` plus its header, from the fonts and
    column widths (a first guess that :func:`_fits` then checks)."""
    size = table.contentTextFormat().size()
    body, head = QFont(table.contentTextFormat().font()), QFont(table.headerTextFormat().font())
    body.setPointSizeF(size)
    head.setPointSizeF(size)
    head.setBold(True)
    line = QgsLayoutUtils.fontHeightMM(body)
    margin = 2 * table.cellMargin()
    columns = table.columns()
    height = max(_lines(c.heading(), c.width(), head) for c in columns) * line + margin
    request = QgsFeatureRequest().setFilterExpression(f"\"gemeentecode\" = '{code}'")
    found = False
    layer = table.vectorLayer()
    context = QgsExpressionContext(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    expressions = [QgsExpression(c.attribute()) for c in columns]
    for feature in layer.getFeatures(request):
        found = True
        context.setFeature(feature)
        texts = [e.evaluate(context) for e in expressions]
        height += max(_lines("" if t is None else t, c.width(), body) for t, c in zip(texts, columns, strict=True)) \
            * line + margin
    return height + (0 if found else line + margin)


def _fits(table: QgsLayoutItemAttributeTable, frame: QgsLayoutFrame, height: float) -> bool:
    """Whether the table's rows of the current atlas page fit in its one frame at ``height`` (QGIS's own measure:
    the table's total height is the frames it needs; only trusted from a height that holds a row)."""
    frame.attemptResize(QgsLayoutSize(frame.rect().width(), height, _MM))
    table.refreshAttributes()
    return table.totalHeight() <= height * 1.001


def _tallest(layout: QgsPrintLayout, placed: Sequence[tuple[QgsLayoutItemAttributeTable, QgsLayoutFrame]],
             limit: float) -> list[float]:
    """Per table the frame height (layout units, at most ``limit``) that holds its longest atlas page: estimated
    from the fonts, then checked page by page with QGIS's own table measure and grown until it holds."""
    atlas = layout.atlas()
    heights = [0.0] * len(placed)
    if not atlas.beginRender():
        return heights
    try:
        for i in range(atlas.count()):
            atlas.seekTo(i)
            code = str(atlas.layout().reportContext().feature()["gemeentecode"])
            for j, (table, frame) in enumerate(placed):
                guess = min(limit, _estimate(table, code))
                height = guess
                while height < limit and not _fits(table, frame, height):
                    height = min(limit, height + 0.5)
                # The fonts' guess is on the safe side: tighten it (never far below it, where a frame too low for
                # one row would pass QGIS's measure).
                while height - 0.5 >= 0.85 * guess and _fits(table, frame, height - 0.5):
                    height -= 0.5
                heights[j] = max(heights[j], height)
    finally:
        atlas.endRender()
    return heights


def _style_tables(tables: dict[str, QgsVectorLayer], years: Sequence[int]) -> None:
    """Totals in bold; a station's room per year coloured by that year's status (conditional styles, kept in the
    project so the user can change them)."""
    sectors = tables.get("atlas_sectoren")
    if sectors is not None:
        total = QgsConditionalStyle("\"totaal\" = 1")
        font = QFont("Sans Serif")
        font.setBold(True)
        total.setFont(font)
        sectors.conditionalStyles().setRowStyles([total])
    stations = tables.get("atlas_stations")
    if stations is not None:
        for year in years:
            styles = []
            for status, colour in STATUS_COLOURS.items():
                style = QgsConditionalStyle(f"\"status_{year}\" = '{status}'")
                style.setBackgroundColor(QColor(colour))
                styles.append(style)
            stations.conditionalStyles().setFieldStyles(f"ruimte_{year}", styles)


def _years(layer: QgsVectorLayer | None, prefix: str) -> list[int]:
    if layer is None:
        return []
    return sorted(int(n[len(prefix):]) for n in layer.fields().names() if n.startswith(prefix) and
                  n[len(prefix):].isdigit())


def _north_arrow() -> str:
    for folder in QgsApplication.svgPaths():
        path = os.path.join(folder, "arrows", "NorthArrow_11.svg")
        if os.path.exists(path):
            return path
    return ""


def build_atlas_project(gpkg: str, page: AtlasPage, project: QgsProject | None = None) -> QgsProject:
    """A QGIS project with the atlas layers (styled) and the print layout *Gemeenteatlas* (atlas on).

    Parameters
    ----------
    gpkg : str
        The ``atlas.gpkg`` of ``energieplanologie atlas`` (where the saved project will find it: keep it beside
        the ``.qgz``).
    page : AtlasPage
        Region, year and scenario for the titles; the page size.
    project : QgsProject, optional
        The project to fill (default a new one).

    Examples
    --------
    >>> project = build_atlas_project("uit/atlas.gpkg", AtlasPage("Zeeuws-Vlaanderen", 2040, "verwacht"))  # doctest: +SKIP
    >>> project.layoutManager().layoutByName("Gemeenteatlas").atlas().enabled()  # doctest: +SKIP
    True
    """
    project = project or QgsProject()
    project.setCrs(QgsCoordinateReferenceSystem("EPSG:28992"))
    project.setTitle(f"Gemeenteatlas {page.region} {page.year} — {page.scenario}")
    layers, _map_layers = _load_layers(project, gpkg)
    municipalities = layers.get("gemeenten")
    if municipalities is None or municipalities.featureCount() <= 0:
        raise ValueError(f"{gpkg}: geen gemeenten om een atlas over te maken.")
    tables = {name: layers[name] for name in layers if name.startswith("atlas_")}
    years = _years(tables.get("atlas_sectoren"), "mw_")
    _style_tables(tables, years)

    k = page.scale
    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName(LAYOUT_NAME)
    layout.pageCollection().page(0).setPageSize(page.page_size, QgsLayoutItemPage.Landscape)
    project.layoutManager().addLayout(layout)

    # Titles (expressions evaluated per atlas page).
    _label(layout, "Gemeente [% \"naam\" %]", 8, 6, 200, 9, 15, k, bold=True)
    _label(layout, f"Energie-infrastructuur en ontwikkelingen · {page.region} · {page.year} · scenario "
                   f"{page.scenario}", 8, 14.5, 200, 5, 8, k, colour="#555555")

    # The map of the municipality with its neighbours, scale bar and north arrow.
    map_item = QgsLayoutItemMap(layout)
    map_item.setCrs(QgsCoordinateReferenceSystem("EPSG:28992"))
    map_item.setKeepLayerSet(False)  # the project's visible layers: the user restyles and toggles them there
    map_item.setFrameEnabled(True)
    map_item.setFrameStrokeWidth(QgsLayoutMeasurement(0.3 * k))
    map_item.setBackgroundColor(QColor("white"))
    layout.addLayoutItem(map_item)
    map_item.attemptMove(QgsLayoutPoint(8 * k, 22 * k, _MM))
    map_item.attemptResize(QgsLayoutSize(128 * k, 118 * k, _MM))
    map_item.zoomToExtent(municipalities.extent())
    map_item.setAtlasDriven(True)
    map_item.setAtlasScalingMode(QgsLayoutItemMap.Auto)
    map_item.setAtlasMargin(0.08)

    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath(_north_arrow())
    arrow.setLinkedMap(map_item)
    layout.addLayoutItem(arrow)
    arrow.attemptMove(QgsLayoutPoint(126 * k, 24 * k, _MM))
    arrow.attemptResize(QgsLayoutSize(8 * k, 12 * k, _MM))

    scale = QgsLayoutItemScaleBar(layout)
    scale.setLinkedMap(map_item)
    scale.setStyle("Single Box")
    scale.setUnits(QgsUnitTypes.DistanceKilometers)
    scale.setUnitLabel("km")
    scale.setNumberOfSegments(2)
    scale.setNumberOfSegmentsLeft(0)
    scale.setSegmentSizeMode(QgsScaleBarSettings.SegmentSizeFitWidth)
    scale.setMinimumBarWidth(18 * k)
    scale.setMaximumBarWidth(36 * k)
    number = QgsBasicNumericFormat()
    number.setShowThousandsSeparator(True)
    number.setThousandsSeparator(".")
    number.setDecimalSeparator(",")
    scale.setNumericFormat(number)
    scale.setTextFormat(_text_format(6 * k))
    scale.setHeight(1.5 * k)
    scale.setBackgroundEnabled(True)
    scale.setBackgroundColor(QColor(255, 255, 255, 210))
    layout.addLayoutItem(scale)
    scale.attemptMove(QgsLayoutPoint(10 * k, 130 * k, _MM))

    legend = QgsLayoutItemLegend(layout)
    legend.setLinkedMap(map_item)
    legend.setTitle("")
    legend.setLegendFilterByMapEnabled(True)
    legend.setColumnCount(4)
    legend.setSplitLayer(True)
    legend.setSymbolWidth(4 * k)
    legend.setSymbolHeight(2.4 * k)
    for style, size, bold in ((QgsLegendStyle.Title, 8, True), (QgsLegendStyle.Group, 6.5, True),
                              (QgsLegendStyle.Subgroup, 6.5, True), (QgsLegendStyle.SymbolLabel, 5.5, False)):
        legend.rstyle(style).setTextFormat(_text_format(size * k, bold=bold))
    legend.rstyle(QgsLegendStyle.Group).setMargin(QgsLegendStyle.Top, 1.6 * k)
    legend.rstyle(QgsLegendStyle.Symbol).setMargin(QgsLegendStyle.Top, 0.9 * k)
    legend.rstyle(QgsLegendStyle.SymbolLabel).setMargin(QgsLegendStyle.Top, 0.9 * k)
    legend.setColumnSpace(2 * k)
    legend.setWrapString("|")  # a long class name may be given a line break in the project
    legend.setResizeToContents(False)
    legend.setAutoUpdateModel(False)  # the map's layers only, not the tables
    root = legend.model().rootGroup()
    for group in [g for g in root.children() if g.name() == "Tabellen"]:
        root.removeChildNode(group)
    layout.addLayoutItem(legend)
    legend.attemptMove(QgsLayoutPoint(8 * k, 142 * k, _MM))
    legend.attemptResize(QgsLayoutSize(131 * k, 60 * k, _MM))

    # The atlas over the municipalities (before the tables are measured page by page).
    atlas = layout.atlas()
    atlas.setCoverageLayer(municipalities)
    atlas.setPageNameExpression("\"naam\"")
    atlas.setSortFeatures(True)
    atlas.setSortExpression("\"naam\"")
    atlas.setFilenameExpression("'gemeenteatlas_' || \"gemeentecode\"")
    atlas.setEnabled(True)

    # The tables: sectors and knooppunten in the middle column, stations and projects on the right; each frame as
    # tall as the table's longest page, stacked under its heading.
    columns_x, column_w = (140.0, 216.0), 73.0
    blocks = [
        (0, "Vermogen per sector en jaar (MW, gewogen)", "atlas_sectoren",
         [("richting", "Richting", 12.5, False), ("sector", "Sector", 25.0, False),
          *[(f"mw_{y}", str(y), 8.0, True) for y in years]]),
        (0, f"Knooppunten {page.year}", "atlas_knooppunten",
         [("knooppunt", "Knooppunt", 24.0, False), ("niveau", "Niveau", 13.0, False),
          ("totaal", "MW", 8.0, True), ("stations", "Stations", 28.0, False)]),
        (1, "Stations: ruimte per jaar (MW; kleur = status)", "atlas_stations",
         [("station", "Station", 30.0, False), ("richting", "Richting", 12.5, False),
          *[(f"ruimte_{y}", str(y), 8.0, True) for y in years]]),
        (1, "Projecten in of bij de gemeente", "atlas_projecten",
         [("project", "Project", 26.0, False), ("\"type\" || ' · ' || lower(\"status\")", "Type · status", 24.0, False),
          ("gereed", "Gereed", 8.5, True), ("kosten", "M€", 8.0, True)]),
    ]
    placed = []
    for column, heading, name, columns in blocks:
        layer = tables.get(name)
        if layer is None:
            continue
        title = _label(layout, heading, columns_x[column], 0, column_w, 4.5, 7, k, bold=True)
        table, frame = _table(layout, layer, columns, column_w, k)
        placed.append((column, title, table, frame))
    heights = _tallest(layout, [(table, frame) for _c, _t, table, frame in placed], limit=175.0 * k)
    y_col = [22.0 * k, 22.0 * k]
    for (column, title, _table_item, frame), height in zip(placed, heights, strict=True):
        title.attemptMove(QgsLayoutPoint(columns_x[column] * k, y_col[column], _MM))
        frame.attemptMove(QgsLayoutPoint(columns_x[column] * k, y_col[column] + 5.0 * k, _MM))
        frame.attemptResize(QgsLayoutSize(column_w * k, height + 0.3 * k, _MM))
        y_col[column] += 5.0 * k + height + 4.0 * k

    _label(layout, "Bron: energieplanologie (engine) · gemeente [% @atlas_featurenumber %] van "
                   "[% @atlas_totalfeatures %] · kaart RD New (EPSG:28992)", 140, 202, 149, 4, 5.5, k,
           colour="#777777", align=Qt.AlignRight)

    return project


def export_atlas_pdf(project: QgsProject, path: str) -> int:
    """Export the layout *Gemeenteatlas* of ``project`` as one PDF, one page per municipality; returns the pages.

    Raises :class:`RuntimeError` with QGIS's message when the export fails.
    """
    layout = project.layoutManager().layoutByName(LAYOUT_NAME)
    if layout is None:
        raise RuntimeError(f"Het project heeft geen printlay-out {LAYOUT_NAME!r}.")
    atlas = layout.atlas()
    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = 200
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = False
    # Text as text, not outlines: it can be selected, searched and read by a screen reader.
    settings.textRenderFormat = Qgis.TextRenderFormat.AlwaysText if hasattr(Qgis, "TextRenderFormat") \
        else QgsRenderContext.TextFormatAlwaysText
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    result, error = QgsLayoutExporter.exportToPdf(atlas, path, settings)
    if result != QgsLayoutExporter.Success:
        raise RuntimeError(f"De atlas kon niet naar {path} worden geschreven: {error or result}")
    return atlas.count()
