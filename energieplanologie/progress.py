"""Progress reporting for long work, without tying the core to a user interface.

Core functions take ``progress: ProgressCallback | None``; it is called with a fraction in [0, 1] and a short
Dutch message. The CLI turns these calls into rich progress bars, or, with ``--machine-progress``, into lines
``@@progress {"pct": 42.0, "stage": "..."}`` on stderr that the QGIS plugin reads (DESIGN §7).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

__all__ = ["MACHINE_PREFIX", "ProgressCallback", "machine_progress", "report", "scaled"]

ProgressCallback = Callable[[float, str], None]

#: Prefix of a machine-readable progress line on stderr.
MACHINE_PREFIX = "@@progress "


def report(progress: ProgressCallback | None, fraction: float, message: str) -> None:
    """Call ``progress`` when given; clamp the fraction to [0, 1]."""
    if progress is not None:
        progress(min(1.0, max(0.0, float(fraction))), message)


def scaled(progress: ProgressCallback | None, start: float, end: float) -> ProgressCallback | None:
    """A callback that maps [0, 1] onto [start, end] of ``progress`` (for a stage inside a pipeline)."""
    if progress is None:
        return None

    def inner(fraction: float, message: str) -> None:
        progress(start + (end - start) * min(1.0, max(0.0, fraction)), message)

    return inner


def machine_progress(fraction: float, message: str) -> None:
    """Write one machine-readable progress line to stderr."""
    sys.stderr.write(MACHINE_PREFIX + json.dumps({"pct": round(100 * fraction, 1), "stage": message}, ensure_ascii=False) + "\n")
    sys.stderr.flush()
