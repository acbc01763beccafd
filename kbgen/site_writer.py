"""Write a site folder in place, touching only files whose bytes change.

Rebuilding into the same folder (``kbgen build`` again, ``kbgen serve``) must
leave exactly what a build into an empty folder leaves, without rewriting
thousands of unchanged pages: every output goes through :meth:`SiteWriter.write`,
which compares first and replaces atomically (a reader never sees half a
file), and :meth:`SiteWriter.remove_stale` deletes what this build did not
produce. Files other code wrote directly during the build are newer than its
start and are kept.
"""
from __future__ import annotations

import contextlib
import filecmp
import os
import shutil
import stat
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator


class SiteWriter:
    def __init__(self, site_dir: Path):
        self.site_dir = Path(site_dir).resolve()
        self.started = time.time()
        self.produced: set[str] = set()
        self.written = 0
        self.unchanged = 0
        self.failed: set[str] = set()  # real paths this build could not write
        self._capture: dict[str, bytes] | None = None
        self._folders: dict[str, str] = {}  # folder → its real path (see ``_real``)
        self.changed: set[str] = set()  # real paths of files this build replaced, removed or found new

    # -- writing ---------------------------------------------------------------------------

    def write(self, content: bytes, output_path: str) -> None:
        """``mkdocs.utils.write_file`` that leaves a file with the same bytes alone."""
        if self._capture is not None:
            self._capture[output_path] = content
            return
        path, found = self._real_stat(output_path)
        self.produced.add(path)
        try:
            if found is not None and found.st_size == len(content):
                with open(path, "rb") as fh:
                    if fh.read() == content:
                        self.unchanged += 1
                        return
        except OSError:
            pass
        try:
            self._replace(path, lambda tmp: _write_bytes(tmp, content))
        except OSError:
            self.failed.add(path)
            raise

    def copy(self, file: Any) -> None:
        """``File.copy_file`` through :meth:`write` (a source on disk is compared, not read, when it can be)."""
        content = getattr(file, "_content", None)
        if content is not None:
            self.write(content.encode("utf-8") if isinstance(content, str) else content, file.abs_dest_path)
            return
        try:
            self.copy_source(file.abs_src_path, file.abs_dest_path)
        except OSError:
            # Gone or unreadable since the folder was read: the file's own copy reports
            # it when it can (the adapter's guarded copy); the next build drops it.
            with contextlib.suppress(OSError):
                file.copy_file()

    def copy_source(self, src: str, output_path: str) -> None:
        """Copy the file ``src`` to ``output_path`` unless it already holds the same bytes; OSError when it cannot."""
        dest = self._real(output_path)
        if self._real(src) == dest:
            self.produced.add(dest)  # a plugin wrote it into the site folder itself
            return
        self.produced.add(dest)
        try:
            if filecmp.cmp(src, dest, shallow=False):
                self.unchanged += 1
                return
        except OSError:
            pass
        self._replace(dest, lambda tmp: shutil.copyfile(src, tmp))

    def _replace(self, path: str, fill: Callable[[str], None]) -> None:
        """Replace ``path`` by a file ``fill`` writes beside it: a reader never sees half a file."""
        tmp = f"{path}.kbgen-tmp"
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fill(tmp)
            os.replace(tmp, path)
            self.changed.add(path)
        except OSError:
            # Not produced: the previous build's copy (a hard link) is removed with the
            # stale files rather than passed off as this build's output.
            self.produced.discard(path)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self.written += 1

    def keep_if_unchanged(self, path: str, size: int, mtime_ns: int) -> bool:
        """Keep ``path`` as this build's output if it is still the file written before."""
        real, found = self._real_stat(path)
        if found is None or found.st_size != size or found.st_mtime_ns != mtime_ns:
            return False
        self.produced.add(real)
        self.unchanged += 1
        return True

    def real_path(self, path: str) -> str:
        """The real path of a file of the site as this writer names it (symbolic links resolved)."""
        return self._real(path)

    def _real(self, path: str) -> str:
        """``os.path.realpath(path)``, each folder's real path worked out once.

        realpath looks up every component of every path; a build names thousands of files
        in the same few folders (a tenth of a second at 5,000 notes, spent on lstat).
        """
        if ".." in path:  # realpath resolves a link before the "..", abspath would not
            return os.path.realpath(path)
        folder, name = os.path.split(os.path.abspath(path))
        full = os.path.join(self._real_folder(folder), name)
        return os.path.realpath(full) if os.path.islink(full) else full

    def _real_stat(self, path: str) -> tuple[str, os.stat_result | None]:
        """(:meth:`_real` of ``path``, the file's ``os.stat`` or None when there is none) from one
        ``lstat`` for a file that is no symlink: every page and file of a build is looked at so, and
        the symlink check was a second call per file."""
        if ".." in path:
            real = os.path.realpath(path)
        else:
            folder, name = os.path.split(os.path.abspath(path))
            real = os.path.join(self._real_folder(folder), name)
            try:
                found = os.lstat(real)
            except OSError:
                return real, None
            if not stat.S_ISLNK(found.st_mode):
                return real, found
            real = os.path.realpath(real)
        try:
            return real, os.stat(real)
        except OSError:
            return real, None

    def _real_folder(self, folder: str) -> str:
        real = self._folders.get(folder)
        if real is None:
            parent, name = os.path.split(folder)
            if not name:  # the root
                return folder
            real = os.path.join(self._real_folder(parent), name)
            if os.path.islink(real):
                real = os.path.realpath(real)
            self._folders[folder] = real
        return real

    def changed_files(self) -> list[str]:
        """Paths (relative, with /) of the files that differ from the site folder's files before the
        build: replaced, removed, or written by other code; for :func:`record_changes`."""
        root = str(self.site_dir)
        return sorted(os.path.relpath(path, root).replace(os.sep, "/") for path in self.changed
                      if path.startswith(root + os.sep))

    @staticmethod
    def stamp(path: str) -> tuple[int, int]:
        try:
            stat = os.stat(path)
        except OSError:
            return -1, 0
        return stat.st_size, stat.st_mtime_ns

    # -- hooks -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def patched(self, utils: ModuleType) -> Iterator[None]:
        """Route ``utils.write_file`` (MkDocs's pages and templates, Material's search index) through :meth:`write`."""
        original = utils.write_file
        utils.write_file = self.write
        try:
            yield
        finally:
            utils.write_file = original

    @contextlib.contextmanager
    def capturing(self) -> Iterator[dict[str, bytes]]:
        """Collect writes in a dict instead of the disk (a page templated for someone else to write)."""
        saved = self._capture
        self._capture = {}
        try:
            yield self._capture
        finally:
            self._capture = saved

    # -- cleaning --------------------------------------------------------------------------

    def remove_stale(self) -> int:
        """Delete files this build neither produced nor wrote otherwise; then the folders that left empty.

        One ``scandir`` per folder, entries judged as listed (a tenth less than ``os.walk`` over a
        site of thousands of folders, after every build). A folder symlink is neither followed nor removed.
        """
        root = str(self.site_dir)
        if not os.path.isdir(root):
            return 0
        removed = 0
        folders: list[str] = []  # every folder once, each after the one holding it
        kept: set[str] = set()  # folders that keep something (a file, a folder, one that would not go)
        stack = [root]
        while stack:
            folder = stack.pop()
            folders.append(folder)
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError:
                kept.add(folder)
                continue
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    if entry.is_symlink():
                        kept.add(folder)
                    else:
                        stack.append(entry.path)
                    continue
                if not self._remove_if_stale(entry):
                    kept.add(folder)
                else:
                    removed += 1
        # Only a folder left empty is removed: trying every folder was a failed call per page.
        for folder in reversed(folders):  # a folder's folders come before it
            if folder == root:
                continue
            if folder not in kept:
                try:
                    os.rmdir(folder)
                    continue
                except OSError:
                    pass
            kept.add(os.path.dirname(folder))
        return removed

    def _remove_if_stale(self, entry: os.DirEntry) -> bool:
        """Remove a file of the site this build did not produce; False when it stays."""
        path = entry.path
        if path in self.produced:
            return False
        self.changed.add(path)
        try:
            if entry.stat(follow_symlinks=False).st_mtime >= self.started and not entry.name.endswith(".kbgen-tmp"):
                return False  # written during this build by code that does not use the writer
            os.unlink(path)
        except OSError:
            return False
        return True


def _write_bytes(path: str, content: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(content)


class WriteGuard:
    """``utils.write_file`` (MkDocs's) that reports a file it cannot write and carries on.

    MkDocs stops the whole build at the first page it cannot write (a full disk, a
    folder where the file must go): one page missing, reported, is better than no site.
    Installed for one build (``install`` … ``remove``); ``failed(path, error)`` hears of each file.
    """

    def __init__(self, utils: ModuleType, failed: Callable[[str, OSError], None]):
        self.utils, self.failed = utils, failed
        self.original: Callable[[bytes, str], None] | None = None

    def install(self) -> None:
        if self.utils.write_file != self.write:  # a rebuild in the same process installs it again
            self.original = self.utils.write_file
            self.utils.write_file = self.write

    def remove(self) -> None:
        if self.utils.write_file == self.write and self.original is not None:
            self.utils.write_file = self.original

    def write(self, content: bytes, output_path: str) -> None:
        assert self.original is not None
        try:
            self.original(content, output_path)
        except OSError as exc:
            with contextlib.suppress(OSError):  # half a page is worse than none
                if os.path.isfile(output_path) and not os.path.islink(output_path):
                    os.unlink(output_path)
            self.failed(output_path, exc)
