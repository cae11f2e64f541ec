"""voortgang.html (the half-yearly progress check) in headless Chromium with the network off.

The sample's status_2026H1.csv: eleven projects in the timeline, two slipping (P01, P03) and one early (P02); the map
of changed stations (OBG and TNZ) is a self-contained Leaflet map in an iframe; nothing is fetched but tiles.
"""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By


def test_voortgang_page_renders_offline(browser, tmp_path):
    import energieplanologie as ep
    from energieplanologie.io import read_layer
    from energieplanologie.monitoring_report import write_monitoring
    from energieplanologie.sample import SAMPLE_CONFIG

    region = ep.load_sample()
    status = read_layer(Path(SAMPLE_CONFIG).parent / "status_2026H1.csv", "status").data
    result = ep.monitor(region, status)
    write_monitoring(result, region, tmp_path)
    browser.driver.get((tmp_path / "voortgang.html").resolve().as_uri())
    assert browser.js("return document.querySelectorAll('svg.timeline g.project').length") == 11  # P01–P11 (P11, the battery of issue 20, without a report: on schedule)
    assert browser.js("return document.querySelectorAll('svg.timeline circle.planned').length") == 11
    # delayed projects draw a red line from planned to expected, the early one a green line
    lines = browser.js("return Array.from(document.querySelectorAll('svg.timeline g.project line'))"
                       ".map(function (l) { return l.getAttribute('stroke'); })")
    assert sorted(lines) == ["#2e9e44", "#d7191c", "#d7191c"]
    assert browser.js("return document.querySelectorAll('table.effects tbody tr').length") == 3
    assert browser.js("return document.querySelector('table.effects tbody tr td').textContent") == \
        "Oostburg 150 kV (OBG)"
    frame = browser.driver.find_element(By.CSS_SELECTOR, "iframe.map")
    assert frame.size["height"] > 400
    browser.driver.switch_to.frame(frame)
    browser.wait_for("return !!(window.L && document.querySelector('.leaflet-container'))")
    browser.wait_for("return document.querySelectorAll('path.ep-changed-station').length === 2")
    # one scale bar, in kilometres only (no miles for a Dutch meeting)
    assert browser.js("return document.querySelectorAll('.leaflet-control-scale-line').length") == 1
    assert browser.js("return document.querySelector('.leaflet-control-scale-line').textContent").endswith("km")
    browser.driver.switch_to.default_content()
    shot = browser.screenshot("voortgang.png")
    assert shot.stat().st_size > 20_000
    assert browser.severe_errors() == []
