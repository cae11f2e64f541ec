"""Small, safe text, HTML and JSON helpers shared by the maps, the municipality pages, the charts and the pMIEK.

Light on purpose (no folium, no matplotlib): every module that writes text for people may import it.

Every value that comes from data passes :func:`esc` (``html.escape`` with quotes) before it lands in HTML, and
every object handed to JavaScript passes :func:`script_json`, which escapes ``<`` (so no tag, comment or end of
the ``<script>`` element can start in data), ``&``, ``'`` and the JavaScript line separators, and the ``{`` of
``{{``/``{%``/``{#`` (folium renders its output through Jinja a second time: an unescaped ``{{ … }}`` in data
would be evaluated there).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from energieplanologie._distinct import object_array, per_value
from energieplanologie.labels import format_number

__all__ = ["JsonText", "esc", "fmt_year", "is_missing", "json_text", "kv_table", "render_template", "safe_file_stem",
           "script_json", "table_html"]


@cache
def _environment() -> Any:
    """The package's one Jinja environment: the templates in ``energieplanologie/templates``, every value escaped,
    an unknown name an error; block tags on their own line leave no blank line behind."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("energieplanologie", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(template: str, /, **context: Any) -> str:
    """Render the package template ``template`` (in ``energieplanologie/templates``) with ``context``.

    Every value is HTML-escaped unless it is :class:`markupsafe.Markup`; a name the template uses but the context
    lacks raises :class:`jinja2.UndefinedError` (a programming error, never silent).

    Examples
    --------
    >>> html = render_template("overview_index.html", region_name="Zeeuws-Vlaanderen & <omgeving>", year=2030,
    ...                        entries=[])
    >>> "Zeeuws-Vlaanderen &amp; &lt;omgeving&gt;: overzicht per gemeente (2030)" in html
    True
    """
    return str(_environment().get_template(template).render(**context))


def is_missing(value: Any) -> bool:
    """True for None, NaN, NA and NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def esc(value: Any) -> str:
    """HTML-escape any value (None/NaN → empty string).

    Examples
    --------
    >>> esc('<img src=x onerror=alert(1)>')
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> esc('"><script>')
    '&quot;&gt;&lt;script&gt;'
    """
    if is_missing(value):
        return ""
    return html.escape(str(value), quote=True)


def fmt_year(value: Any) -> str:
    """A year as text; missing as an en dash."""
    return "–" if is_missing(value) else str(int(value))


#: What :func:`script_json` escapes. Not ``>``: with every ``<`` escaped no tag can be open for it to close, and its
#: six-byte escape cost a national map's popups a fifth of the page (34 of 175 MB at 10⁵ developments).
_JS_ESCAPES = (("<", "\\u003c"), ("&", "\\u0026"), ("'", "\\u0027"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
_TEMPLATE_OPENERS = re.compile(r"\{(?=[{%#])")


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):  # keys as JSON writes them: text as is, True/False/None as true/false/null
        return {k if k is None or isinstance(k, bool) else str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if is_missing(obj):
        return None
    return obj


def _plain_leaf(obj: Any) -> Any:
    """``json.dumps``'s ``default``: a numpy scalar or missing value JSON cannot write by itself, made plain."""
    plain = _plain(obj)
    if plain is obj:  # not ours to convert: json's own TypeError
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")
    return plain


class JsonText(str):
    """Text that is JSON already (built by the caller, e.g. :mod:`energieplanologie.maps._features`):
    :func:`script_json` makes it safe for a ``<script>`` element without encoding it again."""

    __slots__ = ()


