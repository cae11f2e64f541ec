"""Writing QGIS layers for the engine: one GeoPackage layer per canonical kind, from one or several QGIS layers.

A user often has one kind in several QGIS layers — the developments of a province as points and as polygons (a
GeoPackage layer with mixed geometries opens in QGIS as one sub-layer per geometry type), or infrastructure as
lines and points. :func:`write_sources` writes them, in the given order, into one GeoPackage layer whose
geometry type is *any* (``GEOMETRY``), adding the columns of later layers as they appear; coordinates are
transformed to the first layer's CRS only when the layers differ. It returns a :class:`WrittenLayer` that turns a
row of the written layer back into *which QGIS layer, which object*, so the engine's validation findings can
name the user's own rows.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsFeatureRequest,
    QgsFields,
    QgsProcessingException,
    QgsVectorFileWriter,
    QgsVectorLayer,
    QgsWkbTypes,
)

from .findings import describe_rows

__all__ = ["WrittenLayer", "write_sources"]


@dataclass(frozen=True)
class WrittenLayer:
    """What :func:`write_sources` wrote: the GeoPackage layer and, per QGIS layer, its name and object count."""

    path: str
    layer: str
    parts: tuple[tuple[str, int], ...]
    crs: str = ""  # authid of the written layer's CRS ("" when none)

    @property
    def count(self) -> int:
        """Rows written."""
        return sum(n for _, n in self.parts)

    def describe(self, rows: Sequence[int]) -> str:
        """0-based rows of the written layer as Dutch text naming the QGIS layer and the objects in it.

        Examples
        --------
        >>> w = WrittenLayer("x.gpkg", "ontwikkelingen", (("punten", 21), ("vlakken", 39)))
        >>> w.describe([3]), w.describe([0, 22, 23])
        ("laag 'punten' rij 4", "laag 'punten' rij 1; laag 'vlakken' rijen 2, 3")
        >>> WrittenLayer("x.gpkg", "stations", (("stations", 16),)).describe([0, 1])
        'rijen 1, 2'
        """
        if len(self.parts) == 1:
            return describe_rows(list(rows))
        pieces = []
        start = 0
        for name, n in self.parts:
            inside = [r - start for r in rows if start <= r < start + n]
            if inside:
                pieces.append(f"laag {name!r} {describe_rows(inside)}")
            start += n
        return "; ".join(pieces) if pieces else describe_rows(list(rows))


def _effective_crs(layer: QgsVectorLayer, assign_crs: QgsCoordinateReferenceSystem | None) -> QgsCoordinateReferenceSystem:
    if layer.crs().isValid() or not layer.isSpatial():
        return layer.crs()
    return assign_crs if assign_crs is not None else QgsCoordinateReferenceSystem()


def _has_plain_fid_column(layer: QgsVectorLayer) -> bool:
    """A source attribute named ``fid`` that is not the provider's key (a CSV column, say)."""
    index = layer.fields().lookupField("fid")
    return index >= 0 and index not in layer.dataProvider().pkAttributeIndexes()


_GEOMETRY_WORDS = {QgsWkbTypes.PointGeometry: "punten", QgsWkbTypes.LineGeometry: "lijnen",
                   QgsWkbTypes.PolygonGeometry: "vlakken"}


def _distinct_names(layers: Sequence[QgsVectorLayer]) -> list[str]:
    """Layer names that tell the layers apart in messages: a repeated name gets its geometry, then a number."""
    names = [layer.name() for layer in layers]
    if len(set(names)) == len(names):
        return names
    names = [f"{layer.name()} ({_GEOMETRY_WORDS.get(layer.geometryType(), 'tabel')})" if names.count(layer.name()) > 1
             else layer.name() for layer in layers]
    if len(set(names)) == len(names):
        return names
    return [f"{name} #{i}" if names.count(name) > 1 else name for i, name in enumerate(names, start=1)]


def _count(layer: QgsVectorLayer) -> int:
    n = int(layer.featureCount())
    if n >= 0:
        return n
    request = QgsFeatureRequest().setNoAttributes().setFlags(QgsFeatureRequest.NoGeometry)
    return sum(1 for _ in layer.getFeatures(request))


