"""What validation found: errors per row, repairs, warnings, what was recognised, and the row accounting.

A :class:`ValidationReport` renders as Dutch text (:meth:`~ValidationReport.to_text`) for people and as JSON
(:meth:`~ValidationReport.to_dict`) for programs such as the QGIS plugin. It always satisfies
``rows_in == rows_kept + rows_rejected``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from energieplanologie._errors import ValidationError

__all__ = ["ROW_NOUNS", "Finding", "ValidationReport", "merge_reports"]

#: What one row of each layer kind is, in Dutch, to name a row next to its id (``rij 4 (ontwikkeling D17)``).
ROW_NOUNS: dict[str, str] = {
    "municipalities": "gemeente",
    "stations": "station",
    "station_capacity": "station",
    "infrastructure": "project",
    "status": "melding",
    "developments": "ontwikkeling",
    "constraints": "gebied",
}


def _plain(value: Any) -> Any:
    """Make a cell value JSON-safe and readable (numpy scalars, NaN, geometries)."""
    if value is None:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        if math.isnan(f):
            return None
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return f
    if isinstance(value, (str, int, bool)):
        return value
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return str(value)


@dataclass
class Finding:
    """One error, repair, warning or note.

    ``rows`` are 0-based positions of the rows in the source as read (feature order); ``row_id`` is the value of
    the layer's key column when there is one (errors: one row each). Repairs and warnings may cover many rows;
    ``row_ids`` then holds the key value of each of ``rows`` (same order; None where a row has none), so the text
    says which development, station or project was changed: ``rij 4 (ontwikkeling D17), kolom geometry``.
    A layer-level finding has no rows. ``source_column`` is the user's own name of ``column`` when the reader
    renamed it (a Dutch header, a mapping): messages name that one.
    """

    severity: str  # "error" | "repair" | "warning" | "note"
    code: str
    message: str
    column: str | None = None
    rows: list[int] = field(default_factory=list)
    row_id: Any = None
    value: Any = None
    suggestion: Any = None
    source_column: str | None = None
    row_ids: list[Any] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["value"] = _plain(self.value)
        d["row_id"] = _plain(self.row_id)
        d["suggestion"] = _plain(self.suggestion)
        d["rows"] = [int(r) for r in self.rows]
        d["row_ids"] = [_plain(i) for i in self.row_ids]
        return d

    def to_text(self, noun: str | None = None) -> str:
        """One line of Dutch; ``noun`` names what a row is (``ontwikkeling``) next to its id."""
        where = []
        named = len(self.row_ids) == len(self.rows) and any(i not in (None, "") for i in self.row_ids)
        if self.rows:
            def row(k: int) -> str:
                rid = self.row_ids[k] if named else None
                if rid in (None, ""):
                    return str(self.rows[k] + 1)
                first = k == 0 or all(i in (None, "") for i in self.row_ids[:k])
                return f"{self.rows[k] + 1} ({noun or 'id'} {rid})" if first else f"{self.rows[k] + 1} ({rid})"

            if len(self.rows) == 1:
                where.append(f"rij {row(0)}")
            else:
                shown = ", ".join(row(k) for k in range(min(10, len(self.rows))))
                where.append(f"rijen {shown}{' …' if len(self.rows) > 10 else ''} ({len(self.rows)} rijen)")
        if self.row_id not in (None, ""):
            where.append(f"id {self.row_id}")
        if self.column:
            where.append(f"kolom {self.source_column} ({self.column})" if self.source_column and
                         self.source_column != self.column else f"kolom {self.column}")
        head = (", ".join(where) + ": ") if where else ""
        text = f"{head}{self.message}"
        if self.value is not None and _plain(self.value) is not None:
            text += f" [waarde: {_plain(self.value)!r}]"
        if self.suggestion:
            text += f" — bedoelde u {self.suggestion!r}?"
        return text


@dataclass
class ValidationReport:
    """The outcome of validating one layer.

    Attributes
    ----------
    kind : str
        Layer kind (``developments``, ``stations`` …).
    source : str or None
        Where the rows came from.
    rows_in, rows_kept, rows_rejected : int
        The row accounting; ``rows_in == rows_kept + rows_rejected`` always holds.
    errors, repairs, warnings : list of Finding
        Rejected rows (one finding per row and problem), changes made to kept data, and remarks.
    notes : list of Finding
        What the reader recognised while reading as documented, without changing any meaning: a Dutch or mapped
        header, a Dutch enum value, a number written as text (decimal comma), a reprojection from the source's own
        CRS, a municipality code derived from the location. Neither a repair nor a warning.

    Examples
    --------
    >>> import energieplanologie as ep
    >>> report = ep.load_sample().reports["developments"]
    >>> report.rows_in, report.rows_kept, report.rows_rejected, report.ok
    (60, 60, 0, True)
    >>> "column_mapped" in report.codes("note"), report.repairs, report.warnings
    (True, [], [])
    >>> print(report.to_text().splitlines()[0])  # doctest: +ELLIPSIS
    /.../ontwikkelingen.gpkg (developments): 60 rijen gelezen, 60 behouden, 0 afgewezen; ...
    """

    kind: str
    source: str | None = None
    rows_in: int = 0
    rows_kept: int = 0
    rows_rejected: int = 0
    errors: list[Finding] = field(default_factory=list)
    repairs: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)

    # -- building
    def layer_error(self, code: str, message: str, suggestion: str | None = None) -> None:
        self.errors.append(Finding("error", code, message, suggestion=suggestion))

    def row_error(self, *, row: int, row_id: Any, code: str, column: str | None, value: Any, message: str,
                  suggestion: Any = None) -> None:
        self.errors.append(Finding("error", code, message, column, [int(row)], row_id, value, suggestion))

    def repair(self, code: str, column: str | None, rows: list[int], message: str) -> None:
        self.repairs.append(Finding("repair", code, message, column, [int(r) for r in rows]))

    def warning(self, code: str, column: str | None, rows: list[int], message: str) -> None:
        self.warnings.append(Finding("warning", code, message, column, [int(r) for r in rows]))

    def note(self, code: str, column: str | None, rows: list[int], message: str) -> None:
        self.notes.append(Finding("note", code, message, column, [int(r) for r in rows]))

    def name_source_columns(self, renamed: dict[str, str]) -> None:
        """Record the user's own column name (``renamed``: canonical → source) on every finding about it."""
        for finding in self.findings():
            if finding.column in renamed and not finding.source_column:
                finding.source_column = renamed[finding.column]

    def findings(self) -> list[Finding]:
        """Every finding: errors, repairs, warnings, notes."""
        return [*self.errors, *self.repairs, *self.warnings, *self.notes]

    def unnamed_rows(self) -> set[int]:
        """Rows of repairs and warnings whose ids are not known yet (see :meth:`name_rows`)."""
        return {r for f in self.repairs + self.warnings if f.rows and not f.row_ids for r in f.rows}

    def name_rows(self, ids: Mapping[int, Any]) -> None:
        """Give repairs and warnings the ids of their rows (``ids``: row → key value, as :attr:`Finding.row_ids`).

        Examples
        --------
        >>> report = ValidationReport(kind="developments", rows_in=5)
        >>> report.repair("make_valid", "geometry", [3], "ongeldige geometrie hersteld")
        >>> report.name_rows({3: "D17"})
        >>> report.repairs[0].to_text("ontwikkeling")
        'rij 4 (ontwikkeling D17), kolom geometry: ongeldige geometrie hersteld'
        """
        for f in self.repairs + self.warnings:
            if f.rows and not f.row_ids:
                found = [ids.get(r) for r in f.rows]
                if any(i is not None for i in found):
                    f.row_ids = found

    # -- reading
    @property
    def ok(self) -> bool:
        """True when nothing was rejected and no layer-level error occurred."""
        return not self.errors

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({r for e in self.errors for r in e.rows})

    def codes(self, severity: str = "error") -> list[str]:
        """The codes of all findings of one severity, for tests and scripts."""
        items = {"error": self.errors, "repair": self.repairs, "warning": self.warnings, "note": self.notes}[severity]
        return [f.code for f in items]

    def summary(self) -> str:
        name = self.source or self.kind
        return (
            f"{name} ({self.kind}): {self.rows_in} rijen gelezen, {self.rows_kept} behouden, "
            f"{self.rows_rejected} afgewezen; {len(self.errors)} fouten, {len(self.repairs)} reparaties, "
            f"{len(self.warnings)} waarschuwingen"
        )

    def to_text(self) -> str:
        lines = [self.summary()]
        noun = ROW_NOUNS.get(self.kind)
        for title, items in (("Fouten", self.errors), ("Reparaties", self.repairs), ("Waarschuwingen", self.warnings),
                             ("Herkend bij het lezen (geen reparatie)", self.notes)):
            if items:
                lines.append(f"  {title}:")
                lines.extend(f"    - {f.to_text(noun)}" for f in items)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "rows_in": self.rows_in,
            "rows_kept": self.rows_kept,
            "rows_rejected": self.rows_rejected,
            "ok": self.ok,
            "errors": [f.to_dict() for f in self.errors],
            "repairs": [f.to_dict() for f in self.repairs],
            "warnings": [f.to_dict() for f in self.warnings],
            "notes": [f.to_dict() for f in self.notes],
        }

    def to_json(self, **kwargs: Any) -> str:
        kwargs.setdefault("ensure_ascii", False)
        kwargs.setdefault("indent", 2)
        return json.dumps(self.to_dict(), **kwargs)

    def raise_if_errors(self) -> ValidationReport:
        """Raise :class:`ValidationError` carrying this report when there are errors; else return self."""
        if self.errors:
            first = "; ".join(f.to_text() for f in self.errors[:5])
            raise ValidationError(f"{self.summary()}. {first}", self)
        return self

    def __str__(self) -> str:
        return self.to_text()


def merge_reports(first: ValidationReport, second: ValidationReport) -> ValidationReport:
    """Combine a reader's report (e.g. parse errors) with the validation report of the same layer.

    ``first.rows_in`` rows entered; ``first.rows_rejected`` of them were rejected before validation, the rest
    went into ``second``.
    """
    merged = ValidationReport(kind=second.kind, source=second.source or first.source, rows_in=first.rows_in)
    merged.errors = first.errors + second.errors
    merged.repairs = first.repairs + second.repairs
    merged.warnings = first.warnings + second.warnings
    merged.notes = first.notes + second.notes
    merged.rows_kept = second.rows_kept
    merged.rows_rejected = merged.rows_in - merged.rows_kept
    return merged
