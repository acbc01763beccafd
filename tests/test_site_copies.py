"""The site's static files written by a forked child (kbgen.site_copies): the same files, the same record, failures redone."""
from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest

from kbgen import background, parallel, site_copies
from kbgen.site_writer import SiteWriter

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not parallel.can_fork(), reason="children are forked")


def _files(site: Path, src: Path, n: int) -> list:
    """``n`` generated files (content) and as many copied from ``src`` (a file on disk), as MkDocs's File objects."""
    out = []
    for k in range(n):
        out.append(types.SimpleNamespace(_content=f"<p>{k}</p>", abs_dest_path=str(site / f"a{k}" / "index.html")))
        source = src / f"f{k}.txt"
        source.write_text(f"file {k}", encoding="utf-8")
        out.append(types.SimpleNamespace(_content=None, abs_src_path=str(source), abs_dest_path=str(site / "f" / f"f{k}.txt"),
                                         copy_file=lambda dirty=False: None))
    return out


def _record(writer: SiteWriter) -> tuple:
    return sorted(writer.produced), writer.changed_files(), writer.written, writer.unchanged


def _tree(site: Path) -> dict:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_child_writes_the_files_and_the_record_this_process_would(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    monkeypatch.setattr(site_copies, "MIN_FILES", 10 ** 9)
    here = SiteWriter(tmp_path / "here")
    site_copies.StaticCopies(here, _files(tmp_path / "here", tmp_path / "src", 150), set()).finish()
    monkeypatch.setattr(site_copies, "MIN_FILES", 10)
    forked = []
    original = background.start
    monkeypatch.setattr(background, "start", lambda work, what: forked.append(what) or original(work, what))
    child = SiteWriter(tmp_path / "child")
    copies = site_copies.StaticCopies(child, _files(tmp_path / "child", tmp_path / "src", 150), set())
    copies.finish()
    assert forked == ["static files"]
    assert _tree(tmp_path / "child") == _tree(tmp_path / "here") and len(_tree(tmp_path / "here")) == 300
    got, want = _record(child), _record(here)
    assert got[2:] == want[2:] == (300, 0)
    assert [p.replace(str(tmp_path / "child"), "") for p in got[0]] == [p.replace(str(tmp_path / "here"), "") for p in want[0]]
    assert got[1] == want[1]
    # again into the same folder: nothing written, everything unchanged, as in this process
    again = SiteWriter(tmp_path / "child")
    site_copies.StaticCopies(again, _files(tmp_path / "child", tmp_path / "src", 150), set()).finish()
    assert (again.written, again.unchanged, len(again.produced)) == (0, 300, 300)


def test_a_site_folder_holding_the_files_already_compares_them_here_without_a_child(tmp_path, monkeypatch):
    """After an edit the site folder starts as the previous site: nearly every copy finds the same bytes,
    quicker here than a child costs; a folder that lacks many of them has the child copy."""
    (tmp_path / "src").mkdir()
    monkeypatch.setattr(site_copies, "MIN_FILES", 10)
    forked = []
    original = background.start
    monkeypatch.setattr(background, "start", lambda work, what: forked.append(what) or original(work, what))
    site = tmp_path / "site"
    site_copies.StaticCopies(SiteWriter(site), _files(site, tmp_path / "src", 150), set()).finish()
    assert forked == ["static files"]  # an empty folder
    (site / "a3" / "index.html").write_text("<p>changed behind its back</p>", encoding="utf-8")
    again = SiteWriter(site)
    site_copies.StaticCopies(again, _files(site, tmp_path / "src", 150), set()).finish()
    assert forked == ["static files"]  # no second child
    assert (again.written, again.unchanged, len(again.produced)) == (1, 299, 300)
    assert (site / "a3" / "index.html").read_text(encoding="utf-8") == "<p>3</p>"
    for k in range(0, 150, 2):  # half of the pages gone: the child copies
        (site / f"a{k}" / "index.html").unlink()
    third = SiteWriter(site)
    site_copies.StaticCopies(third, _files(site, tmp_path / "src", 150), set()).finish()
    assert forked == ["static files"] * 2 and (third.written, third.unchanged) == (75, 225)


def test_a_file_a_later_write_takes_is_copied_first_here(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    monkeypatch.setattr(site_copies, "MIN_FILES", 10)
    site = tmp_path / "site"
    writer = SiteWriter(site)
    files = _files(site, tmp_path / "src", 50)
    taken = str(site / "a7" / "index.html")
    copies = site_copies.StaticCopies(writer, files, {taken})
    assert (site / "a7" / "index.html").read_text() == "<p>7</p>"  # before the later write, in this process
    writer.write(b"the page", taken)
    copies.finish()
    assert (site / "a7" / "index.html").read_bytes() == b"the page"  # the later write wins, as in MkDocs's order


def test_files_the_child_could_not_write_are_copied_here(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    monkeypatch.setattr(site_copies, "MIN_FILES", 10)
    real = site_copies._copied
    monkeypatch.setattr(site_copies, "_copied", lambda writer, file: "/a3/" not in file.abs_dest_path and real(writer, file))
    writer = SiteWriter(tmp_path / "site")
    redone = []
    original_copy = writer.copy
    writer.copy = lambda file: redone.append(file.abs_dest_path) or original_copy(file)
    site_copies.StaticCopies(writer, _files(tmp_path / "site", tmp_path / "src", 40), set()).finish()
    assert redone == [str(tmp_path / "site" / "a3" / "index.html")]
    assert len(_tree(tmp_path / "site")) == 80 and writer.written == 80


def test_a_child_that_fails_leaves_every_file_to_this_process(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    monkeypatch.setattr(site_copies, "MIN_FILES", 10)

    def broken(self):
        raise OSError("no space left on device")

    monkeypatch.setattr(site_copies.StaticCopies, "_copy_all", broken)
    warned: list[str] = []
    monkeypatch.setattr(site_copies.log, "warning", lambda msg, *args: warned.append(msg % args))
    writer = SiteWriter(tmp_path / "site")
    site_copies.StaticCopies(writer, _files(tmp_path / "site", tmp_path / "src", 40), set()).finish()
    assert warned == ["kbgen: static files: OSError: no space left on device; copied by the main process"]
    assert len(_tree(tmp_path / "site")) == 80 and writer.written == 80


def test_a_site_with_its_static_files_copied_by_a_child_equals_one_copied_here(tmp_path, monkeypatch):
    from test_site_build import assert_same_site, config_file, kbgen_build, vault

    notes = vault(tmp_path, 30)
    for k in range(30):  # aliases: a redirect page each, written as static files
        path = notes / f"dir{k % 3}" / f"note{k}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("---\ntags", f"---\naliases: [other{k}]\ntags"),
                        encoding="utf-8")
    monkeypatch.setattr(site_copies, "MIN_FILES", 10 ** 9)
    here = kbgen_build(config_file(tmp_path, notes, tmp_path / "here", tmp_path / "cache-here"))
    monkeypatch.setattr(site_copies, "MIN_FILES", 10)
    forked = []
    original = background.start
    monkeypatch.setattr(background, "start", lambda work, what: forked.append(what) or original(work, what))
    child = kbgen_build(config_file(tmp_path, notes, tmp_path / "child", tmp_path / "cache-child"))
    assert "static files" in forked
    assert_same_site(tmp_path / "child", tmp_path / "here")
    assert (child.written, child.unchanged, child.removed) == (here.written, here.unchanged, here.removed)
    assert child.changed == here.changed
