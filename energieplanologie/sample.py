"""The shipped sample region: Zeeuws-Vlaanderen (Sluis, Hulst, Terneuzen).

Real municipality boundaries (CBS/PDOK, CC BY 4.0) and real grid-station positions (© OpenStreetMap
contributors, ODbL); capacities, loads, projects and developments are **illustrative**. See
``sample_data/zeeuws-vlaanderen/README.md``.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

from energieplanologie.config import ProjectSettings, load_config, load_region_config
from energieplanologie.region import LAYER_ORDER, Region

__all__ = ["SAMPLE_CONFIG", "SAMPLE_DIR", "load_sample", "sample_settings"]

SAMPLE_DIR = Path(__file__).resolve().parent / "sample_data" / "zeeuws-vlaanderen"
SAMPLE_CONFIG = SAMPLE_DIR / "project.toml"


@lru_cache(maxsize=1)
def _load() -> Region:
    return load_region_config(SAMPLE_CONFIG)


def load_sample() -> Region:
    """Return the Zeeuws-Vlaanderen sample :class:`~energieplanologie.Region`, validated.

    The files are read once per process; every call returns a fresh copy (its own frames and reports), so a
    caller that changes a frame changes nothing for the next one. The sample's analysis settings are
    :func:`sample_settings`.

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
    >>> ep.load_sample().developments is ep.load_sample().developments
    False
    """
    region = _load()
    return region.replace(**{kind: region.layer(kind).copy() for kind in LAYER_ORDER},
                          reports=copy.deepcopy(dict(region.reports)))


@lru_cache(maxsize=1)
def sample_settings() -> ProjectSettings:
    """The sample's analysis settings (``project.toml``: scenario, knooppunten, afwegingskader and judgements);
    read-only, so one object serves every caller.

    Examples
    --------
    >>> settings = sample_settings()
    >>> settings.scenario, settings.assessment_options()["user_scores"].name
    ('verwacht', 'beoordelingen.csv')
    """
    return load_config(SAMPLE_CONFIG).settings
