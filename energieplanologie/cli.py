"""The command line ``energieplanologie`` (DESIGN §9). A thin layer: parse, call the core, print, exit.

Exit codes: 0 success, 1 the input has errors (validation), 2 the input could not be read or configured, or the
output cannot be written (``--out`` is a file, not writable, full, or would replace an input: one Dutch line, and
the output folder is as it was).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from energieplanologie._errors import (
    ConfigError,
    EnergieplanologieError,
    EnergieplanologieWarning,
    OutputError,
    ReadError,
    ValidationError,
    os_reason,
)
from energieplanologie._secrets import mask_secrets
from energieplanologie._version import __version__
from energieplanologie.progress import ProgressCallback, machine_progress

__all__ = ["app", "main"]

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
Charts = Annotated[str, typer.Option(
    "--grafieken", help="Stationsgrafieken: tekort (stations met een tekort, de grootste 100), alle, geen, of "
    "station_id's gescheiden door komma's.")]


def _chart_choice(value: str) -> str | list[str]:
    """``--grafieken``: tekort | alle | geen → the pipeline's choice; anything else is a list of station ids."""
    from energieplanologie.charts import CHART_CHOICES

    word = value.strip().lower()
    if word in CHART_CHOICES:
        return CHART_CHOICES[word]
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if not ids:
        raise ConfigError("--grafieken: kies tekort, alle, geen of noem station_id's gescheiden door komma's",
                          key="grafieken")
    return ids


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


class _Progress:
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
def _warnings_shown() -> Iterator[None]:
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


def _fail(exc: Exception, code: int) -> typer.Exit:
    """Print one Dutch line ``Fout: …`` (every password masked) and return the exit to raise."""
    err.print(f"Fout: {mask_secrets(str(exc))}")
    return typer.Exit(code)


def _read_mapping(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    from energieplanologie.config import read_toml

    data = read_toml(path, what="mappingbestand")
    table = data.get("mapping", data)
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ConfigError(f"{path}: verwacht een tabel [mapping] met regels canoniek = \"bronkolom\"", key="mapping")
    return dict(table)


@app.command()
def validate(
    path: Annotated[str, typer.Argument(help="Bestand (GPKG, GeoJSON, SHP/zip, FGB, CSV, XLSX, capaciteitskaart YAML/JSON) "
                                             "of PostGIS-bron (postgresql://gebruiker@host/db, service=naam).")],
    kind: Annotated[str, typer.Option("--kind", "-k", help=f"Soort laag: {KINDS_HELP}.")],
    layer: Annotated[str | None, typer.Option("--layer", help="Laagnaam (GeoPackage) of werkblad (XLSX).")] = None,
    table: Annotated[str | None, typer.Option("--table", help="Tabel schema.tabel van een PostGIS-bron.")] = None,
    mapping: Annotated[Path | None, typer.Option("--mapping", help="TOML met [mapping] canoniek = \"bronkolom\".")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="Coördinatenstelsel als de bron er geen heeft, bv. EPSG:28992.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Rapport als JSON op stdout.")] = False,
    machine: MachineProgress = False,
) -> None:
    """Valideer één laag tegen het schema. Exit 0: geldig (reparaties gemeld); 1: fouten; 2: onleesbaar."""
    from energieplanologie.io import read_layer
    from energieplanologie.postgis import is_database_source, source_label
    from energieplanologie.schema import KINDS

    if kind not in KINDS:
        raise _fail(ValueError(f"onbekende soort {kind!r}; kies uit {KINDS_HELP}"), 2)
    database = is_database_source(path)
    source: str | Path = path if database else Path(path)
    shown = source_label(path, table) if database else str(path)  # a database password is masked
    try:
        if machine:
            machine_progress(0.0, f"{shown if database else Path(path).name} lezen")
        result = read_layer(source, kind, layer=layer, table=table, mapping=_read_mapping(mapping), crs=crs)
        if machine:
            machine_progress(1.0, "gevalideerd")
    except (ReadError, ConfigError) as exc:
        if as_json:
            print(json.dumps({"kind": kind, "source": shown, "ok": False, "unreadable": True,
                              "message": mask_secrets(str(exc))},
                             ensure_ascii=False, indent=2))
        raise _fail(exc, 2) from None
    report = result.report
    if as_json:
        print(report.to_json())
    else:
        out.print(report.to_text())
        if "missing_crs" in report.codes("error"):
            out.print("Geef het coördinatenstelsel van de laag op met --crs, bijvoorbeeld --crs EPSG:28992.")
    raise typer.Exit(0 if report.ok else 1)


