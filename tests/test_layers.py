"""The package's layers: no import cycle, counting every import (inside functions too).

Top-level imports alone hide nothing: a cycle closed by an import inside a function is still a cycle (the two
modules cannot be understood, tested or moved apart). grimp — the graph behind import-linter, whose layers
contract in ``pyproject.toml`` keeps the order — records imports wherever they are written, so the count below is
that of the issue. ``lint-imports`` itself runs in ``scripts/test.sh``.
"""

from __future__ import annotations

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
