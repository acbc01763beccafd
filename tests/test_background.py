"""Work done in a forked child while the build goes on (kbgen.background): same result, failures reported, no orphan."""
from __future__ import annotations

import logging
import os
import sqlite3
import sys

import pytest

from kbgen import background, cache as note_cache, parallel, pickles
from kbgen.build import build_vault
from kbgen.config import KbgenConfig

from link_vaults import write_vault
from test_build_cache import VAULT, cold, snapshot

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not parallel.can_fork(), reason="children are forked")


def children() -> list[int]:
    """This process's child processes (Linux: /proc), zombies included."""
    found: list[int] = []
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        try:
            with open(f"/proc/{os.getpid()}/task/{task}/children") as fh:
                found.extend(int(pid) for pid in fh.read().split())
        except OSError:
            pass
    return found


def test_the_child_sees_this_process_as_it_was_and_its_result_comes_back():
    before = children()
    values = {"n": 1}
    job = background.start(lambda: (values["n"], os.getpid()), "test")
    values["n"] = 2  # after the fork: the child does not see it
    n, pid = job.join()
    assert n == 1 and pid != os.getpid()
    assert job.join() == (1, pid)  # answered again without waiting
    assert children() == before


def test_an_exception_in_the_child_is_raised_in_the_parent_with_its_message():
    def work():
        raise ValueError("bad input at 3:4")

    job = background.start(work, "the test's work")
    with pytest.raises(background.BackgroundFailed, match=r"the test's work: ValueError: bad input at 3:4"):
        job.join()
    with pytest.raises(background.BackgroundFailed):
        job.join()


def test_a_child_that_dies_is_a_failure_not_a_hang():
    job = background.start(lambda: os._exit(3), "dying work")
    with pytest.raises(background.BackgroundFailed, match="exit status 3"):
        job.join()
    job = background.start(lambda: os.kill(os.getpid(), 9), "killed work")
    with pytest.raises(background.BackgroundFailed, match="signal 9"):
        job.join()


def test_a_big_result_is_read_while_the_child_writes_it():
    job = background.start(lambda: b"x" * (5 << 20), "big")
    assert job.join() == b"x" * (5 << 20)


def _rows(cache_dir) -> list[tuple]:
    """The stored entries, as what a later build reads of them (a packed body compares by identity)."""
    db = sqlite3.connect(str(cache_dir / note_cache.CACHE_FILE))
    try:
        rows = sorted(db.execute("SELECT namespace, src_path, blob FROM note").fetchall())
    finally:
        db.close()
    out = []
    for namespace, src_path, blob in rows:
        entry = pickles.loads(blob)
        fields = {k: v for k, v in vars(entry).items() if k != "rendered"}
        page = entry.rendered
        out.append((namespace, src_path, repr(sorted(fields.items())), page.html, page.title, page.toc,
                    [d.format() for d in page.diagnostics]))
    return out


def _run(notes, cache_dir):
    return build_vault(KbgenConfig(notes_dir=notes, cache_dir=cache_dir, build_cache=True))


def test_the_cache_a_child_stores_equals_the_one_this_process_stores(tmp_path, monkeypatch):
    notes = write_vault(tmp_path / "notes", VAULT)
    monkeypatch.setattr(note_cache, "BACKGROUND_STORE_MIN", 10 ** 9)
    _run(notes, tmp_path / "here")
    started = []
    original = background.start
    monkeypatch.setattr(note_cache, "BACKGROUND_STORE_MIN", 1)
    monkeypatch.setattr(background, "start", lambda work, what: started.append(what) or original(work, what))
    before = children()
    _run(notes, tmp_path / "child")
    assert started == ["build cache store"]
    assert children() == before  # waited for before build_vault returned
    rows = _rows(tmp_path / "child")
    assert len(rows) == 5 and rows == _rows(tmp_path / "here")
    # and the next build, from what the child stored, parses nothing and equals a cold build
    from kbgen.markdown.renderer import NoteRenderer

    parsed = []
    monkeypatch.setattr(NoteRenderer, "parse", lambda self, note, vault: parsed.append(note) or 1 / 0)
    again = _run(notes, tmp_path / "child")
    assert parsed == []
    monkeypatch.undo()
    assert snapshot(again) == cold(notes, tmp_path)


