"""(Re)create the bad-input corpus in this folder: ``python tests/data/bad/make_corpus.py [OUT_DIR]``.

Every file is a small, real source with one kind of problem that users' data really has (see the table in
``tests/test_io.py`` for what the reader must say about each). Output is deterministic: text files are written
byte for byte, GeoPackages with a fixed ``OGR_CURRENT_DATE`` and fixed layer names, the workbook with fixed
timestamps. Places are in Zeeuws-Vlaanderen; RD New coordinates were computed from WGS84 with pyproj:

=========  ==================  ==================
place      lon, lat (EPSG:4326) x, y (EPSG:28992)
=========  ==================  ==================
Terneuzen  3.8279, 51.3358     46343, 373002
Hulst      4.0520, 51.2806     61845, 366552
Sluis      3.3866, 51.3087     15513, 370738
Axel       3.9083, 51.2667     51789, 365199
=========  ==================  ==================
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import struct
import sys
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

HERE = Path(__file__).resolve().parent
RD = {"Terneuzen": (46343, 373002), "Hulst": (61845, 366552), "Sluis": (15513, 370738), "Axel": (51789, 365199)}
LONLAT = {"Terneuzen": (3.8279, 51.3358), "Hulst": (4.0520, 51.2806), "Sluis": (3.3866, 51.3087), "Axel": (3.9083, 51.2667)}
FIXED_DATE = "2025-01-01T00:00:00.000Z"

DEV_HEADER = "id;naam;sector;jaar;zekerheid;afname_mw;invoeding_mw"


def _text(out: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    (out / name).write_bytes(text.encode(encoding))


def _csv(out: Path, name: str, lines: list[str], encoding: str = "utf-8") -> None:
    _text(out, name, "\n".join(lines) + "\n", encoding)


def _geojson(out: Path, name: str, features: list[tuple[dict, dict | None]]) -> None:
    doc = {
        "type": "FeatureCollection",
        "name": Path(name).stem,
        "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
    }
    _text(out, name, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")


def _point(place: str, wgs84: bool = True) -> dict:
    x, y = (LONLAT if wgs84 else RD)[place]
    return {"type": "Point", "coordinates": [x, y]}


def _gpkg(out: Path, name: str, layers: dict[str, gpd.GeoDataFrame]) -> None:
    path = out / name
    path.unlink(missing_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio warns about a missing CRS, which is the point of no_crs.gpkg
        for layer, frame in layers.items():
            kwargs = {"geometry_type": "Unknown"} if len(frame) == 0 else {}
            pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", **kwargs)


def _gpkg_measured(out: Path, name: str) -> None:
    """Stations with M values (``POINT M``, ``POINT ZM``), as surveying software writes them.

    pyogrio cannot write M geometries, so the layer is written in 2D without a spatial index (whose triggers need
    SpatiaLite functions) and its geometry blobs are replaced by GeoPackage blobs holding ISO WKB with M: the
    header ``GP``, version 0, flags 1 (little-endian, no envelope), the SRS id, then the WKB.
    """
    path = out / name
    path.unlink(missing_ok=True)
    plain = gpd.GeoDataFrame({"station_id": ["TNZ", "HLS"], "naam": ["Terneuzen", "Hulst"]},
                             geometry=[shapely.Point(RD["Terneuzen"]), shapely.Point(RD["Hulst"])], crs="EPSG:28992")
    pyogrio.write_dataframe(plain, path, layer="stations", driver="GPKG", layer_options={"SPATIAL_INDEX": "NO"})
    measured = shapely.from_wkt([f"POINT M ({RD['Terneuzen'][0]} {RD['Terneuzen'][1]} 12.5)",
                                 f"POINT ZM ({RD['Hulst'][0]} {RD['Hulst'][1]} 3.0 7.25)"])
    con = sqlite3.connect(path)
    try:
        with con:
            for fid, geom in enumerate(measured, start=1):
                blob = b"GP" + bytes([0, 1]) + struct.pack("<i", 28992) + shapely.to_wkb(geom, flavor="iso",
                                                                                           byte_order=1)
                con.execute("UPDATE stations SET geom = ? WHERE fid = ?", (blob, fid))
            con.execute("UPDATE gpkg_geometry_columns SET z = 2, m = 2 WHERE table_name = 'stations'")
    finally:
        con.close()


def _shapefile_zip(out: Path, name: str, frame: gpd.GeoDataFrame, *, prj: bool = True,
                   truncate_shp: bool = False) -> None:
    """A zipped Shapefile with fixed member dates and a fixed DBF date; optionally without .prj or with the .shp
    cut in half (as an interrupted download leaves it)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / "stations.shp"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # no CRS when prj=False
            pyogrio.write_dataframe(frame, shp, layer_options={"DBF_DATE_LAST_UPDATE": "2025-01-01"})
        with zipfile.ZipFile(out / name, "w", zipfile.ZIP_DEFLATED) as zf:
            for ext in ("shp", "shx", "dbf", "prj", "cpg"):
                part = shp.with_suffix(f".{ext}")
                if not part.exists() or (ext == "prj" and not prj):
                    continue
                data = part.read_bytes()
                if ext == "shp" and truncate_shp:
                    data = data[: len(data) // 2]
                zf.writestr(zipfile.ZipInfo(f"stations/{part.name}", date_time=(2025, 1, 1, 0, 0, 0)), data)


def _xlsx_rows(path: Path, rows: list[list]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "ontwikkelingen"
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    _fixed_zip(buffer.getvalue(), path)


def _developments_rd(crs: str | None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["D1", "D2"],
            "naam": ["Zonnepark Axel", "Woonwijk Hulst-Noord"],
            "sector": ["opwek", "woningbouw"],
            "jaar": [2028, 2030],
            "zekerheid": ["vergund", "vastgesteld"],
            "afname_mw": [0.0, 4.5],
            "invoeding_mw": [12.0, 0.0],
        },
        geometry=[shapely.Point(RD["Axel"]), shapely.Point(RD["Hulst"])],
        crs=crs,
    )


def _xlsx_merged_header(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "ontwikkelingen"
    # Two header rows, as planners lay them out: group cells merged across, single headers merged down.
    ws["A1"] = "Ontwikkeling"
    ws.merge_cells("A1:B1")
    for col, head in zip("CDE", ("sector", "jaar", "zekerheid"), strict=True):
        ws[f"{col}1"] = head
        ws.merge_cells(f"{col}1:{col}2")
    ws["F1"] = "Vermogen (MW)"
    ws.merge_cells("F1:G1")
    ws["H1"] = "Locatie (RD)"
    ws.merge_cells("H1:I1")
    for col, head in zip("ABFGHI", ("id", "naam", "afname_mw", "invoeding_mw", "x", "y"), strict=True):
        ws[f"{col}2"] = head
    ws.append(["D1", "Zonnepark Axel", "opwek", 2028, "vergund", 0, 12.5, *RD["Axel"]])
    ws.append(["D2", "Datacenter Terneuzen", "datacenter", 2031, "voornemen", 30, 0, *RD["Terneuzen"]])
    buffer = io.BytesIO()
    wb.save(buffer)
    _fixed_zip(buffer.getvalue(), path)


def _xlsx_formulas(path: Path) -> None:
    """A workbook written by a program (as openpyxl and pandas write them): formulas without stored results.
    D2's offtake is ``=2*10`` (20 MW that Excel would show); D3's note column is a formula too."""
    _xlsx_rows(path, [
        ["id", "naam", "sector", "jaar", "zekerheid", "afname_mw", "x", "y", "opmerking"],
        ["D1", "Laadplein", "mobiliteit", 2030, "vergund", 2.5, *RD["Terneuzen"], "vast"],
        ["D2", "Datacenter", "datacenter", 2031, "voornemen", "=2*10", *RD["Hulst"], "vast"],
        ["D3", "Kassen", "landbouw", 2030, "vastgesteld", 4, *RD["Axel"], '=CONCAT("fase ", 2)'],
    ])


def _xlsx_merged_data(path: Path) -> None:
    """Merged cells in the data: the sector written once for three rows (Excel shows it once, in the middle)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "ontwikkelingen"
    ws.append(["id", "naam", "sector", "jaar", "zekerheid", "afname_mw", "x", "y"])
    ws.append(["D1", "Woonwijk Noord", "woningbouw", 2030, "vastgesteld", 3, *RD["Terneuzen"]])
    ws.append(["D2", "Woonwijk Zuid", None, 2031, "vastgesteld", 2, *RD["Hulst"]])
    ws.append(["D3", "Woonwijk Oost", None, 2032, "voornemen", 4, *RD["Axel"]])
    ws.append(["D4", "Laadplein", "mobiliteit", 2030, "vergund", 1, *RD["Sluis"]])
    ws.merge_cells("C2:C4")
    buffer = io.BytesIO()
    wb.save(buffer)
    _fixed_zip(buffer.getvalue(), path)


def _fixed_zip(data: bytes, path: Path) -> None:
    """Rewrite a zip (an XLSX) with fixed member timestamps and fixed document dates, for a stable file."""
    src = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", FIXED_DATE[:19].encode() + b"Z", content)
            member = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, content)


CAPACITEITSKAART_MISSING_FIELDS = {
    "conforms_to": "http://data.netbeheernederland.nl/capaciteitskaart/v1.2.0",
    "identifier": "corpus_missing_fields",
    "issued": "2025-03-01",
    "energy_areas": [
        {"short_code": "TNZ 150", "demand_available_capacity": 12, "generation_available_capacity": 40,
         "works": [{"work_order_number": "W-1", "project_name": "Uitbreiding Terneuzen", "status_kind": "scheduled",
                    "time_schedules": [{"schedule_interval": {"end": "2027-06-30"}}]},
                   {"project_name": "Vervallen kabel", "status_kind": "cancelled"}]},
        {"demand_available_capacity": 5, "generation_available_capacity": 3},
        "HLS 150",
        {"short_code": "AXL 50", "demand_available_capacity": "12,5", "generation_available_capacity": -4,
         "works": [{"work_order_number": "W-2", "status_kind": "onbekend"}]},
        {"short_code": "SLS 50", "generation_available_capacity": 8},
    ],
}

CAPACITEITSKAART_MISSING = """\
conforms_to: http://data.netbeheernederland.nl/capaciteitskaart/v1.2.0
creator: 'corpus@energieplanologie.example'
identifier: 'corpus_missing_capacity'
issued: '2025-03-01'
valid:
  start: '2025-03-01'
  end: '2026-03-01'
substations:
  - short_code: 'TNZ 150'
    demand_available_capacity: 12
    demand_quoted_capacity: 30
    demand_constraint: 'rood'
    generation_available_capacity: 40
  - short_code: 'HLS 150'
    demand_quoted_capacity: 20
    generation_available_capacity: 25
"""


CAPACITEITSKAART_SCHEDULES = """\
conforms_to: http://data.netbeheernederland.nl/capaciteitskaart/v1.2.0
identifier: 'corpus_schedule_text'
issued: '2025-03-01'
substations:
  - short_code: 'TNZ 150'
    demand_available_capacity: 12
    works:
      - project_name: 'Uitbreiding Terneuzen'
        time_schedules:
          - schedule_interval:
              end: 'Q3-2026'
      - project_name: 'Tweede trafo Terneuzen'
        time_schedules:
          - schedule_interval:
              end: 'eind 2026'
      - project_name: 'Kabel Sluiskil'
        time_schedules:
          - schedule_interval:
              end: '2026/2027'
"""

#: 47,000 "MW" for a DSO area: 47 MW typed in kW.
CAPACITEITSKAART_KW = """\
conforms_to: http://data.netbeheernederland.nl/capaciteitskaart/v1.2.0
identifier: 'corpus_kw_as_mw'
issued: '2025-03-01'
energy_areas:
  - short_code: 'OS Axel 20'
    demand_available_capacity: 47000
    generation_available_capacity: 47
  - short_code: 'OS Hulst 20'
    demand_available_capacity: 38
    generation_available_capacity: 21
"""


def _huge_points_zip(path: Path, n: int = 5_000_000) -> None:
    """A zipped shapefile whose one feature is a MultiPoint of ``n`` points (all Terneuzen), written byte by byte:
    80 MB of .shp that deflate to about 80 kB — the small download that unpacks into more than a reader can hold."""
    x, y = RD["Terneuzen"]
    content = struct.pack("<i4di", 8, x, y, x, y, n) + np.tile(np.array([x, y], dtype="<f8"), n).tobytes()
    shp_words = (100 + 8 + len(content)) // 2
    bbox = struct.pack("<2i4d4d", 1000, 8, x, y, x, y, 0, 0, 0, 0)
    shp = struct.pack(">7i", 9994, 0, 0, 0, 0, 0, shp_words) + bbox + struct.pack(">2i", 1, len(content) // 2) + content
    shx = struct.pack(">7i", 9994, 0, 0, 0, 0, 0, (100 + 8) // 2) + bbox + struct.pack(">2i", 50, len(content) // 2)
    field = b"station_id".ljust(11, b"\0") + b"C" + b"\0" * 4 + bytes([3, 0]) + b"\0" * 14
    dbf = struct.pack("<B3BIHH20x", 3, 125, 1, 1, 1, 32 + 32 + 1, 1 + 3) + field + b"\r" + b" TNZ" + b"\x1a"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in (("stations.shp", shp), ("stations.shx", shx), ("stations.dbf", dbf),
                           ("stations.prj", pyproj_wkt_rd())):
            zf.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def pyproj_wkt_rd() -> bytes:
    from pyproj import CRS

    return CRS.from_epsg(28992).to_wkt("WKT1_ESRI").encode("ascii")


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def build(out: Path = HERE) -> list[Path]:
    """Write every corpus file into ``out``; returns the paths written (sorted)."""
    out.mkdir(parents=True, exist_ok=True)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_DATE})
    try:
        _build(out)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    return sorted(p for p in out.iterdir() if p.is_file() and p.suffix != ".py")


def _build(out: Path) -> None:

    # --- coordinate reference systems
    _gpkg(out, "no_crs.gpkg", {"ontwikkelingen": _developments_rd(None)})
    _geojson(out, "wgs84_stations.geojson", [
        ({"station_id": "TNZ", "naam": "Terneuzen", "spanning": "150/20"}, _point("Terneuzen")),
        ({"station_id": "HLS", "naam": "Hulst", "spanning": "50/10"}, _point("Hulst")),
    ])
    _geojson(out, "rd_declared_wgs84.geojson", [  # RD metres in a GeoJSON, which is WGS84 by definition
        ({"station_id": "TNZ", "naam": "Terneuzen"}, _point("Terneuzen", wgs84=False)),
        ({"station_id": "HLS", "naam": "Hulst"}, _point("Hulst", wgs84=False)),
    ])
    _geojson(out, "outside_nl.geojson", [
        ({"station_id": "TNZ", "naam": "Terneuzen"}, _point("Terneuzen")),
        ({"station_id": "BER", "naam": "Berlin-Mitte"}, {"type": "Point", "coordinates": [13.4, 52.52]}),
    ])

    # --- geometry
    square = shapely.box(40000, 360000, 50000, 370000)
    bowtie = shapely.from_wkt("POLYGON ((50000 360000, 60000 370000, 60000 360000, 50000 370000, 50000 360000))")
    _gpkg(out, "self_intersecting.gpkg", {"gemeenten": gpd.GeoDataFrame(
        {"statcode": ["GM0715", "GM0677"], "statnaam": ["Terneuzen", "Hulst"]},
        geometry=[square, bowtie], crs="EPSG:28992")})
    _geojson(out, "empty_geometry.geojson", [
        ({"id": "D1", "naam": "Zon Axel", "sector": "opwek", "jaar": 2028, "zekerheid": "vergund",
          "invoeding_mw": 12.0}, _point("Axel")),
        ({"id": "D2", "naam": "Zon zonder plek", "sector": "opwek", "jaar": 2029, "zekerheid": "voornemen",
          "invoeding_mw": 5.0}, None),
        ({"id": "D3", "naam": "Zon Sluis", "sector": "opwek", "jaar": 2030, "zekerheid": "idee",
          "invoeding_mw": 8.0}, _point("Sluis")),
    ])
    _geojson(out, "mixed_geometry_stations.geojson", [
        ({"station_id": "TNZ", "naam": "Terneuzen"}, _point("Terneuzen")),
        ({"station_id": "KBL", "naam": "Kabel Terneuzen-Hulst"},
         {"type": "LineString", "coordinates": [list(LONLAT["Terneuzen"]), list(LONLAT["Hulst"])]}),
        ({"station_id": "HLS", "naam": "Hulst"}, _point("Hulst")),
    ])
    _gpkg(out, "z_geometries.gpkg", {"stations": gpd.GeoDataFrame(
        {"station_id": ["TNZ", "HLS"], "naam": ["Terneuzen", "Hulst"]},
        geometry=[shapely.Point(*RD["Terneuzen"], 2.5), shapely.Point(*RD["Hulst"], 4.0)], crs="EPSG:28992")})
    _geojson(out, "multipoint_one_part.geojson", [
        ({"station_id": "TNZ", "naam": "Terneuzen"}, _point("Terneuzen")),
        ({"station_id": "HLS", "naam": "Hulst"}, {"type": "MultiPoint", "coordinates": [list(LONLAT["Hulst"])]}),
        ({"station_id": "SLS", "naam": "Sluis en Axel"},
         {"type": "MultiPoint", "coordinates": [list(LONLAT["Sluis"]), list(LONLAT["Axel"])]}),
    ])
    _csv(out, "bad_wkt.csv", [
        "id;naam;sector;jaar;zekerheid;invoeding_mw;wkt",
        f"D1;Zon Axel;opwek;2028;vergund;12;\"SRID=28992;POINT ({RD['Axel'][0]} {RD['Axel'][1]})\"",
        f"D2;Zon Hulst;opwek;2029;vergund;8;\"POINT ({RD['Hulst'][0]} {RD['Hulst'][1]}\"",
        f"D3;Zon Sluis;opwek;2030;vergund;5;\"SRID=28992;POINT ({RD['Sluis'][0]} {RD['Sluis'][1]})\"",
    ])
    _csv(out, "no_geometry.csv", [DEV_HEADER, "D1;Zon Axel;opwek;2028;vergund;0;12"])

    # --- columns
    _csv(out, "missing_column.csv", [
        "id;naam;jaar;zekerheid;afname_mw;x;y",
        f"D1;Datacenter;2030;vergund;30;{RD['Terneuzen'][0]};{RD['Terneuzen'][1]}",
    ])
    _csv(out, "duplicate_column.csv", [
        "id;naam;naam;sector;jaar;zekerheid;afname_mw;x;y",
        f"D1;Datacenter;DC Terneuzen;datacenter;2030;vergund;30;{RD['Terneuzen'][0]};{RD['Terneuzen'][1]}",
    ])
    _csv(out, "ambiguous_power.csv", [
        "id;naam;sector;jaar;zekerheid;vermogen_mw;x;y",
        f"D1;Windpark Sluis;opwek;2029;vastgesteld;45;{RD['Sluis'][0]};{RD['Sluis'][1]}",
    ])

    # --- values
    xy_t, xy_h, xy_a = (f"{RD[p][0]};{RD[p][1]}" for p in ("Terneuzen", "Hulst", "Axel"))
    _csv(out, "text_in_number.csv", [
        DEV_HEADER + ";x;y",
        f"D1;Datacenter;datacenter;2030;vergund;30;0;{xy_t}",
        f"D2;Glastuinbouw;landbouw;2030;vastgesteld;veel;0;{xy_h}",
    ])
    _csv(out, "decimal_comma.csv", [
        DEV_HEADER + ";x;y",
        f"D1;Laadplein;mobiliteit;2030;vergund;12,5;0;{xy_t}",
        f"D2;Industriecluster;industrie;2032;voornemen;1.250,5;0;{xy_h}",
        f"D3;Woonwijk;woningbouw;2030;vastgesteld;3;0;{xy_a}",
    ])
    _csv(out, "unknown_sector.csv", [
        DEV_HEADER + ";x;y",
        f"D1;Woonwijk Axel;wonen;2030;planned;3;0;{xy_a}",
        f"D2;Zon Hulst;opwek;2028;Vergund ;0;8;{xy_h}",
    ])
    _geojson(out, "negative_mw.geojson", [
        ({"id": "D1", "naam": "Zon Axel", "sector": "opwek", "jaar": 2028, "zekerheid": "vergund",
          "invoeding_mw": 12.0}, _point("Axel")),
        ({"id": "D2", "naam": "Zon Hulst", "sector": "opwek", "jaar": 2028, "zekerheid": "vergund",
          "invoeding_mw": -5.0}, _point("Hulst")),
    ])
    _geojson(out, "absurd_mw.geojson", [
        ({"id": "D1", "naam": "Datacenter (in kW)", "sector": "datacenter", "jaar": 2030, "zekerheid": "voornemen",
          "afname_mw": 250000.0}, _point("Terneuzen")),
        ({"id": "D2", "naam": "Woonwijk", "sector": "woningbouw", "jaar": 2030, "zekerheid": "vastgesteld",
          "afname_mw": 4.0}, _point("Hulst")),
    ])
    _csv(out, "year_out_of_range.csv", [
        DEV_HEADER + ";x;y",
        f"D1;Oud;industrie;1850;vergund;5;0;{xy_t}",
        f"D2;Ver weg;industrie;2150;idee;5;0;{xy_h}",
        f"D3;Gewoon;industrie;2030;vergund;5;0;{xy_a}",
    ])
    _geojson(out, "year_as_text.geojson", [  # all strings, so GDAL keeps the field as text
        ({"id": "D1", "naam": "Zon Axel", "sector": "opwek", "jaar": "2030", "zekerheid": "vergund",
          "invoeding_mw": 12.0}, _point("Axel")),
        ({"id": "D2", "naam": "Zon Hulst", "sector": "opwek", "jaar": "2030.0", "zekerheid": "vergund",
          "invoeding_mw": 8.0}, _point("Hulst")),
    ])
    _csv(out, "bad_numbers.csv", [
        DEV_HEADER + ";x;y",
        f"D1;Half jaar;industrie;2030.5;vergund;5;0;{xy_t}",
        f"D2;Oneindig;industrie;2030;vergund;inf;0;{xy_h}",
        f"D3;Gewoon;industrie;2030;vergund;5;0;{xy_a}",
    ])
    _csv(out, "missing_values.csv", [
        DEV_HEADER + ";x;y",
        f"D1;;industrie;2030;vergund;5;0;{xy_t}",
        f"D2;Zonder jaar;industrie;;vergund;5;0;{xy_h}",
        f"D3;Gewoon;industrie;2030;vergund;5;0;{xy_a}",
    ])
    _csv(out, "duplicate_ids.csv", [
        DEV_HEADER + ";x;y",
        f"D1;Eerste;industrie;2030;vergund;5;0;{xy_t}",
        f"D1;Tweede;industrie;2031;vergund;6;0;{xy_h}",
        f"D2;Ander;industrie;2030;vergund;5;0;{xy_a}",
    ])
    _csv(out, "cp1252.csv", [
        DEV_HEADER + ";x;y",
        f"D1;Reeënweg zonneveld;opwek;2029;vastgesteld;0;3,5;{xy_a}",
    ], encoding="cp1252")
    _xlsx_merged_header(out / "merged_header.xlsx")

    # --- layers and files
    _gpkg(out, "empty_layer.gpkg", {"ontwikkelingen": _developments_rd("EPSG:28992").iloc[0:0]})
    _gpkg(out, "two_layers.gpkg", {"plan_a": _developments_rd("EPSG:28992"),
                                   "plan_b": _developments_rd("EPSG:28992").iloc[:1]})
    (out / "zero_bytes.gpkg").write_bytes(b"")
    _gpkg(out, "_whole.gpkg", {"ontwikkelingen": _developments_rd("EPSG:28992")})
    whole = (out / "_whole.gpkg").read_bytes()
    (out / "truncated.gpkg").write_bytes(whole[: len(whole) // 3])
    (out / "_whole.gpkg").unlink()
    _text(out, "unknown_extension.dat", "id,naam\nD1,iets\n")
    _text(out, "unparsable.csv", 'id;naam;sector\nD1;"Windpark zonder einde;opwek\nD2;Zon;opwek\n')
    with zipfile.ZipFile(out / "zip_without_shp.zip", "w") as zf:
        zf.writestr(zipfile.ZipInfo("lees_mij.txt", date_time=(2025, 1, 1, 0, 0, 0)), "geen shapefile hier\n")

    # --- added for issue 10: the rest of the list, and every reader's format
    _gpkg_measured(out, "m_geometries.gpkg")
    lonlat_as_rd = gpd.GeoDataFrame({"station_id": ["TNZ", "HLS"], "naam": ["Terneuzen", "Hulst"]},
                                    geometry=[shapely.Point(LONLAT["Terneuzen"]), shapely.Point(LONLAT["Hulst"])],
                                    crs="EPSG:28992")
    _gpkg(out, "wgs84_declared_rd.gpkg", {"stations": lonlat_as_rd})
    rd_as_etrs89 = gpd.GeoDataFrame({"station_id": ["TNZ", "HLS"], "naam": ["Terneuzen", "Hulst"]},
                                    geometry=[shapely.Point(RD["Terneuzen"]), shapely.Point(RD["Hulst"])],
                                    crs="EPSG:4258")
    _gpkg(out, "rd_declared_etrs89.gpkg", {"stations": rd_as_etrs89})
    _shapefile_zip(out, "shp_without_prj.zip", rd_as_etrs89.set_crs(None, allow_override=True), prj=False)
    _shapefile_zip(out, "truncated_shp.zip", rd_as_etrs89.set_crs("EPSG:28992", allow_override=True),
                   truncate_shp=True)
    res = shapely.from_wkt([
        "POLYGON ((50000 360000, 60000 370000, 60000 360000, 50000 370000, 50000 360000))",  # bow tie
        "POLYGON ((50000 360000, 60000 360000, 55000 360000, 50000 360000))",  # no area at all
        "POLYGON ((40000 360000, 45000 360000, 45000 365000, 40000 365000, 40000 360000), "
        "(41000 361000, 44000 361000, 44000 364000, 41000 364000, 41000 361000), "
        "(41000 361000, 42000 361000, 42000 362000, 41000 361000))",  # two holes touching along an edge
        "GEOMETRYCOLLECTION (POINT (50000 360000), LINESTRING (50000 360000, 51000 361000))",
    ])
    _gpkg(out, "res_self_intersecting.gpkg", {"ontwikkelingen": gpd.GeoDataFrame(
        {"id": ["RES-1", "RES-2", "RES-3", "RES-4"],
         "naam": ["Zoekgebied wind Kanaalzone", "Zoekgebied zon (lijn)", "Zoekgebied zon Axel", "Gemengd"],
         "sector": ["opwek"] * 4, "programma": ["RES"] * 4, "jaar": [2030] * 4, "zekerheid": ["voornemen"] * 4,
         "invoeding_mw": [40.0, 20.0, 10.0, 5.0]}, geometry=res, crs="EPSG:28992")})
    _csv(out, "thousands_separator.csv", [
        DEV_HEADER + ";x;y",
        f"D1;Industrie A;industrie;2030;vergund;1.250;0;{xy_t}",
        f"D2;Industrie B;industrie;2030;vergund;2.500,5;0;{xy_h}",
        f"D3;Industrie C;industrie;2030;vergund;1 250;0;{xy_a}",
        f"D4;Industrie D;industrie;2030;vergund;1,250.5;0;{xy_a}",
        f"D5;Industrie E;industrie;2030;vergund;12.500.000;0;{xy_a}",
        f"D6;Industrie F;industrie;2030;vergund;1.25;0;{xy_a}",
    ])
    # NaN and Infinity are not JSON, but GDAL (and Python's json) read and write them: written by hand.
    features = [
        f'{{"type": "Feature", "properties": {{"id": "D{i + 1}", "naam": "Zon {i + 1}", "sector": "opwek", '
        f'"jaar": 2030, "zekerheid": "vergund", "invoeding_mw": {value}}}, '
        f'"geometry": {{"type": "Point", "coordinates": [{LONLAT[place][0]}, {LONLAT[place][1]}]}}}}'
        for i, (value, place) in enumerate([("NaN", "Axel"), ("Infinity", "Hulst"), ("-Infinity", "Sluis"),
                                            ("5.0", "Terneuzen")])]
    _text(out, "nan_inf.geojson",
          '{"type": "FeatureCollection", "name": "nan_inf", "features": [\n' + ",\n".join(features) + "\n]}\n")
    _csv(out, "nan_as_text.csv", [
        DEV_HEADER + ";x;y",
        f"D1;A;industrie;2030;vergund;NaN;0;{xy_t}",
        f"D2;B;industrie;2030;vergund;-inf;0;{xy_h}",
        f"D3;C;industrie;2030;vergund;Infinity;0;{xy_a}",
        f"D4;D;industrie;2030;vergund;nan;1;{xy_a}",
        f"D5;E;industrie;2030;vergund;5;0;{xy_a}",
    ])
    _csv(out, "header_only.csv", [DEV_HEADER + ";x;y"])
    _text(out, "whitespace_only.csv", "\n  \n\t\n")
    _text(out, "empty_collection.geojson", '{"type": "FeatureCollection", "name": "leeg", "features": []}\n')
    _xlsx_rows(out / "duplicate_column.xlsx", [
        ["id", "naam", "naam", "sector", "jaar", "zekerheid", "afname_mw", "x", "y"],
        ["D1", "Datacenter", "DC Terneuzen", "datacenter", 2030, "vergund", 30, *RD["Terneuzen"]],
    ])
    _xlsx_rows(out / "text_in_number.xlsx", [
        ["id", "naam", "sector", "jaar", "zekerheid", "afname_mw", "invoeding_mw", "x", "y"],
        ["D1", "Laadplein", "mobiliteit", 2030, "vergund", "12,5", 0, *RD["Terneuzen"]],
        ["D2", "Kassen", "landbouw", "2031", "vastgesteld", "n.v.t.", 0, *RD["Hulst"]],
        ["D3", "Woonwijk", "woningbouw", 2030.0, "vastgesteld", 3, None, *RD["Axel"]],
    ])
    _xlsx_rows(out / "_whole.xlsx", [["id", "naam"], ["D1", "iets"]])
    whole = (out / "_whole.xlsx").read_bytes()
    (out / "truncated.xlsx").write_bytes(whole[: len(whole) // 2])
    (out / "_whole.xlsx").unlink()
    fgb_years = gpd.GeoDataFrame(
        {"id": ["D1", "D2"], "naam": ["Zon Axel", "Zon Hulst"], "sector": ["opwek", "opwek"],
         "jaar": np.array([2030.0, 2030.5]), "zekerheid": ["vergund", "vergund"], "invoeding_mw": [12.0, 8.0]},
        geometry=[shapely.Point(RD["Axel"]), shapely.Point(RD["Hulst"])], crs="EPSG:28992")
    pyogrio.write_dataframe(fgb_years, out / "year_as_float.fgb")
    many = gpd.GeoDataFrame(
        {"id": [f"D{i}" for i in range(200)], "naam": [f"Ontwikkeling {i}" for i in range(200)],
         "sector": ["opwek"] * 200, "jaar": [2030] * 200, "zekerheid": ["vergund"] * 200, "invoeding_mw": [1.0] * 200},
        geometry=shapely.points(40000 + 100 * np.arange(200), np.full(200, 370000.0)), crs="EPSG:28992")
    pyogrio.write_dataframe(many, out / "_whole.fgb")
    whole = (out / "_whole.fgb").read_bytes()
    (out / "truncated.fgb").write_bytes(whole[: len(whole) // 5])
    (out / "_whole.fgb").unlink()
    _geojson(out, "dangling_station_developments.geojson", [
        ({"id": "D1", "naam": "Datacenter", "sector": "datacenter", "jaar": 2030, "zekerheid": "vergund",
          "afname_mw": 30.0, "station_id": "TNZ"}, _point("Terneuzen")),
        ({"id": "D2", "naam": "Kassen", "sector": "landbouw", "jaar": 2030, "zekerheid": "vergund",
          "afname_mw": 8.0, "station_id": "XXX"}, _point("Hulst")),
    ])
    _text(out, "capaciteitskaart_missing_fields.json",
          json.dumps(CAPACITEITSKAART_MISSING_FIELDS, ensure_ascii=False, indent=1) + "\n")

    # --- capacity
    _text(out, "capaciteitskaart_missing_capacity.yaml", CAPACITEITSKAART_MISSING)
    # --- added for issue 17: schedules as text, kW typed as MW
    _text(out, "capaciteitskaart_schedule_text.yaml", CAPACITEITSKAART_SCHEDULES)
    _text(out, "capaciteitskaart_kw_as_mw.yaml", CAPACITEITSKAART_KW)
    # NaN and infinite coordinates, in every way users' files carry them
    features = [
        f'{{"type": "Feature", "properties": {{"id": "D{i + 1}", "naam": "Zon {i + 1}", "sector": "opwek", '
        f'"jaar": 2030, "zekerheid": "vergund", "invoeding_mw": 5.0}}, "geometry": {geometry}}}'
        for i, geometry in enumerate([
            f'{{"type": "Point", "coordinates": [{LONLAT["Axel"][0]}, {LONLAT["Axel"][1]}]}}',
            f'{{"type": "Point", "coordinates": [NaN, {LONLAT["Hulst"][1]}]}}',
            '{"type": "Polygon", "coordinates": [[[3.8, 51.3], [Infinity, 51.3], [3.9, 51.4], [3.8, 51.3]]]}',
            f'{{"type": "Point", "coordinates": [-Infinity, {LONLAT["Sluis"][1]}]}}'])]
    _text(out, "nan_coordinates.geojson",
          '{"type": "FeatureCollection", "name": "nan_coordinates", "features": [\n' + ",\n".join(features) + "\n]}\n")
    nan_rd = _developments_rd("EPSG:28992")
    nan_rd.geometry = [shapely.Point(np.nan, RD["Axel"][1]), shapely.Point(RD["Hulst"])]
    _gpkg(out, "nan_coordinates.gpkg", {"ontwikkelingen": nan_rd})
    _csv(out, "inf_xy.csv", [
        DEV_HEADER + ";x;y",
        f"D1;Laadplein;mobiliteit;2030;vergund;2;0;{xy_t}",
        f"D2;Oneindig ver;industrie;2030;vergund;5;0;inf;{RD['Hulst'][1]}",
        f"D3;Ook ver;industrie;2030;vergund;5;0;{RD['Axel'][0]};-Infinity",
    ])
    _csv(out, "nan_wkt.csv", [
        "id;naam;sector;jaar;zekerheid;invoeding_mw;wkt",
        f"D1;Zon Axel;opwek;2028;vergund;12;\"SRID=28992;POINT ({RD['Axel'][0]} {RD['Axel'][1]})\"",
        f"D2;Zon nergens;opwek;2029;vergund;8;\"SRID=28992;POINT (nan {RD['Hulst'][1]})\"",
        "D3;Zon oneindig;opwek;2030;vergund;5;\"SRID=28992;POLYGON ((40000 360000, inf 360000, 45000 365000, "
        "40000 360000))\"",
    ])
    # Documents that ask for unbounded work: nesting 100,000 deep, and YAML aliases ("billion laughs")
    _text(out, "deep_nesting.json", '{"conforms_to": "capaciteitskaart", "energy_areas": ' + _nested(100_000) + "}\n")
    _text(out, "deep_nesting.yaml", "conforms_to: capaciteitskaart\nenergy_areas: " + _nested(100_000) + "\n")
    laughs = ["conforms_to: http://data.netbeheernederland.nl/capaciteitskaart/v1.2.0",
              "a0: &a0 [" + ", ".join(["'ha'"] * 9) + "]"]
    laughs += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    _text(out, "billion_laughs.yaml", "\n".join(laughs + ["energy_areas: *a9", ""]))
    _huge_points_zip(out / "huge_points_shp.zip")
    # Reading: UTF-16 text (Excel "Unicode text": tab-separated, with a byte-order mark), formulas without stored
    # results, merged cells in the data, a NUL inside a GeoJSON id
    _csv(out, "utf16_excel.csv", [
        "\t".join(DEV_HEADER.split(";") + ["x", "y"]),
        f"D1\tReeënweg zonneveld\topwek\t2029\tvastgesteld\t0\t3,5\t{RD['Axel'][0]}\t{RD['Axel'][1]}",
        f"D2\tWarmtenet Sas\tgebouwde omgeving\t2030\tvoornemen\t1,5\t0\t{RD['Terneuzen'][0]}\t{RD['Terneuzen'][1]}",
    ], encoding="utf-16")
    _xlsx_formulas(out / "formula_without_value.xlsx")
    # Knooppunten at the threshold: near Terneuzen four developments of 2.9 + 13.2 + 0.5 + 3.4 MW (20.0 in
    # decimal; 19.999999999999996 when added in this order), near Hulst three of 0.1 + 0.3 + 19.5 = 19.9 MW.
    tnz, hls = RD["Terneuzen"], RD["Hulst"]
    _csv(out, "threshold_20mw.csv", [
        DEV_HEADER + ";x;y",
        *[f"T{i + 1};Bedrijf T{i + 1};industrie;2030;vergund;{mw};0;{tnz[0] + 40 * i};{tnz[1]}"
          for i, mw in enumerate(["2.9", "13.2", "0.5", "3.4"])],
        *[f"H{i + 1};Bedrijf H{i + 1};industrie;2030;vergund;{mw};0;{hls[0] + 40 * i};{hls[1]}"
          for i, mw in enumerate(["0.1", "0.3", "19.5"])],
    ])
    # Projects that add capacity without a year ready: they count in no year (one warning for both rows).
    _geojson(out, "infra_without_year_ready.geojson", [
        ({"project_id": "P1", "naam": "Uitbreiding Terneuzen", "infra_type": "station_expansion", "status":
          "investment_plan", "station_id": "TNZ", "jaar_gereed": 2028, "offtake_capacity_added_mw": 40.0},
         _point("Terneuzen")),
        ({"project_id": "P2", "naam": "Tweede trafo Hulst", "infra_type": "station_expansion", "status":
          "proposed", "station_id": "HLS", "jaar_gereed": None, "offtake_capacity_added_mw": 25.0}, _point("Hulst")),
        ({"project_id": "P3", "naam": "Nieuw station Axel", "infra_type": "station_new", "status": "narrative",
          "station_id": "AXL", "jaar_gereed": None, "feedin_capacity_added_mw": 60.0}, _point("Axel")),
    ])
    _xlsx_merged_data(out / "merged_data_cells.xlsx")
    _text(out, "nul_in_id.geojson",
          '{"type": "FeatureCollection", "name": "nul_in_id", "features": [\n'
          f'{{"type": "Feature", "properties": {{"id": "D17\\u0000-oud", "naam": "Zon Axel", "sector": "opwek", '
          f'"jaar": 2030, "zekerheid": "vergund", "invoeding_mw": 5.0}}, "geometry": {json.dumps(_point("Axel"))}}},\n'
          f'{{"type": "Feature", "properties": {{"id": "D17", "naam": "Zon Hulst", "sector": "opwek", '
          f'"jaar": 2030, "zekerheid": "vergund", "invoeding_mw": 8.0}}, "geometry": {json.dumps(_point("Hulst"))}}}\n'
          "]}\n")
    _csv(out, "dangling_station.csv", [
        "station_id;jaar;capaciteit_afname_mw;capaciteit_invoeding_mw",
        "TNZ;2025;120;80",
        "XXX;2025;50;50",
    ])


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for p in build(target):
        print(p.name)
