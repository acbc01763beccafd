"""``kbgen build`` with nothing changed: recognise it from file stamps and do nothing.

A build is a function of its inputs: every file under the notes folder, the
configuration, kbgen's code and the libraries that shape the site, the day
(pages without a date of their own carry the build's), and git history when
the notes live in a repository (dates come from it). When a stamp of all of
them (path, size, modification time — no file is read) equals the one recorded
after the last successful build, and the site folder still holds exactly the
files that build left (same stamps), a new build would write the same bytes:
``kbgen build`` reports that build's problems again and exits with its status.
Any difference — a touched note, an edited mkdocs.yml, a file deleted from the
site — means an ordinary (incremental) build. No MkDocs here.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

from .cache import code_fingerprint

VERSION = 1


@dataclass
class Outcome:
    """What the recorded build reported: printed again when it is skipped."""

    problems: str  # the formatted diagnostics, as printed
    errors: int
    warnings: int
    notes: int
    pages: int


class _Digest:
    """sha256 that also remembers the newest file time it was fed."""

    def __init__(self, data: bytes = b"", with_ctime: bool = True):
        self.sha = hashlib.sha256(data)
        self.newest_ns = 0
        self.with_ctime = with_ctime

    def update(self, data: bytes) -> None:
        self.sha.update(data)

    def hexdigest(self) -> str:
        return self.sha.hexdigest()


# File times tick with the kernel's coarse clock: a file changed within this many seconds
# of the stamp could change again without changing it (git's "racily clean" files).
RACY_SECONDS = 2.0


@dataclass
class Stamps:
    """:func:`inputs_stamp`'s digest, and the notes folder's files one by one (kbgen.snapshot)."""

    digest: str  # "" when a file changed too recently for its stamp to be trusted
    others: str  # a digest of every input but the notes folder's files: code, day, configuration, git
    files: dict[str, str | None]  # path in the notes folder → its stamp; None: changed too recently to trust


def inputs_stamp(docs_dir: Path, files: Iterable[Path], extra: str) -> str:
    """A digest of everything a build reads, from stat() alone (see the module docstring).

    An empty string when a file changed too recently for its stamp to be trusted.
    """
    return input_stamps(docs_dir, files, extra).digest


def input_stamps(docs_dir: Path, files: Iterable[Path], extra: str) -> Stamps:
    """:func:`inputs_stamp`, with what it was made of (:class:`Stamps`)."""
    started = time.time_ns()
    head = (f"{VERSION}\0{code_fingerprint()}\0{_dt.datetime.now(_dt.timezone.utc).date()}\0"
            f"{extra}".encode("utf-8", "surrogatepass"))
    digest, others = _Digest(head), _Digest(head)
    found: dict[str, tuple[str | None, int]] = {}
    _tree_stamp(Path(docs_dir), digest, found)
    for path in files:
        part = b"\x02" + _file_stamp(Path(path), digest).encode("utf-8", "surrogatepass")
        digest.update(part)
        others.update(part)
    git = _git_dir(Path(docs_dir))
    if git is not None:  # a commit changes dates even when no note changes
        for name in ("HEAD", "index", "packed-refs"):
            part = b"\x03" + _file_stamp(git / name, digest).encode("utf-8", "surrogatepass")
            digest.update(part)
            others.update(part)
        refs = _Digest()
        _tree_stamp(git / "refs", refs)
        part = b"\x04" + refs.hexdigest().encode()
        digest.update(part)
        others.update(part)
        digest.newest_ns = max(digest.newest_ns, refs.newest_ns)
    racy = started - RACY_SECONDS * 1e9
    return Stamps("" if digest.newest_ns > racy else digest.hexdigest(), others.hexdigest(),
                  {path: None if mtime_ns > racy else stamp for path, (stamp, mtime_ns) in found.items()})


def site_stamp(site: Path) -> str:
    """A digest of the site folder's files (path, size, modification time)."""
    digest = _Digest(with_ctime=False)
    _tree_stamp(Path(site), digest)
    return digest.hexdigest()


def record_path(cache_dir: Path, site: Path) -> Path:
    name = hashlib.sha256(os.path.realpath(site).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return Path(cache_dir) / f"up-to-date-{name}.json"


def recorded(path: Path, inputs: str, site: Path) -> Outcome | None:
    """The outcome of the last build when nothing changed since, else None."""
    if not inputs:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["inputs"] != inputs or data["site"] != site_stamp(site):
            return None
        return Outcome(**data["outcome"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(path: Path, inputs: str, site: Path, outcome: Outcome) -> None:
    """Remember a successful build (``inputs`` as stamped before it began)."""
    if not inputs:
        return
    data = {"inputs": inputs, "site": site_stamp(site), "outcome": asdict(outcome)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # the next build is an ordinary one


def forget(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _tree_stamp(root: Path, digest: _Digest, found: dict[str, tuple[str | None, int]] | None = None) -> None:
    """Every entry under ``root``, sorted, with its stamp; symlinks followed as the loader follows them.

    ``found``: each file's stamp and modification time is put there too, by its path under ``root``
    (a linked folder as its path and "/", never trusted).
    """
    stack = [""]
    while stack:
        rel = stack.pop()
        folder = root / rel if rel else root
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            digest.update(f"\x01{rel}:{exc.errno}".encode("utf-8", "surrogatepass"))
            continue
        for entry in entries:
            path = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.is_symlink():  # a linked folder: its files are not stamped, so never up to date
                    digest.update(os.urandom(16))
                    if found is not None:
                        found[path + "/"] = (None, 0)
                    continue
                digest.update(f"\x01{path}/".encode("utf-8", "surrogatepass"))
                stack.append(path)
                continue
            # The entry's own path string and link bit: no Path object and no second lstat per file
            # (thousands of files: the site is stamped after every build).
            stamp, mtime_ns = _stat_stamp(entry.path, digest.with_ctime, entry.is_symlink())
            digest.newest_ns = max(digest.newest_ns, mtime_ns)
            if found is not None:
                found[path] = (stamp, mtime_ns)
            digest.update(f"\x01{path}:{stamp}".encode("utf-8", "surrogatepass"))


def _file_stamp(path: Path | str, digest: _Digest) -> str:
    stamp, mtime_ns = _stat_stamp(path, digest.with_ctime)
    digest.newest_ns = max(digest.newest_ns, mtime_ns)
    return stamp


def _stat_stamp(path: Path | str, with_ctime: bool, is_link: bool | None = None) -> tuple[str, int]:
    """A file's stamp and its modification time (0 when it cannot be read)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"missing {exc.errno}", 0
    if is_link is None:
        is_link = os.path.islink(path)
    link = os.readlink(path) if is_link else ""
    # The status-change time catches a file put back to its old modification time; not for the
    # site, whose files are hard links that the previous site's deletion (detached) changes.
    changed = st.st_ctime_ns if with_ctime else ""
    return f"{st.st_mode:o} {st.st_size} {st.st_mtime_ns} {changed} {st.st_ino} {link}", st.st_mtime_ns


def _git_dir(start: Path) -> Path | None:
    for folder in [start.resolve(), *start.resolve().parents]:
        candidate = folder / ".git"
        if candidate.is_dir():
            return candidate
    return None
