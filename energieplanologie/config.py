"""The project configuration (DESIGN §9): a TOML file naming the layers and the analysis settings.

Paths are relative to the configuration file. Every mistake raises :class:`~energieplanologie.ConfigError` whose
message starts with the offending key (``layers.developments.path: …``) so a user can find it in the file.

Example configuration::

    [region]
    name = "Zeeuws-Vlaanderen"
    [layers.municipalities]
    path = "gemeenten.geojson"
    mapping = { municipality_code = "statcode", name = "statnaam" }
    [layers.stations]
    path = "stations.gpkg"
    layer = "stations"
    [layers.station_capacity]
    path = "capaciteit.csv"
    [layers.developments]
    path = "ontwikkelingen.gpkg"
    [analysis]
    scenario = "verwacht"
    years = [2025, 2030, 2035, 2040]
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import pandas as pd

from energieplanologie._errors import ConfigError, ReadError
from energieplanologie._secrets import is_connection_string
from energieplanologie._toml import read_toml
from energieplanologie.options import (
    ALLOCATION_KEYS,
    ANALYSIS_KEYS,
    ASSESSMENT_KEYS,
    BOOLEANS,
    CHOICES,
    DENSITY_KEYS,
    HOTSPOT_KEYS,
    NUMBERS,
    OTHERS,
    OUTPUT_KEYS,
    REGION_KEYS,
    SEED_MAX,
    Number,
    check_number,
    check_settings,
    shown,
)
from energieplanologie.options import check_keys as _known_keys
from energieplanologie.region import DEFAULT_YEARS, LAYER_ORDER, Region
from energieplanologie.report import ValidationReport
from energieplanologie.schema import ABSURD_MW

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover
    pass

__all__ = [
    "ALLOCATION_KEYS",
    "ASSESSMENT_KEYS",
    "BOOLEANS",
    "DENSITY_KEYS",
    "HOTSPOT_KEYS",
    "OUTPUT_KEYS",
    "SEED_MAX",
    "CHOICES",
    "NUMBERS",
    "OTHERS",
    "LayerConfig",
    "Number",
    "ProjectConfig",
    "check_number",
    "check_settings",
    "load_config",
    "Project",
    "load_project",
    "load_region_config",
    "ProjectSettings",
    "read_toml",
    "shown",
]

REQUIRED_LAYERS = ("municipalities", "stations", "station_capacity", "developments")
#: Layers a project names that are no part of the region: the status reports of the progress check
#: (``energieplanologie monitor`` reads ``[layers.status]`` when ``--status`` is not given).
PROJECT_LAYERS = ("status",)
KNOWN_SECTIONS = {"region", "layers", "analysis", "allocation", "hotspots", "assessment", "scenarios", "variants", "density",
                  "output", "user_scores", "overrides"}
LAYER_KEYS = {"path", "layer", "mapping", "crs", "table", "owner"}


@dataclass(frozen=True)
class LayerConfig:
    """Where one layer comes from."""

    kind: str
    path: str  # resolved file path, or a database URL / service name
    layer: str | None = None
    mapping: Mapping[str, str] | None = None
    crs: str | None = None
    table: str | None = None
    owner: str | None = None  # who delivered the layer (data owner), for rounds

    @property
    def is_database(self) -> bool:
        return is_connection_string(self.path)


def _frozen(value: Any) -> Any:
    """A read-only deep copy of TOML data: tables as read-only mappings, arrays as tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _thawed(value: Any) -> Any:
    """Plain dicts and lists again (what the analyses' keyword arguments take)."""
    if isinstance(value, Mapping):
        return {k: _thawed(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thawed(v) for v in value]
    return value


_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class ProjectSettings:
    """The analysis settings of a project configuration (DESIGN §9), checked when the file was read; read-only.

    A :class:`~energieplanologie.Region` holds data only: these settings travel beside it, and the pipeline hands
    each analysis its options as keyword arguments (:meth:`hotspot_options`, :meth:`assessment_options` …).
    ``ProjectSettings()`` is a project without settings: every analysis with its defaults.

    Attributes
    ----------
    scenario : str
        ``[analysis] scenario``, default ``"verwacht"``.
    years : tuple of int
        ``[analysis] years``.
    scenarios : mapping
        The user's scenarios, ``[scenarios.NAAM]`` (passed to the analyses as ``scenarios=``).
    allocation, hotspots, density, output : mapping
        The sections of the same name (keys checked in :mod:`energieplanologie.options`).
    assessment : mapping
        ``[assessment]``, with ``[[user_scores]]``/``[[overrides]]`` of the top level folded in.
    variants : mapping
        ``[variants.NAAM]`` tables.
    base_dir : Path or None
        The configuration's folder: relative file names in the settings resolve against it.

    Examples
    --------
    >>> from energieplanologie.sample import SAMPLE_CONFIG
    >>> settings = load_config(SAMPLE_CONFIG).settings
    >>> settings.scenario, dict(settings.hotspot_options())
    ('verwacht', {'method': 'dbscan', 'eps_m': 3000, 'min_mw': 20})
    >>> settings.assessment_options()["user_scores"].name
    'beoordelingen.csv'
    """

    scenario: str = "verwacht"
    years: tuple[int, ...] = DEFAULT_YEARS
    scenarios: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    allocation: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    hotspots: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    density: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    assessment: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    variants: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    output: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    base_dir: Path | None = None

    @classmethod
    def from_sections(cls, sections: Mapping[str, Any], *, scenario: str = "verwacht",
                      years: tuple[int, ...] = DEFAULT_YEARS, base_dir: Path | None = None) -> ProjectSettings:
        """From the checked sections of a configuration (as :func:`load_config` does)."""
        assessment = dict(sections.get("assessment") or {})
        for key in ("user_scores", "overrides"):  # top-level [[user_scores]] / [[overrides]] tables
            if key not in assessment and sections.get(key) is not None:
                assessment[key] = sections[key]
        return cls(scenario=scenario, years=tuple(years), base_dir=base_dir, assessment=_frozen(assessment),
                   **{name: _frozen(sections.get(name) or {}) for name in
                      ("scenarios", "allocation", "hotspots", "density", "variants", "output")})

    def user_scenarios(self) -> dict[str, Any] | None:
        """The user's scenario tables (``scenarios=`` of the analyses), or None without any."""
        return _thawed(self.scenarios) or None

    def allocation_options(self) -> dict[str, Any]:
        """``[allocation]`` as keyword arguments of :func:`energieplanologie.allocation.allocate`."""
        return _thawed(self.allocation)

    def hotspot_options(self) -> dict[str, Any]:
        """``[hotspots]`` as keyword arguments of :func:`energieplanologie.hotspots.detect_hotspots`."""
        return _thawed(self.hotspots)

    def density_options(self) -> dict[str, Any]:
        """``[density]`` as keyword arguments of :func:`energieplanologie.density.kde`."""
        return _thawed(self.density)

    def assessment_options(self) -> dict[str, Any]:
        """``[assessment]`` as keyword arguments of :func:`energieplanologie.assessment.score_projects`: file names
        resolved against :attr:`base_dir`, ``[[user_scores]]``/``[[overrides]]`` tables as frames."""
        out: dict[str, Any] = {}
        for key, value in _thawed(self.assessment).items():
            if key in ("framework", "user_scores", "overrides") and isinstance(value, str) \
                    and not (key == "framework" and value == "default"):
                path = Path(value)
                out[key] = path if path.is_absolute() or self.base_dir is None else self.base_dir / path
            elif key in ("user_scores", "overrides") and isinstance(value, list):
                out[key] = pd.DataFrame(value)
            else:
                out[key] = value
        return out

    def variant_tables(self) -> dict[str, Any] | None:
        """``[variants.NAAM]`` tables (``variants=`` of :func:`energieplanologie.variants.compare_variants`), or
        None without any."""
        return _thawed(self.variants) or None

    def input_files(self) -> list[Path]:
        """The files the settings name (the afweging's framework and judgements) that exist."""
        base = self.base_dir if self.base_dir is not None else Path.cwd()
        found = []
        for key in ("framework", "user_scores", "overrides"):
            value = self.assessment.get(key)
            if isinstance(value, str) and value != "default" and (base / value).is_file():
                found.append(base / value)
        return found


@dataclass(frozen=True)
class ProjectConfig:
    """A parsed project configuration."""

    path: Path | None
    name: str
    layers: Mapping[str, LayerConfig]
    scenario: str = "verwacht"
    years: tuple[int, ...] = DEFAULT_YEARS
    sections: Mapping[str, Any] = field(default_factory=dict)

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def settings(self) -> ProjectSettings:
        """The analysis settings (:class:`ProjectSettings`)."""
        return ProjectSettings.from_sections(self.sections, scenario=self.scenario, years=self.years,
                                             base_dir=self.base_dir)

    @property
    def input_paths(self) -> list[Path]:
        """Every file the configuration reads: itself, its layer files (not database sources), and the afweging's
        framework, judgements and overrides. An output must never replace one of these."""
        paths = [self.path] if self.path is not None else []
        paths += [Path(lc.path) for lc in self.layers.values() if not lc.is_database]
        assessment = self.sections.get("assessment") or {}
        for key in ("framework", "user_scores", "overrides"):
            value = assessment.get(key)
            if isinstance(value, str) and value != "default":
                paths.append(Path(value) if Path(value).is_absolute() else self.base_dir / value)
        return paths


def _expect(value: Any, types: type | tuple[type, ...], key: str, what: str) -> Any:
    if not isinstance(value, types):
        raise ConfigError(f"{key}: verwacht {what}, gevonden {type(value).__name__} ({value!r})", key=key)
    return value


def _crs(value: Any, key: str) -> Any:
    _expect(value, (str, int, type(None)), key, "tekst zoals 'EPSG:28992'")
    if value is not None:
        from pyproj import CRS
        from pyproj.exceptions import CRSError

        try:
            CRS.from_user_input(value)
        except CRSError:
            raise ConfigError(f"{key}: onbekend coördinatenstelsel {value!r} (bijvoorbeeld 'EPSG:28992' of "
                              "'EPSG:4326')", key=key) from None
    return value


def load_config(path: str | os.PathLike[str] | None = None, *, data: Mapping[str, Any] | None = None) -> ProjectConfig:
    """Parse and check a project configuration (file, or an already parsed mapping with ``data``).

    Parameters
    ----------
    path : path, optional
        The configuration file (TOML). Relative layer paths resolve against its folder.
    data : mapping, optional
        An already parsed configuration instead of a file; relative paths then resolve against the working
        directory.

    Returns
    -------
    ProjectConfig
        The layers (with resolved paths), name, scenario, years and the remaining sections.

    Raises
    ------
    ConfigError
        A mistake in the configuration; the message starts with the key (``layers.stations.path: …``).

    Examples
    --------
    >>> from energieplanologie.sample import SAMPLE_CONFIG
    >>> cfg = load_config(SAMPLE_CONFIG)
    >>> cfg.name, sorted(cfg.layers)[:2]
    ('Zeeuws-Vlaanderen', ['constraints', 'developments'])
    """
    # Absolute, but symbolic links kept: a layer that is a link into git-annex or a DVC cache keeps the name
    # (and extension) the user gave it, exactly as `validate` sees it.
    cfg_path = Path(os.path.abspath(path)) if path is not None else None
    raw = dict(data) if data is not None else read_toml(cfg_path)  # type: ignore[arg-type]
    base = cfg_path.parent if cfg_path else Path.cwd()
    unknown = sorted(set(raw) - KNOWN_SECTIONS)
    if unknown:
        raise ConfigError(f"{unknown[0]}: onbekende sectie (bekend: {', '.join(sorted(KNOWN_SECTIONS))})", key=unknown[0])
    region = _expect(raw.get("region", {}), dict, "region", "een tabel")
    _known_keys(region, "region", REGION_KEYS)
    name = _expect(region.get("name", cfg_path.stem if cfg_path else "regio"), str, "region.name", "tekst")

    layers_raw = _expect(raw.get("layers"), dict, "layers", "een tabel [layers.*]") if "layers" in raw else None
    if layers_raw is None:
        raise ConfigError("layers: sectie ontbreekt; noem minstens " + ", ".join(f"[layers.{k}]" for k in REQUIRED_LAYERS),
                          key="layers")
    layers: dict[str, LayerConfig] = {}
    for kind, entry in layers_raw.items():
        key = f"layers.{kind}"
        if kind not in LAYER_ORDER + PROJECT_LAYERS:
            raise ConfigError(f"{key}: onbekende laagsoort (bekend: {', '.join(LAYER_ORDER + PROJECT_LAYERS)})",
                              key=key)
        _expect(entry, dict, key, "een tabel")
        extra = sorted(set(entry) - LAYER_KEYS)
        if extra:
            raise ConfigError(f"{key}.{extra[0]}: onbekende sleutel (bekend: {', '.join(sorted(LAYER_KEYS))})",
                              key=f"{key}.{extra[0]}")
        if "path" not in entry:
            raise ConfigError(f"{key}.path: ontbreekt", key=f"{key}.path")
        src = _expect(entry["path"], str, f"{key}.path", "tekst (een pad of database-URL)")
        mapping = entry.get("mapping")
        if mapping is not None:
            _expect(mapping, dict, f"{key}.mapping", "een tabel canoniek = bronkolom")
            for canon, col in mapping.items():
                _expect(col, str, f"{key}.mapping.{canon}", "tekst (een bronkolom)")
        lc = LayerConfig(
            kind=kind,
            path=src,
            layer=_expect(entry.get("layer"), (str, type(None)), f"{key}.layer", "tekst"),
            mapping=mapping,
            crs=_crs(entry.get("crs"), f"{key}.crs"),
            table=_expect(entry.get("table"), (str, type(None)), f"{key}.table", "tekst schema.tabel"),
            owner=_expect(entry.get("owner"), (str, type(None)), f"{key}.owner", "tekst (de data-eigenaar)"),
        )
        if not lc.is_database:
            resolved = Path(os.path.abspath(base / src))
            if not resolved.exists():
                raise ConfigError(f"{key}.path: bestand niet gevonden: {resolved}", key=f"{key}.path")
            lc = LayerConfig(kind, str(resolved), lc.layer, lc.mapping, str(lc.crs) if lc.crs is not None else None, lc.table,
                             lc.owner)
        layers[kind] = lc
    missing = [k for k in REQUIRED_LAYERS if k not in layers]
    if missing:
        raise ConfigError(f"layers.{missing[0]}: verplichte laag ontbreekt", key=f"layers.{missing[0]}")

    analysis = _expect(raw.get("analysis", {}), dict, "analysis", "een tabel")
    _known_keys(analysis, "analysis", ANALYSIS_KEYS)
    scenario = _expect(analysis.get("scenario", "verwacht"), str, "analysis.scenario", "tekst")
    years_raw = _expect(analysis.get("years", list(DEFAULT_YEARS)), list, "analysis.years", "een lijst jaren")
    if not years_raw or not all(isinstance(y, int) and 2000 <= y <= 2100 for y in years_raw):
        raise ConfigError("analysis.years: verwacht een niet-lege lijst jaren tussen 2000 en 2100", key="analysis.years")
    _check_scenario(scenario, raw.get("scenarios"))
    for key in ("user_scores", "overrides"):  # top-level [[user_scores]] / [[overrides]]
        if key in raw:
            _judgements(raw[key], key)
    for section, check in _SECTION_CHECKS.items():
        if section in raw:
            check(_expect(raw[section], dict, section, "een tabel"), base)
    if "variants" in raw:  # used by run (varianten.csv/.png): checked here, with the scenarios they name
        from energieplanologie.variants import load_variants

        for variant in load_variants({"variants": _expect(raw["variants"], dict, "variants",
                                                          "tabellen [variants.NAAM]")}).values():
            try:
                _check_scenario(variant.scenario, raw.get("scenarios"))
            except ConfigError:
                raise ConfigError(f"variants.{variant.name}.scenario: onbekend scenario {variant.scenario!r}",
                                  key=f"variants.{variant.name}.scenario") from None
    sections = {k: v for k, v in raw.items() if k not in {"region", "layers"}}
    return ProjectConfig(cfg_path, name, layers, scenario, tuple(sorted(set(years_raw))), sections)


# ------------------------------------------------------------------ checks of the analysis sections
# Every key is checked when the file is read, so a typo fails at once with its key, not deep in an analysis.

def _existing_file(table: Mapping[str, Any], section: str, key: str, base: Path, *, allow: tuple[str, ...] = ()) -> None:
    value = table.get(key)
    if not isinstance(value, str) or value in allow:
        return
    path = Path(value) if Path(value).is_absolute() else base / value
    if not path.is_file():
        raise ConfigError(f"{section}.{key}: bestand niet gevonden: {path}", key=f"{section}.{key}")


def _check_hotspots(table: Mapping[str, Any], base: Path) -> None:
    from energieplanologie.hotspots import load_level_rules

    check_settings("hotspots", table)
    if "level_rules" in table:
        _expect(table["level_rules"], dict, "hotspots.level_rules", "een tabel per niveau (national, provincial)")
        load_level_rules(table["level_rules"])


def _check_density(table: Mapping[str, Any], base: Path) -> None:
    check_settings("density", table)


def _check_allocation(table: Mapping[str, Any], base: Path) -> None:
    from energieplanologie.schema import LEVELS

    check_settings("allocation", table)
    levels = table.get("max_mw_per_level")
    if levels is not None:
        _expect(levels, dict, "allocation.max_mw_per_level", "een tabel netvlak = MW")
        for level, value in levels.items():
            key = f"max_mw_per_level.{level}"
            if level not in LEVELS:
                raise ConfigError(f"allocation.{key}: onbekend netvlak (kies uit {', '.join(LEVELS)})",
                                  key=f"allocation.{key}")
            check_number("allocation", key, value, Number(0, ABSURD_MW))


def _check_assessment(table: Mapping[str, Any], base: Path) -> None:
    check_settings("assessment", table)
    framework = table.get("framework")
    if framework is not None:
        _expect(framework, str, "assessment.framework", "\"default\" of een pad naar een afwegingskader (TOML)")
    _existing_file(table, "assessment", "framework", base, allow=("default",))
    if isinstance(framework, str) and framework != "default":
        from energieplanologie.assessment import load_framework

        path = Path(framework) if Path(framework).is_absolute() else base / framework
        try:
            load_framework(path)
        except ConfigError as exc:
            inner = f"{exc.key}: " if exc.key and not str(exc).startswith(exc.key) else ""
            raise ConfigError(f"assessment.framework: {path.name}: {inner}{exc}", key="assessment.framework") from None
    for key in ("user_scores", "overrides"):
        if key in table:
            _judgements(table[key], f"assessment.{key}")
        _existing_file(table, "assessment", key, base)


def _judgements(value: Any, key: str) -> None:
    """``user_scores``/``overrides``: a file name or a list of tables (``[[user_scores]]``)."""
    if isinstance(value, str):
        return
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{key}: verwacht een bestandsnaam of een lijst tabellen ([[{key.split('.')[-1]}]]), "
                          f"gevonden {shown(value)}", key=key)


