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
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Iterator


# Files that code outside the writer rewrites in place (MkDocs's gzipped sitemap, kbgen's
# Korean search-index rewrite): never hard-linked, so the previous site's copy is never touched.
WRITTEN_IN_PLACE = ("sitemap.xml.gz", "search/search_index.json")


def link_previous_site(site: Path, staging: Path, spare: Path | None = None) -> int:
    """Fill ``staging`` with hard links to ``site``'s files; how many were linked (1: some, with ``cp``).

    A build into ``staging`` then rewrites only what changed — :class:`SiteWriter`
    replaces a file rather than writing into it, so the linked original stays as it
    was until the new site is swapped in. Where links are impossible nothing is linked
    and the build writes everything.

    ``spare``: the site before ``site`` (kbgen.site_output keeps it in the cache). It
    already links most of ``site``'s files, so it becomes ``staging`` and only what the
    last build changed is linked again (:func:`_sync_links`): linking every file anew
    was seconds at 5,000 notes.
    """
    if not site.is_dir():
        return 0
    if spare is not None and _adopt_spare(site, staging, spare, _recorded_changes(site, spare)):
        return 1
    linked = _link_with_cp(site, staging)
    if linked:
        return linked
    linked = 0
    for dirpath, _, filenames in os.walk(site):
        for name in filenames:
            src = os.path.join(dirpath, name)
            rel = os.path.relpath(src, site)
            if rel.replace(os.sep, "/") in WRITTEN_IN_PLACE or name.endswith(".kbgen-tmp"):
                continue
            dest = os.path.join(staging, rel)
            try:
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                os.link(src, dest)
            except OSError:
                return linked
            linked += 1
    return linked


def _link_with_cp(site: Path, staging: Path) -> int:
    """``cp -al`` (coreutils) links a tree several times faster than a loop of os.link; 0 if unavailable."""
    cp = shutil.which("cp")
    if cp is None or sys.platform != "linux":
        return 0
    try:
        done = subprocess.run([cp, "-al", "--", f"{site}/.", f"{staging}/"], capture_output=True, timeout=600)
    except (OSError, subprocess.SubprocessError):
        done = None
    if done is None or done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(staging, exist_ok=True)
        return 0
    for rel in WRITTEN_IN_PLACE:  # rewritten in place: the previous site's copy must stay as it is
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(staging, rel))
    return 1  # linked (how many is not counted: that would walk the tree again)


def _adopt_spare(site: Path, staging: Path, spare: Path, changed: list[str] | None = None) -> bool:
    """Make ``spare`` the (empty) ``staging`` folder and link it up to ``site``; False: ``staging`` is empty again.

    ``changed``: the files that differ between the two, as the last build recorded them
    (:func:`record_changes`); only those are linked again. Otherwise both trees are compared.
    """
    if not spare.is_dir():
        return False
    try:
        os.rmdir(staging)
        os.rename(spare, staging)
    except OSError:
        os.makedirs(staging, exist_ok=True)
        return False
    try:
        if changed is not None and _sync_changed(site, staging, changed) or _sync_links(site, staging):
            return True
    except OSError:
        pass
    from .site_output import remove_tree

    aside = staging.with_name(staging.name + "-spare")
    try:
        os.rename(staging, aside)
        remove_tree(aside)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging, exist_ok=True)
    return False


def _sync_links(site: Path, staging: Path) -> bool:
    """Make ``staging`` hold exactly ``site``'s files as hard links (as ``cp -al`` would), changing
    only entries whose inode differs; False when ``site`` holds something other than files and folders."""
    stack = [""]
    while stack:
        rel = stack.pop()
        source, target = os.path.join(site, rel), os.path.join(staging, rel)
        have = {entry.name: entry for entry in os.scandir(target)}
        for entry in os.scandir(source):
            name = entry.name
            path = os.path.join(target, name)
            old = have.pop(name, None)
            if entry.is_dir(follow_symlinks=False):
                if old is not None and not old.is_dir(follow_symlinks=False):
                    os.unlink(path)
                    old = None
                if old is None:
                    os.mkdir(path)
                stack.append(os.path.join(rel, name))
                continue
            if not entry.is_file(follow_symlinks=False):
                return False
            if old is not None and old.is_file(follow_symlinks=False) and old.inode() == entry.inode():
                continue
            _remove(path, old)
            os.link(entry.path, path)
        for name, old in have.items():  # gone from the site since
            _remove(os.path.join(target, name), old)
    for rel in WRITTEN_IN_PLACE:  # as _link_with_cp: rewritten in place, so never linked
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(staging, rel))
    return True


# Beside the spare folder: what the last build changed in the site it replaced (see record_changes).
CHANGES_SUFFIX = ".changes"


def record_changes(site: Path, spare: Path, changed: Iterable[str]) -> None:
    """After a build put ``site`` in place and kept the site it replaced as ``spare``: the files
    (relative paths) that differ between the two, for the next build's :func:`link_previous_site`.

    Comparing the two trees whole was a tenth of a second per 1,000 notes on every build. The
    record names both folders by device, inode and times: a folder replaced or touched since
    (by hand, by another build) does not match it, and the trees are compared as before.
    """
    path = spare.with_name(spare.name + CHANGES_SUFFIX)
    try:
        record = {"site": _identity(site), "spare": _identity(spare), "changed": sorted(set(changed))}
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(path)


def _recorded_changes(site: Path, spare: Path) -> list[str] | None:
    """The changes :func:`record_changes` recorded for exactly these two folders; read once (then forgotten)."""
    path = spare.with_name(spare.name + CHANGES_SUFFIX)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        os.unlink(path)  # spent: this build changes both folders
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("site") != _identity(site) or \
            record.get("spare") != _identity(spare) or not isinstance(record.get("changed"), list):
        return None
    return [rel for rel in record["changed"] if isinstance(rel, str)]


def _identity(folder: Path) -> list[int]:
    found = os.stat(folder)
    return [found.st_dev, found.st_ino, found.st_mtime_ns, found.st_ctime_ns]


def _sync_changed(site: Path, staging: Path, changed: list[str]) -> bool:
    """:func:`_sync_links` for the ``changed`` files only (the rest are already the same links)."""
    for rel in changed:
        parts = rel.split("/")
        if not rel or rel.startswith("/") or ".." in parts or "" in parts:
            return False  # not a path inside the site: compare the trees instead
        source, target = os.path.join(site, rel), os.path.join(staging, rel)
        try:
            old = os.lstat(target)
        except OSError:
            old = None
        try:
            new = os.lstat(source)
        except OSError:
            new = None
        if new is not None and not stat.S_ISREG(new.st_mode):
            return False
        if old is not None and new is not None and stat.S_ISREG(old.st_mode) and old.st_ino == new.st_ino:
            continue
        if old is not None:
            if stat.S_ISDIR(old.st_mode):
                shutil.rmtree(target)
            else:
                os.unlink(target)
        if new is not None:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.link(source, target)
    for rel in WRITTEN_IN_PLACE:  # as _link_with_cp: rewritten in place, so never linked
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(staging, rel))
    return True


def _remove(path: str, entry: os.DirEntry | None) -> None:
    if entry is None:
        return
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(path)
    else:
        os.unlink(path)


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
