"""pMIEK products: the project list (XLSX/CSV with the document's columns) and one-A4 project sheets (HTML/PDF).

Uses the hand-made case of ``test_assessment.py`` (three scored projects P1, P2, P3; see that module).
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pandas as pd
import pypdf
import pytest
import weasyprint  # the pdf extra: project sheets as PDF are tested, not skipped
from openpyxl import load_workbook

from energieplanologie._errors import EnergieplanologieError
from energieplanologie.pmiek import (
    _FIT_STEPS,
    DOCUMENT_COLUMNS,
    ProjectFacts,
    project_facts,
    project_list,
    project_sheet_html,
    project_sheets_plan,
    safe_filename,
    write_pmiek,
    write_project_list,
    write_project_sheets,
)
from energieplanologie.testing import case_assessment, case_hotspots, case_region

A4_PT = (595.28, 841.89)  # 210 × 297 mm in PostScript points


def pdf_pages(path: Path) -> list[tuple[float, float]]:
    reader = pypdf.PdfReader(str(path))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


@pytest.fixture(scope="module")
def case():
    return case_region(), case_assessment()


def test_project_list_has_the_documents_columns_in_order(case):
    region, assessment = case
    df = project_list(assessment, region)
    assert list(df.columns[:7]) == list(DOCUMENT_COLUMNS)
    assert list(df.columns[7:11]) == ["Rang", "Gewogen score", "Rang bij andere gewichten (p5–p95)", "Kans top 5"]
    assert "A. Maatschappelijk doelbereik" in df.columns and "H. Omvang kosten" in df.columns
    # One row per scored project (P0 is existing), in rank order: P1 (92,9), P3 (42,9), P2 (28,6).
    assert df["Project-id"].tolist() == ["P1", "P3", "P2"]
    p1, p3, p2 = (df.iloc[i] for i in range(3))
    assert p1["Locatie"].split("\n") == ["Gemeente Testgem", "RD x 50.000, y 370.000", "bij station Noord (150/20 kV)"]
    assert "tracé van 8,5 km" in p2["Locatie"]  # (51500 → 60000, 370000)
    assert "gebied van 1,00 km²" in p3["Locatie"]
    assert p1["Type infra"] == "Stationsuitbreiding HS"  # 150 kV side → HS
    # The developments P1 enables (D1 in 2030, D3 in 2035), with sector, municipality, MW, year and certainty.
    assert p1["Sectoren en ontwikkelingen"].split("\n") == [
        "Sectoren: Datacenter, Industrie (CES)",
        "• Industrie (CES): Fabriek (Testgem, 60,0 MW, 2030, vergund)",
        "• Datacenter: Datacenter (Testgem, 20,0 MW, 2035, vastgesteld)",
    ]
    assert p1["Financiële informatie"] == "Investering ca. € 20,0 miljoen, Enexis; financiering geborgd"
    assert p3["Financiële informatie"] == "Kosten onbekend; nog geen dekking voor de investering"
    assert p1["Planning"] == "Gereed 2027 (investeringsplan)"
    assert p3["Planning"] == "Planning onbekend (narratief)"
    assert p1["Betrokken partijen"].split("\n") == ["Enexis: netbeheerder, uitvoering", "Provincie", "Gemeente Testgem"]
    assert p2["F. Ruimtelijke inpasbaarheid"] == "Veel inspanningen nodig"
    assert p1["G. Uitvoerbaarheid overig"] == "geen invoer"
    assert p1["Projectfiche"] == "fiches/P1.html"


def test_xlsx_and_csv_read_back(case, tmp_path):
    region, assessment = case
    df = project_list(assessment, region)
    xlsx, csv = write_project_list(df, tmp_path)
    wb = load_workbook(xlsx)
    ws = wb.active
    headers = [c.value for c in ws[1]]
    assert headers[:7] == list(DOCUMENT_COLUMNS) and headers == list(df.columns)
    assert ws.max_row == 1 + 3  # header + one row per project
    assert [ws.cell(row=r, column=1).value for r in (2, 3, 4)] == ["Uitbreiding Noord", "Warmtenet Oost",
                                                                   "Kabel Noord-Zuid"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(row=4, column=len(headers)).coordinate}"
    assert ws["A1"].font.b and ws["D2"].alignment.wrap_text
    # Rows are as high as their wrapped text: column D is 60 characters wide (59 a line); in D2 the sector line
    # takes 1 line and the two development lines of 60 and 63 characters 2 each → 5 lines × 15 pt + 2.
    assert ws.column_dimensions["D"].width == 60
    assert ws.row_dimensions[2].height == 5 * 15 + 2
    # Printing: landscape A4, one page wide, header repeated.
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    widths = [ws.column_dimensions[c].width for c in "ABCDEFG"]
    assert all(10 <= w <= 60 for w in widths)
    link = ws.cell(row=2, column=headers.index("Projectfiche") + 1).hyperlink
    assert link is not None and link.target == "fiches/P1.html"
    back = pd.read_csv(csv)
    assert list(back.columns) == list(df.columns) and len(back) == 3
    assert back.loc[0, "Sectoren en ontwikkelingen"] == df.loc[0, "Sectoren en ontwikkelingen"]
    # Reproducible: the same list gives byte-identical files.
    again = write_project_list(df, tmp_path / "opnieuw")
    assert again[0].read_bytes() == xlsx.read_bytes() and again[1].read_bytes() == csv.read_bytes()
    assert not list(tmp_path.glob(".*tmp*"))  # atomic writes leave no temporary files


def test_every_pdf_sheet_is_one_a4_page(case, tmp_path):
    region, assessment = case
    written = write_project_sheets(assessment, region, tmp_path, hotspots=case_hotspots())
    fiches = tmp_path / "fiches"
    assert all(p.parent == fiches for p in written)
    for pid in ("P1", "P2", "P3"):
        assert (fiches / f"{pid}.html").is_file()
        pages = pdf_pages(fiches / f"{pid}.pdf")
        assert len(pages) == 1
        assert pages[0] == pytest.approx(A4_PT, abs=1.0)
    combined = pdf_pages(fiches / "pmiek_projectfiches.pdf")
    assert len(combined) == 3 and all(p == pytest.approx(A4_PT, abs=1.0) for p in combined)
    # The combined PDF follows the rank order: the first page is P1's sheet.
    first = pypdf.PdfReader(str(fiches / "pmiek_projectfiches.pdf")).pages[0].extract_text()
    assert "Uitbreiding Noord" in first and "Rang 1 van 3" in first
    index = (fiches / "index.html").read_text(encoding="utf-8")
    assert index.index("P1.pdf") < index.index("P3.pdf") < index.index("P2.pdf")


def test_sheet_contains_the_documents_parts(case):
    region, assessment = case
    html = project_sheet_html(assessment, region, "P1", map_png=b"png")
    for title in ("Algemene gegevens", "Projectomschrijving en narratief", "Welke ontwikkelingen worden bediend?",
                  "Reden van opname in het pMIEK", "Projectfase", "Afhankelijkheden van andere projecten",
                  "Afhankelijkheden buiten de provincie", "Uitvoeringsafspraken", "Afweging (Nationaal afwegingskader)"):
        assert f">{title}<" in html
    # Narrative from the analyses: S1 is 50 MW short from 2030 without P1; P1 adds 100 MW, enables 80 MW.
    assert "vanaf 2030 een tekort van 50,0 MW" in html
    assert "voegt 100,0 MW capaciteit toe en maakt 80,0 MW aan ontwikkelingen mogelijk" in html
    assert "Ontwikkelingen: 1 vergund, 1 vastgesteld." in html  # D1 committed, D3 planned
    assert "Geen relatie met een project uit het nationaal MIEK bekend." in html
    assert 'src="data:image/png;base64,cG5n"' in html  # the map is inline: the sheet is one self-contained file
    # P2 (proposed, partly funded) needs confirmation of need and support.
    html2 = project_sheet_html(assessment, region, "P2", map_png=b"png")
    assert "Bevestiging van nut en noodzaak nodig" in html2
    assert "deels gedekt; extra steun van overheden nodig" in html2


def test_user_texts_replace_generated_parts(tmp_path):
    region = case_region()
    infra = region.infrastructure.assign(
        agreements=[None, "Provincie regelt de vergunning; Enexis bouwt in 2026", None, None],
        reason_inclusion=[None, "Versnelling gevraagd door de gemeente", None, None])
    region = region.replace(infrastructure=infra)
    html = project_sheet_html(case_assessment(region=region), region, "P1", map_png=b"")
    assert "<li>Provincie regelt de vergunning</li>" in html and "<li>Enexis bouwt in 2026</li>" in html
    assert "<li>Versnelling gevraagd door de gemeente</li>" in html
    assert "Nadere afspraken vast te leggen" not in html


def test_hostile_ids_and_names_are_escaped_and_stay_in_the_folder(tmp_path):
    region = case_region()
    infra = region.infrastructure.copy()
    infra.loc[3, "project_id"] = "../../<b>P3</b>"
    infra.loc[3, "name"] = "<script>alert('x')</script> & zo"
    region = region.replace(infrastructure=infra)
    assessment = case_assessment(region=region)
    written = write_project_sheets(assessment, region, tmp_path / "pmiek", pdf=False)
    fiches = (tmp_path / "pmiek" / "fiches").resolve()
    assert all(p.resolve().parent == fiches for p in written)
    names = sorted(p.name for p in fiches.iterdir())
    # the hostile id is cleaned to b_P3_b and, because it had to change, carries a short hash of itself
    assert names[:2] == ["P1.html", "P2.html"] and names[3] == "index.html"
    assert re.fullmatch(r"b_P3_b-[0-9a-f]{8}\.html", names[2])
    html = (fiches / names[2]).read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; zo" in html
    assert "<b>P3</b>" not in html and "&lt;b&gt;P3&lt;/b&gt;" in html
    index = (fiches / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in index


def test_safe_filename():
    # Unsafe characters become "_", and a changed id carries a short hash of itself, so two ids never collide.
    assert safe_filename("../../etc/passwd") == "etc_passwd-936d7c04"
    assert safe_filename("...").startswith("project-")
    assert safe_filename("CON").startswith("project_CON-")
    assert safe_filename("P01") == "P01"
    assert safe_filename("P/1") != safe_filename("P_1") and safe_filename("P_1") == "P_1"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", safe_filename("ümlaut ∑ 東京"))


def test_long_content_is_fitted_onto_one_page(tmp_path):
    region = case_region()
    infra = region.infrastructure.copy()
    infra.loc[1, "description"] = ("Een zeer uitgebreide beschrijving van de uitbreiding met alle details. " * 60)
    infra.loc[1, "parties"] = "; ".join(f"Partij {i} (rol {i})" for i in range(30))
    region = region.replace(infrastructure=infra)
    assessment = case_assessment(region=region)
    write_project_sheets(assessment, region, tmp_path)
    assert pdf_pages(tmp_path / "fiches" / "P1.pdf") == [pytest.approx(A4_PT, abs=1.0)]
    html = (tmp_path / "fiches" / "P1.html").read_text(encoding="utf-8")
    size = float(re.search(r"html \{ font-size: ([\d.]+)pt; \}", html).group(1))
    assert size < 9.0  # had to shrink to fit
    assert "… en " in html  # the 30 parties were capped


def _long_case():
    """The hand-made case with P1's description and parties long enough to need a smaller font."""
    region = case_region()
    infra = region.infrastructure.copy()
    infra.loc[1, "description"] = ("Een zeer uitgebreide beschrijving van de uitbreiding met alle details. " * 60)
    infra.loc[1, "parties"] = "; ".join(f"Partij {i} (rol {i})" for i in range(30))
    region = region.replace(infrastructure=infra)
    return region, case_assessment(region=region)


