"""kbgen's SQLite caches opened by several processes at once (kbgen.sqlite_files): none is turned away."""
from __future__ import annotations

import logging
import os
import sys
import time

import pytest

from kbgen import parallel
from kbgen.cache import NoteCache
from kbgen.config import KbgenConfig
from kbgen.katex.cache import FormulaCache
from kbgen.katex.engine import RenderResult

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not parallel.can_fork(), reason="processes are forked")


def _together(n: int, work) -> list[int]:
    """Run ``work(k)`` in ``n`` forked processes released at the same instant; their exit statuses."""
    go = time.time() + 0.2
    pids = []
    for k in range(n):
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                while time.time() < go:
                    pass
                status = 0 if work(k) else 1
            finally:
                os._exit(status)
        pids.append(pid)
    return [os.WEXITSTATUS(os.waitpid(pid, 0)[1]) for pid in pids]


def test_workers_opening_a_new_formula_cache_together_all_use_it(tmp_path, caplog):
    """A cold build's workers open the formula cache at once: SQLite refused one of them WAL mode
    ("database is locked") in most such starts, and it typeset without the cache."""
    caplog.set_level(logging.WARNING)
    for attempt in range(8):
        path = tmp_path / f"cold{attempt}" / "math-cache.sqlite3"

        def work(k: int) -> bool:
            cache = FormulaCache(path)
            cache.put_many({f"key{k}".encode(): RenderResult(f"<span>{k}</span>", None, None)})
            return cache._connect() is not None

        assert _together(4, work) == [0, 0, 0, 0], attempt
        found = FormulaCache(path).get_many([f"key{k}".encode() for k in range(4)])
        assert sorted(r.html for r in found.values()) == [f"<span>{k}</span>" for k in range(4)]
    assert "unusable" not in caplog.text


def test_builds_opening_a_new_build_cache_together_all_use_it(tmp_path):
    def work(k: int) -> bool:
        cache = NoteCache(KbgenConfig(notes_dir=str(tmp_path / "notes"), cache_dir=str(tmp_path / "cache")))
        return cache._db is not None

    assert _together(4, work) == [0, 0, 0, 0]
