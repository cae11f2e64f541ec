"""The published region map in a real headless Chromium with the network disabled.

Expected numbers come from the sample data and its balance, computed in the test (not read from the page):
stations = rows of the stations layer; developments shown in year y = developments with year ≤ y; stations drawn
red in year y = stations with status red in either direction in y; hotspots shown = the hand-made hotspots of
the year picked by the rule "latest hotspot year ≤ y, else the earliest".
"""

from __future__ import annotations

import json
import time

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from map_page import data_layers, popup_html, station_year, style_of, tooltip_text
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from energieplanologie.flex import flex_need
from energieplanologie.maps import publish, read_notes, region_map
from energieplanologie.schema import CRS_RD

pytestmark = pytest.mark.chromium

#: Open the popup of the feature with id arguments[1] in the layers of kind arguments[0].
OPEN_POPUP = """
var kind = arguments[0], id = arguments[1];
var st = EP.state(window[document.querySelector('.folium-map').id]);
st.layers.forEach(function (r) {
  if (r.kind !== kind) { return; }
  r.entries.forEach(function (e) { if (e.props.id === id) { e.layer.openPopup(); } });
});
"""


def _hotspots(region) -> gpd.GeoDataFrame:
    """Three hand-made knooppunten: two in 2030 (Kanaalzone, Oostburg), one in 2040 (Kanaalzone, grown)."""
    st = region.stations.set_index("station_id").geometry
    skl, obg = st["SKL"], st["OBG"]
    return gpd.GeoDataFrame(
        {
            "hotspot_id": ["KP-a", "KP-b", "KP-c"],
            "name": ["Knooppunt Sluiskil", "Knooppunt Oostburg", "Knooppunt Kanaalzone"],
            "level": ["provincial", "local", "national"],
            "level_reason": ["HS-station betrokken", "klein", "≥ 500 MW"],
            "year": [2030, 2030, 2040],
            "n_members": [5, 3, 9],
            "sectors": ["industry;housing", "renewables", "industry;data_centre"],
            "carriers": ["electricity", "electricity", "electricity;hydrogen"],
            "offtake_mw": [120.0, 5.0, 600.0],
            "feedin_mw": [10.0, 30.0, 20.0],
            "total_mw": [130.0, 35.0, 620.0],
            "station_ids": ["SKL", "OBG", "SKL;TNZ"],
            "max_shortage_mw": [30.8, 0.0, 0.0],
            "municipality_codes": ["GM0715", "GM1714", "GM0715"],
        },
        geometry=[shapely.buffer(skl, 1500), shapely.buffer(obg, 1200), shapely.buffer(skl, 3000)],
        crs=CRS_RD,
    )


def _expected_hotspots(hs: gpd.GeoDataFrame, year: int) -> int:
    years = sorted(set(hs["year"]))
    pick = max([y for y in years if y <= year], default=years[0])
    return int((hs["year"] == pick).sum())


def _red_stations(balance: pd.DataFrame, year: int) -> int:
    rows = balance.loc[(balance["year"] == year) & (balance["status"] == "red")]
    return rows["station_id"].nunique()


def _count(browser, selector: str) -> int:
    return browser.js(f"return document.querySelectorAll({json.dumps(selector)}).length")


