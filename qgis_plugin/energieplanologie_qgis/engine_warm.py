"""The warm engine: one engine process per QGIS session that serves the algorithms' calls.

A cold call (:func:`energieplanologie_qgis.engine.run_engine`) starts a fresh Python that imports geopandas,
pyogrio, matplotlib and the package before it does any work — seconds on every click. Here one process,
``energieplanologie serve`` (the engine's hidden command, :mod:`energieplanologie.cli_serve`), is started the
first time an algorithm needs it and then receives each call as one JSON line: the same arguments the cold path
would run, run by the same ``main()``, with the same ``@@progress`` lines streamed back, the same stdout and the
same exit code. Results are therefore the same warm or cold; only the start-up is paid once.

* **Lazily started, restarted when needed.** A server that died (killed, crashed, out of memory) is noticed at the
  next call and replaced; a different engine (another path in the settings, a newer version after *Engine
  installeren*) gets its own server and the old one is stopped.
* **Cancel** stops the whole server process (as a cold call is stopped) and the next call starts a new one: a
  cancelled call never leaves a half-done state behind in a process that goes on serving.
* **Cold path kept.** The environment variable ``ENERGIEPLANOLOGIE_WARM=0`` (or the QGIS setting
  ``energieplanologie/warm_engine`` = false) switches the warm engine off. An engine without ``serve`` (older
  than the plugin), a server that does not start, a call while the server is busy with another one (two
  algorithms at once in the desktop), or a server that dies in the middle of a call: each of these runs the call
  cold instead, so the user gets the answer a cold run gives.

Only the standard library is imported; the QGIS setting is read when ``qgis.core`` is there.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import subprocess
import threading
from collections import deque
from collections.abc import Iterable
from typing import Any

from .engine import (
    VERSION_TIMEOUT_S,
    Engine,
    EngineCanceled,
    EngineError,
    EngineResult,
    Feedback,
    engine_environment,
    failed_result,
    neutral_cwd,
    popen_kwargs,
    run_engine,
    stderr_line,
    stop_process,
)

__all__ = ["WARM_ENV_VAR", "WARM_SETTINGS_KEY", "WarmServer", "run_engine_warm", "stop_warm_engines",
           "warm_enabled", "warm_server"]

#: Environment variable that switches the warm engine off (``0``, ``false``, ``nee``, ``no``, ``off``).
WARM_ENV_VAR = "ENERGIEPLANOLOGIE_WARM"
#: QgsSettings key (bool) that switches the warm engine off when false.
WARM_SETTINGS_KEY = "energieplanologie/warm_engine"

_OFF = {"0", "false", "nee", "no", "off", "uit"}


class WarmUnavailable(EngineError):
    """The engine cannot serve warm (no ``serve`` command, no start, another version): use the cold path."""


class _ServerDied(EngineError):
    """The server process ended before it finished the call."""


class _NotAccepted(_ServerDied):
    """The server process had ended before the call was handed over (nothing of the call ran)."""


def warm_enabled() -> bool:
    """Whether calls go to the warm engine: on unless :data:`WARM_ENV_VAR` or the setting says otherwise.

    Examples
    --------
    >>> import os
    >>> os.environ["ENERGIEPLANOLOGIE_WARM"] = "0"
    >>> warm_enabled()
    False
    >>> del os.environ["ENERGIEPLANOLOGIE_WARM"]
    """
    value = os.environ.get(WARM_ENV_VAR, "").strip().lower()
    if value:
        return value not in _OFF
    try:
        from qgis.core import QgsSettings
    except ImportError:
        return True
    setting = QgsSettings().value(WARM_SETTINGS_KEY, True)
    return str(setting).strip().lower() not in _OFF


class WarmServer:
    """One running ``energieplanologie serve`` process for one engine; one call at a time."""

    def __init__(self, engine: Engine, *, timeout: float = VERSION_TIMEOUT_S) -> None:
        self.engine = engine
        self.busy = threading.Lock()
        self.last_seconds: float | None = None  # the engine's own time for the last call
        self._events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stderr_tail: deque[str] = deque(maxlen=20)
        try:
            self.proc = subprocess.Popen(
                engine.argv("serve"), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=engine_environment(), cwd=neutral_cwd(), **popen_kwargs(new_group=True),
            )
        except OSError as exc:
            raise WarmUnavailable(f"de warme engine start niet: {exc}") from None
        self._readers = [threading.Thread(target=self._read_events, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for reader in self._readers:
            reader.start()
        try:
            ready = self._events.get(timeout=timeout)
        except queue.Empty:
            ready = None
        if not ready or ready.get("event") != "ready":
            self.stop()
            tail = " ".join(self._stderr_tail)[-300:]
            raise WarmUnavailable(f"de engine kent geen warme modus (serve){': ' + tail if tail else ''}")
        if str(ready.get("version")) != engine.version:
            self.stop()
            raise WarmUnavailable(f"de warme engine is versie {ready.get('version')}, verwacht {engine.version}")
        self.pid = int(ready.get("pid", self.proc.pid))

    def _read_events(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                message = json.loads(raw.decode("utf-8", "replace"))
            except ValueError:
                continue
            if isinstance(message, dict):
                self._events.put(message)
        self._events.put(None)  # the process closed its protocol channel: it has ended

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:  # the server's own messages (a crash of the interpreter, say)
            self._stderr_tail.append(raw.decode("utf-8", "replace").rstrip())

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        """Stop the process (and anything it started)."""
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        stop_process(self.proc, grace_s=1.0)
        for reader in self._readers:  # both end at the end of their pipe, which came with the process
            if reader is not threading.current_thread():
                reader.join(5)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()

    def run(self, args: Iterable[str], feedback: Feedback | None = None, *,
            progress_range: tuple[float, float] = (0.0, 100.0), poll_s: float = 0.1,
            cwd: str | os.PathLike[str] | None = None) -> EngineResult:
        """One call; the caller holds :attr:`busy`. Cancel stops the process and raises
        :class:`EngineCanceled`; a process that ends during the call raises :class:`_ServerDied`."""
        request = {"argv": [str(a) for a in args], "cwd": os.fspath(cwd) if cwd else neutral_cwd()}
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write((json.dumps(request, ensure_ascii=False) + "\n").encode("utf-8"))
            self.proc.stdin.flush()
        except (OSError, ValueError):
            raise _NotAccepted("de warme engine nam de opdracht niet aan") from None
        stderr_lines: list[str] = []
        messages: list[str] = []
        while True:
            if feedback is not None and feedback.isCanceled():
                self.stop()
                raise EngineCanceled("Afgebroken door de gebruiker; de engine is gestopt.")
            try:
                event = self._events.get(timeout=poll_s)
            except queue.Empty:
                continue
            if event is None:
                self._events.put(None)
                raise _ServerDied("de warme engine stopte midden in de opdracht")
            if event.get("event") == "stderr":
                line = str(event.get("line", ""))
                stderr_lines.append(line)
                stderr_line(line, feedback, messages, progress_range)
            elif event.get("event") == "done":
                self.last_seconds = float(event["seconds"]) if "seconds" in event else None
                return EngineResult(returncode=int(event.get("returncode", 1)), stdout=str(event.get("stdout", "")),
                                    stderr="\n".join(stderr_lines), messages=messages)


_SERVERS: dict[tuple[tuple[str, ...], str], WarmServer] = {}
_UNAVAILABLE: set[tuple[tuple[str, ...], str]] = set()
_LOCK = threading.Lock()


def _key(engine: Engine) -> tuple[tuple[str, ...], str]:
    return engine.command, engine.version


def warm_server(engine: Engine) -> WarmServer | None:
    """The running server for ``engine``, started when there is none or it died; None when this engine cannot
    serve warm. Servers of other engines are stopped (one warm engine per session)."""
    key = _key(engine)
    with _LOCK:
        if key in _UNAVAILABLE:
            return None
        for other in [k for k in _SERVERS if k != key]:
            _SERVERS.pop(other).stop()
        server = _SERVERS.get(key)
        if server is not None and server.alive:
            return server
        if server is not None:
            server.stop()
            del _SERVERS[key]
        try:
            server = WarmServer(engine)
        except WarmUnavailable:
            _UNAVAILABLE.add(key)
            return None
        _SERVERS[key] = server
        return server


def stop_warm_engines() -> None:
    """Stop every warm engine (plugin unload, another engine chosen, QGIS closing)."""
    with _LOCK:
        while _SERVERS:
            _SERVERS.popitem()[1].stop()
        _UNAVAILABLE.clear()


atexit.register(stop_warm_engines)


def run_engine_warm(
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
    """Run one engine call on the warm engine, or cold (:func:`run_engine`) when warm is off or not possible.

    Same parameters, result and exceptions as :func:`energieplanologie_qgis.engine.run_engine`.
    """
    args = [str(a) for a in args]
    cold: dict[str, Any] = dict(ok_codes=ok_codes, progress_range=progress_range,
                                machine_progress=machine_progress, poll_s=poll_s, cwd=cwd)
    if not warm_enabled():
        return run_engine(engine, args, feedback, **cold)
    full = [*args, *(["--machine-progress"] if machine_progress else [])]
    for _attempt in range(2):  # a server found dead when the call is handed over is replaced once
        server = warm_server(engine)
        if server is None or not server.busy.acquire(blocking=False):
            return run_engine(engine, args, feedback, **cold)
        try:
            try:
                if not server.alive:
                    raise _NotAccepted("de warme engine draait niet meer")
                result = server.run(full, feedback, progress_range=progress_range, poll_s=poll_s, cwd=cwd)
            except _NotAccepted:
                server.stop()
                continue
            except _ServerDied:
                server.stop()
                # It died during the call (killed, or the call itself brought it down): a cold run gives the
                # user the answer, or the error, a cold run gives.
                if feedback is not None:
                    feedback.pushConsoleInfo("De warme engine stopte onverwacht; de opdracht draait opnieuw in een "
                                             "eigen proces.")
                return run_engine(engine, args, feedback, **cold)
        finally:
            server.busy.release()
        return failed_result(result, ok_codes)
    return run_engine(engine, args, feedback, **cold)
