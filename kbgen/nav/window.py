"""Each page's sidebar: the open sections cut to the neighbourhood of the page.

Material's ``navigation.prune`` leaves out the children of closed sections, but
an open section still lists every child, and a section holds as many notes as
the author puts in a folder (or under a ``parent:``): the page grew with the
vault. Here every open list longer than :data:`LIMIT` shows the items around
the open one and a last link, "all N", to the complete list of the section
(kbgen.nav.folders): kbgen's folder page, or the list appended to the folder
note or parent note the author wrote. Previous/next links and breadcrumbs are
untouched, so every note stays reachable from every page. An author's ``nav:``
in mkdocs.yml is not cut (the adapter does not call this then): no page lists it.

Works on MkDocs's navigation objects by duck typing (``children``, ``active``,
``is_index``, ``url``), so this module needs no MkDocs import.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

# Items an open list shows at most (the window, besides the section's own page and the "all" link).
LIMIT = 15


@dataclass
class MoreLink:
    """The "all N" link closing a cut list; Material renders it like a page link."""

    title: str
    url: str
    children: None = None
    active: bool = False
    is_page: bool = False
    is_section: bool = False
    is_link: bool = True
    is_index: bool = False
    meta: None = None


class OpenSection:
    """A section as this page shows it: Material reads everything from the real one but ``children``."""

    def __init__(self, section: Any, children: list[Any]) -> None:
        self._section = section
        self.children = children

    def __getattr__(self, name: str) -> Any:
        return getattr(self._section, name)


class PageNav:
    """The navigation Material's templates see for one page: ``items`` cut, the rest the site's."""

    def __init__(self, nav: Any, items: list[Any]) -> None:
        self._nav = nav
        self.items = items

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.items)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._nav, name)


def window(count: int, active: int | None, limit: int = LIMIT) -> tuple[int, int]:
    """[start, end) of the ``limit`` items around ``active`` (the first ones when none is open)."""
    if count <= limit:
        return 0, count
    centre = active if active is not None else 0
    start = max(0, min(centre - limit // 2, count - limit))
    return start, start + limit


def cut_items(items: Sequence[Any], more: str, top_url: str | None, listings: Mapping[str, str],
              limit: int = LIMIT, *, closed_pruned: bool = False) -> list[Any]:
    """``items`` (the top list) as the page shows it; open sections below are cut the same way.

    ``more`` is the link's text with ``{n}`` for the list's length. A list is cut
    only when a page lists all of it: ``listings`` maps a section's own page's
    URL to the URL of its complete list (that page, or an anchor on it);
    ``top_url`` is the page listing the top list (None: there is none, the top
    list stays whole).

    ``closed_pruned``: the theme prunes every closed section (Material's
    ``navigation.prune`` without ``navigation.sections``, see :func:`prunes_closed`).
    A pruned section is drawn as one link to its first page, yet Material's
    nav-item macro still walks all its children looking for an index page, on
    every page: the sidebar's cost grew with the folders' sizes, that is with
    the vault. Such a section is handed over with its first child only (that
    child's own section likewise): the same HTML.
    """
    return _cut(list(items), more, top_url, listings, limit, closed_pruned)


def shown_range(items: Sequence[Any], active: Any, own_url: str | None, limit: int = LIMIT) -> tuple[int, int, int]:
    """(own, start, end): a list shows its first ``own`` items (the section's own page), then
    ``items[own:][start:end]``; the "all N" link follows when that is not all of them. ``active``: the
    item open on the page's path (None: none). kbgen serve's navigation views use it too."""
    own = 1 if items and getattr(items[0], "is_index", False) else 0
    rest = items[own:]
    position = next((i for i, item in enumerate(rest) if item is active), None)
    start, end = window(len(rest), position, limit) if own_url is not None else (0, len(rest))
    return own, start, end


def section_listing(section: Any, listings: Mapping[str, str]) -> str | None:
    """The URL of the complete list of an open section's children, or None (it is never cut)."""
    children = getattr(section, "children", None) or []
    first = children[0] if children else None
    return listings.get(first.url) if first is not None and getattr(first, "is_index", False) else None


def prunes_closed(features: Sequence[str]) -> bool:
    """Whether Material draws every closed section as a single link (nav-item.html's ``is_pruned``).

    With ``navigation.sections`` a closed top-level section is drawn whole (and,
    with tabs, the second level of the open tab), so nothing is shortened then.
    """
    return "navigation.prune" in features and "navigation.sections" not in features


def _cut(items: list[Any], more: str, own_url: str | None, listings: Mapping[str, str], limit: int,
         closed_pruned: bool) -> list[Any]:
    active = next((item for item in items if getattr(item, "active", False)), None)
    size, start, end = shown_range(items, active, own_url, limit)
    own, rest = items[:size], items[size:]
    shown = [_open(item, more, listings, limit, closed_pruned) if item is active
             else _pruned(item) if closed_pruned else item
             for item in rest[start:end]]
    if end - start < len(rest) and own_url is not None:
        shown.append(MoreLink(more.format(n=len(rest)), own_url))
    return own + shown


def _open(item: Any, more: str, listings: Mapping[str, str], limit: int, closed_pruned: bool) -> Any:
    children = getattr(item, "children", None)
    if not children:
        return item
    # No complete list of the section anywhere (a short one is never cut): left whole.
    return OpenSection(item, _cut(list(children), more, section_listing(item, listings), listings, limit,
                                  closed_pruned))


def _pruned(item: Any) -> Any:
    """A closed section as a pruned one is drawn: its first child (recursively), nothing else.

    Material's ``render_pruned`` reads only ``children | first`` (down to a page)
    and whether ``children`` is empty; the index page it looks for beforehand is
    not used for a pruned section.
    """
    children = getattr(item, "children", None)
    if not children or len(children) == 1 and not getattr(children[0], "children", None):
        return item
    return OpenSection(item, [_pruned(children[0])])
