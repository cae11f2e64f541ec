"""Safe spreadsheet cells: text from data never becomes a live formula in a CSV or workbook a user opens.

A station called ``=HYPERLINK("http://…","klik")`` or a project called ``+cmd|' /C calc'!A0`` is valid data,
but a spreadsheet program that opens a CSV starting a cell with it runs it as a formula (*CSV injection*). As
OWASP recommends, a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
single quote in front (``'=HYPERLINK(…)``), which spreadsheet programs show as text. A cell that *is* a number
(``-5.2``, ``+31``) is left alone, and numeric columns are never touched: numbers stay numbers.

The same test, :func:`is_formula_like`, decides for both formats: :func:`safe_csv_frame` for every CSV the
package writes (:func:`energieplanologie.io.write_csv`) and :func:`safe_xlsx_cell` for every workbook cell
(stored as text with Excel's quote prefix, so the text stays exactly as it is and stays text when edited).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from energieplanologie._distinct import where_distinct

__all__ = ["FORMULA_STARTS", "is_formula_like", "safe_csv_cell", "safe_csv_frame", "safe_xlsx_cell"]

#: The characters that make a spreadsheet program read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A plain number, as a spreadsheet program reads one: sign, digits, a decimal point or comma, an exponent.
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")


def is_formula_like(value: object) -> bool:
    """True when ``value`` is text a spreadsheet program would run as a formula.

    Examples
    --------
    >>> [is_formula_like(v) for v in ('=1+1', '+cmd', '@SUM(A1)', '-2+3+cmd', '\\tx', 'Terneuzen')]
    [True, True, True, True, True, False]
    >>> [is_formula_like(v) for v in ('-5.2', '+31', '-', 5, None)]
    [False, False, True, False, False]
    """
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value)


def safe_csv_cell(value: Any) -> Any:
    """``value`` with a ``'`` in front when it is formula-like text; anything else unchanged.

    A carriage return inside text becomes a line feed: the CSV writer quotes a cell holding a line feed, but
    not one holding a lone carriage return, which spreadsheet programs would take for the end of the row.

    Examples
    --------
    >>> safe_csv_cell('=HYPERLINK("http://example.invalid")'), safe_csv_cell('-5.2'), safe_csv_cell(-5.2)
    ('\\'=HYPERLINK("http://example.invalid")', '-5.2', -5.2)
    >>> safe_csv_cell("\\r=1+1")
    "'\\n=1+1"
    """
    if not isinstance(value, str):
        return value
    out = "'" + value if is_formula_like(value) else value
    return out.replace("\r\n", "\n").replace("\r", "\n") if "\r" in out else out


def _needs_care(value: Any) -> bool:
    return is_formula_like(value) or (isinstance(value, str) and "\r" in value)


def _care(column: pd.Series) -> np.ndarray:
    """Where ``column`` holds text that :func:`safe_csv_cell` changes (formula-like, or with a carriage return)."""
    return where_distinct(column, _needs_care)


def safe_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot start a formula; numeric columns untouched.

    Only the cells that need it are changed (:func:`safe_csv_cell`); a column with such cells becomes an object
    column.

    Examples
    --------
    >>> df = pd.DataFrame({"naam": ["=1+1", "Sluis"], "ruimte_mw": [-5.2, 3.0]})
    >>> safe_csv_frame(df).to_dict("list")
    {'naam': ["'=1+1", 'Sluis'], 'ruimte_mw': [-5.2, 3.0]}
    """
    changed: dict[int, np.ndarray] = {}
    for i in range(len(frame.columns)):
        column = frame.iloc[:, i]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        care = _care(column)
        if care.any():
            values = column.to_numpy(dtype=object, copy=True)
            values[care] = [safe_csv_cell(v) for v in values[care]]  # the cells that need it only
            changed[i] = values
    names = [safe_csv_cell(str(c)) if isinstance(c, str) else c for c in frame.columns]
    if not changed and names == list(frame.columns):
        return frame
    out = frame.copy()
    for i, values in changed.items():
        out.isetitem(i, pd.Series(values, index=frame.index, dtype=object))
    out.columns = names
    return out


def safe_xlsx_cell(cell: Any) -> None:
    """Make an openpyxl cell that holds formula-like text a text cell (with the quote prefix Excel uses).

    openpyxl stores any text starting with ``=`` as a formula; here the text is kept exactly but stored as text,
    and Excel's quote prefix keeps it text when a user edits the cell.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> ws.append(['=HYPERLINK("http://example.invalid")', "Sluis"])
    >>> for cell in ws[1]:
    ...     safe_xlsx_cell(cell)
    >>> [(c.value[:10], c.data_type, c.quotePrefix) for c in ws[1]]
    [('=HYPERLINK', 's', True), ('Sluis', 's', False)]
    """
    if cell.data_type == "f" or is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
