"""Large JSON kept out of the page while it is rendered, and put back at the end.

A region map's data (feature collections, tens of megabytes at national scale) would otherwise pass through
branca's rendering and through every whole-page regular expression of :func:`~.publish.render_html` (stable
element ids, asset inlining), none of which concerns it. :func:`~.publish.render_html` renders the map inside
``with Slots.collecting() as slots:``; an element whose text is such data calls :meth:`Slots.text`, which during
that render keeps the text in the table and returns a short token, and :meth:`Slots.fill` puts the texts back
into the finished page. Rendered outside it (folium's own ``Map.save``, a notebook's display), :meth:`Slots.text`
returns the text itself: the page is the same. (A context variable rather than a render keyword argument: not
every folium element accepts keyword arguments in ``render``.)
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from contextvars import ContextVar

__all__ = ["Slots"]


class Slots:
    """Texts taken out of a page during its rendering, each behind a token that is unique to this table.

    The token (``EPSLOT-<20 hex digits>-<n>-``) is not an element id (those are 32 hex digits) nor anything
    :mod:`~.publish` rewrites, and its random part makes it impossible to meet by chance in the page.

    Examples
    --------
    >>> slots = Slots()
    >>> page = f"<script>f({slots.defer('[1,2]')});</script>"
    >>> page.startswith("<script>f(EPSLOT-")
    True
    >>> slots.fill(page)
    '<script>f([1,2]);</script>'
    """

    def __init__(self) -> None:
        self._prefix = f"EPSLOT-{uuid.uuid4().hex[:20]}-"
        self._pattern = re.compile(re.escape(self._prefix) + r"(\d+)-")
        self._texts: list[str] = []

    def defer(self, text: str) -> str:
        """Keep ``text``; return the token that stands for it in the page."""
        self._texts.append(text)
        return f"{self._prefix}{len(self._texts) - 1}-"

    def fill(self, page: str) -> str:
        """``page`` with every token of this table replaced by its text (in one pass, left to right)."""
        if not self._texts:
            return page
        return self._pattern.sub(lambda m: self._texts[int(m.group(1))], page)

    @staticmethod
    @contextlib.contextmanager
    def collecting() -> Iterator[Slots]:
        """A new table that :meth:`text` fills while the ``with`` block runs (in this thread or task)."""
        slots = Slots()
        reset = _ACTIVE.set(slots)
        try:
            yield slots
        finally:
            _ACTIVE.reset(reset)

    @staticmethod
    def text(text: str) -> str:
        """What an element writes for ``text``: inside :meth:`collecting` a token of that table, else the text.

        Examples
        --------
        >>> Slots.text("[1]")
        '[1]'
        >>> with Slots.collecting() as slots:
        ...     page = Slots.text("[1]")
        >>> page != "[1]" and slots.fill(page) == "[1]"
        True
        """
        slots = _ACTIVE.get()
        return text if slots is None else slots.defer(text)


_ACTIVE: ContextVar[Slots | None] = ContextVar("energieplanologie_slots", default=None)
