"""Engine outputs into QGIS: styled layers, in a group of the layer tree, in a fixed order.

Processing loads an algorithm's output layers itself when it finishes (on the main thread); a
:class:`LayerStyler` attached to an output applies the shipped QML style, an optional filter, and moves the
layer into its group at its place. :func:`output_layers` lists what ``energieplanologie demo``/``run`` write
into ``energieplanologie.gpkg``, as QGIS layers with names, groups and order; :func:`add_to_project` adds such
layers to a project directly (the dock uses it when it opens an output folder).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qgis.core import (
    Qgis,
    QgsDateTimeRange,
    QgsLayerTreeGroup,
    QgsLayerTreeLayer,
    QgsMapLayer,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingLayerPostProcessorInterface,
    QgsProject,
    QgsRasterLayer,
    QgsSettings,
    QgsVectorLayer,
    QgsVectorLayerTemporalProperties,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QObject, QTime, pyqtSignal

from .styles import apply_style

__all__ = [
    "FOLDERS",
    "GPKG_NAME",
    "LAST_FOLDER_KEY",
    "ORDER_PROPERTY",
    "LayerStyler",
    "OutputLayer",
    "add_to_project",
    "output_layers",
    "place_in_group",
    "remember_output_folder",
    "set_year_temporal",
    "style_layer",
    "year_title",
]

#: The GeoPackage of a full run (``energieplanologie demo`` / ``run``).
GPKG_NAME = "energieplanologie.gpkg"
#: Custom property on a layer-tree node holding its place in its group.
ORDER_PROPERTY = "energieplanologie/order"
#: QgsSettings key: the last output folder with municipality overviews (the dock shows it).
LAST_FOLDER_KEY = "energieplanologie/last_output_folder"


class _Folders(QObject):
    """Tells the dock that an algorithm wrote a new output folder (from any thread: the signal is queued to the
    dock's thread)."""

    written = pyqtSignal(str)


#: The one notifier of new output folders.
FOLDERS = _Folders()


def remember_output_folder(folder: str) -> None:
    """Store ``folder`` as the latest output folder (setting :data:`LAST_FOLDER_KEY`) and tell an open dock.

    Examples
    --------
    >>> remember_output_folder("/tmp/uitvoer")  # doctest: +SKIP
    """
    QgsSettings().setValue(LAST_FOLDER_KEY, folder)
    FOLDERS.written.emit(folder)

#: Output layers of ``energieplanologie.gpkg`` with their place: (layer, group, Dutch title, geometry types).
#: Geometry types ``None``: one layer; else one QGIS layer per type (GeoPackage layers with mixed geometries).
_GPKG_LAYERS: tuple[tuple[str, str, str, tuple[str, ...] | None], ...] = (
    ("knooppunten", "Analyse", "Knooppunten", None),
    ("stationsbalans", "Analyse", "Stationsbalans", None),
    ("flexbehoefte", "Analyse", "Flexbehoefte", None),
    ("hexagonen_gistar", "Analyse", "Gi*-hexagonen", None),
    ("stations", "Invoer", "Stations", None),
    ("infrastructuur", "Invoer", "Infrastructuur", ("Point", "LineString", "Polygon")),
    ("ontwikkelingen", "Invoer", "Ontwikkelingen", ("Point", "LineString", "Polygon")),
    ("beperkingen", "Invoer", "Beperkingen", None),
    ("gemeenten", "Invoer", "Gemeenten", None),
    ("stationscapaciteit", "Tabellen", "Stationscapaciteit", None),
    ("knooppunt_leden", "Tabellen", "Knooppuntleden", None),
    ("afweging", "Tabellen", "Afweging (A–H)", None),
)
#: Place of the sub-groups in the top group (the density raster goes between "Invoer" and "Tabellen").
_GROUP_ORDER = {"Analyse": 10, "Invoer": 20, "Tabellen": 30}
_GEOMETRY_TITLE = {"Point": "punten", "LineString": "lijnen", "Polygon": "vlakken"}
#: Layers shown unchecked when loaded (drawn under others, or mostly of interest as a table).
_HIDDEN = {"hexagonen_gistar", "stations"}


@dataclass(frozen=True)
class OutputLayer:
    """One layer to load: its source (with any filter in it), title, style, group path and places.

    ``group_order`` gives, per level of ``group``, the group's place among its siblings; ``order`` the layer's place
    in its group.
    """

    uri: str
    title: str
    style: str | None
    group: tuple[str, ...] = ()
    group_order: tuple[int, ...] = ()
    order: int = 0
    visible: bool = True
    provider: str = "ogr"
    kind: str = "vector"  # or "raster"

    def make(self) -> QgsMapLayer:
        """The QGIS layer (not yet in a project)."""
        if self.kind == "raster":
            return QgsRasterLayer(self.uri, self.title, "gdal")
        layer = QgsVectorLayer(self.uri, self.title, self.provider)
        return layer


def _gpkg_geometry_types(path: str, layer: str) -> list[str]:
    """The geometry types present in one GeoPackage layer, as QGIS's sub-layers report them."""
    probe = QgsVectorLayer(f"{path}|layername={layer}", layer, "ogr")
    if not probe.isValid():
        return []
    types = []
    for sub in probe.dataProvider().subLayers():
        parts = sub.split(probe.dataProvider().sublayerSeparator())
        if len(parts) > 3 and parts[1] == layer and int(parts[2] or 0) > 0:
            types.append(parts[3])
    return types


def output_layers(folder: str, *, group: str, final_year: int | None = None,
                  scenario: str | None = None) -> list[OutputLayer]:
    """The layers of a full output folder (``energieplanologie.gpkg`` and the density raster), ready to load.

    Parameters
    ----------
    folder : str
        Output folder of ``energieplanologie demo`` / ``run``.
    group : str
        Title of the top group, e.g. ``"Voorbeeldregio Zeeuws-Vlaanderen"``.
    final_year, scenario : optional
        Show the knooppunten, their members and the station balance of this year (and scenario) only, and say so
        in the layer names; all rows stay in the file (change the filter in QGIS to see another year).

    Examples
    --------
    >>> [layer.title for layer in output_layers("uitvoer", group="Regio")][:2]  # doctest: +SKIP
    ['Knooppunten 2040 — verwacht', 'Stationsbalans 2040 — verwacht']
    """
    gpkg = os.path.join(folder, GPKG_NAME)
    out: list[OutputLayer] = []
    order = 0
    for name, sub, title, geometry_types in _GPKG_LAYERS:
        present = _gpkg_geometry_types(gpkg, name)
        if not present:
            continue
        subset = ""
        label = title
        if name in ("knooppunten", "stationsbalans", "knooppunt_leden") and final_year is not None:
            subset, label = f'"jaar" = {int(final_year)}', year_title(title, final_year, scenario)
            if name == "stationsbalans" and scenario:
                subset += " AND \"scenario\" = '{}'".format(scenario.replace("'", "''"))
        elif name == "flexbehoefte" and scenario:
            # Every shortage window of the scenario (each has its own years: van_jaar–tot_jaar).
            subset, label = "\"scenario\" = '{}'".format(scenario.replace("'", "''")), year_title(title, None, scenario)
        # The filter goes into the URI: QGIS 3.22 loses the GeoPackage connection when a second layer of one file
        # gets a filter through setSubsetString (SQLite "unable to open database file" in WAL mode).
        suffix = f"|subset={subset}" if subset else ""
        groups = (group, sub)
        places = (0, _GROUP_ORDER[sub])
        if geometry_types is None or len(present) == 1 and present[0] in ("None", "Unknown"):
            out.append(OutputLayer(f"{gpkg}|layername={name}{suffix}", label, name, groups, places, order,
                                   name not in _HIDDEN))
            order += 1
            continue
        for geometry in geometry_types:
            if geometry not in present and f"Multi{geometry}" not in present:
                continue
            out.append(OutputLayer(f"{gpkg}|layername={name}|geometrytype={geometry}{suffix}",
                                   f"{label} ({_GEOMETRY_TITLE[geometry]})", name, groups, places, order,
                                   name not in _HIDDEN))
            order += 1
    raster = os.path.join(folder, "dichtheid_mw_per_km2.tif")
    if os.path.exists(raster):
        sidecar = os.path.join(folder, "dichtheid_mw_per_km2.qml")
        # Under the vector groups, so it never covers the inputs.
        out.append(OutputLayer(raster, "Dichtheid (MW/km²)", sidecar if os.path.exists(sidecar) else
                               "dichtheid_mw_per_km2", (group,), (0,), _GROUP_ORDER["Invoer"] + 5,
                               kind="raster"))
    return out


def _insert_index(parent: QgsLayerTreeGroup, order: int, skip: object = None) -> int:
    """Where a node of place ``order`` goes among ``parent``'s children: after the nodes with a lower place, before
    everything else (new groups land on top of what the user already had, as QGIS adds new layers)."""
    index = 0
    for i, child in enumerate(parent.children()):
        if child is skip:
            continue
        child_order = child.customProperty(ORDER_PROPERTY)
        if child_order is not None and int(child_order) < order:
            index = i + 1
    return index


def _group(root: QgsLayerTreeGroup, path: Sequence[str], orders: Sequence[int]) -> QgsLayerTreeGroup:
    node = root
    for name, order in zip(path, list(orders) + [0] * (len(path) - len(orders)), strict=True):
        child = next((c for c in node.children() if isinstance(c, QgsLayerTreeGroup) and c.name() == name), None)
        if child is None:
            child = QgsLayerTreeGroup(name)
            child.setCustomProperty(ORDER_PROPERTY, int(order))
            node.insertChildNode(_insert_index(node, order), child)
            child = next(c for c in node.children() if isinstance(c, QgsLayerTreeGroup) and c.name() == name)
        node = child
    return node


def place_in_group(project: QgsProject, layer: QgsMapLayer, group: Sequence[str], order: int,
                   *, group_order: Sequence[int] = (), visible: bool = True) -> QgsLayerTreeLayer:
    """Put ``layer`` (already in ``project``) into the group ``group`` (created when missing) at place ``order``.

    Layers and groups are kept sorted by their places (``group_order`` per group level, ``order`` for the layer)
    whatever order they arrive in: Processing loads the outputs of an algorithm in an order of its own.
    """
    root = project.layerTreeRoot()
    target = _group(root, group, group_order) if group else root
    node = root.findLayer(layer.id())
    clone = QgsLayerTreeLayer(layer)
    clone.setCustomProperty(ORDER_PROPERTY, int(order))
    clone.setItemVisibilityChecked(visible)
    target.insertChildNode(_insert_index(target, order, skip=node), clone)
    if node is not None and node.parent() is not None:
        node.parent().removeChildNode(node)
    return target.findLayer(layer.id())


def year_title(title: str, year: int | None = None, scenario: str | None = None, years: Sequence[int] = ()) -> str:
    """The name of an output layer that says which year and scenario it shows.

    Examples
    --------
    >>> year_title("Stationsbalans", 2040, "verwacht"), year_title("Knooppunten", 2030)
    ('Stationsbalans 2040 — verwacht', 'Knooppunten 2030')
    >>> year_title("Stationsbalans", scenario="verwacht", years=[2025, 2030, 2040])
    'Stationsbalans 2025–2040 — verwacht'
    """
    text = title
    if year is not None:
        text += f" {int(year)}"
    elif years:
        text += f" {min(years)}–{max(years)}" if len(set(years)) > 1 else f" {int(years[0])}"
    return f"{text} — {scenario}" if scenario else text


def _year_start(year: int) -> QDateTime:
    return QDateTime(QDate(int(year), 1, 1), QTime(0, 0, 0))


def set_year_temporal(layer: QgsVectorLayer, years: Sequence[int], field: str = "jaar",
                      project: QgsProject | None = None) -> None:
    """Make ``layer`` temporal on its year column, so QGIS's temporal controller steps through the years.

    A feature of year *y* is shown from 1 January *y* until 1 January of the next analysis year (one year after
    the last), so every frame of a yearly animation shows the most recent analysis year. The project's temporal
    range is set to the analysis years when it has none yet, with a step of one year.

    Examples
    --------
    >>> set_year_temporal(layer, [2025, 2030, 2035, 2040])  # doctest: +SKIP
    >>> layer.temporalProperties().startExpression()  # doctest: +SKIP
    'make_date("jaar", 1, 1)'
    """
    steps = sorted({int(y) for y in years})
    quoted = '"' + field.replace('"', '""') + '"'
    end = " ".join(f"WHEN {quoted} = {y} THEN make_date({nxt}, 1, 1)" for y, nxt in zip(steps[:-1], steps[1:], strict=True))
    end_expression = (f"CASE {end} ELSE make_date({quoted} + 1, 1, 1) END" if end
                      else f"make_date({quoted} + 1, 1, 1)")
    props = layer.temporalProperties()
    props.setMode(QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromExpressions)
    props.setStartExpression(f"make_date({quoted}, 1, 1)")
    props.setEndExpression(end_expression)
    limit = getattr(Qgis, "VectorTemporalLimitMode", None)
    if limit is not None:
        props.setLimitMode(limit.IncludeBeginExcludeEnd)
    props.setIsActive(True)
    if project is not None and steps:
        settings = project.timeSettings()
        current = settings.temporalRange()
        if not current.begin().isValid() or not current.end().isValid():
            settings.setTemporalRange(QgsDateTimeRange(_year_start(steps[0]), _year_start(steps[-1] + 1)))
            settings.setTimeStep(1.0)
            settings.setTimeStepUnit(Qgis.TemporalUnit.Years)


class LayerStyler(QgsProcessingLayerPostProcessorInterface):
    """Applies a shipped style (and optionally puts the layer into a group) when Processing loads an output layer.

    Create instances with :meth:`create`: Processing keeps only a C++ pointer to a post-processor, so the Python
    object must stay referenced until the layer is loaded.

    Examples
    --------
    >>> if context.willLoadLayerOnCompletion(dest_id):  # doctest: +SKIP
    ...     context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(LayerStyler.create("stationsbalans"))
    """

    _alive: list[LayerStyler] = []

    def __init__(self, style: str | None, group: Sequence[str] = (), group_order: Sequence[int] = (),
                 order: int = 0, visible: bool = True, temporal_years: Sequence[int] = ()) -> None:
        super().__init__()
        self.style = style
        self.group = tuple(group)
        self.group_order = tuple(group_order)
        self.order = order
        self.visible = visible
        self.temporal_years = tuple(int(y) for y in temporal_years)
        self.applied: list[str] = []

    @classmethod
    def create(cls, style: str | None, group: Sequence[str] = (), group_order: Sequence[int] = (),
               order: int = 0, visible: bool = True, temporal_years: Sequence[int] = ()) -> LayerStyler:
        """A styler that stays alive (the last few hundred are kept); ``temporal_years``: make the layer temporal
        on ``jaar`` (:func:`set_year_temporal`)."""
        styler = cls(style, group, group_order, order, visible, temporal_years)
        cls._alive.append(styler)
        del cls._alive[:-500]
        return styler

    @classmethod
    def for_layer(cls, spec: OutputLayer) -> LayerStyler:
        """The styler that loads ``spec`` the way :func:`add_to_project` does."""
        return cls.create(spec.style, spec.group, spec.group_order, spec.order, spec.visible)

    def postProcessLayer(self, layer: QgsMapLayer, context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback) -> None:
        style_layer(layer, self.style)
        if self.temporal_years and isinstance(layer, QgsVectorLayer):
            set_year_temporal(layer, self.temporal_years, project=context.project() or QgsProject.instance())
        if self.group:
            place_in_group(context.project() or QgsProject.instance(), layer, self.group, self.order,
                           group_order=self.group_order, visible=self.visible)
        self.applied.append(layer.id())


def style_layer(layer: QgsMapLayer, style: str | None) -> bool:
    """Apply a style given by output layer name or as a path to a ``.qml`` file; True when styled."""
    if not style:
        return False
    if style.lower().endswith(".qml"):
        _message, ok = layer.loadNamedStyle(style)
        if ok:
            layer.triggerRepaint()
        return bool(ok)
    return apply_style(layer, style)


def add_to_project(layers: Iterable[OutputLayer], project: QgsProject | None = None) -> list[QgsMapLayer]:
    """Load ``layers`` styled into ``project`` (default the current one), each into its group at its place.

    Layers that fail to load are skipped; the loaded ones are returned in order.
    """
    project = project or QgsProject.instance()
    loaded: list[QgsMapLayer] = []
    for spec in layers:
        layer = spec.make()
        if not layer.isValid():
            continue
        style_layer(layer, spec.style)
        project.addMapLayer(layer, False)
        place_in_group(project, layer, spec.group, spec.order, group_order=spec.group_order, visible=spec.visible)
        loaded.append(layer)
    return loaded
