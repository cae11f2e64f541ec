"""Headless Chromium for the map tests: Debian's /usr/bin/chromium driven by /usr/bin/chromedriver (selenium).

The network is off for the browser: every host name resolves to nothing (``--host-resolver-rules``), so a page
that still needed a CDN would fail here. Map tiles fail too — those errors are expected and filtered out by
:func:`severe_errors`; anything else the browser logs as SEVERE is a test failure.

The tests are marked ``chromium``. They are skipped only when Chromium is absent *and* we are not in CI
(``CI`` != ``"true"``); in CI a missing browser fails them.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

#: Tile servers whose requests are expected to fail offline.
_TILE_HOSTS = re.compile(r"https?://(service\.pdok\.nl|tile\.openstreetmap\.org)/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    absent = not (CHROMIUM.exists() and CHROMEDRIVER.exists())
    for item in items:
        if Path(str(item.fspath)).parent != here:
            continue
        item.add_marker(pytest.mark.chromium)
        if absent and os.environ.get("CI") != "true":
            item.add_marker(pytest.mark.skip(reason="Chromium (/usr/bin/chromium) is niet geïnstalleerd"))


class Browser:
    """A thin helper around a selenium Chrome driver (one per test)."""

    def __init__(self, driver: object, downloads: Path) -> None:
        self.driver = driver
        self.downloads = downloads

    def open(self, path: Path, *, settle: float = 0.0) -> None:
        self.driver.get(path.resolve().as_uri())
        self.wait_for("return !!(window.L && window.EP && document.querySelector('.leaflet-container'))")
        if settle:
            time.sleep(settle)

    def js(self, script: str, *args: object) -> object:
        return self.driver.execute_script(script, *args)

    def wait_for(self, script: str, timeout: float = 10.0, *args: object) -> object:
        end = time.monotonic() + timeout
        while True:
            value = self.js(script, *args)
            if value:
                return value
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for: {script}")
            time.sleep(0.05)

    def log(self) -> list[dict]:
        return self.driver.get_log("browser")

    def severe_errors(self) -> list[str]:
        """SEVERE browser log entries other than failed tile fetches."""
        out = []
        for entry in self.log():
            if entry["level"] != "SEVERE":
                continue
            msg = entry["message"]
            if _TILE_HOSTS.match(msg) and "Failed to load resource" in msg:
                continue
            out.append(msg)
        return out

    def screenshot(self, name: str) -> Path:
        # never mid-animation (fitBounds animates the zoom for a quarter second)
        self.wait_for("var el = document.querySelector('.folium-map'); var m = el && window[el.id];"
                      "return !m || !m._animatingZoom;")
        time.sleep(0.3)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.driver.save_screenshot(str(path))
        return path

    def wait_for_download(self, name: str, timeout: float = 10.0) -> Path:
        target = self.downloads / name
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if target.exists() and not list(self.downloads.glob("*.crdownload")) and target.stat().st_size > 0:
                return target
            time.sleep(0.05)
        raise AssertionError(f"download {name} did not arrive in {self.downloads}: {list(self.downloads.iterdir())}")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    """A fresh headless Chromium with the network disabled and downloads going to a temp folder."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ep-chromium-")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        "--window-size=1400,1000",
    ):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    try:
        yield Browser(driver, downloads)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def sample_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The sample region with its allocation and balance (computed once per session)."""
    from energieplanologie.allocation import allocate
    from energieplanologie.balance import station_balance
    from energieplanologie.sample import load_sample

    region = load_sample()
    alloc = allocate(region.developments, region.stations, area=region.municipalities)
    bal = station_balance(region, "verwacht", allocation=alloc)
    return {"region": region, "allocation": alloc, "balance": bal}


@pytest.fixture
def map_var() -> Callable[[Browser], str]:
    """The JavaScript global name of the page's Leaflet map (folium declares it as ``var map_…``)."""
    return lambda b: b.js("return document.querySelector('.folium-map').id")