def test_region_map_offline_layers_and_year_switch(browser, sample_outputs, tmp_path):
    region, bal = sample_outputs["region"], sample_outputs["balance"]
    hs = _hotspots(region)
    page = publish(region_map(region, balance=bal, hotspots=hs, year=2030), tmp_path / "kaart.html")
    html = page.read_text(encoding="utf-8")
    assert "<script src=" not in html  # nothing left to fetch from a CDN

    browser.open(page, settle=0.5)
    assert browser.js("return typeof L.version") == "string"
    assert _count(browser, ".leaflet-container") == 1
    assert browser.js("return document.querySelectorAll('.leaflet-control-layers').length") == 1

    dev_years = region.developments["year"].astype(int)
    need = flex_need(bal[bal["scenario"] == "verwacht"], region)
    # by hand from the sample's balance (verwacht): SKL and TNZ offtake in 2030, WDO offtake 2035, HST feed-in
    # 2035–2040 (after the battery P11 and the cable pool)
    assert {(r.station_id, r.from_year, r.to_year) for r in need.itertuples()} == {
        ("SKL", 2030, 2030), ("TNZ", 2030, 2030), ("WDO", 2035, 2035), ("HST", 2035, 2040)}
    for year in (2030, 2025, 2035, 2040):
        if year != 2030:
            Select(browser.driver.find_element(By.CSS_SELECTOR, "select.ep-year-select")).select_by_value(str(year))
        assert _count(browser, "path.ep-station") == len(region.stations)  # 16 stations, always drawn
        assert _count(browser, "path.ep-station.ep-status-red") == _red_stations(bal, year), year
        assert _count(browser, "path.ep-development") == int((dev_years <= year).sum()), year
        assert _count(browser, "path.ep-hotspot") == _expected_hotspots(hs, year), year
        assert browser.js("return document.querySelector('.ep-year-note').textContent") == f"Toestand in {year}"
        # flex assets (the batteries P02, 2027, and P11, 2030): their own square symbol, faded until year_ready
        assert _count(browser, ".ep-flex .ep-flex-mark.ep-flex-square") == 2
        faded = browser.js("return Array.from(document.querySelectorAll('.ep-flex')).filter("
                           "function (e) { return Number(e.style.opacity) < 1; }).length")
        assert faded == {2025: 2, 2030: 0, 2035: 0, 2040: 0}[year], year
        # flexbehoefte: a ring around each station × direction whose shortage window holds the year
        assert _count(browser, "path.ep-flexneed") == int(((need["from_year"] <= year) & (year <= need["to_year"])).sum())
    # hand check of the sample's balance: 2 stations short in 2030 (SKL and TNZ offtake; Hulst's feed-in shortage
    # is bridged by battery P11 and cable pool KP-HULST since issue 20), none in 2025
    assert _red_stations(bal, 2030) == 2 and _red_stations(bal, 2025) == 0
    # infrastructure: built vs planned follows year_ready (flex assets have their own layer)
    infra = region.infrastructure
    lines = ~(infra["infra_type"].isin(["battery", "heat_storage", "electrolyser", "e_boiler", "gas_to_power"])
              & (infra.geometry.geom_type == "Point"))
    ready_2040 = int((lines & ((infra["status"] == "existing") | (infra["year_ready"].fillna(9999) <= 2040))).sum())
    assert _count(browser, "path.ep-infra-built") == ready_2040
    assert browser.js("return document.querySelector('.ep-legend').textContent").count("Batterij") == 1

    Select(browser.driver.find_element(By.CSS_SELECTOR, "select.ep-year-select")).select_by_value("2030")
    shot = browser.screenshot("kaart.png")
    assert shot.stat().st_size > 10_000
    # open the popup of a station that is short in 2030: its table highlights the 2030 row
    browser.js(OPEN_POPUP, "stations", "TNZ")
    browser.wait_for("return document.querySelector('.leaflet-popup-content tr.ep-current')")
    assert browser.js("return document.querySelector('.leaflet-popup-content tr.ep-current').dataset.year") == "2030"
    browser.screenshot("kaart-popup.png")
    assert browser.severe_errors() == []


#: Rectangles (CSS px) of the open popup, the map and every visible control.
RECTS = """
function box(el) { var r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }
var pop = document.querySelector('.leaflet-popup');
return {popup: pop ? box(pop) : null, map: box(document.querySelector('.folium-map')),
        controls: Array.from(document.querySelectorAll('.leaflet-control')).map(box).filter(
            function (b) { return b[2] > b[0] && b[3] > b[1]; })};
"""

