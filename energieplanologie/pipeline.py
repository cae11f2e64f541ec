"""The whole chain on one region, writing the output folder of DESIGN §9.

``demo`` and ``run`` call :func:`run_pipeline`. :func:`analyse` computes every analysis once (allocation,
balance for every scenario, what projects enable, knooppunten through time with their members, Gi* hexagons,
density, the afwegingskader); :func:`write_outputs` writes them. The folder is written all or nothing: the set is
written into a staging folder beside it and swapped in at the end (:mod:`energieplanologie._outdir`), so it holds
the previous complete set or the new one, never a mix; before any analysis the folder is checked (not a file,
writable, room for the set, not an input of the run).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine

from energieplanologie._atomic import atomic_write
from energieplanologie._outdir import check_output_folder, final_paths, staged_output
from energieplanologie._workers import Batch, Plan, in_background, run_plan
from energieplanologie.allocation import allocate_region
from energieplanologie.assessment import Assessment, score_projects
from energieplanologie.balance import balance_layer, project_enablement, station_balance_result
from energieplanologie.config import ProjectSettings
from energieplanologie.flex import flex_need
from energieplanologie.hotspots import detect_hotspots, hotspots_and_members_through_time
from energieplanologie.io import write_csv, write_layers
from energieplanologie.labels import LAYER_NAMES, format_number
from energieplanologie.progress import ProgressCallback, report, scaled
from energieplanologie.provenance import add_gpkg_provenance, provenance
from energieplanologie.region import Region
from energieplanologie.scenarios import BUILTIN_SCENARIOS

__all__ = [
    "GPKG_NAME",
    "KNOWN_OUTPUTS",
    "OUTPUT_NAMES",
    "Analysis",
    "analyse",
    "chart_ids",
    "check_output",
    "chosen_scenario",
    "gpkg_layers",
    "hotspots_with_members",
    "page_codes",
    "region_inputs",
    "run_pipeline",
    "scenario_order",
    "sheet_ids",
    "write_gpkg",
    "write_outputs",
]

GPKG_NAME = "energieplanologie.gpkg"
#: What ``demo`` and ``run`` write into the output folder; each run replaces these as a whole.
OUTPUT_NAMES: tuple[str, ...] = ("validatie.json", "validatie.txt", "stationsbalans.csv", "flexbehoefte.csv",
                                 "stationsgrafieken",
                                 "dichtheid_mw_per_km2.tif", "dichtheid_mw_per_km2.qml", "kaart.html", "gemeenten",
                                 "pmiek", GPKG_NAME)
#: Everything any command writes into an output folder (the single steps and the comparisons too): a folder
#: holding none of these but other files is not an output folder, and is refused.
KNOWN_OUTPUTS: tuple[str, ...] = (*OUTPUT_NAMES, "stationsbalans.gpkg", "knooppunten.gpkg", "atlas.gpkg", "verschillen.html",
                                  "verschillen.csv", "invoerwijzigingen.csv",
                                  "voortgang.csv", "voortgang.xlsx", "voortgang.html", "gevolgen.csv")


@dataclass(frozen=True)
class Analysis:
    """Every result of the chain for one region and scenario, as :func:`analyse` returns it.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> result = analyse(ep.load_sample(), settings=ep.sample_settings())
    >>> result.balance["scenario"].unique().tolist()  # the chosen scenario first
    ['verwacht', 'vastgesteld', 'maximaal']
    >>> sorted(result.hotspots_final["name"])
    ['Knooppunt Hulst', 'Knooppunt Oostburg', 'Knooppunt Sluiskil']
    >>> result.assessment.table["project_id"].iloc[0]
    'P01'
    """

    region: Region
    scenario: str
    year: int
    allocation: gpd.GeoDataFrame
    balance: pd.DataFrame  # all scenarios; the chosen one first
    enablement: pd.DataFrame
    hotspots: gpd.GeoDataFrame  # every analysis year, with change
    members: pd.DataFrame  # with a year column
    hexagons: gpd.GeoDataFrame
    density: tuple[np.ndarray, Affine]
    assessment: Assessment
    variants: pd.DataFrame | None = None  # the [variants] comparison, when the configuration has variants
    flex_need: pd.DataFrame | None = None  # shortage windows per station × direction × scenario (flexbehoefte)
    settings: ProjectSettings = field(default_factory=ProjectSettings)  # what the analyses were given
    scenario_labels: dict[str, str] = field(default_factory=dict)  # scenario name → Dutch label (the balance's)

    @property
    def balance_chosen(self) -> pd.DataFrame:
        return self.balance[self.balance["scenario"] == self.scenario].reset_index(drop=True)

    @property
    def hotspots_final(self) -> gpd.GeoDataFrame:
        return self.hotspots[self.hotspots["year"] == self.year].reset_index(drop=True)


def chosen_scenario(settings: ProjectSettings, scenario: str | None = None) -> str:
    """The scenario to use: the one given, else ``[analysis] scenario``, else ``verwacht``."""
    return scenario or settings.scenario or "verwacht"


def hotspots_with_members(region: Region, *, years: Any = None, progress: ProgressCallback | None = None,
                          **kwargs: Any) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Knooppunten of every year (with ``change``) and their members (with a ``year`` column)."""
    return hotspots_and_members_through_time(region, years=years, progress=progress, **kwargs)


