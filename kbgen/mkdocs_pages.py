"""MkDocs pages fed from kbgen's build (part of the MkDocs adapter).

What a note page hands MkDocs instead of Markdown (``PageSource``: its HTML,
TOC and escaped metadata), the Navigation MkDocs draws for kbgen's tree, and
files placed at kbgen's URLs. ``kbgen.mkdocs_plugin`` wires these into
MkDocs's events.
"""
from __future__ import annotations

import dataclasses
import hashlib
import html
import os
from typing import Any, Callable

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .emit.note_dates import with_dates_line
from .markdown.renderer import RenderedNote
from .nav.tree import NavNode
from .search import searchable_html
from .vault.urls import url_dest


@dataclasses.dataclass
class PageSource:
    markdown: str
    meta: dict[str, Any]
    toc: list[dict]
    data: dict[str, Any]  # the renderer's data about it (typeset formulas)
    dates: str = ""  # the dates line the page shows under its title (kbgen.emit.note_dates)
    rendered: RenderedNote | None = None  # a note's: its body, held packed by the build (kbgen.packed)
    listed: str | None = None  # the page's HTML when it is not the note's body as rendered (a generated page,
    # a folder note with its section list)
    # MkDocs's Page.content is left empty outside templating; the page's key hashes the body instead.
    deferred: bool = False

    @property
    def body(self) -> str:
        """The note's rendered HTML, without what only its page adds (dates, section list)."""
        return self.rendered.html if self.rendered is not None else self.listed or ""

    @property
    def html(self) -> str:
        """The page's HTML without its dates line (what MkDocs's Page.content held)."""
        return self.listed if self.listed is not None else self.body

    def content_digest(self) -> str:
        """A digest of ``html`` for the page's key (kbgen.mkdocs_page_keys): equal digests, equal
        ``html``. A packed body is hashed as it is held, neither decompressed nor made a str."""
        if self.listed is None and self.rendered is not None:
            return "r" + self.rendered.html_digest()
        return "s" + hashlib.sha256(self.html.encode("utf-8", "surrogatepass")).hexdigest()

    def page_html(self) -> str:
        """The page's HTML as templated: ``html`` with its dates line.

        MkDocs holds ``html`` for every page from populate on; this copy with the
        dates is made only when the page is templated (see ``page_key_extra``).
        """
        return with_dates_line(self.html, self.dates)

    def search_html(self) -> str:
        """What Material's search index sees: the body without typeset formulas.

        Made when the page is templated (in a worker with ``-j``) rather than kept
        for every page: it is a copy of the page as large as the page itself.
        """
        return searchable_html(self.body, self.data)


def page_meta(note: Any) -> dict[str, Any]:
    """The page metadata MkDocs and Material see.

    MkDocs and Material print front-matter values (title, description, tags,
    subtitle…) into HTML text and attributes without escaping, so every string
    is escaped here, once, at the boundary.
    """
    meta: dict[str, Any] = {k: v for k, v in note.meta.items() if k not in ("title", "tags", "aliases")}
    meta["title"] = note.title
    if note.tags:
        meta["tags"] = list(note.tags)
    if note.description:
        meta["description"] = note.description
    return escape_strings(meta)


def escape_strings(value: Any) -> Any:
    """``value`` with every string in it HTML-escaped (dicts and lists walked)."""
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, dict):
        return {k: escape_strings(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [escape_strings(v) for v in value]
    return value


def page_reader(source: PageSource) -> Callable[[Page, MkDocsConfig], None]:
    def read_source(self: Page, config: MkDocsConfig) -> None:
        self.markdown, self.meta = source.markdown, dict(source.meta)

    return read_source


def page_renderer(source: PageSource) -> Callable[[Page, MkDocsConfig, Files], None]:
    def render(self: Page, config: MkDocsConfig, files: Files) -> None:
        # A deferred page gets its content when it is templated (on_page_context); MkDocs asserts a str.
        self.content = "" if source.deferred else source.html
        self.toc = get_toc(source.toc)
        self.present_anchor_ids = anchor_ids(source.toc)

    return render


def file_at(files: Files, src_uri: str) -> File | None:
    """``files.get_file_from_path(src_uri)`` for a path already in POSIX form (kbgen's own, a theme's walk):
    a dict lookup rather than a PurePath per call, thousands per build. Anything its normalising could
    change still goes through it."""
    found = files.src_uris.get(src_uri)
    if found is None and ("//" in src_uri or "./" in src_uri or src_uri.endswith("/") or src_uri.startswith("/")):
        return files.get_file_from_path(src_uri)
    return found


def mkdocs_navigation(root: NavNode, files: Files, config: MkDocsConfig, generated: dict[str, str]) -> Navigation:
    """MkDocs's Navigation for kbgen's tree: sections whose first child is their own page.

    ``generated`` maps a generated page's src_path to the file it got (another
    name when a note already had that one).
    """
    def page(node: NavNode) -> Page:
        src_path = generated.get(node.src_path, node.src_path) if node.generated else node.src_path
        file = file_at(files, src_path)
        assert file is not None
        return file.page if file.page is not None else Page(None, file, config)

    def items(node: NavNode) -> list:
        out: list = []
        for child in node.children:
            if not child.children:
                out.append(page(child)) if child.src_path else None
                continue
            kids = items(child)
            if child.src_path:
                own = page(child)
                own.file.name = "index"  # Material's navigation.indexes: the section's own page
                kids.insert(0, own)
            out.append(Section(child.title, kids))
        return out

    top = items(root)
    pages = [page(node) for node in root.pages()]
    for before, after in zip([None, *pages], [*pages, None]):
        if before is not None:
            before.next_page = after
        if after is not None:
            after.previous_page = before
    stack: list = [(item, None) for item in top]
    while stack:
        item, parent = stack.pop()
        item.parent = parent
        stack.extend((child, item) for child in getattr(item, "children", None) or [])
    return Navigation(top, pages)


def place(file: File, url: str) -> None:
    """Put a page at kbgen's URL (kbgen.vault.urls), not at the one MkDocs derives from its file name."""
    file.dest_uri = url_dest(url)
    file.url = url or "./"
    file.__dict__.pop("abs_dest_path", None)  # cached from the old dest_uri if anything read it


def free_src_uri(files: Files, src_uri: str) -> str:
    stem, ext = os.path.splitext(src_uri)
    n = 2
    while file_at(files, f"{stem}-{n}{ext}") is not None:
        n += 1
    return f"{stem}-{n}{ext}"


def anchor_ids(toc: list[dict]) -> set[str]:
    ids: set[str] = set()
    stack = list(toc)
    while stack:
        item = stack.pop()
        ids.add(item["id"])
        stack.extend(item["children"])
    return ids
