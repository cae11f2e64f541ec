"""The canonical layers (DESIGN §4) as data, and :func:`validate`.

Every layer kind is a :class:`LayerSpec`: its columns (name, logical type, required, allowed values, range,
default), its geometry types and its key. :func:`validate` checks a frame against the spec and returns the clean
frame with a :class:`~energieplanologie.report.ValidationReport`; rows that cannot be kept are listed there,
never dropped silently (*rows in = rows kept + rows rejected*).

Reading is forgiving, validation is strict: values that only differ in case or surrounding spaces, Dutch enum
words (``vergund``, ``woningbouw``), numbers written as text (``'2030'``, ``'12,5'``) and invalid polygons are
repaired and the repair is reported; anything else that is wrong rejects the row with a message naming it.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from energieplanologie._errors import ValidationError
from energieplanologie.report import ValidationReport

__all__ = [
    "CERTAINTIES",
    "CRS_RD",
    "FLEX_TYPES",
    "KINDS",
    "LEVELS",
    "PROJECT_STATUSES",
    "SCHEMAS",
    "SECTORS",
    "ColumnSpec",
    "LayerSpec",
    "empty_clean",
    "level_from_voltage",
    "normalise_enum",
    "parse_numbers",
    "row_id_map",
    "validate",
]

#: The project's working CRS: Amersfoort / RD New.
CRS_RD = "EPSG:28992"

#: Generous bounds of the Netherlands (with its territorial sea) in RD New metres: xmin, ymin, xmax, ymax.
#: Coordinates outside them are an error; they almost always mean a wrong CRS.
NL_BOUNDS_RD = (-30_000.0, 280_000.0, 320_000.0, 650_000.0)

#: Generous lon/lat box of the Netherlands (with its territorial sea), degrees: lon_min, lat_min, lon_max, lat_max.
NL_BOUNDS_LONLAT = (2.5, 50.5, 7.5, 54.0)

#: Anything at or above this many MW for one object is treated as a unit mistake (kW or W given as MW).
ABSURD_MW = 100_000.0

YEAR_MIN, YEAR_MAX = 2000, 2100

SECTORS = (
    "renewables",
    "built_environment",
    "housing",
    "mobility",
    "industry",
    "agriculture",
    "data_centre",
    "business_park",
    "other",
)
PROGRAMMES = ("RES", "TVW", "RAL", "RMP", "CES", "woonagenda", "other")
CARRIERS = ("electricity", "hydrogen", "heat", "methane")
CERTAINTIES = ("committed", "planned", "intended", "speculative")
LEVELS = ("EHS", "HS", "TS", "MS")
INFRA_TYPES = (
    "station_new",
    "station_expansion",
    "cable_ehv",
    "cable_hv",
    "cable_mv",
    "h2_pipeline",
    "heat_network",
    "gas_pipeline",
    "battery",
    "electrolyser",
    "heat_storage",
    "e_boiler",
    "gas_to_power",
    "other",
)
#: Infrastructure types that are flex assets (storage and conversion; see :mod:`energieplanologie.flex`).
FLEX_TYPES = ("battery", "heat_storage", "electrolyser", "e_boiler", "gas_to_power")
#: Yes/no values (``firm``): canonical ``"true"``/``"false"``, Dutch ``ja``/``nee`` accepted.
BOOLEANS = ("true", "false")
INFRA_STATUSES = ("existing", "investment_plan", "proposed", "narrative")
FUNDING = ("secured", "partial", "none", "unknown")
RAG = ("red", "amber", "yellow", "green", "transparent")
#: Where a project stands at a reference date (layer kind ``status``, step 5 *borgen en uitvoeren*).
PROJECT_STATUSES = ("idea", "preparation", "permit", "tender", "under_construction", "ready", "delayed", "cancelled")

#: Dutch (and common English) words accepted for enum values, mapped to the canonical value.
#: Matching is case- and whitespace-insensitive; a word that is only *close* to one of these is an error
#: with a suggestion, never a silent guess.
ENUM_SYNONYMS: dict[str, dict[str, str]] = {
    "sector": {
        "opwek": "renewables",
        "res": "renewables",
        "hernieuwbare opwek": "renewables",
        "duurzame opwek": "renewables",
        "wind": "renewables",
        "zon": "renewables",
        "gebouwde omgeving": "built_environment",
        "gebouwde_omgeving": "built_environment",
        "warmte": "built_environment",
        "tvw": "built_environment",
        "woningbouw": "housing",
        "mobiliteit": "mobility",
        "laadinfra": "mobility",
        "industrie": "industry",
        "landbouw": "agriculture",
        "glastuinbouw": "agriculture",
        "datacenter": "data_centre",
        "datacentrum": "data_centre",
        "data_center": "data_centre",
        "bedrijventerrein": "business_park",
        "overig": "other",
        "anders": "other",
    },
    "programme": {
        "woondeal": "woonagenda",
        "overig": "other",
        "anders": "other",
    },
    "carrier": {
        "elektriciteit": "electricity",
        "stroom": "electricity",
        "waterstof": "hydrogen",
        "h2": "hydrogen",
        "warmte": "heat",
        "methaan": "methane",
        "aardgas": "methane",
        "gas": "methane",
        "groen gas": "methane",
    },
    "certainty": {
        "vergund": "committed",
        "in aanbouw": "committed",
        "gerealiseerd": "committed",
        "zeker": "committed",
        "vastgesteld": "planned",
        "gepland": "planned",
        "voornemen": "intended",
        "intentie": "intended",
        "idee": "speculative",
        "speculatief": "speculative",
    },
    "level": {"ehv": "EHS", "hv": "HS", "mv": "MS"},
    "infra_type": {
        "nieuw station": "station_new",
        "nieuw onderstation": "station_new",
        "stationsuitbreiding": "station_expansion",
        "uitbreiding station": "station_expansion",
        "netverzwaring": "station_expansion",
        "waterstofleiding": "h2_pipeline",
        "warmtenet": "heat_network",
        "gasleiding": "gas_pipeline",
        "batterij": "battery",
        "elektrolyser": "electrolyser",
        "warmteopslag": "heat_storage",
        "e-boiler": "e_boiler",
        "eboiler": "e_boiler",
        "elektrische boiler": "e_boiler",
        "gascentrale": "gas_to_power",
        "waterstofcentrale": "gas_to_power",
        "gas naar stroom": "gas_to_power",
        "overig": "other",
    },
    "firm": {"ja": "true", "nee": "false", "waar": "true", "onwaar": "false", "vast": "true",
             "niet vast": "false", "yes": "true", "no": "false", "1": "true", "0": "false"},
    "status": {
        "bestaand": "existing",
        "investeringsplan": "investment_plan",
        "ip": "investment_plan",
        "voorgesteld": "proposed",
        "voorstel": "proposed",
        "verhaal": "narrative",
        "narratief": "narrative",
    },
    "funding": {
        "geborgd": "secured",
        "gedekt": "secured",
        "deels": "partial",
        "gedeeltelijk": "partial",
        "geen": "none",
        "onbekend": "unknown",
    },
    "project_status": {
        "permitting": "permit",
        "permit procedure": "permit",
        "procurement": "tender",
        "tendering": "tender",
        "construction": "under_construction",
        "in uitvoering": "under_construction",
        "completed": "ready",
        "done": "ready",
        "opgeleverd": "ready",
        "gerealiseerd": "ready",
        "postponed": "delayed",
        "uitgesteld": "delayed",
        "canceled": "cancelled",
        "vervallen": "cancelled",
        "ingetrokken": "cancelled",
    },
    "offtake_constraint": {"rood": "red", "oranje": "amber", "geel": "yellow", "groen": "green", "transparant": "transparent"},
    "feedin_constraint": {"rood": "red", "oranje": "amber", "geel": "yellow", "groen": "green", "transparant": "transparent"},
}

#: The Dutch word for each enum value: what the exports write (``labels.to_dutch``), what the error message lists and
#: suggests to a user who writes Dutch. Every word is also accepted by the reader (:data:`ENUM_SYNONYMS`), so an
#: export reads back unchanged.
DUTCH_VALUES: dict[str, dict[str, str]] = {
    "sector": {"renewables": "opwek", "built_environment": "gebouwde_omgeving", "housing": "woningbouw",
               "mobility": "mobiliteit", "industry": "industrie", "agriculture": "landbouw",
               "data_centre": "datacenter", "business_park": "bedrijventerrein", "other": "overig"},
    "programme": {"other": "overig"},
    "carrier": {"electricity": "elektriciteit", "hydrogen": "waterstof", "heat": "warmte", "methane": "methaan"},
    "certainty": {"committed": "vergund", "planned": "vastgesteld", "intended": "voornemen", "speculative": "idee"},
    "infra_type": {"station_new": "nieuw_station", "station_expansion": "stationsuitbreiding", "cable_ehv": "kabel_ehs",
                   "cable_hv": "kabel_hs", "cable_mv": "kabel_ms", "h2_pipeline": "waterstofleiding",
                   "heat_network": "warmtenet", "gas_pipeline": "gasleiding", "battery": "batterij",
                   "electrolyser": "elektrolyser", "heat_storage": "warmteopslag", "e_boiler": "e_boiler",
                   "gas_to_power": "gas_naar_stroom", "other": "overig"},
    "firm": {"true": "ja", "false": "nee"},
    "status": {"existing": "bestaand", "investment_plan": "investeringsplan", "proposed": "voorgesteld",
               "narrative": "narratief"},
    "funding": {"secured": "geborgd", "partial": "deels", "none": "geen", "unknown": "onbekend"},
    "project_status": {"idea": "idee", "preparation": "voorbereiding", "permit": "vergunning", "tender": "aanbesteding",
                       "under_construction": "in_aanbouw", "ready": "gereed", "delayed": "vertraagd",
                       "cancelled": "geschrapt"},
    "offtake_constraint": {"red": "rood", "amber": "oranje", "yellow": "geel", "green": "groen",
                           "transparent": "transparant"},
    "feedin_constraint": {"red": "rood", "amber": "oranje", "yellow": "geel", "green": "groen",
                          "transparent": "transparant"},
}
for _column, _words in DUTCH_VALUES.items():  # each Dutch word reads back as its value
    for _value, _word in _words.items():
        ENUM_SYNONYMS.setdefault(_column, {}).setdefault(_word.replace("_", " "), _value)

LogicalType = Literal["str", "int", "float", "enum"]


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column.

    Parameters
    ----------
    name : str
        Canonical (English) column name.
    type : {"str", "int", "float", "enum"}
        Logical type; ``int`` columns become nullable ``Int64``.
    required : bool
        The column must be present and every row must have a value.
    label_nl : str
        Dutch label for exported headers and reports.
    values : tuple of str, optional
        Allowed values of an ``enum`` column.
    minimum, maximum : float, optional
        Inclusive range of a numeric column.
    default : Any, optional
        Value used when an optional column is absent or empty (reported as a repair when filled).
    """

    name: str
    type: LogicalType
    required: bool = False
    label_nl: str = ""
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None


