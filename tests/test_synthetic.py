"""The synthetic national region: deterministic per seed, requested sizes, the promised distributions, valid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from energieplanologie.balance import station_balance_result
from energieplanologie.region import Region
from energieplanologie.schema import CERTAINTIES, SECTORS, validate
from energieplanologie.synthetic import SECTOR_PROFILE, _base_municipalities, synthetic_region

N_DEV, N_ST = 30_000, 1_200


@pytest.fixture(scope="module")
def region() -> Region:
    return synthetic_region(N_DEV, n_stations=N_ST, seed=7)


def test_deterministic_for_a_seed(region):
    again = synthetic_region(N_DEV, n_stations=N_ST, seed=7)
    for kind in ("stations", "infrastructure", "developments"):
        assert_geodataframe_equal(getattr(region, kind), getattr(again, kind))
    pd.testing.assert_frame_equal(region.station_capacity, again.station_capacity)
    other = synthetic_region(N_DEV, n_stations=N_ST, seed=8)
    assert not other.developments.geometry.equals(region.developments.geometry)


def test_sizes(region):
    assert len(region.developments) == N_DEV
    assert len(region.stations) == N_ST
    assert len(region.municipalities) == 345 and "GM0998" not in set(region.municipalities["municipality_code"])
    assert region.developments["development_id"].is_unique and region.stations["station_id"].is_unique
    small = synthetic_region(500, n_stations=100, seed=1)  # fewer stations than OSM substations: highest kept
    assert len(small.stations) == 100 and len(small.developments) == 500
    assert {"EHS", "HS"} <= set(small.stations["level"].dropna())


def test_layers_are_valid_as_built(region):
    # Built without validation for speed; validating them must keep every row and change no value.
    for kind in ("stations", "station_capacity", "infrastructure", "developments"):
        frame = getattr(region, kind)
        clean, report = validate(frame, kind)
        assert report.ok and report.rows_kept == len(frame), (kind, report.to_text())
        assert not [f for f in report.repairs if f.code != "level_derived"], (kind, report.repairs)
        pd.testing.assert_frame_equal(pd.DataFrame(clean), pd.DataFrame(frame), check_dtype=False)
    assert region.ok


def test_sector_counts_and_totals(region):
    dev = region.developments
    shares = dev["sector"].value_counts(normalize=True)
    total = sum(float(p["count"]) for p in SECTOR_PROFILE.values())
    for sector, p in SECTOR_PROFILE.items():
        assert shares.get(sector, 0.0) == pytest.approx(float(p["count"]) / total, abs=0.01), sector
        # Each sector's national total MW is fixed whatever the number of developments (rounding to 1e-6 MW).
        sums = dev.loc[dev["sector"] == sector, ["offtake_mw", "feedin_mw"]].sum()
        assert sums["offtake_mw"] == pytest.approx(float(p["offtake"]), abs=1e-6 * N_DEV)
        assert sums["feedin_mw"] == pytest.approx(float(p["feedin"]), abs=1e-6 * N_DEV)
    assert set(dev["certainty"]) == set(CERTAINTIES) and set(dev["sector"]) == set(SECTORS)
    assert set(dev["year"]) == set(range(region.years[0], region.years[-1] + 1))
    # Later years are less certain.
    early = dev.loc[dev["year"] == region.years[0], "certainty"].eq("committed").mean()
    late = dev.loc[dev["year"] == region.years[-1], "certainty"].eq("committed").mean()
    assert early > 0.4 > late
    assert set(dev["carrier"]) == {"electricity", "hydrogen", "heat"}
    assert dev["station_id"].notna().mean() == pytest.approx(0.002, abs=0.002)


def test_placed_by_households_and_businesses(region):
    _, households, business = _base_municipalities()
    codes = region.municipalities["municipality_code"]
    dev = region.developments
    housing = dev.loc[dev["sector"] == "housing", "municipality_code"].value_counts().reindex(codes, fill_value=0)
    industry = dev.loc[dev["sector"] == "industry", "municipality_code"].value_counts().reindex(codes, fill_value=0)
    assert np.corrcoef(housing.to_numpy(), households)[0, 1] > 0.95
    assert np.corrcoef(industry.to_numpy(), business)[0, 1] > 0.8
    ms = region.stations[region.stations["station_id"].str.startswith(("MS", "TS"))]
    per_mun = pd.Series(np.asarray(shapely.STRtree(region.municipalities.geometry.values).query(
        ms.geometry.values, predicate="within")[1])).value_counts().reindex(range(len(codes)), fill_value=0)
    assert np.corrcoef(per_mun.to_numpy(), households)[0, 1] > 0.9


def test_points_inside_their_municipality_and_polygons(region):
    dev = region.developments
    mun = region.municipalities.set_index("municipality_code").geometry
    points = dev[dev.geometry.geom_type == "Point"]
    inside = shapely.contains_xy(mun.reindex(points["municipality_code"]).to_numpy(), points.geometry.x.to_numpy(),
                                 points.geometry.y.to_numpy())
    assert inside.all()
    polygons = (dev.geometry.geom_type == "Polygon").mean()
    assert polygons == pytest.approx(0.01, abs=0.004)


def test_clusters_exist(region):
    # 60 % sit around a few centres per municipality and some in national hotspots: the nearest-neighbour
    # distance is far below that of the same number of points spread uniformly over the land (≈ 0.5/√density).
    from scipy.spatial import cKDTree

    xy = shapely.get_coordinates(region.developments.geometry.representative_point().values)
    d, _ = cKDTree(xy).query(xy, k=2)
    land_km2 = region.municipalities.area.sum() / 1e6
    uniform_m = 0.5 / np.sqrt(len(xy) / land_km2) * 1000
    assert np.median(d[:, 1]) < 0.5 * uniform_m


def test_balance_on_synthetic_is_plausible(region):
    result = station_balance_result(region, "verwacht")
    bal = result.table
    share_red = (bal.loc[bal["year"] == region.years[-1], "status"] == "red").mean()
    assert 0.05 < share_red < 0.7
    no_capacity = set(result.no_capacity)
    assert 0 < len(no_capacity) < 0.05 * N_ST
    assert result.unallocated == ()