def test_a_store_that_fails_in_the_child_is_reported_and_the_build_goes_on(tmp_path, monkeypatch, caplog):
    notes = write_vault(tmp_path / "notes", VAULT)
    monkeypatch.setattr(note_cache, "BACKGROUND_STORE_MIN", 1)

    def broken(self, entries, stale):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(note_cache.NoteCache, "_store_in_child", broken)
    with caplog.at_level(logging.WARNING, logger="kbgen.cache"):
        build = _run(notes, tmp_path / "cache")
    assert "kbgen: build cache not written (build cache store: OperationalError: disk I/O error)" in caplog.text
    assert _rows(tmp_path / "cache") == []
    assert snapshot(build) == cold(notes, tmp_path)
    monkeypatch.undo()
    assert snapshot(_run(notes, tmp_path / "cache")) == cold(notes, tmp_path)  # the next build stores it


def test_few_entries_are_stored_in_this_process(tmp_path, monkeypatch):
    notes = write_vault(tmp_path / "notes", VAULT)
    monkeypatch.setattr(background, "start", lambda work, what: pytest.fail("forked for five notes"))
    _run(notes, tmp_path / "cache")
    assert len(_rows(tmp_path / "cache")) == 5


# -- the theme's fixed costs (kbgen.mkdocs_theme) ------------------------------------------------

def _site(tmp, name, *, fork=True, monkeypatch=None):
    from kbgen import mkdocs_theme
    from test_site_build import config_file, kbgen_build, vault

    notes = tmp / "notes" if (tmp / "notes").is_dir() else vault(tmp)
    started: list[str] = []
    original = background.start

    def start(work, what):
        started.append(what)
        return original(work, what) if fork else None

    monkeypatch.setattr(background, "start", start)
    kbgen_build(config_file(tmp, notes, tmp / name, tmp / f"cache-{name}"))
    monkeypatch.setattr(background, "start", original)
    assert mkdocs_theme.JINJA_CACHE == "jinja"
    return tmp / name, tmp / f"cache-{name}", started


def test_theme_files_and_templates_prepared_by_a_child_build_the_same_site(tmp_path, monkeypatch):
    from kbgen import theme_files
    from test_site_build import assert_same_site

    before = children()
    here, here_cache, _ = _site(tmp_path, "here", fork=False, monkeypatch=monkeypatch)
    site, cache, started = _site(tmp_path, "child", monkeypatch=monkeypatch)
    assert "theme files and templates" in started
    assert children() == before
    assert_same_site(site, here)
    assert (cache / theme_files.RECORD).read_bytes() == (here_cache / theme_files.RECORD).read_bytes()
    compiled = sorted(p.name for p in (cache / "jinja").iterdir())
    assert len(compiled) >= 30  # the page templates and Material's partials, compiled by the child
    assert set(p.name for p in (here_cache / "jinja").iterdir()) <= set(compiled)
    # A build that finds both forks nothing for them, and builds the same site again.
    again, _, started = _site(tmp_path, "child", monkeypatch=monkeypatch)
    assert "theme files and templates" not in started
    assert_same_site(again, here)


def test_a_theme_child_that_fails_is_reported_and_the_theme_walked_here(tmp_path, monkeypatch):
    from kbgen import mkdocs_theme
    from test_site_build import assert_same_site

    here, _, _ = _site(tmp_path, "here", fork=False, monkeypatch=monkeypatch)

    def broken(self, compile_into):
        raise OSError("no space left on device")

    monkeypatch.setattr(mkdocs_theme.ThemeFiles, "_prepare", broken)
    warned: list[str] = []
    monkeypatch.setattr(mkdocs_theme.log, "warning", lambda msg, *args: warned.append(msg % args))
    site, _, started = _site(tmp_path, "child", monkeypatch=monkeypatch)
    assert "theme files and templates" in started
    assert warned == ["kbgen: theme files and templates: OSError: no space left on device"]
    assert_same_site(site, here)


