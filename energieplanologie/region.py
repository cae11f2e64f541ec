"""A :class:`Region`: one validated bundle of all layers of a study area.

Build one from frames with :meth:`Region.from_layers`, from a project configuration (DESIGN §9) with
:func:`energieplanologie.load_region_config` (the configuration is one layer up: a region is data and its
validation reports only), or take the shipped sample with :func:`energieplanologie.load_sample`.
Cross-layer rules are checked here: station ids referenced by capacity, infrastructure and developments must
exist; developments get a ``municipality_code`` from their location when they lack one.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from energieplanologie._errors import UnusableLayerError
from energieplanologie.report import ValidationReport
from energieplanologie.schema import SCHEMAS, empty_clean, row_id_map, validate

__all__ = ["DEFAULT_YEARS", "LAYER_TITLES", "Region", "empty_layer", "unusable_layers"]

DEFAULT_YEARS: tuple[int, ...] = (2025, 2030, 2035, 2040)
LAYER_ORDER = ("municipalities", "stations", "station_capacity", "infrastructure", "developments", "constraints")
REQUIRED_LAYERS = ("municipalities", "stations", "station_capacity", "infrastructure", "developments")


#: The layers' Dutch names in messages.
LAYER_TITLES = {"municipalities": "Gemeenten", "stations": "Stations", "station_capacity": "Stationscapaciteit",
                "infrastructure": "Infrastructuur", "developments": "Ontwikkelingen", "constraints": "Beperkingen"}


def unusable_layers(reports: Mapping[str, ValidationReport]) -> dict[str, tuple[str, str]]:
    """The supplied layers (those with a report) that kept no row: kind → ``(code, Dutch reason)``.

    The code is that of the layer's first layer-level error (``missing_crs``, ``empty_layer``, ``missing_column``,
    ``missing_geometry`` …), else ``empty_layer`` for a layer without rows or ``all_rejected`` when every row was
    rejected one by one.

    Examples
    --------
    >>> report = ValidationReport(kind="developments", rows_in=0)
    >>> report.layer_error("empty_layer", "de laag bevat geen rijen")
    >>> unusable_layers({"developments": report})
    {'developments': ('empty_layer', 'de laag bevat geen rijen')}
    """
    out: dict[str, tuple[str, str]] = {}
    for kind in LAYER_ORDER:
        report = reports.get(kind)
        if report is None or report.rows_kept > 0:
            continue
        layer_errors = [f for f in report.errors if not f.rows]
        if layer_errors:
            out[kind] = (layer_errors[0].code, "; ".join(dict.fromkeys(f.message for f in layer_errors)))
        elif report.rows_in == 0:
            out[kind] = ("empty_layer", "de laag bevat geen rijen")
        else:
            out[kind] = ("all_rejected", f"alle {report.rows_in} rijen zijn afgewezen (zie de fouten per rij)")
    return out


def empty_layer(kind: str) -> pd.DataFrame | gpd.GeoDataFrame:
    """An empty, correctly typed frame of a canonical layer kind (e.g. when a region has no constraints)."""
    return _empty_layer(kind).copy()


@functools.cache
def _empty_layer(kind: str) -> pd.DataFrame | gpd.GeoDataFrame:
    """The empty layer, built once per kind (building it costs ~10 ms; callers get a copy)."""
    return empty_clean(SCHEMAS[kind], pd.DataFrame())


@dataclass(frozen=True)
class Region:
    """All layers of one study area, validated, in EPSG:28992.

    Attributes
    ----------
    name : str
        Name of the region, e.g. ``"Zeeuws-Vlaanderen"``.
    municipalities, stations, infrastructure, developments, constraints : GeoDataFrame
        Canonical layers (DESIGN §4); ``constraints`` may be empty.
    station_capacity : DataFrame
        Capacity and baseline load per station and year.
    years : tuple of int
        Analysis years.
    reports : dict of str to ValidationReport
        Per layer, what was read, repaired and rejected (including cross-layer rejections).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> region = ep.load_sample()
    >>> region.name, region.years, len(region.developments)
    ('Zeeuws-Vlaanderen', (2025, 2030, 2035, 2040), 60)
    >>> region.reports["developments"].rows_in == region.reports["developments"].rows_kept
    True
    """

    name: str
    municipalities: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    station_capacity: pd.DataFrame
    infrastructure: gpd.GeoDataFrame
    developments: gpd.GeoDataFrame
    constraints: gpd.GeoDataFrame = field(default_factory=lambda: empty_layer("constraints"))
    years: tuple[int, ...] = DEFAULT_YEARS
    reports: Mapping[str, ValidationReport] = field(default_factory=dict)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_layers(
        cls,
        *,
        name: str,
        municipalities: pd.DataFrame,
        stations: pd.DataFrame,
        station_capacity: pd.DataFrame,
        infrastructure: pd.DataFrame | None = None,
        developments: pd.DataFrame | None = None,
        constraints: pd.DataFrame | None = None,
        years: tuple[int, ...] | list[int] = DEFAULT_YEARS,
        reports: Mapping[str, ValidationReport] | None = None,
        validated: bool = False,
    ) -> Region:
        """Validate each layer, then the cross-layer rules, and bundle the result.

        Parameters
        ----------
        name : str
            Region name.
        municipalities, stations, station_capacity, infrastructure, developments, constraints : frame
            Layers with canonical columns. ``infrastructure``, ``developments`` and ``constraints`` may be None.
        years : sequence of int
            Analysis years.
        reports : mapping, optional
            Reports from reading (when the layers were already validated by a reader).
        validated : bool, default False
            Skip per-layer validation because the frames come from :func:`energieplanologie.io.read_layer`.

        Examples
        --------
        >>> import energieplanologie as ep
        >>> sample = ep.load_sample()
        >>> region = Region.from_layers(name="kopie", municipalities=sample.municipalities,
        ...     stations=sample.stations, station_capacity=sample.station_capacity,
        ...     infrastructure=sample.infrastructure, developments=sample.developments, validated=True)
        >>> len(region.developments) == len(sample.developments)
        True
        """
        layers: dict[str, Any] = {
            "municipalities": municipalities,
            "stations": stations,
            "station_capacity": station_capacity,
            "infrastructure": infrastructure,
            "developments": developments,
            "constraints": constraints,
        }
        # Copies: cross-layer checks add findings, and the caller's reports must stay as they were.
        out_reports: dict[str, ValidationReport] = {k: copy.deepcopy(r) for k, r in (reports or {}).items()}
        for kind, frame in layers.items():
            if frame is None:
                layers[kind] = empty_layer(kind)
                continue
            if not validated:
                clean, rep = validate(frame, kind)
                layers[kind] = clean
                out_reports[kind] = rep
            elif "source_row" not in frame.columns:  # validated elsewhere: the rows are named by their position
                layers[kind] = frame.assign(source_row=np.arange(len(frame)))
        _check_cross_layer(layers, out_reports)
        years_t = tuple(sorted({int(y) for y in years}))
        if not years_t:
            raise ValueError("At least one analysis year is needed.")
        return cls(
            name=name,
            years=years_t,
            reports=out_reports,
            **layers,
        )

    # ------------------------------------------------------------------ helpers
    def layer(self, kind: str) -> pd.DataFrame | gpd.GeoDataFrame:
        """The layer of a canonical kind."""
        if kind not in LAYER_ORDER:
            raise ValueError(f"Unknown layer kind {kind!r}; expected one of {', '.join(LAYER_ORDER)}.")
        return getattr(self, kind)

    def replace(self, **changes: Any) -> Region:
        """A copy with some attributes replaced (layers are not re-validated)."""
        return replace(self, **changes)

    @property
    def ok(self) -> bool:
        """True when no layer lost rows or had errors."""
        return all(r.ok for r in self.reports.values())

    def validation_text(self) -> str:
        """All layer reports as Dutch text, in layer order."""
        parts = [f"Regio {self.name}"]
        for kind in LAYER_ORDER:
            if kind in self.reports:
                parts.append(self.reports[kind].to_text())
        return "\n\n".join(parts)

    def require_usable_layers(self, hints: Mapping[str, str] | None = None) -> Region:
        """Raise :class:`~energieplanologie.UnusableLayerError` when a supplied layer kept no row; else ``self``.

        ``hints`` maps an error code (``missing_crs``, ``empty_layer``, ``all_rejected`` …) to what the user should
        change, in the words of the interface (a configuration key, a command-line option); ``{key}`` in a hint
        becomes the layer's configuration table (``layers.developments``).

        Examples
        --------
        >>> import energieplanologie as ep
        >>> ep.load_sample().require_usable_layers().name
        'Zeeuws-Vlaanderen'
        """
        unusable = unusable_layers(self.reports)
        if not unusable:
            return self
        lines = []
        for kind, (code, reason) in unusable.items():
            source = self.reports[kind].source
            where = f" ({source})" if source else ""
            hint = (hints or {}).get(code, "").format(key=f"layers.{kind}")
            lines.append(f"{LAYER_TITLES[kind]}{where}: geen bruikbare rijen — {reason}." + (f" {hint}" if hint else ""))
        raise UnusableLayerError(" ".join(lines), unusable)

    def validation_dict(self) -> dict[str, Any]:
        """The reports as JSON data (``validatie.json``), with ``unusable``: the supplied layers without a usable row
        (kind → code and reason, see :func:`unusable_layers`)."""
        return {"region": self.name, "layers": {k: self.reports[k].to_dict() for k in LAYER_ORDER if k in self.reports},
                "unusable": {k: {"code": code, "reason": reason}
                             for k, (code, reason) in unusable_layers(self.reports).items()}}

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(getattr(self, k))}" for k in LAYER_ORDER)
        return f"Region({self.name!r}, {counts}, years={list(self.years)})"


def _reject_dangling(frame: pd.DataFrame, kind: str, column: str, known: set[str], target: str,
                     reports: dict[str, ValidationReport]) -> pd.DataFrame:
    """Reject rows whose reference in ``column`` names no row of the target layer, recording each one."""
    values = frame[column]
    bad = values.notna().to_numpy() & ~_isin(values, known)
    if not bad.any():
        return frame
    rep = reports.setdefault(kind, ValidationReport(kind=kind, rows_in=len(frame), rows_kept=len(frame)))
    key = SCHEMAS[kind].key
    for i in np.flatnonzero(bad):
        row = frame.iloc[i]
        rep.row_error(
            row=int(row["source_row"]) if "source_row" in frame.columns else int(i),
            row_id="/".join(str(row[k]) for k in key) if key else None,
            code="unknown_reference",
            column=column,
            value=row[column],
            message=f"{column} verwijst naar een onbekend {target}-id",
        )
    kept = frame.loc[~bad].reset_index(drop=True)
    rep.rows_kept -= int(bad.sum())
    rep.rows_rejected = rep.rows_in - rep.rows_kept
    return kept


def _isin(values: pd.Series, known: Collection[Any]) -> np.ndarray:
    """``values.isin(known)`` as a boolean array.

    For Arrow-backed text (what pyogrio reads with Arrow) one :func:`pyarrow.compute.is_in` over the text keys:
    pandas' own ``isin`` there makes a pyarrow scalar of every key in Python (36 ms for 5,000 station ids).
    As there, only text keys can match, and a missing value matches nothing.
    """
    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return values.isin(list(known)).to_numpy()
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(values.array)  # the Arrow data itself (no copy)
    keys = pa.array([k for k in known if isinstance(k, str)], type=array.type)
    return np.asarray(pc.is_in(array, value_set=keys).fill_null(False), dtype=bool)


def _check_cross_layer(layers: dict[str, Any], reports: dict[str, ValidationReport]) -> None:
    station_ids = set(layers["stations"]["station_id"].dropna())
    for kind in ("station_capacity", "infrastructure", "developments"):
        layers[kind] = _reject_dangling(layers[kind], kind, "station_id", station_ids, "station", reports)
    layers["developments"] = _derive_municipality(layers["developments"], layers["municipalities"], reports)
    if "developments" in reports:  # the warnings and repairs above name their rows' ids
        reports["developments"].name_rows(row_id_map(layers["developments"], "developments",
                                                     reports["developments"].unnamed_rows()))


def _derive_municipality(dev: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame,
                         reports: dict[str, ValidationReport]) -> gpd.GeoDataFrame:
    if dev.empty or municipalities.empty:
        return dev
    rep = reports.setdefault("developments", ValidationReport(kind="developments", rows_in=len(dev), rows_kept=len(dev)))
    known = set(municipalities["municipality_code"])
    given = dev["municipality_code"].notna()
    unknown = given & ~_isin(dev["municipality_code"], known)
    if unknown.any():
        rep.warning("unknown_municipality", "municipality_code", dev.loc[unknown, "source_row"].tolist(),
                    "gemeentecode komt niet voor in de gemeentelaag")
    need = ~given
    if not need.any():
        return dev
    points = dev.loc[need].geometry.representative_point()
    idx_points, idx_mun = municipalities.sindex.query(points.values, predicate="intersects")
    code = pd.Series([None] * int(need.sum()), index=points.index, dtype=object)
    # A point on a shared border intersects two municipalities: take the first in layer order, deterministically.
    first = pd.Series(idx_mun).groupby(idx_points).min()
    code.iloc[first.index.to_numpy()] = municipalities["municipality_code"].to_numpy()[first.to_numpy()]
    dev = dev.copy()
    dev.loc[need, "municipality_code"] = code
    found = need & dev["municipality_code"].notna()
    if found.any():
        rep.note("municipality_derived", "municipality_code", dev.loc[found, "source_row"].tolist(),
                   "gemeentecode afgeleid uit de ligging")
    outside = need & dev["municipality_code"].isna()
    if outside.any():
        rep.warning("outside_region", "municipality_code", dev.loc[outside, "source_row"].tolist(),
                    "ligt in geen enkele gemeente van de regio")
    return dev
