"""The output folder: checked before any work, written all or nothing, and never over an input.

A run writes a *set* of files (the GeoPackage, the CSVs, the maps, the pMIEK …) that belong together. If a run
that fails half-way (a full disk, a killed process) left some new files beside old ones, the folder would mix two
generations without anything saying so. So every set is written into a *staging folder* beside the output folder
(``.uitvoer.<machine>-<pid>-<token>.nieuw``) and swapped in at the end:

* on Linux with one ``renameat2(RENAME_EXCHANGE)`` — the folder holds the previous set or the new one, at every
  moment;
* elsewhere with two renames (the old folder aside as ``….vorige``, the new one into place); a process killed
  between the two leaves the previous set aside, and the next run on that folder puts it back.

Files in the output folder that the command does not write (a user's notes, the output of another command) are
carried into the new folder as hard links (copies where the file system has none); what the command owns is
replaced as a whole, so files of an earlier run that this run no longer writes (the sheet of a removed project)
disappear with it. A failed run removes its staging folder and leaves the output folder byte for byte as it was;
one killed with SIGKILL leaves its staging folder, which the next run removes.

Before any work :func:`check_output_folder` refuses, with one Dutch line: an output path that is a file, a folder
that is not writable, too little free space for the set, a folder full of files that are not ours (the home
folder, an input folder), and an output that would replace an input of the run (``run --out`` pointed at the
folder of a GeoPackage called ``energieplanologie.gpkg``).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import socket
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from energieplanologie._errors import OutputError
from energieplanologie.labels import format_number

__all__ = [
    "HOST",
    "SIDECARS",
    "TEMP_NAME",
    "check_not_inputs",
    "check_output_folder",
    "final_paths",
    "pid_alive",
    "staged_output",
]

#: This machine in temporary names (a folder on a network share may be written from several machines).
HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
#: Files SQLite and GDAL put beside a file they write.
SIDECARS = ("-wal", "-shm", "-journal", ".aux.xml")
#: ``.<stem>.<host>-<pid>-<token>.tmp<suffix>`` (:func:`energieplanologie.io.atomic_write`) and its sidecars.
TEMP_NAME = re.compile(r"^\..*\.([0-9a-f]{6})-(\d+)-[0-9a-f]{8}\.tmp(?:\.[^.]*)?(?:" +
                       "|".join(re.escape(s) for s in SIDECARS) + r")?$")
#: Free space asked for a set when there is no earlier one to measure (the sample's complete set is 7.7 MB).
DEFAULT_NEED = 10 * 1024 * 1024
#: Files an operating system puts in any folder it shows: they do not make a folder someone else's.
_SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".directory"})
_STAGING = ".nieuw"
_ASIDE = ".vorige"


def pid_alive(pid: int) -> bool:
    """Whether a process of this machine still runs (a leftover of a live process is never removed)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - Windows: os.kill(pid, 0) would send CTRL_C_EVENT
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)
            return True
        return ctypes.windll.kernel32.GetLastError() != 87  # ERROR_INVALID_PARAMETER: no such process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, under another user
        return True
    return True


# ------------------------------------------------------------------------------------------------ checks


def _real(path: str | os.PathLike[str]) -> Path:
    """The absolute path with every symlink resolved (also for a path that does not exist yet)."""
    return Path(os.path.realpath(os.path.abspath(os.fspath(path))))


def _mb(n: float) -> str:
    return format_number(n / 1e6, 1, "MB")


def _existing_ancestor(path: Path) -> Path:
    p = path
    while not os.path.lexists(p) and p.parent != p:
        p = p.parent
    return p


def _size(path: Path) -> int:
    """Bytes a file or folder takes on disk (allocated blocks, as the file system counts them)."""
    try:
        st = path.lstat()
    except OSError:
        return 0
    if not path.is_dir() or path.is_symlink():
        return getattr(st, "st_blocks", 0) * 512 or st.st_size
    return sum(_size(p) for p in path.iterdir())


def _owned(rel: str, owns: Iterable[str]) -> bool:
    return any(rel == o or rel.startswith(o.rstrip("/") + "/") for o in owns)


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_not_inputs(targets: Iterable[str | os.PathLike[str]], inputs: Iterable[str | os.PathLike[str]], *,
                     what: str = "--out") -> None:
    """Refuse when writing ``targets`` (files or folders that will be replaced) would replace an input.

    An input is hit when it *is* a target or lies inside a target folder; symlinks are followed and, where the
    file system ignores case (Windows, macOS), ``Energieplanologie.GPKG`` is ``energieplanologie.gpkg``.

    Raises
    ------
    OutputError
        Naming the input and the output.
    """
    existing_inputs = [Path(p) for p in inputs if os.path.exists(p)]
    for target in map(Path, targets):
        if not os.path.lexists(target):
            continue
        for source in existing_inputs:
            hit = _same(source, target) or any(_same(parent, target) for parent in source.parents)
            if hit:
                raise OutputError(
                    f"{what}: uitvoer {target} zou invoerbestand {source} overschrijven; kies een andere "
                    "uitvoer. Er is niets gelezen of geschreven.")


