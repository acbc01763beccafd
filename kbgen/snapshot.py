"""The last build, kept on disk: ``kbgen build`` after a few edits starts from it, as ``kbgen serve`` does.

After one edit the pipeline ran again over the build cache: every note loaded,
its parse and page restored, the vault indexed, every emitter run or replayed
(two thirds of a second at 1,000 notes) to change one page and the few that
show it. ``kbgen serve`` does the same from the build it keeps in memory in a
fraction of that (kbgen.quick_note). Here the build is kept in the cache
folder, with the stamps of the notes folder's files taken before the build
read them (kbgen.up_to_date.Stamps). The next build loads it, re-reads the
notes whose stamps changed and updates it as serve's quick path does.

Anything that path does not take — a file added, deleted or renamed, one that
is not a note, aliases or an id changed, more than :data:`MAX_CHANGED` notes, a
change serve would follow with a full rebuild (an embed cycle, kbgen's own
failure) — or another configuration, kbgen version, day or git state, and the
build runs the pipeline as before. Either way the site is the same, byte for
byte (tests/test_build_snapshot.py). No MkDocs here.
"""
from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
from pathlib import Path
from typing import Any

from . import background, pickles
from .cache import namespace
from .config import KbgenConfig
from .incremental import ParsedNotes
from .markdown.link_targets import INDEX_KEY
from .markdown.renderer import NoteRenderer
from .quick_note import refresh_note
from .quick_structure import is_structural
from .up_to_date import Stamps
from .vault_build import VaultBuild

log = logging.getLogger("kbgen")

FILE = "last-build.pickle"  # in kbgen's cache folder
FORMAT = 1
# More notes changed than this: the pipeline, whose per-note work runs on all cores, is as quick.
MAX_CHANGED = 20
# A build that started from the kept build with fewer notes changed than this leaves it as it is:
# the next build takes those notes in again (their stamps still differ from the kept ones), which
# costs less than keeping this build (a fork and the copy-on-write of the parent's heap while the
# child pickles it: about 40 ms at 1,000 notes). An author editing one note again and again never
# writes it; edits spread over more notes write it again.
KEEP_AGAIN_AT = 3


class BuildSnapshot:
    """The kept build of one notes folder and configuration: :meth:`start_from` it, :meth:`keep_soon` the new one."""

    def __init__(self, cache_dir: Path | str, stamps: Stamps):
        self.path = Path(cache_dir) / FILE
        self.stamps = stamps
        self._writing: background.Background | None = None
        self.taken_in: int | None = None  # notes the kept build took in, when start_from gave it

    def key(self, config: KbgenConfig) -> str:
        """kbgen's code and the configuration (as the build cache's), and every input but the notes folder."""
        return hashlib.sha256(f"{FORMAT}\0{namespace(config)}\0{self.stamps.others}".encode()).hexdigest()

    def start_from(self, config: KbgenConfig) -> VaultBuild | None:
        """The kept build brought up to the notes as stamped now, or None: the pipeline builds it."""
        try:
            with open(self.path, "rb") as fh:
                key, files = pickle.load(fh)
                changed = _changed(files, self.stamps.files) if key == self.key(config) else None
                if changed is None or len(changed) > MAX_CHANGED:
                    return None
                build, unparsable = _load(fh)
        except Exception as exc:  # noqa: BLE001 - no kept build, or a damaged one: the pipeline
            log.debug("kbgen: no kept build (%s)", exc)
            return None
        build.config = config
        renderer = NoteRenderer(config)
        index = build.vault.indexes.get(INDEX_KEY)
        if index is not None:  # embeds and backlink excerpts of the notes rendered again parse on demand
            parsed = ParsedNotes.parsed_by(build.vault, renderer)
            parsed.release()
            parsed.unparsable = unparsable
            index.parsed = parsed
        try:
            if not _refreshed(build, changed, renderer):
                return None
        except Exception as exc:  # noqa: BLE001 - the pipeline builds it and reports what is wrong
            log.debug("kbgen: kept build not updated (%s)", exc)
            return None
        self.taken_in = len(changed)
        return build

    def keep_soon(self, build: VaultBuild) -> None:
        """Write ``build`` as it is now, with this build's stamps, from a forked child; :meth:`wait` ends it.

        Not written where processes cannot be forked: pickling it here would cost
        more than starting from it saves; nor when ``build`` is the kept build with
        fewer than :data:`KEEP_AGAIN_AT` notes taken in, which the next build takes in again.
        """
        self.wait()
        if self.taken_in is not None and self.taken_in < KEEP_AGAIN_AT:
            return
        if any("could not be fetched" in d.message for d in build.emit_diagnostics):
            return  # the next build must try to fetch it again (kbgen.emit.memo keeps no such unit either)
        key = self.key(build.config)
        self._writing = background.start(lambda: _write(self.path, key, self.stamps.files, build), "kept build")

    def wait(self) -> None:
        """Wait for :meth:`keep_soon`'s child; a failure leaves the previous kept build, which stays right."""
        child, self._writing = self._writing, None
        if child is not None:
            try:
                child.join()
            except background.BackgroundFailed as exc:
                log.debug("kbgen: build not kept (%s)", exc)


