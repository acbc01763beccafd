"""kbgen's SQLite files (the build cache, the formula cache) opened in WAL mode, also while another process opens them.

Two processes opening a new file at the same moment — a cold build's two
workers opening the formula cache — make SQLite refuse one of them the switch
to WAL mode with "database is locked" at once: the busy timeout does not cover
that step. The worker then typeset without the cache and printed a warning, in
about half of all first builds (two processes forked together failed in 29 of
30 tries). The set-up is tried again for a few seconds at most.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

ATTEMPTS = 40  # with PAUSE_S growing by itself each time: about 4 s in all
PAUSE_S = 0.005


def open_wal(path: Path, schema: str, **connect: Any) -> sqlite3.Connection:
    """A connection to ``path`` (made with its folder if need be) in WAL mode with ``schema`` applied.

    ``connect``: further arguments of :func:`sqlite3.connect`. Raises :class:`sqlite3.Error` (or
    OSError) when the file cannot be used, as :func:`sqlite3.connect` does.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), timeout=30, isolation_level=None, **connect)
    attempt = 0
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a crash may lose the last writes, never corrupt the file.
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(schema)
            return db
        except sqlite3.OperationalError as exc:
            attempt += 1
            if attempt < ATTEMPTS and _busy(exc):
                time.sleep(PAUSE_S * attempt)
                continue
            db.close()
            raise
        except BaseException:
            db.close()
            raise


def _busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)
