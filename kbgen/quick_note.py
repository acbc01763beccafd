"""A note's page body again, in milliseconds, after an edit that concerns only that page.

``kbgen serve`` keeps the last build in memory. When a saved note keeps
everything other pages see of it — its URL, title, aliases, tags (inline ones
included), dates, front matter and the notes it links to — then its own page
is the only page whose body changed: backlinks shown on it come from other
notes, navigation and tag pages list the same title. :func:`refresh_note`
renders that body against the previous build's link index and splices it into
what the emitters added last time (backlinks, graph slot, alias line), so the
page can be written before a full incremental rebuild, which follows anyway and
converges on a cold build. Anything else returns None: the full rebuild alone
handles it. No MkDocs here.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from .diagnostics import Reporter
from .emit.aliases import alias_line, with_alias_list
from .markdown.blockrefs import ENV_KEY as BLOCKS_KEY
from .markdown.link_targets import INDEX_KEY, resolve_ref
from .markdown.renderer import NoteRenderer, RenderedNote
from .markdown.tags import ENV_KEY as TAGS_KEY
from .markdown.tags import INDEX_KEY as TAG_INDEX_KEY
from .messages import message
from .vault.dates import assign_dates
from .vault.excalidraw import publish_drawings
from .vault.load import load_note
from .vault.note import Note
from .vault_build import VaultBuild

# Note fields other pages (navigation, tag pages, feed, links to it, search) are built from.
_SHARED_FIELDS = ("src_path", "title", "aliases", "id", "created", "modified", "date", "author",
                  "description", "draft", "publish", "meta", "cut", "binary")


def refresh_note(build: VaultBuild, src_path: str, renderer: NoteRenderer) -> RenderedNote | None:
    """Re-read ``src_path`` and give its new page body, or None when other pages may change too.

    On success ``build.vault.notes`` and ``build.rendered`` hold the new note and body.
    """
    vault = build.vault
    old = vault.notes.get(src_path)
    old_page = build.rendered.get(src_path)
    body_length = build.body_lengths.get(src_path)
    if old is None or old_page is None or body_length is None or not old.published:
        return None
    path = Path(vault.root) / src_path
    if not path.is_file():
        return None
    note = load_note(path, Path(vault.root), build.config)
    publish_drawings([note], vault.attachments, build.config.language)
    note.url = old.url
    note.diagnostics.extend(d for d in old.diagnostics if d.code == "url-collision")
    assign_dates(Path(vault.root), [note])
    if any(getattr(note, f) != getattr(old, f) for f in _SHARED_FIELDS):
        return None
    item = renderer.parse(note, vault)
    tags = _tags_of(vault, note, item.env)
    if tags is None or tags != old.tags:
        return None
    if _targets_of(item, note, vault) != _old_targets(vault, src_path):
        return None
    note.tags = tags
    suffix = _emitted_suffix(build, old, old_page.html, body_length)
    if suffix is None:
        return None
    vault.notes[src_path] = note
    index = vault.indexes.get(INDEX_KEY)
    if index is not None:
        index.add_anchors(src_path, item.headings, item.env.get(BLOCKS_KEY, {}))
    rendered = renderer.render(item)
    build.body_lengths[src_path] = len(rendered.html)
    body = rendered.html + suffix
    if note.aliases and build.config.links:
        body = with_alias_list(body, note.aliases, message("aliases.label", build.config.language))
    rendered = dataclasses.replace(rendered, html=body)
    build.rendered[src_path] = rendered
    return rendered


def _tags_of(vault: Any, note: Note, env: dict[str, Any]) -> list[str] | None:
    index = vault.indexes.get(TAG_INDEX_KEY)
    if index is None:
        return list(note.tags)
    return [tag.name for tag in index.of_note(list(note.tags) + list(env.get(TAGS_KEY, [])))]


def _targets_of(item: Any, note: Note, vault: Any) -> set[str] | None:
    """The notes ``item`` links to, resolved against the previous build's index (its backlinks' keys)."""
    from .markdown.linkpass import iter_refs

    index = vault.indexes.get(INDEX_KEY)
    if index is None:
        return None
    report: Reporter = item.env["report"]
    # Its own headings first: a link to a heading of the same note resolves against the new text.
    saved = (index.headings.get(note.src_path), index.blocks.get(note.src_path))
    index.add_anchors(note.src_path, item.headings, item.env.get(BLOCKS_KEY, {}))
    targets: set[str] = set()
    try:
        for _, ref, _, _ in iter_refs(item.tokens):
            resolve_ref(ref, note, index, report)
            target = ref.resolution.note if ref.resolution is not None else None
            if target is not None and target.published and target.src_path != note.src_path and ref.kind != "image":
                targets.add(target.src_path)
    finally:
        index.add_anchors(note.src_path, saved[0] or [], saved[1] or {})
    return targets


def _old_targets(vault: Any, src_path: str) -> set[str] | None:
    index = vault.indexes.get(INDEX_KEY)
    if index is None:
        return None
    return {target for target, sources in index.backlinks.items() if src_path in sources}


def _emitted_suffix(build: VaultBuild, note: Note, page_html: str, body_length: int) -> str | None:
    """What the emitters appended to the page body last time (backlinks, graph slot), alias line taken out."""
    if note.aliases and build.config.links:
        line = alias_line(note.aliases, message("aliases.label", build.config.language))
        at = page_html.find(line)
        if at < 0 or at > body_length:
            return None
        page_html = page_html[:at] + page_html[at + len(line):]
    if len(page_html) < body_length:
        return None
    return page_html[body_length:]

