"""maps._slots: the map's data kept out of the page while publish rewrites it, and put back unchanged."""

from __future__ import annotations

import re

import pytest

from energieplanologie.maps import region_map, render_html
from energieplanologie.maps._slots import Slots
from energieplanologie.maps.publish import _stable_ids


def test_tokens_are_filled_left_to_right_and_only_those_of_the_table():
    slots = Slots()
    first, second = slots.defer('{"a":1}'), slots.defer("[2,3]")
    other = Slots().defer("x")  # another table's token is text like any other
    page = f"<script>f({first}, {second}); g({other}); h({first});</script>"
    assert re.fullmatch(r"EPSLOT-[0-9a-f]{20}-0-", first) and second.endswith("-1-")
    # written by hand: each token becomes its own text, the foreign one stays as it was
    assert slots.fill(page) == f'<script>f({{"a":1}}, [2,3]); g({other}); h({{"a":1}});</script>'
    # backslashes and group references in the text are not regular-expression templates
    slots2 = Slots()
    text = r"\1 \\u003c"
    assert slots2.fill("[" + slots2.defer(text) + "]") == "[" + text + "]"


def test_text_is_deferred_only_inside_collecting():
    assert Slots.text("[1]") == "[1]"
    with Slots.collecting() as slots:
        token = Slots.text("[1]")
        with Slots.collecting() as inner:  # nested: the innermost table, then the outer one again
            assert inner.fill(Slots.text("[2]")) == "[2]"
        assert slots.fill(Slots.text("[3]")) == "[3]"
    assert token != "[1]" and slots.fill(token) == "[1]"
    assert Slots.text("[4]") == "[4]"  # the table is gone after the block


@pytest.fixture(scope="module")
def sample_region():
    from energieplanologie.sample import load_sample

    return load_sample()


def test_published_page_equals_folium_own_rendering(sample_region):
    # render_html keeps the layers' JSON out of the page while it renames ids and inlines assets; folium's own
    # render (Map.save, a notebook) writes it in place. After the same id renaming both pages are the same text.
    # (Two maps of the same data: folium adds elements while it renders, so a map is rendered only once.)
    published = render_html(region_map(sample_region, year=2030), self_contained=False)
    root = region_map(sample_region, year=2030).get_root()
    own = _stable_ids(root.render(), root)
    assert "EPSLOT-" not in published and "EPSLOT-" not in own
    assert published == own
    assert published.count("EP.dataLayer(") >= 3
