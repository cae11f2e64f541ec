"""Text from data in every output: escaped in every HTML page, never a formula in the workbook, and file names
derived from data that never leave the output folder.

The whole pipeline runs once on the sample region with its names and ids replaced by hostile ones: markup
(``<img src=x onerror=alert(1)>``, ``"><script>…</script>``, a single-quote attribute break-out), template code
(``{{ 7*7 }}``, and ``{{ 111*111 }}`` whose evaluation, 12321, would be visible), a spreadsheet formula, and ids
that are paths (``../../etc/passwd``, ``P/01``, ``..``, ``a\\b``), reserved Windows names (``CON``, ``NUL``),
a NUL character, 300 characters, ids that differ only in case, and ``'s-Hertogenbosch`` as a municipality code.
A diff page between that round and a changed copy of it is written too.

Checked statically on every ``.html`` file (stdlib :mod:`html.parser`): no hostile tag or attribute exists in
the parsed document, script blocks only hold the payloads JSON-escaped, template code stays text, every local
link resolves; and the payloads *are* on the pages (escaped), so the pages were really exercised. What a browser
does with the interactive map is checked in Chromium in ``tests/browser/test_map_browser.py``.
"""

from __future__ import annotations

import html.parser
import os
import re
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from energieplanologie.diff import diff_rounds
from energieplanologie.diff_report import write_diff
from energieplanologie.pipeline import GPKG_NAME, run_pipeline
from energieplanologie.region import Region
from energieplanologie.sample import load_sample

pytestmark = pytest.mark.slow

IMG = "<img src=x onerror=alert(1)>"
BREAKOUT = '"><script>window.__pwned=1</script>'
CLOSE_SCRIPT = "</script><script>window.__pwned=2</script>"
SINGLE_QUOTE = "' onmouseover='window.__pwned=3"
TEMPLATE = "{{ 7*7 }}"
TEMPLATE_SEEN = "{{ 111*111 }}"  # evaluated it would read 12321
FORMULA = '=HYPERLINK("http://example.invalid","klik")'
REGION_NAME = f'Regio {BREAKOUT} {TEMPLATE_SEEN}'

MUNICIPALITIES = {  # code → (hostile code, hostile name)
    "GM0677": ("'s-Hertogenbosch", IMG),
    "GM0715": ("../../GM0715", BREAKOUT),
    "GM1714": ("CON", f"{TEMPLATE} {TEMPLATE_SEEN} 's-Hertogenbosch"),
}
STATIONS = {"TNZ": "../TNZ", "OBG": "OBG/150", "SKL": "..", "WDO": "a\\b", "H2SK": "NUL", "BRK": "aux",
            "HST": IMG, "KWT": TEMPLATE, "SLU": "sl", "AXL": "SL"}
STATION_NAMES = {"OBG": BREAKOUT, "TNZ": SINGLE_QUOTE, "SKL": TEMPLATE_SEEN, "WDO": CLOSE_SCRIPT}
PROJECTS = {"P01": "P/01", "P02": "..", "P03": "../../etc/passwd", "P04": "a\\b", "P05": "p-a", "P06": "P-A",
            "P07": "CON", "P08": "x\x00y", "P09": "Z" * 300, "P10": IMG, "P11": "COM1"}  # P11: the flex asset
PROJECT_NAMES = {"P01": IMG, "P02": BREAKOUT, "P03": TEMPLATE, "P04": FORMULA, "P05": TEMPLATE_SEEN,
                 "P06": SINGLE_QUOTE, "P07": CLOSE_SCRIPT}

#: Raw markup that must never reach a page unescaped.
RAW_PAYLOADS = (IMG, "<script>window.__pwned", "onmouseover='window", "12321")


