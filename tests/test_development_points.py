"""development_points: the developments that take part, as arrays in layer order (read from a real file)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from shapely.geometry import Point, box

from energieplanologie.development_points import development_points
from energieplanologie.hotspots import point_weights, point_weights_in_layer_order, weighted_points
from energieplanologie.io import read_layer
from energieplanologie.region import Region

CRS = "EPSG:28992"


def _region(tmp_path) -> Region:
    """Five developments written to a GeoPackage and read back through read_layer (validated)."""
    dev = gpd.GeoDataFrame(
        {
            "development_id": ["A", "B", "C", "D", "E"],
            "name": ["A", "B", "C", "D", "E"],
            "sector": ["industry", "housing", "renewables", "industry", "mobility"],
            "offtake_mw": [10.0, 4.0, 0.0, 8.0, 3.0],
            "feedin_mw": [2.0, 0.0, 30.0, 0.0, 0.0],
            "year": [2030, 2025, 2028, 2040, 2030],
            "certainty": ["committed", "intended", "planned", "committed", "speculative"],
        },
        geometry=[Point(105_000, 405_000), Point(101_000, 402_000), box(106_000, 400_000, 108_000, 401_000),
                  Point(103_000, 403_000), Point(100_500, 409_500)],
        crs=CRS,
    )
    path = tmp_path / "ontwikkelingen.gpkg"
    pyogrio.write_dataframe(dev, path, layer="ontwikkelingen")
    developments = read_layer(path, "developments").data
    return Region.from_layers(
        name="Punten",
        municipalities=gpd.GeoDataFrame({"municipality_code": ["GM0001"], "name": ["Proefdorp"]},
                                        geometry=[box(100_000, 400_000, 110_000, 410_000)], crs=CRS),
        stations=gpd.GeoDataFrame({"station_id": ["S"], "name": ["S"], "level": ["HS"]},
                                  geometry=[Point(105_000, 405_000)], crs=CRS),
        station_capacity=pd.DataFrame({"station_id": ["S"], "year": [2025], "offtake_capacity_mw": [100.0]}),
        developments=developments, years=(2025, 2030, 2040),
    )


def test_hand_checked_in_layer_order(tmp_path):
    region = _region(tmp_path)
    points = development_points(region, "verwacht", 2030)
    # verwacht: committed 1, planned 1, intended 0.5, speculative 0.25 (simultaneity 1 for every sector).
    # A 2030 committed: 10 + 2; B 2025 intended: 4 × 0.5 = 2; C 2028 planned polygon: 30 feed-in at a point
    # inside the box (its centre 107 000, 400 500); D comes in 2040; E 2030 speculative: 3 × 0.25 = 0.75.
    assert points.x.tolist() == [105_000.0, 101_000.0, 107_000.0, 100_500.0]
    assert points.y.tolist() == [405_000.0, 402_000.0, 400_500.0, 409_500.0]
    assert points.offtake_mw.tolist() == [10.0, 2.0, 0.0, 0.75]
    assert points.feedin_mw.tolist() == [2.0, 0.0, 30.0, 0.0]
    assert points.weight_mw.tolist() == [12.0, 2.0, 30.0, 0.75]
    # vastgesteld weighs intended and speculative 0: only A and C take part.
    assert development_points(region, "vastgesteld", 2030).weight_mw.tolist() == [12.0, 30.0]
    # Default year: the region's last (2040): D takes part too, in its layer place.
    assert development_points(region, "verwacht").x.tolist() == [105_000.0, 101_000.0, 107_000.0, 103_000.0,
                                                                  100_500.0]


def test_the_numbers_of_weighted_points_and_point_weights(tmp_path):
    region = _region(tmp_path)
    points = development_points(region, "verwacht", 2030)
    pw, order = point_weights_in_layer_order(region, "verwacht", 2030)
    sorted_pw = point_weights(region, "verwacht", 2030)
    table = weighted_points(region, "verwacht", 2030)
    # By x: E 100 500, B 101 000, A 105 000, C 107 000 → layer positions 3, 1, 0, 2.
    assert order.tolist() == [3, 1, 0, 2]
    for name in ("x", "y", "offtake_mw", "feedin_mw", "weight_mw"):
        assert np.array_equal(getattr(pw, name), getattr(points, name)), name
        assert np.array_equal(getattr(points, name)[order], table[name].to_numpy()), name
        assert np.array_equal(getattr(sorted_pw, name), table[name].to_numpy()), name
