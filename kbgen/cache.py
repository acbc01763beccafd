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
written. A cache that fails to read or write is treated as empty, never as an
error.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import logging
import pickle
import sqlite3
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .config import KbgenConfig
from .markdown.renderer import RenderedNote
from .vault.note import Note
from .vault.vault import Vault

log = logging.getLogger(__name__)

CACHE_FILE = "build-cache.sqlite3"
_PACKAGE = Path(__file__).resolve().parent
# Libraries whose version changes the HTML kbgen writes.
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "pygments", "linkify-it-py", "pyyaml")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS note (
    namespace TEXT NOT NULL,
    src_path TEXT NOT NULL,
    blob BLOB NOT NULL,
    PRIMARY KEY (namespace, src_path)
) WITHOUT ROWID
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


def source_sha(note: Note) -> str:
    return hashlib.sha256(f"{note.src_path}\x00{note.source}".encode("utf-8", "surrogatepass")).hexdigest()


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
    options = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name != "cache_dir"}
    options["notes_dir"] = str(Path(config.notes_dir).resolve())
    return hashlib.sha256(f"{code_fingerprint()}\x00{sorted(options.items(), key=str)!r}".encode()).hexdigest()[:32]


class NoteCache:
    """Per-note entries of one namespace; every method swallows storage errors."""

    def __init__(self, config: KbgenConfig):
        self.namespace = namespace(config)
        self.path = Path(config.cache_dir) / CACHE_FILE
        self._db: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except sqlite3.Error as exc:
            log.warning("kbgen: build cache unavailable (%s)", exc)
            self._db = None

    def load(self) -> dict[str, NoteEntry]:
        if self._db is None:
            return {}
        entries: dict[str, NoteEntry] = {}
        try:
            rows = self._db.execute("SELECT src_path, blob FROM note WHERE namespace = ?", (self.namespace,))
            for src_path, blob in rows:
                try:
                    entries[src_path] = pickle.loads(zlib.decompress(blob))
                except Exception:  # noqa: BLE001 - a damaged entry is a miss
                    continue
        except sqlite3.Error as exc:
            log.warning("kbgen: build cache unreadable (%s)", exc)
        return entries

    def store(self, entries: Mapping[str, NoteEntry], stale: Iterable[str] = ()) -> None:
        """Write ``entries`` and forget ``stale`` notes (deleted or no longer cacheable)."""
        if self._db is None:
            return
        rows = []
        for src_path, entry in entries.items():
            try:
                rows.append((self.namespace, src_path, zlib.compress(pickle.dumps(entry, protocol=5), 1)))
            except Exception:  # noqa: BLE001 - something unpicklable in a plugin's data: not cached
                continue
        try:
            with self._db:
                self._db.execute("BEGIN")
                self._db.executemany("DELETE FROM note WHERE namespace = ? AND src_path = ?",
                                     [(self.namespace, p) for p in stale])
                self._db.executemany("INSERT OR REPLACE INTO note VALUES (?, ?, ?)", rows)
                # Entries of other kbgen versions or configurations are dead weight.
                self._db.execute("DELETE FROM note WHERE namespace != ?", (self.namespace,))
        except sqlite3.Error as exc:
            log.warning("kbgen: build cache not written (%s)", exc)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def valid_entries(entries: Mapping[str, NoteEntry], notes: Mapping[str, Note], shas: Mapping[str, str],
                  vault_sig: str) -> dict[str, NoteEntry]:
    """The entries that still describe their note exactly (see the module docstring)."""
    valid: dict[str, NoteEntry] = {}
    for src_path, entry in entries.items():
        note = notes.get(src_path)
        if note is None or not note.published or entry.vault_sig != vault_sig:
            continue
        if entry.source_sha != shas.get(src_path):
            continue
        if all(shas.get(dep) == sha for dep, sha in entry.deps.items()):
            valid[src_path] = entry
    return valid


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
