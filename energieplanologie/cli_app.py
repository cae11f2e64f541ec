"""The command line's shared machinery: the typer ``app``, the consoles, progress bars, warnings and the one way a
command turns an error into its Dutch line and exit code.

The commands register on :data:`app` from :mod:`energieplanologie.cli` (validate, demo, run),
:mod:`energieplanologie.cli_steps` (one analysis each) and :mod:`energieplanologie.cli_database` (rounds,
publishing); all three import this module and none imports another's commands.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console

from energieplanologie._errors import (
    EnergieplanologieWarning,
)
from energieplanologie._secrets import mask_secrets
from energieplanologie._version import __version__
from energieplanologie.progress import ProgressCallback, machine_progress

__all__ = ["KINDS_HELP", "MachineProgress", "ProgressDisplay", "Quiet", "app", "err", "fail", "out", "warnings_shown"]

app = typer.Typer(
    name="energieplanologie",
    help="Integraal programmeren van het energiesysteem: valideren, stationsbalans, knooppunten, afwegen en "
    "pMIEK, op kaart. (Integrated planning of the Dutch energy system.)",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,  # a crash never prints local variables (a database URL, a password)
)
# Plain text, never rich markup (a message may contain "[jaar]" or a path) and never wrapped (scripts and the
# QGIS plugin read these lines).
err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
out = Console(markup=False, highlight=False, soft_wrap=True)

KINDS_HELP = "municipalities, stations, station_capacity, infrastructure, developments, constraints, status"
MachineProgress = Annotated[
    bool,
    typer.Option("--machine-progress", help="Voortgang als regels '@@progress {json}' op stderr (voor de QGIS-plugin)."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Geen voortgangsbalken (voor scripts).")]


def _version_callback(value: bool) -> None:
    if value:
        print(f"energieplanologie {__version__}")
        raise typer.Exit(0)


class _NoticeHandler(logging.Handler):
    """Prints the library's warnings (logger ``energieplanologie``), e.g. an optional part that was skipped and how
    to add it, once each as ``Let op: …`` on stderr."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text not in self.seen:
            self.seen.add(text)
            err.print(f"Let op: {text}")


def _show_notices() -> None:
    """Route the library's warnings to stderr for this command (each said once per command)."""
    logger = logging.getLogger("energieplanologie")
    for handler in [h for h in logger.handlers if isinstance(h, _NoticeHandler)]:
        logger.removeHandler(handler)
    logger.addHandler(_NoticeHandler())
    logger.setLevel(logging.WARNING)
    logger.propagate = False


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Toon de versie en stop.")
    ] = False,
) -> None:
    """Energieplanologie: integraal programmeren van het energiesysteem."""
    _show_notices()


class ProgressDisplay:
    """Bridge core progress callbacks to rich bars, machine lines, or nothing."""

    def __init__(self, machine: bool, quiet: bool, title: str) -> None:
        self.machine, self.quiet, self.title = machine, quiet, title
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> ProgressCallback | None:
        if self.machine:
            return machine_progress
        if self.quiet or not err.is_terminal:
            return None
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                                  TimeElapsedColumn(), console=err, transient=False)
        self._progress.start()
        self._task = self._progress.add_task(self.title, total=1.0)

        def update(fraction: float, message: str) -> None:
            self._progress.update(self._task, completed=fraction, description=f"{self.title}: {message}")

        return update

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


@contextmanager
def warnings_shown() -> Iterator[None]:
    """Print the package's warnings (a setting that works but probably not as meant) as ``Waarschuwing: …``
    lines on stderr once the work is done; every other warning is shown as it would be without this.

    Only our own category is intercepted: recording every warning instead (``catch_warnings(record=True)``)
    kept each repeat of a library's warning in memory — gigabytes for Gi* over several years."""
    messages: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("always", EnergieplanologieWarning)
        show = warnings.showwarning

        def intercept(message: Any, category: type[Warning], filename: str, lineno: int, file: Any = None,
                      line: str | None = None) -> None:
            if issubclass(category, EnergieplanologieWarning):
                if str(message) not in messages:
                    messages.append(str(message))
            else:
                show(message, category, filename, lineno, file, line)

        warnings.showwarning = intercept
        try:
            yield
        finally:
            for message in messages:
                err.print(f"Waarschuwing: {message}")


def fail(exc: Exception, code: int) -> typer.Exit:
    """Print one Dutch line ``Fout: …`` (every password masked) and return the exit to raise."""
    err.print(f"Fout: {mask_secrets(str(exc))}")
    return typer.Exit(code)
