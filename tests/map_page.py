"""Reading a published region map without a browser: its layers' data (:func:`data_layers`), and what the map's
script (``energieplanologie/templates/map_app.js``) makes of a feature whose layer shares parts among its features,
written again here: the popup HTML of ``[title, subtitle, cell…]`` (:func:`popup_html`), the tooltip built from it
(:func:`tooltip_text`) and a style given as a place in the layer's styles (:func:`style_of`).
``tests/browser/test_map_browser.py`` checks in Chromium that the script makes the same.
"""

from __future__ import annotations

import json
import re
from typing import Any


def data_layers(page: str) -> dict[str, list[dict]]:
    """The GeoJSON handed to ``EP.dataLayer(map, group, data, {"kind": …})`` in a rendered page, per kind."""
    out: dict[str, list[dict]] = {}
    decoder = json.JSONDecoder()
    for m in re.finditer(r"EP\.dataLayer\(\w+, \w+, ", page):
        data, end = decoder.raw_decode(page, m.end())
        opts, _ = decoder.raw_decode(page, end + 2)
        out.setdefault(opts["kind"], []).append(data)
    return out


def popup_html(collection: dict[str, Any], properties: dict[str, Any]) -> str:
    """The popup HTML of a feature (its ``properties``) of a layer's feature ``collection``."""
    popup = properties["popup"]
    if isinstance(popup, str):
        return popup
    title, sub, *cells = popup
    labels = collection["popupRows"]
    assert len(cells) == len(labels), (cells, labels)
    rows = "".join(f"<tr><th>{label}</th><td>{cell}</td></tr>" for label, cell in zip(labels, cells, strict=True)
                   if cell is not None)
    return f"<h4>{title}</h4>" + (f'<div class="ep-sub">{sub}</div>' if sub else "") + f"<table>{rows}</table>"


def tooltip_text(collection: dict[str, Any], properties: dict[str, Any]) -> str | None:
    """The tooltip of a feature: its own, or ``"<popup title> (<cell>, <cell>)"`` of the layer's ``tooltipCells``."""
    if "tooltip" in properties or "tooltipCells" not in collection:
        return properties.get("tooltip")
    title, _, *cells = properties["popup"]
    return f"{title} (" + ", ".join("" if cells[i] is None else cells[i] for i in collection["tooltipCells"]) + ")"


def style_of(collection: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """The style of a feature: its own, or (a number) its place in the layer's ``styles``."""
    style = properties["style"]
    return collection["styles"][style] if isinstance(style, int) else style
