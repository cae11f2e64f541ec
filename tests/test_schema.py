"""schema.validate: every error, repair and warning code it can produce, on tiny hand-made frames.

Coordinates are real places in Zeeuws-Vlaanderen in RD New (EPSG:28992), converted from WGS84 with pyproj:
Terneuzen (46343, 373002), Hulst (61845, 366552), Axel (51789, 365199). The RD origin near Amersfoort is
(155000, 463000) = lon 5.38720621, lat 52.15517440 by the definition of RD.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, MultiPoint, Point

from energieplanologie import ValidationError
from energieplanologie.schema import (
    CERTAINTIES,
    CRS_RD,
    SCHEMAS,
    SECTORS,
    level_from_voltage,
    normalise_enum,
    validate,
)

TERNEUZEN, HULST, AXEL = (46343, 373002), (61845, 366552), (51789, 365199)


def developments(n: int = 2, crs: str | None = CRS_RD, **columns) -> gpd.GeoDataFrame:
    """n valid developments; keyword arguments replace or add columns."""
    data = {
        "development_id": [f"D{i + 1}" for i in range(n)],
        "name": [f"Ontwikkeling {i + 1}" for i in range(n)],
        "sector": ["industry"] * n,
        "offtake_mw": [5.0] * n,
        "year": [2030] * n,
        "certainty": ["planned"] * n,
    }
    data.update(columns)
    points = [Point(TERNEUZEN[0] + 100 * i, TERNEUZEN[1]) for i in range(n)]
    return gpd.GeoDataFrame(data, geometry=points, crs=crs)


def stations(geometry: list, crs: str | None = CRS_RD, **columns) -> gpd.GeoDataFrame:
    n = len(geometry)
    data = {"station_id": [f"S{i + 1}" for i in range(n)], "name": [f"Station {i + 1}" for i in range(n)]}
    data.update(columns)
    return gpd.GeoDataFrame(data, geometry=geometry, crs=crs)


def codes(report, severity: str = "error") -> list[str]:
    return report.codes(severity)


def rows_of(report, code: str, severity: str = "error") -> list[int]:
    items = {"error": report.errors, "repair": report.repairs, "warning": report.warnings, "note": report.notes}[severity]
    return sorted(r for f in items if f.code == code for r in f.rows)


def accounted(report) -> bool:
    return report.rows_in == report.rows_kept + report.rows_rejected


# ------------------------------------------------------------------------------------------- layer level


def test_valid_layer_passes_untouched():
    clean, report = validate(developments(), "developments")
    assert report.ok and accounted(report)
    assert (report.rows_in, report.rows_kept) == (2, 2)
    assert clean["development_id"].tolist() == ["D1", "D2"]
    assert clean["source_row"].tolist() == [0, 1]
    assert clean.crs == CRS_RD
    # Canonical columns come first, in schema order, geometry last.
    assert list(clean.columns[: len(SCHEMAS["developments"].columns)]) == SCHEMAS["developments"].column_names
    assert clean.columns[-1] == "geometry"


def test_input_is_not_mutated():
    frame = developments(sector=["Industrie ", "wonen"])
    before = frame.copy()
    validate(frame, "developments")
    pd.testing.assert_frame_equal(frame, before)


def test_duplicate_column():
    frame = pd.concat([developments(), developments()[["name"]]], axis=1)
    clean, report = validate(frame, "developments")
    assert codes(report) == ["duplicate_column"]
    assert "name" in report.errors[0].message
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (2, 0, 2)


def test_empty_layer_gives_empty_canonical_frame():
    clean, report = validate(developments().iloc[0:0], "developments")
    assert codes(report) == ["empty_layer"]
    assert (report.rows_in, report.rows_kept) == (0, 0)
    # Downstream code can rely on the canonical columns even here.
    assert set(SCHEMAS["developments"].column_names) <= set(clean.columns)
    assert clean.crs == CRS_RD
    assert str(clean["year"].dtype) == "Int64"


def test_missing_required_column_with_suggestion():
    frame = developments().rename(columns={"sector": "sectr"})
    clean, report = validate(frame, "developments")
    assert codes(report) == ["missing_column"]
    assert "sector" in report.errors[0].message
    assert report.errors[0].suggestion == "sector ← sectr?"
    assert (report.rows_kept, report.rows_rejected) == (0, 2)
    assert "development_id" in clean.columns  # canonical shape even when everything is rejected


def test_missing_one_of_power_columns():
    clean, report = validate(developments().drop(columns=["offtake_mw"]), "developments")
    assert codes(report) == ["missing_column"]
    assert "offtake_mw / feedin_mw" in report.errors[0].message


def test_missing_geometry():
    frame = pd.DataFrame(developments().drop(columns="geometry"))
    clean, report = validate(frame, "developments")
    assert codes(report) == ["missing_geometry"]
    assert report.rows_rejected == 2


def test_table_kind_needs_no_geometry():
    frame = pd.DataFrame({"station_id": ["S1"], "year": [2030], "offtake_capacity_mw": [40.0]})
    clean, report = validate(frame, "station_capacity")
    assert report.ok
    assert not isinstance(clean, gpd.GeoDataFrame)


def test_unknown_kind_and_wrong_type():
    with pytest.raises(ValueError, match="Unknown layer kind"):
        validate(developments(), "windmills")
    with pytest.raises(TypeError):
        validate([1, 2, 3], "developments")


# ------------------------------------------------------------------------------------------- CRS


def test_missing_crs_is_an_error_with_a_hint():
    clean, report = validate(developments(crs=None), "developments")
    assert codes(report) == ["missing_crs"]
    assert report.errors[0].suggestion.startswith("EPSG:28992")
    assert (report.rows_kept, report.rows_rejected) == (0, 2)
    lonlat = gpd.GeoDataFrame(developments().drop(columns="geometry"), geometry=[Point(3.83, 51.34)] * 2)
    _, report = validate(lonlat, "developments")
    assert report.errors[0].suggestion.startswith("EPSG:4326")


def test_crs_assigned_when_stated():
    clean, report = validate(developments(crs=None), "developments", crs="EPSG:28992")
    assert report.ok
    assert "crs_assigned" in codes(report, "repair")
    assert "reprojected" not in codes(report, "note")  # RD stated for RD data: nothing to transform
    assert clean.crs == CRS_RD
    assert clean.geometry.iloc[0].x == TERNEUZEN[0]


def test_reprojected_from_wgs84():
    # The RD origin is defined at lon 5.38720621, lat 52.15517440 → (155000, 463000). pyproj's default
    # transformation (without the RDNAPTRANS grid) is within a few decimetres of that.
    frame = stations([Point(5.38720621, 52.15517440)], crs="EPSG:4326")
    clean, report = validate(frame, "stations")
    assert "reprojected" in codes(report, "note") and "reprojected" not in codes(report, "repair")
    p = clean.geometry.iloc[0]
    assert abs(p.x - 155000) < 1 and abs(p.y - 463000) < 1


def test_crs_ignored_when_source_has_one():
    frame = stations([Point(5.38720621, 52.15517440)], crs="EPSG:4326")
    clean, report = validate(frame, "stations", crs="EPSG:28992")
    assert codes(report, "warning") == ["crs_ignored"]
    assert "EPSG:4326" in report.warnings[0].message
    assert abs(clean.geometry.iloc[0].x - 155000) < 1  # the source's own CRS was used


def test_impossible_coordinates_rd_declared_as_wgs84():
    frame = stations([Point(*TERNEUZEN), Point(*HULST)], crs="EPSG:4326")
    clean, report = validate(frame, "stations")
    assert codes(report) == ["impossible_coordinates"]
    assert "EPSG:28992" in report.errors[0].suggestion
    assert (report.rows_kept, report.rows_rejected) == (0, 2)


def test_outside_netherlands():
    frame = stations([Point(*TERNEUZEN), Point(500_000, 900_000)])
    clean, report = validate(frame, "stations")
    assert codes(report) == ["outside_netherlands"]
    assert rows_of(report, "outside_netherlands") == [1]
    assert report.errors[0].row_id == "S2"
    assert clean["station_id"].tolist() == ["S1"]


# ------------------------------------------------------------------------------------------- geometry


def test_empty_geometry_none_and_empty_point():
    frame = stations([Point(*TERNEUZEN), None, Point()])
    clean, report = validate(frame, "stations")
    assert codes(report) == ["empty_geometry", "empty_geometry"]
    assert rows_of(report, "empty_geometry") == [1, 2]
    assert (report.rows_kept, report.rows_rejected) == (1, 2)


def test_dropped_z():
    frame = stations([Point(*TERNEUZEN, 3.0), Point(*HULST)])
    clean, report = validate(frame, "stations")
    assert rows_of(report, "dropped_z", "repair") == [0]
    assert not clean.geometry.has_z.any()


def test_multipoint_with_one_part_becomes_point():
    frame = stations([MultiPoint([TERNEUZEN]), MultiPoint([TERNEUZEN, HULST])])
    clean, report = validate(frame, "stations")
    assert rows_of(report, "multipoint_to_point", "repair") == [0]
    # Two real points cannot be one station: rejected as a wrong geometry type.
    assert rows_of(report, "geometry_type") == [1]
    assert report.errors[0].value == "MultiPoint"
    assert clean.geom_type.tolist() == ["Point"]


def test_geometry_type_line_in_stations():
    frame = stations([Point(*TERNEUZEN), LineString([TERNEUZEN, HULST])])
    clean, report = validate(frame, "stations")
    assert codes(report) == ["geometry_type"]
    assert report.errors[0].value == "LineString" and report.errors[0].rows == [1]


def test_make_valid_keeps_a_bowtie_polygonal():
    # A 10 km bow-tie crossing itself at its centre: make_valid gives two triangles of ½·10·5 = 25 km² each.
    bowtie = shapely.from_wkt("POLYGON ((50000 360000, 60000 370000, 60000 360000, 50000 370000, 50000 360000))")
    frame = gpd.GeoDataFrame({"municipality_code": ["GM0677"], "name": ["Hulst"]}, geometry=[bowtie], crs=CRS_RD)
    clean, report = validate(frame, "municipalities")
    assert report.ok
    assert rows_of(report, "make_valid", "repair") == [0]
    assert "Self-intersection" in report.repairs[0].message
    geom = clean.geometry.iloc[0]
    assert geom.geom_type == "MultiPolygon" and geom.is_valid
    assert geom.area == pytest.approx(50_000_000)


def test_invalid_geometry_that_cannot_be_repaired():
    # A "polygon" whose vertices are collinear has no area: make_valid returns lines, which is no polygon.
    flat = shapely.from_wkt("POLYGON ((40000 360000, 41000 361000, 42000 362000, 40000 360000))")
    frame = gpd.GeoDataFrame({"municipality_code": ["GM1", "GM2"], "name": ["plat", "goed"]},
                             geometry=[flat, shapely.box(40000, 360000, 41000, 361000)], crs=CRS_RD)
    clean, report = validate(frame, "municipalities")
    assert codes(report) == ["invalid_geometry"]
    assert rows_of(report, "invalid_geometry") == [0]
    assert "make_valid" not in codes(report, "repair")  # a rejected row is not reported as repaired
    assert clean["municipality_code"].tolist() == ["GM2"]


# ------------------------------------------------------------------------------------------- numbers


def test_text_to_number_decimal_comma_thousands_and_year_text():
    frame = developments(3, offtake_mw=["12,5", "1.234,5", 3.0], year=["2030", "2030.0", 2031])
    clean, report = validate(frame, "developments")
    assert report.ok
    assert clean["offtake_mw"].tolist() == [12.5, 1234.5, 3.0]
    assert clean["year"].tolist() == [2030, 2030, 2031]
    assert str(clean["year"].dtype) == "Int64"
    assert rows_of(report, "text_to_number", "note") == [0, 0, 1, 1]  # offtake rows 0,1 and year rows 0,1


def test_not_a_number():
    clean, report = validate(developments(offtake_mw=[5.0, "veel"]), "developments")
    assert codes(report) == ["not_a_number"]
    assert report.errors[0].value == "veel" and report.errors[0].column == "offtake_mw"
    assert report.errors[0].row_id == "D2"


def test_not_finite():
    clean, report = validate(developments(offtake_mw=[np.inf, 1.0]), "developments")
    assert codes(report) == ["not_finite"]
    assert rows_of(report, "not_finite") == [0]


def test_not_an_integer():
    clean, report = validate(developments(year=[2030.5, 2030]), "developments")
    assert codes(report) == ["not_an_integer"]
    assert report.errors[0].value == 2030.5


def test_negative_value():
    clean, report = validate(developments(offtake_mw=[-1.0, 1.0]), "developments")
    assert codes(report) == ["negative_value"]
    assert report.errors[0].column == "offtake_mw"


def test_absurd_value_is_a_unit_mistake():
    # 100 000 MW is the threshold: ten times the whole Dutch peak load, so it must be kW given as MW.
    clean, report = validate(developments(3, offtake_mw=[99_999.0, 100_000.0, 250_000.0]), "developments")
    assert codes(report) == ["absurd_value", "absurd_value"]
    assert rows_of(report, "absurd_value") == [1, 2]
    assert "kW" in report.errors[0].message


def test_out_of_range_years_and_bounds_inclusive():
    clean, report = validate(developments(4, year=[1999, 2000, 2100, 2101]), "developments")
    assert codes(report) == ["out_of_range", "out_of_range"]
    assert rows_of(report, "out_of_range") == [0, 3]
    assert clean["year"].tolist() == [2000, 2100]


def test_out_of_range_cost():
    infra = gpd.GeoDataFrame({"project_id": ["P1"], "name": ["Kabel"], "infra_type": ["cable_hv"],
                              "cost_meur": [2_000_000.0]}, geometry=[LineString([TERNEUZEN, HULST])], crs=CRS_RD)
    clean, report = validate(infra, "infrastructure")
    assert codes(report) == ["out_of_range"] and report.errors[0].column == "cost_meur"


def test_missing_values_of_each_type():
    frame = developments(4, name=["A", None, "C", "D"], year=[2030, 2030, None, 2030],
                         sector=["industry", "industry", "industry", "  "])
    clean, report = validate(frame, "developments")
    assert sorted((f.column, f.rows[0]) for f in report.errors) == [("name", 1), ("sector", 3), ("year", 2)]
    assert set(codes(report)) == {"missing_value"}
    assert clean["development_id"].tolist() == ["D1"]


def test_default_filled_for_absent_column_and_empty_values():
    frame = developments(2, feedin_mw=[None, 2.0], carrier=["heat", None])
    clean, report = validate(frame, "developments")
    assert report.ok
    filled = {f.column: f.rows for f in report.repairs if f.code == "default_filled"}
    assert filled["feedin_mw"] == [0] and filled["carrier"] == [1]
    assert filled["programme"] == []  # absent column: layer-wide
    assert clean["carrier"].tolist() == ["heat", "electricity"]
    assert clean["programme"].tolist() == ["other", "other"]
    assert clean["feedin_mw"].tolist() == [0.0, 2.0]


def test_absent_optional_columns_are_typed():
    # An absent optional int column must be a nullable Int64 column, not an object column of pd.NA (which
    # GDAL would write as the text "<NA>").
    clean, report = validate(pd.DataFrame({"station_id": ["S1"], "year": [2030], "offtake_capacity_mw": [1.0]}),
                             "station_capacity")
    assert str(clean["queue_offtake_requests"].dtype) == "Int64"
    assert clean["queue_offtake_mw"].dtype == float
    assert clean["offtake_constraint"].tolist() == [None]


# ------------------------------------------------------------------------------------------- enums and keys


def test_unknown_value_with_suggestion_and_normalised_values():
    frame = developments(3, sector=["wonen", "Woningbouw", "industry"], certainty=["planned", "Vergund ", "idee"])
    clean, report = validate(frame, "developments")
    assert codes(report) == ["unknown_value"]
    err = report.errors[0]
    # The column holds Dutch words ('Woningbouw', 'idee'): the suggestion is the Dutch one.
    assert (err.rows, err.value, err.suggestion, err.column) == ([0], "wonen", "woningbouw", "sector")
    assert "opwek, gebouwde_omgeving, woningbouw" in err.message  # the allowed values are listed, in Dutch
    normalised = {f.column: f.rows for f in report.notes if f.code == "enum_normalised"}
    assert normalised == {"sector": [1], "certainty": [1, 2]}
    assert clean["sector"].tolist() == ["housing", "industry"]
    assert clean["certainty"].tolist() == ["committed", "speculative"]


def test_duplicate_id_rejects_all_rows_with_the_key():
    frame = developments(3, development_id=["D1", "D1", " D2 "])
    clean, report = validate(frame, "developments")
    assert codes(report) == ["duplicate_id", "duplicate_id"]
    assert rows_of(report, "duplicate_id") == [0, 1]
    assert clean["development_id"].tolist() == ["D2"]  # trimmed


def test_duplicate_composite_key_in_station_capacity():
    frame = pd.DataFrame({"station_id": ["S1", "S1", "S1"], "year": [2025, 2025, 2030],
                          "offtake_capacity_mw": [10.0, 12.0, 15.0]})
    clean, report = validate(frame, "station_capacity")
    assert rows_of(report, "duplicate_id") == [0, 1]
    assert report.errors[0].value == "S1/2025"
    assert clean["year"].tolist() == [2030]


def test_ids_read_as_floats_do_not_grow_a_decimal():
    frame = stations([Point(*TERNEUZEN), Point(*HULST)], station_id=[1714.0, 1715.5])
    clean, report = validate(frame, "stations")
    assert clean["station_id"].tolist() == ["1714", "1715.5"]


# ------------------------------------------------------------------------------------------- kind rules


def test_level_derived_from_voltage():
    frame = stations([Point(*TERNEUZEN), Point(*HULST), Point(*AXEL)],
                     voltage_kv=["150/20", "380", None], level=[None, None, "MS"])
    clean, report = validate(frame, "stations")
    assert rows_of(report, "level_derived", "note") == [0, 1]
    assert clean["level"].tolist() == ["HS", "EHS", "MS"]


def test_zero_power_warning():
    clean, report = validate(developments(offtake_mw=[0.0, 3.0]), "developments")
    assert report.ok and rows_of(report, "zero_power", "warning") == [0]


def test_infrastructure_warnings_no_year_and_no_station():
    infra = gpd.GeoDataFrame(
        {"project_id": ["P1", "P2", "P3"], "name": ["a", "b", "c"], "infra_type": ["station_expansion"] * 3,
         "offtake_capacity_added_mw": [20.0, 20.0, 0.0], "year_ready": [None, 2028, None],
         "station_id": ["S1", None, None]},
        geometry=[Point(*TERNEUZEN)] * 3, crs=CRS_RD)
    clean, report = validate(infra, "infrastructure")
    assert report.ok
    assert rows_of(report, "no_year_ready", "warning") == [0]
    assert rows_of(report, "no_station", "warning") == [1]  # P3 adds nothing: no warning


# ------------------------------------------------------------------------------------------- accounting


def test_source_row_is_kept_from_the_reader():
    frame = developments(2, offtake_mw=[-1.0, 1.0]).assign(source_row=[7, 9])
    clean, report = validate(frame, "developments")
    assert report.errors[0].rows == [7]
    assert clean["source_row"].tolist() == [9]


def test_raise_on_error_carries_the_report():
    with pytest.raises(ValidationError) as info:
        validate(developments(offtake_mw=[-1.0, 1.0]), "developments", raise_on_error=True)
    assert info.value.report.rows_rejected == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["12,5", "x", "", "1.000"]),
                          st.none()), min_size=1, max_size=12),
       st.lists(st.sampled_from([*SECTORS, "wonen", "Opwek", "", None]), min_size=12, max_size=12))
def test_every_row_is_kept_or_rejected(offtake, sectors):
    n = len(offtake)
    frame = developments(n, offtake_mw=offtake, sector=sectors[:n])
    clean, report = validate(frame, "developments")
    assert accounted(report)
    assert len(clean) == report.rows_kept
    assert set(clean["source_row"]) | set(report.rejected_rows) == set(range(n))
    assert not set(clean["source_row"]) & set(report.rejected_rows)
    assert clean["offtake_mw"].between(0, 100_000, inclusive="left").all()
    assert clean["sector"].isin(SECTORS).all()


# ------------------------------------------------------------------------------------------- helpers


def test_normalise_enum_and_level_from_voltage():
    assert normalise_enum("certainty", CERTAINTIES, "Vergund ") == ("committed", None)
    assert normalise_enum("sector", SECTORS, "wonen") == (None, "woningbouw")
    assert normalise_enum("sector", SECTORS, "hosing") == (None, "housing")
    assert normalise_enum("sector", SECTORS, "gebouwde omgevin") == (None, "gebouwde_omgeving")
    assert normalise_enum("sector", SECTORS, "xyz") == (None, None)
    assert level_from_voltage(pd.Series(["150/20", "380", "50/10", "10", None])).tolist() == [
        "HS", "EHS", "TS", "MS", None]


def test_status_layer_dates_and_cancelled_projects():
    # Five reference dates: ISO, Dutch (30-06-2026 is the same day, so P1 has a duplicate key), a spreadsheet
    # date, an impossible 31 February, and one after today. A cancelled project with a year is an error too.
    frame = pd.DataFrame({
        "project_id": ["P1", "P1", "P2", "P3", "P4", "P5"],
        "reference_date": ["2026-06-30", "30-06-2026", pd.Timestamp("2025-12-31"), "31-02-2026", "2999-01-01",
                           "2026-06-30"],
        "project_status": ["vertraagd", "delayed", "In aanbouw", "gereed", "idee", "geschrapt"],
        "expected_year_ready": [2031, 2031, 2027, 2026, None, 2030],
    })
    clean, report = validate(frame, "status")
    assert accounted(report)
    errors = {(e.rows[0], e.code, e.column) for e in report.errors}
    assert errors == {(0, "duplicate_id", "project_id"), (1, "duplicate_id", "project_id"),
                      (3, "not_a_date", "reference_date"), (4, "future_date", "reference_date"),
                      (5, "cancelled_with_year", "expected_year_ready")}
    assert clean["project_id"].tolist() == ["P2"]
    assert clean.loc[0, "reference_date"] == "2025-12-31" and clean.loc[0, "project_status"] == "under_construction"


# Every code schema.validate can emit must be exercised above. The list is read from the source, so a new rule
# without a test fails here.
TESTED_CODES = {
    "duplicate_column", "empty_layer", "missing_column", "missing_geometry", "missing_crs", "impossible_coordinates",
    "outside_netherlands", "empty_geometry", "invalid_geometry", "geometry_type", "not_a_number", "not_finite",
    "not_an_integer", "negative_value", "out_of_range", "absurd_value", "missing_value", "unknown_value",
    "duplicate_id", "dropped_z", "multipoint_to_point", "make_valid", "crs_assigned", "reprojected",
    "default_filled", "text_to_number", "enum_normalised", "level_derived", "crs_ignored", "zero_power",
    "no_year_ready", "no_station", "not_a_date", "future_date", "cancelled_with_year",
    # tested in tests/test_flex.py (test_validation_reports_flex_rows_and_unknown_columns)
    "power_and_capacity_added", "power_not_flex", "unknown_columns",
}


def test_every_schema_code_has_a_test():
    source = Path(__file__).resolve().parents[1].joinpath("energieplanologie", "schema.py").read_text(encoding="utf-8")
    emitted = set(re.findall(r"(?:layer_error|error_rows|\.repair|\.warning)\(\s*[^\"]{0,80}?\"([a-z_]+)\"", source))
    emitted |= set(re.findall(r"\"(negative_value|absurd_value|out_of_range)\"", source))
    assert emitted, "no codes found: has the source layout changed?"
    assert emitted <= TESTED_CODES, f"untested codes: {sorted(emitted - TESTED_CODES)}"


def test_repairs_and_warnings_name_the_id_of_their_rows():
    # A bow tie (repaired by make_valid) in row 4 of development D17, a zero-power row 2 (D2): the report says
    # which development, not only which row — in the findings and in the text a user reads.
    from shapely import from_wkt

    bowtie = from_wkt("POLYGON ((50000 360000, 60000 370000, 60000 360000, 50000 370000, 50000 360000))")
    frame = developments(4, offtake_mw=[1.0, 0.0, 1.0, 2.0])
    frame["development_id"] = ["D1", "D2", "D3", "D17"]
    frame = frame.set_geometry(gpd.GeoSeries([Point(*TERNEUZEN)] * 3 + [bowtie], crs=CRS_RD))
    clean, report = validate(frame, "developments")
    repaired = [f for f in report.repairs if f.code == "make_valid"][0]
    assert (repaired.rows, repaired.row_ids) == ([3], ["D17"])
    assert "rij 4 (ontwikkeling D17), kolom geometry: ongeldige geometrie hersteld" in report.to_text()
    zero = [f for f in report.warnings if f.code == "zero_power"][0]
    assert zero.row_ids == ["D2"] and "rij 2 (ontwikkeling D2)" in report.to_text()
    assert report.to_dict()["repairs"][[f.code for f in report.repairs].index("make_valid")]["row_ids"] == ["D17"]
