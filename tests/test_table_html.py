"""``_html.table_html`` builds its cells a column at a time: the same text as writing every cell by itself."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import pytest

from energieplanologie._html import table_html
from energieplanologie.labels import format_number


def _cell_by_cell(frame: pd.DataFrame, *, numeric=(), decimals: int = 1, row_attrs=None, raw=()) -> str:
    """The table as it was written before: a row at a time, each cell formatted by itself."""
    def esc(v):
        missing = v is None or (not isinstance(v, (list, dict)) and bool(pd.isna(v)))
        return "" if missing else html.escape(str(v), quote=True)

    head = "".join(f'<th class="num">{esc(c)}</th>' if c in numeric else f"<th>{esc(c)}</th>" for c in frame.columns)
    body = []
    for i, row in enumerate(frame.itertuples(index=False, name=None)):
        tds = [f'<td class="num">{format_number(v, decimals)}</td>' if c in numeric else
               f"<td>{v}</td>" if c in raw else f"<td>{esc(v)}</td>" for c, v in zip(frame.columns, row, strict=True)]
        attrs = f" {row_attrs[i]}" if row_attrs is not None else ""
        body.append(f"<tr{attrs}>{''.join(tds)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def test_a_small_table_written_by_hand():
    frame = pd.DataFrame({"Naam": ["<b>Zon</b>", "Zon", None], "Jaar": [2030, 2030, 2035],
                          "MW": [1234.56, -0.04, np.nan]})
    assert table_html(frame, numeric=["MW"], row_attrs=['data-year="2030"', 'data-year="2030"', 'data-year="2035"']) == (
        '<table><thead><tr><th>Naam</th><th>Jaar</th><th class="num">MW</th></tr></thead><tbody>'
        '<tr data-year="2030"><td>&lt;b&gt;Zon&lt;/b&gt;</td><td>2030</td><td class="num">1.234,6</td></tr>'
        '<tr data-year="2030"><td>Zon</td><td>2030</td><td class="num">0,0</td></tr>'
        '<tr data-year="2035"><td></td><td>2035</td><td class="num">–</td></tr></tbody></table>')


@pytest.mark.parametrize("seed", range(5))
def test_columns_at_a_time_write_what_cells_one_by_one_write(seed):
    rng = np.random.default_rng(seed)
    n = 300
    floats = rng.choice([0.0, -0.0, 1.25, 2.5, np.nan, np.inf, -np.inf, 1e12, 0.05, -0.05], n)
    frame = pd.DataFrame({
        "tekst": rng.choice(np.array(["a", "<i>", "a & b", '"q"', "", "Zon"], dtype=object), n),
        "met leeg": pd.Series(rng.choice(np.array(["x", None, np.nan, "y"], dtype=object), n), dtype=object),
        "gemengd": pd.Series(rng.choice(np.array([1, 1.0, True, "1", -0.0, 0.0, None], dtype=object), n), dtype=object),
        "float als tekst": floats,  # str(-0.0) is not str(0.0): cell by cell
        "getal": floats,
        "geheel": pd.Series(rng.choice([1, 2, 3], n), dtype="Int64").where(rng.random(n) > 0.2, pd.NA),
        "gemengd getal": pd.Series(rng.choice(np.array([1, 1.0, 2.5, None, -0.0], dtype=object), n), dtype=object),
        "ruw": rng.choice(np.array(["<b>1</b>", "<i>2</i>"], dtype=object), n),
    })
    numeric = ["getal", "gemengd getal"]
    attrs = [f'data-i="{i}"' for i in range(n)]
    for decimals in (0, 1, 2):
        assert table_html(frame, numeric=numeric, decimals=decimals, raw=["ruw"], row_attrs=attrs) == \
            _cell_by_cell(frame, numeric=numeric, decimals=decimals, raw=["ruw"], row_attrs=attrs)
    assert table_html(frame.iloc[:0]) == _cell_by_cell(frame.iloc[:0])
