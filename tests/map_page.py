"""Reading a published region map without a browser: its layers' data (:func:`data_layers`), and what the map's
script (``energieplanologie/templates/map_app.js``) makes of a feature whose layer shares parts among its features,
written again here: the popup HTML of ``[title, subtitle, cell…]`` (:func:`popup_html`), the tooltip built from it
(:func:`tooltip_text`), a style given as a place in the layer's styles (:func:`style_of`) and a station's status,
colour and tooltip in a year (:func:`station_year`).
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
    if "balanceHead" in collection:  # a station: [title, subtitle, rows, foot] of its balance table
        title, sub, rows, foot = popup
        cells = collection["statusCells"]
        body = "".join(
            f'<tr data-year="{r[0]}"><td>{r[0]}</td>'
            + "".join(f'<td class="num">{r[j]}</td><td class="num">{r[j + 1]}{cells[r[j + 2]]}{r[j + 3]}</td>'
                      for j in (1, 5))
            + "</tr>" for r in rows)
        return (f"<h4>{title}</h4>" + (f'<div class="ep-sub">{sub}</div>' if sub else "")
                + f'<table class="ep-balance">{collection["balanceHead"]}<tbody>{body}</tbody></table>{foot}')
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


def station_year(collection: dict[str, Any], properties: dict[str, Any], year: int) -> dict[str, str]:
    """A station in ``year`` as the stations' updater draws it: its status (the worse direction), fill colour and
    tooltip (``"<name> — <year>: afname <status>, invoeding <status>"``)."""
    years = collection["years"]
    if year not in years:
        return {"status": "unknown", "colour": style_of(collection, properties)["fillColor"],
                "tooltip": properties["tooltip"]}
    k = years.index(year)
    off, feed = (int(c) for c in properties["status"][2 * k:2 * k + 2])
    words = collection["statusWords"]
    return {"status": collection["statusKeys"][max(off, feed)], "colour": collection["statusColours"][max(off, feed)],
            "tooltip": f"{properties['tooltip']} — {year}: afname {words[off]}, invoeding {words[feed]}"}
