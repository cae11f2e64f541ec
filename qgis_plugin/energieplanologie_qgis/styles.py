"""The QML styles the plugin applies to output layers, found by output layer name.

One naming scheme: a style is looked up by the Dutch name of the output layer (DESIGN §9: ``gemeenten``,
``stations``, ``stationsbalans``, ``infrastructuur``, ``ontwikkelingen``, ``knooppunten``, ``hexagonen_gistar``,
``beperkingen``, ``dichtheid_mw_per_km2``). Layers that hold several geometry types are loaded in QGIS as one
layer per type; their styles carry the type as suffix (``ontwikkelingen_punten``, ``ontwikkelingen_vlakken``,
``infrastructuur_lijnen`` …) and the lookup tries ``<name>_<type>`` before ``<name>``.

Styles live in ``resources/styles/`` of the plugin. The core library ships styles for its own outputs under its
own file names (``energieplanologie/styles/stations_balance.qml``, ``hotspots.qml``, ``density.qml``);
:data:`CORE_STYLE_FILES` maps the output layer names onto them. They are copied into ``resources/styles/`` when
the plugin zip is built (``scripts/build_plugin_zip.py``); in a source checkout they are read from the core
folder directly. Every style refers to columns with ``attribute('…')`` so that it works on both the Dutch export
headers and the canonical English names.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsMapLayer, QgsWkbTypes

__all__ = ["CORE_STYLE_FILES", "GEOMETRY_SUFFIX", "STYLE_DIRS", "apply_style", "style_name", "style_path", "styles"]

_PLUGIN_DIR = Path(__file__).resolve().parent
#: Where styles are looked for, first hit wins: the plugin's own, then the core's in a source checkout.
STYLE_DIRS: tuple[Path, ...] = (
    _PLUGIN_DIR / "resources" / "styles",
    _PLUGIN_DIR.parent.parent / "energieplanologie" / "styles",
)
#: Output layer name → file name of the style the core ships for it.
CORE_STYLE_FILES: dict[str, str] = {
    "stationsbalans": "stations_balance.qml",
    "knooppunten": "hotspots.qml",
    "dichtheid_mw_per_km2": "density.qml",
}
#: Geometry type → suffix of a per-geometry style.
GEOMETRY_SUFFIX: dict[int, str] = {
    QgsWkbTypes.PointGeometry: "punten",
    QgsWkbTypes.LineGeometry: "lijnen",
    QgsWkbTypes.PolygonGeometry: "vlakken",
}


def _file(name: str) -> Path | None:
    for candidate in (f"{name}.qml", CORE_STYLE_FILES.get(name)):
        if not candidate:
            continue
        for folder in STYLE_DIRS:
            path = folder / candidate
            if path.is_file():
                return path
    return None


def styles() -> list[str]:
    """Names of all available styles (output layer names, with geometry suffix where there is one), sorted."""
    core_files = {v: k for k, v in CORE_STYLE_FILES.items()}
    names = set()
    for folder in STYLE_DIRS:
        if folder.is_dir():
            names |= {core_files.get(p.name, p.stem) for p in folder.glob("*.qml")}
    return sorted(names)


def style_name(name: str, geometry_type: int | None = None) -> str | None:
    """The style that fits output layer ``name`` drawn as ``geometry_type`` (a ``QgsWkbTypes.GeometryType``).

    A layer name with a suffix QGIS adds (``"ontwikkelingen Point"``, ``"stationsbalans 2040"``) is matched on
    its first word.

    Examples
    --------
    >>> style_name("ontwikkelingen", QgsWkbTypes.PolygonGeometry)
    'ontwikkelingen_vlakken'
    >>> style_name("stationsbalans"), style_name("bestaat_niet")
    ('stationsbalans', None)
    """
    bases = [name]
    first = name.split()[0] if name.split() else name
    if first != name:
        bases.append(first)
    for base in bases:
        suffix = GEOMETRY_SUFFIX.get(geometry_type) if geometry_type is not None else None
        for candidate in ([f"{base}_{suffix}"] if suffix else []) + [base]:
            if _file(candidate) is not None:
                return candidate
    return None


def style_path(name: str, geometry_type: int | None = None) -> Path | None:
    """The QML for output layer ``name`` (e.g. ``"stations"``), or None when there is none."""
    found = style_name(name, geometry_type)
    return _file(found) if found else None


def apply_style(layer: QgsMapLayer, name: str | None = None) -> bool:
    """Apply the style for ``name`` (default: the layer's name) and the layer's geometry; True when applied.

    Examples
    --------
    >>> layer = QgsVectorLayer("uitvoer/energieplanologie.gpkg|layername=stations", "stations", "ogr")  # doctest: +SKIP
    >>> apply_style(layer)  # doctest: +SKIP
    True
    """
    geometry = layer.geometryType() if layer.type() == QgsMapLayer.VectorLayer else None
    path = style_path(name or layer.name(), geometry)
    if path is None:
        return False
    _message, ok = layer.loadNamedStyle(str(path))
    if ok:
        layer.triggerRepaint()
    return bool(ok)
