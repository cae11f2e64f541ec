"""*Engine installeren*: make the engine — a virtual environment with the wheel this plugin carries — without a
terminal.

Steps (:func:`install_engine`):

1. a Python to build the environment from (:func:`base_python_candidates`): the one chosen by the user, else the
   Python that ships with QGIS on Windows (``python.exe`` beside QGIS's own interpreter) and macOS (the bundle's
   ``bin/python3``), ``python3`` on Linux; it must be 3.10 or newer and have ``venv``;
2. ``PY -m venv FOLDER`` (in the QGIS profile folder by default), unless a working one is there;
3. ``pip install --upgrade WHEEL``: the wheel's dependencies come from PyPI, or with a wheelhouse folder
   (``pip download`` on a connected machine) from there only (``--no-index --find-links``), for offline networks;
4. ``… -m energieplanologie --version`` must answer the wheel's version.

Run again, it does nothing when the engine already has the wheel's version and upgrades when the plugin carries a
newer one. pip's output streams to the feedback; cancel stops pip. Every command is logged quoted for the shell
(:func:`~energieplanologie_qgis.engine.shell_command`). Standard library only; the QGIS settings are read and
written by the callers.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .engine import (
    Engine,
    EngineCanceled,
    EngineError,
    Feedback,
    check_engine,
    engine_command,
    engine_environment,
    popen_kwargs,
    shell_command,
    stop_process,
    venv_python,
    wheel_version_key,
)

__all__ = [
    "BASE_PYTHON_KEY",
    "MIN_PYTHON",
    "WHEELHOUSE_KEY",
    "InstallResult",
    "base_python_candidates",
    "choose_base_python",
    "install_engine",
    "pip_install_command",
    "wheel_version",
]

#: QgsSettings key: the Python to build the engine from (empty: found automatically).
BASE_PYTHON_KEY = "energieplanologie/engine_base_python"
#: QgsSettings key: a folder with wheels to install from without internet (empty: PyPI).
WHEELHOUSE_KEY = "energieplanologie/engine_wheelhouse"
#: The oldest Python the engine supports (pyproject.toml, requires-python).
MIN_PYTHON = (3, 10)
#: Seconds allowed for creating the environment and for pip (a slow network on a full install: minutes).
VENV_TIMEOUT_S = 600.0
PIP_TIMEOUT_S = 3600.0

_PROBE = ("import sys, venv, ensurepip; "
          "print('%d.%d.%d' % sys.version_info[:3])")


@dataclass(frozen=True)
class InstallResult:
    """What :func:`install_engine` did: the engine, and whether it created, upgraded or kept the environment."""

    engine: Engine
    python: Path
    action: str  # "nieuw" | "bijgewerkt" | "ongewijzigd"
    previous_version: str | None


def wheel_version(wheel: str | os.PathLike[str]) -> str:
    """The version in a wheel's file name.

    Examples
    --------
    >>> wheel_version("/x/energieplanologie-0.1.0-py3-none-any.whl")
    '0.1.0'
    """
    parts = Path(wheel).name.split("-")
    if len(parts) < 3 or not Path(wheel).name.endswith(".whl"):
        raise EngineError(f"{wheel} is geen wheel-bestand (naam-versie-…-platform.whl)")
    return parts[1]


def base_python_candidates(*, windows: bool | None = None, mac: bool | None = None,
                           executable: str | None = None, exec_prefix: str | None = None,
                           search_path: str | None = None) -> list[str]:
    """Pythons to build the engine from, best first (not yet checked).

    On Windows QGIS runs inside ``qgis-bin.exe``; its Python is ``python.exe`` (or ``python3.exe``) in
    ``sys.exec_prefix`` or beside the executable. On macOS it is ``bin/python3`` in the QGIS bundle. On Linux QGIS
    uses the system Python: ``python3`` on ``PATH``, then ``/usr/bin/python3``.

    Examples
    --------
    >>> base_python_candidates(windows=True, mac=False, executable="C:/OSGeo4W/bin/qgis-bin.exe",
    ...                        exec_prefix="C:/OSGeo4W/apps/Python312", search_path="")[:2]
    ['C:/OSGeo4W/apps/Python312/python.exe', 'C:/OSGeo4W/apps/Python312/python3.exe']
    """
    windows = sys.platform.startswith("win") if windows is None else windows
    mac = sys.platform == "darwin" if mac is None else mac
    executable = sys.executable if executable is None else executable
    exec_prefix = sys.exec_prefix if exec_prefix is None else exec_prefix
    path = os.environ.get("PATH", "") if search_path is None else search_path
    found: list[str] = []

    def add(candidate: str | os.PathLike[str] | None) -> None:
        if candidate and str(candidate) not in found:
            found.append(str(candidate))

    if windows:
        for folder in (exec_prefix, str(Path(executable).parent)):
            for name in ("python.exe", "python3.exe"):
                add(os.path.join(folder, name))
        add(shutil.which("python", path=path))
        add(shutil.which("py", path=path))
    elif mac:
        add(Path(executable).parent / "bin" / "python3")
        add(Path(exec_prefix) / "bin" / "python3")
        add(shutil.which("python3", path=path))
    else:
        add(shutil.which("python3", path=path))
        add("/usr/bin/python3")
        if Path(executable).name.startswith("python"):
            add(executable)
    return found


def _probe(python: str) -> tuple[tuple[int, ...] | None, str]:
    """The version of ``python`` when it can build a virtual environment, else None and why not."""
    try:
        proc = subprocess.run([python, "-c", _PROBE], stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                              env=engine_environment(), **popen_kwargs(new_group=False))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{python} start niet ({exc})"
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")
        missing = re.search(r"No module named '?(\w+)", err)
        if missing:
            return None, (f"{python} mist de module {missing.group(1)} (Debian/Ubuntu: apt install python3-venv)")
        return None, f"{python} faalt: {err.strip()[-200:]}"
    text = proc.stdout.decode("utf-8", "replace").strip()
    version = tuple(int(n) for n in text.split(".")[:3] if n.isdigit())
    if version[:2] < MIN_PYTHON:
        return None, f"{python} is Python {text}; de engine vraagt {MIN_PYTHON[0]}.{MIN_PYTHON[1]} of nieuwer"
    return version, ""


def choose_base_python(chosen: str | None = None, *, candidates: Sequence[str] | None = None) -> str:
    """The first usable Python: ``chosen`` when given (it must work), else from :func:`base_python_candidates`.

    Raises
    ------
    EngineError
        With, per candidate, why it cannot build the engine.
    """
    if chosen:
        version, problem = _probe(chosen)
        if version is None:
            raise EngineError(f"De gekozen Python kan geen engine maken: {problem}")
        return chosen
    problems = []
    for candidate in candidates if candidates is not None else base_python_candidates():
        version, problem = _probe(candidate)
        if version is not None:
            return candidate
        problems.append(problem)
    raise EngineError("Geen Python gevonden om de engine mee te maken:\n" + "\n".join(f"  - {p}" for p in problems)
                      + "\nKies er een met de parameter ‘Python om de engine mee te maken’.")


def pip_install_command(python: str | os.PathLike[str], wheel: str | os.PathLike[str], *,
                        wheelhouse: str | os.PathLike[str] | None = None) -> list[str]:
    """The pip call that installs (or upgrades to) ``wheel`` with its dependencies; offline with a wheelhouse.

    Examples
    --------
    >>> pip_install_command("/e/bin/python", "/p/energieplanologie-0.1.0-py3-none-any.whl", wheelhouse="/w")[3:]
    ['install', '--upgrade', '--upgrade-strategy', 'only-if-needed', '--no-input', '--disable-pip-version-check', '--no-index', '--find-links', '/w', '/p/energieplanologie-0.1.0-py3-none-any.whl']
    """
    argv = [str(python), "-m", "pip", "install", "--upgrade", "--upgrade-strategy", "only-if-needed", "--no-input",
            "--disable-pip-version-check"]
    if wheelhouse:
        argv += ["--no-index", "--find-links", str(wheelhouse)]
    return [*argv, str(wheel)]


class _Progress:
    """Feedback helper: console lines, a progress bar that moves with pip's steps, cancel."""

    def __init__(self, feedback: Feedback | None) -> None:
        self.feedback = feedback

    def canceled(self) -> bool:
        return self.feedback is not None and self.feedback.isCanceled()

    def info(self, text: str) -> None:
        if self.feedback is not None:
            self.feedback.pushConsoleInfo(text)

    def command(self, argv: Sequence[str]) -> None:
        if self.feedback is not None:
            push = getattr(self.feedback, "pushCommandInfo", None) or self.feedback.pushConsoleInfo
            push(shell_command(argv))

    def step(self, pct: float, text: str) -> None:
        if self.feedback is not None:
            self.feedback.setProgress(pct)
            self.feedback.setProgressText(text)


