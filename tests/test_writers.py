"""The writers' fast paths (issue 19): the GeoPackage through Arrow where that writes the same fields and values,
text made storable without a pass over every cell in Python, and the CSV text of a frame written without pandas'
``to_csv``, byte for byte as it wrote it. Expected values are written out by hand; the files are read back
with sqlite3 (what GDAL stored, without a reader's interpretation) and pyogrio."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from shapely import Point

from energieplanologie.writers import write_csv, write_layers


def _hostile_layer(n_extra: int = 0) -> gpd.GeoDataFrame:
    """Three rows of every kind of column a layer may carry, the awkward values included."""
    return gpd.GeoDataFrame({
        "name": pd.Series(["x\x00y", pd.NA, "Sluis"], dtype=object),  # a NUL, pd.NA, plain text
        "note": ["a", None, np.nan],                                 # None and NaN in text
        "empty": [None, None, None],                                 # no value at all (text field)
        "nan_only": [np.nan, np.nan, np.nan],                        # object of NaN: a REAL field, as pyogrio does
        "count": pd.array([1, None, 3], dtype="Int64"),              # a pandas integer with a missing value
        "flag": [True, False, True],
        "mw": [1.5, np.nan, -2.25],
        "code": pd.Series(["A", None, "C\x00"], dtype="string"),     # pandas string with pd.NA and a NUL
        "mixed": [1, "twee", pd.NA],                                 # text mixed with a number: the row writer
    }, geometry=[Point(0, 0), Point(1, 2), None], crs="EPSG:28992")


def _rows(path, layer: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f'SELECT name, note, empty, nan_only, count, flag, mw, code, mixed FROM "{layer}" '
                            "ORDER BY fid").fetchall()


def _schema(path, layer: str) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (layer,)).fetchone()[0]


def test_write_layers_stores_every_awkward_value_as_gdal_can(tmp_path):
    frame = _hostile_layer()
    text_only = frame.drop(columns=["mixed"])  # text, numbers, booleans: through Arrow
    out = write_layers(tmp_path / "uit.gpkg", {"gemengd": frame, "tekst": text_only}, dutch_headers=False)
    # NUL → U+FFFD (GDAL would cut 'x\0y' to 'x'); pd.NA, None and NaN → NULL (never the text '<NA>');
    # the mixed column is text: 1 → '1'; the boolean as 1/0.
    expected = [("x\ufffdy", "a", None, None, 1, 1, 1.5, "A", "1"),
                (None, None, None, None, None, 0, None, None, "twee"),
                ("Sluis", None, None, None, 3, 1, -2.25, "C\ufffd", None)]
    assert _rows(out, "gemengd") == expected
    assert _rows_without_mixed(out, "tekst") == [row[:-1] for row in expected]
    fields = ('"name" TEXT, "note" TEXT, "empty" TEXT, "nan_only" REAL, "count" INTEGER, "flag" BOOLEAN, '
              '"mw" REAL, "code" TEXT')
    assert fields in _schema(out, "gemengd") and fields in _schema(out, "tekst")
    # the frame handed in is unchanged
    assert frame.loc[0, "name"] == "x\x00y" and frame.loc[1, "name"] is pd.NA


def _rows_without_mixed(path, layer: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f'SELECT name, note, empty, nan_only, count, flag, mw, code FROM "{layer}" '
                            "ORDER BY fid").fetchall()


def test_write_layers_through_arrow_equals_the_row_writer(tmp_path):
    """What the Arrow path writes is what pyogrio's row writer writes: same fields (types, order), same values,
    same geometry, for a layer with every column kind that goes through Arrow; an empty layer and an attribute
    table too."""
    frame = _hostile_layer().drop(columns=["mixed"])
    frame["name"] = frame["name"].astype(object).where(frame["name"].notna(), None).str.replace("\x00", "-")
    frame["code"] = frame["code"].str.replace("\x00", "-")
    frame["none_int"] = pd.array([None] * 3, dtype="Int64")  # without any value: still an INTEGER field
    frame["none_bool"] = pd.array([None] * 3, dtype="boolean")
    frame["none_str"] = pd.Series([None] * 3, dtype="str")
    table = pd.DataFrame(frame.drop(columns="geometry"))
    layers = {"laag": frame, "tabel": table, "leeg": frame.iloc[:0]}
    ours = write_layers(tmp_path / "ons.gpkg", layers, dutch_headers=False)
    rows = tmp_path / "rij.gpkg"
    for name, layer in layers.items():
        kwargs = {"geometry_type": "Unknown"} if name == "leeg" else {}
        pyogrio.write_dataframe(layer, rows, layer=name, driver="GPKG", dataset_options={"VERSION": "1.2"},
                                use_arrow=False, **kwargs)
    assert pyogrio.list_layers(ours).tolist() == pyogrio.list_layers(rows).tolist()
    for name in layers:
        assert _schema(ours, name) == _schema(rows, name)
        a, b = (pyogrio.read_dataframe(p, layer=name) for p in (ours, rows))
        pd.testing.assert_frame_equal(a, b)
        info_a, info_b = pyogrio.read_info(ours, layer=name), pyogrio.read_info(rows, layer=name)
        assert info_a["fields"].tolist() == info_b["fields"].tolist()
        assert info_a["dtypes"].tolist() == info_b["dtypes"].tolist()
        assert info_a["geometry_type"] == info_b["geometry_type"]


def test_write_csv_hostile_cells_hand_written(tmp_path):
    """Formula-like text gets a ' (also in a pandas string column and among numbers in an object column); numbers
    and numeric text stay as they are; NUL kept, pd.NA/None/NaN empty; a list cell (unhashable) is written as
    text; a carriage return becomes a line feed inside quotes."""
    frame = pd.DataFrame({
        "naam": pd.Series(["=cmd|' /C calc'!A0", "x\x00y", pd.NA, "-5"], dtype=object),
        "code": pd.Series(["+31", "@SUM(A1)", None, "a\rb"], dtype="string"),
        "gemengd": pd.Series([-5, "-2+3", None, 1.5], dtype=object),
        "lijst": pd.Series([[1, 2], "=1", None, "ok"], dtype=object),
        "mw": [-5.0, np.nan, 0.25, 1e-05],
    })
    text = write_csv(frame, tmp_path / "x.csv", dutch_headers=False).read_bytes().decode("utf-8")
    assert text == ("naam,code,gemengd,lijst,mw\n"
                    "'=cmd|' /C calc'!A0,+31,-5,\"[1, 2]\",-5.0\n"
                    "x\x00y,'@SUM(A1),'-2+3,'=1,\n"
                    ",,,,0.25\n"
                    "-5,\"a\nb\",1.5,ok,1e-05\n")
    assert frame.loc[1, "code"] == "@SUM(A1)"  # the frame handed in is unchanged


def test_write_layers_gives_sqlite_a_larger_cache_and_the_same_bytes(tmp_path, monkeypatch):
    """GDAL's ``OGR_SQLITE_CACHE`` is 64 MB while the layers are written (the spatial index of 10⁶ points is built
    in about half the time), unset again afterwards; a user's own setting wins; the file is the same byte for byte
    either way (timestamps fixed)."""
    monkeypatch.setenv("OGR_CURRENT_DATE", "2026-01-01T00:00:00.000Z")
    rng = np.random.default_rng(0)
    layer = gpd.GeoDataFrame({"mw": rng.random(20_000)}, geometry=gpd.points_from_xy(*rng.random((2, 20_000)) * 1e5),
                             crs="EPSG:28992")
    seen: list[object] = []
    real_write = pyogrio.write_dataframe

    def write_dataframe(*args, **kwargs):
        seen.append(pyogrio.get_gdal_config_option("OGR_SQLITE_CACHE"))
        return real_write(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", write_dataframe)
    ours = write_layers(tmp_path / "ons.gpkg", {"punten": layer})
    assert seen == [64] and pyogrio.get_gdal_config_option("OGR_SQLITE_CACHE") is None
    monkeypatch.setenv("OGR_SQLITE_CACHE", "1")  # the user's choice: 1 MB
    theirs = write_layers(tmp_path / "hun.gpkg", {"punten": layer})
    assert seen == [64, 1] and pyogrio.get_gdal_config_option("OGR_SQLITE_CACHE") == 1
    assert ours.read_bytes() == theirs.read_bytes()