#: Move the map so that the station with id arguments[0] sits at container pixel (arguments[1], arguments[2]).
PLACE_STATION = """
var map = window[document.querySelector('.folium-map').id], id = arguments[0];
var st = EP.state(map), at = L.point(arguments[1], arguments[2]);
st.layers.forEach(function (r) {
  if (r.kind !== 'stations') { return; }
  r.entries.forEach(function (e) {
    if (e.props.id === id) { map.panBy(map.latLngToContainerPoint(e.layer.getLatLng()).subtract(at), {animate: false}); }
  });
});
"""


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_a_popup_opened_in_a_corner_is_moved_out_from_under_the_controls(browser, sample_outputs, tmp_path):
    # Seen at stop 31: the balance table of a station near the right edge lay beneath the open legend. A station
    # is put under each corner's controls in turn (the legend bottom right, the year and layer controls top right,
    # title and notes top left, the scale bottom left); its popup must open inside the map beside every control.
    region, bal = sample_outputs["region"], sample_outputs["balance"]
    page = publish(region_map(region, balance=bal, year=2030), tmp_path / "kaart.html")
    browser.open(page, settle=0.5)
    start = browser.js(RECTS)
    width, height = start["map"][2] - start["map"][0], start["map"][3] - start["map"][1]
    legend = browser.js("return document.querySelector('.ep-legend').getBoundingClientRect().height")
    assert legend > height / 3  # the open legend: the tall control the popup used to hide under
    map_js = "window[document.querySelector('.folium-map').id]"
    for x, y in ((width - 60, height - 120), (width - 60, 60), (60, 120), (60, height - 20)):
        browser.js(f"{map_js}.closePopup();")
        browser.wait_for("return document.querySelectorAll('.leaflet-popup').length === 0")
        browser.js(PLACE_STATION, "TNZ", x, y)
        under = [c for c in browser.js(RECTS)["controls"] if c[0] - 5 <= x + start["map"][0] <= c[2] + 5]
        assert under, (x, y)  # the station sits in the column of a control
        browser.js(OPEN_POPUP, "stations", "TNZ")
        browser.wait_for("return document.querySelector('.leaflet-popup-content tr.ep-current')")
        browser.wait_for(f"return !{map_js}._panAnim || !{map_js}._panAnim._inProgress")
        rects = browser.js(RECTS)
        pop, area = rects["popup"], rects["map"]
        assert area[0] <= pop[0] and pop[2] <= area[2] and area[1] <= pop[1] and pop[3] <= area[3], (x, y, pop)
        assert not [c for c in rects["controls"] if _overlap(pop, c)], (x, y, pop, rects["controls"])
        if (x, y) == (width - 60, height - 120):
            browser.screenshot("kaart-popup-hoek.png")
    assert browser.severe_errors() == []


def test_injection_shows_as_text_and_runs_nothing(browser, sample_outputs, tmp_path):
    region = sample_outputs["region"]
    dev = region.developments.copy()
    names = ["<img src=x onerror=alert(1)>", "<img src=y onerror=\"window.__pwned_img=1\">", "{{ 7*7 }}"]
    dev.loc[0:2, "name"] = names
    infra = region.infrastructure.copy()
    infra.loc[0, "name"] = '"><script>window.__pwned=1</script>'
    infra.loc[1, "description"] = "</script><script>window.__pwned_desc=1</script>"
    evil = region.replace(developments=dev, infrastructure=infra, name='Regio "><script>window.__pwned_title=1</script>')
    page = publish(region_map(evil, year=2040), tmp_path / "kaart.html")

    browser.open(page, settle=0.3)
    with pytest.raises(NoAlertPresentException):
        browser.driver.switch_to.alert.text  # noqa: B018 - an alert would mean the img onerror ran
    for flag in ("__pwned", "__pwned_img", "__pwned_desc", "__pwned_title"):
        assert browser.js(f"return window.{flag}") is None, flag

    def popup_text(kind: str, ident: str) -> str:
        browser.js("window[document.querySelector('.folium-map').id].closePopup();")
        browser.wait_for("return document.querySelectorAll('.leaflet-popup').length === 0")  # after the fade-out
        browser.js(OPEN_POPUP, kind, ident)
        browser.wait_for("return document.querySelector('.leaflet-popup-content h4')")
        return browser.js("return document.querySelector('.leaflet-popup-content h4').textContent")

    ids = dev["development_id"].tolist()
    for i, name in enumerate(names):
        assert popup_text("developments", ids[i]) == name  # the markup is shown as text
        assert browser.js("return document.querySelectorAll('.leaflet-popup-content img').length") == 0
    assert popup_text("infrastructure", infra.loc[0, "project_id"]) == infra.loc[0, "name"]
    assert browser.js("return document.querySelectorAll('.leaflet-popup-content script').length") == 0
    assert browser.js("return document.querySelector('.ep-title').textContent") == f"Energiekaart {evil.name}"
    assert browser.js("return document.title") == f"Energiekaart {evil.name}"
    with pytest.raises(NoAlertPresentException):
        browser.driver.switch_to.alert.text  # noqa: B018
    assert browser.js("return window.__pwned_img") is None
    assert browser.severe_errors() == []


