"""The diff report: ``verschillen.csv`` and ``verschillen.html`` of a :class:`~energieplanologie.diff.RoundDiff`.

:func:`energieplanologie.diff.diff_rounds` computes what changed between two programming rounds; this module
presents it (Dutch headers, words and numbers) and writes the two files, each atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energieplanologie._atomic import atomic_write
from energieplanologie._html import esc, is_missing
from energieplanologie.diff import CHANGES, RoundDiff
from energieplanologie.labels import format_number, label, value_label
from energieplanologie.writers import write_csv

__all__ = ["write_diff"]

_FIELD_NL = {
    "year_ready": "Jaar gereed", "cost_meur": "Kosten (M€)", "station_id": "Station",
    "offtake_capacity_added_mw": "Extra capaciteit afname (MW)",
    "feedin_capacity_added_mw": "Extra capaciteit invoeding (MW)", "status": "Status", "funding": "Financiering",
    "geometry": "Ligging", "weighted_score": "Gewogen score", "shortage_mw": "Tekort (MW)",
}


def _field_nl(field_name: Any) -> str:
    """A readable Dutch name of a changed field (a single capital is a criterion of the afwegingskader)."""
    if is_missing(field_name):
        return ""
    text = str(field_name)
    if len(text) == 1 and text.isupper():
        return f"Criterium {text}"
    return _FIELD_NL.get(text, label(text))


def _value_nl(value: Any, field_name: Any) -> str:
    if is_missing(value):
        return "–"
    numeric = field_name in ("cost_meur", "weighted_score", "H") or str(field_name).endswith("_mw")
    if numeric and isinstance(value, (int, float, np.number)):
        return format_number(float(value), 2 if field_name == "weighted_score" else 1)
    if field_name in ("status", "funding"):
        return value_label(str(field_name), value)
    return str(value)


def _nl_frame(diff: RoundDiff) -> pd.DataFrame:
    c = diff.changes
    return pd.DataFrame({
        "category": c["category"], "id": c["id"], "name": c["name"],
        "change": c["change"].map(CHANGES),
        "field": [_field_nl(f) for f in c["field"]],
        "scenario": c["scenario"], "year": c["year"],
        "direction": [value_label("direction", d) if not is_missing(d) else None for d in c["direction"]],
        "old": c["old"], "new": c["new"],
    })


def write_diff(diff: RoundDiff, out_dir: str | Path) -> list[Path]:
    """Write ``verschillen.csv`` (one row per change, Dutch headers and words) and ``verschillen.html``.

    Parameters
    ----------
    diff : RoundDiff
        :func:`energieplanologie.diff.diff_rounds` of two rounds.
    out_dir : str or Path
        The folder (it must exist); each file is written atomically.

    Returns
    -------
    list of Path
        The CSV and the HTML page.

    Examples
    --------
    >>> from energieplanologie.diff import diff_rounds
    >>> write_diff(diff_rounds("oud.gpkg", "nieuw.gpkg"), "uit")  # doctest: +SKIP
    """
    out = Path(out_dir)
    csv = write_csv(_nl_frame(diff), out / "verschillen.csv")
    page = out / "verschillen.html"
    with atomic_write(page) as tmp:
        tmp.write_text(_html(diff), encoding="utf-8")
    return [csv, page]


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html(diff: RoundDiff) -> str:
    c = diff.changes
    counts = diff.summary()
    parts = [
        "<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Verschillen tussen rondes</title>",
        "<style>body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em;color:#1a1a1a;max-width:70em}"
        "table{border-collapse:collapse;margin:.4em 0 1.2em}td,th{padding:.25em .7em;border-bottom:1px solid #ddd;"
        "text-align:left;vertical-align:top}th{background:#1f4e79;color:#fff}h2{color:#1f4e79;margin-top:1.4em}"
        ".muted{color:#666}ul.sum li{margin:.1em 0}</style></head><body>",
        "<h1>Wat is er veranderd sinds de vorige programmeerronde?</h1>",
        f"<p class=\"muted\">Vorige ronde: {esc(diff.old)}<br>Deze ronde: {esc(diff.new)}</p>",
        "<ul class=\"sum\">"
        f"<li>{counts['added']} project(en) toegevoegd</li><li>{counts['removed']} project(en) verwijderd</li>"
        f"<li>{counts['replanned']} project(en) herpland</li><li>{counts['rescored']} project(en) anders gescoord</li>"
        f"<li>{counts['shortage_changed']} station(s) met een gewijzigd tekort</li></ul>",
    ]
    if diff.notes:
        parts.append("<p class=\"muted\">" + "<br>".join(esc(n) for n in diff.notes) + "</p>")
    if diff.empty:
        parts.append("<p>Geen verschillen gevonden.</p>")
    sections = [("added", "Nieuwe projecten"), ("removed", "Vervallen projecten")]
    for key, title in sections:
        sel = c.loc[c["change"] == key]
        if len(sel):
            parts.append(f"<h2>{esc(title)}</h2>" + _table(["Project-id", "Naam"],
                                                              sel[["id", "name"]].values.tolist()))
    for key, title in (("replanned", "Herplande projecten"), ("rescored", "Anders gescoorde projecten")):
        sel = c.loc[c["change"] == key]
        if len(sel):
            rows = [[r["id"], r["name"], _field_nl(r["field"]), _value_nl(r["old"], r["field"]),
                     _value_nl(r["new"], r["field"])] for _, r in sel.iterrows()]
            parts.append(f"<h2>{esc(title)}</h2>" + _table(["Project-id", "Naam", "Wat", "Was", "Wordt"], rows))
    sel = c.loc[c["change"] == "shortage_changed"]
    if len(sel):
        rows = []
        for _, r in sel.iterrows():
            o = 0.0 if is_missing(r["old"]) else float(r["old"])
            n = 0.0 if is_missing(r["new"]) else float(r["new"])
            rows.append([r["id"], r["name"], r["scenario"] or "", r["year"], value_label("direction", r["direction"]),
                         _value_nl(r["old"], "shortage_mw"), _value_nl(r["new"], "shortage_mw"),
                         ("+" if n > o else "") + format_number(n - o, 1)])
        parts.append("<h2>Stations met een gewijzigd tekort (MW)</h2>" + _table(
            ["Station-id", "Station", "Scenario", "Jaar", "Richting", "Was", "Wordt", "Verschil"], rows))
    parts.append("</body></html>\n")
    return "".join(parts)
