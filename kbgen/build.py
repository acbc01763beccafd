"""The kbgen pipeline: load → parse → index → filter → render → emit. No MkDocs here.

Like Quartz, a build reads in order: every stage is a plain function over a
:class:`VaultBuild`, and the MkDocs adapter (or ``kbgen check``) only drives it.
"""
from __future__ import annotations

import contextlib
import gc
import html
import time
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, TypeVar

from . import incremental, memory, note_stages, parallel
from .cache import NoteCache, NoteEntry
from .config import KbgenConfig
from .diagnostics import Diagnostic
from .emit import aliases as aliases_emitter
from .emit import assets as assets_emitter
from .emit import backlinks as backlinks_emitter
from .emit import feed
from .emit import home as home_emitter
from .emit import katex_assets as katex_emitter
from .emit import graph as graph_emitter
from .emit import mermaid_assets as mermaid_emitter
from .emit import web_assets as web_emitter
from .emit.memo import EmitMemo
from .markdown import linkpass
from .markdown.renderer import NoteRenderer, ParsedNote, RenderedNote
from .study import quizzes_page as quizzes_emitter
from .study import review_page as review_emitter
from .study.note_count import claim_review_url
from .study import site_assets as study_assets_emitter
from .nav import folders as folder_pages
from .nav import tree as nav_tree
from .tags import model as tag_model
from .tags import pages as tag_pages
from .vault.load import load_vault
from .vault.note import Note
from .vault.vault import Vault
from .vault_build import VaultBuild

if TYPE_CHECKING:
    from .snapshot import BuildSnapshot

T = TypeVar("T")

# A build that parsed at least this many notes collects the whole heap once their token trees
# are released, so their memory goes back before the emitters (kbgen.memory); below it the walk
# costs more than it frees (an incremental build after one edit).
RELEASE_COLLECT_MIN = 100

# progress(stage, done, total)
Progress = Callable[[str, int, int], None]
# An indexer sees every parsed note before any is rendered (links, headings, tags…).
# With the build cache, ``parsed`` iterates over the notes to render only; the
# others are in ``parsed.restored`` (kbgen.incremental.ParsedNotes).
Indexer = Callable[[Vault, dict[str, ParsedNote]], None]
Emitter = Callable[[VaultBuild], None]


def indexers() -> list[Indexer]:
    """Stages that see all parsed notes before rendering, in order."""
    return [linkpass.index_links, tag_model.index_tags]


def emitters() -> list[Emitter]:
    """Stages that add pages and files after rendering, in order.

    Aliases come last: a redirect page must not take the URL of anything else.
    """
    return [assets_emitter.emit, web_emitter.emit, study_assets_emitter.emit, katex_emitter.emit, mermaid_emitter.emit,
            home_emitter.emit, quizzes_emitter.emit, review_emitter.emit, backlinks_emitter.emit, graph_emitter.emit,
            folder_pages.emit, tag_pages.emit, nav_tree.emit, folder_pages.fill, feed.emit, aliases_emitter.emit]


# Emitters run together as one unit of kbgen.emit.memo: (name, the emitters in order, what they read
# besides every note's metadata, whether what they make shows notes' dates). A unit whose inputs are
# the last build's replays what it did then.
MemoUnit = tuple[str, list[Emitter], Callable[[VaultBuild], Iterable[str]], bool]


def memo_units() -> list[MemoUnit]:
    return [("home", [home_emitter.emit], lambda build: (), True),
            ("quizzes", [quizzes_emitter.emit], quizzes_emitter.memo_inputs, False),
            ("review", [review_emitter.emit], review_emitter.memo_inputs, False),
            # Folder pages, tag pages and the tree claim URLs and fill each other's pages: one unit.
            ("listings", [folder_pages.emit, tag_pages.emit, nav_tree.emit, folder_pages.fill],
             tag_pages.memo_inputs, True)]


def build_vault(config: KbgenConfig, progress: Progress | None = None,
                snapshot: BuildSnapshot | None = None) -> VaultBuild:
    """Run the whole pipeline over ``config.notes_dir`` and return what to publish.

    With ``config.build_cache`` on, notes whose cached parse and render are still
    valid (kbgen.cache) are not parsed or rendered again; the result is the same.
    With a ``snapshot`` (``kbgen build``), the last build updated to a few edited
    notes is the result when it can be (kbgen.snapshot), and the result is kept
    for the next build either way.
    """
    if snapshot is not None and config.build_cache:
        build = snapshot.start_from(config)
        if build is None:
            build = _build_vault(config, progress)
        snapshot.keep_soon(build)
        return build
    return _build_vault(config, progress)


def _build_vault(config: KbgenConfig, progress: Progress | None) -> VaultBuild:
    cache = NoteCache(config) if config.build_cache else None
    try:
        try:
            return _build(config, progress, cache, restore=cache is not None)
        except _Restart as restart:
            # Indexing showed a vault-wide change only a parse reveals (an inline tag): no cached
            # page can be trusted, build every note afresh. Or a changed note's headings or block
            # ids: the notes linking to it are built again too.
            return _build(config, progress, cache, restore=restart.anchors_only, strict=True)
    finally:
        if cache is not None:
            cache.close()