def test_shared_layer_parts_are_written_in_the_page_as_python_reads_them(browser, sample_outputs, tmp_path):
    # Developments and Gi* hexagons send their popups as [title, subtitle, cell…] and their layer's row labels,
    # their styles as places in the layer's list, and developments' tooltips as cells of the popup; the page's
    # script makes the HTML and styles. They must be what tests/map_page reads (the tests without a browser):
    # escaped names as text, rows left out where a value is missing, each feature its own style.
    region = sample_outputs["region"]
    dev = region.developments.copy()
    dev.loc[0, "name"] = "Park & <b>Rij</b>"
    dev.loc[1, "programme"] = None  # its Programma row is left out
    x, y = region.stations.geometry.iloc[0].coords[0]
    hexes = gpd.GeoDataFrame({"hex_id": ["H<1>", "H2"], "mw": [2.5, 0.4], "gi_z": [2.345, float("nan")],
                              "gi_p": [0.0123, 0.5], "gi_p_fdr": [0.04, None], "hot": [True, False]},
                             geometry=[shapely.Point(x, y).buffer(300, 2), shapely.Point(x + 1000, y).buffer(300, 2)],
                             crs=CRS_RD)
    page = publish(region_map(region.replace(developments=dev), year=2040, hexagons=hexes), tmp_path / "kaart.html")
    layers = data_layers(page.read_text(encoding="utf-8"))
    expected = {(kind, f["properties"]["id"]): popup_html(c, f["properties"])
                for kind in ("developments", "hexagons") for c in layers[kind] for f in c["features"]}
    assert len(expected) == len(dev) + 2
    styles = {(kind, f["properties"]["id"]): style_of(c, f["properties"])
              for kind in ("developments", "hexagons") for c in layers[kind] for f in c["features"]}
    tooltips = {(kind, f["properties"]["id"]): tooltip_text(c, f["properties"])
                for kind in ("developments", "hexagons") for c in layers[kind] for f in c["features"]}
    assert tooltips[("developments", dev.loc[0, "development_id"])].startswith("Park &amp; &lt;b&gt;Rij&lt;/b&gt; (")
    assert styles[("hexagons", "H<1>")]["color"] == "#7f0000" and styles[("hexagons", "H2")]["color"] == "#777777"
    assert '<tr><th>Gi* z-score</th><td>2,35</td></tr><tr><th>p</th><td>0,012</td></tr>' in expected[
        ("hexagons", "H<1>")]
    assert "<th>Gi* z-score</th><td>–</td>" in expected[("hexagons", "H2")]  # a missing number is shown as a dash
    assert "<th>Programma</th>" not in expected[("developments", dev.loc[1, "development_id"])]

    browser.open(page, settle=0.3)
    # the hexagons' layer starts hidden: shown here as a click in the layer control would
    browser.js("var m = window[document.querySelector('.folium-map').id];"
               "EP.state(m).layers.forEach(function (r) { if (r.kind === 'hexagons') { r.geo.addTo(m); } });")
    shown = [("developments", i) for i in dev["development_id"].tolist()[:3]] + [("hexagons", "H<1>"),
                                                                                ("hexagons", "H2")]
    for kind, ident in shown:
        browser.js("window[document.querySelector('.folium-map').id].closePopup();")
        browser.wait_for("return document.querySelectorAll('.leaflet-popup').length === 0")
        browser.js(OPEN_POPUP, kind, ident)
        browser.wait_for("return document.querySelector('.leaflet-popup-content h4')")
        # both sides through the browser's own parser and serialiser: the same elements, attributes and text
        got, want = browser.js(
            "var d = document.createElement('div'); d.innerHTML = arguments[0];"
            "return [document.querySelector('.leaflet-popup-content').innerHTML, d.innerHTML];",
            expected[(kind, ident)])
        assert got == want, (kind, ident)
        shown_style = browser.js(
            "var kind = arguments[0], id = arguments[1], out = null;"
            "var m = window[document.querySelector('.folium-map').id];"
            "EP.state(m).layers.forEach(function (r) { if (r.kind !== kind) { return; }"
            "  r.entries.forEach(function (e) { if (e.props.id === id) {"
            "    e.layer.openTooltip(); var o = e.layer.options;"
            "    out = [o.color, o.fillColor, o.fillOpacity, o.weight, o.dashArray || null,"
            "           document.querySelector('.leaflet-tooltip') ? document.querySelector('.leaflet-tooltip').innerHTML"
            "           : null]; e.layer.closeTooltip(); } }); });"
            "return out;", kind, ident)
        style = styles[(kind, ident)]
        assert shown_style[:5] == [style["color"], style["fillColor"], style["fillOpacity"], style["weight"],
                                   style.get("dashArray")], (kind, ident)
        want_tooltip = tooltips[(kind, ident)]
        if want_tooltip is not None:
            normalised = browser.js("var d = document.createElement('div'); d.innerHTML = arguments[0];"
                                    "return d.innerHTML;", want_tooltip)
            assert shown_style[5] == normalised, (kind, ident)
    assert browser.js("return document.querySelector('.leaflet-popup-content h4').textContent") == "Hexagon H2"
    assert browser.severe_errors() == []


