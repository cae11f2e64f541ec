"""Afwegingskader: score projects on the criteria A–H, rank them and say how stable the ranking is.

The framework is data (``data/afwegingskader.toml``; the eight criteria of the source document's *Handreiking
afwegingskader*, sheet 34 / bijlage 9). :func:`score_projects` derives A, B, C, D and F from the analyses, takes
E and G (and B, when given) from the working organisation's judgements, applies the user's overrides (recorded),
weights the points into one score per project, ranks, and perturbs the weights to report each project's rank
interval and its probability of staying in the top *k*.

Levels are ``"hoog" | "gemiddeld" | "laag"``: the *score*, ``hoog`` always the most favourable for the project;
each criterion's label says it in the document's words (F ``hoog`` = *Weinig inspanningen nodig*).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import tomllib

from energieplanologie._errors import ConfigError, EnergieplanologieError, ReadError
from energieplanologie.labels import format_number, value_label
from energieplanologie.options import stability_settings

__all__ = [
    "LEVELS",
    "SOURCES",
    "Assessment",
    "Criterion",
    "Framework",
    "Level",
    "format_number",
    "load_framework",
    "read_judgements",
    "score_projects",
]

#: The three levels of every scored criterion, best first.
LEVELS: tuple[str, ...] = ("hoog", "gemiddeld", "laag")
#: Where a score came from.
SOURCES: tuple[str, ...] = ("derived", "user", "override", "missing")
#: How a criterion is scored (see ``data/afwegingskader.toml``).
METHODS: tuple[str, ...] = ("enablement", "hotspot", "efficiency", "urgency", "user", "constraints", "cost")
_DERIVED_METHODS = ("enablement", "hotspot", "efficiency", "urgency", "constraints")
_SYMBOLS = {"+": "hoog", "0": "gemiddeld", "-": "laag", "−": "laag", "++": "hoog", "--": "laag"}
_FRAMEWORK_KEYS = {"name", "type", "question", "advice", "judged_by", "weight", "scored", "method", "levels",
                   "thresholds"}


# ---------------------------------------------------------------------------------------------- formatting
def _names(items: Sequence[str], most: int = 3) -> str:
    items = [str(i) for i in items]
    if len(items) <= most:
        return ", ".join(items)
    return ", ".join(items[:most]) + f" en {len(items) - most} meer"


# ---------------------------------------------------------------------------------------------- framework
@dataclass(frozen=True)
class Level:
    """One level of a criterion: its key (``hoog``/``gemiddeld``/``laag``), the document's words and points."""

    key: str
    label: str
    description: str
    points: float


@dataclass(frozen=True)
class Criterion:
    """One criterion of the afwegingskader (A–H), as in the source document's table."""

    code: str
    name: str
    type: str
    question: str
    advice: str
    judged_by: str
    weight: float
    scored: bool
    method: str
    levels: Mapping[str, Level]
    thresholds: Mapping[str, Any]

    @property
    def title(self) -> str:
        """``"A. Maatschappelijk doelbereik"``."""
        return f"{self.code}. {self.name}"

    def label(self, level: str | None) -> str:
        """The document's words for a level key (``"Goed passend"``), or ``"geen invoer"``."""
        if level is None or (isinstance(level, float) and math.isnan(level)) or level not in self.levels:
            return "geen invoer" if self.scored else "n.v.t."
        return self.levels[level].label

    def parse_level(self, raw: Any) -> str | None:
        """Map user input (key, label, its first word, or ``+``/``0``/``-``) to a level key; None if unknown."""
        text = " ".join(str(raw).split()).casefold()
        if text in _SYMBOLS:
            return _SYMBOLS[text]
        lookup: dict[str, str] = {}
        first_words: dict[str, list[str]] = {}
        for key, level in self.levels.items():
            lookup[key.casefold()] = key
            lookup[level.label.casefold()] = key
            first_words.setdefault(level.label.split()[0].casefold(), []).append(key)
        lookup.update({w: keys[0] for w, keys in first_words.items() if len(keys) == 1 and w not in lookup})
        return lookup.get(text)


@dataclass(frozen=True)
class Framework:
    """An afwegingskader: criteria in order, the points scale and where it came from."""

    name: str
    source: str
    criteria: tuple[Criterion, ...]
    missing_points: float
    path: str | None = None

    def __post_init__(self) -> None:
        codes = [c.code for c in self.criteria]
        if len(set(codes)) != len(codes):
            raise ConfigError(f"afwegingskader: criteriumcodes komen dubbel voor: {codes}", key="criteria")

    def __getitem__(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        raise KeyError(code)

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.criteria]

    @property
    def scored(self) -> list[Criterion]:
        """The criteria that count in the weighted score (H is reported, not scored)."""
        return [c for c in self.criteria if c.scored]

    def parse_criterion(self, raw: Any) -> str | None:
        """Map ``"A"``, ``"a"``, ``"A. Maatschappelijk doelbereik"`` or ``"maatschappelijk doelbereik"`` to a code."""
        text = " ".join(str(raw).split()).casefold()
        for c in self.criteria:
            if text in (c.code.casefold(), c.name.casefold(), c.title.casefold()):
                return c.code
        return None


def _default_framework_text() -> str:
    return resources.files("energieplanologie").joinpath("data/afwegingskader.toml").read_text(encoding="utf-8")


#: Largest weight of a criterion and largest points of a level: weights are relative, and a weight of 1e308
#: would overflow the weighted sum (NaN scores).
MAX_WEIGHT = 1_000.0


