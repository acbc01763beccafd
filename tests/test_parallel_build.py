"""Parse and render in forked workers (kbgen.note_stages) build exactly the site a single process builds."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kbgen import parallel
from kbgen.cli import _kbgen_plugin, _quiet_mkdocs_logging, load_mkdocs_config
from kbgen.markdown.renderer import NoteRenderer
from kbgen.mkdocs_build import build_site

from parallel_vault import write_parallel_vault
from test_site_build import assert_same_site, config_file

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not parallel.can_fork(), reason="workers are forked")


def built(tmp: Path, notes: Path, name: str, jobs: int) -> tuple[list[str], object]:
    """Build ``notes`` into tmp/name with ``jobs`` processes; (diagnostics as printed, the kbgen build)."""
    diagnostics, plugin, _ = built_site(tmp, notes, name, jobs)
    return diagnostics, plugin.build


def built_site(tmp: Path, notes: Path, name: str, jobs: int) -> tuple[list[str], object, object]:
    """:func:`built`, giving kbgen's plugin and MkDocs's SiteStats instead of the kbgen build."""
    _quiet_mkdocs_logging()
    config = load_mkdocs_config(str(config_file(tmp, notes, tmp / name, tmp / f"cache-{name}")), notes=None, site=None)
    diagnostics: list = []
    plugin = _kbgen_plugin(config)
    plugin.on_diagnostics = diagnostics.extend
    config.plugins.on_startup(command="build", dirty=False)
    stats = build_site(config, jobs=jobs)
    return [d.format() for d in diagnostics], plugin, stats


@pytest.fixture(scope="module")
def vault(tmp_path_factory) -> Path:
    return write_parallel_vault(tmp_path_factory.mktemp("parallel") / "notes")


@pytest.fixture(scope="module")
def serial(vault, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serial")
    diagnostics, build = built(tmp, vault, "site", 1)
    return tmp / "site", diagnostics, build


def test_two_workers_build_the_serial_site_byte_for_byte(vault, serial, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_NOTES_PER_WORKER", 10)
    diagnostics, build = built(tmp_path, vault, "site", 2)
    assert build.workers == 2 and serial[2].workers == 1
    assert_same_site(tmp_path / "site", serial[0])
    assert diagnostics == serial[1]
    # The vault reaches across notes everywhere: the comparison covers all of it.
    codes = {line.rsplit("[", 1)[1] for line in diagnostics}
    assert {"broken-link]", "embed-cycle]", "math]"} <= codes
    page = (tmp_path / "site" / "alpha" / "n0" / "index.html").read_text(encoding="utf-8")
    assert 'class="kb-embed kb-embed-note"' in page and "kb-backlinks" in page and "katex" in page
    assert not (tmp_path / "site" / "감마" / "n5").exists()  # a draft leaves no page


def test_a_note_kbgen_fails_on_in_a_worker_is_reported_and_shown_as_text_as_in_serial(vault, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_NOTES_PER_WORKER", 10)
    render = NoteRenderer.render

    def failing(self, item):
        if item.note.src_path == "beta/deep/n10.md":
            raise RuntimeError("boom")
        return render(self, item)

    monkeypatch.setattr(NoteRenderer, "render", failing)
    one = built(tmp_path, vault, "one", 1)[0]
    two, build = built(tmp_path, vault, "two", 2)
    assert build.workers == 2
    assert_same_site(tmp_path / "two", tmp_path / "one")
    assert two == one
    assert "beta/deep/n10.md:4:1: error: kbgen failed to render this note (RuntimeError: boom); " \
           "it is shown as plain text [internal]" in two
    page = (tmp_path / "two" / "beta" / "deep" / "n10" / "index.html").read_text(encoding="utf-8")
    assert '<pre class="kb-source">' in page


def test_a_dead_worker_costs_no_note_and_no_hang(vault, serial, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_NOTES_PER_WORKER", 10)
    parent = os.getpid()
    render = NoteRenderer.render

    def dying(self, item):
        if item.note.src_path == "alpha/n30.md" and os.getpid() != parent:
            os._exit(3)  # as the out-of-memory killer would end it
        return render(self, item)

    monkeypatch.setattr(NoteRenderer, "render", dying)
    diagnostics, build = built(tmp_path, vault, "site", 2)
    assert build.workers == 2
    assert_same_site(tmp_path / "site", serial[0])
    assert diagnostics == serial[1]


def _parses_logged(monkeypatch, log: Path) -> None:
    """Every parse, in whatever process it runs, appends the note's path to ``log``."""
    parse = NoteRenderer.parse

    def logged(self, note, vault):
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(note.src_path + "\n")
        return parse(self, note, vault)

    monkeypatch.setattr(NoteRenderer, "parse", logged)


def test_a_worker_renders_the_notes_it_parsed_without_parsing_them_again(vault, serial, tmp_path, monkeypatch):
    """Round 2 takes the trees round 1 kept; past KEEP_CHARS of text a worker parses again, to the same site."""
    from kbgen import note_stages

    monkeypatch.setattr(parallel, "MIN_NOTES_PER_WORKER", 10)
    counts = {}
    for name, keep in (("kept", note_stages.KEEP_CHARS), ("none-kept", 0)):
        monkeypatch.setattr(note_stages, "KEEP_CHARS", keep)
        log = tmp_path / f"{name}.log"
        _parses_logged(monkeypatch, log)
        diagnostics, build = built(tmp_path, vault, name, 2)
        assert build.workers == 2
        assert_same_site(tmp_path / name, serial[0])
        assert diagnostics == serial[1]
        counts[name] = log.read_text(encoding="utf-8").splitlines()
        monkeypatch.undo()
        monkeypatch.setattr(parallel, "MIN_NOTES_PER_WORKER", 10)
    # A note no other note embeds: parsed once when kept, twice when not. Every note kept saves a parse;
    # the others are parses of embedded notes and backlink excerpts, made where they are shown.
    assert counts["kept"].count("beta/deep/n10.md") == 1
    assert counts["none-kept"].count("beta/deep/n10.md") == 2
    assert len(counts["none-kept"]) - len(counts["kept"]) == len(build.rendered)


def test_a_worker_dead_before_the_second_round_costs_no_note(vault, serial, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_NOTES_PER_WORKER", 10)
    parent = os.getpid()
    parse = NoteRenderer.parse

    def dying(self, note, vault):
        if note.src_path == "alpha/n30.md" and os.getpid() != parent:
            os._exit(3)  # in round 1: its worker never gets to round 2
        return parse(self, note, vault)

    monkeypatch.setattr(NoteRenderer, "parse", dying)
    diagnostics, build = built(tmp_path, vault, "site", 2)
    assert build.workers == 2
    assert_same_site(tmp_path / "site", serial[0])
    assert diagnostics == serial[1]
