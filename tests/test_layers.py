"""The package's layers: no import cycle, counting every import (inside functions too).

Top-level imports alone hide nothing: a cycle closed by an import inside a function is still a cycle (the two
modules cannot be understood, tested or moved apart). grimp — the graph behind import-linter, whose layers
contract in ``pyproject.toml`` keeps the order — records imports wherever they are written, so the count below is
that of the issue. ``lint-imports`` itself runs in ``scripts/test.sh``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components


def import_cycles(package: str = "energieplanologie") -> list[list[str]]:
    """The groups of modules that import each other in a ring (strongly connected components of more than one
    module), each sorted, largest first."""
    graph = grimp.build_graph(package, cache_dir=None)
    modules = sorted(graph.modules)
    index = {m: i for i, m in enumerate(modules)}
    pairs = [(index[m], index[t]) for m in modules for t in graph.find_modules_directly_imported_by(m)]
    rows, cols = (np.array(v, dtype=np.int64) for v in zip(*pairs, strict=True)) if pairs else (np.zeros(0),) * 2
    adjacency = coo_array((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(modules), len(modules)))
    _, component = connected_components(adjacency, directed=True, connection="strong")
    groups: dict[int, list[str]] = {}
    for module, c in zip(modules, component, strict=True):
        groups.setdefault(int(c), []).append(module)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g))


def _modules(folder: Path) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package in ``folder``."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def private_imports(folder: Path) -> list[str]:
    """Every place where a module of the package in ``folder`` uses a private name (``_name``, not a dunder) of
    another of its modules: ``from pkg.x import _name`` (relative imports too) and ``x._name`` on a module imported
    as ``x``. Private *modules* (``pkg._errors``) may be imported; the names they define are their public ones."""
    modules = _modules(folder)
    package = folder.name
    found = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        aliases: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[: len(here) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.split(".")[0] != package:
                    continue
                for alias in node.names:
                    if f"{target}.{alias.name}" in modules:
                        aliases[alias.asname or alias.name] = f"{target}.{alias.name}"
                    elif _private(alias.name) and target != name:
                        found.append(f"{name}:{node.lineno} {target}.{alias.name}")
            elif isinstance(node, ast.Import):
                aliases.update({a.asname or a.name: a.name for a in node.names if a.name in modules})
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and _private(node.attr) and aliases[node.value.id] != name):
                found.append(f"{name}:{node.lineno} {aliases[node.value.id]}.{node.attr}")
    return sorted(found)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_private_import_finder_on_a_hand_made_package(tmp_path):
    # pkg.a has a private _helper and a public helper; b borrows _helper (a crossing), c uses the public one and
    # a private module's public name, d reaches a._helper through the module, a uses its own _helper.
    # Two crossings: b line 1 (from-import) and d line 2 (attribute); nothing else.
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "_util.py").write_text("def tool():\n    pass\n")
    (pkg / "a.py").write_text("def _helper():\n    pass\n\n\ndef helper():\n    return _helper()\n")
    (pkg / "b.py").write_text("from pkg.a import _helper\n")
    (pkg / "c.py").write_text("from pkg.a import helper\nfrom ._util import tool\n")
    (pkg / "d.py").write_text("from pkg import a\na._helper()\n")
    assert private_imports(pkg) == ["pkg.b:1 pkg.a._helper", "pkg.d:2 pkg.a._helper"]


ROOT = Path(__file__).resolve().parents[1]


def test_no_module_imports_a_private_name_of_another():
    # A private name used by another module is a boundary in the wrong place (STYLE.md): make it public in the
    # module it belongs to, or move it where it is used. The core package and the QGIS plugin.
    assert private_imports(ROOT / "energieplanologie") == []
    assert private_imports(ROOT / "qgis_plugin" / "energieplanologie_qgis") == []


def test_counter_finds_a_ring_of_imports_inside_functions(tmp_path, monkeypatch):
    # Hand-made package: a imports b at the top, b imports a inside a function, c imports a only.
    # One ring {a, b}; c stands outside it.
    pkg = tmp_path / "ringpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from ringpkg import b\n")
    (pkg / "b.py").write_text("def f():\n    from ringpkg import a\n    return a\n")
    (pkg / "c.py").write_text("import ringpkg.a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("ringpkg") == [["ringpkg.a", "ringpkg.b"]]


def test_no_import_cycle_in_the_package():
    cycles = import_cycles()
    assert cycles == [], f"{len(cycles)} importcycli: " + "; ".join(", ".join(c) for c in cycles)
