"""The QML styles the plugin ships, one per output layer name (``resources/styles/<naam>.qml``)."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsMapLayer

__all__ = ["STYLE_DIR", "apply_style", "style_path", "styles"]

STYLE_DIR = Path(__file__).resolve().parent / "resources" / "styles"


def styles() -> list[str]:
    """Names of all shipped styles (the output layer names they belong to), sorted."""
    return sorted(p.stem for p in STYLE_DIR.glob("*.qml"))


def style_path(name: str) -> Path | None:
    """The QML for output layer ``name`` (e.g. ``"stations"``), or None when none is shipped."""
    path = STYLE_DIR / f"{name}.qml"
    return path if path.is_file() else None


def apply_style(layer: QgsMapLayer, name: str | None = None) -> bool:
    """Apply the shipped style for ``name`` (default: the layer's name); True when a style was applied.

    Examples
    --------
    >>> layer = QgsVectorLayer("uitvoer/energieplanologie.gpkg|layername=stations", "stations", "ogr")  # doctest: +SKIP
    >>> apply_style(layer)  # doctest: +SKIP
    True
    """
    path = style_path(name or layer.name())
    if path is None:
        return False
    _message, ok = layer.loadNamedStyle(str(path))
    if ok:
        layer.triggerRepaint()
    return bool(ok)
