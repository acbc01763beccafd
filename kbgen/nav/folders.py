"""Generated folder pages: a folder without a folder note gets a page listing what it holds.

The page is the folder section's own page, so breadcrumbs and the sidebar can
link to every folder. It lists exactly what the navigation puts in the section,
in the same order — subfolders (with their note counts), the folder's notes and
the notes nested under it by ``parent:`` — which is why a cut sidebar
(kbgen.nav.window) can point to it for "all N".

Two steps: :func:`emit` claims each page's URL (the navigation tree needs the
pages), :func:`fill` writes their lists once the tree (kbgen.nav.tree) is laid out.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..emit import SitePage
from ..emit.templating import render_template
from ..messages import table
from ..vault.urls import folder_note_paths, is_index_name, note_url, relative_url
from .tree import FOLDER_PAGE_KIND, NAV_KEY, NavNode
from .window import LIMIT

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

SRC_FOLDER = ".kbgen/folders"  # virtual sources: no note can live in a hidden folder
ROOT_LISTING_SRC = "all.md"  # the page listing the top of the navigation, at /all/
ROOT_LISTING_KEY = "nav_root_listing"  # vault.indexes: that page's URL, when there is one


@dataclass
class Entry:
    title: str
    href: str
    count: int | None = None  # notes below a subfolder


def emit(build: "VaultBuild") -> None:
    """One page (empty until :func:`fill`) for every folder with notes and no folder note."""
    notes = {p: build.vault.notes[p] for p in build.rendered}
    has_page = {posixpath.dirname(p) for p in folder_note_paths(notes) | {p for p in notes if is_index_name(p)}}
    folders: set[str] = set()
    for src_path in notes:
        folder = posixpath.dirname(src_path)
        while folder and folder not in folders:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    for folder in sorted(folders, key=lambda f: (f.count("/"), f)):  # parents claim their URL first
        if folder not in has_page:
            url = build.page_url(f"{folder}/index.md")
            build.pages.append(SitePage(f"{SRC_FOLDER}/{folder}/index.md", posixpath.basename(folder), "",
                                        url=url, meta={"kb_kind": FOLDER_PAGE_KIND, "kb_folder": folder}))


def fill(build: "VaultBuild") -> None:
    """Write each folder page's list from its section in the navigation tree."""
    root = build.vault.indexes.get(NAV_KEY)
    if root is None:
        return
    urls = {p: note.url for p, note in build.vault.notes.items() if p in build.rendered}
    urls.update({page.src_path: page.url or note_url(page.src_path, build.config.use_directory_urls)
                 for page in build.pages})
    nodes = {node.src_path: node for node in _sections(root)}
    words = table(build.config.language)
    for page in build.pages:
        node = nodes.get(page.src_path)
        if page.meta.get("kb_kind") != FOLDER_PAGE_KIND or node is None:
            continue
        url = urls[page.src_path]
        entries = [_entry(child, relative_url(url, urls.get(child.src_path or "", ""))) for child in node.children]
        page.html = render_template("folder.html", title=page.title, entries=entries,
                                    count=_note_count(node), words=words)
    _root_listing(build, root, urls)


def _root_listing(build: "VaultBuild", root: NavNode, urls: dict[str, str]) -> None:
    """A page listing the top of the navigation when the sidebar cuts it (kbgen.nav.window).

    A folder's cut list links to the folder's page; the top list has none (the home
    page shows recent notes, not all), so a vault with many top-level notes gets this one.
    """
    items = [child for child in root.children if child.src_path != "index.md"]
    if len(root.children) <= LIMIT:
        return
    words = table(build.config.language)
    url = build.page_url(ROOT_LISTING_SRC)
    entries = [_entry(child, relative_url(url, urls.get(child.src_path or "", ""))) for child in items]
    page_html = render_template("folder.html", title=words["folder.all"], entries=entries,
                                count=_note_count(root), words=words)
    build.pages.append(SitePage(f"{SRC_FOLDER}/{ROOT_LISTING_SRC}", words["folder.all"], page_html,
                                url=url, in_nav=False, meta={"kb_kind": "all-notes"}))
    build.vault.indexes[ROOT_LISTING_KEY] = url


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
