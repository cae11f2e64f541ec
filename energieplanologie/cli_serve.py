"""``energieplanologie serve``: one warm engine process that runs many CLI calls (hidden command, for the QGIS
plugin).

A cold call starts a Python, imports geopandas, pyogrio, matplotlib and the package (seconds) and then does work
that often takes less. The QGIS plugin therefore keeps one engine process per session and sends it the calls the
cold path would run, one JSON line each on stdin::

    {"argv": ["station-balance", "/tmp/…/project.toml", "--out", "/tmp/…", "--machine-progress"], "cwd": "/tmp"}

and reads JSON lines on stdout: first ``{"event": "ready", "version": "…", "pid": …}`` once the imports are done,
then per call every stderr line as it is written (``{"event": "stderr", "line": "@@progress {…}"}``, so progress
streams as in a cold call) and at the end ``{"event": "done", "returncode": 0, "stdout": "…", "seconds": 1.23}``
(``seconds``: the call's own time in the engine). Each call runs
through :func:`energieplanologie.cli.main` exactly as a cold process would (same options, messages and exit
codes). End of input stops the server.

The protocol channel is a duplicate of the process's original stdout; file descriptor 1 itself is pointed at
stderr, so a library that writes to standard output at C level cannot corrupt the protocol. Cancel is the
caller's business: it stops the whole process (and starts a new one for the next call), so a cancelled call never
leaves a half-finished state behind in a server that goes on serving.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any, TextIO

import typer

__all__ = ["PRELOAD", "handle_request", "serve"]

#: Modules imported once before the server says it is ready: what nearly every call needs.
PRELOAD = (
    "numpy", "pandas", "shapely", "pyproj", "pyogrio", "geopandas", "scipy.spatial", "matplotlib",
    "energieplanologie.io", "energieplanologie.config", "energieplanologie.region", "energieplanologie.allocation",
    "energieplanologie.balance", "energieplanologie.hotspots", "energieplanologie.density",
    "energieplanologie.pipeline",
)


class _LineStream(io.TextIOBase):
    """A text stream that hands each complete line to ``emit`` as soon as it is written (the stderr of a call)."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        super().__init__()
        self._emit = emit
        self._pending = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._emit(line.rstrip("\r"))
        return len(text)

    def flush(self) -> None:
        """Whole lines only: a partial line waits for its end (or :meth:`finish`)."""

    def finish(self) -> None:
        if self._pending:
            self._emit(self._pending)
            self._pending = ""


class _TextBuffer(io.StringIO):
    """The stdout of one call: text, not a terminal."""

    def isatty(self) -> bool:
        return False


def _exit_code(code: Any) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    return 1  # sys.exit("message"): the message went to stderr


def handle_request(request: dict[str, Any], send: Callable[[dict[str, Any]], None], *, run: Callable[[], None],
                   unexpected: Callable[[BaseException], str]) -> None:
    """Run one CLI call in this process and report it through ``send`` (stderr lines, then ``done``).

    ``run`` is the CLI's entry point (:func:`energieplanologie.cli.main`) and ``unexpected`` its one-line message for
    an exception it did not report; both are handed in, so this module sits below the CLI it serves.

    Examples
    --------
    >>> events = []
    >>> from energieplanologie.cli import _unexpected, main
    >>> handle_request({"argv": ["--version"]}, events.append, run=main, unexpected=_unexpected)
    >>> events[-1]["event"], events[-1]["returncode"], events[-1]["stdout"].startswith("energieplanologie ")
    ('done', 0, True)
    """
    argv = [str(a) for a in request.get("argv", [])]
    stdout = _TextBuffer()
    stderr = _LineStream(lambda line: send({"event": "stderr", "line": line}))
    saved = (sys.stdout, sys.stderr, sys.stdin, sys.argv)
    here = os.getcwd()
    started = time.perf_counter()
    code = 0
    sys.stdout, sys.stderr, sys.stdin = stdout, stderr, io.StringIO("")
    sys.argv = ["energieplanologie", *argv]
    try:
        with warnings.catch_warnings():  # each call sees every warning anew, as a fresh process would
            if request.get("cwd"):
                os.chdir(str(request["cwd"]))
            run()
    except SystemExit as exc:
        code = _exit_code(exc.code)
        if isinstance(exc.code, str):
            stderr.write(exc.code + "\n")
    except BaseException as exc:  # main() reports every Exception itself; this is the last line of defence
        stderr.write(unexpected(exc) + "\n")
        code = 1
    finally:
        stderr.finish()
        sys.stdout, sys.stderr, sys.stdin, sys.argv = saved
        os.chdir(here)
    send({"event": "done", "returncode": code, "stdout": stdout.getvalue(),
          "seconds": round(time.perf_counter() - started, 4)})


def _protocol_channel() -> TextIO:
    """A private line-buffered copy of stdout for the protocol; fd 1 then points at stderr."""
    sys.stdout.flush()
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n", buffering=1)
    os.dup2(2, 1)
    return channel


def serve(run: Callable[[], None], unexpected: Callable[[BaseException], str]) -> None:
    """Serve CLI calls from stdin until it closes (see the module documentation for the protocol).

    ``run`` and ``unexpected``: see :func:`handle_request`.
    """
    import importlib

    from energieplanologie._version import __version__

    channel = _protocol_channel()

    def send(message: dict[str, Any]) -> None:
        channel.write(json.dumps(message, ensure_ascii=False) + "\n")
        channel.flush()

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # pragma: no cover - an optional part missing; the call that needs it will say so
            pass
    send({"event": "ready", "version": __version__, "pid": os.getpid()})
    for raw in sys.stdin:
        if not raw.strip():
            continue
        try:
            request = json.loads(raw)
            if not isinstance(request, dict) or not isinstance(request.get("argv"), list):
                raise ValueError("verwacht een object met argv (lijst)")
        except ValueError as exc:
            send({"event": "stderr", "line": f"Fout: ongeldig verzoek aan de engine ({exc})."})
            send({"event": "done", "returncode": 2, "stdout": "", "seconds": 0.0})
            continue
        handle_request(request, send, run=run, unexpected=unexpected)


def register(app: typer.Typer, main: Callable[[], None], unexpected: Callable[[BaseException], str]) -> None:
    """Add the hidden ``serve`` command to the main app (``main``: the CLI's entry point it serves)."""

    @app.command("serve", hidden=True)
    def serve_command() -> None:
        """Warme engine voor de QGIS-plugin: CLI-opdrachten als JSON-regels op stdin (intern)."""
        serve(main, unexpected)