def test_stations_are_drawn_in_every_year_as_python_reads_them(browser, sample_outputs, tmp_path):
    # Stations send their status per year as two digits, their popup as the cells of their balance table and only
    # their name as tooltip; the page's script makes the colour, class, tooltip and table. In every year and for
    # every station they must be what tests/map_page reads, a hostile name shown as text.
    region, bal = sample_outputs["region"], sample_outputs["balance"]
    stations = region.stations.copy()
    stations.loc[stations["station_id"] == "TNZ", "name"] = "Terneuzen <b>&</b> 'x'"
    page = publish(region_map(region.replace(stations=stations), balance=bal, year=2030), tmp_path / "kaart.html")
    collection = data_layers(page.read_text(encoding="utf-8"))["stations"][0]
    props = {f["properties"]["id"]: f["properties"] for f in collection["features"]}
    assert len(props) == len(stations)
    # by hand from the sample's balance (verwacht): TNZ is short of offtake in 2030 only (see the first test)
    assert station_year(collection, props["TNZ"], 2030)["tooltip"] == \
        "Terneuzen &lt;b&gt;&amp;&lt;/b&gt; &#x27;x&#x27; — 2030: afname tekort, invoeding ruimte"
    assert station_year(collection, props["TNZ"], 2035)["status"] == "green"

    browser.open(page, settle=0.3)
    read = """
    var out = {}, m = window[document.querySelector('.folium-map').id];
    EP.state(m).layers.forEach(function (r) { if (r.kind !== 'stations') { return; }
      r.entries.forEach(function (e) {
        out[e.props.id] = [e.layer.options.fillColor, e.layer._path.getAttribute('class'),
                           e.layer.getTooltip().getContent()];
      }); });
    return out;"""
    for year in collection["years"]:
        Select(browser.driver.find_element(By.CSS_SELECTOR, "select.ep-year-select")).select_by_value(str(year))
        shown = browser.js(read)
        for sid, p in props.items():
            want = station_year(collection, p, year)
            colour, cls, tip = shown[sid]
            assert colour == want["colour"] and f"ep-status-{want['status']}" in cls.split(), (year, sid)
            assert tip == want["tooltip"], (year, sid)
    for sid in ("TNZ", *list(props)[:4]):
        browser.js("window[document.querySelector('.folium-map').id].closePopup();")
        browser.wait_for("return document.querySelectorAll('.leaflet-popup').length === 0")
        browser.js(OPEN_POPUP, "stations", sid)
        browser.wait_for("return document.querySelector('.leaflet-popup-content h4')")
        got, want = browser.js(
            "var d = document.createElement('div'); d.innerHTML = arguments[0];"
            "return [document.querySelector('.leaflet-popup-content').innerHTML, d.innerHTML];",
            popup_html(collection, props[sid]))
        # the page marks the chosen year's row (ep-current) after writing the table
        assert got.replace(' class="ep-current"', "") == want, sid
    browser.js("window[document.querySelector('.folium-map').id].closePopup();")
    browser.wait_for("return document.querySelectorAll('.leaflet-popup').length === 0")
    browser.js(OPEN_POPUP, "stations", "TNZ")
    browser.wait_for("return document.querySelector('.leaflet-popup-content h4')")
    assert browser.js("return document.querySelector('.leaflet-popup-content h4').textContent") == \
        "Terneuzen <b>&</b> 'x'"
    assert browser.severe_errors() == []


