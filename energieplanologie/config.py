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

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from energieplanologie._errors import ConfigError, ReadError
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
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: geen geldige TOML ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: geen UTF-8-tekst ({exc})") from exc


def _expect(value: Any, types: type | tuple[type, ...], key: str, what: str) -> Any:
    if not isinstance(value, types):
        raise ConfigError(f"{key}: verwacht {what}, gevonden {type(value).__name__} ({value!r})", key=key)
    return value


def load_config(path: str | Path | None = None, *, data: Mapping[str, Any] | None = None) -> ProjectConfig:
    """Parse and check a project configuration (file, or an already parsed mapping with ``data``).

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
            crs=_expect(entry.get("crs"), (str, int, type(None)), f"{key}.crs", "tekst zoals 'EPSG:28992'"),
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
    scenario = _expect(analysis.get("scenario", "verwacht"), str, "analysis.scenario", "tekst")
    years_raw = _expect(analysis.get("years", list(DEFAULT_YEARS)), list, "analysis.years", "een lijst jaren")
    if not years_raw or not all(isinstance(y, int) and 2000 <= y <= 2100 for y in years_raw):
        raise ConfigError("analysis.years: verwacht een niet-lege lijst jaren tussen 2000 en 2100", key="analysis.years")
    sections = {k: v for k, v in raw.items() if k not in {"region", "layers"}}
    return ProjectConfig(cfg_path, name, layers, scenario, tuple(sorted(set(years_raw))), sections)


def load_region_config(path: str | Path, *, progress: Any = None) -> Region:
    """Read every layer of a configuration and build the validated :class:`Region`."""
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
            key = f"layers.{kind}.layer" if lc.layer and "laag" in str(exc) else f"layers.{kind}.path"
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
