"""Reading CSV: the encoding (UTF-8, UTF-16, cp1252) and the separator found, every cell read as text.

:func:`read_csv_table` is the CSV part of :func:`energieplanologie.io.read_layer`; geometry, numbers and years
come after it (:mod:`energieplanologie.table_geometry`).
"""

from __future__ import annotations

import csv
import io as _stdio
from pathlib import Path

import pandas as pd

from energieplanologie._errors import ReadError, error_line, os_reason
from energieplanologie.report import ValidationReport

__all__ = ["read_csv_table"]


_SEPARATORS = (",", ";", "\t", "|")
_SEPARATOR_NAMES = {",": "komma", ";": "puntkomma", "\t": "tab", "|": "verticale streep"}


def _decode(path: Path, report: ValidationReport) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: bestand niet te lezen ({os_reason(exc)}).") from exc
    utf16 = _utf16(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError as exc:
            raise ReadError(f"{path}: bestand lijkt UTF-16 (Excel 'Unicode-tekst') maar is niet zo te lezen "
                            f"({exc.reason} bij byte {exc.start}).") from exc
        report.repair("encoding", None, [], "bestand is UTF-16 (zoals Excel 'Unicode-tekst' opslaat); zo gelezen")
        return text.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        encoding = "Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        encoding = "Latin-1"
    report.repair("encoding", None, [], f"bestand is geen UTF-8; gelezen als {encoding}")
    return text


def _utf16(data: bytes) -> str | None:
    """The UTF-16 codec of a text that is UTF-16 (a byte-order mark, or a NUL in every other byte of a text that
    starts with ASCII, as Excel's "Unicode text" and some exports write), else None."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = data[:4096]
    if len(head) >= 4 and len(head) % 2 == 0:
        odd, even = head[1::2], head[0::2]
        if odd.count(0) > 0.9 * len(odd) and 0 not in even:
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and 0 not in odd:
            return "utf-16-be"
    return None


def _sniff_separator(text: str) -> str:
    """The separator among , ; tab | that splits the first lines into the most, equally long, fields."""
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", (-1, -1.0)
    for sep in _SEPARATORS:
        rows = list(csv.reader(lines, delimiter=sep))
        width = len(rows[0])
        if width < 2:
            continue
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (int(consistent >= 0.9), consistent * width)
        if score > best_score:
            best, best_score = sep, score
    return best


def read_csv_table(path: Path, report: ValidationReport) -> pd.DataFrame:
    """A CSV file as a frame of text cells (empty cells missing): the encoding and separator found (and reported
    when not UTF-8 or a comma); unreadable files a :class:`~energieplanologie.ReadError` naming the file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from energieplanologie.report import ValidationReport
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = path.write_text("station_id;capaciteit\\nS1;12,5\\n", encoding="utf-8")
    >>> read_csv_table(path, ValidationReport("stations")).to_dict("records")
    [{'station_id': 'S1', 'capaciteit': '12,5'}]
    """
    text = _decode(path, report)
    if not text.strip():
        raise ReadError(f"{path}: CSV-bestand bevat geen gegevens.")
    sep = _sniff_separator(text)
    header = next(csv.reader([text.lstrip("\r\n").splitlines()[0]], delimiter=sep))
    try:
        frame = pd.read_csv(
            _stdio.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        raise ReadError(f"{path}: CSV niet te lezen (scheidingsteken {_SEPARATOR_NAMES[sep]}): {error_line(exc)}") from exc
    if len(header) == len(frame.columns):
        frame.columns = [h.strip() for h in header]  # keep duplicate headers visible (pandas adds .1)
    report.rows_in = len(frame)
    return frame
