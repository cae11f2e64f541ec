"""Project sheets (projectfiches) as PDF in pure Python: fpdf2 with the DejaVu fonts that matplotlib ships.

The default PDF renderer of :func:`energieplanologie.pmiek.write_project_sheets` when WeasyPrint (which needs
Pango, on Windows GTK) is not installed. It draws the same content as the HTML sheet — header with rank and score,
general data beside the map, the two columns of narrative sections, the afwegingskader table, the total and the
footer — from the same context dictionary the HTML template gets, on one A4 page. Nothing here needs a system
library: fpdf2, Pillow and fontTools are wheels on every OS.

Examples
--------
>>> import energieplanologie as ep
>>> from energieplanologie.assessment import score_projects
>>> from energieplanologie.pmiek import project_sheet_context
>>> region = ep.load_sample()
>>> ctx, png = project_sheet_context(score_projects(region, n_perturbations=100), region, "P03")
>>> sheet_fits(ctx, png, font_pt=9.0), sheet_fits(ctx, png, font_pt=7.8)  # its lists need a smaller font
(False, True)
>>> with sheet_document("Projectfiche") as pdf:
...     fits = draw_sheet(pdf, ctx, png, font_pt=7.8)
...     data = bytes(pdf.output())
>>> fits, pdf.pages_count, data[:5]
(True, 1, b'%PDF-')
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["draw_sheet", "sheet_document", "sheet_fits", "write_sheets"]

#: A4 in mm and the margins of the HTML sheet's ``@page`` rule.
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 11.0, 10.0, 10.0
CONTENT_W = PAGE_W - 2 * MARGIN_X
MAP_W = 66.0
GAP = 3.5
COLUMN_GAP = 5.0
PT_MM = 25.4 / 72.0
LINE = 1.28  # line height as a multiple of the font size (the CSS's line-height)

BLUE = (31, 78, 121)
TEXT = (26, 26, 26)
GREY = (85, 85, 85)
LIGHT = (102, 102, 102)
RULE = (201, 214, 227)
ROW_RULE = (227, 227, 227)
CHIP = (232, 238, 245)
LEVEL_COLOURS = {"hoog": (27, 122, 53), "gemiddeld": (154, 106, 0), "laag": (179, 22, 26), "none": (119, 119, 119)}
FONT = "DejaVu"


def _font_files() -> dict[str, Path]:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {"": folder / "DejaVuSans.ttf", "B": folder / "DejaVuSans-Bold.ttf", "I": folder / "DejaVuSans-Oblique.ttf"}


@contextmanager
def sheet_document(title: str) -> Iterator[Any]:
    """An empty A4 ``FPDF`` document with the DejaVu fonts, the sheet's margins and no automatic page breaks;
    its font files are closed when the block ends (write the PDF inside it)."""
    pdf = _new_document(title)
    try:
        yield pdf
    finally:
        for font in pdf.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()


def _new_document(title: str) -> Any:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    for style, path in _font_files().items():
        pdf.add_font(FONT, style, str(path))
    pdf.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_creator("energieplanologie")
    pdf.set_producer("energieplanologie (fpdf2)")
    pdf.set_lang("nl")
    return pdf


def _line_h(size_pt: float) -> float:
    return size_pt * PT_MM * LINE


def _text(pdf: Any, x: float, w: float, text: str, size: float, *, style: str = "", colour: tuple[int, int, int] = TEXT,
          align: str = "L") -> None:
    """A wrapped paragraph at ``x`` from the current y, width ``w``; the cursor ends below it."""
    pdf.set_font(FONT, style, size)
    pdf.set_text_color(*colour)
    pdf.set_x(x)
    pdf.multi_cell(w, _line_h(size), text, align=align, new_x="LEFT", new_y="NEXT")


def _height(pdf: Any, w: float, text: str, size: float, style: str = "") -> float:
    pdf.set_font(FONT, style, size)
    lines = pdf.multi_cell(w, _line_h(size), text, dry_run=True, output="LINES")
    return len(lines) * _line_h(size)


def _rule(pdf: Any, x: float, w: float, width_pt: float, colour: tuple[int, int, int]) -> None:
    pdf.set_draw_color(*colour)
    pdf.set_line_width(width_pt * PT_MM)
    pdf.line(x, pdf.get_y(), x + w, pdf.get_y())


def _heading(pdf: Any, x: float, w: float, title: str, base: float) -> None:
    pdf.set_y(pdf.get_y() + 2.2)
    _text(pdf, x, w, title, base, style="B", colour=BLUE)
    pdf.set_y(pdf.get_y() + 0.3)
    _rule(pdf, x, w, 0.5, RULE)
    pdf.set_y(pdf.get_y() + 0.8)


def _header(pdf: Any, ctx: Mapping[str, Any], base: float) -> None:
    pdf.set_y(MARGIN_TOP)
    _text(pdf, MARGIN_X, CONTENT_W, f"Projectfiche provinciaal MIEK · {ctx['region_name']}".upper(), 0.82 * base,
          colour=BLUE)
    pdf.set_y(pdf.get_y() + 0.6)
    _text(pdf, MARGIN_X, CONTENT_W, str(ctx["name"]), 1.7 * base, style="B")
    pdf.set_y(pdf.get_y() + 0.8)
    chips = [(f"Project-id {ctx['project_id']}", False)]
    if ctx.get("rank"):
        chips += [(f"Rang {ctx['rank']} van {ctx['n_projects']}", True), (f"Gewogen score {ctx['weighted_score']}", False),
                  (f"Rang bij andere gewichten: {ctx['rank_interval']} · kans top {ctx['top_k']}: {ctx['p_top_k']}",
                   False)]
    size = 0.85 * base
    h = _line_h(size) + 0.6
    x, y = MARGIN_X, pdf.get_y()
    for label, strong in chips:
        pdf.set_font(FONT, "B" if strong else "", size)
        w = pdf.get_string_width(label) + 3.2
        if x + w > MARGIN_X + CONTENT_W and x > MARGIN_X:
            x, y = MARGIN_X, y + h + 1.0
        pdf.set_fill_color(*(BLUE if strong else CHIP))
        pdf.set_text_color(*((255, 255, 255) if strong else BLUE))
        pdf.set_xy(x, y)
        pdf.cell(w, h, label, fill=True, align="C")
        x += w + 1.2
    pdf.set_y(y + h + 1.6)
    _rule(pdf, MARGIN_X, CONTENT_W, 2.2, BLUE)
    pdf.set_y(pdf.get_y() + 2.2)


def _general(pdf: Any, ctx: Mapping[str, Any], png: bytes | None, base: float) -> None:
    top = pdf.get_y()
    left_w = CONTENT_W - (MAP_W + GAP if png else 0.0)
    bottom_map = top
    if png:
        from PIL import Image

        with Image.open(io.BytesIO(png)) as image:
            ratio = image.height / image.width
        x_map = MARGIN_X + CONTENT_W - MAP_W
        pdf.image(io.BytesIO(png), x=x_map, y=top + 1.0, w=MAP_W, h=MAP_W * ratio)
        pdf.set_draw_color(187, 187, 187)
        pdf.set_line_width(0.5 * PT_MM)
        pdf.rect(x_map, top + 1.0, MAP_W, MAP_W * ratio)
        pdf.set_y(top + 1.0 + MAP_W * ratio + 0.6)
        _text(pdf, x_map, MAP_W, str(ctx["map_caption"]), 0.72 * base, colour=GREY)
        bottom_map = pdf.get_y()
    pdf.set_y(top)
    _heading(pdf, MARGIN_X, left_w, "Algemene gegevens", base)
    size = 0.9 * base
    label_w = 31.0
    for i, (label, lines) in enumerate(ctx["general"]):
        value = "\n".join(str(v) for v in lines)
        row_top = pdf.get_y()
        if i:
            _rule(pdf, MARGIN_X, left_w, 0.4, ROW_RULE)
        row_h = max(_height(pdf, label_w - 1.5, str(label), size, "B"), _height(pdf, left_w - label_w, value, size)) + 1.0
        pdf.set_y(row_top + 0.5)
        _text(pdf, MARGIN_X, label_w - 1.5, str(label), size, style="B", colour=(51, 51, 51))
        pdf.set_y(row_top + 0.5)
        _text(pdf, MARGIN_X + label_w, left_w - label_w, value, size)
        pdf.set_y(row_top + row_h)
    pdf.set_y(max(pdf.get_y(), bottom_map))


def _columns(pdf: Any, ctx: Mapping[str, Any], base: float) -> None:
    top = pdf.get_y()
    width = (CONTENT_W - COLUMN_GAP) / 2
    size = 0.92 * base
    bottoms = []
    for c, column in enumerate(ctx["columns"]):
        x = MARGIN_X + c * (width + COLUMN_GAP)
        pdf.set_y(top)
        for section in column:
            _heading(pdf, x, width, str(section["title"]), base)
            for paragraph in section["paragraphs"]:
                _text(pdf, x, width, str(paragraph), size)
                pdf.set_y(pdf.get_y() + 0.8)
            for entry in section["entries"]:
                y = pdf.get_y()
                pdf.set_font(FONT, "", size)
                pdf.set_text_color(*TEXT)
                pdf.set_xy(x, y)
                pdf.cell(3.6, _line_h(size), "•")
                pdf.set_y(y)
                _text(pdf, x + 3.6, width - 3.6, str(entry), size)
        bottoms.append(pdf.get_y())
    pdf.set_y(max(bottoms, default=top))


def _scores(pdf: Any, ctx: Mapping[str, Any], base: float) -> None:
    _heading(pdf, MARGIN_X, CONTENT_W, f"Afweging ({ctx['framework_name']})", base)
    size = 0.8 * base
    widths = (36.0, 33.0, CONTENT_W - 69.0)
    pad = 1.2
    y = pdf.get_y() + 0.6
    head_h = _line_h(size) + 0.9
    pdf.set_fill_color(*BLUE)
    pdf.rect(MARGIN_X, y, CONTENT_W, head_h, style="F")
    x = MARGIN_X
    for title, w in zip(("Criterium", "Oordeel", "Onderbouwing"), widths, strict=True):
        pdf.set_y(y + 0.45)
        _text(pdf, x + pad, w - 2 * pad, title, size, style="B", colour=(255, 255, 255))
        x += w
    y += head_h
    for score in ctx["scores"]:
        reason = f"{score['reason']} [{score['source']}]"
        level_style = "I" if score["css"] == "none" else "B"
        row_h = max(_height(pdf, widths[0] - 2 * pad, str(score["title"]), size, "B"),
                    _height(pdf, widths[1] - 2 * pad, str(score["label"]), size, level_style),
                    _height(pdf, widths[2] - 2 * pad, reason, size)) + 0.9
        cells = ((str(score["title"]), "B", TEXT), (str(score["label"]), level_style,
                                                    LEVEL_COLOURS.get(score["css"], TEXT)), (reason, "", TEXT))
        x = MARGIN_X
        for (text, style, colour), w in zip(cells, widths, strict=True):
            pdf.set_y(y + 0.45)
            _text(pdf, x + pad, w - 2 * pad, text, size, style=style, colour=colour)
            x += w
        pdf.set_y(y + row_h)
        _rule(pdf, MARGIN_X, CONTENT_W, 0.4, (222, 222, 222))
        y += row_h
    pdf.set_y(y + 0.8)
    _text(pdf, MARGIN_X, CONTENT_W, str(ctx["total_text"]), 0.85 * base)


def _footer(pdf: Any, ctx: Mapping[str, Any], base: float) -> None:
    pdf.set_y(pdf.get_y() + 1.6)
    _rule(pdf, MARGIN_X, CONTENT_W, 0.5, RULE)
    pdf.set_y(pdf.get_y() + 0.6)
    _text(pdf, MARGIN_X, CONTENT_W, str(ctx["footer"]), 0.7 * base, colour=LIGHT)


def draw_sheet(pdf: Any, ctx: Mapping[str, Any], png: bytes | None, *, font_pt: float) -> bool:
    """Draw one project sheet on a new page of ``pdf``; True when it fits the page (nothing below the margin).

    Parameters
    ----------
    pdf : fpdf.FPDF
        From :func:`sheet_document`.
    ctx : mapping
        The sheet's content (:func:`energieplanologie.pmiek.project_sheet_context`).
    png : bytes or None
        The sheet's map.
    font_pt : float
        Base font size in points (headings and tables scale with it, as in the HTML sheet).
    """
    pdf.add_page()
    _header(pdf, ctx, font_pt)
    _general(pdf, ctx, png, font_pt)
    _columns(pdf, ctx, font_pt)
    _scores(pdf, ctx, font_pt)
    _footer(pdf, ctx, font_pt)
    return pdf.get_y() <= PAGE_H - MARGIN_BOTTOM + 1e-6


def sheet_fits(ctx: Mapping[str, Any], png: bytes | None, *, font_pt: float) -> bool:
    """Whether one sheet fits one A4 page at ``font_pt`` (drawn on a scratch document)."""
    with sheet_document("proef") as pdf:
        return draw_sheet(pdf, ctx, png, font_pt=font_pt)


def write_sheets(pages: Sequence[tuple[Mapping[str, Any], bytes | None, float]], path: str | Path, *,
                 title: str) -> Path:
    """Write sheets ``(ctx, png, font_pt)`` as one PDF, one A4 page each, to ``path`` (not atomically)."""
    with sheet_document(title) as pdf:
        for ctx, png, font_pt in pages:
            draw_sheet(pdf, ctx, png, font_pt=font_pt)
        pdf.output(str(path))
    return Path(path)
