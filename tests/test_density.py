"""Tests of density.py: conservation of MW, the kernel by hand, a direct convolution, and the GeoTIFF written."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from scipy import ndimage
from shapely.geometry import Point, box

from energieplanologie import EnergieplanologieError, EnergieplanologieWarning
from energieplanologie.density import kde, quartic_kernel
from energieplanologie.hotspots import weighted_points
from energieplanologie.raster_output import NODATA, write_density
from energieplanologie.region import Region

CRS = "EPSG:28992"


def _region(points) -> Region:
    """A 10 × 10 km municipality with developments (x, y, offtake, feedin, year, certainty)."""
    dev = gpd.GeoDataFrame(
        {
            "development_id": [f"D{i}" for i in range(len(points))],
            "name": [f"D{i}" for i in range(len(points))],
            "sector": "industry",
            "offtake_mw": [p[2] for p in points],
            "feedin_mw": [p[3] for p in points],
            "year": [p[4] for p in points],
            "certainty": [p[5] for p in points],
        },
        geometry=[Point(p[0], p[1]) for p in points], crs=CRS,
    )
    return Region.from_layers(
        name="Dichtheid",
        municipalities=gpd.GeoDataFrame({"municipality_code": ["GM0001"], "name": ["Proefdorp"]},
                                        geometry=[box(100_000, 400_000, 110_000, 410_000)], crs=CRS),
        stations=gpd.GeoDataFrame({"station_id": ["S"], "name": ["S"], "level": ["HS"]},
                                  geometry=[Point(105_000, 405_000)], crs=CRS),
        station_capacity=pd.DataFrame({"station_id": ["S"], "year": [2025], "offtake_capacity_mw": [100.0]}),
        developments=dev, years=(2025, 2030, 2035),
    )


POINTS = [
    # x, y, offtake, feedin, year, certainty
    (101_125, 401_125, 10.0, 0.0, 2026, "committed"),   # on a cell centre (cells are 250 m from x=100 000 − pad)
    (101_300, 401_200, 0.0, 6.0, 2028, "planned"),
    (108_000, 409_000, 4.0, 2.0, 2030, "intended"),      # × 0.5 in "verwacht": 2 + 1
    (109_999, 400_001, 5.0, 0.0, 2035, "committed"),     # only from 2035
]


def test_kernel_by_hand():
    # Cell 250 m, radius 500 m: offsets 0, ±250, ±500; u = d²/h².
    # centre u=0 → 1; the 4 edge neighbours u=0.25 → 0.75² = 0.5625; the 4 diagonals u=0.5 → 0.25;
    # at 500 m u=1 → 0 (the kernel is zero at its radius). Sum 1 + 2.25 + 1 = 4.25.
    k = quartic_kernel(250, 500)
    assert k.shape == (5, 5)
    np.testing.assert_allclose(k[2, 2], 1 / 4.25)
    np.testing.assert_allclose(k[2, 3], 0.5625 / 4.25)
    np.testing.assert_allclose(k[1, 1], 0.25 / 4.25)
    assert k[2, 4] == 0 and k[0, 0] == 0
    assert np.isclose(k.sum(), 1.0)


def test_single_point_peak_by_hand():
    # 10 MW on a cell centre, kernel as above: the peak cell holds 10/4.25 MW on 0.0625 km² = 37.647… MW/km².
    region = _region([POINTS[0]])
    array, transform = kde(region, year=2026, cell_m=250, bandwidth_m=500)
    row, col = rasterio.transform.rowcol(transform, 101_125, 401_125)
    assert array[row, col] == pytest.approx(10 / 4.25 / 0.0625)
    assert array.max() == pytest.approx(10 / 4.25 / 0.0625)
    assert array.sum() * 0.0625 == pytest.approx(10.0)


@pytest.mark.parametrize("direction", ["total", "offtake", "feedin"])
@pytest.mark.parametrize("cell_m,bandwidth_m", [(250, 2000), (100, 750), (500, 500)])
def test_integral_equals_total_mw(direction, cell_m, bandwidth_m):
    # verwacht, 2030: offtake 10 + 2 = 12, feed-in 6 + 1 = 7; the 2035 development does not count yet.
    region = _region(POINTS)
    if bandwidth_m <= cell_m:  # (500, 500): the kernel is one cell, and kde says so
        with pytest.warns(EnergieplanologieWarning, match="density.bandwidth_m"):
            array, transform = kde(region, year=2030, cell_m=cell_m, bandwidth_m=bandwidth_m, direction=direction)
    else:
        array, transform = kde(region, year=2030, cell_m=cell_m, bandwidth_m=bandwidth_m, direction=direction)
    expected = {"total": 19.0, "offtake": 12.0, "feedin": 7.0}[direction]
    cell_km2 = cell_m * cell_m / 1e6
    assert array.sum() * cell_km2 == pytest.approx(expected, rel=1e-12)
    assert array.min() >= 0
    assert transform.a == cell_m and transform.e == -cell_m and transform.c % cell_m == 0


def test_fft_result_equals_direct_convolution():
    # An independent computation: bin the weighted points and convolve directly (scipy.ndimage, no FFT).
    region = _region(POINTS)
    array, transform = kde(region, year=2035, cell_m=250, bandwidth_m=1500)
    pts = weighted_points(region, "verwacht", 2035)
    binned = np.zeros(array.shape)
    rows, cols = rasterio.transform.rowcol(transform, pts["x"].to_numpy(), pts["y"].to_numpy())
    np.add.at(binned, (np.asarray(rows), np.asarray(cols)), pts["weight_mw"].to_numpy())
    direct = ndimage.convolve(binned, quartic_kernel(250, 1500), mode="constant") / 0.0625
    np.testing.assert_allclose(array, direct, atol=1e-9 * array.max())


def test_region_extent_and_errors():
    region = _region(POINTS)
    array, transform = kde(region, year=2030, cell_m=250, bandwidth_m=2000)
    west, north = transform.c, transform.f
    # The raster covers the municipality plus bandwidth + one cell on every side, snapped to 250 m.
    assert west <= 100_000 - 2000 and north >= 410_000 + 2000
    assert west + array.shape[1] * 250 >= 110_000 + 2000
    with pytest.raises(EnergieplanologieError, match="richting"):
        kde(region, direction="up")
    with pytest.raises(EnergieplanologieError, match="cell_m"):
        kde(region, cell_m=0)
    with pytest.raises(EnergieplanologieError, match="te groot"):
        kde(region, cell_m=0.5)


def test_write_density_geotiff(tmp_path):
    region = _region(POINTS)
    array, transform = kde(region, year=2035, cell_m=250, bandwidth_m=2000)
    array = array.copy()
    array[0, 0] = np.nan  # written as nodata
    path = write_density(tmp_path / "dichtheid_mw_per_km2.tif", array, transform)
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 28992
        assert src.nodata == NODATA and src.dtypes[0] == "float32" and src.count == 1
        assert src.transform == transform and src.shape == array.shape
        data = src.read(1, masked=True)
        assert data.mask[0, 0] and data.mask.sum() == 1
        # Total MW in 2035 (verwacht): 10 + 6 + 3 + 5 = 24, back from the float32 file.
        assert float(data.sum()) * 0.0625 == pytest.approx(24.0, rel=1e-5)
        assert src.tags(1)["eenheid"] == "MW/km2"
    # A style beside it, its ramp scaled to the data (0 … a round number above the 99.5th percentile).
    qml = ET.parse(path.with_suffix(".qml")).getroot()
    shader = qml.find(".//colorrampshader")
    top = float(shader.get("maximumValue"))
    assert top >= np.nanpercentile(array[array > 0], 99.5)
    assert float(qml.find(".//rasterrenderer").get("classificationMax")) == top
    values = [float(i.get("value")) for i in shader.findall("item")]
    assert values[0] == 0 and values[-1] == top and values == sorted(values)


def test_write_density_is_deterministic(tmp_path):
    array, transform = kde(_region(POINTS), year=2030)
    a = write_density(tmp_path / "a.tif", array, transform)
    b = write_density(tmp_path / "b.tif", array, transform)
    assert a.read_bytes() == b.read_bytes()
    assert a.with_suffix(".qml").read_bytes() == b.with_suffix(".qml").read_bytes()
    again = write_density(tmp_path / "a.tif", array, transform)  # overwriting gives the same bytes too
    assert again.read_bytes() == b.read_bytes()


def test_sample_region_density(sample_region, tmp_path):
    array, transform = kde(sample_region, year=2035)
    total = weighted_points(sample_region, "verwacht", 2035)["weight_mw"].sum()
    assert array.sum() * 0.0625 == pytest.approx(total, rel=1e-12)
    path = write_density(tmp_path / "dichtheid_mw_per_km2.tif", array, transform)
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 28992 and src.nodata is not None


def test_bandwidth_not_larger_than_the_cell_is_binning_and_says_so(tmp_path):
    # Cell 1000 m, bandwidth 800 m: the kernel's neighbours are 1000 m away, beyond its radius, so each point's MW
    # stays in its own cell. 10 MW (2026, committed) at (101 125, 401 125): its cell holds 10 MW per km².
    import warnings

    from typer.testing import CliRunner

    region = _region([POINTS[0]])
    with pytest.warns(EnergieplanologieWarning, match=r"density.bandwidth_m: 800 m is niet groter dan de cel "
                                                      r"\(cell_m 1000 m\)"):
        array, transform = kde(region, year=2026, cell_m=1000, bandwidth_m=800)
    row, col = rasterio.transform.rowcol(transform, 101_125, 401_125)
    assert array[row, col] == pytest.approx(10.0, rel=1e-12) and (array > 1e-9).sum() == 1  # FFT round-off aside
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kde(region, year=2026, cell_m=250, bandwidth_m=1000)  # four cells: no warning
    # The command line prints it as one Dutch line and still writes the raster.
    from energieplanologie.cli import app

    result = CliRunner().invoke(app, ["density", "--out", str(tmp_path), "--cell-m", "1000", "--bandwidth-m", "800",
                                      "--quiet"])
    assert result.exit_code == 0, result.output
    assert "Waarschuwing: density.bandwidth_m: 800 m is niet groter dan de cel" in result.stderr
    assert (tmp_path / "dichtheid_mw_per_km2.tif").exists()


def test_density_computes_and_raster_output_writes():
    # Issue 18: the analysis returns the surface; writing the GeoTIFF and its style is the publish layer's job.
    from pathlib import Path

    import energieplanologie as ep
    import energieplanologie.density as density
    import energieplanologie.raster_output as raster_output

    assert not hasattr(density, "write_density")
    source = Path(density.__file__).read_text(encoding="utf-8")
    assert "rasterio" not in source and "atomic_write" not in source and "open(" not in source
    assert ep.write_density is raster_output.write_density
