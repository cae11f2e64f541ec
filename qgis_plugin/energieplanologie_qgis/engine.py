"""Find the engine and run its command line, the way QGIS's GRASS and SAGA providers run theirs.

The *engine* is a separate Python environment that has the ``energieplanologie`` package installed (DESIGN §7).
The plugin never imports it: it writes inputs to files, runs ``energieplanologie <command> … --machine-progress``
as a subprocess, turns the ``@@progress {"pct": …, "stage": …}`` lines on stderr into Processing feedback, stops
the process when the user cancels, and reads the JSON the command prints.

Where the engine is looked for, first hit wins:

1. the QGIS setting ``energieplanologie/engine_python`` (path to a Python, a virtual environment folder or an
   ``energieplanologie`` executable);
2. the environment variable ``ENERGIEPLANOLOGIE_ENGINE`` (same forms);
3. an ``energieplanologie`` executable on ``PATH``.

A candidate counts only when ``… --version`` answers ``energieplanologie X.Y.Z``. Without one, *Engine
installeren* (:mod:`energieplanologie_qgis.engine_install`) makes one from the wheel the plugin zip carries
(:func:`bundled_wheel`).

Every command shown to the user or written to a log goes through :func:`shell_command`, which quotes each
argument for the shell it is meant for (PowerShell or cmd on Windows, sh elsewhere): a path such as
``C:/Users/Jan de Vries/…`` pastes and runs as one argument.

This module imports only the standard library at import time; :func:`read_setting` and :func:`store_setting`
import ``qgis.core`` when called.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Protocol

__all__ = [
    "ENGINE_FOLDER_NAME",
    "ENV_VAR",
    "EXECUTABLE",
    "INSTALL_HINT",
    "PROGRESS_PREFIX",
    "SETTINGS_KEY",
    "WHEELS_DIR",
    "Engine",
    "EngineCanceled",
    "EngineError",
    "EngineFailed",
    "EngineNotFound",
    "EngineResult",
    "bundled_wheel",
    "check_engine",
    "default_shell",
    "engine_command",
    "engine_environment",
    "engine_message",
    "engine_options",
    "failed_result",
    "find_engine",
    "neutral_cwd",
    "popen_kwargs",
    "quote_arg",
    "read_setting",
    "run_engine",
    "run_engine_batch",
    "setup_commands",
    "setup_instructions",
    "shell_command",
    "stderr_line",
    "stop_process",
    "store_setting",
    "venv_python",
    "wheel_version_key",
]

#: QgsSettings key holding the engine path chosen by the user.
SETTINGS_KEY = "energieplanologie/engine_python"
#: Environment variable naming the engine (path to its Python).
ENV_VAR = "ENERGIEPLANOLOGIE_ENGINE"
#: Name of the engine's console script.
EXECUTABLE = "energieplanologie"
#: Prefix of a machine-readable progress line on the engine's stderr (``energieplanologie.progress``).
PROGRESS_PREFIX = "@@progress "

#: The folder in the plugin that holds the engine wheel (``scripts/build_plugin_zip.py`` puts it there).
WHEELS_DIR = Path(__file__).resolve().parent / "wheels"
#: Name of the engine's virtual environment in the QGIS profile folder (*Engine installeren*).
ENGINE_FOLDER_NAME = "energieplanologie-engine"
#: How to get an engine, in the words of the plugin's menu and Processing.
INSTALL_HINT = ("Installeer de engine met Plugins › Energieplanologie › Engine installeren… (of het Processing-algoritme "
                "Energieplanologie › Engine › Engine installeren, zonder scherm: "
                "qgis_process run energieplanologie:engine_install).")

#: Seconds allowed for ``--version`` (a cold start imports geopandas and friends).
VERSION_TIMEOUT_S = 120.0

#: Environment variables of QGIS's own Python and GDAL/PROJ that must not leak into the engine: its wheels bring
#: their own GDAL/PROJ data, and OSGeo4W/macOS bundles point these at QGIS's copies.
_ISOLATE = ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONEXECUTABLE", "PROJ_LIB", "PROJ_DATA",
            "GDAL_DATA", "GDAL_DRIVER_PATH", "__PYVENV_LAUNCHER__")

_VERSION_RE = re.compile(r"^\s*energieplanologie\s+v?(\d+(?:\.\d+)*\S*)\s*$", re.MULTILINE)
_BOX_CHARS = "╭╮╰╯─│┌┐└┘━┃"


class Feedback(Protocol):
    """The part of ``QgsProcessingFeedback`` the runner uses."""

    def isCanceled(self) -> bool: ...

    def setProgress(self, progress: float) -> None: ...

    def setProgressText(self, text: str) -> None: ...

    def pushConsoleInfo(self, info: str) -> None: ...


class EngineError(Exception):
    """Anything that went wrong finding or running the engine; the message is Dutch and meant for the user."""


class EngineNotFound(EngineError):
    """No usable engine. ``problems`` lists, per candidate tried, why it was rejected; the message ends with the
    fix (:data:`INSTALL_HINT`)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = ["Geen energieplanologie-engine gevonden (de aparte Python-omgeving waarin de analyses draaien)."]
        lines += [f"  - {p}" for p in self.problems]
        lines.append(INSTALL_HINT)
        super().__init__("\n".join(lines))


