"""Every page an edited note shows on, again, in well under a second: ``kbgen serve``'s quick path.

``kbgen serve`` keeps the last build in memory. When a saved note keeps its
URL, aliases and id, the pages whose output can change are known from the link
index (and, when its title, tags, dates or front matter changed, from what
kbgen.quick_meta makes again: home, tag, folder and alias pages, navigation):

- the note's own page;
- the notes that transclude it (``![[note]]``, ``![[note#heading]]``, block
  embeds), and those that transclude them, up the embed chain;
- when its headings or block ids changed, the notes that link to it (a link to
  ``note#heading`` may now resolve elsewhere or break), and their embedders;
- the pages whose backlinks aside shows it: its link targets before and after
  the edit (the sentence around a link may change, or the link itself);
- when the set of notes it links to changed, the graph data and the local
  graph slot of the notes that gained or lost their only link;
- tag pages and the feed when a changed page's opening sentence changed (their
  one-line summaries); the Quizzes and review pages when a changed page has
  quizzes or cards.

:func:`refresh_note` re-reads the note, updates the link index in place,
renders those notes again (kbgen.quick_pages puts their pages together and
makes the generated pages again) and says which pages and files changed. The adapter (kbgen.mkdocs_quick) templates and writes the pages and
writes the search index. Anything else returns None: the full rebuild alone
handles it. No MkDocs here.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .markdown.blockrefs import ENV_KEY as BLOCKS_KEY
from .markdown.highlight import DATA_KEY as HIGHLIGHTED_KEY
from .markdown.link_targets import INDEX_KEY
from .markdown.linkpass import link_note
from .markdown.renderer import NoteRenderer, ParsedNote, RenderedNote
from .markdown.tags import ENV_KEY as TAGS_KEY
from .markdown.tags import INDEX_KEY as TAG_INDEX_KEY
from .quick_meta import FIXED_FIELDS, SHOWN_FIELDS, pages_again, take_metadata
from .quick_pages import QuickChange, changed_pages
from .vault.dates import assign_dates
from .vault.excalidraw import publish_drawings
from .vault.load import load_note
from .vault.note import Note
from .vault_build import VaultBuild

# Notes rendered again for one edit at most: past that (a heading renamed in a note hundreds of
# notes link to), the full incremental rebuild is about as quick.
MAX_RENDERED = 200


def refresh_note(build: VaultBuild, src_path: str, renderer: NoteRenderer, *,
                 metadata: bool = True) -> QuickChange | None:
    """Re-read ``src_path`` and give every page and file whose content changed, or None (see the module).

    On success ``build`` (notes, link index, rendered pages, generated pages and
    files) is what a build of the vault as it is now holds. On None it may be
    half updated: the caller builds afresh.
    """
    vault = build.vault
    index = vault.indexes.get(INDEX_KEY)
    old = vault.notes.get(src_path)
    if index is None or old is None or not old.published or src_path not in build.rendered:
        return None
    path = Path(vault.root) / src_path
    if not path.is_file():
        return None
    note = load_note(path, Path(vault.root), build.config)
    publish_drawings([note], vault.attachments, build.config.language)
    note.url = old.url
    note.diagnostics.extend(d for d in old.diagnostics if d.code == "url-collision")
    assign_dates(Path(vault.root), [note])
    if any(getattr(note, f) != getattr(old, f) for f in FIXED_FIELDS):
        return None
    item = _parse(renderer, build, note)
    written = list(note.tags) + list(item.env.get(TAGS_KEY, []))
    tags = _tags_of(vault, note, item.env)
    shown = tags != old.tags or _written(vault, src_path) != written or any(
        getattr(note, f) != getattr(old, f) for f in SHOWN_FIELDS)
    seeds: set[str] = {src_path}
    if shown:  # what other pages list about it changed: kbgen.quick_meta
        if not metadata:
            return None
        again_for_links = take_metadata(build, old, note, written)
        if again_for_links is None:
            return None
        seeds |= again_for_links
        tags = _tags_of(vault, note, item.env)
    note.tags = tags or []

    old_targets = _targets(index, src_path)
    old_anchors = _anchors(index, src_path)
    old_embeds = _embeds(index, src_path)
    vault.notes[src_path] = index.notes[src_path] = note
    _index_again(index, item)
    new_anchors = _anchors(index, src_path)
    if new_anchors != old_anchors:
        seeds |= set(index.backlinks.get(src_path, {}))
    again = _embedders(index, seeds)
    again = [p for p in vault.notes if p in again and p in build.rendered]
    if len(again) > MAX_RENDERED:
        return None
    # Notes rendered again may link elsewhere now (a retitle resolves a broken link): their targets'
    # backlinks, the graph data and the local graph slots follow them as they follow the edited note.
    others_before = _forward(index, set(again) - {src_path})
    fresh: dict[str, RenderedNote] = {src_path: renderer.render(item)}
    items = {src_path: item}
    for other in again:
        if other != src_path:
            items[other] = _parse_again(renderer, build, other)
            fresh[other] = renderer.render(items[other])
    new_targets = _targets(index, src_path)
    others_after = _forward(index, set(others_before))
    shown_in = old_targets | new_targets
    for targets in (*others_before.values(), *others_after.values()):
        shown_in |= targets
    change = changed_pages(build, fresh, shown_in, old_targets != new_targets or others_before != others_after)
    if change is not None and shown and not pages_again(build, old, note, change):
        return None
    if change is not None:
        change.rendered = {p: (items[p], fresh[p]) for p in fresh}
        # Problems only a whole build finds again: an embed cycle (the link pass), a page kbgen failed
        # to render or write, formulas left to the browser (counted vault-wide).
        change.complete = change.complete and (_embeds(index, src_path) == old_embeds
                           and not any(d.code in ("internal", "write") for d in build.emit_diagnostics)
                           and not any((build.rendered[p].data.get("math") or {}).get("browser") for p in fresh))
    return change


def _tags_of(vault: Any, note: Note, env: dict[str, Any]) -> list[str] | None:
    index = vault.indexes.get(TAG_INDEX_KEY)
    if index is None:
        return list(note.tags)
    return [tag.name for tag in index.of_note(list(note.tags) + list(env.get(TAGS_KEY, [])))]


def _written(vault: Any, src_path: str) -> list[str] | None:
    """The note's tags as written when the tag index was made (None: no tag index)."""
    index = vault.indexes.get(TAG_INDEX_KEY)
    return index.written.get(src_path, []) if index is not None else None


