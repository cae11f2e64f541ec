"""Command line for rounds and PostGIS: ``energieplanologie baseline …`` and ``energieplanologie publish``.

:func:`register` adds them to the main app (``cli.py``)::

    energieplanologie baseline freeze --round 2025 [--config project.toml] [--db URL | --store MAP]
                                      [--owner laag=eigenaar] [--alleen-gpkg]
    energieplanologie baseline list   [--config project.toml] [--db URL | --store MAP]
    energieplanologie baseline diff   [--round 2025] [--config project.toml | --gpkg uitvoer/energieplanologie.gpkg]
                                      [--db URL | --store MAP] [--out MAP]
    energieplanologie publish --db URL --schema S [--config project.toml | --gpkg FILE] [--round 2025]

    energieplanologie baseline verify [--round 2025] [--verwacht HASH] [--db URL | --store MAP]
    energieplanologie baseline beveilig --db URL [--eigenaar-rol ROL] [--lezers ROL]   (superuser, once)

``--db`` takes a URL or ``service=naam`` and can also come from ``$ENERGIEPLANOLOGIE_DB``, so that a password
never has to be on the command line. Without ``--db`` rounds live in a folder: ``--store``, by default
``rondes/`` next to the configuration. Exit codes: 0 success, 1 refused (round already frozen), 2 the input or the
database could not be read or configured, 3 a frozen round does not match what was frozen (``list``, ``diff`` and
``verify`` recompute every round and its chain first).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["TAMPERED", "baseline_app", "publish", "register"]

baseline_app = typer.Typer(
    name="baseline",
    help="Programmeerrondes: een nulmeting (invoer + resultaten) bevriezen, tonen en vergelijken.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,  # a crash never prints local variables (a database URL, a password)
)

Config = Annotated[Path, typer.Option("--config", "-c", help="Projectconfiguratie (TOML).")]
Db = Annotated[str | None, typer.Option(
    "--db", envvar="ENERGIEPLANOLOGIE_DB",
    help="PostGIS-database als opslag: postgresql://gebruiker@host/db of service=naam "
         "(ook via $ENERGIEPLANOLOGIE_DB; zet het wachtwoord in ~/.pgpass of de servicefile).")]
DbSchema = Annotated[str, typer.Option("--db-schema", help="Schema van de rondes in de database.")]
StoreDir = Annotated[Path | None, typer.Option("--store", help="Map met rondes (zonder database); standaard "
                                                               "rondes/ naast de configuratie.")]
Owners = Annotated[list[str] | None, typer.Option("--owner", help="Data-eigenaar per laag: laag=eigenaar "
                                                                  "(herhaalbaar; gaat voor [layers.X] owner).")]
Scenario = Annotated[str | None, typer.Option("--scenario", help="Scenario (overschrijft [analysis] scenario).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Geen voortgangsbalken (voor scripts).")]
Machine = Annotated[bool, typer.Option("--machine-progress",
                                       help="Voortgang als regels '@@progress {json}' op stderr (voor de QGIS-plugin).")]
OwnerRole = Annotated[str | None, typer.Option(
    "--eigenaar-rol", help="Databaserol die de rondetabellen bezit (een rol die analisten niet hebben; u moet er lid "
                           "van zijn). Zie README, 'Rondes beschermen'.")]

#: Exit code when a frozen round does not match what was frozen.
TAMPERED = 3


def _check_rounds(st: Any, round_: str | None = None, expected: str | None = None) -> list[Any]:
    """Recompute the rounds of a store and their chain; print every mismatch loudly on stderr and exit 3."""
    from energieplanologie.rounds import verify_rounds

    cli = _cli()
    checks = verify_rounds(st, round_, expected=expected)
    bad = [c for c in checks if not c.ok]
    for check in bad:
        for problem in check.problems:
            cli.err.print(f"LET OP: ronde {check.round} ({st.label}) is niet meer zoals bevroren: {problem}.")
    if bad:
        cli.err.print(f"LET OP: {len(bad)} van de {len(checks)} rondes kloppen niet met wat bevroren is; vertrouw ze "
                      "niet en zoek uit wie ze heeft gewijzigd.")
        raise typer.Exit(TAMPERED)
    return checks


def _cli() -> Any:
    from energieplanologie import cli_app as cli

    return cli


def _store(config: Path | None, db: str | None, db_schema: str, store: Path | None,
           owner_role: str | None = None) -> Any:
    from energieplanologie.rounds import open_store

    if db:
        return open_store(db, schema=db_schema, owner_role=owner_role)
    if store is not None:
        return open_store(store)
    base = config.resolve().parent if config is not None else Path.cwd()
    return open_store(base / "rondes")


def _owners(values: list[str] | None) -> dict[str, str]:
    from energieplanologie._errors import ConfigError
    from energieplanologie.region import LAYER_ORDER

    out: dict[str, str] = {}
    for value in values or []:
        layer, sep, owner = value.partition("=")
        layer, owner = layer.strip(), owner.strip()
        if not sep or not owner:
            raise ConfigError(f"--owner {value!r}: verwacht laag=eigenaar, bv. --owner stations=Enduris", key="owner")
        if layer not in LAYER_ORDER:
            raise ConfigError(f"--owner {value!r}: onbekende laag {layer!r} (bekend: {', '.join(LAYER_ORDER)})",
                              key="owner")
        out[layer] = owner
    return out


def _run_errors(func: Any) -> None:
    """Call ``func``; turn domain errors into the documented exit codes."""
    from energieplanologie._errors import EnergieplanologieError
    from energieplanologie.rounds import RoundFrozenError

    cli = _cli()
    try:
        func()
    except RoundFrozenError as exc:
        raise cli.fail(exc, 1) from None
    except (EnergieplanologieError, FileNotFoundError) as exc:
        raise cli.fail(exc, 2) from None


@baseline_app.command("freeze")
def freeze(
    round_: Annotated[str, typer.Option("--round", "-r", help="Naam van de ronde, bv. 2025.")],
    config: Config = Path("project.toml"),
    db: Db = None,
    db_schema: DbSchema = "rondes",
    store: StoreDir = None,
    owner: Owners = None,
    results: Annotated[Path | None, typer.Option(
        "--resultaten", help="Uitvoermap (of energieplanologie.gpkg) van een run op precies deze invoer; standaard "
                             "wordt de keten nu gedraaid.")] = None,
    only_gpkg: Annotated[bool, typer.Option(
        "--alleen-gpkg", help="Bewaar alleen energieplanologie.gpkg (alle resultaatlagen), niet de hele uitvoermap "
                              "met kaarten en pMIEK.")] = False,
    scenario: Scenario = None,
    owner_role: OwnerRole = None,
    quiet: Quiet = False,
    machine: Machine = False,
) -> None:
    """Bevries een ronde: invoer (bron, controlesom, eigenaar, moment) en resultaten, onveranderlijk."""
    from energieplanologie.rounds import freeze_round

    cli = _cli()

    def work() -> None:
        st = _store(config, db, db_schema, store, owner_role)
        _check_rounds(st)  # a new round is chained to the last one: that one must be intact
        with cli.ProgressDisplay(machine, quiet, f"ronde {round_} bevriezen") as progress:
            frozen = freeze_round(config, round_, store=st, owners=_owners(owner), results=results,
                                  scenario=scenario, outputs="gpkg" if only_gpkg else "all", progress=progress)
        if machine:
            return
        cli.out.print(f"Ronde {frozen.round} van {frozen.region} bevroren op {frozen.frozen_at} in {st.label}.")
        cli.out.print(f"Inhoudshash: {frozen.sha256} (noteer deze in het verslag: baseline verify --verwacht "
                      "controleert er later tegen).")
        if getattr(st, "guarded", None) is False:
            cli.err.print("Let op: de database weigert wijzigingen van de tabelstructuur (ALTER, DROP) van de rondes "
                          "nog niet; laat een databasebeheerder (superuser) eenmalig 'energieplanologie baseline "
                          "beveilig' draaien (zie README, 'Rondes beschermen').")
        for s in frozen.inputs:
            who = s.owner or "eigenaar onbekend"
            where = f"{s.source}" + (f" ({s.table})" if s.table and s.table not in s.source else "")
            cli.out.print(f"  {s.layer:<17} {s.snapshot_id:<32} {s.rows:>6} rijen  {who:<20} {where}")

    _run_errors(work)


@baseline_app.command("list")
def list_(
    config: Config = Path("project.toml"),
    db: Db = None,
    db_schema: DbSchema = "rondes",
    store: StoreDir = None,
) -> None:
    """Toon de bevroren rondes en de wijzigingen die sindsdien zijn geleverd."""
    from energieplanologie.rounds import INPUT_CHANGES, list_rounds

    cli = _cli()

    def work() -> None:
        st = _store(config, db, db_schema, store)
        hashes = {c.round: c.sha256 for c in _check_rounds(st)}
        rounds = list_rounds(st)
        if rounds.empty:
            cli.out.print(f"Geen bevroren rondes in {st.label}.")
        else:
            cli.out.print(f"Bevroren rondes in {st.label}:")
            for row in rounds.itertuples(index=False):
                digest = (hashes.get(row.round) or "(geen hash)")[:12]
                cli.out.print(f"  ronde {row.round:<8} {row.region:<24} bevroren {row.frozen_at}  "
                              f"{row.n_inputs} invoerlagen  hash {digest}  (energieplanologie {row.version})")
        changes = st.changes()
        pending = changes[changes["included_in"].isna()]
        if len(pending):
            cli.out.print("Geleverd na het bevriezen (voor de volgende ronde, niet samengevoegd):")
            for row in pending.itertuples(index=False):
                cli.out.print(f"  {row.layer:<17} {INPUT_CHANGES.get(row.change, row.change):<11} na ronde {row.round}: "
                              f"{row.old_snapshot_id or '-'} → {row.new_snapshot_id or '-'}  "
                              f"({row.owner or 'eigenaar onbekend'}, {row.detected_at})")

    _run_errors(work)


@baseline_app.command("diff")
def diff(
    round_: Annotated[str | None, typer.Option("--round", "-r", help="Bevroren ronde; standaard de laatste.")] = None,
    config: Config = Path("project.toml"),
    gpkg: Annotated[Path | None, typer.Option(
        "--gpkg", help="Vergelijk deze uitvoer (energieplanologie.gpkg van een run) in plaats van nu te draaien.")] = None,
    db: Db = None,
    db_schema: DbSchema = "rondes",
    store: StoreDir = None,
    owner: Owners = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Schrijf verschillen.html/.csv en "
                                                                     "invoerwijzigingen.csv in deze map.")] = None,
    scenario: Scenario = None,
    quiet: Quiet = False,
    machine: Machine = False,
) -> None:
    """Vergelijk de huidige invoer en resultaten met een bevroren ronde; nieuwe leveringen worden vastgelegd."""
    from energieplanologie.diff import CHANGES
    from energieplanologie.rounds import INPUT_CHANGES, compare_with_round

    cli = _cli()

    def work() -> None:
        st = _store(config, db, db_schema, store)
        _check_rounds(st, round_)  # never compare with a round that is not as it was frozen
        current: Any = gpkg if gpkg is not None else config

        def compare(folder: Path | None) -> Any:
            with cli.ProgressDisplay(machine, quiet, "vergelijken") as progress:
                return compare_with_round(current, round_, store=st, out_dir=folder, owners=_owners(owner),
                                          scenario=scenario, progress=progress)

        if out_dir is None:
            result = compare(None)
            files = result.files
        else:  # the three files as one set, swapped in at the end
            from energieplanologie._outdir import check_output_folder, final_paths, staged_output
            from energieplanologie.config import load_config
            from energieplanologie.pipeline import KNOWN_OUTPUTS

            owns = ["verschillen.html", "verschillen.csv", "invoerwijzigingen.csv"]
            inputs = [gpkg] if gpkg is not None else load_config(config).input_paths
            check_output_folder(out_dir, owns=owns, known=KNOWN_OUTPUTS, inputs=inputs, default_need=5 * 2**20)
            with staged_output(out_dir, owns=owns) as folder:
                result = compare(folder)
            files = final_paths(result.files, folder, out_dir)
        if machine:
            return
        cli.out.print(f"Vergeleken met ronde {result.round} ({st.label}).")
        if result.inputs.empty:
            cli.out.print("Invoer: ongewijzigd.")
        else:
            cli.out.print("Invoer gewijzigd sinds de ronde (vastgelegd voor de volgende ronde):")
            for row in result.inputs.itertuples(index=False):
                cli.out.print(f"  {row.layer:<17} {INPUT_CHANGES[row.change]:<11} {row.old_snapshot_id or '-'} → "
                              f"{row.new_snapshot_id or '-'}  ({row.owner or 'eigenaar onbekend'})")
        summary = result.diff.summary()
        cli.out.print("Resultaten: " + ", ".join(f"{n} {CHANGES[k]}" for k, n in summary.items()))
        for p in files:
            cli.out.print(f"  {p}")

    _run_errors(work)


@baseline_app.command("verify")
def verify(
    round_: Annotated[str | None, typer.Option("--round", "-r", help="Alleen deze ronde (de keten ervoor wordt ook "
                                                                     "gecontroleerd).")] = None,
    expected: Annotated[str | None, typer.Option(
        "--verwacht", help="De inhoudshash (minstens 12 tekens) die de laatste (of de gegeven) ronde moet hebben, "
                           "zoals genoteerd bij het bevriezen.")] = None,
    config: Config = Path("project.toml"),
    db: Db = None,
    db_schema: DbSchema = "rondes",
    store: StoreDir = None,
) -> None:
    """Controleer de bevroren rondes: resultaten, inhoudshash en keten. Exit 3 als iets niet klopt."""
    cli = _cli()

    def work() -> None:
        st = _store(config, db, db_schema, store)
        checks = _check_rounds(st, round_, expected)
        if not checks:
            cli.out.print(f"Geen bevroren rondes in {st.label}.")
        for check in checks:
            state = f"hash {check.sha256}" if check.sha256 else "zonder inhoudshash (bevroren met een oudere versie)"
            cli.out.print(f"Ronde {check.round}: in orde, {state}.")

    _run_errors(work)


@baseline_app.command("beveilig")
def protect(
    db: Annotated[str, typer.Option(
        "--db", envvar="ENERGIEPLANOLOGIE_DB",
        help="De database, als superuser: postgresql://beheerder@host/db of service=naam.")],
    db_schema: DbSchema = "rondes",
    owner_role: Annotated[str | None, typer.Option(
        "--eigenaar-rol", help="Rol die de rondetabellen gaat bezitten (wordt gemaakt als hij ontbreekt, zonder "
                               "inlog); geef die rol daarna alleen aan wie rondes bevriest.")] = None,
    readers: Annotated[str | None, typer.Option(
        "--lezers", help="Rol van de analisten: leesrechten op de rondes, en wijzigingen melden.")] = None,
) -> None:
    """Bescherm de rondes in een database (eenmalig, als superuser): eigenaarsrol, leesrechten en een event trigger
    die ALTER/DROP op bevroren rondes weigert."""
    from energieplanologie.rounds import protect_store

    cli = _cli()

    def work() -> None:
        done = protect_store(db, db_schema, owner_role=owner_role, readers=readers)
        for line in done:
            cli.out.print(line)

    _run_errors(work)


def publish(
    db: Annotated[str, typer.Option(
        "--db", envvar="ENERGIEPLANOLOGIE_DB",
        help="PostGIS-database: postgresql://gebruiker@host/db of service=naam (ook via $ENERGIEPLANOLOGIE_DB).")],
    schema: Annotated[str, typer.Option("--schema", "-s", help="Doelschema (wordt aangemaakt als het ontbreekt).")],
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Projectconfiguratie: draai de keten en "
                                                                       "publiceer alles.")] = None,
    gpkg: Annotated[Path | None, typer.Option("--gpkg", help="Publiceer deze uitvoer (energieplanologie.gpkg) "
                                                             "zoals hij is.")] = None,
    round_: Annotated[str | None, typer.Option("--round", "-r", help="Programmeerronde (in herkomst en "
                                                                     "commentaar).")] = None,
    scenario: Scenario = None,
    quiet: Quiet = False,
    machine: Machine = False,
) -> None:
    """Publiceer de regio en alle resultaatlagen naar een PostGIS-schema, in één transactie (voor QGIS)."""
    from energieplanologie._errors import ConfigError
    from energieplanologie.postgis import publish_to_postgis

    cli = _cli()

    def work() -> None:
        if (config is None) == (gpkg is None):
            raise ConfigError("publish: geef precies één van --config (draai de keten) of --gpkg (bestaande uitvoer).",
                              key="publish")
        with cli.ProgressDisplay(machine, quiet, f"publiceren naar {schema}") as progress:
            if gpkg is not None:
                pub = publish_to_postgis(None, gpkg, db, schema, round=round_)
            else:
                from energieplanologie.config import load_project
                from energieplanologie.progress import report, scaled
                from energieplanologie.provenance import add_gpkg_provenance, provenance
                from energieplanologie.rounds import run_chain

                region, settings, _ = load_project(config, progress=scaled(progress, 0.0, 0.2))  # type: ignore[arg-type]
                with tempfile.TemporaryDirectory(prefix="ep-publiceren-") as tmp:
                    gpkg_path = run_chain(region, Path(tmp), scenario=scenario, outputs="gpkg",
                                     progress=scaled(progress, 0.2, 0.8), settings=settings)
                    prov = provenance(region, round_, base_dir=settings.base_dir)
                    add_gpkg_provenance(gpkg_path, prov)
                    report(progress, 0.85, "tabellen schrijven")
                    pub = publish_to_postgis(None, gpkg_path, db, schema, round=round_, provenance=prov)
        if machine:
            return
        cli.out.print(f"Gepubliceerd naar schema {pub.schema} (publicatie {pub.id}"
                      + (f", ronde {pub.round}" if pub.round else "") + "):")
        for name, rows in pub.tables.items():
            cli.out.print(f"  {pub.schema}.{name:<22} {rows:>7} rijen")

    _run_errors(work)


def register(app: typer.Typer) -> None:
    """Add ``baseline`` (freeze, list, diff, verify, beveilig) and ``publish`` to the main command line."""
    app.add_typer(baseline_app, name="baseline")
    app.command("publish")(publish)