def json_text(obj: Any) -> str:
    """The JSON text :func:`script_json` writes for ``obj`` before it escapes it for a page: compact, NaN/inf as
    ``null``, numpy scalars as plain numbers. The text of a value inside a list or dict is the same text as its own,
    so a caller can write the JSON of a large structure from the texts of its parts.

    Examples
    --------
    >>> json_text({"a": [np.int64(2), float("nan"), "<b>"]})
    '{"a":[2,null,"<b>"]}'
    """
    try:  # one pass of json's C encoder; a NaN/inf float (or a key it cannot write) needs the walk through _plain
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_plain_leaf)
    except (TypeError, ValueError):
        return json.dumps(_plain(obj), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def script_json(obj: Any) -> str:
    """JSON text that is safe to place inside an HTML ``<script>`` element (and through a Jinja pass).

    NaN/inf become ``null``; numpy scalars become plain numbers. In JSON text ``{{``, ``{%`` and ``{#`` can
    only occur inside strings, where ``\\u007b`` means the same ``{``. A :class:`JsonText` is JSON already: it is
    only escaped.

    Examples
    --------
    >>> script_json({"name": "</script><b>{{ 7*7 }}"})
    '{"name":"\\\\u003c/script>\\\\u003cb>\\\\u007b{ 7*7 }}"}'
    >>> script_json({"x": [np.float64(0.5), np.int64(2), float("nan"), np.bool_(True)]})
    '{"x":[0.5,2,null,true]}'
    >>> script_json(JsonText('{"a":"<b>"}'))
    '{"a":"\\\\u003cb>"}'
    """
    text = str(obj) if isinstance(obj, JsonText) else json_text(obj)
    for char, escaped in _JS_ESCAPES:  # str.replace per character: str.translate to longer text is ~10x slower
        if char in text:
            text = text.replace(char, escaped)
    return _TEMPLATE_OPENERS.sub(r"\\u007b", text)


def kv_table(rows: Iterable[tuple[str, Any]], *, raw: Sequence[str] = ()) -> str:
    """A two-column table of label → value; values are escaped unless their label is in ``raw``."""
    cells = []
    for label, value in rows:
        if value is None or value == "":
            continue
        shown = value if label in raw else esc(value)
        cells.append(f"<tr><th>{esc(label)}</th><td>{shown}</td></tr>")
    return "<table>" + "".join(cells) + "</table>"


def table_html(frame: pd.DataFrame, *, numeric: Sequence[str] = (), decimals: int = 1, css_class: str = "",
               row_attrs: Sequence[str] | None = None, raw: Sequence[str] = ()) -> str:
    """An HTML table of a frame: headers and cells escaped; ``numeric`` columns Dutch-formatted, right-aligned.

    ``row_attrs`` (one already-safe attribute string per row) lets a caller mark rows (e.g. ``data-year``).
    Columns in ``raw`` are inserted as given (the caller built them from escaped parts). The cells are made a column
    at a time, each distinct number or text formatted once (:func:`_cell_texts`): a municipality's table of
    thousands of developments repeats its sectors, years and MW.

    Examples
    --------
    >>> table_html(pd.DataFrame({"Naam": ["<b>A</b>", None], "MW": [1234.56, float("nan")]}), numeric=["MW"])
    '<table><thead><tr><th>Naam</th><th class="num">MW</th></tr></thead><tbody><tr><td>&lt;b&gt;A&lt;/b&gt;</td><td class="num">1.234,6</td></tr><tr><td></td><td class="num">–</td></tr></tbody></table>'
    """
    cls = f' class="{esc(css_class)}"' if css_class else ""
    head = "".join(f'<th class="num">{esc(c)}</th>' if c in numeric else f"<th>{esc(c)}</th>" for c in frame.columns)
    n = len(frame)
    rows = np.full(n, "<tr>", dtype=object) if row_attrs is None else \
        np.array([f"<tr {a}>" for a in row_attrs], dtype=object).reshape(n)
    for i, col in enumerate(frame.columns):
        values = frame.iloc[:, i]
        if col in numeric:
            rows = rows + '<td class="num">' + _cell_texts(values, lambda v: format_number(v, decimals), numbers=True) + "</td>"
        elif col in raw:
            rows = rows + "<td>" + np.array([f"{v}" for v in values.tolist()], dtype=object).reshape(n) + "</td>"
        else:
            rows = rows + "<td>" + _cell_texts(values, esc) + "</td>"
    body = "".join((rows + "</tr>").tolist()) if n else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell_texts(values: pd.Series, fn: Any, *, numbers: bool = False) -> np.ndarray:
    """``fn`` of every cell of a column, as an object array: once per distinct value (:func:`~._distinct.per_value`)
    where values that pandas holds equal are written alike (texts, integers, and with ``numbers`` — ``fn`` is
    :func:`~energieplanologie.labels.format_number`, which writes ``-0.0`` as ``0.0`` and ``1`` as ``1.0`` — any
    numbers), cell by cell otherwise (``str(-0.0)`` is not ``str(0.0)``, nor ``str(1)`` ``str(1.0)``)."""
    kind = pd.api.types.infer_dtype(values, skipna=True) if len(values) else "empty"
    if kind in (("string", "integer", "floating", "mixed-integer-float") if numbers else ("string", "integer")):
        return per_value(values, fn)  # a missing cell goes to fn as None: esc and format_number write NaN, NA alike
    return object_array([fn(v) for v in values.tolist()])


_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com\d|lpt\d)")


def safe_file_stem(value: Any, *, fallback: str = "_") -> str:
    """A file name stem from an id (a municipality code, station or project id) that can never leave its folder.

    Only letters, digits, ``-`` and ``_`` are kept (others become ``_``), leading/trailing ``_``/``-`` are
    stripped, at most 80 characters, never empty (``fallback``) and never a reserved Windows name. When the id had
    to change, a short hash of it is appended, so two different ids never share a file. Windows and macOS ignore
    case in file names, so an id with small letters carries its hash too (``P-a`` and ``P-A`` are two files
    there as well); ids in capitals and digits, as codes usually are, stay as they are.

    Examples
    --------
    >>> safe_file_stem("GM0715"), safe_file_stem("../../etc/passwd"), safe_file_stem("", fallback="project")
    ('GM0715', 'etc_passwd-936d7c04', 'project-da39a3ee')
    >>> safe_file_stem("P-A"), safe_file_stem("P-a")
    ('P-A', 'P-a-3fb81604')
    """
    raw = "" if is_missing(value) else str(value)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", raw).strip("_-")[:80] or fallback
    if _RESERVED.fullmatch(stem):
        stem = f"{fallback}_{stem}"
    if stem != raw or re.search(r"[a-z]", raw):
        stem += "-" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:8]
    return stem
