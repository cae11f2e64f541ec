"""csv_text: the CSV text of a frame, byte for byte what pandas' ``to_csv`` writes, on hand-written and generated
frames (every column kind it handles, awkward text, every float, one-column frames, other separators)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energieplanologie.csv_text import csv_chunks, supported


def _text(frame: pd.DataFrame, **kwargs) -> str:
    return "".join(csv_chunks(frame, **kwargs))


def test_hand_written_frame():
    frame = pd.DataFrame({
        "naam": pd.Series(['de "Kreek", Axel', "twee\nregels", None, "x\x00y"], dtype=object),
        "mw": [0.1 + 0.2, -0.0, float("nan"), 1e-05],
        "jaar": [2030, 2035, 2040, 2045],
        "vast": [True, False, True, False],
        "aantal": pd.array([1, None, 3, 4], dtype="Int64"),
        "code": pd.Series(["A", None, "C", "D"], dtype="string"),
        "gemengd": pd.Series([1, "twee", pd.NA, 2.5], dtype=object),
    })
    expected = ("naam,mw,jaar,vast,aantal,code,gemengd\n"
                '"de ""Kreek"", Axel",0.30000000000000004,2030,True,1,A,1\n'  # quoted: a comma and quotes
                '"twee\nregels",-0.0,2035,False,,,twee\n'                     # quoted: a line feed; -0.0 kept
                ",,2040,True,3,C,\n"                                           # None, NaN, pd.NA: empty
                "x\x00y,1e-05,2045,False,4,D,2.5\n")                           # a NUL is written as it is
    assert _text(frame) == expected
    assert frame.to_csv(index=False, lineterminator="\n") == expected  # what pandas writes
    # another separator: the comma no longer needs quotes, the semicolon does
    semi = pd.DataFrame({"a": ["x,y", "x;y"], "b": [1.5, 2.0]})
    assert _text(semi, sep=";") == 'a;b\nx,y;1.5\n"x;y";2.0\n'


def test_one_column_and_empty_frames():
    # the csv writer writes a row's only field, when empty, as "" (else the row would be an empty line)
    assert _text(pd.DataFrame({"a": ["", None, "x"]})) == 'a\n""\n""\nx\n'
    assert _text(pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=float)})) == "a,b\n"
    assert not supported(pd.DataFrame())
    assert not supported(pd.DataFrame({"d": pd.to_datetime(["2030-01-01"])}))
    assert not supported(pd.DataFrame({"f": np.array([0.1], dtype=np.float32)}))  # float32 digits differ
    assert not supported(pd.DataFrame({0: [1]}))  # a column name that is not text
    with pytest.raises(ValueError, match="to_csv"):
        _text(pd.DataFrame({"d": pd.to_datetime(["2030-01-01"])}))


def test_chunks_join_to_the_whole():
    frame = pd.DataFrame({"a": np.arange(10) * 0.5, "b": list("abcdefghij")})
    assert _text(frame, chunk_rows=3) == _text(frame) == frame.to_csv(index=False, lineterminator="\n")
    assert len(list(csv_chunks(frame, chunk_rows=3))) == 1 + 4  # the header, then 3 + 3 + 3 + 1 rows


TEXT = st.text(alphabet=st.sampled_from(list("ab ,;\"'\n\r\t=-+@.0123456789é\x00")), max_size=6)
FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.1, 1e16, 1e-5, -0.0, 5e-324, 1e22])
ODD = st.one_of(TEXT, st.none(), st.just(np.nan), st.just(pd.NA), st.integers(-10**20, 10**20), FLOATS,
                st.booleans(), st.just(np.float64(0.1)), st.just(np.int64(7)), st.just(b"bytes"), st.just([1, 2]),
                st.just(pd.Timestamp("2031-06-30")))


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 6))
    kinds = draw(st.lists(st.sampled_from(["float", "int", "bool", "text", "mixed", "string", "str", "Int64",
                                           "boolean"]), min_size=1, max_size=4))
    data = {}
    for i, kind in enumerate(kinds):
        name = draw(TEXT) + f"_{i}" if draw(st.booleans()) else draw(TEXT)
        if kind == "float":
            values = pd.Series(draw(st.lists(FLOATS, min_size=n, max_size=n)), dtype="float64")
        elif kind == "int":
            values = pd.Series(draw(st.lists(st.integers(-2**63, 2**63 - 1), min_size=n, max_size=n)), dtype="int64")
        elif kind == "bool":
            values = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        elif kind in ("text", "string", "str"):
            cells = draw(st.lists(TEXT | st.none(), min_size=n, max_size=n))
            values = pd.Series(cells, dtype=object if kind == "text" else kind)
        elif kind == "mixed":
            values = pd.Series(draw(st.lists(ODD, min_size=n, max_size=n)), dtype=object)
        elif kind == "Int64":
            values = pd.Series(draw(st.lists(st.integers(-2**63, 2**63 - 1) | st.none(), min_size=n, max_size=n)),
                               dtype="Int64")
        else:
            values = pd.Series(draw(st.lists(st.booleans() | st.none(), min_size=n, max_size=n)), dtype="boolean")
        data[i] = (name, values)
    frame = pd.DataFrame({i: values for i, (_, values) in data.items()})
    frame.columns = [name for name, _ in data.values()]  # names may repeat, as pandas allows
    return frame


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(), sep=st.sampled_from([",", ";", "\t", "|"]), chunk_rows=st.integers(1, 4),
       header=st.booleans(), na_rep=st.sampled_from(["", "\\N", "NA", "a,b"]))
def test_the_same_text_as_pandas_to_csv(frame, sep, chunk_rows, header, na_rep):
    assert supported(frame)
    expected = frame.to_csv(index=False, lineterminator="\n", sep=sep, header=header, na_rep=na_rep)
    assert _text(frame, sep=sep, chunk_rows=chunk_rows, header=header, na_rep=na_rep) == expected
