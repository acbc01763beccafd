"""Parse and render on all cores: kbgen.build's per-note stages in forked workers (kbgen.parallel_rounds).

Two rounds, so that the main process never holds the vault's token trees (most
of a serial build's memory):

1. after loading, workers parse their notes and send back what the indexers
   need: headings, block ids, inline tags (:class:`~kbgen.incremental.ParseFacts`).
   The main process builds the link and tag indexes from those.
2. the same workers, sent every note's facts, build the same indexes, then
   resolve their notes' links, report their embed cycles, render them and
   their backlink excerpts, and send back the pages, the diagnostics and
   :class:`~kbgen.incremental.LinkFacts`. The main process merges them in vault
   order, which is the order a serial build made them in.

A worker keeps the token trees it parsed in round 1 for round 2, up to
:data:`KEEP_CHARS` of note text (a big vault's trees would not fit in memory
twice over); a note past that is parsed again in round 2. Formulas are typeset
in round 1 (each worker with its own KaTeX, into the shared formula cache), so
round 2 finds them there. The result equals a serial build byte for byte
(tests/test_parallel_build.py).
"""
from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any, Callable, Iterator, TypeVar

from . import parallel, parallel_rounds
from .diagnostics import Diagnostic
from .incremental import LinkFacts, ParsedNotes, ParseFacts, link_facts
from .markdown.blockrefs import ENV_KEY as BLOCKS_KEY
from .markdown.link_targets import INDEX_KEY
from .markdown.linkpass import iter_refs, link_notes
from .markdown.renderer import NoteRenderer, ParsedNote, RenderedNote
from .vault.index import Backlink, LinkIndex
from .vault.note import Note

T = TypeVar("T")
Progress = Callable[[str, int, int], None]

# Note text (characters) a worker keeps the token trees of between the rounds: about 30 bytes of
# tree per character, so some 180 MB a worker at most; the notes past it are parsed again.
KEEP_CHARS = 6_000_000


