"""A note's title, tags, dates or front matter changed: the quick path's part for what other pages list.

kbgen.quick_note handles a save that keeps everything other pages say about the
note. When its title, tags (front matter or inline), dates or other front
matter change but its URL, aliases and id stay (and it stays published), the
pages that list it are made again here from the build kept in memory:

- the link index learns the new title: notes that linked to the note (a link
  may have resolved through the old title, a Hugo link shows it) and notes
  whose text holds the new title (a broken ``[[New title]]`` now resolves) are
  rendered again (:func:`take_metadata`);
- the tag index is made again from every note's tags as written; tag pages
  of the note's old and new tags and their parents, and the tags index;
- the home page, the navigation tree, folder pages and section lists, the feed,
  the graph data, the note's alias redirect pages, the Quizzes and review pages
  (:func:`pages_again`).

Which of the other pages' sidebars, breadcrumbs and previous/next links change
is decided by the MkDocs adapter from the navigation (kbgen.mkdocs_views).
Anything this cannot redo in place — a tag page that appears or goes, a title
another note also has, a section list or the "all notes" page that appears or
goes — returns None: the full rebuild handles it. No MkDocs here.
"""
from __future__ import annotations

import unicodedata
from typing import Any, Iterable
from urllib.parse import unquote

from markdown_it.common.utils import unescapeAll

from .emit.aliases import alias_url, redirect_html
from .emit.graph import DATA_PATH, graph_data, graph_json
from .emit.home import HOME_SRC, home_page
from .markdown.link_targets import INDEX_KEY
from .markdown.tags import INDEX_KEY as TAG_INDEX_KEY
from .nav import folders
from .nav.tree import NAV_KEY, build_nav_tree
from .quick_pages import (QuickChange, feed_later, file_of, has_cards, replace_file, replace_page,
                          study_pages_again)
from .tags import pages as tag_pages
from .tags.model import TagIndex, build_tag_index
from .vault.index import link_key
from .vault.note import Note
from .emit import SitePage
from .vault_build import VaultBuild

# What must stay for any quick refresh: other notes link to the note by these, and its URL follows them.
FIXED_FIELDS = ("src_path", "aliases", "id", "draft", "publish", "binary", "cut")
# What other pages show or sort by: a change of one of these (or of the tags) comes here.
SHOWN_FIELDS = ("title", "created", "modified", "date", "author", "description", "meta")


def take_metadata(build: VaultBuild, old: Note, note: Note, written: list[str]) -> set[str] | None:
    """Record the note's new title and tags (``written``: as the note writes them) in the link and tag
    indexes; the notes to render again, or None when this cannot be done here (nothing changed then)."""
    links = build.vault.indexes.get(INDEX_KEY)
    tags: TagIndex | None = build.vault.indexes.get(TAG_INDEX_KEY)
    if links is None or (tags is None and written):
        return None
    again: set[str] = set()
    if note.title != old.title:  # links that show it (Hugo links, embeds) or resolved through it
        again = {note.src_path, *links.backlinks.get(note.src_path, {})}
    retitled = link_key(old.title) != link_key(note.title)
    if retitled:
        found = _retitled_links(build, links, old, note)
        if found is None:
            return None
        again |= found
    if tags is not None:
        index = _tags_again(tags, note.src_path, written, build.config.use_directory_urls)
        if index is None:
            return None
        build.vault.indexes[TAG_INDEX_KEY] = index
        for src_path, names in index.written.items():  # a tag's shown spelling may follow the edit
            # Not the edited note's old self: its tags name the tag pages it leaves (pages_again).
            if src_path in build.vault.notes and src_path != note.src_path:
                build.vault.notes[src_path].tags = [tag.name for tag in index.of_note(names)]
    if retitled:
        table = links._by_title
        old_key = link_key(old.title)
        if note.src_path in table.get(old_key, []):
            table[old_key].remove(note.src_path)
            if not table[old_key]:
                del table[old_key]
        table.setdefault(link_key(note.title), []).append(note.src_path)
    return again


