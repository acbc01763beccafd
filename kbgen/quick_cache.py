"""``kbgen serve``'s quick refreshes written to the build cache: a build after a serve session parses nothing again.

The quick path (kbgen.quick_note, kbgen.quick_meta, kbgen.quick_structure)
renders again, in memory, the notes an edit changes; the build cache
(kbgen.cache) still holds their entries from before, and a title, tag or
front-matter edit, or a note added, deleted or renamed, changes the vault
signature every entry is checked against. Left so, the next ``kbgen build``
would parse the edited notes again — after a retitle, every note.

:class:`QuickCache` follows a serve session: the notes each refresh rendered
(their parse and their page body before the emitters), the notes edited and
those that went. :meth:`QuickCache.save` (``kbgen serve`` calls it when the
author pauses, with the search index) writes for them the entries a build would
write, forgets the notes that went, and records that the other entries of the
last full build are valid for the vault as it is now
(:meth:`kbgen.cache.NoteCache.resign`, one row, not one write per entry): a
note the quick path did not render again renders as it did (that is what the
quick path guarantees, and what the tests compare with cold builds). A
dependency recorded at an edited note's old text is recorded at its new one
for the same reason (those few entries are written again). An entry the session
cannot vouch for (its note or a dependency changed on disk unseen) still fails
the next build's check of its text and dependencies. The vault is read from disk
for its signature (:meth:`QuickCache.vault_on_disk`, without serve's lock); when
what was read is not what memory holds (saved since), nothing is written. No
MkDocs here.
"""
from __future__ import annotations

import dataclasses

from .cache import NoteCache, NoteEntry, derived_signature, embed_closure, source_sha, vault_signature
from .incremental import ParseFacts, link_facts
from .markdown.link_targets import INDEX_KEY
from .markdown.renderer import ParsedNote, RenderedNote
from .vault.load import load_vault
from .vault.vault import Vault
from .vault_build import VaultBuild


class QuickCache:
    """The build cache's view of one serve session since the last full build (see the module)."""

    def __init__(self, build: VaultBuild):
        self.build = build
        # What the last full build's entries are signed with (the derived one from the notes' tags as
        # indexed, as that build's entries carry it).
        self.signed = (build.cache_signature, derived_signature(build.vault))
        self.rendered: dict[str, tuple[ParsedNote, RenderedNote]] = {}  # page bodies before emitters
        self.edited: set[str] = set()

    def took(self, src_path: str, rendered: dict[str, tuple[ParsedNote, RenderedNote]]) -> None:
        """A quick refresh of ``src_path`` rendered these notes again."""
        self.edited.add(src_path)
        self.rendered.update(rendered)

    def took_structure(self, src_paths: list[str], rendered: dict[str, tuple[ParsedNote, RenderedNote]],
                       removed: list[str]) -> None:
        """A quick refresh added, deleted or renamed notes (kbgen.quick_structure)."""
        self.edited.update(src_paths)
        for src_path in removed:
            self.rendered.pop(src_path, None)
        self.rendered.update(rendered)

    def vault_on_disk(self) -> Vault | None:
        """The vault as the next build loads it (its signature is what entries are signed with); None
        without a build cache. Reads every note: ``kbgen serve`` calls it without holding its lock."""
        if not self.build.config.build_cache:
            return None
        cache = NoteCache(self.build.config)
        try:
            loaded = cache.loaded_notes()
            vault = load_vault(self.build.config, loaded)
            loaded.save()
        finally:
            cache.close()
        return vault

    def save(self, on_disk: Vault | None = None) -> int:
        """Write the session to the build cache; how many entries were written (0: nothing to do, no
        cache, or the notes on disk are no longer those in memory). ``on_disk``: :meth:`vault_on_disk`,
        read here when None. Storage errors are the cache's own (logged, never raised)."""
        build = self.build
        if not build.config.build_cache or not build.cache_signature or not (self.edited or self.rendered):
            return 0
        vault = on_disk if on_disk is not None else self.vault_on_disk()
        if vault is None:
            return 0
        shas = {path: source_sha(note) for path, note in vault.notes.items()}
        if shas.keys() != build.vault.notes.keys() or any(
                source_sha(note) != shas[path] for path, note in build.vault.notes.items()):
            return 0  # saved since (the next refresh saves again): entries signed for that vault would lie
        cache = NoteCache(build.config)
        try:
            signed = (vault_signature(vault), derived_signature(build.vault))
            entries = self._entries(shas, signed)
            entries.update(self._dependents_again(cache, shas, signed, set(entries)))
            cache.store(entries, stale=sorted(p for p in self.edited if p not in shas))
            cache.resign(self.signed, signed)
        finally:
            cache.close()
        self.signed = signed
        self.rendered.clear()
        self.edited.clear()
        return len(entries)

    def _entries(self, shas: dict[str, str], signed: tuple[str, str]) -> dict[str, NoteEntry]:
        """Entries for the notes rendered again, as kbgen.incremental.record makes them."""
        build = self.build
        index = build.vault.indexes.get(INDEX_KEY)
        embeds: dict[str, list[str]] = {}
        for target, sources in (index.embedders.items() if index is not None else ()):
            for source in sources:
                embeds.setdefault(source, []).append(target)
        out: dict[str, NoteEntry] = {}
        for src_path, (item, rendered) in self.rendered.items():
            if src_path not in shas or src_path not in build.rendered:
                continue
            parse, links = ParseFacts.of(item), link_facts(build, item)
            deps = links.targets | embed_closure(links.embedded, embeds)
            deps.discard(src_path)
            out[src_path] = NoteEntry(
                source_sha=shas[src_path], vault_sig=signed[0],
                deps={dep: shas[dep] for dep in sorted(deps) if dep in shas},
                rendered=dataclasses.replace(rendered, diagnostics=list(rendered.diagnostics)),
                headings=parse.headings, blocks=parse.blocks,
                backlinks=[(target, contexts, excerpts) for target, contexts, excerpts, _ in links.backlinks],
                embeds=links.embedded, facts=parse.facts, derived_sig=signed[1])
        return out

    def _dependents_again(self, cache: NoteCache, shas: dict[str, str], signed: tuple[str, str],
                          written: set[str]) -> dict[str, NoteEntry]:
        """The last full build's entries of notes that depend on an edited one (link to it or transclude
        it, directly or through embeds), not rendered again: their dependencies at the edited notes'
        new text, signed for the vault as it is now."""
        out: dict[str, NoteEntry] = {}
        for src_path, entry in cache.load(self._dependents()).items():
            if src_path in written or (entry.vault_sig, entry.derived_sig) != self.signed \
                    or entry.source_sha != shas.get(src_path):
                continue
            moved = {dep for dep, sha in entry.deps.items() if sha != shas.get(dep)}
            if not moved or not moved <= self.edited or any(dep not in shas for dep in moved):
                continue  # unchanged, or a dependency changed outside this session: the next build checks it
            entry.vault_sig, entry.derived_sig = signed
            entry.deps = {dep: shas[dep] if dep in moved else sha for dep, sha in entry.deps.items()}
            out[src_path] = entry
        return out

    def _dependents(self) -> set[str]:
        index = self.build.vault.indexes.get(INDEX_KEY)
        if index is None:
            return set()
        embedding, stack = set(self.edited), list(self.edited)
        while stack:
            for source in index.embedders.get(stack.pop(), ()):
                if source not in embedding:
                    embedding.add(source)
                    stack.append(source)
        linking = {source for edited in self.edited for source in index.backlinks.get(edited, {})}
        return (embedding | linking) - set(self.rendered)
