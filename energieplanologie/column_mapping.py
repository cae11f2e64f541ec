"""Column mapping: source headers (Dutch, English, shapefile-truncated) to the canonical columns of a layer.

:func:`map_columns` renames a frame's columns by the synonyms of its kind (:func:`column_synonyms`) and an
explicit mapping, and says in the report what it renamed. :func:`energieplanologie.io.read_layer` (which
re-exports these names) runs it on every source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from energieplanologie._errors import ConfigError
from energieplanologie.report import ValidationReport
from energieplanologie.schema import (
    SCHEMAS,
)

__all__ = ["COLUMN_SYNONYMS", "ROW_COLUMNS", "column_synonyms", "map_columns"]


#: Common source headers (Dutch, and a few English) → canonical column, for every kind that has the column.
_COMMON_WORDS: dict[str, str] = {
    "naam": "name",
    "jaar": "year",
    "sector": "sector",
    "zekerheid": "certainty",
    "afname_mw": "offtake_mw",
    "invoeding_mw": "feedin_mw",
    "teruglevering_mw": "feedin_mw",
    "netbeheerder": "operator",
    "gemeentecode": "municipality_code",
    "statcode": "municipality_code",
    "gm_code": "municipality_code",
    "spanning": "voltage_kv",
    "spanning_kv": "voltage_kv",
    "netvlak": "level",
    "energiedrager": "carrier",
    "drager": "carrier",
    "programma": "programme",
    "status": "status",
    "jaar_gereed": "year_ready",
    "gereed": "year_ready",
    "kosten": "cost_meur",
    "kosten_meur": "cost_meur",
    "financiering": "funding",
    "partijen": "parties",
    "betrokken_partijen": "parties",
    "omschrijving": "description",
    "beschrijving": "description",
    "toelichting": "description",
    "provincie": "province",
    "provincienaam": "province",
    "short_code": "short_code",
}

#: Words whose meaning depends on the layer kind (``id`` is the development id in developments …).
_KIND_WORDS: dict[str, dict[str, str]] = {
    "municipalities": {
        "id": "municipality_code",
        "code": "municipality_code",
        "statnaam": "name",
        "gemeentenaam": "name",
        "gemeente": "name",
    },
    "stations": {"id": "station_id", "code": "station_id", "stationsnaam": "name"},
    "station_capacity": {"station": "station_id", "stationscode": "station_id"},
    "infrastructure": {
        "id": "project_id",
        "code": "project_id",
        "projectnummer": "project_id",
        "projectnaam": "name",
        "type": "infra_type",
        "soort": "infra_type",
        "jaar": "year_ready",
        "vermogen": "power_mw",
        "opslagcapaciteit_mwh": "energy_mwh",
        "capaciteit_mwh": "energy_mwh",
        "energie": "energy_mwh",
        "firm": "firm",
        "vast_contract": "firm",
        "efficientie": "efficiency",
    },
    "developments": {"id": "development_id", "code": "development_id", "niet_vast_aandeel": "non_firm_share",
                     "aandeel_niet_vast_contract": "non_firm_share", "niet_vast": "non_firm_share",
                     "kabelpool": "pool_id", "pool": "pool_id", "pool_id": "pool_id",
                     "aansluiting_kabelpool_mw": "pool_connection_mw", "pool_aansluiting_mw": "pool_connection_mw"},
    "constraints": {"type": "kind", "soort": "kind"},
    "status": {
        "id": "project_id",
        "code": "project_id",
        "project": "project_id",
        "projectnummer": "project_id",
        "datum": "reference_date",
        "peilmoment": "reference_date",
        "status": "project_status",
        "projectstatus": "project_status",
        "verwacht_jaar_gereed": "expected_year_ready",
        "verwacht_gereed_jaar": "expected_year_ready",
        "opmerking": "note",
    },
}

#: Headers that look like a power column but are ambiguous (offtake or feed-in?); never mapped automatically.
_AMBIGUOUS_POWER = ("vermogen_mw", "vermogen", "mw", "capaciteit_mw", "vermogen_mwe")

#: Columns the reader manages itself: a source's own row-number column is replaced.
ROW_COLUMNS = ("source_row", "bronrij")


def _norm(name: object) -> str:
    """Header key for matching: case, spaces, underscores and punctuation do not matter."""
    return re.sub(r"[\W_]+", "", str(name).casefold())


def column_synonyms(kind: str, *, shapefile: bool = False) -> dict[str, str]:
    """The built-in header table of one layer kind: normalised source header → canonical column.

    It holds every canonical name and Dutch label (``labels.COLUMN_LABELS``, so our own exports read back) plus
    the common Dutch headers above. With ``shapefile=True`` the 10-character truncations that the Shapefile
    format forces (``developmen`` for ``development_id``) are added where they are unambiguous.

    ``vermogen_mw`` is deliberately absent: it may mean offtake or feed-in, so it needs an explicit mapping.

    Examples
    --------
    >>> syn = column_synonyms("developments")
    >>> syn["jaar"], syn["afnamemw"], syn["id"]
    ('year', 'offtake_mw', 'development_id')
    >>> column_synonyms("infrastructure")["id"]
    'project_id'
    """
    spec = SCHEMAS[kind]
    names = set(spec.column_names)
    words: dict[str, str] = {}
    for col in spec.columns:
        words[col.name] = col.name
        if col.label_nl:
            words[col.label_nl] = col.name
    for word, canonical in {**_COMMON_WORDS, **_KIND_WORDS.get(kind, {})}.items():
        if canonical in names:
            words[word] = canonical
    table = {_norm(w): c for w, c in words.items()}
    if shapefile:
        truncated: dict[str, set[str]] = {}
        for word, canonical in words.items():
            if len(word) > 10:
                truncated.setdefault(_norm(word[:10]), set()).add(canonical)
        for key, targets in truncated.items():
            if len(targets) == 1 and key not in table:
                table[key] = next(iter(targets))
    return table


#: The built-in header tables of all kinds (see :func:`column_synonyms`).
COLUMN_SYNONYMS: dict[str, dict[str, str]] = {kind: column_synonyms(kind) for kind in SCHEMAS}


def map_columns(
    frame: pd.DataFrame,
    kind: str,
    mapping: Mapping[str, str] | None = None,
    *,
    report: ValidationReport | None = None,
    shapefile: bool = False,
) -> pd.DataFrame:
    """Rename source columns to canonical names: the user ``mapping`` first, then the built-in table.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        The layer as read.
    kind : str
        Layer kind (a key of :data:`~energieplanologie.schema.SCHEMAS`).
    mapping : mapping of str to str, optional
        ``{canonical: source_column}`` (DESIGN §9). Every source column must exist.
    report : ValidationReport, optional
        Receives a repair per renamed column and warnings for columns left alone.
    shapefile : bool, default False
        Also accept the 10-character truncations of canonical names and labels.

    Returns
    -------
    DataFrame or GeoDataFrame
        A renamed copy; the geometry column is never renamed.

    Raises
    ------
    ConfigError
        The mapping names an absent source column or an unknown canonical column, maps one source column twice,
        or two source columns would both become the same canonical column.

    Examples
    --------
    >>> df = pd.DataFrame({"ID": ["a"], "Naam": ["Windpark"], "Jaar": [2030]})
    >>> list(map_columns(df, "developments").columns)
    ['development_id', 'name', 'year']
    """
    spec = SCHEMAS[kind]
    geometry_name = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    columns = [c for c in frame.columns if c != geometry_name]
    available = ", ".join(repr(str(c)) for c in columns) or "(geen)"
    counts = pd.Series([str(c) for c in columns]).value_counts()
    duplicated = set(counts[counts > 1].index)
    renames: dict[str, str] = {}
    taken: dict[str, str] = {}  # canonical → source column that provides it

    for canonical, source in (mapping or {}).items():
        if canonical not in spec.column_names:
            close = [c for c in spec.column_names if _norm(c) == _norm(canonical)]
            hint = f" Bedoelde u {close[0]!r}?" if close else ""
            raise ConfigError(
                f"mapping: {canonical!r} is geen kolom van laag {kind} "
                f"(toegestaan: {', '.join(spec.column_names)}).{hint}",
                key=canonical, option="mapping",
            )
        if source in columns:
            found = source
        else:
            loose = [c for c in columns if _norm(c) == _norm(source)]
            if len(loose) != 1:
                raise ConfigError(
                    f"mapping: {canonical} = {source!r}, maar kolom {source!r} bestaat niet in de bron "
                    f"(beschikbare kolommen: {available}).",
                    key=canonical, option="mapping",
                )
            found = loose[0]
        if found in renames:
            raise ConfigError(
                f"mapping: bronkolom {found!r} is aan zowel {renames[found]!r} als {canonical!r} gekoppeld.",
                key=canonical, option="mapping",
            )
        renames[found] = canonical
        taken[canonical] = found

    for canonical, source in taken.items():
        if canonical in columns and source != canonical:
            raise ConfigError(
                f"mapping: {canonical} = {source!r}, maar de bron heeft ook al een kolom {canonical!r}; "
                "twee bronkolommen kunnen niet dezelfde kolom worden. Hernoem of verwijder er één.",
                key=canonical, option="mapping",
            )

    table = column_synonyms(kind, shapefile=shapefile)
    exact = {c for c in columns if c in spec.column_names and c not in renames}
    for c in exact:
        taken.setdefault(c, c)
    candidates: dict[str, list[str]] = {}
    for c in columns:
        if c in renames or c in exact or str(c) in duplicated or c in ROW_COLUMNS:
            continue
        synonym = table.get(_norm(c))
        if synonym is not None:
            candidates.setdefault(synonym, []).append(c)
    for canonical, sources in candidates.items():
        if canonical in taken:
            if report is not None:
                for s in sources:
                    report.warning("column_not_mapped", canonical, [],
                                   f"kolom {s!r} niet gebruikt als {canonical!r}: kolom {taken[canonical]!r} "
                                   "levert die al")
            continue
        if len(sources) > 1:
            raise ConfigError(
                f"kolommen {', '.join(map(repr, sources))} kunnen allemaal {canonical!r} zijn; kies er één met "
                f"een mapping ({canonical} = \"...\").",
                key=canonical, option="mapping",
            )
        renames[sources[0]] = canonical
        taken[canonical] = sources[0]

    if report is not None:
        user = set((mapping or {}).values())
        for source in columns:
            if source in renames and renames[source] != source:
                how = " (mapping)" if source in user or renames[source] in (mapping or {}) else ""
                report.note("column_mapped", renames[source], [],
                            f"kolom {str(source)!r} gelezen als {renames[source]!r}{how}")
                report.notes[-1].source_column = str(source)
        if kind == "developments" and not {"offtake_mw", "feedin_mw"} & set(taken):
            for c in columns:
                if _norm(c) in {_norm(w) for w in _AMBIGUOUS_POWER}:
                    report.warning("ambiguous_column", None, [],
                                   f"kolom {str(c)!r} is niet automatisch gekoppeld: afname of invoeding? "
                                   f"Geef een mapping: offtake_mw = {str(c)!r} of feedin_mw = {str(c)!r}")
    if not renames:
        return frame.copy()
    return frame.rename(columns={s: c for s, c in renames.items() if s != c})
