"""Popups and tooltips of a map layer built a column at a time.

A layer of 10⁵ features has few distinct values per column (a handful of sectors, years, stations; one
number per feature at most): each distinct value is formatted and escaped once (:func:`per_value`) and the rows
are joined as arrays of text. :func:`popup_table` sends each feature's cells and the layer's labels once; the
map's script writes from them the HTML :func:`energieplanologie._html.kv_table` and the map's ``_popup`` write
for one row.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from energieplanologie._distinct import object_array, per_value
from energieplanologie._html import esc, json_text
from energieplanologie.labels import format_number
from energieplanologie.maps._features import json_strings

__all__ = ["column_values", "escaped", "format_numbers", "popup_table"]


def format_numbers(values: Any, decimals: int = 1, unit: str = "") -> np.ndarray:
    """:func:`~energieplanologie.labels.format_number` of every value, called once per distinct *text*.

    A column of measured numbers has a distinct value per feature but few distinct texts (``1,5 MW``). The number
    a value rounds to at ``decimals`` is found for the whole column at once; ``format_number`` then writes each
    rounded number once, which is the text of every value that rounds to it. Where the rounding could go either way
    (within 10⁻⁶ of a half; beyond 10⁹ after scaling), for a missing or infinite value and for a column that is not
    numeric, the value itself goes to ``format_number``. The texts are those of ``format_number`` of each value.

    Examples
    --------
    >>> format_numbers(pd.Series([1.44, 1.46, 1.5, None, 0.25, -0.04]), unit="MW").tolist()
    ['1,4 MW', '1,5 MW', '1,5 MW', '–', '0,2 MW', '0,0 MW']
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)

    def one(v: Any) -> str:
        return format_number(v, decimals, unit)

    if pd.api.types.is_bool_dtype(series.dtype) or not pd.api.types.is_numeric_dtype(series.dtype):
        return per_value(series, one)
    x = series.to_numpy(dtype="float64", na_value=np.nan)
    scale = 10 ** decimals
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = x * float(scale)
        low = np.floor(scaled)
        frac = scaled - low
    # |error of scaled| <= |scaled| * 2**-53 < 1.2e-7 below 1e9: a value 1e-6 away from a half rounds as it looks
    sure = np.isfinite(scaled) & (np.abs(scaled) < 1e9) & (np.abs(frac - 0.5) > 1e-6)
    out = object_array([None] * len(x))
    rounded = np.where(frac < 0.5, low, low + 1)[sure].astype(np.int64)
    # k / scale is the double nearest to the decimal number k·10^-decimals: format_number writes exactly that number
    out[sure] = per_value(rounded, lambda k: one(k / scale))
    if not sure.all():
        out[~sure] = per_value(series[~sure], one)
    return out


def column_values(frame: pd.DataFrame, column: str) -> np.ndarray:
    """``frame[column]`` as plain Python values with None for missing (all None when the column is absent)."""
    if column not in frame.columns:
        return object_array([None] * len(frame))
    return per_value(frame[column], lambda v: v)


def popup_table(titles: Any, subs: Any, rows: Sequence[tuple[str, Any]]) -> tuple[list[str], np.ndarray]:
    """The popups of a layer's features as the map's script draws them (``popupHtml`` in ``templates/map_app.js``):
    a title, an optional subtitle and a two-column table of label → value, the rows the same for every feature.

    The labels (escaped HTML) go once into the layer's collection (``popupRows``); each feature carries the JSON
    text of ``[title, subtitle, cell…]``, every text escaped HTML and a cell ``null`` where the table leaves its row
    out (a missing or empty value). The script writes ``<h4>title</h4>``, ``<div class="ep-sub">subtitle</div>``
    when there is one, and ``<tr><th>label</th><td>cell</td></tr>`` per cell that is not ``null``: the HTML
    :func:`energieplanologie._html.kv_table` writes, without its markup repeated in the page for every feature
    (more than half of a national map's size). Each distinct cell value is escaped and encoded once.

    Examples
    --------
    >>> labels, texts = popup_table(["Park & Rij", "D2"], ["D1", ""], [("Programma", ["RES", None]),
    ...                                                                   ("Jaar", ["2030", "<2031>"])])
    >>> labels
    ['Programma', 'Jaar']
    >>> texts.tolist()
    ['["Park &amp; Rij","D1","RES","2030"]', '["D2","",null,"&lt;2031&gt;"]']
    """
    columns = [json_strings(escaped(titles)), json_strings(escaped(subs))]
    columns += [per_value(values, _cell) for _, values in rows]
    texts = object_array([f"[{t}]" for t in map(",".join, zip(*(c.tolist() for c in columns), strict=True))])
    return [esc(label) for label, _ in rows], texts


def _cell(value: Any) -> str:
    """The JSON text of one table cell: the escaped value, or ``null`` for a row left out (missing or empty)."""
    return "null" if value is None or value == "" else json_text(esc(value))


def _escaped_texts(values: Any) -> np.ndarray | None:
    """``esc`` of every value when all are text (``str``), from one ``html.escape`` of their join; else None."""
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    if not items or not all(type(v) is str for v in items):
        return None
    joined = "\x00".join(items)
    if joined.count("\x00") != len(items) - 1:  # a text holds the separator itself
        return None
    return object_array(html.escape(joined, quote=True).split("\x00"))


def escaped(values: Any) -> np.ndarray:
    """:func:`~energieplanologie._html.esc` of every value: a column of texts (ids, names: mostly distinct) in one
    pass over their join, anything else once per distinct value.

    Examples
    --------
    >>> escaped(["A & B", "<i>", "A & B"]).tolist(), escaped([1.5, None]).tolist()
    (['A &amp; B', '&lt;i&gt;', 'A &amp; B'], ['1.5', ''])
    """
    texts = _escaped_texts(values)
    return per_value(values, esc) if texts is None else texts
