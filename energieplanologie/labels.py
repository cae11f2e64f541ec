"""Dutch labels for everything an end user reads: exported column headers, legend entries, values.

Code and identifiers are English; exports (GeoPackage, CSV, XLSX) and maps use these Dutch labels.
:func:`to_dutch` renames a frame's columns for export; :func:`from_dutch` maps them back when reading our own
outputs. Each analysis module adds its result columns to :data:`COLUMN_LABELS` in its own section below.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from energieplanologie.schema import DUTCH_VALUES, SCHEMAS

__all__ = ["COLUMN_LABELS", "EXPORT_VALUES", "LAYER_COLUMN_LABELS", "LAYER_NAMES", "VALUE_LABELS", "canonical_values",
           "dutch_headers", "dutch_values", "format_number", "from_dutch", "label", "to_dutch", "value_label"]


#: Python's "1,234.5" → Dutch "1.234,5".
_DUTCH_SEPARATORS = str.maketrans(",.", ".,")


def format_number(value: Any, decimals: int = 1, unit: str = "", *, missing: str = "–", trim: bool = False) -> str:
    """A number the Dutch way: a dot between thousands, a decimal comma (``1.234,5``).

    The one formatter for every number a person reads (labels, tables, HTML, PDF, charts, reasons); the QGIS
    styles use QGIS's own ``format_number(…, 'nl')``, which writes the same.

    Parameters
    ----------
    value : number or None
        The number; None, NaN, NA and NaT are ``missing``.
    decimals : int, default 1
        Decimals shown (rounded half to even, as Python's ``format``).
    unit : str, optional
        Unit written after a space (``"MW"`` → ``"3,5 MW"``).
    missing : str, default "–"
        Text for a missing value (no unit).
    trim : bool, default False
        Drop trailing zeros of the decimals (``28,0`` → ``28``, ``28,50`` → ``28,5``).

    Examples
    --------
    >>> format_number(1234.56), format_number(3, 0, "MW"), format_number(None), format_number(-0.04)
    ('1.234,6', '3 MW', '–', '0,0')
    >>> format_number(28.0, trim=True), format_number(1234567.25, 2, "M€"), format_number(float("inf"))
    ('28', '1.234.567,25 M€', '∞')
    """
    try:
        absent = value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        absent = False
    if absent:
        return missing
    x = float(value)
    if math.isinf(x):
        text = "∞" if x > 0 else "−∞"
    else:
        if round(x, decimals) == 0:
            x = 0.0  # never "-0,0"
        text = f"{x:,.{decimals}f}"
        if trim and "." in text:
            text = text.rstrip("0").rstrip(".")
        text = text.translate(_DUTCH_SEPARATORS)
    return f"{text} {unit}" if unit else text

#: Output layer / file names (DESIGN §9).
LAYER_NAMES: dict[str, str] = {
    "municipalities": "gemeenten",
    "stations": "stations",
    "station_capacity": "stationscapaciteit",
    "infrastructure": "infrastructuur",
    "developments": "ontwikkelingen",
    "constraints": "beperkingen",
    "balance": "stationsbalans",
    "flex_need": "flexbehoefte",
    "hotspots": "knooppunten",
    "hotspot_members": "knooppunt_leden",
    "gistar_hexagons": "hexagonen_gistar",
    "assessment": "afweging",
    "status": "projectstatus",
}

COLUMN_LABELS: dict[str, str] = {}
for _spec in SCHEMAS.values():
    for _col in _spec.columns:
        COLUMN_LABELS.setdefault(_col.name, _col.label_nl)
COLUMN_LABELS.update({"source_row": "bronrij", "geometry": "geometry"})

# --- allocation and balance (balance.py, allocation.py)
COLUMN_LABELS.update({"allocation_method": "toewijzing", "share": "aandeel", "distance_m": "afstand_m", "station_name": "stationsnaam", "scenario": "scenario", "direction": "richting", "base_capacity_mw": "basiscapaciteit_mw", "capacity_added_mw": "extra_capaciteit_mw", "capacity_mw": "capaciteit_mw", "baseline_load_mw": "basislast_mw", "development_load_mw": "last_ontwikkelingen_mw", "load_mw": "last_mw", "headroom_mw": "ruimte_mw", "shortage_mw": "tekort_mw", "utilisation": "benutting", "first_shortage_year": "eerste_tekortjaar", "mw_renewables": "mw_opwek", "mw_built_environment": "mw_gebouwde_omgeving", "mw_housing": "mw_woningbouw", "mw_mobility": "mw_mobiliteit", "mw_industry": "mw_industrie", "mw_agriculture": "mw_landbouw", "mw_data_centre": "mw_datacenter", "mw_business_park": "mw_bedrijventerrein", "mw_other": "mw_overig", "offtake_mw_weighted": "afname_mw_gewogen", "feedin_mw_weighted": "invoeding_mw_gewogen", "weight": "gewicht", "mw_enabled": "mw_mogelijk_gemaakt", "developments_enabled": "ontwikkelingen_mogelijk_gemaakt", "development_ids": "ontwikkeling_ids"})

# --- flex options (flex.py)
COLUMN_LABELS.update({"load_before_flex_mw": "last_voor_flex_mw", "conversion_load_mw": "last_door_conversie_mw",
                      "non_firm_mw": "niet_vast_mw", "cable_pooling_mw": "kabelpooling_mw",
                      "flex_battery_mw": "flex_batterij_mw", "flex_conversion_mw": "flex_conversie_mw",
                      "from_year": "van_jaar", "to_year": "tot_jaar", "resolved_by": "opgelost_door",
                      "resolved_kind": "soort_oplossing", "hours_at_full_power": "uren_vol_vermogen",
                      "relieves": "ontlast", "other_carrier": "andere_energiedrager",
                      "other_station_id": "ander_station_id", "other_direction": "richting_ander_station",
                      "other_mw": "mw_ander_station"})

# --- hotspots and density (hotspots.py, density.py)
COLUMN_LABELS.update({"hotspot_id": "knooppunt_id", "level_reason": "reden_niveau", "method": "methode", "n_members": "aantal_leden", "n_developments": "aantal_ontwikkelingen", "n_infrastructure": "aantal_infraprojecten", "sectors": "sectoren", "programmes": "programmas", "carriers": "energiedragers", "total_mw": "totaal_mw", "mw_by_year": "mw_per_jaar", "station_ids": "station_ids", "max_shortage_mw": "max_tekort_mw", "municipality_codes": "gemeentecodes", "member_id": "lid_id", "member_kind": "soort_lid", "weight_mw": "gewicht_mw", "hex_id": "hex_id", "mw": "mw", "gi_z": "gi_z", "gi_p": "gi_p", "gi_p_fdr": "gi_p_fdr", "hot": "hotspotcel", "gi_test": "gi_toets", "previous_hotspot_id": "vorig_knooppunt_id"})

# --- assessment and pMIEK (assessment.py, pmiek.py)
COLUMN_LABELS.update({"criterion": "criterium", "level_label": "oordeel", "points": "punten", "reason": "reden", "overridden_from": "overschreven_van", "old_level": "oud_niveau", "new_level": "nieuw_niveau", "old_source": "oude_bron", "by": "door", "weighted_score": "gewogen_score", "rank": "rang", "n_missing": "aantal_zonder_invoer", "rank_min": "rang_min", "rank_max": "rang_max", "rank_p05": "rang_p05", "rank_p95": "rang_p95", "p_top_k": "kans_top_k", "mw_added": "mw_toegevoegd", "mw_per_meur": "mw_per_meur", "first_shortage_year_without": "eerste_tekortjaar_zonder_project", "shortage_without_mw": "tekort_zonder_project_mw", "flex_bridged_mw": "flex_overbrugd_mw", "hotspot_distance_m": "afstand_knooppunt_m", "constraint_share": "aandeel_beperkingsgebied", "constraint_names": "beperkingsgebieden", "variant": "variant", "n_projects": "aantal_projecten", "project_ids": "project_ids", "total_cost_meur": "totale_kosten_meur", "total_shortage_mw": "totaal_tekort_mw", "stations_short": "stations_met_tekort", "developments_accommodated": "ontwikkelingen_geaccommodeerd", "mw_accommodated": "mw_geaccommodeerd", "category": "categorie", "change": "wijziging", "field": "veld", "old": "oud", "new": "nieuw"})

# --- variants (variants.py)
COLUMN_LABELS.update({"developments_total": "ontwikkelingen_totaal", "mw_total": "mw_totaal",
                      "weighted_score_mean": "gemiddelde_gewogen_score", "total_flex_mw": "totaal_flex_mw"})

# --- readers (io.py, capaciteitskaart.py)
COLUMN_LABELS.update({"substation_short_code": "onderstation_code", "postcode": "postcode"})

# --- maps, overviews and notes (maps/, overview.py)
COLUMN_LABELS.update({"relation": "relatie", "municipality_mw": "mw_uit_gemeente", "note_id": "notitie_id",
                      "note": "notitie", "author": "auteur", "created": "aangemaakt"})

# --- rounds and PostGIS (rounds.py, postgis.py)
COLUMN_LABELS.update({"layer": "laag", "source": "invoerbron", "table": "tabel", "owner": "eigenaar", "round": "ronde", "old_snapshot_id": "oude_snapshot_id", "new_snapshot_id": "nieuwe_snapshot_id", "old_sha256": "oude_sha256", "new_sha256": "nieuwe_sha256", "detected_at": "gemeld_op", "included_in": "opgenomen_in_ronde", "region": "regio", "frozen_at": "bevroren_op", "version": "softwareversie", "n_inputs": "aantal_invoerlagen", "snapshot_ids": "snapshot_ids", "location": "locatie"})

# --- monitoring, step 5 borgen en uitvoeren (monitoring.py, monitoring_report.py)
COLUMN_LABELS.update({"planned_year_ready": "gepland_gereed", "delay_years": "vertraging_jaren",
                      "shortage_planned_mw": "tekort_gepland_mw", "shortage_expected_mw": "tekort_verwacht_mw",
                      "shortage_change_mw": "verschil_tekort_mw", "causing_projects": "oorzaak_projecten",
                      "waiting_development_ids": "wachtende_ontwikkelingen", "waiting_mw": "wachtend_mw"})

#: Where one canonical name means different things in different output layers, the layer's own label wins:
#: a knooppunt's ``level`` is its *niveau* (lokaal/provinciaal/nationaal), a station's its *netvlak*.
LAYER_COLUMN_LABELS: dict[str, dict[str, str]] = {
    "knooppunten": {"level": "niveau"},
    "voortgang": {"note": "toelichting"},  # the status layer's note, not a note from the room
}

#: Dutch labels of enum values, per column.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "sector": {
        "renewables": "Opwek (RES)",
        "built_environment": "Gebouwde omgeving (TVW)",
        "housing": "Woningbouw",
        "mobility": "Mobiliteit (RAL)",
        "industry": "Industrie (CES)",
        "agriculture": "Landbouw",
        "data_centre": "Datacenter",
        "business_park": "Bedrijventerrein",
        "other": "Overig",
    },
    "carrier": {"electricity": "Elektriciteit", "hydrogen": "Waterstof", "heat": "Warmte", "methane": "Methaan"},
    "certainty": {"committed": "Vergund", "planned": "Vastgesteld", "intended": "Voornemen", "speculative": "Idee"},
    "infra_type": {
        "station_new": "Nieuw station",
        "station_expansion": "Stationsuitbreiding",
        "cable_ehv": "Kabel/lijn EHS",
        "cable_hv": "Kabel/lijn HS",
        "cable_mv": "Kabel MS",
        "h2_pipeline": "Waterstofleiding",
        "heat_network": "Warmtenet",
        "gas_pipeline": "Gasleiding",
        "battery": "Batterij",
        "electrolyser": "Elektrolyser",
        "heat_storage": "Warmteopslag",
        "e_boiler": "E-boiler",
        "gas_to_power": "Gascentrale (gas/waterstof → stroom)",
        "other": "Overig",
    },
    "firm": {"true": "Vast", "false": "Niet vast"},
    "relieves": {"both": "Afname en invoeding", "offtake": "Afname", "feedin": "Invoeding"},
    "resolved_kind": {"grid": "Net", "flex": "Flex", "grid;flex": "Net en flex"},
    "status": {"existing": "Bestaand", "investment_plan": "Investeringsplan", "proposed": "Voorgesteld", "narrative": "Narratief"},
    "funding": {"secured": "Geborgd", "partial": "Deels", "none": "Geen", "unknown": "Onbekend"},
    "direction": {"offtake": "Afname", "feedin": "Invoeding"},
    "balance_status": {"green": "Ruimte", "amber": "Krap", "red": "Tekort", "unknown": "Onbekend"},
    "level": {"local": "Lokaal", "provincial": "Provinciaal", "national": "Nationaal"},
    "change": {"new": "Nieuw", "growing": "Groeiend", "stable": "Stabiel", "shrinking": "Krimpend"},
    "member_kind": {"development": "Ontwikkeling", "infrastructure": "Infrastructuur"},
    "gi_test": {"two-sided": "Tweezijdig", "greater": "Eenzijdig (hoger)"},
    "project_status": {"idea": "Idee", "preparation": "Voorbereiding", "permit": "Vergunning",
                       "tender": "Aanbesteding", "under_construction": "In aanbouw", "ready": "Gereed",
                       "delayed": "Vertraagd", "cancelled": "Geschrapt"},
}


#: The Dutch words the exports (GeoPackage, CSV) write for the values of each canonical column, so a GIS specialist
#: reads ``richting = afname`` and ``status = rood`` in QGIS; inside the Python API the values stay canonical
#: English. The input enums' words are :data:`energieplanologie.schema.DUTCH_VALUES` (the reader accepts them);
#: one column name may hold two disjoint value sets (``status``: a project's or a station balance's; ``level``: a
#: station's netvlak, which stays as it is, or a knooppunt's niveau).
EXPORT_VALUES: dict[str, dict[str, str]] = {
    **{column: dict(words) for column, words in DUTCH_VALUES.items()},
    "direction": {"offtake": "afname", "feedin": "invoeding"},
    "other_direction": {"offtake": "afname", "feedin": "invoeding"},
    "relieves": {"both": "beide", "offtake": "afname", "feedin": "invoeding"},
    "resolved_kind": {"grid": "net", "flex": "flex", "grid;flex": "net;flex"},
    "level": {"local": "lokaal", "provincial": "provinciaal", "national": "nationaal"},
    "change": {"new": "nieuw", "growing": "groeiend", "stable": "stabiel", "shrinking": "krimpend"},
    "member_kind": {"development": "ontwikkeling", "infrastructure": "infrastructuur"},
}
EXPORT_VALUES["status"] = {**EXPORT_VALUES["status"], "red": "rood", "amber": "oranje", "green": "groen",
                           "unknown": "onbekend"}
#: Columns that hold several values of one enum joined by ";" (a knooppunt's sectors), and that enum.
_LIST_COLUMNS = {"sectors": "sector", "carriers": "carrier", "programmes": "programme"}


def _translate(series: pd.Series, words: dict[str, str], *, joined: bool = False) -> pd.Series:
    """``series`` with each value (each ``;``-joined item when ``joined``) replaced by its word; others kept."""
    codes, uniques = pd.factorize(series)
    if not len(uniques):
        return series
    if joined:
        new = [";".join(words.get(item, item) for item in str(u).split(";")) if isinstance(u, str) else u
               for u in uniques]
    else:
        new = [words.get(u, u) if isinstance(u, str) else u for u in uniques]
    mapped = np.asarray(new, dtype=object)[np.maximum(codes, 0)]
    out = np.where(codes >= 0, mapped, series.to_numpy(dtype=object))
    return pd.Series(out, index=series.index, name=series.name, dtype=object)


def dutch_values(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose enum values are the Dutch words of :data:`EXPORT_VALUES` (canonical column names).

    Examples
    --------
    >>> dutch_values(pd.DataFrame({"direction": ["offtake"], "status": ["red"], "sectors": ["housing;other"]}))
      direction status            sectors
    0    afname   rood  woningbouw;overig
    """
    columns = [c for c in frame.columns if c in EXPORT_VALUES or c in _LIST_COLUMNS]
    if not columns:
        return frame
    out = frame.copy()
    for c in columns:
        if c in _LIST_COLUMNS:
            out[c] = _translate(frame[c], EXPORT_VALUES[_LIST_COLUMNS[c]], joined=True)
        else:
            out[c] = _translate(frame[c], EXPORT_VALUES[c])
    return out


def canonical_values(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`dutch_values`: Dutch words back to the canonical values (others kept).

    Examples
    --------
    >>> canonical_values(pd.DataFrame({"direction": ["afname", "feedin"], "level": ["lokaal", "HS"]}))
      direction  level
    0   offtake  local
    1    feedin     HS
    """
    inverse = {c: {w: v for v, w in words.items()} for c, words in EXPORT_VALUES.items()}
    columns = [c for c in frame.columns if c in inverse or c in _LIST_COLUMNS]
    if not columns:
        return frame
    out = frame.copy()
    for c in columns:
        if c in _LIST_COLUMNS:
            out[c] = _translate(frame[c], inverse[_LIST_COLUMNS[c]], joined=True)
        else:
            out[c] = _translate(frame[c], inverse[c])
    return out


def label(column: str, layer: str | None = None) -> str:
    """The Dutch label of a column (the column itself when no label is known), in output layer ``layer``."""
    if layer is not None and column in LAYER_COLUMN_LABELS.get(layer, {}):
        return LAYER_COLUMN_LABELS[layer][column]
    return COLUMN_LABELS.get(column) or column


def value_label(column: str, value: object) -> str:
    """The Dutch label of an enum value (its text when no label is known)."""
    return VALUE_LABELS.get(column, {}).get(str(value), "" if value is None else str(value))


def to_dutch(frame: pd.DataFrame, layer: str | None = None) -> pd.DataFrame:
    """A copy for export: Dutch column headers and Dutch values (:data:`EXPORT_VALUES`).

    ``layer`` is the output layer name, for its own labels (a knooppunt's ``level`` is its ``niveau``).

    Examples
    --------
    >>> to_dutch(pd.DataFrame({"station_id": ["S1"], "direction": ["feedin"], "status": ["amber"]}))
      station_id   richting  status
    0         S1  invoeding  oranje
    """
    geometry = getattr(frame, "_geometry_column_name", None)
    return dutch_values(frame).rename(columns={c: label(c, layer) for c in frame.columns if c != geometry})


def dutch_headers(frame: pd.DataFrame, layer: str | None = None) -> pd.DataFrame:
    """:func:`to_dutch`, keeping every column: when an extra source column already has the Dutch name of a
    canonical column (a source with both ``name`` and ``naam``), the extra one is written as ``naam_bron``.

    Used by every writer of layers (GeoPackage, PostGIS).

    Examples
    --------
    >>> list(dutch_headers(pd.DataFrame({"name": ["a"], "naam": ["b"]})).columns)
    ['naam', 'naam_bron']
    """
    out = to_dutch(frame, layer)
    if not out.columns.duplicated().any():
        return out
    labelled = {label(c) for c in frame.columns if label(c) != c}
    names: list[str] = []
    for original, new in zip(frame.columns, out.columns, strict=True):
        if new in labelled and label(original) == original:  # an extra column that collides with a label
            candidate, k = f"{new}_bron", 2
            while candidate in set(out.columns) | set(names):
                candidate, k = f"{new}_bron{k}", k + 1
            new = candidate
        names.append(new)
    out.columns = names
    return out


def from_dutch(frame: pd.DataFrame, layer: str | None = None) -> pd.DataFrame:
    """A copy with canonical column names and values, for reading our own exports back (also older exports that
    still hold the English values)."""
    inverse = {v: k for k, v in COLUMN_LABELS.items() if v}
    inverse.update({v: k for k, v in LAYER_COLUMN_LABELS.get(layer or "", {}).items()})
    return canonical_values(frame.rename(columns={c: inverse[c] for c in frame.columns if c in inverse}))
