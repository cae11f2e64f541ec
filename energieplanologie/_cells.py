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

import pandas as pd

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


def safe_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot start a formula; numeric columns untouched.

    Examples
    --------
    >>> df = pd.DataFrame({"naam": ["=1+1", "Sluis"], "ruimte_mw": [-5.2, 3.0]})
    >>> safe_csv_frame(df).to_dict("list")
    {'naam': ["'=1+1", 'Sluis'], 'ruimte_mw': [-5.2, 3.0]}
    """
    text = [i for i, c in enumerate(frame.columns)
            if pd.api.types.is_object_dtype(frame.iloc[:, i]) or pd.api.types.is_string_dtype(frame.iloc[:, i])]
    risky = [i for i in text if frame.iloc[:, i].map(_needs_care).any()]
    names = [safe_csv_cell(str(c)) if isinstance(c, str) else c for c in frame.columns]
    if not risky and names == list(frame.columns):
        return frame
    out = frame.copy()
    for i in risky:
        out.isetitem(i, frame.iloc[:, i].map(safe_csv_cell))
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
