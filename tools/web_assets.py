#!/usr/bin/env python3
"""Copy the JavaScript, CSS, images, fonts and licence texts that self-contained maps inline from the npm
packages of ``package.json`` into the Python package: ``energieplanologie/maps/web-assets/<npm package>/…``.

The build runs this (``setup.py`` calls :func:`bundle` before it collects the package data), so every wheel and
sdist carries the assets and a map can be published without Node.js or ``node_modules``. The folder is made at
build time and never committed (``.gitignore``): the files stay third-party files, taken from npm with their own
licence texts. When ``node_modules`` is missing or does not match ``package-lock.json``, ``npm ci`` installs it
first.

What is copied, per package of ``dependencies``: its ``package.json``, its licence file (``LICENSE*``,
``LICENCE*``, ``COPYING*``) and every ``.js``/``.css``/image/font file outside source, test, example and
documentation folders. A package that ships no licence file gets ``LICENSE.txt`` with the SPDX text of the
licence its ``package.json`` names (from the npm package ``spdx-license-list``, a development dependency).
``THIRD_PARTY.json`` lists package, version, licence and files; ``.stamp`` holds a hash of ``package-lock.json``
and of this script, so an unchanged bundle is not copied again.

Usage::

    python3 tools/web_assets.py [--target DIR]

Standard library only (it runs inside the build backend's isolated environment).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Where the assets go, relative to the repository (or unpacked sdist) root.
TARGET = Path("energieplanologie") / "maps" / "web-assets"
#: File types a page or stylesheet can load.
ASSET_SUFFIXES = frozenset({".js", ".css", ".png", ".svg", ".gif", ".jpg", ".jpeg", ".woff", ".woff2", ".ttf",
                            ".eot", ".otf"})
#: Folders never needed at run time (sources, tests, examples, documentation, icon sources).
SKIP_DIRS = frozenset({"src", "scss", "less", "sass", "svgs", "sprites", "metadata", "example", "examples", "test",
                       "tests", "spec", "docs", "build", "site", "node_modules"})
#: Per package, folders left out on top of SKIP_DIRS (relative to the package; big and never linked by folium).
SKIP_PER_PACKAGE = {
    "@fortawesome/fontawesome-free": ("js",),   # folium links the CSS + webfonts only
    "bootstrap": ("js/dist",),                  # per-module sources; dist/js has the bundles
}
LICENCE_FILE = re.compile(r"^(licen[cs]e|copying)(\.[a-z]+)?$", re.IGNORECASE)
SPDX_ID = re.compile(r"[A-Za-z0-9.+-]+")


class BundleError(RuntimeError):
    """The assets cannot be bundled (no npm, a package or licence missing)."""


def _stamp(repo: Path) -> str:
    digest = hashlib.sha256()
    digest.update((repo / "package-lock.json").read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def _dependencies(repo: Path) -> dict[str, str]:
    return dict(json.loads((repo / "package.json").read_text(encoding="utf-8")).get("dependencies", {}))


def _locked_versions(repo: Path) -> dict[str, str]:
    lock = json.loads((repo / "package-lock.json").read_text(encoding="utf-8"))
    return {name[len("node_modules/"):]: str(info.get("version"))
            for name, info in lock.get("packages", {}).items() if name.startswith("node_modules/")}


def _installed_version(node_modules: Path, package: str) -> str | None:
    try:
        return str(json.loads((node_modules / package / "package.json").read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return None


def _node_modules_current(repo: Path) -> bool:
    node_modules = repo / "node_modules"
    locked = _locked_versions(repo)
    wanted = [*_dependencies(repo), "spdx-license-list"]
    return all(_installed_version(node_modules, p) == locked.get(p) for p in wanted)


def _npm_ci(repo: Path, log: Callable[[str], None]) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise BundleError(
            "De webbestanden voor zelfstandige kaarten (Leaflet en co.) komen bij het bouwen uit npm, maar npm "
            "staat niet op het PATH en node_modules ontbreekt of klopt niet met package-lock.json. Installeer "
            "Node.js met npm (Debian/Ubuntu: apt install npm), of bouw vanuit de sdist, die de bestanden al bevat.")
    log("npm ci (webbestanden voor zelfstandige kaarten)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=repo, check=True)


def _package_files(package_dir: Path, package: str) -> list[Path]:
    skip_rel = tuple(Path(p).parts for p in SKIP_PER_PACKAGE.get(package, ()))
    files = []
    for path in sorted(package_dir.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(package_dir)
        parts = rel.parts
        if any(p in SKIP_DIRS or p.startswith(".") for p in parts[:-1]) or parts[-1].startswith("."):
            continue
        if any(parts[: len(s)] == s for s in skip_rel):
            continue
        if rel.name == "package.json" and len(parts) == 1:
            files.append(rel)
        elif len(parts) == 1 and LICENCE_FILE.match(rel.name):
            files.append(rel)
        elif path.suffix.lower() in ASSET_SUFFIXES and ".esm." not in path.name:
            files.append(rel)
    return files


def _licence_ids(manifest: dict[str, object]) -> list[str]:
    value = manifest.get("license") or manifest.get("licenses") or ""
    if isinstance(value, list):
        value = " AND ".join(str(v.get("type", "")) if isinstance(v, dict) else str(v) for v in value)
    elif isinstance(value, dict):
        value = str(value.get("type", ""))
    value = str(value).replace("License", "").strip()
    return [t for t in SPDX_ID.findall(value) if t not in ("AND", "OR", "WITH")]


def _spdx_text(node_modules: Path, spdx: str) -> str:
    path = node_modules / "spdx-license-list" / "licenses" / f"{spdx}.json"
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["licenseText"])
    except (OSError, ValueError, KeyError):
        raise BundleError(f"Geen licentietekst voor '{spdx}' in {path.parent} (npm-pakket spdx-license-list)") from None


def bundle(repo: Path = REPO, *, target: Path | None = None, log: Callable[[str], None] = print) -> Path:
    """Copy the map assets into ``target`` (default ``energieplanologie/maps/web-assets`` in ``repo``).

    Does nothing when ``target`` already holds a bundle of the same ``package-lock.json`` and script, or when
    ``repo`` has no ``package.json`` but ``target`` is complete (a build from an sdist). Returns ``target``.

    Examples
    --------
    >>> bundle(REPO, target=Path("/tmp/web-assets"), log=lambda m: None).name  # doctest: +SKIP
    'web-assets'
    """
    target = repo / TARGET if target is None else target
    stamp_file = target / ".stamp"
    if not (repo / "package.json").is_file() or not (repo / "package-lock.json").is_file():
        if (target / "THIRD_PARTY.json").is_file():
            return target
        raise BundleError(f"{repo} heeft geen package.json/package-lock.json en {target} bevat geen webbestanden")
    stamp = _stamp(repo)
    if stamp_file.is_file() and stamp_file.read_text(encoding="utf-8").strip() == stamp:
        return target
    if not _node_modules_current(repo):
        _npm_ci(repo, log)
    node_modules = repo / "node_modules"
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    index = []
    for package in sorted(_dependencies(repo)):
        source = node_modules / package
        manifest = json.loads((source / "package.json").read_text(encoding="utf-8"))
        files = _package_files(source, package)
        for rel in files:
            (staging / package / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, staging / package / rel)
        licences = _licence_ids(manifest)
        own = [rel for rel in files if len(rel.parts) == 1 and LICENCE_FILE.match(rel.name)]
        if not own:
            if not licences:
                raise BundleError(f"npm-pakket {package} heeft geen licentiebestand en noemt geen licentie")
            author = manifest.get("author")
            author = author.get("name") if isinstance(author, dict) else author
            header = (f"{package} {manifest.get('version')} ({', '.join(licences)})"
                      + (f", {author}" if author else "") + ".\nHet npm-pakket levert geen eigen licentiebestand; "
                      "hieronder de tekst van de licentie die het in package.json noemt (SPDX).\n\n")
            text = header + "\n\n".join(_spdx_text(node_modules, spdx) for spdx in licences)
            (staging / package / "LICENSE.txt").write_text(text.rstrip() + "\n", encoding="utf-8")
            files.append(Path("LICENSE.txt"))
        index.append({"package": package, "version": manifest.get("version"), "license": " AND ".join(licences),
                      "source": "npm", "files": sorted(rel.as_posix() for rel in files)})
    (staging / "THIRD_PARTY.json").write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n",
                                              encoding="utf-8")
    (staging / ".stamp").write_text(stamp + "\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)
    count = sum(len(p["files"]) for p in index)
    log(f"webbestanden voor zelfstandige kaarten: {count} bestanden uit {len(index)} npm-pakketten in {target}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kopieer de webbestanden van de kaarten uit npm naar het pakket.")
    parser.add_argument("--target", type=Path, default=None, help=f"doelmap (standaard {TARGET})")
    args = parser.parse_args(argv)
    try:
        bundle(REPO, target=args.target)
    except BundleError as exc:
        print(f"web_assets: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