def hostile_region() -> Region:
    sample = load_sample()
    codes = {k: v[0] for k, v in MUNICIPALITIES.items()}
    mun = sample.municipalities.copy()
    mun["name"] = mun["municipality_code"].map({k: v[1] for k, v in MUNICIPALITIES.items()})
    mun["municipality_code"] = mun["municipality_code"].map(codes)
    mun["province"] = CLOSE_SCRIPT

    def station(s: pd.Series) -> pd.Series:
        return s.map(lambda v: STATIONS.get(v, v) if isinstance(v, str) else v)

    stations = sample.stations.copy()
    stations["name"] = stations["station_id"].map(STATION_NAMES).fillna(stations["name"])
    stations["operator"] = IMG
    stations["station_id"] = station(stations["station_id"])
    capacity = sample.station_capacity.assign(station_id=lambda d: station(d["station_id"]))
    infra = sample.infrastructure.copy()
    infra["name"] = infra["project_id"].map(PROJECT_NAMES).fillna(infra["name"])
    infra["description"] = f"{BREAKOUT} {TEMPLATE_SEEN}"
    infra["parties"] = f"{IMG}; {SINGLE_QUOTE}"
    infra["project_id"] = infra["project_id"].map(PROJECTS)
    infra["station_id"] = station(infra["station_id"])
    dev = sample.developments.copy()
    dev["station_id"] = station(dev["station_id"])
    dev["municipality_code"] = dev["municipality_code"].map(codes)
    dev.loc[dev.index[:4], "name"] = [IMG, BREAKOUT, TEMPLATE_SEEN, SINGLE_QUOTE]
    dev.loc[dev.index[4], "development_id"] = CLOSE_SCRIPT
    constraints = sample.constraints.assign(name=[IMG, BREAKOUT, TEMPLATE_SEEN, SINGLE_QUOTE])
    # Run without the sample's settings: its judgements name P01 … (the knooppunten defaults are the sample's).
    return Region.from_layers(name=REGION_NAME, municipalities=mun, stations=stations, station_capacity=capacity,
                              infrastructure=infra, developments=dev, constraints=constraints, years=sample.years)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The full pipeline (with PDFs) on the hostile region, and a diff page against a changed copy of its round."""
    base = tmp_path_factory.mktemp("kwaadaardig")
    out = base / "uitvoer"
    region = hostile_region()
    assert region.ok, region.validation_text()  # hostile text is valid data: nothing rejected
    written = run_pipeline(region, out, pdf=True, charts="all")  # a chart for every hostile station name
    new = out / GPKG_NAME
    old = base / "vorige_ronde.gpkg"
    infra = pyogrio.read_dataframe(new, layer="infrastructuur")
    infra = infra[~infra["project_id"].isin([PROJECTS["P01"], PROJECTS["P10"]])]  # "added" in the new round
    infra.loc[infra["project_id"] == PROJECTS["P02"], "kosten_meur"] = 1.0  # "re-planned"
    pyogrio.write_dataframe(infra, old, layer="infrastructuur")
    balance = pyogrio.read_dataframe(new, layer="stationsbalans")
    balance["tekort_mw"] = balance["tekort_mw"].fillna(0) + 7.0  # every station "shortage changed"
    pyogrio.write_dataframe(balance, old, layer="stationsbalans")
    assessment = pyogrio.read_dataframe(new, layer="afweging", read_geometry=False)
    pyogrio.write_dataframe(assessment, old, layer="afweging")
    written += write_diff(diff_rounds(old, new), out / "verschillen")
    return {"base": base, "out": out, "written": written, "region": region}


class Page(html.parser.HTMLParser):
    """Tags, attributes, script blocks and text of one page, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def parse(path: Path) -> tuple[str, Page]:
    raw = path.read_text(encoding="utf-8")
    page = Page()
    page.feed(raw)
    page.close()
    return raw, page


def html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_every_page_keeps_data_as_text(run):
    pages = html_files(run["out"])
    # kaart.html, the index and three pages of the municipalities, index and eleven project sheets (P01–P10 and
    # the flex asset P11), the diff page.
    assert len(pages) == 1 + 4 + 12 + 1, [p.relative_to(run["out"]) for p in pages]
    for path in pages:
        raw, page = parse(path)
        where = str(path.relative_to(run["out"]))
        for payload in RAW_PAYLOADS:
            assert payload not in raw, (where, payload)
        for tag, attrs in page.tags:
            # No element came from data: no <img> with an event handler, no attribute a payload opened.
            assert not (tag == "img" and "onerror" in attrs), where
            for name, value in attrs.items():
                assert not name.startswith("on") or "__pwned" not in (value or "") and "alert" not in (value or ""), (
                    where, name, value)
                assert "pwned" not in name and "hertogenbosch" not in name and "alert" not in name, (where, name)
                if name in ("href", "src"):
                    assert not (value or "").strip().lower().startswith("javascript:"), (where, value)
        for script in page.scripts:
            # Inside <script> a payload may only exist escaped (JSON \u003c/\u0027, or HTML entities of a popup
            # inside JSON): no raw "'" before it (a closed JS string), no bare '"', no raw '<' (RAW_PAYLOADS above).
            # A raw '>' is text: with every '<' escaped no tag is open for it to close.
            assert not re.search(r"'window\.__pwned", script), where
            assert not re.search(r'(?<!\\)"(\\u003e|\\u0026gt;|>|&gt;)(\\u003c|\\u0026lt;|<|&lt;)script', script), where
            assert "</script" not in script.lower(), where
        # Template code stays text: '{{' survives (as is, or as \u007b{ inside JSON) and is never evaluated.
        assert "12321" not in "".join(page.text) + "".join(page.scripts), where


@pytest.mark.parametrize(("page", "shown"), [
    ("gemeenten/index.html", [IMG, BREAKOUT, TEMPLATE, TEMPLATE_SEEN, REGION_NAME]),
    ("gemeenten/*CON-*.html", [IMG, BREAKOUT, SINGLE_QUOTE, TEMPLATE, TEMPLATE_SEEN]),
    ("pmiek/fiches/index.html", [IMG, BREAKOUT, SINGLE_QUOTE, CLOSE_SCRIPT, TEMPLATE, TEMPLATE_SEEN]),
    ("verschillen/verschillen.html", [IMG, BREAKOUT, SINGLE_QUOTE, CLOSE_SCRIPT, "../TNZ"]),
])
def test_payloads_are_on_the_pages_as_text(run, page, shown):
    # The tests above prove nothing if the hostile text never reached the pages: here it is, as visible text.
    (path,) = run["out"].glob(page)
    text = "".join(parse(path)[1].text)
    for payload in shown:
        assert payload in text, (page, payload)


