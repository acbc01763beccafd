"""A page that fails half-way through being written (a full disk) is that page's error; the rest of the site is written.

Both ways of building: ``kbgen build`` (its own writer) and a plain ``mkdocs build`` with ``plugins: [kbgen]``.
"""
from __future__ import annotations

import builtins
import errno
import logging
import os
from pathlib import Path

import mkdocs.utils
import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

import kbgen.site_writer
from kbgen.cli import main
from kbgen.search.shards import read_documents
from link_vaults import write_vault

NOTES = {"a.md": "# A\n\nalpha words\n", "b.md": "# B\n\nbeta words [[a]]\n", "c.md": "# C\n\ngamma words\n"}


def _disk_full_for(module: object, suffix: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make ``open`` in ``module`` give files ending in ``suffix`` a write that stops half-way with ENOSPC."""
    failed: list[str] = []

    class HalfWritten:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data: bytes) -> int:
            self.fh.write(data[: len(data) // 2])
            failed.append(self.fh.name)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    def fake_open(path, mode="r", *args, **kwargs):
        fh = builtins.open(path, mode, *args, **kwargs)
        return HalfWritten(fh) if str(path).endswith(suffix) and "w" in mode else fh

    monkeypatch.setattr(module, "open", fake_open, raising=False)
    return failed


def test_kbgen_build_reports_the_page_and_writes_the_rest(tmp_path: Path, capsys, monkeypatch) -> None:
    notes = write_vault(tmp_path / "notes", NOTES)
    site = tmp_path / "site"
    monkeypatch.chdir(tmp_path)
    failed = _disk_full_for(kbgen.site_writer, os.path.join("b", "index.html.kbgen-tmp"), monkeypatch)
    status = main(["build", "-q", "--notes", str(notes), "--site", str(site)])
    err = capsys.readouterr().err
    assert failed, "the page was never written"
    assert status == 1, err
    assert ("b.md:1:1: error: cannot write b/index.html (No space left on device); "
            "the rest of the site is written [write]") in err
    assert not (site / "b" / "index.html").exists()  # no half page
    assert not list(site.rglob("*.kbgen-tmp"))
    assert "alpha words" in (site / "a" / "index.html").read_text(encoding="utf-8")
    assert "gamma words" in (site / "c" / "index.html").read_text(encoding="utf-8")
    locations = {d["location"] for d in read_documents(site / "search")}
    assert "a/" in locations and not any(loc.startswith("b/") for loc in locations)

    monkeypatch.undo()  # disk space again: the next build writes the page (no stale manifest entry)
    monkeypatch.chdir(tmp_path)
    assert main(["build", "-q", "--notes", str(notes), "--site", str(site)]) == 0
    assert "beta words" in (site / "b" / "index.html").read_text(encoding="utf-8")


def test_plain_mkdocs_build_reports_the_page_and_writes_the_rest(tmp_path: Path, caplog, monkeypatch) -> None:
    write_vault(tmp_path / "docs", NOTES)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: plain\nsite_dir: out\ntheme:\n  name: material\n  language: en\n"
        "plugins:\n  - search\n  - kbgen:\n      cache_dir: cache\n      math: false\n", encoding="utf-8")
    failed = _disk_full_for(mkdocs.utils, os.path.join("b", "index.html"), monkeypatch)
    original = mkdocs.utils.write_file
    config = load_config(str(tmp_path / "mkdocs.yml"))
    with caplog.at_level(logging.WARNING):
        mkdocs_build(config)  # MkDocs alone would raise here and stop
    assert failed
    out = tmp_path / "out"
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert ("b.md:1:1: error: cannot write b/index.html (No space left on device); "
            "the rest of the site is written [write]") in errors
    assert not (out / "b" / "index.html").exists()
    assert "alpha words" in (out / "a" / "index.html").read_text(encoding="utf-8")
    assert "gamma words" in (out / "c" / "index.html").read_text(encoding="utf-8")
    assert (out / "search" / "search_index.json").is_file() and (out / "sitemap.xml").is_file()
    assert mkdocs.utils.write_file is original  # the guard lasts one build