class EngineFailed(EngineError):
    """The engine ran but exited with a code the caller did not accept."""

    def __init__(self, returncode: int, message: str, stderr: str = "") -> None:
        self.returncode = returncode
        self.stderr = stderr
        super().__init__(f"De engine stopte met foutcode {returncode}: {message}")


class EngineCanceled(EngineError):
    """The user canceled; the engine process has been stopped."""


@dataclass(frozen=True)
class Engine:
    """A checked engine: the command that starts its CLI, its version and where it was found.

    Examples
    --------
    >>> engine = Engine(("/opt/ep/bin/python", "-m", "energieplanologie"), "0.1.0", "omgevingsvariabele")
    >>> engine.argv("validate", "laag.gpkg")[-2:]
    ['validate', 'laag.gpkg']
    """

    command: tuple[str, ...]
    version: str
    origin: str

    def argv(self, *args: str) -> list[str]:
        """The full command line for one CLI call."""
        return [*self.command, *map(str, args)]


@dataclass
class EngineResult:
    """What one engine call produced."""

    returncode: int
    stdout: str
    stderr: str
    messages: list[str] = field(default_factory=list)  # stderr lines other than progress lines

    def json(self) -> Any:
        """The JSON document on stdout; :class:`EngineError` when there is none."""
        try:
            return json.loads(self.stdout)
        except ValueError as exc:
            start = self.stdout.strip()[:200] or "(niets)"
            raise EngineError(f"De engine gaf geen geldige JSON terug ({exc}); uitvoer begon met: {start}") from exc


# ----------------------------------------------------------------------------------------------- discovery