class _Restart(Exception):
    def __init__(self, anchors_only: bool = False):
        super().__init__()
        self.anchors_only = anchors_only


def _build(config: KbgenConfig, progress: Progress | None, cache: NoteCache | None, *, restore: bool,
           strict: bool = False) -> VaultBuild:
    clock = _Clock()
    loaded = cache.loaded_notes() if cache is not None else None
    with _unpickling(loaded is not None and loaded.has_rows()):
        vault = load_vault(config, loaded)
        if loaded is not None:
            loaded.save()
        build = VaultBuild(config, vault)
        claim_review_url(build)  # notes link to the review page: its URL must be known before they render
        clock.lap(build, "load")
        the_plan = incremental.plan(vault, cache.load() if cache is not None and restore else {}, strict=strict)
    renderer = NoteRenderer(config)
    renderer.highlighted = the_plan.highlighted
    # filter: drafts never reach parse, render or emit
    published = [note for note in vault.published() if note.src_path not in the_plan.restored]
    parsed = incremental.ParsedNotes.parsed_by(vault, renderer, the_plan.restored)
    parsed.pending = the_plan.pending
    workers = build.workers = parallel.worker_count(config.jobs, len(published))
    try:
        if workers > 1:
            # All cores, and no token tree in this process (kbgen.note_stages).
            rounds = note_stages.WorkerRounds(build, renderer, published, parsed, workers, progress,
                                              lambda: _indexed(build, parsed))
            try:
                rounds.parse()
                clock.lap(build, "parse")
                _index(build, parsed, clock)
                recorded = rounds.render()
            finally:
                rounds.close()
        else:
            recorded = _parse_render(build, renderer, published, parsed, clock, progress, cache is not None)
        fresh: dict[str, NoteEntry] = {}
        if cache is not None:
            fresh = incremental.record(build, recorded, the_plan)
            # Notes rendered in this build, those whose parse failed too (the_plan: the others).
            changed = {note.src_path for note in vault.published() if note.src_path not in the_plan.restored}
            build.emit_memo = EmitMemo(config.cache_dir, cache.namespace, the_plan.vault_sig, changed)
        del recorded
        # Nothing after this reads a token tree (the backlinks emitter has its excerpts as HTML or
        # renders their own tokens): dropped before the emitters, whose pages take the memory again.
        many = len(parsed) >= RELEASE_COLLECT_MIN
        parsed.release()
        gc.unfreeze()
        if many:
            # Parsed here, the token trees are cycles only a collection frees; parsed in workers
            # (kbgen.note_stages), this process never held them: the walk over its whole heap
            # found about one unreachable object per seven notes, a serial 0.03-0.05 s at 1,000.
            if build.workers <= 1:
                gc.collect()
            memory.give_back()
        # What is alive now lives to the end of the build: automatic full collections during the
        # emitters walked all of it again and again, their cost growing with the vault.
        gc.freeze()
        if cache is not None:
            # The entries as they are now, before the emitters: written by a forked child while
            # the emitters run (kbgen.background; cache.close waits for it), after the collection
            # above so that the child shares the heap as it stays.
            cache.store_soon(fresh, stale=the_plan.cached - set(fresh) - set(the_plan.restored))
        del fresh
        _emit(build, the_plan, clock)
    finally:
        # `kbgen serve` rebuilds in one process: let this build's garbage go (at the end of the
        # MkDocs build when it runs inside one: kbgen.mkdocs_build keeps the heap frozen to its end).
        memory.thaw()
    return build


@contextlib.contextmanager
def _unpickling(previous: bool) -> Iterator[None]:
    """Notes and pages unpickled from the cache: all alive to the end of the build, none garbage.

    Creating them set off a full collection that walked every one of them (a twentieth
    of a second at 1,000 notes, a build after one edit); they are frozen instead. Only
    when there is a previous build to unpickle: a cold build's loading makes garbage.
    """
    if not previous:
        yield
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _parse_render(build: VaultBuild, renderer: NoteRenderer, published: list[Note], parsed: incremental.ParsedNotes,
                  clock: "_Clock", progress: Progress | None,
                  record: bool) -> dict[str, tuple[incremental.ParseFacts, incremental.LinkFacts]]:
    """Parse every note, index, render, in this process; what the build cache records of each when ``record``."""
    vault = build.vault
    for note in _counted(published, "parse", progress):
        item = _guarded(lambda: renderer.parse(note, vault), note, build)
        if item is not None:
            parsed[note.src_path] = item
        # The token trees live until the end of the build; frozen, no later collection
        # walks them again (while the next notes parse, and in every later stage).
        gc.freeze()
    clock.lap(build, "parse")
    _index(build, parsed, clock)
    for src_path, item in zip(list(parsed), _counted(list(parsed.values()), "render", progress)):
        rendered = _guarded(lambda: renderer.render(item), item.note, build)
        if rendered is not None:
            rendered.pack()  # as the workers send them (kbgen.note_stages)
            build.rendered[src_path] = rendered
    if not record:
        return {}
    return {src_path: (incremental.ParseFacts.of(item), incremental.link_facts(build, item))
            for src_path, item in dict.items(parsed)}


