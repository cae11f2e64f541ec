"""The Processing provider *Energieplanologie* (id ``energieplanologie``)."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..engine import Engine
from .algorithms import ALGORITHMS

__all__ = ["PROVIDER_ID", "EnergieplanologieProvider"]

PROVIDER_ID = "energieplanologie"
ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "icon.svg"


class EnergieplanologieProvider(QgsProcessingProvider):
    """Registers one algorithm per analysis; every algorithm runs in the given engine.

    Parameters
    ----------
    engine : Engine
        A checked engine (see :func:`energieplanologie_qgis.engine.find_engine`). The plugin registers the
        provider only when it has one, so no algorithm can appear that cannot run.

    Examples
    --------
    >>> provider = EnergieplanologieProvider(engine)  # doctest: +SKIP
    >>> QgsApplication.processingRegistry().addProvider(provider)  # doctest: +SKIP
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return "Energieplanologie"

    def longName(self) -> str:
        return f"Energieplanologie (engine {self.engine.version})"

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def svgIconPath(self) -> str:
        return str(ICON)

    def loadAlgorithms(self) -> None:
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
