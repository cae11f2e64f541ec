"""The interactive map's data, the static maps, notes and the HTML/JSON safety helpers.

A small hand-made region (two square municipalities, two stations, three developments, one project) with a
hand-written balance makes every expected value checkable by eye; the sample region is used where size matters.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine
from map_page import data_layers, popup_html, station_year, style_of
from matplotlib.artist import Artist

from energieplanologie import ReadError, ValidationError
from energieplanologie._html import esc, safe_file_stem, script_json
from energieplanologie.labels import VALUE_LABELS, format_number
from energieplanologie.maps import LAYER_NAMES, read_notes, region_map, render_html, static_region_map
from energieplanologie.maps._style import CARRIER_COLOURS, HOTSPOT_COLOURS, SECTOR_COLOURS, STATUS_COLOURS
from energieplanologie.maps.interactive import balance_for_map, density_overlay, largest_developments
from energieplanologie.maps.static import station_status_in_year
from energieplanologie.region import Region
from energieplanologie.schema import CRS_RD


@pytest.fixture(scope="module")
def small_region() -> Region:
    mun = gpd.GeoDataFrame({"municipality_code": ["GM0001", "GM0002"], "name": ["Alfa", "Beta"]},
                           geometry=[shapely.box(100_000, 400_000, 110_000, 410_000),
                                     shapely.box(110_000, 400_000, 120_000, 410_000)], crs=CRS_RD)
    stations = gpd.GeoDataFrame({"station_id": ["A", "B"], "name": ["Station Alfa", "Station Beta"],
                                 "voltage_kv": ["150/20", "10"]},
                                geometry=[shapely.Point(105_000, 405_000), shapely.Point(115_000, 405_000)], crs=CRS_RD)
    capacity = pd.DataFrame({"station_id": ["A"], "year": [2025], "offtake_capacity_mw": [75.0],
                             "feedin_capacity_mw": [50.0], "offtake_load_mw": [60.0], "feedin_load_mw": [10.0]})
    infra = gpd.GeoDataFrame({"project_id": ["P1"], "name": ["Kabel Alfa"], "infra_type": ["cable_hv"],
                              "status": ["investment_plan"], "year_ready": [2035], "station_id": ["A"],
                              "offtake_capacity_added_mw": [50.0]},
                             geometry=[shapely.LineString([(105_000, 405_000), (108_000, 408_000)])], crs=CRS_RD)
    dev = gpd.GeoDataFrame(
        {"development_id": ["d1", "d2", "d3"],
         "name": ["Woonwijk <b>Noord</b>", "{{ 7*7 }} fabriek", "Zonneveld Beta"],
         "sector": ["housing", "industry", "renewables"], "offtake_mw": [10.0, 20.0, 0.0],
         "feedin_mw": [0.0, 0.0, 4.0], "year": [2025, 2030, 2030],
         "certainty": ["committed", "intended", "speculative"]},
        geometry=[shapely.Point(104_000, 404_000), shapely.Point(106_000, 406_000),
                  shapely.box(113_000, 402_000, 117_000, 404_000)], crs=CRS_RD)
    return Region.from_layers(name="Proefregio", municipalities=mun, stations=stations, station_capacity=capacity,
                              infrastructure=infra, developments=dev, years=(2025, 2030, 2035))


@pytest.fixture(scope="module")
def small_balance() -> pd.DataFrame:
    """Hand-written: A offtake amber in 2025, red in 2030, green in 2035; feed-in always green; B has no rows."""
    rows = []
    for year, off_status, cap, load in ((2025, "amber", 75.0, 70.0), (2030, "red", 75.0, 80.0),
                                        (2035, "green", 125.0, 80.0)):
        rows.append(("A", year, "offtake", cap, load, off_status))
        rows.append(("A", year, "feedin", 50.0, 10.0, "green"))
    b = pd.DataFrame(rows, columns=["station_id", "year", "direction", "capacity_mw", "load_mw", "status"])
    b["headroom_mw"] = b["capacity_mw"] - b["load_mw"]
    b["scenario"] = "verwacht"
    b["first_shortage_year"] = pd.array([2030 if d == "offtake" else None for d in b["direction"]], dtype="Int64")
    return b


@pytest.fixture(scope="module")
def small_hotspots(small_region) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"hotspot_id": ["KP-1", "KP-2"], "name": ["Knooppunt <i>Alfa</i>", "Knooppunt Alfa"],
                             "level": ["local", "provincial"], "year": [2030, 2035], "total_mw": [30.0, 50.0]},
                            geometry=[shapely.Point(105_000, 405_000).buffer(1500)] * 2, crs=CRS_RD)


# ------------------------------------------------------------------------------------------------ helpers


def test_every_styled_value_has_a_dutch_label():
    for column, colours in (("sector", SECTOR_COLOURS), ("carrier", CARRIER_COLOURS), ("level", HOTSPOT_COLOURS),
                            ("balance_status", STATUS_COLOURS)):
        assert set(colours) <= set(VALUE_LABELS[column]), column


def test_script_json_cannot_break_out_of_a_script_or_a_template():
    text = script_json({"a": "</script><script>alert(1)</script>", "b": "{{ 7*7 }} {% x %} {# c #}",
                        "c": "line\u2028sep", "d": float("nan"), "e": np.int64(3), "f": "it's & <ok>"})
    # no '<' (no tag, comment or end of the script can start), no '&' or "'"; a '>' alone closes nothing
    assert "<" not in text and "&" not in text and "'" not in text and text.count(">") == 4  # the data's four
    assert "{{" not in text and "{%" not in text and "{#" not in text and "\u2028" not in text
    back = json.loads(text)  # still the same data for JavaScript
    assert back["a"] == "</script><script>alert(1)</script>" and back["b"] == "{{ 7*7 }} {% x %} {# c #}"
    assert back["d"] is None and back["e"] == 3


def test_script_json_one_pass_and_walk_write_the_same_text():
    # json's C encoder writes it in one pass when it can; a NaN (or a key it cannot write) sends the whole object
    # through _plain. Hand-written expectations, both ways:
    assert script_json({"x": [np.float64(0.5), np.int64(2), np.bool_(True), pd.NA, None, (1, "a")]}) \
        == '{"x":[0.5,2,true,null,null,[1,"a"]]}'  # one pass: numpy scalars and NA through json's default hook
    assert script_json({"x": [np.float64(0.5), np.int64(2), np.bool_(True), pd.NA, None, (1, "a")],
                        "y": float("inf")}) == '{"x":[0.5,2,true,null,null,[1,"a"]],"y":null}'  # the walk
    # keys as JSON writes them in both ways: 7 → "7", True → "true"; a numpy key only the walk can write
    assert script_json({7: 1, True: 2}) == '{"7":1,"true":2}'
    assert script_json({np.int64(7): 1, True: float("nan")}) == '{"7":1,"true":null}'
    with pytest.raises(TypeError, match="Timestamp"):  # what JSON cannot hold is still an error, not text
        script_json({"t": pd.Timestamp("2030-01-01")})


def test_escaping_and_dutch_numbers():
    assert esc("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert esc(None) == "" and esc(float("nan")) == ""
    assert format_number(1234.56) == "1.234,6" and format_number(-0.04) == "0,0" and format_number(None) == "–"
    assert safe_file_stem("../../x").startswith("x-") and safe_file_stem("GM0715") == "GM0715"


def test_balance_for_map_picks_one_scenario(small_balance):
    two = pd.concat([small_balance, small_balance.assign(scenario="maximaal")])
    with pytest.raises(ValueError, match="meerdere scenario"):
        balance_for_map(two)
    assert set(balance_for_map(two, "maximaal")["scenario"]) == {"maximaal"}
    with pytest.raises(ValueError, match="komt niet voor"):
        balance_for_map(two, "onbekend")
    # rows in their order; missing scenarios are no scenario (nor one called "None"); numbers compared as text
    b = pd.DataFrame({"scenario": ["verwacht", None, 2030, "maximaal", np.nan, "verwacht", "None"],
                      "station_id": list("ABCDEFG")})
    assert balance_for_map(b, "verwacht")["station_id"].tolist() == ["A", "F"]
    assert balance_for_map(b, "2030")["station_id"].tolist() == ["C"]
    assert balance_for_map(b, "None")["station_id"].tolist() == ["G"]  # a missing one is not text "None"
    with pytest.raises(ValueError, match=r"wel: 2030, None, maximaal, verwacht\)"):
        balance_for_map(b, "nan")
    one = b.iloc[[0, 5]]
    assert balance_for_map(one).equals(one) and balance_for_map(one, "verwacht").equals(one)


def test_within_keeps_the_rows_that_touch_the_area_in_their_order():
    from energieplanologie.maps.interactive import _within

    frame = gpd.GeoDataFrame({"id": list("abcde")}, index=[10, 3, 7, 1, 5], crs=CRS_RD, geometry=[
        shapely.Point(5, 5), None, shapely.box(9, 9, 20, 20), shapely.Point(), shapely.LineString([(-5, 0), (0, 0)])])
    assert _within(frame, shapely.box(0, 0, 10, 10))["id"].tolist() == ["a", "c", "e"]  # e touches at (0, 0)
    assert _within(frame, shapely.box(0, 0, 10, 10)).index.tolist() == [10, 7, 5]
    assert _within(frame, shapely.box(50, 50, 60, 60)).empty


def test_station_status_per_direction_and_combined():
    from energieplanologie.maps.interactive import _station_status

    b = pd.DataFrame({"station_id": ["A", "A", "A", "B", "B"], "year": [2030, 2030, 2030, 2030, 2035],
                      "direction": ["offtake", "offtake", "feedin", "feedin", "feedin"],
                      "status": ["green", "red", "amber", "nonsense", "green"]})
    got = _station_status(b)
    assert got.to_dict("records") == [
        {"station_id": "A", "year": 2030, "feedin": "amber", "offtake": "red", "combined": "red"},
        {"station_id": "B", "year": 2030, "feedin": "unknown", "offtake": "unknown", "combined": "unknown"},
        {"station_id": "B", "year": 2035, "feedin": "green", "offtake": "unknown", "combined": "green"}]


def test_tile_providers_give_the_layers_the_urls_give():
    import folium

    from energieplanologie.maps.interactive import (
        _OSM_TILES,
        _PDOK_BRT_TILES,
        OSM_ATTRIBUTION,
        OSM_URL,
        PDOK_BRT_ATTRIBUTION,
        PDOK_BRT_URL,
    )

    for url, tiles, attr in ((PDOK_BRT_URL, _PDOK_BRT_TILES, PDOK_BRT_ATTRIBUTION), (OSM_URL, _OSM_TILES, OSM_ATTRIBUTION)):
        theirs, ours = (folium.TileLayer(t, attr=attr, name="Laag", max_zoom=19, overlay=False, show=False)
                        for t in (url, tiles))
        assert (ours.tiles, ours.tile_name, ours.options) == (theirs.tiles, theirs.tile_name, theirs.options)
        assert ours.tiles == url and ours.options["max_native_zoom"] == 19 and ours.options["subdomains"] == "abc"


def test_station_status_in_year_takes_the_worse_direction(small_balance):
    assert station_status_in_year(small_balance, 2030) == {"A": "red"}
    assert station_status_in_year(small_balance, 2025) == {"A": "amber"}
    assert station_status_in_year(None, 2030) == {}


# -------------------------------------------------------------------------------------------- region map


def test_region_map_layers_carry_the_state_per_year(small_region, small_balance, small_hotspots):
    m = region_map(small_region, balance=small_balance, hotspots=small_hotspots, year=2030)
    page = render_html(m, self_contained=False)
    layers = data_layers(page)
    assert sorted(layers) == ["developments", "hotspots", "infrastructure", "municipalities", "stations"]
    for name in (LAYER_NAMES["municipalities"], LAYER_NAMES["stations"], LAYER_NAMES["infrastructure"],
                 LAYER_NAMES["hotspots"], "Ontwikkelingen: Woningbouw", "Ontwikkelingen: Industrie (CES)",
                 "Ontwikkelingen: Opwek (RES)", "PDOK BRT achtergrondkaart", "OpenStreetMap"):
        assert json.dumps(name)[1:-1] in page or name in page, name
    assert PDOK_URL_IN(page)

    collection = layers["stations"][0]
    stations = {f["properties"]["id"]: f["properties"] for f in collection["features"]}
    # A: offtake amber/red/green over the years and feed-in green → the worse one; B has no balance rows
    a_years = {y: station_year(collection, stations["A"], y) for y in (2025, 2030, 2035)}
    assert {y: v["status"] for y, v in a_years.items()} == {2025: "amber", 2030: "red", 2035: "green"}
    assert a_years[2030]["colour"] == STATUS_COLOURS["red"]
    assert a_years[2030]["tooltip"] == "Station Alfa — 2030: afname tekort, invoeding ruimte"
    assert {station_year(collection, stations["B"], y)["status"] for y in (2025, 2030, 2035)} == {"unknown"}
    # the popup tables capacity vs load per year, with the 2030 shortage of 75 - 80 = -5 MW
    a_popup = popup_html(collection, stations["A"])
    assert 'data-year="2030"' in a_popup and "-5,0" in a_popup
    assert "Eerste tekort: afname 2030, invoeding –" in a_popup

    devs = {f["properties"]["id"]: f["properties"] for c in layers["developments"] for f in c["features"]}
    dev_popups = {f["properties"]["id"]: popup_html(c, f["properties"]) for c in layers["developments"]
                  for f in c["features"]}
    assert {k: v["year"] for k, v in devs.items()} == {"d1": 2025, "d2": 2030, "d3": 2030}
    dev_styles = {f["properties"]["id"]: style_of(c, f["properties"]) for c in layers["developments"]
                  for f in c["features"]}
    assert dev_styles["d3"]["dashArray"] == "2 5"  # speculative: dotted and light
    # names from data are escaped, and folium's second Jinja pass did not evaluate "{{ 7*7 }}"
    assert html.escape("Woonwijk <b>Noord</b>") in dev_popups["d1"] and "<b>Noord" not in dev_popups["d1"]
    assert dev_popups["d2"].startswith("<h4>{{ 7*7 }} fabriek</h4>")
    assert "49 fabriek" not in page

    infra = layers["infrastructure"][0]["features"][0]["properties"]
    assert infra["ready"] == 2035 and infra["existing"] is False
    hotspots = [f["properties"] for f in layers["hotspots"][0]["features"]]
    assert [h["year"] for h in hotspots] == [2030, 2035]
    assert "Knooppunt &lt;i&gt;Alfa&lt;/i&gt;" in hotspots[0]["popup"]

    # the year selector starts at the chosen year and offers the region's years
    call = re.search(r"EP\.yearControl\(\w+, (\{.*\})\);", page)
    cfg = json.loads(call.group(1))
    assert cfg["years"] == [2025, 2030, 2035] and cfg["initial"] == 2030


def PDOK_URL_IN(page: str) -> bool:
    return "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png" in page


def test_region_map_geometry_is_wgs84_in_the_right_place(small_region):
    layers = data_layers(render_html(region_map(small_region), self_contained=False))
    a = next(f for f in layers["stations"][0]["features"] if f["properties"]["id"] == "A")
    lon, lat = a["geometry"]["coordinates"]
    expected = gpd.GeoSeries([shapely.Point(105_000, 405_000)], crs=CRS_RD).to_crs(4326).iloc[0]
    assert abs(lon - expected.x) < 2e-6 and abs(lat - expected.y) < 2e-6  # rounded to 1e-6 degrees


def test_region_map_rejects_a_year_outside_the_analysis(small_region):
    with pytest.raises(ValueError, match="analysejaren"):
        region_map(small_region, year=2050)


def test_region_map_draws_the_largest_developments_and_says_how_many(small_region, caplog):
    # d1 10 MW offtake, d2 20 MW offtake, d3 4 MW feed-in (the fixture): the two largest are d2 and d1
    with caplog.at_level("WARNING", logger="energieplanologie"):
        page = render_html(region_map(small_region, max_developments=2), self_contained=False)
    layers = data_layers(page)
    assert sorted(f["properties"]["id"] for c in layers["developments"] for f in c["features"]) == ["d1", "d2"]
    call = re.search(r"EP\.title\(\w+, (\"[^\"]*\"), (\"[^\"]*\")\);", page)
    assert json.loads(call.group(2)) == "De 2 grootste van 3 ontwikkelingen getoond (naar vermogen); alle staan in de GeoPackage"
    assert "de 2 grootste van 3 ontwikkelingen getoond" in caplog.text
    # one left: the largest; within the limit (and with None) all three, a title without a note and no warning
    layers = data_layers(render_html(region_map(small_region, max_developments=1), self_contained=False))
    assert [f["properties"]["id"] for c in layers["developments"] for f in c["features"]] == ["d2"]
    caplog.clear()
    for limit in (3, None):
        page = render_html(region_map(small_region, max_developments=limit), self_contained=False)
        assert len([f for c in data_layers(page)["developments"] for f in c["features"]]) == 3
        assert re.search(r"EP\.title\(\w+, \"[^\"]*\"\);", page)
    assert "grootste" not in caplog.text
    for bad in (-1, 2.5, "10", True):  # a clear error in Dutch, before any work
        with pytest.raises(ValueError, match="geheel getal van 0 of meer"):
            region_map(small_region, max_developments=bad)


def test_largest_developments_ranks_by_the_larger_direction_and_keeps_the_layer_order():
    dev = gpd.GeoDataFrame({"development_id": list("abcde"), "offtake_mw": [3.0, np.nan, 1.0, 3.0, 0.0],
                            "feedin_mw": [0.0, 2.0, np.nan, 0.0, 9.0]}, geometry=[shapely.Point(0, 0)] * 5)
    # by hand: e 9, a 3, d 3 (a first among equals), b 2, c 1
    assert largest_developments(dev, 3)["development_id"].tolist() == ["a", "d", "e"]
    assert largest_developments(dev, 2)["development_id"].tolist() == ["a", "e"]
    assert largest_developments(dev, 0).empty and largest_developments(dev, 9) is dev
    with pytest.raises(ValueError):
        largest_developments(dev, -1)


def test_focus_map_keeps_what_is_near_the_municipality(small_region):
    m = region_map(small_region, focus="GM0002", focus_buffer_m=500)
    layers = data_layers(render_html(m, self_contained=False))
    assert [f["properties"]["id"] for f in layers["stations"][0]["features"]] == ["B"]
    devs = [f["properties"]["id"] for c in layers.get("developments", []) for f in c["features"]]
    assert devs == ["d3"]
    muns = {f["properties"]["id"]: f["properties"]["style"] for f in layers["municipalities"][0]["features"]}
    assert muns["GM0002"]["fillOpacity"] == 0.0 and muns["GM0001"]["fillOpacity"] > 0  # the neighbour greyed
    with pytest.raises(ValueError, match="GM9999"):
        region_map(small_region, focus="GM9999")


def test_station_popups_are_built_per_station_and_the_same_on_a_focus_map(small_region, small_balance):
    # B gets rows of its own: 2025 offtake capacity 40, load 25 -> headroom 15,0; 2030 has no numbers at all in
    # either direction (no row in its table); its statuses stay apart from A's.
    b_rows = pd.DataFrame({"station_id": ["B"] * 4, "year": [2025, 2025, 2030, 2030],
                           "direction": ["offtake", "feedin"] * 2, "capacity_mw": [40.0, 30.0, np.nan, np.nan],
                           "load_mw": [25.0, 35.0, np.nan, np.nan], "status": ["green", "red", None, None],
                           "scenario": "verwacht",
                           "first_shortage_year": pd.array([None, 2025, None, 2025], dtype="Int64")})
    b_rows["headroom_mw"] = b_rows["capacity_mw"] - b_rows["load_mw"]
    balance = pd.concat([small_balance, b_rows], ignore_index=True)
    whole = data_layers(render_html(region_map(small_region, balance=balance), self_contained=False))
    popups = {f["properties"]["id"]: popup_html(whole["stations"][0], f["properties"])
              for f in whole["stations"][0]["features"]}
    b = popups["B"]
    assert b.count("<tr data-year=") == 1 and 'data-year="2025"' in b  # 2030 has no numbers: no row
    assert "15,0" in b and "-5,0" in b  # offtake 40 - 25; feed-in 30 - 35
    assert "Eerste tekort: afname –, invoeding 2025 · scenario verwacht" in b
    assert "-5,0" in popups["A"] and "15,0" not in popups["A"]  # A's 2030 shortage; none of B's numbers
    # the focus map draws only A (GM0001, 500 m around it) and its popup is the region map's, to the byte
    focus = data_layers(render_html(region_map(small_region, balance=balance, focus="GM0001", focus_buffer_m=500),
                                     self_contained=False))
    assert {f["properties"]["id"]: popup_html(focus["stations"][0], f["properties"])
            for f in focus["stations"][0]["features"]} == {"A": popups["A"]}


def test_density_overlay_lands_where_the_density_is(tmp_path):
    # 20 × 20 cells of 500 m from (100 000, 410 000) down-right; one hot 2 × 2 block at rows 4–5, columns 10–11,
    # i.e. RD x 105 000–106 000, y 407 000–408 000 → centre (105 500, 407 500).
    array = np.zeros((20, 20))
    array[4:6, 10:12] = 10.0
    transform = Affine(500, 0, 100_000, 0, -500, 410_000)
    rgba, bounds, vmax = density_overlay((array, transform))
    (south, west), (north, east) = bounds
    corner = gpd.GeoSeries([shapely.Point(100_000, 400_000), shapely.Point(110_000, 410_000)], crs=CRS_RD).to_crs(4326)
    assert south <= corner.iloc[0].y + 1e-4 and north >= corner.iloc[1].y - 1e-4
    assert vmax == pytest.approx(10.0, rel=0.05)
    # intensity-weighted centre of the coloured pixels (alpha = 60 + 170 × value / vmax where value > 0)
    weight = np.where(rgba[..., 3] > 0, rgba[..., 3].astype(float) - 60, 0.0)
    rows_idx, cols_idx = np.indices(weight.shape)
    rows = np.array([np.average(rows_idx, weights=weight)])
    cols = np.array([np.average(cols_idx, weights=weight)])
    # pixel centre → Web Mercator → RD, then compare with the hot block's centre
    from pyproj import Transformer

    merc = Transformer.from_crs(4326, 3857, always_xy=True)
    (x0, y1), (x1, y0) = merc.transform(west, north), merc.transform(east, south)
    px = x0 + (cols.mean() + 0.5) / rgba.shape[1] * (x1 - x0)
    py = y1 - (rows.mean() + 0.5) / rgba.shape[0] * (y1 - y0)
    found = gpd.GeoSeries([shapely.Point(px, py)], crs=3857).to_crs(CRS_RD).iloc[0]
    assert found.distance(shapely.Point(105_500, 407_500)) < 250  # within half a cell

    import rasterio

    tif = tmp_path / "dichtheid.tif"
    with rasterio.open(tif, "w", driver="GTiff", width=20, height=20, count=1, dtype="float32", crs=CRS_RD,
                       transform=transform, nodata=-9999) as dst:
        dst.write(array.astype("float32"), 1)
    rgba2, bounds2, _ = density_overlay(tif)
    assert bounds2 == bounds and np.array_equal(rgba2, rgba)


# ------------------------------------------------------------------------------------------- static maps


def test_static_map_colours_stations_by_status(small_region, small_balance, tmp_path):
    fig = static_region_map(small_region, balance=small_balance, year=2030, path=tmp_path / "kaart.png", dpi=80)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    ax = fig.axes[0]
    rgba = np.asarray(canvas.buffer_rgba())
    height = rgba.shape[0]

    def pixel(x: float, y: float) -> np.ndarray:
        dx, dy = ax.transData.transform((x, y))
        return rgba[int(round(height - dy)), int(round(dx)), :3].astype(int)

    def hex_rgb(colour: str) -> np.ndarray:
        return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])

    # A is red in 2030 (offtake shortage), B grey (no capacity data)
    assert np.abs(pixel(105_000, 405_000) - hex_rgb(STATUS_COLOURS["red"])).max() <= 8
    assert np.abs(pixel(115_000, 405_000) - hex_rgb(STATUS_COLOURS["unknown"])).max() <= 8
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Station: tekort" in legend and "Woningbouw" in legend and "Gepland, nog niet gereed" in legend
    png = (tmp_path / "kaart.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    fig2 = static_region_map(small_region, balance=small_balance, year=2030, path=tmp_path / "kaart2.png", dpi=80)
    assert fig2 is not fig and (tmp_path / "kaart2.png").read_bytes() == png  # deterministic bytes


def _with(region: Region, *, municipalities: list[tuple[str, shapely.Geometry]] = (),
          stations: list[tuple[str, shapely.Point]] = ()) -> Region:
    """The region with extra municipalities and stations (code or id, geometry)."""
    mun = pd.concat([region.municipalities, gpd.GeoDataFrame(
        {"municipality_code": [c for c, _ in municipalities], "name": [c for c, _ in municipalities]},
        geometry=[g for _, g in municipalities], crs=CRS_RD)], ignore_index=True)
    st = pd.concat([region.stations, gpd.GeoDataFrame(
        {"station_id": [s for s, _ in stations], "name": [f"Station {s}" for s, _ in stations],
         "voltage_kv": ["10"] * len(stations)}, geometry=[g for _, g in stations], crs=CRS_RD)], ignore_index=True)
    return Region.from_layers(name=region.name, municipalities=mun, stations=st,
                              station_capacity=region.station_capacity, infrastructure=region.infrastructure,
                              developments=region.developments, years=region.years)


def test_focus_map_draws_what_can_reach_the_picture_and_leaves_out_the_rest(small_region, small_balance, tmp_path):
    def png(region: Region, name: str) -> tuple[bytes, Any]:
        fig = static_region_map(region, balance=small_balance, year=2030, focus="GM0001",
                                path=tmp_path / f"{name}.png", dpi=60)
        return (tmp_path / f"{name}.png").read_bytes(), fig

    def drawn(fig: Any) -> tuple[int, list[tuple[float, float]]]:
        ax = fig.axes[0]
        grey = [c for c in ax.collections if c.get_zorder() == 1 and len(c.get_paths())
                and np.allclose(c.get_facecolor()[0][:3], [0xE0 / 255] * 3)]
        stations = [c for c in ax.collections if c.get_zorder() == 8]
        return len(grey[0].get_paths()), sorted(map(tuple, stations[0].get_offsets().tolist()))

    # Alfa (x 100–110 km) with two neighbours: Beta east of it and Gamma south of it.
    near = _with(small_region, municipalities=[("GM0003", shapely.box(100_000, 390_000, 110_000, 400_000))])
    plain, _ = png(near, "plain")
    # Two municipalities and a station 200 km east: beyond the picture, so not drawn, and the PNG is the one
    # without them, byte for byte.
    far = _with(near, municipalities=[("GM0008", shapely.box(300_000, 400_000, 310_000, 410_000)),
                                      ("GM0009", shapely.box(310_000, 400_000, 320_000, 410_000))],
                stations=[("G", shapely.Point(305_000, 405_000))])
    far_png, fig = png(far, "far")
    assert far_png == plain
    assert drawn(fig) == (2, [(105_000.0, 405_000.0), (115_000.0, 405_000.0)])  # Beta and Gamma; A and B
    # With one neighbour near, the far one is drawn too: matplotlib draws a single shape another way, a fraction
    # of a pixel apart, and the PNG must stay the one drawn before with the far one.
    _, fig = png(_with(small_region, municipalities=[("GM0009", shapely.box(310_000, 400_000, 320_000, 410_000))]),
                 "one")
    assert drawn(fig)[0] == 2
    # Alfa's view runs from x = 100 km − (0.06 × 10 km + 500 m) = 98.9 km; a station 50 m west of that edge still
    # shows half its marker (about 100 m across at this scale), so it is drawn: the PNG changes.
    edge_png, fig = png(_with(near, stations=[("E", shapely.Point(98_850, 405_000))]), "edge")
    assert edge_png != plain and (98_850.0, 405_000.0) in drawn(fig)[1]



def test_draw_region_fixes_the_view_before_it_draws(small_region, small_balance, monkeypatch):
    # Every collection is added to axes whose limits are already the map's view (no rescaling of the view per
    # collection); the view is the focus municipality with its margins: 10 km × 0.06 + 500 m = 1.1 km each side.
    from matplotlib.axes import Axes

    autoscaling: list[bool] = []
    add = Axes.add_collection

    def noting(self: Axes, collection: Any, autolim: bool = True) -> Any:
        autoscaling.append(self.get_autoscalex_on() or self.get_autoscaley_on())
        return add(self, collection, autolim=autolim)

    monkeypatch.setattr(Axes, "add_collection", noting)
    fig = static_region_map(small_region, balance=small_balance, year=2030, focus="GM0001", dpi=40)
    assert len(autoscaling) >= 3 and not any(autoscaling)
    assert fig.axes[0].get_xlim() == (98_900.0, 111_100.0) and fig.axes[0].get_ylim() == (398_900.0, 411_100.0)


def test_figure_png_lays_out_once_and_writes_the_bytes_savefig_writes(small_region, small_balance):
    # A municipality map (constrained layout, legend beside it): savefig lays it out in a first draw that paints
    # nothing and then paints it; figure_png lays it out without that draw. Two fresh, equal figures give the
    # same bytes both ways (one figure saved twice need not: the layout starts from where the axes stand).
    import io

    from energieplanologie.maps.static import figure_png

    def figure() -> Any:
        return static_region_map(small_region, balance=small_balance, year=2030, focus="GM0001", dpi=60)

    buf = io.BytesIO()
    figure().savefig(buf, format="png", metadata={"Software": None})
    fig = figure()
    engine = fig.get_layout_engine()
    drawn = []
    fig.add_artist(_CountDraws(drawn))
    assert figure_png(fig) == buf.getvalue()
    assert len(drawn) == 1  # painted once
    twice: list[int] = []
    other = figure()
    other.add_artist(_CountDraws(twice))
    other.savefig(io.BytesIO(), format="png")
    assert len(twice) == 2  # savefig draws such a figure twice
    assert fig.get_layout_engine() is engine  # put back: the figure lays itself out as before when drawn again


def test_figure_png_measures_each_text_once(small_region, small_balance, monkeypatch):
    # The layout measures the legend, the title and the scale bar's label; the paint needs the same sizes. Both
    # use one renderer, so no text of the map is measured twice (savefig's canvas would measure them all again).
    from matplotlib.backends.backend_agg import RendererAgg

    from energieplanologie.maps.static import figure_png

    measured: list[tuple[str, float, str]] = []
    measure = RendererAgg.get_text_width_height_descent

    def counting(self: Any, s: str, prop: Any, ismath: Any) -> Any:
        measured.append((s, prop.get_size_in_points(), str(prop.get_weight())))
        return measure(self, s, prop, ismath)

    fig = static_region_map(small_region, balance=small_balance, year=2030, focus="GM0001", dpi=60)
    monkeypatch.setattr(RendererAgg, "get_text_width_height_descent", counting)
    figure_png(fig)
    assert "Legenda" in {s for s, _, _ in measured} and "Station: tekort" in {s for s, _, _ in measured}
    assert len(measured) == len(set(measured))



def _plotted_png(draw: Any, *, dpi: int, high: float) -> tuple[bytes, Any]:
    """The PNG of a small figure whose axes ``draw`` fills, then viewed as draw_region views a map (limits -1 to
    ``high``, equal aspect as geopandas sets it, no axis labels: geopandas writes them, draw_region clears them),
    and the axes."""
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 2), dpi=dpi)
    ax = fig.add_subplot()
    draw(ax)
    ax.set_xlim(-1, high)
    ax.set_ylim(-1, high)
    ax.set_aspect("equal")
    ax.set_xlabel("")
    ax.set_ylabel("")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue(), ax


def test_scatter_points_draws_the_pixels_geopandas_draws():
    # Points, a multipoint (drawn as its two points, normalised: (3,3) before (2,2)), a missing and an empty
    # geometry (left out, with their sizes and colours): the same collection as GeoDataFrame.plot, the same PNG.


    from energieplanologie.maps.static import _scatter_points

    geoms = np.array([shapely.Point(0, 0), shapely.MultiPoint([(3, 3), (2, 2)]), None, shapely.Point(),
                      shapely.Point(1, 1)])
    sizes = np.array([10.0, 20.0, 5.0, 6.0, 30.0])
    colours = ["red", "blue", "green", "black", "yellow"]
    style = {"edgecolor": "#222222", "linewidth": 0.5, "alpha": 0.8, "zorder": 4}

    def png(draw: Any) -> tuple[bytes, Any]:
        picture, ax = _plotted_png(draw, dpi=50, high=4)
        return picture, ax.collections[0]

    ours, points = png(lambda ax: _scatter_points(ax, geoms, style=style, markersize=sizes, color=colours))
    theirs, _ = png(lambda ax: gpd.GeoSeries(list(geoms)).to_frame("geometry").plot(
        ax=ax, color=colours, markersize=sizes, **style))
    assert ours == theirs
    assert points.get_offsets().tolist() == [[0, 0], [3, 3], [2, 2], [1, 1]]
    assert points.get_sizes().tolist() == [10, 20, 20, 30]
    # one colour for all, one size for all
    ours, _ = png(lambda ax: _scatter_points(ax, geoms, style=style, markersize=90, color="#d32f2f"))
    theirs, _ = png(lambda ax: gpd.GeoSeries(list(geoms)).to_frame("geometry").plot(
        ax=ax, color="#d32f2f", markersize=90, **style))
    assert ours == theirs

def test_draw_geometries_draws_the_pixels_geopandas_draws():
    # Polygons (one with a hole, a multipolygon given clockwise), lines and a multiline, points, a missing and an
    # empty geometry: each style of draw_region drawn by _draw_geometries and by GeoDataFrame.plot / GeoSeries.plot
    # (the calls it replaced) gives the same PNG, byte for byte.


    from energieplanologie.maps.static import _draw_geometries

    holed = shapely.Polygon([(0, 0), (6, 0), (6, 6), (0, 6)], holes=[[(2, 2), (2, 4), (4, 4), (4, 2)]])
    multi = shapely.MultiPolygon([shapely.Polygon([(7, 7), (7, 9), (9, 9), (9, 7)]), shapely.box(7, 0, 9, 2)])
    areas = np.array([holed, None, multi, shapely.Polygon()])
    lines = np.array([shapely.LineString([(0, 8), (5, 9), (3, 7)]),
                      shapely.MultiLineString([[(1, 1), (5, 5)], [(6, 1), (8, 5)]])])
    points = np.array([shapely.Point(1, 7), shapely.Point(8, 6)])
    calls = [  # (geometries, whether a GeoSeries is plotted, colour, style) as draw_region makes them
        (areas, False, None, {"facecolor": "#e0e0e0", "edgecolor": "#9e9e9e", "linewidth": 0.8, "zorder": 1}),
        (areas, False, None, {"facecolor": "#ff8800", "alpha": 0.35, "edgecolor": "none", "zorder": 3}),
        (shapely.boundary(areas[[0, 2]]), True, "#333333", {"linewidth": 2.2, "zorder": 6}),
        (shapely.boundary(areas[[0, 2]]), True, "#ff8800", {"linewidth": 1.2, "linestyle": "--", "zorder": 3}),
        (lines, False, "#1565c0", {"linewidth": 2, "linestyle": ":", "zorder": 3}),
        (points, False, None, {"marker": "D", "facecolor": "white", "edgecolor": "#1565c0", "linewidth": 2,
                               "linestyle": "--", "zorder": 8.5, "markersize": 110}),
    ]

    def png(draw: Any) -> tuple[bytes, Any]:
        return _plotted_png(draw, dpi=60, high=10)

    for geoms, series, colour, style in calls:
        ours, ax = png(lambda ax, g=geoms, c=colour, s=style: _draw_geometries(ax, g, style=s, color=c))
        kwargs = {**style, **({} if colour is None else {"color": colour})}
        frame = gpd.GeoSeries(list(geoms)) if series else gpd.GeoSeries(list(geoms)).to_frame("geometry")
        theirs, _ = png(lambda ax, f=frame, kw=kwargs: f.plot(ax=ax, **kw))
        assert ours == theirs, style
    # the holed square and the multipolygon: one compound path each, every ring closed
    _, ax = png(lambda ax: _draw_geometries(ax, areas, style=calls[0][3]))
    paths = ax.collections[0].get_paths()
    assert [p.codes.tolist().count(1) for p in paths] == [2, 2]  # two rings each
    assert [p.codes.tolist().count(79) for p in paths] == [2, 2]


def test_add_markers_draws_the_pixels_scatter_draws():
    # Each kind of marker call of draw_region, by _add_markers and by Axes.scatter: the same PNG byte for byte
    # (and the calls it leaves to scatter: no size, an unfilled marker, a missing coordinate).
    import io

    from matplotlib.figure import Figure

    from energieplanologie.maps.static import _add_markers

    x, y = np.array([0.0, 1.0, 2.5, 3.0]), np.array([0.0, 2.0, 1.0, 3.0])
    calls = [
        {"edgecolor": "#222222", "linewidth": 0.5, "alpha": 0.8, "zorder": 4, "s": np.array([18.0, 40, 60, 78]),
         "color": "#e6550d", "marker": "o"},
        {"edgecolor": "#111111", "linewidth": 1.2, "zorder": 8, "s": 90, "marker": "o",
         "color": np.array(["#d32f2f", "#2e7d32", "#f9a825", "#9e9e9e"])},
        {"facecolor": "white", "edgecolor": "#1565c0", "linewidth": 2, "linestyle": "--", "zorder": 8.5, "s": 110,
         "marker": "D"},
        {"facecolor": "#f5f5f5", "edgecolor": "#1565c0", "linewidth": 2, "linestyle": "-", "zorder": 7, "s": 60,
         "marker": "s"},
        {"color": "red", "zorder": 3, "marker": "o"},  # no size: scatter's own default
        {"color": "red", "s": 50, "marker": "x"},  # unfilled
    ]

    def png(draw: Any) -> bytes:
        fig = Figure(figsize=(2, 2), dpi=50)
        ax = fig.add_subplot()
        ax.set_xlim(-1, 4)
        ax.set_ylim(-1, 4)
        draw(ax)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        return buf.getvalue()

    for kwargs in calls:
        ours = png(lambda ax, kw=kwargs: _add_markers(ax, x, y, **kw))
        theirs = png(lambda ax, kw=kwargs: ax.scatter(x, y, vmin=None, vmax=None, cmap=None, **kw))
        assert ours == theirs, kwargs
    gap = np.array([0.0, np.nan, 2.5, 3.0])
    assert png(lambda ax: _add_markers(ax, x, gap, **calls[0])) == png(
        lambda ax: ax.scatter(x, gap, vmin=None, vmax=None, cmap=None, **calls[0]))


class _CountDraws(Artist):
    """An invisible artist that notes each draw of its figure."""

    def __init__(self, drawn: list[int]) -> None:
        super().__init__()
        self.drawn = drawn
        self.set_in_layout(False)

    def draw(self, renderer: Any) -> None:
        self.drawn.append(1)


# ------------------------------------------------------------------------------------------------- notes


def _notes_file(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _feature(geometry: dict | None, **props) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def test_read_notes_reprojects_to_rd(tmp_path):
    # The RD New origin point of Amersfoort: lon 5.38720621, lat 52.15517440 ↔ x 155 000, y 463 000.
    path = _notes_file(tmp_path / "notities.geojson", [
        _feature({"type": "Point", "coordinates": [5.38720621, 52.15517440]}, note="  Station hier  ",
                 author="Els", created="2026-11-26T10:15:00.000Z"),
        _feature({"type": "Polygon", "coordinates": [[[5.38, 52.15], [5.39, 52.15], [5.39, 52.16], [5.38, 52.15]]]},
                 note="Zoekgebied", author=None, created="2026-11-26T10:20:00.000Z"),
    ])
    notes = read_notes(path)
    assert notes.crs.to_epsg() == 28992
    assert list(notes.columns[:5]) == ["note_id", "note", "author", "created", "source_row"]
    assert notes["note_id"].tolist() == ["N001", "N002"]
    assert notes["note"].tolist() == ["Station hier", "Zoekgebied"]
    assert notes["author"].tolist() == ["Els", None]
    assert notes.geometry.iloc[0].distance(shapely.Point(155_000, 463_000)) < 0.5
    assert str(notes["created"].dt.tz) == "UTC" and notes["created"].iloc[0].minute == 15


def test_read_notes_rejects_notes_without_text_or_place_naming_rows(tmp_path):
    path = _notes_file(tmp_path / "n.geojson", [
        _feature({"type": "Point", "coordinates": [3.8, 51.3]}, note="goed"),
        _feature({"type": "Point", "coordinates": [3.8, 51.3]}, note="   "),
        _feature({"type": "LineString", "coordinates": [[3.8, 51.3], [3.9, 51.3]]}, note="lijn"),
        _feature({"type": "Point", "coordinates": [13.4, 52.5]}, note="Berlijn"),
    ])
    with pytest.raises(ValidationError) as err:
        read_notes(path)
    report = err.value.report
    assert report.rows_in == 4 and report.rows_kept == 1 and report.rows_rejected == 3
    assert sorted((f.code, f.rows[0]) for f in report.errors) == [
        ("geometry_type", 2), ("missing_value", 1), ("outside_netherlands", 3)]


def test_read_notes_repairs_a_self_crossing_polygon(tmp_path):
    bowtie = [[[3.80, 51.30], [3.82, 51.32], [3.82, 51.30], [3.80, 51.32], [3.80, 51.30]]]
    path = _notes_file(tmp_path / "n.geojson", [_feature({"type": "Polygon", "coordinates": bowtie}, note="vlinder")])
    notes, report = read_notes(path, return_report=True)
    assert notes.geometry.iloc[0].is_valid and notes.geometry.iloc[0].area > 0
    assert report.codes("repair") == ["make_valid"]


def test_read_notes_unreadable(tmp_path):
    with pytest.raises(ReadError, match="bestaat niet"):
        read_notes(tmp_path / "nope.geojson")
    (tmp_path / "leeg.geojson").write_text("")
    with pytest.raises(ReadError, match="leeg"):
        read_notes(tmp_path / "leeg.geojson")
    (tmp_path / "kapot.geojson").write_text("{ dit is geen json")
    with pytest.raises(ReadError, match="geen leesbare GeoJSON"):
        read_notes(tmp_path / "kapot.geojson")
    empty = read_notes(_notes_file(tmp_path / "niets.geojson", []))
    assert len(empty) == 0 and empty.crs.to_epsg() == 28992


def test_static_scale_bar_and_chart_ticks_are_dutch_numbers():
    from matplotlib.figure import Figure

    from energieplanologie.maps.static import add_scale_bar

    fig = Figure()
    ax = fig.subplots()
    ax.set_xlim(0, 10_000)  # a map 10 km wide: the bar is the largest round length ≤ a quarter, 2.5 km
    ax.set_ylim(0, 10_000)
    add_scale_bar(ax)
    texts = [t.get_text() for artist in ax.artists for t in artist.findobj(lambda o: hasattr(o, "get_text"))]
    assert "2,5 km" in texts


def test_station_chart_ticks_are_dutch_numbers():
    import energieplanologie as ep
    from energieplanologie.charts import station_chart

    region = ep.load_sample()
    fig = station_chart(ep.station_balance(region), "HST")
    # The MW axis of every panel writes its ticks with the one Dutch formatter.
    assert [ax.yaxis.get_major_formatter()(1234.5, 0) for ax in fig.axes] == ["1.234,5"] * len(fig.axes)


def test_a_municipality_map_labels_only_the_stations_that_can_be_in_view():
    # A national synthetic region (5,000 stations): a municipality map used to annotate every station of the
    # region (matplotlib drew only those in view, after seconds of work). Now only stations near the view are
    # annotated, and every station inside the view still has its label.
    from matplotlib.text import Annotation

    from energieplanologie.maps.static import static_region_map
    from energieplanologie.synthetic import synthetic_region

    region = synthetic_region(1000, seed=0)
    fig = static_region_map(region, focus="GM0363")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts if isinstance(t, Annotation) and t.get_text() != "N"]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    st = region.stations
    inside = st.loc[(st.geometry.x.between(x0, x1) & st.geometry.y.between(y0, y1)).to_numpy()]
    assert len(inside) > 20  # Amsterdam: many stations in view
    assert set(inside["name"].astype(str)) <= set(labels)
    assert len(labels) < len(st) / 5  # not the whole country


def test_station_status_in_year_takes_the_worst_per_station_and_counts_the_unknown_as_unknown():
    # S1: green offtake, red feed-in -> red; S2: amber twice -> amber; S3: only a status we do not know and a
    # missing one -> unknown; S4: its rows are of another year -> absent. Stations in order of first appearance.
    b = pd.DataFrame({
        "station_id": ["S2", "S1", "S1", "S3", "S3", "S4", "S2"],
        "year": [2030, 2030, 2030, 2030, 2030, 2040, 2030],
        "direction": ["offtake", "offtake", "feedin", "offtake", "feedin", "offtake", "feedin"],
        "status": ["amber", "green", "red", "purple", None, "red", "amber"],
    })
    assert station_status_in_year(b, 2030) == {"S2": "amber", "S1": "red", "S3": "unknown"}
    assert list(station_status_in_year(b, 2030)) == ["S2", "S1", "S3"]
    assert station_status_in_year(b, 2040) == {"S4": "red"}
    assert station_status_in_year(b, 2050) == {}
    assert station_status_in_year(None, 2030) == {}


def test_flex_need_given_by_the_caller_draws_the_same_page():
    # The municipality pages pass the whole region's flex need once instead of having every page compute it;
    # the table holds two scenarios and all stations, the page shows the rows of its own scenario and stations.
    import energieplanologie as ep
    from energieplanologie.flex import flex_need

    region = ep.load_sample()
    both = pd.concat([ep.station_balance(region, "verwacht"), ep.station_balance(region, "maximaal")],
                     ignore_index=True)
    need = flex_need(both, region)
    assert set(need["scenario"]) == {"verwacht", "maximaal"}
    shown = 0
    for code in sorted(region.municipalities["municipality_code"].astype(str)):
        pages = [render_html(region_map(region, balance=both, scenario="verwacht", focus=code, year=2030, **given),
                             self_contained=False) for given in ({}, {"flex_need": need})]
        assert pages[0] == pages[1], code
        shown += '"kind":"flexneed"' in pages[0]
    assert shown >= 1  # TNZ's shortage in 2030 (flex.flex_need's example) is on at least one page


def test_geojson_from_coordinates_equals_geos_geojson():
    # Points and polygons are written from their coordinates, everything else by GEOS: the same GeoJSON either way
    # (same doubles, same nesting), on a point, a square, a polygon with a hole, a line, a 3D point, a multipolygon
    # and an empty polygon.
    from energieplanologie.maps.interactive import _wgs84_geojson

    square = [(100_000, 400_000), (101_000, 400_000), (101_000, 401_000), (100_000, 401_000)]
    hole = [(100_100, 400_100), (100_200, 400_100), (100_200, 400_200)]
    geoms = [shapely.Point(100_000.04, 400_000.07), shapely.Polygon(square), shapely.Polygon(square, [hole]),
             shapely.LineString(square[:2]), shapely.Point(100_000, 400_000, 5),
             shapely.MultiPolygon([shapely.Polygon(square)]), shapely.Polygon()]
    got = _wgs84_geojson(gpd.GeoDataFrame(geometry=geoms, crs=CRS_RD), 0.0)
    wgs = shapely.transform(np.asarray(gpd.GeoSeries(geoms, crs=CRS_RD).to_crs(4326).values),
                            lambda c: np.round(c, 6))
    assert got == [json.loads(t) for t in shapely.to_geojson(wgs)]
    assert [g["type"] for g in got] == ["Point", "Polygon", "Polygon", "LineString", "Point", "MultiPolygon",
                                        "Polygon"]
    assert len(got[2]["coordinates"]) == 2 and len(got[2]["coordinates"][1]) == 4  # the hole, closed


def test_station_balance_table_written_by_hand():
    # Station C, two years: 2025 offtake capacity 40, load 25 (headroom 15, green) and feed-in 30, 35 (-5, red);
    # 2030 only offtake 50, 55 (-5, red) and no feed-in row (– – –, unknown); 2035 all numbers missing: no row.
    # The table reaches the page as rows of cells the map's script joins (read here as it does: map_page).
    from energieplanologie.maps.interactive import _BALANCE_HEAD, _station_collection

    balance = pd.DataFrame({"station_id": ["C"] * 5, "year": [2025, 2025, 2030, 2035, 2035],
                            "direction": ["offtake", "feedin", "offtake", "offtake", "feedin"],
                            "capacity_mw": [40.0, 30.0, 50.0, np.nan, np.nan],
                            "load_mw": [25.0, 35.0, 55.0, np.nan, np.nan],
                            "status": ["green", "red", "red", None, None], "scenario": "verwacht",
                            "first_shortage_year": pd.array([2030, 2025, 2030, 2030, 2025], dtype="Int64")})
    balance["headroom_mw"] = balance["capacity_mw"] - balance["load_mw"]

    def headroom(title: str, colour: str, text: str) -> str:
        return f'<td class="num" title="{title}"><span class="ep-dot" style="background:{colour}"></span>{text}</td>'

    green, red, grey = "#2e9e44", "#d7191c", "#8c8c8c"
    stations = gpd.GeoDataFrame({"station_id": ["C"], "name": ["Station <C>"], "level": ["MS"]},
                                geometry=[shapely.Point(100_000, 400_000)], crs=CRS_RD)
    collection = json.loads(str(_station_collection(stations, balance, [2025, 2030, 2035], 0.0)))
    props = collection["features"][0]["properties"]
    # offtake green, feed-in red in 2025; offtake red, feed-in without a row (unknown) in 2030; nothing in 2035
    assert props["status"] == "13" "30" "00"
    assert [station_year(collection, props, y)["status"] for y in (2025, 2030, 2035)] == ["red", "red", "unknown"]
    assert station_year(collection, props, 2025)["tooltip"] == \
        "Station &lt;C&gt; — 2025: afname ruimte, invoeding tekort"
    assert popup_html(collection, props) == (
        '<h4>Station &lt;C&gt;</h4><div class="ep-sub">C · MS</div>'
        f'<table class="ep-balance">{_BALANCE_HEAD}<tbody>'
        '<tr data-year="2025"><td>2025</td><td class="num">40,0</td><td class="num">25,0</td>'
        + headroom("Ruimte", green, "15,0") + '<td class="num">30,0</td><td class="num">35,0</td>'
        + headroom("Tekort", red, "-5,0") + "</tr>"
        '<tr data-year="2030"><td>2030</td><td class="num">50,0</td><td class="num">55,0</td>'
        + headroom("Tekort", red, "-5,0") + '<td class="num">–</td><td class="num">–</td>'
        + headroom("Onbekend", grey, "–") + "</tr>"
        '</tbody></table><div class="ep-sub">Eerste tekort: afname 2030, invoeding 2025 · scenario verwacht</div>')