@dataclass(frozen=True)
class LayerSpec:
    """A canonical layer: its columns, geometry types and key columns."""

    kind: str
    label_nl: str
    columns: tuple[ColumnSpec, ...]
    geometry_types: tuple[str, ...] | None  # None: a plain table without geometry
    key: tuple[str, ...] = ()
    one_of: tuple[str, ...] = field(default=())  # at least one of these columns must be present

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def has_geometry(self) -> bool:
        return self.geometry_types is not None


class _Bounds(TypedDict):
    minimum: float
    maximum: float


_MW: _Bounds = {"minimum": 0.0, "maximum": ABSURD_MW}
_ANY_GEOMETRY = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
_AREA = ("Polygon", "MultiPolygon")

SCHEMAS: dict[str, LayerSpec] = {
    "municipalities": LayerSpec(
        "municipalities",
        "gemeenten",
        (
            ColumnSpec("municipality_code", "str", True, "gemeentecode"),
            ColumnSpec("name", "str", True, "naam"),
            ColumnSpec("province", "str", False, "provincie"),
        ),
        _AREA,
        key=("municipality_code",),
    ),
    "stations": LayerSpec(
        "stations",
        "stations",
        (
            ColumnSpec("station_id", "str", True, "station_id"),
            ColumnSpec("name", "str", True, "naam"),
            ColumnSpec("operator", "str", False, "netbeheerder"),
            ColumnSpec("voltage_kv", "str", False, "spanning_kv"),
            ColumnSpec("level", "enum", False, "netvlak", LEVELS),
            ColumnSpec("carrier", "enum", False, "energiedrager", CARRIERS, default="electricity"),
            ColumnSpec("short_code", "str", False, "capaciteitskaart_code"),
        ),
        ("Point",),
        key=("station_id",),
    ),
    "station_capacity": LayerSpec(
        "station_capacity",
        "stationscapaciteit",
        (
            ColumnSpec("station_id", "str", True, "station_id"),
            ColumnSpec("year", "int", True, "jaar", minimum=YEAR_MIN, maximum=YEAR_MAX),
            ColumnSpec("offtake_capacity_mw", "float", False, "capaciteit_afname_mw", **_MW),
            ColumnSpec("feedin_capacity_mw", "float", False, "capaciteit_invoeding_mw", **_MW),
            ColumnSpec("offtake_load_mw", "float", False, "basislast_afname_mw", default=0.0, **_MW),
            ColumnSpec("feedin_load_mw", "float", False, "basislast_invoeding_mw", default=0.0, **_MW),
            ColumnSpec("queue_offtake_mw", "float", False, "wachtrij_afname_mw", **_MW),
            ColumnSpec("queue_feedin_mw", "float", False, "wachtrij_invoeding_mw", **_MW),
            ColumnSpec("queue_offtake_requests", "int", False, "wachtrij_afname_aantal", minimum=0),
            ColumnSpec("queue_feedin_requests", "int", False, "wachtrij_invoeding_aantal", minimum=0),
            ColumnSpec("offtake_constraint", "enum", False, "congestie_afname", RAG),
            ColumnSpec("feedin_constraint", "enum", False, "congestie_invoeding", RAG),
        ),
        None,
        key=("station_id", "year"),
        one_of=("offtake_capacity_mw", "feedin_capacity_mw"),
    ),
    "infrastructure": LayerSpec(
        "infrastructure",
        "infrastructuur",
        (
            ColumnSpec("project_id", "str", True, "project_id"),
            ColumnSpec("name", "str", True, "naam"),
            ColumnSpec("infra_type", "enum", True, "type_infra", INFRA_TYPES),
            ColumnSpec("carrier", "enum", False, "energiedrager", CARRIERS, default="electricity"),
            ColumnSpec("operator", "str", False, "netbeheerder"),
            ColumnSpec("status", "enum", False, "status", INFRA_STATUSES, default="investment_plan"),
            ColumnSpec("year_ready", "int", False, "jaar_gereed", minimum=YEAR_MIN, maximum=YEAR_MAX),
            ColumnSpec("station_id", "str", False, "station_id"),
            ColumnSpec("offtake_capacity_added_mw", "float", False, "extra_capaciteit_afname_mw", default=0.0, **_MW),
            ColumnSpec("feedin_capacity_added_mw", "float", False, "extra_capaciteit_invoeding_mw", default=0.0, **_MW),
            ColumnSpec("cost_meur", "float", False, "kosten_meur", minimum=0.0, maximum=1_000_000.0),
            ColumnSpec("funding", "enum", False, "financiering", FUNDING, default="unknown"),
            ColumnSpec("parties", "str", False, "betrokken_partijen"),
            ColumnSpec("description", "str", False, "omschrijving"),
            # Flex assets (energieplanologie.flex): no defaults here, so layers without them read as before.
            ColumnSpec("power_mw", "float", False, "vermogen_mw", **_MW),
            ColumnSpec("energy_mwh", "float", False, "energie_mwh", minimum=0.0, maximum=ABSURD_MW * 100),
            ColumnSpec("firm", "enum", False, "vast", BOOLEANS),
            ColumnSpec("efficiency", "float", False, "rendement", minimum=0.0, maximum=1.0),
        ),
        _ANY_GEOMETRY,
        key=("project_id",),
    ),
    "developments": LayerSpec(
        "developments",
        "ontwikkelingen",
        (
            ColumnSpec("development_id", "str", True, "ontwikkeling_id"),
            ColumnSpec("name", "str", True, "naam"),
            ColumnSpec("sector", "enum", True, "sector", SECTORS),
            ColumnSpec("programme", "enum", False, "programma", PROGRAMMES, default="other"),
            ColumnSpec("carrier", "enum", False, "energiedrager", CARRIERS, default="electricity"),
            ColumnSpec("offtake_mw", "float", False, "afname_mw", default=0.0, **_MW),
            ColumnSpec("feedin_mw", "float", False, "invoeding_mw", default=0.0, **_MW),
            ColumnSpec("year", "int", True, "jaar", minimum=YEAR_MIN, maximum=YEAR_MAX),
            ColumnSpec("certainty", "enum", True, "zekerheid", CERTAINTIES),
            ColumnSpec("station_id", "str", False, "station_id"),
            ColumnSpec("municipality_code", "str", False, "gemeentecode"),
            # Non-firm agreements and cable pooling (energieplanologie.flex); no defaults, see there.
            ColumnSpec("non_firm_share", "float", False, "aandeel_niet_vast", minimum=0.0, maximum=1.0),
            ColumnSpec("pool_id", "str", False, "kabelpool_id"),
            ColumnSpec("pool_connection_mw", "float", False, "kabelpool_aansluiting_mw", **_MW),
        ),
        _ANY_GEOMETRY,
        key=("development_id",),
        one_of=("offtake_mw", "feedin_mw"),
    ),
    "constraints": LayerSpec(
        "constraints",
        "beperkingen",
        (
            ColumnSpec("kind", "str", True, "soort"),
            ColumnSpec("name", "str", False, "naam"),
        ),
        _AREA,
    ),
    # One row per project and reference date (peildatum): the half-yearly progress check (step 5, borgen). The
    # canonical status column is ``project_status`` because ``status`` is already an infrastructure enum with its
    # own words; the Dutch header (and the English ``status``) both read into it.
    "status": LayerSpec(
        "status",
        "projectstatus",
        (
            ColumnSpec("project_id", "str", True, "projectcode"),
            ColumnSpec("reference_date", "str", True, "peildatum"),
            ColumnSpec("project_status", "enum", True, "status", PROJECT_STATUSES),
            ColumnSpec("expected_year_ready", "int", False, "verwacht_gereed", minimum=YEAR_MIN, maximum=YEAR_MAX),
            ColumnSpec("note", "str", False, "toelichting"),
        ),
        None,
        key=("project_id", "reference_date"),
    ),
}