def _retitled_links(build: VaultBuild, links: Any, old: Note, note: Note) -> set[str] | None:
    """The notes whose links may now resolve elsewhere; None when another note has either title."""
    src_path = note.src_path
    old_key, new_key = link_key(old.title), link_key(note.title)
    if [p for p in links._by_title.get(old_key, []) if p != src_path] or links._by_title.get(new_key):
        return None  # a link by that title was ambiguous, or becomes so: the link pass decides
    if any(new_key in table for table in (links._by_suffix, links._by_id, links._by_alias)):
        return set()  # a path, id or alias of that name wins over a title: no link changes
    # A link resolves by title only when no path, id or alias matches: a note whose text holds the
    # new title may have a link that was broken and now leads here.
    needle = unicodedata.normalize("NFC", note.title.strip()).casefold()
    return {p for p, other in build.vault.notes.items() if p in build.rendered and p != src_path
            and _mentions(other.source, needle)}


def _mentions(source: str, needle: str) -> bool:
    return mentions(source, [needle])


def mentions(source: str, needles: Iterable[str]) -> bool:
    """Whether ``source`` holds one of ``needles`` (NFC, case-folded) as written or as a Markdown link's
    destination resolves: backslash escapes and character references are undone and the result
    percent-decoded before it resolves (markdown-it, kbgen.markdown.notelinks), so ``[x](New%20Title)``,
    ``[x](R&amp;D.md)`` and ``[x](R\\_D.md)`` name "New Title", "R&D" and "R_D"."""
    needles = list(needles)
    text = unicodedata.normalize("NFC", source).casefold()
    if any(needle in text for needle in needles):
        return True
    if not any(c in source for c in "%&\\"):
        return False
    decoded = unquote(unescapeAll(source)) if ("&" in source or "\\" in source) else unquote(source)
    text = unicodedata.normalize("NFC", decoded).casefold()
    return any(needle in text for needle in needles)


class _SameUrls:
    """A URL map for making the tag index again: every tag keeps the URL it asks for (checked after)."""

    def __init__(self, use_directory_urls: bool) -> None:
        self.use_directory_urls = use_directory_urls

    def claim(self, owner: str, url: str) -> tuple[str, None]:
        return url, None


def _tags_again(old: TagIndex, src_path: str, written: list[str], use_directory_urls: bool) -> TagIndex | None:
    """The tag index with the note's tags as now written; None when a tag page would appear, go or move."""
    if old.written.get(src_path, []) == written:
        return old
    note_tags = dict(old.written)
    note_tags[src_path] = list(written)
    index = build_tag_index(note_tags, _SameUrls(use_directory_urls))  # type: ignore[arg-type]
    if index.tags.keys() != old.tags.keys() or index.index_url != old.index_url or any(
            tag.url != old.tags[key].url for key, tag in index.tags.items()):
        return None
    index.written = note_tags
    return index


def pages_again(build: VaultBuild, old: Note, note: Note, change: QuickChange) -> bool:
    """Make every generated page and file that lists the note again; False when one appears or goes.

    Pages whose HTML changed go into ``change.pages``; notes whose page gets a
    different section list into ``change.notes``; files into ``change.files``.
    """
    before = {id(page): (page.html, page.toc) for page in build.pages}
    pages = {page.src_path: page for page in build.pages}
    # What can neither appear nor go on this edit is made once the note pages are shown (QuickChange.later).
    change.later["home"] = lambda: _home_again(build, pages, change)
    if not _tag_pages_again(build, note, old, pages, change):
        return False
    change.later["tags index"] = lambda: _tags_index_again(build, pages, change)
    if not _navigation_again(build, change):
        return False
    feed_later(build, change)
    change.later["graph"] = lambda: _graph_again(build, change)
    change.later["aliases " + note.src_path] = lambda: _redirects_again(build, note, change)
    if has_cards(build.rendered[note.src_path]):  # they show its title and tags; as many cards as before
        change.later.setdefault("study", lambda: study_pages_again(build, change))
    listed = {id(page) for page in change.pages}
    change.pages.extend(page for page in build.pages
                        if id(page) not in listed and before.get(id(page)) != (page.html, page.toc))
    change.navigation = True
    if note.src_path not in change.notes:  # its title, dates or tag chips: the page is templated again
        change.notes.append(note.src_path)
    return True