# -- the load stage: half the notes read by a child (kbgen.vault.load.load_notes) -------------------------

def _odd_vault(root):
    files = {f"f{k % 4}/n{k}.md": f"---\ntags: [t{k % 3}]\naliases: [별칭{k}]\n---\n# 노트 {k}\n\n본문 {k} [[n{k + 1}]]\n"
             for k in range(40)}
    files["f1/bad-yaml.md"] = "---\ntags: [unclosed\n---\n# Bad\n"
    files["f2/binary.md"] = b"\x00\x01\x02PNG\x00\x00 not text"
    files["f2/latin1.md"] = "caf\xe9 ol\xe9\n".encode("latin-1")
    files["f3/crlf.md"] = b"---\r\ntitle: CRLF\r\n---\r\nline\r\n"
    files["f3/bom.md"] = "\ufeff# BOM title\n\ntext\n".encode("utf-8")
    files["img.png"] = b"\x89PNG\r\n"
    return write_vault(root, files)


def _notes_of(vault) -> list:
    return [(path, note) for path, note in vault.notes.items()]


def test_notes_read_by_a_child_are_the_notes_this_process_reads(tmp_path, monkeypatch):
    from kbgen.vault import load

    notes = _odd_vault(tmp_path / "notes")
    config = KbgenConfig(notes_dir=notes, cache_dir=tmp_path / "c")
    monkeypatch.setattr(load, "PARALLEL_LOAD_MIN", 10 ** 9)
    here = load.load_vault(config)
    forked = []
    original = background.start
    monkeypatch.setattr(background, "start", lambda work, what: forked.append(what) or original(work, what))
    monkeypatch.setattr(load, "PARALLEL_LOAD_MIN", 4)
    before = children()
    there = load.load_vault(config)
    assert forked == ["loading notes"] and children() == before
    assert len(there.notes) == 45 and _notes_of(there) == _notes_of(here)
    assert [d.format() for n in there.notes.values() for d in n.diagnostics] == \
        [d.format() for n in here.notes.values() for d in n.diagnostics] != []
    assert there.diagnostics == here.diagnostics


def test_notes_a_child_read_are_kept_for_the_next_build_as_this_process_keeps_them(tmp_path, monkeypatch):
    from kbgen.vault import load

    notes = _odd_vault(tmp_path / "notes")
    old = 1_600_000_000
    for path in notes.rglob("*.md"):  # not "racily" new: the build cache keeps them by their stamps
        os.utime(path, (old, old))
    config = KbgenConfig(notes_dir=notes, cache_dir=tmp_path / "cache")
    monkeypatch.setattr(load, "PARALLEL_LOAD_MIN", 4)
    cache = note_cache.NoteCache(config)
    loaded = cache.loaded_notes()
    first = load.load_vault(config, loaded)
    loaded.save()
    cache.close()
    cache = note_cache.NoteCache(config)
    again = cache.loaded_notes()
    monkeypatch.setattr(load, "load_note", lambda *a: pytest.fail("read again"))
    second = load.load_vault(config, again)
    cache.close()
    assert _notes_of(second) == _notes_of(first)


def test_notes_a_failed_child_had_are_read_here(tmp_path, monkeypatch):
    from kbgen.vault import load

    notes = _odd_vault(tmp_path / "notes")
    config = KbgenConfig(notes_dir=notes, cache_dir=tmp_path / "c")
    here = load.load_vault(config)
    monkeypatch.setattr(load, "PARALLEL_LOAD_MIN", 4)
    monkeypatch.setattr(load, "_packed", lambda *a: os._exit(9))
    assert _notes_of(load.load_vault(config)) == _notes_of(here)
