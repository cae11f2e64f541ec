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

import difflib
import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from energieplanologie._errors import ConfigError, ReadError, os_reason
from energieplanologie._limits import MAX_NESTING, nesting_exceeds
from energieplanologie._secrets import is_connection_string
from energieplanologie.region import DEFAULT_YEARS, LAYER_ORDER, Region
from energieplanologie.report import ValidationReport
from energieplanologie.schema import ABSURD_MW

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "BOOLEANS",
    "CHOICES",
    "NUMBERS",
    "OTHERS",
    "LayerConfig",
    "Number",
    "ProjectConfig",
    "check_number",
    "check_settings",
    "load_config",
    "load_region_config",
    "read_toml",
    "shown",
]

REQUIRED_LAYERS = ("municipalities", "stations", "station_capacity", "developments")
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


def read_toml(path: Path, *, what: str = "configuratie") -> dict[str, Any]:
    """Read a TOML file, turning every failure into a :class:`ConfigError` that names the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{what} niet gevonden: {path}", key=None)
    too_deep = ConfigError(f"{path}: te diep genest (meer dan {MAX_NESTING} niveaus)")
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: geen geldige TOML ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: geen UTF-8-tekst ({exc})") from exc
    except RecursionError:
        raise too_deep from None
    except OSError as exc:
        raise ConfigError(f"{path}: {what} niet te lezen ({os_reason(exc)})") from exc
    if nesting_exceeds(data):
        raise too_deep
    return data


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


def load_config(path: str | Path | None = None, *, data: Mapping[str, Any] | None = None) -> ProjectConfig:
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
        if kind not in LAYER_ORDER:
            raise ConfigError(f"{key}: onbekende laagsoort (bekend: {', '.join(LAYER_ORDER)})", key=key)
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

@dataclass(frozen=True)
class Number:
    """The bounds of a numeric setting (inclusive unless ``above``/``below``), and whether it must be whole."""

    minimum: float
    maximum: float
    integer: bool = False
    above: bool = False  # strictly above the minimum
    below: bool = False  # strictly below the maximum

    def describe(self) -> str:
        what = "een geheel getal" if self.integer else "een getal"
        low = f"> {_bound(self.minimum)}" if self.above else f"≥ {_bound(self.minimum)}"
        high = f"< {_bound(self.maximum)}" if self.below else f"≤ {_bound(self.maximum)}"
        return f"{what} {low} en {high}"

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.integer and not isinstance(value, int):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        low_ok = value > self.minimum if self.above else value >= self.minimum
        high_ok = value < self.maximum if self.below else value <= self.maximum
        return low_ok and high_ok


#: The largest seed: the Gi* permutations (esda, numpy's legacy generator) take seeds below 2³².
SEED_MAX = 2**32 - 1

#: Every numeric setting of the analysis sections, with its bounds. The bounds keep each analysis within what a
#: province or the whole country needs (and within memory): eps_m up to 50 km, hexagons from 100 m, at most 9,999
#: Gi* permutations (ArcGIS's largest choice), at most 100,000 weight perturbations, MW up to the schema's 100,000.
NUMBERS: dict[str, dict[str, Number]] = {
    "hotspots": {
        "eps_m": Number(0, 50_000, above=True),
        "min_mw": Number(0, ABSURD_MW),
        "min_members": Number(1, 1_000_000, integer=True),
        "hex_size_m": Number(100, 50_000),
        "permutations": Number(0, 9_999, integer=True),
        "fdr_alpha": Number(0, 1, above=True, below=True),
        "seed": Number(0, SEED_MAX, integer=True),
        "buffer_m": Number(0, 10_000),
        "infrastructure_weight_mw": Number(0, ABSURD_MW),
    },
    "density": {
        "cell_m": Number(1, 10_000),
        "bandwidth_m": Number(1, 100_000),
    },
    "allocation": {
        "min_split_share": Number(0, 1),
    },
    "assessment": {
        "top_k": Number(1, 10_000, integer=True),
        "n_perturbations": Number(1, 100_000, integer=True),
        "weight_noise": Number(0, 5),
        "seed": Number(0, SEED_MAX, integer=True),
    },
}
#: Settings that are true or false.
BOOLEANS: dict[str, set[str]] = {"hotspots": {"include_infrastructure"}, "allocation": {"split"}}
#: Settings that name one of a few choices (filled from the analysis modules when checked).
CHOICES: dict[str, set[str]] = {"hotspots": {"method", "alternative"}, "density": {"direction"}}
#: Settings that are tables or files checked by the module that uses them.
OTHERS: dict[str, set[str]] = {
    "hotspots": {"level_rules"},
    "allocation": {"max_mw_per_level"},
    "assessment": {"framework", "user_scores", "overrides"},
    "output": set(),
}


def _keys(section: str) -> set[str]:
    return (set(NUMBERS.get(section, {})) | BOOLEANS.get(section, set()) | CHOICES.get(section, set())
            | OTHERS.get(section, set()))


#: The keys of each analysis section: every one is checked here and used by its analysis (``[output]`` has none
#: yet, so any key in it is refused).
HOTSPOT_KEYS = _keys("hotspots")
DENSITY_KEYS = _keys("density")
ALLOCATION_KEYS = _keys("allocation")
ASSESSMENT_KEYS = _keys("assessment")
OUTPUT_KEYS = _keys("output")
REGION_KEYS = {"name"}
ANALYSIS_KEYS = {"scenario", "years"}


def _bound(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def shown(value: Any) -> str:
    """A value as a message shows it: short (a 300-digit number as 1e+300, long text cut), with its kind.

    Examples
    --------
    >>> shown(10**300), shown("1"), shown(float("nan")), shown(2.5)
    ('1e+300', "tekst '1'", 'nan', '2.5')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) < 10**15:
            return str(value)
        return f"{float(value):.3g}" if abs(value) < 10**308 else f"een getal van {len(str(abs(value)))} cijfers"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return f"tekst {value[:40]!r}" + ("…" if len(value) > 40 else "")
    if isinstance(value, (list, dict)):
        return f"een {'lijst' if isinstance(value, list) else 'tabel'}"
    return type(value).__name__


