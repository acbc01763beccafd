"""Incremental builds: parse and render only the notes the build cache cannot vouch for.

:func:`plan` splits the published notes into *restored* (a valid
:class:`~kbgen.cache.NoteEntry`) and *stale*. Stale notes go through the
pipeline as usual; restored notes give the link pass their anchors and
backlinks from the cache and their page body as it was. A restored note is
parsed after all when another note embeds it (:class:`ParsedNotes`), since a
transclusion needs its tokens. :func:`record` turns the freshly rendered notes
into entries for the next build.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterable, Iterator, Mapping

from .cache import (NoteEntry, anchors_digest, derived_signature, embed_closure, source_sha, valid_entries,
                    vault_signature)
from .diagnostics import Reporter
from .markdown.blockrefs import ENV_KEY as BLOCKS_KEY
from .markdown.highlight import DATA_KEY
from .markdown.link_targets import INDEX_KEY, resolve_ref
from .markdown.renderer import ParsedNote, RenderedNote
from .markdown.tags import ENV_KEY as TAGS_KEY
from .vault.note import Note
from .vault.vault import Vault

# Parse-env entries indexers read besides headings and block ids; kept in the cache.
FACT_KEYS = (TAGS_KEY,)


@dataclasses.dataclass
class RestoredParse:
    """A restored note as an indexer sees it: the note and the facts its parse left in ``env``."""

    note: Note
    env: dict[str, Any]

    @property
    def headings(self) -> list[Any]:
        return self.env.get("headings", [])


@dataclasses.dataclass
class Plan:
    shas: dict[str, str]
    vault_sig: str
    restored: dict[str, NoteEntry]
    cached: set[str]  # every note the cache had an entry for
    # Restored notes that link to a note whose text changed: target → its anchors digest when the
    # entry was made. Valid only if those anchors are the same now (:func:`anchors_hold`).
    pending: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    # Notes to render again: the code blocks their last render highlighted (kbgen.markdown.highlight).
    highlighted: dict[str, dict] = dataclasses.field(default_factory=dict)


def plan(vault: Vault, entries: Mapping[str, NoteEntry], *, strict: bool = False) -> Plan:
    """What the cache can vouch for; ``strict``: not a note linking to one whose text changed."""
    shas = {path: source_sha(note) for path, note in vault.notes.items()}
    sig = vault_signature(vault)
    pending: dict[str, dict[str, str]] | None = None if strict else {}
    restored = valid_entries(entries, vault.notes, shas, sig, pending)
    highlighted = {path: entry.rendered.data[DATA_KEY] for path, entry in entries.items()
                   if path not in restored and DATA_KEY in getattr(entry.rendered, "data", {})}
    return Plan(shas, sig, restored, set(entries), pending or {}, highlighted)


def anchors_hold(vault: Vault, pending: Mapping[str, Mapping[str, str]]) -> bool:
    """After indexing: whether every note a pending restored note links to has the anchors it had."""
    index = vault.indexes.get(INDEX_KEY)
    if not pending:
        return True
    if index is None:
        return False
    digests: dict[str, str] = {}
    for targets in pending.values():
        for target, digest in targets.items():
            if target not in digests:
                digests[target] = anchors_digest(index.headings.get(target, []), index.blocks.get(target, {}))
            if digests[target] != digest:
                return False
    return True


class ParsedNotes(dict):
    """src_path → ParsedNote for the stale notes; restored notes are parsed only on demand.

    Iterating gives the stale notes only (they are the ones to render); ``in``,
    ``[]`` and ``get`` also answer for restored notes, parsing them then, as an
    embed or the embed-cycle check needs their tokens.
    """

    def __init__(self, vault: Vault, restored: Mapping[str, NoteEntry], parse: Callable[[str], ParsedNote | None],
                 renderer: Any = None):
        super().__init__()
        self.vault = vault
        self.renderer = renderer  # the NoteRenderer that made every parse here
        self.restored = restored
        self._parse = parse
        self._late: dict[str, ParsedNote | None] = {}
        self._released = False
        # Notes whose parse failed in a worker: as in a serial build, no later lookup parses them.
        self.unparsable: set[str] = set()
        # Set when the notes' links are resolved where they are rendered (kbgen.note_stages), not by the link pass.
        self.linked_in_workers = False
        self.pending: Mapping[str, Mapping[str, str]] = {}  # Plan.pending: checked after indexing

    @classmethod
    def parsed_by(cls, vault: Vault, renderer: Any, restored: Mapping[str, NoteEntry] | None = None) -> "ParsedNotes":
        """Parses by ``renderer``; a restored (or, once released, any published) note is parsed when asked for,
        as the link pass would have left it (:func:`late_parser`)."""
        parse = late_parser(vault, lambda note: renderer.parse(note, vault))
        return cls(vault, restored if restored is not None else {}, parse, renderer)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.restored or (self._released and self._published(key))

    def release(self) -> None:
        """Drop every token tree (most of a build's memory); a later ``get`` parses the note again.

        After the emitters nothing reads tokens but a page rendered again in
        ``kbgen serve`` that embeds a note (kbgen.quick_note).
        """
        self.clear()
        self._late.clear()
        self._released = True

    def replace(self, key: str, item: ParsedNote) -> None:
        """The parse of a note ``kbgen serve`` re-read in place: embeds and excerpts of it read this one."""
        if self._released or key in self.restored:
            self._late[key] = item
        else:
            dict.__setitem__(self, key, item)

    def _published(self, key: object) -> bool:
        note = self.vault.notes.get(key) if isinstance(key, str) else None
        return note is not None and note.published and key not in self.unparsable

    def __getitem__(self, key: str) -> ParsedNote:
        item = self.get(key)
        if item is None:
            raise KeyError(key)
        return item

    def get(self, key: str, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        if key not in self.restored and not (self._released and self._published(key)):
            return default
        if key not in self._late:
            self._late[key] = self._parse(key)
        return self._late[key] if self._late[key] is not None else default

    def all_items(self) -> Iterator[tuple[str, Any]]:
        """Every published note, in vault order: parsed ones as ParsedNote, restored ones as RestoredParse."""
        for src_path, note in self.vault.notes.items():
            if dict.__contains__(self, src_path):
                yield src_path, dict.__getitem__(self, src_path)
            elif src_path in self.restored:
                entry = self.restored[src_path]
                env = {**entry.facts, "headings": entry.headings, BLOCKS_KEY: entry.blocks}
                yield src_path, RestoredParse(note, env)

    def still_valid(self) -> bool:
        """After the indexers: whether what they derived vault-wide is what the restored notes were built with."""
        sig = derived_signature(self.vault)
        return all(entry.derived_sig == sig for entry in self.restored.values())

    def restore_into(self, index: Any) -> None:
        """Give the link index what the restored notes would have given it."""
        for src_path, entry in self.restored.items():
            index.add_anchors(src_path, entry.headings, entry.blocks)
            for target in entry.embeds:
                index.add_embed(target, src_path)
            for target, contexts, excerpts in entry.backlinks:
                if not contexts:
                    index.add_backlink(target, src_path, "")
                for context, excerpt_html in zip(contexts, excerpts):
                    index.add_backlink(target, src_path, context, excerpt_html)


def late_parser(vault: Vault, parse: Callable[[Any], ParsedNote]) -> Callable[[str], ParsedNote | None]:
    """Parse a restored note as the link pass would have left it: anchors known, links resolved."""
    from .markdown.linkpass import iter_refs

    def late(src_path: str) -> ParsedNote | None:
        note = vault.notes[src_path]
        try:
            item = parse(note)
        except Exception:  # noqa: BLE001 - the note's own build reported this already
            return None
        index = vault.indexes.get(INDEX_KEY)
        if index is not None:
            index.add_anchors(src_path, item.headings, item.env.get(BLOCKS_KEY, {}))
            scratch = Reporter(src_path, note.body_offset)  # its problems are in its cached entry
            for _, ref, _, _ in iter_refs(item.tokens):
                if ref.resolution is None:
                    resolve_ref(ref, note, index, scratch)
        return item

    return late


def restored_rendered(entry: NoteEntry) -> RenderedNote:
    """A copy: emitters append to a page's HTML, the cached entry must not change."""
    rendered = entry.rendered
    return rendered.copy(diagnostics=list(rendered.diagnostics))


@dataclasses.dataclass
class ParseFacts:
    """What indexers and the build cache need of one note's parse, without its tokens."""

    headings: list[Any]
    blocks: dict[str, Any]  # folded id -> BlockAnchor without its token
    facts: dict[str, Any]  # the parse-env entries of FACT_KEYS

    @classmethod
    def of(cls, item: ParsedNote) -> "ParseFacts":
        return cls(list(item.headings),
                   {k: dataclasses.replace(v, token=None) for k, v in item.env.get(BLOCKS_KEY, {}).items()},
                   {k: item.env[k] for k in FACT_KEYS if k in item.env})

    def as_parse(self, note: Note, config: Any) -> RestoredParse:
        """The note as an indexer sees it, tokens aside (kbgen.note_stages parses in workers)."""
        return RestoredParse(note, {**self.facts, "headings": self.headings, BLOCKS_KEY: self.blocks, "config": config})


@dataclasses.dataclass
class LinkFacts:
    """What one note's links left after the link pass: its backlinks, and the notes it links to and embeds."""

    # (target, sentences, their HTML as the target's page shows them, links to it)
    backlinks: list[tuple[str, list[str], list[str | None], int]]
    targets: set[str]  # notes linked or embedded
    embedded: list[str]  # notes embedded, each once, in order


def link_facts(build: Any, item: ParsedNote) -> LinkFacts:
    """The note's :class:`LinkFacts`, once the link pass has run over it (its excerpts rendered here).

    The excerpts' HTML replaces their tokens in the link index: the backlinks emitter
    shows the same HTML, and the tokens can go.
    """
    from .emit.backlinks import excerpt_renderer
    from .markdown.linkpass import iter_refs

    vault = build.vault
    index = vault.indexes.get(INDEX_KEY)
    src_path = item.note.src_path
    refs = list(iter_refs(item.tokens))
    targets, embedded = _targets(refs)
    backlinks: list[tuple[str, list[str], list[str | None], int]] = []
    for target in _backlinked(refs, src_path) if index is not None else ():
        link = index.backlinks.get(target, {}).get(src_path)
        if link is None or target not in vault.notes:
            continue
        render = excerpt_renderer(build, vault.notes[target], index)
        excerpts = [render(x, src_path) if x is not None else None for x in link.excerpts]
        link.excerpts[:] = excerpts
        backlinks.append((target, list(link.contexts), list(excerpts), link.links))
    return LinkFacts(backlinks, targets, embedded)


def _backlinked(refs: list[tuple[int, Any, Any, int]], src_path: str) -> list[str]:
    """The notes the link pass recorded a backlink from ``src_path`` to, in the order of their first link."""
    found: dict[str, None] = {}
    for _, ref, _, _ in refs:
        target = ref.resolution.note if ref.resolution is not None else None
        if target is not None and target.published and target.src_path != src_path and ref.kind != "image":
            found.setdefault(target.src_path, None)
    return list(found)


def record(build: Any, notes: Mapping[str, tuple[ParseFacts, LinkFacts]], the_plan: Plan) -> dict[str, NoteEntry]:
    """Entries for the notes rendered in this build (before emitters touch their HTML)."""
    rendered = build.rendered
    embeds: dict[str, list[str]] = {path: list(e.embeds) for path, e in the_plan.restored.items()}
    for src_path, (_, links) in notes.items():
        embeds[src_path] = links.embedded
    entries: dict[str, NoteEntry] = {}
    derived = derived_signature(build.vault)
    index = build.vault.indexes.get(INDEX_KEY)
    anchors: dict[str, str] = {}
    for src_path, (parse, links) in notes.items():
        page = rendered.get(src_path)
        if page is None:
            continue
        deps = embed_closure(embeds[src_path], embeds)  # what it shows of other notes: their text
        linked = links.targets - deps - {src_path}
        deps.discard(src_path)
        if index is None:  # no anchors to go by: a linked note's text counts as a whole
            deps |= linked
            linked = set()
        for target in linked:
            if target not in anchors:
                anchors[target] = anchors_digest(index.headings.get(target, []), index.blocks.get(target, {}))
        entries[src_path] = NoteEntry(
            source_sha=the_plan.shas[src_path],
            vault_sig=the_plan.vault_sig,
            deps={dep: the_plan.shas[dep] for dep in sorted(deps) if dep in the_plan.shas},
            rendered=page.copy(diagnostics=list(page.diagnostics)),
            headings=parse.headings,
            blocks=parse.blocks,
            backlinks=[(target, contexts, excerpts) for target, contexts, excerpts, _ in links.backlinks],
            embeds=links.embedded,
            facts=parse.facts,
            derived_sig=derived,
            anchor_deps={t: (the_plan.shas[t], anchors[t]) for t in sorted(linked) if t in the_plan.shas},
        )
    return entries


def _targets(refs: Iterable[tuple[int, Any, Any, int]]) -> tuple[set[str], list[str]]:
    """(notes linked or embedded, notes embedded) by one note's references."""
    linked: set[str] = set()
    embedded: list[str] = []
    for _, ref, _, _ in refs:
        resolution = ref.resolution
        if resolution is None or resolution.note is None:
            continue
        linked.add(resolution.note.src_path)
        if ref.kind == "embed" and resolution.note.src_path not in embedded:
            embedded.append(resolution.note.src_path)
    return linked, embedded