def _changed(before: dict[str, str | None], now: dict[str, str | None]) -> list[str] | None:
    """The notes whose stamps differ, sorted; None when a file came, went, or is not a note.

    Files in hidden folders are not the vault's (kbgen.vault.load skips them without a word).
    """
    before = {path: stamp for path, stamp in before.items() if not _in_hidden_folder(path)}
    now = {path: stamp for path, stamp in now.items() if not _in_hidden_folder(path)}
    if before.keys() != now.keys():
        return None
    changed = sorted(path for path, stamp in now.items() if stamp is None or before[path] != stamp)
    if any(not path.endswith(".md") for path in changed):
        return None
    return changed


def _in_hidden_folder(path: str) -> bool:
    return any(part.startswith(".") for part in path.split("/")[:-1])


def _refreshed(build: VaultBuild, changed: list[str], renderer: NoteRenderer) -> bool:
    """Take in the edits of ``changed`` notes as ``kbgen serve`` does (kbgen.mkdocs_quick); False when
    its quick path does not cover them all (``build`` may be half updated then)."""
    if not changed:
        return True
    if is_structural(build, changed):
        return False
    changes = []
    for src_path in changed:
        change = refresh_note(build, src_path, renderer)
        if change is None or not change.complete:
            return False
        changes.append(change)
    done: set[str] = set()
    for change in changes:  # a step several notes left is made once, after all of them
        change.later = {name: step for name, step in change.later.items() if name not in done}
        done.update(change.later)
        if not change.finish():
            return False
    return True


def _load(fh: Any) -> tuple[VaultBuild, set[str]]:
    """The kept build: a few hundred thousand objects, all alive to the end of the build, none garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        build, unparsable = pickles.load(fh)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    if not isinstance(build, VaultBuild):
        raise TypeError(f"not a build: {type(build).__name__}")
    return build, set(unparsable)


def _write(path: Path, key: str, files: dict[str, str | None], build: VaultBuild) -> None:
    """In the child: the build without what cannot or need not be kept (changed here only, in the child)."""
    index = build.vault.indexes.get(INDEX_KEY)
    unparsable = set(getattr(getattr(index, "parsed", None), "unparsable", None) or ())
    if index is not None:
        index.parsed = None  # token trees and the renderer: made again by start_from
    build.emit_memo = None  # the build cache's: a kept build reads page values afresh
    for rendered in build.rendered.values():
        rendered.html_digest()  # kept with the page (RenderedNote.html_digest): the next build's page keys
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            pickle.dump((key, files), fh, protocol=pickle.HIGHEST_PROTOCOL)
            pickles.dump((build, unparsable), fh)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