def scenario_order(settings: ProjectSettings, chosen: str) -> list[str]:
    """The chosen scenario first, then the built-in and configured ones."""
    user = list(settings.scenarios.keys())
    names = [chosen] + [s for s in [*BUILTIN_SCENARIOS, *user] if s != chosen]
    return list(dict.fromkeys(names))


def analyse(region: Region, *, settings: ProjectSettings | None = None, scenario: str | None = None,
            progress: ProgressCallback | None = None) -> Analysis:
    """Run every analysis of the chain once.

    Parameters
    ----------
    region : Region
        A validated region.
    settings : ProjectSettings, optional
        The project's settings (:func:`~energieplanologie.load_project`); each analysis gets its options from
        here as keyword arguments. Default: every analysis with its defaults.
    scenario : str, optional
        The scenario the maps, knooppunten and afweging use; default ``[analysis] scenario`` or ``verwacht``.
        The balance is computed for every built-in (and configured) scenario, the chosen one first.
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    Analysis
        Allocation, balance (every scenario), enablement, knooppunten through time with their members, Gi*
        hexagons, density raster and the afweging.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> result = analyse(ep.load_sample(), settings=ep.sample_settings())
    >>> result.scenario, result.year
    ('verwacht', 2040)
    >>> bool((result.balance_chosen["status"] == "red").any())
    True
    """
    return _analyse(region, settings=settings, scenario=scenario, progress=progress)


def _import_writers(pdf: bool) -> None:
    """Import the writers' libraries (matplotlib, folium and the maps; with ``pdf`` WeasyPrint when it works): ``run``
    needs them next, and while the Gi* process finishes this process has the time."""
    import matplotlib.pyplot  # noqa: F401

    import energieplanologie.overview  # noqa: F401  (folium, branca and the static and interactive maps)

    if pdf:
        try:
            import weasyprint  # noqa: F401
        except (ImportError, OSError):  # not installed or no Pango: the sheets say so themselves (pdf_renderer)
            pass


