"""Atomic files: write beside the target, flush, rename into place — the old content or the new, never a mix.

Every module that writes a file uses :func:`atomic_write` (it used to live in :mod:`energieplanologie.io`, which
made every writer import the readers; ``io.atomic_write`` still works).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from energieplanologie._outdir import HOST, SIDECARS, TEMP_NAME, pid_alive

__all__ = ["atomic_write"]

_SIDECARS = SIDECARS


def _sidecars(path: Path) -> list[Path]:
    return [path] + [path.with_name(path.name + s) for s in _SIDECARS]


#: This machine in temporary names; the pattern of temporary names (both live in ``_outdir``).
_HOST = HOST
_TEMP_NAME = TEMP_NAME
_pid_alive = pid_alive
#: Folders whose leftovers this process has already removed (once per folder is enough: only dead processes
#: leave them, and this one cleans up after itself).
_SWEPT: set[Path] = set()


def _sweep_leftovers(folder: Path) -> None:
    """Remove the temporary files that a killed process of this machine left in ``folder`` (a run stopped with
    SIGKILL, a power cut): the next write into the folder clears them, so they never pile up."""
    key = folder.resolve()
    if key in _SWEPT:
        return
    _SWEPT.add(key)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        m = _TEMP_NAME.match(entry.name)
        if m and m.group(1) == _HOST and not _pid_alive(int(m.group(2))) and entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)


@contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it into place, on failure remove it.

    The temporary file keeps the suffix of ``path`` so format drivers recognise it, and is hidden
    (``.kaart.<machine>-<pid>-<token>.tmp.html``). The target folder is created when missing. A process killed
    mid-write (SIGKILL, a power cut) cannot remove its temporary file; the next write into that folder does, once
    it sees the process that wrote it is gone. The file is flushed to disk before the rename, so after a crash the
    target holds the old or the new content, never a truncated mix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "uit" / "kaart.html"
    >>> with atomic_write(target) as tmp:
    ...     _ = tmp.write_text("<html></html>", encoding="utf-8")
    >>> target.read_text(encoding="utf-8")
    '<html></html>'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _sweep_leftovers(target.parent)
    tmp = target.with_name(f".{target.stem}.{_HOST}-{os.getpid()}-{secrets.token_hex(4)}.tmp{target.suffix}")
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"{target}: er is niets geschreven (tijdelijk bestand {tmp.name} ontbreekt).")
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException:
        for p in _sidecars(tmp):
            p.unlink(missing_ok=True)
        raise
    finally:
        for p in _sidecars(tmp)[1:]:
            p.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Flush a written file to disk (without it, a power cut right after the rename can leave an empty file)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # a file system without fsync (some network shares): the rename is still atomic
        pass
    finally:
        os.close(fd)
