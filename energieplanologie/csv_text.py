"""The text of a CSV file, byte for byte as pandas' ``DataFrame.to_csv`` writes it, a column at a time.

``to_csv`` formats every float with NumPy (its shortest round-trip text, as Python's ``repr``) and hands each row
to the standard library's ``csv`` writer; at national scale (a station balance of 10⁵ rows and 33 columns) that
is most of the time spent writing. Here each column becomes text in one step (floats through ``float.__repr__``,
which gives the same digits; text columns as they are), a field is quoted only when the ``csv`` writer would quote
it, and rows are joined by ``str.join``. The same rules as ``to_csv(index=False, lineterminator=…, sep=…)``:

- a missing value (``None``, ``NaN``, ``pd.NA``, ``NaT``) is an empty field (or ``na_rep``);
- a float is written as ``repr`` writes it (``0.1``, ``1e-05``, ``1e+16``, ``inf``), an integer or boolean as
  ``str`` does; in an object column, text as it is and anything else by ``str``, as the ``csv`` writer does;
- a field holding the separator, a double quote or a character of the line terminator is quoted, its quotes
  doubled (``QUOTE_MINIMAL``); the only field of a row, when empty, is written ``""``.

:func:`supported` says whether a frame has only columns handled here (64-bit floats, integers, booleans, text and
object columns, pandas' integer, boolean and string columns; text column names); for any other frame (dates,
categories, 32-bit floats …) the caller uses ``to_csv``. ``tests/test_csv_text.py`` compares both on generated
frames.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pandas as pd

__all__ = ["CHUNK_ROWS", "csv_chunks", "supported"]

#: Rows formatted at once: bounds the memory of the Python strings of a chunk (pandas' own writer does likewise).
CHUNK_ROWS = 50_000

#: Every character NumPy and Python write in a number, a boolean, infinity or "not a number".
_NUMBER_CHARS = "0123456789.+-eEinfaTrueFls"
_MASKED = (pd.BooleanDtype, pd.Int8Dtype, pd.Int16Dtype, pd.Int32Dtype, pd.Int64Dtype, pd.UInt8Dtype,
           pd.UInt16Dtype, pd.UInt32Dtype, pd.UInt64Dtype)


def _handled(dtype: object) -> bool:
    if isinstance(dtype, np.dtype):
        return dtype.kind in "biuO" or (dtype.kind == "f" and dtype.itemsize == 8)
    return isinstance(dtype, (pd.StringDtype, *_MASKED))


def supported(frame: pd.DataFrame) -> bool:
    """Whether :func:`csv_chunks` writes ``frame`` (see the module's text); else use ``DataFrame.to_csv``.

    Examples
    --------
    >>> supported(pd.DataFrame({"naam": ["Sluis"], "mw": [1.5], "jaar": [2030]}))
    True
    >>> supported(pd.DataFrame({"datum": pd.to_datetime(["2030-01-01"])}))
    False
    """
    return (len(frame.columns) > 0 and not isinstance(frame.columns, pd.MultiIndex)
            and all(isinstance(c, str) for c in frame.columns) and all(_handled(t) for t in frame.dtypes))


def _field_text(values: np.ndarray | pd.api.extensions.ExtensionArray, na_rep: str = "") -> np.ndarray:
    """The fields of one column (before quoting) as an object array of str; a missing value is ``na_rep``."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        # repr once per distinct value (by bit pattern, so that -0.0 stays apart from 0.0): columns repeat values
        floats = np.ascontiguousarray(values)
        where, bits = pd.factorize(floats.view(np.int64))
        out = np.array(list(map(float.__repr__, bits.view(np.float64).tolist())), dtype=object)[where]
        out[np.isnan(floats)] = na_rep
        return out
    if isinstance(dtype, np.dtype) and dtype.kind in "biu":
        return np.array(list(map(str, values.tolist())), dtype=object)
    if isinstance(dtype, _MASKED) and isinstance(values, pd.api.extensions.ExtensionArray):
        # pandas integers and booleans: their numbers, then the missing cells empty
        plain = values.to_numpy(dtype=dtype.numpy_dtype, na_value=False if dtype.kind == "b" else 0)
        out = np.array(list(map(str, plain.tolist())), dtype=object)
        out[np.asarray(values.isna())] = na_rep
        return out
    cells = np.asarray(values.astype(object)) if not isinstance(dtype, np.dtype) else np.asarray(values, dtype=object)
    missing = pd.isna(cells)
    if pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty"):
        out = cells.copy()
    else:  # text mixed with other values: as the csv writer turns each into text
        out = np.array([v if isinstance(v, str) else str(v) for v in cells], dtype=object)
    out[missing] = na_rep
    return out


def _quoted(fields: np.ndarray, chars: list[str]) -> np.ndarray:
    """``fields`` with every field that holds one of ``chars`` quoted, its quotes doubled."""
    probe = "".join(fields)  # most columns hold none of them: one look at all their text
    if not any(ch in probe for ch in chars):
        return fields
    special = re.compile("[" + "".join(re.escape(c) for c in chars) + "]")
    codes, distinct = pd.factorize(fields)  # once per distinct field: a column repeats its names
    quoted = np.array(['"' + f.replace('"', '""') + '"' if special.search(f) else f for f in distinct], dtype=object)
    return quoted[codes]


def csv_chunks(frame: pd.DataFrame, *, sep: str = ",", lineterminator: str = "\n", header: bool = True,
               na_rep: str = "", chunk_rows: int = CHUNK_ROWS) -> Iterator[str]:
    """The CSV text of ``frame`` (the header unless ``header=False``, then the rows; no index) in pieces of at most
    ``chunk_rows`` rows, as ``frame.to_csv(index=False, sep=sep, lineterminator=lineterminator, header=header,
    na_rep=na_rep)`` writes it. Only for a frame that :func:`supported` accepts.

    Examples
    --------
    >>> df = pd.DataFrame({"naam": ["Sluis", 'de "Kreek", Axel', None], "mw": [1.5, float("nan"), 1e-05]})
    >>> "".join(csv_chunks(df)) == df.to_csv(index=False, lineterminator="\\n")
    True
    >>> print("".join(csv_chunks(df)), end="")
    naam,mw
    Sluis,1.5
    "de ""Kreek"", Axel",
    ,1e-05
    """
    if not supported(frame):
        raise ValueError("csv_chunks: kolommen die alleen DataFrame.to_csv schrijft (datums, categorieën …).")
    chars = sorted({sep, '"', *lineterminator})
    plain_numbers = not set(chars) & set(_NUMBER_CHARS + na_rep)
    single = len(frame.columns) == 1
    if header:
        names = _quoted(np.array(list(frame.columns), dtype=object), chars)
        yield ('""' if single and names[0] == "" else sep.join(names)) + lineterminator
    for start in range(0, len(frame), chunk_rows):
        part = frame.iloc[start:start + chunk_rows]
        columns: list[list[str]] = []
        for i in range(len(part.columns)):
            column = part.iloc[:, i]
            numeric = isinstance(column.dtype, np.dtype) and column.dtype.kind in "biuf"
            fields = _field_text(column.array if isinstance(column.dtype, pd.api.extensions.ExtensionDtype)
                                 else column.to_numpy(), na_rep)
            if not (numeric and plain_numbers):  # numbers (1.5, -2, 1e-05, inf, nan, True) hold no special
                fields = _quoted(fields, chars)
            if single:
                fields[fields == ""] = '""'  # the csv writer quotes a row's only field when it is empty
            columns.append(fields.tolist())
        yield lineterminator.join(map(sep.join, zip(*columns, strict=True))) + lineterminator
