"""Which municipality pages and project sheets a run writes (``output_choice``, ``run``/``demo --gemeenten --fiches``):
all of them for a province, none beyond that unless asked, those that matter most or any on request."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

import energieplanologie as ep
from energieplanologie._errors import ConfigError
from energieplanologie.output_choice import (
    PAGE_CHOICES,
    municipality_page_codes,
    parse_choice,
    project_sheet_ids,
)


@pytest.fixture
def four_municipalities():
    mun = pd.DataFrame({"municipality_code": ["GM4", "GM3", "GM2", "GM1"]})
    # Station A's largest shortage is 5 MW, B's 2 MW (its 1 MW year does not count), C has none.
    balance = pd.DataFrame({"station_id": ["A", "A", "B", "B", "C"],
                            "shortage_mw": [5.0, 3.0, 1.0, 2.0, 0.0]})
    # GM1 → B; GM2 → A twice (counted once); GM3 → nothing allocated; GM4 → C and B.
    allocation = pd.DataFrame({"municipality_code": ["GM1", "GM2", "GM2", "GM3", "GM4", "GM4"],
                               "station_id": ["B", "A", "A", None, "C", "B"]})
    return mun, balance, allocation


def test_every_municipality_up_to_the_limit_none_beyond_and_the_largest_shortages_on_request(four_municipalities):
    mun, balance, allocation = four_municipalities
    # Up to the limit (a province) every municipality, sorted by code; beyond it none unless asked.
    assert municipality_page_codes(mun, balance, allocation, limit=4) == ["GM1", "GM2", "GM3", "GM4"]
    assert municipality_page_codes(mun, balance, allocation, limit=3) == []
    # "shortage" sums: GM2 5 MW, GM1 2 MW, GM4 0 + 2 = 2 MW (tie with GM1: by code), GM3 0 MW.
    assert municipality_page_codes(mun, balance, allocation, "shortage", limit=1) == ["GM2"]
    assert municipality_page_codes(mun, balance, allocation, "shortage", limit=2) == ["GM1", "GM2"]
    # GM3 has no shortage: not chosen even when there is room.
    assert municipality_page_codes(mun, balance, allocation, "shortage", limit=3) == ["GM1", "GM2", "GM4"]
    assert municipality_page_codes(mun, balance, allocation, "shortage", limit=4) == ["GM1", "GM2", "GM4"]
    assert municipality_page_codes(mun, balance, allocation, "all", limit=1) == ["GM1", "GM2", "GM3", "GM4"]
    assert municipality_page_codes(mun, balance, allocation, "none") == []
    assert municipality_page_codes(mun, balance, allocation, ["GM3", "GM1", "GM3"]) == ["GM1", "GM3"]


def test_unknown_municipalities_and_words_are_named(four_municipalities):
    mun, balance, allocation = four_municipalities
    with pytest.raises(ConfigError, match="gemeente 'GM9' komt niet voor in de regio"):
        municipality_page_codes(mun, balance, allocation, ["GM1", "GM9"])
    with pytest.raises(ConfigError, match="onbekende keuze voor de gemeentepagina's: 'sommige'"):
        municipality_page_codes(mun, balance, allocation, "sommige")


def test_project_sheets_in_rank_order():
    table = pd.DataFrame({"project_id": ["P1", "P2", "P3", "P4"], "rank": [3, 1, 1, 4]})
    # Rank order, ties in table order: P2, P3 (both 1), P1, P4.
    assert project_sheet_ids(table) == ["P2", "P3", "P1", "P4"]
    assert project_sheet_ids(table, limit=3) == []  # beyond a provincial pMIEK: on request
    assert project_sheet_ids(table, "top", limit=3) == ["P2", "P3", "P1"]
    assert project_sheet_ids(table, "top") == ["P2", "P3", "P1", "P4"]
    assert project_sheet_ids(table, ["P4", "P2"]) == ["P2", "P4"]
    assert project_sheet_ids(table, "all", limit=1) == ["P2", "P3", "P1", "P4"]
    with pytest.raises(ConfigError, match="project 'P9' komt niet voor"):
        project_sheet_ids(table, ["P9"])


def test_parse_choice_words_lists_and_nothing():
    assert parse_choice(" GEEN ", PAGE_CHOICES, option="gemeenten", what="gemeentecodes") == "none"
    assert parse_choice("GM2, GM1,GM2", PAGE_CHOICES, option="gemeenten", what="gemeentecodes") == ["GM2", "GM1"]
    with pytest.raises(ConfigError, match="--gemeenten: kies auto, tekort, alle, geen of noem gemeentecodes"):
        parse_choice(" , ", PAGE_CHOICES, option="gemeenten", what="gemeentecodes")


def test_the_sample_beyond_a_limit_of_two(monkeypatch, caplog):
    import energieplanologie.output_choice as choice
    from energieplanologie.pipeline import analyse, page_codes, sheet_ids

    result = analyse(ep.load_sample())
    assert page_codes(result) == (["GM0677", "GM0715", "GM1714"], "")  # 3 municipalities: all
    monkeypatch.setattr(choice, "PAGE_LIMIT", 2)
    monkeypatch.setattr(choice, "SHEET_LIMIT", 2)
    logger = logging.getLogger("energieplanologie")
    monkeypatch.setattr(logger, "propagate", True)
    with caplog.at_level(logging.WARNING, logger="energieplanologie"):
        assert page_codes(result) == ([], "bij meer dan 2 gemeenten alleen op verzoek")  # 3 > 2: on request
        assert sheet_ids(result) == []
    assert ("3 gemeenten, meer dan een provincie (2): gemeentepagina's op verzoek; kies --gemeenten tekort (de 2 "
            "met het grootste tekort)") in caplog.text
    assert "11 projecten, meer dan een provinciaal pMIEK (2): projectfiches op verzoek; kies --fiches top" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="energieplanologie"):
        codes, note = page_codes(result, "shortage")
        sheets = sheet_ids(result, "top")
    # Largest shortages in verwacht: SKL 30.8, TNZ 28.5, WDO 25.2, HST 10.0 MW. Terneuzen (GM0715) is served by
    # SKL, TNZ and WDO (84.5 MW), Sluis (GM1714) by TNZ (28.5 MW), Hulst (GM0677) by HST (10.0 MW).
    assert codes == ["GM0715", "GM1714"]
    assert note == "de 2 met het grootste tekort (hoogstens 2)"
    assert sheets == ["P01", "P03"]  # rank 1 and the first of rank 2
    assert caplog.text == ""  # asked for: no notice


def test_beyond_a_province_the_indexes_say_the_pages_and_sheets_are_on_request(tmp_path: Path, monkeypatch):
    import energieplanologie.output_choice as choice
    from energieplanologie.pipeline import analyse, write_outputs

    monkeypatch.setattr(choice, "PAGE_LIMIT", 2)
    monkeypatch.setattr(choice, "SHEET_LIMIT", 10)
    out = tmp_path / "uit"
    write_outputs(analyse(ep.load_sample()), out, pdf=False, charts="none")
    assert sorted(p.name for p in (out / "gemeenten").iterdir()) == ["index.html"]
    index = (out / "gemeenten" / "index.html").read_text(encoding="utf-8")
    assert index.count("pagina op verzoek") == 3
    assert "0 van de 3 gemeenten hebben hier een pagina: bij meer dan 2 gemeenten alleen op verzoek." in index
    assert "<code>--gemeenten tekort</code> voor de gemeenten met het grootste tekort" in " ".join(index.split())
    assert sorted(p.name for p in (out / "pmiek" / "fiches").iterdir()) == ["index.html"]
    fiches = (out / "pmiek" / "fiches" / "index.html").read_text(encoding="utf-8")
    assert fiches.count("<td>op verzoek</td>") == 11 and "0 van de 11 projecten hebben hier een fiche" in fiches
    assert "<code>--fiches top</code> voor de hoogst gerangschikte" in fiches
    assert "gemeenten/GM0715.html" not in (out / "kaart.html").read_text(encoding="utf-8")


def test_the_output_folder_has_pages_and_sheets_for_the_chosen_only(tmp_path: Path):
    from energieplanologie.pipeline import analyse, write_outputs

    result = analyse(ep.load_sample())
    out = tmp_path / "uit"
    written = write_outputs(result, out, pdf=False, charts="none", pages=["GM0715"], sheets=["P03"])
    pages = sorted(p.name for p in (out / "gemeenten").iterdir())
    assert pages == ["GM0715.html", "GM0715.json", "GM0715.png", "index.html"]
    index = (out / "gemeenten" / "index.html").read_text(encoding="utf-8")
    assert index.count("pagina op verzoek") == 2  # Hulst and Sluis are listed, without a page
    assert 'href="GM0715.html"' in index and "GM0677.html" not in index and "Hulst" in index
    assert "1 van de 3 gemeenten heeft hier een pagina: de gekozen gemeenten." in index
    # The maps link to the one page there is; the others' popups say how to make theirs.
    region_map = (out / "kaart.html").read_text(encoding="utf-8")
    assert "gemeenten/GM0715.html" in region_map and "gemeenten/GM0677.html" not in region_map
    assert "--gemeenten GM0677" in region_map and "--gemeenten GM1714" in region_map
    page = (out / "gemeenten" / "GM0715.html").read_text(encoding="utf-8")
    assert "GM0677.html" not in page and "--gemeenten GM0677" in page
    assert sorted(p.name for p in (out / "pmiek" / "fiches").iterdir()) == ["P03.html", "index.html"]
    fiches = (out / "pmiek" / "fiches" / "index.html").read_text(encoding="utf-8")
    assert fiches.count("<td>op verzoek</td>") == 10 and "1 van de 11 projecten heeft hier een fiche" in fiches
    listed = pd.read_csv(out / "pmiek" / "projectenlijst.csv", sep=None, engine="python")
    assert len(listed) == 11  # the list keeps every project
    assert out / "pmiek" / "fiches" / "P03.html" in written
    write_outputs(result, out, pdf=False, charts="none", pages=["GM1714", "GM0715"], sheets=["P03", "P01"])
    index = (out / "gemeenten" / "index.html").read_text(encoding="utf-8")
    assert "2 van de 3 gemeenten hebben hier een pagina" in index and index.count("pagina op verzoek") == 1
    fiches = (out / "pmiek" / "fiches" / "index.html").read_text(encoding="utf-8")
    assert "2 van de 11 projecten hebben hier een fiche" in fiches


def test_demo_refuses_an_unknown_municipality_before_any_work(tmp_path: Path):
    from test_cli import _ep

    out = tmp_path / "uit"
    r = _ep("demo", "--out", str(out), "--gemeenten", "GM0715,GM9999", "--quiet")
    assert r.returncode == 2, r.stderr
    assert "gemeente 'GM9999' komt niet voor in de regio" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()
    r = _ep("demo", "--out", str(out), "--fiches", " , ", "--quiet")
    assert r.returncode == 2 and "--fiches: kies auto, top, alle, geen of noem project-id's" in r.stderr
