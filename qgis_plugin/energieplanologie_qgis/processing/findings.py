"""Findings of the engine's validation reports as Dutch lines that name the rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["describe_rows", "format_finding"]


def describe_rows(rows: Sequence[int], *, shown: int = 10) -> str:
    """0-based rows as Dutch text counting from 1: ``rij 3`` or ``rijen 1, 2, 5 … (40 rijen)``.

    Examples
    --------
    >>> describe_rows([2]), describe_rows([0, 1, 4]), describe_rows(list(range(12)), shown=3)
    ('rij 3', 'rijen 1, 2, 5', 'rijen 1, 2, 3 … (12 rijen)')
    """
    if len(rows) == 1:
        return f"rij {rows[0] + 1}"
    text = ", ".join(str(r + 1) for r in rows[:shown])
    return f"rijen {text} … ({len(rows)} rijen)" if len(rows) > shown else f"rijen {text}"


def format_finding(finding: dict[str, Any], mapping: dict[str, str] | None = None,
                   describe: Callable[[list[int]], str] | None = None) -> str:
    """One finding of the engine's report as a Dutch line: ``rij N (id X), kolom C: melding``.

    ``N`` counts from 1 in the layer's feature order; the column is shown as the user's source column when a
    mapping or the engine's reader (``source_column``) renamed it. ``describe`` turns the 0-based rows of the file the engine read into Dutch text (for a
    file merged from several QGIS layers: which layer and which objects in it); default :func:`describe_rows`.

    Examples
    --------
    >>> format_finding({"rows": [2], "row_id": "D3", "column": "offtake_mw", "message": "negatieve waarde",
    ...                 "value": -5.0, "suggestion": None}, {"offtake_mw": "vermogen"})
    'rij 3 (id D3), kolom vermogen (offtake_mw): negatieve waarde [waarde: -5.0]'
    >>> format_finding({"rows": [4], "row_id": "D5", "column": "year", "message": "ontbreekt"},
    ...                describe=lambda rows: f"laag 'vlakken' rij {rows[0] - 2}")
    "laag 'vlakken' rij 2 (id D5), kolom year: ontbreekt"
    >>> format_finding({"rows": [0], "column": "offtake_mw", "source_column": "afname_mw", "message": "negatieve waarde"})
    'rij 1, kolom afname_mw (offtake_mw): negatieve waarde'
    >>> format_finding({"rows": [0, 3], "row_ids": ["D1", "D17"], "column": "geometry", "message": "hersteld"})
    "rijen 1, 4 (id's D1, D17), kolom geometry: hersteld"
    """
    rows = [int(r) for r in finding.get("rows") or []]
    parts = [(describe or describe_rows)(rows)] if rows else []
    row_id = finding.get("row_id")
    # Repairs and warnings carry the ids of all their rows (row_ids); show one id, or the first ten.
    ids = [str(i) for i in finding.get("row_ids") or [] if i not in (None, "")]
    if row_id in (None, "") and ids:
        row_id = ids[0] if len(ids) == 1 else ", ".join(ids[:10]) + (" …" if len(ids) > 10 else "")
    if row_id not in (None, ""):
        label = "id's" if len(ids) > 1 and finding.get("row_id") in (None, "") else "id"
        if parts:
            parts[-1] += f" ({label} {row_id})"
        else:
            parts.append(f"{label} {row_id}")
    column = finding.get("column")
    if column:
        # The engine names the user's own column when its reader renamed it (a Dutch header); else the mapping.
        source = finding.get("source_column") or (mapping or {}).get(column)
        parts.append(f"kolom {source} ({column})" if source and source != column else f"kolom {column}")
    head = ", ".join(parts)
    text = f"{head}: {finding.get('message', '')}" if head else f"laag: {finding.get('message', '')}"
    value = finding.get("value")
    if value is not None:
        text += f" [waarde: {value!r}]" if isinstance(value, str) else f" [waarde: {value}]"
    suggestion = finding.get("suggestion")
    if suggestion:
        text += f" — bedoelde u {suggestion!r}?"
    return text
