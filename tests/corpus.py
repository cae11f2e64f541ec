"""The corpus of bad files in ``tests/data/bad/`` and what the reader must say about each (used by test_io.py and
test_no_traceback.py; a helper module, not a test module, so that no test imports another)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The CLI in a child process whose address space is limited to what it uses now plus ``headroom`` MB.
_LIMITED = """
import resource, sys
import energieplanologie.cli as cli, energieplanologie.io, pyogrio, geopandas
from energieplanologie._limits import _vm_size
resource.setrlimit(resource.RLIMIT_AS, (_vm_size() + int(sys.argv[1]) * 10**6, resource.RLIM_INFINITY))
sys.argv = ["energieplanologie", *sys.argv[2:]]
cli.main()
"""



@dataclass
class Case:
    """One corpus file and what the reader must report about it."""

    name: str
    kind: str = "developments"
    counts: tuple[int, int, int] = (0, 0, 0)  # rows in, kept, rejected
    errors: dict[str, list[int]] = field(default_factory=dict)  # exactly these error codes, with their rows
    repairs: dict[str, list[int]] = field(default_factory=dict)  # at least these repairs, with their rows
    warnings: dict[str, list[int]] = field(default_factory=dict)  # at least these warnings
    notes: dict[str, list[int]] = field(default_factory=dict)  # at least these notes (read as documented)
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name + ("+" + ",".join(self.kwargs) if self.kwargs else "")


CORPUS = [
    # CRS
    Case("no_crs.gpkg", counts=(2, 0, 2), errors={"missing_crs": []}),
    Case("no_crs.gpkg", counts=(2, 2, 0), repairs={"crs_assigned": []}, kwargs={"crs": "EPSG:28992"}),
    Case("wgs84_stations.geojson", "stations", (2, 2, 0), notes={"reprojected": [], "level_derived": [0, 1]}),
    Case("rd_declared_wgs84.geojson", "stations", (2, 0, 2), errors={"impossible_coordinates": []}),
    Case("outside_nl.geojson", "stations", (2, 1, 1), errors={"outside_netherlands": [1]}),
    # geometry
    Case("self_intersecting.gpkg", "municipalities", (2, 2, 0), repairs={"make_valid": [1]}),
    Case("empty_geometry.geojson", counts=(3, 2, 1), errors={"empty_geometry": [1]}),
    Case("mixed_geometry_stations.geojson", "stations", (3, 2, 1), errors={"geometry_type": [1]}),
    Case("z_geometries.gpkg", "stations", (2, 2, 0), repairs={"dropped_z": [0, 1]}),
    Case("multipoint_one_part.geojson", "stations", (3, 2, 1), errors={"geometry_type": [2]},
         repairs={"multipoint_to_point": [1]}),
    Case("bad_wkt.csv", counts=(3, 2, 1), errors={"invalid_wkt": [1]}),
    Case("no_geometry.csv", counts=(1, 0, 1), errors={"missing_geometry": []}, warnings={"no_geometry_columns": []}),
    # columns
    Case("missing_column.csv", counts=(1, 0, 1), errors={"missing_column": []}),
    Case("duplicate_column.csv", counts=(1, 0, 1), errors={"duplicate_column": []}),
    Case("ambiguous_power.csv", counts=(1, 0, 1), errors={"missing_column": []}, warnings={"ambiguous_column": []}),
    # values
    Case("text_in_number.csv", counts=(2, 1, 1), errors={"not_a_number": [1]}),
    Case("decimal_comma.csv", counts=(3, 3, 0), notes={"text_to_number": [0, 1]}),
    Case("unknown_sector.csv", counts=(2, 1, 1), errors={"unknown_value": [0]}, notes={"enum_normalised": [1, 1]}),
    Case("negative_mw.geojson", counts=(2, 1, 1), errors={"negative_value": [1]}),
    Case("absurd_mw.geojson", counts=(2, 1, 1), errors={"absurd_value": [0]}),
    Case("year_out_of_range.csv", counts=(3, 1, 2), errors={"out_of_range": [0, 1]}),
    Case("year_as_text.geojson", counts=(2, 2, 0), notes={"text_to_number": [0, 1]}),
    Case("bad_numbers.csv", counts=(3, 1, 2), errors={"not_an_integer": [0], "not_finite": [1]}),
    Case("missing_values.csv", counts=(3, 1, 2), errors={"missing_value": [0, 1]}),
    Case("duplicate_ids.csv", counts=(3, 1, 2), errors={"duplicate_id": [0, 1]}),
    Case("cp1252.csv", counts=(1, 1, 0), repairs={"encoding": []}, notes={"text_to_number": [0]}),
    Case("merged_header.xlsx", counts=(2, 2, 0), repairs={"merged_header": [], "crs_assumed": []}),
    # layers
    Case("empty_layer.gpkg", counts=(0, 0, 0), errors={"empty_layer": []}),
    Case("two_layers.gpkg", counts=(1, 1, 0), kwargs={"layer": "plan_b"}),
    # capacity
    # capaciteitskaart v1.2: only short_code is required; HLS 150 without demand capacity loads, capacity unknown.
    Case("capaciteitskaart_missing_capacity.yaml", "station_capacity", (2, 2, 0), notes={"enum_normalised": [0]},
         warnings={"capacity_unknown": [1]}),
    Case("dangling_station.csv", "station_capacity", (2, 2, 0)),  # the dangling id is a Region-level check
    # added for issue 10 (the rest of its list, and every reader's format)
    Case("m_geometries.gpkg", "stations", (2, 2, 0), repairs={"dropped_m": [], "dropped_z": [1]}),
    Case("wgs84_declared_rd.gpkg", "stations", (2, 0, 2), errors={"outside_netherlands": [0, 1]}),
    Case("rd_declared_etrs89.gpkg", "stations", (2, 0, 2), errors={"impossible_coordinates": []}),
    Case("shp_without_prj.zip", "stations", (2, 0, 2), errors={"missing_crs": []}),
    Case("shp_without_prj.zip", "stations", (2, 2, 0), repairs={"crs_assigned": []}, kwargs={"crs": "EPSG:28992"}),
    Case("res_self_intersecting.gpkg", counts=(4, 2, 2), errors={"invalid_geometry": [1], "geometry_type": [3]},
         repairs={"make_valid": [0, 2]}),
    # 1.250 → 1250 and 2.500,5 → 2500.5 (Dutch), 1 250 → 1250, 1.25 → 1.25 (no group of three digits);
    # 1,250.5 (English) is no number; 12.500.000 → 12.5 million MW is absurd.
    Case("thousands_separator.csv", counts=(6, 4, 2), errors={"not_a_number": [3], "absurd_value": [4]},
         notes={"text_to_number": [0, 1, 2, 4, 5]}),
    # A JSON NaN is a missing number (default 0 MW, and a warning that the row then has no power); ±Infinity not.
    Case("nan_inf.geojson", counts=(4, 2, 2), errors={"not_finite": [1, 2]}, repairs={"default_filled": [0]},
         warnings={"zero_power": [0]}),
    # As text, 'NaN' is literally "not a number": rejected, never silently 0 MW.
    Case("nan_as_text.csv", counts=(5, 1, 4), errors={"not_a_number": [0, 3], "not_finite": [1, 2]}),
    Case("header_only.csv", counts=(0, 0, 0), errors={"empty_layer": []}),
    Case("empty_collection.geojson", counts=(0, 0, 0), errors={"empty_layer": []}),
    Case("duplicate_column.xlsx", counts=(1, 0, 1), errors={"duplicate_column": []}),
    Case("text_in_number.xlsx", counts=(3, 2, 1), errors={"not_a_number": [1]},
         notes={"text_to_number": [0, 1]}),
    # FlatGeobuf stores features in the order of its spatial index: D2 (Hulst, jaar 2030.5) is feature 0.
    Case("year_as_float.fgb", counts=(2, 1, 1), errors={"not_an_integer": [0]}),
    Case("dangling_station_developments.geojson", counts=(2, 2, 0)),  # Region-level, see below
    Case("capaciteitskaart_missing_fields.json", "station_capacity", (5, 2, 3),
         errors={"missing_value": [1], "not_an_area": [2], "negative_value": [3]}, notes={"text_to_number": [3]},
         warnings={"capacity_unknown": [4]}),
    Case("capaciteitskaart_missing_fields.json", "infrastructure", (3, 0, 3),
         errors={"no_location": [0], "cancelled_work": [1], "unknown_value": [2]}),
    # added for issue 17
    Case("capaciteitskaart_schedule_text.yaml", "infrastructure", (3, 3, 0),
         repairs={"schedule_text": [0, 1]}, warnings={"schedule_unreadable": [2]}, kwargs={"stations": "TNZ 150"}),
    Case("capaciteitskaart_kw_as_mw.yaml", "station_capacity", (2, 2, 0), warnings={"implausible_capacity": [0]}),
    # NaN/±inf coordinates are rejected by name (GEOS cannot repair them: make_valid used to crash on them).
    Case("nan_coordinates.geojson", counts=(4, 1, 3), errors={"not_finite": [1, 2, 3]}),
    Case("nan_coordinates.gpkg", counts=(2, 1, 1), errors={"not_finite": [0]}),
    Case("inf_xy.csv", counts=(3, 1, 2), errors={"not_finite": [1, 2]}),
    Case("nan_wkt.csv", counts=(3, 1, 2), errors={"not_finite": [1, 2]}),
    # Excel "Unicode text" (UTF-16 with BOM, tabs) is read as such, not as cp1252.
    Case("utf16_excel.csv", counts=(2, 2, 0), repairs={"encoding": []}, notes={"text_to_number": [0, 1]}),
    # A formula without a stored result rejects its row with that reason (not "empty, filled with 0 MW").
    Case("formula_without_value.xlsx", counts=(3, 2, 1), errors={"formula_without_value": [1]},
         warnings={"formula_without_value": [2]}),
    Case("merged_data_cells.xlsx", counts=(4, 4, 0), repairs={"merged_cells": [1, 2]}),
    # GDAL would cut "D17\u0000-oud" to "D17", a false duplicate of the next feature.
    Case("nul_in_id.geojson", counts=(2, 2, 0), repairs={"nul_character": [0]}),
    # Knooppunten exactly at min_mw (see test_hotspots.py); as a layer it is simply valid.
    Case("threshold_20mw.csv", counts=(7, 7, 0)),
    # Capacity without a year ready counts in no year: warned once, for both rows.
    Case("infra_without_year_ready.geojson", "infrastructure", (3, 3, 0), warnings={"no_year_ready": [1, 2]}),
]

#: Files that cannot be read at all: ReadError, with these words in the message.
UNREADABLE = {
    "zero_bytes.gpkg": "leeg",
    "truncated.gpkg": "niet te lezen",
    "unknown_extension.dat": "onbekend bestandsformaat '.dat'",
    "unparsable.csv": "CSV niet te lezen",
    "zip_without_shp.zip": "geen shapefile",
    "whitespace_only.csv": "geen gegevens",
    "truncated.xlsx": "niet te lezen als Excel-werkmap",
    "truncated.fgb": "afgebroken of beschadigd: de kop noemt 200 objecten, er zijn er 0 te lezen",
    "truncated_shp.zip": "niet te lezen",
    "deep_nesting.json": "te diep genest (meer dan 64 niveaus)",
    "deep_nesting.yaml": "te diep genest (meer dan 64 niveaus)",
    "billion_laughs.yaml": "YAML-verwijzing (*alias) op regel 3",
}

#: Files that are refused before reading when memory is short (see test_refused_before_reading_when_too_big).
TOO_BIG = {"huge_points_shp.zip": "te groot om te lezen"}