def test_the_chosen_font_is_the_largest_that_fits_in_any_order(tmp_path):
    # One process draws many sheets and starts each search next to the step of the sheet before; the sheet it
    # makes must not depend on that: the same HTML and PDF bytes as a sheet drawn first (searched from 9 pt).
    region, assessment = _long_case()

    def sheets(order, folder):
        batch = next(project_sheets_plan(assessment, region, tmp_path / folder))
        items = {f["project_id"]: f for f in batch.items}
        return {pid: batch.func(items[pid]) for pid in order}

    alone = {pid: sheets([pid], f"alleen-{pid}")[pid] for pid in ("P1", "P2", "P3")}
    long_first = sheets(["P1", "P1", "P3", "P2"], "lang-eerst")  # down from P1's step, then up
    short_first = sheets(["P3", "P2", "P1", "P3"], "kort-eerst")
    assert long_first == alone and short_first == alone

    # P1 needs a smaller font and the short sheets the largest; the step before P1's does not fit one page.
    def html_at(pid, step):
        font_pt, compact = _FIT_STEPS[step]
        return project_sheet_html(assessment, region, pid, font_pt=font_pt, compact=compact)

    assert alone["P3"][0] == html_at("P3", 0) and alone["P2"][0] == html_at("P2", 0)
    p1 = next(step for step in range(len(_FIT_STEPS)) if html_at("P1", step) == alone["P1"][0])
    assert p1 > 0
    before = html_at("P1", p1 - 1)
    assert len(weasyprint.HTML(string=before).render().pages) > 1
    assert len(pypdf.PdfReader(io.BytesIO(alone["P1"][1])).pages) == 1


