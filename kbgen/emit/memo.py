"""Emitters that redo nothing when their inputs are those of the last build (the build cache's emit part).

Tag pages, folder pages, the navigation tree, the home page, the Quizzes and
Review pages are made from every note's metadata (path, URL, title, tags,
dates, front matter) plus a little of some notes' pages (the opening sentence
a tag page shows, the HTML of quizzes and cards). After an edit of one note's
text none of that usually changed, yet making them again was a third of an
incremental build.

A *unit* (one emitter, or several that work on each other's pages) is run
through :class:`EmitMemo`: its key hashes everything the unit reads — the
vault's metadata (:func:`vault_key`), what the build already holds before it
(the pages and files emitted so far, the URLs claimed so far) and the unit's
own inputs (``inputs``). A key equal to the one recorded by the last build
replays what the unit did then: the pages, files, stylesheets, scripts and
diagnostics it added, the indexes it set (the navigation tree) and the URLs it
claimed, in order. Otherwise the unit runs and what it did is recorded.

A unit that changed anything else (a note's page, a page emitted before it)
is not recorded: replaying it could not do the same. Nor is one whose package
could not be fetched (the next build must try again). A replayed file read
from the cache folder must still be there. The result equals a cold build's
byte for byte (tests/test_emit_memo.py).
"""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .. import pickles
from .page_values import PageValues

if TYPE_CHECKING:
    from ..vault_build import VaultBuild

log = logging.getLogger(__name__)

FOLDER = "emit"  # in kbgen's cache folder: one file per unit
_KEY_BYTES = 64  # the hex key the file starts with; the pickle follows


@dataclass
class Effects:
    """What one run of a unit added to the build."""

    pages: list[Any] = field(default_factory=list)
    files: list[Any] = field(default_factory=list)
    extra_css: list[str] = field(default_factory=list)
    extra_javascript: list[str] = field(default_factory=list)
    diagnostics: list[Any] = field(default_factory=list)
    indexes: dict[str, Any] = field(default_factory=dict)
    owners: list[tuple[str, str]] = field(default_factory=list)  # UrlMap claims, in order
    folders: list[tuple[str, str]] = field(default_factory=list)


class _Before:
    """The build just before a unit runs: to tell what the unit added, and that it changed nothing else."""

    def __init__(self, build: "VaultBuild"):
        urls = build.vault.urls
        self.pages = list(build.pages)
        self.page_html = [page.html for page in build.pages]
        self.files, self.css, self.js = len(build.files), len(build.extra_css), len(build.extra_javascript)
        self.diagnostics = len(build.emit_diagnostics)
        self.indexes = {key: id(value) for key, value in build.vault.indexes.items()}
        self.owners, self.folders = len(urls.owners), len(urls.folders)
        self.bodies = [_body_of(rendered) for rendered in build.rendered.values()]

    def effects(self, build: "VaultBuild") -> Effects | None:
        """What the unit added; None when it also changed what it found (then it cannot be replayed)."""
        if len(build.pages) < len(self.pages) or any(
                page is not old or page.html is not html
                for page, old, html in zip(build.pages, self.pages, self.page_html)):
            return None
        if len(build.rendered) != len(self.bodies) or any(
                not _same(_body_of(rendered), body) for rendered, body in zip(build.rendered.values(), self.bodies)):
            return None
        urls = build.vault.urls
        return Effects(
            pages=build.pages[len(self.pages):], files=build.files[self.files:],
            extra_css=build.extra_css[self.css:], extra_javascript=build.extra_javascript[self.js:],
            diagnostics=build.emit_diagnostics[self.diagnostics:],
            indexes={key: value for key, value in build.vault.indexes.items() if self.indexes.get(key) != id(value)},
            owners=_tail(urls.owners, self.owners), folders=_tail(urls.folders, self.folders))


def _body_of(rendered: Any) -> tuple[Any, ...]:
    """A page body's parts (a RenderedNote's html is made from them when read), kept to compare by identity."""
    parts = tuple(getattr(rendered, name) for name in ("_body", "_tail") if hasattr(rendered, name))
    return parts or (rendered.html,)


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def _tail(mapping: dict[str, str], start: int) -> list[tuple[str, str]]:
    items = list(mapping.items())
    return items[start:]


