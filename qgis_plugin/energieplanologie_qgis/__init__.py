"""Energieplanologie for QGIS: a Processing provider that runs the analyses in the energieplanologie engine.

QGIS calls :func:`classFactory` when it loads the plugin. Everything else is imported lazily, so a broken or
missing engine can never stop QGIS from loading the plugin.
"""

from __future__ import annotations

from typing import Any

__all__ = ["classFactory"]


def classFactory(iface: Any) -> Any:
    """Create the plugin for QGIS (``iface`` is the ``QgisInterface``, or None in ``qgis_process``)."""
    from .plugin import EnergieplanologiePlugin

    return EnergieplanologiePlugin(iface)