def guarded(step: Callable[[], T], note: Note) -> tuple[T | None, Diagnostic | None]:
    """Run one note's parse or render; a bug in kbgen costs that note its formatting, not the build.

    The cyclic collector waits until the note is done: a big note allocates a million
    tokens, all alive, and collections in the middle walked them again and again (a
    third of its time). Cycles it leaves go at the next collection after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return step(), None
    except Exception as exc:  # noqa: BLE001 - any failure is reported, never raised
        return None, Diagnostic(
            note.src_path, note.body_offset + 1, 1, "error", "internal",
            f"kbgen failed to render this note ({type(exc).__name__}: {exc}); it is shown as plain text")
    finally:
        if was_enabled:
            gc.enable()


class WorkerRounds:
    """Both rounds in the same forked workers: :meth:`parse`, the caller indexes, :meth:`render`; :meth:`close`."""

    def __init__(self, build: Any, renderer: NoteRenderer, notes: list[Note], parsed: ParsedNotes, workers: int,
                 progress: Progress | None, indexed: Callable[[], None]):
        """``indexed()`` makes the indexes from ``parsed`` as the caller does between the rounds (each
        worker makes its own from every note's facts)."""
        self.build, self.renderer, self.notes, self.parsed, self.progress = build, renderer, notes, parsed, progress
        self._indexed = indexed
        self._parse_round = _ParseRound(build, renderer, notes)
        self._render_round = _RenderRound(build, renderer, notes, parsed.unparsable)
        self._facts: dict[str, ParseFacts] = {}
        _prepare_fork(build, renderer)
        self._rounds = parallel_rounds.Rounds(parallel.chunked(len(notes), workers), workers, self._parse_round.run,
                                              self._take_facts, self._render_chunk, self._after_fork)

    def parse(self) -> dict[str, ParseFacts]:
        """Round 1: every note's ParseFacts, as the indexers' view of it in ``parsed`` (no tokens)."""
        results = self._rounds.first_round()
        for n, (item, diagnostic) in self._merged(results, self._parse_round.run, "parse", len(self.notes)):
            note = self.notes[n]
            if item is None:
                self.build.emit_diagnostics.append(diagnostic)
                self.parsed.unparsable.add(note.src_path)
                continue
            self._facts[note.src_path] = item
            self.parsed[note.src_path] = item.as_parse(note, self.build.config)
        self.parsed.linked_in_workers = True
        return self._facts

    def render(self) -> dict[str, tuple[ParseFacts, LinkFacts]]:
        """Round 2: pages into ``build.rendered``, backlinks and embeds into the link index, in vault order.

        Returns what the build cache records of each note parsed again (kbgen.incremental.record).
        """
        facts, build = self._facts, self.build
        index: LinkIndex | None = build.vault.indexes.get(INDEX_KEY)
        recorded: dict[str, tuple[ParseFacts, LinkFacts]] = {}
        todo = sum(1 for note in self.notes if note.src_path in facts)
        results = self._rounds.second_round((facts, sorted(self.parsed.unparsable)))
        for n, outcome in self._merged(results, self._render_chunk, "render", todo):
            src_path = self.notes[n].src_path
            if outcome.diagnostic is not None:
                build.emit_diagnostics.append(outcome.diagnostic)
            if outcome.rendered is not None:
                build.rendered[src_path] = outcome.rendered
            if outcome.links is None:
                continue
            if index is not None:
                _merge_links(index, src_path, outcome.links)
            recorded[src_path] = (facts[src_path], outcome.links)
        return recorded

    def close(self) -> None:
        self._rounds.close()

    def _after_fork(self) -> None:
        _KEEPING[0] = True  # a worker keeps its trees for round 2; the main process, doing a chunk, does not
        self.renderer.after_fork()

    def _take_facts(self, message: tuple[dict[str, ParseFacts], list[str]]) -> None:
        """In a worker, before round 2: ``parsed`` and the indexes as the main process made them."""
        facts, unparsable = message
        self._facts = facts
        self.parsed.unparsable.update(unparsable)
        for note in self.notes:
            item = facts.get(note.src_path)
            if item is not None:
                self.parsed[note.src_path] = item.as_parse(note, self.build.config)
        self.parsed.linked_in_workers = True
        self._indexed()

    def _render_chunk(self, chunk: list[int]) -> list[_Outcome]:
        return self._render_round.run(self._parsable(chunk))

    def _parsable(self, chunk: list[int]) -> list[int]:
        """The notes of ``chunk`` round 1 parsed: round 2 renders those."""
        return [n for n in chunk if self.notes[n].src_path in self._facts]

    def _merged(self, results: Iterator[tuple[list[int], Any]], task: Callable[[list[int]], list[T]], stage: str,
                count: int) -> Iterator[tuple[int, T]]:
        """(position, result) of every note of every chunk, in order; a chunk a worker failed is done here."""
        done = 0
        for chunk, result in results:
            if result is None:
                result = task(chunk)
            if stage == "render":
                chunk = self._parsable(chunk)
            yield from zip(chunk, result)
            done += len(chunk)
            if self.progress is not None:
                self.progress(stage, done, count)


# In a worker: the token trees of round 1 kept for round 2, and their notes' text length.
_KEPT: dict[str, ParsedNote] = {}
_KEPT_SIZE = [0]
_KEEPING = [False]


def _prepare_fork(build: Any, renderer: NoteRenderer) -> None:
    renderer.before_fork()
    if getattr(build.config, "math", True):
        # KaTeX fetched once here, not by every worker at the same time.
        from .katex.fetch import ensure_katex

        ensure_katex(build.config.cache_dir)


def _merge_links(index: LinkIndex, src_path: str, links: LinkFacts) -> None:
    """What the link pass records for one note, as its worker recorded it."""
    for target, contexts, excerpts, count in links.backlinks:
        index.backlinks.setdefault(target, {})[src_path] = Backlink(src_path, contexts, excerpts, count)
    for target in links.embedded:
        index.add_embed(target, src_path)


class _ParseRound:
    def __init__(self, build: Any, renderer: NoteRenderer, notes: list[Note]):
        self.build, self.renderer, self.notes = build, renderer, notes

    def run(self, chunk: list[int]) -> list[tuple[ParseFacts | None, Diagnostic | None]]:
        vault = self.build.vault
        out: list[tuple[ParseFacts | None, Diagnostic | None]] = []
        for n in chunk:
            note = self.notes[n]
            item, diagnostic = guarded(lambda: self.renderer.parse(note, vault), note)
            out.append((ParseFacts.of(item) if item is not None else None, diagnostic))
            if item is not None and _KEEPING[0] and _KEPT_SIZE[0] + len(note.body) <= KEEP_CHARS:
                _KEPT[note.src_path] = item  # for round 2 in this worker
                _KEPT_SIZE[0] += len(note.body)
        self.renderer.flush()  # this chunk's new formulas typeset into the shared cache
        if _KEEPING[0]:
            # The trees kept live until round 2: frozen, no collection walks them again and again.
            gc.freeze()
        return out


@dataclass
class _Outcome:
    rendered: RenderedNote | None
    diagnostic: Diagnostic | None  # kbgen's own failure on this note
    links: LinkFacts | None  # None when the note could not be parsed


class _RenderRound:
    def __init__(self, build: Any, renderer: NoteRenderer, notes: list[Note], unparsable: set[str]):
        self.build, self.renderer, self.notes, self.unparsable = build, renderer, notes, unparsable

    def run(self, chunk: list[int]) -> list[_Outcome]:
        """Parse, link, render a chunk of notes; every other note is parsed when an embed needs it.

        Also runs in the main process when a worker failed; it leaves the link index as it found it.
        """
        build, renderer = self.build, self.renderer
        vault = build.vault
        index: LinkIndex | None = vault.indexes.get(INDEX_KEY)
        local = ParsedNotes.parsed_by(vault, renderer)
        local.release()  # every note not in the chunk: parsed on demand
        local.unparsable = self.unparsable
        previous = index.parsed if index is not None else None
        if index is not None:
            index.parsed = local
        outcomes: list[_Outcome] = []
        items: list[tuple[str, ParsedNote]] = []
        try:
            for n in chunk:
                note = self.notes[n]
                item = _KEPT.pop(note.src_path, None)  # parsed in round 1 by this worker
                diagnostic = None
                if item is None:
                    item, diagnostic = guarded(lambda: renderer.parse(note, vault), note)
                if item is None:
                    outcomes.append(_Outcome(None, diagnostic, None))
                    continue
                local.replace(note.src_path, item)
                if index is not None:
                    index.add_anchors(note.src_path, item.headings, item.env.get(BLOCKS_KEY, {}))
                items.append((note.src_path, item))
                outcomes.append(_Outcome(None, None, LinkFacts([], set(), [])))
            if index is not None:
                link_notes(index, items, local)
            parsed_outcomes = [o for o in outcomes if o.links is not None]
            for (src_path, item), outcome in zip(items, parsed_outcomes):
                outcome.rendered, outcome.diagnostic = guarded(lambda: renderer.render(item), item.note)
                if outcome.rendered is not None:
                    # Compressed here, on all cores: the main process holds every body to the end
                    # of the build (kbgen.packed), and a fifth of the bytes crosses the pipe.
                    outcome.rendered.pack()
                if index is not None:
                    outcome.links = link_facts(build, item)
        finally:
            if index is not None:
                for src_path, item in items:
                    _forget_links(index, src_path, item)
                index.parsed = previous
            local.release()
        return outcomes


def _forget_links(index: LinkIndex, src_path: str, item: ParsedNote) -> None:
    """Take back what linking ``item`` added to the index (the main process merges it in order)."""
    for _, ref, _, _ in iter_refs(item.tokens):
        target = ref.resolution.note if ref.resolution is not None else None
        if target is None:
            continue
        sources = index.backlinks.get(target.src_path)
        if sources is not None and sources.pop(src_path, None) is not None and not sources:
            del index.backlinks[target.src_path]
        embedders = index.embedders.get(target.src_path)
        if embedders is not None and ref.kind == "embed":
            embedders.discard(src_path)
            if not embedders:
                del index.embedders[target.src_path]