def _analyse(region: Region, *, settings: ProjectSettings | None = None, scenario: str | None = None,
             progress: ProgressCallback | None = None, before_gistar: Callable[[], None] | None = None) -> Analysis:
    settings = settings if settings is not None else ProjectSettings()
    chosen = chosen_scenario(settings, scenario)
    user = settings.user_scenarios()
    hotspot_cfg = settings.hotspot_options()
    density_cfg = settings.density_options()
    final_year = max(region.years)

    report(progress, 0.0, "toewijzing aan stations")
    allocation = allocate_region(region, **settings.allocation_options())
    report(progress, 0.1, "stationsbalans")
    balance_result = station_balance_result(region, scenario_order(settings, chosen), allocation=allocation,
                                            scenarios=user)
    balance = balance_result.table
    chosen_balance = balance[balance["scenario"] == chosen].reset_index(drop=True)
    enablement = project_enablement(region, chosen, allocation=allocation, scenarios=user)
    need = flex_need(balance, region)

    kwargs = {"scenario": chosen, "balance": chosen_balance, "allocation": allocation, "scenarios": user,
              **hotspot_cfg}
    gistar_cfg = {k: v for k, v in kwargs.items() if k != "method"}
    # The Gi* hexagons need none of what follows (and esda is a slow import): a second process computes them
    # meanwhile.
    with in_background(lambda: detect_hotspots(region, method="gistar", year=final_year, **gistar_cfg).hexagons
                       ) as gistar:
        report(progress, 0.25, "knooppunten door de tijd")
        hotspots, members = hotspots_with_members(region, progress=scaled(progress, 0.25, 0.5), **kwargs)

        report(progress, 0.5, "dichtheid")
        from energieplanologie.density import kde

        density = kde(region, scenario=chosen, year=final_year, scenarios=user, **density_cfg)

        report(progress, 0.6, "afwegingskader")
        final_hotspots = hotspots[hotspots["year"] == final_year].reset_index(drop=True)
        assessment = score_projects(region, scenario=chosen, year=final_year, balance=chosen_balance,
                                    enablement=enablement, hotspots=final_hotspots, scenarios=user,
                                    **settings.assessment_options())
        variants = None
        if settings.variants:
            from energieplanologie.variants import compare_variants

            report(progress, 0.8, "ontwikkelvarianten")
            variants = compare_variants(region, settings.variant_tables(), assessment=assessment, scenarios=user,
                                        allocation=allocation)
        report(progress, 0.95, "Gi*-hexagonen")
        if before_gistar is not None:
            before_gistar()
        hexagons = gistar.result()
    report(progress, 1.0, "analyses klaar")
    return Analysis(region, chosen, final_year, allocation, balance, enablement, hotspots, members, hexagons,
                    density, assessment, variants, need, settings, balance_result.scenario_labels)


