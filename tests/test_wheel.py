"""The engine as people install it: an sdist and a wheel built from this checkout, the wheel installed with its
PyPI dependencies only (no extras) into a fresh virtual environment, and ``energieplanologie demo`` run there with
``node``/``npm`` unusable and no ``node_modules`` in sight. Slow (a build, a pip install, the demo)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pypdf
import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """``python -m build``: the sdist, and the wheel built from that sdist (as PyPI and pip build it)."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    [wheel] = out.glob("energieplanologie-*.whl")
    [sdist] = out.glob("energieplanologie-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def test_wheel_and_sdist_carry_licence_and_map_assets_and_pass_twine_check(dist):
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = wheel.namelist()
        metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode("utf-8")
        licence = wheel.read(next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))).decode("utf-8")
    assert licence.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    assert "License-Expression: EUPL-1.2" in metadata
    assets = "energieplanologie/maps/web-assets/"
    for name in ("leaflet/dist/leaflet.js", "leaflet/dist/leaflet.css", "leaflet/LICENSE", "leaflet-draw/LICENSE.txt",
                 "@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2", "THIRD_PARTY.json"):
        assert assets + name in names, name
    with tarfile.open(dist["sdist"]) as sdist:
        members = sdist.getnames()
    root = members[0].split("/")[0]
    for name in ("LICENSE", "package-lock.json", "tools/web_assets.py", f"{assets}leaflet/dist/leaflet.js"):
        assert f"{root}/{name}" in members, name
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(dist["wheel"]), str(dist["sdist"])],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _stub_bin(folder: Path, marker: Path) -> Path:
    """``node`` and ``npm`` that record being called and fail, first on PATH: both unusable."""
    folder.mkdir()
    for name in ("node", "npm", "npx"):
        stub = folder / name
        stub.write_text(f"#!/bin/sh\necho {name} >> '{marker}'\nexit 127\n", encoding="utf-8")
        stub.chmod(0o755)
    return folder


def test_fresh_venv_with_only_the_wheel_runs_the_demo_without_node(dist, tmp_path):
    env_dir = tmp_path / "engine"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    marker = tmp_path / "node-aangeroepen.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENERGIEPLANOLOGIE_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join([str(env_dir / "bin"), str(_stub_bin(tmp_path / "stubs", marker)),
                                   env.get("PATH", "")])
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(dist["wheel"])], env=env,
                             capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    assert install.returncode == 0, install.stderr[-3000:]
    # No extras: WeasyPrint (and its Pango) is not there.
    probe = subprocess.run([str(python), "-c", "import weasyprint"], env=env, capture_output=True, text=True)
    assert probe.returncode != 0 and "No module named 'weasyprint'" in probe.stderr

    out = tmp_path / "uitvoer"
    proc = subprocess.run([str(env_dir / "bin" / "energieplanologie"), "demo", "--out", str(out)], env=env,
                          capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert not marker.exists(), marker.read_text() if marker.exists() else ""

    # The map inlines Leaflet from the packaged copy: no script or stylesheet is fetched from elsewhere.
    html = (out / "kaart.html").read_text(encoding="utf-8")
    assert "/* leaflet 1.9.3 (npm) */" in html
    assert not re.search(r"""<script[^>]+src=["']?https?:""", html)
    assert not re.search(r"""<link[^>]+rel=["']?stylesheet[^>]+href=["']?https?:""", html)
    overview = (out / "gemeenten" / "GM1714.html").read_text(encoding="utf-8")  # Sluis
    assert "/* leaflet 1.9.3 (npm) */" in overview and not re.search(r"<script[^>]+src=", overview)

    # One A4 PDF per project (the sample has eleven, P01–P11 with the flex asset P11) and the combined file,
    # without WeasyPrint.
    fiches = out / "pmiek" / "fiches"
    assert sorted(p.name for p in fiches.glob("P*.pdf")) == [f"P{i:02d}.pdf" for i in range(1, 12)]
    for pdf in fiches.glob("P*.pdf"):
        assert len(pypdf.PdfReader(str(pdf)).pages) == 1
    assert len(pypdf.PdfReader(str(fiches / "pmiek_projectfiches.pdf")).pages) == 11
    # What was skipped, and how to add it, is said exactly once.
    notices = [ln for ln in proc.stderr.splitlines() if ln.startswith("Let op:")]
    assert len(notices) == 1 and "WeasyPrint" in notices[0] and "energieplanologie[pdf]" in notices[0], proc.stderr