def test_a_large_map_draws_on_one_canvas_and_its_features_still_answer_clicks(browser, tmp_path):
    # A map of CANVAS_FROM features or more draws them on a canvas (no SVG element per feature): a station found
    # by a real click and hover at its pixel shows its popup and tooltip, and the year selector still decides
    # which developments are drawn and what colour each station has (as tests/map_page reads them).
    import html as html_lib

    from energieplanologie.balance import station_balance
    from energieplanologie.maps.interactive import CANVAS_FROM
    from energieplanologie.synthetic import synthetic_region

    region = synthetic_region(6_000, seed=3)
    assert len(region.developments) + len(region.stations) + len(region.municipalities) >= CANVAS_FROM
    bal = station_balance(region, ["verwacht"])
    page = publish(region_map(region, balance=bal, year=2040), tmp_path / "kaart.html")
    layers = data_layers(page.read_text(encoding="utf-8"))
    collection = layers["stations"][0]
    props = {f["properties"]["id"]: f["properties"] for f in collection["features"]}

    browser.open(page, settle=0.5)
    map_js = "window[document.querySelector('.folium-map').id]"
    assert browser.js(f"return {map_js}.options.preferCanvas") is True
    assert _count(browser, ".leaflet-overlay-pane canvas") == 1
    assert _count(browser, ".leaflet-overlay-pane path") == 0  # not one SVG element per feature

    # a station, close up (its marker alone at its pixel), clicked and hovered as a user would
    sid = region.stations["station_id"].iloc[7]
    x, y = browser.js(
        f"var m = {map_js}, id = arguments[0], out = null; EP.state(m).layers.forEach(function (r) {{ if (r.kind !== 'stations') return;"
        "  r.entries.forEach(function (e) { if (e.props.id === id) {"
        "    m.setView(e.layer.getLatLng(), 17, {animate: false});"
        "    var p = m.latLngToContainerPoint(e.layer.getLatLng()); out = [p.x, p.y]; } }); });"
        "return out;", sid)
    time.sleep(0.5)  # the canvas redraws after the move
    element = browser.driver.find_element(By.CSS_SELECTOR, ".folium-map")
    width, height = element.size["width"], element.size["height"]
    ActionChains(browser.driver).move_to_element_with_offset(element, int(x - width / 2), int(y - height / 2)).perform()
    browser.wait_for("return document.querySelector('.leaflet-tooltip')")
    year_2040 = station_year(collection, props[sid], 2040)
    assert browser.js("return document.querySelector('.leaflet-tooltip').textContent") == \
        html_lib.unescape(year_2040["tooltip"])
    ActionChains(browser.driver).click().perform()
    browser.wait_for("return document.querySelector('.leaflet-popup-content h4')")
    assert browser.js("return document.querySelector('.leaflet-popup-content h4').textContent") == \
        html_lib.unescape(props[sid]["popup"][0])
    assert browser.js("return document.querySelector('.leaflet-popup-content tr.ep-current').dataset.year") == "2040"

    shown = (f"var out = {{dev: 0, colours: {{}}}}; EP.state({map_js}).layers.forEach(function (r) {{"
             "  r.entries.forEach(function (e) {"
             "    if (r.kind === 'developments' && r.geo.hasLayer(e.layer)) { out.dev += 1; }"
             "    if (r.kind === 'stations') { out.colours[e.props.id] = e.layer.options.fillColor; } }); });"
             "return out;")
    drawn_years = [f["properties"]["year"] for c in layers["developments"] for f in c["features"]]
    for year in (2025, 2040):
        Select(browser.driver.find_element(By.CSS_SELECTOR, "select.ep-year-select")).select_by_value(str(year))
        got = browser.js(shown)
        assert got["dev"] == sum(1 for v in drawn_years if v is None or v <= year), year
        assert got["colours"] == {i: station_year(collection, p, year)["colour"] for i, p in props.items()}, year
    assert len({c for c in got["colours"].values()}) > 1  # not all one colour: the statuses differ
    browser.screenshot("kaart-canvas.png")
    assert browser.severe_errors() == []


