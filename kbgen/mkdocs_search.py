"""Material's search plugin: kept linear in a page's size, and fed without html.parser where it can be.

Material's search ``Parser`` closes a kept element (``p``, ``code``, ``li`` …)
by ``data.index("<tag>")`` over the section's text collected so far: every
closing tag scans from the section's start to the first opening of that tag.
A long section whose first ``<code>`` or ``<li>`` comes late, followed by many
more, costs (closings × position), seconds on one long note (the hostile-notes
smoke build spent 7 of its 9 s there).

:class:`TagIndexedList` answers the same ``index`` from positions it keeps as
items are appended and popped — the same first occurrence, so the search index
is unchanged — and :func:`install` makes Material's sections collect into it.
Nothing else of Material's parser changes; this module is adapter code and
goes with Material.

:class:`SectionsIndex` takes a page's sections from :mod:`kbgen.search.sections`
(the same sections, made from one regular expression's tokens) and gives the
page to Material's parser only when that module declines it; every entry is
still made by Material's ``create_entry_for_section``.
"""
from __future__ import annotations

from typing import Any, SupportsIndex

from material.plugins.search import plugin as material_search

from .search.sections import page_sections


class TagIndexedList(list):
    """A list of strings that finds its first ``"<tag>"`` item without scanning."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__()
        self._openings: dict[str, list[int]] = {}
        for item in items:
            self.append(item)

    def append(self, item: Any) -> None:
        if _is_opening(item):
            self._openings.setdefault(item, []).append(len(self))
        super().append(item)

    def extend(self, items: Any) -> None:
        for item in items:
            self.append(item)

    def pop(self, index: SupportsIndex = -1) -> Any:
        if int(index) not in (-1, len(self) - 1):
            raise NotImplementedError("TagIndexedList only pops its last item")
        item = super().pop()
        if _is_opening(item):
            self._openings[item].pop()
        return item

    def index(self, item: Any, *args: Any) -> int:
        positions = self._openings.get(item) if not args and _is_opening(item) else None
        if positions:
            return positions[0]
        return super().index(item, *args)


def _is_opening(item: Any) -> bool:
    return isinstance(item, str) and item.startswith("<") and not item.startswith("</")


class _Section(material_search.Section):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.text = TagIndexedList(self.text)
        self.title = TagIndexedList(self.title)


def install() -> None:
    """Make Material's search parser collect section text into :class:`TagIndexedList`."""
    if material_search.Section is not _Section:
        material_search.Section = _Section


class SectionsIndex(material_search.SearchIndex):
    """Material's ``SearchIndex`` whose pages are divided by :func:`kbgen.search.sections.page_sections`."""

    def add_entry_from_context(self, page: Any) -> None:
        search = page.meta.get("search") or {}
        if search.get("exclude"):
            return
        sections = page_sections(page.content)
        if sections is None:  # markup outside what page_sections replays: Material's own parser
            super().add_entry_from_context(page)
            return
        for section in sections:
            if not section.is_excluded():
                self.create_entry_for_section(section, page.toc, page.url, page)


def use_sections_index(index: Any) -> None:
    """Make Material's search index (``SearchPlugin.search_index``) divide pages with :class:`SectionsIndex`."""
    if type(index) is material_search.SearchIndex:
        index.__class__ = SectionsIndex