def _check_output(table: Mapping[str, Any], base: Path) -> None:
    check_settings("output", table)


def _check_scenario(name: str, tables: Any) -> None:
    from energieplanologie.scenarios import get_scenario

    try:
        get_scenario(name, extra=tables)
    except ConfigError as exc:
        key = exc.key if exc.key and exc.key.startswith("scenarios.") else "analysis.scenario"
        message = str(exc)
        raise ConfigError(message if message.startswith(key) else f"{key}: {message}", key=key) from None


_SECTION_CHECKS = {
    "hotspots": _check_hotspots,
    "density": _check_density,
    "allocation": _check_allocation,
    "assessment": _check_assessment,
    "output": _check_output,
}


def load_region_config(path: str | os.PathLike[str], *, progress: Any = None) -> Region:
    """Read every layer of a configuration and build the validated :class:`Region`.

    Parameters
    ----------
    path : path
        The project configuration (TOML); relative layer paths resolve against its folder.
    progress : callable, optional
        ``progress(fraction, message)``, called once per layer.

    Raises
    ------
    ConfigError
        A mistake in the configuration, named by its key (``layers.stations.path: …``).

    Examples
    --------
    >>> from energieplanologie.sample import SAMPLE_CONFIG
    >>> region = load_region_config(SAMPLE_CONFIG)
    >>> region.name, len(region.stations)
    ('Zeeuws-Vlaanderen', 16)
    """
    return load_project(path, progress=progress).region


