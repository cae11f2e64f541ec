"""io.read_layer and the writers: every format through real files, column mapping, and the bad-input corpus.

Places (Zeeuws-Vlaanderen), WGS84 → RD New computed with pyproj and used throughout:
Terneuzen (3.8279, 51.3358) → (46343, 373002); Hulst (4.0520, 51.2806) → (61845, 366552);
Axel (3.9083, 51.2667) → (51789, 365199). Reprojected points are compared to these within 1 m.
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from corpus import _LIMITED, CORPUS, TOO_BIG, UNREADABLE
from shapely import Point

from energieplanologie import ConfigError, ReadError
from energieplanologie.io import (
    LayerRead,
    atomic_write,
    column_synonyms,
    map_columns,
    read_layer,
    write_csv,
    write_layers,
)
from energieplanologie.labels import LAYER_NAMES
from energieplanologie.region import Region
from energieplanologie.schema import CRS_RD, SCHEMAS, validate

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
RD = {"Terneuzen": (46343, 373002), "Hulst": (61845, 366552), "Axel": (51789, 365199)}
LONLAT = {"Terneuzen": (3.8279, 51.3358), "Hulst": (4.0520, 51.2806), "Axel": (3.9083, 51.2667)}


def near(point: Point, place: str, tol: float = 1.0) -> bool:
    return abs(point.x - RD[place][0]) < tol and abs(point.y - RD[place][1]) < tol


def accounted(report) -> bool:
    return report.rows_in == report.rows_kept + report.rows_rejected


def by_code(findings) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for f in findings:
        out.setdefault(f.code, []).extend(f.rows)
    return {k: sorted(v) for k, v in out.items()}


def dev_frame(dutch: bool = True) -> gpd.GeoDataFrame:
    """Two developments in RD; Dutch headers as users write them, or canonical names."""
    data = {
        "id": ["D1", "D2"],
        "naam": ["Zonnepark Axel", "Datacenter Terneuzen"],
        "sector": ["opwek", "datacenter"],
        "jaar": [2028, 2031],
        "zekerheid": ["vergund", "voornemen"],
        "afname_mw": [0.0, 30.0],
        "invoeding_mw": [12.5, 0.0],
    }
    if not dutch:
        names = {"id": "development_id", "naam": "name", "jaar": "year", "zekerheid": "certainty",
                 "afname_mw": "offtake_mw", "invoeding_mw": "feedin_mw"}
        data = {names.get(k, k): v for k, v in data.items()}
    return gpd.GeoDataFrame(data, geometry=[Point(RD["Axel"]), Point(RD["Terneuzen"])], crs=CRS_RD)


def assert_two_developments(read: LayerRead) -> None:
    """The canonical content of dev_frame(), whatever the format it went through."""
    data, report = read
    assert report.ok and accounted(report), report.to_text()
    assert (report.rows_in, report.rows_kept) == (2, 2)
    assert data["development_id"].tolist() == ["D1", "D2"]
    assert data["name"].tolist() == ["Zonnepark Axel", "Datacenter Terneuzen"]
    assert data["sector"].tolist() == ["renewables", "data_centre"]
    assert data["certainty"].tolist() == ["committed", "intended"]
    assert data["year"].tolist() == [2028, 2031]
    assert data["offtake_mw"].tolist() == [0.0, 30.0]
    assert data["feedin_mw"].tolist() == [12.5, 0.0]
    assert data.crs == CRS_RD
    assert near(data.geometry.iloc[0], "Axel") and near(data.geometry.iloc[1], "Terneuzen")


# ------------------------------------------------------------------------------------------- formats


def test_geopackage_round_trip(tmp_path):
    path = tmp_path / "ontwikkelingen.gpkg"
    pyogrio.write_dataframe(dev_frame(), path, layer="ontwikkelingen")
    read = read_layer(path, "developments")
    assert_two_developments(read)
    assert "reprojected" not in read.report.codes("note")  # already RD


def test_geopackage_layer_choice(tmp_path):
    path = tmp_path / "regio.gpkg"
    pyogrio.write_dataframe(dev_frame(), path, layer="ontwikkelingen")
    stations = gpd.GeoDataFrame({"station_id": ["TNZ"], "naam": ["Terneuzen"]}, geometry=[Point(RD["Terneuzen"])],
                                crs=CRS_RD)
    pyogrio.write_dataframe(stations, path, layer="stations")
    # No layer given: the one named like the kind (or its Dutch name) is taken.
    assert_two_developments(read_layer(path, "developments"))
    assert read_layer(path, "stations").data["station_id"].tolist() == ["TNZ"]
    assert read_layer(path, "stations", layer="STATIONS").data["name"].tolist() == ["Terneuzen"]
    with pytest.raises(ReadError, match="meerdere lagen .*ontwikkelingen, stations"):
        read_layer(path, "municipalities")
    with pytest.raises(ReadError, match=r"laag 'gemeenten' bestaat niet \(aanwezig: ontwikkelingen, stations\)"):
        read_layer(path, "municipalities", layer="gemeenten")


def test_geojson_wgs84_is_reprojected(tmp_path):
    path = tmp_path / "ontwikkelingen.geojson"
    pyogrio.write_dataframe(dev_frame().to_crs("EPSG:4326"), path, driver="GeoJSON")
    read = read_layer(path, "developments")
    assert_two_developments(read)
    assert "reprojected" in read.report.codes("note")
    # Named .json it is still GeoJSON: only a capaciteitskaart document goes to that reader.
    as_json = tmp_path / "ontwikkelingen.json"
    as_json.write_bytes(path.read_bytes())
    assert_two_developments(read_layer(as_json, "developments"))


def _write_shapefile(folder: Path) -> Path:
    frame = dev_frame(dutch=False).rename(columns={"development_id": "developmen", "feedin_mw": "invoeding_"})
    path = folder / "ontwikkelingen.shp"
    pyogrio.write_dataframe(frame, path)
    return path


def test_shapefile_with_truncated_headers(tmp_path):
    # The Shapefile format cuts names at 10 characters: development_id → developmen, invoeding_mw → invoeding_.
    read = read_layer(_write_shapefile(tmp_path), "developments")
    assert_two_developments(read)
    messages = " ".join(f.message for f in read.report.notes)
    assert "'developmen' gelezen als 'development_id'" in messages
    assert "'invoeding_' gelezen als 'feedin_mw'" in messages


def test_zipped_shapefile(tmp_path):
    (tmp_path / "shp").mkdir()
    shp = _write_shapefile(tmp_path / "shp")
    archive = tmp_path / "ontwikkelingen.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in sorted(shp.parent.glob("ontwikkelingen.*")):
            zf.write(part, f"export/{part.name}")
    assert_two_developments(read_layer(archive, "developments"))


def test_flatgeobuf(tmp_path):
    path = tmp_path / "ontwikkelingen.fgb"
    pyogrio.write_dataframe(dev_frame(dutch=False), path)
    assert_two_developments(read_layer(path, "developments"))


CSV_HEAD = "id;naam;sector;jaar;zekerheid;afname_mw;invoeding_mw"
CSV_ROWS = ["D1;Zonnepark Axel;opwek;2028;vergund;0;12,5", "D2;Datacenter Terneuzen;datacenter;2031;voornemen;30;0"]


def test_csv_wkt_and_ewkt(tmp_path):
    path = tmp_path / "ontwikkelingen.csv"
    path.write_text("\n".join([
        CSV_HEAD + ";geometry",
        CSV_ROWS[0] + f";POINT ({RD['Axel'][0]} {RD['Axel'][1]})",
        CSV_ROWS[1] + f";POINT ({RD['Terneuzen'][0]} {RD['Terneuzen'][1]})",
    ]) + "\n", encoding="utf-8")
    # Plain WKT carries no CRS: stated by the user it is assigned; without it, it is an error.
    read = read_layer(path, "developments", crs="EPSG:28992")
    assert_two_developments(read)
    assert "crs_assigned" in read.report.codes("repair")
    assert read_layer(path, "developments").report.codes("error") == ["missing_crs"]

    lonlat = tmp_path / "ewkt.csv"
    lonlat.write_text("\n".join([
        CSV_HEAD + ";wkt",
        CSV_ROWS[0] + f';"SRID=4326;POINT ({LONLAT["Axel"][0]} {LONLAT["Axel"][1]})"',
        CSV_ROWS[1] + f';"SRID=4326;POINT ({LONLAT["Terneuzen"][0]} {LONLAT["Terneuzen"][1]})"',
    ]) + "\n", encoding="utf-8")
    read = read_layer(lonlat, "developments")
    assert_two_developments(read)
    assert "reprojected" in read.report.codes("note")


@pytest.mark.parametrize(
    ("header", "coords", "crs_note"),
    [
        ("x;y", {p: RD[p] for p in RD}, "EPSG:28992"),
        ("x_rd;y_rd", {p: RD[p] for p in RD}, "EPSG:28992"),
        ("lon;lat", {p: LONLAT[p] for p in LONLAT}, "EPSG:4326"),
        ("Longitude;Latitude", {p: LONLAT[p] for p in LONLAT}, "EPSG:4326"),
    ],
)
def test_csv_xy_infers_crs_and_says_so(tmp_path, header, coords, crs_note):
    path = tmp_path / "ontwikkelingen.csv"
    path.write_text("\n".join([
        f"{CSV_HEAD};{header}",
        f"{CSV_ROWS[0]};{coords['Axel'][0]};{coords['Axel'][1]}",
        f"{CSV_ROWS[1]};{coords['Terneuzen'][0]};{coords['Terneuzen'][1]}",
    ]) + "\n", encoding="utf-8")
    read = read_layer(path, "developments")
    assert_two_developments(read)
    assumed = [f for f in read.report.repairs if f.code == "crs_assumed"]
    assert len(assumed) == 1 and crs_note in assumed[0].message
    # Plain coordinates are not "text converted to number"; only the decimal comma in row 0 is.
    assert by_code(read.report.notes)["text_to_number"] == [0]


def test_csv_xy_outside_both_ranges_is_not_guessed(tmp_path):
    path = tmp_path / "ontwikkelingen.csv"
    path.write_text(f"{CSV_HEAD};x;y\n{CSV_ROWS[0]};1000000;5\n", encoding="utf-8")
    read = read_layer(path, "developments")
    assert read.report.codes("error") == ["missing_crs"]
    assert "crs_assumed" not in read.report.codes("repair")


@pytest.mark.parametrize("sep", [",", "\t", "|"])
def test_csv_separator_is_sniffed(tmp_path, sep):
    rows = [r.replace("12,5", '"12,5"') if sep == "," else r for r in CSV_ROWS]
    lines = [CSV_HEAD + ";x;y", rows[0] + f";{RD['Axel'][0]};{RD['Axel'][1]}",
             rows[1] + f";{RD['Terneuzen'][0]};{RD['Terneuzen'][1]}"]
    # Replace the separator outside the quoted decimal comma only.
    text = "\n".join(line.replace(";", sep) for line in lines) + "\n"
    path = tmp_path / "ontwikkelingen.csv"
    path.write_text(text, encoding="utf-8-sig")  # with a byte-order mark, as Excel writes it
    assert_two_developments(read_layer(path, "developments"))


def test_csv_dots_follow_the_notation_of_their_column(tmp_path):
    # afname_mw uses decimal commas, so its "1.234" is Dutch for 1234; invoeding_mw has no commas, so its
    # "1.234" is a decimal point. Coordinates with decimal commas are read too, and reported.
    path = tmp_path / "ontwikkelingen.csv"
    path.write_text(
        "id;naam;sector;jaar;zekerheid;afname_mw;invoeding_mw;lon;lat\n"
        "D1;Zon Axel;opwek;2028;vergund;12,5;1.234;3,9083;51,2667\n"
        "D2;Datacenter;datacenter;2031;voornemen;1.234;2;4.0520;51.2806\n", encoding="utf-8")
    data, report = read_layer(path, "developments")
    assert report.ok, report.to_text()
    assert data["offtake_mw"].tolist() == [12.5, 1234.0]
    assert data["feedin_mw"].tolist() == [1.234, 2.0]
    assert near(data.geometry.iloc[0], "Axel") and near(data.geometry.iloc[1], "Hulst")
    repaired = {f.column: f.rows for f in report.notes if f.code == "text_to_number"}
    assert repaired == {"geometry": [0], "offtake_mw": [0, 1]}


def test_csv_codes_keep_leading_zeros_and_numbers_become_numbers(tmp_path):
    path = tmp_path / "gemeenten.csv"
    path.write_text("gemeentecode;naam;inwoners;cbs_nr;wkt\n"
                    "0715;Terneuzen;54000;0715;POLYGON ((40000 360000, 50000 360000, 50000 370000, 40000 360000))\n",
                    encoding="utf-8")
    data, report = read_layer(path, "municipalities", crs=28992)
    assert report.ok, report.to_text()
    assert data["municipality_code"].tolist() == ["0715"]
    assert data["cbs_nr"].tolist() == ["0715"]  # an extra column with a leading zero is a code: kept as text
    assert data["inwoners"].tolist() == [54000.0]


def _xlsx(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "ontwikkelingen"
    ws.append(["id", "naam", "sector", "jaar", "zekerheid", "afname_mw", "invoeding_mw", "x", "y"])
    ws.append(["D1", "Zonnepark Axel", "opwek", 2028, "vergund", 0, 12.5, *RD["Axel"]])
    ws.append(["D2", "Datacenter Terneuzen", "datacenter", 2031, "voornemen", 30, "0", *RD["Terneuzen"]])
    cap = wb.create_sheet("capaciteit")
    cap.append(["station", "jaar", "capaciteit_afname_mw", "capaciteit_invoeding_mw"])
    cap.append(["TNZ", 2025, 120, "80,5"])
    wb.save(path)


def test_xlsx_first_sheet_and_named_table_sheet(tmp_path):
    path = tmp_path / "invoer.xlsx"
    _xlsx(path)
    read = read_layer(path, "developments")
    assert_two_developments(read)
    # "0" typed as text in Excel is a number stored as text: repaired and reported for that cell only.
    assert by_code(read.report.notes)["text_to_number"] == [1]
    data, report = read_layer(path, "station_capacity", layer="capaciteit")
    assert report.ok and not isinstance(data, gpd.GeoDataFrame)
    assert data.loc[0, ["station_id", "year", "offtake_capacity_mw", "feedin_capacity_mw"]].tolist() == [
        "TNZ", 2025, 120.0, 80.5]
    with pytest.raises(ReadError, match="werkblad 'balans' bestaat niet"):
        read_layer(path, "station_capacity", layer="balans")


@pytest.mark.parametrize("merged_title", [False, True])
def test_xlsx_title_line_above_the_table_is_skipped(tmp_path, merged_title):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "Overzicht stations Zeeuws-Vlaanderen 2025"
    if merged_title:
        ws.merge_cells("A1:E1")
    ws.append([])  # a blank line under the title
    ws.append(["station_id", "naam", "spanning", "x", "y"])
    ws.append(["TNZ", "Terneuzen", "150/20", *RD["Terneuzen"]])
    path = tmp_path / "stations.xlsx"
    wb.save(path)
    data, report = read_layer(path, "stations")
    assert report.ok, report.to_text()
    assert data.loc[0, ["station_id", "name", "level"]].tolist() == ["TNZ", "Terneuzen", "HS"]
    assert near(data.geometry.iloc[0], "Terneuzen", tol=1e-6)
    skipped = [f for f in report.repairs if f.code == "title_row_skipped"]
    assert len(skipped) == 1 and "rij 1" in skipped[0].message and "rij 3" in skipped[0].message


def test_xlsx_dates_in_a_year_column_become_years(tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "naam", "type", "gereed", "x", "y"])
    ws.append(["P1", "Uitbreiding Terneuzen", "netverzwaring", dt.datetime(2027, 6, 30), *RD["Terneuzen"]])
    path = tmp_path / "projecten.xlsx"
    wb.save(path)
    data, report = read_layer(path, "infrastructure")
    assert report.ok, report.to_text()
    assert data.loc[0, ["project_id", "infra_type", "year_ready"]].tolist() == ["P1", "station_expansion", 2027]
    assert by_code(report.repairs)["date_to_year"] == [0]


# ------------------------------------------------------------------------------------------- mapping


def test_builtin_dutch_headers_are_mapped_and_reported():
    frame = pd.DataFrame({"ID": ["D1"], " Naam ": ["x"], "Afname (MW)": [1.0], "gemeentecode": ["GM0715"]})
    out = map_columns(frame, "developments")
    assert list(out.columns) == ["development_id", "name", "offtake_mw", "municipality_code"]
    # The same word means another column in another kind.
    assert column_synonyms("infrastructure")["id"] == "project_id"
    assert column_synonyms("stations")["code"] == "station_id"
    assert column_synonyms("municipalities")["statnaam"] == "name"
    assert "statnaam" not in column_synonyms("developments")  # a municipality name is no development name
    assert "vermogenmw" not in column_synonyms("developments")  # ambiguous: never mapped silently


def test_every_schema_label_reads_back():
    for kind, spec in SCHEMAS.items():
        table = column_synonyms(kind)
        for col in spec.columns:
            assert table[col.label_nl.replace("_", "").casefold()] == col.name, (kind, col.name)


def test_user_mapping_wins_and_is_reported(tmp_path):
    path = tmp_path / "gemeenten.geojson"
    frame = gpd.GeoDataFrame({"CBS": ["GM0715"], "Gemeente naam": ["Terneuzen"]},
                             geometry=[shapely.box(40000, 360000, 50000, 370000)], crs=CRS_RD)
    pyogrio.write_dataframe(frame.to_crs(4326), path, driver="GeoJSON")
    data, report = read_layer(path, "municipalities", mapping={"municipality_code": "CBS", "name": "Gemeente naam"})
    assert report.ok and data.loc[0, "municipality_code"] == "GM0715" and data.loc[0, "name"] == "Terneuzen"
    assert "kolom 'CBS' gelezen als 'municipality_code' (mapping)" in [f.message for f in report.notes]


def test_mapping_naming_an_absent_column_is_a_config_error(tmp_path):
    path = tmp_path / "ontwikkelingen.gpkg"
    pyogrio.write_dataframe(dev_frame(), path)
    with pytest.raises(ConfigError) as info:
        read_layer(path, "developments", mapping={"offtake_mw": "vermogen_mw"})
    assert info.value.key == "offtake_mw"
    assert "'vermogen_mw'" in str(info.value) and "'afname_mw'" in str(info.value)  # lists what is there


def test_mapping_errors():
    frame = pd.DataFrame({"naam": ["a"], "name": ["b"], "titel": ["c"], "mw": [1.0]})
    with pytest.raises(ConfigError, match="geen kolom van laag developments") as info:
        map_columns(frame, "developments", {"nmae": "titel"})
    assert info.value.key == "nmae"
    with pytest.raises(ConfigError, match="ook al een kolom 'name'"):
        map_columns(frame, "developments", {"name": "titel"})
    with pytest.raises(ConfigError, match="zowel"):
        map_columns(frame, "developments", {"offtake_mw": "mw", "feedin_mw": "mw"})
    with pytest.raises(ConfigError, match="'Naam', 'naam'") as info:
        map_columns(pd.DataFrame({"Naam": ["a"], "naam": ["b"]}), "developments")
    assert info.value.key == "name"


def test_exact_canonical_column_beats_a_dutch_synonym():
    from energieplanologie.report import ValidationReport

    report = ValidationReport(kind="developments")
    out = map_columns(pd.DataFrame({"year": [2030], "jaar": [2031]}), "developments", report=report)
    assert list(out.columns) == ["year", "jaar"]
    assert report.codes("warning") == ["column_not_mapped"]


def test_ambiguous_power_column_needs_a_mapping():
    read = read_layer(BAD / "ambiguous_power.csv", "developments")
    assert read.report.codes("warning") == ["ambiguous_column"]
    assert "feedin_mw = 'vermogen_mw'" in read.report.warnings[0].message
    fixed = read_layer(BAD / "ambiguous_power.csv", "developments", mapping={"feedin_mw": "vermogen_mw"})
    assert fixed.report.ok and fixed.data["feedin_mw"].tolist() == [45.0]


def test_bad_crs_argument_is_a_config_error():
    with pytest.raises(ConfigError, match="crs") as info:
        read_layer(BAD / "no_crs.gpkg", "developments", crs="EPSG:99999999")
    assert info.value.key == "crs"


# ------------------------------------------------------------------------------------------- writers


def _clean_layers() -> dict[str, Any]:
    dev, _ = validate(dev_frame(dutch=False), "developments", source="test")
    sta, _ = validate(gpd.GeoDataFrame({"station_id": ["TNZ"], "name": ["Terneuzen"], "voltage_kv": ["150/20"]},
                                       geometry=[Point(RD["Terneuzen"])], crs=CRS_RD), "stations")
    cap, _ = validate(pd.DataFrame({"station_id": ["TNZ", "TNZ"], "year": [2025, 2030],
                                    "offtake_capacity_mw": [120.0, 150.0]}), "station_capacity")
    return {"developments": dev, "stations": sta, "station_capacity": cap}


def test_own_geopackage_reads_back_with_dutch_headers(tmp_path):
    clean = _clean_layers()
    out = write_layers(tmp_path / "uit" / "energieplanologie.gpkg",
                       {LAYER_NAMES[k]: v for k, v in clean.items()})
    layers = {str(n) for n in pyogrio.list_layers(out)[:, 0]}
    assert layers == {"ontwikkelingen", "stations", "stationscapaciteit"}
    columns = pyogrio.read_info(out, layer="ontwikkelingen")["fields"].tolist()
    assert {"ontwikkeling_id", "naam", "afname_mw", "zekerheid", "bronrij"} <= set(columns)
    for kind, frame in clean.items():
        data, report = read_layer(out, kind)
        assert report.ok, report.to_text()
        assert report.codes("warning") == []
        canon = SCHEMAS[kind].column_names
        pd.testing.assert_frame_equal(pd.DataFrame(data[canon]), pd.DataFrame(frame[canon]), check_dtype=False)
        assert "row_column_replaced" in report.codes("repair")  # 'bronrij' of the earlier source is replaced
    assert pyogrio.read_info(out, layer="stationscapaciteit")["geometry_type"] is None  # an attribute table


def test_extra_column_named_like_a_dutch_label_is_kept(tmp_path):
    # A source with both 'name' and 'naam': 'name' is canonical, 'naam' stays an extra column. On export 'name'
    # becomes 'naam', so the extra one is written as 'naam_bron' instead of making the header ambiguous.
    dev, _ = validate(dev_frame(dutch=False).assign(naam=["lang 1", "lang 2"]), "developments")
    out = write_layers(tmp_path / "uit.gpkg", {"ontwikkelingen": dev})
    fields = pyogrio.read_info(out)["fields"].tolist()
    assert "naam" in fields and "naam_bron" in fields
    back = read_layer(out, "developments").data
    assert back["name"].tolist() == ["Zonnepark Axel", "Datacenter Terneuzen"]
    assert back["naam_bron"].tolist() == ["lang 1", "lang 2"]
    header = write_csv(dev, tmp_path / "uit.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header.count("naam") == 1 and "naam_bron" in header


def test_write_layers_is_atomic(tmp_path):
    target = tmp_path / "uit.gpkg"
    write_layers(target, {"stations": _clean_layers()["stations"]})
    before = target.read_bytes()
    bad = pd.DataFrame({"a": [1], "b": [2]})
    bad.columns = ["a", "a"]
    with pytest.raises(ValueError, match="dubbel"):
        write_layers(target, {"stations": _clean_layers()["stations"], "kapot": bad})
    assert target.read_bytes() == before  # the old file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uit.gpkg"]  # and no temporary file is left


def test_atomic_write_success_and_failure(tmp_path):
    target = tmp_path / "kaart.html"
    with pytest.raises(RuntimeError), atomic_write(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []
    with atomic_write(target) as tmp:
        assert tmp.parent == target.parent and tmp.suffix == ".html" and tmp != target
        tmp.write_text("heel", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "heel"
    assert [p.name for p in tmp_path.iterdir()] == ["kaart.html"]


def test_write_csv_is_deterministic_dutch_and_reads_back(tmp_path):
    dev = _clean_layers()["developments"]
    first = write_csv(dev, tmp_path / "a.csv")
    second = write_csv(dev, tmp_path / "b.csv")
    raw = first.read_bytes()
    assert raw == second.read_bytes()
    assert b"\r\n" not in raw
    header = raw.decode("utf-8").splitlines()[0].split(",")
    assert header[:3] == ["ontwikkeling_id", "naam", "sector"] and header[-1] == "geometry"
    assert "POINT (51789 365199)" in raw.decode("utf-8")
    read = read_layer(first, "developments", crs="EPSG:28992")
    assert_two_developments(read)
    assert write_csv(dev, tmp_path / "c.csv", geometry="drop").read_text(encoding="utf-8").splitlines()[0].split(
        ",")[-1] == "bronrij"


# ------------------------------------------------------------------------------------------- unreadable


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("zero_bytes.gpkg", "developments", "leeg"),
        ("truncated.gpkg", "developments", "niet te lezen"),
        ("unknown_extension.dat", "developments", "onbekend bestandsformaat '.dat'"),
        ("unparsable.csv", "developments", "CSV niet te lezen"),
        ("zip_without_shp.zip", "developments", "geen shapefile"),
        ("whitespace_only.csv", "developments", "geen gegevens"),
        ("truncated.xlsx", "developments", "niet te lezen als Excel-werkmap"),
        # GDAL reads a truncated FlatGeobuf as an empty layer; its header still says 200 features.
        ("truncated.fgb", "developments", "afgebroken of beschadigd: de kop noemt 200 objecten, er zijn er 0"),
        ("truncated_shp.zip", "stations", "niet te lezen"),
        ("two_layers.gpkg", "developments", r"meerdere lagen \(plan_a, plan_b\)"),
        ("does_not_exist.gpkg", "developments", "niet gevonden"),
        # added for issue 17: documents that ask for unbounded work are refused before the work
        ("deep_nesting.json", "station_capacity", r"te diep genest \(meer dan 64 niveaus\)"),
        ("deep_nesting.yaml", "station_capacity", r"te diep genest \(meer dan 64 niveaus\)"),
        ("billion_laughs.yaml", "station_capacity", r"YAML-verwijzing \(\*alias\) op regel 3"),
    ],
)
def test_unreadable_sources_raise_read_error_naming_the_file(name, kind, message):
    with pytest.raises(ReadError, match=message) as info:
        read_layer(BAD / name, kind)
    assert name in str(info.value)


def test_refused_before_reading_when_too_big():
    # huge_points_shp.zip: 156 kB holding an 80 MB .shp (one MultiPoint of 5 million points). Reading it takes
    # about 3 × 80 MB; with 150 MB of address space left the reader refuses it before GDAL starts (which would
    # end in std::bad_alloc): one Dutch line, exit 2 (unreadable), no traceback.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _LIMITED, "150", "validate", str(BAD / "huge_points_shp.zip"),
                           "--kind", "stations"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.strip().startswith("Fout: ") and TOO_BIG["huge_points_shp.zip"] in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "80 MB" in done.stderr


def test_a_file_without_read_permission_is_one_dutch_line(tmp_path):
    # A CSV and a capaciteitskaart YAML the user may not read. Root reads anything, so as root the child runs
    # without the capabilities that override file permissions (util-linux setpriv).
    import os
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "geen_toegang"
    folder.mkdir()
    shutil.copy(BAD / "decimal_comma.csv", folder / "ontwikkelingen.csv")
    shutil.copy(DATA / "capaciteitskaart" / "im_capaciteitskaart_dso-20250120.yaml", folder / "capaciteit.yaml")
    for f in folder.iterdir():
        f.chmod(0)
    as_user = ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 \
        else []
    for name, kind in (("ontwikkelingen.csv", "developments"), ("capaciteit.yaml", "station_capacity")):
        done = subprocess.run([*as_user, sys.executable, "-m", "energieplanologie", "validate", str(folder / name),
                               "--kind", kind], capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert done.stderr.strip() == f"Fout: {folder / name}: bestand niet te lezen (geen toegang (rechten)).", \
            done.stderr


def test_other_unreadable_sources(tmp_path):
    (tmp_path / "kapot.xlsx").write_bytes(b"PK\x03\x04 niet echt")
    (tmp_path / "lijst.yaml").write_text("- a\n- b\n", encoding="utf-8")
    (tmp_path / "kapot.json").write_text('{"energy_areas": [', encoding="utf-8")
    (tmp_path / "leeg.csv").write_text("\n\n", encoding="utf-8")
    for name, message in [("kapot.xlsx", "Excel"), ("lijst.yaml", "geen capaciteitskaart"),
                          ("kapot.json", "ongeldige JSON"), ("leeg.csv", "geen gegevens")]:
        with pytest.raises(ReadError, match=message):
            read_layer(tmp_path / name, "station_capacity")
    with pytest.raises(ReadError, match="is een map"):
        read_layer(tmp_path, "developments")
    with pytest.raises(ValueError, match="Onbekende laagsoort"):
        read_layer(BAD / "no_crs.gpkg", "windmolens")


def test_capaciteitskaart_offers_only_capacity_and_infrastructure():
    with pytest.raises(ReadError, match="alleen station_capacity en infrastructure"):
        read_layer(DATA / "capaciteitskaart" / "im_capaciteitskaart_dso-20250120.yaml", "developments")


# ------------------------------------------------------------------------------------------- the corpus


@pytest.mark.parametrize("case", CORPUS, ids=str)
def test_corpus(case):
    kwargs = dict(case.kwargs)
    if isinstance(kwargs.get("stations"), str):  # a station layer holding this one short code (capaciteitskaart)
        kwargs["stations"] = gpd.GeoDataFrame({"station_id": ["TNZ"], "name": ["Terneuzen"],
                                               "short_code": [kwargs["stations"]]},
                                              geometry=[Point(RD["Terneuzen"])], crs=CRS_RD)
    data, report = read_layer(BAD / case.name, case.kind, **kwargs)
    text = report.to_text()
    assert accounted(report), text
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == case.counts, text
    assert len(data) == report.rows_kept
    assert by_code(report.errors) == case.errors, text
    repairs, warnings, notes = by_code(report.repairs), by_code(report.warnings), by_code(report.notes)
    for code, rows in case.repairs.items():
        assert repairs.get(code) == rows, (code, text)
    for code, rows in case.notes.items():
        assert notes.get(code) == rows, (code, text)
    # What the reader recognises as documented is never called a repair.
    assert not set(repairs) & set(notes), text
    for code, rows in case.warnings.items():
        assert warnings.get(code) == rows, (code, text)
    # Repairs and warnings about rows name the rows' ids (issue 17) when the layer has its key column.
    key = SCHEMAS[case.kind].key[0] if SCHEMAS[case.kind].key else None
    if key and key in data.columns and data[key].notna().all():
        for finding in report.repairs + report.warnings:
            kept = [r for r in finding.rows if r in set(data["source_row"])]
            if kept:
                assert finding.row_ids and len(finding.row_ids) == len(finding.rows), (finding.code, text)
    # Every rejected row is named by an error, and no kept row is.
    assert sorted(set(data["source_row"])) == sorted(set(range(report.rows_in)) - set(report.rejected_rows)) or (
        report.rows_kept == 0)
    assert set(SCHEMAS[case.kind].column_names) <= set(data.columns)


def test_corpus_table_covers_every_file():
    files = {p.name for p in BAD.iterdir() if p.is_file() and p.suffix != ".py"}
    listed = {c.name for c in CORPUS} | set(UNREADABLE) | set(TOO_BIG)
    assert files == listed
    assert len(files) >= 50


def test_corpus_details():
    # The suggestion for the near miss, the WKT value and the area named, the cp1252 text decoded.
    unknown = read_layer(BAD / "unknown_sector.csv", "developments").report
    # Dutch input (the file's other values are Dutch: 'opwek', 'Vergund'): the suggestion and the allowed values in
    # Dutch, and the message names the user's column, not the canonical one.
    assert (unknown.errors[0].value, unknown.errors[0].suggestion) == ("wonen", "woningbouw")
    assert "toegestaan: opwek, gebouwde_omgeving, woningbouw, mobiliteit" in unknown.errors[0].message
    assert "'Vergund '→committed" in " ".join(f.message for f in unknown.notes)
    wkt = read_layer(BAD / "bad_wkt.csv", "developments").report.errors[0]
    assert (wkt.column, wkt.value) == ("wkt", "POINT (61845 366552")
    area = read_layer(BAD / "capaciteitskaart_missing_capacity.yaml", "station_capacity")
    assert area.data.set_index("station_id")["offtake_capacity_mw"].isna().tolist() == [False, True]  # HLS 150
    unknown = [w for w in area.report.warnings if w.code == "capacity_unknown"][0]
    assert (unknown.column, unknown.rows) == ("offtake_capacity_mw", [1])
    data = read_layer(BAD / "cp1252.csv", "developments").data
    assert data.loc[0, "name"] == "Reeënweg zonneveld" and data.loc[0, "feedin_mw"] == 3.5
    merged = read_layer(BAD / "merged_header.xlsx", "developments").data
    assert merged[["development_id", "offtake_mw", "feedin_mw"]].values.tolist() == [["D1", 0.0, 12.5],
                                                                                      ["D2", 30.0, 0.0]]
    assert near(merged.geometry.iloc[0], "Axel", tol=1e-6)
    # Added for issue 10: the CRS the numbers look like, the M values gone, the values read.
    lonlat = read_layer(BAD / "wgs84_declared_rd.gpkg", "stations").report.errors
    assert {f.suggestion for f in lonlat} == {"EPSG:4326 (de coördinaten lijken lengte/breedte in graden)"}
    measured = read_layer(BAD / "m_geometries.gpkg", "stations").data
    assert not measured.geometry.has_z.any() and near(measured.geometry.iloc[0], "Terneuzen", tol=1e-6)
    assert read_layer(BAD / "thousands_separator.csv", "developments").data["offtake_mw"].tolist() == [
        1250.0, 2500.5, 1250.0, 1.25]
    assert read_layer(BAD / "nan_inf.geojson", "developments").data["feedin_mw"].tolist() == [0.0, 5.0]
    res = read_layer(BAD / "res_self_intersecting.gpkg", "developments").data
    # The bow tie becomes two triangles of 25 km² each (make_valid keeps the area); the square of 25 km² with
    # two holes (9 km² and 0.5 km², sharing an edge) keeps 25 − 9 = 16 km² (the small hole lies inside the big one).
    assert res.geom_type.tolist() == ["MultiPolygon", "Polygon"]
    assert res.area.round(-3).tolist() == [50_000_000.0, 16_000_000.0]
    fgb = read_layer(BAD / "year_as_float.fgb", "developments").report.errors[0]
    assert (fgb.row_id, fgb.value) == ("D2", 2030.5)
    works = read_layer(BAD / "capaciteitskaart_missing_fields.json", "station_capacity").data
    assert works[["station_id", "offtake_capacity_mw", "feedin_capacity_mw"]].fillna(-1).values.tolist() == [
        ["TNZ 150", 12.0, 40.0], ["SLS 50", -1, 8.0]]  # SLS 50: offtake capacity unknown (v1.2)
    # Added for issue 17: reading. UTF-16 text decoded; the formula named; merged cells spread; the NUL kept.
    utf16 = read_layer(BAD / "utf16_excel.csv", "developments")
    assert utf16.data["name"].tolist() == ["Reeënweg zonneveld", "Warmtenet Sas"]
    assert utf16.data[["feedin_mw", "offtake_mw"]].values.tolist() == [[3.5, 0.0], [0.0, 1.5]]
    formula = read_layer(BAD / "formula_without_value.xlsx", "developments").report.errors[0]
    assert (formula.row_id, formula.column, formula.value) == ("D2", "offtake_mw", "=2*10")
    assert "lege waarde" not in read_layer(BAD / "formula_without_value.xlsx", "developments").report.to_text()
    merged_cells = read_layer(BAD / "merged_data_cells.xlsx", "developments")
    assert merged_cells.data["sector"].tolist() == ["housing", "housing", "housing", "mobility"]
    assert "rijen 2 (ontwikkeling D2), 3 (D3)" in merged_cells.report.to_text()
    nul = read_layer(BAD / "nul_in_id.geojson", "developments").data
    assert nul["development_id"].tolist() == ["D17\ufffd-oud", "D17"]
    # Added for issue 17: schedules as text read or reported; 47,000 MW for one area warned.
    schedules = read_layer(BAD / "capaciteitskaart_schedule_text.yaml", "infrastructure", stations=gpd.GeoDataFrame(
        {"station_id": ["TNZ"], "name": ["Terneuzen"], "short_code": ["TNZ 150"]},
        geometry=[Point(RD["Terneuzen"])], crs=CRS_RD))
    assert schedules.data["year_ready"].tolist()[:2] == [2026, 2026] and pd.isna(schedules.data["year_ready"].iloc[2])
    assert "'2026/2027'" in schedules.report.to_text()


def test_dangling_station_is_rejected_by_the_region():
    municipalities, _ = validate(gpd.GeoDataFrame(
        {"municipality_code": ["GM0715"], "name": ["Terneuzen"]},
        geometry=[shapely.box(30000, 355000, 70000, 385000)], crs=CRS_RD), "municipalities")
    stations, _ = validate(gpd.GeoDataFrame({"station_id": ["TNZ"], "name": ["Terneuzen"]},
                                            geometry=[Point(RD["Terneuzen"])], crs=CRS_RD), "stations")
    capacity = read_layer(BAD / "dangling_station.csv", "station_capacity")
    region = Region.from_layers(name="test", municipalities=municipalities, stations=stations,
                                station_capacity=capacity.data, reports={"station_capacity": capacity.report},
                                validated=True)
    report = region.reports["station_capacity"]
    assert by_code(report.errors) == {"unknown_reference": [1]}
    assert report.errors[0].value == "XXX"
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (2, 1, 1)
    assert region.station_capacity["station_id"].tolist() == ["TNZ"]


def test_measured_geometries_in_memory_lose_their_m_values():
    # shapely ≥ 2.1 keeps M values; validate drops them like Z values (the analyses are 2D) and says which.
    frame = gpd.GeoDataFrame({"station_id": ["TNZ", "HLS", "AXL"], "name": ["Terneuzen", "Hulst", "Axel"]},
                             geometry=shapely.from_wkt([f"POINT M ({RD['Terneuzen'][0]} {RD['Terneuzen'][1]} 4)",
                                                        f"POINT ZM ({RD['Hulst'][0]} {RD['Hulst'][1]} 1 2)",
                                                        f"POINT ({RD['Axel'][0]} {RD['Axel'][1]})"]), crs=CRS_RD)
    clean, report = validate(frame, "stations")
    dropped = [f for f in report.repairs if f.code == "dropped_z"]
    assert len(dropped) == 1 and dropped[0].rows == [0, 1] and dropped[0].message == "Z- en M-waarden verwijderd (2D)"
    assert shapely.get_coordinate_dimension(clean.geometry.to_numpy()).tolist() == [2, 2, 2]
    assert not shapely.has_m(clean.geometry.to_numpy()).any()


def test_dangling_station_ids_of_developments_are_rejected_by_the_region():
    municipalities, _ = validate(gpd.GeoDataFrame(
        {"municipality_code": ["GM0715"], "name": ["Terneuzen"]},
        geometry=[shapely.box(30000, 355000, 70000, 385000)], crs=CRS_RD), "municipalities")
    stations, _ = validate(gpd.GeoDataFrame({"station_id": ["TNZ"], "name": ["Terneuzen"]},
                                            geometry=[Point(RD["Terneuzen"])], crs=CRS_RD), "stations")
    capacity, _ = validate(pd.DataFrame({"station_id": ["TNZ"], "year": [2025], "offtake_capacity_mw": [100.0]}),
                           "station_capacity")
    dev = read_layer(BAD / "dangling_station_developments.geojson", "developments")
    region = Region.from_layers(name="test", municipalities=municipalities, stations=stations,
                                station_capacity=capacity, developments=dev.data,
                                reports={"developments": dev.report}, validated=True)
    report = region.reports["developments"]
    assert by_code(report.errors) == {"unknown_reference": [1]}
    assert (report.errors[0].value, report.errors[0].row_id) == ("XXX", "D2")
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (2, 1, 1)
    assert region.developments["development_id"].tolist() == ["D1"]


def _load_corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", BAD / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.filterwarnings("ignore:Measured \\(M\\) geometry types are not supported:UserWarning")
def test_committed_corpus_matches_its_generator(tmp_path):
    written = _load_corpus_module().build(tmp_path)
    assert {p.name for p in written} == {p.name for p in BAD.iterdir() if p.is_file() and p.suffix != ".py"}
    for new in written:
        old = BAD / new.name
        if new.suffix in (".csv", ".geojson", ".yaml", ".dat"):
            assert new.read_bytes() == old.read_bytes(), new.name
        elif new.suffix == ".gpkg" and new.stat().st_size and new.name != "truncated.gpkg":
            layers = [str(n) for n in pyogrio.list_layers(new)[:, 0]]
            assert layers == [str(n) for n in pyogrio.list_layers(old)[:, 0]], new.name
            for layer in layers:
                a, b = pyogrio.read_dataframe(new, layer=layer), pyogrio.read_dataframe(old, layer=layer)
                pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))
        elif new.suffix in (".xlsx", ".zip") and not new.name.startswith("truncated"):
            with zipfile.ZipFile(new) as za, zipfile.ZipFile(old) as zb:
                assert za.namelist() == zb.namelist()
                assert all(za.read(n) == zb.read(n) for n in za.namelist()), new.name
        elif new.suffix == ".fgb" and not new.name.startswith("truncated"):
            a, b = pyogrio.read_dataframe(new), pyogrio.read_dataframe(old)
            pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))
        else:  # zero bytes, or cut from a whole file: as long as the one committed
            assert new.stat().st_size == old.stat().st_size, new.name


def test_reader_warnings_become_report_warnings(tmp_path):
    # A GeoJSON property holding both numbers and text: GDAL reads it as text and pyogrio warns that it could
    # not parse it as JSON. That warning is kept in the report, not raised.
    path = tmp_path / "stations.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"station_id": "A", "naam": "a", "extra": 1},'
        ' "geometry": {"type": "Point", "coordinates": [3.8279, 51.3358]}},'
        '{"type": "Feature", "properties": {"station_id": "B", "naam": "b", "extra": "x"},'
        ' "geometry": {"type": "Point", "coordinates": [4.0520, 51.2806]}}]}', encoding="utf-8")
    data, report = read_layer(path, "stations")
    assert report.ok and report.rows_kept == 2
    assert report.codes("warning") == ["reader_warning"]
    assert "extra" in report.notes[-1].message  # no stations column: kept, and noted once (unknown_columns)
    assert "extra" in report.warnings[0].message
    assert data["extra"].tolist() == ["1", "x"]


def test_suggestions_follow_the_language_and_messages_name_the_users_column(tmp_path):
    # English values and headers: an English suggestion and the canonical values listed.
    english = tmp_path / "english.csv"
    english.write_text("development_id,name,sector,year,certainty,offtake_mw,x,y\n"
                       "D1,Homes,housng,2030,planned,3,51789,365199\n"
                       "D2,Solar,renewables,2030,planned,-2,61845,366552\n", encoding="utf-8")
    report = read_layer(english, "developments").report
    sector = next(f for f in report.errors if f.column == "sector")
    assert sector.suggestion == "housing" and "toegestaan: renewables, built_environment, housing" in sector.message
    power = next(f for f in report.errors if f.column == "offtake_mw")
    assert power.source_column is None and power.to_text().startswith("rij 2, id D2, kolom offtake_mw:")
    # Dutch headers: the negative power is reported under the user's own column name, the canonical one beside it.
    dutch = tmp_path / "dutch.csv"
    dutch.write_text("id;naam;sector;jaar;zekerheid;afname_mw;x;y\n"
                     "D1;Woningen;woningbouwe;2030;vastgesteld;3;51789;365199\n"
                     "D2;Zon;opwek;2030;vastgesteld;-2;61845;366552\n", encoding="utf-8")
    report = read_layer(dutch, "developments").report
    sector = next(f for f in report.errors if f.column == "sector")
    assert sector.suggestion == "woningbouw"
    power = next(f for f in report.errors if f.column == "offtake_mw")
    assert power.source_column == "afname_mw"
    assert power.to_text().startswith("rij 2, id D2, kolom afname_mw (offtake_mw): negatieve waarde")
    # The JSON the QGIS plugin reads carries it too.
    assert {e["column"]: e["source_column"] for e in report.to_dict()["errors"]}["offtake_mw"] == "afname_mw"


def test_formula_in_a_row_the_geometry_already_rejected(tmp_path):
    # Found by tests/test_fuzz.py: row d3 has the WKT '0' (no geometry: rejected while building the geometry) and a
    # formula without a stored result in another column. The row is rejected once, for its geometry; the formula
    # check no longer looks it up by position in the shorter frame (IndexError before).
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["development_id", "name", "sector", "offtake_mw", "feedin_mw", "year", "certainty", "wkt", "opmerking"])
    for i in range(4):
        ws.append([f"d{i}", "n", "housing", 1, 0, 2030, "committed",
                   "POINT (10000 355000)" if i < 3 else "0", "=S1" if i == 3 else None])
    wb.save(tmp_path / "ontwikkelingen.xlsx")
    read = read_layer(tmp_path / "ontwikkelingen.xlsx", "developments", crs="EPSG:28992")
    assert read.data["development_id"].tolist() == ["d0", "d1", "d2"]
    assert read.report.rows_in == 4 and read.report.rows_rejected == 1
    assert [f.column for f in read.report.errors] == ["wkt"]  # one reason: its geometry, in the user's column
