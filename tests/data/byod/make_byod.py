"""(Re)create the *bring your own data* set in this folder: ``python tests/data/byod/make_byod.py [OUT_DIR]``.

The data are the shipped Zeeuws-Vlaanderen sample (read with :func:`energieplanologie.load_sample`), delivered
the way *another* province would: other file formats, other column names, Dutch values, other coordinate
systems, other row order. ``project.toml`` in this folder maps it all back onto the canonical schema, so
``energieplanologie run tests/data/byod/project.toml`` must give exactly the numbers of the sample itself
(``tests/test_byod.py`` checks that).

==================================  ==============  ===========================================================
file                                layer kind      how it differs from the sample
==================================  ==============  ===========================================================
``gemeentegrenzen.gpkg``            municipalities  two layers (``gemeenten_2022`` and ``provinciegrens``), so
                                                    ``layer`` must be given; ``GEMCODE``, ``GM_NAAM``,
                                                    ``PROV_NAAM``
``stations.csv``                    stations        CSV with ``X_RD``/``Y_RD`` columns, semicolons, decimal
                                                    commas, UTF-8 with BOM (as Excel writes it); no ``level``
                                                    column (derived from the voltage); ``Stationcode``,
                                                    ``Omschrijving``, ``Spanning``, ``Drager`` (Dutch values)
``capaciteit.xlsx``                 station_capac.  Excel workbook: a ``Toelichting`` sheet first, the table on
                                                    sheet ``Capaciteit 2025-2040`` under a title line; headers
                                                    ``Peiljaar``, ``Transportcapaciteit afname (MW)`` …
``netprojecten.fgb``                infrastructure  FlatGeobuf; ``PROJECTNR``, ``PROJECTNAAM``, ``SOORT_INFRA``,
                                                    ``FASE`` …; Dutch values (``investeringsplan``,
                                                    ``geborgd``); rows in reverse order; flex columns
                                                    ``VERMOGEN_MW``, ``ENERGIE_MWH``, ``VAST`` (ja/nee)
``ontwikkelingen.geojson``          developments    GeoJSON in **WGS84**; ``ID_ONTW``, ``OMSCHRIJVING``,
                                                    ``Thema``, ``Vermogen_afname``, ``Vermogen_opwek``,
                                                    ``Startjaar``, ``Status_plan``, ``Aansluitstation``,
                                                    ``GEMCODE``, ``Kabelpool``; rows sorted by name
``beperkingen.zip``                 constraints     zipped **Shapefile**; field names cut to 10 characters as
                                                    the format demands (``GEBIEDSNAAM`` → ``GEBIEDSNAA``)
``oordelen.xlsx``                   judgements      the working organisation's judgements on E and G as a
                                                    workbook: ``Project``, ``Criterium`` (``E. Maatschappelijke
                                                    effecten``), ``Oordeel`` in the document's words
                                                    (``Gemiddelde effecten``), ``Motivering``, ``Beoordelaar``
==================================  ==============  ===========================================================

Why the Shapefile holds the constraints: a Shapefile has one geometry type per file, and the sample's
infrastructure (points and lines) and developments (points and polygons) both mix types, so neither fits in one
Shapefile without changing the data. A province delivering those as Shapefiles sends one file per geometry type.

Output is deterministic: text files are written byte for byte, GeoPackage and FlatGeobuf with a fixed
``OGR_CURRENT_DATE``, the workbook and the zip with fixed timestamps.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer

import energieplanologie as ep

HERE = Path(__file__).resolve().parent
FIXED_DATE = "2025-01-01T00:00:00.000Z"
ZIP_DATE = (2025, 1, 1, 0, 0, 0)

# Dutch words a province uses for the canonical values (all of them known to energieplanologie's reader).
SECTOR_NL = {"renewables": "opwek", "built_environment": "gebouwde omgeving", "housing": "woningbouw",
             "mobility": "mobiliteit", "industry": "industrie", "agriculture": "landbouw",
             "data_centre": "datacenter", "business_park": "bedrijventerrein", "other": "overig"}
CARRIER_NL = {"electricity": "elektriciteit", "hydrogen": "waterstof", "heat": "warmte", "methane": "methaan"}
CERTAINTY_NL = {"committed": "vergund", "planned": "vastgesteld", "intended": "voornemen", "speculative": "idee"}
PROGRAMME_NL = {"other": "overig"}  # RES, TVW, RAL, RMP, CES and woonagenda are the same words in Dutch
INFRA_TYPE_NL = {"station_new": "nieuw station", "station_expansion": "stationsuitbreiding",
                 "h2_pipeline": "waterstofleiding", "heat_network": "warmtenet", "battery": "batterij",
                 "electrolyser": "elektrolyser", "heat_storage": "warmteopslag", "gas_pipeline": "gasleiding",
                 "other": "overig"}  # cable_hv, cable_mv … stay as they are
STATUS_NL = {"existing": "bestaand", "investment_plan": "investeringsplan", "proposed": "voorgesteld",
             "narrative": "verhaal"}
FUNDING_NL = {"secured": "geborgd", "partial": "deels", "none": "geen", "unknown": "onbekend"}


def _nl(series: pd.Series, words: dict[str, str]) -> pd.Series:
    """Canonical values in Dutch; values without a Dutch word and missing values stay as they are."""
    return series.map(lambda v: words.get(v, v) if isinstance(v, str) else v)


def _dutch_number(value: float | None) -> str:
    """A number as a Dutch spreadsheet writes it: decimal comma, no thousands separator, full precision."""
    if value is None or pd.isna(value):
        return ""
    text = repr(float(value))
    text = text[:-2] if text.endswith(".0") else text
    return text.replace(".", ",")


def _write_gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    path.unlink(missing_ok=True)
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")


def _municipalities(region: ep.Region, out: Path) -> Path:
    m = region.municipalities
    frame = gpd.GeoDataFrame({
        "GEMCODE": m["municipality_code"].to_numpy(dtype=object),
        "GM_NAAM": m["name"].to_numpy(dtype=object),
        "PROV_NAAM": m["province"].to_numpy(dtype=object),
        "INWONERS": m["aantal_inwoners"].to_numpy(),
        "WONINGEN": m["woningvoorraad"].to_numpy(),
    }, geometry=m.geometry.to_numpy(), crs=m.crs)
    province = gpd.GeoDataFrame({"PROV_NAAM": ["Zeeland (deel)"]}, geometry=[m.union_all()], crs=m.crs)
    path = out / "gemeentegrenzen.gpkg"
    _write_gpkg(path, {"gemeenten_2022": frame, "provinciegrens": province})
    return path


def _stations(region: ep.Region, out: Path) -> Path:
    s = region.stations
    header = ["Stationcode", "Omschrijving", "Netbeheerder", "Spanning", "Drager", "Afkorting", "X_RD", "Y_RD"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    carriers = _nl(s["carrier"], CARRIER_NL)
    for i in range(len(s)):
        point = s.geometry.iloc[i]
        writer.writerow([s["station_id"].iloc[i], s["name"].iloc[i], s["operator"].iloc[i] or "",
                         s["voltage_kv"].iloc[i] or "", carriers.iloc[i], s["short_code"].iloc[i] or "",
                         _dutch_number(point.x), _dutch_number(point.y)])
    path = out / "stations.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


CAPACITY_HEADERS = {
    "station_id": "Station",
    "year": "Peiljaar",
    "offtake_capacity_mw": "Transportcapaciteit afname (MW)",
    "feedin_capacity_mw": "Transportcapaciteit invoeding (MW)",
    "offtake_load_mw": "Prognose afname (MW)",
    "feedin_load_mw": "Prognose invoeding (MW)",
    "queue_offtake_mw": "Wachtrij afname (MW)",
    "queue_feedin_mw": "Wachtrij invoeding (MW)",
}


def _fixed_zip(path: Path) -> None:
    """Rewrite a zip container (an .xlsx) with fixed member timestamps and document dates."""
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", FIXED_DATE[:19].encode() + b"Z", content)
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, content)


def _capacity(region: ep.Region, out: Path) -> Path:
    from openpyxl import Workbook

    cap = region.station_capacity
    wb = Workbook()
    notes = wb.active
    notes.title = "Toelichting"
    notes["A1"] = "Capaciteit en prognose per station, aangeleverd door de netbeheerders (illustratief)."
    notes["A2"] = "Bedragen in MW. De wachtrij is de stand op de peildatum en staat alleen bij 2025."
    ws = wb.create_sheet("Capaciteit 2025-2040")
    ws["A1"] = "Transportcapaciteit en prognose per station"
    ws.append([])
    ws.append(list(CAPACITY_HEADERS.values()))
    for row in cap[list(CAPACITY_HEADERS)].itertuples(index=False):
        ws.append([None if pd.isna(v) else (int(v) if i == 1 else (float(v) if i > 1 else str(v)))
                   for i, v in enumerate(row)])
    path = out / "capaciteit.xlsx"
    wb.save(path)
    _fixed_zip(path)
    return path


def _infrastructure(region: ep.Region, out: Path) -> Path:
    inf = region.infrastructure.iloc[::-1]
    frame = gpd.GeoDataFrame({
        "PROJECTNR": inf["project_id"].to_numpy(dtype=object),
        "PROJECTNAAM": inf["name"].to_numpy(dtype=object),
        "SOORT_INFRA": _nl(inf["infra_type"], INFRA_TYPE_NL).to_numpy(dtype=object),
        "DRAGER": _nl(inf["carrier"], CARRIER_NL).to_numpy(dtype=object),
        "BEHEERDER": inf["operator"].to_numpy(dtype=object),
        "FASE": _nl(inf["status"], STATUS_NL).to_numpy(dtype=object),
        "GEREED_IN": inf["year_ready"].astype("int64").to_numpy(),
        "STATION": inf["station_id"].to_numpy(dtype=object),
        "EXTRA_AFNAME_MW": inf["offtake_capacity_added_mw"].to_numpy(),
        "EXTRA_INVOEDING_MW": inf["feedin_capacity_added_mw"].to_numpy(),
        "KOSTEN_MLN_EUR": inf["cost_meur"].to_numpy(),
        "FINANCIERING": _nl(inf["funding"], FUNDING_NL).to_numpy(dtype=object),
        "BETROKKEN": inf["parties"].to_numpy(dtype=object),
        "OMSCHRIJVING": inf["description"].to_numpy(dtype=object),
        # Flex assets (issue 20), under the Dutch headers the reader knows: vermogen_mw, energie_mwh, vast, rendement.
        "VERMOGEN_MW": inf["power_mw"].to_numpy(),
        "ENERGIE_MWH": inf["energy_mwh"].to_numpy(),
        "VAST": _nl(inf["firm"], {"true": "ja", "false": "nee"}).to_numpy(dtype=object),
        "RENDEMENT": inf["efficiency"].to_numpy(),
    }, geometry=inf.geometry.to_numpy(), crs=inf.crs)
    path = out / "netprojecten.fgb"
    path.unlink(missing_ok=True)
    pyogrio.write_dataframe(frame, path, driver="FlatGeobuf", geometry_type="Unknown")
    return path


def _to_wgs84_exact(geometry: gpd.GeoSeries) -> np.ndarray:
    """RD geometries in WGS84 degrees that the reader projects back onto exactly these RD coordinates.

    A plain ``to_crs`` there and back is off by up to half a millimetre (the inverse of the datum shift is not
    exact); that moves polygon area shares by micro-MW. The degrees are refined by fixed-point iteration on the
    same pyproj transformation the reader uses, so the WGS84 file *is* the sample, seen through the reader.
    """
    to_ll = Transformer.from_crs(geometry.crs, "EPSG:4326", always_xy=True)
    to_rd = Transformer.from_crs("EPSG:4326", geometry.crs, always_xy=True)

    def refine(xy: np.ndarray) -> np.ndarray:
        target = np.column_stack(to_ll.transform(xy[:, 0], xy[:, 1]))
        ll = target.copy()
        for _ in range(8):
            back = np.column_stack(to_rd.transform(ll[:, 0], ll[:, 1]))
            ll += target - np.column_stack(to_ll.transform(back[:, 0], back[:, 1]))
        return ll

    return shapely.transform(geometry.to_numpy(), refine)


def _developments(region: ep.Region, out: Path) -> Path:
    dev = region.developments.sort_values(["name", "development_id"], kind="stable")
    frame = gpd.GeoDataFrame({
        "ID_ONTW": dev["development_id"].to_numpy(dtype=object),
        "OMSCHRIJVING": dev["name"].to_numpy(dtype=object),
        "Thema": _nl(dev["sector"], SECTOR_NL).to_numpy(dtype=object),
        "Programma": _nl(dev["programme"], PROGRAMME_NL).to_numpy(dtype=object),
        "Energiedrager": _nl(dev["carrier"], CARRIER_NL).to_numpy(dtype=object),
        "Vermogen_afname": dev["offtake_mw"].to_numpy(),
        "Vermogen_opwek": dev["feedin_mw"].to_numpy(),
        "Startjaar": dev["year"].astype("int64").to_numpy(),
        "Status_plan": _nl(dev["certainty"], CERTAINTY_NL).to_numpy(dtype=object),
        "Aansluitstation": dev["station_id"].to_numpy(dtype=object),
        "GEMCODE": dev["municipality_code"].to_numpy(dtype=object),
        "Toelichting": dev["toelichting"].to_numpy(dtype=object),
        # Cable pooling (issue 20), under Dutch headers the reader knows (kabelpool, aansluiting_kabelpool_mw).
        "Kabelpool": dev["pool_id"].to_numpy(dtype=object),
        "Aansluiting_kabelpool_MW": dev["pool_connection_mw"].to_numpy(),
    }, geometry=_to_wgs84_exact(dev.geometry), crs="EPSG:4326")
    path = out / "ontwikkelingen.geojson"
    path.unlink(missing_ok=True)
    # 17 significant digits: the WGS84 degrees round-trip to the same RD metres (to about a nanometre).
    pyogrio.write_dataframe(frame, path, driver="GeoJSON", layer="ontwikkelingen",
                            layer_options={"SIGNIFICANT_FIGURES": 17, "COORDINATE_PRECISION": 15})
    return path


def _constraints(region: ep.Region, out: Path) -> Path:
    c = region.constraints
    frame = gpd.GeoDataFrame({
        "CATEGORIE": c["kind"].to_numpy(dtype=object),
        "GEBIEDSNAA": c["name"].to_numpy(dtype=object),  # GEBIEDSNAAM, cut to the Shapefile's 10 characters
        "BRONVERMEL": c["bron"].to_numpy(dtype=object),  # BRONVERMELDING
    }, geometry=c.geometry.to_numpy(), crs=c.crs)
    path = out / "beperkingen.zip"
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "natura2000_erfgoed.shp"
        pyogrio.write_dataframe(frame, shp, driver="ESRI Shapefile", encoding="UTF-8")
        with zipfile.ZipFile(path, "w") as zf:
            for part in sorted(Path(tmp).iterdir()):
                member = zipfile.ZipInfo(part.name, date_time=ZIP_DATE)
                member.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(member, part.read_bytes())
    return path


def _judgements(region: ep.Region, out: Path) -> Path:
    from openpyxl import Workbook

    from energieplanologie.assessment import load_framework, read_judgements
    from energieplanologie.sample import sample_settings

    framework = load_framework()
    source = sample_settings().assessment_options()["user_scores"]
    judgements = read_judgements(source, framework, region.infrastructure["project_id"])
    wb = Workbook()
    ws = wb.active
    ws.title = "Oordelen"
    ws.append(["Project", "Criterium", "Oordeel", "Motivering", "Beoordelaar"])
    for row in judgements.itertuples(index=False):
        criterion = framework[row.criterion]
        ws.append([row.project_id, criterion.title, criterion.label(row.level), row.reason, row.by])
    path = out / "oordelen.xlsx"
    wb.save(path)
    _fixed_zip(path)
    return path


def build(out: Path = HERE) -> list[Path]:
    """Write every file of the data set into ``out`` (``project.toml`` is hand-written and not touched)."""
    out.mkdir(parents=True, exist_ok=True)
    region = ep.load_sample()
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_DATE})
    try:
        return [
            _municipalities(region, out),
            _stations(region, out),
            _capacity(region, out),
            _infrastructure(region, out),
            _developments(region, out),
            _constraints(region, out),
            _judgements(region, out),
        ]
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for p in build(target):
        print(p.name)