class Project(NamedTuple):
    """A project read from its configuration: the validated region, its analysis settings, and the parsed file."""

    region: Region
    settings: ProjectSettings
    config: ProjectConfig


def load_project(path: str | os.PathLike[str], *, progress: Any = None) -> Project:
    """Read a project configuration: every layer into the validated :class:`Region`, and its
    :class:`ProjectSettings` (which the pipeline hands to the analyses).

    Parameters
    ----------
    path : path
        The project configuration (TOML); relative layer paths resolve against its folder.
    progress : callable, optional
        ``progress(fraction, message)``, called once per layer.

    Raises
    ------
    ConfigError
        A mistake in the configuration, named by its key (``layers.stations.path: …``).

    Examples
    --------
    >>> from energieplanologie.sample import SAMPLE_CONFIG
    >>> region, settings, _ = load_project(SAMPLE_CONFIG)
    >>> region.name, settings.scenario, settings.hotspot_options()["eps_m"]
    ('Zeeuws-Vlaanderen', 'verwacht', 3000)
    """
    cfg = load_config(path)
    return Project(_read_layers(cfg, progress), cfg.settings, cfg)


def read_configured_layer(lc: LayerConfig, **extra: Any) -> tuple[Any, Any]:
    """Read the layer ``[layers.<kind>]`` names; a reader's complaint about an option is a :class:`ConfigError`
    named by the key in the file (``layers.status.mapping: …``)."""
    kwargs: dict[str, Any] = {"layer": lc.layer, "mapping": lc.mapping, "crs": lc.crs, **extra}
    if lc.table is not None:
        kwargs["table"] = lc.table
    from energieplanologie.io import read_layer

    kind = lc.kind
    try:
        return read_layer(lc.path, kind, **kwargs)
    except ConfigError as exc:
        key = exc.key or ""
        if not key.startswith("layers."):  # the reader says which option was wrong; its message is not read
            key = f"layers.{kind}.mapping" if exc.option == "mapping" or key == "mapping" else f"layers.{kind}"
        raise ConfigError(f"{key}: {exc}", key=key) from exc
    except ReadError as exc:
        # A missing layer, worksheet or member is the `layer` key's fault (as is a missing table named by
        # `layer`); anything else the file's.
        names_layer = lc.layer is not None and (exc.option == "layer" or (exc.option == "table" and lc.table is None))
        key = f"layers.{kind}.layer" if names_layer else f"layers.{kind}.path"
        raise ConfigError(f"{key}: {exc}", key=key) from exc


def _read_layers(cfg: ProjectConfig, progress: Any) -> Region:
    from energieplanologie.progress import report

    frames: dict[str, Any] = {}
    reports: dict[str, ValidationReport] = {}
    order = [k for k in LAYER_ORDER if k in cfg.layers]
    for i, kind in enumerate(order):
        lc = cfg.layers[kind]
        report(progress, i / len(order), f"laag {kind} lezen")
        extra: dict[str, Any] = {}
        if kind in ("station_capacity", "infrastructure") and "stations" in frames:
            extra["stations"] = frames["stations"]
        data, rep = read_configured_layer(lc, **extra)
        frames[kind] = data
        reports[kind] = rep
    report(progress, 1.0, "lagen gelezen")
    return Region.from_layers(
        name=cfg.name,
        years=cfg.years,
        reports=reports,
        validated=True,
        **frames,
    )
