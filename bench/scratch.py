"""The benches' scratch folders: set aside while figures are taken, deleted once they all are.

On a file system without a journal (this machine's root: the kernel's
``ext4_create`` spends its time in ``recently_deleted``, perf shows), ext4
will not reuse an inode freed in the last 60 s (``RECENTCY_MIN``; 5 s in older
kernels), 300 s more while its inode-table block is not yet written back
(``RECENTCY_DIRTY``, ``fs/ext4/ialloc.c``), and every allocation in that block
group first walks past the recently freed ones. A cold build creates thousands
of files and folders (a page and a folder per note, redirect stubs, search
pieces), so a build started right after the bench deleted the previous build's
site and cache ran slower at 1,000 notes than the same build after two quiet
minutes (its system time 1.9-2.0 s against 1.0-1.5 s), the harness measuring
its own deletions. So a bench deletes nothing while it measures: a folder to
be replaced is renamed aside (:meth:`Scratch.set_aside`), and everything goes
at the end (:meth:`Scratch.delete_all`), which leaves a stamp; the next bench
waits out the window after that stamp (:func:`settle`) before its first timed
build.
"""
from __future__ import annotations

import itertools
import shutil
import sys
import tempfile
import time
from pathlib import Path

# Inodes freed this recently are skipped by ext4 without a journal: RECENTCY_MIN (60 s) once the inode
# table is written back, which the kernel's writeback does within 30-35 s of the deletion.
RECENTLY_DELETED_S = 120
STAMP = Path(tempfile.gettempdir()) / "kbgen-bench-deleted"


class Scratch:
    """Folders to delete when every figure is taken."""

    def __init__(self) -> None:
        self.paths: list[Path] = []
        self._names = itertools.count(1)

    def mkdtemp(self, prefix: str = "kbgen-bench-") -> Path:
        path = Path(tempfile.mkdtemp(prefix=prefix, dir=tempfile.gettempdir()))
        self.paths.append(path)
        return path

    def later(self, path: Path) -> None:
        self.paths.append(path)

    def set_aside(self, path: Path) -> None:
        """Move ``path`` out of the way (a rename: nothing freed) to be deleted at the end."""
        if not path.exists():
            return
        aside = path.with_name(f".aside-{next(self._names)}-{path.name}")
        path.rename(aside)
        self.paths.append(aside)

    def delete_all(self) -> None:
        for path in self.paths:
            shutil.rmtree(path, ignore_errors=True)
        if self.paths:
            STAMP.write_text(f"{time.time()}\n", encoding="utf-8")
        self.paths = []


def settle(window: float = RECENTLY_DELETED_S) -> float:
    """Wait until ``window`` seconds have passed since a bench last deleted its scratch; the seconds waited."""
    try:
        deleted = float(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0.0
    wait = deleted + window - time.time()
    if wait <= 0:
        return 0.0
    print(f"waiting {wait:.0f} s: a bench deleted its scratch {window - wait:.0f} s ago "
          "(bench/scratch.py: inodes freed that recently slow the file creation a build does)",
          file=sys.stderr, flush=True)
    time.sleep(wait)
    return wait

