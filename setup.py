"""Build hook: before setuptools collects the package data, copy the map assets from npm into the package.

Everything else about the package is in ``pyproject.toml``. ``tools/web_assets.py`` does the copying (and runs
``npm ci`` when ``node_modules`` is missing); an sdist already carries the copies, so a wheel built from it needs
no npm. Editable installs (``pip install -e``) skip the copy: they use the checkout's ``node_modules``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent


def bundle_web_assets() -> None:
    spec = importlib.util.spec_from_file_location("_energieplanologie_web_assets", ROOT / "tools" / "web_assets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.bundle(ROOT)


class BuildPyWithWebAssets(build_py):
    def run(self) -> None:
        if not getattr(self, "editable_mode", False):
            bundle_web_assets()
            self.__dict__.pop("data_files", None)  # collect the package data again, assets included
        super().run()


class SdistWithWebAssets(sdist):
    def run(self) -> None:
        bundle_web_assets()
        super().run()


setup(cmdclass={"build_py": BuildPyWithWebAssets, "sdist": SdistWithWebAssets})