def test_write_pmiek_writes_the_output_folder(case, tmp_path):
    region, assessment = case
    calls = []
    written = write_pmiek(assessment, region, tmp_path, pdf=False, progress=lambda f, m: calls.append(f))
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    assert {"projectenlijst.xlsx", "projectenlijst.csv", "afweging.csv", "afweging_redenen.csv",
            "afweging_overschrijvingen.csv", "fiches/P1.html", "fiches/index.html"} <= names
    table = pd.read_csv(tmp_path / "afweging.csv")
    assert list(table.columns[:3]) == ["project_id", "naam", "type_infra"]
    assert {"gewogen_score", "rang", "kans_top_k", "A", "H"} <= set(table.columns)
    assert table["project_id"].tolist() == ["P1", "P3", "P2"]
    reasons = pd.read_csv(tmp_path / "afweging_redenen.csv")
    assert {"criterium", "niveau", "oordeel", "reden", "bron"} <= set(reasons.columns)
    assert set(reasons["bron"]) == {"afgeleid", "beoordeling", "geen invoer"}
    assert calls == sorted(calls) and calls[-1] == 1.0


@pytest.mark.slow
def test_sample_region_pmiek(sample_region, tmp_path):
    """The whole pMIEK of the sample: one XLSX row and one A4 sheet per project, all eleven PDFs in one file
    (P01–P10 and the flex asset P11, the battery at Hulst 50 kV)."""
    from energieplanologie.assessment import score_projects
    from energieplanologie.sample import sample_settings

    assessment = score_projects(sample_region, **sample_settings().assessment_options())
    write_pmiek(assessment, sample_region, tmp_path)
    ws = load_workbook(tmp_path / "projectenlijst.xlsx").active
    assert [c.value for c in ws[1]][:7] == list(DOCUMENT_COLUMNS) and ws.max_row == 1 + 11
    fiches = tmp_path / "fiches"
    for pid in assessment.table["project_id"]:
        assert pdf_pages(fiches / f"{pid}.pdf") == [pytest.approx(A4_PT, abs=1.0)]
    assert len(pdf_pages(fiches / "pmiek_projectfiches.pdf")) == 11
    # P09 crosses into Borssele, outside the three municipalities: the sheet says so.
    assert "deels buiten de regio Zeeuws-Vlaanderen" in (fiches / "P09.html").read_text(encoding="utf-8")


