"""`kbgen serve` rebuilds incrementally in one process and converges on a cold build, whatever happens meanwhile."""
from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from test_serve import _free_port, _wait_for
from test_site_build import assert_same_site, config_file

ROOT = Path(__file__).resolve().parent.parent


def _config(tmp: Path, notes: Path, site: Path, port: int) -> Path:
    return config_file(tmp, notes, site, tmp / ("cache-" + site.name), site_url=f"http://127.0.0.1:{port}/")


ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _start_serve(tmp: Path, notes: Path) -> tuple[int, subprocess.Popen, Path]:
    """(port, the `kbgen serve` process, its log) serving ``notes`` into tmp/served."""
    port = _free_port()
    config = _config(tmp, notes, tmp / "served", port)
    log = tmp / "serve.log"
    with log.open("w") as err:
        server = subprocess.Popen([sys.executable, "-m", "kbgen", "serve", "--config", str(config),
                                   "--dev-addr", f"127.0.0.1:{port}"], cwd=tmp, env=ENV,
                                  stdout=subprocess.DEVNULL, stderr=err)
    return port, server, log


def _cold_build(tmp: Path, notes: Path, port: int) -> None:
    build = subprocess.run([sys.executable, "-m", "kbgen", "build", "-q", "--config",
                            str(_config(tmp, notes, tmp / "cold", port))],
                           cwd=tmp, env=ENV, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr


def _churn(notes: Path, stop: threading.Event, seed: int) -> None:
    """Edit, add, delete and rename notes while the server rebuilds."""
    rng = random.Random(seed)
    step = 0
    while not stop.is_set():
        step += 1
        files = sorted(notes.glob("*.md"))
        kind = rng.choice(["edit", "add", "delete", "rename", "title", "link", "tag", "heading", "unlink"])
        try:
            if kind == "add" or len(files) < 3:
                (notes / f"added{step}.md").write_text(f"# Added {step}\n\n[[n1]] 추가\n", encoding="utf-8")
            elif kind == "edit":
                target = rng.choice(files)
                target.write_text(target.read_text(encoding="utf-8") + f"\nline {step}\n", encoding="utf-8")
            elif kind == "delete":
                rng.choice(files).unlink()
            elif kind == "rename":
                target = rng.choice(files)
                target.rename(notes / f"renamed{step}.md")
            elif kind == "tag":
                target = rng.choice(files)
                body = target.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
                target.write_text(f"---\ntags: [t{step % 3}]\n---\n{body}\n#inline{step % 2}\n", encoding="utf-8")
            elif kind == "heading":  # notes linking to it render again (kbgen.quick_note)
                target = rng.choice(files)
                target.write_text(re.sub(r"^## .*$", f"## Part {step}", target.read_text(encoding="utf-8"),
                                         count=1, flags=re.M), encoding="utf-8")
            elif kind == "unlink":  # its old target's backlinks and the graph change
                target = rng.choice(files)
                target.write_text(re.sub(r"\[\[[^\]]*\]\]", "unlinked", target.read_text(encoding="utf-8"), count=1),
                                  encoding="utf-8")
            elif kind == "title":
                target = rng.choice(files)
                target.write_text(f"---\ntitle: T{step}\n---\nbody {step}\n", encoding="utf-8")
            else:
                target = rng.choice(files)
                target.write_text(target.read_text(encoding="utf-8") + f"\n![[{rng.choice(files).stem}]]\n",
                                  encoding="utf-8")
        except (FileNotFoundError, ValueError):
            pass  # the file went away under us: that is the point
        time.sleep(rng.uniform(0.0, 0.4))


def test_serve_survives_changes_during_rebuilds_and_converges_on_a_cold_build(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    for i in range(8):
        (notes / f"n{i}.md").write_text(f"# Note {i}\n\n[[n{(i + 1) % 8}]] 내용 {i} [[n{(i + 3) % 8}#Part]]\n\n"
                                        "## Part\n\ntext\n",
                                        encoding="utf-8")
    port, server, log = _start_serve(tmp_path, notes)
    try:
        _wait_for(f"http://127.0.0.1:{port}/n1/", "내용 1", timeout=120)
        stop = threading.Event()
        churn = threading.Thread(target=_churn, args=(notes, stop, 12))
        churn.start()
        time.sleep(12)
        stop.set()
        churn.join()
        (notes / "zz-last.md").write_text("# Last\n\n마지막 변경\n", encoding="utf-8")
        _wait_for(f"http://127.0.0.1:{port}/zz-last/", "마지막 변경", timeout=120)
        site = Path(re.search(r"kbgen: serving (\S+)", log.read_text()).group(1))
        _wait_until_quiet(site)
        assert server.poll() is None, log.read_text()[-2000:]
        _cold_build(tmp_path, notes, port)
        assert_same_site(site, tmp_path / "cold")
        assert "Traceback" not in log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_quiet(site: Path, quiet: float = 3.0, timeout: float = 120) -> None:
    """Until no file in the served folder changed for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        newest = max((p.stat().st_mtime for p in site.rglob("*") if p.is_file()), default=0)
        if time.time() - newest > quiet:
            return
        time.sleep(0.5)


def test_saves_without_rebuilds_end_with_a_cold_builds_site_search_index_included(tmp_path):
    """Saves the quick path covers in full (text, headings, links, a title): each is shown, no rebuild runs,
    and once the author pauses the search index is written; then the served folder is a cold build's, byte
    for byte."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for i in range(6):
        (notes / f"n{i}.md").write_text(f"# Note {i}\n\n[[n{(i + 1) % 6}]] 내용 {i}\n\n![[n{(i + 2) % 6}#Part]]\n\n"
                                        f"## Part\n\ntext {i}\n", encoding="utf-8")
    port, server, log = _start_serve(tmp_path, notes)
    try:
        _wait_for(f"http://127.0.0.1:{port}/n1/", "내용 1", timeout=120)
        for step, i in enumerate([2, 3, 2, 5]):  # a sentence, a heading, a link: no embed added
            note = notes / f"n{i}.md"
            text = note.read_text(encoding="utf-8").replace("text", f"text {step} [[n{(i + 3) % 6}]]", 1)
            note.write_text(text + f"\n## Step {step}\n", encoding="utf-8")
            # shown where it is embedded: n{i} is embedded by n{i-2}
            _wait_for(f"http://127.0.0.1:{port}/n{(i - 2) % 6}/", f"text {step} ", timeout=60)
        # A retitle (kbgen.quick_meta): over n2's embed of it, and last in the sidebar now (Hangul sorts after
        # "Note"), so previous/next links move; still no rebuild.
        note = notes / "n4.md"
        note.write_text("---\ntitle: 새 제목\n---\n" + note.read_text(encoding="utf-8"), encoding="utf-8")
        _wait_for(f"http://127.0.0.1:{port}/n2/", "새 제목", timeout=60)
        deadline = time.monotonic() + 120
        while log.read_text().count("no rebuild needed") < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        text = log.read_text()
        assert text.count("no rebuild needed") >= 1, text[-2000:]
        assert text.count("pages templated") == 1, text[-2000:]  # the first build only
        site = Path(re.search(r"kbgen: serving (\S+)", text).group(1))
        _cold_build(tmp_path, notes, port)
        _wait_until_quiet(site)
        assert_same_site(site, tmp_path / "cold")
    finally:
        server.terminate()
        server.wait(timeout=30)
