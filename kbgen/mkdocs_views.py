"""What each page shows of the rest of the site: its view of the navigation, as a digest.

A note's title, its place in the navigation or a section's list changes the
sidebar, breadcrumbs and previous/next links of some pages, not of all: with
Material's ``navigation.prune`` a page shows the top list and the open sections
on its own path, each cut to a window around the open item (kbgen.nav.window,
the same functions), and of a closed section its title and first page.
:func:`page_views` gives one digest per page of what Material's ``nav-item``,
``path-item`` and ``footer`` partials print from other pages — titles, URLs,
the meta they show (icon, subtitle, status), which item is open, the "all N"
link — so ``kbgen serve`` templates again only the pages whose digest changed.
Each list's items are digested once; a page joins the digests of the windows
on its path (milliseconds for thousands of pages). A theme setting under which
a page shows more (sections expanded, tabs) is not understood:
:func:`views_understood` is False and such edits go to the full rebuild.

Works on MkDocs's navigation objects by duck typing; no MkDocs import.
"""
from __future__ import annotations

import hashlib
from typing import Any, Iterable, Mapping

from .nav.window import section_listing, shown_range

# Material features under which a page shows more of the navigation than its own path.
_WIDER = ("navigation.tabs", "navigation.sections", "navigation.expand")
_SHOWN_META = ("icon", "subtitle", "status")


def views_understood(features: Iterable[str]) -> bool:
    """Whether :func:`page_views` covers everything the navigation shows under these Material features."""
    features = list(features)
    return "navigation.prune" in features and not any(f in features for f in _WIDER)


def page_views(pages: Iterable[Any], top: list[Any], top_url: str | None,
               listings: Mapping[str, str]) -> dict[str, bytes]:
    """{src_uri: digest of what the page shows of the navigation}.

    ``top``: the navigation's top items; ``top_url``, ``listings``: where the
    complete lists are, as kbgen.nav.window.cut_items takes them.
    """
    briefs: dict[int, bytes] = {}

    def brief(item: Any) -> bytes:
        key = id(item)
        if key not in briefs:
            briefs[key] = _brief(item)
        return briefs[key]

    out: dict[str, bytes] = {}
    at_top = {id(item) for item in top}
    for page in pages:
        path = [*reversed(page.ancestors), page] if page.parent is not None or id(page) in at_top else []
        parts = [b"P", brief(page), b"<", brief(page.previous_page) if page.previous_page else b"-",
                 b">", brief(page.next_page) if page.next_page else b"-"]
        items, own_url = top, top_url
        for depth in range(max(1, len(path))):
            active = path[depth] if depth < len(path) else None
            size, start, end = shown_range(items, active, own_url)
            rest = items[size:]
            parts.append(b"[%d:%d:%d:%d|" % (size, start, end, len(rest)))
            parts.extend(brief(item) for item in items[:size])
            parts.extend((b"*" if item is active else b"") + brief(item) for item in rest[start:end])
            if end - start < len(rest) and own_url is not None:
                parts.append(b"+" + own_url.encode("utf-8", "surrogatepass"))
            if active is None or not getattr(active, "children", None):
                break
            items, own_url = list(active.children), section_listing(active, listings)
        out[page.file.src_uri] = hashlib.blake2b(b"\0".join(parts), digest_size=16).digest()
    return out


def _brief(item: Any) -> bytes:
    """A nav item as a link to it shows it: title, URL, meta shown, and a section's first page."""
    parts = []
    while item is not None:
        children = getattr(item, "children", None)
        meta = getattr(item, "meta", None)
        shown = tuple(repr(meta.get(key)) for key in _SHOWN_META) if isinstance(meta, dict) else ()
        parts.append(repr((type(item).__name__, getattr(item, "title", None), getattr(item, "url", None),
                           # A closed section shows its first page; Material asks only whether it has more.
                           bool(getattr(item, "is_index", False)), min(len(children or ()), 2), shown)))
        item = children[0] if children else None
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()