def test_sheet_dependencies_and_region_from_the_geometry(case):
    """The facts computed once for all sheets (sheet_geometry): which projects touch (within 50 m) and which
    lie partly outside the region (the municipality Testgem, x 40 000–70 000, grown by 1 m)."""
    import dataclasses

    import shapely

    from energieplanologie.pmiek import project_sheet_context

    region, assessment = case
    infra = region.infrastructure.copy()
    geoms = infra.geometry.to_numpy().copy()
    # P2's cable now runs to x 70 500: 500 m beyond the region's east edge. P3's area starts 30 m past the cable's
    # end (70 530): within 50 m, so the two touch; P1 (x 50 000) is 1 500 m from the cable's start (51 500).
    geoms[infra["project_id"].to_numpy() == "P2"] = shapely.LineString([(51_500, 370_000), (70_500, 370_000)])
    geoms[infra["project_id"].to_numpy() == "P3"] = shapely.box(70_530, 369_500, 71_000, 370_500)
    moved = dataclasses.replace(region, infrastructure=infra.set_geometry(geoms, crs=infra.crs))
    names = dict(zip(infra["project_id"], infra["name"], strict=True))

    def section(pid: str, title: str) -> list[str]:
        ctx, _ = project_sheet_context(assessment, moved, pid)
        return next(s["entries"] for column in ctx["columns"] for s in column if s["title"] == title)

    deps, outside = "Afhankelijkheden van andere projecten", "Afhankelijkheden buiten de provincie"
    assert section("P2", deps)[0] == f"{names['P3']} (P3, raakt dit project)"
    assert section("P3", deps)[0] == f"{names['P2']} (P2, raakt dit project)"
    assert section("P1", deps)[0] == "Geen relatie met andere pMIEK-projecten bekend."
    assert section("P2", outside) == ["Het project ligt deels buiten de regio Testregio: afstemmen met de buren."]
    assert section("P3", outside) == ["Het project ligt deels buiten de regio Testregio: afstemmen met de buren."]
    assert section("P1", outside) == ["Geen bekend: project en bediende ontwikkelingen liggen binnen Testregio."]


