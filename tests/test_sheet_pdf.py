"""Project sheets as PDF without WeasyPrint: the pure-Python renderer (fpdf2) and the choice between the two.

Uses the hand-made case of ``test_assessment.py`` (three scored projects P1, P2, P3; P1 ranks first with 92,9).
"""

from __future__ import annotations

import logging
import re
import sys

import pypdf
import pytest
from typer.testing import CliRunner

from energieplanologie._errors import EnergieplanologieError
from energieplanologie.cli import app
from energieplanologie.pmiek import pdf_renderer, project_sheet_context, write_project_sheets
from energieplanologie.sheet_pdf import sheet_fits
from energieplanologie.testing import case_assessment, case_hotspots, case_region

A4_PT = (595.28, 841.89)  # 210 × 297 mm in PostScript points


def pages(path):
    reader = pypdf.PdfReader(str(path))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def text(path, page=0):
    return pypdf.PdfReader(str(path)).pages[page].extract_text()


@pytest.fixture
def no_weasyprint(monkeypatch):
    """WeasyPrint as on a machine without the pdf extra: importing it fails."""
    monkeypatch.setitem(sys.modules, "weasyprint", None)


def test_fpdf_sheets_are_one_a4_page_each_in_rank_order(tmp_path):
    region, assessment = case_region(), case_assessment()
    written = write_project_sheets(assessment, region, tmp_path, hotspots=case_hotspots(), pdf_engine="fpdf")
    fiches = tmp_path / "fiches"
    assert sorted(p.name for p in written) == ["P1.html", "P1.pdf", "P2.html", "P2.pdf", "P3.html", "P3.pdf",
                                               "index.html", "pmiek_projectfiches.pdf"]
    for pid in ("P1", "P2", "P3"):
        assert pages(fiches / f"{pid}.pdf") == [pytest.approx(A4_PT, abs=1.0)]
    combined = fiches / "pmiek_projectfiches.pdf"
    assert pages(combined) == [pytest.approx(A4_PT, abs=1.0)] * 3
    # Rank order P1 (92,9), P3 (42,9), P2 (28,6), as in the project list of test_pmiek.py.
    first, second = text(combined, 0), text(combined, 1)
    assert "Uitbreiding Noord" in first and "Rang 1 van 3" in first and "Rang 2 van 3" in second
    # The same parts as the HTML sheet, and the analyses' narrative (S1 50 MW short from 2030 without P1).
    for title in ("Algemene gegevens", "Projectomschrijving en narratief", "Reden van opname in het pMIEK",
                  "Uitvoeringsafspraken", "Afweging (Nationaal afwegingskader)", "H. Omvang kosten"):
        assert title in first, title
    assert "vanaf 2030 een tekort van 50,0 MW" in " ".join(first.split())
    assert not list(fiches.glob(".*tmp*"))


def test_fpdf_fits_long_content_onto_one_page(tmp_path):
    region = case_region()
    infra = region.infrastructure.copy()
    infra.loc[1, "description"] = ("Een zeer uitgebreide beschrijving van de uitbreiding met alle details. " * 60)
    infra.loc[1, "parties"] = "; ".join(f"Partij {i} (rol {i})" for i in range(30))
    region = region.replace(infrastructure=infra)
    assessment = case_assessment(region=region)
    ctx, png = project_sheet_context(assessment, region, "P1")
    assert not sheet_fits(ctx, png, font_pt=9.0)  # 60 sentences of description do not fit at 9 pt
    write_project_sheets(assessment, region, tmp_path, pdf_engine="fpdf")
    assert pages(tmp_path / "fiches" / "P1.pdf") == [pytest.approx(A4_PT, abs=1.0)]
    html = (tmp_path / "fiches" / "P1.html").read_text(encoding="utf-8")
    size = float(re.search(r"html \{ font-size: ([\d.]+)pt; \}", html).group(1))
    assert size < 9.0  # the HTML written is the version that fits the PDF page


def test_without_weasyprint_auto_takes_fpdf_and_says_so_once(no_weasyprint, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="energieplanologie"):
        assert pdf_renderer("auto") == "fpdf"
    [record] = caplog.records
    assert "de HTML-opmaak met WeasyPrint is overgeslagen: WeasyPrint is niet geïnstalleerd" in record.getMessage()
    assert "pip install 'energieplanologie[pdf]'" in record.getMessage()
    with pytest.raises(EnergieplanologieError, match=r"energieplanologie\[pdf\]"):
        pdf_renderer("weasyprint")
    with pytest.raises(EnergieplanologieError, match="onbekende PDF-opmaak"):
        pdf_renderer("latex")


def test_with_weasyprint_auto_takes_weasyprint():
    pytest.importorskip("weasyprint")
    assert pdf_renderer("auto") == "weasyprint"


def test_cli_pmiek_without_weasyprint_writes_pdfs_and_says_once_what_was_skipped(no_weasyprint, tmp_path):
    result = CliRunner().invoke(app, ["pmiek", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    fiches = tmp_path / "pmiek" / "fiches"
    assert len(pages(fiches / "pmiek_projectfiches.pdf")) == 11  # the sample has eleven projects, P01–P11
    assert len(list(fiches.glob("P*.pdf"))) == 11
    notices = [ln for ln in result.output.splitlines() if ln.startswith("Let op: PDF-projectfiches")]
    assert len(notices) == 1
    assert "overgeslagen" in notices[0] and "energieplanologie[pdf]" in notices[0]