def _run(argv: Sequence[str], progress: _Progress, *, timeout: float, on_line: object = None) -> str:
    """Run ``argv`` (stdout and stderr together) with its lines to the console; stop it on cancel."""
    progress.command(argv)
    try:
        proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=engine_environment(), **popen_kwargs(new_group=True))
    except OSError as exc:
        raise EngineError(f"{shell_command(argv[:1])} start niet: {exc}") from None
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    output: list[str] = []
    waited = 0.0
    try:
        while True:
            if progress.canceled():
                raise EngineCanceled("Afgebroken door de gebruiker; de installatie is gestopt.")
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                waited += 0.2
                if waited > timeout:
                    raise EngineError(f"{shell_command(argv)} gaf na {timeout:.0f} s geen antwoord meer") from None
                continue
            waited = 0.0
            if line is None:
                break
            output.append(line)
            if line.strip():
                progress.info(line)
                if callable(on_line):
                    on_line(line)
        proc.wait()
    except BaseException:
        stop_process(proc)
        raise
    finally:
        reader.join(5)
        if proc.stdout is not None:
            proc.stdout.close()
    if proc.returncode != 0:
        tail = "\n".join(output[-15:])
        raise EngineError(f"{shell_command(argv)} stopte met foutcode {proc.returncode}:\n{tail}")
    return "\n".join(output)


