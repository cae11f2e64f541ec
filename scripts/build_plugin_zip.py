#!/usr/bin/env python3
"""Build the installable QGIS plugin zip: ``dist/energieplanologie_qgis.zip``.

The zip holds one folder, ``energieplanologie_qgis/``, as QGIS's *Install from ZIP* and the plugin repository
expect: the plugin's files (no ``__pycache__``, no compiled files), the QML styles the core ships for its outputs
(``energieplanologie/styles/*.qml``, copied into ``resources/styles/``) and the licence. The build is
reproducible: entries are sorted and carry a fixed timestamp (``SOURCE_DATE_EPOCH`` when set).

Usage::

    python3 scripts/build_plugin_zip.py [--out dist/energieplanologie_qgis.zip]

Standard library only, so any Python 3.10+ runs it.
"""

from __future__ import annotations

import argparse
import os
import sys
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


def plugin_files() -> dict[str, Path]:
    """Archive name → source file, for everything that goes into the zip."""
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
    if f"{PLUGIN}/metadata.txt" not in files:
        raise SystemExit(f"{PLUGIN_DIR / 'metadata.txt'} ontbreekt")
    return dict(sorted(files.items()))


def build(out: Path) -> Path:
    """Write the zip to ``out`` (atomically) and return its path."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))  # 1980-01-01, the earliest a zip can store
    stamp = time.gmtime(max(epoch, 315532800))[:6]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in plugin_files().items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bouw de installeerbare QGIS-plugin-zip.")
    parser.add_argument("--out", type=Path, default=REPO / "dist" / f"{PLUGIN}.zip", help="doelbestand")
    args = parser.parse_args(argv)
    path = build(args.out)
    with zipfile.ZipFile(path) as archive:
        count = len(archive.namelist())
    print(f"{path} ({count} bestanden, {path.stat().st_size / 1024:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