def test_a_map_with_more_developments_than_it_draws_says_so_in_its_title(browser, sample_outputs, tmp_path):
    region = sample_outputs["region"]
    dev = region.developments
    mw = pd.concat([dev["offtake_mw"].fillna(0), dev["feedin_mw"].fillna(0)], axis=1).max(axis=1)
    largest = set(dev.loc[mw.sort_values(ascending=False, kind="stable").index[:5], "development_id"])
    page = publish(region_map(region, year=2040, max_developments=5), tmp_path / "kaart.html")
    browser.open(page, settle=0.3)
    assert browser.js("return document.querySelector('.ep-title-note').textContent") == (
        f"De 5 grootste van {len(dev)} ontwikkelingen getoond (naar vermogen); alle staan in de GeoPackage")
    assert browser.js("return document.querySelector('.ep-title').firstChild.textContent") == (
        f"Energiekaart {region.name}")
    assert _count(browser, "path.ep-development") == 5  # in 2040 every development's year has come
    shown = browser.js("var st = EP.state(window[document.querySelector('.folium-map').id]); var ids = [];"
                       "st.layers.forEach(function (r) { if (r.kind === 'developments') {"
                       " r.entries.forEach(function (e) { ids.push(e.props.id); }); } }); return ids;")
    assert set(shown) == largest
    browser.screenshot("kaart-grootste.png")
    assert browser.severe_errors() == []


