"""One CLI subcommand per analysis (DESIGN §9), for users who want a single step.

Each takes an optional project configuration; without one it runs on the shipped sample region. Outputs go to
``--out`` with the same names as in the full output folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from energieplanologie._errors import ConfigError, EnergieplanologieError, OutputError, os_reason
from energieplanologie.cli_app import MachineProgress, ProgressDisplay, Quiet, app, fail, out, warnings_shown

__all__: list[str] = []

ConfigArg = Annotated[
    Path | None, typer.Argument(help="Projectconfiguratie (TOML); zonder: de voorbeeldregio Zeeuws-Vlaanderen.")
]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Uitvoermap.")]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", help="Scenario (overschrijft [analysis] scenario).")]
YearOpt = Annotated[int | None, typer.Option("--year", help="Jaar (standaard het laatste analysejaar).")]


def _override(settings: dict[str, Any], **options: Any) -> None:
    """Let the options given on the command line win over the project's settings."""
    settings.update({key: value for key, value in options.items() if value is not None})


#: What to change in a project configuration when a layer yields no usable rows (``Region.require_usable_layers``).
CONFIG_HINTS = {
    "missing_crs": 'Zet crs = "EPSG:28992" (of het stelsel van de coördinaten) onder [{key}].',
    "empty_layer": "Kies onder [{key}] een bron met objecten, of laat een optionele laag weg.",
    "all_rejected": "Verbeter de bron of de kolomkoppeling ({key}.mapping); het validatierapport noemt elke fout.",
    "missing_column": "Koppel de kolom met {key}.mapping (canoniek = \"bronkolom\").",
}


def _project(config: Path | None, progress: Any = None) -> tuple[Any, Any]:
    """The region and its settings: of the configuration, or of the sample without one."""
    if config is None:
        from energieplanologie.sample import load_sample, sample_settings

        return load_sample(), sample_settings()
    from energieplanologie.config import load_project

    project = load_project(config, progress=progress)
    return project.region, project.settings


def _usable(region: Any) -> Any:
    """The region, when every layer the configuration supplies has a usable row; else the analysis stops."""
    return region.require_usable_layers(CONFIG_HINTS)


ValidationJsonOpt = Annotated[
    Path | None,
    typer.Option("--validation-json", help="Schrijf het validatierapport van alle lagen (JSON) naar dit bestand."),
]


