"""A home page for vaults without an ``index.md``: counts, recently changed notes, the tag tree.

Without it MkDocs writes no ``index.html`` and the site's root URL is a 404.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup

from ..collation import sort_key
from ..markdown.tags import INDEX_KEY as TAGS_KEY
from ..messages import table
from ..tags.model import tag_links
from ..tags.pages import tag_tree_html
from ..vault.urls import relative_url
from . import SitePage
from .templating import render_template

if TYPE_CHECKING:
    from ..vault.note import Note
    from ..vault_build import VaultBuild

HOME_SRC = "index.md"
RECENT = 20  # the home page's "recently changed" list; its size must not grow with the vault


def emit(build: "VaultBuild") -> None:
    if any(p.lower() in ("index.md", "readme.md") for p in build.rendered):
        return
    build.pages.append(home_page(build, build.page_url(HOME_SRC)))


def home_page(build: "VaultBuild", home_url: str) -> SitePage:
    """The home page at ``home_url`` (``kbgen serve`` makes it again when a title, tag or date changed)."""
    vault = build.vault
    notes = [vault.notes[p] for p in build.rendered]
    # Newest first; a note without any date sorts last, then by title.
    recent = sorted(notes, key=lambda n: (-_ordinal(n), sort_key(n.title), n.src_path))[:RECENT]
    entries = [{
        "title": note.title,
        "href": relative_url(home_url, note.url),
        "date": note.modified or note.date or note.created,
        "tags": [(name, relative_url(home_url, url)) for name, url in tag_links(vault, note.tags)],
    } for note in recent]
    index = vault.indexes.get(TAGS_KEY)
    words = table(build.config.language)
    html = render_template(
        "home.html", words=words, count=len(notes), recent=entries,
        tag_count=len(index.tags) if index is not None else 0,
        tags_href=relative_url(home_url, index.index_url) if index is not None and index.tags else None,
        tag_tree=Markup(tag_tree_html(index, home_url)) if index is not None and index.tags else None)
    return SitePage(HOME_SRC, words["home.title"], html, url=home_url)


def _ordinal(note: "Note") -> int:
    day = note.modified or note.date or note.created
    return day.toordinal() if day else 0
