"""Where a build writes: a refused site folder, and atomic output.

The site is built in a temporary folder beside the target and swapped in only
when the build finished, so a failed or interrupted build leaves the previous
site as it was. A site folder that is (or holds, or lies inside) the notes,
``/`` or the home folder is refused: a build empties its site folder first.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterator

STAGING_PREFIX = ".kbgen-staging-"  # + the site folder's name + random part
OLD_PREFIX = ".kbgen-previous-"
STALE_SECONDS = 6 * 3600


def unsafe_site_dir(site: Path, notes: Path | None) -> str | None:
    """Why ``site`` must not be a build's output folder (given the notes folder, when known), or None."""
    site = site.resolve()
    if site == Path(site.anchor):
        return f"the site folder {site} is the root of the file system"
    if site == Path.home().resolve():
        return f"the site folder {site} is the home folder"
    if notes is None:
        return None
    notes = notes.resolve()
    if site == notes:
        return f"the site folder {site} is the notes folder"
    if site in notes.parents:
        return f"the site folder {site} contains the notes folder {notes}"
    if notes in site.parents:
        return f"the site folder {site} is inside the notes folder {notes}"
    return None


@contextlib.contextmanager
def atomic_site(site: Path, spare: Path | None = None) -> Iterator[Path]:
    """Yield an empty folder beside ``site`` to build into; on success it replaces ``site``.

    On any exception (or Ctrl-C) the folder is removed and ``site`` is untouched.
    ``spare``: where the replaced site is kept (in kbgen's cache, on the same file
    system) for the next build to start from (kbgen.site_links.start_linking_previous_site)
    instead of being deleted; nothing is left beside ``site``.
    """
    site = site.resolve()
    site.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(site)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{site.name}-", dir=site.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a site is meant to be served
    if site.exists():
        old = Path(tempfile.mkdtemp(prefix=f"{OLD_PREFIX}{site.name}-", dir=site.parent))
        os.rename(site, old / site.name)
        os.rename(staging, site)
        if spare is not None and _keep(old / site.name, spare):
            os.rmdir(old)
        else:
            remove_tree(old)
    else:
        os.rename(staging, site)


SPARE = "previous-site"  # in kbgen's cache: the site a build replaced, for the next one to start from


def spare_slot(cache_dir: Path, site: Path) -> Path | None:
    """The cache's one place for ``site``'s replaced folder; emptied when it holds another site's.

    One place, not one per site: a cache used for many sites (tests, a moved project)
    must not collect their trees. The sync that adopts it (kbgen.site_links) makes it
    equal to the site whatever it holds, so a wrong owner costs time, never bytes.
    """
    slot = Path(cache_dir) / SPARE
    owner = slot.with_name(SPARE + ".owner")
    mine = os.path.realpath(site)
    try:
        theirs: str | None = owner.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        theirs = None
    if theirs != mine:
        try:
            if slot.exists():
                aside = Path(tempfile.mkdtemp(prefix=f"{SPARE}-old-", dir=slot.parent))
                os.rename(slot, aside / SPARE)
                remove_tree(aside)
            slot.parent.mkdir(parents=True, exist_ok=True)
            owner.write_text(mine, encoding="utf-8", errors="surrogateescape")
        except OSError:
            return None
    return slot


def _keep(tree: Path, spare: Path) -> bool:
    """Move ``tree`` to ``spare``; False when it cannot go there (another file system, one already there)."""
    try:
        spare.parent.mkdir(parents=True, exist_ok=True)
        os.rename(tree, spare)
    except OSError:
        return False
    return True


# A previous site with more files than this is deleted by a detached process: the
# new site is already in place, and deleting 10,000 files took longer than the
# rest of a build with nothing to do.
DETACH_ABOVE = 2000


def remove_tree(folder: Path) -> None:
    """Delete ``folder``; a large one in a detached process (see :data:`DETACH_ABOVE`)."""
    if not _larger_than(folder, DETACH_ABOVE) or not hasattr(os, "fork"):
        shutil.rmtree(folder, ignore_errors=True)
        return
    try:
        pid = os.fork()
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    if pid:
        os.waitpid(pid, 0)
        return
    try:  # the child: start the remover in its own session and leave at once
        os.setsid()
        if os.fork() == 0:
            # Holds no pipe of the caller's, so `kbgen build | …` ends when kbgen does.
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.closerange(3, 65536)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        os._exit(0)


def _larger_than(folder: Path, limit: int) -> bool:
    seen = 0
    for _, dirs, files in os.walk(folder):
        seen += len(dirs) + len(files)
        if seen > limit:
            return True
    return False


def _remove_stale(site: Path) -> None:
    """Folders a killed build left beside the site (SIGKILL allows no clean-up); old enough
    that no build still running can own them."""
    now = time.time()
    for prefix in (STAGING_PREFIX, OLD_PREFIX):
        for stale in site.parent.glob(f"{prefix}{site.name}-*"):
            with contextlib.suppress(OSError):
                if now - stale.stat().st_mtime > STALE_SECONDS:
                    shutil.rmtree(stale, ignore_errors=True)