def _framework_number(value: Any, key: str, *, maximum: float = MAX_WEIGHT) -> float:
    """A number of a framework file (not text, not true/false, finite, 0 … ``maximum``), or a ConfigError naming
    the key."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or \
            not 0 <= value <= maximum:
        if isinstance(value, str):
            found = f"tekst {value[:40]!r}"
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
            found = f"{float(value):.3g}" if abs(value) < 10**308 else f"een getal van {len(str(abs(value)))} cijfers"
        else:
            found = repr(value)[:40]
        raise ConfigError(f"{key}: verwacht een getal van 0 tot en met {maximum:g}, gevonden {found}", key=key)
    return float(value)


def _table(value: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{key}: verwacht een tabel, gevonden {type(value).__name__}", key=key)
    return value


def _framework_from_dict(data: Mapping[str, Any], path: str | None, defaults: Framework | None) -> Framework:
    data = _table(data, "afwegingskader")
    scale = _table(data.get("scale", {}), "scale")
    raw_points = _table(scale.get("points", {"hoog": 2, "gemiddeld": 1, "laag": 0}), "scale.points")
    if set(raw_points) != set(LEVELS):
        raise ConfigError(f"scale.points: moet precies {', '.join(LEVELS)} bevatten", key="scale.points")
    points = {k: _framework_number(v, f"scale.points.{k}") for k, v in raw_points.items()}
    if max(points.values()) <= 0:
        raise ConfigError("scale.points: minstens één niveau moet punten > 0 hebben", key="scale.points")
    raw_criteria = data.get("criteria")
    if not isinstance(raw_criteria, Mapping) or not raw_criteria:
        raise ConfigError("criteria: geen [criteria.X]-tabellen gevonden in het afwegingskader", key="criteria")
    criteria = []
    for code, spec in raw_criteria.items():
        key = f"criteria.{code}"
        spec = _table(spec, key)
        unknown = set(spec) - _FRAMEWORK_KEYS
        if unknown:
            raise ConfigError(f"{key}: onbekende sleutel(s) {sorted(unknown)} (bekend: {', '.join(sorted(_FRAMEWORK_KEYS))})",
                              key=key)
        for required in ("name", "method"):
            if required not in spec:
                raise ConfigError(f"{key}.{required}: ontbreekt", key=f"{key}.{required}")
        method = spec["method"]
        if method not in METHODS:
            raise ConfigError(f"{key}.method: {method!r} is onbekend; kies uit {', '.join(METHODS)}",
                              key=f"{key}.method")
        if "scored" in spec and not isinstance(spec["scored"], bool):
            raise ConfigError(f"{key}.scored: verwacht true of false, gevonden {spec['scored']!r}", key=f"{key}.scored")
        scored = bool(spec.get("scored", method != "cost"))
        weight = _framework_number(spec.get("weight", 1.0 if scored else 0.0), f"{key}.weight")
        levels: dict[str, Level] = {}
        raw_levels = _table(spec.get("levels", {}), f"{key}.levels")
        if scored:
            missing = [lv for lv in LEVELS if lv not in raw_levels]
            if missing:
                raise ConfigError(f"{key}.levels: niveau(s) {', '.join(missing)} ontbreken", key=f"{key}.levels")
        extra = set(raw_levels) - set(LEVELS)
        if extra:
            raise ConfigError(f"{key}.levels: kent alleen {', '.join(LEVELS)}, niet {sorted(extra)}",
                              key=f"{key}.levels")
        for lv in LEVELS:
            if lv in raw_levels:
                item = raw_levels[lv]
                item = {"label": item} if isinstance(item, str) else _table(item, f"{key}.levels.{lv}")
                levels[lv] = Level(lv, str(item.get("label", lv)), str(item.get("description", "")), points[lv])
        thresholds = dict(_table(spec.get("thresholds", {}), f"{key}.thresholds"))
        if defaults is not None and method in _DERIVED_METHODS:
            base = next((c.thresholds for c in defaults.criteria if c.method == method), {})
            unknown_t = set(thresholds) - set(base)
            if unknown_t:
                raise ConfigError(
                    f"{key}.thresholds: onbekende drempel(s) {sorted(unknown_t)}; bekend zijn {', '.join(sorted(base))}",
                    key=f"{key}.thresholds")
            for name, value in thresholds.items():  # of the kind the default has: a number, or a list of words
                where = f"{key}.thresholds.{name}"
                if isinstance(base[name], list):
                    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                        raise ConfigError(f"{where}: verwacht een lijst met tekst, gevonden {value!r:.60}", key=where)
                else:
                    _framework_number(value, where, maximum=1e9)
            thresholds = {**base, **thresholds}
        criteria.append(Criterion(
            code=str(code), name=str(spec["name"]), type=str(spec.get("type", "")),
            question=str(spec.get("question", "")), advice=str(spec.get("advice", "")),
            judged_by=str(spec.get("judged_by", "")), weight=weight, scored=scored, method=method,
            levels=levels, thresholds=thresholds,
        ))
    if not any(c.scored and c.weight > 0 for c in criteria):
        raise ConfigError("criteria: geen enkel gescoord criterium met gewicht > 0", key="criteria")
    return Framework(
        name=str(data.get("name", "Afwegingskader")),
        source=str(data.get("source", "")),
        criteria=tuple(criteria),
        missing_points=_framework_number(scale.get("missing_points", points["gemiddeld"]), "scale.missing_points"),
        path=path,
    )


def load_framework(name_or_path: str | Path | Mapping[str, Any] | Framework = "default") -> Framework:
    """Load an afwegingskader: ``"default"`` (the national one), a TOML path, or an already parsed mapping.

    A provincial framework may leave out thresholds; those of the default framework for the same method are
    used. Unknown keys, methods or levels raise :class:`~energieplanologie.ConfigError` naming the key.

    Parameters
    ----------
    name_or_path : str, Path, mapping or Framework
        ``"default"``, the path of a framework TOML, or its parsed contents.

    Returns
    -------
    Framework

    Examples
    --------
    >>> fw = load_framework()
    >>> fw.codes
    ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']
    >>> fw["B"].label("hoog"), fw["H"].scored
    ('Goed passend', False)
    """
    if isinstance(name_or_path, Framework):
        return name_or_path
    default = _framework_from_dict(tomllib.loads(_default_framework_text()), "default", None)
    if isinstance(name_or_path, Mapping):
        return _framework_from_dict(name_or_path, None, default)
    if str(name_or_path) == "default":
        return default
    from energieplanologie._toml import read_toml

    path = Path(name_or_path)
    return _framework_from_dict(read_toml(path, what="afwegingskader"), str(path), default)


# ---------------------------------------------------------------------------------------------- user input
_INPUT_COLUMNS = {
    "project_id": ("project_id", "project", "projectid", "project-id", "id"),
    "criterion": ("criterion", "criterium", "criteria", "code"),
    "level": ("level", "niveau", "score", "oordeel", "beoordeling"),
    "reason": ("reason", "reden", "toelichting", "motivering", "onderbouwing"),
    "by": ("by", "door", "wie", "beoordelaar"),
}


def _read_table(source: pd.DataFrame | str | Path) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source.copy(), "invoer"
    path = Path(source)
    if not path.is_file():
        raise ReadError(f"{path}: bestand bestaat niet")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path, dtype=str)
        else:
            frame = pd.read_csv(path, dtype=str, sep=None, engine="python", encoding="utf-8-sig")
    except Exception as exc:  # any parser failure: unreadable for the user
        raise ReadError(f"{path}: niet te lezen als tabel ({exc})") from exc
    return frame, path.name


def read_judgements(
    source: pd.DataFrame | str | Path,
    framework: Framework,
    project_ids: Iterable[str],
    *,
    what: str = "beoordelingen",
) -> pd.DataFrame:
    """Read user scores or overrides: one row per project and criterion, with level, reason and who judged.

    Headers may be English or Dutch (``project_id``/``project``, ``criterion``/``criterium``,
    ``level``/``niveau``/``score``, ``reason``/``reden``/``toelichting``, ``by``/``door``). Levels may be the key
    (``hoog``), the document's words (``Goed passend``), their first word (``goed``) or ``+``/``0``/``-``.
    Unknown projects, criteria or levels and duplicate rows raise an error naming the row.

    Returns
    -------
    DataFrame
        ``project_id, criterion, level, reason, by`` (canonical level keys and criterion codes).

    Examples
    --------
    >>> fw = load_framework()
    >>> raw = pd.DataFrame({"project": ["P1"], "criterium": ["e"], "niveau": ["Veelal positieve effecten"],
    ...                     "toelichting": ["werkgelegenheid"]})
    >>> read_judgements(raw, fw, ["P1"]).loc[0, ["criterion", "level"]].tolist()
    ['E', 'hoog']
    """
    frame, name = _read_table(source)
    lower = {str(c).strip().casefold(): c for c in frame.columns}
    columns: dict[str, Any] = {}
    for canonical, options in _INPUT_COLUMNS.items():
        found = next((lower[o] for o in options if o in lower), None)
        if found is None and canonical in ("project_id", "criterion", "level"):
            raise EnergieplanologieError(
                f"{name}: kolom '{canonical}' ontbreekt in de {what} (ook goed: {', '.join(options[1:])})")
        columns[canonical] = found
    known_projects = set(map(str, project_ids))
    rows = []
    for i, cell in enumerate(frame.to_dict("records")):
        where = f"{name}, rij {i + 2}"  # header is row 1 in a spreadsheet
        pid = str(cell[columns["project_id"]]).strip()
        if pid not in known_projects:
            raise EnergieplanologieError(f"{where}: project_id {pid!r} komt niet voor in de projecten")
        code = framework.parse_criterion(cell[columns["criterion"]])
        if code is None:
            raise EnergieplanologieError(
                f"{where}: criterium {cell[columns['criterion']]!r} onbekend; kies uit {', '.join(framework.codes)}")
        crit = framework[code]
        if not crit.scored:
            raise EnergieplanologieError(f"{where}: criterium {code} ({crit.name}) wordt niet gescoord")
        raw_level = cell[columns["level"]]
        level = crit.parse_level(raw_level) if pd.notna(raw_level) else None
        if level is None:
            allowed = "; ".join(f"{k} ({lv.label})" for k, lv in crit.levels.items())
            raise EnergieplanologieError(f"{where}: niveau {raw_level!r} onbekend voor {code}; kies uit {allowed}")

        texts = {col: ("" if columns[col] is None or pd.isna(cell[columns[col]]) else str(cell[columns[col]]).strip())
                 for col in ("reason", "by")}
        rows.append({"project_id": pid, "criterion": code, "level": level, **texts})
    out = pd.DataFrame(rows, columns=["project_id", "criterion", "level", "reason", "by"], dtype=object)
    dup = out.duplicated(["project_id", "criterion"], keep=False)
    if dup.any():
        first = out.loc[dup].iloc[0]
        raise EnergieplanologieError(
            f"{name}: {first['project_id']} / {first['criterion']} staat meer dan eens in de {what}")
    return out


# ---------------------------------------------------------------------------------------------- the result
@dataclass(frozen=True)
class Assessment:
    """The outcome of :func:`score_projects`.

    Attributes
    ----------
    framework : Framework
        The afwegingskader used.
    scores : DataFrame
        Long: ``project_id, criterion, level, level_label, points, value, reason, source, overridden_from``;
        one row per project and criterion (H included, not scored). ``source`` is ``derived``, ``user``,
        ``override`` or ``missing``; ``missing`` scores count as ``scale.missing_points`` and say so.
    table : DataFrame
        Wide, one row per project in rank order: ``project_id, name, infra_type, status, station_id,
        year_ready, cost_meur``, one column per criterion code (level key; for unscored criteria their value,
        H = cost in M€), ``weighted_score`` (0–100, two decimals), ``rank`` (1 = best, decided on the score as
        shown: projects showing the same score share the lowest rank and are listed by ``project_id``),
        ``n_missing``, ``rank_p05, rank_p95, p_top_k``.
    stability : DataFrame
        ``project_id, rank, rank_min, rank_max, rank_p05, rank_p95, p_top_k`` under seeded weight
        perturbation.
    overrides : DataFrame
        ``project_id, criterion, old_level, new_level, old_source, reason, by``: every override applied.
    evidence : DataFrame
        Per project the measures behind the derived scores (MW enabled, development ids, MW per M€, first
        shortage year without the project, hotspot ids, constraint overlap …), for the project sheets.
    scenario, year, top_k, n_perturbations, weight_noise, seed
        The settings used.
    """

    framework: Framework
    scores: pd.DataFrame
    table: pd.DataFrame
    stability: pd.DataFrame
    overrides: pd.DataFrame
    evidence: pd.DataFrame
    scenario: str
    year: int
    top_k: int
    n_perturbations: int
    weight_noise: float
    seed: int
    settings: Mapping[str, Any] = field(default_factory=dict)

    def reasons(self, project_id: str) -> pd.DataFrame:
        """The score rows of one project, in criterion order."""
        return self.scores.loc[self.scores["project_id"] == project_id].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------- derivations
def _result(projects: pd.DataFrame, level: Any, value: Any, reason: Any) -> pd.DataFrame:
    n = len(projects)

    def arr(x: Any) -> np.ndarray:
        return np.asarray(x, dtype=object) if not np.isscalar(x) and x is not None else np.full(n, x, dtype=object)

    return pd.DataFrame({"project_id": projects["project_id"].to_numpy(dtype=object), "level": arr(level),
                         "value": arr(value), "reason": arr(reason)})


def _three(value: np.ndarray, hoog: float, gemiddeld: float) -> np.ndarray:
    return np.where(value >= hoog, "hoog", np.where(value >= gemiddeld, "gemiddeld", "laag")).astype(object)


def _added_mw(projects: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    off = pd.to_numeric(projects["offtake_capacity_added_mw"], errors="coerce").fillna(0.0).to_numpy(float)
    feed = pd.to_numeric(projects["feedin_capacity_added_mw"], errors="coerce").fillna(0.0).to_numpy(float)
    return off, feed


def _score_enablement(projects: pd.DataFrame, enablement: pd.DataFrame, developments: pd.DataFrame,
                      crit: Criterion, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A: the most MW enabled in any year up to the horizon, and the developments enabled in those years."""
    t = crit.thresholds
    en = enablement.loc[pd.to_numeric(enablement["year"]) <= horizon].reset_index(drop=True)
    per_year = en.groupby(["project_id", "year"], sort=True)["mw_enabled"].sum()
    best = per_year.groupby(level=0).max()
    best_year = per_year.groupby(level=0).idxmax().map(lambda k: k[1])
    ids = (en.assign(dev=en["development_ids"].fillna("").astype(str).str.split(";"))[["project_id", "dev"]]
           .explode("dev"))
    ids["dev"] = ids["dev"].str.strip()
    ids = ids.loc[ids["dev"].notna() & (ids["dev"] != "")]
    dev_sets = ids.groupby("project_id")["dev"].agg(lambda s: sorted(set(s)))
    pid = projects["project_id"]
    mw = pid.map(best).fillna(0.0).to_numpy(float)
    year_best = pid.map(best_year)
    dev_lists = [dev_sets.get(p, []) for p in pid]
    n_dev = np.array([len(d) for d in dev_lists])
    level = np.where((mw >= t["hoog_mw"]) | (n_dev >= t["hoog_ontwikkelingen"]), "hoog",
                     np.where((mw >= t["gemiddeld_mw"]) | (n_dev >= t["gemiddeld_ontwikkelingen"]), "gemiddeld",
                              "laag")).astype(object)
    dev_names = developments.set_index("development_id")["name"] if len(developments) else pd.Series(dtype=object)
    linked = projects["station_id"].notna().to_numpy() | pid.isin(enablement["project_id"]).to_numpy()
    reasons = []
    for i in range(len(projects)):
        if not linked[i]:
            reasons.append("niet aan een station gekoppeld: doelbereik niet af te leiden uit de stationsbalans")
            level[i] = None
            continue
        if mw[i] <= 0 and n_dev[i] == 0:
            reasons.append(f"maakt tot en met {horizon} geen ontwikkeling mogelijk die zonder dit project niet past")
            continue
        names = [str(dev_names.get(d, d)) for d in dev_lists[i]]
        reasons.append(
            f"maakt {format_number(mw[i], 1, 'MW')} aan ontwikkelingen mogelijk (in {int(year_best.iloc[i])}); "
            f"{n_dev[i]} ontwikkeling{'en' if n_dev[i] != 1 else ''}: {_names(names)}"
            f" (drempels: hoog ≥ {format_number(t['hoog_mw'], 0, 'MW')} of ≥ {t['hoog_ontwikkelingen']}, "
            f"gemiddeld ≥ {format_number(t['gemiddeld_mw'], 0, 'MW')} of ≥ {t['gemiddeld_ontwikkelingen']})")
    evidence = pd.DataFrame({"project_id": pid.to_numpy(dtype=object), "mw_enabled": mw,
                             "developments_enabled": n_dev,
                             "development_ids": [";".join(d) for d in dev_lists]})
    return _result(projects, level, mw, reasons), evidence


