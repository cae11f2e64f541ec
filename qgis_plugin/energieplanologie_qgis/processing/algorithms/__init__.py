"""One algorithm per file; :data:`ALGORITHMS` is what the provider registers."""

from .assessment import AssessmentAlgorithm
from .density import DensityAlgorithm
from .hotspots import HotspotsAlgorithm
from .load_sample import LoadSampleAlgorithm
from .monitor import MonitorAlgorithm
from .municipality_atlas import MunicipalityAtlasAlgorithm
from .municipality_overview import MunicipalityOverviewAlgorithm
from .pmiek_export import PmiekExportAlgorithm
from .publish_map import PublishMapAlgorithm
from .station_balance import StationBalanceAlgorithm
from .validate_layer import ValidateLayerAlgorithm

__all__ = [
    "ALGORITHMS",
    "AssessmentAlgorithm",
    "DensityAlgorithm",
    "HotspotsAlgorithm",
    "LoadSampleAlgorithm",
    "MonitorAlgorithm",
    "MunicipalityAtlasAlgorithm",
    "MunicipalityOverviewAlgorithm",
    "PmiekExportAlgorithm",
    "PublishMapAlgorithm",
    "StationBalanceAlgorithm",
    "ValidateLayerAlgorithm",
]

ALGORITHMS = (
    ValidateLayerAlgorithm,
    LoadSampleAlgorithm,
    StationBalanceAlgorithm,
    HotspotsAlgorithm,
    DensityAlgorithm,
    AssessmentAlgorithm,
    PmiekExportAlgorithm,
    MunicipalityOverviewAlgorithm,
    MunicipalityAtlasAlgorithm,
    PublishMapAlgorithm,
    MonitorAlgorithm,
)
