"""`kbgen serve`: a live preview that rebuilds when a note changes."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, needle: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                last = response.read().decode("utf-8")
            if needle in last:
                return last
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{needle!r} never appeared at {url}; last page: {last[:300]!r}")


def test_serve_rebuilds_when_a_note_changes(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    note = notes / "메모.md"
    note.write_text("# 첫 제목\n\n처음 내용\n", encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "kbgen", "serve", "--notes", str(notes), "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/{quote('메모')}/"
        _wait_for(url, "처음 내용")
        note.write_text("# 첫 제목\n\n바뀐 내용\n", encoding="utf-8")
        page = _wait_for(url, "바뀐 내용")
        assert "처음 내용" not in page
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert note.read_text(encoding="utf-8") == "# 첫 제목\n\n바뀐 내용\n"