def _score_hotspot(projects: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame | None, crit: Criterion
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """B (default): in or touching a knooppunt → goed; within ``afstand_m`` → voldoende; else slecht."""
    n = len(projects)
    pid = projects["project_id"].to_numpy(dtype=object)
    empty_ev = pd.DataFrame({"project_id": pid, "hotspot_ids": [""] * n, "hotspot_distance_m": np.nan})
    if hotspots is None or len(hotspots) == 0:
        return _result(projects, None, np.nan, "geen knooppunten gevonden: aansluiting op de energievisie niet "
                                               "af te leiden"), empty_ev
    near = float(crit.thresholds["afstand_m"])
    geoms = projects.geometry.to_numpy()
    hs_geoms = hotspots.geometry.to_numpy()
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    tree = shapely.STRtree(hs_geoms)
    left, right = tree.query(geoms, predicate="intersects")
    hs_ids = hotspots["hotspot_id"].astype(str).to_numpy()
    hs_names = (hotspots["name"].astype(str).to_numpy() if "name" in hotspots.columns else hs_ids)
    inside: dict[int, list[int]] = {}
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        inside.setdefault(a, []).append(b)
    dist = np.full(n, np.nan)
    nearest = np.full(n, -1)
    if valid.any():
        (qi, hi), d = tree.query_nearest(geoms[valid], return_distance=True, all_matches=False)
        idx = np.flatnonzero(valid)[qi]
        dist[idx] = d
        nearest[idx] = hi
    level = np.empty(n, dtype=object)
    reasons = []
    ids_out = []
    for i in range(n):
        if not valid[i]:
            level[i] = None
            reasons.append("project heeft geen geometrie: ligging ten opzichte van knooppunten onbekend")
            ids_out.append("")
        elif i in inside:
            members = sorted(inside[i], key=lambda j: hs_ids[j])
            level[i] = "hoog"
            reasons.append(f"ligt in of raakt knooppunt {_names([f'{hs_names[j]} ({hs_ids[j]})' for j in members])}; "
                           "de energievisie concentreert uitbreiding in knooppunten")
            ids_out.append(";".join(hs_ids[j] for j in members))
        elif dist[i] <= near:
            j = nearest[i]
            level[i] = "gemiddeld"
            reasons.append(f"ligt op {format_number(dist[i] / 1000, 1, 'km')} van knooppunt {hs_names[j]} ({hs_ids[j]}); "
                           f"binnen {format_number(near / 1000, 1, 'km')}")
            ids_out.append("")
        else:
            j = nearest[i]
            level[i] = "laag"
            reasons.append(f"ligt buiten de knooppunten (dichtstbijzijnde: {hs_names[j]} op "
                           f"{format_number(dist[i] / 1000, 1, 'km')}); buiten knooppunten ligt de focus op "
                           "benutten van bestaande infrastructuur")
            ids_out.append("")
    evidence = pd.DataFrame({"project_id": pid, "hotspot_ids": ids_out, "hotspot_distance_m": dist})
    return _result(projects, level, dist, reasons), evidence


def _score_efficiency(projects: pd.DataFrame, crit: Criterion) -> tuple[pd.DataFrame, pd.DataFrame]:
    """C: MW of capacity added (offtake + feed-in) per M€ of cost."""
    t = crit.thresholds
    off, feed = _added_mw(projects)
    added = off + feed
    cost = pd.to_numeric(projects["cost_meur"], errors="coerce").to_numpy(float)
    known = np.isfinite(cost) & (cost > 0) & (added > 0)
    ratio = np.where(known, added / np.where(known, cost, 1.0), np.nan)
    level = np.where(known, _three(np.nan_to_num(ratio), t["hoog_mw_per_meur"], t["gemiddeld_mw_per_meur"]),
                     None)  # type: ignore[call-overload]  # numpy's stubs: None as a value
    reasons = []
    for i in range(len(projects)):
        if added[i] <= 0:
            reasons.append("voegt geen stationscapaciteit toe: efficiëntie niet af te leiden uit MW per M€")
        elif not (np.isfinite(cost[i]) and cost[i] > 0):
            reasons.append(f"voegt {format_number(added[i], 1, 'MW')} toe, maar de kosten zijn onbekend")
        else:
            reasons.append(
                f"{format_number(ratio[i], 2, 'MW')} per M€: {format_number(added[i], 1, 'MW')} toegevoegd "
                f"({format_number(off[i], 1)} afname + {format_number(feed[i], 1)} invoeding) voor "
                f"{format_number(cost[i], 1, 'M€')} (drempels: hoog ≥ {format_number(t['hoog_mw_per_meur'], 1)}, "
                f"gemiddeld ≥ {format_number(t['gemiddeld_mw_per_meur'], 1)} MW per M€)")
    evidence = pd.DataFrame({"project_id": projects["project_id"].to_numpy(dtype=object), "mw_added": added,
                             "mw_per_meur": ratio})
    return _result(projects, level, ratio, reasons), evidence


_DIRECTION_NL = {"offtake": "afname", "feedin": "invoeding"}


def _flex_mw(projects: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A flex asset's power per direction it relieves (storage both, electrolyser/e-boiler feed-in, gas_to_power
    offtake; see :mod:`energieplanologie.flex`), and whether it is storage (its relief is ``flex_battery_mw``)."""
    from energieplanologie.schema import FLEX_TYPES

    kind = projects["infra_type"].to_numpy(dtype=object)
    power = (pd.to_numeric(projects["power_mw"], errors="coerce").fillna(0.0).to_numpy(float)
             if "power_mw" in projects else np.zeros(len(projects)))
    power = np.where(np.isin(kind, FLEX_TYPES), power, 0.0)
    storage = np.isin(kind, ("battery", "heat_storage"))
    return (np.where(storage | (kind == "gas_to_power"), power, 0.0),
            np.where(storage | np.isin(kind, ("electrolyser", "e_boiler")), power, 0.0), storage)


def _window_reasons(need: pd.DataFrame | None) -> dict[str, tuple[str, float]]:
    """Per project that ends a shortage window (``flexbehoefte``): the window in words and the flex it spares."""
    if need is None or not len(need):
        return {}
    out: dict[str, tuple[str, float]] = {}
    for row in need.loc[need["resolved_by"] != ""].itertuples(index=False):
        years = f"{row.from_year}" if row.from_year == row.to_year else f"{row.from_year}–{row.to_year}"
        text = (f"beëindigt het tekort {_DIRECTION_NL.get(row.direction, row.direction)} op station "
                f"{row.station_name} ({row.station_id}) in {years}, dat tot dan alleen met "
                f"{format_number(row.max_shortage_mw, 1, 'MW')} flex (opslag, conversie of niet-vaste contracten) "
                "te overbruggen is")
        for pid in str(row.resolved_by).split(";"):
            previous = out.get(pid)
            out[pid] = ((previous[0] + "; " + text) if previous else text,
                        max(previous[1] if previous else 0.0, float(row.max_shortage_mw)))
    return out


def _score_urgency(projects: pd.DataFrame, balance: pd.DataFrame, stations: pd.DataFrame, crit: Criterion,
                   horizon: int, need: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """D: the shortage at the linked station *without this project*, and its first year.

    The balance is linear in capacity, so the headroom without the project is the balance's headroom minus the
    project's own added capacity from its ``year_ready`` on (only where the balance counted it: its
    ``capacity_added_mw`` is at least the project's own addition). As for the enablement (A), the project is
    judged with all other projects in place: it is *needed* when the station is short without it in a year it is
    in service (``year ≥ year_ready``). A needed project's urgency is the first year the station is short
    without it — possibly before it is ready, which means it must be accelerated. A shortage that other projects
    solve before this one is ready does not make it needed. A project without ``year_ready`` counts in no year
    (its capacity is not in the balance), so it is needed whenever its station is short.

    A flex asset (``power_mw``, :mod:`energieplanologie.flex`) is judged the same way on the directions it
    relieves: without it the load rises by its power, at most by what that kind of flex relieved in the row. A
    project whose ``year_ready`` ends a shortage window of ``need`` (:func:`energieplanologie.flex.flex_need`)
    says so in its reason: until then only flex could bridge that shortage.
    """
    t = crit.thresholds
    min_short = float(t["min_tekort_mw"])
    until = int(t["hoog_tot_jaar"])
    off, feed = _added_mw(projects)
    flex_off, flex_feed, storage = _flex_mw(projects)
    pid = projects["project_id"].to_numpy(dtype=object)
    rows = pd.DataFrame({"project_id": pid, "station_id": projects["station_id"].to_numpy(dtype=object),
                         "year_ready": pd.to_numeric(projects["year_ready"], errors="coerce").to_numpy(float),
                         "offtake": off, "feedin": feed, "storage": storage})
    long = rows.melt(id_vars=["project_id", "station_id", "year_ready", "storage"], value_vars=["offtake", "feedin"],
                     var_name="direction", value_name="own_mw")
    long["flex_mw"] = np.concatenate([flex_off, flex_feed])  # melt stacks offtake rows, then feed-in rows
    # Directions the project serves; a project that adds no MW is judged on both directions of its station.
    serves = long["own_mw"] + long["flex_mw"]
    adds_any = serves.groupby(long["project_id"]).transform("sum") > 0
    long = long.loc[(serves > 0) | ~adds_any]
    flex_cols = [c for c in ("flex_battery_mw", "flex_conversion_mw") if c in balance.columns]
    bal = balance.loc[pd.to_numeric(balance["year"]) <= horizon,
                      ["station_id", "year", "direction", "headroom_mw", "capacity_added_mw", *flex_cols]]
    m = long.dropna(subset=["station_id"]).merge(bal, on=["station_id", "direction"], how="inner")
    counted = (m["year"] >= m["year_ready"]) & (m["capacity_added_mw"].fillna(0) + 1e-9 >= m["own_mw"])
    relieved = (np.where(m["storage"], m["flex_battery_mw"], m["flex_conversion_mw"]) if len(flex_cols) == 2
                else np.zeros(len(m)))
    flex_counted = np.where(m["year"] >= m["year_ready"], np.minimum(m["flex_mw"], relieved), 0.0)
    m["headroom_without"] = m["headroom_mw"] - np.where(counted, m["own_mw"], 0.0) - flex_counted
    m["short_without"] = (-m["headroom_without"]).clip(lower=0.0)
    short = m.loc[m["short_without"] >= min_short].sort_values(["project_id", "year", "direction"])
    in_service = short["year_ready"].isna() | (short["year"] >= short["year_ready"])
    needed = set(short.loc[in_service, "project_id"])
    first = short.groupby("project_id").first()
    worst = short.groupby("project_id")["short_without"].max()
    station_names = stations.set_index("station_id")["name"] if len(stations) else pd.Series(dtype=object)
    has_balance = set(m["project_id"])
    level = np.empty(len(projects), dtype=object)
    reasons = []
    first_year = np.full(len(projects), np.nan)
    first_mw = np.full(len(projects), np.nan)
    windows = _window_reasons(need)
    bridged = np.array([windows.get(str(p), ("", np.nan))[1] for p in pid], dtype=float)
    for i, p in enumerate(pid):
        sid = rows.at[i, "station_id"]
        if pd.isna(sid):
            level[i] = None
            reasons.append("niet aan een station gekoppeld: urgentie niet af te leiden uit de stationsbalans")
            continue
        sname = f"{station_names.get(sid, sid)} ({sid})"
        if p not in has_balance:
            level[i] = None
            reasons.append(f"geen stationsbalans voor station {sname}: urgentie niet af te leiden")
            continue
        if p not in first.index:
            level[i] = "laag"
            reasons.append(f"station {sname} heeft ook zonder dit project tot en met {horizon} geen tekort")
            continue
        fy = int(first.at[p, "year"])
        ready = rows.at[i, "year_ready"]
        if p not in needed:
            level[i] = "laag"
            reasons.append(f"het tekort op station {sname} (vanaf {fy}) is opgelost vóór dit project gereed is "
                           f"({int(ready)}); zodra het gereed is, is er ook zonder dit project geen tekort")
            continue
        first_year[i] = fy
        first_mw[i] = float(first.at[p, "short_without"])
        d = _DIRECTION_NL.get(first.at[p, "direction"], first.at[p, "direction"])
        text = (f"station {sname} heeft zonder dit project een tekort {d} vanaf {fy} "
                f"({format_number(first_mw[i], 1, 'MW')}; max. {format_number(worst[p], 1, 'MW')} tot en met "
                f"{horizon})")
        if np.isfinite(ready) and ready > fy:
            text += f"; project pas gereed in {int(ready)}: versnelling nodig"
        level[i] = "hoog" if fy <= until else "gemiddeld"
        reasons.append(text + (f" (hoog: tekort uiterlijk in {until})" if fy <= until else
                               f" (na {until}: gemiddelde urgentie)"))
    for i, p in enumerate(pid):  # the shortage windows it ends, in words (flexbehoefte)
        if str(p) in windows:
            reasons[i] = f"{reasons[i]}; {windows[str(p)][0]}"
    evidence = pd.DataFrame({"project_id": pid, "first_shortage_year_without": first_year,
                             "shortage_without_mw": first_mw, "flex_bridged_mw": bridged})
    return _result(projects, level, first_year, reasons), evidence


def _score_constraints(projects: gpd.GeoDataFrame, constraints: gpd.GeoDataFrame | None, crit: Criterion
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """F: share of the buffered project inside constraint areas, and whether a heavy kind is touched."""
    t = crit.thresholds
    n = len(projects)
    pid = projects["project_id"].to_numpy(dtype=object)
    if constraints is None or len(constraints) == 0:
        ev = pd.DataFrame({"project_id": pid, "constraint_share": np.nan, "constraint_names": [""] * n})
        return _result(projects, None, np.nan, "geen beperkingenlagen opgegeven: ruimtelijke inpasbaarheid niet "
                                               "af te leiden"), ev
    heavy = {str(k).casefold() for k in t["zware_soorten"]}
    buf = float(t["buffer_m"])
    geoms = projects.geometry.to_numpy()
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    zones = shapely.buffer(np.where(valid, geoms, shapely.Point(0, 0)), buf)
    zone_area = shapely.area(zones)
    kinds = constraints["kind"].astype(str).str.casefold()
    c_geoms = constraints.geometry.to_numpy()
    # Overlap share: dissolve all constraints (overlapping areas are counted once), then one vectorised intersection.
    all_area = shapely.area(shapely.intersection(zones, shapely.union_all(c_geoms)))
    heavy_mask = kinds.isin(list(heavy)).to_numpy()
    heavy_area = (shapely.area(shapely.intersection(zones, shapely.union_all(c_geoms[heavy_mask])))
                  if heavy_mask.any() else np.zeros(n))
    share = np.where(valid, all_area / zone_area, np.nan)
    left, right = shapely.STRtree(c_geoms).query(zones, predicate="intersects")
    labels = (constraints["kind"].astype(str) + " " +
              constraints["name"].fillna("").astype(str).map(lambda s: f"'{s}'" if s else "")).str.strip().to_numpy()
    touched: dict[int, list[str]] = {}
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        touched.setdefault(a, [])
        if labels[b] not in touched[a]:
            touched[a].append(labels[b])
    level = np.empty(n, dtype=object)
    reasons = []
    for i in range(n):
        if not valid[i]:
            level[i] = None
            reasons.append("project heeft geen geometrie: ruimtelijke inpasbaarheid onbekend")
            continue
        names = sorted(touched.get(i, []))
        pct = format_number(100 * share[i], 0, "%")
        if not names or all_area[i] <= 0:
            level[i] = "hoog"
            reasons.append(f"raakt geen beperkingsgebied (buffer {format_number(buf, 0, 'm')})")
        elif heavy_area[i] > 0:
            level[i] = "laag"
            reasons.append(f"raakt een zwaar beperkingsgebied: {_names(names)}; {pct} van het project "
                           f"(buffer {format_number(buf, 0, 'm')}) ligt in beperkingsgebied")
        elif share[i] >= float(t["veel_aandeel"]):
            level[i] = "laag"
            reasons.append(f"{pct} van het project (buffer {format_number(buf, 0, 'm')}) ligt in beperkingsgebied: "
                           f"{_names(names)} (veel: ≥ {format_number(100 * t['veel_aandeel'], 0, '%')})")
        else:
            level[i] = "gemiddeld"
            reasons.append(f"{pct} van het project (buffer {format_number(buf, 0, 'm')}) ligt in beperkingsgebied: "
                           f"{_names(names)}")
    ev = pd.DataFrame({"project_id": pid, "constraint_share": share,
                       "constraint_names": ["; ".join(sorted(touched.get(i, []))) for i in range(n)]})
    return _result(projects, level, share, reasons), ev


def _score_cost(projects: pd.DataFrame) -> pd.DataFrame:
    """H: reported, not scored."""
    cost = pd.to_numeric(projects["cost_meur"], errors="coerce").to_numpy(float)
    funding = projects["funding"] if "funding" in projects.columns else pd.Series(["unknown"] * len(projects))
    reasons = [
        (f"investering ca. {format_number(c, 1, 'M€')}" if np.isfinite(c) else "kosten onbekend")
        + f"; financiering: {value_label('funding', f).lower() if pd.notna(f) else 'onbekend'}"
        for c, f in zip(cost, funding, strict=True)
    ]
    return _result(projects, None, cost, reasons)


# ---------------------------------------------------------------------------------------------- weighting
#: Decimals of the weighted score as every table shows it; ranks are decided on the score so rounded.
SCORE_DECIMALS = 2


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Rank per column, highest score first, on the score as shown (rounded to :data:`SCORE_DECIMALS`): two
    projects that show the same score share the lowest rank (1, 2, 2, 4), never 7 and 8 for two times 57,14."""
    return pd.DataFrame(-np.round(scores, SCORE_DECIMALS)).rank(method="min", axis=0).to_numpy().astype(int)


def _weighted(points: np.ndarray, weights: np.ndarray, max_points: float) -> np.ndarray:
    """0–100 score per project (rows) and weight set (columns of ``weights``)."""
    return 100.0 * (points @ weights) / (max_points * weights.sum(axis=0))


def _stability(points: np.ndarray, weights: np.ndarray, max_points: float, *, top_k: int, n: int, noise: float,
               seed: int) -> dict[str, np.ndarray]:
    """Ranks under mean-preserving log-normal weight noise: w' = w · exp(σz − σ²/2), z ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((len(weights), n))
    perturbed = weights[:, None] * np.exp(noise * z - noise**2 / 2.0)
    scores = _weighted(points, perturbed, max_points)
    ranks = _ranks(scores)
    return {
        "rank_min": ranks.min(axis=1).astype(int),
        "rank_max": ranks.max(axis=1).astype(int),
        "rank_p05": np.quantile(ranks, 0.05, axis=1, method="inverted_cdf").astype(int),
        "rank_p95": np.quantile(ranks, 0.95, axis=1, method="inverted_cdf").astype(int),
        "p_top_k": (ranks <= top_k).mean(axis=1),
    }


# ---------------------------------------------------------------------------------------------- main
def _hotspot_frame(hotspots: Any) -> gpd.GeoDataFrame | None:
    if hotspots is None:
        return None
    return getattr(hotspots, "hotspots", hotspots)


def score_projects(
    region: Any,
    *,
    framework: str | Path | Framework | Mapping[str, Any] | None = None,
    scenario: str = "verwacht",
    year: int | None = None,
    balance: pd.DataFrame | None = None,
    enablement: pd.DataFrame | None = None,
    hotspots: Any = None,
    user_scores: pd.DataFrame | str | Path | None = None,
    overrides: pd.DataFrame | str | Path | None = None,
    projects: Sequence[str] | None = None,
    top_k: int | None = None,
    n_perturbations: int | None = None,
    weight_noise: float | None = None,
    seed: int | None = None,
    hotspot_options: Mapping[str, Any] | None = None,
    scenarios: Mapping[str, Any] | None = None,
) -> Assessment:
    """Score every project on the afwegingskader, rank them and report the ranking's stability.

    Parameters
    ----------
    region : Region
        The study area; ``region.infrastructure`` holds the projects.
    framework : str, Path, Framework or mapping, optional
        ``"default"``, a framework TOML or a loaded :class:`Framework`. None: the default. (A project's
        ``[assessment]`` table gives all these keyword arguments:
        :meth:`~energieplanologie.config.ProjectSettings.assessment_options`.)
    scenario : str, default "verwacht"
        Scenario of the balance and enablement computed here when they are not given.
    year : int, optional
        Horizon: A and D look at analysis years up to it. Default the last analysis year.
    balance, enablement : DataFrame, optional
        :func:`energieplanologie.balance.station_balance` and
        :func:`energieplanologie.balance.project_enablement` results; computed when None.
    hotspots : GeoDataFrame or HotspotResult, optional
        Knooppunten for B; detected with :func:`energieplanologie.hotspots.detect_hotspots` when None.
    user_scores : DataFrame or path (CSV/XLSX), optional
        The working organisation's judgements (``project_id, criterion, level, reason``), for E and G and,
        when given, B. A judgement on a derived criterion (A, C, D, F) counts as an override.
    overrides : DataFrame or path, optional
        ``project_id, criterion, level, reason[, by]``: replace any score; each one is recorded.
    projects : sequence of str, optional
        Project ids to score; default every project whose status is not ``existing``.
    top_k : int, optional
        For ``p_top_k``: the probability that a project ranks in the top *k* under weight perturbation
        (1 … 10,000). None: 5.
    n_perturbations : int, optional
        Number of perturbed weight sets (1 … 100,000). None: 1000.
    weight_noise : float, optional
        σ of the multiplicative log-normal noise on each weight (0: no perturbation; at most 5). None: 0.25.
    seed : int, optional
        Seed of the perturbation (0 … 2³² − 1); the result is identical for the same seed. None: 0.
    hotspot_options : mapping, optional
        Keyword arguments of :func:`~energieplanologie.hotspots.detect_hotspots` when the knooppunten are detected
        here (``[hotspots]`` of the project configuration).
    scenarios : mapping, optional
        The user's scenario tables, when ``scenario`` names one of them.

    Returns
    -------
    Assessment

    Examples
    --------
    >>> import energieplanologie as ep
    >>> from energieplanologie.assessment import score_projects
    >>> options = ep.sample_settings().assessment_options()  # the sample's judgements (beoordelingen.csv)
    >>> result = score_projects(ep.load_sample(), **options, seed=1, n_perturbations=200)
    >>> result.table[["project_id", "weighted_score", "rank"]].head(3)
      project_id  weighted_score  rank
    0        P01           92.86     1
    1        P03           85.71     2
    2        P06           85.71     2
    >>> print(result.scores.set_index(["project_id", "criterion"]).loc[("P09", "F"), "reason"])
    raakt een zwaar beperkingsgebied: natura2000 'Westerschelde & Saeftinghe'; 72 % van het project (buffer 100 m) ligt in beperkingsgebied
    """
    # An argument, else the default; checked where every setting is (options.py), naming the key.
    chosen_settings = stability_settings(top_k=top_k, n_perturbations=n_perturbations, weight_noise=weight_noise,
                                         seed=seed)
    top_k, n_perturbations = int(chosen_settings["top_k"]), int(chosen_settings["n_perturbations"])
    weight_noise, seed = float(chosen_settings["weight_noise"]), int(chosen_settings["seed"])
    fw = load_framework(framework if framework is not None else "default")
    horizon = int(year) if year is not None else int(max(region.years))

    infra = region.infrastructure
    if projects is None:
        chosen = infra.loc[infra["status"].fillna("") != "existing"]
    else:
        wanted = [str(p) for p in projects]
        unknown = sorted(set(wanted) - set(infra["project_id"].astype(str)))
        if unknown:
            raise EnergieplanologieError(f"onbekende project_id('s): {', '.join(unknown)}")
        chosen = infra.loc[infra["project_id"].astype(str).isin(wanted)]
    chosen = chosen.sort_values("project_id", kind="stable").reset_index(drop=True)
    ids = chosen["project_id"].astype(str).tolist()

    methods = {c.method for c in fw.criteria}
    if "urgency" in methods and balance is None:
        from energieplanologie.balance import station_balance

        balance = station_balance(region, scenario, scenarios=scenarios)
    if "enablement" in methods and enablement is None:
        from energieplanologie.balance import project_enablement

        enablement = project_enablement(region, scenario, scenarios=scenarios)
    if balance is not None and "scenario" in balance.columns and balance["scenario"].nunique() > 1:
        balance = balance.loc[balance["scenario"] == scenario]
    # Judgements may name any project of the region (e.g. one left out of this run); unknown ids are an error.
    all_ids = infra["project_id"].astype(str).tolist()
    users = read_judgements(user_scores, fw, all_ids, what="beoordelingen") if user_scores is not None else None
    if users is not None:
        users = users.loc[users["project_id"].isin(ids)].reset_index(drop=True)
    # Knooppunten are needed unless the user judged the knooppunt criterion for every project scored.
    hotspot_codes = {c.code for c in fw.criteria if c.method == "hotspot"}
    judged = set() if users is None else set(users.loc[users["criterion"].isin(hotspot_codes), "project_id"])
    if "hotspot" in methods and hotspots is None and not set(ids) <= judged:
        from energieplanologie.hotspots import detect_hotspots

        hotspots = detect_hotspots(region, scenario=scenario, scenarios=scenarios, **dict(hotspot_options or {}))
    hs = _hotspot_frame(hotspots)

    derived: dict[str, pd.DataFrame] = {}
    evidence = pd.DataFrame({"project_id": chosen["project_id"].to_numpy(dtype=object)})
    for crit in fw.criteria:
        ev = None
        if crit.method == "enablement":
            res, ev = _score_enablement(chosen, enablement, region.developments, crit, horizon)
        elif crit.method == "hotspot":
            res, ev = _score_hotspot(chosen, hs, crit)
        elif crit.method == "efficiency":
            res, ev = _score_efficiency(chosen, crit)
        elif crit.method == "urgency":
            from energieplanologie.flex import flex_need

            res, ev = _score_urgency(chosen, balance, region.stations, crit, horizon,
                                     need=flex_need(balance, region) if balance is not None and "status" in balance.columns
                                     else None)
        elif crit.method == "constraints":
            res, ev = _score_constraints(chosen, region.constraints, crit)
        elif crit.method == "cost":
            res = _score_cost(chosen)
        else:  # user
            res = _result(chosen, None, np.nan, f"geen beoordeling ingevoerd (door {crit.judged_by or 'gebruiker'})")
        res["criterion"] = crit.code
        res["source"] = np.where(res["level"].notna(), "derived", "missing") if crit.scored else "derived"
        derived[crit.code] = res
        if ev is not None:
            evidence = evidence.merge(ev.drop_duplicates("project_id"), on="project_id", how="left")
    scores = pd.concat(derived.values(), ignore_index=True)
    scores["overridden_from"] = None

    # User judgements: the source for user criteria and for B; on a derived criterion they act as an override.
    override_rows = []
    if users is not None and len(users):
        as_user = users["criterion"].map(lambda c: fw[c].method in ("user", "hotspot"))
        scores = _apply(scores, users.loc[as_user], "user")
        if (~as_user).any():
            extra = users.loc[~as_user].copy()
            extra["by"] = extra["by"].where(extra["by"] != "", "gebruikersinvoer")
            override_rows.append(extra)
    if overrides is not None:
        ov_all = read_judgements(overrides, fw, all_ids, what="overschrijvingen")
        override_rows.append(ov_all.loc[ov_all["project_id"].isin(ids)])
    applied = pd.DataFrame(columns=["project_id", "criterion", "old_level", "new_level", "old_source", "reason", "by"])
    if override_rows:
        ov = pd.concat(override_rows, ignore_index=True)
        dup = ov.duplicated(["project_id", "criterion"], keep=False)
        if dup.any():
            first = ov.loc[dup].iloc[0]
            raise EnergieplanologieError(
                f"{first['project_id']} / {first['criterion']} wordt meer dan eens overschreven")
        before = scores.set_index(["project_id", "criterion"])
        keys = pd.MultiIndex.from_frame(ov[["project_id", "criterion"]])
        applied = pd.DataFrame({
            "project_id": ov["project_id"].to_numpy(dtype=object), "criterion": ov["criterion"].to_numpy(dtype=object),
            "old_level": before.loc[keys, "level"].to_numpy(dtype=object),
            "new_level": ov["level"].to_numpy(dtype=object),
            "old_source": before.loc[keys, "source"].to_numpy(dtype=object),
            "reason": ov["reason"].to_numpy(dtype=object), "by": ov["by"].to_numpy(dtype=object),
        }).sort_values(["project_id", "criterion"], kind="stable").reset_index(drop=True)
        scores = _apply(scores, ov, "override")

    scores["level"] = pd.Series([None if pd.isna(v) else v for v in scores["level"]], index=scores.index, dtype=object)
    crit_order = {c: i for i, c in enumerate(fw.codes)}
    scores = scores.assign(_o=scores["criterion"].map(crit_order)).sort_values(
        ["project_id", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    by_code = {c.code: c for c in fw.criteria}
    pts_map = {c.code: {k: lv.points for k, lv in c.levels.items()} for c in fw.criteria}
    scores["points"] = [
        (fw.missing_points if lv is None else pts_map[c][lv]) if by_code[c].scored else np.nan
        for c, lv in zip(scores["criterion"], scores["level"], strict=True)
    ]
    scores["level_label"] = [by_code[c].label(lv) for c, lv in zip(scores["criterion"], scores["level"], strict=True)]
    scores.loc[scores["source"] == "missing", "reason"] = (
        scores.loc[scores["source"] == "missing", "reason"] + "; neutraal gescoord")
    scores = scores[["project_id", "criterion", "level", "level_label", "points", "value", "reason", "source",
                     "overridden_from"]]

    # Weighted score, rank and stability.
    scored = [c for c in fw.scored]
    weights = np.array([c.weight for c in scored], dtype=float)
    max_points = max(lv.points for c in scored for lv in c.levels.values())
    pmat = (scores.loc[scores["criterion"].isin([c.code for c in scored])]
            .pivot(index="project_id", columns="criterion", values="points")
            .reindex(index=ids, columns=[c.code for c in scored]).to_numpy(float))
    base = _weighted(pmat, weights[:, None], max_points)[:, 0] if len(ids) else np.array([])
    rank = _ranks(base[:, None])[:, 0] if len(ids) else np.array([], dtype=int)
    stab = (_stability(pmat, weights, max_points, top_k=top_k, n=n_perturbations, noise=weight_noise, seed=seed)
            if len(ids) else {k: np.array([]) for k in ("rank_min", "rank_max", "rank_p05", "rank_p95", "p_top_k")})
    stability = pd.DataFrame({"project_id": ids, "rank": rank, **stab})

    wide = scores.pivot(index="project_id", columns="criterion", values="level").reindex(index=ids)
    for c in fw.criteria:
        if not c.scored:
            wide[c.code] = scores.loc[scores["criterion"] == c.code].set_index("project_id")["value"].reindex(ids)
    wide = wide.reindex(columns=fw.codes)
    n_missing = (scores.loc[scores["source"] == "missing"].groupby("project_id").size().reindex(ids, fill_value=0))
    info = chosen.set_index("project_id").reindex(ids)
    table = pd.DataFrame({
        "project_id": ids,
        "name": info["name"].to_numpy(dtype=object),
        "infra_type": info["infra_type"].to_numpy(dtype=object),
        "status": info["status"].to_numpy(dtype=object),
        "station_id": info["station_id"].to_numpy(dtype=object),
        "year_ready": info["year_ready"].array,
        "cost_meur": pd.to_numeric(info["cost_meur"], errors="coerce").to_numpy(float),
    })
    for code in fw.codes:
        table[code] = wide[code].to_numpy(dtype=object if by_code[code].scored else float)
    table["weighted_score"] = np.round(base, SCORE_DECIMALS)
    table["rank"] = rank
    table["n_missing"] = n_missing.to_numpy(int)
    table["rank_p05"] = stab["rank_p05"]
    table["rank_p95"] = stab["rank_p95"]
    table["p_top_k"] = np.round(stab["p_top_k"], 3)
    table = table.sort_values(["rank", "project_id"], kind="stable").reset_index(drop=True)

    return Assessment(
        framework=fw, scores=scores, table=table, stability=stability, overrides=applied,
        evidence=evidence.reset_index(drop=True), scenario=scenario, year=horizon, top_k=top_k,
        n_perturbations=n_perturbations, weight_noise=weight_noise, seed=seed,
    )


def _apply(scores: pd.DataFrame, judgements: pd.DataFrame, source: str) -> pd.DataFrame:
    """Replace levels and reasons of the judged (project, criterion) pairs; keep the old level when overriding."""
    if not len(judgements):
        return scores
    key = scores["project_id"].astype(str) + "\x1f" + scores["criterion"]
    j = judgements.assign(_k=judgements["project_id"] + "\x1f" + judgements["criterion"]).set_index("_k")
    hit = key.isin(j.index)
    new = scores.copy()
    k = key[hit]
    if source == "override":
        old_label = new.loc[hit, "level"].where(new.loc[hit, "level"].notna(), "geen invoer")
        new.loc[hit, "overridden_from"] = old_label.to_numpy(dtype=object)
        by = j.loc[k, "by"].where(j.loc[k, "by"] != "", "gebruiker").to_numpy(dtype=object)
        why = j.loc[k, "reason"].where(j.loc[k, "reason"] != "", "geen reden opgegeven").to_numpy(dtype=object)
        old_reason = new.loc[hit, "reason"].to_numpy(dtype=object)
        new.loc[hit, "reason"] = [f"overschreven door {b}: {w} (was: {o})" for b, w, o in zip(by, why, old_reason, strict=True)]
    else:
        who = j.loc[k, "by"].to_numpy(dtype=object)
        why = j.loc[k, "reason"].where(j.loc[k, "reason"] != "", "geen toelichting").to_numpy(dtype=object)
        new.loc[hit, "reason"] = [f"{w} (beoordeling {b})" if b else str(w) for w, b in zip(why, who, strict=True)]
    new.loc[hit, "level"] = j.loc[k, "level"].to_numpy(dtype=object)
    new.loc[hit, "source"] = source
    return new
