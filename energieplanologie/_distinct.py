"""Work done once per distinct value of a column: a layer of 10⁵ features or a table of thousands of rows repeats
its sectors, years, codes and names, so a text is escaped, a number formatted or a test run once for each value
that occurs, and the results are spread back over the rows.

>>> per_value(pd.Series(["a", None, "a"]), lambda v: "–" if v is None else v.upper()).tolist()
['A', '–', 'A']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["object_array", "per_value", "where_distinct"]


def object_array(values: Sequence[Any]) -> np.ndarray:
    """A one-dimensional object array of ``values`` (tuples and lists stay elements, unlike ``np.array``)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def per_value(values: Any, fn: Callable[[Any], Any]) -> np.ndarray:
    """``fn`` of every value, called once per distinct value; a missing value (None, NaN, NA) is passed as None.

    Values are told apart as pandas does (:func:`pandas.factorize`); each reaches ``fn`` as a plain Python value
    (``1.5``, not ``np.float64(1.5)``), as a row of ``Series.tolist()`` would.

    Examples
    --------
    >>> per_value(pd.Series([2030.0, None, 2030.0]), lambda y: "–" if y is None else str(int(y))).tolist()
    ['2030', '–', '2030']
    """
    if isinstance(values, np.ndarray) and values.dtype == object:  # ours (column_values, a per_value result): as is
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    else:
        codes, uniques = pd.factorize(pd.Series(values, dtype=None if len(values) else object), use_na_sentinel=True)
    plain = uniques.tolist() if hasattr(uniques, "tolist") else list(uniques)
    # factorize leaves no missing value among the uniques; fn(None) only when a value is missing (code -1)
    results = object_array([fn(u) for u in plain] + [fn(None) if (codes < 0).any() else None])
    return results[codes]  # code -1 (missing) takes the last result


def where_distinct(column: pd.Series, test: Callable[[Any], bool]) -> np.ndarray:
    """``test`` of every present cell of ``column`` as a boolean array (missing cells False), run once per
    distinct value (``pd.factorize``), as a column repeats its names and codes; unhashable cells (lists, dicts)
    cell by cell.

    Examples
    --------
    >>> where_distinct(pd.Series(["=1", None, "=1", "a"]), lambda v: v.startswith("=")).tolist()
    [True, False, True, False]
    """
    try:
        codes, distinct = pd.factorize(column, use_na_sentinel=True)  # a missing cell is -1
    except TypeError:  # unhashable cells (lists, dicts): cell by cell
        return column.map(lambda v: not _missing(v) and test(v)).to_numpy(dtype=bool)
    hits = np.fromiter((test(v) for v in distinct), dtype=bool, count=len(distinct))
    return np.append(hits, False)[codes]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)
