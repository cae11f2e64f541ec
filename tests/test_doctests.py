"""Docstrings are documentation that runs: every example in every module is executed as a doctest, on the sample.

Each module of the package is one test (so a failure names the module), run in-process with the standard library's
:mod:`doctest` under this suite's warning filters (warnings are errors), from a temporary working directory so
that an example writing a relative path writes there. Examples marked ``# doctest: +SKIP`` are the ones that
write a whole output folder or need a browser or a database.

The second half checks the public API a newcomer learns (``import energieplanologie as ep``): every name exists,
and every function and class has a numpydoc docstring whose Examples section runs.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import energieplanologie

pytestmark = pytest.mark.slow


def _modules() -> list[str]:
    found = [info.name for info in pkgutil.walk_packages(energieplanologie.__path__, "energieplanologie.")]
    return ["energieplanologie", *sorted(n for n in found if not n.endswith("__main__"))]


MODULES = _modules()
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("name", MODULES)
def test_doctests_of_module(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    report: list[str] = []
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, name):
        runner.run(test, out=report.append)
        test.globs.clear()  # regions and figures of one docstring are not kept for the next
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(report)


def test_every_module_is_covered():
    # the analyses are all there (a module that fails to import would fail its own doctest test above)
    for name in ("io", "schema", "region", "allocation", "balance", "hotspots", "density", "overview",
                 "assessment", "variants", "pmiek", "maps.interactive", "maps.static", "pipeline", "config"):
        assert f"energieplanologie.{name}" in MODULES


# ---------------------------------------------------------------------------------------------- public API

def _api_docs_tool():
    """``tools/make_api_docs.py``: it holds the list of the public API (by step of the process)."""
    path = Path(__file__).resolve().parents[1] / "tools" / "make_api_docs.py"
    spec = importlib.util.spec_from_file_location("make_api_docs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: The flat public API (``ep.<name>``) and the module that defines each name.
PUBLIC_API: dict[str, str] = _api_docs_tool().public_api()

#: Examples that may be all ``+SKIP``: they need two finished output folders or write a whole folder.
SKIP_ONLY = {"diff_rounds", "write_overviews", "run_pipeline"}

#: Not documented yet, with the reason: strict xfails, so an entry must go when its docstring is complete.
MISSING: dict[str, str] = {}


def _section(doc: str, title: str) -> str | None:
    match = re.search(rf"^{title}\n-+\n(.*?)(?=^\w[\w ]*\n-+\n|\Z)", doc, re.M | re.S)
    return match.group(1) if match else None


def _api_params():
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=MISSING[name])) if name in MISSING
            else name for name in sorted(PUBLIC_API)]


@pytest.mark.parametrize("name", _api_params())
def test_public_api_is_documented_with_a_running_example(name):
    obj = getattr(importlib.import_module(f"energieplanologie.{PUBLIC_API[name]}"), name)
    doc = inspect.getdoc(obj) or ""
    assert doc.splitlines() and doc.splitlines()[0].strip(), f"{name}: geen docstring"
    examples = _section(doc, "Examples")
    assert examples is not None and ">>>" in examples, f"{name}: geen Examples-sectie met >>>"
    prompts = [line for line in examples.splitlines() if line.strip().startswith(">>>")]
    if name not in SKIP_ONLY:
        assert any("+SKIP" not in line for line in prompts), f"{name}: alle voorbeelden overgeslagen"
    if inspect.isfunction(obj):
        signature = inspect.signature(obj)
        if signature.parameters:
            assert _section(doc, "Parameters") is not None, f"{name}: geen Parameters-sectie"
        if signature.return_annotation not in (None, "None", inspect.Signature.empty):
            assert _section(doc, "Returns") is not None, f"{name}: geen Returns-sectie"


def test_api_reference_page_lists_the_public_api_and_is_current():
    """docs/api.md is generated from these docstrings by tools/make_api_docs.py and committed up to date."""
    tool = _api_docs_tool()
    assert len(PUBLIC_API) >= 40 and {"load_sample", "station_balance", "detect_hotspots", "score_projects",
                                      "write_pmiek", "run_pipeline"} <= set(PUBLIC_API)
    assert tool.main(["--check"]) == 0, "docs/api.md is verouderd: draai python tools/make_api_docs.py"
    text = tool.OUT.read_text(encoding="utf-8")
    for name in PUBLIC_API:
        assert f"### `ep.{name}`" in text


def test_top_level_names_resolve():
    import energieplanologie as ep

    for name in ep.__all__:
        assert getattr(ep, name) is not None, name


def test_flat_top_level_has_the_whole_public_api():
    import energieplanologie as ep

    assert set(PUBLIC_API) <= set(ep.__all__)
    for name, module in PUBLIC_API.items():
        assert getattr(ep, name) is getattr(importlib.import_module(f"energieplanologie.{module}"), name)


def test_import_is_light():
    code = "import sys, energieplanologie; print(sorted(m for m in ('geopandas', 'pandas', 'shapely') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