def _index(build: VaultBuild, parsed: incremental.ParsedNotes, clock: "_Clock") -> None:
    _indexed(build, parsed)
    if not parsed.still_valid():
        raise _Restart()
    if not incremental.anchors_hold(build.vault, parsed.pending):
        raise _Restart(anchors_only=True)
    clock.lap(build, "index")


def _indexed(build: VaultBuild, parsed: incremental.ParsedNotes) -> None:
    """Every index made from every parsed note (in each worker too: kbgen.note_stages.WorkerRounds)."""
    for index in indexers():
        index(build.vault, parsed)


def _emit(build: VaultBuild, the_plan: incremental.Plan, clock: "_Clock") -> None:
    vault = build.vault
    build.cache_signature = the_plan.vault_sig
    for src_path, entry in the_plan.restored.items():
        build.rendered[src_path] = incremental.restored_rendered(entry)
    for note in vault.published():  # a note a bug kept from rendering still gets its page
        if note.src_path not in build.rendered:
            build.rendered[note.src_path] = _source_page(note)
    # Pages in vault order whatever came from the cache: emitters and MkDocs see one order.
    build.rendered = {p: build.rendered[p] for p in vault.notes if p in build.rendered}
    # Where each page body ends before emitters add to it (kbgen.quick_note splices a new body in).
    build.body_lengths = {p: r.html_length for p, r in build.rendered.items()}
    clock.lap(build, "render")

    _run_emitters(build)
    # Held compressed from here to the end of the build (kbgen.packed): what the emitters appended
    # (backlinks, graph slot), and the bodies an emitter set anew (the alias line: most notes of a
    # vault with aliases). The plain copies just freed go back to the system before MkDocs's stages
    # and the templating workers forked from this process (about 220 MB at 10,000 notes).
    for rendered in build.rendered.values():
        rendered.pack()
    if len(build.rendered) >= RELEASE_COLLECT_MIN:
        memory.give_back()
    clock.lap(build, "emit")


def _run_emitters(build: VaultBuild) -> None:
    """Every emitter in order; a memo unit's emitters through the build's EmitMemo when it has one."""
    steps = emitters()
    memo = build.emit_memo
    if memo is not None:
        memo.begin(build)
    units = {_unwrapped(unit[1][0]): unit for unit in memo_units()} if memo is not None else {}
    n = 0
    while n < len(steps):
        unit = units.get(_unwrapped(steps[n]))
        if unit is not None and [_unwrapped(s) for s in steps[n:n + len(unit[1])]] == unit[1]:
            memo.run(unit[0], build, steps[n:n + len(unit[1])], unit[2], unit[3])
            n += len(unit[1])
            continue
        steps[n](build)
        n += 1
    if memo is not None:
        memo.end()


def _unwrapped(step: Emitter) -> Emitter:
    """The emitter behind a wrapper (bench/profile_build.py times each one)."""
    return getattr(step, "__wrapped__", step)


def release_tokens(build: VaultBuild) -> None:
    """Drop the build's token trees (most of its memory) once its pages are emitted.

    The MkDocs adapter needs only the pages; a later lookup of a note's parse
    (an embed in a page ``kbgen serve`` renders again) parses it anew.
    """
    parsed = getattr(build.vault.indexes.get(linkpass.INDEX_KEY), "parsed", None)
    if isinstance(parsed, incremental.ParsedNotes):
        parsed.release()


def _guarded(step: Callable[[], T], note: Note, build: VaultBuild) -> T | None:
    """Run one note's parse or render (kbgen.note_stages.guarded); a failure is reported, never raised."""
    value, diagnostic = note_stages.guarded(step, note)
    if diagnostic is not None:
        build.emit_diagnostics.append(diagnostic)
    return value


def _source_page(note: Note) -> RenderedNote:
    return RenderedNote(note.src_path, f"<pre class=\"kb-source\">{html.escape(note.body)}</pre>\n", note.title, [])


def _counted(items: list, stage: str, progress: Progress | None) -> Iterable:
    total = len(items)
    for done, item in enumerate(items, 1):
        yield item
        if progress is not None:
            progress(stage, done, total)


class _Clock:
    def __init__(self) -> None:
        self.last = time.perf_counter()

    def lap(self, build: VaultBuild, stage: str) -> None:
        now = time.perf_counter()
        build.timings[stage] = build.timings.get(stage, 0.0) + now - self.last
        self.last = now
