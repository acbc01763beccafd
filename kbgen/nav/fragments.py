"""Sidebar items rendered once per build, not once per page.

With ``navigation.prune`` every page's sidebar draws the top list and the open
lists on its path (kbgen.nav.window cuts them to a window); every item in them
that is not open — a page link, a closed section drawn as one link to its first
page — comes out of Material's ``render`` macro (``partials/nav-item.html``)
the same on every page but for its link, which the ``url`` filter makes
relative to the page. Running that macro for each of them was about a quarter
of templating a note page.

:class:`NavFragments` wraps the macro: an item that is not open is rendered
once per (item, its link as this page writes it) and the text reused; an open
item (on the page's path) goes to Material's macro every time. The wrapper is
put into the macro's own template source when the loader reads it
(kbgen.theme_rewrites), so Material's recursion goes through it too; only the
``nav-item.html`` versions whose closed items were read for this (their digest
in :data:`KNOWN_NAV_ITEM`), from Material's own folder, and only under theme
features where a closed item is always drawn that way (``navigation.prune``
without tabs, sections or expand) — anything else renders as Material does.

Items are told apart by identity: the memo holds for one build (between
:meth:`NavFragments.start` and :meth:`NavFragments.stop`), while the
navigation's objects stand unchanged. Jinja only; no MkDocs import.

A memoized item is kept with its whitespace already squeezed as the finished
page will be (kbgen.emit.page_whitespace): four fifths of a note page's lines
are sidebar, and squeezing a page is linear in its lines, so each item's
blank lines are folded once per build instead of once per page. Squeezing is
compatible with concatenation — squeezing the page squeezes a run that
straddles an item's edge the same whether or not the item was squeezed first —
so only an item holding an element the page squeeze leaves alone (``pre``,
``code``, ``script``…) is kept as rendered. That holds where the page squeeze
reaches the sidebar outside such an element, as in Material's pages: the
sidebar follows the head, whose scripts and styles are all closed.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any, Iterable

import jinja2
from markupsafe import Markup

from ..emit.page_whitespace import squeeze_runs

TEMPLATE = "partials/nav-item.html"
# Material 9.x nav-item.html files (sha256 of the source) whose closed items depend on nothing but
# the item and its link's URL: its path, level and parent are not printed for them.
KNOWN_NAV_ITEM = frozenset({
    "89895208f22d68ce405a4bcb6649b9150eba5bbb04663a6cb3f93f02daf1d2f7",  # Material 9.8.1
})
_MACRO = "{% macro render(nav_item, path, level, parent) %}"
_UNCACHED = "kbgen_nav_item_uncached"
GLOBAL = "kbgen_nav_item"
# Where the macro draws each child of an open section (in the KNOWN_NAV_ITEM versions).
_CHILD_CALL = '{{ render(item, path ~ "_" ~ loop.index, level + 1, nav_item) }}'
_WRAPPER = (f"{{% macro render(nav_item, path, level, parent) %}}"
            f"{{{{ {GLOBAL}({_UNCACHED}, nav_item, path, level, parent) }}}}{{% endmacro %}}")
# Under these a closed item may be drawn whole (sections, tabs, expanded): not memoized.
_WIDER = ("navigation.tabs", "navigation.sections", "navigation.expand")
# An opening or closing tag of an element the page squeeze copies byte for byte (kbgen.emit.page_whitespace).
_KEPT_AS_WRITTEN = re.compile(r"</?(?:pre|textarea|code|script|style)", re.IGNORECASE)


def memoizable(features: Iterable[str]) -> bool:
    """Whether, under these Material features, every closed item is drawn as one link."""
    features = list(features)
    return "navigation.prune" in features and not any(f in features for f in _WIDER)


def wrapped_source(source: str) -> str | None:
    """Material's nav-item.html with its ``render`` macro going through :data:`GLOBAL`; None for an unknown file.

    The macro's own call for each child item calls :data:`GLOBAL` directly: through the
    wrapper macro, every item of every page's sidebar paid a second macro call.
    """
    if hashlib.sha256(source.encode("utf-8")).hexdigest() not in KNOWN_NAV_ITEM or source.count(_MACRO) != 1 \
            or source.count(_CHILD_CALL) != 1:
        return None
    source = source.replace(_CHILD_CALL, _CHILD_CALL.replace("render(", f"{GLOBAL}({_UNCACHED}, ", 1), 1)
    return source.replace(_MACRO, _MACRO.replace("render(", f"{_UNCACHED}(", 1), 1) + _WRAPPER


class NavFragments:
    """The :data:`GLOBAL` the wrapped macro calls: closed items' text, memoized while a build runs."""

    def __init__(self) -> None:
        self.memo: dict[tuple, str] | None = None  # None: not in a build, every item is rendered
        self.hits = 0

    def start(self) -> None:
        self.memo, self.hits = {}, 0

    def stop(self) -> None:
        self.memo = None

    @jinja2.pass_context
    def __call__(self, context: Any, uncached: Any, nav_item: Any, path: Any, level: Any, parent: Any) -> Any:
        key = self._key(context, nav_item) if self.memo is not None else None
        if key is None:
            return uncached(nav_item, path, level, parent)
        text = self.memo.get(key)
        if text is None:
            text = self.memo[key] = squeezed(uncached(nav_item, path, level, parent))
        else:
            self.hits += 1
        return text

    @staticmethod
    def _key(context: Any, item: Any) -> tuple | None:
        """What a closed item's text depends on: the item, and its one link as this page writes it."""
        if getattr(item, "active", False) or getattr(item, "pages", None) is not None:
            return None  # open (on the page's path), or a view listing pages: Material's macro
        children = getattr(item, "children", None)
        if children:  # a closed section: drawn as a link to its first page (render_pruned)
            first = children[0]
            while getattr(first, "children", None):
                first = first.children[0]
            kind, target = "section", getattr(first, "url", None)
        else:
            kind, target = "link", getattr(item, "url", None)
        while hasattr(item, "_section"):  # kbgen.nav.window's per-page wrappers: the section they show
            item = item._section
        # Navigation objects live as long as the build; kbgen's "all N" links are made per page.
        ident: Any = ("more", item.title) if type(item).__name__ == "MoreLink" else id(item)
        url = context.environment.filters["url"](context, target)
        return kind, ident, url


def squeezed(text: Any) -> Any:
    """``text`` with its whitespace squeezed as the page's will be, of the same type; as it is if it holds
    an element whose whitespace the page squeeze keeps."""
    if _KEPT_AS_WRITTEN.search(text):
        return text
    out = squeeze_runs(str(text))
    return Markup(out) if isinstance(text, Markup) else out
