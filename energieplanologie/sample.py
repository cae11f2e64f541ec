"""The shipped sample region: Zeeuws-Vlaanderen (Sluis, Hulst, Terneuzen).

Real municipality boundaries (CBS/PDOK, CC BY 4.0) and real grid-station positions (© OpenStreetMap
contributors, ODbL); capacities, loads, projects and developments are **illustrative**. See
``sample_data/zeeuws-vlaanderen/README.md``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from energieplanologie.region import Region

__all__ = ["SAMPLE_CONFIG", "SAMPLE_DIR", "load_sample"]

SAMPLE_DIR = Path(__file__).resolve().parent / "sample_data" / "zeeuws-vlaanderen"
SAMPLE_CONFIG = SAMPLE_DIR / "project.toml"


@lru_cache(maxsize=1)
def _load() -> Region:
    return Region.from_config(SAMPLE_CONFIG)


def load_sample() -> Region:
    """Return the Zeeuws-Vlaanderen sample :class:`~energieplanologie.Region`, validated.

    The region is read once per process and cached; it is immutable (a frozen dataclass whose frames the
    analyses never mutate).

    Returns
    -------
    Region
        Read from ``sample_data/zeeuws-vlaanderen/project.toml`` (:data:`SAMPLE_CONFIG`).

    Examples
    --------
    >>> import energieplanologie as ep
    >>> region = ep.load_sample()
    >>> sorted(region.municipalities["name"])
    ['Hulst', 'Sluis', 'Terneuzen']
    >>> region.developments.crs.to_epsg()
    28992
    """
    return _load()
