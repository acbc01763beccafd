"""Generated folder pages: a folder without a folder note gets a page listing what it holds.

The page lists the folder's subfolders (with their note counts) and its notes,
in navigation order; it is the folder section's own page, so breadcrumbs and
the sidebar can link to every folder.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..emit import SitePage
from ..emit.templating import render_template
from ..messages import table
from ..vault.note import Note
from ..vault.urls import folder_note_paths, is_index_name, relative_url
from .tree import FOLDER_PAGE_KIND, nav_sort_key

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

SRC_FOLDER = ".kbgen/folders"  # virtual sources: no note can live in a hidden folder


@dataclass
class Entry:
    title: str
    href: str
    count: int | None = None  # notes below a subfolder
    order: tuple = ()


def emit(build: "VaultBuild") -> None:
    notes = {p: build.vault.notes[p] for p in build.rendered}
    has_page = {posixpath.dirname(p) for p in folder_note_paths(notes) | {p for p in notes if is_index_name(p)}}
    direct: dict[str, list[str]] = {}
    below: dict[str, int] = {}
    for src_path in notes:
        folder = posixpath.dirname(src_path)
        direct.setdefault(folder, []).append(src_path)
        while folder:
            below[folder] = below.get(folder, 0) + 1
            folder = posixpath.dirname(folder)
    subfolders: dict[str, list[str]] = {}
    for folder in below:
        subfolders.setdefault(posixpath.dirname(folder), []).append(folder)
    words = table(build.config.language)
    section_notes = {posixpath.dirname(p): notes[p]
                     for p in folder_note_paths(notes) | {p for p in notes if is_index_name(p)}}
    section_urls = {folder: note.url for folder, note in section_notes.items()}
    urls: dict[str, str] = {}
    for folder in sorted(below, key=lambda f: (f.count("/"), f)):  # parents claim their URL first
        if folder not in has_page:
            urls[folder] = build.page_url(f"{folder}/index.md")
    for folder, url in urls.items():
        entries = [Entry(posixpath.basename(sub), relative_url(url, urls.get(sub, section_urls.get(sub, ""))),
                         below[sub], _subfolder_order(sub, section_notes.get(sub)))
                   for sub in subfolders.get(folder, [])]
        entries += [Entry(notes[p].title, relative_url(url, notes[p].url), None,
                          nav_sort_key(notes[p].title, notes[p].stem, notes[p])) for p in direct.get(folder, [])]
        entries.sort(key=lambda e: e.order)
        page_html = render_template("folder.html", title=posixpath.basename(folder), entries=entries,
                                    count=below[folder], words=words)
        build.pages.append(SitePage(f"{SRC_FOLDER}/{folder}/index.md", posixpath.basename(folder), page_html,
                                    url=url, meta={"kb_kind": FOLDER_PAGE_KIND, "kb_folder": folder}))



def _subfolder_order(folder: str, folder_note: Note | None) -> tuple:
    """A subfolder's place in the listing: where the navigation puts its section.

    A folder note's ``nav_order`` and title place the section in the sidebar
    (kbgen.nav.tree), so they place the subfolder here too.
    """
    name = posixpath.basename(folder)
    if folder_note is None:
        return nav_sort_key(name, name, None)
    return nav_sort_key(folder_note.title, folder_note.stem, folder_note)
