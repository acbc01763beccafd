"""Typeset formulas on disk, so an unchanged vault typesets no formula twice.

One SQLite file in WAL mode: a page's lookups are one indexed query, writers
from several processes queue up instead of corrupting the file, and readers
never wait for a writer. Entries are keyed by the SHA-256 of everything that
decides KaTeX's output (TeX, display mode, macros, KaTeX version and our
options), so nothing is ever invalidated — a changed formula simply has a new
key. Errors are stored too: a warm build must still report a broken formula.
HTML is zlib-compressed (fastest level): KaTeX's markup shrinks about fivefold.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import zlib
from pathlib import Path
from typing import Iterable, Mapping

from ..sqlite_files import open_wal
from .engine import RenderResult

log = logging.getLogger(__name__)

CACHE_FILE = "math-cache.sqlite3"
# Bump when the options kbgen passes to KaTeX change what it writes.
RENDER_OPTIONS_REV = 2  # 2: rewrites and MathJax for what KaTeX rejects
# SQLite's default limit on query parameters is 999 on old builds.
_CHUNK = 900

_SCHEMA = """
CREATE TABLE IF NOT EXISTS formula2 (
    key BLOB PRIMARY KEY,
    html BLOB,
    error TEXT,
    position INTEGER,
    path TEXT
) WITHOUT ROWID
"""


def formula_key_base(macros: Mapping[str, str], katex_version: str) -> "hashlib._Hash":
    """A hash primed with what is shared by every formula of a build; copy it per formula."""
    shared = json.dumps([katex_version, RENDER_OPTIONS_REV, sorted(macros.items())], ensure_ascii=False)
    base = hashlib.sha256(shared.encode("utf-8"))
    base.update(b"\x00")
    return base


def formula_key(base: "hashlib._Hash", tex: str, display: bool) -> bytes:
    digest = base.copy()
    digest.update(b"D" if display else b"I")  # fixed width, so (display, tex) is unambiguous
    digest.update(tex.encode("utf-8"))
    return digest.digest()


class FormulaCache:
    """Typeset formulas by key; never raises — a cache that fails is just empty."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._opened = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._opened:
            return self._db
        self._opened = True
        try:
            self._db = open_wal(self.path, _SCHEMA, check_same_thread=False)
        except (sqlite3.Error, OSError) as exc:
            log.warning("formula cache %s unusable, typesetting without it: %s", self.path, exc)
            self._db = None
        return self._db

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, RenderResult]:
        wanted = list(dict.fromkeys(keys))
        found: dict[bytes, RenderResult] = {}
        with self._lock:
            db = self._connect()
            if db is None or not wanted:
                return found
            try:
                for start in range(0, len(wanted), _CHUNK):
                    chunk = wanted[start : start + _CHUNK]
                    marks = ",".join("?" * len(chunk))
                    rows = db.execute(f"SELECT key, html, error, position, path FROM formula2 WHERE key IN ({marks})", chunk)
                    for key, html, error, position, path in rows:
                        text = zlib.decompress(html).decode("utf-8") if html is not None else None
                        found[key] = RenderResult(text, error, position, path=path or "katex")
            except (sqlite3.Error, zlib.error) as exc:
                log.warning("formula cache %s unreadable: %s", self.path, exc)
        return found

    def missing(self, keys: Iterable[bytes]) -> list[bytes]:
        """The keys not in the cache (nothing decompressed: for deciding what to typeset)."""
        wanted = list(dict.fromkeys(keys))
        with self._lock:
            db = self._connect()
            if db is None:
                return wanted
            present: set[bytes] = set()
            try:
                for start in range(0, len(wanted), _CHUNK):
                    chunk = wanted[start : start + _CHUNK]
                    marks = ",".join("?" * len(chunk))
                    present.update(k for (k,) in db.execute(f"SELECT key FROM formula2 WHERE key IN ({marks})", chunk))
            except sqlite3.Error as exc:
                log.warning("formula cache %s unreadable: %s", self.path, exc)
        return [k for k in wanted if k not in present]

    def put_many(self, entries: Mapping[bytes, RenderResult]) -> None:
        rows = [
            (key, zlib.compress(r.html.encode("utf-8"), 1) if r.html is not None else None, r.error, r.position,
             r.path)
            for key, r in entries.items() if _storable(r.html) and _storable(r.error)
        ]
        if not rows:
            return
        with self._lock:
            db = self._connect()
            if db is None:
                return
            try:
                with db:  # one transaction per page
                    db.execute("BEGIN")
                    db.executemany("INSERT OR REPLACE INTO formula2 VALUES (?, ?, ?, ?, ?)", rows)
            except sqlite3.Error as exc:
                log.warning("formula cache %s not written: %s", self.path, exc)

    def __len__(self) -> int:
        with self._lock:
            db = self._connect()
            if db is None:
                return 0
            return int(db.execute("SELECT count(*) FROM formula2").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
            self._db = None
            self._opened = False


def _storable(text: str | None) -> bool:
    """Whether SQLite can hold the text: a lone surrogate (an engine's message cutting a formula
    between the halves of a pair) cannot be encoded. Such a result is not cached, only recomputed."""
    if text is None:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