KINDS: tuple[str, ...] = tuple(SCHEMAS)


def level_from_voltage(voltage_kv: pd.Series) -> pd.Series:
    """Derive the grid level (EHS/HS/TS/MS) from a voltage text such as ``"150/20"`` or ``"380"``.

    The highest voltage side decides: ≥ 220 kV EHS, ≥ 110 kV HS, ≥ 25 kV TS, otherwise MS.

    Examples
    --------
    >>> level_from_voltage(pd.Series(["150/20", "380", "50/10", "10", None])).tolist()
    ['HS', 'EHS', 'TS', 'MS', None]
    """
    numbers = voltage_kv.astype("string").str.extractall(r"(\d+(?:[.,]\d+)?)")[0]
    highest = numbers.str.replace(",", ".", regex=False).astype(float).groupby(level=0).max()
    highest = highest.reindex(voltage_kv.index)
    level = np.select(
        [highest >= 220, highest >= 110, highest >= 25, highest > 0],
        ["EHS", "HS", "TS", "MS"],
        default="",
    )
    return pd.Series(level, index=voltage_kv.index, dtype=object).replace("", None)


def _key(value: str) -> str:
    return " ".join(str(value).replace("_", " ").split()).casefold()


def normalise_enum(column: str, values: tuple[str, ...], raw: Any) -> tuple[str | None, str | None]:
    """Map one raw enum value to its canonical value.

    Returns ``(canonical, suggestion)``: ``canonical`` is None when the value is not allowed, in which case
    ``suggestion`` is the nearest accepted word (or None when nothing is close) in the language the user wrote: a
    Dutch word close to a Dutch one gets the Dutch one (``'wonen'`` → ``'woningbouw'``), an English word the
    canonical value.

    Examples
    --------
    >>> normalise_enum("certainty", CERTAINTIES, "Vergund ")
    ('committed', None)
    >>> normalise_enum("sector", SECTORS, "wonen"), normalise_enum("sector", SECTORS, "housng")
    ((None, 'woningbouw'), (None, 'housing'))
    """
    key = _key(raw)
    lookup = {_key(v): v for v in values}
    lookup.update({_key(k): v for k, v in ENUM_SYNONYMS.get(column, {}).items()})
    if key in lookup:
        return lookup[key], None
    close = difflib.get_close_matches(key, list(lookup), n=1, cutoff=0.6)
    if not close and len(key) >= 3:
        # A shared stem catches shortenings such as "wonen" for "woningbouw".
        stems = sorted(((len(os.path.commonprefix([key, k])), k) for k in lookup), reverse=True)
        close = [stems[0][1]] if stems and stems[0][0] >= 3 else []
    if not close:
        return None, None
    canonical = {_key(v): v for v in values}.get(close[0])
    if canonical is not None:
        return None, canonical
    # A Dutch word: suggest it as the exports write it (gebouwde_omgeving), else as the reader knows it.
    dutch = DUTCH_VALUES.get(column, {}).get(lookup[close[0]])
    return None, dutch if dutch is not None and _key(dutch) == close[0] else close[0]


def is_dutch_word(column: str, values: tuple[str, ...], raw: Any) -> bool:
    """True when ``raw`` is one of the Dutch words accepted for ``column`` rather than one of its ``values``.

    Examples
    --------
    >>> is_dutch_word("sector", SECTORS, "Woningbouw "), is_dutch_word("sector", SECTORS, "housing")
    (True, False)
    """
    key = _key(raw)
    return key not in {_key(v) for v in values} and key in {_key(k) for k in ENUM_SYNONYMS.get(column, {})}


# --------------------------------------------------------------------------------------------- validation


def _is_row_numbering(column: Any) -> bool:
    """True for a ``source_row`` column that holds positions (whole numbers ≥ 0, none missing), as a layer that
    was validated before carries; anything else in a column of that name is renumbered."""
    if not isinstance(column, pd.Series) or column.isna().any():
        return False
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return False
    values = column.to_numpy(dtype=float)
    return bool(np.isfinite(values).all() and (values >= 0).all() and (values == np.floor(values)).all()
                and (values < _INT_LIMIT).all())


def _row_ids(frame: pd.DataFrame, spec: LayerSpec, positions: np.ndarray) -> list[Any]:
    """A readable id for some rows of the report: the key value(s) when present, else None."""
    cols = [c for c in spec.key if c in frame.columns]
    if not cols:
        return [None] * len(positions)
    parts = [[_cell_text(v) or "" for v in frame[c].iloc[positions]] for c in cols]
    return ["/".join(p) for p in zip(*parts, strict=True)]