def _write_validation_json(region: Any, path: Path | None) -> list[Path]:
    """The region's validation report as JSON (what was read, repaired and rejected), when asked for."""
    if path is None:
        return []
    import json

    from energieplanologie._atomic import atomic_write

    with atomic_write(path) as tmp:
        Path(tmp).write_text(json.dumps(region.validation_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [path]


def _inputs(config: Path | None) -> list[Path]:
    """The files the command reads (of the configuration, or of the sample)."""
    from energieplanologie.config import load_config
    from energieplanologie.sample import SAMPLE_CONFIG

    return load_config(config if config is not None else SAMPLE_CONFIG).input_paths


#: Free space a single step asks for when there is nothing earlier to measure.
STEP_NEED = 5 * 1024 * 1024


def _run(title: str, machine: bool, quiet: bool, compute: Any, write: Any, *, out_dir: Path, owns: list[str],
         inputs: Any = (), validation_json: Path | None = None) -> None:
    """Check ``out_dir``, run ``compute(progress)``, then ``write(result, folder, progress) -> list[Path]`` into a
    staging folder swapped in for ``out_dir`` at the end (all or nothing); errors become the exit codes."""
    from energieplanologie._outdir import check_not_inputs, check_output_folder, final_paths, staged_output
    from energieplanologie.pipeline import KNOWN_OUTPUTS

    try:
        sources = list(inputs() if callable(inputs) else inputs)
        check_output_folder(out_dir, owns=owns, known=KNOWN_OUTPUTS, inputs=sources, default_need=STEP_NEED)
        if validation_json is not None:
            check_not_inputs([validation_json], sources, what="--validation-json")
        with warnings_shown(), ProgressDisplay(machine, quiet, title) as progress:
            result = compute(progress)
            with staged_output(out_dir, owns=owns) as folder:
                written = write(result, folder, progress)
            written = final_paths(written, folder, out_dir)
    except (ConfigError, OutputError) as exc:
        raise fail(exc, 2) from None
    except EnergieplanologieError as exc:
        raise fail(exc, 1) from None
    if not quiet and not machine:
        for path in written:
            out.print(str(path), highlight=False)


@app.command()
def balance(
    config: ConfigArg = None,
    out_dir: OutOpt = Path("uitvoer"),
    scenario: ScenarioOpt = None,
    all_scenarios: Annotated[bool, typer.Option("--alle-scenarios/--een-scenario",
                                                help="Ook de andere scenario's doorrekenen.")] = True,
    charts: Annotated[bool, typer.Option("--grafieken/--geen-grafieken", help="Een grafiek (PNG) per station.")] = True,
    validation_json: ValidationJsonOpt = None,
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Stationsbalans: capaciteit tegenover last per station, jaar, richting en scenario."""
    from energieplanologie.allocation import allocate_region
    from energieplanologie.balance import balance_layer, station_balance_result
    from energieplanologie.charts import write_station_charts
    from energieplanologie.flex import flex_need
    from energieplanologie.io import write_csv, write_layers
    from energieplanologie.pipeline import chosen_scenario, scenario_order
    from energieplanologie.progress import report

    def compute(progress: Any) -> Any:
        region, settings = _project(config)
        _write_validation_json(region, validation_json)
        _usable(region)
        chosen = chosen_scenario(settings, scenario)
        report(progress, 0.1, "toewijzing")
        allocation = allocate_region(region, **settings.allocation_options())
        report(progress, 0.3, "balans")
        names = scenario_order(settings, chosen) if all_scenarios else [chosen]
        return region, chosen, station_balance_result(region, names, allocation=allocation,
                                                      scenarios=settings.user_scenarios())

    def write(computed: Any, folder: Path, progress: Any) -> list[Path]:
        region, chosen, balance = computed
        result = balance.table
        report(progress, 0.6, "schrijven")
        written = [write_csv(result, folder / "stationsbalans.csv"),
                   write_csv(flex_need(result, region), folder / "flexbehoefte.csv"),
                   write_layers(folder / "stationsbalans.gpkg", {"stationsbalans": balance_layer(result, region.stations)})]
        if charts:
            written += write_station_charts(result, folder / "stationsgrafieken", scenario=chosen,
                                            scenario_labels=balance.scenario_labels)
        report(progress, 1.0, "klaar")
        return written

    owns = ["stationsbalans.csv", "flexbehoefte.csv", "stationsbalans.gpkg"] + (["stationsgrafieken"] if charts else [])
    _run("stationsbalans", machine, quiet, compute, write, out_dir=out_dir, owns=owns, inputs=lambda: _inputs(config),
         validation_json=validation_json)


@app.command()
def hotspots(
    config: ConfigArg = None,
    out_dir: OutOpt = Path("uitvoer"),
    method: Annotated[str | None, typer.Option("--method", help="dbscan | hdbscan | gistar")] = None,
    eps_m: Annotated[float | None, typer.Option("--eps-m", help="Zoekafstand in meter (dbscan).")] = None,
    min_mw: Annotated[float | None, typer.Option("--min-mw", help="Minimaal vermogen van een knooppunt (MW).")] = None,
    year: YearOpt = None,
    scenario: ScenarioOpt = None,
    validation_json: ValidationJsonOpt = None,
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Knooppunten: waar ontwikkelingen en infrastructuur samenkomen, met hun niveau, door de tijd."""
    from energieplanologie.allocation import allocate_region
    from energieplanologie.balance import station_balance
    from energieplanologie.config import check_settings
    from energieplanologie.io import write_layers
    from energieplanologie.pipeline import chosen_scenario, hotspots_with_members
    from energieplanologie.progress import report, scaled

    def compute(progress: Any) -> Any:
        region, project_settings = _project(config)
        _write_validation_json(region, validation_json)
        _usable(region)
        chosen = chosen_scenario(project_settings, scenario)
        user = project_settings.user_scenarios()
        settings = project_settings.hotspot_options()
        _override(settings, method=method, eps_m=eps_m, min_mw=min_mw)
        check_settings("hotspots", settings)  # the options obey the bounds of the keys they override
        settings["scenarios"] = user
        allocation = allocate_region(region, **project_settings.allocation_options())
        balance_rows = station_balance(region, chosen, allocation=allocation, scenarios=user)
        years = [year] if year is not None else None
        found, members = hotspots_with_members(region, years=years, progress=scaled(progress, 0.2, 0.9),
                                               scenario=chosen, balance=balance_rows, allocation=allocation,
                                               **settings)
        layers: dict[str, Any] = {"knooppunten": found, "knooppunt_leden": members}
        if settings.get("method") == "gistar":
            from energieplanologie.hotspots import detect_hotspots

            last = year if year is not None else max(region.years)
            layers["hexagonen_gistar"] = detect_hotspots(region, year=last, scenario=chosen, balance=balance_rows,
                                                         allocation=allocation, **settings).hexagons
        return layers

    def write(layers: Any, folder: Path, progress: Any) -> list[Path]:
        report(progress, 0.95, "schrijven")
        return [write_layers(folder / "knooppunten.gpkg", layers)]

    _run("knooppunten", machine, quiet, compute, write, out_dir=out_dir, owns=["knooppunten.gpkg"],
         inputs=lambda: _inputs(config), validation_json=validation_json)


@app.command()
def density(
    config: ConfigArg = None,
    out_dir: OutOpt = Path("uitvoer"),
    cell_m: Annotated[float | None, typer.Option("--cell-m", help="Celgrootte in meter.")] = None,
    bandwidth_m: Annotated[float | None, typer.Option("--bandwidth-m", help="Bandbreedte van de kern in meter.")] = None,
    year: YearOpt = None,
    scenario: ScenarioOpt = None,
    validation_json: ValidationJsonOpt = None,
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Dichtheid: kerndichtheid van vermogen in MW/km² als GeoTIFF (EPSG:28992) met QGIS-stijl."""
    from energieplanologie.config import check_settings
    from energieplanologie.density import kde
    from energieplanologie.pipeline import chosen_scenario
    from energieplanologie.progress import report
    from energieplanologie.raster_output import write_density

    def compute(progress: Any) -> Any:
        region, project_settings = _project(config)
        _write_validation_json(region, validation_json)
        _usable(region)
        settings = project_settings.density_options()
        _override(settings, cell_m=cell_m, bandwidth_m=bandwidth_m)
        check_settings("density", settings)
        report(progress, 0.2, "kerndichtheid")
        return kde(region, scenario=chosen_scenario(project_settings, scenario),
                   year=year if year is not None else max(region.years),
                   scenarios=project_settings.user_scenarios(), **settings)

    def write(raster: Any, folder: Path, progress: Any) -> list[Path]:
        return [write_density(folder / "dichtheid_mw_per_km2.tif", *raster)]

    _run("dichtheid", machine, quiet, compute, write, out_dir=out_dir,
         owns=["dichtheid_mw_per_km2.tif", "dichtheid_mw_per_km2.qml"], inputs=lambda: _inputs(config),
         validation_json=validation_json)


def _analysis(config: Path | None, scenario: str | None, progress: Any, validation_json: Path | None = None) -> Any:
    from energieplanologie.pipeline import analyse
    from energieplanologie.progress import scaled

    region, settings = _project(config)
    _write_validation_json(region, validation_json)
    _usable(region)
    return analyse(region, settings=settings, scenario=scenario, progress=scaled(progress, 0.0, 0.6))


@app.command("map")
def map_(
    config: ConfigArg = None,
    out_dir: OutOpt = Path("uitvoer"),
    scenario: ScenarioOpt = None,
    year: Annotated[int | None, typer.Option("--year", help="Jaar dat de kaart bij openen toont.")] = None,
    validation_json: ValidationJsonOpt = None,
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Interactieve kaart (HTML, werkt zonder internet) van de hele regio."""
    from energieplanologie.maps import publish, region_map

    def compute(progress: Any) -> Any:
        result = _analysis(config, scenario, progress, validation_json)
        return region_map(result.region, balance=result.balance_chosen, hotspots=result.hotspots,
                          hexagons=result.hexagons, density=result.density, scenario=result.scenario, year=year)

    def write(m: Any, folder: Path, progress: Any) -> list[Path]:
        return [publish(m, folder / "kaart.html")]

    _run("kaart", machine, quiet, compute, write, out_dir=out_dir, owns=["kaart.html"],
         inputs=lambda: _inputs(config), validation_json=validation_json)


@app.command()
def overview(
    config: ConfigArg = None,
    out_dir: OutOpt = Path("uitvoer"),
    scenario: ScenarioOpt = None,
    tables_json: Annotated[bool, typer.Option("--json/--geen-json",
                                              help="Ook de tabellen per gemeente als JSON (voor de QGIS-dock).")] = True,
    validation_json: ValidationJsonOpt = None,
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Gemeenteoverzichten: per gemeente kaart (PNG en HTML) en tabellen, met een indexpagina."""
    from energieplanologie.overview import write_overviews
    from energieplanologie.progress import scaled

    def compute(progress: Any) -> Any:
        return _analysis(config, scenario, progress, validation_json)

    def write(result: Any, folder: Path, progress: Any) -> list[Path]:
        return write_overviews(result.region, folder / "gemeenten", balance=result.balance_chosen,
                               allocation=result.allocation, hotspots=result.hotspots_final,
                               scenario=result.scenario, scenarios=result.settings.user_scenarios(),
                               tables_json=tables_json, progress=scaled(progress, 0.6, 1.0))

    _run("gemeenteoverzichten", machine, quiet, compute, write, out_dir=out_dir, owns=["gemeenten"],
         inputs=lambda: _inputs(config), validation_json=validation_json)


#: What ``assess`` writes: the afweging inside the pMIEK folder (the rest of that folder is kept).
ASSESSMENT_FILES = ["pmiek/afweging.csv", "pmiek/afweging_redenen.csv", "pmiek/afweging_overschrijvingen.csv"]


@app.command()
def atlas(
    config: ConfigArg = None,
    out_dir: OutOpt = Path("uitvoer"),
    scenario: ScenarioOpt = None,
    year: YearOpt = None,
    validation_json: ValidationJsonOpt = None,
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Gemeenteatlas: kaartlagen van één jaar en scenario en de tabellen per gemeente (atlas.gpkg) voor QGIS."""
    from energieplanologie.io import write_layers
    from energieplanologie.overview import atlas_data
    from energieplanologie.progress import report

    def compute(progress: Any) -> Any:
        result = _analysis(config, scenario, progress, validation_json)
        chosen = year if year is not None else result.year
        if chosen not in result.region.years:
            raise ConfigError(f"--year: {chosen} is geen analysejaar "
                              f"({', '.join(str(y) for y in result.region.years)}).", key="year")
        report(progress, 0.7, "atlasgegevens")
        return atlas_data(result.region, balance=result.balance_chosen, allocation=result.allocation,
                          hotspots=result.hotspots, year=chosen, scenario=result.scenario,
                          scenarios=result.settings.user_scenarios())

    def write(data: Any, folder: Path, progress: Any) -> list[Path]:
        report(progress, 0.95, "schrijven")
        return [write_layers(folder / "atlas.gpkg", data)]

    _run("gemeenteatlas", machine, quiet, compute, write, out_dir=out_dir, owns=["atlas.gpkg"],
         inputs=lambda: _inputs(config), validation_json=validation_json)


@app.command()
def assess(
    config: ConfigArg = None,
    out_dir: OutOpt = Path("uitvoer"),
    scenario: ScenarioOpt = None,
    validation_json: ValidationJsonOpt = None,
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Afwegingskader A–H: scores met redenen, gewogen rangorde en de stabiliteit daarvan."""
    from energieplanologie.pmiek import write_assessment

    def compute(progress: Any) -> Any:
        return _analysis(config, scenario, progress, validation_json)

    def write(result: Any, folder: Path, progress: Any) -> list[Path]:
        return write_assessment(result.assessment, folder / "pmiek")

    _run("afweging", machine, quiet, compute, write, out_dir=out_dir, owns=ASSESSMENT_FILES,
         inputs=lambda: _inputs(config), validation_json=validation_json)


@app.command()
def pmiek(
    config: ConfigArg = None,
    out_dir: OutOpt = Path("uitvoer"),
    scenario: ScenarioOpt = None,
    pdf: Annotated[bool, typer.Option("--pdf/--geen-pdf", help="Projectfiches ook als PDF.")] = True,
    validation_json: ValidationJsonOpt = None,
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """pMIEK: projectenlijst (XLSX/CSV) en een projectfiche per project (HTML/PDF)."""
    from energieplanologie.pmiek import write_pmiek
    from energieplanologie.progress import scaled

    def compute(progress: Any) -> Any:
        return _analysis(config, scenario, progress, validation_json)

    def write(result: Any, folder: Path, progress: Any) -> list[Path]:
        return write_pmiek(result.assessment, result.region, folder / "pmiek", pdf=pdf,
                           hotspots=result.hotspots_final, allocation=result.allocation,
                           progress=scaled(progress, 0.6, 1.0))

    _run("pMIEK", machine, quiet, compute, write, out_dir=out_dir, owns=["pmiek"], inputs=lambda: _inputs(config),
         validation_json=validation_json)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="energieplanologie.gpkg van de vorige ronde.")],
    new: Annotated[Path, typer.Argument(help="energieplanologie.gpkg van deze ronde.")],
    out_dir: OutOpt = Path("uitvoer"),
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Verschillen tussen twee programmeerrondes: projecten erbij, eraf, herpland of herbeoordeeld; tekorten."""
    from energieplanologie.diff import diff_rounds
    from energieplanologie.diff_report import write_diff

    def compute(progress: Any) -> Any:
        return diff_rounds(old, new)

    def write(result: Any, folder: Path, progress: Any) -> list[Path]:
        return write_diff(result, folder)

    _run("verschillen", machine, quiet, compute, write, out_dir=out_dir, owns=["verschillen.html", "verschillen.csv"],
         inputs=[old, new])


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Map waarin project.toml komt.")],
    force: Annotated[bool, typer.Option("--force", help="Overschrijf een bestaande project.toml.")] = False,
) -> None:
    """Schrijf een sjabloon-projectconfiguratie (met uitleg in het Nederlands) om eigen data te gebruiken."""
    from energieplanologie._atomic import atomic_write

    target = directory / "project.toml"
    if directory.exists() and not directory.is_dir():
        raise fail(ConfigError(f"{directory} bestaat al en is een bestand, geen map; noem een (nieuwe) map, "
                                f"bijvoorbeeld: energieplanologie init {directory.with_suffix('')}_project"), 2)
    if target.is_dir():
        raise fail(ConfigError(f"{target} is een map; verwijder of hernoem die eerst"), 2)
    if target.exists() and not force:
        raise fail(ConfigError(f"{target} bestaat al; gebruik --force om te overschrijven"), 2)
    template = (Path(__file__).parent / "templates" / "project_template.toml").read_text(encoding="utf-8")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with atomic_write(target) as tmp:
            Path(tmp).write_text(template, encoding="utf-8")
    except OSError as exc:
        raise fail(ConfigError(f"{target}: niet te schrijven ({os_reason(exc)})"), 2) from None
    out.print(f"Sjabloon geschreven: {target}\nVul de paden in en draai: energieplanologie run {target} --out uitvoer",
              highlight=False)


def _round_programme(config: Path | None, round_: str, db: str | None, db_schema: str,
                     store: Path | None) -> dict[str, int | None]:
    """project_id → year_ready of the programme as frozen in a round (its ``infrastructuur`` result layer)."""
    import tempfile

    import pandas as pd
    import pyogrio

    from energieplanologie.labels import from_dutch
    from energieplanologie.rounds import open_store

    if db:
        st = open_store(db, schema=db_schema)
    else:
        st = open_store(store if store is not None
                        else (config.resolve().parent if config is not None else Path.cwd()) / "rondes")
    with tempfile.TemporaryDirectory(prefix="ep-monitor-") as tmp:
        gpkg = st.results_gpkg(str(round_), Path(tmp))
        try:
            frame = pyogrio.read_dataframe(gpkg, layer="infrastructuur", read_geometry=False)
        except Exception as exc:  # pyogrio.errors.DataLayerError and friends: no such layer
            raise ConfigError(f"ronde {round_}: de resultaten hebben geen laag infrastructuur ({exc}).",
                              key="round") from None
    frame = from_dutch(frame)
    if "project_id" not in frame.columns or "year_ready" not in frame.columns:
        raise ConfigError(f"ronde {round_}: de laag infrastructuur mist project_id of jaar_gereed.", key="round")
    years = pd.to_numeric(frame["year_ready"], errors="coerce")
    return {str(p): (None if pd.isna(y) else int(y)) for p, y in zip(frame["project_id"], years, strict=True)}


@app.command()
def monitor(
    config: ConfigArg = None,
    status: Annotated[str, typer.Option(
        "--status", help="Statusmeldingen per project en peildatum (CSV, XLSX, GeoPackage of PostGIS-bron) met "
                         "projectcode, peildatum, status, verwacht_gereed, toelichting; standaard [layers.status] "
                         "van de configuratie.")] = "",
    out_dir: OutOpt = Path("uitvoer"),
    status_layer: Annotated[str | None, typer.Option(
        "--status-laag", help="Laag (GeoPackage) of werkblad (XLSX) van de statusmeldingen.")] = None,
    status_table: Annotated[str | None, typer.Option(
        "--status-tabel", help="Tabel schema.tabel als --status een PostGIS-bron is.")] = None,
    round_: Annotated[str | None, typer.Option(
        "--round", "-r", help="Vergelijk met het programma van deze bevroren ronde (standaard: jaar_gereed van de "
                              "configuratie).")] = None,
    store: Annotated[Path | None, typer.Option(
        "--store", help="Map met rondes (zonder database); standaard rondes/ naast de configuratie.")] = None,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="ENERGIEPLANOLOGIE_DB", help="PostGIS-database met de rondes (bij --round).")] = None,
    db_schema: Annotated[str, typer.Option("--db-schema", help="Schema van de rondes in de database.")] = "rondes",
    record: Annotated[str | None, typer.Option(
        "--vastleggen", help="Leg de statusmeldingen vast in deze PostGIS-werkruimte (postgresql://… of "
                             "service=naam), per project en peildatum met eigenaar en tijdstip.")] = None,
    owner: Annotated[str | None, typer.Option("--eigenaar", help="Wie de meldingen doet (bij --vastleggen).")] = None,
    workspace_schema: Annotated[str, typer.Option(
        "--werkruimte-schema", help="Schema van de statusmeldingen in de werkruimte.")] = "voortgang",
    scenario: ScenarioOpt = None,
    quiet: Quiet = False,
    machine: MachineProgress = False,
) -> None:
    """Voortgangstoets (borgen): projectstatus tegenover het programma en wat elke vertraging met het net doet."""
    from energieplanologie.io import read_layer
    from energieplanologie.monitoring import check_status
    from energieplanologie.monitoring import monitor as run_monitor
    from energieplanologie.monitoring_report import OUTPUT_FILES, write_monitoring
    from energieplanologie.postgis import is_database_source
    from energieplanologie.progress import report, scaled

    entry = None
    if not status:  # the project's [layers.status]
        from energieplanologie.config import load_config
        from energieplanologie.sample import SAMPLE_CONFIG

        entry = load_config(config if config is not None else SAMPLE_CONFIG).layers.get("status")
        if entry is None:
            raise fail(ConfigError("--status ontbreekt: geef het bestand met de statusmeldingen op, of noem het in "
                                    "de configuratie als [layers.status]."), 2)
        status = entry.path
    database = is_database_source(status)

    def inputs() -> list[Path]:
        return _inputs(config) + ([] if database else [Path(status)])

    def compute(progress: Any) -> Any:
        region, settings = _project(config)
        region = _usable(region)
        report(progress, 0.05, "statusmeldingen lezen")
        if database and status_table is None:  # the reports stored in a workspace (--vastleggen)
            from energieplanologie.io import map_columns
            from energieplanologie.postgis import source_label
            from energieplanologie.schema import validate
            from energieplanologie.status_store import load_status

            stored = map_columns(load_status(status, schema=workspace_schema), "status")
            data, read_report = validate(stored, "status", source=source_label(status, f"{workspace_schema}.statusmeldingen"))
        elif entry is not None:  # named in the configuration: its errors name the key there
            from energieplanologie.config import read_configured_layer

            data, read_report = read_configured_layer(entry)
        else:
            data, read_report = read_layer(status if database else Path(status), "status", layer=status_layer,
                                           table=status_table)
        clean, rep = check_status(data, region.infrastructure, read_report)
        if rep.errors or not len(clean):
            if not len(clean) and not rep.errors:
                rep.layer_error("empty_layer", "geen bruikbare statusmelding")
            from energieplanologie._errors import ValidationError

            raise ValidationError(rep.to_text(), rep)
        if record is not None:
            from energieplanologie.status_store import save_status

            stored = save_status(record, clean, schema=workspace_schema, owner=owner, origin=status)
            report(progress, 0.08, f"{stored} nieuwe statusmeldingen vastgelegd")
        planned = _round_programme(config, round_, db, db_schema, store) if round_ is not None else None
        from energieplanologie.allocation import allocate_region

        return region, run_monitor(region, clean, planned=planned, scenario=scenario or settings.scenario,
                                   scenarios=settings.user_scenarios(),
                                   allocation=allocate_region(region, **settings.allocation_options()),
                                   progress=scaled(progress, 0.1, 0.8))

    def write(computed: Any, folder: Path, progress: Any) -> list[Path]:
        region, result = computed
        report(progress, 0.85, "voortgang schrijven")
        written = write_monitoring(result, region, folder)
        report(progress, 1.0, "klaar")
        return written

    _run("voortgangstoets", machine, quiet, compute, write, out_dir=out_dir, owns=list(OUTPUT_FILES), inputs=inputs)
