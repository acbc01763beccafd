"""What ``kbgen serve`` hears of the notes folder: file changes, as the system reports them.

MkDocs's own watcher polls; here the system's notifications are used when they
can be had (:func:`native_observer`), and :class:`Changes` collects the paths
changed since the last build, which tell ``kbgen serve`` whether the quick path
can show them (kbgen.mkdocs_quick). Watchdog only; no MkDocs here.
"""
from __future__ import annotations

import os
import threading
from typing import Any

from watchdog import events
from watchdog.events import FileSystemEvent, FileSystemEventHandler

# What a watcher reports as a change; opening a file or closing it unwritten (reading) is none.
_CHANGE_EVENTS = [events.FileModifiedEvent, events.FileCreatedEvent, events.FileDeletedEvent, events.FileMovedEvent,
                  events.FileClosedEvent, events.FileAttribEvent, events.DirModifiedEvent, events.DirCreatedEvent,
                  events.DirDeletedEvent, events.DirMovedEvent]


def native_observer(docs_dir: str) -> Any | None:
    """The system's file-change notifications (inotify on Linux) instead of MkDocs's polling observer.

    MkDocs stats every watched file twice a second: at 5,000 notes a save waited
    up to half a second, plus a scan of the whole vault, before a build even
    began (and the scans never stop). Reads are not changes: opened and
    closed-without-writing events are filtered out, or every build's reading of
    the notes would ask for the next build. None (keep polling) when the
    notifications cannot be set up here (a platform without them, a limit reached).
    """
    try:
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver
    except ImportError:
        return None
    if issubclass(Observer, PollingObserver):
        return None
    changes = list(_CHANGE_EVENTS)

    class Notified(Observer):  # type: ignore[misc, valid-type]
        def schedule(self, event_handler, path, *, recursive=False, event_filter=None, follow_symlink=False):
            return super().schedule(event_handler, path, recursive=recursive,
                                    event_filter=event_filter or changes, follow_symlink=follow_symlink)

    try:  # a probe: the notifications of the whole vault can be had
        probe = Notified()
        probe.schedule(FileSystemEventHandler(), docs_dir, recursive=True)
        probe.start()
        probe.stop()
        probe.join(timeout=10)
        return Notified()
    except Exception:  # noqa: BLE001 - polling works everywhere
        return None


class Changes(FileSystemEventHandler):
    """The files changed since the last build, as the watcher reports them."""

    def __init__(self, docs_dir: str):
        self.docs_dir = os.path.realpath(docs_dir)
        self._lock = threading.Lock()
        self._paths: set[str] = set()
        self._folders = False  # a folder appeared, went or moved: not for a quick refresh

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        with self._lock:
            if event.is_directory:
                self._folders = self._folders or event.event_type != "modified"
                return
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                if raw:
                    path = os.path.relpath(os.path.realpath(os.fsdecode(raw)), self.docs_dir)
                    self._paths.add(path.replace(os.sep, "/"))

    def take(self) -> set[str] | None:
        """The changed files' paths in the vault; None after a change of folders."""
        with self._lock:
            paths, folders = self._paths, self._folders
            self._paths, self._folders = set(), False
        return None if folders else paths
