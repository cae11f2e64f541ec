"""The command line ``energieplanologie`` (DESIGN §9). A thin layer: parse, call the core, print, exit.

Exit codes: 0 success, 1 the input has errors (validation), 2 the input could not be read or configured, or the
output cannot be written (``--out`` is a file, not writable, full, or would replace an input: one Dutch line, and
the output folder is as it was).
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from energieplanologie._errors import (
    ConfigError,
    EnergieplanologieError,
    OutputError,
    ReadError,
    ValidationError,
    os_reason,
)
from energieplanologie._secrets import mask_secrets
from energieplanologie.cli_app import (  # the shared machinery, also reachable as cli.<name>
    KINDS_HELP,
    MachineProgress,
    ProgressDisplay,
    Quiet,
    app,
    err,
    fail,
    out,
    warnings_shown,
)
from energieplanologie.progress import machine_progress

__all__ = ["app", "main"]

Charts = Annotated[str, typer.Option(
    "--grafieken", help="Stationsgrafieken: tekort (stations met een tekort, de grootste 100), alle, geen, of "
    "station_id's gescheiden door komma's.")]
Pages = Annotated[str, typer.Option(
    "--gemeenten", help="Gemeentepagina's: auto (alle tot 60 gemeenten, daarboven op verzoek), tekort (de 60 met het "
    "grootste tekort), alle, geen, of gemeentecodes gescheiden door komma's.")]
Sheets = Annotated[str, typer.Option(
    "--fiches", help="Projectfiches: auto (alle tot 60 projecten, daarboven op verzoek), top (de 60 hoogst "
    "gerangschikte), alle, geen, of project-id's gescheiden door komma's.")]


def _chart_choice(value: str) -> str | list[str]:
    """``--grafieken``: tekort | alle | geen → the pipeline's choice; anything else is a list of station ids."""
    from energieplanologie.charts import CHART_CHOICES
    from energieplanologie.output_choice import parse_choice

    return parse_choice(value, CHART_CHOICES, option="grafieken", what="station_id's")


def _page_choice(value: str) -> str | list[str]:
    """``--gemeenten``: auto | tekort | alle | geen, or a list of municipality codes."""
    from energieplanologie.output_choice import PAGE_CHOICES, parse_choice

    return parse_choice(value, PAGE_CHOICES, option="gemeenten", what="gemeentecodes")


def _sheet_choice(value: str) -> str | list[str]:
    """``--fiches``: auto | top | alle | geen, or a list of project ids."""
    from energieplanologie.output_choice import SHEET_CHOICES, parse_choice

    return parse_choice(value, SHEET_CHOICES, option="fiches", what="project-id's")


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
        raise fail(ValueError(f"onbekende soort {kind!r}; kies uit {KINDS_HELP}"), 2)
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
        raise fail(exc, 2) from None
    report = result.report
    if as_json:
        print(report.to_json())
    else:
        out.print(report.to_text())
        if "missing_crs" in report.codes("error"):
            out.print("Geef het coördinatenstelsel van de laag op met --crs, bijvoorbeeld --crs EPSG:28992.")
    raise typer.Exit(0 if report.ok else 1)


def _write_outputs(region: Any, settings: Any, out_dir: Path, *, machine: bool, quiet: bool, scenario: str | None,
                   round: str | None = None, pdf: bool = True, charts: str | list[str] = "shortage",
                   pages: str | list[str] = "auto", sheets: str | list[str] = "auto") -> None:
    from energieplanologie.pipeline import run_pipeline

    with ProgressDisplay(machine, quiet, "energieplanologie") as progress:
        written = run_pipeline(region, out_dir, settings=settings, scenario=scenario, round=round, pdf=pdf,
                               progress=progress, charts=charts, pages=pages, sheets=sheets)
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
    pages: Pages = "auto",
    sheets: Sheets = "auto",
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Draai de hele keten op de meegeleverde voorbeeldregio Zeeuws-Vlaanderen."""
    from energieplanologie.config import load_config
    from energieplanologie.pipeline import check_output
    from energieplanologie.sample import SAMPLE_CONFIG, load_sample, sample_settings

    try:
        check_output(out_dir, load_config(SAMPLE_CONFIG).input_paths)
        with warnings_shown():
            region = load_sample()
            _write_outputs(region, sample_settings(), out_dir, machine=machine, quiet=quiet, scenario=None,
                           charts=_chart_choice(charts), pages=_page_choice(pages), sheets=_sheet_choice(sheets))
    except EnergieplanologieError as exc:
        raise fail(exc, 2) from None


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="Projectconfiguratie (TOML).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Uitvoermap.")] = Path("uitvoer"),
    scenario: Annotated[str | None, typer.Option("--scenario", help="Scenario (overschrijft [analysis] scenario).")] = None,
    round_: Annotated[str | None, typer.Option("--round", help="Programmeerronde (bv. 2025), vastgelegd in de herkomst.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--geen-pdf", help="Projectfiches ook als PDF.")] = True,
    charts: Charts = "tekort",
    pages: Pages = "auto",
    sheets: Sheets = "auto",
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Draai de hele keten op eigen data, zoals beschreven in een projectconfiguratie."""
    from energieplanologie.config import load_config, load_project
    from energieplanologie.pipeline import check_output

    try:
        from energieplanologie.cli_steps import CONFIG_HINTS

        check_output(out_dir, load_config(config).input_paths)  # before reading or computing anything
        chosen_charts, chosen_pages, chosen_sheets = _chart_choice(charts), _page_choice(pages), _sheet_choice(sheets)
        with warnings_shown():
            with ProgressDisplay(machine, quiet, "lagen lezen") as progress:
                region, settings, _ = load_project(config, progress=progress)
            region.require_usable_layers(CONFIG_HINTS)
            _write_outputs(region, settings, out_dir, machine=machine, quiet=quiet, scenario=scenario, round=round_,
                           pdf=pdf, charts=chosen_charts, pages=chosen_pages, sheets=chosen_sheets)
    except (ConfigError, OutputError) as exc:
        raise fail(exc, 2) from None
    except EnergieplanologieError as exc:
        raise fail(exc, 1) from None


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


def script() -> None:
    """Entry point of the ``energieplanologie`` script and of ``python -m energieplanologie``: :func:`main`, in a
    process that ends with it.

    The process ends right after the command, so its objects need not be collected one by one on the way out
    (``gc.freeze``): after ``demo`` that took about 0.4 s. Exit handlers still run and files are closed as usual;
    only the collector's last pass over what the command left is skipped. (The warm engine runs :func:`main` per
    request and keeps collecting.)
    """
    try:
        main()
    finally:
        gc.freeze()


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

_register_serve(app, main, _unexpected)  # the warm engine of the QGIS plugin (hidden)

if __name__ == "__main__":  # pragma: no cover
    main()
