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
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from energieplanologie._errors import ConfigError, ReadError, os_reason
from energieplanologie._limits import MAX_NESTING, nesting_exceeds
from energieplanologie.region import DEFAULT_YEARS, LAYER_ORDER, Region
from energieplanologie.report import ValidationReport

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["LayerConfig", "ProjectConfig", "load_config", "load_region_config", "read_toml"]

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
        return self.path.startswith(("postgresql://", "postgres://", "PG:", "service="))


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
    cfg_path = Path(path).resolve() if path is not None else None
    raw = dict(data) if data is not None else read_toml(cfg_path)  # type: ignore[arg-type]
    base = cfg_path.parent if cfg_path else Path.cwd()
    unknown = sorted(set(raw) - KNOWN_SECTIONS)
    if unknown:
        raise ConfigError(f"{unknown[0]}: onbekende sectie (bekend: {', '.join(sorted(KNOWN_SECTIONS))})", key=unknown[0])
    region = _expect(raw.get("region", {}), dict, "region", "een tabel")
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
            resolved = (base / src).resolve() if not Path(src).is_absolute() else Path(src)
            if not resolved.exists():
                raise ConfigError(f"{key}.path: bestand niet gevonden: {resolved}", key=f"{key}.path")
            lc = LayerConfig(kind, str(resolved), lc.layer, lc.mapping, str(lc.crs) if lc.crs is not None else None, lc.table,
                             lc.owner)
        layers[kind] = lc
    missing = [k for k in REQUIRED_LAYERS if k not in layers]
    if missing:
        raise ConfigError(f"layers.{missing[0]}: verplichte laag ontbreekt", key=f"layers.{missing[0]}")

    analysis = _expect(raw.get("analysis", {}), dict, "analysis", "een tabel")
    _known_keys(analysis, "analysis", {"scenario", "years"})
    scenario = _expect(analysis.get("scenario", "verwacht"), str, "analysis.scenario", "tekst")
    years_raw = _expect(analysis.get("years", list(DEFAULT_YEARS)), list, "analysis.years", "een lijst jaren")
    if not years_raw or not all(isinstance(y, int) and 2000 <= y <= 2100 for y in years_raw):
        raise ConfigError("analysis.years: verwacht een niet-lege lijst jaren tussen 2000 en 2100", key="analysis.years")
    _check_scenario(scenario, raw.get("scenarios"))
    for section, check in _SECTION_CHECKS.items():
        if section in raw:
            check(_expect(raw[section], dict, section, "een tabel"), base)
    sections = {k: v for k, v in raw.items() if k not in {"region", "layers"}}
    return ProjectConfig(cfg_path, name, layers, scenario, tuple(sorted(set(years_raw))), sections)


# ------------------------------------------------------------------ checks of the analysis sections
# Every key is checked when the file is read, so a typo fails at once with its key, not deep in an analysis.

HOTSPOT_KEYS = {"method", "eps_m", "min_mw", "min_members", "include_infrastructure", "hex_size_m", "permutations",
                "fdr_alpha", "seed", "buffer_m", "level_rules", "infrastructure_weight_mw"}
DENSITY_KEYS = {"cell_m", "bandwidth_m", "direction"}
ALLOCATION_KEYS = {"max_mw_per_level", "split", "min_split_share"}
ASSESSMENT_KEYS = {"framework", "user_scores", "overrides", "top_k", "n_perturbations", "weight_noise", "seed"}


def _known_keys(table: Mapping[str, Any], section: str, known: set[str]) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f"; bedoelde u {close[0]!r}?" if close else ""
        raise ConfigError(f"{section}.{unknown[0]}: onbekende sleutel (bekend: {', '.join(sorted(known))}){hint}",
                          key=f"{section}.{unknown[0]}")


def _number(table: Mapping[str, Any], section: str, key: str, *, minimum: float | None = None,
            maximum: float | None = None, integer: bool = False) -> None:
    if key not in table:
        return
    value = table[key]
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type or (minimum is not None and value < minimum) or \
            (maximum is not None and value > maximum):
        what = "een geheel getal" if integer else "een getal"
        bounds = "".join([f" ≥ {minimum:g}" if minimum is not None else "", f" ≤ {maximum:g}" if maximum is not None else ""])
        raise ConfigError(f"{section}.{key}: verwacht {what}{bounds}, gevonden {value!r}", key=f"{section}.{key}")


def _choice(table: Mapping[str, Any], section: str, key: str, allowed: tuple[str, ...]) -> None:
    if key in table and table[key] not in allowed:
        raise ConfigError(f"{section}.{key}: {table[key]!r} is onbekend (kies uit {', '.join(allowed)})",
                          key=f"{section}.{key}")


def _existing_file(table: Mapping[str, Any], section: str, key: str, base: Path, *, allow: tuple[str, ...] = ()) -> None:
    value = table.get(key)
    if not isinstance(value, str) or value in allow:
        return
    path = Path(value) if Path(value).is_absolute() else base / value
    if not path.is_file():
        raise ConfigError(f"{section}.{key}: bestand niet gevonden: {path}", key=f"{section}.{key}")


def _check_hotspots(table: Mapping[str, Any], base: Path) -> None:
    from energieplanologie.hotspots import METHODS

    _known_keys(table, "hotspots", HOTSPOT_KEYS)
    _choice(table, "hotspots", "method", METHODS)
    for key in ("eps_m", "hex_size_m", "buffer_m"):
        _number(table, "hotspots", key, minimum=0)
    for key in ("min_mw", "infrastructure_weight_mw"):
        _number(table, "hotspots", key, minimum=0)
    _number(table, "hotspots", "fdr_alpha", minimum=0, maximum=1)
    for key in ("min_members", "permutations", "seed"):
        _number(table, "hotspots", key, minimum=0, integer=True)


def _check_density(table: Mapping[str, Any], base: Path) -> None:
    from energieplanologie.density import DIRECTIONS

    _known_keys(table, "density", DENSITY_KEYS)
    _number(table, "density", "cell_m", minimum=1)
    _number(table, "density", "bandwidth_m", minimum=1)
    _choice(table, "density", "direction", DIRECTIONS)


def _check_allocation(table: Mapping[str, Any], base: Path) -> None:
    _known_keys(table, "allocation", ALLOCATION_KEYS)
    if "split" in table and not isinstance(table["split"], bool):
        raise ConfigError(f"allocation.split: verwacht true of false, gevonden {table['split']!r}", key="allocation.split")
    _number(table, "allocation", "min_split_share", minimum=0, maximum=1)
    levels = table.get("max_mw_per_level")
    if levels is not None:
        _expect(levels, dict, "allocation.max_mw_per_level", "een tabel netvlak = MW")
        for level, _ in levels.items():
            _number(levels, "allocation.max_mw_per_level", level, minimum=0)


def _check_assessment(table: Mapping[str, Any], base: Path) -> None:
    _known_keys(table, "assessment", ASSESSMENT_KEYS)
    _existing_file(table, "assessment", "framework", base, allow=("default",))
    for key in ("user_scores", "overrides"):
        _existing_file(table, "assessment", key, base)
    _number(table, "assessment", "top_k", minimum=1, integer=True)
    _number(table, "assessment", "n_perturbations", minimum=1, integer=True)
    _number(table, "assessment", "weight_noise", minimum=0)
    _number(table, "assessment", "seed", minimum=0, integer=True)


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
