"""The project configuration the plugin writes for the engine (DESIGN §9), and the user's text parameters.

An algorithm writes the chosen QGIS layers to one temporary GeoPackage and a project TOML that points at them
(one ``[layers.<kind>]`` table per layer with ``path``, ``layer``, the user's column ``mapping`` and, for a layer
without CRS, the ``crs`` the user stated), plus ``[analysis]`` and the analysis' own table (``[hotspots]``,
``[density]``). The engine reads that file exactly as it reads a configuration a user wrote by hand.

Standard library only (QGIS 3.22 on Windows ships Python 3.9, which has no ``tomllib``: the plugin only writes
TOML, it never needs to read it).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "KINDS",
    "LayerEntry",
    "mapping_toml",
    "parse_mapping",
    "parse_years",
    "project_toml",
    "toml_key",
    "toml_value",
]

#: The canonical layer kinds (``energieplanologie.KINDS``, same order) with their Dutch labels: the six of a region
#: and the status reports of the half-yearly check (*Voortgangstoets*).
KINDS: tuple[tuple[str, str], ...] = (
    ("municipalities", "Gemeenten"),
    ("stations", "Stations (onderstations)"),
    ("station_capacity", "Stationscapaciteit (tabel)"),
    ("infrastructure", "Infrastructuur (projecten)"),
    ("developments", "Ontwikkelingen"),
    ("constraints", "Beperkingen (ruimtelijk)"),
    ("status", "Projectstatus (voortgangsmeldingen, tabel)"),
)

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class LayerEntry:
    """One ``[layers.<kind>]`` table: where the engine finds a layer and how its columns map.

    Examples
    --------
    >>> LayerEntry("invoer.gpkg", "ontwikkelingen", {"name": "naam"}).table()
    {'path': 'invoer.gpkg', 'layer': 'ontwikkelingen', 'mapping': {'name': 'naam'}}
    """

    path: str
    layer: str | None = None
    mapping: Mapping[str, str] = field(default_factory=dict)
    crs: str | None = None

    def table(self) -> dict[str, Any]:
        """The TOML table as a dict (empty keys left out)."""
        out: dict[str, Any] = {"path": self.path}
        if self.layer:
            out["layer"] = self.layer
        if self.mapping:
            out["mapping"] = dict(self.mapping)
        if self.crs:
            out["crs"] = self.crs
        return out


def parse_mapping(text: str) -> dict[str, str]:
    """Parse a column mapping ``canonical=bron; canonical=bron`` (``;`` or new lines between pairs).

    Raises :class:`ValueError` with a Dutch message for a pair without ``=``, an empty side or a canonical
    column given twice.

    Examples
    --------
    >>> parse_mapping("name = naam; offtake_mw=vermogen afname (MW)")
    {'name': 'naam', 'offtake_mw': 'vermogen afname (MW)'}
    >>> parse_mapping("")
    {}
    """
    mapping: dict[str, str] = {}
    for raw in re.split(r"[;\n]", text or ""):
        item = raw.strip()
        if not item:
            continue
        if "=" not in item:
            raise ValueError(f"kolomkoppeling {item!r} heeft geen '=' (verwacht: canoniek=bronkolom)")
        canonical, source = (part.strip() for part in item.split("=", 1))
        if not canonical or not source:
            raise ValueError(f"kolomkoppeling {item!r} is onvolledig (verwacht: canoniek=bronkolom)")
        if canonical in mapping:
            raise ValueError(f"kolom {canonical!r} is twee keer gekoppeld ({mapping[canonical]!r} en {source!r})")
        mapping[canonical] = source
    return mapping


def parse_years(text: str) -> list[int]:
    """Parse analysis years ``"2025, 2030 2035;2040"`` into a sorted list without duplicates.

    Raises :class:`ValueError` (Dutch) for anything that is not a year between 2000 and 2100; an empty text gives
    an empty list (the engine's default years).

    Examples
    --------
    >>> parse_years("2030, 2025;2040 2030")
    [2025, 2030, 2040]
    >>> parse_years("")
    []
    """
    years: set[int] = set()
    for item in re.split(r"[\s,;]+", (text or "").strip()):
        if not item:
            continue
        if not re.fullmatch(r"\d{4}", item) or not 2000 <= int(item) <= 2100:
            raise ValueError(f"{item!r} is geen jaartal tussen 2000 en 2100 (verwacht bijvoorbeeld: 2025, 2030, 2040)")
        years.add(int(item))
    return sorted(years)


def toml_key(name: str) -> str:
    """A TOML key: bare when it can be, else quoted.

    Examples
    --------
    >>> toml_key("offtake_mw"), toml_key("vermogen (MW)")
    ('offtake_mw', '"vermogen (MW)"')
    """
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def toml_value(value: Any) -> str:
    """One TOML value: text, whole or decimal number, boolean, list or (inline) table.

    Examples
    --------
    >>> toml_value('pad "met" aanhalingstekens\\\\')
    '"pad \\\\"met\\\\" aanhalingstekens\\\\\\\\"'
    >>> toml_value([2025, 2030]), toml_value(3000.0), toml_value(True)
    ('[2025, 2030]', '3000.0', 'true')
    >>> toml_value({"name": "naam", "vermogen (MW)": "mw"})
    '{ name = "naam", "vermogen (MW)" = "mw" }'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} kan niet in een projectconfiguratie (alleen eindige getallen)")
        return repr(value)
    if isinstance(value, str):
        # JSON string escapes (\" \\ \n \uXXXX) are valid TOML basic-string escapes.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"geen TOML-waarde: {value!r}")


