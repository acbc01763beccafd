"""A page's search sections as Material's search ``Parser`` makes them, without ``html.parser``.

Material's search plugin divides every page into sections (one per heading
with an id) by feeding the page to a ``html.parser.HTMLParser`` subclass:
about 40 % of templating a note page went there. kbgen writes the pages'
HTML itself, so almost every page is plain markup — start and end tags with
quoted attributes, text, a few simple comments — that one regular expression
tokenizes. :func:`page_sections` replays Material's handlers over those tokens
and gives the same sections (heading, id, title and text pieces) the parser
would, piece for piece.

Anything outside that subset — a stray ``<``, an unquoted attribute value,
``<!DOCTYPE>``, a comment with ``--`` or ``!`` in it, raw-text elements
(``script``, ``style``, ``textarea``, ``title``, ``noscript`` …), a closing tag
whose opening Material would not find — makes it return None, and the caller
runs Material's own parser on that page. The replay mirrors
``material/plugins/search/plugin.py`` (Material 9.x, ``Parser``) handler by
handler; tests/test_search_sections.py holds it to Material's parser on the
bench vault's pages, the sample notes and generated odd markup.
"""
from __future__ import annotations

import re
from html import escape, unescape
from typing import Any

# One token at a time, covering the page without gaps: text, a start tag with quoted (or no)
# attribute values, an end tag, a comment without "--" or "!" inside, or a "<" we do not handle.
# Whitespace inside tags is ASCII only: html.parser's tag names end at [\t\n\r\f />], not at "\s".
_WS = r"[ \t\n\r\f]"
_TOKEN = re.compile(
    r"([^<]+)"
    rf"|<([a-zA-Z][-a-zA-Z0-9]*)((?:{_WS}+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:=\"[^\"]*\"|='[^']*')?)*){_WS}*(/?)>"
    rf"|</([a-zA-Z][-a-zA-Z0-9]*){_WS}*>"
    r"|(<!--(?:[^-<>!]|-(?!-))*-->)"
    r"|(<)")
# What Material's handlers look for in the attributes of a tag other than a heading: a tag whose
# attribute text holds none of these (and no character reference) gives them nothing to find.
_RELEVANT = re.compile(r"data-search-exclude|linenodiv|headerlink|&", re.IGNORECASE)
_ATTR = re.compile(rf"{_WS}+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:=\"([^\"]*)\"|='([^']*)')?")

# Elements whose content html.parser reads as raw text (script, style), or may in other Python
# versions (RCDATA, noscript, …): their pages go to Material's parser.
_RAW_TEXT = frozenset(("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
                       "noscript", "plaintext"))
# Material's sets: void elements are never in the context; kept tags are written into the text.
VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                  "source", "track", "wbr"))
KEEP = frozenset(("p", "code", "pre", "li", "ol", "ul", "sub", "sup"))
_ALWAYS_SKIPPED = ("object", "script", "style")
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


class SearchSection:
    """One section, as Material's ``Section``: the heading that opens it, its id, title and text pieces."""

    __slots__ = ("tag", "attrs", "depth", "id", "title", "text")

    def __init__(self, tag: str, attrs: dict[str, Any], depth: float = 0) -> None:
        self.tag, self.attrs, self.depth = tag, attrs, depth
        self.id: str | None = None
        self.title: list[str] = []
        self.text: list[str] = []

    def is_excluded(self) -> bool:
        return "data-search-exclude" in self.attrs


class _Unhandled(Exception):
    """The page holds something this module does not replay: Material's parser takes it."""


def page_sections(page_html: str) -> list[SearchSection] | None:
    """Material's search sections of ``page_html``, or None when it needs Material's own parser."""
    try:
        return _replay(page_html)
    except _Unhandled:
        return None


