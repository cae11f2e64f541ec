"""Find the JavaScript and CSS that folium links from a CDN in locally installed packages, and inline them.

A self-contained map (:func:`energieplanologie.maps.publish`) must open without internet. folium emits
``<script src="https://cdn…">`` and ``<link rel="stylesheet" href="https://cdn…">`` tags; each URL is resolved
here to a file of an installed package — an npm package declared in the repository's ``package.json``
(installed with ``npm ci`` into ``node_modules/``) or a PyPI package (folium's own templates) — and the tag is
replaced by the file's content. Images and fonts that a stylesheet refers to with ``url(…)`` become ``data:``
URIs. Third-party files are never copied into this repository.

An asset that cannot be resolved raises :class:`AssetError` naming the URL, the package and the command that
installs it: a CDN link is never left behind silently.

Where the npm files are looked for (:func:`asset_roots`): the environment variable
``ENERGIEPLANOLOGIE_NODE_MODULES`` alone when it is set; otherwise first the copies packaged with this module
(``web-assets/``, made from npm at build time by ``tools/web_assets.py``: every wheel and sdist carries them),
then a ``node_modules`` folder beside a ``package.json`` in this package's folder or any parent (the repository
root of a development install), then ``./node_modules`` in the working directory.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from energieplanologie._errors import EnergieplanologieError

__all__ = [
    "PACKAGED_ASSETS",
    "AssetError",
    "ResolvedAsset",
    "asset_roots",
    "find_node_modules",
    "inline_css",
    "inline_js",
    "resolve_asset",
]

NODE_MODULES_ENV = "ENERGIEPLANOLOGIE_NODE_MODULES"
#: The npm files packaged with energieplanologie (laid out like ``node_modules``; absent in a bare checkout).
PACKAGED_ASSETS = Path(__file__).resolve().parent / "web-assets"
_INSTALL_HINT = "voer `npm ci` uit in de map met package.json (de hoofdmap van energieplanologie)"


class AssetError(EnergieplanologieError):
    """A JavaScript/CSS file a map needs cannot be found in any installed package."""


@dataclass(frozen=True)
class ResolvedAsset:
    """A CDN URL resolved to a local file."""

    url: str
    path: Path
    package: str
    version: str | None
    manager: str  # "npm" | "pypi"


# ------------------------------------------------------------------------------------------------ locating


def _repo_candidates() -> list[Path]:
    here = Path(__file__).resolve()
    return [p for p in here.parents if (p / "package.json").is_file()]


def find_node_modules() -> Path | None:
    """The ``node_modules`` folder to take npm assets from, or None when there is none.

    Examples
    --------
    >>> nm = find_node_modules()
    >>> nm is None or nm.name == "node_modules"
    True
    """
    env = os.environ.get(NODE_MODULES_ENV)
    if env:
        return Path(env)
    for root in _repo_candidates():
        if (root / "node_modules").is_dir():
            return root / "node_modules"
    cwd = Path.cwd() / "node_modules"
    return cwd if cwd.is_dir() else None


def asset_roots() -> list[Path]:
    """The folders, laid out like ``node_modules``, that npm assets are taken from, in order of preference.

    Examples
    --------
    >>> roots = asset_roots()
    >>> all(r.is_dir() for r in roots)
    True
    """
    env = os.environ.get(NODE_MODULES_ENV)
    if env:
        return [Path(env)]
    roots = [PACKAGED_ASSETS] if (PACKAGED_ASSETS / "THIRD_PARTY.json").is_file() else []
    node_modules = find_node_modules()
    if node_modules is not None:
        roots.append(node_modules)
    return roots


@lru_cache(maxsize=64)
def _npm_version(package_dir: Path) -> str | None:
    try:
        return str(json.loads((package_dir / "package.json").read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


# --------------------------------------------------------------------------------------- URL → package file

#: (URL pattern, npm package, path inside the package). Groups: ``ver`` (requested version) and optionally
#: ``path``. Order matters: the first pattern that matches wins.
_NPM_RULES: tuple[tuple[re.Pattern[str], str, str | None], ...] = tuple(
    (re.compile(p), pkg, path)
    for p, pkg, path in (
        (r"^https?://code\.jquery\.com/jquery-(?P<ver>[\d.]+)\.min\.js$", "jquery", "dist/jquery.min.js"),
        (r"^https?://code\.jquery\.com/jquery-(?P<ver>[\d.]+)\.js$", "jquery", "dist/jquery.js"),
        (r"^https?://cdnjs\.cloudflare\.com/ajax/libs/leaflet\.draw/(?P<ver>[^/]+)/(?P<path>leaflet\.draw(?:-src)?\.(?:js|css))$",
         "leaflet-draw", "dist/{path}"),
        (r"^https?://cdnjs\.cloudflare\.com/ajax/libs/Leaflet\.awesome-markers/(?P<ver>[^/]+)/leaflet\.awesome-markers\.js$",
         "drmonty-leaflet-awesome-markers", "js/leaflet.awesome-markers.js"),
        (r"^https?://cdnjs\.cloudflare\.com/ajax/libs/Leaflet\.awesome-markers/(?P<ver>[^/]+)/leaflet\.awesome-markers\.css$",
         "drmonty-leaflet-awesome-markers", "css/leaflet.awesome-markers.css"),
        # Bootstrap 3's glyphicons alone (the URL's version is Bootstrap's, not this package's).
        (r"^https?://netdna\.bootstrapcdn\.com/bootstrap/3\.[^/]+/css/bootstrap-glyphicons\.css$",
         "glyphicons-only-bootstrap", "css/bootstrap.min.css"),
        (r"^https?://cdn\.jsdelivr\.net/gh/ljagis/leaflet-measure@(?P<ver>[^/]+)/dist/(?P<path>.+)$",
         "leaflet-measure", "dist/{path}"),
        (r"^https?://cdn\.jsdelivr\.net/npm/(?P<pkg>@[^/@]+/[^/@]+|[^/@]+)@(?P<ver>[^/]+)/(?P<path>.+)$", "", "{path}"),
        (r"^https?://unpkg\.com/(?P<pkg>@[^/@]+/[^/@]+|[^/@]+)@(?P<ver>[^/]+)/(?P<path>.+)$", "", "{path}"),
    )
)

#: URLs into folium's GitHub repository: the file ships in the folium wheel (PyPI) when it is under templates/.
_FOLIUM_GH = re.compile(r"^https?://cdn\.jsdelivr\.net/gh/python-visualization/folium(?:@[^/]+)?/folium/templates/(?P<path>.+)$")

#: Assets only needed by a feature a page may not use: (URL pattern, marker in the page that means "used").
#: When the marker is absent the link is dropped instead of inlined.
OPTIONAL_ASSETS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"leaflet\.awesome\.rotate(?:\.min)?\.css$"), "L.AwesomeMarkers.icon("),
)


def _npm_install_command(package: str, version: str | None) -> str:
    return f"npm install {package}@{version}" if version else f"npm install {package}"


def _major(version: str | None) -> str | None:
    return None if not version else version.split(".")[0]


def resolve_asset(url: str, *, node_modules: Path | None = None) -> ResolvedAsset:
    """Resolve a CDN URL as folium emits it to a local file of an installed package.

    Parameters
    ----------
    url : str
        The ``src``/``href`` of a ``<script>`` or stylesheet ``<link>``.
    node_modules : Path, optional
        The npm install folder; default the folders of :func:`asset_roots`, the first that has the file.

    Raises
    ------
    AssetError
        When no rule knows the URL, or the package or file is not installed (the message names the URL, the
        package and the command to install it). An installed version with another major version than the one
        requested is refused; a different minor/patch version is accepted.

    Examples
    --------
    >>> a = resolve_asset("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js")  # doctest: +SKIP
    >>> a.package, a.path.name  # doctest: +SKIP
    ('leaflet', 'leaflet.js')
    """
    gh = _FOLIUM_GH.match(url)
    if gh:
        import folium

        path = Path(folium.__file__).parent / "templates" / gh["path"]
        if path.is_file():
            return ResolvedAsset(url, path, "folium", getattr(folium, "__version__", None), "pypi")
        raise AssetError(
            f"'{url}' kan niet inline worden opgenomen: het bestand '{gh['path']}' zit niet in het "
            f"geïnstalleerde PyPI-pakket folium ({path.parent}) en in geen npm-pakket. Gebruik het "
            "kaartelement dat dit bestand nodig heeft niet, of publiceer met self_contained=False."
        )
    for pattern, package, template in _NPM_RULES:
        m = pattern.match(url)
        if not m:
            continue
        groups = m.groupdict()
        package = package or groups["pkg"]
        version = groups.get("ver")
        inner = (template or "").format(path=groups.get("path") or "")
        roots = [node_modules] if node_modules is not None else asset_roots()
        if not roots:
            raise AssetError(
                f"'{url}' kan niet inline worden opgenomen: er is geen node_modules-map gevonden met het "
                f"npm-pakket '{package}'. Installeer de webbestanden: {_INSTALL_HINT} "
                f"(of: {_npm_install_command(package, version)}), of zet {NODE_MODULES_ENV} op een "
                "node_modules-map."
            )
        problem: AssetError | None = None
        for nm in roots:
            try:
                return _resolve_npm(url, Path(nm), package, version, inner)
            except AssetError as exc:
                problem = problem or exc  # the preferred folder's reason
        assert problem is not None
        raise problem
    raise AssetError(
        f"'{url}' kan niet inline worden opgenomen: onbekende externe JavaScript/CSS-bron. Voeg het npm-pakket "
        "toe aan package.json en een regel aan energieplanologie/maps/_assets.py, of publiceer met "
        "self_contained=False."
    )


def _resolve_npm(url: str, nm: Path, package: str, version: str | None, inner: str) -> ResolvedAsset:
    """One npm file in one ``node_modules``-like folder, or :class:`AssetError` saying why not."""
    pkg_dir = nm / package
    installed = _npm_version(pkg_dir) if pkg_dir.is_dir() else None
    if installed is None:
        raise AssetError(
            f"'{url}' kan niet inline worden opgenomen: npm-pakket '{package}' (versie {version}) is niet "
            f"geïnstalleerd in {nm}. Installeer het: {_INSTALL_HINT} "
            f"(of: {_npm_install_command(package, version)})."
        )
    if version and _major(installed) != _major(version):
        raise AssetError(
            f"'{url}' vraagt npm-pakket '{package}' versie {version}, maar in {nm} staat versie "
            f"{installed}. Installeer de gevraagde versie: {_npm_install_command(package, version)}."
        )
    path = pkg_dir / inner
    if not path.is_file() and ".min." in inner:
        path = pkg_dir / inner.replace(".min.", ".")  # some packages ship only the unminified file
    if not path.is_file():
        raise AssetError(
            f"'{url}' kan niet inline worden opgenomen: het bestand '{inner}' ontbreekt in npm-pakket "
            f"'{package}' {installed} ({pkg_dir}). Installeer de versie die folium vraagt: "
            f"{_npm_install_command(package, version)}."
        )
    return ResolvedAsset(url, path, package, installed, "npm")


# ------------------------------------------------------------------------------------------------ inlining

_CSS_URL = re.compile(r"""url\(\s*(?P<q>['"]?)(?P<ref>[^'")]+)(?P=q)\s*\)""")
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?(?P<ref>[^'")\s;]+)""")

_MIME = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
}


def data_uri(path: Path) -> str:
    """A ``data:`` URI with the base64 content of a file (MIME type from its extension)."""
    mime = _MIME.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def inline_css(text: str, base: Path, *, origin: str) -> str:
    """Replace every relative ``url(…)`` in a stylesheet by a ``data:`` URI of the file it names.

    ``data:`` URIs, fragment-only references (``#default#VML``) and absolute URLs to another origin are kept
    (an absolute ``http(s)`` font or image is an :class:`AssetError`: the page would need internet).
    """
    for m in _CSS_IMPORT.finditer(text):
        raise AssetError(f"Stylesheet '{origin}' importeert '{m['ref']}' (@import); dat wordt niet inline ondersteund.")

    def repl(m: re.Match[str]) -> str:
        ref = m["ref"].strip()
        if ref.startswith(("data:", "#")):
            return m.group(0)
        if re.match(r"^[a-z]+:", ref) or ref.startswith("//"):
            raise AssetError(f"Stylesheet '{origin}' verwijst naar externe bron '{ref}'; die kan niet inline.")
        clean = re.split(r"[?#]", ref, maxsplit=1)[0]
        target = (base / clean).resolve()
        if not target.is_file():
            raise AssetError(f"Stylesheet '{origin}' verwijst naar '{ref}', maar {target} bestaat niet.")
        return f'url("{data_uri(target)}")'

    return _CSS_URL.sub(repl, text)


def _script_safe(js: str) -> str:
    """Make JavaScript safe inside an HTML ``<script>`` element (no early ``</script>``, no ``<!--``)."""
    js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)
    return js.replace("<!--", "<\\!--")


def _stamp(path: Path) -> tuple[int, int]:
    """When a file was last changed and its size: a new file at a path is read again, not taken from the cache."""
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def inline_js(asset: ResolvedAsset) -> str:
    """The ``<script>`` element with an asset's JavaScript inlined (plus any fix-up it needs offline).

    Made once per file and process (every municipality page inlines the same libraries): about 2 ms a page.
    """
    return _inline_js(asset, _stamp(asset.path))


@lru_cache(maxsize=64)
def _inline_js(asset: ResolvedAsset, stamp: tuple[int, int]) -> str:
    js = asset.path.read_text(encoding="utf-8")
    extra = _AFTER_JS.get(asset.package)
    tail = "" if extra is None else "\n" + extra(asset)
    return f"<script>/* {asset.package} {asset.version or ''} ({asset.manager}) */\n{_script_safe(js)}{tail}</script>"


def inline_stylesheet(asset: ResolvedAsset) -> str:
    """The ``<style>`` element with an asset's CSS inlined (its images and fonts as ``data:`` URIs), made once per
    stylesheet and process, as :func:`inline_js`."""
    return _inline_stylesheet(asset, _stamp(asset.path))


@lru_cache(maxsize=64)
def _inline_stylesheet(asset: ResolvedAsset, stamp: tuple[int, int]) -> str:
    css = inline_css(asset.path.read_text(encoding="utf-8"), asset.path.parent, origin=asset.url)
    css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
    return f"<style>/* {asset.package} {asset.version or ''} ({asset.manager}) */\n{css}</style>"


def _leaflet_icons(asset: ResolvedAsset) -> str:
    # Leaflet finds its default marker image through a CSS url(); with data: URIs that detection fails, so
    # point L.Icon.Default at the images directly (drawn note markers use this icon).
    images = asset.path.parent / "images"
    options = {
        "iconUrl": data_uri(images / "marker-icon.png"),
        "iconRetinaUrl": data_uri(images / "marker-icon-2x.png"),
        "shadowUrl": data_uri(images / "marker-shadow.png"),
    }
    return f"L.Icon.Default.imagePath = '';\nL.Icon.Default.mergeOptions({json.dumps(options)});"


_AFTER_JS: dict[str, Callable[[ResolvedAsset], str]] = {"leaflet": _leaflet_icons}
