"""Generated folder pages: a folder without a folder note gets a page listing what it holds.

The page is the folder section's own page, so breadcrumbs and the sidebar can
link to every folder. It lists exactly what the navigation puts in the section,
in the same order — subfolders (with their note counts), the folder's notes and
the notes nested under it by ``parent:`` — which is why a cut sidebar
(kbgen.nav.window) can point to it for "all N".

A section whose own page the author wrote — a folder note or a parent note —
gets the same list appended to that page (:func:`with_section_listing`) when it
holds more than the sidebar shows (:data:`kbgen.nav.window.LIMIT`): as on
Obsidian Publish and Quartz folder pages, the author's text comes first, then
the complete list, and the sidebar's "all N" link points at that list. One page
per section, no second URL to learn; the list stays out of the search index, so
a folder note never ranks for its children's titles.

A list longer than ``list_page_size`` goes on over further pages
(``folder/page/2/``…, :mod:`kbgen.emit.paging`), which are not in the sidebar.

Two steps: :func:`emit` claims each page's URL (the navigation tree needs the
pages), :func:`fill` writes their lists once the tree (kbgen.nav.tree) is laid out.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from markupsafe import Markup

from ..emit import SitePage
from ..emit.paging import chunks, claim_parts
from ..emit.templating import render_template
from ..emit.aliases import alias_line
from ..messages import table
from ..vault.urls import folder_note_paths, is_index_name, note_url, relative_url
from .tree import FOLDER_PAGE_KIND, NAV_KEY, NavNode
from .window import LIMIT

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

SRC_FOLDER = ".kbgen/folders"  # virtual sources: no note can live in a hidden folder
PART_KIND = "folder-part"  # SitePage.meta["kb_kind"] of those parts
PART_FOLDER = ".kbgen/folder-pages"  # part n of a listing: PART_FOLDER/n/<the listing's source>
ROOT_LISTING_SRC = "all.md"  # the page listing the top of the navigation, at /all/
ROOT_LISTING_KEY = "nav_root_listing"  # vault.indexes: that page's URL, when there is one
SECTION_LISTINGS_KEY = "nav_section_listings"  # vault.indexes: {note src_path: its appended list's HTML}
SECTION_LISTING_ANCHOR = "kb-section-list"  # the list's heading id: the sidebar's "all N" lands on it


@dataclass
class Entry:
    title: str
    href: str
    count: int | None = None  # notes below a subfolder


def emit(build: "VaultBuild") -> None:
    """One page (empty until :func:`fill`) for every folder with notes and no folder note."""
    notes = {p: build.vault.notes[p] for p in build.rendered}
    has_page = {posixpath.dirname(p) for p in folder_note_paths(notes) | {p for p in notes if is_index_name(p)}}
    folders = ancestor_folders(notes)
    for folder in sorted(folders, key=lambda f: (f.count("/"), f)):  # parents claim their URL first
        if folder not in has_page:
            url = build.page_url(f"{folder}/index.md")
            build.pages.append(SitePage(f"{SRC_FOLDER}/{folder}/index.md", posixpath.basename(folder), "",
                                        url=url, meta={"kb_kind": FOLDER_PAGE_KIND, "kb_folder": folder}))


def fill(build: "VaultBuild", *, again: bool = False) -> bool:
    """Write each folder page's list from its section in the navigation tree.

    ``again``: ``kbgen serve`` writes the lists again after a title or a note's
    place changed. Every page keeps its URL and takes its new HTML; False when a
    page (a further part of a long list, the "all notes" page) would appear or
    go (the caller builds afresh).
    """
    root = build.vault.indexes.get(NAV_KEY)
    if root is None:
        return True
    urls = {p: note.url for p, note in build.vault.notes.items() if p in build.rendered}
    urls.update({page.src_path: page.url or note_url(page.src_path, build.config.use_directory_urls)
                 for page in build.pages})
    nodes = {node.src_path: node for node in _sections(root)}
    words = table(build.config.language)
    made: list[SitePage] = []  # the further parts of long lists
    for page in [p for p in build.pages if p.meta.get("kb_kind") == FOLDER_PAGE_KIND and p.src_path in nodes]:
        node = nodes[page.src_path]
        made.extend(_listing(build, page, node.children, urls, _note_count(node), words))
    if not again:
        build.pages.extend(made)
    root_parts: list[SitePage] = []
    listed = _root_listing(build, root, urls, root_parts, again)
    _section_listings(build, nodes, urls)
    if not again:
        build.pages.extend(root_parts)
        return True
    made += root_parts
    existing = {page.src_path: page for page in build.pages}
    if not listed or any(page.src_path not in existing for page in made) or \
            {p.src_path for p in build.pages if p.meta.get("kb_kind") == PART_KIND} != {p.src_path for p in made}:
        return False
    for page in made:
        existing[page.src_path].html = page.html
    return True


def _section_listings(build: "VaultBuild", nodes: dict[str, NavNode], urls: dict[str, str]) -> None:
    """The list each long section whose own page is a note gets at the end of that note (see the module)."""
    words = table(build.config.language)
    listings: dict[str, str] = {}
    for src_path, node in nodes.items():
        if node.generated or src_path not in build.rendered or len(node.children) <= LIMIT:
            continue
        url = urls[src_path]
        entries = [_entry(child, relative_url(url, urls.get(child.src_path or "", ""))) for child in node.children]
        listings[src_path] = render_template("section_listing.html", anchor=SECTION_LISTING_ANCHOR,
                                             entries=entries, count=_note_count(node), words=words)
    build.vault.indexes[SECTION_LISTINGS_KEY] = listings


def has_section_listing(build: "VaultBuild", src_path: str) -> bool:
    """Whether :func:`with_section_listing` adds a list to the note's page."""
    return src_path in build.vault.indexes.get(SECTION_LISTINGS_KEY, {})


