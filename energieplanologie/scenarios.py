"""Scenarios: how much of each development counts, by certainty and by sector (DESIGN §5).

A :class:`Scenario` weights every development by its ``certainty`` (``committed``, ``planned``, ``intended``,
``speculative``) and scales it by a per-sector *simultaneity* factor, the share of the connected power that
coincides with the station's peak. A development counts for

    ``weight[certainty] × simultaneity[sector] × MW``

Scenarios are data, not code: the built-in ones (``vastgesteld``, ``verwacht``, ``maximaal``) live in
``energieplanologie/data/scenarios.toml`` and users add their own in the project configuration::

    [scenarios.krap]
    label_nl = "Krap"
    weights = { committed = 1, planned = 1, intended = 0.75, speculative = 0.5 }
    simultaneity = { industry = 0.8 }
    non_firm_share = { data_centre = 0.2 }   # default share under a non-firm agreement (see flex)

Certainty and sector keys may be written in Dutch (``vergund``, ``industrie``); they are normalised with the
schema's synonyms.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from energieplanologie._errors import ConfigError, EnergieplanologieError
from energieplanologie.schema import CERTAINTIES, SECTORS, normalise_enum

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "BUILTIN_SCENARIOS",
    "SCENARIOS_FILE",
    "Scenario",
    "get_scenario",
    "get_scenarios",
    "load_scenarios",
    "weighted_mw",
    "weighted_mw_arrays",
]

#: The TOML file holding the built-in scenarios.
SCENARIOS_FILE = Path(__file__).with_name("data") / "scenarios.toml"


def _full_simultaneity() -> dict[str, float]:
    return dict.fromkeys(SECTORS, 1.0)


@dataclass(frozen=True)
class Scenario:
    """Certainty weights and sector simultaneity factors under one name.

    Parameters
    ----------
    name : str
        Identifier, e.g. ``"verwacht"``.
    label_nl : str
        Dutch label for titles and legends.
    weights : dict of str to float
        Weight in [0, 1] for each of ``schema.CERTAINTIES`` (all four are required).
    simultaneity : dict of str to float, optional
        Factor in [0, 1] per sector of ``schema.SECTORS``; sectors not given keep 1.0.
    description : str, optional
        One Dutch sentence for reports.

    Examples
    --------
    >>> s = Scenario("half", "Half", {"committed": 1, "planned": 1, "intended": 0.5, "speculative": 0})
    >>> s.weights["intended"], s.simultaneity["industry"]
    (0.5, 1.0)
    """

    name: str
    label_nl: str
    weights: dict[str, float]
    simultaneity: dict[str, float] = field(default_factory=_full_simultaneity)
    description: str = ""
    non_firm_share: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        key = f"scenarios.{self.name}"
        weights = _normalise_table(self.weights, "certainty", CERTAINTIES, f"{key}.weights")
        missing = [c for c in CERTAINTIES if c not in weights]
        if missing:
            raise ConfigError(
                f"{key}.weights: gewicht ontbreekt voor {', '.join(missing)} "
                f"(nodig: {', '.join(CERTAINTIES)})",
                key=f"{key}.weights",
            )
        simultaneity = _full_simultaneity()
        simultaneity.update(_normalise_table(self.simultaneity, "sector", SECTORS, f"{key}.simultaneity"))
        # Frozen dataclass: set the normalised (ordered, float) tables through object.__setattr__.
        object.__setattr__(self, "weights", {c: weights[c] for c in CERTAINTIES})
        object.__setattr__(self, "simultaneity", simultaneity)
        non_firm = dict.fromkeys(SECTORS, 0.0)
        non_firm.update(_normalise_table(self.non_firm_share, "sector", SECTORS, f"{key}.non_firm_share"))
        object.__setattr__(self, "non_firm_share", non_firm)

    def certainty_weights(self) -> np.ndarray:
        """The weights as an array in the order of ``schema.CERTAINTIES``."""
        return np.array([self.weights[c] for c in CERTAINTIES], dtype=float)

    def simultaneity_factors(self) -> np.ndarray:
        """The simultaneity factors as an array in the order of ``schema.SECTORS``."""
        return np.array([self.simultaneity[s] for s in SECTORS], dtype=float)

    def non_firm_defaults(self) -> np.ndarray:
        """The default non-firm share per sector (for developments without ``non_firm_share``), in the order
        of ``schema.SECTORS``; 0 unless the scenario's ``non_firm_share`` table sets it."""
        return np.array([self.non_firm_share[s] for s in SECTORS], dtype=float)