def write_sources(
    layers: Sequence[QgsVectorLayer],
    path: str,
    layer_name: str,
    *,
    transform_context: QgsCoordinateTransformContext | None = None,
    assign_crs: QgsCoordinateReferenceSystem | None = None,
) -> WrittenLayer:
    """Write every feature of ``layers`` (in order, unchanged) into GeoPackage layer ``layer_name`` of ``path``.

    Parameters
    ----------
    layers : sequence of QgsVectorLayer
        One or more layers of one kind; tables (no geometry) and spatial layers are not mixed.
    path : str
        GeoPackage; created when missing, other layers in it are kept.
    layer_name : str
        Name of the layer written.
    transform_context : QgsCoordinateTransformContext, optional
        The project's transform context (datum transformations).
    assign_crs : QgsCoordinateReferenceSystem, optional
        The CRS the user stated for layers that have none (coordinates untouched).

    Returns
    -------
    WrittenLayer

    Raises
    ------
    QgsProcessingException
        With a Dutch message: invalid layer, tables mixed with spatial layers, a layer without CRS among layers
        with one, or the writer's own error.

    Examples
    --------
    >>> write_sources([punten, vlakken], "/tmp/invoer.gpkg", "ontwikkelingen").parts  # doctest: +SKIP
    (('ontwikkelingen Point', 21), ('ontwikkelingen Polygon', 39))
    """
    if not layers:
        raise QgsProcessingException(f"Geen lagen voor {layer_name!r}.")
    for layer in layers:
        if layer is None or not layer.isValid():
            raise QgsProcessingException(f"Laag voor {layer_name!r} is ongeldig of niet gevonden.")
    spatial = {layer.isSpatial() for layer in layers}
    if len(spatial) > 1:
        names = ", ".join(repr(layer.name()) for layer in layers)
        raise QgsProcessingException(
            f"{layer_name}: tabellen (zonder geometrie) en kaartlagen kunnen niet samen één laag vormen ({names}).")
    is_spatial = spatial.pop()
    context = transform_context or QgsCoordinateTransformContext()
    target = _effective_crs(layers[0], assign_crs)
    for layer in layers[1:]:
        if is_spatial and target.isValid() != _effective_crs(layer, assign_crs).isValid():
            raise QgsProcessingException(
                f"{layer_name}: laag {layer.name()!r} en laag {layers[0].name()!r} hebben niet allebei een "
                "coördinatenstelsel; geef het coördinatenstelsel op voor lagen zonder.")

    if os.path.exists(path):
        action = QgsVectorFileWriter.CreateOrOverwriteLayer
    else:
        action = QgsVectorFileWriter.CreateOrOverwriteFile
    layer_options = ["SPATIAL_INDEX=NO"]  # read once by the engine: an index only costs time (100 000 points 7.5 s → 2.5 s)
    if any(_has_plain_fid_column(layer) for layer in layers):
        # A GeoPackage needs an integer, unique FID column: a source column "fid" that is not one stays an ordinary
        # column under its own name and the FID gets another name.
        layer_options.append("FID=ep_fid")

    # An empty layer of geometry type "any" first, then every source appended with its columns: points, lines and
    # polygons of one kind live in one layer, as the engine expects.
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = layer_name
    options.fileEncoding = "UTF-8"
    options.layerOptions = layer_options
    options.actionOnExistingFile = action
    geometry_type = QgsWkbTypes.Unknown if is_spatial else QgsWkbTypes.NoGeometry
    writer = QgsVectorFileWriter.create(path, QgsFields(), geometry_type, target if is_spatial else
                                        QgsCoordinateReferenceSystem(), context, options)
    if writer.hasError():
        raise QgsProcessingException(
            f"{layer_name}: tijdelijke GeoPackage {path} kon niet worden gemaakt: {writer.errorMessage()}")
    del writer  # closes the file

    parts = []
    names = _distinct_names(layers)
    for layer, name in zip(layers, names, strict=True):
        append = QgsVectorFileWriter.SaveVectorOptions()
        append.driverName = "GPKG"
        append.layerName = layer_name
        append.fileEncoding = "UTF-8"
        append.actionOnExistingFile = QgsVectorFileWriter.AppendToLayerAddFields
        # A provider's own key column "fid" (a GeoPackage's) is the written layer's FID, not an attribute.
        key = layer.fields().lookupField("fid")
        if key >= 0 and key in layer.dataProvider().pkAttributeIndexes():
            append.attributes = [i for i in range(layer.fields().count()) if i != key]
        source_crs = _effective_crs(layer, assign_crs)
        if is_spatial and target.isValid():
            # Identity for a layer without CRS (the stated one is recorded), a real transform only when the CRS differ.
            append.ct = QgsCoordinateTransform(source_crs, target, context)
        error, message, _new_path, _new_layer = QgsVectorFileWriter.writeAsVectorFormatV3(layer, path, context, append)
        if error != QgsVectorFileWriter.NoError:
            raise QgsProcessingException(
                f"De laag {layer.name()!r} kon niet naar een tijdelijke GeoPackage ({path}) worden geschreven: {message}")
        parts.append((name, _count(layer)))
    return WrittenLayer(path, layer_name, tuple(parts), target.authid() if is_spatial and target.isValid() else "")
