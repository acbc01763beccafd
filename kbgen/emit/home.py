"""A home page listing every published note, for vaults without an ``index.md``.

Without it MkDocs writes no ``index.html`` and the site's root URL is a 404.
"""
from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from ..vault.urls import relative_url
from . import SitePage
from .templating import render_template

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

HOME_SRC = "index.md"
HOME_TITLE = "노트 목록"


def emit(build: "VaultBuild") -> None:
    vault = build.vault
    if any(p.lower() in ("index.md", "readme.md") for p in build.rendered):
        return
    home_url = build.page_url(HOME_SRC)
    folders: dict[str, list[dict]] = {}
    for src_path in sorted(build.rendered):
        note = vault.notes[src_path]
        folders.setdefault(posixpath.dirname(src_path), []).append({
            "title": note.title,
            "href": relative_url(home_url, note.url),
            "date": note.modified or note.date or note.created,
            "tags": note.tags,
        })
    groups = [(folder or "", sorted(items, key=lambda i: i["title"].casefold()))
              for folder, items in sorted(folders.items())]
    html = render_template("home.html", groups=groups, count=len(build.rendered))
    build.pages.append(SitePage(HOME_SRC, HOME_TITLE, html, url=home_url))