def _home_again(build: VaultBuild, pages: dict[str, SitePage], change: QuickChange) -> bool:
    home = pages.get(HOME_SRC)
    if home is not None:
        replace_page(change, home, home_page(build, home.url))
    return True


def _tags_index_again(build: VaultBuild, pages: dict[str, SitePage], change: QuickChange) -> bool:
    index = build.vault.indexes.get(TAG_INDEX_KEY)
    if index is not None and index.tags:
        fresh = tag_pages.index_page(index, _words(build))
        replace_page(change, pages.get(fresh.src_path), fresh)
    return True


def _graph_again(build: VaultBuild, change: QuickChange) -> bool:
    data_file = file_of(build, DATA_PATH)
    if data_file is not None:
        replace_file(change, data_file, graph_json(graph_data(build, build.config.graph_groups)))
    return True


def _redirects_again(build: VaultBuild, note: Note, change: QuickChange) -> bool:
    """The note's alias redirect pages: they show its title."""
    if build.config.links:
        for alias in note.aliases:
            url = alias_url(alias, build.config.use_directory_urls)
            redirect = file_of(build, _dest(url))
            if redirect is not None and redirect.content is not None:
                replace_file(change, redirect, redirect_html(alias, note, url))
    return True


def _tag_pages_again(build: VaultBuild, note: Note, old: Note, pages: dict[str, SitePage],
                     change: QuickChange) -> bool:
    """The pages of the note's tags before and after (and their parents), made once the note pages are
    shown (QuickChange.later); False when a part of a tag's list would appear or go (kbgen.emit.paging)."""
    if not same_tag_pages(pages, tag_pages.sources_listing(build, {note.src_path}, old.tags)):
        return False
    change.later["tag pages " + note.src_path] = lambda: replace_pages(
        change, pages, tag_pages.pages_listing(build, {note.src_path}, old.tags))
    return True


def same_tag_pages(pages: dict[str, SitePage], srcs: list[str]) -> bool:
    """Whether the tag pages of ``srcs`` (kbgen.tags.pages.sources_listing) are those the build has: no part
    of these tags' lists appears or goes."""
    if any(src not in pages for src in srcs):
        return False
    made = set(srcs)
    tags = {src[len(tag_pages.SRC_FOLDER) + 1:] for src in srcs if src.startswith(tag_pages.SRC_FOLDER + "/")}
    return not any(src.startswith(tag_pages.PART_FOLDER + "/") and src not in made
                   and src[len(tag_pages.PART_FOLDER) + 1:].partition("/")[2] in tags for src in pages)


def replace_pages(change: QuickChange, pages: dict[str, SitePage], made: list[SitePage]) -> bool:
    for page in made:
        replace_page(change, pages[page.src_path], page)
    return True


def _navigation_again(build: VaultBuild, change: QuickChange) -> bool:
    """Lay the navigation tree out again and write folder pages and section lists from it."""
    root, problems = build_nav_tree(build)
    build.vault.indexes[NAV_KEY] = root
    build.emit_diagnostics[:] = [d for d in build.emit_diagnostics if d.code != "nav-parent"] + problems
    listings = dict(build.vault.indexes.get(folders.SECTION_LISTINGS_KEY, {}))
    if not folders.fill(build, again=True):
        return False
    now = build.vault.indexes.get(folders.SECTION_LISTINGS_KEY, {})
    if now.keys() != listings.keys():
        return False  # a note's page gains or loses its list: the sidebar's "all N" target moves
    change.notes.extend(p for p in build.rendered if now.get(p) != listings.get(p) and p not in change.notes)
    return True


def _dest(url: str) -> str:
    return unquote(url) + "index.html" if url.endswith("/") else unquote(url)


def _words(build: VaultBuild) -> dict[str, str]:
    from .messages import table

    return table(build.config.language)