class EmitMemo:
    """The units' records in ``<cache>/emit``; every storage problem is a miss, never an error."""

    def __init__(self, cache_dir: Path | str, namespace: str, vault_sig: str, changed: set[str] | None = None):
        self.folder = Path(cache_dir) / FOLDER
        self.namespace = namespace  # kbgen's code and the configuration (kbgen.cache.namespace)
        self.vault_sig = vault_sig
        self.changed = changed  # the notes rendered anew in this build (see kept_parts); None: unknown
        self.vault_key = ""
        self.undated_key = ""  # vault_key without the notes' dates, for units that never show one
        self.hits: list[str] = []  # units replayed in this build (tests, profiles)
        self.kept: dict[str, int] = {}  # per-note emitter → notes whose part was kept
        self._start: tuple[int, int] | None = None
        self.page_values = PageValues(self.folder, namespace)  # what emitters read off note pages

    def begin(self, build: "VaultBuild") -> None:
        """At the start of the emit stage: the vault's key, and the URL map as the stage found it."""
        self.vault_key, self.undated_key = vault_keys(build, self.vault_sig)
        self._start = (len(build.vault.urls.owners), len(build.vault.urls.folders))

    def end(self) -> None:
        """After the last emitter: keep what was read off note pages for the next build."""
        self.page_values.save()

    def run(self, name: str, build: "VaultBuild", steps: list[Callable[["VaultBuild"], None]],
            inputs: Callable[["VaultBuild"], Iterable[str]], dated: bool = True) -> None:
        """Replay the unit ``name`` or run its ``steps``; ``dated``: whether what it makes shows a note's dates."""
        key = self._key(name, build, inputs, dated)
        path = self.folder / f"{name}.pickle"
        effects = self._recorded(path, key)
        if effects is not None:
            _replay(build, effects)
            self.hits.append(name)
            return
        before = _Before(build)
        for step in steps:
            step(build)
        self._record(path, key, before.effects(build))

    def _key(self, name: str, build: "VaultBuild", inputs: Callable[["VaultBuild"], Iterable[str]],
             dated: bool = True) -> str:
        # A note's first save of a day changes its date and nothing else: a unit that shows no date replays.
        vault = self.vault_key if dated else self.undated_key
        digest = hashlib.sha256(f"{self.namespace}\0{vault}\0{name}\0{dated}".encode())
        start = self._start or (0, 0)
        urls = build.vault.urls
        # What the build holds so far: emitted pages (their URLs and titles land in the navigation
        # and in listings), files, and every URL claimed since the emit stage began.
        for page in build.pages:
            digest.update(repr((page.src_path, page.title, page.url, page.in_nav, page.searchable,
                                sorted(page.meta.items(), key=str))).encode("utf-8", "surrogatepass"))
        digest.update(repr([f.dest for f in build.files]).encode("utf-8", "surrogatepass"))
        digest.update(repr((build.extra_css, build.extra_javascript)).encode("utf-8", "surrogatepass"))
        digest.update(repr((_tail(urls.owners, start[0]), _tail(urls.folders, start[1])))
                      .encode("utf-8", "surrogatepass"))
        for item in inputs(build):
            digest.update(b"\x01" + item.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _recorded(self, path: Path, key: str) -> Effects | None:
        effects = _read(path, key)
        if not isinstance(effects, Effects):
            return None
        # A file copied from the cache folder (a front-end package) must still be there.
        if any(f.content is None and (f.source is None or not os.path.isfile(f.source)) for f in effects.files):
            return None
        return effects

    def _record(self, path: Path, key: str, effects: Effects | dict | None) -> None:
        try:
            if effects is None or isinstance(effects, Effects) and any(
                    "could not be fetched" in d.message for d in effects.diagnostics):
                path.unlink(missing_ok=True)
                return
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:  # streamed: a big vault's pages are tens of MB
                fh.write(key.encode("ascii"))
                pickles.dump(effects, fh)
            os.replace(tmp, path)
        except Exception as exc:  # noqa: BLE001 - not recorded: the next build runs the unit
            log.debug("kbgen: emit record %s not written (%s)", path.name, exc)


    # -- parts of note pages ------------------------------------------------------------

    def kept_parts(self, name: str, build: "VaultBuild", sources: Callable[[str], Iterable[str]]) -> dict[str, str]:
        """What the last build added to each note's page (``name``: a per-note emitter), where still right.

        For an emitter whose part of a note's page depends on the vault's metadata and on
        what the notes linking to it say (``sources``: those notes): with the same vault key,
        a part stays right while the same notes link to its note and none was rendered anew
        (the others' links are the cached ones the last build showed).
        """
        self.kept[name] = 0
        recorded = self._recorded_parts(self.folder / f"{name}.pickle", self._parts_key(name))
        if self.changed is None or not recorded:
            return {}
        kept: dict[str, str] = {}
        for src_path, (part, before) in recorded.items():
            if src_path in build.rendered and self.changed.isdisjoint(before) and before == set(sources(src_path)):
                kept[src_path] = part
        self.kept[name] = len(kept)
        return kept

    def keep_parts(self, name: str, parts: dict[str, tuple[str, frozenset[str]]]) -> None:
        """Record each note's part of this build, with the notes it was made from, for the next build."""
        self._record(self.folder / f"{name}.pickle", self._parts_key(name), parts)

    def _parts_key(self, name: str) -> str:
        return hashlib.sha256(f"{self.namespace}\0{self.vault_key}\0{name}".encode()).hexdigest()

    def _recorded_parts(self, path: Path, key: str) -> dict[str, str] | None:
        parts = _read(path, key)
        return parts if isinstance(parts, dict) else None


def _read(path: Path, key: str) -> Any:
    """The record at ``path`` when it was made under ``key``; None otherwise (none, another key, damaged)."""
    try:
        with open(path, "rb") as fh:
            if fh.read(_KEY_BYTES).decode("ascii", "replace") != key:
                return None
            return pickles.load(fh)
    except Exception:  # noqa: BLE001 - no record, or a damaged one: do the work
        return None


def _replay(build: "VaultBuild", effects: Effects) -> None:
    build.pages.extend(effects.pages)
    build.files.extend(effects.files)
    build.extra_css.extend(effects.extra_css)
    build.extra_javascript.extend(effects.extra_javascript)
    build.emit_diagnostics.extend(effects.diagnostics)
    build.vault.indexes.update(effects.indexes)
    urls = build.vault.urls
    for key, owner in effects.owners:
        urls.owners.setdefault(key, owner)
    for key, owner in effects.folders:
        urls.folders.setdefault(key, owner)


def vault_keys(build: "VaultBuild", vault_sig: str) -> tuple[str, str]:
    """Every note's metadata as the emitters read it: the vault signature (paths, URLs, titles, front
    matter, drafts, attachments) plus what loading and indexing derived (tags, dates, descriptions),
    the notes the build has pages for, and the URLs claimed before the emit stage. Two keys, one pass:
    with the dates loading gave each note (its file's or git's), and without them (a date in the front
    matter is in the signature either way)."""
    from ..cache import derived_signature

    start = f"{vault_sig}\0{derived_signature(build.vault)}".encode()
    dated, undated = hashlib.sha256(start), hashlib.sha256(start)
    notes = build.vault.notes
    for src_path in build.rendered:
        note = notes[src_path]
        dated.update(repr((src_path, note.created, note.modified, note.date, note.description, note.stem))
                     .encode("utf-8", "surrogatepass"))
        undated.update(repr((src_path, note.description, note.stem)).encode("utf-8", "surrogatepass"))
    urls = build.vault.urls
    rest = (repr((list(urls.owners.items()), list(urls.folders.items()))).encode("utf-8", "surrogatepass")
            + repr(sorted(build.vault.indexes)).encode())
    dated.update(rest)
    undated.update(rest)
    return dated.hexdigest(), undated.hexdigest()
