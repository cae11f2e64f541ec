"""The notebooks are the user guide: they run top to bottom on the sample, and are committed without outputs.

Each notebook is executed with nbclient in a fresh Jupyter kernel (the Python of this environment), with the
``notebooks/`` folder as working directory. An error in any cell fails the test and names the cell; so does a
warning printed by a cell (the project treats warnings as errors). The executed notebook must show what the guide
promises: tables, static figures, and — where the notebook has a map — an inline folium map.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbclient
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["01_inzicht", "02_stationsbalans", "03_knooppunten", "04_afwegen_en_pmiek"]
WITH_FOLIUM_MAP = {"01_inzicht", "02_stationsbalans", "03_knooppunten"}

pytestmark = pytest.mark.slow


def _read(name: str):
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def test_every_notebook_is_listed():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_has_no_outputs(name):
    """Outputs and execution counts are stripped before committing (small diffs, no stale results)."""
    book = _read(name)
    nbformat.validate(book)
    for i, cell in enumerate(book.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: cel {i} heeft uitvoer"
            assert cell.execution_count is None, f"{name}: cel {i} heeft een execution_count"
        assert "execution" not in cell.metadata, f"{name}: cel {i} heeft uitvoeringstijden in de metadata"
    assert "widgets" not in book.metadata


@pytest.mark.parametrize("name", NAMES)
def test_notebook_tells_the_step_in_dutch(name):
    """Each notebook opens with a title and prose, and says what the step is for."""
    book = _read(name)
    first = book.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    prose = " ".join(c.source for c in book.cells if c.cell_type == "markdown")
    assert "handreiking" in prose.lower() or "pilot" in prose.lower()
    assert sum(c.cell_type == "markdown" for c in book.cells) >= 5


@pytest.fixture(scope="module")
def kernel_env():
    """The kernel inherits this process's environment: Jupyter's inline figures (conftest sets Agg for the
    tests themselves), and jupyter_core's new paths (it warns about the migration otherwise)."""
    wanted = {"MPLBACKEND": "module://matplotlib_inline.backend_inline", "JUPYTER_PLATFORM_DIRS": "1"}
    old = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    yield
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(name, kernel_env):
    book = _read(name)
    client = nbclient.NotebookClient(book, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()  # raises CellExecutionError naming the cell and the traceback

    warnings, tables, figures, maps = [], 0, 0, 0
    for i, cell in enumerate(book.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "stream" and out.name == "stderr" and "Warning" in out.text:
                warnings.append(f"cel {i}: {out.text.strip()}")
            data = out.get("data", {})
            html = data.get("text/html", "")
            tables += "<table" in html
            figures += "image/png" in data
            maps += "leaflet" in html.lower() or "folium" in data.get("text/plain", "")
    assert not warnings, "\n".join(warnings)
    assert tables >= 3, f"{name}: {tables} tabellen"
    assert figures >= 1, f"{name}: geen figuur"
    if name in WITH_FOLIUM_MAP:
        assert maps >= 1, f"{name}: geen interactieve kaart"