def _targets(index: Any, src_path: str) -> set[str]:
    """The notes whose backlinks show ``src_path``."""
    return {target for target, sources in index.backlinks.items() if src_path in sources}


def _forward(index: Any, sources: set[str]) -> dict[str, set[str]]:
    """{source: the notes whose backlinks show it} for ``sources``, in one pass over the backlinks."""
    out: dict[str, set[str]] = {source: set() for source in sources}
    if sources:
        for target, linking in index.backlinks.items():
            for source in sources.intersection(linking):
                out[source].add(target)
    return out


def _embeds(index: Any, src_path: str) -> set[str]:
    return {target for target, sources in index.embedders.items() if src_path in sources}


def _anchors(index: Any, src_path: str) -> tuple:
    """What links into the note resolve against: its headings and block ids."""
    headings = tuple((h.level, h.id, h.text, getattr(h, "source", "")) for h in index.headings.get(src_path, []))
    blocks = tuple(sorted((k, b.id) for k, b in index.blocks.get(src_path, {}).items()))
    return headings, blocks


def _index_again(index: Any, item: ParsedNote) -> None:
    """Record a note's new parse in the link index, as the link pass would have."""
    src_path = item.note.src_path
    index.forget_links_of(src_path)
    index.add_anchors(src_path, item.headings, item.env.get(BLOCKS_KEY, {}))
    link_note(index, item)
    replace = getattr(index.parsed, "replace", None)
    if replace is not None:  # embeds of it and its backlink excerpts read this parse
        replace(src_path, item)


def _parse_again(renderer: NoteRenderer, build: VaultBuild, src_path: str) -> ParsedNote:
    """A note whose text did not change but whose render may (it shows or links to the edited note)."""
    item = _parse(renderer, build, build.vault.notes[src_path])
    _index_again(build.vault.indexes[INDEX_KEY], item)
    return item


def _parse(renderer: NoteRenderer, build: VaultBuild, note: Note) -> ParsedNote:
    """Parse ``note`` with the code blocks its last render highlighted at hand: Pygments' first use of a
    language in a process (a build started from the kept build) compiles the lexer, tens of milliseconds."""
    before = build.rendered.get(note.src_path)
    highlighted = before.data.get(HIGHLIGHTED_KEY) if before is not None else None
    if highlighted:
        renderer.highlighted[note.src_path] = highlighted
    return renderer.parse(note, build.vault)


def _embedders(index: Any, seeds: set[str]) -> set[str]:
    """``seeds`` and every note that transcludes one of them, directly or through other embeds."""
    found, stack = set(seeds), list(seeds)
    while stack:
        for source in index.embedders.get(stack.pop(), ()):
            if source not in found:
                found.add(source)
                stack.append(source)
    return found
