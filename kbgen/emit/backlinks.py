"""Backlinks: after each note's content, the notes that link to it and what they say.

A post-render stage rather than a render rule, so a note's own render never
depends on which other notes exist, and an embedded note does not bring its
backlinks along. The link pass recorded the links (published notes only, so
an unpublished note never shows up here); this only appends an ``<aside>`` to
``RenderedNote.html``, which stays the final page body.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Callable

from ..messages import table
from ..packed import PACK_MIN, PackedText
from ..vault.index import Backlink
from ..diagnostics import Reporter
from ..markdown import excerpt
from ..markdown.math import MATHML_ONLY
from ..vault.note import Note
from ..vault.urls import relative_url

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

MAX_CONTEXTS = 3  # sentences shown per linking note
MEMO_NAME = "backlinks"  # the asides' record (kbgen.emit.memo)


def emit(build: "VaultBuild") -> None:
    if not build.config.links:
        return
    index = build.vault.indexes.get("links")
    if index is None:
        return
    memo = build.emit_memo
    # An aside says what the notes linking to its note say: the last build's is kept
    # unless one of them changed (kbgen.emit.memo).
    kept = memo.kept_parts(MEMO_NAME, build, lambda target: index.backlinks.get(target, {})) if memo else {}
    asides: dict[str, tuple[str, frozenset[str]]] = {}
    for src_path, rendered in build.rendered.items():
        aside = kept.get(src_path)
        if aside is None:
            aside = aside_of(build, src_path)
            if len(aside) >= PACK_MIN:  # packed once: kept by the next builds as it is (no packing again)
                aside = PackedText(aside)
        asides[src_path] = (aside, frozenset(index.backlinks.get(src_path, {})))
        rendered.append(aside)
    if memo is not None and len(kept) < len(asides):
        memo.keep_parts(MEMO_NAME, asides)


def aside_of(build: "VaultBuild", src_path: str) -> str:
    """The backlinks aside the note's page ends with; "" when no published note links to it."""
    index = build.vault.indexes.get("links")
    note = build.vault.notes.get(src_path)
    if not build.config.links or index is None or note is None:
        return ""
    sources = [b for b in index.backlinks_of(src_path)
               if b.source in build.rendered and build.vault.notes[b.source].published]
    if not sources:
        return ""
    render = excerpt_renderer(build, note, index)
    # The shown excerpts' HTML replaces their tokens in the index: `kbgen serve` writes a target's
    # aside again when one linking note changes (kbgen.quick_note), and the other notes' excerpts
    # are then ready, where rendering them would parse every linking note again.
    for link in sources:
        for n, item in enumerate(link.excerpts[:MAX_CONTEXTS]):
            if item is not None and not isinstance(item, str):
                link.excerpts[n] = render(item, link.source)
    return backlinks_html(note, sources, build.vault.notes, render, language=build.config.language)


def excerpt_renderer(build: "VaultBuild", note: Note, index: Any) -> Callable[[Any, str], str]:
    """Renders an excerpt from ``source`` on ``note``'s page (hrefs and formulas as on that page).

    An excerpt that is already a string was rendered so by an earlier build (kbgen.incremental).
    """

    def render(item: Any, source: str) -> str:
        if isinstance(item, str):
            return item
        notes = getattr(index, "parsed", {})
        # The build's renderer, where it says: asking for the source's parse would parse it again
        # once the build has released its tokens.
        renderer = getattr(notes, "renderer", None)
        if renderer is None:
            parsed = notes.get(source)
            renderer = parsed.env.get("renderer") if parsed is not None else None
        if renderer is None:
            return html.escape(item.text)
        # A throwaway reporter: the source's own page already reported its formulas. Formulas
        # as MathML only: the reader sees them typeset (natively) at a quarter of KaTeX's bytes.
        env = {"note": note, "vault": build.vault, "config": build.config, "renderer": renderer,
               "report": Reporter(source), "data": {}, MATHML_ONLY: True}
        return excerpt.render(item, renderer, env, note.src_path)

    return render


def backlinks_html(note: Note, backlinks: list[Backlink], notes: dict[str, Note],
                   render_excerpt: Callable[[Any, str], str] | None = None, language: str = "ko") -> str:
    """The ``<aside class="kb-backlinks">`` for ``note``; every author-written string escaped."""
    items = []
    for link in sorted(backlinks, key=lambda b: (notes[b.source].title.casefold(), b.source)):
        source = notes[link.source]
        href = html.escape(relative_url(note.url, source.url), quote=True)
        shown = []
        for n, text in enumerate(link.contexts[:MAX_CONTEXTS]):
            item = link.excerpts[n] if n < len(link.excerpts) else None
            body = render_excerpt(item, link.source) if item is not None and render_excerpt else html.escape(text)
            shown.append(f'<p class="kb-backlink-context">{body}</p>')
        contexts = "".join(shown)
        items.append(f'<li><a class="kb-link" href="{href}">{html.escape(source.title)}</a>{contexts}</li>')
    words = table(language)
    return (f'\n<aside class="kb-backlinks" aria-label="{html.escape(words["backlinks.label"], quote=True)}">\n'
            f'<p class="kb-backlinks-title" role="heading" aria-level="2">{html.escape(words["backlinks.title"])} '
            f'<span class="kb-backlinks-count">({len(items)})</span></p>\n'
            f'<ul>\n' + "\n".join(items) + "\n</ul>\n</aside>\n")
