"""energieplanologie: integraal programmeren van het energiesysteem.

Bring stations, planned infrastructure and sectoral developments together (step 1 *inzicht*), keep a capacity
balance per station, find *knooppunten*, weigh projects on the *afwegingskader* and publish the pMIEK.

The whole public API is available at the top level; the analyses are imported on first use, so that
``import energieplanologie`` (and ``energieplanologie --version``) stays fast.

>>> import energieplanologie as ep
>>> region = ep.load_sample()
>>> region.name
'Zeeuws-Vlaanderen'
>>> balance = ep.station_balance(region, "verwacht")
>>> sorted(balance.loc[(balance["year"] == 2030) & (balance["shortage_mw"] > 0), "station_id"].unique())
['SKL', 'TNZ']
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from energieplanologie._errors import (
    ConfigError,
    EnergieplanologieError,
    EnergieplanologieWarning,
    OutputError,
    ReadError,
    UnusableLayerError,
    ValidationError,
)
from energieplanologie._version import __version__

#: Public name → the module that defines it; imported on first attribute access (PEP 562).
_LAZY: dict[str, str] = {
    # step 1, inzicht: reading, validating, the region, scenarios
    "load_sample": "energieplanologie.sample",
    "sample_settings": "energieplanologie.sample",
    "ProjectSettings": "energieplanologie.config",
    "load_project": "energieplanologie.config",
    "read_layer": "energieplanologie.io",
    "LayerRead": "energieplanologie.io",
    "write_layers": "energieplanologie.writers",
    "write_csv": "energieplanologie.writers",
    "read_capaciteitskaart": "energieplanologie.capaciteitskaart",
    "validate": "energieplanologie.schema",
    "SCHEMAS": "energieplanologie.schema",
    "KINDS": "energieplanologie.schema",
    "CRS_RD": "energieplanologie.schema",
    "ValidationReport": "energieplanologie.report",
    "Region": "energieplanologie.region",
    "load_config": "energieplanologie.config",
    "load_region_config": "energieplanologie.config",
    "get_scenario": "energieplanologie.scenarios",
    "weighted_mw": "energieplanologie.scenarios",
    "synthetic_region": "energieplanologie.synthetic",
    # station balance (pilot West-Brabant)
    "allocate": "energieplanologie.allocation",
    "allocate_region": "energieplanologie.allocation",
    "allocate_result": "energieplanologie.allocation",
    "allocate_region_result": "energieplanologie.allocation",
    "AllocationResult": "energieplanologie.allocation",
    "station_balance": "energieplanologie.balance",
    "station_balance_result": "energieplanologie.balance",
    "BalanceResult": "energieplanologie.balance",
    "project_enablement": "energieplanologie.balance",
    "project_enablement_result": "energieplanologie.balance",
    "EnablementResult": "energieplanologie.balance",
    "flex_assets": "energieplanologie.flex",
    "flex_need": "energieplanologie.flex",
    "station_chart": "energieplanologie.charts",
    # knooppunten and density (pilot Noord-Holland Noord, step 3)
    "detect_hotspots": "energieplanologie.hotspots",
    "hotspots_through_time": "energieplanologie.hotspots",
    "hotspots_through_time_result": "energieplanologie.hotspots",
    "HotspotsThroughTimeResult": "energieplanologie.hotspots",
    "kde": "energieplanologie.density",
    "write_density": "energieplanologie.raster_output",
    # per municipality (pilot Zeeuws-Vlaanderen) and maps
    "municipality_overview": "energieplanologie.overview",
    "write_overviews": "energieplanologie.overview",
    "region_map": "energieplanologie.maps",
    "static_region_map": "energieplanologie.maps",
    "publish": "energieplanologie.maps",
    # afwegen (steps 2 and 4), variants and the pMIEK
    "load_framework": "energieplanologie.assessment",
    "score_projects": "energieplanologie.assessment",
    "Variant": "energieplanologie.variants",
    "compare_variants": "energieplanologie.variants",
    "compare_variants_result": "energieplanologie.variants",
    "VariantsResult": "energieplanologie.variants",
    "project_list": "energieplanologie.pmiek",
    "project_sheet_html": "energieplanologie.pmiek",
    "write_pmiek": "energieplanologie.pmiek",
    # programming rounds and the shared workspace
    "diff_rounds": "energieplanologie.diff",
    "freeze_round": "energieplanologie.rounds",
    "publish_to_postgis": "energieplanologie.postgis",
    # borgen en uitvoeren (step 5): the half-yearly progress check
    "monitor": "energieplanologie.monitoring",
    "MonitorResult": "energieplanologie.monitoring",
    "consequences_result": "energieplanologie.monitoring",
    "ConsequencesResult": "energieplanologie.monitoring",
    # the whole chain
    "Analysis": "energieplanologie.pipeline",
    "analyse": "energieplanologie.pipeline",
    "run_pipeline": "energieplanologie.pipeline",
}

__all__ = [
    "CRS_RD",
    "KINDS",
    "SCHEMAS",
    "Analysis",
    "ConfigError",
    "ConsequencesResult",
    "EnergieplanologieError",
    "EnergieplanologieWarning",
    "LayerRead",
    "MonitorResult",
    "OutputError",
    "ReadError",
    "Region",
    "UnusableLayerError",
    "ValidationError",
    "ValidationReport",
    "Variant",
    "VariantsResult",
    "__version__",
    "allocate",
    "allocate_region",
    "allocate_region_result",
    "allocate_result",
    "AllocationResult",
    "analyse",
    "compare_variants",
    "compare_variants_result",
    "consequences_result",
    "detect_hotspots",
    "diff_rounds",
    "flex_assets",
    "flex_need",
    "freeze_round",
    "get_scenario",
    "hotspots_through_time",
    "hotspots_through_time_result",
    "HotspotsThroughTimeResult",
    "kde",
    "load_config",
    "load_region_config",
    "load_framework",
    "load_sample",
    "monitor",
    "sample_settings",
    "ProjectSettings",
    "load_project",
    "municipality_overview",
    "project_enablement",
    "project_enablement_result",
    "EnablementResult",
    "project_list",
    "project_sheet_html",
    "publish",
    "publish_to_postgis",
    "read_capaciteitskaart",
    "read_layer",
    "region_map",
    "run_pipeline",
    "score_projects",
    "static_region_map",
    "station_balance",
    "station_balance_result",
    "BalanceResult",
    "station_chart",
    "synthetic_region",
    "validate",
    "weighted_mw",
    "write_csv",
    "write_density",
    "write_layers",
    "write_overviews",
    "write_pmiek",
]


def __getattr__(name: str) -> Any:
    """Import the module behind a public name on first use (and ``ep.maps`` etc. as submodules)."""
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # the next access is a plain attribute lookup
        return value
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # the same names, eagerly, for type checkers and IDEs
    from energieplanologie.allocation import (
        AllocationResult,
        allocate,
        allocate_region,
        allocate_region_result,
        allocate_result,
    )
    from energieplanologie.assessment import load_framework, score_projects
    from energieplanologie.balance import (
        BalanceResult,
        EnablementResult,
        project_enablement,
        project_enablement_result,
        station_balance,
        station_balance_result,
    )
    from energieplanologie.capaciteitskaart import read_capaciteitskaart
    from energieplanologie.charts import station_chart
    from energieplanologie.config import ProjectSettings, load_config, load_project, load_region_config
    from energieplanologie.density import kde
    from energieplanologie.diff import diff_rounds
    from energieplanologie.flex import flex_assets, flex_need
    from energieplanologie.hotspots import (
        HotspotsThroughTimeResult,
        detect_hotspots,
        hotspots_through_time,
        hotspots_through_time_result,
    )
    from energieplanologie.io import LayerRead, read_layer
    from energieplanologie.maps import publish, region_map, static_region_map
    from energieplanologie.monitoring import ConsequencesResult, MonitorResult, consequences_result, monitor
    from energieplanologie.overview import municipality_overview, write_overviews
    from energieplanologie.pipeline import Analysis, analyse, run_pipeline
    from energieplanologie.pmiek import project_list, project_sheet_html, write_pmiek
    from energieplanologie.postgis import publish_to_postgis
    from energieplanologie.raster_output import write_density
    from energieplanologie.region import Region
    from energieplanologie.report import ValidationReport
    from energieplanologie.rounds import freeze_round
    from energieplanologie.sample import load_sample, sample_settings
    from energieplanologie.scenarios import get_scenario, weighted_mw
    from energieplanologie.schema import CRS_RD, KINDS, SCHEMAS, validate
    from energieplanologie.synthetic import synthetic_region
    from energieplanologie.variants import Variant, VariantsResult, compare_variants, compare_variants_result
    from energieplanologie.writers import write_csv, write_layers