def _attributes(text: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for m in _ATTR.finditer(text):
        name, double, single = m.groups()
        value = double if double is not None else single
        if value and "&" in value:
            value = unescape(value)
        attrs[name.lower()] = value  # the last of a repeated name wins, as dict(attrs) in Material
    return attrs


def _replay(page_html: str) -> list[SearchSection]:
    """Material's ``Parser`` handlers (handle_starttag, handle_endtag, handle_data) over the tokens.

    One loop with local state, because it runs for every page. Material compares its
    context's elements by tag name (``Element.__eq__``), so a context of tag names with
    counts answers its ``in`` and ``skip.intersection`` tests.
    """
    data: list[SearchSection] = []
    section: SearchSection | None = None
    tags: list[str] = []  # the context: open elements' tags …
    permalink_flags: list[bool] = []  # … and whether each is an <a class="headerlink">
    count: dict[str, int] = {}  # open elements by tag
    skip = set(_ALWAYS_SKIPPED)
    skipped = 0  # open elements whose tag is in skip
    permalinks = 0  # open <a class="headerlink">
    first: dict[int, dict[str, int]] = {}  # where each kept tag's opening first is in a list (list.index)

    for text, name, attr_text, slash, end_name, _comment, other in _TOKEN.findall(page_html):
        if text:  # handle_data
            if skipped:
                continue
            if "&" in text:
                text = unescape(text)
            in_pre = count.get("pre")
            if not in_pre:
                text = text.replace("\n", " ") if not text.isspace() else " "
            if section is None:
                section = SearchSection("hx", {})
                data.append(section)
            if count.get(section.tag):
                if not permalinks:
                    section.title.append(escape(text, quote=False))
            elif text.isspace():
                pieces = section.text
                if not pieces or not pieces[-1].isspace() or in_pre:
                    pieces.append(text)
            else:
                section.text.append(escape(text, quote=False))
            continue
        if name:  # handle_starttag (and handle_endtag after it for <tag/>)
            tag = name.lower()
            if tag in _RAW_TEXT:
                raise _Unhandled
            if tag not in VOID:
                attrs = _attributes(attr_text) if attr_text and (tag in _HEADINGS or _RELEVANT.search(attr_text)) else {}
                tags.append(tag)
                permalink = tag == "a" and attrs.get("class") == "headerlink"
                permalink_flags.append(permalink)
                permalinks += permalink
                count[tag] = count.get(tag, 0) + 1
                if tag in skip:
                    skipped += 1
                if tag in _HEADINGS and "id" in attrs:
                    depth = len(tags)
                    if tag != "h1" and not data:
                        data.append(SearchSection("hx", {}, depth))
                    had_data = bool(data)
                    section = SearchSection(tag, attrs, depth)
                    if had_data:
                        section.id = attrs["id"]
                    data.append(section)
                if section is None:
                    section = SearchSection("hx", {})
                    data.append(section)
                if "data-search-exclude" in attrs or attrs.get("class") == "linenodiv":
                    if tag not in skip:
                        skip.add(tag)
                        skipped += count[tag]
                elif not skipped and tag in KEEP:
                    pieces = section.title if count.get(section.tag) else section.text
                    first.setdefault(id(pieces), {}).setdefault(f"<{tag}>", len(pieces))
                    pieces.append(f"<{tag}>")
            if not slash:
                continue
            end_name = name
        elif other:
            raise _Unhandled
        if not end_name:
            continue  # a comment: Material's parser ignores it (it only splits the text around it)
        # handle_endtag
        tag = end_name.lower()
        if not tags or tags[-1] != tag:
            continue
        assert section is not None
        if section.depth > len(tags):  # leaving the element a heading was nested in
            for earlier in reversed(data):
                if earlier.depth <= len(tags):
                    section.depth = float("inf")
                    section = earlier
                    break
        tags.pop()
        permalinks -= permalink_flags.pop()
        count[tag] -= 1
        if tag in skip:
            skipped -= 1
            if tag not in _ALWAYS_SKIPPED:
                skip.remove(tag)
                skipped -= count[tag]
            continue
        if skipped or tag not in KEEP:
            continue
        pieces = section.title if count.get(section.tag) else section.text
        opening = f"<{tag}>"
        index = first.get(id(pieces), {}).get(opening)
        if index is None:
            raise _Unhandled  # Material's data.index() raises here
        for i in range(index + 1, len(pieces)):
            if not pieces[i].isspace():
                pieces.append(f"</{tag}>")
                break
        else:  # an element holding only whitespace leaves nothing
            del pieces[index:]
            del first[id(pieces)][opening]
    return data
