"""Which per-item products the full chain writes: municipality pages and project sheets (DESIGN §9).

A province has at most some sixty municipalities and a provincial pMIEK a few dozen projects: ``run`` writes a page
and a sheet for every one of them. A region beyond that (the whole country: some 340 municipalities and hundreds of
projects) gets its pages and sheets on request: one page or sheet takes about a second to draw, and a national run
that drew sixty of each spent four times its analyses on them before its user had chosen which to read. There
``run`` says so and names the choices: ``--gemeenten tekort`` (the :data:`PAGE_LIMIT` municipalities served by the
largest shortages), ``--fiches top`` (the :data:`SHEET_LIMIT` projects ranked highest), ``alle`` or a list. The
tables (``projectenlijst``, the GeoPackage), the interactive map and the indexes always hold everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from energieplanologie._errors import ConfigError

__all__ = [
    "PAGE_CHOICES",
    "PAGE_LIMIT",
    "SHEET_CHOICES",
    "SHEET_LIMIT",
    "municipality_page_codes",
    "parse_choice",
    "project_sheet_ids",
]

#: ``"auto"`` writes a page for every municipality up to this many (every Dutch province has fewer), none beyond;
#: ``"shortage"`` at most this many.
PAGE_LIMIT = 60
#: ``"auto"`` writes a sheet for every project up to this many, none beyond; ``"top"`` the this many ranked highest.
SHEET_LIMIT = 60

#: The words of ``--gemeenten`` and what they mean to :func:`municipality_page_codes`.
PAGE_CHOICES: dict[str, str] = {"auto": "auto", "tekort": "shortage", "alle": "all", "geen": "none"}
#: The words of ``--fiches`` and what they mean to :func:`project_sheet_ids`.
SHEET_CHOICES: dict[str, str] = {"auto": "auto", "top": "top", "alle": "all", "geen": "none"}


def parse_choice(value: str, choices: Mapping[str, str], *, option: str, what: str) -> str | list[str]:
    """A command-line choice: one of the ``choices`` words, or a comma-separated list of ids.

    Parameters
    ----------
    value : str
        What the user typed.
    choices : mapping
        The words (Dutch, any case) and their meaning.
    option : str
        The option's name without dashes (``"gemeenten"``), for the error message and its key.
    what : str
        What the ids are (``"gemeentecodes"``), for the error message.

    Raises
    ------
    ConfigError
        Neither a word nor any id (Dutch message, key ``option``).

    Examples
    --------
    >>> parse_choice("Alle", PAGE_CHOICES, option="gemeenten", what="gemeentecodes")
    'all'
    >>> parse_choice("GM0715, GM1714", PAGE_CHOICES, option="gemeenten", what="gemeentecodes")
    ['GM0715', 'GM1714']
    """
    word = value.strip().lower()
    if word in choices:
        return choices[word]
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if not ids:
        words = ", ".join(choices)
        raise ConfigError(f"--{option}: kies {words} of noem {what} gescheiden door komma's", key=option)
    return list(dict.fromkeys(ids))


def _named(which: Iterable[str], known: Sequence[str], *, option: str, what: str) -> list[str]:
    wanted = [str(s) for s in which]
    have = set(known)
    unknown = [s for s in wanted if s not in have]
    if unknown:
        raise ConfigError(f"{option}: {what} {unknown[0]!r} komt niet voor in de regio", key=option)
    return [s for s in known if s in set(wanted)]


def _fixed_choice(which: str | Iterable[str], order: Sequence[str], *, option: str, what: str, choices: str,
                  ids: str, words: Mapping[str, str], ranked: str, limit: int) -> list[str] | None:
    """The answer for a list of ids, ``"all"``, ``"none"`` or ``"auto"`` (``order`` kept); None for ``ranked``
    (the caller ranks); anything else is refused, naming the ``words``."""
    if not isinstance(which, str):
        return _named(which, order, option=option, what=what)
    if which == "all":
        return list(order)
    if which == "none":
        return []
    if which == "auto":  # every one in a province's region, none beyond it (on request)
        return list(order) if len(order) <= limit else []
    if which != ranked:
        raise ConfigError(f"onbekende keuze voor de {choices}: {which!r}; kies {', '.join(words)} of een lijst met "
                          f"{ids}", key=option)
    return None


def municipality_page_codes(municipalities: pd.DataFrame, balance: pd.DataFrame, allocation: pd.DataFrame,
                            which: str | Iterable[str] = "auto", *, limit: int = PAGE_LIMIT) -> list[str]:
    """The municipalities that get an overview page, sorted by code.

    Parameters
    ----------
    municipalities : DataFrame
        ``region.municipalities`` (``municipality_code``).
    balance : DataFrame
        The station balance of ONE scenario (``station_id``, ``shortage_mw``).
    allocation : DataFrame
        The allocation the balance used (``municipality_code``, ``station_id``).
    which : {"auto", "shortage", "all", "none"} or iterable of str, default "auto"
        ``"auto"``: every municipality when there are at most ``limit`` (a province), else none (on request).
        ``"shortage"``: the municipalities with a shortage, at most the ``limit`` with the largest: over the
        stations their developments are allocated to, the sum of each station's largest shortage (MW, any year and
        direction, as :func:`~energieplanologie.charts.chart_stations` ranks them); ties by code. ``"all"``,
        ``"none"``, or the codes themselves.
    limit : int, default :data:`PAGE_LIMIT`

    Returns
    -------
    list of str

    Raises
    ------
    ConfigError
        An unknown word or code (Dutch, key ``gemeenten``).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> mun = pd.DataFrame({"municipality_code": ["GM1", "GM2", "GM3"]})
    >>> bal = pd.DataFrame({"station_id": ["A", "B", "B"], "shortage_mw": [5.0, 2.0, 0.0]})
    >>> alloc = pd.DataFrame({"municipality_code": ["GM1", "GM2", "GM2", "GM3"], "station_id": ["B", "A", "A", None]})
    >>> municipality_page_codes(mun, bal, alloc, limit=3), municipality_page_codes(mun, bal, alloc, limit=2)
    (['GM1', 'GM2', 'GM3'], [])
    >>> municipality_page_codes(mun, bal, alloc, "shortage", limit=1), municipality_page_codes(mun, bal, alloc, "shortage")
    (['GM2'], ['GM1', 'GM2'])
    """
    codes = sorted(municipalities["municipality_code"].astype(str))
    fixed = _fixed_choice(which, codes, option="gemeenten", what="gemeente", choices="gemeentepagina's",
                          ids="gemeentecodes", words=PAGE_CHOICES, ranked="shortage", limit=limit)
    if fixed is not None:
        return fixed
    short = balance.groupby(balance["station_id"].astype(str))["shortage_mw"].max()
    pairs = pd.DataFrame({"code": allocation["municipality_code"].astype("string"),
                          "station": allocation["station_id"].astype("string")}).dropna().drop_duplicates()
    mw = short.reindex(pairs["station"].astype(str)).fillna(0.0).to_numpy()
    per = pd.Series(mw, index=pairs["code"].astype(str).to_numpy()).groupby(level=0).sum()
    ranked = per.reindex(codes).fillna(0.0).to_frame("mw").rename_axis("code").reset_index()
    ranked = ranked.loc[ranked["mw"] > 0].sort_values(["mw", "code"], ascending=[False, True], kind="stable")
    return sorted(ranked["code"].head(max(limit, 0)))


def project_sheet_ids(ranking: pd.DataFrame, which: str | Iterable[str] = "auto", *,
                      limit: int = SHEET_LIMIT) -> list[str]:
    """The projects that get a project sheet, in rank order.

    Parameters
    ----------
    ranking : DataFrame
        ``assessment.table`` (``project_id``, ``rank``).
    which : {"auto", "top", "all", "none"} or iterable of str, default "auto"
        ``"auto"``: every project when there are at most ``limit`` (a provincial pMIEK), else none (on request).
        ``"top"``: the ``limit`` ranked highest. ``"all"``, ``"none"``, or the project ids themselves.
    limit : int, default :data:`SHEET_LIMIT`

    Raises
    ------
    ConfigError
        An unknown word or project (Dutch, key ``fiches``).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"project_id": ["P1", "P2", "P3"], "rank": [3, 1, 2]})
    >>> project_sheet_ids(table), project_sheet_ids(table, limit=2), project_sheet_ids(table, "top", limit=2)
    (['P2', 'P3', 'P1'], [], ['P2', 'P3'])
    >>> project_sheet_ids(table, ["P1"]), project_sheet_ids(table, "none")
    (['P1'], [])
    """
    order = ranking.sort_values("rank", kind="stable")["project_id"].astype(str).tolist()
    fixed = _fixed_choice(which, order, option="fiches", what="project", choices="projectfiches", ids="project-id's",
                          words=SHEET_CHOICES, ranked="top", limit=limit)
    return order[:max(limit, 0)] if fixed is None else fixed
