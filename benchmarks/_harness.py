"""What every benchmark script shares: timing, peak memory, result lines and QGIS start-up.

Standard library only, so that QGIS's own Python (``/usr/bin/python3``) imports it too. The scripts run as files
(``python benchmarks/run.py``), which puts this folder on ``sys.path``.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, MB (``ru_maxrss`` is in kilobytes on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The shortest wall time of ``repeat`` calls (at least one) and the last call's result."""
    shortest, result = float("inf"), None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = fn()
        shortest = min(shortest, time.perf_counter() - t0)
    return shortest, result


def emit(payload: dict) -> None:
    """Hand a worker's result to the parent process as one ``@@result`` JSON line (with the peak RSS)."""
    payload.setdefault("peak_rss_mb", round(peak_rss_mb(), 1))
    sys.stdout.write("@@result " + json.dumps(payload) + "\n")
    sys.stdout.flush()


def cap_memory(gb: float) -> None:
    """Limit the address space, so a baseline that keeps every pair in memory fails instead of swapping."""
    limit = int(gb * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def qgis_env() -> dict:
    """The environment of a headless QGIS worker process."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="xdg-"))
    return env


def qgis_start() -> Any:
    """A running ``QgsApplication`` with Processing initialised (in QGIS's own Python)."""
    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    sys.path.append("/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing

    Processing.initialize()
    return app


def same_partition(a: Any, b: Any) -> bool:
    """Whether two label arrays group the points the same way, whatever the numbers."""
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len({p[0] for p in pairs}) == len({p[1] for p in pairs})
