"""The build cache: each note's parse and render results on disk, reused while still valid.

A note's page body depends on its own text, on what the vault looks like to
the link resolver (every note's path, title, front matter, published flag;
every attachment), and on the notes it links to or embeds (their headings,
block ids and, for embeds, their content, transitively). So an entry is
valid when

- the note's text hashes the same (``source_sha``),
- the vault signature (:func:`vault_signature`) is the same, and
- every note recorded in ``deps`` still hashes the same.

Everything is namespaced by a fingerprint of kbgen's own code and templates,
the versions of the libraries that shape the HTML, and the configuration
(:func:`namespace`): a changed option or an upgraded kbgen starts afresh.
One SQLite file (WAL): only the entries of notes that were rendered again are
written. Entries are plain pickles: a build after one edit reads every one, and
inflating them (zlib) was a twentieth of a second at 1,000 notes, more than
reading the bytes it saved (page bodies in them are compressed already). ``kbgen serve`` may record that entries signed one way are valid
under another signature (:meth:`NoteCache.resign`); they are read so. A cache
that fails to read or write is treated as empty, never as an error.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import logging
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from . import background, pickles
from .sqlite_files import open_wal
from .config import KbgenConfig
from .markdown.renderer import RenderedNote
from .vault.note import Note
from .vault.vault import Vault

log = logging.getLogger(__name__)

CACHE_FILE = "build-cache.sqlite3"
# From this many entries a cold build's store goes to a forked child (kbgen.background) while the
# emitters run: pickling and writing them was ~0.2 s at 1,000 notes with the other core idle.
BACKGROUND_STORE_MIN = 100
_PACKAGE = Path(__file__).resolve().parent
# Libraries whose version changes the HTML kbgen writes.
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "pygments", "linkify-it-py", "pyyaml")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS note (
    namespace TEXT NOT NULL,
    src_path TEXT NOT NULL,
    blob BLOB NOT NULL,
    PRIMARY KEY (namespace, src_path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS loaded (
    namespace TEXT NOT NULL,
    src_path TEXT NOT NULL,
    stamp TEXT NOT NULL,
    blob BLOB NOT NULL,
    PRIMARY KEY (namespace, src_path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS resigned (
    namespace TEXT NOT NULL,
    old TEXT NOT NULL,
    new TEXT NOT NULL,
    PRIMARY KEY (namespace, old)
) WITHOUT ROWID;
"""


@dataclass
class NoteEntry:
    """What a later build needs of one published note without parsing it again."""

    source_sha: str
    vault_sig: str
    deps: dict[str, str]  # src_path -> source_sha of every note this note's output depends on
    rendered: RenderedNote  # before emitters append to it (backlinks)
    headings: list[Any]  # kbgen.markdown.headings.Heading
    blocks: dict[str, Any]  # folded id -> BlockAnchor without its token
    backlinks: list[tuple[str, list[str], list[str | None]]]  # (target, sentences, their HTML on the target's page)
    embeds: list[str]  # src_paths this note transcludes
    facts: dict[str, Any]  # what indexers read from the parse env besides anchors (inline tags…)
    derived_sig: str  # vault-wide facts only a parse reveals (every note's tags after indexing)
    # Notes only linked to (not embedded): src_path -> (source_sha, anchors_digest). Such a link reads
    # the target's headings and block ids only (its URL and title are in the vault signature).
    anchor_deps: dict[str, tuple[str, str]] = field(default_factory=dict)


def source_sha(note: Note) -> str:
    """A digest of the note's path and text; kept on the note with the text it was made of (compared by
    identity), and pickled with it: a build after one edit would hash the whole vault's text again."""
    known = note.__dict__.get("_source_sha")
    if known is not None and known[0] is note.source and known[1] == note.src_path:
        return known[2]
    sha = hashlib.sha256(f"{note.src_path}\x00{note.source}".encode("utf-8", "surrogatepass")).hexdigest()
    note.__dict__["_source_sha"] = (note.source, note.src_path, sha)
    return sha


