"""The QML styles the plugin applies to output layers, found by name (``<name>.qml``).

Styles live in ``resources/styles/`` of the plugin. Styles that the core library ships for its own outputs
(``energieplanologie/styles/*.qml``) are copied there when the plugin zip is built
(``scripts/build_plugin_zip.py``); in a source checkout they are read from the core folder directly.
Every style refers to columns with ``attribute('…')`` so that it works on both the Dutch export headers and the
canonical English names.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsMapLayer

__all__ = ["STYLE_DIRS", "apply_style", "style_path", "styles"]

_PLUGIN_DIR = Path(__file__).resolve().parent
#: Where styles are looked for, first hit wins: the plugin's own, then the core's in a source checkout.
STYLE_DIRS: tuple[Path, ...] = (
    _PLUGIN_DIR / "resources" / "styles",
    _PLUGIN_DIR.parent.parent / "energieplanologie" / "styles",
)


def styles() -> list[str]:
    """Names of all available styles, sorted."""
    return sorted({p.stem for d in STYLE_DIRS if d.is_dir() for p in d.glob("*.qml")})


def style_path(name: str) -> Path | None:
    """The QML for output layer ``name`` (e.g. ``"stations"``), or None when there is none."""
    for folder in STYLE_DIRS:
        path = folder / f"{name}.qml"
        if path.is_file():
            return path
    return None


def apply_style(layer: QgsMapLayer, name: str | None = None) -> bool:
    """Apply the style for ``name`` (default: the layer's name); True when a style was applied.

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
