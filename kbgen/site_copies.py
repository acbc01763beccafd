"""The site's static files (theme assets, attachments, kbgen's generated files) written by a forked child.

MkDocs copies every file that is not a page before it templates the pages: at
1,000 notes about a thousand files (most of them the alias redirect pages), a
tenth of a second of folders made and files replaced in the main process, the
other core idle. None of it is read back by the build, so a child forked at
that moment (kbgen.background) writes them through its own copy of the
:class:`~kbgen.site_writer.SiteWriter` while the main process goes on to the
navigation, the theme's templates and the pages; what it wrote is then merged
into the main writer's record (produced, changed, counts), so removing stale
files and recording the changes see the same as when this process copied them.
A file the child could not write, or all of them when the child failed, is
copied again by the main process, whose own error handling reports it.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Sequence

from . import background
from .site_writer import SiteWriter

log = logging.getLogger("kbgen")

# Fewer static files than this are copied in this process: the fork costs more than they do.
MIN_FILES = 200
# Static files looked at to tell whether the site folder holds them already (see _mostly_there).
SAMPLE = 32


class StaticCopies:
    """``writer.copy(file)`` for every one of ``files``, in a child when there are many; :meth:`finish` ends it.

    ``later``: the files (output paths) the main process writes after these (pages, the theme's
    templates); a static file with one of those paths is copied here first, so that the later
    write still wins as in MkDocs's order.
    """

    def __init__(self, writer: SiteWriter, files: Sequence[Any], later: set[str]):
        self.writer = writer
        self.files = []
        taken = {writer.real_path(path) for path in later}
        for file in files:
            if writer.real_path(file.abs_dest_path) in taken:
                writer.copy(file)
            else:
                self.files.append(file)
        self._child: background.Background | None = None
        if len(self.files) >= MIN_FILES and not _mostly_there(self.files):
            self._child = background.start(self._copy_all, "static files")
        if self._child is None:
            for file in self.files:
                writer.copy(file)

    def _copy_all(self) -> tuple[list[str], list[str], int, int, list[int]]:
        """In the child: copy each file; what the main writer must learn, and the files to copy again."""
        writer = self.writer
        writer.produced, writer.changed, writer.failed = set(), set(), set()
        writer.written = writer.unchanged = 0
        again = []
        for n, file in enumerate(self.files):
            try:
                if not _copied(writer, file):
                    again.append(n)
            except Exception:  # noqa: BLE001 - the main process copies it and reports what goes wrong
                again.append(n)
        return sorted(writer.produced), sorted(writer.changed), writer.written, writer.unchanged, again

    def finish(self) -> None:
        """Wait for the child and take in what it wrote; copy here what it could not. Once."""
        child, self._child = self._child, None
        if child is None:
            return
        try:
            produced, changed, written, unchanged, again = child.join()
        except background.BackgroundFailed as exc:
            log.warning("kbgen: %s; copied by the main process", exc)
            produced, changed, written, unchanged, again = [], [], 0, 0, list(range(len(self.files)))
        writer = self.writer
        writer.produced.update(produced)
        writer.changed.update(changed)
        writer.written += written
        writer.unchanged += unchanged
        for n in again:
            writer.copy(self.files[n])


def _mostly_there(files: Sequence[Any]) -> bool:
    """Whether the site folder holds nearly all of ``files`` already (it started as the previous site).

    Then nearly every copy is a comparison that finds the same bytes: at 1,000 notes, after one
    edit, about 15 ms here, less than a child costs the main process (the fork, and the
    copy-on-write of its heap while it goes on), measured alternately. A folder filled afresh
    (a first build) has the child copy.
    """
    step = max(1, len(files) // SAMPLE)
    sample = files[::step]
    return sum(os.path.isfile(file.abs_dest_path) for file in sample) >= 0.9 * len(sample)


def _copied(writer: SiteWriter, file: Any) -> bool:
    """Copy one file as :meth:`SiteWriter.copy` does; False where that would fall back on the file's own
    copy (whose failure the main process must report), leaving the file to the main process."""
    content = getattr(file, "_content", None)
    if content is not None:
        writer.write(content.encode("utf-8") if isinstance(content, str) else content, file.abs_dest_path)
        return True
    failed = len(writer.failed)
    try:
        writer.copy_source(file.abs_src_path, file.abs_dest_path)
    except OSError:
        return False
    return len(writer.failed) == failed