def _non_finite_coordinates(geoms: np.ndarray) -> np.ndarray:
    """Per geometry: does any x or y coordinate hold NaN or ±infinity?"""
    out = np.zeros(len(geoms), dtype=bool)
    present = ~shapely.is_missing(geoms)
    if not present.any():
        return out
    coords, index = shapely.get_coordinates(geoms[present], return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    if bad.any():
        out[np.flatnonzero(present)[np.unique(index[bad])]] = True
    return out


def row_id_map(frame: pd.DataFrame, kind: str, rows: set[int] | None = None) -> dict[int, str | None]:
    """The key value (``development_id`` …; ``station_id/year`` for capacity rows) of rows of a frame with
    canonical column names, by ``source_row`` (default every row); for naming rows in a report.

    Examples
    --------
    >>> import pandas as pd
    >>> row_id_map(pd.DataFrame({"development_id": ["D1", " D17 "], "source_row": [0, 3]}), "developments")
    {0: 'D1', 3: 'D17'}
    """
    spec = SCHEMAS[kind]
    if "source_row" not in frame.columns or not all(c in frame.columns for c in spec.key[:1]):
        return {}
    source = pd.to_numeric(frame["source_row"], errors="coerce").to_numpy()
    positions = np.arange(len(frame)) if rows is None else np.flatnonzero(np.isin(source, list(rows)))
    if not len(positions):
        return {}
    ids = _row_ids(frame, spec, positions)
    return {int(source[i]): (rid or None) for i, rid in zip(positions, ids, strict=True) if not np.isnan(source[i])}


def _cell_text(value: Any) -> str | None:
    """One cell as trimmed text, None when blank. A whole float loses its ``.0`` (``1714.0`` → ``'1714'``)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        if math.isfinite(value) and value == math.floor(value):
            return str(int(value))
        return str(value)
    text = str(value).strip()
    return text or None


def _texts(raw: pd.Series) -> tuple[np.ndarray, list[Any], np.ndarray]:
    """Factorise a column so text work is done once per distinct value.

    Returns ``(codes, uniques, texts)``: ``texts[codes]`` is each row's trimmed text (None when blank or
    missing; code -1 points at the trailing None).
    """
    try:
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    except TypeError:  # unhashable cells: a JSON array or object in a GeoJSON property, a list built in code
        codes, uniques = pd.factorize(raw.map(_hashable), use_na_sentinel=True)
    values = np.asarray(uniques, dtype=object).tolist()
    texts = np.empty(len(values) + 1, dtype=object)
    texts[:-1] = [(u.strip() or None) if type(u) is str else _cell_text(u) for u in values]
    return codes, values, texts


def _hashable(value: Any) -> Any:
    """A cell as a hashable value: lists, dicts, sets and arrays become their JSON text (shown in the report)."""
    if isinstance(value, (list, tuple, dict, set, np.ndarray)):
        try:
            return json.dumps(value.tolist() if isinstance(value, np.ndarray) else value, ensure_ascii=False,
                              default=str, sort_keys=True)
        except (TypeError, ValueError):
            return str(value)
    return value


_NUMBER_TEXT_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


def _is_plain_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _number_from_text(text: str | None) -> float:
    """``'12,5'`` → 12.5, ``'1.234,5'`` → 1234.5 (Dutch thousands separator and decimal comma), ``'2030'`` → 2030.0;
    NaN when it is no number."""
    if text is None:
        return math.nan
    if _NUMBER_TEXT_THOUSANDS.match(text):
        text = text.replace(".", "")
    try:
        return float(text.replace(",", ".").replace(" ", ""))
    except ValueError:
        return math.nan


def parse_numbers(raw: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Parse a column of numbers, once per distinct value.

    Returns ``(values, converted, present)``: the floats (NaN where missing or unparsable), which cells were text
    that had to be converted, and which cells held anything at all.

    Examples
    --------
    >>> values, converted, present = parse_numbers(pd.Series(["1,5", 2, None], dtype=object))
    >>> values.tolist(), converted.tolist(), present.tolist()
    ([1.5, 2.0, nan], [True, False, False], [True, True, False])
    """
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        return raw.astype(float), np.zeros(len(raw), dtype=bool), raw.notna().to_numpy()
    codes, uniques, texts = _texts(raw)
    plain_u = [_is_plain_number(u) for u in uniques]
    parsed_u = np.array([float(u) if p else _number_from_text(t)
                         for u, p, t in zip(uniques, plain_u, texts[:-1], strict=True)] + [math.nan], dtype=float)
    converted_u = np.array([not p for p in plain_u] + [False], dtype=bool) & ~np.isnan(parsed_u)
    present = ~pd.isna(texts)[codes]
    return pd.Series(parsed_u[codes], index=raw.index, dtype=float), converted_u[codes], present


