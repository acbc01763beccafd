"""What each page shows of the rest of the site: its view of the navigation, as a digest.

A note's title, its place in the navigation or a section's list changes the
sidebar, breadcrumbs and previous/next links of some pages, not of all: with
Material's ``navigation.prune`` a page shows the top list, the open sections
on its own path (cut to a window around it by kbgen.nav.window) and the first
page of each closed section. :func:`page_views` gives one digest per page of
exactly what Material's ``nav-item``, ``path-item`` and ``footer`` partials
print from other pages — titles, URLs, the meta they show (icon, subtitle,
status), which items are open — so ``kbgen serve`` templates again only the
pages whose digest changed. A theme setting under which a page shows more
(sections expanded, tabs) is not understood: :func:`views_understood` is False
and every such edit goes to the full rebuild.

Works on MkDocs's navigation objects by duck typing; no MkDocs import.
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable, Iterable

# Material features under which a page shows more of the navigation than its own path.
_WIDER = ("navigation.tabs", "navigation.sections", "navigation.expand")
_SHOWN_META = ("icon", "subtitle", "status")


def views_understood(features: Iterable[str]) -> bool:
    """Whether :func:`page_views` covers everything the navigation shows under these Material features."""
    features = list(features)
    return "navigation.prune" in features and not any(f in features for f in _WIDER)


def page_views(pages: Iterable[Any], items_for: Callable[[Any], list[Any]]) -> dict[str, bytes]:
    """{src_uri: digest of what the page shows of the navigation}.

    ``items_for(page)`` gives the top items as the page's template sees them
    while the page is active (kbgen's cut sidebar); each page is made active in
    turn, as MkDocs does while templating it.
    """
    out: dict[str, bytes] = {}
    for page in pages:
        page.active = True
        try:
            shown = [_item(item) for item in items_for(page)]
        finally:
            page.active = False
        digest = hashlib.blake2b(digest_size=16)
        digest.update(repr((page.title, page.url, _brief(page.previous_page), _brief(page.next_page),
                            [_brief(a) for a in page.ancestors], shown)).encode("utf-8", "surrogatepass"))
        out[page.file.src_uri] = digest.digest()
    return out


def _brief(item: Any) -> tuple | None:
    """A nav item as a link to it shows it: title, URL, the first page (a section links there)."""
    if item is None:
        return None
    children = getattr(item, "children", None)
    first = _brief(children[0]) if children else None
    return (type(item).__name__, getattr(item, "title", None), getattr(item, "url", None), first,
            len(children or ()), _meta(item))


def _item(item: Any) -> tuple:
    """The item as the sidebar shows it: open sections with their (cut) children, closed ones pruned."""
    children = getattr(item, "children", None)
    head = (_brief(item), bool(getattr(item, "active", False)), bool(getattr(item, "is_index", False)))
    if children and getattr(item, "active", False):
        return head + (tuple(_item(child) for child in children),)
    return head


def _meta(item: Any) -> tuple:
    meta = getattr(item, "meta", None)
    if not isinstance(meta, dict):
        return ()
    return tuple(repr(meta.get(key)) for key in _SHOWN_META)
