"""A small base class for algorithms that run in the engine: layers out, engine call, JSON back. No analysis.

Subclasses implement two steps:

* :meth:`EngineAlgorithm.engine_arguments` runs in ``prepareAlgorithm`` — on the main thread, where QGIS layers
  may be read — and writes the inputs (``write_layer``) and returns the CLI arguments;
* :meth:`EngineAlgorithm.handle_result` runs in ``processAlgorithm`` after the engine finished, turns its JSON
  into feedback and outputs.

The engine itself runs in ``processAlgorithm`` (a background task in the QGIS desktop), with its progress lines
driving the progress bar and cancel stopping the process. The call goes to the session's warm engine
(:mod:`energieplanologie_qgis.engine_warm`), or cold to a fresh engine process when that is switched off or not
possible.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsCoordinateTransformContext,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingUtils,
    QgsVectorFileWriter,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ..engine import (
    Engine,
    EngineCanceled,
    EngineError,
    EngineFailed,
    EngineResult,
    find_engine,
    shell_command,
)
from ..engine_warm import run_engine_warm

__all__ = ["EngineAlgorithm", "scratch_geopackages", "write_layer"]

ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "icon.svg"


@contextmanager
def scratch_geopackages() -> Iterator[None]:
    """Write the engine's input GeoPackages without waiting for the disk (SQLite ``synchronous=OFF``).

    They are scratch files in the algorithm's temporary folder, read once by the engine and removed: losing them
    in a power cut loses nothing. Without the wait, writing the sample's eight input layers takes 0.2 s instead of
    1.7 s. The GDAL option is set for this thread only (``SetThreadLocalConfigOption``) and restored afterwards, so
    QGIS's writes of the user's own GeoPackages elsewhere keep their durability.
    """
    try:
        from osgeo import gdal
    except ImportError:  # pragma: no cover - QGIS always ships GDAL's Python bindings
        yield
        return
    key = "OGR_SQLITE_SYNCHRONOUS"
    before = gdal.GetThreadLocalConfigOption(key, None)
    gdal.SetThreadLocalConfigOption(key, "OFF")
    try:
        yield
    finally:
        gdal.SetThreadLocalConfigOption(key, before)


def write_layer(layer: QgsVectorLayer, path: str, *, layer_name: str = "invoer",
                transform_context: QgsCoordinateTransformContext | None = None,
                assign_crs: QgsCoordinateReferenceSystem | None = None) -> tuple[str, str]:
    """Write every feature of ``layer`` unchanged (same CRS, same order, invalid geometries kept) to a GeoPackage.

    ``assign_crs`` is written as the CRS of a layer that has none (coordinates untouched); without it such a
    layer is written without CRS. Returns ``(path, layer_name)`` as written. Raises
    :class:`QgsProcessingException` with the writer's message when QGIS cannot write the layer.

    Examples
    --------
    >>> write_layer(iface.activeLayer(), "/tmp/invoer.gpkg")  # doctest: +SKIP
    ('/tmp/invoer.gpkg', 'invoer')
    """
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = layer_name
    options.fileEncoding = "UTF-8"
    # The engine reads the whole layer once: a spatial index only costs time (100 000 points: 7.5 s → 2.5 s).
    layer_options = ["SPATIAL_INDEX=NO"]
    # A GeoPackage needs an integer, unique FID column. A source attribute named "fid" that is not one (a CSV
    # column, say) is kept as an ordinary column under its own name and the FID gets another name.
    fid_field = layer.fields().lookupField("fid")
    if fid_field >= 0 and fid_field not in layer.dataProvider().pkAttributeIndexes():
        layer_options.append("FID=ep_fid")
    options.layerOptions = layer_options
    context = transform_context or QgsCoordinateTransformContext()
    if assign_crs is not None and assign_crs.isValid() and not layer.crs().isValid() and layer.isSpatial():
        # An identity transform makes the writer record the stated CRS without moving any coordinate.
        options.ct = QgsCoordinateTransform(assign_crs, assign_crs, context)
    error, message, new_path, new_layer = QgsVectorFileWriter.writeAsVectorFormatV3(layer, path, context, options)
    if error != QgsVectorFileWriter.WriterError.NoError:
        raise QgsProcessingException(
            f"De laag {layer.name()!r} kon niet naar een tijdelijke GeoPackage ({path}) worden geschreven: {message}"
        )
    return new_path or path, new_layer or layer_name


class EngineAlgorithm(QgsProcessingAlgorithm):
    """Base of every Energieplanologie algorithm: parameter conversion, engine call, progress and cancel."""

    #: Exit codes of the engine command that are results rather than failures.
    OK_CODES: tuple[int, ...] = (0,)
    #: English id, Dutch display name and Dutch group of the algorithm (set by every subclass).
    NAME: str = ""
    DISPLAY_NAME: str = ""
    GROUP: str = ""

    def __init__(self) -> None:
        super().__init__()
        self._workdir: str | None = None
        self._arguments: list[str] | None = None
        self._engine: Engine | None = None

    # -- to implement -------------------------------------------------------------------------------------
    def engine_arguments(self, parameters: dict[str, Any], context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback, workdir: str) -> list[str]:
        """Write the inputs into ``workdir`` and return the engine CLI arguments (main thread)."""
        raise NotImplementedError

    def handle_result(self, result: EngineResult, parameters: dict[str, Any], context: QgsProcessingContext,
                      feedback: QgsProcessingFeedback) -> dict[str, Any]:
        """Turn the engine's output into feedback and the algorithm's outputs."""
        raise NotImplementedError

    # -- QGIS API -----------------------------------------------------------------------------------------
    def createInstance(self) -> EngineAlgorithm:
        return type(self)()

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:
        return self.tr(self.DISPLAY_NAME)

    def group(self) -> str:
        return self.tr(self.GROUP)

    def groupId(self) -> str:
        return self.GROUP.lower()

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def tr(self, text: str) -> str:
        return QCoreApplication.translate("Energieplanologie", text)

    def engine(self) -> Engine:
        """The provider's engine; without one it is searched afresh (and kept by the provider when found).

        Raises :class:`QgsProcessingException` with the Dutch reason per place searched and the fix (*Engine
        installeren*) when there is none.
        """
        provider = self.provider()
        engine = getattr(provider, "engine", None) if provider is not None else None
        if engine is None:
            try:
                engine = find_engine()
            except EngineError as exc:
                raise QgsProcessingException(str(exc)) from None
            if provider is not None and hasattr(provider, "set_engine"):
                provider.set_engine(engine)
        return engine

    def checkParameterValues(self, parameters: dict[str, Any], context: QgsProcessingContext) -> tuple[bool, str]:
        """Fail before anything runs when there is no engine (the Processing dialog and ``qgis_process`` show the
        reason and the fix), then QGIS's own checks of the parameters."""
        try:
            self.engine()
        except QgsProcessingException as exc:
            return False, str(exc)
        return super().checkParameterValues(parameters, context)

    def prepareAlgorithm(self, parameters: dict[str, Any], context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback) -> bool:
        """Write the inputs and build the engine's command line (main thread).

        A problem with the inputs is reported as a fatal error and the algorithm stops (``False``) rather than
        raising: a Python exception that crosses into QGIS here stays alive with the frames it passed — the
        user's layers in them — and a file-backed layer kept that way crashes QGIS at exit.
        """
        message = ""
        try:
            self._engine = self.engine()
            self._workdir = tempfile.mkdtemp(prefix="energieplanologie_", dir=QgsProcessingUtils.tempFolder())
            with scratch_geopackages():
                self._arguments = [str(a) for a in self.engine_arguments(parameters, context, feedback,
                                                                         self._workdir)]
        except QgsProcessingException as exc:
            message = str(exc)
        except BaseException:
            self._cleanup()
            raise
        if message:
            self._cleanup()
            feedback.reportError(message, True)
            return False
        return True

    def processAlgorithm(self, parameters: dict[str, Any], context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback) -> dict[str, Any]:
        """Run the engine (:meth:`run_engine_call`); a failure is raised as one ``QgsProcessingException``.

        The exception is raised from this frame after it dropped its references to the parameters, so the
        frames of the exception QGIS converts hold none of the user's layers. (QGIS 3.22 still keeps the call's
        arguments of a failed algorithm alive: a file-backed layer that Python owns, rather than a project, then
        crashes QGIS at exit — the tests hand their layers to a project for that reason.)
        """
        message = ""
        try:
            return self.run_engine_call(parameters, context, feedback)
        except QgsProcessingException as exc:
            message = str(exc)
        del parameters, context, feedback
        raise QgsProcessingException(message)

    def run_engine_call(self, parameters: dict[str, Any], context: QgsProcessingContext,
                        feedback: QgsProcessingFeedback) -> dict[str, Any]:
        """The engine call with progress and cancel, then :meth:`handle_result` (any thread)."""
        if self._engine is None or self._arguments is None:  # prepareAlgorithm was not run
            if not self.prepareAlgorithm(parameters, context, feedback):
                raise QgsProcessingException("De invoer kon niet worden voorbereid; zie de melding hierboven.")
        assert self._engine is not None and self._arguments is not None
        feedback.pushCommandInfo(shell_command(self._engine.argv(*self._arguments)))
        try:
            try:
                result = run_engine_warm(self._engine, self._arguments, feedback, ok_codes=self.OK_CODES,
                                    progress_range=(5.0, 90.0))
            except EngineCanceled as exc:
                feedback.pushInfo(str(exc))
                return {}
            except EngineFailed as exc:
                raise QgsProcessingException(self.report_failure(exc, feedback) or str(exc)) from None
            except EngineError as exc:
                raise QgsProcessingException(str(exc)) from None
            # The outputs are read from the working folder before it is removed.
            outputs = self.handle_result(result, parameters, context, feedback)
        finally:
            self._cleanup()
        feedback.setProgress(100.0)
        return outputs

    def report_failure(self, error: EngineFailed, feedback: QgsProcessingFeedback) -> str | None:
        """Hook: the one message the algorithm fails with after a failed engine call, in the words of the dialog
        (default None: the engine's own message)."""
        return None

    # -- helpers for subclasses ---------------------------------------------------------------------------
    def write_layer(self, layer: QgsVectorLayer | None, parameters: dict[str, Any], name: str,
                    context: QgsProcessingContext, workdir: str, feedback: QgsProcessingFeedback,
                    assign_crs: QgsCoordinateReferenceSystem | None = None) -> tuple[str, str]:
        """Write the layer of parameter ``name`` to ``workdir/<name>.gpkg``; returns ``(path, layer_name)``.

        ``assign_crs``: the CRS the user stated for a layer without one (see :func:`write_layer`).
        """
        if layer is None or not layer.isValid():
            raise QgsProcessingException(self.invalidSourceError(parameters, name))
        path = os.path.join(workdir, f"{name.lower()}.gpkg")
        written = write_layer(layer, path, layer_name=name.lower(), transform_context=context.transformContext(),
                              assign_crs=assign_crs)
        feedback.pushInfo(f"Laag {layer.name()!r} ({layer.featureCount()} objecten) weggeschreven naar {written[0]}")
        if assign_crs is not None and assign_crs.isValid() and not layer.crs().isValid() and layer.isSpatial():
            feedback.pushInfo(f"De laag heeft geen coördinatenstelsel; {assign_crs.authid()} toegekend zoals opgegeven.")
        return written

    @staticmethod
    def parse_json(result: EngineResult) -> Any:
        """The engine's JSON; a readable :class:`QgsProcessingException` when it is not JSON."""
        try:
            return result.json()
        except EngineError as exc:
            detail = f" Melding van de engine: {' '.join(result.messages)[:500]}" if result.messages else ""
            raise QgsProcessingException(f"{exc}{detail}") from None

    @staticmethod
    def write_json(data: Any, path: str) -> None:
        """Write ``data`` as UTF-8 JSON (no-op for an empty path)."""
        if not path:
            return
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")

    def _cleanup(self) -> None:
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
