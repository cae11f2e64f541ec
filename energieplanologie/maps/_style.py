"""One source of colours and line styles for the interactive (folium) and static (matplotlib) maps.

Everything a reader sees on a map is styled from here, so a station that is red in ``kaart.html`` is red in the
municipality PNG too. Colours are hex strings usable by both Leaflet and matplotlib.
"""

from __future__ import annotations

__all__ = [
    "CARRIER_COLOURS",
    "CERTAINTY_STYLE",
    "HOTSPOT_COLOURS",
    "FLEX_SYMBOLS",
    "INFRA_POINT_TYPES",
    "INFRA_WEIGHT",
    "MUNICIPALITY_COLOUR",
    "PROJECT_STATUS_COLOURS",
    "SECTOR_COLOURS",
    "STATUS_COLOURS",
    "STATUS_ORDER",
    "worst_status",
]

#: Station balance status → colour (green: room, amber: tight, red: shortage, grey: no capacity data).
STATUS_COLOURS: dict[str, str] = {"green": "#2e9e44", "amber": "#f0a202", "red": "#d7191c", "unknown": "#8c8c8c"}
#: Project status at a reference date (monitoring, step 5) → colour: grey before permits, blue while being
#: realised, green when ready, orange when delayed, dark red when cancelled.
PROJECT_STATUS_COLOURS: dict[str, str] = {"idea": "#bdbdbd", "preparation": "#9ecae1", "permit": "#6baed6",
                                          "tender": "#3182bd", "under_construction": "#08519c", "ready": "#2e9e44",
                                          "delayed": "#f0a202", "cancelled": "#7f0000"}
#: Severity order used to combine the two directions of a station into one colour.
STATUS_ORDER: dict[str, int] = {"unknown": 0, "green": 1, "amber": 2, "red": 3}

SECTOR_COLOURS: dict[str, str] = {
    "renewables": "#66a61e",
    "built_environment": "#e7298a",
    "housing": "#a6761d",
    "mobility": "#7570b3",
    "industry": "#1f4e99",
    "agriculture": "#d9b300",
    "data_centre": "#17becf",
    "business_park": "#525252",
    "other": "#bc80bd",
}

CARRIER_COLOURS: dict[str, str] = {
    "electricity": "#ff7f0e",
    "hydrogen": "#00a0a0",
    "heat": "#c2185b",
    "methane": "#8c6d31",
}

#: Hotspot level → colour (darker = higher level).
HOTSPOT_COLOURS: dict[str, str] = {"local": "#fdae61", "provincial": "#f46d43", "national": "#a50026"}

MUNICIPALITY_COLOUR = "#333333"

#: Certainty → (Leaflet dashArray or None, fill opacity, matplotlib linestyle). Less certain = lighter, dashed.
CERTAINTY_STYLE: dict[str, tuple[str | None, float, object]] = {
    "committed": (None, 0.45, "-"),
    "planned": (None, 0.35, "-"),
    "intended": ("6 4", 0.22, "--"),
    "speculative": ("2 5", 0.12, ":"),
}

#: Line weight (px) per infrastructure type.
INFRA_WEIGHT: dict[str, float] = {
    "cable_ehv": 5.0,
    "cable_hv": 4.0,
    "cable_mv": 2.5,
    "h2_pipeline": 4.0,
    "heat_network": 3.5,
    "gas_pipeline": 3.5,
}
#: Flex assets (energieplanologie.flex) on the maps: their own symbol per type — shape (``square`` storage,
#: ``diamond`` conversion) and the letter in it.
FLEX_SYMBOLS: dict[str, tuple[str, str]] = {
    "battery": ("square", "B"),
    "heat_storage": ("square", "W"),
    "electrolyser": ("diamond", "E"),
    "e_boiler": ("diamond", "K"),
    "gas_to_power": ("diamond", "G"),
}
#: Infrastructure types that are places rather than routes (drawn as marked points when given as points).
INFRA_POINT_TYPES = ("station_new", "station_expansion", "battery", "electrolyser", "heat_storage", "e_boiler",
                     "gas_to_power", "other")


def worst_status(a: str | None, b: str | None) -> str:
    """The more severe of two balance statuses (red > amber > green > unknown).

    Examples
    --------
    >>> worst_status("green", "red"), worst_status("unknown", "green"), worst_status(None, None)
    ('red', 'green', 'unknown')
    """
    a = a if a in STATUS_ORDER else "unknown"
    b = b if b in STATUS_ORDER else "unknown"
    return a if STATUS_ORDER[a] >= STATUS_ORDER[b] else b
