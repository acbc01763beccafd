"""Live reload by page: a browser tab reloads when its own page was rewritten, not on every save.

MkDocs's live-reload server keeps one site version number (an "epoch"). Each
served HTML page carries the epoch it was served at, and its script polls the
server until a newer one is visible, then reloads — every open tab, on every
change. ``kbgen serve`` shows a save in steps (kbgen.mkdocs_quick): the note
pages rendered again are written first and shown, then the listings and the
other pages whose navigation changed. With one epoch per step, a tab on the
edited note would reload twice and a tab on an unrelated page once for nothing.

:class:`PageReload` (mixed into MkDocs's ``LiveReloadServer``) records which
site files each new epoch rewrote (:meth:`PageReload.show`; None: all of them,
as after a full build) and which page each served tab shows (from the request
id in its script); a tab's poll is answered with a newer epoch only once an
epoch newer than its own rewrote its page. Files a page fetches (the search
index, graph data) do not reload it, as MkDocs's own reload does not re-fetch
them either. Works on the server's attributes by duck typing; no MkDocs import.
"""
from __future__ import annotations

import itertools
import posixpath
import re
import threading
import time
from typing import Any, Iterable

# Epochs remembered; a tab older than all of them reloads on the next epoch (kept small: a list scan per poll).
KEPT_EPOCHS = 500
KEPT_TABS = 20000
_POLL = re.compile(r"/livereload/([0-9]+)/([0-9]+)")
_SCRIPT_IDS = re.compile(rb"livereload\(([0-9]+), ([0-9]+)\);")


class PageReload:
    """Mix in before ``mkdocs.livereload.LiveReloadServer``."""

    _epoch_cond: threading.Condition
    _visible_epoch: int
    _wanted_epoch: int
    mount_path: str
    poll_response_timeout: float

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: list[tuple[int, frozenset[str] | None]] = []  # (epoch, site files it rewrote)
        self._forgotten = 0  # the newest epoch no longer in _shown
        self._tabs: dict[int, str] = {}  # request id in a served page's script -> its site file
        self._serving = threading.local()
        self._ids = itertools.count(int(time.time() * 1000) * 1000)  # unique across restarts too

    def show(self, written: Iterable[str] | None) -> None:
        """Make what was just written visible: tabs showing one of ``written`` (site paths; None: every
        page) reload. Nothing written, nothing to reload: tabs keep polling."""
        files = None if written is None else frozenset(written)
        with self._epoch_cond:
            if files is not None and not files and self._visible_epoch == self._wanted_epoch:
                return
            # At least the epoch a build started at (page requests wait for it), and newer than the last.
            epoch = max(round(time.monotonic() * 1000), self._wanted_epoch, self._visible_epoch + 1)
            self._shown.append((epoch, files))
            if len(self._shown) > KEPT_EPOCHS:
                self._forgotten = self._shown.pop(0)[0]
            self._wanted_epoch = self._visible_epoch = epoch
            self._epoch_cond.notify_all()

    def _rewrote(self, epoch: int, page: str | None) -> bool:
        """Whether an epoch newer than ``epoch`` rewrote ``page`` (unknown page or epoch: any newer one)."""
        if self._visible_epoch <= epoch:
            return False
        if page is None or epoch < self._forgotten:
            return True
        return any(e > epoch and (files is None or page in files) for e, files in self._shown)

    def _serve_request(self, environ: dict, start_response: Any) -> Any:
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "ignore")
        poll = _POLL.fullmatch(path)
        if poll is None:
            self._serving.page = self._site_file(path)
            return super()._serve_request(environ, start_response)  # type: ignore[misc]
        epoch, page = int(poll[1]), self._tabs.get(int(poll[2]))
        start_response("200 OK", [("Content-Type", "text/plain")])
        with self._epoch_cond:
            if not self._rewrote(epoch, page):
                self._epoch_cond.wait_for(lambda: self._rewrote(epoch, page), timeout=self.poll_response_timeout)
            # Not newer than the tab's epoch: its script polls again without reloading.
            return [b"%d" % (self._visible_epoch if self._rewrote(epoch, page) else epoch)]

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        out = super()._inject_js_into_html(content, epoch)  # type: ignore[misc]
        page = getattr(self._serving, "page", None)
        calls = list(_SCRIPT_IDS.finditer(out, max(0, len(out) - 4000)))
        if not calls or page is None:
            return out
        # MkDocs's request id is the time in milliseconds: two tabs opened in one share it. One of ours.
        with self._epoch_cond:
            request = next(self._ids)
            self._tabs[request] = page
            if len(self._tabs) > KEPT_TABS:
                del self._tabs[next(iter(self._tabs))]
        call = calls[-1]
        return out[:call.start()] + b"livereload(%s, %d);" % (call[1], request) + out[call.end():]

    def _site_file(self, path: str) -> str | None:
        """The site file MkDocs serves for a request path (as its ``_serve_request`` finds it)."""
        if not (path + "/").startswith(self.mount_path):
            return None
        rel = path[len(self.mount_path):]
        if path.endswith("/"):
            rel += "index.html"
        return posixpath.normpath("/" + rel).lstrip("/")