def _click_map(browser, x: int, y: int) -> None:
    el = browser.driver.find_element(By.CSS_SELECTOR, ".folium-map")
    size = el.size
    ActionChains(browser.driver).move_to_element_with_offset(el, x - size["width"] // 2, y - size["height"] // 2) \
        .click().perform()


def _latlng(browser, x: int, y: int) -> tuple[float, float]:
    ll = browser.js(f"var m = window[document.querySelector('.folium-map').id];"
                    f"var p = m.containerPointToLatLng([{x}, {y}]); return [p.lng, p.lat];")
    return float(ll[0]), float(ll[1])


@pytest.mark.parametrize("canvas", [False, True], ids=["svg", "canvas"])
def test_notes_from_the_room_export_and_read_back(browser, sample_outputs, tmp_path, monkeypatch, canvas):
    # The same session on a map drawn as SVG and on one drawn on a canvas (as a map of CANVAS_FROM features is).
    from energieplanologie.maps import interactive

    if canvas:
        monkeypatch.setattr(interactive, "CANVAS_FROM", 0)
    region = sample_outputs["region"]
    page = publish(region_map(region, year=2030, title="Sessie Zeeuws-Vlaanderen"), tmp_path / "kaart.html")
    browser.open(page, settle=0.3)
    assert browser.js("return window[document.querySelector('.folium-map').id].options.preferCanvas") is canvas
    # hide the data layers' interactivity so clicks land on the map itself
    browser.js("document.querySelectorAll('.leaflet-overlay-pane').forEach(function (p) { p.style.pointerEvents = 'none'; });")

    # 1. a point note
    browser.driver.find_element(By.CSS_SELECTOR, "button.ep-note-add").click()
    _click_map(browser, 700, 300)
    expected_point = _latlng(browser, 700, 300)
    browser.wait_for("return document.querySelector('.ep-note-form textarea')")
    browser.driver.find_element(By.CSS_SELECTOR, ".ep-note-form textarea").send_keys("Hier past een buurtbatterij")
    browser.driver.find_element(By.CSS_SELECTOR, ".ep-note-form input").send_keys("Wethouder <b>Jansen</b>")
    browser.driver.find_element(By.CSS_SELECTOR, ".ep-note-form button.ep-note-save").click()
    browser.wait_for("return document.querySelector('button.ep-note-export').textContent.indexOf('(1)') > 0")

    # 2. a polygon note: three corners, then click the first corner to close it
    browser.driver.find_element(By.CSS_SELECTOR, "button.ep-note-polygon").click()
    corners = [(500, 500), (650, 500), (600, 620)]
    for x, y in corners:
        _click_map(browser, x, y)
    first = browser.driver.find_elements(By.CSS_SELECTOR, ".leaflet-marker-pane .leaflet-editing-icon")[0]
    first.click()
    browser.wait_for("return document.querySelector('.ep-note-form textarea')")
    browser.driver.find_element(By.CSS_SELECTOR, ".ep-note-form textarea").send_keys(
        "Zoekgebied zon op dak <script>window.__note=1</script>")
    browser.driver.find_element(By.CSS_SELECTOR, ".ep-note-form button.ep-note-save").click()
    browser.wait_for("return document.querySelector('button.ep-note-export').textContent.indexOf('(2)') > 0")
    assert browser.js("return window.__note") is None

    browser.driver.find_element(By.CSS_SELECTOR, "button.ep-note-export").click()
    exported = browser.wait_for_download("notities.geojson")
    browser.screenshot("notities-canvas.png" if canvas else "notities.png")

    notes = read_notes(exported)
    assert notes.crs.to_epsg() == 28992
    assert notes["note"].tolist() == ["Hier past een buurtbatterij",
                                      "Zoekgebied zon op dak <script>window.__note=1</script>"]
    assert notes["author"].tolist() == ["Wethouder <b>Jansen</b>", None]
    assert notes.geometry.geom_type.tolist() == ["Point", "Polygon"]
    assert notes["created"].notna().all()
    # the point lies where we clicked (within a metre: the browser rounds to 7 decimals, ~1 cm)
    expected = gpd.GeoSeries([shapely.Point(*expected_point)], crs=4326).to_crs(CRS_RD).iloc[0]
    assert notes.geometry.iloc[0].distance(expected) < 1.0
    ring = [gpd.GeoSeries([shapely.Point(*_latlng(browser, x, y))], crs=4326).to_crs(CRS_RD).iloc[0] for x, y in corners]
    # every corner within a metre of where we clicked
    assert shapely.Polygon([(p.x, p.y) for p in ring]).hausdorff_distance(notes.geometry.iloc[1]) < 1.0

    # the notes stay in the browser: reload the page and they are there again
    browser.open(page, settle=0.3)
    assert browser.js("return document.querySelector('button.ep-note-export').textContent") == "Exporteer notities (2)"
    assert browser.severe_errors() == []


def test_municipality_pages_embed_a_working_offline_map(browser, sample_outputs, tmp_path):
    from energieplanologie.overview import write_overviews

    region, alloc, bal = sample_outputs["region"], sample_outputs["allocation"], sample_outputs["balance"]
    out = tmp_path / "gemeenten"
    write_overviews(region, out, balance=bal, allocation=alloc, dpi=60)
    for code in sorted(region.municipalities["municipality_code"]):
        browser.driver.get((out / f"{code}.html").resolve().as_uri())
        assert browser.js("return document.querySelector('img.picture').naturalWidth") > 500  # the inline PNG
        frame = browser.driver.find_element(By.CSS_SELECTOR, "iframe.map")
        browser.driver.switch_to.frame(frame)
        browser.wait_for("return !!(window.EP && document.querySelector('path.ep-station'))")
        # the focus map keeps the stations within 5 km of the municipality
        area = region.municipalities.loc[region.municipalities["municipality_code"] == code].geometry.union_all()
        near = int(region.stations.geometry.intersects(area.buffer(5000)).sum())
        assert _count(browser, "path.ep-station") == near, code
        browser.driver.switch_to.default_content()
    browser.driver.get((out / "index.html").resolve().as_uri())
    links = browser.js("return Array.from(document.querySelectorAll('li div a')).map(function (a) { return a.getAttribute('href'); })")
    assert links == [f"{c}.html" for c in sorted(region.municipalities["municipality_code"])]
    browser.screenshot("gemeenten-index.png")
    assert browser.severe_errors() == []