def test_served_developments_are_looked_up_in_the_region_and_listed_by_year(case):
    # The afweging's evidence names P1's developments as "D3;GONE;D1": GONE is not in the region (left out),
    # D3 (2035) and D1 (2030) are listed by year, whatever order the evidence gives; the list is the same as
    # for "D1;D3" (the hand case's own evidence, first test above).
    region, assessment = case
    evidence = assessment.evidence.copy()
    evidence.loc[evidence["project_id"] == "P1", "development_ids"] = "D3;GONE;D1"
    shuffled = dataclasses.replace(assessment, evidence=evidence)
    p1 = project_list(shuffled, region).set_index("Project-id").loc["P1"]
    assert p1["Sectoren en ontwikkelingen"].split("\n") == [
        "Sectoren: Datacenter, Industrie (CES)",
        "• Industrie (CES): Fabriek (Testgem, 60,0 MW, 2030, vergund)",
        "• Datacenter: Datacenter (Testgem, 20,0 MW, 2035, vastgesteld)",
    ]
    facts = project_facts(shuffled, region)
    (f1,) = [f for f in facts.items if f["project_id"] == "P1"]
    assert f1["served_ids"] == ["D3", "D1"]  # the evidence's order: the sheet's map draws them so
    assert f1["served_frame"].index.tolist() == ["D3", "D1"]
    assert f1["served_frame"]["municipality_name"].tolist() == ["Testgem", "Testgem"]


def test_project_facts_are_made_once_for_the_list_and_the_sheets(case, tmp_path):
    region, assessment = case
    facts = project_facts(assessment, region)
    assert facts.project_ids == ("P1", "P3", "P2")  # rank order
    assert project_list(assessment, region, facts=facts).equals(project_list(assessment, region))
    with_facts = write_project_sheets(assessment, region, tmp_path / "a", pdf=False, facts=facts)
    without = write_project_sheets(assessment, region, tmp_path / "b", pdf=False)
    assert [p.read_bytes() for p in with_facts] == [p.read_bytes() for p in without]
    # Facts of another afweging (other projects or another order) are refused, not silently used.
    other = ProjectFacts(facts.project_ids[::-1], facts.items[::-1])
    with pytest.raises(EnergieplanologieError, match="horen bij een andere afweging"):
        project_list(assessment, region, facts=other)
