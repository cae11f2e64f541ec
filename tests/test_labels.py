"""Dutch labels and the one Dutch number formatter (``labels.format_number``)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from energieplanologie.labels import format_number


@pytest.mark.parametrize(("value", "args", "kwargs", "expected"), [
    # Thousands with a dot, decimals with a comma, rounded to the decimals asked for.
    (1234.567, (2, "MW"), {}, "1.234,57 MW"),
    (1234567.0, (0,), {}, "1.234.567"),
    (28.5, (), {}, "28,5"),
    (-12.25, (1,), {}, "-12,2"),  # half to even, as Python's format
    # A rounded zero never shows a minus sign.
    (-0.04, (), {}, "0,0"),
    # trim: no trailing zeros (the knooppunten's reasons: "totaal 20 MW").
    (20.0, (), {"trim": True}, "20"),
    (393.80, (2,), {"trim": True}, "393,8"),
    (1500.0, (1, "MW"), {"trim": True}, "1.500 MW"),
    # Missing values: an en dash, or the text asked for, never "nan".
    (None, (1, "MW"), {}, "–"),
    (float("nan"), (), {"missing": "onbekend"}, "onbekend"),
    (pd.NA, (), {}, "–"),
    (math.inf, (), {}, "∞"),
])
def test_format_number_writes_dutch_numbers(value: object, args: tuple, kwargs: dict, expected: str) -> None:
    assert format_number(value, *args, **kwargs) == expected


def test_the_modules_format_numbers_through_the_one_formatter() -> None:
    """No module keeps a formatter of its own (the four ways the issue found: "1.234,5", "1 234,5", "1234,5", and
    the plugin's copy)."""
    from pathlib import Path

    import energieplanologie

    root = Path(energieplanologie.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ('.replace(".", ",")', ".replace('.', ',')", "def fmt_number(", "def _fmt("):
            if needle in text:
                offenders.append(f"{path.relative_to(root)}: {needle}")
    assert offenders == []
