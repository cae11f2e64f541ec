"""energieplanologie: integraal programmeren van het energiesysteem.

Bring stations, planned infrastructure and sectoral developments together (step 1 *inzicht*), keep a capacity
balance per station, find *knooppunten*, weigh projects on the *afwegingskader* and publish the pMIEK.

>>> import energieplanologie as ep
>>> region = ep.load_sample()
>>> region.name
'Zeeuws-Vlaanderen'
"""

from energieplanologie._errors import ConfigError, EnergieplanologieError, ReadError, ValidationError
from energieplanologie._version import __version__
from energieplanologie.capaciteitskaart import read_capaciteitskaart
from energieplanologie.io import LayerRead, read_layer, write_csv, write_layers
from energieplanologie.region import Region
from energieplanologie.report import ValidationReport
from energieplanologie.sample import load_sample
from energieplanologie.schema import CRS_RD, KINDS, SCHEMAS, validate

__all__ = [
    "CRS_RD",
    "KINDS",
    "SCHEMAS",
    "ConfigError",
    "EnergieplanologieError",
    "LayerRead",
    "Region",
    "ReadError",
    "ValidationError",
    "ValidationReport",
    "__version__",
    "load_sample",
    "read_capaciteitskaart",
    "read_layer",
    "validate",
    "write_csv",
    "write_layers",
]
