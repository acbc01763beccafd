"""The theme's static files, remembered while its folders stay as they were (used by kbgen.mkdocs_build).

MkDocs finds a theme's static files by walking every file of the theme
(Material ships thousands of icons) and matching each name against a dozen
patterns: a twentieth of a second in every build. Which files it keeps depends
only on their names, and a folder's modification time changes whenever a name
in it does (added, removed, renamed). So the kept files are recorded under the
times of every folder of the theme, and a later build whose folders all have
the same times takes the record instead of walking the files.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from . import pickles

RECORD = "theme-files.pickle"  # in kbgen's cache folder
# A folder changed this recently could change again within its time stamp's tick: not recorded.
RACY_NS = 2_000_000_000


def folder_times(roots: list[str]) -> list[tuple[str, int]] | None:
    """Every folder under ``roots`` with its modification time; None when one changed just now."""
    out: list[tuple[str, int]] = []
    stack = [os.path.realpath(r) for r in reversed(roots)]
    now = time.time_ns()
    while stack:
        folder = stack.pop()
        try:
            mtime = os.stat(folder).st_mtime_ns
            with os.scandir(folder) as entries:
                stack.extend(sorted((e.path for e in entries if e.is_dir()), reverse=True))
        except OSError:
            mtime = -1
        if now - mtime < RACY_NS:
            return None
        out.append((folder, mtime))
    return out


class Record:
    """The (src_uri, theme folder) pairs of one theme's static files, under ``key`` and its folders' times."""

    def __init__(self, path: Path, key: Any, roots: list[str]):
        self.path = path
        times = folder_times(list(roots))
        self.key = None if times is None else repr((key, times))

    def pairs(self) -> list[tuple[str, str]] | None:
        """The recorded pairs; None when there is no valid record (walk the theme, then :meth:`save`)."""
        if self.key is None:
            return None
        try:
            key, pairs = pickles.loads(self.path.read_bytes())
        except Exception:  # noqa: BLE001 - none yet, or damaged
            return None
        return pairs if key == self.key and isinstance(pairs, list) else None

    def save(self, pairs: list[tuple[str, str]]) -> None:
        if self.key is not None:
            write_atomically(self.path, pickles.dumps((self.key, pairs)))


def write_atomically(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file; False when it could not be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return True
    except OSError:
        return False
