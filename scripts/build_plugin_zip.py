#!/usr/bin/env python3
"""Build the installable QGIS plugin zip: ``dist/energieplanologie_qgis.zip``.

The zip holds one folder, ``energieplanologie_qgis/``, as QGIS's *Install from ZIP* and the plugin repository
expect: the plugin's files (no ``__pycache__``, no compiled files), the QML styles the core ships for its outputs
(``energieplanologie/styles/*.qml``, copied into ``resources/styles/``), the licence (``LICENSE``, EUPL-1.2) and
the engine: a wheel of this checkout, built afresh (``pip wheel``; the map assets come from npm at build time,
see ``tools/web_assets.py``) into ``wheels/``, which *Engine installeren* installs. The build is reproducible:
entries are sorted and carry a fixed timestamp (``SOURCE_DATE_EPOCH`` when set, also for the wheel).

Usage::

    python3 scripts/build_plugin_zip.py [--out dist/energieplanologie_qgis.zip] [--wheel WHEEL]

``--wheel`` takes an engine wheel built before instead of building one (its version must be the plugin's).
Standard library only, so any Python 3.10+ with pip runs it.
"""

from __future__ import annotations

import argparse
import configparser
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLUGIN = "energieplanologie_qgis"
PLUGIN_DIR = REPO / "qgis_plugin" / PLUGIN
CORE_STYLES = REPO / "energieplanologie" / "styles"
LICENCE_NAMES = ("LICENSE", "LICENSE.txt", "LICENCE", "LICENSE.md")
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".orig", ".rej", ".swp"}


def plugin_version() -> str:
    meta = configparser.ConfigParser()
    meta.read(PLUGIN_DIR / "metadata.txt", encoding="utf-8")
    return meta["general"]["version"]


def build_wheel(folder: Path, epoch: int) -> Path:
    """Build the engine wheel of this checkout into ``folder`` (``pip wheel --no-deps``) and return it."""
    shutil.rmtree(REPO / "build", ignore_errors=True)  # setuptools would reuse files left there by an earlier build
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(folder),
                           str(REPO)], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"het engine-wheel kon niet worden gebouwd:\n{proc.stdout[-2000:]}{proc.stderr[-4000:]}")
    wheels = sorted(folder.glob("energieplanologie-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"pip wheel gaf {len(wheels)} wheels in {folder}, verwacht 1")
    return wheels[0]


def plugin_files(wheel: Path | None = None) -> dict[str, Path]:
    """Archive name → source file, for everything that goes into the zip (the engine ``wheel`` when given)."""
    files: dict[str, Path] = {}
    for path in sorted(PLUGIN_DIR.rglob("*")):
        rel = path.relative_to(PLUGIN_DIR)
        if path.is_dir() or SKIP_DIRS.intersection(rel.parts) or path.suffix in SKIP_SUFFIXES:
            continue
        if any(part.startswith(".") for part in rel.parts):
            continue
        files[f"{PLUGIN}/{rel.as_posix()}"] = path
    if CORE_STYLES.is_dir():
        for qml in sorted(CORE_STYLES.glob("*.qml")):
            name = f"{PLUGIN}/resources/styles/{qml.name}"
            if name in files:
                raise SystemExit(f"stijl {qml.name} bestaat zowel in de plugin als in {CORE_STYLES}; kies er één")
            files[name] = qml
    for licence in LICENCE_NAMES:
        if (REPO / licence).is_file():
            files[f"{PLUGIN}/LICENSE"] = REPO / licence
            break
    if f"{PLUGIN}/LICENSE" not in files:
        raise SystemExit(f"geen licentiebestand ({', '.join(LICENCE_NAMES)}) in {REPO}")
    if f"{PLUGIN}/metadata.txt" not in files:
        raise SystemExit(f"{PLUGIN_DIR / 'metadata.txt'} ontbreekt")
    if wheel is not None:
        files[f"{PLUGIN}/wheels/{wheel.name}"] = wheel
    return dict(sorted(files.items()))


def build(out: Path, *, wheel: Path | None = None) -> Path:
    """Write the zip to ``out`` (atomically) and return its path; builds the engine wheel unless ``wheel`` is given."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))  # 1980-01-01, the earliest a zip can store
    stamp = time.gmtime(max(epoch, 315532800))[:6]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with tempfile.TemporaryDirectory(prefix="energieplanologie-wheel-") as scratch:
        wheel = wheel if wheel is not None else build_wheel(Path(scratch), max(epoch, 315532800))
        version = plugin_version()
        if f"-{version}-" not in wheel.name:
            raise SystemExit(f"het engine-wheel {wheel.name} heeft niet de versie van de plugin ({version})")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for name, path in plugin_files(wheel).items():
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_STORED if name.endswith(".whl") else zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bouw de installeerbare QGIS-plugin-zip.")
    parser.add_argument("--out", type=Path, default=REPO / "dist" / f"{PLUGIN}.zip", help="doelbestand")
    parser.add_argument("--wheel", type=Path, default=None,
                        help="een eerder gebouwd engine-wheel gebruiken in plaats van er een te bouwen")
    args = parser.parse_args(argv)
    path = build(args.out, wheel=args.wheel)
    with zipfile.ZipFile(path) as archive:
        count = len(archive.namelist())
    print(f"{path} ({count} bestanden, {path.stat().st_size / 1024:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