def _normalise_table(table: Mapping[str, Any] | None, column: str, allowed: tuple[str, ...],
                     key: str) -> dict[str, float]:
    """Check a ``{value: factor}`` table: known (or Dutch synonym) keys, numbers in [0, 1]."""
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise ConfigError(f"{key}: verwacht een tabel, gevonden {type(table).__name__}", key=key)
    out: dict[str, float] = {}
    for raw_key, raw_value in table.items():
        canonical, suggestion = normalise_enum(column, allowed, raw_key)
        if canonical is None:
            hint = f"; bedoeld: {suggestion}?" if suggestion else ""
            raise ConfigError(
                f"{key}.{raw_key}: onbekende waarde (toegestaan: {', '.join(allowed)}){hint}", key=f"{key}.{raw_key}"
            )
        if isinstance(raw_value, bool) or not isinstance(raw_value, (int, float, np.integer, np.floating)):
            raise ConfigError(f"{key}.{raw_key}: verwacht een getal, gevonden {raw_value!r}", key=f"{key}.{raw_key}")
        value = float(raw_value)
        if not 0.0 <= value <= 1.0:
            raise ConfigError(f"{key}.{raw_key}: verwacht een getal tussen 0 en 1, gevonden {value:g}",
                              key=f"{key}.{raw_key}")
        out[canonical] = value
    return out


def _from_table(name: str, table: Mapping[str, Any]) -> Scenario:
    key = f"scenarios.{name}"
    if not isinstance(table, Mapping):
        raise ConfigError(f"{key}: verwacht een tabel met weights (en eventueel simultaneity)", key=key)
    unknown = sorted(set(table) - {"weights", "simultaneity", "label_nl", "description", "non_firm_share"})
    if unknown:
        raise ConfigError(
            f"{key}.{unknown[0]}: onbekende sleutel (bekend: weights, simultaneity, non_firm_share, label_nl, "
            "description)",
            key=f"{key}.{unknown[0]}",
        )
    if "weights" not in table:
        raise ConfigError(f"{key}.weights: ontbreekt (gewicht per zekerheid: {', '.join(CERTAINTIES)})",
                          key=f"{key}.weights")
    return Scenario(
        name=name,
        label_nl=str(table.get("label_nl", name.replace("_", " ").capitalize())),
        weights=table["weights"],
        simultaneity=table.get("simultaneity") or {},
        description=str(table.get("description", "")),
        non_firm_share=table.get("non_firm_share") or {},
    )


def load_scenarios(path: str | Path = SCENARIOS_FILE) -> dict[str, Scenario]:
    """Read the ``[scenarios.NAME]`` tables of a TOML file.

    Examples
    --------
    >>> sorted(load_scenarios())
    ['maximaal', 'vastgesteld', 'verwacht']
    """
    with Path(path).open("rb") as fh:
        data = tomllib.load(fh)
    tables = data.get("scenarios", {})
    return {name: _from_table(name, table) for name, table in tables.items()}


#: The scenarios shipped with the package, by name (read from :data:`SCENARIOS_FILE`).
BUILTIN_SCENARIOS: dict[str, Scenario] = load_scenarios()


def get_scenario(name_or_scenario: str | Scenario, *, extra: Mapping[str, Any] | None = None) -> Scenario:
    """Resolve a scenario by name among the built-in ones and those defined in a project configuration.

    Parameters
    ----------
    name_or_scenario : str or Scenario
        A scenario name, or a :class:`Scenario` (returned as is).
    extra : mapping, optional
        The ``[scenarios]`` tables of a project configuration, ``{name: {"weights": {...}, "simultaneity":
        {...}, "label_nl": ...}}``. A name defined here overrides a built-in scenario of the same name.

    Returns
    -------
    Scenario

    Raises
    ------
    ConfigError
        Unknown name (the message lists the known ones) or a malformed table.

    Examples
    --------
    >>> get_scenario("verwacht").weights
    {'committed': 1.0, 'planned': 1.0, 'intended': 0.5, 'speculative': 0.25}
    >>> get_scenario("krap", extra={"krap": {"weights": {"vergund": 1, "planned": 1, "intended": 0.75,
    ...     "speculative": 0.5}, "simultaneity": {"industrie": 0.8}}}).simultaneity["industry"]
    0.8
    """
    if isinstance(name_or_scenario, Scenario):
        return name_or_scenario
    if not isinstance(name_or_scenario, str):
        raise TypeError(f"Expected a scenario name or Scenario, got {type(name_or_scenario).__name__}.")
    name = name_or_scenario.strip()
    if extra is not None and not isinstance(extra, Mapping):
        raise ConfigError(f"scenarios: verwacht een tabel per scenario, gevonden {type(extra).__name__}",
                          key="scenarios")
    if extra and name in extra:
        return _from_table(name, extra[name])
    if name in BUILTIN_SCENARIOS:
        return BUILTIN_SCENARIOS[name]
    known = sorted(set(BUILTIN_SCENARIOS) | set(extra or {}))
    raise ConfigError(f"analysis.scenario: onbekend scenario {name!r} (bekend: {', '.join(known)})",
                      key="analysis.scenario")


