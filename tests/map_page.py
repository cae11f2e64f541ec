"""Reading a published region map without a browser: its layers' data (:func:`data_layers`) and the HTML the
map's script writes for a popup sent as ``[title, subtitle, cell…]`` (:func:`popup_html`, ``popupHtml`` of
``energieplanologie/templates/map_app.js`` written again). ``tests/browser/test_map_browser.py`` checks that the
script writes the same in Chromium.
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
