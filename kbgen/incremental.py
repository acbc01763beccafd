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
from typing import Any, Callable, Iterator, Mapping

from .cache import NoteEntry, derived_signature, embed_closure, source_sha, valid_entries, vault_signature
from .diagnostics import Reporter
from .markdown.blockrefs import ENV_KEY as BLOCKS_KEY
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


def plan(vault: Vault, entries: Mapping[str, NoteEntry]) -> Plan:
    shas = {path: source_sha(note) for path, note in vault.notes.items()}
    sig = vault_signature(vault)
    return Plan(shas, sig, valid_entries(entries, vault.notes, shas, sig), set(entries))


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
        return note is not None and note.published

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
    return dataclasses.replace(rendered, diagnostics=list(rendered.diagnostics))


def record(build: Any, parsed: Mapping[str, ParsedNote], the_plan: Plan) -> dict[str, NoteEntry]:
    """Entries for the notes rendered in this build (before emitters touch their HTML)."""
    from .emit.backlinks import excerpt_renderer
    from .markdown.linkpass import iter_refs

    vault, rendered = build.vault, build.rendered
    index = vault.indexes.get(INDEX_KEY)
    backlinks: dict[str, list[tuple[str, list[str], list[str | None]]]] = {}
    if index is not None:
        for target, sources in index.backlinks.items():
            render = None
            for source, link in sources.items():
                if not dict.__contains__(parsed, source):
                    continue
                # The excerpt as the target's page shows it: a later build need not parse the source for it.
                if render is None and target in vault.notes:
                    render = excerpt_renderer(build, vault.notes[target], index)
                excerpts = [render(item, source) if item is not None and render is not None else None
                            for item in link.excerpts]
                # The backlinks emitter shows the same HTML: it takes it from here rather than
                # rendering it again, and the excerpts' tokens go.
                link.excerpts[:] = [html if html is not None else item for item, html in zip(link.excerpts, excerpts)]
                backlinks.setdefault(source, []).append((target, list(link.contexts), excerpts))
    links: dict[str, set[str]] = {}
    embeds: dict[str, list[str]] = {path: list(e.embeds) for path, e in the_plan.restored.items()}
    for src_path, item in dict.items(parsed):  # type: ignore[arg-type]
        targets, embedded = _targets(iter_refs(item.tokens))
        links[src_path] = targets
        embeds[src_path] = embedded
    entries: dict[str, NoteEntry] = {}
    derived = derived_signature(vault)
    for src_path, item in dict.items(parsed):  # type: ignore[arg-type]
        page = rendered.get(src_path)
        if page is None:
            continue
        deps = links[src_path] | embed_closure(embeds[src_path], embeds)
        deps.discard(src_path)
        entries[src_path] = NoteEntry(
            source_sha=the_plan.shas[src_path],
            vault_sig=the_plan.vault_sig,
            deps={dep: the_plan.shas[dep] for dep in sorted(deps) if dep in the_plan.shas},
            rendered=dataclasses.replace(page, diagnostics=list(page.diagnostics)),
            headings=list(item.headings),
            blocks={k: dataclasses.replace(v, token=None) for k, v in item.env.get(BLOCKS_KEY, {}).items()},
            backlinks=backlinks.get(src_path, []),
            embeds=embeds[src_path],
            facts={k: item.env[k] for k in FACT_KEYS if k in item.env},
            derived_sig=derived,
        )
    return entries


def _targets(refs: Iterator[tuple[int, Any, Any, int]]) -> tuple[set[str], list[str]]:
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
