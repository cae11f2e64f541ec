"""The analysis options of a project: every key, its kind and its bounds — and the one place that checks them.

The configuration (:mod:`energieplanologie.config`) and the command line check each ``[hotspots]``,
``[density]``, ``[allocation]``, ``[assessment]`` and ``[output]`` value here when it is read, so a typo fails at
once with its key (``hotspots.eps_m: …``) instead of deep in an analysis; the analyses then take their options as
arguments. The sets of keys (:data:`HOTSPOT_KEYS`, :data:`ALLOCATION_KEYS` …) are defined here once.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from energieplanologie._errors import ConfigError
from energieplanologie.schema import ABSURD_MW

__all__ = [
    "ALLOCATION_KEYS",
    "ANALYSIS_KEYS",
    "ASSESSMENT_KEYS",
    "BOOLEANS",
    "CHOICES",
    "CHOICE_VALUES",
    "DENSITY_KEYS",
    "HOTSPOT_KEYS",
    "NUMBERS",
    "OTHERS",
    "OUTPUT_KEYS",
    "REGION_KEYS",
    "SEED_MAX",
    "STABILITY_DEFAULTS",
    "Number",
    "check_keys",
    "check_number",
    "check_settings",
    "shown",
    "stability_settings",
]


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
        """Whether ``value`` is a number within the bounds (numpy numbers too; never true/false, NaN or ∞)."""
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return False
        if self.integer and not isinstance(value, numbers.Integral):
            return False
        number = int(value) if isinstance(value, numbers.Integral) else float(value)  # an int of any size
        if isinstance(number, float) and not math.isfinite(number):
            return False
        low_ok = number > self.minimum if self.above else number >= self.minimum
        high_ok = number < self.maximum if self.below else number <= self.maximum
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
#: Defaults of the ranking-stability settings of the afweging (``[assessment]`` keys, and the arguments of
#: :func:`energieplanologie.assessment.score_projects`); their bounds are in :data:`NUMBERS`.
STABILITY_DEFAULTS: dict[str, int | float] = {"top_k": 5, "n_perturbations": 1000, "weight_noise": 0.25, "seed": 0}
#: Settings that are true or false.
BOOLEANS: dict[str, set[str]] = {"hotspots": {"include_infrastructure"}, "allocation": {"split"}}
#: Settings that name one of a few choices, and the choices (the analyses take theirs from here:
#: ``hotspots.METHODS``, ``hotspots.ALTERNATIVES``, ``density.DIRECTIONS``).
CHOICE_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("hotspots", "method"): ("dbscan", "hdbscan", "gistar"),
    ("hotspots", "alternative"): ("two-sided", "greater"),
    ("density", "direction"): ("total", "offtake", "feedin"),
}
CHOICES: dict[str, set[str]] = {}
for _section, _key in CHOICE_VALUES:
    CHOICES.setdefault(_section, set()).add(_key)
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


def check_keys(table: Mapping[str, Any], section: str, known: set[str]) -> None:
    """Raise :class:`ConfigError` naming ``section.key`` for the first unknown key of ``table`` (with the nearest
    known one).

    Examples
    --------
    >>> try:
    ...     check_keys({"eps": 3000}, "hotspots", HOTSPOT_KEYS)
    ... except ConfigError as exc:
    ...     print(exc.key)
    hotspots.eps
    """
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
    check_keys(table, section, _keys(section))
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
    return CHOICE_VALUES[(section, key)]


def stability_settings(
    *,
    top_k: Any = None,
    n_perturbations: Any = None,
    weight_noise: Any = None,
    seed: Any = None,
) -> dict[str, int | float]:
    """The ranking-stability settings of the afweging: each given value checked, each missing one its default.

    :func:`energieplanologie.assessment.score_projects` takes them as arguments; this is where they are checked
    (the same bounds as the ``[assessment]`` keys of a configuration).

    Returns
    -------
    dict
        ``top_k``, ``n_perturbations`` and ``seed`` as int, ``weight_noise`` as float.

    Raises
    ------
    ConfigError
        Naming ``assessment.<key>`` for a value that is not a number within its bounds (true/false, NaN and a
        fraction for a whole number included).

    Examples
    --------
    >>> stability_settings(top_k=3)
    {'top_k': 3, 'n_perturbations': 1000, 'weight_noise': 0.25, 'seed': 0}
    >>> try:
    ...     stability_settings(seed=-1)
    ... except ConfigError as exc:
    ...     print(exc.key, "|", exc)
    assessment.seed | assessment.seed: verwacht een geheel getal ≥ 0 en ≤ 4294967295, gevonden -1
    """
    given = {"top_k": top_k, "n_perturbations": n_perturbations, "weight_noise": weight_noise, "seed": seed}
    chosen: dict[str, int | float] = {}
    for key, value in given.items():
        if value is None:
            value = STABILITY_DEFAULTS[key]
        else:
            check_number("assessment", key, value)
        rule = NUMBERS["assessment"][key]
        chosen[key] = int(value) if rule.integer else float(value)
    return chosen
