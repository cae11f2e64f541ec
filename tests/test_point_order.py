"""coordinate_order: the order of np.lexsort((y, x)) from one sort of packed keys (and its re-sorted groups)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import shapely

from energieplanologie._geometry import representative_x_y, representative_xy
from energieplanologie._point_order import cell_coordinate_order, coordinate_order


def test_hand_checked_order_with_ties_negative_and_signed_zero():
    # x ties at 1.0 (three points, two of them equal in y too) and at -0.0 == 0.0; x = -2 comes first.
    x = np.array([1.0, 0.0, 1.0, -0.0, 1.0, 3.0, 2.0, -2.0])
    y = np.array([5.0, 2.0, 4.0, 1.0, 5.0, 0.0, 9.0, 7.0])
    # sorted: (-2, 7)@7, (-0.0, 1)@3, (0.0, 2)@1, (1, 4)@2, (1, 5)@0, (1, 5)@4, (2, 9)@6, (3, 0)@5
    assert coordinate_order(x, y).tolist() == [7, 3, 1, 2, 0, 4, 6, 5] == np.lexsort((y, x)).tolist()


def test_a_group_in_input_order_is_kept_and_a_wrong_one_sorted_again():
    # Positions 0..4. x = 5 for 0, 2, 4 with y 1, 1, 1 (already in order: kept as 0, 2, 4);
    # x = 3 for 1, 3 with y 8, 6 (input order wrong: y 6 (@3) before y 8 (@1)).
    x = np.array([5.0, 3.0, 5.0, 3.0, 5.0])
    y = np.array([1.0, 8.0, 1.0, 6.0, 1.0])
    assert coordinate_order(x, y).tolist() == [3, 1, 0, 2, 4]


def test_x_that_differ_only_in_the_position_bits_are_ordered_by_x():
    # Eight points: three position bits. x one and two ulps above 1e5 share every higher bit with 1e5 itself, so
    # they meet in one group in input order (2ulp@0, 1ulp@1, 1e5@2, ...): that group must be sorted again by x.
    base = 1e5
    ulp = np.spacing(base)
    x = np.array([base + 2 * ulp, base + ulp, base, 7.0, 6.0, 5.0, 4.0, 3.0])
    y = np.zeros(8)
    assert coordinate_order(x, y).tolist() == [7, 6, 5, 4, 3, 2, 1, 0]


def test_inputs_are_left_alone_and_small_sizes():
    x = np.array([-0.0, 2.0, 1.0])
    y = np.array([0.0, 0.0, 0.0])
    coordinate_order(x, y)
    assert np.signbit(x[0]) and x.tolist() == [0.0, 2.0, 1.0]  # the -0.0 is still -0.0
    assert coordinate_order(np.array([]), np.array([])).tolist() == []
    assert coordinate_order(np.array([4.0]), np.array([1.0])).tolist() == [0]
    assert coordinate_order(np.array([4.0, 4.0]), np.array([1.0, 0.0])).tolist() == [1, 0]


@pytest.mark.parametrize("kind", ["uniform", "grid", "few_values", "ulps", "extremes"])
def test_equal_to_lexsort(kind):
    rng = np.random.default_rng(7)
    for n in (2, 3, 17, 1000, 5000):
        if kind == "uniform":
            x, y = rng.uniform(-1e5, 3e5, n), rng.uniform(3e5, 6e5, n)
        elif kind == "grid":  # whole metres: many equal x with y in any order
            x, y = np.round(rng.uniform(0, 300, n)), rng.uniform(0, 1, n)
        elif kind == "few_values":  # duplicated points, as buildings with several developments
            x, y = rng.choice(rng.uniform(0, 10, 40), n), rng.choice(rng.uniform(0, 1, 3), n)
        elif kind == "ulps":  # x a few ulps apart: all in the low (position) bits
            x, y = 123456.789 + rng.integers(0, 40, n) * np.spacing(123456.789), rng.normal(size=n)
        else:
            values = [-0.0, 0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1e300, -1e300, -2.0, 2.0]
            x, y = rng.choice(values, n), rng.choice([-0.0, 0.0, 1.0], n)
        got = coordinate_order(x, y)
        assert got.dtype == np.intp
        assert np.array_equal(got, np.lexsort((y, x))), (kind, n)


def test_representative_x_y_hand_checked():
    geoms = np.array([shapely.Point(1, 2), shapely.box(0, 0, 2, 2), None, shapely.Point(-3, 4)])
    x, y = representative_x_y(geoms)
    # The point itself; the box's point on its surface is its centre (1, 1); None has no point.
    assert np.array_equal(x, [1.0, 1.0, np.nan, -3.0], equal_nan=True)
    assert np.array_equal(y, [2.0, 1.0, np.nan, 4.0], equal_nan=True)
    assert x.flags.c_contiguous and y.flags.c_contiguous
    assert np.array_equal(representative_xy(geoms), np.column_stack([x, y]), equal_nan=True)


def test_representative_x_y_of_odd_geometries_as_geometry_by_geometry():
    # Points are read from their bounding box (one pass for x and y); everything else takes the point-or-surface
    # rule. Both must give the same bits as that rule applied to each geometry alone, also for collections of one
    # point, degenerate lines and polygons, -0.0, M and Z points and points with NaN or inf (GEOS puts the point
    # on the surface of POINT (NaN 1) at 0 0: kept as it was).
    from energieplanologie._geometry import _point_or_on_surface_x_y

    geoms = np.array([
        shapely.Point(1.1, 2.3), shapely.Point(3, 4, 5), shapely.MultiPoint([(7.123456789, 8.987654321)]),
        shapely.GeometryCollection([shapely.Point(0.1, 0.7)]), None, shapely.LineString([(1, 1), (1, 1)]),
        shapely.Polygon([(2, 2), (2, 2), (2, 2), (2, 2)]), shapely.box(0, 0, 1, 1), shapely.MultiPoint([(1, 1), (1, 1)]),
        shapely.from_wkt("POINT M (1 2 3)"), shapely.Point(-0.0, 0.0), shapely.Point(1e300, -1e-300),
        shapely.Point(np.nan, 1), shapely.Point(np.inf, 2), shapely.Point(1, np.nan), shapely.MultiPoint([(np.nan, 1)]),
        shapely.MultiPoint([(np.inf, 1)]), shapely.LineString([(0, 0), (3, 4)])], dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GEOS on the NaN point
        x, y = representative_x_y(geoms)
        alone = [_point_or_on_surface_x_y(geoms[i:i + 1]) for i in range(len(geoms))]
    assert np.array_equal(x.view(np.uint64), np.concatenate([ax for ax, _ in alone]).view(np.uint64))
    assert np.array_equal(y.view(np.uint64), np.concatenate([ay for _, ay in alone]).view(np.uint64))
    assert (x[:4].tolist(), y[:4].tolist()) == ([1.1, 3.0, 7.123456789, 0.1], [2.3, 4.0, 8.987654321, 0.7])
    assert np.signbit(x[10]) and x[13] == np.inf  # -0.0 kept; inf is a point's own x
    with pytest.raises(shapely.errors.GEOSException):  # an empty collection: GEOS refuses, as before
        representative_x_y(np.array([shapely.Point(0, 0), shapely.MultiPoint()], dtype=object))


def test_cell_coordinate_order_hand_checked():
    # Two cells 0..10 and 10..20 m wide along x (fraction = x / 10 - column). Positions 0..5:
    #   cell 1: x 17 y 0 (@0), x 12 y 5 (@2), x 12 y 1 (@3: equal x, smaller y first), x 12 y 5 (@5: equal point, after @2)
    #   cell 0: x 4 (@1), x 3 (@4)
    x = np.array([17.0, 4.0, 12.0, 12.0, 3.0, 12.0])
    y = np.array([0.0, 0.0, 5.0, 1.0, 0.0, 5.0])
    cell = (x // 10).astype(np.int64)
    order, sorted_cell = cell_coordinate_order(cell, 2, x / 10 - cell, x, y)
    assert order.tolist() == [4, 1, 3, 2, 5, 0]
    assert sorted_cell.tolist() == [0, 0, 1, 1, 1, 1] and sorted_cell.dtype == np.int64


def test_cell_coordinate_order_with_a_coarse_fraction_still_exact():
    # A fraction that says nothing (all 0) leaves every cell one group in input order: sorted again by x, y.
    x = np.array([5.0, 1.0, 3.0, 2.0])
    y = np.array([0.0, 0.0, 0.0, 0.0])
    order, _ = cell_coordinate_order(np.zeros(4, dtype=np.int64), 1, np.zeros(4), x, y)
    assert order.tolist() == [1, 3, 2, 0]
    # Fractions outside 0..1 (a clipped edge column) count as 0 and 1.
    order, _ = cell_coordinate_order(np.zeros(4, dtype=np.int64), 1, np.array([1.5, -0.2, 0.3, 0.2]), x, y)
    assert order.tolist() == [1, 3, 2, 0]


@pytest.mark.parametrize("kind", ["uniform", "duplicates", "on_cell_edges"])
def test_cell_coordinate_order_is_coordinate_order_within_each_cell(kind):
    rng = np.random.default_rng(11)
    cell_m = 250.0
    for n in (0, 1, 2, 50, 4000):
        if kind == "uniform":
            x, y = rng.uniform(1000, 6000, n), rng.uniform(300_000, 305_000, n)
        elif kind == "duplicates":
            x, y = rng.choice(rng.uniform(1000, 3000, 30), n), rng.choice(rng.uniform(300_000, 302_000, 4), n)
        else:  # on and a few ulps around the cell edges
            x = 1000.0 + 250.0 * rng.integers(0, 8, n) + rng.integers(-2, 3, n) * np.spacing(2000.0)
            y = rng.normal(300_000, 10, n)
        west, north, cols, rows = 500.0, 306_000.0, 30, 30
        across = (x - west) / cell_m
        col = np.clip(across.astype(np.int64), 0, cols - 1)
        cell = np.clip(((north - y) / cell_m).astype(np.int64), 0, rows - 1) * cols + col
        order, sorted_cell = cell_coordinate_order(cell, rows * cols, across - col, x, y)
        by_coordinates = np.lexsort((y, x))
        expected = by_coordinates[np.argsort(cell[by_coordinates], kind="stable")]
        assert np.array_equal(order, expected) and np.array_equal(sorted_cell, cell[order]), (kind, n)
        # So each cell sums its weights in coordinate order: the same bits as binning in coordinate order.
        w = rng.lognormal(size=n)
        assert np.array_equal(np.bincount(sorted_cell, weights=w[order], minlength=rows * cols),
                              np.bincount(cell[by_coordinates], weights=w[by_coordinates], minlength=rows * cols))


@pytest.mark.parametrize("cells", [1, 2**8, 2**8 + 1, 2**16, 2**16 + 1, 3 * 2**20, 2**24 + 1, 2**33, 2**62])
def test_cell_coordinate_order_over_several_digits_of_cells(cells):
    # The keys (cell above, place across the cell below: 8 to 23 bits of it, 1 for 2**62 cells) are sorted 16 bits
    # at a time: cells that differ only in a high digit, or only in the low one, and points whose places across
    # the cell fall in the same bucket all come out in (cell, x, y, position) order.
    rng = np.random.default_rng(5)
    n = 5000
    pick = np.array([0, 1, 2**16 - 1, 2**16, 2**16 + 1, 2**32 + 7, cells - 1], dtype=np.int64)
    cell = rng.choice(pick[pick < cells], n)
    x = 1000.0 + rng.choice(rng.uniform(0, 250, 40), n) + rng.integers(0, 3, n) * 1e-4  # duplicates and near ones
    y = rng.choice(np.array([5.0, 1.0, 3.0]), n)
    order, sorted_cell = cell_coordinate_order(cell, cells, (x - 1000.0) / 250.0, x, y)
    expected = np.lexsort((np.arange(n), y, x, cell))
    assert np.array_equal(order, expected)
    assert np.array_equal(sorted_cell, cell[expected]) and sorted_cell.dtype == np.int64


def test_representative_points_names_every_geometry_that_is_not_a_point():
    # The allocation asks only these which are polygons: every polygon (also a degenerate one) must be among them;
    # points with finite coordinates (also in a collection of one) are not. (An empty polygon has no point on its
    # surface: GEOS refuses it, as ever.)
    from energieplanologie._geometry import representative_points

    geoms = np.array([
        shapely.Point(1, 2), shapely.box(0, 0, 2, 2), shapely.MultiPolygon([shapely.box(5, 5, 6, 6)]),
        shapely.Polygon([(2, 2), (2, 2), (2, 2), (2, 2)]), None, shapely.MultiPoint([(3, 4)]), shapely.Point(np.inf, 0),
        shapely.LineString([(0, 0), (1, 1)]), shapely.Point(7, 8)], dtype=object)
    x, y, other = representative_points(geoms)
    assert other.tolist() == [1, 2, 3, 4, 6, 7]
    polygons = np.flatnonzero(np.isin(shapely.get_type_id(geoms), (3, 6)))
    assert set(polygons.tolist()) <= set(other.tolist())
    assert (x[[0, 5, 8]].tolist(), y[[0, 5, 8]].tolist()) == ([1.0, 3.0, 7.0], [2.0, 4.0, 8.0])
