"""A build's staging folder started as the previous site: hard links, so the build writes only what changed.

``kbgen build`` builds into a staging folder and swaps it in when it is
complete (kbgen.site_output). Filled with hard links to the current site's
files, the staging folder already holds every unchanged page, and
:class:`~kbgen.site_writer.SiteWriter` replaces a file rather than writing into
it, so the linked original stays as it was until the swap. The tree linked up
is the site the last build replaced (the spare, kept in the cache), brought up
to date with what that build recorded it changed; without one, the whole site
is linked by ``cp -al`` running beside the build.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Iterable

# Files that code outside the writer rewrites in place (MkDocs's gzipped sitemap, kbgen's
# Korean search-index rewrite): never hard-linked, so the previous site's copy is never touched.
WRITTEN_IN_PLACE = ("sitemap.xml.gz", "search/search_index.json")


class SiteLinking:
    """:func:`start_linking_previous_site` under way: ``cp -al`` running beside the build until :meth:`wait`.

    Linking a whole site anew (the first build after one from nothing, when there is no
    spare tree yet) is a fifth of a second per 1,000 notes of the kernel making folders
    and links, while the build itself reads its configuration, vault and cache and writes
    nothing into ``staging``. A separate process does it on the other core; the build
    calls :meth:`wait` before anything reads or writes ``staging``.
    """

    def __init__(self, site: Path, staging: Path, linked: int = 0, process: subprocess.Popen | None = None):
        self.site, self.staging = site, staging
        self._linked = linked
        self._process = process

    def wait(self) -> int:
        """Wait for the linking to finish (once; later calls return at once); how many were linked (1: some,
        with ``cp``). A failed ``cp`` leaves ``staging`` empty and the files linked one by one."""
        process, self._process = self._process, None
        if process is None:
            return self._linked
        try:
            status = process.wait(timeout=600)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            status = -1
        self._linked = _after_cp(self.staging, status == 0) or _link_each(self.site, self.staging)
        return self._linked


def start_linking_previous_site(site: Path, staging: Path, spare: Path | None = None) -> SiteLinking:
    """Start filling ``staging`` with hard links to ``site``'s files; :meth:`SiteLinking.wait` ends it.

    A build into ``staging`` then rewrites only what changed — :class:`~kbgen.site_writer.SiteWriter`
    replaces a file rather than writing into it, so the linked original stays as it
    was until the new site is swapped in. Where links are impossible nothing is linked
    and the build writes everything.

    ``spare``: the site before ``site`` (kbgen.site_output keeps it in the cache). It
    already links most of ``site``'s files, so it becomes ``staging`` and only what the
    last build changed is linked again (:func:`_sync_links`), here and now: linking every
    file anew was seconds at 5,000 notes. Without one the whole site is linked by a ``cp``
    process left running.
    """
    if not site.is_dir():
        return SiteLinking(site, staging)
    if spare is not None and _adopt_spare(site, staging, spare, _recorded_changes(site, spare)):
        return SiteLinking(site, staging, 1)
    process = _start_cp(site, staging)
    if process is not None:
        return SiteLinking(site, staging, process=process)
    return SiteLinking(site, staging, _link_each(site, staging))


def _link_each(site: Path, staging: Path) -> int:
    """Link ``site``'s files into ``staging`` one by one (no ``cp``); how many, up to the first that failed."""
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


def _start_cp(site: Path, staging: Path) -> subprocess.Popen | None:
    """``cp -al`` (coreutils) links a tree several times faster than a loop of os.link; None if unavailable."""
    cp = shutil.which("cp")
    if cp is None or sys.platform != "linux":
        return None
    try:
        return subprocess.Popen([cp, "-al", "--", f"{site}/.", f"{staging}/"], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None


def _after_cp(staging: Path, succeeded: bool) -> int:
    """1 when ``cp`` linked the tree (the files rewritten in place taken out again); else ``staging`` emptied, 0."""
    if not succeeded:
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
    for rel in WRITTEN_IN_PLACE:  # as _after_cp: rewritten in place, so never linked
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(staging, rel))
    return True


# Beside the spare folder: what the last build changed in the site it replaced (see record_changes).
CHANGES_SUFFIX = ".changes"


def record_changes(site: Path, spare: Path, changed: Iterable[str]) -> None:
    """After a build put ``site`` in place and kept the site it replaced as ``spare``: the files
    (relative paths) that differ between the two, for the next build's :func:`start_linking_previous_site`.

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
    for rel in WRITTEN_IN_PLACE:  # as _after_cp: rewritten in place, so never linked
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