def get_scenarios(scenarios: str | Scenario | Iterable[str | Scenario], *,
                  extra: Mapping[str, Any] | None = None) -> list[Scenario]:
    """Resolve one scenario or a list of them (duplicates by name are an error).

    Examples
    --------
    >>> [s.name for s in get_scenarios(["vastgesteld", "maximaal"])]
    ['vastgesteld', 'maximaal']
    """
    items = [scenarios] if isinstance(scenarios, (str, Scenario)) else list(scenarios)
    if not items:
        raise ConfigError("analysis.scenario: geen scenario opgegeven", key="analysis.scenario")
    resolved = [get_scenario(s, extra=extra) for s in items]
    names = [s.name for s in resolved]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(f"analysis.scenario: scenario {dup[0]!r} komt meer dan eens voor", key="analysis.scenario")
    return resolved


_POINTER_PATH_MIN_ROWS = 10_000
_POINTER_PATH_MAX_UNIQUE = 64


def enum_codes(values: pd.Series | np.ndarray, allowed: tuple[str, ...] | list[str], what: str, *,
               default: str | None = None) -> np.ndarray:
    """Integer code per row of an enum column: the position of its value in ``allowed``.

    Missing values become ``default`` (an error when there is none), as do unknown values: both raise
    :class:`~energieplanologie.EnergieplanologieError` naming ``what``.

    Validated layers hold each enum value as one shared Python string object (``schema.validate`` maps every
    cell to the canonical value), so for large columns the codes are found by object identity: an object array
    is an array of ``PyObject*`` pointers, and ``pd.factorize`` on those pointers plus one lookup per distinct
    value is several times faster than hashing a million strings. Columns with
    many distinct objects (e.g. read without validation) take the ordinary hashing path (``Index.get_indexer``);
    both paths give identical codes.

    Examples
    --------
    >>> enum_codes(pd.Series(["planned", "committed", None]), CERTAINTIES, "certainty", default="planned")
    array([1, 0, 1])
    """
    lookup = {v: i for i, v in enumerate(allowed)}
    codes: np.ndarray | None = None
    if isinstance(values, pd.Series) and values.dtype != object:
        # A text column of its own dtype (str, category; read without validation): factorize it where it lives
        # (Arrow's dictionary encoding for str) instead of first making a Python string of every cell.
        which, distinct = pd.factorize(values, use_na_sentinel=True)
        table = np.array([lookup.get(v, -1) if isinstance(v, str) else -2 for v in distinct.tolist()] + [-2],
                         dtype=np.intp)
        codes = table[which]  # the NA sentinel -1 picks the trailing -2
        arr = np.asarray(values, dtype=object) if (codes == -1).any() else np.empty(0, dtype=object)
    else:
        arr = np.ascontiguousarray(values.to_numpy(dtype=object) if isinstance(values, pd.Series)
                                   else np.asarray(values, dtype=object))
    if codes is None and len(arr) >= _POINTER_PATH_MIN_ROWS:
        pointers = np.frombuffer((ctypes.c_void_p * len(arr)).from_address(arr.ctypes.data),  # type: ignore[call-overload]
                                 dtype=np.intp)  # numpy's stubs omit ctypes arrays, which have the buffer protocol
        which, distinct = pd.factorize(pointers)  # one hashing pass: each row's position among the distinct
        if len(distinct) <= _POINTER_PATH_MAX_UNIQUE:
            table = np.empty(len(distinct), dtype=np.intp)
            for i, ptr in enumerate(distinct.tolist()):
                # ``arr`` keeps every object alive, so the pointer is valid for the cast.
                value = ctypes.cast(ptr, ctypes.py_object).value
                table[i] = lookup.get(value, -1) if isinstance(value, str) else -2
            codes = table[which]
            if (table >= 0).all():  # every distinct value allowed: no row to default or to reject
                return codes
    if codes is None:
        # the values as an object Index: given a bare array, pandas first infers (and converts) its text type
        codes = pd.Index(list(allowed), dtype=object).get_indexer(pd.Index(arr, dtype=object, copy=False))
        codes = codes.astype(np.intp)
        codes[pd.isna(arr)] = -2
    missing = codes == -2
    if missing.any():
        if default is None:
            raise EnergieplanologieError(f"{what}: lege waarde(n); valideer de laag eerst")
        codes[missing] = lookup[default]
    bad = codes < 0
    if bad.any():
        sample = pd.unique(arr[bad])[:5]
        raise EnergieplanologieError(
            f"{what}: onbekende waarde(n) {', '.join(map(repr, sample))} (toegestaan: {', '.join(allowed)}); "
            "valideer de laag eerst"
        )
    return codes


