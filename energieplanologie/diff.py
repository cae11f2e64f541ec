"""What changed between two programming rounds: compare two output GeoPackages of ``demo``/``run``.

The source document runs integraal programmeren every two years; each round starts from the last one. Given the
``energieplanologie.gpkg`` of two rounds, :func:`diff_rounds` lists

* projects **added** and **removed** (layer ``infrastructuur``);
* projects **re-planned**: a change of ``year_ready``, ``cost_meur``, ``station_id``, added capacity, ``status``,
  ``funding`` or location (geometry moved by more than :data:`GEOMETRY_TOLERANCE_M`);
* projects **re-scored** (table ``afweging``): a criterion's level or the weighted score changed;
* stations whose **shortage changed** (layer ``stationsbalans``), per scenario, year and direction.

Layers are read with their Dutch headers mapped back to canonical names
(:func:`energieplanologie.labels.from_dutch`). The diff writes no files:
:func:`energieplanologie.diff_report.write_diff` writes ``verschillen.html`` and ``verschillen.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import shapely

from energieplanologie._errors import ReadError
from energieplanologie._html import is_missing
from energieplanologie.labels import LAYER_NAMES, format_number, from_dutch

__all__ = [
    "ASSESSMENT_LAYER",
    "CHANGES",
    "DIFF_COLUMNS",
    "GEOMETRY_TOLERANCE_M",
    "PLANNING_FIELDS",
    "RoundDiff",
    "diff_rounds",
]

#: Name of the assessment table in the output GeoPackage (``Assessment.table`` with Dutch headers).
ASSESSMENT_LAYER = LAYER_NAMES.get("assessment", "afweging")
#: Fields whose change makes a project "re-planned".
PLANNING_FIELDS: tuple[str, ...] = ("year_ready", "cost_meur", "station_id", "offtake_capacity_added_mw",
                                    "feedin_capacity_added_mw", "status", "funding")
#: A project whose geometry moved less than this (Hausdorff distance, metres) is not re-planned.
GEOMETRY_TOLERANCE_M = 1.0
#: Kinds of change and their Dutch words.
CHANGES: dict[str, str] = {"added": "toegevoegd", "removed": "verwijderd", "replanned": "herpland",
                           "rescored": "anders gescoord", "shortage_changed": "tekort gewijzigd"}
DIFF_COLUMNS: tuple[str, ...] = ("category", "id", "name", "change", "field", "scenario", "year", "direction",
                                 "old", "new")
_NUMERIC_TOL = {"cost_meur": 0.005, "offtake_capacity_added_mw": 0.005, "feedin_capacity_added_mw": 0.005,
                "weighted_score": 0.005, "year_ready": 0.0}


@dataclass(frozen=True)
class RoundDiff:
    """The changes between two rounds.

    Attributes
    ----------
    old, new : str
        The two GeoPackages.
    changes : DataFrame
        One row per change, columns :data:`DIFF_COLUMNS`: ``category`` (``project``/``station``), ``id``,
        ``name``, ``change`` (a key of :data:`CHANGES`), ``field`` (canonical column, ``geometry`` for a moved
        project, a criterion code for a re-scoring), ``scenario``, ``year`` and ``direction`` (stations), and
        the ``old`` and ``new`` value.
    notes : list of str
        What could not be compared (e.g. a round without an ``afweging`` table), in Dutch.
    """

    old: str
    new: str
    changes: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def ids(self, change: str) -> list[str]:
        """The ids with a change of this kind, sorted."""
        return sorted(set(self.changes.loc[self.changes["change"] == change, "id"]))

    @property
    def added(self) -> list[str]:
        return self.ids("added")

    @property
    def removed(self) -> list[str]:
        return self.ids("removed")

    @property
    def replanned(self) -> list[str]:
        return self.ids("replanned")

    @property
    def rescored(self) -> list[str]:
        return self.ids("rescored")

    @property
    def stations(self) -> list[str]:
        """Stations whose shortage changed."""
        return self.ids("shortage_changed")

    def summary(self) -> dict[str, int]:
        """Number of projects / stations per kind of change."""
        return {k: len(self.ids(k)) for k in CHANGES}

    @property
    def empty(self) -> bool:
        return self.changes.empty


def _read(path: Path, layer: str) -> pd.DataFrame | None:
    if layer not in set(pyogrio.list_layers(path)[:, 0]):
        return None
    frame = pyogrio.read_dataframe(path, layer=layer)
    return from_dutch(frame)


_missing = is_missing


def _plain(value: Any) -> Any:
    if _missing(value):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return int(f) if f.is_integer() and abs(f) < 1e15 else f
    return value


def _differs(a: Any, b: Any, tol: float | None) -> bool:
    if _missing(a) and _missing(b):
        return False
    if _missing(a) or _missing(b):
        return True
    if tol is not None:
        try:
            return not math.isclose(float(a), float(b), rel_tol=0.0, abs_tol=tol + 1e-9)
        except (TypeError, ValueError):
            pass
    return str(a).strip() != str(b).strip()


def _rows(records: Iterable[dict[str, Any]]) -> pd.DataFrame:
    records = list(records)
    return pd.DataFrame({c: pd.Series([r[c] for r in records], dtype=object) for c in DIFF_COLUMNS})


def _projects(old: pd.DataFrame, new: pd.DataFrame) -> list[dict[str, Any]]:
    o = old.set_index(old["project_id"].astype(str))
    n = new.set_index(new["project_id"].astype(str))
    out = []
    base = {"category": "project", "scenario": None, "year": None, "direction": None}
    for pid in sorted(set(n.index) - set(o.index)):
        out.append({**base, "id": pid, "name": n.at[pid, "name"], "change": "added", "field": None, "old": None,
                    "new": None})
    for pid in sorted(set(o.index) - set(n.index)):
        out.append({**base, "id": pid, "name": o.at[pid, "name"], "change": "removed", "field": None, "old": None,
                    "new": None})
    common = sorted(set(o.index) & set(n.index))
    for col in PLANNING_FIELDS:
        if col not in o.columns and col not in n.columns:
            continue
        for pid in common:
            a = o.at[pid, col] if col in o.columns else None
            b = n.at[pid, col] if col in n.columns else None
            if _differs(a, b, _NUMERIC_TOL.get(col)):
                out.append({**base, "id": pid, "name": n.at[pid, "name"], "change": "replanned", "field": col,
                            "old": _plain(a), "new": _plain(b)})
    if "geometry" in o.columns and "geometry" in n.columns and common:
        ga = o.loc[common, "geometry"].to_numpy()
        gb = n.loc[common, "geometry"].to_numpy()
        both = ~(shapely.is_missing(ga) | shapely.is_missing(gb))
        dist = np.full(len(common), np.inf)
        dist[both] = shapely.hausdorff_distance(ga[both], gb[both])
        moved = (dist > GEOMETRY_TOLERANCE_M) & ~(shapely.is_missing(ga) & shapely.is_missing(gb))
        for pid, d in zip(np.array(common, dtype=object)[moved], dist[moved], strict=True):
            out.append({**base, "id": pid, "name": n.at[pid, "name"], "change": "replanned", "field": "geometry",
                        "old": None, "new": f"verschoven (tot {format_number(d, 0, 'm')})" if np.isfinite(d)
                        else "ligging gewijzigd"})
    order = {pid: i for i, pid in enumerate(sorted(set(o.index) | set(n.index)))}
    return sorted(out, key=lambda r: (order[r["id"]], list(CHANGES).index(r["change"])))


def _rescored(old: pd.DataFrame, new: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    o = old.set_index(old["project_id"].astype(str))
    n = new.set_index(new["project_id"].astype(str))
    # Criterion columns are single capitals holding levels; a numeric one (H, the cost) is reported, not scored,
    # and its change already shows as a re-planned cost.
    criteria = [c for c in n.columns if len(str(c)) == 1 and str(c).isalpha() and str(c).isupper()
                and not pd.api.types.is_numeric_dtype(n[c])
                and not (c in o.columns and pd.api.types.is_numeric_dtype(o[c]))]
    out = []
    base = {"category": "project", "change": "rescored", "scenario": None, "year": None, "direction": None}
    for pid in sorted(set(o.index) & set(n.index)):
        for c in [*criteria, "weighted_score"]:
            if c not in o.columns or c not in n.columns:
                continue
            a, b = o.at[pid, c], n.at[pid, c]
            if _differs(a, b, _NUMERIC_TOL.get(c)):
                out.append({**base, "id": pid, "name": names.get(pid, n.at[pid, "name"] if "name" in n else pid),
                            "field": c, "old": _plain(a), "new": _plain(b)})
    return out


def _stations(old: pd.DataFrame, new: pd.DataFrame, tolerance: float) -> list[dict[str, Any]]:
    key = ["station_id", "scenario", "year", "direction"]

    def prepare(frame: pd.DataFrame) -> pd.DataFrame:
        scenario = frame["scenario"] if "scenario" in frame.columns else pd.Series(None, index=frame.index)
        return pd.DataFrame({
            "station_id": frame["station_id"].astype(str).to_numpy(dtype=object),
            "scenario": scenario.astype(object).where(scenario.notna(), "").to_numpy(dtype=object),
            "year": pd.to_numeric(frame["year"]).astype("int64").to_numpy(),
            "direction": frame["direction"].to_numpy(dtype=object),
            "shortage_mw": pd.to_numeric(frame["shortage_mw"], errors="coerce").to_numpy(float),
            "station_name": (frame["station_name"] if "station_name" in frame.columns
                             else frame["station_id"]).to_numpy(dtype=object),
        })

    a, b = prepare(old), prepare(new)
    m = a.merge(b, on=key, how="outer", suffixes=("_old", "_new"))
    so, sn = m["shortage_mw_old"].astype(float), m["shortage_mw_new"].astype(float)
    changed = (so.fillna(0.0) - sn.fillna(0.0)).abs() > tolerance
    m = m.loc[changed].sort_values(key, kind="stable")
    name_cols = [c for c in ("station_name_new", "station_name_old") if c in m.columns]
    out = []
    for r in m.itertuples(index=False):
        rec = r._asdict()
        name = next((rec[c] for c in name_cols if not _missing(rec[c])), rec["station_id"])
        out.append({"category": "station", "id": rec["station_id"], "name": name, "change": "shortage_changed",
                    "field": "shortage_mw", "scenario": rec["scenario"] or None, "year": int(rec["year"]),
                    "direction": rec["direction"], "old": _plain(rec["shortage_mw_old"]),
                    "new": _plain(rec["shortage_mw_new"])})
    return out


def diff_rounds(old_gpkg: str | Path, new_gpkg: str | Path, *, shortage_tolerance_mw: float = 0.05) -> RoundDiff:
    """Compare the output GeoPackages of two programming rounds.

    Parameters
    ----------
    old_gpkg, new_gpkg : path
        ``energieplanologie.gpkg`` of the previous and the current round (layers ``infrastructuur``,
        ``stationsbalans`` and the table ``afweging``; a missing layer is reported in ``notes``).
    shortage_tolerance_mw : float, default 0.05
        Shortage changes up to this are rounding, not a change.

    Returns
    -------
    RoundDiff

    Examples
    --------
    >>> d = diff_rounds("ronde-2023/energieplanologie.gpkg", "ronde-2025/energieplanologie.gpkg")  # doctest: +SKIP
    >>> d.summary()  # doctest: +SKIP
    {'added': 2, 'removed': 0, 'replanned': 3, 'rescored': 1, 'shortage_changed': 4}
    """
    paths = [Path(old_gpkg), Path(new_gpkg)]
    for p in paths:
        if not p.is_file():
            raise ReadError(f"{p}: bestand bestaat niet")
    notes: list[str] = []
    layers: dict[str, list[pd.DataFrame | None]] = {}
    for layer in (LAYER_NAMES["infrastructure"], LAYER_NAMES["balance"], ASSESSMENT_LAYER):
        try:
            layers[layer] = [_read(p, layer) for p in paths]
        except Exception as exc:  # an unreadable file is a read error for the user
            raise ReadError(f"{paths[0]} / {paths[1]}: laag {layer} niet te lezen ({exc})") from exc
        for p, frame in zip(paths, layers[layer], strict=True):
            if frame is None:
                notes.append(f"{p.name}: laag '{layer}' ontbreekt; niet vergeleken")

    records: list[dict[str, Any]] = []
    infra_old, infra_new = layers[LAYER_NAMES["infrastructure"]]
    names: dict[str, str] = {}
    if infra_old is not None and infra_new is not None:
        records += _projects(infra_old, infra_new)
        names = {**dict(zip(infra_old["project_id"].astype(str), infra_old["name"], strict=True)),
                 **dict(zip(infra_new["project_id"].astype(str), infra_new["name"], strict=True))}
    af_old, af_new = layers[ASSESSMENT_LAYER]
    if af_old is not None and af_new is not None:
        records += _rescored(af_old, af_new, names)
    bal_old, bal_new = layers[LAYER_NAMES["balance"]]
    if bal_old is not None and bal_new is not None:
        records += _stations(bal_old, bal_new, shortage_tolerance_mw)
    return RoundDiff(old=str(paths[0]), new=str(paths[1]), changes=_rows(records), notes=notes)
