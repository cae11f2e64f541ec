"""Limits on what a source may make the engine do: nesting depth of parsed documents, memory of a read.

A small file can ask for unbounded work: a JSON array nested 100,000 deep (the parser recurses until Python
stops it), YAML aliases that expand to a billion items, a zip whose few megabytes unpack into gigabytes. The
readers check these limits before they do the work and raise their own Dutch error instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_NESTING", "READ_MEMORY_FACTOR", "available_memory", "nesting_exceeds"]

#: The deepest nesting a configuration or capaciteitskaart needs is about six levels; 64 leaves ample room.
MAX_NESTING = 64


def nesting_exceeds(value: Any, limit: int = MAX_NESTING) -> bool:
    """Whether lists and mappings inside ``value`` nest more than ``limit`` levels deep (checked without recursion).

    Examples
    --------
    >>> nesting_exceeds({"a": [1, {"b": 2}]}, limit=3), nesting_exceeds([[[[]]]], limit=3)  # 3 and 4 levels
    (False, True)
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children = list(item.values())
        elif isinstance(item, (list, tuple)):
            children = list(item)
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def available_memory() -> int | None:
    """Bytes of memory available to this process: ``MemAvailable`` of ``/proc/meminfo``, lowered to what the
    address-space limit (``ulimit -v``) and a container's memory limit leave; None where none can be read."""
    found: list[int] = []
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            found.append(max(soft - _vm_size(), 0))
    except (ImportError, OSError, ValueError):  # not on Windows
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
                    break
    except (OSError, ValueError, IndexError):
        pass
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path, encoding="ascii") as fh:
                text = fh.read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            used = 0
            for current in ("/sys/fs/cgroup/memory.current", "/sys/fs/cgroup/memory/memory.usage_in_bytes"):
                if os.path.exists(current):
                    try:
                        with open(current, encoding="ascii") as fh:
                            used = int(fh.read().strip())
                    except (OSError, ValueError):
                        used = 0
                    break
            found.append(max(int(text) - used, 0))
        break
    return min(found) if found else None


def _vm_size() -> int:
    """This process's virtual memory size in bytes (what ``RLIMIT_AS`` limits)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise ValueError("VmSize not found")


#: Memory a read takes, as a multiple of the bytes read (measured: a zipped shapefile of 5 million points, 545 MB
#: of .shp and .dbf, takes 1.7 GB while GDAL reads it into a GeoDataFrame).
READ_MEMORY_FACTOR = 3.0
