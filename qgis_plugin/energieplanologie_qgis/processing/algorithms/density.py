"""*Dichtheid*: kernel density of scenario-weighted MW per km² as a GeoTIFF (``energieplanologie density``)."""

from __future__ import annotations

import os
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsRasterFileWriter,
    QgsRasterLayer,
    QgsRasterPipe,
)

from ...outputs import LayerStyler
from ..region import RegionAlgorithm

__all__ = ["DensityAlgorithm"]

RASTER = "dichtheid_mw_per_km2.tif"


class DensityAlgorithm(RegionAlgorithm):
    """Dichtheid (MW/km²): a raster in EPSG:28992 with the engine's own colour scale."""

    NAME = "density"
    DISPLAY_NAME = "Dichtheid (MW/km²)"
    GROUP = "Analyse"

    COMMAND = "density"
    CELL_M = "CELL_M"
    BANDWIDTH_M = "BANDWIDTH_M"
    OUTPUT = "OUTPUT"

    def shortHelpString(self) -> str:
        return self.tr(
            "Kerndichtheid (quartic) van het naar zekerheid gewogen vermogen van de ontwikkelingen, in MW per km², "
            "als GeoTIFF in RD New (EPSG:28992). Het totaal van het raster is het totale vermogen: de kern "
            "verdeelt elk MW over de omgeving zonder iets te verliezen. De kleurschaal schaalt mee met de "
            "hoogste waarde.\n\n"
            "Leeg gelaten celgrootte en bandbreedte: de standaardwaarden van de engine. Zonder jaar: het laatste "
            "analysejaar.\n\n" + self.region_help()
        )

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.add_region_parameters()
        self.addParameter(QgsProcessingParameterNumber(
            self.CELL_M, self.tr("Celgrootte (m)"), QgsProcessingParameterNumber.Double, optional=True, minValue=1.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.BANDWIDTH_M, self.tr("Bandbreedte van de kern (m)"), QgsProcessingParameterNumber.Double,
            optional=True, minValue=1.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.YEAR, self.tr("Jaar"), QgsProcessingParameterNumber.Integer, optional=True, minValue=2000,
            maxValue=2100))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, self.tr("Dichtheid (MW/km²)")))

    def command_options(self, parameters: dict[str, Any], context: QgsProcessingContext) -> list[str]:
        args = []
        for name, option in ((self.CELL_M, "--cell-m"), (self.BANDWIDTH_M, "--bandwidth-m")):
            if parameters.get(name) not in (None, ""):
                args += [option, repr(float(self.parameterAsDouble(parameters, name, context)))]
        args += self.year_option(parameters, context)
        return args

    def read_outputs(self, out_dir: str, parameters: dict[str, Any], context: QgsProcessingContext,
                     feedback: QgsProcessingFeedback) -> dict[str, Any]:
        source = os.path.join(out_dir, RASTER)
        target = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        if os.path.splitext(target)[1].lower() in (".tif", ".tiff"):
            self.copy_file(source, target)
        else:
            _translate(source, target)
        style = None
        sidecar = os.path.splitext(source)[0] + ".qml"
        if os.path.exists(sidecar):
            # The engine's style is scaled to this raster's values: keep it beside the output too.
            style = self.copy_file(sidecar, os.path.splitext(target)[0] + ".qml")
        if context.willLoadLayerOnCompletion(target):
            details = context.layerToLoadOnCompletionDetails(target)
            details.name = self.year_title("Dichtheid (MW/km²)", parameters, context)
            details.forceName = True
            details.setPostProcessor(LayerStyler.create(style or "dichtheid_mw_per_km2"))
        return {self.OUTPUT: target}


def _translate(source: str, target: str) -> None:
    """Write the GeoTIFF in the format of ``target``'s extension (QGIS's raster writer)."""
    layer = QgsRasterLayer(source, "dichtheid", "gdal")
    if not layer.isValid():
        raise QgsProcessingException(f"De engine schreef geen leesbaar raster: {source}")
    writer = QgsRasterFileWriter(target)
    writer.setOutputFormat(QgsRasterFileWriter.driverForExtension(os.path.splitext(target)[1]))
    pipe = QgsRasterPipe()
    pipe.set(layer.dataProvider().clone())
    error = writer.writeRaster(pipe, layer.width(), layer.height(), layer.extent(), layer.crs())
    if error != QgsRasterFileWriter.NoError:
        raise QgsProcessingException(f"Het dichtheidsraster kon niet naar {target} worden geschreven (fout {error}).")
