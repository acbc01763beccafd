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
