"""The sheets' geometric facts over all projects at once (sheet_geometry)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from energieplanologie.sheet_geometry import outside_region, projects_within


def _two_municipalities() -> gpd.GeoDataFrame:
    # Two 10 km squares side by side: x 0–10 000 and 10 000–20 000, y 0–10 000.
    return gpd.GeoDataFrame({"name": ["West", "Oost"]},
                            geometry=[shapely.box(0, 0, 10_000, 10_000), shapely.box(10_000, 0, 20_000, 10_000)],
                            crs=28992)


def test_outside_region_hand_checked() -> None:
    geoms = np.array([
        shapely.Point(5_000, 5_000),                          # inside West
        shapely.LineString([(5_000, 5_000), (15_000, 5_000)]),  # crosses the shared border: inside the union
        shapely.Point(20_000.8, 5_000),                       # 0.8 m east of the region: within the 1 m tolerance
        shapely.Point(20_002, 5_000),                         # 2 m east: outside
        shapely.LineString([(19_000, 5_000), (21_000, 5_000)]),  # half of it 1 km outside
        None,                                                  # no geometry: nothing to say, inside
        shapely.Point(),                                       # empty: not covered, as the per-sheet test said
    ], dtype=object)
    assert outside_region(geoms, _two_municipalities()).tolist() == [False, False, False, True, True, False, True]


def test_outside_region_same_answer_as_the_grown_union() -> None:
    # The per-sheet test it replaces: not covers(buffer(union_all(municipalities), 1), geom), on points, lines and
    # polygons scattered in and around the region (seeded).
    muns = _two_municipalities()
    rng = np.random.default_rng(7)
    xy = rng.uniform(-50, 20_050, size=(300, 2))
    xy[:, 1] = rng.uniform(-50, 10_050, size=300)
    geoms = np.concatenate([
        shapely.points(xy),
        shapely.linestrings([[(x, y), (x + dx, y + dy)] for (x, y), (dx, dy)
                             in zip(xy[:100], rng.uniform(-3_000, 3_000, size=(100, 2)), strict=True)]),
        shapely.buffer(shapely.points(xy[100:200]), 30.0),
    ])
    grown = shapely.buffer(shapely.union_all(muns.geometry.to_numpy()), 1.0)
    expected = ~shapely.covers(grown, geoms)
    got = outside_region(geoms, muns)
    assert got.tolist() == expected.tolist()
    assert 0 < got.sum() < len(geoms)  # both answers occur


def test_outside_region_without_municipalities() -> None:
    empty = gpd.GeoDataFrame({"name": []}, geometry=[], crs=28992)
    assert outside_region(np.array([shapely.Point(0, 0)], dtype=object), empty).tolist() == [False]


def test_projects_within_hand_checked() -> None:
    geoms = np.array([
        shapely.Point(0, 0),
        shapely.Point(30, 40),                        # 50 m from (0, 0): dwithin counts the limit
        shapely.LineString([(100, 0), (100, 100)]),  # 70 m from (30, 40), 100 m from (0, 0)
        shapely.Point(149, 50),                       # 49 m from the line
        None,
        shapely.Point(),
    ], dtype=object)
    near = projects_within(geoms, 50.0)
    assert [n.tolist() for n in near] == [[1], [0], [3], [2], [], []]
    # The same as the pairwise test the sheets made, in the projects' order.
    for i, gi in enumerate(geoms):
        pairwise = [j for j, gj in enumerate(geoms) if j != i and gi is not None and gj is not None
                    and shapely.dwithin(gi, gj, 50.0)]
        assert near[i].tolist() == pairwise