def _write_outputs(region: Any, out_dir: Path, *, machine: bool, quiet: bool, scenario: str | None,
                   round: str | None = None, pdf: bool = True, charts: str | list[str] = "shortage") -> None:
    from energieplanologie.pipeline import run_pipeline

    with _Progress(machine, quiet, "energieplanologie") as progress:
        written = run_pipeline(region, out_dir, scenario=scenario, round=round, pdf=pdf, progress=progress,
                               charts=charts)
    if not quiet and not machine:
        out.print(f"Uitvoer geschreven naar {out_dir} ({len(written)} bestanden):")
        for p in written:
            out.print(f"  {p.relative_to(out_dir)}", highlight=False)
        out.print(region.validation_text().split("\n\n")[0] + ": " +
                  ("alle lagen geldig" if region.ok else "zie validatie.txt voor afgewezen rijen"), highlight=False)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Uitvoermap.")] = Path("uitvoer"),
    charts: Charts = "tekort",
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Draai de hele keten op de meegeleverde voorbeeldregio Zeeuws-Vlaanderen."""
    from energieplanologie.config import load_config
    from energieplanologie.pipeline import check_output
    from energieplanologie.sample import SAMPLE_CONFIG, load_sample

    try:
        check_output(out_dir, load_config(SAMPLE_CONFIG).input_paths)
        with _warnings_shown():
            region = load_sample()
            _write_outputs(region, out_dir, machine=machine, quiet=quiet, scenario=None, charts=_chart_choice(charts))
    except EnergieplanologieError as exc:
        raise _fail(exc, 2) from None


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="Projectconfiguratie (TOML).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Uitvoermap.")] = Path("uitvoer"),
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario (overschrijft [analysis] scenario).")] = None,
    round_: Annotated[str | None, typer.Option("--round", help="Programmeerronde (bv. 2025), vastgelegd in de herkomst.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--geen-pdf", help="Projectfiches ook als PDF.")] = True,
    charts: Charts = "tekort",
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Draai de hele keten op eigen data, zoals beschreven in een projectconfiguratie."""
    from energieplanologie.config import load_config, load_region_config
    from energieplanologie.pipeline import check_output

    try:
        from energieplanologie.cli_steps import CONFIG_HINTS

        check_output(out_dir, load_config(config).input_paths)  # before reading or computing anything
        chosen_charts = _chart_choice(charts)
        with _warnings_shown():
            with _Progress(machine, quiet, "lagen lezen") as progress:
                region = load_region_config(config, progress=progress)
            region.require_usable_layers(CONFIG_HINTS)
            _write_outputs(region, out_dir, machine=machine, quiet=quiet, scenario=scenario, round=round_, pdf=pdf,
                           charts=chosen_charts)
    except (ConfigError, OutputError) as exc:
        raise _fail(exc, 2) from None
    except EnergieplanologieError as exc:
        raise _fail(exc, 1) from None


#: Option names of earlier versions, still accepted but no longer shown: old → new.
_OLD_OPTION_NAMES = {"--alle-scenario's": "--alle-scenarios"}  # a quote in an option name breaks shells


def main() -> None:
    """Entry point of the ``energieplanologie`` script.

    No input, configuration or environment ends in a raw traceback: whatever a command did not turn into its own
    Dutch message becomes one line here — exit 1 for what went wrong with the data or in the computation, 2 for a
    file or system that cannot be read or written. ``ENERGIEPLANOLOGIE_DEBUG=1`` shows the traceback instead.
    """
    sys.argv[1:] = [_OLD_OPTION_NAMES.get(arg, arg) for arg in sys.argv[1:]]
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        err.print("Afgebroken.")
        sys.exit(130)
    except Exception as exc:  # the last line of defence; each command already reports what it expects
        if os.environ.get("ENERGIEPLANOLOGIE_DEBUG", "").strip() not in ("", "0"):
            raise
        err.print(mask_secrets(_unexpected(exc)))
        sys.exit(2 if isinstance(exc, (OSError, EnergieplanologieError)) and not isinstance(exc, ValidationError)
                 else 1)


def _unexpected(exc: BaseException) -> str:
    """One Dutch line for an exception no command reported itself."""
    if isinstance(exc, MemoryError):
        return "Fout: onvoldoende geheugen voor deze invoer; kies een kleiner gebied of grovere instellingen."
    if isinstance(exc, RecursionError):
        return "Fout: de invoer is te diep genest om te verwerken."
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        return f"Fout: bestand of map{where}: {os_reason(exc)}."
    if isinstance(exc, EnergieplanologieError):
        return f"Fout: {exc}"
    text = " ".join(str(exc).split())[:200] or "geen omschrijving"
    return (f"Fout: onverwachte fout ({type(exc).__name__}: {text}). Dit is een fout in energieplanologie; meld "
            "het met deze regel en de opdracht die u gaf (ENERGIEPLANOLOGIE_DEBUG=1 toont de details).")



# The per-analysis subcommands register themselves on ``app``.
from energieplanologie import cli_steps as _cli_steps  # noqa: E402,F401
from energieplanologie.cli_database import register as _register_database  # noqa: E402

_register_database(app)  # baseline freeze/list/diff and publish

from energieplanologie.cli_serve import register as _register_serve  # noqa: E402

_register_serve(app)  # the warm engine of the QGIS plugin (hidden)

if __name__ == "__main__":  # pragma: no cover
    main()
