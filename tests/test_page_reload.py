"""kbgen serve's live reload by page (kbgen.page_reload): an open tab reloads when its own page was rewritten."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbgen.mkdocs_serve import _Server


@pytest.fixture()
def server(tmp_path: Path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(f"<html><body>{name}</body></html>", encoding="utf-8")
    served = _Server(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    served.watch(str(tmp_path))  # pages get the reload script only when something is watched
    served.poll_response_timeout = 0.05  # an unanswered poll returns quickly here
    served.show(None)  # the first build
    yield served
    served.server_close()


def _open(server, path: str) -> tuple[int, int]:
    """Serve ``path`` as a tab opens it: the epoch and request id its reload script polls with."""
    body = b"".join(server.serve_request({"PATH_INFO": path}, lambda *a: None))
    epoch, request = re.findall(rb"livereload\(([0-9]+), ([0-9]+)\);", body)[-1]
    return int(epoch), int(request)


def _reloads(server, tab: tuple[int, int]) -> bool:
    answer = b"".join(server.serve_request({"PATH_INFO": "/livereload/%d/%d" % tab}, lambda *a: None))
    return int(answer) > tab[0]


def test_a_tab_reloads_only_when_its_page_was_rewritten(server):
    a, b = _open(server, "/a/"), _open(server, "/b/")
    assert not _reloads(server, a) and not _reloads(server, b)
    server.show(["b/index.html", "assets/kbgen-web/graph.json"])
    assert _reloads(server, b)
    assert not _reloads(server, a)  # a's script polls again with its epoch
    b = _open(server, "/b/")  # b reloaded: served at the new epoch
    server.show([])  # nothing written: nothing to reload
    server.show(["a/index.html"])
    assert _reloads(server, a) and not _reloads(server, b)
    a = _open(server, "/a/index.html")
    server.show(None)  # a full build: every tab
    assert _reloads(server, a) and _reloads(server, b)


def test_a_tab_of_an_unknown_page_reloads_on_any_change(server):
    epoch, _ = _open(server, "/a/")
    unknown = (epoch, 12345)  # a request id this server never served (a tab from before a restart)
    server.show(["b/index.html"])
    assert _reloads(server, unknown)


def test_the_watcher_is_told_of_writes_not_of_reads(tmp_path: Path):
    """kbgen serve watches with the system's notifications (inotify here), not MkDocs's polling; reading
    a note (every build does) is no change, or each build would ask for the next."""
    import time

    from watchdog.events import FileSystemEventHandler
    from watchdog.observers.polling import PollingObserver

    from kbgen.serve_watch import native_observer as _native_observer

    (tmp_path / "sub").mkdir()
    note = tmp_path / "sub" / "a.md"
    note.write_text("# A\n", encoding="utf-8")
    observer = _native_observer(str(tmp_path))
    assert observer is not None and not isinstance(observer, PollingObserver)
    seen: list[tuple[str, str]] = []

    class Record(FileSystemEventHandler):
        def on_any_event(self, event):
            if not event.is_directory:
                seen.append((event.event_type, Path(event.src_path).name))

    observer.schedule(Record(), str(tmp_path), recursive=True)
    observer.start()
    try:
        note.read_text(encoding="utf-8")
        note.write_text("# A\n\nnew\n", encoding="utf-8")
        deadline = time.monotonic() + 10
        while ("modified", "a.md") not in seen and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        observer.stop()
        observer.join(timeout=10)
    assert ("modified", "a.md") in seen
    assert not any(kind in ("opened", "closed_no_write") for kind, _ in seen), seen