def with_section_listing(build: "VaultBuild", src_path: str, page_html: str) -> str:
    """The note's page HTML with its section's list (if it has one) after the body, before what emitters added.

    ``build.body_lengths`` marks where the body ended before backlinks and the
    graph were appended; the alias line, added after the title, moves that end.
    """
    listing = build.vault.indexes.get(SECTION_LISTINGS_KEY, {}).get(src_path)
    if listing is None:
        return page_html
    end = build.body_lengths.get(src_path, len(page_html))
    note = build.vault.notes[src_path]
    if note.aliases and build.config.links:
        line = alias_line(note.aliases, table(build.config.language)["aliases.label"])
        at = page_html.find(line)
        if 0 <= at <= end:
            end += len(line)
    return page_html[:end] + listing + page_html[end:]


def listing_targets(build: "VaultBuild") -> dict[str, str]:
    """{a section's own page (src_path): where its complete list is} — the folder page, or the note's list."""
    targets = {page.src_path: "" for page in build.pages if page.meta.get("kb_kind") == FOLDER_PAGE_KIND}
    targets.update({src: f"#{SECTION_LISTING_ANCHOR}" for src in build.vault.indexes.get(SECTION_LISTINGS_KEY, {})})
    return targets


def _root_listing(build: "VaultBuild", root: NavNode, urls: dict[str, str], made: list[SitePage],
                  again: bool) -> bool:
    """A page listing the top of the navigation when the sidebar cuts it (kbgen.nav.window).

    A folder's cut list links to the folder's page; the top list has none (the home
    page shows recent notes, not all), so a vault with many top-level notes gets this one.
    """
    items = [child for child in root.children if child.src_path != "index.md"]
    src = f"{SRC_FOLDER}/{ROOT_LISTING_SRC}"
    existing = next((page for page in build.pages if page.src_path == src), None)
    if len(root.children) <= LIMIT:
        return existing is None
    words = table(build.config.language)
    if existing is not None:
        urls[src] = existing.url
        made.extend(_listing(build, existing, items, urls, _note_count(root), words))
        return True
    if again:
        return False
    url = build.page_url(ROOT_LISTING_SRC)
    page = SitePage(src, words["folder.all"], "", url=url, in_nav=False, meta={"kb_kind": "all-notes"})
    urls[page.src_path] = url
    build.pages.append(page)
    made.extend(_listing(build, page, items, urls, _note_count(root), words))
    build.vault.indexes[ROOT_LISTING_KEY] = url
    return True


def _listing(build: "VaultBuild", page: SitePage, children: list[NavNode], urls: dict[str, str], count: int,
             words: dict[str, str]) -> list[SitePage]:
    """Fill ``page`` with the list of ``children``; the further pages of a long list (not in the sidebar)."""
    runs = chunks(children, build.config.list_page_size)
    srcs = [page.src_path] + [f"{PART_FOLDER}/{n}/{page.src_path}" for n in range(2, len(runs) + 1)]
    parts = claim_parts(build, page.src_path, urls[page.src_path], len(runs), srcs)
    out = []
    for n, (run, src, url) in enumerate(zip(runs, srcs, parts.urls), start=1):
        title = page.title if n == 1 else f"{page.title} ({n}/{len(runs)})"
        entries = [_entry(child, relative_url(url, urls.get(child.src_path or "", ""))) for child in run]
        html = render_template("folder.html", title=title, entries=entries, count=count, words=words,
                               pager=Markup(parts.pager(n, words)))
        if n == 1:
            page.html = html
        else:
            out.append(SitePage(src, title, html, url=url, in_nav=False, meta={"kb_kind": PART_KIND}))
    return out


def _entry(node: NavNode, href: str) -> Entry:
    if node.folder is not None:
        return Entry(posixpath.basename(node.folder), href, _note_count(node))
    return Entry(node.title, href)


def _note_count(node: NavNode) -> int:
    return sum(1 for page in node.pages() if page is not node and not page.generated)


def _sections(root: NavNode) -> list[NavNode]:
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        if node.children:
            out.append(node)
            stack.extend(node.children)
    return out


def ancestor_folders(paths: Iterable[str]) -> set[str]:
    """Every folder holding one of ``paths``, at any depth (each folder's parents walked once)."""
    out: set[str] = set()
    for p in paths:
        folder = posixpath.dirname(p)
        while folder and folder not in out:
            out.add(folder)
            folder = posixpath.dirname(folder)
    return out
