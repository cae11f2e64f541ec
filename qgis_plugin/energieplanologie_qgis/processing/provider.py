"""The Processing provider *Energieplanologie* (id ``energieplanologie``)."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..engine import Engine
from .algorithms import ALGORITHMS
from .algorithms.engine_install import EngineInstallAlgorithm

__all__ = ["PROVIDER_ID", "EnergieplanologieProvider"]

PROVIDER_ID = "energieplanologie"
ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "icon.svg"


class EnergieplanologieProvider(QgsProcessingProvider):
    """Registers one algorithm per analysis, plus *Engine installeren*; the analyses run in the engine.

    The provider is registered with or without an engine: without one every analysis is still listed and fails at
    once, naming the engine and the fix (*Engine installeren*), and the engine is searched again at each run.

    Parameters
    ----------
    engine : Engine, optional
        A checked engine (see :func:`energieplanologie_qgis.engine.find_engine`), or None.

    Examples
    --------
    >>> provider = EnergieplanologieProvider(engine)  # doctest: +SKIP
    >>> QgsApplication.processingRegistry().addProvider(provider)  # doctest: +SKIP
    """

    def __init__(self, engine: Engine | None = None) -> None:
        super().__init__()
        self.engine = engine

    def set_engine(self, engine: Engine | None) -> None:
        """Use ``engine`` from now on (after *Engine installeren* or a new choice in the settings)."""
        self.engine = engine

    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return "Energieplanologie"

    def longName(self) -> str:
        if self.engine is None:
            return "Energieplanologie (geen engine: Engine installeren)"
        return f"Energieplanologie (engine {self.engine.version})"

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def svgIconPath(self) -> str:
        return str(ICON)

    def loadAlgorithms(self) -> None:
        for algorithm in (*ALGORITHMS, EngineInstallAlgorithm):
            self.addAlgorithm(algorithm())