def test_payloads_are_in_the_map_data_escaped(run):
    raw = (run["out"] / "kaart.html").read_text(encoding="utf-8")
    # Popups and tooltips are HTML inside JSON: HTML-escaped, then JSON-escaped ('&' as \u0026, '<' as \u003c).
    for shown in ("\\u0026lt;img src=x onerror=alert(1)\\u0026gt;", "\\u0026#x27; onmouseover=\\u0026#x27;window",
                  '\\">\\u003cscript>window.__pwned=1', "\\u003c/script>\\u003cscript>window.__pwned=2",
                  "\\u007b{ 111*111 }}"):
        assert shown in raw, shown


def test_project_sheets_show_hostile_names_as_text(run):
    fiches = run["out"] / "pmiek" / "fiches"
    texts = {p.name: "".join(parse(p)[1].text) for p in fiches.glob("*.html") if p.name != "index.html"}
    shown = "\n".join(texts.values())
    for name in (IMG, BREAKOUT, SINGLE_QUOTE, CLOSE_SCRIPT, TEMPLATE, TEMPLATE_SEEN, FORMULA):
        assert name in shown, name  # the visible text of the sheets holds every name exactly


def test_file_names_from_data_stay_inside_and_are_portable(run):
    out, base = run["out"], run["base"]
    # Nothing was written beside the output folder (the diff's old round is the test's own file).
    assert sorted(p.name for p in base.iterdir()) == ["uitvoer", "vorige_ronde.gpkg"]
    root = out.resolve()
    files = [p for p in out.rglob("*") if p.is_file()]
    for p in [*files, *run["written"]]:
        assert p.resolve().is_relative_to(root) and not p.is_symlink(), p
    portable = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
    reserved = re.compile(r"(?i)(con|prn|aux|nul|com\d|lpt\d)(\..*)?")
    for folder in {p.parent for p in files}:
        names = [p.name for p in folder.iterdir()]
        # Windows and macOS ignore case: no two files of one folder may differ only in case.
        assert len({n.casefold() for n in names}) == len(names), sorted(names)
        for name in names:
            assert portable.fullmatch(name) and not reserved.fullmatch(name), name
            assert len(name.encode("utf-8")) <= 120, name
    # One sheet per project, the case pair and the NUL id included; one chart per station; one page per code.
    fiches = [p for p in (out / "pmiek" / "fiches").glob("*.html") if p.name != "index.html"]
    assert len(fiches) == len(PROJECTS)
    assert len(list((out / "stationsgrafieken").glob("*.png"))) == len(run["region"].stations)
    assert len(list((out / "gemeenten").glob("*.html"))) == len(MUNICIPALITIES) + 1


def test_local_links_resolve(run):
    """Sanitised names are the same wherever they are used: every local link finds its file."""
    out = run["out"]
    for path in html_files(out):
        raw, page = parse(path)
        targets = [a.get("href") or a.get("src") for _, a in page.tags]
        # Municipality links inside the map's popups live in (JSON-escaped) script data.
        targets += re.findall(r'href=\\?"([A-Za-z0-9_./-]+\.html)\\?"', raw)
        for target in targets:
            if not target or re.match(r"^(https?:|data:|#|mailto:|javascript:)", target) or "{" in target:
                continue
            assert (path.parent / target.split("#")[0]).resolve().is_file(), (path.relative_to(out), target)


def test_projectenlijst_holds_no_live_formula(run):
    from openpyxl import load_workbook

    ws = load_workbook(run["out"] / "pmiek" / "projectenlijst.xlsx").active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert FORMULA in [c.value for c in cells]  # the project name is kept as the text it is


def test_hostile_ids_survive_in_the_geopackage(run):
    """Escaping is for display only: the data itself keeps every id and name exactly. Only a NUL character cannot
    be stored (GDAL would silently cut 'x\\x00y' to 'x'): it is written as U+FFFD, visibly."""
    infra = pyogrio.read_dataframe(run["out"] / GPKG_NAME, layer="infrastructuur", read_geometry=False)
    expected = {v.replace("\x00", "\ufffd") for v in PROJECTS.values()}
    assert set(infra["project_id"]) == expected
    assert set(infra["naam"]) >= set(PROJECT_NAMES.values())
    names = set(pyogrio.read_dataframe(run["out"] / GPKG_NAME, layer="gemeenten", read_geometry=False)["naam"])
    assert names == {v[1] for v in MUNICIPALITIES.values()}


def test_os_has_no_say_in_file_names(run):
    # The same run on Windows would find the same names: none contains a path separator of any OS.
    for p in run["out"].rglob("*"):
        assert os.sep not in p.name and "\\" not in p.name and ":" not in p.name
