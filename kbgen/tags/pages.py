"""Tag pages and the tags index: the emit stage of tags.

Every tag at every level gets a page (``/tags/problem/``,
``/tags/problem/vanishing-gradient/``) listing its child tags with their
counts and its notes — a parent's notes include its children's — each with
its date and a one-line description (front matter ``description`` or the
note's opening sentence). ``/tags/`` lists every tag as a tree with counts.
Listings follow :func:`kbgen.collation.sort_key`. A tag with more notes than
``list_page_size`` lists them over several pages (:mod:`kbgen.emit.paging`):
the first at the tag's URL, with its subtags, the others at ``…/page/n/``.
These pages gather what the notes say, so they stay out of the search index
and out of the sidebar.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator

from markupsafe import Markup

from ..collation import sort_key
from ..emit import SitePage
from ..emit.page_values import page_value
from ..emit.paging import chunks, claim_parts
from ..emit.templating import render_template
from ..markdown.tags import INDEX_KEY
from ..messages import table
from ..vault.note import Note
from ..vault.urls import relative_url
from .model import Tag, TagIndex

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

SRC_FOLDER = ".kbgen/tags"  # virtual sources: no note can live in a hidden folder
PART_FOLDER = ".kbgen/tag-pages"  # part n of a tag's listing: PART_FOLDER/n/<key>.md, never a tag's own source
SUMMARY_CHARS = 140
# The first paragraph of the note's own text: not the lines kbgen adds (dates, aliases: class "kb-…").
_PARAGRAPH = re.compile(r"<p\b(?![^>]*\bkb-)[^>]*>(.*?)</p>", re.S)
_MARKUP = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s|(?<=다\.)")


@dataclass
class NoteEntry:
    title: str
    href: str
    date: str | None
    summary: str


def emit(build: "VaultBuild") -> None:
    index: TagIndex | None = build.vault.indexes.get(INDEX_KEY)
    if index is None or not index.tags:
        return
    words = table(build.config.language)
    summaries = _Summaries(build)
    for tag in index.ordered():
        build.pages.extend(tag_pages(tag, index, build, summaries, words))
    build.pages.append(index_page(index, words))


def memo_inputs(build: "VaultBuild") -> Iterator[str]:
    """What tag pages read besides every note's metadata (kbgen.emit.memo): each tagged note's line."""
    summaries = _Summaries(build)
    for src_path, note in build.vault.notes.items():
        if note.tags:
            yield f"{src_path}\0{summaries.of(note)}"


def pages_listing(build: "VaultBuild", src_paths: set[str], names: Iterable[str] = ()) -> list[SitePage]:
    """The tag pages that list any of these notes (their tags and those tags' parents), made afresh.

    ``kbgen serve`` writes them again when a note's opening sentence (its line there)
    changed; ``names``: more tags (a note's tags before an edit) whose pages to make.
    """
    index: TagIndex | None = build.vault.indexes.get(INDEX_KEY)
    if index is None or not index.tags:
        return []
    words = table(build.config.language)
    summaries = _Summaries(build)
    return [page for tag in _listing(index, build, src_paths, names)
            for page in tag_pages(tag, index, build, summaries, words)]


def sources_listing(build: "VaultBuild", src_paths: set[str], names: Iterable[str] = ()) -> list[str]:
    """The page sources :func:`pages_listing` gives, without making the pages: whether a part of a
    tag's list appears or goes is known before the pages are made."""
    index: TagIndex | None = build.vault.indexes.get(INDEX_KEY)
    if index is None or not index.tags:
        return []
    size = build.config.list_page_size
    return [src for tag in _listing(index, build, src_paths, names)
            for src in _sources(tag, len(chunks(range(len(tag.all_notes())), size)))]


def _listing(index: TagIndex, build: "VaultBuild", src_paths: set[str], names: Iterable[str]) -> list[Tag]:
    """The tags of these notes and of ``names``, and their parents, in page order."""
    keys: set[str] = set()
    wanted = [name for src_path in src_paths for name in build.vault.notes[src_path].tags]
    for tag in index.of_note([*wanted, *names]):
        keys.update(t.key for t in [tag, *tag.ancestors()])
    return [tag for tag in index.ordered() if tag.key in keys]


def _sources(tag: Tag, parts: int) -> list[str]:
    return [f"{SRC_FOLDER}/{tag.key}.md"] + [f"{PART_FOLDER}/{n}/{tag.key}.md" for n in range(2, parts + 1)]


def tag_pages(tag: Tag, index: TagIndex, build: "VaultBuild", summaries: "_Summaries",
              words: dict[str, str]) -> list[SitePage]:
    """The tag's page, and when it has more than ``list_page_size`` notes, the further parts of its list."""
    notes = sorted((build.vault.notes[p] for p in tag.all_notes()), key=lambda n: (sort_key(n.title), n.src_path))
    runs = chunks(notes, build.config.list_page_size)
    srcs = _sources(tag, len(runs))
    parts = claim_parts(build, f"the tag {tag.name}", tag.url, len(runs), srcs)
    pages = []
    for n, (run, src, url) in enumerate(zip(runs, srcs, parts.urls), start=1):
        entries = [NoteEntry(note.title, relative_url(url, note.url), _date(note), summaries.of(note)) for note in run]
        children = [(child.leaf, relative_url(url, child.url), len(child.all_notes()))
                    for child in tag.children] if n == 1 else []
        trail = [(t.leaf, relative_url(url, t.url)) for t in tag.ancestors()]
        if n > 1:  # the parts after the first lead back to the tag itself
            trail.append((tag.leaf, relative_url(url, tag.url)))
        title = f"#{tag.name}" if n == 1 else f"#{tag.name} ({n}/{len(runs)})"
        page_html = render_template(
            "tag.html", heading=title, tag=tag, entries=entries, total=len(notes), children=children, trail=trail,
            index_href=relative_url(url, index.index_url), words=words, pager=Markup(parts.pager(n, words)))
        pages.append(SitePage(src, title, page_html, url=url, in_nav=False, meta={"kb_kind": "tag"}))
    return pages


def index_page(index: TagIndex, words: dict[str, str]) -> SitePage:
    page_html = render_template("tags_index.html", tree=Markup(tag_tree_html(index, index.index_url)),
                                words=words, count=len(index.tags))
    return SitePage(f"{SRC_FOLDER}/index.md", words["tags.index_title"], page_html, url=index.index_url,
                    meta={"kb_kind": "tags-index"})


def tag_tree_html(index: TagIndex, from_url: str) -> str:
    """The tag tree as nested lists of chips with counts (for the home page)."""
    parts: list[str] = []

    def walk(tags: list[Tag]) -> None:
        parts.append('<ul class="kb-tag-tree">')
        for tag in tags:
            href = html.escape(relative_url(from_url, tag.url), quote=True)
            parts.append(f'<li><a class="md-tag kb-tag-chip" href="{href}">{html.escape(tag.leaf)}</a>'
                         f' <span class="kb-tag-count">{len(tag.all_notes())}</span>')
            if tag.children:
                walk(tag.children)
            parts.append("</li>")
        parts.append("</ul>")

    walk(index.roots())
    return "".join(parts)


def _date(note: Note) -> str | None:
    value = note.modified or note.date or note.created
    return value.isoformat() if value else None


class _Summaries:
    """One line per note, computed once however many tag pages list it."""

    def __init__(self, build: "VaultBuild") -> None:
        self.build = build
        self.cache: dict[str, str] = {}

    def of(self, note: Note) -> str:
        if note.src_path not in self.cache:
            self.cache[note.src_path] = note.description or (
                page_value(self.build, "opening", note.src_path, opening_sentence)
                if note.src_path in self.build.rendered else "")
        return self.cache[note.src_path]


def opening_sentence(page_html: str) -> str:
    """The first sentence of the page's first paragraph, as plain text, at most SUMMARY_CHARS."""
    for match in _PARAGRAPH.finditer(page_html, 0, min(len(page_html), 20000)):
        text = " ".join(html.unescape(_MARKUP.sub("", match.group(1))).split())
        if not text:
            continue
        end = _SENTENCE_END.search(text)
        if end is not None:
            text = text[: end.start()].rstrip()
        return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS].rstrip() + "…"
    return ""
