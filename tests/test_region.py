"""Region: cross-layer rules and the sample region as designed."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely import Point, box

from energieplanologie.region import Region
from energieplanologie.schema import CRS_RD


def _tiny_layers():
    municipalities = gpd.GeoDataFrame(
        {"municipality_code": ["GM0001", "GM0002"], "name": ["West", "Oost"]},
        geometry=[box(40000, 360000, 50000, 370000), box(50000, 360000, 60000, 370000)], crs=CRS_RD)
    stations = gpd.GeoDataFrame({"station_id": ["A", "B"], "name": ["Alfa", "Bravo"], "voltage_kv": ["150/20", "10"]},
                                geometry=[Point(45000, 365000), Point(55000, 365000)], crs=CRS_RD)
    capacity = pd.DataFrame({"station_id": ["A", "B", "X"], "year": [2025, 2025, 2025],
                             "offtake_capacity_mw": [100.0, 10.0, 5.0], "feedin_capacity_mw": [80.0, 8.0, 5.0]})
    developments = gpd.GeoDataFrame(
        {"development_id": ["d1", "d2", "d3", "d4"], "name": ["een", "twee", "drie", "vier"],
         "sector": ["housing", "industry", "renewables", "housing"], "offtake_mw": [1.0, 20.0, 0.0, 2.0],
         "feedin_mw": [0.0, 0.0, 5.0, 0.0], "year": [2030, 2030, 2035, 2030],
         "certainty": ["planned"] * 4, "station_id": [None, "A", "Z", None],
         "municipality_code": [None, None, None, "GM0002"]},
        geometry=[Point(41000, 361000), Point(56000, 361000), Point(57000, 362000), Point(42000, 362000)], crs=CRS_RD)
    return municipalities, stations, capacity, developments


def test_dangling_station_ids_are_rejected_and_reported_with_accounting():
    municipalities, stations, capacity, developments = _tiny_layers()
    region = Region.from_layers(name="t", municipalities=municipalities, stations=stations,
                                station_capacity=capacity, developments=developments)
    # capacity row for station X and development d3 (station Z) name unknown stations
    cap = region.reports["station_capacity"]
    dev = region.reports["developments"]
    assert cap.codes() == ["unknown_reference"] and cap.errors[0].row_id == "X/2025"
    assert dev.codes() == ["unknown_reference"] and dev.errors[0].rows == [2] and dev.errors[0].value == "Z"
    assert (cap.rows_in, cap.rows_kept, cap.rows_rejected) == (3, 2, 1)
    assert (dev.rows_in, dev.rows_kept, dev.rows_rejected) == (4, 3, 1)
    assert sorted(region.developments["development_id"]) == ["d1", "d2", "d4"]
    assert not region.ok


def test_municipality_is_derived_from_location_and_given_codes_are_kept():
    municipalities, stations, capacity, developments = _tiny_layers()
    region = Region.from_layers(name="t", municipalities=municipalities, stations=stations,
                                station_capacity=capacity.iloc[:2], developments=developments.iloc[[0, 1, 3]])
    codes = dict(zip(region.developments["development_id"], region.developments["municipality_code"], strict=True))
    # d1 lies in West; d2 in Oost; d4 lies in West but its given code (Oost) is the user's and is kept
    assert codes == {"d1": "GM0001", "d2": "GM0002", "d4": "GM0002"}
    assert "municipality_derived" in region.reports["developments"].codes("note")
    assert region.ok


def test_inputs_are_not_mutated():
    municipalities, stations, capacity, developments = _tiny_layers()
    before = developments.copy()
    Region.from_layers(name="t", municipalities=municipalities, stations=stations,
                       station_capacity=capacity, developments=developments)
    pd.testing.assert_frame_equal(pd.DataFrame(developments), pd.DataFrame(before))


def test_validated_layers_without_source_row_name_rows_by_position():
    """Layers validated elsewhere (``validated=True``) may lack ``source_row``: the cross-layer checks then name
    each row by its position in the layer as handed in (it used to raise KeyError: 'source_row')."""
    municipalities, stations, capacity, developments = _tiny_layers()
    developments = developments.assign(municipality_code=[None, None, None, "GM0009"])
    assert "source_row" not in developments.columns
    region = Region.from_layers(name="t", municipalities=municipalities, stations=stations,
                                station_capacity=capacity, developments=developments, validated=True)
    dev = region.reports["developments"]
    # d3 (position 2) names station Z: rejected; d4 (position 3) names an unknown municipality code: a warning
    assert [(f.code, f.rows, f.row_id) for f in dev.errors] == [("unknown_reference", [2], "d3")]
    unknown = [f for f in dev.warnings if f.code == "unknown_municipality"]
    assert [(f.rows, f.row_ids) for f in unknown] == [([3], ["d4"])]
    assert "source_row" not in developments.columns  # the caller's frame is untouched


def test_sample_region_loads_from_its_config_with_zero_errors(sample_region):
    assert sample_region.name == "Zeeuws-Vlaanderen"
    for kind, rep in sample_region.reports.items():
        assert rep.errors == [], f"{kind}: {rep.to_text()}"
        assert rep.rows_in == rep.rows_kept + rep.rows_rejected
    assert sorted(sample_region.municipalities["municipality_code"]) == ["GM0677", "GM0715", "GM1714"]
    for kind in ("municipalities", "stations", "infrastructure", "developments", "constraints"):
        assert sample_region.layer(kind).crs.to_epsg() == 28992
    assert len(sample_region.developments) >= 50
    assert set(sample_region.developments["certainty"]) == {"committed", "planned", "intended", "speculative"}
    assert sample_region.developments["municipality_code"].notna().all()


def test_arrow_text_read_by_pyogrio_is_checked_like_object_text(tmp_path):
    """Layers read with Arrow hold Arrow-backed text: the cross-layer checks give the same answer on them."""
    import pyogrio

    municipalities, stations, capacity, developments = _tiny_layers()
    developments = developments.assign(municipality_code=[None, None, None, "GM0009"], source_row=[1, 2, 3, 4])
    path = tmp_path / "ontwikkelingen.gpkg"
    pyogrio.write_dataframe(developments, path, layer="ontwikkelingen")
    arrow = pyogrio.read_dataframe(path, layer="ontwikkelingen", use_arrow=True)
    assert arrow["station_id"].dtype.storage == "pyarrow"
    region = Region.from_layers(name="t", municipalities=municipalities, stations=stations,
                                station_capacity=capacity, developments=arrow, validated=True)
    # d3 names station Z (not in the stations layer): rejected; d1 and d2 have no code, d4 an unknown one (GM0009)
    assert sorted(region.developments["development_id"]) == ["d1", "d2", "d4"]
    dev = region.reports["developments"]
    assert dev.codes() == ["unknown_reference"] and dev.errors[0].value == "Z"
    assert "unknown_municipality" in dev.codes("warning")
    # the capacity row of station X is rejected too (object text)
    assert region.reports["station_capacity"].rows_rejected == 1
