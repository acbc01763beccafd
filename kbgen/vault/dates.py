"""When a note was written and last changed.

Per field, the first source that knows wins:

1. front matter — ``created`` (or a blog's ``date``) and ``modified``/``updated``;
2. git, when the vault is inside a work tree: the first and the last commit that
   touched the file (author dates). One ``git log`` for the whole vault, never
   one per note, so the cost is that of the history, not notes × history;
3. the file's modification time.
"""
from __future__ import annotations

import datetime as _dt
import subprocess
import unicodedata
from pathlib import Path
from typing import Iterable

from .note import Note

GIT_TIMEOUT = 120  # seconds; a vault whose history takes longer falls back to file times


def git_dates(root: Path) -> dict[str, tuple[_dt.date, _dt.date]]:
    """{path relative to ``root``: (first commit date, last commit date)}; empty outside git."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "-c", "core.quotePath=false", "log", "--format=%x01%at",
             "--name-only", "--no-renames", "--relative", "-z", "--", "."],
            capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return {}
    if result.returncode != 0:
        return {}
    return parse_git_log(result.stdout.decode("utf-8", "replace"))


def parse_git_log(output: str) -> dict[str, tuple[_dt.date, _dt.date]]:
    """Parse ``git log --format=%x01%at --name-only -z``: newest commit first."""
    dates: dict[str, tuple[_dt.date, _dt.date]] = {}
    for chunk in output.split("\x01"):
        if not chunk:
            continue
        stamp, _, names = chunk.partition("\0")
        try:
            day = _dt.datetime.fromtimestamp(int(stamp.strip()), _dt.timezone.utc).date()
        except ValueError:
            continue
        for name in names.split("\0"):
            name = unicodedata.normalize("NFC", name.strip("\n"))
            if not name:
                continue
            last = dates[name][1] if name in dates else day  # the newest commit comes first
            dates[name] = (day, last)  # every older commit moves "first" back
    return dates


def assign_dates(root: Path, notes: Iterable[Note]) -> None:
    """Fill each note's ``created`` and ``modified`` from git, then file times, where front matter is silent."""
    notes = list(notes)
    if not notes:
        return
    history = git_dates(root)
    for note in notes:
        created = note.created or note.date
        modified = note.modified
        from_git = history.get(unicodedata.normalize("NFC", note.src_path))
        if from_git is not None:
            created = created or from_git[0]
            modified = modified or from_git[1]
        if created is None or modified is None:
            stamp = _file_date(note.abs_path)
            created = created or stamp
            modified = modified or stamp
        note.created, note.modified = created, modified


def _file_date(path: Path | None) -> _dt.date | None:
    try:
        return _dt.datetime.fromtimestamp(Path(path).stat().st_mtime, _dt.timezone.utc).date() if path else None
    except OSError:
        return None
