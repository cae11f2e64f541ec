"""Reading XLSX workbooks with openpyxl: the sheet picked, merged cells and formulas reported.

:func:`read_xlsx_table` is the XLSX part of :func:`energieplanologie.io.read_layer`; it returns the table and the
formula cells without a stored result (:class:`Formula`), which the reader rejects once the rows are known.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from energieplanologie._errors import ReadError, error_line
from energieplanologie.report import ValidationReport
from energieplanologie.vector_reader import pick_layer

__all__ = ["Formula", "read_xlsx_table"]


class Formula(NamedTuple):
    """A formula cell of a workbook saved without its computed value (openpyxl reads it as empty)."""

    row: int  # position among the data rows
    header: str
    formula: str


def read_xlsx_table(path: Path, sheet: str | None, report: ValidationReport) -> tuple[pd.DataFrame, list[Formula]]:
    """The sheet as a frame, and the formula cells that have no stored value (a workbook written by a program,
    never opened and saved in Excel, has formulas but no results)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            workbook = load_workbook(path, data_only=True)
            formulas_book = load_workbook(path, data_only=False)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError on broken parts
        raise ReadError(f"{path}: niet te lezen als Excel-werkmap ({error_line(exc)}).") from exc
    for w in caught:
        report.warning("reader_warning", None, [], f"melding bij het lezen: {w.message}")
    try:
        names = list(workbook.sheetnames)
        ws = workbook.worksheets[0] if sheet is None else workbook[pick_layer(names, "", sheet, path, "werkblad")]
        cells = [list(row) for row in ws.iter_rows(values_only=True)]
        merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
        fs = formulas_book[ws.title]
        uncached = {(cell.row - 1, cell.column - 1): str(getattr(cell.value, "text", cell.value))
                    for row in fs.iter_rows() for cell in row
                    if cell.data_type == "f" and cells[cell.row - 1][cell.column - 1] is None} if any(
            c.data_type == "f" for row in fs.iter_rows() for c in row) else {}
    finally:
        workbook.close()
        formulas_book.close()

    nonempty = [i for i, row in enumerate(cells) if any(_filled(v) for v in row)]
    if not nonempty:
        raise ReadError(f"{path}: werkblad {ws.title!r} is leeg.")
    width = max(j + 1 for row in cells for j, v in enumerate(row) if _filled(v))
    cells = [(row + [None] * width)[:width] for row in cells]
    start = nonempty[0]  # 0-based row of the first header row
    # A title line above the table ("Overzicht ontwikkelingen 2025"): one filled cell, the next line has more.
    # Counted before merged cells are spread, so a title merged across the table is one cell too.
    while True:
        later = [i for i in nonempty if i > start]
        if not later or sum(map(_filled, cells[start])) != 1 or sum(map(_filled, cells[later[0]])) < 2:
            break
        report.repair("title_row_skipped", None, [],
                      f"titelregel {str(next(v for v in cells[start] if _filled(v))).strip()!r} in rij {start + 1} "
                      f"van werkblad {ws.title!r} overgeslagen; de kop begint in rij {later[0] + 1}")
        merged = [m for m in merged if m[0] - 1 != start]
        start = later[0]
    # Merged cells: openpyxl stores the value in the top-left cell only; spread it over the range (rows of data
    # that get a copied value are reported below, once the header rows are known).
    spread: list[tuple[int, int, int, int]] = []
    for r0, c0, r1, c1 in merged:
        value = cells[r0 - 1][c0 - 1] if r0 - 1 < len(cells) and c0 - 1 < width else None
        for r in range(r0 - 1, min(r1, len(cells))):
            for c in range(c0 - 1, min(c1, width)):
                cells[r][c] = value
        if _filled(value):
            spread.append((r0 - 1, c0 - 1, min(r1, len(cells)) - 1, min(c1, width) - 1))
    # The header block: the first row, extended down over merged ranges that start in it; a horizontally merged
    # (group) cell means the next non-empty row holds the sub-headers.
    end = start
    while True:
        touching = [m for m in merged if m[0] - 1 <= end and m[2] - 1 >= start]
        new_end = max([end] + [m[2] - 1 for m in touching])
        below = [i for i in nonempty if i > new_end]
        if any(m[1] != m[3] and m[2] - 1 == new_end for m in touching) and below:
            new_end = below[0]
        if new_end == end:
            break
        end = new_end
    headers: list[str] = []
    for c in range(width):
        texts = [str(cells[r][c]).strip() for r in range(start, end + 1) if _filled(cells[r][c])]
        headers.append(texts[-1] if texts else "")
    if end > start:
        report.repair("merged_header", None, [],
                      f"kop met samengevoegde cellen over rijen {start + 1}–{end + 1} van werkblad {ws.title!r}; "
                      "per kolom de onderste kopcel gebruikt")
    data = cells[end + 1:]
    while data and not any(_filled(v) for v in data[-1]):
        data.pop()
    # Sheet row (0-based) of each data row kept.
    sheet_rows = [end + 1 + i for i, row in enumerate(data) if any(_filled(v) for v in row)]
    blank = [i for i, row in enumerate(data) if not any(_filled(v) for v in row)]
    data = [row for row in data if any(_filled(v) for v in row)]
    if blank:
        report.warning("blank_rows", None, [], f"{len(blank)} lege rij(en) tussen de gegevens overgeslagen")
    keep = [c for c in range(width) if headers[c] or any(_filled(row[c]) for row in data)]
    for c in keep:
        if not headers[c]:
            headers[c] = f"kolom_{get_column_letter(c + 1)}"
            report.warning("missing_header", headers[c], [],
                           f"kolom {get_column_letter(c + 1)} heeft geen kop; gelezen als {headers[c]!r}")
    frame = pd.DataFrame([[row[c] for c in keep] for row in data], columns=[headers[c] for c in keep])
    frame = frame.map(lambda v: None if isinstance(v, str) and not v.strip() else v)
    report.rows_in = len(frame)
    position = {r: i for i, r in enumerate(sheet_rows)}
    _report_merged_data(spread, position, headers, keep, report)
    formulas = [Formula(position[r], headers[c], text) for (r, c), text in sorted(uncached.items())
                if r in position and c in keep]
    return frame, formulas


def _report_merged_data(spread: list[tuple[int, int, int, int]], position: dict[int, int], headers: list[str],
                        keep: list[int], report: ValidationReport) -> None:
    """One repair per column whose data rows got a value copied from a merged cell above (Excel shows it once)."""
    copied: dict[int, list[int]] = {}
    for r0, c0, r1, c1 in spread:
        rows = [position[r] for r in range(r0 + 1, r1 + 1) if r in position]
        if r0 in position and r1 > r0:  # vertical: the rows below the first get its value
            for c in range(c0, c1 + 1):
                copied.setdefault(c, []).extend(rows)
    for c in sorted(copied):
        if c in keep and copied[c]:
            report.repair("merged_cells", headers[c], sorted(set(copied[c])),
                          "samengevoegde cellen: de waarde van de bovenste cel is ook in de rijen eronder gezet")


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())