def _coerce_numeric(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse numbers, accepting Dutch decimal commas and thousands separators.

    Returns the parsed values and a boolean mask of cells that were text and had to be converted.
    """
    values, converted, _ = parse_numbers(raw)
    return values, pd.Series(converted, index=raw.index)


def validate(
    frame: pd.DataFrame | gpd.GeoDataFrame,
    kind: str,
    *,
    crs: str | int | CRS | None = None,
    source: str | None = None,
    raise_on_error: bool = False,
) -> tuple[pd.DataFrame | gpd.GeoDataFrame, ValidationReport]:
    """Check a frame against the canonical schema of ``kind`` and return ``(clean, report)``.

    Parameters
    ----------
    frame : GeoDataFrame or DataFrame
        The layer, with canonical column names (see :data:`SCHEMAS`; readers map source headers first).
    kind : str
        One of :data:`KINDS`.
    crs : str, int or pyproj.CRS, optional
        The CRS to assume when ``frame`` has none. Without it, a layer lacking a CRS is an error.
    source : str, optional
        Name of the source for the report (file path, table).
    raise_on_error : bool, default False
        Raise :class:`~energieplanologie.ValidationError` (carrying the report) when any row is rejected.

    Returns
    -------
    clean : GeoDataFrame or DataFrame
        Kept rows in EPSG:28992 with canonical columns first (typed, defaults filled), then any extra source
        columns; a fresh ``RangeIndex``. Column ``source_row`` holds each row's position in the input.
    report : ValidationReport
        Every error (row, id, column, value, message, suggestion), repair and warning, and
        ``rows_in == rows_kept + rows_rejected``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> gdf = gpd.GeoDataFrame(
    ...     {"station_id": ["S1", "S1"], "name": ["A", "B"]},
    ...     geometry=[Point(50000, 370000), Point(51000, 371000)], crs="EPSG:28992")
    >>> clean, report = validate(gdf, "stations")
    >>> report.rows_in, report.rows_kept, report.rows_rejected
    (2, 0, 2)
    >>> report.errors[0].code
    'duplicate_id'
    """
    if kind not in SCHEMAS:
        raise ValueError(f"Unknown layer kind {kind!r}; expected one of {', '.join(KINDS)}.")
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"Expected a (Geo)DataFrame, got {type(frame).__name__}.")
    check = _Check.start(frame, kind, source)
    # The steps in report order; a step that rejects the whole layer ends the validation there.
    if _layer_rejected(check) or (check.spec.has_geometry and not _check_geometry(check, crs)):
        return _finish(check, empty_clean(check.spec, check.df), raise_on_error)
    for col in check.spec.columns:
        _check_column(check, col)
    if kind == "status":  # before the keys: 30-06-2026 and 2026-06-30 are one reference date
        _check_status_dates(check, frame)
    _check_keys(check)
    _report_unknown_columns(check, frame)
    _kind_rules(check)
    return _finish(check, _clean_frame(check), raise_on_error)


# ---------------------------------------------------------------------------------------------- validation steps
@dataclass
class _Check:
    """The state :func:`validate` hands from step to step: the working frame (replaced by the geometry step),
    the rows rejected so far and the report."""

    spec: LayerSpec
    kind: str
    df: pd.DataFrame
    report: ValidationReport
    reject: np.ndarray

    @classmethod
    def start(cls, frame: pd.DataFrame, kind: str, source: str | None) -> _Check:
        df = frame.copy()
        df.index = pd.RangeIndex(len(df))
        if not _is_row_numbering(df.get("source_row")):
            # Number rows afresh unless every row carries its position in the source (a re-validated layer).
            df["source_row"] = np.arange(len(df), dtype="int64")
        else:
            df["source_row"] = df["source_row"].astype("int64")
        return cls(spec=SCHEMAS[kind], kind=kind, df=df,
                   report=ValidationReport(kind=kind, source=source, rows_in=len(frame)),
                   reject=np.zeros(len(df), dtype=bool))

    def rows(self, mask: np.ndarray | pd.Series) -> list[int]:
        """The source rows of ``mask``."""
        return self.df["source_row"][np.asarray(mask, dtype=bool)].tolist()

    def error_rows(self, mask: np.ndarray | pd.Series, code: str, column: str | None, message: str,
                   values: pd.Series | None = None, suggestions: pd.Series | None = None) -> None:
        """One row error per row of ``mask`` (with the row's id, value and suggestion); the rows are rejected."""
        mask = np.asarray(mask, dtype=bool)
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        ids = _row_ids(self.df, self.spec, positions)
        for k, i in enumerate(positions):
            self.report.row_error(
                row=int(self.df["source_row"].iloc[i]),
                row_id=ids[k],
                code=code,
                column=column,
                value=None if values is None else values.iloc[i],
                message=message,
                suggestion=None if suggestions is None else suggestions.iloc[i],
            )
        self.reject[mask] = True


def _finish(check: _Check, clean: pd.DataFrame, raise_on_error: bool) -> tuple[pd.DataFrame, ValidationReport]:
    """Name the rows of the report, count kept and rejected rows, raise when asked to."""
    report = check.report
    report.name_rows(row_id_map(check.df, check.kind, report.unnamed_rows()))
    report.rows_kept = len(clean)
    report.rows_rejected = report.rows_in - report.rows_kept
    if raise_on_error and report.rows_rejected:
        raise ValidationError(report.summary(), report)
    return clean, report


def _layer_rejected(check: _Check) -> bool:
    """Layer level: duplicate headers, no rows, required columns missing. True when the whole layer is rejected."""
    df, spec, report = check.df, check.spec, check.report
    duplicated = df.columns[df.columns.duplicated()].unique().tolist()
    if duplicated:
        report.layer_error("duplicate_column", f"kolom(men) {', '.join(map(str, duplicated))} komen meer dan eens voor")
        return True
    if len(df) == 0:
        report.layer_error("empty_layer", "de laag bevat geen rijen")
        return True
    missing = [c.name for c in spec.columns if c.required and c.name not in df.columns]
    if missing:
        report.layer_error(
            "missing_column",
            f"verplichte kolom(men) ontbreken: {', '.join(missing)}",
            suggestion=_suggest_columns(missing, df.columns),
        )
        return True
    if spec.one_of and not any(c in df.columns for c in spec.one_of):
        report.layer_error("missing_column", f"minstens één van de kolommen {' / '.join(spec.one_of)} is nodig")
        return True
    return False


def _check_geometry(check: _Check, crs: Any) -> bool:
    """The geometry: finite coordinates, the CRS, empty geometries, 2D, single-part points, validity (repaired
    where possible), the allowed types, inside the Netherlands. False when the whole layer is rejected (no
    geometry, or no usable CRS)."""
    df = check.df
    if not isinstance(df, gpd.GeoDataFrame) or df.geometry.name not in df.columns:
        check.report.layer_error("missing_geometry", "de laag heeft geen geometrie")
        return False
    # NaN or infinite coordinates (a JSON NaN, 'inf' in a CSV or WKT): no place, and GEOS cannot repair them.
    # Judged (and shown) as in the source, before any reprojection.
    source_geoms = np.asarray(df.geometry.values)
    not_finite = ~shapely.is_empty(source_geoms) & _non_finite_coordinates(source_geoms)
    check.error_rows(not_finite, "not_finite", "geometry", "coördinaten zijn geen eindige getallen (NaN of oneindig)",
                     values=pd.Series(np.where(not_finite, shapely.to_wkt(source_geoms, trim=True), None),
                                      dtype=object))
    checked = _validate_crs(df, crs, check.report)
    if checked is None:
        return False
    check.df = checked
    geom = checked.geometry
    empty = geom.isna().to_numpy() | geom.is_empty.to_numpy()
    check.error_rows(empty & ~not_finite, "empty_geometry", "geometry", "lege of ontbrekende geometrie")
    empty = empty | not_finite
    arr = _two_dimensional(check, np.asarray(geom.values.copy()), empty)
    arr = _single_part_points(check, arr, empty)
    arr, empty = _repair_invalid(check, arr, empty)
    ok = _check_geometry_types(check, arr, empty)
    _check_inside_netherlands(check, arr, ok)
    check.df = check.df.set_geometry(gpd.GeoSeries(arr, index=check.df.index, crs=check.df.crs))
    return True


def _two_dimensional(check: _Check, arr: np.ndarray, empty: np.ndarray) -> np.ndarray:
    """Z/M values are dropped (a repair): the analyses are two-dimensional."""
    has_z = ~empty & shapely.has_z(arr)
    has_m = ~empty & _has_m(arr)
    if has_z.any() or has_m.any():
        arr = shapely.force_2d(arr)
        what = "Z-waarden" if not has_m.any() else "M-waarden" if not has_z.any() else "Z- en M-waarden"
        check.report.repair("dropped_z", "geometry", check.rows(has_z | has_m), f"{what} verwijderd (2D)")
    return np.asarray(arr)


def _single_part_points(check: _Check, arr: np.ndarray, empty: np.ndarray) -> np.ndarray:
    """Single-part multi-points where a point is expected become points (a repair)."""
    if check.spec.geometry_types == ("Point",):
        single_multi = (~empty) & (shapely.get_type_id(arr) == 4) & (shapely.get_num_geometries(arr) == 1)
        if single_multi.any():
            arr[single_multi] = shapely.get_geometry(arr[single_multi], 0)
            check.report.repair("multipoint_to_point", "geometry", check.rows(single_multi),
                                "MultiPoint met één punt omgezet naar Point")
    return arr


def _repair_invalid(check: _Check, arr: np.ndarray, empty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Invalid geometries repaired with make_valid (keeping their dimension); those that cannot be are errors.
    Returns the geometries and the mask of rows without a usable geometry."""
    invalid = (~empty) & ~shapely.is_valid(arr)
    if not invalid.any():
        return arr, empty
    reasons = shapely.is_valid_reason(arr[invalid])
    reason_per_row = np.full(len(arr), None, dtype=object)
    reason_per_row[invalid] = reasons
    fixed = _keep_dimension(shapely.make_valid(arr[invalid]), arr[invalid])
    arr[invalid] = fixed
    still = np.zeros(len(arr), dtype=bool)
    still[invalid] = shapely.is_empty(fixed) | ~shapely.is_valid(fixed)
    repaired = invalid & ~still
    if repaired.any():
        reasons_ok = reasons[~still[invalid]]
        check.report.repair("make_valid", "geometry", check.rows(repaired),
                            "ongeldige geometrie hersteld met make_valid ("
                            + "; ".join(sorted(set(map(str, reasons_ok))))[:200] + ")")
    check.error_rows(still, "invalid_geometry", "geometry",
                     "geometrie ongeldig en niet te herstellen (make_valid laat niets van de oorspronkelijke "
                     "dimensie over, bijvoorbeeld een vlak zonder oppervlakte)",
                     values=pd.Series(reason_per_row))
    return arr, empty | still


def _check_geometry_types(check: _Check, arr: np.ndarray, empty: np.ndarray) -> np.ndarray:
    """Geometry types the layer does not allow are errors. Returns the rows with a usable geometry of the right
    type."""
    type_names = np.array(shapely.geometry.base.GEOMETRY_TYPES)[np.clip(shapely.get_type_id(arr), 0, 7)]
    allowed_types = check.spec.geometry_types or ()
    wrong_type = (~empty) & ~np.isin(type_names, allowed_types)
    check.error_rows(wrong_type, "geometry_type", "geometry",
                     f"geometrietype niet toegestaan (verwacht {', '.join(allowed_types)})",
                     values=pd.Series(type_names))
    return np.asarray((~empty) & (~wrong_type))


def _check_inside_netherlands(check: _Check, arr: np.ndarray, ok: np.ndarray) -> None:
    """Coordinates outside the Netherlands are errors, with a hint when they look like degrees."""
    if not ok.any():
        return
    bounds = shapely.bounds(arr[ok])
    xmin, ymin, xmax, ymax = NL_BOUNDS_RD
    outside_ok = (bounds[:, 0] < xmin) | (bounds[:, 1] < ymin) | (bounds[:, 2] > xmax) | (bounds[:, 3] > ymax)
    outside = np.zeros(len(arr), dtype=bool)
    outside[ok] = outside_ok
    # Degrees under a projected CRS (lon/lat labelled RD): say which CRS the numbers look like.
    lo0, la0, lo1, la1 = NL_BOUNDS_LONLAT
    degrees = np.zeros(len(arr), dtype=bool)
    degrees[ok] = ((bounds[:, 0] >= lo0) & (bounds[:, 2] <= lo1) & (bounds[:, 1] >= la0)
                   & (bounds[:, 3] <= la1))
    hint = pd.Series(np.where(degrees, "EPSG:4326 (de coördinaten lijken lengte/breedte in graden)",
                              None),  # type: ignore[call-overload]  # numpy's stubs: None as a value
                     dtype=object)
    check.error_rows(outside, "outside_netherlands", "geometry",
                     "coördinaten liggen buiten Nederland: verkeerd coördinatenstelsel opgegeven?",
                     suggestions=hint)


def _check_column(check: _Check, col: ColumnSpec) -> None:
    """One column of the schema: filled when absent, else parsed and checked by its type."""
    df = check.df
    if col.name not in df.columns:
        if col.default is not None:
            df[col.name] = col.default
            check.report.repair("default_filled", col.name, [],
                                f"kolom ontbreekt; standaardwaarde {col.default!r} gebruikt")
        else:
            df[col.name] = pd.Series([_empty_of(col)] * len(df), index=df.index, dtype=_DTYPES[col.type])
        return
    if col.type in ("int", "float"):
        _check_number_column(check, col)
    elif col.type == "enum":
        _check_enum_column(check, col)
    else:
        _check_text_column(check, col)


def _check_number_column(check: _Check, col: ColumnSpec) -> None:
    """Numbers (Dutch decimal commas read), finite, whole where ``int``, within range, present where required."""
    df, report = check.df, check.report
    raw = df[col.name]
    values, converted, notnull_raw = parse_numbers(raw)
    unparsable = notnull_raw & values.isna().to_numpy()
    check.error_rows(unparsable, "not_a_number", col.name, "geen getal", values=raw)
    nonfinite = np.isinf(values.to_numpy())
    check.error_rows(nonfinite, "not_finite", col.name, "oneindige waarde", values=raw)
    values = values.where(~np.isinf(values), np.nan)
    if converted.any():
        report.note("text_to_number", col.name, check.rows(converted),
                    "tekst omgezet naar getal (decimale komma of duizendtal-punt geaccepteerd)")
    if col.type == "int":
        fractional = values.notna() & (values != np.floor(values.fillna(0)))
        check.error_rows(fractional.to_numpy(), "not_an_integer", col.name, "geen geheel getal", values=raw)
    _check_range(check, col, values, raw)
    missing_value = values.isna().to_numpy() & ~unparsable & ~nonfinite
    if col.required:
        check.error_rows(missing_value, "missing_value", col.name, "verplichte waarde ontbreekt")
    elif col.default is not None and missing_value.any():
        report.repair("default_filled", col.name, check.rows(missing_value),
                      f"lege waarde vervangen door {col.default!r}")
        values = values.fillna(col.default)
    if col.type == "int":
        # Beyond 2**53 a float is no exact integer (and beyond 2**63 no Int64 at all): out of range when
        # the column has no maximum of its own that already rejected it; blanked in rejected rows.
        huge = values.notna() & (values.abs() >= _INT_LIMIT)
        if col.maximum is None:
            check.error_rows(huge.to_numpy(), "out_of_range", col.name, "getal te groot voor een geheel getal",
                             values=raw)
        values = values.where(~huge)
    df[col.name] = values.round().astype("Int64") if col.type == "int" else values.astype(float)


def _check_range(check: _Check, col: ColumnSpec, values: pd.Series, raw: pd.Series) -> None:
    """Below the minimum (negative where the minimum is 0), above the maximum, or an absurd power (≥ ABSURD_MW)."""
    df = check.df
    too_low = values.notna() & (values < col.minimum) if col.minimum is not None else pd.Series(False, index=df.index)
    # ABSURD_MW is itself absurd (≥); any other maximum is allowed (a share or efficiency of exactly 1).
    too_high = (values.notna() & ((values >= col.maximum) if col.maximum == ABSURD_MW else (values > col.maximum))
                if col.maximum is not None else pd.Series(False, index=df.index))
    if col.maximum == ABSURD_MW:
        msg_high = f"onwaarschijnlijk groot vermogen (≥ {ABSURD_MW:,.0f} MW): kW of W in plaats van MW?"
    else:
        msg_high = f"waarde buiten bereik (≤ {col.maximum:g} verwacht)" if col.maximum is not None else ""
    code_low = "negative_value" if col.minimum == 0 else "out_of_range"
    msg_low = "negatieve waarde" if col.minimum == 0 else f"waarde buiten bereik (≥ {col.minimum:g} verwacht)"
    check.error_rows(too_low.to_numpy(), code_low, col.name, msg_low, values=raw)
    if col.maximum is not None and col.type == "int":
        too_high = values.notna() & (values > col.maximum)
    check.error_rows(too_high.to_numpy(), "out_of_range" if col.maximum != ABSURD_MW else "absurd_value",
                     col.name, msg_high, values=raw)


def _check_enum_column(check: _Check, col: ColumnSpec) -> None:
    """Values of an enumeration: recognised in Dutch or English (noted), unknown ones errors with a suggestion."""
    df, report = check.df, check.report
    raw = df[col.name]
    # Once per distinct value: canonical value, suggestion, and whether it differs from the source text.
    codes, uniques, texts = _texts(raw)
    found = [normalise_enum(col.name, col.values, t) if t is not None else (None, None) for t in texts[:-1]]
    canon_u = np.array([f[0] for f in found] + [None], dtype=object)
    sugg_u = np.array([f[1] for f in found] + [None], dtype=object)
    changed_u = np.array([f[0] is not None and f[0] != (u if isinstance(u, str) else str(u))
                          for f, u in zip(found, uniques, strict=True)] + [False], dtype=bool)
    canon = pd.Series(canon_u[codes], index=df.index, dtype=object)
    sugg = pd.Series(sugg_u[codes], index=df.index, dtype=object)
    present = ~pd.isna(texts)[codes]
    bad = present & pd.isna(canon_u)[codes]
    # The allowed values in the language of the column: Dutch when it holds Dutch words or the suggestions are.
    dutch_words = DUTCH_VALUES.get(col.name, {})
    dutch = bool(dutch_words) and any(
        t is not None and is_dutch_word(col.name, col.values, t) for t in [*texts[:-1], *sugg_u[:-1]])
    allowed = ", ".join(dutch_words.get(v, v) for v in col.values) if dutch else ", ".join(col.values)
    check.error_rows(bad, "unknown_value", col.name, f"onbekende waarde (toegestaan: {allowed})",
                     values=raw, suggestions=sugg)
    changed = changed_u[codes]
    if changed.any():
        used = np.unique(codes[changed])
        pairs = sorted({f"{uniques[k]!r}→{canon_u[k]}" for k in used})
        report.note("enum_normalised", col.name, check.rows(changed),
                    "waarde herkend: " + ", ".join(pairs[:12]) + (" …" if len(pairs) > 12 else ""))
    absent = ~present
    if col.required:
        check.error_rows(absent, "missing_value", col.name, "verplichte waarde ontbreekt")
    elif col.default is not None and absent.any():
        report.repair("default_filled", col.name, check.rows(absent), f"lege waarde vervangen door {col.default!r}")
        canon[absent] = col.default
    df[col.name] = canon.astype(object).where(canon.notna(), None)


def _check_text_column(check: _Check, col: ColumnSpec) -> None:
    """Trimmed text; numbers read as float (1714.0 from a spreadsheet) do not grow a ".0"."""
    df = check.df
    codes, _, texts = _texts(df[col.name])
    text = texts[codes]
    if col.required:
        check.error_rows(pd.isna(text), "missing_value", col.name, "verplichte waarde ontbreekt")
    df[col.name] = pd.Series(text, index=df.index, dtype=object)


def _check_status_dates(check: _Check, frame: pd.DataFrame) -> None:
    """Status layer: readable reference dates, none in the future, no expected year for a cancelled project."""
    df = check.df
    raw_dates = frame["reference_date"].reset_index(drop=True) if "reference_date" in frame.columns else None
    dates, unreadable, future = _reference_dates(df["reference_date"], _dt.date.today())
    check.error_rows(unreadable, "not_a_date", "reference_date", "geen datum (verwacht JJJJ-MM-DD of DD-MM-JJJJ)",
                     values=raw_dates)
    check.error_rows(future, "future_date", "reference_date",
                     f"peildatum ligt in de toekomst (na {_dt.date.today().isoformat()})", values=raw_dates)
    df["reference_date"] = dates
    cancelled_with_year = ((df["project_status"] == "cancelled") & df["expected_year_ready"].notna()).to_numpy()
    check.error_rows(cancelled_with_year, "cancelled_with_year", "expected_year_ready",
                     "geschrapt project met een verwacht jaar gereed: laat verwacht_gereed leeg of kies een andere "
                     "status", values=df["expected_year_ready"])


def _check_keys(check: _Check) -> None:
    """Every row of a key that occurs more than once is rejected."""
    df, spec = check.df, check.spec
    if not (spec.key and all(k in df.columns for k in spec.key)):
        return
    keys = df[list(spec.key)]
    dup = keys.duplicated(keep=False).to_numpy() & keys.notna().all(axis=1).to_numpy()
    dup_values = pd.Series(None, index=df.index, dtype=object)
    if dup.any():
        dup_values.iloc[np.flatnonzero(dup)] = _row_ids(df, spec, np.flatnonzero(dup))
    check.error_rows(dup, "duplicate_id", spec.key[0],
                     f"{'/'.join(spec.key)} komt meer dan eens voor (alle rijen met deze sleutel afgewezen)",
                     values=dup_values)


def _report_unknown_columns(check: _Check, frame: pd.DataFrame) -> None:
    """Columns the schema does not know: kept in the output, reported once per layer. One that looks like a
    schema column (a typo: 'vermogen_mwh') is a warning naming the column it resembles; the others a note."""
    spec, report = check.spec, check.report
    unknown_columns = [str(c) for c in frame.columns
                       if c not in spec.column_names and c not in ("source_row", "geometry")
                       and not (isinstance(frame, gpd.GeoDataFrame) and c == frame.geometry.name)]
    if not unknown_columns:
        return
    known = {_key(c.name): c.name for c in spec.columns} | {_key(c.label_nl): c.name for c in spec.columns
                                                           if c.label_nl}
    alike = {c: difflib.get_close_matches(_key(c), list(known), n=1, cutoff=0.8) for c in unknown_columns}
    typos = [f"{c} (lijkt op {known[m[0]]})" for c, m in alike.items() if m]
    others = [c for c, m in alike.items() if not m]
    kept = "meegenomen in de uitvoer, niet gebruikt in de analyses (een mapping koppelt ze)"
    if typos:
        report.warning("unknown_columns", None, [],
                       f"kolom(men) niet in het schema van {spec.label_nl}: {', '.join(typos)}; {kept}")
    if others:
        report.note("unknown_columns", None, [],
                    f"kolom(men) niet in het schema van {spec.label_nl}: {', '.join(others)}; {kept}")


def _kind_rules(check: _Check) -> None:
    """Rules of one layer kind: the level of a station from its voltage; developments of 0 MW; projects that add
    capacity without a year or a station, and the flex assets' rules."""
    df, reject, report = check.df, check.reject, check.report
    if check.kind == "stations":
        derived = df["level"].isna() & df["voltage_kv"].notna()
        if derived.any():
            df.loc[derived, "level"] = level_from_voltage(df.loc[derived, "voltage_kv"])
            report.note("level_derived", "level", check.rows(derived), "netvlak afgeleid uit spanning")
    if check.kind == "developments":
        both_zero = (df["offtake_mw"].fillna(0) == 0) & (df["feedin_mw"].fillna(0) == 0) & ~reject
        if both_zero.any():
            report.warning("zero_power", "offtake_mw", check.rows(both_zero),
                           "afname en invoeding zijn beide 0 MW; de ontwikkeling telt niet mee in de balans")
    if check.kind == "infrastructure":
        adds = (df["offtake_capacity_added_mw"].fillna(0) > 0) | (df["feedin_capacity_added_mw"].fillna(0) > 0)
        no_year = adds & df["year_ready"].isna() & ~reject
        if no_year.any():
            report.warning("no_year_ready", "year_ready", check.rows(no_year),
                           "project voegt capaciteit toe maar heeft geen jaar_gereed; telt in geen enkel jaar mee "
                           "(niet in de stationsbalans, niet in de knooppunten; op de kaart nog niet gereed)")
        _flex_rules(df, reject, report)
        no_station = adds & df["station_id"].isna() & ~reject
        if no_station.any():
            report.warning("no_station", "station_id", check.rows(no_station),
                           "project voegt capaciteit toe maar is aan geen station gekoppeld")


def _clean_frame(check: _Check) -> pd.DataFrame:
    """The kept rows: canonical columns first, then the source's extra columns, the geometry last (a plain
    DataFrame for a layer without geometry); a fresh RangeIndex."""
    spec = check.spec
    clean = check.df.loc[~check.reject]
    ordered = spec.column_names + [c for c in clean.columns if c not in spec.column_names and c != "geometry"]
    if spec.has_geometry:
        geom_name = clean.geometry.name
        ordered = [c for c in ordered if c != geom_name] + [geom_name]
        clean = clean[ordered]
        if geom_name != "geometry":
            clean = clean.rename_geometry("geometry")
    else:
        if isinstance(clean, gpd.GeoDataFrame):
            clean = pd.DataFrame(clean.drop(columns=clean.geometry.name))
        clean = clean[[c for c in ordered if c in clean.columns]]
    return clean.reset_index(drop=True)


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def _one_date(value: Any) -> str | None:
    """One cell as an ISO date text (``'2026-06-30'``), None when it is no date."""
    if isinstance(value, (_dt.datetime, pd.Timestamp)):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = _cell_text(value)
    if text is None:
        return None
    iso, dutch = _ISO_DATE.match(text), _DUTCH_DATE.match(text)
    if iso:
        y, m, d = (int(g) for g in iso.groups())
    elif dutch:
        d, m, y = (int(g) for g in dutch.groups())
    else:
        return None
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:  # 31-02-2026
        return None


def _reference_dates(raw: pd.Series, today: _dt.date) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Reference dates as ISO texts, with the rows whose date cannot be read and those after ``today``.

    A date (spreadsheet or database), ``JJJJ-MM-DD`` or ``DD-MM-JJJJ`` (``-``, ``/`` or ``.``) is read; a missing
    value is left to the required-column check. Each distinct value is parsed once.
    """
    try:
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    except TypeError:
        codes, uniques = pd.factorize(raw.map(_hashable), use_na_sentinel=True)
    values = np.asarray(uniques, dtype=object).tolist()
    parsed = np.array([_one_date(v) for v in values] + [None], dtype=object)
    present = np.array([_cell_text(v) is not None if not isinstance(v, _dt.date) else True for v in values] + [False])
    iso = parsed[codes]
    unreadable = present[codes] & pd.isna(iso)
    future = np.array([d is not None and d > today.isoformat() for d in parsed], dtype=bool)[codes]
    return pd.Series(iso, index=raw.index, dtype=object), unreadable, future


def _flex_rules(df: pd.DataFrame, reject: np.ndarray, report: ValidationReport) -> None:
    """Report flex-asset rows that count differently than a user may expect (see :mod:`energieplanologie.flex`)."""
    power = df["power_mw"].fillna(0).to_numpy() > 0
    flex = df["infra_type"].isin(FLEX_TYPES).to_numpy()
    adds = ((df["offtake_capacity_added_mw"].fillna(0) > 0) | (df["feedin_capacity_added_mw"].fillna(0) > 0)).to_numpy()
    both = power & flex & adds & ~reject
    if both.any():
        report.warning("power_and_capacity_added", "power_mw", df["source_row"][both].tolist(),
                       "flexmiddel met zowel vermogen_mw als extra capaciteit: beide tellen mee (de extra capaciteit "
                       "als netcapaciteit, het vermogen als flex)")
    not_flex = power & ~flex & ~reject
    if not_flex.any():
        report.warning("power_not_flex", "power_mw", df["source_row"][not_flex].tolist(),
                       "vermogen_mw telt alleen bij flexmiddelen (batterij, warmteopslag, elektrolyser, e_boiler, "
                       "gas_naar_stroom); gebruik extra_capaciteit_afname_mw / extra_capaciteit_invoeding_mw")


#: Integers are stored as floats while parsing; from here on a float cannot hold every integer exactly.
_INT_LIMIT = 2.0**53

_DTYPES = {"int": "Int64", "float": "float64", "str": object, "enum": object}


def empty_clean(spec: LayerSpec, df: pd.DataFrame) -> pd.DataFrame:
    """No rows, but the shape of a clean layer: canonical typed columns, the source's extra columns, RD geometry.

    Callers downstream (Region, the analyses) can then rely on the canonical columns even when a layer was
    rejected as a whole.

    Examples
    --------
    >>> empty = empty_clean(SCHEMAS["stations"], pd.DataFrame({"station_id": ["A"], "extra": [1]}))
    >>> len(empty), "voltage_kv" in empty.columns, "extra" in empty.columns, str(empty.crs)
    (0, True, True, 'EPSG:28992')
    """
    data: dict[str, Any] = {c.name: pd.Series([], dtype=_DTYPES[c.type]) for c in spec.columns}
    geom_name = df.geometry.name if isinstance(df, gpd.GeoDataFrame) and df._geometry_column_name in df.columns else None
    for c in df.columns:
        if c not in data and c != geom_name and c != "geometry":
            data[c] = pd.Series([], dtype=df[c].dtype if isinstance(df[c], pd.Series) else object)
    if "source_row" not in data:
        data["source_row"] = pd.Series([], dtype="int64")
    if spec.has_geometry:
        return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=CRS_RD), crs=CRS_RD)
    return pd.DataFrame(data)


def _empty_of(col: ColumnSpec) -> Any:
    if col.type == "int":
        return pd.array([pd.NA], dtype="Int64")[0]
    if col.type == "float":
        return np.nan
    return None


def _suggest_columns(missing: list[str], present: pd.Index) -> str | None:
    hints = []
    for name in missing:
        close = difflib.get_close_matches(name, [str(c) for c in present], n=1, cutoff=0.6)
        if close:
            hints.append(f"{name} ← {close[0]}?")
    return "; ".join(hints) or None


def _keep_dimension(fixed: np.ndarray, original: np.ndarray) -> np.ndarray:
    """After make_valid keep only parts of the original dimension (a bow-tie polygon stays polygonal).

    A result with nothing of that dimension left (a zero-area polygon collapses to lines) becomes empty, so the
    caller rejects it instead of passing on a geometry of another type.
    """
    out = fixed.copy()
    dims = shapely.get_dimensions(original)
    types = shapely.get_type_id(fixed)
    for i in np.flatnonzero(types == 7):  # GeometryCollection: keep the parts of the original dimension
        parts = [p for p in shapely.get_parts(fixed[i]) if shapely.get_dimensions(p) == dims[i]]
        out[i] = shapely.union_all(parts) if parts else shapely.from_wkt("GEOMETRYCOLLECTION EMPTY")
    lower = (types != 7) & (shapely.get_dimensions(fixed) < dims)
    out[lower] = shapely.from_wkt("GEOMETRYCOLLECTION EMPTY")
    return out


def _has_m(geoms: np.ndarray) -> np.ndarray:
    """Which geometries carry M values (shapely ≥ 2.1 reads them; older versions never hold any)."""
    has_m = getattr(shapely, "has_m", None)
    return np.zeros(len(geoms), dtype=bool) if has_m is None else np.asarray(has_m(geoms), dtype=bool)


def _validate_crs(df: gpd.GeoDataFrame, crs: Any, report: ValidationReport) -> gpd.GeoDataFrame | None:
    if df.crs is None:
        if crs is None:
            hint = None
            b = df.total_bounds
            if np.all(np.isfinite(b)):
                if -180 <= b[0] and b[2] <= 180 and -90 <= b[1] and b[3] <= 90:
                    hint = "EPSG:4326 (de coördinaten lijken lengte/breedte in graden)"
                elif NL_BOUNDS_RD[0] <= b[0] and b[2] <= NL_BOUNDS_RD[2] and NL_BOUNDS_RD[1] <= b[1] and b[3] <= NL_BOUNDS_RD[3]:
                    hint = "EPSG:28992 (de coördinaten lijken RD New)"
            report.layer_error("missing_crs", "de laag heeft geen coördinatenstelsel", suggestion=hint)
            return None
        df = df.set_crs(crs)
        report.repair("crs_assigned", "geometry", [], f"coördinatenstelsel {CRS.from_user_input(crs).to_string()} toegekend zoals opgegeven")
    elif crs is not None and not CRS.from_user_input(crs).equals(CRS.from_user_input(df.crs)):
        report.warning("crs_ignored", "geometry", [],
                       f"opgegeven coördinatenstelsel {CRS.from_user_input(crs).to_string()} genegeerd: de bron heeft "
                       f"zelf {CRS.from_user_input(df.crs).to_string()}")
    target = CRS.from_user_input(CRS_RD)
    if not CRS.from_user_input(df.crs).equals(target):
        src = CRS.from_user_input(df.crs)
        if src.is_geographic:
            b = df.total_bounds
            if np.all(np.isfinite(b)) and (abs(b[0]) > 180 or abs(b[2]) > 180 or abs(b[1]) > 90 or abs(b[3]) > 90):
                report.layer_error(
                    "impossible_coordinates",
                    f"coördinaten passen niet bij {src.to_string()} (buiten ±180/±90 graden)",
                    suggestion="EPSG:28992 (de coördinaten lijken RD New; het opgegeven stelsel is onjuist)",
                )
                return None
        with np.errstate(all="ignore"):
            df = df.to_crs(target)
        report.note("reprojected", "geometry", [], f"omgezet van {src.to_string()} naar {CRS_RD}")
    return df


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value))


def labels_nl(kind: str) -> Mapping[str, str]:
    """Canonical column name → Dutch label, for exported headers."""
    return {c.name: c.label_nl for c in SCHEMAS[kind].columns}
