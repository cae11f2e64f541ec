"""CSV formula injection: text from data never starts a formula in a CSV (or workbook) the package writes.

The whole pipeline runs on the sample region with names replaced by the classic payloads (OWASP, "CSV
Injection"): ``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``, ``@SUM(…)``, ``-2+3+cmd|…``, and text starting with a
tab or a carriage return. Every CSV in the output folder — the station balance, the project list, the afweging
and its reasons and overrides, the comparison of two rounds, the variants — is parsed with the standard
library's reader, as a spreadsheet program would: no cell starts a formula, every payload is there behind a
``'``, and numbers (negative ones included) are still plain numbers. The workbook holds the same names as text
cells with Excel's quote prefix.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from energieplanologie._cells import FORMULA_STARTS
from energieplanologie.diff import diff_rounds
from energieplanologie.diff_report import write_diff
from energieplanologie.io import write_csv
from energieplanologie.pipeline import GPKG_NAME, run_pipeline
from energieplanologie.region import Region
from energieplanologie.sample import load_sample, sample_settings

pytestmark = pytest.mark.slow

PAYLOADS = [
    '=HYPERLINK("http://example.invalid/?x="&A1,"klik")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=2+2",
]
#: Stations renamed (one payload each, the rest twice over): their names fill a column of stationsbalans.csv.
STATIONS = ["OBG", "TNZ", "SKL", "WDO", "HST", "SLU"]
PROJECTS = ["P01", "P02", "P03", "P04", "P05", "P06"]


def _formula(cell: str) -> bool:
    """What a spreadsheet program runs: a cell starting with a formula character that is not a plain number."""
    if not cell.startswith(FORMULA_STARTS):
        return False
    try:
        float(cell)
        return False
    except ValueError:
        return True


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sample = load_sample()
    stations = sample.stations.copy()
    stations["name"] = stations["station_id"].map(dict(zip(STATIONS, PAYLOADS, strict=True))).fillna(stations["name"])
    infra = sample.infrastructure.copy()
    infra["name"] = infra["project_id"].map(dict(zip(PROJECTS, PAYLOADS, strict=True))).fillna(infra["name"])
    infra["parties"] = PAYLOADS[1]
    dev = sample.developments.copy()
    dev.loc[dev.index[:len(PAYLOADS)], "name"] = PAYLOADS
    region = Region.from_layers(name=PAYLOADS[2], municipalities=sample.municipalities, stations=stations,
                                station_capacity=sample.station_capacity, infrastructure=infra, developments=dev,
                                constraints=sample.constraints, years=sample.years)
    assert region.ok
    folder = tmp_path_factory.mktemp("csv") / "uitvoer"
    run_pipeline(region, folder, settings=sample_settings(), pdf=False)
    # a comparison of two rounds (verschillen.csv): in the old round every project was due a year later
    infra_old = pyogrio.read_dataframe(folder / GPKG_NAME, layer="infrastructuur")
    infra_old["jaar_gereed"] = infra_old["jaar_gereed"] + 1
    old = folder.parent / "vorige.gpkg"
    pyogrio.write_dataframe(infra_old, old, layer="infrastructuur")
    write_diff(diff_rounds(old, folder / GPKG_NAME), folder / "verschillen")
    return folder


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_no_csv_cell_starts_a_formula_and_every_payload_is_kept_behind_a_quote(out):
    files = sorted(out.rglob("*.csv"))
    names = {p.relative_to(out).as_posix() for p in files}
    assert {"stationsbalans.csv", "pmiek/projectenlijst.csv", "pmiek/afweging.csv", "pmiek/afweging_redenen.csv",
            "pmiek/afweging_overschrijvingen.csv", "verschillen/verschillen.csv"} <= names
    seen: dict[str, set[str]] = {}
    for path in files:
        rows = _cells(path)
        live = [(i, cell) for i, row in enumerate(rows) for cell in row if _formula(cell)]
        assert not live, f"{path.relative_to(out)}: formule in rij {live[0][0]}: {live[0][1]!r}"
        seen[path.relative_to(out).as_posix()] = {cell for row in rows for cell in row}
    quoted = {"'" + p.strip() for p in PAYLOADS}  # validation strips the leading tab and carriage return
    # the station names: every row of the six renamed stations holds its name, neutralised
    balance = _cells(out / "stationsbalans.csv")
    column = balance[0].index("stationsnaam")
    hostile = [row[column] for row in balance[1:] if row[column] in quoted]
    # six stations × 3 scenarios × 4 years × 2 directions (each station has both directions in the sample)
    assert len(hostile) == 6 * 3 * 4 * 2
    assert quoted <= seen["pmiek/projectenlijst.csv"]
    assert quoted <= seen["pmiek/afweging.csv"]
    assert any(cell.startswith("'=HYPERLINK") for cell in seen["verschillen/verschillen.csv"])


def test_numbers_stay_numbers(out):
    balance = pd.read_csv(out / "stationsbalans.csv")
    assert pd.api.types.is_float_dtype(balance["ruimte_mw"])
    assert (balance["ruimte_mw"] < 0).any()  # negative headroom (shortage) written as -12.3, not '-12.3
    raw = (out / "stationsbalans.csv").read_text(encoding="utf-8")
    assert ",-" in raw and ",'-" not in raw.replace("'-2+3", "")


def test_write_csv_neutralises_text_but_not_numbers_or_numeric_text(tmp_path):
    frame = pd.DataFrame({"naam": ["=1+1", "-5.2", "+31", "Sluis", "@x", "-", None, "\tx", "\r=1"],
                          "ruimte_mw": [-5.2, 1.0, -0.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
                          "=kop": ["a"] * 9})
    text = write_csv(frame, tmp_path / "x.csv", dutch_headers=False).read_bytes().decode("utf-8")
    # a carriage return in a cell is written as a line feed, inside quotes (a lone CR would end the row)
    assert text.split("\n") == ["naam,ruimte_mw,'=kop", "'=1+1,-5.2,a", "-5.2,1.0,a", "+31,-0.5,a", "Sluis,2.0,a",
                                "'@x,3.0,a", "'-,4.0,a", ",5.0,a", "'\tx,6.0,a", "\"'", "=1\",7.0,a", ""]


def test_the_workbook_keeps_the_names_as_text_cells(out):
    from openpyxl import load_workbook

    ws = load_workbook(out / "pmiek" / "projectenlijst.xlsx").active
    names = {p.strip() for p in PAYLOADS}  # as validated
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value in names]
    assert {c.value for c in cells} == names  # the text exactly as it is, no quote added
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