def check_output_folder(
    out: str | os.PathLike[str],
    *,
    owns: Sequence[str],
    known: Iterable[str] = (),
    inputs: Iterable[str | os.PathLike[str]] = (),
    need: int | None = None,
    default_need: int = DEFAULT_NEED,
    what: str = "--out",
) -> None:
    """Refuse an output folder the set cannot be written to, before any work, with one Dutch line.

    Parameters
    ----------
    out : path-like
        The output folder (made when missing).
    owns : sequence of str
        What the command writes there, relative to ``out`` (``"pmiek"`` is a whole folder,
        ``"pmiek/afweging.csv"`` one file).
    known : iterable of str
        Names of everything any command writes into an output folder: a folder holding none of these and
        something else is not an output folder.
    inputs : iterable of path-like
        The inputs of the run; none may be replaced.
    need : int, optional
        Bytes the set needs; default the size of what it replaces (an earlier run's set is about as large),
        else ``default_need``.
    default_need : int, default 10 MB
        What a set needs when there is nothing to measure.
    what : str
        How the folder is named in messages (the option).

    Raises
    ------
    OutputError
        ``out`` is a file or lies below one, is a mount point, is not writable, holds files that are not ours,
        would replace an input, or the disk has too little free space.
    """
    shown = Path(out)
    real = _real(out)
    if os.path.lexists(real) and not real.is_dir():
        raise OutputError(f"{what} {shown} is een bestand, geen map; geef een map op (die wordt gemaakt als hij "
                          "ontbreekt).")
    base = _existing_ancestor(real)
    if base != real and not base.is_dir():
        raise OutputError(f"{what} {shown}: {base} is een bestand, geen map.")
    check_not_inputs([real / o for o in owns], inputs, what=what)
    if real.is_dir():
        if os.path.ismount(real):
            raise OutputError(f"{what} {shown} is een koppelpunt (mount) en kan niet als geheel worden vervangen; "
                              "kies een map daarbinnen.")
        entries = sorted(e.name for e in os.scandir(real))
        known_names = {k.split("/")[0] for k in [*known, *owns]}
        ours = [e for e in entries if e in known_names]
        foreign = [e for e in entries if e not in known_names and e not in _SYSTEM_FILES and not TEMP_NAME.match(e)]
        if foreign and not ours:
            raise OutputError(f"{what} {shown} bevat al andere bestanden (bv. {foreign[0]}) en is geen uitvoermap "
                              "van energieplanologie; kies een nieuwe of lege map.")
    _check_writable(base if base != real else real.parent, shown, what)
    if need is None:
        earlier = sum(_size(real / o) for o in owns) if real.is_dir() else 0
        need = earlier or default_need
    free = shutil.disk_usage(base if base != real else real.parent).free
    if free < need:
        raise OutputError(f"Te weinig vrije schijfruimte voor {what} {shown}: {_mb(free)} vrij, ongeveer {_mb(need)} "
                          "nodig; maak ruimte vrij of kies een andere map.")


def _check_writable(folder: Path, shown: Path, what: str) -> None:
    try:
        probe = Path(_mkdtemp(folder, ".ep-schrijfproef"))
    except OSError as exc:
        raise _translate(exc, folder, shown, what) or exc from None
    probe.rmdir()


def _mkdtemp(folder: Path, prefix: str) -> str:
    import tempfile

    return tempfile.mkdtemp(prefix=prefix, dir=folder)


# ------------------------------------------------------------------------------------------------ errors


_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)
_FULL_TEXT = ("no space left on device", "database or disk is full", "disk full", "disk quota exceeded",
              "not enough space")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack = [exc]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        stack += [x for x in (e.__cause__, e.__context__) if x is not None]


def _within(path: object, folder: Path) -> bool:
    try:
        return _real(os.fsdecode(path)).is_relative_to(_real(folder))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _translate(exc: BaseException, folder: Path, shown: Path, what: str) -> OutputError | None:
    """The Dutch one-line reason for a failure to write, or None when it is not about the disk."""
    for e in _chain(exc):
        text = str(e).lower()
        if (isinstance(e, OSError) and e.errno in _FULL) or any(t in text for t in _FULL_TEXT):
            try:
                free = f" ({_mb(shutil.disk_usage(folder).free)} vrij)"
            except OSError:
                free = ""
            return OutputError(f"Schijf vol: de uitvoer past niet in {folder}{free}. {what} {shown} is niet "
                               "veranderd; maak ruimte vrij of kies een andere map.")
        if isinstance(e, OSError) and e.errno in _DENIED and (e.filename is None or _within(e.filename, folder)):
            why = "het bestandssysteem is alleen-lezen" if e.errno == errno.EROFS else "geen schrijfrechten"
            return OutputError(f"Kan niet schrijven in {folder}: {why}. {what} {shown} is niet veranderd; kies een "
                               "map waarin u mag schrijven.")
    return None