def _known_keys(table: Mapping[str, Any], section: str, known: set[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f"; bedoelde u {close[0]!r}?" if close else ""
        listed = f"bekend: {', '.join(sorted(known))}" if known else "deze sectie heeft (nog) geen sleutels"
        raise ConfigError(f"{section}.{unknown[0]}: onbekende sleutel ({listed}){hint}",
                          key=f"{section}.{unknown[0]}")


def check_number(section: str, key: str, value: Any, rule: Number | None = None) -> None:
    """Raise :class:`ConfigError` naming ``section.key`` unless ``value`` is within the setting's bounds.

    Examples
    --------
    >>> try:
    ...     check_number("hotspots", "eps_m", float("nan"))
    ... except ConfigError as exc:
    ...     print(exc)
    hotspots.eps_m: verwacht een getal > 0 en ≤ 50000, gevonden nan
    """
    rule = rule or NUMBERS[section][key]
    if not rule.accepts(value):
        raise ConfigError(f"{section}.{key}: verwacht {rule.describe()}, gevonden {shown(value)}",
                          key=f"{section}.{key}")


def check_settings(section: str, table: Mapping[str, Any]) -> None:
    """Check the keys, kinds and bounds of one analysis section (also for values given on the command line).

    Examples
    --------
    >>> check_settings("hotspots", {"method": "dbscan", "eps_m": 3000, "min_mw": 20})
    """
    _known_keys(table, section, _keys(section))
    for key, value in table.items():
        if key in NUMBERS.get(section, {}):
            check_number(section, key, value)
        elif key in BOOLEANS.get(section, set()) and not isinstance(value, bool):
            raise ConfigError(f"{section}.{key}: verwacht true of false, gevonden {shown(value)}",
                              key=f"{section}.{key}")
        elif key in CHOICES.get(section, set()):
            allowed = _choices(section, key)
            if not isinstance(value, str) or value not in allowed:
                raise ConfigError(f"{section}.{key}: {shown(value)} is onbekend (kies uit {', '.join(allowed)})",
                                  key=f"{section}.{key}")


def _choices(section: str, key: str) -> tuple[str, ...]:
    if (section, key) == ("hotspots", "method"):
        from energieplanologie.hotspots import METHODS

        return METHODS
    if (section, key) == ("hotspots", "alternative"):
        from energieplanologie.hotspots import ALTERNATIVES

        return ALTERNATIVES
    from energieplanologie.density import DIRECTIONS

    return DIRECTIONS


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


def load_region_config(path: str | Path, *, progress: Any = None) -> Region:
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
    >>> region.name, sorted(region.settings)[:3]
    ('Zeeuws-Vlaanderen', ['analysis', 'assessment', 'hotspots'])
    """
    from energieplanologie.io import read_layer
    from energieplanologie.progress import report

    cfg = load_config(path)
    frames: dict[str, Any] = {}
    reports: dict[str, ValidationReport] = {}
    order = [k for k in LAYER_ORDER if k in cfg.layers]
    for i, kind in enumerate(order):
        lc = cfg.layers[kind]
        report(progress, i / len(order), f"laag {kind} lezen")
        kwargs: dict[str, Any] = {"layer": lc.layer, "mapping": lc.mapping, "crs": lc.crs}
        if lc.table is not None:
            kwargs["table"] = lc.table
        if kind in ("station_capacity", "infrastructure") and "stations" in frames:
            kwargs["stations"] = frames["stations"]
        try:
            data, rep = read_layer(lc.path, kind, **kwargs)
        except ConfigError as exc:
            key = exc.key or ""
            if not key.startswith("layers."):
                key = f"layers.{kind}.mapping" if "mapping" in str(exc).lower() or key == "mapping" else f"layers.{kind}"
            raise ConfigError(f"{key}: {exc}", key=key) from exc
        except ReadError as exc:
            # A missing layer, worksheet or member is the `layer` key's fault; anything else the file's.
            names_layer = lc.layer is not None and (repr(lc.layer) in str(exc) or f"'{lc.layer}'" in str(exc)
                                                    or f'"{lc.layer}"' in str(exc) or f" {lc.layer} " in f" {exc} ")
            key = f"layers.{kind}.layer" if names_layer else f"layers.{kind}.path"
            raise ConfigError(f"{key}: {exc}", key=key) from exc
        frames[kind] = data
        reports[kind] = rep
    report(progress, 1.0, "lagen gelezen")
    settings = dict(cfg.sections)
    settings.setdefault("analysis", {})
    settings["analysis"] = {**settings["analysis"], "scenario": cfg.scenario}
    return Region.from_layers(
        name=cfg.name,
        years=cfg.years,
        settings=settings,
        reports=reports,
        validated=True,
        base_dir=cfg.base_dir,
        **frames,
    )
