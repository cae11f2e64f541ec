"""maps._popups: popups built a column at a time are the HTML kv_table and the map's popups write per row."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from map_page import popup_html

from energieplanologie._distinct import per_value
from energieplanologie._html import kv_table
from energieplanologie.maps._popups import column_values, popup_table


def test_per_value_calls_once_per_distinct_value_and_passes_missing_as_none():
    seen = []

    def fn(v):
        seen.append(v)
        return "–" if v is None else f"{v:.1f}"

    out = per_value(pd.Series([2.0, np.nan, 2.0, None, 3.5]), fn)
    assert out.tolist() == ["2.0", "–", "2.0", "–", "3.5"]
    assert sorted(seen, key=str) == [2.0, 3.5, None]  # 2.0 once, 3.5 once, and missing once
    assert all(type(v) is float for v in seen if v is not None)  # plain floats, as Series.tolist() gives
    # a nullable integer column reaches fn as plain ints
    assert per_value(pd.Series([2030, None], dtype="Int64"), repr).tolist() == ["2030", "None"]
    assert per_value([], str).tolist() == []
    # nothing missing: fn never sees None (a formatter that cannot take it is fine)
    assert per_value(np.array([255, 16711680]), lambda c: f"#{c:06x}").tolist() == ["#0000ff", "#ff0000"]


def test_column_values_of_an_absent_column_are_none():
    frame = pd.DataFrame({"a": ["x", None]})
    assert column_values(frame, "a").tolist() == ["x", None]
    assert column_values(frame, "b").tolist() == [None, None]


def test_two_feature_popups_written_by_hand_are_kv_tables_html():
    # feature 1: name "Park & Rij", id "D1", year 2030, programme RES
    # feature 2: no name (title falls back to "D2" by the caller), no programme (row left out), year "<2031>"
    labels, texts = popup_table(["Park & Rij", "D2"], ["D1", ""], [("Programma", ["RES", None]),
                                                                    ("Jaar", ["2030", "<2031>"])])
    assert labels == ["Programma", "Jaar"]
    assert texts.tolist() == ['["Park &amp; Rij","D1","RES","2030"]', '["D2","",null,"&lt;2031&gt;"]']
    collection = {"popupRows": labels}
    html = [popup_html(collection, {"popup": json.loads(t)}) for t in texts]
    assert html == [
        '<h4>Park &amp; Rij</h4><div class="ep-sub">D1</div><table><tr><th>Programma</th><td>RES</td></tr>'
        "<tr><th>Jaar</th><td>2030</td></tr></table>",
        "<h4>D2</h4><table><tr><th>Jaar</th><td>&lt;2031&gt;</td></tr></table>",
    ]
    # the tables are the text kv_table writes for each row
    assert html[0].endswith(kv_table([("Programma", "RES"), ("Jaar", "2030")]))
    assert html[1].endswith(kv_table([("Programma", None), ("Jaar", "<2031>")]))


def test_popup_labels_and_cells_are_escaped_and_encoded_once_per_value():
    labels, texts = popup_table(['"T"', None], ["a&b", 0], [("<L>", ["x\\y", ""]), ("M", [2.5, None])])
    assert labels == ["&lt;L&gt;", "M"]
    # a missing title and an empty cell: empty text and null; a backslash survives JSON; numbers become text
    assert [json.loads(t) for t in texts] == [["&quot;T&quot;", "a&amp;b", "x\\y", "2.5"], ["", "0", None, None]]


def test_format_numbers_is_format_number_of_every_value():
    from energieplanologie.labels import format_number
    from energieplanologie.maps._popups import format_numbers

    # by hand: 0.25 is exactly a half → even (0,2); 0.35 is 0.34999… in binary → 0,3; 2.675 (2.67499…) → 2,67;
    # -0.04 → 0,0 (never -0,0); thousands with a dot; missing → –; inf → ∞; a huge value through format_number
    values = pd.Series([0.25, 0.35, -0.04, 1234.56, None, float("inf"), 1e12, -2.5, 2.675])
    assert format_numbers(values).tolist() == ["0,2", "0,3", "0,0", "1.234,6", "–", "∞", "1.000.000.000.000,0",
                                                "-2,5", "2,7"]
    assert format_numbers(values, 2, "M€").tolist()[-1] == "2,67 M€"
    assert format_numbers(pd.Series([3, None], dtype="Int64"), 0, "MW").tolist() == ["3 MW", "–"]
    assert format_numbers(pd.Series(["1.5", None])).tolist() == ["1,5", "–"]  # not numeric: value by value
    # the same text as format_number, value by value, on numbers of every size and on exact halves
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 10, 20_000), rng.lognormal(0, 6, 20_000), np.arange(-2000, 2000) / 20,
                        np.arange(-2000, 2000) / 200 + 5e-4])
    for decimals in (0, 1, 2, 3):
        assert format_numbers(x, decimals, "MW").tolist() == [format_number(v, decimals, "MW") for v in x]


def test_escaped_is_esc_of_every_value():
    from energieplanologie._html import esc
    from energieplanologie.maps._popups import escaped

    cases = [
        ["A & B", '"q"', "<i>", "", "é'"],  # texts: one pass over their join
        ["a\x00b", "<c>"],  # the join's separator inside a text: value by value
        ["x", None, 2.5, "<y>"],  # not all texts: value by value
        [],
    ]
    for values in cases:
        assert escaped(values).tolist() == [esc(v) for v in values]
    assert escaped(["A & B", '"q"']).tolist() == ["A &amp; B", "&quot;q&quot;"]  # by hand