# ------------------------------------------------------------------------------------------------ staging


_LEFTOVER = r"^\.{name}\.([0-9a-f]{{6}})-(\d+)-[0-9a-f]{{8}}({staging}|{aside})$"


def _sweep(real: Path) -> None:
    """Remove the staging folders dead processes of this machine left beside ``real``; put back a previous set
    that a process killed in the middle of a swap left aside."""
    pattern = re.compile(_LEFTOVER.format(name=re.escape(real.name), staging=re.escape(_STAGING),
                                          aside=re.escape(_ASIDE)))
    try:
        entries = sorted(os.scandir(real.parent), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        m = pattern.match(entry.name)
        if not m or m.group(1) != HOST or pid_alive(int(m.group(2))):
            continue
        path = Path(entry.path)
        if m.group(3) == _ASIDE and not os.path.lexists(real):
            with contextlib.suppress(OSError):
                os.rename(path, real)
                continue
        _rmtree(path)


def _rmtree(path: Path) -> None:
    def retry(func, p, _exc):  # a read-only file (a frozen round's copy) is removable once writable
        with contextlib.suppress(OSError):
            os.chmod(p, 0o700)
            func(p)

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=retry)
    else:  # pragma: no cover
        shutil.rmtree(path, onerror=retry)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _carry_over(old: Path, new: Path, owns: Sequence[str], rel: str = "") -> None:
    """Bring what the command does not own from the old folder into the new one (hard links, else copies)."""
    for entry in sorted(os.scandir(old / rel) if rel else os.scandir(old), key=lambda e: e.name):
        path = f"{rel}/{entry.name}" if rel else entry.name
        if _owned(path, owns) or TEMP_NAME.match(entry.name):
            continue
        target = new / path
        if os.path.lexists(target):
            if entry.is_dir(follow_symlinks=False) and target.is_dir() and not target.is_symlink():
                _carry_over(old, new, owns, path)
            continue  # the new set wins
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), target)
        elif entry.is_dir():
            shutil.copytree(entry.path, target, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry.path, str(target))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # a file system without it (NFS, SMB …)
        return False
    raise OSError(code, os.strerror(code), str(b))


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Serialise the swaps of concurrent runs on one output folder (an advisory lock on its parent)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the renames themselves fail on a clash
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _swap(staging: Path, real: Path, owns: Sequence[str]) -> None:
    with _locked(real.parent):
        if not os.path.lexists(real):
            os.rename(staging, real)
            return
        _carry_over(real, staging, owns)
        if _exchange(staging, real):
            _rmtree(staging)  # holds the previous set now
            return
        aside = staging.with_name(staging.name[:-len(_STAGING)] + _ASIDE)
        os.rename(real, aside)
        try:
            os.rename(staging, real)
        except BaseException:
            os.rename(aside, real)
            raise
        _rmtree(aside)


@contextmanager
def staged_output(out: str | os.PathLike[str], *, owns: Sequence[str], what: str = "--out") -> Iterator[Path]:
    """Yield a staging folder beside ``out``; on success swap it in for ``out``, on failure remove it.

    Parameters
    ----------
    out : path-like
        The output folder (made when missing; a symlink to a folder is followed).
    owns : sequence of str
        What the command writes, relative to ``out``: these are replaced as a whole, everything else in ``out``
        is kept.
    what : str
        How the folder is named in messages.

    Raises
    ------
    OutputError
        The disk is full or the folder is not writable (one Dutch line; ``out`` is left as it was).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "uitvoer"
    >>> with staged_output(out, owns=["kaart.html"]) as folder:
    ...     _ = (folder / "kaart.html").write_text("<html></html>", encoding="utf-8")
    ...     out.exists()  # nothing in place until the whole set is written
    False
    >>> sorted(p.name for p in out.iterdir())
    ['kaart.html']
    """
    real = _real(out)
    shown = Path(out)
    if os.path.lexists(real) and not real.is_dir():
        raise OutputError(f"{what} {shown} is een bestand, geen map.")
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _translate(exc, _existing_ancestor(real.parent), shown, what) or exc from None
    _sweep(real)
    staging = real.parent / f".{real.name}.{HOST}-{os.getpid()}-{secrets.token_hex(4)}{_STAGING}"
    try:
        staging.mkdir()
        yield staging
        _swap(staging, real, owns)
    except BaseException as exc:
        if os.path.lexists(staging):
            _rmtree(staging)
        problem = _translate(exc, real.parent, shown, what) if isinstance(exc, Exception) else None
        if problem is not None:
            raise problem from None
        raise


def final_paths(paths: Iterable[Path], staging: Path, out: str | os.PathLike[str]) -> list[Path]:
    """Where files written into the staging folder are after the swap (``out``/…)."""
    return [Path(out) / Path(p).relative_to(staging) for p in paths]
