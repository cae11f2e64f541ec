"""Publish a folium map as one HTML file that opens without internet (map tiles aside).

:func:`publish` renders the map, gives folium's random element ids stable names (so two publishes of the same
map are byte-identical), replaces every ``<script src>`` and stylesheet ``<link href>`` by the inlined file from
an installed npm or PyPI package (see :mod:`energieplanologie.maps._assets`) and writes the file atomically.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from energieplanologie.maps._assets import (
    OPTIONAL_ASSETS,
    AssetError,
    inline_js,
    inline_stylesheet,
    resolve_asset,
)
from energieplanologie.maps._slots import Slots

__all__ = ["AssetError", "publish", "render_html"]

_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
_SCRIPT_SRC = re.compile(r"""<script\b[^>]*?\bsrc\s*=\s*["']([^"']+)["'][^>]*>\s*</script>""", re.IGNORECASE)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_STYLESHEET = re.compile(r"""\brel\s*=\s*["']?stylesheet""", re.IGNORECASE)


def _walk(element: Any) -> Iterator[Any]:
    yield element
    for part in ("header", "html", "script"):  # a branca Figure keeps these outside its children
        sub = getattr(element, part, None)
        if sub is not None and hasattr(sub, "_children"):
            yield from _walk(sub)
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _stable_ids(html: str, root: Any) -> str:
    """Rename folium/branca element ids (random uuid4 hex) to a counter in order of first appearance."""
    ids = {getattr(e, "_id", None) for e in _walk(root)}
    ids.discard(None)
    names: dict[str, str] = {}

    def repl(m: re.Match[str]) -> str:
        token = m.group(0)
        if token not in ids:
            return token
        if token not in names:
            names[token] = f"{len(names) + 1:04d}"
        return names[token]

    return _ID.sub(repl, html)


def _inline(html: str, node_modules: Path | None) -> str:
    nm = node_modules  # None: the packaged assets, then node_modules (see _assets.asset_roots)
    cache: dict[str, str] = {}

    page = html  # decide on optional assets from the page as rendered, before any library is inlined

    def used(url: str) -> bool:
        return not any(pattern.search(url) and marker not in page for pattern, marker in OPTIONAL_ASSETS)

    def script(m: re.Match[str]) -> str:
        url = m.group(1)
        if url not in cache:
            cache[url] = inline_js(resolve_asset(url, node_modules=nm)) if used(url) else ""
        return cache[url]

    def link(m: re.Match[str]) -> str:
        tag = m.group(0)
        href = _HREF.search(tag)
        if not _STYLESHEET.search(tag) or href is None:
            return tag
        url = href.group(1)
        key = "css:" + url
        if key not in cache:
            cache[key] = inline_stylesheet(resolve_asset(url, node_modules=nm)) if used(url) else ""
        return cache[key]

    html = _SCRIPT_SRC.sub(script, html)
    html = _LINK_TAG.sub(link, html)
    left = [m.group(1) for m in _SCRIPT_SRC.finditer(html)]
    left += [h.group(1) for t in _LINK_TAG.finditer(html) if _STYLESHEET.search(t.group(0))
             for h in [_HREF.search(t.group(0))] if h]
    if left:  # pragma: no cover - every tag above was replaced or raised
        raise AssetError("Niet alle externe bronnen konden inline worden opgenomen: " + ", ".join(left))
    return html


def render_html(m: Any, *, self_contained: bool = True, node_modules: str | Path | None = None) -> str:
    """The complete HTML document of a folium map, with stable element ids.

    Parameters
    ----------
    m : folium.Map or branca Element
        The map (anything with ``get_root().render()``).
    self_contained : bool, default True
        Inline all JavaScript and CSS from installed packages (no CDN links left; raises
        :class:`~energieplanologie.maps.AssetError` when an asset is not installed).
    node_modules : path, optional
        Where the npm packages are installed; default: the copies packaged with energieplanologie, then a
        development checkout's ``node_modules`` (see :func:`energieplanologie.maps._assets.asset_roots`).

    Examples
    --------
    >>> import folium
    >>> html = render_html(folium.Map(tiles=None), self_contained=False)
    >>> "map_0001" in html
    True
    """
    root = m.get_root()
    with Slots.collecting() as slots:  # the map's data stays out of the page until the end: nothing below concerns it
        html = root.render()
    html = _stable_ids(html, root)
    if self_contained:
        html = _inline(html, Path(node_modules) if node_modules is not None else None)
    return slots.fill(html)


def publish(m: Any, path: str | Path, *, self_contained: bool = True,
            node_modules: str | Path | None = None) -> Path:
    """Write a folium map as one HTML file; with ``self_contained`` it works without internet (tiles aside).

    Every ``<script src>`` and stylesheet ``<link href>`` folium emits is replaced by the file's content from
    a locally installed package (npm packages of ``package.json``, installed with ``npm ci``; or PyPI
    packages); images and fonts of stylesheets become ``data:`` URIs. An asset that is not installed raises
    :class:`~energieplanologie.maps.AssetError` naming it and the install command — a CDN link is never left
    silently. Element ids are renamed deterministically, so publishing the same map twice gives identical bytes.
    The file is written atomically (a temporary file in the same folder, then renamed).

    Parameters
    ----------
    m : folium.Map
        The map, e.g. from :func:`energieplanologie.maps.region_map`.
    path : path
        Output file (``kaart.html``); parent folders are created.
    self_contained : bool, default True
        Inline JavaScript and CSS.
    node_modules : path, optional
        npm install folder (default: found automatically).

    Returns
    -------
    Path
        The written file.

    Examples
    --------
    >>> import folium, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "kaart.html"
    >>> publish(folium.Map(tiles=None), out, self_contained=False).name
    'kaart.html'
    """
    from energieplanologie._atomic import atomic_write

    html = render_html(m, self_contained=self_contained, node_modules=node_modules)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as tmp:
        Path(tmp).write_text(html, encoding="utf-8", newline="\n")
    return path
