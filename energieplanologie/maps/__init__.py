"""Maps: the interactive region map (folium), self-contained publishing, notes from the room, static maps.

>>> import energieplanologie as ep
>>> from energieplanologie import maps
>>> m = maps.region_map(ep.load_sample(), year=2030)  # doctest: +SKIP
>>> maps.publish(m, "uitvoer/kaart.html")  # doctest: +SKIP
"""

from energieplanologie.maps._assets import AssetError
from energieplanologie.maps.interactive import LAYER_NAMES, region_map
from energieplanologie.maps.notes import NOTE_COLUMNS, read_notes
from energieplanologie.maps.publish import publish, render_html
from energieplanologie.maps.static import static_region_map

__all__ = [
    "LAYER_NAMES",
    "NOTE_COLUMNS",
    "AssetError",
    "publish",
    "read_notes",
    "region_map",
    "render_html",
    "static_region_map",
]