def engine_command(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """The command that starts the CLI for a configured path.

    A folder is taken as a virtual environment (its ``bin/python`` or ``Scripts\\python.exe``); a file named
    ``energieplanologie…`` is the console script itself; anything else is a Python run as
    ``PY -m energieplanologie``.

    Examples
    --------
    >>> engine_command("/opt/ep/bin/python")
    ('/opt/ep/bin/python', '-m', 'energieplanologie')
    >>> engine_command("/usr/local/bin/energieplanologie")
    ('/usr/local/bin/energieplanologie',)
    """
    p = Path(os.path.expandvars(os.path.expanduser(str(path))))
    if p.is_dir():
        p = venv_python(p) or p
    if p.name.lower().startswith(EXECUTABLE) and not p.is_dir():
        return (str(p),)
    return (str(p), "-m", EXECUTABLE)


def venv_python(folder: str | os.PathLike[str]) -> Path | None:
    """The Python of a virtual environment folder (``bin/python3``, ``bin/python`` or ``Scripts\\python.exe``), or
    None when the folder has none."""
    for sub in (("bin", "python3"), ("bin", "python"), ("Scripts", "python.exe")):
        candidate = Path(folder).joinpath(*sub)
        if candidate.exists():
            return candidate
    return None


def engine_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for an engine process: the caller's, without QGIS's Python and GDAL/PROJ paths.

    Output is forced to UTF-8 and plain text (no colours), so messages and JSON read back the same everywhere.
    """
    env = {k: v for k, v in (os.environ if environ is None else environ).items() if k not in _ISOLATE}
    env.update({"PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1", "NO_COLOR": "1", "TERM": "dumb",
                "COLUMNS": "200"})
    return env


def check_engine(command: Sequence[str], *, origin: str = "", timeout: float = VERSION_TIMEOUT_S) -> Engine:
    """Run ``COMMAND --version`` and return the :class:`Engine` when it answers ``energieplanologie X.Y.Z``.

    Raises
    ------
    EngineError
        With a Dutch reason: the file does not exist, cannot start, the package is missing, or the answer is
        not a version line.
    """
    command = tuple(str(c) for c in command)
    exe = command[0]
    if os.sep in exe or (os.altsep and os.altsep in exe):
        if not Path(exe).exists():
            raise EngineError(f"{exe} bestaat niet")
        if Path(exe).is_dir():
            raise EngineError(f"{exe} is een gewone map, geen Python-omgeving (er staat geen bin/python of "
                              "Scripts\\python.exe in); kies de Python van de engine of de map van een virtuele "
                              "omgeving")
    try:
        proc = subprocess.run(
            [*command, "--version"], stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
            env=engine_environment(), cwd=neutral_cwd(), **popen_kwargs(new_group=False),
        )
    except FileNotFoundError:
        raise EngineError(f"{exe} bestaat niet of is niet uitvoerbaar") from None
    except PermissionError:
        raise EngineError(f"{exe} mag niet worden uitgevoerd (geen rechten)") from None
    except OSError as exc:
        raise EngineError(f"{exe} start niet: {exc}") from None
    except subprocess.TimeoutExpired:
        raise EngineError(f"{shell_command([*command, '--version'])} gaf na {timeout:.0f} s geen antwoord") from None
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    match = _VERSION_RE.search(out)
    if proc.returncode == 0 and match:
        return Engine(command, match.group(1), origin)
    if f"No module named {EXECUTABLE}" in err:
        raise EngineError(f"{exe} is een Python zonder het pakket energieplanologie")
    reason = engine_message(err) or out.strip()[:200] or "geen uitvoer"
    raise EngineError(f"{shell_command([*command, '--version'])} antwoordde niet met een versie (foutcode "
                      f"{proc.returncode}: {reason})")


def find_engine(
    *,
    setting: str | None = None,
    environ: Mapping[str, str] | None = None,
    search_path: str | None = None,
    timeout: float = VERSION_TIMEOUT_S,
) -> Engine:
    """Find a working engine: the QGIS setting, then ``ENERGIEPLANOLOGIE_ENGINE``, then ``PATH``.

    Parameters
    ----------
    setting : str, optional
        Value of the setting :data:`SETTINGS_KEY`; read from ``QgsSettings`` when None.
    environ : mapping, optional
        Environment to read :data:`ENV_VAR` from (default ``os.environ``).
    search_path : str, optional
        ``PATH`` to search for the ``energieplanologie`` executable (default ``environ["PATH"]``).
    timeout : float
        Seconds allowed for each ``--version`` check.

    Returns
    -------
    Engine
        The first candidate that answers ``--version``.

    Raises
    ------
    EngineNotFound
        When no candidate works; ``problems`` says, per candidate, why.

    Examples
    --------
    >>> try:
    ...     find_engine(setting="", environ={}, search_path="")
    ... except EngineNotFound as exc:
    ...     print(exc.problems[-1])
    PATH: geen programma energieplanologie
    """
    environ = os.environ if environ is None else environ
    if setting is None:
        setting = read_setting()
    problems: list[str] = []
    candidates: list[tuple[str, tuple[str, ...]]] = []
    if setting and setting.strip():
        candidates.append((f"instelling {SETTINGS_KEY}", engine_command(setting.strip())))
    else:
        problems.append(f"instelling {SETTINGS_KEY}: niet ingesteld")
    env_value = environ.get(ENV_VAR, "").strip()
    if env_value:
        candidates.append((f"omgevingsvariabele {ENV_VAR}", engine_command(env_value)))
    else:
        problems.append(f"omgevingsvariabele {ENV_VAR}: niet gezet")
    on_path = shutil.which(EXECUTABLE, path=environ.get("PATH", "") if search_path is None else search_path)
    if on_path:
        candidates.append(("PATH", (on_path,)))
    else:
        problems.append(f"PATH: geen programma {EXECUTABLE}")
    for origin, command in candidates:
        try:
            return check_engine(command, origin=origin, timeout=timeout)
        except EngineError as exc:
            problems.append(f"{origin}: {exc}")
    raise EngineNotFound(problems)


def read_setting() -> str:
    """The engine path stored in ``QgsSettings`` (empty when not set)."""
    from qgis.core import QgsSettings

    value = QgsSettings().value(SETTINGS_KEY, "")
    return str(value or "")


def store_setting(path: str | None) -> None:
    """Store (or with None/empty, clear) the engine path in ``QgsSettings``."""
    from qgis.core import QgsSettings

    settings = QgsSettings()
    if path:
        settings.setValue(SETTINGS_KEY, str(path))
    else:
        settings.remove(SETTINGS_KEY)


def bundled_wheel(folder: str | os.PathLike[str] | None = None) -> Path | None:
    """The engine wheel the plugin carries (the newest ``energieplanologie-*.whl`` in :data:`WHEELS_DIR`), or None
    in a plugin without one (a development checkout).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for v in ("0.9.0", "0.10.0"):
    ...     _ = (folder / f"energieplanologie-{v}-py3-none-any.whl").write_bytes(b"")
    >>> bundled_wheel(folder).name
    'energieplanologie-0.10.0-py3-none-any.whl'
    """
    wheels = sorted(Path(WHEELS_DIR if folder is None else folder).glob(f"{EXECUTABLE}-*.whl"),
                    key=lambda p: wheel_version_key(p.name))
    return wheels[-1] if wheels else None


def wheel_version_key(name: str) -> tuple[int, ...]:
    """Sortable version of a wheel file name (``energieplanologie-0.10.0-py3-none-any.whl`` → ``(0, 10, 0)``)."""
    parts = name.split("-")
    version = parts[1] if len(parts) > 1 else ""
    return tuple(int(n) for n in re.findall(r"\d+", version))


# --------------------------------------------------------------------------------------------- shell strings

#: Arguments that need no quoting: sh (shlex decides), PowerShell and cmd (letters, digits, a few separators).
_PLAIN_WINDOWS = re.compile(r"^[A-Za-z0-9_\-.:/\\=+]+$")


def default_shell(windows: bool | None = None) -> str:
    """The shell a user pastes a command into: ``"powershell"`` on Windows, ``"sh"`` elsewhere."""
    windows = sys.platform.startswith("win") if windows is None else windows
    return "powershell" if windows else "sh"


def quote_arg(arg: str | os.PathLike[str], shell: str | None = None) -> str:
    r"""One argument quoted for ``shell`` (``"sh"``, ``"powershell"`` or ``"cmd"``; default :func:`default_shell`).

    sh: :func:`shlex.quote`. PowerShell: single quotes, a quote inside doubled. cmd: double quotes with the
    backslash rules of Windows programs (as ``subprocess.list2cmdline``), also around ``&``, ``|``, ``<``, ``>``,
    ``^``, ``(`` and ``)``. Letters, digits and ``_-.:/\=+`` alone need no quotes in PowerShell and cmd.

    Examples
    --------
    >>> print(quote_arg("C:/Users/Jan de Vries/Zoë's engine", "powershell"))
    'C:/Users/Jan de Vries/Zoë''s engine'
    >>> print(quote_arg("C:\\Program Files\\R&D\\", "cmd"))
    "C:\Program Files\R&D\\"
    >>> print(quote_arg("/home/zoë/engine", "sh"))
    '/home/zoë/engine'
    """
    text = os.fspath(arg)
    shell = shell or default_shell()
    if shell not in ("sh", "powershell", "cmd"):
        raise ValueError(f"onbekende shell {shell!r}; kies sh, powershell of cmd")
    if shell == "sh":
        return shlex.quote(text)
    if text and _PLAIN_WINDOWS.match(text):
        return text
    if shell == "powershell":
        return "'" + text.replace("'", "''") + "'"
    out, slashes = [], 0  # cmd
    for char in text:
        if char == "\\":
            slashes += 1
            continue
        out.append("\\" * (2 * slashes + 1) + '"' if char == '"' else "\\" * slashes + char)
        slashes = 0
    return '"' + "".join(out) + "\\" * (2 * slashes) + '"'


def shell_command(argv: Sequence[str | os.PathLike[str]], shell: str | None = None) -> str:
    """A command line that ``shell`` runs as exactly ``argv`` (each argument quoted by :func:`quote_arg`).

    In PowerShell a quoted program needs the call operator, so the line then starts with ``& ``.

    Examples
    --------
    >>> print(shell_command(["C:/Users/Jan de Vries/engine/Scripts/python.exe", "-m", "pip", "install", "x.whl"],
    ...                     "powershell"))
    & 'C:/Users/Jan de Vries/engine/Scripts/python.exe' -m pip install x.whl
    >>> print(shell_command(["/home/zoë/engine/bin/python", "-m", "energieplanologie", "--version"], "sh"))
    '/home/zoë/engine/bin/python' -m energieplanologie --version
    """
    shell = shell or default_shell()
    parts = [quote_arg(a, shell) for a in argv]
    if shell == "powershell" and parts and parts[0].startswith("'"):
        parts[0] = "& " + parts[0]
    return " ".join(parts)


def setup_commands(*, folder: str | os.PathLike[str] | None = None, wheel: str | os.PathLike[str] | None = None,
                   windows: bool | None = None) -> list[str]:
    r"""The two commands that make an engine by hand: a virtual environment in ``folder`` and the engine wheel in it.

    ``folder`` defaults to where *Engine installeren* puts it (the QGIS profile folder); ``wheel`` to the wheel
    this plugin carries. Quoted for PowerShell on Windows, for sh elsewhere.

    Examples
    --------
    >>> print("\n".join(setup_commands(folder="/home/zoë/ep", wheel="/opt/ep.whl", windows=False)))
    python3 -m venv '/home/zoë/ep'
    '/home/zoë/ep/bin/python' -m pip install /opt/ep.whl
    >>> print(setup_commands(folder="C:/Users/Jan de Vries/ep", wheel="C:/ep.whl", windows=True)[1])
    & 'C:\Users\Jan de Vries\ep\Scripts\python.exe' -m pip install C:\ep.whl
    """
    windows = sys.platform.startswith("win") if windows is None else windows
    shell = default_shell(windows)
    pure = PureWindowsPath if windows else PurePosixPath
    venv = pure(os.fspath(folder) if folder is not None else _default_engine_folder())
    package = pure(os.fspath(wheel)) if wheel is not None else (bundled_wheel() or f"{EXECUTABLE}-VERSIE-py3-none-any.whl")
    python = venv / "Scripts" / "python.exe" if windows else venv / "bin" / "python"
    first = ["py", "-m", "venv", str(venv)] if windows else ["python3", "-m", "venv", str(venv)]
    return [shell_command(first, shell), shell_command([str(python), "-m", "pip", "install", str(package)], shell)]


def setup_instructions(*, folder: str | os.PathLike[str] | None = None, wheel: str | os.PathLike[str] | None = None,
                       windows: bool | None = None) -> str:
    """How to get an engine (Dutch, several lines): *Engine installeren* first, then the exact commands by hand.

    Examples
    --------
    >>> text = setup_instructions(folder="/home/anna/ep", wheel="/opt/ep.whl", windows=False)
    >>> print(text.splitlines()[0])
    Installeer de engine met Plugins › Energieplanologie › Engine installeren… (of het Processing-algoritme ...
    """
    windows = sys.platform.startswith("win") if windows is None else windows
    shell = default_shell(windows)
    pure = PureWindowsPath if windows else PurePosixPath
    venv = pure(os.fspath(folder) if folder is not None else _default_engine_folder())
    python = venv / "Scripts" / "python.exe" if windows else venv / "bin" / "python"
    env_line = (shell_command(["setx", ENV_VAR, str(python)], shell) if windows
                else f"export {ENV_VAR}={quote_arg(str(python), 'sh')}")
    lines = [
        INSTALL_HINT,
        "",
        f"Met de hand, in een terminal ({'PowerShell' if windows else 'sh/bash'}):",
        "",
        *(f"    {c}" for c in setup_commands(folder=venv, wheel=wheel, windows=windows)),
        "",
        "Wijs hem daarna aan op één van deze manieren:",
        f"  - Plugins › Energieplanologie › Engine instellen… en kies {python}",
        f"  - de omgevingsvariabele, gezet vóór het starten van QGIS: {env_line}",
    ]
    return "\n".join(lines)


def _default_engine_folder() -> Path:
    """Where *Engine installeren* puts the engine: the QGIS profile folder (home folder outside QGIS)."""
    try:
        from qgis.core import QgsApplication

        base = QgsApplication.qgisSettingsDirPath()
    except ImportError:  # pragma: no cover - only outside QGIS
        base = ""
    return Path(base or Path.home()) / ENGINE_FOLDER_NAME


# ----------------------------------------------------------------------------------------------- running


def engine_message(stderr: str) -> str:
    """A readable one-paragraph message from the engine's stderr.

    Progress lines are dropped, the frame characters of rich/typer error boxes removed, and of a Python traceback
    (plain, or drawn in a box by rich) only the final ``Error: message`` line is kept, marked as an internal error
    of the engine.

    Examples
    --------
    >>> engine_message('@@progress {"pct": 10}\\nTraceback (most recent call last):\\n  File "x"\\nKeyError: \\'a\\'')
    "interne fout in de engine: KeyError: 'a'"
    >>> engine_message("╭─ Traceback (most recent call last) ─╮\\n│ ❱ 5 │ raise ValueError('x') │\\n╰───╯\\nValueError: x")
    'interne fout in de engine: ValueError: x'
    >>> engine_message("╭─ Error ─╮\\n│ Bestand bestaat niet: x.gpkg │\\n╰───╯")
    'Bestand bestaat niet: x.gpkg'
    """
    lines = [ln for ln in stderr.splitlines() if not ln.startswith(PROGRESS_PREFIX)]
    if any("Traceback (most recent call last)" in ln for ln in lines):
        tail = [ln for ln in lines if ln.strip() and not ln.startswith((" ", "\t")) and ln.strip()[0] not in _BOX_CHARS]
        return f"interne fout in de engine: {tail[-1].strip()}" if tail else "interne fout in de engine"
    cleaned = []
    for ln in lines:
        text = ln.strip().strip(_BOX_CHARS).strip()
        text = text.strip(_BOX_CHARS + " ")
        if text and text not in ("Error", "Fout"):  # the title of a typer/rich error box
            cleaned.append(text)
    message = " ".join(cleaned)
    return message if len(message) <= 2000 else message[:2000] + " …"


def neutral_cwd() -> str:
    """A working folder for the engine: ``python -m`` puts the working folder first on ``sys.path``, so QGIS's
    own working folder (a source checkout, say) must not shadow the engine's installed package."""
    return tempfile.gettempdir()


def popen_kwargs(*, new_group: bool) -> dict[str, Any]:
    """Keyword arguments for ``subprocess`` that keep a console window away (Windows) and, with ``new_group``,
    start a process group that :func:`stop_process` can stop as a whole."""
    if sys.platform.startswith("win"):
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        if new_group:
            flags |= getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        return {"creationflags": flags}
    return {"start_new_session": new_group}


def stop_process(proc: subprocess.Popen[bytes], grace_s: float = 3.0) -> None:
    """Stop the engine and anything it started: SIGTERM to its process group, then SIGKILL."""
    if proc.poll() is not None:
        return
    if sys.platform.startswith("win"):
        proc.kill()
    else:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(grace_s)
            return
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
    proc.wait()


def _parse_progress(line: str) -> tuple[float, str] | None:
    if not line.startswith(PROGRESS_PREFIX):
        return None
    try:
        data = json.loads(line[len(PROGRESS_PREFIX):])
        return float(data["pct"]), str(data.get("stage") or "")
    except (ValueError, KeyError, TypeError):
        return None


def stderr_line(line: str, feedback: Feedback | None, messages: list[str],
                progress_range: tuple[float, float] = (0.0, 100.0)) -> None:
    """Hand one stderr line of the engine to ``feedback``: a progress line moves the bar (the engine's 0–100 %
    mapped onto ``progress_range``), any other line is kept in ``messages`` and shown in the log.

    Examples
    --------
    >>> messages = []
    >>> stderr_line('@@progress {"pct": 50, "stage": "x"}', None, messages)
    >>> stderr_line("Let op: iets", None, messages)
    >>> messages
    ['Let op: iets']
    """
    progress = _parse_progress(line)
    if progress is not None:
        if feedback is not None:
            lo, hi = progress_range
            pct, stage = progress
            feedback.setProgress(lo + (hi - lo) * min(100.0, max(0.0, pct)) / 100.0)
            if stage:
                feedback.setProgressText(stage)
        return
    messages.append(line)
    if feedback is not None and line.strip():
        feedback.pushConsoleInfo(line)


def failed_result(result: EngineResult, ok_codes: Iterable[int]) -> EngineResult:
    """``result`` itself, or :class:`EngineFailed` with the engine's message when its exit code is not in
    ``ok_codes``."""
    if result.returncode not in set(ok_codes):
        message = engine_message(result.stderr) or "geen foutmelding (stderr was leeg)"
        raise EngineFailed(result.returncode, message, result.stderr)
    return result


def run_engine(
    engine: Engine,
    args: Iterable[str],
    feedback: Feedback | None = None,
    *,
    ok_codes: Iterable[int] = (0,),
    progress_range: tuple[float, float] = (0.0, 100.0),
    machine_progress: bool = True,
    poll_s: float = 0.1,
    cwd: str | os.PathLike[str] | None = None,
) -> EngineResult:
    """Run one engine CLI call, streaming its progress into ``feedback`` and stopping it on cancel.

    Parameters
    ----------
    engine : Engine
        From :func:`find_engine`.
    args : iterable of str
        The CLI arguments after the program, e.g. ``["validate", path, "--kind", "stations", "--json"]``.
    feedback : QgsProcessingFeedback, optional
        Receives ``setProgress``/``setProgressText`` from the ``@@progress`` lines, the other stderr lines as
        console output, and is polled for ``isCanceled()``.
    ok_codes : iterable of int
        Exit codes that are not failures (``validate`` uses 0 and 1).
    progress_range : (float, float)
        The engine's 0–100 % is mapped onto this part of the feedback's progress bar.
    machine_progress : bool
        Append ``--machine-progress`` to the arguments.
    poll_s : float
        How often cancel is checked while the engine is quiet.
    cwd : path-like, optional
        Working folder of the engine (default: the system temp folder, so no package in QGIS's working folder
        can shadow the engine's); pass absolute paths in ``args``.

    Returns
    -------
    EngineResult
        Exit code, stdout, stderr and the stderr lines that were not progress.

    Raises
    ------
    EngineCanceled
        The user canceled; the process (group) was terminated, then killed.
    EngineFailed
        The exit code is not in ``ok_codes``; the message is the engine's own (see :func:`engine_message`).
    EngineError
        The engine could not be started.

    Examples
    --------
    >>> import sys
    >>> echo = Engine((sys.executable, "-c", "import sys; print(sys.argv[1:])"), "0", "test")
    >>> run_engine(echo, ["validate"], machine_progress=False).stdout.strip()
    "['validate']"
    """
    argv = engine.argv(*args, *(["--machine-progress"] if machine_progress else []))
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=engine_environment(), cwd=cwd or neutral_cwd(), **popen_kwargs(new_group=True),
        )
    except OSError as exc:
        raise EngineError(f"De engine {engine.command[0]} start niet: {exc}") from None

    lines: queue.Queue[str | None] = queue.Queue()
    stdout_chunks: list[bytes] = []

    def read_stdout() -> None:
        assert proc.stdout is not None
        stdout_chunks.append(proc.stdout.read())

    def read_stderr() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
        lines.put(None)

    readers = [threading.Thread(target=read_stdout, daemon=True), threading.Thread(target=read_stderr, daemon=True)]
    for t in readers:
        t.start()

    stderr_lines: list[str] = []
    messages: list[str] = []

    def canceled() -> bool:
        return feedback is not None and feedback.isCanceled()

    try:
        done = False
        while not done:
            if canceled():
                raise EngineCanceled("Afgebroken door de gebruiker; de engine is gestopt.")
            try:
                line = lines.get(timeout=poll_s)
            except queue.Empty:
                continue
            if line is None:
                done = True
                continue
            stderr_lines.append(line)
            stderr_line(line, feedback, messages, progress_range)
        while proc.poll() is None:
            if canceled():
                raise EngineCanceled("Afgebroken door de gebruiker; de engine is gestopt.")
            try:
                proc.wait(poll_s)
            except subprocess.TimeoutExpired:
                continue
    except BaseException:
        stop_process(proc)
        raise
    finally:
        for t in readers:
            t.join(5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()

    result = EngineResult(
        returncode=proc.returncode,
        stdout=b"".join(stdout_chunks).decode("utf-8", "replace"),
        stderr="\n".join(stderr_lines),
        messages=messages,
    )
    return failed_result(result, ok_codes)


_OPTIONS_CACHE: dict[tuple[tuple[str, ...], str], frozenset[str]] = {}
_OPTION_RE = re.compile(r"(?<![\w-])(--[a-z][\w'-]*)")


def engine_options(engine: Engine, command: str, *, timeout: float = VERSION_TIMEOUT_S) -> frozenset[str]:
    """The long options ``energieplanologie COMMAND --help`` lists (cached per engine and command).

    Lets an algorithm use a newer engine option when it is there and fall back when the engine is older. An
    engine that cannot answer gives an empty set.

    Examples
    --------
    >>> import sys
    >>> fake = Engine((sys.executable, "-c", "print('  --out <path>  Uitvoermap.  --pdf/--geen-pdf')"), "0", "test")
    >>> sorted(engine_options(fake, "pmiek"))
    ['--geen-pdf', '--out', '--pdf']
    """
    key = (engine.command, command)
    if key not in _OPTIONS_CACHE:
        try:
            proc = subprocess.run(engine.argv(command, "--help"), stdin=subprocess.DEVNULL, capture_output=True,
                                  timeout=timeout, env=engine_environment(), cwd=neutral_cwd(),
                                  **popen_kwargs(new_group=False))
            text = proc.stdout.decode("utf-8", "replace") if proc.returncode == 0 else ""
        except (OSError, subprocess.TimeoutExpired):
            text = ""
        _OPTIONS_CACHE[key] = frozenset(_OPTION_RE.findall(text))
    return _OPTIONS_CACHE[key]


def run_engine_batch(
    engine: Engine,
    calls: Sequence[Sequence[str]],
    feedback: Feedback | None = None,
    *,
    poll_s: float = 0.1,
) -> list[EngineResult]:
    """Run several short engine calls side by side (e.g. one ``validate`` per layer) and wait for all of them.

    Exit codes are not checked; cancel (``feedback.isCanceled()``) stops every process still running and raises
    :class:`EngineCanceled`.

    Examples
    --------
    >>> import sys
    >>> echo = Engine((sys.executable, "-c", "import sys; print(sys.argv[1])"), "0", "test")
    >>> [r.stdout.strip() for r in run_engine_batch(echo, [["a"], ["b"]])]
    ['a', 'b']
    """
    procs: list[subprocess.Popen[bytes]] = []
    outputs: list[tuple[bytes, bytes]] = []
    try:
        for args in calls:
            try:
                procs.append(subprocess.Popen(
                    engine.argv(*args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    env=engine_environment(), cwd=neutral_cwd(), **popen_kwargs(new_group=True)))
            except OSError as exc:
                raise EngineError(f"De engine {engine.command[0]} start niet: {exc}") from None
        for proc in procs:
            while True:
                if feedback is not None and feedback.isCanceled():
                    raise EngineCanceled("Afgebroken door de gebruiker; de engine is gestopt.")
                try:
                    outputs.append(proc.communicate(timeout=poll_s))
                    break
                except subprocess.TimeoutExpired:
                    continue
    except BaseException:
        for proc in procs:
            stop_process(proc)
        raise
    results = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        stderr = err.decode("utf-8", "replace")
        lines = stderr.splitlines()
        results.append(EngineResult(proc.returncode, out.decode("utf-8", "replace"), stderr,
                                    [ln for ln in lines if not ln.startswith(PROGRESS_PREFIX)]))
    return results
