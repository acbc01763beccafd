"""Material's search parser under kbgen: the same sections, without rescanning a section per closing tag."""
from __future__ import annotations

import random

import pytest
from material.plugins.search import plugin as material_search

from kbgen import mkdocs_search
from kbgen.mkdocs_search import TagIndexedList

# Material's own class, even after a build in this process has installed kbgen's.
MATERIAL_SECTION = mkdocs_search._Section.__bases__[0]


def material_parse(html: str, section_class: type = MATERIAL_SECTION) -> list:
    """Material's search Parser over ``html`` with ``section_class`` as its Section: its sections."""
    original = material_search.Section
    material_search.Section = section_class
    try:
        parser = material_search.Parser()
        parser.feed(html)
        parser.close()
    finally:
        material_search.Section = original
    return parser.data


def _sections(html: str, section_class: type) -> list[tuple[str, str, str | None]]:
    return [("".join(s.title), "".join(s.text), s.id) for s in material_parse(html, section_class)]


def _random_html(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 60)):
        kind = rng.choice(["p", "code", "li", "empty", "space", "heading", "pre", "sub", "mixed"])
        if kind == "p":
            parts.append(f"<p>문단 {rng.randint(0, 9)} <strong>굵게</strong></p>")
        elif kind == "code":
            parts.append(f"<p>앞 <code>x{rng.randint(0, 9)}</code> 뒤</p>")
        elif kind == "li":
            parts.append("<ul>" + "".join(f"<li>항목 {i}</li>" for i in range(rng.randint(0, 4))) + "</ul>")
        elif kind == "empty":
            parts.append(rng.choice(["<p></p>", "<p> </p>", "<code></code>", "<ol><li> </li></ol>"]))
        elif kind == "space":
            parts.append("\n  \n")
        elif kind == "heading":
            level = rng.randint(1, 4)
            parts.append(f'<h{level} id="h{len(parts)}">제목 <code>c</code></h{level}>')
        elif kind == "pre":
            parts.append("<pre><code>a &lt; b\n  c</code></pre>")
        elif kind == "sub":
            parts.append("<p>H<sub>2</sub>O x<sup>2</sup></p>")
        else:
            parts.append("<div><p>안 <em>쪽</em> <code>k</code></p><li>떠돌이</li></div>")
    return "".join(parts)


@pytest.mark.parametrize("seed", range(40))
def test_sections_equal_materials_own(seed: int) -> None:
    html = _random_html(random.Random(seed))
    assert _sections(html, mkdocs_search._Section) == _sections(html, MATERIAL_SECTION)


def test_a_long_section_with_late_code_gives_materials_sections() -> None:
    html = "<h2 id='s'>S</h2>" + "<p>글</p>" * 3000 + "<p><code>a</code> <code></code> b</p>" * 500
    assert _sections(html, mkdocs_search._Section) == _sections(html, MATERIAL_SECTION)


class _CountingStr(str):
    comparisons = 0

    def __eq__(self, other: object) -> bool:
        _CountingStr.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_index_finds_the_first_opening_without_scanning_the_list() -> None:
    items = TagIndexedList()
    for _ in range(10_000):
        items.append(_CountingStr("글"))
    items.append(_CountingStr("<code>"))
    items.append(_CountingStr("<code>"))
    _CountingStr.comparisons = 0
    assert items.index("<code>") == 10_000
    assert _CountingStr.comparisons < 5  # list.index would compare 10,000 items first


def test_index_follows_appends_and_pops() -> None:
    rng = random.Random(7)
    fast, plain = TagIndexedList(), []
    for _ in range(5000):
        if plain and rng.random() < 0.4:
            assert fast.pop() == plain.pop()
        else:
            item = rng.choice(["<p>", "<code>", "<li>", "글", " ", "</p>"])
            fast.append(item)
            plain.append(item)
        for tag in ("<p>", "<code>", "<li>"):
            expected = plain.index(tag) if tag in plain else None
            got = fast.index(tag) if tag in plain else None
            assert got == expected
    assert list(fast) == plain


def test_install_makes_materials_parser_collect_into_it() -> None:
    original = material_search.Section
    material_search.Section = MATERIAL_SECTION
    try:
        mkdocs_search.install()
        section = material_search.Section(material_search.Element("hx"))
        assert isinstance(section.text, TagIndexedList) and isinstance(section.title, TagIndexedList)
    finally:
        material_search.Section = original
