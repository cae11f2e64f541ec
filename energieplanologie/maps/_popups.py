"""Popup and tooltip HTML of a map layer built a column at a time.

A layer of 10⁵ features has few distinct values per column (a handful of sectors, years, stations; one
number per feature at most): each distinct value is formatted and escaped once (:func:`per_value`) and the rows
are joined as arrays of text. The HTML is the same text as :func:`energieplanologie._html.kv_table` and the
map's ``_popup`` write for one row.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from energieplanologie._distinct import object_array, per_value
from energieplanologie._html import esc
from energieplanologie.labels import format_number

__all__ = ["column_values", "escaped", "format_numbers", "kv_rows", "kv_tables", "popups"]


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


def kv_rows(label: str, values: Any) -> np.ndarray:
    """One row of :func:`~energieplanologie._html.kv_table` per value (escaped), ``""`` where it leaves the row
    out (None or empty text).

    Examples
    --------
    >>> kv_rows("Jaar", ["2030", None, "<b>"]).tolist()
    ['<tr><th>Jaar</th><td>2030</td></tr>', '', '<tr><th>Jaar</th><td>&lt;b&gt;</td></tr>']
    """
    head = f"<tr><th>{esc(label)}</th><td>"
    return per_value(values, lambda v: "" if v is None or v == "" else f"{head}{esc(v)}</td></tr>")


def kv_tables(rows: Sequence[np.ndarray], n: int) -> np.ndarray:
    """The tables of ``n`` features from their rows (:func:`kv_rows`, in order): ``<table>…</table>`` each."""
    if not rows:
        return object_array(["<table></table>"] * n)
    # one join per feature of its rows (adding column after column would copy the growing tables each time)
    return object_array([f"<table>{t}</table>" for t in map("".join, zip(*(part.tolist() for part in rows), strict=True))])


def popups(titles: Any, subs: Any, bodies: np.ndarray) -> np.ndarray:
    """A popup per feature: escaped title, optional escaped subtitle, the body as given (already HTML).

    Examples
    --------
    >>> popups(["A & B"], [""], np.array(["<table></table>"], dtype=object)).tolist()
    ['<h4>A &amp; B</h4><table></table>']
    """
    heads = "<h4>" + escaped(titles) + "</h4>"
    sub_texts = _escaped_texts(subs)
    if sub_texts is None:
        subs_html = per_value(subs, lambda s: f'<div class="ep-sub">{esc(s)}</div>' if s else "")
    else:  # a text is empty exactly when its escaped text is
        subs_html = object_array([f'<div class="ep-sub">{s}</div>' if s else "" for s in sub_texts.tolist()])
    return heads + subs_html + bodies


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