def _write_text(path: Path, text: str) -> Path:
    with atomic_write(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return path


def _write_validation(region: Region, out_dir: Path) -> list[Path]:
    return [
        _write_text(out_dir / "validatie.json", json.dumps(region.validation_dict(), ensure_ascii=False, indent=2) + "\n"),
        _write_text(out_dir / "validatie.txt", region.validation_text() + "\n"),
    ]


def gpkg_layers(result: Analysis) -> dict[str, pd.DataFrame]:
    """The layers of ``energieplanologie.gpkg`` (Dutch layer names, DESIGN §9)."""
    region = result.region
    layers: Mapping[str, Any] = {
        LAYER_NAMES["municipalities"]: region.municipalities,
        LAYER_NAMES["stations"]: region.stations,
        LAYER_NAMES["balance"]: balance_layer(result.balance, region.stations),
        **({LAYER_NAMES["flex_need"]: balance_layer(result.flex_need, region.stations)}
           if result.flex_need is not None else {}),
        LAYER_NAMES["infrastructure"]: region.infrastructure,
        LAYER_NAMES["developments"]: region.developments,
        LAYER_NAMES["hotspots"]: result.hotspots,
        LAYER_NAMES["hotspot_members"]: result.members,
        LAYER_NAMES["gistar_hexagons"]: result.hexagons,
        LAYER_NAMES["station_capacity"]: region.station_capacity,
        LAYER_NAMES["assessment"]: result.assessment.table,
    }
    out = dict(layers)
    if len(region.constraints):
        out[LAYER_NAMES["constraints"]] = region.constraints
    return out


def write_gpkg(result: Analysis, path: str | Path, *, round: str | int | None = None) -> Path:
    """Write ``energieplanologie.gpkg`` with its provenance (round, input snapshots, software version) in the
    GeoPackage metadata; atomically, provenance included."""
    return run_plan(_gpkg_plan(result, Path(path), round=round), workers=1)[0]


def region_inputs(region: Region, settings: ProjectSettings | None = None) -> list[Path]:
    """The files a region was read from (its layers), and those its settings name (the afweging's framework and
    judgements)."""
    found = [Path(rep.source) for rep in region.reports.values() if rep.source and Path(rep.source).is_file()]
    return found + (settings.input_files() if settings is not None else [])


def check_output(out_dir: str | Path, inputs: Any = ()) -> None:
    """Refuse an output folder for :func:`write_outputs` before any work (see
    :func:`energieplanologie._outdir.check_output_folder`): a file, not writable, too little room, full of files
    that are not ours, or replacing one of ``inputs``."""
    check_output_folder(out_dir, owns=OUTPUT_NAMES, known=KNOWN_OUTPUTS, inputs=inputs)


def write_outputs(result: Analysis, out_dir: str | Path, *, pdf: bool = True, round: str | int | None = None,
                  progress: ProgressCallback | None = None, charts: str | Sequence[str] = "shortage",
                  pages: str | Sequence[str] = "auto", sheets: str | Sequence[str] = "auto") -> list[Path]:
    """Write the output folder of DESIGN §9 from an :class:`Analysis` (``round``: the programming round, for the
    provenance in the GeoPackage; ``charts``: which station charts, see :func:`chart_ids`; ``pages`` and
    ``sheets``: which municipality pages and project sheets, see :func:`page_codes` and :func:`sheet_ids`), all or
    nothing: into a staging folder beside ``out_dir``, swapped in at the end. Files in ``out_dir`` that a run does
    not write are kept."""
    ids = chart_ids(result, charts)
    codes, note = page_codes(result, pages)
    projects = sheet_ids(result, sheets)
    with staged_output(out_dir, owns=OUTPUT_NAMES) as folder:
        written = _write_set(result, folder, pdf=pdf, round=round, progress=progress, chart_stations=ids,
                             pages=codes, pages_note=note, sheets=projects)
    return final_paths(written, folder, out_dir)


def page_codes(result: Analysis, pages: str | Sequence[str] = "auto") -> tuple[list[str], str]:
    """The municipalities that get an overview page in the output folder, and how they were chosen (for the index):
    ``"auto"`` (default) every one up to :data:`~energieplanologie.output_choice.PAGE_LIMIT` (a province), beyond
    that none, on request (a notice names the choices); ``"shortage"`` the municipalities with the largest shortage
    in the chosen scenario (at most that many); ``"all"``, ``"none"``, or a list of codes
    (:func:`~energieplanologie.output_choice.municipality_page_codes`).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> result = analyse(ep.load_sample())
    >>> page_codes(result), page_codes(result, ["GM0715"])
    ((['GM0677', 'GM0715', 'GM1714'], ''), (['GM0715'], 'de gekozen gemeenten'))
    """
    from energieplanologie import output_choice

    which = pages if isinstance(pages, str) else list(pages)
    limit = output_choice.PAGE_LIMIT
    codes = output_choice.municipality_page_codes(result.region.municipalities, result.balance_chosen,
                                                  result.allocation, which, limit=limit)
    total = len(result.region.municipalities)
    if len(codes) == total:
        return codes, ""
    if which == "shortage":
        return codes, f"de {format_number(len(codes), 0)} met het grootste tekort (hoogstens {format_number(limit, 0)})"
    if which != "auto":
        return codes, "de gekozen gemeenten"
    logging.getLogger("energieplanologie").warning(
        "%s gemeenten, meer dan een provincie (%s): gemeentepagina's op verzoek; kies --gemeenten tekort (de %s "
        "met het grootste tekort), --gemeenten alle, of noem de gemeenten (--gemeenten GM0001,GM0002)",
        format_number(total, 0), format_number(limit, 0), format_number(limit, 0))
    return codes, f"bij meer dan {format_number(limit, 0)} gemeenten alleen op verzoek"


def sheet_ids(result: Analysis, sheets: str | Sequence[str] = "auto") -> list[str]:
    """The projects that get a project sheet in the output folder: ``"auto"`` (default) every one up to
    :data:`~energieplanologie.output_choice.SHEET_LIMIT` (a provincial pMIEK), beyond that none, on request (a
    notice names the choices); ``"top"`` that many ranked highest; ``"all"``, ``"none"``, or a list of project ids
    (:func:`~energieplanologie.output_choice.project_sheet_ids`).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> result = analyse(ep.load_sample())
    >>> sheet_ids(result)[:3], len(sheet_ids(result)), sheet_ids(result, "none")
    (['P01', 'P03', 'P05'], 11, [])
    """
    from energieplanologie import output_choice

    which = sheets if isinstance(sheets, str) else list(sheets)
    limit = output_choice.SHEET_LIMIT
    ids = output_choice.project_sheet_ids(result.assessment.table, which, limit=limit)
    total = len(result.assessment.table)
    if which == "auto" and len(ids) < total:
        logging.getLogger("energieplanologie").warning(
            "%s projecten, meer dan een provinciaal pMIEK (%s): projectfiches op verzoek; kies --fiches top (de %s "
            "hoogst gerangschikte), --fiches alle, of noem de projecten (--fiches ID,ID)", format_number(total, 0),
            format_number(limit, 0), format_number(limit, 0))
    return ids


def chart_ids(result: Analysis, charts: str | Sequence[str] = "shortage") -> list[str]:
    """The stations that get a chart in the output folder: ``"shortage"`` (default) those with a shortage in the
    chosen scenario, at most :data:`~energieplanologie.charts.SHORTAGE_CHART_LIMIT` (the largest; the rest is
    named in a notice), ``"all"``, ``"none"``, or a list of station ids.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> result = analyse(ep.load_sample())
    >>> chart_ids(result), chart_ids(result, ["HST"]), len(chart_ids(result, "all"))
    (['HST', 'SKL', 'TNZ', 'WDO'], ['HST'], 16)
    """
    from energieplanologie.charts import SHORTAGE_CHART_LIMIT, chart_stations

    which = charts if isinstance(charts, str) else list(charts)
    ids = chart_stations(result.balance, which, scenario=result.scenario,
                         limit=SHORTAGE_CHART_LIMIT if which == "shortage" else None)
    if which == "shortage" and len(ids) == SHORTAGE_CHART_LIMIT:
        total = len(chart_stations(result.balance, "shortage", scenario=result.scenario))
        if total > SHORTAGE_CHART_LIMIT:
            logging.getLogger("energieplanologie").warning(
                "stationsgrafieken voor de %s stations met het grootste tekort (van %s met een tekort); kies "
                "--grafieken alle of noem de stations (--grafieken ID,ID) voor meer",
                format_number(SHORTAGE_CHART_LIMIT, 0), format_number(total, 0))
    return ids


#: Progress messages of :func:`write_outputs` around the shared pool: the writers with pieces prepare, and after this
#: process wrote its own part the pool's GeoPackage, pages, sheets and charts are written as they come.
PREPARING = "stationsgrafieken, gemeenteoverzichten en projectfiches voorbereiden"
PIECES = "GeoPackage, gemeenteoverzichten, projectfiches en stationsgrafieken"


def _write_set(result: Analysis, out: Path, *, pdf: bool, round: str | int | None,
               progress: ProgressCallback | None, chart_stations: list[str], pages: list[str] | None = None,
               pages_note: str = "", sheets: list[str] | None = None) -> list[Path]:
    """Write every output of ``result`` into ``out``; the list of files in a fixed order.

    The writers with many independent pieces (station charts, municipality pages, project sheets) prepare here,
    then share one pool of worker processes (:func:`energieplanologie._workers.run_plans`) with the GeoPackage;
    while it works, this process writes the rest (balance CSVs, density raster, interactive map, project list).
    Every file is the same byte for byte as when one process writes them one after another.
    """
    from energieplanologie._workers import run_plans
    from energieplanologie.charts import station_charts_plan
    from energieplanologie.maps import publish, region_map
    from energieplanologie.overview import overviews_plan
    from energieplanologie.pmiek import project_facts, project_sheets_plan, write_project_tables
    from energieplanologie.raster_output import write_density

    region = result.region
    report(progress, 0.0, "validatierapport")
    first = _write_validation(region, out)
    report(progress, 0.05, PREPARING)
    facts = project_facts(result.assessment, region, allocation=result.allocation)  # the list's and the sheets'
    # The longest pieces first (the GeoPackage, a page, a sheet, a chart), so that the pool does not end on a long
    # one.
    plans = [
        _gpkg_plan(result, out / GPKG_NAME, round=round),
        overviews_plan(region, out / "gemeenten", balance=result.balance_chosen, allocation=result.allocation,
                       hotspots=result.hotspots_final, scenario=result.scenario,
                       scenarios=result.settings.user_scenarios(), tables_json=True,
                       progress=scaled(progress, 0.4, 0.65), pages=pages, pages_note=pages_note),
        project_sheets_plan(result.assessment, region, out / "pmiek", pdf=pdf, hotspots=result.hotspots_final,
                            allocation=result.allocation, progress=scaled(progress, 0.65, 0.95), project_ids=sheets,
                            facts=facts),
        station_charts_plan(result.balance, out / "stationsgrafieken", scenario=result.scenario,
                            station_ids=chart_stations, scenario_labels=result.scenario_labels),
    ]

    def meanwhile() -> dict[str, list[Path]]:
        # The writers without pieces, in this process while the pool draws.
        done: dict[str, list[Path]] = {}
        report(progress, 0.08, "stationsbalans.csv")
        done["balance"] = [write_csv(result.balance, out / "stationsbalans.csv")]
        if result.flex_need is not None:
            done["balance"].append(write_csv(result.flex_need, out / "flexbehoefte.csv"))
        report(progress, 0.1, "dichtheidskaart")
        tif = write_density(out / "dichtheid_mw_per_km2.tif", *result.density)
        done["density"] = [tif, tif.with_suffix(".qml")]  # the raster and its QGIS style
        report(progress, 0.15, "interactieve kaart")
        m = region_map(region, balance=result.balance_chosen, hotspots=result.hotspots, hexagons=result.hexagons,
                       density=result.density, scenario=result.scenario, municipality_links="gemeenten/{code}.html",
                       linked_municipalities=None if pages is None else pages)
        done["map"] = [publish(m, out / "kaart.html")]
        report(progress, 0.25, "projectenlijst")
        done["list"] = write_project_tables(result.assessment, region, out / "pmiek", allocation=result.allocation,
                                            facts=facts)
        done["variants"] = []
        if result.variants is not None:
            from energieplanologie.variant_charts import write_variants

            done["variants"] = write_variants(result.variants, out, title=f"Ontwikkelvarianten {region.name}")
        report(progress, 0.4, PIECES)
        return done

    (gpkg, overviews, sheets_written, charts), done = run_plans(plans, meanwhile=meanwhile)
    assert done is not None  # meanwhile was given
    report(progress, 1.0, "klaar")
    return (first + done["balance"] + charts + done["density"] + done["map"] + overviews + done["list"] + sheets_written
            + done["variants"] + gpkg)


def _gpkg_plan(result: Analysis, path: Path, *, round: str | int | None) -> Plan[list[Path]]:
    """:func:`write_gpkg` as a plan of two pieces: the layers, and the provenance (the checksum of every input
    layer: at 10⁶ developments a third of the work). With a pool, two workers do them side by side while this
    process writes the map and the lists (GDAL holds the interpreter while it writes, so a thread would not run
    beside it); then this process adds the provenance to the written file and moves it into place. Without a
    pool, the same here, one after the other."""
    with atomic_write(path) as tmp:

        def piece(which: str) -> dict[str, Any] | None:
            if which == "layers":
                write_layers(tmp, gpkg_layers(result))
                return None
            return provenance(result.region, round=round, base_dir=result.settings.base_dir)

        _, prov = yield Batch(piece, ["layers", "provenance"])
        add_gpkg_provenance(tmp, prov)
    return [path]


def run_pipeline(
    region: Region,
    out_dir: str | Path,
    *,
    settings: ProjectSettings | None = None,
    scenario: str | None = None,
    pdf: bool = True,
    round: str | int | None = None,
    progress: ProgressCallback | None = None,
    charts: str | Sequence[str] = "shortage",
    pages: str | Sequence[str] = "auto",
    sheets: str | Sequence[str] = "auto",
) -> list[Path]:
    """Run every analysis on ``region`` and write the output folder.

    Parameters
    ----------
    region : Region
        A validated region (:func:`~energieplanologie.load_sample` or :func:`~energieplanologie.load_region_config`).
    out_dir : path
        Output folder; created when missing. The previous run's set is replaced as a whole, at the end (other
        files in the folder are kept); a failed run leaves it as it was.
    settings : ProjectSettings, optional
        The project's settings (:func:`~energieplanologie.load_project`); default none (every analysis with its
        defaults).
    scenario : str, optional
        Scenario name; default the configured scenario (``[analysis] scenario``) or ``verwacht``.
    pdf : bool, default True
        Also write the project sheets as PDF.
    round : str or int, optional
        Programming round (e.g. ``2025``), recorded in the GeoPackage's provenance.
    progress : callable, optional
        ``progress(fraction, message)``.
    charts : {"shortage", "all", "none"} or list of str, default "shortage"
        Which stations get a chart in ``stationsgrafieken/`` (see :func:`chart_ids`).
    pages : {"auto", "all", "none"} or list of str, default "auto"
        Which municipalities get a page in ``gemeenten/`` (see :func:`page_codes`).
    sheets : {"auto", "all", "none"} or list of str, default "auto"
        Which projects get a sheet in ``pmiek/fiches/`` (see :func:`sheet_ids`).

    Returns
    -------
    list of Path
        The files written, in order.

    Raises
    ------
    OutputError
        Before any analysis: ``out_dir`` is a file, not writable, has too little free space, holds files that are
        not an output of energieplanologie, or one of its outputs would replace an input of ``region``. While
        writing: the disk is full. The folder is then as it was.

    Examples
    --------
    The command ``energieplanologie demo --out uitvoer`` does this (it writes some 60 files, PDFs included):

    >>> import energieplanologie as ep
    >>> written = run_pipeline(ep.load_sample(), "uitvoer", settings=ep.sample_settings(), pdf=False)  # doctest: +SKIP
    >>> sorted(p.name for p in written if p.parent.name == "uitvoer")[:3]  # doctest: +SKIP
    ['dichtheid_mw_per_km2.qml', 'dichtheid_mw_per_km2.tif', 'energieplanologie.gpkg']
    """
    check_output(out_dir, region_inputs(region, settings))
    if not isinstance(charts, str):  # a station that does not exist is said before any analysis
        from energieplanologie.charts import chart_stations

        chart_stations(pd.DataFrame({"station_id": region.stations["station_id"].astype(str)}), list(charts))
    if not isinstance(pages, str):  # so is a municipality that does not exist
        from energieplanologie.output_choice import municipality_page_codes

        municipality_page_codes(region.municipalities, pd.DataFrame(), pd.DataFrame(), list(pages))
    result = _analyse(region, settings=settings, scenario=scenario, progress=scaled(progress, 0.0, 0.3),
                      before_gistar=lambda: _import_writers(pdf))
    return write_outputs(result, out_dir, pdf=pdf, round=round, progress=scaled(progress, 0.3, 1.0), charts=charts,
                         pages=pages, sheets=sheets)