def weighted_mw(developments: pd.DataFrame, scenario: str | Scenario = "verwacht", *,
                extra: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The MW of each development as it counts in a scenario.

    ``weight = weights[certainty] × simultaneity[sector]``; ``offtake_mw_weighted = offtake_mw × weight`` and
    ``feedin_mw_weighted = feedin_mw × weight`` (a missing MW counts as 0).

    Parameters
    ----------
    developments : DataFrame
        With columns ``certainty``, ``sector``, ``offtake_mw``, ``feedin_mw`` (canonical values).
    scenario : str or Scenario, default "verwacht"
        The scenario (see :func:`get_scenario`).
    extra : mapping, optional
        User-defined scenario tables, passed to :func:`get_scenario`.

    Returns
    -------
    DataFrame
        Columns ``offtake_mw_weighted``, ``feedin_mw_weighted``, ``weight``; the input's index.

    Examples
    --------
    >>> dev = pd.DataFrame({"certainty": ["committed", "intended", "speculative"],
    ...                     "sector": ["housing", "industry", "renewables"],
    ...                     "offtake_mw": [2.0, 10.0, 0.0], "feedin_mw": [0.0, 0.0, 8.0]})
    >>> weighted_mw(dev, "verwacht")
       offtake_mw_weighted  feedin_mw_weighted  weight
    0                  2.0                 0.0    1.00
    1                  5.0                 0.0    0.50
    2                  0.0                 2.0    0.25
    """
    off, feed, weight = weighted_mw_arrays(developments, scenario, extra=extra)
    return pd.DataFrame({"offtake_mw_weighted": off, "feedin_mw_weighted": feed, "weight": weight},
                        index=developments.index)


def weighted_mw_arrays(developments: pd.DataFrame, scenario: str | Scenario = "verwacht", *,
                       rows: np.ndarray | None = None, extra: Mapping[str, Any] | None = None,
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`weighted_mw` as three arrays, optionally for some rows only, without building a table.

    Parameters
    ----------
    developments : DataFrame
        With columns ``certainty``, ``sector`` and optionally ``offtake_mw``, ``feedin_mw``.
    scenario : str or Scenario, default "verwacht"
        The scenario (see :func:`get_scenario`).
    rows : ndarray of int, optional
        Row positions to weigh (default every row), in the order wanted.
    extra : mapping, optional
        User-defined scenario tables, passed to :func:`get_scenario`.

    Returns
    -------
    offtake_mw_weighted, feedin_mw_weighted, weight : ndarray of float
        The same numbers as the columns of :func:`weighted_mw`.

    Examples
    --------
    >>> dev = pd.DataFrame({"certainty": ["committed", "intended"], "sector": ["housing", "industry"],
    ...                     "offtake_mw": [2.0, 10.0], "feedin_mw": [0.0, None]})
    >>> [a.tolist() for a in weighted_mw_arrays(dev, "verwacht", rows=np.array([1]))]
    [[5.0], [0.0], [0.5]]
    """
    sc = get_scenario(scenario, extra=extra)

    def column(name: str, as_float: bool) -> Any:
        series = developments[name]
        if not as_float and series.dtype != object:  # str or category: enum_codes factorizes it as it is
            return series if rows is None else series.take(rows)
        values = series.to_numpy(dtype=float, na_value=np.nan) if as_float else series.to_numpy(dtype=object)
        return values if rows is None else values[rows]

    n = len(developments) if rows is None else len(rows)
    cert = enum_codes(column("certainty", False), CERTAINTIES, "developments.certainty")
    sect = enum_codes(column("sector", False), SECTORS, "developments.sector")
    weight = sc.certainty_weights()[cert] * sc.simultaneity_factors()[sect]
    off = column("offtake_mw", True) if "offtake_mw" in developments else np.zeros(n)
    feed = column("feedin_mw", True) if "feedin_mw" in developments else np.zeros(n)
    return missing_as_zero(off) * weight, missing_as_zero(feed) * weight, weight


def missing_as_zero(values: np.ndarray) -> np.ndarray:
    """``np.nan_to_num(values, nan=0.0)``; all finite (the usual case) in one pass, without its copies.

    The same numbers; when all are finite ``values`` itself is returned (not a copy): do not write into it.

    Examples
    --------
    >>> missing_as_zero(np.array([1.5, np.nan, np.inf])).tolist() == [1.5, 0.0, np.finfo(float).max]
    True
    """
    return values if np.isfinite(values).all() else np.nan_to_num(values, nan=0.0)