def project_toml(
    name: str,
    layers: Mapping[str, LayerEntry],
    sections: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    comment: str = "Geschreven door de QGIS-plugin Energieplanologie.",
) -> str:
    """The text of a project configuration (DESIGN §9).

    Parameters
    ----------
    name : str
        ``[region] name``.
    layers : mapping of kind to LayerEntry
        One ``[layers.<kind>]`` table per layer; written in the order of :data:`KINDS`.
    sections : mapping, optional
        Further tables, e.g. ``{"analysis": {"scenario": "verwacht", "years": [2025, 2030]}}``; empty tables and
        None values are left out.
    comment : str
        A comment line at the top.

    Examples
    --------
    >>> print(project_toml("Regio", {"stations": LayerEntry("/tmp/in.gpkg", "stations")},
    ...                    {"analysis": {"scenario": "verwacht", "years": [2030]}, "hotspots": {"eps_m": None}}))
    # Geschreven door de QGIS-plugin Energieplanologie.
    [region]
    name = "Regio"
    <BLANKLINE>
    [layers.stations]
    path = "/tmp/in.gpkg"
    layer = "stations"
    <BLANKLINE>
    [analysis]
    scenario = "verwacht"
    years = [2030]
    <BLANKLINE>
    """
    order = [k for k, _ in KINDS] + sorted(set(layers) - {k for k, _ in KINDS})
    lines = [f"# {comment}", "[region]", f"name = {toml_value(name)}", ""]
    for kind in order:
        if kind not in layers:
            continue
        lines.append(f"[layers.{toml_key(kind)}]")
        lines += [f"{toml_key(k)} = {toml_value(v)}" for k, v in layers[kind].table().items()]
        lines.append("")
    for section, table in (sections or {}).items():
        items = [(k, v) for k, v in table.items() if v is not None]
        if not items:
            continue
        lines.append(f"[{toml_key(section)}]")
        lines += [f"{toml_key(str(k))} = {toml_value(v)}" for k, v in items]
        lines.append("")
    return "\n".join(lines)


def mapping_toml(mapping: dict[str, str]) -> str:
    """The mapping as the engine's TOML (``[mapping]`` with ``canonical = "source"`` lines).

    Examples
    --------
    >>> print(mapping_toml({"name": "naam", "offtake_mw": 'vermogen "MW"'}))
    [mapping]
    name = "naam"
    offtake_mw = "vermogen \\"MW\\""
    <BLANKLINE>
    """
    return "[mapping]\n" + "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in mapping.items())