def _installed_engine(folder: Path) -> Engine | None:
    python = venv_python(folder)
    if python is None:
        return None
    try:
        return check_engine(engine_command(python), origin="engine-map")
    except EngineError:
        return None


def install_engine(folder: str | os.PathLike[str], wheel: str | os.PathLike[str], *,
                   base_python: str | None = None, wheelhouse: str | os.PathLike[str] | None = None,
                   reinstall: bool = False, feedback: Feedback | None = None) -> InstallResult:
    """Make or upgrade the engine in ``folder`` from ``wheel`` (see the module's steps).

    Parameters
    ----------
    folder : path
        The virtual environment (made when missing or broken).
    wheel : path
        The engine wheel (:func:`~energieplanologie_qgis.engine.bundled_wheel`).
    base_python : str, optional
        The Python to build the environment from (default :func:`choose_base_python`).
    wheelhouse : path, optional
        A folder of wheels: install from there only, without internet.
    reinstall : bool
        Make the environment anew even when it works.
    feedback : QgsProcessingFeedback, optional
        Progress, pip's output, cancel.

    Returns
    -------
    InstallResult
        The checked engine (its ``--version`` equals the wheel's) and what was done.

    Raises
    ------
    EngineCanceled
        The user canceled (pip was stopped; run again to finish).
    EngineError
        Anything else, in Dutch, with pip's last lines.
    """
    folder, wheel = Path(folder), Path(wheel)
    progress = _Progress(feedback)
    if not wheel.is_file():
        raise EngineError(f"Het engine-wheel {wheel} bestaat niet")
    target = wheel_version(wheel)
    if wheelhouse and not Path(wheelhouse).is_dir():
        raise EngineError(f"De map met wheels {wheelhouse} bestaat niet")
    if folder.exists() and not folder.is_dir():
        raise EngineError(f"{folder} is een bestand; de engine hoort in een map")

    progress.step(1.0, "bestaande engine controleren")
    existing = None if reinstall else _installed_engine(folder)
    previous = existing.version if existing is not None else None
    if existing is not None and existing.version == target:
        progress.info(f"De engine in {folder} heeft al versie {target}; niets te doen.")
        progress.step(100.0, "klaar")
        return InstallResult(existing, venv_python(folder) or folder, "ongewijzigd", previous)
    if previous is not None and wheel_version_key(f"x-{previous}") > wheel_version_key(f"x-{target}"):
        progress.info(f"De engine in {folder} heeft versie {previous}, nieuwer dan die van de plugin ({target}); "
                      f"hij wordt teruggezet naar {target}.")

    python = venv_python(folder)
    if reinstall or python is None or (existing is None and folder.exists()):
        chosen = choose_base_python(base_python)
        progress.step(3.0, "virtuele omgeving maken")
        if folder.exists():
            _check_removable(folder)
            shutil.rmtree(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        _run([chosen, "-m", "venv", str(folder)], progress, timeout=VENV_TIMEOUT_S)
        python = venv_python(folder)
        if python is None:
            raise EngineError(f"{shell_command([chosen, '-m', 'venv', str(folder)])} maakte geen Python in {folder}")

    collected = [0]

    def on_pip_line(line: str) -> None:
        # pip names each requirement once ("Collecting …" / "Requirement already satisfied …") and then installs:
        # about 70 requirements for a new engine; move the bar along them, 10 → 90 %.
        if line.startswith(("Collecting ", "Requirement already satisfied", "Processing ")):
            collected[0] += 1
            progress.step(min(85.0, 10.0 + collected[0] * 1.0), line.split(" (")[0][:80])
        elif line.startswith("Installing collected packages"):
            progress.step(88.0, "pakketten installeren")

    progress.step(10.0, "engine en afhankelijkheden installeren" + (" (offline)" if wheelhouse else ""))
    _run(pip_install_command(python, wheel, wheelhouse=wheelhouse), progress, timeout=PIP_TIMEOUT_S,
         on_line=on_pip_line)

    progress.step(92.0, "engine controleren")
    engine = check_engine(engine_command(python), origin="Engine installeren")
    if engine.version != target:
        raise EngineError(f"Na de installatie meldt de engine versie {engine.version}, verwacht {target}")
    progress.step(100.0, "klaar")
    action = "nieuw" if previous is None else "bijgewerkt"
    return InstallResult(engine, python, action, previous)


def _check_removable(folder: Path) -> None:
    """Refuse to remove a folder that is not a virtual environment we made (a user's own folder, say)."""
    if any(folder.iterdir()) and not (folder / "pyvenv.cfg").is_file():
        raise EngineError(f"{folder} bestaat al en is geen virtuele omgeving (geen pyvenv.cfg); kies een lege map "
                          "of verwijder hem zelf")

