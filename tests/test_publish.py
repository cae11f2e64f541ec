"""Self-contained publishing: every CDN asset folium references is inlined from an installed package.

These tests need the npm packages of package.json installed (``npm ci`` at the repository root); without them
publish raises AssetError — which the last tests check on purpose with an empty folder.
"""

from __future__ import annotations

import re

import folium
import pytest
from folium import plugins

from energieplanologie.maps import AssetError, publish, region_map, render_html
from energieplanologie.maps._assets import find_node_modules, inline_css, resolve_asset

_EXTERNAL = re.compile(r"""<script[^>]+src=|<link[^>]+rel=["']?stylesheet""", re.IGNORECASE)


def _folium_urls(m: folium.Map) -> list[str]:
    html = m.get_root().render()
    return sorted(set(re.findall(r'(?:src|href)="(https://[^"]+\.(?:js|css))"', html)))


def test_node_modules_is_installed():
    # The repository's package.json is installed (npm ci); everything below depends on it.
    nm = find_node_modules()
    assert nm is not None and (nm / "leaflet" / "dist" / "leaflet.js").is_file()


def test_every_default_folium_asset_resolves_to_an_installed_file():
    m = folium.Map()
    plugins.Fullscreen().add_to(m)
    plugins.MeasureControl().add_to(m)
    plugins.Draw().add_to(m)
    urls = _folium_urls(m)
    assert len(urls) >= 15  # folium 0.20: leaflet, jquery, bootstrap, font awesome, awesome markers, plugins
    for url in urls:
        if "leaflet.awesome.rotate" in url:
            continue  # not shipped by any package: dropped when unused, see below
        asset = resolve_asset(url)
        assert asset.path.is_file(), url
        # the file is the requested one: same package version as in the URL (major at least)
        version = re.search(r"@(\d+\.\d+\.\d+)", url)
        if version and asset.version:
            assert asset.version.split(".")[0] == version.group(1).split(".")[0], url


def test_plain_folium_map_publishes_without_any_external_link(tmp_path):
    m = folium.Map(location=[51.3, 3.8], zoom_start=10)
    plugins.Fullscreen().add_to(m)
    plugins.MeasureControl().add_to(m)
    folium.CircleMarker([51.3, 3.8], radius=5).add_to(m)
    out = publish(m, tmp_path / "kaart.html")
    html = out.read_text(encoding="utf-8")
    assert not _EXTERNAL.search(html)
    assert "https://cdn.jsdelivr.net" not in html and "cdnjs.cloudflare.com" not in html
    for marker in ("/* leaflet 1.9.3 (npm) */", "/* jquery 3.7.1 (npm) */", "/* bootstrap 5.2.2 (npm) */",
                   "/* @fortawesome/fontawesome-free 6.2.0 (npm) */", "/* leaflet.fullscreen 3.0.0 (npm) */",
                   "/* leaflet-measure 2.1.7 (npm) */"):
        assert marker in html, marker
    # stylesheet images and fonts became data: URIs; nothing relative is left to fetch
    assert "url(images/" not in html and "url(../webfonts/" not in html
    assert 'url("data:font/woff2;base64,' in html and 'url("data:image/png;base64,' in html


def test_awesome_marker_rotation_css_is_not_in_any_package_and_says_so(tmp_path):
    m = folium.Map(location=[51.3, 3.8])
    folium.Marker([51.3, 3.8], icon=folium.Icon(icon="bolt", prefix="fa")).add_to(m)  # uses L.AwesomeMarkers
    with pytest.raises(AssetError, match="leaflet.awesome.rotate"):
        publish(m, tmp_path / "kaart.html")
    assert not (tmp_path / "kaart.html").exists()  # nothing half-written


def test_missing_npm_package_raises_naming_asset_and_command(tmp_path):
    m = folium.Map(tiles=None)
    with pytest.raises(AssetError) as err:
        render_html(m, node_modules=tmp_path)
    msg = str(err.value)
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in msg
    assert "npm ci" in msg and "npm install leaflet@1.9.3" in msg


def test_unknown_external_asset_raises(tmp_path):
    m = folium.Map(tiles=None)
    m.default_js = [*m.default_js, ("mystery", "https://example.org/mystery.js")]
    with pytest.raises(AssetError, match=r"https://example.org/mystery.js"):
        render_html(m)


def test_css_urls_become_data_uris(tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\nabc")  # 11 bytes → base64 'iVBORw0KGgphYmM='
    css = ".x{background:url(img/a.png)} .y{behavior:url(#default#VML)} .z{background:url('data:x')}"
    out = inline_css(css, tmp_path, origin="test.css")
    assert 'url("data:image/png;base64,iVBORw0KGgphYmM=")' in out
    assert "url(#default#VML)" in out and "url('data:x')" in out
    with pytest.raises(AssetError, match="bestaat niet"):
        inline_css(".q{background:url(img/missing.png)}", tmp_path, origin="test.css")
    with pytest.raises(AssetError, match="externe bron"):
        inline_css(".q{background:url(https://example.org/a.png)}", tmp_path, origin="test.css")


def test_inlined_assets_are_made_once_per_file_and_again_when_it_changes(tmp_path, monkeypatch):
    import os
    from pathlib import Path

    from energieplanologie.maps._assets import ResolvedAsset, inline_js, inline_stylesheet

    js, css = tmp_path / "lib.js", tmp_path / "lib.css"
    js.write_text("var a = '</script>';", encoding="utf-8")
    css.write_text(".a{color:red}", encoding="utf-8")
    a_js = ResolvedAsset("https://cdn/lib.js", js, "lib", "1.0.0", "npm")
    a_css = ResolvedAsset("https://cdn/lib.css", css, "lib", "1.0.0", "npm")
    first = inline_js(a_js), inline_stylesheet(a_css)
    assert first == ("<script>/* lib 1.0.0 (npm) */\nvar a = '<\\/script>';</script>",
                     "<style>/* lib 1.0.0 (npm) */\n.a{color:red}</style>")
    reads: list[Path] = []
    read_text = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: reads.append(self) or read_text(self, *a, **k))
    assert (inline_js(a_js), inline_stylesheet(a_css)) == first and reads == []  # from the cache
    js.write_text("var b = 2;", encoding="utf-8")  # another size
    css.write_text(".a{color:red}", encoding="utf-8")
    os.utime(css, ns=(1, 1))  # the same size, another time
    assert inline_js(a_js).endswith("var b = 2;</script>") and inline_stylesheet(a_css) == first[1]
    assert reads == [js, css]


@pytest.fixture(scope="module")
def sample_region():
    from energieplanologie.sample import load_sample

    return load_sample()


def test_publish_is_deterministic_and_atomic(sample_region, tmp_path):
    # Two maps built separately (folium gives every element a random id) publish to identical bytes.
    a = publish(region_map(sample_region, year=2030), tmp_path / "a.html")
    b = publish(region_map(sample_region, year=2030), tmp_path / "b.html")
    assert a.read_bytes() == b.read_bytes()
    assert re.search(r"map_[0-9a-f]{32}", a.read_text(encoding="utf-8")) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.html"]  # no temp files left
    html = a.read_text(encoding="utf-8")
    assert not _EXTERNAL.search(html)
    assert "/* leaflet-draw 1.0.2 (npm) */" in html  # notes from the room work offline too
    assert "/* jquery" not in html  # the region map needs no jQuery


def test_not_self_contained_keeps_links(tmp_path):
    m = folium.Map(tiles=None)
    html = render_html(m, self_contained=False)
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>' in html