def derived_signature(vault: Vault) -> str:
    """What the indexers derived from every note's text and the other notes see (tag lists)."""
    digest = hashlib.sha256()
    for path in sorted(vault.notes):
        note = vault.notes[path]
        if note.published:
            digest.update(repr((path, note.tags)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def vault_signature(vault: Vault) -> str:
    """What every note's links resolve against: paths, titles, front matter, drafts, attachments."""
    digest = hashlib.sha256()
    for path in sorted(vault.notes):
        note = vault.notes[path]
        digest.update(repr((path, note.url, note.published, note.title, note.id, note.aliases, note.tags,
                            sorted(note.meta.items(), key=lambda kv: str(kv[0])))).encode("utf-8", "surrogatepass"))
    for path in sorted(vault.attachments):
        digest.update(b"\x01" + f"{path}\0{vault.attachment_site_path(path)}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """kbgen's code and templates, and the libraries that shape its HTML."""
    digest = hashlib.sha256()
    roots = [_PACKAGE, _PACKAGE.parent / "templates"]
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
            digest.update(str(path.relative_to(root)).encode() + b"\x00" + path.read_bytes())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            pass
    return digest.hexdigest()


def namespace(config: KbgenConfig) -> str:
    # Where the cache is and how many processes build do not change what a note renders to.
    options = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name not in ("cache_dir", "jobs")}
    options["notes_dir"] = str(Path(config.notes_dir).resolve())
    return hashlib.sha256(f"{code_fingerprint()}\x00{sorted(options.items(), key=str)!r}".encode()).hexdigest()[:32]


class NoteCache:
    """Per-note entries of one namespace; every method swallows storage errors."""

    def __init__(self, config: KbgenConfig):
        self.namespace = namespace(config)
        self.path = Path(config.cache_dir) / CACHE_FILE
        self._db: sqlite3.Connection | None = None
        self._storing: background.Background | None = None  # store_soon's child, until close()
        try:
            self._db = self._connect()
        except sqlite3.Error as exc:
            log.warning("kbgen: build cache unavailable (%s)", exc)
            self._db = None

    def _connect(self) -> sqlite3.Connection:
        return open_wal(self.path, _SCHEMA)

    def load(self, only: Iterable[str] | None = None) -> dict[str, NoteEntry]:
        """Every entry of this namespace, or the entries of the notes ``only`` names."""
        self.wait()
        if self._db is None:
            return {}
        entries: dict[str, NoteEntry] = {}
        try:
            if only is None:
                rows: Iterable = self._db.execute("SELECT src_path, blob FROM note WHERE namespace = ?",
                                                  (self.namespace,))
            else:
                paths = sorted(set(only))
                rows = [row for n in range(0, len(paths), 500) for row in self._db.execute(
                    "SELECT src_path, blob FROM note WHERE namespace = ? AND src_path IN (%s)"
                    % ",".join("?" * len(paths[n:n + 500])), (self.namespace, *paths[n:n + 500]))]
            resigned = dict(self._db.execute("SELECT old, new FROM resigned WHERE namespace = ?",
                                             (self.namespace,)).fetchall())
            for src_path, blob in rows:
                try:
                    entry = entries[src_path] = pickles.loads(blob)
                except Exception:  # noqa: BLE001 - a damaged entry is a miss
                    continue
                now = resigned.get(_signed(entry.vault_sig, entry.derived_sig))
                if now is not None:
                    entry.vault_sig, _, entry.derived_sig = now.partition("\0")
        except sqlite3.Error as exc:
            log.warning("kbgen: build cache unreadable (%s)", exc)
        return entries

    def store(self, entries: Mapping[str, NoteEntry], stale: Iterable[str] = ()) -> None:
        """Write ``entries`` and forget ``stale`` notes (deleted or no longer cacheable)."""
        self.wait()
        if self._db is None:
            return
        try:
            self._write(self._db, entries, stale)
        except sqlite3.Error as exc:
            log.warning("kbgen: build cache not written (%s)", exc)

    def store_soon(self, entries: Mapping[str, NoteEntry], stale: Iterable[str] = ()) -> None:
        """:meth:`store`, in a forked child when there are many entries; :meth:`close` waits for it.

        The child writes what ``entries`` hold at this moment (a later change in this process
        does not reach it) through a connection of its own; SQLite's transaction makes its
        write all or nothing. A child that fails is reported as :meth:`store` reports an error.
        """
        if self._db is None:
            return
        stale = list(stale)
        if len(entries) >= BACKGROUND_STORE_MIN and self._storing is None:
            self._storing = background.start(lambda: self._store_in_child(entries, stale), "build cache store")
        if self._storing is None:
            self.store(entries, stale)

    def _store_in_child(self, entries: Mapping[str, NoteEntry], stale: list[str]) -> None:
        db = self._connect()  # never the parent's connection: SQLite's must not cross a fork
        try:
            self._write(db, entries, stale)
        finally:
            db.close()

    def _write(self, db: sqlite3.Connection, entries: Mapping[str, NoteEntry], stale: Iterable[str]) -> None:
        with db:
            db.execute("BEGIN")
            db.executemany("DELETE FROM note WHERE namespace = ? AND src_path = ?",
                           [(self.namespace, p) for p in stale])
            # Pickled as they are inserted: every page's pickle at once was tens of MB more at the peak.
            db.executemany("INSERT OR REPLACE INTO note VALUES (?, ?, ?)", self._rows(entries))
            # An entry signed anew is read as signed: a re-signing from that signature no longer holds.
            db.executemany("DELETE FROM resigned WHERE namespace = ? AND old = ?", [
                (self.namespace, signed) for signed in
                {_signed(entry.vault_sig, entry.derived_sig) for entry in entries.values()}])
            # Entries of other kbgen versions or configurations are dead weight.
            db.execute("DELETE FROM note WHERE namespace != ?", (self.namespace,))
            db.execute("DELETE FROM loaded WHERE namespace != ?", (self.namespace,))
            db.execute("DELETE FROM resigned WHERE namespace != ?", (self.namespace,))

    def wait(self) -> None:
        """Wait for :meth:`store_soon`'s child, if any; a failure is logged as :meth:`store` logs one."""
        storing, self._storing = self._storing, None
        if storing is None:
            return
        try:
            storing.join()
        except background.BackgroundFailed as exc:
            log.warning("kbgen: build cache not written (%s)", exc)

    def resign(self, old: tuple[str, str], new: tuple[str, str]) -> None:
        """Read every entry signed ``old`` (vault and derived signatures) as signed ``new`` from now on.

        For ``kbgen serve`` (kbgen.quick_cache): after a quick refresh the entries it did not render
        again are valid for the vault as it is now, but the vault's signature changed. Writing each
        entry again took seconds at thousands of notes; one row says the same. Entries signed anew
        with ``new``'s source signature later are read as written (:meth:`store` drops the row).
        """
        self.wait()
        if self._db is None or old == new:
            return
        before, after = _signed(*old), _signed(*new)
        try:
            with self._db:
                self._db.execute("BEGIN")
                # What was read as ``old`` is read as ``new``; ``new`` itself is read as written.
                self._db.execute("UPDATE resigned SET new = ? WHERE namespace = ? AND new = ?",
                                 (after, self.namespace, before))
                self._db.execute("INSERT OR REPLACE INTO resigned VALUES (?, ?, ?)", (self.namespace, before, after))
                self._db.execute("DELETE FROM resigned WHERE namespace = ? AND (old = ? OR old = new)",
                                 (self.namespace, after))
        except sqlite3.Error as exc:
            log.warning("kbgen: build cache not written (%s)", exc)

    def _rows(self, entries: Mapping[str, NoteEntry]) -> Iterator[tuple[str, str, bytes]]:
        for src_path, entry in entries.items():
            try:
                yield self.namespace, src_path, pickles.dumps(entry)
            except Exception:  # noqa: BLE001 - something unpicklable in a plugin's data: not cached
                continue

    def loaded_notes(self) -> "LoadedNotes":
        self.wait()
        return LoadedNotes(self)

    def close(self) -> None:
        self.wait()
        if self._db is not None:
            self._db.close()
            self._db = None


def _signed(vault_sig: str, derived_sig: str) -> str:
    return f"{vault_sig}\0{derived_sig}"


def valid_entries(entries: Mapping[str, NoteEntry], notes: Mapping[str, Note], shas: Mapping[str, str],
                  vault_sig: str, pending: dict[str, dict[str, str]] | None = None) -> dict[str, NoteEntry]:
    """The entries that still describe their note exactly (see the module docstring).

    A note linked to (not embedded) whose text changed keeps its linking notes' entries
    valid as long as its headings and block ids did not: with ``pending``, such entries
    are taken and their (target → anchors digest) put there, for the build to check once
    it knows every note's anchors (kbgen.incremental.anchors_hold); without, they are not.
    """
    valid: dict[str, NoteEntry] = {}
    for src_path, entry in entries.items():
        note = notes.get(src_path)
        if note is None or not note.published or entry.vault_sig != vault_sig:
            continue
        if entry.source_sha != shas.get(src_path):
            continue
        if not all(shas.get(dep) == sha for dep, sha in entry.deps.items()):
            continue
        moved = {dep: digest for dep, (sha, digest) in entry.anchor_deps.items() if shas.get(dep) != sha}
        if moved and (pending is None or not all(dep in shas for dep in moved)):
            continue
        if moved and pending is not None:
            pending[src_path] = moved
        valid[src_path] = entry
    return valid


def anchors_digest(headings: Iterable[Any], blocks: Mapping[str, Any]) -> str:
    """What a link to a note can read of it besides its title and URL: its headings (nested, by text,
    Markdown or id) and its block ids. Not their lines: an edit above them moves those."""
    value = ([(h.level, h.id, h.text, getattr(h, "source", "")) for h in headings],
             sorted((key, getattr(block, "id", None)) for key, block in blocks.items()))
    return hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).hexdigest()


def embed_closure(start: Iterable[str], embeds: Mapping[str, Iterable[str]]) -> set[str]:
    """Every note reachable from ``start`` through embeds (``start`` included)."""
    seen: set[str] = set()
    stack = list(start)
    while stack:
        path = stack.pop()
        if path in seen:
            continue
        seen.add(path)
        stack.extend(embeds.get(path, ()))
    return seen


class LoadedNotes:
    """Notes as ``load_note`` returned them, by file stamp (size, times, inode).

    Reading, decoding and the front matter's YAML were most of loading a vault;
    a file whose stamp is unchanged gives its note back from here instead. A
    stamp can only miss a change that keeps size and both times to the
    nanosecond; the build cache then still compares the note's text.
    """

    def __init__(self, cache: NoteCache):
        self.cache = cache
        self._rows: dict[str, tuple[str, bytes]] = {}
        self._fresh: dict[str, tuple[str, bytes]] = {}
        self._seen: set[str] = set()
        if cache._db is None:
            return
        try:
            rows = cache._db.execute("SELECT src_path, stamp, blob FROM loaded WHERE namespace = ?",
                                     (cache.namespace,))
            self._rows = {src_path: (stamp, blob) for src_path, stamp, blob in rows}
        except sqlite3.Error:
            self._rows = {}

    def has_rows(self) -> bool:
        """Whether an earlier build left notes here."""
        return bool(self._rows)

    def get(self, path: Path, src_path: str) -> Note | None:
        self._seen.add(src_path)
        row = self._rows.get(src_path)
        if row is None or row[0] != _stamp(path):
            return None
        try:
            note = pickles.loads(row[1])
        except Exception:  # noqa: BLE001 - a damaged entry is a miss
            return None
        note.abs_path = path  # the same file, perhaps reached from another working folder
        return note

    def put(self, path: Path, note: Note) -> None:
        stamp = _stamp(path)
        if stamp and not _racy(path):
            source_sha(note)  # kept with the note: the next build that takes it from here needs it
            try:
                self._fresh[note.src_path] = (stamp, pickles.dumps(note))
            except Exception:  # noqa: BLE001 - not cached, loaded again next time
                pass

    def packed(self, path: Path, note: Note) -> tuple[bytes, Any]:
        """:meth:`put`, and ``note`` pickled (the same bytes when put kept it) with its stamp."""
        self.put(path, note)
        fresh = self._fresh.get(note.src_path)
        if fresh is not None:
            return fresh[1], fresh[0]
        return pickles.dumps(note), None

    def unpacked(self, path: Path, packed: tuple[bytes, Any]) -> Note:
        """The note :meth:`packed` gave (in another process), kept here as put kept it there."""
        blob, stamp = packed
        note = pickles.loads(blob)
        note.abs_path = path
        if stamp is not None:
            self._fresh[note.src_path] = (stamp, blob)
        return note

    def save(self) -> None:
        db = self.cache._db
        if db is None:
            return
        gone = [(self.cache.namespace, p) for p in self._rows if p not in self._seen]
        rows = [(self.cache.namespace, p, stamp, blob) for p, (stamp, blob) in self._fresh.items()]
        try:
            with db:
                db.execute("BEGIN")
                db.executemany("DELETE FROM loaded WHERE namespace = ? AND src_path = ?", gone)
                db.executemany("INSERT OR REPLACE INTO loaded VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            log.warning("kbgen: build cache not written (%s)", exc)


# File times tick with the kernel's coarse clock (milliseconds): a file changed within
# this many seconds of being stamped could change again with the same stamp (git's
# "racily clean" problem), so it is not remembered by its stamp yet.
RACY_SECONDS = 2.0


def _racy(path: Path) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return True
    return time.time_ns() - st.st_mtime_ns < RACY_SECONDS * 1e9


def _stamp(path: Path) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
